/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmd/client_libevent.h: runs a libwasmd-client connection's
 * asynchronous requests from a libevent event_base (header only; the
 * library itself does not link libevent).
 *
 * Included by applications that use libevent. Usage:
 *     struct wasmd_libevent *w = wasmd_libevent_attach(conn, base);
 *     wasmd_invoke_send(conn, ..., on_done, arg);
 *     event_base_dispatch(base);       (callbacks run from the loop)
 *     wasmd_libevent_detach(w);        (before wasmd_close(conn))
 */
#ifndef WASMD_CLIENT_LIBEVENT_H
#define WASMD_CLIENT_LIBEVENT_H

#include <event2/event.h>
#include <stdlib.h>

#include <wasmd/client.h>

struct wasmd_libevent {
	wasmd_conn *conn; /* borrowed */
	struct event *ev; /* own */
};

static inline void
wasmd_libevent_read_cb_(evutil_socket_t fd, short what, void *arg)
{
	struct wasmd_libevent *w = (struct wasmd_libevent *)arg;

	(void)fd;
	(void)what;
	/* A broken connection has closed its fd: stop watching it. */
	if (wasmd_process(w->conn) != WASMD_OK &&
	    wasmd_status(w->conn) != WASMD_CONNECTION_OK)
		event_del(w->ev);
}

/*
 * Watches conn's fd in base and calls wasmd_process() when it is readable.
 * own: the result, freed with wasmd_libevent_detach(); NULL on failure.
 */
static inline struct wasmd_libevent *
wasmd_libevent_attach(wasmd_conn *conn, struct event_base *base)
{
	struct wasmd_libevent *w =
	    (struct wasmd_libevent *)calloc(1, sizeof *w);

	if (w == NULL || wasmd_fd(conn) < 0)
		goto fail;
	w->conn = conn;
	w->ev = event_new(base, wasmd_fd(conn), EV_READ | EV_PERSIST,
	    wasmd_libevent_read_cb_, w);
	if (w->ev == NULL)
		goto fail;
	if (event_add(w->ev, NULL) < 0)
		goto fail;
	return w;
fail:
	if (w != NULL && w->ev != NULL)
		event_free(w->ev);
	free(w);
	return NULL;
}

/* Stops watching and frees w; NULL is a no-op. */
static inline void
wasmd_libevent_detach(struct wasmd_libevent *w)
{
	if (w == NULL)
		return;
	event_free(w->ev);
	free(w);
}

#endif /* WASMD_CLIENT_LIBEVENT_H */
