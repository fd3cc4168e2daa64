;; SPDX-License-Identifier: Apache-2.0
;; Legacy exception handling (try / catch / catch_all / rethrow /
;; delegate, the form clang emits by default) across a host call.
;; env.ask doubles its argument or suspends.
(module
  (import "env" "ask" (func $ask (param i32) (result i32)))
  (tag $e (param i32))
  (tag $other)

  ;; ask(x), thrown and caught: ask's answer.
  (func (export "catch_after_host") (param $x i32) (result i32)
    (try (result i32)
      (do (throw $e (call $ask (local.get $x))))
      (catch $other (i32.const -1))
      (catch $e)))

  ;; catch_all rethrows; the outer try catches it: x + 1.
  (func (export "rethrow") (param $x i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $e (local.get $x)))
          (catch_all (rethrow 0))))
      (catch $e (i32.add (i32.const 1)))))

  ;; The innermost try delegates past the middle one's catch to the
  ;; outer one's: ask(x) + 1000 (the middle one would add 100).
  (func (export "delegate") (param $x i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do
            (try (result i32)
              (do (throw $e (call $ask (local.get $x))))
              (delegate 1)))
          (catch $e (i32.add (i32.const 100)))))
      (catch $e (i32.add (i32.const 1000)))))

  ;; A try delegating to the function's label hands the exception to the
  ;; caller: here, uncaught.
  (func (export "delegate_out") (param $x i32) (result i32)
    (try (result i32)
      (do (throw $e (local.get $x)))
      (delegate 0)))

  ;; Called from a try: its exception is caught in the caller. The try
  ;; takes a parameter (5), which its body adds to x: (x + 5) * 2.
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func (export "catch_from_callee") (param $x i32) (result i32)
    (i32.const 5)
    (try (param i32) (result i32)
      (do (call $thrower (i32.add (local.get $x))) (i32.const 0))
      (catch $e (i32.mul (i32.const 2)))))
)
