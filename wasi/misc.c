/* SPDX-License-Identifier: Apache-2.0 */
/*
 * misc.c: random_get, proc_exit, proc_raise and sched_yield.
 *
 * proc_exit cannot return to the guest: it records the code in the context
 * and traps, which unwinds the call; the runner then sees ws_ctx_exited().
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* random_get(buf, buf_len): from getrandom(2), straight into the guest. */
static uint32_t
random_get(ws_call *c)
{
	uint32_t len = ws_u32(c, 1);
	uint8_t *buf = ws_mem(c, ws_u32(c, 0), len);
	size_t done = 0;

	if (c->ctx->init_no_random) {
		snprintf(c->message, WE_MSG_MAX,
		    "random_get during initialization: the bytes would be "
		    "frozen into the snapshot and shared by every instance "
		    "(allow it with --init-allow-random)");
		return WS_TRAP;
	}
	if (buf == NULL)
		return WS_EFAULT;
	while (done < len) {
		ssize_t n = getrandom(buf + done, len - done, 0);

		if (n < 0 && errno != EINTR)
			return ws_errno_from_host(errno);
		if (n > 0)
			done += (size_t)n;
	}
	return WS_ESUCCESS;
}

void
ws_ctx_set_init(ws_ctx *ctx, bool init, bool allow_random)
{
	ctx->init_no_random = init && !allow_random;
}

/* proc_exit(code) */
static uint32_t
proc_exit(ws_call *c)
{
	c->ctx->exited = true;
	c->ctx->exit_code = ws_u32(c, 0);
	snprintf(c->message, WE_MSG_MAX, "the program exited with code %u",
	    c->ctx->exit_code);
	return WS_TRAP;
}

/*
 * proc_raise(sig): the program sends itself a signal. Every signal
 * preview1 names ends a process by default and the guest cannot catch
 * any, so the call stops the program with a trap that names it.
 */
static uint32_t
proc_raise(ws_call *c)
{
	uint32_t sig = ws_u32(c, 0);

	/* 0 ("no signal") ... 30 (SIGSYS) are preview1's signals. */
	if (sig == 0)
		return WS_ESUCCESS;
	if (sig > 30)
		return WS_EINVAL;
	snprintf(c->message, WE_MSG_MAX, "the program raised signal %u", sig);
	return WS_TRAP;
}

/* sched_yield(): one guest thread and nothing to yield to. */
static uint32_t
sched_yield_(ws_call *c)
{
	return WS_ESUCCESS;
}

const ws_fn ws_misc_fns[] = {
    {"random_get", "ii", false, random_get},
    {"proc_exit", "i", true, proc_exit},
    {"proc_raise", "i", false, proc_raise},
    {"sched_yield", "", false, sched_yield_},
    {NULL, NULL, false, NULL},
};
