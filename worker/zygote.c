/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zygote.c: `wasmd-worker zygote`, a confined process that forks workers
 * for the supervisor (`wasmd --worker-spawn zygote`) instead of the
 * supervisor exec'ing each one: a fork skips exec, the dynamic loader and
 * most of the page faults a fresh worker pays.
 *
 * The zygote confines itself like a worker (wrk_sandbox_enter_zygote: the
 * worker's policy plus what forking needs), says it is ready, then serves
 * requests on its control socket (fd N, a SOCK_SEQPACKET socket):
 *
 *   request  u32 seq, with one descriptor (SCM_RIGHTS): a worker's socket
 *   reply    u32 seq, i32 pid (or -errno when the fork failed)
 *   ready    u32 WRK_ZYGOTE_READY, i32 the zygote's pid (sent once, first)
 *
 * Each child is forked with CLONE_PARENT, so it is the supervisor's child
 * (reaped and classified there like any worker, its parent-death signal
 * pointing at the supervisor). It moves its socket onto fd N, over the
 * control socket, and then runs exactly what an exec'd worker runs:
 * wrk_serve(N, ...), whose wrk_sandbox_enter() closes the other
 * descriptors, drops RLIMIT_NPROC to 0 and stacks the worker's seccomp
 * filter on the zygote's. The zygote never reads a job: it holds nothing
 * of a tenant's that a child could inherit.
 *
 * Included in wasmd-worker only; the message layout is repeated in the
 * supervisor (daemon/pool.c), which does not link the worker.
 */
#include "zygote.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sandbox.h"
#include "serve.h"

/* Exit statuses of the zygote. */
enum {
	ZYG_EXIT_OK = 0,  /* the supervisor closed the control socket */
	ZYG_EXIT_BAD = 1, /* confinement failed or a malformed request */
};

/* Sends the two words of a reply; false when the supervisor is gone. */
static bool
send_words(int fd, uint32_t a, int32_t b)
{
	uint32_t msg[2] = {a, (uint32_t)b};

	return send(fd, msg, sizeof msg, MSG_NOSIGNAL) == (ssize_t)sizeof msg;
}

/*
 * Reads one request: its sequence number and the one descriptor it
 * carries. 1 on success, 0 at EOF, -1 for anything malformed (any
 * descriptors that came with it are closed).
 */
static int
read_request(int ctl, uint32_t *seq, int *fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} u;
	struct iovec iov = {seq, sizeof *seq};
	struct msghdr mh = {0};
	struct cmsghdr *c;
	int nfds = 0;
	ssize_t n;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof u.buf;
	do
		n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	*fd = -1;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		size_t i, k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int got;

			memcpy(
			    &got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
			if (nfds++ == 0)
				*fd = got;
			else
				close(got);
		}
	}
	if (n != (ssize_t)sizeof *seq || nfds != 1 ||
	    (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
		if (*fd >= 0)
			close(*fd);
		return -1;
	}
	return 1;
}

/*
 * The forked child: its socket onto ctl (replacing the control socket, the
 * one descriptor number both policies allow), then a worker's life.
 */
static _Noreturn void
run_child(int ctl, int fd, uint64_t mem_limit, uint64_t cache_budget,
    pid_t supervisor)
{
	if (dup2(fd, ctl) != ctl)
		_exit(ZYG_EXIT_BAD);
	close(fd);
	_exit(wrk_serve(ctl, mem_limit, cache_budget, supervisor));
}

/*
 * fork() with WRK_ZYGOTE_CLONE_FLAGS. glibc's fork() cannot pass
 * CLONE_PARENT, so this is the raw system call (its stack argument NULL:
 * the child runs on a copy of this stack, as after fork()). The zygote has
 * one thread and holds no lock here, so the child's libc is consistent;
 * glibc (2.34 and later) asks the kernel for the thread id when it raises
 * a signal, so abort() in the child signals the child.
 */
static pid_t
fork_child(void)
{
	return (pid_t)syscall(SYS_clone, (unsigned long)WRK_ZYGOTE_CLONE_FLAGS,
	    NULL, NULL, NULL, NULL);
}

int
wrk_zygote(int ctl, uint64_t mem_limit, uint64_t cache_budget, pid_t supervisor)
{
	/* Its children's limit: they cannot raise what they inherit. */
	uint64_t as = mem_limit == 0 ? 0 : mem_limit + cache_budget;
	wrk_sandbox_opts opts = {ctl, as, supervisor};
	char err[256];

	if (wrk_sandbox_enter_zygote(&opts, err, sizeof err) < 0) {
		/* Nobody reads text here: the supervisor sees the socket
		 * close before the ready message and falls back to exec. */
		return ZYG_EXIT_BAD;
	}
	if (!send_words(ctl, WRK_ZYGOTE_READY, (int32_t)getpid()))
		return ZYG_EXIT_OK;
	for (;;) {
		uint32_t seq;
		int fd, rc = read_request(ctl, &seq, &fd);
		pid_t pid;

		if (rc == 0)
			return ZYG_EXIT_OK;
		if (rc < 0)
			return ZYG_EXIT_BAD;
		pid = fork_child();
		if (pid == 0)
			run_child(ctl, fd, mem_limit, cache_budget, supervisor);
		close(fd);
		if (!send_words(ctl, seq, pid > 0 ? (int32_t)pid : -errno))
			return ZYG_EXIT_OK;
	}
}
