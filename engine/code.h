/* SPDX-License-Identifier: Apache-2.0 */
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
 * Wasm opcodes by name: WXC_N is row N's code (see opcodes.def), for
 * code that must recognise particular instructions by their bytes (the
 * constant-expression decoder).
 */
#define WX_CODE_PREFIX(code) ((code) >> 16) /* 0 for one-byte opcodes */
#define WX_CODE_SUB(code) ((code)&0xffff)
typedef enum wx_opcode {
#define WX_ANY(N, code, text) WXC_##N = (code),
#include "opcodes.def"
} wx_opcode;

/*
 * WX_INT_ONLY_T(...): its arguments when T (an opcodes.def type) is an
 * integer type, else nothing: the N_K compare-and-branch forms, whose
 * constant is a sign-extended 32-bit field, exist for integers only.
 */
#define WX_INT_ONLY_I32(...) __VA_ARGS__
#define WX_INT_ONLY_I64(...) __VA_ARGS__
#define WX_INT_ONLY_F32(...)
#define WX_INT_ONLY_F64(...)

/*
 * Internal opcodes: every row of opcodes.def (those that have no handler
 * never appear in code), then the ops of xops.def: the instructions only
 * the compiler makes and the fused forms.
 */
typedef enum wx_op {
#define WX_ROW(N) WXO_##N,
#define WX_ANY(N, code, text) WX_ROW(N)
#include "opcodes.def"
#define WX_OP(N) WX_ROW(N)
#include "xops.def"
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

/*
 * A catch clause: of a try_table (3.0) or of a legacy try's catch or
 * catch_all segment. It catches exceptions thrown by the instructions
 * [start, end) of its function (a call among them counts for what its
 * callees throw) that are of tag `tag` of the instance (WX_CATCH_ALL:
 * any), writes the exception's values (none for a catch-all) to
 * fp[dst..] and the exnref to fp[ref] (WX_NO_REF: not kept), and goes on
 * at insns[pad]: a try_table's pad branches to the clause's label, a
 * legacy segment's pad is the segment's code.
 *
 * level is the depth of the block the clause belongs to (the function
 * body is 0). A legacy `delegate l` is a clause of tag WX_DELEGATE whose
 * dst is the depth of label l: it catches everything its try's body
 * throws and hands it to the handlers at that depth or shallower, as if
 * thrown inside label l (depth 0: to the caller).
 *
 * The clauses of one function are in order, those of nested blocks
 * before those of the blocks around them.
 */
#define WX_CATCH_ALL UINT32_MAX
#define WX_DELEGATE (UINT32_MAX - 1)
#define WX_NO_REF UINT32_MAX
typedef struct wx_catch {
	uint32_t start, end;
	uint32_t tag;
	uint32_t dst;
	uint32_t ref;
	uint32_t pad;
	uint32_t level;
} wx_catch;

/* One compiled function body. */
typedef struct wx_code {
	wx_insn *insns;    /* own: ninsns; insns[0] is ENTER */
	uint32_t *offsets; /* own: module byte offset of each insn's source */
	uint32_t ninsns;
	uint32_t func_index;
	uint32_t nparams;
	uint32_t nlocals;  /* params included */
	uint32_t nslots;   /* frame size: locals + the deepest operand stack */
	wx_catch *catches; /* own: ncatches (see wx_catch) */
	uint32_t ncatches;
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

/*
 * The first catch clause of code that covers instruction `at` and catches
 * an exception of tag in instance inst, after the delegations on the way
 * (see wx_catch), or NULL (exn.c).
 */
const wx_catch *wx_find_catch(const wx_code *code, const we_instance *inst,
    uint32_t at, const we_tag *tag);

/*
 * Fills s->trap (no frames) for exception e reaching the export boundary
 * uncaught: WE_TRAP_EXCEPTION, naming its tag (exn.c).
 */
struct wr_exn;
void wx_uncaught(we_store *s, const struct wr_exn *e);

/* Fills s->trap with kind and message and the backtrace (interp.c). */
void wx_backtrace(we_store *s, const wx_insn *ip);

#endif /* WE_CODE_H */
