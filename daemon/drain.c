/*
 * drain.c: stopping gracefully on SIGTERM (or SIGINT).
 *
 * The first signal starts a drain: the service manager is told STOPPING=1,
 * new pushes and invocations are refused with ERR_UNAVAILABLE (connections
 * are still accepted, so a client learns why), no spare workers are kept,
 * and the jobs already in flight, queued ones included, run to their end.
 * The loop stops when none is left, or when --drain-grace has passed (the
 * jobs still running are then abandoned and their workers killed). A second
 * signal stops at once. Either way wasmd exits 0.
 */
#include "sup.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define DRAIN_POLL_MS 50

struct sup_drain {
	struct event *poll_ev;  /* own: checks whether jobs are left */
	struct event *grace_ev; /* own: the end of --drain-grace */
	struct timespec start;
};

static void
drain_done(struct sup *sup, const char *outcome)
{
	sup_log(SUP_NOTICE,
	    "event=drain outcome=%s in_flight=%u duration_us=%llu", outcome,
	    sup_jobs_in_flight(sup),
	    (unsigned long long)sup_elapsed_us(&sup->drain->start));
	sup->stopping = true;
	event_base_loopbreak(sup->base);
}

/*
 * Done when no job is left and every reply has reached its client's
 * socket: a result queued in the same loop turn as this check would
 * otherwise be dropped when the sessions are freed at exit.
 */
static bool
drained(const struct sup *sup)
{
	const struct sup_session *s;

	if (sup_jobs_in_flight(sup) != 0)
		return false;
	TAILQ_FOREACH(s, &sup->sessions, entry)
	{
		if (evbuffer_get_length(bufferevent_get_output(s->bev)) != 0)
			return false;
	}
	return true;
}

static void
poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup *sup = arg;

	if (drained(sup))
		drain_done(sup, "done");
}

static void
grace_cb(evutil_socket_t fd, short what, void *arg)
{
	drain_done(arg, "grace_expired");
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
	if (drained(sup)) {
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
	free(d);
	sup->drain = NULL;
}
