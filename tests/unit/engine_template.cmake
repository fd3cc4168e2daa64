# SPDX-License-Identifier: Apache-2.0
# engine_template.cmake: unit tests of instance templates, store reuse, the
# store's memory budget and the fuel charged for compilation
# (engine/template.c, store.c, memory.c, table.c, call.c). The .wat
# fixtures are converted with wat2wasm at build time.
find_program(WAT2WASM wat2wasm REQUIRED)
set(_tp_wat_dir "${CMAKE_CURRENT_LIST_DIR}/engine_template")
set(_tp_wasm_dir "${CMAKE_CURRENT_BINARY_DIR}/engine_template")
set(_tp_wasm_files)
foreach(name data importglobal datatrap elemtrap importmem tables bigtables)
  add_custom_command(OUTPUT "${_tp_wasm_dir}/${name}.wasm"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${_tp_wasm_dir}"
      COMMAND "${WAT2WASM}" "${_tp_wat_dir}/${name}.wat"
              -o "${_tp_wasm_dir}/${name}.wasm"
      DEPENDS "${_tp_wat_dir}/${name}.wat"
      COMMENT "wat2wasm ${name}.wat")
  list(APPEND _tp_wasm_files "${_tp_wasm_dir}/${name}.wasm")
endforeach()
add_custom_target(engine_template_fixtures DEPENDS ${_tp_wasm_files})

wasmd_unit_test(engine_template_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_template_test.c"
    LIBS wasmd-engine-static)
add_dependencies(engine_template_test engine_template_fixtures)
target_compile_definitions(engine_template_test PRIVATE
    TEMPLATE_WASM_DIR="${_tp_wasm_dir}")
