/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reader.c: the bounds-checked byte reader of reader.h: LEB128 integers
 * with the spec's limits, fixed-width floats, names checked as UTF-8 and
 * vector counts checked against the bytes left.
 */
#include "reader.h"

#include "module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
wrd_init(wrd_reader *r, const uint8_t *base, const uint8_t *p,
    const uint8_t *end, we_error *err)
{
	r->base = base;
	r->p = p;
	r->end = end;
	r->limit = end;
	r->where = NULL;
	r->err = err;
	r->failed = false;
	r->ntypes = UINT32_MAX;
}

size_t
wrd_left(const wrd_reader *r)
{
	return (size_t)(r->end - r->p);
}

size_t
wrd_offset(const wrd_reader *r)
{
	return (size_t)(r->p - r->base);
}

bool
wrd_at_end(const wrd_reader *r)
{
	return r->p >= r->end;
}

bool
wrd_vfail_at(
    wrd_reader *r, size_t offset, we_err code, const char *fmt, va_list ap)
{
	size_t n = 0;
	int k;

	if (r->failed)
		return false;
	r->failed = true;
	if (r->err == NULL)
		return false;
	r->err->code = code;
	r->err->offset = offset;
	r->err->message[0] = '\0';
	if (r->where != NULL) {
		k = snprintf(r->err->message, WE_MSG_MAX, "%s: ", r->where);
		n = k > 0 && k < WE_MSG_MAX ? (size_t)k : 0;
	}
	vsnprintf(r->err->message + n, WE_MSG_MAX - n, fmt, ap);
	return false;
}

bool
wrd_fail_at(wrd_reader *r, size_t offset, we_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wrd_vfail_at(r, offset, code, fmt, ap);
	va_end(ap);
	return false;
}

bool
wrd_fail(wrd_reader *r, we_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wrd_vfail_at(r, wrd_offset(r), code, fmt, ap);
	va_end(ap);
	return false;
}

static bool
fail_end(wrd_reader *r)
{
	if (r->end < r->limit || r->where != NULL)
		return wrd_fail(r, WE_ERR_MALFORMED,
		    "unexpected end of section or function");
	return wrd_fail(r, WE_ERR_MALFORMED, "unexpected end");
}

bool
wrd_u8(wrd_reader *r, uint8_t *out)
{
	if (r->failed)
		return false;
	if (r->p >= r->end)
		return fail_end(r);
	*out = *r->p++;
	return true;
}

/*
 * Whether the unused high bits of the last byte of a maximal-length LEB128
 * encoding are valid: zero for unsigned, copies of the top value bit for
 * signed. used is how many of the byte's 7 bits carry the value.
 */
static bool
last_byte_ok(uint8_t b, unsigned used, bool is_signed)
{
	uint8_t unused_mask = (uint8_t)(0x7f & ~((1u << used) - 1));

	if (!is_signed)
		return (b & unused_mask) == 0;
	if (b & (1u << (used - 1)))
		return (b & unused_mask) == unused_mask;
	return (b & unused_mask) == 0;
}

/*
 * A LEB128 integer of at most bits bits, sign-extended when is_signed. An
 * encoding that runs past end is read on up to limit first, so that an
 * overlong one is reported as such, as the spec's tests expect.
 */
static bool
read_leb(wrd_reader *r, unsigned bits, bool is_signed, uint64_t *out)
{
	unsigned maxbytes = (bits + 6) / 7;
	size_t start = wrd_offset(r);
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b = 0;

	if (r->failed)
		return false;
	for (unsigned i = 0; i < maxbytes; i++) {
		if (r->p >= r->limit) {
			fail_end(r);
			return false;
		}
		b = *r->p++;
		if (i == maxbytes - 1) {
			if (b & 0x80)
				return wrd_fail_at(r, start, WE_ERR_MALFORMED,
				    "integer representation too long");
			if (!last_byte_ok(b, bits - shift, is_signed))
				return wrd_fail_at(r, start, WE_ERR_MALFORMED,
				    "integer too large");
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	if (r->p > r->end) {
		r->p = r->end;
		fail_end(r);
		return false;
	}
	if (is_signed && shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	*out = v;
	return true;
}

bool
wrd_u32(wrd_reader *r, uint32_t *out)
{
	uint64_t v = 0;

	if (!read_leb(r, 32, false, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool
wrd_u64(wrd_reader *r, uint64_t *out)
{
	return read_leb(r, 64, false, out);
}

bool
wrd_s32(wrd_reader *r, int32_t *out)
{
	uint64_t v = 0;

	if (!read_leb(r, 32, true, &v))
		return false;
	*out = (int32_t)(uint32_t)v;
	return true;
}

bool
wrd_s33(wrd_reader *r, int64_t *out)
{
	uint64_t v = 0;

	if (!read_leb(r, 33, true, &v))
		return false;
	*out = (int64_t)v;
	return true;
}

bool
wrd_s64(wrd_reader *r, int64_t *out)
{
	uint64_t v = 0;

	if (!read_leb(r, 64, true, &v))
		return false;
	*out = (int64_t)v;
	return true;
}

bool
wrd_bytes(wrd_reader *r, size_t n, const uint8_t **out)
{
	if (r->failed)
		return false;
	if (wrd_left(r) < n) {
		fail_end(r);
		return false;
	}
	*out = r->p;
	r->p += n;
	return true;
}

bool
wrd_f32(wrd_reader *r, uint32_t *out)
{
	const uint8_t *b = NULL;

	if (!wrd_bytes(r, 4, &b))
		return false;
	*out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
	return true;
}

bool
wrd_f64(wrd_reader *r, uint64_t *out)
{
	const uint8_t *b = NULL;
	uint64_t v = 0;

	if (!wrd_bytes(r, 8, &b))
		return false;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	*out = v;
	return true;
}

bool
wrd_count(wrd_reader *r, size_t min_size, uint32_t *out)
{
	size_t start = wrd_offset(r);
	uint32_t n;

	if (!wrd_u32(r, &n))
		return false;
	if (min_size > 0 && n > (size_t)(r->limit - r->p) / min_size) {
		wrd_fail_at(r, start, WE_ERR_MALFORMED,
		    "%s (a length of %u with %zu bytes left)",
		    r->where != NULL ? "unexpected end of section or function"
		                     : "unexpected end",
		    n, (size_t)(r->limit - r->p));
		return false;
	}
	*out = n;
	return true;
}

/* The length of the UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t
utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t len;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool
wrd_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		n = utf8_seq(s + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

bool
wrd_name(wrd_reader *r, char **out, uint32_t *len)
{
	size_t start = wrd_offset(r);
	const uint8_t *b = NULL;
	uint32_t n;
	char *s;

	if (!wrd_u32(r, &n))
		return false;
	if (n > wrd_left(r))
		return wrd_fail_at(r, start, WE_ERR_MALFORMED,
		    "length out of bounds (a name of %u bytes with %zu left)",
		    n, wrd_left(r));
	if (!wrd_bytes(r, n, &b))
		return false;
	if (!wrd_utf8_valid(b, n))
		return wrd_fail_at(
		    r, start, WE_ERR_MALFORMED, "malformed UTF-8 encoding");
	s = malloc((size_t)n + 1);
	if (s == NULL)
		return wrd_fail_at(r, start, WE_ERR_NOMEM, "out of memory");
	memcpy(s, b, n);
	s[n] = '\0';
	*out = s;
	if (len != NULL)
		*len = n;
	return true;
}

bool
wrd_heaptype(wrd_reader *r, we_valtype *out)
{
	const uint8_t *start = r->p;
	uint32_t x;

	if (r->p < r->end && (*r->p & 0xc0) == 0x40) {
		/* A one-byte negative s33: an abstract heap type. */
		uint8_t b = *r->p;
		if (!wm_is_abstract_heap(b))
			return wrd_fail(r, WE_ERR_MALFORMED,
			    "malformed heap type 0x%02x", b);
		r->p++;
		*out = (we_valtype)b;
		return true;
	}
	if (!wrd_u32(r, &x))
		return false;
	if (x >= r->ntypes || x >= (1u << 20)) {
		r->p = start;
		return wrd_fail(r, WE_ERR_INVALID, "unknown type %u", x);
	}
	*out = WE_REF_TYPE(x);
	return true;
}

/* After 0x63 or 0x64: the heap type, nullable or not. */
static bool
typed_ref(wrd_reader *r, uint8_t b, we_valtype *out)
{
	if (!wrd_heaptype(r, out))
		return false;
	if (b == 0x64)
		*out = (we_valtype)(*out | WE_REF_NONNULL);
	return true;
}

bool
wrd_reftype(wrd_reader *r, we_valtype *out)
{
	uint8_t b = 0;

	if (!wrd_u8(r, &b))
		return false;
	if (b == 0x63 || b == 0x64)
		return typed_ref(r, b, out);
	if (!wm_is_abstract_heap(b)) {
		r->p--;
		return wrd_fail(
		    r, WE_ERR_MALFORMED, "malformed reference type 0x%02x", b);
	}
	*out = (we_valtype)b;
	return true;
}

bool
wrd_valtype(wrd_reader *r, we_valtype *out)
{
	uint8_t b = 0;

	if (!wrd_u8(r, &b))
		return false;
	switch (b) {
	case WE_I32:
	case WE_I64:
	case WE_F32:
	case WE_F64:
	case WE_V128: *out = (we_valtype)b; return true;
	case 0x63:
	case 0x64: return typed_ref(r, b, out);
	default:
		if (wm_is_abstract_heap(b)) {
			*out = (we_valtype)b;
			return true;
		}
		r->p--;
		return wrd_fail(
		    r, WE_ERR_MALFORMED, "malformed value type 0x%02x", b);
	}
}
