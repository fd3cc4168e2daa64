# SPDX-License-Identifier: Apache-2.0
# deploy_reload: SIGHUP re-reads the config file: RELOADING=1 then READY=1;
# a new limit applies to new calls while a running call keeps its own and
# finishes; an invalid file is logged and the running configuration kept;
# flags still win over the file after a reload.
. "$IT_LIB"
. "$(dirname "${BASH_SOURCE[0]}")/notify.sh"
start_notify
CONF="$TMP/wasmd.conf"
cat >"$CONF" <<'CONF'
[limits]
default-timeout = 60s
max-timeout = 60s
CONF
start_daemon -c "$CONF" --pool 1 --max-concurrent 8
wait_notify "^READY=1 "
run ctl push "$DEPLOY_FIXTURES/busy.wasm" --name busy
expect_status 0
run ctl push "$DEPLOY_FIXTURES/wait.wasm" --name wait
expect_status 0
n=2500 # ms of wall-clock time (wait.wasm)

ctl run --invoke wait wait "$n" >"$TMP/long.out" 2>"$TMP/long.err" &
long=$!
wait_running 1
cat >"$CONF" <<'CONF'
[limits]
default-timeout = 60s
max-timeout = 60s
max-fuel = 1000
[quotas]
max-concurrent = 3
CONF
kill -HUP "$DAEMON_PID"
wait_notify "^RELOADING=1 " 5
for _ in $(seq 100); do [ "$(grep -c '^READY=1 ' "$NOTIFY_LOG")" -ge 2 ] && break; sleep 0.05; done
[ "$(grep -c '^READY=1 ' "$NOTIFY_LOG")" -ge 2 ] || fail "no READY=1 after the reload: $(cat "$NOTIFY_LOG")"
expect_log_match "event=reload outcome=ok"

# New calls get the new maximum: above it refused, by default metered by it.
run ctl run -W fuel=5000 --invoke count busy 10
expect_status 1
expect_err_match "max-fuel"
run ctl run --invoke count busy 1000000
expect_status 134
expect_err_match "fuel"
# --max-concurrent on the command line still wins over the file's 3.
expect_log_match "event=reload outcome=ok .*max_concurrent=8"

# The call that was running when the file changed was unmetered and ends well.
st=0
wait "$long" || st=$?
[ "$st" -eq 0 ] || fail "the running call failed across the reload ($st): $(cat "$TMP/long.err")"
[ "$(cat "$TMP/long.out")" = "$n" ] || fail "the running call returned '$(cat "$TMP/long.out")'"

# An invalid file is refused; the running configuration stays.
printf '[limits]\nmax-fuel = lots\n' >"$CONF"
kill -HUP "$DAEMON_PID"
for _ in $(seq 100); do grep -q "event=reload outcome=failed" "$LOG" && break; sleep 0.05; done
expect_log_match "wasmd.conf:2: invalid value \"lots\" for max-fuel"
expect_log_match "event=reload outcome=failed"
run ctl run -W fuel=5000 --invoke count busy 10
expect_status 1
expect_err_match "max-fuel"
stop_daemon
