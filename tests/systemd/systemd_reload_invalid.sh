# SPDX-License-Identifier: Apache-2.0
# systemd_reload_invalid: `systemctl reload wasmd` of an invalid file fails,
# names the file and line at err priority, and wasmd keeps running with
# the limit it had.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sd_require_box
fresh_wasmd
write_conf $'[limits]\nmax-fuel = 1000'
push_as alice busy.wasm busy
pid=$(prop MainPID)

write_conf $'[limits]\nmax-fuel = lots'
run box systemctl reload wasmd.service
[ "$STATUS" -ne 0 ] || fail "systemctl reload of an invalid file succeeded"
[ "$(prop ActiveState)" = active ] || fail "after the failed reload: $(prop ActiveState)"
[ "$(prop MainPID)" = "$pid" ] || fail "the failed reload restarted wasmd"
run ctl_as alice run -W fuel=5000 --invoke count busy 10
expect_status 1
expect_err_match "max-fuel"
run ctl_as alice run -W fuel=500 --invoke count busy 10
expect_status 0
wait_journal "wasmd: $CONF:2: invalid value \"lots\" for max-fuel$" -p err
