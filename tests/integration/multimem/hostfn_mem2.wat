;; SPDX-License-Identifier: Apache-2.0
;; hostfn_mem2.wat: host functions that work on the second of two guest
;; memories (multi-memory). Both hold 5 bytes at 16: memory 0 "zero!",
;; memory 1 "wasmd".
;;   greet: env.greet(name_ptr, name_len, out_ptr, out_cap) -> written, its
;;          name and its output in memory 1; returns written * 65536 + the
;;          sum of the bytes written there, or -1 when memory 0 changed.
;;   peek:  env.peek(addr) lets the host read and write both memories by
;;          round trips; returns the sum of the 5 bytes at 512 of memory 1
;;          times 65536, plus those of memory 0.
(module
  (import "env" "greet" (func $greet (param i32 i32 i32 i32) (result i32)))
  (import "env" "peek" (func $peek (param i32) (result i32)))
  (memory $zero (export "zero") 1)
  (memory $one (export "one") 1)
  (data (memory $zero) (i32.const 16) "zero!")
  (data (memory $one) (i32.const 16) "wasmd")
  (func $sum0 (param $p i32) (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (i32.load8_u $zero (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $acc))
  (func $sum1 (param $p i32) (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (i32.load8_u $one (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $acc))
  (func (export "greet") (result i32)
    (local $n i32)
    (local.set $n (call $greet (i32.const 16) (i32.const 5) (i32.const 256) (i32.const 64)))
    (select
      (i32.add (i32.mul (local.get $n) (i32.const 65536))
        (call $sum1 (i32.const 256) (local.get $n)))
      (i32.const -1)
      (i32.eqz (call $sum0 (i32.const 256) (i32.const 64)))))
  (func (export "peek") (result i32)
    (drop (call $peek (i32.const 16)))
    (i32.add (i32.mul (call $sum1 (i32.const 512) (i32.const 5)) (i32.const 65536))
      (call $sum0 (i32.const 512) (i32.const 5)))))
