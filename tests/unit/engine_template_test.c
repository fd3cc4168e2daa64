/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_template_test.c: unit tests of cheap fresh instances and of what
 * a guest may make the engine spend: instances made from a template equal
 * plain ones (memory, globals, tables, segments, traps) and never share
 * writes; memories made from an image grow in place and by moving; a
 * reset store is as good as a new one; memory without memfd_create; the
 * store's memory limit bounds tables, element segments and globals (issue
 * 21 row 9); compiling a function body is paid in fuel (row 10).
 *
 * The fixtures are .wat files in engine_template/, converted to .wasm at
 * build time into TEMPLATE_WASM_DIR; the big bodies are generated here.
 */
#include <check.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <wasmd/engine.h>

#define PAGE 65536

/* Loads TEMPLATE_WASM_DIR/name.wasm; fails the test if it does not decode. */
static we_module *
load(const char *name)
{
	char path[1024];
	static uint8_t buf[1 << 16];

	snprintf(path, sizeof(path), "%s/%s.wasm", TEMPLATE_WASM_DIR, name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	we_error err;
	we_module *m = we_module_new(buf, len, &err);
	ck_assert_msg(m != NULL, "%s: %s", name, err.message);
	return m;
}

static we_val
i32(int32_t v)
{
	return (we_val){.type = WE_I32, .of.i32 = v};
}

/* Calls export name of inst; its status, with the i32 result in *out. */
static we_call_status
call(we_instance *inst, we_store *s, const char *name, const we_val *args,
    size_t nargs, int32_t *out)
{
	we_func *f = we_instance_func(inst, name);
	we_val r[1];

	ck_assert_msg(f != NULL, "no export %s", name);
	size_t nres = we_func_type(f)->nresults;
	we_call_status st = we_func_call(s, f, args, nargs, r, nres);
	if (st == WE_CALL_OK && nres == 1 && out != NULL)
		*out = r[0].of.i32;
	return st;
}

static int32_t
call_ok(we_instance *inst, we_store *s, const char *name, const we_val *args,
    size_t nargs)
{
	int32_t r = 0;
	we_call_status st = call(inst, s, name, args, nargs, &r);

	ck_assert_msg(st == WE_CALL_OK, "%s: status %d: %s %s", name, st,
	    we_store_trap(s)->message, we_store_error(s));
	return r;
}

static we_memory *
memory_of(we_instance *inst)
{
	we_extern e;

	ck_assert(we_instance_export(inst, "mem", &e));
	ck_assert_int_eq(e.kind, WE_EXTERN_MEMORY);
	return e.of.memory;
}

static we_val
global_of(we_instance *inst, const char *name)
{
	we_extern e;

	ck_assert(we_instance_export(inst, name, &e));
	ck_assert_int_eq(e.kind, WE_EXTERN_GLOBAL);
	return we_global_get(e.of.global);
}

/* Fails unless a and b (of data.wat) are in the same observable state. */
static void
assert_same_data_instance(
    we_instance *a, we_store *sa, we_instance *b, we_store *sb)
{
	we_memory *ma = memory_of(a), *mb = memory_of(b);

	ck_assert_uint_eq(we_memory_size(ma), we_memory_size(mb));
	ck_assert(memcmp(we_memory_data(ma), we_memory_data(mb),
	              we_memory_size(ma)) == 0);
	ck_assert_int_eq(global_of(a, "g").of.i32, global_of(b, "g").of.i32);
	ck_assert_int_eq(global_of(a, "h").of.i64, global_of(b, "h").of.i64);
	we_extern ta, tb;
	ck_assert(we_instance_export(a, "tab", &ta));
	ck_assert(we_instance_export(b, "tab", &tb));
	ck_assert_uint_eq(
	    we_table_size(ta.of.table), we_table_size(tb.of.table));
	for (uint32_t i = 0; i < we_table_size(ta.of.table); i++) {
		we_val va, vb;
		ck_assert(we_table_get(ta.of.table, i, &va));
		ck_assert(we_table_get(tb.of.table, i, &vb));
		ck_assert((va.of.funcref == NULL) == (vb.of.funcref == NULL));
		if (va.of.funcref == NULL)
			continue;
		we_val arg = i32((int32_t)i);
		ck_assert_int_eq(call_ok(a, sa, "call", &arg, 1),
		    call_ok(b, sb, "call", &arg, 1));
	}
}

START_TEST(test_template_equals_plain)
{
	we_module *m = load("data");
	we_error err;
	we_template *t = we_template_new(m, &err);
	ck_assert_msg(t != NULL, "%s", err.message);
	/* The segments end at byte 70005 of two pages: an image, page-sized. */
	ck_assert_uint_ge(we_template_image_size(t), 70005);
	ck_assert_uint_le(we_template_image_size(t), 2 * PAGE);
	we_store *sa = we_store_new(NULL), *sb = we_store_new(NULL);
	we_instance *a = we_instance_new(sa, m, NULL, 0, &err);
	ck_assert_msg(a != NULL, "%s", err.message);
	we_instance *b = we_template_instantiate(sb, t, NULL, 0, &err);
	ck_assert_msg(b != NULL, "%s", err.message);
	ck_assert_int_eq(err.code, WE_OK);
	assert_same_data_instance(a, sa, b, sb);
	/* The start function ran after the image was in place. */
	we_val at = i32(100);
	ck_assert_int_eq(call_ok(b, sb, "load8", &at, 1), 33);
	ck_assert_int_eq(call_ok(b, sb, "load8", (we_val[]){i32(2)}, 1), 'L');

	/* The passive segment is there; active ones are dropped in both. */
	we_val init[3] = {i32(300), i32(0), i32(7)};
	call_ok(a, sa, "init", init, 3);
	call_ok(b, sb, "init", init, 3);
	we_val init0[3] = {i32(400), i32(0), i32(1)};
	ck_assert_int_eq(call(a, sa, "init0", init0, 3, NULL), WE_CALL_TRAP);
	ck_assert_int_eq(call(b, sb, "init0", init0, 3, NULL), WE_CALL_TRAP);
	ck_assert_int_eq(we_store_trap(sa)->kind, we_store_trap(sb)->kind);
	call_ok(a, sa, "drop", NULL, 0);
	call_ok(b, sb, "drop", NULL, 0);
	ck_assert_int_eq(call(a, sa, "init", init, 3, NULL), WE_CALL_TRAP);
	ck_assert_int_eq(call(b, sb, "init", init, 3, NULL), WE_CALL_TRAP);
	assert_same_data_instance(a, sa, b, sb);
	we_store_free(sa);
	we_store_free(sb);
	we_template_free(t);
	we_module_free(m);
}
END_TEST

/* Whether this process maps a memfd image of a template. */
static bool
maps_memfd_image(void)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		found = found || strstr(line, "memfd:wasmd-image") != NULL;
	fclose(f);
	return found;
}

START_TEST(test_template_copy_on_write)
{
	we_module *m = load("data");
	we_template *t = we_template_new(m, NULL);
	we_store *s = we_store_new(NULL);
	we_error err;
	we_instance *a = we_template_instantiate(s, t, NULL, 0, &err);
	we_instance *b = we_template_instantiate(s, t, NULL, 0, &err);
	ck_assert(a != NULL && b != NULL);
	ck_assert(maps_memfd_image());

	we_val w[2] = {i32(0), i32('X')};
	call_ok(a, s, "store8", w, 2);
	ck_assert(we_memory_write(memory_of(a), 70000, "WORLD", 5));
	ck_assert_int_eq(call_ok(a, s, "load8", (we_val[]){i32(0)}, 1), 'X');
	ck_assert_int_eq(call_ok(b, s, "load8", (we_val[]){i32(0)}, 1), 'h');
	ck_assert(
	    memcmp(we_memory_data(memory_of(b)) + 70000, "world", 5) == 0);
	/* The template may go: the instances keep their mappings. */
	we_template_free(t);
	we_instance *c = we_instance_new(s, m, NULL, 0, &err);
	ck_assert(memcmp(we_memory_data(memory_of(c)),
	              we_memory_data(memory_of(b)), 2 * PAGE) == 0);
	ck_assert_int_eq(call_ok(a, s, "load8", (we_val[]){i32(0)}, 1), 'X');
	we_store_free(s);
	we_module_free(m);
}
END_TEST

/* Grows inst's memory by one page after marking both of its parts. */
static void
grow_and_check(we_instance *inst, we_store *s, int32_t expect_old)
{
	we_memory *mem = memory_of(inst);

	ck_assert(we_memory_write(mem, 1, "E", 1));         /* in the image */
	ck_assert(we_memory_write(mem, 100000, "TAIL", 4)); /* after it */
	ck_assert_int_eq(
	    call_ok(inst, s, "grow", (we_val[]){i32(1)}, 1), expect_old);
	mem = memory_of(inst);
	uint8_t *d = we_memory_data(mem);
	ck_assert_uint_eq(
	    we_memory_size(mem), (uint64_t)(expect_old + 1) * PAGE);
	ck_assert(memcmp(d, "hELLo", 5) == 0);
	ck_assert(memcmp(d + 70000, "world", 5) == 0);
	ck_assert(memcmp(d + 100000, "TAIL", 4) == 0);
	ck_assert_int_eq(d[100], 33);
	/* The new page is zero and writable. */
	uint64_t last = (uint64_t)expect_old * PAGE;
	for (uint64_t i = last; i < last + PAGE; i += 4093)
		ck_assert_int_eq(d[i], 0);
	we_val w[2] = {i32((int32_t)(last + 5)), i32(9)};
	call_ok(inst, s, "store8", w, 2);
	ck_assert_int_eq(d[last + 5], 9);
}

START_TEST(test_template_grow)
{
	we_module *m = load("data");
	we_template *t = we_template_new(m, NULL);
	we_store *s = we_store_new(NULL);
	we_instance *a = we_template_instantiate(s, t, NULL, 0, NULL);
	ck_assert(a != NULL);
	grow_and_check(a, s, 2);

	/* Occupy the page after the memory: the next grow has to move it. */
	we_memory *mem = memory_of(a);
	uint8_t *end = we_memory_data(mem) + we_memory_size(mem);
	void *block = mmap(end, 4096, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (block == MAP_FAILED) /* something else is there already */
		ck_assert_int_eq(errno, EEXIST);
	else
		ck_assert_ptr_eq(block, end);
	grow_and_check(a, s, 3);
	ck_assert_ptr_ne(we_memory_data(memory_of(a)), end - 3 * PAGE);
	if (block != MAP_FAILED)
		munmap(block, 4096);
	for (int32_t pages = 4; pages < 8; pages++)
		grow_and_check(a, s, pages);
	/* The declared maximum (8) holds, as for a plain instance. */
	ck_assert_int_eq(call_ok(a, s, "grow", (we_val[]){i32(1)}, 1), -1);

	/* Another instance of the template still sees the image. */
	we_instance *b = we_template_instantiate(s, t, NULL, 0, NULL);
	ck_assert(memcmp(we_memory_data(memory_of(b)), "heLLo", 5) == 0);
	we_store_free(s);

	/* A store's page limit applies as to plain instances. */
	we_config c = {.max_memory_pages = 3, .max_store_bytes = 4 * PAGE};
	s = we_store_new(&c);
	a = we_template_instantiate(s, t, NULL, 0, NULL);
	ck_assert_int_eq(call_ok(a, s, "grow", (we_val[]){i32(1)}, 1), 2);
	ck_assert_int_eq(call_ok(a, s, "grow", (we_val[]){i32(1)}, 1), -1);
	we_store_free(s);
	we_template_free(t);
	we_module_free(m);
}
END_TEST

START_TEST(test_template_imported_global)
{
	we_module *m = load("importglobal");
	we_template *t = we_template_new(m, NULL);
	ck_assert_uint_eq(we_template_image_size(t), 0); /* the plain path */
	for (int32_t base = 100; base <= 200; base += 100) {
		we_store *s = we_store_new(NULL);
		we_globaltype gt = {.type = WE_I32, .mutable_ = false};
		we_import imp = {.module = "env",
		    .name = "base",
		    .value = {.kind = WE_EXTERN_GLOBAL,
		        .of.global = we_global_new(s, &gt, i32(base))}};
		we_instance *a = we_instance_new(s, m, &imp, 1, NULL);
		we_instance *b = we_template_instantiate(s, t, &imp, 1, NULL);
		ck_assert(a != NULL && b != NULL);
		ck_assert(memcmp(we_memory_data(memory_of(a)),
		              we_memory_data(memory_of(b)), PAGE) == 0);
		ck_assert(memcmp(we_memory_data(memory_of(b)) + base, "moved",
		              5) == 0);
		we_store_free(s);
	}
	we_template_free(t);
	we_module_free(m);
}
END_TEST

START_TEST(test_template_imported_memory)
{
	we_module *m = load("importmem");
	we_template *t = we_template_new(m, NULL);
	ck_assert_uint_eq(we_template_image_size(t), 0);
	we_store *s = we_store_new(NULL);
	we_memtype mt = {.limits = {.min = 1}};
	we_import imp = {.module = "env",
	    .name = "mem",
	    .value = {
	        .kind = WE_EXTERN_MEMORY, .of.memory = we_memory_new(s, &mt)}};
	ck_assert(we_template_instantiate(s, t, &imp, 1, NULL) != NULL);
	ck_assert(memcmp(we_memory_data(imp.value.of.memory) + 8, "imported",
	              8) == 0);
	we_store_free(s);
	we_template_free(t);
	we_module_free(m);
}
END_TEST

/* Instantiates m (plain) or t and expects the same trap as each other. */
static void
assert_same_failure(we_module *m, we_template *t, we_store *sa, we_store *sb,
    const we_import *ia, const we_import *ib, size_t n)
{
	we_error ea, eb;

	ck_assert_ptr_null(we_instance_new(sa, m, ia, n, &ea));
	ck_assert_ptr_null(we_template_instantiate(sb, t, ib, n, &eb));
	ck_assert_int_eq(ea.code, WE_ERR_TRAP);
	ck_assert_int_eq(eb.code, ea.code);
	ck_assert_str_eq(eb.message, ea.message);
	ck_assert_int_eq(we_store_trap(sb)->kind, we_store_trap(sa)->kind);
}

START_TEST(test_template_traps)
{
	we_module *m = load("datatrap");
	we_template *t = we_template_new(m, NULL);
	ck_assert_uint_eq(we_template_image_size(t), 0); /* it must trap */
	we_store *sa = we_store_new(NULL), *sb = we_store_new(NULL);
	assert_same_failure(m, t, sa, sb, NULL, NULL, 0);
	we_template_free(t);
	we_module_free(m);

	/* An element segment traps before the (imaged) data segments. */
	m = load("elemtrap");
	t = we_template_new(m, NULL);
	ck_assert_uint_gt(we_template_image_size(t), 0);
	we_tabletype tt = {.elem = WE_FUNCREF, .limits = {.min = 2}};
	we_val null = {.type = WE_FUNCREF, .of.funcref = NULL};
	we_import ia = {.module = "env",
	    .name = "tab",
	    .value = {.kind = WE_EXTERN_TABLE,
	        .of.table = we_table_new(sa, &tt, null)}};
	we_import ib = ia;
	ib.value.of.table = we_table_new(sb, &tt, null);
	assert_same_failure(m, t, sa, sb, &ia, &ib, 1);
	we_val va, vb;
	ck_assert(we_table_get(ia.value.of.table, 0, &va));
	ck_assert(we_table_get(ib.value.of.table, 0, &vb));
	ck_assert_ptr_nonnull(va.of.funcref);
	ck_assert_ptr_nonnull(vb.of.funcref);
	we_store_free(sa);
	we_store_free(sb);
	we_template_free(t);
	we_module_free(m);
}
END_TEST

static we_host_status
reset_from_host(we_hostcall *call)
{
	call->results[0] = i32((int32_t)we_store_reset(call->store));
	return WE_HOST_OK;
}

START_TEST(test_store_reset)
{
	we_module *m = load("data");
	we_template *t = we_template_new(m, NULL);
	we_store *s = we_store_new(NULL);

	for (int i = 0; i < 50; i++) {
		we_instance *inst =
		    we_template_instantiate(s, t, NULL, 0, NULL);
		ck_assert(inst != NULL);
		/* Each fresh instance sees the image, not the last one's write. */
		ck_assert_int_eq(
		    call_ok(inst, s, "load8", (we_val[]){i32(0)}, 1), 'h');
		call_ok(inst, s, "store8", (we_val[]){i32(0), i32('X')}, 2);
		we_store_set_fuel(s, 1);
		ck_assert_int_eq(
		    call(inst, s, "grow", (we_val[]){i32(1)}, 1, NULL),
		    WE_CALL_TRAP);
		ck_assert_int_eq(we_store_reset(s), WE_OK);
		/* Fuel is off and the trap forgotten. */
		ck_assert_uint_eq(we_store_fuel_remaining(s), UINT64_MAX);
		ck_assert_int_eq(we_store_trap(s)->kind, WE_TRAP_NONE);
	}

	/* A host function cannot reset the store running it. */
	we_valtype r = WE_I32;
	we_functype ft = {.nresults = 1, .results = &r};
	we_func *f = we_func_new_host(s, &ft, reset_from_host, NULL, NULL);
	we_val res;
	ck_assert_int_eq(we_func_call(s, f, NULL, 0, &res, 1), WE_CALL_OK);
	ck_assert_int_eq(res.of.i32, WE_ERR_ARG);
	we_store_free(s);
	we_template_free(t);
	we_module_free(m);
}
END_TEST

/*
 * In a child whose memfd_create fails with ENOSYS (a seccomp filter), a
 * template has no image and instances are made as we_instance_new makes
 * them: the same bytes, no sharing, growth as usual.
 */
static int
template_without_memfd(void)
{
	struct sock_filter code[] = {
	    BPF_STMT(
	        BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_memfd_create, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = 4, .filter = code};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		return 10;
	we_module *m = load("data");
	we_template *t = we_template_new(m, NULL);
	we_store *s = we_store_new(NULL);
	if (t == NULL || we_template_image_size(t) != 0)
		return 11;
	we_instance *a = we_template_instantiate(s, t, NULL, 0, NULL);
	we_instance *b = we_template_instantiate(s, t, NULL, 0, NULL);
	we_instance *c = we_instance_new(s, m, NULL, 0, NULL);
	if (a == NULL || b == NULL || c == NULL || maps_memfd_image())
		return 12;
	we_memory_write(memory_of(a), 0, "X", 1);
	if (memcmp(we_memory_data(memory_of(b)), we_memory_data(memory_of(c)),
	        2 * PAGE) != 0 ||
	    we_memory_data(memory_of(a))[0] != 'X')
		return 13;
	if (we_memory_grow(memory_of(a), 1) != 2 ||
	    memcmp(we_memory_data(memory_of(a)) + 70000, "world", 5) != 0)
		return 14;
	return 0;
}

START_TEST(test_template_without_memfd)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(template_without_memfd());
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child failed: status %d", status);
}
END_TEST

/* ---- Issue 21 row 9: tables count against the memory limit ----------- */

START_TEST(test_tables_bounded_by_memory_limit)
{
	we_config c = {.max_memory_pages = 1}; /* 64 KiB */
	we_store *s = we_store_new(&c);
	we_module *m = load("bigtables");
	we_error err;

	/* 12 tables of 10M elements: refused at instantiation. */
	ck_assert_ptr_null(we_instance_new(s, m, NULL, 0, &err));
	ck_assert_int_eq(err.code, WE_ERR_LIMIT);
	ck_assert_msg(strstr(err.message, "memory limit of 65536") != NULL,
	    "%s", err.message);
	we_module_free(m);
	ck_assert_int_eq(we_store_reset(s), WE_OK);

	/* Grown by the guest: table.grow returns -1 past the limit. */
	m = load("tables");
	we_instance *inst = we_instance_new(s, m, NULL, 0, &err);
	ck_assert_msg(inst != NULL, "%s", err.message);
	ck_assert_int_eq(
	    call_ok(inst, s, "grow_all", (we_val[]){i32(10000000)}, 1), -12);
	ck_assert_int_eq(
	    call_ok(inst, s, "grow_all", (we_val[]){i32(500)}, 1), 0);
	/* 12 x 500 x 8 bytes = 48,000: room for 4 more tables of 500. */
	ck_assert_int_eq(
	    call_ok(inst, s, "grow_all", (we_val[]){i32(500)}, 1), 4 * 500 - 8);
	ck_assert_int_eq(call_ok(inst, s, "size", NULL, 0), 500);
	/* The host is held to the same budget. */
	we_tabletype tt = {.elem = WE_FUNCREF, .limits = {.min = 0}};
	we_val null = {.type = WE_FUNCREF, .of.funcref = NULL};
	we_table *host = we_table_new(s, &tt, null);
	ck_assert_int_eq(we_table_grow(host, 10000, null), -1);
	we_store_free(s);

	/* Without the limit the same growth succeeds. */
	s = we_store_new(NULL);
	inst = we_instance_new(s, m, NULL, 0, &err);
	ck_assert_int_eq(
	    call_ok(inst, s, "grow_all", (we_val[]){i32(1000)}, 1), 0);
	we_store_free(s);
	we_module_free(m);
}
END_TEST

START_TEST(test_memory_and_tables_share_the_limit)
{
	we_config c = {.max_memory_pages = 2};
	we_store *s = we_store_new(&c);
	we_module *m = load("data"); /* 2 pages, a table of 4, 2 globals */
	we_error err;

	ck_assert_ptr_null(we_instance_new(s, m, NULL, 0, &err));
	ck_assert_int_eq(err.code, WE_ERR_LIMIT);
	we_store_free(s);
	c.max_store_bytes = 3 * PAGE;
	s = we_store_new(&c);
	ck_assert_ptr_nonnull(we_instance_new(s, m, NULL, 0, &err));
	we_store_free(s);
	we_module_free(m);
}
END_TEST

/* ---- Issue 21 row 10: compilation is paid in fuel -------------------- */

/* Appends the LEB128 encoding of v to p. */
static uint8_t *
leb(uint8_t *p, uint32_t v)
{
	do {
		uint8_t b = v & 0x7f;
		v >>= 7;
		*p++ = b | (v ? 0x80 : 0);
	} while (v);
	return p;
}

/*
 * A module with "big" () -> (), a body of n (i32.const 0, drop) pairs,
 * and "small" () -> (), which calls it. own: the bytes, *len long;
 * *code_len: the bytes of big's instructions.
 */
static uint8_t *
big_body_module(uint32_t n, size_t *len, size_t *code_len)
{
	size_t cap = 3 * (size_t)n + 256;
	uint8_t *w = malloc(cap), *p = w;
	static const uint8_t head[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1,
	    0x60, 0, 0, 3, 3, 2, 0, 0, 7, 15, 2, 3, 'b', 'i', 'g', 0, 0, 5, 's',
	    'm', 'a', 'l', 'l', 0, 1};

	ck_assert_ptr_nonnull(w);
	memcpy(p, head, sizeof(head));
	p += sizeof(head);
	uint32_t body_len = 1 + 3 * n + 1; /* no locals, the pairs, end */
	uint32_t small_len = 1 + 2 + 1;    /* no locals, call 0, end */
	uint8_t sizes[16], *q = leb(sizes, body_len);
	uint32_t section = 1 + (uint32_t)(q - sizes) + body_len + 1 + small_len;
	*p++ = 10;
	p = leb(p, section);
	*p++ = 2;
	p = leb(p, body_len);
	*p++ = 0;
	for (uint32_t i = 0; i < n; i++) {
		*p++ = 0x41;
		*p++ = 0;
		*p++ = 0x1a;
	}
	*p++ = 0x0b;
	p = leb(p, small_len);
	*p++ = 0;
	*p++ = 0x10;
	*p++ = 0;
	*p++ = 0x0b;
	*len = (size_t)(p - w);
	*code_len = body_len - 1;
	return w;
}

START_TEST(test_compile_charges_fuel)
{
	size_t len, body;
	uint8_t *bytes = big_body_module(1000000, &len, &body);
	we_error err;

	/* Called directly and called from wasm: both compile paths. */
	static const char *const entry[] = {"big", "small"};
	for (int k = 0; k < 2; k++) {
		we_module *m = we_module_new(bytes, len, &err);
		ck_assert_msg(m != NULL, "%s", err.message);
		we_store *s = we_store_new(NULL);
		we_instance *inst = we_instance_new(s, m, NULL, 0, &err);
		we_store_set_fuel(s, 100000);
		ck_assert_int_eq(
		    call(inst, s, entry[k], NULL, 0, NULL), WE_CALL_TRAP);
		ck_assert_int_eq(we_store_trap(s)->kind, WE_TRAP_OUT_OF_FUEL);
		ck_assert_msg(strstr(we_store_trap(s)->message,
		                  "compiling function 0") != NULL,
		    "%s", we_store_trap(s)->message);
		/* Nothing is charged for a compilation that did not happen
		   (small's own, of 4 bytes, was). */
		ck_assert_uint_ge(we_store_fuel_remaining(s),
		    100000 - 10 - 4 * WE_FUEL_PER_COMPILED_BYTE);

		/* With enough fuel it runs, and the compilation is charged. */
		uint64_t cost = body * WE_FUEL_PER_COMPILED_BYTE;
		we_store_set_fuel(s, 10 * cost);
		ck_assert_int_eq(
		    call(inst, s, entry[k], NULL, 0, NULL), WE_CALL_OK);
		uint64_t first = we_store_fuel_consumed(s);
		ck_assert_uint_ge(first, cost);
		/* Compiled once: the next call pays only for running. */
		we_store_set_fuel(s, 10 * cost);
		ck_assert_int_eq(
		    call(inst, s, entry[k], NULL, 0, NULL), WE_CALL_OK);
		ck_assert_uint_eq(first - we_store_fuel_consumed(s), cost);
		we_store_free(s);
		we_module_free(m);
	}
	free(bytes);
}
END_TEST

static Suite *
template_suite(void)
{
	Suite *s = suite_create("engine_template");
	TCase *tc = tcase_create("template");

	tcase_add_test(tc, test_template_equals_plain);
	tcase_add_test(tc, test_template_copy_on_write);
	tcase_add_test(tc, test_template_grow);
	tcase_add_test(tc, test_template_imported_global);
	tcase_add_test(tc, test_template_imported_memory);
	tcase_add_test(tc, test_template_traps);
	tcase_add_test(tc, test_store_reset);
	tcase_add_test(tc, test_template_without_memfd);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_test(tc, test_tables_bounded_by_memory_limit);
	tcase_add_test(tc, test_memory_and_tables_share_the_limit);
	tcase_add_test(tc, test_compile_charges_fuel);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(template_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
