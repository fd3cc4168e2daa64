/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostfunc.c: functions implemented by the host, and the types of externs.
 *
 * A host function is one allocation: the we_func, its copy of the type and
 * the value types, so that the type stays valid for the store's life (the
 * store's interned type table may move when it grows, so nothing points
 * into it).
 */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

typedef struct hostfunc {
	we_func func; /* first: the store frees the whole block as a we_func */
	we_functype type;
	we_valtype vals[]; /* params then results */
} hostfunc;

static bool
functype_ok(const we_functype *t)
{
	if (t->nparams > 0 && t->params == NULL)
		return false;
	if (t->nresults > 0 && t->results == NULL)
		return false;
	/* Bounds far above any real signature keep the size sum small. */
	return t->nparams <= 100000 && t->nresults <= 100000 &&
	    !wr_functype_typed(t);
}

we_func *
we_func_new_host(we_store *s, const we_functype *type, we_host_fn fn, void *env,
    void (*env_free)(void *))
{
	if (s == NULL || type == NULL || fn == NULL || !functype_ok(type))
		return NULL;
	size_t nvals = (size_t)type->nparams + type->nresults;
	hostfunc *h = calloc(1, sizeof(*h) + nvals * sizeof(we_valtype));
	if (h == NULL)
		return NULL;
	if (type->nparams > 0)
		memcpy(
		    h->vals, type->params, type->nparams * sizeof(we_valtype));
	if (type->nresults > 0)
		memcpy(h->vals + type->nparams, type->results,
		    type->nresults * sizeof(we_valtype));
	h->type.nparams = type->nparams;
	h->type.nresults = type->nresults;
	h->type.params = h->vals;
	h->type.results = h->vals + type->nparams;
	uint32_t id = wr_intern_type(s, &h->type);
	if (id == UINT32_MAX || !wr_store_adopt(s, &h->func, WR_OBJ_FUNC)) {
		free(h);
		return NULL;
	}
	h->func.type = &h->type;
	h->func.type_id = id;
	h->func.host = fn;
	h->func.env = env;
	h->func.env_free = env_free;
	return &h->func;
}

const we_functype *
we_func_type(const we_func *f)
{
	return f->type;
}

void
we_extern_type(const we_extern *e, we_externtype *out)
{
	out->kind = e->kind;
	switch (e->kind) {
	case WE_EXTERN_FUNC: out->of.func = *e->of.func->type; break;
	case WE_EXTERN_TABLE:
		out->of.table = e->of.table->type;
		out->of.table.limits.min = e->of.table->size;
		break;
	case WE_EXTERN_MEMORY:
		out->of.memory = e->of.memory->type;
		out->of.memory.limits.min = e->of.memory->pages;
		break;
	case WE_EXTERN_GLOBAL: out->of.global = e->of.global->type; break;
	case WE_EXTERN_TAG: out->of.tag = *e->of.tag->type; break;
	}
}
