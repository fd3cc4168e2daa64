/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec_cmd.h: one command of a spec test script, as the spec runner
 * executes it, whichever front end read it: spec_wast.c (the .wast script
 * itself) or spec_json.c (wast2json's JSON, as in ../shared/testsuite-3.0).
 * A front end fills a spec_cmd and hands it to the runner's callback; every
 * pointer in it is borrowed from the front end and valid during the call
 * only.
 */
#ifndef SPEC_CMD_H
#define SPEC_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include <wasmd/engine.h>

#define SPEC_MAX_VALUES 64 /* arguments, or results, of one action */
#define SPEC_MAX_ALTS 8    /* alternatives of one (either ...) result */

typedef enum expect_kind {
	EXPECT_EXACT,
	EXPECT_NAN_CANONICAL,
	EXPECT_NAN_ARITHMETIC,
	EXPECT_NONNULL_REF,
	/* 3.0 reference types the engine has no value type for (anyref,
	   nullfuncref, refnull...): a null, or a non-null, reference of any
	   reference type. */
	EXPECT_ANY_NULL_REF,
	EXPECT_ANY_NONNULL_REF,
	/* (ref.host N), an anyref: the host's externref N (pointer N + 1,
	   in val.of.externref) converted to any (we_any_convert_extern); as
	   an argument too. */
	EXPECT_HOST_ANY,
} expect_kind;

/* A value: an argument (always EXPECT_EXACT) or an expected result. */
typedef struct expect {
	int status; /* 1: read; 0: a value the runner does not handle (the
	               command is skipped); -1: malformed */
	we_val val;
	expect_kind kind;
	/* A v128: its lane shape and what each lane must be. */
	unsigned lane_bits; /* 8, 16, 32 or 64 */
	bool lane_float;
	expect_kind lane_kind[16];
} expect;

/* One expected result: a value, or (either ...) of several. */
typedef struct spec_result {
	expect alts[SPEC_MAX_ALTS];
	size_t nalts;
} spec_result;

/* The module of a command. Exactly one of file and text is set. */
typedef struct spec_module {
	const char *file; /* JSON: a file of the script's folder */
	const char *text; /* .wast: the (module ...) form */
	size_t textlen;
	long text_line;      /* the script's line where text (or the file)
	                        starts, for the text parser's messages */
	bool text_malformed; /* a module in the text format that must be
	                        rejected as text: (module quote ...) of
	                        assert_malformed, or the JSON's module_type
	                        "text" (file is then a .wat) */
} spec_module;

typedef struct spec_action {
	bool get;           /* get (an exported global) rather than invoke */
	bool known;         /* false: an unknown action type */
	const char *module; /* $name of the instance, or NULL: the current */
	const char *field;  /* the export's name (may hold NUL bytes) */
	size_t fieldlen;
	expect args[SPEC_MAX_VALUES];
	size_t nargs; /* more than SPEC_MAX_VALUES: too many */
} spec_action;

typedef enum spec_cmd_kind {
	SPEC_MODULE,
	SPEC_MODULE_DEFINITION, /* 3.0 */
	SPEC_MODULE_INSTANCE,   /* 3.0 */
	SPEC_REGISTER,
	SPEC_ACTION,
	SPEC_ASSERT_RETURN,
	SPEC_ASSERT_TRAP, /* on an action, or on a module when has_module */
	SPEC_ASSERT_EXHAUSTION,
	SPEC_ASSERT_EXCEPTION, /* 3.0 */
	SPEC_ASSERT_INVALID,
	SPEC_ASSERT_MALFORMED,
	SPEC_ASSERT_UNLINKABLE,
	SPEC_ASSERT_UNINSTANTIABLE,
	/* 3.0 custom annotations: the module is well formed and valid, but
	   a custom section (annotation) of it is malformed, or invalid,
	   under its own format. */
	SPEC_ASSERT_MALFORMED_CUSTOM,
	SPEC_ASSERT_INVALID_CUSTOM,
	SPEC_UNKNOWN, /* what names it */
} spec_cmd_kind;

typedef struct spec_cmd {
	spec_cmd_kind kind;
	const char *what; /* the command's name as written, for messages */
	long line;
	const char *name; /* module: its $name; register: the instance's;
	                     module_instance: the new instance's */
	const char *as;   /* register: the name it is registered as */
	const char *def;  /* module_instance: the definition's $name */
	bool has_module;
	spec_module module;
	spec_action action;
	spec_result *expected; /* assert_return */
	size_t nexpected;      /* more than SPEC_MAX_VALUES: too many */
	const char *text;      /* the assertion's message, or NULL */
} spec_cmd;

/* Called for each command of a script, in order. */
typedef void (*spec_cmd_fn)(void *ctx, const spec_cmd *cmd);

/*
 * Each reads the script at path and calls fn for each of its commands.
 * Returns 0, or -1 with msg set when the script cannot be read (or, .wast,
 * when a command is not well formed: the commands before it ran).
 */
int spec_wast_read(
    const char *path, spec_cmd_fn fn, void *ctx, char *msg, size_t msglen);
int spec_json_read(
    const char *path, spec_cmd_fn fn, void *ctx, char *msg, size_t msglen);

/* spec_cmd.c: each command's name (the JSON's "type"), by kind, and the
 * kind a name (len bytes) names: SPEC_UNKNOWN when none. */
extern const char *const spec_cmd_names[];
spec_cmd_kind spec_cmd_named(const char *s, size_t len);

/* A v128 lane shape, "i32" (JSON) or "i32x4" (.wast), into e's lane_bits
 * and lane_float; false when unknown (spec_cmd.c). */
bool spec_lane_shape(const char *s, size_t len, expect *e);

/* The bytes of the file at path, or NULL (errno set). own: the result. */
uint8_t *spec_read_file(const char *path, size_t *len);

#endif
