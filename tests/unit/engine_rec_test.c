/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_rec_test.c: unit tests of WebAssembly 3.0 rec groups and declared
 * subtypes of function types (engine/rectype.c, decode.c, store.c): a
 * call_indirect runs a callee whose type declares the expected one as its
 * supertype and traps on a final type of the same structure; a function
 * imported from another module links when its rec group is equivalent
 * and its type a subtype, and not otherwise; the validator checks each
 * declared supertype. The abstract types any, none, nofunc, noextern
 * and noexn hold only null, and each bottom type sits below its own
 * hierarchy only. The modules are written out in binary: the text
 * converter (wat/) has no rec or sub yet.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

#define MAGIC 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00

/*
 * Types: 0 $s (sub (func (result i32))), 1 $d (sub $s (func (result i32))),
 * 2 $u (func (result i32)), final: the structure of $s but not $s,
 * 3 (func (param i32) (result i32)). Functions 0 ($d) returns 1, 1 ($u)
 * 2, 2 ($s) 3, in table slots 0, 1, 2; "as_s" and "as_d" call_indirect
 * the slot they are given with type $s and $d.
 */
static const uint8_t sub_module[] = {MAGIC,
    /* types */
    0x01, 0x17, 0x04, 0x50, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x50, 0x01, 0x00,
    0x60, 0x00, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01,
    0x7f,
    /* functions: types 1 2 0 3 3 */
    0x03, 0x06, 0x05, 0x01, 0x02, 0x00, 0x03, 0x03,
    /* table funcref 3 */
    0x04, 0x04, 0x01, 0x70, 0x00, 0x03,
    /* exports: as_s 3, as_d 4 */
    0x07, 0x0f, 0x02, 0x04, 'a', 's', '_', 's', 0x00, 0x03, 0x04, 'a', 's', '_',
    'd', 0x00, 0x04,
    /* elem (i32.const 0) 0 1 2 */
    0x09, 0x09, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x03, 0x00, 0x01, 0x02,
    /* code */
    0x0a, 0x20, 0x05, 0x04, 0x00, 0x41, 0x01, 0x0b, 0x04, 0x00, 0x41, 0x02,
    0x0b, 0x04, 0x00, 0x41, 0x03, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x11, 0x00,
    0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x11, 0x01, 0x00, 0x0b};

/* Calls export name of inst with i32 arg: the call's outcome, *out set. */
static we_call_status
call_i32(
    we_store *s, we_instance *inst, const char *name, int32_t arg, int32_t *out)
{
	we_val a = {.type = WE_I32, .of.i32 = arg}, r;
	we_call_status st;

	st = we_func_call(s, we_instance_func(inst, name), &a, 1, &r, 1);
	*out = r.of.i32;
	return st;
}

/* call_indirect checks subtyping, not type equality, at run time. */
START_TEST(test_call_indirect_subtype)
{
	we_error err;
	we_module *m = we_module_new(sub_module, sizeof sub_module, &err);
	we_store *s;
	we_instance *inst;
	int32_t r = 0;

	ck_assert_msg(m != NULL, "module: %s", err.message);
	s = we_store_new(NULL);
	inst = we_instance_new(s, m, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "instance: %s", err.message);
	/* $d declares $s its supertype. */
	ck_assert_int_eq(call_i32(s, inst, "as_s", 0, &r), WE_CALL_OK);
	ck_assert_int_eq(r, 1);
	ck_assert_int_eq(call_i32(s, inst, "as_s", 2, &r), WE_CALL_OK);
	ck_assert_int_eq(r, 3);
	ck_assert_int_eq(call_i32(s, inst, "as_d", 0, &r), WE_CALL_OK);
	ck_assert_int_eq(r, 1);
	/* $u has $s's structure but is final and declares no supertype. */
	ck_assert_int_eq(call_i32(s, inst, "as_s", 1, &r), WE_CALL_TRAP);
	ck_assert_int_eq(
	    we_store_trap(s)->kind, WE_TRAP_INDIRECT_CALL_TYPE_MISMATCH);
	/* A supertype is not a subtype. */
	ck_assert_int_eq(call_i32(s, inst, "as_d", 2, &r), WE_CALL_TRAP);
	ck_assert_int_eq(
	    we_store_trap(s)->kind, WE_TRAP_INDIRECT_CALL_TYPE_MISMATCH);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

/*
 * The provider's and the consumers' types: 0 $a and 1 $b in one rec group,
 * (func (param (ref null $b))) and (func (param (ref null $a))); 2 $s
 * (sub (func)); 3 $d (sub $s (func)).
 */
#define LINK_TYPES                                                             \
	0x01, 0x18, 0x03, 0x4e, 0x02, 0x60, 0x01, 0x63, 0x01, 0x00, 0x60,      \
	    0x01, 0x63, 0x00, 0x00, 0x50, 0x00, 0x60, 0x00, 0x00, 0x50, 0x01,  \
	    0x02, 0x60, 0x00, 0x00

/* Exports "a" ($a), "d" ($d) and "s" ($s), each doing nothing. */
static const uint8_t provider[] = {MAGIC, LINK_TYPES,
    /* functions */
    0x03, 0x04, 0x03, 0x00, 0x03, 0x02,
    /* exports */
    0x07, 0x0d, 0x03, 0x01, 'a', 0x00, 0x00, 0x01, 'd', 0x00, 0x01, 0x01, 's',
    0x00, 0x02,
    /* code */
    0x0a, 0x0a, 0x03, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b};

/* Imports p.a as $a of its own equivalent group, and p.d as $s. */
static const uint8_t consumer_ok[] = {MAGIC, LINK_TYPES, 0x02, 0x0d, 0x02, 0x01,
    'p', 0x01, 'a', 0x00, 0x00, 0x01, 'p', 0x01, 'd', 0x00, 0x02};

/* Imports p.a as $b: the same structure, another place in the group. */
static const uint8_t consumer_place[] = {
    MAGIC, LINK_TYPES, 0x02, 0x07, 0x01, 0x01, 'p', 0x01, 'a', 0x00, 0x01};

/* Imports p.s as $d: a supertype where a subtype is expected. */
static const uint8_t consumer_super[] = {
    MAGIC, LINK_TYPES, 0x02, 0x07, 0x01, 0x01, 'p', 0x01, 's', 0x00, 0x03};

/* Instantiates bytes against p's exports in s: NULL with err on failure. */
static we_instance *
link(we_store *s, we_instance *p, const uint8_t *bytes, size_t len,
    we_module **m, we_error *err)
{
	we_import imports[3];
	const char *names[] = {"a", "d", "s"};

	*m = we_module_new(bytes, len, err);
	ck_assert_msg(*m != NULL, "module: %s", err->message);
	for (int i = 0; i < 3; i++) {
		imports[i] = (we_import){"p", names[i],
		    {.kind = WE_EXTERN_FUNC,
		        .of.func = we_instance_func(p, names[i])}};
		ck_assert_ptr_nonnull(imports[i].value.of.func);
	}
	return we_instance_new(s, *m, imports, 3, err);
}

/*
 * A function imported from another module matches by rec group
 * equivalence and declared subtyping, not by structure alone.
 */
START_TEST(test_link_rec_groups)
{
	we_error err;
	we_module *pm = we_module_new(provider, sizeof provider, &err);
	we_module *m1, *m2, *m3;
	we_store *s;
	we_instance *p;

	ck_assert_msg(pm != NULL, "module: %s", err.message);
	s = we_store_new(NULL);
	p = we_instance_new(s, pm, NULL, 0, &err);
	ck_assert_msg(p != NULL, "instance: %s", err.message);
	ck_assert_msg(link(s, p, consumer_ok, sizeof consumer_ok, &m1, &err),
	    "link: %s", err.message);
	ck_assert_ptr_null(
	    link(s, p, consumer_place, sizeof consumer_place, &m2, &err));
	ck_assert_int_eq(err.code, WE_ERR_LINK);
	ck_assert_ptr_null(
	    link(s, p, consumer_super, sizeof consumer_super, &m3, &err));
	ck_assert_int_eq(err.code, WE_ERR_LINK);
	we_store_free(s);
	we_module_free(m1);
	we_module_free(m2);
	we_module_free(m3);
	we_module_free(pm);
}
END_TEST

/* Whether a module of only a type section with body types is valid. */
static bool
types_valid(const uint8_t *types, uint8_t len, we_error *err)
{
	uint8_t bytes[64] = {MAGIC, 0x01, len};
	we_module *m;

	ck_assert_uint_le(len, sizeof bytes - 10);
	memcpy(bytes + 10, types, len);
	m = we_module_new(bytes, 10u + len, err);
	we_module_free(m);
	return m != NULL;
}

/* Each declared supertype is checked: not final, and matched. */
START_TEST(test_declared_supers_validated)
{
	/* (sub (func (param (ref func)))), (sub 0 (func (param funcref))) */
	static const uint8_t contra_ok[] = {0x02, 0x50, 0x00, 0x60, 0x01, 0x64,
	    0x70, 0x00, 0x50, 0x01, 0x00, 0x60, 0x01, 0x70, 0x00};
	/* The same with the parameters swapped: not contravariant. */
	static const uint8_t contra_bad[] = {0x02, 0x50, 0x00, 0x60, 0x01, 0x70,
	    0x00, 0x50, 0x01, 0x00, 0x60, 0x01, 0x64, 0x70, 0x00};
	/* (sub (func (result funcref))), (sub 0 (func (result (ref func)))) */
	static const uint8_t co_ok[] = {0x02, 0x50, 0x00, 0x60, 0x00, 0x01,
	    0x70, 0x50, 0x01, 0x00, 0x60, 0x00, 0x01, 0x64, 0x70};
	/* (sub final (func)), (sub 0 (func)) */
	static const uint8_t final_super[] = {0x02, 0x4f, 0x00, 0x60, 0x00,
	    0x00, 0x50, 0x01, 0x00, 0x60, 0x00, 0x00};
	/* (rec (sub 1 (func)) (sub (func))): a supertype after its subtype */
	static const uint8_t forward[] = {0x01, 0x4e, 0x02, 0x50, 0x01, 0x01,
	    0x60, 0x00, 0x00, 0x50, 0x00, 0x60, 0x00, 0x00};
	we_error err;

	ck_assert_msg(
	    types_valid(contra_ok, sizeof contra_ok, &err), "%s", err.message);
	ck_assert_msg(
	    types_valid(co_ok, sizeof co_ok, &err), "%s", err.message);
	ck_assert(!types_valid(contra_bad, sizeof contra_bad, &err));
	ck_assert_int_eq(err.code, WE_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "sub type"));
	ck_assert(!types_valid(final_super, sizeof final_super, &err));
	ck_assert_int_eq(err.code, WE_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "final"));
	ck_assert(!types_valid(forward, sizeof forward, &err));
	ck_assert_int_eq(err.code, WE_ERR_INVALID);
}
END_TEST

/* "any" returns (ref.null none) as an anyref; "take" takes an anyref. */
static const uint8_t any_module[] = {MAGIC,
    /* types: (func (result anyref)), (func (param anyref)) */
    0x01, 0x09, 0x02, 0x60, 0x00, 0x01, 0x6e, 0x60, 0x01, 0x6e, 0x00,
    /* functions */
    0x03, 0x03, 0x02, 0x00, 0x01,
    /* exports */
    0x07, 0x0e, 0x02, 0x03, 'a', 'n', 'y', 0x00, 0x00, 0x04, 't', 'a', 'k', 'e',
    0x00, 0x01,
    /* code */
    0x0a, 0x09, 0x02, 0x04, 0x00, 0xd0, 0x71, 0x0b, 0x02, 0x00, 0x0b};

/* Whether (func (result funcref) (ref.null heap)) is valid. */
static bool
null_as_funcref_valid(uint8_t heap, we_error *err)
{
	uint8_t bytes[] = {MAGIC, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x70,
	    0x03, 0x02, 0x01, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0xd0, heap,
	    0x0b};
	we_module *m = we_module_new(bytes, sizeof bytes, err);

	we_module_free(m);
	return m != NULL;
}

/*
 * anyref values are null only (no GC objects); a bottom type is a subtype
 * of its own hierarchy only.
 */
START_TEST(test_abstract_heap_types)
{
	we_error err;
	we_module *m = we_module_new(any_module, sizeof any_module, &err);
	we_store *s;
	we_instance *inst;
	we_val r, arg = {.type = WE_ANYREF};
	int host_object;

	ck_assert_msg(m != NULL, "module: %s", err.message);
	s = we_store_new(NULL);
	inst = we_instance_new(s, m, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "instance: %s", err.message);
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "any"), NULL, 0, &r, 1),
	    WE_CALL_OK);
	ck_assert_int_eq(r.type, WE_ANYREF);
	ck_assert_ptr_null(r.of.externref);
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "take"), &arg, 1, NULL, 0),
	    WE_CALL_OK);
	arg.of.externref = &host_object;
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "take"), &arg, 1, NULL, 0),
	    WE_CALL_ERROR);
	ck_assert_str_eq(we_valtype_name(WE_NULLFUNCREF), "nullfuncref");
	we_store_free(s);
	we_module_free(m);
	ck_assert_msg(null_as_funcref_valid(0x73, &err), "%s", err.message);
	ck_assert(!null_as_funcref_valid(0x72, &err)); /* noextern */
	ck_assert_int_eq(err.code, WE_ERR_INVALID);
	ck_assert(!null_as_funcref_valid(0x71, &err)); /* none */
	ck_assert_int_eq(err.code, WE_ERR_INVALID);
}
END_TEST

static Suite *
rec_suite(void)
{
	Suite *s = suite_create("engine_rec");
	TCase *tc = tcase_create("rec groups and subtypes");

	tcase_add_test(tc, test_call_indirect_subtype);
	tcase_add_test(tc, test_link_rec_groups);
	tcase_add_test(tc, test_declared_supers_validated);
	tcase_add_test(tc, test_abstract_heap_types);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
