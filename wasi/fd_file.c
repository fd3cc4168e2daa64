/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fd_file.c: the fd_* functions that change a file's storage, size or
 * times, or say how it will be used: fd_allocate, fd_filestat_set_size,
 * fd_filestat_set_times, fd_advise, fd_sync and fd_datasync. Each needs
 * its right on the fd (a directory has none of the first two, a stream
 * none but sync on nothing: ENOTCAPABLE) and maps to one host call.
 */
#include "internal.h"
#include "vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
	WS_FSTFLAG_ATIM = 1,
	WS_FSTFLAG_ATIM_NOW = 2,
	WS_FSTFLAG_MTIM = 4,
	WS_FSTFLAG_MTIM_NOW = 8,
	WS_ADVICE_MAX = 5, /* normal ... noreuse */
};

/* The host fd of guest fd fd when it has right need; -1 with *rc. */
static int
host_fd_with(ws_call *c, uint64_t need, uint32_t *rc)
{
	ws_fd *f = ws_fd_with(c->ctx, ws_u32(c, 0), need, rc);

	if (f != NULL && f->host_fd < 0)
		*rc = WS_EINVAL;
	return f != NULL && f->host_fd >= 0 ? f->host_fd : -1;
}

/* One of a timespec pair: the guest's time, now, or left alone. */
static struct timespec
one_time(uint64_t ns, bool set, bool now)
{
	struct timespec ts = {.tv_nsec = UTIME_OMIT};

	if (now)
		ts.tv_nsec = UTIME_NOW;
	else if (set) {
		ts.tv_sec = (time_t)(ns / 1000000000u);
		ts.tv_nsec = (long)(ns % 1000000000u);
	}
	return ts;
}

uint32_t
ws_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2])
{
	if (fst &
	    ~(uint32_t)(WS_FSTFLAG_ATIM | WS_FSTFLAG_ATIM_NOW |
	        WS_FSTFLAG_MTIM | WS_FSTFLAG_MTIM_NOW))
		return WS_EINVAL;
	if ((fst & WS_FSTFLAG_ATIM && fst & WS_FSTFLAG_ATIM_NOW) ||
	    (fst & WS_FSTFLAG_MTIM && fst & WS_FSTFLAG_MTIM_NOW))
		return WS_EINVAL;
	ts[0] =
	    one_time(atim, fst & WS_FSTFLAG_ATIM, fst & WS_FSTFLAG_ATIM_NOW);
	ts[1] =
	    one_time(mtim, fst & WS_FSTFLAG_MTIM, fst & WS_FSTFLAG_MTIM_NOW);
	return WS_ESUCCESS;
}

/* fd_allocate(fd, offset, len): the file grows to cover the range. */
static uint32_t
fd_allocate(ws_call *c)
{
	uint32_t rc;
	int fd = host_fd_with(c, WS_RIGHT_FD_ALLOCATE, &rc), e;
	uint64_t off = ws_u64(c, 1), len = ws_u64(c, 2);

	if (fd < 0)
		return rc;
	if ((int64_t)off < 0 || (int64_t)len < 0 ||
	    (int64_t)(off + len) < (int64_t)off)
		return WS_EINVAL;
	if (len == 0)
		return WS_ESUCCESS;
	e = ws_vfs_fallocate(fd, (off_t)off, (off_t)len);
	return e == 0 ? WS_ESUCCESS : ws_errno_from_host(e);
}

/* fd_filestat_set_size(fd, size) */
static uint32_t
fd_filestat_set_size(ws_call *c)
{
	uint32_t rc;
	int fd = host_fd_with(c, WS_RIGHT_FD_FILESTAT_SET_SIZE, &rc);

	if (fd < 0)
		return rc;
	if ((int64_t)ws_u64(c, 1) < 0)
		return WS_EINVAL;
	return ws_vfs_ftruncate(fd, (off_t)ws_u64(c, 1)) == 0
	    ? WS_ESUCCESS
	    : ws_errno_from_host(errno);
}

/* fd_filestat_set_times(fd, atim, mtim, fstflags) */
static uint32_t
fd_filestat_set_times(ws_call *c)
{
	struct timespec ts[2];
	uint32_t rc;
	int fd = host_fd_with(c, WS_RIGHT_FD_FILESTAT_SET_TIMES, &rc);

	if (fd < 0)
		return rc;
	if ((rc = ws_times(ws_u64(c, 1), ws_u64(c, 2), ws_u32(c, 3), ts)) != 0)
		return rc;
	return ws_vfs_futimens(fd, ts) == 0 ? WS_ESUCCESS
	                                    : ws_errno_from_host(errno);
}

/* fd_advise(fd, offset, len, advice): the numbers are POSIX's order. */
static uint32_t
fd_advise(ws_call *c)
{
	static const int advice[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL,
	    POSIX_FADV_RANDOM, POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,
	    POSIX_FADV_NOREUSE};
	uint32_t rc, a = ws_u32(c, 3);
	int fd = host_fd_with(c, WS_RIGHT_FD_ADVISE, &rc), e;

	if (fd < 0)
		return rc;
	if (a > WS_ADVICE_MAX || (int64_t)ws_u64(c, 1) < 0 ||
	    (int64_t)ws_u64(c, 2) < 0)
		return WS_EINVAL;
	e = ws_vfs_fadvise(
	    fd, (off_t)ws_u64(c, 1), (off_t)ws_u64(c, 2), advice[a]);
	return e == 0 ? WS_ESUCCESS : ws_errno_from_host(e);
}

/* fd_sync(fd) and fd_datasync(fd): fsync, or fdatasync for data_only. */
static uint32_t
sync_fd(ws_call *c, bool data_only)
{
	uint32_t rc;
	int fd = host_fd_with(
	    c, data_only ? WS_RIGHT_FD_DATASYNC : WS_RIGHT_FD_SYNC, &rc);

	if (fd < 0)
		return rc;
	if (ws_vfs_fsync(fd, data_only) != 0)
		return ws_errno_from_host(errno);
	return WS_ESUCCESS;
}

static uint32_t
fd_sync(ws_call *c)
{
	return sync_fd(c, false);
}

static uint32_t
fd_datasync(ws_call *c)
{
	return sync_fd(c, true);
}

const ws_fn ws_fd_file_fns[] = {
    {"fd_allocate", "iII", false, fd_allocate},
    {"fd_filestat_set_size", "iI", false, fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi", false, fd_filestat_set_times},
    {"fd_advise", "iIIi", false, fd_advise},
    {"fd_sync", "i", false, fd_sync},
    {"fd_datasync", "i", false, fd_datasync},
    {NULL, NULL, false, NULL},
};
