# SPDX-License-Identifier: Apache-2.0
# engine_fused.cmake: unit tests of the fused instructions of the
# interpreter (engine/compile.c, interp.c; see engine/code.h). The fixture
# is converted with wat2wasm at build time.
find_program(WAT2WASM wat2wasm REQUIRED)
set(_fu_wasm_dir "${CMAKE_CURRENT_BINARY_DIR}/engine_fused")
add_custom_command(OUTPUT "${_fu_wasm_dir}/fused.wasm"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_fu_wasm_dir}"
    COMMAND "${WAT2WASM}" "${CMAKE_CURRENT_LIST_DIR}/engine_fused/fused.wat"
            -o "${_fu_wasm_dir}/fused.wasm"
    DEPENDS "${CMAKE_CURRENT_LIST_DIR}/engine_fused/fused.wat"
    COMMENT "wat2wasm fused.wat")
add_custom_target(engine_fused_fixtures DEPENDS "${_fu_wasm_dir}/fused.wasm")

wasmd_unit_test(engine_fused_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_fused_test.c"
    LIBS wasmd-engine-static)
add_dependencies(engine_fused_test engine_fused_fixtures)
target_compile_definitions(engine_fused_test PRIVATE
    FUSED_WASM_DIR="${_fu_wasm_dir}")
