# SPDX-License-Identifier: Apache-2.0
# daemon_sandbox_violation: a worker that makes a forbidden system call
# (the worker's test hook) is killed by seccomp and reported as
# ERR_SANDBOX_VIOLATION. Only in WASMD_TEST_HOOKS builds.
. "$IT_LIB"
[ "${WASMD_TEST_HOOKS:-OFF}" = ON ] || skip "built without WASMD_TEST_HOOKS"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/forbidden.wasm" --name forbidden
expect_status 0
run ctl run --invoke run forbidden
expect_status 1
expect_err_match "forbidden system call|sandbox"
expect_log_match "outcome=ERR_SANDBOX_VIOLATION"
stop_daemon
