;; SPDX-License-Identifier: Apache-2.0
;; consumer.wat: imports what provider.wat exports and uses each of them.
(module
  (import "p" "add" (func $add (param i32 i32) (result i32)))
  (import "p" "mem" (memory 1))
  (import "p" "g" (global $g (mut i32)))
  (import "p" "tab" (table 2 funcref))
  (type $ret_i32 (func (result i32)))
  ;; add(mem[16], g) = 42 + 40
  (func (export "sum") (result i32)
    (call $add (i32.load (i32.const 16)) (global.get $g)))
  (func (export "bump") (global.set $g (i32.add (global.get $g) (i32.const 1))))
  (func (export "via_table") (result i32)
    (call_indirect (type $ret_i32) (i32.const 1)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1))))
