# SPDX-License-Identifier: Apache-2.0
# lib.sh: sourced by every daemon integration scenario (daemon_*.sh).
#
# Gives each scenario a temp directory with a socket and a state dir, starts
# and stops a real wasmd there, and always stops it (and removes the temp
# directory) on exit, failed or not; on failure the daemon's log is printed.
# ctest sets WASMD_BIN (build/bin), IT_BIN (the helpers), IT_FIXTURES (the
# .wasm fixtures) and WASMD_TEST_HOOKS (ON/OFF); exit 77 means skipped.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/assert.sh" # fail, skip, run, expect_*

: "${WASMD_BIN:?set by ctest}" "${IT_BIN:?set by ctest}" "${IT_FIXTURES:?set by ctest}"
for prog in "$WASMD_BIN/wasmd" "$WASMD_BIN/wasmctl" "$IT_BIN/wasmd-it-rawclient"; do
	[ -x "$prog" ] || { echo "missing $prog: build it first" >&2; exit 1; }
done

read -r IT_MAIN_PID _ </proc/self/stat
TMP=$(mktemp -d /tmp/wasmd-it.XXXXXX)
chmod 755 "$TMP"
SOCK="$TMP/wasmd.sock"
STATE="$TMP/state"
LOG="$TMP/wasmd.log"
DAEMON_PID=
export WASMD_HOST="unix://$SOCK"
touch "$LOG"

it_cleanup() {
	local rc=$?
	local me
	# bash 5.2 may run this trap in a command substitution's subshell too
	# (seen after a background job ends), with a stale $BASHPID: only the
	# script's own process cleans up.
	read -r me _ </proc/self/stat
	[ "$me" = "$IT_MAIN_PID" ] || return "$rc"
	if [ -n "$DAEMON_PID" ]; then
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
	fi
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		echo "--- wasmd log ($LOG)" >&2
		cat "$LOG" >&2 || true
	fi
	rm -rf "$TMP"
	exit "$rc"
}
trap it_cleanup EXIT

# start_daemon [FLAGS...]: starts wasmd and waits until it accepts.
start_daemon() {
	case " $* " in
	*" --worker "*) ;;
	*) [ -x "$WASMD_BIN/wasmd-worker" ] || fail "missing $WASMD_BIN/wasmd-worker: build it first" ;;
	esac
	# Debug level: scenarios read job_start/worker_* lines (a later
	# --log-level among the flags wins).
	"$WASMD_BIN/wasmd" -H "unix://$SOCK" --state-dir "$STATE" --log-level debug "$@" 2>>"$LOG" &
	DAEMON_PID=$!
	for _ in $(seq 200); do
		if [ -S "$SOCK" ] && "$IT_BIN/wasmd-it-rawclient" "$SOCK" list >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "wasmd exited at start"
		sleep 0.05
	done
	fail "wasmd did not start listening on $SOCK"
}

# asan_build: whether wasmd is built with ASan, whose allocator keeps what
# is freed in quarantine and maps terabytes of shadow: bounds on resident
# or virtual size do not apply to it.
asan_build() {
	grep -q libasan <<<"$(ldd "$WASMD_BIN/wasmd" 2>/dev/null)"
}

# start_daemon_as_limited KIB [FLAGS...]: start_daemon under a soft
# RLIMIT_AS of KIB, so that a daemon growing past it fails instead of
# swapping (the hard limit stays: workers set their own). Not under ASan.
start_daemon_as_limited() {
	local kib=$1
	shift
	if asan_build; then
		start_daemon "$@"
		return
	fi
	ulimit -S -v "$kib"
	start_daemon "$@"
	ulimit -S -v unlimited
}

# stop_daemon: SIGTERM; the daemon must exit 0 and remove its socket.
stop_daemon() {
	local st=0
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || st=$?
	DAEMON_PID=
	[ "$st" -eq 0 ] || fail "wasmd exited with status $st after SIGTERM"
	[ ! -e "$SOCK" ] || fail "wasmd left its socket behind"
}

ctl() {
	"$WASMD_BIN/wasmctl" "$@"
}

expect_log_match() {
	grep -Eq -- "$1" "$LOG" || fail "the daemon's log does not match /$1/"
}

# worker_pids: the daemon's child processes (its workers), from /proc.
worker_pids() {
	local f key val pid ppid state
	for f in /proc/[0-9]*/status; do
		pid= ppid= state=
		# Builtins only: processes come and go while this runs.
		{ while read -r key val _; do
			case $key in
			State:) state=$val ;;
			Pid:) pid=$val ;;
			PPid:) ppid=$val; break ;;
			esac
		done <"$f"; } 2>/dev/null || continue
		# A worker that exited but is not reaped yet is gone already.
		if [ "$ppid" = "$DAEMON_PID" ] && [ "$state" != Z ]; then
			echo "$pid"
		fi
	done
}

workers() {
	worker_pids | wc -l
}

# wait_workers N [SECONDS]: until the daemon has exactly N workers.
wait_workers() {
	local want=$1 tries=$((${2:-10} * 20))
	for _ in $(seq "$tries"); do
		[ "$(workers)" -eq "$want" ] && return 0
		sleep 0.05
	done
	fail "expected $want workers, have $(workers)"
}

# a_worker [SECONDS]: the pid of one confined worker, not a zygote (a
# worker's RLIMIT_NPROC is 0, a zygote's is not).
a_worker() {
	local tries=$((${1:-10} * 20)) pid
	for _ in $(seq "$tries"); do
		for pid in $(worker_pids); do
			if grep -Eq '^Max processes +0 ' "/proc/$pid/limits" 2>/dev/null; then
				echo "$pid"
				return 0
			fi
		done
		sleep 0.05
	done
	fail "no confined worker after ${1:-10} s"
}

# job_workers TENANT: the worker pid of each job the tenant started, in
# order, from the daemon's log (event=job_start ... worker=PID).
job_workers() {
	grep -E "event=job_start tenant=$1 " "$LOG" | sed -E 's/.* worker=([0-9]+).*/\1/' || true
}

# last_job_field KEY: KEY's value in the log's last job_start line.
last_job_field() {
	grep -E "event=job_start " "$LOG" | tail -1 | sed -E "s/.* $1=([^ ]+).*/\1/"
}

# wait_gone PID [SECONDS]: until PID is no running worker of the daemon.
wait_gone() {
	local tries=$((${2:-10} * 20))
	for _ in $(seq "$tries"); do
		worker_pids | grep -qx "$1" || return 0
		sleep 0.05
	done
	fail "worker $1 is still running"
}

# as_uid UID CMD...: runs CMD as UID (its own group, no others), as
# another tenant. Needs root and setpriv (the caller skips otherwise).
as_uid() {
	local uid=$1
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"
}

# nice_of PID: the process's nice level (/proc/PID/stat field 19).
nice_of() {
	local stat rest
	read -r stat <"/proc/$1/stat" || return 1
	rest=${stat##*) }
	set -- $rest
	echo "${17}"
}

# spin_tenants N UID...: each UID (a tenant, via as_uid) pushes spin.wasm
# and keeps N calls of its endless loop going (20 s deadline); the clients'
# pids are in SPINNERS (stop_spinners ends them). spins_started: how many
# of those calls a worker took so far (a push's job_start says module=-).
SPINNERS=()
spin_tenants() {
	local n=$1 t
	shift
	cp "$IT_FIXTURES/spin.wasm" "$TMP/spin.wasm"
	chmod 644 "$TMP/spin.wasm"
	SPIN_TENANTS="$*"
	for t in "$@"; do
		run as_uid "$t" "$WASMD_BIN/wasmctl" push "$TMP/spin.wasm" --name spin
		expect_status 0
	done
	for t in "$@"; do
		for _ in $(seq "$n"); do
			# setpriv execs timeout: $! is the process to kill.
			setpriv --reuid="$t" --regid="$t" --clear-groups timeout 25 \
				"$WASMD_BIN/wasmctl" run -W timeout=20s --invoke spin spin \
				>/dev/null 2>&1 &
			SPINNERS+=($!)
		done
	done
}
spins_started() {
	local t n=0
	for t in $SPIN_TENANTS; do
		n=$((n + $(grep -cE "event=job_start tenant=uid:$t .*module=(sent|cached)" "$LOG" || true)))
	done
	echo "$n"
}
# wait_spins N: until N spinning calls started.
wait_spins() {
	for _ in $(seq 300); do
		[ "$(spins_started)" -ge "$1" ] && return 0
		sleep 0.05
	done
	fail "$(spins_started) spinning calls started, not $1"
}
stop_spinners() {
	local p
	for p in "${SPINNERS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${SPINNERS[@]}"; do wait "$p" 2>/dev/null || true; done
	SPINNERS=()
}

# uleb N: N as unsigned LEB128, in printf escapes.
uleb() {
	local v=$1 b out=
	while :; do
		b=$((v & 0x7f))
		v=$((v >> 7))
		[ "$v" -ne 0 ] && b=$((b | 0x80))
		out+=$(printf '\\x%02x' "$b")
		[ "$v" -eq 0 ] && break
	done
	echo "$out"
}

# big_module FILE MIB: a valid module of MIB MiB (hostile_big_*): an
# export f : [] -> [] that does nothing, and one data segment of MIB MiB
# of random bytes at offset 0 of a memory of 16 pages per MiB.
big_module() {
	local size=$(($2 << 20)) seg_head seg_head_len pages
	seg_head="\\x01\\x00\\x41\\x00\\x0b$(uleb "$size")"
	seg_head_len=$(printf "$seg_head" | wc -c)
	pages=$(uleb $(($2 * 16)))
	{
		printf '\x00asm\x01\x00\x00\x00'
		printf '\x01\x04\x01\x60\x00\x00' # type 0: [] -> []
		printf '\x03\x02\x01\x00'         # func 0: type 0
		printf "\\x05$(uleb $((2 + $(printf "$pages" | wc -c))))\\x01\\x00$pages"
		printf '\x07\x05\x01\x01f\x00\x00' # export "f": func 0
		printf '\x0a\x04\x01\x02\x00\x0b' # its body: end
		printf "\\x0b$(uleb $((seg_head_len + size)))$seg_head"
		head -c "$size" /dev/urandom
	} >"$1"
}

# big_watch / big_unwatch: around a hostile_big_* scenario's work, another
# tenant (uid 60004) sends list requests on one connection, one after
# another, timing them into $TMP/lists.out (wasmd-it-rawclient listwhile);
# BIG_BASE is the supervisor's peak resident size (VmHWM, KiB) before, for
# big_bounds.
big_watch() {
	BIG_BASE=$(awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status")
	sleep 300 &
	BIG_SENTINEL=$!
	as_uid 60004 "$IT_BIN/wasmd-it-rawclient" "$SOCK" listwhile "$BIG_SENTINEL" \
		>"$TMP/lists.out" 2>&1 &
	BIG_LISTER=$!
}
big_unwatch() {
	kill "$BIG_SENTINEL"
	wait "$BIG_LISTER" || fail "the other tenant's lists failed: $(cat "$TMP/lists.out")"
}

# all3 NAME CMD...: runs CMD three times at once, each one's output in
# $TMP/NAME1.out to NAME3.out, and fails unless all three succeed.
all3() {
	local name=$1 i pids=()
	shift
	for i in 1 2 3; do
		"$@" >"$TMP/$name$i.out" 2>&1 &
		pids+=($!)
	done
	for i in 1 2 3; do
		wait "${pids[$((i - 1))]}" || fail "$name $i failed: $(cat "$TMP/$name$i.out")"
	done
}

# big_bounds WHAT BASE: the bounds of a hostile_big_* scenario, once its
# work (WHAT, for messages) is done: the other tenant's lists
# ($TMP/lists.out, from wasmd-it-rawclient listwhile) each answered within
# 300 ms, and the supervisor's peak resident size (VmHWM) grown by less
# than 50 MiB, half the module, since BASE KiB (not under ASan).
big_bounds() {
	local peak slowest
	peak=$(awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status")
	slowest=$(sed -n 's/^lists=[0-9]* slowest_ms=\([0-9]*\)$/\1/p' "$TMP/lists.out")
	[ -n "$slowest" ] || fail "no list timing: $(cat "$TMP/lists.out")"
	echo "$1: another tenant's $(cut -d' ' -f1 "$TMP/lists.out") on one connection, the slowest $slowest ms; supervisor peak RSS $((peak / 1024)) MiB (before: $(($2 / 1024)) MiB)" >&2
	[ "$slowest" -le 300 ] || fail "another tenant waited $slowest ms for a list during the $1: the loop stalled"
	asan_build && return 0
	[ "$peak" -lt $(($2 + 50 * 1024)) ] || fail "supervisor peak RSS $peak KiB, $((peak - $2)) KiB more than before the $1: the module's bytes entered its heap"
}

# push_add UID: UID pushes add.wasm (named add). probe_add UID: three
# calls of it as UID, each within 5 s (a bound for a loaded CI machine;
# their times go to stderr).
push_add() {
	cp "$IT_FIXTURES/add.wasm" "$TMP/add.wasm"
	chmod 644 "$TMP/add.wasm"
	run as_uid "$1" "$WASMD_BIN/wasmctl" push "$TMP/add.wasm" --name add
	expect_status 0
}
probe_add() {
	local i start ms
	for i in 1 2 3; do
		start=$(date +%s%N)
		run as_uid "$1" timeout 15 "$WASMD_BIN/wasmctl" run --invoke add add 40 "$i"
		ms=$((($(date +%s%N) - start) / 1000000))
		expect_status 0
		expect_out $((40 + i))
		echo "uid $1's call $i: $ms ms" >&2
		[ "$ms" -lt 5000 ] || fail "uid $1's call $i took $ms ms"
	done
}
