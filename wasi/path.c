/* SPDX-License-Identifier: Apache-2.0 */
/*
 * path.c: path_open, path_filestat_get and path_filestat_set_times,
 * confined beneath the directory fd they are given (a preopen, or a
 * directory opened from one) by ws_resolve() (resolve.c).
 *
 * Rights: an fd opened here gets what the guest asked for, less what its
 * directory may not pass on (its inheriting rights), less what its kind
 * cannot do (WS_RIGHTS_FILE or WS_RIGHTS_DIR) and what its open mode does
 * not allow (no fd_read on a write-only file), so fd_fdstat_get reports
 * exactly what the fd can do.
 */
#include "internal.h"
#include "vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	WS_OFLAG_CREAT = 1,
	WS_OFLAG_DIRECTORY = 2,
	WS_OFLAG_EXCL = 4,
	WS_OFLAG_TRUNC = 8,
};

/* Rights that need a writable host fd (fd_write, fd_allocate, set_size). */
#define WS_RIGHTS_WRITING                                                      \
	(WS_RIGHT_FD_WRITE | WS_RIGHT_FD_ALLOCATE |                            \
	    WS_RIGHT_FD_FILESTAT_SET_SIZE)
/* Rights that need a readable one (fd_read, fd_readdir). */
#define WS_RIGHTS_READING (WS_RIGHT_FD_READ | WS_RIGHT_FD_READDIR)

/* The host open(2) flags of path_open's oflags, rights and fdflags. */
static int
open_flags(uint32_t oflags, uint64_t rights, uint32_t fdflags, bool must_dir)
{
	bool wr = (rights & WS_RIGHTS_WRITING) != 0;
	bool rd = (rights & WS_RIGHTS_READING) != 0 || !wr;
	int fl = O_NOFOLLOW | O_CLOEXEC;

	if (oflags & WS_OFLAG_DIRECTORY || must_dir)
		fl |= O_DIRECTORY | O_RDONLY;
	else
		fl |= rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
	fl |= oflags & WS_OFLAG_CREAT && !must_dir ? O_CREAT : 0;
	fl |= oflags & WS_OFLAG_EXCL ? O_EXCL : 0;
	fl |= oflags & WS_OFLAG_TRUNC ? O_TRUNC : 0;
	fl |= fdflags & WS_FDFLAG_APPEND ? O_APPEND : 0;
	fl |= fdflags & WS_FDFLAG_NONBLOCK ? O_NONBLOCK : 0;
	fl |= fdflags & WS_FDFLAG_DSYNC ? O_DSYNC : 0;
	fl |= fdflags & WS_FDFLAG_SYNC ? O_SYNC : 0;
	fl |= fdflags & WS_FDFLAG_RSYNC ? O_RSYNC : 0;
	return fl;
}

/* What an fd opened with host flags fl may do of what was asked. */
static uint64_t
opened_rights(uint64_t asked, bool dir, int fl)
{
	uint64_t r = asked & (dir ? WS_RIGHTS_DIR : WS_RIGHTS_FILE);

	if ((fl & O_ACCMODE) == O_WRONLY)
		r &= ~WS_RIGHTS_READING;
	if ((fl & O_ACCMODE) == O_RDONLY)
		r &= ~WS_RIGHTS_WRITING;
	return r;
}

/*
 * Adds host fd hfd (own, opened with flags fl) to the table with the
 * rights asked for (already limited by the directory) and stores the guest
 * fd at ptr.
 */
static uint32_t
install_fd(ws_call *c, int hfd, int fl, uint64_t base, uint64_t inheriting,
    uint16_t fdflags, uint32_t ptr)
{
	struct stat st;
	uint32_t gfd;
	ws_fd *f;

	if (ws_vfs_fstat(hfd, &st) != 0) {
		int e = errno;

		ws_vfs_close(hfd);
		return ws_errno_from_host(e);
	}
	f = ws_fd_alloc(
	    c->ctx, S_ISDIR(st.st_mode) ? WS_FD_DIR : WS_FD_FILE, &gfd);
	if (f == NULL) {
		ws_vfs_close(hfd);
		return WS_EMFILE;
	}
	f->host_fd = hfd;
	f->fdflags = fdflags;
	f->rights = opened_rights(base, f->kind == WS_FD_DIR, fl);
	f->inheriting = f->kind == WS_FD_DIR ? inheriting : 0;
	ws_store_u32(c, ptr, gfd);
	return WS_ESUCCESS;
}

/* The rights path_open needs on its directory for oflags. */
static uint64_t
open_needs(uint32_t oflags)
{
	return WS_RIGHT_PATH_OPEN |
	    (oflags & WS_OFLAG_CREAT ? WS_RIGHT_PATH_CREATE_FILE : 0);
}

/* Opens the resolved t as path_open asks; the host fd or -errno. */
static int
open_target(const ws_target *t, uint32_t oflags, uint64_t base,
    uint32_t fdflags, int *fl)
{
	bool dir = oflags & WS_OFLAG_DIRECTORY || t->must_dir;
	int fd;

	*fl = open_flags(oflags, base, fdflags, t->must_dir);
	/* Asking to write a directory is EISDIR, as open(2) says. */
	if (dir && base & WS_RIGHT_FD_WRITE)
		return -EISDIR;
	if (t->must_dir && oflags & WS_OFLAG_CREAT)
		return -EISDIR;
	fd = ws_vfs_openat(t->dirfd, t->name, *fl, 0666);
	return fd < 0 ? -errno : fd;
}

/*
 * path_open(fd, dirflags, path, path_len, oflags, rights_base,
 * rights_inheriting, fdflags, opened_fd)
 */
static uint32_t
path_open(ws_call *c)
{
	uint32_t rc, out = ws_u32(c, 8), fdflags = ws_u32(c, 7);
	uint32_t oflags = ws_u32(c, 4);
	ws_fd *dir = ws_fd_get(c->ctx, ws_u32(c, 0));
	bool follow = ws_u32(c, 1) & WS_LOOKUP_SYMLINK_FOLLOW;
	uint64_t base, inheriting;
	ws_target t;
	int hfd, fl;

	if (ws_mem(c, out, 4) == NULL)
		return WS_EFAULT;
	/* Truncating by path without its right: EPERM, what the suite
	   (truncation_rights) expects, not ENOTCAPABLE. */
	if (dir != NULL && dir->kind == WS_FD_DIR && oflags & WS_OFLAG_TRUNC &&
	    !(dir->rights & WS_RIGHT_PATH_FILESTAT_SET_SIZE))
		return WS_EPERM;
	/* O_CREAT | O_EXCL never follows a final link (POSIX). */
	if ((oflags & (WS_OFLAG_CREAT | WS_OFLAG_EXCL)) ==
	    (WS_OFLAG_CREAT | WS_OFLAG_EXCL))
		follow = false;
	rc = ws_resolve(c, ws_u32(c, 0), open_needs(oflags), ws_u32(c, 2),
	    ws_u32(c, 3), follow, &t);
	if (rc != WS_ESUCCESS)
		return rc;
	base = ws_u64(c, 5) & dir->inheriting;
	inheriting = ws_u64(c, 6) & dir->inheriting;
	hfd = open_target(&t, oflags, base, fdflags, &fl);
	rc = hfd < 0
	    ? ws_errno_from_host(-hfd)
	    : install_fd(c, hfd, fl, base, inheriting, (uint16_t)fdflags, out);
	ws_target_close(&t);
	return rc;
}

/* path_filestat_get(fd, lookupflags, path, path_len, filestat) */
static uint32_t
path_filestat_get(ws_call *c)
{
	ws_target t;
	struct stat st;
	uint32_t rc = ws_resolve(c, ws_u32(c, 0), WS_RIGHT_PATH_FILESTAT_GET,
	    ws_u32(c, 2), ws_u32(c, 3), ws_u32(c, 1) & WS_LOOKUP_SYMLINK_FOLLOW,
	    &t);

	if (rc != WS_ESUCCESS)
		return rc;
	if (ws_vfs_fstatat(t.dirfd, t.name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		rc = ws_errno_from_host(errno);
	else if (t.must_dir && !S_ISDIR(st.st_mode))
		rc = WS_ENOTDIR;
	else
		rc = ws_store_filestat(c, ws_u32(c, 4), &st);
	ws_target_close(&t);
	return rc;
}

/*
 * path_filestat_set_times(fd, lookupflags, path, path_len, atim, mtim,
 * fstflags)
 */
static uint32_t
path_filestat_set_times(ws_call *c)
{
	struct timespec ts[2];
	ws_target t;
	uint32_t rc = ws_times(ws_u64(c, 4), ws_u64(c, 5), ws_u32(c, 6), ts);

	if (rc != WS_ESUCCESS)
		return rc;
	rc = ws_resolve(c, ws_u32(c, 0), WS_RIGHT_PATH_FILESTAT_SET_TIMES,
	    ws_u32(c, 2), ws_u32(c, 3), ws_u32(c, 1) & WS_LOOKUP_SYMLINK_FOLLOW,
	    &t);
	if (rc != WS_ESUCCESS)
		return rc;
	if (ws_vfs_utimensat(t.dirfd, t.name, ts, AT_SYMLINK_NOFOLLOW) != 0)
		rc = ws_errno_from_host(errno);
	ws_target_close(&t);
	return rc;
}

const ws_fn ws_path_fns[] = {
    {"path_open", "iiiiiIIii", false, path_open},
    {"path_filestat_get", "iiiii", false, path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi", false, path_filestat_set_times},
    {NULL, NULL, false, NULL},
};
