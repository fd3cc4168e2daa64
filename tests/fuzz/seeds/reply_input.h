/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reply_input.h: the layout of an input of fuzz_reply (tests/fuzz/
 * fuzz_reply.c), shared with the generator of its seed corpus
 * (reply_seeds.c): byte 0 holds FL_* flags, bytes 1..4 choose four calls
 * (an OP_* each, modulo OP_COUNT), the rest is what the daemon sends.
 *
 * Included only by those two programs.
 */
#ifndef WASMD_FUZZ_REPLY_INPUT_H
#define WASMD_FUZZ_REPLY_INPUT_H

#define REPLY_HEADER_SIZE 5

enum {
	FL_HELLO = 1,     /* the target writes a valid Hello reply first */
	FL_MEMORY = 2,    /* host callbacks make memory round trips */
	FL_HOST_FAIL = 4, /* host callbacks fail */
};

/* The calls, in the order the client makes them; request ids follow
 * from 1, one a request (an async call sends two invokes; an instance
 * call creates, invokes, invokes asynchronously and drops). */
enum {
	OP_PUSH,
	OP_LIST,
	OP_INSPECT,
	OP_REMOVE,
	OP_STATS,
	OP_INVOKE,
	OP_INVOKE_STREAMED,
	OP_ASYNC,
	OP_INSTANCE,
	OP_NONE,
	OP_COUNT
};

#endif /* WASMD_FUZZ_REPLY_INPUT_H */
