/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker_hostmem_test.c: worker/hostmem.c against a real engine memory:
 * every out-of-bounds read, write, argument or reply write is refused with
 * a message and leaves the memory as it was; in-bounds ones work, on the
 * memory they name by index.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

#include "hostmem.h"

/* (module (memory (export "m") 1)) */
static const uint8_t with_memory[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
    0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x05, 0x01, 0x01, 0x6d, 0x02,
    0x00};
/* (module (memory 1) (memory (export "b") 2)) */
static const uint8_t two_memories[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
    0x00, 0x05, 0x05, 0x02, 0x00, 0x01, 0x00, 0x02, 0x07, 0x05, 0x01, 0x01,
    0x62, 0x02, 0x01};
/* (module (memory 160)): 10 MiB */
static const uint8_t ten_mib[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
    0x00, 0x05, 0x04, 0x01, 0x00, 0xa0, 0x01};
/* (module) */
static const uint8_t without_memory[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

struct fixture {
	we_store *s;
	we_module *m;
	we_instance *inst;
	we_memory *mem; /* memory 0 */
	wrk_arena arena;
};

static void
setup(struct fixture *f, const uint8_t *wasm, size_t len)
{
	we_config c = {0};
	we_error err = {0};

	memset(f, 0, sizeof *f);
	f->s = we_store_new(&c);
	ck_assert_ptr_nonnull(f->s);
	f->m = we_module_new(wasm, len, &err);
	ck_assert_msg(f->m != NULL, "%s", err.message);
	f->inst = we_instance_new(f->s, f->m, NULL, 0, &err);
	ck_assert_msg(f->inst != NULL, "%s", err.message);
	f->mem = we_instance_memory(f->inst, 0);
}

static void
teardown(struct fixture *f)
{
	wrk_arena_free(&f->arena);
	we_store_free(f->s);
	we_module_free(f->m);
}

/* Serves one memory_read or memory_write envelope. */
static void
serve(struct fixture *f, Wasmd__Envelope *env, Wasmd__MemoryReply *reply)
{
	wasmd__memory_reply__init(reply);
	ck_assert(wrk_hostmem_is_request(env));
	wrk_hostmem_serve(&f->arena, f->inst, env, reply);
}

/* Serves a memory_read of len bytes at addr of memory number memory. */
static void
read_at(struct fixture *f, uint32_t memory, uint64_t addr, uint32_t len,
    Wasmd__MemoryReply *reply)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__MemoryRead rd = WASMD__MEMORY_READ__INIT;

	env.msg_case = WASMD__ENVELOPE__MSG_MEMORY_READ;
	env.memory_read = &rd;
	rd.memory = memory;
	rd.address = addr;
	rd.length = len;
	serve(f, &env, reply);
}

/* A module without memory: a read is refused, saying so. */
START_TEST(test_no_memory)
{
	struct fixture f;
	Wasmd__MemoryReply reply;

	setup(&f, without_memory, sizeof without_memory);
	ck_assert_ptr_null(f.mem);
	read_at(&f, 0, 0, 1, &reply);
	ck_assert_str_eq(reply.error, "the module has no memory");
	teardown(&f);
}
END_TEST

START_TEST(test_read_bounds)
{
	struct fixture f;
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__MemoryRead rd = WASMD__MEMORY_READ__INIT;
	Wasmd__MemoryReply reply;

	setup(&f, with_memory, sizeof with_memory);
	memcpy(we_memory_data(f.mem) + 65530, "abcdef", 6);
	env.msg_case = WASMD__ENVELOPE__MSG_MEMORY_READ;
	env.memory_read = &rd;
	rd.address = 65530;
	rd.length = 6;
	serve(&f, &env, &reply);
	ck_assert_str_eq(reply.error, "");
	ck_assert_uint_eq(reply.data.len, 6);
	ck_assert_mem_eq(reply.data.data, "abcdef", 6);
	/* One byte past the end, a huge address, a huge length. */
	rd.length = 7;
	serve(&f, &env, &reply);
	ck_assert_ptr_nonnull(strstr(reply.error, "out of bounds"));
	ck_assert_uint_eq(reply.data.len, 0);
	rd.address = UINT64_MAX - 2;
	rd.length = 6;
	serve(&f, &env, &reply);
	ck_assert_ptr_nonnull(strstr(reply.error, "out of bounds"));
	rd.address = 0;
	rd.length = WRK_HOSTMEM_MAX + 1;
	serve(&f, &env, &reply);
	ck_assert_ptr_nonnull(strstr(reply.error, "more than"));
	teardown(&f);
}
END_TEST

START_TEST(test_write_bounds)
{
	struct fixture f;
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__MemoryWrite wr = WASMD__MEMORY_WRITE__INIT;
	Wasmd__MemoryReply reply;

	setup(&f, with_memory, sizeof with_memory);
	env.msg_case = WASMD__ENVELOPE__MSG_MEMORY_WRITE;
	env.memory_write = &wr;
	wr.address = 65534;
	wr.data.data = (uint8_t *)"xyz";
	wr.data.len = 3;
	serve(&f, &env, &reply);
	ck_assert_ptr_nonnull(strstr(reply.error, "out of bounds"));
	/* Nothing was written, not even the bytes that would fit. */
	ck_assert_uint_eq(we_memory_data(f.mem)[65534], 0);
	ck_assert_uint_eq(we_memory_data(f.mem)[65535], 0);
	wr.address = 65533;
	serve(&f, &env, &reply);
	ck_assert_str_eq(reply.error, "");
	ck_assert_mem_eq(we_memory_data(f.mem) + 65533, "xyz", 3);
	teardown(&f);
}
END_TEST

START_TEST(test_reply_writes)
{
	struct fixture f;
	Wasmd__HostReply r = WASMD__HOST_REPLY__INIT;
	Wasmd__MemoryBytes w[2] = {
	    WASMD__MEMORY_BYTES__INIT, WASMD__MEMORY_BYTES__INIT};
	Wasmd__MemoryBytes *ws[2] = {&w[0], &w[1]};
	char err[256];

	setup(&f, with_memory, sizeof with_memory);
	w[0].address = 10;
	w[0].data.data = (uint8_t *)"first";
	w[0].data.len = 5;
	w[1].address = 12;
	w[1].data.data = (uint8_t *)"XY";
	w[1].data.len = 2;
	r.n_writes = 2;
	r.writes = ws;
	ck_assert(wrk_hostmem_apply(f.inst, &r, err, sizeof err));
	/* In order: the second overwrites part of the first. */
	ck_assert_mem_eq(we_memory_data(f.mem) + 10, "fiXYt", 5);
	w[1].address = 65535;
	ck_assert(!wrk_hostmem_apply(f.inst, &r, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "out of bounds"));
	ck_assert_uint_eq(we_memory_data(f.mem)[65535], 0);
	teardown(&f);
}
END_TEST

START_TEST(test_memory_args)
{
	struct fixture f;
	Wasmd__HostImport h = WASMD__HOST_IMPORT__INIT;
	Wasmd__MemoryArg ma = WASMD__MEMORY_ARG__INIT;
	Wasmd__MemoryArg *mas[1] = {&ma};
	Wasmd__HostCall hc = WASMD__HOST_CALL__INIT;
	we_val args[3];
	char err[256];

	setup(&f, with_memory, sizeof with_memory);
	memcpy(we_memory_data(f.mem) + 100, "hello", 5);
	h.module = "env";
	h.name = "say";
	h.n_memory_args = 1;
	h.memory_args = mas;
	ma.ptr_param = 0;
	ma.len_param = 1;
	args[0] = (we_val){.type = WE_I32, .of.i32 = 100};
	args[1] = (we_val){.type = WE_I32, .of.i32 = 5};
	args[2] = (we_val){.type = WE_I64, .of.i64 = 7};
	ck_assert(wrk_hostmem_args(
	    &f.arena, f.inst, &h, args, 3, &hc, err, sizeof err));
	ck_assert_uint_eq(hc.n_memory, 1);
	ck_assert_uint_eq(hc.memory[0]->address, 100);
	ck_assert_mem_eq(hc.memory[0]->data.data, "hello", 5);
	/* A length that runs past the end; a pair naming an i64. */
	args[1].of.i32 = 65437;
	ck_assert(!wrk_hostmem_args(
	    &f.arena, f.inst, &h, args, 3, &hc, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "out of bounds"));
	ma.len_param = 2;
	ck_assert(!wrk_hostmem_args(
	    &f.arena, f.inst, &h, args, 3, &hc, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "two i32 parameters"));
	ma.len_param = 1;
	args[1].of.i32 = 5;
	ck_assert(!wrk_hostmem_args(
	    &f.arena, NULL, &h, args, 3, &hc, err, sizeof err));
	ck_assert_str_eq(err,
	    "host import env.say: the (ptr, len) argument in parameters 0 "
	    "and 1: the module has no memory");
	teardown(&f);
}
END_TEST

/*
 * A host call's memory arguments together carry at most
 * WP_HOSTCALL_MEMORY_MAX bytes, so that the call fits in a worker's reply
 * (WP_REPLY_MAX): two of 8 MiB go, two of 10 MiB are refused.
 */
START_TEST(test_memory_args_total)
{
	struct fixture f;
	Wasmd__HostImport h = WASMD__HOST_IMPORT__INIT;
	Wasmd__MemoryArg ma[2] = {
	    WASMD__MEMORY_ARG__INIT, WASMD__MEMORY_ARG__INIT};
	Wasmd__MemoryArg *mas[2] = {&ma[0], &ma[1]};
	Wasmd__HostCall hc = WASMD__HOST_CALL__INIT;
	we_val args[2] = {
	    {.type = WE_I32, .of.i32 = 0}, {.type = WE_I32, .of.i32 = 8 << 20}};
	char err[256];

	setup(&f, ten_mib, sizeof ten_mib);
	h.module = "env";
	h.name = "two";
	h.n_memory_args = 2;
	h.memory_args = mas;
	ma[0].len_param = ma[1].len_param = 1;
	ck_assert(wrk_hostmem_args(
	    &f.arena, f.inst, &h, args, 2, &hc, err, sizeof err));
	ck_assert_uint_eq(hc.n_memory, 2);
	ck_assert_uint_eq(hc.memory[1]->data.len, 8 << 20);
	args[1].of.i32 = 10 << 20;
	ck_assert(!wrk_hostmem_args(
	    &f.arena, f.inst, &h, args, 2, &hc, err, sizeof err));
	ck_assert_str_eq(err,
	    "host import env.two: its memory arguments add up to 20971520 "
	    "bytes, more than the 16777216 one call may carry");
	teardown(&f);
}
END_TEST

/* The two-memory fixture's memory 1 (2 pages; memory 0 has one). */
static we_memory *
setup_two(struct fixture *f)
{
	we_memory *one;

	setup(f, two_memories, sizeof two_memories);
	one = we_instance_memory(f->inst, 1);
	ck_assert_ptr_nonnull(one);
	ck_assert_uint_eq(we_memory_size(f->mem), 65536);
	ck_assert_uint_eq(we_memory_size(one), 131072);
	return one;
}

/*
 * Two memories: reads and writes go to the one they name, and a memory
 * the module lacks is refused by index.
 */
START_TEST(test_index_requests)
{
	struct fixture f;
	we_memory *one = setup_two(&f);
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__MemoryWrite wr = WASMD__MEMORY_WRITE__INIT;
	Wasmd__MemoryReply reply;

	/* A write past memory 0's end fits memory 1. */
	env.msg_case = WASMD__ENVELOPE__MSG_MEMORY_WRITE;
	env.memory_write = &wr;
	wr.address = 70000;
	wr.data.data = (uint8_t *)"two";
	wr.data.len = 3;
	serve(&f, &env, &reply);
	ck_assert_ptr_nonnull(strstr(reply.error, "memory 0 (65536 bytes)"));
	wr.memory = 1;
	serve(&f, &env, &reply);
	ck_assert_str_eq(reply.error, "");
	ck_assert_mem_eq(we_memory_data(one) + 70000, "two", 3);
	wr.memory = 2;
	serve(&f, &env, &reply);
	ck_assert_str_eq(reply.error, "the module has no memory 2");
	memcpy(we_memory_data(f.mem) + 8, "zero", 4);
	memcpy(we_memory_data(one) + 8, "one!", 4);
	read_at(&f, 0, 8, 4, &reply);
	ck_assert_mem_eq(reply.data.data, "zero", 4);
	read_at(&f, 1, 8, 4, &reply);
	ck_assert_mem_eq(reply.data.data, "one!", 4);
	teardown(&f);
}
END_TEST

/*
 * Two memories: a memory argument is read from the memory it names and
 * echoed with its index; a reply's write lands in the one it names.
 */
START_TEST(test_index_args_and_writes)
{
	struct fixture f;
	we_memory *one = setup_two(&f);
	Wasmd__HostImport h = WASMD__HOST_IMPORT__INIT;
	Wasmd__MemoryArg ma = WASMD__MEMORY_ARG__INIT;
	Wasmd__MemoryArg *mas[1] = {&ma};
	Wasmd__HostCall hc = WASMD__HOST_CALL__INIT;
	Wasmd__HostReply r = WASMD__HOST_REPLY__INIT;
	Wasmd__MemoryBytes w = WASMD__MEMORY_BYTES__INIT, *ws[1] = {&w};
	we_val args[2] = {
	    {.type = WE_I32, .of.i32 = 8}, {.type = WE_I32, .of.i32 = 4}};
	char err[256];

	memcpy(we_memory_data(one) + 8, "one!", 4);
	memcpy(we_memory_data(f.mem) + 8, "zero", 4);
	ma.len_param = 1;
	ma.memory = 1;
	h.module = "env";
	h.name = "say";
	h.n_memory_args = 1;
	h.memory_args = mas;
	ck_assert(wrk_hostmem_args(
	    &f.arena, f.inst, &h, args, 2, &hc, err, sizeof err));
	ck_assert_uint_eq(hc.memory[0]->memory, 1);
	ck_assert_mem_eq(hc.memory[0]->data.data, "one!", 4);
	ma.memory = 5;
	ck_assert(!wrk_hostmem_args(
	    &f.arena, f.inst, &h, args, 2, &hc, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "the module has no memory 5"));
	w.address = 8;
	w.data.data = (uint8_t *)"ONE";
	w.data.len = 3;
	w.memory = 1;
	r.n_writes = 1;
	r.writes = ws;
	ck_assert(wrk_hostmem_apply(f.inst, &r, err, sizeof err));
	ck_assert_mem_eq(we_memory_data(one) + 8, "ONE!", 4);
	ck_assert_mem_eq(we_memory_data(f.mem) + 8, "zero", 4);
	teardown(&f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("worker_hostmem");
	TCase *tc = tcase_create("hostmem");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_no_memory);
	tcase_add_test(tc, test_read_bounds);
	tcase_add_test(tc, test_write_bounds);
	tcase_add_test(tc, test_reply_writes);
	tcase_add_test(tc, test_memory_args);
	tcase_add_test(tc, test_memory_args_total);
	tcase_add_test(tc, test_index_requests);
	tcase_add_test(tc, test_index_args_and_writes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
