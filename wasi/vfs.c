/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vfs.c: the file-system calls of wasi/ (vfs.h): the host's for host
 * descriptors, and an in-memory tree for in-memory ones.
 *
 * The tree is made of nodes (a file's bytes, a directory's entries, a
 * link's target), each counted by the directory entries naming it and the
 * descriptors open on it, and freed when both are gone, as a kernel does.
 * Names given here are always one component (resolve.c walks guest paths
 * and follows links itself), or "." for the directory itself. The answers
 * and errnos are Linux's, so the WASI functions behave alike on both.
 * A file's bytes past what was ever written are zeros not stored, so a
 * large set_size costs nothing until written.
 */
#include "vfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Largest in-memory file (bytes): what a 64-bit off_t leaves safe. */
#define MEM_MAX_SIZE ((uint64_t)INT64_MAX / 2)

typedef struct node node;

typedef struct entry {
	char *name; /* own */
	node *node; /* counted in node->links */
} entry;

struct node {
	ws_vfs_account *acct; /* borrowed: what the node is charged to */
	mode_t type;          /* S_IFREG, S_IFDIR or S_IFLNK */
	uint64_t ino;
	uint32_t links; /* directory entries naming it */
	uint32_t opens; /* descriptors open on it */
	struct timespec atim, mtim, ctim;
	uint8_t *data; /* own: file bytes stored (cap), or the link target */
	uint64_t size, cap;
	entry *ents; /* own: a directory's entries */
	size_t nents, ents_cap;
	node *parent; /* a directory's; borrowed (the root: itself) */
};

typedef struct handle {
	node *node; /* NULL: free slot */
	int flags;  /* open(2) flags */
	uint64_t pos;
} handle;

static handle *handles; /* own: the process's in-memory descriptors */
static size_t nhandles;
static uint64_t next_ino = 1;

/* ---- Nodes --------------------------------------------------------------- */

/* What a node and a directory entry cost beyond their bytes. */
#define NODE_COST ((uint64_t)sizeof(node))
#define ENTRY_COST ((uint64_t)sizeof(entry))

/* Charges n bytes to a; false (errno ENOSPC) past its bound. */
static bool
charge(ws_vfs_account *a, uint64_t n)
{
	if (a->max > 0 && (a->used + n < a->used || a->used + n > a->max)) {
		errno = ENOSPC;
		return false;
	}
	a->used += n;
	return true;
}

static void
refund(ws_vfs_account *a, uint64_t n)
{
	a->used = n < a->used ? a->used - n : 0;
}

static struct timespec
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

static node *
node_new(ws_vfs_account *acct, mode_t type)
{
	node *n;

	if (!charge(acct, NODE_COST))
		return NULL;
	if ((n = calloc(1, sizeof *n)) == NULL) {
		refund(acct, NODE_COST);
		errno = ENOSPC;
		return NULL;
	}
	n->acct = acct;
	n->type = type;
	n->ino = next_ino++;
	n->atim = n->mtim = n->ctim = now();
	n->parent = n;
	return n;
}

static void node_unref(node *n);

static void
node_free(node *n)
{
	for (size_t i = 0; i < n->nents; i++) {
		node *child = n->ents[i].node;

		free(n->ents[i].name);
		child->links--;
		/* A directory still open must not point at a freed parent. */
		if (child->type == S_IFDIR)
			child->parent = child;
		node_unref(child);
	}
	refund(n->acct, NODE_COST + n->cap + n->ents_cap * ENTRY_COST);
	free(n->ents);
	free(n->data);
	free(n);
}

/* Frees n when no entry and no descriptor holds it any more. */
static void
node_unref(node *n)
{
	if (n->links == 0 && n->opens == 0)
		node_free(n);
}

static void
touch(node *n)
{
	n->mtim = n->ctim = now();
}

/* The entry index of name in directory d, or -1. */
static ssize_t
dir_index(const node *d, const char *name)
{
	for (size_t i = 0; i < d->nents; i++)
		if (strcmp(d->ents[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

/* The node name names in d ("." and ".." included), or NULL. */
static node *
dir_lookup(node *d, const char *name)
{
	ssize_t i;

	if (strcmp(name, ".") == 0)
		return d;
	if (strcmp(name, "..") == 0)
		return d->parent;
	i = dir_index(d, name);
	return i < 0 ? NULL : d->ents[i].node;
}

/* Adds entry name -> n to d; -1 (ENOSPC) when memory runs out. */
static int
dir_add(node *d, const char *name, node *n)
{
	char *copy;

	if (d->nents == d->ents_cap) {
		size_t cap = d->ents_cap ? d->ents_cap * 2 : 8;
		entry *v;

		if (!charge(d->acct, (cap - d->ents_cap) * ENTRY_COST))
			return -1;
		if ((v = realloc(d->ents, cap * sizeof *v)) == NULL) {
			refund(d->acct, (cap - d->ents_cap) * ENTRY_COST);
			errno = ENOSPC;
			return -1;
		}
		d->ents = v;
		d->ents_cap = cap;
	}
	/* The name's bytes are charged with the node's fixed cost. */
	if ((copy = strdup(name)) == NULL) {
		errno = ENOSPC;
		return -1;
	}
	d->ents[d->nents].name = copy;
	d->ents[d->nents].node = n;
	d->nents++;
	n->links++;
	if (n->type == S_IFDIR)
		n->parent = d;
	touch(d);
	return 0;
}

/* Removes entry i of d (the node is freed when nothing else holds it). */
static void
dir_remove(node *d, size_t i)
{
	node *n = d->ents[i].node;

	free(d->ents[i].name);
	d->ents[i] = d->ents[--d->nents];
	n->links--;
	n->ctim = now();
	if (n->type == S_IFDIR && n->links == 0)
		n->parent = n; /* removed: ".." stays inside it */
	touch(d);
	node_unref(n);
}

/* ---- Descriptors ----------------------------------------------------- */

bool
ws_vfs_is_mem(int fd)
{
	return fd >= WS_VFS_MEM_BASE;
}

static handle *
handle_get(int fd)
{
	size_t i;

	if (!ws_vfs_is_mem(fd))
		return NULL;
	i = (size_t)(fd - WS_VFS_MEM_BASE);
	if (i >= nhandles || handles[i].node == NULL) {
		errno = EBADF;
		return NULL;
	}
	return &handles[i];
}

/* The directory behind fd, or NULL with errno set. */
static node *
dir_of(int fd)
{
	handle *h = handle_get(fd);

	if (h == NULL)
		return NULL;
	if (h->node->type != S_IFDIR) {
		errno = ENOTDIR;
		return NULL;
	}
	return h->node;
}

/* A new descriptor on n; -1 (EMFILE or ENOMEM) on failure. */
static int
handle_new(node *n, int flags)
{
	size_t i;

	for (i = 0; i < nhandles && handles[i].node != NULL; i++)
		;
	if (i == nhandles) {
		size_t cap = nhandles ? nhandles * 2 : 16;
		handle *v;

		if (cap > INT_MAX - WS_VFS_MEM_BASE) {
			errno = EMFILE;
			return -1;
		}
		if ((v = realloc(handles, cap * sizeof *v)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		memset(v + nhandles, 0, (cap - nhandles) * sizeof *v);
		handles = v;
		nhandles = cap;
	}
	handles[i].node = n;
	handles[i].flags = flags;
	handles[i].pos = 0;
	n->opens++;
	return WS_VFS_MEM_BASE + (int)i;
}

int
ws_vfs_mem_root(ws_vfs_account *acct)
{
	node *root = node_new(acct, S_IFDIR);
	int fd;

	if (root == NULL)
		return -1;
	if ((fd = handle_new(root, O_RDONLY | O_DIRECTORY)) < 0)
		node_unref(root);
	return fd;
}

static bool
readable(const handle *h)
{
	return !(h->flags & O_PATH) && (h->flags & O_ACCMODE) != O_WRONLY;
}

static bool
writable(const handle *h)
{
	return !(h->flags & O_PATH) && (h->flags & O_ACCMODE) != O_RDONLY;
}

/* ---- File contents ----------------------------------------------------- */

/* Makes room for bytes up to end in f; -1 (ENOSPC/EFBIG) when it cannot. */
static int
file_reserve(node *f, uint64_t end)
{
	uint64_t cap;
	uint8_t *v;

	if (end > MEM_MAX_SIZE) {
		errno = EFBIG;
		return -1;
	}
	if (end <= f->cap)
		return 0;
	cap = f->cap ? f->cap : 64;
	while (cap < end)
		cap *= 2;
	/* Doubling must not refuse what would fit exactly. */
	if (f->acct->max > 0 && cap - f->cap > f->acct->max - f->acct->used &&
	    end - f->cap <= f->acct->max - f->acct->used)
		cap = end;
	if (!charge(f->acct, cap - f->cap))
		return -1;
	if ((v = realloc(f->data, cap)) == NULL) {
		refund(f->acct, cap - f->cap);
		errno = ENOSPC;
		return -1;
	}
	memset(v + f->cap, 0, cap - f->cap);
	f->data = v;
	f->cap = cap;
	return 0;
}

static void
file_resize(node *f, uint64_t size)
{
	/* Bytes cut off must read as zeros if the file grows again. */
	if (size < f->cap)
		memset(f->data + size, 0, f->cap - size);
	f->size = size;
	touch(f);
}

static ssize_t
file_read_at(node *f, void *buf, size_t len, uint64_t off)
{
	uint64_t n, stored;

	if (off >= f->size)
		return 0;
	n = f->size - off < len ? f->size - off : len;
	stored = off < f->cap ? (f->cap - off < n ? f->cap - off : n) : 0;
	if (stored > 0)
		memcpy(buf, f->data + off, stored);
	memset((uint8_t *)buf + stored, 0, n - stored);
	f->atim = now();
	return (ssize_t)n;
}

static ssize_t
file_write_at(node *f, const void *buf, size_t len, uint64_t off)
{
	if (len == 0)
		return 0;
	if (off + len < off || file_reserve(f, off + len) < 0)
		return -1;
	memcpy(f->data + off, buf, len);
	if (off + len > f->size)
		f->size = off + len;
	touch(f);
	return (ssize_t)len;
}

/* ---- Opening and closing -------------------------------------------- */

/* The node name names for openat: created, checked, or NULL (errno). */
static node *
open_node(node *d, const char *name, int flags)
{
	node *n = dir_lookup(d, name);

	if (n == NULL) {
		if (!(flags & O_CREAT)) {
			errno = ENOENT;
			return NULL;
		}
		if (flags & O_DIRECTORY) {
			errno = EINVAL;
			return NULL;
		}
		if ((n = node_new(d->acct, S_IFREG)) == NULL)
			return NULL;
		if (dir_add(d, name, n) < 0) {
			node_unref(n);
			return NULL;
		}
		return n;
	}
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
		errno = EEXIST;
		return NULL;
	}
	if (n->type == S_IFLNK) {
		/* O_PATH | O_NOFOLLOW opens a link itself (Linux). */
		if ((flags & (O_PATH | O_DIRECTORY)) == O_PATH)
			return n;
		errno = flags & O_DIRECTORY ? ENOTDIR : ELOOP;
		return NULL;
	}
	if (flags & O_DIRECTORY && n->type != S_IFDIR) {
		errno = ENOTDIR;
		return NULL;
	}
	if (n->type == S_IFDIR && !(flags & O_PATH) &&
	    ((flags & O_ACCMODE) != O_RDONLY || flags & O_TRUNC)) {
		errno = EISDIR;
		return NULL;
	}
	return n;
}

int
ws_vfs_openat(int dirfd, const char *name, int flags, mode_t mode)
{
	node *d, *n;
	int fd;

	if (!ws_vfs_is_mem(dirfd))
		return openat(dirfd, name, flags, mode);
	if ((d = dir_of(dirfd)) == NULL ||
	    (n = open_node(d, name, flags)) == NULL)
		return -1;
	if ((fd = handle_new(n, flags)) < 0)
		return -1;
	if (flags & O_TRUNC && n->type == S_IFREG &&
	    (flags & O_ACCMODE) != O_RDONLY)
		file_resize(n, 0);
	return fd;
}

int
ws_vfs_close(int fd)
{
	handle *h;
	node *n;

	if (!ws_vfs_is_mem(fd))
		return close(fd);
	if ((h = handle_get(fd)) == NULL)
		return -1;
	n = h->node;
	h->node = NULL;
	n->opens--;
	node_unref(n);
	return 0;
}

int
ws_vfs_dupfd(int fd)
{
	handle *h;

	if (!ws_vfs_is_mem(fd))
		return fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if ((h = handle_get(fd)) == NULL)
		return -1;
	/* handle_new() may move the table: copy what it needs first. */
	return handle_new(h->node, h->flags);
}

int
ws_vfs_getfl(int fd)
{
	handle *h;

	if (!ws_vfs_is_mem(fd))
		return fcntl(fd, F_GETFL);
	return (h = handle_get(fd)) == NULL ? -1 : h->flags;
}

int
ws_vfs_setfl(int fd, int flags)
{
	const int settable = O_APPEND | O_NONBLOCK;
	handle *h;

	if (!ws_vfs_is_mem(fd))
		return fcntl(fd, F_SETFL, flags);
	if ((h = handle_get(fd)) == NULL)
		return -1;
	h->flags = (h->flags & ~settable) | (flags & settable);
	return 0;
}

/* ---- Metadata -------------------------------------------------------- */

static void
stat_node(const node *n, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_dev = 0x5753; /* one device for the whole tree */
	st->st_ino = (ino_t)n->ino;
	st->st_mode = n->type | (n->type == S_IFREG ? 0644 : 0755);
	st->st_nlink = n->type == S_IFDIR ? n->links + 1 : n->links;
	st->st_size = (off_t)n->size;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)((n->cap + 511) / 512);
	st->st_atim = n->atim;
	st->st_mtim = n->mtim;
	st->st_ctim = n->ctim;
}

int
ws_vfs_fstat(int fd, struct stat *st)
{
	handle *h;

	if (!ws_vfs_is_mem(fd))
		return fstat(fd, st);
	if ((h = handle_get(fd)) == NULL)
		return -1;
	stat_node(h->node, st);
	return 0;
}

int
ws_vfs_fstatat(int dirfd, const char *name, struct stat *st, int flags)
{
	node *d, *n;

	if (!ws_vfs_is_mem(dirfd))
		return fstatat(dirfd, name, st, flags);
	if ((d = dir_of(dirfd)) == NULL)
		return -1;
	if ((n = dir_lookup(d, name)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	stat_node(n, st);
	return 0;
}

/* Applies utimensat()'s two timespecs (UTIME_NOW, UTIME_OMIT) to n. */
static void
set_times(node *n, const struct timespec ts[2])
{
	struct timespec t = now();

	if (ts == NULL) {
		n->atim = n->mtim = t;
	} else {
		if (ts[0].tv_nsec != UTIME_OMIT)
			n->atim = ts[0].tv_nsec == UTIME_NOW ? t : ts[0];
		if (ts[1].tv_nsec != UTIME_OMIT)
			n->mtim = ts[1].tv_nsec == UTIME_NOW ? t : ts[1];
	}
	n->ctim = t;
}

int
ws_vfs_utimensat(
    int dirfd, const char *name, const struct timespec ts[2], int flags)
{
	node *d, *n;

	if (!ws_vfs_is_mem(dirfd))
		return utimensat(dirfd, name, ts, flags);
	if ((d = dir_of(dirfd)) == NULL)
		return -1;
	if ((n = dir_lookup(d, name)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	set_times(n, ts);
	return 0;
}

int
ws_vfs_futimens(int fd, const struct timespec ts[2])
{
	handle *h;

	if (!ws_vfs_is_mem(fd))
		return futimens(fd, ts);
	if ((h = handle_get(fd)) == NULL)
		return -1;
	set_times(h->node, ts);
	return 0;
}

/* ---- Reading and writing -------------------------------------------- */

/* The file behind fd for reading or writing, or NULL with errno set. */
static handle *
io_handle(int fd, bool write)
{
	handle *h = handle_get(fd);

	if (h == NULL)
		return NULL;
	if (!(write ? writable(h) : readable(h))) {
		errno = EBADF;
		return NULL;
	}
	if (h->node->type == S_IFDIR) {
		errno = EISDIR;
		return NULL;
	}
	return h;
}

ssize_t
ws_vfs_read(int fd, void *buf, size_t len)
{
	handle *h;
	ssize_t n;

	if (!ws_vfs_is_mem(fd))
		return read(fd, buf, len);
	if ((h = io_handle(fd, false)) == NULL)
		return -1;
	if ((n = file_read_at(h->node, buf, len, h->pos)) > 0)
		h->pos += (uint64_t)n;
	return n;
}

ssize_t
ws_vfs_write(int fd, const void *buf, size_t len)
{
	handle *h;
	ssize_t n;

	if (!ws_vfs_is_mem(fd))
		return write(fd, buf, len);
	if ((h = io_handle(fd, true)) == NULL)
		return -1;
	if (h->flags & O_APPEND)
		h->pos = h->node->size;
	if ((n = file_write_at(h->node, buf, len, h->pos)) > 0)
		h->pos += (uint64_t)n;
	return n;
}

ssize_t
ws_vfs_pread(int fd, void *buf, size_t len, off_t off)
{
	handle *h;

	if (!ws_vfs_is_mem(fd))
		return pread(fd, buf, len, off);
	if ((h = io_handle(fd, false)) == NULL)
		return -1;
	if (off < 0) {
		errno = EINVAL;
		return -1;
	}
	return file_read_at(h->node, buf, len, (uint64_t)off);
}

ssize_t
ws_vfs_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	handle *h;

	if (!ws_vfs_is_mem(fd))
		return pwrite(fd, buf, len, off);
	if ((h = io_handle(fd, true)) == NULL)
		return -1;
	if (off < 0) {
		errno = EINVAL;
		return -1;
	}
	/* Linux appends a pwrite on an O_APPEND descriptor. */
	if (h->flags & O_APPEND)
		off = (off_t)h->node->size;
	return file_write_at(h->node, buf, len, (uint64_t)off);
}

off_t
ws_vfs_lseek(int fd, off_t off, int whence)
{
	handle *h;
	int64_t base;

	if (!ws_vfs_is_mem(fd))
		return lseek(fd, off, whence);
	if ((h = handle_get(fd)) == NULL)
		return -1;
	base = whence == SEEK_SET ? 0
	    : whence == SEEK_CUR  ? (int64_t)h->pos
	    : whence == SEEK_END  ? (int64_t)h->node->size
	                          : -1;
	if (base < 0 || (off > 0 && base > INT64_MAX - off) || base + off < 0) {
		errno = EINVAL;
		return -1;
	}
	h->pos = (uint64_t)(base + off);
	return (off_t)h->pos;
}

int
ws_vfs_ftruncate(int fd, off_t size)
{
	handle *h;

	if (!ws_vfs_is_mem(fd))
		return ftruncate(fd, size);
	if ((h = handle_get(fd)) == NULL)
		return -1;
	if (!writable(h) || h->node->type != S_IFREG || size < 0) {
		errno = EINVAL;
		return -1;
	}
	if ((uint64_t)size > MEM_MAX_SIZE) {
		errno = EFBIG;
		return -1;
	}
	file_resize(h->node, (uint64_t)size);
	return 0;
}

int
ws_vfs_fallocate(int fd, off_t off, off_t len)
{
	handle *h;

	if (!ws_vfs_is_mem(fd))
		return posix_fallocate(fd, off, len);
	if ((h = handle_get(fd)) == NULL)
		return EBADF;
	if (!writable(h))
		return EBADF;
	if (h->node->type != S_IFREG)
		return ENODEV;
	if (off < 0 || len <= 0)
		return EINVAL;
	if ((uint64_t)off + (uint64_t)len > MEM_MAX_SIZE)
		return EFBIG;
	/* Reserved for real: a later write there cannot run out of room. */
	if (file_reserve(h->node, (uint64_t)(off + len)) < 0)
		return errno;
	if ((uint64_t)(off + len) > h->node->size)
		file_resize(h->node, (uint64_t)(off + len));
	return 0;
}

int
ws_vfs_fadvise(int fd, off_t off, off_t len, int advice)
{
	if (!ws_vfs_is_mem(fd))
		return posix_fadvise(fd, off, len, advice);
	/* Advice means nothing to memory; the descriptor must exist. */
	return handle_get(fd) == NULL ? EBADF : 0;
}

int
ws_vfs_fsync(int fd, bool data_only)
{
	if (!ws_vfs_is_mem(fd))
		return data_only ? fdatasync(fd) : fsync(fd);
	return handle_get(fd) == NULL ? -1 : 0;
}

/* ---- Names ------------------------------------------------------------ */

ssize_t
ws_vfs_readlinkat(int dirfd, const char *name, char *buf, size_t len)
{
	node *d, *n;
	size_t k;

	if (!ws_vfs_is_mem(dirfd))
		return readlinkat(dirfd, name, buf, len);
	if ((d = dir_of(dirfd)) == NULL)
		return -1;
	if ((n = dir_lookup(d, name)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (n->type != S_IFLNK) {
		errno = EINVAL;
		return -1;
	}
	k = n->size < len ? (size_t)n->size : len;
	memcpy(buf, n->data, k);
	return (ssize_t)k;
}

/* The directory of dirfd where name may be created, or NULL (errno). */
static node *
dir_for_new(int dirfd, const char *name)
{
	node *d = dir_of(dirfd);

	if (d == NULL)
		return NULL;
	if (dir_lookup(d, name) != NULL) {
		errno = EEXIST;
		return NULL;
	}
	return d;
}

/* Adds a new node of type with data (a link's target) as name in d. */
static int
create(node *d, const char *name, mode_t type, const char *target)
{
	node *n = node_new(d->acct, type);

	if (n == NULL)
		return -1;
	if (target != NULL) {
		if (!charge(d->acct, strlen(target))) {
			node_unref(n);
			return -1;
		}
		n->size = n->cap = strlen(target);
		if ((n->data = (uint8_t *)strdup(target)) == NULL) {
			node_unref(n);
			errno = ENOSPC;
			return -1;
		}
	}
	if (dir_add(d, name, n) < 0) {
		node_unref(n);
		return -1;
	}
	return 0;
}

int
ws_vfs_mkdirat(int dirfd, const char *name, mode_t mode)
{
	node *d;

	if (!ws_vfs_is_mem(dirfd))
		return mkdirat(dirfd, name, mode);
	if ((d = dir_for_new(dirfd, name)) == NULL)
		return -1;
	return create(d, name, S_IFDIR, NULL);
}

int
ws_vfs_symlinkat(const char *target, int dirfd, const char *name)
{
	node *d;

	if (!ws_vfs_is_mem(dirfd))
		return symlinkat(target, dirfd, name);
	if ((d = dir_for_new(dirfd, name)) == NULL)
		return -1;
	return create(d, name, S_IFLNK, target);
}

int
ws_vfs_unlinkat(int dirfd, const char *name, int flags)
{
	node *d, *n;
	ssize_t i;

	if (!ws_vfs_is_mem(dirfd))
		return unlinkat(dirfd, name, flags);
	if ((d = dir_of(dirfd)) == NULL)
		return -1;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		errno = flags & AT_REMOVEDIR ? EINVAL : EISDIR;
		return -1;
	}
	if ((i = dir_index(d, name)) < 0) {
		errno = ENOENT;
		return -1;
	}
	n = d->ents[i].node;
	if (flags & AT_REMOVEDIR) {
		if (n->type != S_IFDIR) {
			errno = ENOTDIR;
			return -1;
		}
		if (n->nents > 0) {
			errno = ENOTEMPTY;
			return -1;
		}
	} else if (n->type == S_IFDIR) {
		errno = EISDIR;
		return -1;
	}
	dir_remove(d, (size_t)i);
	return 0;
}

/* True when directory a is d or one of d's ancestors. */
static bool
is_ancestor(const node *a, const node *d)
{
	for (;;) {
		if (d == a)
			return true;
		if (d->parent == d)
			return false;
		d = d->parent;
	}
}

/* Whether source node s may replace what to names (t, or NULL). */
static int
rename_check(const node *s, const node *t, const node *to_dir)
{
	if (s->type == S_IFDIR && is_ancestor(s, to_dir)) {
		errno = EINVAL;
		return -1;
	}
	if (t == NULL)
		return 0;
	if (s->type == S_IFDIR && t->type != S_IFDIR) {
		errno = ENOTDIR;
		return -1;
	}
	if (s->type != S_IFDIR && t->type == S_IFDIR) {
		errno = EISDIR;
		return -1;
	}
	if (t->type == S_IFDIR && t->nents > 0) {
		errno = ENOTEMPTY;
		return -1;
	}
	return 0;
}

/* Both directories of a two-name call, or -1 (EXDEV across kinds). */
static int
two_dirs(int a, int b, node **da, node **db)
{
	if (ws_vfs_is_mem(a) != ws_vfs_is_mem(b)) {
		errno = EXDEV;
		return -1;
	}
	if ((*da = dir_of(a)) == NULL || (*db = dir_of(b)) == NULL)
		return -1;
	return 0;
}

int
ws_vfs_renameat(int from_dir, const char *from, int to_dir, const char *to)
{
	node *fd, *td, *s;
	ssize_t si, ti;

	if (!ws_vfs_is_mem(from_dir) && !ws_vfs_is_mem(to_dir))
		return renameat(from_dir, from, to_dir, to);
	if (two_dirs(from_dir, to_dir, &fd, &td) < 0)
		return -1;
	if (strcmp(from, ".") == 0 || strcmp(to, ".") == 0) {
		errno = EBUSY;
		return -1;
	}
	if ((si = dir_index(fd, from)) < 0) {
		errno = ENOENT;
		return -1;
	}
	s = fd->ents[si].node;
	ti = dir_index(td, to);
	if (ti >= 0 && td->ents[ti].node == s)
		return 0;
	if (rename_check(s, ti >= 0 ? td->ents[ti].node : NULL, td) < 0)
		return -1;
	/* Link first (held by two entries), then drop the old names. */
	if (dir_add(td, to, s) < 0)
		return -1;
	if (ti >= 0)
		dir_remove(td, (size_t)ti);
	dir_remove(fd, (size_t)dir_index(fd, from));
	if (s->type == S_IFDIR)
		s->parent = td;
	s->ctim = now();
	return 0;
}

int
ws_vfs_linkat(int from_dir, const char *from, int to_dir, const char *to)
{
	node *fd, *td, *s;

	if (!ws_vfs_is_mem(from_dir) && !ws_vfs_is_mem(to_dir))
		return linkat(from_dir, from, to_dir, to, 0);
	if (two_dirs(from_dir, to_dir, &fd, &td) < 0)
		return -1;
	if ((s = dir_lookup(fd, from)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (s->type == S_IFDIR) {
		errno = EPERM;
		return -1;
	}
	if (dir_lookup(td, to) != NULL) {
		errno = EEXIST;
		return -1;
	}
	if (dir_add(td, to, s) < 0)
		return -1;
	s->ctim = now();
	return 0;
}

/* ---- Listing --------------------------------------------------------- */

static unsigned char
dirent_type(const node *n)
{
	return n->type == S_IFDIR ? DT_DIR
	    : n->type == S_IFLNK  ? DT_LNK
	                          : DT_REG;
}

int
ws_vfs_mem_readdir(int fd, uint64_t cookie, ws_vfs_dirent *e)
{
	node *d = dir_of(fd), *n;

	if (d == NULL)
		return -1;
	if (cookie < 2) {
		n = cookie == 0 ? d : d->parent;
		e->name = cookie == 0 ? "." : "..";
	} else if (cookie - 2 < d->nents) {
		n = d->ents[cookie - 2].node;
		e->name = d->ents[cookie - 2].name;
	} else
		return 0;
	e->ino = n->ino;
	e->type = dirent_type(n);
	return 1;
}
