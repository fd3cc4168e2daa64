/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client/internal.h: what the files of libwasmd-client share (prefix wc_):
 * the connection struct, error recording, the request/reply exchange, the
 * table of asynchronous requests and conversions between the wire
 * messages and the public types.
 *
 * Included only by the .c files of client/; never installed.
 */
#ifndef WASMD_CLIENT_INTERNAL_H
#define WASMD_CLIENT_INTERNAL_H

#include <wasmd/client.h>

#include "frame.h"

#define WC_ERRMSG_MAX 512
#define WC_SOFTWARE "libwasmd-client " WASMD_VERSION

/* A request started with wasmd_invoke_send() and not answered yet. */
struct wc_pending {
	uint64_t id;
	wasmd_invoke_cb cb;
	void *arg;
};

struct wasmd_conn {
	int fd; /* -1 once closed or never opened */
	wasmd_conn_status status;
	wasmd_error code;           /* the last call's outcome */
	char errmsg[WC_ERRMSG_MAX]; /* the last call's message; "" on success */
	char *software;             /* own: the daemon's Hello.software */
	char *tenant;               /* own: the daemon's Hello.tenant */
	uint64_t next_id;           /* request ids: 1, 2, ... */
	size_t max_frame;           /* the largest reply accepted */
	uint8_t *rbuf;              /* own: bytes read, not yet a whole frame */
	size_t rlen, rcap;
	struct wc_pending *pending; /* own: npending entries, in send order */
	size_t npending, cap_pending;
	bool awaiting;               /* a blocking call is reading its reply */
	struct wc_stream *streams;   /* own: invokes' output sinks (stdio.c) */
	struct wc_hostreg *hostregs; /* own: requests' host functions */
	size_t nhostregs, cap_hostregs;
	Wasmd__Envelope **deferred; /* own: read during a memory round trip */
	size_t ndeferred, cap_deferred;
	bool deferring; /* a host callback waits for its memory reply */
};

/* Records an error on conn and returns code, for `return wc_fail(...)`. */
wasmd_error wc_fail(wasmd_conn *conn, wasmd_error code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the daemon's Error message as the call's outcome. */
wasmd_error wc_fail_from_pb(wasmd_conn *conn, const Wasmd__Error *e);

/* Marks the last call successful; returns WASMD_OK. */
wasmd_error wc_ok(wasmd_conn *conn);

/* Breaks the connection (closes the fd) after an I/O or protocol error. */
void wc_break(wasmd_conn *conn);

/*
 * As wasmd_connect(), over fd, a stream socket already connected to a
 * daemon (own: the connection closes it). For tests/fuzz/fuzz_reply.c,
 * which plays the daemon's side through a socketpair; not exported.
 */
wasmd_conn *wc_connect_fd(int fd);

/* ---- exchange.c ---- */

/* Writes one envelope as it is (its id already set). Returns 0, or -1
 * with the error recorded and the connection broken. */
int wc_send_envelope(wasmd_conn *conn, const Wasmd__Envelope *env);

/* Sends req under a fresh id (*id). */
wasmd_error wc_send(wasmd_conn *conn, Wasmd__Envelope *req, uint64_t *id);

/*
 * Reads one envelope, from the buffer or the socket. Returns 1 with *env
 * set (own: wasmd__envelope__free_unpacked), 0 when block is false and no
 * whole frame is there yet, -1 when the connection broke.
 */
int wc_read_frame(wasmd_conn *conn, bool block, Wasmd__Envelope **env);

/*
 * Reads until the envelope that answers request id. An Error reply becomes
 * its code and message; a reply of another kind than want is a protocol
 * error that breaks the connection. Host calls and other requests' replies
 * met on the way go to wc_dispatch().
 * own: *reply on WASMD_OK, wasmd__envelope__free_unpacked(*reply, NULL).
 */
wasmd_error wc_await(wasmd_conn *conn, uint64_t id,
    Wasmd__Envelope__MsgCase want, Wasmd__Envelope **reply);

/* wc_send() then wc_await(); if the connection breaks, the pending
 * asynchronous requests are failed too. */
wasmd_error wc_request(wasmd_conn *conn, Wasmd__Envelope *req,
    Wasmd__Envelope__MsgCase want, Wasmd__Envelope **reply);

/* Answers a host call with an error (no host functions yet). */
int wc_refuse_host_call(wasmd_conn *conn, uint64_t id);

/* ---- async.c ---- */

/*
 * Handles an envelope that answers no blocking call: a host call, the
 * reply to a pending asynchronous request (its callback runs), or a
 * connection-level Error (id 0). Frees env. Returns -1 when the
 * connection broke.
 */
int wc_dispatch(wasmd_conn *conn, Wasmd__Envelope *env);

/* Runs every pending callback with the connection's error (WASMD_ERR_IO
 * when none is recorded); conn's code and message are kept. */
void wc_fail_pending(wasmd_conn *conn);

/* ---- calls.c ---- */

/* An Invoke request and the storage it points into. */
struct wc_invoke_req {
	Wasmd__Envelope env;
	Wasmd__Invoke inv;
	Wasmd__InvokeLimits limits;
	Wasmd__Value *vals;        /* own */
	Wasmd__Value **ptrs;       /* own */
	Wasmd__Mount *mounts;      /* own (bundle.c) */
	Wasmd__Mount **mount_ptrs; /* own */
};

/* Fills req (borrowing ref, export_name and args); free it with
 * wc_invoke_req_free() whatever this returns. */
wasmd_error wc_invoke_req_init(wasmd_conn *conn, struct wc_invoke_req *req,
    const char *ref, const char *export_name, const wasmd_value *args,
    size_t nargs, const wasmd_invoke_options *opts);
void wc_invoke_req_free(struct wc_invoke_req *req);

/* ---- bundle.c ----
 * Fills req->inv's mounts from opts (honouring opts->size; strings
 * borrowed). WASMD_ERR_NOMEM or WASMD_ERR_INVALID (recorded on conn). */
wasmd_error wc_mounts_request(wasmd_conn *conn, struct wc_invoke_req *req,
    const wasmd_invoke_options *opts);

/* ---- stdio.c ----
 * A WASI guest's output: Output frames arrive with an invoke's id before
 * its result and go to the output callback of the invoke's options, or
 * are collected for its result. */

/* Fills the WASI fields of inv from opts (borrowing them), honouring
 * opts->size. */
void wc_wasi_request(Wasmd__Invoke *inv, const wasmd_invoke_options *opts);

/* Starts collecting or forwarding the output of invoke id (options
 * opts, may be NULL). Returns -1 when out of memory. */
int wc_stream_open(
    wasmd_conn *conn, uint64_t id, const wasmd_invoke_options *opts);

/* Ends invoke id's output: what was collected moves into result (when
 * not NULL), the rest is freed. */
void wc_stream_close(wasmd_conn *conn, uint64_t id, wasmd_result *result);

/* Handles an Output envelope (does not free it); unknown ids are
 * dropped. */
void wc_stream_output(wasmd_conn *conn, const Wasmd__Envelope *env);

/* Frees every stream of conn. */
void wc_streams_free(wasmd_conn *conn);

/* ---- host.c ----
 * Host functions served by the client. A table (struct wc_hosts: a copy
 * of the caller's array and its wire form) is bound to each request id
 * that may bring host calls: its own table for an invoke, the instance's
 * for an instance's invoke. While a callback waits for a memory reply,
 * other envelopes are set aside (deferred) and read again afterwards, in
 * order, by wc_read_frame(). */
struct wc_hosts;
struct wc_hostreg {
	uint64_t id;
	struct wc_hosts *hosts; /* NULL once the instance was dropped */
	bool own;
};

/*
 * Copies the host functions of opts (honouring opts->size; none is fine).
 * own: *out (NULL when there are none), wc_hosts_free(). Returns WASMD_OK
 * or an error recorded on conn.
 */
wasmd_error wc_hosts_new(
    wasmd_conn *conn, const wasmd_invoke_options *opts, struct wc_hosts **out);
void wc_hosts_free(struct wc_hosts *hosts);
/* The wire form of hosts (borrowed from it; NULL hosts: none). */
void wc_hosts_pb(
    const struct wc_hosts *hosts, size_t *n, Wasmd__HostImport ***pb);
/* Binds hosts (owned by the binding when own) to request id. */
int wc_hosts_bind(
    wasmd_conn *conn, uint64_t id, struct wc_hosts *hosts, bool own);
/* wc_hosts_new() + wc_hosts_bind(own) + the wire form into inv. */
wasmd_error wc_hosts_open(wasmd_conn *conn, uint64_t id,
    const wasmd_invoke_options *opts, Wasmd__Invoke *inv);
/* Request id is over: its binding goes. */
void wc_hosts_close(wasmd_conn *conn, uint64_t id);
/* Every binding to hosts is cut (its instance is dropped). */
void wc_hosts_unbind(wasmd_conn *conn, const struct wc_hosts *hosts);
/* Serves a host_call (does not free env). -1: the connection broke. */
int wc_host_call(wasmd_conn *conn, const Wasmd__Envelope *env);
/* Takes the oldest deferred envelope: 1, or 0 when there is none. */
int wc_take_deferred(wasmd_conn *conn, Wasmd__Envelope **env);
/* Frees every binding and deferred envelope of conn. */
void wc_hosts_free_all(wasmd_conn *conn);

/* ---- async.c (for instance.c) ---- */
/* Sends env under the next id and records cb for its invoke_result. */
wasmd_error wc_send_tracked(
    wasmd_conn *conn, Wasmd__Envelope *env, wasmd_invoke_cb cb, void *arg);

/* ---- convert.c ----
 * Wire <-> public conversions. Each returns WASMD_OK or records an error
 * on conn. The *_clear functions free what a conversion filled in,
 * leaving the struct zeroed. */
wasmd_error wc_module_info_from_pb(
    wasmd_conn *conn, const Wasmd__ModuleInfo *pb, wasmd_module_info *out);
void wc_module_info_clear(wasmd_module_info *info);
wasmd_error wc_result_from_pb(
    wasmd_conn *conn, const Wasmd__InvokeResult *pb, wasmd_result **out);
int wc_value_from_pb(const Wasmd__Value *pb, wasmd_value *out);
void wc_value_to_pb(const wasmd_value *v, Wasmd__Value *pb);

/*
 * The readable WebAssembly text of a type, e.g. "(func (param i32) (result
 * i64))". own: free(); NULL when out of memory.
 */
char *wc_externtype_text(const wasmd_externtype *type);

#endif /* WASMD_CLIENT_INTERNAL_H */
