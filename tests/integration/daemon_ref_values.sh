# SPDX-License-Identifier: Apache-2.0
# daemon_ref_values: 3.0's reference types cross client, supervisor and
# worker as their own types: anyref and exnref results print as null (not
# as an i32 0), bottom types travel as their top type's null, null
# arguments of those types are accepted, and anything but null is refused
# before the guest runs.
. "$IT_LIB"
start_daemon --pool 1

run ctl push "$IT_FIXTURES/refs.wasm" --name refs
expect_status 0

for f in null_any null_none null_exn null_func null_nofunc; do
	run ctl run --invoke "$f" refs
	expect_status 0
	expect_out null
done

for f in is_null_any is_null_exn is_null_noextern; do
	run ctl run --invoke "$f" refs null
	expect_status 0
	expect_out 1
done

# the export's types as the daemon reports them
run ctl inspect refs
expect_status 0
grep -q 'null_any.*(result anyref)' <<<"$OUT" || fail "anyref result not shown: $OUT"
grep -q 'is_null_exn.*(param exnref)' <<<"$OUT" || fail "exnref param not shown: $OUT"
grep -q 'is_null_noextern.*(param externref)' <<<"$OUT" ||
	fail "nullexternref param not shown as externref: $OUT"

# only null: a handle is refused by wasmctl for anyref
run ctl run --invoke is_null_any refs 5
expect_status 2
grep -q "not a valid anyref" <<<"$ERR" || fail "no reason for a non-null anyref: $ERR"
