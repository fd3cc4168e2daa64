/* SPDX-License-Identifier: Apache-2.0 */
/*
 * convert.c: engine types <-> protocol messages for the worker
 * (convert.h). Building replies uses an arena of individual allocations so
 * that a reply of any shape is freed with one call once it is sent.
 */
#include "convert.h"

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wrk_chunk {
	struct wrk_chunk *next;
	alignas(max_align_t) unsigned char data[];
};

void *
wrk_arena_alloc(wrk_arena *a, size_t size)
{
	struct wrk_chunk *c;

	if (size > SIZE_MAX - sizeof *c)
		return NULL;
	c = calloc(1, sizeof *c + size);
	if (c == NULL)
		return NULL;
	c->next = a->head;
	a->head = c;
	return c->data;
}

void
wrk_arena_free(wrk_arena *a)
{
	while (a->head != NULL) {
		struct wrk_chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}

/* An array of n pointers from the arena (NULL also when n is 0). */
static void *
arena_array(wrk_arena *a, size_t n, size_t elem)
{
	if (n == 0 || n > SIZE_MAX / elem)
		return NULL;
	return wrk_arena_alloc(a, n * elem);
}

/* ---- Value types ------------------------------------------------------ */

/* An i31 reference's 31 bits (i31.get_u) from in->bits into out. */
static bool
i31_from_pb(const Wasmd__Value *in, we_val *out, char *msg, size_t msglen)
{
	if (in->bits > 0x7fffffffu) {
		snprintf(msg, msglen, "i31 value %llu does not fit in 31 bits",
		    (unsigned long long)in->bits);
		return false;
	}
	*out = we_i31ref((int32_t)(uint32_t)in->bits);
	return true;
}

Wasmd__ValType
wrk_valtype_to_pb(we_valtype t)
{
	switch (we_module_host_type(NULL, t)) {
	case WE_I64: return WASMD__VAL_TYPE__VAL_I64;
	case WE_F32: return WASMD__VAL_TYPE__VAL_F32;
	case WE_F64: return WASMD__VAL_TYPE__VAL_F64;
	case WE_FUNCREF: return WASMD__VAL_TYPE__VAL_FUNCREF;
	case WE_EXTERNREF: return WASMD__VAL_TYPE__VAL_EXTERNREF;
	case WE_V128: return WASMD__VAL_TYPE__VAL_V128;
	case WE_EXNREF: return WASMD__VAL_TYPE__VAL_EXNREF;
	case WE_ANYREF: return WASMD__VAL_TYPE__VAL_ANYREF;
	case WE_I32:
	default: return WASMD__VAL_TYPE__VAL_I32;
	}
}

bool
wrk_valtype_from_pb(int pb, we_valtype *out)
{
	switch (pb) {
	case WASMD__VAL_TYPE__VAL_I32: *out = WE_I32; return true;
	case WASMD__VAL_TYPE__VAL_I64: *out = WE_I64; return true;
	case WASMD__VAL_TYPE__VAL_F32: *out = WE_F32; return true;
	case WASMD__VAL_TYPE__VAL_F64: *out = WE_F64; return true;
	case WASMD__VAL_TYPE__VAL_FUNCREF: *out = WE_FUNCREF; return true;
	case WASMD__VAL_TYPE__VAL_EXTERNREF: *out = WE_EXTERNREF; return true;
	case WASMD__VAL_TYPE__VAL_V128: *out = WE_V128; return true;
	case WASMD__VAL_TYPE__VAL_EXNREF: *out = WE_EXNREF; return true;
	case WASMD__VAL_TYPE__VAL_ANYREF: *out = WE_ANYREF; return true;
	default: return false;
	}
}

/* "i32", or "unknown type N" for a value no peer should send. */
static const char *
pb_valtype_name(int pb, char *buf, size_t len)
{
	we_valtype t;

	if (wrk_valtype_from_pb(pb, &t))
		return we_valtype_name(t);
	snprintf(buf, len, "unknown type %d", pb);
	return buf;
}

/* ---- Values ----------------------------------------------------------- */

/* One value of type want; false with msg when it cannot be one. */
static bool
value_from_pb(const we_module *m, const Wasmd__Value *in, we_valtype want,
    we_val *out, char *msg, size_t msglen)
{
	char tbuf[32];

	/* A typed reference takes its hierarchy's top: a funcref or an
	 * anyref (only null crosses, or an i31; the engine refuses what the
	 * type admits not). */
	want = we_module_host_type(m, want);
	if (in == NULL || !wrk_valtype_from_pb((int)in->type, &out->type) ||
	    out->type != want) {
		snprintf(msg, msglen, "expected %s, got %s",
		    we_valtype_name(want),
		    in == NULL
		        ? "nothing"
		        : pb_valtype_name((int)in->type, tbuf, sizeof tbuf));
		return false;
	}
	switch (want) {
	case WE_I32: out->of.i32 = (int32_t)(uint32_t)in->bits; break;
	case WE_I64: out->of.i64 = (int64_t)in->bits; break;
	case WE_F32: out->of.f32_bits = (uint32_t)in->bits; break;
	case WE_F64: out->of.f64_bits = in->bits; break;
	case WE_V128:
		if (in->v128.len != sizeof out->of.v128) {
			snprintf(msg, msglen, "a v128 needs 16 bytes, got %zu",
			    in->v128.len);
			return false;
		}
		memcpy(out->of.v128, in->v128.data, sizeof out->of.v128);
		break;
	case WE_FUNCREF:
		if (!in->is_null) {
			snprintf(msg, msglen,
			    "a non-null funcref cannot cross processes");
			return false;
		}
		out->of.funcref = NULL;
		break;
	case WE_EXNREF:
	case WE_ANYREF:
		if (want == WE_ANYREF && !in->is_null && in->is_i31)
			return i31_from_pb(in, out, msg, msglen);
		if (!in->is_null) {
			snprintf(msg, msglen,
			    "a non-null %s cannot cross processes%s",
			    we_valtype_name(want),
			    want == WE_ANYREF ? " (but an i31 can)" : "");
			return false;
		}
		out->of.externref = NULL;
		break;
	case WE_EXTERNREF:
		if (in->is_null) {
			out->of.externref = NULL;
		} else if (in->bits >= UINTPTR_MAX) {
			snprintf(msg, msglen, "externref handle %llu too large",
			    (unsigned long long)in->bits);
			return false;
		} else {
			out->of.externref = (void *)(uintptr_t)(in->bits + 1);
		}
		break;
	default:
		snprintf(
		    msg, msglen, "unsupported type %s", we_valtype_name(want));
		return false;
	}
	return true;
}

bool
wrk_values_from_pb(const we_module *m, Wasmd__Value *const *in, size_t n,
    const we_valtype *types, size_t ntypes, const char *what, we_val *out,
    char *msg, size_t msglen)
{
	char why[128];
	size_t i;

	if (n != ntypes) {
		snprintf(msg, msglen, "expected %zu %s%s, got %zu", ntypes,
		    what, ntypes == 1 ? "" : "s", n);
		return false;
	}
	for (i = 0; i < n; i++) {
		if (!value_from_pb(
		        m, in[i], types[i], &out[i], why, sizeof why)) {
			snprintf(msg, msglen, "%s %zu: %s", what, i, why);
			return false;
		}
	}
	return true;
}

/* v into out; a v128's bytes are copied into a (false: out of memory). */
static bool
value_to_pb(wrk_arena *a, const we_val *v, Wasmd__Value *out)
{
	int32_t i31;

	wasmd__value__init(out);
	out->type = wrk_valtype_to_pb(v->type);
	switch (v->type) {
	case WE_I32: out->bits = (uint32_t)v->of.i32; break;
	case WE_I64: out->bits = (uint64_t)v->of.i64; break;
	case WE_F32: out->bits = v->of.f32_bits; break;
	case WE_F64: out->bits = v->of.f64_bits; break;
	case WE_V128:
		out->v128.data = wrk_arena_alloc(a, sizeof v->of.v128);
		if (out->v128.data == NULL)
			return false;
		memcpy(out->v128.data, v->of.v128, sizeof v->of.v128);
		out->v128.len = sizeof v->of.v128;
		break;
	case WE_FUNCREF: out->is_null = v->of.funcref == NULL; break;
	case WE_ANYREF:
		out->is_null = v->of.externref == NULL;
		/* An i31 crosses as its 31 bits; any other is opaque. */
		if (we_val_i31(*v, &i31)) {
			out->is_i31 = true;
			out->bits = (uint32_t)i31 & 0x7fffffffu;
		}
		break;
	case WE_EXNREF: /* a non-null one is opaque: no handle crosses */
		out->is_null = v->of.externref == NULL;
		break;
	case WE_EXTERNREF:
		out->is_null = v->of.externref == NULL;
		if (!out->is_null)
			out->bits = (uint64_t)((uintptr_t)v->of.externref - 1);
		break;
	default: break;
	}
	return true;
}

Wasmd__Value **
wrk_values_to_pb(wrk_arena *a, const we_val *vals, size_t n)
{
	Wasmd__Value **out = arena_array(a, n, sizeof *out);
	Wasmd__Value *cells = arena_array(a, n, sizeof *cells);
	size_t i;

	if (n > 0 && (out == NULL || cells == NULL))
		return NULL;
	for (i = 0; i < n; i++) {
		if (!value_to_pb(a, &vals[i], &cells[i]))
			return NULL;
		out[i] = &cells[i];
	}
	return out;
}

/* ---- Function types --------------------------------------------------- */

static bool
valtypes_equal_pb(
    const we_valtype *t, uint32_t n, const Wasmd__ValType *pb, size_t npb)
{
	size_t i;
	we_valtype v;

	if (n != npb)
		return false;
	for (i = 0; i < n; i++) {
		if (!wrk_valtype_from_pb((int)pb[i], &v) || v != t[i])
			return false;
	}
	return true;
}

bool
wrk_functype_equals_pb(const we_functype *t, const Wasmd__FuncType *pb)
{
	if (pb == NULL)
		return t->nparams == 0 && t->nresults == 0;
	return valtypes_equal_pb(
	           t->params, t->nparams, pb->params, pb->n_params) &&
	    valtypes_equal_pb(
	        t->results, t->nresults, pb->results, pb->n_results);
}

/* Appends s to buf at *pos; a full buffer keeps what fitted. */
static void
append(char *buf, size_t len, size_t *pos, const char *s)
{
	int w;

	if (*pos >= len)
		return;
	w = snprintf(buf + *pos, len - *pos, "%s", s);
	*pos += w > 0 ? (size_t)w : 0;
}

/* Appends the names of a list of types, in parentheses. */
static void
append_list(
    char *buf, size_t len, size_t *pos, const char *const *names, size_t n)
{
	size_t i;

	append(buf, len, pos, "(");
	for (i = 0; i < n; i++) {
		if (i > 0)
			append(buf, len, pos, " ");
		append(buf, len, pos, names[i]);
	}
	append(buf, len, pos, ")");
}

#define WRK_STR_TYPES_MAX 16 /* a type string names at most this many */

static char *
type_lists_str(const char *const *p, size_t np, const char *const *r, size_t nr,
    char *buf, size_t len)
{
	size_t pos = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	append_list(buf, len, &pos, p, np);
	append(buf, len, &pos, " -> ");
	append_list(buf, len, &pos, r, nr);
	return buf;
}

char *
wrk_functype_str(const we_functype *t, char *buf, size_t len)
{
	const char *p[WRK_STR_TYPES_MAX], *r[WRK_STR_TYPES_MAX];
	size_t np =
	    t->nparams < WRK_STR_TYPES_MAX ? t->nparams : WRK_STR_TYPES_MAX;
	size_t nr =
	    t->nresults < WRK_STR_TYPES_MAX ? t->nresults : WRK_STR_TYPES_MAX;
	size_t i;

	for (i = 0; i < np; i++)
		p[i] = we_valtype_name(t->params[i]);
	for (i = 0; i < nr; i++)
		r[i] = we_valtype_name(t->results[i]);
	return type_lists_str(p, np, r, nr, buf, len);
}

char *
wrk_functype_pb_str(const Wasmd__FuncType *t, char *buf, size_t len)
{
	static const char unknown[] = "?";
	const char *p[WRK_STR_TYPES_MAX], *r[WRK_STR_TYPES_MAX];
	size_t np = 0, nr = 0, i;
	we_valtype v;

	if (t != NULL) {
		np = t->n_params < WRK_STR_TYPES_MAX ? t->n_params
		                                     : WRK_STR_TYPES_MAX;
		nr = t->n_results < WRK_STR_TYPES_MAX ? t->n_results
		                                      : WRK_STR_TYPES_MAX;
	}
	for (i = 0; i < np; i++)
		p[i] = wrk_valtype_from_pb((int)t->params[i], &v)
		    ? we_valtype_name(v)
		    : unknown;
	for (i = 0; i < nr; i++)
		r[i] = wrk_valtype_from_pb((int)t->results[i], &v)
		    ? we_valtype_name(v)
		    : unknown;
	return type_lists_str(p, np, r, nr, buf, len);
}

/* ---- Module descriptions ---------------------------------------------- */

/* Types of m's imports and exports as the host's values carry them (a
 * typed reference as funcref or anyref, by its type's kind). */
static Wasmd__ValType *
valtypes_to_pb(
    wrk_arena *a, const we_module *m, const we_valtype *t, uint32_t n, bool *ok)
{
	Wasmd__ValType *out = arena_array(a, n, sizeof *out);
	uint32_t i;

	if (n > 0 && out == NULL) {
		*ok = false;
		return NULL;
	}
	for (i = 0; i < n; i++)
		out[i] = wrk_valtype_to_pb(we_module_host_type(m, t[i]));
	return out;
}

static Wasmd__FuncType *
functype_to_pb(wrk_arena *a, const we_module *m, const we_functype *t)
{
	Wasmd__FuncType *out = wrk_arena_alloc(a, sizeof *out);
	bool ok = true;

	if (out == NULL)
		return NULL;
	wasmd__func_type__init(out);
	out->params = valtypes_to_pb(a, m, t->params, t->nparams, &ok);
	out->n_params = t->nparams;
	out->results = valtypes_to_pb(a, m, t->results, t->nresults, &ok);
	out->n_results = t->nresults;
	return ok ? out : NULL;
}

static Wasmd__Limits *
limits_to_pb(wrk_arena *a, const we_limits *l)
{
	Wasmd__Limits *out = wrk_arena_alloc(a, sizeof *out);

	if (out == NULL)
		return NULL;
	wasmd__limits__init(out);
	out->min = l->min;
	out->max = l->max;
	out->has_max = l->has_max;
	return out;
}

static Wasmd__ExternType *
externtype_to_pb(wrk_arena *a, const we_module *m, const we_externtype *t)
{
	Wasmd__ExternType *out = wrk_arena_alloc(a, sizeof *out);
	bool ok = true;

	if (out == NULL)
		return NULL;
	wasmd__extern_type__init(out);
	switch (t->kind) {
	case WE_EXTERN_FUNC:
		out->kind = WASMD__EXTERN_KIND__EXTERN_FUNC;
		ok = (out->func = functype_to_pb(a, m, &t->of.func)) != NULL;
		break;
	case WE_EXTERN_TABLE:
		out->kind = WASMD__EXTERN_KIND__EXTERN_TABLE;
		out->val_type =
		    wrk_valtype_to_pb(we_module_host_type(m, t->of.table.elem));
		ok = (out->limits = limits_to_pb(a, &t->of.table.limits)) !=
		    NULL;
		break;
	case WE_EXTERN_MEMORY:
		out->kind = WASMD__EXTERN_KIND__EXTERN_MEMORY;
		ok = (out->limits = limits_to_pb(a, &t->of.memory.limits)) !=
		    NULL;
		break;
	case WE_EXTERN_GLOBAL:
		out->kind = WASMD__EXTERN_KIND__EXTERN_GLOBAL;
		out->val_type = wrk_valtype_to_pb(
		    we_module_host_type(m, t->of.global.type));
		out->mutable_ = t->of.global.mutable_;
		break;
	case WE_EXTERN_TAG:
		/* wasmd.proto has no tag kind yet: not describable. */
		ok = false;
		break;
	}
	return ok ? out : NULL;
}

/* Strings borrowed from the module are never freed through the message. */
static char *
borrow(const char *s)
{
	return (char *)(s != NULL ? s : "");
}

static Wasmd__Import *
import_to_pb(wrk_arena *a, const we_module *m, uint32_t i)
{
	Wasmd__Import *out = wrk_arena_alloc(a, sizeof *out);
	we_importdesc d;

	if (out == NULL)
		return NULL;
	wasmd__import__init(out);
	we_module_import(m, i, &d);
	out->module = borrow(d.module);
	out->name = borrow(d.name);
	out->type = externtype_to_pb(a, m, &d.type);
	return out->type != NULL ? out : NULL;
}

static Wasmd__Export *
export_to_pb(wrk_arena *a, const we_module *m, uint32_t i)
{
	Wasmd__Export *out = wrk_arena_alloc(a, sizeof *out);
	we_exportdesc d;

	if (out == NULL)
		return NULL;
	wasmd__export__init(out);
	we_module_export(m, i, &d);
	out->name = borrow(d.name);
	out->type = externtype_to_pb(a, m, &d.type);
	return out->type != NULL ? out : NULL;
}

Wasmd__ModuleInfo *
wrk_module_info(wrk_arena *a, const we_module *m, uint64_t size)
{
	Wasmd__ModuleInfo *info = wrk_arena_alloc(a, sizeof *info);
	uint32_t ni = we_module_import_count(m);
	uint32_t ne = we_module_export_count(m);
	uint32_t i;

	if (info == NULL)
		return NULL;
	wasmd__module_info__init(info);
	info->size = size;
	info->imports = arena_array(a, ni, sizeof *info->imports);
	info->exports = arena_array(a, ne, sizeof *info->exports);
	if ((ni > 0 && info->imports == NULL) ||
	    (ne > 0 && info->exports == NULL))
		return NULL;
	for (i = 0; i < ni; i++) {
		if ((info->imports[i] = import_to_pb(a, m, i)) == NULL)
			return NULL;
	}
	info->n_imports = ni;
	for (i = 0; i < ne; i++) {
		if ((info->exports[i] = export_to_pb(a, m, i)) == NULL)
			return NULL;
	}
	info->n_exports = ne;
	return info;
}

/* ---- Traps ------------------------------------------------------------ */

static Wasmd__TrapKind
trap_kind_to_pb(we_trap_kind k)
{
	switch (k) {
	case WE_TRAP_NONE: return WASMD__TRAP_KIND__TRAP_NONE;
	case WE_TRAP_UNREACHABLE: return WASMD__TRAP_KIND__TRAP_UNREACHABLE;
	case WE_TRAP_MEMORY_OUT_OF_BOUNDS:
		return WASMD__TRAP_KIND__TRAP_MEMORY_OUT_OF_BOUNDS;
	case WE_TRAP_TABLE_OUT_OF_BOUNDS:
		return WASMD__TRAP_KIND__TRAP_TABLE_OUT_OF_BOUNDS;
	case WE_TRAP_DIV_BY_ZERO: return WASMD__TRAP_KIND__TRAP_DIV_BY_ZERO;
	case WE_TRAP_INTEGER_OVERFLOW:
		return WASMD__TRAP_KIND__TRAP_INTEGER_OVERFLOW;
	case WE_TRAP_INVALID_CONVERSION:
		return WASMD__TRAP_KIND__TRAP_INVALID_CONVERSION;
	case WE_TRAP_INDIRECT_CALL_TYPE_MISMATCH:
		return WASMD__TRAP_KIND__TRAP_INDIRECT_CALL_TYPE_MISMATCH;
	case WE_TRAP_UNDEFINED_ELEMENT:
		return WASMD__TRAP_KIND__TRAP_UNDEFINED_ELEMENT;
	case WE_TRAP_UNINITIALIZED_ELEMENT:
		return WASMD__TRAP_KIND__TRAP_UNINITIALIZED_ELEMENT;
	case WE_TRAP_CALL_STACK_EXHAUSTED:
		return WASMD__TRAP_KIND__TRAP_CALL_STACK_EXHAUSTED;
	case WE_TRAP_OUT_OF_FUEL: return WASMD__TRAP_KIND__TRAP_OUT_OF_FUEL;
	case WE_TRAP_INTERRUPTED: return WASMD__TRAP_KIND__TRAP_INTERRUPTED;
	case WE_TRAP_HOST: return WASMD__TRAP_KIND__TRAP_HOST;
	case WE_TRAP_EXCEPTION:
	case WE_TRAP_NULL_REFERENCE:
	case WE_TRAP_CAST_FAILURE:
	case WE_TRAP_ARRAY_OUT_OF_BOUNDS:
		/* No kinds of their own in wasmd.proto yet: the message
		   says which ("uncaught exception: tag ..."). */
		return WASMD__TRAP_KIND__TRAP_HOST;
	}
	return WASMD__TRAP_KIND__TRAP_NONE;
}

Wasmd__Trap *
wrk_trap_to_pb(wrk_arena *a, const we_trap *t)
{
	Wasmd__Trap *out = wrk_arena_alloc(a, sizeof *out);
	uint32_t n =
	    t->nframes < WE_TRAP_FRAMES_MAX ? t->nframes : WE_TRAP_FRAMES_MAX;
	Wasmd__Frame *cells;
	uint32_t i;

	if (out == NULL)
		return NULL;
	wasmd__trap__init(out);
	out->kind = trap_kind_to_pb(t->kind);
	out->message = borrow(t->message);
	out->frames = arena_array(a, n, sizeof *out->frames);
	cells = arena_array(a, n, sizeof *cells);
	if (n > 0 && (out->frames == NULL || cells == NULL))
		return NULL;
	for (i = 0; i < n; i++) {
		wasmd__frame__init(&cells[i]);
		cells[i].func_index = t->frames[i].func_index;
		cells[i].name = borrow(t->frames[i].name);
		cells[i].offset = t->frames[i].offset;
		out->frames[i] = &cells[i];
	}
	out->n_frames = n;
	return out;
}
