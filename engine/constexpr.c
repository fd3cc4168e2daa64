/* SPDX-License-Identifier: Apache-2.0 */
/*
 * constexpr.c: evaluation of the extended constant expressions of
 * WebAssembly 3.0 (WM_CONST_EXPR: constants, ref.null, ref.func,
 * global.get, i32/i64 add, sub and mul, and GC's ref.i31, struct.new,
 * array.new and the extern/any conversions) when a module is
 * instantiated. The GC objects it makes are charged to the store like
 * any (gc.c): past its limit, instantiation fails.
 *
 * Private to engine/. The decoder has validated the expression (types,
 * global indices, at most WM_CONSTEXPR_MAX_DEPTH operands, none a v128),
 * so this only computes: the reads cannot fail on bytes that decoded
 * once.
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

/* Skips a heap type (an s33) in r. */
static void
skip_heaptype(wrd_reader *r)
{
	int64_t h;

	wrd_s64(r, &h);
}

/* A GC instruction's (0xfb sub) work on the stack of n values; the new
 * height, or UINT32_MAX with s->trap set when an object does not fit. */
static uint32_t
const_gc(const we_instance *inst, wrd_reader *r, wr_value *stack, uint32_t n)
{
	we_store *s = inst->store;
	uint32_t sub, x, k;
	wr_gcobj *o = NULL;
	bool ok = true;

	wrd_u32(r, &sub);
	switch (sub) {
	case 0x1c: /* ref.i31 */
		stack[n - 1].ref = wr_i31_ref(stack[n - 1].i32);
		return n;
	case 0x1a: /* any.convert_extern */
		stack[n - 1].ref =
		    wr_any_convert_extern(s, stack[n - 1].ref, &ok);
		return ok ? n : UINT32_MAX;
	case 0x1b: /* extern.convert_any */
		stack[n - 1].ref =
		    wr_extern_convert_any(s, stack[n - 1].ref, &ok);
		return ok ? n : UINT32_MAX;
	}
	wrd_u32(r, &x);
	switch (sub) {
	case 0x00: /* struct.new */
		k = inst->module->types[x].nparams;
		n -= k;
		o = wr_struct_new(s, inst, x, &stack[n]);
		break;
	case 0x01: o = wr_struct_new(s, inst, x, NULL); break;
	case 0x06: /* array.new: init, n */
		n -= 2;
		o = wr_array_new(s, inst, x, stack[n + 1].i32, &stack[n], NULL);
		break;
	case 0x07: /* array.new_default: n */
		n -= 1;
		o = wr_array_new(s, inst, x, stack[n].i32, NULL, NULL);
		break;
	default: /* 0x08, array.new_fixed: k values */
		wrd_u32(r, &k);
		n -= k;
		o = wr_array_new(s, inst, x, k, NULL, &stack[n]);
		break;
	}
	if (o == NULL)
		return UINT32_MAX;
	stack[n].ref = o;
	return n + 1;
}

uint64_t
wm_constexpr_eval(const we_instance *inst, const wm_constexpr *e, bool *ok)
{
	wr_value stack[WM_CONSTEXPR_MAX_DEPTH];
	const we_module *m = inst->module;
	uint32_t n = 0, x;
	wrd_reader r;
	int32_t i32;
	int64_t i64;
	uint8_t op;

	*ok = true;
	wrd_init(&r, m->bytes, e->expr, m->bytes + m->len, NULL);
	while (wrd_u8(&r, &op) && op != WXC_END) {
		switch (op) {
		case WXC_I32_CONST:
			wrd_s32(&r, &i32);
			stack[n++].i64 = (uint32_t)i32;
			break;
		case WXC_I64_CONST:
			wrd_s64(&r, &i64);
			stack[n++].i64 = (uint64_t)i64;
			break;
		case WXC_F32_CONST:
			stack[n].i64 = 0;
			wrd_f32(&r, &stack[n++].f32);
			break;
		case WXC_F64_CONST: wrd_f64(&r, &stack[n++].f64); break;
		case WXC_REF_NULL:
			skip_heaptype(&r);
			stack[n++].ref = NULL;
			break;
		case WXC_REF_FUNC:
			wrd_u32(&r, &x);
			stack[n++].ref = inst->funcs[x];
			break;
		case WXC_GLOBAL_GET:
			wrd_u32(&r, &x);
			stack[n++] = inst->globals[x]->value;
			break;
		case 0xfb:
			n = const_gc(inst, &r, stack, n);
			if (n == UINT32_MAX) {
				*ok = false;
				return 0;
			}
			break;
		default:
			n--;
			stack[n - 1].i64 =
			    const_binop(op, stack[n - 1].i64, stack[n].i64);
			break;
		}
	}
	return stack[0].i64;
}
