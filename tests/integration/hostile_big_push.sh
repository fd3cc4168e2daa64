#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_big_push (issue 21, row 11): a 100 MiB push (a valid module: one
# data segment of 100 MiB) within --max-frame and --tenant-memory, raised
# here to let it in. The red team saw a 250 MB push stall the event loop
# about 1 s. The loop still hashes the module twice (SHA-256, at the
# request and at the store) and copies it: on a 2-CPU machine at load 14
# that stalled it 2 s at a time (10 s under a parallel ctest at load 20),
# about 0.3 s when idle. Asserted: another tenant keeps being served during
# the push (2 calls or more, each within 30 s: a bound that only catches a
# loop blocked for a whole large push; the slowest call goes to stderr),
# the push is stored, and the supervisor's peak resident size stays below
# three times the module
# (the frame's grant, twice its size, and its copy for the validating
# worker) plus 64 MiB: the bytes are held a bounded number of times, not
# once per read (measured: 207 MiB). Under ASan the bound does not apply.
# The other tenant is uid 60004 (needs root).
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to run a client as another uid"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
start_daemon --pool 2 --socket-mode 0666 --max-frame 160MiB \
	--tenant-memory 256MiB --memory-budget 512MiB
push_add 60004

# uleb N: N as unsigned LEB128, in printf escapes.
uleb() {
	local v=$1 b out=
	while :; do
		b=$((v & 0x7f))
		v=$((v >> 7))
		[ "$v" -ne 0 ] && b=$((b | 0x80))
		out+=$(printf '\\x%02x' "$b")
		[ "$v" -eq 0 ] && break
	done
	echo "$out"
}
size=$((100 << 20))
# The data section: one active segment at offset 0 of memory 0.
seg_head="\\x01\\x00\\x41\\x00\\x0b$(uleb "$size")"
seg_head_len=$(printf "$seg_head" | wc -c)
{
	printf '\x00asm\x01\x00\x00\x00'
	printf "\\x05\\x04\\x01\\x00$(uleb 1600)" # memory: min 1600 pages
	printf "\\x0b$(uleb $((seg_head_len + size)))$seg_head"
	head -c "$size" /dev/urandom
} >"$TMP/big.wasm"

base=$(awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status")
ctl push "$TMP/big.wasm" --name big >"$TMP/push.out" 2>&1 &
pusher=$!
calls=0 worst=0
while kill -0 "$pusher" 2>/dev/null; do
	start=$(date +%s%N)
	run as_uid 60004 timeout 15 "$WASMD_BIN/wasmctl" run --invoke add add 40 2
	ms=$((($(date +%s%N) - start) / 1000000))
	expect_status 0
	expect_out 42
	calls=$((calls + 1))
	[ "$ms" -gt "$worst" ] && worst=$ms
done
wait "$pusher" || fail "the push failed: $(cat "$TMP/push.out")"
peak=$(awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status")
echo "100 MiB push: $calls calls of another tenant meanwhile, the slowest $worst ms; supervisor peak RSS $((peak / 1024)) MiB (before: $((base / 1024)) MiB)" >&2
[ "$calls" -ge 2 ] || fail "only $calls calls were served during the push"
[ "$worst" -lt 30000 ] || fail "another tenant's call took $worst ms during the push"
run ctl list
expect_status 0
grep -q big <<<"$OUT" || fail "the big module is not listed: $OUT"
if ! asan_build; then
	bound=$((base + 3 * 100 * 1024 + 64 * 1024))
	[ "$peak" -lt "$bound" ] || fail "supervisor peak RSS $peak KiB, above $bound KiB"
fi
stop_daemon
