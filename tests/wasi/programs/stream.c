/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stream.c: prints a line, sleeps about 300 ms (nanosleep, which
 * wasi-libc makes with poll_oneoff on the monotonic clock), prints another
 * line. Through the daemon the first line must reach the client before
 * the second is written: output is streamed, not held until the end.
 * stdout is flushed after each line, as a terminal's line buffering would.
 */
#include <stdio.h>
#include <time.h>

int
main(void)
{
	struct timespec ts = {0, 300 * 1000 * 1000};

	puts("first line");
	fflush(stdout);
	nanosleep(&ts, NULL);
	puts("second line");
	fflush(stdout);
	fputs("to stderr\n", stderr);
	return 0;
}
