;; SPDX-License-Identifier: Apache-2.0
;; startsuspend.wat: the start function is a host import that suspends.
(module
  (import "env" "wait" (func $wait))
  (start $wait))
