#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_big_instance (issue 21, row 11): live instances of a 100 MiB
# module (create_instance). The supervisor used to read the stored module
# into its heap and pack it into each creation's frame, on the event loop
# (measured at load 5, 3 creations: another tenant's slowest list 2.1 s,
# the supervisor's peak RSS +400 MiB, and one run in three a creation
# past its 10 s deadline). Now the worker gets the stored file itself,
# read-only, as a fresh invoke's does (daemon/instance.c, daemon/modfd.c;
# measured: 7-32 ms, +0 MiB). Asserted, while 3 clients each create an
# instance at once: each is created; another tenant's list requests on one
# connection are each answered within 300 ms; the supervisor's peak
# resident size grows by less than half the module. Under ASan the memory bound does not
# apply. The other tenant is uid 60004 (needs root).
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to run a client as another uid"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
start_daemon --pool 2 --socket-mode 0666 --max-frame 160MiB \
	--tenant-memory 256MiB --memory-budget 512MiB --max-memory 256MiB \
	--default-memory 256MiB --max-instances 3
big_module "$TMP/big.wasm" 100
run ctl push "$TMP/big.wasm" --name big
expect_status 0

big_watch
all3 create "$IT_BIN/wasmd-it-rawclient" "$SOCK" instances 1 big
big_unwatch
for i in 1 2 3; do
	grep -q '^created ' "$TMP/create$i.out" || fail "instance $i was not created: $(cat "$TMP/create$i.out")"
done
big_bounds "creation of 3 live instances of a 100 MiB module" "$BIG_BASE"
stop_daemon
