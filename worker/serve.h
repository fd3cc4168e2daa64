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
 * Confines the process (sandbox.h), says hello on fd, serves exactly one
 * job (push or invoke) and returns the exit status: 0 after a reply or when
 * the supervisor closed the socket, non-zero when confinement failed or the
 * supervisor sent a malformed frame. mem_limit is the --memory-limit in
 * bytes (0: no address-space limit); parent is the supervisor's pid as seen
 * at start.
 */
int wrk_serve(int fd, uint64_t mem_limit, pid_t parent);

/*
 * The job alone, without confinement: hello, one request, its reply; the
 * same exit status. wrk_serve() calls it once confined. Exposed for the
 * unit tests, which run it unconfined so that LeakSanitizer can check it
 * at exit; the program never calls it directly.
 */
int wrk_serve_job(int fd);

#endif /* WASMD_WORKER_SERVE_H */
