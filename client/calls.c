/* SPDX-License-Identifier: Apache-2.0 */
/*
 * calls.c: the blocking requests of libwasmd-client (push, list, inspect,
 * remove, invoke): each builds one request envelope, exchanges it with
 * wc_request() and converts the reply into the public types.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Rejects a NULL conn or required pointer before anything is sent. */
#define CHECK_ARG(conn, cond)                                                  \
	do {                                                                   \
		if (!(cond))                                                   \
			return wc_fail((conn), WASMD_ERR_INVALID,              \
			    "%s: invalid argument (%s)", __func__, #cond);     \
	} while (0)

/* Converts a reply's ModuleInfo into a new wasmd_module_info. */
static wasmd_error
info_from_reply(
    wasmd_conn *conn, const Wasmd__ModuleInfo *pb, wasmd_module_info **out)
{
	wasmd_module_info *info = calloc(1, sizeof *info);
	wasmd_error rc;

	if (info == NULL)
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	rc = wc_module_info_from_pb(conn, pb, info);
	if (rc != WASMD_OK) {
		free(info);
		return rc;
	}
	*out = info;
	return WASMD_OK;
}

wasmd_error
wasmd_push(wasmd_conn *conn, const void *wasm, size_t len, const char *name,
    wasmd_module_info **out)
{
	wasmd_push_options opts = WASMD_PUSH_OPTIONS_INIT;

	opts.name = name;
	return wasmd_push_with(conn, wasm, len, &opts, out);
}

/* Whether opts, as large as its size says, has field f's bytes. */
#define HAS_PUSH_FIELD(opts, f)                                                \
	((opts) != NULL &&                                                     \
	    (opts)->size >=                                                    \
	        offsetof(wasmd_push_options, f) + sizeof((opts)->f))

/* The pre-initialization part of opts (wasmd_push_options). */
static void
push_init_to_pb(const wasmd_push_options *opts, Wasmd__PushModule *push,
    Wasmd__InvokeLimits *limits)
{
	if (!HAS_PUSH_FIELD(opts, limits))
		return;
	push->init = opts->init != NULL ? (char *)opts->init : "";
	push->no_init = opts->no_init;
	push->init_allow_random = opts->init_allow_random;
	limits->fuel = opts->limits.fuel;
	limits->max_memory_bytes = opts->limits.max_memory_bytes;
	limits->timeout_ms = opts->limits.timeout_ms;
	push->init_limits = limits;
	if (HAS_PUSH_FIELD(opts, init_stub_imports))
		push->init_stub_imports = opts->init_stub_imports;
}

wasmd_error
wasmd_push_with(wasmd_conn *conn, const void *wasm, size_t len,
    const wasmd_push_options *opts, wasmd_module_info **out)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply = NULL;
	Wasmd__PushModule push = WASMD__PUSH_MODULE__INIT;
	Wasmd__InvokeLimits limits = WASMD__INVOKE_LIMITS__INIT;
	wasmd_error rc;

	if (conn == NULL)
		return WASMD_ERR_INVALID;
	if (out != NULL)
		*out = NULL;
	CHECK_ARG(conn, wasm != NULL || len == 0);
	push.wasm.data = (uint8_t *)wasm; /* protobuf-c only reads it */
	push.wasm.len = len;
	push.name = HAS_PUSH_FIELD(opts, name) && opts->name != NULL
	    ? (char *)opts->name
	    : "";
	push_init_to_pb(opts, &push, &limits);
	env.msg_case = WASMD__ENVELOPE__MSG_PUSH;
	env.push = &push;
	rc = wc_request(conn, &env, WASMD__ENVELOPE__MSG_MODULE_INFO, &reply);
	if (rc != WASMD_OK)
		return rc;
	if (out != NULL)
		rc = info_from_reply(conn, reply->module_info, out);
	wasmd__envelope__free_unpacked(reply, NULL);
	return rc;
}

wasmd_error
wasmd_list(wasmd_conn *conn, wasmd_module_list **out)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply = NULL;
	Wasmd__ListModules list = WASMD__LIST_MODULES__INIT;
	const Wasmd__ModuleList *pb;
	wasmd_module_list *ml;
	wasmd_error rc;

	if (conn == NULL)
		return WASMD_ERR_INVALID;
	CHECK_ARG(conn, out != NULL);
	*out = NULL;
	env.msg_case = WASMD__ENVELOPE__MSG_LIST;
	env.list = &list;
	rc = wc_request(conn, &env, WASMD__ENVELOPE__MSG_MODULE_LIST, &reply);
	if (rc != WASMD_OK)
		return rc;
	pb = reply->module_list;
	ml = calloc(1, sizeof *ml);
	if (ml != NULL && pb->n_modules > 0)
		ml->modules = calloc(pb->n_modules, sizeof *ml->modules);
	if (ml == NULL || (pb->n_modules > 0 && ml->modules == NULL)) {
		free(ml);
		wasmd__envelope__free_unpacked(reply, NULL);
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	}
	for (; ml->count < pb->n_modules && rc == WASMD_OK; ml->count++)
		rc = wc_module_info_from_pb(
		    conn, pb->modules[ml->count], &ml->modules[ml->count]);
	wasmd__envelope__free_unpacked(reply, NULL);
	if (rc != WASMD_OK) {
		wasmd_module_list_free(ml);
		return rc;
	}
	*out = ml;
	return WASMD_OK;
}

wasmd_error
wasmd_inspect(wasmd_conn *conn, const char *ref, wasmd_module_info **out)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply = NULL;
	Wasmd__InspectModule inspect = WASMD__INSPECT_MODULE__INIT;
	wasmd_error rc;

	if (conn == NULL)
		return WASMD_ERR_INVALID;
	CHECK_ARG(conn, ref != NULL && out != NULL);
	*out = NULL;
	inspect.ref = (char *)ref;
	env.msg_case = WASMD__ENVELOPE__MSG_INSPECT;
	env.inspect = &inspect;
	rc = wc_request(conn, &env, WASMD__ENVELOPE__MSG_MODULE_INFO, &reply);
	if (rc != WASMD_OK)
		return rc;
	rc = info_from_reply(conn, reply->module_info, out);
	wasmd__envelope__free_unpacked(reply, NULL);
	return rc;
}

wasmd_error
wasmd_remove(wasmd_conn *conn, const char *ref)
{
	return wasmd_remove_scoped(conn, ref, WASMD_REMOVE_REF);
}

wasmd_error
wasmd_remove_scoped(wasmd_conn *conn, const char *ref, wasmd_remove_scope scope)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply = NULL;
	Wasmd__RemoveModule rm = WASMD__REMOVE_MODULE__INIT;
	wasmd_error rc;

	if (conn == NULL)
		return WASMD_ERR_INVALID;
	CHECK_ARG(conn,
	    ref != NULL && scope >= WASMD_REMOVE_REF &&
	        scope <= WASMD_REMOVE_ALL_NAMES);
	rm.ref = (char *)ref;
	rm.scope = (Wasmd__RemoveModule__Scope)scope;
	env.msg_case = WASMD__ENVELOPE__MSG_REMOVE;
	env.remove = &rm;
	rc = wc_request(conn, &env, WASMD__ENVELOPE__MSG_OK, &reply);
	if (rc == WASMD_OK)
		wasmd__envelope__free_unpacked(reply, NULL);
	return rc;
}

void
wasmd_invoke_options_init(wasmd_invoke_options *opts)
{
	memset(opts, 0, sizeof *opts);
	opts->size = sizeof *opts;
}

/*
 * Reads the limits from opts, honouring opts->size: a caller built against
 * an older, smaller struct never has fields read past its end.
 */
static void
limits_from_options(const wasmd_invoke_options *opts, Wasmd__InvokeLimits *l)
{
	size_t need =
	    offsetof(wasmd_invoke_options, limits) + sizeof(wasmd_limits);

	if (opts == NULL || opts->size < need)
		return;
	l->fuel = opts->limits.fuel;
	l->max_memory_bytes = opts->limits.max_memory_bytes;
	l->timeout_ms = opts->limits.timeout_ms;
}

/* Builds the Invoke's argument array. own: *pvals and *pptrs, free(). */
static wasmd_error
args_to_pb(wasmd_conn *conn, const wasmd_value *args, size_t nargs,
    Wasmd__Value **pvals, Wasmd__Value ***pptrs)
{
	Wasmd__Value *vals = calloc(nargs ? nargs : 1, sizeof *vals);
	Wasmd__Value **ptrs = calloc(nargs ? nargs : 1, sizeof(Wasmd__Value *));

	if (vals == NULL || ptrs == NULL) {
		free(vals);
		free(ptrs);
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < nargs; i++) {
		wasmd__value__init(&vals[i]);
		wc_value_to_pb(&args[i], &vals[i]);
		ptrs[i] = &vals[i];
	}
	*pvals = vals;
	*pptrs = ptrs;
	return WASMD_OK;
}

wasmd_error
wc_invoke_req_init(wasmd_conn *conn, struct wc_invoke_req *req, const char *ref,
    const char *export_name, const wasmd_value *args, size_t nargs,
    const wasmd_invoke_options *opts)
{
	wasmd_error rc;

	wasmd__envelope__init(&req->env);
	wasmd__invoke__init(&req->inv);
	wasmd__invoke_limits__init(&req->limits);
	req->vals = NULL;
	req->ptrs = NULL;
	req->mounts = NULL;
	req->mount_ptrs = NULL;
	CHECK_ARG(conn, ref != NULL && export_name != NULL);
	CHECK_ARG(conn, args != NULL || nargs == 0);
	rc = args_to_pb(conn, args, nargs, &req->vals, &req->ptrs);
	if (rc != WASMD_OK)
		return rc;
	limits_from_options(opts, &req->limits);
	req->inv.limits = &req->limits;
	wc_wasi_request(&req->inv, opts);
	if ((rc = wc_mounts_request(conn, req, opts)) != WASMD_OK)
		return rc;
	req->inv.ref = (char *)ref;
	req->inv.export = (char *)export_name;
	req->inv.n_args = nargs;
	req->inv.args = req->ptrs;
	req->env.msg_case = WASMD__ENVELOPE__MSG_INVOKE;
	req->env.invoke = &req->inv;
	return WASMD_OK;
}

void
wc_invoke_req_free(struct wc_invoke_req *req)
{
	free(req->ptrs);
	free(req->vals);
	free(req->mount_ptrs);
	free(req->mounts);
	req->ptrs = NULL;
	req->vals = NULL;
	req->mount_ptrs = NULL;
	req->mounts = NULL;
}

wasmd_error
wasmd_invoke(wasmd_conn *conn, const char *ref, const char *export_name,
    const wasmd_value *args, size_t nargs, const wasmd_invoke_options *opts,
    wasmd_result **out)
{
	struct wc_invoke_req req;
	Wasmd__Envelope *reply = NULL;
	wasmd_error rc;
	uint64_t id;

	if (conn == NULL)
		return WASMD_ERR_INVALID;
	CHECK_ARG(conn, out != NULL);
	*out = NULL;
	/* wc_request() sends under the next id: its output has a place. */
	id = conn->next_id;
	if (wc_stream_open(conn, id, opts) < 0)
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	rc =
	    wc_invoke_req_init(conn, &req, ref, export_name, args, nargs, opts);
	if (rc == WASMD_OK) /* host functions: bound to id (host.c) */
		rc = wc_hosts_open(conn, id, opts, &req.inv);
	if (rc == WASMD_OK)
		rc = wc_request(
		    conn, &req.env, WASMD__ENVELOPE__MSG_INVOKE_RESULT, &reply);
	wc_invoke_req_free(&req);
	wc_hosts_close(conn, id);
	if (rc == WASMD_OK) {
		rc = wc_result_from_pb(conn, reply->invoke_result, out);
		wasmd__envelope__free_unpacked(reply, NULL);
	}
	wc_stream_close(conn, id, *out);
	return rc;
}
