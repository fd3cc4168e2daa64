/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reload.c: a reload someone can wait on, both sides of it.
 *
 * SIGHUP carries no answer, so `systemctl reload` (ExecReload=/bin/kill)
 * used to return before the daemon had read the file, and an invalid file
 * was no error. Here the daemon records the outcome of every reload in a
 * status file beside its socket (SOCKET.reload, one line:
 * "pid=P started_us=T outcome=ok|failed [error=TEXT]"), written atomically,
 * and `wasmd --reload PID` (the unit's ExecReload=) first builds the
 * configuration from the daemon's own command line (/proc/PID/cmdline) as
 * the daemon will, refusing an invalid one as --check-config does, then
 * sends SIGHUP to PID and waits for a line from that pid about a reload that started
 * after the signal was sent (T is CLOCK_MONOTONIC, the same clock for every
 * process), then exits 0 for "ok" and 1 for "failed", printing the error.
 * Several signals that arrive together are one reload, which answers every
 * waiter: it started after each of them sent its signal. No new protocol,
 * and nothing needs to connect to the socket.
 */
#include "sup.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long `wasmd --reload` waits for the outcome. */
#define RELOAD_WAIT_MS 30000
#define RELOAD_POLL_MS 10

/* own: the status file's path for the daemon listening at socket_path. */
static char *
status_path(const char *socket_path)
{
	char *path;

	if (asprintf(&path, "%s.reload", socket_path) < 0)
		abort();
	return path;
}

unsigned long long
sup_monotonic_us(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long long)now.tv_sec * 1000000ull +
	    (unsigned long long)now.tv_nsec / 1000;
}

void
sup_reload_record(const struct sup *sup, unsigned long long started_us, bool ok,
    const char *error)
{
	char *path = status_path(sup->cfg.socket_path), *tmp;
	FILE *f;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		abort();
	f = fopen(tmp, "we");
	if (f != NULL) {
		fprintf(f, "pid=%ld started_us=%llu outcome=%s", (long)getpid(),
		    started_us, ok ? "ok" : "failed");
		if (!ok)
			fprintf(f, " error=%s", error[0] ? error : "-");
		fputc('\n', f);
	}
	if (f == NULL || fclose(f) != 0 || rename(tmp, path) != 0) {
		sup_log(SUP_WARNING,
		    "event=reload_status outcome=failed path=%s error=\"%s\"",
		    path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(path);
}

void
sup_reload_forget(const struct sup *sup)
{
	char *path = status_path(sup->cfg.socket_path);

	unlink(path);
	free(path);
}

/*
 * Reads the status file: 1 when it holds pid's outcome of a reload started
 * at or after since_us (*ok, error filled), else 0.
 */
static int
read_outcome(const char *path, pid_t pid, unsigned long long since_us, bool *ok,
    char *error, size_t errlen)
{
	char line[1024], outcome[16], *e;
	unsigned long long started;
	long p;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return 0;
	}
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	if (sscanf(line, "pid=%ld started_us=%llu outcome=%15s", &p, &started,
	        outcome) != 3 ||
	    p != (long)pid || started < since_us)
		return 0;
	*ok = strcmp(outcome, "ok") == 0;
	e = strstr(line, " error=");
	snprintf(error, errlen, "%s", e != NULL ? e + 7 : "");
	return 1;
}

/*
 * The daemon's argv from /proc/PID/cmdline. Returns argc, or -1. own:
 * *argv (one allocation with the strings after the pointers).
 */
static int
daemon_argv(long pid, char ***argv)
{
	char path[64], buf[65536], **v;
	size_t n, argc = 0, off = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	if (n == 0)
		return -1;
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		argc += buf[i] == '\0';
	argc += buf[n - 1] != '\0';
	v = malloc((argc + 1) * sizeof(char *) + n + 1);
	if (v == NULL)
		abort();
	memcpy(v + argc + 1, buf, n + 1);
	for (size_t i = 0; i < argc; i++) {
		v[i] = (char *)(v + argc + 1) + off;
		off += strlen(v[i]) + 1;
	}
	v[argc] = NULL;
	*argv = v;
	return (int)argc;
}

/* Polls the status file until pid reports a reload started since since. */
static int
wait_outcome(const char *path, long pid, unsigned long long since)
{
	char error[1024];
	bool ok = false;

	for (int waited = 0;; waited += RELOAD_POLL_MS) {
		if (read_outcome(
		        path, (pid_t)pid, since, &ok, error, sizeof(error))) {
			if (!ok)
				sup_log_error("reload failed: %s", error);
			return ok ? 0 : 1;
		}
		if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
			sup_log_error("the daemon (pid %ld) exited during "
			              "the reload",
			    pid);
			return 1;
		}
		if (waited >= RELOAD_WAIT_MS) {
			sup_log_error("no reload outcome from pid %ld in %s "
			              "after %d s",
			    pid, path, RELOAD_WAIT_MS / 1000);
			return 1;
		}
		usleep(RELOAD_POLL_MS * 1000);
	}
}

/* "wasmd --reload PID": argv[1] is "--reload". */
int
sup_reload_request(int argc, char **argv)
{
	struct sup_config cfg;
	char *end, *path, **dargv;
	unsigned long long since;
	long pid = 0;
	int dargc, rc;

	if (argc == 3)
		pid = strtol(argv[2], &end, 10);
	if (argc != 3 || pid <= 1 || *end != '\0') {
		sup_log_error("usage: wasmd --reload PID (the daemon's pid; "
		              "ExecReload=wasmd --reload $MAINPID)");
		return 2;
	}
	if ((dargc = daemon_argv(pid, &dargv)) < 0) {
		sup_log_error("cannot read the command line of pid %ld: %s",
		    pid, strerror(errno));
		return 1;
	}
	rc = sup_config_build(&cfg, dargc, dargv);
	free(dargv);
	if (rc != 0) {
		sup_log_error("reload refused: the configuration is invalid "
		              "(the running one is kept)");
		sup_conf_free(&cfg);
		return 1;
	}
	path = status_path(cfg.socket_path);
	since = sup_monotonic_us();
	if (kill((pid_t)pid, SIGHUP) != 0) {
		sup_log_error("cannot signal the daemon (pid %ld): %s", pid,
		    strerror(errno));
		rc = 1;
	} else
		rc = wait_outcome(path, pid, since);
	free(path);
	sup_conf_free(&cfg);
	return rc;
}
