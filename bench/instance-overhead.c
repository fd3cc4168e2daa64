/* SPDX-License-Identifier: Apache-2.0 */
/*
 * instance-overhead.c: bench-instance, the memory an instance costs beyond
 * its linear memory.
 *
 *   bench-instance [FILE.wasm]
 *
 * Instantiates a module (by default a small one embedded below: one page
 * of memory that is never touched, a table, a global, two functions) 1000
 * times, first all in one store, then each in a store of its own, and
 * prints per instance: the growth of the malloc heap (mallinfo2: arena and
 * mmap'd chunks) and of the resident set. The engine maps linear memory
 * with mmap() outside malloc, so the heap figure excludes it; the module's
 * untouched page adds nothing to the resident set either. A FILE with
 * data segments touches its memory: its RSS figure then includes those
 * pages.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <wasmd/engine.h>

#define INSTANCES 1000

/*
 * (memory (export "memory") 1) (table 4 funcref) (global (mut i32) 0)
 * (func $f (export "f") (param i32) (result i32) ...) (func $h ...)
 * (elem (i32.const 0) $f $h)
 */
static const uint8_t tiny_module[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x03, 0x02,
    0x00, 0x00, 0x04, 0x04, 0x01, 0x70, 0x00, 0x04, 0x05, 0x03, 0x01, 0x00,
    0x01, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x0e, 0x02,
    0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x01, 0x66, 0x00,
    0x00, 0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x00, 0x01, 0x0a,
    0x11, 0x02, 0x07, 0x00, 0x20, 0x00, 0x23, 0x00, 0x6a, 0x0b, 0x07, 0x00,
    0x20, 0x00, 0x41, 0x01, 0x6a, 0x0b};

static size_t
heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static size_t
rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * (size_t)sysconf(_SC_PAGESIZE);
}

/* own: the file's bytes, or NULL. */
static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		if (f)
			fclose(f);
		return NULL;
	}
	buf = malloc(size > 0 ? (size_t)size : 1);
	if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)size;
	return buf;
}

/* Instances in one shared store; false on failure (message printed). */
static bool
measure_shared(const we_module *m, double *heap, double *rss)
{
	size_t h0 = heap_bytes(), r0 = rss_bytes();
	we_store *s = we_store_new(NULL);
	we_error err;

	if (s == NULL)
		return false;
	for (int i = 0; i < INSTANCES; i++) {
		if (we_instance_new(s, m, NULL, 0, &err) == NULL) {
			fprintf(stderr, "bench-instance: %s\n", err.message);
			we_store_free(s);
			return false;
		}
	}
	*heap = ((double)heap_bytes() - (double)h0) / INSTANCES;
	*rss = ((double)rss_bytes() - (double)r0) / INSTANCES;
	we_store_free(s);
	return true;
}

/* One store per instance, as the worker makes them. */
static bool
measure_own(const we_module *m, double *heap, double *rss)
{
	we_store **stores = calloc(INSTANCES, sizeof(*stores));
	size_t h0, r0;
	bool ok = true;
	we_error err;

	if (stores == NULL)
		return false;
	h0 = heap_bytes() + INSTANCES * sizeof(*stores);
	r0 = rss_bytes();
	for (int i = 0; i < INSTANCES && ok; i++) {
		stores[i] = we_store_new(NULL);
		if (stores[i] == NULL ||
		    we_instance_new(stores[i], m, NULL, 0, &err) == NULL) {
			fprintf(stderr, "bench-instance: %s\n",
			    stores[i] ? err.message : "no store");
			ok = false;
		}
	}
	*heap = ((double)heap_bytes() - (double)h0) / INSTANCES;
	*rss = ((double)rss_bytes() - (double)r0) / INSTANCES;
	for (int i = 0; i < INSTANCES; i++)
		we_store_free(stores[i]);
	free(stores);
	return ok;
}

int
main(int argc, char **argv)
{
	const uint8_t *bytes = tiny_module;
	size_t len = sizeof(tiny_module);
	uint8_t *owned = NULL;
	double sh, sr, oh, orss;
	we_module *m;
	we_error err;

	if (argc > 2) {
		fprintf(stderr, "usage: bench-instance [FILE.wasm]\n");
		return 2;
	}
	if (argc == 2) {
		if ((owned = read_file(argv[1], &len)) == NULL)
			return 1;
		bytes = owned;
	}
	m = we_module_new(bytes, len, &err);
	if (m == NULL) {
		fprintf(stderr, "bench-instance: %s\n", err.message);
		free(owned);
		return 1;
	}
	if (!measure_shared(m, &sh, &sr) || !measure_own(m, &oh, &orss)) {
		we_module_free(m);
		free(owned);
		return 1;
	}
	printf("instances=%d\nmodule_bytes=%zu\n", INSTANCES, len);
	printf("shared_store_heap_bytes=%.0f\nshared_store_rss_bytes=%.0f\n",
	    sh, sr);
	printf(
	    "own_store_heap_bytes=%.0f\nown_store_rss_bytes=%.0f\n", oh, orss);
	we_module_free(m);
	free(owned);
	return 0;
}
