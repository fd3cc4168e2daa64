# SPDX-License-Identifier: Apache-2.0
# daemon_warm_one_invoke: --worker-max-invokes 1 gives one process per job,
# as before warm workers: five invokes run in five workers, each sent the
# module's bytes, each retired after its job.
. "$IT_LIB"
start_daemon --pool 2 --worker-max-invokes 1
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
for i in 1 2 3 4 5; do
	run ctl run --invoke add add 40 "$i"
	expect_out "$((40 + i))"
done
tenant="uid:$(id -u)"
pids=$(job_workers "$tenant" | tail -5)
[ "$(sort -u <<<"$pids" | wc -l)" -eq 5 ] || fail "five invokes ran in $(sort -u <<<"$pids" | wc -l) workers"
[ "$(grep -Ec "event=job_start tenant=$tenant .*worker_jobs=1 module=sent" "$LOG")" -eq 5 ] ||
	fail "not every invoke was its worker's first, with the module sent"
for p in $pids; do
	expect_log_match "event=worker_retire pid=$p .*reason=\"worker-max-invokes\""
	wait_gone "$p"
done
# The pool is back to its two unbound workers.
wait_workers 2
stop_daemon
