# SPDX-License-Identifier: Apache-2.0
# engine_runtime.cmake: unit tests of stores, linking, host objects and
# instantiation (engine/store.c, instance.c, memory.c, table.c, global.c,
# hostfunc.c). The .wat fixtures are converted with wasmd-wat at build time.
set(_rt_wat_dir "${CMAKE_CURRENT_LIST_DIR}/engine_runtime")
set(_rt_wasm_dir "${CMAKE_CURRENT_BINARY_DIR}/engine_runtime")
set(_rt_wats)
foreach(name provider consumer hostcall grow bigmem datatrap startsuspend
    elemtrap tables bigtable)
  list(APPEND _rt_wats "${_rt_wat_dir}/${name}.wat")
endforeach()
wasmd_wat2wasm(TARGET engine_runtime_fixtures OUTDIR "${_rt_wasm_dir}"
    WATS ${_rt_wats})

wasmd_unit_test(engine_runtime_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_runtime_test.c"
    LIBS wasmd-engine-static)
add_dependencies(engine_runtime_test engine_runtime_fixtures)
target_compile_definitions(engine_runtime_test PRIVATE
    RUNTIME_WASM_DIR="${_rt_wasm_dir}")
