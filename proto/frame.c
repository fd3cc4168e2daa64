/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frame.c: the wasmd frame format (proto/frame.h): a 4-byte big-endian
 * length followed by one encoded Wasmd__Envelope.
 *
 * Everything read here comes from an untrusted peer, so the length is
 * compared with the caller's maximum before a byte is allocated, the whole
 * frame must be present before it is decoded, and an envelope that decodes
 * but carries no message is rejected like one that does not decode. The
 * blocking helpers are used by the client library and the worker; the
 * supervisor parses from its own buffers with wp_frame_parse().
 */
#include "frame.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

uint8_t *
wp_frame_pack(const Wasmd__Envelope *env, size_t *len)
{
	size_t body = wasmd__envelope__get_packed_size(env);
	uint8_t *buf;

	/* The header holds 32 bits; a larger body cannot be framed. */
	if (body > UINT32_MAX)
		return NULL;
	buf = malloc(WP_HEADER_SIZE + body);
	if (buf == NULL)
		return NULL;
	put_be32(buf, (uint32_t)body);
	wasmd__envelope__pack(env, buf + WP_HEADER_SIZE);
	*len = WP_HEADER_SIZE + body;
	return buf;
}

/*
 * An allocator with a budget for one decode. A few wire bytes can ask for
 * a large struct (two bytes per empty repeated message), so without a
 * budget a frame within the size limit could still make the decoder
 * allocate many times its size. The memory comes from malloc(), so the
 * envelope is freed as usual with a NULL allocator.
 */
struct decode_budget {
	size_t left;
	bool exhausted; /* an allocation was refused */
};

static void *
budget_alloc(void *data, size_t size)
{
	struct decode_budget *b = data;

	if (size > b->left) {
		b->exhausted = true;
		return NULL;
	}
	b->left -= size;
	return malloc(size);
}

static void
budget_free(void *data, void *p)
{
	(void)data;
	free(p);
}

/* Reads a varint at *p (below end); false when it is cut or too long. */
static bool
wire_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return true;
	}
	return false;
}

/*
 * Whether no string field of the message (of descriptor d) in p..end, or of
 * a message nested in it, holds a NUL byte. protobuf-c hands strings over
 * as C strings, which would silently end at the first NUL ("ok\0../x" is
 * "ok"): such a frame is refused instead. The frame decoded already, so
 * this only walks it; it still checks every bound.
 */
static bool
wire_strings_ok(const ProtobufCMessageDescriptor *d, const uint8_t *p,
    const uint8_t *end, unsigned depth)
{
	uint64_t key, len;

	if (depth > 64)
		return false;
	while (p < end) {
		const ProtobufCFieldDescriptor *f;

		if (!wire_varint(&p, end, &key))
			return false;
		f = protobuf_c_message_descriptor_get_field(
		    d, (unsigned)(key >> 3));
		switch (key & 7) {
		case 0:
			if (!wire_varint(&p, end, &len))
				return false;
			break;
		case 1:
		case 5: {
			size_t n = (key & 7) == 1 ? 8 : 4;
			if ((size_t)(end - p) < n)
				return false;
			p += n;
			break;
		}
		case 2:
			if (!wire_varint(&p, end, &len) ||
			    len > (uint64_t)(end - p))
				return false;
			if (f != NULL && f->type == PROTOBUF_C_TYPE_STRING &&
			    memchr(p, 0, (size_t)len) != NULL)
				return false;
			if (f != NULL && f->type == PROTOBUF_C_TYPE_MESSAGE &&
			    !wire_strings_ok(
			        f->descriptor, p, p + len, depth + 1))
				return false;
			p += len;
			break;
		default: return false;
		}
	}
	return true;
}

/*
 * Decodes one frame body. protobuf-c rejects truncated fields and bad wire
 * types; an envelope without a message is ours to reject.
 */
static wp_parse
decode_body(const uint8_t *body, size_t n, Wasmd__Envelope **out, char *err,
    size_t errlen)
{
	struct decode_budget budget = {
	    .left = n > (SIZE_MAX - WP_DECODE_SLACK) / WP_DECODE_FACTOR
	        ? SIZE_MAX
	        : n * WP_DECODE_FACTOR + WP_DECODE_SLACK,
	};
	ProtobufCAllocator alloc = {.alloc = budget_alloc,
	    .free = budget_free,
	    .allocator_data = &budget};
	Wasmd__Envelope *env = wasmd__envelope__unpack(&alloc, n, body);

	if (env == NULL) {
		set_err(err, errlen,
		    budget.exhausted
		        ? "malformed frame (%zu bytes would decode to too much "
		          "memory)"
		        : "malformed frame (%zu bytes do not decode)",
		    n);
		return WP_BAD;
	}
	if (env->msg_case == WASMD__ENVELOPE__MSG__NOT_SET) {
		wasmd__envelope__free_unpacked(env, NULL);
		set_err(err, errlen, "frame carries no message");
		return WP_BAD;
	}
	if (!wire_strings_ok(&wasmd__envelope__descriptor, body, body + n, 0)) {
		wasmd__envelope__free_unpacked(env, NULL);
		set_err(err, errlen,
		    "malformed frame: a string field holds a NUL byte (names, "
		    "refs and other strings may not contain one)");
		return WP_BAD;
	}
	*out = env;
	return WP_FRAME;
}

wp_parse
wp_frame_parse(const uint8_t *buf, size_t len, size_t max,
    Wasmd__Envelope **out, size_t *consumed, char *err, size_t errlen)
{
	uint32_t body;
	wp_parse r;

	*out = NULL;
	if (len < WP_HEADER_SIZE)
		return WP_NEED_MORE;
	body = get_be32(buf);
	if (body > max) {
		set_err(err, errlen,
		    "frame of %" PRIu32 " bytes exceeds the limit of %zu", body,
		    max);
		return WP_TOO_BIG;
	}
	if (len - WP_HEADER_SIZE < body)
		return WP_NEED_MORE;
	r = decode_body(buf + WP_HEADER_SIZE, body, out, err, errlen);
	if (r == WP_FRAME)
		*consumed = WP_HEADER_SIZE + (size_t)body;
	return r;
}

/*
 * Writes all of buf. send() with MSG_NOSIGNAL turns a vanished peer into
 * EPIPE instead of a SIGPIPE that would kill the process; fds that are not
 * sockets (pipes in tests) fall back to write().
 */
static int
write_all(int fd, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	int use_send = 1;

	while (len > 0) {
		ssize_t n;

		if (use_send)
			n = send(fd, buf, len, MSG_NOSIGNAL);
		else
			n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (use_send && errno == ENOTSOCK) {
				use_send = 0;
				continue;
			}
			set_err(err, errlen, "write failed: %s",
			    errno == EPIPE ? "connection closed"
			                   : strerror(errno));
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Keeps the descriptors of an SCM_RIGHTS message in the free (-1) slots of
 * passed (WP_FDS_MAX of them), in order, and closes any beyond: a peer
 * gets to pass WP_FDS_MAX per frame.
 */
static void
take_fds(struct msghdr *mh, int *passed)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t k, i;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			size_t slot = 0;
			int got;

			memcpy(
			    &got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
			while (slot < WP_FDS_MAX && passed[slot] >= 0)
				slot++;
			if (slot < WP_FDS_MAX)
				passed[slot] = got;
			else
				close(got);
		}
	}
}

/* Closes the descriptors kept in passed (WP_FDS_MAX slots); all -1 after. */
static void
close_fds(int *passed)
{
	for (size_t i = 0; i < WP_FDS_MAX; i++) {
		if (passed[i] >= 0)
			close(passed[i]);
		passed[i] = -1;
	}
}

/* Every slot of passed (WP_FDS_MAX) -1. */
static void
clear_fds(int *passed)
{
	for (size_t i = 0; i < WP_FDS_MAX; i++)
		passed[i] = -1;
}

/*
 * One read of at most len bytes: read(), or recvmsg() keeping passed
 * descriptors in passed (WP_FDS_MAX slots, as take_fds()) when passed is
 * not NULL.
 */
static ssize_t
read_some(int fd, uint8_t *buf, size_t len, int *passed)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} u;
	struct iovec iov = {buf, len};
	struct msghdr mh = {0};
	ssize_t n;

	if (passed == NULL)
		return read(fd, buf, len);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof u.buf;
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	if (n >= 0)
		take_fds(&mh, passed);
	return n;
}

/*
 * Reads exactly len bytes. Returns 0, or -1 with err set; a peer that
 * closes before the first byte and one that closes in the middle are told
 * apart so a log can say which happened. passed: as for read_some().
 */
static int
read_all(int fd, uint8_t *buf, size_t len, int mid_frame, int *passed,
    char *err, size_t errlen)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read_some(fd, buf + got, len - got, passed);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			set_err(
			    err, errlen, "read failed: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			if (got == 0 && !mid_frame)
				set_err(err, errlen, "connection closed");
			else
				set_err(err, errlen,
				    "connection closed in the middle of a "
				    "frame");
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int
wp_write_envelope(int fd, const Wasmd__Envelope *env, char *err, size_t errlen)
{
	size_t len = 0;
	uint8_t *buf = wp_frame_pack(env, &len);
	int r;

	if (buf == NULL) {
		set_err(err, errlen, "out of memory encoding a frame");
		return -1;
	}
	r = write_all(fd, buf, len, err, errlen);
	free(buf);
	return r;
}

/* wp_read_envelope(), with the header read by read_all(..., passed). */
static int
read_envelope(int fd, size_t max, Wasmd__Envelope **out, int *passed, char *err,
    size_t errlen)
{
	uint8_t hdr[WP_HEADER_SIZE];
	uint8_t *body;
	uint32_t n;
	wp_parse r;

	*out = NULL;
	if (read_all(fd, hdr, sizeof hdr, 0, passed, err, errlen) < 0)
		return -1;
	n = get_be32(hdr);
	if (n > max) {
		set_err(err, errlen,
		    "frame of %" PRIu32 " bytes exceeds the limit of %zu", n,
		    max);
		return -1;
	}
	/* malloc(0) may return NULL; an empty body still needs a buffer. */
	body = malloc(n > 0 ? n : 1);
	if (body == NULL) {
		set_err(err, errlen, "out of memory reading a frame");
		return -1;
	}
	if (read_all(fd, body, n, 1, NULL, err, errlen) < 0) {
		free(body);
		return -1;
	}
	r = decode_body(body, n, out, err, errlen);
	free(body);
	return r == WP_FRAME ? 0 : -1;
}

int
wp_read_envelope(
    int fd, size_t max, Wasmd__Envelope **out, char *err, size_t errlen)
{
	return read_envelope(fd, max, out, NULL, err, errlen);
}

/*
 * The descriptor rides on the frame's first bytes, so only the header is
 * read with recvmsg(); the body is plain bytes.
 */
int
wp_read_envelope_fd(int fd, size_t max, Wasmd__Envelope **out, int *passed,
    char *err, size_t errlen)
{
	int fds[WP_FDS_MAX];

	clear_fds(fds);
	*passed = -1;
	if (read_envelope(fd, max, out, fds, err, errlen) != 0) {
		close_fds(fds);
		return -1;
	}
	*passed = fds[0];
	fds[0] = -1;
	close_fds(fds); /* one descriptor per frame from this peer */
	return 0;
}

void
wp_reader_init(wp_reader *r, int fd)
{
	r->fd = fd;
	r->start = r->end = 0;
}

/*
 * One read into r's free room (the bytes kept moved to the front first),
 * descriptors kept in *passed or closed: what read_some() returns.
 */
static ssize_t
reader_fill(wp_reader *r, int *passed)
{
	int ignored[WP_FDS_MAX];
	ssize_t n;

	clear_fds(ignored);
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	do
		n = read_some(r->fd, r->buf + r->end, sizeof r->buf - r->end,
		    passed != NULL ? passed : ignored);
	while (n < 0 && errno == EINTR);
	close_fds(ignored);
	if (n > 0)
		r->end += (size_t)n;
	return n;
}

/* Fills r until it holds want bytes (want <= WP_READER_BUF). */
static int
reader_want(wp_reader *r, size_t want, int *passed, char *err, size_t errlen)
{
	while (r->end - r->start < want) {
		bool none = r->end == r->start;
		ssize_t n = reader_fill(r, passed);

		if (n < 0) {
			set_err(
			    err, errlen, "read failed: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			set_err(err, errlen,
			    none ? "connection closed"
			         : "connection closed in the middle of a "
			           "frame");
			return -1;
		}
	}
	return 0;
}

/* A frame larger than r's buffer: its body gathered in a buffer of its own. */
static wp_parse
reader_large(
    wp_reader *r, uint32_t n, Wasmd__Envelope **out, char *err, size_t errlen)
{
	size_t have = r->end - r->start - WP_HEADER_SIZE;
	uint8_t *body = malloc(n);
	wp_parse p = WP_BAD;

	if (body == NULL) {
		set_err(err, errlen, "out of memory reading a frame");
		return WP_BAD;
	}
	memcpy(body, r->buf + r->start + WP_HEADER_SIZE, have);
	r->start = r->end = 0;
	if (read_all(r->fd, body + have, n - have, 1, NULL, err, errlen) == 0)
		p = decode_body(body, n, out, err, errlen);
	free(body);
	return p;
}

int
wp_reader_next_fds(wp_reader *r, size_t max, Wasmd__Envelope **out, int *passed,
    char *err, size_t errlen)
{
	wp_parse p = WP_BAD;
	uint32_t n;

	*out = NULL;
	if (passed != NULL)
		clear_fds(passed);
	if (reader_want(r, WP_HEADER_SIZE, passed, err, errlen) < 0)
		goto fail;
	n = get_be32(r->buf + r->start);
	if (n > max) {
		set_err(err, errlen,
		    "frame of %" PRIu32 " bytes exceeds the limit of %zu", n,
		    max);
		goto fail;
	}
	if ((size_t)n > sizeof r->buf - WP_HEADER_SIZE) {
		p = reader_large(r, n, out, err, errlen);
	} else if (reader_want(r, WP_HEADER_SIZE + (size_t)n, passed, err,
	               errlen) == 0) {
		p = decode_body(
		    r->buf + r->start + WP_HEADER_SIZE, n, out, err, errlen);
		r->start += WP_HEADER_SIZE + (size_t)n;
	}
	if (p == WP_FRAME)
		return 0;
fail:
	if (passed != NULL)
		close_fds(passed);
	return -1;
}

int
wp_reader_next(wp_reader *r, size_t max, Wasmd__Envelope **out, int *passed,
    char *err, size_t errlen)
{
	int fds[WP_FDS_MAX];
	int rc = wp_reader_next_fds(
	    r, max, out, passed != NULL ? fds : NULL, err, errlen);

	if (passed == NULL)
		return rc;
	*passed = fds[0];
	fds[0] = -1;
	close_fds(fds); /* one descriptor per frame from this peer */
	return rc;
}

ssize_t
wp_send_with_fds(int sock, const void *buf, size_t len, const int *fds,
    size_t nfds, int flags)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * WP_FDS_MAX)];
	} u;
	struct iovec iov = {(void *)buf, len};
	struct msghdr mh = {0};
	struct cmsghdr *c;
	ssize_t n;

	if (nfds == 0 || nfds > WP_FDS_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(&u, 0, sizeof u);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	do
		n = sendmsg(sock, &mh, flags | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
}

ssize_t
wp_send_with_fd(int sock, const void *buf, size_t len, int fd, int flags)
{
	return wp_send_with_fds(sock, buf, len, &fd, 1, flags);
}
