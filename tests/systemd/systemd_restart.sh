# SPDX-License-Identifier: Apache-2.0
# systemd_restart: `systemctl restart wasmd` during a long call lets it
# finish with its result, then a new daemon serves.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sd_require_box
fresh_wasmd
require_killmode_mixed
start_long_call 3000
pid=$(prop MainPID)

box systemctl restart --no-block wasmd.service
expect_long_result
new_daemon() {
	[ "$(prop ActiveState)" = active ] && [ "$(prop MainPID)" != "$pid" ] &&
		[ "$(prop MainPID)" != 0 ]
}
until_true 30 new_daemon
run ctl_as alice run --invoke add add 2 40
expect_status 0
[ "$OUT" = 42 ] || fail "after the restart add 2 40 gave '$OUT'"
