#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_big_push (issue 21, row 11): a 100 MiB push (a valid module: one
# data segment of 100 MiB) within --max-frame and --tenant-memory, raised
# here to let it in. The red team saw a 250 MB push stall the event loop
# about 1 s: the loop copied the module four times (protobuf-c's unpack,
# the frame for the validating worker, its unsent rest, the store's
# write(2)), 0.8-1 s each at load 8, and hashed it. Now its bytes go
# from the socket into a memfd as they come, hashed on the way
# (daemon/bigframe.c); the worker maps that memfd, and a helper thread
# writes it into the store (daemon/wasmwrite.c).
# Asserted, while the push runs:
# - another tenant's list requests on one connection, one after another,
#   are each answered within 300 ms: the loop is never blocked longer
#   (measured at load 9 under strace: the longest loop turn 72 ms after,
#   1.9 s before; the slowest list goes to stderr);
# - its trivial invokes are served (2 or more, each within 5 s: they start
#   a wasmctl process each, which a loaded CI machine may delay);
# - the supervisor's peak resident size grows by less than half the
#   module: its bytes never enter the supervisor's heap (measured: +0 MiB
#   after, +300 MiB before). Under ASan this bound does not apply.
# Then the push is stored and listed. The other tenant is uid 60004
# (needs root).
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
as_uid 60004 "$IT_BIN/wasmd-it-rawclient" "$SOCK" listwhile "$pusher" \
	>"$TMP/lists.out" 2>&1 &
lister=$!
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
wait "$lister" || fail "the other tenant's lists failed: $(cat "$TMP/lists.out")"
peak=$(awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status")
slowest=$(sed -n 's/^lists=[0-9]* slowest_ms=\([0-9]*\)$/\1/p' "$TMP/lists.out")
[ -n "$slowest" ] || fail "no list timing: $(cat "$TMP/lists.out")"
echo "100 MiB push: another tenant's $(cut -d' ' -f1 "$TMP/lists.out") on one connection, the slowest $slowest ms; $calls invokes, the slowest $worst ms; supervisor peak RSS $((peak / 1024)) MiB (before: $((base / 1024)) MiB)" >&2
[ "$slowest" -le 300 ] || fail "another tenant waited $slowest ms for a list during the push: the loop stalled"
[ "$calls" -ge 2 ] || fail "only $calls calls were served during the push"
[ "$worst" -lt 5000 ] || fail "another tenant's call took $worst ms during the push"
run ctl list
expect_status 0
grep -q big <<<"$OUT" || fail "the big module is not listed: $OUT"
if ! asan_build; then
	bound=$((base + 100 * 1024 / 2))
	[ "$peak" -lt "$bound" ] || fail "supervisor peak RSS $peak KiB, above $bound KiB: the module's bytes entered its heap"
fi
stop_daemon
