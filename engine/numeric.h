/* SPDX-License-Identifier: Apache-2.0 */
/*
 * numeric.h: the exact WebAssembly semantics of the numeric instructions
 * that C does not give directly (division and truncation traps, saturating
 * truncation, float min/max/copysign with the spec's NaN and signed-zero
 * rules, rotations, shifts that mask their count, sign extension).
 *
 * Private to engine/; included by interp.c, whose handlers opcodes.def names
 * after these functions. Integers are computed as unsigned C types (wasm's
 * wrap-around), floats as float/double (x86_64 SSE: no excess precision;
 * never build with -ffast-math). Operations that must keep NaN payloads
 * untouched (abs, neg, copysign) work on the raw bits.
 */
#ifndef WE_NUMERIC_H
#define WE_NUMERIC_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <wasmd/engine.h>

/* ---- Bits <-> floats ---------------------------------------------------- */

static inline float
wxn_f32_of(uint32_t bits)
{
	float f;
	memcpy(&f, &bits, 4);
	return f;
}

static inline double
wxn_f64_of(uint64_t bits)
{
	double d;
	memcpy(&d, &bits, 8);
	return d;
}

static inline uint32_t
wxn_bits32(float f)
{
	uint32_t b;
	memcpy(&b, &f, 4);
	return b;
}

static inline uint64_t
wxn_bits64(double d)
{
	uint64_t b;
	memcpy(&b, &d, 8);
	return b;
}

/* ---- Generic operators (any of the four number types) ----------------- */

#define wxn_id(a) (a)
#define wxn_add(a, b) ((a) + (b))
#define wxn_sub(a, b) ((a) - (b))
#define wxn_mul(a, b) ((a) * (b))
#define wxn_fdiv(a, b) ((a) / (b))
#define wxn_and(a, b) ((a) & (b))
#define wxn_or(a, b) ((a) | (b))
#define wxn_xor(a, b) ((a) ^ (b))
#define wxn_feq(a, b) ((uint32_t)((a) == (b)))
#define wxn_fne(a, b) ((uint32_t)((a) != (b)))
#define wxn_flt(a, b) ((uint32_t)((a) < (b)))
#define wxn_fgt(a, b) ((uint32_t)((a) > (b)))
#define wxn_fle(a, b) ((uint32_t)((a) <= (b)))
#define wxn_fge(a, b) ((uint32_t)((a) >= (b)))

/* ---- i32 ---------------------------------------------------------------- */

#define wxn_eqz32(a) ((uint32_t)((a) == 0))
#define wxn_eq32(a, b) ((uint32_t)((a) == (b)))
#define wxn_ne32(a, b) ((uint32_t)((a) != (b)))
#define wxn_lt_s32(a, b) ((uint32_t)((int32_t)(a) < (int32_t)(b)))
#define wxn_lt_u32(a, b) ((uint32_t)((a) < (b)))
#define wxn_gt_s32(a, b) ((uint32_t)((int32_t)(a) > (int32_t)(b)))
#define wxn_gt_u32(a, b) ((uint32_t)((a) > (b)))
#define wxn_le_s32(a, b) ((uint32_t)((int32_t)(a) <= (int32_t)(b)))
#define wxn_le_u32(a, b) ((uint32_t)((a) <= (b)))
#define wxn_ge_s32(a, b) ((uint32_t)((int32_t)(a) >= (int32_t)(b)))
#define wxn_ge_u32(a, b) ((uint32_t)((a) >= (b)))
#define wxn_clz32(a) ((a) == 0 ? 32u : (uint32_t)__builtin_clz(a))
#define wxn_ctz32(a) ((a) == 0 ? 32u : (uint32_t)__builtin_ctz(a))
#define wxn_popcnt32(a) ((uint32_t)__builtin_popcount(a))
#define wxn_shl32(a, b) ((a) << ((b)&31))
#define wxn_shr_s32(a, b) ((uint32_t)((int32_t)(a) >> ((b)&31)))
#define wxn_shr_u32(a, b) ((a) >> ((b)&31))
#define wxn_ext8_32(a) ((uint32_t)(int32_t)(int8_t)(a))
#define wxn_ext16_32(a) ((uint32_t)(int32_t)(int16_t)(a))

static inline uint32_t
wxn_rotl32(uint32_t a, uint32_t b)
{
	b &= 31;
	return b == 0 ? a : (a << b) | (a >> (32 - b));
}

static inline uint32_t
wxn_rotr32(uint32_t a, uint32_t b)
{
	b &= 31;
	return b == 0 ? a : (a >> b) | (a << (32 - b));
}

static inline we_trap_kind
wxn_div_s32(uint32_t a, uint32_t b, uint32_t *r)
{
	if (b == 0)
		return WE_TRAP_DIV_BY_ZERO;
	if (a == 0x80000000u && b == 0xffffffffu)
		return WE_TRAP_INTEGER_OVERFLOW;
	*r = (uint32_t)((int32_t)a / (int32_t)b);
	return WE_TRAP_NONE;
}

static inline we_trap_kind
wxn_div_u32(uint32_t a, uint32_t b, uint32_t *r)
{
	if (b == 0)
		return WE_TRAP_DIV_BY_ZERO;
	*r = a / b;
	return WE_TRAP_NONE;
}

static inline we_trap_kind
wxn_rem_s32(uint32_t a, uint32_t b, uint32_t *r)
{
	if (b == 0)
		return WE_TRAP_DIV_BY_ZERO;
	/* INT_MIN % -1 is 0 in wasm but undefined (and a fault) in C. */
	*r = b == 0xffffffffu ? 0 : (uint32_t)((int32_t)a % (int32_t)b);
	return WE_TRAP_NONE;
}

static inline we_trap_kind
wxn_rem_u32(uint32_t a, uint32_t b, uint32_t *r)
{
	if (b == 0)
		return WE_TRAP_DIV_BY_ZERO;
	*r = a % b;
	return WE_TRAP_NONE;
}

/* ---- i64 ---------------------------------------------------------------- */

#define wxn_eqz64(a) ((uint32_t)((a) == 0))
#define wxn_eq64(a, b) ((uint32_t)((a) == (b)))
#define wxn_ne64(a, b) ((uint32_t)((a) != (b)))
#define wxn_lt_s64(a, b) ((uint32_t)((int64_t)(a) < (int64_t)(b)))
#define wxn_lt_u64(a, b) ((uint32_t)((a) < (b)))
#define wxn_gt_s64(a, b) ((uint32_t)((int64_t)(a) > (int64_t)(b)))
#define wxn_gt_u64(a, b) ((uint32_t)((a) > (b)))
#define wxn_le_s64(a, b) ((uint32_t)((int64_t)(a) <= (int64_t)(b)))
#define wxn_le_u64(a, b) ((uint32_t)((a) <= (b)))
#define wxn_ge_s64(a, b) ((uint32_t)((int64_t)(a) >= (int64_t)(b)))
#define wxn_ge_u64(a, b) ((uint32_t)((a) >= (b)))
#define wxn_clz64(a) ((a) == 0 ? 64u : (uint64_t)__builtin_clzll(a))
#define wxn_ctz64(a) ((a) == 0 ? 64u : (uint64_t)__builtin_ctzll(a))
#define wxn_popcnt64(a) ((uint64_t)__builtin_popcountll(a))
#define wxn_shl64(a, b) ((a) << ((b)&63))
#define wxn_shr_s64(a, b) ((uint64_t)((int64_t)(a) >> ((b)&63)))
#define wxn_shr_u64(a, b) ((a) >> ((b)&63))
#define wxn_ext8_64(a) ((uint64_t)(int64_t)(int8_t)(a))
#define wxn_ext16_64(a) ((uint64_t)(int64_t)(int16_t)(a))
#define wxn_ext32_64(a) ((uint64_t)(int64_t)(int32_t)(a))
#define wxn_wrap(a) ((uint32_t)(a))
#define wxn_extend_s(a) ((uint64_t)(int64_t)(int32_t)(a))
#define wxn_extend_u(a) ((uint64_t)(a))

static inline uint64_t
wxn_rotl64(uint64_t a, uint64_t b)
{
	b &= 63;
	return b == 0 ? a : (a << b) | (a >> (64 - b));
}

static inline uint64_t
wxn_rotr64(uint64_t a, uint64_t b)
{
	b &= 63;
	return b == 0 ? a : (a >> b) | (a << (64 - b));
}

static inline we_trap_kind
wxn_div_s64(uint64_t a, uint64_t b, uint64_t *r)
{
	if (b == 0)
		return WE_TRAP_DIV_BY_ZERO;
	if (a == 0x8000000000000000ull && b == UINT64_MAX)
		return WE_TRAP_INTEGER_OVERFLOW;
	*r = (uint64_t)((int64_t)a / (int64_t)b);
	return WE_TRAP_NONE;
}

static inline we_trap_kind
wxn_div_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	if (b == 0)
		return WE_TRAP_DIV_BY_ZERO;
	*r = a / b;
	return WE_TRAP_NONE;
}

static inline we_trap_kind
wxn_rem_s64(uint64_t a, uint64_t b, uint64_t *r)
{
	if (b == 0)
		return WE_TRAP_DIV_BY_ZERO;
	*r = b == UINT64_MAX ? 0 : (uint64_t)((int64_t)a % (int64_t)b);
	return WE_TRAP_NONE;
}

static inline we_trap_kind
wxn_rem_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	if (b == 0)
		return WE_TRAP_DIV_BY_ZERO;
	*r = a % b;
	return WE_TRAP_NONE;
}

/* ---- Floats ------------------------------------------------------------- */

#define wxn_fabs32(a) ((a)&0x7fffffffu)
#define wxn_fneg32(a) ((a) ^ 0x80000000u)
#define wxn_copysign32(a, b) (((a)&0x7fffffffu) | ((b)&0x80000000u))
#define wxn_fabs64(a) ((a)&0x7fffffffffffffffull)
#define wxn_fneg64(a) ((a) ^ 0x8000000000000000ull)
#define wxn_copysign64(a, b)                                                   \
	(((a)&0x7fffffffffffffffull) | ((b)&0x8000000000000000ull))

/*
 * Rounding: libm returns a signalling NaN unchanged, but wasm wants an
 * arithmetic (quiet) NaN, which a + a produces.
 */
#define WXN_ROUNDING(name, T, fn)                                              \
	static inline T name(T a)                                              \
	{                                                                      \
		return a != a ? a + a : fn(a);                                 \
	}
WXN_ROUNDING(wxn_ceil32, float, ceilf)
WXN_ROUNDING(wxn_floor32, float, floorf)
WXN_ROUNDING(wxn_trunc32, float, truncf)
WXN_ROUNDING(wxn_nearest32, float, nearbyintf)
WXN_ROUNDING(wxn_ceil64, double, ceil)
WXN_ROUNDING(wxn_floor64, double, floor)
WXN_ROUNDING(wxn_trunc64, double, trunc)
WXN_ROUNDING(wxn_nearest64, double, nearbyint)

/* The result's C type converts the integer with one rounding. */
#define wxn_cvt_s32(a) ((int32_t)(a))
#define wxn_cvt_u32(a) ((uint32_t)(a))
#define wxn_cvt_s64(a) ((int64_t)(a))
#define wxn_cvt_u64(a) ((uint64_t)(a))
#define wxn_demote(a) ((float)(a))
#define wxn_promote(a) ((double)(a))

/*
 * min/max: NaN if either operand is NaN (a + b yields an arithmetic NaN
 * built from the operands), and -0 is below +0.
 */
static inline float
wxn_fmin32(float a, float b)
{
	if (a != a || b != b)
		return a + b;
	if (a == 0 && b == 0)
		return signbit(a) ? a : b;
	return a < b ? a : b;
}

static inline float
wxn_fmax32(float a, float b)
{
	if (a != a || b != b)
		return a + b;
	if (a == 0 && b == 0)
		return signbit(a) ? b : a;
	return a > b ? a : b;
}

static inline double
wxn_fmin64(double a, double b)
{
	if (a != a || b != b)
		return a + b;
	if (a == 0 && b == 0)
		return signbit(a) ? a : b;
	return a < b ? a : b;
}

static inline double
wxn_fmax64(double a, double b)
{
	if (a != a || b != b)
		return a + b;
	if (a == 0 && b == 0)
		return signbit(a) ? b : a;
	return a > b ? a : b;
}

/*
 * Trapping truncation. Every f32 is exact as a double, so one double
 * version serves both source types. The bounds are the first values out of
 * range after truncation toward zero.
 */
static inline we_trap_kind
wxn_trunc_s32(double x, uint32_t *r)
{
	if (x != x)
		return WE_TRAP_INVALID_CONVERSION;
	if (!(x > -2147483649.0 && x < 2147483648.0))
		return WE_TRAP_INTEGER_OVERFLOW;
	*r = (uint32_t)(int32_t)x;
	return WE_TRAP_NONE;
}

static inline we_trap_kind
wxn_trunc_u32(double x, uint32_t *r)
{
	if (x != x)
		return WE_TRAP_INVALID_CONVERSION;
	if (!(x > -1.0 && x < 4294967296.0))
		return WE_TRAP_INTEGER_OVERFLOW;
	*r = (uint32_t)x;
	return WE_TRAP_NONE;
}

static inline we_trap_kind
wxn_trunc_s64(double x, uint64_t *r)
{
	if (x != x)
		return WE_TRAP_INVALID_CONVERSION;
	if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
		return WE_TRAP_INTEGER_OVERFLOW;
	*r = (uint64_t)(int64_t)x;
	return WE_TRAP_NONE;
}

static inline we_trap_kind
wxn_trunc_u64(double x, uint64_t *r)
{
	if (x != x)
		return WE_TRAP_INVALID_CONVERSION;
	if (!(x > -1.0 && x < 18446744073709551616.0))
		return WE_TRAP_INTEGER_OVERFLOW;
	*r = (uint64_t)x;
	return WE_TRAP_NONE;
}

/* Saturating truncation: NaN is 0, out of range clamps. */
static inline uint32_t
wxn_sat_s32(double x)
{
	if (x != x)
		return 0;
	if (x <= -2147483649.0)
		return 0x80000000u;
	if (x >= 2147483648.0)
		return 0x7fffffffu;
	return (uint32_t)(int32_t)x;
}

static inline uint32_t
wxn_sat_u32(double x)
{
	if (x != x || x <= -1.0)
		return 0;
	if (x >= 4294967296.0)
		return 0xffffffffu;
	return (uint32_t)x;
}

static inline uint64_t
wxn_sat_s64(double x)
{
	if (x != x)
		return 0;
	if (x < -9223372036854775808.0)
		return 0x8000000000000000ull;
	if (x >= 9223372036854775808.0)
		return 0x7fffffffffffffffull;
	return (uint64_t)(int64_t)x;
}

static inline uint64_t
wxn_sat_u64(double x)
{
	if (x != x || x <= -1.0)
		return 0;
	if (x >= 18446744073709551616.0)
		return UINT64_MAX;
	return (uint64_t)x;
}

#endif /* WE_NUMERIC_H */
