/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custom.c: custom sections written as annotations (the 3.0 text format's
 * custom annotations), at module level only:
 *
 *     (@custom "name" (before|after SECTION)? "bytes"*)
 *
 * SECTION is a section's name (type, import, func, table, memory, tag,
 * global, export, start, elem, datacount, code, data), or `first` (after
 * `before`) or `last` (after `after`); without a placement the section
 * goes after the last one. Several at one place keep their order in the
 * text. The section is placed where it says even when the section it
 * names is absent.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The sections in the order the binary format puts them, by name. */
static const struct {
	const char *name;
	uint8_t id;
} order[] = {{"type", 1}, {"import", 2}, {"func", 3}, {"table", 4},
    {"memory", 5}, {"tag", 13}, {"global", 6}, {"export", 7}, {"start", 8},
    {"elem", 9}, {"datacount", 12}, {"code", 10}, {"data", 11}};

#define NORDER (sizeof order / sizeof order[0])

unsigned
wat_section_slot(uint8_t id, bool after)
{
	for (unsigned i = 0; i < NORDER; i++)
		if (order[i].id == id)
			return 2 * i + after;
	return 2 * NORDER - 1;
}

/* The placement (before|after SECTION) from t (its "("), as a slot. */
static unsigned
placement(wparse *ps, const wtok *t)
{
	bool after = wat_is_keyword(&t[1], "after");

	if (!after && !wat_is_keyword(&t[1], "before"))
		wat_fail_at(ps, &t[1],
		    "@custom annotation: malformed placement, expected "
		    "(before ...) or (after ...)");
	if (wat_is_keyword(&t[2], after ? "last" : "first")) {
		if (t[3].kind != T_RPAREN)
			wat_fail_at(ps, &t[3],
			    "@custom annotation: unexpected token, expected "
			    "')'");
		return after ? 2 * NORDER - 1 : 0;
	}
	for (unsigned i = 0; i < NORDER; i++)
		if (wat_is_keyword(&t[2], order[i].name)) {
			if (t[3].kind != T_RPAREN)
				wat_fail_at(ps, &t[3],
				    "@custom annotation: unexpected token, "
				    "expected ')'");
			return 2 * i + after;
		}
	wat_fail_at(ps, &t[2],
	    "@custom annotation: malformed section kind, expected a "
	    "section's name (type, func, code...)");
}

/* One (@custom ...) annotation: its tokens t (n of them, "(@custom" to
 * ")"), into a new custom section. */
static void
custom(wparse *ps, const wtok *t, size_t n)
{
	wcustom *c;
	size_t i = 2;

	if (t[1].kind != T_STRING)
		wat_fail_at(ps, &t[1],
		    "@custom annotation: missing section name (a string)");
	if (!wat_utf8_valid(t[1].str, t[1].strlen))
		wat_fail_at(ps, &t[1],
		    "@custom annotation: malformed UTF-8 encoding in the "
		    "section name");
	ps->customs = wat_grow(ps, ps->customs, &ps->capcustoms,
	    ps->ncustoms + 1, sizeof(wcustom));
	c = &ps->customs[ps->ncustoms++];
	memset(c, 0, sizeof *c);
	c->slot = 2 * NORDER - 1;
	wb_name(ps, &c->body, t[1].str, t[1].strlen);
	if (t[2].kind == T_LPAREN) {
		c->slot = placement(ps, &t[2]);
		i = 6;
	}
	for (; i + 1 < n; i++) {
		if (t[i].kind != T_STRING)
			wat_fail_at(ps, &t[i],
			    "@custom annotation: unexpected token, expected "
			    "the section's bytes (strings)");
		wb_bytes(ps, &c->body, t[i].str, t[i].strlen);
	}
}

void
wat_customs_take(wparse *ps, size_t pos, unsigned depth)
{
	wannot *a;

	while ((a = wat_annot_take(ps, A_CUSTOM, pos)) != NULL) {
		if (a->depth != depth) {
			a->used =
			    false; /* misplaced: wat_annots_check says so */
			return;
		}
		custom(ps, &ps->atoks[a->first], a->n);
	}
}

void
wat_customs_emit(wparse *ps, wbuf *out, unsigned slot)
{
	for (uint32_t i = 0; i < ps->ncustoms; i++) {
		const wcustom *c = &ps->customs[i];

		if (c->slot != slot)
			continue;
		wb_byte(ps, out, 0);
		wb_u32(ps, out, (uint32_t)c->body.len);
		wb_bytes(ps, out, c->body.p, c->body.len);
	}
}
