# SPDX-License-Identifier: Apache-2.0
# deploy_unprivileged: wasmd as wasmd.service runs it: an unprivileged user,
# no capabilities, no_new_privs already set, a umask of 077, systemd's
# STATE_DIRECTORY/RUNTIME_DIRECTORY instead of flags, and the unit's system
# call filter (its SystemCallFilter= lines expanded by systemd-analyze,
# enforced by wasmd-unit-filter with MemoryDenyWriteExecute= and
# RestrictAddressFamilies=AF_UNIX). The workers still confine themselves
# (seccomp needs no privilege under no_new_privs): modules validate and
# run, a forbidden system call is still fatal to its worker only, and
# SIGTERM still ends in exit 0. Needs root to drop to nobody.
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to start wasmd as another user"
command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
RUN="$TMP/run" SVC_STATE="$TMP/lib"
mkdir -p "$RUN" "$SVC_STATE"
chown nobody:nogroup "$RUN" "$SVC_STATE"
chmod 755 "$RUN"
SOCK="$RUN/wasmd.sock"

# The unit's filter, as systemd builds it: its first (allow) line sets the
# allowed calls, each later ~line takes calls out, each later allow line
# puts them back.
expand() {
	local m
	systemd-analyze syscall-filter "$1" 2>/dev/null | tail -n +2 |
		sed 's/^ *//' | grep -v -e '^#' -e '^$' | while read -r m; do
		case $m in
		@*) expand "$m" ;;
		*) echo "$m" ;;
		esac
	done
}
# expand_line WORDS...: every system call the words name, one a line.
expand_line() {
	local w
	for w in "$@"; do case $w in @*) expand "$w" ;; *) echo "$w" ;; esac; done | sort -u
}
FILTER=()
if command -v systemd-analyze >/dev/null; then
	lines=$(sed -n 's/^SystemCallFilter=//p' "$DEPLOY_SRC/wasmd.service")
	[ "$(wc -l <<<"$lines")" -ge 2 ] || fail "no SystemCallFilter= lines in wasmd.service"
	case $lines in "~"*) fail "the unit's first SystemCallFilter= line is a deny line" ;; esac
	: >"$TMP/syscalls"
	while read -r line; do
		case $line in
		"~"*)
			expand_line ${line#\~} >"$TMP/deny"
			comm -23 "$TMP/syscalls" "$TMP/deny" >"$TMP/next"
			;;
		*)
			expand_line $line | sort -u - "$TMP/syscalls" >"$TMP/next"
			;;
		esac
		mv "$TMP/next" "$TMP/syscalls"
	done <<<"$lines"
	grep -qx seccomp "$TMP/syscalls" || fail "the unit's filter does not allow seccomp"
	grep -qx setrlimit "$TMP/syscalls" && fail "expected @resources (setrlimit) denied"
	grep -qx setpriority "$TMP/syscalls" || fail "the unit's filter does not allow setpriority (--cpu-fairness nice)"
	FILTER=("$DEPLOY_BIN/wasmd-unit-filter" "$TMP/syscalls")
	# LeakSanitizer needs ptrace (@debug, denied): leaks are checked elsewhere.
	if grep -q libasan <<<"$(ldd "$WASMD_BIN/wasmd")"; then
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	fi
fi
export WASMD_HOST="unix://$SOCK"
(umask 077 && exec env -u WASMD_HOST STATE_DIRECTORY="$SVC_STATE" RUNTIME_DIRECTORY="$RUN" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs \
	--inh-caps=-all --bounding-set=-all "${FILTER[@]}" "$WASMD_BIN/wasmd") 2>>"$LOG" &
DAEMON_PID=$!
for _ in $(seq 200); do
	[ -S "$SOCK" ] && "$IT_BIN/wasmd-it-rawclient" "$SOCK" list >/dev/null 2>&1 && break
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "wasmd exited at start"
	sleep 0.05
done
[ -S "$SOCK" ] || fail "wasmd did not listen in its RUNTIME_DIRECTORY"
grep -q "NoNewPrivs:.*1" "/proc/$DAEMON_PID/status" || fail "the daemon does not run with no_new_privs"
grep -q "^Uid:.*65534" "/proc/$DAEMON_PID/status" || fail "the daemon does not run as nobody"
[ ${#FILTER[@]} -eq 0 ] || grep -q "^Seccomp:.*2" "/proc/$DAEMON_PID/status" ||
	fail "the daemon does not run under the unit's filter"

run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
run ctl run --invoke add add 2 3
expect_status 0
expect_out 5
[ -n "$(ls "$SVC_STATE/tenants")" ] || fail "nothing stored under STATE_DIRECTORY"
# Stored files are private to the service's user (UMask=0077).
find "$SVC_STATE/tenants" -type f -perm /077 | grep -q . && fail "a stored file is readable by others"
if [ "${WASMD_TEST_HOOKS:-OFF}" = ON ]; then
	run ctl push "$IT_FIXTURES/forbidden.wasm" --name forbidden
	expect_status 0
	run ctl run --invoke run forbidden
	expect_status 1
	expect_log_match "outcome=ERR_SANDBOX_VIOLATION"
fi
run ctl run -W fuel=10000 --invoke spin "$IT_FIXTURES/spin.wasm"
expect_status 134
stop_daemon

# The filter is real: without seccomp(2) in it, workers cannot confine
# themselves and never start.
if [ ${#FILTER[@]} -gt 0 ]; then
	grep -vx seccomp "$TMP/syscalls" >"$TMP/no-seccomp"
	"$DEPLOY_BIN/wasmd-unit-filter" "$TMP/no-seccomp" "$WASMD_BIN/wasmd" \
		-H "unix://$SOCK" --state-dir "$STATE" --pool 1 2>>"$LOG" &
	DAEMON_PID=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
	run ctl push "$IT_FIXTURES/add.wasm"
	expect_status 1
	expect_err_match "workers fail to start"
	stop_daemon
fi
