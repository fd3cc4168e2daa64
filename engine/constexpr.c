/* SPDX-License-Identifier: Apache-2.0 */
/*
 * constexpr.c: evaluation of the extended constant expressions of
 * WebAssembly 3.0 (WM_CONST_EXPR: i32/i64 constants, global.get,
 * i32/i64 add, sub and mul, and GC's ref.i31) when a module is instantiated.
 *
 * Private to engine/. The decoder has validated the expression (types,
 * global indices, at most WM_CONSTEXPR_MAX_DEPTH operands), so this only
 * computes: the reads cannot fail on bytes that decoded once.
 */
#include "code.h"
#include "reader.h"

/* The operation of op on a and b, as i32 (wrapping) or i64. */
static uint64_t
const_binop(uint8_t op, uint64_t a, uint64_t b)
{
	switch (op) {
	case WXC_I32_ADD: return (uint32_t)(a + b);
	case WXC_I32_SUB: return (uint32_t)(a - b);
	case WXC_I32_MUL: return (uint32_t)((uint32_t)a * (uint32_t)b);
	case WXC_I64_ADD: return a + b;
	case WXC_I64_SUB: return a - b;
	default: return a * b; /* WXC_I64_MUL */
	}
}

uint64_t
wm_constexpr_eval(const we_instance *inst, const wm_constexpr *e)
{
	uint64_t stack[WM_CONSTEXPR_MAX_DEPTH];
	const we_module *m = inst->module;
	uint32_t n = 0, x;
	wrd_reader r;
	int32_t i32;
	int64_t i64;
	uint8_t op;

	wrd_init(&r, m->bytes, e->expr, m->bytes + m->len, NULL);
	while (wrd_u8(&r, &op) && op != WXC_END) {
		switch (op) {
		case WXC_I32_CONST:
			wrd_s32(&r, &i32);
			stack[n++] = (uint32_t)i32;
			break;
		case WXC_I64_CONST:
			wrd_s64(&r, &i64);
			stack[n++] = (uint64_t)i64;
			break;
		case WXC_GLOBAL_GET:
			wrd_u32(&r, &x);
			stack[n++] = inst->globals[x]->value.i64;
			break;
		case 0xfb: /* ref.i31, the one the decoder lets through */
			wrd_u32(&r, &x);
			stack[n - 1] =
			    (uintptr_t)wr_i31_ref((uint32_t)stack[n - 1]);
			break;
		default:
			n--;
			stack[n - 1] = const_binop(op, stack[n - 1], stack[n]);
			break;
		}
	}
	return stack[0];
}
