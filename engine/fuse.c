/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuse.c: the rewrites that make the instruction just emitted do more, so
 * the interpreter dispatches fewer (the fused forms of code.h). compile.c
 * calls these as it emits; all are local to the instruction stream.
 *
 * - local.set/tee, return and the memory accesses rewrite the instruction
 *   that just computed their operand instead of adding a copy: it writes
 *   the local (or the return slot) directly, a comparison becomes a
 *   compare-and-branch, an i32.add becomes part of a load's or store's
 *   address. can_retarget() says when that is safe: the instruction is the
 *   last one emitted and no label points between it and its use.
 * - The same way, a binary operation absorbs the full-width load that just
 *   computed its second operand (N_M, N_MX), a store absorbs the binary
 *   operation that computed its value (N_S), and both at one address make
 *   a read-modify-write (N_MS, `*p += x`); an f32/f64 multiply by a loaded
 *   operand whose product only feeds such an add joins it (N_MULADD, `*q +=
 *   x * *p`, each rounding kept). A constant address is added to
 *   the offset (N_KA). Two in-place increments or two local moves in a row
 *   become one instruction (X_INC2, X_MOVE2), unless a label points at the
 *   second. A branch back to a loop header becomes its back-edge form,
 *   which charges for the header instead of running it.
 */
#include "compile.h"

/* Branches -> their back-edge forms (see code.h). */
static const uint16_t loop_form[WXO__COUNT] = {
    [WXO_X_BR] = WXO_X_BR_L,
    [WXO_X_BR_IF] = WXO_X_BR_IF_L,
    [WXO_X_BR_UNLESS] = WXO_X_BR_UNLESS_L,
#define WX_CMP(N, code, text, T, fn)                                           \
	[WXO_##N##_JNZ] = WXO_##N##_JNZ_L,                                     \
	WX_INT_ONLY_##T([WXO_##N##_KJNZ] = WXO_##N##_KJNZ_L, )
#include "opcodes.def"
};

/* Whether insn i adds a constant to a local in place (`x += k`). */
static bool
is_increment(const cc *c, uint32_t i)
{
	const wx_insn *in = &c->code[i];

	return (wx_op)(uintptr_t)in->h == WXO_I32_ADD_K && in->a == in->b;
}

/*
 * The X_STEP form of back-edge branch i (the last insn) when the
 * increment `x += k` just before it can be folded in (the branch tests x
 * against another slot, a constant or zero, and no label points at the
 * branch); *swap says to swap its slots so x is a. Else 0.
 */
static wx_op
step_form(cc *c, uint32_t i, bool *swap)
{
	const wx_insn *br = &c->code[i];
	wx_op op = (wx_op)(uintptr_t)br->h;
	uint32_t x;

	*swap = false;
	if (i == 0 || i + 1 != c->ncode || c->label_pos == i ||
	    !is_increment(c, i - 1))
		return 0;
	x = c->code[i - 1].a;
	if (op == WXO_X_BR_IF && br->a == x)
		return WXO_X_STEP_NZ_L;
	if (op == WXO_I32_NE_KJNZ && br->a == x)
		return WXO_X_STEP_NE_KL;
	if (op == WXO_I32_NE_JNZ && (br->a == x || br->b == x)) {
		*swap = br->a != x;
		return WXO_X_STEP_NE_L;
	}
	return 0;
}

/*
 * An X_INC2 right before the X_STEP back edge just made (the last insn)
 * becomes its X_INC2_STEP form, unless a label points at the back edge:
 * the back edge stays in place as data (see code.h).
 */
static void
fuse_inc2_step(cc *c)
{
	uint32_t n = c->ncode;
	wx_insn *inc;

	if (n < 2 || c->label_pos == n - 1)
		return;
	inc = &c->code[n - 2];
	if ((wx_op)(uintptr_t)inc->h != WXO_X_INC2)
		return;
	switch ((wx_op)(uintptr_t)c->code[n - 1].h) {
	case WXO_X_STEP_NE_L:
		inc->h = (const void *)(uintptr_t)WXO_X_INC2_STEP_NE_L;
		break;
	case WXO_X_STEP_NE_KL:
		inc->h = (const void *)(uintptr_t)WXO_X_INC2_STEP_NE_KL;
		break;
	case WXO_X_STEP_NZ_L:
		inc->h = (const void *)(uintptr_t)WXO_X_INC2_STEP_NZ_L;
		break;
	default: break;
	}
}

/*
 * Makes insn i (or NONE), the last one, a branch back to the loop t: its
 * back-edge form, which does the work of the loop header itself, or an
 * X_STEP form that also takes in the increment before it. X_STEP forms
 * keep the target's code index in c until finish() makes it relative.
 */
void
wc_patch_back_edge(cc *c, uint32_t i, const ctl *t)
{
	bool has_header, swap;
	wx_insn *in;
	wx_op step;

	if (i == NONE)
		return;
	has_header = (wx_op)(uintptr_t)c->code[t->loop_start].h == WXO_X_LOOP;
	if (has_header && (step = step_form(c, i, &swap)) != 0) {
		wx_insn br = c->code[i];
		if (swap) {
			br.b = br.a;
			br.a = c->code[i - 1].a;
		}
		br.h = (const void *)(uintptr_t)step;
		br.c = t->loop_start;
		br.d = (uint32_t)c->code[i - 1].imm;
		c->code[i - 1] = br;
		c->offs[i - 1] = c->offs[i];
		c->ncode--;
		c->last_simple = NONE;
		fuse_inc2_step(c);
		return;
	}
	wc_patch_one(c, i, t->loop_start);
	in = &c->code[i];
	if (has_header && loop_form[(uintptr_t)in->h])
		in->h = (const void *)(uintptr_t)loop_form[(uintptr_t)in->h];
}

/* N -> N_K: the binary operation with a constant second operand. */
const uint16_t wc_k_form[WXO__COUNT] = {
#define WX_BIN(N, code, text, T, R, fn) [WXO_##N] = WXO_##N##_K,
#define WX_BINT(N, code, text, T, R, fn) [WXO_##N] = WXO_##N##_K,
#define WX_CMP(N, code, text, T, fn) [WXO_##N] = WXO_##N##_K,
#include "opcodes.def"
};

/* Comparisons (and their N_K forms) -> the fused compare-and-branch. */
static const uint16_t jnz_form[WXO__COUNT] = {
#define WX_CMP(N, code, text, T, fn)                                           \
	[WXO_##N] = WXO_##N##_JNZ,                                             \
	WX_INT_ONLY_##T([WXO_##N##_K] = WXO_##N##_KJNZ, )
#include "opcodes.def"
};
static const uint16_t jz_form[WXO__COUNT] = {
#define WX_CMP(N, code, text, T, fn)                                           \
	[WXO_##N] = WXO_##N##_JZ,                                              \
	WX_INT_ONLY_##T([WXO_##N##_K] = WXO_##N##_KJZ, )
#include "opcodes.def"
};

/* Loads and stores -> their forms with a fused i32.add address. */
static const uint16_t x_form[WXO__COUNT] = {
#define WX_LD(N, code, text, T, align, ctype) [WXO_##N] = WXO_##N##_X,
#define WX_ST(N, code, text, T, align, ctype) [WXO_##N] = WXO_##N##_X,
#include "opcodes.def"
    [WXO_V128_LOAD_V] = WXO_V128_LOAD_X,
    [WXO_V128_STORE_V] = WXO_V128_STORE_X,
};
const uint16_t wc_sk_form[WXO__COUNT] = {
#define WX_ST(N, code, text, T, align, ctype) [WXO_##N] = WXO_##N##_SK,
#include "opcodes.def"
};
static const uint16_t xk_form[WXO__COUNT] = {
#define WX_LD(N, code, text, T, align, ctype) [WXO_##N] = WXO_##N##_XK,
#define WX_ST(N, code, text, T, align, ctype) [WXO_##N] = WXO_##N##_XK,
#include "opcodes.def"
    [WXO_V128_LOAD_V] = WXO_V128_LOAD_XK,
    [WXO_V128_STORE_V] = WXO_V128_STORE_XK,
};

/* Loads and stores -> their forms with a constant address. */
const uint16_t wc_ka_form[WXO__COUNT] = {
#define WX_LD(N, code, text, T, align, ctype) [WXO_##N] = WXO_##N##_KA,
#define WX_ST(N, code, text, T, align, ctype) [WXO_##N] = WXO_##N##_KA,
#include "opcodes.def"
};

/*
 * Binary operations -> their forms fused with a load of their second
 * operand (m_form) or a store of their result (s_form), and the
 * full-width load and store of their operand and result types.
 */
static const uint16_t m_form[WXO__COUNT] = {
#define WX_BIN(N, code, text, T, R, fn) [WXO_##N] = WXO_##N##_M,
#define WX_BIN_NOMEM(N, code, text, T, R, fn)
#include "opcodes.def"
#define WX_VHOT(N, V, expr) [WXO_##N##_V] = WXO_##N##_M,
#include "simdhot.def"
};
static const uint16_t mx_form[WXO__COUNT] = {
#define WX_BIN(N, code, text, T, R, fn) [WXO_##N] = WXO_##N##_MX,
#define WX_BIN_NOMEM(N, code, text, T, R, fn)
#include "opcodes.def"
#define WX_VHOT(N, V, expr) [WXO_##N##_V] = WXO_##N##_MX,
#include "simdhot.def"
};
static const uint16_t s_form[WXO__COUNT] = {
#define WX_BIN(N, code, text, T, R, fn) [WXO_##N] = WXO_##N##_S,
#define WX_BIN_NOMEM(N, code, text, T, R, fn)
#include "opcodes.def"
#define WX_VHOT(N, V, expr) [WXO_##N##_V] = WXO_##N##_S,
#include "simdhot.def"
};
#define FULL_I32(x) WXO_I32_##x
#define FULL_I64(x) WXO_I64_##x
#define FULL_F32(x) WXO_F32_##x
#define FULL_F64(x) WXO_F64_##x
#define FULL_F32B(x) WXO_F32_##x
#define FULL_F64B(x) WXO_F64_##x
static const uint16_t load_of[WXO__COUNT] = {
#define WX_BIN(N, code, text, T, R, fn) [WXO_##N] = FULL_##T(LOAD),
#include "opcodes.def"
#define WX_VHOT(N, V, expr) [WXO_##N##_V] = WXO_V128_LOAD_V,
#include "simdhot.def"
};
static const uint16_t ms_form[WXO__COUNT] = {
#define WX_BIN(N, code, text, T, R, fn) [WXO_##N##_M] = WXO_##N##_MS,
#define WX_BIN_NOMEM(N, code, text, T, R, fn)
#define WX_CMP(N, code, text, T, fn)
#include "opcodes.def"
#define WX_VHOT(N, V, expr) [WXO_##N##_M] = WXO_##N##_MS,
#include "simdhot.def"
};
/* Indexed by N and by N_M. */
static const uint16_t store_of[WXO__COUNT] = {
#define WX_BIN(N, code, text, T, R, fn)                                        \
	[WXO_##N] = FULL_##R(STORE), [WXO_##N##_M] = FULL_##R(STORE),
#define WX_BIN_NOMEM(N, code, text, T, R, fn)
#include "opcodes.def"
#define WX_VHOT(N, V, expr)                                                    \
	[WXO_##N##_V] = WXO_V128_STORE_V, [WXO_##N##_M] = WXO_V128_STORE_V,
#include "simdhot.def"
};

/*
 * The fused form of binary operation op at popped height h that takes its
 * second operand straight from memory (N_M or N_MX), when a load of op's
 * type just computed it; else 0.
 */
static wx_op
load_fused_form(cc *c, uint32_t h, wx_op op)
{
	wx_op last;

	if (!m_form[op] || c->vals[h].src == SRC_CONST ||
	    c->vals[h + 1].src != slot(c, h + 1) ||
	    !can_retarget(c, slot(c, h + 1)))
		return 0;
	last = last_op(c);
	if (last == load_of[op])
		return (wx_op)m_form[op];
	if (last == xk_form[load_of[op]] && c->code[c->ncode - 1].d == 0)
		return (wx_op)mx_form[op];
	return 0;
}

/*
 * Whether store op of the popped operands h (address) and h + 1 (value)
 * can be done by the binary operation that just computed the value.
 */
static bool
can_fuse_store(cc *c, uint32_t h, wx_op op)
{
	wx_op last;

	if (c->vals[h].src == SRC_CONST ||
	    c->vals[h + 1].src != slot(c, h + 1) ||
	    !can_retarget(c, slot(c, h + 1)))
		return false;
	last = last_op(c);
	return s_form[last] && store_of[last] == op;
}

/*
 * Whether store op (address h, value h + 1, offset off) writes back to
 * where the N_M just before loaded from, with its result: `*p op= x`.
 */
static bool
can_fuse_update(cc *c, uint32_t h, wx_op op, uint32_t off)
{
	const wx_insn *in;
	wx_op last;

	if (c->vals[h].src == SRC_CONST ||
	    c->vals[h + 1].src != slot(c, h + 1) ||
	    !can_retarget(c, slot(c, h + 1)))
		return false;
	in = &c->code[c->ncode - 1];
	last = last_op(c);
	return ms_form[last] && store_of[last] == op &&
	    in->c == c->vals[h].src && in->d == off;
}

/*
 * The multiply-add forms (code.h): indexed by the N_M or N_MX multiply,
 * for the N_MS add of the same type that may follow it.
 */
static const uint16_t muladd_form[WXO__COUNT] = {
    [WXO_F32_MUL_M] = WXO_F32_MULADD,
    [WXO_F32_MUL_MX] = WXO_F32_MULADD_X,
    [WXO_F64_MUL_M] = WXO_F64_MULADD,
    [WXO_F64_MUL_MX] = WXO_F64_MULADD_X,
    [WXO_F32X4_MUL_M] = WXO_F32X4_MULADD,
    [WXO_F32X4_MUL_MX] = WXO_F32X4_MULADD_X,
    [WXO_F64X2_MUL_M] = WXO_F64X2_MULADD,
    [WXO_F64X2_MUL_MX] = WXO_F64X2_MULADD_X,
};
static const uint16_t muladd_add[WXO__COUNT] = {
    [WXO_F32_MUL_M] = WXO_F32_ADD_MS,
    [WXO_F32_MUL_MX] = WXO_F32_ADD_MS,
    [WXO_F64_MUL_M] = WXO_F64_ADD_MS,
    [WXO_F64_MUL_MX] = WXO_F64_ADD_MS,
    [WXO_F32X4_MUL_M] = WXO_F32X4_ADD_MS,
    [WXO_F32X4_MUL_MX] = WXO_F32X4_ADD_MS,
    [WXO_F64X2_MUL_M] = WXO_F64X2_ADD_MS,
    [WXO_F64X2_MUL_MX] = WXO_F64X2_ADD_MS,
};

/*
 * Makes the N_MS add just emitted and the multiply before it one
 * multiply-add, when the multiply's result is the add's operand and
 * nothing else: its slot is an operand slot (popped by the add, so dead
 * after it) and no label points at the add. The add stays as data.
 */
static void
fuse_muladd(cc *c)
{
	uint32_t n = c->ncode;
	wx_insn *mul, *add;
	wx_op mop;

	if (n < 2 || c->label_pos == n - 1)
		return;
	mul = &c->code[n - 2];
	add = &c->code[n - 1];
	mop = (wx_op)(uintptr_t)mul->h;
	if (!muladd_form[mop] ||
	    (wx_op)(uintptr_t)add->h != (wx_op)muladd_add[mop] ||
	    mul->a != add->b || mul->a < c->nlslots)
		return;
	mul->h = (const void *)(uintptr_t)muladd_form[mop];
}

/*
 * The form of memory access op that absorbs the i32.add (of two slots, or
 * of a slot and a constant) that just computed its address operand h, or
 * 0 (see code.h, N_X and N_XK).
 */
static wx_op
address_form(cc *c, uint32_t h, wx_op op)
{
	wx_op last;

	if (c->vals[h].src != slot(c, h) || !can_retarget(c, slot(c, h)))
		return 0;
	last = (wx_op)(uintptr_t)c->code[c->ncode - 1].h;
	if (last == WXO_I32_ADD)
		return (wx_op)x_form[op];
	if (last == WXO_I32_ADD_K)
		return (wx_op)xk_form[op];
	return 0;
}

/* 32 or 64 for integer comparisons (K forms fit a constant in b). */
#define CMPBITS_I32 32
#define CMPBITS_I64 64
#define CMPBITS_F32 0
#define CMPBITS_F64 0
static const uint8_t cmp_bits[WXO__COUNT] = {
#define WX_CMP(N, code, text, T, fn) [WXO_##N##_K] = CMPBITS_##T,
#include "opcodes.def"
};

/*
 * A branch taken when the i32 condition v (popped operand at height h) is
 * non-zero (when) or zero (!when). If the condition was just computed by
 * a comparison or i32.eqz, that instruction becomes the branch. Returns
 * the branch instruction, whose imm the caller sets to the target.
 */
uint32_t
wc_emit_cond(cc *c, opnd v, uint32_t h, bool when)
{
	uint32_t i = c->ncode - 1;

	if (!c->emit_code)
		return NONE;
	if (v.src == SRC_CONST) {
		wc_emit(c, WXO_X_CONST, slot(c, h), 0, v.k);
		v.src = slot(c, h);
	} else if (v.src == slot(c, h) && can_retarget(c, v.src)) {
		wx_insn *in = &c->code[i];
		wx_op op = (wx_op)(uintptr_t)in->h;
		uint64_t k = in->imm;
		if (op == WXO_I32_EQZ) {
			in->h = (const void *)(uintptr_t)(when ? WXO_X_BR_UNLESS
			                                       : WXO_X_BR_IF);
			in->a = in->b;
			in->imm = 0;
			mark_simple(c, NONE);
			return i;
		}
		if (jnz_form[op] && wc_k_form[op]) { /* slot, slot */
			in->h = (const void *)(uintptr_t)(when ? jnz_form[op]
			                                       : jz_form[op]);
			in->a = in->b;
			in->b = in->c;
			in->imm = 0;
			mark_simple(c, NONE);
			return i;
		}
		if (jnz_form[op] &&
		    (cmp_bits[op] == 32 ||
		        (cmp_bits[op] == 64 &&
		            (int64_t)k == (int64_t)(int32_t)k))) {
			in->h = (const void *)(uintptr_t)(when ? jnz_form[op]
			                                       : jz_form[op]);
			in->a = in->b;
			in->b = (uint32_t)k;
			in->imm = 0;
			mark_simple(c, NONE);
			return i;
		}
	}
	return wc_emit(c, when ? WXO_X_BR_IF : WXO_X_BR_UNLESS, v.src, 0, 0);
}

/*
 * Two increments in a row (a loop stepping several induction variables)
 * become one X_INC2, unless a label points at the second.
 */
void
wc_pair_increments(cc *c)
{
	uint32_t n = c->ncode, k1, k2;
	wx_insn *first, *second;

	if (n < 2 || c->label_pos == n - 1 || !is_increment(c, n - 1) ||
	    !is_increment(c, n - 2))
		return;
	first = &c->code[n - 2];
	second = &c->code[n - 1];
	k1 = (uint32_t)first->imm;
	k2 = (uint32_t)second->imm;
	first->h = (const void *)(uintptr_t)WXO_X_INC2;
	first->b = second->a;
	first->c = k1;
	first->d = k2;
	c->ncode--;
}

/*
 * Two moves in a row (locals rotating their values around a loop) become
 * one X_MOVE2, unless a label points at the second.
 */
void
wc_pair_moves(cc *c)
{
	uint32_t n = c->ncode;
	wx_insn *first, *second;

	if (n < 2 || c->label_pos == n - 1 ||
	    (wx_op)(uintptr_t)c->code[n - 1].h != WXO_X_MOVE ||
	    (wx_op)(uintptr_t)c->code[n - 2].h != WXO_X_MOVE)
		return;
	first = &c->code[n - 2];
	second = &c->code[n - 1];
	first->h = (const void *)(uintptr_t)WXO_X_MOVE2;
	first->c = second->a;
	first->d = second->b;
	c->ncode--;
	c->last_simple = NONE;
}

/*
 * Binary operation op of the popped operands h and h + 1: when a
 * full-width load (or its N_XK form) just computed h + 1, that load
 * becomes the N_M (or N_MX) form that does both, and true.
 */
bool
wc_fuse_binary_load(cc *c, uint32_t h, wx_op op)
{
	wx_op xop = load_fused_form(c, h, op);
	wx_insn *in;

	if (xop == 0)
		return false;
	/* load a=h+1 b=addr c=off -> N_M a=h b=x c=addr d=off
	   (N_XK load: c=k, d=0 -> N_MX ... d=k) */
	in = &c->code[c->ncode - 1];
	in->h = (const void *)(uintptr_t)xop;
	in->d = in->c;
	in->c = in->b;
	in->b = c->vals[h].src;
	in->a = slot(c, h);
	mark_simple(c, c->ncode - 1);
	return true;
}

/*
 * Load op at offset off of popped address h: when an i32.add just
 * computed the address, the add becomes the N_X (or N_XK) load, and true.
 */
bool
wc_fuse_load(cc *c, uint32_t h, wx_op op, uint32_t off)
{
	wx_op xop = address_form(c, h, op);
	wx_insn *in;

	if (xop == 0)
		return false;
	in = &c->code[c->ncode - 1];
	if (xop == xk_form[op])
		in->c = (uint32_t)in->imm;
	in->h = (const void *)(uintptr_t)xop;
	in->d = off; /* a (dst) and b stay */
	c->offs[c->ncode - 1] = (uint32_t)c->insn_off;
	mark_simple(c, c->ncode - 1);
	return true;
}

/*
 * Store op at offset off of popped address h and value h + 1 (live
 * code): the instruction just emitted becomes a read-modify-write (N_MS,
 * then perhaps a multiply-add), a binary operation that stores its result
 * (N_S), or a store with a fused i32.add address (N_X, N_XK); true when
 * one did.
 */
bool
wc_fuse_store(cc *c, uint32_t h, wx_op op, uint32_t off)
{
	wx_op xop;
	wx_insn *in;

	if (can_fuse_update(c, h, op, off)) {
		/* N_M a=h+1 b c=addr d=off -> N_MS b c=addr d=off */
		in = &c->code[c->ncode - 1];
		in->h = (const void *)(uintptr_t)ms_form[last_op(c)];
		in->a = 0;
		mark_simple(c, NONE);
		fuse_muladd(c);
		return true;
	}
	if (can_fuse_store(c, h, op)) {
		/* N a=h+1 b c -> N_S a=addr b c d=off */
		in = &c->code[c->ncode - 1];
		in->h = (const void *)(uintptr_t)s_form[last_op(c)];
		in->a = c->vals[h].src;
		in->d = off;
		/* A trap is the store's: point at it. */
		c->offs[c->ncode - 1] = (uint32_t)c->insn_off;
		mark_simple(c, NONE);
		return true;
	}
	if ((xop = address_form(c, h, op)) == 0)
		return false;
	in = &c->code[c->ncode - 1];
	if (xop == xk_form[op]) {
		in->c = (uint32_t)in->imm;
		in->a = in->b;
		in->b = c->vals[h + 1].src;
	} else {
		in->a = in->b;
		in->b = in->c;
		in->c = c->vals[h + 1].src;
	}
	in->h = (const void *)(uintptr_t)xop;
	in->d = off;
	/* A trap is the access's: point at it. */
	c->offs[c->ncode - 1] = (uint32_t)c->insn_off;
	mark_simple(c, NONE);
	return true;
}
