# SPDX-License-Identifier: Apache-2.0
# daemon_snapshot_no_snapshot: run --no-snapshot starts from the plain
# module (data segment and initial global, no initializer) while other
# invokes keep using the snapshot; push --no-init stores no snapshot, and
# on stored bytes removes the one they had.
. "$IT_LIB"
start_daemon --pool 1

run ctl push "$IT_FIXTURES/snapinit.wasm" --name si
expect_status 0
run ctl run --no-snapshot --invoke get si
expect_status 0
expect_out 1
run ctl run --invoke get si
expect_status 0
expect_out 1042
run ctl run --no-snapshot --invoke get si
expect_status 0
expect_out 1

run ctl push --no-init "$IT_FIXTURES/snapinit.wasm"
expect_status 0
run ctl inspect si
expect_status 0
grep -q '^snapshot none$' <<<"$OUT" || fail "--no-init kept the snapshot: $OUT"
run ctl run --invoke get si
expect_status 0
expect_out 1
[ -z "$(ls -A "$STATE/tenants/uid:$(id -u)/snapshots")" ] ||
	fail "the snapshot's file stayed after --no-init"
run ctl push --no-init --init init2 "$IT_FIXTURES/snapinit.wasm"
expect_status 2
stop_daemon
