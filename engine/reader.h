/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reader.h: a bounds-checked reader over module bytes, used by the decoder
 * (decode.c, names.c) and by the function-body compiler (compile.c).
 *
 * Private to engine/. Every read checks what is left and, on failure, fills
 * the reader's we_error (WE_ERR_MALFORMED, a message naming the current
 * section and the byte offset) and returns false. After the first failure
 * the reader stays failed: callers may chain reads and test once.
 *
 * Integers follow the spec's LEB128 rules exactly: at most ceil(N/7) bytes
 * ("integer representation too long"), and the unused bits of the last byte
 * must be zero (unsigned) or a sign extension (signed) ("integer too
 * large").
 */
#ifndef WE_READER_H
#define WE_READER_H

#include <stdarg.h>

#include <wasmd/engine.h>

typedef struct wrd_reader {
	const uint8_t *base;  /* borrowed: the module's first byte (offsets) */
	const uint8_t *p;     /* borrowed: the next byte to read */
	const uint8_t *end;   /* borrowed: one past the last readable byte */
	const uint8_t *limit; /* borrowed: the end of the enclosing input
				 (>= end), for length checks */
	const char *where;    /* static: "type section"... for messages */
	we_error *err;        /* borrowed: where failures are written; may be
				NULL when the caller only wants true/false */
	bool failed;
	/* Type indices a typed reference may name: those below ntypes
	   (UINT32_MAX, wrd_init's: any). */
	uint32_t ntypes;
} wrd_reader;

/*
 * A reader over [p, end) of a module starting at base; limit is set to end.
 * A decoder reading one section sets end to the section's end and keeps
 * limit at the module's: running past end is then "unexpected end of
 * section or function", past limit "unexpected end", and a length that
 * runs past limit "length out of bounds", as the spec's messages go.
 */
void wrd_init(wrd_reader *r, const uint8_t *base, const uint8_t *p,
    const uint8_t *end, we_error *err);

/* Bytes left, and the offset of the next byte in the module. */
size_t wrd_left(const wrd_reader *r);
size_t wrd_offset(const wrd_reader *r);
bool wrd_at_end(const wrd_reader *r);

/*
 * Records a failure at the current offset (the first one wins) and returns
 * false. The message is prefixed with r->where when set.
 */
bool wrd_fail(wrd_reader *r, we_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool wrd_fail_at(wrd_reader *r, size_t offset, we_err code, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
bool wrd_vfail_at(wrd_reader *r, size_t offset, we_err code, const char *fmt,
    va_list ap) __attribute__((format(printf, 4, 0)));

bool wrd_u8(wrd_reader *r, uint8_t *out);
bool wrd_u32(wrd_reader *r, uint32_t *out);
bool wrd_u64(wrd_reader *r, uint64_t *out);
bool wrd_s32(wrd_reader *r, int32_t *out);
bool wrd_s33(wrd_reader *r, int64_t *out);
bool wrd_s64(wrd_reader *r, int64_t *out);
/* Little-endian fixed-width float bits. */
bool wrd_f32(wrd_reader *r, uint32_t *out);
bool wrd_f64(wrd_reader *r, uint64_t *out);

/* n raw bytes, borrowed from the module. */
bool wrd_bytes(wrd_reader *r, size_t n, const uint8_t **out);

/*
 * A vector count: fails with "length out of bounds" unless count entries of
 * at least min_size bytes each could fit before limit. Callers should still
 * grow their arrays as entries are read rather than allocate count entries
 * up front (see decode.c), or pass a min_size that bounds what they do.
 */
bool wrd_count(wrd_reader *r, size_t min_size, uint32_t *out);

/*
 * A name: a u32 length and that many bytes of valid UTF-8 ("malformed UTF-8
 * encoding"). own: *out, NUL-terminated, freed with free(). *len (may be
 * NULL) is the byte length; names may contain NUL bytes.
 */
bool wrd_name(wrd_reader *r, char **out, uint32_t *len);

/* Whether [s, s+len) is valid UTF-8 (no overlongs, surrogates or >U+10FFFF). */
bool wrd_utf8_valid(const uint8_t *s, size_t len);

/*
 * A value type (numeric, vector or reference) into *out; a reference type
 * only for wrd_reftype. A reference type is a byte, or 0x63 (ref null) /
 * 0x64 (ref) and a heap type: func, extern, exn or a type index below
 * r->ntypes (see WE_REF_TYPE). wrd_heaptype reads a heap type alone, as
 * ref.null has it, into the nullable reference type of that heap type.
 */
bool wrd_heaptype(wrd_reader *r, we_valtype *out);
bool wrd_valtype(wrd_reader *r, we_valtype *out);
bool wrd_reftype(wrd_reader *r, we_valtype *out);

#endif /* WE_READER_H */
