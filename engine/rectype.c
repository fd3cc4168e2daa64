/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rectype.c: rec groups and declared subtypes (WebAssembly 3.0), the
 * part that a module's decoder and a store's type interning share.
 *
 * Type equivalence is iso-recursive: two types are equivalent when they
 * sit at the same position of equivalent rec groups, and two groups are
 * equivalent when they are equal once every type index inside a group is
 * counted from that group's start. The decoder (decode.c) and the store
 * (store.c) each keep one canonical copy of every group, so equivalence
 * is an equality of indices after that; subtyping walks the declared
 * supertypes.
 */
#include "runtime.h"

/* Marks a relative index in a value type: real ones have a zero low byte. */
#define REL_MARK 1u
/* Marks a relative supertype: real ones are below WR_MAX_STORE_TYPES. */
#define REL_SUPER 0x80000000u

/* Value type v of a type of the group [start, start + n), relative. */
static uint32_t
rel_valtype(we_valtype v, uint32_t start, uint32_t n)
{
	uint32_t x;

	if (!(v & WE_REF_TYPEIDX))
		return (uint32_t)v;
	x = WE_REF_TYPE_INDEX(v);
	if (x - start >= n)
		return (uint32_t)v;
	/* WM_FIELD_MUT: a struct or array field's mutability. */
	return ((uint32_t)v & (WE_REF_NONNULL | WM_FIELD_MUT)) |
	    (uint32_t)WE_REF_TYPE(x - start) | REL_MARK;
}

static uint32_t
rel_super(uint32_t super, uint32_t start, uint32_t n)
{
	if (super == WM_NO_SUPER || super - start >= n)
		return super;
	return REL_SUPER | (super - start);
}

static uint32_t
mix(uint32_t h, uint32_t v)
{
	return (h ^ v) * 16777619u; /* FNV-1a, a word at a time */
}

uint32_t
wm_group_hash(const we_functype *types, const wm_typeinfo *info, uint32_t start,
    uint32_t n)
{
	uint32_t h = mix(2166136261u, n);

	for (uint32_t i = start; i < start + n; i++) {
		const we_functype *t = &types[i];
		h = mix(h, info[i].final | (uint32_t)info[i].kind << 1);
		h = mix(h, rel_super(info[i].super, start, n));
		h = mix(h, t->nparams);
		for (uint32_t k = 0; k < t->nparams; k++)
			h = mix(h, rel_valtype(t->params[k], start, n));
		h = mix(h, t->nresults | REL_SUPER);
		for (uint32_t k = 0; k < t->nresults; k++)
			h = mix(h, rel_valtype(t->results[k], start, n));
	}
	return h;
}

static bool
valtypes_equal(const we_valtype *va, uint32_t a, const we_valtype *vb,
    uint32_t b, uint32_t count, uint32_t n)
{
	for (uint32_t k = 0; k < count; k++)
		if (rel_valtype(va[k], a, n) != rel_valtype(vb[k], b, n))
			return false;
	return true;
}

bool
wm_group_equal(const we_functype *ta, const wm_typeinfo *ia, uint32_t a,
    const we_functype *tb, const wm_typeinfo *ib, uint32_t b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const we_functype *x = &ta[a + i], *y = &tb[b + i];
		if (ia[a + i].final != ib[b + i].final ||
		    ia[a + i].kind != ib[b + i].kind ||
		    rel_super(ia[a + i].super, a, n) !=
		        rel_super(ib[b + i].super, b, n) ||
		    x->nparams != y->nparams || x->nresults != y->nresults ||
		    !valtypes_equal(
		        x->params, a, y->params, b, x->nparams, n) ||
		    !valtypes_equal(
		        x->results, a, y->results, b, x->nresults, n))
			return false;
	}
	return true;
}

bool
wm_heap_sub(
    const wm_typeinfo *info, const uint32_t *canon, uint32_t a, uint32_t b)
{
	if (canon != NULL) {
		a = canon[a];
		b = canon[b];
	}
	while (a != b) {
		a = info[a].super;
		if (a == WM_NO_SUPER)
			return false;
		if (canon != NULL)
			a = canon[a];
	}
	return true;
}

/*
 * The top of heap type h's hierarchy: a type index names a function type
 * (below func) or a struct or array type (below any); without info, a
 * function type.
 */
static uint32_t
heap_top(const wm_typeinfo *info, uint32_t h)
{
	if (h & WE_REF_TYPEIDX)
		return info != NULL &&
		        info[WE_REF_TYPE_INDEX(h)].kind != WM_KIND_FUNC
		    ? WE_ANYREF
		    : WE_FUNCREF;
	return (uint32_t)wr_ref_top((we_valtype)h);
}

we_valtype
wm_heap_top(const wm_typeinfo *info, we_valtype t)
{
	return (we_valtype)heap_top(
	    info, (uint32_t)t & ~(uint32_t)WE_REF_NONNULL);
}

/* The abstract heap type just above type index h's: struct or array. */
static uint32_t
heap_abstract(const wm_typeinfo *info, uint32_t h)
{
	if (!(h & WE_REF_TYPEIDX))
		return h;
	return info[WE_REF_TYPE_INDEX(h)].kind == WM_KIND_ARRAY ? WE_ARRAYREF
	                                                        : WE_STRUCTREF;
}

bool
wm_valtype_sub(const wm_typeinfo *info, const uint32_t *canon, we_valtype sub,
    we_valtype super)
{
	uint32_t hs, hp;

	if (sub == super)
		return true;
	if (!wr_is_ref(sub) || !wr_is_ref(super))
		return false;
	if (!(sub & WE_REF_NONNULL) && (super & WE_REF_NONNULL))
		return false;
	hs = (uint32_t)sub & ~(uint32_t)WE_REF_NONNULL;
	hp = (uint32_t)super & ~(uint32_t)WE_REF_NONNULL;
	if (hs == hp)
		return true;
	/* Within one hierarchy (func, extern, exn, any), the bottom is
	   below everything and the top above everything. */
	if (heap_top(info, hs) != heap_top(info, hp))
		return false;
	if (wr_heap_is_bottom(hs) || hp == heap_top(info, hp))
		return true;
	if (hp & WE_REF_TYPEIDX)
		return (hs & WE_REF_TYPEIDX) && info != NULL &&
		    wm_heap_sub(info, canon, WE_REF_TYPE_INDEX(hs),
		        WE_REF_TYPE_INDEX(hp));
	/* In the any hierarchy: any > eq > i31, struct, array > none; a
	   struct (array) type is below struct (array). */
	if (heap_top(info, hs) != WE_ANYREF)
		return false;
	hs = heap_abstract(info, hs);
	return hs == hp || (hp == WE_EQREF && hs != WE_ANYREF);
}

/*
 * Whether field (or array element) type a may stand for b in a subtype:
 * the same mutability; a mutable field's type the same, an immutable
 * one's a subtype (a packed type only itself).
 */
static bool
field_sub(
    const wm_typeinfo *info, const uint32_t *canon, uint32_t a, uint32_t b)
{
	uint32_t ta = a & ~WM_FIELD_MUT, tb = b & ~WM_FIELD_MUT;

	if ((a & WM_FIELD_MUT) != (b & WM_FIELD_MUT))
		return false;
	if (ta == tb)
		return true;
	if (ta == WM_PACKED_I8 || ta == WM_PACKED_I16 || tb == WM_PACKED_I8 ||
	    tb == WM_PACKED_I16)
		return false;
	if (!wm_valtype_sub(info, canon, (we_valtype)ta, (we_valtype)tb))
		return false;
	return !(a & WM_FIELD_MUT) ||
	    wm_valtype_sub(info, canon, (we_valtype)tb, (we_valtype)ta);
}

bool
wm_type_sub(const wm_typeinfo *info, const uint32_t *canon, uint32_t sub,
    const we_functype *ts, uint32_t super, const we_functype *tp)
{
	if (info[sub].kind != info[super].kind)
		return false;
	if (info[sub].kind == WM_KIND_FUNC)
		return wm_functype_sub(info, canon, ts, tp);
	/* Struct width subtyping: more fields, the common ones matching. */
	if (ts->nparams < tp->nparams ||
	    (info[sub].kind == WM_KIND_ARRAY && ts->nparams != tp->nparams))
		return false;
	for (uint32_t i = 0; i < tp->nparams; i++)
		if (!field_sub(info, canon, (uint32_t)ts->params[i],
		        (uint32_t)tp->params[i]))
			return false;
	return true;
}

bool
wm_functype_sub(const wm_typeinfo *info, const uint32_t *canon,
    const we_functype *sub, const we_functype *super)
{
	if (sub->nparams != super->nparams || sub->nresults != super->nresults)
		return false;
	for (uint32_t i = 0; i < sub->nparams; i++)
		if (!wm_valtype_sub(
		        info, canon, super->params[i], sub->params[i]))
			return false;
	for (uint32_t i = 0; i < sub->nresults; i++)
		if (!wm_valtype_sub(
		        info, canon, sub->results[i], super->results[i]))
			return false;
	return true;
}

uint32_t
wm_group_find(const uint32_t *index, uint32_t slots, const we_functype *types,
    const wm_typeinfo *info, uint32_t start, uint32_t n)
{
	uint32_t mask = slots - 1;
	uint32_t i = wm_group_hash(types, info, start, n) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t g = index[i];
		if (g == 0)
			return i;
		g--;
		if (info[g].group_n == n &&
		    wm_group_equal(types, info, g, types, info, start, n))
			return i;
	}
}
