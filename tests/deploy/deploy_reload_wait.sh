# SPDX-License-Identifier: Apache-2.0
# deploy_reload_wait: `wasmd --reload PID` (the unit's ExecReload=) returns
# once the daemon has applied the file: a limit it sets holds for the very
# next call, with no sleep between. An invalid file makes it exit 1 with the
# file:line and the daemon keeps its limit; the daemon's own outcome line
# (SOCKET.reload) says failed with the error; a reload while draining fails.
. "$IT_LIB"
. "$(dirname "${BASH_SOURCE[0]}")/notify.sh"
CONF="$TMP/wasmd.conf"
printf '[limits]\ndefault-timeout = 60s\nmax-timeout = 60s\n' >"$CONF"
start_daemon -c "$CONF" --pool 1
run ctl push "$DEPLOY_FIXTURES/busy.wasm" --name busy
expect_status 0
run ctl push "$DEPLOY_FIXTURES/wait.wasm" --name wait
expect_status 0
run ctl run -W fuel=5000 --invoke count busy 10
expect_status 0
n=3000 # ms of wall-clock time (wait.wasm)

# A valid file: applied by the time --reload returns.
printf '[limits]\ndefault-timeout = 60s\nmax-timeout = 60s\nmax-fuel = 1000\n' >"$CONF"
run "$WASMD_BIN/wasmd" --reload "$DAEMON_PID"
expect_status 0
run ctl run -W fuel=5000 --invoke count busy 10
expect_status 1
expect_err_match "max-fuel"
grep -Eq "^pid=$DAEMON_PID started_us=[0-9]+ outcome=ok$" "$SOCK.reload" ||
	fail "the outcome line says: $(cat "$SOCK.reload")"

# An invalid file: refused with its file:line; the old limit stays.
printf '[limits]\nmax-fuel = lots\n' >"$CONF"
run "$WASMD_BIN/wasmd" --reload "$DAEMON_PID"
expect_status 1
expect_err_match "wasmd.conf:2: invalid value \"lots\" for max-fuel"
run ctl run -W fuel=5000 --invoke count busy 10
expect_status 1
expect_err_match "max-fuel"

# The daemon's own record of a failed reload (SIGHUP from elsewhere).
kill -HUP "$DAEMON_PID"
for _ in $(seq 100); do grep -q "outcome=failed" "$SOCK.reload" && break; sleep 0.05; done
grep -Eq "^pid=$DAEMON_PID started_us=[0-9]+ outcome=failed error=.*wasmd.conf:2: invalid value \"lots\" for max-fuel$" "$SOCK.reload" ||
	fail "the outcome line says: $(cat "$SOCK.reload")"

# Wrong use: no such process, no pid.
run "$WASMD_BIN/wasmd" --reload 999999999
expect_status 1
run "$WASMD_BIN/wasmd" --reload
expect_status 2

# While draining a reload is refused, and --reload says so.
printf '[limits]\ndefault-timeout = 60s\nmax-timeout = 60s\n' >"$CONF"
run "$WASMD_BIN/wasmd" --reload "$DAEMON_PID"
expect_status 0
ctl run --invoke wait wait "$n" >"$TMP/long.out" 2>"$TMP/long.err" &
long=$!
wait_running 1
kill -TERM "$DAEMON_PID"
for _ in $(seq 100); do grep -q "event=drain" "$LOG" && break; sleep 0.05; done
run "$WASMD_BIN/wasmd" --reload "$DAEMON_PID"
expect_status 1
expect_err_match "stopping"
# (That the call in flight gets its result is deploy_drain's matter.)
wait "$long" || true
st=0
wait "$DAEMON_PID" || st=$?
DAEMON_PID=
[ "$st" -eq 0 ] || fail "wasmd exited with status $st after draining"
[ ! -e "$SOCK.reload" ] || fail "wasmd left $SOCK.reload behind"
