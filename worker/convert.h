/* SPDX-License-Identifier: Apache-2.0 */
/*
 * convert.h: translation between the engine's types (wasmd/engine.h) and
 * the protocol's messages (proto/wasmd.proto) for the worker.
 *
 * Messages built here are allocated from a wrk_arena and freed all at once
 * after they are sent; strings in them are borrowed from the module or the
 * request they describe, which outlive the reply. Messages read from the
 * supervisor are untrusted: every conversion from protobuf checks enum
 * values and types and fails with a message instead of asserting.
 *
 * References cannot cross processes. A null reference travels as is_null;
 * a non-null externref handle h (Value.bits) becomes the opaque host
 * pointer h + 1 inside the engine, so that handle 0 is not the null
 * pointer, and goes back as h. A non-null funcref cannot be passed in and
 * comes out as an opaque non-null value with bits 0.
 *
 * Included by worker/ only.
 */
#ifndef WASMD_WORKER_CONVERT_H
#define WASMD_WORKER_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wasmd/engine.h>

#include "frame.h"

/* A list of allocations freed together; zero-initialise before use. */
typedef struct wrk_arena {
	struct wrk_chunk *head; /* own */
} wrk_arena;

/* Zeroed memory owned by the arena; NULL when out of memory. */
void *wrk_arena_alloc(wrk_arena *a, size_t size);
/* Frees everything allocated from a; a is empty and reusable afterwards. */
void wrk_arena_free(wrk_arena *a);

/* The protocol's name for an engine value type and back. */
Wasmd__ValType wrk_valtype_to_pb(we_valtype t);
bool wrk_valtype_from_pb(int pb, we_valtype *out);

/*
 * Converts n protocol values to engine values of the given types (the
 * parameters of a function or the results of a host function; type
 * indices are m's, borrowed). what names them in messages ("argument",
 * "result"). Returns false with msg (msglen bytes) filled when the count
 * or a type does not match, or a reference cannot cross processes.
 */
bool wrk_values_from_pb(const we_module *m, Wasmd__Value *const *in, size_t n,
    const we_valtype *types, size_t ntypes, const char *what, we_val *out,
    char *msg, size_t msglen);

/* n engine values as protocol values; NULL (n > 0) when out of memory. */
Wasmd__Value **wrk_values_to_pb(wrk_arena *a, const we_val *vals, size_t n);

/* Whether a client's declared host function type equals the import's. */
bool wrk_functype_equals_pb(const we_functype *t, const Wasmd__FuncType *pb);

/* Writes "(i32 i64) -> (f32)" to buf; returns buf. */
char *wrk_functype_str(const we_functype *t, char *buf, size_t len);
/* The same for a protocol function type (NULL reads as "() -> ()"). */
char *wrk_functype_pb_str(const Wasmd__FuncType *t, char *buf, size_t len);

/*
 * The description of module m (its size in bytes, its imports and exports
 * with full types); the digest is left empty for the supervisor to fill.
 * NULL when out of memory.
 */
Wasmd__ModuleInfo *wrk_module_info(
    wrk_arena *a, const we_module *m, uint64_t size);

/* A trap as the protocol's Trap, frames included; NULL on out of memory. */
Wasmd__Trap *wrk_trap_to_pb(wrk_arena *a, const we_trap *t);

#endif /* WASMD_WORKER_CONVERT_H */
