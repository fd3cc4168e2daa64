# SPDX-License-Identifier: Apache-2.0
# lib.sh: sourced by boot.sh, poweroff.sh and every scenario (systemd_*.sh).
#
# One Debian 12 container, booted by boot.sh with systemd as its PID 1 and
# shared by the scenarios (ctest runs them one at a time: RESOURCE_LOCK).
# Its state lives in $SD_RUN: nspawn.pid (systemd-nspawn on the host),
# leader (the container's PID 1, as the host sees it) and skip (why the
# layer cannot run here). `box CMD...` runs CMD inside the container as
# root, through nsenter, with a clean environment.
# ctest sets SD_DIR (this layer's build directory), BUILD_DIR, WASMD_BIN,
# IT_FIXTURES and DEPLOY_FIXTURES.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../integration/assert.sh" # fail, skip, run, expect_*
: "${SD_DIR:?set by ctest}"
SD_ROOT="$SD_DIR/debian-12"  # the cached root (debootstrap)
SD_RUN="$SD_DIR/run"         # the booted container's state
SD_SHARE="$SD_RUN/share"     # bound read-only at /srv/wasmd-test
SD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SOCK=/run/wasmd/wasmd.sock
CONF=/usr/local/etc/wasmd/wasmd.conf # the install prefix is /usr/local
DROPIN=/etc/systemd/system/wasmd.service.d/test.conf

# box CMD...: CMD inside the container, as root.
box() {
	nsenter -t "$(cat "$SD_RUN/leader")" -m -u -i -n -p -C -- \
		env -i PATH="$SD_PATH" LANG=C.UTF-8 "$@"
}

# as USER CMD...: CMD inside the container as USER with USER's groups.
as() {
	local user=$1
	shift
	box setpriv --reuid="$user" --regid="$user" --init-groups \
		env WASMD_HOST="unix://$SOCK" "$@"
}

# ctl_as USER ARGS...: wasmctl ARGS as USER.
ctl_as() {
	local user=$1
	shift
	as "$user" wasmctl "$@"
}

# prop NAME: a property of wasmd.service (systemctl show --value).
prop() {
	box systemctl show --value -p "$1" wasmd.service
}

# state_is STATE: wasmd.service's ActiveState is STATE now. A command for
# until_true: `until_true 5 test "$(prop ActiveState)" = x` would read the
# state once, before the first try, and compare that same word each time.
state_is() {
	[ "$(prop ActiveState)" = "$1" ]
}

# until_true SECONDS CMD...: until CMD succeeds, or fail.
until_true() {
	local tries=$(($1 * 10))
	shift
	for _ in $(seq "$tries"); do
		"$@" && return 0
		sleep 0.1
	done
	fail "timed out waiting for: $*"
}

# No "CMD | grep -q" under pipefail: grep exits at its first match and CMD
# may die of SIGPIPE, failing the pipeline; here-strings instead.

SD_NEEDS_ROOT="the systemd layer needs root (debootstrap, systemd-nspawn)"

# The container must be up (boot.sh ran), or the layer skips here too.
sd_require_box() {
	[ "$(id -u)" -eq 0 ] || skip "$SD_NEEDS_ROOT"
	[ ! -e "$SD_RUN/skip" ] || skip "$(cat "$SD_RUN/skip")"
	[ -s "$SD_RUN/leader" ] && [ -d "/proc/$(cat "$SD_RUN/leader")" ] ||
		fail "the container is not running (ctest runs systemd.boot first)"
}

# fresh_wasmd [DROPIN TEXT]: wasmd stopped, the example configuration (or
# none), no modules, the drop-in (or none), wasmd.socket listening; the
# journal() of the scenario starts here.
fresh_wasmd() {
	box systemctl stop wasmd.socket wasmd.service
	box systemctl reset-failed wasmd.service 2>/dev/null || true
	box rm -f "$CONF" "$DROPIN"
	box sh -c 'rm -rf /var/lib/wasmd/* /var/lib/wasmd/.[!.]*' # modules of earlier scenarios
	if [ $# -gt 0 ]; then
		box mkdir -p "${DROPIN%/*}"
		box sh -c "cat >$DROPIN" <<<"$1"
	fi
	box systemctl daemon-reload
	box systemctl start wasmd.socket
	JSINCE=$(date +%s.%6N)
}

# write_conf TEXT: /usr/local/etc/wasmd/wasmd.conf, as a root editor would.
write_conf() {
	box sh -c "cat >$CONF" <<<"$1"
}

# journal ARGS...: wasmd.service's journal since fresh_wasmd, message only.
# By time: journalctl 252's --after-cursor dropped the first of two lines
# written at the same instant.
journal() {
	box journalctl -q --no-pager -o cat --since "@$JSINCE" -u wasmd.service "$@"
}

# wait_journal REGEX [journalctl ARGS]: until a line matches.
wait_journal() {
	local re=$1
	shift
	for _ in $(seq 50); do
		grep -Eq -- "$re" <<<"$(journal "$@")" && return 0
		sleep 0.2
	done
	fail "no journal line matches /$re/: $(journal "$@" | tail -20)"
}

# push_as USER FILE NAME: a fixture from /srv/wasmd-test, pushed as USER.
push_as() {
	run ctl_as "$1" push "/srv/wasmd-test/$2" --name "$3"
	expect_status 0
}

# wait_running N: until alice's tenant has N jobs in flight.
wait_running() {
	local uid
	uid=$(box id -u alice)
	for _ in $(seq 200); do
		grep -Fqx "wasmd_jobs_running{tenant=\"uid:$uid\"} $1" \
			<<<"$(ctl_as alice stats --format prometheus 2>/dev/null)" && return 0
		sleep 0.05
	done
	fail "wasmd never had $1 jobs of alice in flight"
}

# start_long_call MS: alice starts a call of wait.wasm (pushed with add.wasm
# here) that lasts MS ms of wall-clock time (it reads the clock through
# wasmctl, so the load cannot make it end early); returns once it is in
# flight. LONG: its pid, LONG_N: the result it must return (MS),
# LONG_OUT/LONG_ERR: its output.
start_long_call() {
	push_as alice wait.wasm wait
	push_as alice add.wasm add
	LONG_N=$1
	LONG_OUT=$(mktemp /tmp/wasmd-sd.XXXXXX)
	LONG_ERR=$(mktemp /tmp/wasmd-sd.XXXXXX)
	trap 'rm -f "$LONG_OUT" "$LONG_ERR"' EXIT
	ctl_as alice run --invoke wait wait "$LONG_N" >"$LONG_OUT" 2>"$LONG_ERR" &
	LONG=$!
	wait_running 1
}

# expect_long_result: the call of start_long_call returned its result.
expect_long_result() {
	local st=0
	wait "$LONG" || st=$?
	[ "$st" -eq 0 ] || fail "the call in flight failed ($st): $(cat "$LONG_ERR")"
	[ "$(cat "$LONG_OUT")" = "$LONG_N" ] || fail "the call in flight returned '$(cat "$LONG_OUT")', not $LONG_N"
}

# The shipped unit must drain on stop: without KillMode=mixed systemd
# signals the workers too and the call in flight dies with them.
require_killmode_mixed() {
	[ "$(prop KillMode)" = mixed ] ||
		skip "wasmd.service has KillMode=$(prop KillMode), not mixed: a stop kills the calls in flight (issue 19; this scenario fails without it)"
}
