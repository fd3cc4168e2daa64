#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_connections (issue 21, row 5): one tenant holding every
# connection slot, keeping each alive with a request every 300 ms, locked
# every other tenant out. Now a tenant holds at most
# --max-tenant-connections (7 of 8 here; one more is refused naming the
# limit), and when every slot is taken a newcomer from a tenant holding
# fewer connections evicts the least recently active idle connection of
# the tenant holding the most (admit.c): the pings do not keep the slot.
# Needs root, to run the other tenant's clients as nobody (65534).
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to run a client as another uid"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
start_daemon --pool 1 --socket-mode 0666 --max-connections 8 \
	--max-tenant-connections 7
cp "$IT_FIXTURES/add.wasm" "$TMP/add.wasm"
chmod 644 "$TMP/add.wasm"
run as_nobody "$WASMD_BIN/wasmctl" push "$TMP/add.wasm" --name add
expect_status 0

# root takes 7 connections (the 8th is refused: its own limit) and pings.
"$IT_BIN/wasmd-it-faultclient" "$SOCK" hog 8 5000 300 >"$TMP/hog.out" 2>&1 &
hogger=$!
for _ in $(seq 100); do
	grep -q "^held" "$TMP/hog.out" && break
	sleep 0.05
done
grep -q "^held 7 refused 1" "$TMP/hog.out" || fail "root's connections: $(cat "$TMP/hog.out")"
expect_log_match "connection limit 7 per tenant reached \(--max-tenant-connections\)"

# nobody holds the 8th slot; the table is full.
as_nobody "$IT_BIN/wasmd-it-faultclient" "$SOCK" hog 1 4000 300 >"$TMP/other.out" 2>&1 &
other=$!
for _ in $(seq 100); do
	grep -q "^held" "$TMP/other.out" && break
	sleep 0.05
done
sleep 0.5
# nobody is still served: each call evicts one of root's idle connections.
start=$(date +%s%N)
for i in 1 2 3; do
	run as_nobody timeout 10 "$WASMD_BIN/wasmctl" run --invoke add add 40 "$i"
	expect_status 0
	expect_out $((40 + i))
done
ms=$((($(date +%s%N) - start) / 1000000))
echo "nobody's 3 invokes with every slot taken: $ms ms" >&2
expect_log_match "event=evict tenant=uid:0 .*for=uid:65534"
wait "$hogger"
echo "root's pinging connections: $(cat "$TMP/hog.out")" >&2
evicted=$(awk '{print $6}' "$TMP/hog.out")
[ "$evicted" -ge 1 ] || fail "no connection of root's was evicted: $(cat "$TMP/hog.out")"
wait "$other"
grep -q "evicted 0" "$TMP/other.out" || fail "the smaller tenant lost a connection: $(cat "$TMP/other.out")"
stop_daemon
