# SPDX-License-Identifier: Apache-2.0
# daemon_hostfn_memory: a callback reads a string argument from guest
# memory (sent along with the host call) and writes its reply into guest
# memory (sent with the host reply); memory_read/memory_write round trips
# during a host call; out-of-bounds requests are refused with an error
# and the guest survives; an out-of-bounds (ptr, len) argument traps.
. "$IT_LIB"
[ -x "$IT_BIN/wasmd-it-hostclient" ] || fail "missing $IT_BIN/wasmd-it-hostclient: build it first"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/hostfn_mem.wasm" --name mem
expect_status 0
run "$IT_BIN/wasmd-it-hostclient" mem mem
expect_status 0
grep -q "^greet ok" <<<"$OUT" || fail "greet: $OUT"
grep -q "^out of bounds: .*out of bounds of the guest's memory" <<<"$OUT" || fail "no out-of-bounds error: $OUT"
grep -q "^peek ok (the guest survived)" <<<"$OUT" || fail "peek: $OUT"
grep -q "^bad_arg trap: host import env.greet: the (ptr, len) argument in parameters 0 and 1: 100 bytes at 65530 are out of bounds" <<<"$OUT" || fail "bad_arg: $OUT"
expect_log_match "export=peek outcome=ok"
stop_daemon
