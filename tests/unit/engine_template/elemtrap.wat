;; SPDX-License-Identifier: Apache-2.0
;; elemtrap.wat: an element segment out of bounds traps before the data
;; segments run; the imported table keeps what the earlier segment wrote.
(module
  (table (import "env" "tab") 2 funcref)
  (memory 1)
  (func $f)
  (elem (i32.const 0) $f)
  (elem (i32.const 1) $f $f)
  (data (i32.const 0) "unseen"))
