/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox_seccomp.c: the worker's system-call policy (sandbox.h), a
 * libseccomp allowlist whose default action kills the whole process with
 * SIGSYS. The supervisor reports such a death as a sandbox violation.
 *
 * A confined worker only reads frames from and writes frames to its socket,
 * manages its own memory and exits. Everything else (opening files,
 * sockets, processes, signals to others, executable memory) is refused by
 * killing the process. Each allowed call carries the reason it is needed.
 *
 * The design asks for the filter to be built once and loaded in each
 * worker. It is built here once, at build time: sandbox_seccomp_gen.c
 * exports the BPF program libseccomp makes of these rules into a header,
 * with the places where the socket's descriptor and the process's pid go,
 * and each worker (sandbox_seccomp_load.c) fills those in and loads the
 * program with seccomp(2). No worker runs libseccomp, or even maps it:
 * rebuilding the filter took about 120 µs of every worker start.
 *
 * A zygote (`wasmd --worker-spawn zygote`, zygote.c) loads the worker's
 * policy plus the calls forking and a child's confinement need. Each child
 * then loads the worker's policy itself (its tgkill rule names its own
 * pid): seccomp filters stack and the strictest answer wins, so the child
 * is left with exactly the worker's allowlist.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Argument comparisons, every field set (libseccomp's SCMP_A* macros leave
 * datum_b to the compiler, which clang's -Wextra reports).
 */
static struct scmp_arg_cmp
arg_eq(unsigned arg, scmp_datum_t value)
{
	struct scmp_arg_cmp c = {arg, SCMP_CMP_EQ, value, 0};

	return c;
}

/* True when (argument & mask) == value. */
static struct scmp_arg_cmp
arg_masked_eq(unsigned arg, scmp_datum_t mask, scmp_datum_t value)
{
	struct scmp_arg_cmp c = {arg, SCMP_CMP_MASKED_EQ, mask, value};

	return c;
}

/* The first failing rule, for the error message. */
typedef struct policy {
	scmp_filter_ctx ctx;
	int rc;
	const char *failed;
} policy;

static void
note(policy *p, int rc, const char *name)
{
	if (rc < 0 && p->rc == 0) {
		p->rc = rc;
		p->failed = name;
	}
}

/* Allows a call whatever its arguments. */
static void
allow(policy *p, int nr, const char *name)
{
	note(p, seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, nr, 0), name);
}

/* Allows a call whose first argument is the descriptor fd. */
static void
allow_on_fd(policy *p, int nr, const char *name, int fd)
{
	note(p,
	    seccomp_rule_add(
	        p->ctx, SCMP_ACT_ALLOW, nr, 1, arg_eq(0, (scmp_datum_t)fd)),
	    name);
}

/* Allows a call whose third argument (prot) does not ask for PROT_EXEC. */
static void
allow_without_exec(policy *p, int nr, const char *name)
{
	note(p,
	    seccomp_rule_add(
	        p->ctx, SCMP_ACT_ALLOW, nr, 1, arg_masked_eq(2, PROT_EXEC, 0)),
	    name);
}

#define ALLOW(p, sys) allow(p, SCMP_SYS(sys), #sys)
#define ALLOW_ON_FD(p, sys, fd) allow_on_fd(p, SCMP_SYS(sys), #sys, fd)
#define ALLOW_WITHOUT_EXEC(p, sys) allow_without_exec(p, SCMP_SYS(sys), #sys)

/* Allows madvise() with this one advice (its third argument). */
static void
allow_advice(policy *p, int advice, const char *name)
{
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(madvise), 1,
	        arg_eq(2, (scmp_datum_t)advice)),
	    name);
}

#define ALLOW_ADVICE(p, advice) allow_advice(p, advice, "madvise " #advice)

/* Talking to the supervisor: frames on the socket and nothing else. */
static void
add_socket_rules(policy *p, int fd)
{
	/* wp_read_envelope() reads frames with read(). */
	ALLOW_ON_FD(p, read, fd);
	/* wp_write_envelope() uses send(), which is sendto() on Linux. */
	ALLOW_ON_FD(p, sendto, fd);
	/* Its fallback for a descriptor that is not a socket. */
	ALLOW_ON_FD(p, write, fd);
	/*
	 * libc's last words (assert(), heap corruption) go to stderr just
	 * before abort(). Allowing them keeps such a bug a crash rather than
	 * a "sandbox violation"; fd 2 is closed in release builds, so the
	 * write fails harmlessly, and sanitizer builds keep it for reports.
	 */
	ALLOW_ON_FD(p, write, STDERR_FILENO);
	ALLOW_ON_FD(p, writev, STDERR_FILENO);
	/*
	 * A warm worker (serve.c) gets a module's bytes as a sealed memfd
	 * with a job's frame: recvmsg() with SCM_RIGHTS reads the frame's
	 * header, mmap() (add_memory_rules: never PROT_EXEC) maps the memfd
	 * read-only, close() (allowed there too) drops it once decoded.
	 */
	ALLOW_ON_FD(p, recvmsg, fd);
}

/* The heap and the engine's linear memories; never executable memory. */
static void
add_memory_rules(policy *p)
{
	/* malloc() grows the main heap with brk(). */
	ALLOW(p, brk);
	/* Large blocks and a heap that cannot grow by brk() use mmap(). */
	ALLOW_WITHOUT_EXEC(p, mmap);
	/* free() of large blocks; realloc() of them (memory.grow) moves. */
	ALLOW(p, munmap);
	ALLOW(p, mremap);
	/*
	 * Nothing calls mprotect() today (the tests pass without it); glibc's
	 * malloc uses it for the heaps of secondary arenas, and an engine
	 * that reserves memory as PROT_NONE would. Never with PROT_EXEC: no
	 * write-then-execute.
	 */
	ALLOW_WITHOUT_EXEC(p, mprotect);
	/* free() may hand pages back without unmapping them. */
	ALLOW_ADVICE(p, MADV_DONTNEED);
	ALLOW_ADVICE(p, MADV_FREE);
	/*
	 * Instance templates (engine/template.c): a module's memory image is
	 * a memfd, sized (after reading RLIMIT_FSIZE: getrlimit is prlimit64
	 * of this process with no new value), filled through a shared mapping
	 * (mmap above), sealed and closed with the template; instances map it
	 * privately. Without these the engine silently copies the image into
	 * every instance.
	 *
	 * A push's snapshot (serve.c: put_snapshot) goes into the memfd the
	 * supervisor passed with the push, through the same calls and no
	 * other: a shared mapping (mmap above, never PROT_EXEC), munmap, and
	 * ftruncate to shrink it to the snapshot's size (the supervisor sealed
	 * it against growing, so no RLIMIT_FSIZE check is needed).
	 */
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 2,
	        arg_eq(0, 0), arg_eq(2, 0)),
	    "prlimit64 (read)");
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(memfd_create), 1,
	        arg_eq(1, MFD_CLOEXEC | MFD_ALLOW_SEALING)),
	    "memfd_create");
	ALLOW(p, ftruncate);
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
	        arg_eq(1, F_ADD_SEALS)),
	    "fcntl F_ADD_SEALS");
	ALLOW(p, close);
}

/* Allows open() and openat() for reading only (sanitizer builds). */
static void
allow_read_only_opens(policy *p)
{
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
	        arg_masked_eq(2, O_ACCMODE, O_RDONLY)),
	    "openat");
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
	        arg_masked_eq(1, O_ACCMODE, O_RDONLY)),
	    "open");
}

/*
 * Sanitizer builds only, never in a release: what ASan and UBSan need to
 * run and, above all, to print a report and abort. Without these a memory
 * error in the worker would die as a "sandbox violation" with no report.
 * Files still open for reading only; nothing can be executed, no socket
 * made, no other process touched.
 */
static void
add_sanitizer_rules(policy *p)
{
	if (!WRK_SANITIZED)
		return;
	/* ASan's allocator and shadow: MADV_NOHUGEPAGE, MADV_DONTDUMP... */
	ALLOW(p, madvise);
	/* Its deadly-signal handling and abort() look at the signal stack. */
	ALLOW(p, sigaltstack);
	/* Its runtime's internal locks. */
	ALLOW(p, futex);
	ALLOW(p, sched_yield);
	/*
	 * A report names the modules in the stack trace and symbolizes them
	 * from the binary: /proc/self/exe, /proc/self/maps, /proc/self/cmdline
	 * are opened read-only, read, mapped (PROT_READ) and closed. The
	 * runtime dup()s descriptors that land on 0-2 and sets FD_CLOEXEC.
	 */
	ALLOW(p, readlink);
	allow_read_only_opens(p);
	ALLOW(p, read);
	ALLOW(p, close);
	ALLOW(p, dup);
	ALLOW(p, fcntl);
	ALLOW(p, fstat);
	ALLOW(p, newfstatat);
	ALLOW(p, lseek);
	/*
	 * UBSan checks that memory is readable by writing it into a pipe;
	 * confinement closed fds 0 and 1, so that is where the pipe lands.
	 */
	ALLOW(p, pipe2);
	ALLOW_ON_FD(p, write, 0);
	ALLOW_ON_FD(p, write, 1);
	/* isatty(2), to decide on colours. */
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
	        arg_eq(0, STDERR_FILENO), arg_eq(1, TCGETS)),
	    "ioctl");
}

/* Leaving, and dying with a signal that says why. */
static void
add_exit_rules(policy *p, pid_t self)
{
	/* exit() and _exit(). */
	ALLOW(p, exit_group);
	ALLOW(p, exit);
	/* A handler's return, should a synchronous signal ever be handled. */
	ALLOW(p, rt_sigreturn);
	/*
	 * abort() (a failed assertion, heap corruption): it unblocks SIGABRT,
	 * then raises it with tgkill(getpid(), gettid(), SIGABRT). Only that
	 * exact call is allowed: this process, its only thread, SIGABRT. The
	 * supervisor then reports a crash, not a sandbox violation.
	 */
	ALLOW(p, rt_sigprocmask);
	ALLOW(p, getpid);
	ALLOW(p, gettid);
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 3,
	        arg_eq(0, (scmp_datum_t)self), arg_eq(1, (scmp_datum_t)self),
	        arg_eq(2, (scmp_datum_t)SIGABRT)),
	    "tgkill");
}

/* Time and randomness, which need no file. */
static void
add_misc_rules(policy *p)
{
	/* elapsed_us; normally served by the vDSO, a syscall on some VMs. */
	ALLOW(p, clock_gettime);
	/* Randomness for the engine or libc without opening /dev/urandom. */
	ALLOW(p, getrandom);
	/* WASI clock_res_get (wasi/clock.c); a syscall for CPU-time clocks. */
	ALLOW(p, clock_getres);
	/*
	 * WASI poll_oneoff on a clock sleeps with nanosleep(), which glibc
	 * makes as clock_nanosleep(); a sleep is bounded by the supervisor's
	 * wall-clock deadline like any other guest time.
	 */
	ALLOW(p, nanosleep);
	ALLOW(p, clock_nanosleep);
	/*
	 * glibc 2.36's qsort() (msort.c) asks for the physical memory with
	 * sysinfo() once the array passes 1 KiB: the engine sorts a module's
	 * export names (43 or more exports). It only reads counters.
	 */
	ALLOW(p, sysinfo);
}

/*
 * The zygote's additions (zygote.c): receiving a job's socket, forking, and
 * what a child's wrk_sandbox_enter() calls before its worker filter stacks
 * on this one and takes all of them away again.
 */
static void
add_zygote_rules(policy *p, int fd)
{
	/* A request: one byte string and one descriptor (SCM_RIGHTS). */
	ALLOW_ON_FD(p, recvmsg, fd);
	/* The fork itself, with exactly these flags: no thread, no shared
	 * memory, no new namespace. */
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	        arg_eq(0, (scmp_datum_t)WRK_ZYGOTE_CLONE_FLAGS)),
	    "clone");
	/* The zygote closes its copy of each received socket; the child
	 * closes every other descriptor (close_range) after moving its
	 * socket onto fd (dup2 over the control socket). */
	ALLOW(p, close);
	ALLOW(p, close_range);
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(dup2), 1,
	        arg_eq(1, (scmp_datum_t)fd)),
	    "dup2");
	/* The child's confinement: die with the supervisor (fork clears the
	 * parent-death signal) and check it is still there, stay
	 * non-dumpable, no_new_privs, lower its own rlimits (RLIMIT_NPROC to
	 * 0) and load the worker's filter. */
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 2,
	        arg_eq(0, PR_SET_PDEATHSIG), arg_eq(1, SIGKILL)),
	    "prctl PR_SET_PDEATHSIG");
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 2,
	        arg_eq(0, PR_SET_DUMPABLE), arg_eq(1, 0)),
	    "prctl PR_SET_DUMPABLE");
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 2,
	        arg_eq(0, PR_SET_NO_NEW_PRIVS), arg_eq(1, 1)),
	    "prctl PR_SET_NO_NEW_PRIVS");
	ALLOW(p, getppid);
	/* setrlimit() is prlimit64(0, resource, new, NULL): this process. */
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 2,
	        arg_eq(0, 0), arg_eq(3, 0)),
	    "prlimit64");
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(seccomp), 1,
	        arg_eq(0, SECCOMP_SET_MODE_FILTER)),
	    "seccomp");
	/*
	 * abort() in a child raises SIGABRT with tgkill(its pid, its tid):
	 * add_exit_rules() allows only the zygote's own pid, so a child's
	 * assertion would die as a "sandbox violation". The child's worker
	 * filter narrows this to itself again.
	 */
	note(p,
	    seccomp_rule_add(p->ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	        arg_eq(2, (scmp_datum_t)SIGABRT)),
	    "tgkill");
}

/*
 * What a confined worker's code asks of the kernel, libc function by libc
 * function (glibc 2.36, x86-64; every function of `nm -D --undefined-only
 * wasmd-worker` that runs after confinement in the serve path: push and
 * validation, invoke, WASI programs, host calls, live instances). The
 * rules above allow exactly these; a sweep of the integration and WASI
 * daemon tests under `strace -f` saw nothing else after seccomp(2) (see
 * the ALLOW lines for why each is needed):
 *
 *   malloc calloc realloc free   brk, mmap, munmap, mremap; madvise
 *     strdup strndup asprintf    (DONTNEED/FREE) and mprotect only for
 *                                non-main arenas, never in this
 *                                single-threaded process
 *   qsort                        sysinfo (arrays over 1 KiB), malloc's
 *   read / send / write          read, sendto, write (the socket; write
 *                                on fd 2 for libc's last words)
 *   recvmsg                      recvmsg (zygote: its control socket)
 *   clock_gettime clock_getres   vDSO or clock_gettime, clock_getres
 *   nanosleep                    clock_nanosleep (WASI poll_oneoff)
 *   getrandom                    getrandom (WASI random_get, malloc's
 *                                tcache key on first use)
 *   getpid getppid               getpid (abort), getppid (confinement)
 *   abort                        rt_sigprocmask, getpid, gettid, tgkill
 *   _exit                        exit_group
 *   snprintf vsnprintf strerror  none (no locale is ever loaded: the C
 *     strtod strtof strtol       locale's messages and number formats
 *     strtoull strtok_r          are built in)
 *   mem* / str* / sqrt /         none
 *     nearbyint
 *
 * Called only before confinement (sandbox.c, main.c) or in `wasmd-worker
 * run`, which is never confined: prctl, setrlimit (prlimit64), unshare,
 * setgroups, setresuid, setresgid, capget, capset, close_range, opendir,
 * readdir, closedir, dirfd, open, openat, fopen, fread, fwrite, fclose,
 * fstat, fstatat, lseek, isatty, fdopendir, dup, dup2, seekdir, telldir,
 * rewinddir, fflush, fprintf, puts, getenv.
 */

/* Builds the worker's policy, plus the zygote's when zygote, in p->ctx. */
static void
build_policy(policy *p, int keep_fd, pid_t self, bool zygote)
{
	/*
	 * System calls of another ABI (i386 through int 0x80, x32) would
	 * bypass rules written for native numbers: they kill the process too
	 * (libseccomp's default for them kills only the thread).
	 */
	note(p,
	    seccomp_attr_set(
	        p->ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS),
	    "foreign ABI action");
	add_socket_rules(p, keep_fd);
	add_memory_rules(p);
	add_exit_rules(p, self);
	add_misc_rules(p);
	add_sanitizer_rules(p);
	if (zygote)
		add_zygote_rules(p, keep_fd);
}

/* The whole of fd (from its start), in a new buffer; NULL on failure. */
static uint8_t *
read_back(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	uint8_t *buf;

	if (end <= 0 || lseek(fd, 0, SEEK_SET) != 0)
		return NULL;
	buf = malloc((size_t)end);
	if (buf != NULL && read(fd, buf, (size_t)end) != (ssize_t)end) {
		free(buf);
		return NULL;
	}
	*len = (size_t)end;
	return buf;
}

int
wrk_policy_export(int keep_fd, pid_t self, bool zygote,
    struct sock_filter **prog, size_t *len, char *err, size_t errlen)
{
	policy p = {0};
	int fd = -1;
	uint8_t *bytes = NULL;
	size_t n = 0;

	p.ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (p.ctx == NULL) {
		set_err(err, errlen, "seccomp_init failed");
		return -1;
	}
	build_policy(&p, keep_fd, self, zygote);
	if (p.rc == 0) {
		fd = memfd_create("wasmd-policy", MFD_CLOEXEC);
		p.failed = "seccomp_export_bpf";
		p.rc = fd < 0 ? -errno : seccomp_export_bpf(p.ctx, fd);
	}
	if (p.rc == 0 && (bytes = read_back(fd, &n)) == NULL)
		p.rc = -EIO;
	if (fd >= 0)
		close(fd);
	seccomp_release(p.ctx);
	if (p.rc < 0) {
		set_err(err, errlen, "seccomp policy: %s: %s", p.failed,
		    strerror(-p.rc));
		return -1;
	}
	*prog = (struct sock_filter *)bytes;
	*len = n / sizeof **prog;
	return 0;
}
