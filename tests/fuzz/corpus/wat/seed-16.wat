;; SPDX-License-Identifier: Apache-2.0
;; SIMD text: v128.const shapes, i8x16.shuffle, lanes, load/store_lane.
(module
  (memory 1)
  (global $g v128 (v128.const f64x2 1.5 -nan:0x8))
  (func (export "f") (param $v v128) (result i32)
    (v128.store16_lane offset=2 align=1 7 (i32.const 0)
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 31
        (local.get $v) (v128.const i16x8 -1 2 -3 4 0x7fff 0 0 1)))
    (i32x4.extract_lane 3
      (i32x4.add (v128.load32_lane 1 (i32.const 0) (v128.const i32x4 0 0 0 0))
        (f32x4.convert_i32x4_s (v128.const f32x4 inf -inf nan 0x1p-3))))))
