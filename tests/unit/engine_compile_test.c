/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_compile_test.c: white-box unit tests of the compiler
 * (engine/compile.c) through its test hooks in engine/code.h: the work a
 * body costs must stay linear in its size, whatever a hostile module does
 * with the operand stack (modules assembled here, byte by byte); and
 * values two slots wide (v128) must move through locals, calls, results,
 * select, branches, globals and the host API intact
 * (engine_compile/wide.wat).
 */
#include <check.h>
#include <stdio.h>
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

/* Results of type 1 of module_with_body, for blocks with many results. */
#define MANY_RESULTS 200

/*
 * A module whose one function `run` () -> i32 has nlocals i32 locals and
 * the given body (without its local declarations), and one page of
 * memory. Type 1 is () -> (i32 x MANY_RESULTS), for block types.
 */
static we_module *
module_with_body(uint32_t nlocals, const buf *body)
{
	static const uint8_t magic[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	static const uint8_t type0[] = {2, 0x60, 0, 1, 0x7f, 0x60, 0};
	static const uint8_t func[] = {1, 0};
	static const uint8_t mem[] = {1, 0, 1};
	static const uint8_t exp[] = {1, 3, 'r', 'u', 'n', 0, 0};
	buf m = {0}, code = {0}, fn = {0}, types = {0}, sec;
	we_module *mod;
	we_error err;

	put(&m, magic, sizeof magic);
	put(&types, type0, sizeof type0);
	put_leb(&types, MANY_RESULTS);
	for (uint32_t i = 0; i < MANY_RESULTS; i++)
		put_byte(&types, 0x7f);
	put_section(&m, 1, &types);
	sec = (buf){(uint8_t *)func, sizeof func, 0};
	put_section(&m, 3, &sec);
	sec = (buf){(uint8_t *)mem, sizeof mem, 0};
	put_section(&m, 5, &sec);
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
	free(types.p);
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

/* wide.wat; *bytes keeps the binary. */
static we_module *
wide_module(void)
{
	static uint8_t bytes[8192];
	FILE *f = fopen(COMPILE_WASM_DIR "/wide.wasm", "rb");
	size_t len;
	we_module *m;
	we_error err;

	ck_assert(f != NULL);
	len = fread(bytes, 1, sizeof bytes, f);
	fclose(f);
	ck_assert(len > 0 && len < sizeof bytes);
	m = we_module_new(bytes, len, &err);
	ck_assert_msg(m != NULL, "module: %s", err.message);
	return m;
}

/* The 16 bytes of exported global name, as four i32 lanes. */
static void
lanes_of(we_instance *inst, const char *name, uint32_t lane[4])
{
	we_extern ex;

	ck_assert(we_instance_export(inst, name, &ex));
	ck_assert_int_eq(ex.kind, WE_EXTERN_GLOBAL);
	memcpy(lane, &ex.of.global->value, 16);
}

static void
check_lanes(we_instance *inst, const char *name, uint32_t first)
{
	uint32_t lane[4];

	lanes_of(inst, name, lane);
	for (uint32_t i = 0; i < 4; i++)
		ck_assert_msg(lane[i] == first + i, "%s lane %u: %u, not %u",
		    name, i, lane[i], first + i);
}

/*
 * run(sel) moves k = (1 2 3 4) and g = (5 6 7 8) through every path and
 * stores what it picked into out..out4 (see wide.wat): with sel = 1 the
 * first choice each time, with sel = 0 the second.
 */
START_TEST(wide_values_move_intact)
{
	we_module *m = wide_module();

	for (int32_t sel = 0; sel <= 1; sel++) {
		we_store *s = we_store_new(NULL);
		we_instance *inst;
		we_error err;
		we_val arg = {.type = WE_I32, .of.i32 = sel}, r;
		we_call_status st;

		inst = we_instance_new(s, m, NULL, 0, &err);
		ck_assert_msg(inst != NULL, "instance: %s", err.message);
		st = we_func_call(
		    s, we_instance_func(inst, "run"), &arg, 1, &r, 1);
		ck_assert_msg(st == WE_CALL_OK, "run: %s %s",
		    we_store_trap(s)->message, we_store_error(s));
		ck_assert_int_eq(r.of.i32, sel ? 10 : 99);
		check_lanes(inst, "k", 1);
		check_lanes(inst, "g", 5);
		check_lanes(inst, "out", sel ? 1 : 5);
		check_lanes(inst, "out2", sel ? 5 : 1);
		check_lanes(inst, "out3", sel ? 1 : 5);
		check_lanes(inst, "out4", sel ? 1 : 5);
		we_store_free(s);
	}
	we_module_free(m);
}
END_TEST

/*
 * The local -> slot table: $pick (i32 v128 i64 v128; locals v128 i32)
 * has its parameters in slots 0, 1-2, 3, 4-5 and its locals in 6-7, 8,
 * so ENTER zeroes 3 slots from 6, and its frame is larger than its
 * locals. Its results (v128 i32 v128) take 5 slots from 0.
 */
START_TEST(wide_slot_map)
{
	we_module *m = wide_module();
	const wx_code *code = wx_code_of(m, 0);
	const wx_insn *enter, *last;

	ck_assert(code != NULL);
	enter = &code->insns[0];
	ck_assert_ptr_eq(enter->h, wx_handlers()[WXO_X_ENTER]);
	ck_assert_uint_eq(enter->a, 6);
	ck_assert_uint_eq(enter->b, 3);
	ck_assert_uint_gt(code->nslots, 9);
	/* The body ends with RETURN of the 5 result slots (then the
	   UNREACHABLE that labels at the very end point at). */
	last = &code->insns[code->ninsns - 2];
	ck_assert_ptr_eq(last->h, wx_handlers()[WXO_X_RETURN]);
	ck_assert_uint_eq(last->b, 5);
	ck_assert_uint_eq(last->a, 9);
	we_module_free(m);
}
END_TEST

/*
 * The host calls $pick (i32 v128 i64 v128 -> v128 i32 v128), which returns
 * (y, a, x): v128 arguments and results cross we_func_call intact, each in
 * its own two slots among the scalars.
 */
START_TEST(wide_through_the_api)
{
	we_module *m = wide_module();
	we_store *s = we_store_new(NULL);
	we_instance *inst;
	we_error err;
	we_val args[4] = {{.type = WE_I32, .of.i32 = 7}, {.type = WE_V128},
	    {.type = WE_I64, .of.i64 = -1}, {.type = WE_V128}};
	we_val res[3];

	for (int i = 0; i < 16; i++) {
		args[1].of.v128[i] = (uint8_t)i;
		args[3].of.v128[i] = (uint8_t)(0xf0 | i);
	}
	inst = we_instance_new(s, m, NULL, 0, &err);
	ck_assert(inst != NULL);
	/* $pick is only in the table: reach it through a funcref. */
	ck_assert(inst->tables[0]->elems[0] != NULL);
	ck_assert_int_eq(
	    we_func_call(s, inst->tables[0]->elems[0], args, 4, res, 3),
	    WE_CALL_OK);
	ck_assert_int_eq(res[0].type, WE_V128);
	ck_assert_mem_eq(res[0].of.v128, args[3].of.v128, 16);
	ck_assert_int_eq(res[1].type, WE_I32);
	ck_assert_int_eq(res[1].of.i32, 7);
	ck_assert_int_eq(res[2].type, WE_V128);
	ck_assert_mem_eq(res[2].of.v128, args[1].of.v128, 16);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

/*
 * Every internal op (each row of opcodes.def and each op of xops.def) has
 * a handler address: a row of a kind the interpreter's label table does
 * not list would be NULL, and running it would jump to address 0.
 */
START_TEST(every_op_has_a_handler)
{
	const void *const *h = wx_handlers();

	if (h == NULL)
		return; /* WX_SWITCH_DISPATCH: code keeps op numbers */
	for (uint32_t op = 0; op < WXO__COUNT; op++)
		ck_assert_msg(
		    h[op] != NULL, "internal op %u has no handler", op);
}
END_TEST

/* Whether the compiled code holds an instruction of internal op op. */
static bool
code_has_op(const wx_code *code, wx_op op)
{
	const void *const *h = wx_handlers();
	const void *want = h != NULL ? h[op] : (const void *)(uintptr_t)op;

	for (uint32_t i = 0; i < code->ninsns; i++)
		if (code->insns[i].h == want)
			return true;
	return false;
}

/*
 * The rows' fused forms follow opcodes.def: a binary operation whose
 * second operand was just loaded becomes its N_M form, unless its row is
 * a WX_BIN_NOMEM (f32.min); a store of a value computed from a load at
 * the same address becomes N_MS, but a comparison has no N_MS (its N_M
 * and the store stay apart).
 */
START_TEST(fused_forms_follow_the_rows)
{
	static const struct {
		uint8_t op;    /* the binary operation's opcode */
		bool update;   /* store its result where the load read */
		wx_op want[2]; /* internal ops the code must hold */
	} cases[] = {
	    {0x92, false, {WXO_F32_ADD_M, WXO_F32_ADD_M}},  /* f32.add */
	    {0x96, false, {WXO_F32_LOAD, WXO_F32_MIN}},     /* f32.min */
	    {0x6b, true, {WXO_I32_SUB_MS, WXO_I32_SUB_MS}}, /* i32.sub */
	    {0x48, true, {WXO_I32_LT_S_M, WXO_I32_STORE}},  /* i32.lt_s */
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		buf b = {0};
		we_module *m;
		const wx_code *code;

		if (cases[k].update) {
			/* mem[l1] := l0 op mem[l1] */
			static const uint8_t pre[] = {
			    0x20, 1, 0x20, 0, 0x20, 1, 0x28, 2, 0};
			put(&b, pre, sizeof pre);
			put_byte(&b, cases[k].op);
			put(&b, (const uint8_t[]){0x36, 2, 0}, 3);
		} else {
			/* drop (f32(l0) op f32 mem[l1]) */
			static const uint8_t pre[] = {
			    0x20, 0, 0xb2, 0x20, 1, 0x2a, 2, 0};
			put(&b, pre, sizeof pre);
			put_byte(&b, cases[k].op);
			put_byte(&b, 0x1a);
		}
		put(&b, (const uint8_t[]){0x41, 0, 0x0b}, 3); /* i32.const 0 */
		m = module_with_body(2, &b);
		code = wx_code_of(m, 0);
		ck_assert(code != NULL);
		for (int w = 0; w < 2; w++)
			ck_assert_msg(code_has_op(code, cases[k].want[w]),
			    "opcode 0x%02x: internal op %u missing",
			    cases[k].op, (unsigned)cases[k].want[w]);
		ck_assert_uint_eq(run(m), 0);
		we_module_free(m);
		free(b.p);
	}
}
END_TEST

/*
 * A branch in dead code to a label with many values: the values were
 * never pushed, so the compiler must not look up their slots (it read
 * past the operand stack when it did).
 */
START_TEST(dead_branch_with_many_values)
{
	static const uint8_t body[] = {
	    0x02, 0x01, /* block (type 1): MANY_RESULTS i32 */
	    0x00,       /* unreachable */
	    0x0c, 0x00, /* br 0 */
	    0x0b,       /* end */
	};
	buf b = {0};
	we_module *m;

	put(&b, body, sizeof body);
	for (uint32_t i = 1; i < MANY_RESULTS; i++)
		put_byte(&b, 0x1a); /* drop */
	put_byte(&b, 0x0b);         /* end: the first value is the result */
	m = module_with_body(0, &b);
	ck_assert_uint_ne(wx_operand_visits(m, 0), UINT64_MAX);
	we_module_free(m);
	free(b.p);
}
END_TEST

static Suite *
compile_suite(void)
{
	Suite *s = suite_create("engine_compile");
	TCase *tc = tcase_create("work");

	tcase_add_test(tc, local_set_work_is_linear);
	tcase_add_test(tc, block_entry_work_is_linear);
	tcase_add_test(tc, dead_branch_with_many_values);
	suite_add_tcase(s, tc);
	tc = tcase_create("wide");
	tcase_add_test(tc, wide_values_move_intact);
	tcase_add_test(tc, wide_slot_map);
	tcase_add_test(tc, wide_through_the_api);
	suite_add_tcase(s, tc);
	tc = tcase_create("ops");
	tcase_add_test(tc, every_op_has_a_handler);
	tcase_add_test(tc, fused_forms_follow_the_rows);
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
