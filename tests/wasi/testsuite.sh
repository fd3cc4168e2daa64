#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# testsuite.sh [--daemon] WASMD SUITE [FOLDER...]: runs the official WASI
# preview1 test suite (prebuilt, ../shared/wasi-testsuite; its README and
# specification.md give the format) with `wasmd run`, or with --daemon
# through a real daemon: WASMD is then the bin directory holding wasmd and
# wasmctl, the daemon is started by tests/integration/lib.sh (IT_LIB and
# the variables it reads come from ctest), and each test runs with
# `wasmctl run`, its root directory uploaded as a bundle and mounted
# with --files-rw (a private writable copy in the worker's memory).
#
# Per test X.wasm (its spec X.json when present, else the defaults): a
# fresh copy of the spec's "root" directory (in-process: in a temp dir;
# through the daemon: the bundle's private copy) preopened as "/",
# exactly the spec's "env", its "args", stdin from /dev/null; the test
# passes when the exit status equals "exit_code" (default 0) and stdout
# and stderr start with "stdout" and "stderr" where given. Prints each
# failure with what differed, then "FOLDER: N passed, N failed" per folder.
# Exits 0 when all passed, 1 otherwise, and 77 (ctest: skipped) with a line
# saying how to get the suite when SUITE is absent (WASMD_REQUIRE_TESTSUITE=1
# makes that a failure).
set -uo pipefail

via=run
if [ "${1:-}" = --daemon ]; then
	via=daemon
	shift
fi
wasmd=$1
suite=$2
shift 2
folders=("$@")
[ ${#folders[@]} -gt 0 ] || folders=(assemblyscript c rust)

if [ ! -d "$suite" ]; then
	echo "SKIP: no WASI test suite at $suite: copy the wasm32-wasip1 tests of" \
		"WebAssembly/wasi-testsuite (branch prod/testsuite-base) there, or" \
		"configure with -DWASMD_WASI_TESTSUITE_DIR=PATH (or run tests/wasi/testsuite.sh WASMD DIR)"
	[ "${WASMD_REQUIRE_TESTSUITE:-0}" = 1 ] && exit 1
	exit 77
fi
if ! command -v jq >/dev/null; then
	echo "SKIP: jq is needed to read the test specs (scripts/setup-deps)"
	[ "${WASMD_REQUIRE_TESTSUITE:-0}" = 1 ] && exit 1
	exit 77
fi

if [ "$via" = daemon ]; then
	# shellcheck source=tests/integration/lib.sh
	. "$IT_LIB" # its EXIT trap stops the daemon and removes $TMP
	set +e
	tmp=$TMP
	start_daemon --pool 1
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/wasi_testsuite_XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
fi
# Seconds a test may run (the official runner's default is 5; this machine
# may be loaded).
limit=${WASMD_TESTSUITE_TIMEOUT:-60}

# spec_get JSON FILTER DEFAULT: one value of the spec, or DEFAULT.
spec_get() {
	local v
	if [ ! -f "$1" ]; then
		printf '%s' "$3"
		return
	fi
	v=$(jq -r "$2 // empty" "$1") || v=
	printf '%s' "${v:-$3}"
}

# starts_with FILE TEXT: the file begins with TEXT.
starts_with() {
	local n
	n=$(printf '%s' "$2" | wc -c)
	[ "$(head -c "$n" "$1")" = "$2" ]
}

# run_one FOLDER NAME: runs one test; prints why it failed, returns 1 then.
run_one() {
	local dir=$1 name=$2 json="$1/$2.json" rc=0 want root
	local -a cmd=("$wasmd" run -W "timeout=${limit}s")
	local -a args=()

	[ "$via" = daemon ] && cmd=("$wasmd/wasmctl" run -W "timeout=${limit}s")

	rm -rf "$tmp/root" "$tmp/out" "$tmp/err"
	if [ -f "$json" ]; then
		while IFS= read -r -d '' kv; do
			cmd+=(--env "$kv")
		done < <(jq -j '(.env // {}) | to_entries[] |
			"\(.key)=\(.value)\u0000"' "$json")
		while IFS= read -r -d '' a; do
			args+=("$a")
		done < <(jq -j '(.args // [])[] | "\(.)\u0000"' "$json")
	fi
	root=$(spec_get "$json" .root "")
	if [ -n "$root" ] && [ "$via" = daemon ]; then
		cmd+=(--files-rw "$dir/$root::/")
	elif [ -n "$root" ]; then
		cp -r "$dir/$root" "$tmp/root" || return 1
		cmd+=(--dir "$tmp/root::/")
	fi
	"${cmd[@]}" "$dir/$name.wasm" "${args[@]}" </dev/null \
		>"$tmp/out" 2>"$tmp/err" || rc=$?
	want=$(spec_get "$json" .exit_code 0)
	if [ "$rc" != "$want" ]; then
		echo "FAIL $name: exit status $rc, want $want"
		head -c 2000 "$tmp/err" | sed 's/^/    stderr: /'
		return 1
	fi
	for s in stdout stderr; do
		if [ -f "$json" ] && jq -e "has(\"$s\")" "$json" >/dev/null; then
			want=$(jq -j ".$s" "$json")
			local f="$tmp/out"
			[ $s = stderr ] && f="$tmp/err"
			if ! starts_with "$f" "$want"; then
				echo "FAIL $name: $s does not start with the expected text"
				return 1
			fi
		fi
	done
	return 0
}

total_failed=0
for folder in "${folders[@]}"; do
	passed=0 failed=0
	dir="$suite/$folder"
	for wasm in "$dir"/*.wasm; do
		[ -e "$wasm" ] || continue
		name=$(basename "$wasm" .wasm)
		if run_one "$dir" "$name"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
	echo "$folder: $passed passed, $failed failed"
	total_failed=$((total_failed + failed))
done
[ "$total_failed" -eq 0 ]
