# SPDX-License-Identifier: Apache-2.0
# daemon_many_exports: a module with 5,000 exports is pushed and run
# through a real daemon. Validating it sorts the export names with qsort,
# which in glibc 2.36 calls sysinfo(2) past 1 KiB of array: before the
# worker's filter allowed that, every module with 43 or more exports died
# as a "sandbox violation".
. "$IT_LIB"
start_daemon --pool 1

{
	echo "(module"
	for i in $(seq 0 4999); do
		echo "  (func (export \"f$i\") (result i32) i32.const $i)"
	done
	echo ")"
} >"$TMP/many.wat"
"$WASMD_BIN/wasmd-wat" "$TMP/many.wat" -o "$TMP/many.wasm" || fail "wasmd-wat failed"

run ctl push "$TMP/many.wasm" --name many
expect_status 0
run ctl inspect many
expect_status 0
[ "$(grep -c 'f[0-9]' <<<"$OUT")" -ge 5000 ] || fail "inspect lists $(grep -c 'f[0-9]' <<<"$OUT") exports, not 5000"
run ctl run --invoke f4321 many
expect_status 0
expect_out 4321
run ctl run --invoke f0 many
expect_out 0
grep -q "SANDBOX_VIOLATION" "$LOG" && fail "a worker died as a sandbox violation"
stop_daemon
