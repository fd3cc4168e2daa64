/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buf.c: the growing byte buffers the binary module is written into, with
 * LEB128 and name encoders, and the parser's allocation and error helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void *
wat_alloc(wparse *ps, size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p == NULL)
		wat_fail(ps, "out of memory");
	return p;
}

/* Makes p hold at least need elements of size bytes; returns it. */
void *
wat_grow(wparse *ps, void *p, uint32_t *cap, uint32_t need, size_t size)
{
	uint32_t n = *cap ? *cap : 8;
	void *q;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	if ((q = realloc(p, (size_t)n * size)) == NULL)
		wat_fail(ps, "out of memory");
	memset((char *)q + (size_t)*cap * size, 0, (size_t)(n - *cap) * size);
	*cap = n;
	return q;
}

static void
reserve(wparse *ps, wbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 64;
	uint8_t *q;

	if (b->len + n <= b->cap)
		return;
	while (cap < b->len + n)
		cap *= 2;
	if ((q = realloc(b->p, cap)) == NULL)
		wat_fail(ps, "out of memory");
	b->p = q;
	b->cap = cap;
}

void
wb_byte(wparse *ps, wbuf *b, uint8_t v)
{
	reserve(ps, b, 1);
	b->p[b->len++] = v;
}

void
wb_bytes(wparse *ps, wbuf *b, const void *v, size_t n)
{
	if (n == 0)
		return;
	reserve(ps, b, n);
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

void
wb_u32(wparse *ps, wbuf *b, uint32_t v)
{
	wb_u64(ps, b, v);
}

void
wb_u64(wparse *ps, wbuf *b, uint64_t v)
{
	do {
		uint8_t byte = v & 0x7f;

		v >>= 7;
		wb_byte(ps, b, byte | (v ? 0x80 : 0));
	} while (v);
}

void
wb_s64(wparse *ps, wbuf *b, int64_t v)
{
	for (;;) {
		uint8_t byte = v & 0x7f;

		v >>= 7; /* arithmetic: GCC and Clang */
		if ((v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40))) {
			wb_byte(ps, b, byte);
			return;
		}
		wb_byte(ps, b, byte | 0x80);
	}
}

void
wb_s32(wparse *ps, wbuf *b, int32_t v)
{
	wb_s64(ps, b, v);
}

void
wb_name(wparse *ps, wbuf *b, const uint8_t *s, size_t n)
{
	if (n > UINT32_MAX)
		wat_fail(ps, "name too long");
	wb_u32(ps, b, (uint32_t)n);
	wb_bytes(ps, b, s, n);
}

void
wb_free(wbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

wbuf *
wat_buf_new(wparse *ps)
{
	wbuf *b = wat_alloc(ps, sizeof *b);

	ps->tmps =
	    wat_grow(ps, ps->tmps, &ps->captmps, ps->ntmps + 1, sizeof(wbuf *));
	ps->tmps[ps->ntmps++] = b;
	return b;
}

void
wat_buf_done(wparse *ps, wbuf *b)
{
	for (uint32_t i = ps->ntmps; i-- > 0;)
		if (ps->tmps[i] == b) {
			ps->tmps[i] = ps->tmps[--ps->ntmps];
			break;
		}
	wb_free(b);
	free(b);
}

static _Noreturn void
vfail(wparse *ps, const wtok *t, const char *fmt, va_list ap)
{
	vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
	ps->err->line = t ? t->line : 0;
	ps->err->col = t ? t->col : 0;
	longjmp(ps->fail, 1);
}

void
wat_fail(wparse *ps, const char *fmt, ...)
{
	va_list ap;
	const wtok *t = ps->pos < ps->ntoks
	    ? &ps->toks[ps->pos]
	    : (ps->ntoks ? &ps->toks[ps->ntoks - 1] : NULL);

	va_start(ap, fmt);
	vfail(ps, t, fmt, ap);
}

void
wat_fail_at(wparse *ps, const wtok *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ps, t, fmt, ap);
}
