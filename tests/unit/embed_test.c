/* SPDX-License-Identifier: Apache-2.0 */
/*
 * embed_test.c: the README's "Embedding the engine" example, as a test that
 * links the SHARED libwasmd-engine, so the example and the exported API stay
 * true. FIB_WASM is build/examples/fib.wasm.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include <wasmd/engine.h>

/* Reads the whole file. own: the result (free()). */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(1 << 16);

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

START_TEST(readme_example_runs_fib)
{
	size_t len;
	uint8_t *bytes = slurp(FIB_WASM, &len);

	/* The README's lines, with assertions for its errx() calls. */
	we_error err;
	we_module *m = we_module_new(bytes, len, &err);
	ck_assert_msg(m != NULL, "%s (at byte %zu)", err.message, err.offset);
	we_store *s = we_store_new(NULL);
	we_instance *inst = we_instance_new(s, m, NULL, 0, &err);
	ck_assert_ptr_nonnull(inst);
	we_func *fib = we_instance_func(inst, "fib");
	we_val arg = {.type = WE_I64, .of.i64 = 30}, res;
	ck_assert_int_eq(we_func_call(s, fib, &arg, 1, &res, 1), WE_CALL_OK);
	ck_assert_int_eq(res.type, WE_I64);
	ck_assert_int_eq(res.of.i64, 832040);
	we_store_free(s);
	we_module_free(m);
	free(bytes);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("embed");
	TCase *tc = tcase_create("readme");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, readme_example_runs_fib);
	suite_add_tcase(suite, tc);
	sr = srunner_create(suite);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
