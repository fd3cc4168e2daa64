/*
 * code.h: the internal code that compile.c makes from function bodies and
 * interp.c runs, and the execution state (explicit frame and value stacks)
 * shared by interp.c and call.c.
 *
 * Private to engine/ (compile.c, interp.c, call.c).
 *
 * The code is register-style. A function's frame is an array of 8-byte
 * slots (wr_value): its parameters, then its other locals, then one slot per
 * operand-stack height. The validator knows the height of every operand, so
 * each instruction names its operands by slot index, fixed at compile time:
 * `i32.add` at height h is ADD dst=L+h-2, a=L+h-2, b=L+h-1 (L = locals).
 * Each instruction is a fixed 24-byte wx_insn whose first word is the
 * address of its handler in the interpreter (threaded code: dispatch is
 * `goto *ip->h`). Branch targets are instruction pointers, resolved when
 * the compiled function is finalised.
 *
 * Values have a width: a v128 takes two consecutive slots, every other
 * type one. The compiler maps each local to its first slot and each
 * operand height to its slot (the one after the operand below), so slot
 * numbers are heights only while every value is a scalar. Slot counts
 * (ENTER's, RETURN's) are counts of slots, not of values. A 16-byte
 * immediate (X_CONST_W) travels in the X_DATA instruction after it.
 *
 * Calls: the arguments already sit in consecutive slots at the caller's
 * operand heights; the callee's frame starts at the first argument, so a
 * call copies nothing. The callee leaves its results in its first slots,
 * which are where the caller expects them.
 */
#ifndef WE_CODE_H
#define WE_CODE_H

#include "runtime.h"

/*
 * Internal opcodes: every row of opcodes.def (those that have no handler
 * never appear in code), then the instructions only the compiler makes.
 * Operand fields are a, b (32 bits) and imm (64 bits, or c and d).
 */
#define WX_IOPS(X)                                                                 \
	X(X_MOVE)      /* fp[a] := fp[b] */                                        \
	X(X_MOVE2)     /* fp[a] := fp[b]; then fp[c] := fp[d] */                   \
	X(X_CONST)     /* fp[a] := imm (all 64 bits) */                            \
	X(X_BR)        /* goto target */                                           \
	X(X_BR_IF)     /* if fp[a].i32 != 0 goto target */                         \
	X(X_BR_UNLESS) /* if fp[a].i32 == 0 goto target */                         \
	X(X_BR_TABLE)  /* goto entry[min(fp[a].i32, b)].target; b+1 entries  \
			    follow */     \
	X(X_CALL)      /* call inst->funcs[imm], frame at fp + b */                \
	X(X_CALL_DIRECT) /* call def imm (this instance), frame at fp+b */         \
	X(X_CALL_INDIRECT) /* call table c [fp[b].i32] of type d, frame at fp+a */ \
	X(X_RETURN)        /* fp[0..b) := fp[a..a+b); pop the frame */             \
	X(X_ENTER)         /* fp[a..a+b) := 0; charge imm fuel; poll */            \
	X(X_LOOP)          /* charge imm fuel; poll interrupts */                  \
	X(X_SELECT)        /* fp[a] := fp[d].i32 ? fp[b] : fp[c] */                \
	X(X_GLOBAL_GET)   /* fp[a] := globals[b] */                                \
	X(X_GLOBAL_SET)   /* globals[b] := fp[a] */                                \
	X(X_GLOBAL_GET_W) /* fp[a..a+2) := globals[b] (a v128) */                  \
	X(X_GLOBAL_SET_W) /* globals[b] := fp[a..a+2) (a v128) */                  \
	X(X_CONST_W) /* fp[a..a+2) := the 16 bytes of ip[1] (an X_DATA) */         \
	X(X_DATA)    /* data: 16 bytes in a, b, imm; never executed */             \
	X(X_INC2) /* fp[a].i32 += c; fp[b].i32 += d (two induction steps) */       \
	X(X_BR_TABLE_ENTRY) /* data: target, never executed */

typedef enum wx_op {
#define WX_ROW(N) WXO_##N,
#define WX_CTL(N, code, text, imm) WX_ROW(N)
#define WX_SPC(N, code, text, imm) WX_ROW(N)
#define WX_UN(N, code, text, T, R, fn) WX_ROW(N)
#define WX_BIN(N, code, text, T, R, fn) WX_ROW(N)
#define WX_UNT(N, code, text, T, R, fn) WX_ROW(N)
#define WX_BINT(N, code, text, T, R, fn) WX_ROW(N)
#define WX_LD(N, code, text, T, align, ctype) WX_ROW(N)
#define WX_ST(N, code, text, T, align, ctype) WX_ROW(N)
#include "opcodes.def"
	WX_IOPS(WX_ROW)
/* N_K: a binary operation whose second operand is the constant imm. */
#define WX_BIN(N, code, text, T, R, fn) WX_ROW(N##_K)
#define WX_BINT(N, code, text, T, R, fn) WX_ROW(N##_K)
#define WX_CMP(N, code, text, T, fn) WX_ROW(N##_K)
#include "opcodes.def"
/*
 * A comparison fused with the branch that uses it (target in imm):
 * N_JNZ/N_JZ branch when fp[a] op fp[b] is true/false; N_KJNZ/N_KJZ
 * compare fp[a] with the constant b (sign-extended; integers only).
 */
#define WX_CMP(N, code, text, T, fn)                                           \
	WX_ROW(N##_JNZ) WX_ROW(N##_JZ) WX_ROW(N##_KJNZ) WX_ROW(N##_KJZ)
#include "opcodes.def"
/*
 * N_X: a load or store whose address is the sum of two slots (a fused
 * i32.add): loads fp[a] := mem[(fp[b] + fp[c]) mod 2^32 + d], stores
 * mem[(fp[a] + fp[b]) mod 2^32 + d] := fp[c]. N_XK: the same with a
 * constant (a fused i32.add with a constant): loads fp[a] :=
 * mem[(fp[b] + c) mod 2^32 + d], stores mem[(fp[a] + c) mod 2^32 + d] :=
 * fp[b]. N_SK: a store of a constant: mem[fp[a] + b] := imm.
 */
#define WX_LD(N, code, text, T, align, ctype) WX_ROW(N##_X) WX_ROW(N##_XK)
#define WX_ST(N, code, text, T, align, ctype)                                  \
	WX_ROW(N##_X) WX_ROW(N##_XK) WX_ROW(N##_SK)
#include "opcodes.def"
/*
 * N_KA: a load or store at a constant address (an i32.const address with
 * the offset added at compile time, below 2^33): loads fp[a] := mem[imm],
 * stores mem[imm] := fp[b].
 */
#define WX_LD(N, code, text, T, align, ctype) WX_ROW(N##_KA)
#define WX_ST(N, code, text, T, align, ctype) WX_ROW(N##_KA)
#include "opcodes.def"
/*
 * Binary operations fused with the full-width load or store of their type
 * next to them. N_M: the second operand comes from memory (a fused load):
 * fp[a] := fp[b] op mem[fp[c] + d]. N_S: the result goes to memory (a
 * fused store): mem[fp[a] + d] := fp[b] op fp[c]. N_MS: both, at one
 * address (`*p += x`): mem[fp[c] + d] := fp[b] op mem[fp[c] + d]. N_MX:
 * N_M whose load had a fused i32.add of a constant (N_XK, offset 0):
 * fp[a] := fp[b] op mem[(fp[c] + d) mod 2^32].
 */
#define WX_BIN(N, code, text, T, R, fn)                                        \
	WX_ROW(N##_M) WX_ROW(N##_S) WX_ROW(N##_MS) WX_ROW(N##_MX)
#include "opcodes.def"
	/*
 * `*q += x * *p` for f32 and f64 in one dispatch: an N_M (or N_MX)
 * multiply whose result only feeds the N_MS add right after it. ip[0]
 * keeps the multiply's fields (b = x, c = p, d = p's offset, or for the
 * _X form the constant added to p with wrap-around) and ip[1] stays in
 * place as data (c = q, d = q's offset): a trap at q reports ip[1]'s
 * byte offset, as the unfused add would. Runs both and goes on at ip + 2.
 */
	WX_ROW(F32_MULADD) WX_ROW(F32_MULADD_X) WX_ROW(F64_MULADD)
	    WX_ROW(F64_MULADD_X)
	/*
 * Back edges: the branches above when their target is a loop header (an
 * X_LOOP). Taken, they do the header's work themselves (charge its imm,
 * poll) and continue after it, which saves a dispatch per iteration.
 */
	WX_ROW(X_BR_L) WX_ROW(X_BR_IF_L) WX_ROW(X_BR_UNLESS_L)
	/*
 * Back edges that also step the loop counter (a fused `x += k` just
 * before), fp[a].i32 += d, then test it: X_STEP_NE_L loops while fp[a] !=
 * fp[b], X_STEP_NE_KL while fp[a] != b, X_STEP_NZ_L while fp[a] != 0.
 * Their target is relative: ip + (int32_t)c.
 */
	WX_ROW(X_STEP_NE_L) WX_ROW(X_STEP_NE_KL) WX_ROW(X_STEP_NZ_L)
	/*
 * An X_INC2 followed by one of those back edges, in one dispatch: ip[0]
 * is the X_INC2, ip[1] the X_STEP_*, kept in place as data; does both.
 */
	WX_ROW(X_INC2_STEP_NE_L) WX_ROW(X_INC2_STEP_NE_KL)
	    WX_ROW(X_INC2_STEP_NZ_L)
#define WX_CMP(N, code, text, T, fn)                                           \
	WX_ROW(N##_JNZ_L) WX_ROW(N##_JZ_L) WX_ROW(N##_KJNZ_L) WX_ROW(N##_KJZ_L)
#include "opcodes.def"
#undef WX_ROW
	        WXO__COUNT
} wx_op;

typedef struct wx_insn {
	const void *h; /* handler address; the wx_op while compiling */
	uint32_t a, b;
	union {
		uint64_t imm;
		struct {
			uint32_t c, d;
		};
		const struct wx_insn *target;
	};
} wx_insn;

/* One compiled function body. */
typedef struct wx_code {
	wx_insn *insns;    /* own: ninsns; insns[0] is ENTER */
	uint32_t *offsets; /* own: module byte offset of each insn's source */
	uint32_t ninsns;
	uint32_t func_index;
	uint32_t nparams;
	uint32_t nlocals; /* params included */
	uint32_t nslots;  /* frame size: locals + the deepest operand stack */
} wx_code;

/*
 * The code of defined function func_index of m, compiled on first use
 * (compile.c); NULL when out of memory. Safe to call from several threads.
 */
const wx_code *wx_code_of(const we_module *m, uint32_t func_index);

/*
 * Test hook: compiles function func_index of m afresh (nothing kept) and
 * returns how many operands it looked at to copy them to their own slots
 * (for a local.set of the local they read, a block, a branch or a call),
 * or UINT64_MAX when it fails. That work must stay linear in the body's
 * size: a local.set and a block entry used to rescan the whole operand
 * stack.
 */
uint64_t wx_operand_visits(const we_module *m, uint32_t func_index);

/* The handler address of each wx_op (interp.c). */
const void *const *wx_handlers(void);

/* ---- Execution state ---------------------------------------------------- */

typedef struct wx_frame {
	const wx_code *code;
	wr_value *fp;
	we_instance *inst;
	const wx_insn *ret_ip; /* where the caller resumes; NULL: the host */
} wx_frame;

struct wx_exec {
	wr_value *stack;     /* own */
	wr_value *stack_end; /* one past the last slot */
	wx_frame *frames;    /* own: max_depth entries; [depth-1] is running */
	uint32_t depth, max_depth;

	/* What we_func_call started: its results are read at stack[0]. */
	we_func *entry;

	/* A suspended host call: the CALL/CALL_INDIRECT and its frame. */
	const wx_insn *susp_ip; /* NULL: the entry itself is the host func */
	wr_value *susp_fp;
	we_func *susp_callee;
};

typedef enum wx_status {
	WX_DONE,    /* the entry function returned; results at stack[0] */
	WX_TRAP,    /* s->trap is filled; the frames are unwound */
	WX_SUSPEND, /* a host function suspended; s->pending is filled */
} wx_status;

/*
 * Runs from ip with frame pointer fp; frames[depth-1] must describe the
 * running function. Returns when the bottom frame returns, on a trap or on
 * a suspension.
 */
wx_status wx_run(we_store *s, const wx_insn *ip, wr_value *fp);

/*
 * Calls host function f from wasm (caller may be NULL) with its arguments
 * in slots[0..nparams); on WE_HOST_OK writes its results to
 * slots[0..nresults) (call.c). On a trap fills s->trap (no frames yet); on
 * a suspension fills s->pending.
 */
we_host_status wx_call_host(
    we_store *s, we_func *f, we_instance *caller, wr_value *slots);

/* Fills s->trap with kind and message and the backtrace (interp.c). */
void wx_backtrace(we_store *s, const wx_insn *ip);

#endif /* WE_CODE_H */
