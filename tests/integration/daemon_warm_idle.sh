# SPDX-License-Identifier: Apache-2.0
# daemon_warm_idle: a tenant's warm worker left idle longer than
# --worker-idle-timeout is recycled; the next invoke starts a new one.
. "$IT_LIB"
start_daemon --pool 1 --worker-idle-timeout 1s
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
run ctl run --invoke add add 1 2
expect_out 3
w=$(last_job_field worker)
# Still warm right away: the next invoke reuses it.
run ctl run --invoke add add 2 2
expect_out 4
[ "$(last_job_field worker)" = "$w" ] || fail "the second invoke did not reuse worker $w"
wait_gone "$w" 10
# The process may be reaped a moment before the retire line is written.
for _ in $(seq 50); do
	grep -Eq "event=worker_retire pid=$w .*reason=\"idle timeout\"" "$LOG" && break
	sleep 0.1
done
expect_log_match "event=worker_retire pid=$w .*reason=\"idle timeout\""
run ctl run --invoke add add 3 2
expect_out 5
[ "$(last_job_field worker)" != "$w" ] || fail "the recycled worker served again"
stop_daemon
