# SPDX-License-Identifier: Apache-2.0
# engine_exec.cmake: unit tests of the interpreter and the call API
# (engine/compile.c, interp.c, call.c). The fixture is converted with
# wat2wasm --debug-names at build time so backtraces have names.
find_program(WAT2WASM wat2wasm REQUIRED)
set(_ex_wasm_dir "${CMAKE_CURRENT_BINARY_DIR}/engine_exec")
add_custom_command(OUTPUT "${_ex_wasm_dir}/exec.wasm"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_ex_wasm_dir}"
    COMMAND "${WAT2WASM}" --debug-names
            "${CMAKE_CURRENT_LIST_DIR}/engine_exec/exec.wat"
            -o "${_ex_wasm_dir}/exec.wasm"
    DEPENDS "${CMAKE_CURRENT_LIST_DIR}/engine_exec/exec.wat"
    COMMENT "wat2wasm exec.wat")
add_custom_target(engine_exec_fixtures DEPENDS "${_ex_wasm_dir}/exec.wasm")

wasmd_unit_test(engine_exec_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_exec_test.c"
    LIBS wasmd-engine-static)
add_dependencies(engine_exec_test engine_exec_fixtures)
target_compile_definitions(engine_exec_test PRIVATE
    EXEC_WASM_DIR="${_ex_wasm_dir}")
# White-box checks (lazily compiled code) read engine/module.h.
target_include_directories(engine_exec_test PRIVATE
    "${PROJECT_SOURCE_DIR}/engine")

# engine_wasm3_test: the WebAssembly 3.0 features (tail calls, extended
# constants, multiple memories, ...). Its fixtures need wat2wasm's
# proposal flags, or, where wabt 1.0.32 has no flag (extended constants),
# libwasmd-wat at run time.
set(_w3_wasm_dir "${CMAKE_CURRENT_BINARY_DIR}/engine_wasm3")
add_custom_command(OUTPUT "${_w3_wasm_dir}/tail.wasm"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_w3_wasm_dir}"
    COMMAND "${WAT2WASM}" --debug-names --enable-tail-call
            "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3/tail.wat"
            -o "${_w3_wasm_dir}/tail.wasm"
    DEPENDS "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3/tail.wat"
    COMMENT "wat2wasm tail.wat")
add_custom_command(OUTPUT "${_w3_wasm_dir}/legacy_exn.wasm"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_w3_wasm_dir}"
    COMMAND "${WAT2WASM}" --debug-names --enable-exceptions
            "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3/legacy_exn.wat"
            -o "${_w3_wasm_dir}/legacy_exn.wasm"
    DEPENDS "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3/legacy_exn.wat"
    COMMENT "wat2wasm legacy_exn.wat")
add_custom_command(OUTPUT "${_w3_wasm_dir}/multimem.wasm"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_w3_wasm_dir}"
    COMMAND "${WAT2WASM}" --debug-names --enable-multi-memory
            "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3/multimem.wat"
            -o "${_w3_wasm_dir}/multimem.wasm"
    DEPENDS "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3/multimem.wat"
    COMMENT "wat2wasm multimem.wat")
add_custom_command(OUTPUT "${_w3_wasm_dir}/mem64.wasm"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_w3_wasm_dir}"
    COMMAND "${WAT2WASM}" --debug-names --enable-memory64
            "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3/mem64.wat"
            -o "${_w3_wasm_dir}/mem64.wasm"
    DEPENDS "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3/mem64.wat"
    COMMENT "wat2wasm mem64.wat")
add_custom_target(engine_wasm3_fixtures DEPENDS "${_w3_wasm_dir}/tail.wasm"
    "${_w3_wasm_dir}/legacy_exn.wasm" "${_w3_wasm_dir}/multimem.wasm"
    "${_w3_wasm_dir}/mem64.wasm")
wasmd_unit_test(engine_wasm3_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3_test.c"
    LIBS wasmd-engine-static wasmd-wat)
add_dependencies(engine_wasm3_test engine_wasm3_fixtures)
target_compile_definitions(engine_wasm3_test PRIVATE
    WASM3_WASM_DIR="${_w3_wasm_dir}"
    WASM3_WAT_DIR="${CMAKE_CURRENT_LIST_DIR}/engine_wasm3")
