/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox_seccomp_gen.c: wasmd-seccomp-gen, run at build time. Writes the
 * header sandbox_seccomp_load.c includes: the BPF programs libseccomp
 * makes of the worker's and the zygote's rules (sandbox_seccomp.c), and
 * for each the instructions that hold the socket's descriptor and the
 * process's pid, which only a worker knows.
 *
 * Those places are found, not guessed: each program is exported three
 * times, for (fd A, pid A), (fd B, pid A) and (fd A, pid B). Every
 * instruction must be the same in all three except for its constant,
 * which is then exactly A in the first and B in the other: a descriptor
 * slot or a pid slot. Anything else (a program whose shape depends on the
 * values) fails the build rather than giving a worker a wrong filter.
 *
 * Usage: wasmd-seccomp-gen OUT.h
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"

/* Placeholders unlike any constant of the rules (and of each other). */
#define GEN_FD_A 1000001u
#define GEN_FD_B 1000002u
#define GEN_PID_A 3000001u
#define GEN_PID_B 3000002u

typedef struct slots {
	unsigned fd[64], nfd;
	unsigned pid[64], npid;
} slots;

static struct sock_filter *
export_or_die(unsigned fd, unsigned pid, bool zygote, size_t *len)
{
	struct sock_filter *prog;
	char err[256];

	if (wrk_policy_export((int)fd, (pid_t)pid, zygote, &prog, len, err,
	        sizeof err) != 0) {
		fprintf(stderr, "wasmd-seccomp-gen: %s\n", err);
		exit(1);
	}
	return prog;
}

static bool
same_but_k(const struct sock_filter *a, const struct sock_filter *b)
{
	return a->code == b->code && a->jt == b->jt && a->jf == b->jf;
}

/* Where a differs from b: a slot of value va / vb, or false. */
static bool
note_slot(const struct sock_filter *a, const struct sock_filter *b, unsigned va,
    unsigned vb, unsigned i, unsigned *slot, unsigned *n)
{
	if (!same_but_k(a, b) || a->k != va || b->k != vb || *n >= 64)
		return false;
	slot[(*n)++] = i;
	return true;
}

/* The slots of the three programs; exits when they do not line up. */
static void
find_slots(const struct sock_filter *base, const struct sock_filter *fd_b,
    const struct sock_filter *pid_b, size_t len, slots *s)
{
	for (unsigned i = 0; i < len; i++) {
		bool fd_same = memcmp(&base[i], &fd_b[i], sizeof *base) == 0;
		bool pid_same = memcmp(&base[i], &pid_b[i], sizeof *base) == 0;
		bool ok = true;

		if (!fd_same && !pid_same)
			ok = false;
		else if (!fd_same)
			ok = note_slot(&base[i], &fd_b[i], GEN_FD_A, GEN_FD_B,
			    i, s->fd, &s->nfd);
		else if (!pid_same)
			ok = note_slot(&base[i], &pid_b[i], GEN_PID_A,
			    GEN_PID_B, i, s->pid, &s->npid);
		if (!ok) {
			fprintf(stderr,
			    "wasmd-seccomp-gen: instruction %u depends on the "
			    "descriptor or pid in an unexpected way\n",
			    i);
			exit(1);
		}
	}
	/* The zygote's tgkill rule is for any pid: it has no pid slot. */
	if (s->nfd == 0) {
		fprintf(stderr,
		    "wasmd-seccomp-gen: no descriptor in the program\n");
		exit(1);
	}
}

static void
print_slots(FILE *out, const char *name, const char *what, const unsigned *slot,
    unsigned n)
{
	/* One element at least: C has no empty arrays. */
	fprintf(
	    out, "static const size_t wrk_bpf_%s_n%s = %u;\n", name, what, n);
	fprintf(out, "static const uint16_t wrk_bpf_%s_%s[] = {", name, what);
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%s%u", i ? ", " : "", slot[i]);
	fprintf(out, "%s};\n", n == 0 ? "0" : "");
}

/* Writes program `name` and its slots. */
static void
emit(FILE *out, const char *name, bool zygote)
{
	size_t len, len_fd, len_pid;
	struct sock_filter *base =
	    export_or_die(GEN_FD_A, GEN_PID_A, zygote, &len);
	struct sock_filter *fd_b =
	    export_or_die(GEN_FD_B, GEN_PID_A, zygote, &len_fd);
	struct sock_filter *pid_b =
	    export_or_die(GEN_FD_A, GEN_PID_B, zygote, &len_pid);
	slots s = {0};

	if (len != len_fd || len != len_pid || len > UINT16_MAX) {
		fprintf(stderr,
		    "wasmd-seccomp-gen: the %s program's length depends on "
		    "the descriptor or pid\n",
		    name);
		exit(1);
	}
	find_slots(base, fd_b, pid_b, len, &s);
	fprintf(
	    out, "static const struct sock_filter wrk_bpf_%s[] = {\n", name);
	for (size_t i = 0; i < len; i++)
		fprintf(out, "\t{0x%04x, %u, %u, 0x%08xu},\n", base[i].code,
		    base[i].jt, base[i].jf, base[i].k);
	fprintf(out, "};\n");
	print_slots(out, name, "fd", s.fd, s.nfd);
	print_slots(out, name, "pid", s.pid, s.npid);
	free(base);
	free(fd_b);
	free(pid_b);
}

int
main(int argc, char **argv)
{
	FILE *out;

	if (argc != 2) {
		fprintf(stderr, "usage: wasmd-seccomp-gen OUT.h\n");
		return 2;
	}
	out = fopen(argv[1], "w");
	if (out == NULL) {
		perror(argv[1]);
		return 1;
	}
	fprintf(out,
	    "/* Generated at build time by wasmd-seccomp-gen "
	    "(worker/sandbox_seccomp_gen.c)\n"
	    " * from the rules of worker/sandbox_seccomp.c: do not edit. */\n"
	    "#define WRK_BPF_FD_PLACEHOLDER %uu\n"
	    "#define WRK_BPF_PID_PLACEHOLDER %uu\n",
	    GEN_FD_A, GEN_PID_A);
	emit(out, "worker", false);
	emit(out, "zygote", true);
	if (fclose(out) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
