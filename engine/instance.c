/* SPDX-License-Identifier: Apache-2.0 */
/*
 * instance.c: linking and instantiation (WebAssembly 2.0, section 4.5.4).
 *
 * we_instance_new() resolves the module's imports against the embedder's
 * list with the spec's matching rules, creates the defined functions,
 * tables, memories and globals, then runs, in order, the active element
 * segments, the active data segments and the start function. A trap in a
 * segment stops instantiation but leaves the effects of earlier segments in
 * place (tables and memories may be shared with other instances). Every
 * object is adopted by the store as soon as it exists, so a failed
 * instantiation leaks nothing and leaves nothing dangling. Globals and the
 * instance's copies of element segments count against the store's
 * max_store_bytes, as memories and tables do.
 *
 * wr_instantiate() is the same with a template's memory image (template.c):
 * memory 0 starts from the image, which already holds the active data
 * segments, so those are only dropped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

static void set_error(we_error *err, we_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_error(we_error *err, we_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err != NULL) {
		err->code = code;
		err->offset = SIZE_MAX;
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
	}
	va_end(ap);
}

/* ---- Describing extern types, for link errors ------------------------ */

static void append(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
append(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	if (len + 1 < cap)
		vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

static void
describe_valtypes(char *buf, size_t cap, const we_valtype *v, uint32_t n)
{
	append(buf, cap, "(");
	for (uint32_t i = 0; i < n; i++)
		append(buf, cap, "%s%s", i ? " " : "", we_valtype_name(v[i]));
	append(buf, cap, ")");
}

static void
describe_limits(char *buf, size_t cap, const we_limits *l)
{
	append(buf, cap, " %u", l->min);
	if (l->has_max)
		append(buf, cap, " %u", l->max);
}

static void
describe_externtype(char *buf, size_t cap, const we_externtype *t)
{
	buf[0] = '\0';
	switch (t->kind) {
	case WE_EXTERN_FUNC:
		append(buf, cap, "func ");
		describe_valtypes(
		    buf, cap, t->of.func.params, t->of.func.nparams);
		append(buf, cap, " -> ");
		describe_valtypes(
		    buf, cap, t->of.func.results, t->of.func.nresults);
		break;
	case WE_EXTERN_TABLE:
		append(buf, cap, "table%s", t->of.table.addr64 ? " i64" : "");
		describe_limits(buf, cap, &t->of.table.limits);
		append(buf, cap, " %s", we_valtype_name(t->of.table.elem));
		break;
	case WE_EXTERN_MEMORY:
		append(buf, cap, "memory%s", t->of.memory.addr64 ? " i64" : "");
		describe_limits(buf, cap, &t->of.memory.limits);
		break;
	case WE_EXTERN_GLOBAL:
		append(buf, cap, "global %s%s",
		    t->of.global.mutable_ ? "mut " : "",
		    we_valtype_name(t->of.global.type));
		break;
	case WE_EXTERN_TAG:
		append(buf, cap, "tag ");
		describe_valtypes(
		    buf, cap, t->of.tag.params, t->of.tag.nparams);
		break;
	}
}

/* ---- Import matching (spec 4.5.2) ------------------------------------ */

static bool
limits_match(const we_limits *got, const we_limits *want)
{
	if (got->min < want->min)
		return false;
	if (!want->has_max)
		return true;
	return got->has_max && got->max <= want->max;
}

/*
 * Whether a table, memory or global of extern type got may be imported
 * as want (functions and tags match by store type id: import_match).
 */
static bool
externtype_match(const we_externtype *got, const we_externtype *want)
{
	if (got->kind != want->kind)
		return false;
	switch (want->kind) {
	case WE_EXTERN_FUNC:
	case WE_EXTERN_TAG: return false;
	case WE_EXTERN_TABLE:
		return got->of.table.elem == want->of.table.elem &&
		    got->of.table.addr64 == want->of.table.addr64 &&
		    limits_match(&got->of.table.limits, &want->of.table.limits);
	case WE_EXTERN_MEMORY:
		return got->of.memory.addr64 == want->of.memory.addr64 &&
		    limits_match(
		        &got->of.memory.limits, &want->of.memory.limits);
	case WE_EXTERN_GLOBAL:
		return got->of.global.type == want->of.global.type &&
		    got->of.global.mutable_ == want->of.global.mutable_;
	}
	return false;
}

static bool
extern_is_set(const we_extern *e)
{
	switch (e->kind) {
	case WE_EXTERN_FUNC: return e->of.func != NULL;
	case WE_EXTERN_TABLE: return e->of.table != NULL;
	case WE_EXTERN_MEMORY: return e->of.memory != NULL;
	case WE_EXTERN_GLOBAL: return e->of.global != NULL;
	case WE_EXTERN_TAG: return e->of.tag != NULL;
	}
	return false;
}

/* The last entry of imports named mod.name, or NULL. */
static const we_import *
find_import(
    const we_import *imports, size_t n, const char *mod, const char *name)
{
	for (size_t i = n; i-- > 0;) {
		if (imports[i].module != NULL && imports[i].name != NULL &&
		    strcmp(imports[i].module, mod) == 0 &&
		    strcmp(imports[i].name, name) == 0)
			return &imports[i];
	}
	return NULL;
}

static void
bind_import(we_instance *inst, const wm_import *imp, const we_extern *e)
{
	switch (imp->kind) {
	case WE_EXTERN_FUNC: inst->funcs[imp->index] = e->of.func; break;
	case WE_EXTERN_TABLE: inst->tables[imp->index] = e->of.table; break;
	case WE_EXTERN_MEMORY: inst->mems[imp->index] = e->of.memory; break;
	case WE_EXTERN_GLOBAL: inst->globals[imp->index] = e->of.global; break;
	case WE_EXTERN_TAG: inst->tags[imp->index] = e->of.tag; break;
	}
}

/* The type the module declares for import imp. */
static void
import_type(const we_module *m, const wm_import *imp, we_externtype *out)
{
	out->kind = imp->kind;
	switch (imp->kind) {
	case WE_EXTERN_FUNC: out->of.func = *m->funcs[imp->index].type; break;
	case WE_EXTERN_TABLE: out->of.table = m->tables[imp->index]; break;
	case WE_EXTERN_MEMORY: out->of.memory = m->mems[imp->index]; break;
	case WE_EXTERN_GLOBAL:
		out->of.global = m->globals[imp->index].type;
		break;
	case WE_EXTERN_TAG: out->of.tag = *m->tags[imp->index].type; break;
	}
}

/* Whether a reference type names a type by index (see WE_REF_TYPE). */
static bool
is_typed(we_valtype t)
{
	return (t & WE_REF_TYPEIDX) != 0;
}

/*
 * Type t of inst's module as the store knows it: a type index becomes
 * that type's store id (see intern_type). The globals and tables of an
 * instance carry their types so, to be matched against other modules'.
 */
static we_valtype
store_type(const we_instance *inst, we_valtype t)
{
	if (!is_typed(t))
		return t;
	return (we_valtype)((t & WE_REF_NONNULL) |
	    WE_REF_TYPE(inst->type_ids[WE_REF_TYPE_INDEX(t)]));
}

/* Whether store type sub may stand where super is expected in s. */
static bool
store_subtype(const we_store *s, we_valtype sub, we_valtype super)
{
	return wm_valtype_sub(s->typeinfo, NULL, sub, super);
}

/*
 * Whether e, of type have, may be imported as imp of type want. A
 * function matches when its store type id is a subtype of the import's
 * (wr_type_sub), a tag when its id is the import's (intern_types), a
 * global or table by its store type (store_type).
 */
static bool
import_match(const we_instance *inst, const wm_import *imp, const we_extern *e,
    const we_externtype *have, const we_externtype *want)
{
	const we_module *m = inst->module;

	if (have->kind != want->kind)
		return false;
	switch (imp->kind) {
	case WE_EXTERN_FUNC:
		return wr_type_sub(inst->store, e->of.func->type_id,
		    inst->type_ids[m->funcs[imp->index].type_index]);
	case WE_EXTERN_GLOBAL: {
		/* An immutable global may be of a subtype. */
		we_valtype w = store_type(inst, want->of.global.type);
		if (have->of.global.mutable_ != want->of.global.mutable_)
			return false;
		if (want->of.global.mutable_)
			return have->of.global.type == w;
		return store_subtype(inst->store, have->of.global.type, w);
	}
	case WE_EXTERN_TABLE:
		if (is_typed(want->of.table.elem))
			return have->of.table.elem ==
			    store_type(inst, want->of.table.elem) &&
			    have->of.table.addr64 == want->of.table.addr64 &&
			    limits_match(
			        &have->of.table.limits, &want->of.table.limits);
		break;
	case WE_EXTERN_TAG:
		return e->of.tag->type_id ==
		    inst->type_ids[m->tags[imp->index].type_index];
	case WE_EXTERN_MEMORY: break;
	}
	return externtype_match(have, want);
}

static bool
link_imports(
    we_instance *inst, const we_import *imports, size_t n, we_error *err)
{
	const we_module *m = inst->module;

	for (uint32_t i = 0; i < m->nimports; i++) {
		const wm_import *imp = &m->imports[i];
		const we_import *got =
		    find_import(imports, n, imp->module, imp->name);
		if (got == NULL || !extern_is_set(&got->value)) {
			set_error(err, WE_ERR_LINK, "unknown import %s.%s",
			    imp->module, imp->name);
			return false;
		}
		we_externtype want, have;
		import_type(m, imp, &want);
		we_extern_type(&got->value, &have);
		if (!import_match(inst, imp, &got->value, &have, &want)) {
			char ws[96], hs[96];
			describe_externtype(ws, sizeof(ws), &want);
			describe_externtype(hs, sizeof(hs), &have);
			set_error(err, WE_ERR_LINK,
			    "incompatible import type for %s.%s: expected %s, "
			    "got %s",
			    imp->module, imp->name, ws, hs);
			return false;
		}
		bind_import(inst, imp, &got->value);
	}
	return true;
}

/* ---- Creating the instance's own objects ----------------------------- */

static bool
nomem(we_error *err)
{
	set_error(err, WE_ERR_NOMEM, "out of memory during instantiation");
	return false;
}

/* A zeroed array of n entries of size elem (at least one: calloc(0) may
 * return NULL). The index-space arrays hold object pointers. */
static void *
array_new(uint32_t n, size_t elem)
{
	return calloc((size_t)n + 1, elem);
}

/* Allocates the index-space arrays; the store adopts inst first. */
static we_instance *
instance_alloc(we_store *s, const we_module *m, we_error *err)
{
	we_instance *inst = calloc(1, sizeof(*inst));

	if (inst == NULL || !wr_store_adopt(s, inst, WR_OBJ_INSTANCE)) {
		free(inst);
		nomem(err);
		return NULL;
	}
	inst->store = s;
	inst->module = m;
	inst->funcs = array_new(m->nfuncs, sizeof(void *));
	inst->tables = array_new(m->ntables, sizeof(void *));
	inst->mems = array_new(m->nmems, sizeof(void *));
	inst->globals = array_new(m->nglobals, sizeof(void *));
	inst->tags = array_new(m->ntags, sizeof(void *));
	inst->type_ids = array_new(m->ntypes, sizeof(uint32_t));
	inst->elems = array_new(m->nelems, sizeof(wr_elemseg));
	inst->data_sizes = array_new(m->ndatas, sizeof(uint32_t));
	if (inst->funcs == NULL || inst->tables == NULL || inst->mems == NULL ||
	    inst->globals == NULL || inst->tags == NULL ||
	    inst->type_ids == NULL || inst->elems == NULL ||
	    inst->data_sizes == NULL) {
		nomem(err);
		return NULL;
	}
	return inst;
}

/*
 * The store ids of the module's types, a rec group at a time: a group
 * equivalent to an earlier one of the module (type_canon) takes that
 * one's ids; a canonical one is interned (wr_intern_group), so ids are
 * equal exactly when the types are equivalent, across modules too.
 */
static bool
intern_types(we_instance *inst, we_error *err)
{
	const we_module *m = inst->module;
	we_store *s = inst->store;

	for (uint32_t i = 0, n; i < m->ntypes; i += n) {
		uint32_t first, canon = m->type_canon[i];
		n = m->typeinfo[i].group_n;
		if (canon != i) {
			for (uint32_t k = 0; k < n; k++)
				inst->type_ids[i + k] =
				    inst->type_ids[canon + k];
			continue;
		}
		/* A store id must fit a WE_REF_TYPE (see store_type). */
		if (n > WR_MAX_STORE_TYPES - s->ntypes) {
			set_error(err, WE_ERR_LIMIT,
			    "the store holds over %u distinct function types",
			    WR_MAX_STORE_TYPES);
			return false;
		}
		first = wr_intern_group(
		    s, m->types, m->typeinfo, i, inst->type_ids);
		if (first == UINT32_MAX)
			return nomem(err);
		for (uint32_t k = 0; k < n; k++)
			inst->type_ids[i + k] = first + k;
	}
	return true;
}

/*
 * The module's own functions, in one block that the instance owns: a
 * module with thousands of functions costs one allocation per fresh
 * instance, not one each (bench/load's 1 MB row).
 */
static bool
create_funcs(we_instance *inst, we_error *err)
{
	const we_module *m = inst->module;
	uint32_t first = m->nfunc_imports;

	/* Not zeroed first: each entry is written whole below. */
	inst->own_funcs =
	    malloc(((size_t)m->nfuncs - first + 1) * sizeof(we_func));
	if (inst->own_funcs == NULL)
		return nomem(err);
	for (uint32_t i = first; i < m->nfuncs; i++) {
		we_func *f = &inst->own_funcs[i - first];
		wm_funcdef *def = &m->funcs[i];

		*f = (we_func){
		    .type = def->type,
		    .type_id = inst->type_ids[def->type_index],
		    .inst = inst,
		    .index = i,
		    .def = def,
		};
		inst->funcs[i] = f;
	}
	return true;
}

/*
 * The module's own tags, named by their first export for messages; an
 * imported tag without a name (a host's) takes its import name.
 */
static bool
create_tags(we_instance *inst, we_error *err)
{
	const we_module *m = inst->module;

	for (uint32_t i = m->ntag_imports; i < m->ntags; i++) {
		inst->tags[i] = wr_tag_create(inst->store, m->tags[i].type,
		    inst->type_ids[m->tags[i].type_index], i);
		if (inst->tags[i] == NULL)
			return nomem(err);
	}
	for (uint32_t i = 0; i < m->nexports; i++) {
		const wm_export *x = &m->exports[i];
		we_tag *t =
		    x->kind == WE_EXTERN_TAG ? inst->tags[x->index] : NULL;
		if (t != NULL && t->name == NULL)
			t->name = x->name;
	}
	for (uint32_t i = 0; i < m->nimports; i++) {
		const wm_import *imp = &m->imports[i];
		we_tag *t =
		    imp->kind == WE_EXTERN_TAG ? inst->tags[imp->index] : NULL;
		if (t != NULL && t->name == NULL)
			t->name = imp->name;
	}
	return true;
}

/*
 * The value of a constant expression in inst (imports bound); *ok false
 * when a GC object it makes does not fit the store (its trap says so).
 */
static wr_value
const_eval_ok(const we_instance *inst, const wm_constexpr *c, bool *ok)
{
	wr_value v;

	v.i64 = 0;
	switch (c->op) {
	case WM_CONST_I32: v.i32 = (uint32_t)c->bits; break;
	case WM_CONST_I64: v.i64 = c->bits; break;
	case WM_CONST_F32: v.f32 = (uint32_t)c->bits; break;
	case WM_CONST_F64: v.f64 = c->bits; break;
	case WM_CONST_GLOBAL: v = inst->globals[c->index]->value; break;
	case WM_CONST_REFNULL: v.ref = NULL; break;
	case WM_CONST_REFFUNC: v.ref = inst->funcs[c->index]; break;
	case WM_CONST_V128: v.i64 = c->bits; break;
	case WM_CONST_EXPR: v.i64 = wm_constexpr_eval(inst, c, ok); break;
	}
	return v;
}

/* const_eval_ok of an expression that makes no GC object (an offset). */
static wr_value
const_eval(const we_instance *inst, const wm_constexpr *c)
{
	bool ok;

	return const_eval_ok(inst, c, &ok);
}

/* const_eval_ok, false with err set when an object does not fit. */
static bool
const_eval_err(
    const we_instance *inst, const wm_constexpr *c, wr_value *v, we_error *err)
{
	bool ok = true;

	*v = const_eval_ok(inst, c, &ok);
	if (!ok)
		set_error(err, WE_ERR_LIMIT, "%s", inst->store->trap.message);
	return ok;
}

static bool
create_tables(we_instance *inst, we_error *err)
{
	const we_module *m = inst->module;

	for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
		wr_value init;
		if (!const_eval_err(inst,
		        &m->table_inits[i - m->ntable_imports], &init, err))
			return false;
		we_tabletype type = m->tables[i];
		type.elem = store_type(inst, type.elem);
		inst->tables[i] =
		    wr_table_create(inst->store, &type, init.ref, err);
		if (inst->tables[i] == NULL)
			return false;
	}
	return true;
}

/* The module's memories; memory 0 of a snapshot has the snapshot's size. */
static bool
create_memories(we_instance *inst, const wr_image *image,
    const we_snapshot *snap, we_error *err)
{
	const we_module *m = inst->module;

	for (uint32_t i = m->nmem_imports; i < m->nmems; i++) {
		we_memtype type = m->mems[i];
		if (i == 0 && snap != NULL)
			type.limits.min = wr_snapshot_pages(snap);
		inst->mems[i] = wr_memory_create_from(
		    inst->store, &type, i == 0 ? image : NULL, err);
		if (inst->mems[i] == NULL)
			return false;
	}
	return true;
}

/* Charges n objects of size bytes to the store; false with err set. */
static bool
charge(
    we_instance *inst, uint64_t n, size_t size, const char *what, we_error *err)
{
	we_store *s = inst->store;

	if (wr_store_charge(s, n * size))
		return true;
	set_error(err, WE_ERR_LIMIT,
	    "%llu %s do not fit the store's memory limit of %llu bytes "
	    "(%llu in use)",
	    (unsigned long long)n, what,
	    (unsigned long long)s->config.max_store_bytes,
	    (unsigned long long)s->guest_bytes);
	return false;
}

/* The upper half of a v128 constant expression's value (else 0). */
static wr_value
const_eval_hi(const we_instance *inst, const wm_constexpr *c)
{
	if (c->op == WM_CONST_V128)
		return (wr_value){.i64 = c->bits_hi};
	if (c->op == WM_CONST_GLOBAL)
		return inst->globals[c->index]->hi;
	return (wr_value){.i64 = 0};
}

static bool
create_globals(we_instance *inst, we_error *err)
{
	const we_module *m = inst->module;

	if (!charge(inst, m->nglobals - m->nglobal_imports, sizeof(we_global),
	        "globals", err))
		return false;
	inst->own_globals =
	    array_new(m->nglobals - m->nglobal_imports, sizeof(we_global));
	if (inst->own_globals == NULL)
		return nomem(err);
	for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
		we_global *g = &inst->own_globals[i - m->nglobal_imports];

		g->store = inst->store;
		g->type = m->globals[i].type;
		g->type.type = store_type(inst, g->type.type);
		if (!const_eval_err(inst, &m->globals[i].init, &g->value, err))
			return false;
		g->hi = const_eval_hi(inst, &m->globals[i].init);
		inst->globals[i] = g;
	}
	return true;
}

/* ---- Segments and the start function --------------------------------- */

/* Evaluates every element segment's references into inst->elems. */
static bool
eval_elems(we_instance *inst, we_error *err)
{
	const we_module *m = inst->module;

	for (uint32_t i = 0; i < m->nelems; i++) {
		const wm_elem *e = &m->elems[i];
		wr_elemseg *seg = &inst->elems[i];
		if (e->count == 0)
			continue;
		if (!charge(inst, e->count, sizeof(*seg->refs),
		        "element segment references", err))
			return false;
		seg->refs = malloc((size_t)e->count * sizeof(*seg->refs));
		if (seg->refs == NULL)
			return nomem(err);
		seg->count = e->count;
		for (uint32_t j = 0; j < e->count; j++) {
			wr_value v;
			if (!const_eval_err(inst, &e->items[j], &v, err))
				return false;
			seg->refs[j] = v.ref;
		}
	}
	for (uint32_t i = 0; i < m->ndatas; i++)
		inst->data_sizes[i] = m->datas[i].len;
	return true;
}

void
wr_elem_drop(we_store *s, wr_elemseg *seg)
{
	wr_store_refund(s, (uint64_t)seg->count * sizeof(*seg->refs));
	free(seg->refs);
	seg->refs = NULL;
	seg->count = 0;
}

static bool
trap_error(
    we_instance *inst, we_error *err, we_trap_kind kind, const char *what)
{
	wr_trap(inst->store, kind, "%s", what);
	set_error(err, WE_ERR_TRAP, "%s", what);
	return false;
}

/* table.init of each active segment, then elem.drop; drops declaratives. */
static bool
init_tables(we_instance *inst, we_error *err)
{
	const we_module *m = inst->module;

	for (uint32_t i = 0; i < m->nelems; i++) {
		const wm_elem *e = &m->elems[i];
		wr_elemseg *seg = &inst->elems[i];
		if (e->mode == WM_SEG_DECLARATIVE)
			wr_elem_drop(inst->store, seg);
		if (e->mode != WM_SEG_ACTIVE)
			continue;
		we_table *t = inst->tables[e->table];
		wr_value at = const_eval(inst, &e->offset);
		uint64_t off = t->type.addr64 ? at.i64 : at.i32;
		if (off > t->size || seg->count > t->size - off)
			return trap_error(inst, err,
			    WE_TRAP_TABLE_OUT_OF_BOUNDS,
			    "out of bounds table access");
		if (seg->count > 0)
			memcpy(t->elems + off, seg->refs,
			    (size_t)seg->count * sizeof(*seg->refs));
		wr_elem_drop(inst->store, seg);
	}
	return true;
}

/*
 * memory.init of each active data segment, then data.drop; with an image,
 * only the drop (the image holds them all).
 */
static bool
init_memories(we_instance *inst, const wr_image *image, we_error *err)
{
	const we_module *m = inst->module;

	for (uint32_t i = 0; i < m->ndatas; i++) {
		const wm_data *d = &m->datas[i];
		if (d->mode != WM_SEG_ACTIVE)
			continue;
		if (image != NULL) {
			inst->data_sizes[i] = 0;
			continue;
		}
		we_memory *mem = inst->mems[d->memory];
		wr_value at = const_eval(inst, &d->offset);
		uint64_t off = mem->type.addr64 ? at.i64 : at.i32;
		if (off > mem->size || d->len > mem->size - off)
			return trap_error(inst, err,
			    WE_TRAP_MEMORY_OUT_OF_BOUNDS,
			    "out of bounds memory access");
		if (d->len > 0)
			memcpy(mem->data + off, d->bytes, d->len);
		inst->data_sizes[i] = 0;
	}
	return true;
}

static bool
run_start(we_instance *inst, we_error *err)
{
	const we_module *m = inst->module;

	if (!m->has_start)
		return true;
	switch (we_func_call(
	    inst->store, inst->funcs[m->start], NULL, 0, NULL, 0)) {
	case WE_CALL_OK: return true;
	case WE_CALL_TRAP:
		set_error(err, WE_ERR_TRAP, "start function trapped: %s",
		    inst->store->trap.message);
		return false;
	case WE_CALL_SUSPENDED:
		we_abandon(inst->store);
		set_error(err, WE_ERR_ARG,
		    "a host call suspended during instantiation");
		return false;
	case WE_CALL_ERROR:
		set_error(err, WE_ERR_ARG, "cannot run the start function: %s",
		    we_store_error(inst->store));
		return false;
	}
	return false;
}

we_instance *
we_instance_new(we_store *s, const we_module *m, const we_import *imports,
    size_t nimports, we_error *err)
{
	return wr_instantiate(s, m, imports, nimports, NULL, NULL, err);
}

we_instance *
wr_instantiate(we_store *s, const we_module *m, const we_import *imports,
    size_t nimports, const wr_image *image, const we_snapshot *snap,
    we_error *err)
{
	if (s == NULL || m == NULL || (nimports > 0 && imports == NULL)) {
		set_error(err, WE_ERR_ARG, "we_instance_new: missing argument");
		return NULL;
	}
	we_instance *inst = instance_alloc(s, m, err);
	if (inst == NULL || !intern_types(inst, err) ||
	    !link_imports(inst, imports, nimports, err) ||
	    !create_funcs(inst, err) || !create_tags(inst, err) ||
	    !create_tables(inst, err) ||
	    !create_memories(inst, image, snap, err) ||
	    !create_globals(inst, err) || !eval_elems(inst, err))
		return NULL;
	if (snap != NULL ? !wr_snapshot_restore(inst, snap, err)
	                 : !init_tables(inst, err) ||
	            !init_memories(inst, image, err) || !run_start(inst, err))
		return NULL;
	if (err != NULL) {
		err->code = WE_OK;
		err->message[0] = '\0';
		err->offset = SIZE_MAX;
	}
	return inst;
}

/* ---- Exports ---------------------------------------------------------- */

bool
we_instance_export(const we_instance *inst, const char *name, we_extern *out)
{
	return we_instance_export_n(inst, name, strlen(name), out);
}

bool
we_instance_export_n(
    const we_instance *inst, const char *name, size_t len, we_extern *out)
{
	const we_module *m = inst->module;

	for (uint32_t i = 0; i < m->nexports; i++) {
		const wm_export *x = &m->exports[i];
		if (x->name_len != len || memcmp(x->name, name, len) != 0)
			continue;
		out->kind = x->kind;
		switch (x->kind) {
		case WE_EXTERN_FUNC:
			out->of.func = inst->funcs[x->index];
			break;
		case WE_EXTERN_TABLE:
			out->of.table = inst->tables[x->index];
			break;
		case WE_EXTERN_MEMORY:
			out->of.memory = inst->mems[x->index];
			break;
		case WE_EXTERN_GLOBAL:
			out->of.global = inst->globals[x->index];
			break;
		case WE_EXTERN_TAG: out->of.tag = inst->tags[x->index]; break;
		}
		return true;
	}
	return false;
}

we_func *
we_instance_func(const we_instance *inst, const char *name)
{
	we_extern e;

	if (!we_instance_export(inst, name, &e) || e.kind != WE_EXTERN_FUNC)
		return NULL;
	return e.of.func;
}

const we_module *
we_instance_module(const we_instance *inst)
{
	return inst->module;
}

we_memory *
we_instance_memory(const we_instance *inst, uint32_t index)
{
	return index < inst->module->nmems ? inst->mems[index] : NULL;
}

we_table *
we_instance_table(const we_instance *inst, uint32_t index)
{
	return index < inst->module->ntables ? inst->tables[index] : NULL;
}
