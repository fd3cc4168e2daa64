# SPDX-License-Identifier: Apache-2.0
# daemon_fake_worker: the supervisor's handling of workers, with a fake
# worker that misbehaves on request (fake_worker.c): a malformed frame or a
# reply with the wrong id gets the worker killed and the client an error;
# deaths are classified (SIGABRT, SIGSYS, an exit status); host calls are
# relayed both ways; several requests fly on one connection; quotas and
# limits answer ERR_LIMIT naming the limit; idle connections are closed,
# even one that trickles the bytes of a frame it never finishes.
. "$IT_LIB"
start_daemon --worker-max-invokes 1 --pool 2 --worker "$IT_BIN/wasmd-it-fakeworker" \
	--max-modules 2 --max-concurrent 2 --max-fuel 1000 --idle-timeout 1s \
	--default-timeout 1s
raw="$IT_BIN/wasmd-it-rawclient"
run ctl push "$IT_FIXTURES/add.wasm" --name m
expect_status 0

run ctl run --invoke ok m
expect_out 42
run ctl run --invoke garbage m
expect_status 1
expect_err_match "malformed frame"
run ctl run --invoke wrongid m
expect_status 1
expect_err_match "unexpected message"
# A worker that could not read its request says so with id 0: the client
# gets that error, not a crash.
run ctl run --invoke oom0 m
expect_status 1
expect_err_match "does not fit in its memory limit"
run ctl run --invoke abort m
expect_status 1
expect_err_match "signal 6"
run ctl run --invoke exit3 m
expect_status 1
expect_err_match "status 3"
run ctl run --invoke sigsys m
expect_status 1
expect_err_match "forbidden system call"
run ctl run -W timeout=200ms --invoke sleep m
expect_status 1
expect_err_match "200 ms"
run ctl run -W fuel=5000 --invoke ok m
expect_status 1
expect_err_match "max-fuel"

run "$raw" "$SOCK" hostcall m
expect_status 0
grep -q "host_call env.h arg=5" <<<"$OUT" || fail "host call not relayed: $OUT"
grep -q "result=77" <<<"$OUT" || fail "host reply not relayed: $OUT"

run "$raw" "$SOCK" pipeline m ok 2
expect_status 0
[ "$(echo "$OUT" | grep -c 'kind=result')" -eq 2 ] || fail "pipeline: $OUT"
# Three at once with --max-concurrent 2: one is refused.
run "$raw" "$SOCK" pipeline m sleep 3
expect_status 0
grep -q "kind=error" <<<"$OUT" || fail "no concurrency limit: $OUT"
expect_log_match "concurrent|outcome=ERR_TIMEOUT"

printf 'junk' >"$TMP/junk.wasm"
run ctl push "$TMP/junk.wasm"
expect_status 1
expect_err_match "fake: bad magic"
printf '\0asm\1\0\0\0' >"$TMP/a.wasm"
printf '\0asm\1\0\0\0\0' >"$TMP/b.wasm"
run ctl push "$TMP/a.wasm"
expect_status 0
run ctl push "$TMP/b.wasm"
expect_status 1
expect_err_match "module count limit 2 reached"

run "$raw" "$SOCK" idle 4000
expect_status 0
# Half a frame, trickled, is not activity: still closed when idle.
run "$raw" "$SOCK" trickle 6000
expect_status 0
wait_workers 2
stop_daemon
