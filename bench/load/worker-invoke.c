/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker-invoke.c: the worker's side of a fresh-instance invoke, alone.
 *
 * Forks a child that serves jobs exactly as a warm wasmd-worker does
 * (wrk_serve_jobs(), unconfined: the sandbox costs nothing per invoke and
 * would refuse a profiler's system calls), then plays the supervisor: the
 * first invoke carries the module as a sealed memfd, the next N name it
 * by digest only, as pool.c sends them. Prints the round-trip time per
 * invoke. Under `valgrind --tool=callgrind --toggle-collect=serve_one`
 * the child's profile counts the instructions of one invoke in a warm
 * worker: unpacking the request, taking the cached module, a fresh
 * instance, the call and the reply (bench/load/count-instructions).
 *
 * Usage: worker-invoke FILE.wasm EXPORT N [i32:V ...]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "serve.h"

#define BENCH_MAX_ARGS 8

static void
die(const char *what)
{
	fprintf(stderr, "worker-invoke: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The module file as a sealed memfd, as modfd.c makes it. */
static int
module_memfd(const char *path, uint64_t *size)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	int fd = memfd_create("wasmd-module", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	char buf[65536];
	ssize_t n;

	if (in < 0 || fd < 0)
		die(path);
	*size = 0;
	while ((n = read(in, buf, sizeof buf)) > 0) {
		if (write(fd, buf, (size_t)n) != n)
			die("write memfd");
		*size += (uint64_t)n;
	}
	close(in);
	if (fcntl(fd, F_ADD_SEALS,
	        F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
		die("seal memfd");
	return fd;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Reads one reply; exits unless it is a result without a trap. */
static void
expect_result(int sock)
{
	Wasmd__Envelope *env;
	char err[256];

	if (wp_read_envelope(
	        sock, WP_FRAME_MAX_DEFAULT, &env, err, sizeof err) != 0) {
		fprintf(stderr, "worker-invoke: %s\n", err);
		exit(1);
	}
	if (env->msg_case != WASMD__ENVELOPE__MSG_INVOKE_RESULT ||
	    env->invoke_result->trap != NULL) {
		fprintf(stderr, "worker-invoke: the invoke failed: %s\n",
		    env->msg_case == WASMD__ENVELOPE__MSG_ERROR
		        ? env->error->message
		        : "a trap or an unexpected reply");
		exit(1);
	}
	wasmd__envelope__free_unpacked(env, NULL);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Invoke inv = WASMD__INVOKE__INIT;
	Wasmd__InvokeLimits limits = WASMD__INVOKE_LIMITS__INIT;
	Wasmd__Value vals[BENCH_MAX_ARGS], *args[BENCH_MAX_ARGS];
	/* Any 64 hex digits name the module: the worker trusts the digest. */
	char digest[65];
	uint64_t size, *lat;
	unsigned n, i;
	uint8_t *frame;
	size_t len;
	int sv[2], mfd, status;
	pid_t pid;

	if (argc < 4 || argc - 4 > BENCH_MAX_ARGS) {
		fprintf(stderr,
		    "usage: worker-invoke FILE.wasm EXPORT N [i32:V ...]\n");
		return 2;
	}
	n = (unsigned)strtoul(argv[3], NULL, 10);
	memset(digest, 'a', 64);
	digest[64] = '\0';
	mfd = module_memfd(argv[1], &size);
	for (i = 0; i < (unsigned)argc - 4; i++) {
		wasmd__value__init(&vals[i]);
		vals[i].type = WASMD__VAL_TYPE__VAL_I32;
		vals[i].bits = (uint32_t)strtol(argv[4 + i] + 4, NULL, 10);
		args[i] = &vals[i];
	}
	limits.max_memory_bytes = 64u << 20;
	limits.timeout_ms = 10000;
	limits.max_output_bytes = 1u << 20;
	inv.module_digest = digest;
	inv.module_size = size;
	inv.export = argv[2];
	inv.n_args = (size_t)argc - 4;
	inv.args = args;
	inv.limits = &limits;
	env.msg_case = WASMD__ENVELOPE__MSG_INVOKE;
	env.invoke = &inv;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		die("socketpair");
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		close(sv[0]);
		_exit(wrk_serve_jobs(sv[1], WRK_CACHE_DEFAULT_BYTES));
	}
	close(sv[1]);
	{
		Wasmd__Envelope *hello;
		char err[256];

		if (wp_read_envelope(sv[0], WP_FRAME_MAX_DEFAULT, &hello, err,
		        sizeof err) != 0) {
			fprintf(stderr, "worker-invoke: no hello: %s\n", err);
			return 1;
		}
		wasmd__envelope__free_unpacked(hello, NULL);
	}
	lat = calloc(n + 1, sizeof *lat);
	if (lat == NULL)
		die("calloc");
	for (i = 0; i <= n; i++) {
		uint64_t t0 = now_ns();

		env.id = i + 1;
		frame = wp_frame_pack(&env, &len);
		if (frame == NULL)
			die("pack");
		if ((i == 0 ? wp_send_with_fd(sv[0], frame, len, mfd, 0)
		            : write(sv[0], frame, len)) != (ssize_t)len)
			die("send");
		free(frame);
		expect_result(sv[0]);
		lat[i] = now_ns() - t0;
	}
	close(sv[0]);
	waitpid(pid, &status, 0);
	/* The first invoke decodes the module: not counted. */
	qsort(lat + 1, n, sizeof *lat, cmp_u64);
	printf("invokes=%u first_us=%.1f p50_us=%.1f p99_us=%.1f\n", n,
	    (double)lat[0] / 1000, (double)lat[1 + n / 2] / 1000,
	    (double)lat[1 + (n * 99) / 100 - (n >= 100)] / 1000);
	free(lat);
	return 0;
}
