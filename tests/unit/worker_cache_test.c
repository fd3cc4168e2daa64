/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker_cache_test.c: the warm worker's module cache with snapshots
 * (worker/cache.h): a snapshot is found only under its own digest, a
 * replaced one is reported evicted, and a module evicted for room takes its
 * snapshot with it, both digests in the evicted list (the supervisor's
 * mirror of the cache depends on it).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

#include "cache.h"

/* (module (memory 1) (func (export "f"))), and the same exporting "g". */
static const uint8_t mod_f[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03,
    0x01, 0x00, 0x01, 0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00, 0x0a, 0x04, 0x01,
    0x02, 0x00, 0x0b};
static const uint8_t mod_g[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03,
    0x01, 0x00, 0x01, 0x07, 0x05, 0x01, 0x01, 'g', 0x00, 0x00, 0x0a, 0x04, 0x01,
    0x02, 0x00, 0x0b};

#define DIG_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DIG_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SNAP1 "1111111111111111111111111111111111111111111111111111111111111111"
#define SNAP2 "2222222222222222222222222222222222222222222222222222222222222222"

static we_module *
module(const uint8_t *bytes, size_t len)
{
	we_error err;
	we_module *m = we_module_new(bytes, len, &err);

	ck_assert_msg(m != NULL, "%s", err.message);
	return m;
}

/* A snapshot of a fresh instance of m, in a store of its own, gone after:
 * the snapshot needs only the module, as in the worker. */
static we_snapshot *
snapshot_of(const we_module *m)
{
	we_config cfg = {0};
	we_store *s = we_store_new(&cfg);
	we_error err;
	we_instance *inst = we_instance_new(s, m, NULL, 0, &err);
	we_snapshot *snap;

	ck_assert_msg(inst != NULL, "%s", err.message);
	snap = we_snapshot_take(inst, &err);
	ck_assert_msg(snap != NULL, "%s", err.message);
	we_store_free(s);
	return snap;
}

/* Whether digest is among the evicted digests of this request. */
static bool
evicted(const wrk_cache *c, const char *digest)
{
	size_t n;
	char **v = wrk_cache_evicted(c, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], digest) == 0)
			return true;
	return false;
}

START_TEST(test_snapshot_by_digest_and_replaced)
{
	wrk_cache *c = wrk_cache_new(64u << 20);
	we_module *m =
	    wrk_cache_put(c, DIG_A, module(mod_f, sizeof mod_f), 100);
	we_snapshot *one = snapshot_of(m), *two = snapshot_of(m);
	uint64_t cost = wrk_cache_cost(c);

	ck_assert_ptr_null(wrk_cache_snapshot(c, DIG_A, SNAP1));
	ck_assert(wrk_cache_set_snapshot(c, DIG_A, SNAP1, one, 1000));
	ck_assert_ptr_eq(wrk_cache_snapshot(c, DIG_A, SNAP1), one);
	ck_assert_ptr_null(wrk_cache_snapshot(c, DIG_A, SNAP2));
	ck_assert_uint_eq(wrk_cache_cost(c), cost + 1000);
	/* Replaced: the old digest is reported, its cost leaves. */
	ck_assert(wrk_cache_set_snapshot(c, DIG_A, SNAP2, two, 500));
	ck_assert(evicted(c, SNAP1));
	ck_assert_ptr_eq(wrk_cache_snapshot(c, DIG_A, SNAP2), two);
	ck_assert_uint_eq(wrk_cache_cost(c), cost + 500);
	wrk_cache_end_request(c);
	ck_assert(!evicted(c, SNAP1));
	/* No module: refused, and the snapshot freed (ASan would see). */
	ck_assert(!wrk_cache_set_snapshot(c, DIG_B, SNAP1, snapshot_of(m), 10));
	wrk_cache_free(c);
}
END_TEST

START_TEST(test_evicted_with_its_module)
{
	/* Full with one module and its snapshot: a second evicts both. */
	wrk_cache *c = wrk_cache_new(100u << 10);
	we_module *a =
	    wrk_cache_put(c, DIG_A, module(mod_f, sizeof mod_f), 100);

	ck_assert(wrk_cache_set_snapshot(
	    c, DIG_A, SNAP1, snapshot_of(a), (100u << 10) - 100));
	wrk_cache_end_request(c);
	ck_assert_ptr_nonnull(
	    wrk_cache_put(c, DIG_B, module(mod_g, sizeof mod_g), 100));
	ck_assert(evicted(c, DIG_A));
	ck_assert(evicted(c, SNAP1));
	ck_assert_ptr_null(wrk_cache_get(c, DIG_A));
	ck_assert_uint_eq(wrk_cache_count(c), 1);
	wrk_cache_free(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("worker_cache");
	TCase *tc = tcase_create("snapshots");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_snapshot_by_digest_and_replaced);
	tcase_add_test(tc, test_evicted_with_its_module);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
