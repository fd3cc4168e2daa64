# SPDX-License-Identifier: Apache-2.0
# daemon_fd_limit: out of file descriptors, wasmd pauses accepting instead
# of spinning. The daemon's RLIMIT_NOFILE is lowered (prlimit) to a few
# more than it uses; more clients than that connect and hold their
# connections until the idle timeout closes them. Meanwhile the daemon
# uses little CPU and logs one warning; once the held connections close,
# the waiting clients are served and a new call succeeds.
. "$IT_LIB"
command -v prlimit >/dev/null || skip "no prlimit (util-linux)"
start_daemon --pool 1 --idle-timeout 2s
wait_workers 1

# Room for one push at its peak: the connection, the module's memfd, the
# snapshot memfd, the store write's duplicate, eventfd and temp file, and a
# spare worker's socketpair while it spawns (8 to 9). At used + 8 this test
# failed in CI when the spawn overlapped the write (EMFILE on the push).
spare=12
used=$(ls "/proc/$DAEMON_PID/fd" | wc -l)
limit=$((used + spare))
prlimit --pid "$DAEMON_PID" --nofile="$limit:$limit" || skip "cannot lower the daemon's RLIMIT_NOFILE"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$DAEMON_PID/stat"; }

# Twice as many clients as the limit lets in: each says hello and waits
# (up to 12 s) for the daemon to close it when idle.
holders=()
for _ in $(seq $((2 * spare))); do
	"$IT_BIN/wasmd-it-rawclient" "$SOCK" idle 12000 >/dev/null 2>&1 &
	holders+=($!)
done
sleep 0.5
before=$(cpu_ticks)
sleep 2
after=$(cpu_ticks)
hz=$(getconf CLK_TCK)
echo "at the fd limit: $((after - before)) CPU ticks in 2 s (hz $hz), $(grep -c 'event=accept' "$LOG") accept lines"
# Measured before the fix: 23 ticks (11% of a core, 72,786 log lines);
# after: 0. Paused, the daemon should use under 5% of a core.
[ $((after - before)) -lt $((hz / 10)) ] ||
	fail "the daemon used $((after - before)) CPU ticks in 2 s at the fd limit (hz $hz): it spins"
expect_log_match "event=accept outcome=paused error=\"Too many open files\""
n=$(grep -c "event=accept outcome=paused" "$LOG")
[ "$n" -eq 1 ] || fail "$n pause warnings, not one"

# The held connections close at the idle timeout; every client is served.
failed=0
for p in "${holders[@]}"; do
	wait "$p" || failed=$((failed + 1))
done
[ "$failed" -eq 0 ] || fail "$failed of $((2 * spare)) clients were not served after connections closed"
run ctl run --invoke add "$IT_FIXTURES/add.wasm" 20 22
expect_status 0
expect_out 42
n=$(grep -c "event=accept outcome=paused" "$LOG")
[ "$n" -eq 1 ] || fail "$n pause warnings, not one"
stop_daemon
