/* SPDX-License-Identifier: Apache-2.0 */
/*
 * global.c: globals made by the host, and the host's access to every
 * global. A global holds its value in slot form (wr_value); the host sees
 * it as a typed we_val and may only set mutable globals, with a value of
 * the global's type.
 */
#include <stdlib.h>

#include "runtime.h"

static bool
is_valtype(we_valtype t)
{
	switch (t) {
	case WE_I32:
	case WE_I64:
	case WE_F32:
	case WE_F64:
	case WE_V128: return true;
	default: return wr_is_ref(t);
	}
}

we_global *
we_global_new(we_store *s, const we_globaltype *type, we_val init)
{
	if (s == NULL || type == NULL || !is_valtype(type->type) ||
	    init.type != type->type)
		return NULL;
	/* An anyref: null, an i31 or an object of the store (the guest
	   reads what it points to). */
	if (init.type == WE_ANYREF &&
	    !wr_host_ref_ok(s, type->type, init.of.externref))
		return NULL;
	we_global *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->store = s;
	g->type = *type;
	wr_from_val(init, &g->value); /* a v128 goes on into hi */
	if (!wr_store_adopt(s, g, WR_OBJ_GLOBAL)) {
		free(g);
		return NULL;
	}
	return g;
}

we_val
we_global_get(const we_global *g)
{
	we_val v = wr_to_val(g->type.type, &g->value);

	v.type = wr_host_top(g->store, g->type.type);
	return v;
}

bool
we_global_set(we_global *g, we_val v)
{
	if (!g->type.mutable_ || v.type != g->type.type)
		return false;
	/* An anyref from the host: null, an i31 or an object of the store. */
	if (v.type == WE_ANYREF &&
	    !wr_host_ref_ok(g->store, g->type.type, v.of.externref))
		return false;
	wr_from_val(v, &g->value);
	return true;
}
