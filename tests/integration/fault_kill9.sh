# SPDX-License-Identifier: Apache-2.0
# fault_kill9: the supervisor is killed with SIGKILL in the middle of a
# stream of uploads, three times. After each restart no stored module is
# lost or corrupt and no partial one is visible: every push that was
# acknowledged is listed, everything listed is a module that was pushed
# whole (its file's sha256 is its name), and every listed module invokes.
# The workers die with their supervisor, busy ones included (no orphan
# keeps running a guest).
. "$IT_LIB"

# leb N: N as unsigned LEB128 bytes (printf escapes).
leb() {
	local v=$1 b out=""
	while :; do
		b=$((v & 0x7f))
		v=$((v >> 7))
		if [ "$v" -ne 0 ]; then
			out+=$(printf '\\x%02x' $((b | 0x80)))
		else
			out+=$(printf '\\x%02x' "$b")
			break
		fi
	done
	printf '%s' "$out"
}

# make_module I FILE: add.wasm plus a custom section "x" of 256 KiB whose
# first bytes are I, so every module is distinct and takes a while to write.
payload=262144
make_module() {
	{
		cat "$IT_FIXTURES/add.wasm"
		printf '\x00'
		printf "$(leb $((2 + payload)))"
		printf '\x01x'
		printf '%-16s' "module-$1"
		head -c $((payload - 16)) /dev/zero
	} >"$2"
}

mods="$TMP/mods"
mkdir -p "$mods"
for i in $(seq 1 90); do
	make_module "$i" "$mods/$i.wasm"
	sha256sum "$mods/$i.wasm" | cut -d' ' -f1 >>"$TMP/all-digests"
done
: >"$TMP/acked"

# push_stream FROM TO: pushes those modules one after the other, recording
# each acknowledged digest, until the daemon goes away.
push_stream() {
	local i d
	for i in $(seq "$1" "$2"); do
		d=$("$WASMD_BIN/wasmctl" push "$mods/$i.wasm" --name "m$i" 2>/dev/null) || return 0
		echo "$d" >>"$TMP/acked"
	done
}

check_store() {
	local listed d dir n=0
	dir="$STATE/tenants/uid:$(id -u)"
	run ctl ls
	expect_status 0
	# Every acknowledged push survived.
	while read -r d; do
		# (grep reads a here-string: with pipefail, an echo piped into
		# grep -q can die of SIGPIPE and make a match look like a miss.)
		grep -q "${d:0:12}" <<<"$OUT" ||
			fail "acknowledged module $d was lost (on disk: $(ls "$dir/modules" | grep -c "^$d") files; names: $(grep -l "$d" "$dir"/names/* 2>/dev/null | xargs -r -n1 basename | tr '\n' ' '))"
	done <"$TMP/acked"
	# Everything on disk under a digest name is whole.
	for f in "$dir"/modules/*.wasm; do
		[ -e "$f" ] || continue
		d=$(basename "$f" .wasm)
		[ "$(sha256sum "$f" | cut -d' ' -f1)" = "$d" ] || fail "$f is corrupt (sha256 differs from its name)"
	done
	# Everything listed was pushed whole, and invokes.
	listed=$(grep -Eo '\b[0-9a-f]{12,64}\b' <<<"$OUT" | sort -u || true)
	for d in $listed; do
		if [ "$d" = "${spin_digest:0:${#d}}" ]; then
			run ctl run --invoke one "$d"
			expect_status 0
			expect_out 1
			continue
		fi
		grep -q "^$d" "$TMP/all-digests" || fail "listed module $d was never pushed (a partial upload?)"
		run ctl run --invoke add "$d" 40 2
		expect_status 0
		expect_out 42
		n=$((n + 1))
	done
	echo "round: $(wc -l <"$TMP/acked") acknowledged, $n listed and invoked" >&2
}

# wait_gone PID...: until none of them is alive (2 s at most).
wait_gone() {
	local p alive
	for _ in $(seq 40); do
		alive=""
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && alive+=" $p"
		done
		[ -z "$alive" ] && return 0
		sleep 0.05
	done
	fail "workers outlived their SIGKILLed supervisor:$alive ($(ps -o pid,cmd -p "${alive// /,}" | tail -n +2))"
}

from=1
for round in 1 2 3; do
	start_daemon --pool 1
	if [ "$round" -eq 1 ]; then
		run ctl push "$IT_FIXTURES/spin.wasm" --name spin
		expect_status 0
		spin_digest=$OUT
	fi
	# A guest that never returns keeps one worker busy through the kill.
	"$WASMD_BIN/wasmctl" run -W timeout=60s --invoke spin spin >/dev/null 2>&1 &
	spinner=$!
	push_stream "$from" $((from + 29)) &
	pusher=$!
	# Kill once a few pushes went through, at a moment that varies.
	want=$(($(wc -l <"$TMP/acked") + 3 + round))
	for _ in $(seq 400); do
		[ "$(wc -l <"$TMP/acked")" -ge "$want" ] && break
		sleep 0.025
	done
	sleep "0.0$((RANDOM % 9 + 1))"
	kids=$(pgrep -P "$DAEMON_PID" | tr '\n' ' ')
	[ -n "$kids" ] || fail "the daemon has no workers before the kill"
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
	# shellcheck disable=SC2086
	wait_gone $kids
	wait "$pusher"
	wait "$spinner" || true
	# A killed supervisor leaves its socket: the next start must cope.
	start_daemon --pool 1
	check_store
	stop_daemon
	from=$((from + 30))
done
