/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c: stores, the owners of every run-time object.
 *
 * A store records each object made in it (functions, memories, tables,
 * globals, instances) and frees them all at once in we_store_free(). It also
 * interns function types, so that two functions have equal types exactly
 * when their type ids are equal (call_indirect and import checks compare
 * ids), and holds the last trap. It keeps the account of what guests made
 * it allocate (memory pages, table elements, element segments, globals)
 * against its max_store_bytes, and can be reset for reuse, keeping its
 * stacks. The value conversions between the public we_val and the 8-byte
 * slot form live here too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/* Fills in the defaults of a zero config field. */
static void
config_fill_defaults(we_config *c)
{
	if (c->max_call_depth == 0)
		c->max_call_depth = WE_DEFAULT_CALL_DEPTH;
	if (c->max_stack_bytes == 0)
		c->max_stack_bytes = WE_DEFAULT_STACK_BYTES;
	if (c->max_memory_pages == 0 ||
	    c->max_memory_pages > WE_DEFAULT_MAX_PAGES)
		c->max_memory_pages = WE_DEFAULT_MAX_PAGES;
	if (c->max_table_elems == 0)
		c->max_table_elems = WE_DEFAULT_MAX_TABLE;
	/* A 64-bit table index past 2^32 - 2 is then out of bounds as
	   2^32 - 1 is (the interpreter's X_IDX64). */
	if (c->max_table_elems > UINT32_MAX - 1)
		c->max_table_elems = UINT32_MAX - 1;
	if (c->max_store_bytes == 0)
		c->max_store_bytes =
		    (uint64_t)c->max_memory_pages * WE_PAGE_SIZE;
}

/* The state of a store with no call behind it and fuel off. */
static void
store_clear_state(we_store *s)
{
	s->state = WR_IDLE;
	s->fuel_on = false;
	s->fuel = UINT64_MAX;
	s->fuel_set = UINT64_MAX;
	atomic_store(&s->interrupt, 0);
	memset(&s->trap, 0, sizeof(s->trap));
	s->trap.kind = WE_TRAP_NONE;
	s->error[0] = '\0';
	memset(&s->pending, 0, sizeof(s->pending));
	s->guest_bytes = 0;
	memset(&s->gc, 0, sizeof(s->gc));
}

we_store *
we_store_new(const we_config *config)
{
	we_store *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if (config != NULL)
		s->config = *config;
	config_fill_defaults(&s->config);
	atomic_init(&s->interrupt, 0);
	store_clear_state(s);
	return s;
}

static void
func_free(we_func *f)
{
	/* Host functions own their env; a host func's type copy is part of
	 * the same allocation (see hostfunc.c). */
	if (f->env_free != NULL)
		f->env_free(f->env);
	free(f);
}

static void
instance_free(we_instance *inst)
{
	if (inst->elems != NULL && inst->module != NULL) {
		for (uint32_t i = 0; i < inst->module->nelems; i++)
			free(inst->elems[i].refs);
	}
	free(inst->elems);
	free(inst->funcs);
	free(inst->own_funcs);
	free(inst->own_globals);
	free(inst->tables);
	free(inst->mems);
	free(inst->globals);
	free(inst->tags);
	free(inst->type_ids);
	free(inst->data_sizes);
	free(inst);
}

static void
object_free(void *obj, enum wr_objkind kind)
{
	switch (kind) {
	case WR_OBJ_FUNC: func_free(obj); break;
	case WR_OBJ_MEMORY:
		wr_memory_release(obj);
		free(obj);
		break;
	case WR_OBJ_TABLE:
		free(((we_table *)obj)->elems);
		free(obj);
		break;
	case WR_OBJ_GLOBAL:
	case WR_OBJ_TAG:
	case WR_OBJ_EXN: free(obj); break;
	case WR_OBJ_INSTANCE: instance_free(obj); break;
	}
}

/* Frees the valtype arrays of types [from, to). */
static void
types_free(we_store *s, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++) {
		free((void *)s->types[i].params);
		free((void *)s->types[i].results);
	}
}

/* Frees every object of s and forgets its interned types (keeping the
 * arrays that held them). */
static void
store_free_contents(we_store *s)
{
	for (size_t i = 0; i < s->nobjects; i++)
		object_free(s->objects[i], (enum wr_objkind)s->objkinds[i]);
	s->nobjects = 0;
	wr_gc_free_all(s);
	types_free(s, 0, s->ntypes);
	s->ntypes = 0;
	if (s->typeindex != NULL)
		memset(s->typeindex, 0, s->typeslots * sizeof(*s->typeindex));
}

we_err
we_store_reset(we_store *s)
{
	if (s == NULL || s->state == WR_RUNNING)
		return WE_ERR_ARG;
	store_free_contents(s);
	store_clear_state(s);
	return WE_OK;
}

we_err
we_store_configure(we_store *s, const we_config *config)
{
	we_config c = {0};

	if (s == NULL || s->nobjects > 0 || s->state != WR_IDLE)
		return WE_ERR_ARG;
	if (config != NULL)
		c = *config;
	config_fill_defaults(&c);
	if (c.max_stack_bytes != s->config.max_stack_bytes ||
	    c.max_call_depth != s->config.max_call_depth) {
		wx_exec_free(s->exec);
		s->exec = NULL;
	}
	s->config = c;
	return WE_OK;
}

void
we_store_free(we_store *s)
{
	if (s == NULL)
		return;
	store_free_contents(s);
	free(s->objects);
	free(s->objkinds);
	free(s->types);
	free(s->typeinfo);
	free(s->typeindex);
	free(s->gcset);
	free(s->pending_args);
	wx_exec_free(s->exec);
	free(s);
}

bool
wr_store_adopt(we_store *s, void *obj, enum wr_objkind kind)
{
	if (s->nobjects == s->objcap) {
		size_t cap = s->objcap ? s->objcap * 2 : 16;
		void **objs = realloc(s->objects, cap * sizeof(*objs));

		if (objs == NULL)
			return false;
		s->objects = objs;
		uint8_t *kinds = realloc(s->objkinds, cap);
		if (kinds == NULL)
			return false;
		s->objkinds = kinds;
		s->objcap = cap;
	}
	s->objects[s->nobjects] = obj;
	s->objkinds[s->nobjects] = (uint8_t)kind;
	s->nobjects++;
	return true;
}

bool
wr_store_charge(we_store *s, uint64_t bytes)
{
	if (bytes > s->config.max_store_bytes - s->guest_bytes) {
		/* Garbage may take the room: collect where that is safe,
		   unless nothing changed since the last collection (a
		   guest retrying a memory.grow would rescan for nothing). */
		if (!s->gc.on || !s->gc.changed)
			return false;
		wr_gc_collect(s);
		if (bytes > s->config.max_store_bytes - s->guest_bytes)
			return false;
	}
	s->guest_bytes += bytes;
	return true;
}

void
wr_store_refund(we_store *s, uint64_t bytes)
{
	s->guest_bytes -= bytes < s->guest_bytes ? bytes : s->guest_bytes;
}

bool
wr_functype_typed(const we_functype *t)
{
	for (uint32_t i = 0; i < t->nparams; i++)
		if (t->params[i] & WE_REF_TYPEIDX)
			return true;
	for (uint32_t i = 0; i < t->nresults; i++)
		if (t->results[i] & WE_REF_TYPEIDX)
			return true;
	return false;
}

/* A malloc'd copy of n value types (NULL when n is 0); *ok false on OOM. */
static we_valtype *
valtypes_dup(const we_valtype *v, uint32_t n, bool *ok)
{
	if (n == 0)
		return NULL;
	we_valtype *copy = malloc(n * sizeof(*copy));
	if (copy == NULL) {
		*ok = false;
		return NULL;
	}
	memcpy(copy, v, n * sizeof(*copy));
	return copy;
}

/* The index slot holding a rec group equivalent to the n types from
 * start, or the free slot where it belongs. */
static uint32_t
typeindex_find(const we_store *s, uint32_t start, uint32_t n)
{
	return wm_group_find(
	    s->typeindex, s->typeslots, s->types, s->typeinfo, start, n);
}

/* Doubles the index (or makes the first one) and re-inserts every group. */
static bool
typeindex_grow(we_store *s)
{
	uint32_t slots = s->typeslots ? s->typeslots * 2 : 64;
	uint32_t *index = calloc(slots, sizeof(*index));

	if (index == NULL || slots == 0) {
		free(index);
		return false;
	}
	free(s->typeindex);
	s->typeindex = index;
	s->typeslots = slots;
	for (uint32_t id = 0; id < s->ntypes; id += s->typeinfo[id].group_n)
		s->typeindex[typeindex_find(s, id, s->typeinfo[id].group_n)] =
		    id + 1;
	return true;
}

/* Room for n more types (and index slots for them); false on OOM. */
static bool
types_reserve(we_store *s, uint32_t n)
{
	while ((uint64_t)s->ntypes + n >= s->typeslots / 2)
		if (!typeindex_grow(s))
			return false;
	if (n <= s->typecap - s->ntypes)
		return true;
	uint32_t cap = s->typecap ? s->typecap * 2 : 16;
	if (cap < s->ntypes + n)
		cap = s->ntypes + n;
	we_functype *types = realloc(s->types, cap * sizeof(*types));
	if (types == NULL)
		return false;
	s->types = types;
	wm_typeinfo *info = realloc(s->typeinfo, cap * sizeof(*info));
	if (info == NULL)
		return false;
	s->typeinfo = info;
	s->typecap = cap;
	return true;
}

/*
 * Type index x of a module's group of n types from start, as a store id:
 * an index inside the group becomes the id it is to have from first,
 * one before it its id in ids.
 */
static uint32_t
to_store_id(
    uint32_t x, uint32_t start, uint32_t n, uint32_t first, const uint32_t *ids)
{
	return x - start < n ? first + (x - start) : ids[x];
}

/* Value type v of that group as the store has it (see to_store_id). */
static we_valtype
to_store_valtype(we_valtype v, uint32_t start, uint32_t n, uint32_t first,
    const uint32_t *ids)
{
	if (!(v & WE_REF_TYPEIDX))
		return v;
	return (we_valtype)((v & (WE_REF_NONNULL | WM_FIELD_MUT)) |
	    WE_REF_TYPE(
	        to_store_id(WE_REF_TYPE_INDEX(v), start, n, first, ids)));
}

/* A malloc'd copy of t's parameters or results (see to_store_valtype). */
static we_valtype *
valtypes_to_store(const we_valtype *v, uint32_t count, uint32_t start,
    uint32_t n, uint32_t first, const uint32_t *ids, bool *ok)
{
	we_valtype *copy = valtypes_dup(v, count, ok);

	for (uint32_t k = 0; copy != NULL && k < count; k++)
		copy[k] = to_store_valtype(copy[k], start, n, first, ids);
	return copy;
}

/*
 * Interns the types s->types[first, first + n), written past the end by
 * the caller: the id of an equivalent group already there (the copies
 * are freed), or first once they are kept.
 */
static uint32_t
intern_written(we_store *s, uint32_t n)
{
	uint32_t first = s->ntypes;
	uint32_t slot = typeindex_find(s, first, n);

	if (s->typeindex[slot] != 0) {
		types_free(s, first, first + n);
		return s->typeindex[slot] - 1;
	}
	s->typeindex[slot] = first + 1;
	s->ntypes += n;
	return first;
}

uint32_t
wr_intern_group(we_store *s, const we_functype *types, const wm_typeinfo *info,
    uint32_t start, const uint32_t *ids)
{
	uint32_t n = info[start].group_n, first = s->ntypes;
	bool ok = true;

	if (n > WR_MAX_STORE_TYPES - first || !types_reserve(s, n))
		return UINT32_MAX;
	for (uint32_t k = 0; k < n; k++) {
		const we_functype *t = &types[start + k];
		uint32_t super = info[start + k].super;
		s->types[first + k] = (we_functype){
		    .nparams = t->nparams,
		    .nresults = t->nresults,
		    .params = valtypes_to_store(
		        t->params, t->nparams, start, n, first, ids, &ok),
		    .results = valtypes_to_store(
		        t->results, t->nresults, start, n, first, ids, &ok),
		};
		s->typeinfo[first + k] = (wm_typeinfo){
		    .super = super == WM_NO_SUPER
		        ? WM_NO_SUPER
		        : to_store_id(super, start, n, first, ids),
		    .group = first,
		    .group_n = n,
		    .final = info[start + k].final,
		    .kind = info[start + k].kind,
		};
	}
	if (!ok) {
		types_free(s, first, first + n);
		return UINT32_MAX;
	}
	return intern_written(s, n);
}

uint32_t
wr_intern_type(we_store *s, const we_functype *t)
{
	static const wm_typeinfo single = {
	    WM_NO_SUPER, 0, 1, true, WM_KIND_FUNC};

	return wr_intern_group(s, t, &single, 0, NULL);
}

void
wr_trap(we_store *s, we_trap_kind kind, const char *fmt, ...)
{
	va_list ap;

	s->trap.kind = kind;
	s->trap.nframes = 0;
	va_start(ap, fmt);
	vsnprintf(s->trap.message, sizeof(s->trap.message), fmt, ap);
	va_end(ap);
}

void
wr_from_val(we_val v, wr_value *out)
{
	wr_value r;

	r.i64 = 0;
	switch (wr_ref_top(v.type)) {
	case WE_I32: r.i32 = (uint32_t)v.of.i32; break;
	case WE_I64: r.i64 = (uint64_t)v.of.i64; break;
	case WE_F32: r.f32 = v.of.f32_bits; break;
	case WE_F64: r.f64 = v.of.f64_bits; break;
	case WE_FUNCREF: r.ref = v.of.funcref; break;
	case WE_V128: memcpy(out, v.of.v128, 16); return;
	default: /* externref, exnref, anyref (wr_ref_top) */
		r.ref = v.of.externref;
		break;
	}
	*out = r;
}

we_val
wr_to_val(we_valtype t, const wr_value *in)
{
	we_val r;
	wr_value v = *in;

	memset(&r, 0, sizeof(r));
	r.type = wr_ref_top(t);
	switch (r.type) {
	case WE_I32: r.of.i32 = (int32_t)v.i32; break;
	case WE_I64: r.of.i64 = (int64_t)v.i64; break;
	case WE_F32: r.of.f32_bits = v.f32; break;
	case WE_F64: r.of.f64_bits = v.f64; break;
	case WE_FUNCREF: r.of.funcref = v.ref; break;
	case WE_V128: memcpy(r.of.v128, in, 16); break;
	default: /* externref, exnref, anyref (wr_ref_top) */
		r.of.externref = v.ref;
		break;
	}
	return r;
}

we_val
we_i31ref(int32_t x)
{
	we_val v = {.type = WE_ANYREF};

	v.of.externref = wr_i31_ref((uint32_t)x);
	return v;
}

bool
we_val_i31(we_val v, int32_t *out)
{
	if (wr_ref_top(v.type) != WE_ANYREF || !wr_is_i31(v.of.externref))
		return false;
	*out = wr_i31_get_s(v.of.externref);
	return true;
}
