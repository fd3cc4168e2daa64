# SPDX-License-Identifier: Apache-2.0
# daemon_hostfn_deadline: the wall-clock deadline counts the time a guest
# waits for the client's host function: a client that does not answer
# within timeout_ms gets ERR_TIMEOUT (although the guest itself runs for
# microseconds), the worker is killed, and the connection stays usable.
. "$IT_LIB"
[ -x "$IT_BIN/wasmd-it-hostclient" ] || fail "missing $IT_BIN/wasmd-it-hostclient: build it first"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/hostcall.wasm" --name hc
expect_status 0
run "$IT_BIN/wasmd-it-hostclient" hang hc 300
expect_status 0
grep -q "exceeded its wall-clock limit of 300 ms" <<<"$OUT" || fail "no timeout: $OUT"
expect_log_match "event=worker_kill pid=[0-9]+ reason=\"deadline\""
expect_log_match "export=hostcall outcome=ERR_TIMEOUT"
stop_daemon
