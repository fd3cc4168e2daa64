/*
 * wasmctl_stats.c: `wasmctl stats` output. The daemon always answers in
 * the Prometheus text format; the plain format is made from it here so the
 * two never disagree.
 */
#include "wasmctl_stats.h"

#include <string.h>

/* One sample line "name{labels} value" as "name  labels  value". */
static void
print_plain_line(FILE *out, const char *line, size_t len)
{
	const char *name = line, *end = line + len, *labels = NULL, *value;
	size_t nlen, llen = 0;

	if (len >= 6 && strncmp(line, "wasmd_", 6) == 0)
		name += 6;
	value = memchr(line, ' ', len);
	if (value == NULL)
		return;
	labels = memchr(line, '{', (size_t)(value - line));
	nlen = (size_t)((labels ? labels : value) - name);
	/* Buckets are for machines; the sum and count say enough. */
	if (nlen > 7 && strncmp(name + nlen - 7, "_bucket", 7) == 0)
		return;
	if (labels != NULL) {
		const char *close = memchr(labels, '}', (size_t)(end - labels));
		if (close == NULL)
			return;
		labels++;
		llen = (size_t)(close - labels);
		value = close + 1;
	}
	while (value < end && *value == ' ')
		value++;
	fprintf(out, "%-36.*s %-52.*s %.*s\n", (int)nlen, name, (int)llen,
	    labels ? labels : "", (int)(end - value), value);
}

int
wasmctl_stats_print(FILE *out, const char *text, const char *format)
{
	if (strcmp(format, "prometheus") == 0) {
		fputs(text, out);
		return 0;
	}
	if (strcmp(format, "plain") != 0)
		return -1;
	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		if (len > 0 && text[0] != '#')
			print_plain_line(out, text, len);
		text += len + (nl != NULL);
	}
	return 0;
}
