/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_exec_test.c: unit tests of the interpreter and the call API
 * (engine/compile.c, interp.c, call.c): arithmetic and control flow,
 * multi-value, traps and their backtraces, call-stack exhaustion, fuel,
 * interrupts, suspended host calls, and call errors. The fixture
 * (engine_exec/exec.wat) is converted with wasmd-wat at build time, whose
 * name section gives functions their names for the backtraces.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

#include "module.h" /* white-box: lazily compiled code */

/* What the host functions of a test do. */
typedef struct host_env {
	we_host_status mode; /* for env.ask: answer, trap or suspend */
	int calls;
	we_call_status reentry; /* what calling back into the store gave */
	bool try_reentry;
} host_env;

typedef struct fixture {
	we_module *m;
	we_store *s;
	we_instance *inst;
	host_env env;
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

static we_host_status
host_ask(we_hostcall *call)
{
	host_env *env = call->env;

	env->calls++;
	if (env->try_reentry) {
		we_func *add = we_instance_func(call->caller, "add");
		we_val args[2] = {{.type = WE_I32, .of.i32 = 1},
		    {.type = WE_I32, .of.i32 = 2}};
		we_val r;
		env->reentry = we_func_call(call->store, add, args, 2, &r, 1);
	}
	switch (env->mode) {
	case WE_HOST_OK:
		call->results[0].of.i32 = call->args[0].of.i32 * 2;
		return WE_HOST_OK;
	case WE_HOST_TRAP:
		snprintf(call->message, WE_MSG_MAX, "ask refused %d",
		    call->args[0].of.i32);
		return WE_HOST_TRAP;
	default: return WE_HOST_SUSPEND;
	}
}

static we_host_status
host_poke(we_hostcall *call)
{
	we_store_interrupt(call->store);
	return WE_HOST_OK;
}

static void
fixture_open(fixture *fx, const we_config *config)
{
	static const we_valtype i32[] = {WE_I32};
	we_functype ask_type = {1, 1, i32, i32};
	we_functype poke_type = {0, 0, NULL, NULL};
	we_import imports[2];
	we_error err;
	uint8_t *bytes;
	size_t len;

	memset(fx, 0, sizeof *fx);
	bytes = read_file(EXEC_WASM_DIR "/exec.wasm", &len);
	fx->m = we_module_new(bytes, len, &err);
	free(bytes);
	ck_assert_msg(fx->m != NULL, "module: %s", err.message);
	fx->s = we_store_new(config);
	ck_assert(fx->s != NULL);
	imports[0] = (we_import){"env", "ask",
	    {.kind = WE_EXTERN_FUNC,
	        .of.func = we_func_new_host(
	            fx->s, &ask_type, host_ask, &fx->env, NULL)}};
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

static we_val
f64(double v)
{
	return (we_val){.type = WE_F64, .of.f64 = v};
}

/* Calls a one-argument, one-i32-result export and checks it returns OK. */
static int32_t
call_i32(fixture *fx, const char *name, int32_t arg)
{
	we_val a = i32(arg), r;
	we_call_status st = we_func_call(fx->s, fn(fx, name), &a, 1, &r, 1);

	ck_assert_msg(st == WE_CALL_OK, "%s: status %d (%s / %s)", name, st,
	    we_store_trap(fx->s)->message, we_store_error(fx->s));
	ck_assert_int_eq(r.type, WE_I32);
	return r.of.i32;
}

START_TEST(test_arithmetic)
{
	fixture fx;
	we_val args[2] = {i32(2), i32(40)}, r;

	fixture_open(&fx, NULL);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "add"), args, 2, &r, 1), WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 42);
	args[0] = i64(20);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "fac"), args, 1, &r, 1), WE_CALL_OK);
	ck_assert_int_eq(r.type, WE_I64);
	ck_assert(r.of.i64 == 2432902008176640000LL);
	ck_assert_int_eq(call_i32(&fx, "sum", 100), 5050);
	ck_assert_int_eq(call_i32(&fx, "sum", 0), 0);
	fixture_close(&fx);
}
END_TEST

START_TEST(test_float_rules)
{
	fixture fx;
	we_val args[2] = {f64(0.0), f64(-0.0)}, r;

	fixture_open(&fx, NULL);
	/* min(+0, -0) is -0: the sign bit matters. */
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "fmin"), args, 2, &r, 1), WE_CALL_OK);
	ck_assert(r.of.f64_bits == 0x8000000000000000ull);
	args[0] = f64(-7.9);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "trunc"), args, 1, &r, 1), WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, -7);
	args[0] = f64(3e9);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "trunc"), args, 1, &r, 1), WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(fx.s)->kind, WE_TRAP_INTEGER_OVERFLOW);
	args[0].of.f64_bits = 0x7ff8000000000000ull;
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "trunc"), args, 1, &r, 1), WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(fx.s)->kind, WE_TRAP_INVALID_CONVERSION);
	ck_assert_str_eq(
	    we_store_trap(fx.s)->message, "invalid conversion to integer");
	fixture_close(&fx);
}
END_TEST

START_TEST(test_br_table)
{
	fixture fx;

	fixture_open(&fx, NULL);
	ck_assert_int_eq(call_i32(&fx, "switch", 0), 100);
	ck_assert_int_eq(call_i32(&fx, "switch", 1), 101);
	ck_assert_int_eq(call_i32(&fx, "switch", 2), 102);
	ck_assert_int_eq(call_i32(&fx, "switch", 3), 999);
	ck_assert_int_eq(call_i32(&fx, "switch", -1), 999);
	fixture_close(&fx);
}
END_TEST

START_TEST(test_multi_value)
{
	fixture fx;
	we_val args[2] = {i32(17), i32(5)}, r[2];

	fixture_open(&fx, NULL);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "divmod"), args, 2, r, 2), WE_CALL_OK);
	ck_assert_int_eq(r[0].of.i32, 3);
	ck_assert_int_eq(r[1].of.i32, 2);
	/* br_if carrying two values down over a third one. */
	args[0] = i32(1);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "brpair"), args, 1, r, 2), WE_CALL_OK);
	ck_assert_int_eq(r[0].of.i32, 8);
	ck_assert_int_eq(r[1].of.i32, 9);
	args[0] = i32(0);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "brpair"), args, 1, r, 2), WE_CALL_OK);
	ck_assert_int_eq(r[0].of.i32, 1);
	ck_assert_int_eq(r[1].of.i32, 2);
	fixture_close(&fx);
}
END_TEST

START_TEST(test_trap_backtrace)
{
	fixture fx;
	we_val a = i32(0), r;
	const we_trap *t;

	fixture_open(&fx, NULL);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "outer"), &a, 1, &r, 1), WE_CALL_TRAP);
	t = we_store_trap(fx.s);
	ck_assert_int_eq(t->kind, WE_TRAP_DIV_BY_ZERO);
	ck_assert_str_eq(t->message, "integer divide by zero");
	ck_assert_uint_eq(t->nframes, 2);
	ck_assert_ptr_nonnull(t->frames[0].name);
	ck_assert_str_eq(t->frames[0].name, "inner");
	ck_assert_str_eq(t->frames[1].name, "outer");
	ck_assert_uint_eq(t->frames[1].func_index, t->frames[0].func_index + 1);
	/* The offsets point into the code section, the call before the
	   division it led to. */
	ck_assert_uint_gt(t->frames[0].offset, 0);
	ck_assert_uint_gt(t->frames[1].offset, t->frames[0].offset);
	/* The store is usable after the trap. */
	ck_assert_int_eq(call_i32(&fx, "outer", 1), 1);
	ck_assert_int_eq(call_i32(&fx, "load", 0), 0);
	ck_assert_int_eq(we_func_call(fx.s, fn(&fx, "load"),
	                     (we_val[]){i32(65534)}, 1, &r, 1),
	    WE_CALL_TRAP);
	ck_assert_int_eq(
	    we_store_trap(fx.s)->kind, WE_TRAP_MEMORY_OUT_OF_BOUNDS);
	fixture_close(&fx);
}
END_TEST

START_TEST(test_memory)
{
	fixture fx;
	we_val args[2] = {i32(100), i64(0x1122334455667788LL)}, r;

	fixture_open(&fx, NULL);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "store_load"), args, 2, &r, 1),
	    WE_CALL_OK);
	ck_assert(r.of.i64 == 0x1122334455667788LL);
	/* Unaligned, little-endian: bytes 103..110 hold the value. */
	ck_assert_int_eq(call_i32(&fx, "load", 103), 0x55667788);
	/* A computed address wraps at 32 bits; the offset does not. */
	{
		we_val a3[3] = {i32(-1), i32(201), i32(0xabcd)};
		ck_assert_int_eq(
		    we_func_call(fx.s, fn(&fx, "store_sum"), a3, 3, NULL, 0),
		    WE_CALL_OK);
		ck_assert_int_eq(call_i32(&fx, "load", 204), 0xabcd);
		a3[0] = i32(-8);
		a3[1] = i32(208);
		ck_assert_int_eq(
		    we_func_call(fx.s, fn(&fx, "load_sum"), a3, 2, &r, 1),
		    WE_CALL_OK);
		ck_assert_int_eq(r.of.i32, 0xabcd);
		a3[0] = i32(-1);
		a3[1] = i32(0);
		ck_assert_int_eq(
		    we_func_call(fx.s, fn(&fx, "load_sum"), a3, 2, &r, 1),
		    WE_CALL_TRAP);
		ck_assert_int_eq(
		    we_store_trap(fx.s)->kind, WE_TRAP_MEMORY_OUT_OF_BOUNDS);
		a3[0] = i32(65532);
		ck_assert_int_eq(
		    we_func_call(fx.s, fn(&fx, "store_sum"), a3, 3, NULL, 0),
		    WE_CALL_TRAP);
		/* The same with a constant added: -8 + 8 + 4 is 4. */
		a3[0] = i32(-8);
		a3[1] = i32(0x1234);
		ck_assert_int_eq(
		    we_func_call(fx.s, fn(&fx, "store_k"), a3, 2, NULL, 0),
		    WE_CALL_OK);
		ck_assert_int_eq(call_i32(&fx, "load", 4), 0x1234);
		ck_assert_int_eq(call_i32(&fx, "load_k", -8), 0x1234);
		ck_assert_int_eq(we_func_call(fx.s, fn(&fx, "load_k"),
		                     (we_val[]){i32(65524)}, 1, &r, 1),
		    WE_CALL_TRAP);
	}
	fixture_close(&fx);
}
END_TEST

START_TEST(test_call_stack_exhausted)
{
	we_config config = {.max_call_depth = 500};
	fixture fx;
	we_val a = i32(0), r;
	const we_trap *t;

	fixture_open(&fx, &config);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "deep"), &a, 1, &r, 1), WE_CALL_TRAP);
	t = we_store_trap(fx.s);
	ck_assert_int_eq(t->kind, WE_TRAP_CALL_STACK_EXHAUSTED);
	ck_assert_str_eq(t->message, "call stack exhausted");
	ck_assert_uint_eq(t->nframes, WE_TRAP_FRAMES_MAX);
	ck_assert_str_eq(t->frames[0].name, "deep");
	ck_assert_int_eq(call_i32(&fx, "sum", 10), 55);
	fixture_close(&fx);

	/* The default depth (10000 frames) also traps cleanly. */
	fixture_open(&fx, NULL);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "deep"), &a, 1, &r, 1), WE_CALL_TRAP);
	ck_assert_int_eq(
	    we_store_trap(fx.s)->kind, WE_TRAP_CALL_STACK_EXHAUSTED);
	fixture_close(&fx);

	/* So does a small value stack. */
	config = (we_config){.max_stack_bytes = 4096};
	fixture_open(&fx, &config);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "deep"), &a, 1, &r, 1), WE_CALL_TRAP);
	ck_assert_int_eq(
	    we_store_trap(fx.s)->kind, WE_TRAP_CALL_STACK_EXHAUSTED);
	fixture_close(&fx);
}
END_TEST

START_TEST(test_fuel)
{
	fixture fx;
	uint64_t used1, used2;

	fixture_open(&fx, NULL);
	ck_assert(we_store_fuel_remaining(fx.s) == UINT64_MAX);
	we_store_set_fuel(fx.s, 1000000);
	ck_assert_int_eq(call_i32(&fx, "sum", 100), 5050);
	used1 = we_store_fuel_consumed(fx.s);
	ck_assert_uint_gt(used1, 100); /* at least one per loop iteration */
	ck_assert(we_store_fuel_remaining(fx.s) == 1000000 - used1);
	/* Deterministic: the same call costs the same, once the first has
	   paid for compiling sum (a few fuel per byte of its body). */
	we_store_set_fuel(fx.s, 1000000);
	ck_assert_int_eq(call_i32(&fx, "sum", 100), 5050);
	used2 = we_store_fuel_consumed(fx.s);
	ck_assert_uint_gt(used1, used2);
	we_store_set_fuel(fx.s, 1000000);
	ck_assert_int_eq(call_i32(&fx, "sum", 100), 5050);
	ck_assert_uint_eq(we_store_fuel_consumed(fx.s), used2);

	/* An endless loop runs out. */
	we_store_set_fuel(fx.s, 5000);
	ck_assert_int_eq(we_func_call(fx.s, fn(&fx, "spin"), NULL, 0, NULL, 0),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(fx.s)->kind, WE_TRAP_OUT_OF_FUEL);
	ck_assert_str_eq(we_store_trap(fx.s)->message, "out of fuel");
	ck_assert_uint_gt(we_store_fuel_consumed(fx.s), 4990);
	ck_assert_uint_le(we_store_fuel_consumed(fx.s), 5000);
	/* Too little fuel for the next call; then metering off again. */
	ck_assert_int_eq(we_func_call(fx.s, fn(&fx, "sum"),
	                     (we_val[]){i32(100)}, 1, (we_val[]){i32(0)}, 1),
	    WE_CALL_TRAP);
	we_store_set_fuel(fx.s, UINT64_MAX);
	ck_assert_int_eq(call_i32(&fx, "sum", 100), 5050);
	ck_assert_uint_eq(we_store_fuel_consumed(fx.s), 0);
	fixture_close(&fx);
}
END_TEST

START_TEST(test_interrupt)
{
	fixture fx;

	fixture_open(&fx, NULL);
	/* Requested before the call: the call stops at once. */
	we_store_interrupt(fx.s);
	ck_assert_int_eq(we_func_call(fx.s, fn(&fx, "spin"), NULL, 0, NULL, 0),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(fx.s)->kind, WE_TRAP_INTERRUPTED);
	ck_assert_str_eq(we_store_trap(fx.s)->message, "interrupted");
	/* Cleared once delivered. */
	ck_assert_int_eq(call_i32(&fx, "sum", 10), 55);
	/* Requested while running (by a host function): the loop stops. */
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "poke_then_spin"), NULL, 0, NULL, 0),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(fx.s)->kind, WE_TRAP_INTERRUPTED);
	/* With fuel on too. */
	we_store_set_fuel(fx.s, 1000000000);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "poke_then_spin"), NULL, 0, NULL, 0),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(fx.s)->kind, WE_TRAP_INTERRUPTED);
	fixture_close(&fx);
}
END_TEST

START_TEST(test_host_call)
{
	fixture fx;
	we_val a = i32(5), r;

	fixture_open(&fx, NULL);
	fx.env.mode = WE_HOST_OK;
	ck_assert_int_eq(call_i32(&fx, "use_host", 20), 41);
	fx.env.mode = WE_HOST_TRAP;
	ck_assert_int_eq(we_func_call(fx.s, fn(&fx, "use_host"), &a, 1, &r, 1),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(fx.s)->kind, WE_TRAP_HOST);
	ck_assert_str_eq(we_store_trap(fx.s)->message, "ask refused 5");
	ck_assert_uint_ge(we_store_trap(fx.s)->nframes, 1);
	/* A host function may not call back into its busy store. */
	fx.env.mode = WE_HOST_OK;
	fx.env.try_reentry = true;
	ck_assert_int_eq(call_i32(&fx, "use_host", 1), 3);
	ck_assert_int_eq(fx.env.reentry, WE_CALL_ERROR);
	fixture_close(&fx);
}
END_TEST

START_TEST(test_suspend_resume)
{
	fixture fx;
	we_val a = i32(7), r, hr;
	const we_pending *p;

	fixture_open(&fx, NULL);
	fx.env.mode = WE_HOST_SUSPEND;
	ck_assert_ptr_null(we_store_pending(fx.s));
	ck_assert_int_eq(we_func_call(fx.s, fn(&fx, "use_host"), &a, 1, &r, 1),
	    WE_CALL_SUSPENDED);
	p = we_store_pending(fx.s);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->module, "env");
	ck_assert_str_eq(p->name, "ask");
	ck_assert_uint_eq(p->nargs, 1);
	ck_assert_int_eq(p->args[0].of.i32, 7);
	/* Busy while suspended. */
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "sum"), &a, 1, &r, 1), WE_CALL_ERROR);
	/* A result of the wrong type is refused; still suspended. */
	hr = i64(1);
	ck_assert_int_eq(we_resume(fx.s, &hr, 1, &r, 1), WE_CALL_ERROR);
	ck_assert_ptr_nonnull(strstr(we_store_error(fx.s), "expected i32"));
	hr = i32(41);
	ck_assert_int_eq(we_resume(fx.s, &hr, 1, &r, 1), WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 42);
	ck_assert_ptr_null(we_store_pending(fx.s));

	/* Resumed with an error: a host trap. */
	ck_assert_int_eq(we_func_call(fx.s, fn(&fx, "use_host"), &a, 1, &r, 1),
	    WE_CALL_SUSPENDED);
	ck_assert_int_eq(
	    we_resume_trap(fx.s, "no answer", &r, 1), WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(fx.s)->kind, WE_TRAP_HOST);
	ck_assert_str_eq(we_store_trap(fx.s)->message, "no answer");

	/* Abandoned: the store is idle again. */
	ck_assert_int_eq(we_func_call(fx.s, fn(&fx, "use_host"), &a, 1, &r, 1),
	    WE_CALL_SUSPENDED);
	we_abandon(fx.s);
	ck_assert_ptr_null(we_store_pending(fx.s));
	ck_assert_int_eq(call_i32(&fx, "sum", 3), 6);
	fixture_close(&fx);
}
END_TEST

/* A host function called directly, not from wasm, may suspend too. */
START_TEST(test_direct_host_call)
{
	fixture fx;
	we_extern ask;
	we_val a = i32(21), r, hr = i32(5);

	fixture_open(&fx, NULL);
	ask = (we_extern){.kind = WE_EXTERN_FUNC};
	/* The instance re-exports nothing: find the host function through
	   the pending call of a suspended wasm call. */
	fx.env.mode = WE_HOST_SUSPEND;
	ck_assert_int_eq(we_func_call(fx.s, fn(&fx, "use_host"), &a, 1, &r, 1),
	    WE_CALL_SUSPENDED);
	ask.of.func = we_store_pending(fx.s)->func;
	we_abandon(fx.s);

	fx.env.mode = WE_HOST_OK;
	ck_assert_int_eq(
	    we_func_call(fx.s, ask.of.func, &a, 1, &r, 1), WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 42);
	fx.env.mode = WE_HOST_SUSPEND;
	ck_assert_int_eq(
	    we_func_call(fx.s, ask.of.func, &a, 1, &r, 1), WE_CALL_SUSPENDED);
	ck_assert_ptr_null(we_store_pending(fx.s)->module);
	ck_assert_int_eq(we_resume(fx.s, &hr, 1, &r, 1), WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 5);
	fx.env.mode = WE_HOST_TRAP;
	ck_assert_int_eq(
	    we_func_call(fx.s, ask.of.func, &a, 1, &r, 1), WE_CALL_TRAP);
	ck_assert_str_eq(we_store_trap(fx.s)->message, "ask refused 21");
	ck_assert_uint_eq(we_store_trap(fx.s)->nframes, 0);
	fixture_close(&fx);
}
END_TEST

START_TEST(test_call_errors)
{
	fixture fx;
	we_val args[2] = {i32(1), i64(2)}, r;

	fixture_open(&fx, NULL);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "add"), args, 1, &r, 1), WE_CALL_ERROR);
	ck_assert_str_eq(we_store_error(fx.s), "expected 2 arguments, got 1");
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "add"), args, 2, &r, 1), WE_CALL_ERROR);
	ck_assert_str_eq(
	    we_store_error(fx.s), "argument 1: expected i32, got i64");
	args[1] = i32(2);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "add"), args, 2, &r, 0), WE_CALL_ERROR);
	ck_assert_int_eq(
	    we_func_call(fx.s, fn(&fx, "add"), args, 2, &r, 1), WE_CALL_OK);
	ck_assert_int_eq(r.of.i32, 3);
	fixture_close(&fx);
}
END_TEST

/* Bodies are validated at load and compiled on their first call. */
START_TEST(test_lazy_compile)
{
	fixture fx;
	we_exportdesc add, fac;

	fixture_open(&fx, NULL);
	ck_assert(we_module_find_export(fx.m, "add", &add));
	ck_assert(we_module_find_export(fx.m, "fac", &fac));
	ck_assert_ptr_null(fx.m->funcs[add.index].code);
	ck_assert_ptr_null(fx.m->funcs[fac.index].code);
	ck_assert_int_eq(call_i32(&fx, "sum", 4), 10);
	ck_assert_ptr_null(fx.m->funcs[add.index].code);
	{
		we_val args[2] = {i32(1), i32(2)}, r;
		ck_assert_int_eq(
		    we_func_call(fx.s, fn(&fx, "add"), args, 2, &r, 1),
		    WE_CALL_OK);
	}
	ck_assert_ptr_nonnull(fx.m->funcs[add.index].code);
	ck_assert_ptr_null(fx.m->funcs[fac.index].code);
	fixture_close(&fx);
}
END_TEST

/* A module whose one function, () -> i32, has body `body`. */
static we_module *
module_with_body(const uint8_t *body, uint8_t len, we_error *err)
{
	uint8_t bytes[64] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, /* type () -> i32 */
	    0x03, 0x02, 0x01, 0x00,                   /* one function */
	    0x0a, (uint8_t)(len + 3), 0x01, (uint8_t)(len + 1), 0x00};
	size_t n = 24;

	memcpy(bytes + n, body, len);
	return we_module_new(bytes, n + len, err);
}

START_TEST(test_validation_errors)
{
	static const uint8_t mismatch[] = {0x42, 0x00, 0x0b}; /* i64.const */
	static const uint8_t illegal[] = {0xff, 0x0b};
	static const uint8_t no_end[] = {0x41, 0x00};
	static const uint8_t ok[] = {0x41, 0x07, 0x0b};
	static const uint8_t bad_label[] = {0x41, 0x00, 0x0c, 0x05, 0x0b};
	we_module *m;
	we_error err;

	ck_assert_ptr_null(module_with_body(mismatch, 3, &err));
	ck_assert_int_eq(err.code, WE_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "function 0"));
	ck_assert_ptr_nonnull(strstr(err.message, "type mismatch"));
	ck_assert_ptr_null(module_with_body(illegal, 2, &err));
	ck_assert_int_eq(err.code, WE_ERR_MALFORMED);
	ck_assert_ptr_nonnull(strstr(err.message, "illegal opcode"));
	ck_assert_uint_eq(err.offset, 24);
	ck_assert_ptr_null(module_with_body(no_end, 2, &err));
	ck_assert_int_eq(err.code, WE_ERR_MALFORMED);
	ck_assert_ptr_null(module_with_body(bad_label, 5, &err));
	ck_assert_int_eq(err.code, WE_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "unknown label"));
	m = module_with_body(ok, 3, &err);
	ck_assert_msg(m != NULL, "%s", err.message);
	we_module_free(m);
}
END_TEST

static Suite *
exec_suite(void)
{
	Suite *s = suite_create("engine_exec");
	TCase *tc = tcase_create("exec");

	tcase_add_test(tc, test_arithmetic);
	tcase_add_test(tc, test_float_rules);
	tcase_add_test(tc, test_br_table);
	tcase_add_test(tc, test_multi_value);
	tcase_add_test(tc, test_trap_backtrace);
	tcase_add_test(tc, test_memory);
	tcase_add_test(tc, test_call_stack_exhausted);
	tcase_add_test(tc, test_fuel);
	tcase_add_test(tc, test_interrupt);
	tcase_add_test(tc, test_host_call);
	tcase_add_test(tc, test_suspend_resume);
	tcase_add_test(tc, test_direct_host_call);
	tcase_add_test(tc, test_call_errors);
	tcase_add_test(tc, test_validation_errors);
	tcase_add_test(tc, test_lazy_compile);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(exec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
