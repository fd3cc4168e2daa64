# SPDX-License-Identifier: Apache-2.0
# tests/unit/worker_wasi.cmake: WASI in the worker's serve mode
# (worker/wasi_job.c): Output frames, stdin, argv/env, exit codes, the
# output limit, against the confined worker and the job code (label unit).
set(_ww_dir "${CMAKE_CURRENT_BINARY_DIR}/worker_wasi")
wasmd_wat2wasm(TARGET worker_wasi_fixtures OUTDIR "${_ww_dir}"
    WATS "${CMAKE_CURRENT_LIST_DIR}/worker_wasi/wasi.wat")

wasmd_unit_test(worker_wasi_test
    SOURCES "${CMAKE_CURRENT_LIST_DIR}/worker_wasi_test.c"
    LIBS wasmd-worker-job)
add_dependencies(worker_wasi_test worker_wasi_fixtures wasmd-worker)
target_compile_definitions(worker_wasi_test PRIVATE
    WORKER_PATH="$<TARGET_FILE:wasmd-worker>"
    WASI_WASM="${_ww_dir}/wasi.wasm")
