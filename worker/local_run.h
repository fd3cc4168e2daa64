/* SPDX-License-Identifier: Apache-2.0 */
/*
 * local_run.h: `wasmd-worker run`, which loads a module and runs it in
 * this process, without the daemon or its sandbox (a developer's tool, and
 * what `wasmd run` execs).
 *
 * Included by worker/main.c and by the unit tests. The value parsing and
 * printing helpers are exposed for those tests.
 */
#ifndef WRK_LOCAL_RUN_H
#define WRK_LOCAL_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include <wasmd/engine.h>

/* Exit codes of `run`. */
#define WRK_RUN_EXIT_USAGE 2  /* bad options or arguments */
#define WRK_RUN_EXIT_FAILED 1 /* the engine refused a call */
#define WRK_RUN_EXIT_BAD_MODULE                                                \
	126                        /* unreadable, malformed, invalid, or
				       needs imports other than WASI's */
#define WRK_RUN_EXIT_NO_EXPORT 127 /* --invoke names no exported function */
#define WRK_RUN_EXIT_TRAP 134      /* a trap in start or the call */

/*
 * run [--invoke NAME] [--env K=V]... [--dir HOST[::GUEST]]...
 *     [-W fuel=N,max-memory-size=BYTES,max-output=BYTES] FILE [ARGS...]
 * argv[0] is "run". The module gets the WASI preview1 functions
 * (wasi/wasi.h) with FILE and ARGS as its argv (FILE alone with
 * --invoke), the --env variables, the --dir preopens and this process's
 * stdio. Prints --invoke's results to stdout, errors to stderr, and
 * returns the process exit code: 0 on success, the guest's proc_exit code
 * (its low 8 bits), or one of WRK_RUN_EXIT_*.
 */
int wrk_local_run(int argc, char **argv);

/*
 * Parses text as a value of type t: integers in signed or unsigned decimal
 * or 0x hex; floats as decimal or hex floats, "inf", "nan", or
 * "nan:0xPAYLOAD", each with an optional sign. False when text is not one.
 */
bool wrk_run_parse_val(const char *text, we_valtype t, we_val *out);

/*
 * Writes v to buf (len bytes) as run prints it: integers as signed
 * decimal, floats in the shortest form that reads back to the same bits
 * ("inf", "-inf", "nan" for the canonical NaN, "nan:0x..." otherwise, with
 * a "-" when the sign bit is set), references as "null" or "ref".
 * Returns buf.
 */
char *wrk_run_format_val(const we_val *v, char *buf, size_t len);

#endif /* WRK_LOCAL_RUN_H */
