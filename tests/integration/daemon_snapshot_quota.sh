# SPDX-License-Identifier: Apache-2.0
# daemon_snapshot_quota: a snapshot's bytes count in the tenant's
# --max-module-bytes: a push whose snapshot would not fit is refused with
# ERR_LIMIT, saying so, and stores nothing.
. "$IT_LIB"
start_daemon --pool 1 --max-module-bytes 2K
run ctl push "$IT_FIXTURES/snapinit.wasm" --name si
expect_status 1
expect_err_match "module bytes limit 2048 reached: the snapshot .* is [0-9]+ bytes"
run ctl ls
! grep -q "^[0-9a-f]\{12\} " <<<"$OUT" || fail "a refused push stored something: $OUT"
run ctl push --no-init "$IT_FIXTURES/snapinit.wasm" --name si
expect_status 0
stop_daemon
