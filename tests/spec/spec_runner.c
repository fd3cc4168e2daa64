/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec_runner.c: runs the official WebAssembly spec suite (the JSON
 * scripts made by wast2json, see ../shared/testsuite/README.md) against
 * libwasmd-engine.
 *
 *   spec-runner [--verbose] [--no-fork] [--text] [--wasm2] DIR [SCRIPT...]
 *
 * For every script folder in DIR (or only the SCRIPTs named; with --text
 * not the simd_* ones), it executes the commands of SCRIPT/SCRIPT.json in
 * order, all
 * modules of one script in one store, with the `spectest` host module. It
 * prints one line per script with its counts and the first failures (all of
 * them with --verbose), then a final line "N passed, N failed, N skipped".
 * The exit status is 0 only when nothing failed.
 *
 * Text modules (assert_malformed of module_type "text", the .wat files) go
 * through libwasmd-wat and must be rejected by it. With --text, every
 * module is read from the script's .wast instead of wast2json's binary:
 * the module's text (found at the command's line) is converted by
 * libwasmd-wat, so the whole suite also checks the text parser. With
 * --wasm2, modules are decoded by we_module_new_wasm2, for the 2.0 suite:
 * it refuses constant expressions that 3.0 accepts.
 *
 * Each script runs in a child process (unless --no-fork), so an engine crash
 * or a hang (killed by an alarm) costs one script, not the whole run; the
 * child reports its counts through shared memory as it goes.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <wasmd/engine.h>

#include "wat.h"

#define SHOWN_FAILURES 5
#define SCRIPT_TIMEOUT_S 600
#define MAX_RESULTS 64

/* Counts of one script, shared with the parent when forked. */
typedef struct counts {
	long passed, failed, skipped;
	long line; /* of the command being run, to report a crash */
} counts;

typedef struct named_inst {
	char *name; /* own */
	we_instance *inst;
} named_inst;

typedef struct named_mod {
	char *name; /* own */
	we_module *m;
} named_mod;

typedef struct spectest_entry {
	const char *name;
	we_extern value;
} spectest_entry;

#define SPECTEST_N 15

/* The state of one script run. */
typedef struct script {
	const char *dir;  /* borrowed: the script's folder */
	const char *name; /* borrowed */
	bool verbose;
	counts *n; /* borrowed */

	we_store *store;  /* own */
	we_module **mods; /* own, each freed after the store */
	size_t nmods, capmods;
	named_inst *named; /* own: module names ($M) */
	size_t nnamed, capnamed;
	named_inst *regs; /* own: register'ed names */
	size_t nregs, capregs;
	we_instance *current;
	spectest_entry spectest[SPECTEST_N];
	/* module_definition (3.0): modules by name, and the latest one. */
	named_mod *defs; /* own: names; the modules are in mods */
	size_t ndefs, capdefs;
	we_module *last_def;

	bool text;  /* modules from the .wast text (--text) */
	char *wast; /* own: the script's .wast, read when text is set */
	size_t wastlen;

	char *report; /* own: failure details, printed after the count line */
	size_t reportlen, reportcap;
	long shown;
} script;

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (q == NULL) {
		fprintf(stderr, "spec-runner: out of memory\n");
		exit(2);
	}
	return q;
}

static void
report_append(script *sc, const char *text)
{
	size_t len = strlen(text);
	if (sc->reportlen + len + 1 > sc->reportcap) {
		sc->reportcap = (sc->reportlen + len + 1) * 2;
		sc->report = xrealloc(sc->report, sc->reportcap);
	}
	memcpy(sc->report + sc->reportlen, text, len + 1);
	sc->reportlen += len;
}

static void fail(script *sc, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Counts a failure of the command at line and records why. */
static void
fail(script *sc, long line, const char *fmt, ...)
{
	char why[900], msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	sc->n->failed++;
	if (!sc->verbose && sc->shown >= SHOWN_FAILURES)
		return;
	sc->shown++;
	snprintf(msg, sizeof(msg), "  %s:%ld: %s\n", sc->name, line, why);
	report_append(sc, msg);
}

/* --wasm2: modules are decoded under WebAssembly 2.0's rules. */
static bool wasm2_mode;

/* Decodes a module as the suite being run wants it. */
static we_module *
new_module(const uint8_t *bytes, size_t len, we_error *err)
{
	if (wasm2_mode)
		return we_module_new_wasm2(bytes, len, err);
	return we_module_new(bytes, len, err);
}

/* ---- The spectest host module --------------------------------------- */

static we_host_status
spectest_print(we_hostcall *call)
{
	(void)call;
	return WE_HOST_OK;
}

static we_func *
spectest_func(we_store *s, const we_valtype *params, uint32_t n)
{
	we_functype t = {.nparams = n, .params = params};
	return we_func_new_host(s, &t, spectest_print, NULL, NULL);
}

static we_global *
spectest_global(we_store *s, we_valtype type, uint64_t bits)
{
	we_globaltype gt = {.type = type, .mutable_ = false};
	we_val v = {.type = type};
	switch (type) {
	case WE_I32: v.of.i32 = (int32_t)bits; break;
	case WE_I64: v.of.i64 = (int64_t)bits; break;
	case WE_F32: v.of.f32_bits = (uint32_t)bits; break;
	default: v.of.f64_bits = bits; break;
	}
	return we_global_new(s, &gt, v);
}

static bool
spectest_init(script *sc)
{
	static const we_valtype i32 = WE_I32, i64 = WE_I64, f32 = WE_F32,
	                        f64 = WE_F64;
	static const we_valtype i32_f32[] = {WE_I32, WE_F32};
	static const we_valtype f64_f64[] = {WE_F64, WE_F64};
	we_store *s = sc->store;
	spectest_entry *e = sc->spectest;
	float f32v = 666.6f;
	double f64v = 666.6;
	uint32_t f32bits;
	uint64_t f64bits;

	memcpy(&f32bits, &f32v, 4);
	memcpy(&f64bits, &f64v, 8);
	e[0] = (spectest_entry){
	    "print", {WE_EXTERN_FUNC, {.func = spectest_func(s, NULL, 0)}}};
	e[1] = (spectest_entry){
	    "print_i32", {WE_EXTERN_FUNC, {.func = spectest_func(s, &i32, 1)}}};
	e[2] = (spectest_entry){
	    "print_i64", {WE_EXTERN_FUNC, {.func = spectest_func(s, &i64, 1)}}};
	e[3] = (spectest_entry){
	    "print_f32", {WE_EXTERN_FUNC, {.func = spectest_func(s, &f32, 1)}}};
	e[4] = (spectest_entry){
	    "print_f64", {WE_EXTERN_FUNC, {.func = spectest_func(s, &f64, 1)}}};
	e[5] = (spectest_entry){"print_i32_f32",
	    {WE_EXTERN_FUNC, {.func = spectest_func(s, i32_f32, 2)}}};
	e[6] = (spectest_entry){"print_f64_f64",
	    {WE_EXTERN_FUNC, {.func = spectest_func(s, f64_f64, 2)}}};
	e[7] = (spectest_entry){"global_i32",
	    {WE_EXTERN_GLOBAL, {.global = spectest_global(s, WE_I32, 666)}}};
	e[8] = (spectest_entry){"global_i64",
	    {WE_EXTERN_GLOBAL, {.global = spectest_global(s, WE_I64, 666)}}};
	e[9] = (spectest_entry){"global_f32",
	    {WE_EXTERN_GLOBAL,
	        {.global = spectest_global(s, WE_F32, f32bits)}}};
	e[10] = (spectest_entry){"global_f64",
	    {WE_EXTERN_GLOBAL,
	        {.global = spectest_global(s, WE_F64, f64bits)}}};
	we_tabletype tt = {.elem = WE_FUNCREF, .limits = {10, 20, true}};
	we_val null = {.type = WE_FUNCREF};
	e[11] = (spectest_entry){
	    "table", {WE_EXTERN_TABLE, {.table = we_table_new(s, &tt, null)}}};
	we_memtype mt = {.limits = {1, 2, true}};
	e[12] = (spectest_entry){
	    "memory", {WE_EXTERN_MEMORY, {.memory = we_memory_new(s, &mt)}}};
	we_tabletype tt64 = {
	    .elem = WE_FUNCREF, .limits = {10, 20, true}, .addr64 = true};
	e[13] = (spectest_entry){"table64",
	    {WE_EXTERN_TABLE, {.table = we_table_new(s, &tt64, null)}}};
	e[14] = (spectest_entry){NULL, {WE_EXTERN_FUNC, {.func = NULL}}};
	for (int i = 0; i < SPECTEST_N - 1; i++)
		if (e[i].value.of.func == NULL)
			return false;
	return true;
}

/* ---- Module and instance bookkeeping -------------------------------- */

static void
names_add(named_inst **arr, size_t *n, size_t *cap, const char *name,
    we_instance *inst)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*arr = xrealloc(*arr, *cap * sizeof(**arr));
	}
	(*arr)[*n].name = strdup(name);
	(*arr)[*n].inst = inst;
	(*n)++;
}

/* The latest instance registered or named name, or NULL. */
static we_instance *
names_find(const named_inst *arr, size_t n, const char *name)
{
	for (size_t i = n; i-- > 0;)
		if (strcmp(arr[i].name, name) == 0)
			return arr[i].inst;
	return NULL;
}

static void
names_free(named_inst *arr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(arr[i].name);
	free(arr);
}

/* Reads SCRIPT_DIR/file into a malloc'd buffer; NULL if unreadable. */
static uint8_t *
read_file(const script *sc, const char *file, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", sc->dir, file);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

/*
 * Skips a string or a comment at s[*i] in text of len bytes; false when
 * there is none there.
 */
static bool
skip_string_or_comment(const char *s, size_t len, size_t *i)
{
	if (s[*i] == '"') {
		for ((*i)++; *i < len && s[*i] != '"'; (*i)++)
			if (s[*i] == '\\')
				(*i)++;
		(*i)++;
		return true;
	}
	if (s[*i] == ';' && *i + 1 < len && s[*i + 1] == ';') {
		while (*i < len && s[*i] != '\n')
			(*i)++;
		return true;
	}
	if (s[*i] == '(' && *i + 1 < len && s[*i + 1] == ';') {
		int depth = 0;

		do {
			if (s[*i] == '(' && *i + 1 < len && s[*i + 1] == ';') {
				depth++;
				(*i)++;
			} else if (s[*i] == ';' && *i + 1 < len &&
			    s[*i + 1] == ')') {
				depth--;
				(*i)++;
			}
			(*i)++;
		} while (depth > 0 && *i < len);
		return true;
	}
	return false;
}

/*
 * The text of the first "(module" at or after line of the script's .wast,
 * up to its closing parenthesis. False when there is none.
 */
static bool
module_text_at(const script *sc, long line, const char **start, size_t *len)
{
	const char *s = sc->wast;
	size_t n = sc->wastlen, i = 0, from;
	long at = 1;
	int depth = 0;

	while (i < n && at < line)
		if (s[i++] == '\n')
			at++;
	while (i + 7 <= n && memcmp(s + i, "(module", 7) != 0)
		if (!skip_string_or_comment(s, n, &i))
			i++;
	if (i + 7 > n)
		return false;
	from = i;
	while (i < n) {
		if (skip_string_or_comment(s, n, &i))
			continue;
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			break;
		i++;
	}
	if (i >= n)
		return false;
	*start = s + from;
	*len = i + 1 - from;
	return true;
}

/*
 * The binary of the module of the command at line, from the .wast text
 * through libwasmd-wat. NULL with err filled (WE_ERR_MALFORMED: the text
 * was rejected).
 */
static uint8_t *
text_module(script *sc, long line, size_t *len, we_error *err)
{
	const char *text;
	size_t textlen;
	uint8_t *bytes;
	wat_error werr;

	if (!module_text_at(sc, line, &text, &textlen) && line == 1) {
		/* A script that is one module's fields, without (module). */
		text = sc->wast;
		textlen = sc->wastlen;
	} else if (!module_text_at(sc, line, &text, &textlen)) {
		err->code = WE_ERR_ARG;
		snprintf(err->message, sizeof(err->message),
		    "no (module ...) at line %ld of the .wast", line);
		return NULL;
	}
	if (wat_to_wasm(text, textlen, &bytes, len, &werr) < 0) {
		err->code = WE_ERR_MALFORMED;
		snprintf(err->message, sizeof(err->message),
		    "text rejected at %u:%u: %.200s", werr.line, werr.col,
		    werr.message);
		return NULL;
	}
	return bytes;
}

/*
 * Decodes file (or, with --text, the module text at line) into a module
 * kept until the script ends. NULL with err filled when it fails
 * (err->code WE_ERR_ARG when the file is unreadable).
 */
static we_module *
load_module(script *sc, const char *file, long line, we_error *err)
{
	size_t len = 0;
	uint8_t *bytes = sc->text ? text_module(sc, line, &len, err)
	                          : read_file(sc, file, &len);
	if (bytes == NULL && sc->text)
		return NULL;
	if (bytes == NULL) {
		err->code = WE_ERR_ARG;
		snprintf(err->message, sizeof(err->message),
		    "cannot read %s: %s", file, strerror(errno));
		return NULL;
	}
	memset(err, 0, sizeof(*err));
	we_module *m = new_module(bytes, len, err);
	free(bytes);
	if (m == NULL) {
		if (err->code == WE_OK)
			err->code = WE_ERR_MALFORMED;
		return NULL;
	}
	if (sc->nmods == sc->capmods) {
		sc->capmods = sc->capmods ? sc->capmods * 2 : 16;
		sc->mods =
		    xrealloc(sc->mods, sc->capmods * sizeof(we_module *));
	}
	sc->mods[sc->nmods++] = m;
	return m;
}

/* Resolves m's imports from the registered instances and spectest. */
static we_instance *
instantiate(script *sc, const we_module *m, we_error *err)
{
	uint32_t n = we_module_import_count(m);
	we_import *imports = calloc(n + 1, sizeof(*imports));
	size_t k = 0;

	if (imports == NULL) {
		fprintf(stderr, "spec-runner: out of memory\n");
		exit(2);
	}
	for (uint32_t i = 0; i < n; i++) {
		we_importdesc d;
		we_module_import(m, i, &d);
		we_instance *from = names_find(sc->regs, sc->nregs, d.module);
		if (from != NULL) {
			if (!we_instance_export(
			        from, d.name, &imports[k].value))
				continue;
		} else if (strcmp(d.module, "spectest") == 0) {
			const spectest_entry *e = sc->spectest;
			while (e->name != NULL && strcmp(e->name, d.name) != 0)
				e++;
			if (e->name == NULL)
				continue;
			imports[k].value = e->value;
		} else {
			continue;
		}
		imports[k].module = d.module;
		imports[k].name = d.name;
		k++;
	}
	memset(err, 0, sizeof(*err));
	we_instance *inst = we_instance_new(sc->store, m, imports, k, err);
	free(imports);
	return inst;
}

/* ---- Values ----------------------------------------------------------- */

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
} expect_kind;

typedef struct expect {
	we_val val;
	expect_kind kind;
	/* A v128: its lane shape and what each lane must be. */
	uint32_t lane_bits; /* 8, 16, 32 or 64 */
	bool lane_float;
	expect_kind lane_kind[16];
} expect;

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
	else
		return -1; /* a host reference as anyref: not supported */
	return 1;
}

/* The lane shape of a v128 value's lane_type into e; false if unknown. */
static bool
parse_lane_type(const char *s, expect *e)
{
	static const struct {
		const char *name;
		uint32_t bits;
		bool is_float;
	} shapes[] = {{"i8", 8, false}, {"i16", 16, false}, {"i32", 32, false},
	    {"i64", 64, false}, {"f32", 32, true}, {"f64", 64, true}};
	for (size_t i = 0; s != NULL && i < sizeof(shapes) / sizeof(shapes[0]);
	     i++)
		if (strcmp(s, shapes[i].name) == 0) {
			e->lane_bits = shapes[i].bits;
			e->lane_float = shapes[i].is_float;
			return true;
		}
	return false;
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
	uint32_t n;

	e->val.type = WE_V128;
	if (!parse_lane_type(
	        json_string_value(json_object_get(j, "lane_type")), e))
		return -1;
	n = 128 / e->lane_bits;
	if (json_array_size(lanes) != n)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const char *v = json_string_value(json_array_get(lanes, i));
		uint32_t bytes = e->lane_bits / 8;
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
		for (uint32_t k = 0; k < bytes; k++)
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

/*
 * Parses {"type", "value"} into e. Returns 1 on success, 0 for a value
 * this runner does not handle (the command is skipped), -1 when the JSON
 * is malformed.
 */
static int
parse_value(json_t *j, expect *e)
{
	const char *type = json_string_value(json_object_get(j, "type"));
	json_t *jv = json_object_get(j, "value");
	const char *v = json_string_value(jv);

	memset(e, 0, sizeof(*e));
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
	case WE_V128: return 0;
	case WE_EXNREF: return -1; /* parse_other_ref's */
	}
	return 1;
}

static void
format_val(char *buf, size_t cap, const we_val *v)
{
	switch (v->type) {
	case WE_I32:
		snprintf(buf, cap, "i32:%" PRIu32 " (%" PRId32 ")",
		    (uint32_t)v->of.i32, v->of.i32);
		break;
	case WE_I64:
		snprintf(buf, cap, "i64:%" PRIu64 " (%" PRId64 ")",
		    (uint64_t)v->of.i64, v->of.i64);
		break;
	case WE_F32:
		snprintf(buf, cap, "f32:0x%08" PRIx32 " (%g)", v->of.f32_bits,
		    (double)v->of.f32);
		break;
	case WE_F64:
		snprintf(buf, cap, "f64:0x%016" PRIx64 " (%g)", v->of.f64_bits,
		    v->of.f64);
		break;
	case WE_FUNCREF:
		snprintf(buf, cap, "funcref:%s",
		    v->of.funcref ? "non-null" : "null");
		break;
	case WE_EXTERNREF:
		if (v->of.externref == NULL)
			snprintf(buf, cap, "externref:null");
		else
			snprintf(buf, cap, "externref:%" PRIuPTR,
			    (uintptr_t)v->of.externref - 1);
		break;
	case WE_V128: {
		int k = snprintf(buf, cap, "v128:0x");
		for (int i = 15; i >= 0 && k > 0 && (size_t)k < cap; i--)
			k += snprintf(
			    buf + k, cap - (size_t)k, "%02x", v->of.v128[i]);
		break;
	}
	default: snprintf(buf, cap, "type 0x%x", (unsigned)v->type); break;
	}
}

static void
format_expect(char *buf, size_t cap, const expect *e)
{
	const char *t = we_valtype_name(e->val.type);
	switch (e->kind) {
	case EXPECT_EXACT: format_val(buf, cap, &e->val); break;
	case EXPECT_NAN_CANONICAL:
		snprintf(buf, cap, "%s:nan:canonical", t);
		break;
	case EXPECT_NAN_ARITHMETIC:
		snprintf(buf, cap, "%s:nan:arithmetic", t);
		break;
	case EXPECT_NONNULL_REF: snprintf(buf, cap, "%s:non-null", t); break;
	case EXPECT_ANY_NULL_REF: snprintf(buf, cap, "ref:null"); break;
	case EXPECT_ANY_NONNULL_REF: snprintf(buf, cap, "ref:non-null"); break;
	}
}

static bool
nan_matches(const we_val *got, expect_kind kind)
{
	if (got->type == WE_F32) {
		uint32_t b = got->of.f32_bits & 0x7fffffffu;
		return kind == EXPECT_NAN_CANONICAL
		    ? b == 0x7fc00000u
		    : (b & 0x7fc00000u) == 0x7fc00000u;
	}
	uint64_t b = got->of.f64_bits & 0x7fffffffffffffffull;
	return kind == EXPECT_NAN_CANONICAL
	    ? b == 0x7ff8000000000000ull
	    : (b & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

/* Whether t is a reference type (every type but the numeric ones). */
static bool
is_ref_type(we_valtype t)
{
	return t != WE_I32 && t != WE_I64 && t != WE_F32 && t != WE_F64 &&
	    t != WE_V128;
}

/* Whether lane i of the v128 got is what e wants of it. */
static bool
lane_matches(const we_val *got, const expect *e, uint32_t i)
{
	uint32_t bytes = e->lane_bits / 8;
	we_val lane = {.type = bytes == 4 ? WE_F32 : WE_F64};

	if (e->lane_kind[i] == EXPECT_EXACT)
		return memcmp(got->of.v128 + i * bytes,
		           e->val.of.v128 + i * bytes, bytes) == 0;
	memcpy(&lane.of, got->of.v128 + i * bytes, bytes);
	return nan_matches(&lane, e->lane_kind[i]);
}

static bool
value_matches(const we_val *got, const expect *e)
{
	if (e->kind == EXPECT_ANY_NULL_REF || e->kind == EXPECT_ANY_NONNULL_REF)
		return is_ref_type(got->type) &&
		    (got->of.externref == NULL) ==
		    (e->kind == EXPECT_ANY_NULL_REF);
	if (got->type != e->val.type)
		return false;
	if (got->type == WE_V128) {
		for (uint32_t i = 0; i < 128 / e->lane_bits; i++)
			if (!lane_matches(got, e, i))
				return false;
		return true;
	}
	switch (e->kind) {
	case EXPECT_NAN_CANONICAL:
	case EXPECT_NAN_ARITHMETIC:
		return (got->type == WE_F32 || got->type == WE_F64) &&
		    nan_matches(got, e->kind);
	case EXPECT_NONNULL_REF:
		return got->type == WE_FUNCREF ? got->of.funcref != NULL
		                               : got->of.externref != NULL;
	case EXPECT_ANY_NULL_REF:
	case EXPECT_ANY_NONNULL_REF:
	case EXPECT_EXACT: break;
	}
	switch (got->type) {
	case WE_I32: return got->of.i32 == e->val.of.i32;
	case WE_I64: return got->of.i64 == e->val.of.i64;
	case WE_F32: return got->of.f32_bits == e->val.of.f32_bits;
	case WE_F64: return got->of.f64_bits == e->val.of.f64_bits;
	case WE_FUNCREF: return got->of.funcref == e->val.of.funcref;
	case WE_EXTERNREF: return got->of.externref == e->val.of.externref;
	default: return false;
	}
}

/* ---- Actions ---------------------------------------------------------- */

typedef enum act_status {
	ACT_OK,
	ACT_TRAP,
	ACT_ERROR, /* could not run: why says it */
	ACT_SKIP,  /* uses v128 */
} act_status;

typedef struct act_result {
	we_val vals[MAX_RESULTS];
	size_t n;
	char why[512];
	char desc[160]; /* "invoke f" for failure messages */
} act_result;

static we_instance *
action_instance(script *sc, json_t *action, act_result *r)
{
	const char *mod = json_string_value(json_object_get(action, "module"));
	we_instance *inst =
	    mod ? names_find(sc->named, sc->nnamed, mod) : sc->current;
	if (inst == NULL)
		snprintf(r->why, sizeof(r->why), "no module %s to act on",
		    mod ? mod : "(current)");
	return inst;
}

static act_status
call_status(script *sc, we_call_status st, act_result *r)
{
	switch (st) {
	case WE_CALL_OK: return ACT_OK;
	case WE_CALL_TRAP: {
		const we_trap *t = we_store_trap(sc->store);
		snprintf(r->why, sizeof(r->why), "trap (%s): %s",
		    we_trap_kind_name(t->kind), t->message);
		return ACT_TRAP;
	}
	case WE_CALL_SUSPENDED:
		we_abandon(sc->store);
		snprintf(r->why, sizeof(r->why), "the call suspended");
		return ACT_ERROR;
	case WE_CALL_ERROR:
		snprintf(r->why, sizeof(r->why), "call error: %s",
		    we_store_error(sc->store));
		return ACT_ERROR;
	}
	return ACT_ERROR;
}

static act_status
invoke(script *sc, json_t *action, we_instance *inst, act_result *r)
{
	const char *field = json_string_value(json_object_get(action, "field"));
	json_t *args = json_object_get(action, "args");
	size_t nargs = json_array_size(args);
	we_val argv[MAX_RESULTS];

	/* Names may hold NUL bytes: look them up with their length. */
	we_extern ex;
	we_func *f = NULL;
	if (field != NULL &&
	    we_instance_export_n(inst, field,
	        json_string_length(json_object_get(action, "field")), &ex) &&
	    ex.kind == WE_EXTERN_FUNC)
		f = ex.of.func;
	if (f == NULL) {
		snprintf(r->why, sizeof(r->why), "no exported function \"%s\"",
		    field ? field : "?");
		return ACT_ERROR;
	}
	if (nargs > MAX_RESULTS) {
		snprintf(r->why, sizeof(r->why), "too many arguments");
		return ACT_ERROR;
	}
	for (size_t i = 0; i < nargs; i++) {
		expect e;
		int ok = parse_value(json_array_get(args, i), &e);
		if (ok == 0)
			return ACT_SKIP;
		if (ok < 0 || e.kind != EXPECT_EXACT) {
			snprintf(r->why, sizeof(r->why), "bad argument %zu", i);
			return ACT_ERROR;
		}
		argv[i] = e.val;
	}
	const we_functype *t = we_func_type(f);
	if (t->nresults > MAX_RESULTS) {
		snprintf(r->why, sizeof(r->why), "too many results");
		return ACT_ERROR;
	}
	r->n = t->nresults;
	return call_status(
	    sc, we_func_call(sc->store, f, argv, nargs, r->vals, r->n), r);
}

static act_status
get_global(json_t *action, we_instance *inst, act_result *r)
{
	const char *field = json_string_value(json_object_get(action, "field"));
	we_extern e;
	if (field == NULL || !we_instance_export(inst, field, &e) ||
	    e.kind != WE_EXTERN_GLOBAL) {
		snprintf(r->why, sizeof(r->why), "no exported global \"%s\"",
		    field ? field : "?");
		return ACT_ERROR;
	}
	r->vals[0] = we_global_get(e.of.global);
	r->n = 1;
	return ACT_OK;
}

static act_status
run_action(script *sc, json_t *action, act_result *r)
{
	const char *type = json_string_value(json_object_get(action, "type"));
	const char *field = json_string_value(json_object_get(action, "field"));

	memset(r, 0, sizeof(*r));
	snprintf(r->desc, sizeof(r->desc), "%s \"%s\"", type ? type : "?",
	    field ? field : "?");
	we_instance *inst = action_instance(sc, action, r);
	if (inst == NULL)
		return ACT_ERROR;
	if (type != NULL && strcmp(type, "invoke") == 0)
		return invoke(sc, action, inst, r);
	if (type != NULL && strcmp(type, "get") == 0)
		return get_global(action, inst, r);
	snprintf(r->why, sizeof(r->why), "unknown action type");
	return ACT_ERROR;
}

/* ---- Commands --------------------------------------------------------- */

/*
 * Instantiates m as the current instance, named name (may be NULL), and
 * counts the command (what names the module in a failure).
 */
static void
make_current(
    script *sc, we_module *m, const char *name, long line, const char *what)
{
	we_error err;
	we_instance *inst = instantiate(sc, m, &err);

	if (inst == NULL) {
		fail(sc, line, "module %s: instantiation failed: %s: %s", what,
		    we_strerror(err.code), err.message);
		return;
	}
	sc->current = inst;
	if (name != NULL)
		names_add(&sc->named, &sc->nnamed, &sc->capnamed, name, inst);
	sc->n->passed++;
}

static void
cmd_module(script *sc, json_t *cmd, long line)
{
	const char *file = json_string_value(json_object_get(cmd, "filename"));
	const char *name = json_string_value(json_object_get(cmd, "name"));
	we_error err = {.code = WE_ERR_ARG, .message = "no filename"};

	sc->current = NULL;
	we_module *m = file ? load_module(sc, file, line, &err) : NULL;
	if (m == NULL) {
		fail(sc, line, "module %s: %s: %s", file ? file : "?",
		    we_strerror(err.code), err.message);
		return;
	}
	make_current(sc, m, name, line, file);
}

/* module_definition (3.0): the module decodes and validates; kept. */
static void
cmd_module_definition(script *sc, json_t *cmd, long line)
{
	const char *file = json_string_value(json_object_get(cmd, "filename"));
	const char *name = json_string_value(json_object_get(cmd, "name"));
	we_error err = {.code = WE_ERR_ARG, .message = "no filename"};
	we_module *m = file ? load_module(sc, file, line, &err) : NULL;

	if (m == NULL) {
		fail(sc, line, "module_definition %s: %s: %s",
		    file ? file : "?", we_strerror(err.code), err.message);
		return;
	}
	sc->last_def = m;
	if (name != NULL) {
		if (sc->ndefs == sc->capdefs) {
			sc->capdefs = sc->capdefs ? sc->capdefs * 2 : 8;
			sc->defs =
			    xrealloc(sc->defs, sc->capdefs * sizeof(*sc->defs));
		}
		sc->defs[sc->ndefs].name = strdup(name);
		sc->defs[sc->ndefs++].m = m;
	}
	sc->n->passed++;
}

/* The module definition named name (the latest one if NULL), or NULL. */
static we_module *
find_definition(const script *sc, const char *name)
{
	if (name == NULL)
		return sc->last_def;
	for (size_t i = sc->ndefs; i-- > 0;)
		if (strcmp(sc->defs[i].name, name) == 0)
			return sc->defs[i].m;
	return NULL;
}

/*
 * module_instance (3.0): instantiates a module definition; the instance
 * becomes the current one, named when the command names it.
 */
static void
cmd_module_instance(script *sc, json_t *cmd, long line)
{
	const char *mod = json_string_value(json_object_get(cmd, "module"));
	const char *name = json_string_value(json_object_get(cmd, "instance"));
	we_module *m = find_definition(sc, mod);

	sc->current = NULL;
	if (m == NULL) {
		fail(sc, line, "module_instance: no module definition %s",
		    mod ? mod : "(latest)");
		return;
	}
	make_current(sc, m, name, line, mod ? mod : "(latest)");
}

static void
cmd_register(script *sc, json_t *cmd, long line)
{
	const char *as = json_string_value(json_object_get(cmd, "as"));
	const char *name = json_string_value(json_object_get(cmd, "name"));
	we_instance *inst =
	    name ? names_find(sc->named, sc->nnamed, name) : sc->current;

	if (as == NULL || inst == NULL) {
		fail(sc, line, "register: no module %s",
		    name ? name : "(current)");
		return;
	}
	names_add(&sc->regs, &sc->nregs, &sc->capregs, as, inst);
	sc->n->passed++;
}

static void
cmd_action(script *sc, json_t *cmd, long line)
{
	act_result r;
	switch (run_action(sc, json_object_get(cmd, "action"), &r)) {
	case ACT_OK: sc->n->passed++; break;
	case ACT_SKIP: sc->n->skipped++; break;
	case ACT_TRAP:
	case ACT_ERROR: fail(sc, line, "action %s: %s", r.desc, r.why); break;
	}
}

/* Whether expected value j is an "either" of alternatives (3.0). */
static bool
is_either(json_t *j)
{
	const char *type = json_string_value(json_object_get(j, "type"));
	return type != NULL && strcmp(type, "either") == 0;
}

/*
 * Matches got against the alternatives of "either" j: 2 when one
 * matches; else parse_value's result for the last alternative, which
 * is left in *last (for the message).
 */
static int
either_matches(json_t *j, const we_val *got, expect *last)
{
	json_t *alts = json_object_get(j, "values");
	int ok = -1;

	for (size_t k = 0; k < json_array_size(alts); k++) {
		ok = parse_value(json_array_get(alts, k), last);
		if (ok == 1 && value_matches(got, last))
			return 2;
		if (ok != 1)
			return ok;
	}
	return ok;
}

/* Compares r with the expected values of cmd; describes a mismatch. */
static bool
results_match(
    json_t *expected, const act_result *r, char *why, size_t cap, bool *skip)
{
	size_t n = json_array_size(expected);
	if (n != r->n) {
		snprintf(why, cap, "expected %zu results, got %zu", n, r->n);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *je = json_array_get(expected, i);
		expect e;
		int ok;
		if (is_either(je)) {
			ok = either_matches(je, &r->vals[i], &e);
			if (ok == 2)
				continue;
		} else {
			ok = parse_value(je, &e);
		}
		if (ok == 0) {
			*skip = true;
			return false;
		}
		if (ok < 0) {
			snprintf(why, cap, "bad expected value %zu", i);
			return false;
		}
		if (!value_matches(&r->vals[i], &e)) {
			char es[96], gs[96];
			format_expect(es, sizeof(es), &e);
			format_val(gs, sizeof(gs), &r->vals[i]);
			snprintf(why, cap, "result %zu: expected %s, got %s", i,
			    es, gs);
			return false;
		}
	}
	return true;
}

static void
cmd_assert_return(script *sc, json_t *cmd, long line)
{
	act_result r;
	char why[512];
	bool skip = false;

	switch (run_action(sc, json_object_get(cmd, "action"), &r)) {
	case ACT_OK: break;
	case ACT_SKIP: sc->n->skipped++; return;
	case ACT_TRAP:
	case ACT_ERROR:
		fail(sc, line, "assert_return %s: %s", r.desc, r.why);
		return;
	}
	if (results_match(
	        json_object_get(cmd, "expected"), &r, why, sizeof(why), &skip))
		sc->n->passed++;
	else if (skip)
		sc->n->skipped++;
	else
		fail(sc, line, "assert_return %s: %s", r.desc, why);
}

/*
 * The trap kind the reference interpreter's message text names, or
 * WE_TRAP_NONE when the text is not one this runner knows (then any trap
 * passes).
 */
static we_trap_kind
trap_kind_for_text(const char *text)
{
	static const struct {
		const char *prefix;
		we_trap_kind kind;
	} kinds[] = {
	    {"unreachable", WE_TRAP_UNREACHABLE},
	    {"out of bounds memory access", WE_TRAP_MEMORY_OUT_OF_BOUNDS},
	    {"out of bounds table access", WE_TRAP_TABLE_OUT_OF_BOUNDS},
	    {"integer divide by zero", WE_TRAP_DIV_BY_ZERO},
	    {"integer overflow", WE_TRAP_INTEGER_OVERFLOW},
	    {"invalid conversion to integer", WE_TRAP_INVALID_CONVERSION},
	    {"indirect call type mismatch",
	        WE_TRAP_INDIRECT_CALL_TYPE_MISMATCH},
	    {"undefined element", WE_TRAP_UNDEFINED_ELEMENT},
	    {"uninitialized element", WE_TRAP_UNINITIALIZED_ELEMENT},
	    {"call stack exhausted", WE_TRAP_CALL_STACK_EXHAUSTED},
	};
	for (size_t i = 0; text != NULL && i < sizeof(kinds) / sizeof(kinds[0]);
	     i++)
		if (strncmp(text, kinds[i].prefix, strlen(kinds[i].prefix)) ==
		    0)
			return kinds[i].kind;
	return WE_TRAP_NONE;
}

/* Whether the store's last trap is the one text names. */
static bool
trap_matches(script *sc, const char *text)
{
	we_trap_kind want = trap_kind_for_text(text);
	return want == WE_TRAP_NONE || we_store_trap(sc->store)->kind == want;
}

/* assert_trap and assert_exhaustion on an action. */
static void
cmd_assert_trap_action(script *sc, json_t *cmd, long line, bool exhaustion)
{
	const char *what = exhaustion ? "assert_exhaustion" : "assert_trap";
	const char *text = json_string_value(json_object_get(cmd, "text"));
	act_result r;

	switch (run_action(sc, json_object_get(cmd, "action"), &r)) {
	case ACT_SKIP: sc->n->skipped++; return;
	case ACT_OK:
		fail(sc, line, "%s %s: expected a trap (%s), returned normally",
		    what, r.desc, text ? text : "?");
		return;
	case ACT_ERROR:
		fail(sc, line, "%s %s: %s", what, r.desc, r.why);
		return;
	case ACT_TRAP: break;
	}
	if (!trap_matches(sc, exhaustion ? "call stack exhausted" : text)) {
		fail(sc, line, "%s %s: expected a trap for %s, got %s", what,
		    r.desc, exhaustion ? "call stack exhausted" : text, r.why);
		return;
	}
	sc->n->passed++;
}

/*
 * assert_exception (3.0): the action ends by throwing an exception that
 * nothing catches, which the engine reports as a WE_TRAP_EXCEPTION trap.
 */
static void
cmd_assert_exception(script *sc, json_t *cmd, long line)
{
	act_result r;

	switch (run_action(sc, json_object_get(cmd, "action"), &r)) {
	case ACT_SKIP: sc->n->skipped++; return;
	case ACT_OK:
		fail(
		    sc, line, "assert_exception %s: returned normally", r.desc);
		return;
	case ACT_ERROR:
		fail(sc, line, "assert_exception %s: %s", r.desc, r.why);
		return;
	case ACT_TRAP: break;
	}
	if (we_store_trap(sc->store)->kind != WE_TRAP_EXCEPTION) {
		fail(sc, line,
		    "assert_exception %s: expected an exception, got %s",
		    r.desc, r.why);
		return;
	}
	sc->n->passed++;
}

/*
 * assert_unlinkable, assert_uninstantiable and assert_trap on a module:
 * the module must decode and its instantiation fail with code want.
 */
static void
cmd_assert_instantiation(
    script *sc, json_t *cmd, long line, const char *what, we_err want)
{
	const char *file = json_string_value(json_object_get(cmd, "filename"));
	const char *text = json_string_value(json_object_get(cmd, "text"));
	we_error err = {.code = WE_ERR_ARG, .message = "no filename"};

	we_module *m = file ? load_module(sc, file, line, &err) : NULL;
	if (m == NULL) {
		fail(sc, line, "%s %s: module failed to load: %s: %s", what,
		    file ? file : "?", we_strerror(err.code), err.message);
		return;
	}
	if (instantiate(sc, m, &err) != NULL) {
		fail(sc, line, "%s %s: expected failure (%s), instantiated",
		    what, file, text ? text : "?");
		return;
	}
	if (err.code != want) {
		fail(sc, line, "%s %s: expected %s (%s), got %s: %s", what,
		    file, we_strerror(want), text ? text : "?",
		    we_strerror(err.code), err.message);
		return;
	}
	if (want == WE_ERR_TRAP && !trap_matches(sc, text)) {
		fail(sc, line, "%s %s: expected a trap for %s, got %s (%s)",
		    what, file, text ? text : "?",
		    we_trap_kind_name(we_store_trap(sc->store)->kind),
		    we_store_trap(sc->store)->message);
		return;
	}
	sc->n->passed++;
}

/*
 * assert_malformed of a module in the text format (file is a .wat of the
 * script): libwasmd-wat must reject it.
 */
static void
cmd_text_malformed(script *sc, const char *file, long line, const char *text)
{
	size_t len = 0, outlen;
	uint8_t *src = file ? read_file(sc, file, &len) : NULL, *out;
	wat_error werr;

	if (src == NULL) {
		fail(sc, line, "assert_malformed: cannot read %s",
		    file ? file : "?");
		return;
	}
	if (wat_to_wasm((const char *)src, len, &out, &outlen, &werr) == 0) {
		free(out);
		fail(sc, line,
		    "assert_malformed %s: text accepted, expected "
		    "rejection (%s)",
		    file, text ? text : "?");
	} else {
		sc->n->passed++;
	}
	free(src);
}

/*
 * assert_invalid and assert_malformed: decoding must fail, with the error
 * class the command names (WE_ERR_INVALID or WE_ERR_MALFORMED).
 */
static void
cmd_assert_rejected(script *sc, json_t *cmd, long line, const char *what)
{
	const char *file = json_string_value(json_object_get(cmd, "filename"));
	const char *mtype =
	    json_string_value(json_object_get(cmd, "module_type"));
	const char *text = json_string_value(json_object_get(cmd, "text"));
	size_t len = 0;

	if (mtype != NULL && strcmp(mtype, "text") == 0) {
		cmd_text_malformed(sc, file, line, text);
		return;
	}
	we_error terr = {.code = WE_ERR_ARG, .message = "no module text"};
	uint8_t *bytes = !file          ? NULL
	    : sc->text && mtype != NULL ? text_module(sc, line, &len, &terr)
	                                : read_file(sc, file, &len);
	if (bytes == NULL && sc->text && file != NULL) {
		/* The text parser rejected it: right for malformed. */
		if (strcmp(what, "assert_malformed") == 0 &&
		    terr.code == WE_ERR_MALFORMED)
			sc->n->passed++;
		else
			fail(sc, line, "%s: %s", what, terr.message);
		return;
	}
	if (bytes == NULL) {
		fail(sc, line, "%s: cannot read %s", what, file ? file : "?");
		return;
	}
	we_error err = {.code = WE_ERR_ARG, .message = "no filename"};
	memset(&err, 0, sizeof(err));
	we_module *m = new_module(bytes, len, &err);
	free(bytes);
	if (m != NULL) {
		we_module_free(m);
		fail(sc, line, "%s %s: expected rejection (%s), accepted", what,
		    file, text ? text : "?");
		return;
	}
	we_err want = strcmp(what, "assert_malformed") == 0 ? WE_ERR_MALFORMED
	                                                    : WE_ERR_INVALID;
	if (err.code != want) {
		fail(sc, line, "%s %s: expected %s (%s), got %s: %s", what,
		    file, want == WE_ERR_MALFORMED ? "malformed" : "invalid",
		    text ? text : "?",
		    err.code == WE_ERR_MALFORMED ? "malformed"
		                                 : "another error",
		    err.message);
		return;
	}
	sc->n->passed++;
}

static void
run_command(script *sc, json_t *cmd)
{
	const char *type = json_string_value(json_object_get(cmd, "type"));
	long line = (long)json_integer_value(json_object_get(cmd, "line"));

	sc->n->line = line;
	if (type == NULL)
		fail(sc, line, "command without a type");
	else if (strcmp(type, "module") == 0)
		cmd_module(sc, cmd, line);
	else if (strcmp(type, "module_definition") == 0)
		cmd_module_definition(sc, cmd, line);
	else if (strcmp(type, "module_instance") == 0)
		cmd_module_instance(sc, cmd, line);
	else if (strcmp(type, "register") == 0)
		cmd_register(sc, cmd, line);
	else if (strcmp(type, "action") == 0)
		cmd_action(sc, cmd, line);
	else if (strcmp(type, "assert_return") == 0)
		cmd_assert_return(sc, cmd, line);
	else if (strcmp(type, "assert_trap") == 0) {
		if (json_object_get(cmd, "filename") != NULL)
			cmd_assert_instantiation(
			    sc, cmd, line, "assert_trap", WE_ERR_TRAP);
		else
			cmd_assert_trap_action(sc, cmd, line, false);
	} else if (strcmp(type, "assert_exhaustion") == 0)
		cmd_assert_trap_action(sc, cmd, line, true);
	else if (strcmp(type, "assert_exception") == 0)
		cmd_assert_exception(sc, cmd, line);
	else if (strcmp(type, "assert_invalid") == 0 ||
	    strcmp(type, "assert_malformed") == 0)
		cmd_assert_rejected(sc, cmd, line, type);
	else if (strcmp(type, "assert_unlinkable") == 0)
		cmd_assert_instantiation(
		    sc, cmd, line, "assert_unlinkable", WE_ERR_LINK);
	else if (strcmp(type, "assert_uninstantiable") == 0)
		cmd_assert_instantiation(
		    sc, cmd, line, "assert_uninstantiable", WE_ERR_TRAP);
	else
		fail(sc, line, "unknown command type %s", type);
}

/* ---- Scripts ---------------------------------------------------------- */

static void
script_free(script *sc)
{
	we_store_free(sc->store);
	for (size_t i = 0; i < sc->nmods; i++)
		we_module_free(sc->mods[i]);
	free(sc->mods);
	names_free(sc->named, sc->nnamed);
	names_free(sc->regs, sc->nregs);
	for (size_t i = 0; i < sc->ndefs; i++)
		free(sc->defs[i].name);
	free(sc->defs);
	free(sc->report);
	free(sc->wast);
}

/* Runs DIR/name/name.json, counting into n; details go to stdout. */
static bool text_mode; /* --text: modules from the .wast */

static void
run_script(const char *suite, const char *name, bool verbose, counts *n)
{
	char dir[4096], path[4200];
	json_error_t jerr;
	script sc;

	memset(&sc, 0, sizeof(sc));
	snprintf(dir, sizeof(dir), "%s/%s", suite, name);
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	sc.dir = dir;
	sc.name = name;
	sc.verbose = verbose;
	sc.n = n;
	sc.text = text_mode;
	if (text_mode) {
		char wast[4300];

		snprintf(wast, sizeof(wast), "%s.wast", name);
		sc.wast = (char *)read_file(&sc, wast, &sc.wastlen);
		if (sc.wast == NULL)
			fail(&sc, 0, "--text: cannot read %s/%s", dir, wast);
	}
	json_t *root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	json_t *cmds = root ? json_object_get(root, "commands") : NULL;
	if (!json_is_array(cmds)) {
		fail(&sc, 0, "cannot load %s: %s", path,
		    root ? "no commands array" : jerr.text);
	} else if ((sc.store = we_store_new(NULL)) == NULL ||
	    !spectest_init(&sc)) {
		fail(&sc, 0, "cannot create the store and spectest module");
	} else {
		for (size_t i = 0; i < json_array_size(cmds); i++)
			run_command(&sc, json_array_get(cmds, i));
	}
	json_decref(root);
	printf("%s: %ld passed, %ld failed, %ld skipped\n", name, n->passed,
	    n->failed, n->skipped);
	if (sc.report != NULL)
		fputs(sc.report, stdout);
	fflush(stdout);
	script_free(&sc);
}

/* Runs one script in a child; a crash or hang counts as one failure. */
static void
run_script_forked(
    const char *suite, const char *name, bool verbose, counts *shared)
{
	memset(shared, 0, sizeof(*shared));
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("spec-runner: fork");
		run_script(suite, name, verbose, shared);
		return;
	}
	if (pid == 0) {
		alarm(SCRIPT_TIMEOUT_S);
		run_script(suite, name, verbose, shared);
		exit(0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	shared->failed++;
	if (WIFSIGNALED(status))
		printf("%s: %ld passed, %ld failed, %ld skipped\n"
		       "  %s:%ld: the runner died with signal %d (%s) here\n",
		    name, shared->passed, shared->failed, shared->skipped, name,
		    shared->line, WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		printf("%s: the runner exited with status %d (see above)\n",
		    name, WEXITSTATUS(status));
	fflush(stdout);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The script folders of suite, sorted; NULL on error. With --text not the
 * simd_* ones: libwasmd-wat has no SIMD text yet.
 */
static char **
list_scripts(const char *suite, size_t *n)
{
	DIR *d = opendir(suite);
	char **names = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		if (de->d_name[0] == '.' ||
		    (text_mode && strncmp(de->d_name, "simd_", 5) == 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s.json", suite, de->d_name,
		    de->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[(*n)++] = strdup(de->d_name);
	}
	closedir(d);
	if (*n > 0)
		qsort(names, *n, sizeof(*names), compare_names);
	return names ? names : calloc(1, sizeof(char *));
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: spec-runner [--verbose] [--no-fork] [--text] [--wasm2] DIR "
	    "[SCRIPT...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	bool verbose = false, forking = true;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--verbose") == 0)
			verbose = true;
		else if (strcmp(argv[i], "--no-fork") == 0)
			forking = false;
		else if (strcmp(argv[i], "--text") == 0)
			text_mode = true;
		else if (strcmp(argv[i], "--wasm2") == 0)
			wasm2_mode = true;
		else
			usage();
	}
	if (i >= argc)
		usage();
	const char *suite = argv[i++];
	struct stat st;
	if (stat(suite, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr,
		    "spec-runner: the spec test suite directory %s does not "
		    "exist; set WASMD_TESTSUITE_DIR to the converted suite\n",
		    suite);
		return 2;
	}
	size_t nscripts = 0;
	char **scripts = NULL;
	if (i < argc) {
		nscripts = (size_t)(argc - i);
		scripts = xrealloc(NULL, nscripts * sizeof(*scripts));
		for (size_t k = 0; k < nscripts; k++)
			scripts[k] = strdup(argv[i + (int)k]);
	} else if ((scripts = list_scripts(suite, &nscripts)) == NULL ||
	    nscripts == 0) {
		fprintf(stderr, "spec-runner: no scripts found in %s\n", suite);
		free(scripts);
		return 2;
	}

	counts *shared = mmap(NULL, sizeof(counts), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("spec-runner: mmap");
		for (size_t k = 0; k < nscripts; k++)
			free(scripts[k]);
		free(scripts);
		return 2;
	}
	counts total = {0, 0, 0, 0};
	for (size_t k = 0; k < nscripts; k++) {
		memset(shared, 0, sizeof(*shared));
		if (forking)
			run_script_forked(suite, scripts[k], verbose, shared);
		else
			run_script(suite, scripts[k], verbose, shared);
		total.passed += shared->passed;
		total.failed += shared->failed;
		total.skipped += shared->skipped;
		free(scripts[k]);
	}
	free(scripts);
	munmap(shared, sizeof(counts));
	printf("%ld passed, %ld failed, %ld skipped\n", total.passed,
	    total.failed, total.skipped);
	return total.failed > 0 ? 1 : 0;
}
