/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmctl_complete.h: the shell completion scripts `wasmctl completion
 * bash|zsh` prints (wasmctl_complete.c), made from wasmctl's own table of
 * verbs and options so that they cannot drift from it.
 * Included by wasmctl.c only.
 */
#ifndef WASMD_WASMCTL_COMPLETE_H
#define WASMD_WASMCTL_COMPLETE_H

#include <getopt.h>
#include <stdio.h>

/* What completion needs to know of one verb. Borrowed, static. */
struct wasmctl_complete_verb {
	const char *name;
	const struct option *opts; /* long options, NULL-terminated */
	const char *short_opts;    /* extra words such as "-W", or "" */
	const char *operands;      /* "file", "ref", "ref file", "shell", "" */
};

/*
 * Prints the completion script for shell ("bash" or "zsh") to f. Returns
 * 0, or -1 for another shell.
 */
int wasmctl_complete_print(FILE *f, const char *shell,
    const struct wasmctl_complete_verb *verbs, size_t nverbs);

#endif /* WASMD_WASMCTL_COMPLETE_H */
