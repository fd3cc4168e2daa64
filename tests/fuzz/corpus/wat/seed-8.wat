;; hostfn_loop.wat: calls the host's env.tick(i) for i = 0..n-1 and
;; returns the sum of its answers.
(module
  (import "env" "tick" (func $tick (param i32) (result i32)))
  (func (export "loop") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $tick (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $acc)))
