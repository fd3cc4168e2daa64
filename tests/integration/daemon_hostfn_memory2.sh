# SPDX-License-Identifier: Apache-2.0
# daemon_hostfn_memory2 (issue 15, multi-memory through the daemon): host
# functions of a module with two memories name the one they work on: a
# (ptr, len) argument declared on memory 1 comes from memory 1, a write
# queued for memory 1 lands there, memory_read/memory_write round trips
# reach memory 1 or memory 0 as named, memory 0 is left alone, and a
# memory the module lacks (2) is refused with an error naming it while
# the guest survives.
. "$IT_LIB"
[ -x "$IT_BIN/wasmd-it-hostclient" ] || fail "missing $IT_BIN/wasmd-it-hostclient: build it first"
[ -f "$IT_FIXTURES/hostfn_mem2.wasm" ] || fail "missing $IT_FIXTURES/hostfn_mem2.wasm: build it first"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/hostfn_mem2.wasm" --name mem2
expect_status 0
run "$IT_BIN/wasmd-it-hostclient" mem2 mem2
expect_status 0
grep -q "^greet ok (memory 1)" <<<"$OUT" || fail "greet: $OUT"
grep -q "^memory 2: .*the module has no memory 2" <<<"$OUT" || fail "memory 2 was not refused by name: $OUT"
grep -q "^peek ok (memory 1)" <<<"$OUT" || fail "peek: $OUT"
expect_log_match "export=peek outcome=ok"
stop_daemon
