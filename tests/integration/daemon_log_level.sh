# SPDX-License-Identifier: Apache-2.0
# daemon_log_level: --log-level filters the log. At the default (info) an
# invoke logs its connect, hello and invoke lines but not the per-job
# worker line (job_start) nor the topology, which are debug; at debug
# both appear; at warning not even the invoke; a bad level is refused at
# start with the option named; a reload (SIGHUP) applies a level set in
# the configuration file.
. "$IT_LIB"

invoke_add() {
	run ctl run --invoke add add 1 2
	expect_status 0
	expect_out "3"
}

# start_plain [FLAGS...]: start_daemon without its --log-level debug.
start_plain() {
	"$WASMD_BIN/wasmd" -H "unix://$SOCK" --state-dir "$STATE" "$@" 2>>"$LOG" &
	DAEMON_PID=$!
	for _ in $(seq 200); do
		"$IT_BIN/wasmd-it-rawclient" "$SOCK" list >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	fail "wasmd did not start listening on $SOCK"
}

start_plain
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
invoke_add
stop_daemon
expect_log_match 'level=info event=invoke .*outcome=ok'
! grep -q 'event=job_start\|event=topology\|level=debug' "$LOG" ||
	fail "debug lines at the default level: $(grep -m3 'level=debug' "$LOG")"

: >"$LOG"
start_daemon --log-level debug
invoke_add
stop_daemon
expect_log_match 'level=debug event=job_start '
expect_log_match 'level=debug event=topology '

: >"$LOG"
start_daemon --log-level warning
invoke_add
stop_daemon
! grep -q 'level=info\|level=notice\|level=debug' "$LOG" ||
	fail "lines below warning were written: $(grep -m3 -v 'level=warning\|level=err' "$LOG")"

run "$WASMD_BIN/wasmd" -H "unix://$SOCK" --state-dir "$STATE" --log-level chatty
expect_status 2
expect_err_match 'invalid value "chatty" for --log-level'

# Reloading a file that says debug turns the debug lines on.
: >"$LOG"
printf '[daemon]\nlog-level = warning\n' >"$TMP/wasmd.conf"
start_plain -c "$TMP/wasmd.conf"
invoke_add
! grep -q 'event=job_start' "$LOG" || fail "job_start logged at warning"
printf '[daemon]\nlog-level = debug\n' >"$TMP/wasmd.conf"
kill -HUP "$DAEMON_PID"
for _ in $(seq 100); do
	grep -q 'event=reload' "$LOG" && break
	sleep 0.05
done
invoke_add
stop_daemon
expect_log_match 'level=debug event=job_start '
exit 0
