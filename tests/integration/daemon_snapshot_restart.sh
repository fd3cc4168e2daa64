# SPDX-License-Identifier: Apache-2.0
# daemon_snapshot_restart: a stored snapshot survives a restart of the
# daemon (it is indexed again from disk, counted and used), and a stray
# temp file of an interrupted snapshot write is removed on start.
. "$IT_LIB"
start_daemon --pool 1
run ctl push "$IT_FIXTURES/snapinit.wasm" --name si
expect_status 0
run ctl inspect si
before=$(grep '^snapshot ' <<<"$OUT")
stop_daemon

dir="$STATE/tenants/uid:$(id -u)/snapshots"
touch "$dir/.tmp-torn-XXXXXX"
start_daemon --pool 1
run ctl inspect si
expect_status 0
[ "$(grep '^snapshot ' <<<"$OUT")" = "$before" ] ||
	fail "the snapshot changed over a restart: '$before' vs '$(grep '^snapshot ' <<<"$OUT")'"
run ctl run --invoke get si
expect_status 0
expect_out 1042
[ ! -e "$dir/.tmp-torn-XXXXXX" ] || fail "a stray temp file stayed"
stop_daemon
