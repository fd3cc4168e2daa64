# SPDX-License-Identifier: Apache-2.0
# daemon_disconnect: a client that disconnects mid-invoke gets its worker
# killed at once (not at the deadline) and everything freed: the worker
# count returns to the pool size. An idle worker killed is replaced.
# --worker-max-invokes 1: no warm worker stays to be counted.
. "$IT_LIB"
start_daemon --pool 2 --default-timeout 60s --max-timeout 60s --worker-max-invokes 1
run ctl push "$IT_FIXTURES/spin.wasm" --name spin
expect_status 0
wait_workers 2

"$IT_BIN/wasmd-it-rawclient" "$SOCK" invoke-then-close spin spin 500 &
raw=$!
wait_workers 3
wait "$raw"
wait_workers 2 5
expect_log_match "export=spin outcome=abandoned"
run ctl run --invoke one spin
expect_out 1
wait_workers 2

# An idle worker that dies is replaced; jobs go to the live ones.
pids=$(worker_pids)
victim=${pids%%$'\n'*}
kill -9 "$victim"
for _ in $(seq 100); do
	worker_pids | grep -x "$victim" >/dev/null || break
	sleep 0.05
done
wait_workers 2
if worker_pids | grep -x "$victim" >/dev/null; then
	fail "the dead worker is still counted"
fi
expect_log_match "event=worker_died pid=$victim state=idle"
for _ in 1 2 3; do
	run ctl run --invoke one spin
	expect_out 1
done
stop_daemon
