/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_gc_collect_test.c: unit tests of the collector of GC objects
 * (engine/collect.c): garbage made in a loop is freed during the call,
 * so it fits a store limit it would otherwise pass; objects reachable
 * only from the operand stack, locals, globals, tables (externref ones
 * too), element segments, an exception's values and through a deep chain
 * survive a collection forced mid-call with their fields intact; cycles
 * and unreachable chains are freed (the counters say so); a reference
 * the host kept from an earlier call and that was collected is refused
 * when passed back; we_store_collect is refused while a call runs or is
 * suspended; nothing is collected inside a host function (an object it
 * holds in a C local survives its own allocations). The modules are
 * text, converted by libwasmd-wat.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

#include "wat.h"

/*
 * $node: a value and a link. Every function of the tests builds on it;
 * $garbage makes n nodes of value -1 (each charged 64 bytes: 32 of
 * object, 32 of bookkeeping) and drops them, so a freed node that a
 * root still reached would read -1 once reused.
 */
static const char gc_wat[] =
    "(module"
    " (type $node (struct (field $v i64) (field $next (mut (ref null "
    "$node)))))"
    " (type $nodes (array (mut (ref null $node))))"
    " (tag $x (param (ref null $node)))"
    " (global $g (export \"g\") (mut (ref null $node)) (ref.null $node))"
    " (global $ex (mut exnref) (ref.null exn))"
    " (global $hb (mut anyref) (ref.null any))"
    " (global (export \"any\") (mut anyref) (ref.null any))"
    " (table $t (export \"t\") 1 (ref null $node))"
    " (table $xt 1 externref)"
    " (elem $e (ref null $node) (item (struct.new $node (i64.const 77)"
    "  (ref.null $node))))"
    " (func $node (param i64 (ref null $node)) (result (ref $node))"
    "  (struct.new $node (local.get 0) (local.get 1)))"
    " (func $garbage (export \"garbage\") (param $n i32) (result i32)"
    "  (local $i i32)"
    "  (loop $l"
    "   (drop (call $node (i64.const -1) (ref.null $node)))"
    "   (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i)"
    "    (i32.const 1))) (local.get $n))))"
    "  (local.get $n))"
    /* The chain n-1 -> ... -> 0. */
    " (func $chain (export \"chain\") (param $n i32) (result (ref null "
    "$node))"
    "  (local $c (ref null $node)) (local $i i32)"
    "  (block $d (loop $l"
    "   (br_if $d (i32.ge_u (local.get $i) (local.get $n)))"
    "   (local.set $c (call $node (i64.extend_i32_u (local.get $i))"
    "    (local.get $c)))"
    "   (local.set $i (i32.add (local.get $i) (i32.const 1)))"
    "   (br $l)))"
    "  (local.get $c))"
    " (func $sum (param $c (ref null $node)) (result i64) (local $s i64)"
    "  (block $d (loop $l"
    "   (br_if $d (ref.is_null (local.get $c)))"
    "   (local.set $s (i64.add (local.get $s)"
    "    (struct.get $node $v (local.get $c))))"
    "   (local.set $c (struct.get $node $next (local.get $c)))"
    "   (br $l)))"
    "  (local.get $s))"
    " (func $throw5 (throw $x (call $node (i64.const 5) (ref.null $node))))"
    " (func $use (param (ref $node) i32) (result i64)"
    "  (struct.get $node $v (local.get 0)))"
    /* Objects in every kind of root, then garbage: a node on the
       operand stack (the first argument of $use while $garbage runs),
       in a local, a global, a table, an externref table, an exception's
       values, an element segment, a chain of 100000 in a local, and a
       host externref's box in a global. */
    " (func (export \"roots\") (param $host externref) (param $n i32)"
    "  (result i64 i64 i64 i64 i64 i64 i64 i64 externref)"
    "  (local $l (ref null $node)) (local $deep (ref null $node))"
    "  (local $r i64)"
    "  (local.set $l (call $node (i64.const 1) (ref.null $node)))"
    "  (global.set $g (call $node (i64.const 2) (ref.null $node)))"
    "  (table.set $t (i32.const 0) (call $node (i64.const 3)"
    "   (ref.null $node)))"
    "  (table.set $xt (i32.const 0) (extern.convert_any (call $node"
    "   (i64.const 4) (ref.null $node))))"
    "  (block $h (result exnref)"
    "   (try_table (catch_all_ref $h) (call $throw5)) (unreachable))"
    "  (global.set $ex)"
    "  (global.set $hb (any.convert_extern (local.get $host)))"
    "  (local.set $deep (call $chain (i32.const 100000)))"
    "  (local.set $r (call $use (call $node (i64.const 6) (ref.null $node))"
    "   (call $garbage (local.get $n))))"
    "  (local.get $r)"
    "  (struct.get $node $v (local.get $l))"
    "  (struct.get $node $v (global.get $g))"
    "  (struct.get $node $v (table.get $t (i32.const 0)))"
    "  (struct.get $node $v (ref.cast (ref $node) (any.convert_extern"
    "   (table.get $xt (i32.const 0)))))"
    "  (block $h2 (result (ref null $node))"
    "   (try_table (catch $x $h2) (throw_ref (global.get $ex)))"
    "   (unreachable))"
    "  (struct.get $node $v)"
    "  (struct.get $node $v (array.get $nodes (array.new_elem $nodes $e"
    "   (i32.const 0) (i32.const 1)) (i32.const 0)))"
    "  (call $sum (local.get $deep))"
    "  (extern.convert_any (global.get $hb)))"
    /* Two nodes linked both ways, then dropped. */
    " (func (export \"cycle\")"
    "  (local $a (ref null $node)) (local $b (ref null $node))"
    "  (local.set $a (call $node (i64.const 8) (ref.null $node)))"
    "  (local.set $b (call $node (i64.const 9) (local.get $a)))"
    "  (struct.set $node $next (local.get $a) (local.get $b)))"
    " (func (export \"make\") (param i64) (result (ref null $node))"
    "  (call $node (local.get 0) (ref.null $node)))"
    " (func (export \"get\") (param (ref null $node)) (result i64)"
    "  (struct.get $node $v (local.get 0)))"
    " (func (export \"keep\") (param i32)"
    "  (global.set $g (call $chain (local.get 0))))"
    ")";

/* The module of text; asserts it converts and decodes. */
static we_module *
module_of(const char *text)
{
	uint8_t *bin;
	size_t len;
	wat_error werr;
	we_error err;
	we_module *m;

	ck_assert_msg(wat_to_wasm(text, strlen(text), &bin, &len, &werr) == 0,
	    "wat %u:%u: %s", werr.line, werr.col, werr.message);
	m = we_module_new(bin, len, &err);
	free(bin);
	ck_assert_msg(m != NULL, "module: %s", err.message);
	return m;
}

/* The instance of gc_wat in a new store of limit bytes (0: the default). */
static we_instance *
instance_new(uint64_t limit, we_store **s, we_module **m)
{
	we_config c = {.max_store_bytes = limit};
	we_error err;
	we_instance *inst;

	*m = module_of(gc_wat);
	*s = we_store_new(&c);
	inst = we_instance_new(*s, *m, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "instance: %s", err.message);
	return inst;
}

/* Calls export name; asserts it returns. */
static void
call_ok(we_store *s, we_instance *inst, const char *name, const we_val *args,
    size_t nargs, we_val *res, size_t nres)
{
	we_call_status st = we_func_call(
	    s, we_instance_func(inst, name), args, nargs, res, nres);

	ck_assert_msg(st == WE_CALL_OK, "%s: status %d: %s %s", name, st,
	    we_store_error(s),
	    st == WE_CALL_TRAP ? we_store_trap(s)->message : "");
}

static we_gc_stats
stats(const we_store *s)
{
	we_gc_stats st;

	we_store_gc_stats(s, &st);
	return st;
}

static we_val
i32(int32_t x)
{
	return (we_val){.type = WE_I32, .of.i32 = x};
}

START_TEST(test_garbage_loop)
{
	/* 10^6 nodes of 64 bytes (61 MiB) under a limit of 4 MiB. */
	we_store *s;
	we_module *m;
	we_instance *inst = instance_new(4 << 20, &s, &m);
	we_val a = i32(1000000), r;
	we_gc_stats st;

	call_ok(s, inst, "garbage", &a, 1, &r, 1);
	ck_assert_int_eq(r.of.i32, 1000000);
	st = stats(s);
	ck_assert_uint_ge(st.collections, 15);
	ck_assert_uint_ge(st.freed, 1000000 - (4 << 20) / 64);
	ck_assert_uint_le(st.objects, (4 << 20) / 64);
	ck_assert_uint_le(st.bytes, 4 << 20);
	/* Each collection waits for 1 MiB of new objects at least. */
	ck_assert_uint_le(st.collections, 64);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_live_set_past_limit_traps)
{
	/* A chain that is all alive does not fit: 10^5 nodes are 6.4 MB. */
	we_store *s;
	we_module *m;
	we_instance *inst = instance_new(4 << 20, &s, &m);
	we_val a = i32(100000);

	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "keep"), &a, 1, NULL, 0),
	    WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(s)->kind, WE_TRAP_HOST);
	ck_assert_msg(strstr(we_store_trap(s)->message,
	                  "out of memory for a GC object") != NULL,
	    "%s", we_store_trap(s)->message);
	/* 50000 fit, with the garbage of the first attempt collected. */
	a = i32(50000);
	call_ok(s, inst, "keep", &a, 1, NULL, 0);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_roots_survive)
{
	/* 600000 nodes of garbage (38 MB) under 16 MiB: several
	   collections while every root holds its node. */
	we_store *s;
	we_module *m;
	we_instance *inst = instance_new(16 << 20, &s, &m);
	int host;
	we_val a[2] = {
	    {.type = WE_EXTERNREF, .of.externref = &host}, i32(600000)};
	we_val r[9];
	static const int64_t want[8] = {6, 1, 2, 3, 4, 5, 77, 4999950000};
	we_gc_stats st;

	call_ok(s, inst, "roots", a, 2, r, 9);
	for (int i = 0; i < 8; i++)
		ck_assert_msg(r[i].of.i64 == want[i],
		    "result %d: %lld, want %lld", i, (long long)r[i].of.i64,
		    (long long)want[i]);
	ck_assert_ptr_eq(r[8].of.externref, &host);
	st = stats(s);
	ck_assert_uint_ge(st.collections, 2);
	ck_assert_uint_ge(st.freed, 500000);
	/* The chain and the rooted nodes are alive, not the garbage. */
	ck_assert_uint_ge(st.objects, 100000);
	ck_assert_uint_le(st.objects, 300000);
	/* Between calls the stack is no root: what stays is the nodes of
	   the global, the table, the externref table, the exception and
	   the segment, and the host externref's box. */
	ck_assert_int_eq(we_store_collect(s), WE_OK);
	ck_assert_uint_eq(stats(s).objects, 6);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_cycles_and_chains_freed)
{
	we_store *s;
	we_module *m;
	we_instance *inst = instance_new(0, &s, &m);
	we_val a = i32(10000), r;
	we_gc_stats st;

	/* The element segment's node is made at instantiation. Under
	   1 MiB of objects (16384 nodes), no collection runs by itself. */
	ck_assert_uint_eq(stats(s).objects, 1);
	call_ok(s, inst, "cycle", NULL, 0, NULL, 0);
	call_ok(s, inst, "chain", &a, 1, &r, 1); /* dropped by the host */
	ck_assert_uint_eq(stats(s).objects, 10003);
	ck_assert_uint_eq(stats(s).collections, 0);
	ck_assert_int_eq(we_store_collect(s), WE_OK);
	st = stats(s);
	ck_assert_uint_eq(st.objects, 1);
	ck_assert_uint_eq(st.freed, 10002);
	ck_assert_uint_eq(st.collections, 1);
	ck_assert_uint_eq(st.bytes, 64);
	/* A chain of 100000 held by a global stays; cleared, it goes. */
	a = i32(100000);
	call_ok(s, inst, "keep", &a, 1, NULL, 0);
	ck_assert_int_eq(we_store_collect(s), WE_OK);
	ck_assert_uint_eq(stats(s).objects, 100001);
	a = i32(0);
	call_ok(s, inst, "keep", &a, 1, NULL, 0);
	ck_assert_int_eq(we_store_collect(s), WE_OK);
	st = stats(s);
	ck_assert_uint_eq(st.objects, 1);
	ck_assert_uint_eq(st.freed, 110002);
	ck_assert_uint_eq(st.bytes, 64);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_stale_host_ref_refused)
{
	we_store *s;
	we_module *m;
	we_instance *inst = instance_new(0, &s, &m);
	we_val a = {.type = WE_I64, .of.i64 = 42}, kept, stale, r;
	we_extern g, t;

	ck_assert(we_instance_export(inst, "any", &g));
	ck_assert(we_instance_export(inst, "t", &t));
	call_ok(s, inst, "make", &a, 1, &stale, 1);
	ck_assert_int_eq(stale.type, WE_ANYREF);
	call_ok(s, inst, "get", &stale, 1, &r, 1);
	ck_assert_int_eq(r.of.i64, 42);
	/* One kept in a global survives; the other is freed. */
	a.of.i64 = 43;
	call_ok(s, inst, "make", &a, 1, &kept, 1);
	ck_assert(we_global_set(g.of.global, kept));
	ck_assert_int_eq(we_store_collect(s), WE_OK);
	ck_assert_uint_eq(stats(s).objects, 2); /* kept, the segment's */
	call_ok(s, inst, "get", &kept, 1, &r, 1);
	ck_assert_int_eq(r.of.i64, 43);
	/* The stale one is refused everywhere, never read. */
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "get"), &stale, 1, &r, 1),
	    WE_CALL_ERROR);
	ck_assert_msg(strstr(we_store_error(s), "argument 0") != NULL, "%s",
	    we_store_error(s));
	ck_assert(!we_global_set(g.of.global, stale));
	ck_assert(!we_table_set(t.of.table, 0, stale));
	ck_assert(we_table_set(t.of.table, 0, kept));
	we_store_free(s);
	we_module_free(m);
}
END_TEST

/* A host function that collects its store: the we_err it got. */
static we_host_status
host_collect(we_hostcall *hc)
{
	hc->results[0].of.i32 = (int32_t)we_store_collect(hc->store);
	return WE_HOST_OK;
}

static we_host_status
host_suspend(we_hostcall *hc)
{
	(void)hc;
	return WE_HOST_SUSPEND;
}

START_TEST(test_collect_refused_in_a_call)
{
	static const char wat[] =
	    "(module (import \"h\" \"c\" (func $c (result i32)))"
	    " (import \"h\" \"s\" (func $s (result i32)))"
	    " (func (export \"c\") (result i32) (call $c))"
	    " (func (export \"s\") (result i32) (call $s)))";
	static const we_valtype i32t[] = {WE_I32};
	we_functype ft = {0, 1, NULL, i32t};
	we_store *s = we_store_new(NULL);
	we_import imps[2] = {{"h", "c",
	                         {.kind = WE_EXTERN_FUNC,
	                             .of.func = we_func_new_host(
	                                 s, &ft, host_collect, NULL, NULL)}},
	    {"h", "s",
	        {.kind = WE_EXTERN_FUNC,
	            .of.func =
	                we_func_new_host(s, &ft, host_suspend, NULL, NULL)}}};
	we_module *m = module_of(wat);
	we_error err;
	we_instance *inst;
	we_val r;

	inst = we_instance_new(s, m, imps, 2, &err);
	ck_assert_msg(inst != NULL, "%s", err.message);
	call_ok(s, inst, "c", NULL, 0, &r, 1);
	ck_assert_int_eq(r.of.i32, WE_ERR_ARG);
	ck_assert_int_eq(
	    we_func_call(s, we_instance_func(inst, "s"), NULL, 0, &r, 1),
	    WE_CALL_SUSPENDED);
	ck_assert_int_eq(we_store_collect(s), WE_ERR_ARG);
	ck_assert_msg(strstr(we_store_error(s), "suspended") != NULL, "%s",
	    we_store_error(s));
	we_abandon(s);
	ck_assert_int_eq(we_store_collect(s), WE_OK);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

/* Boxes a host pointer, then 40000 more (2.2 MB of objects) that it
 * drops, and returns the first: alive only in this C local. */
static int boxed[40001];

static we_host_status
host_boxes(we_hostcall *hc)
{
	we_val ext = {.type = WE_EXTERNREF, .of.externref = boxed}, first,
	       other;

	if (!we_any_convert_extern(hc->store, ext, &first))
		return WE_HOST_TRAP;
	for (int i = 0; i < 40000; i++) {
		ext.of.externref = &boxed[i + 1];
		if (!we_any_convert_extern(hc->store, ext, &other))
			return WE_HOST_TRAP;
	}
	hc->results[0] = first;
	return WE_HOST_OK;
}

START_TEST(test_no_collection_in_a_host_function)
{
	static const char wat[] =
	    "(module (import \"h\" \"b\" (func $b (result anyref)))"
	    " (func (export \"b\") (result externref)"
	    "  (extern.convert_any (call $b))))";
	static const we_valtype anyt[] = {WE_ANYREF};
	we_functype ft = {0, 1, NULL, anyt};
	we_store *s = we_store_new(NULL);
	we_import imp = {"h", "b",
	    {.kind = WE_EXTERN_FUNC,
	        .of.func = we_func_new_host(s, &ft, host_boxes, NULL, NULL)}};
	we_module *m = module_of(wat);
	we_error err;
	we_instance *inst;
	we_val r;

	inst = we_instance_new(s, m, &imp, 1, &err);
	ck_assert_msg(inst != NULL, "%s", err.message);
	/* The first box came back (a collection in the host function would
	   have freed it, and its result would be refused: a trap). */
	call_ok(s, inst, "b", NULL, 0, &r, 1);
	ck_assert_ptr_eq(r.of.externref, boxed);
	ck_assert_uint_eq(stats(s).collections, 0);
	ck_assert_uint_eq(stats(s).objects, 40001);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

static Suite *
gc_collect_suite(void)
{
	Suite *su = suite_create("engine_gc_collect");
	TCase *tc = tcase_create("collect");

	tcase_add_test(tc, test_garbage_loop);
	tcase_add_test(tc, test_live_set_past_limit_traps);
	tcase_add_test(tc, test_roots_survive);
	tcase_add_test(tc, test_cycles_and_chains_freed);
	tcase_add_test(tc, test_stale_host_ref_refused);
	tcase_add_test(tc, test_collect_refused_in_a_call);
	tcase_add_test(tc, test_no_collection_in_a_host_function);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(gc_collect_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
