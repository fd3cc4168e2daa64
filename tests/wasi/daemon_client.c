/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daemon_client.c: wasi_daemon_client SOCK PRINTF EXIT NATIVE HOSTCALL, the
 * WASI side of libwasmd-client against a running daemon (daemon_wasi.sh,
 * case library). PRINTF, EXIT and HOSTCALL name the stored printf and
 * exit_code programs and fixtures/wasi_hostcall.wat; NATIVE is the native
 * printf's output. Checks that without an output callback the guest's
 * stdout is collected into the result, that with one every byte reaches
 * it (and none is collected), that argv and the exit code travel, that
 * the event-loop API streams the same way, and that a guest's output
 * written before a host call reaches the client before the call.
 * Prints what failed and exits 1.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/client.h>

static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                  \
			failures++;                                            \
		}                                                              \
	} while (0)

/* What an output callback received. */
struct sink {
	char *data; /* own */
	size_t len;
	size_t calls;
	bool wrong_fd;
};

static void
sink_cb(int fd, const void *data, size_t len, void *arg)
{
	struct sink *s = arg;
	char *nb = realloc(s->data, s->len + len + 1);

	if (fd != 1)
		s->wrong_fd = true;
	if (nb == NULL)
		abort();
	memcpy(nb + s->len, data, len);
	s->data = nb;
	s->len += len;
	s->data[s->len] = '\0';
	s->calls++;
}

static char *
read_native(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 20);

	if (f == NULL || buf == NULL)
		abort();
	*len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

static wasmd_invoke_options
command_options(const char *const *argv, size_t argc)
{
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;

	o.argv = argv;
	o.argc = argc;
	o.command = true;
	return o;
}

/* No callback: stdout is collected into the result. */
static void
check_collected(wasmd_conn *c, const char *ref, const char *native, size_t n)
{
	static const char *const argv[] = {"printf"};
	wasmd_invoke_options o = command_options(argv, 1);
	wasmd_result *r = NULL;

	CHECK(wasmd_invoke(c, ref, "_start", NULL, 0, &o, &r) == WASMD_OK);
	if (r == NULL)
		return;
	CHECK(r->trap == WASMD_TRAP_NONE);
	CHECK(r->has_exit_code && r->exit_code == 0);
	CHECK(r->output_len[1] == n);
	CHECK(r->output[1] != NULL && memcmp(r->output[1], native, n) == 0);
	CHECK(r->output[2] == NULL);
	wasmd_result_free(r);
}

/* A callback: every byte reaches it, none is collected. */
static void
check_callback(wasmd_conn *c, const char *ref, const char *native, size_t n)
{
	static const char *const argv[] = {"printf"};
	wasmd_invoke_options o = command_options(argv, 1);
	struct sink s = {0};
	wasmd_result *r = NULL;

	o.output = sink_cb;
	o.output_arg = &s;
	CHECK(wasmd_invoke(c, ref, "_start", NULL, 0, &o, &r) == WASMD_OK);
	CHECK(s.len == n && s.data != NULL && memcmp(s.data, native, n) == 0);
	CHECK(s.calls >= 1 && !s.wrong_fd);
	CHECK(r != NULL && r->output[1] == NULL);
	wasmd_result_free(r);
	free(s.data);
}

/* argv reaches the guest; exit(7) is exit code 7, not a trap. */
static void
check_exit(wasmd_conn *c, const char *ref)
{
	static const char *const argv[] = {"exit_code", "exit", "7"};
	wasmd_invoke_options o = command_options(argv, 3);
	wasmd_result *r = NULL;

	CHECK(wasmd_invoke(c, ref, "_start", NULL, 0, &o, &r) == WASMD_OK);
	if (r == NULL)
		return;
	CHECK(r->trap == WASMD_TRAP_NONE);
	CHECK(r->has_exit_code && r->exit_code == 7);
	CHECK(r->output[1] != NULL &&
	    strcmp(r->output[1], "ending with exit 7\n") == 0);
	wasmd_result_free(r);
}

struct done {
	bool called;
	wasmd_error rc;
	uint32_t exit_code;
};

static void
done_cb(wasmd_conn *c, wasmd_error rc, wasmd_result *r, void *arg)
{
	struct done *d = arg;

	(void)c;
	d->called = true;
	d->rc = rc;
	if (r != NULL && r->has_exit_code)
		d->exit_code = r->exit_code;
	wasmd_result_free(r);
}

/* The event-loop API: output reaches the callback from wasmd_process(). */
static void
check_async(wasmd_conn *c, const char *ref, const char *native, size_t n)
{
	static const char *const argv[] = {"printf"};
	wasmd_invoke_options o = command_options(argv, 1);
	struct sink s = {0};
	struct done d = {0};
	struct pollfd p = {.fd = wasmd_fd(c), .events = POLLIN};

	o.output = sink_cb;
	o.output_arg = &s;
	d.exit_code = 99;
	CHECK(wasmd_invoke_send(c, ref, "_start", NULL, 0, &o, done_cb, &d) ==
	    WASMD_OK);
	while (!d.called && poll(&p, 1, 10000) == 1)
		if (wasmd_process(c) != WASMD_OK)
			break;
	CHECK(d.called && d.rc == WASMD_OK && d.exit_code == 0);
	CHECK(s.len == n && s.data != NULL && memcmp(s.data, native, n) == 0);
	free(s.data);
}

/* The host function env.twice; notes what had been printed by then. */
static int
twice(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	struct sink *s = user;

	(void)call;
	if (nargs != 1 || nresults != 1)
		return -1;
	/* The guest's "before\n" came first: the worker flushed it. */
	CHECK(s->len == 7 && strcmp(s->data, "before\n") == 0);
	results[0].of.i32 = args[0].of.i32 * 2;
	return 0;
}

/* Output and a host call in one invocation, in the guest's order. */
static void
check_host_call(wasmd_conn *c, const char *ref)
{
	static const wasmd_valtype i32[] = {WASMD_I32};
	static const char *const argv[] = {"wasi_hostcall"};
	wasmd_invoke_options o = command_options(argv, 1);
	struct sink s = {0};
	wasmd_host_func f = {0};
	wasmd_result *r = NULL;

	f.module = "env";
	f.name = "twice";
	f.type.nparams = f.type.nresults = 1;
	f.type.params = f.type.results = (wasmd_valtype *)i32;
	f.fn = twice;
	f.user = &s;
	o.host_funcs = &f;
	o.nhost_funcs = 1;
	o.output = sink_cb;
	o.output_arg = &s;
	CHECK(wasmd_invoke(c, ref, "_start", NULL, 0, &o, &r) == WASMD_OK);
	CHECK(r != NULL && r->has_exit_code && r->exit_code == 42);
	CHECK(s.data != NULL && strcmp(s.data, "before\nafter\n") == 0);
	wasmd_result_free(r);
	free(s.data);
}

int
main(int argc, char **argv)
{
	char addr[512];
	wasmd_conn *c;
	char *native;
	size_t n;

	if (argc != 6) {
		fprintf(stderr,
		    "usage: wasi_daemon_client SOCK PRINTF EXIT "
		    "NATIVE HOSTCALL\n");
		return 2;
	}
	snprintf(addr, sizeof addr, "unix://%s", argv[1]);
	c = wasmd_connect(addr);
	if (c == NULL || wasmd_status(c) != WASMD_CONNECTION_OK) {
		fprintf(stderr, "connect: %s\n", c ? wasmd_errmsg(c) : "nomem");
		wasmd_close(c);
		return 1;
	}
	native = read_native(argv[4], &n);
	check_collected(c, argv[2], native, n);
	check_callback(c, argv[2], native, n);
	check_exit(c, argv[3]);
	check_async(c, argv[2], native, n);
	check_host_call(c, argv[5]);
	free(native);
	wasmd_close(c);
	if (failures > 0)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures > 0;
}
