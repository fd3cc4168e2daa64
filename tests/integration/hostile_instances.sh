#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_instances (issue 21, rows 7 and 17): idle live instances each hold
# a worker; they did not count against --max-concurrent and were not
# limited per tenant. Now a tenant holds at most --max-instances (2 here),
# and each counts as a running job, so with --max-concurrent 2 and one
# instance live only one more invocation runs. A call on an instance that
# is dropped while it runs is answered at once with ERR_NOT_FOUND saying
# so, not reported as a worker crash (ERR_CRASH).
. "$IT_LIB"
[ -x "$IT_BIN/wasmd-it-hostclient" ] || fail "missing $IT_BIN/wasmd-it-hostclient: build it first"
start_daemon --pool 1 --max-concurrent 2 --max-instances 2
run ctl push "$IT_FIXTURES/spin.wasm" --name spin
expect_status 0
run ctl push "$IT_FIXTURES/counter.wasm" --name counter
expect_status 0

# Three instances on one connection: the third is refused by the
# per-tenant instance limit.
run "$IT_BIN/wasmd-it-rawclient" "$SOCK" instances 3 spin
expect_status 0
grep -q "^error 5: .*2 live instances, the most allowed (--max-instances)" <<<"$OUT" ||
	fail "a third instance was not refused by --max-instances: $OUT"

# An idle instance held by one connection ("instance" keeps one until its
# stdin closes), then invocations elsewhere: one runs (the second slot),
# the next is refused, naming the instance.
mkfifo "$TMP/in"
"$IT_BIN/wasmd-it-hostclient" instance counter <"$TMP/in" >"$TMP/inst.out" 2>&1 &
holder=$!
exec 7>"$TMP/in"
for _ in $(seq 200); do
	grep -q "^instance" "$TMP/inst.out" && break
	sleep 0.05
done
grep -q "^instance" "$TMP/inst.out" || fail "no instance: $(cat "$TMP/inst.out")"
ctl run -W timeout=3s --invoke spin spin >/dev/null 2>&1 &
spinner=$!
sleep 0.5
run ctl run --invoke one spin
expect_status 1
expect_err_match "concurrent invocation limit 2 reached \(1 live instances count against it\)"
wait "$spinner" || true
exec 7>&-
wait "$holder" || fail "the instance's client failed: $(cat "$TMP/inst.out")"

# A call on an instance dropped while it runs: a clear answer.
run "$IT_BIN/wasmd-it-rawclient" "$SOCK" dropcall spin spin
expect_status 0
grep -q "^call: error 3: instance 1 ended while this call ran (instance dropped)" <<<"$OUT" ||
	fail "the call on a dropped instance: $OUT"
grep -q "^drop: ok" <<<"$OUT" || fail "the drop: $OUT"
wait_workers 1
run ctl run --invoke one spin
expect_status 0
expect_out 1
stop_daemon
