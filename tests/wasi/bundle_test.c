/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bundle_test.c: bundle images (wasi/bundle.c) as an untrusted tenant
 * could make them. Malformed images are refused with a message that says
 * what is wrong, and thousands of random mutations of a good image are
 * either refused or load a tree that stays within its bound; a read-only
 * mount refuses every change; the file bytes bound holds.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* An image under construction. */
static uint8_t img[4096];
static size_t img_len;

static void
start(void)
{
	memcpy(img, WS_BUNDLE_MAGIC, sizeof WS_BUNDLE_MAGIC - 1);
	img_len = sizeof WS_BUNDLE_MAGIC - 1;
}

static void
record(char kind, const char *path, size_t plen, const char *data)
{
	size_t dlen = data ? strlen(data) : 0;

	img[img_len++] = (uint8_t)kind;
	ws_put_u16(img + img_len, (uint16_t)plen);
	img_len += 2;
	memcpy(img + img_len, path, plen);
	img_len += plen;
	ws_put_u64(img + img_len, dlen);
	img_len += 8;
	memcpy(img + img_len, data ? data : "", dlen);
	img_len += dlen;
}

static void
rec(char kind, const char *path, const char *data)
{
	record(kind, path, strlen(path), data);
}

/* Loads the image; returns whether it loaded, err gets the message. */
static bool
load(bool writable, char *err, size_t errlen)
{
	ws_ctx *ctx = ws_ctx_new();
	bool ok =
	    ws_ctx_add_bundle(ctx, "/b", img, img_len, writable, err, errlen);

	ws_ctx_free(ctx);
	return ok;
}

static void
refused(const char *why)
{
	char err[512] = "";

	ck_assert_msg(!load(true, err, sizeof err), "loaded: %s", why);
	ck_assert_msg(strstr(err, why) != NULL, "'%s' lacks '%s'", err, why);
}

START_TEST(malformed_images_are_refused)
{
	char err[512];

	img_len = 3;
	memcpy(img, "WSB", 3);
	refused("bad magic");
	start();
	rec('d', "a", NULL);
	rec('f', "a/x", "hello");
	ck_assert_msg(load(true, err, sizeof err), "%s", err);
	img_len -= 2; /* data cut short */
	refused("truncated");
	start();
	img[img_len++] = 'f'; /* a record cut in its header */
	refused("truncated");
	start();
	rec('f', "../x", "");
	refused("bad path component");
	start();
	rec('d', "a", NULL);
	rec('f', "a//x", "");
	refused("bad path component");
	start();
	rec('f', "/etc/passwd", "");
	refused("bad path component");
	start();
	rec('f', ".", "");
	refused("bad path component");
	start();
	record('f', "n\0ul", 4, "");
	refused("truncated");
	start();
	rec('f', "missing/x", "");
	refused("parent is not a directory");
	start();
	rec('f', "file", "");
	rec('f', "file/x", "");
	refused("parent is not a directory");
	start();
	rec('l', "link", "");
	refused("bad record");
	start();
	rec('f', "twice", "");
	rec('f', "twice", "");
	refused("twice: File exists");
	start();
	rec('x', "what", "");
	refused("bad record");
}
END_TEST

START_TEST(mutations_never_escape_or_crash)
{
	static uint8_t good[4096];
	uint64_t rng = 0x243f6a8885a308d3u;
	size_t good_len;
	char err[512];
	unsigned loaded = 0;

	start();
	rec('d', "dir", NULL);
	rec('f', "dir/file", "some bytes");
	rec('l', "dir/up", "../../outside");
	rec('l', "abs", "/etc/passwd");
	rec('f', "top", "x");
	memcpy(good, img, img_len);
	good_len = img_len;
	for (int i = 0; i < 20000; i++) {
		memcpy(img, good, good_len);
		img_len = good_len;
		for (int k = 0; k < 1 + i % 4; k++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			img[(rng >> 8) % good_len] = (uint8_t)(rng >> 40);
		}
		if (i % 7 == 0) {
			rng ^= rng << 13;
			img_len = (rng >> 3) % good_len;
		}
		loaded += load(i % 2 == 0, err, sizeof err);
	}
	/* Some mutations touch only data: those load. */
	ck_assert_uint_gt(loaded, 0);
}
END_TEST

/* Calls path_open on the preopen (fd 3) of ctx with oflags and rights. */
static uint32_t
open_in(ws_ctx *ctx, const char *path, uint32_t oflags, uint64_t rights)
{
	we_memtype one_page = {.limits = {1, 1, true}};
	we_store *s = we_store_new(NULL);
	we_memory *m = we_memory_new(s, &one_page);
	we_val args[9];
	char msg[WE_MSG_MAX];
	ws_call c = {.ctx = ctx, .mem = m, .args = args, .message = msg};
	const uint64_t v[9] = {
	    3, 0, 0, strlen(path), oflags, rights, 0, 0, 512};
	const char *types = "iiiiiIIii";
	uint32_t rc = 0;

	memcpy(we_memory_data(m), path, strlen(path));
	for (int i = 0; i < 9; i++) {
		args[i].type = types[i] == 'I' ? WE_I64 : WE_I32;
		if (types[i] == 'I')
			args[i].of.i64 = (int64_t)v[i];
		else
			args[i].of.i32 = (int32_t)v[i];
	}
	for (const ws_fn *f = ws_path_fns; f->name != NULL; f++)
		if (strcmp(f->name, "path_open") == 0)
			rc = f->impl(&c);
	we_store_free(s);
	return rc;
}

START_TEST(read_only_mounts_refuse_changes)
{
	const uint64_t rd = WS_RIGHT_FD_READ, wr = WS_RIGHT_FD_WRITE;
	ws_ctx *ctx = ws_ctx_new();
	char err[512];

	start();
	rec('f', "f", "data");
	ck_assert_msg(
	    ws_ctx_add_bundle(ctx, "/ro", img, img_len, false, err, sizeof err),
	    "%s", err);
	ck_assert_uint_eq(open_in(ctx, "f", 0, rd), WS_ESUCCESS);
	/* Asking to write gets a read-only fd (rights are masked)... */
	ck_assert_uint_eq(open_in(ctx, "f", 0, rd | wr), WS_ESUCCESS);
	ck_assert_ptr_null(ws_fd_with(ctx, 5, wr, &(uint32_t){0}));
	/* ...and creating or truncating is refused outright. */
	ck_assert_uint_eq(open_in(ctx, "new", 1, wr), WS_ENOTCAPABLE);
	ck_assert_uint_eq(open_in(ctx, "f", 8, wr), WS_EPERM);
	ws_ctx_free(ctx);
}
END_TEST

START_TEST(file_bytes_are_bounded)
{
	ws_ctx *ctx = ws_ctx_new();
	static char big[8192];
	char err[512];

	memset(big, 'x', sizeof big - 1);
	ws_ctx_set_max_file_bytes(ctx, 4096);
	start();
	rec('f', "small", "ok");
	ck_assert_msg(
	    ws_ctx_add_bundle(ctx, "/a", img, img_len, true, err, sizeof err),
	    "%s", err);
	ws_ctx_free(ctx);
	/* An image whose file is past the bound does not load. */
	ctx = ws_ctx_new();
	ws_ctx_set_max_file_bytes(ctx, 1024);
	start();
	rec('f', "big", big + sizeof big - 2000);
	ck_assert(
	    !ws_ctx_add_bundle(ctx, "/a", img, img_len, true, err, sizeof err));
	ck_assert_msg(strstr(err, "No space") != NULL, "%s", err);
	ws_ctx_free(ctx);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("wasi_bundle");
	TCase *tc = tcase_create("bundle");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, malformed_images_are_refused);
	tcase_add_test(tc, mutations_never_escape_or_crash);
	tcase_add_test(tc, read_only_mounts_refuse_changes);
	tcase_add_test(tc, file_bytes_are_bounded);
	suite_add_tcase(suite, tc);
	sr = srunner_create(suite);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
