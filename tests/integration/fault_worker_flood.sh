# SPDX-License-Identifier: Apache-2.0
# fault_worker_flood: a worker (a compromised one, say) floods its socket
# mid-call as fast as it can: host calls before the first is answered,
# memory replies nobody asked for, frames that answer nothing, a length
# prefix of 4 GiB followed by garbage. Each time the supervisor kills that
# worker at once and fails that one call with an error saying why, its
# memory stays bounded, and other clients are served meanwhile; at the end
# the descriptors are back and the daemon alive. (fake_worker.c's flood
# modes; the ERR code is in the daemon's log.)
. "$IT_LIB"
. "$(dirname "$IT_LIB")/faultinject.sh"

# Freed memory must be given back for RSS to mean something under ASan.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
start_daemon --worker-max-invokes 1 --pool 2 --worker "$IT_BIN/wasmd-it-fakeworker" \
	--default-timeout 10s
run ctl push "$IT_FIXTURES/add.wasm" --name m
expect_status 0
run ctl run --invoke ok m
expect_out 42
wait_workers 2
base=$(fd_count)
rss0=$(rss_kb)

# flood EXPORT REGEX: the call fails within 3 s (the deadline is 10 s)
# with an error matching REGEX, while a normal call and a list on other
# connections are served.
flood() {
	local t took
	t=$(now_ms)
	ctl run --invoke "$1" m >"$TMP/flood.out" 2>"$TMP/flood.err" &
	local pid=$!
	run ctl run --invoke ok m
	expect_status 0
	expect_out 42
	run ctl ls
	expect_status 0
	STATUS=0
	wait "$pid" || STATUS=$?
	took=$(($(now_ms) - t))
	OUT=$(cat "$TMP/flood.out")
	ERR=$(cat "$TMP/flood.err")
	expect_status 1
	expect_err_match "killed by wasmd: the worker sent $2"
	[ "$took" -lt 3000 ] || fail "$1: the call took $took ms to fail"
}

flood floodhost "a host call before the previous one was answered"
flood floodmem "a memory reply nobody asked for"
flood floodhello "an unexpected message"
flood bigprefix "a malformed frame"
expect_log_match 'event=invoke .*export=floodhost outcome=ERR_CRASH detail="the worker was killed by wasmd'
expect_log_match 'event=worker_bad_frame .*too (big|large)|event=worker_bad_frame .*exceeds'

# Twice more each: nothing accumulates.
for how in floodhost floodmem floodhello bigprefix; do
	run ctl run --invoke "$how" m
	expect_status 1
done
hwm=$(hwm_kb)
rss=$(rss_kb)
# Loosely: the floods pushed tens of MiB through the socket; a supervisor
# that buffered them would have grown by as much.
[ $((hwm - rss0)) -lt 65536 ] || fail "peak memory grew from $rss0 KiB to $hwm KiB"
[ $((rss - rss0)) -lt 32768 ] || fail "memory grew from $rss0 KiB to $rss KiB"

run ctl run --invoke ok m
expect_out 42
wait_workers 2
wait_fds "$base"
expect_alive
stop_daemon

# Workers that flood right after their hello, idle: each is killed, and
# the pool replaces them with a backoff, not in a loop (before: about 400
# spawns a second); a call still fails at once, saying why.
export FAKEWORKER_AFTER_HELLO=floodhello
start_daemon --worker-max-invokes 1 --pool 2 --worker "$IT_BIN/wasmd-it-fakeworker"
unset FAKEWORKER_AFTER_HELLO
watch_daemon 3 'event=worker_kill'
[ "$EVENTS" -le 20 ] || fail "$EVENTS workers started and killed in 3 s"
[ "$TICKS" -le 30 ] || fail "the daemon used $TICKS CPU ticks in 3 s replacing workers"
t=$(now_ms)
run ctl run --invoke ok m
expect_status 1
expect_err_match "killed by wasmd: the worker sent an unexpected message"
took=$(($(now_ms) - t))
[ "$took" -lt 3000 ] || fail "the call took $took ms to fail"
expect_alive
stop_daemon
