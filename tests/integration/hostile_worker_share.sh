#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_worker_share (issue 21, rows 7 and 8): three tenants each keep
# 8 calls spinning (an endless loop, 20 s deadline) under --max-workers 16.
# Before sched.c there was no cap (every job had a worker of its own, 24
# spinning processes here); with a cap alone and one first-come queue, a
# fourth tenant's call would wait for a spinner's deadline. Now the workers
# never pass the cap, the spinners' other jobs wait in the queue, and the
# last 2 slots (16 / 8) go only to tenants holding no worker: the spinners
# fill 14 slots, at most one of their tenants holds none then, so the
# fourth tenant's trivial calls are served at once (each within 5 s, a
# bound for a loaded CI machine, far below the spinners' 20 s). Tenants
# are uids 60001..60004 (needs root).
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to run clients as other uids"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
start_daemon --pool 1 --socket-mode 0666 --max-workers 16 --drain-grace 2s
push_add 60004
spin_tenants 8 60001 60002 60003
# 14 or 15 spinners run (16 slots less the 2 kept, one of them taken by
# a spinning tenant that holds none, if any); the others wait.
wait_spins 14
sleep 0.5
n=$(workers)
[ "$n" -le 16 ] || fail "$n workers under --max-workers 16"

probe_add 60004
n=$(workers)
[ "$n" -le 16 ] || fail "$n workers under --max-workers 16"
started=$(spins_started)
[ "$started" -le 15 ] || fail "$started spinners started under --max-workers 16"
stop_spinners
grep -E 'tenant=uid:60004 .*export=add' "$LOG" >&2
stop_daemon
