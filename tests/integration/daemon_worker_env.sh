# SPDX-License-Identifier: Apache-2.0
# daemon_worker_env: what the service manager hands wasmd alone stays with
# wasmd. Started with NOTIFY_SOCKET, WATCHDOG_PID, WATCHDOG_USEC and
# LISTEN_FDNAMES set (as systemd does), its workers' environments hold none
# of them, while an ordinary variable is passed on; so with a zygote.
. "$IT_LIB"
[ -r /proc/self/environ ] || skip "no /proc/PID/environ"

check_env() {
	local pid env
	pid=$(a_worker)
	env=$(tr '\0' '\n' <"/proc/$pid/environ") || fail "cannot read the worker's environment"
	grep -q '^WASMD_IT_PLAIN=kept$' <<<"$env" || fail "an ordinary variable was not passed on"
	for v in NOTIFY_SOCKET WATCHDOG_PID WATCHDOG_USEC LISTEN_FDNAMES; do
		grep -q "^$v=" <<<"$env" && fail "the worker inherited $v"
	done
	return 0
}

export WASMD_IT_PLAIN=kept NOTIFY_SOCKET="$TMP/no-notify" WATCHDOG_USEC=30000000 \
	LISTEN_FDNAMES=x
# WATCHDOG_PID names a process that is not wasmd, so wasmd ignores it too.
export WATCHDOG_PID=1
start_daemon --pool 1
check_env
stop_daemon
start_daemon --pool 1 --worker-spawn zygote
check_env
stop_daemon
