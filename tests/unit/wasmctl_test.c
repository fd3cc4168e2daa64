/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmctl_test.c: unit tests of the wasmctl program against the fake
 * daemon (client_fake.c): output of each verb, the arguments and limits it
 * sends, and its exit statuses (0, 1, 2, 127, 134).
 */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client_fake.h"

#define OUT_MAX 8192

struct ctl_run {
	const char *stdin_path; /* the child's standard input, or NULL */
	const char *cwd;        /* the child's directory, or NULL */
	int status;             /* exit status, or 128+signal */
	char out[OUT_MAX];
	char err[OUT_MAX];
};

static void
read_all(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < len && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd);
}

/*
 * Runs wasmctl with the NULL-terminated arguments (after argv[0]), with
 * WASMD_HOST set to host (or unset when NULL), and collects its output.
 */
static void
run_ctl(struct ctl_run *r, const char *host, ...)
{
	const char *argv[32] = {"wasmctl"};
	int out[2], err[2], st, n = 1;
	va_list ap;
	pid_t pid;

	va_start(ap, host);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(err), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (r->stdin_path != NULL) {
			int in = open(r->stdin_path, O_RDONLY);

			if (in < 0 || dup2(in, 0) < 0)
				_exit(98);
		}
		if (r->cwd != NULL && chdir(r->cwd) != 0)
			_exit(97);
		if (host != NULL)
			setenv("WASMD_HOST", host, 1);
		else
			unsetenv("WASMD_HOST");
		execv(WASMCTL_PATH, (char *const *)argv);
		_exit(99);
	}
	close(out[1]);
	close(err[1]);
	read_all(out[0], r->out, sizeof r->out);
	read_all(err[0], r->err, sizeof r->err);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Writes a small file to run or push. own: the path (static buffer). */
static const char *
write_module(const char *dir)
{
	static char path[128];
	static const unsigned char wasm[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0};
	int fd;

	snprintf(path, sizeof path, "%s/m.wasm", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, wasm, sizeof wasm), (ssize_t)sizeof wasm);
	close(fd);
	return path;
}

START_TEST(test_help_and_usage)
{
	struct ctl_run r = {0};

	run_ctl(&r, NULL, "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "push [--name NAME] [--init NAME"));
	ck_assert_ptr_nonnull(strstr(r.out, "untag NAME..."));
	run_ctl(&r, NULL, "run", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: wasmctl run "));
	ck_assert_ptr_nonnull(strstr(r.out, "max-memory-size"));
	ck_assert_ptr_nonnull(strstr(r.out, "--keep"));
	ck_assert_ptr_nonnull(strstr(r.out, "print_str"));
	run_ctl(&r, NULL, NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "usage: wasmctl"));
	run_ctl(&r, NULL, "frobnicate", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "unknown verb 'frobnicate'"));
	run_ctl(&r, NULL, "run", "-W", "speed=9", "x", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "bad -W item 'speed=9'"));
	run_ctl(&r, NULL, "run", "-W", "timeout=5parsecs", "x", NULL);
	ck_assert_int_eq(r.status, 2);
	run_ctl(&r, NULL, "inspect", NULL);
	ck_assert_int_eq(r.status, 2);
}
END_TEST

/* The lines of text. */
static int
count_lines(const char *text)
{
	int n = 0;

	for (const char *p = text; *p != '\0'; p++)
		n += *p == '\n';
	return n;
}

/* A usage error says what was wrong and the verb's usage line, not the
 * whole help; every verb has its own --help. */
START_TEST(test_usage_is_short)
{
	static const char *const verbs[] = {"push", "ls", "inspect", "rm",
	    "untag", "prune", "run", "info", "stats", "completion"};
	struct ctl_run r = {0};
	char want[64];

	run_ctl(&r, NULL, "rm", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err,
	    "wasmctl: rm takes one or more REFs\n"
	    "usage: wasmctl rm [--all-names] REF...\n"
	    "Try 'wasmctl rm --help'.\n");
	run_ctl(&r, NULL, "push", "--frob", "x", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_int_le(count_lines(r.err), 3);
	ck_assert_ptr_nonnull(strstr(r.err, "--frob: unknown option"));
	run_ctl(&r, NULL, "frobnicate", NULL);
	ck_assert_int_le(count_lines(r.err), 3);
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		run_ctl(&r, NULL, verbs[i], "--help", NULL);
		ck_assert_msg(r.status == 0, "%s --help: %s", verbs[i], r.err);
		snprintf(want, sizeof want, "usage: wasmctl %s", verbs[i]);
		ck_assert_msg(strncmp(r.out, want, strlen(want)) == 0,
		    "%s --help: %s", verbs[i], r.out);
	}
	/* Aliases are the verbs. */
	run_ctl(&r, NULL, "list", "--help", NULL);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: wasmctl ls"));
}
END_TEST

/* `wasmctl completion bash` completes verbs and each verb's options. */
START_TEST(test_completion)
{
	struct ctl_run r = {0};
	char script[] = "/tmp/wasmctl-completion-XXXXXX", cmd[512];
	FILE *out;
	int fd;

	run_ctl(&r, NULL, "completion", "bash", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	fd = mkstemp(script);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(
	    write(fd, r.out, strlen(r.out)), (ssize_t)strlen(r.out));
	close(fd);
	snprintf(cmd, sizeof cmd,
	    "bash -c 'source %s; COMP_WORDS=(wasmctl r); COMP_CWORD=1; "
	    "_wasmctl; echo \"${COMPREPLY[*]}\"; "
	    "COMP_WORDS=(wasmctl run --k); COMP_CWORD=2; _wasmctl; "
	    "echo \"${COMPREPLY[*]}\"'",
	    script);
	out = popen(cmd, "r");
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(fgets(cmd, sizeof cmd, out));
	ck_assert_str_eq(cmd, "rm run\n");
	ck_assert_ptr_nonnull(fgets(cmd, sizeof cmd, out));
	ck_assert_str_eq(cmd, "--keep\n");
	ck_assert_int_eq(pclose(out), 0);
	unlink(script);
	run_ctl(&r, NULL, "completion", "zsh", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "bashcompinit"));
	run_ctl(&r, NULL, "completion", "fish", NULL);
	ck_assert_int_eq(r.status, 2);
}
END_TEST

START_TEST(test_no_daemon)
{
	struct ctl_run r = {0};

	run_ctl(&r, NULL, "-H", "/nonexistent/wasmd.sock", "ls", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "error: cannot connect"));
	ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/wasmd.sock"));
	/* -H may also follow the verb. */
	run_ctl(
	    &r, NULL, "inspect", "x", "-H", "/nonexistent/other.sock", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/other.sock"));
}
END_TEST

START_TEST(test_push_ls_inspect_rm)
{
	struct fake f;
	struct ctl_run r = {0};
	json_t *j;

	fake_start(&f, FAKE_NORMAL, 7);
	run_ctl(&r, NULL, "-H", f.path, "push", write_module(f.dir), "--name",
	    "demo", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, FAKE_DIGEST "\n");
	ck_assert_str_eq(f.pushed_name, "demo");

	/* "-" reads the module from standard input. */
	r.stdin_path = write_module(f.dir);
	run_ctl(&r, f.path, "push", "-", NULL);
	r.stdin_path = NULL;
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, FAKE_DIGEST "\n");
	ck_assert_uint_eq(f.pushed_len, 9);
	ck_assert_str_eq(f.pushed_name, "");

	/* The address may come from the environment too. */
	run_ctl(&r, f.path, "ls", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "DIGEST"));
	ck_assert_ptr_nonnull(strstr(r.out, "CREATED"));
	/* TZ is UTC (main()); a module without a time shows "-". */
	ck_assert_ptr_nonnull(strstr(r.out, "\naa  "));
	ck_assert_ptr_nonnull(strstr(r.out, "10  2023-11-14 22:13:20  -\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "20  -                    -\n"));

	run_ctl(&r, f.path, "--json", "ls", NULL);
	ck_assert_int_eq(r.status, 0);
	j = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(json_array_size(j), 2);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_array_get(j, 1), "size")),
	    20);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(j, 0), "created")),
	    "2023-11-14T22:13:20Z");
	ck_assert_int_eq(json_integer_value(json_object_get(
	                     json_array_get(j, 0), "created_unix")),
	    1700000000);
	json_decref(j);

	run_ctl(&r, f.path, "inspect", "demo", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "env.mem  (memory 1 2)"));
	ck_assert_ptr_nonnull(
	    strstr(r.out, "add  (func (param i32 i32) (result i32))"));
	ck_assert_ptr_nonnull(strstr(r.out, "g  (global (mut f64))"));

	run_ctl(&r, f.path, "inspect", "missing", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "error: no module matches 'missing'\n");

	run_ctl(&r, f.path, "info", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "server   fake-wasmd\ntenant   alice\n");
	unlink(write_module(f.dir));
	fake_stop(&f);
	ck_assert_uint_eq(f.pushed_len, 9);
}
END_TEST

/* rm of a name sends REMOVE_REF and says what went; --all-names and untag
 * send their scopes; the daemon decides (see daemon_remove.sh). */
START_TEST(test_rm_untag)
{
	struct fake f;
	struct ctl_run r = {0};
	json_t *j;

	fake_start(&f, FAKE_NORMAL, 6);
	/* "two" has another name: only "two" goes. */
	run_ctl(&r, f.path, "rm", "two", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "untagged two\n");
	ck_assert_str_eq(f.removed_ref, "two");
	ck_assert_int_eq(f.remove_scope, 0);
	/* "demo" is the module's last name: the module goes with it. */
	run_ctl(&r, f.path, "rm", "demo", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "untagged demo\nremoved " FAKE_DIGEST "\n");
	run_ctl(&r, f.path, "rm", "--all-names", "two", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(
	    r.out, "untagged two\nuntagged alias\nremoved " FAKE_DIGEST "\n");
	ck_assert_int_eq(f.remove_scope, 2);
	run_ctl(&r, f.path, "untag", "two", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "untagged two\n");
	ck_assert_int_eq(f.remove_scope, 1);
	run_ctl(&r, f.path, "--json", "rm", "two", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	j = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(
	                     json_array_get(json_object_get(j, "untagged"), 0)),
	    "two");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "removed")), 0);
	json_decref(j);
	run_ctl(&r, f.path, "rm", "missing", NULL);
	ck_assert_int_eq(r.status, 1);
	fake_stop(&f);
	ck_assert_int_eq(f.nremoves, 5);
}
END_TEST

/* Under --json an error is a JSON object on stdout, usage errors too. */
START_TEST(test_json_errors)
{
	struct fake f;
	struct ctl_run r = {0};
	json_t *j, *e;

	fake_start(&f, FAKE_NORMAL, 2);
	run_ctl(&r, f.path, "--json", "inspect", "missing", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "");
	j = json_loads(r.out, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON: %s", r.out);
	e = json_object_get(j, "error");
	ck_assert_str_eq(json_string_value(json_object_get(e, "message")),
	    "no module matches 'missing'");
	ck_assert_int_eq(
	    json_integer_value(json_object_get(e, "exit_status")), 1);
	json_decref(j);
	/* --json after the verb; an argument error of run. */
	run_ctl(
	    &r, f.path, "run", "--json", "--invoke", "add", "demo", "1", NULL);
	ck_assert_int_eq(r.status, 2);
	j = json_loads(r.out, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON: %s", r.out);
	ck_assert_ptr_nonnull(
	    strstr(json_string_value(
	               json_object_get(json_object_get(j, "error"), "message")),
	        "add expects 2 arguments (i32 i32), got 1"));
	json_decref(j);
	fake_stop(&f);
	run_ctl(&r, NULL, "--json", "rm", NULL);
	ck_assert_int_eq(r.status, 2);
	j = json_loads(r.out, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON: %s", r.out);
	json_decref(j);
}
END_TEST

/* A FILE given to run is removed after the run unless --keep, and only a
 * module the push added; REF is a file only with a / or .wasm/.wat. */
START_TEST(test_run_file_rules)
{
	struct fake f;
	struct ctl_run r = {0};
	char calc[128];
	int fd;

	fake_start(&f, FAKE_NORMAL, 5);
	run_ctl(&r, f.path, "run", "--invoke", "add", write_module(f.dir), "1",
	    "2", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_int_eq(f.nremoves, 1);
	ck_assert_str_eq(f.removed_ref, FAKE_DIGEST);
	run_ctl(&r, f.path, "run", "--keep", "--invoke", "add",
	    write_module(f.dir), "1", "2", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_int_eq(f.nremoves, 1);

	/* A file named like a stored module does not shadow it. */
	snprintf(calc, sizeof calc, "%s/demo", f.dir);
	fd = open(calc, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	r.cwd = f.dir;
	f.pushed_len = 0;
	run_ctl(&r, f.path, "run", "--invoke", "add", "demo", "1", "2", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_uint_eq(f.pushed_len, 0);
	ck_assert_str_eq(f.invoke_ref, FAKE_DIGEST);
	unlink(calc);
	snprintf(calc, sizeof calc, "%s/missing", f.dir);
	fd = open(calc, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	run_ctl(&r, f.path, "run", "missing", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "write ./missing"));
	unlink(calc);
	/* demo.wat (no "/") is a file by its suffix: converted, pushed. */
	snprintf(calc, sizeof calc, "%s/demo.wat", f.dir);
	fd = open(calc, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_eq(write(fd, "(module)", 8), 8);
	close(fd);
	f.pushed_len = 0;
	run_ctl(
	    &r, f.path, "run", "--invoke", "add", "demo.wat", "1", "2", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_uint_eq(f.pushed_len, 8);
	unlink(calc);
	r.cwd = NULL;
	unlink(write_module(f.dir));
	fake_stop(&f);
}
END_TEST

/* Hints: options after REF, out of fuel, an import wasmctl cannot serve. */
START_TEST(test_run_hints)
{
	struct fake f;
	struct ctl_run r = {0};

	fake_start(&f, FAKE_NORMAL, 4);
	run_ctl(
	    &r, f.path, "run", "--invoke", "add", "demo", "-W", "fuel=9", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err,
	    "wasmctl: note: -W after demo goes to the guest; wasmctl's options "
	    "go before REF"));
	run_ctl(&r, f.path, "run", "--invoke", "add", "demo", "--", "-W", "1",
	    NULL);
	ck_assert_ptr_null(strstr(r.err, "note:"));
	run_ctl(&r, f.path, "run", "--invoke", "add", "demo", "990", "9", NULL);
	ck_assert_int_eq(r.status, 134);
	ck_assert_ptr_nonnull(strstr(r.err,
	    "error: out of fuel after 1000 units of fuel (give more with -W "
	    "fuel=N"));
	run_ctl(&r, f.path, "run", "--invoke", "add", "demo", "400", "4", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err,
	    "unknown import env.nosuch (wasmctl run serves only WASI imports "
	    "and the wasmd.* built-ins"));
	fake_stop(&f);
}
END_TEST

START_TEST(test_run_results_and_limits)
{
	struct fake f;
	struct ctl_run r = {0};

	fake_start(&f, FAKE_NORMAL, 2);
	run_ctl(&r, f.path, "run", "--invoke", "add", "-W",
	    "fuel=1000,max-memory-size=1M", "-W", "timeout=500ms", "demo", "--",
	    "40", "-2", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "38\n");
	ck_assert_str_eq(f.invoke_ref, FAKE_DIGEST);
	ck_assert_str_eq(f.invoke_export, "add");
	ck_assert_int_eq(f.invoke_nargs, 2);
	ck_assert_uint_eq(f.limits.fuel, 1000);
	ck_assert_uint_eq(f.limits.max_memory_bytes, 1 << 20);
	ck_assert_uint_eq(f.limits.timeout_ms, 500);

	/* A FILE is pushed first, then run by its digest. */
	run_ctl(&r, f.path, "run", "--invoke", "add", "-W", "timeout=1m",
	    write_module(f.dir), "1", "0x10", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "17\n");
	unlink(write_module(f.dir));
	fake_stop(&f);
	ck_assert_uint_eq(f.pushed_len, 9);
	ck_assert_str_eq(f.invoke_ref, FAKE_DIGEST);
	ck_assert_uint_eq(f.limits.timeout_ms, 60000);
	ck_assert_str_eq(f.host_reply_error, "no host function registered");
}
END_TEST

START_TEST(test_run_failures)
{
	struct fake f;
	struct ctl_run r = {0};

	fake_start(&f, FAKE_NORMAL, 5);
	run_ctl(&r, f.path, "run", "--invoke", "boom", "demo", NULL);
	ck_assert_int_eq(r.status, 134);
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err,
	    "error: unreachable executed\n"
	    "  at boom (func 3, offset 0x10)\n");

	/* No _start export: the default fails as a missing export. */
	run_ctl(&r, f.path, "run", "demo", NULL);
	ck_assert_int_eq(r.status, 127);
	ck_assert_ptr_nonnull(strstr(r.err, "'_start'"));
	run_ctl(&r, f.path, "run", "--invoke", "g", "demo", NULL);
	ck_assert_int_eq(r.status, 127);

	run_ctl(&r, f.path, "run", "--invoke", "add", "demo", "1", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(
	    strstr(r.err, "add expects 2 arguments (i32 i32), got 1"));
	run_ctl(&r, f.path, "run", "--invoke", "add", "demo", "1", "x", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "argument 2 of add"));
	fake_stop(&f);
	/* Only the trapping call reached the daemon as an invoke. */
	ck_assert_str_eq(f.invoke_export, "boom");
}
END_TEST

static Suite *
wasmctl_suite(void)
{
	Suite *s = suite_create("wasmctl");
	TCase *tc = tcase_create("cli");

	tcase_add_test(tc, test_help_and_usage);
	tcase_add_test(tc, test_usage_is_short);
	tcase_add_test(tc, test_completion);
	tcase_add_test(tc, test_rm_untag);
	tcase_add_test(tc, test_json_errors);
	tcase_add_test(tc, test_run_file_rules);
	tcase_add_test(tc, test_run_hints);
	tcase_add_test(tc, test_no_daemon);
	tcase_add_test(tc, test_push_ls_inspect_rm);
	tcase_add_test(tc, test_run_results_and_limits);
	tcase_add_test(tc, test_run_failures);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(wasmctl_suite());
	int failed;

	setenv("TZ", "UTC", 1); /* ls shows local time */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
