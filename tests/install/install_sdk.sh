#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# install_sdk.sh: the build installs into a private prefix and works there.
#
# 1. `cmake --install` with DESTDIR and a prefix, as nobody when run as
#    root: it must succeed without privileges and put every file under
#    DESTDIR/PREFIX (units, snippets and config included).
# 2. The installed tree is used where it lies (so it must be relocatable):
#    the .pc files, RUNPATHs and find_package(wasmd) must all resolve there.
#    examples/embed.c and examples/client.c are built against it with
#    pkg-config and with CMake, and run: embed alone, client against the
#    installed wasmd on a temporary socket.
set -euo pipefail
: "${BUILD_DIR:?set by ctest}" "${SOURCE_DIR:?set by ctest}"
CC=${CC:-cc}
read -r -a cflags <<<"${SDK_CFLAGS:-}"
read -r -a ldflags <<<"${SDK_LDFLAGS:-}"

T=$(mktemp -d /tmp/wasmd-install.XXXXXX)
DAEMON_PID=
cleanup() {
	[ -z "$DAEMON_PID" ] || kill "$DAEMON_PID" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
chmod 777 "$T"
PREFIX=/opt/wasmd-sdk
P="$T/dest$PREFIX"

# 1. An unprivileged install. cmake --install writes one file in the build
# tree (install_manifest.txt), which here belongs to root.
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || { echo "SKIP: no setpriv" >&2; exit 77; }
	touch "$BUILD_DIR/install_manifest.txt"
	chmod 666 "$BUILD_DIR/install_manifest.txt"
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if ! "${as_user[@]}" env DESTDIR="$T/dest" cmake --install "$BUILD_DIR" \
	--prefix "$PREFIX" >"$T/install.log" 2>&1; then
	cat "$T/install.log" >&2
	fail "cmake --install as an unprivileged user failed"
fi
outside=$(find "$T/dest" \( -type f -o -type l \) ! -path "$P/*")
[ -z "$outside" ] || fail "installed outside the prefix: $outside"
for f in bin/wasmd bin/wasmd-worker bin/wasmctl include/wasmd/engine.h \
	include/wasmd/client.h include/wasmd/wasi.h share/wasmd/wasmd.proto \
	lib/pkgconfig/libwasmd-engine.pc lib/pkgconfig/libwasmd-client.pc \
	lib/pkgconfig/libwasmd-wasi.pc lib/cmake/wasmd/wasmdConfig.cmake \
	lib/systemd/system/wasmd.service lib/systemd/system/wasmd.socket \
	lib/sysusers.d/wasmd.conf lib/tmpfiles.d/wasmd.conf etc/wasmd/wasmd.conf \
	share/man/man8/wasmd.8; do
	[ -e "$P/$f" ] || fail "not installed: $PREFIX/$f"
done
grep -qx "ExecStart=$PREFIX/bin/wasmd" "$P/lib/systemd/system/wasmd.service" ||
	fail "wasmd.service does not start $PREFIX/bin/wasmd: $(grep ExecStart "$P/lib/systemd/system/wasmd.service")"
grep -qx "ExecReload=$PREFIX/bin/wasmd --reload \$MAINPID" "$P/lib/systemd/system/wasmd.service" ||
	fail "wasmd.service does not reload with $PREFIX/bin/wasmd: $(grep ExecReload "$P/lib/systemd/system/wasmd.service")"
"$P/bin/wasmctl" --version >/dev/null || fail "the installed wasmctl does not run (RUNPATH?)"

# Fixtures: the example modules, built from the sources here by the
# build's own converter (wasmd-wat, not installed).
wat="$BUILD_DIR/bin/wasmd-wat"
"$wat" "$SOURCE_DIR/examples/logsum.wat" -o "$T/logsum.wasm"
"$wat" "$SOURCE_DIR/examples/fib.wat" -o "$T/fib.wasm"
printf '(module (import "env" "nothere" (func)))' >"$T/unresolved.wat"
"$wat" "$T/unresolved.wat" -o "$T/unresolved.wasm"

# 2a. pkg-config, from the relocated tree.
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
inc=$(pkg-config --variable=includedir libwasmd-engine)
[ "$(realpath "$inc")" = "$(realpath "$P/include")" ] ||
	fail "libwasmd-engine.pc points at $inc, not the installed tree"
read -r -a eng <<<"$(pkg-config --cflags --libs libwasmd-engine)"
read -r -a cli <<<"$(pkg-config --cflags --libs libwasmd-client)"
read -r -a wasi <<<"$(pkg-config --cflags --libs --static libwasmd-wasi)"
"$CC" "${cflags[@]}" -o "$T/embed" "$SOURCE_DIR/examples/embed.c" "${eng[@]}" \
	"${ldflags[@]}" -Wl,-rpath,"$P/lib"
"$CC" "${cflags[@]}" -o "$T/client" "$SOURCE_DIR/examples/client.c" "${cli[@]}" \
	"${ldflags[@]}" -Wl,-rpath,"$P/lib"
cat >"$T/wasi_link.c" <<'C'
#include <wasmd/wasi.h>
int main(void) { return ws_ctx_new == 0; }
C
"$CC" "${cflags[@]}" -o "$T/wasi_link" "$T/wasi_link.c" "${wasi[@]}" "${ldflags[@]}" \
	-Wl,-rpath,"$P/lib"
"$T/wasi_link" || fail "libwasmd-wasi: ws_ctx_new not linked"

# 2b. find_package(wasmd).
cmake -S "$SOURCE_DIR/tests/install/consumer" -B "$T/consumer" \
	-DCMAKE_PREFIX_PATH="$P" -DEXAMPLES="$SOURCE_DIR/examples" \
	-DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="${SDK_CFLAGS:-}" \
	-DCMAKE_EXE_LINKER_FLAGS="${SDK_LDFLAGS:-}" >"$T/consumer.log" 2>&1 ||
	{ cat "$T/consumer.log" >&2; fail "find_package(wasmd) against the install failed"; }
cmake --build "$T/consumer" >>"$T/consumer.log" 2>&1 ||
	{ cat "$T/consumer.log" >&2; fail "building against wasmd::engine/client failed"; }

# The embedding program, both builds: results, and clear errors.
for embed in "$T/embed" "$T/consumer/embed"; do
	out=$("$embed" "$T/logsum.wasm" sum 3)
	[ "$out" = $'log: 1\nlog: 2\nlog: 3\n6' ] || fail "$embed logsum: $out"
	[ "$("$embed" "$T/fib.wasm" fib 20)" = 6765 ] || fail "$embed fib"
	rc=0
	err=$("$embed" "$T/fib.wasm" nope 2>&1) || rc=$?
	[ "$rc" -eq 1 ] && grep -q "exports no function nope" <<<"$err" ||
		fail "$embed, missing export: rc $rc, $err"
	rc=0
	err=$("$embed" "$T/unresolved.wasm" f 2>&1) || rc=$?
	[ "$rc" -eq 1 ] && grep -q "nothere" <<<"$err" ||
		fail "$embed, unresolved import: rc $rc, $err"
done

# The client, both builds, against the installed daemon.
"$P/bin/wasmd" -H "unix://$T/wasmd.sock" --state-dir "$T/state" 2>"$T/wasmd.log" &
DAEMON_PID=$!
for _ in $(seq 100); do
	[ -S "$T/wasmd.sock" ] && break
	sleep 0.05
done
export WASMD_HOST="unix://$T/wasmd.sock"
for client in "$T/client" "$T/consumer/client"; do
	out=$("$client" "$T/logsum.wasm") || { cat "$T/wasmd.log" >&2; fail "$client failed: $out"; }
	grep -qx 'sum(4) = 10' <<<"$out" && grep -qx 'live sum = 3' <<<"$out" &&
		grep -qx 'host calls served: 7' <<<"$out" || fail "$client: $out"
done
echo "installed SDK: pkg-config and find_package builds of embed and client work"
