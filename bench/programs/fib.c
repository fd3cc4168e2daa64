/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fib.c: recursive calls. Naive doubly recursive Fibonacci plus the Takeuchi
 * function, so call and return dominate; n is the Fibonacci argument and
 * the work grows by about 1.618 per step.
 */
#include "bench.h"

static uint32_t fib(uint32_t k);
static int32_t tak(int32_t x, int32_t y, int32_t z);

__attribute__((noinline)) static uint32_t
fib(uint32_t k)
{
	if (k < 2)
		return k;
	return fib(k - 1) + fib(k - 2);
}

__attribute__((noinline)) static int32_t
tak(int32_t x, int32_t y, int32_t z)
{
	if (y >= x)
		return z;
	return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

uint32_t
run(int32_t n)
{
	uint32_t h = BENCH_CHECKSUM_SEED;

	h = bench_mix(h, fib((uint32_t)n));
	/* tak(3k, 2k, k) grows with k much like fib does with n. */
	h = bench_mix(h, (uint32_t)tak(n / 2, n / 3, n / 6));
	return h;
}

BENCH_SIZES(38, 29)
