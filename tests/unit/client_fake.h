/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_fake.h: a fake wasmd daemon for the client's unit tests: a thread
 * that listens on a temporary Unix socket, answers Hello and each request
 * with canned envelopes, and records what the client sent.
 *
 * Included by tests/unit/client_test.c and tests/unit/wasmctl_test.c only.
 *
 * The canned module: digest FAKE_DIGEST, imports env.mem (memory 1 2),
 * exports add (func (param i32 i32) (result i32)), g (global (mut f64)) and
 * boom (func); its names: the ref it was asked for (none for a full
 * digest; "two" has a second, "alias"); a listed module was created at
 * 1700000000. Inspecting "missing" answers ERR_NOT_FOUND. An invoke first
 * sends a host call (the reply is recorded; not for exports named
 * "quiet..."), then returns the sum of the i32 arguments, or traps
 * (unreachable, one frame) for export "boom"; export "nosuch" answers
 * ERR_MISSING_EXPORT; i32 arguments summing to 999 trap out of fuel after
 * 1000 units, to 404 answer ERR_LINK (an unknown import). A remove is
 * recorded and answered Ok.
 */
#ifndef WASMD_TESTS_CLIENT_FAKE_H
#define WASMD_TESTS_CLIENT_FAKE_H

#include <pthread.h>

#include "frame.h"

#define FAKE_DIGEST                                                            \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

enum fake_mode {
	FAKE_NORMAL,       /* answers every request */
	FAKE_BAD_VERSION,  /* refuses Hello with ERR_VERSION */
	FAKE_CLOSE_ON_REQ, /* closes the connection at request close_after */
	FAKE_REFUSE,       /* sends Error ERR_UNAVAILABLE at once and closes */
};

struct fake {
	enum fake_mode mode;
	int nconns;      /* connections to serve before the thread ends */
	int close_after; /* FAKE_CLOSE_ON_REQ: requests read (0 means 1) */
	Wasmd__Envelope *deferred; /* a request read during a host call */
	char dir[64];
	char path[96]; /* the socket */
	int listen_fd;
	pthread_t thread;
	/* What the client sent, for the test to check afterwards. */
	uint32_t hello_version;
	char hello_software[64];
	uint64_t ids[16];
	int nids;
	size_t pushed_len;
	char pushed_name[64];
	char invoke_ref[80];
	char invoke_export[64];
	int invoke_nargs;
	int64_t arg_sum;
	Wasmd__InvokeLimits limits;
	char host_reply_error[128];
	char removed_ref[80]; /* the last RemoveModule */
	int remove_scope;
	int nremoves;
};

/* Starts serving nconns connections in mode on a new temporary socket. */
void fake_start(struct fake *f, enum fake_mode mode, int nconns);

/* Waits for the thread (all nconns connections served) and cleans up. */
void fake_stop(struct fake *f);

#endif /* WASMD_TESTS_CLIENT_FAKE_H */
