# SPDX-License-Identifier: Apache-2.0
# daemon_tenants: two uids are two tenants; neither sees nor touches the
# other's modules (by name, digest or prefix). Runs a second wasmctl as
# nobody (65534) with setpriv; needs root.
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to run a client as another uid"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
start_daemon --pool 1 --socket-mode 0666
[ "$(stat -c %a "$SOCK")" = 666 ] || fail "socket mode is $(stat -c %a "$SOCK")"

run ctl push "$IT_FIXTURES/add.wasm" --name mine
expect_status 0
digest=$OUT
cp "$IT_FIXTURES/spin.wasm" "$TMP/spin.wasm"
chmod 644 "$TMP/spin.wasm"

run as_nobody "$WASMD_BIN/wasmctl" ls
expect_status 0
grep -q "${digest:0:12}" <<<"$OUT" && fail "nobody sees root's module"
for ref in mine "$digest" "${digest:0:12}"; do
	run as_nobody "$WASMD_BIN/wasmctl" run --invoke add "$ref" 1 2
	expect_status 1
	expect_err_match "no module|not found"
	run as_nobody "$WASMD_BIN/wasmctl" rm "$ref"
	expect_status 1
done
run as_nobody "$WASMD_BIN/wasmctl" push "$TMP/spin.wasm" --name mine
expect_status 0
other=$OUT

# root still has its own "mine", and does not see nobody's module.
run ctl run --invoke add mine 2 2
expect_status 0
expect_out 4
run ctl inspect "$other"
expect_status 1
[ -d "$STATE/tenants/uid:65534/modules" ] || fail "no store for tenant uid:65534"
expect_log_match "tenant=uid:65534"
stop_daemon
