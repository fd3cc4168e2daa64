# SPDX-License-Identifier: Apache-2.0
# daemon_warm_memory: a worker's address-space limit follows the memory
# limit of the invokes it serves (plus its module cache and the engine's
# fixed overhead), not the daemon's --max-memory: idle workers are kept per
# tenant and memory limit, so an invoke of another limit gets another
# worker, and one of the same limit reuses it.
. "$IT_LIB"
mib=$((1024 * 1024))
start_daemon --pool 1 --worker-cache $((16 * mib))
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0

run ctl run -W max-memory-size=$((2 * mib)) --invoke add add 1 1
expect_out 2
small=$(last_job_field worker)
run ctl run --invoke add add 2 2
expect_out 4
def=$(last_job_field worker)
[ "$small" != "$def" ] || fail "one worker served two memory limits"
run ctl run -W max-memory-size=$((2 * mib)) --invoke add add 3 3
expect_out 6
[ "$(last_job_field worker)" = "$small" ] || fail "the 2 MiB worker was not reused"
expect_log_match "event=worker_bind pid=$small tenant=uid:[0-9]+ memory=$((2 * mib))"

# as_limit PID: its RLIMIT_AS in bytes ("unlimited" in sanitizer builds,
# whose shadow memory needs more address space than any limit).
as_limit() {
	awk '/^Max address space/ {print $4}' "/proc/$1/limits"
}
lim=$(as_limit "$small")
if [ "$lim" != unlimited ]; then
	# memory + cache + WRK_SANDBOX_AS_OVERHEAD (64 MiB)
	[ "$lim" -eq $(((2 + 16 + 64) * mib)) ] || fail "the 2 MiB worker's RLIMIT_AS is $lim"
	[ "$(as_limit "$def")" -eq $(((64 + 16 + 64) * mib)) ] ||
		fail "the default worker's RLIMIT_AS is $(as_limit "$def")"
fi
stop_daemon
