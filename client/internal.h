/*
 * client/internal.h: what the files of libwasmd-client share (prefix wc_):
 * the connection struct, error recording, the request/reply exchange and
 * conversions between the wire messages and the public types.
 *
 * Included only by the .c files of client/; never installed.
 */
#ifndef WASMD_CLIENT_INTERNAL_H
#define WASMD_CLIENT_INTERNAL_H

#include <wasmd/client.h>

#include "frame.h"

#define WC_ERRMSG_MAX 512
#define WC_SOFTWARE "libwasmd-client " WASMD_VERSION

struct wasmd_conn {
	int fd; /* -1 once closed or never opened */
	wasmd_conn_status status;
	wasmd_error code;           /* the last call's outcome */
	char errmsg[WC_ERRMSG_MAX]; /* the last call's message; "" on success */
	char *software;             /* own: the daemon's Hello.software */
	char *tenant;               /* own: the daemon's Hello.tenant */
	uint64_t next_id;           /* request ids: 1, 2, ... */
	size_t max_frame;           /* the largest reply accepted */
};

/* Records an error on conn and returns code, for `return wc_fail(...)`. */
wasmd_error wc_fail(wasmd_conn *conn, wasmd_error code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Marks the last call successful; returns WASMD_OK. */
wasmd_error wc_ok(wasmd_conn *conn);

/* Breaks the connection (closes the fd) after an I/O or protocol error. */
void wc_break(wasmd_conn *conn);

/*
 * Sends req under a fresh id and reads until the envelope with that id
 * answers it. An Error reply becomes its code and message; a reply of
 * another kind than want is a protocol error that breaks the connection.
 * Host calls for the request are answered (no host functions yet).
 * own: *reply on WASMD_OK, wasmd__envelope__free_unpacked(*reply, NULL).
 */
wasmd_error wc_request(wasmd_conn *conn, Wasmd__Envelope *req,
    Wasmd__Envelope__MsgCase want, Wasmd__Envelope **reply);

/* Wire <-> public conversions (client/convert.c). Each returns WASMD_OK or
 * records an error on conn. The *_clear functions free what a conversion
 * filled in, leaving the struct zeroed. */
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
