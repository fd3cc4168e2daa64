# SPDX-License-Identifier: Apache-2.0
# daemon_warm_rm: `wasmctl rm` of a module a warm worker has cached. The
# module is gone for the tenant at once (by name and digest), whatever the
# worker holds; pushed again, the same bytes run again in the same worker,
# from its cache (same digest, same bytes).
. "$IT_LIB"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
digest=$OUT
run ctl run --invoke add add 1 2
expect_out 3
run ctl run --invoke add add 2 2
expect_out 4
w=$(last_job_field worker)
[ "$(last_job_field module)" = cached ] || fail "the module was not cached"

run ctl rm add
expect_status 0
for ref in add "$digest"; do
	run ctl run --invoke add "$ref" 1 1
	expect_status 1
	expect_err_match "no module|not found"
done

run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
[ "$OUT" = "$digest" ] || fail "the same bytes have another digest"
run ctl run --invoke add add 20 22
expect_out 42
[ "$(last_job_field worker)" = "$w" ] || fail "not served by the warm worker $w"
[ "$(last_job_field module)" = cached ] || fail "the worker's copy was not used"
stop_daemon
