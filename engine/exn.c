/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exn.c: exception tags and exception objects (WebAssembly 3.0 exception
 * handling). The interpreter (interp.c) throws and catches; the catch
 * clauses of each compiled function are in its wx_code (compile.c).
 *
 * Private to engine/ but for we_tag_new and we_tag_type. Tags and
 * exceptions are owned by their store: an exception lives as long as the
 * store (an exnref may be kept in a global or a table), and each is
 * charged to the store's memory limit, so a guest that throws in a loop
 * meets that limit rather than exhausting the process.
 */
#include <stdlib.h>
#include <string.h>

#include "code.h"

/* A host tag: the tag, then its copy of the parameter types. */
typedef struct hosttag {
	we_tag tag; /* first: the store frees the whole block */
	we_functype type;
	we_valtype params[];
} hosttag;

uint32_t
wr_param_slots(const we_functype *t)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < t->nparams; i++)
		n += t->params[i] == WE_V128 ? 2 : 1;
	return n;
}

we_tag *
wr_tag_create(
    we_store *s, const we_functype *type, uint32_t type_id, uint32_t index)
{
	we_tag *t = calloc(1, sizeof *t);

	if (t == NULL || !wr_store_adopt(s, t, WR_OBJ_TAG)) {
		free(t);
		return NULL;
	}
	t->type = type;
	t->type_id = type_id;
	t->nslots = wr_param_slots(type);
	t->index = index;
	return t;
}

we_tag *
we_tag_new(we_store *s, const we_functype *type)
{
	hosttag *h;

	if (s == NULL || type == NULL || type->nresults != 0 ||
	    type->nparams > 100000 ||
	    (type->nparams > 0 && type->params == NULL) ||
	    wr_functype_typed(type))
		return NULL;
	uint32_t id = wr_intern_type(s, type);
	if (id == UINT32_MAX)
		return NULL;
	h = calloc(1, sizeof *h + type->nparams * sizeof(we_valtype));
	if (h == NULL || !wr_store_adopt(s, &h->tag, WR_OBJ_TAG)) {
		free(h);
		return NULL;
	}
	if (type->nparams > 0)
		memcpy(h->params, type->params,
		    type->nparams * sizeof(we_valtype));
	h->type.nparams = type->nparams;
	h->type.params = h->params;
	h->tag.type = &h->type;
	h->tag.type_id = id;
	h->tag.nslots = wr_param_slots(&h->type);
	return &h->tag;
}

const we_functype *
we_tag_type(const we_tag *t)
{
	return t->type;
}

wr_exn *
wr_exn_new(we_store *s, const we_tag *tag, const wr_value *vals)
{
	size_t size = sizeof(wr_exn) + tag->nslots * sizeof(wr_value);
	wr_exn *e;

	if (!wr_store_charge(s, size))
		return NULL;
	e = malloc(size);
	if (e == NULL || !wr_store_adopt(s, e, WR_OBJ_EXN)) {
		free(e);
		wr_store_refund(s, size);
		return NULL;
	}
	e->tag = tag;
	if (tag->nslots > 0)
		memcpy(e->vals, vals, tag->nslots * sizeof(wr_value));
	return e;
}

const wx_catch *
wx_find_catch(const wx_code *code, const we_instance *inst, uint32_t at,
    const we_tag *tag)
{
	uint32_t depth = UINT32_MAX; /* handlers deeper than this are passed */

	for (uint32_t i = 0; i < code->ncatches; i++) {
		const wx_catch *k = &code->catches[i];
		if (at < k->start || at >= k->end || k->level > depth)
			continue;
		if (k->tag == WX_DELEGATE)
			depth = k->dst;
		else if (k->tag == WX_CATCH_ALL || inst->tags[k->tag] == tag)
			return k;
	}
	return NULL;
}

void
wx_uncaught(we_store *s, const wr_exn *e)
{
	if (e->tag->name != NULL)
		wr_trap(s, WE_TRAP_EXCEPTION, "uncaught exception: tag \"%s\"",
		    e->tag->name);
	else
		wr_trap(s, WE_TRAP_EXCEPTION, "uncaught exception: tag %u",
		    e->tag->index);
}
