;; SPDX-License-Identifier: Apache-2.0
;; const.wat: the fixture of engine_wasm3_test's extended-constant tests:
;; globals and segment offsets computed by i32/i64 add, sub and mul of
;; constants and earlier immutable globals.
(module
  (import "env" "base" (global $base i32))
  (memory 1)
  (global $a i32 (i32.add (global.get $base) (i32.const 16)))
  (global $b i32 (i32.mul (global.get $a) (i32.const 2)))
  (global $wrap i32 (i32.mul (i32.const 0x10000) (i32.const 0x10000)))
  (global $big i64
    (i64.sub (i64.mul (i64.const 0x100000000) (i64.const 3)) (i64.const 1)))
  (data (i32.sub (global.get $b) (i32.const 4)) "\2a")
  (func (export "a") (result i32) (global.get $a))
  (func (export "b") (result i32) (global.get $b))
  (func (export "wrap") (result i32) (global.get $wrap))
  (func (export "big") (result i64) (global.get $big))
  (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0))))
