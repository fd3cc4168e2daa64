# SPDX-License-Identifier: Apache-2.0
# engine_compile.cmake: white-box unit tests of the compiler
# (engine/compile.c): the work it does per body and where it puts values.
# Most modules are built in the test itself; wide.wat (v128 values, no
# SIMD instruction) is converted with wat2wasm at build time.
find_program(WAT2WASM wat2wasm REQUIRED)
set(_cc_wasm_dir "${CMAKE_CURRENT_BINARY_DIR}/engine_compile")
add_custom_command(OUTPUT "${_cc_wasm_dir}/wide.wasm"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_cc_wasm_dir}"
    COMMAND "${WAT2WASM}" "${CMAKE_CURRENT_LIST_DIR}/engine_compile/wide.wat"
            -o "${_cc_wasm_dir}/wide.wasm"
    DEPENDS "${CMAKE_CURRENT_LIST_DIR}/engine_compile/wide.wat"
    COMMENT "wat2wasm wide.wat")
add_custom_target(engine_compile_fixtures DEPENDS "${_cc_wasm_dir}/wide.wasm")

wasmd_unit_test(engine_compile_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_compile_test.c"
    LIBS wasmd-engine-static)
add_dependencies(engine_compile_test engine_compile_fixtures)
target_compile_definitions(engine_compile_test PRIVATE
    COMPILE_WASM_DIR="${_cc_wasm_dir}")
target_include_directories(engine_compile_test PRIVATE
    "${PROJECT_SOURCE_DIR}/engine")
