/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exchange.c: moving envelopes over a libwasmd-client connection: sending
 * requests under fresh ids, the buffered frame reader (blocking for the
 * blocking calls, non-blocking for wasmd_process()), and waiting for one
 * reply while handing other replies to their asynchronous callbacks.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

#define WC_READ_CHUNK (64u << 10)

wasmd_error
wc_fail_from_pb(wasmd_conn *conn, const Wasmd__Error *e)
{
	wasmd_error code = (wasmd_error)e->code;
	const char *msg = e->message != NULL ? e->message : "";

	/* A code this library does not know keeps its message. */
	if (e->code < 1 || e->code > 15)
		code = WASMD_ERR_INTERNAL;
	return wc_fail(
	    conn, code, "%s", msg[0] != '\0' ? msg : wasmd_strerror(code));
}

/*
 * Takes the first whole frame out of the read buffer. Returns 1 with *env
 * set, 0 when the buffer holds no whole frame, -1 (connection broken) for
 * a frame that is too big or does not decode.
 */
static int
take_buffered(wasmd_conn *conn, Wasmd__Envelope **env)
{
	char err[256];
	size_t used = 0;
	wp_parse r = wp_frame_parse(conn->rbuf, conn->rlen, conn->max_frame,
	    env, &used, err, sizeof err);

	if (r == WP_NEED_MORE)
		return 0;
	if (r != WP_FRAME) {
		wc_fail(
		    conn, WASMD_ERR_PROTOCOL, "bad frame from wasmd: %s", err);
		wc_break(conn);
		return -1;
	}
	memmove(conn->rbuf, conn->rbuf + used, conn->rlen - used);
	conn->rlen -= used;
	return 1;
}

/* Room for the rest of the frame being read (its size is checked against
 * max_frame by take_buffered() first), or one more chunk. */
static int
grow_buffer(wasmd_conn *conn)
{
	size_t need = conn->rlen + WC_READ_CHUNK;
	uint8_t *nb;

	if (conn->rlen >= WP_HEADER_SIZE) {
		size_t body = (size_t)conn->rbuf[0] << 24 |
		    (size_t)conn->rbuf[1] << 16 | (size_t)conn->rbuf[2] << 8 |
		    conn->rbuf[3];

		if (WP_HEADER_SIZE + body > need)
			need = WP_HEADER_SIZE + body;
	}
	if (need <= conn->rcap)
		return 0;
	nb = realloc(conn->rbuf, need);
	if (nb == NULL) {
		wc_fail(conn, WASMD_ERR_NOMEM, "out of memory reading a reply");
		wc_break(conn);
		return -1;
	}
	conn->rbuf = nb;
	conn->rcap = need;
	return 0;
}

/* Reads what the socket has. Returns 1 after reading, 0 when a
 * non-blocking read finds nothing, -1 when the connection broke. */
static int
fill_buffer(wasmd_conn *conn, bool block)
{
	ssize_t n;

	if (grow_buffer(conn) < 0)
		return -1;
	do
		n = recv(conn->fd, conn->rbuf + conn->rlen,
		    conn->rcap - conn->rlen, block ? 0 : MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && !block && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0) {
		wc_fail(conn, WASMD_ERR_IO, "reading from wasmd: %s",
		    n == 0 ? (conn->rlen > 0 ? "connection closed in the "
		                               "middle of a frame"
		                             : "connection closed")
		           : strerror(errno));
		wc_break(conn);
		return -1;
	}
	conn->rlen += (size_t)n;
	return 1;
}

int
wc_read_frame(wasmd_conn *conn, bool block, Wasmd__Envelope **env)
{
	*env = NULL;
	/* What a host callback's memory round trip set aside comes first. */
	if (!conn->deferring && wc_take_deferred(conn, env))
		return 1;
	for (;;) {
		int r;

		if (conn->fd < 0)
			return -1;
		r = take_buffered(conn, env);
		if (r != 0)
			return r;
		r = fill_buffer(conn, block);
		if (r <= 0)
			return r;
	}
}

/*
 * After a failed send: a daemon that refuses a connection (too many
 * clients, draining) writes an Error and closes, and our write may lose
 * the race. If that Error is already waiting, it explains the failure
 * better than EPIPE. poll() with no timeout keeps this from ever blocking.
 */
static bool
salvage_error(wasmd_conn *conn)
{
	struct pollfd pfd = {.fd = conn->fd, .events = POLLIN};
	Wasmd__Envelope *env = NULL;
	char err[256];
	bool found = false;

	if (conn->rlen > 0 || poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLIN))
		return false;
	if (wp_read_envelope(conn->fd, conn->max_frame, &env, err, sizeof err) <
	    0)
		return false;
	if (env->msg_case == WASMD__ENVELOPE__MSG_ERROR) {
		wc_fail_from_pb(conn, env->error);
		found = true;
	}
	wasmd__envelope__free_unpacked(env, NULL);
	return found;
}

int
wc_send_envelope(wasmd_conn *conn, const Wasmd__Envelope *env)
{
	char err[256];

	if (wp_write_envelope(conn->fd, env, err, sizeof err) < 0) {
		if (!salvage_error(conn))
			wc_fail(
			    conn, WASMD_ERR_IO, "sending to wasmd: %s", err);
		wc_break(conn);
		return -1;
	}
	return 0;
}

wasmd_error
wc_send(wasmd_conn *conn, Wasmd__Envelope *req, uint64_t *id)
{
	size_t size;

	if (conn->status != WASMD_CONNECTION_OK || conn->fd < 0) {
		char why[WC_ERRMSG_MAX];

		/* The message that broke the connection explains this one. */
		memcpy(why, conn->errmsg, sizeof why);
		if (strncmp(why, "not connected", 13) == 0)
			return wc_fail(conn, WASMD_ERR_IO, "%s", why);
		return wc_fail(conn, WASMD_ERR_IO, "not connected to wasmd%s%s",
		    why[0] != '\0' ? ": " : "", why);
	}
	size = wasmd__envelope__get_packed_size(req);
	if (size > conn->max_frame)
		return wc_fail(conn, WASMD_ERR_LIMIT,
		    "the request needs %zu bytes, more than the largest frame "
		    "(%zu bytes)",
		    size, conn->max_frame);
	req->id = conn->next_id++;
	if (wc_send_envelope(conn, req) < 0)
		return conn->code;
	*id = req->id;
	return WASMD_OK;
}

/*
 * The guest called a host import, but this version registers no host
 * functions: answer with an error so the guest traps instead of waiting.
 */
int
wc_refuse_host_call(wasmd_conn *conn, uint64_t id)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__HostReply reply = WASMD__HOST_REPLY__INIT;

	reply.error = "no host function registered";
	env.id = id;
	env.msg_case = WASMD__ENVELOPE__MSG_HOST_REPLY;
	env.host_reply = &reply;
	return wc_send_envelope(conn, &env);
}

/*
 * Whether env answers request id. The daemon may also report a
 * connection-level Error with id 0 just before it closes.
 */
static bool
answers(const Wasmd__Envelope *env, uint64_t id)
{
	return env->msg_case != WASMD__ENVELOPE__MSG_HOST_CALL &&
	    env->msg_case != WASMD__ENVELOPE__MSG_OUTPUT &&
	    (env->id == id ||
	        (env->id == 0 && env->msg_case == WASMD__ENVELOPE__MSG_ERROR));
}

wasmd_error
wc_await(wasmd_conn *conn, uint64_t id, Wasmd__Envelope__MsgCase want,
    Wasmd__Envelope **reply)
{
	Wasmd__Envelope *env = NULL;
	int r;

	*reply = NULL;
	conn->awaiting = true;
	for (;;) {
		r = wc_read_frame(conn, true, &env);
		if (r < 0 || answers(env, id))
			break;
		/* Not ours: a host call, or another request's reply. */
		r = wc_dispatch(conn, env);
		if (r < 0)
			break;
	}
	conn->awaiting = false;
	if (r < 0)
		return conn->code;
	if (env->msg_case == WASMD__ENVELOPE__MSG_ERROR) {
		wasmd_error code = wc_fail_from_pb(conn, env->error);

		wasmd__envelope__free_unpacked(env, NULL);
		return code;
	}
	if (env->msg_case != want) {
		wc_fail(conn, WASMD_ERR_PROTOCOL,
		    "the daemon sent an unexpected reply (message %d, "
		    "expected %d)",
		    (int)env->msg_case, (int)want);
		wasmd__envelope__free_unpacked(env, NULL);
		wc_break(conn);
		return WASMD_ERR_PROTOCOL;
	}
	*reply = env;
	return wc_ok(conn);
}

wasmd_error
wc_request(wasmd_conn *conn, Wasmd__Envelope *req,
    Wasmd__Envelope__MsgCase want, Wasmd__Envelope **reply)
{
	uint64_t id = 0;
	wasmd_error rc;

	*reply = NULL;
	/* A callback run while another blocking call waits cannot wait
	 * itself: it would read (and lose) the outer call's reply. */
	if (conn->awaiting)
		return wc_fail(conn, WASMD_ERR_INVALID,
		    "a blocking call cannot be made from a callback that runs "
		    "during another blocking call; use wasmd_invoke_send()");
	rc = wc_send(conn, req, &id);
	if (rc == WASMD_OK)
		rc = wc_await(conn, id, want, reply);
	/* Requests started with wasmd_invoke_send() cannot finish now. */
	if (conn->status != WASMD_CONNECTION_OK)
		wc_fail_pending(conn);
	return rc;
}
