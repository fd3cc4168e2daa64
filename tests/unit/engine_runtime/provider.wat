;; SPDX-License-Identifier: Apache-2.0
;; provider.wat: exports one of each kind for the linking tests.
(module
  (func $add (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func $seven (result i32) (i32.const 7))
  (memory (export "mem") 1 4)
  (global (export "g") (mut i32) (i32.const 40))
  (global (export "k") i64 (i64.const 5))
  (table (export "tab") 2 funcref)
  (elem (i32.const 1) $seven)
  (data (i32.const 16) "\2a\00\00\00"))
