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
