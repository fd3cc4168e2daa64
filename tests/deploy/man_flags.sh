#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# man_flags: every long option that `wasmd --help`, `wasmd run --help`,
# `wasmctl --help` and each `wasmctl VERB --help` print is documented in
# wasmd(8) or wasmctl(1). A failure names each missing flag and its page.
set -euo pipefail
: "${WASMD_BIN:?set by ctest}" "${DEPLOY_SRC:?set by ctest}"

missing=0

# The long options in a help text, one a line.
flags_of() {
	grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# check PAGE HELP-COMMAND...: each flag the command prints is in PAGE.
check() {
	local page=$1 text flag help
	shift
	help=$("$@" 2>&1) || { echo "FAIL: $* exited $?" >&2; exit 1; }
	# The page as text: \- is a hyphen in roff.
	text=$(sed 's/\\-/-/g' "$DEPLOY_SRC/man/$page")
	while read -r flag; do
		[ -n "$flag" ] || continue
		if ! grep -qE -- "${flag}([^a-z0-9-]|\$)" <<<"$text"; then
			echo "FAIL: $flag (from '$*') is not in deploy/man/$page" >&2
			missing=$((missing + 1))
		fi
	done < <(flags_of <<<"$help")
}

check wasmd.8 "$WASMD_BIN/wasmd" --help
check wasmd.8 "$WASMD_BIN/wasmd" run --help
check wasmctl.1 "$WASMD_BIN/wasmctl" --help
verbs=$("$WASMD_BIN/wasmctl" --help | awk '/^Verbs:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')
[ -n "$verbs" ] || { echo "FAIL: no verbs found in wasmctl --help" >&2; exit 1; }
for verb in $verbs; do
	check wasmctl.1 "$WASMD_BIN/wasmctl" "$verb" --help
done
[ "$missing" -eq 0 ] || { echo "FAIL: $missing flags missing from the man pages" >&2; exit 1; }
echo "ok: every flag of --help is in wasmd(8) and wasmctl(1) (verbs: $(echo $verbs))"
