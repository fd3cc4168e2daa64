# SPDX-License-Identifier: Apache-2.0
# fault_spawn_fail: the system cannot start processes (the shim of
# faultinject.sh fails posix_spawn and fork with EAGAIN, as at the process
# limit). Invokes and pushes, which need a worker, fail at once with an
# error naming the cause, instead of waiting for their deadline; the pool
# retries with a backoff, not in a loop that burns the CPU; list and
# inspect are served throughout; once processes can be started again,
# invokes work without a restart, and no descriptor has leaked.
. "$IT_LIB"
. "$(dirname "$IT_LIB")/faultinject.sh"

# expect_prompt_failure START_MS: the last command failed within 2 s
# naming the cause (the deadline is 10 s: waiting for it fails here).
expect_prompt_failure() {
	local took=$(($(now_ms) - $1))
	expect_status 1
	expect_err_match "cannot start a worker: .*resource temporarily unavailable"
	[ "$took" -lt 2000 ] || fail "the error took $took ms"
}

# --worker-max-invokes 1: each job uses up its worker (a warm worker would
# go on serving this tenant, and no job would need a new one).
fi_start_daemon spawn --pool 2 --default-timeout 10s --worker-max-invokes 1
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
wait_workers 2
base=$(fd_count)

fi_on
# The two workers started before the fault still serve.
for _ in 1 2; do
	run ctl run --invoke add add 40 2
	expect_out 42
done
wait_workers 0
# Then nothing can run, and says why at once.
for _ in 1 2 3; do
	t=$(now_ms)
	run ctl run --invoke add add 1 2
	expect_prompt_failure "$t"
done
t=$(now_ms)
run ctl push "$IT_FIXTURES/grow.wasm" --name grow
expect_prompt_failure "$t"
expect_log_match 'event=invoke .*outcome=ERR_INTERNAL detail="cannot start a worker'

# Meanwhile the daemon serves what needs no worker.
run ctl ls
expect_status 0
run ctl inspect add
expect_status 0
run ctl inspect grow
expect_status 1

# The pool keeps trying, slowly: a few attempts and little CPU in 3 s.
watch_daemon 3 'event=worker_start error='
[ "$EVENTS" -le 6 ] || fail "$EVENTS attempts to start a worker in 3 s"
# 3 s of a busy loop would be 300 ticks; allow a tenth of that.
[ "$TICKS" -le 30 ] || fail "the daemon used $TICKS CPU ticks in 3 s while it could not start workers"

# Processes can be started again: served at once, no restart.
fi_off
t=$(now_ms)
run ctl run --invoke add add 2 3
expect_status 0
expect_out 5
took=$(($(now_ms) - t))
[ "$took" -lt 2000 ] || fail "the first invoke after the fault took $took ms"
run ctl push "$IT_FIXTURES/grow.wasm" --name grow
expect_status 0
wait_workers 2 15
wait_fds "$base"
expect_alive
stop_daemon
