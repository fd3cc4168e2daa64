/* SPDX-License-Identifier: Apache-2.0 */
/*
 * instr.c: instructions, plain (`i32.add`, `block ... end`) and folded
 * (`(i32.add (local.get 0) (i32.const 1))`, `(if (then ...) (else ...))`),
 * encoded as the binary format's bytes. The instruction names, codes and
 * immediate kinds come from the engine's opcode table (engine/opcodes.def):
 * there is no second list of opcodes here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef enum imm {
	IM_NONE,
	IM_BLOCK,
	IM_LABEL,
	IM_BRTABLE,
	IM_FUNC,
	IM_CALLIND,
	IM_LOCAL,
	IM_GLOBAL,
	IM_TABLE,
	IM_MEMARG,
	IM_MEM0,
	IM_I32,
	IM_I64,
	IM_F32,
	IM_F64,
	IM_SELECTT,
	IM_REFTYPE,
	IM_FUNCREF,
	IM_DATA,
	IM_MEMINIT,
	IM_MEMCOPY,
	IM_ELEM,
	IM_TABLEINIT,
	IM_TABLECOPY,
	IM_TAG,
	IM_TRYTABLE,
	IM_TYPE,
	IM_V128,     /* v128.const: a shape, then its lanes */
	IM_SHUFFLE,  /* i8x16.shuffle: 16 lane indices */
	IM_LANE,     /* a lane index (SIMD extract_lane, replace_lane) */
	IM_MEMLANE,  /* a memarg, then a lane index (SIMD load/store_lane) */
	IM_CASTREF,  /* ref.test, ref.cast: (ref null? ht), written ht */
	IM_BRCAST,   /* br_on_cast(_fail): label, two reference types */
	IM_FIELD,    /* struct.get/set: a type, one of its fields */
	IM_FIXED,    /* array.new_fixed: a type, a count */
	IM_TYPEDATA, /* array.new_data, array.init_data: a type, a data */
	IM_TYPEELEM, /* array.new_elem, array.init_elem: a type, an elem */
	IM_TYPE2,    /* array.copy: two types */
} imm;

typedef struct opinfo {
	const char *text;
	uint8_t len;   /* strlen(text) */
	uint32_t code; /* a byte, or prefix << 16 | sub-opcode */
	uint8_t imm;   /* enum imm */
	uint8_t align; /* natural alignment (log2) of loads and stores */
} opinfo;

/* A SIMD row's immediates: its lane index, if it has lanes, after its
 * memarg, if it is a load or store. */
#define SIMD_IMM(lanes, mem)                                                   \
	((lanes) > 0 ? ((mem) ? IM_MEMLANE : IM_LANE)                          \
	             : ((mem) ? IM_MEMARG : IM_NONE))

static const opinfo ops[] = {
#define WX_CTL(N, code, text, imm) {text, sizeof(text) - 1, code, IM_##imm, 0},
#define WX_SPC(N, code, text, imm) {text, sizeof(text) - 1, code, IM_##imm, 0},
#define WX_UN(N, code, text, T, R, fn)                                         \
	{text, sizeof(text) - 1, code, IM_NONE, 0},
#define WX_BIN(N, code, text, T, R, fn)                                        \
	{text, sizeof(text) - 1, code, IM_NONE, 0},
#define WX_UNT(N, code, text, T, R, fn)                                        \
	{text, sizeof(text) - 1, code, IM_NONE, 0},
#define WX_BINT(N, code, text, T, R, fn)                                       \
	{text, sizeof(text) - 1, code, IM_NONE, 0},
#define WX_LD(N, code, text, T, align, ctype)                                  \
	{text, sizeof(text) - 1, code, IM_MEMARG, align},
#define WX_ST(N, code, text, T, align, ctype)                                  \
	{text, sizeof(text) - 1, code, IM_MEMARG, align},
#define WX_VOP(N, code, text, sig, lanes)                                      \
	{text, sizeof(text) - 1, code, SIMD_IMM(lanes, 0), 0},
#define WX_VLD(N, code, text, align, lanes)                                    \
	{text, sizeof(text) - 1, code, SIMD_IMM(lanes, 1), align},
#define WX_VST(N, code, text, align, lanes)                                    \
	{text, sizeof(text) - 1, code, SIMD_IMM(lanes, 1), align},
#include "opcodes.def"
};

#define NOPS (sizeof ops / sizeof ops[0])

/* The hash of an instruction's name, for the parse's index of ops[]. */
static uint32_t
op_hash(const char *text, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)text[i]) * 16777619u;
	return h & (WAT_OP_SLOTS - 1);
}

_Static_assert(NOPS < WAT_OP_SLOTS / 2, "WAT_OP_SLOTS too small for ops[]");
_Static_assert(NOPS < UINT16_MAX, "wparse.op_slot holds row + 1 in 16 bits");

void
wat_index_ops(wparse *ps)
{
	for (size_t i = 0; i < NOPS; i++) {
		uint32_t h = op_hash(ops[i].text, ops[i].len);

		while (ps->op_slot[h] != 0)
			h = (h + 1) & (WAT_OP_SLOTS - 1);
		ps->op_slot[h] = (uint16_t)(i + 1);
	}
}

/* The opcode named by t's text; NULL when there is none. Looked up in
 * the parse's hash index (a scan of ops[] per instruction was a tenth of
 * parsing a large module). */
static const opinfo *
find_op(const wparse *ps, const wtok *t)
{
	if (t->kind != T_KEYWORD)
		return NULL;
	for (uint32_t h = op_hash(t->text, t->len); ps->op_slot[h] != 0;
	     h = (h + 1) & (WAT_OP_SLOTS - 1)) {
		const opinfo *op = &ops[ps->op_slot[h] - 1];

		if (op->len == t->len && memcmp(op->text, t->text, t->len) == 0)
			return op;
	}
	return NULL;
}

/* A code of opcodes.def: a byte, or WX_FC(sub) = prefix << 16 | sub. */
static void
emit_code(wparse *ps, wbuf *b, uint32_t code)
{
	if (code > 0xff) {
		wb_byte(ps, b, (uint8_t)(code >> 16));
		wb_u32(ps, b, code & 0xffff);
	} else {
		wb_byte(ps, b, (uint8_t)code);
	}
}

/* ---- Labels ------------------------------------------------------------ */

static void
push_label(wparse *ps, const wtok *id)
{
	ps->labels.names = wat_grow(ps, ps->labels.names, &ps->labels.cap,
	    ps->labels.n + 1, sizeof(wname));
	wat_name_set(&ps->labels.names[ps->labels.n], id);
	ps->labels.n++;
}

static uint32_t
label_index(wparse *ps)
{
	const wtok *t = wat_peek(ps, 0);
	uint32_t v;

	if (t->kind == T_ID) {
		for (uint32_t i = ps->labels.n; i-- > 0;) {
			if (wat_same_id(&ps->labels.names[i], t)) {
				wat_next(ps);
				return ps->labels.n - 1 - i;
			}
		}
		wat_fail(ps, "unknown label %.*s", (int)t->len, t->text);
	}
	if (!wat_parse_u32(t, &v))
		wat_fail(ps, "expected a label index or $name");
	wat_next(ps);
	return v;
}

/* Whether two $ids name the same label. */
static bool
same_label(const wtok *a, const wtok *b)
{
	wname n;

	wat_name_set(&n, a);
	return wat_same_id(&n, b);
}

/* `end $l` or `else $l`: the optional id must repeat the block's. */
static void
check_end_label(wparse *ps, const wtok *label)
{
	const wtok *t;

	if (wat_peek(ps, 0)->kind != T_ID)
		return;
	t = wat_next(ps);
	if (label == NULL || !same_label(label, t))
		wat_fail_at(
		    ps, t, "mismatching label %.*s", (int)t->len, t->text);
}

/* ---- Immediates -------------------------------------------------------- */

/*
 * A block type given as type x: a type of no parameters and at most one
 * result is written in the short form (0x40 or the result's type), as
 * the specification's converters do; any other as the index (s33).
 */
static void
typeidx_blocktype(wparse *ps, wbuf *b, uint32_t x)
{
	const wfunctype *ft = x < ps->ntypes ? &ps->types[x] : NULL;

	if (ft == NULL || !ft->is_func || ft->nparams != 0 || ft->nresults > 1)
		wb_s64(ps, b, x);
	else if (ft->nresults == 0)
		wb_byte(ps, b, 0x40);
	else
		wb_bytes(ps, b, ft->types + ft->plen, ft->len - ft->plen);
}

/*
 * A block type: empty, one result, or a type use (then the type index as
 * a signed LEB128).
 */
static void
blocktype(wparse *ps, wbuf *b)
{
	size_t save = ps->pos;

	if (!wat_at_open(ps, "type") && !wat_at_open(ps, "param")) {
		wbuf *t;

		if (!wat_at_open(ps, "result")) {
			wb_byte(ps, b, 0x40);
			return;
		}
		/* (result t) alone, and no second result group. */
		wat_next(ps);
		wat_next(ps);
		if (!wat_at_valtype(ps)) {
			ps->pos = save;
			typeidx_blocktype(ps, b, wat_typeuse(ps, NULL, false));
			return;
		}
		t = wat_buf_new(ps);
		wat_expect_valtype(ps, t);
		if (wat_peek(ps, 0)->kind == T_RPAREN &&
		    !(wat_peek(ps, 1)->kind == T_LPAREN &&
		        wat_is_keyword(wat_peek(ps, 2), "result"))) {
			wat_next(ps);
			wb_bytes(ps, b, t->p, t->len);
			wat_buf_done(ps, t);
			return;
		}
		wat_buf_done(ps, t);
		ps->pos = save;
	}
	typeidx_blocktype(ps, b, wat_typeuse(ps, NULL, false));
}

/* The number after "offset=" or "align=" (skip bytes) of t. */
static uint64_t
memarg_value(wparse *ps, const wtok *t, size_t skip)
{
	wtok num = *t;
	uint64_t v;

	num.kind = T_RESERVED;
	num.text += skip;
	num.len -= skip;
	if (!wat_parse_u64(&num, &v))
		wat_fail(
		    ps, "malformed memory access: %.*s", (int)t->len, t->text);
	return v;
}

/* Whether t is "offset=..." or "align=...". */
static bool
is_memarg_part(const wtok *t)
{
	return t->kind == T_KEYWORD &&
	    ((t->len > 7 && memcmp(t->text, "offset=", 7) == 0) ||
	        (t->len > 6 && memcmp(t->text, "align=", 6) == 0));
}

/*
 * memidx? offset=? align=?: the memory (3.0 multi-memory; 0 when absent,
 * else flagged by bit 6 of the alignment field), the alignment's log2
 * and the offset (u64: memory64). With lane, a lane index follows, so a
 * lone number is the lane's and not a memory index.
 */
static void
memarg(wparse *ps, wbuf *b, unsigned natural, bool lane)
{
	uint64_t offset = 0, align = (uint64_t)1 << natural;
	uint32_t log2 = 0, mem = 0, v;
	const wtok *t = wat_peek(ps, 0);

	if (t->kind == T_ID ||
	    (wat_parse_u32(t, &v) &&
	        (!lane || is_memarg_part(wat_peek(ps, 1)) ||
	            wat_peek(ps, 1)->kind == T_RESERVED))) {
		mem = wat_index(ps, &ps->spaces[SP_MEM]);
		t = wat_peek(ps, 0);
	}
	if (t->kind == T_KEYWORD && t->len > 7 &&
	    memcmp(t->text, "offset=", 7) == 0) {
		offset = memarg_value(ps, t, 7);
		wat_next(ps);
		t = wat_peek(ps, 0);
	}
	if (t->kind == T_KEYWORD && t->len > 6 &&
	    memcmp(t->text, "align=", 6) == 0) {
		align = memarg_value(ps, t, 6);
		if (align == 0 || (align & (align - 1)) != 0)
			wat_fail(ps, "alignment must be a power of two");
		wat_next(ps);
	}
	while (((uint64_t)1 << log2) < align)
		log2++;
	wb_u32(ps, b, mem != 0 ? log2 | 0x40 : log2);
	if (mem != 0)
		wb_u32(ps, b, mem);
	wb_u64(ps, b, offset);
}

/* An optional memory index (0 when absent). */
static uint32_t
opt_memidx(wparse *ps)
{
	return wat_at_index(ps) ? wat_index(ps, &ps->spaces[SP_MEM]) : 0;
}

static void
constant(wparse *ps, wbuf *b, imm k)
{
	const wtok *t = wat_peek(ps, 0);
	uint32_t u32;
	uint64_t u64;

	switch (k) {
	case IM_I32:
		if (!wat_parse_i32(t, &u32))
			wat_fail(
			    ps, "malformed i32 constant (or out of range)");
		wb_s32(ps, b, (int32_t)u32);
		break;
	case IM_I64:
		if (!wat_parse_i64(t, &u64))
			wat_fail(
			    ps, "malformed i64 constant (or out of range)");
		wb_s64(ps, b, (int64_t)u64);
		break;
	case IM_F32:
		if (!wat_parse_f32(t, &u32))
			wat_fail(
			    ps, "malformed f32 constant (or out of range)");
		for (int i = 0; i < 4; i++)
			wb_byte(ps, b, (uint8_t)(u32 >> (8 * i)));
		break;
	default:
		if (!wat_parse_f64(t, &u64))
			wat_fail(
			    ps, "malformed f64 constant (or out of range)");
		for (int i = 0; i < 8; i++)
			wb_byte(ps, b, (uint8_t)(u64 >> (8 * i)));
	}
	wat_next(ps);
}

/* A lane index (u8; the validator checks it against the shape). */
static void
lane_index(wparse *ps, wbuf *b)
{
	uint64_t v;
	const wtok *t = wat_peek(ps, 0);

	if (t->kind != T_RESERVED || t->text[0] == '-' || t->text[0] == '+' ||
	    !wat_parse_int(t, 8, &v))
		wat_fail(ps, "malformed lane index: expected a number 0-255");
	wb_byte(ps, b, (uint8_t)v);
	wat_next(ps);
}

/* The lanes of a v128.const shape, each lanebytes bytes. */
static const struct {
	const char *shape;
	unsigned lanes, lanebytes;
	imm kind; /* IM_I32 for any integer lane, IM_F32 or IM_F64 */
} shapes[] = {{"i8x16", 16, 1, IM_I32}, {"i16x8", 8, 2, IM_I32},
    {"i32x4", 4, 4, IM_I32}, {"i64x2", 2, 8, IM_I32}, {"f32x4", 4, 4, IM_F32},
    {"f64x2", 2, 8, IM_F64}};

/* v128.const's immediate: a shape, then its lanes, as 16 bytes. */
static void
v128_const(wparse *ps, wbuf *b)
{
	const wtok *t = wat_peek(ps, 0);
	size_t k = 0;

	while (k < sizeof shapes / sizeof shapes[0] &&
	    !wat_is_keyword(t, shapes[k].shape))
		k++;
	if (k == sizeof shapes / sizeof shapes[0])
		wat_fail(ps,
		    "unexpected token, expected a v128 shape "
		    "(i8x16, i16x8, i32x4, i64x2, f32x4, f64x2)");
	wat_next(ps);
	for (unsigned i = 0; i < shapes[k].lanes; i++) {
		unsigned bytes = shapes[k].lanebytes;
		uint32_t u32;
		uint64_t v;
		bool ok;

		t = wat_peek(ps, 0);
		if (shapes[k].kind == IM_F32) {
			ok = wat_parse_f32(t, &u32);
			v = u32;
		} else if (shapes[k].kind == IM_F64) {
			ok = wat_parse_f64(t, &v);
		} else {
			ok = wat_parse_int(t, 8 * bytes, &v);
		}
		if (!ok)
			wat_fail(ps,
			    t->kind != T_RESERVED && t->kind != T_KEYWORD
			        ? "wrong number of lane literals for %s"
			        : "malformed lane literal of %s (or out of "
			          "range)",
			    shapes[k].shape);
		for (unsigned j = 0; j < bytes; j++)
			wb_byte(ps, b, (uint8_t)(v >> (8 * j)));
		wat_next(ps);
	}
}

/* i8x16.shuffle's 16 lane indices. */
static void
shuffle(wparse *ps, wbuf *b)
{
	for (int i = 0; i < 16; i++) {
		if (wat_peek(ps, 0)->kind != T_RESERVED)
			wat_fail(ps,
			    "invalid lane length: i8x16.shuffle "
			    "needs 16 lane indices");
		lane_index(ps, b);
	}
}

/* table.copy and memory.copy: (dst src)?, both or neither (0 0). */
static void
index_pair(wparse *ps, wbuf *b, int space)
{
	uint32_t dst = 0, src = 0;

	if (wat_at_index(ps)) {
		dst = wat_index(ps, &ps->spaces[space]);
		src = wat_index(ps, &ps->spaces[space]);
	}
	wb_u32(ps, b, dst);
	wb_u32(ps, b, src);
}

/* table.init and memory.init: x? y, the table or memory x (0 when
 * absent: one index is the segment's) and the segment y; written y x. */
static void
segment_init(wparse *ps, wbuf *b, int space, int segments)
{
	uint32_t x = 0, y, v;
	const wtok *second = wat_peek(ps, 1);

	if (second->kind == T_ID || wat_parse_u32(second, &v))
		x = wat_index(ps, &ps->spaces[space]);
	y = wat_index(ps, &ps->spaces[segments]);
	wb_u32(ps, b, y);
	wb_u32(ps, b, x);
}

/* Whether a reference type (ref null ht) comes next. */
static bool
at_null_ref(wparse *ps)
{
	int v = wat_valtype(ps, wat_peek(ps, 0));

	if (v >= 0x60 && v < 0x78)
		return true; /* an abbreviation: anyref is (ref null any) */
	return wat_peek(ps, 0)->kind == T_LPAREN &&
	    wat_is_keyword(wat_peek(ps, 1), "ref") &&
	    wat_is_keyword(wat_peek(ps, 2), "null");
}

/* op's code, the null row's (the next) for ref.test (ref null ht). */
static uint32_t
op_code(wparse *ps, const opinfo *op)
{
	return op->code + (op->imm == IM_CASTREF && at_null_ref(ps));
}

/* A cast's (ref null? ht) or abstract shorthand (anyref...): its heap
 * type into b; whether it admits null. */
static bool
cast_reftype(wparse *ps, wbuf *b)
{
	int v = wat_valtype(ps, wat_peek(ps, 0));
	bool null;

	if (v >= 0x60 && v < 0x78) {
		wat_next(ps);
		wb_byte(ps, b, (uint8_t)v);
		return true;
	}
	if (wat_peek(ps, 0)->kind != T_LPAREN ||
	    !wat_is_keyword(wat_peek(ps, 1), "ref"))
		wat_fail(ps, "expected a reference type (ref null? ht)");
	null = at_null_ref(ps);
	wat_next(ps);
	wat_next(ps);
	if (null)
		wat_next(ps);
	wat_heaptype(ps, b);
	wat_expect_rparen(ps);
	return null;
}

/* br_on_cast(_fail) label rt1 rt2: flags (bit 0 rt1 null, bit 1 rt2
 * null), the label, the two heap types. */
static void
br_on_cast(wparse *ps, wbuf *b)
{
	wbuf *types = wat_buf_new(ps);
	uint32_t label = label_index(ps);
	uint8_t flags = cast_reftype(ps, types);

	flags |= (uint8_t)(cast_reftype(ps, types) << 1);
	wb_byte(ps, b, flags);
	wb_u32(ps, b, label);
	wb_bytes(ps, b, types->p, types->len);
	wat_buf_done(ps, types);
}

/* The immediates of op (not a block instruction) into b. */
static void
immediates(wparse *ps, const opinfo *op, wbuf *b)
{
	switch ((imm)op->imm) {
	case IM_NONE:
	case IM_BLOCK: break;
	case IM_LABEL: wb_u32(ps, b, label_index(ps)); break;
	case IM_TYPE: wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_TYPE])); break;
	case IM_BRTABLE: {
		wbuf *labels = wat_buf_new(ps);
		uint32_t n = 0;

		while (wat_at_index(ps)) {
			wb_u32(ps, labels, label_index(ps));
			n++;
		}
		if (n == 0)
			wat_fail(ps, "br_table needs at least one label");
		wb_u32(ps, b, n - 1);
		wb_bytes(ps, b, labels->p, labels->len);
		wat_buf_done(ps, labels);
		break;
	}
	case IM_FUNC:
	case IM_FUNCREF:
		wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_FUNC]));
		break;
	case IM_CALLIND: {
		uint32_t table = 0;

		if (wat_at_index(ps))
			table = wat_index(ps, &ps->spaces[SP_TABLE]);
		wb_u32(ps, b, wat_typeuse(ps, NULL, false));
		wb_u32(ps, b, table);
		break;
	}
	case IM_LOCAL: wb_u32(ps, b, wat_index(ps, &ps->locals)); break;
	case IM_GLOBAL:
		wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_GLOBAL]));
		break;
	case IM_TABLE:
		wb_u32(ps, b,
		    wat_at_index(ps) ? wat_index(ps, &ps->spaces[SP_TABLE])
		                     : 0);
		break;
	case IM_MEMARG: memarg(ps, b, op->align, false); break;
	case IM_MEM0: wb_u32(ps, b, opt_memidx(ps)); break;
	case IM_I32:
	case IM_I64:
	case IM_F32:
	case IM_F64: constant(ps, b, (imm)op->imm); break;
	case IM_SELECTT: break; /* see plain_op() */
	case IM_REFTYPE: wat_heaptype(ps, b); break;
	case IM_DATA:
		wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_DATA]));
		ps->uses_datacount = true;
		break;
	case IM_MEMINIT:
		segment_init(ps, b, SP_MEM, SP_DATA);
		ps->uses_datacount = true;
		break;
	case IM_MEMCOPY: index_pair(ps, b, SP_MEM); break;
	case IM_ELEM: wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_ELEM])); break;
	case IM_TABLEINIT: segment_init(ps, b, SP_TABLE, SP_ELEM); break;
	case IM_V128: v128_const(ps, b); break;
	case IM_SHUFFLE: shuffle(ps, b); break;
	case IM_LANE: lane_index(ps, b); break;
	case IM_MEMLANE:
		memarg(ps, b, op->align, true);
		lane_index(ps, b);
		break;
	case IM_TABLECOPY: index_pair(ps, b, SP_TABLE); break;
	case IM_TAG: wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_TAG])); break;
	case IM_TRYTABLE: break; /* see try_table() */
	case IM_CASTREF: cast_reftype(ps, b); break;
	case IM_BRCAST: br_on_cast(ps, b); break;
	case IM_FIELD: {
		uint32_t x = wat_index(ps, &ps->spaces[SP_TYPE]);
		static wspace none = {.what = "field"};

		wb_u32(ps, b, x);
		wb_u32(ps, b,
		    wat_index(
		        ps, x < ps->ntypes ? &ps->types[x].fields : &none));
		break;
	}
	case IM_FIXED: {
		const wtok *t;
		uint32_t n;

		wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_TYPE]));
		t = wat_next(ps);
		if (!wat_parse_u32(t, &n))
			wat_fail_at(ps, t, "expected a count");
		wb_u32(ps, b, n);
		break;
	}
	case IM_TYPEDATA:
		wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_TYPE]));
		wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_DATA]));
		ps->uses_datacount = true;
		break;
	case IM_TYPEELEM:
		wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_TYPE]));
		wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_ELEM]));
		break;
	case IM_TYPE2:
		wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_TYPE]));
		wb_u32(ps, b, wat_index(ps, &ps->spaces[SP_TYPE]));
		break;
	}
}

/* ---- Branch hints ------------------------------------------------------ */

/*
 * (@metadata.code.branch_hint "\00" | "\01") before the instruction at
 * ps->pos, in a function: taken as the pending hint of that instruction.
 */
static void
take_hint(wparse *ps)
{
	wannot *a;
	const wtok *t;

	if (!ps->in_func || (a = wat_annot_take(ps, A_HINT, ps->pos)) == NULL)
		return;
	t = &ps->atoks[a->first];
	if (wat_annot_take(ps, A_HINT, ps->pos) != NULL)
		wat_fail_at(ps, t,
		    "@metadata.code.branch_hint annotation: duplicate "
		    "annotation");
	if (a->n != 3 || t[1].kind != T_STRING || t[1].strlen != 1 ||
	    t[1].str[0] > 1)
		wat_fail_at(ps, t,
		    "@metadata.code.branch_hint annotation: malformed hint, "
		    "expected \"\\00\" or \"\\01\"");
	ps->pending_hint = t[1].str[0];
}

/* The pending hint, now its instruction's (-1: none). */
static int
claim_hint(wparse *ps)
{
	int hint = ps->pending_hint;

	ps->pending_hint = -1;
	return hint;
}

/* Records hint (if any) for the instruction about to be written at the
 * end of code, the function's body. */
static void
place_hint(wparse *ps, const wbuf *code, int hint)
{
	if (hint < 0)
		return;
	ps->hints = wat_grow(
	    ps, ps->hints, &ps->caphints, ps->nhints + 1, sizeof(whint));
	ps->hints[ps->nhints++] =
	    (whint){ps->cur_func, (uint32_t)code->len, (uint8_t)hint};
}

/* ---- Instructions ------------------------------------------------------ */

static void seq(wparse *ps, wbuf *code, bool in_block);
static void folded(wparse *ps, wbuf *code);

/* The keyword of an instruction: its table row, or a clear error. */
static const opinfo *
expect_op(wparse *ps)
{
	const wtok *t = wat_peek(ps, 0);
	const opinfo *op = find_op(ps, t);

	if (op == NULL) {
		if (t->kind == T_KEYWORD)
			wat_fail(
			    ps, "unknown operator %.*s", (int)t->len, t->text);
		wat_fail(ps, "unexpected token %.*s, expected an instruction",
		    (int)(t->len > 40 ? 40 : t->len), t->text);
	}
	wat_next(ps);
	return op;
}

/* `select` with (result t)* is the typed select (0x1c). */
static void
select_op(wparse *ps, wbuf *code)
{
	wbuf *types = wat_buf_new(ps);
	uint32_t n = 0;
	bool typed = false;

	while (wat_at_open(ps, "result")) {
		typed = true;
		wat_next(ps);
		wat_next(ps);
		while (wat_peek(ps, 0)->kind != T_RPAREN) {
			wat_expect_valtype(ps, types);
			n++;
		}
		wat_expect_rparen(ps);
	}
	if (typed) {
		wb_byte(ps, code, 0x1c);
		wb_u32(ps, code, n);
		wb_bytes(ps, code, types->p, types->len);
	} else {
		wb_byte(ps, code, 0x1b);
	}
	wat_buf_done(ps, types);
}

/* block, loop or if in plain form, after its keyword. */
static void
plain_block(wparse *ps, wbuf *code, uint32_t opcode)
{
	const wtok *label = wat_peek(ps, 0)->kind == T_ID ? wat_next(ps) : NULL;

	wb_byte(ps, code, (uint8_t)opcode);
	blocktype(ps, code);
	push_label(ps, label);
	seq(ps, code, true);
	if (opcode == 0x04 && wat_is_keyword(wat_peek(ps, 0), "else")) {
		wat_next(ps);
		check_end_label(ps, label);
		wb_byte(ps, code, 0x05);
		seq(ps, code, true);
	}
	if (!wat_is_keyword(wat_peek(ps, 0), "end"))
		wat_fail(ps, "expected 'end'");
	wat_next(ps);
	check_end_label(ps, label);
	wb_byte(ps, code, 0x0b);
	ps->labels.n--;
}

/*
 * Whether op only separates the parts of a block (else, end, and a legacy
 * try's catch, catch_all and delegate): never an instruction alone.
 */
static bool
is_separator(const opinfo *op)
{
	return op->code == 0x05 || op->code == 0x0b || op->code == 0x07 ||
	    op->code == 0x18 || op->code == 0x19;
}

/* Whether t ends a plain block's instr* (end, else, and a legacy try's
 * catch, catch_all and delegate). */
static bool
is_block_part(const wtok *t)
{
	return wat_is_keyword(t, "end") || wat_is_keyword(t, "else") ||
	    wat_is_keyword(t, "catch") || wat_is_keyword(t, "catch_all") ||
	    wat_is_keyword(t, "delegate");
}

/* ---- Exceptions (3.0) -------------------------------------------------- */

/*
 * try_table's catch clauses, into b as a vector: (catch x l), (catch_ref
 * x l), (catch_all l), (catch_all_ref l). Their labels are counted from
 * outside the try_table, so this runs before its label is pushed.
 */
static void
catch_clauses(wparse *ps, wbuf *b)
{
	static const char *const kinds[] = {
	    "catch", "catch_ref", "catch_all", "catch_all_ref"};
	wbuf *v = wat_buf_new(ps);
	uint32_t n = 0;

	for (;;) {
		uint8_t k = 0;

		while (k < 4 && !wat_at_open(ps, kinds[k]))
			k++;
		if (k == 4)
			break;
		wat_next(ps);
		wat_next(ps);
		wb_byte(ps, v, k);
		if (k < 2)
			wb_u32(ps, v, wat_index(ps, &ps->spaces[SP_TAG]));
		wb_u32(ps, v, label_index(ps));
		wat_expect_rparen(ps);
		n++;
	}
	wb_u32(ps, b, n);
	wb_bytes(ps, b, v->p, v->len);
	wat_buf_done(ps, v);
}

/* try_table after its keyword, plain (to `end`) or folded (to ")"). */
static void
try_table(wparse *ps, wbuf *code, bool is_folded)
{
	const wtok *label = wat_peek(ps, 0)->kind == T_ID ? wat_next(ps) : NULL;

	wb_byte(ps, code, 0x1f);
	blocktype(ps, code);
	catch_clauses(ps, code);
	push_label(ps, label);
	seq(ps, code, !is_folded);
	if (!is_folded) {
		wat_expect_keyword(ps, "end");
		check_end_label(ps, label);
	}
	wb_byte(ps, code, 0x0b);
	ps->labels.n--;
	if (is_folded)
		wat_expect_rparen(ps);
}

/*
 * The legacy try, plain: try l? bt instr* (catch x instr*)* (catch_all
 * instr*)? end, or try l? bt instr* delegate l. The delegate's label is
 * counted from outside the try.
 */
static void
plain_try(wparse *ps, wbuf *code)
{
	const wtok *label = wat_peek(ps, 0)->kind == T_ID ? wat_next(ps) : NULL;

	wb_byte(ps, code, 0x06);
	blocktype(ps, code);
	push_label(ps, label);
	seq(ps, code, true);
	if (wat_is_keyword(wat_peek(ps, 0), "delegate")) {
		wat_next(ps);
		ps->labels.n--;
		wb_byte(ps, code, 0x18);
		wb_u32(ps, code, label_index(ps));
		return;
	}
	while (wat_is_keyword(wat_peek(ps, 0), "catch")) {
		wat_next(ps);
		wb_byte(ps, code, 0x07);
		wb_u32(ps, code, wat_index(ps, &ps->spaces[SP_TAG]));
		seq(ps, code, true);
	}
	if (wat_is_keyword(wat_peek(ps, 0), "catch_all")) {
		wat_next(ps);
		wb_byte(ps, code, 0x19);
		seq(ps, code, true);
	}
	wat_expect_keyword(ps, "end");
	check_end_label(ps, label);
	wb_byte(ps, code, 0x0b);
	ps->labels.n--;
}

/*
 * The legacy try, folded, after "try": (try l? bt (do instr*) (catch x
 * instr*)* (catch_all instr*)?) or (try l? bt (do instr*) (delegate l)).
 */
static void
folded_try(wparse *ps, wbuf *code)
{
	const wtok *label = wat_peek(ps, 0)->kind == T_ID ? wat_next(ps) : NULL;

	wb_byte(ps, code, 0x06);
	blocktype(ps, code);
	push_label(ps, label);
	if (!wat_at_open(ps, "do"))
		wat_fail(ps, "expected (do ...)");
	wat_next(ps);
	wat_next(ps);
	seq(ps, code, false);
	wat_expect_rparen(ps);
	if (wat_at_open(ps, "delegate")) {
		wat_next(ps);
		wat_next(ps);
		ps->labels.n--;
		wb_byte(ps, code, 0x18);
		wb_u32(ps, code, label_index(ps));
		wat_expect_rparen(ps);
		wat_expect_rparen(ps);
		return;
	}
	while (wat_at_open(ps, "catch")) {
		wat_next(ps);
		wat_next(ps);
		wb_byte(ps, code, 0x07);
		wb_u32(ps, code, wat_index(ps, &ps->spaces[SP_TAG]));
		seq(ps, code, false);
		wat_expect_rparen(ps);
	}
	if (wat_at_open(ps, "catch_all")) {
		wat_next(ps);
		wat_next(ps);
		wb_byte(ps, code, 0x19);
		seq(ps, code, false);
		wat_expect_rparen(ps);
	}
	wb_byte(ps, code, 0x0b);
	ps->labels.n--;
	wat_expect_rparen(ps);
}

/* One plain instruction. */
static void
plain(wparse *ps, wbuf *code)
{
	int hint = claim_hint(ps);
	const opinfo *op = expect_op(ps);

	place_hint(ps, code, hint);
	if (op->imm == IM_TRYTABLE) {
		try_table(ps, code, false);
		return;
	}
	if (op->code == 0x06) {
		plain_try(ps, code);
		return;
	}
	if (op->imm == IM_BLOCK) {
		plain_block(ps, code, op->code);
		return;
	}
	if (strcmp(op->text, "select") == 0) {
		select_op(ps, code);
		return;
	}
	if (is_separator(op))
		wat_fail(ps, "unexpected '%s'", op->text);
	emit_code(ps, code, op_code(ps, op));
	immediates(ps, op, code);
}

/* (if label? bt folded* (then instr*) (else instr*)?) after "if". */
static void
folded_if(wparse *ps, wbuf *code, int hint)
{
	const wtok *label = wat_peek(ps, 0)->kind == T_ID ? wat_next(ps) : NULL;
	wbuf *bt = wat_buf_new(ps);

	blocktype(ps, bt);
	while (wat_peek(ps, 0)->kind == T_LPAREN && !wat_at_open(ps, "then"))
		folded(ps, code);
	place_hint(ps, code, hint);
	wb_byte(ps, code, 0x04);
	wb_bytes(ps, code, bt->p, bt->len);
	wat_buf_done(ps, bt);
	push_label(ps, label);
	if (!wat_at_open(ps, "then"))
		wat_fail(ps, "expected (then ...)");
	wat_next(ps);
	wat_next(ps);
	seq(ps, code, false);
	wat_expect_rparen(ps);
	if (wat_at_open(ps, "else")) {
		wat_next(ps);
		wat_next(ps);
		wb_byte(ps, code, 0x05);
		seq(ps, code, false);
		wat_expect_rparen(ps);
	}
	wb_byte(ps, code, 0x0b);
	ps->labels.n--;
	wat_expect_rparen(ps);
}

/* One folded instruction, from its "(". */
static void
folded(wparse *ps, wbuf *code)
{
	int hint = claim_hint(ps);
	const opinfo *op;

	wat_expect_lparen(ps);
	op = expect_op(ps);
	if (op->code == 0x04) {
		folded_if(ps, code, hint);
		return;
	}
	if (op->code == 0x06) {
		folded_try(ps, code);
		return;
	}
	if (op->imm == IM_TRYTABLE) {
		try_table(ps, code, true);
		return;
	}
	if (op->imm == IM_BLOCK) {
		const wtok *label =
		    wat_peek(ps, 0)->kind == T_ID ? wat_next(ps) : NULL;

		wb_byte(ps, code, (uint8_t)op->code);
		blocktype(ps, code);
		push_label(ps, label);
		seq(ps, code, false);
		wb_byte(ps, code, 0x0b);
		ps->labels.n--;
		wat_expect_rparen(ps);
		return;
	}
	if (is_separator(op))
		wat_fail(ps, "unexpected '%s'", op->text);
	if (strcmp(op->text, "select") == 0) {
		wbuf *sel = wat_buf_new(ps);

		select_op(ps, sel);
		while (wat_peek(ps, 0)->kind == T_LPAREN)
			folded(ps, code);
		wb_bytes(ps, code, sel->p, sel->len);
		wat_buf_done(ps, sel);
		wat_expect_rparen(ps);
		return;
	}
	{
		wbuf *imms = wat_buf_new(ps);
		uint32_t opcode = op_code(ps, op);

		immediates(ps, op, imms);
		while (wat_peek(ps, 0)->kind == T_LPAREN)
			folded(ps, code);
		place_hint(ps, code, hint);
		emit_code(ps, code, opcode);
		wb_bytes(ps, code, imms->p, imms->len);
		wat_buf_done(ps, imms);
	}
	wat_expect_rparen(ps);
}

/*
 * instr* until ")" or the end; inside a plain block, also until `end` or
 * `else` (left for the caller).
 */
static void
seq(wparse *ps, wbuf *code, bool in_block)
{
	for (;;) {
		const wtok *t = wat_peek(ps, 0);

		if (t->kind == T_RPAREN || t->kind == T_EOF)
			return;
		if (in_block && is_block_part(t))
			return;
		if (ps->nannots > 0)
			take_hint(ps);
		if (t->kind == T_LPAREN)
			folded(ps, code);
		else
			plain(ps, code);
	}
}

void
wat_instrs(wparse *ps, wbuf *code)
{
	seq(ps, code, false);
}

void
wat_expr(wparse *ps, wbuf *code)
{
	seq(ps, code, false);
	wb_byte(ps, code, 0x0b);
}
