/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime.h: the run-time objects of the engine (stores, instances,
 * functions, memories, tables, globals) and the interface between
 * instantiation and the interpreter.
 *
 * Private to engine/. Object lifetime: every object is owned by its store and
 * freed by we_store_free(); pointers between objects are borrowed.
 *
 * Who implements what:
 *   store.c, instance.c, memory.c, table.c, global.c, hostfunc.c:
 *       the objects, type interning, linking and instantiation (wr_*).
 *   template.c: instance templates, whose memory image instances map
 *       copy-on-write.
 *   compile.c: validation and compilation of function bodies (wx_compile).
 *   interp.c, call.c: execution, traps, fuel, interrupts, suspension (wx_*
 *       and the public call API).
 */
#ifndef WE_RUNTIME_H
#define WE_RUNTIME_H

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "module.h"

#define WE_PAGE_SIZE 65536u
#define WE_DEFAULT_CALL_DEPTH 10000u
#define WE_DEFAULT_STACK_BYTES (8u << 20)
#define WE_DEFAULT_MAX_PAGES 65536u
#define WE_DEFAULT_MAX_TABLE 10000000u

/* One value in a global, a table or an interpreter slot: 8 bytes. */
typedef union wr_value {
	uint32_t i32;
	uint64_t i64;
	uint32_t f32; /* bits */
	uint64_t f64; /* bits */
	void *ref;    /* we_func * for funcref, host pointer for externref */
} wr_value;

struct we_func {
	const we_functype *type; /* borrowed: module type or store's copy */
	uint32_t type_id;        /* store-wide id: equal iff types are equal */
	we_instance *inst;       /* defining instance; NULL for host funcs */
	uint32_t index;          /* function index in inst->module */
	wm_funcdef *def;         /* inst->module->funcs[index]; NULL for host */
	we_host_fn host;         /* host functions only */
	void *env;
	void (*env_free)(void *);
};

struct we_memory {
	we_store *store; /* charged for its pages (wr_store_charge) */
	uint8_t *data;   /* own: size bytes (may be NULL when size is 0) */
	uint64_t size;   /* bytes = pages * WE_PAGE_SIZE */
	/* The first image_len bytes are a private (copy-on-write) mapping of
	   a template's image; the rest is anonymous. 0: all anonymous. */
	size_t image_len;
	uint32_t pages;
	uint32_t max_pages; /* effective maximum: type max and store limit */
	we_memtype type;    /* as declared (limits.min is the current size
			       when checked as an import) */
};

struct we_table {
	we_store *store; /* charged for its elements (wr_store_charge) */
	void **elems;    /* own: size entries; NULL is the null reference */
	uint32_t size;
	uint32_t max; /* effective maximum: type max and store limit */
	we_tabletype type;
};

struct we_global {
	we_store *store; /* for the host's view of GC references */
	we_globaltype type;
	wr_value value; /* a v128's bytes 0..7 */
	wr_value hi;    /* a v128's bytes 8..15; moved with value as one */
};

/* An exception tag (exn.c): its identity is its address. */
struct we_tag {
	const we_functype *type; /* borrowed: module type or own copy */
	uint32_t type_id;        /* store-wide id: equal iff types are equal */
	uint32_t nslots;         /* slots its parameters take */
	const char *name;        /* borrowed: export/import name, or NULL */
	uint32_t index;          /* in its defining module (for messages) */
};

/* An exception: a tag and its values, owned by the store (exn.c). */
typedef struct wr_exn {
	const we_tag *tag;
	wr_value vals[]; /* tag->nslots */
} wr_exn;

/* An instance's copy of an element segment; count 0 once dropped. */
typedef struct wr_elemseg {
	void **refs; /* own */
	uint32_t count;
} wr_elemseg;

struct we_instance {
	we_store *store;
	const we_module *module; /* borrowed: must outlive the store */
	we_func **funcs;         /* own array: module->nfuncs */
	we_func *own_funcs;      /* own: its own funcs, one block */
	we_global *own_globals;  /* own: its own globals, one block */
	we_table **tables;       /* own array: module->ntables */
	we_memory **mems;        /* own array: module->nmems */
	we_global **globals;     /* own array: module->nglobals */
	we_tag **tags;           /* own array: module->ntags */
	uint32_t *type_ids;      /* own: module->ntypes store type ids */
	wr_elemseg *elems;       /* own: module->nelems */
	uint32_t *data_sizes;    /* own: module->ndatas; 0 once dropped */
};

/* What a store is doing with its single invocation. */
typedef enum wr_state {
	WR_IDLE,
	WR_RUNNING,
	WR_SUSPENDED,
} wr_state;

struct wx_exec; /* interp.c: the explicit value and frame stacks */

/* The collector's state in a store (collect.c). */
typedef struct wr_gcstate {
	/* Bytes charged for objects since the last collection. */
	uint64_t since;
	/* What the last one scanned: bytes of the objects alive after it
	   and of its roots; the next waits for as many new bytes (at least
	   WR_GC_MIN_TRIGGER), so collecting costs in proportion. */
	uint64_t work;
	uint64_t live; /* bytes charged for the objects alive after it */
	uint64_t collections;
	uint64_t freed; /* objects freed, in all */
	/* Wasm code runs (wx_run, not in a host function): every reference
	   the engine holds is in a root, so it may collect. */
	bool on;
	/* Objects made or a call begun since the last collection: one when
	   an allocation fails may free something (store.c). */
	bool changed;
} wr_gcstate;

struct we_store {
	we_config config; /* defaults filled in */

	/* Bytes of guest-driven allocations (memory pages, table elements,
	   element segments, globals), bounded by config.max_store_bytes. */
	uint64_t guest_bytes;

	/* Every object made in the store, for we_store_free(). */
	void **objects; /* own: each a malloc'd object of objkinds[i] */
	uint8_t *objkinds;
	size_t nobjects, objcap;

	/*
	 * Distinct function types, in canonical rec groups (rectype.c); a
	 * type id indexes this, and type indices inside a type (in value
	 * types and supertypes) are type ids.
	 */
	we_functype *types;    /* own, with own valtype arrays */
	wm_typeinfo *typeinfo; /* own: as many, each type's group and super */
	uint32_t ntypes, typecap;
	/* Open-addressing index over the groups (store.c): entries are the
	 * id of a group's first type + 1, 0 when free; typeslots is a power
	 * of two, at most half full. */
	uint32_t *typeindex; /* own */
	uint32_t typeslots;

	/* GC objects (gc.c): every struct, array and boxed value made in
	   the store, an open-addressing set of gcslots (a power of two, at
	   most half full, NULL when free) that frees them with the store
	   and tells an object of the store from any other pointer. */
	struct wr_gcobj **gcset; /* own */
	uint32_t gcslots, ngc;

	/* Execution: owned by interp.c/call.c. */
	struct wx_exec *exec; /* own: created on first call */
	wr_state state;
	bool fuel_on;
	uint64_t fuel;     /* remaining */
	uint64_t fuel_set; /* as last given to we_store_set_fuel */
	atomic_int interrupt;
	we_trap trap;
	char error[WE_MSG_MAX];
	we_pending pending;
	we_val *pending_args; /* own */
	uint32_t pending_cap;

	/* The collector (collect.c); last, so that adding it moved none of
	   the fields the interpreter reads. */
	wr_gcstate gc;
};

/* ---- store.c --------------------------------------------------------- */

/* Records obj (malloc'd) so the store frees it; kind says how. */
enum wr_objkind {
	WR_OBJ_FUNC,
	WR_OBJ_MEMORY,
	WR_OBJ_TABLE,
	WR_OBJ_GLOBAL,
	WR_OBJ_INSTANCE,
	WR_OBJ_TAG, /* freed with free() */
	WR_OBJ_EXN, /* freed with free() */
};
bool wr_store_adopt(we_store *s, void *obj, enum wr_objkind kind);

/*
 * The store-wide id of type t, a final function type alone in its rec
 * group that names no type by index (a host's; copied on first sight);
 * UINT32_MAX on OOM or past WR_MAX_STORE_TYPES.
 */
uint32_t wr_intern_type(we_store *s, const we_functype *t);

/*
 * The store-wide id of the first type of the canonical rec group of a
 * module's types and info (see module.h) that starts at start, whose
 * other types take the ids after it; ids holds the store ids of the
 * types before start. Copied on first sight; UINT32_MAX on OOM or past
 * WR_MAX_STORE_TYPES.
 */
uint32_t wr_intern_group(we_store *s, const we_functype *types,
    const wm_typeinfo *info, uint32_t start, const uint32_t *ids);

/* Whether store type id a is a subtype of id b (3.0 declared subtypes). */
static inline bool
wr_type_sub(const we_store *s, uint32_t a, uint32_t b)
{
	return a == b || wm_heap_sub(s->typeinfo, NULL, a, b);
}

/*
 * Charges bytes of a guest-driven allocation to s: false, with nothing
 * charged, when it would take s past config.max_store_bytes. Refund gives
 * back what an allocation freed before the store is reset.
 */
bool wr_store_charge(we_store *s, uint64_t bytes);
void wr_store_refund(we_store *s, uint64_t bytes);

/*
 * Whether t names a type by index (a typed function reference among its
 * parameters or results): such an index means something only in its
 * module, so a host function or tag may not have such a type, and an
 * import of one is matched by the types' store ids (see intern_types).
 */
bool wr_functype_typed(const we_functype *t);

/* The store ids of types stay below this, so WE_REF_TYPE holds them. */
#define WR_MAX_STORE_TYPES (1u << 20)

/* Sets s->trap (no frames) with a printf-style message. */
void wr_trap(we_store *s, we_trap_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Whether t is a reference type, typed or not (see WE_REF_TYPE). */
static inline bool
wr_is_ref(we_valtype t)
{
	uint32_t h = (uint32_t)t & ~(uint32_t)WE_REF_NONNULL;

	return wm_is_abstract_heap(h) || (h & WE_REF_TYPEIDX) != 0;
}

/* Whether heap type h (a reference type without WE_REF_NONNULL) is a
 * bottom type, whose only value is null. */
static inline bool
wr_heap_is_bottom(uint32_t h)
{
	return h >= WE_NULLREF && h <= WE_NULLEXNREF;
}

/*
 * The nullable abstract type above reference type t (WE_FUNCREF for a
 * typed function reference or nullfuncref): what the runtime and the
 * host see. Any other type is itself.
 */
static inline we_valtype
wr_ref_top(we_valtype t)
{
	if (!wr_is_ref(t))
		return t;
	if (t & WE_REF_TYPEIDX)
		return WE_FUNCREF;
	switch (t & 0xff) {
	case WE_NULLREF:
	case WE_EQREF:
	case WE_I31REF:
	case WE_STRUCTREF:
	case WE_ARRAYREF: return WE_ANYREF;
	case WE_NULLFUNCREF: return WE_FUNCREF;
	case WE_NULLEXTERNREF: return WE_EXTERNREF;
	case WE_NULLEXNREF: return WE_EXNREF;
	}
	return (we_valtype)(t & 0xff);
}

/*
 * i31 references (GC, 3.0) as engine.h says: the word (x << 1) | 1 of
 * the low 31 bits of x, never a pointer (those are aligned), null 0.
 */
static inline void *
wr_i31_ref(uint32_t x)
{
	return (void *)(uintptr_t)((x << 1) | 1u);
}

static inline bool
wr_is_i31(const void *ref)
{
	return ((uintptr_t)ref & 1u) != 0;
}

/* The value of i31 reference ref, sign-extended from 31 bits. */
static inline int32_t
wr_i31_get_s(const void *ref)
{
	return (int32_t)(uint32_t)(uintptr_t)ref >> 1;
}

/* The value of i31 reference ref, zero-extended from 31 bits. */
static inline uint32_t
wr_i31_get_u(const void *ref)
{
	return (uint32_t)(uintptr_t)ref >> 1;
}

/*
 * Whether reference ref (a slot's) is of reference type rt, whose type
 * index, if any, is one of inst's module (gc.c): null when rt admits it.
 */
bool wr_ref_test(const we_instance *inst, const void *ref, we_valtype rt);

/* The slots a value of type t takes: a v128 two, anything else one. */
static inline uint32_t
wr_width(we_valtype t)
{
	return t == WE_V128 ? 2 : 1;
}

/* The slots values of types [0, n) take, one after another. */
static inline uint64_t
wr_slots_of(uint32_t n, const we_valtype *types)
{
	uint64_t w = 0;

	for (uint32_t i = 0; i < n; i++)
		w += wr_width(types[i]);
	return w;
}

/*
 * Value conversions between the public and the slot form: v goes to
 * wr_width(v.type) slots from out; a value of type t is read from as many
 * slots from in.
 */
void wr_from_val(we_val v, wr_value *out);
we_val wr_to_val(we_valtype t, const wr_value *in);

/* ---- memory.c / table.c --------------------------------------------- */

/* Grows by delta pages or elements; returns the old size or -1. */
int64_t wr_memory_grow(we_memory *m, uint32_t delta);
int64_t wr_table_grow(we_table *t, uint32_t delta, void *init);

/*
 * Make a memory or table of type in s (adopted by s), applying the store's
 * limits. NULL on failure with err (may be NULL) filled: WE_ERR_LIMIT when
 * the minimum is above the limit, WE_ERR_NOMEM.
 */
we_memory *wr_memory_create(we_store *s, const we_memtype *type, we_error *err);
we_table *wr_table_create(
    we_store *s, const we_tabletype *type, void *init, we_error *err);

/* Unmaps the bytes of m (store.c, when the store is freed). */
void wr_memory_release(we_memory *m);

/*
 * The initial bytes of a memory, made once per template (template.c) and
 * shared by every instance made from it: len bytes (a multiple of the
 * host page size) in the sealed memfd fd, mapped privately (copy-on-write)
 * by each instance.
 */
typedef struct wr_image {
	int fd;
	size_t len;
} wr_image;

/*
 * Makes image: a sealed memfd of extent bytes rounded up to the host page
 * size, zeroed, then written by fill(arg) through a shared mapping
 * (template.c). False, with image->fd -1 and len 0, when the system cannot
 * make one (no memfd_create, or RLIMIT_FSIZE below its size).
 */
bool wr_image_make(wr_image *image, uint64_t extent,
    void (*fill)(uint8_t *image, const void *arg), const void *arg);
/* n rounded up to the host page size (at most WE_PAGE_SIZE). */
size_t wr_round_to_page(uint64_t n);

/*
 * Like wr_memory_create, but the memory starts with image's bytes (image
 * may be NULL: zeroes). image->len must not exceed the memory's size.
 */
we_memory *wr_memory_create_from(
    we_store *s, const we_memtype *type, const wr_image *image, we_error *err);

/* ---- exn.c ------------------------------------------------------------ */

/* The slots t's parameters take in a frame (a v128 takes two). */
uint32_t wr_param_slots(const we_functype *t);

/* A tag of module type type, whose store id is type_id (adopted by s),
 * or NULL when out of memory. */
we_tag *wr_tag_create(
    we_store *s, const we_functype *type, uint32_t type_id, uint32_t index);

/*
 * A new exception of tag with its values copied from vals (tag->nslots),
 * adopted and charged to s; NULL past the store's limit or out of memory.
 */
wr_exn *wr_exn_new(we_store *s, const we_tag *tag, const wr_value *vals);

/* ---- gc.c ------------------------------------------------------------- */

/*
 * GC heap objects (3.0): structs and arrays, and two boxes. Each is
 * charged to the store's memory limit (wr_store_charge); collect.c frees
 * those no root reaches, during a call, and the rest go with the store.
 *
 * An object is a 16-byte header, then its storage: a struct's fields in
 * order, each at its natural alignment in its storage size (i8 fields
 * one byte, i16 two, references and 64-bit numbers eight, v128 sixteen
 * at an 8-byte boundary), an array's len elements one after another.
 * A reference to one is its address (8-aligned: never an i31).
 *
 * The boxes: extern.convert_any of an i31 gives an externref that is a
 * WR_GC_I31BOX holding it (an i31 word could be a host's externref), and
 * any.convert_extern of a host's externref gives an anyref that is a
 * WR_GC_HOST holding it, a value of any but not of eq. Converting back
 * unboxes; a struct or array is its own externref.
 */
enum wr_gckind {
	WR_GC_STRUCT = 1,
	WR_GC_ARRAY,
	WR_GC_HOST,   /* any.convert_extern of a host externref: box */
	WR_GC_I31BOX, /* extern.convert_any of an i31: box */
};

typedef struct wr_gcobj {
	uint8_t kind;  /* an enum wr_gckind */
	uint8_t esize; /* arrays: bytes an element takes */
	uint8_t mark;  /* set while a collection finds it alive (collect.c) */
	uint8_t pad;
	uint32_t type_id; /* structs and arrays: the store's type id */
	uint32_t len;     /* arrays: elements */
	uint32_t pad2;
	/* The storage; a box's is the reference it holds (wr_gc_boxed). */
	_Alignas(8) uint8_t data[];
} wr_gcobj;

#define WR_GC_HEADER offsetof(wr_gcobj, data)

/* The reference box o holds. */
static inline void *
wr_gc_boxed(const wr_gcobj *o)
{
	void *p;

	memcpy(&p, o->data, sizeof p);
	return p;
}

/* Storage kinds of a field or an element: how it is read and written. */
enum wr_field {
	WR_F_I8,
	WR_F_I16,
	WR_F_I32, /* i32, f32 */
	WR_F_I64, /* i64, f64, references */
	WR_F_V128,
};

/* The storage kind of field type ft (a we_functype parameter with
 * WM_FIELD_MUT maybe set), its size in bytes and its alignment. */
enum wr_field wr_field_kind(we_valtype ft);
uint32_t wr_field_size(enum wr_field k);

/* Where a field of kind k goes after off bytes of fields (gc.c's layout:
 * its natural alignment, a v128's 8). */
uint64_t wr_field_align(uint64_t off, enum wr_field k);

/* The byte offset of field i of struct type st (from the storage). */
uint32_t wr_field_offset(const we_functype *st, uint32_t i);

/*
 * A new struct of module type x of inst with its fields from vals (in
 * slots, as the operand stack has them; NULL: the default values),
 * adopted and charged; NULL with s->trap set past the store's limit.
 */
wr_gcobj *wr_struct_new(
    we_store *s, const we_instance *inst, uint32_t x, const wr_value *vals);

/*
 * A new array of module type x of inst, of n elements, each init (of
 * wr_width slots; NULL: the default), or, with elems, elements from
 * elems[0..n) (slots, one after another). NULL with s->trap set.
 */
wr_gcobj *wr_array_new(we_store *s, const we_instance *inst, uint32_t x,
    uint32_t n, const wr_value *init, const wr_value *elems);

/* Reads (writes) element or field storage at p of kind k from (to) slots
 * v; packed reads sign-extend when sign. Inline: the interpreter's
 * struct.get and array.get are these. */
static inline void
wr_field_get(enum wr_field k, const uint8_t *p, wr_value *v, bool sign)
{
	switch (k) {
	case WR_F_I8: v->i32 = sign ? (uint32_t)(int32_t)(int8_t)*p : *p; break;
	case WR_F_I16: {
		uint16_t x;
		memcpy(&x, p, 2);
		v->i32 = sign ? (uint32_t)(int32_t)(int16_t)x : x;
		break;
	}
	case WR_F_I32: memcpy(&v->i32, p, 4); break;
	case WR_F_I64: memcpy(&v->i64, p, 8); break;
	case WR_F_V128: memcpy(v, p, 16); break;
	}
}

static inline void
wr_field_set(enum wr_field k, uint8_t *p, const wr_value *v)
{
	switch (k) {
	case WR_F_I8: *p = (uint8_t)v->i32; break;
	case WR_F_I16: {
		uint16_t x = (uint16_t)v->i32;
		memcpy(p, &x, 2);
		break;
	}
	case WR_F_I32: memcpy(p, &v->i32, 4); break;
	case WR_F_I64: memcpy(p, &v->i64, 8); break;
	case WR_F_V128: memcpy(p, v, 16); break;
	}
}

/* extern.convert_any and any.convert_extern (see above): NULL with
 * s->trap set when a box does not fit the store's limit. ok false then. */
void *wr_extern_convert_any(we_store *s, void *any, bool *ok);
void *wr_any_convert_extern(we_store *s, void *ext, bool *ok);

/*
 * array.new_data and array.new_elem: a new array of module type x of n
 * elements from data (element) segment y of inst at off; array.init_data
 * and array.init_elem: n elements of o from index d, from segment y at
 * src. NULL (false) with s->trap set: a null array, past the array's
 * (segment's) end, or past the store's limit.
 */
wr_gcobj *wr_array_new_data(we_store *s, const we_instance *inst, uint32_t x,
    uint32_t y, uint32_t off, uint32_t n);
wr_gcobj *wr_array_new_elem(we_store *s, const we_instance *inst, uint32_t x,
    uint32_t y, uint32_t off, uint32_t n);
bool wr_array_init_data(we_store *s, const we_instance *inst, wr_gcobj *o,
    uint32_t y, uint32_t d, uint32_t src, uint32_t n);
bool wr_array_init_elem(we_store *s, const we_instance *inst, wr_gcobj *o,
    uint32_t y, uint32_t d, uint32_t src, uint32_t n);

/* The object of s at address p, or NULL when p is not one. */
wr_gcobj *wr_gc_find(const we_store *s, const void *p);

/*
 * What a host sees of reference type t of a global or table of s (its
 * type index a store id): as wr_ref_top, but anyref for a struct or
 * array type.
 */
we_valtype wr_host_top(const we_store *s, we_valtype t);

/*
 * Whether ref, from a host, may be a value of type t (store ids) of s:
 * null where t admits it; of the any hierarchy, an i31 or an object of s
 * of that type; any other reference (its own checks are the caller's).
 */
bool wr_host_ref_ok(const we_store *s, we_valtype t, const void *ref);

/* Frees every GC object of s (store.c, when the store is freed). */
void wr_gc_free_all(we_store *s);

/*
 * Whether non-null any reference ref (an i31 or an object of s) is of
 * heap type h (a reference type without WE_REF_NONNULL) of the any
 * hierarchy, whose type index, if any, is the store type id id.
 */
bool wr_any_test(const we_store *s, const void *ref, uint32_t h, uint32_t id);

/* What object o of s was charged (gc.c): its bytes and bookkeeping. */
uint64_t wr_gc_cost(const we_store *s, const wr_gcobj *o);

/* Puts o in set, an open-addressing set of slots entries (gc.c). */
void wr_gc_set_put(wr_gcobj **set, uint32_t slots, wr_gcobj *o);

/* ---- collect.c -------------------------------------------------------- */

/*
 * The collector: a non-moving mark-sweep over the objects of gc.c. It
 * runs only while wasm code runs (s->gc.on), where every reference the
 * engine holds is in a root: the value stack (scanned conservatively),
 * the globals, tables and element segments of the store, exceptions and
 * a suspended call's host arguments. Never in a host function, while
 * instantiating nor in the host API's conversions, where C locals may
 * hold objects no root sees; between calls only when the host asks
 * (we_store_collect).
 */
#define WR_GC_MIN_TRIGGER (1u << 20)

/*
 * Charges cost bytes of a new object to s as wr_store_charge does,
 * collecting first when the bytes made since the last collection have
 * passed its threshold (and s->gc.on): false past the store's limit.
 */
bool wr_gc_charge(we_store *s, uint64_t cost);

/* Collects s's garbage now: the caller knows every root is visible. */
void wr_gc_collect(we_store *s);

/* ---- instance.c ------------------------------------------------------- */

/*
 * Instantiates m in s as we_instance_new() does. With image (for the
 * module's memory 0, which it defines), the memory starts from the image
 * and the active data segments, which the image already holds, are only
 * dropped: the caller has checked that every one has a constant offset
 * and fits in the memory's initial size.
 *
 * With snap (snapshot.c), the instance is restored instead of initialised:
 * memory 0 has the snapshot's size and starts from image (the snapshot's,
 * or NULL to have its bytes copied), and wr_snapshot_restore() sets the
 * globals, tables and dropped segments; no segment is applied and the
 * start function does not run (it ran before the snapshot was taken).
 */
we_instance *wr_instantiate(we_store *s, const we_module *m,
    const we_import *imports, size_t nimports, const wr_image *image,
    const we_snapshot *snap, we_error *err);

/* Drops an instance's element segment (elem.drop), refunding its bytes. */
void wr_elem_drop(we_store *s, wr_elemseg *seg);

/* ---- snapshot.c ------------------------------------------------------- */

/* The size in pages memory 0 has in snap. */
uint32_t wr_snapshot_pages(const we_snapshot *snap);
/*
 * Gives inst (made by wr_instantiate with snap) the snapshot's state:
 * memory bytes not in the image, defined globals, defined tables and
 * dropped segments. False with err set (WE_ERR_LIMIT when a table does not
 * fit the store's limits).
 */
bool wr_snapshot_restore(
    we_instance *inst, const we_snapshot *snap, we_error *err);

/* ---- compile.c ------------------------------------------------------- */

/*
 * Validates the body of defined function func_index of m and compiles it,
 * storing the code in m->funcs[func_index].code. On failure fills err
 * (WE_ERR_INVALID or WE_ERR_MALFORMED, naming the function and the byte
 * offset) and returns false. Called by the decoder for every body.
 */
bool wx_compile(we_module *m, uint32_t func_index, we_error *err);

/*
 * Whether b is the first byte of some instruction of opcodes.def (or a
 * prefix of some), to tell a misplaced instruction (invalid) from an
 * illegal opcode (malformed).
 */
bool wx_opcode_byte(uint8_t b);

/* Frees code made by wx_compile (NULL is fine). */
void wx_code_free(void *code);

/* ---- interp.c / call.c ------------------------------------------------ */

/* Frees s->exec (NULL is fine). */
void wx_exec_free(struct wx_exec *exec);

/*
 * The code of defined function func_index of m, compiled now if it has
 * not been yet (call.c). Compiling charges s's fuel, when metered, as
 * engine.h says (WE_FUEL_PER_COMPILED_BYTE): a charge that does not fit
 * compiles nothing. NULL with s->trap set (out of fuel, or out of memory
 * as a host trap).
 */
struct wx_code;
const struct wx_code *wx_code_metered(
    we_store *s, const we_module *m, uint32_t func_index);

#endif /* WE_RUNTIME_H */
