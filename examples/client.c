/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.c: libwasmd-client against a running wasmd, with every error
 * handled.
 *
 *   client FILE.wasm            (the daemon at $WASMD_HOST or the default)
 *
 * Pushes FILE (examples/logsum.wat built) under the name "logsum", invokes
 * its export sum(4) while serving its import env.log_i64 from this
 * process, then creates a live instance of it and calls sum twice on it.
 * Exits 1 with the daemon's message on any error. Built against the
 * installed SDK by tests/install.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <wasmd/client.h>

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

/* env.log_i64(i64), served here while the guest waits in the worker. */
static int
log_i64(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	int *calls = user;

	(*calls)++;
	printf("log: %" PRId64 "\n", args[0].of.i64);
	return 0;
}

/* Prints a result's i64 value, or exits on a trap. */
static void
print_result(const char *what, wasmd_result *r)
{
	if (r->trap != WASMD_TRAP_NONE)
		errx(1, "%s trapped: %s", what, r->trap_message);
	if (r->nresults != 1 || r->results[0].type != WASMD_I64)
		errx(1, "%s: expected one i64 result", what);
	printf("%s = %" PRId64 "\n", what, r->results[0].of.i64);
	wasmd_result_free(r);
}

int
main(int argc, char **argv)
{
	static wasmd_valtype params[] = {WASMD_I64};
	int calls = 0;
	wasmd_host_func log = {
	    "env", "log_i64", {1, 0, params, NULL}, log_i64, &calls, 0, NULL};
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;
	wasmd_value arg = {.type = WASMD_I64, .of.i64 = 4};
	wasmd_module_info *info;
	wasmd_instance *inst;
	wasmd_result *r;
	wasmd_conn *conn;
	uint8_t *bytes;
	size_t len;

	if (argc != 2)
		errx(1, "usage: client FILE.wasm");
	bytes = read_file(argv[1], &len);
	conn = wasmd_connect(NULL);
	if (conn == NULL || wasmd_status(conn) != WASMD_CONNECTION_OK)
		errx(1, "connect: %s", conn ? wasmd_errmsg(conn) : "no memory");

	if (wasmd_push(conn, bytes, len, "logsum", &info) != WASMD_OK)
		errx(1, "push: %s", wasmd_errmsg(conn));
	printf("pushed %s (%" PRIu64 " bytes)\n", info->digest, info->size);
	wasmd_module_info_free(info);
	free(bytes);

	o.host_funcs = &log;
	o.nhost_funcs = 1;
	if (wasmd_invoke(conn, "logsum", "sum", &arg, 1, &o, &r) != WASMD_OK)
		errx(1, "invoke: %s", wasmd_errmsg(conn));
	print_result("sum(4)", r);

	if (wasmd_instance_create(conn, "logsum", &o, &inst) != WASMD_OK)
		errx(1, "instance: %s", wasmd_errmsg(conn));
	for (arg.of.i64 = 1; arg.of.i64 <= 2; arg.of.i64++) {
		if (wasmd_instance_invoke(inst, "sum", &arg, 1, &r) != WASMD_OK)
			errx(1, "instance invoke: %s", wasmd_errmsg(conn));
		print_result("live sum", r);
	}
	if (wasmd_instance_drop(inst) != WASMD_OK)
		errx(1, "drop: %s", wasmd_errmsg(conn));
	printf("host calls served: %d\n", calls);
	wasmd_close(conn);
	return 0;
}
