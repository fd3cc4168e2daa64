/*
 * load-time.c: bench-load, how fast the engine loads a large real module.
 *
 *   bench-load FILE
 *
 * Reads FILE into memory, then times we_module_new() (decode, validate and
 * prepare) and we_instance_new() with every import bound to a stub (host
 * functions that trap, fresh memories, tables and globals of the imported
 * types): after both, the first export can be called. Prints key=value
 * lines for bench/run-engine: bytes, module_new_seconds, instance_seconds,
 * first_export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wasmd/engine.h>

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
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

/* Instantiates m with stubs; returns the seconds it took, or -1. */
static double
time_instance(const we_module *m, const char **first_export)
{
	uint32_t n = we_module_import_count(m);
	we_import *imports = calloc(n ? n : 1, sizeof(*imports));
	we_store *s = we_store_new(NULL);
	double start, elapsed = -1;
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
	start = now_seconds();
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
	elapsed = now_seconds() - start;
out:
	we_store_free(s);
	free(imports);
	return elapsed;
}

int
main(int argc, char **argv)
{
	const char *first = NULL;
	double start, load, inst;
	we_module *m;
	we_error err;
	uint8_t *bytes;
	size_t len;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-load FILE.wasm\n");
		return 2;
	}
	if ((bytes = read_file(argv[1], &len)) == NULL)
		return 1;
	start = now_seconds();
	m = we_module_new(bytes, len, &err);
	load = now_seconds() - start;
	if (m == NULL) {
		fprintf(stderr, "bench-load: %s: %s\n", argv[1], err.message);
		free(bytes);
		return 1;
	}
	inst = time_instance(m, &first);
	printf("bytes=%zu\nmodule_new_seconds=%.9f\n", len, load);
	if (inst >= 0)
		printf("instance_seconds=%.9f\nfirst_export=%s\n", inst,
		    first ? first : "(none)");
	we_module_free(m);
	free(bytes);
	return inst >= 0 ? 0 : 1;
}
