/* SPDX-License-Identifier: Apache-2.0 */
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
#include <time.h>
#include <unistd.h>

#include <wasmd/client.h>

#include "wasmctl_complete.h"
#include "wasmctl_files.h"
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

/* One verb: how it is called and what `wasmctl VERB --help` says. */
struct verb {
	const char *name;
	int (*run)(struct ctl *ctl, int argc, char **argv);
	const struct option *opts; /* its long options (for completion) */
	const char *synopsis;      /* after "usage: wasmctl " */
	const char *summary;       /* one line for `wasmctl --help` */
	const char *help;          /* the details, or NULL */
};

/* The verb being run (for usage messages) and the options every message
 * follows (--json): set in main() and dispatch(). Borrowed. */
static const struct verb *current_verb;
static const struct ctl *current_ctl;

static const char usage_line[] = "[-H ADDR] [--json] VERB [ARGS...]";

static const char options_text[] =
    "REF is a name, a digest, or a unique digest prefix of 12 or more hex\n"
    "digits. Sizes take K, M or G suffixes (powers of 1024); durations ms,\n"
    "s, m or h (a bare number is seconds).\n"
    "\n"
    "Options (before or after the verb; for run, before REF):\n"
    "  -H, --host ADDR   the daemon's socket: unix:///path or a path\n"
    "                    (default: $WASMD_HOST, else "
    "$XDG_RUNTIME_DIR/wasmd/wasmd.sock,\n"
    "                    or /run/wasmd/wasmd.sock as root)\n"
    "      --json        print JSON instead of text, errors included:\n"
    "                    {\"error\": {\"message\": ..., \"exit_status\": N}}\n"
    "                    on standard output\n"
    "  -h, --help        print this help (wasmctl VERB --help: the verb's)\n"
    "  -V, --version     print the version\n"
    "\n"
    "Exit status: 0 success, 1 error, 2 usage error, 127 no such export,\n"
    "134 the guest trapped (the trap goes to stderr); run of a WASI "
    "command:\n"
    "the command's exit code.\n";

static void print_help(FILE *f);

/*
 * Prints an error: "error: MSG" on stderr, or under --json a JSON object
 * on stdout (a program reading our JSON gets its errors there too).
 * Returns status, for `return report_error(...)`.
 */
static int
report_error(int status, const char *prefix, const char *msg)
{
	json_t *j;

	if (current_ctl == NULL || !current_ctl->json) {
		fprintf(stderr, "%s%s\n", prefix, msg);
		return status;
	}
	j = json_pack(
	    "{s:{s:s,s:i}}", "error", "message", msg, "exit_status", status);
	if (j != NULL) {
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	}
	return status;
}

static int report_errorf(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
report_errorf(int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return report_error(status, "error: ", msg);
}

/* Prints "error: ..." (or its JSON); returns 1 for `return fail(...)`. */
#define fail(...) report_errorf(EXIT_FAILURE, __VA_ARGS__)

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* A usage error: the message, the verb's usage line and where to read
 * more; not the whole help. Returns EXIT_USAGE. */
static int
usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (current_ctl != NULL && current_ctl->json)
		return report_error(EXIT_USAGE, "", msg);
	fprintf(stderr, "wasmctl: %s\n", msg);
	if (current_verb != NULL)
		fprintf(stderr, "usage: wasmctl %s\nTry 'wasmctl %s --help'.\n",
		    current_verb->synopsis, current_verb->name);
	else
		fprintf(stderr, "usage: wasmctl %s\nTry 'wasmctl --help'.\n",
		    usage_line);
	return EXIT_USAGE;
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

/* The exit status for a failed library call, after printing why (and
 * what to do about it, where wasmctl knows better than the daemon). */
static int
call_failed(struct ctl *ctl, wasmd_error rc)
{
	const char *msg = wasmd_errmsg(ctl->conn)[0] != '\0'
	    ? wasmd_errmsg(ctl->conn)
	    : wasmd_strerror(rc);
	const char *hint = "";

	if (rc == WASMD_ERR_LINK && strstr(msg, "unknown import") != NULL &&
	    strstr(msg, "during init") == NULL)
		hint = " (wasmctl run serves only WASI imports and the wasmd.* "
		       "built-ins listed by 'wasmctl run --help'; serve others "
		       "with libwasmd-client)";
	fail("%s%s", msg, hint);
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
	if (info->created_unix != 0) {
		time_t t = (time_t)info->created_unix;
		struct tm tm;
		char when[32];

		if (gmtime_r(&t, &tm) != NULL &&
		    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
			json_object_set_new(o, "created", json_string(when));
	}
	if (info->snapshot_size > 0)
		json_object_set_new(o, "snapshot",
		    json_pack("{s:s,s:I}", "digest", info->snapshot_digest,
		        "size", (json_int_t)info->snapshot_size));
	else
		json_object_set_new(o, "snapshot", json_null());
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

/* The options every verb also takes after its name: -H, --json, --help. */
/* clang-format off */
#define OPTS_COMMON \
	{"json", no_argument, NULL, 'j'}, \
	{"host", required_argument, NULL, 'H'}, \
	{"help", no_argument, NULL, 'h'}, \
	{NULL, 0, NULL, 0}
/* clang-format on */

static const struct option common_opts[] = {OPTS_COMMON};

/* `wasmctl VERB --help`: the verb's usage, its help, then what all share. */
static void
print_verb_help(const struct verb *v, FILE *f)
{
	fprintf(f, "usage: wasmctl %s\n\n%s\n", v->synopsis, v->summary);
	if (v->help != NULL)
		fprintf(f, "\n%s", v->help);
	fprintf(f, "\n%s", options_text);
}

/* Handles -H, --json and --help (which prints the verb's help and exits);
 * false for any other option. */
static bool
common_option(struct ctl *ctl, int c)
{
	if (c == 'j')
		ctl->json = true;
	else if (c == 'H')
		ctl->addr = optarg;
	else if (c == 'h') {
		print_verb_help(current_verb, stdout);
		exit(EXIT_SUCCESS);
	}
	return c == 'j' || c == 'H' || c == 'h';
}

/* The usage error for an option getopt refused (opterr is 0: we say it). */
static int
bad_option(char **argv)
{
	return usage_error("%s: unknown option or missing argument",
	    optind > 0 ? argv[optind - 1] : "?");
}

/* Parses a verb's options: the common ones only. Returns the exit status
 * of a usage error, or 0 with optind at the first positional. */
static int
common_args(struct ctl *ctl, int argc, char **argv)
{
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "H:h", common_opts, NULL)) != -1)
		if (!common_option(ctl, c))
			return bad_option(argv);
	return 0;
}

static const struct option push_opts[] = {
    {"name", required_argument, NULL, 'n'},
    {"init", required_argument, NULL, 'I'},
    {"no-init", no_argument, NULL, 'N'},
    {"init-allow-random", no_argument, NULL, 'R'},
    {"init-stub-imports", no_argument, NULL, 'S'},
    OPTS_COMMON,
};

static int parse_limit(const char *item, wasmd_limits *l, uint64_t *max_output);

/* push -W: the initializer's limits (max-output means nothing there). */
static int
parse_init_limits(char *list, wasmd_limits *l)
{
	char *save = NULL;
	uint64_t ignored = 0;

	for (char *item = strtok_r(list, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		if (strncmp(item, "max-output=", 11) == 0 ||
		    parse_limit(item, l, &ignored) < 0)
			return usage_error("bad -W item '%s' (fuel=N, "
			                   "max-memory-size=BYTES, "
			                   "timeout=DURATION)",
			    item);
	}
	return 0;
}

/* push's options into o. Returns 0, or the exit status of a usage error. */
static int
push_args(struct ctl *ctl, int argc, char **argv, wasmd_push_options *o)
{
	int c;

	optind = 0;
	while (
	    (c = getopt_long(argc, argv, "n:W:H:h", push_opts, NULL)) != -1) {
		if (c == 'n')
			o->name = optarg;
		else if (c == 'I')
			o->init = optarg;
		else if (c == 'N')
			o->no_init = true;
		else if (c == 'R')
			o->init_allow_random = true;
		else if (c == 'S')
			o->init_stub_imports = true;
		else if (c == 'W') {
			if (parse_init_limits(optarg, &o->limits) != 0)
				return EXIT_USAGE;
		} else if (!common_option(ctl, c))
			return bad_option(argv);
	}
	if (o->no_init &&
	    (o->init != NULL || o->init_allow_random || o->init_stub_imports))
		return usage_error(
		    "--no-init cannot go with --init, "
		    "--init-allow-random or --init-stub-imports");
	if (o->init != NULL && o->init[0] == '\0')
		return usage_error("--init needs an export's name");
	if (argc - optind != 1)
		return usage_error("push takes one FILE");
	return 0;
}

static int
verb_push(struct ctl *ctl, int argc, char **argv)
{
	wasmd_push_options opts = WASMD_PUSH_OPTIONS_INIT;
	wasmd_module_info *info = NULL;
	uint8_t *wasm;
	size_t len = 0;
	wasmd_error rc;
	int st;

	if ((st = push_args(ctl, argc, argv, &opts)) != 0)
		return st;
	wasm = read_file(argv[optind], &len);
	if (wasm == NULL)
		return EXIT_FAILURE;
	if (ctl_connect(ctl) < 0) {
		free(wasm);
		return EXIT_FAILURE;
	}
	rc = wasmd_push_with(ctl->conn, wasm, len, &opts, &info);
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

/*
 * `bundle push DIR...`: packs and stores each directory, printing its
 * digest; `bundle rm REF...`: forgets bundles.
 */
static int
verb_bundle(struct ctl *ctl, int argc, char **argv)
{
	char digest[65], err[512];
	const char *sub;
	int st = common_args(ctl, argc, argv);

	if (st != 0)
		return st;
	if (argc - optind < 2 ||
	    (strcmp(argv[optind], "push") != 0 &&
	        strcmp(argv[optind], "rm") != 0))
		return usage_error("bundle takes push DIR... or rm REF...");
	sub = argv[optind++];
	if (ctl_connect(ctl) < 0)
		return EXIT_FAILURE;
	for (; optind < argc && st == 0; optind++) {
		const char *arg = argv[optind];
		wasmd_error rc;

		if (strcmp(sub, "rm") == 0) {
			if ((rc = wasmd_remove_bundle(ctl->conn, arg)) !=
			    WASMD_OK)
				st = call_failed(ctl, rc);
			else if (!ctl->json)
				printf("removed %s\n", arg);
		} else if (wasmctl_files_push(
		               ctl->conn, arg, digest, err, sizeof err) < 0)
			st = fail("%s", err);
		else if (ctl->json)
			st = print_json(json_pack(
			    "{s:s,s:s}", "dir", arg, "digest", digest));
		else
			printf("%s\n", digest);
	}
	return st;
}

/* Who answers at the address, and who the daemon thinks we are. */
static int
verb_info(struct ctl *ctl, int argc, char **argv)
{
	int st = common_args(ctl, argc, argv);

	if (st != 0)
		return st;
	if (optind != argc)
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

static const struct option stats_opts[] = {
    {"all", no_argument, NULL, 'a'},
    {"format", required_argument, NULL, 'f'},
    OPTS_COMMON,
};

/* The daemon's statistics (the text is formatted by wasmctl_stats.c). */
static int
verb_stats(struct ctl *ctl, int argc, char **argv)
{
	const char *format = "plain";
	bool all = false;
	char *text = NULL;
	wasmd_error rc;
	int c, st;

	optind = 0;
	while ((c = getopt_long(argc, argv, "f:H:h", stats_opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'f')
			format = optarg;
		else if (!common_option(ctl, c))
			return bad_option(argv);
	}
	if (optind != argc)
		return usage_error("stats takes no arguments");
	if (strcmp(format, "plain") != 0 && strcmp(format, "prometheus") != 0)
		return usage_error(
		    "--format %s: expected plain or prometheus", format);
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

/* A module's creation time in local time ("-" when the daemon kept none). */
static const char *
created_text(uint64_t created_unix, char *buf, size_t len)
{
	time_t t = (time_t)created_unix;
	struct tm tm;

	if (created_unix == 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

static int
verb_ls(struct ctl *ctl, int argc, char **argv)
{
	wasmd_module_list *list = NULL;
	wasmd_error rc;
	char when[32];
	int st = common_args(ctl, argc, argv);

	if (st != 0)
		return st;
	if (optind != argc)
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
	printf(
	    "%-12s  %10s  %-19s  %s\n", "DIGEST", "SIZE", "CREATED", "NAMES");
	for (size_t i = 0; i < list->count; i++) {
		const wasmd_module_info *m = &list->modules[i];

		printf("%-12.12s  %10" PRIu64 "  %-19s  ", m->digest, m->size,
		    created_text(m->created_unix, when, sizeof when));
		print_names(m, stdout);
		fputc('\n', stdout);
	}
	wasmd_module_list_free(list);
	return EXIT_SUCCESS;
}

static void
print_module(const wasmd_module_info *info)
{
	char when[32];

	printf("digest   %s\nsize     %" PRIu64 " bytes\ncreated  %s\n"
	       "names    ",
	    info->digest, info->size,
	    created_text(info->created_unix, when, sizeof when));
	print_names(info, stdout);
	if (info->snapshot_size > 0)
		printf("\nsnapshot %" PRIu64 " bytes, %s", info->snapshot_size,
		    info->snapshot_digest);
	else
		printf("\nsnapshot none");
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
	int st = common_args(ctl, argc, argv);

	if (st != 0)
		return st;
	if (argc - optind != 1)
		return usage_error("inspect takes one REF");
	if (ctl_connect(ctl) < 0)
		return EXIT_FAILURE;
	rc = wasmd_inspect(ctl->conn, argv[optind], &info);
	if (rc != WASMD_OK)
		return call_failed(ctl, rc);
	if (ctl->json) {
		st = print_json(json_module(info, true));
		wasmd_module_info_free(info);
		return st;
	}
	print_module(info);
	wasmd_module_info_free(info);
	return EXIT_SUCCESS;
}

/* ---- rm, untag, prune -------------------------------------------------- */

/* What rm, untag and prune did: printed as it happens, or gathered for
 * --json as {"untagged": [NAME...], "removed": [DIGEST...]}. */
struct removals {
	json_t *untagged; /* own */
	json_t *removed;  /* own */
};

static void
removals_init(struct removals *r)
{
	r->untagged = json_array();
	r->removed = json_array();
}

/* Notes one name or digest gone ("untagged" or "removed"). */
static void
removals_note(struct ctl *ctl, struct removals *r, bool module, const char *s)
{
	if (ctl->json)
		json_array_append_new(
		    module ? r->removed : r->untagged, json_string(s));
	else
		printf("%s %s\n", module ? "removed" : "untagged", s);
}

/* Prints the --json summary (status 0) or drops it; returns status. */
static int
removals_end(struct ctl *ctl, struct removals *r, int status)
{
	json_t *j = json_pack(
	    "{s:o,s:o}", "untagged", r->untagged, "removed", r->removed);

	if (ctl->json && status == EXIT_SUCCESS)
		return print_json(j);
	json_decref(j);
	return status;
}

static bool
has_name(const wasmd_module_info *info, const char *name)
{
	for (size_t i = 0; i < info->nnames; i++)
		if (strcmp(info->names[i], name) == 0)
			return true;
	return false;
}

/*
 * Removes what ref names within scope, and notes what went: the module is
 * described first so that rm can say whether it untagged or removed (the
 * daemon decides the same way: a full digest is never a name).
 */
static int
remove_ref(struct ctl *ctl, struct removals *r, const char *ref,
    wasmd_remove_scope scope)
{
	wasmd_module_info *info = NULL;
	wasmd_error rc = wasmd_inspect(ctl->conn, ref, &info);
	bool is_name, module_goes;

	if (rc != WASMD_OK)
		return call_failed(ctl, rc);
	is_name = strcmp(ref, info->digest) != 0 && has_name(info, ref);
	module_goes =
	    scope == WASMD_REMOVE_ALL_NAMES || !is_name || info->nnames == 1;
	rc = wasmd_remove_scoped(ctl->conn, ref, scope);
	if (rc != WASMD_OK) {
		wasmd_module_info_free(info);
		return call_failed(ctl, rc);
	}
	for (size_t i = 0; i < info->nnames; i++)
		if (module_goes || strcmp(info->names[i], ref) == 0)
			removals_note(ctl, r, false, info->names[i]);
	if (module_goes)
		removals_note(ctl, r, true, info->digest);
	wasmd_module_info_free(info);
	return EXIT_SUCCESS;
}

static const struct option rm_opts[] = {
    {"all-names", no_argument, NULL, 'a'},
    OPTS_COMMON,
};

/* rm REF...: a name goes alone (the module with its last name), a digest
 * takes its module and names; --all-names: the module REF names. */
static int
verb_rm(struct ctl *ctl, int argc, char **argv)
{
	wasmd_remove_scope scope = WASMD_REMOVE_REF;
	struct removals r;
	int c, st = EXIT_SUCCESS;

	optind = 0;
	while ((c = getopt_long(argc, argv, "H:h", rm_opts, NULL)) != -1) {
		if (c == 'a')
			scope = WASMD_REMOVE_ALL_NAMES;
		else if (!common_option(ctl, c))
			return bad_option(argv);
	}
	if (optind >= argc)
		return usage_error("rm takes one or more REFs");
	if (ctl_connect(ctl) < 0)
		return EXIT_FAILURE;
	removals_init(&r);
	for (int i = optind; i < argc && st == EXIT_SUCCESS; i++)
		st = remove_ref(ctl, &r, argv[i], scope);
	return removals_end(ctl, &r, st);
}

/* untag NAME...: the names only; a module left unnamed stays. */
static int
verb_untag(struct ctl *ctl, int argc, char **argv)
{
	struct removals r;
	wasmd_error rc;
	int st = common_args(ctl, argc, argv);

	if (st != 0)
		return st;
	if (optind >= argc)
		return usage_error("untag takes one or more NAMEs");
	if (ctl_connect(ctl) < 0)
		return EXIT_FAILURE;
	removals_init(&r);
	for (int i = optind; i < argc && st == EXIT_SUCCESS; i++) {
		rc = wasmd_remove_scoped(
		    ctl->conn, argv[i], WASMD_REMOVE_NAME_ONLY);
		if (rc != WASMD_OK)
			st = call_failed(ctl, rc);
		else
			removals_note(ctl, &r, false, argv[i]);
	}
	return removals_end(ctl, &r, st);
}

/* prune: every module no name points at. */
static int
verb_prune(struct ctl *ctl, int argc, char **argv)
{
	wasmd_module_list *list = NULL;
	struct removals r;
	wasmd_error rc;
	int st = common_args(ctl, argc, argv);

	if (st != 0)
		return st;
	if (optind != argc)
		return usage_error("prune takes no arguments");
	if (ctl_connect(ctl) < 0)
		return EXIT_FAILURE;
	rc = wasmd_list(ctl->conn, &list);
	if (rc != WASMD_OK)
		return call_failed(ctl, rc);
	removals_init(&r);
	for (size_t i = 0; i < list->count && st == EXIT_SUCCESS; i++) {
		const wasmd_module_info *m = &list->modules[i];

		if (m->nnames > 0)
			continue;
		rc =
		    wasmd_remove_scoped(ctl->conn, m->digest, WASMD_REMOVE_REF);
		if (rc != WASMD_OK)
			st = call_failed(ctl, rc);
		else
			removals_note(ctl, &r, true, m->digest);
	}
	wasmd_module_list_free(list);
	return removals_end(ctl, &r, st);
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
	bool keep;              /* --keep: a pushed FILE stays stored */
	wasmctl_files files;    /* --files, --files-rw, --scratch */
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

static const struct option run_opts[] = {
    {"invoke", required_argument, NULL, 'i'},
    {"env", required_argument, NULL, 'e'},
    {"stdin", required_argument, NULL, 's'},
    {"keep", no_argument, NULL, 'k'},
    {"files", required_argument, NULL, 'F'},
    {"files-rw", required_argument, NULL, 'R'},
    {"scratch", required_argument, NULL, 'S'},
    {"dir", required_argument, NULL, 'D'},
    {"no-snapshot", no_argument, NULL, 'P'},
    OPTS_COMMON,
};

/* --files, --files-rw and --scratch; --dir is refused (see run_help). */
static int
files_option(struct run_args *ra, int c, const char *arg)
{
	char err[512];

	if (c == 'D') {
		usage_error(
		    "--dir %s: the daemon runs the guest on its own "
		    "machine and cannot see your directories; use "
		    "--files DIR::GUEST (uploaded as a read-only "
		    "bundle), --files-rw DIR::GUEST (a private writable "
		    "copy) or --scratch GUEST (an empty directory)",
		    arg);
		return -1;
	}
	if (wasmctl_files_add(&ra->files, arg,
	        c == 'F'       ? WASMCTL_FILES_RO
	            : c == 'R' ? WASMCTL_FILES_RW
	                       : WASMCTL_SCRATCH,
	        err, sizeof err) < 0) {
		usage_error("%s", err);
		return -1;
	}
	return 0;
}

/*
 * Whether arg, given after REF, would have been one of our options: it
 * goes to the guest, and a note says so (unless "--" showed it is meant).
 */
static bool
looks_like_our_option(const char *arg)
{
	if (strncmp(arg, "-W", 2) == 0 || strcmp(arg, "-H") == 0)
		return true;
	if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
		return false;
	for (const struct option *o = run_opts; o->name != NULL; o++) {
		size_t n = strlen(o->name);

		if (strncmp(arg + 2, o->name, n) == 0 &&
		    (arg[2 + n] == '\0' || arg[2 + n] == '='))
			return true;
	}
	return false;
}

/* Options come before REF: everything after it is the guest's. */
static int
parse_run_args(struct ctl *ctl, int argc, char **argv, struct run_args *ra)
{
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
	while ((c = getopt_long(argc, argv, "+W:H:h", run_opts, NULL)) != -1) {
		if (c == 'i') {
			ra->func = optarg;
			ra->command = false;
		} else if (c == 'e') {
			if (wasi_env_option(ra, optarg) < 0)
				return -1;
		} else if (c == 's')
			ra->stdin_file = optarg;
		else if (c == 'k')
			ra->keep = true;
		else if (c == 'P')
			ra->opts.no_snapshot = true;
		else if (c == 'F' || c == 'R' || c == 'S' || c == 'D') {
			if (files_option(ra, c, optarg) < 0)
				return -1;
		} else if (common_option(ctl, c))
			continue;
		else if (c == 'W') {
			if (parse_limits(optarg, &ra->opts) != 0)
				return -1;
		} else {
			bad_option(argv);
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
	else
		for (int i = optind; i < argc; i++)
			if (looks_like_our_option(argv[i]))
				fprintf(stderr,
				    "wasmctl: note: %s after %s goes to the "
				    "guest; wasmctl's options go before REF "
				    "(write REF -- ARGS to silence this)\n",
				    argv[i], ra->target);
	ra->args = argv + optind;
	ra->nargs = argc - optind;
	return 0;
}

/* REF names a local file only when it says so: a "/" in it or a .wasm or
 * .wat suffix. A stored module is never shadowed by a file of its name. */
static bool
names_a_file(const char *ref)
{
	size_t n = strlen(ref);

	return strcmp(ref, "-") != 0 &&
	    (strchr(ref, '/') != NULL ||
	        (n > 5 && strcmp(ref + n - 5, ".wasm") == 0) ||
	        (n > 4 && strcmp(ref + n - 4, ".wat") == 0));
}

static bool
in_list(const wasmd_module_list *list, const char *digest)
{
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->modules[i].digest, digest) == 0)
			return true;
	return false;
}

/*
 * Pushes FILE. *pushed_new: the push stored a module that was not there
 * before (wasmctl run removes it afterwards, unless --keep). own: *info.
 */
static int
push_file(struct ctl *ctl, const char *path, bool check_new,
    wasmd_module_info **info, bool *pushed_new)
{
	wasmd_module_list *before = NULL;
	size_t len = 0;
	uint8_t *wasm = read_file(path, &len);
	wasmd_error rc;

	if (wasm == NULL)
		return EXIT_FAILURE;
	rc = check_new ? wasmd_list(ctl->conn, &before) : WASMD_OK;
	if (rc == WASMD_OK)
		rc = wasmd_push(ctl->conn, wasm, len, NULL, info);
	free(wasm);
	if (rc == WASMD_OK && before != NULL)
		*pushed_new = !in_list(before, (*info)->digest);
	wasmd_module_list_free(before);
	return rc == WASMD_OK ? 0 : call_failed(ctl, rc);
}

/*
 * Describes the module to run: a FILE (names_a_file) is pushed first, its
 * digest is then the reference; anything else is inspected. own: *info.
 */
static int
resolve_module(struct ctl *ctl, const struct run_args *ra,
    wasmd_module_info **info, bool *pushed_new)
{
	wasmd_error rc;

	*pushed_new = false;
	if (names_a_file(ra->target))
		return push_file(ctl, ra->target, !ra->keep, info, pushed_new);
	rc = wasmd_inspect(ctl->conn, ra->target, info);
	if (rc == WASMD_ERR_NOT_FOUND && access(ra->target, F_OK) == 0) {
		fail("%s; to run the file %s, write ./%s",
		    wasmd_errmsg(ctl->conn), ra->target, ra->target);
		return EXIT_FAILURE;
	}
	return rc == WASMD_OK ? 0 : call_failed(ctl, rc);
}

/* After running a FILE: removes the module its push added, unless --keep
 * (a module already stored, or named meanwhile, stays). */
static void
forget_pushed(struct ctl *ctl, const wasmd_module_info *info)
{
	wasmd_module_info *now = NULL;

	if (wasmd_inspect(ctl->conn, info->digest, &now) != WASMD_OK)
		return;
	if (now->nnames == 0 &&
	    wasmd_remove(ctl->conn, info->digest) != WASMD_OK)
		fprintf(stderr,
		    "wasmctl: cannot remove module %.12s after "
		    "the run: %s\n",
		    info->digest, wasmd_errmsg(ctl->conn));
	wasmd_module_info_free(now);
}

/* "(i32 i64)": the parameter types of ft, cut to fit. */
static void
type_list(const wasmd_functype *ft, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "(");

	for (size_t i = 0; i < ft->nparams && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "",
		    wasmd_valtype_name(ft->params[i]));
	if (n < len)
		snprintf(buf + n, len - n, ")");
}

/* Parses the command-line ARGS by the export's parameter types. own:
 * *vals. Returns 0 or an exit status after printing why. */
static int
parse_call_args(
    const struct run_args *ra, const wasmd_functype *ft, wasmd_value **vals)
{
	char err[256];

	if ((size_t)ra->nargs != ft->nparams) {
		char types[256];

		type_list(ft, types, sizeof types);
		return report_errorf(EXIT_USAGE,
		    "%s expects %zu argument%s %s, got %d", ra->func,
		    ft->nparams, ft->nparams == 1 ? "" : "s", types, ra->nargs);
	}
	*vals = calloc(ft->nparams ? ft->nparams : 1, sizeof **vals);
	if (*vals == NULL)
		return fail("out of memory");
	for (size_t i = 0; i < ft->nparams; i++) {
		if (wasmd_value_parse(ft->params[i], ra->args[i], &(*vals)[i],
		        err, sizeof err) < 0) {
			free(*vals);
			*vals = NULL;
			return report_errorf(EXIT_USAGE,
			    "argument %zu of %s: %s", i + 1, ra->func, err);
		}
	}
	return 0;
}

static void
print_trap(const wasmd_result *r)
{
	fprintf(stderr, "error: %s",
	    r->trap_message[0] != '\0' ? r->trap_message
	                               : wasmd_trap_kind_name(r->trap));
	/* Fuel spent compiling is not counted as consumed: no "after 0". */
	if (r->trap == WASMD_TRAP_OUT_OF_FUEL && r->fuel_consumed > 0)
		fprintf(stderr, " after %" PRIu64 " units of fuel",
		    r->fuel_consumed);
	if (r->trap == WASMD_TRAP_OUT_OF_FUEL)
		fputs(" (give more with -W fuel=N, up to the daemon's "
		      "--max-fuel)",
		    stderr);
	fputc('\n', stderr);
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
	wasmctl_files_free(&ra->files);
}

static int
verb_run(struct ctl *ctl, int argc, char **argv)
{
	struct run_args ra;
	wasmd_module_info *info = NULL;
	bool pushed_new = false;
	char err[512];
	int st;

	memset(&ra, 0, sizeof ra);
	if (parse_run_args(ctl, argc, argv, &ra) < 0) {
		free_run_args(&ra);
		return EXIT_USAGE;
	}
	if (ctl_connect(ctl) < 0)
		st = EXIT_FAILURE;
	else
		st = resolve_module(ctl, &ra, &info, &pushed_new);
	if (st == 0 &&
	    wasmctl_files_resolve(
	        &ra.files, ctl->conn, &ra.opts, err, sizeof err) < 0)
		st = fail("%s", err);
	if (st == 0) /* the built-in host functions it imports */
		wasmctl_host_serve(info, &ra.opts);
	if (st == 0 && ra.command)
		st = run_command(ctl, &ra, info);
	else if (st == 0)
		st = invoke_export(ctl, &ra, info);
	if (pushed_new)
		forget_pushed(ctl, info);
	wasmd_module_info_free(info);
	free_run_args(&ra);
	return st;
}

/* ---- completion, help, main ------------------------------------------- */

static int verb_completion(struct ctl *ctl, int argc, char **argv);

static const char run_help[] =
    "Runs a stored module, or a FILE pushed first (see below).\n"
    "\n"
    "With --invoke FUNC: calls the export FUNC with ARGS parsed by its "
    "parameter\n"
    "types and prints its results, one a line. Without: runs a WASI "
    "command\n"
    "(_start) with REF and ARGS as its argv; its stdout and stderr stream "
    "to\n"
    "ours, and wasmctl exits with its exit code (proc_exit(N): N; a "
    "return: 0).\n"
    "\n"
    "Options (before REF: everything after REF goes to the guest, and a "
    "note\n"
    "says so when it looks like one of these; REF -- ARGS silences it):\n"
    "  --invoke FUNC       call FUNC instead of running a WASI command\n"
    "  --env K=V, --env K  a WASI environment variable (K: ours, if set)\n"
    "  --stdin FILE        the guest's stdin (- for ours); else ours when "
    "it is\n"
    "                      not a terminal and the module reads stdin "
    "(fd_read),\n"
    "                      else empty. It is sent whole: 64 MiB at most\n"
    "  -W fuel=N,max-memory-size=SIZE,timeout=DUR,max-output=SIZE\n"
    "                      limits of this call (0 or absent: the daemon's\n"
    "                      defaults; above its maximums: refused). "
    "max-output:\n"
    "                      the guest's stdout+stderr bytes\n"
    "  --keep              keep a pushed FILE stored after the run\n"
    "  --no-snapshot       start from the plain module even when it has a\n"
    "                      snapshot (see push --init): data segments, the\n"
    "                      start function and no initializer\n"
    "  --files SRC::GUEST  the guest's directory GUEST holds bundle SRC,\n"
    "                      read-only. SRC: a local directory (with a / in "
    "it,\n"
    "                      or . or ..), pushed first as by `bundle push`,"
    "\n"
    "                      or a stored bundle's digest (or 12+ hex "
    "prefix)\n"
    "  --files-rw SRC::GUEST  the same as a private writable copy: the "
    "guest's\n"
    "                      changes live in the worker's memory for this "
    "run only\n"
    "  --scratch GUEST     an empty writable directory GUEST, in memory\n"
    "                      (files count against max-memory-size)\n"
    "  --dir is refused: the daemon cannot see your directories (use "
    "--files)\n"
    "\n"
    "REF or FILE: REF is read as a FILE only when it contains a / or ends "
    "in\n"
    ".wasm or .wat (./calc is the file, calc the stored module). A FILE is\n"
    "pushed, run by its digest, and removed again afterwards unless "
    "--keep\n"
    "or it was stored already (pushed before, or named meanwhile).\n"
    "\n"
    "Imports: the guest gets WASI (wasi_snapshot_preview1; files only "
    "through\n--files, --files-rw and --scratch)\n"
    "and these built-ins of module \"wasmd\", served by wasmctl; any other\n"
    "import fails to link (serve it with libwasmd-client):\n"
    "  print_str(ptr i32, len i32)   print len bytes of guest memory at "
    "ptr\n"
    "  print_i32(i32)  print_i64(i64)  print_f32(f32)  print_f64(f64)\n"
    "                                print the value and a newline\n"
    "  now_ms() -> i64               wall-clock time, ms since 1970\n";

static const char push_help[] =
    "  --name NAME   point NAME at it (a name moves from any module it "
    "named)\n"
    "  --init FUNC   pre-initialize: run the export FUNC (no parameters, "
    "no\n"
    "                results) once in a sandboxed worker, and store a "
    "snapshot\n"
    "                of the instance's memory, globals and tables beside "
    "the\n"
    "                module; every fresh `run` then starts from it (no "
    "data\n"
    "                segments, start function or initializer again). "
    "Default:\n"
    "                wizer.initialize when the module exports it. "
    "Pushing the\n"
    "                same bytes again with --init runs it again\n"
    "  --no-init     no snapshot (a stored module's is removed)\n"
    "  --init-allow-random  let the initializer call WASI random_get "
    "(else it\n"
    "                traps: the bytes would be shared by every instance)\n"
    "  --init-stub-imports  link function imports other than WASI, "
    "during init\n"
    "                only, to stubs that trap if called (else such an "
    "import\n"
    "                fails the push); `run` must still serve them\n"
    "  -W fuel=N,max-memory-size=SIZE,timeout=DUR\n"
    "                the initializer's limits (default: the daemon's, as "
    "a run's)\n"
    "During init the guest's WASI world is empty: no arguments, "
    "environment,\n"
    "files or stdin; its output is discarded. Clock values it reads are "
    "frozen\n"
    "into the snapshot. `inspect` shows a module's snapshot and its "
    "size.\n";

static const char rm_help[] =
    "A NAME: removes that name only; the module goes too when it was its\n"
    "last name (as `docker rmi TAG`). A digest or a unique digest prefix:\n"
    "removes the module with every name pointing at it. Prints what went:\n"
    "\"untagged NAME\" and \"removed DIGEST\" lines (--json: {\"untagged\": "
    "[...],\n"
    "\"removed\": [...]}).\n"
    "  --all-names   remove the module REF names, with every name pointing "
    "at it\n"
    "See also untag (names only, never the module) and prune.\n";

static const char completion_help[] =
    "Prints a completion script for bash or zsh: verbs, options, files and\n"
    "the names of your stored modules (asked of the daemon with ls).\n"
    "  bash:  source <(wasmctl completion bash)    (e.g. in ~/.bashrc)\n"
    "  zsh:   source <(wasmctl completion zsh)     (e.g. in ~/.zshrc)\n";

/* clang-format off */
static const struct verb verbs[] = {
    {"push", verb_push, push_opts,
     "push [--name NAME] [--init NAME [--init-allow-random] "
     "[--init-stub-imports] | --no-init] "
     "[-W LIMITS] FILE",
     "Stores a module (FILE - is stdin) and prints its digest.",
     push_help},
    {"ls", verb_ls, common_opts, "ls",
     "Lists your modules: digest, size, created (local time), names.",
     "--json gives each module's full digest, size, names, created_unix "
     "and\ncreated (ISO 8601, UTC).\n"},
    {"inspect", verb_inspect, common_opts, "inspect REF",
     "Shows a module's digest, size, names, imports and exports.", NULL},
    {"rm", verb_rm, rm_opts, "rm [--all-names] REF...",
     "Removes names or modules.", rm_help},
    {"untag", verb_untag, common_opts, "untag NAME...",
     "Removes names only; a module left without names stays stored.",
     "An unnamed module is still reachable by its digest; `wasmctl prune` "
     "removes\nevery unnamed module.\n"},
    {"prune", verb_prune, common_opts, "prune",
     "Removes every module that no name points at.", NULL},
    {"run", verb_run, run_opts,
     "run [--invoke FUNC] [OPTIONS] REF|FILE [ARGS...]",
     "Runs an export, or a WASI command, in the daemon's sandbox.",
     run_help},
    {"bundle", verb_bundle, common_opts, "bundle push DIR... | rm REF...",
     "Stores directories as bundles (prints digests), or removes them.",
     "A bundle is a tree of files (regular files, directories, symbolic "
     "links)\nstored by the daemon for your tenant, counted in your "
     "stored bytes with\nyour modules. Mount it into a guest with "
     "`wasmctl run --files DIGEST::GUEST`\n(or --files-rw for a private "
     "writable copy). The same tree gives the same\ndigest and is stored "
     "once.\n"},
    {"info", verb_info, common_opts, "info",
     "Shows the daemon's version and your tenant.", NULL},
    {"stats", verb_stats, stats_opts,
     "stats [--all] [--format plain|prometheus]",
     "Shows statistics of your tenant.",
     "  --all       the whole daemon (its administrators only)\n"
     "  --format    plain (default) or the Prometheus text format; --json: "
     "samples\n"},
    {"completion", verb_completion, common_opts, "completion bash|zsh",
     "Prints a shell completion script.", completion_help},
};
/* clang-format on */
#define NVERBS (sizeof verbs / sizeof verbs[0])

/* Aliases accepted for a verb, not shown in help. */
static const struct {
	const char *alias, *verb;
} aliases[] = {{"list", "ls"}, {"remove", "rm"}};

static int
verb_completion(struct ctl *ctl, int argc, char **argv)
{
	struct wasmctl_complete_verb cv[NVERBS];
	int st = common_args(ctl, argc, argv);

	if (st != 0)
		return st;
	if (argc - optind != 1)
		return usage_error("completion takes one SHELL: bash or zsh");
	for (size_t i = 0; i < NVERBS; i++) {
		const char *name = verbs[i].name;

		cv[i].name = name;
		cv[i].opts = verbs[i].opts;
		cv[i].short_opts = verbs[i].run == verb_run ? "-W -H" : "-H";
		cv[i].operands = verbs[i].run == verb_push ? "file"
		    : verbs[i].run == verb_run             ? "ref file"
		    : verbs[i].run == verb_inspect || verbs[i].run == verb_rm ||
		        verbs[i].run == verb_untag
		    ? "ref"
		    : verbs[i].run == verb_completion ? "shell"
		                                      : "";
	}
	if (wasmctl_complete_print(stdout, argv[optind], cv, NVERBS) < 0)
		return usage_error("completion: unknown shell '%s' (bash or "
		                   "zsh)",
		    argv[optind]);
	return EXIT_SUCCESS;
}

/* `wasmctl --help`: every verb's usage and summary, then the options. */
static void
print_help(FILE *f)
{
	fprintf(f, "usage: wasmctl %s\n\nVerbs:\n", usage_line);
	for (size_t i = 0; i < NVERBS; i++)
		fprintf(
		    f, "  %s\n      %s\n", verbs[i].synopsis, verbs[i].summary);
	fprintf(
	    f, "\nwasmctl VERB --help tells more of each.\n\n%s", options_text);
}

static int
dispatch(struct ctl *ctl, int argc, char **argv)
{
	const char *name = argv[0];

	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(name, aliases[i].alias) == 0)
			name = aliases[i].verb;
	for (size_t i = 0; i < NVERBS; i++) {
		if (strcmp(name, verbs[i].name) == 0) {
			current_verb = &verbs[i];
			return verbs[i].run(ctl, argc, argv);
		}
	}
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

	current_ctl = &ctl;
	opterr = 0; /* usage_error() says what was wrong, once */
	while ((c = getopt_long(argc, argv, "+H:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'H': ctl.addr = optarg; break;
		case 'j': ctl.json = true; break;
		case 'h': print_help(stdout); return EXIT_SUCCESS;
		case 'V': puts("wasmctl " WASMD_VERSION); return EXIT_SUCCESS;
		default: return bad_option(argv);
		}
	}
	if (optind >= argc)
		return usage_error("no verb given");
	st = dispatch(&ctl, argc - optind, argv + optind);
	wasmd_close(ctl.conn);
	return st;
}
