/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmctl_stats.c: `wasmctl stats` output. The daemon always answers in
 * the Prometheus text format; the plain format is made from it here so the
 * two never disagree.
 */
#include "wasmctl_stats.h"

#include <jansson.h>
#include <stdlib.h>
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

/* Labels 'k="v",k2="v2"' (no escapes: wasmd's values have none). */
static json_t *
json_labels(const char *s, size_t len)
{
	json_t *obj = json_object();
	const char *end = s + len;

	while (s < end) {
		const char *eq = memchr(s, '=', (size_t)(end - s)), *close;
		if (eq == NULL || eq + 1 >= end || eq[1] != '"')
			break;
		close = memchr(eq + 2, '"', (size_t)(end - eq - 2));
		if (close == NULL)
			break;
		char *k = strndup(s, (size_t)(eq - s));
		json_object_set_new(
		    obj, k, json_stringn(eq + 2, (size_t)(close - eq - 2)));
		free(k);
		s = close + 1;
		if (s < end && *s == ',')
			s++;
	}
	return obj;
}

/* One sample line as {"name": ..., "labels": {...}, "value": n}. */
static json_t *
json_sample(const char *line, size_t len)
{
	const char *sp = memchr(line, ' ', len), *brace;
	size_t nlen, llen = 0;
	char num[64];

	if (sp == NULL)
		return NULL;
	brace = memchr(line, '{', (size_t)(sp - line));
	nlen = (size_t)((brace ? brace : sp) - line);
	if (brace != NULL) {
		const char *close =
		    memchr(brace, '}', len - (size_t)(brace - line));
		if (close == NULL)
			return NULL;
		llen = (size_t)(close - brace - 1);
		sp = memchr(close, ' ', len - (size_t)(close - line));
		if (sp == NULL)
			return NULL;
	}
	snprintf(num, sizeof(num), "%.*s", (int)(line + len - sp - 1), sp + 1);
	return json_pack("{s:s%,s:o,s:f}", "name", line, nlen, "labels",
	    brace ? json_labels(brace + 1, llen) : json_object(), "value",
	    strtod(num, NULL));
}

static int
print_json(FILE *out, const char *text)
{
	json_t *arr = json_array();

	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		json_t *sample;
		if (len > 0 && text[0] != '#' &&
		    (sample = json_sample(text, len)) != NULL)
			json_array_append_new(arr, sample);
		text += len + (nl != NULL);
	}
	json_dumpf(arr, out, JSON_INDENT(2));
	fputc('\n', out);
	json_decref(arr);
	return 0;
}

int
wasmctl_stats_print(FILE *out, const char *text, const char *format)
{
	if (strcmp(format, "json") == 0)
		return print_json(out, text);
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
