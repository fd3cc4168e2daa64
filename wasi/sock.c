/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sock.c: sock_accept, sock_recv, sock_send and sock_shutdown. Preview1
 * can only use sockets a runtime preopens, and this one preopens none, so
 * no fd in the table is ever a socket: each call answers EBADF for an fd
 * that is not open and ENOTSOCK for any other, as a host's call would.
 */
#include "internal.h"

/* The errno of a socket call on guest fd fd. */
static uint32_t
not_a_socket(ws_call *c)
{
	return ws_fd_get(c->ctx, ws_u32(c, 0)) == NULL ? WS_EBADF : WS_ENOTSOCK;
}

const ws_fn ws_sock_fns[] = {
    {"sock_accept", "iii", false, not_a_socket},
    {"sock_recv", "iiiiii", false, not_a_socket},
    {"sock_send", "iiiii", false, not_a_socket},
    {"sock_shutdown", "ii", false, not_a_socket},
    {NULL, NULL, false, NULL},
};
