# SPDX-License-Identifier: Apache-2.0
# systemd_ready: Type=notify: `systemctl start` returns once wasmd has said
# READY=1, its STATUS= line is the service's status text and follows what
# it serves, and the watchdog is armed at half of WatchdogSec=.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sd_require_box
fresh_wasmd
box systemctl start wasmd.service
[ "$(prop ActiveState)/$(prop SubState)" = active/running ] ||
	fail "after start: $(prop ActiveState)/$(prop SubState)"
status=$(prop StatusText)
grep -Eq '^serving: [0-9]+ busy, [0-9]+ idle workers; 0 jobs in flight; 0 modules of 0 tenants; 0 connections$' <<<"$status" ||
	fail "status text: $status"
wait_journal "^wasmd: event=ready activated=yes$"
[ "$(prop WatchdogUSec)" = 30s ] || fail "WatchdogUSec=$(prop WatchdogUSec)"
wait_journal "^wasmd: event=watchdog interval_us=15000000$"

push_as alice add.wasm add
# STATUS= is refreshed every 2 s when it changed.
one_module() { grep -q '; 1 modules of 1 tenants;' <<<"$(prop StatusText)"; }
until_true 15 one_module
