/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flood_worker.c: a stand-in for wasmd-worker (`serve --fd 3 ...`) that
 * answers an invoke with Output frames of stdout without end and never
 * stops at the output limit, as a compromised or broken worker might. The
 * supervisor must count the bytes itself, stop relaying at its
 * --max-output, kill the worker and fail the invocation with ERR_LIMIT
 * (daemon_wasi.sh, case output_limit). It serves only invokes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"

#define FD 3
#define CHUNK 65536

static int
send_env(Wasmd__Envelope *env)
{
	char err[256];

	return wp_write_envelope(FD, env, err, sizeof err);
}

static void
hello(void)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Hello h = WASMD__HELLO__INIT;

	h.version = WP_PROTOCOL_VERSION;
	h.software = "flood_worker";
	h.worker_pid = (uint32_t)getpid();
	env.msg_case = WASMD__ENVELOPE__MSG_HELLO;
	env.hello = &h;
	if (send_env(&env) != 0)
		exit(1);
}

/* Output frames with id until the supervisor stops reading (kills us). */
static void
flood(uint64_t id)
{
	static uint8_t data[CHUNK];
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Output out = WASMD__OUTPUT__INIT;

	memset(data, 'x', sizeof data);
	out.fd = 1;
	out.data.data = data;
	out.data.len = sizeof data;
	env.id = id;
	env.msg_case = WASMD__ENVELOPE__MSG_OUTPUT;
	env.output = &out;
	while (send_env(&env) == 0)
		;
}

int
main(void)
{
	Wasmd__Envelope *req = NULL;
	char err[256];

	hello();
	if (wp_read_envelope(FD, WP_FRAME_MAX_DEFAULT, &req, err, sizeof err) !=
	    0)
		return 0;
	if (req->msg_case == WASMD__ENVELOPE__MSG_INVOKE)
		flood(req->id);
	wasmd__envelope__free_unpacked(req, NULL);
	return 0;
}
