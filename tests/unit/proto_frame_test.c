/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proto_frame_test.c: unit tests for proto/frame.c, the framing shared by
 * every wasmd process: round trips, size limits checked before the body is
 * awaited, truncated and malformed frames, and the blocking helpers over a
 * socketpair (large frames, peers that close early).
 */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame.h"

/* Builds a push envelope whose bytes are borrowed from wasm. */
static void
make_push(Wasmd__Envelope *env, Wasmd__PushModule *push, uint8_t *wasm,
    size_t n, char *name)
{
	wasmd__envelope__init(env);
	wasmd__push_module__init(push);
	push->wasm.data = wasm;
	push->wasm.len = n;
	push->name = name;
	env->id = 42;
	env->msg_case = WASMD__ENVELOPE__MSG_PUSH;
	env->push = push;
}

START_TEST(test_round_trip)
{
	uint8_t wasm[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	Wasmd__Envelope env, *out = NULL;
	Wasmd__PushModule push;
	size_t len = 0, consumed = 0;
	char err[128] = "";
	uint8_t *buf;

	make_push(&env, &push, wasm, sizeof wasm, "hello");
	buf = wp_frame_pack(&env, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(
	    len, WP_HEADER_SIZE + wasmd__envelope__get_packed_size(&env));
	ck_assert_uint_eq(buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3],
	    len - WP_HEADER_SIZE);
	ck_assert_int_eq(
	    wp_frame_parse(buf, len, 1024, &out, &consumed, err, sizeof err),
	    WP_FRAME);
	ck_assert_uint_eq(consumed, len);
	ck_assert_uint_eq(out->id, 42);
	ck_assert_int_eq(out->msg_case, WASMD__ENVELOPE__MSG_PUSH);
	ck_assert_str_eq(out->push->name, "hello");
	ck_assert_uint_eq(out->push->wasm.len, sizeof wasm);
	ck_assert_mem_eq(out->push->wasm.data, wasm, sizeof wasm);
	wasmd__envelope__free_unpacked(out, NULL);
	free(buf);
}
END_TEST

START_TEST(test_two_frames_consume_one)
{
	Wasmd__Envelope env, *out = NULL;
	Wasmd__ListModules list = WASMD__LIST_MODULES__INIT;
	uint8_t two[64];
	size_t len = 0, consumed = 0;
	uint8_t *buf;

	wasmd__envelope__init(&env);
	env.id = 7;
	env.msg_case = WASMD__ENVELOPE__MSG_LIST;
	env.list = &list;
	buf = wp_frame_pack(&env, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_le(2 * len, sizeof two);
	memcpy(two, buf, len);
	memcpy(two + len, buf, len);
	ck_assert_int_eq(
	    wp_frame_parse(two, 2 * len, 1024, &out, &consumed, NULL, 0),
	    WP_FRAME);
	ck_assert_uint_eq(consumed, len);
	ck_assert_uint_eq(out->id, 7);
	wasmd__envelope__free_unpacked(out, NULL);
	free(buf);
}
END_TEST

START_TEST(test_too_big_from_header_alone)
{
	/* Only the header is present: the limit must be enforced before the
	 * parser waits for (or allocates) the announced body. */
	uint8_t hdr[] = {0xff, 0xff, 0xff, 0xf0};
	uint8_t small[] = {0, 0, 4, 1};
	Wasmd__Envelope *out = (Wasmd__Envelope *)1;
	size_t consumed = 99;
	char err[128] = "";

	ck_assert_int_eq(wp_frame_parse(hdr, sizeof hdr, WP_FRAME_MAX_DEFAULT,
	                     &out, &consumed, err, sizeof err),
	    WP_TOO_BIG);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(consumed, 99);
	ck_assert_ptr_nonnull(strstr(err, "exceeds"));
	ck_assert_int_eq(wp_frame_parse(small, sizeof small, 1024, &out,
	                     &consumed, err, sizeof err),
	    WP_TOO_BIG);
	/* Exactly at the limit is allowed (then it needs the body). */
	ck_assert_int_eq(wp_frame_parse(small, sizeof small, 1025, &out,
	                     &consumed, err, sizeof err),
	    WP_NEED_MORE);
}
END_TEST

START_TEST(test_truncated_needs_more)
{
	uint8_t wasm[100];
	Wasmd__Envelope env, *out = NULL;
	Wasmd__PushModule push;
	size_t len = 0, consumed = 0;
	uint8_t *buf;

	memset(wasm, 0x5a, sizeof wasm);
	make_push(&env, &push, wasm, sizeof wasm, "");
	buf = wp_frame_pack(&env, &len);
	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < len; i++)
		ck_assert_int_eq(
		    wp_frame_parse(buf, i, 1024, &out, &consumed, NULL, 0),
		    WP_NEED_MORE);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(
	    wp_frame_parse(buf, len, 1024, &out, &consumed, NULL, 0), WP_FRAME);
	wasmd__envelope__free_unpacked(out, NULL);
	free(buf);
}
END_TEST

START_TEST(test_garbage_is_bad)
{
	/* An unterminated varint, then a length-delimited field (push, tag
	 * 5) that claims more bytes than the frame holds. */
	uint8_t junk[] = {0, 0, 0, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t overrun[] = {0, 0, 0, 3, 0x2a, 0x50, 0x00};
	Wasmd__Envelope *out = NULL;
	size_t consumed = 0;
	char err[128] = "";

	ck_assert_int_eq(wp_frame_parse(junk, sizeof junk, 1024, &out,
	                     &consumed, err, sizeof err),
	    WP_BAD);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(err, "malformed"));
	ck_assert_int_eq(wp_frame_parse(overrun, sizeof overrun, 1024, &out,
	                     &consumed, err, sizeof err),
	    WP_BAD);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_empty_envelope_rejected)
{
	Wasmd__Envelope env, *out = NULL;
	uint8_t empty[] = {0, 0, 0, 0};
	size_t len = 0, consumed = 0;
	char err[128] = "";
	uint8_t *buf;

	wasmd__envelope__init(&env);
	env.id = 5; /* an id but no message */
	buf = wp_frame_pack(&env, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(
	    wp_frame_parse(buf, len, 1024, &out, &consumed, err, sizeof err),
	    WP_BAD);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(err, "no message"));
	ck_assert_int_eq(wp_frame_parse(empty, sizeof empty, 1024, &out,
	                     &consumed, err, sizeof err),
	    WP_BAD);
	free(buf);
}
END_TEST

/* A frame of n empty ModuleInfo entries in a module_list: two wire bytes
 * each, over a hundred bytes each once decoded. own: free(). */
static uint8_t *
amplifying_frame(size_t n, size_t *len)
{
	size_t inner = 2 * n, body = 1 + 5 + inner, pos = 0, v;
	uint8_t *buf = malloc(WP_HEADER_SIZE + body);

	ck_assert_ptr_nonnull(buf);
	buf[pos++] = 0;
	buf[pos++] = 0;
	buf[pos++] = 0;
	buf[pos++] = 0;
	buf[pos++] = 0x42; /* Envelope.module_list, length-delimited */
	for (v = inner; v >= 0x80; v >>= 7) /* the length, as a varint */
		buf[pos++] = (uint8_t)(v | 0x80);
	buf[pos++] = (uint8_t)v;
	for (size_t i = 0; i < n; i++) {
		buf[pos++] = 0x0a; /* ModuleList.modules, empty */
		buf[pos++] = 0x00;
	}
	body = pos - WP_HEADER_SIZE;
	buf[0] = (uint8_t)(body >> 24);
	buf[1] = (uint8_t)(body >> 16);
	buf[2] = (uint8_t)(body >> 8);
	buf[3] = (uint8_t)body;
	*len = pos;
	return buf;
}

START_TEST(test_decode_memory_is_bounded)
{
	Wasmd__Envelope *out = NULL;
	size_t len = 0, consumed = 0;
	char err[128] = "";
	uint8_t *buf;

	/* A modest list decodes. */
	buf = amplifying_frame(1000, &len);
	ck_assert_int_eq(wp_frame_parse(buf, len, WP_FRAME_MAX_DEFAULT, &out,
	                     &consumed, err, sizeof err),
	    WP_FRAME);
	ck_assert_uint_eq(out->module_list->n_modules, 1000);
	wasmd__envelope__free_unpacked(out, NULL);
	free(buf);

	/* 2 MB that would take over 100 MB decoded: refused. */
	buf = amplifying_frame(1000000, &len);
	ck_assert_int_eq(wp_frame_parse(buf, len, WP_FRAME_MAX_DEFAULT, &out,
	                     &consumed, err, sizeof err),
	    WP_BAD);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(err, "too much memory"));
	free(buf);
}
END_TEST

/* A small deterministic generator: the same inputs on every run. */
static uint32_t
next_rand(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 33);
}

START_TEST(test_mutated_frames_never_crash)
{
	/* Flipping bytes of a valid frame must give a clean answer (under
	 * ASan: no overread, no leak), and a frame is never consumed past
	 * the buffer. */
	uint8_t wasm[64], buf[256];
	Wasmd__Envelope env, *out = NULL;
	Wasmd__PushModule push;
	size_t len = 0, consumed = 0;
	uint64_t state = 7;
	uint8_t *frame;
	int frames = 0, bad = 0;

	memset(wasm, 0x61, sizeof wasm);
	make_push(&env, &push, wasm, sizeof wasm, "mutant");
	frame = wp_frame_pack(&env, &len);
	ck_assert_ptr_nonnull(frame);
	ck_assert_uint_le(len, sizeof buf);
	for (int i = 0; i < 20000; i++) {
		wp_parse r;

		memcpy(buf, frame, len);
		for (int k = 0; k < 1 + i % 4; k++)
			buf[WP_HEADER_SIZE +
			    next_rand(&state) % (len - WP_HEADER_SIZE)] =
			    (uint8_t)next_rand(&state);
		r = wp_frame_parse(buf, len, 1024, &out, &consumed, NULL, 0);
		ck_assert(r == WP_FRAME || r == WP_BAD);
		if (r == WP_FRAME) {
			ck_assert_uint_eq(consumed, len);
			ck_assert_int_ne(
			    out->msg_case, WASMD__ENVELOPE__MSG__NOT_SET);
			wasmd__envelope__free_unpacked(out, NULL);
			frames++;
		} else {
			ck_assert_ptr_null(out);
			bad++;
		}
	}
	/* Both outcomes happen, or the mutation is not doing its job. */
	ck_assert_int_gt(frames, 0);
	ck_assert_int_gt(bad, 0);
	free(frame);
}
END_TEST

struct writer {
	int fd;
	size_t n;
	int rc;
};

/* Writes one push of w->n bytes, more than a socket buffer holds, so the
 * reader sees short reads and the writer short writes. */
static void *
writer_thread(void *arg)
{
	struct writer *w = arg;
	uint8_t *wasm = malloc(w->n);
	Wasmd__Envelope env;
	Wasmd__PushModule push;
	char err[128];

	for (size_t i = 0; i < w->n; i++)
		wasm[i] = (uint8_t)(i * 7);
	make_push(&env, &push, wasm, w->n, "big");
	w->rc = wp_write_envelope(w->fd, &env, err, sizeof err);
	free(wasm);
	return NULL;
}

START_TEST(test_blocking_large_frame)
{
	struct writer w = {.n = 3u << 20};
	Wasmd__Envelope *out = NULL;
	char err[128] = "";
	pthread_t t;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	w.fd = sv[0];
	ck_assert_int_eq(pthread_create(&t, NULL, writer_thread, &w), 0);
	ck_assert_int_eq(wp_read_envelope(sv[1], WP_FRAME_MAX_DEFAULT, &out,
	                     err, sizeof err),
	    0);
	pthread_join(t, NULL);
	ck_assert_int_eq(w.rc, 0);
	ck_assert_int_eq(out->msg_case, WASMD__ENVELOPE__MSG_PUSH);
	ck_assert_uint_eq(out->push->wasm.len, w.n);
	for (size_t i = 0; i < w.n; i += 4099)
		ck_assert_uint_eq(out->push->wasm.data[i], (uint8_t)(i * 7));
	wasmd__envelope__free_unpacked(out, NULL);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_blocking_peer_closes_mid_frame)
{
	uint8_t partial[] = {0, 0, 0, 20, 0x08, 0x01};
	Wasmd__Envelope *out = NULL;
	char err[128] = "";
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(
	    write(sv[0], partial, sizeof partial), (ssize_t)sizeof partial);
	close(sv[0]);
	ck_assert_int_eq(
	    wp_read_envelope(sv[1], 1024, &out, err, sizeof err), -1);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(err, "middle of a frame"));
	close(sv[1]);
}
END_TEST

START_TEST(test_blocking_peer_closed_before_frame)
{
	Wasmd__Envelope *out = NULL;
	char err[128] = "";
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[0]);
	ck_assert_int_eq(
	    wp_read_envelope(sv[1], 1024, &out, err, sizeof err), -1);
	ck_assert_str_eq(err, "connection closed");
	close(sv[1]);
}
END_TEST

START_TEST(test_blocking_too_big_does_not_wait)
{
	/* The body never comes and the peer stays open: a reader that waited
	 * for it would hang until the test timeout. */
	uint8_t hdr[] = {0x10, 0, 0, 0};
	Wasmd__Envelope *out = NULL;
	char err[128] = "";
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(write(sv[0], hdr, sizeof hdr), (ssize_t)sizeof hdr);
	ck_assert_int_eq(
	    wp_read_envelope(sv[1], 1024, &out, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "exceeds"));
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_write_to_closed_peer_is_error)
{
	Wasmd__Envelope env;
	Wasmd__Ok ok = WASMD__OK__INIT;
	char err[128] = "";
	int sv[2];

	/* Default SIGPIPE disposition: a plain write() would kill us. */
	signal(SIGPIPE, SIG_DFL);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	wasmd__envelope__init(&env);
	env.msg_case = WASMD__ENVELOPE__MSG_OK;
	env.ok = &ok;
	ck_assert_int_eq(wp_write_envelope(sv[0], &env, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "connection closed"));
	close(sv[0]);
}
END_TEST

START_TEST(test_write_read_over_pipe)
{
	/* Not a socket: the writer falls back from send() to write(). */
	Wasmd__Envelope env, *out = NULL;
	Wasmd__Ok ok = WASMD__OK__INIT;
	char err[128] = "";
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	wasmd__envelope__init(&env);
	env.id = 9;
	env.msg_case = WASMD__ENVELOPE__MSG_OK;
	env.ok = &ok;
	ck_assert_int_eq(wp_write_envelope(p[1], &env, err, sizeof err), 0);
	ck_assert_int_eq(
	    wp_read_envelope(p[0], 1024, &out, err, sizeof err), 0);
	ck_assert_uint_eq(out->id, 9);
	ck_assert_int_eq(out->msg_case, WASMD__ENVELOPE__MSG_OK);
	wasmd__envelope__free_unpacked(out, NULL);
	close(p[0]);
	close(p[1]);
}
END_TEST

/*
 * The buffered reader: two frames sent in one write come out one at a
 * time, a descriptor with the first is that frame's, a frame larger than
 * the buffer is read whole, and a peer gone at a frame boundary reads as
 * closed.
 */
START_TEST(test_reader_frames_and_fd)
{
	uint8_t small[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	size_t nbig = WP_READER_BUF * 3 + 17, la, lb, lc;
	uint8_t *big = malloc(nbig), *a, *b, *c, *both;
	Wasmd__Envelope env, *out = NULL;
	Wasmd__PushModule push;
	wp_reader *r = malloc(sizeof *r);
	char err[128] = "";
	int sv[2], passed = -1, pipefd[2];

	for (size_t i = 0; i < nbig; i++)
		big[i] = (uint8_t)(i * 13);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(pipe(pipefd), 0);
	make_push(&env, &push, small, sizeof small, "one");
	a = wp_frame_pack(&env, &la);
	push.name = "two";
	b = wp_frame_pack(&env, &lb);
	make_push(&env, &push, big, nbig, "big");
	c = wp_frame_pack(&env, &lc);
	both = malloc(la + lb);
	memcpy(both, a, la);
	memcpy(both + la, b, lb);
	ck_assert_int_eq(wp_send_with_fd(sv[0], both, la + lb, pipefd[0], 0),
	    (ssize_t)(la + lb));
	wp_reader_init(r, sv[1]);
	ck_assert_int_eq(wp_reader_next(r, WP_FRAME_MAX_DEFAULT, &out, &passed,
	                     err, sizeof err),
	    0);
	ck_assert_str_eq(out->push->name, "one");
	ck_assert_int_ge(passed, 0);
	close(passed);
	wasmd__envelope__free_unpacked(out, NULL);
	ck_assert_int_eq(wp_reader_next(r, WP_FRAME_MAX_DEFAULT, &out, &passed,
	                     err, sizeof err),
	    0);
	ck_assert_str_eq(out->push->name, "two");
	ck_assert_int_eq(passed, -1);
	wasmd__envelope__free_unpacked(out, NULL);
	ck_assert_int_eq(write(sv[0], c, lc), (ssize_t)lc);
	ck_assert_int_eq(wp_reader_next(r, WP_FRAME_MAX_DEFAULT, &out, NULL,
	                     err, sizeof err),
	    0);
	ck_assert_uint_eq(out->push->wasm.len, nbig);
	ck_assert_mem_eq(out->push->wasm.data, big, nbig);
	wasmd__envelope__free_unpacked(out, NULL);
	close(sv[0]);
	ck_assert_int_eq(wp_reader_next(r, WP_FRAME_MAX_DEFAULT, &out, NULL,
	                     err, sizeof err),
	    -1);
	ck_assert_str_eq(err, "connection closed");
	close(sv[1]);
	close(pipefd[0]);
	close(pipefd[1]);
	free(a);
	free(b);
	free(c);
	free(both);
	free(big);
	free(r);
}
END_TEST

/*
 * Two descriptors on one frame come in the order sent (a module's file,
 * then its snapshot's); wp_reader_next keeps the first and closes the
 * other.
 */
START_TEST(test_reader_two_fds)
{
	uint8_t small[] = {0, 'a', 's', 'm'};
	size_t la = 0;
	uint8_t *a;
	Wasmd__Envelope env, *out = NULL;
	Wasmd__PushModule push;
	wp_reader *r = malloc(sizeof *r);
	char err[128] = "", got = 0;
	int sv[2], p1[2], p2[2], fds[2], passed[WP_FDS_MAX], one = -1;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(pipe(p1), 0);
	ck_assert_int_eq(pipe(p2), 0);
	ck_assert_int_eq(write(p1[1], "1", 1), 1);
	ck_assert_int_eq(write(p2[1], "2", 1), 1);
	make_push(&env, &push, small, sizeof small, "one");
	a = wp_frame_pack(&env, &la);
	fds[0] = p1[0];
	fds[1] = p2[0];
	ck_assert_int_eq(
	    wp_send_with_fds(sv[0], a, la, fds, 2, 0), (ssize_t)la);
	wp_reader_init(r, sv[1]);
	ck_assert_int_eq(wp_reader_next_fds(r, WP_FRAME_MAX_DEFAULT, &out,
	                     passed, err, sizeof err),
	    0);
	ck_assert_str_eq(out->push->name, "one");
	wasmd__envelope__free_unpacked(out, NULL);
	ck_assert_int_ge(passed[0], 0);
	ck_assert_int_ge(passed[1], 0);
	ck_assert_int_eq(read(passed[0], &got, 1), 1);
	ck_assert_int_eq(got, '1');
	ck_assert_int_eq(read(passed[1], &got, 1), 1);
	ck_assert_int_eq(got, '2');
	close(passed[0]);
	close(passed[1]);
	/* One descriptor per frame for wp_reader_next: the first. */
	ck_assert_int_eq(write(p1[1], "3", 1), 1);
	ck_assert_int_eq(
	    wp_send_with_fds(sv[0], a, la, fds, 2, 0), (ssize_t)la);
	ck_assert_int_eq(wp_reader_next(r, WP_FRAME_MAX_DEFAULT, &out, &one,
	                     err, sizeof err),
	    0);
	wasmd__envelope__free_unpacked(out, NULL);
	ck_assert_int_ge(one, 0);
	ck_assert_int_eq(read(one, &got, 1), 1);
	ck_assert_int_eq(got, '3');
	close(one);
	/* More than WP_FDS_MAX is refused before sending. */
	ck_assert_int_eq(wp_send_with_fds(sv[0], a, la, fds, 3, 0), -1);
	close(sv[0]);
	close(sv[1]);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	free(a);
	free(r);
}
END_TEST

static Suite *
frame_suite(void)
{
	Suite *s = suite_create("proto_frame");
	TCase *parse = tcase_create("parse");
	TCase *io = tcase_create("blocking");

	tcase_add_test(parse, test_round_trip);
	tcase_add_test(parse, test_two_frames_consume_one);
	tcase_add_test(parse, test_too_big_from_header_alone);
	tcase_add_test(parse, test_truncated_needs_more);
	tcase_add_test(parse, test_garbage_is_bad);
	tcase_add_test(parse, test_empty_envelope_rejected);
	tcase_add_test(parse, test_mutated_frames_never_crash);
	tcase_add_test(parse, test_decode_memory_is_bounded);
	tcase_add_test(io, test_blocking_large_frame);
	tcase_add_test(io, test_blocking_peer_closes_mid_frame);
	tcase_add_test(io, test_blocking_peer_closed_before_frame);
	tcase_add_test(io, test_blocking_too_big_does_not_wait);
	tcase_add_test(io, test_write_to_closed_peer_is_error);
	tcase_add_test(io, test_write_read_over_pipe);
	tcase_add_test(io, test_reader_frames_and_fd);
	tcase_add_test(io, test_reader_two_fds);
	tcase_set_timeout(io, 20);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, io);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(frame_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
