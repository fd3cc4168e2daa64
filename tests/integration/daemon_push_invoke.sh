# SPDX-License-Identifier: Apache-2.0
# daemon_push_invoke: push a module, list, inspect, invoke it by name, by
# digest and by digest prefix; remove it; a removed module is not found.
. "$IT_LIB"
start_daemon --pool 1

run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
digest=$OUT
[[ "$digest" =~ ^[0-9a-f]{64}$ ]] || fail "push printed '$digest', not a digest"
[ "$digest" = "$(sha256sum "$IT_FIXTURES/add.wasm" | cut -d' ' -f1)" ] ||
	fail "the digest is not the sha256 of the bytes"

run ctl ls
expect_status 0
grep -q "${digest:0:12}" <<<"$OUT" || fail "ls does not show the module: $OUT"
grep -q "add" <<<"$OUT" || fail "ls does not show the name: $OUT"

run ctl inspect add
expect_status 0
grep -q "add" <<<"$OUT" || fail "inspect does not show the export: $OUT"

run ctl run --invoke add add 2 40
expect_status 0
expect_out 42
run ctl run --invoke add "$digest" -- -5 3
expect_status 0
expect_out -2
run ctl run --invoke add "${digest:0:12}" 1 1
expect_status 0
expect_out 2

# Pushing the same bytes again is harmless and adds a name.
run ctl push "$IT_FIXTURES/add.wasm" --name plus
expect_status 0
expect_out "$digest"
run ctl run --invoke add plus 20 22
expect_out 42

run ctl run --invoke nosuch add
expect_status 127

# The module with every name (rm of a name alone: daemon_remove.sh).
run ctl rm --all-names add
expect_status 0
run ctl run --invoke add plus 1 2
expect_status 1
expect_err_match "no module|not found"
run ctl inspect "$digest"
expect_status 1
expect_log_match "event=invoke .*outcome=ok"
stop_daemon
