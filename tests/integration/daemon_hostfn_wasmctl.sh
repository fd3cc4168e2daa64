# SPDX-License-Identifier: Apache-2.0
# daemon_hostfn_wasmctl: `wasmctl run` serves its built-in host functions
# (wasmd.print_str from guest memory, print_i32/i64/f32/f64, now_ms) to a
# module that imports them, and lists them in run --help.
. "$IT_LIB"
start_daemon --pool 1
run ctl run --help
expect_status 0
grep -q "print_str(ptr i32, len i32)" <<<"$OUT" || fail "run --help does not list print_str"
run ctl run --invoke main "$IT_FIXTURES/hostfn_shell.wasm"
expect_status 0
want="hello from the guest
-5
9007199254740993
0.1
-2.5"
[ "$(echo "$OUT" | head -5)" = "$want" ] || fail "unexpected output: $OUT (stderr: $ERR)"
now=$(echo "$OUT" | sed -n 6p)
[ "$now" -gt $(( $(date +%s) * 1000 - 600000 )) ] || fail "now_ms returned $now"
stop_daemon
