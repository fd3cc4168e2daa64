/* SPDX-License-Identifier: Apache-2.0 */
/*
 * load-time.c: bench-load, how fast the engine loads a large real module.
 *
 *   bench-load FILE
 *
 * Reads FILE into memory, then times we_module_new() (decode, validate and
 * prepare) and we_instance_new() with every import bound to a stub (host
 * functions that trap, fresh memories, tables and globals of the imported
 * types): after both, the first export can be called. Prints key=value
 * lines for bench/run-engine: bytes, module_new_seconds and
 * instance_seconds (wall time), the same as *_cpu_seconds (CPU time of the
 * process), and first_export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wasmd/engine.h>

static double
clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wall and CPU time since a start taken with stopwatch_start(). */
typedef struct stopwatch {
	double wall;
	double cpu;
} stopwatch;

static stopwatch
stopwatch_start(void)
{
	stopwatch w = {clock_seconds(CLOCK_MONOTONIC),
	    clock_seconds(CLOCK_PROCESS_CPUTIME_ID)};

	return w;
}

static stopwatch
stopwatch_read(stopwatch start)
{
	stopwatch w = {clock_seconds(CLOCK_MONOTONIC) - start.wall,
	    clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - start.cpu};

	return w;
}

/* own: the file's bytes (free them), or NULL with a message printed. */
static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;

	if (f == NULL) {
		perror(path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		fclose(f);
		return NULL;
	}
	buf = malloc(size > 0 ? (size_t)size : 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "%s: cannot read %ld bytes\n", path, size);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)size;
	return buf;
}

/* Every imported function is a stub: calling one traps. */
static we_host_status
stub_call(we_hostcall *call)
{
	snprintf(call->message, WE_MSG_MAX, "bench-load: import not provided");
	return WE_HOST_TRAP;
}

static we_val
zero_of(we_valtype t)
{
	we_val v;

	memset(&v, 0, sizeof(v));
	v.type = t;
	return v;
}

/* A host object of the import's type; false when one cannot be made. */
static bool
stub_extern(we_store *s, const we_importdesc *d, we_extern *out)
{
	out->kind = d->type.kind;
	switch (d->type.kind) {
	case WE_EXTERN_FUNC:
		out->of.func = we_func_new_host(
		    s, &d->type.of.func, stub_call, NULL, NULL);
		return out->of.func != NULL;
	case WE_EXTERN_MEMORY:
		out->of.memory = we_memory_new(s, &d->type.of.memory);
		return out->of.memory != NULL;
	case WE_EXTERN_TABLE:
		out->of.table = we_table_new(
		    s, &d->type.of.table, zero_of(d->type.of.table.elem));
		return out->of.table != NULL;
	case WE_EXTERN_GLOBAL:
		out->of.global = we_global_new(
		    s, &d->type.of.global, zero_of(d->type.of.global.type));
		return out->of.global != NULL;
	}
	return false;
}

/* Instantiates m with stubs; the time it took, or false. */
static bool
time_instance(const we_module *m, const char **first_export, stopwatch *took)
{
	uint32_t n = we_module_import_count(m);
	we_import *imports = calloc(n ? n : 1, sizeof(*imports));
	we_store *s = we_store_new(NULL);
	bool ok = false;
	stopwatch start;
	we_instance *inst;
	we_error err;

	if (imports == NULL || s == NULL)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		we_importdesc d;

		we_module_import(m, i, &d);
		imports[i].module = d.module;
		imports[i].name = d.name;
		if (!stub_extern(s, &d, &imports[i].value)) {
			fprintf(stderr,
			    "bench-load: cannot stub import %s.%s\n", d.module,
			    d.name);
			goto out;
		}
	}
	start = stopwatch_start();
	inst = we_instance_new(s, m, imports, n, &err);
	if (inst == NULL) {
		fprintf(stderr, "bench-load: instantiate: %s\n", err.message);
		goto out;
	}
	*first_export = NULL;
	for (uint32_t i = 0; i < we_module_export_count(m); i++) {
		we_exportdesc e;

		we_module_export(m, i, &e);
		if (e.type.kind == WE_EXTERN_FUNC &&
		    we_instance_func(inst, e.name) != NULL) {
			*first_export = e.name;
			break;
		}
	}
	*took = stopwatch_read(start);
	ok = true;
out:
	we_store_free(s);
	free(imports);
	return ok;
}

int
main(int argc, char **argv)
{
	const char *first = NULL;
	stopwatch start, load, inst;
	we_module *m;
	we_error err;
	uint8_t *bytes;
	size_t len;
	bool ok;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-load FILE.wasm\n");
		return 2;
	}
	if ((bytes = read_file(argv[1], &len)) == NULL)
		return 1;
	start = stopwatch_start();
	m = we_module_new(bytes, len, &err);
	load = stopwatch_read(start);
	if (m == NULL) {
		fprintf(stderr, "bench-load: %s: %s\n", argv[1], err.message);
		free(bytes);
		return 1;
	}
	ok = time_instance(m, &first, &inst);
	printf(
	    "bytes=%zu\nmodule_new_seconds=%.9f\nmodule_new_cpu_seconds=%.9f\n",
	    len, load.wall, load.cpu);
	if (ok)
		printf("instance_seconds=%.9f\ninstance_cpu_seconds=%.9f\n"
		       "first_export=%s\n",
		    inst.wall, inst.cpu, first ? first : "(none)");
	we_module_free(m);
	free(bytes);
	return ok ? 0 : 1;
}
