;; SPDX-License-Identifier: Apache-2.0
;; host-call.wat: the module bench-host-call measures.
;;   plain()       -> i32   no host call: the plain invoke round trip
;;   calls(n)      -> i32   n calls of env.h(i) -> i32
;;   str_calls(n)  -> i32   n calls of env.s(ptr, len), 64 bytes sent along
;;   read_calls(n) -> i32   n calls of env.r(ptr); the host reads 64 bytes
(module
  (import "env" "h" (func $h (param i32) (result i32)))
  (import "env" "s" (func $s (param i32 i32) (result i32)))
  (import "env" "r" (func $r (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
  (func (export "plain") (result i32) (i32.const 42))
  (func (export "calls") (param $n i32) (result i32)
    (local $acc i32)
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $h (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $acc))
  (func (export "str_calls") (param $n i32) (result i32)
    (local $acc i32)
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $s (i32.const 64) (i32.const 64))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $acc))
  (func (export "read_calls") (param $n i32) (result i32)
    (local $acc i32)
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $r (i32.const 64))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $acc)))
