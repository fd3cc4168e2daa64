;; SPDX-License-Identifier: Apache-2.0
;; load-host.wat: the host-call fixture of the daemon load benchmark
;; (bench/load/run-load). host10() calls the client's env.tick ten times
;; (each a round trip guest -> worker -> supervisor -> client and back) and
;; returns 10.
(module
  (import "env" "tick" (func $tick (param i32) (result i32)))
  (func (export "host10") (result i32)
    (local $acc i32)
    (loop $again
      (local.set $acc (call $tick (local.get $acc)))
      (br_if $again (i32.lt_u (local.get $acc) (i32.const 10))))
    (local.get $acc)))
