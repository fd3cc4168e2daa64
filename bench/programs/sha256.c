/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sha256.c: SHA-256 (FIPS 180-4), written here, over n blocks of 64 KiB of
 * generated data. Each block is chained into the next message so nothing
 * can be skipped; the checksum folds the final digest.
 */
#include "bench.h"

#define BLOCK_BYTES (64 * 1024)

typedef struct sha_ctx {
	uint32_t state[8];
	uint64_t length; /* bytes hashed so far */
	uint8_t buf[64];
	uint32_t used; /* bytes in buf */
} sha_ctx;

static const uint32_t round_k[64] = {0x428a2f98, 0x71374491, 0xb5c0fbcf,
    0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
    0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
    0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
    0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c,
    0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee,
    0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static uint8_t message[BLOCK_BYTES];

static inline uint32_t
rotr(uint32_t x, int k)
{
	return (x >> k) | (x << (32 - k));
}

static void
sha_compress(uint32_t state[8], const uint8_t *p)
{
	uint32_t w[64];
	uint32_t a, b, c, d, e, f, g, h;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 =
		    rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 =
		    rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = state[0], b = state[1], c = state[2], d = state[3];
	e = state[4], f = state[5], g = state[6], h = state[7];
	for (int i = 0; i < 64; i++) {
		uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = h + s1 + ch + round_k[i] + w[i];
		uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
		uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = s0 + maj;

		h = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	state[0] += a, state[1] += b, state[2] += c, state[3] += d;
	state[4] += e, state[5] += f, state[6] += g, state[7] += h;
}

static void
sha_init(sha_ctx *ctx)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
	    0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	for (int i = 0; i < 8; i++)
		ctx->state[i] = iv[i];
	ctx->length = 0;
	ctx->used = 0;
}

static void
sha_update(sha_ctx *ctx, const uint8_t *p, size_t len)
{
	ctx->length += len;
	while (len > 0) {
		if (ctx->used == 0 && len >= 64) {
			sha_compress(ctx->state, p);
			p += 64, len -= 64;
			continue;
		}
		ctx->buf[ctx->used++] = *p++;
		len--;
		if (ctx->used == 64) {
			sha_compress(ctx->state, ctx->buf);
			ctx->used = 0;
		}
	}
}

static void
sha_final(sha_ctx *ctx, uint8_t digest[32])
{
	uint64_t bits = ctx->length * 8;
	uint8_t pad = 0x80;
	uint8_t lenbytes[8];

	sha_update(ctx, &pad, 1);
	pad = 0;
	while (ctx->used != 56)
		sha_update(ctx, &pad, 1);
	for (int i = 0; i < 8; i++)
		lenbytes[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha_update(ctx, lenbytes, 8);
	for (int i = 0; i < 32; i++)
		digest[i] = (uint8_t)(ctx->state[i / 4] >> (24 - 8 * (i % 4)));
}

uint32_t
run(int32_t n)
{
	uint32_t seed = 0x9e3779b9u;
	uint8_t digest[32] = {0};
	uint32_t h = BENCH_CHECKSUM_SEED;
	sha_ctx ctx;

	for (uint32_t i = 0; i < BLOCK_BYTES; i++)
		message[i] = (uint8_t)bench_rand(&seed);
	sha_init(&ctx);
	for (int32_t blk = 0; blk < n; blk++) {
		/* Chain the previous digest into this block. */
		for (int i = 0; i < 32; i++)
			message[(blk * 32 + i) % BLOCK_BYTES] ^= digest[i];
		sha_update(&ctx, message, BLOCK_BYTES);
		digest[blk % 32] ^= (uint8_t)ctx.state[blk % 8];
	}
	sha_final(&ctx, digest);
	for (int i = 0; i < 32; i += 4)
		h = bench_mix(h,
		    (uint32_t)digest[i] << 24 | (uint32_t)digest[i + 1] << 16 |
		        (uint32_t)digest[i + 2] << 8 | digest[i + 3]);
	return h;
}

BENCH_SIZES(512, 8)
