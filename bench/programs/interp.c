/* SPDX-License-Identifier: Apache-2.0 */
/*
 * interp.c: an interpreter loop. A tiny stack machine (switch dispatch, an
 * operand stack and locals) runs a bytecode program that sums the Collatz
 * step counts of 1..n and keeps a small histogram in its data memory. The
 * dispatch is branchy and unpredictable, like any interpreter's.
 */
#include "bench.h"

enum vm_op {
	VM_HALT,  /* stop; the result is the top of the stack */
	VM_PUSH,  /* push the immediate */
	VM_GET,   /* push local[imm] */
	VM_SET,   /* local[imm] := pop */
	VM_INC,   /* local[imm] += 1 */
	VM_ADD,   /* a b -> a+b */
	VM_SUB,   /* a b -> a-b */
	VM_MUL,   /* a b -> a*b */
	VM_AND,   /* a b -> a&b */
	VM_SHR,   /* a b -> a>>b (logical) */
	VM_EQ,    /* a b -> a==b */
	VM_GT,    /* a b -> a>b (signed) */
	VM_JMP,   /* pc := imm */
	VM_JZ,    /* if pop == 0: pc := imm */
	VM_LOADM, /* a -> mem[a] */
	VM_STOREM /* a v -> ; mem[a] := v */
};

#define OP(op, imm) ((uint32_t)(op) | ((uint32_t)(imm) << 8))
#define VM_STACK 64
#define VM_LOCALS 16
#define VM_MEM 256

/*
 * The bytecode is assembled by build_program() with the jump targets
 * written beside each block. Locals: 0 n, 1 i, 2 x, 3 steps, 4 total.
 */
static uint32_t image[128];
static int32_t data_mem[VM_MEM];

static uint32_t
build_program(void)
{
	uint32_t len = 0;

#define EMIT(op, imm) (image[len++] = OP(op, imm))
	/* 0: i := 1; total := 0 */
	EMIT(VM_PUSH, 1), EMIT(VM_SET, 1), EMIT(VM_PUSH, 0), EMIT(VM_SET, 4);
	/* 4 loop_i: if !(i > n) continue else halt */
	EMIT(VM_GET, 1), EMIT(VM_GET, 0), EMIT(VM_GT, 0), EMIT(VM_PUSH, 0);
	EMIT(VM_EQ, 0), EMIT(VM_JZ, 52);
	/* 10: x := i; steps := 0 */
	EMIT(VM_GET, 1), EMIT(VM_SET, 2), EMIT(VM_PUSH, 0), EMIT(VM_SET, 3);
	/* 14 loop_c: if x == 1 goto done_c (36) */
	EMIT(VM_GET, 2), EMIT(VM_PUSH, 1), EMIT(VM_EQ, 0), EMIT(VM_PUSH, 0);
	EMIT(VM_EQ, 0), EMIT(VM_JZ, 36);
	/* 20: if (x & 1) == 0 goto even (30) */
	EMIT(VM_GET, 2), EMIT(VM_PUSH, 1), EMIT(VM_AND, 0), EMIT(VM_JZ, 30);
	/* 24: push 3x + 1; goto next (33) */
	EMIT(VM_GET, 2), EMIT(VM_PUSH, 3), EMIT(VM_MUL, 0), EMIT(VM_PUSH, 1);
	EMIT(VM_ADD, 0), EMIT(VM_JMP, 33);
	/* 30 even: push x >> 1 */
	EMIT(VM_GET, 2), EMIT(VM_PUSH, 1), EMIT(VM_SHR, 0);
	/* 33 next: x := the value pushed; steps += 1; goto loop_c */
	EMIT(VM_SET, 2), EMIT(VM_INC, 3), EMIT(VM_JMP, 14);
	/* 36 done_c: mem[steps & 255] := mem[steps & 255] + 1 */
	EMIT(VM_GET, 3), EMIT(VM_PUSH, 255), EMIT(VM_AND, 0);
	EMIT(VM_GET, 3), EMIT(VM_PUSH, 255), EMIT(VM_AND, 0), EMIT(VM_LOADM, 0);
	EMIT(VM_PUSH, 1), EMIT(VM_ADD, 0), EMIT(VM_STOREM, 0);
	/* 46: total := total + steps; i += 1; goto loop_i */
	EMIT(VM_GET, 4), EMIT(VM_GET, 3), EMIT(VM_ADD, 0), EMIT(VM_SET, 4);
	EMIT(VM_INC, 1), EMIT(VM_JMP, 4);
	/* 52: halt with total */
	EMIT(VM_GET, 4), EMIT(VM_HALT, 0);
#undef EMIT
	return len;
}

static int32_t
vm_execute(const uint32_t *code, int32_t *locals, int32_t *mem)
{
	int32_t stack[VM_STACK];
	int32_t sp = 0;
	uint32_t pc = 0;

	for (;;) {
		uint32_t insn = code[pc++];
		int32_t imm = (int32_t)insn >> 8;
		int32_t a, b;

		switch (insn & 0xff) {
		case VM_HALT: return stack[sp - 1];
		case VM_PUSH: stack[sp++] = imm; break;
		case VM_GET: stack[sp++] = locals[imm]; break;
		case VM_SET: locals[imm] = stack[--sp]; break;
		case VM_INC: locals[imm]++; break;
		case VM_ADD:
			b = stack[--sp], a = stack[--sp];
			stack[sp++] = (int32_t)((uint32_t)a + (uint32_t)b);
			break;
		case VM_SUB:
			b = stack[--sp], a = stack[--sp];
			stack[sp++] = (int32_t)((uint32_t)a - (uint32_t)b);
			break;
		case VM_MUL:
			b = stack[--sp], a = stack[--sp];
			stack[sp++] = (int32_t)((uint32_t)a * (uint32_t)b);
			break;
		case VM_AND:
			b = stack[--sp], a = stack[--sp];
			stack[sp++] = a & b;
			break;
		case VM_SHR:
			b = stack[--sp], a = stack[--sp];
			stack[sp++] = (int32_t)((uint32_t)a >> (b & 31));
			break;
		case VM_EQ:
			b = stack[--sp], a = stack[--sp];
			stack[sp++] = a == b;
			break;
		case VM_GT:
			b = stack[--sp], a = stack[--sp];
			stack[sp++] = a > b;
			break;
		case VM_JMP: pc = (uint32_t)imm; break;
		case VM_JZ:
			if (stack[--sp] == 0)
				pc = (uint32_t)imm;
			break;
		case VM_LOADM:
			a = stack[--sp];
			stack[sp++] = mem[(uint32_t)a % VM_MEM];
			break;
		case VM_STOREM:
			b = stack[--sp], a = stack[--sp];
			mem[(uint32_t)a % VM_MEM] = b;
			break;
		default: return -1; /* a bad opcode: the checksum shows it */
		}
	}
}

uint32_t
run(int32_t n)
{
	int32_t locals[VM_LOCALS] = {0};
	uint32_t h = BENCH_CHECKSUM_SEED;
	uint32_t len = build_program();

	for (int i = 0; i < VM_MEM; i++)
		data_mem[i] = 0;
	locals[0] = n;
	h = bench_mix(h, len);
	h = bench_mix(h, (uint32_t)vm_execute(image, locals, data_mem));
	for (int i = 0; i < VM_MEM; i++)
		h = bench_mix(h, (uint32_t)data_mem[i]);
	return h;
}

BENCH_SIZES(40000, 1000)
