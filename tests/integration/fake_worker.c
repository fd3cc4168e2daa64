/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fake_worker.c: a stand-in for wasmd-worker that speaks the worker
 * protocol (../notes/daemon-protocol.md) without an engine and misbehaves
 * on request, so the supervisor's handling of workers can be tested
 * precisely: malformed frames, wrong ids, crashes, forbidden system calls,
 * host calls, silence.
 *
 * usage: wasmd-it-fakeworker serve --fd 3 --memory-limit BYTES ...
 * It serves jobs until the supervisor closes its socket.
 * push:   bytes (the memfd that comes with it, or its wasm field)
 *         starting with "\0asm" -> module_info{size, exports};
 *         otherwise error ERR_INVALID_MODULE "fake: bad magic". Its
 *         initializer's name (push --init) picks a snapshot, written into
 *         the memfd that comes for it (PushModule.snapshot_room):
 *   snapok     -> 4 KiB, as the real worker writes one
 *   snapmapped -> the same, but the memfd stays mapped after the reply
 *   snaplie    -> the same, but the reply says 8 KiB
 *   infobig    -> no snapshot, and the module_info padded as replyover
 *                 pads its invoke_result (below)
 * invoke: the export name picks the behaviour:
 *   ok       -> invoke_result{i32 42}
 *   sleep    -> sleeps forever (the deadline must kill it)
 *   abort    -> dies of SIGABRT
 *   sigsys   -> dies of SIGSYS, as a seccomp kill would
 *   exit3    -> exits with status 3 without replying
 *   garbage  -> writes a malformed frame, then sleeps
 *   wrongid  -> replies with another id, then sleeps
 *   hostcall -> host_call{0, "env", "h", args}, then returns the
 *               host_reply's first result (or ERR_LINK with its error)
 * and, for fault_worker_flood.sh, a worker that floods its socket with
 * frames as fast as it can, never reading, until it is killed:
 *   floodhost  -> host_call frames (a second before the first is answered)
 *   floodmem   -> memory_reply frames nobody asked for
 *   floodhello -> hello frames (not a reply to anything)
 *   bigprefix  -> a length prefix of 4 GiB - 1, then garbage without end
 * and, for hostile_big_reply.sh, invoke_result{i32 42} padded with an
 * unknown field (protobuf-c keeps those) to a frame body of:
 *   replyunder -> WP_REPLY_MAX bytes, the most a worker may send
 *   replyover  -> WP_REPLY_MAX + 1 bytes
 *   replybig   -> 128 MiB (under the default --max-frame)
 *   replystall -> the first 8 MiB of replyunder's frame, then silence
 * With FAKEWORKER_AFTER_HELLO=floodhello in its environment, the worker
 * floods hello frames right after its hello, idle, before any job.
 * Every behaviour is listed as an export [] -> [i32].
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "frame.h"

static int fd = 3;

static void
send_or_die(Wasmd__Envelope *env)
{
	char err[256];

	if (wp_write_envelope(fd, env, err, sizeof(err)) != 0)
		_exit(10);
}

static void
reply_error(uint64_t id, Wasmd__ErrorCode code, const char *msg)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Error e = WASMD__ERROR__INIT;

	e.code = code;
	e.message = (char *)msg;
	env.id = id;
	env.msg_case = WASMD__ENVELOPE__MSG_ERROR;
	env.error = &e;
	send_or_die(&env);
}

/* Every behaviour is an export [] -> [i32], so wasmctl can call it. */
static const char *const behaviours[] = {"ok", "sleep", "abort", "sigsys",
    "exit3", "garbage", "wrongid", "hostcall", "floodhost", "floodmem",
    "floodhello", "bigprefix", "oom0", "replyunder", "replyover", "replybig",
    "replystall"};
#define NBEHAVIOURS (sizeof(behaviours) / sizeof(behaviours[0]))

/* The snapshot push --init NAME asks for, into snapfd (see the top). */
static void
fake_snapshot(
    const Wasmd__PushModule *push, int snapfd, Wasmd__ModuleInfo *info)
{
	const char *init = push->init != NULL ? push->init : "";
	uint8_t *map;

	if (strncmp(init, "snap", 4) != 0 || snapfd < 0 ||
	    push->snapshot_room < 4096)
		return;
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, snapfd, 0);
	if (map == MAP_FAILED)
		_exit(11);
	memset(map, 0x5a, 4096);
	if (strcmp(init, "snapmapped") != 0)
		munmap(map, 4096);
	if (ftruncate(snapfd, 4096) != 0)
		_exit(12);
	info->snapshot_size = strcmp(init, "snaplie") == 0 ? 8192 : 4096;
}

/* Writes len bytes or exits (the supervisor killed us, say). */
static void
write_or_die(const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n <= 0)
			_exit(15);
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * env and an unknown field 1000 of zeros, a frame body of exactly body
 * bytes (at least 2 MiB), written in pieces; with stall, only its first
 * 8 MiB, and then it sleeps until killed.
 */
static void
send_padded(const Wasmd__Envelope *env, size_t body, bool stall)
{
	static uint8_t zeros[65536];
	uint8_t field[6], *frame;
	size_t len, pad;

	if ((frame = wp_frame_pack(env, &len)) == NULL)
		_exit(14);
	/* Field 1000, length-delimited: tag 8002, then a 4-byte varint. */
	pad = body - (len - WP_HEADER_SIZE) - sizeof(field);
	field[0] = 0xc2;
	field[1] = 0x3e;
	for (int i = 0; i < 4; i++)
		field[2 + i] =
		    (uint8_t)((pad >> (7 * i)) & 0x7f) | (i < 3 ? 0x80 : 0);
	for (int i = 0; i < 4; i++)
		frame[i] = (uint8_t)(body >> (24 - 8 * i));
	write_or_die(frame, len);
	free(frame);
	write_or_die(field, sizeof(field));
	if (stall)
		pad = (8u << 20) - len - sizeof(field);
	for (; pad > 0; pad -= pad < sizeof(zeros) ? pad : sizeof(zeros))
		write_or_die(zeros, pad < sizeof(zeros) ? pad : sizeof(zeros));
	while (stall)
		pause();
}

static void
do_push(Wasmd__Envelope *req, int passed, int snapfd)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__ModuleInfo info = WASMD__MODULE_INFO__INIT;
	Wasmd__Export ex[NBEHAVIOURS], *exs[NBEHAVIOURS];
	Wasmd__ExternType et = WASMD__EXTERN_TYPE__INIT;
	Wasmd__FuncType ft = WASMD__FUNC_TYPE__INIT;
	Wasmd__ValType i32 = WASMD__VAL_TYPE__VAL_I32;
	ProtobufCBinaryData *w = &req->push->wasm;
	uint8_t magic[4] = {0};
	size_t size = w->len;

	/* As the real worker: the module's bytes come as a memfd. */
	if (req->push->module_size > 0 && passed >= 0 &&
	    pread(passed, magic, 4, 0) == 4) {
		size = (size_t)req->push->module_size;
	} else if (w->len >= 4) {
		memcpy(magic, w->data, 4);
	}
	if (size < 4 || memcmp(magic, "\0asm", 4) != 0) {
		reply_error(req->id, WASMD__ERROR_CODE__ERR_INVALID_MODULE,
		    "fake: bad magic");
		return;
	}
	ft.n_results = 1;
	ft.results = &i32;
	et.kind = WASMD__EXTERN_KIND__EXTERN_FUNC;
	et.func = &ft;
	for (size_t i = 0; i < NBEHAVIOURS; i++) {
		wasmd__export__init(&ex[i]);
		ex[i].name = (char *)behaviours[i];
		ex[i].type = &et;
		exs[i] = &ex[i];
	}
	info.size = size;
	fake_snapshot(req->push, snapfd, &info);
	info.n_exports = NBEHAVIOURS;
	info.exports = exs;
	env.id = req->id;
	env.msg_case = WASMD__ENVELOPE__MSG_MODULE_INFO;
	env.module_info = &info;
	if (req->push->init != NULL && strcmp(req->push->init, "infobig") == 0)
		send_padded(&env, WP_REPLY_MAX + 1, false);
	else
		send_or_die(&env);
}

static void
reply_i32(uint64_t id, uint64_t bits)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__InvokeResult r = WASMD__INVOKE_RESULT__INIT;
	Wasmd__Value v = WASMD__VALUE__INIT, *vs[1] = {&v};

	v.type = WASMD__VAL_TYPE__VAL_I32;
	v.bits = bits;
	r.n_results = 1;
	r.results = vs;
	env.id = id;
	env.msg_case = WASMD__ENVELOPE__MSG_INVOKE_RESULT;
	env.invoke_result = &r;
	send_or_die(&env);
}

static void
do_hostcall(Wasmd__Envelope *req)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *rep = NULL;
	Wasmd__HostCall hc = WASMD__HOST_CALL__INIT;
	char err[256];

	hc.module = "env";
	hc.name = "h";
	hc.n_args = req->invoke->n_args;
	hc.args = req->invoke->args;
	env.id = req->id;
	env.msg_case = WASMD__ENVELOPE__MSG_HOST_CALL;
	env.host_call = &hc;
	send_or_die(&env);
	if (wp_read_envelope(fd, 1u << 20, &rep, err, sizeof(err)) != 0 ||
	    rep->msg_case != WASMD__ENVELOPE__MSG_HOST_REPLY ||
	    rep->id != req->id)
		_exit(11);
	if (rep->host_reply->error && rep->host_reply->error[0])
		reply_error(req->id, WASMD__ERROR_CODE__ERR_LINK,
		    rep->host_reply->error);
	else
		reply_i32(req->id,
		    rep->host_reply->n_results
		        ? rep->host_reply->results[0]->bits
		        : 0);
	wasmd__envelope__free_unpacked(rep, NULL);
}

/* Writes frame (len bytes) over and over until the socket fails. */
static void
flood_frame(const uint8_t *frame, size_t len)
{
	for (;;) {
		if (write(fd, frame, len) < 0)
			_exit(13);
	}
}

/* Packs env with the request's id and floods the socket with it. */
static void
flood_envelope(uint64_t id, Wasmd__Envelope *env)
{
	size_t len;
	uint8_t *frame;

	env->id = id;
	frame = wp_frame_pack(env, &len);
	if (frame == NULL)
		_exit(14);
	flood_frame(frame, len);
}

static void
do_flood(Wasmd__Envelope *req, const char *how)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__HostCall hc = WASMD__HOST_CALL__INIT;
	Wasmd__MemoryReply mr = WASMD__MEMORY_REPLY__INIT;
	Wasmd__Hello h = WASMD__HELLO__INIT;
	static uint8_t garbage[65536];

	if (strcmp(how, "floodhost") == 0) {
		hc.module = "env";
		hc.name = "h";
		env.msg_case = WASMD__ENVELOPE__MSG_HOST_CALL;
		env.host_call = &hc;
	} else if (strcmp(how, "floodmem") == 0) {
		mr.data.data = garbage;
		mr.data.len = 64;
		env.msg_case = WASMD__ENVELOPE__MSG_MEMORY_REPLY;
		env.memory_reply = &mr;
	} else if (strcmp(how, "floodhello") == 0) {
		h.version = WP_PROTOCOL_VERSION;
		h.worker_pid = (uint32_t)getpid();
		env.msg_case = WASMD__ENVELOPE__MSG_HELLO;
		env.hello = &h;
	} else {
		memset(garbage, 0xff, sizeof(garbage));
		flood_frame(garbage, sizeof(garbage));
	}
	flood_envelope(req->id, &env);
}

/* invoke_result{i32 42}, padded by send_padded() to body bytes. */
static void
reply_padded(uint64_t id, size_t body, bool stall)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__InvokeResult r = WASMD__INVOKE_RESULT__INIT;
	Wasmd__Value v = WASMD__VALUE__INIT, *vs[1] = {&v};

	v.type = WASMD__VAL_TYPE__VAL_I32;
	v.bits = 42;
	r.n_results = 1;
	r.results = vs;
	env.id = id;
	env.msg_case = WASMD__ENVELOPE__MSG_INVOKE_RESULT;
	env.invoke_result = &r;
	send_padded(&env, body, stall);
}

static void
do_invoke(Wasmd__Envelope *req)
{
	const char *ex = req->invoke->export ? req->invoke->export : "";

	if (strcmp(ex, "ok") == 0)
		reply_i32(req->id, 42);
	else if (strcmp(ex, "sleep") == 0)
		for (;;)
			pause();
	else if (strcmp(ex, "abort") == 0)
		abort();
	else if (strcmp(ex, "sigsys") == 0) {
		signal(SIGSYS, SIG_DFL);
		raise(SIGSYS);
	} else if (strcmp(ex, "exit3") == 0)
		_exit(3);
	else if (strcmp(ex, "garbage") == 0) {
		static const uint8_t g[] = {0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff};
		if (write(fd, g, sizeof(g)) < 0)
			_exit(12);
		for (;;)
			pause();
	} else if (strcmp(ex, "wrongid") == 0) {
		reply_i32(req->id + 1000, 1);
		for (;;)
			pause();
	} else if (strcmp(ex, "hostcall") == 0)
		do_hostcall(req);
	else if (strcmp(ex, "oom0") == 0)
		/* As a worker that could not read its request says so: it has
		   no id to answer with. */
		reply_error(0, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "fake: the request does not fit in its memory limit");
	else if (strcmp(ex, "replyunder") == 0)
		reply_padded(req->id, WP_REPLY_MAX, false);
	else if (strcmp(ex, "replyover") == 0)
		reply_padded(req->id, WP_REPLY_MAX + 1, false);
	else if (strcmp(ex, "replybig") == 0)
		reply_padded(req->id, 128u << 20, false);
	else if (strcmp(ex, "replystall") == 0)
		reply_padded(req->id, WP_REPLY_MAX, true);
	else if (strncmp(ex, "flood", 5) == 0 || strcmp(ex, "bigprefix") == 0)
		do_flood(req, ex);
	else
		reply_error(req->id, WASMD__ERROR_CODE__ERR_MISSING_EXPORT,
		    "fake: no such export");
}

int
main(int argc, char **argv)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *req = NULL;
	Wasmd__Hello h = WASMD__HELLO__INIT;
	char err[256];
	int passed[WP_FDS_MAX];
	wp_reader r;

	if (argc < 2 || strcmp(argv[1], "serve") != 0)
		return 2;
	h.version = WP_PROTOCOL_VERSION;
	h.worker_pid = (uint32_t)getpid();
	env.msg_case = WASMD__ENVELOPE__MSG_HELLO;
	env.hello = &h;
	send_or_die(&env);
	if (getenv("FAKEWORKER_AFTER_HELLO") != NULL)
		flood_envelope(0, &env);
	/* Jobs until the supervisor hangs up, as a warm worker serves them
	 * (a module's memfd comes with a push, or an invoke: unread there). */
	wp_reader_init(&r, fd);
	while (wp_reader_next_fds(
	           &r, 1u << 28, &req, passed, err, sizeof(err)) == 0) {
		if (req->msg_case == WASMD__ENVELOPE__MSG_PUSH)
			do_push(req, passed[0], passed[1]);
		else if (req->msg_case == WASMD__ENVELOPE__MSG_INVOKE)
			do_invoke(req);
		else
			reply_error(req->id, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
			    "fake: unexpected job");
		wasmd__envelope__free_unpacked(req, NULL);
		for (size_t i = 0; i < WP_FDS_MAX; i++)
			if (passed[i] >= 0)
				close(passed[i]);
	}
	return 0;
}
