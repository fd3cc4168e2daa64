#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# boot.sh: the systemd layer's fixture setup (ctest systemd.boot).
#
# 1. Makes a minimal Debian 12 root once (debootstrap --variant=minbase,
#    systemd and wasmd's run-time libraries), cached in the build tree.
# 2. Installs this build into it as an operator would (cmake --install with
#    DESTDIR, prefix /usr/local: units in /usr/local/lib/systemd/system).
# 3. Boots it with systemd-nspawn -b, its changes on a tmpfs overlay
#    (--volatile=overlay), so every boot starts from the same root, and
#    waits until systemd says the system is up.
# 4. Adds alice (in the wasmd group) and bob (not in it).
# Where that cannot work (not root, no debootstrap or nspawn and no apt to
# install them, no network for debootstrap, a kernel or sandbox where
# nspawn cannot boot) it writes the reason to $SD_RUN/skip and exits 77;
# the scenarios then skip with that reason.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${BUILD_DIR:?set by ctest}" "${IT_FIXTURES:?set by ctest}" "${DEPLOY_FIXTURES:?set by ctest}"
MIRROR=${WASMD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# systemd for PID 1; the rest is what wasmd and wasmctl link (README).
PACKAGES=systemd,libevent-2.1-7,libprotobuf-c1,libseccomp2,libssl3,libsystemd0,libinih1,libjansson4

[ "$(id -u)" -eq 0 ] || skip "$SD_NEEDS_ROOT"
mkdir -p "$SD_RUN"
rm -f "$SD_RUN/skip" "$SD_RUN/leader"

# cannot REASON: the layer cannot run here; the scenarios skip with REASON.
cannot() {
	echo "$*" >"$SD_RUN/skip"
	skip "$*"
}

# Seconds since the start of this script, for the timing lines.
t0=$(date +%s)
elapsed() { echo $(($(date +%s) - t0)); }

# A container left by an interrupted run goes first.
bash "$(dirname "${BASH_SOURCE[0]}")/poweroff.sh" >/dev/null 2>&1 || true

if ! command -v debootstrap >/dev/null || ! command -v systemd-nspawn >/dev/null; then
	command -v apt-get >/dev/null || cannot "no debootstrap or systemd-nspawn, and no apt-get to install them"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		debootstrap systemd-container >"$SD_DIR/apt.log" 2>&1 ||
		cannot "cannot install debootstrap and systemd-container: $(tail -1 "$SD_DIR/apt.log")"
fi
command -v nsenter >/dev/null || cannot "no nsenter (util-linux)"

if [ ! -e "$SD_ROOT/.wasmd-root-complete" ]; then
	rm -rf "$SD_ROOT" "$SD_ROOT.tmp"
	echo "debootstrap bookworm from $MIRROR (once; cached in $SD_ROOT)"
	if ! nice -n 10 debootstrap --variant=minbase --include="$PACKAGES" \
		bookworm "$SD_ROOT.tmp" "$MIRROR" >"$SD_DIR/debootstrap.log" 2>&1; then
		rm -rf "$SD_ROOT.tmp"
		cannot "debootstrap failed (no network to $MIRROR?): $(tail -1 "$SD_DIR/debootstrap.log")"
	fi
	touch "$SD_ROOT.tmp/.wasmd-root-complete"
	mv "$SD_ROOT.tmp" "$SD_ROOT"
	echo "debootstrap: $(elapsed) s"
fi

# This build, installed as an operator installs it; the old copy goes first.
rm -rf "$SD_ROOT/usr/local"
mkdir -p "$SD_ROOT/usr/local"
DESTDIR="$SD_ROOT" cmake --install "$BUILD_DIR" --prefix /usr/local >"$SD_DIR/install.log" 2>&1 ||
	fail "cmake --install into the root failed: $(tail -3 "$SD_DIR/install.log")"
rm -rf "$SD_SHARE"
mkdir -p "$SD_SHARE"
cp "$IT_FIXTURES/add.wasm" "$DEPLOY_FIXTURES/busy.wasm" "$DEPLOY_FIXTURES/wait.wasm" "$SD_SHARE/"
echo "installed: $(elapsed) s"

# Boot. --register=no and --keep-unit: no machined on the host to talk to.
# A name of its own per build tree: nspawn keeps host state under it
# (/run/systemd/nspawn/propagate/NAME), and other trees may boot theirs.
machine=wasmd-test-$(cksum <<<"$SD_DIR" | cut -d' ' -f1)
# setsid: its own session, so nothing of ctest's reaches it; not a group
# leader here, so setsid does not fork and $! is systemd-nspawn itself.
setsid systemd-nspawn -q -D "$SD_ROOT" --volatile=overlay --register=no \
	--keep-unit --private-network -M "$machine" \
	--bind-ro="$SD_SHARE:/srv/wasmd-test" -b --console=read-only \
	</dev/null >"$SD_RUN/console.log" 2>&1 &
nspawn=$!
echo "$nspawn" >"$SD_RUN/nspawn.pid"
# The container's PID 1 is nspawn's child whose pid in its namespace is 1.
container_init() {
	local f key val ppid nspid
	for f in /proc/[0-9]*/status; do
		ppid= nspid=
		{ while read -r key val; do
			case $key in
			PPid:) ppid=$val ;;
			NSpid:) nspid=$val ;;
			esac
		done <"$f"; } 2>/dev/null || continue
		if [ "$ppid" = "$nspawn" ] && [ "${nspid##*[[:space:]]}" = 1 ] &&
			[ "$nspid" != 1 ]; then
			f=${f#/proc/}
			echo "${f%/status}"
		fi
	done
}
for _ in $(seq 100); do
	container_init >"$SD_RUN/leader"
	[ -s "$SD_RUN/leader" ] && break
	kill -0 "$nspawn" 2>/dev/null || break
	sleep 0.1
done
[ -s "$SD_RUN/leader" ] || cannot "systemd-nspawn could not boot the container: $(tail -1 "$SD_RUN/console.log")"
# systemctl fails to connect until PID 1 has made its private socket.
for _ in $(seq 600); do
	state=$(timeout 120 nsenter -t "$(cat "$SD_RUN/leader")" -m -u -i -n -p -C -- \
		env -i PATH="$SD_PATH" systemctl is-system-running --wait 2>&1 || true)
	case $state in *"connect to bus"*) sleep 0.2 ;; *) break ;; esac
done
case $state in
running | degraded) ;;
*) cannot "systemd did not finish booting in the container ($state): $(tail -1 "$SD_RUN/console.log")" ;;
esac
echo "booted ($state): $(elapsed) s"
[ "$state" = running ] || box systemctl --failed --no-legend >&2

box useradd -M -G wasmd alice
box useradd -M bob
box systemctl --version | head -1
