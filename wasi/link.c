/* SPDX-License-Identifier: Apache-2.0 */
/*
 * link.c: turns a module's WASI imports into engine host functions
 * (ws_imports), calls a WASI function for the engine (the trampoline), and
 * gives the functions bounds-checked access to the guest's memory.
 *
 * Every guest pointer is untrusted: ws_mem() checks that the whole range
 * lies inside the memory in 64-bit arithmetic (a 32-bit pointer plus a
 * 32-bit length cannot wrap there) before any byte is touched.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every file's table, searched in this order. */
static const ws_fn *const all_tables[] = {ws_env_fns, ws_fd_fns, ws_fd_file_fns,
    ws_path_fns, ws_path_ops_fns, ws_clock_fns, ws_misc_fns, ws_sock_fns,
    ws_poll_fns};

/* What a host function's env points to: own, freed with the store. */
typedef struct ws_binding {
	ws_ctx *ctx;     /* borrowed */
	const ws_fn *fn; /* NULL: an unknown name, answered with ENOSYS */
} ws_binding;

static const ws_fn *
find_fn(const char *name)
{
	for (size_t t = 0; t < sizeof all_tables / sizeof all_tables[0]; t++)
		for (const ws_fn *f = all_tables[t]; f->name != NULL; f++)
			if (strcmp(f->name, name) == 0)
				return f;
	return NULL;
}

/* ---- Guest memory ------------------------------------------------------- */

uint8_t *
ws_mem(ws_call *c, uint32_t ptr, uint64_t len)
{
	if (c->mem == NULL || (uint64_t)ptr + len > we_memory_size(c->mem))
		return NULL;
	return we_memory_data(c->mem) + ptr;
}

void
ws_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void
ws_put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void
ws_put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint16_t
ws_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t
ws_get_u32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t
ws_get_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

bool
ws_load_u32(ws_call *c, uint32_t ptr, uint32_t *out)
{
	uint8_t *p = ws_mem(c, ptr, 4);

	if (p != NULL)
		*out = ws_get_u32(p);
	return p != NULL;
}

bool
ws_load_u64(ws_call *c, uint32_t ptr, uint64_t *out)
{
	uint8_t *p = ws_mem(c, ptr, 8);

	if (p != NULL)
		*out = ws_get_u64(p);
	return p != NULL;
}

bool
ws_store_u32(ws_call *c, uint32_t ptr, uint32_t v)
{
	uint8_t *p = ws_mem(c, ptr, 4);

	if (p != NULL)
		ws_put_u32(p, v);
	return p != NULL;
}

bool
ws_store_u64(ws_call *c, uint32_t ptr, uint64_t v)
{
	uint8_t *p = ws_mem(c, ptr, 8);

	if (p != NULL)
		ws_put_u64(p, v);
	return p != NULL;
}

/* The caller's memory: its export "memory", else its memory 0. */
static we_memory *
caller_memory(we_instance *caller)
{
	we_extern e;

	if (caller == NULL)
		return NULL;
	if (we_instance_export(caller, "memory", &e) &&
	    e.kind == WE_EXTERN_MEMORY)
		return e.of.memory;
	return we_instance_memory(caller, 0);
}

/* ---- Calls ------------------------------------------------------------- */

static we_host_status
trampoline(we_hostcall *hc)
{
	const ws_binding *b = hc->env;
	ws_call c = {.ctx = b->ctx,
	    .mem = caller_memory(hc->caller),
	    .args = hc->args,
	    .message = hc->message};
	uint32_t rc = b->fn != NULL ? b->fn->impl(&c) : WS_ENOSYS;

	if (rc == WS_TRAP)
		return WE_HOST_TRAP;
	/* An unknown name's stub fills whatever results its type has. */
	for (uint32_t i = 0; i < hc->nresults; i++) {
		we_valtype t = hc->results[i].type;

		memset(&hc->results[i], 0, sizeof hc->results[i]);
		hc->results[i].type = t;
	}
	if (hc->nresults == 1 && hc->results[0].type == WE_I32)
		hc->results[0].of.i32 = (int32_t)rc;
	return WE_HOST_OK;
}

/* ---- Linking ------------------------------------------------------------ */

static we_valtype
letter_type(char l)
{
	return l == 'I' ? WE_I64 : WE_I32;
}

static bool
type_matches(const ws_fn *fn, const we_functype *t)
{
	size_t np = strlen(fn->params);

	if (t->nparams != np || t->nresults != (fn->noresult ? 0u : 1u))
		return false;
	for (size_t i = 0; i < np; i++)
		if (t->params[i] != letter_type(fn->params[i]))
			return false;
	return fn->noresult || t->results[0] == WE_I32;
}

/* "(i32 i64) -> i32" for a link error. */
static void
format_fn_type(const ws_fn *fn, char *buf, size_t len)
{
	size_t n = 0;

	n += (size_t)snprintf(buf + n, len - n, "(");
	for (const char *p = fn->params; *p != '\0' && n < len; p++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
		    p == fn->params ? "" : " ", *p == 'I' ? "i64" : "i32");
	if (n < len)
		snprintf(
		    buf + n, len - n, ") -> %s", fn->noresult ? "()" : "i32");
}

static void
set_error(we_error *err, we_err code, const char *msg)
{
	err->code = code;
	err->offset = SIZE_MAX;
	snprintf(err->message, sizeof err->message, "%s", msg);
}

/* One host function for import d (which is from WS_MODULE). */
static bool
link_one(ws_ctx *ctx, we_store *s, const we_importdesc *d, we_import *out,
    we_error *err)
{
	const ws_fn *fn = find_fn(d->name);
	ws_binding *b;
	we_func *f;
	char want[96], msg[WE_MSG_MAX];

	if (fn != NULL && !type_matches(fn, &d->type.of.func)) {
		format_fn_type(fn, want, sizeof want);
		snprintf(msg, sizeof msg,
		    "import %s.%s has the wrong type: WASI defines it as %s",
		    d->module, d->name, want);
		set_error(err, WE_ERR_LINK, msg);
		return false;
	}
	b = malloc(sizeof *b);
	if (b == NULL) {
		set_error(err, WE_ERR_NOMEM, "out of memory");
		return false;
	}
	b->ctx = ctx;
	b->fn = fn;
	f = we_func_new_host(s, &d->type.of.func, trampoline, b, free);
	if (f == NULL) {
		free(b);
		set_error(err, WE_ERR_NOMEM, "out of memory");
		return false;
	}
	out->module = d->module;
	out->name = d->name;
	out->value.kind = WE_EXTERN_FUNC;
	out->value.of.func = f;
	return true;
}

bool
ws_imports(ws_ctx *ctx, we_store *s, const we_module *m, we_import **out,
    size_t *n, we_error *err)
{
	uint32_t count = we_module_import_count(m);
	we_import *v = calloc(count + 1, sizeof *v);
	size_t k = 0;
	we_importdesc d;

	if (v == NULL) {
		set_error(err, WE_ERR_NOMEM, "out of memory");
		return false;
	}
	for (uint32_t i = 0; i < count; i++) {
		we_module_import(m, i, &d);
		if (strcmp(d.module, WS_MODULE) != 0 ||
		    d.type.kind != WE_EXTERN_FUNC)
			continue;
		if (!link_one(ctx, s, &d, &v[k], err)) {
			free(v);
			return false;
		}
		k++;
	}
	*out = v;
	*n = k;
	return true;
}
