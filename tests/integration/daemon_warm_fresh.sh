# SPDX-License-Identifier: Apache-2.0
# daemon_warm_fresh: a warm worker serves one tenant many invokes, each in a
# fresh instance: a guest that changes its memory (a secret over a data
# segment, memory.grow), its mutable global, its table and its WASI world
# (fd 1 closed, the environment) in one invoke leaves nothing of it to the
# next, which the same worker process serves (checked by its pid).
. "$IT_LIB"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/leak.wasm" --name leak
expect_status 0

# expect_invoke EXPORT OUT [FLAGS...]: one invoke and its output.
expect_invoke() {
	local export=$1 want=$2
	shift 2
	run ctl run "$@" --invoke "$export" leak
	expect_status 0
	expect_out "$want"
}

expect_invoke poke 0
expect_invoke peek_mem 1414090313
expect_invoke peek_global 7
expect_invoke peek_table 1
expect_invoke peek_size 1
expect_invoke env_count 1 --env SECRET=hunter2
expect_invoke env_count 0
expect_invoke close_stdout 0
expect_invoke write_hi $'hi\n0'

# Every invoke but the push ran in one and the same worker.
tenant="uid:$(id -u)"
pids=$(job_workers "$tenant" | sort -u)
[ "$(job_workers "$tenant" | wc -l)" -ge 10 ] || fail "fewer jobs logged than run"
[ "$(job_workers "$tenant" | tail -9 | sort -u | wc -l)" -eq 1 ] ||
	fail "the invokes were not served by one warm worker: $pids"
w=$(job_workers "$tenant" | tail -1)
kill -0 "$w" 2>/dev/null || fail "the warm worker $w is gone"
# The module crossed once (a memfd), then came from the worker's cache.
[ "$(grep -Ec "event=job_start tenant=$tenant .*worker=$w .*module=sent" "$LOG")" -eq 1 ] ||
	fail "the module was not sent exactly once to worker $w"
stop_daemon
