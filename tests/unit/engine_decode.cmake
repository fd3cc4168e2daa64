# engine decode: the module decoder, module-level validation and
# introspection (engine/reader.c, decode.c, module.c, names.c, errors.c).
# The test reaches into engine/ for the private reader.h and module.h.
set(ENGINE_DECODE_TEST_SOURCES engine_decode_test.c)
# Until compile.c (function bodies) exists, bodies are accepted by a stub.
if(NOT EXISTS "${PROJECT_SOURCE_DIR}/engine/compile.c")
  list(APPEND ENGINE_DECODE_TEST_SOURCES engine_decode_stub.c)
endif()
wasmd_unit_test(engine_decode_test SOURCES ${ENGINE_DECODE_TEST_SOURCES}
    LIBS wasmd-engine-static)
target_include_directories(engine_decode_test PRIVATE
    "${PROJECT_SOURCE_DIR}/engine")

# local run: `wasmd-worker run` (worker/local_run.c) over the whole engine.
# It needs the interpreter (compile.c, call.c), so it is built once they exist.
if(EXISTS "${PROJECT_SOURCE_DIR}/engine/compile.c"
    AND EXISTS "${PROJECT_SOURCE_DIR}/engine/call.c")
  wasmd_unit_test(local_run_test SOURCES local_run_test.c
      "${PROJECT_SOURCE_DIR}/worker/local_run.c"
      LIBS wasmd-engine-static)
  target_include_directories(local_run_test PRIVATE
      "${PROJECT_SOURCE_DIR}/worker")
endif()
