# daemon_disconnect: a client that disconnects mid-invoke gets its worker
# killed at once (not at the deadline) and everything freed: the worker
# count returns to the pool size.
. "$IT_LIB"
start_daemon --pool 2 --default-timeout 60s --max-timeout 60s
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
stop_daemon
