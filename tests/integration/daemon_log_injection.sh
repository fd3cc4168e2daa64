# SPDX-License-Identifier: Apache-2.0
# daemon_log_injection: text a client or a module chooses cannot forge a log
# line. A Hello's software string and an export name carry a newline, a
# carriage return and a "<0>" journald emergency prefix, and a trap message
# names the export; the log keeps one line per event, every line starts as
# wasmd's own ("wasmd: "), and the hostile bytes show escaped (\x0a).
. "$IT_LIB"
start_daemon --pool 1

forged='<0>wasmd: level=err event=forged'
WASMD_IT_SOFTWARE=$'evil"\n'"$forged"$'\r\n'"$forged" \
	"$IT_BIN/wasmd-it-rawclient" "$SOCK" list >/dev/null ||
	fail "the hostile hello was not answered"

# An export whose name holds a newline and a "<0>" line, which traps.
cat >"$TMP/evil.wat" <<WAT
(module (func (export "f\0a$forged x=\"1\"") unreachable))
WAT
"$WASMD_BIN/wasmd-wat" "$TMP/evil.wat" -o "$TMP/evil.wasm" || fail "wasmd-wat failed"
run ctl push "$TMP/evil.wasm" --name evil
expect_status 0
run ctl run --invoke $'f\n'"$forged"' x="1"' evil
[ "$STATUS" -ne 0 ] || fail "the trapping export did not fail"
run ctl run --invoke "$forged" evil
[ "$STATUS" -ne 0 ] || fail "a missing export did not fail"

expect_log_match 'event=hello .*software="evil\\"\\x0a<0>wasmd: level=err event=forged\\x0d\\x0a<0>wasmd'
expect_log_match 'event=invoke .*export="f\\x0a<0>wasmd: level=err event=forged x=\\"1\\"" outcome=trap'
if grep -n 'event=forged' "$LOG" | grep -v '^[0-9]*:wasmd: ' >/dev/null; then
	fail "a forged line reached the log"
fi
if grep -Evn '^wasmd: level=[a-z]+ ' "$LOG" | grep -q .; then
	fail "a log line does not start as wasmd's own: $(grep -Evn '^wasmd: level=[a-z]+ ' "$LOG" | head -3)"
fi
stop_daemon
