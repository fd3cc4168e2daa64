#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_orphans (issue 21, row 17): a push killed between writing a
# module's bytes and its metadata left a .wasm without its .info, which
# stayed forever, outside the quota. At start the daemon now removes such
# orphans, as it removes temp files of interrupted writes, and keeps every
# whole module. (fault_kill9 kills the daemon during real pushes; this
# makes the exact leftover files.)
. "$IT_LIB"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
digest=$OUT
stop_daemon

mods="$STATE/tenants/uid:0/modules"
orphan=$(printf '%064d' 7)
head -c 300000 /dev/urandom >"$mods/$orphan.wasm"
head -c 1000 /dev/urandom >"$mods/.tmp-$orphan.wasm-Ab12Cd"
start_daemon --pool 1 --max-module-bytes 200K
[ ! -e "$mods/$orphan.wasm" ] || fail "the orphan .wasm is still there"
[ ! -e "$mods/.tmp-$orphan.wasm-Ab12Cd" ] || fail "the temp file is still there"
[ -e "$mods/$digest.wasm" ] && [ -e "$mods/$digest.info" ] || fail "a whole module was removed"
expect_log_match "event=store_load .*$orphan.wasm outcome=removed"
run ctl run --invoke add add 20 22
expect_status 0
expect_out 42
# The quota sees only whole modules: the orphan's 300 KB did not count.
run ctl push "$IT_FIXTURES/spin.wasm"
expect_status 0
stop_daemon
