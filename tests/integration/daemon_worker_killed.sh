# SPDX-License-Identifier: Apache-2.0
# daemon_worker_killed: a worker killed by someone else (kill -9) while it
# runs a long loop is reported to the client as a crash naming the signal;
# the daemon keeps serving.
. "$IT_LIB"
# No idle workers: the only worker is the one running the loop.
start_daemon --worker-max-invokes 1 --pool 0 --default-timeout 30s
run ctl push "$IT_FIXTURES/spin.wasm" --name spin
expect_status 0
wait_workers 0

ctl run --invoke spin spin >"$TMP/out" 2>"$TMP/err" &
client=$!
wait_workers 1
sleep 0.2
kill -9 "$(worker_pids)"
st=0
wait "$client" || st=$?
[ "$st" -eq 1 ] || fail "wasmctl exited $st, expected 1"
ERR=$(cat "$TMP/err")
expect_err_match "SIGKILL|signal 9|killed"
expect_log_match "export=spin outcome=ERR_CRASH"

run ctl run --invoke one spin
expect_status 0
expect_out 1
stop_daemon
