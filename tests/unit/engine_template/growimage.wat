;; SPDX-License-Identifier: Apache-2.0
;; growimage.wat: an image in a memory without a declared maximum.
(module
  (memory (export "mem") 1)
  (data (i32.const 0) "img")
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0))))
