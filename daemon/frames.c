/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frames.c: wasmd frames (proto/frame.h) over libevent bufferevents.
 *
 * Both the client sessions and the worker sockets use these. The announced
 * length is checked against the maximum from the 4-byte header alone, before
 * the body is gathered into one contiguous buffer, so an oversized frame
 * costs nothing but its header. A frame to send goes to the socket at
 * once when nothing waits before it (sup_frame_send_packed).
 */
#include "sup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum sup_frame_status
sup_frame_next(struct evbuffer *in, size_t max, const char *limit,
    Wasmd__Envelope **out, char *err, size_t errlen)
{
	uint8_t hdr[WP_HEADER_SIZE];
	size_t have = evbuffer_get_length(in), consumed = 0, need;
	const uint8_t *p;
	wp_parse r;

	*out = NULL;
	if (have < WP_HEADER_SIZE)
		return SUP_FRAME_NONE;
	evbuffer_copyout(in, hdr, sizeof(hdr));
	/* The header alone tells whether the frame is too big. */
	r = wp_frame_parse(hdr, sizeof(hdr), max, out, &consumed, err, errlen);
	if (r == WP_TOO_BIG) {
		size_t n = strlen(err);

		snprintf(err + n, errlen - n, " (%s)", limit);
	}
	if (r == WP_TOO_BIG || r == WP_BAD)
		return SUP_FRAME_BAD;
	if (r == WP_FRAME) /* an empty body: decoded already */
		goto done;
	need = WP_HEADER_SIZE +
	    ((size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 |
	        (size_t)hdr[3]);
	if (have < need)
		return SUP_FRAME_NONE;
	p = evbuffer_pullup(in, (ssize_t)need);
	if (p == NULL) {
		snprintf(err, errlen, "out of memory gathering a frame");
		return SUP_FRAME_BAD;
	}
	r = wp_frame_parse(p, need, max, out, &consumed, err, errlen);
	if (r != WP_FRAME)
		return SUP_FRAME_BAD;
done:
	evbuffer_drain(in, consumed);
	return SUP_FRAME_OK;
}

size_t
sup_worker_reply_max(const struct sup_config *c)
{
	uint64_t cap = WP_REPLY_MAX;

	if (c->max_module_info > WP_REPLY_MAX - WP_REPLY_INFO_SLACK)
		cap = c->max_module_info + WP_REPLY_INFO_SLACK;
	return cap < c->max_frame ? (size_t)cap : c->max_frame;
}

const char *
sup_worker_reply_limit(const struct sup_config *c)
{
	size_t cap = sup_worker_reply_max(c);

	if (cap == c->max_frame)
		return SUP_MAX_FRAME_LIMIT;
	if (cap > WP_REPLY_MAX)
		return "wasmd --max-module-info, plus 4 KiB: a worker's reply "
		       "limit, wasmd(8) SECURITY";
	return "a worker's reply limit, wasmd(8) SECURITY";
}

static void
free_frame_cb(const void *data, size_t len, void *arg)
{
	free((void *)data);
}

/*
 * Writes what the socket takes of buf now, without blocking: the bytes
 * sent, 0 when none (full, or an error the bufferevent then meets and
 * reports on its own write).
 */
static size_t
send_now(evutil_socket_t fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n > 0 ? (size_t)n : 0;
}

int
sup_frame_send_packed(struct bufferevent *bev, uint8_t *buf, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(bev);
	size_t sent = 0;
	int rc;

	/*
	 * Nothing queued before it: straight to the socket, which nearly
	 * always takes a whole reply or job. Through the bufferevent it would
	 * cost a write event added and deleted (two epoll_ctl) and a loop
	 * turn before the write; only what the socket does not take now goes
	 * that way. A bufferevent not writing (a session being dropped) keeps
	 * its frames queued, unsent.
	 */
	if (evbuffer_get_length(out) == 0 &&
	    (bufferevent_get_enabled(bev) & EV_WRITE))
		sent = send_now(bufferevent_getfd(bev), buf, len);
	if (sent == len) {
		free(buf);
		return 0;
	}
	if (sent > 0) {
		rc = evbuffer_add(out, buf + sent, len - sent);
		free(buf);
		return rc;
	}
	/* The buffer is handed over without a copy; libevent frees it. */
	if (evbuffer_add_reference(out, buf, len, free_frame_cb, NULL) != 0) {
		free(buf);
		return -1;
	}
	return 0;
}

int
sup_frame_send(struct bufferevent *bev, const Wasmd__Envelope *env)
{
	size_t len;
	uint8_t *buf = wp_frame_pack(env, &len);

	if (buf == NULL)
		return -1;
	return sup_frame_send_packed(bev, buf, len);
}
