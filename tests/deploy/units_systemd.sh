# SPDX-License-Identifier: Apache-2.0
# units_systemd: the systemd units are valid for systemd-analyze verify
# (with ExecStart= pointing at the built wasmd, since the units name
# /usr/bin/wasmd) and wasmd.service's exposure in `systemd-analyze security
# --offline=yes` is 1.5 or lower; the example config validates; the man
# pages format without warnings.
set -euo pipefail
: "${WASMD_BIN:?set by ctest}" "${DEPLOY_SRC:?set by ctest}"
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze (Debian package systemd)"; exit 77; }
TMP=$(mktemp -d /tmp/wasmd-units.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

sed "s|^\(Exec[A-Za-z]*\)=/usr/bin/wasmd|\1=$WASMD_BIN/wasmd|" \
	"$DEPLOY_SRC/wasmd.service" >"$TMP/wasmd.service"
grep -q "^ExecStart=$WASMD_BIN/wasmd" "$TMP/wasmd.service" || fail "no ExecStart=/usr/bin/wasmd in wasmd.service"
cp "$DEPLOY_SRC/wasmd.socket" "$TMP/"
# --man=no: the man pages are not installed here (Documentation= names them).
systemd-analyze verify --man=no "$TMP/wasmd.socket" "$TMP/wasmd.service" >"$TMP/verify" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$TMP/verify")"
[ ! -s "$TMP/verify" ] || fail "systemd-analyze verify printed: $(cat "$TMP/verify")"
# A unit that names a missing binary must fail, or the check above proves nothing.
sed "s|^ExecStart=.*|ExecStart=$TMP/missing|" "$TMP/wasmd.service" >"$TMP/bad.service"
if systemd-analyze verify --man=no "$TMP/bad.service" >/dev/null 2>&1; then
	fail "systemd-analyze verify accepts a unit with a missing binary"
fi

systemd-analyze security --offline=yes --no-pager "$TMP/wasmd.service" >"$TMP/security" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for wasmd.service: \([0-9.]*\).*/\1/p' "$TMP/security")
[ -n "$score" ] || fail "no exposure level in: $(tail -5 "$TMP/security")"
echo "exposure: $score"
awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }' ||
	fail "wasmd.service exposure $score is above 1.5: $(grep '✗' "$TMP/security")"
# What the workers' confinement needs is still allowed.
grep -q '^SystemCallFilter=@system-service seccomp' "$DEPLOY_SRC/wasmd.service" ||
	fail "the system call filter must allow seccomp(2) for the workers"
grep -q '^NoNewPrivileges=yes' "$DEPLOY_SRC/wasmd.service" || fail "NoNewPrivileges=yes expected"

"$WASMD_BIN/wasmd" --check-config -c "$DEPLOY_SRC/wasmd.conf" >/dev/null ||
	fail "the example wasmd.conf does not validate"

if command -v groff >/dev/null; then
	for page in "$DEPLOY_SRC"/man/wasmd.8 "$DEPLOY_SRC"/man/wasmctl.1 "$DEPLOY_SRC"/man/wasmd.conf.5; do
		out=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || fail "groff $page: $out"
		[ -z "$out" ] || fail "groff warns about $page: $out"
	done
fi
echo "units_systemd: ok"
