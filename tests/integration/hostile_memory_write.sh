#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_memory_write (issue 21, row 2): while a host call waits for its
# answer, the client's MemoryWrite frames are relayed to the worker, and
# the worker's answers to the client; a client that floods them and reads
# nothing took the supervisor to 4 GB. Now the relay counts against the
# connection (budget.c): past 1 MiB of answers unread, or of frames the
# worker has not taken, the connection is not read until they drain, so
# of 8,000 writes of 60 KiB and reads of 64 KiB (1 GB both ways) only a few
# are read, and none piles up in the supervisor. Asserted under a
# soft RLIMIT_AS: the supervisor's peak RSS stays far below the flood,
# another client is served meanwhile, and once the flood goes the daemon
# serves as before.
. "$IT_LIB"
peak_kib() {
	awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status"
}
start_daemon_as_limited $((1024 * 1024)) --worker-max-invokes 1 --pool 2 --default-timeout 20s
run ctl push "$IT_FIXTURES/hostcall_mem.wasm" --name hostcall
expect_status 0
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
wait_workers 2
base=$(peak_kib)

"$IT_BIN/wasmd-it-rawclient" "$SOCK" memflood hostcall 8000 3000 >"$TMP/flood.out" 2>&1 &
flooder=$!
for _ in $(seq 600); do
	[ -s "$TMP/flood.out" ] && break
	sleep 0.05
done
[ -s "$TMP/flood.out" ] || fail "the flooding client did not report"
echo "flood: $(cat "$TMP/flood.out") pairs taken by the daemon" >&2
read -r _ sent <"$TMP/flood.out"
[ "$sent" -lt 8000 ] || fail "the daemon read all $sent pairs of a client that reads nothing"
expect_log_match "event=backpressure .*reason=\"replies unread\""


for i in 1 2 3; do
	run timeout 10 "$WASMD_BIN/wasmctl" run --invoke add add 40 "$i"
	expect_status 0
	expect_out $((40 + i))
done
peak=$(peak_kib)
echo "supervisor peak RSS: $base KiB before, $peak KiB under the flood" >&2
asan_build || [ $((peak - base)) -lt $((32 * 1024)) ] ||
	fail "the supervisor grew by $((peak - base)) KiB relaying a flood"
wait "$flooder"
wait_workers 2
run ctl run --invoke add add 1 1
expect_status 0
expect_out 2
stop_daemon
