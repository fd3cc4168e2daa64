;; SPDX-License-Identifier: Apache-2.0
;; tail.wat: the fixture of engine_wasm3_test's tail-call tests: deep tail
;; recursion (direct, mutual, through a table), endless tail recursion for
;; fuel and interrupts, and a tail call to a host function that may suspend.
(module
  (import "env" "ask" (func $ask (param i32) (result i32)))
  (import "env" "poke" (func $poke))
  (type $i64_to_i64 (func (param i64 i64) (result i64)))
  (table 2 funcref)
  (elem (i32.const 0) $even_t $odd_t)

  ;; count down n, adding k each step: returns n * k (mod 2^64).
  (func $count (export "count") (param $n i64) (param $acc i64) (result i64)
    (local $k i64)
    (local.set $k (i64.const 3))
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else
        (return_call $count (i64.sub (local.get $n) (i64.const 1))
          (i64.add (local.get $acc) (local.get $k))))))

  ;; Mutual recursion: 1 if n is even, else 0.
  (func $even (export "even") (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get $n) (i64.const 1))))))
  (func $odd (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get $n) (i64.const 1))))))

  ;; The same through the table: n, then the accumulated parity count.
  (func $even_t (type $i64_to_i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call_indirect (type $i64_to_i64)
        (i64.sub (local.get 0) (i64.const 1)) (local.get 1)
        (i32.const 1)))))
  (func $odd_t (type $i64_to_i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.add (local.get 1) (i64.const 1000)))
      (else (return_call_indirect (type $i64_to_i64)
        (i64.sub (local.get 0) (i64.const 1))
        (i64.add (local.get 1) (i64.const 1))
        (i32.const 0)))))
  (func (export "even_t") (param i64) (result i64)
    (return_call_indirect (type $i64_to_i64) (local.get 0) (i64.const 0)
      (i32.const 0)))

  ;; Endless: only fuel or an interrupt stops it.
  (func $forever (export "forever") (param i32)
    (return_call $forever (i32.add (local.get 0) (i32.const 1))))
  (func (export "poke_then_forever")
    (call $poke)
    (return_call $forever (i32.const 0)))

  ;; A tail call to a host function: its result is the function's.
  (func (export "tail_ask") (param i32) (result i32)
    (return_call $ask (i32.add (local.get 0) (i32.const 1))))

  ;; A plain call of a function that tail-calls: the caller's frame and
  ;; operands are intact afterwards.
  (func (export "around") (param i64) (result i64)
    (i64.add (i64.const 7)
      (call $count (local.get 0) (i64.const 0)))))
