#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# poweroff.sh: the systemd layer's fixture cleanup (ctest systemd.poweroff).
# Shuts the container down (SIGTERM to systemd-nspawn: a clean poweroff of
# the container's systemd), kills it after 30 s, and forgets its state. The
# root stays cached; its changes were on a tmpfs overlay.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ "$(id -u)" -eq 0 ] || exit 0 # boot.sh skipped: nothing was started
rm -f "$SD_RUN/leader"
[ -s "$SD_RUN/nspawn.pid" ] || exit 0
nspawn=$(cat "$SD_RUN/nspawn.pid")
rm -f "$SD_RUN/nspawn.pid"
# Only our own nspawn, never a process that reused the pid.
grep -qF -- "$SD_ROOT" "/proc/$nspawn/cmdline" 2>/dev/null || exit 0
kill -TERM "$nspawn"
for _ in $(seq 300); do
	kill -0 "$nspawn" 2>/dev/null || exit 0
	sleep 0.1
done
echo "the container did not power off in 30 s; killing it" >&2
kill -KILL "$nspawn"
