/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frames.c: wasmd frames (proto/frame.h) over libevent bufferevents.
 *
 * Both the client sessions and the worker sockets use these. The announced
 * length is checked against the maximum from the 4-byte header alone, before
 * the body is gathered into one contiguous buffer, so an oversized frame
 * costs nothing but its header.
 */
#include "sup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sup_frame_status
sup_frame_next(struct evbuffer *in, size_t max, Wasmd__Envelope **out,
    char *err, size_t errlen)
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

		snprintf(err + n, errlen - n,
		    " (wasmd --max-frame, max-frame in wasmd.conf)");
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

static void
free_frame_cb(const void *data, size_t len, void *arg)
{
	free((void *)data);
}

int
sup_frame_send(struct bufferevent *bev, const Wasmd__Envelope *env)
{
	size_t len;
	uint8_t *buf = wp_frame_pack(env, &len);

	if (buf == NULL)
		return -1;
	/* The buffer is handed over without a copy; libevent frees it. */
	if (evbuffer_add_reference(bufferevent_get_output(bev), buf, len,
	        free_frame_cb, NULL) != 0) {
		free(buf);
		return -1;
	}
	return 0;
}
