/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memory.c: linear memories and the host's access to them.
 *
 * The bytes of a memory are an anonymous private mapping, grown with
 * mremap(): the kernel hands out zeroed pages lazily, so growing by many
 * pages costs nothing until they are touched, and a mapping refused by
 * RLIMIT_AS (or by the kernel) makes memory.grow return -1 instead of
 * killing the process. Every host access is bounds-checked without
 * overflow. Pages count against the store's max_store_bytes.
 *
 * A memory made from a template's image (wr_memory_create_from) is two
 * mappings: the image's sealed memfd mapped privately (copy-on-write: the
 * image is shared until written) and anonymous pages after it. mremap()
 * moves only one mapping, so such a memory grows in place when the address
 * space after it is free, and otherwise moves its parts one by one into a
 * new range (page tables move; no bytes are copied).
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

#define ANON_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

/* New zeroed bytes of size bytes, or NULL (size 0 gives NULL too). */
static uint8_t *
bytes_map(uint64_t size)
{
	if (size == 0 || size > SIZE_MAX)
		return NULL;
	void *p =
	    mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, ANON_FLAGS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/*
 * size bytes starting with image: its memfd mapped privately over the
 * start of a zeroed range. NULL on failure.
 */
static uint8_t *
bytes_map_image(uint64_t size, const wr_image *image)
{
	uint8_t *data = bytes_map(size);

	if (data == NULL || image == NULL || image->len == 0)
		return data;
	void *p = mmap(data, image->len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, image->fd, 0);
	if (p == MAP_FAILED) {
		munmap(data, (size_t)size);
		return NULL;
	}
	return data;
}

/* Sets err to WE_ERR_LIMIT: a memory of pages does not fit in s. */
static void
budget_error(const we_store *s, uint32_t pages, we_error *err)
{
	if (err == NULL)
		return;
	err->code = WE_ERR_LIMIT;
	snprintf(err->message, sizeof(err->message),
	    "memory of %u pages does not fit the store's memory limit of %llu "
	    "bytes (%llu in use)",
	    pages, (unsigned long long)s->config.max_store_bytes,
	    (unsigned long long)s->guest_bytes);
}

we_memory *
wr_memory_create(we_store *s, const we_memtype *type, we_error *err)
{
	return wr_memory_create_from(s, type, NULL, err);
}

we_memory *
wr_memory_create_from(
    we_store *s, const we_memtype *type, const wr_image *image, we_error *err)
{
	uint32_t max = memory_max_pages(s, type);
	uint64_t size = (uint64_t)type->limits.min * WE_PAGE_SIZE;

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
	if (!wr_store_charge(s, size)) {
		budget_error(s, type->limits.min, err);
		return NULL;
	}
	we_memory *m = calloc(1, sizeof(*m));
	if (m == NULL)
		goto nomem;
	m->store = s;
	m->type = *type;
	m->max_pages = max;
	m->pages = type->limits.min;
	m->size = size;
	if (m->size > 0 &&
	    (m->data = bytes_map_image(m->size, image)) == NULL) {
		free(m);
		goto nomem;
	}
	if (image != NULL)
		m->image_len = image->len;
	if (!wr_store_adopt(s, m, WR_OBJ_MEMORY)) {
		wr_memory_release(m);
		free(m);
		goto nomem;
	}
	return m;
nomem:
	wr_store_refund(s, size);
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

/* Maps add zeroed bytes right after m's; false when that space is taken. */
static bool
grow_in_place(we_memory *m, size_t add)
{
	uint8_t *end = m->data + m->size;
	void *p = mmap(end, add, PROT_READ | PROT_WRITE,
	    ANON_FLAGS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return false;
	if (p != end) { /* a kernel before 4.17 took the address as a hint */
		munmap(p, add);
		return false;
	}
	return true;
}

/*
 * Moves an image-backed memory to a new range of size bytes: the image
 * mapping, extended (mremap), reserves the range; anonymous pages replace
 * the extension, then the old anonymous part moves over them (copied if
 * it cannot move). NULL, with m unchanged, when no range is free.
 */
static uint8_t *
grow_by_moving(we_memory *m, size_t size)
{
	size_t img = m->image_len, tail = (size_t)m->size - img;
	uint8_t *old = m->data;
	void *p = mremap(old, img, size, MREMAP_MAYMOVE);

	if (p == MAP_FAILED)
		return NULL;
	uint8_t *data = p;
	if (mmap(data + img, size - img, PROT_READ | PROT_WRITE,
	        ANON_FLAGS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		/* Put the image back where it was: its old range is free. */
		if (mremap(data, size, img, 0) != MAP_FAILED)
			(void)mremap(
			    data, img, img, MREMAP_MAYMOVE | MREMAP_FIXED, old);
		return NULL;
	}
	if (tail > 0 &&
	    mremap(old + img, tail, tail, MREMAP_MAYMOVE | MREMAP_FIXED,
	        data + img) == MAP_FAILED) {
		memcpy(data + img, old + img, tail);
		munmap(old + img, tail);
	}
	return data;
}

/* The bytes of m grown to size bytes, or NULL (m unchanged). */
static uint8_t *
bytes_grow(we_memory *m, uint64_t size)
{
	if (m->data == NULL)
		return bytes_map(size);
	if (m->image_len == 0) {
		void *p = mremap(
		    m->data, (size_t)m->size, (size_t)size, MREMAP_MAYMOVE);
		return p == MAP_FAILED ? NULL : p;
	}
	if (grow_in_place(m, (size_t)(size - m->size)))
		return m->data;
	return grow_by_moving(m, (size_t)size);
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
	if (size > SIZE_MAX || !wr_store_charge(m->store, size - m->size))
		return -1;
	uint8_t *data = bytes_grow(m, size);
	if (data == NULL) {
		wr_store_refund(m->store, size - m->size);
		return -1;
	}
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
