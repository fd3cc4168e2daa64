# SPDX-License-Identifier: Apache-2.0
# daemon_restart: modules survive a restart; the store is rebuilt from disk;
# a stray temp file (an interrupted write) is logged and removed, and a torn
# push (bytes without their .info) stays invisible.
. "$IT_LIB"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
digest=$OUT
stop_daemon

dir="$STATE/tenants/uid:$(id -u)"
[ -f "$dir/modules/$digest.wasm" ] || fail "no $digest.wasm on disk"
[ -f "$dir/modules/$digest.info" ] || fail "no $digest.info on disk"
[ "$(cat "$dir/names/add")" = "$digest" ] || fail "names/add does not hold the digest"
echo junk >"$dir/modules/.tmp-deadbeef.wasm-XXXXXX"
torn=$(printf 'torn' | sha256sum | cut -d' ' -f1)
printf 'torn' >"$dir/modules/$torn.wasm"

start_daemon --pool 1
run ctl run --invoke add add 40 2
expect_status 0
expect_out 42
run ctl ls
expect_status 0
grep -q "${torn:0:12}" <<<"$OUT" && fail "a torn push became visible"
[ ! -e "$dir/modules/.tmp-deadbeef.wasm-XXXXXX" ] || fail "the stray temp file is still there"
expect_log_match "stray temp file"

# A second daemon on a live socket refuses to start and leaves it alone.
st=0
"$WASMD_BIN/wasmd" -H "unix://$SOCK" --state-dir "$TMP/other" --pool 0 2>"$TMP/second.log" || st=$?
[ "$st" -ne 0 ] || fail "a second daemon started on a live socket"
grep -q "another daemon is listening" "$TMP/second.log" || fail "second daemon: $(cat "$TMP/second.log")"
run ctl run --invoke add add 1 1
expect_out 2

# A daemon killed outright leaves its socket file: the next one removes it.
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
[ -S "$SOCK" ] || fail "expected a stale socket file"
start_daemon --pool 1
expect_log_match "outcome=stale_removed"
run ctl run --invoke add add 5 5
expect_out 10
stop_daemon
