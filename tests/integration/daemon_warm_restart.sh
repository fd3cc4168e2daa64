# SPDX-License-Identifier: Apache-2.0
# daemon_warm_restart: warm workers end with their daemon, stopped or
# killed (parent-death signal), and a restarted daemon serves the same
# modules from new workers, sending them their bytes again.
. "$IT_LIB"

# gone_or_zombie PID: PID exited (reaped, or a zombie of a reparenting
# init that does not reap), within 5 s.
gone_or_zombie() {
	local state
	for _ in $(seq 100); do
		state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null || true)
		[ -z "$state" ] || [ "$state" = Z ] && return 0
		sleep 0.05
	done
	fail "worker $1 outlived its daemon"
}

start_daemon --pool 1
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
run ctl run --invoke add add 1 2
expect_out 3
w1=$(last_job_field worker)
stop_daemon
gone_or_zombie "$w1"

start_daemon --pool 1
run ctl run --invoke add add 2 2
expect_out 4
w2=$(last_job_field worker)
[ "$w2" != "$w1" ] || fail "a worker survived the restart"
[ "$(last_job_field module)" = sent ] || fail "the new worker was not sent the module"
run ctl run --invoke add add 3 2
expect_out 5
[ "$(last_job_field worker)" = "$w2" ] || fail "no warm worker after the restart"

# Killed outright, the daemon takes its warm worker with it.
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
gone_or_zombie "$w2"
start_daemon --pool 1
run ctl run --invoke add add 4 2
expect_out 6
stop_daemon
