/* SPDX-License-Identifier: Apache-2.0 */
/*
 * module.c: the life of a module (we_module_new, we_validate,
 * we_module_free) and its introspection API: imports, exports, custom
 * sections and names. Decoding itself is in decode.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "runtime.h"

static void
set_error(we_error *err, we_err code, const char *msg)
{
	if (err == NULL)
		return;
	err->code = code;
	err->offset = SIZE_MAX;
	strncpy(err->message, msg, sizeof err->message - 1);
	err->message[sizeof err->message - 1] = '\0';
}

static we_module *
module_new(const uint8_t *bytes, size_t len, we_error *err, bool wasm2)
{
	we_error local;
	we_module *m;

	if (err == NULL)
		err = &local;
	if (bytes == NULL && len > 0) {
		set_error(err, WE_ERR_ARG, "no module bytes given");
		return NULL;
	}
	m = calloc(1, sizeof *m);
	if (m == NULL || (m->bytes = malloc(len ? len : 1)) == NULL) {
		free(m);
		set_error(err, WE_ERR_NOMEM, "out of memory for the module");
		return NULL;
	}
	if (len > 0)
		memcpy(m->bytes, bytes, len);
	m->len = len;
	m->wasm2 = wasm2;
	set_error(err, WE_OK, "");
	if (!wd_decode(m, err)) {
		we_module_free(m);
		return NULL;
	}
	return m;
}

we_module *
we_module_new(const uint8_t *bytes, size_t len, we_error *err)
{
	return module_new(bytes, len, err, false);
}

we_module *
we_module_new_wasm2(const uint8_t *bytes, size_t len, we_error *err)
{
	return module_new(bytes, len, err, true);
}

we_err
we_validate(const uint8_t *bytes, size_t len, we_error *err)
{
	we_error local;
	we_module *m;

	if (err == NULL)
		err = &local;
	m = we_module_new(bytes, len, err);
	if (m == NULL)
		return err->code;
	we_module_free(m);
	return WE_OK;
}

static void
free_funcs(we_module *m)
{
	if (m->funcs == NULL)
		return;
	for (uint32_t i = 0; i < m->nfuncs; i++) {
		free(m->funcs[i].local_types);
		wx_code_free(m->funcs[i].code);
	}
	free(m->funcs);
}

static void
free_types(we_module *m)
{
	if (m->types == NULL)
		return;
	/* Each type's params and results share one allocation. */
	for (uint32_t i = 0; i < m->ntypes; i++)
		free((void *)m->types[i].params);
	free(m->types);
}

static void
free_strings(we_module *m)
{
	for (uint32_t i = 0; m->imports != NULL && i < m->nimports; i++) {
		free(m->imports[i].module);
		free(m->imports[i].name);
	}
	for (uint32_t i = 0; m->exports != NULL && i < m->nexports; i++)
		free(m->exports[i].name);
	for (uint32_t i = 0; m->customs != NULL && i < m->ncustoms; i++)
		free(m->customs[i].name);
	for (uint32_t i = 0; m->func_names != NULL && i < m->nfuncs; i++)
		free(m->func_names[i]);
}

void
we_module_free(we_module *m)
{
	if (m == NULL)
		return;
	free_funcs(m);
	free_types(m);
	free_strings(m);
	for (uint32_t i = 0; m->elems != NULL && i < m->nelems; i++)
		free(m->elems[i].items);
	free(m->imports);
	free(m->exports);
	free(m->customs);
	free(m->func_names);
	free(m->name);
	free(m->type_canon);
	free(m->typeinfo);
	free(m->tables);
	free(m->table_inits);
	free(m->mems);
	free(m->globals);
	free(m->tags);
	free(m->elems);
	free(m->datas);
	free(m->func_declared);
	free(m->bytes);
	free(m);
}

/* ---- Introspection ------------------------------------------------------- */

/* The type of entity index of kind kind, into out. */
static void
extern_type(
    const we_module *m, we_externkind kind, uint32_t index, we_externtype *out)
{
	memset(out, 0, sizeof *out);
	out->kind = kind;
	switch (kind) {
	case WE_EXTERN_FUNC:
		if (index < m->nfuncs)
			out->of.func = *m->funcs[index].type;
		break;
	case WE_EXTERN_TABLE:
		if (index < m->ntables)
			out->of.table = m->tables[index];
		break;
	case WE_EXTERN_MEMORY:
		if (index < m->nmems)
			out->of.memory = m->mems[index];
		break;
	case WE_EXTERN_GLOBAL:
		if (index < m->nglobals)
			out->of.global = m->globals[index].type;
		break;
	case WE_EXTERN_TAG:
		if (index < m->ntags)
			out->of.tag = *m->tags[index].type;
		break;
	}
}

uint32_t
we_module_import_count(const we_module *m)
{
	return m->nimports;
}

we_valtype
we_module_host_type(const we_module *m, we_valtype t)
{
	if (!wr_is_ref(t))
		return t;
	if (m != NULL && (t & WE_REF_TYPEIDX) &&
	    WE_REF_TYPE_INDEX(t) < m->ntypes)
		return wm_heap_top(m->typeinfo, t);
	return wr_ref_top(t); /* without m, a type index is a function's */
}

void
we_module_import(const we_module *m, uint32_t i, we_importdesc *out)
{
	const wm_import *imp;

	memset(out, 0, sizeof *out);
	if (i >= m->nimports)
		return;
	imp = &m->imports[i];
	out->module = imp->module;
	out->name = imp->name;
	extern_type(m, imp->kind, imp->index, &out->type);
}

uint32_t
we_module_export_count(const we_module *m)
{
	return m->nexports;
}

void
we_module_export(const we_module *m, uint32_t i, we_exportdesc *out)
{
	const wm_export *e;

	memset(out, 0, sizeof *out);
	if (i >= m->nexports)
		return;
	e = &m->exports[i];
	out->name = e->name;
	out->index = e->index;
	extern_type(m, e->kind, e->index, &out->type);
}

bool
we_module_find_export(const we_module *m, const char *name, we_exportdesc *out)
{
	for (uint32_t i = 0; i < m->nexports; i++)
		if (strcmp(m->exports[i].name, name) == 0) {
			if (out != NULL)
				we_module_export(m, i, out);
			return true;
		}
	return false;
}

bool
we_module_custom_section(
    const we_module *m, const char *name, const uint8_t **data, size_t *len)
{
	for (uint32_t i = 0; i < m->ncustoms; i++)
		if (strcmp(m->customs[i].name, name) == 0) {
			if (data != NULL)
				*data = m->customs[i].data;
			if (len != NULL)
				*len = m->customs[i].len;
			return true;
		}
	return false;
}

const char *
we_module_name(const we_module *m)
{
	return m->name;
}

const char *
we_module_func_name(const we_module *m, uint32_t func_index)
{
	if (m->func_names == NULL || func_index >= m->nfuncs)
		return NULL;
	return m->func_names[func_index];
}

/* ---- Subtyping of typed references (see module.h) -------------------- */

bool
wm_subtype(const we_module *m, we_valtype sub, we_valtype super)
{
	if (m == NULL)
		return wm_valtype_sub(NULL, NULL, sub, super);
	return wm_valtype_sub(m->typeinfo, m->type_canon, sub, super);
}
