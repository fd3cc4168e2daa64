/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec_json.c: the JSON front end of the spec runner: a script converted
 * by wast2json (or, for ../shared/testsuite-3.0, by another converter into
 * the same format, see its README.md), read into spec_cmd commands. Its
 * modules are files of the script's folder: binaries, and the .wat files
 * of assert_malformed's module_type "text".
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "spec_cmd.h"

/*
 * The other reference types of 3.0 script values (see
 * ../shared/testsuite-3.0/README.md): matched as references of any type.
 */
static bool
is_other_ref_type(const char *s)
{
	static const char *const names[] = {"anyref", "exnref", "nullref",
	    "nullfuncref", "nullexternref", "nullexnref", "refnull", "eqref",
	    "i31ref", "structref", "arrayref"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return true;
	return false;
}

/* A 3.0 reference value of another type (is_other_ref_type) into e. */
static int
parse_other_ref(const char *type, const char *v, expect *e)
{
	e->val.type = WE_EXTERNREF; /* for messages only */
	if (v == NULL && strcmp(type, "refnull") != 0)
		e->kind = EXPECT_ANY_NONNULL_REF;
	else if (v == NULL || strcmp(v, "null") == 0)
		e->kind = EXPECT_ANY_NULL_REF;
	else if (strcmp(type, "anyref") == 0) {
		/* (ref.host N): the host reference N, converted to any. */
		char *end;
		unsigned long long n = strtoull(v, &end, 10);
		if (*end != '\0' || end == v)
			return -1;
		e->kind = EXPECT_HOST_ANY;
		e->val.type = WE_ANYREF;
		e->val.of.externref = (void *)(uintptr_t)(n + 1);
	} else
		return -1; /* a host reference of another type */
	return 1;
}

/*
 * A v128 {"lane_type", "value": [lanes]} into e: each lane a decimal
 * integer (negative allowed) or, for float lanes, a NaN pattern. 1 on
 * success, -1 when malformed.
 */
static int
parse_v128(json_t *j, expect *e)
{
	json_t *lanes = json_object_get(j, "value");
	const char *shape = json_string_value(json_object_get(j, "lane_type"));
	unsigned n;

	e->val.type = WE_V128;
	if (shape == NULL || !spec_lane_shape(shape, strlen(shape), e))
		return -1;
	n = 128 / e->lane_bits;
	if (json_array_size(lanes) != n)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		const char *v = json_string_value(json_array_get(lanes, i));
		unsigned bytes = e->lane_bits / 8;
		uint64_t bits;
		char *end;

		if (v == NULL)
			return -1;
		e->lane_kind[i] = EXPECT_EXACT;
		if (e->lane_float && strcmp(v, "nan:canonical") == 0) {
			e->lane_kind[i] = EXPECT_NAN_CANONICAL;
			continue;
		}
		if (e->lane_float && strcmp(v, "nan:arithmetic") == 0) {
			e->lane_kind[i] = EXPECT_NAN_ARITHMETIC;
			continue;
		}
		errno = 0;
		bits = v[0] == '-' ? (uint64_t)strtoll(v, &end, 10)
		                   : strtoull(v, &end, 10);
		if (errno != 0 || *end != '\0' || end == v)
			return -1;
		for (unsigned k = 0; k < bytes; k++)
			e->val.of.v128[i * bytes + k] =
			    (uint8_t)(bits >> (8 * k));
	}
	return 1;
}

static bool
parse_type(const char *s, we_valtype *t)
{
	static const struct {
		const char *name;
		we_valtype type;
	} types[] = {{"i32", WE_I32}, {"i64", WE_I64}, {"f32", WE_F32},
	    {"f64", WE_F64}, {"funcref", WE_FUNCREF},
	    {"externref", WE_EXTERNREF}};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(s, types[i].name) == 0) {
			*t = types[i].type;
			return true;
		}
	return false;
}

/* {"type", "value"} into e; the result is also e->status. */
static int
parse_value_status(json_t *j, expect *e)
{
	const char *type = json_string_value(json_object_get(j, "type"));
	const char *v = json_string_value(json_object_get(j, "value"));

	if (type == NULL)
		return -1;
	if (strcmp(type, "v128") == 0)
		return parse_v128(j, e);
	if (is_other_ref_type(type))
		return parse_other_ref(type, v, e);
	if (!parse_type(type, &e->val.type))
		return -1;
	if (v == NULL) {
		/* An expected reference with no value: any non-null one. */
		if (e->val.type == WE_FUNCREF || e->val.type == WE_EXTERNREF) {
			e->kind = EXPECT_NONNULL_REF;
			return 1;
		}
		return -1;
	}
	if (strcmp(v, "nan:canonical") == 0) {
		e->kind = EXPECT_NAN_CANONICAL;
		return 1;
	}
	if (strcmp(v, "nan:arithmetic") == 0) {
		e->kind = EXPECT_NAN_ARITHMETIC;
		return 1;
	}
	if (strcmp(v, "null") == 0)
		return e->val.type == WE_FUNCREF || e->val.type == WE_EXTERNREF
		    ? 1
		    : -1;
	char *end;
	errno = 0;
	uint64_t bits = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	switch (e->val.type) {
	case WE_I32: e->val.of.i32 = (int32_t)(uint32_t)bits; break;
	case WE_I64: e->val.of.i64 = (int64_t)bits; break;
	case WE_F32: e->val.of.f32_bits = (uint32_t)bits; break;
	case WE_F64: e->val.of.f64_bits = bits; break;
	case WE_EXTERNREF:
		/* ref.extern N is the host pointer N + 1 (never NULL). */
		e->val.of.externref = (void *)(uintptr_t)(bits + 1);
		break;
	case WE_FUNCREF:
		/* A funcref by number cannot name a function: non-null. */
		e->kind = EXPECT_NONNULL_REF;
		break;
	default: return -1;
	}
	return 1;
}

static void
parse_value(json_t *j, expect *e)
{
	memset(e, 0, sizeof(*e));
	e->status = parse_value_status(j, e);
}

/* An expected result: a value, or {"type": "either", "values": [...]}. */
static void
parse_result(json_t *j, spec_result *r)
{
	const char *type = json_string_value(json_object_get(j, "type"));
	json_t *alts = json_object_get(j, "values");

	r->nalts = 0;
	if (type == NULL || strcmp(type, "either") != 0) {
		parse_value(j, &r->alts[r->nalts++]);
		return;
	}
	for (size_t k = 0; k < json_array_size(alts) && k < SPEC_MAX_ALTS; k++)
		parse_value(json_array_get(alts, k), &r->alts[r->nalts++]);
}

static const char *
str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static void
parse_action(json_t *a, spec_action *act)
{
	const char *type = str(a, "type");
	json_t *args = json_object_get(a, "args");

	act->known = type != NULL &&
	    (strcmp(type, "invoke") == 0 || strcmp(type, "get") == 0);
	act->get = type != NULL && strcmp(type, "get") == 0;
	act->module = str(a, "module");
	act->field = str(a, "field");
	act->fieldlen = json_string_length(json_object_get(a, "field"));
	act->nargs = json_array_size(args);
	for (size_t i = 0; i < act->nargs && i < SPEC_MAX_VALUES; i++)
		parse_value(json_array_get(args, i), &act->args[i]);
}

/* One JSON command into c (expected has room for SPEC_MAX_VALUES). */
static void
parse_command(json_t *j, spec_cmd *c)
{
	const char *type = str(j, "type");
	const char *mtype = str(j, "module_type");
	json_t *expected = json_object_get(j, "expected");
	spec_result *results = c->expected;

	memset(c, 0, sizeof(*c));
	c->expected = results;
	c->what = type ? type : "(no type)";
	c->kind = type ? spec_cmd_named(type, strlen(type)) : SPEC_UNKNOWN;
	c->line = (long)json_integer_value(json_object_get(j, "line"));
	c->text = str(j, "text");
	c->as = str(j, "as");
	c->name = c->kind == SPEC_MODULE_INSTANCE ? str(j, "instance")
	                                          : str(j, "name");
	c->def = str(j, "module");
	c->module.file = str(j, "filename");
	c->module.text_line = 1;
	c->has_module = c->module.file != NULL;
	c->module.text_malformed = mtype != NULL && strcmp(mtype, "text") == 0;
	if (json_object_get(j, "action") != NULL)
		parse_action(json_object_get(j, "action"), &c->action);
	c->nexpected = json_array_size(expected);
	for (size_t i = 0; i < c->nexpected && i < SPEC_MAX_VALUES; i++)
		parse_result(json_array_get(expected, i), &c->expected[i]);
}

int
spec_json_read(
    const char *path, spec_cmd_fn fn, void *ctx, char *msg, size_t msglen)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	json_t *cmds = root ? json_object_get(root, "commands") : NULL;
	spec_cmd c = {.expected = NULL};

	if (!json_is_array(cmds)) {
		snprintf(msg, msglen, "cannot load %s: %s", path,
		    root ? "no commands array" : jerr.text);
		json_decref(root);
		return -1;
	}
	c.expected = calloc(SPEC_MAX_VALUES, sizeof(*c.expected));
	if (c.expected == NULL) {
		snprintf(msg, msglen, "out of memory");
		json_decref(root);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(cmds); i++) {
		parse_command(json_array_get(cmds, i), &c);
		fn(ctx, &c);
	}
	free(c.expected);
	json_decref(root);
	return 0;
}
