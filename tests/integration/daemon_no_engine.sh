# daemon_no_engine: the supervisor never parses WebAssembly, and the build
# shows it: no daemon source includes an engine header, and the wasmd
# binary has no engine symbol (we_*) and needs no libwasmd-engine.
. "$IT_LIB"
src=$(cd "$(dirname "$IT_LIB")/../../daemon" && pwd)
if grep -nE '#include .*(wasmd/engine|engine/|module\.h|runtime\.h)' "$src"/*.c "$src"/*.h; then
	fail "a daemon source includes an engine header"
fi
command -v nm >/dev/null || skip "needs nm (binutils)"
engine_symbols() {
	nm "$1" 2>/dev/null | grep -cE ' [TtDdBbRr] we_' || true
}
[ "$(engine_symbols "$WASMD_BIN/wasmd")" -eq 0 ] || fail "wasmd contains engine symbols"
if ldd "$WASMD_BIN/wasmd" 2>/dev/null | grep wasmd-engine; then
	fail "wasmd links libwasmd-engine"
fi
# The worker, by contrast, does contain the engine (the check can see it).
if [ -x "$WASMD_BIN/wasmd-worker" ]; then
	[ "$(engine_symbols "$WASMD_BIN/wasmd-worker")" -gt 0 ] ||
		ldd "$WASMD_BIN/wasmd-worker" | grep wasmd-engine ||
		fail "the check cannot see the engine even in wasmd-worker"
fi
