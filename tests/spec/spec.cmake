# spec.cmake: the spec-runner executable and the ctest test "spec", which
# runs every non-SIMD script of the official suite in ${WASMD_TESTSUITE_DIR}
# (read in place, never copied). A missing suite makes the test fail with a
# message rather than pass silently.
add_executable(spec-runner "${CMAKE_CURRENT_LIST_DIR}/spec_runner.c")
target_link_libraries(spec-runner PRIVATE wasmd-engine-static PkgConfig::JANSSON)
target_include_directories(spec-runner PRIVATE "${PROJECT_SOURCE_DIR}/include")

if(NOT IS_DIRECTORY "${WASMD_TESTSUITE_DIR}")
  message(WARNING "WASMD_TESTSUITE_DIR (${WASMD_TESTSUITE_DIR}) does not exist: the spec test will fail")
endif()
add_test(NAME spec COMMAND spec-runner "${WASMD_TESTSUITE_DIR}")
set_tests_properties(spec PROPERTIES LABELS spec TIMEOUT 1200)
