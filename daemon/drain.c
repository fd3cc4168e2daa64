/* SPDX-License-Identifier: Apache-2.0 */
/*
 * drain.c: stopping gracefully on SIGTERM (or SIGINT).
 *
 * The first signal starts a drain: the service manager is told STOPPING=1,
 * new pushes and invocations are refused with ERR_UNAVAILABLE (connections
 * are still accepted, so a client learns why), no spare workers are kept,
 * and the jobs already in flight, queued ones included, run to their end.
 * The drain ends when none is left, or when --drain-grace has passed: each
 * job still in flight is then ended with an ERR_UNAVAILABLE "drain grace
 * expired" error to its client (and logged so) and its worker killed.
 * Either way the replies already made are flushed to their clients before
 * the loop stops (at most DRAIN_FLUSH_MS, for clients that do not read):
 * a finished call's result is never lost to the exit. A second signal
 * stops at once. wasmd exits 0.
 */
#include "sup.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define DRAIN_POLL_MS 50
/* How long finished replies may take to reach clients that read slowly. */
#define DRAIN_FLUSH_MS 2000
#define DRAIN_FLUSH_POLL_MS 5

struct sup_drain {
	struct event *poll_ev;  /* own: checks whether jobs are left */
	struct event *grace_ev; /* own: the end of --drain-grace */
	struct event *flush_ev; /* own: checks whether replies are sent */
	struct timespec start;
	struct timespec flush_start; /* when the jobs were over */
};

/* Bytes queued for clients and not yet written to their sockets. */
static size_t
unsent_bytes(const struct sup *sup)
{
	const struct sup_session *s;
	size_t n = 0;

	TAILQ_FOREACH(s, &sup->sessions, entry)
	n += evbuffer_get_length(bufferevent_get_output(s->bev));
	return n;
}

/* Stops the loop once every reply is written, or DRAIN_FLUSH_MS passed. */
static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup *sup = arg;
	size_t left = unsent_bytes(sup);

	if (left > 0 &&
	    sup_elapsed_us(&sup->drain->flush_start) < DRAIN_FLUSH_MS * 1000ull)
		return;
	sup_log(left > 0 ? SUP_WARNING : SUP_INFO,
	    "event=drain_flush outcome=%s unsent_bytes=%zu duration_us=%llu",
	    left > 0 ? "timeout" : "done", left,
	    (unsigned long long)sup_elapsed_us(&sup->drain->flush_start));
	event_base_loopbreak(sup->base);
}

/*
 * The jobs are over: nothing new is accepted from now on, and the loop
 * runs on only to write the replies already queued.
 */
static void
drain_done(struct sup *sup, const char *outcome)
{
	const struct timeval poll = {0, DRAIN_FLUSH_POLL_MS * 1000};
	struct sup_drain *d = sup->drain;

	sup_log(SUP_NOTICE,
	    "event=drain outcome=%s in_flight=%u duration_us=%llu", outcome,
	    sup_jobs_in_flight(sup),
	    (unsigned long long)sup_elapsed_us(&d->start));
	sup->stopping = true;
	if (d->poll_ev != NULL)
		event_del(d->poll_ev);
	if (d->grace_ev != NULL)
		event_del(d->grace_ev);
	clock_gettime(CLOCK_MONOTONIC, &d->flush_start);
	d->flush_ev = event_new(sup->base, -1, EV_PERSIST, flush_cb, sup);
	if (d->flush_ev == NULL)
		abort();
	event_add(d->flush_ev, &poll);
	flush_cb(-1, 0, sup);
}

static void
poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup *sup = arg;

	if (sup_jobs_in_flight(sup) == 0)
		drain_done(sup, "done");
}

/*
 * Ends every job a client still waits for with ERR_UNAVAILABLE. Jobs whose
 * client is gone have nobody to tell; the workers of all die at exit.
 */
static void
fail_jobs_in_flight(struct sup *sup)
{
	struct sup_session *s;
	struct sup_job *job;

	TAILQ_FOREACH(s, &sup->sessions, entry)
	{
		while ((job = TAILQ_FIRST(&s->jobs)) != NULL)
			sup_job_fail(job, WASMD__ERROR_CODE__ERR_UNAVAILABLE,
			    "drain grace expired: wasmd stopped before the "
			    "call ended (see --drain-grace)");
	}
}

static void
grace_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup *sup = arg;
	unsigned left = sup_jobs_in_flight(sup);

	fail_jobs_in_flight(sup);
	sup_log(SUP_NOTICE, "event=drain_grace_expired in_flight=%u", left);
	drain_done(sup, "grace_expired");
}

void
sup_drain_start(struct sup *sup, int sig)
{
	const struct timeval poll = {0, DRAIN_POLL_MS * 1000};
	struct timeval grace;
	struct sup_drain *d;

	if (sup->draining) {
		sup_log(SUP_NOTICE,
		    "event=stop signal=%s reason=\"second signal while "
		    "draining\"",
		    strsignal(sig));
		sup->stopping = true;
		event_base_loopbreak(sup->base);
		return;
	}
	sup->draining = true;
	sup->cfg.pool_size = 0; /* only the queued jobs still need workers */
	d = sup->drain = sup_xcalloc(1, sizeof(*d));
	clock_gettime(CLOCK_MONOTONIC, &d->start);
	sup_log(SUP_NOTICE, "event=drain signal=%s in_flight=%u grace_ms=%u",
	    strsignal(sig), sup_jobs_in_flight(sup), sup->cfg.drain_grace_ms);
	sup_notify_stopping(sup);
	if (sup_jobs_in_flight(sup) == 0) {
		drain_done(sup, "done");
		return;
	}
	grace.tv_sec = sup->cfg.drain_grace_ms / 1000;
	grace.tv_usec = (sup->cfg.drain_grace_ms % 1000) * 1000;
	d->poll_ev = event_new(sup->base, -1, EV_PERSIST, poll_cb, sup);
	d->grace_ev = evtimer_new(sup->base, grace_cb, sup);
	if (d->poll_ev == NULL || d->grace_ev == NULL)
		abort();
	event_add(d->poll_ev, &poll);
	evtimer_add(d->grace_ev, &grace);
}

bool
sup_drain_refuse(struct sup_session *s, uint64_t id)
{
	if (!s->sup->draining)
		return false;
	sup_metrics_refused(s->sup, s->tenant);
	sup_log(SUP_INFO, "event=refused tenant=%s id=%llu outcome=%s",
	    s->tenant->name, (unsigned long long)id, "ERR_UNAVAILABLE");
	sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_UNAVAILABLE,
	    "wasmd is shutting down: it finishes the calls in flight and "
	    "accepts no new ones");
	return true;
}

void
sup_drain_stop(struct sup *sup)
{
	struct sup_drain *d = sup->drain;

	if (d == NULL)
		return;
	if (d->poll_ev != NULL)
		event_free(d->poll_ev);
	if (d->grace_ev != NULL)
		event_free(d->grace_ev);
	if (d->flush_ev != NULL)
		event_free(d->flush_ev);
	free(d);
	sup->drain = NULL;
}
