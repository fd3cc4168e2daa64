/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unit_filter.c: wasmd-unit-filter LIST PROGRAM [ARGS...], a stand-in for
 * the seccomp filters systemd installs for wasmd.service, so the deploy
 * tests can run wasmd under them without a service manager.
 *
 * LIST names the system calls SystemCallFilter= allows (one per line, as
 * the test expands the unit's groups with systemd-analyze); every other
 * call fails with EPERM (SystemCallErrorNumber=EPERM). On top of that, as
 * MemoryDenyWriteExecute= and RestrictAddressFamilies=AF_UNIX do: no
 * mapping both writable and executable, no mprotect to executable, and
 * sockets of the Unix family only. The filter is loaded with no_new_privs
 * set, then PROGRAM is executed under it.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static int
allow_list(scmp_filter_ctx ctx, const char *path)
{
	char name[128];
	FILE *f = fopen(path, "r");
	int skip[4] = {SCMP_SYS(mmap), SCMP_SYS(mprotect), SCMP_SYS(socket),
	    SCMP_SYS(socketpair)};

	if (f == NULL)
		return -1;
	while (fscanf(f, "%127s", name) == 1) {
		int nr = seccomp_syscall_resolve_name(name);
		bool special = false;
		if (nr == __NR_SCMP_ERROR)
			continue; /* a name of another architecture */
		for (int i = 0; i < 4; i++)
			special |= nr == skip[i];
		if (!special &&
		    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) != 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* The conditional rules: MemoryDenyWriteExecute=, RestrictAddressFamilies=. */
static int
conditional(scmp_filter_ctx ctx)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	           SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) |
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	        SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE, 0)) |
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	        SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) |
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
	        SCMP_A0(SCMP_CMP_EQ, AF_UNIX)) |
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair), 1,
	        SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
}

int
main(int argc, char **argv)
{
	scmp_filter_ctx ctx;

	if (argc < 3) {
		fprintf(stderr,
		    "usage: wasmd-unit-filter LIST PROGRAM [ARGS...]\n");
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (ctx == NULL || allow_list(ctx, argv[1]) != 0 ||
	    conditional(ctx) != 0 || seccomp_load(ctx) != 0) {
		fprintf(stderr, "wasmd-unit-filter: cannot build the filter\n");
		return 1;
	}
	seccomp_release(ctx);
	execv(argv[2], argv + 2);
	fprintf(
	    stderr, "wasmd-unit-filter: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
