#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# daemon_push_shapes: a large push (a frame over 64 KiB) is parsed by hand
# so its module goes into a memfd without a copy (daemon/bigframe.c). Any
# field order protobuf allows for the fields around the module is taken
# as protobuf-c would take it, and stored under the module's own digest;
# one with more than the push after its module gets an error, and a
# malformed one the same error as before; the daemon serves on. Frames
# are written by hand (wasmd-it-rawclient bigpush FILE SHAPE).
. "$IT_LIB"
start_daemon

# A valid module of 200 KiB: one data segment.
{
	printf '\x00asm\x01\x00\x00\x00'
	printf '\x05\x03\x01\x00\x04'                 # memory: min 4 pages
	printf '\x0b\x88\xa0\x0c\x01\x00\x41\x00\x0b\x80\xa0\x0c' # 1 segment
	head -c 200704 /dev/urandom
} >"$TMP/mid.wasm"
digest=$(sha256sum "$TMP/mid.wasm" | cut -d' ' -f1)

bigpush() {
	run "$IT_BIN/wasmd-it-rawclient" "$SOCK" bigpush "$TMP/mid.wasm" "$1"
	expect_status 0
}

# twowasm: more than 64 KiB after the first module, so it is decoded
# whole, as before (the last wasm field wins, as protobuf has it).
for shape in plain named idlast twowasm; do
	bigpush "$shape"
	[ "$OUT" = "info $digest" ] || fail "shape $shape: $OUT (expected info $digest)"
done
run ctl inspect shaped
expect_status 0
grep -q "$digest" <<<"$OUT" || fail "the name from a large push is not set: $OUT"

bigpush thenlist
grep -q "^error .*more than one message or module" <<<"$OUT" || fail "thenlist: $OUT"
# Not a push the hand parse takes: decoded whole, refused by protobuf-c
# with the error any malformed frame gets.
bigpush toolong
grep -q "^error 1: malformed frame (.* do not decode)" <<<"$OUT" || fail "toolong: $OUT"

run ctl list
expect_status 0
[ "$(grep -c "^${digest:0:12} .*shaped" <<<"$OUT")" -eq 1 ] || fail "list: $OUT"
stop_daemon
