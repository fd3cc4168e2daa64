# SPDX-License-Identifier: Apache-2.0
# systemd_nice: under wasmd.service the supervisor can renice its workers
# (--cpu-fairness nice, issue 21): alice runs one call more than there are
# CPUs, so her workers go to a nice level above 0 while they run (the unit
# allows setpriority, and sets LimitNICE=+0 to bring them back to 0). Before, the unit's ~@resources denied setpriority and
# every worker stayed at the daemon's level.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sd_require_box
fresh_wasmd
push_as alice wait.wasm wait
n=$(($(box nproc) + 1))

# reniced: a wasmd-worker in the box runs at a nice level above 0 now.
reniced() {
	box sh -c 'for s in /proc/[0-9]*/stat; do
		l=$(cat "$s" 2>/dev/null) || continue
		case $l in *"(wasmd-worker)"*) echo "$l" | cut -d" " -f19 ;; esac
	done' | grep -qv '^0$'
}

pids=()
for _ in $(seq "$n"); do
	ctl_as alice run --invoke wait wait 4000 >/dev/null 2>&1 &
	pids+=($!)
done
wait_running "$n"
until_true 10 reniced
for p in "${pids[@]}"; do
	wait "$p" || fail "a call of alice's failed"
done
run ctl_as alice run --invoke wait wait 1
expect_status 0
# Raising a level must never have failed. Lowering one back needs the
# unit's LimitNICE=+0 in effect: systemd cannot raise that hard limit in a
# container without CAP_SYS_RESOURCE (systemd-nspawn's default), and then
# the worker retires when idle, as wasmd(8) says; it is checked where the
# limit took.
! grep -q "event=worker_nice.*unavailable" <<<"$(journal)" ||
	fail "setpriority failed under the unit: $(journal | grep event=worker_nice)"
limit=$(box sh -c "awk '/^Max nice priority/ {print \$4}' /proc/$(prop MainPID)/limits")
if [ "$limit" -ge 20 ]; then
	! grep -q "event=worker_nice" <<<"$(journal)" ||
		fail "lowering a nice level failed with LimitNICE=+0: $(journal | grep event=worker_nice)"
else
	echo "LimitNICE=+0 not in effect here (RLIMIT_NICE $limit): lowering not checked" >&2
fi
exit 0
