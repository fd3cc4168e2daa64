# SPDX-License-Identifier: Apache-2.0
# daemon_no_engine: the supervisor never parses WebAssembly, and the build
# shows it: no daemon source includes an engine header, and neither the
# wasmd front nor wasmd-supervisor has an engine symbol (we_*) or needs
# libwasmd-engine.
. "$IT_LIB"
src=$(cd "$(dirname "$IT_LIB")/../../daemon" && pwd)
if grep -nE '#include .*(wasmd/engine|engine/|module\.h|runtime\.h)' "$src"/*.c "$src"/*.h; then
	fail "a daemon source includes an engine header"
fi
command -v nm >/dev/null || skip "needs nm (binutils)"
engine_symbols() {
	nm "$1" 2>/dev/null | grep -cE ' [TtDdBbRr] we_' || true
}
# wasmd is the front (front.c), which execs wasmd-supervisor: neither may.
for prog in wasmd wasmd-supervisor; do
	[ -x "$WASMD_BIN/$prog" ] || fail "missing $WASMD_BIN/$prog"
	[ "$(engine_symbols "$WASMD_BIN/$prog")" -eq 0 ] || fail "$prog contains engine symbols"
	if ldd "$WASMD_BIN/$prog" 2>/dev/null | grep wasmd-engine; then
		fail "$prog links libwasmd-engine"
	fi
done
# The front links nothing but libc, so `wasmd run` loads no daemon library.
if ldd "$WASMD_BIN/wasmd" 2>/dev/null | grep -E 'libevent|libcrypto|libsystemd|libprotobuf'; then
	fail "the wasmd front links a daemon library"
fi
# The worker, by contrast, does contain the engine (the check can see it).
if [ -x "$WASMD_BIN/wasmd-worker" ]; then
	[ "$(engine_symbols "$WASMD_BIN/wasmd-worker")" -gt 0 ] ||
		ldd "$WASMD_BIN/wasmd-worker" | grep wasmd-engine ||
		fail "the check cannot see the engine even in wasmd-worker"
fi
