;; SPDX-License-Identifier: Apache-2.0
;; table.wat: a module whose initializer builds a 4 MiB lookup table (a
;; 16-round hash of each of 0..2^20-1, standing for a runtime's boot), for
;; bench/snapshot/run-snapshot. boot_and_get is what a plain run must do;
;; get is what a run from a snapshot does.
(module
  (memory 65)
  (func $mix (param $x i32) (result i32) (local $r i32)
    (loop $l
      (local.set $x (i32.mul (i32.xor (local.get $x)
        (i32.shr_u (local.get $x) (i32.const 15))) (i32.const 0x2c1b3c6d)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $r) (i32.const 16))))
    (local.get $x))
  (global $ready (mut i32) (i32.const 0))
  (func $init (export "wizer.initialize") (local $i i32)
    (loop $l
      (i32.store offset=65536 (i32.shl (local.get $i) (i32.const 2))
        (call $mix (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1048576))))
    (global.set $ready (i32.const 1)))
  (func $get (export "get") (param $k i32) (result i32)
    (if (i32.eqz (global.get $ready)) (then unreachable))
    (i32.load offset=65536 (i32.shl (i32.and (local.get $k) (i32.const 1048575))
      (i32.const 2))))
  (func (export "boot_and_get") (param $k i32) (result i32)
    (call $init)
    (call $get (local.get $k))))
