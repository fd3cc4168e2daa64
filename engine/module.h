/* SPDX-License-Identifier: Apache-2.0 */
/*
 * module.h: the decoded form of a module, shared inside the engine.
 *
 * Private to engine/. The decoder (decode.c, module.c) fills it; the
 * function-body compiler (compile.c) reads it and stores each body's code in
 * we_funcdef.code; instantiation (instance.c) reads it. A module is
 * immutable once we_module_new() returns, except for lazily compiled code.
 *
 * Index spaces follow the spec: imported entities come first. For example
 * funcs[0..nfunc_imports) are the imported functions (body == NULL) and the
 * rest are defined in the module.
 */
#ifndef WE_MODULE_H
#define WE_MODULE_H

#include <wasmd/engine.h>

/*
 * A constant expression: a single instruction, then end, is kept decoded;
 * a longer one (3.0's extended constants: i32/i64 add, sub and mul) is
 * WM_CONST_EXPR, validated by the decoder and evaluated at instantiation
 * from its bytes (constexpr.c).
 */
typedef enum wm_constop {
	WM_CONST_I32,     /* bits */
	WM_CONST_I64,     /* bits */
	WM_CONST_F32,     /* bits */
	WM_CONST_F64,     /* bits */
	WM_CONST_GLOBAL,  /* index: global.get of an (imported) global */
	WM_CONST_REFNULL, /* type: the reference type */
	WM_CONST_REFFUNC, /* index: function index */
	WM_CONST_V128,    /* bits (bytes 0..7), bits_hi (8..15) */
	WM_CONST_EXPR,    /* expr: several instructions (an i32 or i64) */
} wm_constop;

/* The deepest operand stack an extended constant expression may use. */
#define WM_CONSTEXPR_MAX_DEPTH 1024u

typedef struct wm_constexpr {
	wm_constop op;
	we_valtype type; /* the type of the value it produces */
	uint64_t bits;
	uint64_t bits_hi; /* v128 only */
	uint32_t index;
	const uint8_t *expr; /* WM_CONST_EXPR: borrowed from the module's
				bytes, the instructions through the end */
} wm_constexpr;

typedef struct wm_import {
	char *module; /* own: NUL-terminated, validated UTF-8 */
	char *name;   /* own */
	we_externkind kind;
	uint32_t index; /* into funcs/tables/mems/globals */
} wm_import;

typedef struct wm_export {
	char *name;        /* own; may hold NUL bytes: see name_len */
	uint32_t name_len; /* bytes in name, without the terminating NUL */
	we_externkind kind;
	uint32_t index;
} wm_export;

/*
 * What the type section says about type i besides its structure (3.0
 * rec groups and declared subtypes). The store keeps the same for the
 * types it interns, with store ids for indices.
 */
typedef enum wm_typekind {
	WM_KIND_FUNC = 0, /* 0x60 */
	WM_KIND_STRUCT,   /* 0x5f */
	WM_KIND_ARRAY,    /* 0x5e */
} wm_typekind;

typedef struct wm_typeinfo {
	uint32_t super;   /* the declared supertype's index, or WM_NO_SUPER */
	uint32_t group;   /* the index of the first type of its rec group */
	uint32_t group_n; /* the number of types in that rec group */
	bool final;       /* no type may declare it as its supertype */
	uint8_t kind;     /* a wm_typekind */
} wm_typeinfo;

#define WM_NO_SUPER UINT32_MAX

/*
 * A struct or array type (GC, 3.0) is a we_functype too: its fields are
 * the parameters (an array's one element is one), and it has no results.
 * A field's type is its storage type, or'ed with WM_FIELD_MUT when the
 * field is mutable: a value type or a packed type (WM_PACKED_I8 or
 * WM_PACKED_I16), neither of which is ever a value's type. WM_FIELD_MUT
 * uses a bit that no value type has (their low byte is an abstract code
 * below 0x80, or 0 or 1 for a type index).
 */
#define WM_FIELD_MUT 0x80u
#define WM_PACKED_I8 0x78u
#define WM_PACKED_I16 0x77u

/* The value type a field of type ft reads as: i32 for a packed one. */
static inline we_valtype
wm_unpacked(we_valtype ft)
{
	uint32_t t = (uint32_t)ft & ~WM_FIELD_MUT;

	return t == WM_PACKED_I8 || t == WM_PACKED_I16 ? WE_I32 : (we_valtype)t;
}

typedef struct wm_funcdef {
	uint32_t type_index;     /* into types */
	const we_functype *type; /* borrowed from types[] */
	/* Defined functions only (NULL/0 for imports): */
	uint32_t nlocals;        /* declared locals, not counting params */
	we_valtype *local_types; /* own: nlocals entries */
	const uint8_t *body;     /* borrowed from bytes: first instruction */
	const uint8_t *body_end; /* one past the final `end` */
	size_t body_offset;      /* offset of body in the module, for errors */
	void *code;              /* own (compile.c): compiled code, or NULL */
} wm_funcdef;

/* An exception tag (3.0): its type, a function type with no results. */
typedef struct wm_tag {
	uint32_t type_index;     /* into types */
	const we_functype *type; /* borrowed from types[] */
} wm_tag;

typedef struct wm_global {
	we_globaltype type;
	wm_constexpr init; /* defined globals only */
} wm_global;

typedef enum wm_segmode {
	WM_SEG_ACTIVE,
	WM_SEG_PASSIVE,
	WM_SEG_DECLARATIVE, /* elements only */
} wm_segmode;

typedef struct wm_elem {
	wm_segmode mode;
	we_valtype type;     /* WE_FUNCREF or WE_EXTERNREF */
	uint32_t table;      /* active only */
	wm_constexpr offset; /* active only */
	uint32_t count;
	wm_constexpr
	    *items; /* own: count entries (ref.func, ref.null, global) */
} wm_elem;

typedef struct wm_data {
	wm_segmode mode;
	uint32_t memory;      /* active only */
	wm_constexpr offset;  /* active only */
	const uint8_t *bytes; /* borrowed from the module's bytes */
	uint32_t len;
} wm_data;

typedef struct wm_custom {
	char *name;          /* own */
	const uint8_t *data; /* borrowed from bytes */
	size_t len;
} wm_custom;

struct we_module {
	uint8_t *bytes; /* own: a copy of what was loaded */
	size_t len;
	/*
	 * we_module_new_wasm2: constant expressions as WebAssembly 2.0 has
	 * them (one instruction; global.get of imported globals only).
	 */
	bool wasm2;

	uint32_t ntypes;
	we_functype *types;    /* own, with their valtype arrays */
	wm_typeinfo *typeinfo; /* own: ntypes entries */
	/*
	 * own: ntypes entries: the first type equivalent to each. Types are
	 * equivalent when their rec groups are (rectype.c): the same number
	 * of types, each with the same structure, finality and supertype,
	 * a type index inside the group counted from the group's start, one
	 * outside it naming equivalent types. The decoder rewrites each type
	 * index inside a type (and each supertype) to its first equivalent,
	 * so that the group of the first equivalent refers to itself.
	 */
	uint32_t *type_canon;

	uint32_t nimports;
	wm_import *imports; /* own */

	uint32_t nfuncs, nfunc_imports;
	wm_funcdef *funcs; /* own */

	uint32_t ntables, ntable_imports;
	we_tabletype *tables; /* own */
	/* own: each defined table's initial element (table i's is
	   table_inits[i - ntable_imports]): ref.null unless the table
	   section gives an expression (3.0). */
	wm_constexpr *table_inits;

	uint32_t nmems, nmem_imports;
	we_memtype *mems; /* own */

	uint32_t nglobals, nglobal_imports;
	wm_global *globals; /* own */

	uint32_t ntags, ntag_imports;
	wm_tag *tags; /* own */

	uint32_t nexports;
	wm_export *exports; /* own */

	bool has_start;
	uint32_t start;

	uint32_t nelems;
	wm_elem *elems; /* own */

	bool has_datacount;
	uint32_t datacount;
	uint32_t ndatas;
	wm_data *datas; /* own */

	/*
	 * Functions that may be named by ref.func in code: those referenced
	 * in element segments, exports or global initialisers (C.refs).
	 * own: nfuncs flags.
	 */
	bool *func_declared;

	uint32_t ncustoms;
	wm_custom *customs; /* own */

	char *name;        /* own, from the name section, or NULL */
	char **func_names; /* own: nfuncs entries, each NULL or owned */
};

/*
 * The value of WM_CONST_EXPR e in inst, whose globals before those e may
 * name are set (constexpr.c). e was validated by the decoder. *ok false
 * (the value 0, the store's trap saying why) when a GC object it makes
 * does not fit the store's limit.
 */
uint64_t wm_constexpr_eval(
    const we_instance *inst, const wm_constexpr *e, bool *ok);

/*
 * Whether a value of type sub may stand where one of type super is
 * expected, in module m (3.0 subtyping without GC): a type is its own
 * subtype, (ref x) of (ref null x), (ref null? $t) of (ref null? func),
 * and (ref $t) of (ref $u) when $t is equivalent to $u or to a type
 * that declares $u as its supertype, directly or not (wm_heap_sub).
 * m may be NULL when neither type names a type by index. module.c.
 */
bool wm_subtype(const we_module *m, we_valtype sub, we_valtype super);

/*
 * Whether h (a reference type without WE_REF_NONNULL) is an abstract heap
 * type this engine has: func, extern, exn, any or a bottom type.
 */
static inline bool
wm_is_abstract_heap(uint32_t h)
{
	switch (h) {
	case WE_FUNCREF:
	case WE_EXTERNREF:
	case WE_EXNREF:
	case WE_ANYREF:
	case WE_NULLREF:
	case WE_NULLFUNCREF:
	case WE_NULLEXTERNREF:
	case WE_NULLEXNREF:
	case WE_EQREF:
	case WE_I31REF:
	case WE_STRUCTREF:
	case WE_ARRAYREF: return true;
	}
	return false;
}

/* ---- rectype.c: rec groups, for the decoder and the store ------------- */

/*
 * Types are arrays of we_functype with a wm_typeinfo each, whose type
 * indices (in value types and supertypes) name entries of the same
 * arrays: a module's types, or a store's with store ids.
 */

/*
 * A hash of the rec group of n types from start, which counts a type
 * index inside the group from its start: equal for equivalent groups
 * whose outside indices are canonical (the same index for equivalent
 * types).
 */
uint32_t wm_group_hash(const we_functype *types, const wm_typeinfo *info,
    uint32_t start, uint32_t n);

/*
 * Whether the rec group of n types from a (in ta, ia) is equivalent to
 * the one of n types from b (in tb, ib), their outside indices being
 * canonical in one and the same index space.
 */
bool wm_group_equal(const we_functype *ta, const wm_typeinfo *ia, uint32_t a,
    const we_functype *tb, const wm_typeinfo *ib, uint32_t b, uint32_t n);

/*
 * The slot of an open-addressing index of slots entries (a power of two,
 * not full) that holds a group equivalent to the n types from start, or
 * the free slot where it belongs. An entry is the index of a group's
 * first type + 1, 0 when free; types and info hold both groups.
 */
uint32_t wm_group_find(const uint32_t *index, uint32_t slots,
    const we_functype *types, const wm_typeinfo *info, uint32_t start,
    uint32_t n);

/*
 * Whether type a is a subtype of type b: equivalent to b, or declaring a
 * subtype of b as its supertype. canon maps each index to its canonical
 * one (a module's type_canon), or is NULL when indices are canonical (a
 * store's ids). Supertypes have lower indices, so this ends.
 */
bool wm_heap_sub(
    const wm_typeinfo *info, const uint32_t *canon, uint32_t a, uint32_t b);

/*
 * The nullable top of reference type t's hierarchy (funcref, externref,
 * exnref or anyref), a type index's kind read in info (a function type
 * without it).
 */
we_valtype wm_heap_top(const wm_typeinfo *info, we_valtype t);

/* wm_subtype over info and canon as for wm_heap_sub. */
bool wm_valtype_sub(const wm_typeinfo *info, const uint32_t *canon,
    we_valtype sub, we_valtype super);

/*
 * Whether type sub (structure ts) matches its declared supertype super
 * (structure tp) of the same info: the same kind; function types as
 * wm_functype_sub; a struct type has the supertype's fields first, each
 * the same mutability and, mutable, the same type, immutable, a subtype
 * (an array type its one element so).
 */
bool wm_type_sub(const wm_typeinfo *info, const uint32_t *canon, uint32_t sub,
    const we_functype *ts, uint32_t super, const we_functype *tp);

/*
 * Whether function type sub matches function type super (3.0): as many
 * parameters and results, each parameter of super a subtype of sub's
 * (contravariant) and each result of sub a subtype of super's.
 */
bool wm_functype_sub(const wm_typeinfo *info, const uint32_t *canon,
    const we_functype *sub, const we_functype *super);

#endif /* WE_MODULE_H */
