;; SPDX-License-Identifier: Apache-2.0
;; load.wat: the fixture of the daemon load benchmark (bench/load/run-load).
;; add(a, b) is the trivial call (the cost of an invoke itself); fib(n) is a
;; compute-heavy one (fib(25): about 250,000 calls in the guest); spin(n)
;; counts to n, the spinning calls of bench/load/run-fairness.
(module
  (func $fib (export "fib") (param $n i64) (result i64)
    (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
      (then (local.get $n))
      (else
        (i64.add
          (call $fib (i64.sub (local.get $n) (i64.const 1)))
          (call $fib (i64.sub (local.get $n) (i64.const 2)))))))
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "spin") (param $n i64) (result i64)
    (local $i i64)
    (loop $again
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $again (i64.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))
