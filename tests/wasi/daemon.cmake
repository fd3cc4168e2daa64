# SPDX-License-Identifier: Apache-2.0
# daemon.cmake: the WASI programs of wasi.cmake through the daemon: a real
# wasmd on a temp socket (tests/integration/lib.sh) and `wasmctl run`,
# one ctest entry per scenario of daemon_wasi.sh. Labels wasi and
# integration.
if(NOT WASI_OK OR NOT TARGET wasmd-it-rawclient)
  return()
endif()

set(WASI_DAEMON_CASES printf argv_env stdin exit_code clocks_random stream
    output_limit slow_reader no_files library invoke bundles bundle_escape
    bundle_store bundle_tenants)
foreach(c ${WASI_DAEMON_CASES})
  add_test(NAME wasi_daemon_${c}
      COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/daemon_wasi.sh" ${c}
          "${CMAKE_CURRENT_BINARY_DIR}")
  set_tests_properties(wasi_daemon_${c} PROPERTIES
      LABELS "wasi;integration" TIMEOUT 120 SKIP_RETURN_CODE 77
      ENVIRONMENT "WASMD_BIN=${PROJECT_BINARY_DIR}/bin;IT_BIN=$<TARGET_FILE_DIR:wasmd-it-rawclient>;IT_FIXTURES=${PROJECT_BINARY_DIR}/tests/integration/fixtures;IT_LIB=${PROJECT_SOURCE_DIR}/tests/integration/lib.sh")
endforeach()

# The library side (case library): output callback, collected output, exit
# codes, the event-loop API.
add_executable(wasi_daemon_client daemon_client.c)
target_link_libraries(wasi_daemon_client PRIVATE wasmd-client)
set_target_properties(wasi_daemon_client PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
add_dependencies(wasi_daemon_client wasi-programs)

# A worker that floods Output frames past any limit (case output_limit).
add_executable(wasi_flood_worker flood_worker.c)
target_link_libraries(wasi_flood_worker PRIVATE wasmd-proto)
set_target_properties(wasi_flood_worker PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
add_dependencies(wasi_daemon_client wasi_flood_worker)
