# SPDX-License-Identifier: Apache-2.0
# engine_exec.cmake: unit tests of the interpreter and the call API
# (engine/compile.c, interp.c, call.c). The fixture is converted with
# wasmd-wat at build time, with its name section, so backtraces have names.
set(_ex_wasm_dir "${CMAKE_CURRENT_BINARY_DIR}/engine_exec")
wasmd_wat2wasm(TARGET engine_exec_fixtures OUTDIR "${_ex_wasm_dir}"
    WATS "${CMAKE_CURRENT_LIST_DIR}/engine_exec/exec.wat")

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
# constants, multiple memories, ...). Its fixtures are converted with
# wasmd-wat (memory indices and 64-bit memories included); the extended
# constants are read by libwasmd-wat at run time.
set(_w3_wasm_dir "${CMAKE_CURRENT_BINARY_DIR}/engine_wasm3")
wasmd_wat2wasm(TARGET engine_wasm3_fixtures OUTDIR "${_w3_wasm_dir}"
    WATS "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3/tail.wat"
         "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3/legacy_exn.wat"
         "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3/multimem.wat"
         "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3/mem64.wat")
wasmd_unit_test(engine_wasm3_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_wasm3_test.c"
    LIBS wasmd-engine-static wasmd-wat)
add_dependencies(engine_wasm3_test engine_wasm3_fixtures)
target_compile_definitions(engine_wasm3_test PRIVATE
    WASM3_WASM_DIR="${_w3_wasm_dir}"
    WASM3_WAT_DIR="${CMAKE_CURRENT_LIST_DIR}/engine_wasm3")

# engine_rec_test: rec groups and declared subtypes of function types
# (3.0); its modules are written out in binary in the test.
wasmd_unit_test(engine_rec_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_rec_test.c"
    LIBS wasmd-engine-static)

# engine_gc_test: GC (3.0) without heap objects: struct and array types
# and their subtyping, i31 references, ref.eq; its modules are text,
# converted in the test by libwasmd-wat.
wasmd_unit_test(engine_gc_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_gc_test.c"
    LIBS wasmd-wat wasmd-engine-static)

# engine_gc_collect_test: the collector of GC objects (engine/collect.c):
# garbage freed during a call, every kind of root, host references.
wasmd_unit_test(engine_gc_collect_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_gc_collect_test.c"
    LIBS wasmd-wat wasmd-engine-static)
