# SPDX-License-Identifier: Apache-2.0
# daemon_hostfn_instance_limits: live instances under limits: each counts
# against --max-concurrent (a fourth one is refused), an instance runs one
# call at a time (a second waits behind it while another instance still
# answers), and a call past its deadline kills the instance's worker, so
# the instance is gone (ERR_NOT_FOUND), with the call that waited behind
# it, and its worker too. A connection that closes with calls running
# and waiting on its instance leaves nothing behind.
. "$IT_LIB"
[ -x "$IT_BIN/wasmd-it-hostclient" ] || fail "missing $IT_BIN/wasmd-it-hostclient: build it first"
start_daemon --pool 1 --max-concurrent 3
run ctl push "$IT_FIXTURES/spin.wasm" --name spin
expect_status 0
run "$IT_BIN/wasmd-it-hostclient" edges spin
expect_status 0
grep -q "^fourth instance: .*3 live instances" <<<"$OUT" || fail "$OUT"
grep -q "^behind: no such module" <<<"$OUT" || fail "$OUT"
grep -q "^after the deadline: no live instance 1" <<<"$OUT" || fail "$OUT"
grep -q "^edges ok$" <<<"$OUT" || fail "$OUT"
expect_log_match "event=instance_end .*instance=1 .*reason=\"deadline\""
wait_workers 1
# A connection that closes with a call running and one waiting on its
# instance: both end, the worker is killed, the daemon goes on.
run "$IT_BIN/wasmd-it-hostclient" abandon spin
expect_status 0
wait_workers 1
expect_log_match "event=instance_end .*reason=\"the connection closed\""
run ctl run --invoke one spin
expect_status 0
expect_out 1
stop_daemon
