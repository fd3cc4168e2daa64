/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec_wast.c: the .wast front end of the spec runner: a script of the
 * official suite read as written, into spec_cmd commands. It reads with
 * libwasmd-wat's own lexer and number readers (wat/internal.h), so the
 * script's strings and numbers are read exactly as its modules' are; each
 * module form, `(module ...)`, `(module binary ...)` or `(module quote
 * ...)`, is handed to the runner as text, which libwasmd-wat converts.
 *
 * Commands: module (named, binary, quote; the 3.0 `module definition` and
 * `module instance`), register, invoke, get, assert_return (values, NaN
 * patterns, references, v128 lanes, `either`), assert_trap (on an action
 * or a module), assert_exhaustion, assert_exception, assert_invalid,
 * assert_malformed, assert_unlinkable, assert_uninstantiable. A script
 * that is one module's fields without `(module ...)` is that one module.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "spec_cmd.h"

#define MAX_STRS 16

typedef struct reader {
	const char *path; /* borrowed, for messages */
	const char *src;  /* borrowed: the script */
	size_t srclen;
	wtok *toks; /* own */
	size_t ntoks, pos;
	char *strs[MAX_STRS]; /* own: the current command's strings */
	size_t nstrs;
	char *def_text; /* own: a module definition's text, as a module */
	jmp_buf fail;
	char *msg; /* borrowed: where an error goes */
	size_t msglen;
} reader;

static _Noreturn void fail_at(reader *r, const wtok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fills the message with the script's position of t and stops reading. */
static _Noreturn void
fail_at(reader *r, const wtok *t, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(
	    r->msg, r->msglen, "%s:%u:%u: %s", r->path, t->line, t->col, why);
	longjmp(r->fail, 1);
}

static const wtok *
peek(reader *r, size_t ahead)
{
	size_t i = r->pos + ahead;
	return &r->toks[i < r->ntoks ? i : r->ntoks - 1]; /* T_EOF last */
}

static const wtok *
next(reader *r)
{
	const wtok *t = peek(r, 0);
	if (t->kind != T_EOF)
		r->pos++;
	return t;
}

static void
expect_tok(reader *r, wtok_kind kind, const char *what)
{
	const wtok *t = next(r);
	if (t->kind != kind)
		fail_at(r, t, "expected %s", what);
}

/* Whether "(" kw is next. */
static bool
at_open(reader *r, const char *kw)
{
	return peek(r, 0)->kind == T_LPAREN && wat_is_keyword(peek(r, 1), kw);
}

/* A NUL-terminated copy of n bytes, owned by the current command. */
static const char *
keep(reader *r, const void *s, size_t n)
{
	char *c;

	if (r->nstrs == MAX_STRS || (c = malloc(n + 1)) == NULL)
		fail_at(r, peek(r, 0), "out of memory");
	memcpy(c, s, n);
	c[n] = '\0';
	r->strs[r->nstrs++] = c;
	return c;
}

/* An optional $name, kept; NULL when there is none. */
static const char *
opt_id(reader *r)
{
	const wtok *t = peek(r, 0);
	if (t->kind != T_ID)
		return NULL;
	next(r);
	return keep(r, t->text, t->len);
}

/* A string, kept; *len gets its length (it may hold NUL bytes). */
static const char *
string(reader *r, size_t *len)
{
	const wtok *t = next(r);
	if (t->kind != T_STRING)
		fail_at(r, t, "expected a string");
	if (len != NULL)
		*len = t->strlen;
	return keep(r, t->str, t->strlen);
}

/* Skips the list that starts at the current "(", through its ")". */
static void
skip_list(reader *r)
{
	int depth = 0;

	do {
		const wtok *t = next(r);
		if (t->kind == T_EOF)
			fail_at(r, t, "unclosed list: expected \")\"");
		depth += t->kind == T_LPAREN ? 1 : t->kind == T_RPAREN ? -1 : 0;
	} while (depth > 0);
}

/* ---- Values ----------------------------------------------------------- */

/* A float lane or value: a NaN pattern, else its bits. */
static void
float_value(
    reader *r, const wtok *t, unsigned bits, expect_kind *kind, uint64_t *out)
{
	uint32_t b32;

	*kind = EXPECT_EXACT;
	if (wat_is_keyword(t, "nan:canonical"))
		*kind = EXPECT_NAN_CANONICAL;
	else if (wat_is_keyword(t, "nan:arithmetic"))
		*kind = EXPECT_NAN_ARITHMETIC;
	else if (bits == 32 && wat_parse_f32(t, &b32))
		*out = b32;
	else if (bits != 64 || !wat_parse_f64(t, out))
		fail_at(r, t, "expected an f%u", bits);
}

/* (v128.const SHAPE lane*) after v128.const. */
static void
v128_value(reader *r, expect *e)
{
	const wtok *shape = next(r);

	e->val.type = WE_V128;
	if (shape->kind != T_KEYWORD ||
	    !spec_lane_shape(shape->text, shape->len, e))
		fail_at(r, shape, "expected a v128 shape (i32x4...)");
	unsigned bytes = e->lane_bits / 8;
	for (unsigned i = 0; i < 16 / bytes; i++) {
		const wtok *t = next(r);
		uint64_t v = 0;

		if (e->lane_float)
			float_value(r, t, e->lane_bits, &e->lane_kind[i], &v);
		else if (!wat_parse_int(t, e->lane_bits, &v))
			fail_at(r, t, "expected an i%u lane", e->lane_bits);
		for (unsigned k = 0; k < bytes; k++)
			e->val.of.v128[i * bytes + k] = (uint8_t)(v >> (8 * k));
	}
}

/*
 * (ref.null T?): T func and extern have engine types; any other heap type
 * ($t, any, none...), or none at all (3.0's result "(ref.null)"), matches
 * a null reference of any type.
 */
static void
ref_null(reader *r, expect *e)
{
	const wtok *t = peek(r, 0);

	if (t->kind == T_RPAREN) {
		e->kind = EXPECT_ANY_NULL_REF;
		return;
	}
	next(r);
	if (wat_is_keyword(t, "func"))
		e->val.type = WE_FUNCREF;
	else if (wat_is_keyword(t, "extern"))
		e->val.type = WE_EXTERNREF;
	else if (t->kind == T_KEYWORD || t->kind == T_ID)
		e->kind = EXPECT_ANY_NULL_REF;
	else
		fail_at(r, t, "expected a heap type");
}

/* (ref.extern N?): the host reference N (pointer N + 1), or any. */
static void
ref_extern(reader *r, expect *e)
{
	uint64_t n;

	e->val.type = WE_EXTERNREF;
	if (peek(r, 0)->kind == T_RPAREN) {
		e->kind = EXPECT_NONNULL_REF;
		return;
	}
	const wtok *t = next(r);
	if (!wat_parse_int(t, 64, &n))
		fail_at(r, t, "expected a host reference number");
	e->val.of.externref = (void *)(uintptr_t)(n + 1);
}

/* The 3.0 reference results without an engine type: any non-null one. */
static bool
is_other_ref(const wtok *t)
{
	static const char *const names[] = {"ref.any", "ref.eq", "ref.i31",
	    "ref.struct", "ref.array", "ref.exn", "ref.host"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (wat_is_keyword(t, names[i]))
			return true;
	return false;
}

/* One value, "(" included, into e (status 1). */
static void
value(reader *r, expect *e)
{
	const wtok *t;
	uint32_t b32;
	uint64_t b64;

	memset(e, 0, sizeof(*e));
	e->status = 1;
	expect_tok(r, T_LPAREN, "\"(\" and a value");
	t = next(r);
	if (wat_is_keyword(t, "i32.const")) {
		e->val.type = WE_I32;
		if (!wat_parse_i32(next(r), &b32))
			fail_at(r, t, "expected an i32 after i32.const");
		e->val.of.i32 = (int32_t)b32;
	} else if (wat_is_keyword(t, "i64.const")) {
		e->val.type = WE_I64;
		if (!wat_parse_i64(next(r), &b64))
			fail_at(r, t, "expected an i64 after i64.const");
		e->val.of.i64 = (int64_t)b64;
	} else if (wat_is_keyword(t, "f32.const")) {
		e->val.type = WE_F32;
		float_value(r, next(r), 32, &e->kind, &b64);
		e->val.of.f32_bits = (uint32_t)b64;
	} else if (wat_is_keyword(t, "f64.const")) {
		e->val.type = WE_F64;
		float_value(r, next(r), 64, &e->kind, &e->val.of.f64_bits);
	} else if (wat_is_keyword(t, "v128.const")) {
		v128_value(r, e);
	} else if (wat_is_keyword(t, "ref.null")) {
		ref_null(r, e);
	} else if (wat_is_keyword(t, "ref.extern")) {
		ref_extern(r, e);
	} else if (wat_is_keyword(t, "ref.func")) {
		/* A function reference cannot be named: any non-null one. */
		e->val.type = WE_FUNCREF;
		e->kind = EXPECT_NONNULL_REF;
		while (peek(r, 0)->kind != T_RPAREN && next(r)->kind != T_EOF)
			;
	} else if (wat_is_keyword(t, "ref.host") &&
	    peek(r, 0)->kind != T_RPAREN) {
		/* The host reference N, converted to any. */
		const wtok *n = next(r);
		if (!wat_parse_int(n, 64, &b64))
			fail_at(r, n, "expected a host reference number");
		e->val.type = WE_ANYREF;
		e->val.of.externref = (void *)(uintptr_t)(b64 + 1);
		e->kind = EXPECT_HOST_ANY;
	} else if (is_other_ref(t)) {
		e->val.type = WE_EXTERNREF; /* for messages only */
		e->kind = EXPECT_ANY_NONNULL_REF;
		while (peek(r, 0)->kind != T_RPAREN && next(r)->kind != T_EOF)
			;
	} else {
		fail_at(r, t, "expected a value (i32.const, ref.null...)");
	}
	expect_tok(r, T_RPAREN, "\")\" after the value");
}

/* A result: a value, or (either value*). */
static void
result(reader *r, spec_result *res)
{
	res->nalts = 0;
	if (!at_open(r, "either")) {
		value(r, &res->alts[res->nalts++]);
		return;
	}
	next(r);
	next(r);
	while (peek(r, 0)->kind == T_LPAREN) {
		if (res->nalts == SPEC_MAX_ALTS)
			fail_at(r, peek(r, 0), "too many alternatives");
		value(r, &res->alts[res->nalts++]);
	}
	expect_tok(r, T_RPAREN, "\")\" after either's values");
}

/* ---- Commands --------------------------------------------------------- */

/* (invoke $M? "name" value*) or (get $M? "name"), "(" included. */
static void
action(reader *r, spec_action *a)
{
	const wtok *t;

	expect_tok(r, T_LPAREN, "\"(\" and an action");
	t = next(r);
	a->known = true;
	a->get = wat_is_keyword(t, "get");
	if (!a->get && !wat_is_keyword(t, "invoke"))
		fail_at(r, t, "expected an action: invoke or get");
	a->module = opt_id(r);
	a->field = string(r, &a->fieldlen);
	a->nargs = 0;
	while (!a->get && peek(r, 0)->kind == T_LPAREN) {
		if (a->nargs == SPEC_MAX_VALUES)
			fail_at(r, peek(r, 0), "too many arguments");
		value(r, &a->args[a->nargs++]);
	}
	expect_tok(r, T_RPAREN, "\")\" after the action");
}

/*
 * A module form, "(" included, into c (its module and $name): the whole
 * form is the text libwasmd-wat converts (a definition's without the
 * word "definition"). Returns the command it is: SPEC_MODULE,
 * SPEC_MODULE_DEFINITION, or SPEC_MODULE_INSTANCE for (module instance
 * $I $M), which only names.
 */
static spec_cmd_kind
module_form(reader *r, spec_cmd *c)
{
	const wtok *open = peek(r, 0), *close, *word = peek(r, 2);
	size_t from = r->pos;
	spec_cmd_kind kind = SPEC_MODULE;

	next(r);
	expect_tok(r, T_KEYWORD, "module");
	if (wat_is_keyword(peek(r, 0), "definition"))
		kind = SPEC_MODULE_DEFINITION;
	else if (wat_is_keyword(peek(r, 0), "instance"))
		kind = SPEC_MODULE_INSTANCE;
	if (kind != SPEC_MODULE)
		next(r);
	c->name = opt_id(r);
	if (kind == SPEC_MODULE_INSTANCE) {
		c->def = opt_id(r);
		expect_tok(r, T_RPAREN, "\")\" after module instance");
		return kind;
	}
	c->module.text_malformed = wat_is_keyword(peek(r, 0), "quote");
	r->pos = from;
	skip_list(r);
	close = &r->toks[r->pos - 1];
	c->has_module = true;
	c->module.text = open->text;
	c->module.textlen = (size_t)(close->text + 1 - open->text);
	c->module.text_line = open->line;
	if (kind == SPEC_MODULE_DEFINITION) {
		/* "(module definition $M ..." read as "(module $M ...". */
		size_t skip = (size_t)(word->text - open->text);

		free(r->def_text);
		if ((r->def_text = malloc(c->module.textlen)) == NULL)
			fail_at(r, open, "out of memory");
		memcpy(r->def_text, open->text, skip);
		memcpy(r->def_text + skip, word->text + 10,
		    c->module.textlen - skip - 10);
		c->module.text = r->def_text;
		c->module.textlen -= 10;
	}
	return kind;
}

/* The arguments of an assertion on a module, after its keyword. */
static void
module_assertion(reader *r, spec_cmd *c)
{
	if (!at_open(r, "module"))
		fail_at(r, peek(r, 0), "expected (module ...)");
	if (module_form(r, c) == SPEC_MODULE_INSTANCE)
		fail_at(r, peek(r, 0), "expected a module, not an instance");
	/* Only assert_malformed reads a quote module as malformed text. */
	c->module.text_malformed &= c->kind == SPEC_ASSERT_MALFORMED;
	c->text = string(r, NULL);
}

/* The command at "(" into c. */
static void
command(reader *r, spec_cmd *c)
{
	const wtok *open = peek(r, 0), *kw = peek(r, 1);

	c->line = open->line;
	c->kind = SPEC_UNKNOWN;
	if (wat_is_keyword(kw, "invoke") || wat_is_keyword(kw, "get"))
		c->kind = SPEC_ACTION;
	else if (kw->kind == T_KEYWORD)
		c->kind = spec_cmd_named(kw->text, kw->len);
	c->what = spec_cmd_names[c->kind];
	switch (c->kind) {
	case SPEC_MODULE:
		c->kind = module_form(r, c);
		c->what = spec_cmd_names[c->kind];
		return;
	case SPEC_ACTION: action(r, &c->action); return;
	case SPEC_UNKNOWN:
		fail_at(r, kw, "expected a command (module, assert_return...)");
	default: break;
	}
	next(r);
	next(r);
	switch (c->kind) {
	case SPEC_REGISTER:
		c->as = string(r, NULL);
		c->name = opt_id(r);
		break;
	case SPEC_ASSERT_RETURN:
		action(r, &c->action);
		while (peek(r, 0)->kind == T_LPAREN) {
			if (c->nexpected == SPEC_MAX_VALUES)
				fail_at(r, peek(r, 0), "too many results");
			result(r, &c->expected[c->nexpected++]);
		}
		break;
	case SPEC_ASSERT_TRAP: /* on an action, or on a module */
	case SPEC_ASSERT_EXHAUSTION:
		if (c->kind == SPEC_ASSERT_TRAP && at_open(r, "module")) {
			module_assertion(r, c);
			break;
		}
		action(r, &c->action);
		c->text = string(r, NULL);
		break;
	case SPEC_ASSERT_EXCEPTION: action(r, &c->action); break;
	default: module_assertion(r, c); break;
	}
	expect_tok(r, T_RPAREN, "\")\" after the command");
}

/* Frees the current command's strings. */
static void
drop_strings(reader *r)
{
	while (r->nstrs > 0)
		free(r->strs[--r->nstrs]);
}

/* Reads every command and calls fn; 0, or -1 with r->msg set. */
static int
read_commands(reader *r, spec_cmd *c, spec_cmd_fn fn, void *ctx)
{
	spec_result *results = c->expected;

	if (setjmp(r->fail) != 0)
		return -1;
	/* A script of module fields alone (no command) is one module. */
	if (peek(r, 0)->kind == T_LPAREN &&
	    wat_is_keyword(peek(r, 1), "func")) {
		*c = (spec_cmd){.kind = SPEC_MODULE,
		    .what = "module",
		    .line = 1,
		    .has_module = true,
		    .expected = results,
		    .module = {
		        .text = r->src, .textlen = r->srclen, .text_line = 1}};
		fn(ctx, c);
		return 0;
	}
	while (peek(r, 0)->kind != T_EOF) {
		if (peek(r, 0)->kind != T_LPAREN)
			fail_at(r, peek(r, 0), "expected \"(\" and a command");
		memset(c, 0, sizeof(*c));
		c->expected = results;
		command(r, c);
		fn(ctx, c);
		drop_strings(r);
	}
	return 0;
}

int
spec_wast_read(
    const char *path, spec_cmd_fn fn, void *ctx, char *msg, size_t msglen)
{
	reader r = {.path = path, .msg = msg, .msglen = msglen};
	spec_cmd c = {.expected = NULL};
	wat_error err;
	size_t nannots = 0;
	char *src = (char *)spec_read_file(path, &r.srclen);
	int rc = -1;

	r.src = src;
	if (src == NULL) {
		snprintf(msg, msglen, "cannot read %s", path);
		return -1;
	}
	if (wat_lex(src, r.srclen, &r.toks, &r.ntoks, &nannots, &err) < 0) {
		snprintf(msg, msglen, "%s:%u:%u: %s", path, err.line, err.col,
		    err.message);
		free(src);
		return -1;
	}
	/* Annotations around commands are ignored; those inside a module
	 * stay in its text, for libwasmd-wat. */
	if (nannots > 0)
		r.ntoks = wat_strip_annots(r.toks, r.ntoks);
	c.expected = calloc(SPEC_MAX_VALUES, sizeof(*c.expected));
	if (c.expected == NULL)
		snprintf(msg, msglen, "out of memory");
	else
		rc = read_commands(&r, &c, fn, ctx);
	drop_strings(&r);
	free(c.expected);
	free(r.def_text);
	wat_free_tokens(r.toks, r.ntoks);
	free(src);
	return rc;
}
