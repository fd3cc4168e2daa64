/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_runtime_test.c: unit tests of the engine's run-time objects:
 * linking instances together, link errors, host access to memories,
 * tables and globals, host functions reading the caller's memory, the
 * store's memory limit, and traps in data segments during instantiation.
 *
 * The fixtures are .wat files in engine_runtime/, converted to .wasm at
 * build time into RUNTIME_WASM_DIR.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <wasmd/engine.h>

#include "vm_size.h"

/* Loads RUNTIME_WASM_DIR/name.wasm; fails the test if it does not decode. */
static we_module *
load(const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s.wasm", RUNTIME_WASM_DIR, name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	static uint8_t buf[1 << 16];
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	we_error err;
	we_module *m = we_module_new(buf, len, &err);
	ck_assert_msg(m != NULL, "%s: %s", name, err.message);
	return m;
}

/* Imports every export of inst under module name mod. */
static size_t
exports_as_imports(
    const we_instance *inst, const char *mod, we_import *out, size_t cap)
{
	const we_module *m = we_instance_module(inst);
	uint32_t n = we_module_export_count(m);
	ck_assert_uint_le(n, cap);
	for (uint32_t i = 0; i < n; i++) {
		we_exportdesc d;
		we_module_export(m, i, &d);
		out[i].module = mod;
		out[i].name = d.name;
		ck_assert(we_instance_export(inst, d.name, &out[i].value));
	}
	return n;
}

static int32_t
call_i32(we_store *s, we_instance *inst, const char *name, const we_val *args,
    size_t nargs)
{
	we_func *f = we_instance_func(inst, name);
	we_val r;
	ck_assert_msg(f != NULL, "no export %s", name);
	we_call_status st = we_func_call(s, f, args, nargs, &r, 1);
	ck_assert_msg(st == WE_CALL_OK, "%s: status %d: %s", name, st,
	    we_store_trap(s)->message);
	ck_assert_int_eq(r.type, WE_I32);
	return r.of.i32;
}

static we_val
i32(int32_t v)
{
	we_val r = {.type = WE_I32, .of.i32 = v};
	return r;
}

START_TEST(test_link_two_modules)
{
	we_module *pm = load("provider"), *cm = load("consumer");
	we_store *s = we_store_new(NULL);
	we_error err;
	we_import imps[8];

	we_instance *p = we_instance_new(s, pm, NULL, 0, &err);
	ck_assert_msg(p != NULL, "%s", err.message);
	size_t n = exports_as_imports(p, "p", imps, 8);
	we_instance *c = we_instance_new(s, cm, imps, n, &err);
	ck_assert_msg(c != NULL, "%s", err.message);

	/* Imported function, memory (data from the provider) and global. */
	ck_assert_int_eq(call_i32(s, c, "sum", NULL, 0), 82);
	/* A global set by the consumer is seen through the provider. */
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(c, "bump"), NULL, 0, NULL, 0),
	    WE_CALL_OK);
	we_extern g;
	ck_assert(we_instance_export(p, "g", &g));
	ck_assert_int_eq(we_global_get(g.of.global).of.i32, 41);
	/* The provider's element segment filled the shared table. */
	ck_assert_int_eq(call_i32(s, c, "via_table", NULL, 0), 7);
	/* A store by the consumer lands in the provider's memory. */
	we_val args[2] = {i32(200), i32(0x01020304)};
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(c, "store"), args, 2, NULL, 0),
	    WE_CALL_OK);
	uint32_t word = 0;
	ck_assert(we_memory_read(we_instance_memory(p, 0), 200, &word, 4));
	ck_assert_uint_eq(word, 0x01020304);
	ck_assert_ptr_eq(we_instance_memory(p, 0), we_instance_memory(c, 0));
	ck_assert_ptr_eq(we_instance_table(p, 0), we_instance_table(c, 0));

	we_store_free(s);
	we_module_free(cm);
	we_module_free(pm);
}
END_TEST

START_TEST(test_link_errors_name_the_import)
{
	we_module *pm = load("provider"), *cm = load("consumer");
	we_store *s = we_store_new(NULL);
	we_error err;
	we_import imps[8];

	we_instance *p = we_instance_new(s, pm, NULL, 0, &err);
	ck_assert_ptr_nonnull(p);
	size_t n = exports_as_imports(p, "p", imps, 8);

	/* Missing: drop p.add (the first export). */
	ck_assert_ptr_null(we_instance_new(s, cm, imps + 1, n - 1, &err));
	ck_assert_int_eq(err.code, WE_ERR_LINK);
	ck_assert_msg(strstr(err.message, "p.add") != NULL, "%s", err.message);
	ck_assert_msg(
	    strstr(err.message, "unknown import") != NULL, "%s", err.message);

	/* Wrong type: offer the immutable i64 global k as p.g. */
	we_import bad[9];
	memcpy(bad, imps, n * sizeof(*bad));
	bad[n] = (we_import){"p", "g", {WE_EXTERN_GLOBAL, {.global = NULL}}};
	we_extern k;
	ck_assert(we_instance_export(p, "k", &k));
	bad[n].value = k; /* later entries win */
	ck_assert_ptr_null(we_instance_new(s, cm, bad, n + 1, &err));
	ck_assert_int_eq(err.code, WE_ERR_LINK);
	ck_assert_msg(
	    strstr(err.message, "incompatible import type for p.g") != NULL,
	    "%s", err.message);

	/* A function offered where a global is expected. */
	bad[n] = imps[0];
	bad[n].name = "g"; /* a function where a global is expected */
	ck_assert_ptr_null(we_instance_new(s, cm, bad, n + 1, &err));
	ck_assert_int_eq(err.code, WE_ERR_LINK);

	we_store_free(s);
	we_module_free(cm);
	we_module_free(pm);
}
END_TEST

START_TEST(test_host_memory_access)
{
	we_store *s = we_store_new(NULL);
	we_memtype mt = {.limits = {1, 3, true}};
	we_memory *m = we_memory_new(s, &mt);
	uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8}, back[8];

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(we_memory_pages(m), 1);
	ck_assert_uint_eq(we_memory_size(m), 65536);
	ck_assert(we_memory_write(m, 65528, buf, 8));
	ck_assert(we_memory_read(m, 65528, back, 8));
	ck_assert_mem_eq(buf, back, 8);
	ck_assert(!we_memory_write(m, 65529, buf, 8));
	ck_assert(!we_memory_read(m, UINT64_MAX, back, 8));
	ck_assert(!we_memory_read(m, 8, back, SIZE_MAX));
	ck_assert(we_memory_read(m, 65536, back, 0));
	/* New pages are zero; the old contents stay. */
	ck_assert_int_eq(we_memory_grow(m, 2), 1);
	ck_assert_uint_eq(we_memory_pages(m), 3);
	ck_assert(we_memory_read(m, 65528, back, 8));
	ck_assert_mem_eq(buf, back, 8);
	ck_assert(we_memory_read(m, 3 * 65536 - 8, back, 8));
	ck_assert_int_eq(back[0] | back[7], 0);
	ck_assert_int_eq(we_memory_grow(m, 1), -1); /* above max 3 */
	ck_assert_int_eq(we_memory_grow(m, 0), 3);

	/* A maximum below the minimum is refused. */
	we_memtype bad = {.limits = {2, 1, true}};
	ck_assert_ptr_null(we_memory_new(s, &bad));
	we_store_free(s);
}
END_TEST

START_TEST(test_host_global_access)
{
	we_store *s = we_store_new(NULL);
	we_globaltype ct = {WE_I32, false}, mt = {WE_F64, true};
	we_global *c = we_global_new(s, &ct, i32(5));
	we_val f = {.type = WE_F64, .of.f64 = 1.5};
	we_global *v = we_global_new(s, &mt, f);

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(v);
	ck_assert(!we_global_set(c, i32(6))); /* immutable */
	ck_assert_int_eq(we_global_get(c).of.i32, 5);
	ck_assert(!we_global_set(v, i32(6))); /* wrong type */
	f.of.f64 = -2.25;
	ck_assert(we_global_set(v, f));
	ck_assert_int_eq(we_global_get(v).type, WE_F64);
	ck_assert(we_global_get(v).of.f64 == -2.25);
	/* An initial value of the wrong type is refused. */
	ck_assert_ptr_null(we_global_new(s, &mt, i32(1)));
	we_store_free(s);
}
END_TEST

START_TEST(test_host_table_access)
{
	we_store *s = we_store_new(NULL);
	we_tabletype tt = {.elem = WE_EXTERNREF, .limits = {2, 4, true}};
	we_val null = {.type = WE_EXTERNREF};
	we_val ref = {.type = WE_EXTERNREF, .of.externref = &tt};
	we_val out;
	we_table *t = we_table_new(s, &tt, null);

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(we_table_size(t), 2);
	ck_assert(we_table_set(t, 1, ref));
	ck_assert(we_table_get(t, 1, &out));
	ck_assert_int_eq(out.type, WE_EXTERNREF);
	ck_assert_ptr_eq(out.of.externref, &tt);
	ck_assert(!we_table_get(t, 2, &out));
	ck_assert(!we_table_set(t, 2, ref));
	we_val fref = {.type = WE_FUNCREF};
	ck_assert(!we_table_set(t, 0, fref)); /* wrong reference type */
	ck_assert_int_eq(we_table_grow(t, 2, ref), 2);
	ck_assert(we_table_get(t, 3, &out));
	ck_assert_ptr_eq(out.of.externref, &tt);
	ck_assert_int_eq(we_table_grow(t, 1, ref), -1); /* above max 4 */
	ck_assert_ptr_null(we_table_new(s, &tt, fref));
	we_store_free(s);
}
END_TEST

typedef struct log_env {
	char seen[64];
	int calls;
} log_env;

/* env.log(ptr, len): copies the string from the caller's memory. */
static we_host_status
host_log(we_hostcall *call)
{
	log_env *env = call->env;
	uint32_t ptr = (uint32_t)call->args[0].of.i32;
	uint32_t len = (uint32_t)call->args[1].of.i32;
	we_memory *mem =
	    call->caller ? we_instance_memory(call->caller, 0) : NULL;

	if (mem == NULL || len >= sizeof(env->seen) ||
	    !we_memory_read(mem, ptr, env->seen, len)) {
		snprintf(call->message, WE_MSG_MAX, "bad string");
		return WE_HOST_TRAP;
	}
	env->seen[len] = '\0';
	env->calls++;
	call->results[0] = i32((int32_t)len);
	return WE_HOST_OK;
}

START_TEST(test_host_function_reads_caller_memory)
{
	we_module *m = load("hostcall");
	we_store *s = we_store_new(NULL);
	static const we_valtype params[] = {WE_I32, WE_I32},
	                        results[] = {WE_I32};
	we_functype ft = {2, 1, params, results};
	log_env *env = calloc(1, sizeof(*env));
	we_func *log = we_func_new_host(s, &ft, host_log, env, NULL);
	we_error err;

	ck_assert_ptr_nonnull(log);
	ck_assert_uint_eq(we_func_type(log)->nparams, 2);
	we_import imp = {"env", "log", {WE_EXTERN_FUNC, {.func = log}}};
	we_instance *inst = we_instance_new(s, m, &imp, 1, &err);
	ck_assert_msg(inst != NULL, "%s", err.message);
	ck_assert_int_eq(call_i32(s, inst, "run", NULL, 0), 11);
	ck_assert_int_eq(env->calls, 1);
	ck_assert_str_eq(env->seen, "hello, host");
	we_store_free(s);
	we_module_free(m);
	free(env);
}
END_TEST

static int env_freed;

static void
count_free(void *p)
{
	env_freed++;
	free(p);
}

START_TEST(test_host_env_freed_with_store)
{
	we_store *s = we_store_new(NULL);
	we_functype ft = {0, 0, NULL, NULL};

	env_freed = 0;
	ck_assert_ptr_nonnull(
	    we_func_new_host(s, &ft, host_log, malloc(8), count_free));
	we_store_free(s);
	ck_assert_int_eq(env_freed, 1);
}
END_TEST

START_TEST(test_memory_limit)
{
	we_module *m = load("grow"), *big = load("bigmem");
	we_config cfg = {.max_memory_pages = 4};
	we_store *s = we_store_new(&cfg);
	we_error err;

	we_instance *inst = we_instance_new(s, m, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "%s", err.message);
	we_val three = i32(3), one = i32(1);
	ck_assert_int_eq(call_i32(s, inst, "grow", &one, 1), 1);
	/* 2 + 3 pages is above the store's limit of 4. */
	ck_assert_int_eq(call_i32(s, inst, "grow", &three, 1), -1);
	ck_assert_int_eq(call_i32(s, inst, "size", NULL, 0), 2);
	we_memory *mem = we_instance_memory(inst, 0);
	ck_assert_int_eq(we_memory_grow(mem, 3), -1);
	ck_assert_int_eq(we_memory_grow(mem, 2), 2);
	ck_assert_int_eq(call_i32(s, inst, "size", NULL, 0), 4);
	ck_assert_int_eq(call_i32(s, inst, "grow", &one, 1), -1);

	/* A declared minimum above the limit cannot be instantiated. */
	ck_assert_ptr_null(we_instance_new(s, big, NULL, 0, &err));
	ck_assert_int_eq(err.code, WE_ERR_LIMIT);
	we_store_free(s);
	we_module_free(big);
	we_module_free(m);
}
END_TEST

START_TEST(test_data_segment_trap)
{
	we_module *m = load("datatrap");
	we_store *s = we_store_new(NULL);
	we_memtype mt = {.limits = {1, 1, true}};
	we_memory *mem = we_memory_new(s, &mt);
	we_import imp = {"p", "mem", {WE_EXTERN_MEMORY, {.memory = mem}}};
	we_error err;
	char ok[2];

	ck_assert_ptr_null(we_instance_new(s, m, &imp, 1, &err));
	ck_assert_int_eq(err.code, WE_ERR_TRAP);
	ck_assert_int_eq(we_store_trap(s)->kind, WE_TRAP_MEMORY_OUT_OF_BOUNDS);
	/* The first segment was written before the second trapped. */
	ck_assert(we_memory_read(mem, 0, ok, 2));
	ck_assert_mem_eq(ok, "ok", 2);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

static we_host_status
host_suspend(we_hostcall *call)
{
	(void)call;
	return WE_HOST_SUSPEND;
}

START_TEST(test_start_suspending_fails_cleanly)
{
	we_module *m = load("startsuspend"), *g = load("grow");
	we_store *s = we_store_new(NULL);
	we_functype ft = {0, 0, NULL, NULL};
	we_func *wait = we_func_new_host(s, &ft, host_suspend, NULL, NULL);
	we_import imp = {"env", "wait", {WE_EXTERN_FUNC, {.func = wait}}};
	we_error err;

	ck_assert_ptr_null(we_instance_new(s, m, &imp, 1, &err));
	ck_assert_int_eq(err.code, WE_ERR_ARG);
	ck_assert_msg(
	    strstr(err.message, "suspended") != NULL, "%s", err.message);
	/* The store was left idle: it instantiates and runs again. */
	ck_assert_ptr_null(we_store_pending(s));
	we_instance *inst = we_instance_new(s, g, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "%s", err.message);
	ck_assert_int_eq(call_i32(s, inst, "size", NULL, 0), 1);
	we_store_free(s);
	we_module_free(g);
	we_module_free(m);
}
END_TEST

START_TEST(test_elem_segment_trap)
{
	we_module *m = load("elemtrap");
	we_store *s = we_store_new(NULL);
	we_tabletype tt = {.elem = WE_FUNCREF, .limits = {1, 1, true}};
	we_val null = {.type = WE_FUNCREF}, out;
	we_table *t = we_table_new(s, &tt, null);
	we_import imp = {"p", "tab", {WE_EXTERN_TABLE, {.table = t}}};
	we_error err;

	ck_assert_ptr_null(we_instance_new(s, m, &imp, 1, &err));
	ck_assert_int_eq(err.code, WE_ERR_TRAP);
	ck_assert_int_eq(we_store_trap(s)->kind, WE_TRAP_TABLE_OUT_OF_BOUNDS);
	/* The first segment's function stays in the shared table. */
	ck_assert(we_table_get(t, 0, &out));
	ck_assert_ptr_nonnull(out.of.funcref);
	ck_assert_uint_eq(we_func_type(out.of.funcref)->nparams, 0);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_table_limit)
{
	we_module *m = load("tables"), *big = load("bigtable");
	we_config cfg = {.max_table_elems = 10};
	we_store *s = we_store_new(&cfg);
	we_val n8 = i32(8), n1 = i32(1);
	we_error err;

	we_instance *inst = we_instance_new(s, m, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "%s", err.message);
	ck_assert_int_eq(call_i32(s, inst, "grow", &n8, 1), 2);
	ck_assert_int_eq(call_i32(s, inst, "grow", &n1, 1), -1);
	ck_assert_uint_eq(we_table_size(we_instance_table(inst, 0)), 10);
	ck_assert_ptr_null(we_instance_new(s, big, NULL, 0, &err));
	ck_assert_int_eq(err.code, WE_ERR_LIMIT);
	we_store_free(s);
	we_module_free(big);
	we_module_free(m);
}
END_TEST

START_TEST(test_grow_respects_rlimit_as)
{
#ifdef UNDER_ASAN
	return; /* ASan reserves terabytes of shadow: no RLIMIT_AS here */
#else
	we_store *s = we_store_new(NULL);
	we_memtype mt = {.limits = {1, 0, false}};
	we_memory *m = we_memory_new(s, &mt);
	ck_assert_ptr_nonnull(m);

	/* Allow 256 MiB more than now: 2 GiB of memory cannot fit. */
	struct rlimit rl = {
	    .rlim_cur = vm_size() + (256u << 20), .rlim_max = RLIM_INFINITY};
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &rl), 0);
	ck_assert_int_eq(we_memory_grow(m, 32768), -1);
	ck_assert_uint_eq(we_memory_pages(m), 1);
	/* A growth that fits still works, and the memory is usable. */
	ck_assert_int_eq(we_memory_grow(m, 16), 1);
	uint8_t byte = 7;
	ck_assert(we_memory_write(m, 17 * 65536 - 1, &byte, 1));
	we_store_free(s);
#endif
}
END_TEST

static Suite *
runtime_suite(void)
{
	Suite *s = suite_create("engine_runtime");
	TCase *tc = tcase_create("runtime");

	tcase_add_test(tc, test_link_two_modules);
	tcase_add_test(tc, test_link_errors_name_the_import);
	tcase_add_test(tc, test_host_memory_access);
	tcase_add_test(tc, test_host_global_access);
	tcase_add_test(tc, test_host_table_access);
	tcase_add_test(tc, test_host_function_reads_caller_memory);
	tcase_add_test(tc, test_host_env_freed_with_store);
	tcase_add_test(tc, test_memory_limit);
	tcase_add_test(tc, test_data_segment_trap);
	tcase_add_test(tc, test_grow_respects_rlimit_as);
	tcase_add_test(tc, test_start_suspending_fails_cleanly);
	tcase_add_test(tc, test_elem_segment_trap);
	tcase_add_test(tc, test_table_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(runtime_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
