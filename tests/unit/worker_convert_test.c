/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker_convert_test.c: the worker's engine <-> protocol conversions
 * (worker/convert.h): values of every type, references (which cannot
 * cross processes except as null or an opaque externref handle), untrusted
 * enum values, function type comparison and printing, trap conversion.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

/* One protocol value of the given type and bits. */
static Wasmd__Value
pb_value(int type, uint64_t bits, bool is_null)
{
	Wasmd__Value v = WASMD__VALUE__INIT;

	v.type = (Wasmd__ValType)type;
	v.bits = bits;
	v.is_null = is_null;
	return v;
}

/* Converts one protocol value to type t; false (msg set) when refused. */
static bool
one_from_pb(Wasmd__Value v, we_valtype t, we_val *out, char *msg)
{
	Wasmd__Value *in[1] = {&v};

	return wrk_values_from_pb(
	    NULL, in, 1, &t, 1, "argument", out, msg, 128);
}

START_TEST(test_numbers_round_trip)
{
	static const we_valtype types[4] = {WE_I32, WE_I64, WE_F32, WE_F64};
	Wasmd__Value a = pb_value(WASMD__VAL_TYPE__VAL_I32, 0xfffffffbu, 0);
	Wasmd__Value b = pb_value(WASMD__VAL_TYPE__VAL_I64, UINT64_MAX - 1, 0);
	Wasmd__Value c = pb_value(WASMD__VAL_TYPE__VAL_F32, 0x7fc00001u, 0);
	Wasmd__Value d =
	    pb_value(WASMD__VAL_TYPE__VAL_F64, 0xfff0000000000001ull, 0);
	Wasmd__Value *in[4] = {&a, &b, &c, &d};
	we_val vals[4];
	Wasmd__Value **out;
	wrk_arena arena = {0};
	char msg[128];
	int i;

	ck_assert(wrk_values_from_pb(
	    NULL, in, 4, types, 4, "argument", vals, msg, sizeof msg));
	ck_assert_int_eq(vals[0].of.i32, -5);
	ck_assert_int_eq(vals[1].of.i64, -2);
	ck_assert_uint_eq(vals[2].of.f32_bits, 0x7fc00001u); /* NaN payload */
	ck_assert_uint_eq(vals[3].of.f64_bits, 0xfff0000000000001ull);
	out = wrk_values_to_pb(&arena, vals, 4);
	ck_assert_ptr_nonnull(out);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(out[i]->type, in[i]->type);
		ck_assert_uint_eq(out[i]->bits, in[i]->bits);
	}
	wrk_arena_free(&arena);
	ck_assert_ptr_null(arena.head);
}
END_TEST

/* A v128 crosses as its 16 bytes; any other length is refused. */
START_TEST(test_v128_round_trip)
{
	uint8_t bytes[16];
	Wasmd__Value v = pb_value(WASMD__VAL_TYPE__VAL_V128, 0, 0);
	Wasmd__Value **out;
	wrk_arena arena = {0};
	we_val val;
	char msg[128];

	for (int i = 0; i < 16; i++)
		bytes[i] = (uint8_t)(0xa0 + i);
	v.v128.data = bytes;
	v.v128.len = 16;
	ck_assert(one_from_pb(v, WE_V128, &val, msg));
	ck_assert_int_eq(val.type, WE_V128);
	ck_assert_mem_eq(val.of.v128, bytes, 16);
	out = wrk_values_to_pb(&arena, &val, 1);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(out[0]->type, WASMD__VAL_TYPE__VAL_V128);
	ck_assert_uint_eq(out[0]->v128.len, 16);
	ck_assert_mem_eq(out[0]->v128.data, bytes, 16);
	wrk_arena_free(&arena);
	v.v128.len = 8;
	ck_assert(!one_from_pb(v, WE_V128, &val, msg));
	ck_assert(strstr(msg, "16 bytes") != NULL);
}
END_TEST

START_TEST(test_externref_handles)
{
	we_val v;
	char msg[128];
	wrk_arena arena = {0};
	Wasmd__Value **out;

	/* Handle 0 is a real handle, not null, and comes back as 0. */
	ck_assert(one_from_pb(pb_value(WASMD__VAL_TYPE__VAL_EXTERNREF, 0, 0),
	    WE_EXTERNREF, &v, msg));
	ck_assert_ptr_nonnull(v.of.externref);
	out = wrk_values_to_pb(&arena, &v, 1);
	ck_assert(!out[0]->is_null);
	ck_assert_uint_eq(out[0]->bits, 0);
	/* Null stays null. */
	ck_assert(one_from_pb(pb_value(WASMD__VAL_TYPE__VAL_EXTERNREF, 9, 1),
	    WE_EXTERNREF, &v, msg));
	ck_assert_ptr_null(v.of.externref);
	out = wrk_values_to_pb(&arena, &v, 1);
	ck_assert(out[0]->is_null);
	/* The one handle that cannot be mapped is refused. */
	ck_assert(!one_from_pb(
	    pb_value(WASMD__VAL_TYPE__VAL_EXTERNREF, UINT64_MAX, 0),
	    WE_EXTERNREF, &v, msg));
	wrk_arena_free(&arena);
}
END_TEST

START_TEST(test_funcref_only_null_crosses)
{
	we_val v;
	char msg[128];

	ck_assert(one_from_pb(
	    pb_value(WASMD__VAL_TYPE__VAL_FUNCREF, 0, 1), WE_FUNCREF, &v, msg));
	ck_assert_ptr_null(v.of.funcref);
	ck_assert(!one_from_pb(
	    pb_value(WASMD__VAL_TYPE__VAL_FUNCREF, 3, 0), WE_FUNCREF, &v, msg));
	ck_assert_ptr_nonnull(strstr(msg, "funcref"));
}
END_TEST

/* Typed function references cross as funcref, in values and in types. */
START_TEST(test_typed_refs_as_funcref)
{
	we_val v;
	char msg[128];

	ck_assert_int_eq(
	    wrk_valtype_to_pb(WE_REF_TYPE(0)), WASMD__VAL_TYPE__VAL_FUNCREF);
	ck_assert_int_eq(wrk_valtype_to_pb(WE_FUNCREF | WE_REF_NONNULL),
	    WASMD__VAL_TYPE__VAL_FUNCREF);
	ck_assert_int_eq(wrk_valtype_to_pb(WE_EXTERNREF | WE_REF_NONNULL),
	    WASMD__VAL_TYPE__VAL_EXTERNREF);
	ck_assert_int_eq(wrk_valtype_to_pb(WE_I64), WASMD__VAL_TYPE__VAL_I64);
	ck_assert_msg(one_from_pb(pb_value(WASMD__VAL_TYPE__VAL_FUNCREF, 0, 1),
	                  WE_REF_TYPE(3), &v, msg),
	    "%s", msg);
	ck_assert_int_eq(v.type, WE_FUNCREF);
	ck_assert_ptr_null(v.of.funcref);
	ck_assert(!one_from_pb(
	    pb_value(WASMD__VAL_TYPE__VAL_I32, 0, 0), WE_REF_TYPE(3), &v, msg));
}
END_TEST

START_TEST(test_mismatches_refused_with_message)
{
	static const we_valtype two[2] = {WE_I32, WE_I64};
	Wasmd__Value a = pb_value(WASMD__VAL_TYPE__VAL_I32, 1, 0);
	Wasmd__Value *in[2] = {&a, &a};
	we_val vals[2];
	char msg[128];

	/* Wrong count. */
	ck_assert(!wrk_values_from_pb(
	    NULL, in, 1, two, 2, "argument", vals, msg, sizeof msg));
	ck_assert_str_eq(msg, "expected 2 arguments, got 1");
	/* Wrong type: names the position and both types. */
	ck_assert(!wrk_values_from_pb(
	    NULL, in, 2, two, 2, "argument", vals, msg, sizeof msg));
	ck_assert_str_eq(msg, "argument 1: expected i64, got i32");
	/* An enum value no peer should send (proto3 enums are open). */
	ck_assert(!one_from_pb(pb_value(42, 1, 0), WE_I32, vals, msg));
	ck_assert_ptr_nonnull(strstr(msg, "unknown type 42"));
}
END_TEST

START_TEST(test_functype_compare_and_print)
{
	static const we_valtype params[2] = {WE_I32, WE_F64};
	static const we_valtype results[1] = {WE_EXTERNREF};
	we_functype t = {2, 1, params, results};
	Wasmd__ValType pp[2] = {
	    WASMD__VAL_TYPE__VAL_I32, WASMD__VAL_TYPE__VAL_F64};
	Wasmd__ValType pr[1] = {WASMD__VAL_TYPE__VAL_EXTERNREF};
	Wasmd__FuncType pb = WASMD__FUNC_TYPE__INIT;
	we_functype empty = {0, 0, NULL, NULL};
	char buf[64];

	pb.params = pp;
	pb.n_params = 2;
	pb.results = pr;
	pb.n_results = 1;
	ck_assert(wrk_functype_equals_pb(&t, &pb));
	ck_assert_str_eq(
	    wrk_functype_str(&t, buf, sizeof buf), "(i32 f64) -> (externref)");
	ck_assert_str_eq(wrk_functype_pb_str(&pb, buf, sizeof buf),
	    "(i32 f64) -> (externref)");
	pp[1] = WASMD__VAL_TYPE__VAL_F32;
	ck_assert(!wrk_functype_equals_pb(&t, &pb));
	pb.n_results = 0;
	ck_assert(!wrk_functype_equals_pb(&t, &pb));
	/* A missing type reads as () -> (). */
	ck_assert(wrk_functype_equals_pb(&empty, NULL));
	ck_assert(!wrk_functype_equals_pb(&t, NULL));
	ck_assert_str_eq(
	    wrk_functype_pb_str(NULL, buf, sizeof buf), "() -> ()");
	/* A short buffer truncates without overflowing. */
	ck_assert_str_eq(wrk_functype_str(&t, buf, 6), "(i32 ");
}
END_TEST

START_TEST(test_trap_conversion)
{
	we_trap t = {0};
	wrk_arena arena = {0};
	Wasmd__Trap *pb;

	t.kind = WE_TRAP_OUT_OF_FUEL;
	strcpy(t.message, "out of fuel");
	t.nframes = 2;
	t.frames[0].func_index = 3;
	t.frames[0].name = "inner";
	t.frames[0].offset = 40;
	t.frames[1].func_index = 1;
	t.frames[1].name = NULL;
	t.frames[1].offset = 12;
	pb = wrk_trap_to_pb(&arena, &t);
	ck_assert_ptr_nonnull(pb);
	ck_assert_int_eq(pb->kind, WASMD__TRAP_KIND__TRAP_OUT_OF_FUEL);
	ck_assert_str_eq(pb->message, "out of fuel");
	ck_assert_uint_eq(pb->n_frames, 2);
	ck_assert_uint_eq(pb->frames[0]->func_index, 3);
	ck_assert_str_eq(pb->frames[0]->name, "inner");
	ck_assert_uint_eq(pb->frames[0]->offset, 40);
	ck_assert_str_eq(pb->frames[1]->name, "");
	/* Every engine trap kind has the protocol number of the same name. */
	ck_assert_int_eq(WASMD__TRAP_KIND__TRAP_HOST, (int)WE_TRAP_HOST);
	t.kind = WE_TRAP_INDIRECT_CALL_TYPE_MISMATCH;
	t.nframes = 0;
	pb = wrk_trap_to_pb(&arena, &t);
	ck_assert_int_eq(
	    pb->kind, WASMD__TRAP_KIND__TRAP_INDIRECT_CALL_TYPE_MISMATCH);
	ck_assert_uint_eq(pb->n_frames, 0);
	wrk_arena_free(&arena);
}
END_TEST

static Suite *
convert_suite(void)
{
	Suite *s = suite_create("worker_convert");
	TCase *tc = tcase_create("convert");

	tcase_add_test(tc, test_numbers_round_trip);
	tcase_add_test(tc, test_v128_round_trip);
	tcase_add_test(tc, test_externref_handles);
	tcase_add_test(tc, test_typed_refs_as_funcref);
	tcase_add_test(tc, test_funcref_only_null_crosses);
	tcase_add_test(tc, test_mismatches_refused_with_message);
	tcase_add_test(tc, test_functype_compare_and_print);
	tcase_add_test(tc, test_trap_conversion);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(convert_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
