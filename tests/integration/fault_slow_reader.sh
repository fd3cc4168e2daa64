# SPDX-License-Identifier: Apache-2.0
# fault_slow_reader: a client that writes requests without end and never
# reads a reply. The supervisor must not block on it (nothing blocks in the
# supervisor): other clients are served promptly meanwhile; its memory stays
# bounded: once a megabyte of its replies is unread the daemon stops
# reading its requests (backpressure, budget.c), so 100,000 unread replies
# of ~1 KiB (about 130 MiB) never accumulate, and a client that then reads
# nothing for 10 s is dropped; once the client goes its descriptors are
# freed.
. "$IT_LIB"
fd_count() {
	ls "/proc/$DAEMON_PID/fd" | wc -l
}
wait_fds() {
	for _ in $(seq 100); do
		[ "$(fd_count)" -eq "$1" ] && return 0
		sleep 0.05
	done
	fail "the daemon has $(fd_count) descriptors, not $1 as before"
}
rss_kib() {
	awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status"
}

# --worker-max-invokes 1: no warm worker stays to be counted (workers, fds).
start_daemon --pool 2 --max-frame 1M --worker-max-invokes 1
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
# Twenty names make each list reply a few hundred bytes.
for i in $(seq 20); do
	run ctl push "$IT_FIXTURES/add.wasm" --name "name-$i"
	expect_status 0
done
wait_workers 2
base=$(fd_count)
rss0=$(rss_kib)

"$IT_BIN/wasmd-it-faultclient" "$SOCK" noread 100000 12500 >"$TMP/noread.out" &
reader=$!
for _ in $(seq 200); do
	[ -s "$TMP/noread.out" ] && break
	sleep 0.05
done
[ -s "$TMP/noread.out" ] || fail "the non-reading client did not report"
echo "non-reading client: $(cat "$TMP/noread.out")" >&2

for i in 1 2 3; do
	run timeout 5 "$WASMD_BIN/wasmctl" run --invoke add add 40 "$i"
	expect_status 0
	expect_out $((40 + i))
done
run timeout 5 "$WASMD_BIN/wasmctl" ls
expect_status 0
kill -0 "$reader" 2>/dev/null || fail "the non-reading client ended before the others were served"
rss1=$(rss_kib)
echo "supervisor RSS: $rss0 KiB before, $rss1 KiB with the non-reading client" >&2
[ $((rss1 - rss0)) -lt 65536 ] ||
	fail "the supervisor grew by $((rss1 - rss0)) KiB buffering replies nobody reads ($(cat "$TMP/noread.out") requests were accepted)"
read -r _ sent <"$TMP/noread.out"
[ "$sent" -lt 100000 ] || fail "the daemon read all $sent requests of a client that reads no reply"
expect_log_match "event=backpressure .*reason=\"replies unread\""

wait "$reader"
expect_log_match "event=slow_client .*outcome=closed"
wait_workers 2
wait_fds "$base"
run ctl run --invoke add add 1 1
expect_out 2
stop_daemon
