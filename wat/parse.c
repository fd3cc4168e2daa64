/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parse.c: a module's fields, from tokens to the binary sections.
 *
 * Two passes over the fields. The first gives every function, table,
 * memory, global, element and data segment its index and records its
 * $name (so a name may be used before its definition), collects the
 * explicit type definitions, and checks that imports come before
 * definitions. The second writes each section in field order; a type use
 * without (type x) finds or appends an implicit type after the explicit
 * ones, as the specification's abbreviation says. Instructions are in
 * instr.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- Token cursor ------------------------------------------------------ */

const wtok *
wat_peek(wparse *ps, size_t ahead)
{
	size_t i = ps->pos + ahead;

	return i < ps->ntoks ? &ps->toks[i] : &ps->toks[ps->ntoks - 1];
}

const wtok *
wat_next(wparse *ps)
{
	const wtok *t = wat_peek(ps, 0);

	if (ps->pos < ps->ntoks - 1)
		ps->pos++;
	return t;
}

bool
wat_at_open(wparse *ps, const char *kw)
{
	return wat_peek(ps, 0)->kind == T_LPAREN &&
	    wat_is_keyword(wat_peek(ps, 1), kw);
}

/* The token as text for a message ("end of input" at the end). */
static const char *
shown(const wtok *t, char *buf, size_t len)
{
	if (t->kind == T_EOF)
		return "end of input";
	snprintf(buf, len, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->text);
	return buf;
}

void
wat_expect_lparen(wparse *ps)
{
	char b[64];

	if (wat_peek(ps, 0)->kind != T_LPAREN)
		wat_fail(ps, "unexpected token %s, expected '('",
		    shown(wat_peek(ps, 0), b, sizeof b));
	wat_next(ps);
}

void
wat_expect_rparen(wparse *ps)
{
	char b[64];

	if (wat_peek(ps, 0)->kind != T_RPAREN)
		wat_fail(ps, "unexpected token %s, expected ')'",
		    shown(wat_peek(ps, 0), b, sizeof b));
	wat_next(ps);
}

void
wat_expect_keyword(wparse *ps, const char *kw)
{
	char b[64];

	if (!wat_is_keyword(wat_peek(ps, 0), kw))
		wat_fail(ps, "unexpected token %s, expected '%s'",
		    shown(wat_peek(ps, 0), b, sizeof b), kw);
	wat_next(ps);
}

/* Skips one balanced (...) group or a single token. */
static void
skip_group(wparse *ps)
{
	int depth = 0;

	do {
		const wtok *t = wat_next(ps);

		if (t->kind == T_EOF)
			wat_fail(ps, "unexpected end of input, expected ')'");
		if (t->kind == T_LPAREN)
			depth++;
		else if (t->kind == T_RPAREN)
			depth--;
	} while (depth > 0);
}

/* A string token's bytes as a name: valid UTF-8 required. */
static const wtok *
expect_name(wparse *ps)
{
	const wtok *t = wat_peek(ps, 0);

	if (t->kind != T_STRING)
		wat_fail(ps, "expected a name (a string)");
	if (!wat_utf8_valid(t->str, t->strlen))
		wat_fail(ps, "malformed UTF-8 encoding in a name");
	return wat_next(ps);
}

/* ---- Index spaces ------------------------------------------------------ */

/* Whether entry n is named by id ($x and $"x" name the same). */
bool
wat_same_id(const wname *n, const wtok *id)
{
	size_t len;
	const char *name = wat_tok_name(id, &len);

	return n->id != NULL && n->len == len && memcmp(n->id, name, len) == 0;
}

/* Entry n of a space or a block label: named by id, or unnamed (NULL). */
void
wat_name_set(wname *n, const wtok *id)
{
	n->id = id ? wat_tok_name(id, &n->len) : NULL;
	if (id == NULL)
		n->len = 0;
}

/* Adds an entry (named by id, or unnamed when id is NULL); its index. */
uint32_t
wat_space_add(wparse *ps, wspace *sp, const wtok *id)
{
	if (id != NULL)
		for (uint32_t i = 0; i < sp->n; i++)
			if (wat_same_id(&sp->names[i], id))
				wat_fail_at(ps, id, "duplicate %s %.*s",
				    sp->what, (int)id->len, id->text);
	if (sp->n == UINT32_MAX)
		wat_fail(ps, "too many %ss", sp->what);
	sp->names = wat_grow(ps, sp->names, &sp->cap, sp->n + 1, sizeof(wname));
	wat_name_set(&sp->names[sp->n], id);
	return sp->n++;
}

bool
wat_at_index(wparse *ps)
{
	const wtok *t = wat_peek(ps, 0);
	uint32_t v;

	return t->kind == T_ID || wat_parse_u32(t, &v);
}

uint32_t
wat_index(wparse *ps, wspace *sp)
{
	const wtok *t = wat_peek(ps, 0);
	uint32_t v;

	if (t->kind == T_ID) {
		for (uint32_t i = 0; i < sp->n; i++)
			if (wat_same_id(&sp->names[i], t)) {
				wat_next(ps);
				return i;
			}
		wat_fail(ps, "unknown %s %.*s", sp->what, (int)t->len, t->text);
	}
	if (!wat_parse_u32(t, &v))
		wat_fail(ps, "expected a %s index or $name", sp->what);
	wat_next(ps);
	return v;
}

/* An optional $id; NULL when there is none. */
static const wtok *
opt_id(wparse *ps)
{
	return wat_peek(ps, 0)->kind == T_ID ? wat_next(ps) : NULL;
}

/* ---- Types ------------------------------------------------------------- */

int
wat_valtype(wparse *ps, const wtok *t)
{
	static const struct {
		const char *name;
		uint8_t code;
	} types[] = {{"i32", 0x7f}, {"i64", 0x7e}, {"f32", 0x7d}, {"f64", 0x7c},
	    {"v128", 0x7b}, {"funcref", 0x70}, {"externref", 0x6f},
	    {"exnref", 0x69}, {"anyref", 0x6e}, {"eqref", 0x6d},
	    {"i31ref", 0x6c}, {"structref", 0x6b}, {"arrayref", 0x6a},
	    {"nullref", 0x71}, {"nullfuncref", 0x73}, {"nullexternref", 0x72},
	    {"nullexnref", 0x74}};

	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (wat_is_keyword(t, types[i].name))
			return types[i].code;
	return -1;
}

bool
wat_at_valtype(wparse *ps)
{
	return wat_valtype(ps, wat_peek(ps, 0)) >= 0 || wat_at_open(ps, "ref");
}

void
wat_expect_valtype(wparse *ps, wbuf *b)
{
	char buf[64];
	int v = wat_valtype(ps, wat_peek(ps, 0));

	if (wat_at_open(ps, "ref")) {
		bool null;

		wat_next(ps);
		wat_next(ps);
		null = wat_is_keyword(wat_peek(ps, 0), "null");
		if (null)
			wat_next(ps);
		wb_byte(ps, b, null ? 0x63 : 0x64);
		wat_heaptype(ps, b);
		/* (ref null func) and the like: the short form (funcref 0x70),
		 * as the binary format writes them. */
		if (null && b->p[b->len - 1] >= 0x69 &&
		    b->p[b->len - 1] <= 0x74 && b->p[b->len - 2] == 0x63) {
			b->p[b->len - 2] = b->p[b->len - 1];
			b->len--;
		}
		wat_expect_rparen(ps);
		return;
	}
	if (v < 0)
		wat_fail(ps, "unexpected token %s, expected a value type",
		    shown(wat_peek(ps, 0), buf, sizeof buf));
	wat_next(ps);
	wb_byte(ps, b, (uint8_t)v);
}

bool
wat_at_reftype(wparse *ps)
{
	int v = wat_valtype(ps, wat_peek(ps, 0));

	return (v >= 0 && v < 0x7b) || wat_at_open(ps, "ref");
}

void
wat_expect_reftype(wparse *ps, wbuf *b)
{
	if (!wat_at_reftype(ps))
		wat_fail(ps,
		    "expected a reference type (funcref, externref, (ref "
		    "...)...)");
	wat_expect_valtype(ps, b);
}

void
wat_heaptype(wparse *ps, wbuf *b)
{
	static const struct {
		const char *name;
		uint8_t code;
	} abstract[] = {{"func", 0x70}, {"extern", 0x6f}, {"exn", 0x69},
	    {"any", 0x6e}, {"eq", 0x6d}, {"i31", 0x6c}, {"struct", 0x6b},
	    {"array", 0x6a}, {"none", 0x71}, {"nofunc", 0x73},
	    {"noextern", 0x72}, {"noexn", 0x74}};

	for (size_t i = 0; i < sizeof abstract / sizeof abstract[0]; i++)
		if (wat_is_keyword(wat_peek(ps, 0), abstract[i].name)) {
			wat_next(ps);
			wb_byte(ps, b, abstract[i].code);
			return;
		}
	if (!wat_at_index(ps))
		wat_fail(ps,
		    "expected a heap type (func, extern, exn or a "
		    "type index)");
	wb_s64(ps, b, wat_index(ps, &ps->spaces[SP_TYPE]));
}

/*
 * (param ...)* (result ...)*: a signature in a temporary buffer, params
 * then results. Parameter names go to params when it is not NULL (a
 * (param $x t) names one parameter).
 */
typedef struct wsig {
	wbuf *types; /* temporary (wat_buf_new) */
	uint32_t nparams, nresults;
	uint32_t plen; /* bytes of the params in types */
} wsig;

static void
params_results(wparse *ps, wsig *sig, wspace *params, bool names_ok)
{
	wbuf *r = wat_buf_new(ps);

	sig->types = wat_buf_new(ps);
	sig->nparams = sig->nresults = 0;
	while (wat_at_open(ps, "param")) {
		wat_next(ps);
		wat_next(ps);
		if (wat_peek(ps, 0)->kind == T_ID) {
			const wtok *id = wat_peek(ps, 0);

			if (!names_ok)
				wat_fail(ps,
				    "unexpected token: a named parameter here");
			wat_next(ps);
			if (params != NULL)
				wat_space_add(ps, params, id);
			wat_expect_valtype(ps, sig->types);
			sig->nparams++;
		} else {
			while (wat_peek(ps, 0)->kind != T_RPAREN) {
				wat_expect_valtype(ps, sig->types);
				sig->nparams++;
				if (params != NULL)
					wat_space_add(ps, params, NULL);
			}
		}
		wat_expect_rparen(ps);
	}
	while (wat_at_open(ps, "result")) {
		wat_next(ps);
		wat_next(ps);
		while (wat_peek(ps, 0)->kind != T_RPAREN) {
			wat_expect_valtype(ps, r);
			sig->nresults++;
		}
		wat_expect_rparen(ps);
	}
	if (wat_at_open(ps, "param"))
		wat_fail(ps, "unexpected token: a param after a result");
	sig->plen = (uint32_t)sig->types->len;
	wb_bytes(ps, sig->types, r->p, r->len);
	wat_buf_done(ps, r);
}

static bool
sig_eq(const wsig *a, const wfunctype *b)
{
	return b->is_func && a->nparams == b->nparams &&
	    a->nresults == b->nresults && a->plen == b->plen &&
	    a->types->len == b->len &&
	    (b->len == 0 || memcmp(a->types->p, b->types, b->len) == 0);
}

/* Adds sig (then done with) at the end of the type section; its index. */
static uint32_t
add_type(wparse *ps, wsig *sig)
{
	wfunctype *ft;

	ps->types = wat_grow(
	    ps, ps->types, &ps->captypes, ps->ntypes + 1, sizeof(wfunctype));
	ft = &ps->types[ps->ntypes];
	ft->types = wat_alloc(ps, sig->types->len + 1);
	ft->nparams = sig->nparams;
	ft->nresults = sig->nresults;
	ft->plen = sig->plen;
	ft->len = (uint32_t)sig->types->len;
	ft->is_func = ft->plain = true;
	ft->fields.what = "field";
	if (sig->types->len)
		memcpy(ft->types, sig->types->p, sig->types->len);
	wat_buf_done(ps, sig->types);
	return ps->ntypes++;
}

/*
 * A type use: (type x)? (param ...)* (result ...)*. With (type x) and
 * inline params/results they must agree; without (type x) the first type
 * that matches is used, or a new one is appended. Parameter names go to
 * params (when not NULL); with (type x) alone, params gets one unnamed
 * entry per parameter.
 */
uint32_t
wat_typeuse(wparse *ps, wspace *params, bool names_ok)
{
	wsig ft;
	uint32_t idx;

	if (wat_at_open(ps, "type")) {
		const wtok *at;

		wat_next(ps);
		wat_next(ps);
		at = wat_peek(ps, 0);
		idx = wat_index(ps, &ps->spaces[SP_TYPE]);
		wat_expect_rparen(ps);
		/* A number past the types is the validator's to reject. */
		if (!wat_at_open(ps, "param") && !wat_at_open(ps, "result")) {
			for (uint32_t i = 0; params && idx < ps->ntypes &&
			     i < ps->types[idx].nparams;
			     i++)
				wat_space_add(ps, params, NULL);
			return idx;
		}
		params_results(ps, &ft, params, names_ok);
		if (idx >= ps->ntypes)
			wat_fail_at(ps, at, "unknown type %u", idx);
		if (!sig_eq(&ft, &ps->types[idx]))
			wat_fail_at(ps, at,
			    "inline function type does not match type %u", idx);
		wat_buf_done(ps, ft.types);
		return idx;
	}
	params_results(ps, &ft, params, names_ok);
	for (idx = 0; idx < ps->ntypes; idx++)
		if (ps->types[idx].plain && sig_eq(&ft, &ps->types[idx])) {
			wat_buf_done(ps, ft.types);
			return idx;
		}
	return add_type(ps, &ft);
}

/* An optional address type, i32 or i64 (memory64, table64): whether it
 * is i64. */
static bool
addrtype(wparse *ps)
{
	if (wat_is_keyword(wat_peek(ps, 0), "i64")) {
		wat_next(ps);
		return true;
	}
	if (wat_is_keyword(wat_peek(ps, 0), "i32"))
		wat_next(ps);
	return false;
}

/*
 * limits: min max?, of an i64 (flag 0x04) or i32 address type. Both are
 * u64 in the 3.0 text format: a limit past an i32 address type's range is
 * the validator's to refuse ("memory size"), not the parser's.
 */
static void
limits(wparse *ps, wbuf *b, bool is64)
{
	uint64_t min, max;
	uint8_t flags = is64 ? 0x04 : 0x00;

	if (!wat_parse_u64(wat_peek(ps, 0), &min))
		wat_fail(ps, "expected a limit (u64)");
	wat_next(ps);
	if (wat_parse_u64(wat_peek(ps, 0), &max)) {
		wat_next(ps);
		wb_byte(ps, b, flags | 0x01);
		wb_u64(ps, b, min);
		wb_u64(ps, b, max);
	} else {
		wb_byte(ps, b, flags);
		wb_u64(ps, b, min);
	}
}

/* tabletype: addrtype? limits reftype, encoded reftype first. */
static void
tabletype(wparse *ps, wbuf *b)
{
	wbuf *lim = wat_buf_new(ps);

	limits(ps, lim, addrtype(ps));
	wat_expect_reftype(ps, b);
	wb_bytes(ps, b, lim->p, lim->len);
	wat_buf_done(ps, lim);
}

/* globaltype: valtype | (mut valtype) */
static void
globaltype(wparse *ps, wbuf *b)
{
	if (wat_at_open(ps, "mut")) {
		wat_next(ps);
		wat_next(ps);
		wat_expect_valtype(ps, b);
		wb_byte(ps, b, 0x01);
		wat_expect_rparen(ps);
	} else {
		wat_expect_valtype(ps, b);
		wb_byte(ps, b, 0x00);
	}
}

/* ---- Type definitions (3.0: rec, sub, struct, array) ------------------- */

/* storagetype: a value type, i8 or i16. */
static void
storagetype(wparse *ps, wbuf *b)
{
	if (wat_is_keyword(wat_peek(ps, 0), "i8") ||
	    wat_is_keyword(wat_peek(ps, 0), "i16")) {
		wb_byte(
		    ps, b, wat_is_keyword(wat_next(ps), "i8") ? 0x78 : 0x77);
		return;
	}
	wat_expect_valtype(ps, b);
}

/* fieldtype: storagetype | (mut storagetype). */
static void
fieldtype(wparse *ps, wbuf *b)
{
	bool mut = wat_at_open(ps, "mut");

	if (mut) {
		wat_next(ps);
		wat_next(ps);
	}
	storagetype(ps, b);
	wb_byte(ps, b, mut ? 0x01 : 0x00);
	if (mut)
		wat_expect_rparen(ps);
}

/* (struct (field $id? fieldtype) | (field fieldtype*))*, after "struct". */
static void
structtype(wparse *ps, wbuf *b)
{
	wbuf *fields = wat_buf_new(ps);
	uint32_t n = 0;

	ps->fields.n = 0;
	while (wat_at_open(ps, "field")) {
		wat_next(ps);
		wat_next(ps);
		if (wat_peek(ps, 0)->kind == T_ID) {
			/* Kept with the type (typedef_field) for the
			 * instructions that name a field. */
			wat_space_add(ps, &ps->fields, wat_next(ps));
			fieldtype(ps, fields);
			n++;
		} else {
			for (; wat_peek(ps, 0)->kind != T_RPAREN; n++) {
				wat_space_add(ps, &ps->fields, NULL);
				fieldtype(ps, fields);
			}
		}
		wat_expect_rparen(ps);
	}
	wb_byte(ps, b, 0x5f);
	wb_u32(ps, b, n);
	wb_bytes(ps, b, fields->p, fields->len);
	wat_buf_done(ps, fields);
}

/* comptype from its "(": (func ...), (struct ...) or (array ...), into
 * def; a function's signature into *sig (is_func set). */
static void
comptype(wparse *ps, wbuf *def, wsig *sig, bool *is_func)
{
	wat_expect_lparen(ps);
	*is_func = wat_is_keyword(wat_peek(ps, 0), "func");
	if (*is_func) {
		wat_next(ps);
		params_results(ps, sig, NULL, true);
		wb_byte(ps, def, 0x60);
		wb_u32(ps, def, sig->nparams);
		wb_bytes(ps, def, sig->types->p, sig->plen);
		wb_u32(ps, def, sig->nresults);
		if (sig->types->len > sig->plen)
			wb_bytes(ps, def, sig->types->p + sig->plen,
			    sig->types->len - sig->plen);
	} else if (wat_is_keyword(wat_peek(ps, 0), "struct")) {
		wat_next(ps);
		structtype(ps, def);
	} else if (wat_is_keyword(wat_peek(ps, 0), "array")) {
		wat_next(ps);
		wb_byte(ps, def, 0x5e);
		fieldtype(ps, def);
	} else {
		wat_fail(ps, "expected func, struct or array");
	}
	wat_expect_rparen(ps);
}

/*
 * A type definition after "type" (its name was taken in pass 0): $id?
 * then (sub final? x* comptype) or comptype. A function type that is
 * final, has no supertypes and stands alone is written as (func ...).
 */
static void
typedef_field(wparse *ps, bool in_rec)
{
	wbuf *def = wat_buf_new(ps), *head = wat_buf_new(ps);
	wsig sig = {0};
	bool is_func, final = true, plain;
	uint32_t nsupers = 0;
	wfunctype *ft;

	opt_id(ps);
	if (wat_at_open(ps, "sub")) {
		wat_next(ps);
		wat_next(ps);
		final = wat_is_keyword(wat_peek(ps, 0), "final");
		if (final)
			wat_next(ps);
		for (; wat_at_index(ps); nsupers++)
			wb_u32(ps, head, wat_index(ps, &ps->spaces[SP_TYPE]));
		comptype(ps, def, &sig, &is_func);
		wat_expect_rparen(ps);
	} else {
		comptype(ps, def, &sig, &is_func);
	}
	if (!is_func)
		sig.types = wat_buf_new(ps);
	add_type(ps, &sig);
	ft = &ps->types[ps->ntypes - 1];
	plain = is_func && final && nsupers == 0 && !in_rec;
	ft->is_func = is_func;
	ft->plain = plain;
	ft->in_rec = in_rec;
	if (!is_func) {
		/* A struct's field names (an array's: none) move to it. */
		ft->fields = ps->fields;
		ft->fields.names = NULL;
		ft->fields.cap = 0;
		ft->fields.n = 0;
		if (ps->fields.n > 0) {
			ft->fields.names = ps->fields.names;
			ft->fields.cap = ps->fields.cap;
			ft->fields.n = ps->fields.n;
			ps->fields.names = NULL;
			ps->fields.cap = 0;
		}
		ps->fields.n = 0;
	}
	ps->nexplicit_types++;
	if (!plain) {
		wbuf *full = wat_buf_new(ps);

		if (!final || nsupers > 0) {
			wb_byte(ps, full, final ? 0x4f : 0x50);
			wb_u32(ps, full, nsupers);
			wb_bytes(ps, full, head->p, head->len);
		}
		wb_bytes(ps, full, def->p, def->len);
		ft->def = wat_alloc(ps, full->len);
		memcpy(ft->def, full->p, full->len);
		ft->deflen = (uint32_t)full->len;
		wat_buf_done(ps, full);
	}
	wat_buf_done(ps, def);
	wat_buf_done(ps, head);
}

/* Pass 0: the names of the types ((type $t ...), (rec (type $t ...)...)),
 * so that a type may name a later one. */
static void
scan_type_names(wparse *ps)
{
	size_t start = ps->pos;

	while (wat_peek(ps, 0)->kind == T_LPAREN) {
		size_t field = ps->pos;

		if (wat_at_open(ps, "type")) {
			wat_next(ps);
			wat_next(ps);
			wat_space_add(ps, &ps->spaces[SP_TYPE], opt_id(ps));
		} else if (wat_at_open(ps, "rec")) {
			wat_next(ps);
			wat_next(ps);
			while (wat_at_open(ps, "type")) {
				size_t member = ps->pos;

				wat_next(ps);
				wat_next(ps);
				wat_space_add(
				    ps, &ps->spaces[SP_TYPE], opt_id(ps));
				ps->pos = member;
				skip_group(ps);
			}
		}
		ps->pos = field;
		skip_group(ps);
	}
	ps->pos = start;
}

/* ---- Pass 1: indices and names ----------------------------------------- */

/* Inline (export "n") groups; skipped in pass 1. */
static void
skip_exports(wparse *ps)
{
	while (wat_at_open(ps, "export"))
		skip_group(ps);
}

static const char *const import_kinds[WAT_NKINDS] = {
    "func", "table", "memory", "global", "tag"};

/* Whether a table (kw "elem") or memory ("data") definition, after its
 * exports, holds an inline segment: addrtype? reftype? (kw ...). */
static bool
inline_segment(wparse *ps, const char *kw)
{
	size_t save = ps->pos;
	bool found;

	addrtype(ps);
	if (wat_at_open(ps, "ref"))
		skip_group(ps);
	else if (wat_at_reftype(ps))
		wat_next(ps);
	found = wat_at_open(ps, kw);
	ps->pos = save;
	return found;
}

/* The first pass over one field, from its "(": indices, names, types. */
static void
scan_field(wparse *ps)
{
	size_t start = ps->pos;
	const wtok *kw;

	wat_expect_lparen(ps);
	kw = wat_next(ps);
	if (wat_is_keyword(kw, "type")) {
		typedef_field(ps, false);
		wat_expect_rparen(ps);
		return;
	}
	if (wat_is_keyword(kw, "rec")) {
		uint32_t first = ps->ntypes;

		while (wat_at_open(ps, "type")) {
			wat_next(ps);
			wat_next(ps);
			typedef_field(ps, true);
			wat_expect_rparen(ps);
		}
		wat_expect_rparen(ps);
		if (ps->ntypes > first)
			ps->types[first].rec_n = ps->ntypes - first;
		return;
	}
	if (wat_is_keyword(kw, "import")) {
		/* (import "m" "n" (kind $id? ...)) */
		wat_next(ps);
		wat_next(ps);
		wat_expect_lparen(ps);
		for (int k = 0; k < WAT_NKINDS; k++)
			if (wat_is_keyword(wat_peek(ps, 0), import_kinds[k])) {
				wat_next(ps);
				if (ps->defined_any)
					wat_fail_at(ps, kw,
					    "import after a definition");
				wat_space_add(
				    ps, &ps->spaces[SP_FUNC + k], opt_id(ps));
				ps->pos = start;
				skip_group(ps);
				return;
			}
		wat_fail(ps,
		    "expected func, table, memory, global or tag in an import");
	}
	for (int k = 0; k < WAT_NKINDS; k++) {
		if (!wat_is_keyword(kw, import_kinds[k]))
			continue;
		const wtok *id = opt_id(ps);

		skip_exports(ps);
		if (wat_at_open(ps, "import")) {
			if (ps->defined_any)
				wat_fail_at(
				    ps, kw, "import after a definition");
		} else {
			ps->defined_any = true;
			/* (table reftype (elem ...)) and (memory (data ...))
			 * define a segment too. */
			if (k == 1 && inline_segment(ps, "elem"))
				wat_space_add(ps, &ps->spaces[SP_ELEM], NULL);
			if (k == 2 && inline_segment(ps, "data"))
				wat_space_add(ps, &ps->spaces[SP_DATA], NULL);
		}
		wat_space_add(ps, &ps->spaces[SP_FUNC + k], id);
		ps->pos = start;
		skip_group(ps);
		return;
	}
	if (wat_is_keyword(kw, "elem") || wat_is_keyword(kw, "data")) {
		wat_space_add(ps,
		    &ps->spaces[wat_is_keyword(kw, "elem") ? SP_ELEM : SP_DATA],
		    opt_id(ps));
	} else if (!wat_is_keyword(kw, "export") &&
	    !wat_is_keyword(kw, "start")) {
		char b[64];

		wat_fail_at(
		    ps, kw, "unknown module field %s", shown(kw, b, sizeof b));
	}
	ps->pos = start;
	skip_group(ps);
}

/* ---- Pass 2: sections -------------------------------------------------- */

/* (export "n")* of a definition of kind k (0 func .. 4 tag), index i. */
static void
inline_exports(wparse *ps, int k, uint32_t i)
{
	while (wat_at_open(ps, "export")) {
		wat_next(ps);
		wat_next(ps);
		const wtok *n = expect_name(ps);

		wb_name(ps, &ps->sec_export, n->str, n->strlen);
		wb_byte(ps, &ps->sec_export, (uint8_t)k);
		wb_u32(ps, &ps->sec_export, i);
		ps->count_export++;
		wat_expect_rparen(ps);
	}
}

/* A tag's type: attribute 0 (an exception), then its type use. */
static void
tagtype(wparse *ps, wbuf *b)
{
	wb_byte(ps, b, 0x00);
	wb_u32(ps, b, wat_typeuse(ps, NULL, true));
}

/* The description of an import of kind k, after its $id. */
static void
import_desc(wparse *ps, int k)
{
	wbuf *b = &ps->sec_import;

	wb_byte(ps, b, (uint8_t)k);
	switch (k) {
	case 0: {
		uint32_t t = wat_typeuse(ps, NULL, true);

		wb_u32(ps, b, t);
		ps->func_type = wat_grow(ps, ps->func_type, &ps->capfunc_type,
		    ps->nfunc_type + 1, sizeof(uint32_t));
		ps->func_type[ps->nfunc_type++] = t;
		break;
	}
	case 1: tabletype(ps, b); break;
	case 2: limits(ps, b, addrtype(ps)); break;
	case 3: globaltype(ps, b); break;
	default: tagtype(ps, b);
	}
	ps->count_import++;
}

/* (import "m" "n") inside a definition, then its description. */
static void
inline_import(wparse *ps, int k)
{
	const wtok *m, *n;

	wat_next(ps);
	wat_next(ps);
	m = expect_name(ps);
	n = expect_name(ps);
	wat_expect_rparen(ps);
	wb_name(ps, &ps->sec_import, m->str, m->strlen);
	wb_name(ps, &ps->sec_import, n->str, n->strlen);
	import_desc(ps, k);
	wat_expect_rparen(ps);
}

static void name_annot(wparse *ps, int k, uint32_t idx);

/* (import "m" "n" (kind $id? ...)); idx is the function's index when it
 * imports a function. */
static void
field_import(wparse *ps, uint32_t idx)
{
	const wtok *m = expect_name(ps), *n = expect_name(ps);

	wb_name(ps, &ps->sec_import, m->str, m->strlen);
	wb_name(ps, &ps->sec_import, n->str, n->strlen);
	wat_expect_lparen(ps);
	for (int k = 0; k < WAT_NKINDS; k++)
		if (wat_is_keyword(wat_peek(ps, 0), import_kinds[k])) {
			wat_next(ps);
			opt_id(ps);
			name_annot(ps, k, idx);
			import_desc(ps, k);
			wat_expect_rparen(ps);
			wat_expect_rparen(ps);
			return;
		}
	wat_fail(
	    ps, "expected func, table, memory, global or tag in an import");
}

/* Whether locals i and j (encoded in types, see locals()) are alike. */
static bool
same_local(const wbuf *types, const uint32_t *at, uint32_t i, uint32_t j)
{
	uint32_t n = at[i + 1] - at[i];

	return n == at[j + 1] - at[j] &&
	    memcmp(types->p + at[i], types->p + at[j], n) == 0;
}

/* The locals of a function: (local $x t) | (local t*), compressed. */
static void
locals(wparse *ps, wbuf *code)
{
	wbuf *types = wat_buf_new(ps), *offs = wat_buf_new(ps);
	const uint32_t *at;
	uint32_t n = 0, groups = 0, off;

	/* at[i]: where local i's encoding starts in types; at[n]: the end. */
	while (wat_at_open(ps, "local")) {
		bool named;

		wat_next(ps);
		wat_next(ps);
		named = wat_peek(ps, 0)->kind == T_ID;
		if (named)
			wat_space_add(ps, &ps->locals, wat_next(ps));
		while (wat_peek(ps, 0)->kind != T_RPAREN) {
			off = (uint32_t)types->len;
			wb_bytes(ps, offs, &off, sizeof off);
			n++;
			wat_expect_valtype(ps, types);
			if (!named)
				wat_space_add(ps, &ps->locals, NULL);
			else if (wat_peek(ps, 0)->kind != T_RPAREN)
				wat_fail(
				    ps, "expected ')' after a named local");
		}
		wat_expect_rparen(ps);
	}
	off = (uint32_t)types->len;
	wb_bytes(ps, offs, &off, sizeof off);
	at = (const uint32_t *)(const void *)offs->p;
	for (uint32_t i = 0; i < n; i++)
		if (i == 0 || !same_local(types, at, i, i - 1))
			groups++;
	wb_u32(ps, code, groups);
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i;

		while (j < n && same_local(types, at, j, i))
			j++;
		wb_u32(ps, code, j - i);
		wb_bytes(ps, code, types->p + at[i], at[i + 1] - at[i]);
		i = j;
	}
	wat_buf_done(ps, offs);
	wat_buf_done(ps, types);
}

static void
reset_function_scope(wparse *ps)
{
	free(ps->locals.names);
	memset(&ps->locals, 0, sizeof ps->locals);
	ps->locals.what = "local";
	ps->labels.n = 0;
}

static void
field_func(wparse *ps, uint32_t idx)
{
	wbuf *body = wat_buf_new(ps);
	uint32_t t;

	inline_exports(ps, 0, idx);
	if (wat_at_open(ps, "import")) {
		inline_import(ps, 0);
		return;
	}
	reset_function_scope(ps);
	t = wat_typeuse(ps, &ps->locals, true);
	ps->func_type = wat_grow(ps, ps->func_type, &ps->capfunc_type,
	    ps->nfunc_type + 1, sizeof(uint32_t));
	ps->func_type[ps->nfunc_type++] = t;
	wb_u32(ps, &ps->sec_func, t);
	locals(ps, body);
	ps->in_func = true;
	ps->cur_func = idx;
	wat_instrs(ps, body);
	ps->in_func = false;
	wb_byte(ps, body, 0x0b);
	wat_expect_rparen(ps);
	wb_u32(ps, &ps->sec_code, (uint32_t)body->len);
	wb_bytes(ps, &ps->sec_code, body->p, body->len);
	wat_buf_done(ps, body);
	ps->count_code++;
}

/* One element expression: (item instr*) or one folded instruction. */
static void
elem_expr(wparse *ps, wbuf *b)
{
	if (wat_at_open(ps, "item")) {
		wat_next(ps);
		wat_next(ps);
		wat_expr(ps, b);
		wat_expect_rparen(ps);
		return;
	}
	if (wat_peek(ps, 0)->kind != T_LPAREN)
		wat_fail(ps, "expected an element expression");
	/* One folded instruction: parse up to its ")" as an expression. */
	{
		wbuf *one = wat_buf_new(ps);
		size_t start = ps->pos;

		skip_group(ps);
		size_t end = ps->pos;
		size_t saved_ntoks = ps->ntoks;
		wtok saved = ps->toks[end];

		/* Parse tokens [start, end) as instr* by ending them there. */
		ps->pos = start;
		ps->toks[end].kind = T_RPAREN;
		wat_instrs(ps, one);
		ps->toks[end] = saved;
		ps->ntoks = saved_ntoks;
		if (ps->pos != end)
			wat_fail(ps, "malformed element expression");
		wb_bytes(ps, b, one->p, one->len);
		wb_byte(ps, b, 0x0b);
		wat_buf_done(ps, one);
	}
}

/* The vector of the n items already in items (then done with), and the
 * expressions after them, into b. */
static void
elem_vec(wparse *ps, wbuf *b, wbuf *items, uint32_t n)
{
	while (wat_peek(ps, 0)->kind == T_LPAREN) {
		elem_expr(ps, items);
		n++;
	}
	wb_u32(ps, b, n);
	wb_bytes(ps, b, items->p, items->len);
	wat_buf_done(ps, items);
}

/*
 * An element list after the mode: `func x*`, a bare x* (legacy, only
 * where the table use is omitted), or `reftype expr*`. Writes the segment
 * kind's flags bit 2 (expressions) into *exprs and the vector into b.
 */
static void
elem_list(wparse *ps, wbuf *b, bool allow_bare, bool *exprs, wbuf *rt)
{
	wbuf *items = wat_buf_new(ps);
	uint32_t n = 0;

	if (wat_is_keyword(wat_peek(ps, 0), "func") ||
	    (allow_bare &&
	        (wat_peek(ps, 0)->kind == T_RPAREN || wat_at_index(ps)))) {
		if (wat_is_keyword(wat_peek(ps, 0), "func"))
			wat_next(ps);
		while (wat_at_index(ps)) {
			wb_u32(ps, items, wat_index(ps, &ps->spaces[SP_FUNC]));
			n++;
		}
		*exprs = false;
		wb_byte(ps, rt, 0x70);
	} else {
		wat_expect_reftype(ps, rt);
		*exprs = true;
	}
	elem_vec(ps, b, items, n);
}

/* Whether the reference type encoded in rt is funcref. */
static bool
is_funcref(const wbuf *rt)
{
	return rt->len == 1 && rt->p[0] == 0x70;
}

/* An offset: (offset instr*) or one folded instruction. */
static void
offset_expr(wparse *ps, wbuf *b)
{
	if (wat_at_open(ps, "offset")) {
		wat_next(ps);
		wat_next(ps);
		wat_expr(ps, b);
		wat_expect_rparen(ps);
		return;
	}
	elem_expr(ps, b);
}

/* A segment's element kind (0x00: funcref, for indices) or its reference
 * type (for expressions). */
static void
elemkind(wparse *ps, wbuf *seg, bool exprs, const wbuf *rt)
{
	if (exprs)
		wb_bytes(ps, seg, rt->p, rt->len);
	else
		wb_byte(ps, seg, 0x00);
}

static void
field_elem(wparse *ps)
{
	wbuf *seg = wat_buf_new(ps), *list = wat_buf_new(ps);
	wbuf *rt = wat_buf_new(ps);
	uint32_t table = 0;
	bool has_table = false, exprs;
	uint8_t flags;

	opt_id(ps);
	if (wat_is_keyword(wat_peek(ps, 0), "declare")) {
		wat_next(ps);
		elem_list(ps, list, false, &exprs, rt);
		flags = exprs ? 7 : 3;
		wb_byte(ps, seg, flags);
		if (exprs)
			wb_bytes(ps, seg, rt->p, rt->len);
		else
			wb_byte(ps, seg, 0x00);
	} else if (wat_peek(ps, 0)->kind == T_LPAREN &&
	    !wat_at_open(ps, "item") && !wat_at_open(ps, "ref")) {
		wbuf *off = wat_buf_new(ps);

		if (wat_at_open(ps, "table")) {
			wat_next(ps);
			wat_next(ps);
			table = wat_index(ps, &ps->spaces[SP_TABLE]);
			wat_expect_rparen(ps);
			has_table = true;
		} else if (wat_at_index(ps)) {
			table = wat_index(ps, &ps->spaces[SP_TABLE]);
			has_table = true;
		}
		offset_expr(ps, off);
		elem_list(ps, list, !has_table, &exprs, rt);
		if (!has_table && table == 0 && (!exprs || is_funcref(rt))) {
			flags = exprs ? 4 : 0;
			wb_byte(ps, seg, flags);
			wb_bytes(ps, seg, off->p, off->len);
		} else {
			flags = exprs ? 6 : 2;
			wb_byte(ps, seg, flags);
			wb_u32(ps, seg, table);
			wb_bytes(ps, seg, off->p, off->len);
			elemkind(ps, seg, exprs, rt);
		}
		wat_buf_done(ps, off);
	} else {
		elem_list(ps, list, false, &exprs, rt);
		flags = exprs ? 5 : 1;
		wb_byte(ps, seg, flags);
		elemkind(ps, seg, exprs, rt);
	}
	wat_expect_rparen(ps);
	wb_bytes(ps, &ps->sec_elem, seg->p, seg->len);
	wb_bytes(ps, &ps->sec_elem, list->p, list->len);
	ps->count_elem++;
	wat_buf_done(ps, seg);
	wat_buf_done(ps, list);
	wat_buf_done(ps, rt);
}

/* The bytes of string* (data contents). */
static void
data_strings(wparse *ps, wbuf *b)
{
	wbuf *bytes = wat_buf_new(ps);

	while (wat_peek(ps, 0)->kind == T_STRING) {
		const wtok *s = wat_next(ps);

		wb_bytes(ps, bytes, s->str, s->strlen);
	}
	wb_u32(ps, b, (uint32_t)bytes->len);
	wb_bytes(ps, b, bytes->p, bytes->len);
	wat_buf_done(ps, bytes);
}

static void
field_data(wparse *ps)
{
	wbuf *b = &ps->sec_data;
	uint32_t mem = 0;
	bool has_mem = false;

	opt_id(ps);
	if (wat_at_open(ps, "memory")) {
		wat_next(ps);
		wat_next(ps);
		mem = wat_index(ps, &ps->spaces[SP_MEM]);
		wat_expect_rparen(ps);
		has_mem = true;
	} else if (wat_at_index(ps)) {
		mem = wat_index(ps, &ps->spaces[SP_MEM]);
		has_mem = true;
	}
	if (wat_peek(ps, 0)->kind == T_LPAREN) {
		if (mem == 0 && !has_mem) {
			wb_byte(ps, b, 0x00);
		} else {
			wb_byte(ps, b, 0x02);
			wb_u32(ps, b, mem);
		}
		offset_expr(ps, b);
	} else {
		if (has_mem)
			wat_fail(ps, "expected an offset after the memory use");
		wb_byte(ps, b, 0x01);
	}
	data_strings(ps, b);
	wat_expect_rparen(ps);
	ps->count_data++;
}

/* The count of a vector encoded in b: its leading LEB128. */
static uint32_t
vec_count(const wbuf *b)
{
	uint32_t count = 0, shift = 0;
	size_t i = 0;

	do {
		count |= (uint32_t)(b->p[i] & 0x7f) << shift;
		shift += 7;
	} while (b->p[i++] & 0x80 && shift < 35);
	return count;
}

/* The zero offset of an address type: (i32.const 0) or (i64.const 0). */
static void
zero_offset(wparse *ps, wbuf *b, bool is64)
{
	wb_bytes(ps, b, (const uint8_t[]){is64 ? 0x42 : 0x41, 0x00, 0x0b}, 3);
}

/*
 * (table addrtype? reftype (elem ...)), after the address type: a table
 * exactly as large as the list, and an active segment at 0.
 */
static void
table_with_elems(wparse *ps, uint32_t idx, bool is64)
{
	wbuf *list = wat_buf_new(ps), *rt = wat_buf_new(ps),
	     *lrt = wat_buf_new(ps);
	bool exprs, implicit;
	uint32_t count;

	wat_expect_reftype(ps, rt);
	if (!wat_at_open(ps, "elem"))
		wat_fail(ps,
		    "expected (elem ...) after the table's type (or limits "
		    "before it)");
	wat_next(ps);
	wat_next(ps);
	if (is_funcref(rt) &&
	    (wat_at_index(ps) || wat_peek(ps, 0)->kind == T_RPAREN)) {
		elem_list(ps, list, true, &exprs, lrt);
	} else {
		wbuf *items = wat_buf_new(ps);
		uint32_t n = 0;

		/* Function indices in a table of a typed reference type:
		 * each is the expression (ref.func x). */
		while (wat_at_index(ps)) {
			wb_byte(ps, items, 0xd2);
			wb_u32(ps, items, wat_index(ps, &ps->spaces[SP_FUNC]));
			wb_byte(ps, items, 0x0b);
			n++;
		}
		elem_vec(ps, list, items, n);
		exprs = true;
	}
	wat_expect_rparen(ps);
	count = vec_count(list);
	wb_bytes(ps, &ps->sec_table, rt->p, rt->len);
	wb_byte(ps, &ps->sec_table, is64 ? 0x05 : 0x01);
	wb_u32(ps, &ps->sec_table, count);
	wb_u32(ps, &ps->sec_table, count);
	implicit = idx == 0 && !is64 && (!exprs || is_funcref(rt));
	if (implicit) {
		wb_byte(ps, &ps->sec_elem, exprs ? 4 : 0);
	} else {
		wb_byte(ps, &ps->sec_elem, exprs ? 6 : 2);
		wb_u32(ps, &ps->sec_elem, idx);
	}
	zero_offset(ps, &ps->sec_elem, is64);
	if (!implicit)
		elemkind(ps, &ps->sec_elem, exprs, rt);
	wb_bytes(ps, &ps->sec_elem, list->p, list->len);
	wat_buf_done(ps, list);
	wat_buf_done(ps, rt);
	wat_buf_done(ps, lrt);
	ps->count_elem++;
}

/*
 * (table $id? (export "n")* addrtype? limits reftype expr?), with an
 * initialiser expression (3.0) when expr is there; or the forms with
 * (import ...) or (elem ...).
 */
static void
field_table(wparse *ps, uint32_t idx)
{
	bool is64;

	inline_exports(ps, 1, idx);
	if (wat_at_open(ps, "import")) {
		inline_import(ps, 1);
		return;
	}
	is64 = addrtype(ps);
	if (wat_at_reftype(ps)) {
		table_with_elems(ps, idx, is64);
	} else {
		wbuf *type = wat_buf_new(ps);
		wbuf *lim = wat_buf_new(ps);

		limits(ps, lim, is64);
		wat_expect_reftype(ps, type);
		wb_bytes(ps, type, lim->p, lim->len);
		if (wat_peek(ps, 0)->kind != T_RPAREN) {
			/* 0x40 0x00 tabletype expr */
			wb_bytes(
			    ps, &ps->sec_table, (const uint8_t[]){0x40, 0}, 2);
			wb_bytes(ps, &ps->sec_table, type->p, type->len);
			reset_function_scope(ps);
			wat_expr(ps, &ps->sec_table);
		} else {
			wb_bytes(ps, &ps->sec_table, type->p, type->len);
		}
		wat_buf_done(ps, lim);
		wat_buf_done(ps, type);
	}
	ps->count_table++;
	wat_expect_rparen(ps);
}

static void
field_memory(wparse *ps, uint32_t idx)
{
	bool is64;

	inline_exports(ps, 2, idx);
	if (wat_at_open(ps, "import")) {
		inline_import(ps, 2);
		return;
	}
	is64 = addrtype(ps);
	if (wat_at_open(ps, "data")) {
		wbuf *bytes = wat_buf_new(ps);
		uint64_t pages;

		wat_next(ps);
		wat_next(ps);
		while (wat_peek(ps, 0)->kind == T_STRING) {
			const wtok *s = wat_next(ps);

			wb_bytes(ps, bytes, s->str, s->strlen);
		}
		wat_expect_rparen(ps);
		pages = ((uint64_t)bytes->len + 65535) / 65536;
		wb_byte(ps, &ps->sec_mem, is64 ? 0x05 : 0x01);
		wb_u64(ps, &ps->sec_mem, pages);
		wb_u64(ps, &ps->sec_mem, pages);
		if (idx == 0) {
			wb_byte(ps, &ps->sec_data, 0x00);
		} else {
			wb_byte(ps, &ps->sec_data, 0x02);
			wb_u32(ps, &ps->sec_data, idx);
		}
		zero_offset(ps, &ps->sec_data, is64);
		wb_u32(ps, &ps->sec_data, (uint32_t)bytes->len);
		wb_bytes(ps, &ps->sec_data, bytes->p, bytes->len);
		wat_buf_done(ps, bytes);
		ps->count_data++;
	} else {
		limits(ps, &ps->sec_mem, is64);
	}
	ps->count_mem++;
	wat_expect_rparen(ps);
}

static void
field_global(wparse *ps, uint32_t idx)
{
	inline_exports(ps, 3, idx);
	if (wat_at_open(ps, "import")) {
		inline_import(ps, 3);
		return;
	}
	globaltype(ps, &ps->sec_global);
	reset_function_scope(ps);
	wat_expr(ps, &ps->sec_global);
	ps->count_global++;
	wat_expect_rparen(ps);
}

/* (tag $id? (export "n")* typeuse) or with (import "m" "n"). */
static void
field_tag(wparse *ps, uint32_t idx)
{
	inline_exports(ps, 4, idx);
	if (wat_at_open(ps, "import")) {
		inline_import(ps, 4);
		return;
	}
	tagtype(ps, &ps->sec_tag);
	ps->count_tag++;
	wat_expect_rparen(ps);
}

static void
field_export(wparse *ps)
{
	const wtok *n = expect_name(ps);

	wb_name(ps, &ps->sec_export, n->str, n->strlen);
	wat_expect_lparen(ps);
	for (int k = 0; k < WAT_NKINDS; k++)
		if (wat_is_keyword(wat_peek(ps, 0), import_kinds[k])) {
			wat_next(ps);
			wb_byte(ps, &ps->sec_export, (uint8_t)k);
			wb_u32(ps, &ps->sec_export,
			    wat_index(ps, &ps->spaces[SP_FUNC + k]));
			wat_expect_rparen(ps);
			wat_expect_rparen(ps);
			ps->count_export++;
			return;
		}
	wat_fail(
	    ps, "expected func, table, memory, global or tag in an export");
}

static void
field_start(wparse *ps)
{
	if (ps->has_start)
		wat_fail(ps, "multiple start sections");
	ps->has_start = true;
	wb_u32(ps, &ps->sec_start, wat_index(ps, &ps->spaces[SP_FUNC]));
	wat_expect_rparen(ps);
}

/* A (@name "n") annotation before the current token, into *n; false
 * when there is none. what is the message's "multiple ..." */
static bool
take_name(wparse *ps, wname *n, const char *what)
{
	wannot *a = wat_annot_take(ps, A_NAME, ps->pos);
	const wtok *t;

	if (a == NULL)
		return false;
	t = &ps->atoks[a->first];
	if (a->n != 3 || t[1].kind != T_STRING)
		wat_fail_at(ps, t, "@name annotation: expected one string");
	if (!wat_utf8_valid(t[1].str, t[1].strlen))
		wat_fail_at(
		    ps, &t[1], "@name annotation: malformed UTF-8 encoding");
	if (wat_annot_take(ps, A_NAME, ps->pos) != NULL)
		wat_fail_at(ps, t, "@name annotation: multiple %s", what);
	n->id = (const char *)t[1].str;
	n->len = t[1].strlen;
	return true;
}

/*
 * (@name "n") after a definition's $id: the name of function idx in the
 * name section (k is the definition's kind, 0 func .. 4 tag; the names of
 * the other kinds are read and not written).
 */
static void
name_annot(wparse *ps, int k, uint32_t idx)
{
	wname n;

	if (!take_name(ps, &n, "names") || k != 0 || idx == UINT32_MAX)
		return;
	ps->func_names = wat_grow(
	    ps, ps->func_names, &ps->capfunc_names, idx + 1, sizeof(wname));
	ps->func_names[idx] = n;
}

/* The second pass over one field. next[k] counts definitions seen. */
static void
emit_field(wparse *ps, uint32_t next[WAT_NKINDS])
{
	const wtok *kw;

	wat_expect_lparen(ps);
	kw = wat_next(ps);
	if (wat_is_keyword(kw, "type") || wat_is_keyword(kw, "rec")) {
		ps->pos--;
		ps->pos--;
		skip_group(ps);
		return;
	}
	if (wat_is_keyword(kw, "import")) {
		const wtok *kind;
		uint32_t idx = UINT32_MAX;

		kind = wat_peek(ps, 3);
		for (int k = 0; k < WAT_NKINDS; k++)
			if (wat_is_keyword(kind, import_kinds[k]))
				idx = k == 0 ? next[k]++
				             : (next[k]++, UINT32_MAX);
		field_import(ps, idx);
		return;
	}
	for (int k = 0; k < WAT_NKINDS; k++) {
		if (!wat_is_keyword(kw, import_kinds[k]))
			continue;
		uint32_t idx = next[k]++;

		opt_id(ps);
		name_annot(ps, k, idx);
		switch (k) {
		case 0: field_func(ps, idx); break;
		case 1: field_table(ps, idx); break;
		case 2: field_memory(ps, idx); break;
		case 3: field_global(ps, idx); break;
		default: field_tag(ps, idx);
		}
		return;
	}
	if (wat_is_keyword(kw, "export"))
		field_export(ps);
	else if (wat_is_keyword(kw, "start"))
		field_start(ps);
	else if (wat_is_keyword(kw, "elem"))
		field_elem(ps);
	else
		field_data(ps);
}

/* ---- The module -------------------------------------------------------- */

static void
section(wparse *ps, wbuf *out, uint8_t id, uint32_t count, bool counted,
    const wbuf *body)
{
	wbuf *s = wat_buf_new(ps);

	if (counted)
		wb_u32(ps, s, count);
	wb_bytes(ps, s, body->p, body->len);
	wb_byte(ps, out, id);
	wb_u32(ps, out, (uint32_t)s->len);
	wb_bytes(ps, out, s->p, s->len);
	wat_buf_done(ps, s);
}

/* The "name" custom section: the module's and functions' $names. */
static void
name_section(wparse *ps, wbuf *out, const wtok *module_id)
{
	wbuf *names = wat_buf_new(ps), *sub = wat_buf_new(ps),
	     *funcs = wat_buf_new(ps);
	wspace *f = &ps->spaces[SP_FUNC];
	uint32_t n = 0;

	(void)module_id;
	if (ps->module_name.id != NULL) {
		wb_name(ps, sub, (const uint8_t *)ps->module_name.id,
		    ps->module_name.len);
		wb_byte(ps, names, 0);
		wb_u32(ps, names, (uint32_t)sub->len);
		wb_bytes(ps, names, sub->p, sub->len);
		sub->len = 0;
	}
	for (uint32_t i = 0; i < f->n; i++) {
		const wname *name =
		    i < ps->capfunc_names && ps->func_names[i].id != NULL
		    ? &ps->func_names[i]
		    : &f->names[i];

		if (name->id != NULL) {
			wb_u32(ps, funcs, i);
			wb_name(
			    ps, funcs, (const uint8_t *)name->id, name->len);
			n++;
		}
	}
	if (n > 0) {
		wb_u32(ps, sub, n);
		wb_bytes(ps, sub, funcs->p, funcs->len);
		wb_byte(ps, names, 1);
		wb_u32(ps, names, (uint32_t)sub->len);
		wb_bytes(ps, names, sub->p, sub->len);
	}
	if (names->len > 0) {
		wbuf *body = wat_buf_new(ps);

		wb_name(ps, body, (const uint8_t *)"name", 4);
		wb_bytes(ps, body, names->p, names->len);
		section(ps, out, 0, 0, false, body);
		wat_buf_done(ps, body);
	}
	wat_buf_done(ps, names);
	wat_buf_done(ps, sub);
	wat_buf_done(ps, funcs);
}

/* The metadata.code.branch_hint section: per function, its hints. */
static void
hint_section(wparse *ps, wbuf *out)
{
	wbuf *body = wat_buf_new(ps), *v = wat_buf_new(ps);
	uint32_t nfuncs = 0;

	for (uint32_t i = 0; i < ps->nhints;) {
		uint32_t j = i;

		while (j < ps->nhints && ps->hints[j].func == ps->hints[i].func)
			j++;
		wb_u32(ps, v, ps->hints[i].func);
		wb_u32(ps, v, j - i);
		for (; i < j; i++) {
			wb_u32(ps, v, ps->hints[i].offset);
			wb_u32(ps, v, 1);
			wb_byte(ps, v, ps->hints[i].value);
		}
		nfuncs++;
	}
	wb_name(ps, body, (const uint8_t *)"metadata.code.branch_hint", 25);
	wb_u32(ps, body, nfuncs);
	wb_bytes(ps, body, v->p, v->len);
	section(ps, out, 0, 0, false, body);
	wat_buf_done(ps, v);
	wat_buf_done(ps, body);
}

/* Section id's section, with the custom sections placed around it. */
static void
placed(wparse *ps, wbuf *out, uint8_t id, bool present, uint32_t count,
    const wbuf *body)
{
	wat_customs_emit(ps, out, wat_section_slot(id, false));
	if (id == 10 && ps->nhints > 0)
		hint_section(ps, out);
	if (present)
		section(ps, out, id, count, id != 8 && id != 12, body);
	wat_customs_emit(ps, out, wat_section_slot(id, true));
}

/* The type section's entries: a rec group is one. */
static uint32_t
ntype_entries(const wparse *ps)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < ps->ntypes; i++)
		n += !ps->types[i].in_rec || ps->types[i].rec_n > 0;
	return n;
}

static void
assemble(wparse *ps, wbuf *out, const wtok *module_id)
{
	static const uint8_t header[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	uint32_t ndefined = ps->count_code;
	wbuf *types = wat_buf_new(ps), none = {0};

	wb_bytes(ps, out, header, sizeof header);
	for (uint32_t i = 0; i < ps->ntypes; i++) {
		wfunctype *t = &ps->types[i];

		if (t->rec_n > 0) {
			wb_byte(ps, types, 0x4e);
			wb_u32(ps, types, t->rec_n);
		}
		if (t->def != NULL) {
			wb_bytes(ps, types, t->def, t->deflen);
			continue;
		}
		wb_byte(ps, types, 0x60);
		wb_u32(ps, types, t->nparams);
		wb_bytes(ps, types, t->types, t->plen);
		wb_u32(ps, types, t->nresults);
		wb_bytes(ps, types, t->types + t->plen, t->len - t->plen);
	}
	placed(ps, out, 1, ps->ntypes > 0, ntype_entries(ps), types);
	wat_buf_done(ps, types);
	placed(ps, out, 2, ps->count_import, ps->count_import, &ps->sec_import);
	placed(ps, out, 3, ndefined, ndefined, &ps->sec_func);
	placed(ps, out, 4, ps->count_table, ps->count_table, &ps->sec_table);
	placed(ps, out, 5, ps->count_mem, ps->count_mem, &ps->sec_mem);
	placed(ps, out, 13, ps->count_tag, ps->count_tag, &ps->sec_tag);
	placed(ps, out, 6, ps->count_global, ps->count_global, &ps->sec_global);
	placed(ps, out, 7, ps->count_export, ps->count_export, &ps->sec_export);
	placed(ps, out, 8, ps->has_start, 0, &ps->sec_start);
	placed(ps, out, 9, ps->count_elem, ps->count_elem, &ps->sec_elem);
	{
		/* The data count: a bare count, wherever there are data
		 * segments (as LLVM writes it) or code names one. */
		wbuf *dc = wat_buf_new(ps);

		wb_u32(ps, dc, ps->count_data);
		placed(
		    ps, out, 12, ps->count_data || ps->uses_datacount, 0, dc);
		wat_buf_done(ps, dc);
	}
	placed(ps, out, 10, ndefined, ndefined, &ps->sec_code);
	placed(ps, out, 11, ps->count_data, ps->count_data, &ps->sec_data);
	(void)none;
	name_section(ps, out, module_id);
}

/* The fields from ps->pos up to the closing ")" (or the end); depth: the
 * lists open around them (1 inside (module ...)). */
static void
module_fields(wparse *ps, wbuf *out, const wtok *module_id, unsigned depth)
{
	size_t start = ps->pos;
	uint32_t next[WAT_NKINDS];

	scan_type_names(ps);
	while (wat_peek(ps, 0)->kind == T_LPAREN)
		scan_field(ps);
	for (int k = 0; k < WAT_NKINDS; k++)
		next[k] = 0;
	ps->pos = start;
	wat_customs_take(ps, ps->pos, depth);
	while (wat_peek(ps, 0)->kind == T_LPAREN) {
		emit_field(ps, next);
		wat_customs_take(ps, ps->pos, depth);
	}
	wat_annots_check(ps);
	assemble(ps, out, module_id);
}

/* The module's name: (@name "n") right after `module $id?`, else $id. */
static void
module_name(wparse *ps, const wtok *module_id)
{
	wat_name_set(&ps->module_name, module_id);
	take_name(ps, &ps->module_name, "module names");
}

static void
parse_free(wparse *ps)
{
	for (int i = 0; i < SP__COUNT; i++)
		free(ps->spaces[i].names);
	for (uint32_t i = 0; i < ps->ntypes; i++) {
		free(ps->types[i].types);
		free(ps->types[i].def);
		free(ps->types[i].fields.names);
	}
	free(ps->types);
	free(ps->func_type);
	free(ps->locals.names);
	free(ps->fields.names);
	free(ps->labels.names);
	wat_free_tokens(ps->atoks, ps->natoks);
	free(ps->annots);
	for (uint32_t i = 0; i < ps->ncustoms; i++)
		wb_free(&ps->customs[i].body);
	free(ps->customs);
	free(ps->hints);
	free(ps->func_names);
	wb_free(&ps->sec_type);
	wb_free(&ps->sec_import);
	wb_free(&ps->sec_func);
	wb_free(&ps->sec_table);
	wb_free(&ps->sec_mem);
	wb_free(&ps->sec_global);
	wb_free(&ps->sec_export);
	wb_free(&ps->sec_start);
	wb_free(&ps->sec_elem);
	wb_free(&ps->sec_code);
	wb_free(&ps->sec_data);
	wb_free(&ps->sec_names);
	wb_free(&ps->sec_tag);
	wb_free(&ps->out);
	while (ps->ntmps > 0)
		wat_buf_done(ps, ps->tmps[ps->ntmps - 1]);
	free(ps->tmps);
	wat_free_tokens(ps->toks, ps->ntoks);
}

bool
wat_is_binary(const uint8_t *bytes, size_t len)
{
	return len >= 4 && memcmp(bytes, "\0asm", 4) == 0;
}

bool
wat_is_text(const uint8_t *bytes, size_t len)
{
	size_t i = 0;

	while (i < len &&
	    (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' ||
	        bytes[i] == '\r'))
		i++;
	return i < len && (bytes[i] == '(' || bytes[i] == ';');
}

/* The strings of (module binary ...) or (module quote ...), joined. */
static void
joined_strings(wparse *ps, wbuf *b)
{
	while (wat_peek(ps, 0)->kind == T_STRING) {
		const wtok *s = wat_next(ps);

		wb_bytes(ps, b, s->str, s->strlen);
	}
}

/*
 * (module $id? field*), the fields alone, or the script forms (module
 * $id? binary "..."*) and (module $id? quote "..."*): into ps->out.
 */
static void
parse_script_module(wparse *ps)
{
	const wtok *module_id = NULL;
	bool wrapped = wat_at_open(ps, "module");

	if (wrapped) {
		wat_next(ps);
		wat_next(ps);
		module_id = opt_id(ps);
	}
	if (wrapped &&
	    (wat_is_keyword(wat_peek(ps, 0), "binary") ||
	        wat_is_keyword(wat_peek(ps, 0), "quote"))) {
		bool quote = wat_is_keyword(wat_next(ps), "quote");
		wbuf *src = wat_buf_new(ps);

		joined_strings(ps, src);
		wat_expect_rparen(ps);
		if (wat_peek(ps, 0)->kind != T_EOF)
			wat_fail(ps, "unexpected token after the module");
		if (!quote) {
			wb_bytes(ps, &ps->out, src->p, src->len);
			return;
		}
		{
			uint8_t *bin;
			size_t binlen;
			wat_error inner;

			if (wat_to_wasm((const char *)src->p, src->len, &bin,
			        &binlen, &inner) < 0) {
				*ps->err = inner;
				longjmp(ps->fail, 1);
			}
			ps->out.p = bin;
			ps->out.len = ps->out.cap = binlen;
		}
		return;
	}
	if (wrapped)
		module_name(ps, module_id);
	module_fields(ps, &ps->out, module_id, wrapped ? 1 : 0);
	if (wrapped)
		wat_expect_rparen(ps);
	if (wat_peek(ps, 0)->kind != T_EOF)
		wat_fail(ps,
		    "unexpected token after the module, expected a module "
		    "field");
}

int
wat_to_wasm(
    const char *text, size_t len, uint8_t **out, size_t *outlen, wat_error *err)
{
	static const char *const space_names[SP__COUNT] = {"type", "function",
	    "table", "memory", "global", "tag", "elem segment", "data segment"};
	wparse *ps;
	volatile int rc = -1;
	size_t nannots;

	memset(err, 0, sizeof *err);
	if ((ps = calloc(1, sizeof *ps)) == NULL) {
		snprintf(err->message, sizeof err->message, "out of memory");
		return -1;
	}
	ps->err = err;
	for (int i = 0; i < SP__COUNT; i++)
		ps->spaces[i].what = space_names[i];
	ps->locals.what = "local";
	ps->fields.what = "field";
	wat_index_ops(ps);
	ps->pending_hint = -1;
	if (wat_lex(text, len, &ps->toks, &ps->ntoks, &nannots, err) < 0) {
		free(ps);
		return -1;
	}
	if (setjmp(ps->fail) == 0) {
		if (nannots > 0)
			wat_take_annots(ps);
		parse_script_module(ps);
		if (ps->out.p == NULL) /* (module binary): no bytes at all */
			ps->out.p = wat_alloc(ps, 1);
		*out = ps->out.p;
		*outlen = ps->out.len;
		ps->out.p = NULL;
		rc = 0;
	}
	parse_free(ps);
	free(ps);
	return rc;
}

int
wat_ensure_binary(
    uint8_t **bytes, size_t *len, const char *name, char *msg, size_t msglen)
{
	uint8_t *out;
	size_t outlen;
	wat_error err;

	if (wat_is_binary(*bytes, *len) || !wat_is_text(*bytes, *len))
		return 0;
	if (wat_to_wasm((const char *)*bytes, *len, &out, &outlen, &err) < 0) {
		snprintf(msg, msglen,
		    "%s:%u:%u: %s (read as WebAssembly text: "
		    "no binary magic)",
		    name, err.line, err.col, err.message);
		return -1;
	}
	free(*bytes);
	*bytes = out;
	*len = outlen;
	return 0;
}
