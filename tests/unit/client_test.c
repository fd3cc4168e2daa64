/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_test.c: unit tests for libwasmd-client without the daemon.
 *
 * Value text (parse/format round trips, NaN payloads, -0, integer
 * extremes) is tested directly. The connection and the calls are tested
 * against a fake daemon (client_fake.c): a thread that listens on a
 * temporary Unix socket and answers with canned envelopes, recording what
 * the client sent.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wasmd/client.h>

#include "client_fake.h"

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

/* v128: "0x" and 32 hex digits, little-endian, as wasmtime writes it. */
START_TEST(test_v128_values)
{
	wasmd_value v;

	ck_assert_str_eq(
	    reformat(WASMD_V128, "0xFFFFFFFF000000000000000000000001", &v),
	    "0xffffffff000000000000000000000001");
	ck_assert_uint_eq(v.of.v128[0], 1);
	ck_assert_uint_eq(v.of.v128[15], 0xff);
	ck_assert_str_eq(wasmd_valtype_name(WASMD_V128), "v128");
	assert_rejected(WASMD_V128, "0x01");
	assert_rejected(WASMD_V128, "1");
	assert_rejected(WASMD_V128, "0xffffffff00000000000000000000000g");
}
END_TEST

/* 3.0's exnref and anyref: only null crosses, and prints as null. */
START_TEST(test_exnref_anyref_values)
{
	wasmd_value v;

	ck_assert_str_eq(reformat(WASMD_EXNREF, "null", &v), "null");
	ck_assert(v.is_null);
	ck_assert_str_eq(reformat(WASMD_ANYREF, "null", &v), "null");
	ck_assert_str_eq(wasmd_valtype_name(WASMD_EXNREF), "exnref");
	ck_assert_str_eq(wasmd_valtype_name(WASMD_ANYREF), "anyref");
	assert_rejected(WASMD_ANYREF, "5");
	assert_rejected(WASMD_EXNREF, "ref:1");
}
END_TEST

/* An anyref may hold an i31 reference, a value: "i31:N", 31 bits. */
START_TEST(test_i31_values)
{
	wasmd_value v;

	ck_assert_str_eq(reformat(WASMD_ANYREF, "i31:5", &v), "i31:5");
	ck_assert(v.is_i31 && !v.is_null);
	ck_assert_int_eq(v.of.i32, 5);
	ck_assert_str_eq(
	    reformat(WASMD_ANYREF, "i31:-1073741824", &v), "i31:-1073741824");
	/* From 2^30 the unsigned spelling wraps, as ref.i31 does. */
	ck_assert_str_eq(
	    reformat(WASMD_ANYREF, "i31:2147483647", &v), "i31:-1");
	ck_assert_str_eq(
	    reformat(WASMD_ANYREF, "i31:1073741824", &v), "i31:-1073741824");
	ck_assert_str_eq(reformat(WASMD_ANYREF, "i31:0x10", &v), "i31:16");
	assert_rejected(WASMD_ANYREF, "i31:2147483648");
	assert_rejected(WASMD_ANYREF, "i31:-1073741825");
	assert_rejected(WASMD_ANYREF, "i31:");
	assert_rejected(WASMD_ANYREF, "i31:1x");
	/* Only an anyref holds one. */
	assert_rejected(WASMD_EXNREF, "i31:1");
	assert_rejected(WASMD_FUNCREF, "i31:1");
	assert_rejected(WASMD_EXTERNREF, "i31:1");
}
END_TEST

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
	ck_assert_int_eq(wasmd_valtype_parse("v128", &t), 0);
	ck_assert_int_eq(t, WASMD_V128);
	ck_assert_int_eq(wasmd_valtype_parse("v256", &t), -1);
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

START_TEST(test_connect_and_push)
{
	static const uint8_t wasm[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	struct fake f;
	char addr[160];
	wasmd_module_info *info = NULL;
	wasmd_conn *c;

	fake_start(&f, FAKE_NORMAL, 1);
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
	ck_assert_str_eq(info->digest, FAKE_DIGEST);
	ck_assert_uint_eq(info->size, sizeof wasm);
	ck_assert_uint_eq(info->nnames, 1);
	ck_assert_str_eq(info->names[0], "demo");
	ck_assert_uint_eq(info->nimports, 1);
	ck_assert_str_eq(info->imports[0].module, "env");
	ck_assert_int_eq(info->imports[0].type.kind, WASMD_EXTERN_MEMORY);
	ck_assert_str_eq(info->imports[0].type.text, "(memory 1 2)");
	ck_assert_uint_eq(info->nexports, 3);
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

	fake_start(&f, FAKE_NORMAL, 1);
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
	ck_assert_int_eq(f.remove_scope, WASMD_REMOVE_REF);
	/* A scope the library does not know is refused before it is sent. */
	ck_assert_int_eq(wasmd_remove_scoped(c, "demo", (wasmd_remove_scope)7),
	    WASMD_ERR_INVALID);
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

	fake_start(&f, FAKE_NORMAL, 1);
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

	fake_start(&f, FAKE_BAD_VERSION, 1);
	c = wasmd_connect(f.path);
	ck_assert_int_eq(wasmd_status(c), WASMD_CONNECTION_BAD);
	ck_assert_int_eq(wasmd_errcode(c), WASMD_ERR_VERSION);
	ck_assert_str_eq(wasmd_errmsg(c), "protocol version too old");
	wasmd_close(c);
	fake_stop(&f);
}
END_TEST

START_TEST(test_refused_connection)
{
	/* The daemon's Error arrives whether our Hello was written before
	 * it closed or not. */
	for (int i = 0; i < 20; i++) {
		struct fake f;
		wasmd_conn *c;

		fake_start(&f, FAKE_REFUSE, 1);
		if (i % 2)
			usleep(20000); /* let the fake close first */
		c = wasmd_connect(f.path);
		fake_stop(&f);
		ck_assert_int_eq(wasmd_status(c), WASMD_CONNECTION_BAD);
		ck_assert_msg(wasmd_errcode(c) == WASMD_ERR_UNAVAILABLE,
		    "round %d: %s", i, wasmd_errmsg(c));
		ck_assert_str_eq(wasmd_errmsg(c), "too many connections");
		wasmd_close(c);
	}
}
END_TEST

START_TEST(test_peer_closes)
{
	struct fake f;
	wasmd_module_list *list = NULL;
	wasmd_conn *c;

	fake_start(&f, FAKE_CLOSE_ON_REQ, 1);
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
	tcase_add_test(values, test_v128_values);
	tcase_add_test(values, test_exnref_anyref_values);
	tcase_add_test(values, test_i31_values);
	tcase_add_test(values, test_float_values);
	tcase_add_test(values, test_nan_payloads);
	tcase_add_test(values, test_float_bits_round_trip);
	tcase_add_test(values, test_ref_values_and_names);
	tcase_add_test(conn, test_connect_and_push);
	tcase_add_test(conn, test_list_inspect_remove_errors);
	tcase_add_test(conn, test_invoke_and_host_call);
	tcase_add_test(conn, test_version_refused);
	tcase_add_test(conn, test_refused_connection);
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
