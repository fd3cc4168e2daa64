#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# fake_zygote.sh: a wasmd-worker stand-in for daemon_zygote.sh (wasmd
# --worker). `serve` runs the real worker ($FAKE_ZYGOTE_REAL); `zygote` is a
# confused zygote: it says it is ready, then answers every request with
# pid 1, a process that is not the supervisor's child. The supervisor must
# refuse that pid (never kill or wait for it), drop this zygote and exec
# the worker instead. Messages are two little-endian 32-bit words, each
# written with one write (the control socket is SOCK_SEQPACKET).
[ "$1" = zygote ] || exec "$FAKE_ZYGOTE_REAL" "$@"

# esc32 N: printf escapes for N as 4 little-endian bytes.
esc32() {
	local v=$1 i
	for i in 0 8 16 24; do
		printf '\\x%02x' $(((v >> i) & 255))
	done
}

# shellcheck disable=SC2059 # the format is the escapes
printf "$(esc32 $((0x5a594731)))$(esc32 $$)" >&3
while seq=$(dd bs=64 count=1 status=none <&3 | od -An -tu4 | tr -d ' '); [ -n "$seq" ]; do
	# shellcheck disable=SC2059
	printf "$(esc32 "$seq")$(esc32 1)" >&3
done
