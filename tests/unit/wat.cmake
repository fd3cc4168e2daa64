# SPDX-License-Identifier: Apache-2.0
# wat: libwasmd-wat, the text format to binary (wat/), run through the
# engine: the abbreviations, numbers, errors with their positions.
wasmd_unit_test(wat_test SOURCES wat_test.c
    LIBS wasmd-wat wasmd-engine-static)

# wasmd-wat, the build's converter of .wat fixtures (cmake/WasmdWat2Wasm.cmake).
add_test(NAME wasmd_wat_test COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/wasmd_wat_test.sh"
    "$<TARGET_FILE:wasmd-wat-tool>" "${PROJECT_SOURCE_DIR}")
set_tests_properties(wasmd_wat_test PROPERTIES LABELS unit TIMEOUT 60)
