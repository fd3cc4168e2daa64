/*
 * wasmctl.c: the command-line client of the wasmd daemon, built on
 * libwasmd-client: push, list, inspect, remove and run modules.
 *
 * Exit status: 0 success, 1 an error (daemon, connection, file), 2 a usage
 * error, 127 the export to run does not exist, 134 the guest trapped (as a
 * shell reports a process killed by SIGABRT, like `wasmd run`).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <wasmd/client.h>

#define EXIT_USAGE 2
#define EXIT_MISSING_EXPORT 127
#define EXIT_TRAP 134
#define BACKTRACE_MAX 16 /* frames printed after a trap */

/* What every verb shares: the options given before it and the link. */
struct ctl {
	const char *addr; /* borrowed from argv or the environment; NULL:
			     the library's default */
	bool json;
	wasmd_conn *conn; /* own: opened by ctl_connect() */
};

static const char usage_text[] =
    "usage: wasmctl [-H ADDR] [--json] VERB [ARGS...]\n"
    "\n"
    "Verbs:\n"
    "  push FILE [--name NAME]    store a module (FILE - is stdin); "
    "prints its digest\n"
    "  ls                         list your modules (digest, size, names)\n"
    "  inspect REF                show a module's imports and exports\n"
    "  rm REF                     remove a module, or a name\n"
    "  info                       show the daemon's version and your "
    "tenant\n"
    "  run [--invoke FUNC] [-W fuel=N,max-memory-size=BYTES,timeout=DUR]\n"
    "      REF|FILE [ARGS...]     call FUNC (default _start) with ARGS "
    "parsed\n"
    "                             by its parameter types; a FILE is pushed "
    "first\n"
    "\n"
    "REF is a digest, a unique digest prefix of 12+ hex digits, or a "
    "name.\n"
    "Sizes take K, M or G suffixes (powers of 1024); durations ms, s, m "
    "or h\n"
    "(a bare number is seconds).\n"
    "\n"
    "Options:\n"
    "  -H, --host ADDR   the daemon's socket: unix:///path or a path\n"
    "                    (default: $WASMD_HOST, else "
    "$XDG_RUNTIME_DIR/wasmd/wasmd.sock,\n"
    "                    or /run/wasmd/wasmd.sock as root)\n"
    "      --json        print JSON instead of text\n"
    "  -h, --help        print this help\n"
    "  -V, --version     print the version\n"
    "-H and --json may also follow the verb.\n"
    "\n"
    "Exit status: 0 success, 1 error, 2 usage error, 127 no such export,\n"
    "134 the guest trapped (the trap goes to stderr).\n";

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("wasmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "error: ..." to stderr; returns 1 for `return fail(...)`. */
static int
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

static int
ctl_connect(struct ctl *ctl)
{
	ctl->conn = wasmd_connect(ctl->addr);
	if (ctl->conn == NULL) {
		fail("out of memory");
		return -1;
	}
	if (wasmd_status(ctl->conn) != WASMD_CONNECTION_OK) {
		fail("%s", wasmd_errmsg(ctl->conn));
		return -1;
	}
	return 0;
}

/* The exit status for a failed library call, after printing why. */
static int
call_failed(struct ctl *ctl, wasmd_error rc)
{
	fail("%s",
	    wasmd_errmsg(ctl->conn)[0] != '\0' ? wasmd_errmsg(ctl->conn)
	                                       : wasmd_strerror(rc));
	return rc == WASMD_ERR_MISSING_EXPORT ? EXIT_MISSING_EXPORT
	                                      : EXIT_FAILURE;
}

/* Reads a whole file ("-": standard input). own: the bytes, free(); NULL
 * after printing why. */
static uint8_t *
read_file(const char *path, size_t *len)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL) {
		fail("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (nb == NULL) {
				fail("out of memory reading %s", path);
				goto bad;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fail("cannot read %s: %s", path, strerror(errno));
		goto bad;
	}
	if (!is_stdin)
		fclose(f);
	*len = n;
	return buf;
bad:
	free(buf);
	if (!is_stdin)
		fclose(f);
	return NULL;
}

/* ---- JSON output ------------------------------------------------------- */

static json_t *
json_names(const wasmd_module_info *info)
{
	json_t *a = json_array();

	for (size_t i = 0; i < info->nnames; i++)
		json_array_append_new(a, json_string(info->names[i]));
	return a;
}

static const char *
kind_name(wasmd_extern_kind kind)
{
	switch (kind) {
	case WASMD_EXTERN_FUNC: return "func";
	case WASMD_EXTERN_TABLE: return "table";
	case WASMD_EXTERN_MEMORY: return "memory";
	case WASMD_EXTERN_GLOBAL: return "global";
	}
	return "?";
}

static json_t *
json_valtypes(const wasmd_valtype *t, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(wasmd_valtype_name(t[i])));
	return a;
}

/* Adds kind, type text and the structured parts of t to obj. */
static void
json_add_type(json_t *obj, const wasmd_externtype *t)
{
	json_object_set_new(obj, "kind", json_string(kind_name(t->kind)));
	json_object_set_new(obj, "type", json_string(t->text));
	if (t->kind == WASMD_EXTERN_FUNC) {
		json_object_set_new(obj, "params",
		    json_valtypes(t->func.params, t->func.nparams));
		json_object_set_new(obj, "results",
		    json_valtypes(t->func.results, t->func.nresults));
	}
}

static json_t *
json_module(const wasmd_module_info *info, bool full)
{
	json_t *o = json_object(), *imports, *exports;

	json_object_set_new(o, "digest", json_string(info->digest));
	json_object_set_new(o, "size", json_integer((json_int_t)info->size));
	json_object_set_new(o, "names", json_names(info));
	json_object_set_new(
	    o, "created_unix", json_integer((json_int_t)info->created_unix));
	if (!full)
		return o;
	imports = json_array();
	for (size_t i = 0; i < info->nimports; i++) {
		json_t *im = json_object();

		json_object_set_new(
		    im, "module", json_string(info->imports[i].module));
		json_object_set_new(
		    im, "name", json_string(info->imports[i].name));
		json_add_type(im, &info->imports[i].type);
		json_array_append_new(imports, im);
	}
	exports = json_array();
	for (size_t i = 0; i < info->nexports; i++) {
		json_t *ex = json_object();

		json_object_set_new(
		    ex, "name", json_string(info->exports[i].name));
		json_add_type(ex, &info->exports[i].type);
		json_array_append_new(exports, ex);
	}
	json_object_set_new(o, "imports", imports);
	json_object_set_new(o, "exports", exports);
	return o;
}

/* Prints j on stdout and frees it. */
static int
print_json(json_t *j)
{
	int r = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(j);
	fputc('\n', stdout);
	return r == 0 ? EXIT_SUCCESS : fail("cannot write JSON output");
}

/* ---- Verbs ------------------------------------------------------------- */

/* The options every verb also takes after its name: -H and --json. */
/* clang-format off */
#define OPT_JSON {"json", no_argument, NULL, 'j'}
#define OPT_HOST {"host", required_argument, NULL, 'H'}
/* clang-format on */

static bool
common_option(struct ctl *ctl, int c)
{
	if (c == 'j')
		ctl->json = true;
	else if (c == 'H')
		ctl->addr = optarg;
	return c == 'j' || c == 'H';
}

/* Parses a verb's options: only the common ones, then exactly npos
 * positionals. */
static int
simple_args(struct ctl *ctl, int argc, char **argv, int npos)
{
	static const struct option opts[] = {
	    OPT_JSON,
	    OPT_HOST,
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "H:", opts, NULL)) != -1)
		if (!common_option(ctl, c))
			return -1;
	return argc - optind == npos ? 0 : -1;
}

static int
verb_push(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},
	    OPT_JSON,
	    OPT_HOST,
	    {NULL, 0, NULL, 0},
	};
	const char *name = NULL;
	wasmd_module_info *info = NULL;
	uint8_t *wasm;
	size_t len = 0;
	wasmd_error rc;
	int c, st;

	optind = 0;
	while ((c = getopt_long(argc, argv, "n:H:", opts, NULL)) != -1) {
		if (c == 'n')
			name = optarg;
		else if (!common_option(ctl, c))
			return usage_error("push: bad option");
	}
	if (argc - optind != 1)
		return usage_error("push takes one FILE");
	wasm = read_file(argv[optind], &len);
	if (wasm == NULL)
		return EXIT_FAILURE;
	if (ctl_connect(ctl) < 0) {
		free(wasm);
		return EXIT_FAILURE;
	}
	rc = wasmd_push(ctl->conn, wasm, len, name, &info);
	free(wasm);
	if (rc != WASMD_OK)
		return call_failed(ctl, rc);
	if (ctl->json)
		st = print_json(json_module(info, true));
	else
		st = printf("%s\n", info->digest) < 0 ? EXIT_FAILURE : 0;
	wasmd_module_info_free(info);
	return st;
}

/* Who answers at the address, and who the daemon thinks we are. */
static int
verb_info(struct ctl *ctl, int argc, char **argv)
{
	if (simple_args(ctl, argc, argv, 0) < 0)
		return usage_error("info takes no arguments");
	if (ctl_connect(ctl) < 0)
		return EXIT_FAILURE;
	if (ctl->json)
		return print_json(json_pack("{s:s,s:s}", "server",
		    wasmd_server_software(ctl->conn), "tenant",
		    wasmd_tenant(ctl->conn)));
	printf("server   %s\ntenant   %s\n", wasmd_server_software(ctl->conn),
	    wasmd_tenant(ctl->conn));
	return EXIT_SUCCESS;
}

static void
print_names(const wasmd_module_info *info, FILE *f)
{
	if (info->nnames == 0)
		fputc('-', f);
	for (size_t i = 0; i < info->nnames; i++)
		fprintf(f, "%s%s", i ? "," : "", info->names[i]);
}

static int
verb_ls(struct ctl *ctl, int argc, char **argv)
{
	wasmd_module_list *list = NULL;
	wasmd_error rc;

	if (simple_args(ctl, argc, argv, 0) < 0)
		return usage_error("ls takes no arguments");
	if (ctl_connect(ctl) < 0)
		return EXIT_FAILURE;
	rc = wasmd_list(ctl->conn, &list);
	if (rc != WASMD_OK)
		return call_failed(ctl, rc);
	if (ctl->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < list->count; i++)
			json_array_append_new(
			    a, json_module(&list->modules[i], false));
		wasmd_module_list_free(list);
		return print_json(a);
	}
	printf("%-12s  %10s  %s\n", "DIGEST", "SIZE", "NAMES");
	for (size_t i = 0; i < list->count; i++) {
		const wasmd_module_info *m = &list->modules[i];

		printf("%-12.12s  %10" PRIu64 "  ", m->digest, m->size);
		print_names(m, stdout);
		fputc('\n', stdout);
	}
	wasmd_module_list_free(list);
	return EXIT_SUCCESS;
}

static void
print_module(const wasmd_module_info *info)
{
	printf("digest   %s\nsize     %" PRIu64 " bytes\nnames    ",
	    info->digest, info->size);
	print_names(info, stdout);
	printf("\nimports  %zu\n", info->nimports);
	for (size_t i = 0; i < info->nimports; i++)
		printf("  %s.%s  %s\n", info->imports[i].module,
		    info->imports[i].name, info->imports[i].type.text);
	printf("exports  %zu\n", info->nexports);
	for (size_t i = 0; i < info->nexports; i++)
		printf("  %s  %s\n", info->exports[i].name,
		    info->exports[i].type.text);
}

static int
verb_inspect(struct ctl *ctl, int argc, char **argv)
{
	wasmd_module_info *info = NULL;
	wasmd_error rc;

	if (simple_args(ctl, argc, argv, 1) < 0)
		return usage_error("inspect takes one REF");
	if (ctl_connect(ctl) < 0)
		return EXIT_FAILURE;
	rc = wasmd_inspect(ctl->conn, argv[optind], &info);
	if (rc != WASMD_OK)
		return call_failed(ctl, rc);
	if (ctl->json) {
		int st = print_json(json_module(info, true));

		wasmd_module_info_free(info);
		return st;
	}
	print_module(info);
	wasmd_module_info_free(info);
	return EXIT_SUCCESS;
}

static int
verb_rm(struct ctl *ctl, int argc, char **argv)
{
	wasmd_error rc;

	if (simple_args(ctl, argc, argv, 1) < 0)
		return usage_error("rm takes one REF");
	if (ctl_connect(ctl) < 0)
		return EXIT_FAILURE;
	rc = wasmd_remove(ctl->conn, argv[optind]);
	if (rc != WASMD_OK)
		return call_failed(ctl, rc);
	if (ctl->json)
		return print_json(json_pack("{s:s}", "removed", argv[optind]));
	return EXIT_SUCCESS;
}

/* ---- run --------------------------------------------------------------- */

/* A number followed by one of the units in the table; bare = units[0]. */
struct unit {
	const char *suffix;
	uint64_t scale;
};

static int
parse_scaled(const char *text, const struct unit *units, uint64_t *out)
{
	uint64_t n;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno != 0)
		return -1;
	for (const struct unit *u = units; u->suffix != NULL; u++) {
		if (strcmp(end, u->suffix) == 0) {
			if (n > UINT64_MAX / u->scale)
				return -1;
			*out = n * u->scale;
			return 0;
		}
	}
	return -1;
}

static const struct unit size_units[] = {
    {"", 1},
    {"K", 1ull << 10},
    {"KiB", 1ull << 10},
    {"M", 1ull << 20},
    {"MiB", 1ull << 20},
    {"G", 1ull << 30},
    {"GiB", 1ull << 30},
    {NULL, 0},
};

/* In milliseconds. */
static const struct unit duration_units[] = {
    {"", 1000},
    {"ms", 1},
    {"s", 1000},
    {"m", 60000},
    {"h", 3600000},
    {NULL, 0},
};

/* One -W KEY=VALUE item. Returns 0, or -1 after a usage message. */
static int
parse_limit(const char *item, wasmd_limits *l)
{
	const char *eq = strchr(item, '=');
	uint64_t v;

	if (eq == NULL)
		goto bad;
	if (strncmp(item, "fuel=", 5) == 0)
		return parse_scaled(eq + 1, size_units, &l->fuel) < 0 ? -1 : 0;
	if (strncmp(item, "max-memory-size=", 16) == 0)
		return parse_scaled(eq + 1, size_units, &l->max_memory_bytes);
	if (strncmp(item, "timeout=", 8) == 0) {
		if (parse_scaled(eq + 1, duration_units, &v) < 0 || v == 0 ||
		    v > UINT32_MAX)
			return -1;
		l->timeout_ms = (uint32_t)v;
		return 0;
	}
bad:
	return -1;
}

static int
parse_limits(char *list, wasmd_limits *l)
{
	char *save = NULL;

	for (char *item = strtok_r(list, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		if (parse_limit(item, l) < 0)
			return usage_error("bad -W item '%s' (fuel=N, "
			                   "max-memory-size=BYTES, "
			                   "timeout=DURATION)",
			    item);
	}
	return 0;
}

/* What `run` was asked to do. */
struct run_args {
	const char *func;
	wasmd_invoke_options opts;
	const char *target; /* REF or FILE */
	char **args;
	int nargs;
};

static int
parse_run_args(struct ctl *ctl, int argc, char **argv, struct run_args *ra)
{
	static const struct option opts[] = {
	    {"invoke", required_argument, NULL, 'i'},
	    OPT_JSON,
	    OPT_HOST,
	    {NULL, 0, NULL, 0},
	};
	int c;

	ra->func = "_start";
	wasmd_invoke_options_init(&ra->opts);
	/* "+": options end at REF, so ARGS such as -1 stay arguments. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "+W:H:", opts, NULL)) != -1) {
		if (c == 'i')
			ra->func = optarg;
		else if (common_option(ctl, c))
			continue;
		else if (c == 'W') {
			if (parse_limits(optarg, &ra->opts.limits) != 0)
				return -1;
		} else {
			usage_error("run: bad option");
			return -1;
		}
	}
	if (optind >= argc) {
		usage_error("run needs a REF or FILE");
		return -1;
	}
	ra->target = argv[optind++];
	/* "REF -- -5 3" is accepted like "-- REF -5 3": the arguments
	 * after REF are never options anyway. */
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	ra->args = argv + optind;
	ra->nargs = argc - optind;
	return 0;
}

static bool
is_regular_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Describes the module to run: a FILE is pushed first (its digest is then
 * the reference), anything else is inspected. own: *info.
 */
static int
resolve_module(struct ctl *ctl, const char *target, wasmd_module_info **info)
{
	wasmd_error rc;

	if (is_regular_file(target)) {
		size_t len = 0;
		uint8_t *wasm = read_file(target, &len);

		if (wasm == NULL)
			return EXIT_FAILURE;
		rc = wasmd_push(ctl->conn, wasm, len, NULL, info);
		free(wasm);
	} else {
		rc = wasmd_inspect(ctl->conn, target, info);
	}
	return rc == WASMD_OK ? 0 : call_failed(ctl, rc);
}

static void
print_type_list(FILE *f, const wasmd_functype *ft)
{
	fputc('(', f);
	for (size_t i = 0; i < ft->nparams; i++)
		fprintf(
		    f, "%s%s", i ? " " : "", wasmd_valtype_name(ft->params[i]));
	fputc(')', f);
}

/* Parses the command-line ARGS by the export's parameter types. own:
 * *vals. Returns 0 or an exit status after printing why. */
static int
parse_call_args(
    const struct run_args *ra, const wasmd_functype *ft, wasmd_value **vals)
{
	char err[256];

	if ((size_t)ra->nargs != ft->nparams) {
		fprintf(stderr, "error: %s expects %zu argument%s ", ra->func,
		    ft->nparams, ft->nparams == 1 ? "" : "s");
		print_type_list(stderr, ft);
		fprintf(stderr, ", got %d\n", ra->nargs);
		return EXIT_USAGE;
	}
	*vals = calloc(ft->nparams ? ft->nparams : 1, sizeof **vals);
	if (*vals == NULL)
		return fail("out of memory");
	for (size_t i = 0; i < ft->nparams; i++) {
		if (wasmd_value_parse(ft->params[i], ra->args[i], &(*vals)[i],
		        err, sizeof err) < 0) {
			free(*vals);
			*vals = NULL;
			fail("argument %zu of %s: %s", i + 1, ra->func, err);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static void
print_trap(const wasmd_result *r)
{
	fprintf(stderr, "error: %s\n",
	    r->trap_message[0] != '\0' ? r->trap_message
	                               : wasmd_trap_kind_name(r->trap));
	for (size_t i = 0; i < r->nframes; i++) {
		const wasmd_frame *f = &r->frames[i];

		/* Deep recursion would bury the message: show the innermost
		 * frames and count the rest. */
		if (i == BACKTRACE_MAX && r->nframes > BACKTRACE_MAX + 1) {
			fprintf(stderr, "  ... %zu more frames\n",
			    r->nframes - BACKTRACE_MAX);
			break;
		}

		if (f->name[0] != '\0')
			fprintf(stderr,
			    "  at %s (func %" PRIu32 ", offset 0x%" PRIx32
			    ")\n",
			    f->name, f->func_index, f->offset);
		else
			fprintf(stderr,
			    "  at func[%" PRIu32 "] (offset 0x%" PRIx32 ")\n",
			    f->func_index, f->offset);
	}
}

static json_t *
json_result(const wasmd_result *r)
{
	json_t *o = json_object(), *vals = json_array();
	char text[WASMD_VALUE_TEXT_MAX];

	for (size_t i = 0; i < r->nresults; i++) {
		wasmd_value_format(&r->results[i], text, sizeof text);
		json_array_append_new(vals,
		    json_pack("{s:s,s:s}", "type",
		        wasmd_valtype_name(r->results[i].type), "value", text));
	}
	json_object_set_new(o, "results", vals);
	if (r->trap != WASMD_TRAP_NONE)
		json_object_set_new(o, "trap",
		    json_pack("{s:s,s:s}", "kind",
		        wasmd_trap_kind_name(r->trap), "message",
		        r->trap_message));
	json_object_set_new(
	    o, "fuel_consumed", json_integer((json_int_t)r->fuel_consumed));
	json_object_set_new(
	    o, "elapsed_us", json_integer((json_int_t)r->elapsed_us));
	return o;
}

/* Prints a finished call: results on stdout, a trap on stderr. */
static int
report_result(struct ctl *ctl, const wasmd_result *r)
{
	char text[WASMD_VALUE_TEXT_MAX];

	if (ctl->json) {
		int st = print_json(json_result(r));

		if (r->trap != WASMD_TRAP_NONE)
			print_trap(r);
		return r->trap != WASMD_TRAP_NONE ? EXIT_TRAP : st;
	}
	if (r->trap != WASMD_TRAP_NONE) {
		print_trap(r);
		return EXIT_TRAP;
	}
	for (size_t i = 0; i < r->nresults; i++) {
		wasmd_value_format(&r->results[i], text, sizeof text);
		printf("%s\n", text);
	}
	return EXIT_SUCCESS;
}

static int
invoke_export(
    struct ctl *ctl, const struct run_args *ra, const wasmd_module_info *info)
{
	const wasmd_export *ex = wasmd_module_info_export(info, ra->func);
	wasmd_value *vals = NULL;
	wasmd_result *res = NULL;
	wasmd_error rc;
	int st;

	if (ex == NULL || ex->type.kind != WASMD_EXTERN_FUNC) {
		fail("module %.12s has no exported function '%s'", info->digest,
		    ra->func);
		return EXIT_MISSING_EXPORT;
	}
	st = parse_call_args(ra, &ex->type.func, &vals);
	if (st != 0)
		return st;
	/* The digest names exactly the module inspected, even if a name is
	 * moved meanwhile. */
	rc = wasmd_invoke(ctl->conn, info->digest, ra->func, vals,
	    ex->type.func.nparams, &ra->opts, &res);
	free(vals);
	if (rc != WASMD_OK)
		return call_failed(ctl, rc);
	st = report_result(ctl, res);
	wasmd_result_free(res);
	return st;
}

static int
verb_run(struct ctl *ctl, int argc, char **argv)
{
	struct run_args ra;
	wasmd_module_info *info = NULL;
	int st;

	memset(&ra, 0, sizeof ra);
	if (parse_run_args(ctl, argc, argv, &ra) < 0)
		return EXIT_USAGE;
	if (ctl_connect(ctl) < 0)
		return EXIT_FAILURE;
	st = resolve_module(ctl, ra.target, &info);
	if (st != 0)
		return st;
	st = invoke_export(ctl, &ra, info);
	wasmd_module_info_free(info);
	return st;
}

/* ---- main -------------------------------------------------------------- */

static const struct verb {
	const char *name;
	int (*run)(struct ctl *ctl, int argc, char **argv);
} verbs[] = {
    {"push", verb_push},
    {"ls", verb_ls},
    {"list", verb_ls},
    {"inspect", verb_inspect},
    {"rm", verb_rm},
    {"remove", verb_rm},
    {"run", verb_run},
    {"info", verb_info},
};

static int
dispatch(struct ctl *ctl, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(argv[0], verbs[i].name) == 0)
			return verbs[i].run(ctl, argc, argv);
	return usage_error("unknown verb '%s'", argv[0]);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"host", required_argument, NULL, 'H'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct ctl ctl = {.addr = NULL};
	int c, st;

	while ((c = getopt_long(argc, argv, "+H:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'H': ctl.addr = optarg; break;
		case 'j': ctl.json = true; break;
		case 'h': fputs(usage_text, stdout); return EXIT_SUCCESS;
		case 'V': puts("wasmctl " WASMD_VERSION); return EXIT_SUCCESS;
		default: return usage_error("bad option");
		}
	}
	if (optind >= argc)
		return usage_error("no verb given");
	st = dispatch(&ctl, argc - optind, argv + optind);
	wasmd_close(ctl.conn);
	return st;
}
