# SPDX-License-Identifier: Apache-2.0
# spec.cmake: the spec-runner executable and the ctest tests "spec" (the
# suite's JSON conversion) and "spec-wast" (the .wast scripts themselves),
# which run every script of the official suite in ${WASMD_TESTSUITE_DIR}
# (read in place, never copied),
# under 2.0's rules (--wasm2: where 3.0 accepts what 2.0 refused, the 2.0
# scripts expect the refusal), and "spec-relaxed-simd", the relaxed SIMD
# scripts of the 3.0 suite in ${WASMD_TESTSUITE3_DIR}. A missing suite
# skips the test with a line
# saying how to get it (spec.sh, scripts/get-testsuite).
add_executable(spec-runner "${CMAKE_CURRENT_LIST_DIR}/spec_runner.c"
    "${CMAKE_CURRENT_LIST_DIR}/spec_cmd.c" "${CMAKE_CURRENT_LIST_DIR}/spec_json.c"
    "${CMAKE_CURRENT_LIST_DIR}/spec_wast.c")
target_link_libraries(spec-runner PRIVATE wasmd-engine-static wasmd-wat PkgConfig::JANSSON)
target_include_directories(spec-runner PRIVATE "${PROJECT_SOURCE_DIR}/include")

if(NOT IS_DIRECTORY "${WASMD_TESTSUITE_DIR}")
  message(STATUS "WASMD_TESTSUITE_DIR (${WASMD_TESTSUITE_DIR}) does not exist: the spec test will be skipped (scripts/get-testsuite)")
endif()
add_test(NAME spec COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/spec.sh"
    "$<TARGET_FILE:spec-runner>" "${WASMD_TESTSUITE_DIR}" --wasm2)
set_tests_properties(spec PROPERTIES LABELS spec TIMEOUT 1200 SKIP_RETURN_CODE 77)
# The same suite read from its .wast scripts (spec_wast.c), every module
# converted by libwasmd-wat (wat/): no wast2json.
add_test(NAME spec-wast COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/spec.sh"
    "$<TARGET_FILE:spec-runner>" "${WASMD_TESTSUITE_DIR}" --wast --wasm2)
set_tests_properties(spec-wast PROPERTIES LABELS spec TIMEOUT 1200 SKIP_RETURN_CODE 77)

# spec-3.0: the scripts of the WebAssembly 3.0 suite (${WASMD_TESTSUITE3_DIR})
# that pass in full, listed in passing-3.0.txt. spec-groups.sh prints the
# whole 3.0 suite's passed/failed table per feature group.
set(WASMD_TESTSUITE3_DIR "${PROJECT_SOURCE_DIR}/../shared/testsuite-3.0"
    CACHE PATH "The WebAssembly 3.0 spec test suite converted to JSON")
add_test(NAME spec-3.0 COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/spec3.sh"
    "$<TARGET_FILE:spec-runner>" "${WASMD_TESTSUITE3_DIR}"
    "${CMAKE_CURRENT_LIST_DIR}/passing-3.0.txt")
set_tests_properties(spec-3.0 PROPERTIES LABELS spec TIMEOUT 1200 SKIP_RETURN_CODE 77)
# The same scripts read from their .wast (every module through
# libwasmd-wat: multiple and 64-bit memories, annotations and custom
# sections, the custom-annotation assertions).
add_test(NAME spec-3.0-wast COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/spec3.sh"
    "$<TARGET_FILE:spec-runner>" "${WASMD_TESTSUITE3_DIR}"
    "${CMAKE_CURRENT_LIST_DIR}/passing-3.0.txt" --wast)
set_tests_properties(spec-3.0-wast PROPERTIES LABELS spec TIMEOUT 1200 SKIP_RETURN_CODE 77)

# Relaxed SIMD (WebAssembly 3.0): each op's one behaviour (engine.h) must
# be among those the scripts allow; read from the .wast scripts.
add_test(NAME spec-relaxed-simd COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/spec.sh"
    "$<TARGET_FILE:spec-runner>" "${WASMD_TESTSUITE3_DIR}" --wast
    relaxed-simd__i16x8_relaxed_q15mulr_s relaxed-simd__i32x4_relaxed_trunc
    relaxed-simd__i8x16_relaxed_swizzle relaxed-simd__relaxed_dot_product
    relaxed-simd__relaxed_laneselect relaxed-simd__relaxed_madd_nmadd
    relaxed-simd__relaxed_min_max)
set_tests_properties(spec-relaxed-simd PROPERTIES LABELS spec TIMEOUT 600 SKIP_RETURN_CODE 77)
