#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hostile_metadata (issue 21, row 3): a small module with many imports of a
# wide function type made metadata a hundred times its size, kept in the
# supervisor's memory, outside the quota, and decoded whole by every
# `list`. Now: metadata past --max-module-info (1 MiB by default) or past
# 100,000 imports and exports is refused at push with ERR_LIMIT; the
# metadata that is stored counts in --max-module-bytes; `list` and a
# restart read no .info file (an index entry per module), so neither grows
# the supervisor with the metadata's size.
. "$IT_LIB"
gen() {
	"$IT_BIN/wasmd-it-faultclient" - genimports "$@"
}
rss_kib() {
	awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status"
}
# 3,000 imports of a 1000-parameter type: ~25 KB of module, ~3 MB of
# metadata.
gen 3000 1000 >"$TMP/wide.wasm"
# 100,001 imports of an empty type: too many entries (under a raised byte
# limit, to see the count refused).
gen 100001 0 >"$TMP/many.wasm"

start_daemon --pool 2 --max-module-bytes 3M
run ctl push "$TMP/wide.wasm"
expect_status 1
expect_err_match "metadata .* takes [0-9]+ bytes, above --max-module-info 1048576"
ls "$STATE/tenants/uid:0/modules/" 2>/dev/null | grep -q . && fail "a refused module was stored"
stop_daemon

start_daemon --pool 2 --max-module-info 64M --max-module-bytes 64M
run ctl push "$TMP/many.wasm"
expect_status 1
expect_err_match "declares 100001 imports and exports; at most 100000"
stop_daemon

# Modules of ~305 KB of metadata each (and ~3 KB of bytes): the quota of
# 2 MiB holds six, the seventh is refused naming its metadata.
start_daemon --pool 2 --max-module-bytes 2M
for i in $(seq 0 6); do
	gen $((300 + i)) 1000 >"$TMP/m$i.wasm"
done
for i in $(seq 0 5); do
	run ctl push "$TMP/m$i.wasm" --name "m$i"
	expect_status 0
done
run ctl push "$TMP/m6.wasm"
expect_status 1
expect_err_match "module bytes limit 2097152 reached .* of metadata"
stop_daemon

# A restart and a hundred lists: the index answers, no .info is read.
start_daemon --pool 2 --max-module-bytes 2M
rss0=$(rss_kib)
start=$(date +%s%N)
for _ in $(seq 100); do
	"$IT_BIN/wasmd-it-rawclient" "$SOCK" list >"$TMP/list.out" || fail "list failed"
done
ms=$((($(date +%s%N) - start) / 1000000))
[ "$(cat "$TMP/list.out")" = modules=6 ] || fail "list: $(cat "$TMP/list.out")"
rss1=$(rss_kib)
echo "100 lists of 6 modules with 1.8 MB of metadata: $ms ms; RSS $rss0 -> $rss1 KiB" >&2
asan_build || [ $((rss1 - rss0)) -lt 2048 ] || fail "list grew the supervisor by $((rss1 - rss0)) KiB"
run ctl ls
expect_status 0
grep -q "m5" <<<"$OUT" || fail "ls: $OUT"
# inspect still reads the whole metadata.
run ctl inspect m3
expect_status 0
grep -q "imports  303" <<<"$OUT" || fail "inspect: $(head -5 <<<"$OUT")"
stop_daemon
