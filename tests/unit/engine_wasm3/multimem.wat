;; SPDX-License-Identifier: Apache-2.0
;; multimem.wat: the fixture of engine_wasm3_test's multi-memory test: a
;; memory imported from the host (memory 0, 2 pages) and one of its own
;; (memory 1, 1 page, at most 2), each instruction naming which it uses,
;; with a host call between two accesses.
(module
  (import "env" "mem" (memory $host 2))
  (import "env" "touch" (func $touch))
  (memory $small (export "small") 1 2)
  ;; memory 1 at p + 4 (an i32.add address), plus memory 0 at p
  (func (export "sum") (param $p i32) (result i32)
    (i32.add
      (i32.load $small (i32.add (local.get $p) (i32.const 4)))
      (i32.load $host (local.get $p))))
  ;; memory 1 at p + 8 := v; the host's touch; memory 0 at p += 1
  (func (export "put") (param $p i32) (param $v i32)
    (i32.store $small offset=8 (local.get $p) (local.get $v))
    (call $touch)
    (i32.store $host (local.get $p)
      (i32.add (i32.load $host (local.get $p)) (i32.const 1))))
  ;; grows memory 1 by n; 100 * its size + memory 0's size
  (func (export "grow") (param $n i32) (result i32)
    (drop (memory.grow $small (local.get $n)))
    (i32.add (i32.mul (memory.size $small) (i32.const 100))
      (memory.size $host)))
  ;; memory 0 [d, d + n) := memory 1 [s, s + n)
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32)
    (memory.copy $host $small (local.get $d) (local.get $s) (local.get $n)))
  ;; lane 1 of the v128 at p in memory 1
  (func (export "lane") (param $p i32) (result i32)
    (i32x4.extract_lane 1 (v128.load $small (local.get $p)))))
