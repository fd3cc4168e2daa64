/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host.c: host functions served by the client (see wasmd/client.h).
 *
 * A host_call names its request's id and the index of the import in the
 * request's host_imports; the table bound to that id (wc_hosts) finds the
 * callback. The callback's results, its queued memory writes or its
 * failure go back in one host_reply. A memory read or write asked for
 * during the callback is one round trip on the connection, with the same
 * id as the host call; envelopes that arrive meanwhile (other invokes'
 * replies, host calls, output) are set aside and handled afterwards in
 * the order they came.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A copy of a caller's host function table and its wire form. */
struct wc_hosts {
	wasmd_host_func *funcs; /* own: copied entries (contents borrowed) */
	size_t n;
	Wasmd__HostImport *pb;       /* own: n entries */
	Wasmd__HostImport **pb_ptrs; /* own */
	Wasmd__FuncType *types;      /* own: n entries */
	Wasmd__MemoryArg *margs;     /* own: every mem_arg, flattened */
	Wasmd__MemoryArg **marg_ptrs;
};

/* A queued memory write of a host reply. */
struct wc_write {
	Wasmd__MemoryBytes pb;
	uint8_t *data; /* own */
};

struct wasmd_host_call {
	wasmd_conn *conn;
	uint64_t id;
	const wasmd_host_func *func;
	const Wasmd__HostCall *pb; /* borrowed: the memory arguments */
	struct wc_write *writes;   /* own */
	size_t nwrites, cap_writes;
	char error[WC_ERRMSG_MAX]; /* the trap message; "" until failed */
};

/* ---- Tables ------------------------------------------------------------ */

/* The host functions of opts, honouring the size the caller knew. */
static void
table_of(
    const wasmd_invoke_options *opts, const wasmd_host_func **funcs, size_t *n)
{
	size_t need = offsetof(wasmd_invoke_options, nhost_funcs) +
	    sizeof opts->nhost_funcs;

	*funcs = NULL;
	*n = 0;
	if (opts == NULL || opts->size < need || opts->nhost_funcs == 0)
		return;
	*funcs = opts->host_funcs;
	*n = opts->nhost_funcs;
}

void
wc_hosts_free(struct wc_hosts *h)
{
	if (h == NULL)
		return;
	free(h->funcs);
	free(h->pb);
	free(h->pb_ptrs);
	free(h->types);
	free(h->margs);
	free(h->marg_ptrs);
	free(h);
}

/* Checks one declaration before anything is sent. */
static wasmd_error
check_func(wasmd_conn *conn, const wasmd_host_func *f)
{
	if (f->module == NULL || f->name == NULL || f->fn == NULL ||
	    (f->type.nparams > 0 && f->type.params == NULL) ||
	    (f->type.nresults > 0 && f->type.results == NULL) ||
	    (f->nmem_args > 0 && f->mem_args == NULL))
		return wc_fail(conn, WASMD_ERR_INVALID,
		    "host function %s.%s: module, name, fn and the type's "
		    "arrays are required",
		    f->module ? f->module : "?", f->name ? f->name : "?");
	for (size_t i = 0; i < f->nmem_args; i++) {
		const wasmd_mem_arg *m = &f->mem_args[i];

		if (m->ptr_param >= f->type.nparams ||
		    m->len_param >= f->type.nparams ||
		    f->type.params[m->ptr_param] != WASMD_I32 ||
		    f->type.params[m->len_param] != WASMD_I32)
			return wc_fail(conn, WASMD_ERR_INVALID,
			    "host function %s.%s: memory argument %zu must "
			    "name two i32 parameters",
			    f->module, f->name, i);
	}
	return WASMD_OK;
}

/* Fills the wire form of h->funcs. */
static void
fill_pb(struct wc_hosts *h)
{
	size_t m = 0;

	for (size_t i = 0; i < h->n; i++) {
		const wasmd_host_func *f = &h->funcs[i];
		Wasmd__HostImport *pb = &h->pb[i];
		Wasmd__FuncType *t = &h->types[i];

		wasmd__host_import__init(pb);
		wasmd__func_type__init(t);
		/* wasmd_valtype and Wasmd__ValType share their numbers and
		 * their size (both enums); protobuf-c only reads them. */
		t->n_params = f->type.nparams;
		t->params = (Wasmd__ValType *)f->type.params;
		t->n_results = f->type.nresults;
		t->results = (Wasmd__ValType *)f->type.results;
		pb->module = (char *)f->module;
		pb->name = (char *)f->name;
		pb->type = t;
		pb->n_memory_args = f->nmem_args;
		pb->memory_args = &h->marg_ptrs[m];
		for (size_t j = 0; j < f->nmem_args; j++, m++) {
			wasmd__memory_arg__init(&h->margs[m]);
			h->margs[m].ptr_param = f->mem_args[j].ptr_param;
			h->margs[m].len_param = f->mem_args[j].len_param;
			h->margs[m].memory = f->mem_args[j].memory;
			h->marg_ptrs[m] = &h->margs[m];
		}
		h->pb_ptrs[i] = pb;
	}
}

wasmd_error
wc_hosts_new(
    wasmd_conn *conn, const wasmd_invoke_options *opts, struct wc_hosts **out)
{
	const wasmd_host_func *funcs;
	struct wc_hosts *h;
	size_t n, nm = 0;
	wasmd_error rc;

	_Static_assert(sizeof(wasmd_valtype) == sizeof(Wasmd__ValType),
	    "value type enums must have the same size");
	*out = NULL;
	table_of(opts, &funcs, &n);
	if (n == 0)
		return WASMD_OK;
	if (funcs == NULL)
		return wc_fail(conn, WASMD_ERR_INVALID,
		    "nhost_funcs is %zu but host_funcs is NULL", n);
	for (size_t i = 0; i < n; i++) {
		if ((rc = check_func(conn, &funcs[i])) != WASMD_OK)
			return rc;
		nm += funcs[i].nmem_args;
	}
	h = calloc(1, sizeof *h);
	if (h == NULL)
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	h->n = n;
	h->funcs = malloc(n * sizeof *h->funcs);
	h->pb = calloc(n, sizeof *h->pb);
	h->pb_ptrs = calloc(n, sizeof *h->pb_ptrs);
	h->types = calloc(n, sizeof *h->types);
	h->margs = calloc(nm + 1, sizeof *h->margs);
	h->marg_ptrs = calloc(nm + 1, sizeof *h->marg_ptrs);
	if (h->funcs == NULL || h->pb == NULL || h->pb_ptrs == NULL ||
	    h->types == NULL || h->margs == NULL || h->marg_ptrs == NULL) {
		wc_hosts_free(h);
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	}
	memcpy(h->funcs, funcs, n * sizeof *h->funcs);
	fill_pb(h);
	*out = h;
	return WASMD_OK;
}

void
wc_hosts_pb(const struct wc_hosts *h, size_t *n, Wasmd__HostImport ***pb)
{
	*n = h != NULL ? h->n : 0;
	*pb = h != NULL ? h->pb_ptrs : NULL;
}

int
wc_hosts_bind(wasmd_conn *conn, uint64_t id, struct wc_hosts *hosts, bool own)
{
	if (conn->nhostregs == conn->cap_hostregs) {
		size_t cap = conn->cap_hostregs ? conn->cap_hostregs * 2 : 8;
		struct wc_hostreg *r = realloc(conn->hostregs, cap * sizeof *r);

		if (r == NULL)
			return -1;
		conn->hostregs = r;
		conn->cap_hostregs = cap;
	}
	conn->hostregs[conn->nhostregs++] =
	    (struct wc_hostreg){.id = id, .hosts = hosts, .own = own};
	return 0;
}

wasmd_error
wc_hosts_open(wasmd_conn *conn, uint64_t id, const wasmd_invoke_options *opts,
    Wasmd__Invoke *inv)
{
	struct wc_hosts *h = NULL;
	wasmd_error rc = wc_hosts_new(conn, opts, &h);

	if (rc != WASMD_OK || h == NULL)
		return rc;
	if (wc_hosts_bind(conn, id, h, true) < 0) {
		wc_hosts_free(h);
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	}
	wc_hosts_pb(h, &inv->n_host_imports, &inv->host_imports);
	return WASMD_OK;
}

/* The binding of request id, or NULL. */
static struct wc_hostreg *
find_reg(wasmd_conn *conn, uint64_t id)
{
	for (size_t i = 0; i < conn->nhostregs; i++) {
		if (conn->hostregs[i].id == id)
			return &conn->hostregs[i];
	}
	return NULL;
}

void
wc_hosts_close(wasmd_conn *conn, uint64_t id)
{
	struct wc_hostreg *r = find_reg(conn, id);

	if (r == NULL)
		return;
	if (r->own)
		wc_hosts_free(r->hosts);
	*r = conn->hostregs[--conn->nhostregs];
}

void
wc_hosts_unbind(wasmd_conn *conn, const struct wc_hosts *hosts)
{
	for (size_t i = 0; i < conn->nhostregs; i++) {
		if (conn->hostregs[i].hosts == hosts && !conn->hostregs[i].own)
			conn->hostregs[i].hosts = NULL;
	}
}

void
wc_hosts_free_all(wasmd_conn *conn)
{
	for (size_t i = 0; i < conn->nhostregs; i++) {
		if (conn->hostregs[i].own)
			wc_hosts_free(conn->hostregs[i].hosts);
	}
	free(conn->hostregs);
	conn->hostregs = NULL;
	conn->nhostregs = conn->cap_hostregs = 0;
	for (size_t i = 0; i < conn->ndeferred; i++)
		wasmd__envelope__free_unpacked(conn->deferred[i], NULL);
	free(conn->deferred);
	conn->deferred = NULL;
	conn->ndeferred = conn->cap_deferred = 0;
}

/* ---- Envelopes set aside during a memory round trip --------------------- */

static int
defer(wasmd_conn *conn, Wasmd__Envelope *env)
{
	if (conn->ndeferred == conn->cap_deferred) {
		size_t cap = conn->cap_deferred ? conn->cap_deferred * 2 : 8;
		Wasmd__Envelope **d = realloc(conn->deferred, cap * sizeof *d);

		if (d == NULL) {
			wasmd__envelope__free_unpacked(env, NULL);
			wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
			wc_break(conn);
			return -1;
		}
		conn->deferred = d;
		conn->cap_deferred = cap;
	}
	conn->deferred[conn->ndeferred++] = env;
	return 0;
}

int
wc_take_deferred(wasmd_conn *conn, Wasmd__Envelope **env)
{
	if (conn->ndeferred == 0)
		return 0;
	*env = conn->deferred[0];
	memmove(&conn->deferred[0], &conn->deferred[1],
	    (conn->ndeferred - 1) * sizeof *conn->deferred);
	conn->ndeferred--;
	return 1;
}

/* ---- Memory round trips ------------------------------------------------- */

/*
 * Sends req (a memory_read or memory_write) under the host call's id and
 * waits for its memory_reply, setting other envelopes aside.
 * own: *reply on WASMD_OK.
 */
static wasmd_error
memory_round_trip(
    wasmd_host_call *call, Wasmd__Envelope *req, Wasmd__Envelope **reply)
{
	wasmd_conn *conn = call->conn;
	Wasmd__Envelope *env = NULL;
	bool was = conn->deferring;

	*reply = NULL;
	if (conn->fd < 0)
		return wc_fail(conn, WASMD_ERR_IO, "not connected to wasmd");
	req->id = call->id;
	if (wc_send_envelope(conn, req) < 0)
		return conn->code;
	conn->deferring = true;
	for (;;) {
		if (wc_read_frame(conn, true, &env) < 0)
			break;
		if (env->id == call->id &&
		    env->msg_case == WASMD__ENVELOPE__MSG_MEMORY_REPLY) {
			*reply = env;
			break;
		}
		/* The invocation ended meanwhile (its deadline passed): the
		 * awaiting call must still see why, so keep it. */
		if ((env->id == call->id || env->id == 0) &&
		    env->msg_case == WASMD__ENVELOPE__MSG_ERROR) {
			wc_fail_from_pb(conn, env->error);
			defer(conn, env);
			break;
		}
		if (defer(conn, env) < 0)
			break;
	}
	conn->deferring = was;
	if (*reply == NULL)
		return conn->code != WASMD_OK ? conn->code : WASMD_ERR_IO;
	if ((*reply)->memory_reply->error != NULL &&
	    (*reply)->memory_reply->error[0] != '\0') {
		wc_fail(conn, WASMD_ERR_OUT_OF_BOUNDS, "%s",
		    (*reply)->memory_reply->error);
		wasmd__envelope__free_unpacked(*reply, NULL);
		*reply = NULL;
		return WASMD_ERR_OUT_OF_BOUNDS;
	}
	return WASMD_OK;
}

/* One MemoryRead of at most WP_MEMORY_READ_MAX bytes. */
static wasmd_error
memory_read_piece(wasmd_host_call *call, uint32_t memory, uint64_t addr,
    void *buf, size_t len)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply;
	Wasmd__MemoryRead mr = WASMD__MEMORY_READ__INIT;
	wasmd_error rc;

	mr.memory = memory;
	mr.address = addr;
	mr.length = (uint32_t)len;
	env.msg_case = WASMD__ENVELOPE__MSG_MEMORY_READ;
	env.memory_read = &mr;
	rc = memory_round_trip(call, &env, &reply);
	if (rc != WASMD_OK)
		return rc;
	if (reply->memory_reply->data.len != len) {
		wc_fail(call->conn, WASMD_ERR_PROTOCOL,
		    "the daemon answered a %zu-byte read with %zu bytes", len,
		    reply->memory_reply->data.len);
		wasmd__envelope__free_unpacked(reply, NULL);
		return WASMD_ERR_PROTOCOL;
	}
	if (len > 0)
		memcpy(buf, reply->memory_reply->data.data, len);
	wasmd__envelope__free_unpacked(reply, NULL);
	return WASMD_OK;
}

wasmd_error
wasmd_host_memory_read(
    wasmd_host_call *call, uint64_t addr, void *buf, size_t len)
{
	return wasmd_host_memory_read_in(call, 0, addr, buf, len);
}

wasmd_error
wasmd_host_memory_read_in(wasmd_host_call *call, uint32_t memory, uint64_t addr,
    void *buf, size_t len)
{
	size_t done = 0;
	wasmd_error rc;

	if (call == NULL || (buf == NULL && len > 0))
		return WASMD_ERR_INVALID;
	if (len > UINT32_MAX)
		return wc_fail(call->conn, WASMD_ERR_OUT_OF_BOUNDS,
		    "%zu bytes at %llu: more than a 32-bit memory holds", len,
		    (unsigned long long)addr);
	/* The daemon relays at most WP_MEMORY_READ_MAX bytes a read. */
	do {
		size_t n = len - done < WP_MEMORY_READ_MAX ? len - done
		                                           : WP_MEMORY_READ_MAX;
		rc = memory_read_piece(
		    call, memory, addr + done, (uint8_t *)buf + done, n);
		if (rc != WASMD_OK)
			return rc;
		done += n;
	} while (done < len);
	return wc_ok(call->conn);
}

wasmd_error
wasmd_host_memory_write(
    wasmd_host_call *call, uint64_t addr, const void *data, size_t len)
{
	return wasmd_host_memory_write_in(call, 0, addr, data, len);
}

wasmd_error
wasmd_host_memory_write_in(wasmd_host_call *call, uint32_t memory,
    uint64_t addr, const void *data, size_t len)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply;
	Wasmd__MemoryWrite mw = WASMD__MEMORY_WRITE__INIT;
	wasmd_error rc;

	if (call == NULL || (data == NULL && len > 0))
		return WASMD_ERR_INVALID;
	mw.memory = memory;
	mw.address = addr;
	mw.data.data = (uint8_t *)data; /* protobuf-c only reads it */
	mw.data.len = len;
	env.msg_case = WASMD__ENVELOPE__MSG_MEMORY_WRITE;
	env.memory_write = &mw;
	rc = memory_round_trip(call, &env, &reply);
	if (rc != WASMD_OK)
		return rc;
	wasmd__envelope__free_unpacked(reply, NULL);
	return wc_ok(call->conn);
}

/* ---- Inside a callback ------------------------------------------------- */

wasmd_conn *
wasmd_host_call_conn(const wasmd_host_call *call)
{
	return call != NULL ? call->conn : NULL;
}

const wasmd_host_func *
wasmd_host_call_func(const wasmd_host_call *call)
{
	return call != NULL ? call->func : NULL;
}

const uint8_t *
wasmd_host_call_mem_arg(
    const wasmd_host_call *call, size_t i, uint32_t *addr, size_t *len)
{
	const Wasmd__MemoryBytes *mb;

	if (call == NULL || i >= call->pb->n_memory ||
	    call->pb->memory[i] == NULL)
		return NULL;
	mb = call->pb->memory[i];
	if (addr != NULL)
		*addr = (uint32_t)mb->address;
	if (len != NULL)
		*len = mb->data.len;
	/* A zero-length argument still gets a valid pointer. */
	return mb->data.data != NULL ? mb->data.data : (const uint8_t *)"";
}

wasmd_error
wasmd_host_call_write(
    wasmd_host_call *call, uint64_t addr, const void *data, size_t len)
{
	return wasmd_host_call_write_in(call, 0, addr, data, len);
}

wasmd_error
wasmd_host_call_write_in(wasmd_host_call *call, uint32_t memory, uint64_t addr,
    const void *data, size_t len)
{
	struct wc_write *w;

	if (call == NULL || (data == NULL && len > 0))
		return WASMD_ERR_INVALID;
	if (call->nwrites == call->cap_writes) {
		size_t cap = call->cap_writes ? call->cap_writes * 2 : 4;

		w = realloc(call->writes, cap * sizeof *w);
		if (w == NULL)
			return WASMD_ERR_NOMEM;
		call->writes = w;
		call->cap_writes = cap;
	}
	w = &call->writes[call->nwrites];
	wasmd__memory_bytes__init(&w->pb);
	w->data = malloc(len ? len : 1);
	if (w->data == NULL)
		return WASMD_ERR_NOMEM;
	if (len > 0) /* data may be NULL then, which memcpy must not get */
		memcpy(w->data, data, len);
	w->pb.memory = memory;
	w->pb.address = addr;
	w->pb.data.data = w->data;
	w->pb.data.len = len;
	call->nwrites++;
	return WASMD_OK;
}

int
wasmd_host_call_fail(wasmd_host_call *call, const char *fmt, ...)
{
	va_list ap;

	if (call == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(call->error, sizeof call->error, fmt, ap);
	va_end(ap);
	if (call->error[0] == '\0')
		snprintf(
		    call->error, sizeof call->error, "host function failed");
	return -1;
}

/* ---- Serving a host call ----------------------------------------------- */

/* Sends host_reply{error} for request id. */
static int
reply_error(wasmd_conn *conn, uint64_t id, const char *msg)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__HostReply reply = WASMD__HOST_REPLY__INIT;

	reply.error = (char *)msg;
	env.id = id;
	env.msg_case = WASMD__ENVELOPE__MSG_HOST_REPLY;
	env.host_reply = &reply;
	return wc_send_envelope(conn, &env);
}

/* Sends the callback's results and queued writes. */
static int
reply_results(wasmd_host_call *call, const wasmd_value *results, size_t n)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__HostReply reply = WASMD__HOST_REPLY__INIT;
	Wasmd__Value *vals = calloc(n + 1, sizeof *vals);
	Wasmd__Value **ptrs = calloc(n + 1, sizeof *ptrs);
	Wasmd__MemoryBytes **writes = calloc(call->nwrites + 1, sizeof *writes);
	int r;

	if (vals == NULL || ptrs == NULL || writes == NULL) {
		free(vals);
		free(ptrs);
		free(writes);
		return reply_error(call->conn, call->id,
		    "the client ran out of memory answering the host call");
	}
	for (size_t i = 0; i < n; i++) {
		wasmd_value v = results[i];

		/* The declared type wins over a callback that changed it. */
		v.type = call->func->type.results[i];
		wasmd__value__init(&vals[i]);
		wc_value_to_pb(&v, &vals[i]);
		if (v.type == WASMD_V128) /* borrow bytes that outlive v */
			vals[i].v128.data = (uint8_t *)results[i].of.v128;
		ptrs[i] = &vals[i];
	}
	for (size_t i = 0; i < call->nwrites; i++)
		writes[i] = &call->writes[i].pb;
	reply.n_results = n;
	reply.results = ptrs;
	reply.n_writes = call->nwrites;
	reply.writes = writes;
	env.id = call->id;
	env.msg_case = WASMD__ENVELOPE__MSG_HOST_REPLY;
	env.host_reply = &reply;
	r = wc_send_envelope(call->conn, &env);
	free(vals);
	free(ptrs);
	free(writes);
	return r;
}

/* The host function a host_call names, or NULL with why filled. */
static const wasmd_host_func *
lookup(wasmd_conn *conn, const Wasmd__Envelope *env, char *why, size_t len)
{
	const Wasmd__HostCall *hc = env->host_call;
	struct wc_hostreg *r = find_reg(conn, env->id);
	const wasmd_host_func *f;

	/* (The message of the first version, which served none: kept.) */
	if (r == NULL || r->hosts == NULL) {
		snprintf(why, len, "no host function registered");
		return NULL;
	}
	if (hc->import_index >= r->hosts->n) {
		snprintf(why, len, "host call to %s.%s: no import %u",
		    hc->module, hc->name, hc->import_index);
		return NULL;
	}
	f = &r->hosts->funcs[hc->import_index];
	if (strcmp(f->module, hc->module) != 0 ||
	    strcmp(f->name, hc->name) != 0) {
		snprintf(why, len, "host call to %s.%s: import %u is %s.%s",
		    hc->module, hc->name, hc->import_index, f->module, f->name);
		return NULL;
	}
	return f;
}

/* Converts the call's arguments, checked against the declared types. */
static bool
args_from_pb(const wasmd_host_func *f, const Wasmd__HostCall *hc,
    wasmd_value *args, char *why, size_t len)
{
	if (hc->n_args != f->type.nparams) {
		snprintf(why, len,
		    "host call to %s.%s: %zu arguments, %zu "
		    "declared",
		    f->module, f->name, hc->n_args, f->type.nparams);
		return false;
	}
	for (size_t i = 0; i < hc->n_args; i++) {
		if (wc_value_from_pb(hc->args[i], &args[i]) < 0 ||
		    args[i].type != f->type.params[i]) {
			snprintf(why, len,
			    "host call to %s.%s: argument %zu is not a %s",
			    f->module, f->name, i,
			    wasmd_valtype_name(f->type.params[i]));
			return false;
		}
	}
	return true;
}

/* Runs f for the call and answers it. */
static int
run_callback(wasmd_conn *conn, const Wasmd__Envelope *env,
    const wasmd_host_func *f, wasmd_value *args, wasmd_value *results)
{
	wasmd_host_call call = {
	    .conn = conn, .id = env->id, .func = f, .pb = env->host_call};
	size_t nres = f->type.nresults;
	int rc, r;

	for (size_t i = 0; i < nres; i++)
		results[i] = (wasmd_value){.type = f->type.results[i]};
	rc = f->fn(&call, args, f->type.nparams, results, nres, f->user);
	if (conn->fd < 0)
		r = -1;
	else if (rc != 0)
		r = reply_error(conn, env->id,
		    call.error[0] != '\0' ? call.error
		                          : "host function failed");
	else
		r = reply_results(&call, results, nres);
	for (size_t i = 0; i < call.nwrites; i++)
		free(call.writes[i].data);
	free(call.writes);
	return r;
}

int
wc_host_call(wasmd_conn *conn, const Wasmd__Envelope *env)
{
	char why[WC_ERRMSG_MAX];
	const wasmd_host_func *f = lookup(conn, env, why, sizeof why);
	wasmd_value *args, *results;
	int r;

	if (f == NULL)
		return reply_error(conn, env->id, why);
	args = calloc(f->type.nparams + 1, sizeof *args);
	results = calloc(f->type.nresults + 1, sizeof *results);
	if (args == NULL || results == NULL)
		r = reply_error(conn, env->id,
		    "the client ran out of memory for a host call");
	else if (!args_from_pb(f, env->host_call, args, why, sizeof why))
		r = reply_error(conn, env->id, why);
	else
		r = run_callback(conn, env, f, args, results);
	free(args);
	free(results);
	return r;
}
