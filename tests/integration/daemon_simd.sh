# SPDX-License-Identifier: Apache-2.0
# daemon_simd: a module with SIMD runs in the daemon's workers, and v128
# arguments and results cross client, supervisor and worker as wasmctl's
# 128-bit hex literals (little-endian: the last two digits are byte 0); a
# malformed literal is refused by wasmctl before anything is sent.
. "$IT_LIB"
start_daemon --pool 1

run ctl push "$IT_FIXTURES/simd.wasm" --name simd
expect_status 0

# i32x4 lanes (1 2 3 4) + (64 48 32 16)
run ctl run --invoke add4 simd 0x00000004000000030000000200000001 \
	0x00000010000000200000003000000040
expect_status 0
expect_out 0x00000014000000230000003200000041

# two results: an i32 and a v128, each on its own line
run ctl run --invoke sum_rev simd 0x00000004000000030000000200000001
expect_status 0
expect_out "10
0x00000001000000020000000300000004"

run ctl run --invoke add4 simd 0x01 0x02
expect_status 2
grep -q "not a v128" <<<"$ERR" || fail "no reason for a bad v128 literal: $ERR"
