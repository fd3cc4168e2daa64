# SPDX-License-Identifier: Apache-2.0
# tests/integration/daemon.cmake: the daemon's integration scenarios. Each
# scenario is a bash script (one per file) that starts a real wasmd on a
# temp socket and a temp state dir (lib.sh) and drives it with wasmctl and
# two helpers built here: wasmd-it-rawclient (bytes wasmctl never sends)
# and wasmd-it-fakeworker (a worker that misbehaves on request). Fixtures
# are .wat files converted with wasmd-wat at build time. Label: integration.
set(IT_OUT "${CMAKE_CURRENT_BINARY_DIR}")
add_executable(wasmd-it-rawclient rawclient.c)
target_link_libraries(wasmd-it-rawclient PRIVATE wasmd-proto)
add_executable(wasmd-it-fakeworker fake_worker.c)
target_link_libraries(wasmd-it-fakeworker PRIVATE wasmd-proto)
set_target_properties(wasmd-it-rawclient wasmd-it-fakeworker PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY "${IT_OUT}")

file(GLOB IT_WATS CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/fixtures/*.wat")
wasmd_wat2wasm(TARGET integration-fixtures ALL OUTDIR "${IT_OUT}/fixtures"
    WATS ${IT_WATS})

if(WASMD_TEST_HOOKS)
  set(IT_HOOKS ON)
else()
  set(IT_HOOKS OFF)
endif()

file(GLOB IT_SCRIPTS CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/daemon_*.sh")
foreach(script ${IT_SCRIPTS})
  get_filename_component(stem "${script}" NAME_WE)
  add_test(NAME integration.${stem} COMMAND bash "${script}")
  set_tests_properties(integration.${stem} PROPERTIES
      LABELS integration TIMEOUT 120 SKIP_RETURN_CODE 77
      ENVIRONMENT "WASMD_BIN=${PROJECT_BINARY_DIR}/bin;IT_BIN=${IT_OUT};IT_FIXTURES=${IT_OUT}/fixtures;IT_LIB=${CMAKE_CURRENT_SOURCE_DIR}/lib.sh;WASMD_TEST_HOOKS=${IT_HOOKS}")
endforeach()
