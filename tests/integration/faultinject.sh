# SPDX-License-Identifier: Apache-2.0
# faultinject.sh: sourced (after lib.sh) by the fault_*.sh scenarios that
# inject faults into a running daemon or watch what it costs: starting wasmd
# under the LD_PRELOAD shim libwasmd-it-faultinject.so (faultinject.c),
# which fails its disk writes or its process spawns while $FI_CONTROL
# exists, and reading the daemon's descriptors, CPU time and memory from
# /proc.
FI_SHIM="$IT_BIN/libwasmd-it-faultinject.so"
FI_CONTROL="$TMP/fault-on"

# fi_start_daemon disk|spawn [FLAGS...]: start_daemon under the shim. The
# fault is off until fi_on; disk faults hit files under $STATE.
fi_start_daemon() {
	local mode=$1 asan
	shift
	[ -f "$FI_SHIM" ] || fail "missing $FI_SHIM: build it first"
	# ASan insists on coming first in the list of preloaded libraries.
	asan=$(ldd "$FI_SHIM" | awk '/libasan/ { print $3 }')
	export LD_PRELOAD="${asan:+$asan }$FI_SHIM"
	export FAULTINJECT_CONTROL="$FI_CONTROL" FAULTINJECT_PROG=wasmd
	case $mode in
	disk) export FAULTINJECT_DIR="$STATE" ;;
	spawn) export FAULTINJECT_SPAWN=1 ;;
	*) fail "fi_start_daemon: unknown mode $mode" ;;
	esac
	start_daemon "$@"
	unset LD_PRELOAD FAULTINJECT_CONTROL FAULTINJECT_PROG FAULTINJECT_DIR \
		FAULTINJECT_SPAWN
}

# fi_on [MATCH]: the fault starts (disk: only paths containing MATCH).
fi_on() {
	printf '%s' "${1:-}" >"$FI_CONTROL"
}

fi_off() {
	rm -f "$FI_CONTROL"
}

# fd_count: the supervisor's open descriptors.
fd_count() {
	ls "/proc/$DAEMON_PID/fd" | wc -l
}

# wait_fds N: until the supervisor holds N descriptors again (5 s).
wait_fds() {
	local n
	for _ in $(seq 100); do
		n=$(fd_count)
		[ "$n" -eq "$1" ] && return 0
		sleep 0.05
	done
	fail "the daemon holds $n descriptors, not $1 as before: $(ls -l "/proc/$DAEMON_PID/fd" | awk 'NR > 1 { print $NF }' | tr '\n' ' ')"
}

# cpu_ticks: the supervisor's user+system CPU time, in clock ticks.
cpu_ticks() {
	local stat
	stat=$(cat "/proc/$DAEMON_PID/stat")
	# Fields after the command name (which ends with ")"): utime is the
	# 12th, stime the 13th.
	set -- ${stat##*) }
	echo $((${12} + ${13}))
}

# watch_daemon SECONDS REGEX: waits, then sets EVENTS to the number of log
# lines matching REGEX meanwhile and TICKS to the CPU ticks used meanwhile.
watch_daemon() {
	local events ticks
	events=$(grep -cE -- "$2" "$LOG" || true)
	ticks=$(cpu_ticks)
	sleep "$1"
	EVENTS=$(($(grep -cE -- "$2" "$LOG" || true) - events))
	TICKS=$(($(cpu_ticks) - ticks))
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# rss_kb: the supervisor's resident memory, in KiB.
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status"
}

# hwm_kb: the supervisor's peak resident memory so far, in KiB.
hwm_kb() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON_PID/status"
}

# alive: the daemon is still running (and answers a list).
expect_alive() {
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon is gone"
	run ctl ls
	expect_status 0
}
