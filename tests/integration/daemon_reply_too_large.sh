# SPDX-License-Identifier: Apache-2.0
# daemon_reply_too_large: a worker's reply larger than --max-frame is
# reported as such. A module just under max-frame whose description (its
# ModuleInfo: 3,000 exports with their types) is larger than max-frame is
# pushed: the client is told the reply was too large, not that "the
# worker exited with status 0 without replying" (the worker sends its
# reply and exits before the supervisor's SIGKILL lands). And a result
# larger than a worker's reply may be (WP_REPLY_MAX) is refused by the
# worker with ERR_LIMIT, not sent (hostile_big_reply.sh: one sent anyway).
. "$IT_LIB"
{
	echo "(module"
	for i in $(seq 0 2999); do
		echo "  (func (export \"export_name_$i\") (param i32 i64 f32 f64) (result i32) i32.const 0)"
	done
	echo ")"
} >"$TMP/wide.wat"
"$WASMD_BIN/wasmd-wat" "$TMP/wide.wat" -o "$TMP/wide.wasm" || fail "wasmd-wat failed"
size=$(stat -c %s "$TMP/wide.wasm")
start_daemon --pool 1 --max-frame $((size + 256))

run ctl push "$TMP/wide.wasm"
[ "$STATUS" -ne 0 ] || fail "a reply over max-frame was accepted"
expect_err_match "larger than max-frame"
grep -q "without replying" <<<"$ERR" && fail "reported as a silent exit: $ERR"
expect_log_match 'event=push .*detail="the worker was killed by wasmd: the worker sent a malformed frame \(frame of [0-9]+ bytes exceeds'

# The daemon still serves: a small module goes through.
run ctl run --invoke add "$IT_FIXTURES/add.wasm" 2 3
expect_status 0
expect_out 5
stop_daemon

# A reply a worker must not send: a trap 40 calls deep in a function whose
# name is 600,000 bytes long carries 32 frames, each with that name (19 MB,
# more than the WP_REPLY_MAX of 17 MiB a worker's reply may take under the
# default --max-frame). The worker says so itself with ERR_LIMIT instead
# of sending it and being killed for it.
name=$(head -c 600000 /dev/zero | tr '\0' N)
echo "(module (func \$$name (export \"deep\") (param i32)
  local.get 0 i32.eqz if unreachable end
  local.get 0 i32.const 1 i32.sub call \$$name))" >"$TMP/deep.wat"
"$WASMD_BIN/wasmd-wat" "$TMP/deep.wat" -o "$TMP/deep.wasm" || fail "wasmd-wat failed"
start_daemon --pool 1
run ctl run --invoke deep "$TMP/deep.wasm" 40
[ "$STATUS" -ne 0 ] || fail "a result over the reply limit was sent"
expect_err_match "the call's result takes [0-9]+ bytes, more than the 17825792 bytes a worker's reply may carry"
grep -q "killed by wasmd" <<<"$ERR" && fail "the worker was killed instead: $ERR"
# Shallower, the trap's frames fit and are reported.
run ctl run --invoke deep "$TMP/deep.wasm" 10
[ "$STATUS" -ne 0 ] || fail "the trap was not reported"
expect_err_match "unreachable"
stop_daemon
