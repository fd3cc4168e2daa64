# SPDX-License-Identifier: Apache-2.0
# engine_compile.cmake: white-box unit tests of the compiler
# (engine/compile.c): the work it does per body and where it puts values.
# The modules are built in the test itself.
wasmd_unit_test(engine_compile_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/engine_compile_test.c"
    LIBS wasmd-engine-static)
target_include_directories(engine_compile_test PRIVATE
    "${PROJECT_SOURCE_DIR}/engine")
