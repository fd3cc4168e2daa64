/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decode.c: the binary decoder and module-level validator (WebAssembly 2.0
 * core). It reads the sections of a module in order into struct
 * we_module, checks everything outside function bodies, and hands each
 * body to wx_compile() (compile.c) once every section is known.
 *
 * Malformed input (the binary format) stops decoding at once. Validation
 * errors found on the way are remembered and decoding goes on, because the
 * spec decodes before it validates: a module that is both malformed and
 * invalid must be reported as malformed. After a validation error every
 * index is kept in range (or replaced) so that the rest of decoding stays
 * safe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "decode.h"
#include "reader.h"
#include "runtime.h"

/* The most locals (not counting parameters) one function may declare. */
#define WD_MAX_LOCALS 50000u

/* Section ids of the binary format. */
enum {
	SEC_CUSTOM = 0,
	SEC_TYPE = 1,
	SEC_IMPORT = 2,
	SEC_FUNCTION = 3,
	SEC_TABLE = 4,
	SEC_MEMORY = 5,
	SEC_GLOBAL = 6,
	SEC_EXPORT = 7,
	SEC_START = 8,
	SEC_ELEMENT = 9,
	SEC_CODE = 10,
	SEC_DATA = 11,
	SEC_DATACOUNT = 12,
	SEC_TAG = 13, /* 3.0 exception handling */
};

typedef struct wd_ctx {
	we_module *m;
	wrd_reader r;  /* the section being read */
	we_error *err; /* borrowed: the caller's */

	bool has_code, has_data;
	uint32_t nfuncsec; /* functions declared by the function section */
	uint32_t ncode;    /* bodies in the code section */
	size_t code_off;   /* where the code section's count is */
	uint32_t typecap, importcap, funccap, tablecap, memcap, globalcap;
	uint32_t tableinitcap;
	uint32_t exportcap, elemcap, datacap, tagcap;

	int sec;        /* the id of the section being read */
	char where[64]; /* "element section, segment 3": for messages */

	bool invalid; /* a validation error was found: see inv */
	we_error inv;
} wd_ctx;

/* The type of a function whose type index was invalid. */
static const we_functype empty_type = {0, 0, NULL, NULL};

static const char *const section_names[] = {
    [SEC_CUSTOM] = "custom section",
    [SEC_TYPE] = "type section",
    [SEC_IMPORT] = "import section",
    [SEC_FUNCTION] = "function section",
    [SEC_TABLE] = "table section",
    [SEC_MEMORY] = "memory section",
    [SEC_GLOBAL] = "global section",
    [SEC_EXPORT] = "export section",
    [SEC_START] = "start section",
    [SEC_ELEMENT] = "element section",
    [SEC_CODE] = "code section",
    [SEC_DATA] = "data section",
    [SEC_DATACOUNT] = "data count section",
    [SEC_TAG] = "tag section",
};

/* Where each known section must come, for the ordering check. */
static const int section_rank[] = {
    [SEC_TYPE] = 1,
    [SEC_IMPORT] = 2,
    [SEC_FUNCTION] = 3,
    [SEC_TABLE] = 4,
    [SEC_MEMORY] = 5,
    [SEC_TAG] = 6,
    [SEC_GLOBAL] = 7,
    [SEC_EXPORT] = 8,
    [SEC_START] = 9,
    [SEC_ELEMENT] = 10,
    [SEC_DATACOUNT] = 11,
    [SEC_CODE] = 12,
    [SEC_DATA] = 13,
};

static const char *const kind_names[] = {
    "function", "table", "memory", "global", "tag"};

/* ---- Errors ------------------------------------------------------------ */

/* Names the entry being read in messages: "<section>, <item> <index>". */
static void
where_item(wd_ctx *c, const char *item, uint32_t index)
{
	snprintf(c->where, sizeof c->where, "%s, %s %u", section_names[c->sec],
	    item, index);
	c->r.where = c->where;
}

/*
 * Records a validation error at offset (only the first counts) and returns
 * true so that decoding goes on.
 */
static bool invalid_at(wd_ctx *c, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool
invalid_at(wd_ctx *c, size_t offset, const char *fmt, ...)
{
	wrd_reader tmp;
	va_list ap;

	if (c->invalid)
		return true;
	c->invalid = true;
	wrd_init(&tmp, c->r.base, c->r.p, c->r.end, &c->inv);
	tmp.where = c->r.where;
	va_start(ap, fmt);
	wrd_vfail_at(&tmp, offset, WE_ERR_INVALID, fmt, ap);
	va_end(ap);
	return true;
}

/*
 * Stops decoding with a validation error, for input that cannot be read
 * further (an instruction that has no place in a constant expression). An
 * earlier validation error wins.
 */
static bool
stop_invalid(wd_ctx *c, size_t offset, const char *what, uint8_t op)
{
	if (c->invalid) {
		c->r.failed = true;
		*c->err = c->inv;
		return false;
	}
	return wrd_fail_at(
	    &c->r, offset, WE_ERR_INVALID, "%s (opcode 0x%02x)", what, op);
}

static bool
malformed(wd_ctx *c, const char *msg)
{
	return wrd_fail(&c->r, WE_ERR_MALFORMED, "%s", msg);
}

static bool
nomem(wd_ctx *c)
{
	return wrd_fail(&c->r, WE_ERR_NOMEM, "out of memory");
}

/* ---- Growing the index spaces ------------------------------------------ */

/*
 * Makes room for one more entry in an array of n entries of size bytes
 * with capacity *cap; new entries are zeroed so that a partly decoded
 * module can always be freed.
 */
static bool
grow(wd_ctx *c, void **arr, uint32_t n, uint32_t *cap, size_t size)
{
	uint32_t ncap;
	void *p;

	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap < *cap)
		return nomem(c);
	p = realloc(*arr, (size_t)ncap * size);
	if (p == NULL)
		return nomem(c);
	memset(
	    (char *)p + (size_t)*cap * size, 0, (size_t)(ncap - *cap) * size);
	*arr = p;
	*cap = ncap;
	return true;
}

/* The function type at index ti, or the empty type after an error. */
static const we_functype *
func_type(wd_ctx *c, uint32_t ti, size_t offset)
{
	if (ti >= c->m->ntypes) {
		invalid_at(c, offset, "unknown type %u", ti);
		return &empty_type;
	}
	if (c->m->typeinfo[ti].kind != WM_KIND_FUNC) {
		invalid_at(c, offset, "type %u is not a function type", ti);
		return &empty_type;
	}
	return &c->m->types[ti];
}

static bool
add_func(wd_ctx *c, uint32_t ti, size_t offset)
{
	we_module *m = c->m;
	wm_funcdef *f;

	if (!grow(c, (void **)&m->funcs, m->nfuncs, &c->funccap,
	        sizeof *m->funcs))
		return false;
	f = &m->funcs[m->nfuncs++];
	f->type = func_type(c, ti, offset);
	f->type_index = f->type == &empty_type ? 0 : ti;
	return true;
}

/* ---- Types, limits and constant expressions ----------------------------- */

static bool
read_limits(wd_ctx *c, we_limits *l)
{
	uint8_t flags;

	if (!wrd_u8(&c->r, &flags))
		return false;
	if (flags > 1) {
		c->r.p--;
		return wrd_fail(&c->r, WE_ERR_MALFORMED,
		    "malformed limits flags 0x%02x (integer %s)", flags,
		    flags & 0x80 ? "representation too long" : "too large");
	}
	l->has_max = flags == 1;
	l->max = 0;
	if (!wrd_u32(&c->r, &l->min))
		return false;
	if (l->has_max && !wrd_u32(&c->r, &l->max))
		return false;
	return true;
}

/*
 * Limits under 3.0's rules: flags 0 or 1 (with a maximum) for 32-bit
 * addresses, 4 or 5 for 64-bit ones (memory64, table64: *addr64 set),
 * then 64-bit sizes, at most cap32 or cap64 (else invalid: "WHAT size
 * must be at most CAP UNIT"). A size past 2^32 - 1 is kept as 2^32 - 1: more than any store
 * allows (WE_DEFAULT_MAX_PAGES pages; max_table_elems below 2^32 - 1), so
 * such a memory or table is valid but cannot be made.
 */
static bool
read_limits3(wd_ctx *c, we_limits *l, bool *addr64, uint64_t cap32,
    uint64_t cap64, const char *what, const char *unit)
{
	size_t off = wrd_offset(&c->r);
	uint64_t min, max = 0, cap;
	uint8_t flags;

	if (!wrd_u8(&c->r, &flags))
		return false;
	if (flags != 0 && flags != 1 && flags != 4 && flags != 5) {
		c->r.p--;
		return wrd_fail(&c->r, WE_ERR_MALFORMED,
		    "malformed limits flags 0x%02x (integer %s)", flags,
		    flags & 0x80 ? "representation too long" : "too large");
	}
	*addr64 = (flags & 4) != 0;
	l->has_max = (flags & 1) != 0;
	if (!wrd_u64(&c->r, &min) || (l->has_max && !wrd_u64(&c->r, &max)))
		return false;
	cap = *addr64 ? cap64 : cap32;
	if (min > cap || max > cap)
		invalid_at(c, off, "%s size must be at most %llu %s", what,
		    (unsigned long long)cap, unit);
	else if (l->has_max && min > max)
		invalid_at(
		    c, off, "size minimum must not be greater than maximum");
	l->min = min > UINT32_MAX ? UINT32_MAX : (uint32_t)min;
	l->max = max > UINT32_MAX ? UINT32_MAX : (uint32_t)max;
	return true;
}

static bool
read_tabletype(wd_ctx *c, we_tabletype *t)
{
	size_t off;

	if (!wrd_reftype(&c->r, &t->elem))
		return false;
	t->addr64 = false;
	if (!c->m->wasm2)
		return read_limits3(c, &t->limits, &t->addr64, UINT32_MAX,
		    UINT64_MAX, "table", "elements");
	off = wrd_offset(&c->r);
	if (!read_limits(c, &t->limits))
		return false;
	if (t->limits.has_max && t->limits.min > t->limits.max)
		invalid_at(
		    c, off, "size minimum must not be greater than maximum");
	return true;
}

static bool
read_memtype(wd_ctx *c, we_memtype *t)
{
	size_t off = wrd_offset(&c->r);
	we_limits *l = &t->limits;

	t->addr64 = false;
	if (!c->m->wasm2)
		return read_limits3(c, l, &t->addr64, WE_DEFAULT_MAX_PAGES,
		    (uint64_t)1 << 48, "memory", "pages");
	if (!read_limits(c, l))
		return false;
	if (l->min > WE_DEFAULT_MAX_PAGES ||
	    (l->has_max && l->max > WE_DEFAULT_MAX_PAGES))
		invalid_at(
		    c, off, "memory size must be at most 65536 pages (4GiB)");
	else if (l->has_max && l->min > l->max)
		invalid_at(
		    c, off, "size minimum must not be greater than maximum");
	return true;
}

static bool
read_globaltype(wd_ctx *c, we_globaltype *t)
{
	uint8_t mut;

	if (!wrd_valtype(&c->r, &t->type) || !wrd_u8(&c->r, &mut))
		return false;
	if (mut > 1) {
		c->r.p--;
		return wrd_fail(&c->r, WE_ERR_MALFORMED,
		    "malformed mutability 0x%02x", mut);
	}
	t->mutable_ = mut == 1;
	return true;
}

static bool
mark_declared(wd_ctx *c, uint32_t fi)
{
	we_module *m = c->m;

	if (m->func_declared == NULL) {
		m->func_declared = calloc(m->nfuncs ? m->nfuncs : 1, 1);
		if (m->func_declared == NULL)
			return nomem(c);
	}
	if (fi < m->nfuncs)
		m->func_declared[fi] = true;
	return true;
}

/*
 * Whether op is the first byte of some instruction (or of a prefix) of
 * opcodes.def, to tell a misplaced instruction (invalid) from an illegal
 * opcode (malformed).
 */
static bool
is_opcode(uint8_t op)
{
	return wx_opcode_byte(op);
}

/* Whether op starts an instruction allowed in a constant expression. */
static bool
is_const_opcode(uint8_t op)
{
	switch (op) {
	case WXC_I32_CONST:
	case WXC_I64_CONST:
	case WXC_F32_CONST:
	case WXC_F64_CONST:
	case WXC_GLOBAL_GET:
	case WXC_REF_NULL:
	case WXC_REF_FUNC: return true;
	default: return false;
	}
}

/* v128.const (0xfd 12, then 16 bytes) after its 0xfd, into e. */
static bool
read_v128_const(wd_ctx *c, wm_constexpr *e, size_t off)
{
	uint32_t sub;

	if (!wrd_u32(&c->r, &sub))
		return false;
	if (sub != 12)
		return stop_invalid(
		    c, off, "constant expression required", 0xfd);
	if (wrd_left(&c->r) < 16)
		return wrd_fail(&c->r, WE_ERR_MALFORMED, "unexpected end");
	e->op = WM_CONST_V128;
	e->type = WE_V128;
	memcpy(&e->bits, c->r.p, 8);
	memcpy(&e->bits_hi, c->r.p + 8, 8);
	c->r.p += 16;
	return true;
}

/* The first instruction of a constant expression, into e. */
static bool
read_const_instr(wd_ctx *c, wm_constexpr *e, uint32_t nglobals_visible)
{
	we_module *m = c->m;
	size_t off = wrd_offset(&c->r);
	uint8_t op;
	int32_t i32;
	int64_t i64;
	uint32_t u32;

	if (!wrd_u8(&c->r, &op))
		return false;
	switch (op) {
	case WXC_I32_CONST:
		e->op = WM_CONST_I32, e->type = WE_I32;
		if (!wrd_s32(&c->r, &i32))
			return false;
		e->bits = (uint32_t)i32;
		return true;
	case WXC_I64_CONST:
		e->op = WM_CONST_I64, e->type = WE_I64;
		if (!wrd_s64(&c->r, &i64))
			return false;
		e->bits = (uint64_t)i64;
		return true;
	case WXC_F32_CONST:
		e->op = WM_CONST_F32, e->type = WE_F32;
		if (!wrd_f32(&c->r, &u32))
			return false;
		e->bits = u32;
		return true;
	case WXC_F64_CONST:
		e->op = WM_CONST_F64, e->type = WE_F64;
		return wrd_f64(&c->r, &e->bits);
	case WXC_REF_NULL:
		e->op = WM_CONST_REFNULL;
		return wrd_heaptype(&c->r, &e->type);
	case WXC_REF_FUNC:
		e->op = WM_CONST_REFFUNC, e->type = WE_FUNCREF;
		if (!wrd_u32(&c->r, &e->index))
			return false;
		if (e->index >= m->nfuncs)
			invalid_at(c, off, "unknown function %u", e->index);
		else
			e->type = (we_valtype)(WE_REF_NONNULL |
			    WE_REF_TYPE(m->funcs[e->index].type_index));
		return mark_declared(c, e->index);
	case WXC_GLOBAL_GET:
		e->op = WM_CONST_GLOBAL;
		if (!wrd_u32(&c->r, &e->index))
			return false;
		if (e->index >= nglobals_visible) {
			invalid_at(c, off, "unknown global %u", e->index);
			e->type = WE_I32;
			return true;
		}
		e->type = m->globals[e->index].type.type;
		if (m->globals[e->index].type.mutable_)
			invalid_at(c, off,
			    "constant expression required (global %u is "
			    "mutable)",
			    e->index);
		return true;
	case WXC_END:
		c->r.p--;
		invalid_at(c, off, "type mismatch (empty constant expression)");
		return true;
	case 0xfd: return read_v128_const(c, e, off);
	default:
		if (!is_opcode(op))
			return wrd_fail_at(&c->r, off, WE_ERR_MALFORMED,
			    "illegal opcode 0x%02x", op);
		/* Decoding cannot go on past an instruction of a body. */
		return stop_invalid(c, off, "constant expression required", op);
	}
}

/*
 * How many globals the constant expressions of element and data segments
 * may name: every one (3.0), or the imported ones (2.0).
 */
static uint32_t
segment_globals(const wd_ctx *c)
{
	return c->m->wasm2 ? c->m->nglobal_imports : c->m->nglobals;
}

/* The result type of an extended-constant operation (3.0), or 0. */
static we_valtype
extended_const_type(uint8_t op)
{
	switch (op) {
	case WXC_I32_ADD:
	case WXC_I32_SUB:
	case WXC_I32_MUL: return WE_I32;
	case WXC_I64_ADD:
	case WXC_I64_SUB:
	case WXC_I64_MUL: return WE_I64;
	default: return (we_valtype)0;
	}
}

/*
 * The operand types of a constant expression being validated: at most
 * WM_CONSTEXPR_MAX_DEPTH of them, so evaluating needs no allocation.
 */
typedef struct const_stack {
	we_valtype types[WM_CONSTEXPR_MAX_DEPTH];
	uint32_t n;
	bool mismatch; /* an operation found other operands than it needs */
	bool v128;     /* a GC instruction took a v128 operand */
} const_stack;

/* An extended-constant operation of type t on the stack's top two. */
static void
const_binop(const_stack *st, we_valtype t)
{
	if (st->n < 2 || st->types[st->n - 1] != t || st->types[st->n - 2] != t)
		st->mismatch = true;
	if (st->n >= 2)
		st->n--;
	else
		st->n = 1;
	st->types[st->n - 1] = t;
}

/* Pops an operand of type want (a mismatch when it is not one). */
static void
const_pop(wd_ctx *c, const_stack *st, we_valtype want)
{
	if (st->n < 1) {
		st->mismatch = true;
		return;
	}
	st->n--;
	/* The evaluator's stack holds 64 bits a value: no v128 operand. */
	if (st->types[st->n] == WE_V128 && want == WE_V128)
		st->v128 = true;
	else if (!wm_subtype(c->m, st->types[st->n], want))
		st->mismatch = true;
}

/* A type index of kind (a wm_typekind) in a constant expression. */
static bool
const_gc_type(wd_ctx *c, size_t off, uint32_t *x, uint8_t kind)
{
	if (!wrd_u32(&c->r, x))
		return false;
	if (*x >= c->m->ntypes || c->m->typeinfo[*x].kind != kind) {
		invalid_at(c, off, "unknown %s type %u",
		    kind == WM_KIND_STRUCT ? "struct" : "array", *x);
		*x = UINT32_MAX;
	}
	return true;
}

/*
 * A GC instruction (0xfb, 3.0) in a constant expression, after its 0xfb:
 * ref.i31, struct.new(_default), array.new(_default, _fixed),
 * any.convert_extern and extern.convert_any.
 */
static bool
const_gc(wd_ctx *c, const_stack *st)
{
	size_t off = wrd_offset(&c->r) - 1;
	uint32_t sub, x = UINT32_MAX, n;
	we_valtype t, push;

	if (!wrd_u32(&c->r, &sub))
		return false;
	switch (sub) {
	case 0x1c: /* ref.i31 */
		const_pop(c, st, WE_I32);
		push = (we_valtype)(WE_I31REF | WE_REF_NONNULL);
		break;
	case 0x00: /* struct.new */
	case 0x01: /* struct.new_default */
		if (!const_gc_type(c, off, &x, WM_KIND_STRUCT))
			return false;
		if (x == UINT32_MAX)
			return true;
		for (uint32_t i = c->m->types[x].nparams; i-- > 0;) {
			t = wm_unpacked(c->m->types[x].params[i]);
			if (sub == 0)
				const_pop(c, st, t);
			else if (wr_is_ref(t) && (t & WE_REF_NONNULL))
				st->mismatch = true; /* no default */
		}
		push = (we_valtype)(WE_REF_TYPE(x) | WE_REF_NONNULL);
		break;
	case 0x06: /* array.new */
	case 0x07: /* array.new_default */
	case 0x08: /* array.new_fixed */
		if (!const_gc_type(c, off, &x, WM_KIND_ARRAY))
			return false;
		if (sub == 0x08 && !wrd_u32(&c->r, &n))
			return false;
		if (x == UINT32_MAX)
			return true;
		t = wm_unpacked(c->m->types[x].params[0]);
		if (sub == 0x08) {
			if (n > st->n)
				st->mismatch = true;
			for (uint32_t i = 0; i < n && st->n > 0; i++)
				const_pop(c, st, t);
		} else {
			const_pop(c, st, WE_I32);
			if (sub == 0x06)
				const_pop(c, st, t);
			else if (wr_is_ref(t) && (t & WE_REF_NONNULL))
				st->mismatch = true;
		}
		push = (we_valtype)(WE_REF_TYPE(x) | WE_REF_NONNULL);
		break;
	case 0x1a: /* any.convert_extern */
	case 0x1b: /* extern.convert_any */
		t = st->n > 0 ? st->types[st->n - 1] : WE_I32;
		const_pop(c, st, sub == 0x1a ? WE_EXTERNREF : WE_ANYREF);
		push = sub == 0x1a ? WE_ANYREF : WE_EXTERNREF;
		if (wr_is_ref(t) && (t & WE_REF_NONNULL))
			push = (we_valtype)(push | WE_REF_NONNULL);
		break;
	default:
		return stop_invalid(
		    c, off, "constant expression required", 0xfb);
	}
	if (st->n == WM_CONSTEXPR_MAX_DEPTH)
		return wrd_fail(&c->r, WE_ERR_LIMIT,
		    "constant expression deeper than %u operands",
		    WM_CONSTEXPR_MAX_DEPTH);
	st->types[st->n++] = push;
	return true;
}

/*
 * The instructions of a constant expression after its first one (in e),
 * through its end, on the type stack st. One that is not constant stops
 * decoding (see stop_invalid).
 */
static bool
read_const_rest(
    wd_ctx *c, const_stack *st, bool *longer, uint32_t nglobals_visible)
{
	wm_constexpr extra;
	we_valtype t;
	uint8_t op;

	for (;;) {
		if (!wrd_u8(&c->r, &op))
			return false;
		if (op == WXC_END)
			return true;
		*longer = true;
		if (!is_opcode(op))
			return wrd_fail_at(&c->r, wrd_offset(&c->r) - 1,
			    WE_ERR_MALFORMED, "illegal opcode 0x%02x", op);
		t = c->m->wasm2 ? (we_valtype)0 : extended_const_type(op);
		if (t != 0) {
			const_binop(st, t);
			continue;
		}
		if (op == 0xfb && !c->m->wasm2) {
			if (!const_gc(c, st))
				return false;
			continue;
		}
		if (!is_const_opcode(op))
			return stop_invalid(c, wrd_offset(&c->r) - 1,
			    "constant expression required", op);
		c->r.p--;
		if (!read_const_instr(c, &extra, nglobals_visible))
			return false;
		if (st->n == WM_CONSTEXPR_MAX_DEPTH)
			return wrd_fail(&c->r, WE_ERR_LIMIT,
			    "constant expression deeper than %u operands",
			    WM_CONSTEXPR_MAX_DEPTH);
		st->types[st->n++] = extra.type;
	}
}

/*
 * A constant expression producing type want, up to and including its
 * `end`. nglobals_visible is how many globals global.get may name: in 2.0
 * only the imported ones; in 3.0 those before the global being defined,
 * or every global in a segment's expressions.
 */
static bool
read_constexpr(
    wd_ctx *c, wm_constexpr *e, we_valtype want, uint32_t nglobals_visible)
{
	size_t off = wrd_offset(&c->r);
	const uint8_t *start = c->r.p;
	const_stack st;
	bool longer = false;

	memset(e, 0, sizeof *e);
	e->type = want;
	st.mismatch = false;
	st.v128 = false;
	if (wrd_left(&c->r) > 0 && *c->r.p == 0xfb && !c->m->wasm2) {
		/* A GC instruction that needs no operand first
		   (struct.new_default, array.new_fixed $t 0...). */
		st.n = 0;
		longer = true;
	} else {
		if (!read_const_instr(c, e, nglobals_visible))
			return false;
		st.n = 1;
		st.types[0] = e->type;
	}
	if (!read_const_rest(c, &st, &longer, nglobals_visible))
		return false;
	if (st.n == 0)
		invalid_at(c, off, "type mismatch (empty constant expression)");
	else if (st.v128 && !st.mismatch)
		invalid_at(c, off,
		    "a GC object with a v128 field or element in a constant "
		    "expression is not supported yet");
	else if (st.n > 1)
		invalid_at(c, off,
		    "type mismatch (constant expression leaves %u values)",
		    st.n);
	else if (st.mismatch || !wm_subtype(c->m, st.types[0], want))
		invalid_at(c, off, "type mismatch (expected %s, got %s)",
		    we_valtype_name(want), we_valtype_name(st.types[0]));
	else if (longer) {
		e->op = WM_CONST_EXPR;
		e->type = want;
		e->expr = start;
	}
	return true;
}

/* ---- Sections ------------------------------------------------------------ */

static bool
read_valtypes(wd_ctx *c, uint32_t n, we_valtype *out)
{
	for (uint32_t i = 0; i < n; i++)
		if (!wrd_valtype(&c->r, &out[i]))
			return false;
	return true;
}

/* Reads n value types without keeping them. */
static bool
skim_valtypes(wd_ctx *c, uint32_t n)
{
	we_valtype t;

	for (uint32_t i = 0; i < n; i++)
		if (!wrd_valtype(&c->r, &t))
			return false;
	return true;
}

static bool
read_functype(wd_ctx *c, we_functype *t)
{
	uint32_t np, nr;
	we_valtype *vals;
	const uint8_t *save;
	uint8_t form;

	if (!wrd_u8(&c->r, &form))
		return false;
	if (form != 0x60) {
		c->r.p--;
		return wrd_fail(&c->r, WE_ERR_MALFORMED,
		    "malformed function type form 0x%02x%s", form,
		    form & 0x80 ? " (integer representation too long)" : "");
	}
	/*
	 * Parameters, then results: read both once to check them (and find
	 * any error where a plain reading would), then allocate once.
	 */
	save = c->r.p;
	if (!wrd_count(&c->r, 1, &np) || !skim_valtypes(c, np) ||
	    !wrd_count(&c->r, 1, &nr) || !skim_valtypes(c, nr))
		return false;
	c->r.p = save;
	wrd_u32(&c->r, &np);
	vals = malloc(((size_t)np + nr + 1) * sizeof *vals);
	if (vals == NULL)
		return nomem(c);
	t->params = vals;
	t->results = vals + np;
	if (!read_valtypes(c, np, vals) || !wrd_u32(&c->r, &nr) ||
	    !read_valtypes(c, nr, vals + np))
		return false;
	t->nparams = np;
	t->nresults = nr;
	return true;
}

/*
 * A field's storage type (a value type, or i8 or i16) and mutability,
 * as module.h's WM_FIELD_MUT says.
 */
static bool
read_field(wd_ctx *c, we_valtype *out)
{
	uint8_t mut;

	if (c->r.p < c->r.end &&
	    (*c->r.p == WM_PACKED_I8 || *c->r.p == WM_PACKED_I16))
		*out = (we_valtype)*c->r.p++;
	else if (!wrd_valtype(&c->r, out))
		return false;
	if (!wrd_u8(&c->r, &mut))
		return false;
	if (mut > 1) {
		c->r.p--;
		return wrd_fail(
		    &c->r, WE_ERR_MALFORMED, "malformed mutability");
	}
	if (mut)
		*out = (we_valtype)(*out | WM_FIELD_MUT);
	return true;
}

/* A struct type's fields (0x5f), or an array type's element (0x5e). */
static bool
read_fields(wd_ctx *c, we_functype *t, bool array)
{
	uint32_t n = 1;
	we_valtype *fields;
	const uint8_t *save;
	we_valtype f;

	if (!array && !wrd_count(&c->r, 1, &n))
		return false;
	/* Read once to check (as read_functype), then once to keep. */
	save = c->r.p;
	for (uint32_t k = 0; k < n; k++)
		if (!read_field(c, &f))
			return false;
	c->r.p = save;
	fields = malloc(((size_t)n + 1) * sizeof *fields);
	if (fields == NULL)
		return nomem(c);
	t->params = fields;
	t->results = fields + n;
	for (uint32_t k = 0; k < n; k++)
		read_field(c, &fields[k]);
	t->nparams = n;
	t->nresults = 0;
	return true;
}

/* A composite type: a function (0x60), struct (0x5f) or array (0x5e). */
static bool
read_comptype(wd_ctx *c, we_functype *t, wm_typeinfo *ti)
{
	if (c->r.p < c->r.end && (*c->r.p == 0x5f || *c->r.p == 0x5e)) {
		bool array = *c->r.p++ == 0x5e;
		ti->kind = array ? WM_KIND_ARRAY : WM_KIND_STRUCT;
		return read_fields(c, t, array);
	}
	return read_functype(c, t);
}

/* ---- The type section: rec groups (rectype.c) ---------------------------- */

/*
 * The canonical rec groups seen so far, by hash (open addressing; an
 * entry is a group's first type index + 1, 0 when free; slots is a power
 * of two, at most half full). Comparing types recursively instead would
 * take exponential time on a crafted chain.
 */
typedef struct groupindex {
	uint32_t *slot; /* own */
	uint32_t slots, n;
} groupindex;

/* The slot holding a group equivalent to [start, start + n), or the free
 * slot where it belongs. */
static uint32_t
group_find(const we_module *m, const groupindex *gi, uint32_t start, uint32_t n)
{
	return wm_group_find(
	    gi->slot, gi->slots, m->types, m->typeinfo, start, n);
}

/* Doubles the index and re-inserts the canonical groups before end. */
static bool
groupindex_grow(wd_ctx *c, groupindex *gi, uint32_t end)
{
	const we_module *m = c->m;
	uint32_t slots = gi->slots ? gi->slots * 2 : 16;
	uint32_t *slot = calloc(slots, sizeof *slot);

	if (slot == NULL)
		return nomem(c);
	free(gi->slot);
	gi->slot = slot;
	gi->slots = slots;
	for (uint32_t i = 0; i < end; i += m->typeinfo[i].group_n)
		if (m->type_canon[i] == i)
			gi->slot[group_find(m, gi, i, m->typeinfo[i].group_n)] =
			    i + 1;
	return true;
}

/* Rewrites each type index of value type *v in [from, from + n) to to + its
 * offset, and any other below from to its canonical index. */
static void
rewrite_valtype(
    we_module *m, we_valtype *v, uint32_t from, uint32_t n, uint32_t to)
{
	uint32_t x;

	if (!(*v & WE_REF_TYPEIDX))
		return;
	x = WE_REF_TYPE_INDEX(*v);
	x = x - from < n ? to + (x - from) : x < from ? m->type_canon[x] : x;
	*v = (we_valtype)((*v & (WE_REF_NONNULL | WM_FIELD_MUT)) |
	    WE_REF_TYPE(x));
}

/* rewrite_valtype over every type index of the group [start, start + n). */
static void
rewrite_group(we_module *m, uint32_t start, uint32_t n, uint32_t to)
{
	for (uint32_t i = start; i < start + n; i++) {
		we_functype *t = &m->types[i];
		/* own, see read_functype: params and results in one array */
		we_valtype *v = (we_valtype *)t->params;
		uint32_t *super = &m->typeinfo[i].super;
		for (uint32_t k = 0; k < t->nparams + t->nresults; k++)
			rewrite_valtype(m, &v[k], start, n, to);
		if (*super != WM_NO_SUPER)
			*super = *super - start < n ? to + (*super - start)
			    : *super < start        ? m->type_canon[*super]
			                            : *super;
	}
}

/*
 * Fills type_canon for the group [start, start + n) (see module.h): its
 * outside indices become canonical, then it is looked up among the
 * groups before it, and its inside indices name the canonical group's.
 */
static bool
canonicalize_group(wd_ctx *c, groupindex *gi, uint32_t start, uint32_t n)
{
	we_module *m = c->m;
	uint32_t slot, rep;

	rewrite_group(m, start, n, start);
	if (gi->n + 1 > gi->slots / 2 && !groupindex_grow(c, gi, start))
		return false;
	slot = group_find(m, gi, start, n);
	if (gi->slot[slot] == 0) {
		gi->slot[slot] = start + 1;
		gi->n++;
	}
	rep = gi->slot[slot] - 1;
	for (uint32_t k = 0; k < n; k++)
		m->type_canon[start + k] = rep + k;
	if (rep != start)
		rewrite_group(m, start, n, rep);
	return true;
}

/*
 * Checks the declared supertype of each type of the group [start, start +
 * n) once the group is canonical: not final, and a type of the same
 * kind that the type matches (wm_type_sub).
 */
static void
check_supers(wd_ctx *c, uint32_t start, uint32_t n, size_t off)
{
	const we_module *m = c->m;

	for (uint32_t i = start; i < start + n; i++) {
		uint32_t super = m->typeinfo[i].super;
		if (super == WM_NO_SUPER)
			continue;
		if (m->typeinfo[super].final)
			invalid_at(c, off,
			    "sub type %u: its supertype %u is final", i, super);
		else if (!wm_type_sub(m->typeinfo, m->type_canon, i,
		             &m->types[i], super, &m->types[super]))
			invalid_at(c, off,
			    "sub type %u does not match its supertype %u", i,
			    super);
	}
}

/*
 * The supertypes of type i after 0x50 (sub) or 0x4f (sub final): at most
 * one, declared before i. A wrong one is reported and not kept.
 */
static bool
read_supers(wd_ctx *c, uint32_t i, wm_typeinfo *ti)
{
	size_t off = wrd_offset(&c->r);
	uint32_t n, x;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	for (uint32_t k = 0; k < n; k++) {
		if (!wrd_u32(&c->r, &x))
			return false;
		if (k > 0)
			invalid_at(
			    c, off, "sub type %u: more than one supertype", i);
		else if (x >= i)
			invalid_at(c, off,
			    "unknown type %u (the supertype of type %u must "
			    "come before it)",
			    x, i);
		else
			ti->super = x;
	}
	return true;
}

/* Type i: sub, sub final, or a plain function type (final). */
static bool
read_subtype(wd_ctx *c, uint32_t i)
{
	we_module *m = c->m;
	wm_typeinfo *ti = &m->typeinfo[i];

	ti->super = WM_NO_SUPER;
	ti->final = true;
	if (c->r.p < c->r.end && (*c->r.p == 0x50 || *c->r.p == 0x4f)) {
		ti->final = *c->r.p++ == 0x4f;
		if (!read_supers(c, i, ti))
			return false;
	}
	return read_comptype(c, &m->types[i], ti);
}

/* Room for type m->ntypes: its structure, its info and its canonical index. */
static bool
grow_types(wd_ctx *c)
{
	we_module *m = c->m;
	uint32_t cap = c->typecap;

	if (!grow(c, (void **)&m->types, m->ntypes, &c->typecap,
	        sizeof *m->types))
		return false;
	if (cap == c->typecap && m->typeinfo != NULL)
		return true;
	cap = c->typecap;
	wm_typeinfo *ti = realloc(m->typeinfo, cap * sizeof *ti);
	if (ti == NULL)
		return nomem(c);
	m->typeinfo = ti;
	uint32_t *canon = realloc(m->type_canon, cap * sizeof *canon);
	if (canon == NULL)
		return nomem(c);
	m->type_canon = canon;
	return true;
}

/* One entry of the type section: a rec group (0x4e) or a single subtype. */
static bool
read_rectype(wd_ctx *c, groupindex *gi)
{
	we_module *m = c->m;
	uint32_t n = 1, start = m->ntypes;
	size_t off = wrd_offset(&c->r);

	if (c->r.p < c->r.end && *c->r.p == 0x4e) {
		c->r.p++;
		if (!wrd_count(&c->r, 1, &n))
			return false;
	}
	/* A group's types name each other and the types before it. */
	c->r.ntypes = start + n;
	for (uint32_t k = 0; k < n; k++) {
		where_item(c, "type", start + k);
		if (!grow_types(c))
			return false;
		m->typeinfo[start + k] =
		    (wm_typeinfo){WM_NO_SUPER, start, n, true, WM_KIND_FUNC};
		m->type_canon[start + k] = start + k;
		if (!read_subtype(c, m->ntypes++))
			return false;
	}
	if (n == 0)
		return true;
	if (!canonicalize_group(c, gi, start, n))
		return false;
	check_supers(c, start, n, off);
	return true;
}

static bool
sec_type(wd_ctx *c)
{
	groupindex gi = {NULL, 0, 0};
	uint32_t n;
	bool ok = true;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	for (uint32_t i = 0; i < n && ok; i++)
		ok = read_rectype(c, &gi);
	free(gi.slot);
	c->r.ntypes = c->m->ntypes;
	return ok;
}

static bool add_tag(wd_ctx *c);

static bool
import_desc(wd_ctx *c, wm_import *imp, uint8_t kind, size_t off)
{
	we_module *m = c->m;
	uint32_t ti;

	switch (kind) {
	case WE_EXTERN_FUNC:
		if (!wrd_u32(&c->r, &ti))
			return false;
		imp->index = m->nfuncs;
		m->nfunc_imports++;
		return add_func(c, ti, off);
	case WE_EXTERN_TABLE:
		if (!grow(c, (void **)&m->tables, m->ntables, &c->tablecap,
		        sizeof *m->tables))
			return false;
		imp->index = m->ntables;
		m->ntable_imports++;
		return read_tabletype(c, &m->tables[m->ntables++]);
	case WE_EXTERN_MEMORY:
		if (!grow(c, (void **)&m->mems, m->nmems, &c->memcap,
		        sizeof *m->mems))
			return false;
		imp->index = m->nmems;
		m->nmem_imports++;
		if (m->nmems >= 1 && m->wasm2)
			invalid_at(c, off, "multiple memories");
		return read_memtype(c, &m->mems[m->nmems++]);
	case WE_EXTERN_GLOBAL:
		if (!grow(c, (void **)&m->globals, m->nglobals, &c->globalcap,
		        sizeof *m->globals))
			return false;
		imp->index = m->nglobals;
		m->nglobal_imports++;
		return read_globaltype(c, &m->globals[m->nglobals++].type);
	case WE_EXTERN_TAG:
		imp->index = m->ntags;
		m->ntag_imports++;
		return add_tag(c);
	default:
		c->r.p--;
		return wrd_fail(&c->r, WE_ERR_MALFORMED,
		    "malformed import kind 0x%02x", kind);
	}
}

static bool
sec_import(wd_ctx *c)
{
	we_module *m = c->m;
	wm_import *imp;
	uint32_t n;
	uint8_t kind;
	size_t off;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		where_item(c, "import", i);
		if (!grow(c, (void **)&m->imports, m->nimports, &c->importcap,
		        sizeof *m->imports))
			return false;
		imp = &m->imports[m->nimports++];
		off = wrd_offset(&c->r);
		if (!wrd_name(&c->r, &imp->module, NULL) ||
		    !wrd_name(&c->r, &imp->name, NULL) || !wrd_u8(&c->r, &kind))
			return false;
		imp->kind = (we_externkind)kind;
		if (!import_desc(c, imp, kind, off))
			return false;
	}
	return true;
}

static bool
sec_function(wd_ctx *c)
{
	uint32_t n, ti;
	size_t off;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	c->nfuncsec = n;
	for (uint32_t i = 0; i < n; i++) {
		where_item(c, "function", c->m->nfuncs);
		off = wrd_offset(&c->r);
		if (!wrd_u32(&c->r, &ti) || !add_func(c, ti, off))
			return false;
	}
	return true;
}

/*
 * A table of the table section: its type, or (3.0) 0x40 0x00, its type
 * and the expression of its initial element, which a table of
 * non-nullable references must have.
 */
static bool
read_table(wd_ctx *c, we_tabletype *t, wm_constexpr *init)
{
	size_t off = wrd_offset(&c->r);
	uint8_t zero;

	memset(init, 0, sizeof *init);
	init->op = WM_CONST_REFNULL;
	if (c->r.p < c->r.end && *c->r.p == 0x40) {
		c->r.p++;
		if (!wrd_u8(&c->r, &zero))
			return false;
		if (zero != 0)
			return wrd_fail(&c->r, WE_ERR_MALFORMED,
			    "malformed table type 0x40 0x%02x", zero);
		return read_tabletype(c, t) &&
		    read_constexpr(c, init, t->elem, c->m->nglobals);
	}
	if (!read_tabletype(c, t))
		return false;
	init->type = t->elem;
	if (t->elem & WE_REF_NONNULL)
		invalid_at(c, off,
		    "type mismatch (a table of %s needs an initial element)",
		    we_valtype_name(t->elem));
	return true;
}

static bool
sec_table(wd_ctx *c)
{
	we_module *m = c->m;
	uint32_t n;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		where_item(c, "table", m->ntables);
		if (!grow(c, (void **)&m->tables, m->ntables, &c->tablecap,
		        sizeof *m->tables) ||
		    !grow(c, (void **)&m->table_inits, i, &c->tableinitcap,
		        sizeof *m->table_inits))
			return false;
		if (!read_table(
		        c, &m->tables[m->ntables++], &m->table_inits[i]))
			return false;
	}
	return true;
}

static bool
sec_memory(wd_ctx *c)
{
	we_module *m = c->m;
	uint32_t n;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		where_item(c, "memory", m->nmems);
		if (m->nmems >= 1 && m->wasm2)
			invalid_at(c, wrd_offset(&c->r), "multiple memories");
		if (!grow(c, (void **)&m->mems, m->nmems, &c->memcap,
		        sizeof *m->mems))
			return false;
		if (!read_memtype(c, &m->mems[m->nmems++]))
			return false;
	}
	return true;
}

/* A tag (3.0): attribute 0 (an exception), then a type with no results. */
static bool
add_tag(wd_ctx *c)
{
	we_module *m = c->m;
	size_t off = wrd_offset(&c->r);
	uint8_t attribute;
	uint32_t ti;
	wm_tag *t;

	if (!wrd_u8(&c->r, &attribute) || !wrd_u32(&c->r, &ti))
		return false;
	if (attribute != 0)
		return wrd_fail_at(&c->r, off, WE_ERR_MALFORMED,
		    "malformed tag attribute 0x%02x", attribute);
	if (!grow(c, (void **)&m->tags, m->ntags, &c->tagcap, sizeof *m->tags))
		return false;
	t = &m->tags[m->ntags++];
	t->type = func_type(c, ti, off);
	t->type_index = t->type == &empty_type ? 0 : ti;
	if (t->type->nresults != 0)
		invalid_at(c, off, "non-empty tag result type");
	return true;
}

static bool
sec_tag(wd_ctx *c)
{
	uint32_t n;

	if (!wrd_count(&c->r, 2, &n))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		where_item(c, "tag", c->m->ntags);
		if (!add_tag(c))
			return false;
	}
	return true;
}

static bool
sec_global(wd_ctx *c)
{
	we_module *m = c->m;
	uint32_t n, nimported = m->nglobals;
	wm_global *g;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		where_item(c, "global", m->nglobals);
		if (!grow(c, (void **)&m->globals, m->nglobals, &c->globalcap,
		        sizeof *m->globals))
			return false;
		g = &m->globals[m->nglobals++];
		if (!read_globaltype(c, &g->type) ||
		    !read_constexpr(c, &g->init, g->type.type,
		        m->wasm2 ? nimported : m->nglobals - 1))
			return false;
	}
	return true;
}

static uint32_t
kind_count(const we_module *m, we_externkind kind)
{
	switch (kind) {
	case WE_EXTERN_FUNC: return m->nfuncs;
	case WE_EXTERN_TABLE: return m->ntables;
	case WE_EXTERN_MEMORY: return m->nmems;
	case WE_EXTERN_GLOBAL: return m->nglobals;
	case WE_EXTERN_TAG: return m->ntags;
	}
	return 0;
}

/* An export name with its byte length, for the duplicate check. */
typedef struct wd_name {
	const char *s;
	uint32_t len;
	size_t offset;
} wd_name;

static int
name_cmp(const void *a, const void *b)
{
	const wd_name *x = a, *y = b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->s, y->s, n);

	if (r != 0)
		return r;
	return (x->len > y->len) - (x->len < y->len);
}

static bool
check_unique_exports(wd_ctx *c, wd_name *names, uint32_t n)
{
	if (n < 2)
		return true;
	qsort(names, n, sizeof *names, name_cmp);
	for (uint32_t i = 1; i < n; i++)
		if (name_cmp(&names[i - 1], &names[i]) == 0) {
			invalid_at(c, names[i].offset,
			    "duplicate export name \"%s\"", names[i].s);
			break;
		}
	return true;
}

static bool
read_export(wd_ctx *c, wm_export *e, wd_name *nm)
{
	size_t off = wrd_offset(&c->r);
	uint8_t kind;

	nm->offset = off;
	if (!wrd_name(&c->r, &e->name, &nm->len))
		return false;
	nm->s = e->name;
	e->name_len = nm->len;
	if (!wrd_u8(&c->r, &kind))
		return false;
	if (kind > WE_EXTERN_TAG) {
		c->r.p--;
		return wrd_fail(&c->r, WE_ERR_MALFORMED,
		    "malformed export kind 0x%02x", kind);
	}
	e->kind = (we_externkind)kind;
	if (!wrd_u32(&c->r, &e->index))
		return false;
	if (e->index >= kind_count(c->m, e->kind))
		invalid_at(c, off, "unknown %s %u", kind_names[kind], e->index);
	if (e->kind == WE_EXTERN_FUNC)
		return mark_declared(c, e->index);
	return true;
}

static bool
sec_export(wd_ctx *c)
{
	we_module *m = c->m;
	wd_name *names = NULL;
	uint32_t n, namecap = 0;
	bool ok = true;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	for (uint32_t i = 0; i < n && ok; i++) {
		where_item(c, "export", i);
		ok = grow(c, (void **)&m->exports, m->nexports, &c->exportcap,
		         sizeof *m->exports) &&
		    grow(c, (void **)&names, i, &namecap, sizeof *names);
		if (ok)
			ok = read_export(
			    c, &m->exports[m->nexports++], &names[i]);
	}
	c->r.where = section_names[c->sec];
	if (ok)
		check_unique_exports(c, names, n);
	free(names);
	return ok;
}

static bool
sec_start(wd_ctx *c)
{
	we_module *m = c->m;
	size_t off = wrd_offset(&c->r);
	const we_functype *t;

	if (!wrd_u32(&c->r, &m->start))
		return false;
	m->has_start = true;
	if (m->start >= m->nfuncs)
		return invalid_at(c, off, "unknown function %u", m->start);
	t = m->funcs[m->start].type;
	if (t->nparams != 0 || t->nresults != 0)
		invalid_at(c, off, "start function %u must have type [] -> []",
		    m->start);
	return true;
}

/* The items of an element segment given as function indices. */
static bool
elem_funcidx_items(wd_ctx *c, wm_elem *e)
{
	uint32_t n, cap = 0;
	wm_constexpr *x;
	size_t off;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		if (!grow(c, (void **)&e->items, e->count, &cap, sizeof *x))
			return false;
		x = &e->items[e->count++];
		off = wrd_offset(&c->r);
		x->op = WM_CONST_REFFUNC;
		x->type = WE_FUNCREF;
		if (!wrd_u32(&c->r, &x->index))
			return false;
		if (x->index >= c->m->nfuncs)
			invalid_at(c, off, "unknown function %u", x->index);
		if (!mark_declared(c, x->index))
			return false;
	}
	return true;
}

/* The items of an element segment given as constant expressions. */
static bool
elem_expr_items(wd_ctx *c, wm_elem *e)
{
	uint32_t n, cap = 0;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		if (!grow(c, (void **)&e->items, e->count, &cap,
		        sizeof *e->items))
			return false;
		if (!read_constexpr(
		        c, &e->items[e->count++], e->type, segment_globals(c)))
			return false;
	}
	return true;
}

static bool
elem_kind(wd_ctx *c)
{
	uint8_t k;

	if (!wrd_u8(&c->r, &k))
		return false;
	if (k != 0x00) {
		c->r.p--;
		return wrd_fail(&c->r, WE_ERR_MALFORMED,
		    "malformed element kind 0x%02x", k);
	}
	return true;
}

static bool
elem_active_offset(wd_ctx *c, wm_elem *e, bool explicit_table)
{
	size_t off = wrd_offset(&c->r);
	we_valtype at = WE_I32; /* the type of its table's indices */

	e->mode = WM_SEG_ACTIVE;
	if (explicit_table && !wrd_u32(&c->r, &e->table))
		return false;
	if (e->table >= c->m->ntables)
		invalid_at(c, off, "unknown table %u", e->table);
	else if (c->m->tables[e->table].addr64)
		at = WE_I64;
	return read_constexpr(c, &e->offset, at, segment_globals(c));
}

/*
 * One element segment. Flags bit 0: passive or declarative; bit 1: an
 * explicit table index (active) or declarative (otherwise); bit 2: items
 * are expressions rather than function indices.
 */
static bool
read_elem(wd_ctx *c, wm_elem *e)
{
	size_t off = wrd_offset(&c->r);
	uint32_t flags;
	bool ok;

	if (!wrd_u32(&c->r, &flags))
		return false;
	if (flags > 7) {
		return wrd_fail_at(&c->r, off, WE_ERR_MALFORMED,
		    "malformed elements segment kind %u", flags);
	}
	e->type = WE_FUNCREF;
	if (!(flags & 1)) {
		if (!elem_active_offset(c, e, flags & 2))
			return false;
	} else {
		e->mode = (flags & 2) ? WM_SEG_DECLARATIVE : WM_SEG_PASSIVE;
	}
	if (flags & 3) {
		ok = (flags & 4) ? wrd_reftype(&c->r, &e->type) : elem_kind(c);
		if (!ok)
			return false;
	}
	/* Function indices are never null: (ref func) (3.0). */
	if (!(flags & 4))
		e->type = (we_valtype)(WE_FUNCREF | WE_REF_NONNULL);
	ok = (flags & 4) ? elem_expr_items(c, e) : elem_funcidx_items(c, e);
	if (ok && e->mode == WM_SEG_ACTIVE && e->table < c->m->ntables &&
	    !wm_subtype(c->m, e->type, c->m->tables[e->table].elem))
		invalid_at(c, off,
		    "type mismatch (segment of %s in table of %s)",
		    we_valtype_name(e->type),
		    we_valtype_name(c->m->tables[e->table].elem));
	return ok;
}

static bool
sec_element(wd_ctx *c)
{
	we_module *m = c->m;
	uint32_t n;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		where_item(c, "segment", i);
		if (!grow(c, (void **)&m->elems, m->nelems, &c->elemcap,
		        sizeof *m->elems))
			return false;
		if (!read_elem(c, &m->elems[m->nelems++]))
			return false;
	}
	return true;
}

static bool
sec_datacount(wd_ctx *c)
{
	if (!wrd_u32(&c->r, &c->m->datacount))
		return false;
	c->m->has_datacount = true;
	return true;
}

/* The local declarations at the start of a body, into f. */
static bool
read_locals(wd_ctx *c, wm_funcdef *f)
{
	wrd_reader save = c->r;
	uint32_t ngroups, n;
	uint64_t total = 0;
	we_valtype t;

	/* First pass: count, so the array is allocated once and bounded. */
	if (!wrd_count(&c->r, 1, &ngroups))
		return false;
	for (uint32_t i = 0; i < ngroups; i++) {
		if (!wrd_u32(&c->r, &n) || !wrd_valtype(&c->r, &t))
			return false;
		total += n;
		if (total > WD_MAX_LOCALS)
			return wrd_fail(&c->r, WE_ERR_MALFORMED,
			    "too many locals (more than %u)", WD_MAX_LOCALS);
	}
	c->r = save;
	f->local_types =
	    malloc((size_t)(total ? total : 1) * sizeof *f->local_types);
	if (f->local_types == NULL)
		return nomem(c);
	wrd_u32(&c->r, &ngroups);
	for (uint32_t i = 0; i < ngroups; i++) {
		wrd_u32(&c->r, &n);
		wrd_valtype(&c->r, &t);
		for (uint32_t k = 0; k < n; k++)
			f->local_types[f->nlocals++] = t;
	}
	return true;
}

static bool
read_body(wd_ctx *c, wm_funcdef *f)
{
	const uint8_t *end_all = c->r.end;
	size_t off = wrd_offset(&c->r);
	uint32_t size;
	bool ok;

	if (!wrd_u32(&c->r, &size))
		return false;
	if (size > wrd_left(&c->r))
		return wrd_fail_at(&c->r, off, WE_ERR_MALFORMED,
		    "body size %u runs past the end of the section "
		    "(unexpected end of section or function)",
		    size);
	c->r.end = c->r.p + size;
	ok = read_locals(c, f);
	if (ok && wrd_at_end(&c->r))
		ok = wrd_fail(&c->r, WE_ERR_MALFORMED,
		    "unexpected end of section or function (no body)");
	if (ok) {
		f->body = c->r.p;
		f->body_end = c->r.end;
		f->body_offset = wrd_offset(&c->r);
		c->r.p = c->r.end;
	}
	c->r.end = end_all;
	return ok;
}

static bool
sec_code(wd_ctx *c)
{
	we_module *m = c->m;
	size_t off = wrd_offset(&c->r);
	uint32_t n;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	c->has_code = true;
	c->ncode = n;
	c->code_off = off;
	/*
	 * The counts are compared once every section is read, as the spec
	 * does; bodies beyond the declared functions are read and dropped.
	 */
	for (uint32_t i = 0; i < n; i++) {
		wm_funcdef spare = {0};
		uint32_t index = m->nfunc_imports + i;
		bool ok;

		where_item(c, "function", index);
		if (i < c->nfuncsec)
			ok = read_body(c, &m->funcs[index]);
		else
			ok = read_body(c, &spare);
		free(spare.local_types);
		if (!ok)
			return false;
	}
	return true;
}

static bool
read_data(wd_ctx *c, wm_data *d)
{
	size_t off = wrd_offset(&c->r);
	we_valtype at = WE_I32; /* the type of its memory's addresses */
	uint32_t flags;

	if (!wrd_u32(&c->r, &flags))
		return false;
	if (flags > 2)
		return wrd_fail_at(&c->r, off, WE_ERR_MALFORMED,
		    "malformed data segment kind %u", flags);
	if (flags == 1) {
		d->mode = WM_SEG_PASSIVE;
	} else {
		d->mode = WM_SEG_ACTIVE;
		off = wrd_offset(&c->r);
		if (flags == 2 && !wrd_u32(&c->r, &d->memory))
			return false;
		if (d->memory >= c->m->nmems)
			invalid_at(c, off, "unknown memory %u", d->memory);
		else if (c->m->mems[d->memory].addr64)
			at = WE_I64;
		if (!read_constexpr(c, &d->offset, at, segment_globals(c)))
			return false;
	}
	return wrd_count(&c->r, 1, &d->len) &&
	    wrd_bytes(&c->r, d->len, &d->bytes);
}

static bool
sec_data(wd_ctx *c)
{
	we_module *m = c->m;
	size_t off = wrd_offset(&c->r);
	uint32_t n;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	c->has_data = true;
	if (m->has_datacount && n != m->datacount)
		return wrd_fail_at(&c->r, off, WE_ERR_MALFORMED,
		    "data count and data section have inconsistent lengths "
		    "(%u and %u)",
		    m->datacount, n);
	for (uint32_t i = 0; i < n; i++) {
		where_item(c, "segment", i);
		if (!grow(c, (void **)&m->datas, m->ndatas, &c->datacap,
		        sizeof *m->datas))
			return false;
		if (!read_data(c, &m->datas[m->ndatas++]))
			return false;
	}
	return true;
}

static bool
sec_custom(wd_ctx *c)
{
	we_module *m = c->m;
	wm_custom *cs;
	void *p;

	p = realloc(m->customs, ((size_t)m->ncustoms + 1) * sizeof *cs);
	if (p == NULL)
		return nomem(c);
	m->customs = p;
	cs = &m->customs[m->ncustoms];
	memset(cs, 0, sizeof *cs);
	if (!wrd_name(&c->r, &cs->name, NULL))
		return false;
	m->ncustoms++;
	cs->data = c->r.p;
	cs->len = wrd_left(&c->r);
	c->r.p = c->r.end;
	return true;
}

typedef bool (*section_fn)(wd_ctx *c);

static const section_fn section_fns[] = {
    [SEC_CUSTOM] = sec_custom,
    [SEC_TYPE] = sec_type,
    [SEC_IMPORT] = sec_import,
    [SEC_FUNCTION] = sec_function,
    [SEC_TABLE] = sec_table,
    [SEC_MEMORY] = sec_memory,
    [SEC_GLOBAL] = sec_global,
    [SEC_EXPORT] = sec_export,
    [SEC_START] = sec_start,
    [SEC_ELEMENT] = sec_element,
    [SEC_CODE] = sec_code,
    [SEC_DATA] = sec_data,
    [SEC_DATACOUNT] = sec_datacount,
    [SEC_TAG] = sec_tag,
};

/* ---- The module ---------------------------------------------------------- */

static bool
read_header(wd_ctx *c)
{
	static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6d};
	static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
	const uint8_t *b;

	if (!wrd_bytes(&c->r, 4, &b))
		return false;
	if (memcmp(b, magic, 4) != 0)
		return wrd_fail_at(&c->r, 0, WE_ERR_MALFORMED,
		    "magic header not detected (not a WebAssembly module)");
	if (!wrd_bytes(&c->r, 4, &b))
		return false;
	if (memcmp(b, version, 4) != 0)
		return wrd_fail_at(&c->r, 4, WE_ERR_MALFORMED,
		    "unknown binary version %02x %02x %02x %02x", b[0], b[1],
		    b[2], b[3]);
	return true;
}

/* One section: its id, size and contents, which must be used up exactly. */
static bool
read_section(wd_ctx *c, int *last_rank)
{
	const uint8_t *end_all = c->r.end;
	size_t off = wrd_offset(&c->r);
	uint8_t id;
	uint32_t size;

	c->r.where = NULL;
	if (!wrd_u8(&c->r, &id))
		return false;
	if (id > SEC_TAG)
		return wrd_fail_at(&c->r, off, WE_ERR_MALFORMED,
		    "malformed section id %u", id);
	if (id != SEC_CUSTOM) {
		if (section_rank[id] <= *last_rank)
			return wrd_fail_at(&c->r, off, WE_ERR_MALFORMED,
			    "%s is out of order or repeated (unexpected "
			    "content after last section)",
			    section_names[id]);
		*last_rank = section_rank[id];
	}
	c->sec = id;
	c->r.where = section_names[id];
	if (!wrd_u32(&c->r, &size))
		return false;
	if (size > wrd_left(&c->r))
		return wrd_fail_at(&c->r, off, WE_ERR_MALFORMED,
		    "section size %u runs past the end of the module "
		    "(length out of bounds)",
		    size);
	c->r.end = c->r.p + size;
	if (!section_fns[id](c))
		return false;
	c->r.where = section_names[id];
	if (!wrd_at_end(&c->r))
		return wrd_fail(&c->r, WE_ERR_MALFORMED,
		    "section size mismatch (%zu bytes left over)",
		    wrd_left(&c->r));
	c->r.end = end_all;
	return true;
}

/* Checks that need every section: counts that must agree. */
static bool
check_whole_module(wd_ctx *c)
{
	we_module *m = c->m;

	c->r.where = NULL;
	if (c->ncode != c->nfuncsec)
		return wrd_fail_at(&c->r,
		    c->has_code ? c->code_off : wrd_offset(&c->r),
		    WE_ERR_MALFORMED,
		    "function and code section have inconsistent lengths "
		    "(%u and %u)",
		    c->nfuncsec, c->ncode);
	if (!c->has_data && m->has_datacount && m->datacount != 0)
		return malformed(c,
		    "data count and data section have "
		    "inconsistent lengths");
	if (m->func_declared == NULL && !mark_declared(c, UINT32_MAX))
		return false;
	return true;
}

static void
parse_name_section(we_module *m)
{
	for (uint32_t i = 0; i < m->ncustoms; i++)
		if (strcmp(m->customs[i].name, "name") == 0) {
			wn_parse_names(
			    m, m->customs[i].data, m->customs[i].len);
			return;
		}
}

static bool
compile_bodies(we_module *m, we_error *err)
{
	for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++)
		if (!wx_compile(m, i, err))
			return false;
	return true;
}

bool
wd_decode(we_module *m, we_error *err)
{
	wd_ctx c;
	int last_rank = 0;

	memset(&c, 0, sizeof c);
	c.m = m;
	c.err = err;
	wrd_init(&c.r, m->bytes, m->bytes, m->bytes + m->len, err);
	c.r.ntypes = 0; /* until the type section */
	if (!read_header(&c))
		return false;
	while (!wrd_at_end(&c.r))
		if (!read_section(&c, &last_rank))
			return false;
	if (!check_whole_module(&c))
		return false;
	if (c.invalid) {
		*err = c.inv;
		return false;
	}
	parse_name_section(m);
	return compile_bodies(m, err);
}
