# SPDX-License-Identifier: Apache-2.0
# deploy_socket_group: a user the socket's mode keeps out is told which
# group to join, not asked whether the daemon runs. wasmd.socket makes the
# socket 0660 root:wasmd; here it is 0660 with the group "daemon", a user
# outside it is refused with a hint naming "daemon", and the same user
# with that group connects. Needs root to act as other users.
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to connect as another user"
command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
getent group daemon >/dev/null || skip "no group 'daemon' here"
start_daemon --socket-mode 0660
chgrp daemon "$SOCK"

as_nobody() {
	setpriv --reuid nobody --regid nogroup "$@"
}
run as_nobody --clear-groups "$WASMD_BIN/wasmctl" ls
[ "$STATUS" -ne 0 ] || fail "a user outside the socket's group connected"
expect_err_match "Permission denied"
expect_err_match "group 'daemon'"
expect_err_match "usermod -aG daemon"
grep -q "is the daemon running" <<<"$ERR" && fail "EACCES still asks whether the daemon runs: $ERR"

run as_nobody --groups daemon "$WASMD_BIN/wasmctl" ls
expect_status 0

# A missing socket still asks whether the daemon runs.
run "$WASMD_BIN/wasmctl" -H "unix://$TMP/nosuch.sock" ls
[ "$STATUS" -ne 0 ] || fail "connected to a missing socket"
expect_err_match "is the daemon running"
stop_daemon
