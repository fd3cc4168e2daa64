/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bytescan.c: byte scanning over megabytes. An 8 MiB buffer of text holds
 * NUL-terminated strings of 1 to 4096 bytes; each round walks it string by
 * string with strlen() and counts the newlines with a counting loop (what
 * memchr-style searches in parsers do). Both are written the way
 * vectorized libcs write them, 16 aligned bytes at a time (strlen with a
 * compare and a bitmask, the count with byte-lane counters), when the
 * build has SIMD (wasm with -msimd128, or SSE2 natively unless
 * BENCH_NO_VECTOR), and as plain byte loops otherwise. (clang 14's own
 * vectorization of the plain counting loop widens every byte to an i32
 * lane, with shuffles: slower than this, even natively.)
 */
#include "../programs/bench.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define VEC_WASM 1
#elif defined(__SSE2__) && !defined(BENCH_NO_VECTOR)
#include <emmintrin.h>
#define VEC_SSE2 1
#endif

#define SIZE (8u << 20)

static uint8_t text[SIZE + 16] __attribute__((aligned(16)));

static void
fill(uint32_t seed)
{
	uint32_t i = 0;

	while (i < SIZE) {
		uint32_t len = bench_rand(&seed) % 4096 + 1;

		for (uint32_t j = 0; j < len && i < SIZE - 1; j++) {
			uint32_t r = bench_rand(&seed);

			text[i++] =
			    (r & 63) == 0 ? '\n' : (uint8_t)(' ' + r % 95);
		}
		text[i++] = 0;
	}
	text[SIZE - 1] = 0;
}

/* The 16-byte block at p (aligned): a bit per byte that is zero. */
static inline uint32_t
zero_mask(const uint8_t *p)
{
#if defined(VEC_WASM)
	v128_t v = wasm_v128_load(p);
	return (uint32_t)wasm_i8x16_bitmask(
	    wasm_i8x16_eq(v, wasm_i8x16_splat(0)));
#elif defined(VEC_SSE2)
	__m128i v = _mm_load_si128((const __m128i *)(const void *)p);
	return (uint32_t)_mm_movemask_epi8(
	    _mm_cmpeq_epi8(v, _mm_setzero_si128()));
#else
	(void)p;
	return 0;
#endif
}

static uint32_t
string_length(const uint8_t *s)
{
#if defined(VEC_WASM) || defined(VEC_SSE2)
	const uint8_t *p = s;

	while (((uintptr_t)p & 15) != 0) {
		if (*p == 0)
			return (uint32_t)(p - s);
		p++;
	}
	for (;; p += 16) {
		uint32_t m = zero_mask(p);

		if (m != 0)
			return (uint32_t)(p - s) + (uint32_t)__builtin_ctz(m);
	}
#else
	const uint8_t *p = s;

	while (*p != 0)
		p++;
	return (uint32_t)(p - s);
#endif
}

/*
 * The bytes equal to c in p[0..n), n a multiple of 16 and p 16-aligned.
 * The vector form counts in byte lanes (subtracting each all-ones match)
 * and widens the counts every 255 blocks, before a lane can overflow.
 */
static uint32_t
count_byte(const uint8_t *p, uint32_t n, uint8_t c)
{
	uint32_t count = 0;
#if defined(VEC_WASM)
	v128_t needle = wasm_i8x16_splat((int8_t)c);

	for (uint32_t i = 0; i < n;) {
		v128_t acc = wasm_i8x16_splat(0);
		uint32_t end = n - i > 255 * 16 ? i + 255 * 16 : n;

		for (; i < end; i += 16)
			acc = wasm_i8x16_sub(
			    acc, wasm_i8x16_eq(wasm_v128_load(p + i), needle));
		acc = wasm_u32x4_extadd_pairwise_u16x8(
		    wasm_u16x8_extadd_pairwise_u8x16(acc));
		count += wasm_i32x4_extract_lane(acc, 0) +
		    wasm_i32x4_extract_lane(acc, 1) +
		    wasm_i32x4_extract_lane(acc, 2) +
		    wasm_i32x4_extract_lane(acc, 3);
	}
#elif defined(VEC_SSE2)
	__m128i needle = _mm_set1_epi8((char)c);

	for (uint32_t i = 0; i < n;) {
		__m128i acc = _mm_setzero_si128();
		uint32_t end = n - i > 255 * 16 ? i + 255 * 16 : n;

		for (; i < end; i += 16)
			acc = _mm_sub_epi8(acc,
			    _mm_cmpeq_epi8(
			        _mm_load_si128(
			            (const __m128i *)(const void *)(p + i)),
			        needle));
		acc = _mm_sad_epu8(acc, _mm_setzero_si128());
		count += (uint32_t)_mm_cvtsi128_si32(acc) +
		    (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(acc, 8));
	}
#else
	for (uint32_t i = 0; i < n; i++)
		count += p[i] == c;
#endif
	return count;
}

uint32_t
run(int32_t n)
{
	uint32_t h = BENCH_CHECKSUM_SEED;

	fill(777);
	for (int32_t round = 0; round < n; round++) {
		uint32_t at = 0, strings = 0;

		while (at < SIZE) {
			uint32_t len = string_length(text + at);

			h = bench_mix(h, len);
			at += len + 1;
			strings++;
		}
		h = bench_mix(h, strings);
		h = bench_mix(h, count_byte(text, SIZE, '\n'));
		/* Change the text a little so no round repeats the last. */
		text[(uint32_t)round * 4099u % (SIZE - 1)] = '\n';
	}
	return h;
}

BENCH_SIZES(20, 2)
