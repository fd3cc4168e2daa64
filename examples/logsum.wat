;; SPDX-License-Identifier: Apache-2.0
;; logsum.wat: imports a host function, for examples/embed.c.
;; sum(n) logs 1..n through env.log_i64 and returns their sum.
(module
  (import "env" "log_i64" (func $log (param i64)))
  (func (export "sum") (param $n i64) (result i64)
    (local $i i64) (local $acc i64)
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (call $log (local.get $i))
        (local.set $acc (i64.add (local.get $acc) (local.get $i)))
        (br $next)))
    (local.get $acc)))
