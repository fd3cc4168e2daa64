/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poll.c: poll_oneoff, on clocks and fds.
 *
 * Files and directories are always ready (a read of a regular file reports
 * the bytes left before its end), and so are the streams the context's
 * callbacks serve, whose readiness this library cannot see. Standard input
 * inherited from this process (ws_ctx_inherit_stdio) is polled for real.
 * When nothing is ready at once, the call waits: with poll(2) on stdin if
 * it was asked for, else asleep, until the soonest clock is due; then it
 * reports every subscription that is ready or due.
 */
#include "internal.h"
#include "vfs.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
	WS_EVENT_CLOCK = 0,
	WS_EVENT_FD_READ = 1,
	WS_EVENT_FD_WRITE = 2,
	WS_SUBCLOCK_ABSTIME = 1,
	WS_SUBSCRIPTION_SIZE = 48,
	WS_EVENT_SIZE = 32,
};

/*
 * Fills one 32-byte event: userdata, error, type, and for an fd the bytes
 * available (fd_readwrite.nbytes).
 */
static void
put_event(uint8_t *ev, const uint8_t *sub, uint16_t error, uint64_t nbytes)
{
	memset(ev, 0, WS_EVENT_SIZE);
	memcpy(ev, sub, 8);
	ws_put_u16(ev + 8, error);
	ev[10] = sub[8];
	ws_put_u64(ev + 16, nbytes);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * How long after the call's start (elapsed ns ago) clock subscription sub
 * is still to wait; false for an unknown clock.
 */
static bool
clock_wait(const uint8_t *sub, uint64_t elapsed, uint64_t *wait)
{
	uint64_t timeout = ws_get_u64(sub + 24), now;

	if (!(ws_get_u16(sub + 40) & WS_SUBCLOCK_ABSTIME)) {
		*wait = timeout > elapsed ? timeout - elapsed : 0;
		return true;
	}
	if (!ws_clock_now(ws_get_u32(sub + 16), &now))
		return false;
	*wait = timeout > now ? timeout - now : 0;
	return true;
}

/* Bytes left to read in a regular file, from its offset. */
static uint64_t
file_remaining(const ws_fd *f)
{
	struct stat st;
	off_t pos = ws_vfs_lseek(f->host_fd, 0, SEEK_CUR);

	if (pos < 0 || ws_vfs_fstat(f->host_fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || st.st_size <= pos)
		return 0;
	return (uint64_t)(st.st_size - pos);
}

/* Is the inherited stdin readable within ms (-1: forever)? */
static bool
stdin_ready(int fd, int ms, uint64_t *nbytes)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int avail = 0, n = poll(&p, 1, ms);

	if (n <= 0)
		return false;
	if (ioctl(fd, FIONREAD, &avail) == 0 && avail > 0)
		*nbytes = (uint64_t)avail;
	return true;
}

/*
 * The event of fd subscription sub, into ev; false when it is not ready
 * (inherited stdin with nothing to read).
 */
static bool
fd_event(ws_call *c, const uint8_t *sub, uint8_t *ev)
{
	ws_fd *f = ws_fd_get(c->ctx, ws_get_u32(sub + 16));
	uint64_t nbytes = 0;
	uint16_t error = 0;

	if (f == NULL)
		error = WS_EBADF;
	else if (!(f->rights & WS_RIGHT_POLL_FD_READWRITE))
		error = WS_ENOTCAPABLE;
	else if (f->kind == WS_FD_STDIN && c->ctx->stdin_host_fd >= 0 &&
	    !stdin_ready(c->ctx->stdin_host_fd, 0, &nbytes))
		return false;
	else if (f->kind == WS_FD_FILE && sub[8] == WS_EVENT_FD_READ)
		nbytes = file_remaining(f);
	put_event(ev, sub, error, nbytes);
	return true;
}

/*
 * One pass over the subscriptions: the events ready now (elapsed ns after
 * the call began) into out; the soonest clock still to wait in *soonest
 * and whether stdin is to be waited on in *on_stdin.
 */
static uint32_t
collect(ws_call *c, const uint8_t *in, uint32_t n, uint8_t *out,
    uint64_t elapsed, uint64_t *soonest, bool *on_stdin)
{
	uint32_t nev = 0;
	uint64_t wait;

	*soonest = UINT64_MAX;
	*on_stdin = false;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *sub = in + (size_t)i * WS_SUBSCRIPTION_SIZE;
		uint8_t *ev = out + (size_t)nev * WS_EVENT_SIZE;

		switch (sub[8]) {
		case WS_EVENT_CLOCK:
			if (!clock_wait(sub, elapsed, &wait))
				put_event(ev, sub, WS_EINVAL, 0), nev++;
			else if (wait == 0)
				put_event(ev, sub, 0, 0), nev++;
			else if (wait < *soonest)
				*soonest = wait;
			break;
		case WS_EVENT_FD_READ:
		case WS_EVENT_FD_WRITE:
			if (fd_event(c, sub, ev))
				nev++;
			else
				*on_stdin = true;
			break;
		default: put_event(ev, sub, WS_EINVAL, 0), nev++;
		}
	}
	return nev;
}

/* Sleeps ns, or until inherited stdin is readable when on_stdin. */
static void
wait_for(ws_ctx *ctx, uint64_t ns, bool on_stdin)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
	    .tv_nsec = (long)(ns % 1000000000u)};
	uint64_t nbytes;

	if (on_stdin) {
		uint64_t ms = ns == UINT64_MAX ? 0 : (ns + 999999) / 1000000;

		stdin_ready(ctx->stdin_host_fd,
		    ns == UINT64_MAX     ? -1
		        : ms > INT32_MAX ? INT32_MAX
		                         : (int)ms,
		    &nbytes);
		return;
	}
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* poll_oneoff(in, out, nsubscriptions, nevents) */
static uint32_t
poll_oneoff(ws_call *c)
{
	uint32_t n = ws_u32(c, 2), nev;
	uint8_t *in =
	    ws_mem(c, ws_u32(c, 0), (uint64_t)n * WS_SUBSCRIPTION_SIZE);
	uint8_t *out = ws_mem(c, ws_u32(c, 1), (uint64_t)n * WS_EVENT_SIZE);
	uint64_t start = now_ns(), soonest;
	bool on_stdin;

	if (n == 0)
		return WS_EINVAL;
	if (in == NULL || out == NULL || ws_mem(c, ws_u32(c, 3), 4) == NULL)
		return WS_EFAULT;
	nev = collect(c, in, n, out, 0, &soonest, &on_stdin);
	while (nev == 0 && (soonest != UINT64_MAX || on_stdin)) {
		wait_for(c->ctx, soonest, on_stdin);
		nev = collect(
		    c, in, n, out, now_ns() - start, &soonest, &on_stdin);
	}
	ws_store_u32(c, ws_u32(c, 3), nev);
	return WS_ESUCCESS;
}

const ws_fn ws_poll_fns[] = {
    {"poll_oneoff", "iiii", false, poll_oneoff},
    {NULL, NULL, false, NULL},
};
