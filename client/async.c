/* SPDX-License-Identifier: Apache-2.0 */
/*
 * async.c: libwasmd-client's event-loop interface. wasmd_invoke_send()
 * sends an Invoke and records a callback; wasmd_process(), called when the
 * connection's fd is readable, reads what has arrived without blocking and
 * runs the callbacks of the requests it answers. The library owns no loop
 * (include/wasmd/client_libevent.h adapts it to libevent).
 *
 * Blocking calls and asynchronous ones may share a connection: a blocking
 * call that meets another request's reply hands it to wc_dispatch() too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Removes and returns the pending entry for id, if there is one. */
static bool
take_pending(wasmd_conn *conn, uint64_t id, struct wc_pending *out)
{
	for (size_t i = 0; i < conn->npending; i++) {
		if (conn->pending[i].id != id)
			continue;
		*out = conn->pending[i];
		memmove(&conn->pending[i], &conn->pending[i + 1],
		    (conn->npending - i - 1) * sizeof *conn->pending);
		conn->npending--;
		return true;
	}
	return false;
}

/* Room for one more entry, made before the request is sent so a sent
 * request always has its callback recorded. */
static int
reserve_pending(wasmd_conn *conn)
{
	struct wc_pending *np;
	size_t cap;

	if (conn->npending < conn->cap_pending)
		return 0;
	cap = conn->cap_pending ? conn->cap_pending * 2 : 8;
	np = realloc(conn->pending, cap * sizeof *np);
	if (np == NULL)
		return -1;
	conn->pending = np;
	conn->cap_pending = cap;
	return 0;
}

/* Runs p's callback with the outcome env carries. */
static void
complete(wasmd_conn *conn, const struct wc_pending *p, Wasmd__Envelope *env)
{
	wasmd_result *result = NULL;
	wasmd_error rc;

	if (env->msg_case == WASMD__ENVELOPE__MSG_ERROR)
		rc = wc_fail_from_pb(conn, env->error);
	else if (env->msg_case != WASMD__ENVELOPE__MSG_INVOKE_RESULT)
		rc = wc_fail(conn, WASMD_ERR_PROTOCOL,
		    "the daemon answered an invoke with message %d",
		    (int)env->msg_case);
	else {
		rc = wc_result_from_pb(conn, env->invoke_result, &result);
		if (rc == WASMD_OK)
			wc_ok(conn);
	}
	wc_stream_close(conn, p->id, result);
	wc_hosts_close(conn, p->id);
	p->cb(conn, rc, result, p->arg);
}

int
wc_dispatch(wasmd_conn *conn, Wasmd__Envelope *env)
{
	struct wc_pending p;
	int r = 0;

	if (env->msg_case == WASMD__ENVELOPE__MSG_HOST_CALL) {
		r = wc_host_call(conn, env); /* host.c */
	} else if (env->msg_case == WASMD__ENVELOPE__MSG_OUTPUT) {
		wc_stream_output(conn, env);
	} else if (env->id != 0 && take_pending(conn, env->id, &p)) {
		complete(conn, &p, env);
	} else if (env->id == 0 &&
	    env->msg_case == WASMD__ENVELOPE__MSG_ERROR) {
		/* The daemon gives up on the whole connection. */
		wc_fail_from_pb(conn, env->error);
		wc_break(conn);
		r = -1;
	}
	/* Anything else answers nothing we asked: dropped. */
	wasmd__envelope__free_unpacked(env, NULL);
	return conn->fd < 0 ? -1 : r;
}

void
wc_fail_pending(wasmd_conn *conn)
{
	wasmd_error code = conn->code != WASMD_OK ? conn->code : WASMD_ERR_IO;
	char msg[WC_ERRMSG_MAX];

	memcpy(msg, conn->errmsg, sizeof msg);
	if (msg[0] == '\0')
		snprintf(msg, sizeof msg, "the connection to wasmd broke");
	/* One at a time from the front: a callback may start new requests
	 * (which fail at once on a broken connection). */
	while (conn->npending > 0) {
		struct wc_pending p = conn->pending[0];

		take_pending(conn, p.id, &p);
		wc_stream_close(conn, p.id, NULL);
		wc_hosts_close(conn, p.id);
		wc_fail(conn, code, "%s", msg);
		p.cb(conn, code, NULL, p.arg);
	}
	wc_fail(conn, code, "%s", msg);
}

wasmd_error
wasmd_invoke_send(wasmd_conn *conn, const char *ref, const char *export_name,
    const wasmd_value *args, size_t nargs, const wasmd_invoke_options *opts,
    wasmd_invoke_cb cb, void *arg)
{
	struct wc_invoke_req req;
	uint64_t id = 0;
	wasmd_error rc;

	if (conn == NULL)
		return WASMD_ERR_INVALID;
	if (cb == NULL)
		return wc_fail(conn, WASMD_ERR_INVALID,
		    "wasmd_invoke_send: a callback is required");
	if (reserve_pending(conn) < 0)
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	/* The request's id is the next one: its output has a place first. */
	if (wc_stream_open(conn, conn->next_id, opts) < 0)
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	id = conn->next_id;
	rc =
	    wc_invoke_req_init(conn, &req, ref, export_name, args, nargs, opts);
	if (rc == WASMD_OK) /* host functions: bound to id (host.c) */
		rc = wc_hosts_open(conn, id, opts, &req.inv);
	if (rc == WASMD_OK)
		rc = wc_send(conn, &req.env, &id);
	wc_invoke_req_free(&req);
	if (rc != WASMD_OK) {
		wc_stream_close(conn, id, NULL);
		wc_hosts_close(conn, id);
		return rc;
	}
	conn->pending[conn->npending++] =
	    (struct wc_pending){.id = id, .cb = cb, .arg = arg};
	return wc_ok(conn);
}

wasmd_error
wasmd_process(wasmd_conn *conn)
{
	Wasmd__Envelope *env = NULL;
	int r;

	if (conn == NULL)
		return WASMD_ERR_INVALID;
	while ((r = wc_read_frame(conn, false, &env)) > 0) {
		if (wc_dispatch(conn, env) < 0) {
			r = -1;
			break;
		}
	}
	if (r < 0) {
		wc_fail_pending(conn);
		return conn->code;
	}
	return WASMD_OK;
}

wasmd_error
wc_send_tracked(
    wasmd_conn *conn, Wasmd__Envelope *env, wasmd_invoke_cb cb, void *arg)
{
	uint64_t id = 0;
	wasmd_error rc;

	if (cb == NULL)
		return wc_fail(
		    conn, WASMD_ERR_INVALID, "a callback is required");
	if (reserve_pending(conn) < 0)
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	rc = wc_send(conn, env, &id);
	if (rc != WASMD_OK)
		return rc;
	conn->pending[conn->npending++] =
	    (struct wc_pending){.id = id, .cb = cb, .arg = arg};
	return wc_ok(conn);
}

size_t
wasmd_pending(const wasmd_conn *conn)
{
	return conn != NULL ? conn->npending : 0;
}
