/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fresh-instance.c: bench-fresh, what a fresh instance per call costs an
 * embedder that runs one module many times (the worker, once per invoke).
 *
 *   bench-fresh [ROUNDS]
 *
 * For modules with 0, 1 MiB and 16 MiB of active data (generated here: one
 * segment of non-zero bytes at offset 0, and a function that writes one
 * byte and reads it back), it times one cycle of "make a fresh instance,
 * call it once, throw it away" four ways, side by side in one run:
 *
 *   new store    we_store_new + we_instance_new + call + we_store_free: the
 *                only way before templates; every store maps its stacks
 *                (8 MiB of values, 10,000 frames) on its first call.
 *   reset store  one store, we_instance_new + call + we_store_reset.
 *   template     one store and one template: we_template_instantiate +
 *                call + we_store_reset; memory maps the image.
 *   tmpl+new     a template, but a new store every time.
 *
 * Each cell is the median over ROUNDS (default 7) of the mean time of a
 * cycle in a round; the ratio is against "new store" for the same module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wasmd/engine.h>

#define MAX_ROUNDS 31

typedef struct buf {
	uint8_t *p;
	size_t len, cap;
} buf;

static void
put(buf *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void
put_byte(buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void
put_leb(buf *b, uint32_t v)
{
	do {
		uint8_t x = v & 0x7f;
		v >>= 7;
		put_byte(b, x | (v ? 0x80 : 0));
	} while (v);
}

/* Appends section id with the contents of body (then empties body). */
static void
put_section(buf *b, uint8_t id, buf *body)
{
	put_byte(b, id);
	put_leb(b, (uint32_t)body->len);
	put(b, body->p, body->len);
	body->len = 0;
}

/*
 * (memory pages) with data bytes of a pattern at 0 when data > 0, and
 * (func (export "touch") (param i32) (result i32)) that stores 7 at its
 * argument and loads the byte back. own: the bytes in *out.
 */
static void
make_module(size_t data, buf *out)
{
	static const uint8_t magic[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	static const uint8_t code[] = {
	    0x20, 0, 0x41, 7, 0x3a, 0, 0, 0x20, 0, 0x2d, 0, 0, 0x0b};
	uint32_t pages = (uint32_t)(data / 65536) + 1;
	buf s = {0};

	put(out, magic, sizeof magic);
	put(&s, (uint8_t[]){1, 0x60, 1, 0x7f, 1, 0x7f}, 6);
	put_section(out, 1, &s);
	put(&s, (uint8_t[]){1, 0}, 2);
	put_section(out, 3, &s);
	put(&s, (uint8_t[]){1, 0}, 2);
	put_leb(&s, pages);
	put_section(out, 5, &s);
	put(&s, (uint8_t[]){1, 5, 't', 'o', 'u', 'c', 'h', 0, 0}, 9);
	put_section(out, 7, &s);
	put(&s, (uint8_t[]){1, sizeof code + 1, 0}, 3);
	put(&s, code, sizeof code);
	put_section(out, 10, &s);
	if (data > 0) {
		put(&s, (uint8_t[]){1, 0, 0x41, 0, 0x0b}, 5);
		put_leb(&s, (uint32_t)data);
		for (size_t i = 0; i < data; i++)
			put_byte(&s, (uint8_t)(i * 131 + 1));
		put_section(out, 11, &s);
	}
	free(s.p);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

typedef enum way { NEW_STORE, RESET_STORE, TEMPLATE, TEMPLATE_NEW } way;

static const char *const way_names[] = {
    "new store", "reset store", "template", "tmpl+new"};

typedef struct subject {
	we_module *m;
	we_template *t;
	we_store *s; /* reused by the reset ways */
} subject;

/* One cycle: a fresh instance, one call of touch, then away with it. */
static void
cycle(subject *x, way w)
{
	we_store *s =
	    (w == NEW_STORE || w == TEMPLATE_NEW) ? we_store_new(NULL) : x->s;
	we_error err;
	we_instance *inst = (w == TEMPLATE || w == TEMPLATE_NEW)
	    ? we_template_instantiate(s, x->t, NULL, 0, &err)
	    : we_instance_new(s, x->m, NULL, 0, &err);
	we_val arg = {.type = WE_I32, .of.i32 = 4096}, r;

	if (inst == NULL ||
	    we_func_call(s, we_instance_func(inst, "touch"), &arg, 1, &r, 1) !=
	        WE_CALL_OK ||
	    r.of.i32 != 7) {
		fprintf(stderr, "bench-fresh: a cycle failed: %s\n",
		    inst == NULL ? err.message : we_store_trap(s)->message);
		exit(1);
	}
	if (s == x->s)
		we_store_reset(s);
	else
		we_store_free(s);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median over rounds of the mean µs of a cycle. */
static double
measure(subject *x, way w, int rounds, int iters)
{
	double means[MAX_ROUNDS];

	for (int i = 0; i < iters / 4 + 1; i++)
		cycle(x, w); /* warm up: code compiled, caches filled */
	for (int r = 0; r < rounds; r++) {
		double t0 = now_us();
		for (int i = 0; i < iters; i++)
			cycle(x, w);
		means[r] = (now_us() - t0) / iters;
	}
	qsort(means, (size_t)rounds, sizeof means[0], cmp_double);
	return means[rounds / 2];
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		size_t data;
		int iters;
	} mods[] = {
	    {"tiny (no data)", 0, 2000},
	    {"1 MiB of data", 1 << 20, 200},
	    {"16 MiB of data", 16 << 20, 20},
	};
	int rounds = argc > 1 ? atoi(argv[1]) : 7;

	if (rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(
		    stderr, "usage: bench-fresh [ROUNDS (1-%d)]\n", MAX_ROUNDS);
		return 2;
	}
	printf("Fresh instance + one call + discard, µs per cycle "
	       "(median of %d rounds; ratio to \"new store\")\n\n",
	    rounds);
	printf("| module | image KiB |");
	for (int w = 0; w < 4; w++)
		printf(" %s |", way_names[w]);
	printf("\n|---|---:|---:|---:|---:|---:|\n");
	for (size_t k = 0; k < sizeof mods / sizeof mods[0]; k++) {
		buf wasm = {0};
		we_error err;
		subject x;
		double us[4];

		make_module(mods[k].data, &wasm);
		x.m = we_module_new(wasm.p, wasm.len, &err);
		x.t = x.m != NULL ? we_template_new(x.m, &err) : NULL;
		x.s = we_store_new(NULL);
		if (x.t == NULL || x.s == NULL) {
			fprintf(stderr, "bench-fresh: %s\n", err.message);
			return 1;
		}
		for (int w = 0; w < 4; w++)
			us[w] = measure(&x, (way)w, rounds, mods[k].iters);
		printf("| %s | %zu |", mods[k].name,
		    we_template_image_size(x.t) / 1024);
		for (int w = 0; w < 4; w++)
			printf(" %.2f (%.2fx) |", us[w], us[w] / us[0]);
		printf("\n");
		we_store_free(x.s);
		we_template_free(x.t);
		we_module_free(x.m);
		free(wasm.p);
	}
	return 0;
}
