# SPDX-License-Identifier: Apache-2.0
# daemon_limits: per-daemon and per-tenant limits answer ERR_LIMIT naming
# the limit: connections, module bytes; a request above a maximum is
# refused, not clamped. Uses the fake worker (no engine needed).
. "$IT_LIB"
start_daemon --pool 1 --worker "$IT_BIN/wasmd-it-fakeworker" \
	--max-connections 1 --max-module-bytes 500
raw="$IT_BIN/wasmd-it-rawclient"

# One connection held open; the next one is refused with an error.
"$raw" "$SOCK" idle 1500 >/dev/null 2>&1 &
holder=$!
sleep 0.3
run "$raw" "$SOCK" nohello
expect_status 0
grep -q "connection limit 1 reached" <<<"$OUT" || fail "no connection limit: $OUT"
wait "$holder" || true

# The quota counts each module's bytes and its metadata (the fake worker's
# is about 300 bytes): the first module fits in 500, a second does not.
printf '\0asm\1\0\0\0' >"$TMP/a.wasm"
printf '\0asm\1\0\0\0\0\0\0\0\0' >"$TMP/b.wasm"
run ctl push "$TMP/a.wasm"
expect_status 0
run ctl push "$TMP/b.wasm"
expect_status 1
expect_err_match "module bytes limit 500 reached"
run ctl run -W timeout=2m --invoke ok "$(sha256sum "$TMP/a.wasm" | cut -c1-12)"
expect_status 1
expect_err_match "exceeds the daemon's maximum 60000 \(--max-timeout\)"
stop_daemon
