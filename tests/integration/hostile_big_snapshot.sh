#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_big_snapshot (issue 21, row 11): fresh invokes of a 100 MiB
# module with a snapshot (its initializer f leaves the 100 MiB memory image
# in it), on workers that lack both. The supervisor used to read the module
# and the snapshot into its heap and copy them into one memfd per worker,
# on the event loop (measured at load 5, 3 invokes: another tenant's
# slowest list 1.6-4.2 s, the supervisor's peak RSS +200 MiB). Now the
# worker gets both stored files, read-only, as two descriptors
# (daemon/modfd.c; measured: 5-37 ms, +0 MiB). Asserted, while 3 such
# invokes run at once: they succeed (a worker that lacks the snapshot's
# bytes refuses the invoke, so each got them); another tenant's list
# requests on one connection are each answered within 300 ms; the
# supervisor's peak resident size (reset after the push, whose snapshot
# reply it reads) grows by less than half the module. Under ASan the
# memory bound does not apply. The other tenant is uid 60004 (needs root).
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to run a client as another uid"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
start_daemon --pool 2 --socket-mode 0666 --max-frame 160MiB \
	--tenant-memory 512MiB --memory-budget 768MiB --max-memory 512MiB \
	--default-memory 512MiB --max-module-bytes 1GiB
big_module "$TMP/big.wasm" 100
run ctl push --init f "$TMP/big.wasm" --name big
expect_status 0
run ctl inspect big
expect_status 0
grep -Eq '^snapshot [0-9]+ bytes' <<<"$OUT" || fail "the push made no snapshot: $OUT"

# The push read the snapshot's bytes (a worker's reply): measure from here.
echo 5 >"/proc/$DAEMON_PID/clear_refs" || skip "cannot reset the daemon's peak RSS (clear_refs)"
big_watch
all3 invoke ctl run -W max-memory-size=512MiB --invoke f big
big_unwatch
[ "$(grep -c 'event=job_start .*module=sent' "$LOG")" -ge 3 ] ||
	fail "the invokes did not get the module's bytes sent: $(grep event=job_start "$LOG")"
big_bounds "3 fresh invokes of a 100 MiB module from its snapshot" "$BIG_BASE"
stop_daemon
