# SPDX-License-Identifier: Apache-2.0
# notify.sh: sourced after tests/integration/lib.sh by the deploy scenarios.
# Plays the service manager's side of sd_notify: start_notify binds
# $NOTIFY (wasmd-notify-listen, one message a line in $NOTIFY_LOG) and
# exports NOTIFY_SOCKET so the daemon started next reports to it.
: "${DEPLOY_BIN:?set by ctest}" "${DEPLOY_FIXTURES:?set by ctest}"
NOTIFY="$TMP/notify.sock"
NOTIFY_LOG="$TMP/notify.log"
NOTIFY_PID=

deploy_cleanup() {
	local rc=$?
	[ -z "$NOTIFY_PID" ] || kill "$NOTIFY_PID" 2>/dev/null || true
	(exit "$rc")
	it_cleanup
}
trap deploy_cleanup EXIT

start_notify() {
	: >"$NOTIFY_LOG"
	"$DEPLOY_BIN/wasmd-notify-listen" "$NOTIFY" >>"$NOTIFY_LOG" &
	NOTIFY_PID=$!
	for _ in $(seq 100); do
		[ -S "$NOTIFY" ] && break
		sleep 0.02
	done
	[ -S "$NOTIFY" ] || fail "wasmd-notify-listen did not bind $NOTIFY"
	export NOTIFY_SOCKET="$NOTIFY"
}

# wait_notify REGEX [SECONDS]: until a notify message matches.
wait_notify() {
	local tries=$((${2:-10} * 20))
	for _ in $(seq "$tries"); do
		grep -Eq -- "$1" "$NOTIFY_LOG" && return 0
		sleep 0.05
	done
	fail "no notify message matches /$1/; got: $(cat "$NOTIFY_LOG")"
}

# wait_running N: until the caller's tenant has N jobs in flight (stats).
wait_running() {
	local me
	me=$(id -u)
	for _ in $(seq 200); do
		ctl stats --format prometheus 2>/dev/null |
			grep -Fqx "wasmd_jobs_running{tenant=\"uid:$me\"} $1" && return 0
		sleep 0.02
	done
	fail "the daemon never had $1 jobs in flight"
}

# start_long_call MS: the caller's call of wait.wasm (start_with_long_calls
# pushed it) lasting MS ms of wall-clock time: it reads the clock through
# wasmctl, so the load cannot end it early. Returns once it is in flight;
# LONG is its pid, its output in $TMP/long.out and $TMP/long.err.
start_long_call() {
	ctl run --invoke wait wait "$1" >"$TMP/long.out" 2>"$TMP/long.err" &
	LONG=$!
	wait_running 1
}

# start_with_long_calls [WASMD OPTIONS]: the notify listener and a daemon
# (one pooled worker, 60 s limits) holding wait.wasm and add.wasm.
start_with_long_calls() {
	start_notify
	start_daemon --pool 1 --max-timeout 60s --default-timeout 60s "$@"
	run ctl push "$DEPLOY_FIXTURES/wait.wasm" --name wait
	expect_status 0
	run ctl push "$IT_FIXTURES/add.wasm" --name add
	expect_status 0
}

# expect_long_result MS [WHAT]: the call of start_long_call returned MS.
expect_long_result() {
	local st=0
	wait "$LONG" || st=$?
	[ "$st" -eq 0 ] || fail "${2:+$2: }the call in flight failed ($st): $(cat "$TMP/long.err")"
	[ "$(cat "$TMP/long.out")" = "$1" ] || fail "${2:+$2: }the call in flight returned '$(cat "$TMP/long.out")', not $1"
}
