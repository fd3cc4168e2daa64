/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache.c: a warm worker's module cache (cache.h): a list kept in order of
 * use, most recent first. A worker holds a handful of its tenant's modules,
 * so lookups walk the list.
 */
#include "cache.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
	struct entry *next;
	char digest[65];
	we_module *module; /* own */
	we_template *tmpl; /* own: NULL when the engine made none */
	we_snapshot *snap; /* own: NULL when it has none */
	char snap_digest[65];
	uint64_t snap_cost; /* part of cost */
	uint64_t cost;      /* heap bytes */
	unsigned uses;      /* measured so far (wrk_cache_measure) */
} entry;

struct wrk_cache {
	entry *head; /* most recently used first */
	uint64_t budget, cost;
	size_t count;
	char **evicted; /* own, with each string: since the last request */
	size_t nevicted, cap;
};

wrk_cache *
wrk_cache_new(uint64_t budget)
{
	wrk_cache *c = calloc(1, sizeof *c);

	if (c != NULL)
		c->budget = budget;
	return c;
}

static void
entry_free(entry *e)
{
	if (e == NULL)
		return;
	we_snapshot_free(e->snap); /* before its module */
	we_template_free(e->tmpl);
	we_module_free(e->module);
	free(e);
}

static void
forget_evicted(wrk_cache *c)
{
	for (size_t i = 0; i < c->nevicted; i++)
		free(c->evicted[i]);
	c->nevicted = 0;
}

void
wrk_cache_free(wrk_cache *c)
{
	entry *e;

	if (c == NULL)
		return;
	while ((e = c->head) != NULL) {
		c->head = e->next;
		entry_free(e);
	}
	forget_evicted(c);
	free(c->evicted);
	free(c);
}

uint64_t
wrk_cache_heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	/* Small blocks in the arenas plus blocks mmap()ed on their own. */
	return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
}

/* Unlinks and returns the entry of digest, or NULL. */
static entry *
unlink_entry(wrk_cache *c, const char *digest)
{
	entry **p;

	for (p = &c->head; *p != NULL; p = &(*p)->next) {
		entry *e = *p;

		if (strcmp(e->digest, digest) == 0) {
			*p = e->next;
			e->next = NULL;
			return e;
		}
	}
	return NULL;
}

static void
push_front(wrk_cache *c, entry *e)
{
	e->next = c->head;
	c->head = e;
}

we_module *
wrk_cache_get(wrk_cache *c, const char *digest)
{
	entry *e = unlink_entry(c, digest);

	if (e == NULL)
		return NULL;
	push_front(c, e);
	return e->module;
}

/*
 * Notes digest as evicted. Out of memory, the worker cannot tell the
 * supervisor, which would then name a module the worker lacks: abort, and
 * the supervisor reports a crash and starts a fresh worker.
 */
static void
note_evicted(wrk_cache *c, const char *digest)
{
	if (c->nevicted == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4;
		char **v = realloc(c->evicted, cap * sizeof *v);

		if (v == NULL)
			abort();
		c->evicted = v;
		c->cap = cap;
	}
	if ((c->evicted[c->nevicted] = strdup(digest)) == NULL)
		abort();
	c->nevicted++;
}

/* Removes the last (least recently used) entry that is not keep. */
static bool
evict_one(wrk_cache *c, const char *keep)
{
	entry **p, **victim = NULL;
	entry *e;

	for (p = &c->head; *p != NULL; p = &(*p)->next) {
		if (keep == NULL || strcmp((*p)->digest, keep) != 0)
			victim = p;
	}
	if (victim == NULL)
		return false;
	e = *victim;
	*victim = e->next;
	c->cost -= e->cost;
	c->count--;
	note_evicted(c, e->digest);
	if (e->snap != NULL)
		note_evicted(c, e->snap_digest);
	entry_free(e);
	return true;
}

void
wrk_cache_trim(wrk_cache *c, const char *keep)
{
	while (c->cost > c->budget && evict_one(c, keep))
		;
}

we_module *
wrk_cache_put(wrk_cache *c, const char *digest, we_module *m, uint64_t cost)
{
	entry *e = calloc(1, sizeof *e);

	if (e == NULL) {
		we_module_free(m);
		return NULL;
	}
	memcpy(e->digest, digest, sizeof e->digest - 1);
	e->module = m;
	/* No template (out of memory, or no memfd): instances copy the data
	 * segments, as we_instance_new() does. */
	e->tmpl = we_template_new(m, NULL);
	if (e->tmpl != NULL)
		cost += we_template_image_size(e->tmpl);
	e->cost = cost;
	/* A module over the budget alone is kept alone: the worker held it
	 * for this request anyway, and sending and decoding it again per
	 * invoke costs a 30 MB module a second. wrk_cache_shed() drops it
	 * before another module is decoded. */
	while (c->cost + cost > c->budget && evict_one(c, NULL))
		;
	push_front(c, e);
	c->cost += cost;
	c->count++;
	return m;
}

void
wrk_cache_shed(wrk_cache *c)
{
	wrk_cache_trim(c, NULL);
}

/* The entry of digest; NULL when there is none. */
static entry *
find_entry(const wrk_cache *c, const char *digest)
{
	entry *e;

	for (e = c->head; e != NULL; e = e->next) {
		if (strcmp(e->digest, digest) == 0)
			return e;
	}
	return NULL;
}

we_template *
wrk_cache_template(const wrk_cache *c, const char *digest)
{
	entry *e = find_entry(c, digest);

	return e != NULL ? e->tmpl : NULL;
}

we_snapshot *
wrk_cache_snapshot(const wrk_cache *c, const char *digest, const char *snap)
{
	entry *e = find_entry(c, digest);

	return e != NULL && e->snap != NULL && strcmp(e->snap_digest, snap) == 0
	    ? e->snap
	    : NULL;
}

bool
wrk_cache_set_snapshot(wrk_cache *c, const char *digest, const char *snap,
    we_snapshot *s, uint64_t cost)
{
	entry *e = find_entry(c, digest);

	if (e == NULL) {
		we_snapshot_free(s);
		return false;
	}
	if (e->snap != NULL) {
		note_evicted(c, e->snap_digest);
		we_snapshot_free(e->snap);
		e->cost -= e->snap_cost;
		c->cost -= e->snap_cost;
	}
	e->snap = s;
	snprintf(e->snap_digest, sizeof e->snap_digest, "%s", snap);
	/* Over the budget now, others go at the next trim or shed. */
	e->snap_cost = cost;
	e->cost += cost;
	c->cost += cost;
	return true;
}

void
wrk_cache_charge(wrk_cache *c, const char *digest, uint64_t bytes)
{
	entry *e = find_entry(c, digest);

	if (e == NULL)
		return;
	e->cost += bytes;
	c->cost += bytes;
}

bool
wrk_cache_measure(wrk_cache *c, const char *digest)
{
	entry *e = find_entry(c, digest);

	return e != NULL && e->uses++ < WRK_CACHE_MEASURED_USES;
}

char **
wrk_cache_evicted(const wrk_cache *c, size_t *n)
{
	*n = c->nevicted;
	return c->evicted;
}

void
wrk_cache_end_request(wrk_cache *c)
{
	forget_evicted(c);
}

size_t
wrk_cache_count(const wrk_cache *c)
{
	return c->count;
}

uint64_t
wrk_cache_cost(const wrk_cache *c)
{
	return c->cost;
}
