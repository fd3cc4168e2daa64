/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec_cmd.c: what the spec runner's two front ends (spec_json.c,
 * spec_wast.c) read alike: command names, v128 lane shapes and files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_cmd.h"

const char *const spec_cmd_names[] = {
    [SPEC_MODULE] = "module",
    [SPEC_MODULE_DEFINITION] = "module_definition",
    [SPEC_MODULE_INSTANCE] = "module_instance",
    [SPEC_REGISTER] = "register",
    [SPEC_ACTION] = "action",
    [SPEC_ASSERT_RETURN] = "assert_return",
    [SPEC_ASSERT_TRAP] = "assert_trap",
    [SPEC_ASSERT_EXHAUSTION] = "assert_exhaustion",
    [SPEC_ASSERT_EXCEPTION] = "assert_exception",
    [SPEC_ASSERT_INVALID] = "assert_invalid",
    [SPEC_ASSERT_MALFORMED] = "assert_malformed",
    [SPEC_ASSERT_UNLINKABLE] = "assert_unlinkable",
    [SPEC_ASSERT_UNINSTANTIABLE] = "assert_uninstantiable",
    [SPEC_ASSERT_MALFORMED_CUSTOM] = "assert_malformed_custom",
    [SPEC_ASSERT_INVALID_CUSTOM] = "assert_invalid_custom",
    [SPEC_UNKNOWN] = "(unknown command)",
};

spec_cmd_kind
spec_cmd_named(const char *s, size_t len)
{
	for (int k = 0; k < SPEC_UNKNOWN; k++)
		if (strlen(spec_cmd_names[k]) == len &&
		    memcmp(spec_cmd_names[k], s, len) == 0)
			return (spec_cmd_kind)k;
	return SPEC_UNKNOWN;
}

bool
spec_lane_shape(const char *s, size_t len, expect *e)
{
	static const struct {
		const char *name;
		unsigned bits;
		bool is_float;
	} shapes[] = {{"i8", 8, false}, {"i16", 16, false}, {"i32", 32, false},
	    {"i64", 64, false}, {"f32", 32, true}, {"f64", 64, true}};
	for (size_t i = 0; s != NULL && i < sizeof(shapes) / sizeof(shapes[0]);
	     i++) {
		size_t n = strlen(shapes[i].name);
		/* "i32" (JSON) or "i32x4" (.wast) */
		if (len >= n && memcmp(s, shapes[i].name, n) == 0 &&
		    (len == n || s[n] == 'x')) {
			e->lane_bits = shapes[i].bits;
			e->lane_float = shapes[i].is_float;
			return true;
		}
	}
	return false;
}

uint8_t *
spec_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *more;
	size_t cap = 0, got;

	*len = 0;
	if (f == NULL)
		return NULL;
	do {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((more = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = more;
		}
		got = fread(buf + *len, 1, cap - *len, f);
		*len += got;
	} while (got > 0);
	fclose(f);
	return buf;
}
