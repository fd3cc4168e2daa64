/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_fused_test.c: unit tests of the instructions the compiler fuses
 * (engine/code.h): a binary operation with the load of its operand (N_M),
 * the store of its result (N_S) or both at one address (N_MS), loads and
 * stores at constant addresses (N_KA), paired increments (X_INC2) and
 * moves (X_MOVE2), back edges that charge fuel for their loop header
 * and take in the loop counter's step (X_STEP_*, and X_INC2_STEP_* with
 * the increments before them), the f32/f64 multiply-add (N_MULADD), and
 * the same forms of the SIMD operations computed inline (simdhot.def).
 * Each must compute what the unfused instructions do and trap where they
 * would. The fixture
 * (engine_fused/fused.wat) is converted with wasmd-wat at build time.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

typedef struct fixture {
	we_module *m;
	we_store *s;
	we_instance *inst;
	uint8_t *mem;        /* borrowed: memory 0 */
	uint8_t bytes[4096]; /* the module's binary */
	size_t len;
} fixture;

static void
fixture_open(fixture *fx)
{
	FILE *f = fopen(FUSED_WASM_DIR "/fused.wasm", "rb");
	we_error err;
	we_extern ex;

	ck_assert(f != NULL);
	memset(fx, 0, sizeof *fx);
	fx->len = fread(fx->bytes, 1, sizeof fx->bytes, f);
	fclose(f);
	ck_assert(fx->len > 0 && fx->len < sizeof fx->bytes);
	fx->m = we_module_new(fx->bytes, fx->len, &err);
	ck_assert_msg(fx->m != NULL, "module: %s", err.message);
	fx->s = we_store_new(NULL);
	ck_assert(fx->s != NULL);
	fx->inst = we_instance_new(fx->s, fx->m, NULL, 0, &err);
	ck_assert_msg(fx->inst != NULL, "instance: %s", err.message);
	ck_assert(we_instance_export(fx->inst, "mem", &ex));
	ck_assert_int_eq(ex.kind, WE_EXTERN_MEMORY);
	fx->mem = we_memory_data(ex.of.memory);
	ck_assert(fx->mem != NULL);
}

static void
fixture_close(fixture *fx)
{
	we_store_free(fx->s);
	we_module_free(fx->m);
}

/* Calls export name; returns its status, the result (if any) in *r. */
static we_call_status
call(fixture *fx, const char *name, const we_val *args, size_t nargs, we_val *r)
{
	we_func *f = we_instance_func(fx->inst, name);

	ck_assert_msg(f != NULL, "no export %s", name);
	return we_func_call(fx->s, f, args, nargs, r, r != NULL ? 1 : 0);
}

static void
call_ok(
    fixture *fx, const char *name, const we_val *args, size_t nargs, we_val *r)
{
	we_call_status st = call(fx, name, args, nargs, r);

	ck_assert_msg(st == WE_CALL_OK, "%s: status %d (%s)", name, st,
	    we_store_trap(fx->s)->message);
}

static void
call_traps_oob(
    fixture *fx, const char *name, const we_val *args, size_t nargs, we_val *r)
{
	ck_assert_int_eq(call(fx, name, args, nargs, r), WE_CALL_TRAP);
	ck_assert_int_eq(
	    we_store_trap(fx->s)->kind, WE_TRAP_MEMORY_OUT_OF_BOUNDS);
}

#define I32(v) ((we_val){.type = WE_I32, .of.i32 = (v)})
#define I64(v) ((we_val){.type = WE_I64, .of.i64 = (v)})
#define F32(v) ((we_val){.type = WE_F32, .of.f32 = (v)})
#define F64(v) ((we_val){.type = WE_F64, .of.f64 = (v)})

static double
get_f64(const fixture *fx, uint32_t at)
{
	double d;
	memcpy(&d, fx->mem + at, sizeof d);
	return d;
}

static void
put_f64(fixture *fx, uint32_t at, double d)
{
	memcpy(fx->mem + at, &d, sizeof d);
}

START_TEST(test_load_op_store)
{
	fixture fx;

	fixture_open(&fx);
	/* *p += x * *q */
	put_f64(&fx, 16, 1.5);
	put_f64(&fx, 24, 4.0);
	call_ok(&fx, "madd", (we_val[]){I32(16), I32(24), F64(0.5)}, 3, NULL);
	ck_assert(get_f64(&fx, 16) == 3.5);
	ck_assert(get_f64(&fx, 24) == 4.0);
	/* At the last valid address, then one byte past: the trap leaves
	   memory as it was. */
	put_f64(&fx, 65528, 2.0);
	call_ok(
	    &fx, "madd", (we_val[]){I32(65528), I32(24), F64(1.0)}, 3, NULL);
	ck_assert(get_f64(&fx, 65528) == 6.0);
	call_traps_oob(
	    &fx, "madd", (we_val[]){I32(65529), I32(24), F64(1.0)}, 3, NULL);
	call_traps_oob(
	    &fx, "madd", (we_val[]){I32(16), I32(65529), F64(1.0)}, 3, NULL);
	ck_assert(get_f64(&fx, 16) == 3.5);

	/* p[1] = x - p[1]: the operand order is kept. */
	{
		int64_t v = 7;
		memcpy(fx.mem + 40, &v, sizeof v);
		call_ok(&fx, "isub", (we_val[]){I32(32), I64(100)}, 2, NULL);
		memcpy(&v, fx.mem + 40, sizeof v);
		ck_assert_int_eq(v, 93);
		call_traps_oob(
		    &fx, "isub", (we_val[]){I32(65521), I64(1)}, 2, NULL);
	}
	fixture_close(&fx);
}
END_TEST

/*
 * The byte offset the last trap reports for its innermost frame, which
 * must be an f64.load or f32.load instruction of the module.
 */
static uint32_t
trap_load_offset(const fixture *fx)
{
	const we_trap *t = we_store_trap(fx->s);
	uint32_t off;

	ck_assert_uint_ge(t->nframes, 1);
	off = t->frames[0].offset;
	ck_assert_uint_lt(off, fx->len);
	ck_assert_msg(fx->bytes[off] == 0x2b || fx->bytes[off] == 0x2a,
	    "trap at offset %u, opcode 0x%02x is not a float load", off,
	    fx->bytes[off]);
	return off;
}

START_TEST(test_multiply_add)
{
	fixture fx;
	we_val r;
	uint32_t at_q, at_p;
	float y;

	fixture_open(&fx);
	/* A trap in the multiply's load points at it; one in the add's load
	   (later in the body) at that one. Memory is left as it was. */
	put_f64(&fx, 16, 1.0);
	call_traps_oob(
	    &fx, "madd", (we_val[]){I32(16), I32(65529), F64(1.0)}, 3, NULL);
	at_q = trap_load_offset(&fx);
	call_traps_oob(
	    &fx, "madd", (we_val[]){I32(65529), I32(16), F64(1.0)}, 3, NULL);
	at_p = trap_load_offset(&fx);
	ck_assert_uint_lt(at_q, at_p);
	ck_assert(get_f64(&fx, 16) == 1.0);

	/* Each rounding is its own: x * q rounds before the add. With
	   x = q = 1 + 2^-52, x * q = 1 + 2^-51 + 2^-104 rounds to 1 + 2^-51;
	   adding *p = -1 gives 2^-51, where a fused multiply-add (one
	   rounding) would give 2^-51 + 2^-104. */
	put_f64(&fx, 32, 1.0 + 0x1p-52);
	put_f64(&fx, 40, -1.0);
	call_ok(&fx, "madd", (we_val[]){I32(40), I32(32), F64(1.0 + 0x1p-52)},
	    3, NULL);
	ck_assert(get_f64(&fx, 40) == 0x1p-51);

	/* f32 with a wrapping address: q = -4 reads address 0. */
	y = 3.0f;
	memcpy(fx.mem + 0, &y, sizeof y);
	y = 0.25f;
	memcpy(fx.mem + 48, &y, sizeof y);
	call_ok(&fx, "madd_f32_next", (we_val[]){I32(48), I32(-4), F32(2.0f)},
	    3, NULL);
	memcpy(&y, fx.mem + 48, sizeof y);
	ck_assert(y == 6.25f);
	call_traps_oob(&fx, "madd_f32_next",
	    (we_val[]){I32(48), I32(65530), F32(1.0f)}, 3, NULL);
	call_traps_oob(&fx, "madd_f32_next",
	    (we_val[]){I32(65533), I32(0), F32(1.0f)}, 3, NULL);

	/* A product kept in a local as well is still written there. */
	put_f64(&fx, 64, 10.0);
	put_f64(&fx, 72, 3.0);
	call_ok(
	    &fx, "madd_keep", (we_val[]){I32(64), I32(72), F64(0.5)}, 3, &r);
	ck_assert(r.of.f64 == 1.5);
	ck_assert(get_f64(&fx, 64) == 11.5);
	fixture_close(&fx);
}
END_TEST

START_TEST(test_op_store_and_load_op)
{
	fixture fx;
	we_val r;
	int32_t v;
	float x;

	fixture_open(&fx);
	call_ok(
	    &fx, "store_sum", (we_val[]){I32(100), I32(40), I32(2)}, 3, NULL);
	memcpy(&v, fx.mem + 104, sizeof v);
	ck_assert_int_eq(v, 42);
	call_ok(
	    &fx, "store_sum", (we_val[]){I32(65528), I32(1), I32(2)}, 3, NULL);
	call_traps_oob(
	    &fx, "store_sum", (we_val[]){I32(65529), I32(1), I32(2)}, 3, NULL);
	/* A negative i32 address is a large unsigned one. */
	call_traps_oob(
	    &fx, "store_sum", (we_val[]){I32(-8), I32(1), I32(2)}, 3, NULL);

	v = 0x0ff0;
	memcpy(fx.mem + 200, &v, sizeof v);
	call_ok(&fx, "xor_load", (we_val[]){I32(0x00ff), I32(200)}, 2, &r);
	ck_assert_int_eq(r.of.i32, 0x0f0f);
	call_traps_oob(&fx, "xor_load", (we_val[]){I32(1), I32(65533)}, 2, &r);

	put_f64(&fx, 0, 3.0);
	put_f64(&fx, 24, 5.0);
	call_ok(&fx, "mul_next", (we_val[]){F64(2.0), I32(16)}, 2, &r);
	ck_assert(r.of.f64 == 10.0);
	call_ok(&fx, "mul_next", (we_val[]){F64(2.0), I32(-8)}, 2, &r);
	ck_assert(r.of.f64 == 6.0);
	call_traps_oob(&fx, "mul_next", (we_val[]){F64(1), I32(65521)}, 2, &r);

	call_ok(&fx, "f32_mul_store", (we_val[]){I32(64), F32(1.5f), F32(-4)},
	    3, NULL);
	memcpy(&x, fx.mem + 64, sizeof x);
	ck_assert(x == -6.0f);
	call_ok(&fx, "f32_at_64", NULL, 0, &r);
	ck_assert(r.of.f32 == -6.0f);
	fixture_close(&fx);
}
END_TEST

START_TEST(test_constant_addresses)
{
	fixture fx;
	we_val r;

	fixture_open(&fx);
	call_ok(&fx, "put_k", (we_val[]){I32(12345)}, 1, NULL);
	call_ok(&fx, "get_k", NULL, 0, &r);
	ck_assert_int_eq(r.of.i32, 12345);
	memcpy(fx.mem + 65532, "\x01\x02\x03\x04", 4);
	call_ok(&fx, "get_last", NULL, 0, &r);
	ck_assert_int_eq(r.of.i32, 0x04030201);
	call_traps_oob(&fx, "get_past", NULL, 0, &r);
	/* 0xffffffff + 0xffffffff does not wrap to 0xfffffffe. */
	call_traps_oob(&fx, "get_wrap", NULL, 0, &r);
	call_traps_oob(&fx, "put_past", (we_val[]){I32(1)}, 1, NULL);
	fixture_close(&fx);
}
END_TEST

/*
 * Calls loop export name with arguments k, 2k and 3k (which make it loop
 * n, 2n and 3n times): the fuel used must grow by the same amount each
 * time, at least min_growth.
 */
static void
check_fuel_growth(fixture *fx, const char *name, int32_t k, uint64_t min_growth)
{
	uint64_t used[3];
	we_val r;

	for (int i = 0; i < 3; i++) {
		we_store_set_fuel(fx->s, 1000000);
		call_ok(fx, name, (we_val[]){I32(k * (i + 1))}, 1, &r);
		used[i] = we_store_fuel_consumed(fx->s);
	}
	ck_assert_uint_eq(used[1] - used[0], used[2] - used[1]);
	ck_assert_uint_ge(used[1] - used[0], min_growth);
}

START_TEST(test_increments_and_back_edges)
{
	fixture fx;
	we_val r;

	fixture_open(&fx);
	call_ok(&fx, "steps", (we_val[]){I32(10)}, 1, &r);
	ck_assert_int_eq(r.of.i32, 30 + 1000 * -20);
	call_ok(&fx, "rotate", (we_val[]){I32(1), I32(2), I32(3)}, 3, &r);
	ck_assert_int_eq(r.of.i32, 231);
	call_ok(&fx, "step_ne", (we_val[]){I32(100)}, 1, &r);
	ck_assert_int_eq(r.of.i32, 100);
	call_ok(&fx, "step_ne_swapped", (we_val[]){I32(64)}, 1, &r);
	ck_assert_int_eq(r.of.i32, 64);
	call_ok(&fx, "step_ne_k", NULL, 0, &r);
	ck_assert_int_eq(r.of.i32, 400);
	call_ok(&fx, "step_nz", (we_val[]){I32(10)}, 1, &r);
	ck_assert_int_eq(r.of.i32, 55);
	/* The folded step still runs on the last, untaken iteration. */
	call_ok(&fx, "step_nz", (we_val[]){I32(1)}, 1, &r);
	ck_assert_int_eq(r.of.i32, 1);
	call_ok(&fx, "count_to", (we_val[]){I32(1000)}, 1, &r);
	ck_assert_int_eq(r.of.i32, 1000);
	call_ok(&fx, "inc2_ne", (we_val[]){I32(10)}, 1, &r);
	ck_assert_int_eq(r.of.i32, 30 + 1000 * -20);
	call_ok(&fx, "inc2_ne_k", NULL, 0, &r);
	ck_assert_int_eq(r.of.i32, 21 + 1000 * -14);
	call_ok(&fx, "inc2_nz", (we_val[]){I32(5)}, 1, &r);
	ck_assert_int_eq(r.of.i32, 15 + 1000 * -10);
	call_ok(&fx, "inc2_skip", (we_val[]){I32(10)}, 1, &r);
	ck_assert_int_eq(r.of.i32, 5 + 100 * 5 + 10000 * 10);

	/* Each iteration costs the same fuel, at least one per instruction
	   of the loop body: back edges charge for their header. */
	check_fuel_growth(&fx, "count_to", 100, 100 * 7);
	check_fuel_growth(&fx, "step_ne", 200, 100 * 7);
	check_fuel_growth(&fx, "inc2_ne", 100, 100 * 14);
	/* And run out in the loop. */
	we_store_set_fuel(fx.s, 500);
	ck_assert_int_eq(call(&fx, "count_to", (we_val[]){I32(1000000)}, 1, &r),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(fx.s)->kind, WE_TRAP_OUT_OF_FUEL);
	fixture_close(&fx);
}
END_TEST

/* SIMD (engine/simdhot.def): the v128 fused forms and inline ops. */
static void
put_f32x4(fixture *fx, uint32_t at, float a, float b, float c, float d)
{
	float v[4] = {a, b, c, d};
	memcpy(fx->mem + at, v, sizeof v);
}

static void
check_f32x4(const fixture *fx, uint32_t at, float a, float b, float c, float d)
{
	float v[4];
	memcpy(v, fx->mem + at, sizeof v);
	ck_assert(v[0] == a && v[1] == b && v[2] == c && v[3] == d);
}

START_TEST(test_simd_forms)
{
	fixture fx;
	int16_t h[8];
	uint8_t bytes[16];

	fixture_open(&fx);
	/* q += x * p, lane by lane; each rounding its own (as the scalar
	   multiply-add: 1 + 2^-23 squared rounds before the add). */
	put_f32x4(&fx, 0, 1.0f, 2.0f, 3.0f, 1.0f + 0x1p-23f);
	put_f32x4(&fx, 16, 10.0f, 20.0f, 30.0f, -1.0f);
	call_ok(&fx, "vmadd", (we_val[]){I32(16), I32(0), F32(0.5f)}, 3, NULL);
	check_f32x4(&fx, 16, 10.5f, 21.0f, 31.5f, -1.0f + 0.5f + 0x1p-24f);
	put_f32x4(&fx, 16, 0.0f, 0.0f, 0.0f, -1.0f);
	call_ok(&fx, "vmadd", (we_val[]){I32(16), I32(0), F32(1.0f + 0x1p-23f)},
	    3, NULL);
	{
		float v[4];
		memcpy(v, fx.mem + 16, sizeof v);
		ck_assert(v[3] == 0x1p-22f); /* fused: 2^-22 + 2^-46 */
	}
	/* The last valid addresses, then one byte past each: a trap leaves
	   memory as it was. */
	put_f32x4(&fx, 65520, 1.0f, 1.0f, 1.0f, 1.0f);
	call_ok(&fx, "vmadd", (we_val[]){I32(65520), I32(65520), F32(1.0f)}, 3,
	    NULL);
	check_f32x4(&fx, 65520, 2.0f, 2.0f, 2.0f, 2.0f);
	call_traps_oob(
	    &fx, "vmadd", (we_val[]){I32(65521), I32(0), F32(1.0f)}, 3, NULL);
	call_traps_oob(
	    &fx, "vmadd", (we_val[]){I32(16), I32(65521), F32(1.0f)}, 3, NULL);
	check_f32x4(&fx, 65520, 2.0f, 2.0f, 2.0f, 2.0f);

	/* p + 16 wraps: p = -16 reads address 0. */
	put_f32x4(&fx, 0, 1.0f, 2.0f, 3.0f, 4.0f);
	put_f32x4(&fx, 32, 1.0f, 1.0f, 1.0f, 1.0f);
	call_ok(&fx, "vmadd_next", (we_val[]){I32(32), I32(-16), F32(2.0f)}, 3,
	    NULL);
	check_f32x4(&fx, 32, 3.0f, 5.0f, 7.0f, 9.0f);
	call_traps_oob(&fx, "vmadd_next",
	    (we_val[]){I32(32), I32(65521 - 16), F32(1.0f)}, 3, NULL);
	check_f32x4(&fx, 32, 3.0f, 5.0f, 7.0f, 9.0f);

	/* d[16..32] := a - b in i16 lanes, wrapping. */
	for (int i = 0; i < 8; i++)
		h[i] = (int16_t)(i * 1000 - 30000);
	memcpy(fx.mem + 64, h, sizeof h);
	for (int i = 0; i < 8; i++)
		h[i] = (int16_t)(5000 - i);
	memcpy(fx.mem + 80, h, sizeof h);
	call_ok(
	    &fx, "vsub_store", (we_val[]){I32(96), I32(64), I32(80)}, 3, NULL);
	memcpy(h, fx.mem + 112, sizeof h);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(
		    h[i], (int16_t)((i * 1000 - 30000) - (5000 - i)));
	call_traps_oob(&fx, "vsub_store",
	    (we_val[]){I32(65536 - 31), I32(64), I32(80)}, 3, NULL);

	/* p += k in byte lanes, wrapping; in place. */
	for (int i = 0; i < 16; i++)
		fx.mem[128 + i] = (uint8_t)(240 + i);
	call_ok(&fx, "vadd_update", (we_val[]){I32(128), I32(10)}, 2, NULL);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(fx.mem[128 + i], (uint8_t)(250 + i));
	call_traps_oob(
	    &fx, "vadd_update", (we_val[]){I32(65521), I32(1)}, 2, NULL);

	/* d[i..] := s[i..] ^ s[i + 16..], with indexed addresses. */
	for (int i = 0; i < 32; i++)
		fx.mem[1000 + 7 + i] = (uint8_t)(i * 37);
	call_ok(
	    &fx, "vxor_x", (we_val[]){I32(2000), I32(1000), I32(7)}, 3, NULL);
	memcpy(bytes, fx.mem + 2007, sizeof bytes);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(
		    bytes[i], (uint8_t)((i * 37) ^ ((i + 16) * 37)));
	call_traps_oob(&fx, "vxor_x",
	    (we_val[]){I32(65536 - 16), I32(1000), I32(1)}, 3, NULL);
	call_traps_oob(&fx, "vxor_x",
	    (we_val[]){I32(2000), I32(65536 - 32), I32(1)}, 3, NULL);
	fixture_close(&fx);
}
END_TEST

static Suite *
fused_suite(void)
{
	Suite *s = suite_create("engine_fused");
	TCase *tc = tcase_create("fused");

	tcase_add_test(tc, test_load_op_store);
	tcase_add_test(tc, test_multiply_add);
	tcase_add_test(tc, test_op_store_and_load_op);
	tcase_add_test(tc, test_constant_addresses);
	tcase_add_test(tc, test_increments_and_back_edges);
	tcase_add_test(tc, test_simd_forms);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fused_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
