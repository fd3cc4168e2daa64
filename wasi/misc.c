/*
 * misc.c: random_get, proc_exit, proc_raise, sched_yield and poll_oneoff.
 *
 * proc_exit cannot return to the guest: it records the code in the context
 * and traps, which unwinds the call; the runner then sees ws_ctx_exited().
 * poll_oneoff serves clock subscriptions by sleeping until the earliest
 * one is due; fd subscriptions are reported ready at once (a read may
 * still block), which is what a program that polls stdin needs.
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

/* ---- poll_oneoff -------------------------------------------------------- */

enum {
	WS_EVENT_CLOCK = 0,
	WS_EVENT_FD_READ = 1,
	WS_EVENT_FD_WRITE = 2,
	WS_SUBCLOCK_ABSTIME = 1,
	WS_SUBSCRIPTION_SIZE = 48,
	WS_EVENT_SIZE = 32,
};

/* Fills one 32-byte event: userdata, error, type (no fd_readwrite data). */
static void
put_event(uint8_t *ev, const uint8_t *sub, uint16_t error)
{
	memset(ev, 0, WS_EVENT_SIZE);
	memcpy(ev, sub, 8);
	ws_put_u16(ev + 8, error);
	ev[10] = sub[8];
}

/*
 * How long until clock subscription sub is due, in ns; false (with an
 * errno) for an unknown clock.
 */
static bool
clock_wait(const uint8_t *sub, uint64_t *wait, uint16_t *error)
{
	uint64_t timeout = ws_get_u64(sub + 24), now;

	if (!(ws_get_u16(sub + 40) & WS_SUBCLOCK_ABSTIME)) {
		*wait = timeout;
		return true;
	}
	if (!ws_clock_now(ws_get_u32(sub + 16), &now)) {
		*error = WS_EINVAL;
		return false;
	}
	*wait = timeout > now ? timeout - now : 0;
	return true;
}

/* An immediate event for an fd or bad subscription; false for a clock. */
static bool
immediate_event(ws_call *c, const uint8_t *sub, uint8_t *ev, uint64_t *wait)
{
	uint16_t error = 0;

	switch (sub[8]) {
	case WS_EVENT_CLOCK:
		if (clock_wait(sub, wait, &error))
			return false;
		break;
	case WS_EVENT_FD_READ:
	case WS_EVENT_FD_WRITE:
		if (ws_fd_get(c->ctx, ws_get_u32(sub + 16)) == NULL)
			error = WS_EBADF;
		break;
	default: error = WS_EINVAL; break;
	}
	put_event(ev, sub, error);
	return true;
}

static void
sleep_ns(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
	    .tv_nsec = (long)(ns % 1000000000u)};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* poll_oneoff(in, out, nsubscriptions, nevents) */
static uint32_t
poll_oneoff(ws_call *c)
{
	uint32_t n = ws_u32(c, 2), nev = 0;
	uint8_t *in =
	    ws_mem(c, ws_u32(c, 0), (uint64_t)n * WS_SUBSCRIPTION_SIZE);
	uint8_t *out = ws_mem(c, ws_u32(c, 1), (uint64_t)n * WS_EVENT_SIZE);
	uint64_t soonest = UINT64_MAX, wait;

	if (n == 0)
		return WS_EINVAL;
	if (in == NULL || out == NULL || ws_mem(c, ws_u32(c, 3), 4) == NULL)
		return WS_EFAULT;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *sub = in + (size_t)i * WS_SUBSCRIPTION_SIZE;

		if (immediate_event(
		        c, sub, out + (size_t)nev * WS_EVENT_SIZE, &wait))
			nev++;
		else if (wait < soonest)
			soonest = wait;
	}
	if (nev == 0) {
		/* Only clocks: sleep until the soonest, then report every
		   clock that is due by then. */
		sleep_ns(soonest);
		for (uint32_t i = 0; i < n; i++) {
			uint8_t *sub = in + (size_t)i * WS_SUBSCRIPTION_SIZE;
			uint16_t err = 0;

			if (clock_wait(sub, &wait, &err) && wait <= soonest)
				put_event(out + (size_t)nev++ * WS_EVENT_SIZE,
				    sub, 0);
		}
	}
	ws_store_u32(c, ws_u32(c, 3), nev);
	return WS_ESUCCESS;
}

const ws_fn ws_misc_fns[] = {
    {"random_get", "ii", false, random_get},
    {"proc_exit", "i", true, proc_exit},
    {"proc_raise", "i", false, proc_raise},
    {"sched_yield", "", false, sched_yield_},
    {"poll_oneoff", "iiii", false, poll_oneoff},
    {NULL, NULL, false, NULL},
};
