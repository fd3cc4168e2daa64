/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collect.c: the collector of GC objects (3.0, gc.c): a non-moving
 * mark-sweep that frees the structs, arrays and boxes no root reaches,
 * refunding what they were charged to the store's limit.
 *
 * When: before an allocation, once the bytes of objects made since the
 * last collection pass what that one scanned (its live objects and its
 * roots, at least WR_GC_MIN_TRIGGER), so the work stays proportional to
 * the allocation; when a guest-driven allocation would pass the store's
 * limit (store.c); and when the host asks (we_store_collect). Only while
 * wasm code runs (s->gc.on, set around wx_run by call.c and cleared in
 * host functions) or between calls: instantiation, constant expressions
 * and the host API hold fresh objects in C locals that no root sees.
 *
 * Roots: the interpreter's value stack up to the end of the running
 * frame, scanned conservatively (objects never move, so any 8-aligned
 * word that is the address of an object of the store keeps it: at worst
 * a stale slot retains garbage until it is overwritten); the globals and
 * tables of the store whose type may hold an object (anyref or externref:
 * a struct is its own externref); every instance's element segments;
 * every exception's values (exceptions live as long as the store); and a
 * suspended call's host arguments. Object fields are traced precisely by
 * their store type: the reference fields of a struct, the elements of an
 * array of references. Marking uses an explicit worklist, so a chain of a
 * million objects costs memory, not C stack.
 *
 * A reference the host holds outside the store is no root: the object
 * may be freed by a later collection, and a stale pointer passed back is
 * refused by the checks that use wr_gc_find (engine.h says so).
 *
 * A build with -DWR_GC_STRESS collects before every allocation during a
 * call: a missing root then shows at once (the 3.0 spec scripts pass so).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"

/* A collection's marking state. */
typedef struct marker {
	we_store *s;
	uintptr_t lo, hi; /* the lowest and highest object address */
	wr_gcobj **work;  /* own: marked objects whose fields wait */
	size_t nwork, cap;
	bool failed;    /* out of memory for the worklist */
	uint64_t roots; /* words of roots scanned */
	uint32_t alive; /* objects marked */
} marker;

/* Marks the object at p, if p is one of the store's. */
static void
mark(marker *m, const void *p)
{
	uintptr_t a = (uintptr_t)p;
	wr_gcobj *o, **w;

	if (a < m->lo || a > m->hi || (a & 7u) != 0)
		return;
	o = wr_gc_find(m->s, p);
	if (o == NULL || o->mark)
		return;
	o->mark = 1;
	m->alive++;
	if (o->kind != WR_GC_STRUCT && o->kind != WR_GC_ARRAY)
		return; /* a box holds an i31 or a host's externref */
	if (m->nwork == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		w = realloc(m->work, cap * sizeof(*w));
		if (w == NULL) {
			m->failed = true;
			return;
		}
		m->work = w;
		m->cap = cap;
	}
	m->work[m->nwork++] = o;
}

/* Marks what the n words from p hold (8-aligned; any may be a ref). */
static void
mark_words(marker *m, const void *p, uint64_t n)
{
	const wr_value *v = p;

	m->roots += n;
	for (uint64_t i = 0; i < n; i++)
		mark(m, v[i].ref);
}

/* Whether field (element) type ft of a store type is a reference. */
static bool
ref_field(we_valtype ft)
{
	uint32_t t = (uint32_t)ft & ~WM_FIELD_MUT;

	return t != WM_PACKED_I8 && t != WM_PACKED_I16 && wr_is_ref(t);
}

/* Marks what the reference fields of struct or array o hold. */
static void
scan(marker *m, const wr_gcobj *o)
{
	const we_functype *t = &m->s->types[o->type_id];
	uint64_t off = 0;

	if (o->kind == WR_GC_ARRAY) {
		if (ref_field(t->params[0]))
			mark_words(m, o->data, o->len);
		return;
	}
	for (uint32_t j = 0; j < t->nparams; j++) {
		enum wr_field k = wr_field_kind(t->params[j]);
		void *p;

		off = wr_field_align(off, k);
		if (ref_field(t->params[j])) {
			memcpy(&p, o->data + off, sizeof(p));
			mark(m, p);
		}
		off += wr_field_size(k);
	}
}

/* Whether a global or table of store type t may hold an object. */
static bool
may_hold(const we_store *s, we_valtype t)
{
	we_valtype top = wr_host_top(s, t);

	return top == WE_ANYREF || top == WE_EXTERNREF;
}

static void
mark_instance(marker *m, const we_instance *inst)
{
	const we_module *mod = inst->module;

	if (mod == NULL)
		return;
	/* Imported globals are another instance's or the host's. */
	if (inst->own_globals != NULL)
		for (uint32_t i = 0; i < mod->nglobals - mod->nglobal_imports;
		     i++) {
			const we_global *g = &inst->own_globals[i];
			if (may_hold(m->s, g->type.type))
				mark_words(m, &g->value, 1);
		}
	if (inst->elems != NULL)
		for (uint32_t i = 0; i < mod->nelems; i++)
			if (inst->elems[i].refs != NULL)
				mark_words(m, inst->elems[i].refs,
				    inst->elems[i].count);
}

/* Marks the roots of every object of the store (see the top). */
static void
mark_store_objects(marker *m)
{
	const we_store *s = m->s;

	for (size_t i = 0; i < s->nobjects; i++) {
		const void *obj = s->objects[i];
		switch ((enum wr_objkind)s->objkinds[i]) {
		case WR_OBJ_GLOBAL: {
			const we_global *g = obj;
			if (may_hold(s, g->type.type))
				mark_words(m, &g->value, 1);
			break;
		}
		case WR_OBJ_TABLE: {
			const we_table *t = obj;
			if (may_hold(s, t->type.elem))
				mark_words(m, t->elems, t->size);
			break;
		}
		case WR_OBJ_INSTANCE: mark_instance(m, obj); break;
		case WR_OBJ_EXN: {
			const wr_exn *e = obj;
			mark_words(m, e->vals, e->tag->nslots);
			break;
		}
		default: break; /* functions, memories and tags hold none */
		}
	}
}

static void
mark_roots(marker *m)
{
	const we_store *s = m->s;
	const struct wx_exec *x = s->exec;

	mark_store_objects(m);
	/* The value stack: every frame, up to the running one's end. */
	if (s->state == WR_RUNNING && x != NULL && x->depth > 0) {
		const wx_frame *fr = &x->frames[x->depth - 1];
		const wr_value *top = fr->fp + fr->code->nslots;
		if (top > x->stack_end)
			top = x->stack_end;
		mark_words(m, x->stack, (uint64_t)(top - x->stack));
	}
	for (uint32_t i = 0; i < s->pending.nargs; i++)
		if (wr_is_ref(s->pending_args[i].type))
			mark(m, s->pending_args[i].of.externref);
}

/* Clears every mark (a collection given up). */
static void
unmark_all(we_store *s)
{
	for (uint32_t i = 0; i < s->gcslots; i++)
		if (s->gcset[i] != NULL)
			s->gcset[i]->mark = 0;
}

/*
 * Frees the unmarked objects, refunding their charge, and rebuilds the
 * set of the others (alive of them), unmarked again. Out of memory for the new set, it
 * frees nothing (the set cannot lose its entries in place).
 */
static void
sweep(we_store *s, uint32_t alive)
{
	uint32_t slots = 64;
	uint64_t live = 0, freed = 0;
	wr_gcobj **set;

	/* At most a quarter full, so the set need not grow at once. */
	while (slots < s->gcslots && (uint64_t)alive * 4 > slots)
		slots *= 2;
	if ((set = calloc(slots, sizeof(*set))) == NULL) {
		unmark_all(s);
		return;
	}
	for (uint32_t i = 0; i < s->gcslots; i++) {
		wr_gcobj *o = s->gcset[i];
		if (o == NULL)
			continue;
		if (o->mark) {
			o->mark = 0;
			live += wr_gc_cost(s, o);
			wr_gc_set_put(set, slots, o);
		} else {
			freed += wr_gc_cost(s, o);
			free(o);
		}
	}
	wr_store_refund(s, freed);
	s->gc.freed += s->ngc - alive;
	s->gc.live = live;
	s->ngc = alive;
	free(s->gcset);
	s->gcset = set;
	s->gcslots = slots;
}

void
wr_gc_collect(we_store *s)
{
	marker m = {.s = s, .lo = UINTPTR_MAX};

	if (s->ngc == 0)
		return;
	for (uint32_t i = 0; i < s->gcslots; i++) {
		uintptr_t a = (uintptr_t)s->gcset[i];
		if (a == 0)
			continue;
		m.lo = a < m.lo ? a : m.lo;
		m.hi = a > m.hi ? a : m.hi;
	}
	mark_roots(&m);
	while (m.nwork > 0 && !m.failed)
		scan(&m, m.work[--m.nwork]);
	free(m.work);
	s->gc.collections++;
	s->gc.since = 0;
	s->gc.changed = false;
	if (m.failed) {
		/* Some marked object's fields were never looked at. */
		unmark_all(s);
		return;
	}
	sweep(s, m.alive);
	s->gc.work = s->gc.live + m.roots * sizeof(wr_value);
}

bool
wr_gc_charge(we_store *s, uint64_t cost)
{
#ifdef WR_GC_STRESS /* a test build: collect before every allocation */
	uint64_t trigger = 0;
#else
	uint64_t trigger =
	    s->gc.work > WR_GC_MIN_TRIGGER ? s->gc.work : WR_GC_MIN_TRIGGER;
#endif

	if (s->gc.since >= trigger && s->gc.on)
		wr_gc_collect(s);
	if (!wr_store_charge(s, cost))
		return false;
	s->gc.since += cost;
	s->gc.changed = true;
	return true;
}

/* ---- The host's view (engine.h) ---------------------------------------- */

we_err
we_store_collect(we_store *s)
{
	if (s == NULL)
		return WE_ERR_ARG;
	if (s->state != WR_IDLE) {
		snprintf(s->error, sizeof(s->error),
		    "cannot collect: a call is %s",
		    s->state == WR_RUNNING ? "running" : "suspended");
		return WE_ERR_ARG;
	}
	wr_gc_collect(s);
	return WE_OK;
}

void
we_store_gc_stats(const we_store *s, we_gc_stats *out)
{
	*out = (we_gc_stats){.objects = s->ngc,
	    .bytes = s->gc.live + s->gc.since,
	    .collections = s->gc.collections,
	    .freed = s->gc.freed};
}
