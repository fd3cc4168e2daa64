/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of wat/ share: the byte buffer the binary is
 * written into, the token stream, the parser's state and the index spaces.
 * Private to wat/.
 */
#ifndef WAT_INTERNAL_H
#define WAT_INTERNAL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wat.h"

/* ---- Bytes ----------------------------------------------------------- */

typedef struct wbuf {
	uint8_t *p; /* own */
	size_t len, cap;
} wbuf;

struct wparse;
void wb_byte(struct wparse *ps, wbuf *b, uint8_t v);
void wb_bytes(struct wparse *ps, wbuf *b, const void *v, size_t n);
void wb_u32(struct wparse *ps, wbuf *b, uint32_t v); /* unsigned LEB128 */
void wb_u64(struct wparse *ps, wbuf *b, uint64_t v); /* unsigned LEB128 */
void wb_s32(struct wparse *ps, wbuf *b, int32_t v);  /* signed LEB128 */
void wb_s64(struct wparse *ps, wbuf *b, int64_t v);  /* signed LEB128 */
void wb_name(struct wparse *ps, wbuf *b, const uint8_t *s, size_t n);
void wb_free(wbuf *b);
/* A temporary buffer owned by the parse (freed with it, even after an
 * error); wat_buf_done() frees it early. */
wbuf *wat_buf_new(struct wparse *ps);
void wat_buf_done(struct wparse *ps, wbuf *b);

/* ---- Tokens ---------------------------------------------------------- */

typedef enum wtok_kind {
	T_EOF,
	T_LPAREN,
	T_RPAREN,
	T_KEYWORD,  /* starts with a lowercase letter */
	T_ID,       /* $name */
	T_RESERVED, /* anything else made of idchars: numbers among them */
	T_STRING,
	T_ANNOT, /* "(@id": an annotation opens (annot.c takes them out) */
} wtok_kind;

typedef struct wtok {
	wtok_kind kind;
	const char *text; /* borrowed from the source: the token as written */
	size_t len;
	unsigned line, col;
	uint8_t *str;  /* T_STRING, and T_ID or T_ANNOT written as a string
	                  ($"x", (@"x"): the decoded bytes (own) */
	size_t strlen; /* their count */
} wtok;

/* The name an identifier or annotation token stands for: $x is "x", and
 * $"x" too (the string's bytes); (@x is "x". */
static inline const char *
wat_tok_name(const wtok *t, size_t *len)
{
	size_t skip = t->kind == T_ANNOT ? 2 : 1;

	if (t->str != NULL) {
		*len = t->strlen;
		return (const char *)t->str;
	}
	*len = t->len - skip;
	return t->text + skip;
}

/* Splits src into tokens (comments and blanks dropped); -1 with err set
 * on a malformed token; *nannots (when not NULL) counts the annotations
 * (T_ANNOT) among them. own: *toks (free() each str, then the array). */
int wat_lex(const char *src, size_t len, wtok **toks, size_t *ntoks,
    size_t *nannots, wat_error *err); /* nannots: annotations (or NULL) */
void wat_free_tokens(wtok *toks, size_t ntoks);
/* Whether s (n bytes) is well-formed UTF-8 (lex.c). */
bool wat_utf8_valid(const uint8_t *s, size_t n);

/* ---- Numbers (num.c) ------------------------------------------------- */

/* Each returns false when the token is not such a number or is out of
 * range; the value goes to *out (floats as their bits). */
bool wat_parse_u32(const wtok *t, uint32_t *out);
bool wat_parse_u64(const wtok *t, uint64_t *out); /* unsigned, no sign */
/* A signed or unsigned integer of bits (8 to 64) bits, as its two's
 * complement. */
bool wat_parse_int(const wtok *t, unsigned bits, uint64_t *out);
bool wat_parse_i32(const wtok *t, uint32_t *out); /* signed or unsigned */
bool wat_parse_i64(const wtok *t, uint64_t *out);
bool wat_parse_f32(const wtok *t, uint32_t *out);
bool wat_parse_f64(const wtok *t, uint64_t *out);

/* ---- Index spaces ---------------------------------------------------- */

typedef struct wname {
	const char *id; /* borrowed: the $name's name (wat_tok_name), or NULL */
	size_t len;
} wname;

typedef struct wspace {
	wname *names; /* own: one per index */
	uint32_t n, cap;
	const char *what; /* "function", "type"... for messages */
} wspace;

typedef struct wfunctype {
	uint32_t nparams, nresults;
	uint8_t *types;     /* own: params then results, as encoded */
	uint32_t plen, len; /* bytes of the params, of all the types */
	/* A type written as more than (func ...) (3.0: sub, final, struct,
	 * array, or in a rec group): its encoding as a subtype, else NULL
	 * (written from the fields above). */
	uint8_t *def; /* own */
	uint32_t deflen;
	bool is_func;   /* a function type (params and results above) */
	bool plain;     /* a final function type of its own: implicit type uses
	                 may pick it */
	uint32_t rec_n; /* the first of (rec ...): its size; else 0 */
	bool in_rec;    /* a member of (rec ...) */
	wspace fields;  /* a struct type's field names (struct.get $t $f) */
} wfunctype;

enum {
	SP_TYPE,
	SP_FUNC,
	SP_TABLE,
	SP_MEM,
	SP_GLOBAL,
	SP_TAG, /* 3.0 exceptions; SP_FUNC + k is import kind k */
	SP_ELEM,
	SP_DATA,
	SP__COUNT
};

/* A block's labels, innermost last, for br and the like. */
typedef struct wlabels {
	wname *names; /* own */
	uint32_t n, cap;
} wlabels;

/* A known annotation (annot.c), kept beside the token stream. */
typedef enum wannot_kind {
	A_CUSTOM, /* (@custom "name" place? "bytes"*) */
	A_NAME,   /* (@name "name") */
	A_HINT,   /* (@metadata.code.branch_hint "\00" | "\01") */
	A__COUNT
} wannot_kind;

typedef struct wannot {
	wannot_kind kind;
	size_t first, n; /* its tokens in wparse.atoks, "(@id" to ")" */
	size_t pos;      /* the index in wparse.toks it stands before */
	unsigned depth;  /* lists open around it there */
	bool used;       /* taken by the parser */
} wannot;

/* A custom section of an @custom annotation: placed at a slot of
 * wat_section_order (2i before section i, 2i + 1 after it). */
typedef struct wcustom {
	wbuf body; /* own: the name, then the bytes */
	unsigned slot;
} wcustom;

/* A branch hint: its function, the offset of its instruction in the
 * body, and the hint (0 unlikely, 1 likely). */
typedef struct whint {
	uint32_t func, offset;
	uint8_t value;
} whint;

#define WAT_OP_SLOTS 2048 /* a power of two, over twice the instructions */

typedef struct wparse {
	wtok *toks;
	size_t ntoks, pos;
	wat_error *err;
	jmp_buf fail; /* every error longjmps here after filling err */

	wspace spaces[SP__COUNT];
	wfunctype *types; /* own: the type section, explicit then implicit */
	uint32_t ntypes, captypes;
	uint32_t nexplicit_types;
	uint32_t *func_type; /* own: each function's type index */
	uint32_t nfunc_type, capfunc_type;
	uint32_t nimports[5]; /* func, table, memory, global, tag */
	bool defined_any;     /* a non-import definition has been seen */

	/* Annotations (annot.c), and what they make. */
	wtok *atoks; /* own: the known annotations' tokens */
	size_t natoks;
	uint32_t capatoks;
	wannot *annots; /* own: sorted by pos */
	uint32_t nannots, capannots;
	wcustom *customs; /* own */
	uint32_t ncustoms, capcustoms;
	whint *hints; /* own: in function and offset order */
	uint32_t nhints, caphints;
	int pending_hint;  /* a hint taken for the next instruction, or -1 */
	bool in_func;      /* parsing a function's body */
	uint32_t cur_func; /* its index */
	wname module_name; /* (@name) of the module, else its $id */
	wname *func_names; /* own: (@name) of function i, per index */
	uint32_t capfunc_names;

	/* The current function's locals and labels. */
	wspace locals;
	wlabels labels;
	wspace fields; /* the current struct type's field names */

	/* The sections being written. */
	wbuf sec_type, sec_import, sec_func, sec_table, sec_mem, sec_global,
	    sec_export, sec_start, sec_elem, sec_code, sec_data, sec_names,
	    sec_tag;
	uint32_t count_import, count_table, count_mem, count_global,
	    count_export, count_elem, count_code, count_data, count_tag;
	bool has_start;
	bool uses_datacount;
	wbuf out;    /* the module */
	wbuf **tmps; /* own: live temporary buffers (wat_buf_new) */
	uint32_t ntmps, captmps;
	/* The instruction names: open addressing on their hash, each slot a
	 * row of instr.c's table + 1, 0 when free (wat_index_ops). */
	uint16_t op_slot[WAT_OP_SLOTS];
} wparse;

/* Errors: fill err at the current (or given) token and longjmp out. */
_Noreturn void wat_fail(wparse *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
_Noreturn void wat_fail_at(wparse *ps, const wtok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void *wat_alloc(wparse *ps, size_t n); /* zeroed; fails the parse on NULL */
void *wat_grow(wparse *ps, void *p, uint32_t *cap, uint32_t need, size_t size);

/* Whether t is the keyword kw. Inline: kw is nearly always a literal,
 * whose strlen() the compiler then folds (a called strlen() per test was
 * 5% of parsing a large module). */
static inline bool
wat_is_keyword(const wtok *t, const char *kw)
{
	size_t n = strlen(kw);

	return t->kind == T_KEYWORD && t->len == n &&
	    memcmp(t->text, kw, n) == 0;
}

/* Token cursor (parse.c). */
const wtok *wat_peek(wparse *ps, size_t ahead);
const wtok *wat_next(wparse *ps);
bool wat_at_open(wparse *ps, const char *kw); /* "(" kw next? */
void wat_expect_lparen(wparse *ps);
void wat_expect_rparen(wparse *ps);
void wat_expect_keyword(wparse *ps, const char *kw);

/* Index spaces (parse.c). */
bool wat_same_id(const wname *n, const wtok *id);
void wat_name_set(wname *n, const wtok *id);
uint32_t wat_space_add(wparse *ps, wspace *sp, const wtok *id);
uint32_t wat_index(wparse *ps, wspace *sp); /* a number or $id */
bool wat_at_index(wparse *ps);              /* next is a number or $id */
uint32_t wat_typeuse(wparse *ps, wspace *params, bool names_ok); /* parse.c */
int wat_valtype(wparse *ps, const wtok *t); /* -1 when not one */
bool wat_at_valtype(wparse *ps); /* a keyword type or (ref ...) next */
/* A value type, a keyword or (ref null? heaptype), encoded into b. */
void wat_expect_valtype(wparse *ps, wbuf *b);
/* A reference type (funcref, (ref null? ht)...), encoded into b. */
void wat_expect_reftype(wparse *ps, wbuf *b);
bool wat_at_reftype(wparse *ps);
/* func, extern, exn (and the other abstract heap types) or a type index
 * (s33), encoded into b. */
void wat_heaptype(wparse *ps, wbuf *b);

/* Definition kinds as the binary numbers them (0 func .. 4 tag). */
#define WAT_NKINDS 5

/* Annotations (annot.c). */
/* Takes the known annotations out of ps->toks (dropping the others). */
void wat_take_annots(wparse *ps);
/* Removes every annotation from toks (n); the tokens left. */
size_t wat_strip_annots(wtok *toks, size_t n);
/* The unused annotation of kind standing before token pos, marked used;
 * NULL when there is none. */
wannot *wat_annot_take(wparse *ps, wannot_kind kind, size_t pos);
/* Fails on an annotation no rule took (a misplaced one). */
void wat_annots_check(wparse *ps);

/* Custom sections (custom.c): reads @custom annotations at module level;
 * writes them at their places. */
void wat_customs_take(wparse *ps, size_t pos, unsigned depth);
void wat_customs_emit(wparse *ps, wbuf *out, unsigned slot);
/* The slot before (after) the section of binary id. */
unsigned wat_section_slot(uint8_t id, bool after);

/* Instructions (instr.c): instr* up to the closing ")" (not consumed), or
 * up to a plain `end`/`else` at depth 0 when in_block. */
void wat_instrs(wparse *ps, wbuf *code);
/* A constant expression: instr* then `end` (0x0b). */
void wat_expr(wparse *ps, wbuf *code);
/* Fills ps->op_slot; once per parse, before the first instruction. */
void wat_index_ops(wparse *ps);

#endif
