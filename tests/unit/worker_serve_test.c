/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker_serve_test.c: wasmd-worker serve without the supervisor.
 *
 * Each test starts the real, confined wasmd-worker with one end of a
 * socketpair as fd 3 (as the supervisor does), plays the supervisor's part
 * of the protocol with proto/frame.h, and checks the replies and how the
 * worker ends: exit 0 after one job or a closed socket, non-zero after a
 * malformed frame, SIGSYS after the test hook's forbidden system call.
 *
 * The suite runs twice: against the real program, confined, and against
 * the same job code (wrk_serve_job) in a forked child without the sandbox,
 * which leaves with exit() so that LeakSanitizer checks it in ASan builds
 * (a confined worker cannot run that check: it needs ptrace).
 *
 * The modules are tiny and embedded; their text is next to each array.
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frame.h"
#include "sandbox.h"
#include "serve.h"

#define TEST_MEM_LIMIT "67108864"
#define JOB_ID 77

/*
 * (module (memory (export "mem") 1 2)
 *   (func (export "add") (param i32 i32) (result i32)
 *     local.get 0 local.get 1 i32.add))
 */
static const uint8_t add_wasm[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x03, 0x02,
    0x01, 0x00, 0x05, 0x04, 0x01, 0x01, 0x01, 0x02, 0x07, 0x0d, 0x02, 0x03,
    0x6d, 0x65, 0x6d, 0x02, 0x00, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x0a,
    0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b};

/*
 * (module (import "env" "double" (func $d (param i32) (result i32)))
 *   (func (export "f") (param i32) (result i32)
 *     local.get 0 call $d i32.const 1 i32.add))
 */
static const uint8_t host_wasm[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x02, 0x0e, 0x01,
    0x03, 0x65, 0x6e, 0x76, 0x06, 0x64, 0x6f, 0x75, 0x62, 0x6c, 0x65, 0x00,
    0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x01,
    0x0a, 0x0b, 0x01, 0x09, 0x00, 0x20, 0x00, 0x10, 0x00, 0x41, 0x01, 0x6a,
    0x0b};

/*
 * (module (func (export "boom") unreachable)
 *   (func (export "spin") (loop br 0)))
 */
static const uint8_t trap_wasm[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x03, 0x02, 0x00, 0x00,
    0x07, 0x0f, 0x02, 0x04, 0x62, 0x6f, 0x6f, 0x6d, 0x00, 0x00, 0x04, 0x73,
    0x70, 0x69, 0x6e, 0x00, 0x01, 0x0a, 0x0d, 0x02, 0x03, 0x00, 0x00, 0x0b,
    0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b};

/*
 * (module (import "wasmd_test" "forbidden_syscall" (func $f))
 *   (func (export "go") call $f))
 */
static const uint8_t hook_wasm[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x20, 0x01, 0x0a, 0x77,
    0x61, 0x73, 0x6d, 0x64, 0x5f, 0x74, 0x65, 0x73, 0x74, 0x11, 0x66, 0x6f,
    0x72, 0x62, 0x69, 0x64, 0x64, 0x65, 0x6e, 0x5f, 0x73, 0x79, 0x73, 0x63,
    0x61, 0x6c, 0x6c, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x06, 0x01,
    0x02, 0x67, 0x6f, 0x00, 0x01, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x10, 0x00,
    0x0b};

/* (module (memory 20) (func (export "nop"))) */
static const uint8_t bigmem_wasm[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05,
    0x03, 0x01, 0x00, 0x14, 0x07, 0x07, 0x01, 0x03, 0x6e, 0x6f, 0x70, 0x00,
    0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b};

/* Which worker the tests talk to: set by main() before each run. */
static bool g_unconfined;

typedef struct worker {
	pid_t pid;
	int sock; /* our end; the worker's is its fd 3 */
} worker;

/* The worker's --memory-limit: main() and one test change it. */
static const char *g_mem_limit = TEST_MEM_LIMIT;

/* In the child: the socket as fd 3, then exec the worker. */
static void
exec_worker(int theirs)
{
	int tmp = fcntl(theirs, F_DUPFD, 10);

	if (tmp < 0 || dup2(tmp, 3) != 3)
		_exit(120);
	close(tmp);
	execl(WORKER_PATH, "wasmd-worker", "serve", "--fd", "3",
	    "--memory-limit", g_mem_limit, (char *)NULL);
	_exit(121);
}

/* Starts a worker and reads its hello. */
static worker
start_worker(void)
{
	struct timeval tv = {20, 0};
	Wasmd__Envelope *env = NULL;
	char err[256];
	int sv[2];
	worker w;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	w.pid = fork();
	ck_assert_int_ge(w.pid, 0);
	if (w.pid == 0) {
		close(sv[0]);
		if (g_unconfined)
			exit(wrk_serve_job(sv[1]));
		exec_worker(sv[1]);
	}
	close(sv[1]);
	w.sock = sv[0];
	/* A stuck worker fails the test instead of hanging it. */
	setsockopt(w.sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	ck_assert_msg(wp_read_envelope(w.sock, WP_FRAME_MAX_DEFAULT, &env, err,
	                  sizeof err) == 0,
	    "no hello: %s", err);
	ck_assert_int_eq(env->msg_case, WASMD__ENVELOPE__MSG_HELLO);
	ck_assert_uint_eq(env->hello->version, WP_PROTOCOL_VERSION);
	ck_assert_uint_eq(env->hello->worker_pid, (uint32_t)w.pid);
	wasmd__envelope__free_unpacked(env, NULL);
	return w;
}

/* Closes our end and returns the worker's wait status. */
static int
finish(worker *w)
{
	int status;

	close(w->sock);
	ck_assert_int_eq(waitpid(w->pid, &status, 0), w->pid);
	return status;
}

static void
assert_exit_status(int status, int code)
{
	ck_assert_msg(WIFEXITED(status), "worker killed by signal %d",
	    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	ck_assert_int_eq(WEXITSTATUS(status), code);
}

static void
send_env(worker *w, Wasmd__Envelope *env)
{
	char err[256];

	env->id = JOB_ID;
	ck_assert_msg(wp_write_envelope(w->sock, env, err, sizeof err) == 0,
	    "send: %s", err);
}

/* The next envelope; own: free with wasmd__envelope__free_unpacked. */
static Wasmd__Envelope *
recv_env(worker *w)
{
	Wasmd__Envelope *env = NULL;
	char err[256];

	ck_assert_msg(wp_read_envelope(w->sock, WP_FRAME_MAX_DEFAULT, &env, err,
	                  sizeof err) == 0,
	    "receive: %s", err);
	ck_assert_uint_eq(env->id, JOB_ID);
	return env;
}

static void
send_push(worker *w, const uint8_t *wasm, size_t len)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__PushModule push = WASMD__PUSH_MODULE__INIT;

	push.wasm.data = (uint8_t *)wasm;
	push.wasm.len = len;
	env.msg_case = WASMD__ENVELOPE__MSG_PUSH;
	env.push = &push;
	send_env(w, &env);
}

static Wasmd__Value
i32_value(int32_t v)
{
	Wasmd__Value val = WASMD__VALUE__INIT;

	val.type = WASMD__VAL_TYPE__VAL_I32;
	val.bits = (uint32_t)v;
	return val;
}

/* An invoke request; the caller sets args, limits and host imports. */
typedef struct invoke_req {
	Wasmd__Envelope env;
	Wasmd__Invoke inv;
	Wasmd__InvokeLimits limits;
} invoke_req;

static void
invoke_init(invoke_req *r, const uint8_t *wasm, size_t len, const char *exp)
{
	static const Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	static const Wasmd__Invoke inv = WASMD__INVOKE__INIT;
	static const Wasmd__InvokeLimits limits = WASMD__INVOKE_LIMITS__INIT;

	r->env = env;
	r->inv = inv;
	r->limits = limits;
	r->inv.wasm.data = (uint8_t *)wasm;
	r->inv.wasm.len = len;
	r->inv.export = (char *)exp;
	r->inv.limits = &r->limits;
	r->env.msg_case = WASMD__ENVELOPE__MSG_INVOKE;
	r->env.invoke = &r->inv;
}

/* Expects error{code}; returns nothing, checks the message is not empty. */
static void
expect_error(worker *w, Wasmd__ErrorCode code, const char *needle)
{
	Wasmd__Envelope *env = recv_env(w);

	ck_assert_int_eq(env->msg_case, WASMD__ENVELOPE__MSG_ERROR);
	ck_assert_int_eq(env->error->code, code);
	ck_assert_str_ne(env->error->message, "");
	if (needle != NULL)
		ck_assert_msg(strstr(env->error->message, needle) != NULL,
		    "\"%s\" not in \"%s\"", needle, env->error->message);
	wasmd__envelope__free_unpacked(env, NULL);
}

/* ---- Lifecycle -------------------------------------------------------- */

START_TEST(test_hello_then_close_exits_quietly)
{
	worker w = start_worker();

	assert_exit_status(finish(&w), 0);
}
END_TEST

START_TEST(test_malformed_frame_exits_nonzero)
{
	worker w = start_worker();
	static const uint8_t junk[] = {
	    0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0xff};
	int status;

	ck_assert_int_eq(
	    write(w.sock, junk, sizeof junk), (ssize_t)sizeof junk);
	status = finish(&w);
	ck_assert(WIFEXITED(status));
	ck_assert_int_ne(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(test_unexpected_message_is_bad_request)
{
	worker w = start_worker();
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__ListModules list = WASMD__LIST_MODULES__INIT;

	env.msg_case = WASMD__ENVELOPE__MSG_LIST;
	env.list = &list;
	send_env(&w, &env);
	expect_error(&w, WASMD__ERROR_CODE__ERR_BAD_REQUEST, NULL);
	assert_exit_status(finish(&w), 0);
}
END_TEST

/*
 * Sends a push and ignores a failed write: the worker may answer and leave
 * before it has read the whole frame. Its answer is still ours to read.
 */
static void
send_push_unchecked(worker *w, const uint8_t *wasm, size_t len)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__PushModule push = WASMD__PUSH_MODULE__INIT;
	char err[256];

	push.wasm.data = (uint8_t *)wasm;
	push.wasm.len = len;
	env.id = JOB_ID;
	env.msg_case = WASMD__ENVELOPE__MSG_PUSH;
	env.push = &push;
	(void)wp_write_envelope(w->sock, &env, err, sizeof err);
}

/*
 * A request bigger than the worker's address space: the worker cannot read
 * it and answers ERR_OUT_OF_MEMORY. Only for the confined worker without
 * ASan (the unconfined job and ASan builds have no address-space limit).
 */
START_TEST(test_request_over_memory_limit)
{
	size_t len = (size_t)WRK_SANDBOX_AS_OVERHEAD +
	    (size_t)WRK_CACHE_DEFAULT_BYTES + (8u << 20);
	Wasmd__Envelope *env = NULL;
	char err[256];
	uint8_t *big;
	worker w;

	if (g_unconfined || WRK_SANITIZED)
		return;
	g_mem_limit = "1";
	w = start_worker();
	g_mem_limit = TEST_MEM_LIMIT;
	big = calloc(1, len);
	ck_assert_ptr_nonnull(big);
	send_push_unchecked(&w, big, len);
	free(big);
	/* The worker never read the request, so its id is unknown: 0. */
	ck_assert_msg(wp_read_envelope(w.sock, WP_FRAME_MAX_DEFAULT, &env, err,
	                  sizeof err) == 0,
	    "receive: %s", err);
	ck_assert_uint_eq(env->id, 0);
	ck_assert_int_eq(env->msg_case, WASMD__ENVELOPE__MSG_ERROR);
	ck_assert_int_eq(
	    env->error->code, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY);
	ck_assert_ptr_nonnull(strstr(env->error->message, "memory limit"));
	wasmd__envelope__free_unpacked(env, NULL);
	assert_exit_status(finish(&w), 0);
}
END_TEST

/* ---- push -------------------------------------------------------------- */

START_TEST(test_push_describes_module)
{
	worker w = start_worker();
	Wasmd__Envelope *env;
	Wasmd__ModuleInfo *mi;
	Wasmd__Export *add, *mem;

	send_push(&w, add_wasm, sizeof add_wasm);
	env = recv_env(&w);
	ck_assert_int_eq(env->msg_case, WASMD__ENVELOPE__MSG_MODULE_INFO);
	mi = env->module_info;
	ck_assert_uint_eq(mi->size, sizeof add_wasm);
	ck_assert_str_eq(mi->digest, "");
	ck_assert_uint_eq(mi->n_imports, 0);
	ck_assert_uint_eq(mi->n_exports, 2);
	mem = mi->exports[0];
	add = mi->exports[1];
	ck_assert_str_eq(mem->name, "mem");
	ck_assert_int_eq(mem->type->kind, WASMD__EXTERN_KIND__EXTERN_MEMORY);
	ck_assert_uint_eq(mem->type->limits->min, 1);
	ck_assert_uint_eq(mem->type->limits->max, 2);
	ck_assert(mem->type->limits->has_max);
	ck_assert_str_eq(add->name, "add");
	ck_assert_int_eq(add->type->kind, WASMD__EXTERN_KIND__EXTERN_FUNC);
	ck_assert_uint_eq(add->type->func->n_params, 2);
	ck_assert_int_eq(add->type->func->params[1], WASMD__VAL_TYPE__VAL_I32);
	ck_assert_uint_eq(add->type->func->n_results, 1);
	wasmd__envelope__free_unpacked(env, NULL);
	assert_exit_status(finish(&w), 0);
}
END_TEST

START_TEST(test_push_lists_imports)
{
	worker w = start_worker();
	Wasmd__Envelope *env;
	Wasmd__Import *imp;

	send_push(&w, host_wasm, sizeof host_wasm);
	env = recv_env(&w);
	ck_assert_int_eq(env->msg_case, WASMD__ENVELOPE__MSG_MODULE_INFO);
	ck_assert_uint_eq(env->module_info->n_imports, 1);
	imp = env->module_info->imports[0];
	ck_assert_str_eq(imp->module, "env");
	ck_assert_str_eq(imp->name, "double");
	ck_assert_int_eq(imp->type->kind, WASMD__EXTERN_KIND__EXTERN_FUNC);
	ck_assert_uint_eq(imp->type->func->n_params, 1);
	ck_assert_uint_eq(imp->type->func->n_results, 1);
	wasmd__envelope__free_unpacked(env, NULL);
	assert_exit_status(finish(&w), 0);
}
END_TEST

START_TEST(test_push_invalid_module)
{
	static const uint8_t junk[] = {
	    0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00};
	worker w = start_worker();

	send_push(&w, junk, sizeof junk);
	expect_error(&w, WASMD__ERROR_CODE__ERR_INVALID_MODULE, NULL);
	assert_exit_status(finish(&w), 0);
}
END_TEST

/* ---- invoke ------------------------------------------------------------ */

START_TEST(test_invoke_add)
{
	worker w = start_worker();
	invoke_req r;
	Wasmd__Value a = i32_value(2), b = i32_value(3);
	Wasmd__Value *args[] = {&a, &b};
	Wasmd__Envelope *env;
	Wasmd__InvokeResult *ir;

	invoke_init(&r, add_wasm, sizeof add_wasm, "add");
	r.inv.args = args;
	r.inv.n_args = 2;
	r.limits.fuel = 1000;
	send_env(&w, &r.env);
	env = recv_env(&w);
	ck_assert_int_eq(env->msg_case, WASMD__ENVELOPE__MSG_INVOKE_RESULT);
	ir = env->invoke_result;
	ck_assert_ptr_null(ir->trap);
	ck_assert_uint_eq(ir->n_results, 1);
	ck_assert_int_eq(ir->results[0]->type, WASMD__VAL_TYPE__VAL_I32);
	ck_assert_uint_eq(ir->results[0]->bits, 5);
	ck_assert_uint_gt(ir->fuel_consumed, 0);
	ck_assert_uint_le(ir->fuel_consumed, 1000);
	wasmd__envelope__free_unpacked(env, NULL);
	assert_exit_status(finish(&w), 0);
}
END_TEST

/* Declares env.double : (i32) -> (i32) as served by the client. */
typedef struct host_decl {
	Wasmd__HostImport imp;
	Wasmd__HostImport *list[1];
	Wasmd__FuncType type;
	Wasmd__ValType params[1], results[1];
} host_decl;

static void
declare_double(invoke_req *r, host_decl *h, size_t nparams)
{
	static const Wasmd__HostImport imp = WASMD__HOST_IMPORT__INIT;
	static const Wasmd__FuncType type = WASMD__FUNC_TYPE__INIT;

	h->imp = imp;
	h->type = type;
	h->params[0] = h->results[0] = WASMD__VAL_TYPE__VAL_I32;
	h->type.params = h->params;
	h->type.n_params = nparams;
	h->type.results = h->results;
	h->type.n_results = 1;
	h->imp.module = (char *)"env";
	h->imp.name = (char *)"double";
	h->imp.type = &h->type;
	h->list[0] = &h->imp;
	r->inv.host_imports = h->list;
	r->inv.n_host_imports = 1;
}

/* Invokes f(7) and reads the host call, which must ask double(7). */
static void
invoke_host_f(worker *w, invoke_req *r, host_decl *h)
{
	static Wasmd__Value seven;
	static Wasmd__Value *args[1];
	Wasmd__Envelope *env;
	Wasmd__HostCall *hc;

	seven = i32_value(7);
	args[0] = &seven;
	invoke_init(r, host_wasm, sizeof host_wasm, "f");
	r->inv.args = args;
	r->inv.n_args = 1;
	declare_double(r, h, 1);
	send_env(w, &r->env);
	env = recv_env(w);
	ck_assert_int_eq(env->msg_case, WASMD__ENVELOPE__MSG_HOST_CALL);
	hc = env->host_call;
	ck_assert_uint_eq(hc->import_index, 0);
	ck_assert_str_eq(hc->module, "env");
	ck_assert_str_eq(hc->name, "double");
	ck_assert_uint_eq(hc->n_args, 1);
	ck_assert_uint_eq(hc->args[0]->bits, 7);
	wasmd__envelope__free_unpacked(env, NULL);
}

static void
send_host_reply(worker *w, Wasmd__Value **results, size_t n, const char *err)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__HostReply reply = WASMD__HOST_REPLY__INIT;

	reply.results = results;
	reply.n_results = n;
	if (err != NULL)
		reply.error = (char *)err;
	env.msg_case = WASMD__ENVELOPE__MSG_HOST_REPLY;
	env.host_reply = &reply;
	send_env(w, &env);
}

START_TEST(test_invoke_host_call_round_trip)
{
	worker w = start_worker();
	invoke_req r;
	host_decl h;
	Wasmd__Value v = i32_value(14);
	Wasmd__Value *res[] = {&v};
	Wasmd__Envelope *env;

	invoke_host_f(&w, &r, &h);
	send_host_reply(&w, res, 1, NULL);
	env = recv_env(&w);
	ck_assert_int_eq(env->msg_case, WASMD__ENVELOPE__MSG_INVOKE_RESULT);
	ck_assert_ptr_null(env->invoke_result->trap);
	ck_assert_uint_eq(env->invoke_result->n_results, 1);
	ck_assert_uint_eq(env->invoke_result->results[0]->bits, 15);
	wasmd__envelope__free_unpacked(env, NULL);
	assert_exit_status(finish(&w), 0);
}
END_TEST

START_TEST(test_invoke_host_error_traps)
{
	worker w = start_worker();
	invoke_req r;
	host_decl h;
	Wasmd__Envelope *env;

	invoke_host_f(&w, &r, &h);
	send_host_reply(&w, NULL, 0, "no doubling today");
	env = recv_env(&w);
	ck_assert_int_eq(env->msg_case, WASMD__ENVELOPE__MSG_INVOKE_RESULT);
	ck_assert_ptr_nonnull(env->invoke_result->trap);
	ck_assert_int_eq(
	    env->invoke_result->trap->kind, WASMD__TRAP_KIND__TRAP_HOST);
	ck_assert_ptr_nonnull(
	    strstr(env->invoke_result->trap->message, "no doubling today"));
	wasmd__envelope__free_unpacked(env, NULL);
	assert_exit_status(finish(&w), 0);
}
END_TEST

START_TEST(test_invoke_host_reply_wrong_type_traps)
{
	worker w = start_worker();
	invoke_req r;
	host_decl h;
	Wasmd__Value v = i32_value(14);
	Wasmd__Value *res[] = {&v};
	Wasmd__Envelope *env;

	v.type = WASMD__VAL_TYPE__VAL_F64;
	invoke_host_f(&w, &r, &h);
	send_host_reply(&w, res, 1, NULL);
	env = recv_env(&w);
	ck_assert_int_eq(env->msg_case, WASMD__ENVELOPE__MSG_INVOKE_RESULT);
	ck_assert_ptr_nonnull(env->invoke_result->trap);
	ck_assert_int_eq(
	    env->invoke_result->trap->kind, WASMD__TRAP_KIND__TRAP_HOST);
	wasmd__envelope__free_unpacked(env, NULL);
	assert_exit_status(finish(&w), 0);
}
END_TEST

/* Runs trap_wasm's export and returns the trap kind it reported. */
static Wasmd__TrapKind
invoke_trap(const char *export, uint64_t fuel)
{
	worker w = start_worker();
	invoke_req r;
	Wasmd__Envelope *env;
	Wasmd__TrapKind kind;

	invoke_init(&r, trap_wasm, sizeof trap_wasm, export);
	r.limits.fuel = fuel;
	send_env(&w, &r.env);
	env = recv_env(&w);
	ck_assert_int_eq(env->msg_case, WASMD__ENVELOPE__MSG_INVOKE_RESULT);
	ck_assert_ptr_nonnull(env->invoke_result->trap);
	ck_assert_uint_eq(env->invoke_result->n_results, 0);
	kind = env->invoke_result->trap->kind;
	wasmd__envelope__free_unpacked(env, NULL);
	assert_exit_status(finish(&w), 0);
	return kind;
}

START_TEST(test_invoke_trap)
{
	ck_assert_int_eq(
	    invoke_trap("boom", 0), WASMD__TRAP_KIND__TRAP_UNREACHABLE);
}
END_TEST

START_TEST(test_invoke_out_of_fuel)
{
	ck_assert_int_eq(
	    invoke_trap("spin", 10000), WASMD__TRAP_KIND__TRAP_OUT_OF_FUEL);
}
END_TEST

START_TEST(test_invoke_missing_export)
{
	worker w = start_worker();
	invoke_req r;

	invoke_init(&r, add_wasm, sizeof add_wasm, "sub");
	send_env(&w, &r.env);
	expect_error(&w, WASMD__ERROR_CODE__ERR_MISSING_EXPORT, "sub");
	assert_exit_status(finish(&w), 0);
}
END_TEST

START_TEST(test_invoke_export_not_a_function)
{
	worker w = start_worker();
	invoke_req r;

	invoke_init(&r, add_wasm, sizeof add_wasm, "mem");
	send_env(&w, &r.env);
	expect_error(&w, WASMD__ERROR_CODE__ERR_MISSING_EXPORT, "memory");
	assert_exit_status(finish(&w), 0);
}
END_TEST

START_TEST(test_invoke_bad_arity)
{
	worker w = start_worker();
	invoke_req r;
	Wasmd__Value a = i32_value(2);
	Wasmd__Value *args[] = {&a};

	invoke_init(&r, add_wasm, sizeof add_wasm, "add");
	r.inv.args = args;
	r.inv.n_args = 1;
	send_env(&w, &r.env);
	expect_error(&w, WASMD__ERROR_CODE__ERR_BAD_ARGUMENTS, "expected 2");
	assert_exit_status(finish(&w), 0);
}
END_TEST

START_TEST(test_invoke_bad_type)
{
	worker w = start_worker();
	invoke_req r;
	Wasmd__Value a = i32_value(2), b = i32_value(3);
	Wasmd__Value *args[] = {&a, &b};

	b.type = WASMD__VAL_TYPE__VAL_I64;
	invoke_init(&r, add_wasm, sizeof add_wasm, "add");
	r.inv.args = args;
	r.inv.n_args = 2;
	send_env(&w, &r.env);
	expect_error(&w, WASMD__ERROR_CODE__ERR_BAD_ARGUMENTS, "argument 1");
	assert_exit_status(finish(&w), 0);
}
END_TEST

START_TEST(test_invoke_unknown_import)
{
	worker w = start_worker();
	invoke_req r;
	Wasmd__Value a = i32_value(2);
	Wasmd__Value *args[] = {&a};

	invoke_init(&r, host_wasm, sizeof host_wasm, "f");
	r.inv.args = args;
	r.inv.n_args = 1;
	send_env(&w, &r.env);
	expect_error(&w, WASMD__ERROR_CODE__ERR_LINK, "env.double");
	assert_exit_status(finish(&w), 0);
}
END_TEST

START_TEST(test_invoke_import_type_mismatch)
{
	worker w = start_worker();
	invoke_req r;
	host_decl h;
	Wasmd__Value a = i32_value(2);
	Wasmd__Value *args[] = {&a};

	invoke_init(&r, host_wasm, sizeof host_wasm, "f");
	r.inv.args = args;
	r.inv.n_args = 1;
	declare_double(&r, &h, 0); /* () -> (i32): not what the module wants */
	send_env(&w, &r.env);
	expect_error(&w, WASMD__ERROR_CODE__ERR_LINK, "env.double");
	assert_exit_status(finish(&w), 0);
}
END_TEST

START_TEST(test_invoke_memory_over_limit)
{
	worker w = start_worker();
	invoke_req r;

	invoke_init(&r, bigmem_wasm, sizeof bigmem_wasm, "nop");
	r.limits.max_memory_bytes = 65536; /* the module wants 20 pages */
	send_env(&w, &r.env);
	expect_error(&w, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY, NULL);
	assert_exit_status(finish(&w), 0);
}
END_TEST

/*
 * The test hook: with WASMD_TEST_HOOKS the import exists and its forbidden
 * system call kills the worker with SIGSYS; without it, it is unknown.
 */
START_TEST(test_forbidden_syscall_hook)
{
	worker w = start_worker();
	invoke_req r;
	int status;

	invoke_init(&r, hook_wasm, sizeof hook_wasm, "go");
	send_env(&w, &r.env);
#if defined(WASMD_TEST_HOOKS) && WASMD_TEST_HOOKS
	if (g_unconfined) {
		/* No sandbox: the call works and the hook traps, saying so. */
		Wasmd__Envelope *env = recv_env(&w);

		ck_assert_int_eq(
		    env->msg_case, WASMD__ENVELOPE__MSG_INVOKE_RESULT);
		ck_assert_ptr_nonnull(env->invoke_result->trap);
		ck_assert_ptr_nonnull(strstr(env->invoke_result->trap->message,
		    "sandbox is not active"));
		wasmd__envelope__free_unpacked(env, NULL);
		assert_exit_status(finish(&w), 0);
		return;
	}
	status = finish(&w);
	ck_assert_msg(WIFSIGNALED(status), "the worker survived the hook");
	ck_assert_int_eq(WTERMSIG(status), SIGSYS);
#else
	expect_error(&w, WASMD__ERROR_CODE__ERR_LINK, "forbidden_syscall");
	status = finish(&w);
	assert_exit_status(status, 0);
#endif
}
END_TEST

static Suite *
serve_suite(const char *name)
{
	Suite *s = suite_create(name);
	TCase *life = tcase_create("lifecycle");
	TCase *push = tcase_create("push");
	TCase *inv = tcase_create("invoke");

	tcase_add_test(life, test_hello_then_close_exits_quietly);
	tcase_add_test(life, test_malformed_frame_exits_nonzero);
	tcase_add_test(life, test_unexpected_message_is_bad_request);
	tcase_add_test(life, test_request_over_memory_limit);
	tcase_add_test(push, test_push_describes_module);
	tcase_add_test(push, test_push_lists_imports);
	tcase_add_test(push, test_push_invalid_module);
	tcase_add_test(inv, test_invoke_add);
	tcase_add_test(inv, test_invoke_host_call_round_trip);
	tcase_add_test(inv, test_invoke_host_error_traps);
	tcase_add_test(inv, test_invoke_host_reply_wrong_type_traps);
	tcase_add_test(inv, test_invoke_trap);
	tcase_add_test(inv, test_invoke_out_of_fuel);
	tcase_add_test(inv, test_invoke_missing_export);
	tcase_add_test(inv, test_invoke_export_not_a_function);
	tcase_add_test(inv, test_invoke_bad_arity);
	tcase_add_test(inv, test_invoke_bad_type);
	tcase_add_test(inv, test_invoke_unknown_import);
	tcase_add_test(inv, test_invoke_import_type_mismatch);
	tcase_add_test(inv, test_invoke_memory_over_limit);
	tcase_add_test(inv, test_forbidden_syscall_hook);
	suite_add_tcase(s, life);
	suite_add_tcase(s, push);
	suite_add_tcase(s, inv);
	return s;
}

/* Runs the suite against one kind of worker; returns the failures. */
static int
run_suite(const char *name, bool unconfined)
{
	SRunner *sr = srunner_create(serve_suite(name));
	int failed;

	g_unconfined = unconfined;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}

int
main(void)
{
	int failed;

	/* A worker dying of SIGPIPE must not take the test with it. */
	signal(SIGPIPE, SIG_IGN);
	failed = run_suite("worker_serve (wasmd-worker, confined)", false);
	failed += run_suite("worker_serve (job code, unconfined)", true);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
