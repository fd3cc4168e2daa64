# SPDX-License-Identifier: Apache-2.0
# tests/unit/worker.cmake: the worker's tests (label unit).
#   worker_sandbox_test  confinement: forbidden calls die of SIGSYS, allowed
#                        ones work, fds closed, rlimits, not dumpable; the
#                        filter built at build time is libseccomp's.
#   worker_serve_test    wasmd-worker serve over a socketpair, without the
#                        supervisor: hello, push, invoke, host calls, errors.
#   worker_convert_test  engine <-> protocol values, types and traps.
#   worker_cache_test    the module cache's snapshots.
wasmd_unit_test(worker_sandbox_test
    SOURCES worker_sandbox_test.c
    LIBS wasmd-worker-sandbox wasmd-worker-policy wasmd-engine-static)

wasmd_unit_test(worker_serve_test
    SOURCES worker_serve_test.c
    LIBS wasmd-worker-job)
target_compile_definitions(worker_serve_test PRIVATE
    WORKER_PATH="$<TARGET_FILE:wasmd-worker>")
add_dependencies(worker_serve_test wasmd-worker)

wasmd_unit_test(worker_convert_test
    SOURCES worker_convert_test.c
    LIBS wasmd-worker-job)

# worker_cache_test: the module cache's snapshots (found by digest, reported
# evicted when replaced or evicted with their module).
wasmd_unit_test(worker_cache_test
    SOURCES worker_cache_test.c
    LIBS wasmd-worker-job)
