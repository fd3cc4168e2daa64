# SPDX-License-Identifier: Apache-2.0
# deploy_activation: wasmd under systemd-socket-activate serves the socket
# it is passed (LISTEN_FDS), tells its NOTIFY_SOCKET READY=1 with a STATUS=
# line and pings the watchdog at half of WATCHDOG_USEC; on SIGTERM it says
# STOPPING=1, exits 0 and leaves the passed socket's file alone.
. "$IT_LIB"
. "$(dirname "${BASH_SOURCE[0]}")/notify.sh"
command -v systemd-socket-activate >/dev/null || skip "no systemd-socket-activate (Debian package systemd)"
start_notify
ACT="$TMP/activated.sock"
# -E passes only what is named: the daemon gets no -H, so the socket can
# only be the passed one.
systemd-socket-activate -l "$ACT" -E NOTIFY_SOCKET -E WATCHDOG_USEC=400000 \
	"$WASMD_BIN/wasmd" --state-dir "$STATE" 2>>"$LOG" &
DAEMON_PID=$!
for _ in $(seq 100); do [ -S "$ACT" ] && break; sleep 0.05; done
[ -S "$ACT" ] || fail "systemd-socket-activate did not listen on $ACT"

# The first connection starts wasmd; it answers on the same connection.
run ctl -H "unix://$ACT" push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
run ctl -H "unix://$ACT" run --invoke add add 20 22
expect_status 0
expect_out 42
expect_log_match "event=listen socket=activated"
wait_notify "^READY=1 STATUS=serving: "
# STATUS= follows what happens (refreshed every 2 s when it changed).
wait_notify "^STATUS=serving: [0-9]+ busy, [0-9]+ idle workers; 0 jobs in flight; 1 modules of 1 tenants; [0-9]+ connections$" 6
wait_notify "^WATCHDOG=1$"
[ "$(grep -c '^WATCHDOG=1$' "$NOTIFY_LOG")" -ge 2 ] || sleep 0.5
[ "$(grep -c '^WATCHDOG=1$' "$NOTIFY_LOG")" -ge 2 ] || fail "the watchdog is not pinged periodically: $(cat "$NOTIFY_LOG")"

kill -TERM "$DAEMON_PID"
st=0
wait "$DAEMON_PID" || st=$?
DAEMON_PID=
[ "$st" -eq 0 ] || fail "wasmd exited with status $st after SIGTERM"
wait_notify "^STOPPING=1$"
[ -S "$ACT" ] || fail "wasmd removed the socket file it was passed"
