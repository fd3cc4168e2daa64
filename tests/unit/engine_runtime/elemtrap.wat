;; SPDX-License-Identifier: Apache-2.0
;; elemtrap.wat: the second element segment is out of bounds of the
;; imported table, so instantiation traps after the first was written.
(module
  (import "p" "tab" (table 1 funcref))
  (func $f)
  (elem (i32.const 0) $f)
  (elem (i32.const 1) $f))
