/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_instantiate.c: decode arbitrary bytes; when they are a valid module,
 * satisfy each import with a host object of the right type, instantiate it
 * under small limits and fuel, and call every exported function with zero
 * arguments. Then snapshot the instance, when the engine allows it, make
 * a second instance from the snapshot in the same store and call every
 * export again; a copy of the snapshot's bytes with one byte changed must
 * be refused. Traps are expected; crashes, hangs, leaks and sanitizer
 * reports are bugs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/engine.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FUEL 20000
#define FUZZ_MAX_VALUES 64

/* Returns zeroes of the result types: a host function that does nothing. */
static we_host_status
zero_host(we_hostcall *call)
{
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

/* A host object for one import, or false when none fits. */
static bool
make_import(we_store *s, const we_importdesc *d, we_import *out)
{
	out->module = d->module;
	out->name = d->name;
	out->value.kind = d->type.kind;
	switch (d->type.kind) {
	case WE_EXTERN_FUNC:
		out->value.of.func = we_func_new_host(
		    s, &d->type.of.func, zero_host, NULL, NULL);
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

static void
call_exports(we_store *s, const we_module *m, we_instance *inst)
{
	we_val args[FUZZ_MAX_VALUES], results[FUZZ_MAX_VALUES];
	we_exportdesc e;

	for (uint32_t i = 0; i < we_module_export_count(m); i++) {
		we_module_export(m, i, &e);
		if (e.type.kind != WE_EXTERN_FUNC)
			continue;
		const we_functype *t = &e.type.of.func;
		if (t->nparams > FUZZ_MAX_VALUES ||
		    t->nresults > FUZZ_MAX_VALUES)
			continue;
		for (uint32_t j = 0; j < t->nparams; j++)
			args[j] = zero_of(t->params[j]);
		we_store_set_fuel(s, FUZZ_FUEL);
		we_func_call(s, we_instance_func(inst, e.name), args,
		    t->nparams, results, t->nresults);
	}
}

/*
 * Snapshots inst and runs its exports again in an instance made from the
 * snapshot; a damaged copy of its bytes (one byte flipped, where the
 * input's size says) must not load.
 */
static void
snapshot_and_rerun(we_store *s, const we_module *m, const we_instance *inst,
    const we_import *imports, uint32_t n, size_t size)
{
	we_error err;
	we_snapshot *snap = we_snapshot_take(inst, &err);
	size_t len;

	if (snap == NULL)
		return;
	const uint8_t *bytes = we_snapshot_bytes(snap, &len);
	uint8_t *bad = malloc(len);
	if (bad != NULL && len > 0) {
		memcpy(bad, bytes, len);
		bad[size % len] ^= 0x01;
		we_snapshot *wrong = we_snapshot_load(m, bad, len, 0, &err);
		if (wrong != NULL)
			abort(); /* damaged bytes were trusted */
	}
	free(bad);
	we_instance *again = we_snapshot_instantiate(s, snap, imports, n, &err);
	if (again != NULL)
		call_exports(s, m, again);
	we_snapshot_free(snap);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const we_config config = {
	    .max_call_depth = 200,
	    .max_stack_bytes = 256 << 10,
	    .max_memory_pages = 32,
	    .max_table_elems = 1000,
	};
	we_error err;
	we_module *m = we_module_new(data, size, &err);
	if (m == NULL)
		return 0;

	we_store *s = we_store_new(&config);
	uint32_t n = we_module_import_count(m);
	we_import *imports = calloc(n ? n : 1, sizeof(*imports));
	bool linked = s != NULL && imports != NULL;
	for (uint32_t i = 0; linked && i < n; i++) {
		we_importdesc d;
		we_module_import(m, i, &d);
		linked = make_import(s, &d, &imports[i]);
	}
	if (linked) {
		we_store_set_fuel(s, FUZZ_FUEL);
		we_instance *inst = we_instance_new(s, m, imports, n, &err);
		if (inst != NULL) {
			call_exports(s, m, inst);
			snapshot_and_rerun(s, m, inst, imports, n, size);
		}
	}
	free(imports);
	we_store_free(s);
	we_module_free(m);
	return 0;
}
