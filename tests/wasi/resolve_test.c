/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resolve_test.c: a property test of path resolution (wasi/resolve.c):
 * nothing a guest names resolves outside its preopen.
 *
 * A temp dir holds "outside/" (a file, a directory) and "root/", the
 * preopen, full of symbolic links that point out of it ("..", "../outside",
 * an absolute path, a link to a link out, a dangling link out, a loop) and
 * some that stay in. Thousands of generated paths (from those names, ".",
 * "..", empty components, a 300-byte name, a name with a NUL, leading and
 * trailing slashes) go through every preview1 path function, called as a
 * guest would (path_open with and without O_CREAT and link following,
 * mkdir, rmdir, unlink, symlink, rename and link both ways, set_times).
 * After each call, every fd path_open gave must be beneath root
 * (/proc/self/fd), and at the end everything outside root must be exactly
 * as before: same names, inodes, sizes, link counts, mtimes and ctimes.
 *
 * The same paths run again on root packed as a bundle and mounted as a
 * writable in-memory copy (what a daemon worker gets): every fd opened
 * must be an in-memory one, and nothing on the host, root included,
 * may change.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wasmd/client.h>

#include "internal.h"

#define PATHS 3000
#define SNAP_MAX (1 << 16)

static char base[64], root[128], root_real[PATH_MAX], outside[128];

/* ---- The tree ----------------------------------------------------------- */

static void
make_file(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "secret\n", 7), 7);
	close(fd);
}

static void
at(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void
link_in_root(const char *target, const char *name)
{
	char p[PATH_MAX];

	at(p, sizeof p, root, name);
	ck_assert_int_eq(symlink(target, p), 0);
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path);
}

static void
remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* root/ afresh: directories, a file, links that stay in and go out. */
static void
make_root(void)
{
	char p[PATH_MAX], abs[PATH_MAX];

	remove_tree(root);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	at(p, sizeof p, root, "a");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	at(p, sizeof p, root, "a/b");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	at(p, sizeof p, root, "f");
	make_file(p);
	at(p, sizeof p, root, "a/victim");
	make_file(p);
	at(abs, sizeof abs, outside, "secret");
	link_in_root("..", "up");
	link_in_root("../outside", "out");
	link_in_root(abs, "abs");
	link_in_root("loop", "loop");
	link_in_root("../a", "a/back");
	link_in_root("../../outside/secret", "a/deep");
	link_in_root("../f", "a/in");
	link_in_root("nothere", "dangling");
	link_in_root("../outside/newfile", "dangout");
	link_in_root("a/deep", "chain");
	link_in_root("a/../..", "updir");
	link_in_root("a/b/../../up/outside", "sneaky");
}

/* Everything beneath base but root, one line per entry. */
static char snap_buf[SNAP_MAX];
static size_t snap_len;

static int
snap_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	char target[PATH_MAX] = "";
	ssize_t n;

	/* base itself changes as the test remakes root; its entries count. */
	if (f->level == 0)
		return 0;
	if (root[0] != '\0' && strncmp(path, root, strlen(root)) == 0 &&
	    (path[strlen(root)] == '\0' || path[strlen(root)] == '/'))
		return 0;
	if (S_ISLNK(st->st_mode) &&
	    (n = readlink(path, target, sizeof target - 1)) > 0)
		target[n] = '\0';
	snap_len += (size_t)snprintf(snap_buf + snap_len, SNAP_MAX - snap_len,
	    "%s %o %lu %lld %lu %ld.%ld %ld.%ld %s\n", path, st->st_mode,
	    (unsigned long)st->st_ino, (long long)st->st_size,
	    (unsigned long)st->st_nlink, (long)st->st_mtim.tv_sec,
	    st->st_mtim.tv_nsec, (long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec,
	    target);
	ck_assert_uint_lt(snap_len, SNAP_MAX - 1);
	return 0;
}

/* own: a copy of the snapshot of everything outside root. */
static char *
snapshot(void)
{
	snap_len = 0;
	snap_buf[0] = '\0';
	ck_assert_int_eq(nftw(base, snap_one, 16, FTW_PHYS), 0);
	return strdup(snap_buf);
}

/* ---- Calling the functions as a guest ----------------------------------- */

enum { PATH1 = 0, PATH2 = 8192, OUT = 16384 };

static ws_ctx *ctx;
static we_store *store;
static we_memory *mem;
static unsigned opened, succeeded;
static bool in_memory; /* the preopen is a bundle's in-memory copy */

static const ws_fn *
fn_named(const char *name)
{
	static const ws_fn *const tables[] = {
	    ws_fd_fns, ws_path_fns, ws_path_ops_fns};

	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (const ws_fn *f = tables[t]; f->name != NULL; f++)
			if (strcmp(f->name, name) == 0)
				return f;
	ck_abort_msg("no function %s", name);
	return NULL;
}

/* Calls WASI function name with args typed as its parameters. */
static uint32_t
call(const char *name, const uint64_t *v)
{
	const ws_fn *fn = fn_named(name);
	we_val args[16];
	char msg[WE_MSG_MAX];
	ws_call c = {.ctx = ctx, .mem = mem, .args = args, .message = msg};

	for (unsigned i = 0; fn->params[i] != '\0'; i++) {
		bool wide = fn->params[i] == 'I';

		args[i].type = wide ? WE_I64 : WE_I32;
		if (wide)
			args[i].of.i64 = (int64_t)v[i];
		else
			args[i].of.i32 = (int32_t)(uint32_t)v[i];
	}
	return fn->impl(&c);
}

/* Puts a path at guest offset off. */
static void
put_path(uint32_t off, const char *p, size_t len)
{
	memcpy(we_memory_data(mem) + off, p, len);
}

/* The fd path_open returned must be beneath root; then it is closed. */
static void
check_opened(void)
{
	uint32_t gfd = ws_get_u32(we_memory_data(mem) + OUT);
	ws_fd *f = ws_fd_get(ctx, gfd);
	char link[64], where[PATH_MAX];
	size_t n = strlen(root_real);
	ssize_t got;

	ck_assert_ptr_nonnull(f);
	ck_assert(ws_vfs_is_mem(f->host_fd) == in_memory);
	if (in_memory) {
		ck_assert_uint_eq(call("fd_close", (uint64_t[]){gfd}), 0);
		opened++;
		return;
	}
	snprintf(link, sizeof link, "/proc/self/fd/%d", f->host_fd);
	got = readlink(link, where, sizeof where - 1);
	ck_assert_int_gt(got, 0);
	where[got] = '\0';
	ck_assert_msg(strncmp(where, root_real, n) == 0 &&
	        (where[n] == '\0' || where[n] == '/'),
	    "opened %s, outside %s", where, root_real);
	ck_assert_uint_eq(call("fd_close", (uint64_t[]){gfd}), 0);
	opened++;
}

/* Every path function on path p (len bytes); q is a path inside root. */
static void
all_calls(const char *p, size_t len)
{
	static const uint32_t oflags[] = {0, 1, 2, 1 | 8, 1 | 4};
	const uint64_t rights = WS_RIGHT_FD_READ | WS_RIGHT_FD_WRITE;
	const char *q = "a/tmp";
	uint64_t ql = strlen(q);

	put_path(PATH1, p, len);
	put_path(PATH2, q, ql);
	for (uint32_t follow = 0; follow < 2; follow++)
		for (size_t i = 0; i < sizeof oflags / sizeof oflags[0]; i++)
			if (call("path_open",
			        (uint64_t[]){3, follow, PATH1, len, oflags[i],
			            i == 2 ? 0 : rights, 0, 0, OUT}) == 0)
				check_opened();
	succeeded +=
	    call("path_create_directory", (uint64_t[]){3, PATH1, len}) == 0;
	succeeded += call("path_filestat_set_times",
	                 (uint64_t[]){3, 1, PATH1, len, 0, 0, 8}) == 0;
	succeeded +=
	    call("path_symlink", (uint64_t[]){PATH2, ql, 3, PATH1, len}) == 0;
	succeeded +=
	    call("path_symlink", (uint64_t[]){PATH1, len, 3, PATH2, ql}) == 0;
	succeeded += call("path_unlink_file", (uint64_t[]){3, PATH2, ql}) == 0;
	succeeded += call("path_link",
	                 (uint64_t[]){3, 1, PATH1, len, 3, PATH2, ql}) == 0;
	succeeded += call("path_unlink_file", (uint64_t[]){3, PATH2, ql}) == 0;
	put_path(PATH2, "a/victim", 8);
	succeeded +=
	    call("path_link", (uint64_t[]){3, 0, PATH2, 8, 3, PATH1, len}) == 0;
	succeeded +=
	    call("path_rename", (uint64_t[]){3, PATH2, 8, 3, PATH1, len}) == 0;
	succeeded +=
	    call("path_rename", (uint64_t[]){3, PATH1, len, 3, PATH2, 8}) == 0;
	succeeded += call("path_unlink_file", (uint64_t[]){3, PATH1, len}) == 0;
	succeeded +=
	    call("path_remove_directory", (uint64_t[]){3, PATH1, len}) == 0;
}

/* ---- Generated paths ---------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* A path of 1 to 6 components; its length (it may hold a NUL). */
static size_t
gen_path(char *buf, size_t cap)
{
	static const char *const names[] = {"a", "b", "f", "up", "out", "abs",
	    "loop", "back", "deep", "in", "dangling", "dangout", "chain",
	    "updir", "sneaky", ".", "..", "", "new", "outside", "secret",
	    "victim", "LONG", "NUL"};
	size_t n = 0, parts = 1 + next_rand() % 6;

	if (next_rand() % 10 == 0)
		buf[n++] = '/';
	for (size_t i = 0; i < parts && n + 310 < cap; i++) {
		const char *c =
		    names[next_rand() % (sizeof names / sizeof *names)];

		if (i > 0)
			buf[n++] = '/';
		if (strcmp(c, "LONG") == 0) {
			memset(buf + n, 'x', 300);
			n += 300;
		} else if (strcmp(c, "NUL") == 0) {
			memcpy(buf + n, "n\0ul", 4);
			n += 4;
		} else {
			memcpy(buf + n, c, strlen(c));
			n += strlen(c);
		}
		if (next_rand() % 8 == 0)
			buf[n++] = '/';
	}
	return n;
}

/* A fresh preopen of root: the host directory, or a bundle of it. */
static void
fresh_preopen(const void *image, size_t len)
{
	char err[256];

	if (ctx != NULL)
		ws_ctx_free(ctx);
	ctx = ws_ctx_new();
	if (in_memory) {
		ck_assert_msg(ws_ctx_add_bundle(
		                  ctx, "/", image, len, true, err, sizeof err),
		    "%s", err);
		return;
	}
	make_root();
	ck_assert(ws_ctx_add_preopen(ctx, root, "/", err, sizeof err));
}

/* Every generated path through every path function; see the top. */
static void
run_paths(bool mem_copy)
{
	we_memtype one_page = {.limits = {1, 1, true}};
	char p[PATH_MAX], err[256], *before, *after;
	void *image = NULL;
	size_t image_len = 0;

	in_memory = mem_copy;
	opened = succeeded = 0;
	snprintf(base, sizeof base, "/tmp/wasi_resolve_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	at(root, sizeof root, base, "root");
	at(outside, sizeof outside, base, "outside");
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	at(p, sizeof p, outside, "secret");
	make_file(p);
	at(p, sizeof p, outside, "sub");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	at(p, sizeof p, outside, "sub/inner");
	make_file(p);
	make_root();
	ck_assert_ptr_nonnull(realpath(root, root_real));
	if (in_memory) {
		ck_assert_msg(wasmd_bundle_pack(root, &image, &image_len, err,
		                  sizeof err) == WASMD_OK,
		    "%s", err);
		/* Outside the in-memory tree is the whole host: root too. */
		root[0] = '\0';
	}
	store = we_store_new(NULL);
	mem = we_memory_new(store, &one_page);
	before = snapshot();
	for (unsigned i = 0; i < PATHS; i++) {
		char path[2048];
		size_t len = gen_path(path, sizeof path);

		/* A fresh preopen now and then: the calls change the tree. */
		if (i % 100 == 0)
			fresh_preopen(image, image_len);
		all_calls(path, len);
	}
	after = snapshot();
	ck_assert_str_eq(before, after);
	/* The generator reached real files, not only errors. */
	ck_assert_uint_gt(opened, PATHS / 10);
	ck_assert_uint_gt(succeeded, PATHS / 10);
	ws_ctx_free(ctx);
	ctx = NULL;
	we_store_free(store);
	free(before);
	free(after);
	free(image);
	remove_tree(base);
}

START_TEST(nothing_resolves_outside_the_preopen)
{
	run_paths(false);
}
END_TEST

START_TEST(nothing_leaves_an_in_memory_bundle)
{
	run_paths(true);
}
END_TEST

/* Links that escape are refused by the resolver itself, with ENOTCAPABLE. */
START_TEST(escaping_links_are_not_capable)
{
	static const char *const escapes[] = {"up/x", "out/secret", "abs",
	    "chain", "a/deep", "updir/x", "sneaky/secret", "../f", "a/../../f",
	    "/etc/passwd"};
	char err[256];
	ws_target t;

	snprintf(base, sizeof base, "/tmp/wasi_resolve_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	at(root, sizeof root, base, "root");
	at(outside, sizeof outside, base, "outside");
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	make_root();
	ctx = ws_ctx_new();
	ck_assert(ws_ctx_add_preopen(ctx, root, "/", err, sizeof err));
	for (size_t i = 0; i < sizeof escapes / sizeof *escapes; i++) {
		uint32_t rc = ws_resolve_text(ws_fd_get(ctx, 3)->host_fd,
		    escapes[i], strlen(escapes[i]), true, &t);

		ck_assert_msg(
		    rc == WS_ENOTCAPABLE, "%s: errno %u", escapes[i], rc);
	}
	/* Links that stay inside are followed. */
	ck_assert_uint_eq(
	    ws_resolve_text(ws_fd_get(ctx, 3)->host_fd, "a/in", 4, true, &t),
	    0);
	ck_assert_str_eq(t.name, "f");
	ws_target_close(&t);
	ck_assert_uint_eq(
	    ws_resolve_text(ws_fd_get(ctx, 3)->host_fd, "loop", 4, true, &t),
	    WS_ELOOP);
	ws_ctx_free(ctx);
	ctx = NULL;
	remove_tree(base);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("wasi_resolve");
	TCase *tc = tcase_create("resolve");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, escaping_links_are_not_capable);
	tcase_add_test(tc, nothing_resolves_outside_the_preopen);
	tcase_add_test(tc, nothing_leaves_an_in_memory_bundle);
	suite_add_tcase(suite, tc);
	sr = srunner_create(suite);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
