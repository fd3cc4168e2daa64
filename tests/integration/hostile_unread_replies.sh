#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_unread_replies (issue 21, row 4): pipelined requests whose
# replies are never read cost up to --max-frame plus 1 MiB per connection
# (~240 MB seen) before the client was dropped. Now a connection with more
# than 1 MiB of replies unread is not read (budget.c), so four such
# clients at the default --max-frame (256 MiB) hold a few MiB in all, and
# each is dropped after 10 s without reading. Asserted under a soft
# RLIMIT_AS: the supervisor's peak RSS, another client served meanwhile,
# and the daemon as before once they go, its memory given back.
. "$IT_LIB"
peak_kib() {
	awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status"
}
rss_kib() {
	awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status"
}
start_daemon_as_limited $((1024 * 1024)) --worker-max-invokes 1 --pool 2
# Forty names make each list reply about 2 KB.
for i in $(seq 40); do
	run ctl push "$IT_FIXTURES/add.wasm" --name "a-rather-long-module-name-$i"
	expect_status 0
done
wait_workers 2
base=$(peak_kib)
rss0=$(rss_kib)

pids=()
for i in 1 2 3 4; do
	"$IT_BIN/wasmd-it-faultclient" "$SOCK" noread 100000 3000 >"$TMP/noread$i.out" &
	pids+=($!)
done
for i in 1 2 3 4; do
	for _ in $(seq 400); do
		[ -s "$TMP/noread$i.out" ] && break
		sleep 0.05
	done
	echo "client $i: $(cat "$TMP/noread$i.out") requests taken" >&2
done
for i in 1 2 3; do
	run timeout 10 "$WASMD_BIN/wasmctl" run --invoke add a-rather-long-module-name-1 40 "$i"
	expect_status 0
	expect_out $((40 + i))
done
peak=$(peak_kib)
echo "supervisor peak RSS: $base KiB before, $peak KiB with 4 clients not reading" >&2
asan_build || [ $((peak - base)) -lt $((32 * 1024)) ] ||
	fail "the supervisor grew by $((peak - base)) KiB buffering replies nobody reads"
for p in "${pids[@]}"; do
	wait "$p" || fail "a non-reading client failed"
done
run ctl ls
expect_status 0
# What the clients made the daemon hold goes back to the system (row 17).
for _ in $(seq 40); do
	[ $(($(rss_kib) - rss0)) -lt 8192 ] && break
	sleep 0.05
done
echo "supervisor RSS: $rss0 KiB before, $(rss_kib) KiB after the clients went" >&2
asan_build || [ $(($(rss_kib) - rss0)) -lt 8192 ] ||
	fail "the supervisor keeps $(($(rss_kib) - rss0)) KiB after the clients went"
stop_daemon
