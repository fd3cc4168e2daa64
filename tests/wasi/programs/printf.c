/* SPDX-License-Identifier: Apache-2.0 */
/*
 * printf.c: printf with every common conversion, flag, width and
 * precision. Built for wasm32-wasi and natively; the outputs must be equal
 * (%p and long double are left out: their sizes differ between the two).
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

static void
integers(void)
{
	int vals[] = {0, 1, -1, 42, -42, 2147483647, -2147483647 - 1, 255};

	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		int v = vals[i];

		printf("[%d] [%i] [%u] [%x] [%X] [%o]\n", v, v, (unsigned)v,
		    (unsigned)v, (unsigned)v, (unsigned)v);
		printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%.3d] [%8.4d]\n", v, v,
		    v, v, v, v, v);
		printf("[%#x] [%#o] [%#X] [%*d] [%-*d] [%.*d]\n", (unsigned)v,
		    (unsigned)v, (unsigned)v, 7, v, 7, v, 4, v);
	}
	printf("[%lld] [%llu] [%llx] [%ld] [%lu]\n", -9223372036854775807LL - 1,
	    18446744073709551615ULL, 0xdeadbeefcafeULL, -123456L, 654321UL);
	printf("[%hhd] [%hhu] [%hd] [%hu] [%zu] [%jd] [%" PRId64 "] [%" PRIu32
	       "]\n",
	    (signed char)-5, (unsigned char)250, (short)-300,
	    (unsigned short)65000, (size_t)12345, (intmax_t)-77,
	    (int64_t)1234567890123, (uint32_t)4000000000u);
}

static void
floats(void)
{
	double vals[] = {0.0, -0.0, 1.0, -1.5, 3.14159265358979, 1e-300,
	    6.02214076e23, 123456789.0, 0.1, 2.5, 1e100, 5e-324,
	    1.7976931348623157e308};

	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		double v = vals[i];

		printf("[%f] [%e] [%g] [%E] [%G]\n", v, v, v, v, v);
		printf("[%.0f] [%.3f] [%10.2f] [%-10.2f] [%+.2e] [%.10g]\n", v,
		    v, v, v, v, v);
		printf(
		    "[%#.0f] [%#g] [%012.3f] [% .4e] [%.17g]\n", v, v, v, v, v);
		/* glibc and musl spell subnormals differently in %a
		   (0x0.0...1p-1022 and 0x1p-1074): both are right. */
		if (fpclassify(v) != FP_SUBNORMAL)
			printf("[%a] [%A] [%.3a]\n", v, v, v);
	}
	printf("[%f] [%f] [%e] [%g] [%F]\n", INFINITY, -INFINITY, NAN, -NAN,
	    INFINITY);
	printf("[%5.1f] [%-8g] [%08.2f]\n", INFINITY, NAN, -INFINITY);
	printf("[%f]\n", (double)1.5f);
}

static void
strings(void)
{
	const char *s = "hello, world";

	printf("[%s] [%20s] [%-20s] [%.5s] [%10.3s] [%-*.*s]\n", s, s, s, s, s,
	    8, 2, s);
	printf("[%c] [%3c] [%-3c] [%c]\n", 'A', 'b', 'c', 126);
	printf("[%%] [100%%] [%s]\n", "");
	printf("%d %s %c %x %.2f %e\n", 1, "two", '3', 4, 5.0, 6.0);
}

int
main(void)
{
	integers();
	floats();
	strings();
	return 0;
}
