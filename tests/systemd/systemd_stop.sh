# SPDX-License-Identifier: Apache-2.0
# systemd_stop: `systemctl stop wasmd` during a long call drains: a new
# call gets ERR_UNAVAILABLE, the call in flight returns its result, and the
# service ends cleanly (exit 0, result success).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sd_require_box
fresh_wasmd
require_killmode_mixed
start_long_call 4000

box systemctl stop --no-block wasmd.service
until_true 10 state_is deactivating
run ctl_as alice run --invoke add add 1 2
expect_status 1
expect_err_match "shutting down"

expect_long_result
until_true 30 state_is inactive
[ "$(prop Result)" = success ] || fail "the stop ended with Result=$(prop Result)"
[ "$(prop ExecMainStatus)" = 0 ] || fail "wasmd exited with $(prop ExecMainStatus)"
wait_journal "^wasmd: event=drain outcome=done "
! grep -q "event=worker_died" <<<"$(journal)" || fail "workers died during the stop: $(journal | grep worker_died)"
exit 0
