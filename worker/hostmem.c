/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostmem.c: guest memory for host functions served by the client (see
 * hostmem.h). A request comes from the client, so it is untrusted: every
 * address and length is checked with we_memory_read()/we_memory_write(),
 * which copy nothing when any byte is out of bounds.
 */
#include "hostmem.h"

#include <stdio.h>
#include <string.h>

/* inst's memory number index, or NULL with err filled. */
static we_memory *
memory_at(const we_instance *inst, uint32_t index, char *err, size_t errlen)
{
	we_memory *mem = inst != NULL ? we_instance_memory(inst, index) : NULL;

	if (mem == NULL && index == 0)
		snprintf(err, errlen, "the module has no memory");
	else if (mem == NULL)
		snprintf(err, errlen, "the module has no memory %u", index);
	return mem;
}

/* The i32 argument at index i as an unsigned number, or false. */
static bool
u32_arg(const we_val *args, size_t nargs, uint32_t i, uint32_t *out)
{
	if (i >= nargs || args[i].type != WE_I32)
		return false;
	*out = (uint32_t)args[i].of.i32;
	return true;
}

/*
 * Reads [addr, addr+len) of inst's memory number index into a new arena
 * buffer; false with err.
 */
static bool
read_range(wrk_arena *a, const we_instance *inst, uint32_t index, uint64_t addr,
    uint64_t len, ProtobufCBinaryData *out, char *err, size_t errlen)
{
	we_memory *mem = memory_at(inst, index, err, errlen);
	uint8_t *buf;

	if (mem == NULL)
		return false;
	if (len > WRK_HOSTMEM_MAX) {
		snprintf(err, errlen,
		    "%llu bytes at %llu: more than %u bytes at once",
		    (unsigned long long)len, (unsigned long long)addr,
		    WRK_HOSTMEM_MAX);
		return false;
	}
	buf = wrk_arena_alloc(a, len + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory reading guest memory");
		return false;
	}
	if (!we_memory_read(mem, addr, buf, len)) {
		snprintf(err, errlen,
		    "%llu bytes at %llu are out of bounds of the guest's "
		    "memory %u (%llu bytes)",
		    (unsigned long long)len, (unsigned long long)addr, index,
		    (unsigned long long)we_memory_size(mem));
		return false;
	}
	out->data = buf;
	out->len = len;
	return true;
}

bool
wrk_hostmem_args(wrk_arena *a, const we_instance *inst,
    const Wasmd__HostImport *h, const we_val *args, size_t nargs,
    Wasmd__HostCall *hc, char *err, size_t errlen)
{
	size_t n = h->n_memory_args;
	uint64_t total = 0; /* bytes of the ranges so far */
	Wasmd__MemoryBytes *mb;
	char why[256];

	if (n == 0)
		return true;
	mb = wrk_arena_alloc(a, n * sizeof *mb);
	hc->memory = wrk_arena_alloc(a, n * sizeof *hc->memory);
	if (mb == NULL || hc->memory == NULL) {
		snprintf(err, errlen, "out of memory relaying a host call");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const Wasmd__MemoryArg *ma = h->memory_args[i];
		uint32_t ptr, len;

		if (ma == NULL || !u32_arg(args, nargs, ma->ptr_param, &ptr) ||
		    !u32_arg(args, nargs, ma->len_param, &len)) {
			snprintf(err, errlen,
			    "host import %s.%s: memory argument %zu does not "
			    "name two i32 parameters",
			    h->module, h->name, i);
			return false;
		}
		/* One HostCall must fit in a worker's reply (WP_REPLY_MAX). */
		total += len;
		if (total > WP_HOSTCALL_MEMORY_MAX) {
			snprintf(err, errlen,
			    "host import %s.%s: its memory arguments add up "
			    "to %llu bytes, more than the %u one call may "
			    "carry",
			    h->module, h->name, (unsigned long long)total,
			    WP_HOSTCALL_MEMORY_MAX);
			return false;
		}
		wasmd__memory_bytes__init(&mb[i]);
		mb[i].address = ptr;
		mb[i].memory = ma->memory;
		if (!read_range(a, inst, ma->memory, ptr, len, &mb[i].data, why,
		        sizeof why)) {
			snprintf(err, errlen,
			    "host import %s.%s: the (ptr, len) argument in "
			    "parameters %u and %u: %s",
			    h->module, h->name, ma->ptr_param, ma->len_param,
			    why);
			return false;
		}
		hc->memory[i] = &mb[i];
	}
	hc->n_memory = n;
	return true;
}

bool
wrk_hostmem_is_request(const Wasmd__Envelope *env)
{
	return env->msg_case == WASMD__ENVELOPE__MSG_MEMORY_READ ||
	    env->msg_case == WASMD__ENVELOPE__MSG_MEMORY_WRITE;
}

/*
 * Writes data at addr of inst's memory number index; false with err when
 * it does not fit or there is no such memory.
 */
static bool
write_range(const we_instance *inst, uint32_t index, uint64_t addr,
    const ProtobufCBinaryData *data, char *err, size_t errlen)
{
	we_memory *mem = memory_at(inst, index, err, errlen);

	if (mem == NULL)
		return false;
	if (!we_memory_write(mem, addr, data->data, data->len)) {
		snprintf(err, errlen,
		    "%zu bytes at %llu are out of bounds of the guest's "
		    "memory %u (%llu bytes)",
		    data->len, (unsigned long long)addr, index,
		    (unsigned long long)we_memory_size(mem));
		return false;
	}
	return true;
}

void
wrk_hostmem_serve(wrk_arena *a, const we_instance *inst,
    const Wasmd__Envelope *req, Wasmd__MemoryReply *reply)
{
	char err[256];
	bool ok;

	if (req->msg_case == WASMD__ENVELOPE__MSG_MEMORY_READ)
		ok = read_range(a, inst, req->memory_read->memory,
		    req->memory_read->address, req->memory_read->length,
		    &reply->data, err, sizeof err);
	else
		ok = write_range(inst, req->memory_write->memory,
		    req->memory_write->address, &req->memory_write->data, err,
		    sizeof err);
	if (!ok) {
		char *msg = wrk_arena_alloc(a, strlen(err) + 1);

		reply->data.data = NULL;
		reply->data.len = 0;
		reply->error = msg != NULL ? strcpy(msg, err) : "out of memory";
	}
}

bool
wrk_hostmem_apply(const we_instance *inst, const Wasmd__HostReply *r, char *err,
    size_t errlen)
{
	char why[256];

	for (size_t i = 0; i < r->n_writes; i++) {
		const Wasmd__MemoryBytes *w = r->writes[i];

		if (w == NULL)
			continue;
		if (!write_range(inst, w->memory, w->address, &w->data, why,
		        sizeof why)) {
			snprintf(err, errlen, "host reply: write %s", why);
			return false;
		}
	}
	return true;
}
