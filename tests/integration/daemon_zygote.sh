# SPDX-License-Identifier: Apache-2.0
# daemon_zygote: --worker-spawn zygote. Workers are forked by one confined
# `wasmd-worker zygote` and are still the supervisor's children, confined
# twice (the zygote's filter and the worker's), with RLIMIT_NPROC 0; jobs,
# a sandbox violation and the zygote's death (SIGKILL mid-run: exec
# fallback, then a new zygote) all behave as with exec'd workers.
# --worker-max-invokes 1: every job in a new worker, so that the zygote
# forks many (warm workers would serve them all from a few).
. "$IT_LIB"

# proc_field PID KEY: a field of /proc/PID/status ("" when gone).
proc_field() {
	local key val
	{ while read -r key val _; do
		[ "$key" = "$2:" ] && { echo "$val"; return 0; }
	done <"/proc/$1/status"; } 2>/dev/null || true
}

# ppid_of PID: the 4th field of /proc/PID/stat (the name has no spaces).
ppid_of() {
	local stat
	read -r stat <"/proc/$1/stat" || return 0
	set -- $stat
	echo "$4"
}

is_zygote_cmd() {
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q " zygote "
}

# zygote_pid: the daemon's child that is the zygote (one seccomp filter).
zygote_pid() {
	local p
	for p in $(worker_pids); do
		if is_zygote_cmd "$p" && [ "$(proc_field "$p" Seccomp_filters)" = 1 ]; then
			echo "$p"
			return 0
		fi
	done
}

# wait_log_count REGEX N: until the log has N matching lines (10 s).
wait_log_count() {
	for _ in $(seq 200); do
		[ "$(grep -Ec -- "$1" "$LOG" || true)" -ge "$2" ] && return 0
		sleep 0.05
	done
	fail "the log has fewer than $2 lines matching /$1/"
}

invoke_add_n() {
	local i
	for i in $(seq "$1"); do
		run ctl run --invoke add add 2 "$i"
		expect_status 0
		expect_out "$((2 + i))"
	done
}

run "$WASMD_BIN/wasmd" --worker-spawn fork --check-config
[ "$STATUS" -ne 0 ] || fail "--worker-spawn fork was accepted"

start_daemon --pool 2 --worker-spawn zygote --worker-max-invokes 1
wait_log_count "event=zygote_ready" 1
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
# Enough jobs that the workers started before the zygote was ready (exec)
# are used up: from here on every worker comes from the zygote.
invoke_add_n 4
wait_log_count "event=worker_ready pid=[0-9]+ spawn=zygote" 3

# The workers: the supervisor's children, forked from the zygote (its
# command line), with both filters stacked and no right to a process.
zyg=$(zygote_pid)
[ -n "$zyg" ] || fail "no zygote among the daemon's children"
[ "$(ppid_of "$zyg")" = "$DAEMON_PID" ] || fail "the zygote is not the daemon's child"
[ "$(proc_field "$zyg" NoNewPrivs)" = 1 ] || fail "the zygote lacks no_new_privs"
[ "$(proc_field "$zyg" Seccomp)" = 2 ] || fail "the zygote has no seccomp filter"
wait_workers 3
forked=0
for p in $(worker_pids); do
	[ "$p" = "$zyg" ] && continue
	[ "$(ppid_of "$p")" = "$DAEMON_PID" ] || fail "worker $p is not the daemon's child"
	is_zygote_cmd "$p" || continue
	forked=$((forked + 1))
	[ "$(proc_field "$p" Seccomp_filters)" = 2 ] ||
		fail "forked worker $p has $(proc_field "$p" Seccomp_filters) filters, expected 2"
	grep -Eq "^Max processes +0 +0 " "/proc/$p/limits" ||
		fail "forked worker $p may create processes: $(grep processes "/proc/$p/limits")"
	grep -Eq "^Max core file size +0 +0 " "/proc/$p/limits" ||
		fail "forked worker $p may dump core"
done
[ "$forked" -ge 1 ] || fail "no idle worker was forked by the zygote"

# Many in a row, each in a fresh forked worker.
invoke_add_n 40
[ "$(grep -Ec "event=worker_ready pid=[0-9]+ spawn=zygote" "$LOG")" -ge 40 ] ||
	fail "the workers were not forked by the zygote"

# A forked worker that makes a forbidden system call dies of SIGSYS.
if [ "${WASMD_TEST_HOOKS:-OFF}" = ON ]; then
	run ctl push "$IT_FIXTURES/forbidden.wasm" --name forbidden
	expect_status 0
	run ctl run --invoke run forbidden
	expect_status 1
	expect_err_match "forbidden system call|sandbox"
	expect_log_match "outcome=ERR_SANDBOX_VIOLATION"
	wpid=$(grep -E "event=job_start .* worker=" "$LOG" | tail -1 | sed -E 's/.* worker=([0-9]+).*/\1/')
	expect_log_match "event=worker_ready pid=$wpid spawn=zygote"
fi

# The zygote killed mid-run: invokes go on (exec'd workers meanwhile), the
# daemon logs the loss, and a new zygote takes over after its backoff.
ctl run --invoke add add 1 1 >/dev/null &
bg=$!
kill -9 "$zyg"
invoke_add_n 10
wait "$bg" || fail "an invoke failed while the zygote died"
expect_log_match "event=zygote_lost pid=$zyg reason=\"it exited\""
expect_log_match "event=zygote_exit pid=$zyg status=0x9"
wait_log_count "event=zygote_ready" 2
before=$(grep -Ec "spawn=zygote" "$LOG")
invoke_add_n 5
after=$(grep -Ec "spawn=zygote" "$LOG")
[ "$after" -gt "$before" ] || fail "the new zygote forks no workers"
new=$(zygote_pid)
[ -n "$new" ] && [ "$new" != "$zyg" ] || fail "no new zygote"
# Its death was never a job's.
grep -Eq "outcome=ERR_CRASH" "$LOG" && fail "a job was reported crashed"

stop_daemon
# The daemon killed and reaped its zygote at shutdown.
[ ! -e "/proc/$new" ] || fail "the zygote outlived the daemon"

# A reload that changes the memory limit replaces the zygote too: its
# children would inherit the old RLIMIT_AS. Its workers serve jobs of the
# default memory limit.
printf '[limits]\ndefault-memory = 256MiB\n' >"$TMP/wasmd.conf"
start_daemon --pool 1 --worker-spawn zygote --worker-max-invokes 1 -c "$TMP/wasmd.conf"
wait_log_count "event=zygote_ready" 3
old=$(zygote_pid)
tr '\0' ' ' <"/proc/$old/cmdline" | grep -q -- "--memory-limit 268435456" ||
	fail "the zygote was not given the configured memory limit"
printf '[limits]\ndefault-memory = 512MiB\n' >"$TMP/wasmd.conf"
kill -HUP "$DAEMON_PID"
wait_log_count "event=zygote_ready" 4
expect_log_match "event=zygote_lost pid=$old reason=\"the configuration changed\" retry_s=0"
new=$(zygote_pid)
[ -n "$new" ] && [ "$new" != "$old" ] || fail "no new zygote after the reload"
tr '\0' ' ' <"/proc/$new/cmdline" | grep -q -- "--memory-limit 536870912" ||
	fail "the new zygote does not have the new memory limit"
invoke_add_n 3
stop_daemon

# A zygote that names a pid not the daemon's child (pid 1) is dropped and
# the worker exec'd: invokes go on, and pid 1 is neither killed nor waited.
export FAKE_ZYGOTE_REAL="$WASMD_BIN/wasmd-worker"
ready=$(grep -c "event=zygote_ready" "$LOG")
start_daemon --pool 1 --worker-spawn zygote --worker-max-invokes 1 --worker "$(dirname "$IT_LIB")/fake_zygote.sh"
wait_log_count "event=zygote_ready" $((ready + 1))
invoke_add_n 3
expect_log_match "event=zygote_lost pid=[0-9]+ reason=\"it replied with a pid not our child\""
grep -Eq "event=worker_ready pid=1 " "$LOG" && fail "pid 1 was taken for a worker"
stop_daemon
