;; hostfn_types.wat: one host import per value type, and one that takes
;; and returns all four; each export passes its arguments straight to the
;; host and returns what the host answered.
(module
  (import "env" "i32" (func $i32 (param i32) (result i32)))
  (import "env" "i64" (func $i64 (param i64) (result i64)))
  (import "env" "f32" (func $f32 (param f32) (result f32)))
  (import "env" "f64" (func $f64 (param f64) (result f64)))
  (import "env" "mix" (func $mix (param i32 i64 f32 f64) (result f64 f32 i64 i32)))
  (func (export "t_i32") (param i32) (result i32) (call $i32 (local.get 0)))
  (func (export "t_i64") (param i64) (result i64) (call $i64 (local.get 0)))
  (func (export "t_f32") (param f32) (result f32) (call $f32 (local.get 0)))
  (func (export "t_f64") (param f64) (result f64) (call $f64 (local.get 0)))
  (func (export "t_mix") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
    (call $mix (local.get 0) (local.get 1) (local.get 2) (local.get 3))))
