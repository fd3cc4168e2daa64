# SPDX-License-Identifier: Apache-2.0
# daemon_snapshot_random: WASI random_get during an initializer traps by
# default (the bytes would be frozen into every instance) and the push is
# refused saying so; with --init-allow-random the bytes are taken once and
# every invoke from the snapshot sees the same ones.
. "$IT_LIB"
start_daemon --pool 1

run ctl push "$IT_FIXTURES/snaprandom.wasm" --name r
expect_status 1
expect_err_match "random_get during initialization.*--init-allow-random"
run ctl ls
! grep -q "^[0-9a-f]\{12\} " <<<"$OUT" || fail "a refused push stored something: $OUT"

run ctl push --init-allow-random "$IT_FIXTURES/snaprandom.wasm" --name r
expect_status 0
run ctl run --invoke get r
expect_status 0
first=$OUT
run ctl run --invoke get r
expect_status 0
expect_out "$first"
run ctl run --no-snapshot --invoke get r
expect_status 0
expect_out 0
stop_daemon
