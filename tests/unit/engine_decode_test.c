/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_decode_test.c: unit tests for the module decoder and validator
 * (engine/reader.c, decode.c, module.c, names.c): LEB128 rules, malformed
 * and invalid modules rejected with the right code, a message and an
 * offset, and introspection of imports, exports, custom sections and the
 * name section.
 *
 * Modules are written as byte strings; each fixture shows the text it was
 * made from. Failing modules also check, under the asan preset, that
 * nothing leaks on the error paths.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "module.h"
#include "reader.h"

#define HDR "\0asm\1\0\0\0"
#define MOD(s) (const uint8_t *)(HDR s), sizeof(HDR s) - 1

/*
 * (module $intro
 *   (type $t (func (param i32 i64) (result f32)))
 *   (import "env" "f" (func $imported (type $t)))
 *   (import "env" "tab" (table 2 10 funcref))
 *   (import "env" "mem" (memory 1 3))
 *   (import "env" "g" (global (mut f64)))
 *   (func $add (export "add") (param i32 i32) (result i32)
 *     local.get 0 local.get 1 i32.add)
 *   (global $c (export "c") i64 (i64.const 7))
 *   (export "mem" (memory 0)) (export "tab" (table 0))
 *   (export "f" (func $imported)))
 * by wat2wasm --debug-names.
 */
static const uint8_t intro_wasm[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x0d, 0x02, 0x60, 0x02, 0x7f, 0x7e, 0x01, 0x7d, 0x60, 0x02,
    0x7f, 0x7f, 0x01, 0x7f, 0x02, 0x2b, 0x04, 0x03, 0x65, 0x6e, 0x76, 0x01,
    0x66, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x74, 0x61, 0x62, 0x01,
    0x70, 0x01, 0x02, 0x0a, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6d, 0x65, 0x6d,
    0x02, 0x01, 0x01, 0x03, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x67, 0x03, 0x7c,
    0x01, 0x03, 0x02, 0x01, 0x01, 0x06, 0x06, 0x01, 0x7e, 0x00, 0x42, 0x07,
    0x0b, 0x07, 0x1b, 0x05, 0x03, 0x61, 0x64, 0x64, 0x00, 0x01, 0x01, 0x63,
    0x03, 0x01, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x03, 0x74, 0x61, 0x62,
    0x01, 0x00, 0x01, 0x66, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20,
    0x00, 0x20, 0x01, 0x6a, 0x0b, 0x00, 0x32, 0x04, 0x6e, 0x61, 0x6d, 0x65,
    0x00, 0x06, 0x05, 0x69, 0x6e, 0x74, 0x72, 0x6f, 0x01, 0x10, 0x02, 0x00,
    0x08, 0x69, 0x6d, 0x70, 0x6f, 0x72, 0x74, 0x65, 0x64, 0x01, 0x03, 0x61,
    0x64, 0x64, 0x02, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00, 0x04, 0x04, 0x01,
    0x00, 0x01, 0x74, 0x07, 0x04, 0x01, 0x01, 0x01, 0x63};

/* Expects the module to be rejected with code, the message to contain
 * text, and the offset to be at. */
static void
expect_error(
    const uint8_t *bytes, size_t len, we_err code, const char *text, size_t at)
{
	we_error err;
	we_module *m;

	memset(&err, 0, sizeof err);
	m = we_module_new(bytes, len, &err);
	ck_assert_ptr_null(m);
	ck_assert_msg(err.code == code, "code %d, not %d: %s", err.code, code,
	    err.message);
	ck_assert_msg(strstr(err.message, text) != NULL,
	    "message \"%s\" lacks \"%s\"", err.message, text);
	ck_assert_uint_eq(err.offset, at);
	ck_assert_int_eq(we_validate(bytes, len, &err), code);
}

static we_module *
load_ok(const uint8_t *bytes, size_t len)
{
	we_error err;
	we_module *m;

	memset(&err, 0, sizeof err);
	m = we_module_new(bytes, len, &err);
	ck_assert_msg(
	    m != NULL, "rejected: %s (offset %zu)", err.message, err.offset);
	return m;
}

/* ---- LEB128 --------------------------------------------------------------- */

static bool
read_u32(const char *s, size_t n, uint32_t *v, we_error *err)
{
	wrd_reader r;

	wrd_init(&r, (const uint8_t *)s, (const uint8_t *)s,
	    (const uint8_t *)s + n, err);
	return wrd_u32(&r, v) && wrd_at_end(&r);
}

START_TEST(leb_u32_limits)
{
	we_error err;
	uint32_t v;

	ck_assert(read_u32("\xff\xff\xff\xff\x0f", 5, &v, &err));
	ck_assert_uint_eq(v, UINT32_MAX);
	ck_assert(read_u32("\x80\x80\x80\x80\x00", 5, &v, &err));
	ck_assert_uint_eq(v, 0);
	ck_assert(!read_u32("\xff\xff\xff\xff\x1f", 5, &v, &err));
	ck_assert_str_eq(err.message, "integer too large");
	ck_assert(!read_u32("\x80\x80\x80\x80\x80\x00", 6, &v, &err));
	ck_assert_str_eq(err.message, "integer representation too long");
	ck_assert(!read_u32("\x80\x80", 2, &v, &err));
	ck_assert_str_eq(err.message, "unexpected end");
	ck_assert_uint_eq(err.offset, 2);
}
END_TEST

START_TEST(leb_signed_limits)
{
	wrd_reader r;
	int32_t i32;
	int64_t i64;
	we_error err;

#define INIT(s)                                                                \
	wrd_init(&r, (const uint8_t *)s, (const uint8_t *)s,                   \
	    (const uint8_t *)s + sizeof(s) - 1, &err)
	INIT("\x7f");
	ck_assert(wrd_s32(&r, &i32));
	ck_assert_int_eq(i32, -1);
	INIT("\x80\x80\x80\x80\x78");
	ck_assert(wrd_s32(&r, &i32));
	ck_assert_int_eq(i32, INT32_MIN);
	/* Unused bits must copy the sign bit. */
	INIT("\x80\x80\x80\x80\x70");
	ck_assert(!wrd_s32(&r, &i32));
	ck_assert_str_eq(err.message, "integer too large");
	INIT("\xff\xff\xff\xff\x0f");
	ck_assert(!wrd_s32(&r, &i32));
	INIT("\xff\xff\xff\xff\x0f");
	ck_assert(wrd_s33(&r, &i64));
	ck_assert_int_eq(i64, 0xffffffffLL);
	INIT("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f");
	ck_assert(wrd_s64(&r, &i64));
	ck_assert_int_eq(i64, INT64_MIN);
	INIT("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01");
	ck_assert(!wrd_s64(&r, &i64));
	ck_assert_str_eq(err.message, "integer too large");
#undef INIT
}
END_TEST

START_TEST(utf8_rules)
{
	ck_assert(
	    wrd_utf8_valid((const uint8_t *)"h\xc3\xa9\xf0\x9f\x98\x80", 8));
	ck_assert(!wrd_utf8_valid((const uint8_t *)"\xc0\x80", 2));
	ck_assert(!wrd_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));
	ck_assert(!wrd_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4));
	ck_assert(!wrd_utf8_valid((const uint8_t *)"\xe2\x82", 2));
}
END_TEST

/* ---- Malformed and invalid modules --------------------------------------- */

START_TEST(bad_header)
{
	expect_error((const uint8_t *)"\0asn\1\0\0\0", 8, WE_ERR_MALFORMED,
	    "magic header not detected", 0);
	expect_error((const uint8_t *)"\0asm\2\0\0\0", 8, WE_ERR_MALFORMED,
	    "unknown binary version", 4);
	expect_error(
	    (const uint8_t *)"\0as", 3, WE_ERR_MALFORMED, "unexpected end", 0);
	expect_error(NULL, 0, WE_ERR_MALFORMED, "unexpected end", 0);
}
END_TEST

START_TEST(bad_sections)
{
	/* A type section whose count is cut short. */
	expect_error(
	    MOD("\x01\x01\x80"), WE_ERR_MALFORMED, "unexpected end", 11);
	/* An overlong section size. */
	expect_error(MOD("\x01\x80\x80\x80\x80\x80\x00"), WE_ERR_MALFORMED,
	    "integer representation too long", 9);
	/* Function section before type section. */
	expect_error(MOD("\x03\x01\x00\x01\x01\x00"), WE_ERR_MALFORMED,
	    "unexpected content after last section", 11);
	/* A repeated memory section. */
	expect_error(MOD("\x05\x01\x00\x05\x01\x00"), WE_ERR_MALFORMED,
	    "unexpected content after last section", 11);
	expect_error(
	    MOD("\x0e\x00"), WE_ERR_MALFORMED, "malformed section id", 8);
	/* An empty type section with a stray byte. */
	expect_error(MOD("\x01\x02\x00\x00"), WE_ERR_MALFORMED,
	    "type section: section size mismatch", 11);
	/* One function declared, no code section. */
	expect_error(MOD("\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"),
	    WE_ERR_MALFORMED, "inconsistent lengths", 18);
	/* Data count 1 and no data section. */
	expect_error(MOD("\x0c\x01\x01"), WE_ERR_MALFORMED,
	    "data count and data section", 11);
}
END_TEST

/* The spec's wording for running out of bytes, by where it happens. */
START_TEST(end_of_input_messages)
{
	/* A table section claiming one table and holding none. */
	expect_error(MOD("\x04\x01\x01"), WE_ERR_MALFORMED,
	    "unexpected end of section or function", 10);
	/* A section longer than the module. */
	expect_error(MOD("\x01\x07\x01\x60\x00"), WE_ERR_MALFORMED,
	    "length out of bounds", 8);
	/* An import name longer than what is left. */
	expect_error(MOD("\x02\x04\x01\x09"
	                 "ab"),
	    WE_ERR_MALFORMED, "length out of bounds", 11);
	/* A type index running past its section is overlong, not short. */
	expect_error(MOD("\x01\x04\x01\x60\x00\x00\x03\x03\x01\x80\x80\x80"
	                 "\x80\x80\x00"),
	    WE_ERR_MALFORMED, "integer representation too long", 17);
	/* Two code sections: counts are compared after all sections. */
	expect_error(MOD("\x01\x04\x01\x60\x00\x00\x03\x03\x02\x00\x00"
	                 "\x0a\x04\x01\x02\x00\x0b\x0a\x04\x01\x02\x00\x0b"),
	    WE_ERR_MALFORMED, "unexpected content after last section", 25);
}
END_TEST

START_TEST(bad_utf8_name)
{
	/* (import "\xff" "f" (memory 0)) */
	expect_error(MOD("\x02\x08\x01\x01\xff\x01\x66\x02\x00\x00"),
	    WE_ERR_MALFORMED,
	    "import section, import 0: malformed UTF-8 encoding", 11);
	/* A custom section whose name is not UTF-8. */
	expect_error(
	    MOD("\x00\x02\x01\xc0"), WE_ERR_MALFORMED, "malformed UTF-8", 10);
}
END_TEST

START_TEST(invalid_modules)
{
	/* (memory 65537) */
	expect_error(MOD("\x05\x05\x01\x00\x81\x80\x04"), WE_ERR_INVALID,
	    "at most 65536 pages", 11);
	/* (memory 2 1) */
	expect_error(MOD("\x05\x04\x01\x01\x02\x01"), WE_ERR_INVALID,
	    "size minimum must not be greater than maximum", 11);
	/* (memory 0) exported twice as "m". */
	expect_error(
	    MOD("\x05\x03\x01\x00\x00\x07\x09\x02\x01m\x02\x00\x01m\x02"
	        "\x00"),
	    WE_ERR_INVALID, "duplicate export name", 20);
	/* (global i32 (i64.const 0)) */
	expect_error(MOD("\x06\x06\x01\x7f\x00\x42\x00\x0b"), WE_ERR_INVALID,
	    "type mismatch", 13);
	/* (global i32 (global.get 0)) with no imported global. */
	expect_error(MOD("\x06\x06\x01\x7f\x00\x23\x00\x0b"), WE_ERR_INVALID,
	    "unknown global 0", 13);
	/* A start function that takes a parameter. */
	expect_error(MOD("\x01\x05\x01\x60\x01\x7f\x00\x03\x02\x01\x00\x08\x01"
	                 "\x00\x0a\x04\x01\x02\x00\x0b"),
	    WE_ERR_INVALID, "start function", 21);
}
END_TEST

/* Two memories: 3.0 has them, 2.0's rules refuse them. */
START_TEST(two_memories)
{
	we_error err;

	ck_assert_ptr_null(
	    we_module_new_wasm2(MOD("\x05\x05\x02\x00\x00\x00\x00"), &err));
	ck_assert_int_eq(err.code, WE_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "multiple memories"));
	we_module_free(load_ok(MOD("\x05\x05\x02\x00\x00\x00\x00")));
}
END_TEST

START_TEST(constant_expressions)
{
	/* (global i32 (i32.const 0) (i32.const 1)): two instructions. */
	expect_error(MOD("\x06\x08\x01\x7f\x00\x41\x00\x41\x01\x0b"),
	    WE_ERR_INVALID, "type mismatch", 13);
	/* (global i32 (i32.add)): not a constant instruction. */
	expect_error(MOD("\x06\x05\x01\x7f\x00\x6a\x0b"), WE_ERR_INVALID,
	    "constant expression required", 13);
	/* An opcode that does not exist is malformed, not invalid. */
	expect_error(MOD("\x06\x05\x01\x7f\x00\xff\x0b"), WE_ERR_MALFORMED,
	    "illegal opcode", 13);
	/* (global (import "m" "g") (mut i32)) (global i32 (global.get 0)) */
	expect_error(MOD("\x02\x08\x01\x01m\x01g\x03\x7f\x01"
	                 "\x06\x06\x01\x7f\x00\x23\x00\x0b"),
	    WE_ERR_INVALID, "constant expression required", 23);
	/* (table 1 externref) (elem (i32.const 0) func) */
	expect_error(MOD("\x04\x04\x01\x6f\x00\x01"
	                 "\x09\x06\x01\x00\x41\x00\x0b\x00"),
	    WE_ERR_INVALID, "type mismatch", 17);
}
END_TEST

START_TEST(data_segments)
{
	/* (memory 1) (data "ab") (data (i32.const 8) "c") with a data count. */
	we_module *m = load_ok(MOD("\x05\x03\x01\x00\x01"
	                           "\x0c\x01\x02"
	                           "\x0b\x0b\x02"
	                           "\x01\x02"
	                           "ab"
	                           "\x00\x41\x08\x0b\x01"
	                           "c"));

	ck_assert(m->has_datacount);
	ck_assert_uint_eq(m->ndatas, 2);
	ck_assert_int_eq(m->datas[0].mode, WM_SEG_PASSIVE);
	ck_assert_uint_eq(m->datas[0].len, 2);
	ck_assert(memcmp(m->datas[0].bytes, "ab", 2) == 0);
	ck_assert_int_eq(m->datas[1].mode, WM_SEG_ACTIVE);
	ck_assert_uint_eq(m->datas[1].offset.bits, 8);
	we_module_free(m);
	/* A data segment for a memory that does not exist. */
	expect_error(MOD("\x0b\x07\x01\x00\x41\x00\x0b\x01x"), WE_ERR_INVALID,
	    "unknown memory 0", 12);
	/* Data count 2, one segment. */
	expect_error(MOD("\x05\x03\x01\x00\x01\x0c\x01\x02"
	                 "\x0b\x04\x01\x01\x01x"),
	    WE_ERR_MALFORMED, "inconsistent lengths", 18);
}
END_TEST

START_TEST(malformed_wins_over_invalid)
{
	/* A function of unknown type 0 (invalid) and no code (malformed). */
	expect_error(MOD("\x03\x02\x01\x00"), WE_ERR_MALFORMED,
	    "inconsistent lengths", 12);
}
END_TEST

START_TEST(failures_do_not_leak)
{
	/* Types, imports and exports are allocated before the bad byte. */
	size_t n = sizeof intro_wasm;
	uint8_t copy[sizeof intro_wasm], *p;

	for (size_t cut = 0; cut < n; cut++) {
		we_module *m = we_module_new(intro_wasm, cut, NULL);

		/* Only a cut between sections can still decode. */
		we_module_free(m);
	}
	memcpy(copy, intro_wasm, n);
	p = memmem(copy, n,
	    "\x03"
	    "add",
	    4);
	ck_assert_ptr_nonnull(p);
	p[4] = 0x09; /* export kind 9 */
	ck_assert_ptr_null(we_module_new(copy, n, NULL));
}
END_TEST

/* ---- Introspection --------------------------------------------------------- */

START_TEST(imports_with_types)
{
	we_module *m = load_ok(intro_wasm, sizeof intro_wasm);
	we_importdesc d;

	ck_assert_uint_eq(we_module_import_count(m), 4);
	we_module_import(m, 0, &d);
	ck_assert_str_eq(d.module, "env");
	ck_assert_str_eq(d.name, "f");
	ck_assert_int_eq(d.type.kind, WE_EXTERN_FUNC);
	ck_assert_uint_eq(d.type.of.func.nparams, 2);
	ck_assert_int_eq(d.type.of.func.params[1], WE_I64);
	ck_assert_uint_eq(d.type.of.func.nresults, 1);
	ck_assert_int_eq(d.type.of.func.results[0], WE_F32);
	we_module_import(m, 1, &d);
	ck_assert_int_eq(d.type.kind, WE_EXTERN_TABLE);
	ck_assert_int_eq(d.type.of.table.elem, WE_FUNCREF);
	ck_assert_uint_eq(d.type.of.table.limits.min, 2);
	ck_assert(d.type.of.table.limits.has_max);
	ck_assert_uint_eq(d.type.of.table.limits.max, 10);
	we_module_import(m, 2, &d);
	ck_assert_int_eq(d.type.kind, WE_EXTERN_MEMORY);
	ck_assert_uint_eq(d.type.of.memory.limits.max, 3);
	we_module_import(m, 3, &d);
	ck_assert_int_eq(d.type.kind, WE_EXTERN_GLOBAL);
	ck_assert_int_eq(d.type.of.global.type, WE_F64);
	ck_assert(d.type.of.global.mutable_);
	we_module_free(m);
}
END_TEST

START_TEST(exports_with_types)
{
	we_module *m = load_ok(intro_wasm, sizeof intro_wasm);
	we_exportdesc d;

	ck_assert_uint_eq(we_module_export_count(m), 5);
	ck_assert(we_module_find_export(m, "add", &d));
	ck_assert_int_eq(d.type.kind, WE_EXTERN_FUNC);
	ck_assert_uint_eq(d.index, 1);
	ck_assert_uint_eq(d.type.of.func.nparams, 2);
	ck_assert_int_eq(d.type.of.func.results[0], WE_I32);
	ck_assert(we_module_find_export(m, "c", &d));
	ck_assert_int_eq(d.type.kind, WE_EXTERN_GLOBAL);
	ck_assert_int_eq(d.type.of.global.type, WE_I64);
	ck_assert(!d.type.of.global.mutable_);
	ck_assert(!we_module_find_export(m, "nope", &d));
	we_module_export(m, 4, &d);
	ck_assert_str_eq(d.name, "f");
	/* Exported functions may be named by ref.func. */
	ck_assert(m->func_declared[0] && m->func_declared[1]);
	ck_assert_ptr_nonnull(m->funcs[1].body);
	ck_assert_int_eq(m->funcs[1].body_end[-1], 0x0b);
	we_module_free(m);
}
END_TEST

START_TEST(custom_sections)
{
	we_module *m = load_ok(MOD("\x00\x07\x03"
	                           "abcxyz\x00\x02\x01q"));
	const uint8_t *data;
	size_t len;

	ck_assert(we_module_custom_section(m, "abc", &data, &len));
	ck_assert_uint_eq(len, 3);
	ck_assert(memcmp(data, "xyz", 3) == 0);
	ck_assert(we_module_custom_section(m, "q", &data, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert(!we_module_custom_section(m, "ab", &data, &len));
	we_module_free(m);
}
END_TEST

START_TEST(name_section)
{
	we_module *m = load_ok(intro_wasm, sizeof intro_wasm);

	ck_assert_str_eq(we_module_name(m), "intro");
	ck_assert_str_eq(we_module_func_name(m, 0), "imported");
	ck_assert_str_eq(we_module_func_name(m, 1), "add");
	ck_assert_ptr_null(we_module_func_name(m, 2));
	we_module_free(m);
}
END_TEST

START_TEST(bad_name_section_is_ignored)
{
	/* A module-name subsection whose name runs past its end. */
	we_module *m = load_ok(MOD("\x00\x09\x04name\x00\x02\x05x"));

	ck_assert_ptr_null(we_module_name(m));
	ck_assert(we_module_custom_section(m, "name", NULL, NULL));
	we_module_free(m);
}
END_TEST

START_TEST(element_segments)
{
	/*
	 * (table 1 funcref) (func) (elem (i32.const 0) 0)
	 * (elem funcref (ref.null func)) (elem declare func 0)
	 */
	we_module *m = load_ok(MOD("\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"
	                           "\x04\x04\x01\x70\x00\x01"
	                           "\x09\x11\x03"
	                           "\x00\x41\x00\x0b\x01\x00"
	                           "\x05\x70\x01\xd0\x70\x0b"
	                           "\x03\x00\x01\x00"
	                           "\x0a\x04\x01\x02\x00\x0b"));

	ck_assert_uint_eq(m->nelems, 3);
	ck_assert_int_eq(m->elems[0].mode, WM_SEG_ACTIVE);
	ck_assert_int_eq(m->elems[0].items[0].op, WM_CONST_REFFUNC);
	ck_assert_int_eq(m->elems[1].mode, WM_SEG_PASSIVE);
	ck_assert_int_eq(m->elems[1].items[0].op, WM_CONST_REFNULL);
	ck_assert_int_eq(m->elems[2].mode, WM_SEG_DECLARATIVE);
	ck_assert(m->func_declared[0]);
	we_module_free(m);
}
END_TEST

START_TEST(error_names)
{
	ck_assert_str_eq(we_strerror(WE_ERR_MALFORMED), "malformed module");
	ck_assert_str_eq(we_strerror((we_err)999), "unknown error");
	ck_assert_str_eq(we_valtype_name(WE_EXTERNREF), "externref");
}
END_TEST

static Suite *
decode_suite(void)
{
	Suite *s = suite_create("engine_decode");
	TCase *leb = tcase_create("reader");
	TCase *bad = tcase_create("rejected");
	TCase *intro = tcase_create("introspection");

	tcase_add_test(leb, leb_u32_limits);
	tcase_add_test(leb, leb_signed_limits);
	tcase_add_test(leb, utf8_rules);
	tcase_add_test(bad, bad_header);
	tcase_add_test(bad, bad_sections);
	tcase_add_test(bad, end_of_input_messages);
	tcase_add_test(bad, bad_utf8_name);
	tcase_add_test(bad, invalid_modules);
	tcase_add_test(bad, two_memories);
	tcase_add_test(bad, constant_expressions);
	tcase_add_test(bad, malformed_wins_over_invalid);
	tcase_add_test(bad, failures_do_not_leak);
	tcase_add_test(intro, imports_with_types);
	tcase_add_test(intro, exports_with_types);
	tcase_add_test(intro, custom_sections);
	tcase_add_test(intro, name_section);
	tcase_add_test(intro, bad_name_section_is_ignored);
	tcase_add_test(intro, element_segments);
	tcase_add_test(intro, data_segments);
	tcase_add_test(intro, error_names);
	suite_add_tcase(s, leb);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, intro);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(decode_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
