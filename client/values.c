/* SPDX-License-Identifier: Apache-2.0 */
/*
 * values.c: text for libwasmd-client's values and types: parsing a value
 * of a given type from a string (command-line arguments), formatting one
 * so it reads back to the same bits, type and trap-kind names, the
 * readable text of import/export types, and wasmd_strerror().
 *
 * Numbers are read and written with the C library's strtod family and
 * printf, which follow LC_NUMERIC: callers that change the locale should
 * keep LC_NUMERIC at "C".
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *
wasmd_strerror(wasmd_error code)
{
	switch (code) {
#define WASMD_ERROR_CASE(name, num, text)                                      \
	case name: return text;
		WASMD_ERRORS(WASMD_ERROR_CASE)
#undef WASMD_ERROR_CASE
	}
	return "unknown error";
}

static const char *const valtype_names[] = {
    [WASMD_I32] = "i32",
    [WASMD_I64] = "i64",
    [WASMD_F32] = "f32",
    [WASMD_F64] = "f64",
    [WASMD_FUNCREF] = "funcref",
    [WASMD_EXTERNREF] = "externref",
    [WASMD_V128] = "v128",
    [WASMD_EXNREF] = "exnref",
    [WASMD_ANYREF] = "anyref",
};

const char *
wasmd_valtype_name(wasmd_valtype type)
{
	if ((unsigned)type >= sizeof valtype_names / sizeof valtype_names[0])
		return "?";
	return valtype_names[type];
}

int
wasmd_valtype_parse(const char *name, wasmd_valtype *out)
{
	for (unsigned i = 0; i < sizeof valtype_names / sizeof *valtype_names;
	     i++) {
		if (strcmp(name, valtype_names[i]) == 0) {
			*out = (wasmd_valtype)i;
			return 0;
		}
	}
	return -1;
}

const char *
wasmd_trap_kind_name(wasmd_trap_kind kind)
{
	switch (kind) {
	case WASMD_TRAP_NONE: return "none";
	case WASMD_TRAP_UNREACHABLE: return "unreachable";
	case WASMD_TRAP_MEMORY_OUT_OF_BOUNDS: return "memory out of bounds";
	case WASMD_TRAP_TABLE_OUT_OF_BOUNDS: return "table out of bounds";
	case WASMD_TRAP_DIV_BY_ZERO: return "integer divide by zero";
	case WASMD_TRAP_INTEGER_OVERFLOW: return "integer overflow";
	case WASMD_TRAP_INVALID_CONVERSION:
		return "invalid conversion to integer";
	case WASMD_TRAP_INDIRECT_CALL_TYPE_MISMATCH:
		return "indirect call type mismatch";
	case WASMD_TRAP_UNDEFINED_ELEMENT: return "undefined element";
	case WASMD_TRAP_UNINITIALIZED_ELEMENT: return "uninitialized element";
	case WASMD_TRAP_CALL_STACK_EXHAUSTED: return "call stack exhausted";
	case WASMD_TRAP_OUT_OF_FUEL: return "out of fuel";
	case WASMD_TRAP_INTERRUPTED: return "interrupted";
	case WASMD_TRAP_HOST: return "host error";
	}
	return "unknown trap";
}

static int parse_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
parse_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Reads an unsigned magnitude in decimal or 0x hex, the whole of s.
 * strtoull alone would also take spaces, a sign or an octal 0 prefix.
 */
static int
parse_magnitude(const char *s, uint64_t *out)
{
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!isxdigit((unsigned char)s[0]) ||
	    (base == 10 && !isdigit((unsigned char)s[0])))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, base);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/* An integer of `bits` bits, signed or (wrapping) unsigned spelling. */
static int
parse_int(
    const char *text, unsigned bits, int64_t *out, char *err, size_t errlen)
{
	uint64_t mag, max_pos = bits == 32 ? UINT32_MAX : UINT64_MAX;
	uint64_t max_neg = (uint64_t)1 << (bits - 1);
	bool neg = text[0] == '-';
	const char *s = text + (text[0] == '-' || text[0] == '+');

	if (parse_magnitude(s, &mag) < 0)
		return parse_fail(
		    err, errlen, "'%s' is not an i%u", text, bits);
	if ((neg && mag > max_neg) || (!neg && mag > max_pos))
		return parse_fail(
		    err, errlen, "'%s' is out of range for i%u", text, bits);
	/* Two's complement without signed overflow. */
	*out = (int64_t)(neg ? (uint64_t)0 - mag : mag);
	return 0;
}

/*
 * "nan", "nan:0xPAYLOAD" and "inf"/"infinity" after an optional sign.
 * Returns 1 when text was one of these (*bits set), 0 when it is not,
 * -1 for a bad payload.
 */
static int
parse_special_float(
    const char *text, bool is64, uint64_t *bits, char *err, size_t errlen)
{
	uint64_t mant_mask = is64 ? 0xfffffffffffffull : 0x7fffffull;
	uint64_t exp_mask = is64 ? 0x7ff0000000000000ull : 0x7f800000ull;
	uint64_t sign = is64 ? 1ull << 63 : 1ull << 31;
	bool neg = text[0] == '-';
	const char *s = text + (text[0] == '-' || text[0] == '+');
	uint64_t payload;

	if (strcmp(s, "inf") == 0 || strcmp(s, "infinity") == 0) {
		*bits = exp_mask | (neg ? sign : 0);
		return 1;
	}
	if (strcmp(s, "nan") == 0) {
		*bits = exp_mask | (mant_mask + 1) >> 1 | (neg ? sign : 0);
		return 1;
	}
	if (strncmp(s, "nan:", 4) != 0)
		return 0;
	if (strncmp(s + 4, "0x", 2) != 0 ||
	    parse_magnitude(s + 4, &payload) < 0 || payload == 0 ||
	    payload > mant_mask)
		return parse_fail(err, errlen,
		    "'%s': a NaN payload is 0x1 to 0x%" PRIx64, text,
		    mant_mask);
	*bits = exp_mask | payload | (neg ? sign : 0);
	return 1;
}

static int
parse_float(
    const char *text, bool is64, wasmd_value *out, char *err, size_t errlen)
{
	const char *name = is64 ? "f64" : "f32";
	uint64_t bits = 0;
	char *end;
	int r = parse_special_float(text, is64, &bits, err, errlen);

	if (r < 0)
		return -1;
	if (r > 0) {
		if (is64)
			out->of.f64_bits = bits;
		else
			out->of.f32_bits = (uint32_t)bits;
		return 0;
	}
	/* strtod would skip spaces and read its own nan(...) forms. */
	if (text[0] == '\0' || isspace((unsigned char)text[0]) ||
	    strpbrk(text, "nN(") != NULL)
		return parse_fail(err, errlen, "'%s' is not an %s", text, name);
	errno = 0;
	if (is64)
		out->of.f64 = strtod(text, &end);
	else
		out->of.f32 = strtof(text, &end);
	if (*end != '\0' || end == text)
		return parse_fail(err, errlen, "'%s' is not an %s", text, name);
	if (is64 ? isinf(out->of.f64) : isinf(out->of.f32))
		return parse_fail(
		    err, errlen, "'%s' is out of range for %s", text, name);
	return 0;
}

/* "i31:N": N from -2^30 to 2^31-1, kept sign-extended from 31 bits. */
static int
parse_i31(const char *text, wasmd_value *out, char *err, size_t errlen)
{
	int64_t v;

	if (parse_int(text + 4, 32, &v, NULL, 0) < 0 ||
	    v < -(INT64_C(1) << 30) || v > INT32_MAX)
		return parse_fail(err, errlen,
		    "'%s' is not an i31 (use i31:N, N from -1073741824 to "
		    "2147483647)",
		    text);
	out->is_i31 = true;
	out->of.i32 = (int32_t)((uint32_t)v << 1) >> 1;
	return 0;
}

static int
parse_ref(wasmd_valtype type, const char *text, wasmd_value *out, char *err,
    size_t errlen)
{
	const char *s = text;

	if (strcmp(text, "null") == 0) {
		out->is_null = true;
		return 0;
	}
	if (type == WASMD_ANYREF && strncmp(s, "i31:", 4) == 0)
		return parse_i31(text, out, err, errlen);
	if (strncmp(s, "ref:", 4) == 0)
		s += 4;
	if (type == WASMD_EXTERNREF && parse_magnitude(s, &out->of.ref) == 0)
		return 0;
	return parse_fail(err, errlen, "'%s' is not a valid %s (use null%s)",
	    text, wasmd_valtype_name(type),
	    type == WASMD_EXTERNREF    ? " or a handle number"
	        : type == WASMD_ANYREF ? " or i31:N"
	                               : "");
}

/* "0x" and 32 hex digits: a 128-bit little-endian number. */
static int
parse_v128(const char *text, wasmd_value *out, char *err, size_t errlen)
{
	const char *hex = text + 2;

	if (strncmp(text, "0x", 2) != 0 || strlen(hex) != 32 ||
	    strspn(hex, "0123456789abcdefABCDEF") != 32)
		return parse_fail(err, errlen,
		    "'%s' is not a v128 (use 0x and 32 hex digits)", text);
	for (int i = 0; i < 16; i++) {
		char pair[3] = {hex[30 - 2 * i], hex[31 - 2 * i], '\0'};
		out->of.v128[i] = (uint8_t)strtoul(pair, NULL, 16);
	}
	return 0;
}

int
wasmd_value_parse(wasmd_valtype type, const char *text, wasmd_value *out,
    char *err, size_t errlen)
{
	int64_t i = 0;

	memset(out, 0, sizeof *out);
	out->type = type;
	if (text == NULL)
		return parse_fail(err, errlen, "no value given");
	switch (type) {
	case WASMD_I32:
		if (parse_int(text, 32, &i, err, errlen) < 0)
			return -1;
		out->of.i32 = (int32_t)(uint32_t)i;
		return 0;
	case WASMD_I64: return parse_int(text, 64, &out->of.i64, err, errlen);
	case WASMD_F32: return parse_float(text, false, out, err, errlen);
	case WASMD_F64: return parse_float(text, true, out, err, errlen);
	case WASMD_FUNCREF:
	case WASMD_EXTERNREF:
	case WASMD_EXNREF:
	case WASMD_ANYREF: return parse_ref(type, text, out, err, errlen);
	case WASMD_V128: return parse_v128(text, out, err, errlen);
	}
	return parse_fail(err, errlen, "unknown value type %d", (int)type);
}

/* "nan", "-nan", "nan:0x1"...: canonical payloads print bare. */
static size_t
format_nan(uint64_t bits, bool is64, char *buf, size_t len)
{
	uint64_t mant_mask = is64 ? 0xfffffffffffffull : 0x7fffffull;
	bool neg = (bits >> (is64 ? 63 : 31)) & 1;
	uint64_t payload = bits & mant_mask;

	if (payload == (mant_mask + 1) >> 1)
		return (size_t)snprintf(buf, len, "%snan", neg ? "-" : "");
	return (size_t)snprintf(
	    buf, len, "%snan:0x%" PRIx64, neg ? "-" : "", payload);
}

/* The fewest significant digits that read back to the same float. */
static size_t
format_f32(const wasmd_value *v, char *buf, size_t len)
{
	char tmp[WASMD_VALUE_TEXT_MAX];

	if (isnan(v->of.f32))
		return format_nan(v->of.f32_bits, false, buf, len);
	if (isinf(v->of.f32))
		return (size_t)snprintf(
		    buf, len, v->of.f32 < 0 ? "-inf" : "inf");
	for (int prec = 1; prec <= 9; prec++) {
		float back;
		uint32_t back_bits;

		/* Bits, not ==: -0 and 0 compare equal but differ. */
		snprintf(tmp, sizeof tmp, "%.*g", prec, (double)v->of.f32);
		back = strtof(tmp, NULL);
		memcpy(&back_bits, &back, sizeof back_bits);
		if (back_bits == v->of.f32_bits)
			break;
	}
	return (size_t)snprintf(buf, len, "%s", tmp);
}

static size_t
format_f64(const wasmd_value *v, char *buf, size_t len)
{
	char tmp[WASMD_VALUE_TEXT_MAX];

	if (isnan(v->of.f64))
		return format_nan(v->of.f64_bits, true, buf, len);
	if (isinf(v->of.f64))
		return (size_t)snprintf(
		    buf, len, v->of.f64 < 0 ? "-inf" : "inf");
	for (int prec = 1; prec <= 17; prec++) {
		double back;
		uint64_t back_bits;

		snprintf(tmp, sizeof tmp, "%.*g", prec, v->of.f64);
		back = strtod(tmp, NULL);
		memcpy(&back_bits, &back, sizeof back_bits);
		if (back_bits == v->of.f64_bits)
			break;
	}
	return (size_t)snprintf(buf, len, "%s", tmp);
}

size_t
wasmd_value_format(const wasmd_value *v, char *buf, size_t len)
{
	switch (v->type) {
	case WASMD_I32:
		return (size_t)snprintf(buf, len, "%" PRId32, v->of.i32);
	case WASMD_I64:
		return (size_t)snprintf(buf, len, "%" PRId64, v->of.i64);
	case WASMD_F32: return format_f32(v, buf, len);
	case WASMD_F64: return format_f64(v, buf, len);
	case WASMD_FUNCREF:
	case WASMD_EXTERNREF:
	case WASMD_EXNREF:
	case WASMD_ANYREF:
		if (v->is_null)
			return (size_t)snprintf(buf, len, "null");
		if (v->type == WASMD_ANYREF && v->is_i31)
			return (size_t)snprintf(
			    buf, len, "i31:%" PRId32, v->of.i32);
		return (size_t)snprintf(buf, len, "ref:%" PRIu64, v->of.ref);
	case WASMD_V128: {
		char hex[35] = "0x";
		for (int i = 0; i < 16; i++)
			snprintf(
			    hex + 2 + 2 * i, 3, "%02x", v->of.v128[15 - i]);
		return (size_t)snprintf(buf, len, "%s", hex);
	}
	}
	return (size_t)snprintf(buf, len, "?");
}

static void
print_valtypes(FILE *f, const char *label, const wasmd_valtype *t, size_t n)
{
	if (n == 0)
		return;
	fprintf(f, " (%s", label);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %s", wasmd_valtype_name(t[i]));
	fputc(')', f);
}

static void
print_limits(FILE *f, const wasmd_externtype *type)
{
	fprintf(f, " %" PRIu32, type->min);
	if (type->has_max)
		fprintf(f, " %" PRIu32, type->max);
}

char *
wc_externtype_text(const wasmd_externtype *type)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (f == NULL)
		return NULL;
	switch (type->kind) {
	case WASMD_EXTERN_FUNC:
		fputs("(func", f);
		print_valtypes(
		    f, "param", type->func.params, type->func.nparams);
		print_valtypes(
		    f, "result", type->func.results, type->func.nresults);
		break;
	case WASMD_EXTERN_TABLE:
		fputs("(table", f);
		print_limits(f, type);
		fprintf(f, " %s", wasmd_valtype_name(type->valtype));
		break;
	case WASMD_EXTERN_MEMORY:
		fputs("(memory", f);
		print_limits(f, type);
		break;
	case WASMD_EXTERN_GLOBAL:
		if (type->is_mutable)
			fprintf(f, "(global (mut %s)",
			    wasmd_valtype_name(type->valtype));
		else
			fprintf(
			    f, "(global %s", wasmd_valtype_name(type->valtype));
		break;
	}
	fputc(')', f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
