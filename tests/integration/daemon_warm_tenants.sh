# SPDX-License-Identifier: Apache-2.0
# daemon_warm_tenants: a worker never serves a second tenant. Two uids (root
# and nobody, 65534) take turns invoking; the pids of the workers that ran
# each tenant's jobs (from the log) never overlap, although each tenant's
# own invokes reuse its warm worker. Needs root, as daemon_tenants does.
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root to run a client as another uid"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
# One unbound worker ready: each tenant's first invoke may take it.
start_daemon --pool 1 --socket-mode 0666
cp "$IT_FIXTURES/add.wasm" "$TMP/add.wasm"
chmod 644 "$TMP/add.wasm"
run ctl push "$TMP/add.wasm" --name add
expect_status 0
run as_nobody "$WASMD_BIN/wasmctl" push "$TMP/add.wasm" --name add
expect_status 0

for i in 1 2 3 4; do
	run ctl run --invoke add add "$i" 1
	expect_out "$((i + 1))"
	run as_nobody "$WASMD_BIN/wasmctl" run --invoke add add "$i" 2
	expect_out "$((i + 2))"
done

root_pids=$(job_workers "uid:0" | sort -u)
nobody_pids=$(job_workers "uid:65534" | sort -u)
[ -n "$root_pids" ] && [ -n "$nobody_pids" ] || fail "no jobs logged"
shared=$(comm -12 <(echo "$root_pids") <(echo "$nobody_pids"))
[ -z "$shared" ] || fail "worker(s) $shared served both tenants"
# Each worker was bound once, to the tenant whose jobs it ran.
for p in $root_pids; do
	expect_log_match "event=worker_bind pid=$p tenant=uid:0 "
done
for p in $nobody_pids; do
	expect_log_match "event=worker_bind pid=$p tenant=uid:65534 "
done
# And reuse happened: fewer workers than invokes for each tenant (a push's
# worker retires after it).
[ "$(job_workers "uid:65534" | tail -4 | sort -u | wc -l)" -lt 4 ] ||
	fail "nobody's invokes were not served by a warm worker"
stop_daemon
