# SPDX-License-Identifier: Apache-2.0
# systemd_journal: every line reaches the journal at its priority: a bad
# config file's FILE:LINE at err (`journalctl -p err` shows it, not just
# "see above"), the ready line at notice, a push at info (and not above).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sd_require_box
fresh_wasmd
write_conf $'[limits]\nmax-fuel = lots'
run box systemctl start wasmd.service
[ "$STATUS" -ne 0 ] || fail "wasmd started with an invalid file"
wait_journal "^wasmd: $CONF:2: invalid value \"lots\" for max-fuel$" -p err

box systemctl reset-failed wasmd.service
write_conf $'[limits]\nmax-fuel = 1000'
box systemctl start wasmd.service
push_as alice add.wasm add
wait_journal "^wasmd: event=ready " -p notice
wait_journal "^wasmd: event=push .*outcome=stored " -p info
! grep -q "event=push" <<<"$(journal -p notice)" || fail "a push line above info"
! grep -q "event=ready" <<<"$(journal -p err)" || fail "the ready line at err"
exit 0
