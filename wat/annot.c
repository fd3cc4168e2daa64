/* SPDX-License-Identifier: Apache-2.0 */
/*
 * annot.c: annotations, `(@id ...)`, taken out of the token stream before
 * parsing. The annotations proposal (part of the 3.0 text format) lets
 * one stand anywhere a token may; an unknown one is ignored. The known
 * ones are kept beside the stream, each at the token it stands before:
 * `@custom` (a custom section), `@name` (a name for the name section) and
 * `@metadata.code.branch_hint` (a hint on the branch that follows); the
 * parser takes each where the grammar allows it (wat_annot_take), and
 * one left over is misplaced (wat_annots_check).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const annot_names[A__COUNT] = {
    "custom", "name", "metadata.code.branch_hint"};

/* Which known annotation t opens; A__COUNT when none. */
static wannot_kind
annot_kind(const wtok *t)
{
	size_t len;
	const char *name = wat_tok_name(t, &len);

	for (int k = 0; k < A__COUNT; k++)
		if (strlen(annot_names[k]) == len &&
		    memcmp(annot_names[k], name, len) == 0)
			return (wannot_kind)k;
	return A__COUNT;
}

/* The index just past the annotation that opens at toks[i] (its ")"
 * included). The lexer made sure it is closed. */
static size_t
annot_end(const wtok *toks, size_t n, size_t i)
{
	int depth = 0;

	do {
		if (toks[i].kind == T_LPAREN || toks[i].kind == T_ANNOT)
			depth++;
		else if (toks[i].kind == T_RPAREN)
			depth--;
		i++;
	} while (depth > 0 && i < n);
	return i;
}

size_t
wat_strip_annots(wtok *toks, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n;) {
		if (toks[i].kind != T_ANNOT) {
			toks[j++] = toks[i++];
			continue;
		}
		for (size_t end = annot_end(toks, n, i); i < end; i++)
			free(toks[i].str);
	}
	return j;
}

/* Appends toks[from, to) to ps->atoks (they move: their strings too). */
static size_t
keep_tokens(wparse *ps, const wtok *toks, size_t from, size_t to)
{
	size_t at = ps->natoks;

	for (size_t i = from; i < to; i++) {
		uint32_t cap = ps->capatoks;

		ps->atoks = wat_grow(ps, ps->atoks, &cap,
		    (uint32_t)ps->natoks + 1, sizeof(wtok));
		ps->capatoks = cap;
		ps->atoks[ps->natoks++] = toks[i];
	}
	return at;
}

void
wat_take_annots(wparse *ps)
{
	wtok *toks = ps->toks;
	size_t n = ps->ntoks, j = 0;
	unsigned depth = 0;

	for (size_t i = 0; i < n;) {
		const wtok *t = &toks[i];
		size_t end;
		wannot_kind k;

		if (t->kind != T_ANNOT) {
			depth += t->kind == T_LPAREN;
			depth -= t->kind == T_RPAREN && depth > 0;
			toks[j++] = toks[i++];
			continue;
		}
		end = annot_end(toks, n, i);
		k = annot_kind(t);
		if (k == A__COUNT) {
			for (; i < end; i++)
				free(toks[i].str);
			continue;
		}
		ps->annots = wat_grow(ps, ps->annots, &ps->capannots,
		    ps->nannots + 1, sizeof(wannot));
		ps->annots[ps->nannots++] = (wannot){.kind = k,
		    .first = keep_tokens(ps, toks, i, end),
		    .n = end - i,
		    .pos = j,
		    .depth = depth};
		i = end;
	}
	ps->ntoks = j;
}

wannot *
wat_annot_take(wparse *ps, wannot_kind kind, size_t pos)
{
	uint32_t lo = 0, hi = ps->nannots;

	while (lo < hi) { /* the first at pos or after */
		uint32_t mid = lo + (hi - lo) / 2;

		if (ps->annots[mid].pos < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ps->nannots && ps->annots[lo].pos == pos; lo++) {
		wannot *a = &ps->annots[lo];

		if (a->kind == kind && !a->used) {
			a->used = true;
			return a;
		}
	}
	return NULL;
}

void
wat_annots_check(wparse *ps)
{
	for (uint32_t i = 0; i < ps->nannots; i++) {
		const wannot *a = &ps->annots[i];

		if (a->used)
			continue;
		if (a->kind == A_HINT)
			wat_fail_at(ps, &ps->atoks[a->first],
			    "@metadata.code.branch_hint annotation: not in a "
			    "function (it must stand before an instruction)");
		wat_fail_at(ps, &ps->atoks[a->first],
		    "misplaced @%s annotation", annot_names[a->kind]);
	}
}
