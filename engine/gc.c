/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gc.c: the run-time side of GC (3.0): struct and array objects, the
 * boxes of extern.convert_any and any.convert_extern, and whether a
 * reference is of a given reference type, for ref.test, ref.cast,
 * br_on_cast and br_on_cast_fail.
 *
 * Each object is charged to the store's memory limit, so a guest whose
 * live objects outgrow it meets that limit, a trap, rather than
 * exhausting the process; collect.c frees the unreachable ones (it
 * collects before an allocation, see wr_gc_charge). The store keeps its
 * objects in an open-addressing set of their addresses (we_store.gcset):
 * it frees them with the store, and tells an object of the store from
 * any other pointer (a host's externref, or a bogus anyref a host
 * passes). runtime.h describes the layout.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/* What an object costs the store beyond its bytes: its slots in the set
 * (at most half full) and the allocator's header. */
#define GC_OVERHEAD 32u

/* ---- The set of objects ------------------------------------------------ */

static uint32_t
gc_hash(const void *p, uint32_t mask)
{
	uint64_t x = (uint64_t)(uintptr_t)p >> 4;

	return (uint32_t)((x * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

static void
gcset_put(wr_gcobj **set, uint32_t slots, wr_gcobj *o)
{
	uint32_t mask = slots - 1, h = gc_hash(o, mask);

	while (set[h] != NULL)
		h = (h + 1) & mask;
	set[h] = o;
}

/* Room for one more object in s->gcset; false when out of memory. */
static bool
gcset_reserve(we_store *s)
{
	uint32_t slots;
	wr_gcobj **set;

	if ((uint64_t)(s->ngc + 1) * 2 <= s->gcslots)
		return true;
	if (s->gcslots >= (1u << 31))
		return false;
	slots = s->gcslots ? s->gcslots * 2 : 64;
	set = calloc(slots, sizeof *set);
	if (set == NULL)
		return false;
	for (uint32_t i = 0; i < s->gcslots; i++)
		if (s->gcset[i] != NULL)
			gcset_put(set, slots, s->gcset[i]);
	free(s->gcset);
	s->gcset = set;
	s->gcslots = slots;
	return true;
}

void
wr_gc_set_put(wr_gcobj **set, uint32_t slots, wr_gcobj *o)
{
	gcset_put(set, slots, o);
}

wr_gcobj *
wr_gc_find(const we_store *s, const void *p)
{
	uint32_t mask, h;

	if (s->gcslots == 0 || ((uintptr_t)p & 7u) != 0)
		return NULL;
	mask = s->gcslots - 1;
	for (h = gc_hash(p, mask); s->gcset[h] != NULL; h = (h + 1) & mask)
		if (s->gcset[h] == p)
			return s->gcset[h];
	return NULL;
}

void
wr_gc_free_all(we_store *s)
{
	for (uint32_t i = 0; i < s->gcslots; i++) {
		free(s->gcset[i]);
		s->gcset[i] = NULL;
	}
	s->ngc = 0;
}

/* An object's allocation for bytes of storage (at least the 8 of u). */
static uint64_t
object_size(uint64_t bytes)
{
	return WR_GC_HEADER + (bytes < 8 ? 8 : bytes);
}

/*
 * A new zeroed object of kind with bytes of storage, charged to s and in
 * its set; NULL with s->trap set (a host trap) past the store's limit or
 * out of memory.
 */
static wr_gcobj *
gc_alloc(we_store *s, enum wr_gckind kind, uint64_t bytes)
{
	uint64_t size = object_size(bytes);
	wr_gcobj *o;

	if (!wr_gc_charge(s, size + GC_OVERHEAD)) {
		wr_trap(s, WE_TRAP_HOST,
		    "out of memory for a GC object of %llu bytes (the "
		    "store's limit)",
		    (unsigned long long)size);
		return NULL;
	}
	if (size > SIZE_MAX / 2 || !gcset_reserve(s) ||
	    (o = calloc(1, (size_t)size)) == NULL) {
		wr_store_refund(s, size + GC_OVERHEAD);
		wr_trap(s, WE_TRAP_HOST,
		    "out of memory for a GC object of %llu bytes",
		    (unsigned long long)size);
		return NULL;
	}
	o->kind = (uint8_t)kind;
	gcset_put(s->gcset, s->gcslots, o);
	s->ngc++;
	return o;
}

/* ---- Fields ------------------------------------------------------------- */

enum wr_field
wr_field_kind(we_valtype ft)
{
	switch ((uint32_t)ft & ~WM_FIELD_MUT) {
	case WM_PACKED_I8: return WR_F_I8;
	case WM_PACKED_I16: return WR_F_I16;
	case WE_I32:
	case WE_F32: return WR_F_I32;
	case WE_V128: return WR_F_V128;
	default: return WR_F_I64; /* i64, f64, references */
	}
}

uint32_t
wr_field_size(enum wr_field k)
{
	static const uint8_t sizes[] = {1, 2, 4, 8, 16};

	return sizes[k];
}

uint64_t
wr_field_align(uint64_t off, enum wr_field k)
{
	uint64_t al = k == WR_F_V128 ? 8 : wr_field_size(k);

	return (off + al - 1) & ~(al - 1);
}

uint32_t
wr_field_offset(const we_functype *st, uint32_t i)
{
	uint64_t off = 0;

	for (uint32_t j = 0;; j++) {
		enum wr_field k = wr_field_kind(st->params[j]);
		off = wr_field_align(off, k);
		if (j == i)
			return (uint32_t)off;
		off += wr_field_size(k);
	}
}

/* ---- Structs and arrays ------------------------------------------------- */

/* The bytes of a struct of type st's fields, laid out as above. */
static uint64_t
struct_bytes(const we_functype *st)
{
	uint64_t size = 0;

	for (uint32_t j = 0; j < st->nparams; j++) {
		enum wr_field k = wr_field_kind(st->params[j]);
		size = wr_field_align(size, k) + wr_field_size(k);
	}
	return size;
}

wr_gcobj *
wr_struct_new(
    we_store *s, const we_instance *inst, uint32_t x, const wr_value *vals)
{
	const we_functype *st = &inst->module->types[x];
	uint64_t size;
	wr_gcobj *o;

	if ((o = gc_alloc(s, WR_GC_STRUCT, struct_bytes(st))) == NULL)
		return NULL;
	o->type_id = inst->type_ids[x];
	if (vals == NULL)
		return o;
	size = 0;
	for (uint32_t j = 0; j < st->nparams; j++) {
		enum wr_field k = wr_field_kind(st->params[j]);
		size = wr_field_align(size, k);
		wr_field_set(k, o->data + size, vals);
		size += wr_field_size(k);
		vals += k == WR_F_V128 ? 2 : 1;
	}
	return o;
}

wr_gcobj *
wr_array_new(we_store *s, const we_instance *inst, uint32_t x, uint32_t n,
    const wr_value *init, const wr_value *elems)
{
	enum wr_field k = wr_field_kind(inst->module->types[x].params[0]);
	uint32_t es = wr_field_size(k);
	wr_gcobj *o = gc_alloc(s, WR_GC_ARRAY, (uint64_t)n * es);

	if (o == NULL)
		return NULL;
	o->type_id = inst->type_ids[x];
	o->esize = (uint8_t)es;
	o->len = n;
	if (elems != NULL) {
		for (uint32_t i = 0; i < n; i++) {
			wr_field_set(k, o->data + (size_t)i * es, elems);
			elems += k == WR_F_V128 ? 2 : 1;
		}
	} else if (init != NULL && n > 0) {
		uint8_t *p = o->data;
		wr_field_set(k, p, init);
		/* Doubling copies: a few memcpy calls for any length. */
		for (size_t have = 1; have < n;) {
			size_t m = have < n - have ? have : n - have;
			memcpy(p + have * es, p, m * es);
			have += m;
		}
	}
	return o;
}

uint64_t
wr_gc_cost(const we_store *s, const wr_gcobj *o)
{
	uint64_t bytes = 8; /* a box */

	if (o->kind == WR_GC_ARRAY)
		bytes = (uint64_t)o->len * o->esize;
	else if (o->kind == WR_GC_STRUCT)
		bytes = struct_bytes(&s->types[o->type_id]);
	return object_size(bytes) + GC_OVERHEAD;
}

/* ---- Conversions -------------------------------------------------------- */

void *
wr_extern_convert_any(we_store *s, void *any, bool *ok)
{
	const wr_gcobj *o;
	wr_gcobj *box;

	*ok = true;
	if (any == NULL)
		return NULL;
	if (!wr_is_i31(any)) {
		o = any;
		return o->kind == WR_GC_HOST ? wr_gc_boxed(o) : any;
	}
	if ((box = gc_alloc(s, WR_GC_I31BOX, 8)) == NULL) {
		*ok = false;
		return NULL;
	}
	memcpy(box->data, &any, sizeof any);
	return box;
}

void *
wr_any_convert_extern(we_store *s, void *ext, bool *ok)
{
	wr_gcobj *o;

	*ok = true;
	if (ext == NULL)
		return NULL;
	if ((o = wr_gc_find(s, ext)) != NULL)
		return o->kind == WR_GC_I31BOX ? wr_gc_boxed(o) : ext;
	if ((o = gc_alloc(s, WR_GC_HOST, 8)) == NULL) {
		*ok = false;
		return NULL;
	}
	memcpy(o->data, &ext, sizeof ext);
	return o;
}

/* ---- Casts -------------------------------------------------------------- */

bool
wr_any_test(const we_store *s, const void *ref, uint32_t h, uint32_t id)
{
	const wr_gcobj *o = ref;

	if (wr_is_i31(ref))
		return h == WE_ANYREF || h == WE_EQREF || h == WE_I31REF;
	if (h & WE_REF_TYPEIDX)
		return o->kind <= WR_GC_ARRAY && wr_type_sub(s, o->type_id, id);
	switch (h) {
	case WE_ANYREF: return true;
	case WE_EQREF: return o->kind <= WR_GC_ARRAY;
	case WE_STRUCTREF: return o->kind == WR_GC_STRUCT;
	case WE_ARRAYREF: return o->kind == WR_GC_ARRAY;
	}
	return false;
}

bool
wr_ref_test(const we_instance *inst, const void *ref, we_valtype rt)
{
	uint32_t h = (uint32_t)rt & ~(uint32_t)WE_REF_NONNULL;
	uint32_t x;

	if (ref == NULL)
		return !(rt & WE_REF_NONNULL);
	if (h & WE_REF_TYPEIDX) {
		x = WE_REF_TYPE_INDEX(h);
		if (inst->module->typeinfo[x].kind != WM_KIND_FUNC)
			return wr_any_test(
			    inst->store, ref, h, inst->type_ids[x]);
		return wr_type_sub(inst->store, ((const we_func *)ref)->type_id,
		    inst->type_ids[x]);
	}
	if (wr_heap_is_bottom(h))
		return false;
	if (wr_ref_top((we_valtype)h) != WE_ANYREF)
		return true; /* func, extern, exn: any value of the top */
	return wr_any_test(inst->store, ref, h, 0);
}

/* ---- Arrays from and into segments -------------------------------------- */

/* Sets s->trap to kind with its standard message; false. */
static bool
gc_trap(we_store *s, we_trap_kind kind, const char *msg)
{
	wr_trap(s, kind, "%s", msg != NULL ? msg : we_trap_kind_name(kind));
	return false;
}

wr_gcobj *
wr_array_new_data(we_store *s, const we_instance *inst, uint32_t x, uint32_t y,
    uint32_t off, uint32_t n)
{
	enum wr_field k = wr_field_kind(inst->module->types[x].params[0]);
	uint64_t bytes = (uint64_t)n * wr_field_size(k);
	wr_gcobj *o;

	if ((uint64_t)off + bytes > inst->data_sizes[y]) {
		gc_trap(s, WE_TRAP_MEMORY_OUT_OF_BOUNDS, NULL);
		return NULL;
	}
	o = wr_array_new(s, inst, x, n, NULL, NULL);
	if (o != NULL && bytes > 0)
		memcpy(o->data, inst->module->datas[y].bytes + off, bytes);
	return o;
}

wr_gcobj *
wr_array_new_elem(we_store *s, const we_instance *inst, uint32_t x, uint32_t y,
    uint32_t off, uint32_t n)
{
	const wr_elemseg *e = &inst->elems[y];
	wr_gcobj *o;

	if ((uint64_t)off + n > e->count) {
		gc_trap(s, WE_TRAP_TABLE_OUT_OF_BOUNDS, NULL);
		return NULL;
	}
	o = wr_array_new(s, inst, x, n, NULL, NULL);
	if (o != NULL && n > 0)
		memcpy(o->data, e->refs + off, (size_t)n * sizeof(void *));
	return o;
}

bool
wr_array_init_data(we_store *s, const we_instance *inst, wr_gcobj *o,
    uint32_t y, uint32_t d, uint32_t src, uint32_t n)
{
	uint64_t bytes;

	if (o == NULL)
		return gc_trap(
		    s, WE_TRAP_NULL_REFERENCE, "null array reference");
	if ((uint64_t)d + n > o->len)
		return gc_trap(s, WE_TRAP_ARRAY_OUT_OF_BOUNDS, NULL);
	bytes = (uint64_t)n * o->esize;
	if ((uint64_t)src + bytes > inst->data_sizes[y])
		return gc_trap(s, WE_TRAP_MEMORY_OUT_OF_BOUNDS, NULL);
	if (bytes > 0)
		memcpy(o->data + (size_t)d * o->esize,
		    inst->module->datas[y].bytes + src, bytes);
	return true;
}

bool
wr_array_init_elem(we_store *s, const we_instance *inst, wr_gcobj *o,
    uint32_t y, uint32_t d, uint32_t src, uint32_t n)
{
	const wr_elemseg *e = &inst->elems[y];

	if (o == NULL)
		return gc_trap(
		    s, WE_TRAP_NULL_REFERENCE, "null array reference");
	if ((uint64_t)d + n > o->len)
		return gc_trap(s, WE_TRAP_ARRAY_OUT_OF_BOUNDS, NULL);
	if ((uint64_t)src + n > e->count)
		return gc_trap(s, WE_TRAP_TABLE_OUT_OF_BOUNDS, NULL);
	if (n > 0)
		memcpy(o->data + (size_t)d * sizeof(void *), e->refs + src,
		    (size_t)n * sizeof(void *));
	return true;
}

/* ---- The host's view ---------------------------------------------------- */

we_valtype
wr_host_top(const we_store *s, we_valtype t)
{
	if (wr_is_ref(t) && (t & WE_REF_TYPEIDX))
		return wm_heap_top(s->typeinfo, t);
	return wr_ref_top(t);
}

bool
wr_host_ref_ok(const we_store *s, we_valtype t, const void *ref)
{
	uint32_t h = (uint32_t)t & ~(uint32_t)WE_REF_NONNULL;

	if (wr_host_top(s, t) != WE_ANYREF)
		return true;
	if (ref == NULL)
		return !(t & WE_REF_NONNULL);
	if (wr_heap_is_bottom(h) ||
	    (!wr_is_i31(ref) && wr_gc_find(s, ref) == NULL))
		return false;
	return wr_any_test(
	    s, ref, h, h & WE_REF_TYPEIDX ? WE_REF_TYPE_INDEX(h) : 0);
}

/* ---- The host's conversions (engine.h) --------------------------------- */

bool
we_any_convert_extern(we_store *s, we_val ext, we_val *out)
{
	bool ok;

	if (s == NULL || out == NULL || ext.type != WE_EXTERNREF)
		return false;
	out->type = WE_ANYREF;
	out->of.externref = wr_any_convert_extern(s, ext.of.externref, &ok);
	return ok;
}

bool
we_extern_convert_any(we_store *s, we_val any, we_val *out)
{
	bool ok;

	if (s == NULL || out == NULL || any.type != WE_ANYREF ||
	    (any.of.externref != NULL && !wr_is_i31(any.of.externref) &&
	        wr_gc_find(s, any.of.externref) == NULL))
		return false;
	out->type = WE_EXTERNREF;
	out->of.externref = wr_extern_convert_any(s, any.of.externref, &ok);
	return ok;
}
