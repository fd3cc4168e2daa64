# SPDX-License-Identifier: Apache-2.0
# systemd_watchdog: a daemon that stops answering (SIGSTOP) misses its
# watchdog pings; systemd kills it and Restart=on-failure starts a new one
# that serves. WatchdogSec=2s in a drop-in keeps this short.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sd_require_box
fresh_wasmd $'[Service]\nWatchdogSec=2s\nTimeoutAbortSec=5s\nLimitCORE=0'
push_as alice add.wasm add
pid=$(prop MainPID)
[ "$(prop WatchdogUSec)" = 2s ] || fail "the drop-in did not apply: WatchdogUSec=$(prop WatchdogUSec)"
box bash -c "kill -STOP $pid"
restarted() {
	[ "$(prop NRestarts)" -ge 1 ] && [ "$(prop ActiveState)" = active ] &&
		[ "$(prop MainPID)" != "$pid" ] && [ "$(prop MainPID)" != 0 ]
}
until_true 30 restarted
wait_journal "Watchdog timeout"
run ctl_as alice run --invoke add add 2 40
expect_status 0
[ "$OUT" = 42 ] || fail "after the restart add 2 40 gave '$OUT'"
