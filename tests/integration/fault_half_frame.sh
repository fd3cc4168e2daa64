# SPDX-License-Identifier: Apache-2.0
# fault_half_frame: clients that send half a frame and stall do not stop
# the daemon from serving others, and their connections are freed when
# they go: the daemon's descriptor count returns to where it was.
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

# --worker-max-invokes 1: no warm worker stays to be counted (workers, fds).
start_daemon --pool 2 --worker-max-invokes 1
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
wait_workers 2
base=$(fd_count)

pids=()
for i in 1 2 3 4 5; do
	"$IT_BIN/wasmd-it-faultclient" "$SOCK" half 3000 >"$TMP/half$i.out" &
	pids+=($!)
done
for i in 1 2 3 4 5; do
	for _ in $(seq 100); do
		[ -s "$TMP/half$i.out" ] && break
		sleep 0.05
	done
	[ "$(cat "$TMP/half$i.out")" = stalled ] || fail "half-frame client $i did not start"
done
[ "$(fd_count)" -ge $((base + 5)) ] || fail "the stalled connections are not open on the daemon's side"

# Others are served, promptly, while the five stall.
for i in 1 2 3; do
	run timeout 5 "$WASMD_BIN/wasmctl" run --invoke add add 40 "$i"
	expect_status 0
	expect_out $((40 + i))
done
kill -0 "${pids[0]}" 2>/dev/null || fail "the stalled clients ended before the others were served"

for p in "${pids[@]}"; do
	wait "$p" || fail "a half-frame client failed"
done
wait_workers 2
wait_fds "$base"
run ctl run --invoke add add 1 1
expect_out 2
stop_daemon
