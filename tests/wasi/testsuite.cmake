# SPDX-License-Identifier: Apache-2.0
# testsuite.cmake: the official WASI preview1 test suite (prebuilt,
# ../shared/wasi-testsuite by default) with `wasmd run`: testsuite.sh, one
# ctest entry per folder (label wasi). It needs no wasm toolchain, so it
# stands apart from wasi.cmake. A missing suite skips (77) with a line
# saying how to get it; so does a missing jq, which reads the specs.
set(WASMD_WASI_TESTSUITE_DIR "${PROJECT_SOURCE_DIR}/../shared/wasi-testsuite"
    CACHE PATH "The wasi-testsuite's prebuilt wasm32-wasip1 tests (read, never written)")
foreach(folder assemblyscript c rust)
  add_test(NAME wasi_testsuite_${folder}
      COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/testsuite.sh"
          "$<TARGET_FILE:wasmd>" "${WASMD_WASI_TESTSUITE_DIR}" ${folder})
  set_tests_properties(wasi_testsuite_${folder} PROPERTIES LABELS wasi
      TIMEOUT 600 SKIP_RETURN_CODE 77)
endforeach()

# The same suite through a real daemon (testsuite.sh --daemon): each
# test's root directory becomes a bundle mounted with --files-rw. Labels
# wasi and integration; needs the integration helpers.
if(TARGET wasmd-it-rawclient)
  foreach(folder assemblyscript c rust)
    add_test(NAME wasi_testsuite_daemon_${folder}
        COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/testsuite.sh" --daemon
            "${PROJECT_BINARY_DIR}/bin" "${WASMD_WASI_TESTSUITE_DIR}" ${folder})
    set_tests_properties(wasi_testsuite_daemon_${folder} PROPERTIES
        LABELS "wasi;integration" TIMEOUT 600 SKIP_RETURN_CODE 77
        ENVIRONMENT "WASMD_BIN=${PROJECT_BINARY_DIR}/bin;IT_BIN=$<TARGET_FILE_DIR:wasmd-it-rawclient>;IT_FIXTURES=${PROJECT_BINARY_DIR}/tests/integration/fixtures;IT_LIB=${PROJECT_SOURCE_DIR}/tests/integration/lib.sh")
  endforeach()
endif()
