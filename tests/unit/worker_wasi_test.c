/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker_wasi_test.c: WASI in the worker's `serve` mode (worker/wasi_job.c)
 * over a socketpair, without the supervisor: stdout and stderr come back
 * as Output frames with the job's id, in order and before the result;
 * stdin comes from the Invoke; argv and env reach the guest; proc_exit and
 * a command's return are exit codes, not traps; tty_fds makes fds
 * terminals to the guest; the output limit stops a guest that writes
 * without end. Each test runs against the real confined wasmd-worker (its
 * seccomp policy must allow what WASI needs) and against the job code
 * unconfined, so LeakSanitizer checks it.
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
#include "serve.h"

#define JOB_ID 91

static bool g_unconfined;
static uint8_t *g_wasm; /* own: wasi.wasm, read once by main() */
static size_t g_wasm_len;

typedef struct worker {
	pid_t pid;
	int sock;
} worker;

/* What came back: the output per fd, the frames, and the last envelope. */
typedef struct outcome {
	char out[2][4096]; /* [0]: stdout, [1]: stderr, NUL-terminated */
	size_t len[2];
	size_t frames;
	char first[64];        /* the first frame's data */
	Wasmd__Envelope *last; /* own: the envelope that was not Output */
} outcome;

static void
exec_worker(int theirs)
{
	int tmp = fcntl(theirs, F_DUPFD, 10);

	if (tmp < 0 || dup2(tmp, 3) != 3)
		_exit(120);
	close(tmp);
	execl(WORKER_PATH, "wasmd-worker", "serve", "--fd", "3",
	    "--memory-limit", "67108864", (char *)NULL);
	_exit(121);
}

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
	setsockopt(w.sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	ck_assert_msg(wp_read_envelope(w.sock, WP_FRAME_MAX_DEFAULT, &env, err,
	                  sizeof err) == 0,
	    "no hello: %s", err);
	ck_assert_int_eq(env->msg_case, WASMD__ENVELOPE__MSG_HELLO);
	wasmd__envelope__free_unpacked(env, NULL);
	return w;
}

/* Closes our end; the worker must exit 0 (not die of SIGSYS). */
static void
finish(worker *w)
{
	int status;

	close(w->sock);
	ck_assert_int_eq(waitpid(w->pid, &status, 0), w->pid);
	ck_assert_msg(WIFEXITED(status), "worker killed by signal %d",
	    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}

/* An invoke of export as a WASI command; the caller adds the rest. */
typedef struct invoke_req {
	Wasmd__Envelope env;
	Wasmd__Invoke inv;
	Wasmd__InvokeLimits limits;
} invoke_req;

static void
invoke_init(invoke_req *r, const char *export)
{
	static const Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	static const Wasmd__Invoke inv = WASMD__INVOKE__INIT;
	static const Wasmd__InvokeLimits limits = WASMD__INVOKE_LIMITS__INIT;

	r->env = env;
	r->inv = inv;
	r->limits = limits;
	r->inv.wasm.data = g_wasm;
	r->inv.wasm.len = g_wasm_len;
	r->inv.export = (char *)export;
	r->inv.limits = &r->limits;
	r->inv.command = true;
	r->env.msg_case = WASMD__ENVELOPE__MSG_INVOKE;
	r->env.invoke = &r->inv;
	r->env.id = JOB_ID;
}

/* Sends r and reads Output frames until another envelope arrives. */
static void
run(invoke_req *r, outcome *o)
{
	worker w = start_worker();
	Wasmd__Envelope *env = NULL;
	char err[256];

	memset(o, 0, sizeof *o);
	ck_assert_msg(wp_write_envelope(w.sock, &r->env, err, sizeof err) == 0,
	    "send: %s", err);
	for (;;) {
		const Wasmd__Output *out;
		size_t i;

		ck_assert_msg(wp_read_envelope(w.sock, WP_FRAME_MAX_DEFAULT,
		                  &env, err, sizeof err) == 0,
		    "receive: %s", err);
		ck_assert_uint_eq(env->id, JOB_ID);
		if (env->msg_case != WASMD__ENVELOPE__MSG_OUTPUT)
			break;
		out = env->output;
		ck_assert(out->fd == 1 || out->fd == 2);
		i = out->fd - 1;
		ck_assert(o->len[i] + out->data.len < sizeof o->out[i]);
		memcpy(o->out[i] + o->len[i], out->data.data, out->data.len);
		o->len[i] += out->data.len;
		if (o->frames++ == 0)
			snprintf(o->first, sizeof o->first, "%.*s",
			    (int)out->data.len, (const char *)out->data.data);
		wasmd__envelope__free_unpacked(env, NULL);
	}
	o->last = env;
	finish(&w);
}

/* The result of a call that ended with exit code code. */
static void
assert_exit_code(const outcome *o, uint32_t code)
{
	const Wasmd__InvokeResult *ir;

	ck_assert_int_eq(o->last->msg_case, WASMD__ENVELOPE__MSG_INVOKE_RESULT);
	ir = o->last->invoke_result;
	ck_assert_msg(
	    ir->trap == NULL, "trapped: %s", ir->trap ? ir->trap->message : "");
	ck_assert(ir->has_exit_code);
	ck_assert_uint_eq(ir->exit_code, code);
}

START_TEST(test_stdio_streamed_and_proc_exit)
{
	invoke_req r;
	outcome o;

	invoke_init(&r, "_start");
	r.inv.stdin.data = (uint8_t *)"from stdin";
	r.inv.stdin.len = 10;
	run(&r, &o);
	/* The line went out at its newline, on its own, before the rest. */
	ck_assert_str_eq(o.first, "line one\n");
	ck_assert_str_eq(o.out[0], "line one\nfrom stdin");
	ck_assert_str_eq(o.out[1], "partial");
	ck_assert_uint_ge(o.frames, 3);
	assert_exit_code(&o, 7);
	wasmd__envelope__free_unpacked(o.last, NULL);
}
END_TEST

START_TEST(test_command_return_is_exit_code_0)
{
	invoke_req r;
	outcome o;

	invoke_init(&r, "ret");
	run(&r, &o);
	ck_assert_str_eq(o.out[0], "x\n");
	assert_exit_code(&o, 0);
	wasmd__envelope__free_unpacked(o.last, NULL);
	/* Not a command: a plain call, no exit code. */
	invoke_init(&r, "ret");
	r.inv.command = false;
	run(&r, &o);
	ck_assert_int_eq(o.last->msg_case, WASMD__ENVELOPE__MSG_INVOKE_RESULT);
	ck_assert(!o.last->invoke_result->has_exit_code);
	ck_assert_ptr_null(o.last->invoke_result->trap);
	wasmd__envelope__free_unpacked(o.last, NULL);
}
END_TEST

START_TEST(test_argv_and_env_reach_the_guest)
{
	char *argv[] = {"prog", "a", "b"};
	char *env[] = {"K=V", "L=W", "no-equals-sign"};
	invoke_req r;
	outcome o;

	invoke_init(&r, "argc");
	r.inv.argv = argv;
	r.inv.n_argv = 3;
	r.inv.env = env;
	r.inv.n_env = 3;
	run(&r, &o);
	/* argc 3 + 10 * 2 variables (the entry without '=' is dropped). */
	assert_exit_code(&o, 23);
	wasmd__envelope__free_unpacked(o.last, NULL);
}
END_TEST

START_TEST(test_tty_fds_are_terminals_to_the_guest)
{
	invoke_req r;
	outcome o;

	invoke_init(&r, "ttys");
	r.inv.tty_fds = 5; /* stdin and stderr */
	run(&r, &o);
	assert_exit_code(&o, 5);
	wasmd__envelope__free_unpacked(o.last, NULL);
	invoke_init(&r, "ttys");
	run(&r, &o);
	assert_exit_code(&o, 0);
	wasmd__envelope__free_unpacked(o.last, NULL);
}
END_TEST

START_TEST(test_output_limit_stops_the_guest)
{
	const Wasmd__Trap *trap;
	invoke_req r;
	outcome o;

	invoke_init(&r, "spew");
	r.limits.max_output_bytes = 25;
	run(&r, &o);
	ck_assert_uint_eq(o.len[0], 25);
	ck_assert_str_eq(o.out[0], "0123456789012345678901234");
	ck_assert_int_eq(o.last->msg_case, WASMD__ENVELOPE__MSG_INVOKE_RESULT);
	trap = o.last->invoke_result->trap;
	ck_assert_ptr_nonnull(trap);
	ck_assert_msg(
	    strstr(trap->message, "output limit of 25 bytes exceeded"), "%s",
	    trap->message);
	ck_assert(!o.last->invoke_result->has_exit_code);
	wasmd__envelope__free_unpacked(o.last, NULL);
}
END_TEST

static Suite *
wasi_suite(const char *name)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create("wasi");

	tcase_add_test(tc, test_stdio_streamed_and_proc_exit);
	tcase_add_test(tc, test_command_return_is_exit_code_0);
	tcase_add_test(tc, test_argv_and_env_reach_the_guest);
	tcase_add_test(tc, test_tty_fds_are_terminals_to_the_guest);
	tcase_add_test(tc, test_output_limit_stops_the_guest);
	suite_add_tcase(s, tc);
	return s;
}

static int
run_suite(const char *name, bool unconfined)
{
	SRunner *sr = srunner_create(wasi_suite(name));
	int failed;

	g_unconfined = unconfined;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}

static void
read_fixture(void)
{
	FILE *f = fopen(WASI_WASM, "rb");

	g_wasm = malloc(1 << 16);
	if (f == NULL || g_wasm == NULL) {
		perror(WASI_WASM);
		exit(EXIT_FAILURE);
	}
	g_wasm_len = fread(g_wasm, 1, 1 << 16, f);
	fclose(f);
}

int
main(void)
{
	int failed;

	signal(SIGPIPE, SIG_IGN);
	read_fixture();
	failed = run_suite("worker_wasi (wasmd-worker, confined)", false);
	failed += run_suite("worker_wasi (job code, unconfined)", true);
	free(g_wasm);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
