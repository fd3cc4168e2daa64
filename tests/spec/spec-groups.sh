#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# spec-groups.sh RUNNER DIR [FLAGS...]: runs spec-runner (with FLAGS) over
# every script of the WebAssembly 3.0 suite in DIR (../shared/testsuite-3.0,
# SIMD folders included) and prints a table of passed and failed commands
# per feature group, the groups of DIR/README.md (by script name). The
# runner's own lines go to stderr; the exit status is the runner's.
set -u
runner=$1
dir=$2
shift 2
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT
names=$(for d in "$dir"/*/; do
	n=$(basename "$d")
	[ -f "$d/$n.json" ] && printf '%s\n' "$n"
done)
# shellcheck disable=SC2086 # one argument per script name
"$runner" "$@" "$dir" $names >"$out"
status=$?
cat "$out" >&2
awk '
function group(n) {
	if (n == "return_call" || n == "return_call_indirect")
		return "tail calls"
	if (n ~ /^(call_ref|br_on_null|br_on_non_null|ref_as_non_null|return_call_ref|local_init|ref|type-equivalence)$/)
		return "typed function references"
	if (n ~ /^gc__/ || n == "type-canon" || n == "type-rec")
		return "GC"
	if (n ~ /^exceptions__/)
		return "exception handling (exnref)"
	if (n ~ /^legacy__exceptions__/)
		return "legacy exception handling"
	if (n ~ /^memory64__/)
		return "64-bit memories and tables"
	if (n ~ /^multi-memory__/ || n == "simd__simd_memory-multi")
		return "multiple memories"
	if (n ~ /^simd__/)
		return "SIMD"
	if (n ~ /^relaxed-simd__/)
		return "relaxed SIMD"
	if (n == "annotations" || n ~ /^custom__(custom|name)__/)
		return "annotations, custom sections"
	if (n ~ /branch_hint/)
		return "branch hinting"
	if (n == "id" || n == "instance")
		return "3.0 script forms"
	return "the 2.0 scripts, as of 3.0"
}
# A script line: "NAME: P passed, F failed, S skipped".
/^[^ ].*: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ {
	name = $1
	sub(/:$/, "", name)
	g = group(name)
	scripts[g]++
	passed[g] += $2
	failed[g] += $4
	skipped[g] += $6
}
END {
	split("the 2.0 scripts, as of 3.0|SIMD|tail calls|typed function references|GC|exception handling (exnref)|legacy exception handling|64-bit memories and tables|multiple memories|relaxed SIMD|annotations, custom sections|branch hinting|3.0 script forms", order, "|")
	print "| feature group | scripts | passed | failed | skipped |"
	print "|---|---|---|---|---|"
	for (i = 1; i in order; i++) {
		g = order[i]
		printf "| %s | %d | %d | %d | %d |\n", g, scripts[g], passed[g], failed[g], skipped[g]
		ts += scripts[g]; tp += passed[g]; tf += failed[g]; tk += skipped[g]
	}
	printf "| **all** | %d | %d | %d | %d |\n", ts, tp, tf, tk
}' "$out"
exit "$status"
