# SPDX-License-Identifier: Apache-2.0
# daemon_hostfn_instance: a live instance keeps its global and its memory
# across three invokes (1001, 2002, 3003, each calling the client's host
# function), three more sent at once run in order, a fresh invoke of the same module starts from zero, a
# dropped instance's worker is killed, and the live one's worker goes
# when its connection closes.
. "$IT_LIB"
[ -x "$IT_BIN/wasmd-it-hostclient" ] || fail "missing $IT_BIN/wasmd-it-hostclient: build it first"
start_daemon --worker-max-invokes 1 --pool 1
run ctl push "$IT_FIXTURES/counter.wasm" --name counter
expect_status 0
wait_workers 1
mkfifo "$TMP/in"
"$IT_BIN/wasmd-it-hostclient" instance counter <"$TMP/in" >"$TMP/out" 2>"$TMP/err" &
CLIENT=$!
exec 7>"$TMP/in"
for _ in $(seq 100); do
	grep -q "^instance " "$TMP/out" && break
	sleep 0.05
done
grep -q "^instance 1$" "$TMP/out" || fail "no instance: $(cat "$TMP/out" "$TMP/err")"
for i in 1 2 3; do
	grep -q "^incr $i -> $((i * 1001))$" "$TMP/out" || fail "call $i: $(cat "$TMP/out")"
done
grep -q "^queued: 4004 5005 6006$" "$TMP/out" || fail "queued calls: $(cat "$TMP/out")"
expect_log_match "event=instance_end .*instance=2 .*reason=\"instance dropped\""
# The pool's idle worker and the live instance's worker.
wait_workers 2
exec 7>&-
wait "$CLIENT" || fail "the client failed: $(cat "$TMP/err")"
wait_workers 1
expect_log_match "event=instance_end .*instance=1 .*reason=\"the connection closed\""
stop_daemon
