# SPDX-License-Identifier: Apache-2.0
# engine decode: the module decoder, module-level validation and
# introspection (engine/reader.c, decode.c, module.c, names.c, errors.c).
# The test reaches into engine/ for the private reader.h and module.h.
wasmd_unit_test(engine_decode_test SOURCES engine_decode_test.c
    LIBS wasmd-engine-static)
target_include_directories(engine_decode_test PRIVATE
    "${PROJECT_SOURCE_DIR}/engine")

# local run: `wasmd-worker run` (worker/local_run.c) over the whole engine.
wasmd_unit_test(local_run_test SOURCES local_run_test.c
    "${PROJECT_SOURCE_DIR}/worker/local_run.c"
    LIBS wasmd-engine-static wasmd-wat)
target_include_directories(local_run_test PRIVATE
    "${PROJECT_SOURCE_DIR}/worker")
