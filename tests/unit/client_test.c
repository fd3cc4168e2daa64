/*
 * client_test.c: unit tests for libwasmd-client without the daemon.
 *
 * Value text (parse/format round trips, NaN payloads, -0, integer
 * extremes) is tested directly. The connection and the calls are tested
 * against a fake server: a thread that listens on a temporary Unix socket
 * and answers with canned envelopes, recording what the client sent.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <wasmd/client.h>

#include "frame.h"

/* ---- Values ------------------------------------------------------------ */

/* Parses text as type, formats it again and returns the text (static). */
static const char *
reformat(wasmd_valtype type, const char *text, wasmd_value *v)
{
	static char buf[WASMD_VALUE_TEXT_MAX];
	char err[128] = "";

	ck_assert_msg(wasmd_value_parse(type, text, v, err, sizeof err) == 0,
	    "parse '%s': %s", text, err);
	ck_assert_int_eq(v->type, type);
	ck_assert_uint_lt(wasmd_value_format(v, buf, sizeof buf), sizeof buf);
	return buf;
}

static void
assert_rejected(wasmd_valtype type, const char *text)
{
	wasmd_value v;
	char err[128] = "";

	ck_assert_msg(wasmd_value_parse(type, text, &v, err, sizeof err) < 0,
	    "'%s' was accepted as %s", text, wasmd_valtype_name(type));
	ck_assert_str_ne(err, "");
}

START_TEST(test_int_values)
{
	wasmd_value v;

	ck_assert_str_eq(reformat(WASMD_I32, "-2147483648", &v), "-2147483648");
	ck_assert_int_eq(v.of.i32, INT32_MIN);
	ck_assert_str_eq(reformat(WASMD_I32, "4294967295", &v), "-1");
	ck_assert_str_eq(reformat(WASMD_I32, "0x10", &v), "16");
	ck_assert_str_eq(reformat(WASMD_I32, "010", &v), "10");
	ck_assert_str_eq(reformat(WASMD_I32, "+7", &v), "7");
	ck_assert_str_eq(reformat(WASMD_I64, "-9223372036854775808", &v),
	    "-9223372036854775808");
	ck_assert(v.of.i64 == INT64_MIN);
	ck_assert_str_eq(reformat(WASMD_I64, "18446744073709551615", &v), "-1");
	ck_assert_str_eq(reformat(WASMD_I64, "9223372036854775807", &v),
	    "9223372036854775807");
	assert_rejected(WASMD_I32, "4294967296");
	assert_rejected(WASMD_I32, "-2147483649");
	assert_rejected(WASMD_I64, "-9223372036854775809");
	assert_rejected(WASMD_I64, "18446744073709551616");
	assert_rejected(WASMD_I32, "");
	assert_rejected(WASMD_I32, " 1");
	assert_rejected(WASMD_I32, "1x");
	assert_rejected(WASMD_I32, "--1");
	assert_rejected(WASMD_I32, "0x");
	assert_rejected(WASMD_I32, "1.5");
}
END_TEST

START_TEST(test_float_values)
{
	wasmd_value v;

	ck_assert_str_eq(reformat(WASMD_F32, "0.1", &v), "0.1");
	ck_assert_uint_eq(v.of.f32_bits, 0x3dcccccd);
	ck_assert_str_eq(reformat(WASMD_F32, "-0", &v), "-0");
	ck_assert_uint_eq(v.of.f32_bits, 0x80000000);
	ck_assert_str_eq(reformat(WASMD_F64, "-0.0", &v), "-0");
	ck_assert(v.of.f64_bits == 0x8000000000000000ull);
	ck_assert_str_eq(reformat(WASMD_F64, "0.1", &v), "0.1");
	ck_assert_str_eq(reformat(WASMD_F64, "1e308", &v), "1e+308");
	ck_assert_str_eq(reformat(WASMD_F64, "5e-324", &v), "5e-324");
	ck_assert(v.of.f64_bits == 1);
	ck_assert_str_eq(
	    reformat(WASMD_F32, "3.4028235e38", &v), "3.4028235e+38");
	ck_assert_str_eq(reformat(WASMD_F32, "0x1p-149", &v), "1e-45");
	ck_assert_uint_eq(v.of.f32_bits, 1);
	ck_assert_str_eq(reformat(WASMD_F32, "inf", &v), "inf");
	ck_assert_uint_eq(v.of.f32_bits, 0x7f800000);
	ck_assert_str_eq(reformat(WASMD_F64, "-inf", &v), "-inf");
	ck_assert(v.of.f64_bits == 0xfff0000000000000ull);
	assert_rejected(WASMD_F32, "1e39");
	assert_rejected(WASMD_F64, "1e309");
	assert_rejected(WASMD_F64, "");
	assert_rejected(WASMD_F64, "1.0x");
	assert_rejected(WASMD_F64, "nan(123)");
	assert_rejected(WASMD_F64, " 1");
}
END_TEST

START_TEST(test_nan_payloads)
{
	wasmd_value v;

	ck_assert_str_eq(reformat(WASMD_F32, "nan", &v), "nan");
	ck_assert_uint_eq(v.of.f32_bits, 0x7fc00000);
	ck_assert_str_eq(reformat(WASMD_F32, "-nan", &v), "-nan");
	ck_assert_uint_eq(v.of.f32_bits, 0xffc00000);
	ck_assert_str_eq(reformat(WASMD_F32, "nan:0x1", &v), "nan:0x1");
	ck_assert_uint_eq(v.of.f32_bits, 0x7f800001);
	ck_assert_str_eq(
	    reformat(WASMD_F32, "-nan:0x200000", &v), "-nan:0x200000");
	ck_assert_uint_eq(v.of.f32_bits, 0xffa00000);
	ck_assert_str_eq(reformat(WASMD_F64, "nan:0x4000000000001", &v),
	    "nan:0x4000000000001");
	ck_assert(v.of.f64_bits == 0x7ff4000000000001ull);
	ck_assert_str_eq(reformat(WASMD_F64, "nan", &v), "nan");
	ck_assert(v.of.f64_bits == 0x7ff8000000000000ull);
	assert_rejected(WASMD_F32, "nan:0x0");
	assert_rejected(WASMD_F32, "nan:0x800000");
	assert_rejected(WASMD_F64, "nan:0x10000000000000");
	assert_rejected(WASMD_F64, "nan:12");
}
END_TEST

/* A small deterministic generator: the same patterns on every run. */
static uint64_t
next_bits(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return *state ^ (*state >> 29);
}

START_TEST(test_float_bits_round_trip)
{
	/* Every pattern, NaNs and subnormals included, formats to text
	 * that parses back to the same bits. */
	uint64_t state = 12345;
	char buf[WASMD_VALUE_TEXT_MAX], err[128];

	for (int i = 0; i < 20000; i++) {
		wasmd_value v = {.type = i % 2 ? WASMD_F64 : WASMD_F32}, back;
		uint64_t bits = next_bits(&state);

		if (i % 7 == 0) /* force NaNs and infinities often */
			bits |= 0x7ff0000000000000ull | 0x7f800000ull;
		if (v.type == WASMD_F32)
			v.of.f32_bits = (uint32_t)bits;
		else
			v.of.f64_bits = bits;
		wasmd_value_format(&v, buf, sizeof buf);
		ck_assert_msg(
		    wasmd_value_parse(v.type, buf, &back, err, sizeof err) == 0,
		    "'%s': %s", buf, err);
		if (v.type == WASMD_F32)
			ck_assert_msg(back.of.f32_bits == v.of.f32_bits,
			    "f32 %08x -> '%s' -> %08x", v.of.f32_bits, buf,
			    back.of.f32_bits);
		else
			ck_assert_msg(back.of.f64_bits == v.of.f64_bits,
			    "f64 %016llx -> '%s'",
			    (unsigned long long)v.of.f64_bits, buf);
	}
}
END_TEST

START_TEST(test_ref_values_and_names)
{
	wasmd_value v;
	wasmd_valtype t;

	ck_assert_str_eq(reformat(WASMD_FUNCREF, "null", &v), "null");
	ck_assert(v.is_null);
	ck_assert_str_eq(reformat(WASMD_EXTERNREF, "5", &v), "ref:5");
	ck_assert(!v.is_null);
	ck_assert_str_eq(reformat(WASMD_EXTERNREF, "ref:9", &v), "ref:9");
	assert_rejected(WASMD_FUNCREF, "5");
	ck_assert_int_eq(wasmd_valtype_parse("externref", &t), 0);
	ck_assert_int_eq(t, WASMD_EXTERNREF);
	ck_assert_int_eq(wasmd_valtype_parse("v128", &t), -1);
	ck_assert_str_eq(wasmd_strerror(WASMD_ERR_NOT_FOUND), "no such module");
	ck_assert_str_eq(
	    wasmd_trap_kind_name(WASMD_TRAP_OUT_OF_FUEL), "out of fuel");
	/* The error codes mirror the protocol's numbers. */
	ck_assert_int_eq(WASMD_ERR_DENIED, WASMD__ERROR_CODE__ERR_DENIED);
	ck_assert_int_eq(WASMD_ERR_TIMEOUT, WASMD__ERROR_CODE__ERR_TIMEOUT);
	ck_assert_int_eq(WASMD_TRAP_HOST, WASMD__TRAP_KIND__TRAP_HOST);
	ck_assert_int_eq(WASMD_EXTERNREF, WASMD__VAL_TYPE__VAL_EXTERNREF);
}
END_TEST

/* ---- A fake daemon ----------------------------------------------------- */

enum fake_mode {
	FAKE_NORMAL,       /* answers every request */
	FAKE_BAD_VERSION,  /* refuses Hello with ERR_VERSION */
	FAKE_CLOSE_ON_REQ, /* closes the connection at the first request */
};

struct fake {
	enum fake_mode mode;
	char dir[64];
	char path[96];
	int listen_fd;
	pthread_t thread;
	/* What the client sent, for the test to check afterwards. */
	uint32_t hello_version;
	char hello_software[64];
	uint64_t ids[16];
	int nids;
	char host_reply_error[128];
	Wasmd__InvokeLimits limits;
	int64_t arg_sum;
	size_t pushed_len;
};

static void
reply(int fd, uint64_t id, Wasmd__Envelope *env)
{
	char err[128];

	env->id = id;
	ck_assert_int_eq(wp_write_envelope(fd, env, err, sizeof err), 0);
}

static void
reply_error(int fd, uint64_t id, Wasmd__ErrorCode code, const char *msg)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Error e = WASMD__ERROR__INIT;

	e.code = code;
	e.message = (char *)msg;
	env.msg_case = WASMD__ENVELOPE__MSG_ERROR;
	env.error = &e;
	reply(fd, id, &env);
}

/* A canned module: imports env.mem (memory 1 2), exports add and g. */
static void
send_module_info(int fd, uint64_t id, const char *name, size_t size)
{
	static Wasmd__ValType i32x2[] = {
	    WASMD__VAL_TYPE__VAL_I32, WASMD__VAL_TYPE__VAL_I32};
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__ModuleInfo mi = WASMD__MODULE_INFO__INIT;
	Wasmd__FuncType ft = WASMD__FUNC_TYPE__INIT;
	Wasmd__ExternType add_t = WASMD__EXTERN_TYPE__INIT,
	                  mem_t = WASMD__EXTERN_TYPE__INIT,
	                  glob_t = WASMD__EXTERN_TYPE__INIT;
	Wasmd__Limits lim = WASMD__LIMITS__INIT;
	Wasmd__Export add = WASMD__EXPORT__INIT, glob = WASMD__EXPORT__INIT;
	Wasmd__Export *exports[] = {&add, &glob};
	Wasmd__Import mem = WASMD__IMPORT__INIT;
	Wasmd__Import *imports[] = {&mem};
	char *names[] = {(char *)name};

	ft.n_params = 2;
	ft.params = i32x2;
	ft.n_results = 1;
	ft.results = i32x2;
	add_t.kind = WASMD__EXTERN_KIND__EXTERN_FUNC;
	add_t.func = &ft;
	add.name = "add";
	add.type = &add_t;
	glob_t.kind = WASMD__EXTERN_KIND__EXTERN_GLOBAL;
	glob_t.val_type = WASMD__VAL_TYPE__VAL_F64;
	glob_t.mutable_ = 1;
	glob.name = "g";
	glob.type = &glob_t;
	lim.min = 1;
	lim.max = 2;
	lim.has_max = 1;
	mem_t.kind = WASMD__EXTERN_KIND__EXTERN_MEMORY;
	mem_t.limits = &lim;
	mem.module = "env";
	mem.name = "mem";
	mem.type = &mem_t;
	mi.digest = "0123456789abcdef0123456789abcdef"
	            "0123456789abcdef0123456789abcdef";
	mi.size = size;
	mi.n_names = name[0] != '\0';
	mi.names = names;
	mi.n_imports = 1;
	mi.imports = imports;
	mi.n_exports = 2;
	mi.exports = exports;
	env.msg_case = WASMD__ENVELOPE__MSG_MODULE_INFO;
	env.module_info = &mi;
	reply(fd, id, &env);
}

static void
send_list(int fd, uint64_t id)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__ModuleList ml = WASMD__MODULE_LIST__INIT;
	Wasmd__ModuleInfo a = WASMD__MODULE_INFO__INIT,
	                  b = WASMD__MODULE_INFO__INIT;
	Wasmd__ModuleInfo *mods[] = {&a, &b};

	a.digest = "aa";
	a.size = 10;
	b.digest = "bb";
	b.size = 20;
	ml.n_modules = 2;
	ml.modules = mods;
	env.msg_case = WASMD__ENVELOPE__MSG_MODULE_LIST;
	env.module_list = &ml;
	reply(fd, id, &env);
}

/*
 * An invoke: first a host call (which the client must refuse), then the
 * result: the sum of the i32 args, or a trap for export "boom".
 */
static void
serve_invoke(struct fake *f, int fd, uint64_t id, const Wasmd__Invoke *inv)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *hr = NULL;
	Wasmd__HostCall hc = WASMD__HOST_CALL__INIT;
	Wasmd__InvokeResult res = WASMD__INVOKE_RESULT__INIT;
	Wasmd__Value sum = WASMD__VALUE__INIT, *results[] = {&sum};
	Wasmd__Trap trap = WASMD__TRAP__INIT;
	Wasmd__Frame fr = WASMD__FRAME__INIT, *frames[] = {&fr};
	char err[128];

	if (inv->limits != NULL)
		f->limits = *inv->limits;
	f->arg_sum = 0;
	for (size_t i = 0; i < inv->n_args; i++)
		f->arg_sum += (int32_t)(uint32_t)inv->args[i]->bits;
	hc.module = "env";
	hc.name = "log";
	env.msg_case = WASMD__ENVELOPE__MSG_HOST_CALL;
	env.host_call = &hc;
	reply(fd, id, &env);
	ck_assert_int_eq(
	    wp_read_envelope(fd, 1 << 20, &hr, err, sizeof err), 0);
	ck_assert_uint_eq(hr->id, id);
	ck_assert_int_eq(hr->msg_case, WASMD__ENVELOPE__MSG_HOST_REPLY);
	snprintf(f->host_reply_error, sizeof f->host_reply_error, "%s",
	    hr->host_reply->error);
	wasmd__envelope__free_unpacked(hr, NULL);

	res.fuel_consumed = 77;
	res.elapsed_us = 5;
	if (strcmp(inv->export, "boom") == 0) {
		trap.kind = WASMD__TRAP_KIND__TRAP_UNREACHABLE;
		trap.message = "unreachable executed";
		fr.func_index = 3;
		fr.name = "boom";
		fr.offset = 0x10;
		trap.n_frames = 1;
		trap.frames = frames;
		res.trap = &trap;
	} else {
		sum.type = WASMD__VAL_TYPE__VAL_I32;
		sum.bits = (uint32_t)f->arg_sum;
		res.n_results = 1;
		res.results = results;
	}
	wasmd__envelope__init(&env);
	env.msg_case = WASMD__ENVELOPE__MSG_INVOKE_RESULT;
	env.invoke_result = &res;
	reply(fd, id, &env);
}

static int
serve_hello(struct fake *f, int fd)
{
	Wasmd__Envelope *in = NULL, env = WASMD__ENVELOPE__INIT;
	Wasmd__Hello hello = WASMD__HELLO__INIT;
	char err[128];

	if (wp_read_envelope(fd, 1 << 20, &in, err, sizeof err) < 0)
		return -1;
	ck_assert_int_eq(in->msg_case, WASMD__ENVELOPE__MSG_HELLO);
	f->hello_version = in->hello->version;
	snprintf(f->hello_software, sizeof f->hello_software, "%s",
	    in->hello->software);
	wasmd__envelope__free_unpacked(in, NULL);
	if (f->mode == FAKE_BAD_VERSION) {
		reply_error(fd, 0, WASMD__ERROR_CODE__ERR_VERSION,
		    "protocol version too old");
		return -1;
	}
	hello.version = WP_PROTOCOL_VERSION;
	hello.software = "fake-wasmd";
	hello.tenant = "alice";
	env.msg_case = WASMD__ENVELOPE__MSG_HELLO;
	env.hello = &hello;
	reply(fd, 0, &env);
	return 0;
}

static void
serve_request(struct fake *f, int fd, const Wasmd__Envelope *in)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Ok ok = WASMD__OK__INIT;

	switch (in->msg_case) {
	case WASMD__ENVELOPE__MSG_PUSH:
		f->pushed_len = in->push->wasm.len;
		send_module_info(
		    fd, in->id, in->push->name, in->push->wasm.len);
		break;
	case WASMD__ENVELOPE__MSG_LIST: send_list(fd, in->id); break;
	case WASMD__ENVELOPE__MSG_INSPECT:
		if (strcmp(in->inspect->ref, "missing") == 0)
			reply_error(fd, in->id,
			    WASMD__ERROR_CODE__ERR_NOT_FOUND,
			    "no module matches 'missing'");
		else
			send_module_info(fd, in->id, in->inspect->ref, 8);
		break;
	case WASMD__ENVELOPE__MSG_REMOVE:
		env.msg_case = WASMD__ENVELOPE__MSG_OK;
		env.ok = &ok;
		reply(fd, in->id, &env);
		break;
	case WASMD__ENVELOPE__MSG_INVOKE:
		serve_invoke(f, fd, in->id, in->invoke);
		break;
	default:
		reply_error(fd, in->id, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "unexpected");
	}
}

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	int fd = accept(f->listen_fd, NULL, NULL);
	Wasmd__Envelope *in = NULL;
	char err[128];

	ck_assert_int_ge(fd, 0);
	if (serve_hello(f, fd) < 0)
		goto out;
	while (wp_read_envelope(fd, 1 << 20, &in, err, sizeof err) == 0) {
		if (f->nids < 16)
			f->ids[f->nids++] = in->id;
		if (f->mode == FAKE_CLOSE_ON_REQ) {
			wasmd__envelope__free_unpacked(in, NULL);
			break;
		}
		serve_request(f, fd, in);
		wasmd__envelope__free_unpacked(in, NULL);
	}
out:
	close(fd);
	return NULL;
}

static void
fake_start(struct fake *f, enum fake_mode mode)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	memset(f, 0, sizeof *f);
	f->mode = mode;
	snprintf(f->dir, sizeof f->dir, "/tmp/wasmd-client-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/sock", f->dir);
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", f->path);
	f->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(f->listen_fd, 0);
	ck_assert_int_eq(
	    bind(f->listen_fd, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(listen(f->listen_fd, 1), 0);
	ck_assert_int_eq(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void
fake_stop(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->listen_fd);
	unlink(f->path);
	rmdir(f->dir);
}

START_TEST(test_connect_and_push)
{
	static const uint8_t wasm[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	struct fake f;
	char addr[160];
	wasmd_module_info *info = NULL;
	wasmd_conn *c;

	fake_start(&f, FAKE_NORMAL);
	snprintf(addr, sizeof addr, "unix://%s", f.path);
	c = wasmd_connect(addr);
	ck_assert_ptr_nonnull(c);
	ck_assert_msg(
	    wasmd_status(c) == WASMD_CONNECTION_OK, "%s", wasmd_errmsg(c));
	ck_assert_str_eq(wasmd_errmsg(c), "");
	ck_assert_str_eq(wasmd_server_software(c), "fake-wasmd");
	ck_assert_str_eq(wasmd_tenant(c), "alice");
	ck_assert_int_ge(wasmd_fd(c), 0);

	ck_assert_int_eq(
	    wasmd_push(c, wasm, sizeof wasm, "demo", &info), WASMD_OK);
	ck_assert_str_eq(info->digest,
	    "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef");
	ck_assert_uint_eq(info->size, sizeof wasm);
	ck_assert_uint_eq(info->nnames, 1);
	ck_assert_str_eq(info->names[0], "demo");
	ck_assert_uint_eq(info->nimports, 1);
	ck_assert_str_eq(info->imports[0].module, "env");
	ck_assert_int_eq(info->imports[0].type.kind, WASMD_EXTERN_MEMORY);
	ck_assert_str_eq(info->imports[0].type.text, "(memory 1 2)");
	ck_assert_uint_eq(info->nexports, 2);
	ck_assert_str_eq(
	    info->exports[0].type.text, "(func (param i32 i32) (result i32))");
	ck_assert_uint_eq(info->exports[0].type.func.nparams, 2);
	ck_assert_str_eq(info->exports[1].type.text, "(global (mut f64))");
	ck_assert_ptr_eq(
	    wasmd_module_info_export(info, "g"), &info->exports[1]);
	ck_assert_ptr_null(wasmd_module_info_export(info, "nope"));
	wasmd_module_info_free(info);
	wasmd_close(c);
	fake_stop(&f);

	ck_assert_uint_eq(f.hello_version, WP_PROTOCOL_VERSION);
	ck_assert_ptr_nonnull(strstr(f.hello_software, "libwasmd-client"));
	ck_assert_uint_eq(f.pushed_len, sizeof wasm);
	ck_assert_int_eq(f.nids, 1);
	ck_assert_uint_ne(f.ids[0], 0);
}
END_TEST

START_TEST(test_list_inspect_remove_errors)
{
	struct fake f;
	wasmd_module_list *list = NULL;
	wasmd_module_info *info = (wasmd_module_info *)1;
	wasmd_conn *c;

	fake_start(&f, FAKE_NORMAL);
	c = wasmd_connect(f.path); /* a plain path works too */
	ck_assert_msg(
	    wasmd_status(c) == WASMD_CONNECTION_OK, "%s", wasmd_errmsg(c));
	ck_assert_int_eq(wasmd_list(c, &list), WASMD_OK);
	ck_assert_uint_eq(list->count, 2);
	ck_assert_str_eq(list->modules[1].digest, "bb");
	ck_assert_uint_eq(list->modules[1].size, 20);
	wasmd_module_list_free(list);

	ck_assert_int_eq(
	    wasmd_inspect(c, "missing", &info), WASMD_ERR_NOT_FOUND);
	ck_assert_ptr_null(info);
	ck_assert_str_eq(wasmd_errmsg(c), "no module matches 'missing'");
	ck_assert_int_eq(wasmd_errcode(c), WASMD_ERR_NOT_FOUND);
	/* A daemon error leaves the connection usable. */
	ck_assert_int_eq(wasmd_status(c), WASMD_CONNECTION_OK);
	ck_assert_int_eq(wasmd_remove(c, "demo"), WASMD_OK);
	ck_assert_str_eq(wasmd_errmsg(c), "");
	ck_assert_int_eq(wasmd_inspect(c, "demo", &info), WASMD_OK);
	ck_assert_str_eq(info->names[0], "demo");
	wasmd_module_info_free(info);
	wasmd_close(c);
	fake_stop(&f);

	/* Every request got its own id. */
	ck_assert_int_eq(f.nids, 4);
	for (int i = 1; i < f.nids; i++)
		ck_assert_uint_gt(f.ids[i], f.ids[i - 1]);
}
END_TEST

START_TEST(test_invoke_and_host_call)
{
	struct fake f;
	wasmd_invoke_options opts = WASMD_INVOKE_OPTIONS_INIT;
	wasmd_value args[2];
	wasmd_result *r = NULL;
	wasmd_conn *c;

	fake_start(&f, FAKE_NORMAL);
	c = wasmd_connect(f.path);
	ck_assert_int_eq(wasmd_status(c), WASMD_CONNECTION_OK);
	ck_assert_int_eq(
	    wasmd_value_parse(WASMD_I32, "40", &args[0], NULL, 0), 0);
	ck_assert_int_eq(
	    wasmd_value_parse(WASMD_I32, "-2", &args[1], NULL, 0), 0);
	opts.limits.fuel = 1000;
	opts.limits.max_memory_bytes = 65536;
	opts.limits.timeout_ms = 1500;
	ck_assert_int_eq(
	    wasmd_invoke(c, "demo", "add", args, 2, &opts, &r), WASMD_OK);
	ck_assert_int_eq(r->trap, WASMD_TRAP_NONE);
	ck_assert_uint_eq(r->nresults, 1);
	ck_assert_int_eq(r->results[0].type, WASMD_I32);
	ck_assert_int_eq(r->results[0].of.i32, 38);
	ck_assert_uint_eq(r->fuel_consumed, 77);
	ck_assert_str_eq(f.host_reply_error, "no host function registered");
	ck_assert_uint_eq(f.limits.fuel, 1000);
	ck_assert_uint_eq(f.limits.max_memory_bytes, 65536);
	ck_assert_uint_eq(f.limits.timeout_ms, 1500);
	wasmd_result_free(r);

	/* An options struct from an older, smaller version: no limits. */
	opts.size = sizeof(size_t);
	ck_assert_int_eq(
	    wasmd_invoke(c, "demo", "boom", NULL, 0, &opts, &r), WASMD_OK);
	ck_assert_uint_eq(f.limits.fuel, 0);
	ck_assert_int_eq(r->trap, WASMD_TRAP_UNREACHABLE);
	ck_assert_str_eq(r->trap_message, "unreachable executed");
	ck_assert_uint_eq(r->nresults, 0);
	ck_assert_uint_eq(r->nframes, 1);
	ck_assert_str_eq(r->frames[0].name, "boom");
	ck_assert_uint_eq(r->frames[0].func_index, 3);
	ck_assert_uint_eq(r->frames[0].offset, 0x10);
	wasmd_result_free(r);
	wasmd_close(c);
	fake_stop(&f);
}
END_TEST

START_TEST(test_version_refused)
{
	struct fake f;
	wasmd_conn *c;

	fake_start(&f, FAKE_BAD_VERSION);
	c = wasmd_connect(f.path);
	ck_assert_int_eq(wasmd_status(c), WASMD_CONNECTION_BAD);
	ck_assert_int_eq(wasmd_errcode(c), WASMD_ERR_VERSION);
	ck_assert_str_eq(wasmd_errmsg(c), "protocol version too old");
	wasmd_close(c);
	fake_stop(&f);
}
END_TEST

START_TEST(test_peer_closes)
{
	struct fake f;
	wasmd_module_list *list = NULL;
	wasmd_conn *c;

	fake_start(&f, FAKE_CLOSE_ON_REQ);
	c = wasmd_connect(f.path);
	ck_assert_int_eq(wasmd_status(c), WASMD_CONNECTION_OK);
	ck_assert_int_eq(wasmd_list(c, &list), WASMD_ERR_IO);
	ck_assert_ptr_null(list);
	ck_assert_int_eq(wasmd_status(c), WASMD_CONNECTION_BAD);
	ck_assert_ptr_nonnull(strstr(wasmd_errmsg(c), "connection closed"));
	ck_assert_int_eq(wasmd_remove(c, "x"), WASMD_ERR_IO);
	ck_assert_ptr_nonnull(strstr(wasmd_errmsg(c), "not connected"));
	ck_assert_int_eq(wasmd_fd(c), -1);
	wasmd_close(c);
	fake_stop(&f);
}
END_TEST

START_TEST(test_bad_addresses)
{
	wasmd_conn *c = wasmd_connect("/nonexistent/wasmd-test.sock");

	ck_assert_int_eq(wasmd_status(c), WASMD_CONNECTION_BAD);
	ck_assert_int_eq(wasmd_errcode(c), WASMD_ERR_IO);
	ck_assert_ptr_nonnull(
	    strstr(wasmd_errmsg(c), "/nonexistent/wasmd-test.sock"));
	ck_assert_int_eq(
	    wasmd_list(c, &(wasmd_module_list *){NULL}), WASMD_ERR_IO);
	wasmd_close(c);
	c = wasmd_connect("tcp://localhost:1");
	ck_assert_int_eq(wasmd_errcode(c), WASMD_ERR_INVALID);
	wasmd_close(c);
	c = wasmd_connect("unix://");
	ck_assert_int_eq(wasmd_errcode(c), WASMD_ERR_INVALID);
	wasmd_close(c);
	ck_assert_str_eq(wasmd_errmsg(NULL), "out of memory");
	ck_assert_int_eq(wasmd_status(NULL), WASMD_CONNECTION_BAD);
}
END_TEST

START_TEST(test_default_address)
{
	char *a;

	setenv("WASMD_HOST", "unix:///tmp/x.sock", 1);
	a = wasmd_default_address();
	ck_assert_str_eq(a, "unix:///tmp/x.sock");
	free(a);
	unsetenv("WASMD_HOST");
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	a = wasmd_default_address();
	if (geteuid() == 0)
		ck_assert_str_eq(a, "unix:///run/wasmd/wasmd.sock");
	else
		ck_assert_str_eq(a, "unix:///run/user/1000/wasmd/wasmd.sock");
	free(a);
	unsetenv("XDG_RUNTIME_DIR");
	a = wasmd_default_address();
	ck_assert_str_eq(a, "unix:///run/wasmd/wasmd.sock");
	free(a);
}
END_TEST

static Suite *
client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *values = tcase_create("values");
	TCase *conn = tcase_create("conn");

	tcase_add_test(values, test_int_values);
	tcase_add_test(values, test_float_values);
	tcase_add_test(values, test_nan_payloads);
	tcase_add_test(values, test_float_bits_round_trip);
	tcase_add_test(values, test_ref_values_and_names);
	tcase_add_test(conn, test_connect_and_push);
	tcase_add_test(conn, test_list_inspect_remove_errors);
	tcase_add_test(conn, test_invoke_and_host_call);
	tcase_add_test(conn, test_version_refused);
	tcase_add_test(conn, test_peer_closes);
	tcase_add_test(conn, test_bad_addresses);
	tcase_add_test(conn, test_default_address);
	tcase_set_timeout(conn, 20);
	suite_add_tcase(s, values);
	suite_add_tcase(s, conn);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(client_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
