/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matmulf.c: dense single-precision matrix products, C = A * B with n x n
 * matrices (n at most 512) in the i-k-j loop order, whose inner loop
 * (crow[j] += aik * brow[j]) clang -O3 -msimd128 turns into f32x4
 * multiplies and adds; then an int16 dot product of every row of A's
 * quantised copy with every row of B's (a widening multiply-add that
 * vectorizes to i32x4 lanes). No reassociation of float sums: the
 * checksum (exact bits) is the same on every engine and build.
 */
#include "../programs/bench.h"

#define MAT_MAX 512

static float mat_a[MAT_MAX * MAT_MAX];
static float mat_b[MAT_MAX * MAT_MAX];
static float mat_c[MAT_MAX * MAT_MAX];
static int16_t qa[MAT_MAX * MAT_MAX];
static int16_t qb[MAT_MAX * MAT_MAX];

static void
fill(float *m, int16_t *q, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n * n; i++) {
		int32_t r = (int32_t)(bench_rand(&seed) % 2001) - 1000;

		m[i] = (float)r / 1000.0f;
		q[i] = (int16_t)(r * 32);
	}
}

static void
multiply(float *restrict c, const float *restrict a, const float *restrict b,
    uint32_t n)
{
	for (uint32_t i = 0; i < n * n; i++)
		c[i] = 0.0f;
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t k = 0; k < n; k++) {
			float aik = a[i * n + k];
			const float *brow = &b[k * n];
			float *crow = &c[i * n];

			for (uint32_t j = 0; j < n; j++)
				crow[j] += aik * brow[j];
		}
	}
}

static int32_t
dot16(const int16_t *restrict x, const int16_t *restrict y, uint32_t n)
{
	int32_t sum = 0;

	for (uint32_t i = 0; i < n; i++)
		sum += (int32_t)x[i] * y[i];
	return sum;
}

uint32_t
run(int32_t n)
{
	uint32_t size = (uint32_t)n;
	uint32_t h = BENCH_CHECKSUM_SEED;

	if (size > MAT_MAX)
		size = MAT_MAX;
	fill(mat_a, qa, size, 12345);
	fill(mat_b, qb, size, 67890);
	multiply(mat_c, mat_a, mat_b, size);
	for (uint32_t i = 0; i < size * size; i++)
		mat_c[i] *= 1.0f / 64.0f;
	multiply(mat_b, mat_a, mat_c, size);
	for (uint32_t i = 0; i < size * size; i++) {
		union {
			float f;
			uint32_t u;
		} b = {mat_b[i]};
		h = bench_mix(h, b.u);
	}
	for (uint32_t i = 0; i < size; i++)
		for (uint32_t j = 0; j < size; j += 4)
			h = bench_mix(h,
			    (uint32_t)dot16(
			        &qa[i * size], &qb[j * size], size));
	return h;
}

BENCH_SIZES(384, 64)
