# SPDX-License-Identifier: Apache-2.0
# deploy_stop_killmode: `systemctl stop` during a call, as systemd would
# signal the unit's processes. With wasmd.service's KillMode= (the default
# is control-group), systemd sends SIGTERM to every process of the unit,
# workers included, or with KillMode=mixed to wasmd alone, then SIGKILL to
# what is left once wasmd has exited. The call in flight must return its
# result, a new call gets ERR_UNAVAILABLE, and wasmd exits 0: so the unit
# must say KillMode=mixed (a control-group stop crashed the call with
# "signal 15" 16 ms after the stop).
. "$IT_LIB"
. "$(dirname "${BASH_SOURCE[0]}")/notify.sh"
mode=$(sed -n 's/^KillMode=//p' "$DEPLOY_SRC/wasmd.service" | tail -1)
mode=${mode:-control-group}

start_with_long_calls
n=6000 # ms of wall-clock time (wait.wasm)
start_long_call "$n"

# The stop, the way systemd does it for this KillMode.
unit_pids=("$DAEMON_PID" $(worker_pids))
case $mode in
mixed | process) kill -TERM "$DAEMON_PID" ;;
control-group) kill -TERM "${unit_pids[@]}" ;;
*) fail "KillMode=$mode in wasmd.service: expected mixed" ;;
esac
wait_notify "^STOPPING=1$" 5
run ctl run --invoke add add 1 2
expect_status 1
expect_err_match "shutting down"

expect_long_result "$n" "KillMode=$mode"
st=0
wait "$DAEMON_PID" || st=$?
DAEMON_PID=
[ "$st" -eq 0 ] || fail "wasmd exited with status $st"
# What systemd does last with KillMode=mixed: SIGKILL to the rest.
for p in "${unit_pids[@]:1}"; do kill -KILL "$p" 2>/dev/null || true; done
