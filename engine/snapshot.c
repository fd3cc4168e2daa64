/* SPDX-License-Identifier: Apache-2.0 */
/*
 * snapshot.c: an instance's state after an initializer ran, saved as bytes
 * and restored into new instances (pre-initialisation, engine.h).
 *
 * A snapshot is its serialised form: we_snapshot_take() writes the bytes,
 * then reads them back with the same parser we_snapshot_load() uses on
 * bytes from a file, so there is one way in and every snapshot in use has
 * passed the same checks. The format, all integers little-endian:
 *
 *   "WDSNAP01"                         magic and version
 *   u64 module fingerprint            hash of the module's bytes
 *   u8  memory (0 or 1), u32 pages     memory 0, when the module has one
 *   u32 nruns, then each run:          non-zero 4 KiB blocks, ascending
 *       u64 offset, u64 len, len bytes
 *   u32 nglobals, then each:           the module's own globals, in order
 *       u64 low, u64 high              a reference is its function index,
 *                                      NO_FUNC for null
 *   u32 ntables, then each:            the module's own tables
 *       u32 size, size x u32 function index or NO_FUNC
 *   u32 nelems, bitmap                 element segments dropped
 *   u32 ndatas, bitmap                 data segments dropped
 *   u64 checksum                       hash of everything before it
 *
 * Memory 0 of an instance made from a snapshot loaded with
 * WE_SNAPSHOT_IMAGE maps an image of the runs copy-on-write (a sealed
 * memfd made once per snapshot, as templates do); otherwise the runs are
 * copied into each instance.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

#define SNAP_MAGIC "WDSNAP01"
#define SNAP_MAGIC_LEN 8
#define SNAP_BLOCK 4096u
#define NO_FUNC UINT32_MAX

struct we_snapshot {
	const we_module *module; /* borrowed */
	uint8_t *bytes;          /* own: the serialised form */
	size_t len;
	bool has_memory;
	uint32_t pages;
	size_t memory_bytes; /* in runs */
	/* Where each part starts in bytes, found by parse(). */
	size_t runs_at, globals_at, tables_at, elems_at, datas_at;
	uint32_t nruns;
	wr_image image; /* fd -1: none, the runs are copied */
};

/* ---- Bytes out -------------------------------------------------------- */

/* A growing buffer; oom once an allocation failed (then nothing is added). */
struct out {
	uint8_t *p; /* own */
	size_t len, cap;
	bool oom;
};

static void
put(struct out *o, const void *src, size_t n)
{
	if (o->oom)
		return;
	if (o->cap - o->len < n) {
		size_t cap = o->cap ? o->cap : 4096;
		while (cap - o->len < n)
			cap *= 2;
		uint8_t *p = realloc(o->p, cap);
		if (p == NULL) {
			o->oom = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, src, n);
	o->len += n;
}

static void
put_u8(struct out *o, uint8_t v)
{
	put(o, &v, 1);
}

static void
put_u32(struct out *o, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24)};
	put(o, b, 4);
}

static void
put_u64(struct out *o, uint64_t v)
{
	put_u32(o, (uint32_t)v);
	put_u32(o, (uint32_t)(v >> 32));
}

/*
 * The format's hash: FNV-1a's basis and prime, applied to 8-byte
 * little-endian words (then the tail bytes), with a rotation so that high
 * bits reach the low ones: about a cycle a word instead of a byte.
 */
static uint64_t
fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(
		    &w, p + i, 8); /* the engine runs on little-endian hosts */
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* ---- Bytes in --------------------------------------------------------- */

/* A cursor over untrusted bytes; bad once anything was out of place. */
struct in {
	const uint8_t *p;
	size_t len, at;
	bool bad;
};

static const uint8_t *
take(struct in *in, size_t n)
{
	if (in->bad || in->len - in->at < n) {
		in->bad = true;
		return NULL;
	}
	const uint8_t *p = in->p + in->at;
	in->at += n;
	return p;
}

static uint8_t
get_u8(struct in *in)
{
	const uint8_t *p = take(in, 1);
	return p ? p[0] : 0;
}

static uint32_t
get_u32(struct in *in)
{
	const uint8_t *p = take(in, 4);
	return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	        (uint32_t)p[3] << 24
	         : 0;
}

static uint64_t
get_u64(struct in *in)
{
	uint64_t lo = get_u32(in);
	return lo | (uint64_t)get_u32(in) << 32;
}

/* ---- Errors ----------------------------------------------------------- */

static void set_error(we_error *err, we_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_error(we_error *err, we_err code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->code = code;
	err->offset = SIZE_MAX;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

/* Why m cannot have a snapshot, or NULL when it can. */
static const char *
module_refusal(const we_module *m)
{
	if (m->nmem_imports > 0)
		return "it imports a memory, whose contents are the host's";
	if (m->ntable_imports > 0)
		return "it imports a table, whose contents are the host's";
	if (m->nmems > 1)
		return "it has more than one memory";
	return NULL;
}

/* ---- Taking ----------------------------------------------------------- */

/* ref's function index in inst, NO_FUNC for null; false when it has none. */
static bool
func_index(const we_instance *inst, const void *ref, uint32_t *index)
{
	const we_func *f = ref;

	if (f == NULL) {
		*index = NO_FUNC;
		return true;
	}
	if (f->inst == inst) {
		*index = f->index;
		return true;
	}
	for (uint32_t i = 0; i < inst->module->nfunc_imports; i++)
		if (inst->funcs[i] == f) {
			*index = i;
			return true;
		}
	return false;
}

/* Whether values of type t are references (saved as function indices). */
static bool
is_ref(we_valtype t)
{
	return wr_is_ref(t);
}

/*
 * Writes a reference of type t; false when it cannot be saved: only null
 * and functions of the instance can be (an externref is a host pointer,
 * an exnref an exception object of this store).
 */
static bool
put_ref(struct out *o, const we_instance *inst, we_valtype t, const void *ref,
    const char *where, we_error *err)
{
	uint32_t index = NO_FUNC;

	t = wr_host_top(inst->store, t);
	if (t != WE_FUNCREF && ref != NULL) {
		set_error(err, WE_ERR_ARG, "cannot snapshot: %s holds a %s",
		    where,
		    t == WE_EXTERNREF ? "host reference (externref)"
		        : t == WE_ANYREF
		        ? "GC reference (anyref: an i31, struct or array)"
		        : "caught exception (exnref)");
		return false;
	}
	if (t == WE_FUNCREF && !func_index(inst, ref, &index)) {
		set_error(err, WE_ERR_ARG,
		    "cannot snapshot: %s holds a function of another instance "
		    "that this one does not import",
		    where);
		return false;
	}
	put_u32(o, index);
	return true;
}

static bool
block_is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* The runs of non-zero blocks of mem, and their count before them. */
static void
put_memory(struct out *o, const we_memory *mem)
{
	size_t count_at = o->len;
	uint32_t nruns = 0;
	uint64_t off = 0;

	put_u32(o, 0); /* patched below */
	while (off < mem->size) {
		uint64_t n =
		    mem->size - off < SNAP_BLOCK ? mem->size - off : SNAP_BLOCK;
		if (block_is_zero(mem->data + off, n)) {
			off += n;
			continue;
		}
		uint64_t end = off + n;
		while (end < mem->size) {
			uint64_t m = mem->size - end < SNAP_BLOCK
			    ? mem->size - end
			    : SNAP_BLOCK;
			if (block_is_zero(mem->data + end, m))
				break;
			end += m;
		}
		put_u64(o, off);
		put_u64(o, end - off);
		put(o, mem->data + off, end - off);
		nruns++;
		off = end;
	}
	if (!o->oom)
		for (int i = 0; i < 4; i++)
			o->p[count_at + i] = (uint8_t)(nruns >> (8 * i));
}

static bool
put_globals(struct out *o, const we_instance *inst, we_error *err)
{
	const we_module *m = inst->module;
	char where[64];

	put_u32(o, m->nglobals - m->nglobal_imports);
	for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
		const we_global *g = inst->globals[i];
		we_valtype t = g->type.type;
		if (is_ref(t)) {
			snprintf(where, sizeof(where), "global %u", i);
			if (!put_ref(o, inst, t, g->value.ref, where, err))
				return false;
			put_u32(o, 0);
			put_u64(o, 0);
			continue;
		}
		put_u64(o, g->value.i64);
		put_u64(o, g->hi.i64);
	}
	return true;
}

static bool
put_tables(struct out *o, const we_instance *inst, we_error *err)
{
	const we_module *m = inst->module;
	char where[64];

	put_u32(o, m->ntables);
	for (uint32_t i = 0; i < m->ntables; i++) {
		const we_table *t = inst->tables[i];
		snprintf(where, sizeof(where), "table %u", i);
		put_u32(o, t->size);
		for (uint32_t j = 0; j < t->size; j++)
			if (!put_ref(
			        o, inst, t->type.elem, t->elems[j], where, err))
				return false;
	}
	return true;
}

/* n flags as a bitmap after their count. */
static void
put_bitmap(struct out *o, uint32_t n,
    bool (*is_set)(const we_instance *, uint32_t), const we_instance *inst)
{
	put_u32(o, n);
	for (uint32_t i = 0; i < n; i += 8) {
		uint8_t b = 0;
		for (uint32_t j = i; j < n && j < i + 8; j++)
			if (is_set(inst, j))
				b |= (uint8_t)(1u << (j - i));
		put_u8(o, b);
	}
}

static bool
elem_dropped(const we_instance *inst, uint32_t i)
{
	return inst->elems[i].count == 0;
}

static bool
data_dropped(const we_instance *inst, uint32_t i)
{
	return inst->data_sizes[i] == 0;
}

we_snapshot *
we_snapshot_take(const we_instance *inst, we_error *err)
{
	struct out o = {0};
	const char *why;

	if (inst == NULL) {
		set_error(err, WE_ERR_ARG, "we_snapshot_take: no instance");
		return NULL;
	}
	const we_module *m = inst->module;
	if ((why = module_refusal(m)) != NULL) {
		set_error(
		    err, WE_ERR_ARG, "cannot snapshot this module: %s", why);
		return NULL;
	}
	if (inst->store->state != WR_IDLE) {
		set_error(err, WE_ERR_ARG,
		    "cannot snapshot while a call runs in the store");
		return NULL;
	}
	put(&o, SNAP_MAGIC, SNAP_MAGIC_LEN);
	put_u64(&o, fnv1a(m->bytes, m->len));
	put_u8(&o, m->nmems == 1);
	put_u32(&o, m->nmems == 1 ? inst->mems[0]->pages : 0);
	if (m->nmems == 1)
		put_memory(&o, inst->mems[0]);
	else
		put_u32(&o, 0);
	if (!put_globals(&o, inst, err) || !put_tables(&o, inst, err)) {
		free(o.p);
		return NULL;
	}
	put_bitmap(&o, m->nelems, elem_dropped, inst);
	put_bitmap(&o, m->ndatas, data_dropped, inst);
	if (!o.oom)
		put_u64(&o, fnv1a(o.p, o.len));
	if (o.oom) {
		free(o.p);
		set_error(err, WE_ERR_NOMEM, "out of memory taking a snapshot");
		return NULL;
	}
	we_snapshot *snap = we_snapshot_load(m, o.p, o.len, 0, err);
	free(o.p);
	return snap;
}

/* ---- Loading ---------------------------------------------------------- */

/* Whether index names a function of m, or is NO_FUNC. */
static bool
ref_ok(const we_module *m, we_valtype t, uint32_t index)
{
	if (index == NO_FUNC)
		return true;
	return wr_ref_top(t) == WE_FUNCREF && index < m->nfuncs;
}

static const char *
parse_memory(struct in *in, we_snapshot *snap)
{
	const we_module *m = snap->module;
	uint64_t end = 0;

	snap->has_memory = get_u8(in) != 0;
	snap->pages = get_u32(in);
	snap->nruns = get_u32(in);
	snap->runs_at = in->at;
	if (in->bad)
		return "it is cut short";
	if (snap->has_memory != (m->nmems == 1))
		return "its memory does not match the module's";
	if (snap->has_memory) {
		const we_limits *l = &m->mems[0].limits;
		if (snap->pages < l->min ||
		    (l->has_max && snap->pages > l->max) ||
		    snap->pages > WE_DEFAULT_MAX_PAGES)
			return "its memory size is outside the module's limits";
	} else if (snap->pages != 0 || snap->nruns != 0)
		return "it has memory the module does not have";
	uint64_t size = (uint64_t)snap->pages * WE_PAGE_SIZE;
	for (uint32_t i = 0; i < snap->nruns; i++) {
		uint64_t off = get_u64(in), len = get_u64(in);
		if (in->bad || off < end || len == 0 || off > size ||
		    len > size - off || take(in, (size_t)len) == NULL)
			return "a memory run is out of place";
		end = off + len;
		snap->memory_bytes += (size_t)len;
	}
	return NULL;
}

static const char *
parse_globals(struct in *in, we_snapshot *snap)
{
	const we_module *m = snap->module;

	snap->globals_at = in->at;
	if (get_u32(in) != m->nglobals - m->nglobal_imports)
		return "its globals do not match the module's";
	for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
		we_valtype t = m->globals[i].type.type;
		uint64_t lo = get_u64(in), hi = get_u64(in);
		if (in->bad)
			return "it is cut short";
		if (is_ref(t) &&
		    (hi != 0 || lo > UINT32_MAX || !ref_ok(m, t, (uint32_t)lo)))
			return "a reference global names no function of the "
			       "module";
		if ((t == WE_I32 || t == WE_F32) &&
		    (lo > UINT32_MAX || hi != 0))
			return "a 32-bit global has more than 32 bits";
	}
	return NULL;
}

static const char *
parse_tables(struct in *in, we_snapshot *snap)
{
	const we_module *m = snap->module;

	snap->tables_at = in->at;
	if (get_u32(in) != m->ntables)
		return "its tables do not match the module's";
	for (uint32_t i = 0; i < m->ntables; i++) {
		const we_tabletype *tt = &m->tables[i];
		uint32_t size = get_u32(in);
		if (in->bad)
			return "it is cut short";
		if (size < tt->limits.min ||
		    (tt->limits.has_max && size > tt->limits.max) ||
		    size > WE_DEFAULT_MAX_TABLE)
			return "a table size is outside the module's limits";
		if ((in->len - in->at) / 4 < size)
			return "it is cut short";
		for (uint32_t j = 0; j < size; j++)
			if (!ref_ok(m, tt->elem, get_u32(in)))
				return "a table entry names no function of the "
				       "module";
	}
	return NULL;
}

static const char *
parse_bitmap(struct in *in, uint32_t n, size_t *at)
{
	if (get_u32(in) != n)
		return "its segments do not match the module's";
	*at = in->at;
	const uint8_t *b = take(in, (n + 7) / 8);
	if (b == NULL)
		return "it is cut short";
	if (n % 8 != 0 && (b[n / 8] >> (n % 8)) != 0)
		return "a segment bitmap has stray bits";
	return NULL;
}

/* Checks every byte of snap->bytes against snap->module; NULL when fine. */
static const char *
parse(we_snapshot *snap)
{
	const we_module *m = snap->module;
	struct in in = {snap->bytes, snap->len, 0, false};
	const char *why;

	if (snap->len < SNAP_MAGIC_LEN + 8 + 8 ||
	    memcmp(snap->bytes, SNAP_MAGIC, SNAP_MAGIC_LEN) != 0)
		return "it is not a wasmd snapshot of this version";
	in.len -= 8; /* the checksum */
	struct in sum = {snap->bytes, snap->len, in.len, false};
	if (fnv1a(snap->bytes, in.len) != get_u64(&sum))
		return "its checksum does not match: the bytes are damaged";
	take(&in, SNAP_MAGIC_LEN);
	if (get_u64(&in) != fnv1a(m->bytes, m->len))
		return "it was taken of another module";
	if ((why = module_refusal(m)) != NULL)
		return why;
	if ((why = parse_memory(&in, snap)) != NULL ||
	    (why = parse_globals(&in, snap)) != NULL ||
	    (why = parse_tables(&in, snap)) != NULL ||
	    (why = parse_bitmap(&in, m->nelems, &snap->elems_at)) != NULL ||
	    (why = parse_bitmap(&in, m->ndatas, &snap->datas_at)) != NULL)
		return why;
	if (in.at != in.len)
		return "it has bytes after its end";
	return NULL;
}

/* wr_image_make's fill: the runs at their offsets. */
static void
fill_runs(uint8_t *image, const void *arg)
{
	const we_snapshot *snap = arg;
	struct in in = {snap->bytes, snap->len, snap->runs_at, false};

	for (uint32_t i = 0; i < snap->nruns; i++) {
		uint64_t off = get_u64(&in), len = get_u64(&in);
		memcpy(image + off, take(&in, (size_t)len), (size_t)len);
	}
}

/* The end of the last run: the bytes an image must cover. */
static uint64_t
runs_extent(const we_snapshot *snap)
{
	struct in in = {snap->bytes, snap->len, snap->runs_at, false};
	uint64_t end = 0;

	for (uint32_t i = 0; i < snap->nruns; i++) {
		uint64_t off = get_u64(&in), len = get_u64(&in);
		take(&in, (size_t)len);
		end = off + len;
	}
	return end;
}

we_snapshot *
we_snapshot_load(const we_module *m, const uint8_t *bytes, size_t len,
    unsigned flags, we_error *err)
{
	const char *why;

	if (m == NULL || (bytes == NULL && len > 0)) {
		set_error(
		    err, WE_ERR_ARG, "we_snapshot_load: missing argument");
		return NULL;
	}
	we_snapshot *snap = calloc(1, sizeof(*snap));
	if (snap == NULL || (snap->bytes = malloc(len ? len : 1)) == NULL) {
		free(snap);
		set_error(
		    err, WE_ERR_NOMEM, "out of memory loading a snapshot");
		return NULL;
	}
	if (len > 0)
		memcpy(snap->bytes, bytes, len);
	snap->len = len;
	snap->module = m;
	snap->image.fd = -1;
	if ((why = parse(snap)) != NULL) {
		set_error(err, WE_ERR_MALFORMED, "snapshot refused: %s", why);
		we_snapshot_free(snap);
		return NULL;
	}
	uint64_t extent = runs_extent(snap);
	if ((flags & WE_SNAPSHOT_IMAGE) && extent > 0)
		wr_image_make(&snap->image, extent, fill_runs, snap);
	if (err != NULL) {
		err->code = WE_OK;
		err->message[0] = '\0';
		err->offset = SIZE_MAX;
	}
	return snap;
}

const uint8_t *
we_snapshot_bytes(const we_snapshot *snap, size_t *len)
{
	*len = snap->len;
	return snap->bytes;
}

size_t
we_snapshot_memory_bytes(const we_snapshot *snap)
{
	return snap->memory_bytes;
}

void
we_snapshot_free(we_snapshot *snap)
{
	if (snap == NULL)
		return;
	if (snap->image.fd >= 0)
		close(snap->image.fd);
	free(snap->bytes);
	free(snap);
}

/* ---- Restoring -------------------------------------------------------- */

uint32_t
wr_snapshot_pages(const we_snapshot *snap)
{
	return snap->pages;
}

static void *
ref_of(const we_instance *inst, uint32_t index)
{
	return index == NO_FUNC ? NULL : inst->funcs[index];
}

static void
restore_globals(we_instance *inst, struct in *in)
{
	const we_module *m = inst->module;

	get_u32(in);
	for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
		we_global *g = inst->globals[i];
		uint64_t lo = get_u64(in), hi = get_u64(in);
		we_valtype t = g->type.type;
		if (is_ref(t))
			g->value.ref = ref_of(inst, (uint32_t)lo);
		else {
			g->value.i64 = lo;
			g->hi.i64 = hi;
		}
	}
}

static bool
restore_tables(we_instance *inst, struct in *in, we_error *err)
{
	const we_module *m = inst->module;

	get_u32(in);
	for (uint32_t i = 0; i < m->ntables; i++) {
		we_table *t = inst->tables[i];
		uint32_t size = get_u32(in);
		if (size > t->size &&
		    wr_table_grow(t, size - t->size, NULL) < 0) {
			set_error(err, WE_ERR_LIMIT,
			    "the snapshot's table %u of %u entries does not "
			    "fit "
			    "the store's limits",
			    i, size);
			return false;
		}
		for (uint32_t j = 0; j < size; j++)
			t->elems[j] = ref_of(inst, get_u32(in));
	}
	return true;
}

bool
wr_snapshot_restore(we_instance *inst, const we_snapshot *snap, we_error *err)
{
	const we_module *m = inst->module;
	struct in in = {snap->bytes, snap->len, snap->runs_at, false};

	if (snap->has_memory && snap->image.fd < 0)
		for (uint32_t i = 0; i < snap->nruns; i++) {
			uint64_t off = get_u64(&in), len = get_u64(&in);
			memcpy(inst->mems[0]->data + off,
			    take(&in, (size_t)len), (size_t)len);
		}
	in.at = snap->globals_at;
	restore_globals(inst, &in);
	in.at = snap->tables_at;
	if (!restore_tables(inst, &in, err))
		return false;
	for (uint32_t i = 0; i < m->nelems; i++)
		if (snap->bytes[snap->elems_at + i / 8] >> (i % 8) & 1)
			wr_elem_drop(inst->store, &inst->elems[i]);
	for (uint32_t i = 0; i < m->ndatas; i++)
		if (snap->bytes[snap->datas_at + i / 8] >> (i % 8) & 1)
			inst->data_sizes[i] = 0;
	return true;
}

we_instance *
we_snapshot_instantiate(we_store *s, const we_snapshot *snap,
    const we_import *imports, size_t nimports, we_error *err)
{
	if (snap == NULL) {
		set_error(
		    err, WE_ERR_ARG, "we_snapshot_instantiate: no snapshot");
		return NULL;
	}
	return wr_instantiate(s, snap->module, imports, nimports,
	    snap->image.len > 0 ? &snap->image : NULL, snap, err);
}
