# SPDX-License-Identifier: Apache-2.0
# fault_flood: a client opens connections without end. The daemon refuses
# those beyond --max-connections (with an error, at once) but keeps
# serving the connections it has; once the flood is gone, new clients are
# served again and the daemon's descriptor count is back where it was.
. "$IT_LIB"
# fd_count: the supervisor's open descriptors.
fd_count() {
	ls "/proc/$DAEMON_PID/fd" | wc -l
}
# wait_fds N: until the supervisor has N descriptors again.
wait_fds() {
	for _ in $(seq 100); do
		[ "$(fd_count)" -eq "$1" ] && return 0
		sleep 0.05
	done
	fail "the daemon has $(fd_count) descriptors, not $1 as before (ls -l /proc/$DAEMON_PID/fd: $(ls -l "/proc/$DAEMON_PID/fd" | tail -n +2 | awk '{print $NF}' | tr '\n' ' '))"
}

# --worker-max-invokes 1: no warm worker stays to be counted (workers, fds).
start_daemon --pool 2 --max-connections 8 --worker-max-invokes 1
run ctl push "$IT_FIXTURES/add.wasm" --name add
expect_status 0
wait_workers 2
base=$(fd_count)

# A probe connection, then 40 more: 7 fit beside the probe, 33 are refused.
"$IT_BIN/wasmd-it-faultclient" "$SOCK" flood 40 1500 >"$TMP/flood.out" &
flooder=$!
for _ in $(seq 100); do
	[ -s "$TMP/flood.out" ] && break
	sleep 0.05
done
[ -s "$TMP/flood.out" ] || fail "the flood client did not report"
# While the flood holds every slot, a new client is refused with a message.
run ctl ls
[ "$STATUS" -ne 0 ] || fail "a client beyond --max-connections was served"
expect_err_match "limit"
wait "$flooder" || fail "the probe connection stopped being served: $(cat "$TMP/flood.out")"
read -r _ accepted _ refused _ probe <"$TMP/flood.out"
[ "$probe" = ok ] || fail "probe: $probe"
[ "$accepted" -eq 7 ] || fail "expected 7 extra connections accepted (limit 8 with the probe), got $accepted"
[ "$refused" -eq 33 ] || fail "expected 33 refused, got $refused"

# Serving again, and nothing leaked.
run ctl run --invoke add add 40 2
expect_status 0
expect_out 42
wait_workers 2
wait_fds "$base"

# Twice more, to see that nothing accumulates.
for _ in 1 2; do
	"$IT_BIN/wasmd-it-faultclient" "$SOCK" flood 40 100 >/dev/null || fail "probe not served"
done
run ctl run --invoke add add 1 2
expect_out 3
wait_workers 2
wait_fds "$base"
stop_daemon
