;; SPDX-License-Identifier: Apache-2.0
;; fused.wat: functions whose code the compiler fuses (engine/code.h: N_M,
;; N_S, N_MS, N_KA, X_INC2 and the back-edge forms), for
;; engine_fused_test.c (and the f32/f64 multiply-add). One page of memory: the last valid f64 address is
;; 65528.
(module
  (memory (export "mem") 1)

  ;; *p += x * *q  (f64.mul with a loaded operand; load, add, store to p)
  (func (export "madd") (param $p i32) (param $q i32) (param $x f64)
    (f64.store (local.get $p)
      (f64.add (f64.mul (local.get $x) (f64.load (local.get $q)))
               (f64.load (local.get $p)))))

  ;; f32 *p += x * q[1], q[1]'s address an i32.add that wraps (the _X
  ;; multiply-add): q = -4 reads address 0
  (func (export "madd_f32_next") (param $p i32) (param $q i32) (param $x f32)
    (f32.store (local.get $p)
      (f32.add (f32.mul (local.get $x)
                        (f32.load (i32.add (local.get $q) (i32.const 4))))
               (f32.load (local.get $p)))))

  ;; the product is also kept in a local (local.tee): the multiply must
  ;; still write it there, so it is not folded into the add
  (func (export "madd_keep") (param $p i32) (param $q i32) (param $x f64)
    (result f64) (local $t f64)
    (f64.store (local.get $p)
      (f64.add (local.tee $t (f64.mul (local.get $x) (f64.load (local.get $q))))
               (f64.load (local.get $p))))
    (local.get $t))

  ;; p[1] = x - p[1], in i64, at an offset (the order of a non-commutative
  ;; operation with its operand in memory)
  (func (export "isub") (param $p i32) (param $x i64)
    (i64.store offset=8 (local.get $p)
      (i64.sub (local.get $x) (i64.load offset=8 (local.get $p)))))

  ;; *p = a + b  (the add stores its result)
  (func (export "store_sum") (param $p i32) (param $a i32) (param $b i32)
    (i32.store offset=4 (local.get $p) (i32.add (local.get $a) (local.get $b))))

  ;; a ^ *p  (the xor loads its operand)
  (func (export "xor_load") (param $a i32) (param $p i32) (result i32)
    (i32.xor (local.get $a) (i32.load (local.get $p))))

  ;; x * p[1] with the address computed by an i32.add, which wraps:
  ;; p = -8 reads address 0
  (func (export "mul_next") (param $x f64) (param $p i32) (result f64)
    (f64.mul (local.get $x)
      (f64.load (i32.add (local.get $p) (i32.const 8)))))

  ;; f32: *p = a * b, then read back at a constant address
  (func (export "f32_mul_store") (param $p i32) (param $a f32) (param $b f32)
    (f32.store (local.get $p) (f32.mul (local.get $a) (local.get $b))))
  (func (export "f32_at_64") (result f32)
    (f32.load (i32.const 64)))

  ;; constant addresses: in bounds, at the end, past it (no wrap at 2^32)
  (func (export "put_k") (param $v i32)
    (i32.store offset=100 (i32.const 28) (local.get $v)))
  (func (export "get_k") (result i32)
    (i32.load (i32.const 128)))
  (func (export "get_last") (result i32)
    (i32.load (i32.const 65532)))
  (func (export "get_past") (result i32)
    (i32.load offset=4 (i32.const 65532)))
  (func (export "get_wrap") (result i32)
    (i32.load offset=0xffffffff (i32.const 0xffffffff)))
  (func (export "put_past") (param $v i32)
    (i32.store offset=65535 (i32.const 1) (local.get $v)))

  ;; two induction variables stepped together; returns i + 1000 * j
  (func (export "steps") (param $n i32) (result i32)
    (local $i i32) (local $j i32)
    (block $done
      (loop $top
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 3)))
        (local.set $j (i32.add (local.get $j) (i32.const -2)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $top)))
    (i32.add (local.get $i) (i32.mul (local.get $j) (i32.const 1000))))

  ;; two induction steps right before the counter's folded back edge
  ;; (X_INC2_STEP_*): against a slot, a constant and zero; each returns
  ;; i + 1000 * j
  (func (export "inc2_ne") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $c i32)
    (loop $top
      (local.set $i (i32.add (local.get $i) (i32.const 3)))
      (local.set $j (i32.add (local.get $j) (i32.const -2)))
      (br_if $top (i32.ne (local.tee $c (i32.add (local.get $c) (i32.const 1)))
                          (local.get $n))))
    (i32.add (local.get $i) (i32.mul (local.get $j) (i32.const 1000))))
  (func (export "inc2_ne_k") (result i32)
    (local $i i32) (local $j i32) (local $c i32)
    (loop $top
      (local.set $i (i32.add (local.get $i) (i32.const 3)))
      (local.set $j (i32.add (local.get $j) (i32.const -2)))
      (br_if $top (i32.ne (local.tee $c (i32.add (local.get $c) (i32.const 1)))
                          (i32.const 7))))
    (i32.add (local.get $i) (i32.mul (local.get $j) (i32.const 1000))))
  (func (export "inc2_nz") (param $n i32) (result i32)
    (local $i i32) (local $j i32)
    (loop $top
      (local.set $i (i32.add (local.get $i) (i32.const 3)))
      (local.set $j (i32.add (local.get $j) (i32.const -2)))
      (br_if $top (local.tee $n (i32.add (local.get $n) (i32.const -1)))))
    (i32.add (local.get $i) (i32.mul (local.get $j) (i32.const 1000))))
  ;; the same, with a branch to between the steps and the back edge (a
  ;; block's end): odd rounds skip the steps; returns i + 100 * j + 10000 * c
  (func (export "inc2_skip") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $c i32)
    (loop $top
      (block $b
        (br_if $b (i32.and (local.get $c) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $j (i32.add (local.get $j) (i32.const 1))))
      (br_if $top (i32.ne (local.tee $c (i32.add (local.get $c) (i32.const 1)))
                          (local.get $n))))
    (i32.add (i32.add (local.get $i) (i32.mul (local.get $j) (i32.const 100)))
      (i32.mul (local.get $c) (i32.const 10000))))

  ;; local moves in a row (paired into X_MOVE2): a three-way rotation,
  ;; where each move reads what the one before wrote; returns a*100+b*10+c
  (func (export "rotate") (param $a i32) (param $b i32) (param $c i32)
    (result i32)
    (local $t i32)
    (local.set $t (local.get $a))
    (local.set $a (local.get $b))
    (local.set $b (local.get $c))
    (local.set $c (local.get $t))
    (i32.add (i32.mul (local.get $a) (i32.const 100))
      (i32.add (i32.mul (local.get $b) (i32.const 10)) (local.get $c))))

  ;; loops whose counter step is folded into the back edge (X_STEP_*):
  ;; x != y with x first or second, x != constant, x != 0
  (func (export "step_ne") (param $n i32) (result i32)
    (local $i i32)
    (loop $top
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br_if $top (i32.ne (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "step_ne_swapped") (param $n i32) (result i32)
    (local $i i32)
    (loop $top
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br_if $top (i32.ne (local.get $n) (local.get $i))))
    (local.get $i))
  (func (export "step_ne_k") (result i32)
    (local $i i32)
    (loop $top
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $top (i32.ne (local.get $i) (i32.const 400))))
    (local.get $i))
  (func (export "step_nz") (param $n i32) (result i32)
    (local $sum i32)
    (loop $top
      (local.set $sum (i32.add (local.get $sum) (local.get $n)))
      (local.set $n (i32.add (local.get $n) (i32.const -1)))
      (br_if $top (local.get $n)))
    (local.get $sum))

  ;; a loop whose back edge is a fused compare-and-branch
  (func (export "count_to") (param $n i32) (result i32)
    (local $i i32)
    (loop $top
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $top (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
;; SIMD (engine/simdhot.def): v128 forms of the above.
  ;; q[0..4] += x * p[0..4] in f32 lanes (F32X4_MULADD)
  (func (export "vmadd") (param $q i32) (param $p i32) (param $x f32)
    (v128.store (local.get $q)
      (f32x4.add
        (f32x4.mul (f32x4.splat (local.get $x)) (v128.load (local.get $p)))
        (v128.load (local.get $q)))))
  ;; the same from p + 16, an address that may wrap (F32X4_MULADD_X)
  (func (export "vmadd_next") (param $q i32) (param $p i32) (param $x f32)
    (v128.store (local.get $q)
      (f32x4.add
        (f32x4.mul (f32x4.splat (local.get $x))
          (v128.load (i32.add (local.get $p) (i32.const 16))))
        (v128.load (local.get $q)))))
  ;; d[16..32] := a[0..16] - b[0..16] in i16 lanes, through v128 locals
  ;; (the loads write the locals; I16X8_SUB_S)
  (func (export "vsub_store") (param $d i32) (param $a i32) (param $b i32)
    (local $x v128) (local $y v128)
    (local.set $x (v128.load (local.get $a)))
    (local.set $y (v128.load (local.get $b)))
    (v128.store offset=16 (local.get $d)
      (i16x8.sub (local.get $x) (local.get $y))))
  ;; p[0..16] += k in byte lanes (I8X16_ADD_M, then _MS)
  (func (export "vadd_update") (param $p i32) (param $k i32)
    (v128.store (local.get $p)
      (i8x16.add (i8x16.splat (local.get $k)) (v128.load (local.get $p)))))
  ;; d[i..i+16] := s[i..i+16] ^ s[i+16..i+32], indexed addresses
  ;; (V128_LOAD_X, V128_LOAD_XK, V128_STORE_X)
  (func (export "vxor_x") (param $d i32) (param $s i32) (param $i i32)
    (local $x v128)
    (local.set $x
      (v128.xor (v128.load (i32.add (local.get $s) (local.get $i)))
        (v128.load (i32.add (i32.add (local.get $s) (local.get $i))
          (i32.const 16)))))
    (v128.store (i32.add (local.get $d) (local.get $i)) (local.get $x)))
)
