#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_cpu_share (issue 21, row 8): three tenants each keep 8 calls
# spinning (an endless loop, 20 s deadline), with no worker cap, while a
# fourth tenant makes trivial calls. All workers used to run at the
# daemon's own nice level, so 24 spinners on 2 CPUs took the fourth
# tenant's call from 2.6 ms to 280 ms at the median and 2.4 s at p99. Now
# (--cpu-fairness nice, sched.c) a tenant running more calls than its
# share of the CPUs has them run at a higher nice level: here every
# spinning worker runs above the daemon's level, the fourth tenant's
# worker at it, and its calls come back at once (each within 5 s, a bound
# for a loaded CI machine). Tenants are uids 60001..60004 (needs root).
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to run clients as other uids"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
# 8 calls of a tenant are above its share only while 3 tenants share
# fewer than 24 CPUs.
[ "$(nproc)" -lt 24 ] || skip "$(nproc) CPUs: 8 spinning calls are within a tenant's share"
start_daemon --pool 1 --socket-mode 0666 --max-workers 0 --drain-grace 2s
push_add 60004
spin_tenants 8 60001 60002 60003
wait_spins 24
sleep 0.5 # nice levels are set once per loop iteration

base=$(nice_of "$DAEMON_PID")
for t in 60001 60002 60003; do
	for pid in $(job_workers "uid:$t"); do
		n=$(nice_of "$pid" 2>/dev/null) || continue # gone
		kill -0 "$pid" 2>/dev/null || continue
		grep -qE "event=job_start tenant=uid:$t .*worker=$pid .*module=(sent|cached)" "$LOG" || continue
		[ "$n" -gt "$base" ] || fail "spinning worker $pid of uid $t runs at nice $n, the daemon at $base"
	done
done
echo "spinning workers' nice levels: $(for p in $(job_workers 'uid:6000[123]'); do nice_of "$p" 2>/dev/null; done | sort -n | uniq -c | tr '\n' ' ') (daemon $base)" >&2

probe_add 60004
# Its worker, idle now, is at the daemon's level for the next call.
w=$(job_workers uid:60004 | tail -1)
[ "$(nice_of "$w")" -eq "$base" ] || fail "the fourth tenant's worker $w is at nice $(nice_of "$w")"
grep -E 'tenant=uid:60004 .*export=add' "$LOG" >&2
stop_spinners
stop_daemon
