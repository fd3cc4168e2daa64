# SPDX-License-Identifier: Apache-2.0
# deploy_drain: SIGTERM during a long call starts a drain: STOPPING=1, the
# call runs to its end and its client gets the result, a new invocation is
# refused with ERR_UNAVAILABLE, then wasmd exits 0. A call that outlives
# --drain-grace is cut off: its client gets ERR_UNAVAILABLE "drain grace
# expired" (not a closed connection), the log says so, and wasmd still
# exits 0.
. "$IT_LIB"
. "$(dirname "${BASH_SOURCE[0]}")/notify.sh"
start_with_long_calls
n=6000 # ms of wall-clock time (wait.wasm)
start_long_call "$n"
kill -TERM "$DAEMON_PID"
wait_notify "^STOPPING=1$" 5
expect_log_match "event=drain signal=Terminated in_flight=1"

# Nothing new starts while draining.
run ctl run --invoke add add 1 2
expect_status 1
expect_err_match "shutting down"
expect_log_match "event=refused .*outcome=ERR_UNAVAILABLE"

# The call in flight finishes with its result, then the daemon exits 0.
expect_long_result "$n"
st=0
wait "$DAEMON_PID" || st=$?
DAEMON_PID=
[ "$st" -eq 0 ] || fail "wasmd exited with status $st after draining"
expect_log_match "event=drain outcome=done"
[ ! -e "$SOCK" ] || fail "wasmd left its socket behind"

# A call longer than the grace is cut off; the exit is still 0.
start_daemon --pool 1 --max-timeout 60s --default-timeout 60s --drain-grace 300ms
start_long_call 3000
start=$(date +%s%N)
kill -TERM "$DAEMON_PID"
st=0
wait "$DAEMON_PID" || st=$?
elapsed=$((($(date +%s%N) - start) / 1000000))
DAEMON_PID=
[ "$st" -eq 0 ] || fail "wasmd exited with status $st after the grace"
[ "$elapsed" -lt 2000 ] || fail "the drain took ${elapsed} ms with a 300 ms grace"
expect_log_match "event=drain_grace_expired in_flight=1"
expect_log_match 'event=invoke .*outcome=ERR_UNAVAILABLE detail="drain grace expired'
st=0
wait "$LONG" || st=$?
[ "$st" -ne 0 ] || fail "the call cut off by the grace succeeded"
grep -q "drain grace expired" "$TMP/long.err" ||
	fail "the client was not told the grace expired: $(cat "$TMP/long.err")"
if grep -q "outcome=abandoned" "$LOG"; then
	fail "a call cut off by the grace was logged as abandoned by its client"
fi
