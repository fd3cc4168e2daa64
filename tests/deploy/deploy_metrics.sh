# SPDX-License-Identifier: Apache-2.0
# deploy_metrics: `wasmctl stats` in the Prometheus text format and in the
# plain one: invocations by outcome, the duration histogram, fuel, modules
# and bytes of the caller's tenant; the whole daemon's (workers by state)
# only for administrators; --metrics-file rewritten atomically.
. "$IT_LIB"
me=$(id -u)
start_daemon --pool 1 --metrics-file "$TMP/wasmd.prom" --metrics-interval 200ms
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
run ctl push "$IT_FIXTURES/spin.wasm" --name spin
expect_status 0
run ctl run -W fuel=100000 --invoke add add 1 2
expect_status 0
run ctl run -W fuel=1000 --invoke spin spin
expect_status 134

run ctl stats --format prometheus
expect_status 0
prom=$OUT
has() { grep -Fqx -- "$1" <<<"$prom" || fail "no line '$1' in: $prom"; }
has "wasmd_jobs_total{tenant=\"uid:$me\",kind=\"invoke\",outcome=\"ok\"} 1"
has "wasmd_jobs_total{tenant=\"uid:$me\",kind=\"invoke\",outcome=\"trap\"} 1"
has "wasmd_jobs_total{tenant=\"uid:$me\",kind=\"push\",outcome=\"stored\"} 2"
has "wasmd_invocation_duration_seconds_count{tenant=\"uid:$me\"} 2"
has "wasmd_invocation_duration_seconds_bucket{tenant=\"uid:$me\",le=\"+Inf\"} 2"
has "wasmd_modules{tenant=\"uid:$me\"} 2"
has "# TYPE wasmd_invocation_duration_seconds histogram"
grep -Eq "^wasmd_fuel_consumed_total\{tenant=\"uid:$me\"\} [1-9][0-9]*$" <<<"$prom" ||
	fail "no fuel counted: $prom"
grep -q '^wasmd_build_info{version="' <<<"$prom" || fail "no build info: $prom"
# Only the caller's tenant, and no daemon-wide series, without --all.
grep -q '^wasmd_workers' <<<"$prom" && fail "a tenant sees the daemon's workers"
# Every sample line is well formed and its metric has a TYPE line.
echo "$prom" | awk '
	/^# TYPE / { typed[$3] = 1; next }
	/^#/ { next }
	!/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eE]+(Inf)?$/ { print "malformed: " $0; bad = 1 }
	{ name = $1; sub(/\{.*/, "", name); base = name; sub(/_(bucket|sum|count)$/, "", base)
	  if (!(name in typed) && !(base in typed)) { print "untyped: " $0; bad = 1 } }
	END { exit bad }' || fail "not the Prometheus text format"

run ctl stats
expect_status 0
grep -Eq "^jobs_total +tenant=\"uid:$me\",kind=\"invoke\",outcome=\"trap\" +1$" <<<"$OUT" ||
	fail "plain stats: $OUT"
grep -q '_bucket' <<<"$OUT" && fail "plain stats print histogram buckets: $OUT"

run ctl stats --json
expect_status 0
tr -d ' \n' <<<"$OUT" | grep '{"name":"wasmd_jobs_total","labels":{"tenant":"uid:'"$me"'","kind":"invoke","outcome":"trap"},"value":1' >/dev/null ||
	fail "stats --json: $OUT"

run ctl stats --all
expect_status 1
expect_err_match "not an administrator"

# The metrics file: the whole daemon, rewritten, no temp files left.
for _ in $(seq 50); do
	grep -q 'outcome="trap"' "$TMP/wasmd.prom" 2>/dev/null && break
	sleep 0.1
done
grep -q 'outcome="trap"' "$TMP/wasmd.prom" || fail "the metrics file is not updated"
grep -q '^wasmd_workers{state="idle"}' "$TMP/wasmd.prom" || fail "the metrics file lacks the workers"
ls "$TMP" | grep -q 'wasmd.prom.tmp' && fail "a temp file is left beside the metrics file"
stop_daemon
