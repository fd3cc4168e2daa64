/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox.h: confinement of a wasmd-worker process.
 *
 * A worker confines itself before it reads a single byte from the
 * supervisor: it closes every descriptor but its socket, takes its own
 * namespaces, drops root and every capability (sandbox_user.c), asks to
 * die with its parent, becomes non-dumpable, lowers its rlimits, sets
 * no_new_privs and loads a seccomp allowlist whose default action kills
 * the process.
 * The generic steps live in sandbox.c; the system-call policy is chosen by
 * CMake (sandbox_seccomp.c on Linux) and lives in its own file.
 *
 * Included by the worker (worker/) and its unit tests only.
 */
#ifndef WASMD_WORKER_SANDBOX_H
#define WASMD_WORKER_SANDBOX_H

#include <linux/filter.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Address space allowed on top of the memory limit: the program, libc and
 * the other shared libraries (about 10 MiB mapped), the engine's value
 * stack (8 MiB by default), the main thread's stack, the job's frame and
 * the decoded and compiled module. A module of a few MiB fits; the
 * supervisor's --memory-limit should cover linear memory plus module bytes.
 */
#define WRK_SANDBOX_AS_OVERHEAD ((uint64_t)64 << 20)

/*
 * Descriptor limit: the socket plus a few spare slots, so that a module's
 * bytes may one day arrive as a memfd over the socket (SCM_RIGHTS). No
 * system call that opens a file is allowed anyway.
 */
#define WRK_SANDBOX_NOFILE 8

typedef struct wrk_sandbox_opts {
	int keep_fd;        /* the supervisor's socket; every other fd closes */
	uint64_t mem_limit; /* bytes of linear memory; 0 = no RLIMIT_AS */
	pid_t parent;       /* getppid() at start: the supervisor */
} wrk_sandbox_opts;

/*
 * Who a worker becomes (sandbox_user.c). Set once by main() from the
 * supervisor's options, before confinement; process-wide, inherited by a
 * zygote's children. Without a call: no uid change, namespaces tried.
 */
typedef struct wrk_identity {
	bool set_user;   /* when started as root, become uid/gid */
	uid_t uid;       /* never 0 */
	gid_t gid;       /* never 0 */
	bool namespaces; /* unshare user, net, ipc and mount namespaces */
} wrk_identity;

void wrk_sandbox_set_identity(const wrk_identity *id);

/*
 * The identity step of wrk_sandbox_enter() (sandbox_user.c): namespaces
 * where permitted, the uid/gid drop when root, every capability cleared,
 * the bounding set included. Does nothing in a process that applied it
 * already (a zygote's child). 0, or -1 with err.
 */
int wrk_identity_apply(char *err, size_t errlen);

/* Formats a confinement error into err (errlen bytes; NULL is fine). */
void wrk_sandbox_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The clone(2) flags of a zygote's fork (zygote.c) and the only ones its
 * policy lets it use: the child becomes the supervisor's child (so the
 * supervisor reaps it and classifies its death as any worker's) and
 * signals SIGCHLD when it exits.
 */
#define WRK_ZYGOTE_CLONE_FLAGS (CLONE_PARENT | SIGCHLD)

/*
 * Confines the calling process as described above, in that order. On
 * failure returns -1 with err (errlen bytes) saying which step failed; the
 * caller must then exit without serving: a half-confined worker is not
 * trusted with a job. The parent having died already is such a failure.
 */
int wrk_sandbox_enter(const wrk_sandbox_opts *opts, char *err, size_t errlen);

/*
 * The zygote's confinement (`wasmd-worker zygote`, zygote.c): the same
 * steps, except that RLIMIT_NPROC is left as it was (the zygote forks) and
 * the policy is wrk_policy_load_zygote()'s. A child it forks then calls
 * wrk_sandbox_enter() with the same keep_fd, exactly as an exec'd worker
 * does: the worker's filter stacks on the zygote's (the stricter action
 * wins) and the zygote's extra calls are gone again, RLIMIT_NPROC drops to
 * 0 and the parent-death signal, which fork clears, is armed again.
 */
int wrk_sandbox_enter_zygote(
    const wrk_sandbox_opts *opts, char *err, size_t errlen);

/*
 * The system-call policy: builds the allowlist for a process that talks
 * only over keep_fd and loads it. The last step of wrk_sandbox_enter();
 * exposed for the unit tests. Returns 0 or -1 with err. The program was
 * built at build time (sandbox_seccomp.c's rules, exported by
 * sandbox_seccomp_gen.c); sandbox_seccomp_load.c fills in keep_fd and the
 * caller's pid and loads it with seccomp(2).
 */
int wrk_policy_load(int keep_fd, char *err, size_t errlen);

/*
 * The zygote's policy: the worker's, plus what receiving descriptors,
 * forking with WRK_ZYGOTE_CLONE_FLAGS and a child's own confinement by
 * wrk_sandbox_enter() need (sandbox_seccomp.c lists each call). Its
 * socket rules are on keep_fd, which must also be the fd its children
 * keep. Returns 0 or -1 with err.
 */
int wrk_policy_load_zygote(int keep_fd, char *err, size_t errlen);

/*
 * The program wrk_policy_load() (zygote false) or wrk_policy_load_zygote()
 * would load for keep_fd in process self, written to out (cap
 * instructions). Returns its length, or 0 when it does not fit.
 */
size_t wrk_policy_program(
    int keep_fd, pid_t self, bool zygote, struct sock_filter *out, size_t cap);

/*
 * The same program made by libseccomp from the rules now
 * (sandbox_seccomp.c; links libseccomp: the build-time generator and the
 * tests only). own: *prog, freed with free(); *len instructions. Returns 0
 * or -1 with err.
 */
int wrk_policy_export(int keep_fd, pid_t self, bool zygote,
    struct sock_filter **prog, size_t *len, char *err, size_t errlen);

/*
 * True in sanitizer builds: ASan reserves terabytes of shadow address space
 * (so RLIMIT_AS cannot be applied) and reports errors on stderr (so fd 2
 * stays open and writable). See sandbox.c and sandbox_seccomp.c.
 */
#if defined(__SANITIZE_ADDRESS__)
#define WRK_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WRK_SANITIZED 1
#endif
#endif
#ifndef WRK_SANITIZED
#define WRK_SANITIZED 0
#endif

#endif /* WASMD_WORKER_SANDBOX_H */
