/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmd/engine.h: the public API of libwasmd-engine, a WebAssembly 2.0
 * interpreter (SIMD included, and relaxed SIMD: see we_val).
 *
 * Included by embedders, by wasmd-worker and by the spec runner. The
 * supervisor (daemon/) never includes it: it does not parse WebAssembly.
 *
 * Objects and ownership:
 *   we_module   decoded and validated bytes; immutable; owned by the caller,
 *               freed with we_module_free() after every instance made from it
 *               is gone (after the stores that hold them are freed).
 *   we_store    owns every instance, function, memory, table and global made
 *               in it; they all die with we_store_free() (or
 *               we_store_reset(), which keeps the store for reuse). One
 *               store runs one invocation at a time and is not thread-safe,
 *               except for we_store_interrupt(), which any thread or a
 *               signal handler may call.
 *   we_template a module's initial memory image, made once and shared by
 *               every instance made from it (we_template_instantiate());
 *               immutable, so any number of stores, in any threads, may
 *               use it at once. Owned by the caller.
 *   we_snapshot an instance's state after an initializer ran, to start
 *               later instances from (we_snapshot_instantiate());
 *               immutable once made, like a template. Owned by the caller.
 *   handles     we_instance, we_func, we_memory, we_table, we_global are
 *               borrowed pointers valid until their store is freed.
 *
 * Errors are values: API functions return a we_err code and describe it in
 * a we_error (code, message, byte offset). Traps are a separate kind: a call
 * returns WE_CALL_TRAP and the store holds a we_trap (kind, message,
 * backtrace).
 */
#ifndef WASMD_ENGINE_H
#define WASMD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The engine is built with hidden visibility; this API is what it exports. */
#pragma GCC visibility push(default)

/* ---- Errors ------------------------------------------------------------ */

typedef enum we_err {
#define WE_ERR(name, text) name,
#include <wasmd/engine_errors.def>
#undef WE_ERR
	WE_ERR__COUNT
} we_err;

/* A short fixed description of an error code; never NULL. */
const char *we_strerror(we_err code);

#define WE_MSG_MAX 256

typedef struct we_error {
	we_err code;
	char message[WE_MSG_MAX]; /* what is wrong and where, for a user */
	size_t offset;            /* byte offset in the module, or SIZE_MAX */
} we_error;

/* ---- Types and values -------------------------------------------------- */

typedef enum we_valtype {
	WE_I32 = 0x7f,
	WE_I64 = 0x7e,
	WE_F32 = 0x7d,
	WE_F64 = 0x7c,
	WE_V128 = 0x7b, /* 128-bit vector (SIMD) */
	WE_FUNCREF = 0x70,
	WE_EXTERNREF = 0x6f,
	/* A caught exception (3.0 exception handling), held in a we_val's
	   externref field: opaque, and only ever null or one the store gave. */
	WE_EXNREF = 0x69,
	/*
	 * The other abstract reference types of 3.0: anyref, whose values
	 * are null, i31 references and GC objects (see "GC" below), and the
	 * bottom types, whose only value is
	 * null: nullref (below anyref), nullfuncref (below every function
	 * reference type), nullexternref and nullexnref. A host sees a value
	 * of a bottom type as one of its top type (WE_FUNCREF, WE_EXTERNREF,
	 * WE_EXNREF; WE_ANYREF for nullref), always null, and may pass only
	 * null for any of them.
	 */
	WE_ANYREF = 0x6e,
	WE_NULLREF = 0x71,
	WE_NULLEXTERNREF = 0x72,
	WE_NULLFUNCREF = 0x73,
	WE_NULLEXNREF = 0x74,
	/*
	 * The abstract GC heap types of 3.0, below anyref: eqref, and below
	 * it i31ref, structref and arrayref (nullref is below them all). See
	 * "GC" below for what of GC the engine runs.
	 */
	WE_EQREF = 0x6d,
	WE_I31REF = 0x6c,
	WE_STRUCTREF = 0x6b,
	WE_ARRAYREF = 0x6a,
} we_valtype;

/*
 * Typed references (3.0 typed function references). A reference type is
 * a heap type and whether it admits null: WE_FUNCREF, WE_EXTERNREF and
 * WE_EXNREF are the nullable abstract ones; a type or'ed with
 * WE_REF_NONNULL admits no null ((ref func) is WE_FUNCREF |
 * WE_REF_NONNULL); WE_REF_TYPE(x) is (ref null x), a reference to a
 * function of type x of the module that declares it (the index is that
 * module's; in the type of a global or table object, x is the store's
 * number for that type, so that instances of different modules can share
 * them). A host sees and passes the values of any function reference
 * type as funcref values (we_val.type WE_FUNCREF).
 *
 * Rec groups and declared subtypes (3.0): a module's types come in
 * recursive groups (a plain function type is a final group of one), and
 * a type may declare a non-final supertype whose structure it matches
 * (parameters contravariant, results covariant). Type equivalence is
 * iso-recursive: two types are the same when they sit at the same place
 * of equivalent groups, whichever module declares them. A store gives
 * every distinct type one number, so that:
 *   - call_indirect and return_call_indirect run a function whose type
 *     is the expected one or declares it as a supertype (directly or
 *     not), and trap with WE_TRAP_INDIRECT_CALL_TYPE_MISMATCH otherwise;
 *   - a function import accepts a function of the same type or of a
 *     declared subtype, a tag import one of the same type;
 *   - a host function's type (we_func_new_host()) is a final group of
 *     one with no supertype: it matches an import of a plain function
 *     type of the same parameters and results, not one declared with
 *     sub (non-final) nor one inside a larger rec group.
 * we_functype shows only the parameters and results, not the group or
 * the supertype: two functions with equal we_functypes may still have
 * types that do not match.
 */
#define WE_REF_NONNULL 0x100
#define WE_REF_TYPEIDX 0x200
#define WE_REF_TYPE(x) ((we_valtype)(WE_REF_TYPEIDX | ((uint32_t)(x) << 10)))
#define WE_REF_TYPE_INDEX(t) ((uint32_t)(t) >> 10)

/*
 * The name of a value type ("i32", "funcref", "(ref 3)"...); never NULL.
 * A typed reference's name is in a static buffer of the calling thread,
 * valid until its fourth call after.
 */
const char *we_valtype_name(we_valtype t);

typedef struct we_func we_func;
typedef struct we_memory we_memory;
typedef struct we_table we_table;
typedef struct we_global we_global;
typedef struct we_instance we_instance;
typedef struct we_store we_store;
typedef struct we_module we_module;
typedef struct we_template we_template;
typedef struct we_snapshot we_snapshot;

typedef struct we_tag we_tag;

/*
 * A typed value. Floats may be read as numbers or as their exact bits (the
 * union members overlap); NaN payloads are preserved bit for bit. A null
 * reference is a NULL funcref or externref. A v128 is its 16 bytes in
 * WebAssembly memory order: byte 0 is the low byte of lane 0, whatever
 * the lane shape (i8x16 ... f64x2), so the lanes are little-endian.
 *
 * SIMD: every fixed-width SIMD instruction of WebAssembly 2.0 and the
 * relaxed SIMD instructions of 3.0 run. Each relaxed instruction behaves
 * one fixed way, the same on every host CPU:
 *   i8x16.relaxed_swizzle          as i8x16.swizzle (index >= 16 gives 0)
 *   i32x4.relaxed_trunc_*          as i32x4.trunc_sat_* (NaN 0, clamped)
 *   f32x4/f64x2.relaxed_madd       x * y + z, rounded twice (not fused);
 *   f32x4/f64x2.relaxed_nmadd      -(x * y) + z, the same
 *   i*.relaxed_laneselect          bit by bit, as v128.bitselect
 *   f32x4/f64x2.relaxed_min/max    as f32x4.min/max (NaN in, NaN out;
 *                                  -0 below +0)
 *   i16x8.relaxed_q15mulr_s        as i16x8.q15mulr_sat_s
 *   i16x8.relaxed_dot_i8x16_i7x16_s   both operands signed, pair sums
 *                                  wrap to 16 bits
 *   i32x4.relaxed_dot_i8x16_i7x16_add_s   the same 16-bit pair sums,
 *                                  each sign-extended, added in 32 bits
 *                                  (wrapping) to the third operand
 */
typedef struct we_val {
	we_valtype type;
	union {
		int32_t i32;
		int64_t i64;
		float f32;
		double f64;
		uint32_t f32_bits;
		uint64_t f64_bits;
		we_func *funcref;
		void *externref;
		uint8_t v128[16];
	} of;
} we_val;

/*
 * GC (3.0):
 *   - struct and array types (with i8/i16 and mutable fields) in rec
 *     groups and sub declarations: decoded, canonicalised (iso-recursive
 *     equivalence over field types and mutability) and their declared
 *     supertypes validated (width and depth subtyping; immutable fields
 *     covariant, mutable ones invariant);
 *   - the abstract heap types eq, i31, struct and array, with any > eq >
 *     {i31, struct, array} > none, and (ref null? $t) of a struct (array)
 *     type below struct (array);
 *   - i31 references: ref.i31 (in constant expressions too), i31.get_s,
 *     i31.get_u, and ref.eq;
 *   - struct and array objects: struct.new(_default), struct.get(_s/_u),
 *     struct.set, array.new(_default, _fixed, _data, _elem),
 *     array.get(_s/_u), array.set, array.len, array.fill, array.copy,
 *     array.init_data and array.init_elem. A null struct or array
 *     reference traps with WE_TRAP_NULL_REFERENCE ("null structure
 *     reference", "null array reference"), an index past an array's end
 *     with WE_TRAP_ARRAY_OUT_OF_BOUNDS;
 *   - extern.convert_any and any.convert_extern: converting back gives
 *     the same reference (ref.eq to the original; the host's own pointer
 *     for a host externref), null stays null, and a host externref
 *     converted to any is a value of any but not of eq;
 *   - ref.test, ref.cast, br_on_cast and br_on_cast_fail, on any
 *     reference (a function against a function type, a struct or array
 *     against its type, by their declared supertypes); a failed ref.cast
 *     traps with WE_TRAP_CAST_FAILURE.
 * Constant expressions (globals, element segments, table initialisers)
 * take struct.new(_default), array.new(_default, _fixed) and the two
 * conversions, but not yet a struct.new or array.new of a v128 value
 * (refused as invalid, "not supported yet").
 *
 * Objects are owned by their store, each charged to its max_store_bytes
 * (its bytes plus a few dozen of bookkeeping), and a collector frees
 * those the guest can no longer reach: a non-moving mark-sweep that runs
 * during a call, before an allocation, once the objects made since the
 * last collection pass what that one kept alive (at least 1 MiB), and
 * when an allocation would pass the limit; or when the host calls
 * we_store_collect(). A guest whose live objects fit its limit may
 * allocate garbage forever; one whose live objects do not traps
 * (WE_TRAP_HOST, "out of memory for a GC object ...") instead of
 * exhausting the process. The roots are the running call's value stack,
 * the store's globals, tables and element segments, and its exceptions
 * (which live as long as the store). A collection's work is not charged
 * to fuel.
 *
 * A reference the host holds outside the store (a result it kept, an
 * argument a host function stored) keeps nothing alive: the object may
 * be freed by a later collection, and a stale reference passed back is
 * refused like any pointer that is not an object of the store (as an
 * argument, a host function's result, a global's or table's value); if a
 * new object took its address, it is that object (checked against the
 * expected type, so never unsafe). A stale externref (extern.convert_any
 * of an object) is an opaque host pointer like any other: converted back
 * with any.convert_extern, it is boxed, or the object now at its
 * address. To keep an object across calls, the host stores it in a
 * global or a table of the store.
 *
 * A host sees a reference to a struct, an array or a converted value as
 * an anyref (we_val.type WE_ANYREF, the pointer in of.externref; also
 * for the results of a function whose type names a struct or array
 * type): opaque, it may pass it back to the store it came from (checked:
 * a pointer that is not one of the store's objects is refused as an
 * argument), but it cannot read fields. A null for a parameter of a
 * typed reference type may be passed as a null of any reference type
 * (the daemon passes one of a struct type as a null funcref). Through
 * the daemon, non-null anyrefs other than i31s do not cross processes.
 *
 * An i31 reference is held, in a we_val of type WE_ANYREF (a host sees
 * eqref and i31ref values as anyref), as the word (x << 1) | 1 of its 31
 * bits in of.externref; null is NULL. A host makes one with we_i31ref()
 * and reads one with we_val_i31(); it may pass one where an anyref,
 * eqref or i31ref is expected.
 */

/*
 * any.convert_extern and extern.convert_any for a host: *out is the
 * anyref (externref) the instruction would make of ext (any) in store s,
 * with the same identity rules. False when ext is not an externref (any
 * not an anyref, or one that is not null, an i31 or an object of s), or
 * when the box a conversion makes does not fit the store's limit.
 */
bool we_any_convert_extern(we_store *s, we_val ext, we_val *out);
bool we_extern_convert_any(we_store *s, we_val any, we_val *out);

/* An anyref holding the i31 reference of the low 31 bits of x. */
we_val we_i31ref(int32_t x);

/*
 * Whether v is an anyref (or eqref, i31ref) holding an i31 reference:
 * then *out is its value sign-extended from 31 bits (i31.get_s). False
 * for null or any other value.
 */
bool we_val_i31(we_val v, int32_t *out);

typedef struct we_functype {
	uint32_t nparams;
	uint32_t nresults;
	const we_valtype *params;  /* nparams entries */
	const we_valtype *results; /* nresults entries */
} we_functype;

typedef struct we_limits {
	uint32_t min;
	uint32_t max;
	bool has_max;
} we_limits;

typedef struct we_tabletype {
	we_valtype elem; /* WE_FUNCREF or WE_EXTERNREF */
	we_limits limits;
	bool addr64; /* a 64-bit table (table64): i64 indices and sizes */
} we_tabletype;

typedef struct we_memtype {
	we_limits limits; /* in 64 KiB pages */
	/* A 64-bit memory (memory64): i64 addresses and sizes. Its size is
	   bounded as a 32-bit memory's (max_memory_pages). */
	bool addr64;
} we_memtype;

typedef struct we_globaltype {
	we_valtype type;
	bool mutable_;
} we_globaltype;

typedef enum we_externkind {
	WE_EXTERN_FUNC = 0,
	WE_EXTERN_TABLE = 1,
	WE_EXTERN_MEMORY = 2,
	WE_EXTERN_GLOBAL = 3,
	WE_EXTERN_TAG = 4, /* an exception tag (3.0) */
} we_externkind;

typedef struct we_externtype {
	we_externkind kind;
	union {
		we_functype func;
		we_tabletype table;
		we_memtype memory;
		we_globaltype global;
		we_functype tag; /* the tag's parameters; no results */
	} of;
} we_externtype;

/* ---- Modules ----------------------------------------------------------- */

/*
 * Decodes and fully validates a module. The bytes are copied; the caller
 * keeps its buffer. Returns NULL on failure with err filled (code
 * WE_ERR_MALFORMED or WE_ERR_INVALID, a message naming the section and
 * function where it applies, and the byte offset).
 * own: the result, freed with we_module_free().
 */
we_module *we_module_new(const uint8_t *bytes, size_t len, we_error *err);

/*
 * we_module_new under WebAssembly 2.0's rules where 3.0 accepts more and a
 * 2.0 module must be refused: a constant expression is one instruction,
 * and its global.get names only an imported global (3.0 allows the add,
 * sub and mul of i32 and i64, and global.get of any earlier immutable
 * global). For checking a module against the 2.0 spec (the 2.0 test
 * suite); everything else is as we_module_new.
 * own: the result, freed with we_module_free().
 */
we_module *we_module_new_wasm2(const uint8_t *bytes, size_t len, we_error *err);

/* Validates without keeping a module. Returns WE_OK or the error. */
we_err we_validate(const uint8_t *bytes, size_t len, we_error *err);

void we_module_free(we_module *m);

/*
 * Imports and exports. Strings and types are borrowed from the module and
 * live as long as it does. Index must be below the count.
 */
typedef struct we_importdesc {
	const char *module;
	const char *name;
	we_externtype type;
} we_importdesc;

typedef struct we_exportdesc {
	const char *name;
	we_externtype type;
	uint32_t index; /* in the index space of its kind */
} we_exportdesc;

uint32_t we_module_import_count(const we_module *m);
void we_module_import(const we_module *m, uint32_t i, we_importdesc *out);
uint32_t we_module_export_count(const we_module *m);
void we_module_export(const we_module *m, uint32_t i, we_exportdesc *out);

/* Looks up an export by name; false when there is none. */
bool we_module_find_export(
    const we_module *m, const char *name, we_exportdesc *out);

/*
 * The type a host's values of type t (a type of m's imports or exports)
 * carry: a reference type as the nullable top of its hierarchy (funcref,
 * externref, exnref or anyref; a typed reference to a function type is a
 * funcref, to a struct or array type an anyref), any other type itself.
 * With m NULL, a typed reference is taken as a function reference.
 */
we_valtype we_module_host_type(const we_module *m, we_valtype t);

/*
 * The first custom section called name: its payload, borrowed from the
 * module. Returns false when there is none.
 */
bool we_module_custom_section(
    const we_module *m, const char *name, const uint8_t **data, size_t *len);

/* From the name section: NULL when absent. Borrowed from the module. */
const char *we_module_name(const we_module *m);
const char *we_module_func_name(const we_module *m, uint32_t func_index);

/* ---- Stores, limits, fuel and interrupts ------------------------------- */

typedef struct we_config {
	uint32_t max_call_depth;   /* wasm frames; 0 = default (10000) */
	size_t max_stack_bytes;    /* value stack; 0 = default (8 MiB) */
	uint32_t max_memory_pages; /* per memory; 0 = 65536 (4 GiB) */
	uint32_t max_table_elems;  /* per table; 0 = default (10,000,000); at
				      most 2^32 - 2 */
	/*
	 * What a guest may make the store allocate, in bytes, all objects
	 * together: memory pages (64 KiB each), table elements and element
	 * segments (8 bytes per reference), globals (16 bytes each). Past it,
	 * instantiation fails with WE_ERR_LIMIT and memory.grow/table.grow
	 * return -1. 0 = max_memory_pages * 64 KiB, so that one memory limit
	 * bounds everything.
	 */
	uint64_t max_store_bytes;
} we_config;

/*
 * A store with these limits (NULL: the defaults).
 * own: the result, freed with we_store_free(), which frees everything in it.
 */
we_store *we_store_new(const we_config *config);
void we_store_free(we_store *s);

/*
 * Empties s for reuse, as if it were freed and made again with the same
 * config, but cheaper: it keeps its value and frame stacks (made on the
 * first call: max_stack_bytes and max_call_depth frames) and its
 * bookkeeping arrays. Frees every instance, function, memory, table and
 * global made in it (host functions' env with their env_free), so every
 * handle into s dies; abandons a suspended call; clears the trap, the
 * error, a pending interrupt and the memory budget, and turns fuel off.
 * Returns WE_ERR_ARG, doing nothing, while a call is running in s (from a
 * host function).
 */
we_err we_store_reset(we_store *s);

/*
 * Collects s's unreachable GC objects now (see "GC" above), refunding
 * their bytes to max_store_bytes: every object no global, table, element
 * segment or exception reaches is freed, references the host holds
 * included. WE_ERR_ARG, doing nothing, while a call runs or is suspended
 * in s (we_store_error() says which).
 */
we_err we_store_collect(we_store *s);

/* The GC counters of a store (we_store_gc_stats). */
typedef struct we_gc_stats {
	uint64_t objects;     /* GC objects in the store now */
	uint64_t bytes;       /* what they are charged to max_store_bytes */
	uint64_t collections; /* collections run since the store was made or
				 reset */
	uint64_t freed;       /* objects those freed */
} we_gc_stats;

/* Fills *out with s's GC counters; cheap (no walk over the objects). */
void we_store_gc_stats(const we_store *s, we_gc_stats *out);

/*
 * Gives an empty store (new, or just reset: nothing made in it yet) other
 * limits, as we_store_new(config) would (NULL: the defaults), so that one
 * reused store can serve calls with different limits. Its stacks are kept
 * when max_stack_bytes and max_call_depth are unchanged, else made again
 * on the next call. Returns WE_ERR_ARG, changing nothing, when s holds an
 * object or a call is running or suspended.
 */
we_err we_store_configure(we_store *s, const we_config *config);

/*
 * Fuel: once set, each call charges per basic block and traps with
 * WE_TRAP_OUT_OF_FUEL when the budget runs out. UINT64_MAX turns metering
 * off (the default). Fuel left over stays for the next call.
 * The unit, deterministic for a given module and input: each function
 * entry and each pass through a loop header costs the number of wasm
 * instructions of the straight-line run that starts there (up to the next
 * branch, call, block boundary or loop), at least 1. A charge that does not
 * fit traps and leaves the remaining fuel unspent.
 * Compiling: a function body is compiled the first time any store calls
 * it, and that call pays WE_FUEL_PER_COMPILED_BYTE per byte of the body
 * plus 1 per declared local, before compiling, so a body too big for the
 * fuel left traps (WE_TRAP_OUT_OF_FUEL, naming the function) without the
 * work. Later calls, from any store, find the code made and pay nothing
 * for it. The charge is taken from the fuel not yet handed to the running
 * function: a trap may come up to 4096 units early. The rate: compiling
 * a byte of body took 3 to 50 ns on the machines of bench/README.md and
 * running one unit of fuel about 0.2 ns, so compiling is still cheaper in
 * fuel than in time; the rate is kept low so that the small budgets that
 * ran a function before still do (an empty body costs 8).
 */
#define WE_FUEL_PER_COMPILED_BYTE 8
void we_store_set_fuel(we_store *s, uint64_t fuel);
uint64_t we_store_fuel_remaining(const we_store *s);
uint64_t we_store_fuel_consumed(const we_store *s); /* since set_fuel */

/*
 * Asks the running (or next) call to stop with WE_TRAP_INTERRUPTED. Safe
 * from a signal handler or another thread. The request is cleared when the
 * trap is delivered.
 */
void we_store_interrupt(we_store *s);

/* ---- Host objects ------------------------------------------------------ */

typedef enum we_host_status {
	WE_HOST_OK,      /* results are filled in */
	WE_HOST_TRAP,    /* trap with the message written to call->message */
	WE_HOST_SUSPEND, /* suspend the invocation: see we_store_pending() */
} we_host_status;

typedef struct we_hostcall {
	we_store *store;
	/* The calling instance; NULL when the host called the function. */
	we_instance *caller;
	we_func *func; /* the host function being called */
	void *env;     /* as given to we_func_new_host() */
	const we_val *args;
	uint32_t nargs;
	we_val *results; /* nresults slots, typed, to fill on WE_HOST_OK */
	uint32_t nresults;
	char *message; /* WE_MSG_MAX bytes for a trap message */
} we_hostcall;

typedef we_host_status (*we_host_fn)(we_hostcall *call);

/*
 * A host function of type type (copied). env is passed to fn and, when
 * env_free is not NULL, freed with it when the store is freed. NULL
 * when type names a type by index (WE_REF_TYPE): such an index means
 * something only in its module. Borrowed: the result lives as long as
 * the store.
 */
we_func *we_func_new_host(we_store *s, const we_functype *type, we_host_fn fn,
    void *env, void (*env_free)(void *));

/* Host-created memories, tables and globals. NULL on a bad type or limit. */
we_memory *we_memory_new(we_store *s, const we_memtype *type);
we_table *we_table_new(we_store *s, const we_tabletype *type, we_val init);
we_global *we_global_new(we_store *s, const we_globaltype *type, we_val init);

typedef struct we_extern {
	we_externkind kind;
	union {
		we_func *func;
		we_table *table;
		we_memory *memory;
		we_global *global;
		we_tag *tag;
	} of;
} we_extern;

/*
 * Exception tags (WebAssembly 3.0 exception handling). A tag is an
 * identity with a type: `throw` of a tag makes an exception carrying
 * values of the tag's parameter types, and `catch` of a tag catches only
 * exceptions of that very tag (imported tags are the exporter's). type
 * must have no results; its arrays are copied. NULL when out of memory,
 * type has results or names a type by index. own: the store's. Each exception thrown is kept by the
 * store until it is freed or reset, charged to max_store_bytes: past it a
 * throw is a WE_TRAP_HOST trap ("out of memory for an exception").
 */
we_tag *we_tag_new(we_store *s, const we_functype *type);
const we_functype *we_tag_type(const we_tag *t);

/* The type of an extern. Function types are borrowed from the function. */
void we_extern_type(const we_extern *e, we_externtype *out);
const we_functype *we_func_type(const we_func *f);

/* ---- Instances --------------------------------------------------------- */

typedef struct we_import {
	const char *module;
	const char *name;
	we_extern value;
} we_import;

/*
 * Instantiates m in s. Each import of m is resolved by module and field name
 * in imports[] (order does not matter; later entries win). Runs the element
 * and data segments and the start function.
 * Returns NULL on failure: err->code is WE_ERR_LINK (an import is missing or
 * has the wrong type, see "Rec groups and declared subtypes" above: the
 * message names it), WE_ERR_TRAP (a segment or the
 * start function trapped: we_store_trap() says how), or WE_ERR_LIMIT/NOMEM.
 * Borrowed: the result lives as long as the store; m must outlive it.
 */
we_instance *we_instance_new(we_store *s, const we_module *m,
    const we_import *imports, size_t nimports, we_error *err);

/*
 * Templates: cheap fresh instances of a module instantiated many times.
 * we_template_new() applies m's active data segments once to an image of
 * its memory, held in a sealed memfd. we_template_instantiate() then makes
 * an instance whose memory maps that image copy-on-write (a few
 * microseconds whatever the data size; pages are copied only when the
 * instance writes them) instead of copying every segment. Everything else (imports, globals, tables,
 * element segments, the start function) is done per instance as
 * we_instance_new() does, and the instance behaves exactly as one it
 * would make: writes in one instance never show in another.
 *
 * When the image cannot stand for the segments (the memory is imported, a
 * data segment's offset is read from an imported global, or a segment is
 * out of bounds and must trap), or the system cannot make one (no
 * memfd_create, or RLIMIT_FSIZE below its size), the template has no image
 * and we_template_instantiate() is simply we_instance_new(). The image
 * holds at most we_template_image_size() bytes of memory while the
 * template or an instance made from it lives.
 *
 * Growing a memory made from an image may briefly need the bytes it grew
 * by since instantiation a second time in address space (RLIMIT_AS), while
 * the anonymous part moves next to the image.
 *
 * own: the result, freed with we_template_free(); NULL on failure with
 * err filled (WE_ERR_NOMEM, WE_ERR_ARG). m is borrowed and must outlive the
 * template and every instance made from it. Instances do not need the
 * template once made: it may be freed while they live.
 */
we_template *we_template_new(const we_module *m, we_error *err);
void we_template_free(we_template *t);

/* Bytes of the memory image (a multiple of the page size); 0: no image. */
size_t we_template_image_size(const we_template *t);

/*
 * As we_instance_new(s, m, imports, nimports, err) for the template's
 * module m; the same errors. Borrowed: the result lives as long as s.
 */
we_instance *we_template_instantiate(we_store *s, const we_template *t,
    const we_import *imports, size_t nimports, we_error *err);

/* ---- Snapshots (pre-initialisation) ------------------------------------ */

/*
 * A snapshot is an instance's state taken after an initializer returned
 * (the Wizer model): memory 0's bytes (only its non-zero 4 KiB blocks are
 * stored), its size, the values of the module's own globals, the size and
 * contents of its own tables, and which segments were dropped. An
 * instance made from it starts with that state: no data or element
 * segment is applied and the start function does not run again. Imported
 * globals are not part of it (they are the host's), and the imports given
 * to we_snapshot_instantiate() must be the same the snapshot was taken
 * with (a table entry naming an imported function names the function
 * imported at that index then).
 *
 * Refused (WE_ERR_ARG, saying why): modules that import a memory or a
 * table (their contents are the host's), more than one memory, a table or
 * global holding a function of another instance that is not imported, or
 * any non-null externref (a host pointer, meaningless in another process)
 * or exnref (an exception object of the store).
 * A snapshot cannot be taken while a call runs in the instance's store.
 */

/*
 * Takes inst's snapshot. own: the result, freed with we_snapshot_free();
 * NULL on failure with err filled. inst's module is borrowed by the
 * snapshot and must outlive it.
 */
we_snapshot *we_snapshot_take(const we_instance *inst, we_error *err);

/*
 * The snapshot's serialised form, to keep in a file: borrowed, valid while
 * snap lives. Versioned, checksummed, and tied to the exact module bytes.
 */
const uint8_t *we_snapshot_bytes(const we_snapshot *snap, size_t *len);

/*
 * we_snapshot_load flag: make an image of the memory, in a sealed memfd,
 * that every instance maps copy-on-write (as a template's), so that each
 * instantiation costs a few microseconds whatever the memory's size.
 * Worth it for a snapshot instantiated many times; for one instance,
 * copying the bytes is cheaper. Without it (and for we_snapshot_take()'s
 * result), or when the system cannot make a memfd, the bytes are copied.
 */
#define WE_SNAPSHOT_IMAGE 1u

/*
 * A snapshot of m from bytes saved by we_snapshot_bytes(). Never trusted:
 * a wrong version, another module, a bad checksum, sizes outside m's
 * limits, a reference to a function m does not have, or any byte out of
 * place is refused with WE_ERR_MALFORMED and a message saying which.
 * flags: 0 or WE_SNAPSHOT_IMAGE.
 * own: the result (bytes are copied); m is borrowed and must outlive it.
 */
we_snapshot *we_snapshot_load(const we_module *m, const uint8_t *bytes,
    size_t len, unsigned flags, we_error *err);

/* Bytes of memory the snapshot holds (its non-zero blocks). */
size_t we_snapshot_memory_bytes(const we_snapshot *snap);

void we_snapshot_free(we_snapshot *snap);

/*
 * An instance of the snapshot's module in s, in the snapshot's state.
 * Memory 0 maps the snapshot's image copy-on-write when it has one
 * (WE_SNAPSHOT_IMAGE), else its bytes are copied. Errors as
 * we_instance_new(), plus WE_ERR_LIMIT when the snapshot's memory or
 * tables exceed s's limits. Borrowed: the result lives as long as s.
 */
we_instance *we_snapshot_instantiate(we_store *s, const we_snapshot *snap,
    const we_import *imports, size_t nimports, we_error *err);

/* An export by name; false when there is none. */
bool we_instance_export(
    const we_instance *inst, const char *name, we_extern *out);
/* The same for a name of len bytes, which may contain NUL bytes. */
bool we_instance_export_n(
    const we_instance *inst, const char *name, size_t len, we_extern *out);
we_func *we_instance_func(const we_instance *inst, const char *name);
const we_module *we_instance_module(const we_instance *inst);

/*
 * The instance's memory or table by index in its own index space
 * (imported ones first), NULL past the last. With several memories
 * (WebAssembly 3.0), index N is the memory that instructions naming
 * memory N use; index 0 is the one a single-memory module has.
 */
we_memory *we_instance_memory(const we_instance *inst, uint32_t index);
we_table *we_instance_table(const we_instance *inst, uint32_t index);

/* ---- Calls, traps and suspended host calls ----------------------------- */

typedef enum we_call_status {
	WE_CALL_OK,        /* results are filled in */
	WE_CALL_TRAP,      /* see we_store_trap() */
	WE_CALL_SUSPENDED, /* a host function suspended; see we_store_pending() */
	WE_CALL_ERROR,     /* not run: bad arity or types, or the store is busy;
			      see we_store_error() */
} we_call_status;

typedef enum we_trap_kind {
	WE_TRAP_NONE = 0,
	WE_TRAP_UNREACHABLE,
	WE_TRAP_MEMORY_OUT_OF_BOUNDS,
	WE_TRAP_TABLE_OUT_OF_BOUNDS,
	WE_TRAP_DIV_BY_ZERO,
	WE_TRAP_INTEGER_OVERFLOW,
	WE_TRAP_INVALID_CONVERSION,
	WE_TRAP_INDIRECT_CALL_TYPE_MISMATCH,
	WE_TRAP_UNDEFINED_ELEMENT,
	WE_TRAP_UNINITIALIZED_ELEMENT,
	WE_TRAP_CALL_STACK_EXHAUSTED,
	WE_TRAP_OUT_OF_FUEL,
	WE_TRAP_INTERRUPTED,
	WE_TRAP_HOST,
	/*
	 * An exception (3.0 exception handling) that nothing caught reached
	 * the export boundary: the call ends as a trap of this kind, whose
	 * message names the tag ("uncaught exception: tag \"NAME\"", NAME
	 * the tag's export or import name in its module, else "tag N"). A
	 * null exception reference given to throw_ref is a
	 * WE_TRAP_NULL_REFERENCE instead.
	 */
	WE_TRAP_EXCEPTION,
	WE_TRAP_NULL_REFERENCE,
	WE_TRAP_CAST_FAILURE, /* ref.cast of a reference not of its type */
	/* An array instruction (GC) past the array's end: "out of bounds
	   array access". A null struct or array reference is a
	   WE_TRAP_NULL_REFERENCE whose message says which ("null structure
	   reference", "null array reference"). */
	WE_TRAP_ARRAY_OUT_OF_BOUNDS,
} we_trap_kind;

/* A stable short name for a trap kind ("out of fuel"...); never NULL. */
const char *we_trap_kind_name(we_trap_kind kind);

#define WE_TRAP_FRAMES_MAX 32

typedef struct we_trap_frame {
	uint32_t func_index; /* in the module's function index space */
	const char *name;    /* from the name section, or NULL; borrowed */
	uint32_t offset;     /* byte offset of the instruction in the module */
} we_trap_frame;

typedef struct we_trap {
	we_trap_kind kind;
	char message[WE_MSG_MAX];
	uint32_t nframes; /* innermost first, at most WE_TRAP_FRAMES_MAX */
	we_trap_frame frames[WE_TRAP_FRAMES_MAX];
} we_trap;

/*
 * Calls f with nargs arguments, which must match its parameter types, and
 * writes its results to results[0..nresults), nresults being its result
 * count. Wasm calls do not recurse on the C stack: deep recursion is a
 * WE_TRAP_CALL_STACK_EXHAUSTED trap. A trap leaves the store and its
 * instances usable for the next call.
 * A store runs one call at a time: calling into a store that is running (a
 * host function calling back into its own store) or suspended returns
 * WE_CALL_ERROR with "store is busy: ..." in we_store_error().
 */
we_call_status we_func_call(we_store *s, we_func *f, const we_val *args,
    size_t nargs, we_val *results, size_t nresults);

/* The last trap or call error of s; borrowed, valid until the next call. */
const we_trap *we_store_trap(const we_store *s);
const char *we_store_error(const we_store *s);

/*
 * A suspended host call: which import, and its arguments. Valid while the
 * call is suspended.
 */
typedef struct we_pending {
	we_func *func;      /* the host function that suspended */
	const char *module; /* import names it was linked under, or NULL */
	const char *name;
	const we_functype *type;
	const we_val *args;
	uint32_t nargs;
} we_pending;

/* The pending host call of a suspended store, or NULL if none. */
const we_pending *we_store_pending(const we_store *s);

/*
 * Resumes a suspended call: host_results are the pending host function's
 * results (typed as its signature says). results/nresults are the original
 * call's, as in we_func_call(). May suspend again.
 */
we_call_status we_resume(we_store *s, const we_val *host_results,
    size_t nhost_results, we_val *results, size_t nresults);

/* Resumes a suspended call by making the host call trap (WE_TRAP_HOST). */
we_call_status we_resume_trap(
    we_store *s, const char *message, we_val *results, size_t nresults);

/* Abandons a suspended call; the store becomes idle. */
void we_abandon(we_store *s);

/* ---- Host access to memories, tables and globals ----------------------- */

/* Borrowed: valid until the memory grows. */
uint8_t *we_memory_data(we_memory *m);
uint64_t we_memory_size(const we_memory *m); /* bytes */
uint32_t we_memory_pages(const we_memory *m);

/* Bounds-checked copies; false (nothing copied) when out of bounds. */
bool we_memory_read(const we_memory *m, uint64_t offset, void *dst, size_t len);
bool we_memory_write(
    we_memory *m, uint64_t offset, const void *src, size_t len);

/* Grows by delta pages; returns the old size in pages, or -1. */
int64_t we_memory_grow(we_memory *m, uint32_t delta);

we_val we_global_get(const we_global *g);
/* false when the global is immutable or the type does not match. */
bool we_global_set(we_global *g, we_val v);

uint32_t we_table_size(const we_table *t);
bool we_table_get(const we_table *t, uint32_t index, we_val *out);
bool we_table_set(we_table *t, uint32_t index, we_val v);
/* Grows by delta elements set to init; returns the old size, or -1. */
int64_t we_table_grow(we_table *t, uint32_t delta, we_val init);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif /* WASMD_ENGINE_H */
