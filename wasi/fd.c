/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fd.c: the fd_* functions on the guest's fd table: the standard streams
 * (through the context's callbacks, with the output limit), host files and
 * directories opened by path_open, and the preopens (fd_prestat_*); reads
 * and writes, at the offset or at a given one, renumbering and rights.
 * (What changes a file's size, times or storage is in fd_file.c.)
 *
 * Data moves between the guest's iovecs and the host directly: each iovec
 * is bounds-checked as a whole, then read or written in place.
 */
#include "internal.h"
#include "vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A guest iovec (ciovec and iovec have the same layout): 8 bytes. */
#define WS_IOVEC_SIZE 8u

/* The host bytes of iovec i of the array at iovs; NULL: out of bounds. */
static uint8_t *
iovec_at(ws_call *c, uint32_t iovs, uint32_t i, uint32_t *len)
{
	uint8_t *iov = ws_mem(c, iovs + WS_IOVEC_SIZE * i, WS_IOVEC_SIZE);

	if (iov == NULL)
		return NULL;
	*len = ws_get_u32(iov + 4);
	return ws_mem(c, ws_get_u32(iov), *len);
}

/* Checks the iovec array [iovs, iovs + n * 8) as a whole. */
static bool
iovecs_in_bounds(ws_call *c, uint32_t iovs, uint32_t n)
{
	return ws_mem(c, iovs, (uint64_t)n * WS_IOVEC_SIZE) != NULL;
}

uint8_t
ws_filetype_of_mode(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return WS_FILETYPE_REGULAR_FILE;
	case S_IFDIR: return WS_FILETYPE_DIRECTORY;
	case S_IFCHR: return WS_FILETYPE_CHARACTER_DEVICE;
	case S_IFBLK: return WS_FILETYPE_BLOCK_DEVICE;
	case S_IFLNK: return WS_FILETYPE_SYMBOLIC_LINK;
	case S_IFSOCK: return WS_FILETYPE_SOCKET_STREAM;
	default: return WS_FILETYPE_UNKNOWN;
	}
}

static uint64_t
timespec_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

uint32_t
ws_store_filestat(ws_call *c, uint32_t ptr, const struct stat *st)
{
	uint8_t *p = ws_mem(c, ptr, 64);

	if (p == NULL)
		return WS_EFAULT;
	memset(p, 0, 64);
	ws_put_u64(p, (uint64_t)st->st_dev);
	ws_put_u64(p + 8, (uint64_t)st->st_ino);
	p[16] = ws_filetype_of_mode(st->st_mode);
	ws_put_u64(p + 24, (uint64_t)st->st_nlink);
	ws_put_u64(p + 32, (uint64_t)st->st_size);
	ws_put_u64(p + 40, timespec_ns(&st->st_atim));
	ws_put_u64(p + 48, timespec_ns(&st->st_mtim));
	ws_put_u64(p + 56, timespec_ns(&st->st_ctim));
	return WS_ESUCCESS;
}

/* ---- Writing ------------------------------------------------------------ */

/* All of buf to a stream callback; a negative host errno on failure. */
static int64_t
stream_write_all(ws_ctx *ctx, uint32_t fd, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	if (ctx->stdio.write == NULL)
		return (int64_t)len;
	while (done < len) {
		int64_t n = ctx->stdio.write(
		    ctx->stdio.env, fd, buf + done, len - done);

		if (n < 0)
			return n;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return (int64_t)len;
}

/*
 * Writes one iovec to a stream, minding the output limit: past it, what
 * fits is written and the call traps.
 */
static uint32_t
stream_write(
    ws_call *c, ws_fd *f, const uint8_t *buf, uint32_t len, uint64_t *written)
{
	ws_ctx *ctx = c->ctx;
	uint64_t room = ctx->max_output - ctx->output;
	bool over = ctx->max_output != 0 && len > room;
	int64_t n = stream_write_all(ctx, f->stream, buf, over ? room : len);

	if (n < 0)
		return ws_errno_from_host((int)-n);
	ctx->output += (uint64_t)n;
	*written += (uint64_t)n;
	if (over) {
		ctx->output_exceeded = true;
		snprintf(c->message, WE_MSG_MAX,
		    "output limit of %llu bytes exceeded",
		    (unsigned long long)ctx->max_output);
		return WS_TRAP;
	}
	return WS_ESUCCESS;
}

/* One iovec to a host file; a short write ends the call. */
static uint32_t
file_write(ws_fd *f, const uint8_t *buf, uint32_t len, uint64_t *written,
    bool *short_write)
{
	ssize_t n;

	do
		n = ws_vfs_write(f->host_fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ws_errno_from_host(errno);
	*written += (uint64_t)n;
	*short_write = (uint32_t)n < len;
	return WS_ESUCCESS;
}

/* fd_write(fd, iovs, iovs_len, nwritten) */
static uint32_t
fd_write(ws_call *c)
{
	ws_fd *f = ws_fd_get(c->ctx, ws_u32(c, 0));
	uint32_t iovs = ws_u32(c, 1), n = ws_u32(c, 2), rc = WS_ESUCCESS;
	uint64_t written = 0;
	bool short_write = false;

	if (f == NULL || (f->kind != WS_FD_STDOUT && f->kind != WS_FD_FILE) ||
	    !(f->rights & WS_RIGHT_FD_WRITE))
		return WS_EBADF;
	if (!iovecs_in_bounds(c, iovs, n) || ws_mem(c, ws_u32(c, 3), 4) == NULL)
		return WS_EFAULT;
	for (uint32_t i = 0; i < n && rc == WS_ESUCCESS && !short_write; i++) {
		uint32_t len;
		uint8_t *buf = iovec_at(c, iovs, i, &len);

		if (buf == NULL)
			rc = WS_EFAULT;
		else if (f->kind == WS_FD_STDOUT)
			rc = stream_write(c, f, buf, len, &written);
		else
			rc = file_write(f, buf, len, &written, &short_write);
	}
	if (rc == WS_TRAP || (rc != WS_ESUCCESS && written == 0))
		return rc;
	ws_store_u32(c, ws_u32(c, 3), (uint32_t)written);
	return WS_ESUCCESS;
}

/* ---- Reading ------------------------------------------------------------ */

/* Fills buf from stdin or a file; *got < len ends the call. */
static uint32_t
read_some(ws_ctx *ctx, ws_fd *f, uint8_t *buf, uint32_t len, uint32_t *got)
{
	int64_t n;

	if (f->kind == WS_FD_STDIN) {
		n = ctx->stdio.read != NULL
		    ? ctx->stdio.read(ctx->stdio.env, buf, len)
		    : 0;
	} else {
		do
			n = ws_vfs_read(f->host_fd, buf, len);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			n = -errno;
	}
	if (n < 0)
		return ws_errno_from_host((int)-n);
	*got = n > len ? len : (uint32_t)n;
	return WS_ESUCCESS;
}

/* fd_read(fd, iovs, iovs_len, nread) */
static uint32_t
fd_read(ws_call *c)
{
	ws_fd *f = ws_fd_get(c->ctx, ws_u32(c, 0));
	uint32_t iovs = ws_u32(c, 1), n = ws_u32(c, 2), rc = WS_ESUCCESS;
	uint64_t total = 0;

	if (f == NULL)
		return WS_EBADF;
	if (f->kind == WS_FD_DIR)
		return WS_EISDIR;
	if ((f->kind != WS_FD_STDIN && f->kind != WS_FD_FILE) ||
	    !(f->rights & WS_RIGHT_FD_READ))
		return WS_EBADF;
	if (!iovecs_in_bounds(c, iovs, n) || ws_mem(c, ws_u32(c, 3), 4) == NULL)
		return WS_EFAULT;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len, got = 0;
		uint8_t *buf = iovec_at(c, iovs, i, &len);

		if (buf == NULL) {
			rc = WS_EFAULT;
			break;
		}
		if (len == 0)
			continue;
		if ((rc = read_some(c->ctx, f, buf, len, &got)) != 0)
			break;
		total += got;
		if (got < len)
			break;
	}
	if (rc != WS_ESUCCESS && total == 0)
		return rc;
	ws_store_u32(c, ws_u32(c, 3), (uint32_t)total);
	return WS_ESUCCESS;
}

/* ---- Reading and writing at an offset ----------------------------------- */

/*
 * The file behind fd for fd_pread or fd_pwrite (right need): EISDIR for a
 * directory, ESPIPE for a stream, EBADF without the right.
 */
static ws_fd *
positional_fd(ws_call *c, uint64_t need, uint32_t *rc)
{
	ws_fd *f = ws_fd_get(c->ctx, ws_u32(c, 0));

	*rc = f == NULL                                        ? WS_EBADF
	    : f->kind == WS_FD_DIR                             ? WS_EISDIR
	    : f->kind != WS_FD_FILE                            ? WS_ESPIPE
	    : !(f->rights & need)                              ? WS_EBADF
	    : !(f->rights & WS_RIGHT_FD_SEEK)                  ? WS_ENOTCAPABLE
	    : !iovecs_in_bounds(c, ws_u32(c, 1), ws_u32(c, 2)) ? WS_EFAULT
	    : ws_mem(c, ws_u32(c, 4), 4) == NULL               ? WS_EFAULT
	    : (int64_t)ws_u64(c, 3) < 0                        ? WS_EINVAL
	                                                       : WS_ESUCCESS;
	return *rc == WS_ESUCCESS ? f : NULL;
}

/*
 * fd_pread(fd, iovs, iovs_len, offset, nread) and fd_pwrite(fd, iovs,
 * iovs_len, offset, nwritten): each iovec in turn at the offset plus what
 * was done so far; a short transfer ends the call. The fd's own offset
 * does not move.
 */
static uint32_t
fd_positional(ws_call *c, bool writing)
{
	uint32_t iovs = ws_u32(c, 1), n = ws_u32(c, 2), rc;
	uint64_t off = ws_u64(c, 3), total = 0;
	ws_fd *f = positional_fd(
	    c, writing ? WS_RIGHT_FD_WRITE : WS_RIGHT_FD_READ, &rc);

	if (f == NULL)
		return rc;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;
		uint8_t *buf = iovec_at(c, iovs, i, &len);
		ssize_t got;

		if (buf == NULL) {
			rc = WS_EFAULT;
			break;
		}
		do
			got = writing ? ws_vfs_pwrite(f->host_fd, buf, len,
			                    (off_t)(off + total))
			              : ws_vfs_pread(f->host_fd, buf, len,
			                    (off_t)(off + total));
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			rc = ws_errno_from_host(errno);
			break;
		}
		total += (uint64_t)got;
		if ((uint32_t)got < len)
			break;
	}
	if (rc != WS_ESUCCESS && total == 0)
		return rc;
	ws_store_u32(c, ws_u32(c, 4), (uint32_t)total);
	return WS_ESUCCESS;
}

static uint32_t
fd_pread(ws_call *c)
{
	return fd_positional(c, false);
}

static uint32_t
fd_pwrite(ws_call *c)
{
	return fd_positional(c, true);
}

/* ---- Seeking, closing, status ------------------------------------------- */

/* fd_seek(fd, offset, whence, newoffset) */
static uint32_t
fd_seek(ws_call *c)
{
	static const int whences[] = {SEEK_SET, SEEK_CUR, SEEK_END};
	uint32_t whence = ws_u32(c, 2);
	/* Asking where the offset is needs only fd_tell. */
	uint64_t need = ws_u64(c, 1) == 0 && whence == 1 ? WS_RIGHT_FD_TELL
	                                                 : WS_RIGHT_FD_SEEK;
	ws_fd *f = ws_fd_get(c->ctx, ws_u32(c, 0));
	off_t pos;

	if (f == NULL)
		return WS_EBADF;
	if (f->kind == WS_FD_DIR)
		return WS_EISDIR;
	if (f->kind == WS_FD_STDIN || f->kind == WS_FD_STDOUT)
		return WS_ESPIPE;
	if (whence > 2)
		return WS_EINVAL;
	if (!(f->rights & need))
		return WS_ENOTCAPABLE;
	if (ws_mem(c, ws_u32(c, 3), 8) == NULL)
		return WS_EFAULT;
	pos = ws_vfs_lseek(f->host_fd, (off_t)ws_u64(c, 1), whences[whence]);
	if (pos < 0)
		return ws_errno_from_host(errno);
	ws_store_u64(c, ws_u32(c, 3), (uint64_t)pos);
	return WS_ESUCCESS;
}

/* fd_tell(fd, offset) */
static uint32_t
fd_tell(ws_call *c)
{
	ws_fd *f = ws_fd_get(c->ctx, ws_u32(c, 0));
	off_t pos;

	if (f == NULL)
		return WS_EBADF;
	if (f->kind == WS_FD_DIR)
		return WS_EISDIR;
	if (f->kind == WS_FD_STDIN || f->kind == WS_FD_STDOUT)
		return WS_ESPIPE;
	if (!(f->rights & WS_RIGHT_FD_TELL))
		return WS_ENOTCAPABLE;
	if (ws_mem(c, ws_u32(c, 1), 8) == NULL)
		return WS_EFAULT;
	if ((pos = ws_vfs_lseek(f->host_fd, 0, SEEK_CUR)) < 0)
		return ws_errno_from_host(errno);
	ws_store_u64(c, ws_u32(c, 1), (uint64_t)pos);
	return WS_ESUCCESS;
}

/* fd_close(fd): a stream is only forgotten; the host's fds 0-2 stay. */
static uint32_t
fd_close(ws_call *c)
{
	ws_fd *f = ws_fd_get(c->ctx, ws_u32(c, 0));

	if (f == NULL)
		return WS_EBADF;
	ws_fd_release(f);
	return WS_ESUCCESS;
}

/*
 * fd_renumber(fd, to): to becomes what fd was (its old self closed), and
 * fd is free. Both must be open.
 */
static uint32_t
fd_renumber(ws_call *c)
{
	ws_fd *from = ws_fd_get(c->ctx, ws_u32(c, 0));
	ws_fd *to = ws_fd_get(c->ctx, ws_u32(c, 1));

	if (from == NULL || to == NULL)
		return WS_EBADF;
	if (from == to)
		return WS_ESUCCESS;
	ws_fd_release(to);
	*to = *from;
	memset(from, 0, sizeof *from);
	from->kind = WS_FD_FREE;
	from->host_fd = -1;
	return WS_ESUCCESS;
}

/* fd_fdstat_set_rights(fd, base, inheriting): rights can only shrink. */
static uint32_t
fd_fdstat_set_rights(ws_call *c)
{
	ws_fd *f = ws_fd_get(c->ctx, ws_u32(c, 0));
	uint64_t base = ws_u64(c, 1), inheriting = ws_u64(c, 2);

	if (f == NULL)
		return WS_EBADF;
	if ((base & ~f->rights) != 0 || (inheriting & ~f->inheriting) != 0)
		return WS_ENOTCAPABLE;
	f->rights = base;
	f->inheriting = inheriting;
	return WS_ESUCCESS;
}

/* The WASI filetype of an entry. */
static uint8_t
fd_filetype(ws_fd *f)
{
	struct stat st;

	switch (f->kind) {
	case WS_FD_STDIN:
	case WS_FD_STDOUT:
		/* wasi-libc's isatty() wants a character device that cannot
		   seek (the streams have no seek right); anything else is a
		   pipe or file to it. */
		return f->tty ? WS_FILETYPE_CHARACTER_DEVICE
		              : WS_FILETYPE_UNKNOWN;
	case WS_FD_DIR: return WS_FILETYPE_DIRECTORY;
	default:
		if (ws_vfs_fstat(f->host_fd, &st) != 0)
			return WS_FILETYPE_UNKNOWN;
		return ws_filetype_of_mode(st.st_mode);
	}
}

/* fd_fdstat_get(fd, fdstat): filetype u8, flags u16, two rights u64. */
static uint32_t
fd_fdstat_get(ws_call *c)
{
	ws_fd *f = ws_fd_get(c->ctx, ws_u32(c, 0));
	uint8_t *p = ws_mem(c, ws_u32(c, 1), 24);
	uint16_t flags;
	int fl;

	if (f == NULL)
		return WS_EBADF;
	if (p == NULL)
		return WS_EFAULT;
	flags = f->fdflags;
	/* The sync flags stay as opened; append and nonblock as they are. */
	if (f->kind == WS_FD_FILE && (fl = ws_vfs_getfl(f->host_fd)) >= 0)
		flags = (uint16_t)((flags &
		                       (WS_FDFLAG_DSYNC | WS_FDFLAG_RSYNC |
		                           WS_FDFLAG_SYNC)) |
		    (fl & O_APPEND ? WS_FDFLAG_APPEND : 0) |
		    (fl & O_NONBLOCK ? WS_FDFLAG_NONBLOCK : 0));
	memset(p, 0, 24);
	p[0] = fd_filetype(f);
	ws_put_u16(p + 2, flags);
	ws_put_u64(p + 8, f->rights);
	ws_put_u64(p + 16, f->inheriting);
	return WS_ESUCCESS;
}

/* fd_fdstat_set_flags(fd, flags): append and nonblock only. */
static uint32_t
fd_fdstat_set_flags(ws_call *c)
{
	uint32_t flags = ws_u32(c, 1), rc;
	ws_fd *f =
	    ws_fd_with(c->ctx, ws_u32(c, 0), WS_RIGHT_FD_FDSTAT_SET_FLAGS, &rc);
	int fl;

	if (f == NULL)
		return rc;
	if (flags & ~(uint32_t)(WS_FDFLAG_APPEND | WS_FDFLAG_NONBLOCK))
		return WS_ENOTSUP;
	if (f->kind == WS_FD_FILE) {
		if ((fl = ws_vfs_getfl(f->host_fd)) < 0)
			return ws_errno_from_host(errno);
		fl &= ~(O_APPEND | O_NONBLOCK);
		fl |= (flags & WS_FDFLAG_APPEND ? O_APPEND : 0) |
		    (flags & WS_FDFLAG_NONBLOCK ? O_NONBLOCK : 0);
		if (ws_vfs_setfl(f->host_fd, fl) != 0)
			return ws_errno_from_host(errno);
	}
	/* The sync flags cannot be changed: they stay as opened. */
	f->fdflags = (uint16_t)(flags |
	    (f->fdflags &
	        (WS_FDFLAG_DSYNC | WS_FDFLAG_RSYNC | WS_FDFLAG_SYNC)));
	return WS_ESUCCESS;
}

/* fd_filestat_get(fd, filestat) */
static uint32_t
fd_filestat_get(ws_call *c)
{
	uint32_t rc;
	ws_fd *f =
	    ws_fd_with(c->ctx, ws_u32(c, 0), WS_RIGHT_FD_FILESTAT_GET, &rc);
	struct stat st;

	if (f == NULL)
		return rc;
	if (f->kind == WS_FD_FILE || f->kind == WS_FD_DIR) {
		if (ws_vfs_fstat(f->host_fd, &st) != 0)
			return ws_errno_from_host(errno);
		return ws_store_filestat(c, ws_u32(c, 1), &st);
	}
	/* A stream has no host file to show: only its type. */
	memset(&st, 0, sizeof st);
	if (ws_store_filestat(c, ws_u32(c, 1), &st) != WS_ESUCCESS)
		return WS_EFAULT;
	*ws_mem(c, ws_u32(c, 1) + 16, 1) = fd_filetype(f);
	return WS_ESUCCESS;
}

/* ---- Preopens ----------------------------------------------------------- */

static ws_fd *
preopen_get(ws_call *c, uint32_t fd)
{
	ws_fd *f = ws_fd_get(c->ctx, fd);

	return f != NULL && f->kind == WS_FD_DIR && f->guest_name != NULL
	    ? f
	    : NULL;
}

/* fd_prestat_get(fd, prestat): tag 0 (a directory) and its name length. */
static uint32_t
fd_prestat_get(ws_call *c)
{
	ws_fd *f = preopen_get(c, ws_u32(c, 0));
	uint8_t *p = ws_mem(c, ws_u32(c, 1), 8);

	if (f == NULL)
		return WS_EBADF;
	if (p == NULL)
		return WS_EFAULT;
	memset(p, 0, 8);
	ws_put_u32(p + 4, (uint32_t)strlen(f->guest_name));
	return WS_ESUCCESS;
}

/* fd_prestat_dir_name(fd, path, path_len): the name, without a NUL. */
static uint32_t
fd_prestat_dir_name(ws_call *c)
{
	ws_fd *f = preopen_get(c, ws_u32(c, 0));
	uint32_t len = ws_u32(c, 2);
	size_t need;
	uint8_t *p;

	if (f == NULL)
		return WS_EBADF;
	need = strlen(f->guest_name);
	if (len < need)
		return WS_ENAMETOOLONG;
	if ((p = ws_mem(c, ws_u32(c, 1), need)) == NULL)
		return WS_EFAULT;
	memcpy(p, f->guest_name, need);
	return WS_ESUCCESS;
}

/* ---- Directories -------------------------------------------------------- */

static uint8_t
dirent_filetype(unsigned char d_type)
{
	switch (d_type) {
	case DT_REG: return WS_FILETYPE_REGULAR_FILE;
	case DT_DIR: return WS_FILETYPE_DIRECTORY;
	case DT_LNK: return WS_FILETYPE_SYMBOLIC_LINK;
	case DT_CHR: return WS_FILETYPE_CHARACTER_DEVICE;
	case DT_BLK: return WS_FILETYPE_BLOCK_DEVICE;
	case DT_SOCK: return WS_FILETYPE_SOCKET_STREAM;
	default: return WS_FILETYPE_UNKNOWN;
	}
}

/* The directory stream of f, opened on a dup of its fd the first time. */
static DIR *
dir_stream(ws_fd *f)
{
	int fd;

	if (f->dir != NULL)
		return f->dir;
	if ((fd = dup(f->host_fd)) < 0)
		return NULL;
	if ((f->dir = fdopendir(fd)) == NULL)
		close(fd);
	return f->dir;
}

/* Appends at most len - *used bytes of src to buf. */
static void
put_cut(uint8_t *buf, uint32_t len, uint32_t *used, const void *src, size_t n)
{
	size_t take = len - *used < n ? len - *used : n;

	memcpy(buf + *used, src, take);
	*used += (uint32_t)take;
}

/* Appends one entry (header, then name) to buf, cut at len. */
static void
put_dirent(uint8_t *buf, uint32_t len, uint32_t *used, uint64_t next,
    uint64_t ino, uint8_t type, const char *name)
{
	uint8_t hdr[24];
	size_t nlen = strlen(name);

	ws_put_u64(hdr, next);
	ws_put_u64(hdr + 8, ino);
	ws_put_u32(hdr + 16, (uint32_t)nlen);
	memset(hdr + 20, 0, 4);
	hdr[20] = type;
	put_cut(buf, len, used, hdr, sizeof hdr);
	put_cut(buf, len, used, name, nlen);
}

/* fd_readdir's entries of an in-memory directory: cookie is an index. */
static uint32_t
mem_readdir(int fd, uint8_t *buf, uint32_t len, uint64_t cookie, uint32_t *used)
{
	ws_vfs_dirent e;
	int r = 0;

	while (*used < len && (r = ws_vfs_mem_readdir(fd, cookie, &e)) > 0) {
		cookie++;
		put_dirent(buf, len, used, cookie, e.ino,
		    dirent_filetype(e.type), e.name);
	}
	return r < 0 && *used < len ? ws_errno_from_host(errno) : WS_ESUCCESS;
}

/* fd_readdir's entries of a host directory, through its stream. */
static uint32_t
host_readdir(
    ws_fd *f, uint8_t *buf, uint32_t len, uint64_t cookie, uint32_t *used)
{
	struct dirent *e;
	DIR *d;

	if ((d = dir_stream(f)) == NULL)
		return ws_errno_from_host(errno);
	if (cookie == 0)
		rewinddir(d);
	else
		seekdir(d, (long)cookie);
	while (*used < len) {
		errno = 0;
		if ((e = readdir(d)) == NULL)
			return errno != 0 ? ws_errno_from_host(errno)
			                  : WS_ESUCCESS;
		put_dirent(buf, len, used, (uint64_t)telldir(d),
		    (uint64_t)e->d_ino, dirent_filetype(e->d_type), e->d_name);
	}
	return WS_ESUCCESS;
}

/*
 * fd_readdir(fd, buf, buf_len, cookie, bufused): entries from cookie on,
 * each a 24-byte header (next cookie u64, inode u64, name length u32,
 * type u8) and the name. The last one is cut at buf_len, as the spec
 * says; a full buffer tells the guest to call again.
 */
static uint32_t
fd_readdir(ws_call *c)
{
	ws_fd *f = ws_fd_get(c->ctx, ws_u32(c, 0));
	uint32_t len = ws_u32(c, 2), used = 0, rc;
	uint8_t *buf = ws_mem(c, ws_u32(c, 1), len);
	uint64_t cookie = ws_u64(c, 3);

	if (f == NULL)
		return WS_EBADF;
	if (f->kind != WS_FD_DIR)
		return WS_ENOTDIR;
	if (ws_fd_with(c->ctx, ws_u32(c, 0), WS_RIGHT_FD_READDIR, &rc) == NULL)
		return rc;
	if (buf == NULL || ws_mem(c, ws_u32(c, 4), 4) == NULL)
		return WS_EFAULT;
	rc = ws_vfs_is_mem(f->host_fd)
	    ? mem_readdir(f->host_fd, buf, len, cookie, &used)
	    : host_readdir(f, buf, len, cookie, &used);
	if (rc == WS_ESUCCESS)
		ws_store_u32(c, ws_u32(c, 4), used);
	return rc;
}

const ws_fn ws_fd_fns[] = {
    {"fd_write", "iiii", false, fd_write},
    {"fd_read", "iiii", false, fd_read},
    {"fd_seek", "iIii", false, fd_seek},
    {"fd_tell", "ii", false, fd_tell},
    {"fd_close", "i", false, fd_close},
    {"fd_fdstat_get", "ii", false, fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", false, fd_fdstat_set_flags},
    {"fd_filestat_get", "ii", false, fd_filestat_get},
    {"fd_prestat_get", "ii", false, fd_prestat_get},
    {"fd_prestat_dir_name", "iii", false, fd_prestat_dir_name},
    {"fd_readdir", "iiiIi", false, fd_readdir},
    {"fd_pread", "iiiIi", false, fd_pread},
    {"fd_pwrite", "iiiIi", false, fd_pwrite},
    {"fd_renumber", "ii", false, fd_renumber},
    {"fd_fdstat_set_rights", "iII", false, fd_fdstat_set_rights},
    {NULL, NULL, false, NULL},
};
