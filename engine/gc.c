/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gc.c: the run-time side of GC (3.0) without heap objects: whether a
 * reference is of a given reference type, for ref.test, ref.cast,
 * br_on_cast and br_on_cast_fail. The only non-null values of the any
 * hierarchy are i31 references (runtime.h), so no struct or array type
 * holds any.
 */
#include "runtime.h"

bool
wr_ref_test(const we_instance *inst, const void *ref, we_valtype rt)
{
	uint32_t h = (uint32_t)rt & ~(uint32_t)WE_REF_NONNULL;
	uint32_t x;

	if (ref == NULL)
		return !(rt & WE_REF_NONNULL);
	if (h & WE_REF_TYPEIDX) {
		/* A type of the module: only a function type has values. */
		x = WE_REF_TYPE_INDEX(h);
		if (inst->module->typeinfo[x].kind != WM_KIND_FUNC)
			return false;
		return wr_type_sub(inst->store, ((const we_func *)ref)->type_id,
		    inst->type_ids[x]);
	}
	if (wr_heap_is_bottom(h))
		return false;
	if (wr_ref_top((we_valtype)h) != WE_ANYREF)
		return true; /* func, extern, exn: any value of the top */
	/* any, eq and i31 hold an i31; struct and array nothing yet. */
	return wr_is_i31(ref) &&
	    (h == WE_ANYREF || h == WE_EQREF || h == WE_I31REF);
}
