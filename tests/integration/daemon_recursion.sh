# SPDX-License-Identifier: Apache-2.0
# daemon_recursion: unbounded recursion is a clean trap (call stack
# exhausted), reported to the client as a trap; the worker does not crash.
. "$IT_LIB"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/recurse.wasm" --name rec
expect_status 0
run ctl run --invoke down rec 0
expect_status 134
expect_err_match "call stack|stack exhausted"
expect_log_match "export=down outcome=trap"
stop_daemon
