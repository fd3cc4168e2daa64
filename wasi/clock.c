/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.c: clock_res_get and clock_time_get, from the host's clocks. The
 * realtime and monotonic clocks are the ones that matter; the process and
 * thread CPU-time clocks are passed through too. Times are nanoseconds.
 */
#include "internal.h"

#include <errno.h>
#include <time.h>

/* The host clock for WASI clock id id; false for an unknown id. */
static bool
host_clock(uint32_t id, clockid_t *out)
{
	static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC,
	    CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};

	if (id >= sizeof clocks / sizeof clocks[0])
		return false;
	*out = clocks[id];
	return true;
}

bool
ws_clock_now(uint32_t id, uint64_t *ns)
{
	struct timespec ts;
	clockid_t cl;

	if (!host_clock(id, &cl) || clock_gettime(cl, &ts) != 0)
		return false;
	*ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return true;
}

/* clock_res_get(id, resolution) */
static uint32_t
clock_res_get(ws_call *c)
{
	struct timespec ts;
	clockid_t cl;

	if (!host_clock(ws_u32(c, 0), &cl))
		return WS_EINVAL;
	if (clock_getres(cl, &ts) != 0)
		return ws_errno_from_host(errno);
	if (!ws_store_u64(c, ws_u32(c, 1),
	        (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec))
		return WS_EFAULT;
	return WS_ESUCCESS;
}

/* clock_time_get(id, precision, time): the precision is a hint, unused. */
static uint32_t
clock_time_get(ws_call *c)
{
	uint64_t ns;

	if (!ws_clock_now(ws_u32(c, 0), &ns))
		return WS_EINVAL;
	if (!ws_store_u64(c, ws_u32(c, 2), ns))
		return WS_EFAULT;
	return WS_ESUCCESS;
}

const ws_fn ws_clock_fns[] = {
    {"clock_res_get", "ii", false, clock_res_get},
    {"clock_time_get", "iIi", false, clock_time_get},
    {NULL, NULL, false, NULL},
};
