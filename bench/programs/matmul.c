/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matmul.c: dense double-precision matrix multiply, C = A * B with n x n
 * matrices (n at most 640) in the i-k-j loop order, then one more product
 * with the result so the values stay bounded. The checksum folds the exact
 * bits of every row's sum: IEEE arithmetic is the same on every engine.
 */
#include "bench.h"

#define MAT_MAX 640

static double mat_a[MAT_MAX * MAT_MAX];
static double mat_b[MAT_MAX * MAT_MAX];
static double mat_c[MAT_MAX * MAT_MAX];

static void
fill(double *m, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n * n; i++)
		m[i] = (double)(bench_rand(&seed) % 2001) / 1000.0 - 1.0;
}

static void
multiply(double *restrict c, const double *restrict a, const double *restrict b,
    uint32_t n)
{
	for (uint32_t i = 0; i < n * n; i++)
		c[i] = 0.0;
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t k = 0; k < n; k++) {
			double aik = a[i * n + k];
			const double *brow = &b[k * n];
			double *crow = &c[i * n];

			for (uint32_t j = 0; j < n; j++)
				crow[j] += aik * brow[j];
		}
	}
}

uint32_t
run(int32_t n)
{
	uint32_t size = (uint32_t)n;
	uint32_t h = BENCH_CHECKSUM_SEED;

	if (size > MAT_MAX)
		size = MAT_MAX;
	fill(mat_a, size, 12345);
	fill(mat_b, size, 67890);
	multiply(mat_c, mat_a, mat_b, size);
	/* Scale C down and multiply again: A * (C / n). */
	for (uint32_t i = 0; i < size * size; i++)
		mat_c[i] /= (double)size;
	multiply(mat_b, mat_a, mat_c, size);
	for (uint32_t i = 0; i < size; i++) {
		double row = 0.0;

		for (uint32_t j = 0; j < size; j++)
			row += mat_b[i * size + j];
		h = bench_mix(h, bench_f64_bits(row));
	}
	return h;
}

BENCH_SIZES(600, 120)
