# SPDX-License-Identifier: Apache-2.0
# fault_disk_full: the disk fills up under the module store (the shim of
# faultinject.sh fails every write, sync and rename under the state
# directory with ENOSPC). A push then fails with an error that names the
# cause, leaves no temp file and no half-stored module behind (also when
# only the second file of a module, or only its name, cannot be written),
# and every module stored before stays intact and invokable; the daemon
# serves throughout, and once there is space again pushes work again.
. "$IT_LIB"
. "$(dirname "$IT_LIB")/faultinject.sh"

digest_of() {
	sha256sum "$1" | cut -d' ' -f1
}

# store_clean: no temp file anywhere in the store, no file of a digest
# that is not stored, and every stored module's bytes hash to its name.
store_clean() {
	local f left
	left=$(find "$STATE/tenants" -name '.tmp-*')
	[ -z "$left" ] || fail "temp files left in the store: $left"
	for d in "$@"; do
		left=$(find "$STATE/tenants" -name "$d.*")
		[ -z "$left" ] || fail "files of a module whose push failed: $left"
	done
	for f in "$STATE"/tenants/*/modules/*.wasm; do
		[ "$(digest_of "$f")" = "$(basename "$f" .wasm)" ] ||
			fail "$f no longer matches its digest"
		[ -f "${f%.wasm}.info" ] || fail "$f has no .info beside it"
	done
}

# expect_nospace: the last command failed naming a full disk, and the
# daemon logged the push as ERR_INTERNAL with that cause.
expect_nospace() {
	expect_status 1
	expect_err_match "no space left on device"
	expect_log_match 'event=push .*outcome=ERR_INTERNAL detail="[^"]*No space left on device'
}

# Two modules stored before the disk fills up.
# --worker-max-invokes 1: no warm worker stays to be counted (workers, fds).
fi_start_daemon disk --pool 2 --worker-max-invokes 1
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
run ctl push "$IT_FIXTURES/recurse.wasm" --name recurse
expect_status 0
add=$(digest_of "$IT_FIXTURES/add.wasm")
grow=$(digest_of "$IT_FIXTURES/grow.wasm")
store_clean
before=$(cd "$STATE/tenants" && sha256sum */modules/* */names/*)
wait_workers 2
base=$(fd_count)

# Nothing can be written: the bytes' temp file is refused.
fi_on
run ctl push "$IT_FIXTURES/grow.wasm" --name grow
expect_nospace
store_clean "$grow"
# Only the module's second file (.info) cannot be written: its .wasm,
# already renamed into place, must go too.
fi_on .info
run ctl push "$IT_FIXTURES/grow.wasm" --name grow
expect_nospace
store_clean "$grow"
# Only the name cannot be written: the new module is not kept either (the
# push failed as a whole)...
fi_on /names/
run ctl push "$IT_FIXTURES/grow.wasm" --name grow
expect_nospace
store_clean "$grow"
# ...and a new name for bytes already stored fails alike, the old name kept.
run ctl push "$IT_FIXTURES/add.wasm" --name add2
expect_status 1
expect_err_match "no space left on device"
[ ! -e "$STATE"/tenants/*/names/add2 ] || fail "the name add2 was written"

# The daemon serves throughout: list, inspect, invoke.
fi_on
run ctl ls
expect_status 0
[ "$(echo "$OUT" | grep -c .)" -ge 2 ] || fail "ls during the fault: $OUT"
grep -q "$grow" <<<"$OUT" && fail "ls shows the module whose push failed: $OUT"
run ctl inspect add2
expect_status 1
run ctl inspect add
expect_status 0
run ctl run --invoke add add 40 2
expect_status 0
expect_out 42
run ctl run --invoke down recurse 10
expect_status 134 # the trap it is stored for
[ "$(cd "$STATE/tenants" && sha256sum */modules/* */names/*)" = "$before" ] ||
	fail "the stored files changed during the fault"

# Space again: the same pushes work, and nothing of the failures remains.
fi_off
run ctl push "$IT_FIXTURES/grow.wasm" --name grow
expect_status 0
run ctl push "$IT_FIXTURES/add.wasm" --name add2
expect_status 0
run ctl run --invoke add add2 1 2
expect_status 0
expect_out 3
run ctl inspect grow
expect_status 0
grep -q "$grow" <<<"$OUT" || fail "inspect grow: $OUT"
store_clean
run ctl run --invoke add "$add" 2 2
expect_out 4
wait_workers 2
wait_fds "$base"
expect_alive

# What was stored survives a restart as it is.
stop_daemon
start_daemon --pool 1
run ctl inspect grow
expect_status 0
run ctl run --invoke add add2 5 5
expect_out 10
store_clean
stop_daemon
