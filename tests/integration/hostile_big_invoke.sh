#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_big_invoke (issue 21, row 11): fresh invokes of a 100 MiB module
# on workers that lack it. The red team saw 8 such invokes take the
# supervisor to 2.2 GB: it read the stored module into its heap and copied
# it into a memfd for each worker, on the event loop (measured with 4 at
# load 8: another tenant waited 1.9 s, the supervisor's peak RSS grew by
# 100 MiB). Now the worker gets the stored file itself, read-only
# (daemon/modfd.c). Asserted, while 3 such invokes run at once: they
# succeed; another tenant's list requests on one connection are each
# answered within 300 ms (measured: 44 ms at load 8); the supervisor's
# peak resident size grows by less than half the module (measured: not
# at all). Under ASan the memory bound does not apply. The other tenant
# is uid 60004 (needs root).
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to run a client as another uid"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
start_daemon --pool 2 --socket-mode 0666 --max-frame 160MiB \
	--tenant-memory 256MiB --memory-budget 512MiB --max-memory 256MiB
big_module "$TMP/big.wasm" 100
run ctl push "$TMP/big.wasm" --name big
expect_status 0

big_watch
all3 invoke ctl run -W max-memory-size=256MiB --invoke f big
big_unwatch
big_bounds "3 fresh invokes of a 100 MiB module" "$BIG_BASE"
stop_daemon
