/* SPDX-License-Identifier: Apache-2.0 */
/*
 * local_run_test.c: unit tests for worker/local_run.c, `wasmd-worker run`:
 * command-line values parsed by parameter type and results printed in a
 * form that reads back bit for bit, and whole runs of small modules (exit
 * codes, printed results, traps, fuel, missing exports and imports).
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_run.h"

static we_val
parse_ok(const char *text, we_valtype t)
{
	we_val v;

	ck_assert_msg(wrk_run_parse_val(text, t, &v), "\"%s\" refused", text);
	ck_assert_int_eq(v.type, t);
	return v;
}

static const char *
fmt(we_val v)
{
	static char buf[64];

	return wrk_run_format_val(&v, buf, sizeof buf);
}

START_TEST(parse_integers)
{
	we_val v;

	ck_assert_int_eq(parse_ok("-1", WE_I32).of.i32, -1);
	ck_assert_int_eq(parse_ok("4294967295", WE_I32).of.i32, -1);
	ck_assert_int_eq(parse_ok("0x80000000", WE_I32).of.i32, INT32_MIN);
	ck_assert_int_eq(parse_ok("-2147483648", WE_I32).of.i32, INT32_MIN);
	ck_assert_int_eq(parse_ok("18446744073709551615", WE_I64).of.i64, -1);
	ck_assert_int_eq(
	    parse_ok("-9223372036854775808", WE_I64).of.i64, INT64_MIN);
	ck_assert(!wrk_run_parse_val("4294967296", WE_I32, &v));
	ck_assert(!wrk_run_parse_val("-2147483649", WE_I32, &v));
	ck_assert(!wrk_run_parse_val("12abc", WE_I32, &v));
	ck_assert(!wrk_run_parse_val("", WE_I64, &v));
	ck_assert(!wrk_run_parse_val("--1", WE_I64, &v));
}
END_TEST

/* A v128 is one little-endian 128-bit hex literal, read and written. */
START_TEST(parse_v128)
{
	const char *text = "0x0f0e0d0c0b0a09080706050403020100";
	we_val v = parse_ok(text, WE_V128);

	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(v.of.v128[i], i);
	ck_assert_str_eq(fmt(v), text);
	ck_assert(!wrk_run_parse_val("0x0102", WE_V128, &v));
	ck_assert(!wrk_run_parse_val(
	    "0x0f0e0d0c0b0a09080706050403020g00", WE_V128, &v));
	ck_assert(!wrk_run_parse_val("1", WE_V128, &v));
}
END_TEST

/* A typed reference parameter takes "null", as a funcref. */
START_TEST(parse_typed_ref)
{
	we_val v;

	ck_assert(wrk_run_parse_val("null", WE_REF_TYPE(0), &v));
	ck_assert_int_eq(v.type, WE_FUNCREF);
	ck_assert_ptr_null(v.of.funcref);
	ck_assert(!wrk_run_parse_val("0", WE_REF_TYPE(0), &v));
	ck_assert(wrk_run_parse_val("null", WE_EXTERNREF | WE_REF_NONNULL, &v));
	ck_assert_int_eq(v.type, WE_EXTERNREF);
}
END_TEST

/* 3.0's anyref and exnref, and the bottom types: "null" in, "null" out. */
START_TEST(parse_abstract_refs)
{
	we_val v;
	char buf[32];

	ck_assert(wrk_run_parse_val("null", WE_ANYREF, &v));
	ck_assert_int_eq(v.type, WE_ANYREF);
	ck_assert_str_eq(wrk_run_format_val(&v, buf, sizeof buf), "null");
	ck_assert(wrk_run_parse_val("null", WE_EXNREF, &v));
	ck_assert_str_eq(wrk_run_format_val(&v, buf, sizeof buf), "null");
	ck_assert(wrk_run_parse_val("null", WE_NULLEXTERNREF, &v));
	ck_assert_int_eq(v.type, WE_EXTERNREF);
	ck_assert(!wrk_run_parse_val("1", WE_ANYREF, &v));
}
END_TEST

/* i31 references: "i31:N" in and out, where an anyref, eqref or i31ref is
 * expected; eqref and i31ref are anyrefs to the host. */
START_TEST(parse_i31_refs)
{
	we_val v;
	int32_t x;
	char buf[32];

	ck_assert(wrk_run_parse_val("i31:-5", WE_EQREF, &v));
	ck_assert_int_eq(v.type, WE_ANYREF);
	ck_assert(we_val_i31(v, &x));
	ck_assert_int_eq(x, -5);
	ck_assert_str_eq(wrk_run_format_val(&v, buf, sizeof buf), "i31:-5");
	ck_assert(wrk_run_parse_val("i31:2147483647", WE_I31REF, &v));
	ck_assert_str_eq(wrk_run_format_val(&v, buf, sizeof buf), "i31:-1");
	ck_assert(!wrk_run_parse_val("i31:2147483648", WE_ANYREF, &v));
	ck_assert(!wrk_run_parse_val("i31:1", WE_EXNREF, &v));
	ck_assert(wrk_run_parse_val("null", WE_STRUCTREF, &v));
	ck_assert_int_eq(v.type, WE_ANYREF);
}
END_TEST

START_TEST(parse_floats)
{
	we_val v;

	ck_assert_uint_eq(parse_ok("1.5", WE_F32).of.f32_bits, 0x3fc00000u);
	ck_assert_uint_eq(parse_ok("0x1p-1", WE_F64).of.f64_bits,
	    UINT64_C(0x3fe0000000000000));
	ck_assert_uint_eq(parse_ok("-inf", WE_F32).of.f32_bits, 0xff800000u);
	ck_assert_uint_eq(parse_ok("nan", WE_F32).of.f32_bits, 0x7fc00000u);
	ck_assert_uint_eq(
	    parse_ok("-nan:0x1", WE_F32).of.f32_bits, 0xff800001u);
	ck_assert_uint_eq(parse_ok("nan:0x4000000000000", WE_F64).of.f64_bits,
	    UINT64_C(0x7ff4000000000000));
	ck_assert(!wrk_run_parse_val("nan:0x800000", WE_F32, &v));
	ck_assert(!wrk_run_parse_val("nan:0x0", WE_F32, &v));
	ck_assert(!wrk_run_parse_val("1.5x", WE_F64, &v));
	ck_assert(!wrk_run_parse_val("1e999", WE_F64, &v));
}
END_TEST

START_TEST(format_values)
{
	we_val v = {.type = WE_I64};

	v.of.i64 = INT64_MIN;
	ck_assert_str_eq(fmt(v), "-9223372036854775808");
	v.type = WE_F32;
	v.of.f32_bits = 0x3dcccccdu; /* 0.1f */
	ck_assert_str_eq(fmt(v), "0.1");
	v.of.f32_bits = 0x80000000u;
	ck_assert_str_eq(fmt(v), "-0");
	v.of.f32_bits = 0x7fc00000u;
	ck_assert_str_eq(fmt(v), "nan");
	v.of.f32_bits = 0xffa00000u;
	ck_assert_str_eq(fmt(v), "-nan:0x200000");
	v.of.f32_bits = 0x7f800000u;
	ck_assert_str_eq(fmt(v), "inf");
	v.type = WE_F64;
	v.of.f64 = 0.1;
	ck_assert_str_eq(fmt(v), "0.1");
	v.of.f64_bits = UINT64_C(0xfff8000000000000);
	ck_assert_str_eq(fmt(v), "-nan");
}
END_TEST

/* Every printed float reads back to the same bits. */
START_TEST(format_round_trips)
{
	static const uint32_t f32s[] = {0x00000001u, 0x7f7fffffu, 0x3f800001u,
	    0x4b7fffffu, 0xc2f6e979u, 0x7f800123u};
	static const uint64_t f64s[] = {UINT64_C(1),
	    UINT64_C(0x7fefffffffffffff), UINT64_C(0x3ff0000000000001),
	    UINT64_C(0x400921fb54442d18), UINT64_C(0x7ff0000000000123)};
	we_val v, back;

	for (size_t i = 0; i < sizeof f32s / sizeof f32s[0]; i++) {
		v.type = WE_F32;
		v.of.f32_bits = f32s[i];
		back = parse_ok(fmt(v), WE_F32);
		ck_assert_uint_eq(back.of.f32_bits, f32s[i]);
	}
	for (size_t i = 0; i < sizeof f64s / sizeof f64s[0]; i++) {
		v.type = WE_F64;
		v.of.f64_bits = f64s[i];
		back = parse_ok(fmt(v), WE_F64);
		ck_assert_uint_eq(back.of.f64_bits, f64s[i]);
	}
}
END_TEST

/* ---- Whole runs -------------------------------------------------------------- */

static char module_path[64];
static char out_path[64];

/* Writes a module to a temporary file named in module_path. */
static void
write_module(const void *bytes, size_t len)
{
	int fd;

	strcpy(module_path, "/tmp/local_run_test_XXXXXX");
	fd = mkstemp(module_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, bytes, len), (ssize_t)len);
	close(fd);
}

/*
 * Runs `run ARGS...` with stdout and stderr captured to out_path; returns
 * the exit code, and the captured text in out (size bytes).
 */
static int
run(char *out, size_t size, int argc, char **argv)
{
	int saved_out = dup(1), saved_err = dup(2), fd, rc;
	ssize_t n;

	strcpy(out_path, "/tmp/local_run_out_XXXXXX");
	fd = mkstemp(out_path);
	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	fflush(stderr);
	dup2(fd, 1);
	dup2(fd, 2);
	rc = wrk_local_run(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(out_path);
	return rc;
}

#define HDR "\0asm\1\0\0\0"

/*
 * (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1
 *   i32.add)
 * (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1
 *   i32.div_s)
 * (func (export "loop") (loop br 0))
 * (func (export "f") (param f32) (result f32) local.get 0)
 */
static const char calc[] =
    HDR "\x01\x0f\x03\x60\x02\x7f\x7f\x01\x7f\x60\x00\x00"
        "\x60\x01\x7d\x01\x7d\x03\x05\x04\x00\x00\x01\x02"
        "\x07\x18\x04\x03\x61\x64\x64\x00\x00\x03\x64\x69"
        "\x76\x00\x01\x04\x6c\x6f\x6f\x70\x00\x02\x01\x66"
        "\x00\x03\x0a\x1e\x04\x07\x00\x20\x00\x20\x01\x6a"
        "\x0b\x07\x00\x20\x00\x20\x01\x6d\x0b\x07\x00\x03"
        "\x40\x0c\x00\x0b\x0b\x04\x00\x20\x00\x0b";

START_TEST(run_invoke)
{
	char out[512];
	char *add[] = {"run", "--invoke", "add", module_path, "2", "-5"};
	char *f[] = {"run", "--invoke=f", module_path, "-nan:0x1234"};
	char *div0[] = {"run", "--invoke", "div", module_path, "1", "0"};
	char *loop[] = {
	    "run", "-W", "fuel=1000", "--invoke", "loop", module_path};
	char *missing[] = {"run", "--invoke", "nope", module_path};
	char *arity[] = {"run", "--invoke", "add", module_path, "1"};

	write_module(calc, sizeof calc - 1);
	ck_assert_int_eq(run(out, sizeof out, 6, add), 0);
	ck_assert_str_eq(out, "-3\n");
	ck_assert_int_eq(run(out, sizeof out, 4, f), 0);
	ck_assert_str_eq(out, "-nan:0x1234\n");
	ck_assert_int_eq(run(out, sizeof out, 6, div0), 134);
	ck_assert_msg(strncmp(out, "error: ", 7) == 0, "%s", out);
	ck_assert_int_eq(run(out, sizeof out, 6, loop), 134);
	ck_assert_int_eq(run(out, sizeof out, 4, missing), 127);
	ck_assert_int_eq(run(out, sizeof out, 5, arity), 2);
	unlink(module_path);
}
END_TEST

START_TEST(run_refuses)
{
	char out[512];
	char *plain[] = {"run", module_path};
	char *usage[] = {"run", "--bogus", module_path};
	char *none[] = {"run"};

	/* (import "wasi" "exit" (func)) */
	write_module(HDR "\x01\x04\x01\x60\x00\x00\x02\x0d\x01\x04wasi\x04"
	                 "exit\x00\x00",
	    29);
	ck_assert_int_eq(run(out, sizeof out, 2, plain), 126);
	ck_assert_msg(
	    strstr(out, "unknown import wasi.exit") != NULL, "%s", out);
	unlink(module_path);
	write_module(HDR "\x01", 9);
	ck_assert_int_eq(run(out, sizeof out, 2, plain), 126);
	ck_assert_msg(strstr(out, module_path) != NULL, "%s", out);
	ck_assert_int_eq(run(out, sizeof out, 3, usage), 2);
	ck_assert_int_eq(run(out, sizeof out, 1, none), 2);
	unlink(module_path);
}
END_TEST

/*
 * The initializer adds 41 to $n and stores 1000 at 100 in memory; from a
 * snapshot it does not run again, so bump gives 42, not 83.
 */
static const char snap_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"random_get\"\n"
    "    (func $rand (param i32 i32) (result i32)))\n"
    "  (memory 1)\n"
    "  (global $n (mut i32) (i32.const 0))\n"
    "  (func (export \"wizer.initialize\")\n"
    "    (global.set $n (i32.add (global.get $n) (i32.const 41)))\n"
    "    (i32.store (i32.const 100) (i32.const 1000)))\n"
    "  (func (export \"get\") (result i32)\n"
    "    (i32.add (global.get $n) (i32.load (i32.const 100))))\n"
    "  (func (export \"bump\") (result i32)\n"
    "    (global.set $n (i32.add (global.get $n) (i32.const 1)))\n"
    "    (global.get $n))\n"
    "  (func (export \"rand_init\")\n"
    "    (drop (call $rand (i32.const 0) (i32.const 8)))))\n";

START_TEST(run_snapshot)
{
	char out[1024], snap[64];
	char *make[] = {
	    "run", "--snapshot", snap, "--invoke", "get", module_path};
	char *bump[] = {
	    "run", "--snapshot", snap, "--invoke", "bump", module_path};
	char *plain[] = {"run", "--invoke", "get", module_path};
	char *rand[] = {"run", "--snapshot", snap, "--init", "rand_init",
	    "--invoke", "get", module_path};
	char *rand_ok[] = {"run", "--snapshot", snap, "--init", "rand_init",
	    "--init-allow-random", "--invoke", "get", module_path};
	char *no_snap[] = {"run", "--init", "rand_init", module_path};
	int fd;

	write_module(snap_wat, sizeof snap_wat - 1);
	strcpy(snap, "/tmp/local_run_snap_XXXXXX");
	fd = mkstemp(snap);
	close(fd);
	unlink(snap); /* missing: the first run makes it */
	ck_assert_int_eq(run(out, sizeof out, 6, make), 0);
	ck_assert_str_eq(out, "1041\n");
	ck_assert_int_eq(access(snap, R_OK), 0);
	ck_assert_int_eq(run(out, sizeof out, 6, bump), 0);
	ck_assert_str_eq(out, "42\n");
	ck_assert_int_eq(run(out, sizeof out, 6, bump), 0);
	ck_assert_str_eq(out, "42\n"); /* each run starts from the snapshot */
	ck_assert_int_eq(run(out, sizeof out, 4, plain), 0);
	ck_assert_str_eq(out, "0\n");

	/* A damaged snapshot is refused, not used. */
	fd = open(snap, O_WRONLY);
	ck_assert_int_eq(pwrite(fd, "X", 1, 20), 1);
	close(fd);
	ck_assert_int_eq(run(out, sizeof out, 6, bump), 126);
	ck_assert_msg(strstr(out, "snapshot refused") != NULL, "%s", out);

	/* random_get while initialising traps unless allowed. */
	unlink(snap);
	ck_assert_int_eq(run(out, sizeof out, 8, rand), 134);
	ck_assert_msg(
	    strstr(out, "random_get during initialization") != NULL, "%s", out);
	ck_assert_int_ne(access(snap, F_OK), 0);
	ck_assert_int_eq(run(out, sizeof out, 9, rand_ok), 0);
	ck_assert_str_eq(out, "0\n"); /* --init replaced wizer.initialize */
	ck_assert_int_eq(run(out, sizeof out, 4, no_snap), 2);
	unlink(snap);
	unlink(module_path);
}
END_TEST

START_TEST(run_start_and_limits)
{
	char out[512];
	char *plain[] = {"run", module_path};
	char *small[] = {"run", "-W", "max-memory-size=64K", module_path};
	char *enough[] = {
	    "run", "-Wmax-memory-size=131072,fuel=10", module_path};
	char *bad_w[] = {"run", "-W", "max-memory-size=100", module_path};

	/* (module (memory 2) (func (export "_start"))) */
	write_module(HDR "\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x05\x03"
	                 "\x01\x00\x02\x07\x0a\x01\x06_start\x00\x00\x0a\x04"
	                 "\x01\x02\x00\x0b",
	    41);
	ck_assert_int_eq(run(out, sizeof out, 2, plain), 0);
	ck_assert_int_eq(run(out, sizeof out, 4, small), 126);
	ck_assert_msg(strstr(out, "limit") != NULL, "%s", out);
	ck_assert_int_eq(run(out, sizeof out, 3, enough), 0);
	ck_assert_int_eq(run(out, sizeof out, 4, bad_w), 2);
	unlink(module_path);
	/* (module (func (export "_start") unreachable)) */
	write_module(HDR "\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x07\x0a"
	                 "\x01\x06_start\x00\x00\x0a\x05\x01\x03\x00\x00\x0b",
	    37);
	ck_assert_int_eq(run(out, sizeof out, 2, plain), 134);
	ck_assert_msg(strncmp(out, "error: ", 7) == 0, "%s", out);
	unlink(module_path);
	/* (module (func $s unreachable) (start $s)) */
	write_module(HDR "\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x08\x01"
	                 "\x00\x0a\x05\x01\x03\x00\x00\x0b",
	    28);
	ck_assert_int_eq(run(out, sizeof out, 2, plain), 134);
	unlink(module_path);
}
END_TEST

static Suite *
run_suite(void)
{
	Suite *s = suite_create("local_run");
	TCase *vals = tcase_create("values");
	TCase *runs = tcase_create("runs");

	tcase_add_test(vals, parse_integers);
	tcase_add_test(vals, parse_floats);
	tcase_add_test(vals, parse_v128);
	tcase_add_test(vals, parse_typed_ref);
	tcase_add_test(vals, parse_abstract_refs);
	tcase_add_test(vals, parse_i31_refs);
	tcase_add_test(vals, format_values);
	tcase_add_test(vals, format_round_trips);
	tcase_add_test(runs, run_invoke);
	tcase_add_test(runs, run_refuses);
	tcase_add_test(runs, run_start_and_limits);
	tcase_add_test(runs, run_snapshot);
	suite_add_tcase(s, vals);
	suite_add_tcase(s, runs);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(run_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
