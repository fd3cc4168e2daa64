/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tailcall.c: mutual recursion N deep through `musttail` calls, direct and
 * through a function pointer, which clang -mtail-call compiles to wasm's
 * return_call and return_call_indirect. Prints the result and the same
 * recurrence computed by a loop: they agree only if every call ran, and
 * N = 10 million finishes only if the calls reused their frames (a call
 * stack that deep exhausts any engine's). Built natively (where musttail
 * may be unknown: plain calls) for comparison at small N.
 */
#include <stdio.h>
#include <stdlib.h>

#if defined(__has_attribute) && __has_attribute(musttail)
#define TAIL __attribute__((musttail))
#else
#define TAIL
#endif

typedef unsigned long long u64;
typedef u64 (*step_fn)(unsigned long n, u64 acc);

static u64 odd(unsigned long n, u64 acc);
static u64 even(unsigned long n, u64 acc);

/* Both steps, by the parity of n; called through a pointer. */
static step_fn steps[2] = {even, odd};

__attribute__((noinline)) static u64
even(unsigned long n, u64 acc)
{
	if (n == 0)
		return acc;
	TAIL return odd(n - 1, acc * 31 + n);
}

__attribute__((noinline)) static u64
odd(unsigned long n, u64 acc)
{
	if (n == 0)
		return acc;
	TAIL return steps[n & 1](n - 1, acc ^ (n << 3));
}

/* The same recurrence as even(n, acc), as a loop. */
static u64
by_loop(unsigned long n, u64 acc)
{
	int in_even = 1;

	for (; n > 0; n--) {
		if (in_even) {
			acc = acc * 31 + n;
			in_even = 0;
		} else {
			acc ^= (u64)n << 3;
			in_even = (n & 1) == 0;
		}
	}
	return acc;
}

int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;

	printf("tail: %llu\n", even(n, 1));
	printf("loop: %llu\n", by_loop(n, 1));
	return 0;
}
