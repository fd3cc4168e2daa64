#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# daemon_snapshot_memfd: a push's snapshot comes back in the memfd the
# supervisor gave the worker for it (daemon/snapfd.c), and a worker is not
# trusted with it. With a fake worker (fake_worker.c): a snapshot written
# as the real worker writes one is stored; one whose memfd the worker keeps
# mapped (it could change the bytes while they are stored), or whose size
# is not the one its reply says, gets the push a clear error, the worker
# killed and nothing stored (the module keeps its first snapshot); the
# daemon serves on.
. "$IT_LIB"
start_daemon --worker-max-invokes 1 --pool 1 --worker "$IT_BIN/wasmd-it-fakeworker"

run ctl push --init snapok "$IT_FIXTURES/add.wasm" --name m
expect_status 0
run ctl inspect m
expect_status 0
first=$(grep '^snapshot ' <<<"$OUT")
grep -Eq '^snapshot 4096 bytes, [0-9a-f]{64}$' <<<"$first" ||
	fail "the fake worker's snapshot was not stored: $OUT"

run ctl push --init snapmapped "$IT_FIXTURES/add.wasm" --name m
expect_status 1
expect_err_match "snapshot is refused, nothing stored: it kept its snapshot's memfd mapped"
run ctl push --init snaplie "$IT_FIXTURES/add.wasm" --name m
expect_status 1
expect_err_match "memfd holds 4096 bytes, not the 8192 its reply says"

run ctl inspect m
expect_status 0
[ "$(grep '^snapshot ' <<<"$OUT")" = "$first" ] ||
	fail "a refused snapshot changed the stored one: $OUT"
[ -z "$(find "$STATE" -name '.tmp-*')" ] || fail "temp files left: $(find "$STATE" -name '.tmp-*')"
run ctl run --invoke ok m
expect_status 0
expect_out 42
stop_daemon
