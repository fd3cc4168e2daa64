/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmctl_host.c: the built-in host functions of `wasmctl run` (see
 * wasmctl_host.h). They write with write(2) straight to fd 1, like the
 * streamed output of a WASI command, so both keep their order.
 */
#include "wasmctl_host.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Writes all of data to stdout; a closed stdout is not the guest's fault. */
static void
write_out(const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static int
print_str(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	size_t len = 0;
	const uint8_t *s = wasmd_host_call_mem_arg(call, 0, NULL, &len);

	(void)args, (void)nargs, (void)results, (void)nresults, (void)user;
	if (s == NULL)
		return wasmd_host_call_fail(call, "print_str: no string");
	write_out(s, len);
	return 0;
}

static int
print_value(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	char text[WASMD_VALUE_TEXT_MAX + 1];
	size_t n = wasmd_value_format(&args[0], text, sizeof text - 1);

	(void)call, (void)nargs, (void)results, (void)nresults, (void)user;
	if (n > sizeof text - 2)
		n = sizeof text - 2;
	text[n++] = '\n';
	write_out(text, n);
	return 0;
}

static int
now_ms(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	struct timespec ts;

	(void)call, (void)args, (void)nargs, (void)nresults, (void)user;
	clock_gettime(CLOCK_REALTIME, &ts);
	results[0].of.i64 =
	    (int64_t)ts.tv_sec * 1000 + (int64_t)(ts.tv_nsec / 1000000);
	return 0;
}

static wasmd_valtype two_i32[] = {WASMD_I32, WASMD_I32};
static wasmd_valtype one_i32[] = {WASMD_I32};
static wasmd_valtype one_i64[] = {WASMD_I64};
static wasmd_valtype one_f32[] = {WASMD_F32};
static wasmd_valtype one_f64[] = {WASMD_F64};
static const wasmd_mem_arg str_arg[] = {{0, 1, 0}};

static const wasmd_host_func builtins[] = {
    {"wasmd", "print_str", {2, 0, two_i32, NULL}, print_str, NULL, 1, str_arg},
    {"wasmd", "print_i32", {1, 0, one_i32, NULL}, print_value, NULL, 0, NULL},
    {"wasmd", "print_i64", {1, 0, one_i64, NULL}, print_value, NULL, 0, NULL},
    {"wasmd", "print_f32", {1, 0, one_f32, NULL}, print_value, NULL, 0, NULL},
    {"wasmd", "print_f64", {1, 0, one_f64, NULL}, print_value, NULL, 0, NULL},
    {"wasmd", "now_ms", {0, 1, NULL, one_i64}, now_ms, NULL, 0, NULL},
};
#define NBUILTINS (sizeof builtins / sizeof builtins[0])

static bool
same_types(const wasmd_valtype *a, size_t na, const wasmd_valtype *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

/* The built-in that import im names with its exact type, or NULL. */
static const wasmd_host_func *
builtin_for(const wasmd_import *im)
{
	const wasmd_functype *t = &im->type.func;

	if (im->type.kind != WASMD_EXTERN_FUNC ||
	    strcmp(im->module, "wasmd") != 0)
		return NULL;
	for (size_t i = 0; i < NBUILTINS; i++) {
		const wasmd_host_func *f = &builtins[i];

		if (strcmp(f->name, im->name) == 0 &&
		    same_types(f->type.params, f->type.nparams, t->params,
		        t->nparams) &&
		    same_types(f->type.results, f->type.nresults, t->results,
		        t->nresults))
			return f;
	}
	return NULL;
}

void
wasmctl_host_serve(const wasmd_module_info *info, wasmd_invoke_options *opts)
{
	/* Each built-in at most once, in the table's order: the daemon
	 * matches imports to host functions by name. */
	static wasmd_host_func served[NBUILTINS];
	size_t n = 0;

	for (size_t i = 0; i < NBUILTINS; i++) {
		for (size_t j = 0; j < info->nimports; j++) {
			const wasmd_host_func *f =
			    builtin_for(&info->imports[j]);

			if (f == &builtins[i]) {
				served[n++] = *f;
				break;
			}
		}
	}
	opts->host_funcs = n > 0 ? served : NULL;
	opts->nhost_funcs = n;
}
