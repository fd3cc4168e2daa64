/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench.h: what every benchmark program shares. Each program defines
 * run(n), which does work proportional to n and returns a 32-bit checksum
 * of it, and names its sizes with BENCH_SIZES(default, small). The same
 * file builds as freestanding wasm32 (no libc, no imports: memory is a
 * static arena) and natively with native_main.c, so the checksum proves
 * every engine did the same work.
 *
 * Included only by the programs in this folder, never by wasmd itself.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

/* The entry point of every program; noinline so sizes are not folded. */
__attribute__((noinline)) uint32_t run(int32_t n);

/*
 * The exports beside run(): run_default() and run_small() take no
 * arguments because wabt's wasm-interp can only call such functions
 * (--run-all-exports); nop() is the baseline whose process time is
 * subtracted from timed runs (module load and process start).
 */
uint32_t run_default(void);
uint32_t run_small(void);
uint32_t nop(void);
extern const int32_t bench_n_default;
extern const int32_t bench_n_small;

#define BENCH_SIZES(n_default, n_small)                                        \
	const int32_t bench_n_default = (n_default);                           \
	const int32_t bench_n_small = (n_small);                               \
	uint32_t run_default(void)                                             \
	{                                                                      \
		return run(bench_n_default);                                   \
	}                                                                      \
	uint32_t run_small(void)                                               \
	{                                                                      \
		return run(bench_n_small);                                     \
	}                                                                      \
	uint32_t nop(void)                                                     \
	{                                                                      \
		return 0;                                                      \
	}

/* In wasm these come from wasm_rt.c; natively from libc. */
void *memcpy(void *dst, const void *src, size_t len);
void *memset(void *dst, int c, size_t len);
void *memmove(void *dst, const void *src, size_t len);

/* A small deterministic generator (xorshift32); state must not be 0. */
static inline uint32_t
bench_rand(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* Folds a value into a running checksum (FNV-1a style over 32 bits). */
static inline uint32_t
bench_mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 16777619u;
	return h ^ (h >> 15);
}

/* The exact bits of a double, folded into 32 bits. */
static inline uint32_t
bench_f64_bits(double d)
{
	union {
		double d;
		uint64_t u;
	} b = {d};
	return (uint32_t)b.u ^ (uint32_t)(b.u >> 32);
}

#define BENCH_CHECKSUM_SEED 2166136261u

#endif /* BENCH_H */
