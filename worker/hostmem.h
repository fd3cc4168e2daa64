/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostmem.h: the guest memory side of host functions served by the client
 * (prefix wrk_hostmem_): the bytes of declared (pointer, length) arguments
 * sent along with a host call, memory reads and writes the client asks for
 * while a host call is pending, and writes carried by a host reply.
 *
 * Each argument, request and write names the guest memory it is about by
 * its index in the module (MemoryArg.memory, as the module's instructions
 * name its memories; 0 when the client says nothing, the only memory of a
 * single-memory module). Every access is bounds-checked against that
 * memory; an out-of-bounds request, or one naming a memory the module
 * does not have, is refused with a message and never touches the guest.
 * Included by worker/serve.c only.
 */
#ifndef WASMD_WORKER_HOSTMEM_H
#define WASMD_WORKER_HOSTMEM_H

#include <stdbool.h>
#include <stddef.h>

#include <wasmd/engine.h>

#include "convert.h"
#include "frame.h"

/* The most bytes one read, argument or write may move (a frame must hold
 * them). */
#define WRK_HOSTMEM_MAX (16u << 20)
_Static_assert(WRK_HOSTMEM_MAX <= WP_HOSTCALL_MEMORY_MAX,
    "one memory argument must fit in a host call");

/*
 * Fills hc->memory with the bytes of h's memory_args, read from inst's
 * memories (borrowed) at the pending call's arguments (args, nargs). The
 * bytes are allocated from a. Returns false with err filled when a pair is
 * not two i32 parameters, a range is out of bounds or too big, or there is
 * no such memory: the call traps with err, without asking the client.
 */
bool wrk_hostmem_args(wrk_arena *a, const we_instance *inst,
    const Wasmd__HostImport *h, const we_val *args, size_t nargs,
    Wasmd__HostCall *hc, char *err, size_t errlen);

/* Whether env is a memory_read or memory_write from the client. */
bool wrk_hostmem_is_request(const Wasmd__Envelope *env);

/*
 * Serves a memory_read or memory_write: fills reply (a memory_reply whose
 * data, if any, is allocated from a). An out-of-bounds request gets an
 * error in the reply; the guest is not touched.
 */
void wrk_hostmem_serve(wrk_arena *a, const we_instance *inst,
    const Wasmd__Envelope *req, Wasmd__MemoryReply *reply);

/*
 * Applies a host reply's writes in order. Returns false with err filled
 * at the first one that is out of bounds (the earlier ones stay applied):
 * the host call then traps with err.
 */
bool wrk_hostmem_apply(const we_instance *inst, const Wasmd__HostReply *r,
    char *err, size_t errlen);

#endif /* WASMD_WORKER_HOSTMEM_H */
