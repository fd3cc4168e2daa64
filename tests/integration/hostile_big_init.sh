#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_big_init (issue 21, row 11): a push whose initializer fills
# 100 MiB of memory, so its snapshot is a 100 MiB image. The snapshot used
# to come back inside the worker's reply: the supervisor read it into its
# heap, hashed it and wrote it into the store on the event loop (measured
# at load 5: another tenant's slowest list 963 ms, the supervisor's peak
# RSS +203 MiB). Now the worker writes it into a memfd the supervisor gave
# it with the push, and the store's writer thread hashes and copies it
# (daemon/snapshot_store.c, daemon/wasmwrite.c). Asserted, while the push
# runs: it succeeds with a snapshot of 100 MiB or more that invokes start
# from; another tenant's list requests on one connection are each answered
# within 300 ms; the supervisor's peak resident size grows by less than
# half the snapshot. Under ASan the memory bound does not apply. The other
# tenant is uid 60004 (needs root).
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to run a client as another uid"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
start_daemon --pool 2 --socket-mode 0666 --tenant-memory 512MiB \
	--memory-budget 768MiB --max-memory 512MiB --default-memory 512MiB
echo 5 >"/proc/$DAEMON_PID/clear_refs" || skip "cannot reset the daemon's peak RSS (clear_refs)"

big_watch
run ctl push --init fill "$IT_FIXTURES/snapfill.wasm" --name big
big_unwatch
expect_status 0
run ctl inspect big
expect_status 0
size=$(sed -n 's/^snapshot \([0-9]*\) bytes.*/\1/p' <<<"$OUT")
[ -n "$size" ] && [ "$size" -ge $((100 << 20)) ] ||
	fail "the push made no 100 MiB snapshot: $OUT"
big_bounds "push of a module whose initializer fills 100 MiB" "$BIG_BASE"
run ctl run -W max-memory-size=512MiB --invoke last big
expect_status 0
expect_out 165
stop_daemon
