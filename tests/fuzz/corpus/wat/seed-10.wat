;; hostfn_shell.wat: uses every built-in host function of `wasmctl run`.
;; main() prints a string, an i32, an i64, an f32 and an f64, then
;; returns now_ms().
(module
  (import "wasmd" "print_str" (func $print_str (param i32 i32)))
  (import "wasmd" "print_i32" (func $print_i32 (param i32)))
  (import "wasmd" "print_i64" (func $print_i64 (param i64)))
  (import "wasmd" "print_f32" (func $print_f32 (param f32)))
  (import "wasmd" "print_f64" (func $print_f64 (param f64)))
  (import "wasmd" "now_ms" (func $now_ms (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 100) "hello from the guest\n")
  (func (export "main") (result i64)
    (call $print_str (i32.const 100) (i32.const 21))
    (call $print_i32 (i32.const -5))
    (call $print_i64 (i64.const 9007199254740993))
    (call $print_f32 (f32.const 0.1))
    (call $print_f64 (f64.const -2.5))
    (call $now_ms)))
