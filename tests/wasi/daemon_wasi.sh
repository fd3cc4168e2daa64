#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# daemon_wasi.sh CASE BINDIR: one WASI scenario through the daemon: a real
# wasmd (tests/integration/lib.sh starts it on a temp socket) runs the
# programs of wasi.cmake (BINDIR holds NAME.wasm and the native NAME) for
# `wasmctl run`, and what the client gets is compared with the native
# program's output byte for byte: argv, --env, stdin sent from the client,
# stdout and stderr streamed back as they are written, the exit code, the
# output limit, no file system inside a worker but what is mounted, and
# bundles: stored, mounted read-only or as a private copy, scratch,
# confinement, quota, kill -9, and tenants.
# shellcheck source=tests/integration/lib.sh
. "$IT_LIB"

case_name=$1
bin=$2

# wrun ARGS...: wasmctl run ARGS with stdin from /dev/null unless the
# caller redirects it; sets rc, output in $TMP/out and $TMP/err.
wrun() {
	rc=0
	ctl run "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
}

same() {
	if ! cmp -s "$2" "$3"; then
		diff -u "$2" "$3" | head -40 >&2 || true
		fail "$1: the daemon's output differs from the native one"
	fi
}

case_printf() {
	"$bin/printf" >"$TMP/native"
	wrun "$bin/printf.wasm" </dev/null
	[ "$rc" -eq 0 ] || fail "exit code $rc: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/out")" -gt 50 ] || fail "too little output"
	same printf "$TMP/native" "$TMP/out"
	# A stored module by name runs the same way.
	ctl push "$bin/printf.wasm" --name hello >/dev/null
	wrun hello </dev/null
	same "printf by name" "$TMP/native" "$TMP/out"
	expect_log_match "export=_start outcome=ok"
}

case_argv_env() {
	local args=(one "two words" "" --flag "ünïcode" "a=b")
	env -i GREETING="hi there" EMPTY= "UNI=ü" "$bin/argv_env" "${args[@]}" \
	    >"$TMP/native"
	wrun --env "GREETING=hi there" --env EMPTY= --env "UNI=ü" \
	    "$bin/argv_env.wasm" "${args[@]}" </dev/null
	[ "$rc" -eq 0 ] || fail "exit code $rc: $(cat "$TMP/err")"
	grep -q 'env\[[0-9]\]=GREETING=hi there' "$TMP/out" || fail "no GREETING"
	same argv_env "$TMP/native" "$TMP/out"
	# No --env: an empty environment, nothing of wasmctl's or wasmd's.
	wrun "$bin/argv_env.wasm" </dev/null
	grep -qx "environ: 0" "$TMP/out" || fail "an environment leaked in"
	# --env K passes wasmctl's own K.
	GREETING=inherited wrun --env GREETING "$bin/argv_env.wasm" </dev/null
	grep -qx "env\[0\]=GREETING=inherited" "$TMP/out" || fail "--env K"
	# Options after REF belong to the guest.
	wrun "$bin/argv_env.wasm" --env X=1 </dev/null
	grep -qx "argv\[1\]=\[--env\] (5 bytes)" "$TMP/out" || fail "ARGS"
}

case_stdin() {
	{
		printf 'line one\nline two\n\0NUL inside\n'
		head -c 300000 /dev/urandom
		printf 'last line without newline'
	} >"$TMP/in"
	"$bin/stdin_echo" <"$TMP/in" >"$TMP/native" 2>"$TMP/native.err"
	# From a pipe, read to its end by wasmctl and sent with the request.
	# shellcheck disable=SC2002 # a pipe, not a file, on purpose
	cat "$TMP/in" | ctl run "$bin/stdin_echo.wasm" >"$TMP/out" \
	    2>"$TMP/err" || fail "exit code $? from a pipe"
	same "stdin from a pipe" "$TMP/in" "$TMP/out"
	same "stderr" "$TMP/native.err" "$TMP/err"
	# --stdin FILE, with wasmctl's own stdin elsewhere.
	wrun --stdin "$TMP/in" "$bin/stdin_echo.wasm" </dev/null
	[ "$rc" -eq 0 ] || fail "--stdin: exit code $rc"
	same "--stdin FILE" "$TMP/in" "$TMP/out"
	# Empty stdin: end of file at once.
	wrun "$bin/stdin_echo.wasm" </dev/null
	[ -s "$TMP/out" ] && fail "output from empty input"
	grep -qx "0 bytes, 0 lines" "$TMP/err" || fail "empty input"
	# A module that does not read stdin never waits for ours to end (a
	# FIFO held open here never ends).
	mkfifo "$TMP/fifo"
	exec 3<>"$TMP/fifo"
	timeout 20 "$WASMD_BIN/wasmctl" run "$bin/printf.wasm" <&3 >/dev/null ||
		fail "waited for stdin a module never reads"
	exec 3>&-
}

case_exit_code() {
	local how want nrc
	for how in "exit 7" "exit 0" "return 3" "exit 255" "abort"; do
		nrc=0
		# shellcheck disable=SC2086 # $how is two words on purpose
		"$bin/exit_code" $how >"$TMP/native" 2>/dev/null || nrc=$?
		# shellcheck disable=SC2086
		wrun "$bin/exit_code.wasm" $how </dev/null
		want=${how#* }
		[ "$how" = abort ] && want=134
		[ "$rc" -eq "$want" ] || fail "$how: exit code $rc, want $want"
		[ "$nrc" -eq "$want" ] || fail "$how: native exit code $nrc"
		same "$how" "$TMP/native" "$TMP/out"
	done
	# abort() is a trap, reported as one; exit(N) is not.
	wrun "$bin/exit_code.wasm" abort </dev/null
	grep -q "error:" "$TMP/err" || fail "abort: no trap reported"
	wrun "$bin/exit_code.wasm" exit 7 </dev/null
	[ -s "$TMP/err" ] && fail "exit 7 printed an error: $(cat "$TMP/err")"
	expect_log_match 'export=_start outcome=ok detail="exit code 7"'
	# proc_exit in the module's start function, while instantiating.
	"$WASMD_BIN/wasmd-wat" "$(dirname "$0")/fixtures/exit_in_start.wat" -o "$TMP/e.wasm"
	wrun "$TMP/e.wasm" </dev/null
	[ "$rc" -eq 9 ] || fail "proc_exit in start: exit code $rc"
	[ -s "$TMP/err" ] && fail "proc_exit in start: $(cat "$TMP/err")"
	# --json carries the exit code.
	wrun --json "$bin/exit_code.wasm" exit 5 </dev/null
	[ "$rc" -eq 5 ] || fail "--json: exit code $rc"
	grep -q '"exit_code": 5' "$TMP/out" || fail "--json: no exit_code"
	true
}

# Clocks (clock_getres, nanosleep through poll_oneoff) and randomness
# come from the worker, inside its sandbox.
case_clocks_random() {
	"$bin/clocks" >"$TMP/native"
	wrun "$bin/clocks.wasm" </dev/null
	[ "$rc" -eq 0 ] || fail "clocks: exit code $rc: $(cat "$TMP/err")"
	same clocks <(head -n 4 "$TMP/native") <(head -n 4 "$TMP/out")
	wrun "$bin/random.wasm" </dev/null
	[ "$rc" -eq 0 ] || fail "random: exit code $rc: $(cat "$TMP/err")"
	cp "$TMP/out" "$TMP/a"
	wrun "$bin/random.wasm" </dev/null
	grep -qE '^[0-9a-f]{32}$' <(head -n 1 "$TMP/a") || fail "not 16 hex bytes"
	[ "$(head -n 1 "$TMP/a")" != "$(head -n 1 "$TMP/out")" ] ||
		fail "two runs drew the same random bytes"
}

# Milliseconds since the epoch.
now_ms() {
	local ns
	ns=$(date +%s%N)
	echo $((ns / 1000000))
}

# The first line reaches the client while the guest sleeps, about 300 ms
# before the second: stamped by a reader at the other end of a pipe.
case_stream() {
	local t1 t2 gap
	ctl run "$bin/stream.wasm" </dev/null 2>"$TMP/err" |
		while IFS= read -r line; do
			echo "$(now_ms) $line"
		done >"$TMP/stamped"
	grep -q " first line$" "$TMP/stamped" || fail "no first line"
	grep -q " second line$" "$TMP/stamped" || fail "no second line"
	grep -qx "to stderr" "$TMP/err" || fail "stderr: $(cat "$TMP/err")"
	t1=$(sed -n 's/ first line$//p' "$TMP/stamped")
	t2=$(sed -n 's/ second line$//p' "$TMP/stamped")
	gap=$((t2 - t1))
	echo "first line at $t1 ms, second at $t2 ms: $gap ms apart"
	# Held to the end, both would come within a few ms; a slow machine
	# may delay the first line by some, hence a margin below 300 ms.
	[ "$gap" -ge 100 ] ||
		fail "the first line came only $gap ms before the second: not streamed"
}

# The supervisor's resident memory, in KiB.
daemon_rss_kib() {
	awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status"
}

case_slow_reader() {
	# A client that reads slower than its guest writes holds the guest
	# back: the supervisor does not buffer the output for it. Here the
	# reader starts after 2 s, while the guest has 32 MB to write.
	stop_daemon
	start_daemon --pool 1 --max-output 64M
	rss0=$(daemon_rss_kib)
	( ctl run -W max-output=32000000 "$bin/spew.wasm" </dev/null 2>"$TMP/err" |
		{ sleep 2; cat >"$TMP/out"; } ) &
	reader=$!
	sleep 1.5
	rss1=$(daemon_rss_kib)
	wait "$reader" || true
	echo "supervisor RSS: $rss0 KiB before, $rss1 KiB with 32 MB unread"
	# Without the brake it grows by about 100 MiB; 24 MiB leaves room for
	# allocator slack (ASan's quarantine keeps freed memory resident).
	[ $((rss1 - rss0)) -lt 24576 ] ||
		fail "the supervisor grew by $((rss1 - rss0)) KiB holding output its client had not read"
	# Once read, every byte arrives, up to the limit.
	grep -q "output limit of 32000000 bytes exceeded" "$TMP/err" ||
		fail "no limit error: $(cat "$TMP/err")"
	[ "$(wc -c <"$TMP/out")" -eq 32000000 ] ||
		fail "$(wc -c <"$TMP/out") bytes arrived, want 32000000"

	# A client that never reads: its guest waits, and the wall-clock
	# limit ends it; the daemon serves others meanwhile. (A new baseline:
	# under ASan the first case's 32 MB leave freed memory quarantined.)
	rss0=$(daemon_rss_kib)
	( ctl run -W timeout=2s "$bin/spew.wasm" </dev/null 2>/dev/null |
		sleep 4 ) &
	reader=$!
	sleep 1
	wrun "$bin/exit_code.wasm" exit 7 </dev/null
	[ "$rc" -eq 7 ] || fail "another client was not served: exit code $rc"
	rss2=$(daemon_rss_kib)
	[ $((rss2 - rss0)) -lt 24576 ] ||
		fail "the supervisor grew by $((rss2 - rss0)) KiB for a client that never reads"
	wait "$reader" || true
	expect_log_match "outcome=ERR_TIMEOUT"
}

case_output_limit() {
	# Asked for by the client: the guest is stopped there.
	wrun -W max-output=10000 "$bin/spew.wasm" </dev/null
	[ "$rc" -eq 134 ] || fail "exit code $rc, want 134"
	grep -q "output limit of 10000 bytes exceeded" "$TMP/err" ||
		fail "no clear error: $(cat "$TMP/err")"
	[ "$(wc -c <"$TMP/out")" -eq 10000 ] ||
		fail "$(wc -c <"$TMP/out") bytes written, want exactly 10000"
	# The daemon's --max-output is the default and the maximum.
	stop_daemon
	start_daemon --pool 1 --max-output 5000
	wrun "$bin/spew.wasm" </dev/null
	[ "$rc" -eq 134 ] || fail "--max-output: exit code $rc"
	grep -q "output limit of 5000 bytes exceeded" "$TMP/err" ||
		fail "--max-output: $(cat "$TMP/err")"
	[ "$(wc -c <"$TMP/out")" -eq 5000 ] || fail "--max-output: not 5000 bytes"
	wrun -W max-output=6000 "$bin/spew.wasm" </dev/null
	[ "$rc" -eq 1 ] || fail "above --max-output: exit code $rc"
	grep -q -- "--max-output" "$TMP/err" || fail "refusal: $(cat "$TMP/err")"
	# Under the limit nothing changes.
	wrun "$bin/exit_code.wasm" exit 3 </dev/null
	[ "$rc" -eq 3 ] || fail "under the limit: exit code $rc"
	# A worker that does not stop the guest: the supervisor counts too,
	# relays no byte past the limit, kills the worker and says why.
	ctl push "$bin/printf.wasm" --name flood >/dev/null
	stop_daemon
	start_daemon --pool 1 --max-output 200000 --worker "$bin/wasi_flood_worker"
	wrun flood </dev/null
	[ "$rc" -eq 1 ] || fail "flooding worker: exit code $rc"
	grep -q "output limit of 200000 bytes exceeded" "$TMP/err" ||
		fail "flooding worker: $(cat "$TMP/err")"
	[ "$(wc -c <"$TMP/out")" -le 200000 ] ||
		fail "$(wc -c <"$TMP/out") bytes relayed past a 200000-byte limit"
	[ "$(wc -c <"$TMP/out")" -gt 0 ] || fail "nothing relayed before the limit"
	expect_log_match "outcome=ERR_LIMIT"
}

# --invoke of a function that uses WASI: its output streams to ours
# before the printed results.
case_invoke() {
	"$WASMD_BIN/wasmd-wat" "$(dirname "$0")/fixtures/invoke.wat" -o "$TMP/i.wasm"
	wrun --invoke hello "$TMP/i.wasm" 2 </dev/null
	[ "$rc" -eq 0 ] || fail "exit code $rc: $(cat "$TMP/err")"
	[ "$(cat "$TMP/out")" = "$(printf 'hi\n5')" ] ||
		fail "output: $(cat "$TMP/out")"
}

# A worker has no file system: no preopens, so every path fails.
case_no_files() {
	wrun "$bin/files.wasm" /sandbox </dev/null
	grep -q 'hello from' "$TMP/out" && fail "read a file in the daemon"
	grep -q "open hello.txt: " "$TMP/out" || fail "no error: $(cat "$TMP/out")"
	wrun "$bin/files.wasm" --escape / </dev/null
	grep -q OPENED "$TMP/out" && fail "opened a file: $(cat "$TMP/out")"
	grep -q "root:" "$TMP/out" && fail "read /etc/passwd"
	true
}

# shellcheck source=tests/wasi/make_tree.sh
. "$(dirname "$0")/make_tree.sh"

# A bundle mounted as a private writable copy runs files.c exactly as the
# native program on a real directory; the copy vanishes with the invoke;
# read-only bundles and scratch (the README's example, bundle_demo).
case_bundles() {
	local digest again
	make_tree "$TMP/n"
	make_tree "$TMP/b"
	"$bin/files" "$TMP/n/root" >"$TMP/native"
	digest=$(ctl bundle push "$TMP/b/root") || fail "bundle push"
	[[ $digest =~ ^[0-9a-f]{64}$ ]] || fail "bundle push printed '$digest'"
	again=$(ctl bundle push "$TMP/b/root")
	[ "$again" = "$digest" ] || fail "the same tree gave another digest"
	[ "$(ls "$STATE"/tenants/*/bundles | wc -l)" -eq 1 ] ||
		fail "the same bundle is stored twice"
	for i in 1 2; do
		wrun --files-rw "$digest::/sandbox" "$bin/files.wasm" /sandbox
		[ "$rc" -eq 0 ] || fail "run $i: exit code $rc: $(cat "$TMP/err")"
		same "files (run $i)" "$TMP/native" "$TMP/out"
	done
	# The stored image never changed: its name is still its sha256.
	[ "$(sha256sum "$STATE"/tenants/*/bundles/"$digest" | cut -c1-64)" = \
	    "$digest" ] || fail "the stored bundle changed"
	# A directory given by path is pushed by run itself.
	mkdir -p "$TMP/data"
	printf 'hello from a bundle\n' >"$TMP/data/greeting.txt"
	wrun --files "$TMP/data::/data" --scratch /tmp "$bin/bundle_demo.wasm" \
	    /data /tmp
	[ "$rc" -eq 0 ] || fail "bundle_demo: exit $rc: $(cat "$TMP/out" "$TMP/err")"
	grep -qx "/data/greeting.txt: hello from a bundle" "$TMP/out" ||
		fail "no greeting: $(cat "$TMP/out")"
	grep -qx "/tmp/note.txt: written in scratch" "$TMP/out" ||
		fail "scratch not read back: $(cat "$TMP/out")"
	grep -q "^create /data/new.txt: " "$TMP/out" ||
		fail "no write attempt: $(cat "$TMP/out")"
	grep -qx "create /data/new.txt: ok" "$TMP/out" &&
		fail "wrote into a read-only bundle"
	# Scratch is in the worker's memory: its limit bounds it.
	# (A generous deadline: 1 MiB writes are slow under sanitizers.)
	wrun -W max-memory-size=8M,timeout=60s --scratch /tmp \
	    "$bin/bundle_demo.wasm" --fill /tmp
	[ "$rc" -eq 0 ] || fail "fill: exit $rc: $(cat "$TMP/err")"
	grep -Eq "^filled [0-7] MiB: " "$TMP/out" ||
		fail "scratch past the memory limit: $(cat "$TMP/out")"
	# Scratch starts empty each time; an unknown bundle is an error.
	wrun --scratch /data --scratch /tmp "$bin/bundle_demo.wasm" /data /tmp
	[ "$rc" -eq 1 ] || fail "empty scratch: exit $rc"
	grep -q "open /data/greeting.txt: No such file" "$TMP/out" ||
		fail "scratch was not empty: $(cat "$TMP/out")"
	wrun --files 0123456789abcdef::/data "$bin/bundle_demo.wasm" /data /tmp
	[ "$rc" -eq 1 ] || fail "unknown bundle: exit $rc"
	grep -q "no bundle 0123456789abcdef" "$TMP/err" ||
		fail "unknown bundle: $(cat "$TMP/err")"
	# --dir makes no sense for a daemon: refused, pointing at --files.
	wrun --dir "$TMP/data::/data" "$bin/bundle_demo.wasm" /data /tmp
	[ "$rc" -eq 2 ] || fail "--dir: exit $rc"
	grep -q -- "--files DIR::GUEST" "$TMP/err" || fail "--dir: $(cat "$TMP/err")"
	ctl bundle rm "$digest" >/dev/null || fail "bundle rm"
	wrun --files-rw "$digest::/sandbox" "$bin/files.wasm" /sandbox
	[ "$rc" -eq 1 ] || fail "a removed bundle still mounts"
}

# Nothing outside a bundle is reachable: its links to outside stay
# unresolved (they were stored as text), .. and absolute paths are
# ENOTCAPABLE, as with wasmd run --dir.
case_bundle_escape() {
	make_tree "$TMP"
	wrun --files-rw "$TMP/root::/sandbox" "$bin/files.wasm" --escape /sandbox
	[ "$rc" -eq 0 ] || fail "exit code $rc: $(cat "$TMP/err")"
	grep -q SECRET "$TMP/out" && fail "read a file outside the bundle"
	grep -q OPENED "$TMP/out" && fail "opened something outside"
	for p in ../outside.txt /etc/passwd sub/../../outside.txt .. a/../../x; do
		grep -qx "raw path_open $p: errno 76" "$TMP/out" ||
			fail "raw path_open $p is not ENOTCAPABLE"
	done
	grep -qx "raw path_open hello.txt: errno 0" "$TMP/out" ||
		fail "raw path_open of a real file failed"
}

# Bundles count in the tenant's stored bytes: one past the quota is
# refused with a clear error. A stored bundle survives kill -9.
case_bundle_store() {
	local digest
	stop_daemon
	start_daemon --pool 1 --max-module-bytes 200000
	mkdir -p "$TMP/small" "$TMP/big"
	printf 'hello from a bundle\n' >"$TMP/small/greeting.txt"
	head -c 300000 /dev/urandom >"$TMP/big/blob"
	digest=$(ctl bundle push "$TMP/small") || fail "bundle push"
	run ctl bundle push "$TMP/big"
	expect_status 1
	expect_err_match "stored bytes limit 200000 reached"
	[ "$(ls "$STATE"/tenants/*/bundles | wc -l)" -eq 1 ] ||
		fail "a refused bundle was stored"
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
	start_daemon --pool 1 --max-module-bytes 200000
	wrun --files "$digest::/data" --scratch /tmp "$bin/bundle_demo.wasm" \
	    /data /tmp
	[ "$rc" -eq 0 ] || fail "after kill -9: exit $rc: $(cat "$TMP/err")"
	grep -qx "/data/greeting.txt: hello from a bundle" "$TMP/out" ||
		fail "after kill -9: $(cat "$TMP/out")"
}

# No tenant reaches another's bundle, by digest or prefix (needs root to
# run a second client as nobody).
case_bundle_tenants() {
	local digest
	[ "$(id -u)" -eq 0 ] || skip "needs root to run a client as another uid"
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	stop_daemon
	start_daemon --pool 1 --socket-mode 0666
	mkdir -p "$TMP/data"
	printf 'SECRET of root\n' >"$TMP/data/greeting.txt"
	digest=$(ctl bundle push "$TMP/data") || fail "bundle push"
	cp "$bin/bundle_demo.wasm" "$TMP/demo.wasm"
	chmod 755 "$TMP"
	chmod 644 "$TMP/demo.wasm"
	for ref in "$digest" "${digest:0:12}"; do
		rc=0
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		    "$WASMD_BIN/wasmctl" run --files "$ref::/data" --scratch /tmp \
		    "$TMP/demo.wasm" /data /tmp </dev/null >"$TMP/out" \
		    2>"$TMP/err" || rc=$?
		[ "$rc" -eq 1 ] || fail "nobody mounted root's bundle: exit $rc"
		grep -q SECRET "$TMP/out" && fail "nobody read root's bundle"
		grep -q "no bundle" "$TMP/err" || fail "$(cat "$TMP/err")"
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		    "$WASMD_BIN/wasmctl" bundle rm "$ref" 2>/dev/null &&
			fail "nobody removed root's bundle"
	done
	[ -f "$STATE/tenants/uid:0/bundles/$digest" ] ||
		fail "root's bundle is gone"
}

# The client library: output collected into the result without a
# callback, delivered to a callback with one, and the event-loop API.
case_library() {
	ctl push "$bin/printf.wasm" --name p >/dev/null
	ctl push "$bin/exit_code.wasm" --name e >/dev/null
	"$WASMD_BIN/wasmd-wat" "$(dirname "$0")/fixtures/wasi_hostcall.wat" -o "$TMP/h.wasm"
	ctl push "$TMP/h.wasm" --name h >/dev/null
	"$bin/printf" >"$TMP/native"
	"$bin/wasi_daemon_client" "$SOCK" p e "$TMP/native" h ||
		fail "wasi_daemon_client failed"
}

start_daemon --pool 1
"case_$case_name"
stop_daemon
