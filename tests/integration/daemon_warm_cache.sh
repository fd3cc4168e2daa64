# SPDX-License-Identifier: Apache-2.0
# daemon_warm_cache: a warm worker keeps the modules it compiled, within
# --worker-cache bytes, least recently used out first. Two modules of
# 256 KiB each (add.wasm with a custom section, made here) under a budget
# of 400 KiB: the second evicts the first, whose bytes are then sent again
# and recompiled, with the right results; one module alone stays cached.
# A module over the budget (512 KiB) is kept alone while it is the only
# one asked for, and shed before the next module is decoded. A live
# instance's creation on that worker takes the module from its cache.
. "$IT_LIB"

# leb N: N as unsigned LEB128 bytes.
leb() {
	local v=$1 b
	while :; do
		b=$((v & 0x7f))
		v=$((v >> 7))
		[ "$v" -ne 0 ] && b=$((b | 0x80))
		printf "\\$(printf %03o "$b")"
		[ "$v" -eq 0 ] && break
	done
}

# big_module OUT FILLBYTE [KIB]: add.wasm plus a custom section "x" of
# KIB (default 256) KiB.
big_module() {
	local n=$((${3:-256} * 1024))
	{
		cat "$IT_FIXTURES/add.wasm"
		printf '\000'
		leb $((n + 2))
		printf '\001x'
		head -c "$n" /dev/zero | tr '\0' "$2"
	} >"$1"
}
big_module "$TMP/a.wasm" a
big_module "$TMP/b.wasm" b
big_module "$TMP/c.wasm" c 512

start_daemon --pool 1 --worker-cache 409600
run ctl push "$TMP/a.wasm" --name a
expect_status 0
run ctl push "$TMP/b.wasm" --name b
expect_status 0
run ctl push "$TMP/c.wasm" --name c
expect_status 0

# run_add REF X Y: one invoke, checked; prints nothing.
run_add() {
	run ctl run --invoke add "$1" "$2" "$3"
	expect_status 0
	expect_out "$(($2 + $3))"
}

run_add a 1 1
w=$(last_job_field worker)
[ "$(last_job_field module)" = sent ] || fail "a's first invoke did not send it"
run_add a 2 2
[ "$(last_job_field module)" = cached ] || fail "a was not cached"
run_add b 3 3
[ "$(last_job_field module)" = sent ] || fail "b's first invoke did not send it"
# b evicted a (the worker said so): a's bytes go again, a is recompiled.
run_add a 4 4
[ "$(last_job_field module)" = sent ] || fail "a was still taken for cached after b evicted it"
run_add a 5 5
[ "$(last_job_field module)" = cached ] || fail "a was not cached again"

# c alone is over the budget: kept while only c is asked for.
run_add c 6 6
[ "$(last_job_field module)" = sent ] || fail "c's first invoke did not send it"
run_add c 7 7
[ "$(last_job_field module)" = cached ] || fail "c, over the budget alone, was not kept"
# a's bytes come (c evicted it); c is shed before a is decoded, and said so.
run_add a 8 8
[ "$(last_job_field module)" = sent ] || fail "a was taken for cached after c"
run_add c 9 9
[ "$(last_job_field module)" = sent ] || fail "c was not shed before a was decoded"
for p in $(job_workers "uid:$(id -u)" | tail -9); do
	[ "$p" = "$w" ] || fail "the invokes did not all run in worker $w"
done
# A live instance of c takes that warm worker and its cached c: no bytes
# are sent (the worker instantiates the cached module).
run "$IT_BIN/wasmd-it-rawclient" "$SOCK" instances 1 c
expect_status 0
grep -q "^created " <<<"$OUT" || fail "no instance of the cached c: $OUT"
m=$(last_job_field module)
[ "$m" = cached ] || fail "the instance's creation did not take the cached c (module=$m)"
[ "$(last_job_field worker)" = "$w" ] || fail "the instance did not take the warm worker $w"
stop_daemon
