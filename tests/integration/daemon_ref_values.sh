# SPDX-License-Identifier: Apache-2.0
# daemon_ref_values: 3.0's reference types cross client, supervisor and
# worker as their own types: anyref and exnref results print as null (not
# as an i32 0), bottom types travel as their top type's null, null
# arguments of those types are accepted, i31 references cross as values
# both ways (i31:N), and anything else is refused before the guest runs.
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

# only null or an i31: a handle is refused by wasmctl for anyref
run ctl run --invoke is_null_any refs 5
expect_status 2
grep -q "not a valid anyref" <<<"$ERR" || fail "no reason for a non-null anyref: $ERR"

# i31 results, as i31ref and as anyref (before, an i31ref result crossed as
# an i32 and an anyref one as "ref:0")
run ctl run --invoke make_i31 refs 5
expect_status 0
expect_out i31:5
run ctl run --invoke make_i31_any refs -7
expect_status 0
expect_out i31:-7
run ctl run --invoke make_i31 refs 2147483647 # wraps to 31 bits
expect_status 0
expect_out i31:-1
# i31 arguments, read back by the guest
run ctl run --invoke i31_value refs i31:-1073741824
expect_status 0
expect_out -1073741824
run ctl run --invoke i31_value_eq refs i31:-1
expect_status 0
expect_out 2147483647
# eqref and i31ref cross as anyref, their top type (they used to cross as
# i32, so an i31ref result printed as a number)
run ctl inspect refs
grep -q 'i31_value_eq.*(param anyref)' <<<"$OUT" || fail "eqref param not shown as anyref: $OUT"
grep -q 'make_i31.*(result anyref)' <<<"$OUT" || fail "i31ref result not shown as anyref: $OUT"
# a struct type's reference is an anyref to the host (it was shown, and
# parsed, as a funcref)
grep -q 'is_null_pair.*(param anyref)' <<<"$OUT" || fail "struct param not shown as anyref: $OUT"
# out of range for 31 bits, and an i31 where a struct is expected
run ctl run --invoke i31_value refs i31:2147483648
expect_status 2
grep -q "not an i31" <<<"$ERR" || fail "no reason for a too large i31: $ERR"
run ctl run --invoke is_null_pair refs i31:3
[ "$STATUS" -ne 0 ] || fail "an i31 was accepted as a struct reference"
grep -q "expected (ref null 0)" <<<"$ERR" || fail "no reason for an i31 as a struct: $ERR"
run ctl run --invoke is_null_pair refs null
expect_status 0
expect_out 1
