/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec_runner.c: runs the official WebAssembly spec suite against
 * libwasmd-engine: the .wast scripts themselves (--wast, read by
 * spec_wast.c), or their JSON conversion by wast2json (spec_json.c, see
 * ../shared/testsuite/README.md), which the 3.0 suite in
 * ../shared/testsuite-3.0 comes as. Both front ends hand it the same
 * commands (spec_cmd.h), executed here.
 *
 *   spec-runner [--verbose] [--no-fork] [--wast] [--wasm2]
 *               [--without=PREFIX] DIR [SCRIPT...]
 *
 * For every script in DIR (or only the SCRIPTs named; not those whose
 * names start with PREFIX), it executes the commands of SCRIPT/SCRIPT.json
 * (with --wast SCRIPT/SCRIPT.wast, or SCRIPT.wast as in a checkout of the
 * official WebAssembly/testsuite) in order, all modules of one script in
 * one store, with the `spectest` host module. It prints one line per
 * script with its counts and the first failures (all of them with
 * --verbose), then a final line "N passed, N failed, N skipped". The exit
 * status is 0 only when nothing failed.
 *
 * Modules in the text format (every module of a .wast, the .wat files of
 * the JSON's assert_malformed of module_type "text") go through
 * libwasmd-wat; a module given as text to assert_malformed (`module
 * quote`, the JSON's module_type "text") must be rejected by it. With --wasm2, modules are decoded by we_module_new_wasm2,
 * for the 2.0 suite: it refuses constant expressions that 3.0 accepts.
 *
 * Each script runs in a child process (unless --no-fork), so an engine crash
 * or a hang (killed by an alarm) costs one script, not the whole run; the
 * child reports its counts through shared memory as it goes.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
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

#include "spec_cmd.h"
#include "wat.h"

#define SHOWN_FAILURES 5
#define SCRIPT_TIMEOUT_S 600

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
	return spec_read_file(path, len);
}

/*
 * The binary of module src: the file's bytes, or its text (the .wast's
 * module form, or a .wat file when text_malformed) converted by
 * libwasmd-wat. NULL with err filled: WE_ERR_MALFORMED when the text was
 * rejected, WE_ERR_ARG when the file is unreadable.
 * own: the result (free()).
 */
static uint8_t *
module_bytes(script *sc, const spec_module *src, size_t *len, we_error *err)
{
	const char *text = src->text;
	size_t textlen = src->textlen;
	uint8_t *file = NULL, *bytes = NULL;
	wat_error werr;

	memset(err, 0, sizeof(*err));
	if (text == NULL) {
		file = src->file ? read_file(sc, src->file, len) : NULL;
		if (file == NULL) {
			err->code = WE_ERR_ARG;
			snprintf(err->message, sizeof(err->message),
			    "cannot read %s: %s", src->file ? src->file : "?",
			    src->file ? strerror(errno) : "no filename");
			return NULL;
		}
		if (!src->text_malformed)
			return file;
		text = (const char *)file;
		textlen = *len;
	}
	if (wat_to_wasm(text, textlen, &bytes, len, &werr) < 0) {
		err->code = WE_ERR_MALFORMED;
		snprintf(err->message, sizeof(err->message),
		    "text rejected at %ld:%u: %.200s",
		    src->text_line + (long)werr.line - 1, werr.col,
		    werr.message);
		bytes = NULL;
	}
	free(file);
	return bytes;
}

/*
 * Decodes module src into a module kept until the script ends. NULL with
 * err filled when it fails.
 */
static we_module *
load_module(script *sc, const spec_module *src, we_error *err)
{
	size_t len = 0;
	uint8_t *bytes = module_bytes(sc, src, &len, err);

	if (bytes == NULL)
		return NULL;
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

/* How module src is named in a message. */
static const char *
module_desc(const spec_module *src)
{
	return src->file ? src->file : "(module)";
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
	case EXPECT_HOST_ANY:
		snprintf(buf, cap, "ref.host %" PRIuPTR,
		    (uintptr_t)e->val.of.externref - 1);
		break;
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
value_matches(we_store *s, const we_val *got, const expect *e)
{
	if (e->kind == EXPECT_HOST_ANY) {
		we_val ext;
		return got->type == WE_ANYREF &&
		    we_extern_convert_any(s, *got, &ext) &&
		    ext.of.externref == e->val.of.externref;
	}
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
	case EXPECT_HOST_ANY:
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
	ACT_SKIP,  /* uses a value the runner does not handle */
} act_status;

typedef struct act_result {
	we_val vals[SPEC_MAX_VALUES];
	size_t n;
	char why[512];
	char desc[160]; /* "invoke f" for failure messages */
} act_result;

static we_instance *
action_instance(script *sc, const spec_action *a, act_result *r)
{
	we_instance *inst = a->module
	    ? names_find(sc->named, sc->nnamed, a->module)
	    : sc->current;
	if (inst == NULL)
		snprintf(r->why, sizeof(r->why), "no module %s to act on",
		    a->module ? a->module : "(current)");
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

/*
 * The type a host passes a null of reference type t as: anyref for the
 * any hierarchy, else its top (a typed reference: funcref, which is
 * right for a function type only).
 */
static we_valtype
host_null_type(we_valtype t)
{
	switch ((uint32_t)t & 0xff) {
	case WE_ANYREF:
	case WE_EQREF:
	case WE_I31REF:
	case WE_STRUCTREF:
	case WE_ARRAYREF:
	case WE_NULLREF: return WE_ANYREF;
	case WE_EXTERNREF:
	case WE_NULLEXTERNREF: return WE_EXTERNREF;
	case WE_EXNREF:
	case WE_NULLEXNREF: return WE_EXNREF;
	default: return WE_FUNCREF;
	}
}

static act_status
invoke(script *sc, const spec_action *a, we_instance *inst, act_result *r)
{
	we_val argv[SPEC_MAX_VALUES];

	/* Names may hold NUL bytes: look them up with their length. */
	we_extern ex;
	we_func *f = NULL;
	if (a->field != NULL &&
	    we_instance_export_n(inst, a->field, a->fieldlen, &ex) &&
	    ex.kind == WE_EXTERN_FUNC)
		f = ex.of.func;
	if (f == NULL) {
		snprintf(r->why, sizeof(r->why), "no exported function \"%s\"",
		    a->field ? a->field : "?");
		return ACT_ERROR;
	}
	if (a->nargs > SPEC_MAX_VALUES) {
		snprintf(r->why, sizeof(r->why), "too many arguments");
		return ACT_ERROR;
	}
	for (size_t i = 0; i < a->nargs; i++) {
		if (a->args[i].status == 0)
			return ACT_SKIP;
		if (a->args[i].kind == EXPECT_ANY_NULL_REF) {
			/* (ref.null ht) of a 3.0 heap type: a null of what
			   the host sees of the parameter's type. */
			argv[i] = (we_val){
			    .type = host_null_type(we_func_type(f)->params[i])};
			continue;
		}
		if (a->args[i].kind == EXPECT_HOST_ANY) {
			we_val ext = {.type = WE_EXTERNREF,
			    .of.externref = a->args[i].val.of.externref};
			if (!we_any_convert_extern(sc->store, ext, &argv[i])) {
				snprintf(r->why, sizeof(r->why),
				    "argument %zu: no host anyref", i);
				return ACT_ERROR;
			}
			continue;
		}
		if (a->args[i].status < 0 || a->args[i].kind != EXPECT_EXACT) {
			snprintf(r->why, sizeof(r->why), "bad argument %zu", i);
			return ACT_ERROR;
		}
		argv[i] = a->args[i].val;
	}
	const we_functype *t = we_func_type(f);
	if (t->nresults > SPEC_MAX_VALUES) {
		snprintf(r->why, sizeof(r->why), "too many results");
		return ACT_ERROR;
	}
	r->n = t->nresults;
	return call_status(
	    sc, we_func_call(sc->store, f, argv, a->nargs, r->vals, r->n), r);
}

static act_status
get_global(const spec_action *a, we_instance *inst, act_result *r)
{
	we_extern e;
	if (a->field == NULL ||
	    !we_instance_export_n(inst, a->field, a->fieldlen, &e) ||
	    e.kind != WE_EXTERN_GLOBAL) {
		snprintf(r->why, sizeof(r->why), "no exported global \"%s\"",
		    a->field ? a->field : "?");
		return ACT_ERROR;
	}
	r->vals[0] = we_global_get(e.of.global);
	r->n = 1;
	return ACT_OK;
}

static act_status
run_action(script *sc, const spec_action *a, act_result *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->desc, sizeof(r->desc), "%s \"%s\"",
	    !a->known    ? "?"
	        : a->get ? "get"
	                 : "invoke",
	    a->field ? a->field : "?");
	we_instance *inst = action_instance(sc, a, r);
	if (inst == NULL)
		return ACT_ERROR;
	if (!a->known) {
		snprintf(r->why, sizeof(r->why), "unknown action type");
		return ACT_ERROR;
	}
	return a->get ? get_global(a, inst, r) : invoke(sc, a, inst, r);
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
cmd_module(script *sc, const spec_cmd *c)
{
	we_error err;

	sc->current = NULL;
	we_module *m = load_module(sc, &c->module, &err);
	if (m == NULL) {
		fail(sc, c->line, "module %s: %s: %s", module_desc(&c->module),
		    we_strerror(err.code), err.message);
		return;
	}
	make_current(sc, m, c->name, c->line, module_desc(&c->module));
}

/* module_definition (3.0): the module decodes and validates; kept. */
static void
cmd_module_definition(script *sc, const spec_cmd *c)
{
	we_error err;
	we_module *m = load_module(sc, &c->module, &err);

	if (m == NULL) {
		fail(sc, c->line, "module_definition %s: %s: %s",
		    module_desc(&c->module), we_strerror(err.code),
		    err.message);
		return;
	}
	sc->last_def = m;
	if (c->name != NULL) {
		if (sc->ndefs == sc->capdefs) {
			sc->capdefs = sc->capdefs ? sc->capdefs * 2 : 8;
			sc->defs =
			    xrealloc(sc->defs, sc->capdefs * sizeof(*sc->defs));
		}
		sc->defs[sc->ndefs].name = strdup(c->name);
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
cmd_module_instance(script *sc, const spec_cmd *c)
{
	we_module *m = find_definition(sc, c->def);

	sc->current = NULL;
	if (m == NULL) {
		fail(sc, c->line, "module_instance: no module definition %s",
		    c->def ? c->def : "(latest)");
		return;
	}
	make_current(sc, m, c->name, c->line, c->def ? c->def : "(latest)");
}

static void
cmd_register(script *sc, const spec_cmd *c)
{
	we_instance *inst =
	    c->name ? names_find(sc->named, sc->nnamed, c->name) : sc->current;

	if (c->as == NULL || inst == NULL) {
		fail(sc, c->line, "register: no module %s",
		    c->name ? c->name : "(current)");
		return;
	}
	names_add(&sc->regs, &sc->nregs, &sc->capregs, c->as, inst);
	sc->n->passed++;
}

static void
cmd_action(script *sc, const spec_cmd *c)
{
	act_result r;
	switch (run_action(sc, &c->action, &r)) {
	case ACT_OK: sc->n->passed++; break;
	case ACT_SKIP: sc->n->skipped++; break;
	case ACT_TRAP:
	case ACT_ERROR:
		fail(sc, c->line, "action %s: %s", r.desc, r.why);
		break;
	}
}

/*
 * Matches got against the alternatives of res: 2 when one matches; else
 * the status of the last alternative looked at (left in *last, for the
 * message): 1 a mismatch, 0 a value not handled, -1 malformed.
 */
static int
result_matches(
    we_store *s, const spec_result *res, const we_val *got, const expect **last)
{
	int status = -1;

	*last = NULL;
	for (size_t k = 0; k < res->nalts; k++) {
		*last = &res->alts[k];
		status = res->alts[k].status;
		if (status != 1)
			return status;
		if (value_matches(s, got, *last))
			return 2;
	}
	return status;
}

/* Compares r with the expected values of c; describes a mismatch. */
static bool
results_match(we_store *s, const spec_cmd *c, const act_result *r, char *why,
    size_t cap, bool *skip)
{
	if (c->nexpected != r->n || c->nexpected > SPEC_MAX_VALUES) {
		snprintf(why, cap, "expected %zu results, got %zu",
		    c->nexpected, r->n);
		return false;
	}
	for (size_t i = 0; i < c->nexpected; i++) {
		const expect *e;
		int ok = result_matches(s, &c->expected[i], &r->vals[i], &e);

		if (ok == 2)
			continue;
		if (ok == 0) {
			*skip = true;
			return false;
		}
		if (ok < 0) {
			snprintf(why, cap, "bad expected value %zu", i);
			return false;
		}
		char es[96], gs[96];
		format_expect(es, sizeof(es), e);
		format_val(gs, sizeof(gs), &r->vals[i]);
		snprintf(
		    why, cap, "result %zu: expected %s, got %s", i, es, gs);
		return false;
	}
	return true;
}

static void
cmd_assert_return(script *sc, const spec_cmd *c)
{
	act_result r;
	char why[512];
	bool skip = false;

	switch (run_action(sc, &c->action, &r)) {
	case ACT_OK: break;
	case ACT_SKIP: sc->n->skipped++; return;
	case ACT_TRAP:
	case ACT_ERROR:
		fail(sc, c->line, "assert_return %s: %s", r.desc, r.why);
		return;
	}
	if (results_match(sc->store, c, &r, why, sizeof(why), &skip))
		sc->n->passed++;
	else if (skip)
		sc->n->skipped++;
	else
		fail(sc, c->line, "assert_return %s: %s", r.desc, why);
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
cmd_assert_trap_action(script *sc, const spec_cmd *c, bool exhaustion)
{
	const char *what = exhaustion ? "assert_exhaustion" : "assert_trap";
	const char *text = c->text;
	act_result r;

	switch (run_action(sc, &c->action, &r)) {
	case ACT_SKIP: sc->n->skipped++; return;
	case ACT_OK:
		fail(sc, c->line,
		    "%s %s: expected a trap (%s), returned normally", what,
		    r.desc, text ? text : "?");
		return;
	case ACT_ERROR:
		fail(sc, c->line, "%s %s: %s", what, r.desc, r.why);
		return;
	case ACT_TRAP: break;
	}
	if (!trap_matches(sc, exhaustion ? "call stack exhausted" : text)) {
		fail(sc, c->line, "%s %s: expected a trap for %s, got %s", what,
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
cmd_assert_exception(script *sc, const spec_cmd *c)
{
	act_result r;

	switch (run_action(sc, &c->action, &r)) {
	case ACT_SKIP: sc->n->skipped++; return;
	case ACT_OK:
		fail(sc, c->line, "assert_exception %s: returned normally",
		    r.desc);
		return;
	case ACT_ERROR:
		fail(sc, c->line, "assert_exception %s: %s", r.desc, r.why);
		return;
	case ACT_TRAP: break;
	}
	if (we_store_trap(sc->store)->kind != WE_TRAP_EXCEPTION) {
		fail(sc, c->line,
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
cmd_assert_instantiation(script *sc, const spec_cmd *c, we_err want)
{
	const char *what = c->what, *file = module_desc(&c->module);
	const char *text = c->text ? c->text : "?";
	we_error err;

	we_module *m = load_module(sc, &c->module, &err);
	if (m == NULL) {
		fail(sc, c->line, "%s %s: module failed to load: %s: %s", what,
		    file, we_strerror(err.code), err.message);
		return;
	}
	if (instantiate(sc, m, &err) != NULL) {
		fail(sc, c->line, "%s %s: expected failure (%s), instantiated",
		    what, file, text);
		return;
	}
	if (err.code != want) {
		fail(sc, c->line, "%s %s: expected %s (%s), got %s: %s", what,
		    file, we_strerror(want), text, we_strerror(err.code),
		    err.message);
		return;
	}
	if (want == WE_ERR_TRAP && !trap_matches(sc, c->text)) {
		fail(sc, c->line, "%s %s: expected a trap for %s, got %s (%s)",
		    what, file, text,
		    we_trap_kind_name(we_store_trap(sc->store)->kind),
		    we_store_trap(sc->store)->message);
		return;
	}
	sc->n->passed++;
}

/*
 * Whether bytes, the binary of a module text, is malformed under 2.0's
 * rules (--wasm2). libwasmd-wat reads the 3.0 text format, where limits
 * and memory offsets are u64 and one past 2^32 is the validator's to
 * refuse; in 2.0 they were u32, so the 2.0 scripts expect the text
 * refused as malformed ("i32 constant"). The 2.0 decoder refuses the
 * binary's u32 LEB128 of such a number as malformed: the module is
 * malformed either way.
 */
static bool
wasm2_malformed(const uint8_t *bytes, size_t len)
{
	we_error err;
	we_module *m;

	if (!wasm2_mode)
		return false;
	memset(&err, 0, sizeof(err));
	if ((m = new_module(bytes, len, &err)) != NULL) {
		we_module_free(m);
		return false;
	}
	return err.code == WE_ERR_MALFORMED;
}

/*
 * assert_malformed of a module in the text format (text_malformed):
 * libwasmd-wat must reject it (or, with --wasm2, the 2.0 decoder its
 * binary: wasm2_malformed).
 */
static void
cmd_text_malformed(script *sc, const spec_cmd *c)
{
	size_t len = 0;
	we_error err;
	uint8_t *bytes = module_bytes(sc, &c->module, &len, &err);

	if (bytes != NULL && wasm2_malformed(bytes, len)) {
		free(bytes);
		sc->n->passed++;
	} else if (bytes != NULL) {
		free(bytes);
		fail(sc, c->line,
		    "%s %s: text accepted, expected rejection (%s)", c->what,
		    module_desc(&c->module), c->text ? c->text : "?");
	} else if (err.code != WE_ERR_MALFORMED) {
		fail(sc, c->line, "%s: %s", c->what, err.message);
	} else {
		sc->n->passed++;
	}
}

/*
 * assert_invalid and assert_malformed: decoding must fail, with the error
 * class the command names (WE_ERR_INVALID or WE_ERR_MALFORMED).
 */
static void
cmd_assert_rejected(script *sc, const spec_cmd *c)
{
	const char *what = c->what, *file = module_desc(&c->module);
	const char *text = c->text ? c->text : "?";
	size_t len = 0;
	we_error err;

	/* assert_invalid of a text module (the JSON's .wat): the text
	 * converts, and the engine refuses the binary as invalid. */
	if (c->module.text_malformed && c->kind == SPEC_ASSERT_MALFORMED) {
		cmd_text_malformed(sc, c);
		return;
	}
	uint8_t *bytes = module_bytes(sc, &c->module, &len, &err);
	if (bytes == NULL) {
		fail(sc, c->line, "%s: %s", what, err.message);
		return;
	}
	memset(&err, 0, sizeof(err));
	we_module *m = new_module(bytes, len, &err);
	free(bytes);
	if (m != NULL) {
		we_module_free(m);
		fail(sc, c->line, "%s %s: expected rejection (%s), accepted",
		    what, file, text);
		return;
	}
	we_err want = c->kind == SPEC_ASSERT_MALFORMED ? WE_ERR_MALFORMED
	                                               : WE_ERR_INVALID;
	if (err.code != want) {
		fail(sc, c->line, "%s %s: expected %s (%s), got %s: %s", what,
		    file, want == WE_ERR_MALFORMED ? "malformed" : "invalid",
		    text,
		    err.code == WE_ERR_MALFORMED ? "malformed"
		                                 : "another error",
		    err.message);
		return;
	}
	sc->n->passed++;
}

/*
 * assert_malformed_custom: libwasmd-wat, which reads the custom
 * annotations (@custom, @name, @metadata.code.branch_hint), must reject
 * the text. assert_invalid_custom: the module holds a custom section
 * that fails its own format's validation (a branch hint on no branch),
 * which the engine ignores as the specification lets it: the text must
 * convert and the module decode and validate.
 */
static void
cmd_assert_custom(script *sc, const spec_cmd *c)
{
	size_t len = 0;
	we_error err;
	uint8_t *bytes = module_bytes(sc, &c->module, &len, &err);
	const char *text = c->text ? c->text : "?";

	if (c->kind == SPEC_ASSERT_MALFORMED_CUSTOM) {
		free(bytes);
		if (bytes != NULL)
			fail(sc, c->line,
			    "%s %s: text accepted, expected rejection (%s)",
			    c->what, module_desc(&c->module), text);
		else if (err.code != WE_ERR_MALFORMED)
			fail(sc, c->line, "%s: %s", c->what, err.message);
		else
			sc->n->passed++;
		return;
	}
	if (bytes == NULL) {
		fail(sc, c->line, "%s: %s", c->what, err.message);
		return;
	}
	memset(&err, 0, sizeof(err));
	we_module *m = new_module(bytes, len, &err);
	free(bytes);
	if (m == NULL) {
		fail(sc, c->line,
		    "%s %s: rejected (%s), expected the custom section "
		    "ignored: %s",
		    c->what, module_desc(&c->module), text, err.message);
		return;
	}
	we_module_free(m);
	sc->n->passed++;
}

/* Executes one command of the script (a spec_cmd_fn; ctx is the script). */
static void
run_command(void *ctx, const spec_cmd *c)
{
	script *sc = ctx;

	sc->n->line = c->line;
	switch (c->kind) {
	case SPEC_MODULE: cmd_module(sc, c); break;
	case SPEC_MODULE_DEFINITION: cmd_module_definition(sc, c); break;
	case SPEC_MODULE_INSTANCE: cmd_module_instance(sc, c); break;
	case SPEC_REGISTER: cmd_register(sc, c); break;
	case SPEC_ACTION: cmd_action(sc, c); break;
	case SPEC_ASSERT_RETURN: cmd_assert_return(sc, c); break;
	case SPEC_ASSERT_TRAP:
		if (c->has_module)
			cmd_assert_instantiation(sc, c, WE_ERR_TRAP);
		else
			cmd_assert_trap_action(sc, c, false);
		break;
	case SPEC_ASSERT_EXHAUSTION: cmd_assert_trap_action(sc, c, true); break;
	case SPEC_ASSERT_EXCEPTION: cmd_assert_exception(sc, c); break;
	case SPEC_ASSERT_INVALID:
	case SPEC_ASSERT_MALFORMED: cmd_assert_rejected(sc, c); break;
	case SPEC_ASSERT_UNLINKABLE:
		cmd_assert_instantiation(sc, c, WE_ERR_LINK);
		break;
	case SPEC_ASSERT_UNINSTANTIABLE:
		cmd_assert_instantiation(sc, c, WE_ERR_TRAP);
		break;
	case SPEC_ASSERT_MALFORMED_CUSTOM:
	case SPEC_ASSERT_INVALID_CUSTOM: cmd_assert_custom(sc, c); break;
	case SPEC_UNKNOWN:
		fail(sc, c->line, "unknown command type %s", c->what);
		break;
	}
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
}

/* --wast: scripts are read from their .wast, not wast2json's JSON. */
static bool wast_mode;

/*
 * The script file of name in suite: NAME/NAME.json, or with --wast
 * NAME/NAME.wast (../shared/testsuite) or NAME.wast (a checkout of the
 * official suite). Its folder goes to dir. False when there is none.
 */
static bool
script_path(const char *suite, const char *name, char *dir, size_t dircap,
    char *path, size_t pathcap)
{
	struct stat st;

	snprintf(dir, dircap, "%s/%s", suite, name);
	snprintf(
	    path, pathcap, "%s/%s.%s", dir, name, wast_mode ? "wast" : "json");
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return true;
	if (!wast_mode)
		return false;
	snprintf(dir, dircap, "%s", suite);
	snprintf(path, pathcap, "%s/%s.wast", suite, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Runs the script name of suite, counting into n; details go to stdout. */
static void
run_script(const char *suite, const char *name, bool verbose, counts *n)
{
	char dir[4096], path[8200], msg[512];
	script sc;

	memset(&sc, 0, sizeof(sc));
	sc.dir = dir;
	sc.name = name;
	sc.verbose = verbose;
	sc.n = n;
	if (!script_path(suite, name, dir, sizeof(dir), path, sizeof(path))) {
		fail(&sc, 0, "no script %s in %s", name, suite);
	} else if ((sc.store = we_store_new(NULL)) == NULL ||
	    !spectest_init(&sc)) {
		fail(&sc, 0, "cannot create the store and spectest module");
	} else if ((wast_mode ? spec_wast_read : spec_json_read)(
	               path, run_command, &sc, msg, sizeof(msg)) < 0) {
		fail(&sc, n->line, "%s", msg);
	}
	printf("%s: %ld passed, %ld failed, %ld skipped\n", name, n->passed,
	    n->failed, n->skipped);
	if (sc.report != NULL)
		fputs(sc.report, stdout);
	fflush(stdout);
	script_free(&sc);
}

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

/* --without=PREFIX: scripts whose names start with PREFIX are left out. */
static const char *without_prefix;

/*
 * The name of the script at suite/entry, into name (of cap bytes): the
 * folder NAME holding NAME.json (or, with --wast, NAME.wast), or with
 * --wast a file NAME.wast. False when entry is no script.
 */
static bool
script_entry(const char *suite, const char *entry, char *name, size_t cap)
{
	char dir[4096], path[8200];
	size_t len = strlen(entry);

	if (entry[0] == '.' ||
	    (without_prefix != NULL &&
	        strncmp(entry, without_prefix, strlen(without_prefix)) == 0))
		return false;
	if (wast_mode && len > 5 && strcmp(entry + len - 5, ".wast") == 0) {
		snprintf(name, cap, "%.*s", (int)(len - 5), entry);
		return true;
	}
	snprintf(name, cap, "%s", entry);
	snprintf(dir, sizeof(dir), "%s/%s", suite, entry);
	snprintf(path, sizeof(path), "%s/%s.%s", dir, entry,
	    wast_mode ? "wast" : "json");
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The scripts of suite, sorted; NULL on error. */
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
		char name[1024];

		if (!script_entry(suite, de->d_name, name, sizeof(name)))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[(*n)++] = strdup(name);
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
	    "usage: spec-runner [--verbose] [--no-fork] [--wast] [--wasm2] "
	    "[--without=PREFIX] DIR [SCRIPT...]\n");
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
		else if (strcmp(argv[i], "--wast") == 0)
			wast_mode = true;
		else if (strncmp(argv[i], "--without=", 10) == 0)
			without_prefix = argv[i] + 10;
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
		    "exist; set WASMD_TESTSUITE_DIR to the suite (see "
		    "scripts/get-testsuite)\n",
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
