/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_wasm3_test.c: unit tests of the WebAssembly 3.0 features of the
 * engine that the spec suite cannot show: tail calls run a million-deep
 * recursion in a frame stack of a few frames, still stop on fuel and
 * interrupts, and tail-call host functions that may suspend; extended
 * constants are computed from imported values, and refused under 2.0's
 * rules; an uncaught exception is a trap naming its tag, and exceptions are
 * caught after a suspended host call, in the exnref and the legacy forms;
 * typed function references are checked where the host passes them; each
 * memory instruction works on the memory it names, and a 64-bit memory's
 * addresses are checked in full. The fixtures (the .wat files in
 * engine_wasm3/) are converted with wasmd-wat at build time, or by
 * libwasmd-wat at run time.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

#include "wat.h"

typedef struct fixture {
	we_module *m;
	we_store *s;
	we_instance *inst;
	we_host_status ask_mode; /* what env.ask does */
} fixture;

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	ck_assert(buf != NULL);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A fixture in the text format, converted by libwasmd-wat. own: result. */
static uint8_t *
read_wat(const char *file, size_t *len)
{
	char path[512], msg[256];
	uint8_t *bytes;

	snprintf(path, sizeof path, "%s/%s", WASM3_WAT_DIR, file);
	bytes = read_file(path, len);
	ck_assert_msg(
	    wat_ensure_binary(&bytes, len, file, msg, sizeof msg) == 0, "%s",
	    msg);
	return bytes;
}

/* env.ask: doubles its argument, or suspends. */
static we_host_status
host_ask(we_hostcall *call)
{
	fixture *fx = call->env;

	if (fx->ask_mode == WE_HOST_SUSPEND)
		return WE_HOST_SUSPEND;
	call->results[0].of.i32 = call->args[0].of.i32 * 2;
	return WE_HOST_OK;
}

/* env.poke: asks for an interrupt. */
static we_host_status
host_poke(we_hostcall *call)
{
	we_store_interrupt(call->store);
	return WE_HOST_OK;
}

static void
fixture_open(fixture *fx, const char *file, const we_config *config)
{
	static const we_valtype i32[] = {WE_I32};
	we_functype ask_type = {1, 1, i32, i32};
	we_functype poke_type = {0, 0, NULL, NULL};
	we_import imports[2];
	char path[512];
	we_error err;
	uint8_t *bytes;
	size_t len;

	memset(fx, 0, sizeof *fx);
	fx->ask_mode = WE_HOST_OK;
	snprintf(path, sizeof path, "%s/%s", WASM3_WASM_DIR, file);
	bytes = read_file(path, &len);
	fx->m = we_module_new(bytes, len, &err);
	free(bytes);
	ck_assert_msg(fx->m != NULL, "module: %s", err.message);
	fx->s = we_store_new(config);
	ck_assert(fx->s != NULL);
	imports[0] = (we_import){"env", "ask",
	    {.kind = WE_EXTERN_FUNC,
	        .of.func =
	            we_func_new_host(fx->s, &ask_type, host_ask, fx, NULL)}};
	imports[1] = (we_import){"env", "poke",
	    {.kind = WE_EXTERN_FUNC,
	        .of.func = we_func_new_host(
	            fx->s, &poke_type, host_poke, NULL, NULL)}};
	fx->inst = we_instance_new(fx->s, fx->m, imports, 2, &err);
	ck_assert_msg(fx->inst != NULL, "instance: %s", err.message);
}

static void
fixture_close(fixture *fx)
{
	we_store_free(fx->s);
	we_module_free(fx->m);
}

static we_func *
fn(fixture *fx, const char *name)
{
	we_func *f = we_instance_func(fx->inst, name);
	ck_assert_msg(f != NULL, "no export %s", name);
	return f;
}

static we_val
i32(int32_t v)
{
	return (we_val){.type = WE_I32, .of.i32 = v};
}

static we_val
i64(int64_t v)
{
	return (we_val){.type = WE_I64, .of.i64 = v};
}

/* Calls name(args) for one result and checks it returns OK. */
static we_val
call1(fixture *fx, const char *name, const we_val *args, size_t nargs)
{
	we_val r;
	we_call_status st =
	    we_func_call(fx->s, fn(fx, name), args, nargs, &r, 1);

	ck_assert_msg(st == WE_CALL_OK, "%s: status %d (%s / %s)", name, st,
	    we_store_trap(fx->s)->message, we_store_error(fx->s));
	return r;
}

/* Calls name(args), which has no results, and checks it returns OK. */
static void
call0(fixture *fx, const char *name, const we_val *args, size_t nargs)
{
	we_call_status st =
	    we_func_call(fx->s, fn(fx, name), args, nargs, NULL, 0);

	ck_assert_msg(st == WE_CALL_OK, "%s: status %d (%s / %s)", name, st,
	    we_store_trap(fx->s)->message, we_store_error(fx->s));
}

/*
 * 10^6 tail calls deep with 4 frames and 4 KiB of value stack allowed:
 * each return_call reuses its caller's frame. The same depth of plain
 * calls would need a million frames.
 */
START_TEST(test_tail_recursion_constant_stack)
{
	we_config config = {.max_call_depth = 4, .max_stack_bytes = 4096};
	fixture fx;

	fixture_open(&fx, "tail.wasm", &config);
	ck_assert_uint_eq(
	    call1(&fx, "count", (we_val[]){i64(1000000), i64(0)}, 2).of.i64,
	    3000000);
	ck_assert_int_eq(
	    call1(&fx, "even", (we_val[]){i64(1000000)}, 1).of.i32, 1);
	ck_assert_int_eq(
	    call1(&fx, "even", (we_val[]){i64(999999)}, 1).of.i32, 0);
	/* Through the table: each odd step adds 1; an odd n ends in odd_t,
	   which adds 1000. */
	ck_assert_uint_eq(
	    call1(&fx, "even_t", (we_val[]){i64(1000000)}, 1).of.i64, 500000);
	ck_assert_uint_eq(
	    call1(&fx, "even_t", (we_val[]){i64(7)}, 1).of.i64, 1003);
	/* Called, not tail-called: the caller's operands survive. */
	ck_assert_uint_eq(
	    call1(&fx, "around", (we_val[]){i64(10)}, 1).of.i64, 37);
	fixture_close(&fx);
}
END_TEST

/* Endless tail recursion still runs out of fuel and sees interrupts. */
START_TEST(test_tail_fuel_and_interrupt)
{
	fixture fx;
	we_val a = i32(0);

	fixture_open(&fx, "tail.wasm", NULL);
	we_store_set_fuel(fx.s, 100000);
	ck_assert_int_eq(we_func_call(fx.s, fn(&fx, "forever"), &a, 1, NULL, 0),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(fx.s)->kind, WE_TRAP_OUT_OF_FUEL);
	ck_assert_uint_le(we_store_fuel_consumed(fx.s), 100000);
	ck_assert_uint_gt(we_store_fuel_consumed(fx.s), 99000);
	we_store_set_fuel(fx.s, UINT64_MAX);

	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "poke_then_forever"), NULL, 0, NULL, 0),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(fx.s)->kind, WE_TRAP_INTERRUPTED);
	ck_assert_str_eq(we_store_trap(fx.s)->frames[0].name, "forever");
	/* The store is usable afterwards. */
	ck_assert_int_eq(call1(&fx, "even", (we_val[]){i64(10)}, 1).of.i32, 1);
	fixture_close(&fx);
}
END_TEST

/* A tail call to a host function returns its results, also resumed. */
START_TEST(test_tail_call_host)
{
	fixture fx;
	we_val a = i32(20), r, hr = i32(99);

	fixture_open(&fx, "tail.wasm", NULL);
	ck_assert_int_eq(call1(&fx, "tail_ask", &a, 1).of.i32, 42);
	fx.ask_mode = WE_HOST_SUSPEND;
	ck_assert_int_eq(we_func_call(fx.s, fn(&fx, "tail_ask"), &a, 1, &r, 1),
	    WE_CALL_SUSPENDED);
	ck_assert_int_eq(we_store_pending(fx.s)->args[0].of.i32, 21);
	ck_assert_int_eq(we_resume(fx.s, &hr, 1, &r, 1), WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 99);
	fixture_close(&fx);
}
END_TEST

/*
 * Extended constants: globals and a data offset computed from an imported
 * global, earlier globals and constants, with wrap-around. The same
 * module is refused under 2.0's rules.
 */
START_TEST(test_extended_const)
{
	we_globaltype base_type = {WE_I32, false};
	we_val base_val = i32(100);
	we_import import;
	fixture fx;
	we_error err;
	uint8_t *bytes;
	size_t len;

	memset(&fx, 0, sizeof fx);
	bytes = read_wat("const.wat", &len);
	ck_assert_ptr_null(we_module_new_wasm2(bytes, len, &err));
	ck_assert_int_eq(err.code, WE_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "constant expression"));
	fx.m = we_module_new(bytes, len, &err);
	free(bytes);
	ck_assert_msg(fx.m != NULL, "module: %s", err.message);
	fx.s = we_store_new(NULL);
	import = (we_import){"env", "base",
	    {.kind = WE_EXTERN_GLOBAL,
		    .of.global = we_global_new(fx.s, &base_type, base_val) }};
	fx.inst = we_instance_new(fx.s, fx.m, &import, 1, &err);
	ck_assert_msg(fx.inst != NULL, "instance: %s", err.message);
	ck_assert_int_eq(call1(&fx, "a", NULL, 0).of.i32, 116);
	ck_assert_int_eq(call1(&fx, "b", NULL, 0).of.i32, 232);
	ck_assert_int_eq(call1(&fx, "wrap", NULL, 0).of.i32, 0);
	ck_assert_uint_eq(call1(&fx, "big", NULL, 0).of.i64, 0x2ffffffffull);
	ck_assert_int_eq(
	    call1(&fx, "byte", (we_val[]){i32(228)}, 1).of.i32, 42);
	ck_assert_int_eq(call1(&fx, "byte", (we_val[]){i32(232)}, 1).of.i32, 0);
	fixture_close(&fx);
}
END_TEST

/*
 * A module with exception tags, written out in bytes (wabt 1.0.32 has no
 * try_table): imports env.ask (i32) -> i32 and the tag env.tag (i32),
 * defines and exports the tag "mytag" (i32), and exports
 *   throw_imported(x): throw env.tag (x)
 *   throw_own(x):      throw mytag (x)
 *   catch_after_host(x): block (result i32) try_table (result i32)
 *       (catch mytag 0) call ask(x); throw mytag end end: ask's answer,
 *       thrown and caught.
 */
static const uint8_t exn_module[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
    0x00,
    /* types: (param i32), (param i32) (result i32) */
    0x01, 0x0a, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    /* imports: env.ask func 1, env.tag tag of type 0 */
    0x02, 0x16, 0x02, 0x03, 'e', 'n', 'v', 0x03, 'a', 's', 'k', 0x00, 0x01,
    0x03, 'e', 'n', 'v', 0x03, 't', 'a', 'g', 0x04, 0x00, 0x00,
    /* functions 1..3: type 1 */
    0x03, 0x04, 0x03, 0x01, 0x01, 0x01,
    /* tags: tag 1 of type 0 */
    0x0d, 0x03, 0x01, 0x00, 0x00,
    /* exports */
    0x07, 0x39, 0x04, 0x0e, 't', 'h', 'r', 'o', 'w', '_', 'i', 'm', 'p', 'o',
    'r', 't', 'e', 'd', 0x00, 0x01, 0x09, 't', 'h', 'r', 'o', 'w', '_', 'o',
    'w', 'n', 0x00, 0x02, 0x10, 'c', 'a', 't', 'c', 'h', '_', 'a', 'f', 't',
    'e', 'r', '_', 'h', 'o', 's', 't', 0x00, 0x03, 0x05, 'm', 'y', 't', 'a',
    'g', 0x04, 0x01,
    /* code */
    0x0a, 0x22, 0x03, 0x06, 0x00, 0x20, 0x00, 0x08, 0x00, 0x0b, 0x06, 0x00,
    0x20, 0x00, 0x08, 0x01, 0x0b, 0x12, 0x00, 0x02, 0x7f, 0x1f, 0x7f, 0x01,
    0x00, 0x01, 0x00, 0x20, 0x00, 0x10, 0x00, 0x08, 0x01, 0x0b, 0x0b, 0x0b};

/* Opens exn_module with env.ask and a host tag as env.tag. */
static void
exn_open(fixture *fx)
{
	static const we_valtype i32s[] = {WE_I32};
	we_functype ask_type = {1, 1, i32s, i32s},
	            tag_type = {1, 0, i32s, NULL};
	we_import imports[2];
	we_error err;

	memset(fx, 0, sizeof *fx);
	fx->ask_mode = WE_HOST_OK;
	fx->m = we_module_new(exn_module, sizeof exn_module, &err);
	ck_assert_msg(fx->m != NULL, "module: %s", err.message);
	fx->s = we_store_new(NULL);
	imports[0] = (we_import){"env", "ask",
	    {.kind = WE_EXTERN_FUNC,
	        .of.func =
	            we_func_new_host(fx->s, &ask_type, host_ask, fx, NULL)}};
	imports[1] = (we_import){"env", "tag",
	    {.kind = WE_EXTERN_TAG, .of.tag = we_tag_new(fx->s, &tag_type)}};
	ck_assert_ptr_nonnull(imports[1].value.of.tag);
	fx->inst = we_instance_new(fx->s, fx->m, imports, 2, &err);
	ck_assert_msg(fx->inst != NULL, "instance: %s", err.message);
}

/* Calls name(arg) and checks it ends in an uncaught exception naming tag. */
static void
expect_uncaught(fixture *fx, const char *name, const char *tag)
{
	we_val a = i32(5), r;
	const we_trap *t;

	ck_assert_int_eq(
	    we_func_call(fx->s, fn(fx, name), &a, 1, &r, 1), WE_CALL_TRAP);
	t = we_store_trap(fx->s);
	ck_assert_int_eq(t->kind, WE_TRAP_EXCEPTION);
	ck_assert_msg(strstr(t->message, tag) != NULL, "%s", t->message);
	ck_assert_str_eq(we_trap_kind_name(t->kind), "uncaught exception");
}

/*
 * Calls name(arg), which must suspend in env.ask, and resumes it with
 * answer as ask's result: the call's result.
 */
static we_val
call_resumed(fixture *fx, const char *name, int32_t arg, int32_t answer)
{
	we_val a = i32(arg), hr = i32(answer), r;

	ck_assert_int_eq(
	    we_func_call(fx->s, fn(fx, name), &a, 1, &r, 1), WE_CALL_SUSPENDED);
	ck_assert_int_eq(we_resume(fx->s, &hr, 1, &r, 1), WE_CALL_OK);
	return r;
}

/*
 * An exception nothing catches ends the call as a WE_TRAP_EXCEPTION trap
 * naming its tag; one thrown after a (suspended and resumed) host call
 * is caught in the same function.
 */
START_TEST(test_exceptions)
{
	we_val a = i32(20);
	we_extern e;
	fixture fx;

	exn_open(&fx);
	expect_uncaught(&fx, "throw_own", "tag \"mytag\"");
	expect_uncaught(&fx, "throw_imported", "tag \"tag\"");
	ck_assert(we_instance_export(fx.inst, "mytag", &e));
	ck_assert_int_eq(e.kind, WE_EXTERN_TAG);
	ck_assert_uint_eq(we_tag_type(e.of.tag)->nparams, 1);
	/* The store is usable after an uncaught exception. */
	ck_assert_int_eq(call1(&fx, "catch_after_host", &a, 1).of.i32, 40);
	fx.ask_mode = WE_HOST_SUSPEND;
	ck_assert_int_eq(
	    call_resumed(&fx, "catch_after_host", 20, 99).of.i32, 99);
	fixture_close(&fx);
}
END_TEST

/*
 * The legacy form (legacy_exn.wat): catch after a host call, suspended
 * or not, rethrow from catch_all, delegate past a handler and out of the
 * function, and an exception from a callee caught in a try that took a
 * parameter.
 */
START_TEST(test_legacy_exceptions)
{
	we_val a = i32(20);
	fixture fx;

	fixture_open(&fx, "legacy_exn.wasm", NULL);
	ck_assert_int_eq(call1(&fx, "catch_after_host", &a, 1).of.i32, 40);
	ck_assert_int_eq(call1(&fx, "rethrow", &a, 1).of.i32, 21);
	ck_assert_int_eq(call1(&fx, "delegate", &a, 1).of.i32, 1040);
	ck_assert_int_eq(call1(&fx, "catch_from_callee", &a, 1).of.i32, 50);
	expect_uncaught(&fx, "delegate_out", "tag 0");
	fx.ask_mode = WE_HOST_SUSPEND;
	ck_assert_int_eq(call_resumed(&fx, "delegate", 20, 99).of.i32, 1099);
	ck_assert_int_eq(
	    call_resumed(&fx, "catch_after_host", 20, 99).of.i32, 99);
	fixture_close(&fx);
}
END_TEST

/*
 * A module of typed function references, in bytes (wabt 1.0.32 knows an
 * older call_ref): type 0 is (func (result i32)); it exports
 *   call(r: (ref 0)) -> i32:  call_ref 0 (r)
 *   seven() -> (ref 0):       ref.func of a function returning 7
 *   other() -> funcref:       ref.func of a function of type (param i32)
 */
static const uint8_t typed_ref_module[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00,
    0x00, 0x00,
    /* types: 0 (result i32), 1 (param (ref 0)) (result i32),
       2 (result (ref 0)), 3 (result funcref), 4 (param i32) */
    0x01, 0x18, 0x05, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x64, 0x00, 0x01,
    0x7f, 0x60, 0x00, 0x01, 0x64, 0x00, 0x60, 0x00, 0x01, 0x70, 0x60, 0x01,
    0x7f, 0x00,
    /* functions */
    0x03, 0x06, 0x05, 0x00, 0x04, 0x01, 0x02, 0x03,
    /* exports: call 2, seven 3, other 4 */
    0x07, 0x18, 0x03, 0x04, 'c', 'a', 'l', 'l', 0x00, 0x02, 0x05, 's', 'e', 'v',
    'e', 'n', 0x00, 0x03, 0x05, 'o', 't', 'h', 'e', 'r', 0x00, 0x04,
    /* elem declare func 0 1 */
    0x09, 0x06, 0x01, 0x03, 0x00, 0x02, 0x00, 0x01,
    /* code */
    0x0a, 0x1a, 0x05, 0x04, 0x00, 0x41, 0x07, 0x0b, 0x02, 0x00, 0x0b, 0x06,
    0x00, 0x20, 0x00, 0x14, 0x00, 0x0b, 0x04, 0x00, 0xd2, 0x00, 0x0b, 0x04,
    0x00, 0xd2, 0x01, 0x0b};

/*
 * The host reads and passes typed function references as funcref values;
 * a call refuses a null or a function of another type where a (ref 0)
 * is expected (call_ref would run it unchecked), and a host function may
 * not have a type that names a module's type by index.
 */
START_TEST(test_typed_refs_host)
{
	static const we_valtype ref0[] = {WE_REF_TYPE(0) | WE_REF_NONNULL};
	we_functype typed = {1, 0, ref0, NULL};
	we_val seven, other, r, null = {.type = WE_FUNCREF};
	we_error err;
	we_module *m;
	we_store *s;
	we_instance *inst;

	m = we_module_new(typed_ref_module, sizeof typed_ref_module, &err);
	ck_assert_msg(m != NULL, "module: %s", err.message);
	s = we_store_new(NULL);
	inst = we_instance_new(s, m, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "instance: %s", err.message);
	ck_assert_int_eq(we_func_call(s, we_instance_func(inst, "seven"), NULL,
	                     0, &seven, 1),
	    WE_CALL_OK);
	ck_assert_int_eq(seven.type, WE_FUNCREF);
	ck_assert_ptr_nonnull(seven.of.funcref);
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "call"), &seven, 1, &r, 1),
	    WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 7);
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "call"), &null, 1, &r, 1),
	    WE_CALL_ERROR);
	ck_assert_int_eq(we_func_call(s, we_instance_func(inst, "other"), NULL,
	                     0, &other, 1),
	    WE_CALL_OK);
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "call"), &other, 1, &r, 1),
	    WE_CALL_ERROR);
	ck_assert_ptr_null(we_func_new_host(s, &typed, host_ask, NULL, NULL));
	we_store_free(s);
	we_module_free(m);
}
END_TEST

/* A growing byte buffer for modules made in code. */
typedef struct bytes {
	uint8_t p[4096];
	size_t n;
} bytes;

static void
put(bytes *b, uint8_t v)
{
	ck_assert_uint_lt(b->n, sizeof b->p);
	b->p[b->n++] = v;
}

static void
put_u32(bytes *b, uint32_t v)
{
	do {
		uint8_t x = v & 0x7f;
		v >>= 7;
		put(b, (uint8_t)(x | (v ? 0x80 : 0)));
	} while (v);
}

/* A type index as a heap type (s33: an extra byte when bit 6 is set). */
static void
put_s33(bytes *b, uint32_t v)
{
	for (;;) {
		uint8_t x = v & 0x7f;
		v >>= 7;
		if (v == 0 && !(x & 0x40)) {
			put(b, x);
			return;
		}
		put(b, (uint8_t)(x | 0x80));
	}
}

/* Section id holding the bytes of body. */
static void
put_section(bytes *b, uint8_t id, const bytes *body)
{
	put(b, id);
	put_u32(b, (uint32_t)body->n);
	for (size_t i = 0; i < body->n; i++)
		put(b, body->p[i]);
}

enum { CHAIN_LEVELS = 61 };

/*
 * Two chains of equivalent types, A and B (A0 and B0 are (func), Ai is
 * (func (param (ref Ai-1) (ref Ai-1)) (result (ref Ai-1))), Bi alike over
 * B; Ai is type 2i, Bi type 2i+1), and a function taking a
 * (ref null A60) in a block whose result is (ref null block_type).
 */
static void
chain_module(bytes *m, uint32_t block_type)
{
	static const uint8_t magic[] = {0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0};
	uint32_t top_a = 2 * (CHAIN_LEVELS - 1);
	bytes sec = {{0}, 0}, body = {{0x00, 0x02, 0x63}, 3};

	memcpy(m->p, magic, sizeof magic);
	m->n = sizeof magic;
	put_u32(&sec, 2 * CHAIN_LEVELS + 1);
	for (uint32_t i = 0; i < 2 * CHAIN_LEVELS; i++) {
		put(&sec, 0x60);
		put(&sec, i < 2 ? 0 : 2);
		for (int k = 0; i >= 2 && k < 3; k++) {
			if (k == 2)
				put(&sec, 1); /* one result */
			put(&sec, 0x64);
			put_s33(&sec, i - 2);
		}
		if (i < 2)
			put(&sec, 0);
	}
	put(&sec, 0x60); /* the function's: (param (ref null A60)) */
	put(&sec, 1);
	put(&sec, 0x63);
	put_s33(&sec, top_a);
	put(&sec, 0);
	put_section(m, 1, &sec);
	sec.n = 0;
	put(&sec, 1);
	put_u32(&sec, 2 * CHAIN_LEVELS);
	put_section(m, 3, &sec);
	/* block (result (ref null block_type)) local.get 0 end drop end */
	put_s33(&body, block_type);
	put(&body, 0x20);
	put(&body, 0x00);
	put(&body, 0x0b);
	put(&body, 0x1a);
	put(&body, 0x0b);
	sec.n = 0;
	put(&sec, 1);
	put_u32(&sec, (uint32_t)body.n);
	for (size_t i = 0; i < body.n; i++)
		put(&sec, body.p[i]);
	put_section(m, 10, &sec);
}

/*
 * The validator finds A60 and B60 equivalent in time linear in the types
 * (comparing them recursively would take 3^60 steps), and A60 and A59 not.
 */
START_TEST(test_typed_refs_equivalence_is_linear)
{
	uint32_t top_a = 2 * (CHAIN_LEVELS - 1);
	we_module *mod;
	we_error err;
	bytes m;

	chain_module(&m, top_a + 1);
	mod = we_module_new(m.p, m.n, &err);
	ck_assert_msg(mod != NULL, "module: %s", err.message);
	we_module_free(mod);
	chain_module(&m, top_a - 2);
	ck_assert_ptr_null(we_module_new(m.p, m.n, &err));
	ck_assert_int_eq(err.code, WE_ERR_INVALID);
}
END_TEST

/* Fixture file, which 2.0's rules refuse and 3.0's accept. own: result. */
static we_module *
load_3_only(const char *file)
{
	char path[512];
	we_module *m;
	we_error err;
	uint8_t *wasm;
	size_t len;

	snprintf(path, sizeof path, "%s/%s", WASM3_WASM_DIR, file);
	wasm = read_file(path, &len);
	ck_assert_ptr_null(we_module_new_wasm2(wasm, len, &err));
	m = we_module_new(wasm, len, &err);
	free(wasm);
	ck_assert_msg(m != NULL, "%s: %s", file, err.message);
	return m;
}

/* env.touch: doubles the i32 at 8 in its caller's memory 1. */
static we_host_status
host_touch(we_hostcall *call)
{
	we_memory *m = we_instance_memory(call->caller, 1);
	uint32_t v;

	if (m == NULL || !we_memory_read(m, 8, &v, 4))
		return WE_HOST_TRAP;
	v *= 2;
	we_memory_write(m, 8, &v, 4);
	return WE_HOST_OK;
}

/* The i32 at offset in m. */
static uint32_t
peek(const we_memory *m, uint64_t offset)
{
	uint32_t v = 0;

	ck_assert(we_memory_read(m, offset, &v, 4));
	return v;
}

/*
 * Each memory instruction works on the memory it names: loads and stores
 * (plain, with an added address, v128) on memory 1 leave memory 0 alone,
 * trap at memory 1's bounds, and memory 0 is back at hand after them and
 * after a host call; memory.size, memory.grow and memory.copy name theirs;
 * the host finds memory 1 by index, as the caller's and as an export.
 */
START_TEST(test_multi_memory)
{
	we_memtype host_type = {.limits = {2, 0, false}};
	we_functype touch_type = {0, 0, NULL, NULL};
	we_memory *host, *small;
	we_import imports[2];
	we_extern ex;
	fixture fx;
	we_error err;
	we_val args[3], r;
	uint32_t v;

	memset(&fx, 0, sizeof fx);
	fx.m = load_3_only("multimem.wasm");
	fx.s = we_store_new(NULL);
	host = we_memory_new(fx.s, &host_type);
	imports[0] = (we_import){
	    "env", "mem", {.kind = WE_EXTERN_MEMORY, .of.memory = host}};
	imports[1] = (we_import){"env", "touch",
	    {.kind = WE_EXTERN_FUNC,
	        .of.func = we_func_new_host(
	            fx.s, &touch_type, host_touch, NULL, NULL)}};
	fx.inst = we_instance_new(fx.s, fx.m, imports, 2, &err);
	ck_assert_msg(fx.inst != NULL, "instance: %s", err.message);
	ck_assert_ptr_eq(we_instance_memory(fx.inst, 0), host);
	small = we_instance_memory(fx.inst, 1);
	ck_assert_ptr_nonnull(small);
	ck_assert_ptr_ne(small, host);
	ck_assert_ptr_null(we_instance_memory(fx.inst, 2));
	ck_assert(we_instance_export(fx.inst, "small", &ex));
	ck_assert_ptr_eq(ex.of.memory, small);

	v = 5;
	ck_assert(we_memory_write(host, 0, &v, 4));
	v = 7;
	ck_assert(we_memory_write(small, 4, &v, 4));
	args[0] = i32(0);
	ck_assert_int_eq(call1(&fx, "sum", args, 1).of.i32, 12);
	/* memory 1 has one page, memory 0 two */
	args[0] = i32(65536);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "sum"), args, 1, &r, 1), WE_CALL_TRAP);
	ck_assert_int_eq(
	    we_store_trap(fx.s)->kind, WE_TRAP_MEMORY_OUT_OF_BOUNDS);

	args[0] = i32(0);
	args[1] = i32(21);
	call0(&fx, "put", args, 2);
	ck_assert_uint_eq(peek(small, 8), 42);
	ck_assert_uint_eq(peek(host, 0), 6);
	ck_assert_uint_eq(peek(host, 8), 0);

	args[0] = i32(1);
	ck_assert_int_eq(call1(&fx, "grow", args, 1).of.i32, 202);
	ck_assert_uint_eq(we_memory_pages(small), 2);
	ck_assert_uint_eq(we_memory_pages(host), 2);
	ck_assert_int_eq(call1(&fx, "grow", args, 1).of.i32, 202);

	args[0] = i32(16);
	args[1] = i32(4);
	args[2] = i32(8);
	call0(&fx, "copy", args, 3);
	ck_assert_uint_eq(peek(host, 16), 7);
	ck_assert_uint_eq(peek(host, 20), 42);
	ck_assert_uint_eq(peek(small, 16), 0);

	args[0] = i32(0);
	ck_assert_int_eq(call1(&fx, "lane", args, 1).of.i32, 7);
	fixture_close(&fx);
}
END_TEST

/* Calls name(args), of nresults results, and checks it traps out of
   bounds. */
static void
call_oob(fixture *fx, const char *name, const we_val *args, size_t nargs,
    size_t nresults)
{
	we_val r;

	ck_assert_int_eq(
	    we_func_call(fx->s, fn(fx, name), args, nargs, &r, nresults),
	    WE_CALL_TRAP);
	ck_assert_int_eq(
	    we_store_trap(fx->s)->kind, WE_TRAP_MEMORY_OUT_OF_BOUNDS);
}

/*
 * A 64-bit memory: i64 addresses are not cut to 32 bits (2^32 + 16 is
 * out of bounds, not 16), sizes are i64, a growth of 2^32 pages fails
 * with -1, and the store's page limit bounds it as a 32-bit one.
 */
START_TEST(test_memory64)
{
	we_config config = {.max_memory_pages = 1};
	fixture fx;
	we_error err;
	we_val args[2];

	memset(&fx, 0, sizeof fx);
	fx.m = load_3_only("mem64.wasm");
	fx.s = we_store_new(NULL);
	fx.inst = we_instance_new(fx.s, fx.m, NULL, 0, &err);
	ck_assert_msg(fx.inst != NULL, "instance: %s", err.message);

	args[0] = i64(16);
	ck_assert_int_eq(call1(&fx, "load", args, 1).of.i32, 42);
	args[0] = i64(((int64_t)1 << 32) + 16);
	call_oob(&fx, "load", args, 1, 1);
	args[0] = i64(-1);
	call_oob(&fx, "load", args, 1, 1);
	args[0] = i64(65536);
	args[1] = i32(1);
	call_oob(&fx, "store", args, 2, 0);
	args[0] = i64(65535);
	call0(&fx, "store", args, 2);
	args[0] = i64((int64_t)1 << 32);
	args[1] = i64(1);
	call_oob(&fx, "fill", args, 2, 0);

	ck_assert_int_eq(call1(&fx, "size", NULL, 0).of.i64, 1);
	args[0] = i64((int64_t)1 << 32);
	ck_assert_int_eq(call1(&fx, "grow", args, 1).of.i64, -1);
	args[0] = i64(1);
	ck_assert_int_eq(call1(&fx, "grow", args, 1).of.i64, 1);
	ck_assert_int_eq(call1(&fx, "size", NULL, 0).of.i64, 2);
	args[0] = i64(65536 + 5);
	ck_assert_int_eq(call1(&fx, "load", args, 1).of.i32, 0);
	we_store_free(fx.s);

	/* One page allowed: the second is refused as for a 32-bit memory. */
	fx.s = we_store_new(&config);
	fx.inst = we_instance_new(fx.s, fx.m, NULL, 0, &err);
	ck_assert_ptr_nonnull(fx.inst);
	args[0] = i64(1);
	ck_assert_int_eq(call1(&fx, "grow", args, 1).of.i64, -1);
	fixture_close(&fx);
}
END_TEST

/*
 * (table i64 1 funcref) (func (export "get") (param i64) (result i32)
 *   (ref.is_null (table.get 0 (local.get 0)))), written out by hand:
 * wabt 1.0.32 has no text form of a 64-bit table.
 */
static const uint8_t table64_wasm[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7e, 0x01, 0x7f, 0x03, 0x02, 0x01,
    0x00, 0x04, 0x04, 0x01, 0x70, 0x04, 0x01, 0x07, 0x07, 0x01, 0x03, 'g', 'e',
    't', 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x25, 0x00, 0xd1,
    0x0b};

/*
 * A 64-bit table takes i64 indices in full: 2^32 is out of bounds, not
 * element 0.
 */
START_TEST(test_table64)
{
	fixture fx;
	we_error err;
	we_val arg, r;

	memset(&fx, 0, sizeof fx);
	ck_assert_ptr_null(
	    we_module_new_wasm2(table64_wasm, sizeof table64_wasm, &err));
	fx.m = we_module_new(table64_wasm, sizeof table64_wasm, &err);
	ck_assert_msg(fx.m != NULL, "module: %s", err.message);
	fx.s = we_store_new(NULL);
	fx.inst = we_instance_new(fx.s, fx.m, NULL, 0, &err);
	ck_assert_msg(fx.inst != NULL, "instance: %s", err.message);
	arg = i64(0);
	ck_assert_int_eq(call1(&fx, "get", &arg, 1).of.i32, 1);
	arg = i64((int64_t)1 << 32);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "get"), &arg, 1, &r, 1), WE_CALL_TRAP);
	ck_assert_int_eq(
	    we_store_trap(fx.s)->kind, WE_TRAP_TABLE_OUT_OF_BOUNDS);
	fixture_close(&fx);
}
END_TEST

static Suite *
wasm3_suite(void)
{
	Suite *s = suite_create("engine_wasm3");
	TCase *tc = tcase_create("tail");

	tcase_add_test(tc, test_tail_recursion_constant_stack);
	tcase_add_test(tc, test_tail_fuel_and_interrupt);
	tcase_add_test(tc, test_tail_call_host);
	suite_add_tcase(s, tc);
	tc = tcase_create("const");
	tcase_add_test(tc, test_extended_const);
	suite_add_tcase(s, tc);
	tc = tcase_create("exceptions");
	tcase_add_test(tc, test_exceptions);
	tcase_add_test(tc, test_legacy_exceptions);
	suite_add_tcase(s, tc);
	tc = tcase_create("typed references");
	tcase_add_test(tc, test_typed_refs_host);
	tcase_add_test(tc, test_typed_refs_equivalence_is_linear);
	suite_add_tcase(s, tc);
	tc = tcase_create("memories");
	tcase_add_test(tc, test_multi_memory);
	tcase_add_test(tc, test_memory64);
	tcase_add_test(tc, test_table64);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(wasm3_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
