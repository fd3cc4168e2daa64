#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# wasmd_wat_test.sh WASMD_WAT SRC: the build's converter (wat/wasmd_wat.c):
# a module in the text format becomes a binary; a text mistake is reported
# with its file, line and column, a module the engine refuses with the
# engine's reason; neither leaves an output file.
wat=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

"$wat" "$src/examples/fib.wat" -o "$tmp/fib.wasm" || fail "fib.wat refused"
[ "$(head -c 4 "$tmp/fib.wasm" | od -An -c | tr -d ' ')" = '\0asm' ] ||
	fail "fib.wasm has no binary magic"

printf '(module\n  (func (i32.nope)))\n' >"$tmp/typo.wat"
"$wat" "$tmp/typo.wat" -o "$tmp/typo.wasm" 2>"$tmp/err" && fail "typo accepted"
grep -q "typo.wat:2:10: unknown operator i32.nope" "$tmp/err" ||
	fail "typo: $(cat "$tmp/err")"
[ ! -e "$tmp/typo.wasm" ] || fail "typo.wasm written"

printf '(module (func (i32.add)))\n' >"$tmp/invalid.wat"
"$wat" "$tmp/invalid.wat" -o "$tmp/invalid.wasm" 2>"$tmp/err" &&
	fail "invalid module accepted"
grep -q "the engine refuses the module: invalid module" "$tmp/err" ||
	fail "invalid: $(cat "$tmp/err")"
[ ! -e "$tmp/invalid.wasm" ] || fail "invalid.wasm written"
echo "wasmd_wat_test: 3 passed, 0 failed"
