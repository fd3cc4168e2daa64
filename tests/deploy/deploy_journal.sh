# SPDX-License-Identifier: Apache-2.0
# deploy_journal: when stderr is the journal's stream (JOURNAL_STREAM names
# its device and inode), each log line starts with a <N> syslog priority;
# errors for a person (a config file's FILE:LINE, a flag) carry <3>, so
# `journalctl -p err` shows them; an inherited JOURNAL_STREAM that is not
# stderr is ignored.
. "$IT_LIB"
JOURNAL_STREAM=$(stat -c '%d:%i' "$LOG")
export JOURNAL_STREAM
start_daemon
run ctl push "$IT_FIXTURES/add.wasm"
expect_status 0
stop_daemon
grep -q '^<5>wasmd: event=start ' "$LOG" || fail "no <5> prefix on the start line"
grep -Eq '^<6>wasmd: event=push tenant=[^ ]+ id=[0-9]+ digest=[0-9a-f]{64} outcome=stored duration_us=[0-9]+$' "$LOG" ||
	fail "no <6> push line with tenant, id, digest, outcome and duration"
grep -v '^<[0-7]>wasmd: ' "$LOG" | grep '^wasmd: ' >/dev/null && fail "a line without a priority prefix"

: >"$LOG"
printf '[limits]\nmax-fuel = lots\n' >"$TMP/bad.conf"
"$WASMD_BIN/wasmd" --check-config -c "$TMP/bad.conf" 2>>"$LOG" && fail "a bad config passed --check-config"
"$WASMD_BIN/wasmd" --check-config --default-fuel 9 --max-fuel 1 2>>"$LOG" && fail "default above maximum passed"
grep -qx '<3>wasmd: .*/bad.conf:2: invalid value "lots" for max-fuel' "$LOG" || fail "the config error is not at <3>"
grep -qx '<3>wasmd: --default-fuel exceeds --max-fuel' "$LOG" || fail "the flag error is not at <3>"
grep -v '^<[0-7]>' "$LOG" >/dev/null && fail "an error line without a priority prefix: $(grep -v '^<[0-7]>' "$LOG")"

: >"$LOG"
export JOURNAL_STREAM=1:1
start_daemon
stop_daemon
grep -q '^wasmd: level=notice event=start ' "$LOG" || fail "a foreign JOURNAL_STREAM was believed"
