/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sieve.c: the sieve of Eratosthenes over a byte array of n entries (a
 * static arena, at most 32 Mi), then a pass that counts and sums the
 * primes. Memory-bound stores with strides.
 */
#include "bench.h"

#define SIEVE_MAX (32 * 1024 * 1024)

static uint8_t composite[SIEVE_MAX];

uint32_t
run(int32_t n)
{
	uint32_t limit = (uint32_t)n;
	uint32_t count = 0, sum = 0;
	uint32_t h = BENCH_CHECKSUM_SEED;

	if (limit > SIEVE_MAX)
		limit = SIEVE_MAX;
	for (uint32_t i = 0; i < limit; i++)
		composite[i] = 0;
	for (uint32_t p = 2; (uint64_t)p * p < limit; p++) {
		if (composite[p])
			continue;
		for (uint32_t m = p * p; m < limit; m += p)
			composite[m] = 1;
	}
	for (uint32_t i = 2; i < limit; i++) {
		if (!composite[i]) {
			count++;
			sum += i;
			if ((count & 1023) == 0)
				h = bench_mix(h, i);
		}
	}
	h = bench_mix(h, count);
	return bench_mix(h, sum);
}

BENCH_SIZES(32000000, 1000000)
