/* SPDX-License-Identifier: Apache-2.0 */
/*
 * table.c: tables of references and the host's access to them.
 *
 * A table is an array of pointers: a we_func * for funcref tables, the
 * host's pointer for externref tables, NULL for the null reference. Its
 * effective maximum combines the declared maximum with the store's
 * max_table_elems, and growth past it (or an allocation failure) is -1.
 * Elements count against the store's max_store_bytes, like memory pages:
 * a guest cannot escape its memory limit through tables.
 */
#include <stdio.h>
#include <stdlib.h>

#include "runtime.h"

static uint32_t
table_max_elems(const we_store *s, const we_tabletype *t)
{
	uint32_t max = s->config.max_table_elems;

	if (t->limits.has_max && t->limits.max < max)
		max = t->limits.max;
	return max;
}

static bool
is_reftype(we_valtype t)
{
	t = wr_ref_top(t);
	return t == WE_FUNCREF || t == WE_EXTERNREF;
}

we_table *
wr_table_create(
    we_store *s, const we_tabletype *type, void *init, we_error *err)
{
	uint32_t max = table_max_elems(s, type);

	if (type->limits.min > max ||
	    (type->limits.has_max && type->limits.max < type->limits.min)) {
		if (err != NULL) {
			err->code = WE_ERR_LIMIT;
			snprintf(err->message, sizeof(err->message),
			    "table of %u elements is above the limit of %u",
			    type->limits.min, max);
		}
		return NULL;
	}
	uint64_t bytes = (uint64_t)type->limits.min * sizeof(void *);
	if (!wr_store_charge(s, bytes)) {
		if (err != NULL) {
			err->code = WE_ERR_LIMIT;
			snprintf(err->message, sizeof(err->message),
			    "table of %u elements does not fit the store's "
			    "memory limit of %llu bytes (%llu in use)",
			    type->limits.min,
			    (unsigned long long)s->config.max_store_bytes,
			    (unsigned long long)s->guest_bytes);
		}
		return NULL;
	}
	we_table *t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto nomem;
	t->store = s;
	t->type = *type;
	t->max = max;
	t->size = type->limits.min;
	if (t->size > 0) {
		t->elems = malloc((size_t)t->size * sizeof(*t->elems));
		if (t->elems == NULL) {
			free(t);
			goto nomem;
		}
		for (uint32_t i = 0; i < t->size; i++)
			t->elems[i] = init;
	}
	if (!wr_store_adopt(s, t, WR_OBJ_TABLE)) {
		free(t->elems);
		free(t);
		goto nomem;
	}
	return t;
nomem:
	wr_store_refund(s, bytes);
	if (err != NULL) {
		err->code = WE_ERR_NOMEM;
		snprintf(err->message, sizeof(err->message),
		    "out of memory allocating a table of %u elements",
		    type->limits.min);
	}
	return NULL;
}

/* The reference in v if it may be stored in t; false otherwise. */
static bool
ref_for_table(const we_table *t, we_val v, void **out)
{
	if (v.type !=
	    (t->store != NULL ? wr_host_top(t->store, t->type.elem)
	                      : wr_ref_top(t->type.elem)))
		return false;
	*out = v.type == WE_FUNCREF ? (void *)v.of.funcref : v.of.externref;
	/* A null only where it may be; from the host, a function only to
	   a table of untyped function references. */
	if (*out == NULL
	        ? (t->type.elem & WE_REF_NONNULL) != 0
	        : (t->type.elem & WE_REF_TYPEIDX) != 0 && v.type == WE_FUNCREF)
		return false;
	/* An anyref: null, an i31 or an object of the store. */
	if (v.type == WE_ANYREF && t->store != NULL &&
	    !wr_host_ref_ok(t->store, t->type.elem, *out))
		return false;
	/* we_table_new's probe has no store yet: an i31 at most. */
	if (v.type == WE_ANYREF && t->store == NULL && *out != NULL &&
	    !wr_is_i31(*out))
		return false;
	return true;
}

we_table *
we_table_new(we_store *s, const we_tabletype *type, we_val init)
{
	void *ref;

	if (s == NULL || type == NULL || !is_reftype(type->elem))
		return NULL;
	we_table probe = {.type = *type};
	if (!ref_for_table(&probe, init, &ref))
		return NULL;
	return wr_table_create(s, type, ref, NULL);
}

int64_t
wr_table_grow(we_table *t, uint32_t delta, void *init)
{
	uint32_t old = t->size;

	if (delta == 0)
		return old;
	if ((uint64_t)old + delta > t->max)
		return -1;
	uint32_t size = old + delta;
	uint64_t bytes = (uint64_t)delta * sizeof(*t->elems);
	if (!wr_store_charge(t->store, bytes))
		return -1;
	void **elems = realloc(t->elems, (size_t)size * sizeof(*elems));
	if (elems == NULL) {
		wr_store_refund(t->store, bytes);
		return -1;
	}
	for (uint32_t i = old; i < size; i++)
		elems[i] = init;
	t->elems = elems;
	t->size = size;
	return old;
}

uint32_t
we_table_size(const we_table *t)
{
	return t->size;
}

bool
we_table_get(const we_table *t, uint32_t index, we_val *out)
{
	if (index >= t->size)
		return false;
	wr_value v = {.ref = t->elems[index]};
	*out = wr_to_val(t->type.elem, &v);
	out->type = wr_host_top(t->store, t->type.elem);
	return true;
}

bool
we_table_set(we_table *t, uint32_t index, we_val v)
{
	void *ref;

	if (index >= t->size || !ref_for_table(t, v, &ref))
		return false;
	t->elems[index] = ref;
	return true;
}

int64_t
we_table_grow(we_table *t, uint32_t delta, we_val init)
{
	void *ref;

	if (!ref_for_table(t, init, &ref))
		return -1;
	return wr_table_grow(t, delta, ref);
}
