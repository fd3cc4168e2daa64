# SPDX-License-Identifier: Apache-2.0
# systemd_activation: systemd owns /run/wasmd/wasmd.sock (0660 root:wasmd)
# and starts wasmd.service, as the wasmd user, at the first connection; a
# member of the wasmd group pushes and runs a module, a user outside it is
# refused; after the service stops, the socket still listens and the next
# connection starts it again.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sd_require_box
fresh_wasmd
mode=$(box stat -c '%a %U %G' "$SOCK")
[ "$mode" = "660 root wasmd" ] || fail "the socket is $mode, not 660 root wasmd"
[ "$(prop ActiveState)" = inactive ] || fail "wasmd.service runs before any connection"

run ctl_as alice ls
expect_status 0
[ "$(prop ActiveState)" = active ] || fail "a connection did not start wasmd.service"
pid=$(prop MainPID)
user=$(box sh -c "stat -c %U /proc/$pid")
[ "$user" = wasmd ] || fail "wasmd runs as $user, not wasmd"
push_as alice add.wasm add
run ctl_as alice run --invoke add add 2 40
expect_status 0
[ "$OUT" = 42 ] || fail "add 2 40 gave '$OUT'"

run ctl_as bob ls
expect_status 1
expect_err_match "permission denied"

box systemctl stop wasmd.service
[ "$(prop ActiveState)" = inactive ] || fail "wasmd.service did not stop"
[ "$(box systemctl is-active wasmd.socket)" = active ] || fail "wasmd.socket stopped with the service"
run ctl_as alice run --invoke add add 1 2
expect_status 0
[ "$OUT" = 3 ] || fail "after a stop, add 1 2 gave '$OUT'"
[ "$(prop MainPID)" != "$pid" ] || fail "the same daemon after a stop"
