# SPDX-License-Identifier: Apache-2.0
# deploy_state_dir: the module store is never put relative to wherever
# wasmd happened to start. Without STATE_DIRECTORY, with HOME and
# XDG_STATE_HOME unset or relative, and a uid the password database does
# not know, wasmd refuses to start and says to give --state-dir, creating
# nothing in its current directory; an absolute HOME gives
# HOME/.local/state/wasmd. Needs root to run as an unknown uid.
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to start wasmd as a uid without a home"
command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
UID_X=54321
while getent passwd "$UID_X" >/dev/null; do UID_X=$((UID_X + 1)); done
CWD="$TMP/cwd"
mkdir -p "$CWD" "$TMP/home"
chown "$UID_X" "$CWD" "$TMP/home"
chmod 755 "$TMP"

# as_unknown ENV...: wasmd as UID_X in CWD with only ENV (and PATH).
as_unknown() {
	(cd "$CWD" && exec env -i PATH=/usr/bin:/bin "$@" \
		setpriv --reuid="$UID_X" --regid="$UID_X" --clear-groups \
		"$WASMD_BIN/wasmd" -H "unix://$CWD/wasmd.sock")
}

run as_unknown
expect_status 2
expect_err_match "no state directory: .*give --state-dir DIR"
run as_unknown HOME=rel XDG_STATE_HOME=also-rel
expect_status 2
expect_err_match "no state directory"
[ -z "$(ls -A "$CWD")" ] || fail "wasmd created files in its current directory: $(ls -A "$CWD")"

# An absolute HOME: the store is made there.
(cd "$CWD" && exec env -i PATH=/usr/bin:/bin HOME="$TMP/home" \
	setpriv --reuid="$UID_X" --regid="$UID_X" --clear-groups \
	"$WASMD_BIN/wasmd" -H "unix://$CWD/wasmd.sock") 2>>"$LOG" &
DAEMON_PID=$! # wasmd itself: the subshell execs it
for _ in $(seq 200); do
	"$IT_BIN/wasmd-it-rawclient" "$CWD/wasmd.sock" list >/dev/null 2>&1 && break
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "wasmd exited at start with HOME set"
	sleep 0.05
done
[ -d "$TMP/home/.local/state/wasmd" ] || fail "no store under HOME/.local/state/wasmd"
SOCK="$CWD/wasmd.sock"
stop_daemon
exit 0
