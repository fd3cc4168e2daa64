/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_reply.c: libwasmd-client as a daemon's replies reach it. The input
 * plays the daemon: its bytes wait in the peer end of a socketpair, whose
 * write side is then shut so the client reads end of file after them,
 * never blocking for more. The client connects over the other end
 * (wc_connect_fd(), an internal hook) and makes the calls the input's
 * header chooses, converting whatever replies, host calls, memory
 * replies and output frames the bytes hold.
 *
 * Input: seeds/reply_input.h (flags, four calls, the daemon's bytes).
 * With FL_HELLO a valid Hello reply comes first, so the fuzzer need not
 * rebuild it for every input.
 * No threads: what the client writes (its requests, host replies, memory
 * requests) piles up in the peer end, which is drained between calls and
 * in every callback; inputs with more host calls than MAX_HOST_CALLS are
 * refused so that the undrained replies to unknown host calls always fit
 * in the socket buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "seeds/reply_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STREAM (64u << 10)
#define MAX_HOST_CALLS 32
#define SOCK_BUF (1 << 20)

/* What one input runs with. */
struct run {
	int peer; /* the daemon's end */
	unsigned flags;
};

/* Sink for values read back, so the reads are not optimized away. */
static volatile size_t sink;

/* Reads and drops what the client wrote, without blocking. */
static void
drain(int peer)
{
	uint8_t buf[4096];

	while (recv(peer, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
}

/* Touches every byte of a NUL-terminated string the library returned. */
static void
touch(const char *s)
{
	if (s != NULL)
		sink += strlen(s);
}

static void
touch_info(const wasmd_module_info *info)
{
	if (info == NULL)
		return;
	touch(info->digest);
	for (size_t i = 0; i < info->nnames; i++)
		touch(info->names[i]);
	for (size_t i = 0; i < info->nimports; i++) {
		touch(info->imports[i].module);
		touch(info->imports[i].name);
		touch(info->imports[i].type.text);
	}
	for (size_t i = 0; i < info->nexports; i++) {
		touch(info->exports[i].name);
		touch(info->exports[i].type.text);
		for (size_t j = 0; j < info->exports[i].type.func.nparams; j++)
			sink += info->exports[i].type.func.params[j];
		for (size_t j = 0; j < info->exports[i].type.func.nresults; j++)
			sink += info->exports[i].type.func.results[j];
	}
	sink += wasmd_module_info_export(info, "run") != NULL;
}

/* Reads a result the way a caller would, then frees it. */
static void
use_result(wasmd_result *r)
{
	char text[WASMD_VALUE_TEXT_MAX];

	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nresults; i++)
		sink += wasmd_value_format(&r->results[i], text, sizeof text);
	touch(wasmd_trap_kind_name(r->trap));
	touch(r->trap_message);
	for (size_t i = 0; i < r->nframes; i++)
		touch(r->frames[i].name);
	for (int fd = 1; fd < 3; fd++) {
		if (r->output[fd] != NULL)
			sink += r->output_len[fd] + strlen(r->output[fd]);
	}
	wasmd_result_free(r);
}

/* ---- Host functions ------------------------------------------------------ */

static const wasmd_valtype f_params[] = {WASMD_I32, WASMD_I32, WASMD_I64};
static const wasmd_valtype f_results[] = {WASMD_I32};
static const wasmd_valtype g_results[] = {WASMD_F64, WASMD_EXTERNREF};
static const wasmd_mem_arg f_mem[] = {{0, 1, 0}};

/* env.f(ptr, len, i64) -> i32: reads its memory argument, and with
 * FL_MEMORY reads and writes guest memory through the daemon. */
static int
host_f(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	struct run *run = user;
	const uint8_t *p;
	uint32_t addr = 0;
	size_t len = 0;
	uint8_t buf[8];

	drain(run->peer);
	if (run->flags & FL_HOST_FAIL)
		return wasmd_host_call_fail(call, "failed %zu", nargs);
	p = wasmd_host_call_mem_arg(call, 0, &addr, &len);
	for (size_t i = 0; p != NULL && i < len; i++)
		sink += p[i];
	sink += wasmd_host_call_mem_arg(call, 1, NULL, NULL) != NULL;
	if (run->flags & FL_MEMORY) {
		if (wasmd_host_memory_read(call, addr, buf, sizeof buf) ==
		    WASMD_OK)
			sink += buf[0];
		drain(run->peer);
		wasmd_host_memory_write(call, addr, "ok", 2);
		drain(run->peer);
	}
	wasmd_host_call_write(call, addr, "x", 1);
	results[0].of.i32 = args[0].of.i32 + (int32_t)nresults;
	return 0;
}

/* env.g() -> (f64, externref). */
static int
host_g(wasmd_host_call *call, const wasmd_value *args, size_t nargs,
    wasmd_value *results, size_t nresults, void *user)
{
	struct run *run = user;

	(void)args;
	drain(run->peer);
	sink += wasmd_host_call_func(call) != NULL;
	if (run->flags & FL_HOST_FAIL)
		return wasmd_host_call_fail(call, "%s", "");
	results[0].of.f64 = (double)nargs;
	results[nresults - 1].is_null = true;
	return 0;
}

/* Options with two host functions; output goes to cb when it is set. */
static void
make_options(struct run *run, wasmd_host_func funcs[2],
    wasmd_invoke_options *opts, wasmd_output_cb cb)
{
	funcs[0] = (wasmd_host_func){.module = "env",
	    .name = "f",
	    .type = {3, 1, (wasmd_valtype *)f_params,
	        (wasmd_valtype *)f_results},
	    .fn = host_f,
	    .user = run,
	    .nmem_args = 1,
	    .mem_args = f_mem};
	funcs[1] = (wasmd_host_func){.module = "env",
	    .name = "g",
	    .type = {0, 2, NULL, (wasmd_valtype *)g_results},
	    .fn = host_g,
	    .user = run};
	wasmd_invoke_options_init(opts);
	opts->host_funcs = funcs;
	opts->nhost_funcs = 2;
	opts->output = cb;
	opts->output_arg = run;
}

static void
on_output(int fd, const void *data, size_t len, void *arg)
{
	struct run *run = arg;

	drain(run->peer);
	if (len > 0)
		sink += (size_t)fd + ((const uint8_t *)data)[len - 1];
}

static void
on_result(wasmd_conn *conn, wasmd_error rc, wasmd_result *result, void *arg)
{
	struct run *run = arg;

	drain(run->peer);
	touch(wasmd_errmsg(conn));
	sink += (size_t)rc;
	use_result(result);
}

/* ---- Calls ----------------------------------------------------------------- */

/* Runs wasmd_process() until no asynchronous request waits. The peer's
 * write side is shut, so each pass ends at the latest at end of file. */
static void
process_all(wasmd_conn *conn)
{
	for (int i = 0; i < 8 && wasmd_pending(conn) > 0; i++) {
		if (wasmd_process(conn) != WASMD_OK)
			break;
	}
}

static void
call_async(struct run *run, wasmd_conn *conn)
{
	wasmd_host_func funcs[2];
	wasmd_invoke_options opts;
	wasmd_value arg = {.type = WASMD_I32, .of.i32 = 7};

	make_options(run, funcs, &opts, NULL);
	wasmd_invoke_send(conn, "m", "run", &arg, 1, &opts, on_result, run);
	wasmd_invoke_send(conn, "m", "run", NULL, 0, NULL, on_result, run);
	process_all(conn);
}

static void
call_instance(struct run *run, wasmd_conn *conn)
{
	wasmd_host_func funcs[2];
	wasmd_invoke_options opts;
	wasmd_instance *inst = NULL;
	wasmd_result *res = NULL;

	make_options(run, funcs, &opts, NULL);
	if (wasmd_instance_create(conn, "m", &opts, &inst) != WASMD_OK)
		return;
	sink += wasmd_instance_id(inst);
	drain(run->peer);
	if (wasmd_instance_invoke(inst, "run", NULL, 0, &res) == WASMD_OK)
		use_result(res);
	/* The drop's blocking wait meets the asynchronous call's reply. */
	wasmd_instance_invoke_send(inst, "run", NULL, 0, on_result, run);
	drain(run->peer);
	wasmd_instance_drop(inst);
	process_all(conn);
}

static void
call_invoke(struct run *run, wasmd_conn *conn, bool streamed)
{
	wasmd_host_func funcs[2];
	wasmd_invoke_options opts;
	wasmd_value arg = {.type = WASMD_I64, .of.i64 = -1};
	wasmd_result *res = NULL;

	make_options(run, funcs, &opts, streamed ? on_output : NULL);
	if (wasmd_invoke(conn, "m", "run", &arg, 1, &opts, &res) == WASMD_OK)
		use_result(res);
}

static void
call_one(struct run *run, wasmd_conn *conn, unsigned op)
{
	static const uint8_t wasm[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	wasmd_module_info *info = NULL;
	wasmd_module_list *list = NULL;
	char *text = NULL;

	switch (op) {
	case OP_PUSH:
		if (wasmd_push(conn, wasm, sizeof wasm, "m", &info) == WASMD_OK)
			touch_info(info);
		wasmd_module_info_free(info);
		break;
	case OP_LIST:
		if (wasmd_list(conn, &list) == WASMD_OK) {
			for (size_t i = 0; i < list->count; i++)
				touch_info(&list->modules[i]);
		}
		wasmd_module_list_free(list);
		break;
	case OP_INSPECT:
		if (wasmd_inspect(conn, "m", &info) == WASMD_OK)
			touch_info(info);
		wasmd_module_info_free(info);
		break;
	case OP_REMOVE: wasmd_remove(conn, "m"); break;
	case OP_STATS:
		if (wasmd_stats(conn, true, &text) == WASMD_OK)
			touch(text);
		free(text);
		break;
	case OP_INVOKE:
	case OP_INVOKE_STREAMED:
		call_invoke(run, conn, op == OP_INVOKE_STREAMED);
		break;
	case OP_ASYNC: call_async(run, conn); break;
	case OP_INSTANCE: call_instance(run, conn); break;
	default: break;
	}
	touch(wasmd_errmsg(conn));
}

/* ---- The daemon's side --------------------------------------------------- */

/*
 * How many host calls the stream holds before it ends or stops decoding
 * (the client reads no further either). Each makes the client write.
 */
static size_t
count_host_calls(const uint8_t *data, size_t size)
{
	size_t off = 0, n = 0;
	char err[64];

	while (off < size && n <= MAX_HOST_CALLS) {
		Wasmd__Envelope *env = NULL;
		size_t used = 0;

		if (wp_frame_parse(data + off, size - off, WP_FRAME_MAX_DEFAULT,
		        &env, &used, err, sizeof err) != WP_FRAME)
			break;
		n += env->msg_case == WASMD__ENVELOPE__MSG_HOST_CALL;
		wasmd__envelope__free_unpacked(env, NULL);
		off += used;
	}
	return n;
}

/* Writes as much of buf as the socket takes now; the rest is lost, as if
 * the daemon had closed there. */
static void
put(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void
put_hello(int fd)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Hello hello = WASMD__HELLO__INIT;
	uint8_t *frame;
	size_t len = 0;

	hello.version = WP_PROTOCOL_VERSION;
	hello.software = "wasmd fuzz";
	hello.tenant = "fuzz";
	env.msg_case = WASMD__ENVELOPE__MSG_HELLO;
	env.hello = &hello;
	frame = wp_frame_pack(&env, &len);
	if (frame != NULL)
		put(fd, frame, len);
	free(frame);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2], buf = SOCK_BUF;
	struct run run;
	wasmd_conn *conn;

	if (size < REPLY_HEADER_SIZE || size - REPLY_HEADER_SIZE > MAX_STREAM ||
	    count_host_calls(data + REPLY_HEADER_SIZE,
	        size - REPLY_HEADER_SIZE) > MAX_HOST_CALLS)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	for (int i = 0; i < 2; i++) {
		setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
		setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
	}
	run = (struct run){.peer = sv[1], .flags = data[0]};
	if (run.flags & FL_HELLO)
		put_hello(run.peer);
	put(run.peer, data + REPLY_HEADER_SIZE, size - REPLY_HEADER_SIZE);
	shutdown(run.peer, SHUT_WR);

	conn = wc_connect_fd(sv[0]); /* closes sv[0] */
	if (conn != NULL) {
		touch(wasmd_server_software(conn));
		touch(wasmd_tenant(conn));
		for (int i = 1; i < REPLY_HEADER_SIZE; i++) {
			drain(run.peer);
			call_one(&run, conn, data[i] % OP_COUNT);
		}
		wasmd_close(conn);
	}
	close(run.peer);
	return 0;
}
