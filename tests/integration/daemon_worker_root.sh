# SPDX-License-Identifier: Apache-2.0
# daemon_worker_root: a wasmd run as root gives its workers no root. Each
# worker becomes --worker-user (default: wasmd if it exists, else nobody),
# holds no capability (effective, permitted, bounding set all empty), runs
# with no_new_privs under seccomp, and sits in user, net, ipc and mount
# namespaces of its own; the log says so once. With --worker-namespaces no
# the namespaces are the daemon's; zygote-forked workers get the same.
. "$IT_LIB"
[ "$(id -u)" -eq 0 ] || skip "needs root: the root daemon's workers are the case"
getent passwd daemon >/dev/null || skip "no user 'daemon' here"

ns() { readlink "/proc/$1/ns/$2"; }
field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | awk '{print $1}'; }

# check_worker UID SEPARATE_NS(yes|no): the confinement of one idle worker.
check_worker() {
	local want_uid=$1 sep=$2 pid kind
	pid=$(a_worker)
	# A new worker confines itself before its hello; wait for that.
	for _ in $(seq 100); do
		[ "$(field "$pid" Seccomp)" = 2 ] && break
		sleep 0.05
	done
	[ "$(field "$pid" Uid)" = "$want_uid" ] || fail "worker uid $(field "$pid" Uid), not $want_uid"
	[ "$(field "$pid" Gid)" != 0 ] || fail "worker gid is 0"
	for c in CapEff CapPrm CapInh CapBnd CapAmb; do
		[ "$(field "$pid" $c)" = 0000000000000000 ] || fail "worker $c is $(field "$pid" $c)"
	done
	[ "$(field "$pid" NoNewPrivs)" = 1 ] || fail "worker without no_new_privs"
	[ "$(field "$pid" Seccomp)" = 2 ] || fail "worker not under a seccomp filter"
	grep -q '^Groups:[[:space:]]*$' "/proc/$pid/status" || fail "worker keeps supplementary groups"
	for kind in user net ipc mnt; do
		if [ "$sep" = yes ]; then
			[ "$(ns "$pid" $kind)" != "$(ns "$DAEMON_PID" $kind)" ] ||
				fail "worker shares the daemon's $kind namespace"
		else
			[ "$(ns "$pid" $kind)" = "$(ns "$DAEMON_PID" $kind)" ] ||
				fail "worker has its own $kind namespace with --worker-namespaces no"
		fi
	done
}

default_user=nobody
getent passwd wasmd >/dev/null && default_user=wasmd
start_daemon --pool 1
check_worker "$(id -u $default_user)" yes
expect_log_match "event=worker_user user=$default_user uid=$(id -u $default_user)"
expect_log_match "event=worker_isolation .*cap_eff=0000000000000000 cap_bnd=0000000000000000 user_ns=yes net_ns=yes ipc_ns=yes mnt_ns=yes"
run ctl run --invoke add "$IT_FIXTURES/add.wasm" 2 40
expect_status 0
expect_out 42
stop_daemon

start_daemon --pool 1 --worker-user daemon --worker-spawn zygote
check_worker "$(id -u daemon)" yes
run ctl run --invoke add "$IT_FIXTURES/add.wasm" 1 2
expect_status 0
expect_out 3
stop_daemon

start_daemon --pool 1 --worker-user "$(id -u daemon)" --worker-namespaces no
check_worker "$(id -u daemon)" no
run ctl run --invoke add "$IT_FIXTURES/add.wasm" 1 2
expect_out 3
stop_daemon

# Root is never a worker user; an unknown user is a start error.
: >"$LOG"
"$WASMD_BIN/wasmd" -H "unix://$SOCK" --state-dir "$STATE" --worker-user root 2>>"$LOG" &&
	fail "wasmd started with --worker-user root"
expect_log_match "workers never run as root"
"$WASMD_BIN/wasmd" -H "unix://$SOCK" --state-dir "$STATE" --worker-user no-such-user-here 2>>"$LOG" &&
	fail "wasmd started with an unknown --worker-user"
expect_log_match "no-such-user-here: no such user"
