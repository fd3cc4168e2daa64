# SPDX-License-Identifier: Apache-2.0
# daemon_timeout: an infinite loop hits the wall-clock deadline: the worker
# is killed, the client gets ERR_TIMEOUT promptly, the pool refills and the
# next invocation works.
. "$IT_LIB"
start_daemon --worker-max-invokes 1 --pool 2 --default-timeout 2s --max-timeout 5s
run ctl push "$IT_FIXTURES/spin.wasm" --name spin
expect_status 0
wait_workers 2

start=$(date +%s%N)
run ctl run -W timeout=500ms --invoke spin spin
elapsed=$((($(date +%s%N) - start) / 1000000))
expect_status 1
expect_err_match "wall-clock|timeout|deadline"
[ "$elapsed" -lt 3000 ] || fail "the deadline took ${elapsed} ms to fire"
expect_log_match "outcome=ERR_TIMEOUT"

# The default deadline applies when none is asked for.
run ctl run --invoke spin spin
expect_status 1
expect_err_match "2000 ms"

# A deadline above --max-timeout is refused, not clamped.
run ctl run -W timeout=10s --invoke spin spin
expect_status 1
expect_err_match "max-timeout"

# Fuel stops the same loop deterministically, as a trap.
run ctl run -W fuel=100000 --invoke spin spin
expect_status 134
expect_err_match "fuel"

wait_workers 2
run ctl run --invoke one spin
expect_status 0
expect_out 1
stop_daemon
