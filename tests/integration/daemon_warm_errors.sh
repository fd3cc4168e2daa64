# SPDX-License-Identifier: Apache-2.0
# daemon_warm_errors: an invoke the worker refuses before running guest
# code (an import nobody serves, an export that does not exist, arguments
# that do not match) leaves the warm worker serving: the next invoke of the
# tenant runs in the same process, and nothing is logged as retired.
. "$IT_LIB"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
run ctl push "$IT_FIXTURES/hostcall.wasm" --name hostcall
expect_status 0

run ctl run --invoke add add 2 3
expect_out 5
warm=$(last_job_field worker)

# refused NAME ARGS...: wasmctl run ARGS fails with stderr matching NAME's
# pattern, in the warm worker, and add runs there next.
refused() {
	local pattern=$1
	shift
	run ctl run "$@"
	[ "$STATUS" -ne 0 ] || fail "$*: succeeded"
	expect_err_match "$pattern"
	[ "$(last_job_field worker)" = "$warm" ] || fail "$*: not in the warm worker"
	run ctl run --invoke add add 40 2
	expect_out 42
	[ "$(last_job_field worker)" = "$warm" ] ||
		fail "after $*: the next invoke ran in another worker"
}

refused "unknown import env.h" --invoke hostcall hostcall 1
refused "no-such-export" --invoke no-such-export add 1 2
refused "add" --invoke add add 1
if grep -E "event=worker_retire pid=$warm " "$LOG"; then
	fail "the warm worker was retired"
fi
stop_daemon
