/* SPDX-License-Identifier: Apache-2.0 */
/*
 * roundtrip.c: wat-roundtrip, the text parser checked against the spec
 * suites' own binaries. For every module of every script (the .wast read
 * by the spec runner's front end, spec_wast.c), libwasmd-wat's binary of
 * the module's text is decoded by the engine and compared with the
 * engine's decoding of the suite's binary of the same module (the JSON
 * conversion's .wasm file, spec_json.c): types, imports, functions (their
 * types, locals and instruction bytes), tables with their initialisers,
 * memories, globals, tags, exports, start, element and data segments, the
 * data count, custom sections and the names of the name section. Bytes
 * are not compared: the two binaries may differ in anything the decoder
 * does not keep (section sizes, LEB128 padding, the order of custom
 * sections among the others).
 *
 *   wat-roundtrip [--wasm2] DIR [--wasm2] DIR ...
 *
 * DIR is a suite laid out as ../shared/testsuite (NAME/NAME.wast beside
 * NAME/NAME.json and its .wasm files); --wasm2 decodes the next DIR's
 * modules under 2.0's rules, as the spec runner does. It prints, per
 * suite, how many modules compare equal and how many differ, by
 * category, with the first few of each, and exits 1 when any differs
 * outside the GC scripts (77, with a line saying how to get it, when a
 * suite is absent).
 *
 * Some modules are equal only up to a form the suite's converter chose
 * and the text does not say (same_code, funcs_as_indices): counted as
 * equal, and apart. A module whose two binaries the engine both refuses, with the same
 * error class, agrees; so does an assert_malformed text the parser
 * refuses (the suite's binary of such a module is what its converter
 * made of it, not a module). The suite's modules given only as text (the
 * JSON's .wat files, or left out of the JSON by its converter) have no
 * binary to compare and are counted apart.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <wasmd/engine.h>

#include "module.h"
#include "spec_cmd.h"
#include "wat.h"

#define MAX_CATS 64
#define SHOWN 3

/* One module-bearing command of a script, as one front end read it. */
typedef struct modcmd {
	spec_cmd_kind kind;
	long line;
	char *file; /* own: JSON: its file; NULL in the .wast list */
	char *text; /* own: .wast: the module form's text */
	size_t textlen;
} modcmd;

typedef struct modlist {
	modcmd *v; /* own */
	size_t n, cap;
} modlist;

/* A kind of difference, with its count and first examples. */
typedef struct category {
	char what[96];
	long count;
	char shown[SHOWN][160];
} category;

typedef struct tally {
	long modules, equal, equal_forms, refused_alike, malformed_text;
	long text_only;
	long gc_differ; /* in the GC scripts: apart, see is_gc_script() */
	long differ;
	category cats[MAX_CATS];
	int ncats;
} tally;

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL) {
		fprintf(stderr, "wat-roundtrip: out of memory\n");
		exit(2);
	}
	return q;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *c = xrealloc(NULL, n + 1);

	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

/* A spec_cmd_fn: keeps the commands that carry a module. */
static void
collect(void *ctx, const spec_cmd *c)
{
	modlist *l = ctx;
	modcmd *m;

	if (!c->has_module)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	m = &l->v[l->n++];
	memset(m, 0, sizeof *m);
	m->kind = c->kind;
	m->line = c->module.text != NULL ? c->module.text_line : c->line;
	if (c->module.file != NULL)
		m->file = xstrndup(c->module.file, strlen(c->module.file));
	if (c->module.text != NULL) {
		m->text = xstrndup(c->module.text, c->module.textlen);
		m->textlen = c->module.textlen;
	}
}

static void
modlist_free(modlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].file);
		free(l->v[i].text);
	}
	free(l->v);
}

/* Whether script is one of the GC group (spec-groups.sh): its
 * instructions are not in opcodes.def yet, so its differences are
 * reported apart and do not fail the run. */
static bool
is_gc_script(const char *script)
{
	return strncmp(script, "gc__", 4) == 0 ||
	    strcmp(script, "type-canon") == 0 ||
	    strcmp(script, "type-rec") == 0;
}

/* Counts a difference of category what, at script:line. */
static void
differ(tally *t, const char *script, long line, const char *what)
{
	category *c = NULL;
	char gc_what[96];

	if (is_gc_script(script)) {
		t->gc_differ++;
		snprintf(gc_what, sizeof gc_what, "GC: %s", what);
		what = gc_what;
	} else {
		t->differ++;
	}
	for (int i = 0; i < t->ncats; i++)
		if (strcmp(t->cats[i].what, what) == 0)
			c = &t->cats[i];
	if (c == NULL && t->ncats < MAX_CATS) {
		c = &t->cats[t->ncats++];
		memset(c, 0, sizeof *c);
		snprintf(c->what, sizeof c->what, "%s", what);
	}
	if (c == NULL)
		return;
	if (c->count < SHOWN)
		snprintf(c->shown[c->count], sizeof c->shown[0], "%s:%ld",
		    script, line);
	c->count++;
}

/* ---- Comparing two decoded modules -------------------------------------- */

/* The length of a constant expression's bytes through its `end`: the
 * instructions an extended constant may hold. 0 when unknown. */
static size_t
expr_len(const uint8_t *p)
{
	const uint8_t *q = p;

	for (;;) {
		uint8_t op = *q++;

		switch (op) {
		case 0x0b: return (size_t)(q - p);
		case 0x41:
		case 0x42:
		case 0x23:
		case 0xd0: /* ref.null: a heap type, an s33 */
		case 0xd2:
			while (*q++ & 0x80)
				;
			break;
		case 0x43: q += 4; break;
		case 0x44: q += 8; break;
		case 0xfb: { /* GC: the sub-opcode, then 0 to 2 indices */
			uint32_t sub = 0, shift = 0, n;
			do
				sub |= (uint32_t)(*q & 0x7f) << shift,
				    shift += 7;
			while (*q++ & 0x80);
			n = sub == 0x08 ? 2 : sub <= 0x07 ? 1 : 0;
			while (n-- > 0)
				while (*q++ & 0x80)
					;
			break;
		}
		case 0x6a:
		case 0x6b:
		case 0x6c:
		case 0x7c:
		case 0x7d:
		case 0x7e: break;
		default: return 0;
		}
	}
}

static bool
same_const(const wm_constexpr *a, const wm_constexpr *b)
{
	size_t n;

	if (a->op != b->op || a->type != b->type)
		return false;
	switch (a->op) {
	case WM_CONST_GLOBAL:
	case WM_CONST_REFFUNC: return a->index == b->index;
	case WM_CONST_REFNULL: return true;
	case WM_CONST_V128:
		return a->bits == b->bits && a->bits_hi == b->bits_hi;
	case WM_CONST_EXPR:
		n = expr_len(a->expr);
		return n != 0 && n == expr_len(b->expr) &&
		    memcmp(a->expr, b->expr, n) == 0;
	default: return a->bits == b->bits;
	}
}

/* Whether the n value types at a and b are the same. */
static bool
same_valtypes(const we_valtype *a, const we_valtype *b, uint32_t n)
{
	return n == 0 || memcmp(a, b, n * sizeof *a) == 0;
}

static bool
same_functype(const we_functype *a, const we_functype *b)
{
	return a->nparams == b->nparams && a->nresults == b->nresults &&
	    same_valtypes(a->params, b->params, a->nparams) &&
	    same_valtypes(a->results, b->results, a->nresults);
}

static bool
same_limits(const we_limits *a, const we_limits *b)
{
	return a->min == b->min && a->has_max == b->has_max &&
	    (!a->has_max || a->max == b->max);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

static const char *
diff_types(const we_module *a, const we_module *b, bool *forms)
{
	(void)forms;
	if (a->ntypes != b->ntypes)
		return "types: count";
	for (uint32_t i = 0; i < a->ntypes; i++)
		if (!same_functype(&a->types[i], &b->types[i]))
			return "types: a function type";
	return NULL;
}

static const char *
diff_imports(const we_module *a, const we_module *b, bool *forms)
{
	(void)forms;
	if (a->nimports != b->nimports)
		return "imports: count";
	for (uint32_t i = 0; i < a->nimports; i++) {
		const wm_import *x = &a->imports[i], *y = &b->imports[i];

		if (strcmp(x->module, y->module) != 0 ||
		    strcmp(x->name, y->name) != 0 || x->kind != y->kind ||
		    x->index != y->index)
			return "imports: an import";
	}
	return NULL;
}

/* The block type at p (one byte, or an s33 type index) as the short
 * form: 0x40 or the one result's type; -1 when it has none. *len gets
 * its length. */
static int
short_blocktype(const we_module *m, const uint8_t *p, size_t n, size_t *len)
{
	uint64_t x = 0;
	unsigned shift = 0;
	size_t i = 0;

	*len = 1;
	if (p[0] == 0x40 || (p[0] >= 0x69 && p[0] <= 0x7f))
		return p[0];
	do {
		if (i >= n || shift > 28)
			return -1;
		x |= (uint64_t)(p[i] & 0x7f) << shift;
		shift += 7;
	} while (p[i++] & 0x80);
	*len = i;
	if (x >= m->ntypes || m->types[x].nparams != 0 ||
	    m->types[x].nresults > 1)
		return -1;
	return m->types[x].nresults == 0 ? 0x40 : (int)m->types[x].results[0];
}

/*
 * Whether two instruction sequences that differ in bytes differ only in
 * the forms the converters choose between: a block type written as a
 * type index or in short form (wast2json writes `(type $t)` of [] -> []
 * as 0x40, wasm-tools as the index), and an empty `else` written or left
 * out. A byte-wise walk: where the bytes part, after a block opcode, the
 * two block types must be the same type; else an `else end` must meet an
 * `end`.
 */
static bool
same_code(const we_module *ma, const uint8_t *a, size_t na, const we_module *mb,
    const uint8_t *b, size_t nb)
{
	size_t i = 0, j = 0, la, lb;

	while (i < na && j < nb) {
		if (a[i] == b[j]) {
			i++;
			j++;
		} else if (i > 0 && j > 0 && a[i - 1] == b[j - 1] &&
		    (a[i - 1] == 0x02 || a[i - 1] == 0x03 || a[i - 1] == 0x04 ||
		        a[i - 1] == 0x06 || a[i - 1] == 0x1f) &&
		    short_blocktype(ma, a + i, na - i, &la) >= 0 &&
		    short_blocktype(ma, a + i, na - i, &la) ==
		        short_blocktype(mb, b + j, nb - j, &lb)) {
			i += la;
			j += lb;
		} else if (a[i] == 0x05 && i + 1 < na && a[i + 1] == 0x0b &&
		    b[j] == 0x0b) {
			i++;
		} else if (b[j] == 0x05 && j + 1 < nb && b[j + 1] == 0x0b &&
		    a[i] == 0x0b) {
			j++;
		} else {
			return false;
		}
	}
	return i == na && j == nb;
}

static const char *
diff_funcs(const we_module *a, const we_module *b, bool *forms)
{
	if (a->nfuncs != b->nfuncs || a->nfunc_imports != b->nfunc_imports)
		return "functions: count";
	for (uint32_t i = 0; i < a->nfuncs; i++) {
		const wm_funcdef *x = &a->funcs[i], *y = &b->funcs[i];
		size_t nx = (size_t)(x->body_end - x->body),
		       ny = (size_t)(y->body_end - y->body);

		if (x->type_index != y->type_index)
			return "functions: a type index";
		if (x->nlocals != y->nlocals ||
		    !same_valtypes(x->local_types, y->local_types, x->nlocals))
			return "code: locals";
		if (nx == ny && (nx == 0 || memcmp(x->body, y->body, nx) == 0))
			continue;
		if (!same_code(a, x->body, nx, b, y->body, ny))
			return "code: instruction bytes";
		*forms = true;
	}
	return NULL;
}

static const char *
diff_tables_mems(const we_module *a, const we_module *b, bool *forms)
{
	(void)forms;
	if (a->ntables != b->ntables || a->ntable_imports != b->ntable_imports)
		return "tables: count";
	for (uint32_t i = 0; i < a->ntables; i++) {
		const we_tabletype *x = &a->tables[i], *y = &b->tables[i];

		if (x->elem != y->elem || x->addr64 != y->addr64 ||
		    !same_limits(&x->limits, &y->limits))
			return "tables: a table type";
		if (i >= a->ntable_imports &&
		    !same_const(&a->table_inits[i - a->ntable_imports],
		        &b->table_inits[i - a->ntable_imports]))
			return "tables: an initialiser";
	}
	if (a->nmems != b->nmems || a->nmem_imports != b->nmem_imports)
		return "memories: count";
	for (uint32_t i = 0; i < a->nmems; i++)
		if (a->mems[i].addr64 != b->mems[i].addr64 ||
		    !same_limits(&a->mems[i].limits, &b->mems[i].limits))
			return "memories: a memory type";
	return NULL;
}

static const char *
diff_globals_tags(const we_module *a, const we_module *b, bool *forms)
{
	(void)forms;
	if (a->nglobals != b->nglobals ||
	    a->nglobal_imports != b->nglobal_imports)
		return "globals: count";
	for (uint32_t i = 0; i < a->nglobals; i++) {
		const wm_global *x = &a->globals[i], *y = &b->globals[i];

		if (x->type.type != y->type.type ||
		    x->type.mutable_ != y->type.mutable_)
			return "globals: a global type";
		if (i >= a->nglobal_imports && !same_const(&x->init, &y->init))
			return "globals: an initialiser";
	}
	if (a->ntags != b->ntags || a->ntag_imports != b->ntag_imports)
		return "tags: count";
	for (uint32_t i = 0; i < a->ntags; i++)
		if (a->tags[i].type_index != b->tags[i].type_index)
			return "tags: a type index";
	return NULL;
}

static const char *
diff_exports_start(const we_module *a, const we_module *b, bool *forms)
{
	(void)forms;
	if (a->nexports != b->nexports)
		return "exports: count";
	for (uint32_t i = 0; i < a->nexports; i++) {
		const wm_export *x = &a->exports[i], *y = &b->exports[i];

		if (x->name_len != y->name_len ||
		    memcmp(x->name, y->name, x->name_len) != 0 ||
		    x->kind != y->kind || x->index != y->index)
			return "exports: an export";
	}
	if (a->has_start != b->has_start ||
	    (a->has_start && a->start != b->start))
		return "start";
	return NULL;
}

/*
 * Whether segments x and y, of types funcref and (ref func), are one
 * list of functions: wast2json writes `funcref (ref.func $f)...` as
 * function indices, whose segment type is (ref func) (the type the text
 * gives is funcref).
 */
static bool
funcs_as_indices(const wm_elem *x, const wm_elem *y)
{
	we_valtype nonnull = (we_valtype)(WE_FUNCREF | WE_REF_NONNULL);

	if (!((x->type == WE_FUNCREF && y->type == nonnull) ||
	        (y->type == WE_FUNCREF && x->type == nonnull)))
		return false;
	for (uint32_t k = 0; k < x->count; k++)
		if (x->items[k].op != WM_CONST_REFFUNC ||
		    y->items[k].op != WM_CONST_REFFUNC)
			return false;
	return true;
}

static const char *
diff_segments(const we_module *a, const we_module *b, bool *forms)
{
	(void)forms;
	if (a->nelems != b->nelems)
		return "elements: count";
	for (uint32_t i = 0; i < a->nelems; i++) {
		const wm_elem *x = &a->elems[i], *y = &b->elems[i];

		if (x->mode != y->mode || x->count != y->count)
			return "elements: a segment's mode or count";
		if (x->type != y->type && !funcs_as_indices(x, y))
			return "elements: a segment's type";
		*forms |= x->type != y->type;
		if (x->mode == WM_SEG_ACTIVE &&
		    (x->table != y->table ||
		        !same_const(&x->offset, &y->offset)))
			return "elements: a segment's table or offset";
		for (uint32_t k = 0; k < x->count; k++)
			if (x->type != y->type
			        ? x->items[k].index != y->items[k].index
			        : !same_const(&x->items[k], &y->items[k]))
				return "elements: an item";
	}
	if (a->ndatas != b->ndatas)
		return "data: count";
	for (uint32_t i = 0; i < a->ndatas; i++) {
		const wm_data *x = &a->datas[i], *y = &b->datas[i];

		if (x->mode != y->mode || x->len != y->len ||
		    (x->len > 0 && memcmp(x->bytes, y->bytes, x->len) != 0))
			return "data: a segment's mode or bytes";
		if (x->mode == WM_SEG_ACTIVE &&
		    (x->memory != y->memory ||
		        !same_const(&x->offset, &y->offset)))
			return "data: a segment's memory or offset";
	}
	/* Where no code names a data segment, the data count section is
	 * the converter's choice (wast2json and wasm-tools leave it out,
	 * LLVM and libwasmd-wat write it): the engine decodes both alike,
	 * and code that names one needs it in both. */
	*forms |= a->has_datacount != b->has_datacount;
	return NULL;
}

/* Custom section i of m after skip, not counting the name section (whose
 * decoded names are compared instead); NULL past the last. */
static const wm_custom *
custom_at(const we_module *m, uint32_t *i)
{
	while (*i < m->ncustoms && strcmp(m->customs[*i].name, "name") == 0)
		(*i)++;
	return *i < m->ncustoms ? &m->customs[(*i)++] : NULL;
}

static bool
has_names(const we_module *m)
{
	for (uint32_t i = 0; i < m->ncustoms; i++)
		if (strcmp(m->customs[i].name, "name") == 0)
			return true;
	return false;
}

/*
 * The custom sections other than "name", in order, and the names the
 * engine decodes from the name section (the module's and the functions';
 * the converters write more subsections, which the engine does not
 * read). Names are compared only when both binaries have a name section:
 * wast2json writes none.
 */
static const char *
diff_custom(const we_module *a, const we_module *b, bool *forms)
{
	(void)forms;
	uint32_t i = 0, k = 0;
	const wm_custom *x, *y;

	do {
		x = custom_at(a, &i);
		y = custom_at(b, &k);
		if ((x == NULL) != (y == NULL))
			return "custom sections: count";
		if (x != NULL &&
		    (strcmp(x->name, y->name) != 0 || x->len != y->len ||
		        (x->len > 0 && memcmp(x->data, y->data, x->len) != 0)))
			return "custom sections: a section";
	} while (x != NULL);
	if (!has_names(a) || !has_names(b))
		return NULL;
	/* In a script, (module $M) names the module for the script's
	 * commands: the 3.0 converter does not write it as the module's
	 * name; libwasmd-wat, reading one module, does. */
	if (a->name != NULL && !same_str(a->name, b->name))
		return "names: the module's name";
	for (uint32_t f = 0; f < a->nfuncs; f++)
		if (!same_str(a->func_names ? a->func_names[f] : NULL,
		        b->func_names ? b->func_names[f] : NULL))
			return "names: a function's name";
	return NULL;
}

/* The first difference between a and b, by section; NULL when equal
 * (*forms set when equal only up to the converters' forms, same_code). */
static const char *
diff_modules(const we_module *a, const we_module *b, bool *forms)
{
	const char *(*const parts[])(const we_module *, const we_module *,
	    bool *) = {diff_types, diff_imports, diff_funcs, diff_tables_mems,
	    diff_globals_tags, diff_exports_start, diff_segments, diff_custom};
	const char *d;

	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if ((d = parts[i](a, b, forms)) != NULL)
			return d;
	return NULL;
}

/* ---- One pair -------------------------------------------------------- */

static we_module *
decode(const uint8_t *bytes, size_t len, bool wasm2, we_error *err)
{
	memset(err, 0, sizeof *err);
	return wasm2 ? we_module_new_wasm2(bytes, len, err)
	             : we_module_new(bytes, len, err);
}

/* Compares the module of text (the .wast's form) with the suite's binary
 * file of it (in dir), counting the outcome in t. */
static void
compare(tally *t, const char *dir, const char *script, const modcmd *w,
    const modcmd *j, bool wasm2)
{
	char path[4096];
	size_t flen = 0, blen = 0;
	uint8_t *file, *bin = NULL;
	wat_error werr;
	we_error ea, eb;
	we_module *a, *b;

	snprintf(path, sizeof path, "%s/%s/%s", dir, script, j->file);
	if ((file = spec_read_file(path, &flen)) == NULL) {
		differ(t, script, w->line, "the suite's binary is unreadable");
		return;
	}
	if (wat_to_wasm(w->text, w->textlen, &bin, &blen, &werr) < 0) {
		if (w->kind == SPEC_ASSERT_MALFORMED)
			t->malformed_text++;
		else
			differ(
			    t, script, w->line, "text refused by the parser");
		free(file);
		return;
	}
	a = decode(file, flen, wasm2, &ea);
	b = decode(bin, blen, wasm2, &eb);
	if (a == NULL && b == NULL) {
		if (ea.code == eb.code)
			t->refused_alike++;
		else
			differ(t, script, w->line,
			    "both refused, with different error classes");
	} else if (a == NULL || b == NULL) {
		differ(t, script, w->line,
		    a == NULL ? "only the suite's binary is refused"
		              : "only the text's binary is refused");
	} else {
		bool forms = false;
		const char *d = diff_modules(a, b, &forms);

		if (d == NULL && forms)
			t->equal_forms++;
		else if (d == NULL)
			t->equal++;
		else
			differ(t, script, w->line, d);
	}
	we_module_free(a);
	we_module_free(b);
	free(bin);
	free(file);
}

/* Whether line (the JSON's: the `module` keyword's) is within the module
 * text w (its "(" may stand on an earlier line). */
static bool
same_line(const modcmd *w, long line)
{
	long last = w->line;

	for (size_t i = 0; i < w->textlen; i++)
		last += w->text[i] == '\n';
	return line >= w->line && line <= last;
}

/*
 * Pairs the modules of the .wast (w) and of the JSON (j) by line, both in
 * script order; a .wast module the converter left out (it lists those it
 * could not convert) counts as text only.
 */
static void
pair_modules(tally *t, const char *dir, const char *name, const modlist *w,
    const modlist *j, bool wasm2)
{
	size_t k = 0;

	for (size_t i = 0; i < j->n; i++) {
		const char *f = j->v[i].file;
		size_t n = strlen(f);

		while (k < w->n && w->v[k].line < j->v[i].line &&
		    !same_line(&w->v[k], j->v[i].line)) {
			t->modules++;
			t->text_only++;
			k++;
		}
		t->modules++;
		if (k == w->n || !same_line(&w->v[k], j->v[i].line))
			differ(t, name, j->v[i].line,
			    "no module of the .wast at the JSON's line");
		else if (n < 5 || strcmp(f + n - 5, ".wasm") != 0)
			t->text_only++;
		else
			compare(t, dir, name, &w->v[k], &j->v[i], wasm2);
		k += k < w->n;
	}
	t->modules += (long)(w->n - k);
	t->text_only += (long)(w->n - k);
}

/* Both front ends over one script. */
static void
run_script(tally *t, const char *dir, const char *name, bool wasm2)
{
	char wast[4096], json[4096], msg[512];
	modlist w = {0}, j = {0};

	snprintf(wast, sizeof wast, "%s/%s/%s.wast", dir, name, name);
	snprintf(json, sizeof json, "%s/%s/%s.json", dir, name, name);
	if (spec_wast_read(wast, collect, &w, msg, sizeof msg) < 0 ||
	    spec_json_read(json, collect, &j, msg, sizeof msg) < 0) {
		differ(t, name, 0, "script unreadable");
		fprintf(stderr, "wat-roundtrip: %s\n", msg);
	} else {
		pair_modules(t, dir, name, &w, &j, wasm2);
	}
	modlist_free(&w);
	modlist_free(&j);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every script of suite dir, by name. */
static void
run_suite(tally *t, const char *dir, bool wasm2)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0;
	struct stat st;

	while (d != NULL && (e = readdir(d)) != NULL) {
		snprintf(path, sizeof path, "%s/%s/%s.wast", dir, e->d_name,
		    e->d_name);
		if (e->d_name[0] == '.' || stat(path, &st) != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrndup(e->d_name, strlen(e->d_name));
	}
	if (d != NULL)
		closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, compare_names);
	for (size_t i = 0; i < n; i++) {
		run_script(t, dir, names[i], wasm2);
		free(names[i]);
	}
	free(names);
}

static void
report(const char *dir, const tally *t)
{
	printf("%s: %ld modules: %ld equal (%ld up to the converter's forms: "
	       "block types, empty else, functions as indices, data count), "
	       "%ld refused alike, %ld malformed text refused, %ld text only, "
	       "%ld differ (and %ld in GC scripts)\n",
	    dir, t->modules, t->equal + t->equal_forms, t->equal_forms,
	    t->refused_alike, t->malformed_text, t->text_only, t->differ,
	    t->gc_differ);
	for (int i = 0; i < t->ncats; i++) {
		printf("  %ld  %s (", t->cats[i].count, t->cats[i].what);
		for (long k = 0; k < t->cats[i].count && k < SHOWN; k++)
			printf("%s%s", k ? ", " : "", t->cats[i].shown[k]);
		printf("%s)\n", t->cats[i].count > SHOWN ? ", ..." : "");
	}
}

int
main(int argc, char **argv)
{
	static tally t;
	bool wasm2 = false, any_differ = false;
	struct stat st;

	if (argc < 2) {
		fprintf(stderr, "usage: wat-roundtrip [--wasm2] DIR ...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--wasm2") != 0 &&
		    (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode))) {
			printf(
			    "SKIP: no spec suite at %s: ../shared holds both "
			    "(testsuite, testsuite-3.0); or run "
			    "scripts/get-testsuite and configure with "
			    "-DWASMD_TESTSUITE_DIR / -DWASMD_TESTSUITE3_DIR\n",
			    argv[i]);
			return 77;
		}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--wasm2") == 0) {
			wasm2 = true;
			continue;
		}
		memset(&t, 0, sizeof t);
		run_suite(&t, argv[i], wasm2);
		report(argv[i], &t);
		any_differ |= t.differ > 0;
		wasm2 = false;
	}
	return any_differ ? 1 : 0;
}
