# SPDX-License-Identifier: Apache-2.0
# daemon_push_wat: wasmctl reads modules in the WebAssembly text format
# (told by content: no binary magic) and sends the daemon their binary;
# run FILE.wat works the same; a malformed text is refused by wasmctl with
# the file, line and column, before anything reaches the daemon.
. "$IT_LIB"
start_daemon --pool 1

cat >"$TMP/calc.wat" <<'WAT'
;; calc: a module written as text
(module
  (func $mul (export "mul") (param $a i32) (param $b i32) (result i32)
    (i32.mul (local.get $a) (local.get $b))))
WAT
cp "$TMP/calc.wat" "$TMP/calc-text" # no .wat suffix: content decides

run ctl push "$TMP/calc.wat" --name calc
expect_status 0
digest=$OUT
[[ "$digest" =~ ^[0-9a-f]{64}$ ]] || fail "push printed '$digest', not a digest"
run ctl run --invoke mul calc 6 7
expect_status 0
expect_out 42

run ctl push "$TMP/calc-text"
expect_status 0
[ "$OUT" = "$digest" ] || fail "the same text gave another module: $OUT vs $digest"

run ctl run --invoke mul "$TMP/calc.wat" 5 5
expect_status 0
expect_out 25

printf '(module\n  (func (result i32)\n    (i32.const 1) (i32.nope)))\n' >"$TMP/bad.wat"
run ctl push "$TMP/bad.wat"
expect_status 1
grep -q "bad.wat:3:20: unknown operator i32.nope" <<<"$ERR" ||
	fail "no file:line:col for a malformed text: $ERR"
run ctl ls
[ "$(grep -c '^[0-9a-f]\{12\} ' <<<"$OUT")" -eq 1 ] ||
	fail "not exactly the one module calc after a refused text: $OUT"
