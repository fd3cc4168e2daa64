;; SPDX-License-Identifier: Apache-2.0
;; A seed for the instantiate fuzzer: unbounded recursion and a float mix.
(module
  (func $r (export "recurse") (param i32) (result i32)
    (call $r (i32.add (local.get 0) (i32.const 1))))
  (func (export "floats") (param f64) (result i64)
    (i64.trunc_sat_f64_s (f64.mul (f64.sqrt (local.get 0)) (f64.const 1e300))))
  (func (export "select") (param i32) (result i32)
    (select (i32.const 1) (i32.const 2) (local.get 0))))
