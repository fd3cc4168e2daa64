/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi_job.h: WASI preview1 for an invocation served by the worker
 * (`serve` mode): the guest's world built from the Invoke's argv, env,
 * stdin and mounts with libwasmd-wasi (its files in memory: bundles and
 * scratch directories, never a host path), and with stdout and stderr streamed to the supervisor as
 * Output frames while the guest runs.
 *
 * Output is buffered a little (up to WRK_WASI_CHUNK bytes) and sent when a
 * write holds a newline, when the buffer fills, when the guest switches
 * between stdout and stderr, before a host call and before the result: a
 * line is never held back, a partial line only until the guest writes on.
 *
 * Included by worker/serve.c and the worker's tests.
 */
#ifndef WASMD_WORKER_WASI_JOB_H
#define WASMD_WORKER_WASI_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wasmd/engine.h>

#include "frame.h"

/* Output is sent in frames of at most this many bytes of data. */
#define WRK_WASI_CHUNK 4096u

typedef struct wrk_wasi wrk_wasi;

/*
 * The WASI world of inv for a module m that imports WASI functions, or
 * NULL (with *nomem false) when m imports none: then nothing of WASI is
 * offered. Output frames go to the socket fd with envelope id id.
 * *nomem is true when NULL means out of memory; err (errlen bytes) is
 * non-empty when it means a mount could not be made (a malformed bundle).
 * own: the result, freed with wrk_wasi_free(); inv is borrowed and must
 * outlive it (stdin is read from inv->stdin in place).
 */
wrk_wasi *wrk_wasi_new(const Wasmd__Invoke *inv, const we_module *m, int fd,
    uint64_t id, bool *nomem, char *err, size_t errlen);
void wrk_wasi_free(wrk_wasi *w);

/*
 * Creates the WASI host functions for m in s (once; later calls do
 * nothing). False with err filled when an import has the wrong type or
 * memory runs out. w must outlive s.
 */
bool wrk_wasi_link(wrk_wasi *w, we_store *s, const we_module *m, we_error *err);

/*
 * The WASI function for import index i of the linked module, or NULL
 * when import i is not a WASI function (or w is NULL). Borrowed: lives as
 * long as the store.
 */
we_func *wrk_wasi_import(const wrk_wasi *w, uint32_t i);

/*
 * While init is set, the guest runs a push's initializer (pre-
 * initialization): its output is discarded (nobody reads a push's output
 * and it must not be frozen half-written), and random_get traps unless
 * allow_random (ws_ctx_set_init). No-op when w is NULL.
 */
void wrk_wasi_set_init(wrk_wasi *w, bool init, bool allow_random);

/* Whether the guest called proc_exit, and with which code. */
bool wrk_wasi_exited(const wrk_wasi *w, uint32_t *code);

/* Sends the output still buffered. False when the supervisor is gone. */
bool wrk_wasi_flush(wrk_wasi *w);

/*
 * Completes the result of a call that ended as st: sends the buffered
 * output, and for a guest that called proc_exit(N) replaces the trap
 * that unwound it by exit code N; a WASI command (Invoke.command) that
 * returned gets exit code 0. No-op when w is NULL.
 */
void wrk_wasi_result(wrk_wasi *w, we_call_status st, Wasmd__InvokeResult *ir);

#endif /* WASMD_WORKER_WASI_JOB_H */
