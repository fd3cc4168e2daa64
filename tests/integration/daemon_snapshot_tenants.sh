# SPDX-License-Identifier: Apache-2.0
# daemon_snapshot_tenants: a snapshot belongs to its tenant. Another uid
# (nobody, via setpriv; needs root) cannot run root's module or its
# snapshot; pushing the same bytes gives it its own module, made by its own
# initializer, and --no-init there leaves root's snapshot alone.
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to run a client as another uid"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
start_daemon --pool 1 --socket-mode 0666
cp "$IT_FIXTURES/snapinit.wasm" "$TMP/snapinit.wasm"
chmod 644 "$TMP/snapinit.wasm"

run ctl push --init init2 "$TMP/snapinit.wasm" --name si
expect_status 0
digest=$OUT
run as_uid 65534 "$WASMD_BIN/wasmctl" run --invoke get "$digest"
expect_status 1
expect_err_match "no module"

run as_uid 65534 "$WASMD_BIN/wasmctl" push --no-init "$TMP/snapinit.wasm" --name si
expect_status 0
expect_out "$digest"
run as_uid 65534 "$WASMD_BIN/wasmctl" run --invoke get si
expect_status 0
expect_out 1
run ctl run --invoke get si
expect_status 0
expect_out 8
run as_uid 65534 "$WASMD_BIN/wasmctl" push "$TMP/snapinit.wasm"
run as_uid 65534 "$WASMD_BIN/wasmctl" push --init wizer.initialize "$TMP/snapinit.wasm"
expect_status 0
run as_uid 65534 "$WASMD_BIN/wasmctl" run --invoke get si
expect_status 0
expect_out 1042
run ctl run --invoke get si
expect_status 0
expect_out 8
[ "$(ls "$STATE/tenants/uid:65534/snapshots" | wc -l)" -eq 1 ] ||
	fail "tenant uid:65534 has no snapshot of its own"
stop_daemon
