/* SPDX-License-Identifier: Apache-2.0 */
/*
 * embed.c: embedding libwasmd-engine, with every error handled.
 *
 *   embed FILE.wasm EXPORT [I64...]
 *
 * Loads and validates FILE, instantiates it (its only import may be the
 * host function env.log_i64, served here), calls EXPORT with 64-bit integer
 * arguments and prints its i64 results. It exits 1 with a message for a
 * module that does not load, an import that is not served, an export that
 * is missing or not an (i64...) -> i64... function, and 134 for a trap.
 * Built against the installed SDK by tests/install; the README quotes it.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <wasmd/engine.h>

/* Reads a whole file; exits on failure. own: the result (free()). */
static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n)
		err(1, "%s", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The host function env.log_i64(i64): prints its argument. */
static we_host_status
log_i64(we_hostcall *call)
{
	printf("log: %" PRId64 "\n", call->args[0].of.i64);
	return WE_HOST_OK;
}

/* Checks that f takes nargs i64 and returns only i64; exits otherwise. */
static void
check_i64_signature(const we_functype *t, uint32_t nargs, const char *name)
{
	uint32_t i;

	if (t->nparams != nargs)
		errx(1, "%s takes %" PRIu32 " arguments, not %" PRIu32, name,
		    t->nparams, nargs);
	for (i = 0; i < t->nparams; i++)
		if (t->params[i] != WE_I64)
			errx(1, "%s: parameter %" PRIu32 " is %s, not i64",
			    name, i, we_valtype_name(t->params[i]));
	for (i = 0; i < t->nresults; i++)
		if (t->results[i] != WE_I64)
			errx(1, "%s: result %" PRIu32 " is %s, not i64", name,
			    i, we_valtype_name(t->results[i]));
}

int
main(int argc, char **argv)
{
	static const we_valtype log_params[] = {WE_I64};
	static const we_functype log_type = {1, 0, log_params, NULL};
	we_error e;
	we_val args[16], results[16];
	size_t len;
	uint8_t *bytes;
	we_module *m;
	we_store *s;
	we_instance *inst;
	we_import imp;
	we_func *f;
	const we_functype *t;
	uint32_t nargs, i;

	if (argc < 3 || argc - 3 > 16)
		errx(1, "usage: embed FILE.wasm EXPORT [I64...] (at most 16)");
	bytes = read_file(argv[1], &len);
	if ((m = we_module_new(bytes, len, &e)) == NULL)
		errx(1, "%s: %s (at byte %zu)", argv[1], e.message, e.offset);
	free(bytes);
	if ((s = we_store_new(NULL)) == NULL)
		errx(1, "out of memory");

	imp.module = "env";
	imp.name = "log_i64";
	imp.value.kind = WE_EXTERN_FUNC;
	imp.value.of.func = we_func_new_host(s, &log_type, log_i64, NULL, NULL);
	if ((inst = we_instance_new(s, m, &imp, 1, &e)) == NULL) {
		if (e.code == WE_ERR_TRAP)
			errx(134, "instantiation trapped: %s",
			    we_store_trap(s)->message);
		errx(1, "%s: %s", argv[1], e.message);
	}
	if ((f = we_instance_func(inst, argv[2])) == NULL)
		errx(1, "%s exports no function %s", argv[1], argv[2]);
	t = we_func_type(f);
	nargs = (uint32_t)(argc - 3);
	check_i64_signature(t, nargs, argv[2]);
	for (i = 0; i < nargs; i++)
		args[i] = (we_val){
		    .type = WE_I64, .of.i64 = strtoll(argv[3 + i], NULL, 0)};
	switch (we_func_call(s, f, args, nargs, results, t->nresults)) {
	case WE_CALL_OK: break;
	case WE_CALL_TRAP: errx(134, "trap: %s", we_store_trap(s)->message);
	default: /* no host function here suspends */
		errx(1, "call failed: %s", we_store_error(s));
	}
	for (i = 0; i < t->nresults; i++)
		printf("%" PRId64 "\n", results[i].of.i64);

	we_store_free(s); /* frees the instance and the host function */
	we_module_free(m);
	return 0;
}
