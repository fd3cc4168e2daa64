;; counter.wat: state that lives in an instance. incr() adds the host's
;; env.step() to a global and 1 to the i32 at address 0, and returns
;; global * 1000 + that i32 (1001, 2002, 3003... in a live instance with
;; step() = 1; always 1001 in fresh ones).
(module
  (import "env" "step" (func $step (result i32)))
  (global $c (mut i32) (i32.const 0))
  (memory (export "memory") 1)
  (func (export "incr") (result i32)
    (global.set $c (i32.add (global.get $c) (call $step)))
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    (i32.add (i32.mul (global.get $c) (i32.const 1000)) (i32.load (i32.const 0)))))
