# SPDX-License-Identifier: Apache-2.0
# engine_compile.cmake: white-box unit tests of the compiler
# (engine/compile.c): the work it does per body and where it puts values.
# Most modules are built in the test itself; wide.wat (v128 values, no
# SIMD instruction) is converted with wasmd-wat at build time.
set(_cc_wasm_dir "${CMAKE_CURRENT_BINARY_DIR}/engine_compile")
wasmd_wat2wasm(TARGET engine_compile_fixtures OUTDIR "${_cc_wasm_dir}"
    WATS "${CMAKE_CURRENT_LIST_DIR}/engine_compile/wide.wat")

wasmd_unit_test(engine_compile_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_compile_test.c"
    LIBS wasmd-engine-static)
add_dependencies(engine_compile_test engine_compile_fixtures)
target_compile_definitions(engine_compile_test PRIVATE
    COMPILE_WASM_DIR="${_cc_wasm_dir}")
target_include_directories(engine_compile_test PRIVATE
    "${PROJECT_SOURCE_DIR}/engine")
