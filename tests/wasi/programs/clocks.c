/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clocks.c: the monotonic clock never goes backwards over many reads and
 * advances across a sleep; the realtime clock agrees with time(). Prints
 * "ok" lines (the same in both builds) and, last, the realtime seconds for
 * the test to compare with the host's clock.
 */
#include <stdio.h>
#include <time.h>

static long long
ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts) != 0)
		return -1;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
main(void)
{
	struct timespec res, nap = {0, 20 * 1000 * 1000};
	long long prev = ns(CLOCK_MONOTONIC), now, before;
	int backwards = 0;

	for (int i = 0; i < 200000; i++) {
		now = ns(CLOCK_MONOTONIC);
		backwards += now < prev;
		prev = now;
	}
	printf("monotonic: %s\n", backwards == 0 && prev > 0 ? "ok" : "BAD");
	before = ns(CLOCK_MONOTONIC);
	nanosleep(&nap, NULL);
	now = ns(CLOCK_MONOTONIC);
	printf("sleep 20ms: %s\n",
	    now - before >= 20000000LL && now - before < 5000000000LL ? "ok"
	                                                              : "BAD");
	printf("resolution: %s\n",
	    clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 &&
	            res.tv_nsec > 0
	        ? "ok"
	        : "BAD");
	now = ns(CLOCK_REALTIME);
	printf("realtime vs time(): %s\n",
	    now / 1000000000LL - (long long)time(NULL) <= 1 ? "ok" : "BAD");
	printf("realtime: %lld\n", now / 1000000000LL);
	return 0;
}
