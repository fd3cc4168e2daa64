# SPDX-License-Identifier: Apache-2.0
# daemon_hostfn_values: host functions served by the client through
# libwasmd-client: a round trip with each value type (i32, i64, f32, f64,
# and one call taking and returning all four, NaN payload bits kept); a
# guest that calls the host 1000 times in one invocation, in order; a
# failing callback that becomes a TRAP_HOST trap with its message.
. "$IT_LIB"
[ -x "$IT_BIN/wasmd-it-hostclient" ] || fail "missing $IT_BIN/wasmd-it-hostclient: build it first"
start_daemon --pool 1
for m in hostfn_types hostfn_loop hostcall; do
	run ctl push "$IT_FIXTURES/$m.wasm" --name "$m"
	expect_status 0
done
run "$IT_BIN/wasmd-it-hostclient" types hostfn_types
expect_status 0
expect_out "types ok"
run "$IT_BIN/wasmd-it-hostclient" loop hostfn_loop 1000
expect_status 0
expect_out "loop calls=1000"
run "$IT_BIN/wasmd-it-hostclient" fail hostcall
expect_status 0
grep -q "trap: the host refuses 42" <<<"$OUT" || fail "no host trap: $OUT"
expect_log_match "export=hostcall outcome=trap"
stop_daemon
