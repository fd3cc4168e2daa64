# SPDX-License-Identifier: Apache-2.0
# daemon_snapshot_refused: a module whose initializer leaves a state the
# engine cannot snapshot (here a caught exception, an exnref, kept in a
# global) is refused at push with the reason and a way out (--no-init), and
# nothing is stored; with --no-init it is stored and runs. A start function
# that traps before the initializer is reported as such. The module is
# written as bytes: the text converter has no exception tags.
. "$IT_LIB"
start_daemon --pool 1
# (tag) (global (mut exnref) (ref.null exn))
# wizer.initialize: catch_all_ref of a throw, kept in the global; get: 5.
printf '\x00asm\x01\x00\x00\x00\x01\x08\x02\x60\x00\x00\x60\x00\x01\x7f\x03\x03\x02\x00\x01\x0d\x03\x01\x00\x00\x06\x06\x01\x69\x01\xd0\x69\x0b\x07\x1a\x02\x10wizer.initialize\x00\x00\x03get\x00\x01\x0a\x17\x02\x10\x00\x02\x69\x1f\x40\x01\x03\x00\x08\x00\x0b\x00\x0b\x24\x00\x0b\x04\x00\x41\x05\x0b' >"$TMP/exn.wasm"

run ctl push "$TMP/exn.wasm" --name exn
expect_status 1
expect_err_match "cannot be snapshotted after wizer.initialize: .*exnref.*--no-init"
run ctl ls
! grep -q "^[0-9a-f]\{12\} " <<<"$OUT" || fail "a refused push stored something: $OUT"
run ctl push --no-init "$TMP/exn.wasm" --name exn
expect_status 0
run ctl run --invoke get exn
expect_status 0
expect_out 5

# A start function that traps: the initializer never runs, and the error
# says which of the two failed.
cat >"$TMP/start.wat" <<'WAT'
(module
  (func $start (unreachable))
  (start $start)
  (func (export "wizer.initialize")))
WAT
run ctl push "$TMP/start.wat"
expect_status 1
expect_err_match "start function trapped before the initializer wizer.initialize ran: unreachable"
stop_daemon
