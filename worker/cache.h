/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache.h: a warm worker's modules, decoded and validated once and kept by
 * digest (serve.c), least recently used first out.
 *
 * A worker serves many invokes of one tenant. The supervisor names each
 * invoke's module by digest and sends its bytes (a sealed memfd) only when
 * it believes the worker lacks them; it learns of every eviction from the
 * invoke's reply (InvokeResult.cache_evicted). So the cache evicts only
 * while serving a request, never the module that request names, and
 * reports what it dropped in that request's reply.
 *
 * Each module comes with its instance template (the engine's memory image,
 * applied once; NULL when the engine made none), so a fresh instance maps
 * its memory copy-on-write instead of copying the data segments.
 *
 * Costs are heap bytes: what decoding took and the template's image, plus
 * what lazily compiled code added since (wrk_cache_charge). The budget is
 * a share of the worker's address-space limit (its RLIMIT_AS includes it).
 *
 * Included by worker/serve.c and the worker's unit tests.
 */
#ifndef WASMD_WORKER_CACHE_H
#define WASMD_WORKER_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wasmd/engine.h>

typedef struct wrk_cache wrk_cache;

/* own: the result, freed with wrk_cache_free(); NULL when out of memory. */
wrk_cache *wrk_cache_new(uint64_t budget);
void wrk_cache_free(wrk_cache *c);

/* The heap bytes in use now (mallinfo2), to measure costs with. */
uint64_t wrk_cache_heap_used(void);

/*
 * The module cached under digest, now the most recently used; NULL when
 * it is not cached. Borrowed: valid until the next wrk_cache_put().
 */
we_module *wrk_cache_get(wrk_cache *c, const char *digest);

/*
 * Adds m (own: passes to the cache) under digest at cost bytes, first
 * evicting the least recently used others until it fits. A module that
 * alone exceeds the budget is kept alone, until wrk_cache_shed(). Returns
 * m (borrowed from now on), or NULL when out of memory (m freed).
 */
we_module *wrk_cache_put(
    wrk_cache *c, const char *digest, we_module *m, uint64_t cost);

/*
 * Evicts least recently used modules until the cache is within its
 * budget: before another module is decoded, so that a lone module over
 * the budget and the next one are never held together.
 */
void wrk_cache_shed(wrk_cache *c);

/*
 * The template of digest's module (borrowed, as the module), or NULL when
 * it has none or is not cached.
 */
we_template *wrk_cache_template(const wrk_cache *c, const char *digest);

/*
 * Snapshots (pre-initialization): a cached module may carry one snapshot,
 * loaded with WE_SNAPSHOT_IMAGE, cached under its own digest (snap) and
 * evicted with its module; both digests are then reported as evicted.
 *
 * wrk_cache_snapshot: digest's snapshot when it is snap; NULL otherwise.
 * Borrowed, as the module.
 * wrk_cache_set_snapshot: gives digest's module the snapshot s (own:
 * passes to the cache; a previous one is dropped and reported evicted) at
 * cost bytes. false when the module is not cached (s is then freed).
 */
we_snapshot *wrk_cache_snapshot(
    const wrk_cache *c, const char *digest, const char *snap);
bool wrk_cache_set_snapshot(wrk_cache *c, const char *digest, const char *snap,
    we_snapshot *s, uint64_t cost);

/* Adds bytes (lazily compiled code) to digest's cost, if it is cached. */
void wrk_cache_charge(wrk_cache *c, const char *digest, uint64_t bytes);

/*
 * Whether this use of digest's module should be measured for
 * wrk_cache_charge(): its first WRK_CACHE_MEASURED_USES uses, when most
 * of its lazily compiled code appears. Measuring (mallinfo2) costs
 * microseconds on a fragmented heap, too much for every invoke; code
 * compiled later is bounded by the worker's RLIMIT_AS all the same.
 */
#define WRK_CACHE_MEASURED_USES 8
bool wrk_cache_measure(wrk_cache *c, const char *digest);

/*
 * The digests evicted since the last wrk_cache_end_request(), for the
 * reply. Borrowed: valid until then.
 */
char **wrk_cache_evicted(const wrk_cache *c, size_t *n);

/*
 * The request is over (its reply sent): forgets the evicted list. It evicts nothing itself: an eviction
 * must be reported in a reply (see wrk_cache_trim()).
 */
void wrk_cache_end_request(wrk_cache *c);

/*
 * Evicts least recently used modules, except keep (may be NULL), while the
 * cache is over its budget; called while serving a request, so that the
 * reply reports them.
 */
void wrk_cache_trim(wrk_cache *c, const char *keep);

/* Modules cached and their total cost, for tests and logs. */
size_t wrk_cache_count(const wrk_cache *c);
uint64_t wrk_cache_cost(const wrk_cache *c);

#endif /* WASMD_WORKER_CACHE_H */
