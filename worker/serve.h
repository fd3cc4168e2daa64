/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve.h: `wasmd-worker serve`, one job from the supervisor.
 *
 * Included by worker/main.c and the worker's unit tests.
 */
#ifndef WASMD_WORKER_SERVE_H
#define WASMD_WORKER_SERVE_H

#include <stdint.h>
#include <sys/types.h>

/*
 * The module cache's budget when the supervisor gives none (heap bytes of
 * decoded modules and their compiled code, cache.h).
 */
#define WRK_CACHE_DEFAULT_BYTES ((uint64_t)64 << 20)

/*
 * Confines the process (sandbox.h) with an address-space limit of
 * mem_limit + cache_budget (plus the sandbox's fixed overhead), says hello
 * on fd and serves jobs (push, invoke, create_instance) of one tenant
 * until the supervisor closes the socket. Returns the exit status: 0 when
 * the supervisor closed the socket, non-zero when confinement failed or
 * the supervisor sent a malformed frame. mem_limit is the --memory-limit
 * in bytes (0: no address-space limit), cache_budget the module cache's
 * (--cache-bytes); parent is the supervisor's pid as seen at start.
 */
int wrk_serve(int fd, uint64_t mem_limit, uint64_t cache_budget, pid_t parent);

/*
 * The jobs alone, without confinement: hello, then requests and their
 * replies until the socket closes; the same exit status. wrk_serve()
 * calls it once confined.
 */
int wrk_serve_jobs(int fd, uint64_t cache_budget);

/*
 * wrk_serve_jobs() with the default cache budget. Exposed for the unit
 * tests, which run it unconfined so that LeakSanitizer can check it at
 * exit; the program never calls it directly.
 */
int wrk_serve_job(int fd);

#endif /* WASMD_WORKER_SERVE_H */
