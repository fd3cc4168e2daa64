/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox.c: the generic confinement steps of a worker (sandbox.h):
 * descriptors, identity (namespaces, uid, capabilities: sandbox_user.c),
 * parent death signal, dumpability, rlimits, no_new_privs, then the
 * system-call policy from the policy file CMake chose (sandbox_seccomp.c).
 *
 * A zygote (zygote.c) confines itself with the same steps but keeps its
 * RLIMIT_NPROC and loads a wider policy; the children it forks then go
 * through wrk_sandbox_enter() like any worker.
 *
 * Each step either succeeds or makes the whole confinement fail: a worker
 * that is only partly confined never serves a job; only the namespaces
 * are optional (sandbox_user.c says why).
 */
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

void
wrk_sandbox_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Whether fd must survive. Sanitizer builds keep stderr so that an ASan or
 * UBSan report can still be read; release builds keep only the socket.
 */
static int
fd_is_kept(int fd, int keep_fd)
{
	return fd == keep_fd || (WRK_SANITIZED && fd == STDERR_FILENO);
}

/* The slow path for kernels without close_range(2): list /proc/self/fd. */
static int
close_fds_by_listing(int keep_fd, char *err, size_t errlen)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int dfd;

	if (d == NULL) {
		wrk_sandbox_err(err, errlen, "cannot list /proc/self/fd: %s",
		    strerror(errno));
		return -1;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end != '\0' || end == de->d_name || fd == dfd)
			continue;
		if (!fd_is_kept((int)fd, keep_fd))
			close((int)fd);
	}
	closedir(d);
	return 0;
}

/* Closes [lo, hi] (inclusive); an empty range is fine. */
static int
close_span(unsigned lo, unsigned hi)
{
	if (lo > hi)
		return 0;
	return (int)syscall(SYS_close_range, lo, hi, 0u);
}

/*
 * Closes every descriptor but keep_fd (and stderr when sanitized): the gaps
 * between the kept descriptors, in ascending order.
 */
static int
close_other_fds(int keep_fd, char *err, size_t errlen)
{
	unsigned kept[2], next = 0;
	size_t n = 0, i;

	if (WRK_SANITIZED && STDERR_FILENO < keep_fd)
		kept[n++] = STDERR_FILENO;
	kept[n++] = (unsigned)keep_fd;
	if (WRK_SANITIZED && STDERR_FILENO > keep_fd)
		kept[n++] = STDERR_FILENO;
	for (i = 0; i <= n; i++) {
		unsigned hi = i < n ? kept[i] - (kept[i] > 0) : ~0u;

		if ((i == n || kept[i] > next) && close_span(next, hi) != 0) {
			if (errno == ENOSYS)
				return close_fds_by_listing(
				    keep_fd, err, errlen);
			wrk_sandbox_err(
			    err, errlen, "close_range: %s", strerror(errno));
			return -1;
		}
		if (i < n)
			next = kept[i] + 1;
	}
	return 0;
}

/* Dies with the supervisor; fails when it is already gone. */
static int
die_with_parent(pid_t parent, char *err, size_t errlen)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
		wrk_sandbox_err(
		    err, errlen, "PR_SET_PDEATHSIG: %s", strerror(errno));
		return -1;
	}
	/* The parent may have died before the signal was armed. */
	if (getppid() != parent) {
		wrk_sandbox_err(err, errlen, "the supervisor (pid %ld) is gone",
		    (long)parent);
		return -1;
	}
	return 0;
}

static int
set_limit(
    int resource, const char *name, uint64_t value, char *err, size_t errlen)
{
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = (rlim_t)value;
	if (setrlimit(resource, &rl) != 0) {
		wrk_sandbox_err(err, errlen, "setrlimit(%s, %llu): %s", name,
		    (unsigned long long)value, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Soft and hard limits alike, so that they cannot be raised again. Under
 * ASan the address-space limit is skipped: its shadow memory alone is far
 * larger than any limit, and every later mmap would fail.
 */
static int
lower_rlimits(
    const wrk_sandbox_opts *opts, bool may_fork, char *err, size_t errlen)
{
	uint64_t nofile = WRK_SANDBOX_NOFILE;

	if ((uint64_t)opts->keep_fd + 1 > nofile)
		nofile = (uint64_t)opts->keep_fd + 1;
	if (opts->mem_limit > 0 && !WRK_SANITIZED) {
		uint64_t as = opts->mem_limit + WRK_SANDBOX_AS_OVERHEAD;

		if (as < opts->mem_limit)
			as = UINT64_MAX; /* overflow: as good as unlimited */
		if (set_limit(RLIMIT_AS, "RLIMIT_AS", as, err, errlen) < 0)
			return -1;
	}
	/* A zygote keeps the supervisor's RLIMIT_NPROC: it counts every
	 * process of the user, not the zygote's children. Its children drop
	 * it to 0 when they confine themselves as workers. */
	if (!may_fork &&
	    set_limit(RLIMIT_NPROC, "RLIMIT_NPROC", 0, err, errlen) < 0)
		return -1;
	/* The worker opens no file: the only ones it writes are the engine's
	 * memory images (memfds, engine/template.c), memory bounded like the
	 * rest of it. Without a memory limit, none (the engine copies). */
	if (set_limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", nofile, err, errlen) <
	        0 ||
	    set_limit(RLIMIT_FSIZE, "RLIMIT_FSIZE", opts->mem_limit, err,
	        errlen) < 0 ||
	    set_limit(RLIMIT_CORE, "RLIMIT_CORE", 0, err, errlen) < 0)
		return -1;
	return 0;
}

/* Every step but the system-call policy, which the caller loads last. */
static int
confine_but_policy(
    const wrk_sandbox_opts *opts, bool may_fork, char *err, size_t errlen)
{
	if (opts->keep_fd < 0) {
		wrk_sandbox_err(err, errlen, "no socket to keep");
		return -1;
	}
	/* Identity first: a uid change clears the parent-death signal and
	 * dumpability, so both are set after it. */
	if (close_other_fds(opts->keep_fd, err, errlen) < 0 ||
	    wrk_identity_apply(err, errlen) < 0 ||
	    die_with_parent(opts->parent, err, errlen) < 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		wrk_sandbox_err(
		    err, errlen, "PR_SET_DUMPABLE: %s", strerror(errno));
		return -1;
	}
	if (lower_rlimits(opts, may_fork, err, errlen) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		wrk_sandbox_err(
		    err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
wrk_sandbox_enter(const wrk_sandbox_opts *opts, char *err, size_t errlen)
{
	if (confine_but_policy(opts, false, err, errlen) < 0)
		return -1;
	return wrk_policy_load(opts->keep_fd, err, errlen);
}

int
wrk_sandbox_enter_zygote(const wrk_sandbox_opts *opts, char *err, size_t errlen)
{
	if (confine_but_policy(opts, true, err, errlen) < 0)
		return -1;
	return wrk_policy_load_zygote(opts->keep_fd, err, errlen);
}
