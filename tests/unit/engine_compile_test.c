/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_compile_test.c: white-box unit tests of the compiler
 * (engine/compile.c) through its test hooks in engine/code.h: the work a
 * body costs must stay linear in its size, whatever a hostile module does
 * with the operand stack. The modules are assembled here, byte by byte.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

#include "code.h"

/* A growable byte buffer for assembling modules. */
typedef struct buf {
	uint8_t *p; /* own */
	size_t n, cap;
} buf;

static void
put(buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		ck_assert(b->p != NULL);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void
put_byte(buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void
put_leb(buf *b, uint32_t v)
{
	do {
		uint8_t byte = v & 0x7f;
		v >>= 7;
		put_byte(b, byte | (v ? 0x80 : 0));
	} while (v);
}

static void
put_section(buf *m, uint8_t id, const buf *payload)
{
	put_byte(m, id);
	put_leb(m, (uint32_t)payload->n);
	put(m, payload->p, payload->n);
}

/*
 * A module whose one function `run` () -> i32 has nlocals i32 locals and
 * the given body (without its local declarations).
 */
static we_module *
module_with_body(uint32_t nlocals, const buf *body)
{
	static const uint8_t magic[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	static const uint8_t type[] = {1, 0x60, 0, 1, 0x7f};
	static const uint8_t func[] = {1, 0};
	static const uint8_t exp[] = {1, 3, 'r', 'u', 'n', 0, 0};
	buf m = {0}, code = {0}, fn = {0}, sec;
	we_module *mod;
	we_error err;

	put(&m, magic, sizeof magic);
	sec = (buf){(uint8_t *)type, sizeof type, 0};
	put_section(&m, 1, &sec);
	sec = (buf){(uint8_t *)func, sizeof func, 0};
	put_section(&m, 3, &sec);
	sec = (buf){(uint8_t *)exp, sizeof exp, 0};
	put_section(&m, 7, &sec);
	put_leb(&fn, 1);
	put_leb(&fn, nlocals);
	put_byte(&fn, 0x7f);
	put(&fn, body->p, body->n);
	put_leb(&code, 1);
	put_leb(&code, (uint32_t)fn.n);
	put(&code, fn.p, fn.n);
	put_section(&m, 10, &code);
	mod = we_module_new(m.p, m.n, &err);
	ck_assert_msg(mod != NULL, "module: %s", err.message);
	free(m.p);
	free(code.p);
	free(fn.p);
	return mod;
}

/* Runs export run of m; returns its i32 result. */
static uint32_t
run(we_module *m)
{
	we_store *s = we_store_new(NULL);
	we_instance *inst;
	we_error err;
	we_val r;
	we_call_status st;

	ck_assert(s != NULL);
	inst = we_instance_new(s, m, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "instance: %s", err.message);
	st = we_func_call(s, we_instance_func(inst, "run"), NULL, 0, &r, 1);
	ck_assert_msg(st == WE_CALL_OK, "call: %s", we_store_trap(s)->message);
	we_store_free(s);
	return r.of.i32;
}

/*
 * Locals 1..k get small values; then k reads of them are left on the
 * stack, n constants above, and each of the k locals is set: every
 * local.set must copy out the one operand that reads its local, and look
 * at nothing else. The old compiler rescanned the whole stack (k + n
 * operands) per local.set, k * (k + n) in all. The result, the sum of
 * the values read, checks that the copies kept the old values.
 */
START_TEST(local_set_work_is_linear)
{
	const uint32_t k = 20000, n = 20000;
	uint32_t want = 0;
	buf body = {0};
	we_module *m;

	for (uint32_t i = 1; i <= k; i++) {
		put_byte(&body, 0x41); /* i32.const (i mod 64): one byte */
		put_byte(&body, i & 0x3f);
		put_byte(&body, 0x21); /* local.set i */
		put_leb(&body, i);
		want += i & 0x3f;
	}
	for (uint32_t i = 1; i <= k; i++) {
		put_byte(&body, 0x20); /* local.get i */
		put_leb(&body, i);
	}
	for (uint32_t i = 0; i < n; i++) {
		put_byte(&body, 0x41); /* i32.const 0 */
		put_byte(&body, 0);
	}
	for (uint32_t i = 1; i <= k; i++) {
		put_byte(&body, 0x41); /* i32.const 5 */
		put_byte(&body, 5);
		put_byte(&body, 0x21); /* local.set i */
		put_leb(&body, i);
	}
	for (uint32_t i = 0; i < n; i++)
		put_byte(&body, 0x1a); /* drop */
	for (uint32_t i = 1; i < k; i++)
		put_byte(&body, 0x6a); /* i32.add */
	put_byte(&body, 0x0b);         /* end */
	m = module_with_body(k + 1, &body);
	ck_assert_uint_eq(wx_operand_visits(m, 0), k);
	ck_assert_uint_eq(run(m), want);
	we_module_free(m);
	free(body.p);
}
END_TEST

/*
 * n constants on the stack, then n empty blocks: the first block copies
 * the constants to their slots, and the others must not look at them
 * again (each used to rescan the whole stack, n * n in all).
 */
START_TEST(block_entry_work_is_linear)
{
	const uint32_t n = 20000;
	buf body = {0};
	we_module *m;

	for (uint32_t i = 0; i < n; i++) {
		put_byte(&body, 0x41); /* i32.const 1 */
		put_byte(&body, 1);
	}
	for (uint32_t i = 0; i < n; i++) {
		static const uint8_t block[] = {0x02, 0x40, 0x0b};
		put(&body, block, sizeof block); /* block end */
	}
	for (uint32_t i = 1; i < n; i++)
		put_byte(&body, 0x6a); /* i32.add */
	put_byte(&body, 0x0b);
	m = module_with_body(0, &body);
	ck_assert_uint_eq(wx_operand_visits(m, 0), n);
	ck_assert_uint_eq(run(m), n);
	we_module_free(m);
	free(body.p);
}
END_TEST

static Suite *
compile_suite(void)
{
	Suite *s = suite_create("engine_compile");
	TCase *tc = tcase_create("work");

	tcase_add_test(tc, local_set_work_is_linear);
	tcase_add_test(tc, block_entry_work_is_linear);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(compile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
