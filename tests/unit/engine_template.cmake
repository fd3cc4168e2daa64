# SPDX-License-Identifier: Apache-2.0
# engine_template.cmake: unit tests of instance templates, store reuse, the
# store's memory budget and the fuel charged for compilation
# (engine/template.c, store.c, memory.c, table.c, call.c). The .wat
# fixtures are converted with wasmd-wat at build time.
set(_tp_wat_dir "${CMAKE_CURRENT_LIST_DIR}/engine_template")
set(_tp_wasm_dir "${CMAKE_CURRENT_BINARY_DIR}/engine_template")
set(_tp_wats)
foreach(name data importglobal datatrap elemtrap importmem tables bigtables
    growimage)
  list(APPEND _tp_wats "${_tp_wat_dir}/${name}.wat")
endforeach()
wasmd_wat2wasm(TARGET engine_template_fixtures OUTDIR "${_tp_wasm_dir}"
    WATS ${_tp_wats})

wasmd_unit_test(engine_template_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_template_test.c"
    LIBS wasmd-engine-static)
add_dependencies(engine_template_test engine_template_fixtures)
target_compile_definitions(engine_template_test PRIVATE
    TEMPLATE_WASM_DIR="${_tp_wasm_dir}")
