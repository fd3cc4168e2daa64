/* SPDX-License-Identifier: Apache-2.0 */
/*
 * interp.c: the interpreter loop over the internal code of code.h.
 *
 * One function, run(), holds the hot state in locals (ip, fp, the current
 * instance, its memory base and size, the fuel/interrupt budget) and
 * dispatches by computed goto on the handler address stored in each
 * instruction (define WX_SWITCH_DISPATCH to build a plain switch for
 * debugging). Wasm calls push a wx_frame on the explicit frame stack and
 * never recurse on the C stack.
 *
 * Budget: fuel metering and interrupt polling share one counter. ENTER and
 * LOOP subtract their charge; only when it goes negative does poll() run,
 * which checks the interrupt flag and, with fuel on, moves the next chunk of
 * fuel from the store into the counter. Without fuel the counter is simply
 * refilled, so interrupts are seen within WX_POLL_CHUNK charges. A taken
 * back edge (the _L branch forms) makes its loop header's charge itself
 * and skips the header, one dispatch less per iteration.
 *
 * Most handlers are generated from opcodes.def, with their fused forms
 * (code.h says what each computes); the rest are written out below, each
 * with its effect in a comment.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "numeric.h"
#include "simd.h"

#define WX_POLL_CHUNK 4096

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* How each value type sits in a slot: field, C type, get and put. */
#define I32_F i32
#define I64_F i64
#define F32B_F f32
#define F64B_F f64
#define F32_F f32
#define F64_F f64
#define I32_CT uint32_t
#define I64_CT uint64_t
#define I32_GET(v) ((v).i32)
#define I64_GET(v) ((v).i64)
#define F32_GET(v) wxn_f32_of((v).f32)
#define F64_GET(v) wxn_f64_of((v).f64)
#define F32B_GET(v) ((v).f32)
#define F64B_GET(v) ((v).f64)
#define I32_PUT(v, x) ((v).i32 = (uint32_t)(x))
#define I64_PUT(v, x) ((v).i64 = (uint64_t)(x))
#define F32_PUT(v, x) ((v).f32 = wxn_bits32((float)(x)))
#define F64_PUT(v, x) ((v).f64 = wxn_bits64((double)(x)))
#define F32B_PUT(v, x) ((v).f32 = (uint32_t)(x))
#define F64B_PUT(v, x) ((v).f64 = (uint64_t)(x))

/* Checks the interrupt flag and refills the budget; see the file header. */
static we_trap_kind
poll(we_store *s, int64_t *budget, uint64_t charge)
{
	uint64_t avail, chunk;

	if (atomic_load_explicit(&s->interrupt, memory_order_relaxed)) {
		atomic_store(&s->interrupt, 0);
		*budget += (int64_t)charge;
		return WE_TRAP_INTERRUPTED;
	}
	if (!s->fuel_on) {
		*budget = WX_POLL_CHUNK;
		return WE_TRAP_NONE;
	}
	avail = s->fuel + (uint64_t)(*budget + (int64_t)charge);
	if (avail < charge) {
		s->fuel = avail;
		*budget = 0;
		return WE_TRAP_OUT_OF_FUEL;
	}
	avail -= charge;
	chunk = avail < WX_POLL_CHUNK ? avail : WX_POLL_CHUNK;
	s->fuel = avail - chunk;
	*budget = (int64_t)chunk;
	return WE_TRAP_NONE;
}

/* An instance's memory 0, or an empty stand-in when it has none. */
static we_memory *
memory_of(const we_instance *inst)
{
	/* Never written: only memory instructions, which validation allows
	   only with a memory, could change it. */
	static const we_memory none;

	return inst->module->nmems ? inst->mems[0] : (we_memory *)&none;
}

/* Compiles a function on its first call; NULL with s->trap set. */
static const wx_code *
compile_now(we_store *s, const we_module *m, uint32_t func_index)
{
	return wx_code_metered(s, m, func_index);
}

void
wx_backtrace(we_store *s, const wx_insn *ip)
{
	struct wx_exec *x = s->exec;
	uint32_t n = 0;

	for (uint32_t k = x->depth; k-- > 0 && n < WE_TRAP_FRAMES_MAX;) {
		const wx_frame *fr = &x->frames[k];
		const wx_insn *at =
		    k == x->depth - 1 ? ip : x->frames[k + 1].ret_ip - 1;
		const we_module *m = fr->inst->module;
		we_trap_frame *tf = &s->trap.frames[n++];
		uint32_t idx = fr->code->func_index;

		tf->func_index = idx;
		tf->name = m->func_names != NULL ? m->func_names[idx] : NULL;
		tf->offset = 0;
		if (at != NULL && at >= fr->code->insns &&
		    at < fr->code->insns + fr->code->ninsns)
			tf->offset = fr->code->offsets[at - fr->code->insns];
	}
	s->trap.nframes = n;
}

/* Fills s->trap with kind (its standard message) and the backtrace. */
static void
trap_at(we_store *s, we_trap_kind kind, const wx_insn *ip)
{
	if (kind != WE_TRAP_HOST) {
		s->trap.kind = kind;
		snprintf(s->trap.message, sizeof s->trap.message, "%s",
		    we_trap_kind_name(kind));
	}
	wx_backtrace(s, ip);
}

#ifdef WX_SWITCH_DISPATCH
#define vmdispatch() goto dispatch
#define vmcase(N) case WXO_##N:
#else
#define vmdispatch() goto * ip->h
#define vmcase(N) L_##N:
#endif
#define vmnext()                                                               \
	do {                                                                   \
		ip++;                                                          \
		vmdispatch();                                                  \
	} while (0)
/* A taken back edge with a relative target (the X_STEP forms). */
#define vmloop_rel()                                                           \
	do {                                                                   \
		ip += (int32_t)ip->c;                                          \
		CHARGE(ip->imm);                                               \
		vmnext();                                                      \
	} while (0)
/* A taken branch. */
#define vmgoto()                                                               \
	do {                                                                   \
		ip = ip->target;                                               \
		vmdispatch();                                                  \
	} while (0)
/*
 * A taken back edge: the target is an X_LOOP, whose charge is made here
 * (a trap points at the loop header, as if it had run) before going on
 * after it.
 */
#define vmloop()                                                               \
	do {                                                                   \
		ip = ip->target;                                               \
		CHARGE(ip->imm);                                               \
		vmnext();                                                      \
	} while (0)
#define A (fp[ip->a])
#define B (fp[ip->b])
#define C (fp[ip->c])
/* The constant operand of N_K (imm) and of N_KJNZ/N_KJZ (b, signed). */
#define K64 ((wr_value){.i64 = ip->imm})
#define K32 ((wr_value){.i64 = (uint64_t)(int64_t)(int32_t)ip->b})
#define TRAP(kind)                                                             \
	do {                                                                   \
		trap = (kind);                                                 \
		goto do_trap;                                                  \
	} while (0)
/* A trap of kind with its own message (a static string). */
#define TRAP_MSG(kind, msg)                                                    \
	do {                                                                   \
		wr_trap(s, (kind), "%s", (msg));                               \
		TRAP(WE_TRAP_HOST);                                            \
	} while (0)
#define CHARGE(n)                                                              \
	do {                                                                   \
		if (unlikely((budget -= (int64_t)(n)) < 0)) {                  \
			trap = poll(s, &budget, (n));                          \
			if (trap != WE_TRAP_NONE)                              \
				goto do_trap;                                  \
		}                                                              \
	} while (0)
#define RELOAD()                                                               \
	do {                                                                   \
		mem = memory_of(inst);                                         \
		membase = mem->data;                                           \
		memsize = mem->size;                                           \
	} while (0)
/* Operand i of a bulk memory instruction: i64 when bit i of c says so. */
#define BULK(i)                                                                \
	((ip->c >> (i)) & 1 ? fp[ip->a + (i)].i64                              \
	                    : (uint64_t)fp[ip->a + (i)].i32)
/* Whether [at, at + n) is not inside size bytes (cannot overflow). */
#define OUTSIDE(at, n, size) ((at) > (size) || (n) > (size) - (at))
/* The effective address of an access of n bytes, or a trap. */
#define ADDR(ea, base, n)                                                      \
	uint64_t ea = (uint64_t)(base) + ip->c;                                \
	if (unlikely(ea + (n) > memsize))                                      \
	TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS)

/*
 * f := element fp[b].i32 of table c, which must be a function of type d
 * or of a subtype of it (call_indirect and return_call_indirect), or a
 * trap. Equal ids, the common case, cost one comparison; only others
 * walk the callee's declared supertypes.
 */
#define TABLE_FUNC()                                                           \
	do {                                                                   \
		we_table *t_ = inst->tables[ip->c];                            \
		uint32_t i_ = B.i32;                                           \
		if (unlikely(i_ >= t_->size))                                  \
			TRAP(WE_TRAP_UNDEFINED_ELEMENT);                       \
		f = t_->elems[i_];                                             \
		if (unlikely(f == NULL))                                       \
			TRAP(WE_TRAP_UNINITIALIZED_ELEMENT);                   \
		if (unlikely(f->type_id != inst->type_ids[ip->d]) &&           \
		    !wm_heap_sub(                                              \
		        s->typeinfo, NULL, f->type_id, inst->type_ids[ip->d])) \
			TRAP(WE_TRAP_INDIRECT_CALL_TYPE_MISMATCH);             \
	} while (0)

static wx_status
run(we_store *s, const wx_insn *ip, wr_value *fp, const void *const **table)
{
#ifndef WX_SWITCH_DISPATCH
	static const void *const labels[WXO__COUNT] = {
#define WX_CTL(N, code, text, imm) [WXO_##N] = &&L_X_BR_TABLE_ENTRY,
#define WX_SPC(N, code, text, imm) [WXO_##N] = &&L_##N,
#define WX_UN(N, code, text, T, R, fn) [WXO_##N] = &&L_##N,
#define WX_BIN(N, code, text, T, R, fn) [WXO_##N] = &&L_##N,
#define WX_UNT(N, code, text, T, R, fn) [WXO_##N] = &&L_##N,
#define WX_BINT(N, code, text, T, R, fn) [WXO_##N] = &&L_##N,
#define WX_LD(N, code, text, T, align, ctype) [WXO_##N] = &&L_##N,
#define WX_ST(N, code, text, T, align, ctype) [WXO_##N] = &&L_##N,
#define WX_VOP(N, code, text, sig, lanes) [WXO_##N] = &&L_##N,
#define WX_VLD(N, code, text, align, lanes) [WXO_##N] = &&L_##N,
#define WX_VST(N, code, text, align, lanes) [WXO_##N] = &&L_##N,
#include "opcodes.def"
#define WX_LABEL(N) [WXO_##N] = &&L_##N,
#define WX_OP(N) WX_LABEL(N)
#include "xops.def"
#undef WX_LABEL
	};
#endif
	struct wx_exec *x;
	we_instance *inst;
	we_memory *mem;
	uint8_t *membase;
	uint64_t memsize;
	int64_t budget = 0;
	we_trap_kind trap = WE_TRAP_NONE;
	wx_status status;
	we_func *f;
	wr_value *callee;
	uint32_t nargs; /* a tail call's argument slots */
	wr_exn *exn;    /* the exception being thrown */

	if (table != NULL) {
#ifdef WX_SWITCH_DISPATCH
		*table = NULL; /* the code keeps its opcode numbers */
#else
		*table = labels;
#endif
		return WX_DONE;
	}
	x = s->exec;
	inst = x->frames[x->depth - 1].inst;
	RELOAD();
	vmdispatch();

#ifdef WX_SWITCH_DISPATCH
dispatch:
	switch ((wx_op)(uintptr_t)ip->h) {
#endif

		/* ---- Generated from opcodes.def ---- */
#define WX_UN(N, code, text, T, R, fn)                                         \
	vmcase(N)                                                              \
	{                                                                      \
		R##_PUT(A, fn(T##_GET(B)));                                    \
		vmnext();                                                      \
	}
/* A binary operation on slots (N) and with a constant (N_K). */
#define WX_BIN_REG(N, T, R, fn)                                                \
	vmcase(N)                                                              \
	{                                                                      \
		R##_PUT(A, fn(T##_GET(B), T##_GET(C)));                        \
		vmnext();                                                      \
	}                                                                      \
	vmcase(N##_K)                                                          \
	{                                                                      \
		R##_PUT(A, fn(T##_GET(B), T##_GET(K64)));                      \
		vmnext();                                                      \
	}
/* Its fused forms with a load (N_M, N_MX) or a store (N_S). */
#define WX_BIN_MEM(N, T, R, fn)                                                \
	vmcase(N##_M)                                                          \
	{                                                                      \
		/* fp[a] := fp[b] op mem[fp[c] + d] */                         \
		wr_value m;                                                    \
		uint64_t ea = (uint64_t)C.i32 + ip->d;                         \
		if (unlikely(ea + sizeof m.T##_F > memsize))                   \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		memcpy(&m.T##_F, membase + ea, sizeof m.T##_F);                \
		R##_PUT(A, fn(T##_GET(B), T##_GET(m)));                        \
		vmnext();                                                      \
	}                                                                      \
	vmcase(N##_MX)                                                         \
	{                                                                      \
		/* fp[a] := fp[b] op mem[(fp[c] + d) mod 2^32] */              \
		wr_value m;                                                    \
		uint64_t ea = (uint32_t)(C.i32 + ip->d);                       \
		if (unlikely(ea + sizeof m.T##_F > memsize))                   \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		memcpy(&m.T##_F, membase + ea, sizeof m.T##_F);                \
		R##_PUT(A, fn(T##_GET(B), T##_GET(m)));                        \
		vmnext();                                                      \
	}                                                                      \
	vmcase(N##_S)                                                          \
	{                                                                      \
		/* mem[fp[a] + d] := fp[b] op fp[c] */                         \
		wr_value r;                                                    \
		uint64_t ea = (uint64_t)A.i32 + ip->d;                         \
		if (unlikely(ea + sizeof r.R##_F > memsize))                   \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		R##_PUT(r, fn(T##_GET(B), T##_GET(C)));                        \
		memcpy(membase + ea, &r.R##_F, sizeof r.R##_F);                \
		vmnext();                                                      \
	}
/* Its read-modify-write form (N_MS). */
#define WX_BIN_UPD(N, T, R, fn)                                                \
	vmcase(N##_MS)                                                         \
	{                                                                      \
		/* mem[fp[c] + d] := fp[b] op mem[fp[c] + d] */                \
		wr_value m, r;                                                 \
		uint64_t ea = (uint64_t)C.i32 + ip->d;                         \
		if (unlikely(ea + sizeof m.T##_F > memsize ||                  \
		        ea + sizeof r.R##_F > memsize))                        \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		memcpy(&m.T##_F, membase + ea, sizeof m.T##_F);                \
		R##_PUT(r, fn(T##_GET(B), T##_GET(m)));                        \
		memcpy(membase + ea, &r.R##_F, sizeof r.R##_F);                \
		vmnext();                                                      \
	}
#define WX_BIN(N, code, text, T, R, fn)                                        \
	WX_BIN_REG(N, T, R, fn) WX_BIN_MEM(N, T, R, fn) WX_BIN_UPD(N, T, R, fn)
#define WX_BIN_NOMEM(N, code, text, T, R, fn) WX_BIN_REG(N, T, R, fn)
/* A compare-and-branch N_J* (taken: goto) and its back-edge N_J*_L. */
#define WX_CMP_BRANCH(N, cond, taken)                                          \
	vmcase(N)                                                              \
	{                                                                      \
		if (cond)                                                      \
			taken();                                               \
		vmnext();                                                      \
	}
/* The compare-and-branch forms with a constant (integers only). */
#define WX_CMP_KBRANCH(N, T, fn)                                               \
	WX_CMP_BRANCH(N##_KJNZ, fn(T##_GET(A), T##_GET(K32)), vmgoto)          \
	WX_CMP_BRANCH(N##_KJZ, !fn(T##_GET(A), T##_GET(K32)), vmgoto)
#define WX_CMP_KBRANCH_L(N, T, fn)                                             \
	WX_CMP_BRANCH(N##_KJNZ_L, fn(T##_GET(A), T##_GET(K32)), vmloop)
#define WX_CMP_K(N, T, fn) WX_INT_ONLY_##T(WX_CMP_KBRANCH(N, T, fn))
#define WX_CMP_K_L(N, T, fn) WX_INT_ONLY_##T(WX_CMP_KBRANCH_L(N, T, fn))
#define WX_CMP(N, code, text, T, fn)                                           \
	WX_BIN_REG(N, T, I32, fn)                                              \
	WX_BIN_MEM(N, T, I32, fn)                                              \
	WX_CMP_BRANCH(N##_JNZ, fn(T##_GET(A), T##_GET(B)), vmgoto)             \
	WX_CMP_BRANCH(N##_JZ, !fn(T##_GET(A), T##_GET(B)), vmgoto)             \
	WX_CMP_K(N, T, fn)                                                     \
	WX_CMP_BRANCH(N##_JNZ_L, fn(T##_GET(A), T##_GET(B)), vmloop)           \
	WX_CMP_K_L(N, T, fn)
#define WX_UNT(N, code, text, T, R, fn)                                        \
	vmcase(N)                                                              \
	{                                                                      \
		R##_CT r = 0;                                                  \
		we_trap_kind k = fn(T##_GET(B), &r);                           \
		if (unlikely(k != WE_TRAP_NONE))                               \
			TRAP(k);                                               \
		R##_PUT(A, r);                                                 \
		vmnext();                                                      \
	}
#define WX_BINT(N, code, text, T, R, fn)                                       \
	vmcase(N)                                                              \
	{                                                                      \
		R##_CT r = 0;                                                  \
		we_trap_kind k = fn(T##_GET(B), T##_GET(C), &r);               \
		if (unlikely(k != WE_TRAP_NONE))                               \
			TRAP(k);                                               \
		R##_PUT(A, r);                                                 \
		vmnext();                                                      \
	}                                                                      \
	vmcase(N##_K)                                                          \
	{                                                                      \
		R##_CT r = 0;                                                  \
		we_trap_kind k = fn(T##_GET(B), T##_GET(K64), &r);             \
		if (unlikely(k != WE_TRAP_NONE))                               \
			TRAP(k);                                               \
		R##_PUT(A, r);                                                 \
		vmnext();                                                      \
	}
#define WX_LD(N, code, text, T, align, ctype)                                  \
	vmcase(N)                                                              \
	{                                                                      \
		ctype v;                                                       \
		ADDR(ea, B.i32, sizeof v);                                     \
		memcpy(&v, membase + ea, sizeof v);                            \
		A.T##_F = v;                                                   \
		vmnext();                                                      \
	}                                                                      \
	vmcase(N##_X)                                                          \
	{                                                                      \
		ctype v;                                                       \
		uint64_t ea = (uint64_t)(uint32_t)(B.i32 + C.i32) + ip->d;     \
		if (unlikely(ea + sizeof v > memsize))                         \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		memcpy(&v, membase + ea, sizeof v);                            \
		A.T##_F = v;                                                   \
		vmnext();                                                      \
	}                                                                      \
	vmcase(N##_XK)                                                         \
	{                                                                      \
		ctype v;                                                       \
		uint64_t ea = (uint64_t)(uint32_t)(B.i32 + ip->c) + ip->d;     \
		if (unlikely(ea + sizeof v > memsize))                         \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		memcpy(&v, membase + ea, sizeof v);                            \
		A.T##_F = v;                                                   \
		vmnext();                                                      \
	}                                                                      \
	vmcase(N##_KA)                                                         \
	{                                                                      \
		/* fp[a] := mem[imm] */                                        \
		ctype v;                                                       \
		if (unlikely(ip->imm + sizeof v > memsize))                    \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		memcpy(&v, membase + ip->imm, sizeof v);                       \
		A.T##_F = v;                                                   \
		vmnext();                                                      \
	}
#define WX_ST(N, code, text, T, align, ctype)                                  \
	vmcase(N)                                                              \
	{                                                                      \
		ctype v = (ctype)B.T##_F;                                      \
		ADDR(ea, A.i32, sizeof v);                                     \
		memcpy(membase + ea, &v, sizeof v);                            \
		vmnext();                                                      \
	}                                                                      \
	vmcase(N##_X)                                                          \
	{                                                                      \
		ctype v = (ctype)C.T##_F;                                      \
		uint64_t ea = (uint64_t)(uint32_t)(A.i32 + B.i32) + ip->d;     \
		if (unlikely(ea + sizeof v > memsize))                         \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		memcpy(membase + ea, &v, sizeof v);                            \
		vmnext();                                                      \
	}                                                                      \
	vmcase(N##_XK)                                                         \
	{                                                                      \
		ctype v = (ctype)B.T##_F;                                      \
		uint64_t ea = (uint64_t)(uint32_t)(A.i32 + ip->c) + ip->d;     \
		if (unlikely(ea + sizeof v > memsize))                         \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		memcpy(membase + ea, &v, sizeof v);                            \
		vmnext();                                                      \
	}                                                                      \
	vmcase(N##_SK)                                                         \
	{                                                                      \
		ctype v = (ctype)K64.T##_F;                                    \
		uint64_t ea = (uint64_t)A.i32 + ip->b;                         \
		if (unlikely(ea + sizeof v > memsize))                         \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		memcpy(membase + ea, &v, sizeof v);                            \
		vmnext();                                                      \
	}                                                                      \
	vmcase(N##_KA)                                                         \
	{                                                                      \
		/* mem[imm] := fp[b] */                                        \
		ctype v = (ctype)B.T##_F;                                      \
		if (unlikely(ip->imm + sizeof v > memsize))                    \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		memcpy(membase + ip->imm, &v, sizeof v);                       \
		vmnext();                                                      \
	}
/* SIMD: the lanes are computed out of line (simd.h says why). */
#define WX_VOP(N, code, text, sig, lanes)                                      \
	vmcase(N)                                                              \
	{                                                                      \
		wxs_##N(fp, ip);                                               \
		vmnext();                                                      \
	}
#define WX_VLD(N, code, text, align, lanes)                                    \
	vmcase(N)                                                              \
	{                                                                      \
		if (unlikely(!wxs_##N(fp, ip, membase, memsize)))              \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		vmnext();                                                      \
	}
#define WX_VST(N, code, text, align, lanes) WX_VLD(N, code, text, align, lanes)
#include "opcodes.def"
#undef WX_BIN_REG
#undef WX_BIN_MEM
#undef WX_BIN_UPD
#undef WX_CMP_BRANCH
#undef WX_CMP_KBRANCH
#undef WX_CMP_KBRANCH_L
#undef WX_CMP_K
#undef WX_CMP_K_L

		/*
		 * ---- Multiply-add to memory (see code.h) ----
		 * Both addresses are checked before either is read, p first,
		 * as the multiply's load comes before the add's.
		 */
#define WX_MULADD(N, T, pea)                                                   \
	vmcase(N)                                                              \
	{                                                                      \
		const wx_insn *add = ip + 1;                                   \
		wr_value mp, mq, prod, r;                                      \
		uint64_t ep = (pea);                                           \
		uint64_t eq = (uint64_t)fp[add->c].i32 + add->d;               \
		if (unlikely(ep + sizeof mp.T##_F > memsize))                  \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		if (unlikely(eq + sizeof mq.T##_F > memsize)) {                \
			ip = add;                                              \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		}                                                              \
		memcpy(&mp.T##_F, membase + ep, sizeof mp.T##_F);              \
		memcpy(&mq.T##_F, membase + eq, sizeof mq.T##_F);              \
		T##_PUT(prod, wxn_mul(T##_GET(B), T##_GET(mp)));               \
		T##_PUT(r, wxn_add(T##_GET(prod), T##_GET(mq)));               \
		memcpy(membase + eq, &r.T##_F, sizeof r.T##_F);                \
		ip = add;                                                      \
		vmnext();                                                      \
	}
		WX_MULADD(F32_MULADD, F32, (uint64_t)C.i32 + ip->d)
		WX_MULADD(F32_MULADD_X, F32, (uint32_t)(C.i32 + ip->d))
		WX_MULADD(F64_MULADD, F64, (uint64_t)C.i32 + ip->d)
		WX_MULADD(F64_MULADD_X, F64, (uint32_t)(C.i32 + ip->d))
#undef WX_MULADD

		/*
		 * ---- SIMD inline forms (simdhot.def, xops.def) ----
		 * Each reads all of its operands before it writes: the
		 * result may go to an operand's slots.
		 */
#define VLD16(v, p) memcpy(&(v), (p), 16)
#define VST16(p, v) memcpy((p), &(v), 16)
/* ea := the address of a 16-byte access at (x), or a trap. */
#define VADDR(ea, x)                                                           \
	uint64_t ea = (x);                                                     \
	if (unlikely(ea + 16 > memsize))                                       \
	TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS)
/* r := va op vb (va = fp[b], vb at yp) to rp, and on to the next. */
#define VHOT_DO(V, expr, yp, rp)                                               \
	do {                                                                   \
		V va, vb, r;                                                   \
		VLD16(va, &B);                                                 \
		VLD16(vb, (yp));                                               \
		r = (expr);                                                    \
		VST16((rp), r);                                                \
		vmnext();                                                      \
	} while (0)
#define WX_VHOT(N, V, expr)                                                    \
	vmcase(N##_V)                                                          \
	{                                                                      \
		VHOT_DO(V, expr, &C, &A);                                      \
	}                                                                      \
	vmcase(N##_M)                                                          \
	{                                                                      \
		VADDR(ea, (uint64_t)C.i32 + ip->d);                            \
		VHOT_DO(V, expr, membase + ea, &A);                            \
	}                                                                      \
	vmcase(N##_MX)                                                         \
	{                                                                      \
		VADDR(ea, (uint32_t)(C.i32 + ip->d));                          \
		VHOT_DO(V, expr, membase + ea, &A);                            \
	}                                                                      \
	vmcase(N##_S)                                                          \
	{                                                                      \
		VADDR(ea, (uint64_t)A.i32 + ip->d);                            \
		VHOT_DO(V, expr, &C, membase + ea);                            \
	}                                                                      \
	vmcase(N##_MS)                                                         \
	{                                                                      \
		VADDR(ea, (uint64_t)C.i32 + ip->d);                            \
		VHOT_DO(V, expr, membase + ea, membase + ea);                  \
	}
#define WX_VSHIFT(N, V, bits, shift)                                           \
	vmcase(N##_V)                                                          \
	{                                                                      \
		V va, r;                                                       \
		VLD16(va, &B);                                                 \
		r = va shift(int)(C.i32 & ((bits)-1));                         \
		VST16(&A, r);                                                  \
		vmnext();                                                      \
	}
#include "simdhot.def"
		vmcase(V128_LOAD_V)
		{
			/* fp[a..a+2) := mem[fp[b] + c] */
			VADDR(ea, (uint64_t)B.i32 + ip->c);
			memcpy(&A, membase + ea, 16);
			vmnext();
		}
		vmcase(V128_LOAD_X)
		{
			/* fp[a..a+2) := mem[(fp[b] + fp[c]) mod 2^32 + d] */
			VADDR(ea, (uint64_t)(uint32_t)(B.i32 + C.i32) + ip->d);
			memcpy(&A, membase + ea, 16);
			vmnext();
		}
		vmcase(V128_LOAD_XK)
		{
			/* fp[a..a+2) := mem[(fp[b] + c) mod 2^32 + d] */
			VADDR(ea, (uint64_t)(uint32_t)(B.i32 + ip->c) + ip->d);
			memcpy(&A, membase + ea, 16);
			vmnext();
		}
		vmcase(V128_STORE_V)
		{
			/* mem[fp[a] + c] := fp[b..b+2) */
			VADDR(ea, (uint64_t)A.i32 + ip->c);
			memcpy(membase + ea, &B, 16);
			vmnext();
		}
		vmcase(V128_STORE_X)
		{
			/* mem[(fp[a] + fp[b]) mod 2^32 + d] := fp[c..c+2) */
			VADDR(ea, (uint64_t)(uint32_t)(A.i32 + B.i32) + ip->d);
			memcpy(membase + ea, &C, 16);
			vmnext();
		}
		vmcase(V128_STORE_XK)
		{
			/* mem[(fp[a] + c) mod 2^32 + d] := fp[b..b+2) */
			VADDR(ea, (uint64_t)(uint32_t)(A.i32 + ip->c) + ip->d);
			memcpy(membase + ea, &B, 16);
			vmnext();
		}
		vmcase(I8X16_BITMASK_V)
		{
			/* fp[a].i32 := the top bit of each byte lane of fp[b] */
			uint64_t half[2];
			uint32_t r = 0;
			memcpy(half, &B, 16);
			for (int i = 0; i < 2; i++) {
				/* Bit 7 of byte j moves to bit 56 + j. */
				uint64_t t =
				    (half[i] >> 7) & 0x0101010101010101u;
				r |= (uint32_t)((t * 0x0102040810204080u) >> 56)
				    << (8 * i);
			}
			A.i32 = r;
			vmnext();
		}
		/* As WX_MULADD: p checked before q, the trap at the add. */
#define WX_VMULADD(N, V, pea)                                                  \
	vmcase(N)                                                              \
	{                                                                      \
		const wx_insn *add = ip + 1;                                   \
		V vb, mp, mq, r;                                               \
		uint64_t ep = (pea);                                           \
		uint64_t eq = (uint64_t)fp[add->c].i32 + add->d;               \
		if (unlikely(ep + 16 > memsize))                               \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		if (unlikely(eq + 16 > memsize)) {                             \
			ip = add;                                              \
			TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);                    \
		}                                                              \
		VLD16(vb, &B);                                                 \
		VLD16(mp, membase + ep);                                       \
		VLD16(mq, membase + eq);                                       \
		r = vb * mp;                                                   \
		r = r + mq;                                                    \
		VST16(membase + eq, r);                                        \
		ip = add;                                                      \
		vmnext();                                                      \
	}
		WX_VMULADD(F32X4_MULADD, wxv_f32, (uint64_t)C.i32 + ip->d)
		WX_VMULADD(F32X4_MULADD_X, wxv_f32, (uint32_t)(C.i32 + ip->d))
		WX_VMULADD(F64X2_MULADD, wxv_f64, (uint64_t)C.i32 + ip->d)
		WX_VMULADD(F64X2_MULADD_X, wxv_f64, (uint32_t)(C.i32 + ip->d))
#undef WX_VMULADD
#undef VHOT_DO
#undef VADDR
#undef VST16
#undef VLD16

		/* ---- Moves, constants, branches ---- */
		vmcase(X_MOVE)
		{
			/* fp[a] := fp[b] */
			A = B;
			vmnext();
		}
		vmcase(X_MOVE2)
		{
			/* fp[a] := fp[b]; then fp[c] := fp[d] */
			A = B;
			C = fp[ip->d];
			vmnext();
		}
		vmcase(X_CONST)
		{
			/* fp[a] := imm */
			A.i64 = ip->imm;
			vmnext();
		}
		vmcase(X_BR)
		{
			ip = ip->target;
			vmdispatch();
		}
		vmcase(X_BR_L)
		{
			vmloop();
		}
		vmcase(X_BR_IF_L)
		{
			if (A.i32 != 0)
				vmloop();
			vmnext();
		}
		vmcase(X_BR_UNLESS_L)
		{
			if (A.i32 == 0)
				vmloop();
			vmnext();
		}
		vmcase(X_STEP_NE_L)
		{
			/* fp[a].i32 += d; loop while fp[a] != fp[b] */
		step_ne_l:
			A.i32 += ip->d;
			if (A.i32 != B.i32)
				vmloop_rel();
			vmnext();
		}
		vmcase(X_STEP_NE_KL)
		{
			/* fp[a].i32 += d; loop while fp[a] != b */
		step_ne_kl:
			A.i32 += ip->d;
			if (A.i32 != ip->b)
				vmloop_rel();
			vmnext();
		}
		vmcase(X_STEP_NZ_L)
		{
			/* fp[a].i32 += d; loop while fp[a] != 0 */
		step_nz_l:
			A.i32 += ip->d;
			if (A.i32 != 0)
				vmloop_rel();
			vmnext();
		}
		/* X_INC2, then the X_STEP_* at ip + 1 without a dispatch. */
#define WX_INC2_THEN(N, step)                                                  \
	vmcase(N)                                                              \
	{                                                                      \
		A.i32 += ip->c;                                                \
		B.i32 += ip->d;                                                \
		ip++;                                                          \
		goto step;                                                     \
	}
		WX_INC2_THEN(X_INC2_STEP_NE_L, step_ne_l)
		WX_INC2_THEN(X_INC2_STEP_NE_KL, step_ne_kl)
		WX_INC2_THEN(X_INC2_STEP_NZ_L, step_nz_l)
#undef WX_INC2_THEN
		vmcase(X_BR_IF)
		{
			if (A.i32 != 0) {
				ip = ip->target;
				vmdispatch();
			}
			vmnext();
		}
		vmcase(X_BR_UNLESS)
		{
			if (A.i32 == 0) {
				ip = ip->target;
				vmdispatch();
			}
			vmnext();
		}
		vmcase(X_BR_TABLE)
		{
			/* entries follow: ip[1..b+1], the last is the default */
			uint32_t i = A.i32;
			if (i > ip->b)
				i = ip->b;
			ip = ip[1 + i].target;
			vmdispatch();
		}
		vmcase(X_SELECT)
		{
			/* fp[a] := fp[d].i32 ? fp[b] : fp[c] */
			A = fp[ip->d].i32 ? B : C;
			vmnext();
		}
		vmcase(X_INC2)
		{
			/* fp[a].i32 += c; then fp[b].i32 += d */
			A.i32 += ip->c;
			B.i32 += ip->d;
			vmnext();
		}
		vmcase(X_GLOBAL_GET)
		{
			A = inst->globals[ip->b]->value;
			vmnext();
		}
		vmcase(X_GLOBAL_SET)
		{
			inst->globals[ip->b]->value = A;
			vmnext();
		}
		vmcase(X_GLOBAL_GET_W)
		{
			_Static_assert(offsetof(we_global, hi) ==
			        offsetof(we_global, value) + 8,
			    "a global's v128 is value then hi");
			/* fp[a..a+2) := globals[b] (value, then hi) */
			memcpy(&A, &inst->globals[ip->b]->value, 16);
			vmnext();
		}
		vmcase(X_GLOBAL_SET_W)
		{
			memcpy(&inst->globals[ip->b]->value, &A, 16);
			vmnext();
		}
		vmcase(X_CONST_W)
		{
			_Static_assert(
			    offsetof(wx_insn, imm) == offsetof(wx_insn, a) + 8,
			    "X_DATA carries 16 bytes from a");
			/* fp[a..a+2) := ip[1]'s a, b and imm; skip the data */
			memcpy(&A,
			    (const uint8_t *)&ip[1] + offsetof(wx_insn, a), 16);
			ip += 2;
			vmdispatch();
		}

		/* ---- Calls ---- */
		vmcase(X_CALL)
		{
			/* callee inst->funcs[imm]; its frame starts at fp[b] */
			f = inst->funcs[ip->imm];
			callee = &B;
			goto do_call;
		}
		vmcase(X_CALL_DIRECT)
		{
			/* a function of this instance, def imm; frame at fp[b] */
			const wm_funcdef *def =
			    (const wm_funcdef *)(uintptr_t)ip->imm;
			const wx_code *code =
			    __atomic_load_n(&def->code, __ATOMIC_ACQUIRE);
			wx_frame *fr;
			callee = &B;
			if (unlikely(code == NULL)) {
				const we_module *m = inst->module;
				code = compile_now(
				    s, m, (uint32_t)(def - m->funcs));
				if (code == NULL)
					TRAP(WE_TRAP_HOST);
			}
			if (unlikely(x->depth >= x->max_depth ||
			        code->nslots > (size_t)(x->stack_end - callee)))
				TRAP(WE_TRAP_CALL_STACK_EXHAUSTED);
			fr = &x->frames[x->depth++];
			fr->code = code;
			fr->fp = callee;
			fr->inst = inst;
			fr->ret_ip = ip + 1;
			fp = callee;
			ip = code->insns;
			vmdispatch();
		}
		vmcase(X_CALL_INDIRECT)
		{
			/* table c, element fp[b].i32, type d; frame at fp[a] */
			TABLE_FUNC();
			callee = &A;
			goto do_call;
		}
	do_call:
		if (f->host != NULL) {
			we_host_status hs;
			if (s->fuel_on && budget > 0) {
				/* The host may read the fuel left: settle it. */
				s->fuel += (uint64_t)budget;
				budget = 0;
			}
			hs = wx_call_host(s, f, inst, callee);
			RELOAD(); /* the host may have grown the memory */
			if (likely(hs == WE_HOST_OK))
				vmnext();
			if (hs == WE_HOST_TRAP)
				TRAP(WE_TRAP_HOST);
			x->susp_ip = ip;
			x->susp_fp = callee;
			x->susp_callee = f;
			status = WX_SUSPEND;
			goto out;
		} else {
			const wx_code *code =
			    __atomic_load_n(&f->def->code, __ATOMIC_ACQUIRE);
			wx_frame *fr;
			if (unlikely(code == NULL)) {
				code =
				    compile_now(s, f->inst->module, f->index);
				if (code == NULL)
					TRAP(WE_TRAP_HOST);
			}
			if (unlikely(x->depth >= x->max_depth ||
			        code->nslots > (size_t)(x->stack_end - callee)))
				TRAP(WE_TRAP_CALL_STACK_EXHAUSTED);
			fr = &x->frames[x->depth++];
			fr->code = code;
			fr->fp = callee;
			fr->inst = f->inst;
			fr->ret_ip = ip + 1;
			fp = callee;
			if (f->inst != inst) {
				inst = f->inst;
				RELOAD();
			}
			ip = code->insns;
			vmdispatch();
		}
		vmcase(X_ENTER)
		{
			/* zero the declared locals fp[a..a+b); charge imm */
			wr_value *l = fp + ip->a;
			for (uint32_t n = ip->b; n > 0; n--)
				(l++)->i64 = 0;
			CHARGE(ip->imm);
			vmnext();
		}
		vmcase(X_LOOP)
		{
			/* a loop header: charge imm fuel, poll for interrupts */
			CHARGE(ip->imm);
			vmnext();
		}
		vmcase(X_RETURN)
		{
			/* fp[0..b) := fp[a..a+b); back to the caller */
			const wx_frame *fr;
			if (ip->a != 0) {
				const wr_value *r = fp + ip->a;
				for (uint32_t i = 0, n = ip->b; i < n; i++)
					fp[i] = r[i];
			}
			fr = &x->frames[--x->depth];
			ip = fr->ret_ip;
			if (unlikely(ip == NULL)) {
				status = WX_DONE;
				goto out;
			}
			fr--;
			fp = fr->fp;
			if (unlikely(fr->inst != inst)) {
				inst = fr->inst;
				mem = memory_of(inst);
			}
			/* The callee may have grown the memory. */
			membase = mem->data;
			memsize = mem->size;
			vmdispatch();
		}

		/* ---- Tail calls (see xops.def) ---- */
		vmcase(X_RETURN_CALL)
		{
			/* callee inst->funcs[imm]; arguments fp[b..b+a) */
			f = inst->funcs[ip->imm];
			callee = &B;
			nargs = ip->a;
			goto do_tail_call;
		}
		vmcase(X_RETURN_CALL_DIRECT)
		{
			/* a function of this instance, def imm */
			const wm_funcdef *def =
			    (const wm_funcdef *)(uintptr_t)ip->imm;
			f = inst->funcs[def - inst->module->funcs];
			callee = &B;
			nargs = ip->a;
			goto do_tail_call;
		}
		vmcase(X_RETURN_CALL_INDIRECT)
		{
			/* table c, element fp[b].i32, type d; arguments fp[a..) */
			TABLE_FUNC();
			callee = &A;
			nargs = wr_param_slots(f->type);
			goto do_tail_call;
		}
	do_tail_call:
		/* The arguments replace the running function's frame. */
		memmove(fp, callee, nargs * sizeof *fp);
		callee = fp;
		if (f->host != NULL)
			goto do_call; /* then the X_RETURN after ip */
		{
			const wx_code *code =
			    __atomic_load_n(&f->def->code, __ATOMIC_ACQUIRE);
			wx_frame *fr = &x->frames[x->depth - 1];
			if (unlikely(code == NULL)) {
				code =
				    compile_now(s, f->inst->module, f->index);
				if (code == NULL)
					TRAP(WE_TRAP_HOST);
			}
			if (unlikely(
			        code->nslots > (size_t)(x->stack_end - fp)))
				TRAP(WE_TRAP_CALL_STACK_EXHAUSTED);
			fr->code = code;
			fr->inst = f->inst;
			if (f->inst != inst) {
				inst = f->inst;
				RELOAD();
			}
			ip = code->insns;
			vmdispatch();
		}

		/* ---- Exceptions (see xops.def) ---- */
		vmcase(X_THROW)
		{
			/* a new exception of tag b with the values at fp[a..) */
			exn = wr_exn_new(s, inst->tags[ip->b], &A);
			if (unlikely(exn == NULL)) {
				wr_trap(s, WE_TRAP_HOST,
				    "out of memory for an exception (the "
				    "store's limit)");
				TRAP(WE_TRAP_HOST);
			}
			goto do_throw;
		}
		vmcase(X_THROW_REF)
		{
			exn = A.ref;
			if (unlikely(exn == NULL))
				TRAP(WE_TRAP_NULL_REFERENCE);
			goto do_throw;
		}
	do_throw:
		/* Frame by frame, to the innermost catch clause covering ip. */
		for (;;) {
			wx_frame *fr = &x->frames[x->depth - 1];
			const wx_catch *k = wx_find_catch(fr->code, inst,
			    (uint32_t)(ip - fr->code->insns), exn->tag);
			if (k != NULL) {
				wr_value *d = fp + k->dst;
				if (k->tag != WX_CATCH_ALL) {
					memcpy(d, exn->vals,
					    exn->tag->nslots * sizeof *d);
				}
				if (k->ref != WX_NO_REF)
					fp[k->ref].ref = exn;
				ip = fr->code->insns + k->pad;
				vmdispatch();
			}
			if (fr->ret_ip == NULL) {
				wx_uncaught(s, exn);
				TRAP(WE_TRAP_HOST); /* s->trap is filled */
			}
			ip = fr->ret_ip - 1; /* the call, in the caller */
			x->depth--;
			fp = fr[-1].fp;
			inst = fr[-1].inst;
			RELOAD();
		}

		/* ---- Special instructions ---- */
		vmcase(UNREACHABLE)
		{
			TRAP(WE_TRAP_UNREACHABLE);
		}
		vmcase(MEMORY_SIZE)
		{
			A.i64 = mem->pages;
			vmnext();
		}
		vmcase(MEMORY_GROW)
		{
			/* fp[a] := old size in pages or -1 (c: i64) */
			uint64_t n = ip->c ? A.i64 : A.i32;
			int64_t r = n > UINT32_MAX
			    ? -1
			    : wr_memory_grow(mem, (uint32_t)n);
			A.i64 = ip->c ? (uint64_t)r : (uint32_t)r;
			RELOAD();
			vmnext();
		}
		vmcase(MEMORY_FILL)
		{
			/* dst fp[a], byte fp[a+1], length fp[a+2] */
			uint64_t d = BULK(0), n = BULK(2);
			if (unlikely(OUTSIDE(d, n, memsize)))
				TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);
			memset(membase + d, (int)(uint8_t)fp[ip->a + 1].i32, n);
			vmnext();
		}
		vmcase(MEMORY_COPY)
		{
			/* dst fp[a], src fp[a+1], length fp[a+2] */
			uint64_t d = BULK(0), src = BULK(1), n = BULK(2);
			if (unlikely(OUTSIDE(d, n, memsize) ||
			        OUTSIDE(src, n, memsize)))
				TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);
			memmove(membase + d, membase + src, n);
			vmnext();
		}
		vmcase(MEMORY_INIT)
		{
			/* data segment b: dst fp[a], src fp[a+1], length fp[a+2] */
			uint64_t d = BULK(0), src = BULK(1), n = BULK(2);
			if (unlikely(OUTSIDE(d, n, memsize) ||
			        OUTSIDE(src, n, inst->data_sizes[ip->b])))
				TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);
			if (n)
				memcpy(membase + d,
				    inst->module->datas[ip->b].bytes + src, n);
			vmnext();
		}
		vmcase(DATA_DROP)
		{
			inst->data_sizes[ip->b] = 0;
			vmnext();
		}
		vmcase(TABLE_GET)
		{
			/* fp[a] := table b [fp[a].i32] */
			we_table *t = inst->tables[ip->b];
			uint32_t i = A.i32;
			if (unlikely(i >= t->size))
				TRAP(WE_TRAP_TABLE_OUT_OF_BOUNDS);
			A.ref = t->elems[i];
			vmnext();
		}
		vmcase(TABLE_SET)
		{
			/* table b [fp[a].i32] := fp[a+1] */
			we_table *t = inst->tables[ip->b];
			uint32_t i = A.i32;
			if (unlikely(i >= t->size))
				TRAP(WE_TRAP_TABLE_OUT_OF_BOUNDS);
			t->elems[i] = fp[ip->a + 1].ref;
			vmnext();
		}
		vmcase(TABLE_SIZE)
		{
			A.i32 = inst->tables[ip->b]->size;
			vmnext();
		}
		vmcase(TABLE_GROW)
		{
			/* fp[a] := old size or -1; init fp[a], delta fp[a+1] */
			A.i32 = (uint32_t)wr_table_grow(
			    inst->tables[ip->b], fp[ip->a + 1].i32, A.ref);
			vmnext();
		}
		vmcase(TABLE_FILL)
		{
			/* table b: start fp[a], value fp[a+1], length fp[a+2] */
			we_table *t = inst->tables[ip->b];
			uint64_t i = A.i32, n = fp[ip->a + 2].i32;
			void *v = fp[ip->a + 1].ref;
			if (unlikely(i + n > t->size))
				TRAP(WE_TRAP_TABLE_OUT_OF_BOUNDS);
			while (n-- > 0)
				t->elems[i++] = v;
			vmnext();
		}
		vmcase(TABLE_COPY)
		{
			/* table c := table d: dst fp[a], src fp[a+1], n fp[a+2] */
			we_table *td = inst->tables[ip->c],
			         *ts = inst->tables[ip->d];
			uint64_t d = A.i32, src = fp[ip->a + 1].i32;
			uint64_t n = fp[ip->a + 2].i32;
			if (unlikely(d + n > td->size || src + n > ts->size))
				TRAP(WE_TRAP_TABLE_OUT_OF_BOUNDS);
			if (n)
				memmove(td->elems + d, ts->elems + src,
				    n * sizeof *td->elems);
			vmnext();
		}
		vmcase(TABLE_INIT)
		{
			/* table c := segment d: dst fp[a], src fp[a+1], n fp[a+2] */
			we_table *t = inst->tables[ip->c];
			const wr_elemseg *e = &inst->elems[ip->d];
			uint64_t d = A.i32, src = fp[ip->a + 1].i32;
			uint64_t n = fp[ip->a + 2].i32;
			if (unlikely(d + n > t->size || src + n > e->count))
				TRAP(WE_TRAP_TABLE_OUT_OF_BOUNDS);
			if (n)
				memcpy(t->elems + d, e->refs + src,
				    n * sizeof *t->elems);
			vmnext();
		}
		vmcase(ELEM_DROP)
		{
			inst->elems[ip->b].count = 0;
			vmnext();
		}
		vmcase(REF_IS_NULL)
		{
			A.i32 = B.ref == NULL;
			vmnext();
		}
		vmcase(REF_EQ)
		{
			A.i32 = B.ref == C.ref;
			vmnext();
		}
		vmcase(REF_I31)
		{
			A.ref = wr_i31_ref(B.i32);
			vmnext();
		}
		vmcase(I31_GET_S)
		{
			if (unlikely(B.ref == NULL))
				TRAP(WE_TRAP_NULL_REFERENCE);
			A.i32 = (uint32_t)wr_i31_get_s(B.ref);
			vmnext();
		}
		vmcase(I31_GET_U)
		{
			if (unlikely(B.ref == NULL))
				TRAP(WE_TRAP_NULL_REFERENCE);
			A.i32 = wr_i31_get_u(B.ref);
			vmnext();
		}
		vmcase(REF_FUNC)
		{
			A.ref = inst->funcs[ip->b];
			vmnext();
		}
		vmcase(I8X16_SHUFFLE)
		{
			/* fp[a] := lanes of fp[b], fp[c] (indices in ip[1]) */
			wxs_shuffle(fp, ip);
			ip += 2;
			vmdispatch();
		}
		/*
		 * ---- Typed function references (see xops.def) ----
		 * Last, so the hot handlers above keep their layout.
		 */
		vmcase(X_CALL_REF)
		{
			/* the function fp[b].ref; frame at fp[a] */
			f = B.ref;
			if (unlikely(f == NULL))
				TRAP(WE_TRAP_NULL_REFERENCE);
			callee = &A;
			goto do_call;
		}
		vmcase(X_RETURN_CALL_REF)
		{
			/* the function fp[b].ref; arguments fp[a..) */
			f = B.ref;
			if (unlikely(f == NULL))
				TRAP(WE_TRAP_NULL_REFERENCE);
			callee = &A;
			nargs = wr_param_slots(f->type);
			goto do_tail_call;
		}
		vmcase(X_REF_TEST)
		{
			A.i32 = wr_ref_test(inst, B.ref, (we_valtype)ip->imm);
			vmnext();
		}
		vmcase(X_REF_CAST)
		{
			if (unlikely(
			        !wr_ref_test(inst, B.ref, (we_valtype)ip->imm)))
				TRAP(WE_TRAP_CAST_FAILURE);
			A.ref = B.ref;
			vmnext();
		}
		/* ---- GC objects (see xops.def) ---- */
		vmcase(X_STRUCT_NEW)
		{
			wr_gcobj *o =
			    wr_struct_new(s, inst, ip->b, ip->c ? NULL : &A);
			if (unlikely(o == NULL))
				TRAP(WE_TRAP_HOST); /* s->trap is filled */
			A.ref = o;
			vmnext();
		}
		vmcase(X_STRUCT_GET)
		{
			const wr_gcobj *o = B.ref;
			if (unlikely(o == NULL))
				TRAP_MSG(WE_TRAP_NULL_REFERENCE,
				    "null structure reference");
			wr_field_get((enum wr_field)(ip->d & 7),
			    o->data + ip->c, &A, ip->d & 8);
			vmnext();
		}
		vmcase(X_STRUCT_SET)
		{
			wr_gcobj *o = A.ref;
			if (unlikely(o == NULL))
				TRAP_MSG(WE_TRAP_NULL_REFERENCE,
				    "null structure reference");
			wr_field_set((enum wr_field)ip->d, o->data + ip->c, &B);
			vmnext();
		}
		vmcase(X_ARRAY_NEW)
		{
			wr_gcobj *o;
			if (ip->c == 0)
				o = wr_array_new(s, inst, ip->b,
				    fp[ip->a + 1 + ip->d].i32, &A, NULL);
			else if (ip->c == 1)
				o = wr_array_new(
				    s, inst, ip->b, A.i32, NULL, NULL);
			else
				o = wr_array_new(
				    s, inst, ip->b, ip->d, NULL, &A);
			if (unlikely(o == NULL))
				TRAP(WE_TRAP_HOST);
			A.ref = o;
			vmnext();
		}
		vmcase(X_ARRAY_NEW_SEG)
		{
			wr_gcobj *o =
			    (ip->d ? wr_array_new_elem : wr_array_new_data)(s,
			        inst, ip->b, ip->c, A.i32, fp[ip->a + 1].i32);
			if (unlikely(o == NULL))
				TRAP(WE_TRAP_HOST);
			A.ref = o;
			vmnext();
		}
		vmcase(X_ARRAY_GET)
		{
			const wr_gcobj *o = B.ref;
			uint32_t i = C.i32;
			if (unlikely(o == NULL))
				TRAP_MSG(WE_TRAP_NULL_REFERENCE,
				    "null array reference");
			if (unlikely(i >= o->len))
				TRAP(WE_TRAP_ARRAY_OUT_OF_BOUNDS);
			wr_field_get((enum wr_field)(ip->d & 7),
			    o->data + (size_t)i * o->esize, &A, ip->d & 8);
			vmnext();
		}
		vmcase(X_ARRAY_SET)
		{
			wr_gcobj *o = A.ref;
			uint32_t i = fp[ip->a + 1].i32;
			if (unlikely(o == NULL))
				TRAP_MSG(WE_TRAP_NULL_REFERENCE,
				    "null array reference");
			if (unlikely(i >= o->len))
				TRAP(WE_TRAP_ARRAY_OUT_OF_BOUNDS);
			wr_field_set((enum wr_field)ip->d,
			    o->data + (size_t)i * o->esize, &fp[ip->a + 2]);
			vmnext();
		}
		vmcase(X_ARRAY_LEN)
		{
			const wr_gcobj *o = B.ref;
			if (unlikely(o == NULL))
				TRAP_MSG(WE_TRAP_NULL_REFERENCE,
				    "null array reference");
			A.i32 = o->len;
			vmnext();
		}
		vmcase(X_ARRAY_FILL)
		{
			/* array fp[a], at fp[a+1], value fp[a+2], n after it */
			wr_gcobj *o = A.ref;
			uint64_t i = fp[ip->a + 1].i32;
			uint64_t n =
			    fp[ip->a + (ip->d == WR_F_V128 ? 4 : 3)].i32;
			if (unlikely(o == NULL))
				TRAP_MSG(WE_TRAP_NULL_REFERENCE,
				    "null array reference");
			if (unlikely(i + n > o->len))
				TRAP(WE_TRAP_ARRAY_OUT_OF_BOUNDS);
			for (; n > 0; n--, i++)
				wr_field_set((enum wr_field)ip->d,
				    o->data + i * o->esize, &fp[ip->a + 2]);
			vmnext();
		}
		vmcase(X_ARRAY_COPY)
		{
			/* array fp[a] at fp[a+1] := array fp[a+2] at fp[a+3],
			   fp[a+4] elements */
			wr_gcobj *d = A.ref, *o = fp[ip->a + 2].ref;
			uint64_t di = fp[ip->a + 1].i32, si = fp[ip->a + 3].i32;
			uint64_t n = fp[ip->a + 4].i32;
			if (unlikely(d == NULL || o == NULL))
				TRAP_MSG(WE_TRAP_NULL_REFERENCE,
				    "null array reference");
			if (unlikely(di + n > d->len || si + n > o->len))
				TRAP(WE_TRAP_ARRAY_OUT_OF_BOUNDS);
			if (n > 0)
				memmove(d->data + di * d->esize,
				    o->data + si * o->esize, n * d->esize);
			vmnext();
		}
		vmcase(X_ARRAY_INIT)
		{
			if (unlikely(!(ip->d ? wr_array_init_elem
			                     : wr_array_init_data)(s, inst,
			        A.ref, ip->c, fp[ip->a + 1].i32,
			        fp[ip->a + 2].i32, fp[ip->a + 3].i32)))
				TRAP(WE_TRAP_HOST);
			vmnext();
		}
		vmcase(X_ANY_CONVERT_EXTERN) vmcase(X_EXTERN_CONVERT_ANY)
		{
			bool ok;
			void *r =
			    (ip->c ? wr_any_convert_extern
			           : wr_extern_convert_any)(s, B.ref, &ok);
			if (unlikely(!ok))
				TRAP(WE_TRAP_HOST);
			A.ref = r;
			vmnext();
		}
		vmcase(X_REF_AS_NON_NULL)
		{
			if (unlikely(B.ref == NULL))
				TRAP(WE_TRAP_NULL_REFERENCE);
			A.ref = B.ref;
			vmnext();
		}
		vmcase(X_MEM)
		{
			/* memory b is at hand (xops.def) */
			mem = inst->mems[ip->b];
			membase = mem->data;
			memsize = mem->size;
			vmnext();
		}
		vmcase(X_MEMORY_COPY_MM)
		{
			/* memory b [fp[a]..] := memory d [fp[a+1]..], fp[a+2] */
			const we_memory *dm = inst->mems[ip->b];
			const we_memory *sm = inst->mems[ip->d];
			uint64_t d = BULK(0), src = BULK(1), n = BULK(2);
			if (unlikely(OUTSIDE(d, n, dm->size) ||
			        OUTSIDE(src, n, sm->size)))
				TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);
			if (n)
				memmove(dm->data + d, sm->data + src, n);
			vmnext();
		}
		vmcase(X_IDX64)
		{
			/* fp[a] := min(fp[b].i64, 2^32 - 1) */
			A.i64 = B.i64 > UINT32_MAX ? UINT32_MAX : B.i64;
			vmnext();
		}
		vmcase(X_ADDR64)
		{
			/* fp[a] := fp[b].i64 + imm, below the memory's size */
			uint64_t ea = B.i64 + ip->imm;
			if (unlikely(ea < ip->imm || ea >= memsize))
				TRAP(WE_TRAP_MEMORY_OUT_OF_BOUNDS);
			A.i64 = ea;
			vmnext();
		}
		vmcase(X_DATA) vmcase(X_BR_TABLE_ENTRY)
		{
			/* Never executed: data, or an opcode the compiler never
		   emits. Treat as a trap rather than run off the code. */
			TRAP(WE_TRAP_UNREACHABLE);
		}
#ifdef WX_SWITCH_DISPATCH
	default: TRAP(WE_TRAP_UNREACHABLE);
	}
#endif

do_trap:
	trap_at(s, trap, ip);
	x->depth = 0;
	status = WX_TRAP;
out:
	if (s->fuel_on && budget > 0)
		s->fuel += (uint64_t)budget;
	return status;
}

wx_status
wx_run(we_store *s, const wx_insn *ip, wr_value *fp)
{
	return run(s, ip, fp, NULL);
}

const void *const *
wx_handlers(void)
{
	const void *const *table = NULL;

	run(NULL, NULL, NULL, &table);
	return table;
}
