# SPDX-License-Identifier: Apache-2.0
# daemon_remove: what wasmctl rm, untag and prune remove in a real store. A
# name goes alone (the module with its last name), a digest takes the
# module and its names, --all-names the module a name points at; untag
# never removes a module; prune removes the unnamed ones. run FILE removes
# the module its push added, unless --keep or it was stored before.
. "$IT_LIB"
start_daemon --pool 1
add="$IT_FIXTURES/add.wasm"
digest=$(sha256sum "$add" | cut -d' ' -f1)

has_module() { ctl inspect "$digest" >/dev/null 2>&1; }

# rm NAME with another name left: only that name goes.
ctl push "$add" --name add >/dev/null
ctl push "$add" --name plus >/dev/null
run ctl rm add
expect_status 0
expect_out "untagged add"
run ctl run --invoke add plus 20 22
expect_out 42
run ctl inspect add
expect_status 1
# ... and with its last name, the module too.
run ctl rm plus
expect_status 0
expect_out "untagged plus
removed $digest"
has_module && fail "rm of the last name left the module"

# untag never removes the module; a digest is not a name to untag.
ctl push "$add" --name add >/dev/null
run ctl untag add
expect_status 0
has_module || fail "untag removed the module"
run ctl untag "$digest"
expect_status 1
expect_err_match "no name .* \(untag removes names only\)"
run ctl ls
grep -q "^${digest:0:12} .* -$" <<<"$OUT" || fail "ls does not show an unnamed module: $OUT"

# rm DIGEST (a prefix here) removes the module with its names.
ctl push "$add" --name a >/dev/null
ctl push "$add" --name b >/dev/null
run ctl rm "${digest:0:16}"
expect_status 0
expect_out "untagged a
untagged b
removed $digest"
run ctl inspect a
expect_status 1
# rm --all-names NAME: today's behaviour, spelled out.
ctl push "$add" --name a >/dev/null
ctl push "$add" --name b >/dev/null
run ctl --json rm --all-names a
expect_status 0
[ "$(tr -d ' \n' <<<"$OUT")" = '{"untagged":["a","b"],"removed":["'"$digest"'"]}' ] ||
	fail "rm --all-names --json: $OUT"
has_module && fail "rm --all-names left the module"

# A digest prefix under 12 digits says how many are needed.
ctl push "$add" --name add >/dev/null
run ctl inspect "${digest:0:8}"
expect_status 1
expect_err_match "a digest prefix needs at least 12 hex digits"

# prune: the unnamed modules only.
ctl push "$IT_FIXTURES/spin.wasm" >/dev/null
spin=$(sha256sum "$IT_FIXTURES/spin.wasm" | cut -d' ' -f1)
run ctl prune
expect_status 0
expect_out "removed $spin"
has_module || fail "prune removed a named module"

# run FILE: the module its push added is removed afterwards...
run ctl run --invoke one "$IT_FIXTURES/spin.wasm"
expect_status 0
expect_out 1
run ctl inspect "$spin"
expect_status 1
# ... unless --keep,
run ctl run --keep --invoke one "$IT_FIXTURES/spin.wasm"
expect_out 1
run ctl inspect "$spin"
expect_status 0
# ... or it was stored before (named, or unnamed as just kept).
run ctl run --invoke one "$IT_FIXTURES/spin.wasm"
expect_out 1
run ctl inspect "$spin"
expect_status 0
run ctl run --invoke add "$add" 1 2
expect_out 3
run ctl inspect add
expect_status 0

# Hints: fuel given, imports wasmctl does not serve.
run ctl run -W fuel=1000 --invoke spin "$spin"
expect_status 134
expect_err_match "out of fuel after 1000 units of fuel \(give more with -W fuel=N"
run ctl run --invoke hostcall "$IT_FIXTURES/hostcall.wasm" 1
expect_status 1
expect_err_match "unknown import env.h.*wasmctl run serves only WASI imports and the wasmd.\* built-ins"
# A scope this daemon does not know is refused; nothing is removed.
run "$IT_BIN/wasmd-it-rawclient" "$SOCK" remove add 7
expect_status 0
expect_out "error 1: unknown remove scope 7"
has_module || fail "an unknown scope removed the module"
expect_log_match "event=untag .*name=add"
stop_daemon
