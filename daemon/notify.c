/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify.c: wasmd and its service manager (systemd, through libsystemd).
 *
 * Socket activation: a listening Unix stream socket passed by the manager
 * (LISTEN_FDS, sd_listen_fds) is served instead of one of our own.
 * Readiness and state: READY=1 once serving, RELOADING=1 while a SIGHUP
 * reload runs, STOPPING=1 when a drain starts, and a STATUS= line saying
 * what the daemon is doing, refreshed every few seconds when it changed.
 * Watchdog: WATCHDOG=1 at half of WATCHDOG_USEC when the manager asks for
 * it. Without a manager (no NOTIFY_SOCKET) every call here does nothing.
 *
 * sup_ops_start/sup_ops_stop start and stop the operational timers of
 * notify.c, drain.c and metrics.c in one place.
 */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <systemd/sd-daemon.h>

#define STATUS_PERIOD_S 2

struct sup_ops {
	struct event *status_ev;   /* own: refreshes STATUS= */
	struct event *watchdog_ev; /* own: NULL without a watchdog */
	char last_status[256];
};

int
sup_activation_fd(char *err, size_t errlen)
{
	/* unset: our workers must not see LISTEN_FDS meant for us. */
	int n = sd_listen_fds(1);

	if (n <= 0)
		return -1;
	if (n > 1) {
		snprintf(err, errlen,
		    "the service manager passed %d sockets; wasmd serves one "
		    "(ListenStream= once in wasmd.socket)",
		    n);
		return -2;
	}
	if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <=
	    0) {
		snprintf(err, errlen,
		    "the socket passed by the service manager is not a "
		    "listening Unix stream socket");
		return -2;
	}
	if (fcntl(SD_LISTEN_FDS_START, F_SETFD, FD_CLOEXEC) != 0 ||
	    evutil_make_socket_nonblocking(SD_LISTEN_FDS_START) != 0) {
		snprintf(err, errlen, "cannot set up the passed socket: %s",
		    strerror(errno));
		return -2;
	}
	return SD_LISTEN_FDS_START;
}

static unsigned
workers_in(const struct sup *sup, enum sup_worker_state state)
{
	const struct sup_worker *w;
	unsigned n = 0;

	TAILQ_FOREACH(w, &sup->workers, entry)
	{
		if (w->state == state)
			n++;
	}
	return n;
}

unsigned
sup_jobs_in_flight(const struct sup *sup)
{
	const struct sup_tenant *t;
	unsigned n = 0;

	TAILQ_FOREACH(t, &sup->tenants, entry)
	n += t->running;
	return n;
}

/* "serving: 1 busy, 2 idle workers; 1 call in flight; 3 modules ..." */
static void
status_text(const struct sup *sup, char *buf, size_t len)
{
	const struct sup_tenant *t;
	unsigned long long modules = 0;
	unsigned tenants = 0;

	TAILQ_FOREACH(t, &sup->tenants, entry)
	{
		modules += t->nmodules;
		tenants += t->nmodules > 0;
	}
	snprintf(buf, len,
	    "%s: %u busy, %u idle workers; %u jobs in flight; %llu modules "
	    "of %u tenants; %u connections",
	    sup->draining ? "draining" : "serving", workers_in(sup, SUP_W_BUSY),
	    sup->nidle, sup_jobs_in_flight(sup), modules, tenants,
	    sup->nsessions);
}

static void
send_status(struct sup *sup, bool force)
{
	char status[256], msg[300];

	if (sup->ops == NULL)
		return;
	status_text(sup, status, sizeof(status));
	if (!force && strcmp(status, sup->ops->last_status) == 0)
		return;
	snprintf(
	    sup->ops->last_status, sizeof(sup->ops->last_status), "%s", status);
	snprintf(msg, sizeof(msg), "STATUS=%s", status);
	sd_notify(0, msg);
}

static void
status_cb(evutil_socket_t fd, short what, void *arg)
{
	send_status(arg, false);
}

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	sd_notify(0, "WATCHDOG=1");
}

void
sup_notify_ready(struct sup *sup)
{
	char status[256], msg[300];

	status_text(sup, status, sizeof(status));
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status);
	sd_notify(0, msg);
	if (sup->ops != NULL)
		snprintf(sup->ops->last_status, sizeof(sup->ops->last_status),
		    "%s", status);
}

void
sup_notify_reloading(struct sup *sup)
{
	/* MONOTONIC_USEC: newer managers (Type=notify-reload) want it. */
	sd_notifyf(0,
	    "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading the "
	    "configuration",
	    sup_monotonic_us());
}

void
sup_notify_stopping(struct sup *sup)
{
	(void)sup;
	sd_notify(0, "STOPPING=1");
	send_status(sup, true);
}

static void
start_watchdog(struct sup *sup)
{
	uint64_t usec = 0;
	struct timeval tv;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return;
	usec /= 2;
	tv.tv_sec = (time_t)(usec / 1000000);
	tv.tv_usec = (suseconds_t)(usec % 1000000);
	sup->ops->watchdog_ev =
	    event_new(sup->base, -1, EV_PERSIST, watchdog_cb, sup);
	if (sup->ops->watchdog_ev == NULL)
		abort();
	event_add(sup->ops->watchdog_ev, &tv);
	sd_notify(0, "WATCHDOG=1");
	sup_log(SUP_INFO, "event=watchdog interval_us=%llu",
	    (unsigned long long)usec);
}

void
sup_ops_start(struct sup *sup)
{
	const struct timeval period = {STATUS_PERIOD_S, 0};

	sup->ops = sup_xcalloc(1, sizeof(*sup->ops));
	sup->ops->status_ev =
	    event_new(sup->base, -1, EV_PERSIST, status_cb, sup);
	if (sup->ops->status_ev == NULL)
		abort();
	event_add(sup->ops->status_ev, &period);
	start_watchdog(sup);
	sup_metrics_start(sup);
	sup_notify_ready(sup);
	sup_log(SUP_NOTICE, "event=ready activated=%s",
	    sup->listen_activated ? "yes" : "no");
}

void
sup_ops_stop(struct sup *sup)
{
	if (sup->ops == NULL)
		return;
	sup_metrics_stop(sup);
	sup_drain_stop(sup);
	event_free(sup->ops->status_ev);
	if (sup->ops->watchdog_ev != NULL)
		event_free(sup->ops->watchdog_ev);
	free(sup->ops);
	sup->ops = NULL;
}
