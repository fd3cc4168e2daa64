/* SPDX-License-Identifier: Apache-2.0 */
/*
 * front.c: the `wasmd` command, a front that links nothing but libc.
 *
 *   wasmd run ARGS...   execs wasmd-worker run ARGS... (the in-process
 *                       runner; it links the engine, never the daemon's
 *                       libraries)
 *   wasmd ARGS...       execs wasmd-supervisor ARGS... (the daemon)
 *
 * Both programs are found beside this one. The exec keeps the process id,
 * the environment and every open fd, so systemd's socket activation
 * (LISTEN_PID, LISTEN_FDS) and notification socket reach the supervisor as
 * if it had been started directly. Splitting the front from the
 * supervisor keeps `wasmd run` from paying for loading and relocating
 * libevent, libcrypto, libsystemd and their dependencies on every run.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Writes "DIR/prog" into buf, DIR being this program's directory; just
 * "prog" (looked up as a bare name by execv: the current directory) when
 * /proc is not mounted. Returns buf.
 */
static char *
beside_self(const char *prog, char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		snprintf(buf, len, "%s", prog);
		return buf;
	}
	self[n] = '\0';
	snprintf(buf, len, "%s/%s", dirname(self), prog);
	return buf;
}

int
main(int argc, char **argv)
{
	char path[PATH_MAX + 32];
	char *no_args[] = {path, NULL};
	bool run = argc > 1 && strcmp(argv[1], "run") == 0;

	beside_self(
	    run ? "wasmd-worker" : "wasmd-supervisor", path, sizeof path);
	/* The supervisor keeps argv[0] ("wasmd") for its messages; the
	 * worker's run mode is `wasmd-worker run ...`. */
	if (argc < 1)
		argv = no_args;
	else if (run)
		argv[0] = path;
	execv(path, argv);
	fprintf(stderr, "wasmd: cannot run %s: %s\n", path, strerror(errno));
	return 127;
}
