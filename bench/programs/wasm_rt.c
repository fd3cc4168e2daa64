/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasm_rt.c: the few libc functions clang emits calls to on wasm32 (struct
 * copies and zeroing loops become memcpy/memset). Built only into the wasm
 * modules, with -fno-builtin so these loops are not turned back into calls
 * to themselves; natively libc provides them.
 */
#include "bench.h"

void *
memcpy(void *dst, const void *src, size_t len)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (len--)
		*d++ = *s++;
	return dst;
}

void *
memmove(void *dst, const void *src, size_t len)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s) {
		while (len--)
			*d++ = *s++;
	} else {
		while (len--)
			d[len] = s[len];
	}
	return dst;
}

void *
memset(void *dst, int c, size_t len)
{
	unsigned char *d = dst;

	while (len--)
		*d++ = (unsigned char)c;
	return dst;
}
