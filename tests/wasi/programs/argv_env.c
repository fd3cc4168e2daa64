/* SPDX-License-Identifier: Apache-2.0 */
/*
 * argv_env.c: prints its arguments (from argv[1]: argv[0] is the program
 * file, which differs between the builds unless --argv0 is given) and its
 * whole environment, sorted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int
compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	size_t n = 0;
	char **env;

	printf("argc=%d\n", argc);
	if (argc > 1 && strcmp(argv[1], "--argv0") == 0)
		printf("argv[0]=%s\n", argv[0]);
	for (int i = 1; i < argc; i++)
		printf(
		    "argv[%d]=[%s] (%zu bytes)\n", i, argv[i], strlen(argv[i]));
	while (environ != NULL && environ[n] != NULL)
		n++;
	env = calloc(n + 1, sizeof *env);
	if (env == NULL)
		return 1;
	memcpy(env, environ, n * sizeof *env);
	qsort(env, n, sizeof *env, compare);
	printf("environ: %zu\n", n);
	for (size_t i = 0; i < n; i++)
		printf("env[%zu]=%s\n", i, env[i]);
	printf("getenv(GREETING)=%s\n",
	    getenv("GREETING") ? getenv("GREETING") : "(null)");
	free(env);
	return 0;
}
