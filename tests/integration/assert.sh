# SPDX-License-Identifier: Apache-2.0
# assert.sh: the checks every shell scenario uses, sourced by
# tests/integration/lib.sh (a daemon on a temp socket) and
# tests/systemd/lib.sh (wasmd under systemd in a container).
# fail and skip end the scenario (exit 1, exit 77 for ctest's
# SKIP_RETURN_CODE); run keeps going and records OUT, ERR and STATUS.

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# run CMD...: runs without stopping the script; sets OUT, ERR and STATUS.
run() {
	local err
	err=$(mktemp /tmp/wasmd-run.XXXXXX)
	set +e
	OUT=$("$@" 2>"$err")
	STATUS=$?
	set -e
	ERR=$(cat "$err")
	rm -f "$err"
}

expect_status() {
	[ "$STATUS" -eq "$1" ] || fail "expected exit status $1, got $STATUS (stdout: $OUT; stderr: $ERR)"
}

expect_out() {
	[ "$OUT" = "$1" ] || fail "expected output '$1', got '$OUT' (stderr: $ERR)"
}

# expect_err_match REGEX: stderr matches (extended, case-insensitive).
expect_err_match() {
	grep -Eiq -- "$1" <<<"$ERR" || fail "stderr does not match /$1/: $ERR"
}
