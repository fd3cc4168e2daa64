/* SPDX-License-Identifier: Apache-2.0 */
/*
 * env.c: args_sizes_get, args_get, environ_sizes_get, environ_get. Both
 * pairs copy a list of NUL-terminated strings into the guest: an array of
 * pointers and a buffer the pointers point into.
 */
#include "internal.h"

#include <string.h>

/* The count and total size (with NULs) of a string list. */
static uint32_t
list_sizes(ws_call *c, char *const *v, uint32_t n)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < n; i++)
		total += strlen(v[i]) + 1;
	if (total > UINT32_MAX)
		return WS_EOVERFLOW;
	if (!ws_store_u32(c, ws_u32(c, 0), n) ||
	    !ws_store_u32(c, ws_u32(c, 1), (uint32_t)total))
		return WS_EFAULT;
	return WS_ESUCCESS;
}

/*
 * Writes the pointers to args[0] and the strings to args[1]. The pointer
 * array is checked whole first; positions are 64-bit so that nothing wraps
 * at the 4 GiB end of memory.
 */
static uint32_t
list_get(ws_call *c, char *const *v, uint32_t n)
{
	uint32_t ptrs = ws_u32(c, 0);
	uint64_t buf = ws_u32(c, 1);

	if (ws_mem(c, ptrs, 4 * (uint64_t)n) == NULL)
		return WS_EFAULT;
	for (uint32_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;
		uint8_t *dst =
		    buf <= UINT32_MAX ? ws_mem(c, (uint32_t)buf, len) : NULL;

		if (dst == NULL)
			return WS_EFAULT;
		memcpy(dst, v[i], len);
		ws_store_u32(c, ptrs + 4 * i, (uint32_t)buf);
		buf += len;
	}
	return WS_ESUCCESS;
}

static uint32_t
args_sizes_get(ws_call *c)
{
	return list_sizes(c, c->ctx->argv, c->ctx->argc);
}

static uint32_t
args_get(ws_call *c)
{
	return list_get(c, c->ctx->argv, c->ctx->argc);
}

static uint32_t
environ_sizes_get(ws_call *c)
{
	return list_sizes(c, c->ctx->env, c->ctx->nenv);
}

static uint32_t
environ_get(ws_call *c)
{
	return list_get(c, c->ctx->env, c->ctx->nenv);
}

const ws_fn ws_env_fns[] = {
    {"args_sizes_get", "ii", false, args_sizes_get},
    {"args_get", "ii", false, args_get},
    {"environ_sizes_get", "ii", false, environ_sizes_get},
    {"environ_get", "ii", false, environ_get},
    {NULL, NULL, false, NULL},
};
