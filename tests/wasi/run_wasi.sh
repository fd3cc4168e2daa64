#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run_wasi.sh CASE WORKER BINDIR [WASMD]: one WASI scenario of `wasmd run`
# (WORKER is wasmd-worker, whose `run` mode `wasmd run` execs; BINDIR holds
# the programs built by wasi.cmake: NAME.wasm and the native NAME; WASMD,
# the wasmd program, for the case that goes through it).
# Where the two builds should agree, their outputs are compared byte for
# byte. Exits non-zero with a message on the first difference.
set -euo pipefail

case_name=$1
worker=$2
bin=$3
wasmd=${4:-}
src=$(cd "$(dirname "$0")" && pwd)
wat="$(dirname "$worker")/wasmd-wat" # text fixtures -> binary
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wasi_${case_name}_XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL ($case_name): $*" >&2
	exit 1
}

# run_wasm ARGS...: wasmd-worker run ARGS; sets rc.
run_wasm() {
	rc=0
	"$worker" run "$@" || rc=$?
}

# same_output NAME OUT_NATIVE OUT_WASM
same_output() {
	if ! cmp -s "$2" "$3"; then
		diff -u "$2" "$3" | head -40 >&2 || true
		fail "$1: the wasm output differs from the native one"
	fi
}

case_printf() {
	"$bin/printf" >"$tmp/native"
	run_wasm "$bin/printf.wasm" >"$tmp/wasm"
	[ "$rc" -eq 0 ] || fail "exit code $rc"
	[ "$(wc -l <"$tmp/wasm")" -gt 50 ] || fail "too little output"
	same_output printf "$tmp/native" "$tmp/wasm"
}

# clang's musttail as return_call: the native build agrees at a small
# depth, and 10 million frames deep the wasm build runs in constant stack
# (the recursion and the loop that checks it agree).
case_tailcall() {
	"$bin/tailcall" 1000 >"$tmp/native"
	run_wasm "$bin/tailcall.wasm" 1000 >"$tmp/wasm"
	[ "$rc" -eq 0 ] || fail "exit code $rc"
	same_output tailcall "$tmp/native" "$tmp/wasm"
	run_wasm "$bin/tailcall.wasm" 10000000 >"$tmp/wasm" 2>"$tmp/err"
	[ "$rc" -eq 0 ] || fail "10 million deep: exit code $rc: $(head -c 300 "$tmp/err")"
	[ "$(sed -n 's/^tail: //p' "$tmp/wasm")" = \
	    "$(sed -n 's/^loop: //p' "$tmp/wasm")" ] ||
		fail "10 million deep: tail and loop disagree: $(cat "$tmp/wasm")"
	grep -q '^tail: [0-9]' "$tmp/wasm" || fail "no result"
}

case_argv_env() {
	local args=(one "two words" "" --flag "ünïcode" "a=b")
	env -i GREETING="hi there" EMPTY= "UNI=ü" "$bin/argv_env" "${args[@]}" \
	    >"$tmp/native"
	run_wasm --env "GREETING=hi there" --env EMPTY= --env "UNI=ü" \
	    "$bin/argv_env.wasm" "${args[@]}" >"$tmp/wasm"
	[ "$rc" -eq 0 ] || fail "exit code $rc"
	grep -q 'env\[1\]=GREETING=hi there' "$tmp/wasm" || fail "no GREETING"
	same_output argv_env "$tmp/native" "$tmp/wasm"
	# argv[0] is the module file as given; no --env: an empty environment.
	run_wasm "$bin/argv_env.wasm" --argv0 >"$tmp/wasm"
	grep -qx "argv\[0\]=$bin/argv_env.wasm" "$tmp/wasm" || fail "argv[0]"
	grep -qx "environ: 0" "$tmp/wasm" || fail "host environment leaked"
	# --env K passes this process's K when it is set.
	GREETING=inherited run_wasm --env GREETING --env UNSET_HERE_X \
	    "$bin/argv_env.wasm" >"$tmp/wasm"
	grep -qx "env\[0\]=GREETING=inherited" "$tmp/wasm" || fail "--env K"
	grep -qx "environ: 1" "$tmp/wasm" || fail "--env K of an unset K"
	# Options after FILE belong to the guest.
	run_wasm "$bin/argv_env.wasm" --env X=1 >"$tmp/wasm"
	grep -qx "argv\[1\]=\[--env\] (5 bytes)" "$tmp/wasm" || fail "ARGS"
}

case_stdin_echo() {
	{
		printf 'line one\nline two\n\0NUL inside\n'
		head -c 300000 /dev/urandom
		printf 'last line without newline'
	} >"$tmp/in"
	"$bin/stdin_echo" <"$tmp/in" >"$tmp/native" 2>"$tmp/native.err"
	run_wasm "$bin/stdin_echo.wasm" <"$tmp/in" >"$tmp/wasm" 2>"$tmp/wasm.err"
	[ "$rc" -eq 0 ] || fail "exit code $rc"
	same_output stdin "$tmp/in" "$tmp/wasm"
	same_output stderr "$tmp/native.err" "$tmp/wasm.err"
	# Through a pipe, and from an empty stdin.
	# shellcheck disable=SC2002 # a pipe, not a file, on purpose
	cat "$tmp/in" | "$worker" run "$bin/stdin_echo.wasm" >"$tmp/wasm" 2>/dev/null
	same_output pipe "$tmp/in" "$tmp/wasm"
	run_wasm "$bin/stdin_echo.wasm" </dev/null >"$tmp/wasm" 2>"$tmp/wasm.err"
	[ -s "$tmp/wasm" ] && fail "output from empty input"
	grep -qx "0 bytes, 0 lines" "$tmp/wasm.err" || fail "empty input"
}

case_exit_code() {
	local how want nrc
	for how in "exit 7" "exit 0" "return 3" "exit 255" "abort"; do
		nrc=0
		# shellcheck disable=SC2086 # $how is two words on purpose
		"$bin/exit_code" $how >"$tmp/native" 2>/dev/null || nrc=$?
		# shellcheck disable=SC2086
		run_wasm "$bin/exit_code.wasm" $how >"$tmp/wasm" 2>"$tmp/err"
		want=${how#* }
		[ "$how" = abort ] && want=134
		[ "$rc" -eq "$want" ] || fail "$how: exit code $rc, want $want"
		[ "$nrc" -eq "$want" ] || fail "$how: native exit code $nrc"
		same_output "$how" "$tmp/native" "$tmp/wasm"
	done
	# proc_exit in the module's start function, while instantiating.
	"$wat" "$src/fixtures/exit_in_start.wat" -o "$tmp/e.wasm"
	run_wasm "$tmp/e.wasm" 2>"$tmp/err"
	[ "$rc" -eq 9 ] || fail "proc_exit in start: exit code $rc"
	[ -s "$tmp/err" ] && fail "proc_exit printed an error: $(cat "$tmp/err")"
	true
}

case_clocks() {
	"$bin/clocks" >"$tmp/native"
	run_wasm "$bin/clocks.wasm" >"$tmp/wasm"
	[ "$rc" -eq 0 ] || fail "exit code $rc"
	same_output clocks <(head -n 4 "$tmp/native") <(head -n 4 "$tmp/wasm")
	local t now
	t=$(sed -n 's/^realtime: //p' "$tmp/wasm")
	now=$(date +%s)
	if [ $((now - t)) -lt 0 ] || [ $((now - t)) -gt 5 ]; then
		fail "realtime $t is not near the host's $now"
	fi
}

case_random() {
	run_wasm "$bin/random.wasm" >"$tmp/a"
	[ "$rc" -eq 0 ] || fail "exit code $rc"
	run_wasm "$bin/random.wasm" >"$tmp/b"
	"$bin/random" >"$tmp/native"
	grep -qE '^[0-9a-f]{32}$' <(head -n 1 "$tmp/a") || fail "not 16 hex bytes"
	[ "$(head -n 1 "$tmp/a")" != "$(head -n 1 "$tmp/b")" ] ||
		fail "two runs drew the same random bytes"
	[ "$(head -n 1 "$tmp/a")" != "00000000000000000000000000000000" ] ||
		fail "zero bytes"
	same_output hashmap <(tail -n +2 "$tmp/native") <(tail -n +2 "$tmp/a")
	same_output hashmap <(tail -n +2 "$tmp/native") <(tail -n +2 "$tmp/b")
}

# shellcheck source=tests/wasi/make_tree.sh
. "$(dirname "$0")/make_tree.sh"

case_files() {
	make_tree "$tmp/n"
	make_tree "$tmp/w"
	make_tree "$tmp/h"
	"$bin/files" "$tmp/n/root" >"$tmp/native"
	grep -q 'hello from the preopen' "$tmp/native" || fail "native run"
	run_wasm --dir "$tmp/w/root::/sandbox" "$bin/files.wasm" /sandbox \
	    >"$tmp/wasm"
	[ "$rc" -eq 0 ] || fail "exit code $rc"
	same_output files "$tmp/native" "$tmp/wasm"
	cmp -s "$tmp/n/root/written.txt" "$tmp/w/root/written.txt" ||
		fail "written.txt differs on the host"
	# --dir HOST alone: the guest sees the host path.
	run_wasm --dir "$tmp/h/root" "$bin/files.wasm" "$tmp/h/root" >"$tmp/wasm"
	same_output "files (--dir HOST)" "$tmp/native" "$tmp/wasm"
	# No --dir: no file system at all.
	run_wasm "$bin/files.wasm" /sandbox >"$tmp/wasm"
	grep -q 'hello from' "$tmp/wasm" && fail "read a file without --dir"
	grep -q "open hello.txt: " "$tmp/wasm" || fail "no error without --dir"
	# A --dir that is not a directory is a usage error.
	run_wasm --dir "$tmp/w/root/hello.txt" "$bin/files.wasm" x 2>"$tmp/err"
	[ "$rc" -eq 2 ] || fail "--dir of a file: exit code $rc"
	true
}

case_escape() {
	make_tree "$tmp"
	run_wasm --dir "$tmp/root::/sandbox" "$bin/files.wasm" --escape /sandbox \
	    >"$tmp/out"
	cat "$tmp/out"
	grep -q SECRET "$tmp/out" && fail "read a file outside the preopen"
	grep -q OPENED "$tmp/out" && fail "opened something outside"
	[ "$rc" -eq 0 ] || fail "exit code $rc"
	# Raw path_open: .. above the preopen and absolute paths are
	# ENOTCAPABLE (76), a symbolic link is not followed (ELOOP, 32).
	for p in ../outside.txt /etc/passwd sub/../../outside.txt .. a/../../x; do
		grep -qx "raw path_open $p: errno 76" "$tmp/out" ||
			fail "raw path_open $p is not ENOTCAPABLE"
	done
	grep -qx "raw path_open link-out: errno 32" "$tmp/out" ||
		fail "a symbolic link was followed"
	grep -qx "raw path_open hello.txt: errno 0" "$tmp/out" ||
		fail "raw path_open of a real file failed"
}

case_output_limit() {
	run_wasm -W max-output=10000 "$bin/spew.wasm" >"$tmp/out" 2>"$tmp/err"
	[ "$rc" -eq 134 ] || fail "exit code $rc, want 134"
	grep -q "output limit of 10000 bytes exceeded" "$tmp/err" ||
		fail "no clear error: $(cat "$tmp/err")"
	[ "$(wc -c <"$tmp/out")" -eq 10000 ] ||
		fail "$(wc -c <"$tmp/out") bytes written, want exactly 10000"
	# Under the limit nothing changes.
	run_wasm -W max-output=1M "$bin/printf.wasm" >"$tmp/out"
	[ "$rc" -eq 0 ] || fail "printf under a 1M limit: exit code $rc"
}

case_link() {
	local f
	for f in stubs bounds badtype invoke; do
		"$wat" "$src/fixtures/$f.wat" -o "$tmp/$f.wasm"
	done
	run_wasm "$tmp/stubs.wasm"
	[ "$rc" -eq 109 ] || fail "stubs: exit code $rc, want ENOSYS+ENOTSOCK 52+57"
	run_wasm "$tmp/bounds.wasm"
	[ "$rc" -eq 0 ] || fail "bounds check $rc did not give EFAULT"
	run_wasm "$tmp/badtype.wasm" 2>"$tmp/err"
	[ "$rc" -eq 126 ] || fail "wrong import type: exit code $rc"
	grep -q "wasi_snapshot_preview1.fd_write has the wrong type" "$tmp/err" ||
		fail "the link error does not name the import: $(cat "$tmp/err")"
	run_wasm --invoke hello "$tmp/invoke.wasm" 2 >"$tmp/out"
	[ "$rc" -eq 0 ] || fail "--invoke with WASI: exit code $rc"
	[ "$(cat "$tmp/out")" = "$(printf 'hi\n5')" ] ||
		fail "--invoke with WASI printed: $(cat "$tmp/out")"
}

# -W timeout=D: a guest in a loop traps (134) with a message naming the
# limit; one asleep in a host call is ended a grace second later. The
# bounds are generous: the machine may be loaded.
case_timeout() {
	local start elapsed
	"$wat" "$src/fixtures/spin.wat" -o "$tmp/spin.wasm"
	"$wat" "$src/fixtures/sleep.wat" -o "$tmp/sleep.wasm"
	start=$(date +%s)
	run_wasm -W timeout=300ms "$tmp/spin.wasm" 2>"$tmp/err"
	[ "$rc" -eq 134 ] || fail "spin: exit code $rc, want 134"
	grep -q "wall-clock timeout of 300 ms exceeded" "$tmp/err" ||
		fail "spin: no clear message: $(cat "$tmp/err")"
	run_wasm -W timeout=1s "$tmp/sleep.wasm" 2>"$tmp/err"
	[ "$rc" -eq 134 ] || fail "sleep: exit code $rc, want 134"
	grep -q "wall-clock timeout of 1000 ms exceeded" "$tmp/err" ||
		fail "sleep: no clear message: $(cat "$tmp/err")"
	elapsed=$(($(date +%s) - start))
	[ "$elapsed" -lt 30 ] || fail "the timeouts took ${elapsed}s"
	# Under the limit nothing changes; a bad value is a usage error.
	run_wasm -W timeout=60s "$bin/exit_code.wasm" exit 7
	[ "$rc" -eq 7 ] || fail "under the limit: exit code $rc, want 7"
	run_wasm -W timeout=soon "$bin/exit_code.wasm" 2>/dev/null
	[ "$rc" -eq 2 ] || fail "-W timeout=soon: exit code $rc, want 2"
}

# The same through `wasmd run`, which execs `wasmd-worker run`.
case_wasmd_run() {
	[ -n "$wasmd" ] || fail "no wasmd program given"
	make_tree "$tmp/n"
	make_tree "$tmp/w"
	"$bin/files" "$tmp/n/root" >"$tmp/native"
	rc=0
	"$wasmd" run --env A=1 --dir "$tmp/w/root::/sandbox" "$bin/files.wasm" \
	    /sandbox >"$tmp/wasm" || rc=$?
	[ "$rc" -eq 0 ] || fail "exit code $rc"
	same_output "wasmd run" "$tmp/native" "$tmp/wasm"
	rc=0
	"$wasmd" run "$bin/exit_code.wasm" exit 7 >/dev/null || rc=$?
	[ "$rc" -eq 7 ] || fail "wasmd run: exit code $rc, want 7"
	grep -q -- "--dir HOST\[::GUEST\]" <<<"$("$wasmd" run --help)" ||
		fail "wasmd run --help does not describe --dir"
}

# A Rust program: std's HashMap seeds itself with random_get.
case_rust_hashmap() {
	"$bin/hashmap" 5000 >"$tmp/native"
	run_wasm "$bin/hashmap.wasm" 5000 >"$tmp/wasm"
	[ "$rc" -eq 0 ] || fail "exit code $rc"
	grep -q "^37 keys, sum 12497500$" "$tmp/wasm" || fail "wrong sum"
	same_output hashmap "$tmp/native" "$tmp/wasm"
}

"case_$case_name"
echo "ok: $case_name"
