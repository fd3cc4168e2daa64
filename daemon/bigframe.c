/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bigframe.c: receiving a large frame (budget.c grants it first) without
 * copying a pushed module's bytes in the supervisor.
 *
 * A large PushModule's wasm field goes, as its bytes arrive, into a memfd
 * and through SHA-256; the rest of the envelope (its id, the push's name
 * and options) is kept in memory and decoded by protobuf-c as a small
 * envelope whose wasm field is cut out. So the event loop never holds the
 * module in its heap, never hashes or copies it in one go, and the memfd
 * is what the validating worker maps (pool.c) and what the store copies
 * in the kernel (store.c). The supervisor still never parses WebAssembly:
 * only the protobuf wire format of the envelope around it.
 *
 * The hand parse is strict and small: it takes only the shape protobuf-c
 * writes (Envelope.id, then Envelope.push, whose fields before wasm lie in
 * the frame's first SUP_BIG_HEAD bytes) with at most SUP_BIG_HEAD bytes
 * after the module. Any other large frame (another message, a push of
 * another shape, a malformed one) is gathered whole into one buffer and
 * decoded as before, so it gets the same answer and the same error as
 * before.
 */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The head kept in memory, and the most bytes a push may carry after
 * its module, on the memfd path. */
#define SUP_BIG_HEAD (64u << 10)

enum big_mode {
	BIG_HEAD,   /* reading the head, the module's place unknown yet */
	BIG_MODULE, /* the module's bytes go to the memfd */
	BIG_WHOLE,  /* anything else: the whole frame in buf */
};

struct sup_big {
	enum big_mode mode;
	size_t len;                 /* the frame's bytes, its header included */
	size_t have;                /* received so far */
	uint8_t *buf;               /* own: BIG_WHOLE's frame, len bytes */
	uint8_t head[SUP_BIG_HEAD]; /* the frame's first bytes */
	/*
	 * BIG_MODULE: where the push's length varint starts and its body
	 * begins, where the wasm field's tag starts, and its bytes
	 * [module_at, module_at + module_len) of the frame.
	 */
	size_t push_len_at, push_body, push_len;
	size_t wasm_tag_at, module_at, module_len;
	int fd;                /* own: the module's memfd, or -1 */
	struct sup_sha256 sha; /* the module's digest so far */
	uint8_t *tail;         /* own: the bytes after the module */
	int error;             /* errno of a failed write to the memfd, or 0 */
};

enum locate { LOC_FOUND, LOC_MORE, LOC_OTHER };

/* Reads a varint at *pos (< end). LOC_MORE when cut at end. */
static enum locate
varint(const uint8_t *p, size_t *pos, size_t end, uint64_t *out)
{
	unsigned shift;

	*out = 0;
	for (shift = 0; shift < 64; shift += 7) {
		if (*pos >= end)
			return LOC_MORE;
		*out |= (uint64_t)(p[*pos] & 0x7f) << shift;
		if ((p[(*pos)++] & 0x80) == 0)
			return LOC_FOUND;
	}
	return LOC_OTHER;
}

/* Skips one field's value of wire type wt at *pos. */
static enum locate
skip_value(const uint8_t *p, size_t *pos, size_t end, unsigned wt)
{
	uint64_t v;
	enum locate r;

	switch (wt) {
	case 0: return varint(p, pos, end, &v);
	case 1: v = 8; break;
	case 5: v = 4; break;
	case 2:
		if ((r = varint(p, pos, end, &v)) != LOC_FOUND)
			return r;
		break;
	default: return LOC_OTHER;
	}
	if (v > end - *pos)
		return LOC_MORE;
	*pos += (size_t)v;
	return LOC_FOUND;
}

/* The push's fields up to its wasm field, within the head. */
static enum locate
locate_wasm(struct sup_big *b, size_t pos, size_t end)
{
	size_t push_end = b->push_body + b->push_len;
	uint64_t tag, v;
	enum locate r;

	while (pos < push_end) {
		size_t at = pos;

		if ((r = varint(b->head, &pos, end, &tag)) != LOC_FOUND)
			return r;
		if (tag != (1 << 3 | 2)) {
			if ((r = skip_value(b->head, &pos, end, tag & 7)) !=
			    LOC_FOUND)
				return r;
			continue;
		}
		if ((r = varint(b->head, &pos, end, &v)) != LOC_FOUND)
			return r;
		if (v == 0 || v > push_end - pos)
			return LOC_OTHER;
		b->wasm_tag_at = at;
		b->module_at = pos;
		b->module_len = (size_t)v;
		return b->len - (pos + v) <= SUP_BIG_HEAD ? LOC_FOUND
		                                          : LOC_OTHER;
	}
	return LOC_OTHER;
}

/*
 * Where the module's bytes lie, from the head alone: LOC_MORE while the
 * head may still tell, LOC_OTHER for a frame of another shape.
 */
static enum locate
locate(struct sup_big *b)
{
	size_t end = b->have < SUP_BIG_HEAD ? b->have : SUP_BIG_HEAD;
	size_t pos = WP_HEADER_SIZE;
	uint64_t tag, v;
	enum locate r;

	if ((r = varint(b->head, &pos, end, &tag)) != LOC_FOUND)
		return r;
	if (tag == (1 << 3 | 0)) { /* Envelope.id */
		if ((r = varint(b->head, &pos, end, &v)) != LOC_FOUND)
			return r;
		if ((r = varint(b->head, &pos, end, &tag)) != LOC_FOUND)
			return r;
	}
	if (tag != (5 << 3 | 2)) /* Envelope.push */
		return LOC_OTHER;
	b->push_len_at = pos;
	if ((r = varint(b->head, &pos, end, &v)) != LOC_FOUND)
		return r;
	if (v > b->len - pos)
		return LOC_OTHER;
	b->push_body = pos;
	b->push_len = (size_t)v;
	return locate_wasm(b, pos, end);
}

/* BIG_MODULE: n bytes at b->have go to the memfd or the tail. */
static void
take_module(struct sup_big *b, const uint8_t *p, size_t n)
{
	size_t module_end = b->module_at + b->module_len;

	while (n > 0) {
		size_t k;

		if (b->have < module_end) {
			k = module_end - b->have < n ? module_end - b->have : n;
			sup_sha256_update(&b->sha, p, k);
			if (b->error == 0)
				b->error = sup_write_all(b->fd, p, k);
		} else {
			k = n;
			memcpy(b->tail + (b->have - module_end), p, k);
		}
		b->have += k;
		p += k;
		n -= k;
	}
}

/* Gives up the memfd path: the frame is gathered whole, as before. */
static int
go_whole(struct sup_big *b)
{
	b->mode = BIG_WHOLE;
	/* budget.c granted it; malloc touches no page yet. */
	b->buf = malloc(b->len);
	if (b->buf == NULL)
		return -1;
	memcpy(b->buf, b->head, b->have);
	return 0;
}

/* The head is complete enough: on to the module's bytes. */
static int
go_module(struct sup_big *b)
{
	size_t had = b->have;

	b->fd = memfd_create("wasmd-push", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	b->tail = malloc(b->len - (b->module_at + b->module_len) + 1);
	if (b->fd < 0 || b->tail == NULL)
		return -1;
	sup_sha256_begin(&b->sha);
	b->mode = BIG_MODULE;
	/* What the head holds past the module's start goes the same way. */
	b->have = b->module_at;
	take_module(b, b->head + b->module_at, had - b->module_at);
	return 0;
}

struct sup_big *
sup_big_new(size_t len)
{
	/* Large enough for fresh zeroed pages: the head costs what it uses. */
	struct sup_big *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->len = len;
	b->fd = -1;
	return b;
}

void
sup_big_free(struct sup_big *b)
{
	if (b == NULL)
		return;
	if (b->fd >= 0)
		close(b->fd);
	if (b->mode == BIG_MODULE)
		sup_sha256_end(&b->sha, NULL);
	free(b->tail);
	free(b->buf);
	free(b);
}

/* Head bytes from in; then the mode is chosen when the head tells. */
static int
feed_head(struct sup_big *b, struct evbuffer *in)
{
	size_t room = (b->len < SUP_BIG_HEAD ? b->len : SUP_BIG_HEAD) - b->have;
	int n = evbuffer_remove(in, b->head + b->have, room);
	enum locate r;

	if (n > 0)
		b->have += (size_t)n;
	r = locate(b);
	if (r == LOC_FOUND)
		return go_module(b);
	if (r == LOC_OTHER || b->have == b->len || b->have == SUP_BIG_HEAD)
		return go_whole(b);
	return 0;
}

/* The module's bytes (and the tail) from in, without a copy in between. */
static void
feed_module(struct sup_big *b, struct evbuffer *in)
{
	struct evbuffer_iovec v[16];
	size_t want = b->len - b->have, got = 0;
	int i, n = evbuffer_peek(in, (ev_ssize_t)want, NULL, v, 16);

	for (i = 0; i < n && i < 16 && got < want; i++) {
		size_t k =
		    v[i].iov_len < want - got ? v[i].iov_len : want - got;

		take_module(b, v[i].iov_base, k);
		got += k;
	}
	evbuffer_drain(in, got);
}

int
sup_big_feed(struct sup_big *b, struct evbuffer *in)
{
	size_t before;

	do {
		before = evbuffer_get_length(in);
		if (b->mode == BIG_HEAD && feed_head(b, in) != 0)
			return -1;
		if (b->mode == BIG_MODULE)
			feed_module(b, in);
		if (b->mode == BIG_WHOLE) {
			int n = evbuffer_remove(
			    in, b->buf + b->have, b->len - b->have);
			if (n > 0)
				b->have += (size_t)n;
		}
	} while (b->have < b->len && evbuffer_get_length(in) > 0 &&
	    evbuffer_get_length(in) < before);
	return 0;
}

bool
sup_big_complete(const struct sup_big *b)
{
	return b->have == b->len;
}

bool
sup_big_holds_module(const struct sup_big *b)
{
	return b->mode == BIG_MODULE;
}

/* Puts v as a varint at p; returns its length. */
static size_t
put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	do {
		p[n++] = (uint8_t)(v & 0x7f) | (v > 0x7f ? 0x80 : 0);
		v >>= 7;
	} while (v != 0);
	return n;
}

/*
 * The envelope without its wasm field, framed: the head up to the push's
 * length, that length less the wasm field, the push's fields before wasm,
 * and the tail. own: the result (free()).
 */
static uint8_t *
small_frame(const struct sup_big *b, size_t *len)
{
	size_t tail = b->len - (b->module_at + b->module_len);
	size_t cut = b->module_at - b->wasm_tag_at + b->module_len;
	size_t before = b->wasm_tag_at - b->push_body, n = WP_HEADER_SIZE;
	uint8_t *f = malloc(b->push_len_at + 10 + before + tail);

	if (f == NULL)
		return NULL;
	memcpy(f + n, b->head + n, b->push_len_at - n);
	n = b->push_len_at;
	n += put_varint(f + n, b->push_len - cut);
	memcpy(f + n, b->head + b->push_body, before);
	n += before;
	memcpy(f + n, b->tail, tail);
	n += tail;
	f[0] = (uint8_t)((n - WP_HEADER_SIZE) >> 24);
	f[1] = (uint8_t)((n - WP_HEADER_SIZE) >> 16);
	f[2] = (uint8_t)((n - WP_HEADER_SIZE) >> 8);
	f[3] = (uint8_t)(n - WP_HEADER_SIZE);
	*len = n;
	return f;
}

/* BIG_MODULE, complete: the small envelope, and the module as a memfd. */
static enum sup_frame_status
finish_module(struct sup_big *b, size_t max, Wasmd__Envelope **out,
    struct sup_wasm *wasm, char *err, size_t errlen)
{
	size_t len = 0, consumed = 0;
	uint8_t *f;
	wp_parse r;

	if (b->error != 0 ||
	    fcntl(b->fd, F_ADD_SEALS,
	        F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) !=
	        0) {
		snprintf(err, errlen, "cannot keep a pushed module: %s",
		    strerror(b->error ? b->error : errno));
		return SUP_FRAME_BAD;
	}
	if ((f = small_frame(b, &len)) == NULL) {
		snprintf(err, errlen, "out of memory decoding a frame");
		return SUP_FRAME_BAD;
	}
	r = wp_frame_parse(f, len, max, out, &consumed, err, errlen);
	free(f);
	if (r != WP_FRAME)
		return SUP_FRAME_BAD;
	/* Another message, or a second wasm field, after the first. */
	if ((*out)->msg_case != WASMD__ENVELOPE__MSG_PUSH ||
	    (*out)->push->wasm.len != 0) {
		wasmd__envelope__free_unpacked(*out, NULL);
		*out = NULL;
		snprintf(err, errlen,
		    "malformed push: more than one message or module in a "
		    "frame");
		return SUP_FRAME_BAD;
	}
	sup_sha256_end(&b->sha, wasm->digest);
	b->mode = BIG_WHOLE; /* the digest is taken */
	wasm->fd = b->fd;
	wasm->len = b->module_len;
	b->fd = -1;
	return SUP_FRAME_OK;
}

enum sup_frame_status
sup_big_decode(struct sup_big *b, size_t max, Wasmd__Envelope **out,
    struct sup_wasm *wasm, char *err, size_t errlen)
{
	size_t consumed = 0;

	*out = NULL;
	wasm->fd = -1;
	wasm->len = 0;
	if (b->mode == BIG_MODULE)
		return finish_module(b, max, out, wasm, err, errlen);
	return wp_frame_parse(
	           b->buf, b->len, max, out, &consumed, err, errlen) == WP_FRAME
	    ? SUP_FRAME_OK
	    : SUP_FRAME_BAD;
}
