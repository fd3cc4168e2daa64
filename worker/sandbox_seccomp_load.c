/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox_seccomp_load.c: loads the worker's system-call policy
 * (sandbox.h: wrk_policy_load, wrk_policy_load_zygote) from the BPF
 * programs built once at build time from the rules of sandbox_seccomp.c
 * (sandbox_seccomp_gen.c wrote them into seccomp_bpf.h).
 *
 * A program names the worker's socket and its own pid (the one tgkill
 * abort() may make) as constants: they are written into the places the
 * generator found for them, then the program is loaded with seccomp(2),
 * the call a zygote's policy lets its children make. This is libseccomp's
 * own output for these values, without running libseccomp in every new
 * worker (worker_sandbox_test compares the two).
 */
#include "sandbox.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_bpf.h"

#define WRK_BPF_LEN(a) (sizeof(a) / sizeof *(a))
/* Room for either program. */
#define WRK_BPF_MAX (WRK_BPF_LEN(wrk_bpf_worker) + WRK_BPF_LEN(wrk_bpf_zygote))

static size_t
fill(const struct sock_filter *src, size_t len, const uint16_t *fd_slots,
    size_t nfd, const uint16_t *pid_slots, size_t npid, int keep_fd, pid_t self,
    struct sock_filter *out, size_t cap)
{
	if (len > cap)
		return 0;
	memcpy(out, src, len * sizeof *src);
	for (size_t i = 0; i < nfd; i++)
		out[fd_slots[i]].k = (uint32_t)keep_fd;
	for (size_t i = 0; i < npid; i++)
		out[pid_slots[i]].k = (uint32_t)self;
	return len;
}

#define FILL(name, fd, pid, out, cap)                                          \
	fill(wrk_bpf_##name, WRK_BPF_LEN(wrk_bpf_##name), wrk_bpf_##name##_fd, \
	    wrk_bpf_##name##_nfd, wrk_bpf_##name##_pid, wrk_bpf_##name##_npid, \
	    fd, pid, out, cap)

size_t
wrk_policy_program(
    int keep_fd, pid_t self, bool zygote, struct sock_filter *out, size_t cap)
{
	return zygote ? FILL(zygote, keep_fd, self, out, cap)
	              : FILL(worker, keep_fd, self, out, cap);
}

static int
load(int keep_fd, bool zygote, char *err, size_t errlen)
{
	struct sock_filter prog[WRK_BPF_MAX];
	struct sock_fprog fp;

	fp.len = (unsigned short)wrk_policy_program(
	    keep_fd, getpid(), zygote, prog, WRK_BPF_MAX);
	fp.filter = prog;
	if (fp.len == 0) {
		wrk_sandbox_err(
		    err, errlen, "seccomp policy: no room for the program");
		return -1;
	}
	/* no_new_privs is set already (sandbox.c), as seccomp(2) needs. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0u, &fp) != 0) {
		wrk_sandbox_err(err, errlen, "seccomp policy: seccomp: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
wrk_policy_load(int keep_fd, char *err, size_t errlen)
{
	return load(keep_fd, false, err, errlen);
}

int
wrk_policy_load_zygote(int keep_fd, char *err, size_t errlen)
{
	return load(keep_fd, true, err, errlen);
}
