/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intloop.c: integer work through memory. Generates n 32-bit keys, sorts
 * them with an LSD radix sort (histogram, prefix sums, scatter: loads and
 * stores at data-dependent addresses), then runs a prefix-sum and a
 * gather pass over the sorted keys. n is at most 6 Mi.
 */
#include "bench.h"

#define KEYS_MAX (6 * 1024 * 1024)

static uint32_t keys[KEYS_MAX];
static uint32_t scratch[KEYS_MAX];
static uint32_t counts[256];

static void
radix_pass(uint32_t *dst, const uint32_t *src, uint32_t n, int shift)
{
	uint32_t total = 0;

	for (int b = 0; b < 256; b++)
		counts[b] = 0;
	for (uint32_t i = 0; i < n; i++)
		counts[(src[i] >> shift) & 0xff]++;
	for (int b = 0; b < 256; b++) {
		uint32_t c = counts[b];

		counts[b] = total;
		total += c;
	}
	for (uint32_t i = 0; i < n; i++)
		dst[counts[(src[i] >> shift) & 0xff]++] = src[i];
}

static uint32_t
check_sorted(const uint32_t *v, uint32_t n)
{
	uint32_t bad = 0;

	for (uint32_t i = 1; i < n; i++)
		bad += v[i - 1] > v[i];
	return bad;
}

uint32_t
run(int32_t n)
{
	uint32_t count = (uint32_t)n, seed = 2463534242u;
	uint32_t h = BENCH_CHECKSUM_SEED, acc = 0;

	if (count > KEYS_MAX)
		count = KEYS_MAX;
	for (uint32_t i = 0; i < count; i++)
		keys[i] = bench_rand(&seed);
	radix_pass(scratch, keys, count, 0);
	radix_pass(keys, scratch, count, 8);
	radix_pass(scratch, keys, count, 16);
	radix_pass(keys, scratch, count, 24);
	h = bench_mix(h, check_sorted(keys, count));
	/* Prefix sums in place, then a gather at pseudo-random positions. */
	for (uint32_t i = 0; i < count; i++) {
		acc += keys[i] >> 8;
		scratch[i] = acc;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint32_t j = scratch[i] % count;

		acc ^= keys[j] + (uint32_t)i;
	}
	for (uint32_t i = 0; i < count; i += 4096)
		h = bench_mix(h, keys[i]);
	return bench_mix(h, acc);
}

BENCH_SIZES(4000000, 150000)
