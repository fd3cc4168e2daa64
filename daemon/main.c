/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: the wasmd program: flags, the process topology, the event loop.
 *
 * `wasmd [OPTIONS]` runs the supervisor. `wasmd run ...` is the in-process
 * runner: it execs `wasmd-worker run ...` found beside this binary, because
 * the supervisor never links the engine.
 *
 * The processes and who dispatches their messages (one place to read it):
 */
#include "sup.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct sup_proc {
	const char *name;     /* process */
	const char *started;  /* how it comes to be */
	const char *channel;  /* how it talks to the supervisor */
	const char *dispatch; /* the supervisor's handler of its messages */
} sup_procs[] = {
    {"wasmd", "by systemd or a user", "-", "main.c: the event loop"},
    {"client", "wasmctl / libwasmd-client", "Unix socket (-H)",
        "session.c: sup_dispatch_client()"},
    {"wasmd-worker", "posix_spawn by pool.c, jobs of one tenant",
        "socketpair on its fd 3", "pool.c: sup_dispatch_worker()"},
};

uint64_t
sup_elapsed_us(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - since->tv_sec) * 1000000u +
	    (uint64_t)((now.tv_nsec - since->tv_nsec) / 1000);
}

char *
sup_strdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

void *
sup_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		abort();
	return p;
}

/* The directory this binary lives in, for wasmd-worker beside it. */
static char *
worker_beside_self(void)
{
	char self[PATH_MAX], *path;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return sup_strdup("wasmd-worker");
	self[n] = '\0';
	if (asprintf(&path, "%s/wasmd-worker", dirname(self)) < 0)
		abort();
	return path;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: wasmd [OPTIONS]          run the supervisor\n"
	    "       wasmd run [--invoke NAME] [-W fuel=N,max-memory-size=B] "
	    "FILE [ARGS...]\n"
	    "                                run a module in-process (no "
	    "sandbox)\n"
	    "\n"
	    "  -H, --host unix://PATH     listen here (default $WASMD_HOST, "
	    "else\n"
	    "                             $XDG_RUNTIME_DIR/wasmd/wasmd.sock; "
	    "as root\n"
	    "                             /run/wasmd/wasmd.sock)\n"
	    "      --socket-mode MODE     socket file mode (default 0660)\n"
	    "      --state-dir DIR        module store (default "
	    "$XDG_STATE_HOME/wasmd\n"
	    "                             or ~/.local/state/wasmd; as root "
	    "/var/lib/wasmd)\n"
	    "      --pool N               idle unbound workers kept ready "
	    "(default 2)\n"
	    "Invocation limits (a request's 0 means the default; a request "
	    "above a\n"
	    "maximum is REFUSED with ERR_LIMIT, never silently clamped):\n"
	    "      --default-fuel N       (default 0: unmetered, or "
	    "--max-fuel if set)\n"
	    "      --max-fuel N           (default 0: no maximum)\n"
	    "      --default-memory SIZE  linear memory cap (default 64MiB)\n"
	    "      --max-memory SIZE      (default 1GiB)\n"
	    "      --default-timeout DUR  wall clock (default 10s)\n"
	    "      --max-timeout DUR      (default 60s; also bounds a push's "
	    "validation)\n"
	    "Quotas (beyond them: ERR_LIMIT naming the limit):\n"
	    "      --max-modules N        modules per tenant (default 1000)\n"
	    "      --max-module-bytes SIZE  module bytes per tenant (default "
	    "1GiB)\n"
	    "      --max-concurrent N     running jobs per tenant (default "
	    "16)\n"
	    "      --max-connections N    client connections (default 256)\n"
	    "      --max-frame SIZE       largest frame (default 256MiB)\n"
	    "Budgets (see wasmd(8) SECURITY):\n"
	    "      --memory-budget SIZE   all bytes clients make wasmd hold "
	    "(default\n"
	    "                             256MiB); past it, tenants above an "
	    "equal share\n"
	    "                             are not read until it frees\n"
	    "      --tenant-memory SIZE   one tenant's share (default 128MiB; "
	    "a "
	    "frame\n"
	    "                             needs twice its size of it)\n"
	    "      --max-tenant-connections N  per tenant (default 64)\n"
	    "      --max-instances N      live instances per tenant (default "
	    "4; each\n"
	    "                             also counts against "
	    "--max-concurrent)\n"
	    "      --max-names N          module names per tenant (default "
	    "1000)\n"
	    "      --max-module-info SIZE  a module's metadata (imports, "
	    "exports;\n"
	    "                             default 1MiB)\n"
	    "      --max-workers N        workers alive at once (default 8 per "
	    "CPU, at\n"
	    "                             least 16, at most one per 64MiB of "
	    "RAM; 0: no\n"
	    "                             cap); the last eighth go only to "
	    "tenants\n"
	    "                             holding no busy worker\n"
	    "      --tenant-worker-memory SIZE  memory limits of one tenant's "
	    "busy workers,\n"
	    "                             added up (default half the RAM, at "
	    "least\n"
	    "                             --max-memory)\n"
	    "      --cpu-fairness nice|none  a tenant running more jobs than "
	    "its share of\n"
	    "                             the CPUs has them run at a higher "
	    "nice level\n"
	    "                             (default nice)\n"
	    "      --max-output SIZE      a WASI guest's stdout+stderr per "
	    "invocation\n"
	    "                             (default 16MiB; also the maximum)\n"
	    "      --idle-timeout DUR     close connections idle this long "
	    "(default 5m;\n"
	    "                             0 never)\n"
	    "      --worker PATH          wasmd-worker binary (default: "
	    "beside wasmd)\n"
	    "      --worker-spawn exec|zygote  start each worker by exec "
	    "(default), or\n"
	    "                             fork it from one confined zygote "
	    "process\n"
	    "      --worker-user USER     run as root, workers become USER "
	    "(name or uid;\n"
	    "                             default: wasmd if it exists, else "
	    "nobody)\n"
	    "      --worker-namespaces yes|no  workers unshare user, net, "
	    "ipc and\n"
	    "                             mount namespaces where permitted "
	    "(default yes)\n"
	    "      --worker-max-invokes N  jobs a tenant's worker serves "
	    "before it is\n"
	    "                             recycled (default 1000; 1: a "
	    "process per job)\n"
	    "      --worker-idle-timeout DUR  recycle a tenant's worker idle "
	    "this long\n"
	    "                             (default 60s; 0 never)\n"
	    "      --worker-cache SIZE    each worker's cache of compiled "
	    "modules\n"
	    "                             (default 64MiB)\n"
	    "Operations (see wasmd(8), wasmd.conf(5)):\n"
	    "  -c, --config FILE          read FILE and FILE.d/*.conf "
	    "(default\n"
	    "                             SYSCONFDIR/wasmd/wasmd.conf); flags "
	    "win\n"
	    "      --check-config         validate the configuration and exit "
	    "0 or 1\n"
	    "      --reload PID           (alone) make the daemon PID reload "
	    "and wait:\n"
	    "                             exit 0 when it applied the "
	    "configuration, 1 if not\n"
	    "      --drain-grace DUR      SIGTERM lets calls in flight finish "
	    "this long\n"
	    "                             (default 30s)\n"
	    "      --metrics-file PATH    write Prometheus metrics here "
	    "atomically\n"
	    "      --metrics-interval DUR  every DUR (default 15s)\n"
	    "      --log-level LEVEL      err, warning, notice, info (default) "
	    "or debug\n"
	    "                             (debug: each job's worker, the "
	    "topology)\n"
	    "  -h, --help, -V, --version\n"
	    "SIZE: bytes, or with K/M/G (KiB/MiB/GiB) suffixes. DUR: 500ms, "
	    "2s, 5m, 1h\n"
	    "(a bare number is seconds).\n");
}

/* Parses "64MiB", "1G", "4096". Returns 0 or -1. */
static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || s[0] == '-')
		return -1;
	if (strcasecmp(end, "k") == 0 || strcasecmp(end, "kib") == 0)
		mul = 1ull << 10;
	else if (strcasecmp(end, "m") == 0 || strcasecmp(end, "mib") == 0)
		mul = 1ull << 20;
	else if (strcasecmp(end, "g") == 0 || strcasecmp(end, "gib") == 0)
		mul = 1ull << 30;
	else if (*end != '\0' && strcasecmp(end, "b") != 0)
		return -1;
	if (mul != 1 && v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

/* Parses "500ms", "2s", "5m", "1h", "10" (seconds) into milliseconds. */
static int
parse_duration(const char *s, uint32_t *ms)
{
	char *end;
	unsigned long long v;
	uint64_t mul;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || s[0] == '-')
		return -1;
	if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mul = 1000;
	else if (strcmp(end, "m") == 0)
		mul = 60000;
	else if (strcmp(end, "h") == 0)
		mul = 3600000;
	else
		return -1;
	if (v > UINT32_MAX / mul)
		return -1;
	*ms = (uint32_t)(v * mul);
	return 0;
}

static int
parse_uint(const char *s, uint64_t *out)
{
	return parse_size(s, out); /* suffixes are harmless for counts */
}

/*
 * The user's home for the default state directory: $HOME, else the
 * password database's, when absolute. Never the current directory: a
 * module store must not land wherever the daemon happened to start.
 * Borrowed (the environment or getpwuid's static entry), or NULL.
 */
static const char *
home_dir(void)
{
	const char *home = getenv("HOME");
	const struct passwd *pw;

	if (home != NULL && home[0] == '/')
		return home;
	pw = getpwuid(geteuid());
	return pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/'
	    ? pw->pw_dir
	    : NULL;
}

static uint64_t
physical_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size
	                             : 4ull << 30;
}

/*
 * --max-workers by default: 8 per CPU, at least 16, and no more than one
 * per 64 MiB of RAM (a worker at the default limits may use about that).
 */
static unsigned
default_max_workers(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t n = cpus > 0 ? 8 * (uint64_t)cpus : 16;
	uint64_t by_memory = physical_memory() / (64ull << 20);

	if (n < 16)
		n = 16;
	if (n > by_memory)
		n = by_memory > 1 ? by_memory : 1;
	return (unsigned)n;
}

static void
config_defaults(struct sup_config *c)
{
	const char *host = getenv("WASMD_HOST"), *xdg, *home;
	bool root = geteuid() == 0;

	memset(c, 0, sizeof(*c));
	if (host != NULL && strncmp(host, "unix://", 7) == 0)
		c->socket_path = sup_strdup(host + 7);
	else if ((xdg = getenv("RUNTIME_DIRECTORY")) != NULL) {
		/* systemd's RuntimeDirectory= (a service without its socket unit) */
		if (asprintf(&c->socket_path, "%s/wasmd.sock", xdg) < 0)
			abort();
	} else if (!root && (xdg = getenv("XDG_RUNTIME_DIR")) != NULL) {
		if (asprintf(&c->socket_path, "%s/wasmd/wasmd.sock", xdg) < 0)
			abort();
	} else
		c->socket_path = sup_strdup("/run/wasmd/wasmd.sock");
	if ((xdg = getenv("STATE_DIRECTORY")) != NULL) /* StateDirectory= */
		c->state_dir = sup_strdup(xdg);
	else if (root)
		c->state_dir = sup_strdup("/var/lib/wasmd");
	else if ((xdg = getenv("XDG_STATE_HOME")) != NULL && xdg[0] == '/') {
		if (asprintf(&c->state_dir, "%s/wasmd", xdg) < 0)
			abort();
	} else if ((home = home_dir()) != NULL) {
		if (asprintf(&c->state_dir, "%s/.local/state/wasmd", home) < 0)
			abort();
	} /* else none: sup_config_build() asks for --state-dir */
	c->socket_mode = 0660;
	c->pool_size = 2;
	c->default_memory = 64ull << 20;
	c->max_memory = 1ull << 30;
	c->default_timeout_ms = 10000;
	c->max_timeout_ms = 60000;
	c->max_modules = 1000;
	c->max_module_bytes = 1ull << 30;
	c->max_concurrent = 16;
	c->max_connections = 256;
	c->max_frame = WP_FRAME_MAX_DEFAULT;
	c->max_output = 16ull << 20;
	c->idle_timeout_ms = 300000;
	c->drain_grace_ms = 30000;
	c->log_level = SUP_INFO;
	c->metrics_interval_ms = 15000;
	c->worker_namespaces = true;
	/* Budgets (wasmd(8) SECURITY: what these bound together). */
	c->memory_budget = 256ull << 20;
	c->tenant_memory = 128ull << 20;
	c->max_tenant_connections = 64;
	c->max_instances = 4;
	c->max_names = 1000;
	c->max_module_info = 1ull << 20;
	c->worker_max_invokes = 1000;
	c->worker_idle_timeout_ms = 60000;
	c->worker_cache_bytes = 64ull << 20;
	/* Fair shares (sched.c); 0: half the RAM, resolved by check_config. */
	c->max_workers = default_max_workers();
	c->tenant_worker_memory = 0;
	c->cpu_fairness = SUP_CPU_NICE;
}

enum {
	OPT_SOCKET_MODE = 256,
	OPT_STATE_DIR,
	OPT_POOL,
	OPT_DEFAULT_FUEL,
	OPT_MAX_FUEL,
	OPT_DEFAULT_MEMORY,
	OPT_MAX_MEMORY,
	OPT_DEFAULT_TIMEOUT,
	OPT_MAX_TIMEOUT,
	OPT_MAX_MODULES,
	OPT_MAX_MODULE_BYTES,
	OPT_MAX_CONCURRENT,
	OPT_MAX_CONNECTIONS,
	OPT_MAX_FRAME,
	OPT_MAX_OUTPUT,
	OPT_IDLE_TIMEOUT,
	OPT_WORKER,
	OPT_WORKER_SPAWN,
	OPT_WORKER_USER,
	OPT_WORKER_NAMESPACES,
	OPT_CHECK_CONFIG,
	OPT_DRAIN_GRACE,
	OPT_METRICS_FILE,
	OPT_METRICS_INTERVAL,
	OPT_MEMORY_BUDGET,
	OPT_TENANT_MEMORY,
	OPT_MAX_TENANT_CONNECTIONS,
	OPT_MAX_INSTANCES,
	OPT_MAX_NAMES,
	OPT_MAX_MODULE_INFO,
	OPT_WORKER_MAX_INVOKES,
	OPT_WORKER_IDLE_TIMEOUT,
	OPT_WORKER_CACHE,
	OPT_LOG_LEVEL,
	OPT_MAX_WORKERS,
	OPT_TENANT_WORKER_MEMORY,
	OPT_CPU_FAIRNESS,
};

static const struct option long_options[] = {
    {"host", required_argument, NULL, 'H'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"socket-mode", required_argument, NULL, OPT_SOCKET_MODE},
    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
    {"pool", required_argument, NULL, OPT_POOL},
    {"default-fuel", required_argument, NULL, OPT_DEFAULT_FUEL},
    {"max-fuel", required_argument, NULL, OPT_MAX_FUEL},
    {"default-memory", required_argument, NULL, OPT_DEFAULT_MEMORY},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"default-timeout", required_argument, NULL, OPT_DEFAULT_TIMEOUT},
    {"max-timeout", required_argument, NULL, OPT_MAX_TIMEOUT},
    {"max-modules", required_argument, NULL, OPT_MAX_MODULES},
    {"max-module-bytes", required_argument, NULL, OPT_MAX_MODULE_BYTES},
    {"max-concurrent", required_argument, NULL, OPT_MAX_CONCURRENT},
    {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
    {"max-frame", required_argument, NULL, OPT_MAX_FRAME},
    {"max-output", required_argument, NULL, OPT_MAX_OUTPUT},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"worker", required_argument, NULL, OPT_WORKER},
    {"worker-spawn", required_argument, NULL, OPT_WORKER_SPAWN},
    {"worker-user", required_argument, NULL, OPT_WORKER_USER},
    {"worker-namespaces", required_argument, NULL, OPT_WORKER_NAMESPACES},
    {"config", required_argument, NULL, 'c'},
    {"check-config", no_argument, NULL, OPT_CHECK_CONFIG},
    {"drain-grace", required_argument, NULL, OPT_DRAIN_GRACE},
    {"metrics-file", required_argument, NULL, OPT_METRICS_FILE},
    {"metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL},
    {"memory-budget", required_argument, NULL, OPT_MEMORY_BUDGET},
    {"tenant-memory", required_argument, NULL, OPT_TENANT_MEMORY},
    {"max-tenant-connections", required_argument, NULL,
        OPT_MAX_TENANT_CONNECTIONS},
    {"max-instances", required_argument, NULL, OPT_MAX_INSTANCES},
    {"max-names", required_argument, NULL, OPT_MAX_NAMES},
    {"max-module-info", required_argument, NULL, OPT_MAX_MODULE_INFO},
    {"worker-max-invokes", required_argument, NULL, OPT_WORKER_MAX_INVOKES},
    {"worker-idle-timeout", required_argument, NULL, OPT_WORKER_IDLE_TIMEOUT},
    {"worker-cache", required_argument, NULL, OPT_WORKER_CACHE},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"max-workers", required_argument, NULL, OPT_MAX_WORKERS},
    {"tenant-worker-memory", required_argument, NULL, OPT_TENANT_WORKER_MEMORY},
    {"cpu-fairness", required_argument, NULL, OPT_CPU_FAIRNESS},
    {NULL, 0, NULL, 0},
};

/* Set while config.c applies a file's values: it reports them itself. */
static bool quiet_values;

static int
bad_value(const char *opt, const char *arg)
{
	if (!quiet_values)
		sup_log_error("invalid value \"%s\" for --%s", arg, opt);
	return -1;
}

/* One option; returns 0, or -1 after printing why. */
static int
apply_option(struct sup_config *c, int opt, const char *arg, const char *name)
{
	uint64_t v = 0;
	char *end;

	switch (opt) {
	case 'H':
		if (strncmp(arg, "unix://", 7) != 0 || arg[7] == '\0')
			return bad_value(name, arg);
		free(c->socket_path);
		c->socket_path = sup_strdup(arg + 7);
		return 0;
	case OPT_SOCKET_MODE:
		v = strtoul(arg, &end, 8);
		if (*end != '\0' || end == arg || v > 0777)
			return bad_value(name, arg);
		c->socket_mode = (mode_t)v;
		return 0;
	case OPT_STATE_DIR:
		free(c->state_dir);
		c->state_dir = sup_strdup(arg);
		return 0;
	case OPT_WORKER:
		free(c->worker_path);
		c->worker_path = sup_strdup(arg);
		return 0;
	case OPT_WORKER_SPAWN:
		if (strcmp(arg, "exec") == 0)
			c->worker_spawn = SUP_SPAWN_EXEC;
		else if (strcmp(arg, "zygote") == 0)
			c->worker_spawn = SUP_SPAWN_ZYGOTE;
		else
			return bad_value(name, arg);
		return 0;
	case OPT_WORKER_USER:
		free(c->worker_user);
		c->worker_user = arg[0] ? sup_strdup(arg) : NULL;
		return 0;
	case OPT_CPU_FAIRNESS:
		if (strcmp(arg, "nice") == 0)
			c->cpu_fairness = SUP_CPU_NICE;
		else if (strcmp(arg, "none") == 0)
			c->cpu_fairness = SUP_CPU_NONE;
		else
			return bad_value(name, arg);
		return 0;
	case OPT_WORKER_NAMESPACES:
		if (strcmp(arg, "yes") == 0)
			c->worker_namespaces = true;
		else if (strcmp(arg, "no") == 0)
			c->worker_namespaces = false;
		else
			return bad_value(name, arg);
		return 0;
	case 'c':
	case OPT_CHECK_CONFIG: return 0; /* config.c: found before getopt */
	case OPT_METRICS_FILE:
		free(c->metrics_file);
		c->metrics_file = arg[0] ? sup_strdup(arg) : NULL;
		return 0;
	case OPT_LOG_LEVEL:
		if ((c->log_level = sup_log_level_parse(arg)) < 0)
			return bad_value(name, arg);
		return 0;
	case OPT_DRAIN_GRACE:
		return parse_duration(arg, &c->drain_grace_ms)
		    ? bad_value(name, arg)
		    : 0;
	case OPT_METRICS_INTERVAL:
		return parse_duration(arg, &c->metrics_interval_ms) ||
		        c->metrics_interval_ms == 0
		    ? bad_value(name, arg)
		    : 0;
	case OPT_DEFAULT_TIMEOUT:
		return parse_duration(arg, &c->default_timeout_ms)
		    ? bad_value(name, arg)
		    : 0;
	case OPT_MAX_TIMEOUT:
		return parse_duration(arg, &c->max_timeout_ms)
		    ? bad_value(name, arg)
		    : 0;
	case OPT_IDLE_TIMEOUT:
		return parse_duration(arg, &c->idle_timeout_ms)
		    ? bad_value(name, arg)
		    : 0;
	case OPT_WORKER_IDLE_TIMEOUT:
		return parse_duration(arg, &c->worker_idle_timeout_ms)
		    ? bad_value(name, arg)
		    : 0;
	}
	if (parse_uint(arg, &v) != 0)
		return bad_value(name, arg);
	switch (opt) {
	case OPT_POOL: c->pool_size = (unsigned)v; break;
	case OPT_DEFAULT_FUEL: c->default_fuel = v; break;
	case OPT_MAX_FUEL: c->max_fuel = v; break;
	case OPT_DEFAULT_MEMORY: c->default_memory = v; break;
	case OPT_MAX_MEMORY: c->max_memory = v; break;
	case OPT_MAX_MODULES: c->max_modules = v; break;
	case OPT_MAX_MODULE_BYTES: c->max_module_bytes = v; break;
	case OPT_MAX_CONCURRENT: c->max_concurrent = (unsigned)v; break;
	case OPT_MAX_CONNECTIONS: c->max_connections = (unsigned)v; break;
	case OPT_MAX_OUTPUT:
		if (v == 0)
			return bad_value(name, arg);
		c->max_output = v;
		break;
	case OPT_MAX_FRAME:
		if (v < 64 || v > UINT32_MAX)
			return bad_value(name, arg);
		c->max_frame = (size_t)v;
		break;
	case OPT_MEMORY_BUDGET: c->memory_budget = v; break;
	case OPT_TENANT_MEMORY: c->tenant_memory = v; break;
	case OPT_MAX_TENANT_CONNECTIONS:
		c->max_tenant_connections = (unsigned)v;
		break;
	case OPT_MAX_INSTANCES: c->max_instances = (unsigned)v; break;
	case OPT_MAX_NAMES: c->max_names = v; break;
	case OPT_MAX_MODULE_INFO: c->max_module_info = v; break;
	case OPT_WORKER_MAX_INVOKES:
		if (v == 0 || v > UINT32_MAX)
			return bad_value(name, arg);
		c->worker_max_invokes = (unsigned)v;
		break;
	case OPT_WORKER_CACHE: c->worker_cache_bytes = v; break;
	case OPT_MAX_WORKERS:
		if (v > UINT32_MAX)
			return bad_value(name, arg);
		c->max_workers = (unsigned)v;
		break;
	case OPT_TENANT_WORKER_MEMORY:
		if (v == 0)
			return bad_value(name, arg);
		c->tenant_worker_memory = v;
		break;
	}
	return 0;
}

/* Defaults must fit under the maxima, or every plain request would fail. */
static int
check_config(struct sup_config *c)
{
	/* Half the RAM unless set, and room for a job of the largest limit
	 * (a push runs with it). */
	if (c->tenant_worker_memory == 0) {
		c->tenant_worker_memory = physical_memory() / 2;
		if (c->tenant_worker_memory < c->max_memory)
			c->tenant_worker_memory = c->max_memory;
	}
	if (c->tenant_worker_memory < c->max_memory) {
		sup_log_error("--tenant-worker-memory is below --max-memory: "
		              "a job of the largest limit could never run");
		return -1;
	}
	if (c->max_fuel != 0 && c->default_fuel > c->max_fuel) {
		sup_log_error("--default-fuel exceeds --max-fuel");
		return -1;
	}
	if (c->default_memory > c->max_memory) {
		sup_log_error("--default-memory exceeds --max-memory");
		return -1;
	}
	if (c->tenant_memory > c->memory_budget) {
		fprintf(
		    stderr, "wasmd: --tenant-memory exceeds --memory-budget\n");
		return -1;
	}
	if (c->default_timeout_ms == 0 ||
	    c->default_timeout_ms > c->max_timeout_ms) {
		sup_log_error("--default-timeout must be above 0 and "
		              "at most --max-timeout");
		return -1;
	}
	return 0;
}

static int
parse_flags(struct sup_config *c, int argc, char **argv)
{
	int opt, idx;

	opterr = 0; /* our message, at err priority in the journal */
	while ((opt = getopt_long(argc, argv, "H:hVc:", long_options, &idx)) !=
	    -1) {
		if (opt == 'h') {
			usage(stdout);
			exit(0);
		}
		if (opt == 'V') {
			printf("wasmd %s (protocol %d)\n", WASMD_VERSION,
			    WP_PROTOCOL_VERSION);
			exit(0);
		}
		if (opt == '?') {
			sup_log_error("unknown option or missing value: %s",
			    argv[optind - 1]);
			usage(stderr);
			return -1;
		}
		if (apply_option(c, opt, optarg,
		        opt == 'H' ? "host" : long_options[idx].name) != 0)
			return -1;
	}
	if (optind < argc) {
		sup_log_error("unexpected argument \"%s\"", argv[optind]);
		return -1;
	}
	if (c->worker_path == NULL)
		c->worker_path = worker_beside_self();
	return check_config(c);
}

int
sup_config_set(struct sup_config *c, const char *key, const char *value)
{
	int rc;

	for (const struct option *o = long_options; o->name != NULL; o++) {
		if (strcmp(o->name, key) != 0 ||
		    o->has_arg != required_argument || o->val == 'H' ||
		    o->val == 'c')
			continue;
		quiet_values = true;
		rc = apply_option(c, o->val, value, o->name);
		quiet_values = false;
		return rc != 0 ? -2 : 0;
	}
	return -1;
}

int
sup_config_build(struct sup_config *c, int argc, char **argv)
{
	struct sup_conf_args a;

	config_defaults(c);
	if (sup_conf_prescan(argc, argv, &a) != 0 || sup_conf_read(c, &a) != 0)
		return -1;
	optind = 0; /* glibc: start getopt afresh (a reload parses again) */
	if (parse_flags(c, argc, argv) != 0)
		return -1;
	if (c->state_dir == NULL) {
		sup_log_error("no state directory: HOME is unset or relative, "
		              "and so are XDG_STATE_HOME and this user's home "
		              "in the password database; give --state-dir DIR "
		              "(or state-dir in the configuration file)");
		return -1;
	}
	return 0;
}

/* `wasmd run ARGS` is `wasmd-worker run ARGS`. */
static int
exec_local_run(int argc, char **argv)
{
	char *worker = worker_beside_self();
	char **args = sup_xcalloc((size_t)argc + 1, sizeof(char *));

	args[0] = worker;
	for (int i = 1; i < argc; i++)
		args[i] = argv[i];
	execv(worker, args);
	sup_log_error("cannot run %s: %s", worker, strerror(errno));
	free(args);
	free(worker);
	return 127;
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct sup *sup = arg;

	sup_drain_start(sup, (int)sig); /* drain.c */
}

static void
reload_cb(evutil_socket_t sig, short what, void *arg)
{
	sup_conf_reload(arg); /* config.c */
}

static void
shutdown_all(struct sup *sup)
{
	struct sup_session *s;

	sup_listener_close(sup);
	while ((s = TAILQ_FIRST(&sup->sessions)) != NULL)
		sup_session_free(s);
	sup_pool_shutdown(sup);
	sup_tenants_free(sup);
}

static void
log_topology(const struct sup *sup)
{
	for (size_t i = 0; i < sizeof(sup_procs) / sizeof(sup_procs[0]); i++)
		sup_log(SUP_DEBUG,
		    "event=topology process=%s started=\"%s\" channel=\"%s\" "
		    "dispatch=\"%s\"",
		    sup_procs[i].name, sup_procs[i].started,
		    sup_procs[i].channel, sup_procs[i].dispatch);
	sup_log(SUP_NOTICE,
	    "event=start version=%s state_dir=%s worker=%s pool=%u",
	    WASMD_VERSION, sup->cfg.state_dir, sup->cfg.worker_path,
	    sup->cfg.pool_size);
}

static int
serve(struct sup *sup)
{
	struct event *term, *intr, *hup;
	char err[512] = "";
	int rc = 0;

	term = evsignal_new(sup->base, SIGTERM, stop_cb, sup);
	intr = evsignal_new(sup->base, SIGINT, stop_cb, sup);
	evsignal_add(term, NULL);
	evsignal_add(intr, NULL);
	hup = evsignal_new(sup->base, SIGHUP, reload_cb, sup);
	evsignal_add(hup, NULL);
	log_topology(sup);
	sup_budget_init(sup);
	sup_sched_init(sup);
	if (sup_isolation_init(sup, err, sizeof(err)) != 0 ||
	    sup_store_load(sup) != 0 || sup_pool_init(sup) != 0 ||
	    sup_listener_open(sup, err, sizeof(err)) != 0) {
		sup_log(SUP_ERR, "event=start outcome=failed error=\"%s\"",
		    err[0] ? err : "see above");
		rc = 1;
	} else {
		sup_ops_start(sup); /* notify.c: READY=1 */
		event_base_dispatch(sup->base);
	}
	sup_ops_stop(sup);
	shutdown_all(sup);
	sup_sched_stop(sup);
	sup_budget_stop(sup);
	sup_reload_forget(sup);
	event_free(term);
	event_free(intr);
	event_free(hup);
	sup_log(SUP_NOTICE, "event=exit status=%d", rc);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct sup sup;
	struct sup_conf_args conf;
	int rc;

	if (argc > 1 && strcmp(argv[1], "run") == 0)
		return exec_local_run(argc, argv);
	sup_log_init();
	if (argc > 1 && strcmp(argv[1], "--reload") == 0)
		return sup_reload_request(argc, argv); /* reload.c */
	if (sup_config_build(&sup.cfg, argc, argv) != 0) {
		sup_conf_free(&sup.cfg);
		return sup_conf_prescan(argc, argv, &conf) == 0 && conf.check
		    ? 1
		    : 2;
	}
	if (sup_conf_prescan(argc, argv, &conf) == 0 && conf.check) {
		printf("wasmd: configuration OK (%s)\n",
		    sup.cfg.config_path ? sup.cfg.config_path
		                        : "no file; defaults and flags");
		sup_conf_free(&sup.cfg);
		return 0;
	}
	sup_log_set_level(sup.cfg.log_level);
	sup.argc = argc;
	sup.argv = argv;
	sup.listen_fd = -1;
	TAILQ_INIT(&sup.sessions);
	TAILQ_INIT(&sup.tenants);
	TAILQ_INIT(&sup.workers);
	TAILQ_INIT(&sup.idle);
	TAILQ_INIT(&sup.queue);
	signal(SIGPIPE, SIG_IGN);
	/* The one event loop; everything in the supervisor runs from it. */
	sup.base = event_base_new();
	if (sup.base == NULL) {
		sup_log_error("cannot create the event loop");
		return 1;
	}
	rc = serve(&sup);
	event_base_free(sup.base);
	sup_conf_free(&sup.cfg);
	return rc;
}
