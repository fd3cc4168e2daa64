# SPDX-License-Identifier: Apache-2.0
# deploy_config: the config file. --check-config exits 0 or 1 and a bad
# value, an unknown key or a malformed line is reported as FILE:LINE with
# the key; drop-ins in FILE.d are read in name order (later wins); flags win
# over files; [tenant NAME] maps uids and gids to a named tenant and admin
# gates `wasmctl stats --all`.
. "$IT_LIB"
CONF="$TMP/wasmd.conf"
me=$(id -u)
mygid=$(id -g)

check() { run "$WASMD_BIN/wasmd" --check-config -c "$CONF"; }

printf '[daemon]\npool = 1\n[limits]\nmax-timeout = 5 parsecs\n' >"$CONF"
check
expect_status 1
expect_err_match "wasmd.conf:4: invalid value \"5 parsecs\" for max-timeout"
printf '[quotas]\n\nmax-moduels = 3\n' >"$CONF"
check
expect_status 1
expect_err_match "wasmd.conf:3: unknown key \"max-moduels\" in \[quotas\]"
printf '[limits]\nmax-fuel\n' >"$CONF"
check
expect_status 1
expect_err_match "wasmd.conf:2: not a \"key = value\" line"
printf '[tenant ../x]\nuids = 1\n' >"$CONF"
check
expect_status 1
expect_err_match "wasmd.conf:2: \[tenant \.\./x\]: a tenant name"
printf '[tenant a]\nuids = 5\n[tenant b]\nuids = 7, 5\n' >"$CONF"
check
expect_status 1
expect_err_match "uid 5 is in both \[tenant a\] and \[tenant b\]"
run "$WASMD_BIN/wasmd" --check-config -c "$TMP/missing.conf"
expect_status 1
expect_err_match "cannot read .*missing.conf"
# Without --check-config, an invalid file stops the start (usage status).
printf '[limits]\nmax-fuel = -1\n' >"$CONF"
run "$WASMD_BIN/wasmd" -c "$CONF" -H "unix://$SOCK" --state-dir "$STATE"
expect_status 2
expect_err_match "wasmd.conf:2: invalid value \"-1\" for max-fuel"

# Drop-ins in name order, later wins; a flag wins over all of them.
printf '[limits]\nmax-fuel = 100\n' >"$CONF"
mkdir "$CONF.d"
printf '[limits]\nmax-fuel = 300\n' >"$CONF.d/20-b.conf"
printf '[limits]\nmax-fuel = 200\n' >"$CONF.d/10-a.conf"
printf '[limits]\nmax-fuel = 900\n' >"$CONF.d/30-ignored.conf.disabled"
# Users by name as well as by number.
cat >>"$CONF" <<CONF
[tenant ops]
uids = 4000000000, $(id -un)
admin = true
CONF
check
expect_status 0
expect_out "wasmd: configuration OK ($CONF)"
start_daemon -c "$CONF"
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
run ctl run -W fuel=250 --invoke add add 1 2
expect_status 0
expect_out 3
run ctl run -W fuel=350 --invoke add add 1 2
expect_status 1
expect_err_match "maximum 300"
# The tenant is the configured one, and it is an administrator.
run ctl info
expect_status 0
grep -Eq "tenant +ops" <<<"$OUT" || fail "expected tenant ops, got: $OUT"
run ctl stats --all
expect_status 0
grep -q '^workers ' <<<"$OUT" || fail "stats --all shows no workers: $OUT"
stop_daemon
[ -d "$STATE/tenants/ops" ] || fail "the store has no directory for tenant ops"

start_daemon -c "$CONF" --max-fuel 50
run ctl run -W fuel=100 --invoke add add 1 2
expect_status 1
expect_err_match "maximum 50"
stop_daemon

# A primary group maps too; without admin, the whole daemon's stats are denied.
printf '[tenant staff]\ngids = %s\n' "$mygid" >"$CONF"
rm -r "$CONF.d"
start_daemon -c "$CONF"
run ctl info
grep -Eq "tenant +staff" <<<"$OUT" || fail "expected tenant staff, got: $OUT"
run ctl stats --all
expect_status 1
expect_err_match "not an administrator"
run ctl stats
expect_status 0
stop_daemon
