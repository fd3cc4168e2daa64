/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_gc_test.c: unit tests of the part of WebAssembly GC (3.0) the
 * engine has: struct and array types and the validation of their
 * declared supertypes (engine/rectype.c, decode.c), the abstract heap
 * types eq, i31, struct and array, i31 references (ref.i31, i31.get_s,
 * i31.get_u, in code and in constant expressions) and ref.eq, ref.test,
 * ref.cast, br_on_cast and br_on_cast_fail, the host's view of an i31
 * (we_i31ref, we_val_i31), struct and array objects (engine/gc.c: packed
 * fields, the array instructions and their traps, casts to their types,
 * extern.convert_any and any.convert_extern, the store's limit on what
 * a guest allocates) and their validation. The
 * modules are text, converted in the test by libwasmd-wat.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

#include "wat.h"

/* The module of text, or NULL with err filled when it does not decode. */
static we_module *
try_module(const char *text, we_error *err)
{
	uint8_t *bin;
	size_t len;
	wat_error werr;

	ck_assert_msg(wat_to_wasm(text, strlen(text), &bin, &len, &werr) == 0,
	    "wat %u:%u: %s", werr.line, werr.col, werr.message);
	we_module *m = we_module_new(bin, len, err);
	free(bin);
	return m;
}

/* Whether text is a valid module; err says why not. */
static bool
valid(const char *text, we_error *err)
{
	we_module *m = try_module(text, err);

	we_module_free(m);
	return m != NULL;
}

/* Asserts text is refused as invalid with a message containing what. */
static void
refused(const char *text, const char *what)
{
	we_error err;

	ck_assert_msg(!valid(text, &err), "accepted: %s", text);
	ck_assert_int_eq(err.code, WE_ERR_INVALID);
	ck_assert_msg(strstr(err.message, what) != NULL, "%s: got \"%s\"", text,
	    err.message);
}

static void
accepted(const char *text)
{
	we_error err;

	ck_assert_msg(valid(text, &err), "%s: %s", text, err.message);
}

START_TEST(test_struct_subtypes_accepted)
{
	/* Width: more fields; depth: an immutable field's type narrower. */
	accepted("(module (type $a (sub (struct (field i32))))"
	         " (type $b (sub $a (struct (field i32) (field i64)))))");
	accepted("(module (type $a (sub (struct (field anyref))))"
	         " (type $b (sub $a (struct (field i31ref)))))");
	accepted("(module (type $a (sub (struct (field eqref))))"
	         " (type $b (sub $a (struct (field (ref $a))))))");
	/* A mutable field keeps its type; packed fields match themselves. */
	accepted("(module (type $a (sub (struct (field (mut i8)))))"
	         " (type $b (sub $a (struct (field (mut i8)) (field i16)))))");
	accepted("(module (type $a (sub (array (ref null struct))))"
	         " (type $s (struct)) (type $b (sub $a (array (ref $s)))))");
	/* Rec groups of struct types canonicalise like function types. */
	accepted("(module (rec (type $a (sub (struct (field (ref null $b)))))"
	         " (type $b (sub (struct (field (ref null $a))))))"
	         " (rec (type $c (sub $a (struct (field (ref null $d)))))"
	         " (type $d (sub $b (struct (field (ref null $c)))))))");
}
END_TEST

START_TEST(test_struct_subtypes_refused)
{
	const char *miss = "does not match its supertype";

	/* Fewer fields. */
	refused("(module (type $a (sub (struct (field i32) (field i32))))"
	        " (type $b (sub $a (struct (field i32)))))",
	    miss);
	/* A mutable field narrowed (invariant). */
	refused("(module (type $a (sub (struct (field (mut anyref)))))"
	        " (type $b (sub $a (struct (field (mut i31ref))))))",
	    miss);
	/* Mutability differs, either way. */
	refused("(module (type $a (sub (struct (field i32))))"
	        " (type $b (sub $a (struct (field (mut i32))))))",
	    miss);
	refused("(module (type $a (sub (array (mut i32))))"
	        " (type $b (sub $a (array i32))))",
	    miss);
	/* An immutable field widened, or of another hierarchy. */
	refused("(module (type $a (sub (struct (field i31ref))))"
	        " (type $b (sub $a (struct (field eqref)))))",
	    miss);
	refused("(module (type $a (sub (struct (field anyref))))"
	        " (type $b (sub $a (struct (field funcref)))))",
	    miss);
	/* Packed types match only themselves. */
	refused("(module (type $a (sub (array i8)))"
	        " (type $b (sub $a (array i16))))",
	    miss);
	/* Another kind of type. */
	refused("(module (type $a (sub (struct)))"
	        " (type $b (sub $a (array i32))))",
	    miss);
	refused("(module (type $a (sub (func)))"
	        " (type $b (sub $a (struct))))",
	    miss);
	/* A struct type is not a function's type. */
	refused("(module (type $s (struct)) (func (type $s)))",
	    "is not a function type");
}
END_TEST

START_TEST(test_heap_hierarchy)
{
	/* any > eq > i31, struct, array > none; $s below struct. */
	accepted("(module (type $s (struct))"
	         " (func (param (ref $s)) (result structref) local.get 0)"
	         " (func (param (ref $s)) (result eqref) local.get 0)"
	         " (func (param i31ref) (result anyref) local.get 0)"
	         " (func (param arrayref) (result eqref) local.get 0)"
	         " (func (result i31ref) ref.null none))");
	refused("(module (func (param i31ref) (result structref)"
	        " local.get 0))",
	    "type mismatch");
	refused("(module (type $s (struct))"
	        " (func (param (ref $s)) (result arrayref) local.get 0))",
	    "type mismatch");
	refused("(module (type $s (struct))"
	        " (func (param (ref $s)) (result funcref) local.get 0))",
	    "type mismatch");
	refused("(module (func (param anyref) (result eqref) local.get 0))",
	    "type mismatch");
}
END_TEST

static const char i31_wat[] =
    "(module"
    " (global $g (ref i31) (ref.i31 (i32.const -3)))"
    " (func (export \"get_s\") (param i32) (result i32)"
    "  (i31.get_s (ref.i31 (local.get 0))))"
    " (func (export \"get_u\") (param i32) (result i32)"
    "  (i31.get_u (ref.i31 (local.get 0))))"
    " (func (export \"global_u\") (result i32) (i31.get_u (global.get $g)))"
    " (func (export \"make\") (param i32) (result anyref)"
    "  (ref.i31 (local.get 0)))"
    " (func (export \"is9\") (param eqref) (result i32)"
    "  (ref.eq (local.get 0) (ref.i31 (i32.const 9))))"
    " (func (export \"null_get\") (result i32)"
    "  (i31.get_u (ref.null i31)))"
    " (func (export \"eq\") (param i32 i32) (result i32)"
    "  (ref.eq (ref.i31 (local.get 0)) (ref.i31 (local.get 1))))"
    " (func (export \"eq_null\") (param i32) (result i32)"
    "  (i32.add (ref.eq (ref.null eq) (ref.null none))"
    "   (i32.shl (ref.eq (ref.null i31) (ref.i31 (local.get 0)))"
    "    (i32.const 1)))))";

/* Export name of inst on the i32 args; asserts it returns. */
static int32_t
call_i32(we_store *s, we_instance *inst, const char *name, int32_t a, int32_t b,
    size_t nargs)
{
	we_val args[2] = {
	    {.type = WE_I32, .of.i32 = a}, {.type = WE_I32, .of.i32 = b}};
	we_val r = {.type = WE_I32};
	we_call_status st =
	    we_func_call(s, we_instance_func(inst, name), args, nargs, &r, 1);

	ck_assert_msg(st == WE_CALL_OK, "%s(%d): status %d: %s", name, a, st,
	    st == WE_CALL_TRAP ? we_store_trap(s)->message : "");
	return r.of.i32;
}

/* An instance of text in s, its module in *m. */
static we_instance *
instance_of(const char *text, we_store *s, we_module **m)
{
	we_error err;

	*m = try_module(text, &err);
	ck_assert_msg(*m != NULL, "module: %s", err.message);
	we_instance *inst = we_instance_new(s, *m, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "instance: %s", err.message);
	return inst;
}

START_TEST(test_i31_round_trip)
{
	we_store *s = we_store_new(NULL);
	we_module *m;
	we_instance *inst = instance_of(i31_wat, s, &m);

	ck_assert_int_eq(call_i32(s, inst, "get_s", 5, 0, 1), 5);
	ck_assert_int_eq(call_i32(s, inst, "get_u", 5, 0, 1), 5);
	ck_assert_int_eq(call_i32(s, inst, "get_s", -1, 0, 1), -1);
	ck_assert_int_eq(call_i32(s, inst, "get_u", -1, 0, 1), 0x7fffffff);
	/* Bit 30 is the sign; bit 31 is dropped. */
	ck_assert_int_eq(
	    call_i32(s, inst, "get_s", 0x40000000, 0, 1), -0x40000000);
	ck_assert_int_eq(
	    call_i32(s, inst, "get_u", 0x40000000, 0, 1), 0x40000000);
	ck_assert_int_eq(
	    call_i32(s, inst, "get_s", (int32_t)0x80000001, 0, 1), 1);
	ck_assert_int_eq(call_i32(s, inst, "global_u", 0, 0, 0), 0x7ffffffd);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_i31_null_traps)
{
	we_store *s = we_store_new(NULL);
	we_module *m;
	we_instance *inst = instance_of(i31_wat, s, &m);
	we_val r;

	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "null_get"), NULL, 0, &r, 1),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(s)->kind, WE_TRAP_NULL_REFERENCE);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_ref_eq)
{
	we_store *s = we_store_new(NULL);
	we_module *m;
	we_instance *inst = instance_of(i31_wat, s, &m);

	ck_assert_int_eq(call_i32(s, inst, "eq", 7, 7, 2), 1);
	ck_assert_int_eq(call_i32(s, inst, "eq", 7, 8, 2), 0);
	/* The same 31 bits are the same i31. */
	ck_assert_int_eq(call_i32(s, inst, "eq", -1, 0x7fffffff, 2), 1);
	/* null == null (1), null != i31 0 (0, shifted). */
	ck_assert_int_eq(call_i32(s, inst, "eq_null", 0, 0, 1), 1);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_host_i31)
{
	we_store *s = we_store_new(NULL);
	we_module *m;
	we_instance *inst = instance_of(i31_wat, s, &m);
	we_val a = {.type = WE_I32, .of.i32 = -42}, r;
	int32_t x = 0;

	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "make"), &a, 1, &r, 1),
	    WE_CALL_OK);
	ck_assert_int_eq(r.type, WE_ANYREF);
	ck_assert(r.of.externref != NULL);
	ck_assert(we_val_i31(r, &x));
	ck_assert_int_eq(x, -42);
	ck_assert(we_val_i31(we_i31ref(-42), &x));
	ck_assert_int_eq(x, -42);
	/* A host's i31 passes as an eqref, equal to the guest's. */
	a = we_i31ref(9);
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "is9"), &a, 1, &r, 1),
	    WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 1);
	a = we_i31ref(10);
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "is9"), &a, 1, &r, 1),
	    WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 0);
	ck_assert(!we_val_i31((we_val){.type = WE_ANYREF}, &x));
	ck_assert(!we_val_i31((we_val){.type = WE_I32, .of.i32 = 3}, &x));
	we_store_free(s);
	we_module_free(m);
}
END_TEST

static const char cast_wat[] =
    "(module"
    " (type $f (func))"
    " (func $g (type $f))"
    " (elem declare func $g)"
    " (func (export \"test_i31\") (param i32) (result i32)"
    "  (ref.test (ref i31) (select (result anyref) (ref.i31 (i32.const 1))"
    "   (ref.null any) (local.get 0))))"
    " (func (export \"test_func\") (result i32)"
    "  (i32.add (ref.test (ref $f) (ref.func $g))"
    "   (i32.shl (ref.test (ref null nofunc) (ref.func $g)) (i32.const 1))))"
    " (func (export \"cast\") (param i32) (result i32)"
    "  (i31.get_s (ref.cast (ref i31) (select (result anyref)"
    "   (ref.i31 (i32.const -5)) (ref.null any) (local.get 0)))))"
    " (func (export \"on_cast\") (param i32) (result i32)"
    "  (block $l (result i31ref)"
    "   (br_on_cast $l anyref (ref i31) (select (result anyref)"
    "    (ref.i31 (i32.const 6)) (ref.null any) (local.get 0)))"
    "   (drop) (return (i32.const 100)))"
    "  (i31.get_u (ref.as_non_null)))"
    " (func (export \"on_cast_fail\") (param i32) (result i32)"
    "  (block $l (result anyref)"
    "   (br_on_cast_fail $l anyref (ref i31) (select (result anyref)"
    "    (ref.i31 (i32.const 7)) (ref.null any) (local.get 0)))"
    "   (return (i31.get_u)))"
    "  (drop) (i32.const 200)))";

START_TEST(test_casts)
{
	we_store *s = we_store_new(NULL);
	we_error err;
	we_module *m = try_module(cast_wat, &err);
	we_instance *inst;
	we_val a = {.type = WE_I32, .of.i32 = 0}, r;

	ck_assert_msg(m != NULL, "module: %s", err.message);
	inst = we_instance_new(s, m, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "instance: %s", err.message);
	ck_assert_int_eq(call_i32(s, inst, "test_i31", 1, 0, 1), 1);
	ck_assert_int_eq(call_i32(s, inst, "test_i31", 0, 0, 1), 0);
	/* (ref $f) holds $g; nofunc does not. */
	ck_assert_int_eq(call_i32(s, inst, "test_func", 0, 0, 0), 1);
	ck_assert_int_eq(call_i32(s, inst, "cast", 1, 0, 1), -5);
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "cast"), &a, 1, &r, 1),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(s)->kind, WE_TRAP_CAST_FAILURE);
	ck_assert_int_eq(call_i32(s, inst, "on_cast", 1, 0, 1), 6);
	ck_assert_int_eq(call_i32(s, inst, "on_cast", 0, 0, 1), 100);
	ck_assert_int_eq(call_i32(s, inst, "on_cast_fail", 1, 0, 1), 7);
	ck_assert_int_eq(call_i32(s, inst, "on_cast_fail", 0, 0, 1), 200);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

static const char obj_wat[] =
    "(module"
    " (type $s (struct (field $a (mut i8)) (field $b (mut i16))"
    "  (field $c (mut i64)) (field $d (mut anyref)) (field $v (mut v128))))"
    " (type $a8 (array (mut i8)))"
    " (type $a32 (array (mut i32)))"
    " (data $d \"\\01\\02\\03\\04\\05\")"
    " (global $g (mut (ref null $s)) (ref.null $s))"
    " (func (export \"packed\") (param i32) (result i32)"
    "  (local $r (ref $s))"
    "  (local.set $r (struct.new_default $s))"
    "  (struct.set $s $a (local.get $r) (local.get 0))"
    "  (struct.set $s $b (local.get $r) (local.get 0))"
    "  (i32.add (i32.add (struct.get_s $s $a (local.get $r))"
    "    (i32.shl (struct.get_u $s $a (local.get $r)) (i32.const 8)))"
    "   (i32.shl (struct.get_s $s $b (local.get $r)) (i32.const 16))))"
    " (func (export \"fields\") (param i32) (result i32)"
    "  (local $r (ref $s))"
    "  (local.set $r (struct.new $s (local.get 0) (i32.const 2)"
    "   (i64.const 0x100000003) (ref.i31 (local.get 0))"
    "   (v128.const i32x4 1 2 3 4)))"
    "  (global.set $g (local.get $r))"
    "  (i32.add (i32.wrap_i64 (struct.get $s $c (global.get $g)))"
    "   (i32.add (i31.get_s (ref.cast (ref i31)"
    "     (struct.get $s $d (local.get $r))))"
    "    (i32x4.extract_lane 3 (struct.get $s $v (local.get $r))))))"
    " (func (export \"null_get\") (result i32)"
    "  (struct.get_u $s $a (ref.null $s)))"
    " (func (export \"arr\") (param i32 i32) (result i32)"
    "  (local $x (ref $a32))"
    "  (local.set $x (array.new $a32 (i32.const 7) (local.get 0)))"
    "  (array.set $a32 (local.get $x) (i32.const 1) (i32.const 40))"
    "  (array.fill $a32 (local.get $x) (i32.const 2) (i32.const 9)"
    "   (i32.const 2))"
    "  (array.copy $a32 $a32 (local.get $x) (i32.const 0) (local.get $x)"
    "   (i32.const 1) (i32.const 3))"
    "  (i32.add (array.len (local.get $x))"
    "   (array.get $a32 (local.get $x) (local.get 1))))"
    " (func (export \"data\") (param i32) (result i32)"
    "  (array.get_s $a8 (array.new_data $a8 $d (i32.const 1) (i32.const 4))"
    "   (local.get 0)))"
    " (func (export \"fixed\") (result i32)"
    "  (local $x (ref $a8))"
    "  (local.set $x (array.new_fixed $a8 3 (i32.const -1) (i32.const 2)"
    "   (i32.const 3)))"
    "  (i32.add (array.get_u $a8 (local.get $x) (i32.const 0))"
    "   (array.get_s $a8 (local.get $x) (i32.const 0))))"
    " (func (export \"is\") (param i32) (result i32)"
    "  (local $r anyref)"
    "  (local.set $r (select (result anyref) (struct.new_default $s)"
    "   (array.new_default $a8 (i32.const 1)) (local.get 0)))"
    "  (i32.add (i32.add (ref.test (ref $s) (local.get $r))"
    "    (i32.shl (ref.test (ref array) (local.get $r)) (i32.const 1)))"
    "   (i32.add (i32.shl (ref.test (ref eq) (local.get $r)) (i32.const 2))"
    "    (i32.shl (ref.test (ref i31) (local.get $r)) (i32.const 3)))))"
    " (func (export \"round\") (param i32) (result i32)"
    "  (local $r anyref)"
    "  (local.set $r (select (result anyref) (struct.new_default $s)"
    "   (ref.i31 (i32.const 5)) (local.get 0)))"
    "  (ref.eq (ref.cast eqref (any.convert_extern (extern.convert_any"
    "   (local.get $r)))) (ref.cast eqref (local.get $r))))"
    " (func (export \"host\") (param externref) (result externref)"
    "  (extern.convert_any (any.convert_extern (local.get 0))))"
    " (func (export \"host_is_eq\") (param externref) (result i32)"
    "  (ref.test (ref eq) (any.convert_extern (local.get 0))))"
    " (func (export \"alloc\") (param i32)"
    "  (loop $l (drop (array.new_default $a32 (i32.const 1024)))"
    "   (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))"
    ")";

/* Calls name on the i32 args; asserts it traps with kind and message. */
static void
traps(we_store *s, we_instance *inst, const char *name, int32_t a, int32_t b,
    size_t nargs, we_trap_kind kind, const char *msg)
{
	we_val args[2] = {
	    {.type = WE_I32, .of.i32 = a}, {.type = WE_I32, .of.i32 = b}};
	we_val r;
	we_func *f = we_instance_func(inst, name);

	ck_assert_int_eq(
	    we_func_call(s, f, args, nargs, &r, we_func_type(f)->nresults),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(s)->kind, kind);
	ck_assert_msg(strstr(we_store_trap(s)->message, msg) != NULL,
	    "%s: \"%s\"", name, we_store_trap(s)->message);
}

START_TEST(test_struct_fields)
{
	we_store *s = we_store_new(NULL);
	we_module *m;
	we_instance *inst = instance_of(obj_wat, s, &m);

	/* 0x1ff: i8 field holds 0xff (-1 signed, 255 unsigned), i16
	   0x1ff. */
	ck_assert_int_eq(call_i32(s, inst, "packed", 0x1ff, 0, 1),
	    -1 + (255 << 8) + (0x1ff << 16));
	/* i8 0x80: -128 + (128 << 8) + (0x80 << 16). */
	ck_assert_int_eq(call_i32(s, inst, "packed", 0x80, 0, 1),
	    -128 + (128 << 8) + (0x80 << 16));
	/* i64 3 (low word) + i31 10 + lane 3 of the v128 (4). */
	ck_assert_int_eq(call_i32(s, inst, "fields", 10, 0, 1), 3 + 10 + 4);
	traps(s, inst, "null_get", 0, 0, 0, WE_TRAP_NULL_REFERENCE,
	    "null structure reference");
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_array_ops)
{
	we_store *s = we_store_new(NULL);
	we_module *m;
	we_instance *inst = instance_of(obj_wat, s, &m);

	/* new 7 x n; [1] = 40; [2..4) = 9; copy [1..4) to [0..3), overlapping:
	   40 9 9 9 7 */
	ck_assert_int_eq(call_i32(s, inst, "arr", 5, 0, 2), 5 + 40);
	ck_assert_int_eq(call_i32(s, inst, "arr", 5, 1, 2), 5 + 9);
	ck_assert_int_eq(call_i32(s, inst, "arr", 5, 3, 2), 5 + 9);
	ck_assert_int_eq(call_i32(s, inst, "arr", 5, 4, 2), 5 + 7);
	traps(s, inst, "arr", 5, 5, 2, WE_TRAP_ARRAY_OUT_OF_BOUNDS,
	    "out of bounds array access");
	/* array.fill at 2 of 2 needs 4 elements. */
	traps(s, inst, "arr", 3, 0, 2, WE_TRAP_ARRAY_OUT_OF_BOUNDS,
	    "out of bounds array access");
	/* Data bytes 2 3 4 5 from offset 1. */
	ck_assert_int_eq(call_i32(s, inst, "data", 3, 0, 1), 5);
	traps(s, inst, "data", 4, 0, 1, WE_TRAP_ARRAY_OUT_OF_BOUNDS,
	    "out of bounds array access");
	ck_assert_int_eq(call_i32(s, inst, "fixed", 0, 0, 0), 255 - 1);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_object_casts)
{
	we_store *s = we_store_new(NULL);
	we_module *m;
	we_instance *inst = instance_of(obj_wat, s, &m);

	/* A struct: (ref $s) and eq; an array: array and eq. */
	ck_assert_int_eq(call_i32(s, inst, "is", 1, 0, 1), 1 + 4);
	ck_assert_int_eq(call_i32(s, inst, "is", 0, 0, 1), 2 + 4);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_conversions)
{
	we_store *s = we_store_new(NULL);
	we_module *m;
	we_instance *inst = instance_of(obj_wat, s, &m);
	we_val a = {.type = WE_EXTERNREF}, r;
	int host;

	/* A struct and an i31 come back ref.eq to themselves. */
	ck_assert_int_eq(call_i32(s, inst, "round", 1, 0, 1), 1);
	ck_assert_int_eq(call_i32(s, inst, "round", 0, 0, 1), 1);
	/* A host's externref comes back as itself; null stays null; as an
	   any, it is not an eq. */
	a.of.externref = &host;
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "host"), &a, 1, &r, 1),
	    WE_CALL_OK);
	ck_assert_ptr_eq(r.of.externref, &host);
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "host_is_eq"), &a, 1, &r, 1),
	    WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 0);
	a.of.externref = NULL;
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "host"), &a, 1, &r, 1),
	    WE_CALL_OK);
	ck_assert_ptr_null(r.of.externref);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_allocation_limit)
{
	/* 1 MiB for everything guests make: 4 KiB arrays would run out,
	   but dropped ones are collected (engine_gc_collect_test has more:
	   a live set past the limit traps). */
	we_config c = {.max_store_bytes = 1 << 20};
	we_store *s = we_store_new(&c);
	we_module *m;
	we_instance *inst = instance_of(obj_wat, s, &m);
	we_val a = {.type = WE_I32, .of.i32 = 100};
	we_gc_stats st;

	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "alloc"), &a, 1, NULL, 0),
	    WE_CALL_OK);
	a.of.i32 = 1000;
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "alloc"), &a, 1, NULL, 0),
	    WE_CALL_OK);
	we_store_gc_stats(s, &st);
	ck_assert_uint_gt(st.collections, 0);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

static const char const_wat[] =
    "(module"
    " (type $s (struct (field i32) (field (ref null $s))))"
    " (type $a (array (mut i16)))"
    " (global $g (ref $s) (struct.new $s (i32.const 7)"
    "  (struct.new_default $s)))"
    " (global $x externref (extern.convert_any (global.get $g)))"
    " (export \"g\" (global $g))"
    " (global (export \"m\") (mut anyref) (ref.null any))"
    " (table $t 2 anyref)"
    " (elem (table $t) (i32.const 0) anyref"
    "  (array.new_fixed $a 2 (i32.const 0x12345) (i32.const -1))"
    "  (item (any.convert_extern (global.get $x))))"
    " (func (export \"sum\") (result i32)"
    "  (i32.add (i32.add (struct.get $s 0 (global.get $g))"
    "    (struct.get $s 0 (ref.as_non_null (struct.get $s 1"
    "     (global.get $g)))))"
    "   (i32.add (array.get_u $a (ref.cast (ref $a)"
    "     (table.get $t (i32.const 0))) (i32.const 0))"
    "    (ref.eq (ref.cast eqref (table.get $t (i32.const 1)))"
    "     (global.get $g)))))"
    " (func (export \"any\") (result anyref) (global.get $g))"
    " (func (export \"is_s_null\") (param (ref null $s)) (result i32)"
    "  (ref.is_null (local.get 0)))"
    " (func (export \"is_s\") (param anyref) (result i32)"
    "  (ref.test (ref $s) (local.get 0))))";

START_TEST(test_const_objects)
{
	we_store *s = we_store_new(NULL);
	we_module *m;
	we_instance *inst = instance_of(const_wat, s, &m);
	we_val r, ext, back;
	int host;

	/* 7 + 0 (the default struct's field) + 0x2345 + ref.eq 1. */
	ck_assert_int_eq(call_i32(s, inst, "sum", 0, 0, 0), 7 + 0x2345 + 1);
	/* The host sees the struct as an anyref and converts it. */
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "any"), NULL, 0, &r, 1),
	    WE_CALL_OK);
	ck_assert_int_eq(r.type, WE_ANYREF);
	ck_assert(we_extern_convert_any(s, r, &ext));
	ck_assert_int_eq(ext.type, WE_EXTERNREF);
	ck_assert(we_any_convert_extern(s, ext, &back));
	ck_assert_ptr_eq(back.of.externref, r.of.externref);
	/* A host externref becomes an any the module's casts refuse. */
	ext.of.externref = &host;
	ck_assert(we_any_convert_extern(s, ext, &back));
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "is_s"), &back, 1, &r, 1),
	    WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 0);
	ck_assert(we_extern_convert_any(s, back, &ext));
	ck_assert_ptr_eq(ext.of.externref, &host);
	/* A global of a struct type shows its struct as an anyref; an
	   anyref global takes the store's objects only. */
	we_extern g, mg;
	ck_assert(we_instance_export(inst, "g", &g));
	ck_assert(we_instance_export(inst, "m", &mg));
	r = we_global_get(g.of.global);
	ck_assert_int_eq(r.type, WE_ANYREF);
	ck_assert(we_global_set(mg.of.global, r));
	ck_assert_ptr_eq(
	    we_global_get(mg.of.global).of.externref, r.of.externref);
	/* A null for a struct type passes as anyref or, as the daemon
	   describes such a type, as funcref. */
	we_val nul = {.type = WE_ANYREF};
	ck_assert_int_eq(we_func_call(s, we_instance_func(inst, "is_s_null"),
	                     &nul, 1, &r, 1),
	    WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 1);
	nul.type = WE_FUNCREF;
	ck_assert_int_eq(we_func_call(s, we_instance_func(inst, "is_s_null"),
	                     &nul, 1, &r, 1),
	    WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 1);
	/* A pointer that is no object of the store is refused. */
	back.of.externref = &host;
	ck_assert(!we_global_set(mg.of.global, back));
	ck_assert(!we_extern_convert_any(s, back, &ext));
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "is_s"), &back, 1, &r, 1),
	    WE_CALL_ERROR);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

/* A host function that returns its anyref argument, or with env a
 * pointer that is no object of the store. */
static we_host_status
host_id(we_hostcall *call)
{
	call->results[0] = call->args[0];
	if (call->env != NULL)
		call->results[0].of.externref = call->env;
	return WE_HOST_OK;
}

START_TEST(test_host_passes_objects_back)
{
	static const char text[] =
	    "(module"
	    " (type $s (struct (field i32)))"
	    " (import \"h\" \"id\" (func $id (param anyref) (result anyref)))"
	    " (func (export \"f\") (result i32)"
	    "  (struct.get $s 0 (ref.cast (ref $s) (call $id"
	    "   (struct.new $s (i32.const 33)))))))";
	we_store *s = we_store_new(NULL);
	we_valtype any = WE_ANYREF;
	we_functype ft = {1, 1, &any, &any};
	we_import imp = {"h", "id",
	    {WE_EXTERN_FUNC,
	        {.func = we_func_new_host(s, &ft, host_id, NULL, NULL)}}};
	we_error err;
	we_module *m = try_module(text, &err);
	we_instance *inst;

	ck_assert_msg(m != NULL, "module: %s", err.message);
	inst = we_instance_new(s, m, &imp, 1, &err);
	ck_assert_msg(inst != NULL, "instance: %s", err.message);
	/* The host gives back the guest's struct: accepted, unchanged. */
	ck_assert_int_eq(call_i32(s, inst, "f", 0, 0, 0), 33);
	we_store_free(s);
	/* A pointer of its own would be read as an object: a trap. */
	static uint64_t bogus[4] = {1, 2, 3, 4};
	s = we_store_new(NULL);
	imp.value.of.func = we_func_new_host(s, &ft, host_id, bogus, NULL);
	inst = we_instance_new(s, m, &imp, 1, &err);
	ck_assert_msg(inst != NULL, "instance: %s", err.message);
	we_val r;
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "f"), NULL, 0, &r, 1),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(s)->kind, WE_TRAP_HOST);
	ck_assert_msg(
	    strstr(we_store_trap(s)->message, "an i31 or an object") != NULL,
	    "%s", we_store_trap(s)->message);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_gc_objects_validated)
{
	refused("(module (type $s (struct (field i32)))"
	        " (func (param (ref $s)) (struct.set $s 0 (local.get 0)"
	        " (i32.const 1))))",
	    "field is immutable");
	refused("(module (type $s (struct (field i8)))"
	        " (func (param (ref $s)) (result i32)"
	        " (struct.get $s 0 (local.get 0))))",
	    "field is packed");
	refused("(module (type $a (array i32))"
	        " (func (param (ref $a)) (array.set $a (local.get 0)"
	        " (i32.const 0) (i32.const 1))))",
	    "array is immutable");
	refused("(module (type $s (struct (field (ref any))))"
	        " (func (drop (struct.new_default $s))))",
	    "no default value");
	/* The constant-expression evaluator holds 64 bits a value. */
	refused("(module (type $s (struct (field v128)))"
	        " (global (ref $s) (struct.new $s (v128.const i64x2 1 2))))",
	    "v128 field or element in a constant expression is not supported");
}
END_TEST

static Suite *
gc_suite(void)
{
	Suite *s = suite_create("engine_gc");
	TCase *tc = tcase_create("GC");

	tcase_add_test(tc, test_struct_subtypes_accepted);
	tcase_add_test(tc, test_struct_subtypes_refused);
	tcase_add_test(tc, test_heap_hierarchy);
	tcase_add_test(tc, test_i31_round_trip);
	tcase_add_test(tc, test_i31_null_traps);
	tcase_add_test(tc, test_ref_eq);
	tcase_add_test(tc, test_host_i31);
	tcase_add_test(tc, test_casts);
	tcase_add_test(tc, test_struct_fields);
	tcase_add_test(tc, test_array_ops);
	tcase_add_test(tc, test_object_casts);
	tcase_add_test(tc, test_conversions);
	tcase_add_test(tc, test_allocation_limit);
	tcase_add_test(tc, test_const_objects);
	tcase_add_test(tc, test_host_passes_objects_back);
	tcase_add_test(tc, test_gc_objects_validated);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(gc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
