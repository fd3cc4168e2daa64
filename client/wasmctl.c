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
#include <unistd.h>

#include <wasmd/client.h>

#include "wasmctl_host.h"
#include "wasmctl_stats.h"
#include "wat.h"

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
    "  rm REF                     remove the module REF names (digest or "
    "name)\n"
    "                             and every name pointing at it\n"
    "  stats [--all] [--format plain|prometheus]\n"
    "                             statistics of your tenant (--all: the "
    "whole\n"
    "                             daemon, for administrators; --json: "
    "samples)\n"
    "  info                       show the daemon's version and your "
    "tenant\n"
    "  run [--invoke FUNC] [-W fuel=N,max-memory-size=BYTES,timeout=DUR]\n"
    "      REF|FILE [ARGS...]     call FUNC with ARGS parsed by its "
    "parameter\n"
    "                             types; a FILE is pushed first\n"
    "  run [--env K=V]... [--stdin FILE] [-W ...,max-output=BYTES]\n"
    "      REF|FILE [ARGS...]     without --invoke: run a WASI command "
    "(_start)\n"
    "                             with ARGS as its argv; its stdout and "
    "stderr\n"
    "                             stream to ours; we exit with its exit "
    "code.\n"
    "                             Its stdin is --stdin FILE (- for ours), "
    "else\n"
    "                             ours when ours is not a terminal and the "
    "module\n"
    "                             reads stdin (fd_read); no file system\n"
    "\n"
    "Host functions: run serves these imports of module \"wasmd\" (the "
    "guest\n"
    "calls back into wasmctl), to any module that imports them:\n"
    "  print_str(ptr i32, len i32)   print len bytes of guest memory at "
    "ptr\n"
    "  print_i32(i32)  print_i64(i64)  print_f32(f32)  print_f64(f64)\n"
    "                                print the value and a newline\n"
    "  now_ms() -> i64               wall-clock time, ms since 1970\n"
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
read_file_bytes(const char *path, size_t *len)
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

/*
 * Reads a module file ("-": standard input): binary as it is, WebAssembly
 * text converted to binary here (the daemon only ever receives binary).
 * own: the bytes, free(); NULL after printing why.
 */
static uint8_t *
read_file(const char *path, size_t *len)
{
	uint8_t *bytes = read_file_bytes(path, len);
	char msg[512];

	if (bytes != NULL &&
	    wat_ensure_binary(&bytes, len, path, msg, sizeof msg) < 0) {
		fail("%s", msg);
		free(bytes);
		return NULL;
	}
	return bytes;
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

/* The daemon's statistics (the text is formatted by wasmctl_stats.c). */
static int
verb_stats(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"format", required_argument, NULL, 'f'},
	    OPT_JSON,
	    OPT_HOST,
	    {NULL, 0, NULL, 0},
	};
	const char *format = "plain";
	bool all = false;
	char *text = NULL;
	wasmd_error rc;
	int c, st;

	optind = 0;
	while ((c = getopt_long(argc, argv, "f:H:", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'f')
			format = optarg;
		else if (!common_option(ctl, c))
			return usage_error("stats: bad option");
	}
	if (optind != argc ||
	    (strcmp(format, "plain") != 0 && strcmp(format, "prometheus") != 0))
		return usage_error("stats [--all] [--format plain|prometheus]");
	if (ctl_connect(ctl) < 0)
		return EXIT_FAILURE;
	rc = wasmd_stats(ctl->conn, all, &text);
	if (rc != WASMD_OK)
		return call_failed(ctl, rc);
	if (ctl->json)
		format = "json";
	st = wasmctl_stats_print(stdout, text, format) == 0 ? EXIT_SUCCESS
	                                                    : EXIT_FAILURE;
	free(text);
	return st;
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
parse_limit(const char *item, wasmd_limits *l, uint64_t *max_output)
{
	const char *eq = strchr(item, '=');
	uint64_t v;

	if (eq == NULL)
		goto bad;
	if (strncmp(item, "fuel=", 5) == 0)
		return parse_scaled(eq + 1, size_units, &l->fuel) < 0 ? -1 : 0;
	if (strncmp(item, "max-memory-size=", 16) == 0)
		return parse_scaled(eq + 1, size_units, &l->max_memory_bytes);
	if (strncmp(item, "max-output=", 11) == 0)
		return parse_scaled(eq + 1, size_units, max_output);
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
parse_limits(char *list, wasmd_invoke_options *o)
{
	char *save = NULL;

	for (char *item = strtok_r(list, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		if (parse_limit(item, &o->limits, &o->max_output_bytes) < 0)
			return usage_error("bad -W item '%s' (fuel=N, "
			                   "max-memory-size=BYTES, "
			                   "timeout=DURATION, "
			                   "max-output=BYTES)",
			    item);
	}
	return 0;
}

/* What `run` was asked to do. */
struct run_args {
	const char *func; /* --invoke, or "_start" for a WASI command */
	bool command;     /* no --invoke: a WASI command (wasi_run below) */
	char **envs;      /* own: the --env K=V strings (each own) */
	int nenvs;
	const char *stdin_file; /* --stdin FILE ("-": ours), or NULL */
	wasmd_invoke_options opts;
	const char *target; /* REF or FILE */
	char **args;
	int nargs;
};

/*
 * --env K=V for a WASI command; --env K passes our own K when it is set
 * (as `wasmd run` and wasmtime do). Returns 0, or -1 after a message.
 */
static int
wasi_env_option(struct run_args *ra, const char *kv)
{
	char *both = NULL;

	if (kv[0] == '=' || kv[0] == '\0') {
		usage_error("--env %s: expected KEY=VALUE or KEY", kv);
		return -1;
	}
	if (strchr(kv, '=') == NULL && getenv(kv) == NULL)
		return 0;
	if (strchr(kv, '=') != NULL)
		both = strdup(kv);
	else if (asprintf(&both, "%s=%s", kv, getenv(kv)) < 0)
		both = NULL;
	if (both == NULL) {
		fail("out of memory");
		return -1;
	}
	ra->envs[ra->nenvs++] = both;
	return 0;
}

static int
parse_run_args(struct ctl *ctl, int argc, char **argv, struct run_args *ra)
{
	static const struct option opts[] = {
	    {"invoke", required_argument, NULL, 'i'},
	    {"env", required_argument, NULL, 'e'},
	    {"stdin", required_argument, NULL, 's'},
	    OPT_JSON,
	    OPT_HOST,
	    {NULL, 0, NULL, 0},
	};
	int c;

	ra->func = "_start";
	ra->command = true;
	ra->envs = calloc((size_t)argc + 1, sizeof *ra->envs);
	if (ra->envs == NULL) {
		fail("out of memory");
		return -1;
	}
	wasmd_invoke_options_init(&ra->opts);
	/* "+": options end at REF, so ARGS such as -1 stay arguments. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "+W:H:", opts, NULL)) != -1) {
		if (c == 'i') {
			ra->func = optarg;
			ra->command = false;
		} else if (c == 'e') {
			if (wasi_env_option(ra, optarg) < 0)
				return -1;
		} else if (c == 's')
			ra->stdin_file = optarg;
		else if (common_option(ctl, c))
			continue;
		else if (c == 'W') {
			if (parse_limits(optarg, &ra->opts) != 0)
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
	if (r->has_exit_code)
		json_object_set_new(
		    o, "exit_code", json_integer((json_int_t)r->exit_code));
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

static void write_output(int fd, const void *data, size_t len, void *arg);
static int command_stdin(const struct run_args *ra,
    const wasmd_module_info *info, uint8_t **data, size_t *len);

static int
invoke_export(
    struct ctl *ctl, const struct run_args *ra, const wasmd_module_info *info)
{
	const wasmd_export *ex = wasmd_module_info_export(info, ra->func);
	const char *argv0[] = {ra->target};
	wasmd_invoke_options o = ra->opts;
	wasmd_value *vals = NULL;
	wasmd_result *res = NULL;
	uint8_t *in = NULL;
	wasmd_error rc;
	int st;

	if (ex == NULL || ex->type.kind != WASMD_EXTERN_FUNC) {
		fail("module %.12s has no exported function '%s'", info->digest,
		    ra->func);
		return EXIT_MISSING_EXPORT;
	}
	st = parse_call_args(ra, &ex->type.func, &vals);
	if (st == 0)
		st = command_stdin(ra, info, &in, &o.stdin_len);
	if (st != 0) {
		free(vals);
		return st;
	}
	/* A module that uses WASI gets REF|FILE as its argv, the --env, the
	 * stdin of a command, and its output written to ours as it comes
	 * (as with `wasmd run --invoke`). */
	o.argv = argv0;
	o.argc = 1;
	o.env = (const char *const *)ra->envs;
	o.nenv = (size_t)ra->nenvs;
	o.stdin_data = in;
	o.output = write_output;
	/* The digest names exactly the module inspected, even if a name is
	 * moved meanwhile. */
	rc = wasmd_invoke(ctl->conn, info->digest, ra->func, vals,
	    ex->type.func.nparams, &o, &res);
	free(vals);
	free(in);
	if (rc != WASMD_OK)
		return call_failed(ctl, rc);
	st = report_result(ctl, res);
	wasmd_result_free(res);
	return st;
}

/* ---- run: WASI commands ------------------------------------------------ */

/* The most stdin a command takes: it travels whole in the request. */
#define STDIN_MAX ((size_t)64 << 20)

/* The guest's stdout or stderr, written to ours as it arrives. */
static void
write_output(int fd, const void *data, size_t len, void *arg)
{
	const char *p = data;

	(void)arg;
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* our own stream is gone: nothing to do */
		p += n;
		len -= (size_t)n;
	}
}

/* Whether the module can read its stdin (imports WASI's fd_read). */
static bool
reads_stdin(const wasmd_module_info *info)
{
	for (size_t i = 0; i < info->nimports; i++)
		if (strcmp(info->imports[i].module, "wasi_snapshot_preview1") ==
		        0 &&
		    strcmp(info->imports[i].name, "fd_read") == 0)
			return true;
	return false;
}

/* All of f, at most STDIN_MAX bytes. own: *out. Returns 0 or a status. */
static int
read_stream(FILE *f, const char *what, uint8_t **out, size_t *len)
{
	size_t cap = 0, n = 0, got;
	uint8_t *buf = NULL, *nb;

	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > STDIN_MAX) {
				free(buf);
				return fail(
				    "%s: more than %zu bytes of stdin "
				    "(it is sent whole with the request)",
				    what, STDIN_MAX);
			}
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				return fail("out of memory");
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		return fail("%s: %s", what, strerror(errno));
	}
	*out = buf;
	*len = n;
	return 0;
}

/*
 * The command's stdin: --stdin FILE ("-": ours); else ours when it is not
 * a terminal and the module can read it (so that a command that never
 * reads does not wait for our stdin to end); else nothing (end of file).
 */
static int
command_stdin(const struct run_args *ra, const wasmd_module_info *info,
    uint8_t **data, size_t *len)
{
	FILE *f;
	int st;

	*data = NULL;
	*len = 0;
	if (ra->stdin_file == NULL &&
	    (isatty(STDIN_FILENO) || !reads_stdin(info)))
		return 0;
	if (ra->stdin_file == NULL || strcmp(ra->stdin_file, "-") == 0)
		return read_stream(stdin, "stdin", data, len);
	f = fopen(ra->stdin_file, "rb");
	if (f == NULL)
		return fail("%s: %s", ra->stdin_file, strerror(errno));
	st = read_stream(f, ra->stdin_file, data, len);
	fclose(f);
	return st;
}

/* A finished command: its exit code is ours; a trap is reported. */
static int
command_status(struct ctl *ctl, const wasmd_result *r)
{
	if (r->trap != WASMD_TRAP_NONE || !r->has_exit_code)
		return report_result(ctl, r);
	if (ctl->json)
		print_json(json_result(r));
	return (int)(r->exit_code & 0xff);
}

/*
 * Runs a WASI command: _start with REF|FILE and ARGS as its argv, the
 * --env environment and command_stdin(), its output streamed to ours.
 */
static int
run_command(struct ctl *ctl, struct run_args *ra, const wasmd_module_info *info)
{
	const wasmd_export *ex = wasmd_module_info_export(info, "_start");
	const char **argv;
	wasmd_result *res = NULL;
	uint8_t *in = NULL;
	size_t in_len = 0;
	wasmd_error rc;
	int st;

	if (ex == NULL || ex->type.kind != WASMD_EXTERN_FUNC) {
		fail("module %.12s has no exported function '_start' (not a "
		     "WASI command; use --invoke FUNC)",
		    info->digest);
		return EXIT_MISSING_EXPORT;
	}
	argv = calloc((size_t)ra->nargs + 2, sizeof *argv);
	if (argv == NULL)
		return fail("out of memory");
	argv[0] = ra->target;
	for (int i = 0; i < ra->nargs; i++)
		argv[i + 1] = ra->args[i];
	st = command_stdin(ra, info, &in, &in_len);
	if (st != 0) {
		free(argv);
		return st;
	}
	ra->opts.argv = argv;
	ra->opts.argc = (size_t)ra->nargs + 1;
	ra->opts.env = (const char *const *)ra->envs;
	ra->opts.nenv = (size_t)ra->nenvs;
	ra->opts.stdin_data = in;
	ra->opts.stdin_len = in_len;
	ra->opts.command = true;
	ra->opts.output = write_output;
	/* The guest buffers its output as it would on our streams. */
	for (int fd = 0; fd < 3; fd++)
		if (isatty(fd))
			ra->opts.tty_fds |= 1u << fd;
	fflush(stdout);
	rc = wasmd_invoke(
	    ctl->conn, info->digest, "_start", NULL, 0, &ra->opts, &res);
	free(argv);
	free(in);
	if (rc != WASMD_OK)
		return call_failed(ctl, rc);
	st = command_status(ctl, res);
	wasmd_result_free(res);
	return st;
}

static void
free_run_args(struct run_args *ra)
{
	for (int i = 0; i < ra->nenvs; i++)
		free(ra->envs[i]);
	free(ra->envs);
	ra->envs = NULL;
}

static int
verb_run(struct ctl *ctl, int argc, char **argv)
{
	struct run_args ra;
	wasmd_module_info *info = NULL;
	int st;

	memset(&ra, 0, sizeof ra);
	if (parse_run_args(ctl, argc, argv, &ra) < 0) {
		free_run_args(&ra);
		return EXIT_USAGE;
	}
	if (ctl_connect(ctl) < 0)
		st = EXIT_FAILURE;
	else
		st = resolve_module(ctl, ra.target, &info);
	if (st == 0) /* the built-in host functions it imports */
		wasmctl_host_serve(info, &ra.opts);
	if (st == 0 && ra.command)
		st = run_command(ctl, &ra, info);
	else if (st == 0)
		st = invoke_export(ctl, &ra, info);
	wasmd_module_info_free(info);
	free_run_args(&ra);
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
    {"stats", verb_stats},
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
