#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# sanitizer_halt: a sanitizer report stops fuzzing. The fuzz preset's C
# flags (CMakePresets.json) are used to build a program with a signed
# overflow: it must die at the UBSan report rather than print it and go
# on. And scripts/sanitizer-lines, which scripts/fuzz-long pipes every
# fuzzer through, must fail on a report line and pass clean output.
# Usage: sanitizer_halt.sh SOURCE_DIR SCRATCH_DIR
set -euo pipefail
src=$1 tmp=$2
mkdir -p "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v jq >/dev/null || { echo "SKIP: no jq" >&2; exit 77; }
flags=$(jq -r '.configurePresets[] | select(.name == "fuzz") | .cacheVariables.CMAKE_C_FLAGS' \
	"$src/CMakePresets.json")
[ -n "$flags" ] && [ "$flags" != null ] || fail "no fuzz preset C flags"
grep -q -- "-fno-sanitize-recover" <<<"$flags" ||
	fail "the fuzz preset lets UBSan recover: $flags"

if command -v clang >/dev/null; then
	cat >"$tmp/overflow.c" <<'C'
#include <limits.h>
#include <stdio.h>
int main(int argc, char **argv) {
	(void)argv;
	int x = INT_MAX - 1 + argc; /* argc is 1: INT_MAX */
	x += argc;                  /* signed overflow */
	printf("went on after the report: %d\n", x);
	return 0;
}
C
	# The preset's flags without libFuzzer's instrumentation (no main).
	# shellcheck disable=SC2086
	clang ${flags//,fuzzer-no-link/} -o "$tmp/overflow" "$tmp/overflow.c"
	st=0
	"$tmp/overflow" >"$tmp/out" 2>&1 || st=$?
	grep -q "runtime error:" "$tmp/out" || fail "no UBSan report: $(cat "$tmp/out")"
	[ "$st" -ne 0 ] || fail "the program went on after a UBSan report: $(cat "$tmp/out")"
else
	echo "note: no clang; the preset's flags are checked only by text" >&2
fi

printf 'INFO: Running with entropic power schedule\n#1 INITED\nDone 100 runs\n' |
	"$src/scripts/sanitizer-lines" >/dev/null || fail "clean fuzzer output rejected"
st=0
printf '#2 NEW\nfoo.c:3:5: runtime error: signed integer overflow\n#3 NEW\n' |
	"$src/scripts/sanitizer-lines" >/dev/null 2>&1 || st=$?
[ "$st" -eq 1 ] || fail "a UBSan line did not fail sanitizer-lines (status $st)"
st=0
printf '==1==ERROR: AddressSanitizer: heap-buffer-overflow\n' |
	"$src/scripts/sanitizer-lines" >/dev/null 2>&1 || st=$?
[ "$st" -eq 1 ] || fail "an ASan line did not fail sanitizer-lines (status $st)"
echo "sanitizer_halt: ok"
