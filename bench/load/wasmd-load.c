/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmd-load.c: a load generator for the wasmd daemon. It starts N client
 * threads, each with its own libwasmd-client connection, that each make M
 * blocking invokes of one export of one stored module, then prints the
 * throughput and the latency distribution as one line of key=value pairs
 * (bench/load/run-load turns them into a markdown table).
 *
 * Latency is measured by the client around wasmd_invoke(): it includes the
 * round trip, the supervisor's dispatch, taking a worker from the pool (or
 * waiting for one to start) and the worker's module load, plus the run.
 * The daemon reports the run itself as elapsed_us; latency minus elapsed is
 * printed as "overhead", the cost of a call that is not the guest's code
 * (worker start latency shows up there whenever the pool runs dry).
 *
 * --serve-host serves the host import env.tick : [i32] -> [i32] (returns its
 * argument plus one) from every client, for a module whose export calls
 * back into the client. --live makes each client create one live instance
 * (wasmd_instance_create) and invoke it M times, instead of one fresh
 * worker per invoke. --stub-imports declares every function import that is
 * not WASI as a host function that fails if called, so that a module
 * written for another host (ruby.wasm imports its JavaScript bridge) can
 * be instantiated and a trivial export measured; among them an import
 * canonical_abi.resource_new_* : [i32] -> [i32] (a component's request for
 * a new handle, which the canonical ABI leaves to its host) is served: it
 * hands out handles 1, 2, 3, ... as the JavaScript glue's handle table
 * does, so that ruby.wasm's rb-eval-string-protect can return. --no-snapshot
 * runs from the plain module when it has a snapshot. --expect-stdout TEXT
 * counts an invoke whose stdout is not TEXT as an error.
 *
 * Usage: wasmd-load -H ADDR --module REF --export NAME [--args T:V,...]
 *                   [--clients N] [--invokes M] [--warmup K] [--serve-host]
 *                   [--live] [--stub-imports] [--no-snapshot]
 *                   [--expect-stdout TEXT]
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wasmd/client.h>

#define LOAD_MAX_ARGS 16

typedef struct load_config {
	const char *addr;   /* borrowed from argv */
	const char *module; /* borrowed from argv */
	const char *export_name;
	wasmd_value args[LOAD_MAX_ARGS];
	size_t nargs;
	unsigned clients;
	unsigned invokes;        /* per client */
	unsigned warmup;         /* per client, not measured */
	bool host;               /* --serve-host: serve env.tick */
	bool live;               /* one live instance per client */
	bool stub;               /* --stub-imports */
	bool no_snapshot;        /* --no-snapshot */
	const char *expect_out;  /* --expect-stdout, or NULL */
	wasmd_module_info *info; /* own: with --stub-imports */
	wasmd_host_func *stubs;  /* own: with --stub-imports */
	wasmd_invoke_options opts;
} load_config;

/* One client thread's work and what it measured. */
typedef struct load_client {
	pthread_t thread;
	const load_config *cfg;   /* borrowed */
	pthread_barrier_t *start; /* borrowed: all clients begin together */
	wasmd_instance *inst;     /* own: with --live */
	uint64_t *latency_ns;     /* own: cfg->invokes entries */
	uint64_t *overhead_ns;    /* own: cfg->invokes entries */
	unsigned done;            /* successful, measured invokes */
	unsigned errors;          /* error replies and traps */
	char first_error[256];    /* the first error's message */
	uint64_t finished_ns;     /* when its last invoke returned */
} load_client;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
note_error(load_client *c, const char *what)
{
	if (c->errors++ == 0)
		snprintf(c->first_error, sizeof(c->first_error), "%s", what);
}

/* env.tick: the host function of --serve-host. */
static int
tick_host(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	results[0].of.i32 = args[0].of.i32 + 1;
	return 0;
}

static wasmd_valtype tick_types[] = {WASMD_I32};
static const wasmd_host_func tick_func = {
    .module = "env",
    .name = "tick",
    .type = {1, 1, tick_types, tick_types},
    .fn = tick_host,
};

/* A stub import of --stub-imports: never meant to be called. */
static int
stub_host(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	wasmd_host_call_fail(call, "wasmd-load: a stubbed import was called");
	return 1;
}

/*
 * canonical_abi.resource_new_* of --stub-imports: a new handle for the
 * guest's resource (its argument, which the host does not keep: nothing
 * here calls back with a handle).
 */
static int
resource_new_host(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	static _Atomic int32_t next;

	results[0].of.i32 = ++next;
	return 0;
}

static bool
is_resource_new(const wasmd_import *imp)
{
	const wasmd_functype *t = &imp->type.func;

	return strcmp(imp->module, "canonical_abi") == 0 &&
	    strncmp(imp->name, "resource_new_", 13) == 0 && t->nparams == 1 &&
	    t->params[0] == WASMD_I32 && t->nresults == 1 &&
	    t->results[0] == WASMD_I32;
}

/*
 * Declares every non-WASI function import of the module as a stub host
 * function (their types from wasmd_inspect). false, with a message, when
 * the module cannot be inspected.
 */
static bool
declare_stubs(load_config *cfg)
{
	wasmd_conn *conn = wasmd_connect(cfg->addr);
	size_t n = 0;

	if (conn == NULL ||
	    wasmd_inspect(conn, cfg->module, &cfg->info) != WASMD_OK) {
		fprintf(stderr, "wasmd-load: cannot inspect %s\n", cfg->module);
		wasmd_close(conn);
		return false;
	}
	wasmd_close(conn);
	cfg->stubs = calloc(cfg->info->nimports + 1, sizeof(*cfg->stubs));
	if (cfg->stubs == NULL)
		return false;
	for (size_t i = 0; i < cfg->info->nimports; i++) {
		const wasmd_import *imp = &cfg->info->imports[i];

		if (imp->type.kind != WASMD_EXTERN_FUNC ||
		    strcmp(imp->module, "wasi_snapshot_preview1") == 0)
			continue;
		cfg->stubs[n++] = (wasmd_host_func){
		    .module = imp->module,
		    .name = imp->name,
		    .type = imp->type.func,
		    .fn = is_resource_new(imp) ? resource_new_host : stub_host,
		};
	}
	cfg->opts.host_funcs = cfg->stubs;
	cfg->opts.nhost_funcs = n;
	return true;
}

/* One invoke; records its latency when measured is true. */
static void
invoke_once(load_client *c, wasmd_conn *conn, bool measured)
{
	const load_config *cfg = c->cfg;
	wasmd_result *res = NULL;
	uint64_t t0 = now_ns(), t1;
	wasmd_error rc;

	if (c->inst != NULL)
		rc = wasmd_instance_invoke(
		    c->inst, cfg->export_name, cfg->args, cfg->nargs, &res);
	else
		rc = wasmd_invoke(conn, cfg->module, cfg->export_name,
		    cfg->args, cfg->nargs, &cfg->opts, &res);
	t1 = now_ns();
	if (rc != WASMD_OK) {
		note_error(c, wasmd_errmsg(conn));
		return;
	}
	if (res->trap != WASMD_TRAP_NONE) {
		note_error(c, res->trap_message);
	} else if (cfg->expect_out != NULL &&
	    (res->output[1] == NULL ||
	        strcmp(res->output[1], cfg->expect_out) != 0)) {
		note_error(c, "stdout is not --expect-stdout's");
	} else if (measured) {
		uint64_t lat = t1 - t0, run = res->elapsed_us * 1000u;
		c->latency_ns[c->done] = lat;
		c->overhead_ns[c->done] = lat > run ? lat - run : 0;
		c->done++;
	}
	wasmd_result_free(res);
}

static void *
client_main(void *arg)
{
	load_client *c = arg;
	wasmd_conn *conn = wasmd_connect(c->cfg->addr);

	if (conn == NULL || wasmd_status(conn) != WASMD_CONNECTION_OK)
		note_error(c, conn ? wasmd_errmsg(conn) : "out of memory");
	else if (c->cfg->live &&
	    wasmd_instance_create(
	        conn, c->cfg->module, &c->cfg->opts, &c->inst) != WASMD_OK)
		note_error(c, wasmd_errmsg(conn));
	for (unsigned i = 0; c->errors == 0 && i < c->cfg->warmup; i++)
		invoke_once(c, conn, false);
	pthread_barrier_wait(c->start);
	/* Without its connection (or its live instance) a client only
	 * counts as an error: its invokes would measure something else. */
	if (conn != NULL && wasmd_status(conn) == WASMD_CONNECTION_OK &&
	    (!c->cfg->live || c->inst != NULL)) {
		for (unsigned i = 0; i < c->cfg->invokes; i++)
			invoke_once(c, conn, true);
	}
	c->finished_ns = now_ns();
	wasmd_instance_drop(c->inst);
	c->inst = NULL;
	wasmd_close(conn);
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of n sorted values, nearest rank. */
static double
quantile_ms(const uint64_t *sorted, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(q * (double)n);
	if (i >= n)
		i = n - 1;
	return (double)sorted[i] / 1e6;
}

/* Gathers every client's samples (own: the result) and their count. */
static uint64_t *
gather(load_client *clients, unsigned n, bool overhead, size_t *count)
{
	size_t total = 0, k = 0;
	uint64_t *all;

	for (unsigned i = 0; i < n; i++)
		total += clients[i].done;
	all = calloc(total ? total : 1, sizeof(*all));
	if (all == NULL)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		uint64_t *src =
		    overhead ? clients[i].overhead_ns : clients[i].latency_ns;
		memcpy(all + k, src, clients[i].done * sizeof(*all));
		k += clients[i].done;
	}
	qsort(all, total, sizeof(*all), cmp_u64);
	*count = total;
	return all;
}

static void
report(load_client *clients, const load_config *cfg, uint64_t start_ns)
{
	uint64_t end_ns = start_ns, *lat, *ovh;
	unsigned errors = 0;
	const char *first = "";
	size_t n = 0, n2 = 0;
	double wall;

	for (unsigned i = 0; i < cfg->clients; i++) {
		if (clients[i].finished_ns > end_ns)
			end_ns = clients[i].finished_ns;
		if (clients[i].errors && errors == 0)
			first = clients[i].first_error;
		errors += clients[i].errors;
	}
	lat = gather(clients, cfg->clients, false, &n);
	ovh = gather(clients, cfg->clients, true, &n2);
	if (lat == NULL || ovh == NULL) {
		fprintf(stderr, "wasmd-load: out of memory\n");
		exit(1);
	}
	wall = (double)(end_ns - start_ns) / 1e9;
	printf("clients=%u invokes=%zu errors=%u wall_s=%.3f throughput=%.1f "
	       "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f overhead_p50_ms=%.3f "
	       "overhead_p99_ms=%.3f\n",
	    cfg->clients, n, errors, wall, wall > 0 ? (double)n / wall : 0,
	    quantile_ms(lat, n, 0.50), quantile_ms(lat, n, 0.99),
	    n ? (double)lat[n - 1] / 1e6 : 0, quantile_ms(ovh, n2, 0.50),
	    quantile_ms(ovh, n2, 0.99));
	if (errors)
		fprintf(stderr, "wasmd-load: %u errors; the first: %s\n",
		    errors, first);
	free(lat);
	free(ovh);
}

/* Parses "i32:2,i64:40" into cfg->args. Returns false with a message. */
static bool
parse_args(load_config *cfg, const char *text)
{
	char *copy = strdup(text), *save = NULL, *tok, err[128];
	bool ok = copy != NULL;

	for (tok = ok ? strtok_r(copy, ",", &save) : NULL; ok && tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		wasmd_valtype t;

		if (colon == NULL || cfg->nargs == LOAD_MAX_ARGS) {
			fprintf(stderr,
			    "wasmd-load: bad argument '%s' "
			    "(want TYPE:VALUE, at most %d)\n",
			    tok, LOAD_MAX_ARGS);
			ok = false;
			break;
		}
		*colon = '\0';
		if (wasmd_valtype_parse(tok, &t) != 0 ||
		    wasmd_value_parse(t, colon + 1, &cfg->args[cfg->nargs], err,
		        sizeof(err)) != 0) {
			fprintf(stderr, "wasmd-load: bad argument '%s:%s'\n",
			    tok, colon + 1);
			ok = false;
			break;
		}
		cfg->nargs++;
	}
	free(copy);
	return ok;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: wasmd-load -H ADDR --module REF --export NAME "
	    "[--args T:V,...]\n"
	    "                  [--clients N] [--invokes M] [--warmup K] "
	    "[--serve-host] [--live] [--stub-imports]\n"
	    "                  [--no-snapshot] [--expect-stdout TEXT]\n");
	exit(2);
}

static void
parse_options(int argc, char **argv, load_config *cfg)
{
	static const struct option opts[] = {
	    {"host", required_argument, NULL, 'H'},
	    {"module", required_argument, NULL, 'm'},
	    {"export", required_argument, NULL, 'e'},
	    {"args", required_argument, NULL, 'a'},
	    {"clients", required_argument, NULL, 'c'},
	    {"invokes", required_argument, NULL, 'n'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"serve-host", no_argument, NULL, 'o'},
	    {"live", no_argument, NULL, 'l'},
	    {"stub-imports", no_argument, NULL, 's'},
	    {"no-snapshot", no_argument, NULL, 'S'},
	    {"expect-stdout", required_argument, NULL, 'x'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "H:", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': cfg->addr = optarg; break;
		case 'm': cfg->module = optarg; break;
		case 'e': cfg->export_name = optarg; break;
		case 'a':
			if (!parse_args(cfg, optarg))
				exit(2);
			break;
		case 'c':
			cfg->clients = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'n':
			cfg->invokes = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			cfg->warmup = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'o': cfg->host = true; break;
		case 'l': cfg->live = true; break;
		case 's': cfg->stub = true; break;
		case 'S': cfg->no_snapshot = true; break;
		case 'x': cfg->expect_out = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || cfg->module == NULL || cfg->export_name == NULL ||
	    cfg->clients == 0 || cfg->invokes == 0)
		usage();
}

int
main(int argc, char **argv)
{
	load_config cfg = {.clients = 1, .invokes = 100, .warmup = 2};
	pthread_barrier_t start;
	load_client *clients;
	uint64_t start_ns;

	parse_options(argc, argv, &cfg);
	wasmd_invoke_options_init(&cfg.opts);
	cfg.opts.no_snapshot = cfg.no_snapshot;
	if (cfg.host) {
		cfg.opts.host_funcs = &tick_func;
		cfg.opts.nhost_funcs = 1;
	}
	if (cfg.stub && !declare_stubs(&cfg))
		return 1;
	clients = calloc(cfg.clients, sizeof(*clients));
	if (clients == NULL ||
	    pthread_barrier_init(&start, NULL, cfg.clients + 1) != 0) {
		fprintf(stderr, "wasmd-load: out of memory\n");
		return 1;
	}
	for (unsigned i = 0; i < cfg.clients; i++) {
		load_client *c = &clients[i];
		c->cfg = &cfg;
		c->start = &start;
		c->latency_ns = calloc(cfg.invokes, sizeof(uint64_t));
		c->overhead_ns = calloc(cfg.invokes, sizeof(uint64_t));
		if (c->latency_ns == NULL || c->overhead_ns == NULL ||
		    pthread_create(&c->thread, NULL, client_main, c) != 0) {
			fprintf(stderr,
			    "wasmd-load: cannot start client %u: %s\n", i,
			    strerror(errno));
			return 1;
		}
	}
	pthread_barrier_wait(&start);
	start_ns = now_ns();
	for (unsigned i = 0; i < cfg.clients; i++)
		pthread_join(clients[i].thread, NULL);
	report(clients, &cfg, start_ns);
	for (unsigned i = 0; i < cfg.clients; i++) {
		free(clients[i].latency_ns);
		free(clients[i].overhead_ns);
	}
	free(clients);
	pthread_barrier_destroy(&start);
	return 0;
}
