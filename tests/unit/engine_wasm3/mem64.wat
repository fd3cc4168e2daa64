;; SPDX-License-Identifier: Apache-2.0
;; mem64.wat: the fixture of engine_wasm3_test's memory64 test: a 64-bit
;; memory of one page, at most two, with data at 16.
(module
  (memory i64 1 2)
  (data (i64.const 16) "\2a")
  (func (export "load") (param $p i64) (result i32)
    (i32.load8_u (local.get $p)))
  (func (export "store") (param $p i64) (param $v i32)
    (i32.store8 (local.get $p) (local.get $v)))
  (func (export "grow") (param $n i64) (result i64)
    (memory.grow (local.get $n)))
  (func (export "size") (result i64) (memory.size))
  (func (export "fill") (param $d i64) (param $n i64)
    (memory.fill (local.get $d) (i32.const 7) (local.get $n))))
