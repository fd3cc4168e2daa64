/* SPDX-License-Identifier: Apache-2.0 */
/*
 * indirect.c: calls through a function table (call_indirect in wasm).
 * Sixteen small functions of one signature are picked by a data-dependent
 * index n times, so neither the compiler nor the engine can predict the
 * target from the code alone.
 */
#include "bench.h"

typedef uint32_t (*op_fn)(uint32_t, uint32_t);

/* Each op is small on purpose: the call itself is what is measured. */
static uint32_t
op_add(uint32_t a, uint32_t b)
{
	return a + b;
}
static uint32_t
op_sub(uint32_t a, uint32_t b)
{
	return a - b;
}
static uint32_t
op_xor(uint32_t a, uint32_t b)
{
	return a ^ b;
}
static uint32_t
op_mul(uint32_t a, uint32_t b)
{
	return a * (b | 1);
}
static uint32_t
op_rotl(uint32_t a, uint32_t b)
{
	return (a << (b & 31)) | (a >> ((32 - (b & 31)) & 31));
}
static uint32_t
op_and_not(uint32_t a, uint32_t b)
{
	return a & ~b;
}
static uint32_t
op_or(uint32_t a, uint32_t b)
{
	return a | (b >> 3);
}
static uint32_t
op_avg(uint32_t a, uint32_t b)
{
	return (a >> 1) + (b >> 1);
}
static uint32_t
op_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b + 7;
}
static uint32_t
op_max(uint32_t a, uint32_t b)
{
	return a > b ? a : b ^ 5;
}
static uint32_t
op_shr(uint32_t a, uint32_t b)
{
	return a >> (b & 15) ^ b;
}
static uint32_t
op_neg(uint32_t a, uint32_t b)
{
	return -a + b;
}
static uint32_t
op_div(uint32_t a, uint32_t b)
{
	return a / ((b & 255) + 1) + b;
}
static uint32_t
op_mod(uint32_t a, uint32_t b)
{
	return a % ((b & 1023) + 3) ^ a;
}
static uint32_t
op_popc(uint32_t a, uint32_t b)
{
	return a + (uint32_t)__builtin_popcount(b);
}
static uint32_t
op_mix(uint32_t a, uint32_t b)
{
	return (a ^ b) * 2654435761u;
}

static op_fn ops[16] = {op_add, op_sub, op_xor, op_mul, op_rotl, op_and_not,
    op_or, op_avg, op_min, op_max, op_shr, op_neg, op_div, op_mod, op_popc,
    op_mix};

/* A second level: a table of callbacks that themselves call indirectly. */
typedef uint32_t (*stage_fn)(uint32_t, uint32_t);

__attribute__((noinline)) static uint32_t
stage_twice(uint32_t a, uint32_t b)
{
	return ops[b & 15](ops[(b >> 4) & 15](a, b), b >> 8);
}

__attribute__((noinline)) static uint32_t
stage_once(uint32_t a, uint32_t b)
{
	return ops[(b >> 12) & 15](a, b);
}

static stage_fn stages[2] = {stage_twice, stage_once};

uint32_t
run(int32_t n)
{
	uint32_t seed = 88172645u, acc = 1;
	uint32_t h = BENCH_CHECKSUM_SEED;

	for (int32_t i = 0; i < n; i++) {
		uint32_t r = bench_rand(&seed);

		acc = stages[r >> 31](acc, r);
		if ((i & 0xfffff) == 0)
			h = bench_mix(h, acc);
	}
	return bench_mix(h, acc);
}

BENCH_SIZES(4000000, 150000)
