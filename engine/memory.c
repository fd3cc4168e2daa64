/*
 * memory.c: linear memories and the host's access to them.
 *
 * The bytes of a memory are an anonymous private mapping, grown with
 * mremap(): the kernel hands out zeroed pages lazily, so growing by many
 * pages costs nothing until they are touched, and a mapping refused by
 * RLIMIT_AS (or by the kernel) makes memory.grow return -1 instead of
 * killing the process. Every host access is bounds-checked without
 * overflow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime.h"

/* The effective maximum of a memory of type t in store s. */
static uint32_t
memory_max_pages(const we_store *s, const we_memtype *t)
{
	uint32_t max = s->config.max_memory_pages;

	if (t->limits.has_max && t->limits.max < max)
		max = t->limits.max;
	return max;
}

/* New zeroed bytes of size bytes, or NULL (size 0 gives NULL too). */
static uint8_t *
bytes_map(uint64_t size)
{
	if (size == 0 || size > SIZE_MAX)
		return NULL;
	void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

we_memory *
wr_memory_create(we_store *s, const we_memtype *type, we_error *err)
{
	uint32_t max = memory_max_pages(s, type);

	if (type->limits.min > max ||
	    (type->limits.has_max && type->limits.max < type->limits.min)) {
		if (err != NULL) {
			err->code = WE_ERR_LIMIT;
			snprintf(err->message, sizeof(err->message),
			    "memory of %u pages is above the limit of %u pages",
			    type->limits.min, max);
		}
		return NULL;
	}
	we_memory *m = calloc(1, sizeof(*m));
	if (m == NULL)
		goto nomem;
	m->type = *type;
	m->max_pages = max;
	m->pages = type->limits.min;
	m->size = (uint64_t)m->pages * WE_PAGE_SIZE;
	if (m->size > 0 && (m->data = bytes_map(m->size)) == NULL) {
		free(m);
		goto nomem;
	}
	if (!wr_store_adopt(s, m, WR_OBJ_MEMORY)) {
		wr_memory_release(m);
		free(m);
		goto nomem;
	}
	return m;
nomem:
	if (err != NULL) {
		err->code = WE_ERR_NOMEM;
		snprintf(err->message, sizeof(err->message),
		    "out of memory allocating a memory of %u pages",
		    type->limits.min);
	}
	return NULL;
}

we_memory *
we_memory_new(we_store *s, const we_memtype *type)
{
	if (s == NULL || type == NULL)
		return NULL;
	return wr_memory_create(s, type, NULL);
}

void
wr_memory_release(we_memory *m)
{
	if (m->data != NULL)
		munmap(m->data, (size_t)m->size);
	m->data = NULL;
}

int64_t
wr_memory_grow(we_memory *m, uint32_t delta)
{
	uint32_t old = m->pages;

	if (delta == 0)
		return old;
	if ((uint64_t)old + delta > m->max_pages)
		return -1;
	uint64_t size = ((uint64_t)old + delta) * WE_PAGE_SIZE;
	if (size > SIZE_MAX)
		return -1;
	uint8_t *data;
	if (m->data == NULL) {
		data = bytes_map(size);
	} else {
		void *p = mremap(
		    m->data, (size_t)m->size, (size_t)size, MREMAP_MAYMOVE);
		data = p == MAP_FAILED ? NULL : p;
	}
	if (data == NULL)
		return -1;
	m->data = data;
	m->size = size;
	m->pages = old + delta;
	return old;
}

uint8_t *
we_memory_data(we_memory *m)
{
	return m->data;
}

uint64_t
we_memory_size(const we_memory *m)
{
	return m->size;
}

uint32_t
we_memory_pages(const we_memory *m)
{
	return m->pages;
}

/* Whether [offset, offset+len) lies inside m, computed without overflow. */
static bool
memory_range_ok(const we_memory *m, uint64_t offset, size_t len)
{
	return offset <= m->size && (uint64_t)len <= m->size - offset;
}

bool
we_memory_read(const we_memory *m, uint64_t offset, void *dst, size_t len)
{
	if (!memory_range_ok(m, offset, len))
		return false;
	if (len > 0)
		memcpy(dst, m->data + offset, len);
	return true;
}

bool
we_memory_write(we_memory *m, uint64_t offset, const void *src, size_t len)
{
	if (!memory_range_ok(m, offset, len))
		return false;
	if (len > 0)
		memcpy(m->data + offset, src, len);
	return true;
}

int64_t
we_memory_grow(we_memory *m, uint32_t delta)
{
	return wr_memory_grow(m, delta);
}
