/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exit_code.c: ends as argv[1] says: "exit N" calls exit(N), "return N"
 * returns N from main, "abort" aborts (a trap in wasm, SIGABRT natively:
 * both end with status 134), and stdout is flushed on the way out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	if (argc < 2)
		return 0;
	printf("ending with %s %s\n", argv[1], argc > 2 ? argv[2] : "");
	if (strcmp(argv[1], "abort") == 0) {
		fflush(stdout);
		abort();
	}
	if (strcmp(argv[1], "exit") == 0 && argc > 2)
		exit(atoi(argv[2]));
	return argc > 2 ? atoi(argv[2]) : 0;
}
