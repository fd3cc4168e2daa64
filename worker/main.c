/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: wasmd-worker's command line.
 *
 *   wasmd-worker serve --fd N --memory-limit BYTES [--cache-bytes BYTES]
 *                      [--user UID:GID] [--namespaces yes|no]
 *       The supervisor's worker: confine, say hello on fd N, serve one
 *       tenant's jobs until the supervisor hangs up (serve.c). Started by
 *       `wasmd` with fork + exec, never by hand.
 *       --user: the uid and gid a worker started as root drops to;
 *       --namespaces no: do not unshare namespaces (sandbox_user.c).
 *   wasmd-worker zygote --fd N --memory-limit BYTES (the same options)
 *       `wasmd --worker-spawn zygote`: confine, then fork such workers on
 *       the supervisor's requests on fd N (zygote.c). Never by hand.
 *   wasmd-worker run [--invoke NAME] [-W OPTS] FILE [ARGS...]
 *       `wasmd run`'s local mode: the engine in-process, no sandbox, no
 *       daemon (local_run.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_run.h"
#include "sandbox.h"
#include "serve.h"
#include "zygote.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: wasmd-worker serve --fd N --memory-limit BYTES "
	    "[--cache-bytes BYTES]\n"
	    "                          [--user UID:GID] [--namespaces yes|no]\n"
	    "       wasmd-worker zygote (the same options)\n"
	    "       wasmd-worker run [--invoke NAME] [-W OPTIONS] FILE "
	    "[ARGS...]\n"
	    "\n"
	    "serve  serve jobs of one tenant from the wasmd supervisor on\n"
	    "       socket fd N, confined by seccomp, with an address-space\n"
	    "       limit of the memory limit (0: none) plus the module\n"
	    "       cache's budget (--cache-bytes, default 64 MiB) plus a\n"
	    "       fixed overhead; started by wasmd\n"
	    "zygote confined like serve, forks such workers for wasmd\n"
	    "       (--worker-spawn zygote) on requests on socket fd N\n"
	    "run    run a module in this process, without a sandbox (what\n"
	    "       `wasmd run` does); see `wasmd-worker run --help`\n");
}

/* A decimal number in [0, max]; false when s is not one. */
static bool
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* "UID:GID", both above 0 (a worker never runs as root). */
static bool
parse_user(const char *s, wrk_identity *id)
{
	uint64_t uid, gid;
	const char *colon = s != NULL ? strchr(s, ':') : NULL;
	char buf[32];

	if (colon == NULL || (size_t)(colon - s) >= sizeof buf)
		return false;
	memcpy(buf, s, (size_t)(colon - s));
	buf[colon - s] = '\0';
	if (!parse_u64(buf, UINT32_MAX - 1, &uid) ||
	    !parse_u64(colon + 1, UINT32_MAX - 1, &gid) || uid == 0 || gid == 0)
		return false;
	id->set_user = true;
	id->uid = (uid_t)uid;
	id->gid = (gid_t)gid;
	return true;
}

static bool
parse_yes_no(const char *s, bool *out)
{
	if (s != NULL && strcmp(s, "yes") == 0)
		*out = true;
	else if (s != NULL && strcmp(s, "no") == 0)
		*out = false;
	else
		return false;
	return true;
}

/*
 * The serve and zygote commands (argv[0] names which): their options,
 * then the job or the zygote's loop.
 */
static int
cmd_serve(int argc, char **argv, pid_t parent)
{
	bool zygote = strcmp(argv[0], "zygote") == 0;
	uint64_t fd = UINT64_MAX, limit = UINT64_MAX;
	wrk_identity id = {.namespaces = true};
	uint64_t cache = WRK_CACHE_DEFAULT_BYTES;
	int i;

	for (i = 1; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok;

		if (strcmp(argv[i], "--fd") == 0)
			ok = parse_u64(v, INT_MAX, &fd);
		else if (strcmp(argv[i], "--memory-limit") == 0)
			ok = parse_u64(v, UINT64_MAX - 1, &limit);
		else if (strcmp(argv[i], "--user") == 0)
			ok = parse_user(v, &id);
		else if (strcmp(argv[i], "--namespaces") == 0)
			ok = parse_yes_no(v, &id.namespaces);
		else if (strcmp(argv[i], "--cache-bytes") == 0)
			ok = parse_u64(v, UINT64_MAX - 1, &cache);
		else
			ok = false;
		if (!ok) {
			fprintf(stderr, "wasmd-worker %s: bad option %s%s%s\n",
			    argv[0], argv[i], v != NULL ? " " : "",
			    v != NULL ? v : "");
			usage(stderr);
			return 2;
		}
	}
	if (fd == UINT64_MAX || limit == UINT64_MAX) {
		fprintf(stderr,
		    "wasmd-worker %s: --fd and --memory-limit "
		    "are required\n",
		    argv[0]);
		usage(stderr);
		return 2;
	}
	wrk_sandbox_set_identity(&id);
	if (zygote)
		return wrk_zygote((int)fd, limit, cache, parent);
	return wrk_serve((int)fd, limit, cache, parent);
}

int
main(int argc, char **argv)
{
	/* Before anything else: the supervisor that started us. */
	pid_t parent = getppid();
	int status;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "run") == 0)
		return wrk_local_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "serve") != 0 && strcmp(argv[1], "zygote") != 0) {
		fprintf(
		    stderr, "wasmd-worker: unknown command \"%s\"\n", argv[1]);
		usage(stderr);
		return 2;
	}
	status = cmd_serve(argc - 1, argv + 1, parent);
	/*
	 * A confined worker leaves with _exit(): it has nothing to flush, and
	 * exit handlers may need system calls the policy refuses (LeakSanitizer's
	 * check at exit stops the world with ptrace).
	 */
	_exit(status);
}
