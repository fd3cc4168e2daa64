/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host-call.c: bench-host-call, round-trip latencies through a real wasmd,
 * side by side in one run:
 *   invoke, fresh instance   wasmd_invoke() of an export that returns at
 *                            once (worker handoff + instantiation + call)
 *   invoke, live instance    wasmd_instance_invoke() of the same export
 *   host call                one guest -> client host call and back: the
 *                            time from a callback's return to the next
 *                            callback's start, in a loop of host calls
 *   host call + 64 B arg     the same with a (ptr, len) memory argument
 *                            sent along with each call
 *   memory_read (64 B)       one wasmd_host_memory_read() round trip made
 *                            from inside a callback
 * It starts its own daemon (--wasmd PATH, on a socket in a temp dir) or
 * uses a running one (--host ADDR), and prints a Markdown table of the
 * median and 99th percentile in microseconds.
 *
 * usage: bench-host-call (--wasmd PATH | --host ADDR) --module FILE
 *                        [--rounds N]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <wasmd/client.h>

/* Latency samples of one measurement, in microseconds. */
struct samples {
	double *us;
	size_t n, cap;
};

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
add(struct samples *s, double us)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		double *p = realloc(s->us, cap * sizeof *p);

		if (p == NULL) {
			fprintf(stderr, "bench-host-call: out of memory\n");
			exit(1);
		}
		s->us = p;
		s->cap = cap;
	}
	s->us[s->n++] = us;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of s by the nearest-rank method; sorts s. */
static double
quantile(struct samples *s, double q)
{
	size_t i;

	if (s->n == 0)
		return 0;
	qsort(s->us, s->n, sizeof *s->us, cmp_double);
	i = (size_t)(q * (double)s->n + 0.999999);
	if (i == 0)
		i = 1;
	return s->us[(i > s->n ? s->n : i) - 1];
}

static void
die(wasmd_conn *conn, const char *what)
{
	fprintf(stderr, "bench-host-call: %s: %s\n", what,
	    conn != NULL ? wasmd_errmsg(conn) : strerror(errno));
	exit(1);
}

/* ---- Host functions: each one timestamps the round trips ---------------- */

struct timing {
	struct samples *calls; /* gaps between a return and the next call */
	struct samples *reads; /* memory_read round trips */
	double last_return;    /* 0: no callback returned yet in this call */
};

/* Records the gap since the previous callback of this invocation. */
static void
on_enter(struct timing *t)
{
	if (t->last_return > 0)
		add(t->calls, now_us() - t->last_return);
}

static int
h_plain(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	struct timing *t = user;

	(void)call, (void)nargs, (void)nresults;
	on_enter(t);
	results[0].of.i32 = args[0].of.i32 & 1;
	t->last_return = now_us();
	return 0;
}

static int
h_str(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	struct timing *t = user;
	size_t len = 0;
	const uint8_t *s = wasmd_host_call_mem_arg(call, 0, NULL, &len);

	(void)args, (void)nargs, (void)nresults;
	on_enter(t);
	results[0].of.i32 = s != NULL && len == 64 ? s[len - 1] : -1;
	t->last_return = now_us();
	return 0;
}

static int
h_read(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	struct timing *t = user;
	uint8_t buf[64];
	double t0 = now_us();

	(void)nargs, (void)nresults;
	if (wasmd_host_memory_read(call, (uint32_t)args[0].of.i32, buf, 64) !=
	    WASMD_OK)
		return wasmd_host_call_fail(call, "read failed");
	add(t->reads, now_us() - t0);
	results[0].of.i32 = buf[63];
	return 0;
}

/* ---- A daemon of our own ------------------------------------------------ */

static pid_t daemon_pid;
static char tmpdir[] = "/tmp/bench-host-call.XXXXXX";

static void
stop_daemon(void)
{
	char path[128];

	if (daemon_pid > 0) {
		kill(daemon_pid, SIGTERM);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = 0;
	}
	snprintf(path, sizeof path, "rm -rf '%s'", tmpdir);
	if (system(path) != 0)
		fprintf(
		    stderr, "bench-host-call: could not remove %s\n", tmpdir);
}

/* Starts wasmd on a socket in a temp dir; returns its address (own). */
static char *
start_daemon(const char *wasmd)
{
	char *sock = NULL, *state = NULL, *addr = NULL;

	if (mkdtemp(tmpdir) == NULL ||
	    asprintf(&sock, "%s/s.sock", tmpdir) < 0 ||
	    asprintf(&state, "%s/state", tmpdir) < 0 ||
	    asprintf(&addr, "unix://%s", sock) < 0)
		die(NULL, "temp dir");
	daemon_pid = fork();
	if (daemon_pid < 0)
		die(NULL, "fork");
	if (daemon_pid == 0) {
		/* Quiet: the daemon logs every invocation. */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(127);
		execl(wasmd, wasmd, "-H", addr, "--state-dir", state, "--pool",
		    "4", "--max-concurrent", "64", (char *)NULL);
		_exit(127);
	}
	atexit(stop_daemon);
	for (int i = 0; i < 200; i++) {
		struct stat st;

		if (stat(sock, &st) == 0)
			break;
		usleep(20000);
	}
	free(sock);
	free(state);
	return addr;
}

/* ---- Measurements ------------------------------------------------------- */

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(NULL, path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
row(const char *what, struct samples *s)
{
	double p50 = quantile(s, 0.5), p99 = quantile(s, 0.99);

	printf("| %-32s | %6zu | %9.1f | %9.1f |\n", what, s->n, p50, p99);
}

int
main(int argc, char **argv)
{
	static wasmd_valtype one_i32[] = {WASMD_I32};
	static wasmd_valtype two_i32[] = {WASMD_I32, WASMD_I32};
	static const wasmd_mem_arg str_arg[] = {{0, 1, 0}};
	const char *wasmd = NULL, *host = NULL, *module = NULL;
	struct samples fresh = {0}, live = {0}, calls = {0}, str_calls = {0},
	               reads = {0}, unused = {0};
	struct timing t_calls = {&calls, &unused, 0},
	              t_str = {&str_calls, &unused, 0},
	              t_read = {&unused, &reads, 0};
	int rounds = 5;
	wasmd_host_func funcs[3] = {
	    {"env", "h", {1, 1, one_i32, one_i32}, h_plain, &t_calls, 0, NULL},
	    {"env", "s", {2, 1, two_i32, one_i32}, h_str, &t_str, 1, str_arg},
	    {"env", "r", {1, 1, one_i32, one_i32}, h_read, &t_read, 0, NULL},
	};
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;
	wasmd_module_info *info = NULL;
	wasmd_instance *inst = NULL;
	wasmd_result *r = NULL;
	wasmd_conn *conn;
	char *addr = NULL;
	uint8_t *wasm;
	size_t len;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--wasmd") == 0)
			wasmd = argv[i + 1];
		else if (strcmp(argv[i], "--host") == 0)
			host = argv[i + 1];
		else if (strcmp(argv[i], "--module") == 0)
			module = argv[i + 1];
		else if (strcmp(argv[i], "--rounds") == 0)
			rounds = atoi(argv[i + 1]);
	}
	if (module == NULL || (wasmd == NULL && host == NULL) || rounds < 1) {
		fprintf(stderr,
		    "usage: bench-host-call (--wasmd PATH | --host "
		    "ADDR) --module FILE [--rounds N]\n");
		return 2;
	}
	if (host == NULL)
		host = addr = start_daemon(wasmd);
	conn = wasmd_connect(host);
	if (conn == NULL || wasmd_status(conn) != WASMD_CONNECTION_OK)
		die(conn, "connect");
	wasm = read_file(module, &len);
	if (wasmd_push(conn, wasm, len, NULL, &info) != WASMD_OK)
		die(conn, "push");
	free(wasm);
	o.host_funcs = funcs;
	o.nhost_funcs = 3;
	if (wasmd_instance_create(conn, info->digest, &o, &inst) != WASMD_OK)
		die(conn, "create instance");
	/* Rounds interleave the measurements so that a busy moment of the
	 * machine does not fall on one of them only. */
	for (int round = 0; round < rounds; round++) {
		wasmd_value n = {.type = WASMD_I32, .of.i32 = 400};

		for (int i = 0; i < 60; i++) {
			double t0 = now_us();

			if (wasmd_invoke(conn, info->digest, "plain", NULL, 0,
			        &o, &r) != WASMD_OK)
				die(conn, "invoke");
			add(&fresh, now_us() - t0);
			wasmd_result_free(r);
		}
		for (int i = 0; i < 200; i++) {
			double t0 = now_us();

			if (wasmd_instance_invoke(inst, "plain", NULL, 0, &r) !=
			    WASMD_OK)
				die(conn, "instance invoke");
			add(&live, now_us() - t0);
			wasmd_result_free(r);
		}
		t_calls.last_return = t_str.last_return = 0;
		if (wasmd_instance_invoke(inst, "calls", &n, 1, &r) != WASMD_OK)
			die(conn, "calls");
		wasmd_result_free(r);
		if (wasmd_instance_invoke(inst, "str_calls", &n, 1, &r) !=
		    WASMD_OK)
			die(conn, "str_calls");
		wasmd_result_free(r);
		if (wasmd_instance_invoke(inst, "read_calls", &n, 1, &r) !=
		    WASMD_OK)
			die(conn, "read_calls");
		wasmd_result_free(r);
	}
	printf(
	    "| round trip                       |      n | median µs |    p99 "
	    "µs |\n");
	printf(
	    "|----------------------------------|-------:|----------:|-------"
	    "---:|\n");
	row("invoke, fresh instance", &fresh);
	row("invoke, live instance", &live);
	row("host call (i32 -> i32)", &calls);
	row("host call + 64-byte memory arg", &str_calls);
	row("memory_read 64 B in a callback", &reads);
	wasmd_instance_drop(inst);
	wasmd_module_info_free(info);
	wasmd_close(conn);
	free(addr);
	free(fresh.us);
	free(live.us);
	free(calls.us);
	free(str_calls.us);
	free(reads.us);
	free(unused.us);
	return 0;
}
