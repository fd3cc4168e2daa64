/* SPDX-License-Identifier: Apache-2.0 */
/*
 * template.c: instance templates, for embedders that instantiate one module
 * many times (the worker makes a fresh instance per invoke).
 *
 * A template applies the module's active data segments once, into an image
 * of the start of its memory. Where the system allows, the image lives in
 * a memfd sealed against any change; each instance maps it privately, so
 * making one costs two mmap() calls whatever the data size, and the kernel
 * copies a page only when an instance writes it. Without memfd_create (an
 * old kernel, or a filter that refuses it), or with an RLIMIT_FSIZE below
 * the image's size, there is no image and each instance copies the
 * segments as we_instance_new() does: slower, equally correct. (A copy of
 * a whole image would be no faster, and far slower for sparse data.)
 *
 * The image stands for the segments only when applying them cannot fail or
 * depend on the imports: memory 0 is the module's own, and every active
 * segment has a constant offset and fits in the memory's initial size.
 * Otherwise the template has no image either (instantiation then traps,
 * or reads the globals, exactly as we_instance_new() does).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "runtime.h"

struct we_template {
	const we_module *module; /* borrowed */
	wr_image image;          /* len 0: no image, the plain path */
};

/*
 * The bytes the active data segments of m cover, from offset 0, when an
 * image may stand for them; 0 when it may not or they cover nothing.
 */
static uint64_t
image_extent(const we_module *m)
{
	uint64_t extent = 0;

	if (m->nmems == 0 || m->nmem_imports > 0)
		return 0;
	uint64_t size = (uint64_t)m->mems[0].limits.min * WE_PAGE_SIZE;
	for (uint32_t i = 0; i < m->ndatas; i++) {
		const wm_data *d = &m->datas[i];
		if (d->mode != WM_SEG_ACTIVE)
			continue;
		if (d->memory != 0 || d->offset.op != WM_CONST_I32)
			return 0;
		uint64_t end = (uint64_t)(uint32_t)d->offset.bits + d->len;
		if (end > size)
			return 0; /* it traps: leave that to we_instance_new */
		if (d->len > 0 && end > extent)
			extent = end;
	}
	return extent;
}

/* Writes m's active data segments, in order, into image (zeroed). */
static void
apply_segments(const we_module *m, uint8_t *image)
{
	for (uint32_t i = 0; i < m->ndatas; i++) {
		const wm_data *d = &m->datas[i];
		if (d->mode == WM_SEG_ACTIVE && d->len > 0)
			memcpy(
			    image + (uint32_t)d->offset.bits, d->bytes, d->len);
	}
}

/* wr_image_make's fill for a template: m's active data segments. */
static void
fill_segments(uint8_t *image, const void *m)
{
	apply_segments(m, image);
}

/*
 * A sealed memfd of len bytes that fill() wrote into (zeroed before), or
 * -1 when the system cannot make one.
 */
static int
image_memfd(
    size_t len, void (*fill)(uint8_t *image, const void *arg), const void *arg)
{
	struct rlimit fsize;

	/* A memfd is a file: sized past RLIMIT_FSIZE, SIGXFSZ would kill the
	   embedder. */
	if (getrlimit(RLIMIT_FSIZE, &fsize) != 0 ||
	    (fsize.rlim_cur != RLIM_INFINITY && fsize.rlim_cur < len))
		return -1;
	int fd = memfd_create("wasmd-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)len) != 0)
		goto fail;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	fill(p, arg);
	munmap(p, len);
	/* Sealed, the image cannot change under the instances mapping it. */
	if (fcntl(fd, F_ADD_SEALS,
	        F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

size_t
wr_round_to_page(uint64_t n)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	if (page == 0 || page > WE_PAGE_SIZE)
		page = WE_PAGE_SIZE;
	return (size_t)((n + page - 1) / page * page);
}

bool
wr_image_make(wr_image *image, uint64_t extent,
    void (*fill)(uint8_t *image, const void *arg), const void *arg)
{
	size_t len = wr_round_to_page(extent);

	image->len = 0;
	image->fd = image_memfd(len, fill, arg);
	if (image->fd < 0)
		return false;
	image->len = len;
	return true;
}

we_template *
we_template_new(const we_module *m, we_error *err)
{
	if (m == NULL) {
		if (err != NULL) {
			err->code = WE_ERR_ARG;
			err->offset = SIZE_MAX;
			snprintf(err->message, sizeof(err->message),
			    "we_template_new: no module");
		}
		return NULL;
	}
	we_template *t = calloc(1, sizeof(*t));
	if (t == NULL) {
		if (err != NULL) {
			err->code = WE_ERR_NOMEM;
			err->offset = SIZE_MAX;
			snprintf(err->message, sizeof(err->message),
			    "out of memory making a template");
		}
		return NULL;
	}
	t->module = m;
	t->image.fd = -1;
	uint64_t extent = image_extent(m);
	if (extent > 0 && extent <= SIZE_MAX)
		wr_image_make(&t->image, extent, fill_segments, m);
	return t;
}

void
we_template_free(we_template *t)
{
	if (t == NULL)
		return;
	if (t->image.fd >= 0)
		close(t->image.fd);
	free(t);
}

size_t
we_template_image_size(const we_template *t)
{
	return t->image.len;
}

we_instance *
we_template_instantiate(we_store *s, const we_template *t,
    const we_import *imports, size_t nimports, we_error *err)
{
	if (t == NULL)
		return wr_instantiate(
		    s, NULL, imports, nimports, NULL, NULL, err);
	return wr_instantiate(s, t->module, imports, nimports,
	    t->image.len > 0 ? &t->image : NULL, NULL, err);
}
