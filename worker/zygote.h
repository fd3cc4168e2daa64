/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zygote.h: `wasmd-worker zygote`, the process that forks confined workers
 * for the supervisor (zygote.c describes the exchange).
 *
 * Included by worker/main.c and zygote.c only.
 */
#ifndef WASMD_WORKER_ZYGOTE_H
#define WASMD_WORKER_ZYGOTE_H

#include <stdint.h>
#include <sys/types.h>

/* The first word of the zygote's ready message ("ZYG1"); never a seq. */
#define WRK_ZYGOTE_READY 0x5a594731u

/*
 * Confines the process as a zygote keeping control socket ctl, says it is
 * ready and forks one worker per request until the supervisor closes ctl.
 * mem_limit, cache_budget and supervisor are as for wrk_serve(). Returns the exit
 * status: 0 when the supervisor hung up, 1 when confinement failed or a
 * request was malformed. A forked child never returns from it.
 */
int wrk_zygote(
    int ctl, uint64_t mem_limit, uint64_t cache_budget, pid_t supervisor);

#endif /* WASMD_WORKER_ZYGOTE_H */
