/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wat-speed.c: bench-wat-speed, the time libwasmd-wat takes to convert one
 * .wat file to the binary format, apart from reading the file and from the
 * engine's validation:
 *
 *   bench-wat-speed IN.wat RUNS [OUT.wasm]
 *
 * prints one line per run, "seconds=S cpu=C bytes_in=N bytes_out=M" (wall
 * and CPU seconds), timing only
 * wat_to_wasm() (parse + encode). With OUT.wasm it writes the last run's
 * binary there, for bench/run-wat-speed to decode and validate. Exit 0, or
 * 1 with the parser's "IN:LINE:COL: message" on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wat.h"

/* The bytes of path, or NULL with errno set. own: the result. */
static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
		fclose(f);
		return buf;
	}
	free(buf);
	fclose(f);
	errno = errno ? errno : EIO;
	return NULL;
}

/* Seconds on clock (wall: CLOCK_MONOTONIC; this process's CPU time:
 * CLOCK_PROCESS_CPUTIME_ID, the fairer number on a shared machine). */
static double
now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	char *text;
	size_t len, outlen = 0;
	uint8_t *out = NULL;
	wat_error err;
	int runs;

	if (argc < 3 || argc > 4 || (runs = atoi(argv[2])) < 1) {
		fprintf(
		    stderr, "usage: bench-wat-speed IN.wat RUNS [OUT.wasm]\n");
		return 2;
	}
	if ((text = read_all(argv[1], &len)) == NULL) {
		fprintf(stderr, "bench-wat-speed: cannot read %s: %s\n",
		    argv[1], strerror(errno));
		return 1;
	}
	for (int i = 0; i < runs; i++) {
		double t0 = now(CLOCK_MONOTONIC),
		       c0 = now(CLOCK_PROCESS_CPUTIME_ID);
		double t, c;

		free(out);
		out = NULL;
		if (wat_to_wasm(text, len, &out, &outlen, &err) < 0) {
			fprintf(stderr, "bench-wat-speed: %s:%u:%u: %s\n",
			    argv[1], err.line, err.col, err.message);
			free(text);
			return 1;
		}
		t = now(CLOCK_MONOTONIC) - t0;
		c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
		printf("seconds=%.4f cpu=%.4f bytes_in=%zu bytes_out=%zu\n", t,
		    c, len, outlen);
		fflush(stdout);
	}
	if (argc == 4) {
		FILE *f = fopen(argv[3], "wb");

		if (f == NULL || fwrite(out, 1, outlen, f) != outlen ||
		    fclose(f) != 0) {
			fprintf(stderr, "bench-wat-speed: cannot write %s\n",
			    argv[3]);
			free(out);
			free(text);
			return 1;
		}
	}
	free(out);
	free(text);
	return 0;
}
