/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wat.h: the WebAssembly text format, converted to the binary format.
 *
 * libwasmd-wat (prefix wat_) reads one module in the text format, with the
 * abbreviations of the specification (inline imports and exports, inline
 * type uses, folded instructions, symbolic names for every index space,
 * inline element and data segments) and the script forms `(module binary
 * "...")` and `(module quote "...")`, and writes the module's binary form,
 * which the engine then decodes and validates as any other. It checks only
 * what the text grammar says (well-formed tokens, known names and
 * instructions, numbers in range); validation stays the engine's.
 *
 * Included by wasmd-worker (`wasmd run FILE.wat`), wasmctl (it converts
 * before pushing: the daemon only ever receives binary) and the spec
 * runner. Pure computation: no I/O, no global state.
 */
#ifndef WASMD_WAT_H
#define WASMD_WAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wat_error {
	char message[256]; /* what is wrong, then what was expected */
	unsigned line;     /* 1-based position of the offending token */
	unsigned col;
} wat_error;

/* True when bytes start with the binary format's magic ("\0asm"). */
bool wat_is_binary(const uint8_t *bytes, size_t len);

/* True when bytes look like the text format: the first character after
 * blanks opens a list "(" or a comment ";". */
bool wat_is_text(const uint8_t *bytes, size_t len);

/*
 * Converts text (len bytes, need not be NUL-terminated) holding one module
 * (or its fields without the `(module ...)` around them) to the binary
 * format. Returns 0 with *out and *outlen set, or -1 with err filled.
 * own: *out, freed with free().
 */
int wat_to_wasm(const char *text, size_t len, uint8_t **out, size_t *outlen,
    wat_error *err);

/*
 * For a file's contents: converts text (wat_is_text) in place (*bytes is
 * freed and replaced by the binary, *len updated); leaves anything else as
 * it is (binary, or bytes the engine refuses with its own message, such as
 * a bad magic).
 * Returns 0, or -1 with "NAME:LINE:COL: message" in msg (name is the
 * file's name for the message).
 * own: *bytes stays the caller's (free()).
 */
int wat_ensure_binary(
    uint8_t **bytes, size_t *len, const char *name, char *msg, size_t msglen);

#endif
