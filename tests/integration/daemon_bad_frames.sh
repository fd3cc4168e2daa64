# SPDX-License-Identifier: Apache-2.0
# daemon_bad_frames: garbage, an oversized frame, a wrong protocol version
# and a request before hello each get an error and close only that
# connection; the daemon keeps serving everyone else. A frame above
# --max-frame is refused before it is read; a client that never reads its
# replies is dropped.
. "$IT_LIB"
start_daemon --pool 1 --max-frame 4096
raw="$IT_BIN/wasmd-it-rawclient"

# A connection that must stay open across the others' failures: "idle"
# fails (status 1, "still open") when the daemon does not close it.
"$raw" "$SOCK" idle 4000 >"$TMP/idle.out" 2>&1 &
idle=$!

run "$raw" "$SOCK" garbage
expect_status 0
run "$raw" "$SOCK" oversized
expect_status 0
grep -q "exceeds the limit of 4096" <<<"$OUT" || fail "oversized: $OUT"
run "$raw" "$SOCK" badversion
expect_status 0
grep -q "^error 2:" <<<"$OUT" || fail "badversion did not get ERR_VERSION: $OUT"
# A client of the previous protocol version (4: no memory indices) is
# still served, in its own version; one older than that is refused.
run "$raw" "$SOCK" hello 4
expect_status 0
expect_out "hello version 4"
run "$raw" "$SOCK" hello 3
expect_status 1
run "$raw" "$SOCK" nohello
expect_status 0

# A client that sends requests but never reads the replies is dropped once
# they pile up past a frame and a megabyte.
run "$raw" "$SOCK" flood 400000
expect_status 0
expect_log_match "event=slow_client"

# A module bigger than the frame limit: refused with the option to raise,
# the daemon survives.
head -c 8192 /dev/zero >"$TMP/big.wasm"
run ctl push "$TMP/big.wasm"
expect_status 1
expect_err_match "exceeds the limit of 4096 \(wasmd --max-frame, max-frame in wasmd.conf\)"

st=0
wait "$idle" || st=$?
[ "$st" -eq 1 ] || fail "an unrelated connection was closed: $(cat "$TMP/idle.out")"
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
run ctl run --invoke add add 2 3
expect_out 5
expect_log_match "event=bad_frame"
stop_daemon
