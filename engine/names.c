/* SPDX-License-Identifier: Apache-2.0 */
/*
 * names.c: the "name" custom section (module and function names), used for
 * introspection and trap backtraces.
 *
 * The spec treats custom sections as ignorable: a malformed name section
 * leaves the module valid and is dropped as a whole, so that no half-read
 * names are ever shown.
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "reader.h"

enum {
	NAME_MODULE = 0,
	NAME_FUNCTION = 1,
};

typedef struct wn_names {
	char *module; /* own */
	char **funcs; /* own: nfuncs entries, each NULL or own */
	uint32_t nfuncs;
} wn_names;

static void
names_free(wn_names *n)
{
	free(n->module);
	if (n->funcs != NULL)
		for (uint32_t i = 0; i < n->nfuncs; i++)
			free(n->funcs[i]);
	free(n->funcs);
	memset(n, 0, sizeof *n);
}

static bool
read_module_name(wrd_reader *r, wn_names *n)
{
	if (n->module != NULL)
		return false; /* a second module name subsection */
	return wrd_name(r, &n->module, NULL) && wrd_at_end(r);
}

/* A name map: (function index, name) pairs in increasing index order. */
static bool
read_func_names(wrd_reader *r, wn_names *n)
{
	uint32_t count, index;
	int64_t last = -1;
	char *name;

	if (n->funcs != NULL)
		return false;
	n->funcs = calloc(n->nfuncs ? n->nfuncs : 1, sizeof *n->funcs);
	if (n->funcs == NULL || !wrd_count(r, 2, &count))
		return false;
	for (uint32_t i = 0; i < count; i++) {
		if (!wrd_u32(r, &index) || index >= n->nfuncs ||
		    (int64_t)index <= last)
			return false;
		if (!wrd_name(r, &name, NULL))
			return false;
		n->funcs[index] = name;
		last = index;
	}
	return wrd_at_end(r);
}

/* One subsection: an id byte and a sized payload. */
static bool
read_subsection(wrd_reader *r, wn_names *n, int *last_id)
{
	wrd_reader sub;
	const uint8_t *payload;
	uint32_t size;
	uint8_t id;

	if (!wrd_u8(r, &id) || !wrd_u32(r, &size) ||
	    !wrd_bytes(r, size, &payload))
		return false;
	if ((int)id <= *last_id)
		return false; /* subsections come once each, in order */
	*last_id = id;
	wrd_init(&sub, r->base, payload, payload + size, NULL);
	switch (id) {
	case NAME_MODULE: return read_module_name(&sub, n);
	case NAME_FUNCTION: return read_func_names(&sub, n);
	default: return true; /* local and other names are not kept */
	}
}

void
wn_parse_names(we_module *m, const uint8_t *data, size_t len)
{
	wn_names n = {NULL, NULL, m->nfuncs};
	wrd_reader r;
	int last_id = -1;

	wrd_init(&r, data, data, data + len, NULL);
	while (!wrd_at_end(&r))
		if (!read_subsection(&r, &n, &last_id)) {
			names_free(&n);
			return;
		}
	m->name = n.module;
	m->func_names = n.funcs;
}
