# SPDX-License-Identifier: Apache-2.0
# daemon_host_call: a guest's call to a host import the client serves goes
# worker -> supervisor -> client as host_call (with the invoke's id), and
# the client's host_reply comes back the same way; the guest gets the
# host's result.
. "$IT_LIB"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/hostcall.wasm" --name hc
expect_status 0
run "$IT_BIN/wasmd-it-rawclient" "$SOCK" hostcall hc
expect_status 0
grep -q "host_call env.h arg=5" <<<"$OUT" || fail "no host call relayed: $OUT"
grep -q "result=77" <<<"$OUT" || fail "the host's answer did not reach the guest: $OUT"
expect_log_match "export=hostcall outcome=ok"
stop_daemon
