/* SPDX-License-Identifier: Apache-2.0 */
/*
 * simd.c: the lane semantics of every SIMD instruction (the WX_VOP, WX_VLD
 * and WX_VST rows of opcodes.def), one function wxs_N per row; simd.h says
 * where each finds its operands.
 *
 * Portable C: a v128 is a union of lane arrays, little-endian like wasm
 * memory, and every operation is a loop over lanes that the C compiler may
 * vectorise. Integer lanes compute in unsigned types (wrapping, no
 * undefined behaviour); float lanes use C's float and double, with the
 * NaN rules of the scalar instructions (numeric.h). The relaxed SIMD
 * instructions each have one fixed behaviour, listed in engine.h, so a
 * result never depends on the host CPU.
 */
#include <math.h>
#include <string.h>

#include "numeric.h"
#include "simd.h"

typedef union v128 {
	uint8_t u8[16];
	int8_t i8[16];
	uint16_t u16[8];
	int16_t i16[8];
	uint32_t u32[4];
	int32_t i32[4];
	uint64_t u64[2];
	int64_t i64[2];
	float f32[4];
	double f64[2];
} v128;

_Static_assert(sizeof(v128) == 2 * sizeof(wr_value), "a v128 is two slots");

/* Slots are only 8-byte aligned: copy in and out. */
static inline v128
get(const wr_value *fp, uint32_t s)
{
	v128 v;

	memcpy(&v, fp + s, sizeof v);
	return v;
}

static inline void
put(wr_value *fp, uint32_t s, v128 v)
{
	memcpy(fp + s, &v, sizeof v);
}

#define LANES(n) for (unsigned i = 0; i < (n); i++)

/* An operation of one, two or three v128 operands into r. */
#define VUN(N, body)                                                           \
	void wxs_##N(wr_value *fp, const wx_insn *ip)                          \
	{                                                                      \
		v128 x = get(fp, ip->b), r;                                    \
		body;                                                          \
		put(fp, ip->a, r);                                             \
	}
#define VBIN(N, body)                                                          \
	void wxs_##N(wr_value *fp, const wx_insn *ip)                          \
	{                                                                      \
		v128 x = get(fp, ip->b), y = get(fp, ip->c), r;                \
		body;                                                          \
		put(fp, ip->a, r);                                             \
	}
#define VTERN(N, body)                                                         \
	void wxs_##N(wr_value *fp, const wx_insn *ip)                          \
	{                                                                      \
		v128 x = get(fp, ip->b), y = get(fp, ip->c),                   \
		     z = get(fp, ip->d), r;                                    \
		body;                                                          \
		put(fp, ip->a, r);                                             \
	}
/* A shift: count k (the i32 operand modulo the lane width). */
#define VSHIFT(N, bits, body)                                                  \
	void wxs_##N(wr_value *fp, const wx_insn *ip)                          \
	{                                                                      \
		v128 x = get(fp, ip->b), r;                                    \
		unsigned k = fp[ip->c].i32 & ((bits)-1);                       \
		body;                                                          \
		put(fp, ip->a, r);                                             \
	}
/* An i32 result of one v128. */
#define VTEST(N, expr)                                                         \
	void wxs_##N(wr_value *fp, const wx_insn *ip)                          \
	{                                                                      \
		v128 x = get(fp, ip->b);                                       \
		uint32_t r = 0;                                                \
		expr;                                                          \
		fp[ip->a].i32 = r;                                             \
	}

/* Lane by lane: r.F[i] := expr (of x.F[i], y.F[i], z.F[i]). */
#define MAP1(N, F, n, expr) VUN(N, LANES(n) r.F[i] = (expr))
/* The same for the low n lanes of r, the others zero (the _zero forms). */
#define MAP1Z(N, F, n, expr)                                                   \
	VUN(N, memset(&r, 0, sizeof r); LANES(n) r.F[i] = (expr))
#define MAP2(N, F, n, expr) VBIN(N, LANES(n) r.F[i] = (expr))
/* A comparison: all ones in lane i (field M) when x.F[i] op y.F[i]. */
#define CMP(N, F, M, n, op)                                                    \
	VBIN(N, LANES(n) r.M[i] = -(uint64_t)(x.F[i] op y.F[i]))

/* ---- Constructing and taking apart ------------------------------------ */

#define SPLAT(N, F, n, field)                                                  \
	void wxs_##N(wr_value *fp, const wx_insn *ip)                          \
	{                                                                      \
		v128 r;                                                        \
		LANES(n) r.F[i] = fp[ip->b].field;                             \
		put(fp, ip->a, r);                                             \
	}
SPLAT(I8X16_SPLAT, u8, 16, i32)
SPLAT(I16X8_SPLAT, u16, 8, i32)
SPLAT(I32X4_SPLAT, u32, 4, i32)
SPLAT(I64X2_SPLAT, u64, 2, i64)
SPLAT(F32X4_SPLAT, u32, 4, f32) /* the bits: NaN payloads stay */
SPLAT(F64X2_SPLAT, u64, 2, f64)

/* fp[a].field := lane d of x as field's type (T converts it first). */
#define EXTRACT(N, F, field, T)                                                \
	void wxs_##N(wr_value *fp, const wx_insn *ip)                          \
	{                                                                      \
		v128 x = get(fp, ip->b);                                       \
		fp[ip->a].field = (T)x.F[ip->d];                               \
	}
EXTRACT(I8X16_EXTRACT_LANE_S, i8, i32, int32_t)
EXTRACT(I8X16_EXTRACT_LANE_U, u8, i32, uint32_t)
EXTRACT(I16X8_EXTRACT_LANE_S, i16, i32, int32_t)
EXTRACT(I16X8_EXTRACT_LANE_U, u16, i32, uint32_t)
EXTRACT(I32X4_EXTRACT_LANE, u32, i32, uint32_t)
EXTRACT(I64X2_EXTRACT_LANE, u64, i64, uint64_t)
EXTRACT(F32X4_EXTRACT_LANE, u32, f32, uint32_t)
EXTRACT(F64X2_EXTRACT_LANE, u64, f64, uint64_t)

/* x with lane d := fp[c].field, truncated to the lane. */
#define REPLACE(N, F, field)                                                   \
	void wxs_##N(wr_value *fp, const wx_insn *ip)                          \
	{                                                                      \
		v128 x = get(fp, ip->b);                                       \
		x.F[ip->d] = fp[ip->c].field;                                  \
		put(fp, ip->a, x);                                             \
	}
REPLACE(I8X16_REPLACE_LANE, u8, i32)
REPLACE(I16X8_REPLACE_LANE, u16, i32)
REPLACE(I32X4_REPLACE_LANE, u32, i32)
REPLACE(I64X2_REPLACE_LANE, u64, i64)
REPLACE(F32X4_REPLACE_LANE, u32, f32)
REPLACE(F64X2_REPLACE_LANE, u64, f64)

/* Lanes of x chosen by y; an index of 16 or more gives 0. */
MAP2(I8X16_SWIZZLE, u8, 16, y.u8[i] < 16 ? x.u8[y.u8[i]] : 0)
/* Relaxed: the same as i8x16.swizzle. */
MAP2(I8X16_RELAXED_SWIZZLE, u8, 16, y.u8[i] < 16 ? x.u8[y.u8[i]] : 0)

void
wxs_shuffle(wr_value *fp, const wx_insn *ip)
{
	uint8_t both[32]; /* x then y: every index (below 32) is a byte */
	const uint8_t *lane = (const uint8_t *)&ip[1] + offsetof(wx_insn, a);
	v128 r;

	memcpy(both, fp + ip->b, 16);
	memcpy(both + 16, fp + ip->c, 16);
	LANES(16) r.u8[i] = both[lane[i] & 31];
	put(fp, ip->a, r);
}

/* ---- Comparisons -------------------------------------------------------- */

#define ICMPS(P, S, U, n)                                                      \
	CMP(P##_EQ, U, U, n, ==)                                               \
	CMP(P##_NE, U, U, n, !=)                                               \
	CMP(P##_LT_S, S, U, n, <)                                              \
	CMP(P##_GT_S, S, U, n, >)                                              \
	CMP(P##_LE_S, S, U, n, <=)                                             \
	CMP(P##_GE_S, S, U, n, >=)
#define ICMPU(P, U, n)                                                         \
	CMP(P##_LT_U, U, U, n, <)                                              \
	CMP(P##_GT_U, U, U, n, >)                                              \
	CMP(P##_LE_U, U, U, n, <=)                                             \
	CMP(P##_GE_U, U, U, n, >=)
ICMPS(I8X16, i8, u8, 16)
ICMPU(I8X16, u8, 16)
ICMPS(I16X8, i16, u16, 8)
ICMPU(I16X8, u16, 8)
ICMPS(I32X4, i32, u32, 4)
ICMPU(I32X4, u32, 4)
ICMPS(I64X2, i64, u64, 2)
/* Floats: C's comparisons are false on NaN (!= true). */
#define FCMP(P, F, U, n)                                                       \
	CMP(P##_EQ, F, U, n, ==)                                               \
	CMP(P##_NE, F, U, n, !=)                                               \
	CMP(P##_LT, F, U, n, <)                                                \
	CMP(P##_GT, F, U, n, >)                                                \
	CMP(P##_LE, F, U, n, <=)                                               \
	CMP(P##_GE, F, U, n, >=)
FCMP(F32X4, f32, u32, 4)
FCMP(F64X2, f64, u64, 2)

/* ---- Bitwise ------------------------------------------------------------ */

MAP1(V128_NOT, u64, 2, ~x.u64[i])
MAP2(V128_AND, u64, 2, x.u64[i] & y.u64[i])
MAP2(V128_ANDNOT, u64, 2, x.u64[i] & ~y.u64[i])
MAP2(V128_OR, u64, 2, x.u64[i] | y.u64[i])
MAP2(V128_XOR, u64, 2, x.u64[i] ^ y.u64[i])
/* Bits of x where z is 1, of y where it is 0. */
#define BITSELECT                                                              \
	LANES(2) r.u64[i] = (x.u64[i] & z.u64[i]) | (y.u64[i] & ~z.u64[i])
VTERN(V128_BITSELECT, BITSELECT)
/* Relaxed laneselect: bit by bit, as v128.bitselect, at every width. */
VTERN(I8X16_RELAXED_LANESELECT, BITSELECT)
VTERN(I16X8_RELAXED_LANESELECT, BITSELECT)
VTERN(I32X4_RELAXED_LANESELECT, BITSELECT)
VTERN(I64X2_RELAXED_LANESELECT, BITSELECT)
VTEST(V128_ANY_TRUE, r = (x.u64[0] | x.u64[1]) != 0)

/* ---- Integer lanes ------------------------------------------------------ */

#define ALL_TRUE(N, F, n) VTEST(N, r = 1; LANES(n) if (x.F[i] == 0) r = 0)
#define BITMASK(N, S, n) VTEST(N, LANES(n) r |= (uint32_t)(x.S[i] < 0) << i)
ALL_TRUE(I8X16_ALL_TRUE, u8, 16)
ALL_TRUE(I16X8_ALL_TRUE, u16, 8)
ALL_TRUE(I32X4_ALL_TRUE, u32, 4)
ALL_TRUE(I64X2_ALL_TRUE, u64, 2)
BITMASK(I8X16_BITMASK, i8, 16)
BITMASK(I16X8_BITMASK, i16, 8)
BITMASK(I32X4_BITMASK, i32, 4)
BITMASK(I64X2_BITMASK, i64, 2)

/* Wrapping arithmetic in U (at least unsigned int wide: no overflow). */
#define IARITH(P, S, U, n, W)                                                  \
	MAP2(P##_ADD, U, n, (W)x.U[i] + y.U[i])                                \
	MAP2(P##_SUB, U, n, (W)x.U[i] - y.U[i])                                \
	MAP1(P##_NEG, U, n, (W)0 - x.U[i])                                     \
	MAP1(P##_ABS, U, n, x.S[i] < 0 ? (W)0 - x.U[i] : x.U[i])               \
	VSHIFT(P##_SHL, 8 * sizeof x.U[0], LANES(n) r.U[i] = (W)x.U[i] << k)   \
	VSHIFT(P##_SHR_S, 8 * sizeof x.U[0], LANES(n) r.S[i] = x.S[i] >> k)    \
	VSHIFT(P##_SHR_U, 8 * sizeof x.U[0], LANES(n) r.U[i] = x.U[i] >> k)
IARITH(I8X16, i8, u8, 16, uint32_t)
IARITH(I16X8, i16, u16, 8, uint32_t)
IARITH(I32X4, i32, u32, 4, uint32_t)
IARITH(I64X2, i64, u64, 2, uint64_t)
#define IMINMAX(P, S, U, n)                                                    \
	MAP2(P##_MIN_S, S, n, x.S[i] < y.S[i] ? x.S[i] : y.S[i])               \
	MAP2(P##_MAX_S, S, n, x.S[i] > y.S[i] ? x.S[i] : y.S[i])               \
	MAP2(P##_MIN_U, U, n, x.U[i] < y.U[i] ? x.U[i] : y.U[i])               \
	MAP2(P##_MAX_U, U, n, x.U[i] > y.U[i] ? x.U[i] : y.U[i])
IMINMAX(I8X16, i8, u8, 16)
IMINMAX(I16X8, i16, u16, 8)
IMINMAX(I32X4, i32, u32, 4)
MAP2(I16X8_MUL, u16, 8, (uint32_t)x.u16[i] * y.u16[i])
MAP2(I32X4_MUL, u32, 4, x.u32[i] * y.u32[i])
MAP2(I64X2_MUL, u64, 2, x.u64[i] * y.u64[i])
MAP2(I8X16_AVGR_U, u8, 16, ((uint32_t)x.u8[i] + y.u8[i] + 1) >> 1)
MAP2(I16X8_AVGR_U, u16, 8, ((uint32_t)x.u16[i] + y.u16[i] + 1) >> 1)
MAP1(I8X16_POPCNT, u8, 16, __builtin_popcount(x.u8[i]))

/* Saturation of int v to [lo, hi]. */
static inline int32_t
clamp(int32_t v, int32_t lo, int32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

#define SATURATING(P, S, U, n, smin, smax, umax)                               \
	MAP2(P##_ADD_SAT_S, S, n, clamp(x.S[i] + y.S[i], smin, smax))          \
	MAP2(P##_SUB_SAT_S, S, n, clamp(x.S[i] - y.S[i], smin, smax))          \
	MAP2(P##_ADD_SAT_U, U, n, clamp(x.U[i] + y.U[i], 0, umax))             \
	MAP2(P##_SUB_SAT_U, U, n, clamp(x.U[i] - y.U[i], 0, umax))
SATURATING(I8X16, i8, u8, 16, INT8_MIN, INT8_MAX, UINT8_MAX)
SATURATING(I16X8, i16, u16, 8, INT16_MIN, INT16_MAX, UINT16_MAX)

/* Narrowing: the signed lanes of x then y, saturated to the narrower. */
#define NARROW(N, F, S, n, lo, hi)                                             \
	VBIN(                                                                  \
	    N, LANES(n) {                                                      \
		    r.F[i] = clamp(x.S[i], lo, hi);                            \
		    r.F[i + (n)] = clamp(y.S[i], lo, hi);                      \
	    })
NARROW(I8X16_NARROW_I16X8_S, i8, i16, 8, INT8_MIN, INT8_MAX)
NARROW(I8X16_NARROW_I16X8_U, u8, i16, 8, 0, UINT8_MAX)
NARROW(I16X8_NARROW_I32X4_S, i16, i32, 4, INT16_MIN, INT16_MAX)
NARROW(I16X8_NARROW_I32X4_U, u16, i32, 4, 0, UINT16_MAX)

/* Widening: the low or high half (from lane h) of x, each lane extended. */
#define EXTEND(N, F, S, n, h) MAP1(N, F, n, x.S[i + (h)])
EXTEND(I16X8_EXTEND_LOW_I8X16_S, i16, i8, 8, 0)
EXTEND(I16X8_EXTEND_HIGH_I8X16_S, i16, i8, 8, 8)
EXTEND(I16X8_EXTEND_LOW_I8X16_U, u16, u8, 8, 0)
EXTEND(I16X8_EXTEND_HIGH_I8X16_U, u16, u8, 8, 8)
EXTEND(I32X4_EXTEND_LOW_I16X8_S, i32, i16, 4, 0)
EXTEND(I32X4_EXTEND_HIGH_I16X8_S, i32, i16, 4, 4)
EXTEND(I32X4_EXTEND_LOW_I16X8_U, u32, u16, 4, 0)
EXTEND(I32X4_EXTEND_HIGH_I16X8_U, u32, u16, 4, 4)
EXTEND(I64X2_EXTEND_LOW_I32X4_S, i64, i32, 2, 0)
EXTEND(I64X2_EXTEND_HIGH_I32X4_S, i64, i32, 2, 2)
EXTEND(I64X2_EXTEND_LOW_I32X4_U, u64, u32, 2, 0)
EXTEND(I64X2_EXTEND_HIGH_I32X4_U, u64, u32, 2, 2)

/* Extended multiplication of the halves from lane h, in wide type W. */
#define EXTMUL(N, F, S, n, h, W)                                               \
	MAP2(N, F, n, (W)x.S[i + (h)] * (W)y.S[i + (h)])
EXTMUL(I16X8_EXTMUL_LOW_I8X16_S, i16, i8, 8, 0, int32_t)
EXTMUL(I16X8_EXTMUL_HIGH_I8X16_S, i16, i8, 8, 8, int32_t)
EXTMUL(I16X8_EXTMUL_LOW_I8X16_U, u16, u8, 8, 0, uint32_t)
EXTMUL(I16X8_EXTMUL_HIGH_I8X16_U, u16, u8, 8, 8, uint32_t)
EXTMUL(I32X4_EXTMUL_LOW_I16X8_S, i32, i16, 4, 0, int32_t)
EXTMUL(I32X4_EXTMUL_HIGH_I16X8_S, i32, i16, 4, 4, int32_t)
EXTMUL(I32X4_EXTMUL_LOW_I16X8_U, u32, u16, 4, 0, uint32_t)
EXTMUL(I32X4_EXTMUL_HIGH_I16X8_U, u32, u16, 4, 4, uint32_t)
EXTMUL(I64X2_EXTMUL_LOW_I32X4_S, i64, i32, 2, 0, int64_t)
EXTMUL(I64X2_EXTMUL_HIGH_I32X4_S, i64, i32, 2, 2, int64_t)
EXTMUL(I64X2_EXTMUL_LOW_I32X4_U, u64, u32, 2, 0, uint64_t)
EXTMUL(I64X2_EXTMUL_HIGH_I32X4_U, u64, u32, 2, 2, uint64_t)

/* Sums of adjacent lane pairs, each lane extended. */
#define EXTADD(N, F, S, n) MAP1(N, F, n, x.S[2 * i] + x.S[2 * i + 1])
EXTADD(I16X8_EXTADD_PAIRWISE_I8X16_S, i16, i8, 8)
EXTADD(I16X8_EXTADD_PAIRWISE_I8X16_U, u16, u8, 8)
EXTADD(I32X4_EXTADD_PAIRWISE_I16X8_S, i32, i16, 4)
EXTADD(I32X4_EXTADD_PAIRWISE_I16X8_U, u32, u16, 4)

/* (a * b + 2^14) >> 15, saturated: only -1 * -1 in Q15 overflows. */
static inline int16_t
q15mulr(int16_t a, int16_t b)
{
	return (int16_t)clamp((a * b + 0x4000) >> 15, INT16_MIN, INT16_MAX);
}

MAP2(I16X8_Q15MULR_SAT_S, i16, 8, q15mulr(x.i16[i], y.i16[i]))
/* Relaxed: the same as i16x8.q15mulr_sat_s. */
MAP2(I16X8_RELAXED_Q15MULR_S, i16, 8, q15mulr(x.i16[i], y.i16[i]))
/* Pairwise products summed; 2 * 2^30 wraps to INT32_MIN. */
MAP2(I32X4_DOT_I16X8_S, u32, 4,
    (uint32_t)((int64_t)x.i16[2 * i] * y.i16[2 * i] +
        (int64_t)x.i16[2 * i + 1] * y.i16[2 * i + 1]))

/*
 * Relaxed dot products: y's lanes are taken as signed; the pair sums
 * wrap to 16 bits (only -128 * -128 twice, 32768, does) as x86's pmaddubsw
 * would not but the wasm text allows.
 */
static inline int32_t
dot_pair(const v128 *x, const v128 *y, unsigned j)
{
	return x->i8[2 * j] * y->i8[2 * j] +
	    x->i8[2 * j + 1] * y->i8[2 * j + 1];
}

MAP2(I16X8_RELAXED_DOT_I8X16_I7X16_S, u16, 8, (uint32_t)dot_pair(&x, &y, i))
VTERN(I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S,
    LANES(4) r.u32[i] = (uint32_t)(int16_t)dot_pair(&x, &y, 2 * i) +
        (uint32_t)(int16_t)dot_pair(&x, &y, 2 * i + 1) + z.u32[i])

/* ---- Float lanes -------------------------------------------------------- */

#define FARITH(P, F, U, n, sign, min, max, sq, ceil_, floor_, trunc_, near_)   \
	MAP1(P##_ABS, U, n, x.U[i] & ~(sign))                                  \
	MAP1(P##_NEG, U, n, x.U[i] ^ (sign))                                   \
	MAP1(P##_SQRT, F, n, sq(x.F[i]))                                       \
	MAP1(P##_CEIL, F, n, ceil_(x.F[i]))                                    \
	MAP1(P##_FLOOR, F, n, floor_(x.F[i]))                                  \
	MAP1(P##_TRUNC, F, n, trunc_(x.F[i]))                                  \
	MAP1(P##_NEAREST, F, n, near_(x.F[i]))                                 \
	MAP2(P##_ADD, F, n, x.F[i] + y.F[i])                                   \
	MAP2(P##_SUB, F, n, x.F[i] - y.F[i])                                   \
	MAP2(P##_MUL, F, n, x.F[i] * y.F[i])                                   \
	MAP2(P##_DIV, F, n, x.F[i] / y.F[i])                                   \
	MAP2(P##_MIN, F, n, min(x.F[i], y.F[i]))                               \
	MAP2(P##_MAX, F, n, max(x.F[i], y.F[i]))                               \
	/* Relaxed min/max: the same as min/max. */                            \
	MAP2(P##_RELAXED_MIN, F, n, min(x.F[i], y.F[i]))                       \
	MAP2(P##_RELAXED_MAX, F, n, max(x.F[i], y.F[i]))                       \
	/* pmin/pmax: y < x ? y : x, by the bits (NaN x stays x). */           \
	MAP2(P##_PMIN, U, n, y.F[i] < x.F[i] ? y.U[i] : x.U[i])                \
	MAP2(P##_PMAX, U, n, x.F[i] < y.F[i] ? y.U[i] : x.U[i])                \
	/* Relaxed madd: not fused, x * y rounded, then + z rounded. */        \
	VTERN(P##_RELAXED_MADD, LANES(n) r.F[i] = x.F[i] * y.F[i] + z.F[i])    \
	VTERN(P##_RELAXED_NMADD, LANES(n) r.F[i] = -(x.F[i] * y.F[i]) + z.F[i])
FARITH(F32X4, f32, u32, 4, 0x80000000u, wxn_fmin32, wxn_fmax32, sqrtf,
    wxn_ceil32, wxn_floor32, wxn_trunc32, wxn_nearest32)
FARITH(F64X2, f64, u64, 2, 0x8000000000000000ull, wxn_fmin64, wxn_fmax64, sqrt,
    wxn_ceil64, wxn_floor64, wxn_trunc64, wxn_nearest64)

/* ---- Conversions -------------------------------------------------------- */

MAP1(I32X4_TRUNC_SAT_F32X4_S, u32, 4, wxn_sat_s32(x.f32[i]))
MAP1(I32X4_TRUNC_SAT_F32X4_U, u32, 4, wxn_sat_u32(x.f32[i]))
/* Relaxed truncation: saturating, as i32x4.trunc_sat_*. */
MAP1(I32X4_RELAXED_TRUNC_F32X4_S, u32, 4, wxn_sat_s32(x.f32[i]))
MAP1(I32X4_RELAXED_TRUNC_F32X4_U, u32, 4, wxn_sat_u32(x.f32[i]))
/* The _zero forms fill lanes 2 and 3 with zeros. */
MAP1Z(I32X4_TRUNC_SAT_F64X2_S_ZERO, u32, 2, wxn_sat_s32(x.f64[i]))
MAP1Z(I32X4_TRUNC_SAT_F64X2_U_ZERO, u32, 2, wxn_sat_u32(x.f64[i]))
MAP1Z(I32X4_RELAXED_TRUNC_F64X2_S_ZERO, u32, 2, wxn_sat_s32(x.f64[i]))
MAP1Z(I32X4_RELAXED_TRUNC_F64X2_U_ZERO, u32, 2, wxn_sat_u32(x.f64[i]))
MAP1(F32X4_CONVERT_I32X4_S, f32, 4, (float)x.i32[i])
MAP1(F32X4_CONVERT_I32X4_U, f32, 4, (float)x.u32[i])
MAP1(F64X2_CONVERT_LOW_I32X4_S, f64, 2, (double)x.i32[i])
MAP1(F64X2_CONVERT_LOW_I32X4_U, f64, 2, (double)x.u32[i])
MAP1Z(F32X4_DEMOTE_F64X2_ZERO, f32, 2, (float)x.f64[i])
MAP1(F64X2_PROMOTE_LOW_F32X4, f64, 2, (double)x.f32[i])

/* ---- Memory ------------------------------------------------------------- */

/* The effective address of n bytes at fp[s] + c, or false. */
static inline bool
ea_of(const wr_value *fp, uint32_t s, const wx_insn *ip, uint64_t n,
    uint64_t size, uint64_t *ea)
{
	*ea = (uint64_t)fp[s].i32 + ip->c;
	return *ea + n <= size;
}

/* r := the n bytes at the address, then body (with the bytes in m). */
#define VLOAD(N, n, body)                                                      \
	bool wxs_##N(                                                          \
	    wr_value *fp, const wx_insn *ip, uint8_t *mem, uint64_t size)      \
	{                                                                      \
		v128 m, r;                                                     \
		uint64_t ea;                                                   \
		if (!ea_of(fp, ip->b, ip, (n), size, &ea))                     \
			return false;                                          \
		memset(&m, 0, sizeof m);                                       \
		memcpy(&m, mem + ea, (n));                                     \
		body;                                                          \
		put(fp, ip->a, r);                                             \
		return true;                                                   \
	}
VLOAD(V128_LOAD, 16, r = m)
VLOAD(V128_LOAD8X8_S, 8, LANES(8) r.i16[i] = m.i8[i])
VLOAD(V128_LOAD8X8_U, 8, LANES(8) r.u16[i] = m.u8[i])
VLOAD(V128_LOAD16X4_S, 8, LANES(4) r.i32[i] = m.i16[i])
VLOAD(V128_LOAD16X4_U, 8, LANES(4) r.u32[i] = m.u16[i])
VLOAD(V128_LOAD32X2_S, 8, LANES(2) r.i64[i] = m.i32[i])
VLOAD(V128_LOAD32X2_U, 8, LANES(2) r.u64[i] = m.u32[i])
VLOAD(V128_LOAD8_SPLAT, 1, LANES(16) r.u8[i] = m.u8[0])
VLOAD(V128_LOAD16_SPLAT, 2, LANES(8) r.u16[i] = m.u16[0])
VLOAD(V128_LOAD32_SPLAT, 4, LANES(4) r.u32[i] = m.u32[0])
VLOAD(V128_LOAD64_SPLAT, 8, LANES(2) r.u64[i] = m.u64[0])
VLOAD(V128_LOAD32_ZERO, 4, r = m)
VLOAD(V128_LOAD64_ZERO, 8, r = m)
/* Lane d of the vector at fp[a + 1] := the bytes. */
#define VLOAD_LANE(N, F)                                                       \
	VLOAD(N, sizeof m.F[0], r = get(fp, ip->a + 1); r.F[ip->d] = m.F[0])
VLOAD_LANE(V128_LOAD8_LANE, u8)
VLOAD_LANE(V128_LOAD16_LANE, u16)
VLOAD_LANE(V128_LOAD32_LANE, u32)
VLOAD_LANE(V128_LOAD64_LANE, u64)

/* The n bytes from p := into memory at fp[a] + c. */
#define VSTORE(N, n, p)                                                        \
	bool wxs_##N(                                                          \
	    wr_value *fp, const wx_insn *ip, uint8_t *mem, uint64_t size)      \
	{                                                                      \
		v128 x = get(fp, ip->b);                                       \
		uint64_t ea;                                                   \
		if (!ea_of(fp, ip->a, ip, (n), size, &ea))                     \
			return false;                                          \
		memcpy(mem + ea, (p), (n));                                    \
		return true;                                                   \
	}
VSTORE(V128_STORE, 16, &x)
VSTORE(V128_STORE8_LANE, 1, &x.u8[ip->d])
VSTORE(V128_STORE16_LANE, 2, &x.u16[ip->d])
VSTORE(V128_STORE32_LANE, 4, &x.u32[ip->d])
VSTORE(V128_STORE64_LANE, 8, &x.u64[ip->d])
