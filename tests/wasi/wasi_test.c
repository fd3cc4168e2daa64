/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi_test.c: libwasmd-wasi through its API, as the daemon will use it:
 * stdio through callbacks (stdin from a buffer, output captured), the
 * output limit, proc_exit, a write callback that fails, no file system
 * without preopens, and what ws_imports links. The guests are the C
 * programs of programs/ built for wasm32-wasi (WASI_BIN_DIR).
 *
 * And every WASI function called directly (through the private tables of
 * internal.h) with edge-value arguments: pointers at and past the end of
 * memory, lengths that wrap, bad fds; none may touch memory out of bounds
 * (ASan builds watch the host side) or do anything but return an errno.
 */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* What a run left: captured output, the exit, the trap. */
typedef struct capture {
	const char *in; /* borrowed: stdin's bytes */
	size_t in_len, in_pos;
	char out[1 << 16], err[4096];
	size_t out_len, err_len;
	int fail_errno; /* when set, every write fails with it */
} capture;

static int64_t
cap_read(void *env, uint8_t *buf, size_t len)
{
	capture *c = env;
	size_t n = c->in_len - c->in_pos;

	if (n > len)
		n = len;
	if (n > 7)
		n = 7; /* short reads, as from a pipe */
	memcpy(buf, c->in + c->in_pos, n);
	c->in_pos += n;
	return (int64_t)n;
}

static int64_t
cap_write(void *env, uint32_t fd, const uint8_t *buf, size_t len)
{
	capture *c = env;
	char *dst = fd == 1 ? c->out : c->err;
	size_t *have = fd == 1 ? &c->out_len : &c->err_len;
	size_t cap = fd == 1 ? sizeof c->out : sizeof c->err;

	if (c->fail_errno != 0)
		return -c->fail_errno;
	/* Short writes, as a pipe may do: the library must write the rest. */
	if (len > 3)
		len -= 3;
	if (len > cap - 1 - *have)
		len = cap - 1 - *have;
	memcpy(dst + *have, buf, len);
	*have += len;
	dst[*have] = '\0';
	return (int64_t)len;
}

static we_module *
load(const char *name)
{
	char path[1024];
	static uint8_t buf[1 << 20];
	size_t n;
	FILE *f;
	we_error err;
	we_module *m;

	snprintf(path, sizeof path, "%s/%s.wasm", WASI_BIN_DIR, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s", path);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	m = we_module_new(buf, n, &err);
	ck_assert_msg(m != NULL, "%s: %s", name, err.message);
	return m;
}

/*
 * Runs program name's _start with argv and the capture as stdio; returns
 * the call status and leaves ctx for inspection (own: *ctxp).
 */
static we_call_status
run(const char *name, int argc, char **argv, capture *cap, uint64_t max_out,
    ws_ctx **ctxp, char *trap, size_t trap_len)
{
	ws_stdio io = {.read = cap_read, .write = cap_write, .env = cap};
	we_module *m = load(name);
	we_store *s = we_store_new(NULL);
	ws_ctx *ctx = ws_ctx_new();
	we_import *imports;
	we_instance *inst;
	we_call_status st;
	we_error err;
	size_t n;

	ck_assert_ptr_nonnull(ctx);
	ck_assert(ws_ctx_set_args(ctx, argc, argv));
	ws_ctx_set_stdio(ctx, &io);
	ws_ctx_set_max_output(ctx, max_out);
	ck_assert_msg(
	    ws_imports(ctx, s, m, &imports, &n, &err), "%s", err.message);
	inst = we_instance_new(s, m, imports, n, &err);
	free(imports);
	ck_assert_msg(inst != NULL, "%s", err.message);
	st =
	    we_func_call(s, we_instance_func(inst, "_start"), NULL, 0, NULL, 0);
	if (st == WE_CALL_TRAP)
		snprintf(trap, trap_len, "%s", we_store_trap(s)->message);
	we_store_free(s);
	we_module_free(m);
	*ctxp = ctx;
	return st;
}

START_TEST(stdin_and_stdout_through_callbacks)
{
	static capture cap;
	char *argv[] = {"stdin_echo"}, trap[WE_MSG_MAX] = "";
	const char in[] = "one\ntwo\nthree, and a longer line\n\n";
	ws_ctx *ctx;
	uint32_t code = 99;

	memset(&cap, 0, sizeof cap);
	cap.in = in;
	cap.in_len = sizeof in - 1;
	/* main returning 0 is _start returning (no proc_exit) in wasi-libc. */
	ck_assert_int_eq(
	    run("stdin_echo", 1, argv, &cap, 0, &ctx, trap, sizeof trap),
	    WE_CALL_OK);
	ck_assert(!ws_ctx_exited(ctx, &code));
	ck_assert_uint_eq(code, 99);
	ck_assert_str_eq(cap.out, in);
	ck_assert_str_eq(cap.err, "34 bytes, 4 lines\n");
	ck_assert_uint_eq(ws_ctx_output_bytes(ctx), 34 + 18);
	ws_ctx_free(ctx);
}
END_TEST

START_TEST(output_limit_stops_the_guest)
{
	static capture cap;
	char *argv[] = {"spew"}, trap[WE_MSG_MAX] = "";
	ws_ctx *ctx;

	memset(&cap, 0, sizeof cap);
	ck_assert_int_eq(
	    run("spew", 1, argv, &cap, 5000, &ctx, trap, sizeof trap),
	    WE_CALL_TRAP);
	ck_assert(!ws_ctx_exited(ctx, NULL));
	ck_assert(ws_ctx_output_exceeded(ctx));
	ck_assert_str_eq(trap, "output limit of 5000 bytes exceeded");
	ck_assert_uint_eq(cap.out_len, 5000);
	ck_assert_uint_eq(ws_ctx_output_bytes(ctx), 5000);
	ws_ctx_free(ctx);
}
END_TEST

START_TEST(exit_code_and_failing_writes)
{
	static capture cap;
	char *argv[] = {"exit_code", "exit", "42"}, trap[WE_MSG_MAX] = "";
	ws_ctx *ctx;
	uint32_t code = 0;

	memset(&cap, 0, sizeof cap);
	cap.fail_errno = EPIPE; /* printf fails; exit(42) still happens */
	ck_assert_int_eq(
	    run("exit_code", 3, argv, &cap, 0, &ctx, trap, sizeof trap),
	    WE_CALL_TRAP);
	ck_assert(ws_ctx_exited(ctx, &code));
	ck_assert_uint_eq(code, 42);
	ck_assert_uint_eq(cap.out_len, 0);
	ws_ctx_free(ctx);
}
END_TEST

START_TEST(no_file_system_without_preopens)
{
	static capture cap;
	char *argv[] = {"files", "/"}, trap[WE_MSG_MAX] = "";
	ws_ctx *ctx;

	memset(&cap, 0, sizeof cap);
	run("files", 2, argv, &cap, 0, &ctx, trap, sizeof trap);
	ck_assert_msg(
	    strstr(cap.out, "open hello.txt: ") != NULL, "%s", cap.out);
	ck_assert_msg(strstr(cap.out, "opendir .: ") != NULL, "%s", cap.out);
	ws_ctx_free(ctx);
}
END_TEST

START_TEST(configuration_is_checked)
{
	ws_ctx *ctx = ws_ctx_new();
	char err[256] = "";

	ck_assert(!ws_ctx_add_env(ctx, "NO_EQUALS_SIGN"));
	ck_assert(!ws_ctx_add_env(ctx, "=value"));
	ck_assert(ws_ctx_add_env(ctx, "EMPTY="));
	ck_assert(!ws_ctx_add_preopen(
	    ctx, "/nonexistent/wasi/dir", "/x", err, sizeof err));
	ck_assert_msg(strstr(err, "/nonexistent/wasi/dir") != NULL, "%s", err);
	ck_assert(!ws_ctx_add_preopen(ctx, "/dev/null", "/x", err, sizeof err));
	ck_assert(ws_ctx_add_preopen(ctx, "/tmp", "/tmp", err, sizeof err));
	ws_ctx_free(ctx);
}
END_TEST

/*
 * (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32
 * i32) (result i32))) (import "env" "f" (func)) (import
 * "wasi_snapshot_preview1" "made_up" (func (result i64))): only the two
 * WASI functions are linked.
 */
START_TEST(imports_are_wasi_only)
{
	static const uint8_t mod[] =
	    "\0asm\1\0\0\0"
	    "\x01\x10\x03\x60\x04\x7f\x7f\x7f\x7f\x01\x7f\x60\x00\x00\x60\x00"
	    "\x01\x7e"
	    "\x02\x4c\x03"
	    "\x16wasi_snapshot_preview1\x08"
	    "fd_write\x00\x00"
	    "\x03"
	    "env\x01"
	    "f\x00\x01"
	    "\x16wasi_snapshot_preview1\x07"
	    "made_up\x00\x02";
	we_error err;
	we_module *m = we_module_new(mod, sizeof mod - 1, &err);
	we_store *s = we_store_new(NULL);
	ws_ctx *ctx = ws_ctx_new();
	we_import *imports;
	size_t n;

	ck_assert_msg(m != NULL, "%s", err.message);
	ck_assert(ws_imports(ctx, s, m, &imports, &n, &err));
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(imports[0].name, "fd_write");
	ck_assert_str_eq(imports[1].name, "made_up");
	ck_assert_uint_eq(
	    we_func_type(imports[1].value.of.func)->results[0], WE_I64);
	free(imports);
	we_store_free(s);
	we_module_free(m);
	ws_ctx_free(ctx);
}
END_TEST

/* Values that break naive bounds checks, for each parameter type. */
static const uint32_t edge32[] = {0, 1, 2, 3, 4, 8, 24, 65527, 65528, 65535,
    65536, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff};
static const uint64_t edge64[] = {
    0, 1, 65536, UINT64_MAX, INT64_MAX, (uint64_t)INT64_MIN};

/*
 * Calls fn with memory filled with fill and every parameter 0 (an fd
 * parameter first: 3, the preopen) but parameter p, which is v.
 */
static uint32_t
call_edge(const ws_fn *fn, we_memory *mem, char *dir, int fill, unsigned p,
    uint64_t v)
{
	bool on_fd = strncmp(fn->name, "fd_", 3) == 0 ||
	    strncmp(fn->name, "path_", 5) == 0;
	we_val args[16];
	char msg[WE_MSG_MAX], err[256];
	ws_ctx *ctx = ws_ctx_new();
	ws_call c = {.ctx = ctx, .mem = mem, .args = args, .message = msg};
	uint32_t rc;

	ck_assert(ws_ctx_add_preopen(ctx, dir, "/d", err, sizeof err));
	memset(we_memory_data(mem), fill, we_memory_size(mem));
	for (unsigned i = 0; fn->params[i] != '\0'; i++) {
		bool wide = fn->params[i] == 'I';
		uint64_t x = i == p ? v : i == 0 && on_fd ? 3 : 0;

		args[i].type = wide ? WE_I64 : WE_I32;
		if (wide)
			args[i].of.i64 = (int64_t)x;
		else
			args[i].of.i32 = (int32_t)(uint32_t)x;
	}
	rc = fn->impl(&c);
	ws_ctx_free(ctx);
	return rc;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* rm -r dir, never following a link. */
static int
remove_tree(const char *dir)
{
	return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Calls fn with arguments v (typed as its parameters) on ctx and mem. */
static uint32_t
call_fn(const ws_fn *fn, ws_ctx *ctx, we_memory *mem, const uint64_t *v)
{
	we_val args[16];
	char msg[WE_MSG_MAX];
	ws_call c = {.ctx = ctx, .mem = mem, .args = args, .message = msg};

	for (unsigned i = 0; fn->params[i] != '\0'; i++) {
		args[i].type = fn->params[i] == 'I' ? WE_I64 : WE_I32;
		if (fn->params[i] == 'I')
			args[i].of.i64 = (int64_t)v[i];
		else
			args[i].of.i32 = (int32_t)(uint32_t)v[i];
	}
	return fn->impl(&c);
}

/* Writes one 48-byte subscription at p: userdata, tag, fd or timeout. */
static void
put_sub(uint8_t *p, uint64_t userdata, uint8_t tag, uint64_t what)
{
	memset(p, 0, 48);
	ws_put_u64(p, userdata);
	p[8] = tag;
	if (tag == 0) {
		ws_put_u32(p + 16, 1); /* monotonic */
		ws_put_u64(p + 24, what);
	} else
		ws_put_u32(p + 16, (uint32_t)what);
}

/*
 * poll_oneoff on fds: a file is ready with the bytes left to read, a
 * closed fd is an EBADF event, stdin through a callback is ready, and none
 * of them waits for a 60 s clock beside them.
 */
START_TEST(poll_oneoff_on_fds)
{
	we_memtype one_page = {.limits = {1, 1, true}};
	we_store *s = we_store_new(NULL);
	we_memory *mem = we_memory_new(s, &one_page);
	uint8_t *m = we_memory_data(mem);
	capture cap = {0};
	ws_stdio io = {.read = cap_read, .write = cap_write, .env = &cap};
	char dir[] = "/tmp/wasi_poll_XXXXXX", path[64], err[256];
	ws_ctx *ctx = ws_ctx_new();
	time_t start = time(NULL);
	uint32_t fd;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/data", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("0123456789", f);
	fclose(f);
	ws_ctx_set_stdio(ctx, &io);
	ck_assert(ws_ctx_add_preopen(ctx, dir, "/", err, sizeof err));
	ck_assert_str_eq(ws_path_fns[0].name, "path_open");
	ck_assert_str_eq(ws_poll_fns[0].name, "poll_oneoff");
	memcpy(m + 4000, "data", 4);
	ck_assert_uint_eq(
	    call_fn(&ws_path_fns[0], ctx, mem,
	        (uint64_t[]){3, 0, 4000, 4, 0,
	            WS_RIGHT_FD_READ | WS_RIGHT_POLL_FD_READWRITE, 0, 0, 4100}),
	    0);
	fd = ws_get_u32(m + 4100);
	put_sub(m, 7, 1, fd);
	put_sub(m + 48, 8, 1, 99);
	put_sub(m + 96, 9, 0, UINT64_C(60000000000));
	put_sub(m + 144, 10, 1, 0);
	ck_assert_uint_eq(
	    call_fn(&ws_poll_fns[0], ctx, mem, (uint64_t[]){0, 1000, 4, 4200}),
	    0);
	ck_assert_uint_eq(ws_get_u32(m + 4200), 3);
	ck_assert_uint_eq(ws_get_u64(m + 1000), 7);
	ck_assert_uint_eq(ws_get_u16(m + 1008), 0);
	ck_assert_uint_eq(ws_get_u64(m + 1016), 10);
	ck_assert_uint_eq(ws_get_u64(m + 1032), 8);
	ck_assert_uint_eq(ws_get_u16(m + 1040), WS_EBADF);
	ck_assert_uint_eq(ws_get_u64(m + 1064), 10);
	ck_assert_uint_eq(ws_get_u16(m + 1072), 0);
	ck_assert_int_lt(time(NULL) - start, 30);
	ws_ctx_free(ctx);
	we_store_free(s);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(every_function_with_edge_arguments)
{
	static const ws_fn *const tables[] = {ws_env_fns, ws_fd_fns,
	    ws_fd_file_fns, ws_path_fns, ws_path_ops_fns, ws_clock_fns,
	    ws_misc_fns, ws_sock_fns, ws_poll_fns};
	we_memtype one_page = {.limits = {1, 1, true}};
	we_store *s = we_store_new(NULL);
	we_memory *mem = we_memory_new(s, &one_page);
	char dir[] = "/tmp/wasi_test_XXXXXX";
	unsigned calls = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (const ws_fn *fn = tables[t]; fn->name != NULL; fn++) {
			size_t np = strlen(fn->params);

			for (unsigned p = 0; p < np; p++) {
				bool wide = fn->params[p] == 'I';
				size_t nv = wide ? sizeof edge64 / 8
				                 : sizeof edge32 / 4;

				for (size_t k = 0; k < 2 * nv; k++) {
					uint32_t rc = call_edge(fn, mem, dir,
					    k < nv ? 0 : 'a', p,
					    wide ? edge64[k % nv]
					         : edge32[k % nv]);

					ck_assert_msg(rc <= WS_ENOTCAPABLE ||
					        (rc == WS_TRAP &&
					            (fn->noresult ||
					                strcmp(fn->name,
					                    "proc_raise") ==
					                    0)),
					    "%s: %u", fn->name, rc);
					calls++;
				}
			}
		}
	ck_assert_uint_gt(calls, 500);
	/* What the calls made (directories named "a"...) stays inside. */
	ck_assert_int_eq(remove_tree(dir), 0);
	we_store_free(s);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("wasi");
	TCase *tc = tcase_create("api");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, stdin_and_stdout_through_callbacks);
	tcase_add_test(tc, output_limit_stops_the_guest);
	tcase_add_test(tc, exit_code_and_failing_writes);
	tcase_add_test(tc, no_file_system_without_preopens);
	tcase_add_test(tc, configuration_is_checked);
	tcase_add_test(tc, imports_are_wasi_only);
	tcase_add_test(tc, every_function_with_edge_arguments);
	tcase_add_test(tc, poll_oneoff_on_fds);
	suite_add_tcase(suite, tc);
	sr = srunner_create(suite);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
