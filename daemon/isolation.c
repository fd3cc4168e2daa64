/* SPDX-License-Identifier: Apache-2.0 */
/*
 * isolation.c: what the supervisor does for its workers' isolation (the
 * workers confine themselves: worker/sandbox*.c).
 *
 * - The user: a wasmd started as root tells each worker to become
 *   --worker-user (default the "wasmd" user when it exists, else
 *   "nobody"), never root. An unprivileged wasmd's workers keep its uid.
 * - The environment: a worker gets this process's environment less what
 *   the service manager meant for wasmd alone. With NOTIFY_SOCKET a
 *   worker could send READY=1 or STOPPING=1 for the service; WATCHDOG_*
 *   and LISTEN_* name this process's pid and descriptors.
 * - The report: namespaces are optional (a kernel or a unit may refuse
 *   them), so what the first worker got is logged once, as seen from
 *   /proc: its uid, its capability sets, and which of its namespaces
 *   differ from the supervisor's. A warning when one could not be had.
 */
#include "sup.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* The worker user when --worker-user is not given, in order. */
static const char *const default_users[] = {"wasmd", "nobody"};

/* A name, or a decimal uid that need not be in the passwd database. */
static int
resolve_user(const char *name, uid_t *uid, gid_t *gid)
{
	const struct passwd *pw = getpwnam(name);
	char *end;
	unsigned long v;

	if (pw != NULL) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(name, &end, 10);
	if (name[0] < '0' || name[0] > '9' || *end != '\0' || errno != 0 ||
	    v >= (unsigned long)(uid_t)-1)
		return -1;
	pw = getpwuid((uid_t)v);
	*uid = (uid_t)v;
	*gid = pw != NULL ? pw->pw_gid : (gid_t)v;
	return 0;
}

int
sup_isolation_init(struct sup *sup, char *err, size_t errlen)
{
	const char *name = sup->cfg.worker_user;
	uid_t uid = 0;
	gid_t gid = 0;

	sup->worker_ids[0] = '\0';
	if (geteuid() != 0) {
		if (name != NULL)
			sup_log(SUP_NOTICE,
			    "event=worker_user user=%s outcome=ignored "
			    "reason=\"wasmd is not root: workers keep its "
			    "uid\"",
			    sup_log_word(name));
		return 0;
	}
	if (name != NULL && resolve_user(name, &uid, &gid) != 0) {
		snprintf(err, errlen, "--worker-user %s: no such user", name);
		return -1;
	}
	for (size_t i = 0; name == NULL && i < 2; i++)
		if (resolve_user(default_users[i], &uid, &gid) == 0)
			name = default_users[i];
	if (name == NULL) {
		snprintf(err, errlen,
		    "running as root and neither a wasmd nor a nobody user "
		    "exists: set --worker-user");
		return -1;
	}
	if (uid == 0 || gid == 0) {
		snprintf(err, errlen,
		    "--worker-user %s is uid %lu gid %lu: workers never run "
		    "as root",
		    name, (unsigned long)uid, (unsigned long)gid);
		return -1;
	}
	snprintf(sup->worker_ids, sizeof sup->worker_ids, "%lu:%lu",
	    (unsigned long)uid, (unsigned long)gid);
	sup_log(SUP_NOTICE, "event=worker_user user=%s uid=%lu gid=%lu",
	    sup_log_word(name), (unsigned long)uid, (unsigned long)gid);
	return 0;
}

void
sup_worker_argv(
    struct sup *sup, const char *cmd, char *mem, char *cache, char **argv)
{
	size_t n = 0;

	argv[n++] = sup->cfg.worker_path;
	argv[n++] = (char *)cmd;
	argv[n++] = "--fd";
	argv[n++] = "3";
	argv[n++] = "--memory-limit";
	argv[n++] = mem;
	argv[n++] = "--cache-bytes";
	argv[n++] = cache;
	if (sup->worker_ids[0] != '\0') {
		argv[n++] = "--user";
		argv[n++] = sup->worker_ids;
	}
	if (!sup->cfg.worker_namespaces) {
		argv[n++] = "--namespaces";
		argv[n++] = "no";
	}
	argv[n] = NULL;
}

/* Variables for wasmd alone, never a worker's. */
static bool
is_private(const char *var)
{
	static const char *const names[] = {"NOTIFY_SOCKET=", "WATCHDOG_PID=",
	    "WATCHDOG_USEC=", "LISTEN_FDS=", "LISTEN_PID=", "LISTEN_FDNAMES="};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strncmp(var, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

char **
sup_worker_environ(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = sup_xcalloc(n + 1, sizeof(*env));
	for (size_t i = 0; i < n; i++)
		if (!is_private(environ[i]))
			env[k++] = environ[i];
	return env;
}

/* "yes" when pid's namespace KIND differs from ours, "no", or "unknown". */
static const char *
own_namespace(pid_t pid, const char *kind)
{
	char path[64], mine[64], theirs[64];
	ssize_t a, b;

	snprintf(path, sizeof path, "/proc/self/ns/%s", kind);
	a = readlink(path, mine, sizeof mine);
	snprintf(path, sizeof path, "/proc/%ld/ns/%s", (long)pid, kind);
	b = readlink(path, theirs, sizeof theirs);
	if (a <= 0 || b <= 0)
		return "unknown";
	return a != b || memcmp(mine, theirs, (size_t)a) != 0 ? "yes" : "no";
}

/* The "Uid:", "CapEff:" and "CapBnd:" values of /proc/PID/status. */
static void
read_status(pid_t pid, char *uid, char *eff, char *bnd, size_t len)
{
	char path[64], line[256], *v;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	snprintf(uid, len, "unknown");
	snprintf(eff, len, "unknown");
	snprintf(bnd, len, "unknown");
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		char *dst = strncmp(line, "Uid:", 4) == 0 ? uid
		    : strncmp(line, "CapEff:", 7) == 0    ? eff
		    : strncmp(line, "CapBnd:", 7) == 0    ? bnd
		                                          : NULL;
		if (dst == NULL)
			continue;
		v = strchr(line, ':') + 1;
		v += strspn(v, " \t");
		snprintf(dst, len, "%.*s", (int)strcspn(v, " \t\n"), v);
	}
	fclose(f);
}

void
sup_isolation_report(struct sup *sup, pid_t pid)
{
	static const char *const kinds[] = {"user", "net", "ipc", "mnt"};
	const char *got[4];
	char uid[24], eff[24], bnd[24];
	bool all = true;

	if (sup->isolation_logged)
		return;
	sup->isolation_logged = true;
	read_status(pid, uid, eff, bnd, sizeof uid);
	for (size_t i = 0; i < 4; i++) {
		got[i] = own_namespace(pid, kinds[i]);
		all = all && strcmp(got[i], "yes") == 0;
	}
	sup_log(all || !sup->cfg.worker_namespaces ? SUP_NOTICE : SUP_WARNING,
	    "event=worker_isolation pid=%ld uid=%s cap_eff=%s cap_bnd=%s "
	    "user_ns=%s net_ns=%s ipc_ns=%s mnt_ns=%s%s",
	    (long)pid, uid, eff, bnd, got[0], got[1], got[2], got[3],
	    all || !sup->cfg.worker_namespaces
	        ? ""
	        : " reason=\"namespaces not permitted here (kernel or service "
	          "manager); seccomp, rlimits and the uid still confine\"");
}
