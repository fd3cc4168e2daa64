/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.c: counters and the Prometheus text exposition of them.
 *
 * Per tenant: jobs ended by kind and outcome, a histogram of invocation
 * durations, fuel consumed, modules and bytes stored, jobs running.
 * Daemon-wide: workers by state, queued jobs, connections, draining, and
 * build information. A Stats request is answered with this text: the
 * caller's own tenant by default, everything with `all` (administrators
 * only, see config.c's [tenant] admin). With --metrics-file the whole text
 * is also written every --metrics-interval, atomically (a temp file in the
 * same directory, then rename), for node_exporter's textfile collector.
 */
#include "sup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Upper bounds of the duration buckets, in seconds (then +Inf). */
static const double duration_le[] = {
    0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60};
#define NBUCKETS (sizeof(duration_le) / sizeof(duration_le[0]))

struct outcome_count {
	char kind[16];    /* "invoke", "push", "create_instance" */
	char outcome[32]; /* "ok", "trap", "stored", "ERR_TIMEOUT", ... */
	uint64_t n;
};

struct tenant_stats {
	TAILQ_ENTRY(tenant_stats) entry;
	char *tenant;                   /* own */
	struct outcome_count *outcomes; /* own: noutcomes */
	size_t noutcomes;
	uint64_t buckets[NBUCKETS]; /* not cumulative; summed when printed */
	uint64_t count;
	double sum_s;
	uint64_t fuel;
};

struct sup_metrics {
	TAILQ_HEAD(, tenant_stats) tenants;
	struct event *file_ev; /* own: NULL without --metrics-file */
	time_t started;
};

static struct tenant_stats *
stats_for(struct sup *sup, const char *tenant)
{
	struct tenant_stats *t;

	TAILQ_FOREACH(t, &sup->metrics->tenants, entry)
	{
		if (strcmp(t->tenant, tenant) == 0)
			return t;
	}
	t = sup_xcalloc(1, sizeof(*t));
	t->tenant = sup_strdup(tenant);
	TAILQ_INSERT_TAIL(&sup->metrics->tenants, t, entry);
	return t;
}

static void
count_outcome(struct tenant_stats *t, const char *kind, const char *outcome)
{
	struct outcome_count *o;

	for (size_t i = 0; i < t->noutcomes; i++) {
		o = &t->outcomes[i];
		if (strcmp(o->kind, kind) == 0 &&
		    strcmp(o->outcome, outcome) == 0) {
			o->n++;
			return;
		}
	}
	o = realloc(t->outcomes, (t->noutcomes + 1) * sizeof(*o));
	if (o == NULL)
		abort();
	t->outcomes = o;
	o = &t->outcomes[t->noutcomes++];
	memset(o, 0, sizeof(*o));
	snprintf(o->kind, sizeof(o->kind), "%s", kind);
	snprintf(o->outcome, sizeof(o->outcome), "%s", outcome);
	o->n = 1;
}

static const char *
kind_name(enum sup_job_kind kind)
{
	switch (kind) {
	case SUP_JOB_PUSH: return "push";
	case SUP_JOB_INVOKE: return "invoke";
	case SUP_JOB_CREATE: return "create_instance";
	default: break; /* a kind added later */
	}
	return "other";
}

void
sup_metrics_job(struct sup_job *job, const char *outcome)
{
	struct tenant_stats *t;
	double s;
	size_t b = 0;

	if (job->sup->metrics == NULL)
		return;
	t = stats_for(job->sup, job->tenant->name);
	count_outcome(t, kind_name(job->kind), outcome);
	if (job->kind != SUP_JOB_INVOKE || job->start.tv_sec == 0)
		return;
	s = (double)sup_elapsed_us(&job->start) / 1e6;
	while (b < NBUCKETS && s > duration_le[b])
		b++;
	if (b < NBUCKETS)
		t->buckets[b]++;
	t->count++;
	t->sum_s += s;
}

void
sup_metrics_fuel(struct sup_job *job, uint64_t fuel)
{
	if (job->sup->metrics != NULL)
		stats_for(job->sup, job->tenant->name)->fuel += fuel;
}

void
sup_metrics_refused(struct sup *sup, const struct sup_tenant *tenant)
{
	if (sup->metrics != NULL)
		count_outcome(
		    stats_for(sup, tenant->name), "invoke", "ERR_UNAVAILABLE");
}

static void
help(FILE *f, const char *name, const char *type, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static bool
wanted(const char *only, const char *tenant)
{
	return only == NULL || strcmp(only, tenant) == 0;
}

static void
print_jobs(FILE *f, struct sup *sup, const char *only)
{
	struct tenant_stats *t;

	help(f, "wasmd_jobs_total", "counter",
	    "Jobs ended, by tenant, kind (invoke, push, create_instance) and "
	    "outcome.");
	TAILQ_FOREACH(t, &sup->metrics->tenants, entry)
	{
		if (!wanted(only, t->tenant))
			continue;
		for (size_t i = 0; i < t->noutcomes; i++)
			fprintf(f,
			    "wasmd_jobs_total{tenant=\"%s\",kind=\"%s\","
			    "outcome=\"%s\"} %llu\n",
			    t->tenant, t->outcomes[i].kind,
			    t->outcomes[i].outcome,
			    (unsigned long long)t->outcomes[i].n);
	}
}

static void
print_durations(FILE *f, struct sup *sup, const char *only)
{
	struct tenant_stats *t;
	const char *name = "wasmd_invocation_duration_seconds";

	help(f, name, "histogram",
	    "Wall-clock time of invocations, from the request to the reply.");
	TAILQ_FOREACH(t, &sup->metrics->tenants, entry)
	{
		uint64_t cum = 0;
		if (!wanted(only, t->tenant) || t->count == 0)
			continue;
		for (size_t b = 0; b < NBUCKETS; b++) {
			cum += t->buckets[b];
			fprintf(f, "%s_bucket{tenant=\"%s\",le=\"%g\"} %llu\n",
			    name, t->tenant, duration_le[b],
			    (unsigned long long)cum);
		}
		fprintf(f, "%s_bucket{tenant=\"%s\",le=\"+Inf\"} %llu\n", name,
		    t->tenant, (unsigned long long)t->count);
		fprintf(f, "%s_sum{tenant=\"%s\"} %.6f\n", name, t->tenant,
		    t->sum_s);
		fprintf(f, "%s_count{tenant=\"%s\"} %llu\n", name, t->tenant,
		    (unsigned long long)t->count);
	}
	help(f, "wasmd_fuel_consumed_total", "counter",
	    "Fuel consumed by metered invocations that returned or trapped.");
	TAILQ_FOREACH(t, &sup->metrics->tenants, entry)
	{
		if (wanted(only, t->tenant))
			fprintf(f,
			    "wasmd_fuel_consumed_total{tenant=\"%s\"} %llu\n",
			    t->tenant, (unsigned long long)t->fuel);
	}
}

/* One gauge per tenant: name, its help, and what it counts of a tenant. */
struct tenant_gauge {
	const char *name, *help;
	uint64_t (*value)(const struct sup_tenant *t);
};

static uint64_t
g_modules(const struct sup_tenant *t)
{
	return t->nmodules;
}

static uint64_t
g_module_bytes(const struct sup_tenant *t)
{
	return t->nbytes;
}

static uint64_t
g_running(const struct sup_tenant *t)
{
	return t->running;
}

static uint64_t
g_held(const struct sup_tenant *t)
{
	return t->held;
}

static uint64_t
g_connections(const struct sup_tenant *t)
{
	return t->nsessions;
}

static uint64_t
g_instances(const struct sup_tenant *t)
{
	return t->instances;
}

static uint64_t
g_names(const struct sup_tenant *t)
{
	return t->nnames;
}

static const struct tenant_gauge tenant_gauges[] = {
    {"wasmd_modules", "Modules stored, by tenant.", g_modules},
    {"wasmd_module_bytes",
        "Bytes of the modules stored and their metadata, by tenant.",
        g_module_bytes},
    {"wasmd_jobs_running", "Jobs in flight (queued or running), by tenant.",
        g_running},
    {"wasmd_tenant_held_bytes",
        "Bytes the tenant's connections make wasmd hold (--tenant-memory).",
        g_held},
    {"wasmd_tenant_connections", "Client connections, by tenant.",
        g_connections},
    {"wasmd_instances", "Live instances, by tenant.", g_instances},
    {"wasmd_names", "Module names, by tenant.", g_names},
};

static void
print_tenants(FILE *f, struct sup *sup, const char *only)
{
	const struct sup_tenant *t;

	for (size_t i = 0; i < sizeof(tenant_gauges) / sizeof(tenant_gauges[0]);
	     i++) {
		const struct tenant_gauge *g = &tenant_gauges[i];

		help(f, g->name, "gauge", g->help);
		TAILQ_FOREACH(t, &sup->tenants, entry)
		{
			if (wanted(only, t->name))
				fprintf(f, "%s{tenant=\"%s\"} %llu\n", g->name,
				    t->name, (unsigned long long)g->value(t));
		}
	}
}

static void
print_daemon(FILE *f, struct sup *sup)
{
	static const char *const names[] = {
	    [SUP_W_STARTING] = "starting",
	    [SUP_W_IDLE] = "idle",
	    [SUP_W_BUSY] = "busy",
	    [SUP_W_DONE] = "exiting",
	};
	unsigned n[4] = {0}, queued = 0;
	const struct sup_worker *w;
	const struct sup_job *job;

	TAILQ_FOREACH(w, &sup->workers, entry)
	{
		if ((unsigned)w->state < 4)
			n[w->state]++;
	}
	TAILQ_FOREACH(job, &sup->queue, queue_entry)
	queued++;
	help(f, "wasmd_workers", "gauge", "Worker processes, by state.");
	for (int i = 0; i < 4; i++)
		fprintf(f, "wasmd_workers{state=\"%s\"} %u\n", names[i], n[i]);
	help(f, "wasmd_jobs_queued", "gauge", "Jobs waiting for a worker.");
	fprintf(f, "wasmd_jobs_queued %u\n", queued);
	help(f, "wasmd_connections", "gauge", "Client connections.");
	fprintf(f, "wasmd_connections %u\n", sup->nsessions);
	help(f, "wasmd_held_bytes", "gauge",
	    "Bytes clients make wasmd hold (--memory-budget).");
	fprintf(f, "wasmd_held_bytes %llu\n", (unsigned long long)sup->held);
	help(f, "wasmd_connections_paused", "gauge",
	    "Connections not read: over a budget (backpressure).");
	fprintf(f, "wasmd_connections_paused %u\n", sup->nread_paused);
	help(f, "wasmd_draining", "gauge",
	    "1 while wasmd drains before exiting.");
	fprintf(f, "wasmd_draining %d\n", sup->draining ? 1 : 0);
	help(f, "wasmd_start_time_seconds", "gauge",
	    "When wasmd started, in seconds since the epoch.");
	fprintf(f, "wasmd_start_time_seconds %lld\n",
	    (long long)sup->metrics->started);
}

char *
sup_metrics_text(struct sup *sup, const char *only_tenant)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		abort();
	help(f, "wasmd_build_info", "gauge",
	    "wasmd's version and protocol version.");
	fprintf(f, "wasmd_build_info{version=\"%s\",protocol=\"%d\"} 1\n",
	    WASMD_VERSION, WP_PROTOCOL_VERSION);
	if (sup->metrics != NULL) {
		print_jobs(f, sup, only_tenant);
		print_durations(f, sup, only_tenant);
		print_tenants(f, sup, only_tenant);
		if (only_tenant == NULL)
			print_daemon(f, sup);
	}
	if (fclose(f) != 0)
		abort();
	return text;
}

void
sup_stats_reply(
    struct sup_session *s, uint64_t id, const Wasmd__StatsRequest *req)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Stats stats = WASMD__STATS__INIT;
	bool all = req != NULL && req->all;

	if (all && !s->admin) {
		sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_DENIED,
		    "tenant %s is not an administrator: the whole daemon's "
		    "statistics need admin = true in its [tenant] section of "
		    "wasmd.conf",
		    s->tenant->name);
		return;
	}
	stats.text = sup_metrics_text(s->sup, all ? NULL : s->tenant->name);
	env.msg_case = WASMD__ENVELOPE__MSG_STATS;
	env.stats = &stats;
	sup_session_send(s, &env, id);
	free(stats.text);
}

/* Writes the whole text to PATH atomically. */
static void
write_file(struct sup *sup)
{
	const char *path = sup->cfg.metrics_file;
	char *tmp, *text = sup_metrics_text(sup, NULL);
	size_t len = strlen(text);
	FILE *f;

	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		abort();
	f = fopen(tmp, "we");
	if (f == NULL || fwrite(text, 1, len, f) != len || fflush(f) != 0 ||
	    fclose(f) != 0 || rename(tmp, path) != 0) {
		sup_log(SUP_WARNING, "event=metrics_file path=%s error=\"%s\"",
		    path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(text);
}

static void
file_cb(evutil_socket_t fd, short what, void *arg)
{
	write_file(arg);
}

static void
start_file_timer(struct sup *sup)
{
	uint32_t ms = sup->cfg.metrics_interval_ms;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	if (sup->cfg.metrics_file == NULL || ms == 0)
		return;
	sup->metrics->file_ev =
	    event_new(sup->base, -1, EV_PERSIST, file_cb, sup);
	if (sup->metrics->file_ev == NULL)
		abort();
	event_add(sup->metrics->file_ev, &tv);
	write_file(sup);
}

static void
stop_file_timer(struct sup *sup)
{
	if (sup->metrics->file_ev != NULL) {
		event_free(sup->metrics->file_ev);
		sup->metrics->file_ev = NULL;
	}
}

void
sup_metrics_start(struct sup *sup)
{
	sup->metrics = sup_xcalloc(1, sizeof(*sup->metrics));
	TAILQ_INIT(&sup->metrics->tenants);
	sup->metrics->started = time(NULL);
	start_file_timer(sup);
}

void
sup_metrics_config_changed(struct sup *sup)
{
	if (sup->metrics == NULL)
		return;
	stop_file_timer(sup);
	start_file_timer(sup);
}

void
sup_metrics_stop(struct sup *sup)
{
	struct tenant_stats *t;

	if (sup->metrics == NULL)
		return;
	stop_file_timer(sup);
	while ((t = TAILQ_FIRST(&sup->metrics->tenants)) != NULL) {
		TAILQ_REMOVE(&sup->metrics->tenants, t, entry);
		free(t->outcomes);
		free(t->tenant);
		free(t);
	}
	free(sup->metrics);
	sup->metrics = NULL;
}
