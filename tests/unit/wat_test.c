/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wat_test.c: libwasmd-wat (wat/wat.h). Each case converts a module in the
 * text format, loads the binary with the engine and calls its exports, so
 * what is checked is the meaning of the text, not the bytes chosen; the
 * error cases check the message and the line and column. The whole spec
 * suite also runs read from its .wast text (ctest spec-wast).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

#include "wat.h"

typedef struct loaded {
	we_module *m;
	we_store *s;
	we_instance *inst;
} loaded;

/* Converts and instantiates text (no imports); fails the test otherwise. */
static loaded
load(const char *text)
{
	loaded l = {0};
	uint8_t *bin;
	size_t len;
	wat_error werr;
	we_error err;

	ck_assert_msg(wat_to_wasm(text, strlen(text), &bin, &len, &werr) == 0,
	    "%u:%u: %s", werr.line, werr.col, werr.message);
	l.m = we_module_new(bin, len, &err);
	free(bin);
	ck_assert_msg(l.m != NULL, "engine: %s", err.message);
	l.s = we_store_new(NULL);
	l.inst = we_instance_new(l.s, l.m, NULL, 0, &err);
	ck_assert_msg(l.inst != NULL, "instantiate: %s", err.message);
	return l;
}

static void
unload(loaded *l)
{
	we_store_free(l->s);
	we_module_free(l->m);
}

/* Calls export name with up to two i32 arguments; its i32 result. */
static int32_t
call_i32(loaded *l, const char *name, int nargs, int32_t a, int32_t b)
{
	we_func *f = we_instance_func(l->inst, name);
	we_val args[2] = {
	    {.type = WE_I32, .of.i32 = a}, {.type = WE_I32, .of.i32 = b}};
	we_val r;

	ck_assert_msg(f != NULL, "no export %s", name);
	ck_assert_int_eq(
	    we_func_call(l->s, f, args, (size_t)nargs, &r, 1), WE_CALL_OK);
	return r.of.i32;
}

/* The error of text that must not convert. */
static wat_error
reject(const char *text)
{
	uint8_t *bin = NULL;
	size_t len;
	wat_error werr;

	ck_assert_msg(wat_to_wasm(text, strlen(text), &bin, &len, &werr) < 0,
	    "accepted: %s", text);
	return werr;
}

START_TEST(test_folded_named_and_inline)
{
	loaded l = load("(module\n"
	                "  (func $add (export \"add\") (param $a i32) (param "
	                "$b i32) (result i32)\n"
	                "    (i32.add (local.get $a) (local.get $b)))\n"
	                "  (func (export \"twice\") (param i32) (result i32)\n"
	                "    (call $add (local.get 0) (local.get 0))))");

	ck_assert_int_eq(call_i32(&l, "add", 2, 40, 2), 42);
	ck_assert_int_eq(call_i32(&l, "twice", 1, 21, 0), 42);
	unload(&l);
}
END_TEST

START_TEST(test_blocks_labels_and_if)
{
	/* Sum 1..n with a plain loop and a folded if. */
	loaded l = load(
	    "(func (export \"sum\") (param $n i32) (result i32)\n"
	    "  (local $acc i32)\n"
	    "  block $done\n"
	    "    loop $next\n"
	    "      local.get $n\n"
	    "      i32.eqz\n"
	    "      br_if $done\n"
	    "      (local.set $acc (i32.add (local.get $acc) (local.get $n)))\n"
	    "      (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
	    "      br $next\n"
	    "    end $next\n"
	    "  end\n"
	    "  (if (result i32) (i32.gt_s (local.get $acc) (i32.const 100))\n"
	    "    (then (i32.const -1)) (else (local.get $acc))))");

	ck_assert_int_eq(call_i32(&l, "sum", 1, 10, 0), 55);
	ck_assert_int_eq(call_i32(&l, "sum", 1, 20, 0), -1);
	unload(&l);
}
END_TEST

START_TEST(test_exceptions_try_table)
{
	/* A thrown payload caught by try_table, plain and folded: catch,
	 * catch_ref then throw_ref, catch_all; an exported inline tag. */
	loaded l =
	    load("(module\n"
	         "  (tag $e (export \"e\") (param i32))\n"
	         "  (tag $none)\n"
	         "  (func (export \"caught\") (param i32) (result i32)\n"
	         "    block $h (result i32)\n"
	         "      try_table (catch $e $h)\n"
	         "        (throw $e (i32.add (local.get 0) (i32.const 1)))\n"
	         "      end\n"
	         "      i32.const -1\n"
	         "    end $h)\n"
	         "  (func (export \"rethrown\") (param i32) (result i32)\n"
	         "    (block $outer (result i32)\n"
	         "      (try_table (catch $e $outer)\n"
	         "        (block $inner (result i32 exnref)\n"
	         "          (try_table (catch_ref $e $inner)\n"
	         "            (throw $e (local.get 0)))\n"
	         "          (unreachable))\n"
	         "        (throw_ref))\n"
	         "      (i32.const -1)))\n"
	         "  (func (export \"all\") (result i32)\n"
	         "    (block $h\n"
	         "      (try_table (catch_all $h) (throw $none)))\n"
	         "    (i32.const 7)))");

	ck_assert_int_eq(call_i32(&l, "caught", 1, 41, 0), 42);
	ck_assert_int_eq(call_i32(&l, "rethrown", 1, 9, 0), 9);
	ck_assert_int_eq(call_i32(&l, "all", 0, 0, 0), 7);
	unload(&l);
}
END_TEST

START_TEST(test_exceptions_legacy_try)
{
	/* The legacy try, plain (catch, catch_all with rethrow) and folded
	 * (delegate past a handler to the outer try's). */
	loaded l =
	    load("(module\n"
	         "  (tag $e (param i32))\n"
	         "  (func (export \"plain\") (param i32) (result i32)\n"
	         "    try $outer (result i32)\n"
	         "      try (result i32)\n"
	         "        local.get 0\n"
	         "        throw $e\n"
	         "      catch_all\n"
	         "        rethrow 0\n"
	         "      end\n"
	         "    catch $e\n"
	         "      i32.const 1\n"
	         "      i32.add\n"
	         "    end $outer)\n"
	         "  (func (export \"delegate\") (param i32) (result i32)\n"
	         "    (try (result i32)\n"
	         "      (do (try (result i32)\n"
	         "        (do (try (result i32)\n"
	         "          (do (throw $e (local.get 0)))\n"
	         "          (delegate 1)))\n"
	         "        (catch $e (i32.add (i32.const 100)))))\n"
	         "      (catch $e (i32.add (i32.const 1000)))\n"
	         "      (catch_all (i32.const -1)))))");

	ck_assert_int_eq(call_i32(&l, "plain", 1, 20, 0), 21);
	ck_assert_int_eq(call_i32(&l, "delegate", 1, 5, 0), 1005);
	unload(&l);
}
END_TEST

START_TEST(test_typed_function_references)
{
	/* (ref $t) and (ref null $t) in signatures, locals and block types;
	 * call_ref, return_call_ref, ref.as_non_null, br_on_null and
	 * br_on_non_null. */
	loaded l = load(
	    "(module\n"
	    "  (type $t (func (param i32) (result i32)))\n"
	    "  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))\n"
	    "  (elem declare func $inc)\n"
	    "  (func $apply (param $f (ref $t)) (param i32) (result i32)\n"
	    "    (call_ref $t (local.get 1) (local.get $f)))\n"
	    "  (func (export \"call\") (param i32) (result i32)\n"
	    "    (call $apply (ref.func $inc) (local.get 0)))\n"
	    "  (func (export \"tail\") (param i32) (result i32)\n"
	    "    (local $r (ref null $t))\n"
	    "    (local.set $r (ref.func $inc))\n"
	    "    (return_call_ref $t (local.get 0)\n"
	    "      (ref.as_non_null (local.get $r))))\n"
	    "  (func (export \"null\") (param i32) (result i32)\n"
	    "    (local $r (ref null $t))\n"
	    "    (if (local.get 0) (then (local.set $r (ref.func $inc))))\n"
	    "    (block $isnull\n"
	    "      (return (call_ref $t (i32.const 10)\n"
	    "        (br_on_null $isnull (local.get $r)))))\n"
	    "    (i32.const -1))\n"
	    "  (func (export \"nonnull\") (param i32) (result i32)\n"
	    "    (block $f (result (ref $t))\n"
	    "      (br_on_non_null $f (ref.null $t))\n"
	    "      (return (i32.const -2)))\n"
	    "    (drop)\n"
	    "    (local.get 0)))");

	ck_assert_int_eq(call_i32(&l, "call", 1, 41, 0), 42);
	ck_assert_int_eq(call_i32(&l, "tail", 1, 6, 0), 7);
	ck_assert_int_eq(call_i32(&l, "null", 1, 1, 0), 11);
	ck_assert_int_eq(call_i32(&l, "null", 1, 0, 0), -1);
	ck_assert_int_eq(call_i32(&l, "nonnull", 1, 3, 0), -2);
	unload(&l);
}
END_TEST

START_TEST(test_memory_data_and_tables)
{
	/* Inline data and elem, an implicit type for call_indirect, memarg. */
	loaded l = load("(module\n"
	                "  (memory (data \"\\01\\02\\03\\04hello\"))\n"
	                "  (table funcref (elem $one $two))\n"
	                "  (func $one (result i32) (i32.const 1))\n"
	                "  (func $two (result i32) (i32.const 2))\n"
	                "  (func (export \"load\") (param i32) (result i32)\n"
	                "    (i32.load offset=1 align=1 (local.get 0)))\n"
	                "  (func (export \"pick\") (param i32) (result i32)\n"
	                "    (call_indirect (result i32) (local.get 0))))");

	ck_assert_int_eq(
	    call_i32(&l, "load", 1, 0, 0), 0x68040302); /* 02 03 04 "h" */
	ck_assert_int_eq(call_i32(&l, "pick", 1, 1, 0), 2);
	unload(&l);
}
END_TEST

START_TEST(test_numbers)
{
	loaded l =
	    load("(func (export \"i\") (result i32) (i32.const 0xffff_ffff))\n"
	         "(func (export \"f\") (result i32)\n"
	         "  (i32.reinterpret_f32 (f32.const 0x1.8p1)))\n"
	         "(func (export \"nan\") (result i32)\n"
	         "  (i32.reinterpret_f32 (f32.const -nan:0x200001)))\n"
	         "(func (export \"d\") (result i32)\n"
	         "  (i32.wrap_i64 (i64.reinterpret_f64 (f64.const 1e-320))))");

	ck_assert_int_eq(call_i32(&l, "i", 0, 0, 0), -1);
	ck_assert_uint_eq(
	    (uint32_t)call_i32(&l, "f", 0, 0, 0), 0x40400000u); /* 3.0 */
	ck_assert_uint_eq((uint32_t)call_i32(&l, "nan", 0, 0, 0), 0xffa00001u);
	ck_assert_int_eq(call_i32(&l, "d", 0, 0, 0), 2024); /* subnormal bits */
	unload(&l);
}
END_TEST

/* SIMD text: v128.const in its shapes, i8x16.shuffle, lane immediates,
 * memarg and lane of load_lane/store_lane, 0xFD operations by name. */
START_TEST(test_simd)
{
	loaded l = load(
	    "(memory 1)\n"
	    "(func (export \"shapes\") (result i32)\n"
	    "  (i32.add (i32.add\n"
	    "    (i8x16.extract_lane_u 15 (v128.const i8x16 0 1 2 3 4 5 6 7 8 9"
	    " 10 11 12 13 14 -1))\n"
	    "    (i16x8.extract_lane_s 7 (v128.const i16x8 0 0 0 0 0 0 0 "
	    "-2)))\n"
	    "    (i32.add (i32.trunc_f32_s (f32x4.extract_lane 3\n"
	    "      (v128.const f32x4 0 0 0 0x1.8p1)))\n"
	    "      (i32.wrap_i64 (i64x2.extract_lane 1\n"
	    "        (v128.const i64x2 0 0xffff_ffff_ffff_fffe))))))\n"
	    "(func (export \"f64\") (result i32)\n"
	    "  (i32.trunc_f64_s (f64x2.extract_lane 0\n"
	    "    (f64x2.add (v128.const f64x2 1.5 0) (v128.const f64x2 2.5 "
	    "0)))))\n"
	    "(func (export \"shuffle\") (result i32)\n"
	    "  (i32x4.extract_lane 0 (i8x16.shuffle 16 17 18 19 0 1 2 3 4 5 6 7"
	    " 8 9 10 11\n"
	    "    (v128.const i32x4 1 2 3 4) (v128.const i32x4 5 6 7 8))))\n"
	    "(func (export \"lane\") (result i32)\n"
	    "  (v128.store32_lane offset=4 align=4 2 (i32.const 0)\n"
	    "    (i32x4.replace_lane 2 (v128.const i32x4 0 0 0 0)"
	    " (i32.const 42)))\n"
	    "  (i32x4.extract_lane 1 (v128.load32_lane 1 (i32.const 4)"
	    " (v128.const i32x4 0 0 0 0))))");

	/* 255 + -2 + 3 + -2 */
	ck_assert_int_eq(call_i32(&l, "shapes", 0, 0, 0), 254);
	ck_assert_int_eq(call_i32(&l, "f64", 0, 0, 0), 4);
	ck_assert_int_eq(call_i32(&l, "shuffle", 0, 0, 0), 5);
	ck_assert_int_eq(call_i32(&l, "lane", 0, 0, 0), 42);
	unload(&l);

	ck_assert(strstr(reject("(func (v128.const i32x4 1 2 3))").message,
	              "wrong number of lane literals") != NULL);
	ck_assert(strstr(reject("(func (v128.const i8x16 256 0 0 0 0 0 0 0 0"
	                        " 0 0 0 0 0 0 0))")
	                     .message,
	              "malformed lane literal") != NULL);
	ck_assert(strstr(reject("(func (v128.const i32x3 1 2 3))").message,
	              "v128 shape") != NULL);
	ck_assert(strstr(reject("(func (i8x16.extract_lane_s -1"
	                        " (v128.const i32x4 0 0 0 0)))")
	                     .message,
	              "malformed lane index") != NULL);
	ck_assert(strstr(reject("(func (i8x16.shuffle 0 1 2"
	                        " (v128.const i32x4 0 0 0 0)"
	                        " (v128.const i32x4 0 0 0 0)))")
	                     .message,
	              "16 lane indices") != NULL);
}
END_TEST

/* A line comment ends at CR as at LF (the 3.0 text format's newlines). */
START_TEST(test_line_comment_ends_at_cr)
{
	loaded l = load("(func (export \"f\") (result i32)\n"
	                "  (i32.const 1) ;; comment\r"
	                "  (return (i32.const 2)))");

	ck_assert_int_eq(call_i32(&l, "f", 0, 0, 0), 2);
	unload(&l);
}
END_TEST

START_TEST(test_errors_have_positions)
{
	wat_error e;

	e = reject(
	    "(module\n  (func (result i32)\n    (i32.const 0x1_0000_0000)))");
	ck_assert_uint_eq(e.line, 3);
	ck_assert_uint_eq(e.col, 16);
	ck_assert_ptr_nonnull(strstr(e.message, "i32 constant"));

	e = reject("(module (func (call $nope)))");
	ck_assert_ptr_nonnull(strstr(e.message, "unknown function $nope"));
	ck_assert_uint_eq(e.col, 21);

	e = reject("(module (func i32.frobnicate))");
	ck_assert_ptr_nonnull(
	    strstr(e.message, "unknown operator i32.frobnicate"));

	e = reject("(module (func) (import \"a\" \"b\" (func)))");
	ck_assert_ptr_nonnull(strstr(e.message, "import after a definition"));

	e = reject(
	    "(module (memory 1) (func (i32.load align=3 (i32.const 0))))");
	ck_assert_ptr_nonnull(strstr(e.message, "power of two"));

	e = reject("(module (func $f) (func $f))");
	ck_assert_ptr_nonnull(strstr(e.message, "duplicate function $f"));

	e = reject("(module (func)");
	ck_assert_ptr_nonnull(strstr(e.message, "expected ')'"));

	e = reject("(module (; never closed");
	ck_assert_ptr_nonnull(strstr(e.message, "unterminated block comment"));
}
END_TEST

START_TEST(test_binary_and_quote_forms)
{
	const char *bin = "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")";
	const char *quote = "(module quote \"(func (export \\\"f\\\"))\")";
	uint8_t *out;
	size_t len;
	wat_error e;

	ck_assert_int_eq(wat_to_wasm(bin, strlen(bin), &out, &len, &e), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert(wat_is_binary(out, len));
	free(out);
	ck_assert_int_eq(wat_to_wasm("(module binary)", 15, &out, &len, &e), 0);
	ck_assert_ptr_nonnull(out); /* no bytes, but a buffer to free */
	ck_assert_uint_eq(len, 0);
	free(out);
	ck_assert_int_eq(wat_to_wasm(quote, strlen(quote), &out, &len, &e), 0);
	ck_assert(wat_is_binary(out, len));
	free(out);
}
END_TEST

START_TEST(test_memory_indices_and_64bit)
{
	/* Two memories named in memargs, memory.size/grow/copy/init with
	 * indices, a 64-bit memory with an inline data segment, and a
	 * table filled by its initialiser expression. */
	loaded l =
	    load("(module\n"
	         "  (memory $a 1)\n"
	         "  (memory $b i64 (data \"\\05\\06\"))\n"
	         "  (data $d \"\\07\")\n"
	         "  (type $t (func (result i32)))\n"
	         "  (func $seven (result i32) (i32.const 7))\n"
	         "  (table $tab 2 funcref (ref.func $seven))\n"
	         "  (func (export \"f\") (result i32)\n"
	         "    (i32.store8 $b offset=1 (i64.const 0) (i32.const 9))\n"
	         "    (memory.copy $a $b (i32.const 100) (i64.const 0) "
	         "(i32.const 2))\n"
	         "    (memory.init $a $d (i32.const 102) (i32.const 0) "
	         "(i32.const 1))\n"
	         "    (i32.add (i32.load8_u $a (i32.const 101))\n"
	         "      (i32.add (i32.load8_u 0 offset=102 (i32.const 0))\n"
	         "        (i32.wrap_i64 (memory.size $b)))))\n"
	         "  (func (export \"g\") (result i32)\n"
	         "    (call_indirect $tab (type $t) (i32.const 1))))");

	ck_assert_int_eq(call_i32(&l, "f", 0, 0, 0), 9 + 7 + 1);
	ck_assert_int_eq(call_i32(&l, "g", 0, 0, 0), 7);
	unload(&l);
}
END_TEST

/* Whether bin holds a custom section named name with contents body
 * (nbody bytes) right before the section of id next (0: at the end). */
static bool
custom_before(const uint8_t *bin, size_t len, const char *name,
    const char *body, size_t nbody, uint8_t next)
{
	size_t i = 8, n = strlen(name);

	while (i + 2 <= len) {
		uint8_t id = bin[i];
		size_t size = bin[i + 1]; /* the tests' sections are small */

		if (id == 0 && size == 1 + n + nbody && bin[i + 2] == n &&
		    memcmp(bin + i + 3, name, n) == 0 &&
		    memcmp(bin + i + 3 + n, body, nbody) == 0)
			return i + 2 + size == len ? next == 0
			                           : bin[i + 2 + size] == next;
		i += 2 + size;
	}
	return false;
}

START_TEST(test_annotations)
{
	const char *text =
	    "(module (@name \"M\") (@unknown x (y) \"z\")\n"
	    "  (@custom \"late\" \"xy\")\n"
	    "  (@custom \"early\" (before func) \"ab\" \"c\")\n"
	    "  (func $\"a b\" (export \"f\") (param i32) (result i32)\n"
	    "    (local.get 0)\n"
	    "    (@metadata.code.branch_hint \"\\01\")\n"
	    "    (if (result i32) (then (i32.const 1)) (else (call $\"a "
	    "b\" (i32.const 1))))))";
	static const char hint[] = {1, 0, 1, 3, 1, 1};
	uint8_t *bin;
	size_t len;
	wat_error e;
	wat_error err;

	ck_assert_msg(wat_to_wasm(text, strlen(text), &bin, &len, &e) == 0,
	    "%u:%u: %s", e.line, e.col, e.message);
	ck_assert(custom_before(bin, len, "early", "abc", 3, 3));
	/* function 0, one hint: at offset 3 (after the locals and
	 * local.get 0), size 1, likely. */
	ck_assert(custom_before(
	    bin, len, "metadata.code.branch_hint", hint, sizeof hint, 10));
	/* After the last section: only the name section follows. */
	ck_assert(custom_before(bin, len, "late", "xy", 2, 0));
	free(bin);

	err = reject("(module\n  (@custom \"s\" (after typo)))");
	ck_assert_int_eq(err.line, 2);
	ck_assert_int_eq(err.col, 23);
	ck_assert_msg(strstr(err.message, "malformed section kind") != NULL,
	    "%s", err.message);
	err = reject("(func (@custom \"s\"))");
	ck_assert_msg(strstr(err.message, "misplaced @custom") != NULL, "%s",
	    err.message);
	err = reject("(module (@name \"a\") (@name \"b\"))");
	ck_assert_msg(
	    strstr(err.message, "multiple") != NULL, "%s", err.message);
	err = reject("(func $\"\")");
	ck_assert_msg(
	    strstr(err.message, "empty identifier") != NULL, "%s", err.message);
	err = reject("(@x (y)");
	ck_assert_msg(strstr(err.message, "unclosed annotation") != NULL, "%s",
	    err.message);
}
END_TEST

START_TEST(test_ensure_binary)
{
	static const uint8_t magic[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	uint8_t *bytes = malloc(sizeof magic);
	size_t len = sizeof magic;
	char msg[256];

	memcpy(bytes, magic, sizeof magic);
	ck_assert_int_eq(
	    wat_ensure_binary(&bytes, &len, "m.wasm", msg, sizeof msg), 0);
	ck_assert_uint_eq(len, sizeof magic); /* binary: left alone */
	free(bytes);

	bytes = (uint8_t *)strdup("junk, neither binary nor text");
	len = strlen((char *)bytes);
	ck_assert_int_eq(
	    wat_ensure_binary(&bytes, &len, "junk.wasm", msg, sizeof msg), 0);
	ck_assert_uint_eq(len, 29); /* left for the engine to refuse */
	free(bytes);

	bytes = (uint8_t *)strdup("(module\n  (func (unknown)))");
	len = strlen((char *)bytes);
	ck_assert_int_eq(
	    wat_ensure_binary(&bytes, &len, "calc.wat", msg, sizeof msg), -1);
	ck_assert_msg(strncmp(msg, "calc.wat:2:10: ", 15) == 0, "%s", msg);
	free(bytes);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("wat");
	TCase *tc = tcase_create("wat");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_folded_named_and_inline);
	tcase_add_test(tc, test_blocks_labels_and_if);
	tcase_add_test(tc, test_exceptions_try_table);
	tcase_add_test(tc, test_exceptions_legacy_try);
	tcase_add_test(tc, test_typed_function_references);
	tcase_add_test(tc, test_memory_data_and_tables);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_simd);
	tcase_add_test(tc, test_line_comment_ends_at_cr);
	tcase_add_test(tc, test_errors_have_positions);
	tcase_add_test(tc, test_binary_and_quote_forms);
	tcase_add_test(tc, test_ensure_binary);
	tcase_add_test(tc, test_memory_indices_and_64bit);
	tcase_add_test(tc, test_annotations);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
