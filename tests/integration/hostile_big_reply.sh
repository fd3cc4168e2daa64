# SPDX-License-Identifier: Apache-2.0
# hostile_big_reply (issue 21): a worker (one its guest compromised, say)
# sends a reply padded with an unknown field, which protobuf-c keeps. The
# supervisor used to read any reply up to --max-frame (256 MiB by default)
# into its heap, outside every tenant's share; now a worker's reply may
# take WP_REPLY_MAX bytes (17 MiB: a host call's 16 MiB of memory and
# room for values; a push's ModuleInfo may take --max-module-info). A reply
# of exactly that much is served; one byte more, or 128 MiB, gets that
# worker killed at the frame's header and its call failed (ERR_LIMIT)
# with an error naming the limit (a push's, --max-module-info), while another client is served, the supervisor's peak
# memory grows by far less than the old cap allowed, and the daemon goes
# on serving. A reply counts in its tenant's share while it is received.
# (fake_worker.c's reply* modes.)
. "$IT_LIB"
. "$(dirname "$IT_LIB")/faultinject.sh"

# The frame body fake_worker.c's replyunder sends (proto/frame.h).
reply_max=$(((16 << 20) + (1 << 20)))

# Freed memory must be given back for RSS to mean something under ASan.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
start_daemon_as_limited $((1024 * 1024)) --worker-max-invokes 1 --pool 2 \
	--worker "$IT_BIN/wasmd-it-fakeworker" --default-timeout 10s
run ctl push "$IT_FIXTURES/add.wasm" --name m
expect_status 0
run ctl run --invoke ok m
expect_out 42
wait_workers 2
hwm0=$(hwm_kb)

# big EXPORT: the call fails with an error naming the reply limit, while a
# call on another connection is served.
big() {
	ctl run --invoke "$1" m >"$TMP/big.out" 2>"$TMP/big.err" &
	local pid=$!
	run ctl run --invoke ok m
	expect_status 0
	expect_out 42
	STATUS=0
	wait "$pid" || STATUS=$?
	OUT=$(cat "$TMP/big.out")
	ERR=$(cat "$TMP/big.err")
	expect_status 1
	expect_err_match "killed by wasmd: the worker sent a malformed frame \(frame of [0-9]+ bytes exceeds the limit of $reply_max \(a worker's reply limit, wasmd\(8\) SECURITY\)\): a reply larger than a worker may send"
	grep -q "without replying" <<<"$ERR" && fail "$1: reported as a silent exit: $ERR"
	return 0
}

big replyover
expect_log_match "event=worker_bad_frame .*frame of $((reply_max + 1)) bytes exceeds the limit of $reply_max"
expect_log_match "event=invoke .*export=replyover outcome=ERR_LIMIT"
big replybig
expect_log_match "event=worker_bad_frame .*frame of $((128 << 20)) bytes exceeds"
hwm=$(hwm_kb)
echo "supervisor peak RSS: $hwm0 KiB before, $hwm KiB after the big replies" >&2
# The old cap let a worker make the supervisor hold 128 MiB here (twice
# over, decoded); the new one, nothing but the header.
[ $((hwm - hwm0)) -lt $((32 * 1024)) ] ||
	fail "the supervisor's peak grew by $((hwm - hwm0)) KiB for replies it refuses"

# A push's reply over the limit names --max-module-info, the limit an
# honest worker's reply would have met.
run ctl push "$IT_FIXTURES/add.wasm" --init infobig
expect_status 1
expect_err_match "a reply larger than a worker may send \(a push's reply carries the module's metadata: at most --max-module-info 1048576 bytes\)"
expect_log_match "event=push .*outcome=ERR_LIMIT"

# A reply counts in its tenant's share while it is received: with 8 MiB
# of one in, the tenant holds that much; once its call is gone, nothing.
tenant_held() {
	run ctl stats --format prometheus
	expect_status 0
	awk '/^wasmd_tenant_held_bytes\{/ {print $2}' <<<"$OUT"
}
"$WASMD_BIN/wasmctl" run --invoke replystall m >/dev/null 2>&1 &
stall=$!
for _ in $(seq 100); do
	held=$(tenant_held)
	[ "${held:-0}" -ge $((8 << 20)) ] && break
	sleep 0.05
done
[ "${held:-0}" -ge $((8 << 20)) ] || fail "a reply's 8 MiB received are not counted: the tenant holds ${held:-nothing}"
kill "$stall"
wait "$stall" || true
for _ in $(seq 100); do
	held=$(tenant_held)
	[ "${held:-0}" -lt 65536 ] && break
	sleep 0.05
done
[ "${held:-0}" -lt 65536 ] || fail "the tenant still holds $held bytes"

# Just under the limit: served (the padding is an unknown field).
run ctl run --invoke replyunder m
expect_status 0
expect_out 42

# The daemon serves as before.
run ctl run --invoke ok m
expect_status 0
expect_out 42
expect_alive
stop_daemon
