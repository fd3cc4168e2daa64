# SPDX-License-Identifier: Apache-2.0
# daemon_warm_recycle: a warm worker is recycled after --worker-max-invokes
# jobs, and at once after a trap or a deadline: the next invoke of the same
# tenant runs in another process, and the log says why.
. "$IT_LIB"
start_daemon --pool 1 --worker-max-invokes 3 --default-timeout 1s
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
run ctl push "$IT_FIXTURES/recurse.wasm" --name recurse
expect_status 0
run ctl push "$IT_FIXTURES/spin.wasm" --name spin
expect_status 0
tenant="uid:$(id -u)"

# invoke_add_n N: N invokes of add, each checked.
invoke_add_n() {
	local i
	for i in $(seq "$1"); do
		run ctl run --invoke add add 2 "$i"
		expect_out "$((2 + i))"
	done
}

# After three jobs, the worker retires: six invokes, two workers.
invoke_add_n 6
pids=$(job_workers "$tenant" | tail -6)
[ "$(sort -u <<<"$pids" | wc -l)" -eq 2 ] || fail "six invokes ran in $(sort -u <<<"$pids" | wc -l) workers"
[ "$(head -3 <<<"$pids" | sort -u | wc -l)" -eq 1 ] || fail "the first three did not share a worker"
expect_log_match "event=worker_retire pid=$(head -1 <<<"$pids") tenant=$tenant jobs=3 reason=\"worker-max-invokes\""

# A trap ends the worker: the next invoke runs elsewhere.
invoke_add_n 1
before=$(last_job_field worker)
run ctl run --invoke down recurse 0
expect_status 134 # wasmctl's exit status for a trap
expect_err_match "call stack exhausted"
trapped=$(last_job_field worker)
[ "$trapped" = "$before" ] || fail "the trap did not run in the warm worker"
expect_log_match "event=worker_retire pid=$trapped .*reason=\"trap\""
invoke_add_n 1
[ "$(last_job_field worker)" != "$trapped" ] || fail "a worker served again after a trap"

# So does a deadline (the supervisor kills the worker).
run ctl run --invoke spin spin
expect_status 1
expect_err_match "wall-clock limit"
timed_out=$(last_job_field worker)
invoke_add_n 1
[ "$(last_job_field worker)" != "$timed_out" ] || fail "a worker served again after its deadline"
wait_gone "$timed_out"
stop_daemon
