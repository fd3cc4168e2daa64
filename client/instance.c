/* SPDX-License-Identifier: Apache-2.0 */
/*
 * instance.c: live instances (wasmd_instance_*, see wasmd/client.h). The
 * client side is thin: the daemon keeps the instance in a worker of its
 * own; here an instance is its id, its connection and the host function
 * table its calls are served from (bound to each call's request id).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct wasmd_instance {
	wasmd_conn *conn; /* borrowed */
	uint64_t id;
	struct wc_hosts *hosts; /* own; NULL when it serves none */
};

wasmd_error
wasmd_instance_create(wasmd_conn *conn, const char *ref,
    const wasmd_invoke_options *opts, wasmd_instance **out)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply = NULL;
	Wasmd__CreateInstance ci = WASMD__CREATE_INSTANCE__INIT;
	Wasmd__InvokeLimits limits = WASMD__INVOKE_LIMITS__INIT;
	wasmd_instance *inst;
	wasmd_error rc;

	if (conn == NULL)
		return WASMD_ERR_INVALID;
	if (out == NULL || ref == NULL)
		return wc_fail(conn, WASMD_ERR_INVALID,
		    "wasmd_instance_create: ref and out are required");
	*out = NULL;
	inst = calloc(1, sizeof *inst);
	if (inst == NULL)
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	inst->conn = conn;
	rc = wc_hosts_new(conn, opts, &inst->hosts);
	if (rc != WASMD_OK) {
		free(inst);
		return rc;
	}
	if (opts != NULL &&
	    opts->size >=
	        offsetof(wasmd_invoke_options, limits) + sizeof(wasmd_limits)) {
		limits.fuel = opts->limits.fuel;
		limits.max_memory_bytes = opts->limits.max_memory_bytes;
		limits.timeout_ms = opts->limits.timeout_ms;
	}
	ci.ref = (char *)ref;
	ci.limits = &limits;
	wc_hosts_pb(inst->hosts, &ci.n_host_imports, &ci.host_imports);
	env.msg_case = WASMD__ENVELOPE__MSG_CREATE_INSTANCE;
	env.create_instance = &ci;
	rc = wc_request(
	    conn, &env, WASMD__ENVELOPE__MSG_INSTANCE_CREATED, &reply);
	if (rc == WASMD_OK && reply->instance_created->instance_id == 0)
		rc = wc_fail(conn, WASMD_ERR_PROTOCOL,
		    "the daemon created an instance without an id");
	if (rc != WASMD_OK) {
		if (reply != NULL)
			wasmd__envelope__free_unpacked(reply, NULL);
		wc_hosts_free(inst->hosts);
		free(inst);
		return rc;
	}
	inst->id = reply->instance_created->instance_id;
	wasmd__envelope__free_unpacked(reply, NULL);
	*out = inst;
	return wc_ok(conn);
}

uint64_t
wasmd_instance_id(const wasmd_instance *inst)
{
	return inst != NULL ? inst->id : 0;
}

/* An invoke of the instance: no ref, no limits (the instance's own). */
static wasmd_error
instance_req(wasmd_instance *inst, struct wc_invoke_req *req,
    const char *export_name, const wasmd_value *args, size_t nargs)
{
	wasmd_error rc = wc_invoke_req_init(
	    inst->conn, req, "", export_name, args, nargs, NULL);

	req->inv.instance_id = inst->id;
	req->inv.limits = NULL;
	return rc;
}

wasmd_error
wasmd_instance_invoke(wasmd_instance *inst, const char *export_name,
    const wasmd_value *args, size_t nargs, wasmd_result **out)
{
	struct wc_invoke_req req;
	Wasmd__Envelope *reply = NULL;
	wasmd_conn *conn;
	uint64_t id;
	wasmd_error rc;

	if (inst == NULL)
		return WASMD_ERR_INVALID;
	conn = inst->conn;
	if (out == NULL)
		return wc_fail(conn, WASMD_ERR_INVALID,
		    "wasmd_instance_invoke: out is required");
	*out = NULL;
	/* wc_request() sends under the next id: host calls find the table. */
	id = conn->next_id;
	if (wc_hosts_bind(conn, id, inst->hosts, false) < 0)
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	rc = instance_req(inst, &req, export_name, args, nargs);
	if (rc == WASMD_OK)
		rc = wc_request(
		    conn, &req.env, WASMD__ENVELOPE__MSG_INVOKE_RESULT, &reply);
	wc_invoke_req_free(&req);
	wc_hosts_close(conn, id);
	if (rc != WASMD_OK)
		return rc;
	rc = wc_result_from_pb(conn, reply->invoke_result, out);
	wasmd__envelope__free_unpacked(reply, NULL);
	return rc;
}

wasmd_error
wasmd_instance_invoke_send(wasmd_instance *inst, const char *export_name,
    const wasmd_value *args, size_t nargs, wasmd_invoke_cb cb, void *arg)
{
	struct wc_invoke_req req;
	wasmd_conn *conn;
	uint64_t id;
	wasmd_error rc;

	if (inst == NULL)
		return WASMD_ERR_INVALID;
	conn = inst->conn;
	id = conn->next_id;
	if (wc_hosts_bind(conn, id, inst->hosts, false) < 0)
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	rc = instance_req(inst, &req, export_name, args, nargs);
	if (rc == WASMD_OK)
		rc = wc_send_tracked(conn, &req.env, cb, arg);
	wc_invoke_req_free(&req);
	if (rc != WASMD_OK)
		wc_hosts_close(conn, id);
	return rc;
}

wasmd_error
wasmd_instance_drop(wasmd_instance *inst)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply = NULL;
	Wasmd__DropInstance di = WASMD__DROP_INSTANCE__INIT;
	wasmd_conn *conn;
	wasmd_error rc = WASMD_OK;

	if (inst == NULL)
		return WASMD_OK;
	conn = inst->conn;
	wc_hosts_unbind(conn, inst->hosts);
	if (conn->status == WASMD_CONNECTION_OK) {
		di.instance_id = inst->id;
		env.msg_case = WASMD__ENVELOPE__MSG_DROP_INSTANCE;
		env.drop_instance = &di;
		rc = wc_request(conn, &env, WASMD__ENVELOPE__MSG_OK, &reply);
		if (reply != NULL)
			wasmd__envelope__free_unpacked(reply, NULL);
	}
	wc_hosts_free(inst->hosts);
	free(inst);
	return rc;
}
