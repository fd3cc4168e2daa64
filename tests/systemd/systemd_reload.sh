# SPDX-License-Identifier: Apache-2.0
# systemd_reload: `systemctl reload wasmd` returns once the new file is
# applied: the very next call (no sleep) gets the new max-fuel; the daemon
# keeps its pid and stays active.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sd_require_box
fresh_wasmd
push_as alice busy.wasm busy
run ctl_as alice run -W fuel=5000 --invoke count busy 10
expect_status 0
pid=$(prop MainPID)

write_conf $'[limits]\nmax-fuel = 1000'
run box systemctl reload wasmd.service
expect_status 0
run ctl_as alice run -W fuel=5000 --invoke count busy 10
expect_status 1
expect_err_match "max-fuel"
run ctl_as alice run -W fuel=500 --invoke count busy 10
expect_status 0
[ "$(prop MainPID)" = "$pid" ] || fail "the reload restarted wasmd"
[ "$(prop ActiveState)" = active ] || fail "after the reload: $(prop ActiveState)"
wait_journal "^wasmd: event=reload outcome=ok "
wait_journal "^Reloaded wasmd.service"
