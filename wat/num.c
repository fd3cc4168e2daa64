/* SPDX-License-Identifier: Apache-2.0 */
/*
 * num.c: the text format's numbers. Integers are decimal or 0x hex with
 * single underscores between digits and an optional sign; iN takes
 * -2^(N-1) .. 2^N-1. Floats are decimal or hex (0x1.8p3) with optional
 * fraction and exponent, inf, nan, or nan:0xPAYLOAD, rounded to nearest
 * even; one that rounds to infinity is out of range. The grammar is
 * checked here; the conversion of a well-formed float is the C library's
 * strtof/strtod, which round correctly.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NUM_MAX 512

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static bool
is_dec(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Reads digits (hex or decimal) with single underscores between them from
 * s[*i]; appends them without underscores to o. False when there is no
 * digit or an underscore is misplaced.
 */
static bool
digits(const char *s, size_t len, size_t *i, bool hex, char *o, size_t *on)
{
	size_t start = *i;

	while (*i < len) {
		char c = s[*i];

		if (hex ? is_hex(c) : is_dec(c)) {
			if (*on + 1 >= NUM_MAX)
				return false;
			o[(*on)++] = c;
			(*i)++;
		} else if (c == '_' && *i > start && *i + 1 < len &&
		    (hex ? is_hex(s[*i + 1]) : is_dec(s[*i + 1]))) {
			(*i)++;
		} else {
			break;
		}
	}
	return *i > start;
}

/* An unsigned integer (decimal or 0x) with value; false past 2^64-1. */
static bool
parse_uint(const char *s, size_t len, uint64_t *out)
{
	char d[NUM_MAX];
	size_t i = 0, n = 0;
	bool hex = len > 2 && s[0] == '0' && s[1] == 'x';
	uint64_t v = 0;

	if (hex)
		i = 2;
	if (!digits(s, len, &i, hex, d, &n) || i != len)
		return false;
	for (size_t k = 0; k < n; k++) {
		unsigned dv = is_dec(d[k])
		    ? (unsigned)(d[k] - '0')
		    : (unsigned)((d[k] | 0x20) - 'a' + 10);
		unsigned base = hex ? 16 : 10;

		if (v > (UINT64_MAX - dv) / base)
			return false;
		v = v * base + dv;
	}
	*out = v;
	return true;
}

static bool
is_number_token(const wtok *t)
{
	return t->kind == T_RESERVED || t->kind == T_KEYWORD;
}

bool
wat_parse_u32(const wtok *t, uint32_t *out)
{
	uint64_t v;

	if (t->kind != T_RESERVED || !parse_uint(t->text, t->len, &v) ||
	    v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool
wat_parse_u64(const wtok *t, uint64_t *out)
{
	return t->kind == T_RESERVED && parse_uint(t->text, t->len, out);
}

bool
wat_parse_int(const wtok *t, unsigned bits, uint64_t *out)
{
	const char *s = t->text;
	size_t len = t->len;
	bool neg = false, sign = false;
	uint64_t v, umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;

	if (t->kind != T_RESERVED || len == 0)
		return false;
	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		sign = true;
		s++;
		len--;
	}
	if (!parse_uint(s, len, &v))
		return false;
	if (!sign) {
		if (v > umax)
			return false;
		*out = v;
		return true;
	}
	if (neg) {
		if (v > (UINT64_C(1) << (bits - 1)))
			return false;
		*out = (0 - v) & umax;
	} else {
		if (v > umax)
			return false;
		*out = v;
	}
	return true;
}

bool
wat_parse_i32(const wtok *t, uint32_t *out)
{
	uint64_t v;

	if (!wat_parse_int(t, 32, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool
wat_parse_i64(const wtok *t, uint64_t *out)
{
	return wat_parse_int(t, 64, out);
}

/*
 * Checks a float's magnitude grammar (after the sign) and writes it
 * without underscores to o, NUL-terminated, in a form strtod reads.
 */
static bool
float_text(const char *s, size_t len, char *o)
{
	size_t i = 0, n = 0;
	bool hex = len > 2 && s[0] == '0' && s[1] == 'x';

	if (hex) {
		o[n++] = '0';
		o[n++] = 'x';
		i = 2;
	}
	if (!digits(s, len, &i, hex, o, &n))
		return false;
	if (i < len && s[i] == '.') {
		o[n++] = '.';
		i++;
		if (i < len && (hex ? is_hex(s[i]) : is_dec(s[i])) &&
		    !digits(s, len, &i, hex, o, &n))
			return false;
	}
	if (i < len &&
	    (hex ? (s[i] == 'p' || s[i] == 'P')
	         : (s[i] == 'e' || s[i] == 'E'))) {
		o[n++] = s[i++];
		if (i < len && (s[i] == '+' || s[i] == '-'))
			o[n++] = s[i++];
		if (!digits(s, len, &i, false, o, &n))
			return false;
	} else if (hex) {
		o[n++] = 'p';
		o[n++] = '0';
	}
	o[n] = '\0';
	return i == len;
}

/*
 * A float of the given format: mant_bits (23 or 52), exp_bits (8 or 11).
 * *bits gets the encoding.
 */
static bool
parse_float(const wtok *t, int mant_bits, uint64_t *bits)
{
	const char *s = t->text;
	size_t len = t->len;
	uint64_t sign = 0, expmask = mant_bits == 23 ? 0xffu : 0x7ffu;
	uint64_t signbit = UINT64_C(1) << (mant_bits == 23 ? 31 : 63);
	char buf[NUM_MAX + 8];

	if (!is_number_token(t) || len == 0)
		return false;
	if (s[0] == '+' || s[0] == '-') {
		sign = s[0] == '-' ? signbit : 0;
		s++;
		len--;
	}
	if (len == 3 && memcmp(s, "inf", 3) == 0) {
		*bits = sign | expmask << mant_bits;
		return true;
	}
	if (len == 3 && memcmp(s, "nan", 3) == 0) {
		*bits = sign | expmask << mant_bits |
		    UINT64_C(1) << (mant_bits - 1);
		return true;
	}
	if (len > 6 && memcmp(s, "nan:0x", 6) == 0) {
		uint64_t payload;

		if (!parse_uint(s + 4, len - 4, &payload) || payload == 0 ||
		    payload >= UINT64_C(1) << mant_bits)
			return false;
		*bits = sign | expmask << mant_bits | payload;
		return true;
	}
	if (len == 0 || !is_dec(s[0]) || len > NUM_MAX ||
	    !float_text(s, len, buf))
		return false;
	errno = 0;
	if (mant_bits == 23) {
		float f = strtof(buf, NULL);
		uint32_t u;

		if (isinf(f))
			return false;
		memcpy(&u, &f, 4);
		*bits = u | sign;
	} else {
		double d = strtod(buf, NULL);
		uint64_t u;

		if (isinf(d))
			return false;
		memcpy(&u, &d, 8);
		*bits = u | sign;
	}
	return true;
}

bool
wat_parse_f32(const wtok *t, uint32_t *out)
{
	uint64_t v;

	if (!parse_float(t, 23, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool
wat_parse_f64(const wtok *t, uint64_t *out)
{
	return parse_float(t, 52, out);
}
