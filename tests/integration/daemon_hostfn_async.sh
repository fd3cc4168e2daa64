# SPDX-License-Identifier: Apache-2.0
# daemon_hostfn_async: 32 invocations in flight at once on one connection
# through the event-loop API (libevent adapter), each one calling the
# client's host function; every callback runs once with its own result.
# Then 16 in flight whose callbacks make memory round trips: the other
# calls' host calls that arrive meanwhile wait their turn.
. "$IT_LIB"
[ -x "$IT_BIN/wasmd-it-hostclient" ] || fail "missing $IT_BIN/wasmd-it-hostclient: build it first"
start_daemon --pool 2 --max-concurrent 64
run ctl push "$IT_FIXTURES/hostcall.wasm" --name hc
expect_status 0
run "$IT_BIN/wasmd-it-hostclient" async hc 32
expect_status 0
grep -q "^in flight: 32$" <<<"$OUT" || fail "not 32 in flight: $OUT"
grep -q "^async done=32 ok=32 host_calls=32$" <<<"$OUT" || fail "$OUT"
run ctl push "$IT_FIXTURES/hostfn_mem.wasm" --name mem
expect_status 0
run "$IT_BIN/wasmd-it-hostclient" async_mem mem 16
expect_status 0
grep -q "^async done=16 ok=16 host_calls=16$" <<<"$OUT" || fail "$OUT"
stop_daemon
