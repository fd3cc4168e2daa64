# SPDX-License-Identifier: Apache-2.0
# engine_fused.cmake: unit tests of the fused instructions of the
# interpreter (engine/compile.c, interp.c; see engine/code.h). The fixture
# is converted with wasmd-wat at build time.
set(_fu_wasm_dir "${CMAKE_CURRENT_BINARY_DIR}/engine_fused")
wasmd_wat2wasm(TARGET engine_fused_fixtures OUTDIR "${_fu_wasm_dir}"
    WATS "${CMAKE_CURRENT_LIST_DIR}/engine_fused/fused.wat")

wasmd_unit_test(engine_fused_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_fused_test.c"
    LIBS wasmd-engine-static)
add_dependencies(engine_fused_test engine_fused_fixtures)
target_compile_definitions(engine_fused_test PRIVATE
    FUSED_WASM_DIR="${_fu_wasm_dir}")
