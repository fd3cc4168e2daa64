# SPDX-License-Identifier: Apache-2.0
# engine_runtime.cmake: unit tests of stores, linking, host objects and
# instantiation (engine/store.c, instance.c, memory.c, table.c, global.c,
# hostfunc.c). The .wat fixtures are converted with wat2wasm at build time.
find_program(WAT2WASM wat2wasm REQUIRED)
set(_rt_wat_dir "${CMAKE_CURRENT_LIST_DIR}/engine_runtime")
set(_rt_wasm_dir "${CMAKE_CURRENT_BINARY_DIR}/engine_runtime")
set(_rt_wasm_files)
foreach(name provider consumer hostcall grow bigmem datatrap startsuspend
    elemtrap tables bigtable)
  add_custom_command(OUTPUT "${_rt_wasm_dir}/${name}.wasm"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${_rt_wasm_dir}"
      COMMAND "${WAT2WASM}" "${_rt_wat_dir}/${name}.wat"
              -o "${_rt_wasm_dir}/${name}.wasm"
      DEPENDS "${_rt_wat_dir}/${name}.wat"
      COMMENT "wat2wasm ${name}.wat")
  list(APPEND _rt_wasm_files "${_rt_wasm_dir}/${name}.wasm")
endforeach()
add_custom_target(engine_runtime_fixtures DEPENDS ${_rt_wasm_files})

wasmd_unit_test(engine_runtime_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_runtime_test.c"
    LIBS wasmd-engine-static)
add_dependencies(engine_runtime_test engine_runtime_fixtures)
target_compile_definitions(engine_runtime_test PRIVATE
    RUNTIME_WASM_DIR="${_rt_wasm_dir}")
