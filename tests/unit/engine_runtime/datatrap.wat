;; SPDX-License-Identifier: Apache-2.0
;; datatrap.wat: the second data segment is out of bounds, so instantiation
;; traps after the first has been written to the imported memory.
(module
  (import "p" "mem" (memory 1))
  (data (i32.const 0) "ok")
  (data (i32.const 65535) "xy"))
