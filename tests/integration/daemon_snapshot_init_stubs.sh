# SPDX-License-Identifier: Apache-2.0
# daemon_snapshot_init_stubs: a module with an import that is not WASI
# (here wasmctl's wasmd.print_i32) cannot be initialized by default (no
# client serves imports during init) and the push says how to go on; with
# --init-stub-imports the import is a stub during init, the snapshot is
# stored, and invokes from it get the import from their client as usual.
# An initializer that calls a stubbed import traps, naming it.
. "$IT_LIB"
start_daemon --pool 1
cat >"$TMP/bridge.wat" <<'WAT'
(module
  (import "wasmd" "print_i32" (func $print (param i32)))
  (global $g (mut i32) (i32.const 0))
  (func (export "wizer.initialize") (global.set $g (i32.const 42)))
  (func (export "get") (result i32) (global.get $g))
  (func (export "show") (call $print (i32.add (global.get $g) (i32.const 1)))))
WAT

run ctl push "$TMP/bridge.wat" --name b
expect_status 1
expect_err_match "unknown import wasmd.print_i32 during init .*--init-stub-imports"
run ctl ls
! grep -q "^[0-9a-f]\{12\} " <<<"$OUT" || fail "a refused push stored something: $OUT"

run ctl push --init-stub-imports "$TMP/bridge.wat" --name b
expect_status 0
run ctl inspect b
grep -q "^snapshot " <<<"$OUT" || fail "inspect shows no snapshot: $OUT"
run ctl run --invoke get b
expect_status 0
expect_out 42
run ctl run --invoke show b
expect_status 0
expect_out 43
run ctl run --no-snapshot --invoke get b
expect_status 0
expect_out 0

sed 's/(global.set $g (i32.const 42))/(call $print (i32.const 7))/' \
	"$TMP/bridge.wat" >"$TMP/calls.wat"
run ctl push --init-stub-imports "$TMP/calls.wat" --name c
expect_status 1
expect_err_match "wizer.initialize trapped: it called the import wasmd.print_i32, which --init-stub-imports links to a stub during init"

run ctl push --no-init --init-stub-imports "$TMP/bridge.wat"
expect_status 2
expect_err_match "--no-init cannot go with .*--init-stub-imports"
stop_daemon
