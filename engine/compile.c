/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compile.c: validation and compilation of function bodies, in one pass.
 *
 * The validator is the spec's algorithm (the appendix's operand and control
 * stacks, with the polymorphic stack after unreachable, br, br_table and
 * return). Its operand stack is also the compiler's: each operand has its
 * frame slot, after the locals' slots and the operands below it (one slot
 * per scalar, two per v128: slot() and map_local_slots()), so every
 * instruction is emitted with its operand slots fixed (see code.h).
 * Compilation stays linear in the body: a local.set finds the operands
 * that read its local through a chain per local (readers), and a block
 * entry copies only operands pushed since the last one (own_below).
 * Forward branches are chained through their imm field and patched at the
 * `end` that resolves them; at the end of the body code indices become
 * instruction pointers and opcodes become handler addresses.
 *
 * Code that follows an unconditional branch is validated but not emitted:
 * it can never run.
 *
 * Cheap wins taken while compiling, all local to the instruction stream:
 * - local.get and constants are not copied: the operand remembers where its
 *   value is (struct opnd) and the consumer reads the local's slot or takes
 *   the constant as an immediate (the N_K forms). Such operands are copied
 *   to their own slots before anything that needs them there (blocks,
 *   branches, calls, a local.set of that local).
 * - The instruction just emitted is often rewritten instead of adding
 *   another: the fused forms and superinstructions, all in fuse.c.
 *
 * Bodies are validated when the module loads (wx_compile, no code kept)
 * and compiled by the same pass on their first call (wx_code_of). Loading
 * runs this pass over every body, so the validating path is kept lean: the
 * common one-byte reads are inline and everything about emission returns
 * early when no code is kept.
 *
 * Fuel: each function entry (ENTER) and loop header (LOOP) is charged the
 * number of wasm instructions of the straight-line run that starts there
 * (up to the next branch, call, block boundary or loop), at least 1. A
 * back edge charges its header's count when taken; entering the loop runs
 * the header itself.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"

/* ---- Errors ------------------------------------------------------------- */

static bool invalid(cc *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool
invalid(cc *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wrd_vfail_at(&c->r, c->insn_off, WE_ERR_INVALID, fmt, ap);
	va_end(ap);
	return false;
}

static bool malformed(cc *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool
malformed(cc *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wrd_vfail_at(&c->r, c->insn_off, WE_ERR_MALFORMED, fmt, ap);
	va_end(ap);
	return false;
}

static bool
nomem(cc *c)
{
	wrd_fail_at(&c->r, c->insn_off, WE_ERR_NOMEM, "out of memory");
	return false;
}

/*
 * An opcode that op_hand routed to a function with no case for it: a bug
 * in this file, reported rather than compiled as some other instruction.
 */
static bool
unhandled(cc *c, wx_op op)
{
	wrd_fail_at(&c->r, c->insn_off, WE_ERR_INVALID,
	    "internal error: no compiler case for internal opcode %u", op);
	return false;
}

/* Grows *p (n used, *cap allocated, size bytes each) to hold one more. */
static bool
grow(cc *c, void **p, uint32_t n, uint32_t *cap, size_t size)
{
	uint32_t ncap;
	void *q;

	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 16;
	q = realloc(*p, (size_t)ncap * size);
	if (q == NULL)
		return nomem(c);
	*p = q;
	*cap = ncap;
	return true;
}

/* ---- Value types -------------------------------------------------------- */

static const we_valtype one_type[] = {WE_I32, WE_I64, WE_F32, WE_F64, WE_V128,
    WE_FUNCREF, WE_EXTERNREF, WE_EXNREF, WE_ANYREF, WE_NULLREF, WE_NULLFUNCREF,
    WE_NULLEXTERNREF, WE_NULLEXNREF};

static const we_valtype *
single(we_valtype t)
{
	for (size_t i = 0; i < sizeof one_type / sizeof one_type[0]; i++)
		if (one_type[i] == t)
			return &one_type[i];
	return NULL;
}

/* The types untyped select takes: numbers and vectors. */
static bool
is_num_or_vec(we_valtype t)
{
	return t == WE_I32 || t == WE_I64 || t == WE_F32 || t == WE_F64 ||
	    t == WE_V128 || t == UNKNOWN;
}

static bool
is_ref(we_valtype t)
{
	return wr_is_ref(t) || t == UNKNOWN;
}

/* ---- Operand and control stacks (the spec's appendix) ----------------- */

/* Makes room for one more operand (and three above it); out of line. */
static __attribute__((noinline)) bool
grow_vals(cc *c)
{
	/* Room for three more: dead code may read just above the top. */
	while (c->nvals + 4 > c->capvals)
		if (!grow(c, (void **)&c->vals, c->capvals, &c->capvals,
		        sizeof *c->vals))
			return false;
	return true;
}

static inline bool
push_src(cc *c, we_valtype t, uint32_t src, uint64_t k)
{
	if (unlikely(c->nvals + 4 > c->capvals) && !grow_vals(c))
		return false;
	uint32_t own = slot(c, c->nvals);

	if (src == NONE)
		src = own;
	else if (c->nvals < c->own_below)
		c->own_below = c->nvals;
	c->vals[c->nvals] = (opnd){t, own, src, NONE, k};
	if (own + width(t) > c->maxslot)
		c->maxslot = own + width(t);
	if (src < c->nlslots) {
		c->vals[c->nvals].prev = c->readers[src];
		c->readers[src] = c->nvals;
	}
	c->nvals++;
	return true;
}

static inline bool
push(cc *c, we_valtype t)
{
	return push_src(c, t, NONE, 0);
}

/* Pushes local x's value, read in place until needed when compiling. */
static inline bool
push_local(cc *c, we_valtype t, uint32_t x)
{
	return push_src(c, t, c->emit_code ? c->lslot[x] : NONE, 0);
}

/*
 * Unlinks operand i, the highest one reading its local (when it reads
 * one), from that local's readers: it is popped or copied out.
 */
static inline void
unlink_reader(cc *c, uint32_t i)
{
	const opnd *v = &c->vals[i];

	if (v->src < c->nlslots)
		c->readers[v->src] = v->prev;
}

/* Unlinks operands [lo, nvals), highest first (see unlink_reader). */
static void
unlink_readers(cc *c, uint32_t lo)
{
	for (uint32_t i = c->nvals; i-- > lo;)
		unlink_reader(c, i);
}

/* Pops one operand into *out (UNKNOWN when the stack is polymorphic). */
static bool
pop(cc *c, we_valtype *out)
{
	ctl *t = top(c);

	if (c->nvals == t->height) {
		if (t->unreachable) {
			*out = UNKNOWN;
			return true;
		}
		return invalid(c, "type mismatch: operand stack is empty");
	}
	*out = c->vals[--c->nvals].type;
	unlink_reader(c, c->nvals);
	return true;
}

static __attribute__((noinline)) bool
pop_expect_slow(cc *c, we_valtype want)
{
	we_valtype got = UNKNOWN;

	if (!pop(c, &got))
		return false;
	if (got != UNKNOWN && want != UNKNOWN && !wm_subtype(c->m, got, want))
		return invalid(c, "type mismatch: expected %s, found %s",
		    we_valtype_name(want), we_valtype_name(got));
	return true;
}

/* Pops an operand of type want; the common case inline. */
static inline bool
pop_expect(cc *c, we_valtype want)
{
	if (likely(c->nvals > top(c)->height &&
	        c->vals[c->nvals - 1].type == want)) {
		c->nvals--;
		unlink_reader(c, c->nvals);
		return true;
	}
	return pop_expect_slow(c, want);
}

static bool
pop_all(cc *c, uint32_t n, const we_valtype *types)
{
	for (uint32_t i = n; i-- > 0;)
		if (!pop_expect(c, types[i]))
			return false;
	return true;
}

static bool
push_all(cc *c, uint32_t n, const we_valtype *types)
{
	for (uint32_t i = 0; i < n; i++)
		if (!push(c, types[i]))
			return false;
	return true;
}

static void
set_unreachable(cc *c)
{
	ctl *t = top(c);
	unlink_readers(c, t->height);
	c->nvals = t->height;
	t->unreachable = true;
}

static bool
push_ctl(cc *c, enum ctl_kind kind, const we_functype *bt)
{
	bool was_dead;
	ctl *t = NULL;

	was_dead = c->nctls > 0 && dead(c);
	if (!grow(c, (void **)&c->ctls, c->nctls, &c->capctls, sizeof *c->ctls))
		return false;
	t = &c->ctls[c->nctls++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->dead_entry = was_dead;
	t->height = c->nvals;
	t->nparams = bt->nparams;
	t->params = bt->params;
	t->nresults = bt->nresults;
	t->results = bt->results;
	t->loop_start = NONE;
	t->patches = NONE;
	t->else_patch = NONE;
	t->init_height = c->ninits;
	return push_all(c, bt->nparams, bt->params);
}

/* The types a branch to label l carries. */
static void
label_types(const ctl *t, uint32_t *n, const we_valtype **types)
{
	if (t->kind == CK_LOOP) {
		*n = t->nparams;
		*types = t->params;
	} else {
		*n = t->nresults;
		*types = t->results;
	}
}

/* ---- Emission ----------------------------------------------------------- */

/* Appends an instruction, dead or not; returns its index or NONE. */
static uint32_t
append(cc *c, wx_op op, uint32_t a, uint32_t b, uint64_t imm)
{
	wx_insn *i;

	if (!c->emit_code)
		return NONE;
	if (c->ncode == c->capcode) {
		uint32_t ncap = c->capcode ? c->capcode * 2 : 64;
		wx_insn *q = realloc(c->code, (size_t)ncap * sizeof *q);
		uint32_t *o;
		if (q == NULL)
			return nomem(c), NONE;
		c->code = q;
		o = realloc(c->offs, (size_t)ncap * sizeof *o);
		if (o == NULL)
			return nomem(c), NONE;
		c->offs = o;
		c->capcode = ncap;
	}
	i = &c->code[c->ncode];
	i->h = (const void *)(uintptr_t)op;
	i->a = a;
	i->b = b;
	i->imm = imm;
	c->offs[c->ncode] = (uint32_t)c->insn_off;
	return c->ncode++;
}

/* Appends an instruction unless the code is dead; its index or NONE. */
static uint32_t
emit(cc *c, wx_op op, uint32_t a, uint32_t b, uint64_t imm)
{
	if (!c->emit_code || dead(c) || c->r.failed)
		return NONE;
	return append(c, op, a, b, imm);
}

static uint32_t
emit_cd(cc *c, wx_op op, uint32_t a, uint32_t b, uint32_t c3, uint32_t d)
{
	uint32_t i = emit(c, op, a, b, 0);

	if (i != NONE) {
		c->code[i].c = c3;
		c->code[i].d = d;
	}
	return i;
}

uint32_t
wc_emit(cc *c, wx_op op, uint32_t a, uint32_t b, uint64_t imm)
{
	return emit(c, op, a, b, imm);
}

/* Records that insn i holds a code index in imm, to become a pointer. */
static void
note_target(cc *c, uint32_t i)
{
	if (i == NONE)
		return;
	if (!grow(c, (void **)&c->targs, c->ntargs, &c->captargs,
	        sizeof *c->targs))
		return;
	c->targs[c->ntargs++] = i;
}

/* Makes insn i a branch to the end of t (patched at t's end). */
static void
chain(cc *c, uint32_t i, ctl *t)
{
	if (i == NONE)
		return;
	c->code[i].imm = t->patches;
	t->patches = i;
	note_target(c, i);
}

static void
patch_chain(cc *c, uint32_t head, uint32_t to)
{
	if (head != NONE && to == c->ncode)
		c->label_pos = to;
	while (head != NONE) {
		uint32_t next = (uint32_t)c->code[head].imm;
		c->code[head].imm = to;
		head = next;
	}
}

static void
patch_one(cc *c, uint32_t i, uint32_t to)
{
	if (i == NONE)
		return;
	if (to == c->ncode)
		c->label_pos = to;
	c->code[i].imm = to;
	note_target(c, i);
}

void
wc_patch_one(cc *c, uint32_t i, uint32_t to)
{
	patch_one(c, i, to);
}

/*
 * Copies the w slots (1 or 2) of a value from src to dst; the two never
 * overlap unless dst is below src.
 */
static void
emit_move(cc *c, uint32_t dst, uint32_t src, uint32_t w)
{
	if (w == 2)
		emit_cd(c, WXO_X_MOVE2, dst, src, dst + 1, src + 1);
	else
		emit(c, WXO_X_MOVE, dst, src, 0);
}

/* Copies operand i into its own slot, if it is elsewhere. */
static void
materialize(cc *c, uint32_t i)
{
	opnd *v = &c->vals[i];

	if (v->src == v->slot)
		return;
	if (v->src == SRC_CONST)
		emit(c, WXO_X_CONST, v->slot, 0, v->k);
	else
		emit_move(c, v->slot, v->src, width(v->type));
	v->src = v->slot;
}

/* Materializes the top n operands of the current block. */
static void
materialize_top(cc *c, uint32_t n)
{
	uint32_t lo = c->nvals >= n ? c->nvals - n : 0;

	if (!c->emit_code)
		return; /* validating: where values are does not matter */
	if (lo < top(c)->height)
		lo = top(c)->height;
	if (lo <= c->own_below) {
		/* Only what was pushed since needs a look. */
		lo = c->own_below < c->nvals ? c->own_below : c->nvals;
		c->own_below = c->nvals;
	}
	unlink_readers(c, lo);
	for (uint32_t i = lo; i < c->nvals; i++)
		materialize(c, i);
	c->operand_visits += c->nvals - lo;
}

/* Operands below the current block are never left elsewhere. */
static void
materialize_all(cc *c)
{
	materialize_top(c, c->nvals);
}

/*
 * The slot to read popped operand i from (i >= nvals): a constant is
 * written to the operand's own slot first.
 */
static uint32_t
use(cc *c, uint32_t i)
{
	opnd *v = &c->vals[i];

	if (v->src == SRC_CONST) {
		emit(c, WXO_X_CONST, slot(c, i), 0, v->k);
		return slot(c, i);
	}
	return v->src;
}

/* Ends the straight-line run being charged for fuel. */
static void
end_charge(cc *c)
{
	c->charge = NONE;
}

static void
count_charge(cc *c)
{
	if (c->charge != NONE && !dead(c))
		c->code[c->charge].imm++;
}

/*
 * Copies n values from height `from` to the label height `to` (to <= from),
 * as a branch to a label whose values live lower on the stack needs.
 */
static void
emit_moves(cc *c, uint32_t to, uint32_t from, uint32_t n)
{
	uint32_t dst = slot(c, to), src = slot(c, from);
	uint32_t nslots = slot(c, from + n) - src;

	if (to == from)
		return;
	/* Slot by slot, upwards: dst is below src. */
	for (uint32_t i = 0; i < nslots; i++)
		emit(c, WXO_X_MOVE, dst + i, src + i, 0);
}

/*
 * An unconditional branch to label t carrying the n values at heights
 * [from, from + n): moves, then BR (or RETURN for the function's label).
 */
static void
emit_branch(cc *c, ctl *t, uint32_t from, uint32_t n)
{
	/* Dead: the values were never pushed, so they have no slots. */
	if (dead(c))
		return;
	if (t->kind == CK_FUNC) {
		emit(c, WXO_X_RETURN, slot(c, from),
		    slot(c, from + n) - slot(c, from), 0);
		return;
	}
	emit_moves(c, t->height, from, n);
	if (t->kind == CK_LOOP)
		wc_patch_back_edge(c, emit(c, WXO_X_BR, 0, 0, 0), t);
	else
		chain(c, emit(c, WXO_X_BR, 0, 0, 0), t);
}

/*
 * RETURN of the just-popped operands [h, h + n). A single result goes
 * straight to slot 0, where the caller expects it, so RETURN copies
 * nothing: the instruction computing it writes there, or one move does.
 */
static void
emit_return(cc *c, uint32_t h, uint32_t n)
{
	opnd v;

	if (dead(c))
		return;
	if (n != 1 || width(c->vals[h].type) != 1) {
		for (uint32_t i = 0; i < n; i++)
			materialize(c, h + i);
		emit(c, WXO_X_RETURN, slot(c, h), slot(c, h + n) - slot(c, h),
		    0);
		return;
	}
	v = c->vals[h];
	if (v.src == SRC_CONST)
		emit(c, WXO_X_CONST, 0, 0, v.k);
	else if (v.src == slot(c, h) && can_retarget(c, v.src))
		c->code[c->ncode - 1].a = 0;
	else if (v.src != 0)
		emit(c, WXO_X_MOVE, 0, v.src, 0);
	emit(c, WXO_X_RETURN, 0, 1, 0);
}

/* ---- Immediates --------------------------------------------------------- */

/*
 * The readers below take the common case (one byte: an opcode, or a
 * LEB128 immediate below 128) inline and leave everything else, failures
 * included, to reader.c. Loading validates every body, so these run for
 * each byte of code.
 */
static inline bool
fast_byte(const cc *c)
{
	return c->r.p < c->r.end && !c->r.failed;
}

static inline bool
read_u8(cc *c, uint8_t *out)
{
	if (likely(fast_byte(c))) {
		*out = *c->r.p++;
		return true;
	}
	return wrd_u8(&c->r, out);
}

static inline bool
read_u32(cc *c, uint32_t *out)
{
	if (likely(fast_byte(c) && *c->r.p < 0x80)) {
		*out = *c->r.p++;
		return true;
	}
	return wrd_u32(&c->r, out);
}

/* A one-byte signed LEB128 is its 7 bits, sign-extended from bit 6. */
static inline int32_t
sext7(uint8_t b)
{
	return (int32_t)(b & 0x3f) - (int32_t)(b & 0x40);
}

static inline bool
read_u64(cc *c, uint64_t *out)
{
	if (likely(fast_byte(c) && *c->r.p < 0x80)) {
		*out = *c->r.p++;
		return true;
	}
	return wrd_u64(&c->r, out);
}

static inline bool
read_s32(cc *c, int32_t *out)
{
	if (likely(fast_byte(c) && *c->r.p < 0x80)) {
		*out = sext7(*c->r.p++);
		return true;
	}
	return wrd_s32(&c->r, out);
}

static inline bool
read_s64(cc *c, int64_t *out)
{
	if (likely(fast_byte(c) && *c->r.p < 0x80)) {
		*out = sext7(*c->r.p++);
		return true;
	}
	return wrd_s64(&c->r, out);
}

static inline size_t
offset_now(const cc *c)
{
	return (size_t)(c->r.p - c->r.base);
}

static bool
read_zero_byte(cc *c)
{
	uint8_t b;

	if (!read_u8(c, &b))
		return false;
	if (b != 0)
		return malformed(c, "zero byte expected");
	return true;
}

/* *out := a block type's one result t, kept until compilation ends. */
static bool
own_single(cc *c, we_valtype t, const we_valtype **out)
{
	we_valtype *p;

	if (!grow(c, (void **)&c->owned, c->nowned, &c->capowned,
	        sizeof *c->owned))
		return false;
	p = malloc(sizeof *p);
	if (p == NULL)
		return nomem(c);
	*p = t;
	c->owned[c->nowned++] = p;
	*out = p;
	return true;
}

/* Whether type x (below ntypes) is a function type; reported if not. */
static bool
is_functype(cc *c, uint32_t x)
{
	if (c->m->typeinfo[x].kind != WM_KIND_FUNC)
		return invalid(c, "type %u is not a function type", x);
	return true;
}

static bool
read_blocktype(cc *c, we_functype *bt)
{
	int64_t v;
	uint8_t b;

	memset(bt, 0, sizeof *bt);
	if (wrd_left(&c->r) == 0)
		return wrd_u8(&c->r, &b);
	b = *c->r.p;
	if (b == 0x40) {
		c->r.p++;
		return true;
	}
	if (b >= 0x40 && b < 0x80) {
		/* A one-byte negative s33: a value type. */
		we_valtype t;
		if (!wrd_valtype(&c->r, &t))
			return false;
		bt->nresults = 1;
		bt->results = single(t);
		return bt->results != NULL || own_single(c, t, &bt->results);
	}
	if (!wrd_s33(&c->r, &v))
		return false;
	if (v < 0 || (uint64_t)v >= c->m->ntypes)
		return invalid(c, "unknown type %lld", (long long)v);
	if (!is_functype(c, (uint32_t)v))
		return false;
	*bt = c->m->types[v];
	return true;
}

static bool
check_func(cc *c, uint32_t f)
{
	if (f >= c->m->nfuncs)
		return invalid(c, "unknown function %u", f);
	return true;
}

static bool
check_table(cc *c, uint32_t t)
{
	if (t >= c->m->ntables)
		return invalid(c, "unknown table %u", t);
	return true;
}

/* The type of table x's indices and sizes (x is a valid index). */
static we_valtype
index_type(const cc *c, uint32_t x)
{
	return c->m->tables[x].addr64 ? WE_I64 : WE_I32;
}

static bool
check_memory(cc *c, uint32_t x)
{
	if (x >= c->m->nmems)
		return invalid(c, "unknown memory %u", x);
	return true;
}

/*
 * A memory index immediate (memory.size, .grow, .fill, .copy, .init): a
 * zero byte under 2.0's rules, any index of a memory under 3.0's.
 */
static bool
read_memidx(cc *c, uint32_t *x)
{
	*x = 0;
	if (c->m->wasm2 ? !read_zero_byte(c) : !read_u32(c, x))
		return false;
	return check_memory(c, *x);
}

/*
 * A data segment index (memory.init, data.drop). Without a data count
 * section the binary is malformed if it has data segments; with none at
 * all, every index is simply unknown (the spec suite's memory_init.wast).
 * Bodies are checked after the whole module is read, so ndatas is known.
 */
static bool
check_data(cc *c, uint32_t d)
{
	if (!c->m->has_datacount) {
		if (c->m->ndatas > 0)
			return malformed(c, "data count section required");
		return invalid(c, "unknown data segment %u", d);
	}
	if (d >= c->m->datacount)
		return invalid(c, "unknown data segment %u", d);
	return true;
}

static bool
check_elem(cc *c, uint32_t e)
{
	if (e >= c->m->nelems)
		return invalid(c, "unknown elem segment %u", e);
	return true;
}

/* A load's or store's memory, offset and address type. */
typedef struct memarg {
	uint32_t mem;
	uint64_t offset;
	we_valtype at; /* WE_I64 for a 64-bit memory, else WE_I32 */
} memarg;

/* The type of memory x's addresses and sizes (x is a valid index). */
static we_valtype
addr_type(const cc *c, uint32_t x)
{
	return c->m->mems[x].addr64 ? WE_I64 : WE_I32;
}

/*
 * A memarg: alignment flags, then (3.0) a memory index when flag 0x40 is
 * set, then the offset. An offset of 2^32 or more (3.0 reads 64 bits) is
 * out of range for a 32-bit memory.
 */
static bool
read_memarg(cc *c, uint32_t natural, memarg *ma)
{
	uint32_t align, off32;

	ma->mem = 0;
	ma->at = WE_I32;
	if (!read_u32(c, &align))
		return false;
	if (c->m->wasm2) {
		/* An exponent of 32 or more (or the multi-memory flag,
		   0x40) is not a Wasm 2.0 memarg at all. */
		if (!read_u32(c, &off32))
			return false;
		ma->offset = off32;
		if (align >= 32)
			return malformed(c, "malformed memop flags");
		if (!check_memory(c, 0))
			return false;
	} else {
		if (align >= 0x80)
			return malformed(c, "malformed memop flags");
		if ((align & 0x40) && !read_u32(c, &ma->mem))
			return false;
		align &= ~0x40u;
		if (!read_u64(c, &ma->offset) || !check_memory(c, ma->mem))
			return false;
		ma->at = addr_type(c, ma->mem);
		if (ma->at == WE_I32 && ma->offset > UINT32_MAX)
			return invalid(c, "offset out of range");
	}
	if (align > natural)
		return invalid(c, "alignment must not be larger than natural");
	return true;
}

/* ---- Instructions: control ---------------------------------------------- */

static bool
op_block(cc *c, enum ctl_kind kind)
{
	we_functype bt;
	opnd cond = {0};
	uint32_t h = 0, br = NONE;

	if (!read_blocktype(c, &bt))
		return false;
	if (kind == CK_IF) {
		if (!pop_expect(c, WE_I32))
			return false;
		h = c->nvals;
		cond = c->vals[h];
	}
	/* Every operand is in its own slot inside a block. */
	materialize_all(c);
	if (kind == CK_IF)
		br = wc_emit_cond(c, cond, h, false);
	if (!pop_all(c, bt.nparams, bt.params) || !push_ctl(c, kind, &bt))
		return false;
	end_charge(c);
	if (kind == CK_LOOP) {
		top(c)->loop_start = c->ncode;
		c->label_pos = c->ncode;
		if (!dead(c))
			c->charge = emit(c, WXO_X_LOOP, 0, 0, 1);
	} else if (kind == CK_IF) {
		top(c)->else_patch = br;
	}
	return true;
}

/* Whether each of the n1 types t1 is a subtype of its peer in t2. */
static bool
subtypes(const cc *c, uint32_t n1, const we_valtype *t1, uint32_t n2,
    const we_valtype *t2)
{
	if (n1 != n2)
		return false;
	for (uint32_t i = 0; i < n1; i++)
		if (!wm_subtype(c->m, t1[i], t2[i]))
			return false;
	return true;
}

/*
 * Forgets the non-nullable locals set since block t was entered: the
 * code after its end (or else) may be reached without them.
 */
static void
reset_inits(cc *c, const ctl *t)
{
	while (c->ninits > t->init_height)
		c->linit[c->inits[--c->ninits]] = false;
}

static bool
op_else(cc *c)
{
	ctl *t = top(c);

	if (t->kind != CK_IF)
		return malformed(c, "else without a matching if");
	materialize_top(c, t->nresults);
	if (!pop_all(c, t->nresults, t->results))
		return false;
	if (c->nvals != t->height)
		return invalid(c, "type mismatch: values remain at else");
	reset_inits(c, t);
	chain(c, emit(c, WXO_X_BR, 0, 0, 0), t);
	patch_one(c, t->else_patch, c->ncode);
	t->else_patch = NONE;
	t->kind = CK_ELSE;
	t->unreachable = false;
	end_charge(c);
	return push_all(c, t->nparams, t->params);
}

/* `end`: returns true with *done set when it closes the function. */
static void close_try(cc *c, const ctl *t);
static bool close_legacy_try(cc *c);

/* Pops the values block t ends with, which must be all it has. */
static bool
pop_block_results(cc *c, ctl *t)
{
	if (t->kind != CK_FUNC)
		materialize_top(c, t->nresults);
	if (!pop_all(c, t->nresults, t->results))
		return false;
	if (c->nvals != t->height)
		return invalid(
		    c, "type mismatch: values remain at end of block");
	reset_inits(c, t);
	return true;
}

static bool
op_end(cc *c, bool *done)
{
	ctl *t = top(c);
	ctl saved;

	if (!pop_block_results(c, t))
		return false;
	if (t->kind == CK_IF &&
	    !subtypes(c, t->nparams, t->params, t->nresults, t->results))
		return invalid(c,
		    "type mismatch: if without else must not "
		    "change the stack");
	end_charge(c);
	if (t->kind == CK_FUNC) {
		/* Falling off the end returns the values at height 0. */
		emit_return(c, c->nvals, t->nresults);
		*done = true;
		c->nctls--;
		return true;
	}
	if (t->kind == CK_TRY)
		close_try(c, t);
	if (t->kind >= CK_LTRY)
		return close_legacy_try(c);
	patch_one(c, t->else_patch, c->ncode);
	patch_chain(c, t->patches, c->ncode);
	saved = *t;
	c->nctls--;
	return push_all(c, saved.nresults, saved.results);
}

static bool
read_label(cc *c, ctl **out)
{
	uint32_t l;

	if (!read_u32(c, &l))
		return false;
	if (l >= c->nctls)
		return invalid(c, "unknown label %u", l);
	*out = &c->ctls[c->nctls - 1 - l];
	return true;
}

static bool
op_br(cc *c)
{
	const we_valtype *types;
	uint32_t n;
	ctl *t = NULL;

	if (!read_label(c, &t))
		return false;
	label_types(t, &n, &types);
	materialize_top(c, n);
	if (!pop_all(c, n, types))
		return false;
	end_charge(c);
	emit_branch(c, t, c->nvals, n);
	set_unreachable(c);
	return true;
}

/*
 * For a conditional branch to label t: checks that the stack's top holds
 * the *n values t takes, which stay (in their own slots, from height
 * *from) for the branch and for the code after it.
 */
static bool
keep_label_values(cc *c, ctl *t, uint32_t *n, uint32_t *from)
{
	const we_valtype *types;

	label_types(t, n, &types);
	materialize_top(c, *n);
	if (!pop_all(c, *n, types))
		return false;
	*from = c->nvals;
	if (!push_all(c, *n, types))
		return false;
	end_charge(c);
	return true;
}

static bool
op_br_if(cc *c)
{
	uint32_t n, h, from, skip;
	opnd cond;
	ctl *t = NULL;

	if (!read_label(c, &t) || !pop_expect(c, WE_I32))
		return false;
	h = c->nvals;
	cond = c->vals[h];
	if (!keep_label_values(c, t, &n, &from))
		return false;
	if (t->kind != CK_FUNC && (n == 0 || from == t->height)) {
		uint32_t i = wc_emit_cond(c, cond, h, true);
		if (t->kind == CK_LOOP)
			wc_patch_back_edge(c, i, t);
		else
			chain(c, i, t);
		return true;
	}
	skip = wc_emit_cond(c, cond, h, false);
	emit_branch(c, t, from, n);
	patch_one(c, skip, c->ncode);
	return true;
}

static bool
op_br_table(cc *c)
{
	uint32_t n, *labels, arity = 0, index, from, tab;
	we_valtype *got = NULL; /* own: the operands a label takes */
	const we_valtype *types;
	bool ok = false;

	if (!wrd_count(&c->r, 1, &n))
		return false;
	labels = malloc(((size_t)n + 1) * sizeof *labels);
	if (labels == NULL)
		return nomem(c);
	for (uint32_t i = 0; i <= n; i++) {
		if (!read_u32(c, &labels[i]))
			goto out;
		if (labels[i] >= c->nctls) {
			invalid(c, "unknown label %u", labels[i]);
			goto out;
		}
	}
	if (!pop_expect(c, WE_I32))
		goto out;
	index = use(c, c->nvals);
	label_types(&c->ctls[c->nctls - 1 - labels[n]], &arity, &types);
	materialize_top(c, arity);
	/* Not on the C stack: a block type may have very many results. */
	got = malloc((arity ? arity : 1) * sizeof *got);
	if (got == NULL) {
		nomem(c);
		goto out;
	}
	/* Each label must take the same number of values, of types the
	   stack has; unknown operands are checked against every label. */
	for (uint32_t i = 0; i <= n; i++) {
		ctl *t = &c->ctls[c->nctls - 1 - labels[i]];
		uint32_t k;
		label_types(t, &k, &types);
		if (k != arity) {
			invalid(c,
			    "type mismatch: br_table labels have "
			    "different arities");
			goto out;
		}
		for (uint32_t j = k; j-- > 0;) {
			if (!pop(c, &got[j]))
				goto out;
			if (got[j] != UNKNOWN &&
			    !wm_subtype(c->m, got[j], types[j])) {
				invalid(c,
				    "type mismatch: expected %s, "
				    "found %s",
				    we_valtype_name(types[j]),
				    we_valtype_name(got[j]));
				goto out;
			}
		}
		if (!push_all(c, k, got))
			goto out;
	}
	if (!pop_all(c, arity, types))
		goto out;
	from = c->nvals;
	end_charge(c);
	tab = emit(c, WXO_X_BR_TABLE, index, n, 0);
	for (uint32_t i = 0; i <= n; i++)
		emit(c, WXO_X_BR_TABLE_ENTRY, 0, 0, 0);
	if (tab != NONE) {
		for (uint32_t i = 0; i <= n; i++) {
			ctl *t = &c->ctls[c->nctls - 1 - labels[i]];
			uint32_t e = tab + 1 + i;
			if (t->kind == CK_LOOP && from == t->height) {
				patch_one(c, e, t->loop_start);
			} else if (t->kind != CK_FUNC &&
			    (arity == 0 || from == t->height)) {
				chain(c, e, t);
			} else {
				/* A stub that moves the values first. */
				patch_one(c, e, c->ncode);
				emit_branch(c, t, from, arity);
			}
		}
	}
	set_unreachable(c);
	ok = true;
out:
	free(got);
	free(labels);
	return ok;
}

static bool
op_return(cc *c)
{
	const we_functype *ft = c->ft;

	if (!pop_all(c, ft->nresults, ft->results))
		return false;
	end_charge(c);
	emit_return(c, c->nvals, ft->nresults);
	set_unreachable(c);
	return true;
}

static bool
do_call(cc *c, const we_functype *ft, wx_op op, uint32_t x, uint32_t y,
    uint32_t index_slot)
{
	uint32_t base;

	materialize_top(c, ft->nparams);
	if (!pop_all(c, ft->nparams, ft->params))
		return false;
	base = slot(c, c->nvals);
	if (!push_all(c, ft->nresults, ft->results))
		return false;
	end_charge(c);
	if (op == WXO_CALL && x >= c->m->nfunc_imports)
		emit(c, WXO_X_CALL_DIRECT, 0, base,
		    (uint64_t)(uintptr_t)&c->m->funcs[x]);
	else if (op == WXO_CALL)
		emit(c, WXO_X_CALL, 0, base, x);
	else if (op == WXO_CALL_REF)
		emit(c, WXO_X_CALL_REF, base, index_slot, 0);
	else
		emit_cd(c, WXO_X_CALL_INDIRECT, base, index_slot, y, x);
	return true;
}

static bool
op_call(cc *c)
{
	uint32_t f;

	if (!read_u32(c, &f) || !check_func(c, f))
		return false;
	return do_call(c, c->m->funcs[f].type, WXO_CALL, f, 0, 0);
}

/*
 * The immediates and the element index of call_indirect (and
 * return_call_indirect): *index is the slot to read the index from.
 */
static bool
read_call_indirect(cc *c, uint32_t *type, uint32_t *table, uint32_t *index)
{
	if (!read_u32(c, type) || !read_u32(c, table))
		return false;
	if (!check_table(c, *table))
		return false;
	if (*type >= c->m->ntypes)
		return invalid(c, "unknown type %u", *type);
	if (!is_functype(c, *type))
		return false;
	if (!wm_subtype(c->m, c->m->tables[*table].elem, WE_FUNCREF))
		return invalid(c,
		    "type mismatch: call_indirect needs a "
		    "funcref table");
	if (!pop_expect(c, index_type(c, *table)))
		return false;
	*index = use(c, c->nvals);
	if (index_type(c, *table) == WE_I64 && !dead(c)) {
		emit(c, WXO_X_IDX64, slot(c, c->nvals), *index, 0);
		*index = slot(c, c->nvals);
	}
	return true;
}

static bool
op_call_indirect(cc *c)
{
	uint32_t type, table, index;

	if (!read_call_indirect(c, &type, &table, &index))
		return false;
	return do_call(
	    c, &c->m->types[type], WXO_CALL_INDIRECT, type, table, index);
}

/* ---- Instructions: tail calls (3.0) ------------------------------------ */

/*
 * return_call / return_call_indirect of a callee of type ft, whose
 * results must be the function's own. The arguments go to consecutive
 * slots as for a call; the X_RETURN_CALL* moves them down to the frame's
 * start and runs the callee in this frame (see xops.def). The X_RETURN
 * after it ends the function when the callee is a host function.
 */
static bool
do_return_call(cc *c, const we_functype *ft, wx_op op, uint32_t x, uint32_t y,
    uint32_t index_slot)
{
	const we_functype *self = c->ft;
	uint32_t base, nargs;

	materialize_top(c, ft->nparams);
	if (!pop_all(c, ft->nparams, ft->params))
		return false;
	if (!subtypes(
	        c, ft->nresults, ft->results, self->nresults, self->results))
		return invalid(c,
		    "type mismatch: the callee of a tail call must "
		    "return the function's results");
	base = slot(c, c->nvals);
	nargs = (uint32_t)wr_slots_of(ft->nparams, ft->params);
	end_charge(c);
	if (op == WXO_RETURN_CALL && x >= c->m->nfunc_imports)
		emit(c, WXO_X_RETURN_CALL_DIRECT, nargs, base,
		    (uint64_t)(uintptr_t)&c->m->funcs[x]);
	else if (op == WXO_RETURN_CALL)
		emit(c, WXO_X_RETURN_CALL, nargs, base, x);
	else if (op == WXO_RETURN_CALL_REF)
		emit(c, WXO_X_RETURN_CALL_REF, base, index_slot, 0);
	else
		emit_cd(c, WXO_X_RETURN_CALL_INDIRECT, base, index_slot, y, x);
	emit(c, WXO_X_RETURN, 0,
	    (uint32_t)wr_slots_of(self->nresults, self->results), 0);
	set_unreachable(c);
	return true;
}

static bool
op_return_call(cc *c)
{
	uint32_t f;

	if (!read_u32(c, &f) || !check_func(c, f))
		return false;
	return do_return_call(c, c->m->funcs[f].type, WXO_RETURN_CALL, f, 0, 0);
}

static bool
op_return_call_indirect(cc *c)
{
	uint32_t type, table, index;

	if (!read_call_indirect(c, &type, &table, &index))
		return false;
	return do_return_call(c, &c->m->types[type], WXO_RETURN_CALL_INDIRECT,
	    type, table, index);
}

/* ---- Instructions: typed function references (3.0) -------------------- */

/* call_ref x / return_call_ref x: the callee is a (ref null x) on top. */
static bool
op_call_ref(cc *c, bool tail)
{
	uint32_t x, ref;

	if (!read_u32(c, &x))
		return false;
	if (x >= c->m->ntypes)
		return invalid(c, "unknown type %u", x);
	if (!is_functype(c, x))
		return false;
	if (!pop_expect(c, WE_REF_TYPE(x)))
		return false;
	ref = use(c, c->nvals);
	if (tail)
		return do_return_call(
		    c, &c->m->types[x], WXO_RETURN_CALL_REF, x, 0, ref);
	return do_call(c, &c->m->types[x], WXO_CALL_REF, x, 0, ref);
}

/* Pops a reference into *t (UNKNOWN when the stack is polymorphic). */
static bool
pop_ref(cc *c, we_valtype *t, const char *what)
{
	if (!pop(c, t))
		return false;
	if (!is_ref(*t))
		return invalid(c, "type mismatch: %s needs a reference", what);
	return true;
}

static we_valtype
non_null(we_valtype t)
{
	return t == UNKNOWN ? UNKNOWN : (we_valtype)(t | WE_REF_NONNULL);
}

static bool
op_ref_as_non_null(cc *c)
{
	we_valtype t;

	if (!pop_ref(c, &t, "ref.as_non_null"))
		return false;
	emit(c, WXO_X_REF_AS_NON_NULL, slot(c, c->nvals), use(c, c->nvals), 0);
	return push(c, non_null(t));
}

/* Pushes again operand v, just popped, as type t. */
static bool
repush(cc *c, opnd v, we_valtype t)
{
	if (dead(c) || v.src == v.slot)
		return push(c, t);
	return push_src(c, t, v.src, v.k);
}

/*
 * A slot just above the operand at height h, to hold a branch condition
 * while the operands stay where they are.
 */
static uint32_t
scratch_above(cc *c, uint32_t h)
{
	uint32_t s = slot(c, h) + 1;

	if (s + 1 > c->maxslot)
		c->maxslot = s + 1;
	return s;
}

/*
 * br_on_null l: branches to l with the values below the reference on
 * top when it is null; else goes on with it, now non-null.
 */
static bool
op_br_on_null(cc *c)
{
	uint32_t n, h, from, ref, cond, skip;
	we_valtype t;
	ctl *l = NULL;

	if (!read_label(c, &l) || !pop_ref(c, &t, "br_on_null"))
		return false;
	h = c->nvals;
	if (!keep_label_values(c, l, &n, &from))
		return false;
	ref = use(c, h);
	cond = scratch_above(c, h);
	emit(c, WXO_REF_IS_NULL, cond, ref, 0);
	skip = emit(c, WXO_X_BR_UNLESS, cond, 0, 0);
	emit_branch(c, l, from, n);
	patch_one(c, skip, c->ncode);
	return repush(c, c->vals[h], non_null(t));
}

/*
 * The branch of br_on_non_null and br_on_cast(_fail) to label l: the
 * reference just popped goes back (a local read in place stays so) as
 * type as, then the label's values, the reference last, go to l unless
 * skip_op (X_BR_IF or X_BR_UNLESS) skips on fp[cond] := test(ref, imm);
 * after it, the values below the reference stay, the reference popped.
 */
static bool
branch_on_ref(
    cc *c, ctl *l, we_valtype as, wx_op test, uint64_t imm, wx_op skip_op)
{
	const we_valtype *types;
	uint32_t n, from, ref, cond, skip;

	label_types(l, &n, &types);
	if (!repush(c, c->vals[c->nvals], as))
		return false;
	materialize_top(c, n);
	if (!pop_all(c, n, types))
		return false;
	from = c->nvals;
	if (!push_all(c, n - 1, types))
		return false;
	end_charge(c);
	ref = slot(c, from + n - 1);
	cond = scratch_above(c, from + n - 1);
	emit(c, test, cond, ref, imm);
	skip = emit(c, skip_op, cond, 0, 0);
	emit_branch(c, l, from, n);
	patch_one(c, skip, c->ncode);
	return true;
}

/*
 * br_on_non_null l: branches to l with the values below the reference
 * and the reference when it is not null; else drops it and goes on.
 */
static bool
op_br_on_non_null(cc *c)
{
	const we_valtype *types;
	uint32_t n;
	we_valtype t;
	ctl *l = NULL;

	if (!read_label(c, &l) || !pop_ref(c, &t, "br_on_non_null"))
		return false;
	label_types(l, &n, &types);
	if (n == 0 ||
	    (t != UNKNOWN && !wm_subtype(c->m, non_null(t), types[n - 1])))
		return invalid(c,
		    "type mismatch: br_on_non_null's label "
		    "must take the reference last");
	return branch_on_ref(
	    c, l, non_null(t), WXO_REF_IS_NULL, 0, WXO_X_BR_IF);
}

/* ---- Instructions: exception handling (3.0) ---------------------------- */

static bool
read_tag(cc *c, uint32_t *x)
{
	if (!read_u32(c, x))
		return false;
	if (*x >= c->m->ntags)
		return invalid(c, "unknown tag %u", *x);
	return true;
}

/* throw x: the tag's values, in consecutive slots, become an exception. */
static bool
op_throw(cc *c)
{
	const we_functype *ft;
	uint32_t x;

	if (!read_tag(c, &x))
		return false;
	ft = c->m->tags[x].type;
	materialize_top(c, ft->nparams);
	if (!pop_all(c, ft->nparams, ft->params))
		return false;
	end_charge(c);
	emit(c, WXO_X_THROW, slot(c, c->nvals), x, 0);
	set_unreachable(c);
	return true;
}

static bool
op_throw_ref(cc *c)
{
	if (!pop_expect(c, WE_EXNREF))
		return false;
	end_charge(c);
	emit(c, WXO_X_THROW_REF, use(c, c->nvals), 0, 0);
	set_unreachable(c);
	return true;
}

/*
 * The branch a catch clause lands on: to label t, whose nslots values
 * the unwinder has written at dst (a return for the function's label).
 */
static uint32_t
emit_catch_pad(cc *c, ctl *t, uint32_t dst, uint32_t nslots)
{
	uint32_t i;

	if (t->kind == CK_FUNC)
		return emit(c, WXO_X_RETURN, dst, nslots, 0);
	i = emit(c, WXO_X_BR, 0, 0, 0);
	if (t->kind == CK_LOOP)
		wc_patch_back_edge(c, i, t);
	else
		chain(c, i, t);
	return i;
}

/*
 * One catch clause: catch x l (kind 0), catch_ref x l (1), catch_all l
 * (2), catch_all_ref l (3). The label's types must be what the clause
 * gives it: the tag's values, then an exnref for the _ref kinds.
 */
static bool
read_catch(cc *c, wx_catch *k)
{
	we_valtype types[64];
	const we_valtype *lt;
	uint32_t n = 0, nl;
	uint8_t kind;
	ctl *t = NULL;

	k->tag = WX_CATCH_ALL;
	k->ref = WX_NO_REF;
	if (!read_u8(c, &kind))
		return false;
	if (kind > 3)
		return malformed(c, "malformed catch clause kind 0x%02x", kind);
	if (kind < 2) {
		const we_functype *ft;
		if (!read_tag(c, &k->tag))
			return false;
		ft = c->m->tags[k->tag].type;
		if (ft->nparams >= 64)
			return invalid(c, "catch of a tag of over 63 values");
		memcpy(types, ft->params, ft->nparams * sizeof *types);
		n = ft->nparams;
	}
	if (kind == 1 || kind == 3)
		types[n++] = (we_valtype)(WE_EXNREF | WE_REF_NONNULL);
	if (!read_label(c, &t))
		return false;
	label_types(t, &nl, &lt);
	if (!subtypes(c, n, types, nl, lt))
		return invalid(c, "type mismatch: catch clause and its label");
	k->dst = slot(c, t->height);
	if (kind == 1 || kind == 3)
		k->ref = k->dst + (uint32_t)wr_slots_of(n - 1, types);
	k->pad = emit_catch_pad(c, t, k->dst, (uint32_t)wr_slots_of(n, types));
	return true;
}

/*
 * try_table bt catch*: a block whose catch clauses cover its body. The
 * clauses' landing pads come first, jumped over on entry.
 */
static bool
op_try_table(cc *c)
{
	we_functype bt;
	uint32_t n, skip, first;

	if (!read_blocktype(c, &bt) || !read_u32(c, &n))
		return false;
	materialize_all(c);
	end_charge(c);
	skip = emit(c, WXO_X_BR, 0, 0, 0);
	first = c->npcatch;
	for (uint32_t i = 0; i < n; i++) {
		wx_catch k;
		if (!read_catch(c, &k))
			return false;
		if (k.pad == NONE)
			continue;
		if (!grow(c, (void **)&c->pcatch, c->npcatch, &c->cappcatch,
		        sizeof *c->pcatch))
			return false;
		c->pcatch[c->npcatch++] = k;
	}
	patch_one(c, skip, c->ncode);
	if (!pop_all(c, bt.nparams, bt.params) || !push_ctl(c, CK_TRY, &bt))
		return false;
	top(c)->try_first = first;
	top(c)->try_start = c->ncode;
	return true;
}

/* Appends clause k of block t, which covers [start, end). */
static void
add_catch(cc *c, const ctl *t, wx_catch k, uint32_t start, uint32_t end)
{
	if (!grow(c, (void **)&c->catches, c->ncatches, &c->capcatches,
	        sizeof *c->catches))
		return;
	k.start = start;
	k.end = end;
	k.level = (uint32_t)(t - c->ctls);
	c->catches[c->ncatches++] = k;
}

/* At a try_table's end: its clauses cover what was compiled since. */
static void
close_try(cc *c, const ctl *t)
{
	for (uint32_t i = t->try_first; i < c->npcatch; i++)
		add_catch(c, t, c->pcatch[i], t->try_start, c->ncode);
	c->npcatch = t->try_first;
}

/*
 * Legacy exception handling. A try keeps a hidden exnref operand below
 * its block: a catch segment finds the exception it caught there, for
 * rethrow, after the segment's own operands may have covered the
 * exception's values. So the block's values sit one slot higher than
 * the operands the try took, and its end moves them down.
 */

/* try bt: the parameters move up one slot, above the hidden exnref. */
static bool
op_try(cc *c)
{
	we_functype bt;
	uint32_t base, from, n;

	if (!read_blocktype(c, &bt))
		return false;
	materialize_all(c);
	end_charge(c);
	if (!pop_all(c, bt.nparams, bt.params))
		return false;
	base = c->nvals;
	if (!push(c, WE_EXNREF) || !push_ctl(c, CK_LTRY, &bt))
		return false;
	from = slot(c, base + 1);
	n = slot(c, c->nvals) - from;
	/* Top first: the two ranges overlap. */
	for (uint32_t i = n; i-- > 0;)
		emit(c, WXO_X_MOVE, from + i, from + i - 1, 0);
	top(c)->try_start = c->ncode;
	return true;
}

/* Ends the open segment of legacy try t, like `else` does. */
static bool
end_segment(cc *c, ctl *t)
{
	if (!pop_block_results(c, t))
		return false;
	end_charge(c);
	return true;
}

/*
 * catch x / catch_all: a segment that runs when the try's body throws an
 * exception of tag x (any, for catch_all), with the exception's values
 * as its operands.
 */
static bool
op_catch(cc *c, bool all)
{
	ctl *t = top(c);
	uint32_t x = WX_CATCH_ALL;

	if (t->kind != CK_LTRY && t->kind != CK_LCATCH)
		return malformed(c, "%s without a matching try",
		    all ? "catch_all" : "catch");
	if (!all && !read_tag(c, &x))
		return false;
	if (!end_segment(c, t))
		return false;
	if (t->kind == CK_LTRY)
		t->try_end = c->ncode;
	chain(c, emit(c, WXO_X_BR, 0, 0, 0), t);
	t->kind = all ? CK_LCATCH_ALL : CK_LCATCH;
	t->unreachable = false;
	if (c->emit_code && !t->dead_entry) {
		wx_catch k = {.tag = x,
		    .dst = slot(c, t->height),
		    .ref = slot(c, t->height - 1),
		    .pad = c->ncode};
		add_catch(c, t, k, t->try_start, t->try_end);
		c->label_pos = c->ncode;
	}
	if (all)
		return true;
	return push_all(
	    c, c->m->tags[x].type->nparams, c->m->tags[x].type->params);
}

/*
 * delegate l: ends a try whose body's exceptions go to the handlers of
 * label l, counted from the block around the try.
 */
static bool
op_delegate(cc *c)
{
	ctl *t = top(c);
	uint32_t l;

	if (t->kind != CK_LTRY)
		return malformed(c, "delegate without a matching try");
	if (!read_u32(c, &l))
		return false;
	if (l >= c->nctls - 1)
		return invalid(c, "unknown label %u", l);
	if (!end_segment(c, t))
		return false;
	if (c->emit_code && !t->dead_entry) {
		wx_catch k = {.tag = WX_DELEGATE,
		    .dst = c->nctls - 2 - l,
		    .ref = WX_NO_REF};
		add_catch(c, t, k, t->try_start, c->ncode);
	}
	return close_legacy_try(c);
}

/* rethrow l: throws again what the catch segment l caught. */
static bool
op_rethrow(cc *c)
{
	ctl *t = NULL;

	if (!read_label(c, &t))
		return false;
	if (t->kind != CK_LCATCH && t->kind != CK_LCATCH_ALL)
		return invalid(c, "invalid rethrow label");
	end_charge(c);
	emit(c, WXO_X_THROW_REF, slot(c, t->height - 1), 0, 0);
	set_unreachable(c);
	return true;
}

/*
 * Closes the legacy try on top (its values popped): drops the hidden
 * exnref and moves the values down onto its slot.
 */
static bool
close_legacy_try(cc *c)
{
	ctl saved = *top(c);
	uint32_t to, n;

	patch_chain(c, saved.patches, c->ncode);
	c->nctls--;
	c->nvals--;
	unlink_reader(c, c->nvals);
	to = slot(c, c->nvals);
	if (!push_all(c, saved.nresults, saved.results))
		return false;
	n = slot(c, c->nvals) - to;
	for (uint32_t i = 0; i < n; i++)
		emit(c, WXO_X_MOVE, to + i, to + i + 1, 0);
	return true;
}

/* ---- Instructions: parametric and variables ---------------------------- */

static bool
op_select(cc *c, bool typed)
{
	we_valtype t1 = UNKNOWN, t2 = UNKNOWN, want = UNKNOWN;
	uint32_t n, h;

	if (typed) {
		if (!wrd_count(&c->r, 1, &n))
			return false;
		if (n != 1)
			return invalid(c, "invalid result arity");
		if (!wrd_valtype(&c->r, &want))
			return false;
	}
	if (!pop_expect(c, WE_I32))
		return false;
	if (typed) {
		if (!pop_expect(c, want) || !pop_expect(c, want))
			return false;
		t1 = want;
	} else {
		if (!pop(c, &t1) || !pop(c, &t2))
			return false;
		if (!is_num_or_vec(t1) || !is_num_or_vec(t2))
			return invalid(c,
			    "type mismatch: select needs numeric "
			    "operands");
		if (t1 != t2 && t1 != UNKNOWN && t2 != UNKNOWN)
			return invalid(c,
			    "type mismatch: select operands "
			    "differ");
		if (t1 == UNKNOWN)
			t1 = t2;
	}
	h = c->nvals;
	if (!dead(c)) {
		uint32_t v1 = use(c, h), v2 = use(c, h + 1), k = use(c, h + 2);
		uint32_t dst = c->vals[h].slot;
		mark_simple(c, emit_cd(c, WXO_X_SELECT, dst, v1, v2, k));
		/* A v128: its upper halves the same way. The first select
		   wrote dst, which only v1 may be (v1 + 1 is still intact),
		   never k or v2, which are above or in locals. */
		if (width(t1) == 2) {
			emit_cd(c, WXO_X_SELECT, dst + 1, v1 + 1, v2 + 1, k);
			mark_simple(c, NONE);
		}
	}
	return push(c, t1);
}

/*
 * local.set of popped operand h to the local at slot x: operands still
 * reading x are copied out first; a value computed just before is
 * written to x directly (a v128 only by the inline SIMD forms, the only
 * v128 instructions marked simple).
 */
static void
set_local(cc *c, uint32_t x, uint32_t h)
{
	opnd v = c->vals[h];

	if (!c->emit_code)
		return;
	if (c->readers[x] == NONE && v.src == v.slot &&
	    can_retarget(c, v.src)) {
		c->code[c->ncode - 1].a = x;
		mark_simple(c, NONE);
		wc_pair_increments(c);
		return;
	}
	for (uint32_t i = c->readers[x]; i != NONE; i = c->vals[i].prev) {
		materialize(c, i);
		c->operand_visits++;
	}
	c->readers[x] = NONE;
	if (v.src == SRC_CONST)
		mark_simple(c, emit(c, WXO_X_CONST, x, 0, v.k));
	else if (v.src != x && width(v.type) == 2)
		emit_move(c, x, v.src, 2);
	else if (v.src != x) {
		mark_simple(c, emit(c, WXO_X_MOVE, x, v.src, 0));
		wc_pair_moves(c);
	}
}

static bool
op_local(cc *c, wx_op op)
{
	uint32_t x;
	we_valtype t;

	if (!read_u32(c, &x))
		return false;
	if (x >= c->nlocals)
		return invalid(c, "unknown local %u", x);
	t = c->ltypes[x];
	if (op == WXO_LOCAL_GET) {
		if (c->linit != NULL && !c->linit[x])
			return invalid(c, "uninitialized local %u", x);
		return push_local(c, t, x); /* read in place until needed */
	}
	if (!pop_expect(c, t))
		return false;
	if (c->linit != NULL && !c->linit[x]) {
		if (!grow(c, (void **)&c->inits, c->ninits, &c->capinits,
		        sizeof *c->inits))
			return false;
		c->linit[x] = true;
		c->inits[c->ninits++] = x;
	}
	if (!dead(c))
		set_local(c, c->lslot[x], c->nvals);
	return op == WXO_LOCAL_TEE ? push_local(c, t, x) : true;
}

/* 16 raw immediate bytes (v128.const, i8x16.shuffle) into out. */
static bool
read_16(cc *c, uint8_t out[16])
{
	const uint8_t *p;

	if (!wrd_bytes(&c->r, 16, &p))
		return false;
	memcpy(out, p, 16);
	return true;
}

/* Appends an X_DATA carrying the 16 bytes (after the insn using them). */
static void
append_data16(cc *c, const uint8_t bytes[16])
{
	uint32_t i = append(c, WXO_X_DATA, 0, 0, 0);

	if (i != NONE)
		memcpy(
		    (uint8_t *)&c->code[i] + offsetof(wx_insn, a), bytes, 16);
}

/*
 * The value of constant expression e (a v128.const, or global.get of an
 * imported global) into slots dst..dst+1: an immutable global's value is
 * known when it is defined by v128.const.
 */
static void
emit_const_w(cc *c, uint32_t dst, const wm_constexpr *e)
{
	uint8_t data[16];

	if (e->op != WM_CONST_V128) {
		emit(c, WXO_X_GLOBAL_GET_W, dst, e->index, 0);
		return;
	}
	if (emit(c, WXO_X_CONST_W, dst, 0, 0) == NONE)
		return;
	memcpy(data, &e->bits, 8);
	memcpy(data + 8, &e->bits_hi, 8);
	append_data16(c, data);
}

static bool
op_global(cc *c, bool set)
{
	uint32_t x;
	const wm_global *g;
	bool wide;

	if (!read_u32(c, &x))
		return false;
	if (x >= c->m->nglobals)
		return invalid(c, "unknown global %u", x);
	g = &c->m->globals[x];
	wide = width(g->type.type) == 2;
	if (!set) {
		if (wide && !g->type.mutable_ && x >= c->m->nglobal_imports)
			emit_const_w(c, slot(c, c->nvals), &g->init);
		else if (wide)
			emit(c, WXO_X_GLOBAL_GET_W, slot(c, c->nvals), x, 0);
		else
			mark_simple(c,
			    emit(c, WXO_X_GLOBAL_GET, slot(c, c->nvals), x, 0));
		return push(c, g->type.type);
	}
	if (!g->type.mutable_)
		return invalid(c, "global is immutable");
	if (!pop_expect(c, g->type.type))
		return false;
	emit(c, wide ? WXO_X_GLOBAL_SET_W : WXO_X_GLOBAL_SET, use(c, c->nvals),
	    x, 0);
	return true;
}

static bool
op_const(cc *c, wx_op op)
{
	uint64_t bits = 0;
	we_valtype t = WE_I32;
	bool ok = false;

	switch (op) {
	case WXO_I32_CONST: {
		int32_t v;
		ok = read_s32(c, &v);
		bits = (uint32_t)v;
		break;
	}
	case WXO_I64_CONST: {
		int64_t v;
		ok = read_s64(c, &v);
		bits = (uint64_t)v;
		t = WE_I64;
		break;
	}
	case WXO_F32_CONST: {
		uint32_t v;
		ok = wrd_f32(&c->r, &v);
		bits = v;
		t = WE_F32;
		break;
	}
	case WXO_F64_CONST: {
		ok = wrd_f64(&c->r, &bits);
		t = WE_F64;
		break;
	}
	default: return unhandled(c, op);
	}
	if (!ok)
		return false;
	return push_src(c, t, SRC_CONST, bits); /* folded until needed */
}

/* v128.const: written to its own slot at once (never folded). */
static bool
op_v128_const(cc *c)
{
	uint8_t bytes[16];
	wm_constexpr e = {.op = WM_CONST_V128, .type = WE_V128};

	if (!read_16(c, bytes))
		return false;
	memcpy(&e.bits, bytes, 8);
	memcpy(&e.bits_hi, bytes + 8, 8);
	emit_const_w(c, slot(c, c->nvals), &e);
	return push(c, WE_V128);
}

/* i8x16.shuffle: fp[a] := lanes of fp[b], fp[c]; the indices in X_DATA. */
static bool
op_shuffle(cc *c)
{
	uint8_t lanes[16];
	uint32_t h;

	if (!read_16(c, lanes))
		return false;
	for (int i = 0; i < 16; i++)
		if (lanes[i] >= 32)
			return invalid(c, "invalid lane index %u", lanes[i]);
	if (!pop_expect(c, WE_V128) || !pop_expect(c, WE_V128))
		return false;
	h = c->nvals;
	if (!dead(c)) {
		uint32_t x = use(c, h), y = use(c, h + 1);
		if (emit_cd(c, WXO_I8X16_SHUFFLE, slot(c, h), x, y, 0) != NONE)
			append_data16(c, lanes);
	}
	return push(c, WE_V128);
}

/* ---- Instructions: references, tables, memory -------------------------- */

static bool
op_ref(cc *c, wx_op op)
{
	we_valtype t;
	uint32_t x;

	switch (op) {
	case WXO_REF_NULL:
		if (!wrd_heaptype(&c->r, &t))
			return false;
		return push_src(c, t, SRC_CONST, 0);
	case WXO_REF_IS_NULL:
		if (!pop(c, &t))
			return false;
		if (!is_ref(t))
			return invalid(c,
			    "type mismatch: ref.is_null needs a "
			    "reference");
		mark_simple(
		    c, emit(c, op, slot(c, c->nvals), use(c, c->nvals), 0));
		return push(c, WE_I32);
	case WXO_REF_FUNC:
		if (!read_u32(c, &x) || !check_func(c, x))
			return false;
		if (!c->m->func_declared[x])
			return invalid(
			    c, "undeclared function reference %u", x);
		mark_simple(c, emit(c, op, slot(c, c->nvals), x, 0));
		return push(c,
		    (we_valtype)(WE_REF_TYPE(c->m->funcs[x].type_index) |
		        WE_REF_NONNULL));
	default: return unhandled(c, op);
	}
}

/*
 * Pops the three operands of a bulk memory or table instruction, of
 * types t0, t1
 * and t2 (from the bottom), and returns which are i64: bit i for operand
 * i, the handler's c (xops.def); UINT32_MAX when they do not validate.
 */
static uint32_t
pop_bulk(cc *c, we_valtype t0, we_valtype t1, we_valtype t2)
{
	if (!pop_expect(c, t2) || !pop_expect(c, t1) || !pop_expect(c, t0))
		return UINT32_MAX;
	return (t0 == WE_I64) | (t1 == WE_I64) << 1 | (t2 == WE_I64) << 2;
}

/*
 * A table instruction's operands, popped, sit in consecutive slots from
 * slot(c, c->nvals): makes those that are i64 table indices or counts
 * (bit i of wide for operand i) i32 ones the handler can read, with
 * X_IDX64 (xops.def).
 */
static void
narrow_indices(cc *c, uint32_t wide)
{
	uint32_t base = slot(c, c->nvals);

	for (uint32_t i = 0; i < 3; i++)
		if (wide >> i & 1)
			emit(c, WXO_X_IDX64, base + i, base + i, 0);
}

/*
 * table.size or table.grow (operands popped) of table x whose sizes are
 * of type it: the op, then for a 64-bit table its i32 result (a size
 * below 2^31, or -1) sign-extended to i64.
 */
static bool
emit_widened(cc *c, wx_op op, uint32_t x, we_valtype it)
{
	uint32_t a = slot(c, c->nvals);

	emit(c, op, a, x, 0);
	if (it == WE_I64)
		emit(c, WXO_I64_EXTEND_I32_S, a, a, 0);
	return push(c, it);
}

static bool
op_table(cc *c, wx_op op)
{
	uint32_t x, y = 0, wide;
	we_valtype et, it;

	/* These read their operands from consecutive slots. */
	materialize_top(c, 3);
	if (op == WXO_TABLE_INIT) {
		if (!read_u32(c, &y) || !read_u32(c, &x))
			return false;
	} else if (!read_u32(c, &x)) {
		return false;
	}
	if (op == WXO_ELEM_DROP) {
		if (!check_elem(c, x))
			return false;
		emit(c, op, 0, x, 0);
		return true;
	}
	if (!check_table(c, x))
		return false;
	et = c->m->tables[x].elem;
	it = index_type(c, x);
	switch (op) {
	case WXO_TABLE_GET:
		if (!pop_expect(c, it))
			return false;
		narrow_indices(c, it == WE_I64);
		emit(c, op, slot(c, c->nvals), x, 0);
		return push(c, et);
	case WXO_TABLE_SET:
		if (!pop_expect(c, et) || !pop_expect(c, it))
			return false;
		narrow_indices(c, it == WE_I64);
		emit(c, op, slot(c, c->nvals), x, 0);
		return true;
	case WXO_TABLE_SIZE:
		if (it == WE_I64)
			return emit_widened(c, op, x, it);
		mark_simple(c, emit(c, op, slot(c, c->nvals), x, 0));
		return push(c, WE_I32);
	case WXO_TABLE_GROW:
		if (!pop_expect(c, it) || !pop_expect(c, et))
			return false;
		narrow_indices(c, (it == WE_I64) << 1);
		return emit_widened(c, op, x, it);
	case WXO_TABLE_FILL:
		if (!pop_expect(c, it) || !pop_expect(c, et) ||
		    !pop_expect(c, it))
			return false;
		narrow_indices(c, it == WE_I64 ? 5 : 0);
		emit(c, op, slot(c, c->nvals), x, 0);
		return true;
	case WXO_TABLE_COPY: {
		we_valtype st;
		if (!read_u32(c, &y) || !check_table(c, y))
			return false;
		if (!wm_subtype(c->m, c->m->tables[y].elem, et))
			return invalid(c,
			    "type mismatch: table.copy between "
			    "tables of different types");
		st = index_type(c, y);
		if ((wide = pop_bulk(c, it, st,
		         it == WE_I64 && st == WE_I64 ? WE_I64 : WE_I32)) ==
		    UINT32_MAX)
			return false;
		narrow_indices(c, wide);
		emit_cd(c, op, slot(c, c->nvals), 0, x, y);
		return true;
	}
	case WXO_TABLE_INIT: /* x is the table, y the segment */
		if (!check_elem(c, y))
			return false;
		if (!wm_subtype(c->m, c->m->elems[y].type, et))
			return invalid(c,
			    "type mismatch: table.init of a "
			    "segment of another type");
		if ((wide = pop_bulk(c, it, WE_I32, WE_I32)) == UINT32_MAX)
			return false;
		narrow_indices(c, wide);
		emit_cd(c, op, slot(c, c->nvals), 0, x, y);
		return true;
	default: return unhandled(c, op);
	}
}

/*
 * Emits op (a, b, c3, d) to run on memory mem: as it is for memory 0,
 * else between an X_MEM of mem and one of memory 0 (xops.def), and then
 * its result, if any, cannot be retargeted (see simple_mem). Returns the
 * op's code index, or NONE.
 */
static uint32_t
emit_mem(cc *c, uint32_t mem, wx_op op, uint32_t a, uint32_t b, uint32_t c3,
    uint32_t d)
{
	uint32_t i;

	if (mem == 0)
		return emit_cd(c, op, a, b, c3, d);
	emit(c, WXO_X_MEM, 0, mem, 0);
	i = emit_cd(c, op, a, b, c3, d);
	emit(c, WXO_X_MEM, 0, 0, 0);
	return i;
}

/* What mark_simple() should record for insn i just emitted by emit_mem. */
static uint32_t
simple_mem(uint32_t mem, uint32_t i)
{
	return mem == 0 ? i : NONE;
}

/*
 * A load (store false: op writes slot x from address addr) or a store
 * (op writes x to address addr) of memory ma->mem that is not memory 0
 * or is a 64-bit one, as its plain op, none of the fused forms: X_MEM
 * around it (see emit_mem), and for a 64-bit memory an X_ADDR64 before
 * it that checks the 64-bit address and offset and leaves the address in
 * slot(c, h) (the address operand's own slot, at popped height h) for
 * the op to use with offset 0. lane is the lane immediate (d).
 */
static void
emit_slow_access(cc *c, const memarg *ma, wx_op op, bool store, uint32_t addr,
    uint32_t x, uint32_t lane, uint32_t h)
{
	uint64_t off = ma->offset;

	if (ma->mem != 0)
		emit(c, WXO_X_MEM, 0, ma->mem, 0);
	if (ma->at == WE_I64) {
		emit(c, WXO_X_ADDR64, slot(c, h), addr, off);
		addr = slot(c, h);
		off = 0;
	}
	if (store)
		emit_cd(c, op, addr, x, (uint32_t)off, lane);
	else
		emit_cd(c, op, x, addr, (uint32_t)off, lane);
	if (ma->mem != 0)
		emit(c, WXO_X_MEM, 0, 0, 0);
	mark_simple(c, NONE);
}

/* Whether an access by ma must take emit_slow_access. */
static bool
slow_access(const memarg *ma)
{
	return ma->mem != 0 || ma->at == WE_I64;
}

static bool
op_memory(cc *c, wx_op op)
{
	uint32_t x = 0, mem = 0, src = 0, wide;
	we_valtype at;

	/* These read their operands from consecutive slots. */
	materialize_top(c, 3);
	switch (op) {
	case WXO_MEMORY_SIZE:
	case WXO_MEMORY_GROW:
	case WXO_MEMORY_FILL:
		if (!read_memidx(c, &mem))
			return false;
		break;
	case WXO_MEMORY_COPY:
		if (!read_memidx(c, &mem) || !read_memidx(c, &src))
			return false;
		break;
	case WXO_MEMORY_INIT:
		if (!read_u32(c, &x) || !read_memidx(c, &mem) ||
		    !check_data(c, x))
			return false;
		break;
	case WXO_DATA_DROP:
		if (!read_u32(c, &x) || !check_data(c, x))
			return false;
		emit(c, op, 0, x, 0);
		return true;
	default: return unhandled(c, op);
	}
	at = addr_type(c, mem);
	switch (op) {
	case WXO_MEMORY_SIZE:
		mark_simple(c,
		    simple_mem(
		        mem, emit_mem(c, mem, op, slot(c, c->nvals), 0, 0, 0)));
		return push(c, at);
	case WXO_MEMORY_GROW:
		if (!pop_expect(c, at))
			return false;
		emit_mem(c, mem, op, slot(c, c->nvals), 0, at == WE_I64, 0);
		return push(c, at);
	case WXO_MEMORY_COPY: {
		we_valtype st = addr_type(c, src);
		we_valtype nt = at == WE_I64 && st == WE_I64 ? WE_I64 : WE_I32;
		if ((wide = pop_bulk(c, at, st, nt)) == UINT32_MAX)
			return false;
		if (mem == 0 && src == 0)
			emit_cd(c, op, slot(c, c->nvals), 0, wide, 0);
		else
			emit_cd(c, WXO_X_MEMORY_COPY_MM, slot(c, c->nvals), mem,
			    wide, src);
		return true;
	}
	case WXO_MEMORY_FILL:
		if ((wide = pop_bulk(c, at, WE_I32, at)) == UINT32_MAX)
			return false;
		emit_mem(c, mem, op, slot(c, c->nvals), 0, wide, 0);
		return true;
	default: /* MEMORY_INIT: checked above */
		if ((wide = pop_bulk(c, at, WE_I32, WE_I32)) == UINT32_MAX)
			return false;
		emit_mem(c, mem, op, slot(c, c->nvals), x, wide, 0);
		return true;
	}
}

/* ---- Decoding one instruction ------------------------------------------ */

enum op_kind {
	K_BAD,
	K_CTL,
	K_SPC,
	K_UN,
	K_BIN,
	K_LD,
	K_ST,
	K_VOP,
	K_VLD,
	K_VST
};

/*
 * The rows compiled by hand (WX_CTL and WX_SPC): op_hand switches over
 * these with no default, so a new such row that it does not handle is a
 * compile error (-Wswitch), not an instruction validated as another.
 */
typedef enum wx_hand {
#define WX_CTL(N, code, text, imm) WXH_##N,
#define WX_SPC(N, code, text, imm) WXH_##N,
#include "opcodes.def"
} wx_hand;

typedef struct op_info {
	uint8_t kind;
	uint8_t t, r;  /* operand and result types */
	uint8_t align; /* natural alignment, log2 */
	uint16_t op;   /* wx_op */
	uint16_t hand; /* wx_hand, for K_CTL and K_SPC */
	uint8_t sig;   /* K_VOP: enum vsig */
	uint8_t
	    lanes; /* K_VOP, K_VLD, K_VST: lane immediate below this, or 0 */
} op_info;

/*
 * The operand and result types of a WX_VOP row (its sig in opcodes.def):
 * V = v128, I = i32, L = i64, F = f32, D = f64.
 */
enum vsig {
	S_V_V,
	S_VV_V,
	S_VVV_V,
	S_V_I,
	S_VI_V,
	S_I_V,
	S_L_V,
	S_F_V,
	S_D_V,
	S_V_L,
	S_V_F,
	S_V_D,
	S_VL_V,
	S_VF_V,
	S_VD_V
};

static const struct vsig_types {
	uint8_t n;           /* operands */
	we_valtype param[3]; /* operand types, bottom first */
	we_valtype result;
} vsig_types[] = {
    [S_V_V] = {1, {WE_V128}, WE_V128},
    [S_VV_V] = {2, {WE_V128, WE_V128}, WE_V128},
    [S_VVV_V] = {3, {WE_V128, WE_V128, WE_V128}, WE_V128},
    [S_V_I] = {1, {WE_V128}, WE_I32},
    [S_VI_V] = {2, {WE_V128, WE_I32}, WE_V128},
    [S_I_V] = {1, {WE_I32}, WE_V128},
    [S_L_V] = {1, {WE_I64}, WE_V128},
    [S_F_V] = {1, {WE_F32}, WE_V128},
    [S_D_V] = {1, {WE_F64}, WE_V128},
    [S_V_L] = {1, {WE_V128}, WE_I64},
    [S_V_F] = {1, {WE_V128}, WE_F32},
    [S_V_D] = {1, {WE_V128}, WE_F64},
    [S_VL_V] = {2, {WE_V128, WE_I64}, WE_V128},
    [S_VF_V] = {2, {WE_V128, WE_F32}, WE_V128},
    [S_VD_V] = {2, {WE_V128, WE_F64}, WE_V128},
};

#define T_I32 WE_I32
#define T_I64 WE_I64
#define T_F32 WE_F32
#define T_F64 WE_F64
#define T_F32B WE_F32
#define T_F64B WE_F64

/* Sizes one past the highest sub-opcode of the 0xFC rows. */
union fc_span {
#define WX_ANY(N, code, text)                                                  \
	char N[WX_CODE_PREFIX(code) == 0xfc ? WX_CODE_SUB(code) + 1 : 1];
#include "opcodes.def"
};
#define FC_SPAN ((uint32_t)sizeof(union fc_span))

/* Sizes one past the highest sub-opcode of the 0xFB (GC) rows. */
union fb_span {
#define WX_ANY(N, code, text)                                                  \
	char N[WX_CODE_PREFIX(code) == 0xfb ? WX_CODE_SUB(code) + 1 : 1];
#include "opcodes.def"
};
#define FB_SPAN ((uint32_t)sizeof(union fb_span))

/* Sizes one past the highest sub-opcode of the 0xFD (SIMD) rows. */
union fd_span {
#define WX_ANY(N, code, text)                                                  \
	char N[WX_CODE_PREFIX(code) == 0xfd ? WX_CODE_SUB(code) + 1 : 1];
#include "opcodes.def"
};
#define FD_SPAN ((uint32_t)sizeof(union fd_span))

/*
 * Where row code sits in opinfo_table: one-byte opcodes at their byte,
 * then the 0xFC sub-opcodes, then the 0xFD ones, then the 0xFB ones. A row of any other prefix
 * gets an index far out of the table, which does not compile: give its
 * prefix a range here (and in compile_insn) first.
 */
#define FC_BASE 256u
#define FD_BASE (FC_BASE + FC_SPAN)
#define FB_BASE (FD_BASE + FD_SPAN)
#define OPIX(code)                                                             \
	((code) < 0x100                        ? (code)                        \
	        : WX_CODE_PREFIX(code) == 0xfc ? FC_BASE + WX_CODE_SUB(code)   \
	        : WX_CODE_PREFIX(code) == 0xfd ? FD_BASE + WX_CODE_SUB(code)   \
	        : WX_CODE_PREFIX(code) == 0xfb ? FB_BASE + WX_CODE_SUB(code)   \
	                                       : 0x7fffffff)
#define OPINFO_SIZE (FB_BASE + FB_SPAN)

static const op_info opinfo_table[OPINFO_SIZE] = {
#define WX_CTL(N, code, text, imm)                                             \
	[OPIX(code)] = {.kind = K_CTL, .op = WXO_##N, .hand = WXH_##N},
#define WX_SPC(N, code, text, imm)                                             \
	[OPIX(code)] = {.kind = K_SPC, .op = WXO_##N, .hand = WXH_##N},
#define WX_UN(N, code, text, T, R, fn)                                         \
	[OPIX(code)] = {.kind = K_UN, .t = T_##T, .r = T_##R, .op = WXO_##N},
#define WX_UNT(N, code, text, T, R, fn) WX_UN(N, code, text, T, R, fn)
#define WX_BIN(N, code, text, T, R, fn)                                        \
	[OPIX(code)] = {.kind = K_BIN, .t = T_##T, .r = T_##R, .op = WXO_##N},
#define WX_BINT(N, code, text, T, R, fn) WX_BIN(N, code, text, T, R, fn)
#define WX_LD(N, code, text, T, al, ctype)                                     \
	[OPIX(code)] = {.kind = K_LD, .r = T_##T, .align = al, .op = WXO_##N},
#define WX_ST(N, code, text, T, al, ctype)                                     \
	[OPIX(code)] = {.kind = K_ST, .t = T_##T, .align = al, .op = WXO_##N},
#define WX_VOP(N, code, text, sg, n)                                           \
	[OPIX(code)] = {                                                       \
	    .kind = K_VOP, .sig = S_##sg, .lanes = n, .op = WXO_##N},
#define WX_VLD(N, code, text, al, n)                                           \
	[OPIX(code)] = {.kind = K_VLD, .align = al, .lanes = n, .op = WXO_##N},
#define WX_VST(N, code, text, al, n)                                           \
	[OPIX(code)] = {.kind = K_VST, .align = al, .lanes = n, .op = WXO_##N},
#include "opcodes.def"
};

/* A lane index immediate (one byte), which must be below lanes. */
static bool
read_lane(cc *c, uint32_t lanes, uint32_t *lane)
{
	uint8_t b;

	if (!read_u8(c, &b))
		return false;
	if (b >= lanes)
		return invalid(c, "invalid lane index %u", b);
	*lane = b;
	return true;
}

/*
 * A WX_VOP row: wxs_N gets a = result, b, c = the first two operands, d =
 * the third or the lane index (simd.h).
 */
static bool
op_vop(cc *c, const op_info *oi)
{
	const struct vsig_types *sg = &vsig_types[oi->sig];
	uint32_t lane = 0, h, from[3] = {0, 0, 0}, i;

	if (oi->lanes && !read_lane(c, oi->lanes, &lane))
		return false;
	for (i = sg->n; i-- > 0;)
		if (!pop_expect(c, sg->param[i]))
			return false;
	h = c->nvals;
	if (!dead(c)) {
		for (i = 0; i < sg->n; i++)
			from[i] = use(c, h + i);
		i = emit_cd(c, oi->op, slot(c, h), from[0], from[1],
		    sg->n == 3 ? from[2] : lane);
		/* A scalar result may be retargeted (simd.c reads first). */
		if (width(sg->result) == 1)
			mark_simple(c, i);
	}
	return push(c, sg->result);
}

/*
 * A WX_VLD or WX_VST row (simd.h): a memarg, then a lane index for the
 * lane forms. A lane load finds the vector it changes right above the
 * address, in its own slots.
 */
static bool
op_vmem(cc *c, const op_info *oi)
{
	uint32_t lane = 0, h;
	memarg ma;

	if (!read_memarg(c, oi->align, &ma) ||
	    (oi->lanes && !read_lane(c, oi->lanes, &lane)))
		return false;
	if (oi->kind == K_VLD && oi->lanes)
		materialize_top(c, 1);
	if ((oi->kind == K_VST || oi->lanes) && !pop_expect(c, WE_V128))
		return false;
	if (!pop_expect(c, ma.at))
		return false;
	h = c->nvals;
	if (oi->kind == K_VST) {
		if (!dead(c)) {
			uint32_t a = use(c, h), v = use(c, h + 1);
			emit_slow_access(c, &ma, oi->op, true, a, v, lane, h);
		}
		return true;
	}
	if (!dead(c)) {
		uint32_t a = use(c, h);
		emit_slow_access(c, &ma, oi->op, false, a, slot(c, h), lane, h);
	}
	return push(c, WE_V128);
}

/*
 * The SIMD rows computed inline (simdhot.def, v128.load, v128.store,
 * i8x16.bitmask), indexed by the row's op: compiled as the scalar
 * operations of their kind, so they get the same fused forms.
 */
static const op_info hot_info[WXO__COUNT] = {
#define WX_VHOT(N, V, expr)                                                    \
	[WXO_##N] = {                                                          \
	    .kind = K_BIN, .t = WE_V128, .r = WE_V128, .op = WXO_##N##_V},
#define WX_VSHIFT(N, V, bits, shift)                                           \
	[WXO_##N] = {.kind = K_VOP, .sig = S_VI_V, .op = WXO_##N##_V},
#include "simdhot.def"
    [WXO_V128_LOAD] = {.kind = K_LD,
        .r = WE_V128,
        .align = 4,
        .op = WXO_V128_LOAD_V},
    [WXO_V128_STORE] = {.kind = K_ST,
        .t = WE_V128,
        .align = 4,
        .op = WXO_V128_STORE_V},
    [WXO_I8X16_BITMASK] = {.kind = K_UN,
        .t = WE_V128,
        .r = WE_I32,
        .op = WXO_I8X16_BITMASK_V},
};

static bool
op_simple(cc *c, const op_info *oi)
{
	uint32_t h, off;
	memarg ma;

	if (hot_info[oi->op].kind != K_BAD)
		oi = &hot_info[oi->op];

	switch (oi->kind) {
	case K_UN:
		if (!pop_expect(c, oi->t))
			return false;
		h = c->nvals;
		mark_simple(c, emit(c, oi->op, slot(c, h), use(c, h), 0));
		return push(c, oi->r);
	case K_BIN:
		if (!pop_expect(c, oi->t) || !pop_expect(c, oi->t))
			return false;
		h = c->nvals;
		if (dead(c))
			return push(c, oi->r);
		if (wc_fuse_binary_load(c, h, oi->op))
			return push(c, oi->r);
		if (c->vals[h + 1].src == SRC_CONST &&
		    c->vals[h].src != SRC_CONST && wc_k_form[oi->op]) {
			mark_simple(c,
			    emit(c, (wx_op)wc_k_form[oi->op], slot(c, h),
			        c->vals[h].src, c->vals[h + 1].k));
		} else {
			uint32_t a = use(c, h), b = use(c, h + 1);
			mark_simple(c, emit_cd(c, oi->op, slot(c, h), a, b, 0));
		}
		return push(c, oi->r);
	case K_VOP: return op_vop(c, oi);
	case K_VLD:
	case K_VST: return op_vmem(c, oi);
	case K_LD:
		if (!read_memarg(c, oi->align, &ma) || !pop_expect(c, ma.at))
			return false;
		h = c->nvals;
		off = (uint32_t)ma.offset;
		if (slow_access(&ma)) {
			uint32_t a = use(c, h);
			emit_slow_access(
			    c, &ma, oi->op, false, a, slot(c, h), 0, h);
			return push(c, oi->r);
		}
		if (wc_fuse_load(c, h, oi->op, off))
			return push(c, oi->r);
		if (c->vals[h].src == SRC_CONST && wc_ka_form[oi->op]) {
			uint64_t ea = (uint64_t)(uint32_t)c->vals[h].k + off;
			mark_simple(c,
			    emit(c, (wx_op)wc_ka_form[oi->op], slot(c, h), 0,
			        ea));
			return push(c, oi->r);
		}
		mark_simple(
		    c, emit_cd(c, oi->op, slot(c, h), use(c, h), off, 0));
		return push(c, oi->r);
	default: /* K_ST */
		if (!read_memarg(c, oi->align, &ma) || !pop_expect(c, oi->t) ||
		    !pop_expect(c, ma.at))
			return false;
		h = c->nvals;
		off = (uint32_t)ma.offset;
		if (slow_access(&ma)) {
			if (!dead(c)) {
				uint32_t a = use(c, h), v = use(c, h + 1);
				emit_slow_access(
				    c, &ma, oi->op, true, a, v, 0, h);
			}
			return true;
		}
		if (c->vals[h + 1].src == SRC_CONST && wc_sk_form[oi->op]) {
			if (!dead(c))
				emit(c, (wx_op)wc_sk_form[oi->op], use(c, h),
				    off, c->vals[h + 1].k);
			return true;
		}
		if (dead(c))
			return true;
		if (wc_fuse_store(c, h, oi->op, off))
			return true;
		if (c->vals[h].src == SRC_CONST && wc_ka_form[oi->op]) {
			uint64_t ea = (uint64_t)(uint32_t)c->vals[h].k + off;
			emit(
			    c, (wx_op)wc_ka_form[oi->op], 0, use(c, h + 1), ea);
			return true;
		}
		if (!dead(c)) {
			uint32_t a = use(c, h), v = use(c, h + 1);
			emit_cd(c, oi->op, a, v, off, 0);
		}
		return true;
	}
}

/* ---- Instructions: GC (3.0) ----------------------------------------------- */

/* An unknown 0xfb instruction. */
static bool
gc_illegal(cc *c, uint32_t sub)
{
	return malformed(c, "illegal opcode 0xfb %u", sub);
}

/* ---- Instructions: GC objects (struct and array) ----------------------- */

/* Reads a type index that must name a type of kind (a wm_typekind). */
static bool
read_gc_type(cc *c, uint32_t *x, uint8_t kind)
{
	if (!read_u32(c, x))
		return false;
	if (*x >= c->m->ntypes)
		return invalid(c, "unknown type %u", *x);
	if (c->m->typeinfo[*x].kind != kind)
		return invalid(c, "type mismatch: type %u is not %s type", *x,
		    kind == WM_KIND_STRUCT ? "a struct" : "an array");
	return true;
}

static bool
is_packed(we_valtype ft)
{
	return wm_unpacked(ft) != (we_valtype)((uint32_t)ft & ~WM_FIELD_MUT);
}

/* Whether field type ft has a default value (not a non-null ref). */
static bool
defaultable(we_valtype ft)
{
	we_valtype t = wm_unpacked(ft);

	return !(wr_is_ref(t) && (t & WE_REF_NONNULL));
}

/* Pops the n values of field types fts (unpacked), last first. */
static bool
pop_fields(cc *c, uint32_t n, const we_valtype *fts)
{
	for (uint32_t i = n; i-- > 0;)
		if (!pop_expect(c, wm_unpacked(fts[i])))
			return false;
	return true;
}

static bool
op_struct(cc *c, wx_op op)
{
	const we_functype *st;
	uint32_t x, i, h, k;
	we_valtype ft;

	if (!read_gc_type(c, &x, WM_KIND_STRUCT))
		return false;
	st = &c->m->types[x];
	if (op == WXO_STRUCT_NEW || op == WXO_STRUCT_NEW_DEFAULT) {
		bool dflt = op == WXO_STRUCT_NEW_DEFAULT;
		if (dflt) {
			for (i = 0; i < st->nparams; i++)
				if (!defaultable(st->params[i]))
					return invalid(c,
					    "type mismatch: field %u of type "
					    "%u has no default value",
					    i, x);
		} else {
			materialize_top(c, st->nparams);
			if (!pop_fields(c, st->nparams, st->params))
				return false;
		}
		emit_cd(c, WXO_X_STRUCT_NEW, slot(c, c->nvals), x, dflt, 0);
		return push(c, (we_valtype)(WE_REF_TYPE(x) | WE_REF_NONNULL));
	}
	if (!read_u32(c, &i))
		return false;
	if (i >= st->nparams)
		return invalid(c, "unknown field %u of type %u", i, x);
	ft = st->params[i];
	k = wr_field_kind(ft);
	if (op == WXO_STRUCT_SET) {
		if (!(ft & WM_FIELD_MUT))
			return invalid(c, "field is immutable");
		if (!pop_expect(c, wm_unpacked(ft)) ||
		    !pop_expect(c, WE_REF_TYPE(x)))
			return false;
		h = c->nvals;
		emit_cd(c, WXO_X_STRUCT_SET, use(c, h), use(c, h + 1),
		    wr_field_offset(st, i), k);
		return true;
	}
	if (is_packed(ft) != (op != WXO_STRUCT_GET))
		return invalid(c,
		    is_packed(ft) ? "field is packed" : "field is not packed");
	if (!pop_expect(c, WE_REF_TYPE(x)))
		return false;
	h = c->nvals;
	i = emit_cd(c, WXO_X_STRUCT_GET, slot(c, h), use(c, h),
	    wr_field_offset(st, i), k | (op == WXO_STRUCT_GET_S ? 8u : 0u));
	if (k != WR_F_V128)
		mark_simple(c, i);
	return push(c, wm_unpacked(ft));
}

/* The i32 operands of array.copy, array.fill and the like, popped. */
static bool
pop_i32s(cc *c, uint32_t n)
{
	while (n-- > 0)
		if (!pop_expect(c, WE_I32))
			return false;
	return true;
}

/* Whether array type x's elements may be set, else an error. */
static bool
array_mutable(cc *c, uint32_t x)
{
	if (!(c->m->types[x].params[0] & WM_FIELD_MUT))
		return invalid(c, "array is immutable");
	return true;
}

static bool
op_array(cc *c, wx_op op)
{
	uint32_t x = 0, y = 0, n, h, k, i;
	we_valtype ft = 0, et = 0;

	if (op != WXO_ARRAY_LEN) {
		if (!read_gc_type(c, &x, WM_KIND_ARRAY))
			return false;
		ft = c->m->types[x].params[0];
		et = wm_unpacked(ft);
	}
	k = wr_field_kind(ft);
	/* The bulk ones read their operands from consecutive slots. */
	if (op != WXO_ARRAY_GET && op != WXO_ARRAY_GET_S &&
	    op != WXO_ARRAY_GET_U && op != WXO_ARRAY_LEN &&
	    op != WXO_ARRAY_NEW_FIXED)
		materialize_top(c, 5);
	switch (op) {
	case WXO_ARRAY_NEW:
		if (!pop_expect(c, WE_I32) || !pop_expect(c, et))
			return false;
		emit_cd(c, WXO_X_ARRAY_NEW, slot(c, c->nvals), x, 0,
		    k == WR_F_V128);
		break;
	case WXO_ARRAY_NEW_DEFAULT:
		if (!defaultable(ft))
			return invalid(c,
			    "type mismatch: array type %u has no default "
			    "value",
			    x);
		if (!pop_expect(c, WE_I32))
			return false;
		emit_cd(c, WXO_X_ARRAY_NEW, slot(c, c->nvals), x, 1, 0);
		break;
	case WXO_ARRAY_NEW_FIXED:
		if (!read_u32(c, &n))
			return false;
		/* Past the block's operands the stack is polymorphic (or
		   empty): pop no more than there are. */
		h = c->nvals - top(c)->height;
		if (n > h && !top(c)->unreachable)
			return invalid(
			    c, "type mismatch: operand stack is empty");
		materialize_top(c, n);
		for (i = 0; i < n && i < h; i++)
			if (!pop_expect(c, et))
				return false;
		emit_cd(c, WXO_X_ARRAY_NEW, slot(c, c->nvals), x, 2, n);
		break;
	case WXO_ARRAY_NEW_DATA:
	case WXO_ARRAY_INIT_DATA:
		if (!read_u32(c, &y) || !check_data(c, y))
			return false;
		if (wr_is_ref(et))
			return invalid(c,
			    "type mismatch: array type %u holds references, "
			    "not data",
			    x);
		goto seg;
	case WXO_ARRAY_NEW_ELEM:
	case WXO_ARRAY_INIT_ELEM:
		if (!read_u32(c, &y) || !check_elem(c, y))
			return false;
		if (!wm_subtype(c->m, c->m->elems[y].type, et))
			return invalid(c,
			    "type mismatch: array type %u does not hold "
			    "segment %u's references",
			    x, y);
	seg:
		if (op == WXO_ARRAY_NEW_DATA || op == WXO_ARRAY_NEW_ELEM) {
			if (!pop_i32s(c, 2))
				return false;
			emit_cd(c, WXO_X_ARRAY_NEW_SEG, slot(c, c->nvals), x, y,
			    op == WXO_ARRAY_NEW_ELEM);
			break;
		}
		if (!array_mutable(c, x) || !pop_i32s(c, 3) ||
		    !pop_expect(c, WE_REF_TYPE(x)))
			return false;
		emit_cd(c, WXO_X_ARRAY_INIT, slot(c, c->nvals), 0, y,
		    op == WXO_ARRAY_INIT_ELEM);
		return true;
	case WXO_ARRAY_GET:
	case WXO_ARRAY_GET_S:
	case WXO_ARRAY_GET_U:
		if (is_packed(ft) != (op != WXO_ARRAY_GET))
			return invalid(c,
			    is_packed(ft) ? "array is packed"
			                  : "array is not packed");
		if (!pop_expect(c, WE_I32) || !pop_expect(c, WE_REF_TYPE(x)))
			return false;
		h = c->nvals;
		i = emit_cd(c, WXO_X_ARRAY_GET, slot(c, h), use(c, h),
		    use(c, h + 1), k | (op == WXO_ARRAY_GET_S ? 8u : 0u));
		if (k != WR_F_V128)
			mark_simple(c, i);
		return push(c, et);
	case WXO_ARRAY_SET:
		if (!array_mutable(c, x) || !pop_expect(c, et) ||
		    !pop_expect(c, WE_I32) || !pop_expect(c, WE_REF_TYPE(x)))
			return false;
		emit_cd(c, WXO_X_ARRAY_SET, slot(c, c->nvals), 0, 0, k);
		return true;
	case WXO_ARRAY_LEN:
		if (!pop_expect(c, WE_ARRAYREF))
			return false;
		h = c->nvals;
		mark_simple(
		    c, emit(c, WXO_X_ARRAY_LEN, slot(c, h), use(c, h), 0));
		return push(c, WE_I32);
	case WXO_ARRAY_FILL:
		if (!array_mutable(c, x) || !pop_expect(c, WE_I32) ||
		    !pop_expect(c, et) || !pop_expect(c, WE_I32) ||
		    !pop_expect(c, WE_REF_TYPE(x)))
			return false;
		emit_cd(c, WXO_X_ARRAY_FILL, slot(c, c->nvals), 0, 0, k);
		return true;
	case WXO_ARRAY_COPY: {
		we_valtype sft;
		if (!read_gc_type(c, &y, WM_KIND_ARRAY) || !array_mutable(c, x))
			return false;
		sft = c->m->types[y].params[0];
		if (is_packed(ft) || is_packed(sft)
		        ? ((uint32_t)ft & ~WM_FIELD_MUT) !=
		            ((uint32_t)sft & ~WM_FIELD_MUT)
		        : !wm_subtype(c->m, wm_unpacked(sft), et))
			return invalid(c,
			    "type mismatch: array.copy from array type %u to "
			    "%u",
			    y, x);
		if (!pop_expect(c, WE_I32) || !pop_expect(c, WE_I32) ||
		    !pop_expect(c, WE_REF_TYPE(y)) || !pop_expect(c, WE_I32) ||
		    !pop_expect(c, WE_REF_TYPE(x)))
			return false;
		emit_cd(c, WXO_X_ARRAY_COPY, slot(c, c->nvals), 0, 0, k);
		return true;
	}
	default: return unhandled(c, op);
	}
	return push(c, (we_valtype)(WE_REF_TYPE(x) | WE_REF_NONNULL));
}

/*
 * any.convert_extern and extern.convert_any: each keeps nullness
 * (gc.c boxes what needs it).
 */
static bool
op_convert(cc *c, wx_op op)
{
	bool to_any = op == WXO_ANY_CONVERT_EXTERN;
	we_valtype t;
	uint32_t h;

	if (!pop(c, &t))
		return false;
	if (t != UNKNOWN &&
	    !wm_subtype(c->m, t, to_any ? WE_EXTERNREF : WE_ANYREF))
		return invalid(c, "type mismatch: expected %s, found %s",
		    we_valtype_name(to_any ? WE_EXTERNREF : WE_ANYREF),
		    we_valtype_name(t));
	h = c->nvals;
	mark_simple(c,
	    emit_cd(c,
	        to_any ? WXO_X_ANY_CONVERT_EXTERN : WXO_X_EXTERN_CONVERT_ANY,
	        slot(c, h), use(c, h), to_any, 0));
	if (t != UNKNOWN && (t & WE_REF_NONNULL))
		return push(c,
		    (we_valtype)((to_any ? WE_ANYREF : WE_EXTERNREF) |
		        WE_REF_NONNULL));
	return push(c, to_any ? WE_ANYREF : WE_EXTERNREF);
}

/*
 * ref.eq, ref.i31, i31.get_s and i31.get_u. An i31 reference is the
 * tagged word (x << 1) | 1 in its slot, null 0 (engine.h).
 */
static bool
op_i31(cc *c, wx_op op)
{
	uint32_t h, a, b;

	switch (op) {
	case WXO_REF_EQ:
		if (!pop_expect(c, WE_EQREF) || !pop_expect(c, WE_EQREF))
			return false;
		h = c->nvals;
		a = use(c, h);
		b = use(c, h + 1);
		mark_simple(c, emit_cd(c, op, slot(c, h), a, b, 0));
		return push(c, WE_I32);
	case WXO_REF_I31:
		if (!pop_expect(c, WE_I32))
			return false;
		mark_simple(
		    c, emit(c, op, slot(c, c->nvals), use(c, c->nvals), 0));
		return push(c, (we_valtype)(WE_I31REF | WE_REF_NONNULL));
	default: /* i31.get_s, i31.get_u */
		if (!pop_expect(c, WE_I31REF))
			return false;
		mark_simple(
		    c, emit(c, op, slot(c, c->nvals), use(c, c->nvals), 0));
		return push(c, WE_I32);
	}
}

/* A cast's reference type: heap type ht, (ref null ht) when null. */
static bool
read_cast_type(cc *c, bool null, we_valtype *rt)
{
	if (!wrd_heaptype(&c->r, rt))
		return false;
	if (!null)
		*rt = (we_valtype)(*rt | WE_REF_NONNULL);
	return true;
}

/*
 * ref.test rt ([top] -> [i32]) and ref.cast rt ([top] -> [rt], a trap
 * when the reference is not of rt), top the nullable top of rt's
 * hierarchy.
 */
static bool
op_ref_test(cc *c, bool cast, bool null)
{
	we_valtype rt;
	uint32_t h;

	if (!read_cast_type(c, null, &rt) ||
	    !pop_expect(c, wm_heap_top(c->m->typeinfo, rt)))
		return false;
	h = c->nvals;
	mark_simple(c,
	    emit(c, cast ? WXO_X_REF_CAST : WXO_X_REF_TEST, slot(c, h),
	        use(c, h), (uint64_t)rt));
	return push(c, cast ? rt : WE_I32);
}

/* rt1 without what rt2 admits: non-null when rt2 admits null. */
static we_valtype
cast_diff(we_valtype rt1, we_valtype rt2)
{
	return rt2 & WE_REF_NONNULL ? rt1 : (we_valtype)(rt1 | WE_REF_NONNULL);
}

/*
 * br_on_cast l rt1 rt2 (fail: br_on_cast_fail): branches to l with the
 * reference, of rt2, when it is of rt2 (fail: when it is not, as rt1
 * without rt2), and goes on with it otherwise, typed the other way.
 */
static bool
op_br_on_cast(cc *c, bool fail)
{
	const we_valtype *types;
	we_valtype rt1, rt2, taken, kept;
	uint32_t n;
	uint8_t flags;
	ctl *l = NULL;

	if (!read_u8(c, &flags))
		return false;
	if (flags > 3)
		return malformed(c, "malformed br_on_cast flags %u", flags);
	if (!read_label(c, &l) || !read_cast_type(c, flags & 1, &rt1) ||
	    !read_cast_type(c, flags & 2, &rt2))
		return false;
	if (!wm_subtype(c->m, rt2, rt1))
		return invalid(c,
		    "type mismatch: br_on_cast's %s is not below its %s",
		    we_valtype_name(rt2), we_valtype_name(rt1));
	if (!pop_expect(c, rt1))
		return false;
	taken = fail ? cast_diff(rt1, rt2) : rt2;
	kept = fail ? rt2 : cast_diff(rt1, rt2);
	label_types(l, &n, &types);
	if (n == 0 || !wm_subtype(c->m, taken, types[n - 1]))
		return invalid(c,
		    "type mismatch: br_on_cast's label must take %s last",
		    we_valtype_name(taken));
	if (!branch_on_ref(c, l, taken, WXO_X_REF_TEST, (uint64_t)rt2,
	        fail ? WXO_X_BR_IF : WXO_X_BR_UNLESS))
		return false;
	return push(c, kept);
}

/* Compiles a row compiled by hand; h names it and op is its wx_op. */
static bool
op_hand(cc *c, wx_hand h, wx_op op, bool *done)
{
	switch (h) {
	case WXH_UNREACHABLE:
		end_charge(c);
		emit(c, op, 0, 0, 0);
		set_unreachable(c);
		return true;
	case WXH_NOP: return true;
	case WXH_BLOCK: return op_block(c, CK_BLOCK);
	case WXH_LOOP: return op_block(c, CK_LOOP);
	case WXH_IF: return op_block(c, CK_IF);
	case WXH_ELSE: return op_else(c);
	case WXH_END: return op_end(c, done);
	case WXH_BR: return op_br(c);
	case WXH_BR_IF: return op_br_if(c);
	case WXH_BR_TABLE: return op_br_table(c);
	case WXH_RETURN: return op_return(c);
	case WXH_CALL: return op_call(c);
	case WXH_CALL_INDIRECT: return op_call_indirect(c);
	case WXH_THROW: return op_throw(c);
	case WXH_THROW_REF: return op_throw_ref(c);
	case WXH_TRY_TABLE: return op_try_table(c);
	case WXH_CALL_REF: return op_call_ref(c, false);
	case WXH_RETURN_CALL_REF: return op_call_ref(c, true);
	case WXH_REF_AS_NON_NULL: return op_ref_as_non_null(c);
	case WXH_BR_ON_NULL: return op_br_on_null(c);
	case WXH_BR_ON_NON_NULL: return op_br_on_non_null(c);
	case WXH_TRY: return op_try(c);
	case WXH_CATCH: return op_catch(c, false);
	case WXH_CATCH_ALL: return op_catch(c, true);
	case WXH_DELEGATE: return op_delegate(c);
	case WXH_RETHROW: return op_rethrow(c);
	case WXH_RETURN_CALL: return op_return_call(c);
	case WXH_RETURN_CALL_INDIRECT: return op_return_call_indirect(c);
	case WXH_DROP: {
		we_valtype t;
		return pop(c, &t);
	}
	case WXH_SELECT: return op_select(c, false);
	case WXH_SELECT_T: return op_select(c, true);
	case WXH_LOCAL_GET:
	case WXH_LOCAL_SET:
	case WXH_LOCAL_TEE: return op_local(c, op);
	case WXH_GLOBAL_GET: return op_global(c, false);
	case WXH_GLOBAL_SET: return op_global(c, true);
	case WXH_I32_CONST:
	case WXH_I64_CONST:
	case WXH_F32_CONST:
	case WXH_F64_CONST: return op_const(c, op);
	case WXH_REF_NULL:
	case WXH_REF_IS_NULL:
	case WXH_REF_FUNC: return op_ref(c, op);
	case WXH_TABLE_GET:
	case WXH_TABLE_SET:
	case WXH_TABLE_SIZE:
	case WXH_TABLE_GROW:
	case WXH_TABLE_FILL:
	case WXH_TABLE_COPY:
	case WXH_TABLE_INIT:
	case WXH_ELEM_DROP: return op_table(c, op);
	case WXH_MEMORY_SIZE:
	case WXH_MEMORY_GROW:
	case WXH_MEMORY_FILL:
	case WXH_MEMORY_COPY:
	case WXH_MEMORY_INIT:
	case WXH_DATA_DROP: return op_memory(c, op);
	case WXH_REF_EQ:
	case WXH_REF_I31:
	case WXH_I31_GET_S:
	case WXH_I31_GET_U: return op_i31(c, op);
	case WXH_REF_TEST: return op_ref_test(c, false, false);
	case WXH_REF_TEST_NULL: return op_ref_test(c, false, true);
	case WXH_REF_CAST: return op_ref_test(c, true, false);
	case WXH_REF_CAST_NULL: return op_ref_test(c, true, true);
	case WXH_BR_ON_CAST: return op_br_on_cast(c, false);
	case WXH_BR_ON_CAST_FAIL: return op_br_on_cast(c, true);
	case WXH_STRUCT_NEW:
	case WXH_STRUCT_NEW_DEFAULT:
	case WXH_STRUCT_GET:
	case WXH_STRUCT_GET_S:
	case WXH_STRUCT_GET_U:
	case WXH_STRUCT_SET: return op_struct(c, op);
	case WXH_ARRAY_NEW:
	case WXH_ARRAY_NEW_DEFAULT:
	case WXH_ARRAY_NEW_FIXED:
	case WXH_ARRAY_NEW_DATA:
	case WXH_ARRAY_NEW_ELEM:
	case WXH_ARRAY_GET:
	case WXH_ARRAY_GET_S:
	case WXH_ARRAY_GET_U:
	case WXH_ARRAY_SET:
	case WXH_ARRAY_LEN:
	case WXH_ARRAY_FILL:
	case WXH_ARRAY_COPY:
	case WXH_ARRAY_INIT_DATA:
	case WXH_ARRAY_INIT_ELEM: return op_array(c, op);
	case WXH_ANY_CONVERT_EXTERN:
	case WXH_EXTERN_CONVERT_ANY: return op_convert(c, op);
	case WXH_V128_CONST: return op_v128_const(c);
	case WXH_I8X16_SHUFFLE: return op_shuffle(c);
	}
	return unhandled(c, op);
}

/* Decodes and compiles one instruction; *done when the body's end. */
static bool
compile_insn(cc *c, bool *done)
{
	const op_info *oi;
	uint32_t ix;
	uint8_t b;

	c->insn_off = offset_now(c);
	if (!read_u8(c, &b))
		return false;
	ix = b;
	if (b == 0xfc) {
		uint32_t sub;
		if (!read_u32(c, &sub))
			return false;
		if (sub >= FC_SPAN)
			return malformed(c, "illegal opcode 0xfc %u", sub);
		ix = FC_BASE + sub;
	} else if (b == 0xfd) {
		uint32_t sub;
		if (!read_u32(c, &sub))
			return false;
		if (sub >= FD_SPAN)
			return malformed(c, "illegal opcode 0xfd %u", sub);
		ix = FD_BASE + sub;
	} else if (b == 0xfb) {
		uint32_t sub;
		if (!read_u32(c, &sub))
			return false;
		if (sub >= FB_SPAN || opinfo_table[FB_BASE + sub].kind == K_BAD)
			return gc_illegal(c, sub);
		ix = FB_BASE + sub;
	}
	oi = &opinfo_table[ix];
	if (oi->kind == K_BAD)
		return malformed(c, "illegal opcode 0x%02x", b);
	count_charge(c);
	if (oi->kind == K_CTL || oi->kind == K_SPC)
		return op_hand(c, (wx_hand)oi->hand, (wx_op)oi->op, done);
	return op_simple(c, oi);
}

/* ---- Functions ---------------------------------------------------------- */

/* The local -> slot table: each local after the one before, by width. */
static bool
map_local_slots(cc *c)
{
	uint64_t next = 0;

	c->lslot = malloc((c->nlocals ? c->nlocals : 1) * sizeof *c->lslot);
	if (c->lslot == NULL)
		return nomem(c);
	for (uint32_t i = 0; i < c->nlocals; i++) {
		if (i == c->ft->nparams)
			c->nparam_slots = (uint32_t)next;
		c->lslot[i] = (uint32_t)next;
		next += width(c->ltypes[i]);
	}
	if (c->nlocals == c->ft->nparams)
		c->nparam_slots = (uint32_t)next;
	if (next > UINT32_MAX / 2)
		return invalid(c, "too many locals");
	c->nlslots = (uint32_t)next;
	c->maxslot = c->nlslots;
	return true;
}

/* The readers of each local slot (see struct cc), when compiling. */
static bool
alloc_readers(cc *c)
{
	size_t n = c->nlslots;

	if (!c->emit_code)
		return true;
	c->readers = malloc((n ? n : 1) * sizeof *c->readers);
	if (c->readers == NULL)
		return nomem(c);
	memset(c->readers, 0xff, n * sizeof *c->readers); /* NONE */
	return true;
}

static bool
setup_locals(cc *c, const wm_funcdef *fd)
{
	uint64_t n = (uint64_t)c->ft->nparams + fd->nlocals;

	if (n > UINT32_MAX / 2)
		return invalid(c, "too many locals");
	c->nlocals = (uint32_t)n;
	c->ltypes = malloc((n ? n : 1) * sizeof *c->ltypes);
	/* Dead code may look just above the top of an empty stack. */
	c->vals = calloc(16, sizeof *c->vals);
	c->capvals = 16;
	if (c->ltypes == NULL || c->vals == NULL)
		return nomem(c);
	if (c->ft->nparams)
		memcpy(c->ltypes, c->ft->params,
		    c->ft->nparams * sizeof *c->ltypes);
	if (fd->nlocals)
		memcpy(c->ltypes + c->ft->nparams, fd->local_types,
		    fd->nlocals * sizeof *c->ltypes);
	for (uint32_t i = c->ft->nparams; i < n; i++) {
		if (!(c->ltypes[i] & WE_REF_NONNULL))
			continue;
		/* A local without a default: set before it is read. */
		if (c->linit == NULL) {
			c->linit = calloc(n, sizeof *c->linit);
			if (c->linit == NULL)
				return nomem(c);
			memset(c->linit, 1, n * sizeof *c->linit);
		}
		c->linit[i] = false;
	}
	return map_local_slots(c) && alloc_readers(c);
}

/* Turns code indices into pointers and opcodes into handler addresses. */
static wx_code *
finish(cc *c)
{
	const void *const *handlers = wx_handlers();
	wx_code *code = calloc(1, sizeof *code);
	uint64_t nslots;

	if (code == NULL)
		return NULL;
	for (uint32_t i = 0; i < c->ntargs; i++) {
		wx_insn *in = &c->code[c->targs[i]];
		in->target = &c->code[in->imm];
	}
	for (uint32_t i = 0; i < c->ncode; i++) {
		wx_insn *in = &c->code[i];
		wx_op op = (wx_op)(uintptr_t)in->h;
		if (op == WXO_X_STEP_NE_L || op == WXO_X_STEP_NE_KL ||
		    op == WXO_X_STEP_NZ_L)
			in->c = (uint32_t)((int64_t)in->c - i);
		if (handlers != NULL)
			in->h = handlers[op];
	}
	nslots = (uint64_t)c->maxslot + 1;
	if (nslots < wr_slots_of(c->ft->nresults, c->ft->results))
		nslots = wr_slots_of(c->ft->nresults, c->ft->results);
	code->insns = c->code;
	code->offsets = c->offs;
	code->ninsns = c->ncode;
	code->func_index = c->fidx;
	code->nparams = c->ft->nparams;
	code->nlocals = c->nlocals;
	code->nslots = nslots > UINT32_MAX ? UINT32_MAX : (uint32_t)nslots;
	code->catches = c->catches;
	code->ncatches = c->ncatches;
	c->catches = NULL;
	c->code = NULL;
	c->offs = NULL;
	return code;
}

static bool
compile_body(cc *c, const wm_funcdef *fd)
{
	we_functype ft = *c->ft;
	bool done = false;

	ft.nparams = 0; /* the function's label takes no params */
	ft.params = NULL;
	if (!push_ctl(c, CK_FUNC, &ft))
		return false;
	c->insn_off = fd->body_offset;
	c->charge = emit(
	    c, WXO_X_ENTER, c->nparam_slots, c->nlslots - c->nparam_slots, 1);
	while (!done) {
		if (unlikely(c->r.p >= c->r.end)) {
			c->insn_off = offset_now(c);
			return malformed(c,
			    "unexpected end of function body "
			    "(END opcode expected)");
		}
		if (!compile_insn(c, &done))
			return false;
	}
	/* Labels at the very end need an instruction to point at. */
	append(c, WXO_UNREACHABLE, 0, 0, 0);
	if (!wrd_at_end(&c->r)) {
		c->insn_off = wrd_offset(&c->r);
		return malformed(c,
		    "operators remaining after the end of "
		    "the function body (section size "
		    "mismatch)");
	}
	return !c->r.failed;
}

static void
cc_free(cc *c)
{
	free(c->ltypes);
	free(c->lslot);
	free(c->readers);
	free(c->vals);
	free(c->ctls);
	free(c->code);
	free(c->offs);
	free(c->targs);
	free(c->pcatch);
	free(c->catches);
	free(c->linit);
	free(c->inits);
	for (uint32_t i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	free(c->owned);
}

/* Ends an error message with where it is, for a user without err. */
static void
append_offset(we_error *err)
{
	size_t n;

	if (err == NULL || err->offset == SIZE_MAX)
		return;
	n = strnlen(err->message, sizeof err->message);
	snprintf(err->message + n, sizeof err->message - n,
	    " (at byte offset %zu)", err->offset);
}

/*
 * Writes "function <index>" (what error messages start with) into where,
 * which holds 32 bytes. By hand: snprintf for every body was a measurable
 * part of loading a large module.
 */
static void
name_where(char where[32], uint32_t index)
{
	static const char prefix[] = "function ";
	char digits[10];
	size_t n = 0, len = sizeof prefix - 1;

	do
		digits[n++] = (char)('0' + index % 10);
	while ((index /= 10) != 0);
	memcpy(where, prefix, len);
	while (n > 0)
		where[len++] = digits[--n];
	where[len] = '\0';
}

/*
 * Validates function func_index of m and, when emit_code, compiles it.
 * Returns the code (own), or NULL: with emit_code false on success too,
 * so *ok says whether the body is valid.
 */
static wx_code *
compile(const we_module *m, uint32_t func_index, we_error *err, bool emit_code,
    bool *ok, uint64_t *operand_visits)
{
	const wm_funcdef *fd = &m->funcs[func_index];
	wx_code *code = NULL;
	cc c;

	memset(&c, 0, sizeof c);
	c.m = m;
	c.fidx = func_index;
	c.emit_code = emit_code;
	c.ft = fd->type;
	c.charge = NONE;
	c.last_simple = NONE;
	c.label_pos = NONE;
	name_where(c.where, func_index);
	wrd_init(&c.r, m->bytes, fd->body, fd->body_end, err);
	c.r.ntypes = m->ntypes;
	c.r.where = c.where;
	*ok = setup_locals(&c, fd) && compile_body(&c, fd);
	if (*ok && emit_code) {
		code = finish(&c);
		if (code == NULL)
			*ok = nomem(&c);
	}
	if (operand_visits != NULL)
		*operand_visits = c.operand_visits;
	cc_free(&c);
	if (!*ok)
		append_offset(err);
	return code;
}

/*
 * At load, bodies are only validated (invalid modules are rejected up
 * front); each is compiled the first time it runs (wx_code_of), so a large
 * module costs code memory only for the functions it uses.
 */
bool
wx_compile(we_module *m, uint32_t func_index, we_error *err)
{
	bool ok;

	compile(m, func_index, err, false, &ok, NULL);
	return ok;
}

const wx_code *
wx_code_of(const we_module *m, uint32_t func_index)
{
	/* The one field of a module written after loading: atomically, as a
	   module may be shared by stores running in several threads. */
	void **slotp = (void **)&m->funcs[func_index].code;
	void *code = __atomic_load_n(slotp, __ATOMIC_ACQUIRE), *none = NULL;
	bool ok;

	if (code != NULL)
		return code;
	code = compile(m, func_index, NULL, true, &ok, NULL);
	if (code == NULL)
		return NULL;
	if (!__atomic_compare_exchange_n(slotp, &none, code, false,
	        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		wx_code_free(code); /* another thread was first */
		return none;
	}
	return code;
}

void
wx_code_free(void *p)
{
	wx_code *code = p;

	if (code == NULL)
		return;
	free(code->insns);
	free(code->offsets);
	free(code->catches);
	free(code);
}

uint64_t
wx_operand_visits(const we_module *m, uint32_t func_index)
{
	uint64_t visits = 0;
	bool ok;

	wx_code_free(compile(m, func_index, NULL, true, &ok, &visits));
	return ok ? visits : UINT64_MAX;
}

bool
wx_opcode_byte(uint8_t b)
{
	return b == 0xfb || b == 0xfc || b == 0xfd ||
	    opinfo_table[b].kind != K_BAD;
}
