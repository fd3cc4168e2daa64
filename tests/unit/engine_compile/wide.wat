;; SPDX-License-Identifier: Apache-2.0
;; wide.wat: v128 values moved through every path that is not an
;; instruction on v128: locals and parameters mixed
;; with scalars, calls, multiple results, select, blocks, branches,
;; loops, globals and constant expressions. Loaded by
;; engine_compile_test.c, which reads the results from the exported
;; globals and calls $pick with v128 arguments.
(module
  (global $k (export "k") v128 (v128.const i32x4 1 2 3 4))
  (global $g (export "g") (mut v128) (v128.const i32x4 5 6 7 8))
  (global $out (export "out") (mut v128) (v128.const i64x2 0 0))
  (global $out2 (export "out2") (mut v128) (v128.const i64x2 0 0))
  (global $out3 (export "out3") (mut v128) (v128.const i64x2 0 0))
  (global $out4 (export "out4") (mut v128) (v128.const i64x2 0 0))
  (table 1 funcref)
  (elem (i32.const 0) $pick)
  (type $pick_t (func (param i32 v128 i64 v128) (result v128 i32 v128)))

  ;; Slots: a 0, x 1-2, b 3, y 4-5; t 6-7, u 8. Returns (y, a, x).
  (func $pick (type $pick_t) (param $a i32) (param $x v128) (param $b i64)
    (param $y v128) (result v128 i32 v128)
    (local $t v128) (local $u i32)
    local.get $y
    local.set $t
    local.get $t
    local.get $a
    local.get $x)

  ;; One v128 result from the function's end and from `return`.
  (func $first (param $c i32) (param $p v128) (param $q v128) (result v128)
    local.get $c
    if
      local.get $p
      return
    end
    local.get $q)

;; A loop whose parameter is a v128, left by br_table to the
  ;; function's label when $n reaches 0.
  (func $spin (param $p v128) (param $n i32) (result v128)
    local.get $p
    loop $l (param v128) (result v128)
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_table 1 $l
    end)

  (func (export "run") (param $sel i32) (result i32)
    (local $v v128) (local $w v128) (local $n i32)
    ;; Calls: direct, with scalars between wide arguments.
    i32.const 10
    global.get $k
    i64.const 20
    global.get $g
    call $pick
    local.set $v
    local.set $n
    local.set $w
    ;; select, typed and untyped.
    local.get $v
    local.get $w
    local.get $sel
    select (result v128)
    global.set $out
    ;; A block with a v128 result and a branch carrying it.
    block (result v128 i32)
      local.get $w
      local.get $n
      local.get $sel
      br_if 0
      drop
      drop
      local.get $v
      i32.const 99
    end
    local.set $n
    global.set $out2
    ;; local.set while a read of the same local is still on the stack.
    local.get $v
    global.get $g
    local.set $v
    local.get $w
    local.get $sel
    select
    global.set $out3
    ;; call_indirect, a single wide result, a loop with a wide param.
    local.get $sel
    i32.const 3
    local.get $v
    i64.const 4
    global.get $k
    i32.const 0
    call_indirect (type $pick_t)
    local.set $w
    drop
    local.get $w
    call $first
    i32.const 3
    call $spin
    global.set $out4
    local.get $n)
)
