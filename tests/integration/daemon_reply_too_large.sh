# SPDX-License-Identifier: Apache-2.0
# daemon_reply_too_large: a worker's reply larger than --max-frame is
# reported as such. A module just under max-frame whose description (its
# ModuleInfo: 3,000 exports with their types) is larger than max-frame is
# pushed: the client is told the reply was too large, not that "the
# worker exited with status 0 without replying" (the worker sends its
# reply and exits before the supervisor's SIGKILL lands).
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
