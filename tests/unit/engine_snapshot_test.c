/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_snapshot_test.c: unit tests of snapshots (engine/snapshot.c):
 * an instance made from a snapshot has exactly the memory, globals, tables
 * and dropped segments the initializer left, and neither re-runs the start
 * function nor re-applies a segment; instances from one snapshot never
 * share writes; saved bytes load back; damaged, truncated, foreign or
 * hostile bytes are refused with a reason; modules whose state is the
 * host's are refused; the store's limits still hold.
 *
 * Modules are written in the text format and converted by libwasmd-wat.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

#include "wat.h"

#define PAGE 65536

/*
 * The initializer (init) fills a 4 MiB table of squares in memory, bumps
 * a mutable global, points table slot 1 at $sq and drops the passive data
 * segment; start counts its runs in a global; peek/get read it all back.
 */
static const char *const app_wat =
    "(module\n"
    "  (memory (export \"mem\") 1 100)\n"
    "  (table 2 funcref)\n"
    "  (global $inits (mut i32) (i32.const 0))\n"
    "  (global $starts (mut i32) (i32.const 0))\n"
    "  (global $big (mut i64) (i64.const 7))\n"
    "  (data $hello (i32.const 16) \"hello\")\n"
    "  (data $later \"later\")\n"
    "  (elem (i32.const 0) $one)\n"
    "  (elem $pass func $one $sq)\n"
    "  (type $t (func (param i32) (result i32)))\n"
    "  (func $one (type $t) (i32.const 1))\n"
    "  (func $sq (type $t) (i32.mul (local.get 0) (local.get 0)))\n"
    "  (func $start (global.set $starts\n"
    "    (i32.add (global.get $starts) (i32.const 1))))\n"
    "  (start $start)\n"
    "  (func (export \"init\") (local $i i32)\n"
    "    (drop (memory.grow (i32.const 64)))\n"
    "    (loop $l\n"
    "      (i32.store offset=65536 (i32.shl (local.get $i) (i32.const 2))\n"
    "        (i32.mul (local.get $i) (local.get $i)))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get $i) (i32.const 1048576))))\n"
    "    (global.set $inits (i32.add (global.get $inits) (i32.const 1)))\n"
    "    (global.set $big (i64.const 0x123456789abcdef))\n"
    "    (table.set (i32.const 1) (ref.func $sq))\n"
    "    (data.drop $later))\n"
    "  (func (export \"peek\") (param i32) (result i32)\n"
    "    (i32.load offset=65536 (i32.shl (local.get 0) (i32.const 2))))\n"
    "  (func (export \"poke\") (param i32 i32)\n"
    "    (i32.store offset=65536 (i32.shl (local.get 0) (i32.const 2))\n"
    "      (local.get 1)))\n"
    "  (func (export \"byte\") (param i32) (result i32)\n"
    "    (i32.load8_u (local.get 0)))\n"
    "  (func (export \"inits\") (result i32) (global.get $inits))\n"
    "  (func (export \"starts\") (result i32) (global.get $starts))\n"
    "  (func (export \"big_hi\") (result i32)\n"
    "    (i32.wrap_i64 (i64.shr_u (global.get $big) (i64.const 32))))\n"
    "  (func (export \"pages\") (result i32) (memory.size))\n"
    "  (func (export \"call\") (param i32 i32) (result i32)\n"
    "    (call_indirect (type $t) (local.get 1) (local.get 0)))\n"
    "  (func (export \"init_later\") (memory.init $later\n"
    "    (i32.const 0) (i32.const 0) (i32.const 5)))\n"
    "  (func (export \"init_pass\") (table.init $pass\n"
    "    (i32.const 0) (i32.const 0) (i32.const 2))))\n";

static we_module *
module_of(const char *text)
{
	uint8_t *bin;
	size_t len;
	wat_error werr;
	we_error err;

	ck_assert_msg(wat_to_wasm(text, strlen(text), &bin, &len, &werr) == 0,
	    "wat %u:%u: %s", werr.line, werr.col, werr.message);
	we_module *m = we_module_new(bin, len, &err);
	free(bin);
	ck_assert_msg(m != NULL, "module: %s", err.message);
	return m;
}

static int32_t
call_i32(we_store *s, we_instance *inst, const char *name, int32_t a, int32_t b,
    size_t nargs)
{
	we_val args[2] = {
	    {.type = WE_I32, .of.i32 = a}, {.type = WE_I32, .of.i32 = b}};
	we_val r[1] = {{.type = WE_I32}};
	we_func *f = we_instance_func(inst, name);

	ck_assert_msg(f != NULL, "no export %s", name);
	size_t nres = we_func_type(f)->nresults;
	we_call_status st = we_func_call(s, f, args, nargs, r, nres);
	ck_assert_msg(st == WE_CALL_OK, "%s: status %d: %s", name, (int)st,
	    we_store_trap(s)->message);
	return nres ? r[0].of.i32 : 0;
}

static we_call_status
call_status(we_store *s, we_instance *inst, const char *name)
{
	return we_func_call(s, we_instance_func(inst, name), NULL, 0, NULL, 0);
}

/* app_wat instantiated and initialised, then its snapshot. */
static we_snapshot *
take_app(const we_module *m)
{
	we_store *s = we_store_new(NULL);
	we_error err;
	we_instance *inst = we_instance_new(s, m, NULL, 0, &err);

	ck_assert_msg(inst != NULL, "%s", err.message);
	call_i32(s, inst, "init", 0, 0, 0);
	we_snapshot *snap = we_snapshot_take(inst, &err);
	ck_assert_msg(snap != NULL, "take: %s", err.message);
	we_store_free(s);
	return snap;
}

/* What init left, checked in an instance made from a snapshot. */
static void
check_initialised(we_store *s, we_instance *inst)
{
	ck_assert_int_eq(call_i32(s, inst, "inits", 0, 0, 0), 1);
	ck_assert_int_eq(call_i32(s, inst, "starts", 0, 0, 0), 1);
	ck_assert_int_eq(call_i32(s, inst, "big_hi", 0, 0, 0), 0x01234567);
	ck_assert_int_eq(call_i32(s, inst, "pages", 0, 0, 0), 65);
	ck_assert_int_eq(call_i32(s, inst, "peek", 3, 0, 1), 9);
	ck_assert_int_eq(call_i32(s, inst, "peek", 1048575, 0, 1),
	    (int32_t)(1048575u * 1048575u));
	ck_assert_int_eq(call_i32(s, inst, "byte", 16, 0, 1), 'h');
	ck_assert_int_eq(call_i32(s, inst, "call", 0, 5, 2), 1);
	ck_assert_int_eq(call_i32(s, inst, "call", 1, 5, 2), 25);
	/* $later was dropped by init: memory.init of 5 bytes traps. */
	ck_assert_int_eq(call_status(s, inst, "init_later"), WE_CALL_TRAP);
	/* $pass was not: table.init works. */
	ck_assert_int_eq(call_status(s, inst, "init_pass"), WE_CALL_OK);
}

START_TEST(restores_state_without_start)
{
	we_module *m = module_of(app_wat);
	we_snapshot *snap = take_app(m);
	we_store *s = we_store_new(NULL);
	we_error err;

	/* Only non-zero blocks: about 4 MiB of squares and "hello". */
	ck_assert_uint_gt(we_snapshot_memory_bytes(snap), 4u << 20);
	ck_assert_uint_lt(we_snapshot_memory_bytes(snap), (4u << 20) + 16384);
	we_instance *inst = we_snapshot_instantiate(s, snap, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "%s", err.message);
	check_initialised(s, inst);
	we_store_free(s);
	we_snapshot_free(snap);
	we_module_free(m);
}
END_TEST

/* With an image (WE_SNAPSHOT_IMAGE): instances map it copy-on-write. */
START_TEST(instances_do_not_share_writes)
{
	we_module *m = module_of(app_wat);
	we_snapshot *taken = take_app(m);
	we_store *s = we_store_new(NULL);
	we_error err;
	size_t len;
	const uint8_t *bytes = we_snapshot_bytes(taken, &len);
	we_snapshot *snap =
	    we_snapshot_load(m, bytes, len, WE_SNAPSHOT_IMAGE, &err);

	ck_assert_msg(snap != NULL, "%s", err.message);
	we_snapshot_free(taken);

	we_instance *a = we_snapshot_instantiate(s, snap, NULL, 0, &err);
	we_instance *b = we_snapshot_instantiate(s, snap, NULL, 0, &err);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	call_i32(s, a, "poke", 3, 1000, 2);
	ck_assert_int_eq(call_i32(s, a, "peek", 3, 0, 1), 1000);
	ck_assert_int_eq(call_i32(s, b, "peek", 3, 0, 1), 9);
	we_store_free(s);
	s = we_store_new(NULL);
	we_instance *c = we_snapshot_instantiate(s, snap, NULL, 0, &err);
	ck_assert_int_eq(call_i32(s, c, "peek", 3, 0, 1), 9);
	we_store_free(s);
	we_snapshot_free(snap);
	we_module_free(m);
}
END_TEST

START_TEST(saved_bytes_load_back)
{
	we_module *m = module_of(app_wat);
	we_snapshot *snap = take_app(m);
	size_t len;
	const uint8_t *bytes = we_snapshot_bytes(snap, &len);
	we_error err;

	we_snapshot *again =
	    we_snapshot_load(m, bytes, len, WE_SNAPSHOT_IMAGE, &err);
	ck_assert_msg(again != NULL, "%s", err.message);
	we_snapshot_free(snap);
	we_store *s = we_store_new(NULL);
	we_instance *inst = we_snapshot_instantiate(s, again, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "%s", err.message);
	check_initialised(s, inst);
	/* A snapshot of the restored instance is the same bytes. */
	we_snapshot *third = we_snapshot_take(inst, &err);
	size_t len3;
	const uint8_t *b3 = we_snapshot_bytes(third, &len3);
	const uint8_t *b2 = we_snapshot_bytes(again, &len);
	ck_assert_uint_eq(len3, len);
	ck_assert(memcmp(b2, b3, len) == 0);
	we_snapshot_free(third);
	we_store_free(s);
	we_snapshot_free(again);
	we_module_free(m);
}
END_TEST

/* Loading bytes must fail, with a message containing want. */
static void
refused(const we_module *m, const uint8_t *bytes, size_t len, const char *want)
{
	we_error err;
	we_snapshot *snap = we_snapshot_load(m, bytes, len, 0, &err);

	ck_assert_msg(
	    snap == NULL, "accepted bytes that should fail: %s", want);
	ck_assert_int_eq(err.code, WE_ERR_MALFORMED);
	ck_assert_msg(strstr(err.message, want) != NULL,
	    "message '%s' lacks '%s'", err.message, want);
}

START_TEST(damaged_bytes_are_refused)
{
	we_module *m = module_of(app_wat);
	we_snapshot *snap = take_app(m);
	size_t len;
	const uint8_t *orig = we_snapshot_bytes(snap, &len);
	uint8_t *b = malloc(len);

	/* Every prefix, and a flipped bit in a sample of positions. */
	for (size_t cut = 0; cut < len; cut += cut < 256 ? 1 : 65521)
		refused(m, orig, cut, "");
	for (size_t i = 0; i < len; i += i < 256 ? 1 : 65521) {
		memcpy(b, orig, len);
		b[i] ^= 0x10;
		refused(m, b, len, "");
	}
	memcpy(b, orig, len);
	b[len - 1] ^= 1;
	refused(m, b, len, "checksum");
	memcpy(b, orig, len);
	b[0] = 'X';
	refused(m, b, len, "not a wasmd snapshot");
	/* The same snapshot for another module. */
	we_module *other = module_of("(module (memory 1))");
	refused(other, orig, len, "another module");
	we_module_free(other);
	free(b);
	we_snapshot_free(snap);
	we_module_free(m);
}
END_TEST

/*
 * Bytes that pass the checksum but say wrong things are refused by the
 * checks, not trusted: a table entry naming function 99.
 */
START_TEST(hostile_bytes_are_refused)
{
	we_module *m = module_of(app_wat);
	we_snapshot *snap = take_app(m);
	size_t len;
	const uint8_t *orig = we_snapshot_bytes(snap, &len);
	uint8_t *b = malloc(len);

	memcpy(b, orig, len);
	/* table 0's entry 1 is 4 bytes before the two bitmaps and checksum:
	   u32 nelems, 1 byte, u32 ndatas, 1 byte, u64 checksum. */
	size_t entry = len - 8 - (4 + 1) - (4 + 1) - 4;
	ck_assert_int_eq(b[entry], 1); /* $sq is function 1 */
	b[entry] = 99;
	/* Re-sign it as an attacker could. */
	uint64_t h = 0xcbf29ce484222325ull, w;
	size_t i = 0;
	for (; i + 8 <= len - 8; i += 8) {
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < len - 8; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	for (int k = 0; k < 8; k++)
		b[len - 8 + k] = (uint8_t)(h >> (8 * k));
	refused(m, b, len, "names no function");
	free(b);
	we_snapshot_free(snap);
	we_module_free(m);
}
END_TEST

START_TEST(host_state_is_refused)
{
	we_module *m = module_of("(module (import \"env\" \"mem\" (memory 1)) "
	                         "(func (export \"f\")))");
	we_store *s = we_store_new(NULL);
	we_error err;
	we_memtype mt = {.limits = {.min = 1}};
	we_memory *mem = we_memory_new(s, &mt);
	we_import imp = {.module = "env",
	    .name = "mem",
	    .value = {.kind = WE_EXTERN_MEMORY, .of.memory = mem}};
	we_instance *inst = we_instance_new(s, m, &imp, 1, &err);

	ck_assert_msg(inst != NULL, "%s", err.message);
	ck_assert_ptr_null(we_snapshot_take(inst, &err));
	ck_assert_int_eq(err.code, WE_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err.message, "imports a memory"));
	we_store_free(s);
	we_module_free(m);

	m = module_of("(module (table 1 externref)"
	              " (func (export \"set\") (param externref)"
	              "  (table.set (i32.const 0) (local.get 0))))");
	s = we_store_new(NULL);
	inst = we_instance_new(s, m, NULL, 0, &err);
	we_val arg = {.type = WE_EXTERNREF, .of.externref = &err};
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "set"), &arg, 1, NULL, 0),
	    WE_CALL_OK);
	ck_assert_ptr_null(we_snapshot_take(inst, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "externref"));
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(store_limits_hold)
{
	we_module *m = module_of(app_wat);
	we_snapshot *snap = take_app(m);
	we_config c = {.max_memory_pages = 10};
	we_store *s = we_store_new(&c);
	we_error err;

	ck_assert_ptr_null(we_snapshot_instantiate(s, snap, NULL, 0, &err));
	ck_assert_int_eq(err.code, WE_ERR_LIMIT);
	we_store_free(s);
	we_snapshot_free(snap);
	we_module_free(m);
}
END_TEST

static Suite *
snapshot_suite(void)
{
	Suite *s = suite_create("engine_snapshot");
	TCase *tc = tcase_create("snapshot");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, restores_state_without_start);
	tcase_add_test(tc, instances_do_not_share_writes);
	tcase_add_test(tc, saved_bytes_load_back);
	tcase_add_test(tc, damaged_bytes_are_refused);
	tcase_add_test(tc, hostile_bytes_are_refused);
	tcase_add_test(tc, host_state_is_refused);
	tcase_add_test(tc, store_limits_hold);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(snapshot_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
