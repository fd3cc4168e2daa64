# SPDX-License-Identifier: Apache-2.0
# daemon_malformed_module: a module that does not validate is rejected with
# the worker's message (ERR_INVALID_MODULE), nothing is stored, and the
# daemon keeps serving.
. "$IT_LIB"
start_daemon --pool 1
printf '\0asm\1\0\0\0\1\377garbage' >"$TMP/bad.wasm"
run ctl push "$TMP/bad.wasm" --name bad
expect_status 1
[ -n "$ERR" ] || fail "no error message for an invalid module"
expect_log_match "event=push .*outcome=ERR_INVALID_MODULE"
printf 'not wasm at all' >"$TMP/junk.wasm"
run ctl push "$TMP/junk.wasm"
expect_status 1

run ctl ls
expect_status 0
grep -q bad <<<"$OUT" && fail "the invalid module was stored: $OUT"
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
run ctl run --invoke add add 1 2
expect_status 0
expect_out 3
stop_daemon
