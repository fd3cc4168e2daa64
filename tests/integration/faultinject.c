/* SPDX-License-Identifier: Apache-2.0 */
/*
 * faultinject.c: an LD_PRELOAD shim for the fault-injection scenarios
 * (fault_disk_full.sh, fault_spawn_fail.sh). It makes a running wasmd see
 * a full disk or a system that cannot start processes, without mounts or
 * privileges, and only while a control file exists, so a test turns the
 * fault on and off with touch and rm while the daemon keeps running.
 *
 * Environment (read once, when the library is loaded):
 *   FAULTINJECT_CONTROL  the control file; no fault while it is absent.
 *   FAULTINJECT_PROG     the program it acts in (default "wasmd"): the
 *                        daemon's workers inherit LD_PRELOAD, and must run
 *                        untouched (their seccomp filter would also kill
 *                        them for the checks below).
 *   FAULTINJECT_DIR      disk: writes, syncs, renames, links and size
 *                        changes of files under this directory fail with
 *                        ENOSPC ("No space left on device"). When the
 *                        control file is not empty, only paths containing
 *                        its first line (e.g. ".info" or "/names/") fail,
 *                        to hit a later step of a multi-file write.
 *   FAULTINJECT_SPAWN    set to 1: posix_spawn, posix_spawnp and fork fail
 *                        with EAGAIN ("Resource temporarily unavailable"),
 *                        as they do at RLIMIT_NPROC or the pid limit.
 *
 * Under AddressSanitizer the test preloads the ASan runtime first; ASan's
 * own interceptors then reach these functions as the "real" ones.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* Pointers to the next definitions (libc's, or ASan's), set at load. */
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_ftruncate)(int, off_t);
static int (*real_posix_fallocate)(int, off_t, off_t);
static int (*real_fallocate)(int, int, off_t, off_t);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_renameat2)(
    int, const char *, int, const char *, unsigned int);
static int (*real_link)(const char *, const char *);
static int (*real_linkat)(int, const char *, int, const char *, int);
static int (*real_posix_spawn)(pid_t *, const char *,
    const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
    char *const[], char *const[]);
static int (*real_posix_spawnp)(pid_t *, const char *,
    const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
    char *const[], char *const[]);
static pid_t (*real_fork)(void);

static bool active;         /* in the program named by FAULTINJECT_PROG */
static const char *control; /* borrowed from the environment */
static const char *dir;
static size_t dir_len;
static bool spawn_fault;

#define RESOLVE(name)                                                          \
	real_##name = (__typeof__(real_##name))dlsym(RTLD_NEXT, #name)

__attribute__((constructor)) static void
fi_init(void)
{
	const char *prog = getenv("FAULTINJECT_PROG");
	const char *spawn = getenv("FAULTINJECT_SPAWN");

	RESOLVE(write);
	RESOLVE(pwrite);
	RESOLVE(pwrite64);
	RESOLVE(writev);
	RESOLVE(fsync);
	RESOLVE(fdatasync);
	RESOLVE(ftruncate);
	RESOLVE(posix_fallocate);
	RESOLVE(fallocate);
	RESOLVE(rename);
	RESOLVE(renameat);
	RESOLVE(renameat2);
	RESOLVE(link);
	RESOLVE(linkat);
	RESOLVE(posix_spawn);
	RESOLVE(posix_spawnp);
	RESOLVE(fork);
	control = getenv("FAULTINJECT_CONTROL");
	dir = getenv("FAULTINJECT_DIR");
	dir_len = dir != NULL ? strlen(dir) : 0;
	spawn_fault = spawn != NULL && strcmp(spawn, "1") == 0;
	active = control != NULL &&
	    strcmp(program_invocation_short_name, prog ? prog : "wasmd") == 0;
}

static bool
fault_on(void)
{
	return active && access(control, F_OK) == 0;
}

/* The control file's first line into buf ("" when empty or unreadable). */
static void
read_match(char *buf, size_t size)
{
	int fd = open(control, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* Whether path (absolute or relative to the working directory) is ours. */
static bool
path_hit(const char *path)
{
	char abs[PATH_MAX], match[256];

	if (dir == NULL || path == NULL)
		return false;
	if (path[0] != '/') {
		if (getcwd(abs, sizeof(abs)) == NULL)
			return false;
		size_t n = strlen(abs);
		snprintf(abs + n, sizeof(abs) - n, "/%s", path);
		path = abs;
	}
	if (strncmp(path, dir, dir_len) != 0 ||
	    (path[dir_len] != '/' && path[dir_len] != '\0'))
		return false;
	read_match(match, sizeof(match));
	return strstr(path, match) != NULL;
}

/* Whether the file open on fd is one to fail, by its /proc link. */
static bool
fd_hit(int fd)
{
	char proc[64], path[PATH_MAX];
	ssize_t n;

	if (dir == NULL || !fault_on())
		return false;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, path, sizeof(path) - 1);
	if (n <= 0)
		return false;
	path[n] = '\0';
	return path_hit(path);
}

/* A path relative to dirfd, resolved enough to compare with dir. */
static bool
at_hit(int dirfd, const char *path)
{
	char proc[64], base[PATH_MAX], full[PATH_MAX * 2];
	ssize_t n;

	if (path == NULL || path[0] == '/' || dirfd == AT_FDCWD)
		return path_hit(path);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dirfd);
	n = readlink(proc, base, sizeof(base) - 1);
	if (n <= 0)
		return false;
	base[n] = '\0';
	snprintf(full, sizeof(full), "%s/%s", base, path);
	return path_hit(full);
}

static bool
paths_hit(int d1, const char *p1, int d2, const char *p2)
{
	return dir != NULL && fault_on() && (at_hit(d1, p1) || at_hit(d2, p2));
}

#define NOSPACE(ret)                                                           \
	do {                                                                   \
		errno = ENOSPC;                                                \
		return ret;                                                    \
	} while (0)

ssize_t
write(int fd, const void *buf, size_t len)
{
	if (fd_hit(fd))
		NOSPACE(-1);
	return real_write(fd, buf, len);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (fd_hit(fd))
		NOSPACE(-1);
	return real_pwrite(fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	if (fd_hit(fd))
		NOSPACE(-1);
	return real_pwrite64(fd, buf, len, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	if (fd_hit(fd))
		NOSPACE(-1);
	return real_writev(fd, iov, n);
}

int
fsync(int fd)
{
	if (fd_hit(fd))
		NOSPACE(-1);
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	if (fd_hit(fd))
		NOSPACE(-1);
	return real_fdatasync(fd);
}

int
ftruncate(int fd, off_t len)
{
	if (fd_hit(fd))
		NOSPACE(-1);
	return real_ftruncate(fd, len);
}

int
posix_fallocate(int fd, off_t off, off_t len)
{
	/* Returns the error instead of setting errno. */
	if (fd_hit(fd))
		return ENOSPC;
	return real_posix_fallocate(fd, off, len);
}

int
fallocate(int fd, int mode, off_t off, off_t len)
{
	if (fd_hit(fd))
		NOSPACE(-1);
	return real_fallocate(fd, mode, off, len);
}

int
rename(const char *from, const char *to)
{
	if (paths_hit(AT_FDCWD, from, AT_FDCWD, to))
		NOSPACE(-1);
	return real_rename(from, to);
}

int
renameat(int fd1, const char *from, int fd2, const char *to)
{
	if (paths_hit(fd1, from, fd2, to))
		NOSPACE(-1);
	return real_renameat(fd1, from, fd2, to);
}

int
renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
	if (paths_hit(fd1, from, fd2, to))
		NOSPACE(-1);
	return real_renameat2(fd1, from, fd2, to, flags);
}

int
link(const char *from, const char *to)
{
	if (paths_hit(AT_FDCWD, from, AT_FDCWD, to))
		NOSPACE(-1);
	return real_link(from, to);
}

int
linkat(int fd1, const char *from, int fd2, const char *to, int flags)
{
	if (paths_hit(fd1, from, fd2, to))
		NOSPACE(-1);
	return real_linkat(fd1, from, fd2, to, flags);
}

static bool
spawn_hit(void)
{
	return spawn_fault && fault_on();
}

int
posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	if (spawn_hit())
		return EAGAIN;
	return real_posix_spawn(pid, path, fa, attr, argv, envp);
}

int
posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	if (spawn_hit())
		return EAGAIN;
	return real_posix_spawnp(pid, file, fa, attr, argv, envp);
}

pid_t
fork(void)
{
	if (spawn_hit()) {
		errno = EAGAIN;
		return -1;
	}
	return real_fork();
}
