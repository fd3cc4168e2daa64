#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_names (issue 21, rows 14 and 17): a tenant flooding names, each a
# synced file, was unlimited; now --max-names bounds them per tenant (5
# here) with ERR_LIMIT naming the flag, while re-pointing a name it has
# still works and another tenant's names are its own. And a name with a
# NUL byte ("ok\0../../x", which C strings silently cut to "ok") is
# refused as a malformed frame instead of being stored as "ok".
. "$IT_LIB"
start_daemon --pool 1 --max-names 5
for i in 1 2 3 4 5; do
	run ctl push "$IT_FIXTURES/add.wasm" --name "n$i"
	expect_status 0
done
run ctl push "$IT_FIXTURES/add.wasm" --name n6
expect_status 1
expect_err_match "name limit 5 reached \(--max-names\)"
[ ! -e "$STATE/tenants/uid:0/names/n6" ] || fail "a name past the limit was written"
# A name the tenant has may point elsewhere: no new name is made.
run ctl push "$IT_FIXTURES/spin.wasm" --name n5
expect_status 0
run ctl run --invoke one n5
expect_status 0
expect_out 1
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	cp "$IT_FIXTURES/add.wasm" "$TMP/add.wasm"
	chmod 644 "$TMP/add.wasm" "$SOCK"
	chmod 666 "$SOCK"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$WASMD_BIN/wasmctl" push "$TMP/add.wasm" --name n6
	expect_status 0
fi

run "$IT_BIN/wasmd-it-rawclient" "$SOCK" nulname
expect_status 0
grep -q "^error 1: .*NUL byte" <<<"$OUT" || fail "a NUL in a name was not refused: $OUT"
[ ! -e "$STATE/tenants/uid:0/names/ok" ] || fail "the name was cut at its NUL and stored"
run ctl ls
expect_status 0
grep -qw ok <<<"$OUT" && fail "a module is named 'ok': $OUT"
run ctl run --invoke add n1 2 3
expect_out 5
stop_daemon
