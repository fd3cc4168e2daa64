/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compile.h: the one-pass compiler's state (compile.c), shared with the
 * rewrites that fuse the instruction just emitted into its consumer
 * (fuse.c). Private to those two files.
 */
#ifndef WASMD_ENGINE_COMPILE_H
#define WASMD_ENGINE_COMPILE_H

#include "code.h"
#include "reader.h"

#define NONE UINT32_MAX
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define UNKNOWN ((we_valtype)0)

/*
 * CK_TRY is a try_table; CK_LTRY, CK_LCATCH and CK_LCATCH_ALL are a
 * legacy try in its body, a catch segment and its catch_all segment.
 */
enum ctl_kind {
	CK_FUNC,
	CK_BLOCK,
	CK_LOOP,
	CK_IF,
	CK_ELSE,
	CK_TRY,
	CK_LTRY,
	CK_LCATCH,
	CK_LCATCH_ALL
};

typedef struct ctl {
	enum ctl_kind kind;
	bool unreachable; /* the rest of this block is dead (polymorphic) */
	bool dead_entry;  /* the block itself can never be entered */
	uint32_t height;  /* operand height below the block's params */
	uint32_t nparams, nresults;
	const we_valtype *params, *results;
	uint32_t loop_start; /* a loop's first insn */
	uint32_t patches;    /* chain of insns waiting for the end's address */
	uint32_t else_patch; /* an if's BR_UNLESS, until else */
	/* A try_table's catch clauses: pcatch[try_first..] (NONE: not
	   compiled), covering the code from try_start. A legacy try's
	   clauses cover [try_start, try_end), its body. */
	uint32_t try_first, try_start, try_end;
	uint32_t init_height; /* c->ninits at the block's entry */
} ctl;

/*
 * An operand. src is where its value is: its own slot (slot(height)), a
 * local's slot when it comes from a local.get not yet copied (so
 * `local.get; local.get; i32.add` reads the locals directly), or
 * SRC_CONST for a constant (k) not yet written anywhere.
 */
#define SRC_CONST (UINT32_MAX - 1)

typedef struct opnd {
	we_valtype type;
	uint32_t slot; /* its own slot (the first of two for a v128) */
	uint32_t src;
	uint32_t prev; /* src is a local: the next lower operand reading it */
	uint64_t k;    /* a constant's bits (v128 constants are not folded) */
} opnd;

typedef struct cc {
	const we_module *m;
	uint32_t fidx;
	bool emit_code; /* false: validate only (at load; see wx_compile) */
	wrd_reader r;
	char where[32];
	size_t insn_off; /* module offset of the instruction being compiled */

	const we_functype *ft;
	uint32_t nlocals;
	we_valtype *ltypes; /* own: params then declared locals */
	uint32_t *lslot;    /* own: each local's first slot */
	uint32_t nlslots;   /* slots the locals take; operands start here */
	uint32_t nparam_slots;
	uint32_t maxslot; /* one past the highest operand slot ever used */
	/*
	 * own (compiling only): per local slot, the highest operand that
	 * reads that local in place, or NONE; the rest are chained through
	 * opnd.prev. So a
	 * local.set finds the operands it must copy out without scanning the
	 * stack, which made compilation quadratic.
	 */
	uint32_t *readers;
	/* Operands looked at to be copied to their own slots (test hook). */
	uint64_t operand_visits;
	/*
	 * Every operand below this height is in its own slot, so entering
	 * a block does not rescan them (that too was quadratic).
	 */
	uint32_t own_below;

	opnd *vals; /* own: the operand stack */
	uint32_t nvals, capvals;
	ctl *ctls; /* own */
	uint32_t nctls, capctls;

	wx_insn *code;   /* own until finished */
	uint32_t *offs;  /* own until finished */
	uint32_t *targs; /* own: insns whose imm is a code index */
	uint32_t ncode, capcode, ntargs, captargs;
	uint32_t charge;      /* the ENTER/LOOP being counted, or NONE */
	uint32_t last_simple; /* last insn that only writes its slot a */
	uint32_t label_pos;   /* the latest code index a label points at */

	/* Catch clauses (see wx_catch): of the try_tables still open, and
	   of those closed, innermost first. own (compiling only). */
	wx_catch *pcatch, *catches;
	uint32_t npcatch, cappcatch, ncatches, capcatches;

	/*
	 * Non-nullable locals (3.0): linit[x] says local x was set (NULL
	 * when the function has none); inits lists those set since the
	 * entry of each open block, whose end forgets them. own.
	 */
	bool *linit;
	uint32_t *inits;
	uint32_t ninits, capinits;
	/* Block types of one typed reference result, one allocation each
	   (blocks point at them). own. */
	we_valtype **owned;
	uint32_t nowned, capowned;
} cc;

/* ---- Small helpers both files use -------------------------------------- */

/*
 * The slots a value of type t takes: a v128 two, anything else one. The
 * two are consecutive but only 8-byte aligned: aligning them to 16 bytes
 * in the frame would make a call's first argument slot depend on the
 * alignment of the caller's stack, so calls would need copies; a v128
 * handler reads its slots with memcpy (an unaligned load costs the same).
 */
static inline uint32_t
width(we_valtype t)
{
	return wr_width(t);
}

static inline ctl *
top(cc *c)
{
	return &c->ctls[c->nctls - 1];
}

static inline bool
dead(cc *c)
{
	ctl *t = top(c);
	return t->unreachable || t->dead_entry;
}

/*
 * The slot of the operand at height h: the one after the operand below.
 * Valid for every operand on the stack, for those just popped, and for
 * the next one to push (h = nvals).
 */
static inline uint32_t
slot(const cc *c, uint32_t h)
{
	if (h == 0)
		return c->nlslots;
	return c->vals[h - 1].slot + width(c->vals[h - 1].type);
}

/* Records that insn i (or NONE) only writes slot a: see can_retarget(). */
static inline void
mark_simple(cc *c, uint32_t i)
{
	c->last_simple = i;
}

/*
 * Whether the last instruction computed the value in slot s and may be
 * made to write elsewhere instead (or be fused with a branch): it is the
 * last one emitted and no label points after it.
 */
static inline bool
can_retarget(cc *c, uint32_t s)
{
	return !dead(c) && c->last_simple != NONE &&
	    c->last_simple + 1 == c->ncode && c->label_pos != c->ncode &&
	    c->code[c->last_simple].a == s;
}

/* The op of the last instruction emitted. */
static inline wx_op
last_op(const cc *c)
{
	return (wx_op)(uintptr_t)c->code[c->ncode - 1].h;
}

/* ---- compile.c, for fuse.c ---------------------------------------------- */

/* Appends an instruction unless the code is dead; its index or NONE. */
uint32_t wc_emit(cc *c, wx_op op, uint32_t a, uint32_t b, uint64_t imm);
/* Makes insn i (or NONE) a branch to code index to. */
void wc_patch_one(cc *c, uint32_t i, uint32_t to);

/* ---- fuse.c ------------------------------------------------------------- */

/* N -> N_K, its form with a constant second operand; 0 if none. */
extern const uint16_t wc_k_form[WXO__COUNT];
/* Stores -> their form storing a constant value; 0 if none. */
extern const uint16_t wc_sk_form[WXO__COUNT];
/* Loads and stores -> their form with a constant address; 0 if none. */
extern const uint16_t wc_ka_form[WXO__COUNT];

uint32_t wc_emit_cond(cc *c, opnd v, uint32_t h, bool when);
void wc_patch_back_edge(cc *c, uint32_t i, const ctl *t);
void wc_pair_increments(cc *c);
void wc_pair_moves(cc *c);
bool wc_fuse_binary_load(cc *c, uint32_t h, wx_op op);
bool wc_fuse_load(cc *c, uint32_t h, wx_op op, uint32_t off);
bool wc_fuse_store(cc *c, uint32_t h, wx_op op, uint32_t off);

#endif
