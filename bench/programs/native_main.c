/* SPDX-License-Identifier: Apache-2.0 */
/*
 * native_main.c: the native harness. Linked with one program, it calls
 * run(n) and prints the checksum (as a signed 32-bit decimal, like the
 * other engines), then the wall seconds and the CPU seconds spent in the
 * call:
 *
 *   prog [N|default|small] [reps]
 *
 * With reps > 1 it repeats the call and prints the mean time of one call,
 * which is how the runner measures a program's small size precisely
 * enough to get the work ratio between the two sizes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static double
clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int32_t
parse_size(const char *arg)
{
	if (arg == NULL || strcmp(arg, "default") == 0)
		return bench_n_default;
	if (strcmp(arg, "small") == 0)
		return bench_n_small;
	return (int32_t)strtol(arg, NULL, 10);
}

int
main(int argc, char **argv)
{
	int32_t n = parse_size(argc > 1 ? argv[1] : NULL);
	long reps = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
	uint32_t sum = 0;
	double wall, cpu;

	if (reps < 1)
		reps = 1;
	wall = clock_seconds(CLOCK_MONOTONIC);
	cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
	for (long i = 0; i < reps; i++)
		sum = run(n);
	wall = (clock_seconds(CLOCK_MONOTONIC) - wall) / (double)reps;
	cpu = (clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu) / (double)reps;
	printf("%d\n%.9f\n%.9f\n", (int32_t)sum, wall, cpu);
	return 0;
}
