;; SPDX-License-Identifier: Apache-2.0
;; grow.wat: a growable memory without a declared maximum.
(module
  (memory (export "mem") 1)
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size)))
