/* SPDX-License-Identifier: Apache-2.0 */
/*
 * diff_run.c: runs one WebAssembly module with libwasmd-engine and prints a
 * canonical transcript of what it did, for differential testing against
 * V8 (tests/diff/diff_run.mjs prints the same transcript from node).
 *
 * Every function import is satisfied by a host function that prints its
 * name and arguments and returns zeroes (binaryen's -ttf modules import
 * fuzzing-support.log-* and sometimes env.*). Then every exported function
 * is called, in export order, DIFF_ROUNDS times: first with zero arguments,
 * then with arguments picked from a fixed table of edge values (the same
 * table as diff_run.mjs's). Before each call the module's
 * hangLimitInitializer export (binaryen's loop and recursion bound), when
 * there is one, is called to reset the bound.
 *
 * The transcript format (one event per line) is shared with diff_run.mjs:
 *   invalid | link-error | instantiate trap | instantiate ok
 *   call NAME ROUND             ROUND 0 has zero arguments
 *   host MODULE.NAME ARG...     an import was called
 *   result TYPE VALUE           one per result, then "return"
 *   return | trap
 *   skip stack | skip fuel      engine-specific outcomes: the comparison
 *                               stops at the first skip on either side
 * Values: integers in signed decimal, floats as their bits in hex with
 * every NaN written "nan" (engines may differ in NaN payloads), references
 * as "null" or "ref". Trap kinds are not printed: engines word them
 * differently.
 *
 * Usage: diff_run [--fuel N] [--threads T] FILE.wasm
 * Each call gets N units of fuel (default 200 million, far more than the
 * hang limit lets a -ttf module use); --fuel 0 turns metering off, so that
 * both of the interpreter's paths (metered and not) can be compared.
 * --threads T runs the whole transcript in T threads at once, each with its
 * own store and instance of the one shared module (the engine compiles a
 * body on its first call and must install it safely when several threads
 * race to do so); the transcripts must all be equal, and the first is
 * printed.
 * Exit status: 0 when a transcript was printed, 1 on a usage or I/O error,
 * 3 when the threads' transcripts differ.
 */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

#define DIFF_DEFAULT_FUEL 200000000ull
#define DIFF_MAX_VALUES 64
#define DIFF_HANG_EXPORT "hangLimitInitializer"
#define DIFF_ROUNDS 3
#define DIFF_MAX_THREADS 64
#define DIFF_EDGES 8

/*
 * Argument values of rounds 1 and later, as bits: argument i of round r is
 * entry (3r + i) % DIFF_EDGES of its type's row. diff_run.mjs has the same
 * table.
 */
static const uint64_t diff_edges[4][DIFF_EDGES] = {
    /* i32 */ {
        0xffffffff, 1, 0x7fffffff, 0x80000000, 255, 0x10000, 0xffffff9c, 32},
    /* i64 */
    {0xffffffffffffffffull, 1, 0x7fffffffffffffffull, 0x8000000000000000ull,
        0x100000000ull, 255, 0xffffffffffffff9cull, 64},
    /* f32: -0, 1.5, inf, -inf, max, smallest denormal, -100, 2^31 */
    {0x80000000, 0x3fc00000, 0x7f800000, 0xff800000, 0x7f7fffff, 1, 0xc2c80000,
        0x4f000000},
    /* f64: the same values */
    {0x8000000000000000ull, 0x3ff8000000000000ull, 0x7ff0000000000000ull,
        0xfff0000000000000ull, 0x7fefffffffffffffull, 1, 0xc059000000000000ull,
        0x41e0000000000000ull},
};

/* Where this thread writes its transcript (stdout, or a thread's buffer). */
static _Thread_local FILE *diff_out;

/* The name a host function prints: "module.name". own: by the store. */
typedef struct diff_host_env {
	char label[512];
} diff_host_env;

static void
print_value(const we_val *v)
{
	switch (v->type) {
	case WE_I32: fprintf(diff_out, "%" PRId32, v->of.i32); break;
	case WE_I64: fprintf(diff_out, "%" PRId64, v->of.i64); break;
	case WE_F32:
		if (isnan(v->of.f32))
			fprintf(diff_out, "nan");
		else
			fprintf(diff_out, "0x%08" PRIx32, v->of.f32_bits);
		break;
	case WE_F64:
		if (isnan(v->of.f64))
			fprintf(diff_out, "nan");
		else
			fprintf(diff_out, "0x%016" PRIx64, v->of.f64_bits);
		break;
	case WE_FUNCREF:
		fprintf(diff_out, v->of.funcref ? "ref" : "null");
		break;
	case WE_EXTERNREF:
		fprintf(diff_out, v->of.externref ? "ref" : "null");
		break;
	default: fprintf(diff_out, "?"); break;
	}
}

/* Whether n types include a v128, which JavaScript cannot pass. */
static bool
has_v128(const we_valtype *types, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (types[i] == WE_V128)
			return true;
	}
	return false;
}

/*
 * Prints "host module.name args..." and returns zeroes. An import with a
 * v128 in its signature traps, as V8 throws calling a JavaScript function
 * with one (diff_run.mjs counts that TypeError as a trap).
 */
static we_host_status
logging_host(we_hostcall *call)
{
	const diff_host_env *env = call->env;
	const we_functype *ft = we_func_type(call->func);

	if (has_v128(ft->params, ft->nparams) ||
	    has_v128(ft->results, ft->nresults)) {
		snprintf(
		    call->message, WE_MSG_MAX, "v128 at the host boundary");
		return WE_HOST_TRAP;
	}

	fprintf(diff_out, "host %s", env->label);
	for (uint32_t i = 0; i < call->nargs; i++) {
		fputc(' ', diff_out);
		print_value(&call->args[i]);
	}
	fputc('\n', diff_out);
	for (uint32_t i = 0; i < call->nresults; i++)
		memset(&call->results[i].of, 0, sizeof(call->results[i].of));
	return WE_HOST_OK;
}

static we_val
zero_of(we_valtype t)
{
	we_val v;

	memset(&v, 0, sizeof(v));
	v.type = t;
	return v;
}

/*
 * A host object for one import. Functions log; memories, tables and
 * globals (which -ttf modules do not import today) are fresh zeroed ones,
 * as diff_run.mjs makes them.
 */
static bool
make_import(we_store *s, const we_importdesc *d, we_import *out)
{
	diff_host_env *env;

	out->module = d->module;
	out->name = d->name;
	out->value.kind = d->type.kind;
	switch (d->type.kind) {
	case WE_EXTERN_FUNC:
		env = calloc(1, sizeof(*env));
		if (env == NULL)
			return false;
		snprintf(env->label, sizeof(env->label), "%s.%s", d->module,
		    d->name);
		out->value.of.func = we_func_new_host(
		    s, &d->type.of.func, logging_host, env, free);
		return out->value.of.func != NULL;
	case WE_EXTERN_MEMORY:
		out->value.of.memory = we_memory_new(s, &d->type.of.memory);
		return out->value.of.memory != NULL;
	case WE_EXTERN_TABLE:
		out->value.of.table = we_table_new(
		    s, &d->type.of.table, zero_of(d->type.of.table.elem));
		return out->value.of.table != NULL;
	case WE_EXTERN_GLOBAL:
		out->value.of.global = we_global_new(
		    s, &d->type.of.global, zero_of(d->type.of.global.type));
		return out->value.of.global != NULL;
	case WE_EXTERN_TAG:
		out->value.of.tag = we_tag_new(s, &d->type.of.tag);
		return out->value.of.tag != NULL;
	}
	return false;
}

/*
 * Prints the outcome of a call: its results, a trap, or a skip for the
 * outcomes that depend on the engine's limits rather than on the program.
 */
static void
print_outcome(
    we_store *s, we_call_status st, const we_val *results, size_t nresults)
{
	const we_trap *trap;

	if (st == WE_CALL_OK) {
		for (size_t i = 0; i < nresults; i++) {
			fprintf(diff_out, "result %s ",
			    we_valtype_name(results[i].type));
			print_value(&results[i]);
			fputc('\n', diff_out);
		}
		fprintf(diff_out, "return\n");
		return;
	}
	if (st != WE_CALL_TRAP) {
		fprintf(diff_out, "error %s\n", we_store_error(s));
		return;
	}
	trap = we_store_trap(s);
	if (trap->kind == WE_TRAP_CALL_STACK_EXHAUSTED)
		fprintf(diff_out, "skip stack\n");
	else if (trap->kind == WE_TRAP_OUT_OF_FUEL)
		fprintf(diff_out, "skip fuel\n");
	else
		fprintf(diff_out, "trap\n");
}

/* Resets binaryen's hang limit, when the module has one. */
static void
reset_hang_limit(we_store *s, we_instance *inst, uint64_t fuel)
{
	we_func *f = we_instance_func(inst, DIFF_HANG_EXPORT);

	we_store_set_fuel(s, fuel);
	if (f != NULL)
		(void)we_func_call(s, f, NULL, 0, NULL, 0);
}

/* Argument i of round r (see diff_edges); references are always null. */
static we_val
arg_of(we_valtype t, unsigned round, uint32_t i)
{
	we_val v = zero_of(t);
	unsigned k = (3 * round + i) % DIFF_EDGES;

	if (round == 0)
		return v;
	switch (t) {
	case WE_I32: v.of.i32 = (int32_t)(uint32_t)diff_edges[0][k]; break;
	case WE_I64: v.of.i64 = (int64_t)diff_edges[1][k]; break;
	case WE_F32: v.of.f32_bits = (uint32_t)diff_edges[2][k]; break;
	case WE_F64: v.of.f64_bits = diff_edges[3][k]; break;
	default: break;
	}
	return v;
}

/* Calls one exported function with round's arguments; prints it all. */
static void
call_export(we_store *s, we_instance *inst, const char *name, uint64_t fuel,
    unsigned round)
{
	we_func *f = we_instance_func(inst, name);
	const we_functype *ft = we_func_type(f);
	we_val args[DIFF_MAX_VALUES], results[DIFF_MAX_VALUES];

	fprintf(diff_out, "call %s %u\n", name, round);
	if (ft->nparams > DIFF_MAX_VALUES || ft->nresults > DIFF_MAX_VALUES) {
		fprintf(diff_out, "skip arity\n");
		return;
	}
	for (uint32_t i = 0; i < ft->nparams; i++)
		args[i] = arg_of(ft->params[i], round, i);
	we_store_set_fuel(s, fuel);
	print_outcome(s,
	    we_func_call(s, f, args, ft->nparams, results, ft->nresults),
	    results, ft->nresults);
	fflush(diff_out);
}

static void
run_exports(we_store *s, we_instance *inst, const we_module *m, uint64_t fuel)
{
	we_exportdesc e;

	for (uint32_t i = 0; i < we_module_export_count(m); i++) {
		we_module_export(m, i, &e);
		/* JavaScript cannot call an export with a v128 in its
		 * signature: neither side does. */
		if (e.type.kind != WE_EXTERN_FUNC ||
		    strcmp(e.name, DIFF_HANG_EXPORT) == 0 ||
		    has_v128(e.type.of.func.params, e.type.of.func.nparams) ||
		    has_v128(e.type.of.func.results, e.type.of.func.nresults))
			continue;
		for (unsigned round = 0; round < DIFF_ROUNDS; round++) {
			reset_hang_limit(s, inst, fuel);
			call_export(s, inst, e.name, fuel, round);
		}
	}
}

/* Links, instantiates and runs m; prints the whole transcript. */
static void
run_module(const we_module *m, uint64_t fuel)
{
	uint32_t n = we_module_import_count(m);
	we_store *s = we_store_new(NULL);
	we_import *imports = calloc(n ? n : 1, sizeof(*imports));
	we_importdesc d;
	we_instance *inst;
	we_error err;

	if (s == NULL || imports == NULL) {
		fprintf(stderr, "diff_run: out of memory\n");
		exit(1);
	}
	for (uint32_t i = 0; i < n; i++) {
		we_module_import(m, i, &d);
		if (!make_import(s, &d, &imports[i])) {
			fprintf(diff_out, "link-error\n");
			goto out;
		}
	}
	we_store_set_fuel(s, fuel);
	inst = we_instance_new(s, m, imports, n, &err);
	if (inst == NULL) {
		fprintf(diff_out,
		    err.code == WE_ERR_TRAP ? "instantiate trap\n"
		                            : "link-error\n");
		fprintf(stderr, "diff_run: %s\n", err.message);
		goto out;
	}
	fprintf(diff_out, "instantiate ok\n");
	run_exports(s, inst, m, fuel);
out:
	free(imports);
	we_store_free(s);
}

/* One thread of --threads: its transcript in its own buffer. */
typedef struct diff_thread {
	pthread_t thread;
	const we_module *m; /* borrowed: shared by all threads */
	uint64_t fuel;
	char *text; /* own: free() */
	size_t len;
} diff_thread;

static void *
thread_main(void *arg)
{
	diff_thread *t = arg;

	diff_out = open_memstream(&t->text, &t->len);
	if (diff_out == NULL) {
		fprintf(stderr, "diff_run: out of memory\n");
		exit(1);
	}
	run_module(t->m, t->fuel);
	fclose(diff_out);
	return NULL;
}

/*
 * Runs the transcript in n threads at once; prints the first one. Returns
 * 0, or 3 when a thread's transcript differs from the first's.
 */
static int
run_threads(const we_module *m, uint64_t fuel, unsigned n)
{
	diff_thread t[DIFF_MAX_THREADS];
	int rc = 0;

	memset(t, 0, sizeof(t));
	for (unsigned i = 0; i < n; i++) {
		t[i].m = m;
		t[i].fuel = fuel;
		if (pthread_create(&t[i].thread, NULL, thread_main, &t[i]) !=
		    0) {
			fprintf(stderr, "diff_run: cannot start a thread\n");
			exit(1);
		}
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(t[i].thread, NULL);
	fwrite(t[0].text, 1, t[0].len, stdout);
	for (unsigned i = 1; i < n; i++) {
		if (t[i].len != t[0].len ||
		    memcmp(t[i].text, t[0].text, t[0].len) != 0) {
			fprintf(stderr,
			    "diff_run: thread %u's transcript differs from "
			    "thread 0's:\n%.*s\n",
			    i, (int)t[i].len, t[i].text);
			rc = 3;
		}
	}
	for (unsigned i = 0; i < n; i++)
		free(t[i].text);
	return rc;
}

/* Reads a whole file. own: *out, free(). */
static bool
read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (f == NULL)
		return false;
	do {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return false;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*out = buf;
	*len = n;
	return true;
}

int
main(int argc, char **argv)
{
	uint64_t fuel = DIFF_DEFAULT_FUEL;
	int rc = 0;
	const char *path;
	uint8_t *bytes;
	size_t len;
	we_module *m;
	we_error err;

	int i = 1;
	unsigned threads = 1;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "--fuel") == 0)
			fuel = strtoull(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--threads") == 0)
			threads = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else
			break;
	}
	if (i != argc - 1 || threads == 0 || threads > DIFF_MAX_THREADS) {
		fprintf(stderr,
		    "usage: diff_run [--fuel N] [--threads T] "
		    "FILE.wasm\n");
		return 1;
	}
	if (fuel == 0)
		fuel = UINT64_MAX; /* the engine's "not metered" */
	path = argv[i];
	diff_out = stdout;
	if (!read_file(path, &bytes, &len)) {
		fprintf(stderr, "diff_run: cannot read %s\n", path);
		return 1;
	}
	m = we_module_new(bytes, len, &err);
	free(bytes);
	if (m == NULL) {
		fprintf(diff_out, "invalid\n");
		fprintf(stderr, "diff_run: %s (at byte %zu)\n", err.message,
		    err.offset);
		return 0;
	}
	if (threads == 1)
		run_module(m, fuel);
	else
		rc = run_threads(m, fuel, threads);
	we_module_free(m);
	return rc;
}
