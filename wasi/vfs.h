/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vfs.h: the file-system calls of wasi/, answered by the host or by an
 * in-memory tree (vfs.c). Every call takes and returns what its libc
 * namesake does (-1 with errno set on failure), so the WASI functions are
 * written once for both. A descriptor from ws_vfs_mem_root() or opened
 * beneath one is an in-memory one (numbered from WS_VFS_MEM_BASE, far
 * above any host fd); every other descriptor goes to the host unchanged.
 *
 * The in-memory tree is what a daemon worker offers a guest (bundles and
 * scratch, wasi/bundle.c): it lives in this process's heap, so it counts
 * against the worker's memory limit and vanishes with the context, and no
 * host path is ever named. Its descriptors are process-wide, as host fds
 * are; like the rest of libwasmd-wasi it is not thread-safe.
 *
 * Private to wasi/.
 */
#ifndef WS_VFS_H
#define WS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The first in-memory descriptor number. */
#define WS_VFS_MEM_BASE 0x40000000

/*
 * What an in-memory tree may hold: bytes of file contents, link targets,
 * names and nodes are charged to used, and past max (0: no bound) a call
 * that needs more fails with ENOSPC.
 */
typedef struct ws_vfs_account {
	uint64_t used, max;
} ws_vfs_account;

/*
 * A new, empty in-memory directory charged to acct (borrowed: it must
 * outlive every node of the tree): its descriptor (own), or -1.
 */
int ws_vfs_mem_root(ws_vfs_account *acct);

/* True when fd is an in-memory descriptor. */
bool ws_vfs_is_mem(int fd);

int ws_vfs_openat(int dirfd, const char *name, int flags, mode_t mode);
int ws_vfs_close(int fd);
int ws_vfs_dupfd(int fd); /* fcntl(fd, F_DUPFD_CLOEXEC, 0) */
int ws_vfs_getfl(int fd); /* fcntl(fd, F_GETFL) */
int ws_vfs_setfl(int fd, int flags);
int ws_vfs_fstat(int fd, struct stat *st);
int ws_vfs_fstatat(int dirfd, const char *name, struct stat *st, int flags);
ssize_t ws_vfs_read(int fd, void *buf, size_t len);
ssize_t ws_vfs_write(int fd, const void *buf, size_t len);
ssize_t ws_vfs_pread(int fd, void *buf, size_t len, off_t off);
ssize_t ws_vfs_pwrite(int fd, const void *buf, size_t len, off_t off);
off_t ws_vfs_lseek(int fd, off_t off, int whence);
ssize_t ws_vfs_readlinkat(int dirfd, const char *name, char *buf, size_t len);
int ws_vfs_mkdirat(int dirfd, const char *name, mode_t mode);
int ws_vfs_unlinkat(int dirfd, const char *name, int flags);
int ws_vfs_symlinkat(const char *target, int dirfd, const char *name);
int ws_vfs_renameat(int from_dir, const char *from, int to_dir, const char *to);
int ws_vfs_linkat(int from_dir, const char *from, int to_dir, const char *to);
int ws_vfs_utimensat(
    int dirfd, const char *name, const struct timespec ts[2], int flags);
int ws_vfs_futimens(int fd, const struct timespec ts[2]);
int ws_vfs_ftruncate(int fd, off_t size);
/* These two return 0 or a positive errno, as their posix_ namesakes. */
int ws_vfs_fallocate(int fd, off_t off, off_t len);
int ws_vfs_fadvise(int fd, off_t off, off_t len, int advice);
int ws_vfs_fsync(int fd, bool data_only);

/* One entry of an in-memory directory (ws_vfs_mem_readdir). */
typedef struct ws_vfs_dirent {
	const char *name; /* borrowed until the directory changes */
	uint64_t ino;
	unsigned char type; /* DT_REG, DT_DIR or DT_LNK */
} ws_vfs_dirent;

/*
 * Entry number cookie of in-memory directory fd ("." and ".." first):
 * 1 with *e filled, 0 past the last, -1 with errno set.
 */
int ws_vfs_mem_readdir(int fd, uint64_t cookie, ws_vfs_dirent *e);

#endif /* WS_VFS_H */
