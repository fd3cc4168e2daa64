# SPDX-License-Identifier: Apache-2.0
# daemon_snapshot_invoke: a module pushed with an initializer (the default
# wizer.initialize, or --init NAME) gets a snapshot, and every fresh invoke
# starts from it: the global and memory the initializer set are in the
# results, a change an invoke makes is never seen by the next, the warm
# worker keeps the loaded snapshot cached, and inspect shows its size. An
# initializer that traps or does not exist is refused with why.
. "$IT_LIB"
start_daemon --pool 1

run ctl push "$IT_FIXTURES/snapinit.wasm" --name si
expect_status 0
digest=$OUT
run ctl inspect si
expect_status 0
grep -Eq '^snapshot [0-9]+ bytes, [0-9a-f]{64}$' <<<"$OUT" ||
	fail "inspect shows no snapshot after a default init: $OUT"
run ctl --json inspect si
grep -q '"snapshot": {' <<<"$OUT" || fail "inspect --json has no snapshot: $OUT"

# 42 (global) + 1000 (memory), both set by wizer.initialize.
run ctl run --invoke get si
expect_status 0
expect_out 1042
# Fresh instances: bump's change to the global never carries over.
for _ in 1 2; do
	run ctl run --invoke bump si
	expect_status 0
	expect_out 43
done
# The worker loaded the snapshot once and serves it from its cache.
[ "$(grep -c 'event=job_start .*module=cached' "$LOG")" -ge 2 ] ||
	fail "no invoke was served from the worker's cache"

# --init NAME: the same bytes again run that initializer instead.
run ctl push --init init2 "$IT_FIXTURES/snapinit.wasm"
expect_status 0
expect_out "$digest"
run ctl run --invoke get si
expect_status 0
expect_out 8
[ "$(ls "$STATE/tenants/uid:$(id -u)/snapshots" | wc -l)" -eq 1 ] ||
	fail "the replaced snapshot's file stayed: $(ls "$STATE/tenants/uid:$(id -u)/snapshots")"

run ctl push --init trap "$IT_FIXTURES/snapinit.wasm"
expect_status 1
expect_err_match "initializer trap trapped: unreachable"
run ctl push --init nope "$IT_FIXTURES/snapinit.wasm"
expect_status 127 # wasmctl's status for a missing export
expect_err_match 'no export named "nope"'
run ctl push --init bump "$IT_FIXTURES/snapinit.wasm"
expect_status 1
expect_err_match "must be a function that takes and returns nothing"
# A refused initializer leaves the stored snapshot as it was.
run ctl run --invoke get si
expect_status 0
expect_out 8
stop_daemon
