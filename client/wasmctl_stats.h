/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmctl_stats.h: how `wasmctl stats` prints the daemon's Prometheus text
 * (wasmctl_stats.c). Included by wasmctl.c only.
 */
#ifndef WASMD_WASMCTL_STATS_H
#define WASMD_WASMCTL_STATS_H

#include <stdio.h>

/*
 * Prints text (Prometheus exposition format) to out: as it is for
 * "prometheus", or as a plain table for "plain" (one sample a line: the
 * metric without its wasmd_ prefix, its labels, its value; comments and
 * histogram buckets left out), or as JSON for "json" (an array of
 * {"name", "labels", "value"} objects, every sample). Returns 0, or -1 for
 * an unknown format.
 */
int wasmctl_stats_print(FILE *out, const char *text, const char *format);

#endif /* WASMD_WASMCTL_STATS_H */
