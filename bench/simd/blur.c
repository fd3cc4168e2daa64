/* SPDX-License-Identifier: Apache-2.0 */
/*
 * blur.c: an image filter. A 1024 x 1024 8-bit grayscale image is blurred
 * n times with the separable [1 2 1] / 4 kernel (a horizontal pass, then a
 * vertical one, rounding each), then brightened with a saturating add.
 * Plain loops over bytes: clang -O3 -msimd128 vectorizes them (u8 -> u16
 * widening, shifts, narrowing, saturating adds); without -msimd128 they
 * stay scalar. The checksum folds every pixel of the last image.
 */
#include "../programs/bench.h"

#define W 1024
#define H 1024

static uint8_t img[W * H];
static uint8_t tmp[W * H];

static void
fill(uint32_t seed)
{
	for (uint32_t i = 0; i < W * H; i++)
		img[i] = (uint8_t)(bench_rand(&seed) >> 7);
}

static void
horizontal(uint8_t *restrict dst, const uint8_t *restrict src)
{
	for (uint32_t y = 0; y < H; y++) {
		const uint8_t *s = src + y * W;
		uint8_t *d = dst + y * W;

		d[0] = s[0];
		for (uint32_t x = 1; x < W - 1; x++)
			d[x] = (uint8_t)((s[x - 1] + 2 * s[x] + s[x + 1] + 2) >>
			    2);
		d[W - 1] = s[W - 1];
	}
}

static void
vertical(uint8_t *restrict dst, const uint8_t *restrict src)
{
	memcpy(dst, src, W);
	for (uint32_t y = 1; y < H - 1; y++) {
		const uint8_t *up = src + (y - 1) * W, *mid = src + y * W;
		const uint8_t *down = src + (y + 1) * W;
		uint8_t *d = dst + y * W;

		for (uint32_t x = 0; x < W; x++)
			d[x] =
			    (uint8_t)((up[x] + 2 * mid[x] + down[x] + 2) >> 2);
	}
	memcpy(dst + (H - 1) * W, src + (H - 1) * W, W);
}

static void
brighten(uint8_t *p, uint8_t by)
{
	for (uint32_t i = 0; i < W * H; i++) {
		uint32_t v = (uint32_t)p[i] + by;
		p[i] = (uint8_t)(v > 255 ? 255 : v);
	}
}

uint32_t
run(int32_t n)
{
	uint32_t h = BENCH_CHECKSUM_SEED;

	fill(4242);
	for (int32_t i = 0; i < n; i++) {
		horizontal(tmp, img);
		vertical(img, tmp);
		brighten(img, 3);
	}
	for (uint32_t i = 0; i < W * H; i += 4) {
		uint32_t v;

		memcpy(&v, &img[i], 4);
		h = bench_mix(h, v);
	}
	return h;
}

BENCH_SIZES(40, 4)
