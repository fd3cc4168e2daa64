/* SPDX-License-Identifier: Apache-2.0 */
/*
 * local_run.c: `wasmd-worker run`, a module run in this process with the
 * engine and no daemon: load, instantiate with the WASI preview1 imports
 * (libwasmd-wasi: arguments, --env, --dir preopens, stdio inherited), then
 * call --invoke NAME with arguments parsed from the command line and print
 * its results (one per line, in a form that reads back exactly), or run
 * the start function and `_start`, a WASI command, whose exit code
 * (proc_exit) becomes ours. -W timeout=D bounds the run's wall-clock time:
 * SIGALRM interrupts the engine (a trap, exit 134), and if a host call
 * holds it past a grace second, the handler ends the process itself.
 */
#include "local_run.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "wasi.h"
#include "wat.h"

/* Modules bigger than this are refused rather than read. */
#define RUN_MAX_MODULE_BYTES ((size_t)1 << 30)

/* The WebAssembly page size, for -W max-memory-size. */
#define RUN_PAGE_BYTES 65536u

typedef struct run_opts {
	const char *invoke; /* borrowed from argv, or NULL */
	const char *file;   /* borrowed from argv */
	char **args;        /* borrowed: the arguments after FILE */
	int nargs;
	bool has_fuel;
	uint64_t fuel;
	uint32_t max_pages;  /* 0: the engine's default */
	uint64_t max_output; /* 0: unlimited */
	uint64_t timeout_ms; /* 0: no wall-clock limit */
	const char **envs;   /* own array of borrowed K=V strings */
	int nenvs;
	const char **dirs; /* own array of borrowed HOST[::GUEST] strings */
	int ndirs;
	const char *snapshot; /* borrowed: --snapshot FILE, or NULL */
	const char *init;     /* borrowed: --init NAME, or NULL */
	bool init_allow_random;
} run_opts;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: run [--invoke NAME] [--env K[=V]]... [--dir "
	    "HOST[::GUEST]]...\n"
	    "           [-W fuel=N,max-memory-size=BYTES,max-output=BYTES,"
	    "timeout=D]\n"
	    "           [--snapshot SNAP [--init NAME] "
	    "[--init-allow-random]]\n"
	    "           FILE [ARGS...]\n"
	    "\n"
	    "Runs a WebAssembly module in this process. A WASI command (one\n"
	    "that exports _start) gets FILE and ARGS as its argv; the\n"
	    "environment given with --env (K=V, or K for this process's\n"
	    "value of K; nothing else); the host directories given with\n"
	    "--dir (seen as GUEST, or as HOST when no GUEST is given;\n"
	    "nothing else of the file system); and this process's stdin,\n"
	    "stdout and stderr. Its exit code is ours.\n"
	    "With --invoke, the export NAME is called with ARGS as its\n"
	    "arguments and its results are printed, one per line.\n"
	    "Options come before FILE; everything after FILE is the guest's.\n"
	    "With --snapshot, a missing SNAP is made: after instantiation "
	    "(and\n"
	    "the start function) the export --init NAME runs (default\n"
	    "wizer.initialize, if exported), and the instance's memory,\n"
	    "globals and tables are saved to SNAP before the run goes on. "
	    "An\n"
	    "existing SNAP is loaded instead and the run starts from it: no\n"
	    "data segment, start function or initializer runs again. Values\n"
	    "the initializer read (arguments, environment, clocks) stay "
	    "frozen\n"
	    "in SNAP; random_get during it traps unless "
	    "--init-allow-random.\n"
	    "\n"
	    "  -W fuel=N                 stop (trap) after N units of fuel\n"
	    "  -W max-memory-size=BYTES  the most memory the module may have\n"
	    "  -W max-output=BYTES       stop (trap) a guest that writes more\n"
	    "                            than BYTES to stdout and stderr\n"
	    "  -W timeout=D              stop (trap) after D of wall-clock\n"
	    "                            time: 500ms, 10s (the default unit),\n"
	    "                            2m, 1h\n"
	    "Exit codes: the guest's; 1 the engine refused a call; 2 usage;\n"
	    "126 unreadable, invalid or unlinkable module; 127 no such\n"
	    "export; 134 a trap (including the output limit).\n");
}

/* ---- Numbers ------------------------------------------------------------ */

/*
 * An integer of bits bits, as signed or unsigned decimal or 0x hex with an
 * optional sign; a negative value is stored as its two's complement.
 */
static bool
parse_int(const char *s, unsigned bits, uint64_t *out)
{
	uint64_t max = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	bool neg = false;
	unsigned long long v;
	char *end;
	int base = 10;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0')
		return false;
	if (neg) {
		if (v > (max >> 1) + 1)
			return false;
		*out = (0 - (uint64_t)v) & max;
	} else {
		if (v > max)
			return false;
		*out = v;
	}
	return true;
}

/* A whole unsigned number with an optional K/M/G (or Ki/Mi/Gi) suffix. */
static bool
parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return false;
	switch (*end) {
	case '\0': break;
	case 'k':
	case 'K': mult = UINT64_C(1) << 10; break;
	case 'm':
	case 'M': mult = UINT64_C(1) << 20; break;
	case 'g':
	case 'G': mult = UINT64_C(1) << 30; break;
	default: return false;
	}
	if (*end != '\0') {
		end++;
		if (*end == 'i')
			end++;
		if (*end == 'B')
			end++;
		if (*end != '\0')
			return false;
	}
	if (v > UINT64_MAX / mult)
		return false;
	*out = v * mult;
	return true;
}

/*
 * The NaN or infinity spellings of a float with mbits mantissa bits and
 * ebits exponent bits: "nan", "nan:0xPAYLOAD", "inf", "infinity".
 */
static bool
parse_special(const char *s, unsigned mbits, unsigned ebits, uint64_t *bits)
{
	uint64_t sign = 0, payload, mmask = (UINT64_C(1) << mbits) - 1;
	uint64_t exp = ((UINT64_C(1) << ebits) - 1) << mbits;

	if (*s == '-' || *s == '+')
		sign = (uint64_t)(*s++ == '-') << (mbits + ebits);
	if (strcmp(s, "inf") == 0 || strcmp(s, "infinity") == 0) {
		*bits = sign | exp;
		return true;
	}
	if (strcmp(s, "nan") == 0) {
		*bits = sign | exp | UINT64_C(1) << (mbits - 1);
		return true;
	}
	if (strncmp(s, "nan:0x", 6) != 0 || !parse_int(s + 4, 64, &payload))
		return false;
	if (payload == 0 || payload > mmask)
		return false;
	*bits = sign | exp | payload;
	return true;
}

static bool
parse_f32(const char *s, uint32_t *bits)
{
	uint64_t b;
	char *end;
	float f;

	if (parse_special(s, 23, 8, &b)) {
		*bits = (uint32_t)b;
		return true;
	}
	if (strchr(s, 'n') != NULL || strchr(s, 'N') != NULL)
		return false; /* a NaN spelling strtof would take loosely */
	errno = 0;
	f = strtof(s, &end);
	if (*s == '\0' || *end != '\0' || (errno == ERANGE && isinf(f)))
		return false;
	memcpy(bits, &f, sizeof f);
	return true;
}

static bool
parse_f64(const char *s, uint64_t *bits)
{
	char *end;
	double d;

	if (parse_special(s, 52, 11, bits))
		return true;
	if (strchr(s, 'n') != NULL || strchr(s, 'N') != NULL)
		return false;
	errno = 0;
	d = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || (errno == ERANGE && isinf(d)))
		return false;
	memcpy(bits, &d, sizeof d);
	return true;
}

/*
 * A v128 as one 128-bit hex literal, "0x" and 32 digits, little-endian (the
 * last two digits are byte 0), as wasmtime writes it.
 */
static bool
parse_v128(const char *s, uint8_t out[16])
{
	if (strncmp(s, "0x", 2) != 0 || strlen(s + 2) != 32 ||
	    strspn(s + 2, "0123456789abcdefABCDEF") != 32)
		return false;
	for (int i = 0; i < 16; i++) {
		char pair[3] = {s[32 - 2 * i], s[33 - 2 * i], '\0'};
		out[i] = (uint8_t)strtoul(pair, NULL, 16);
	}
	return true;
}

bool
wrk_run_parse_val(const char *text, we_valtype t, we_val *out)
{
	uint64_t v;

	memset(out, 0, sizeof *out);
	out->type = we_module_host_type(NULL, t); /* the host's view */
	switch (out->type) {
	case WE_I32:
		if (!parse_int(text, 32, &v))
			return false;
		out->of.i32 = (int32_t)(uint32_t)v;
		return true;
	case WE_I64:
		if (!parse_int(text, 64, &v))
			return false;
		out->of.i64 = (int64_t)v;
		return true;
	case WE_F32: return parse_f32(text, &out->of.f32_bits);
	case WE_F64: return parse_f64(text, &out->of.f64_bits);
	case WE_V128: return parse_v128(text, out->of.v128);
	case WE_ANYREF:
		/* "i31:N", N in -2^30 .. 2^31-1 (wrapped to 31 bits). */
		if (strncmp(text, "i31:", 4) == 0) {
			if (!parse_int(text + 4, 31, &v))
				return false;
			*out = we_i31ref((int32_t)v);
			return true;
		}
		return strcmp(text, "null") == 0;
	case WE_FUNCREF:
	case WE_EXTERNREF:
	case WE_EXNREF:
		/* Only the null reference can be written on a command line. */
		return strcmp(text, "null") == 0;
	default: return false;
	}
}

/* A NaN as "nan" (canonical) or "nan:0x..." with its sign. */
static char *
format_nan(
    bool neg, uint64_t payload, uint64_t canonical, char *buf, size_t len)
{
	if (payload == canonical)
		snprintf(buf, len, "%snan", neg ? "-" : "");
	else
		snprintf(buf, len, "%snan:0x%" PRIx64, neg ? "-" : "", payload);
	return buf;
}

static char *
format_f32(uint32_t bits, char *buf, size_t len)
{
	bool neg = bits >> 31;
	float f;

	if ((bits & 0x7f800000u) == 0x7f800000u) {
		if ((bits & 0x7fffffu) == 0) {
			snprintf(buf, len, "%sinf", neg ? "-" : "");
			return buf;
		}
		return format_nan(neg, bits & 0x7fffffu, 0x400000u, buf, len);
	}
	memcpy(&f, &bits, sizeof f);
	/* The fewest digits that read back to the same float. */
	for (int prec = 1; prec <= 9; prec++) {
		snprintf(buf, len, "%.*g", prec, (double)f);
		if (strtof(buf, NULL) == f)
			break;
	}
	return buf;
}

static char *
format_f64(uint64_t bits, char *buf, size_t len)
{
	uint64_t mmask = (UINT64_C(1) << 52) - 1;
	uint64_t emask = UINT64_C(0x7ff) << 52;
	bool neg = bits >> 63;
	double d;

	if ((bits & emask) == emask) {
		if ((bits & mmask) == 0) {
			snprintf(buf, len, "%sinf", neg ? "-" : "");
			return buf;
		}
		return format_nan(
		    neg, bits & mmask, UINT64_C(1) << 51, buf, len);
	}
	memcpy(&d, &bits, sizeof d);
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return buf;
}

/* "null", "i31:N" (i31.get_s) or, for any other object, "ref.any". */
static void
format_anyref(const we_val *v, char *buf, size_t len)
{
	int32_t i31;

	if (we_val_i31(*v, &i31))
		snprintf(buf, len, "i31:%" PRId32, i31);
	else
		snprintf(buf, len, "%s", v->of.externref ? "ref.any" : "null");
}

char *
wrk_run_format_val(const we_val *v, char *buf, size_t len)
{
	switch (v->type) {
	case WE_I32: snprintf(buf, len, "%" PRId32, v->of.i32); break;
	case WE_I64: snprintf(buf, len, "%" PRId64, v->of.i64); break;
	case WE_F32: return format_f32(v->of.f32_bits, buf, len);
	case WE_F64: return format_f64(v->of.f64_bits, buf, len);
	case WE_FUNCREF:
		snprintf(buf, len, "%s", v->of.funcref ? "ref.func" : "null");
		break;
	case WE_EXTERNREF:
		snprintf(
		    buf, len, "%s", v->of.externref ? "ref.extern" : "null");
		break;
	case WE_EXNREF:
		snprintf(buf, len, "%s", v->of.externref ? "ref.exn" : "null");
		break;
	case WE_ANYREF: format_anyref(v, buf, len); break;
	case WE_V128: {
		char hex[35] = "0x";
		for (int i = 0; i < 16; i++)
			snprintf(
			    hex + 2 + 2 * i, 3, "%02x", v->of.v128[15 - i]);
		snprintf(buf, len, "%s", hex);
		break;
	}
	default: snprintf(buf, len, "?"); break;
	}
	return buf;
}

/* Milliseconds of "500ms", "2s", "5m", "1h" or "10" (seconds), > 0. */
static bool
parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = {
	    {"ms", 1}, {"s", 1000}, {"", 1000}, {"m", 60000}, {"h", 3600000}};
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || v == 0)
		return false;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(end, units[i].unit) == 0) {
			if (v > UINT64_MAX / units[i].ms / 1000)
				return false;
			*ms = v * units[i].ms;
			return true;
		}
	return false;
}

/* ---- Options --------------------------------------------------------------- */

/* One key=value of -W. */
static bool
parse_w_option(run_opts *o, char *opt)
{
	char *eq = strchr(opt, '=');
	uint64_t v;

	if (eq == NULL) {
		fprintf(stderr, "error: -W %s: expected KEY=VALUE\n", opt);
		return false;
	}
	*eq = '\0';
	if (strcmp(opt, "fuel") == 0 && parse_int(eq + 1, 64, &v) &&
	    eq[1] != '-') {
		o->has_fuel = true;
		o->fuel = v;
		return true;
	}
	if (strcmp(opt, "max-memory-size") == 0 && parse_size(eq + 1, &v)) {
		if (v < RUN_PAGE_BYTES) {
			fprintf(stderr,
			    "error: -W max-memory-size must be at least "
			    "65536 (one page)\n");
			return false;
		}
		v /= RUN_PAGE_BYTES;
		o->max_pages = v > 65536 ? 65536 : (uint32_t)v;
		return true;
	}
	if (strcmp(opt, "max-output") == 0 && parse_size(eq + 1, &v)) {
		o->max_output = v;
		return true;
	}
	if (strcmp(opt, "timeout") == 0 && parse_duration(eq + 1, &v)) {
		o->timeout_ms = v;
		return true;
	}
	fprintf(stderr, "error: -W %s=%s: unknown option or bad value\n", opt,
	    eq + 1);
	return false;
}

/* A comma-separated -W list; the text is copied since it is cut up. */
static bool
parse_w_list(run_opts *o, const char *list)
{
	char *copy = strdup(list), *save = NULL, *tok;
	bool ok = copy != NULL;

	for (tok = ok ? strtok_r(copy, ",", &save) : NULL; ok && tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		ok = parse_w_option(o, tok);
	free(copy);
	return ok;
}

/*
 * The value of option name (--name VALUE or --name=VALUE) at argv[*i],
 * advancing *i past it; NULL when argv[*i] is not that option.
 */
static const char *
option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static void
free_opts(run_opts *o)
{
	free(o->envs);
	free(o->dirs);
	o->envs = o->dirs = NULL;
}

/* Options, then FILE, then ARGS (which may look like options). */
static bool
parse_args(run_opts *o, int argc, char **argv, bool *help)
{
	const char *v;
	int i;

	memset(o, 0, sizeof *o);
	o->envs = calloc((size_t)argc + 1, sizeof *o->envs);
	o->dirs = calloc((size_t)argc + 1, sizeof *o->dirs);
	if (o->envs == NULL || o->dirs == NULL) {
		fprintf(stderr, "error: out of memory\n");
		return false;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((v = option_value(argc, argv, &i, "--env")) != NULL) {
			if (v[0] == '=' || v[0] == '\0') {
				fprintf(stderr,
				    "error: --env %s: expected KEY=VALUE or "
				    "KEY\n",
				    v);
				return false;
			}
			o->envs[o->nenvs++] = v;
		} else if ((v = option_value(argc, argv, &i, "--dir")) !=
		    NULL) {
			o->dirs[o->ndirs++] = v;
		} else if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			*help = true;
			return true;
		} else if (strcmp(a, "--invoke") == 0 && i + 1 < argc) {
			o->invoke = argv[++i];
		} else if (strncmp(a, "--invoke=", 9) == 0) {
			o->invoke = a + 9;
		} else if ((v = option_value(argc, argv, &i, "--snapshot")) !=
		    NULL) {
			o->snapshot = v;
		} else if ((v = option_value(argc, argv, &i, "--init")) !=
		    NULL) {
			o->init = v;
		} else if (strcmp(a, "--init-allow-random") == 0) {
			o->init_allow_random = true;
		} else if (strcmp(a, "-W") == 0 && i + 1 < argc) {
			if (!parse_w_list(o, argv[++i]))
				return false;
		} else if (strncmp(a, "-W", 2) == 0 && a[2] != '\0') {
			if (!parse_w_list(o, a + 2))
				return false;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "error: unknown option %s\n", a);
			return false;
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "error: no module file given\n");
		return false;
	}
	if ((o->init != NULL || o->init_allow_random) && o->snapshot == NULL) {
		fprintf(stderr,
		    "error: --init and --init-allow-random need "
		    "--snapshot FILE\n");
		return false;
	}
	o->file = argv[i];
	o->args = argv + i + 1;
	o->nargs = argc - i - 1;
	return true;
}

/* ---- The wall-clock limit -------------------------------------------- */

/* What the SIGALRM handler sees: set before the timer is armed. */
static we_store *volatile timer_store;
static volatile sig_atomic_t timer_fired;
static uint64_t timer_ms;
/* What the handler writes when it ends the process (made beforehand). */
static char timer_msg[128];

static void
arm_timer(uint64_t ms)
{
	struct itimerval it = {.it_value = {.tv_sec = (time_t)(ms / 1000),
	                           .tv_usec = (suseconds_t)(ms % 1000) * 1000}};

	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * First alarm: interrupt the engine, which traps at its next loop edge or
 * call. A guest inside a host call (a sleep, a blocking read) does not get
 * there: a second alarm a second later ends the process from here.
 */
static void
timeout_cb(int sig)
{
	(void)sig;
	if (timer_fired) {
		(void)!write(2, timer_msg, strlen(timer_msg));
		_exit(WRK_RUN_EXIT_TRAP);
	}
	timer_fired = 1;
	if (timer_store != NULL)
		we_store_interrupt(timer_store);
	arm_timer(1000);
}

/* Starts the wall-clock limit of ms (0: none) on store s. */
static void
start_timeout(we_store *s, uint64_t ms)
{
	struct sigaction sa = {.sa_handler = timeout_cb};

	if (ms == 0)
		return;
	timer_store = s;
	timer_ms = ms;
	snprintf(timer_msg, sizeof timer_msg,
	    "error: wall-clock timeout of %llu ms exceeded (-W timeout; the "
	    "guest was in a host call)\n",
	    (unsigned long long)ms);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	arm_timer(ms);
}

static void
stop_timeout(void)
{
	struct itimerval off = {0};

	setitimer(ITIMER_REAL, &off, NULL);
	timer_store = NULL;
}

/* ---- Running ------------------------------------------------------------------ */

/* own: *out, the file's bytes (malloc'd). */
static bool
read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *p;
	size_t cap = 0, n = 0, got;
	struct stat st;

	if (f == NULL)
		return false;
	/* A regular file is read in one go (a snapshot may be many MiB). */
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > 0 && (uint64_t)st.st_size < RUN_MAX_MODULE_BYTES) {
		cap = (size_t)st.st_size + 1;
		if ((buf = malloc(cap)) == NULL) {
			errno = ENOMEM;
			goto fail;
		}
	}
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > RUN_MAX_MODULE_BYTES ||
			    (p = realloc(buf, cap)) == NULL) {
				errno = EFBIG;
				goto fail;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f))
		goto fail;
	fclose(f);
	*out = buf;
	*len = n;
	return true;
fail:
	free(buf);
	fclose(f);
	return false;
}

static int
report_trap(we_store *s)
{
	const we_trap *t = we_store_trap(s);

	if (timer_fired && t != NULL && t->kind == WE_TRAP_INTERRUPTED)
		fprintf(stderr,
		    "error: wall-clock timeout of %llu ms exceeded (-W "
		    "timeout)\n",
		    (unsigned long long)timer_ms);
	else if (t == NULL || t->message[0] == '\0')
		fprintf(stderr, "error: %s\n",
		    we_trap_kind_name(t ? t->kind : WE_TRAP_NONE));
	else
		fprintf(stderr, "error: %s\n", t->message);
	return WRK_RUN_EXIT_TRAP;
}

/* Reports a failed call and returns the exit code. */
static int
report_call(we_store *s, we_call_status st)
{
	switch (st) {
	case WE_CALL_OK: return 0;
	case WE_CALL_TRAP: return report_trap(s);
	case WE_CALL_SUSPENDED:
		fprintf(
		    stderr, "error: the call suspended in a host function\n");
		we_abandon(s);
		return WRK_RUN_EXIT_FAILED;
	default:
		fprintf(stderr, "error: %s\n", we_store_error(s));
		return WRK_RUN_EXIT_FAILED;
	}
}

/*
 * The exit code of a call that ended as st: a guest's proc_exit ends it
 * with a trap, which is a normal end with the guest's code (like a
 * process exit status, only its low 8 bits count).
 */
static int
call_result(ws_ctx *ctx, we_store *s, we_call_status st)
{
	uint32_t code;

	if (st == WE_CALL_TRAP && ws_ctx_exited(ctx, &code))
		return (int)(code & 0xff);
	return report_call(s, st);
}

/* The arguments of t, whose type indices are m's. */
static int
parse_call_args(
    const run_opts *o, const we_module *m, const we_functype *t, we_val *args)
{
	if ((uint32_t)o->nargs != t->nparams) {
		fprintf(stderr, "error: %s expects %u argument%s, got %d\n",
		    o->invoke, t->nparams, t->nparams == 1 ? "" : "s",
		    o->nargs);
		return WRK_RUN_EXIT_USAGE;
	}
	for (uint32_t i = 0; i < t->nparams; i++)
		if (!wrk_run_parse_val(o->args[i],
		        we_module_host_type(m, t->params[i]), &args[i])) {
			fprintf(stderr,
			    "error: argument %u of %s: \"%s\" is not a %s\n",
			    i + 1, o->invoke, o->args[i],
			    we_valtype_name(t->params[i]));
			return WRK_RUN_EXIT_USAGE;
		}
	return 0;
}

/* Calls --invoke NAME and prints its results. */
static int
invoke(const run_opts *o, ws_ctx *ctx, we_store *s, we_instance *inst)
{
	we_func *f = we_instance_func(inst, o->invoke);
	const we_functype *t;
	we_val *args, *results;
	char buf[64];
	int rc;

	if (f == NULL) {
		fprintf(stderr,
		    "error: %s: no exported function named \"%s\"\n", o->file,
		    o->invoke);
		return WRK_RUN_EXIT_NO_EXPORT;
	}
	t = we_func_type(f);
	args = calloc(t->nparams + 1, sizeof *args);
	results = calloc(t->nresults + 1, sizeof *results);
	if (args == NULL || results == NULL) {
		fprintf(stderr, "error: out of memory\n");
		rc = WRK_RUN_EXIT_FAILED;
	} else if ((rc = parse_call_args(
	                o, we_instance_module(inst), t, args)) == 0) {
		rc = call_result(ctx, s,
		    we_func_call(s, f, args, t->nparams, results, t->nresults));
		for (uint32_t i = 0; rc == 0 && i < t->nresults; i++)
			printf("%s\n",
			    wrk_run_format_val(&results[i], buf, sizeof buf));
	}
	free(args);
	free(results);
	return rc;
}

/* Runs `_start` when the module exports it as a function. */
static int
run_start_export(const run_opts *o, ws_ctx *ctx, we_store *s, we_instance *inst)
{
	we_func *f = we_instance_func(inst, "_start");
	const we_functype *t;
	we_val results[16];

	if (f == NULL)
		return 0;
	t = we_func_type(f);
	if (t->nparams != 0 || t->nresults > 16) {
		fprintf(stderr, "error: %s: _start must take no arguments\n",
		    o->file);
		return WRK_RUN_EXIT_USAGE;
	}
	return call_result(
	    ctx, s, we_func_call(s, f, NULL, 0, results, t->nresults));
}

/*
 * Only WASI functions are provided: name the first other import the
 * module needs.
 */
static bool
check_other_imports(const char *file, const we_module *m)
{
	uint32_t n = we_module_import_count(m);
	we_importdesc d;

	for (uint32_t i = 0; i < n; i++) {
		we_module_import(m, i, &d);
		if (strcmp(d.module, WS_MODULE) == 0 &&
		    d.type.kind == WE_EXTERN_FUNC)
			continue;
		fprintf(stderr,
		    "error: %s: unknown import %s.%s (wasmd run provides only "
		    "the " WS_MODULE " functions)\n",
		    file, d.module, d.name);
		return false;
	}
	return true;
}

/*
 * Adds --env K=V to ctx; --env K passes this process's K, if it is set
 * (as wasmtime does).
 */
static bool
add_env(ws_ctx *ctx, const char *kv)
{
	const char *host;
	char *both;
	bool ok;

	if (strchr(kv, '=') != NULL)
		return ws_ctx_add_env(ctx, kv);
	if ((host = getenv(kv)) == NULL)
		return true;
	if (asprintf(&both, "%s=%s", kv, host) < 0)
		return false;
	ok = ws_ctx_add_env(ctx, both);
	free(both);
	return ok;
}

/* Adds --dir HOST[::GUEST] to ctx; the guest name defaults to HOST. */
static bool
add_preopen(ws_ctx *ctx, const char *spec)
{
	const char *sep = strstr(spec, "::");
	char *host = strndup(spec, sep ? (size_t)(sep - spec) : strlen(spec));
	char err[512];
	bool ok;

	if (host == NULL)
		return false;
	ok = ws_ctx_add_preopen(
	    ctx, host, sep ? sep + 2 : spec, err, sizeof err);
	if (!ok)
		fprintf(stderr, "error: --dir %s: %s\n", spec, err);
	free(host);
	return ok;
}

/*
 * The guest's world: argv is FILE and ARGS (just FILE with --invoke,
 * whose ARGS are values), the --env and --dir options, inherited stdio.
 * own: the result, freed with ws_ctx_free(); NULL after a message.
 */
static ws_ctx *
make_wasi(const run_opts *o)
{
	ws_ctx *ctx = ws_ctx_new();
	int nargv = o->invoke != NULL ? 1 : o->nargs + 1;
	bool ok = ctx != NULL;

	ok = ok && ws_ctx_set_args(ctx, nargv, o->args - 1);
	for (int i = 0; ok && i < o->nenvs; i++)
		ok = add_env(ctx, o->envs[i]);
	if (!ok)
		fprintf(stderr, "error: out of memory\n");
	for (int i = 0; ok && i < o->ndirs; i++)
		ok = add_preopen(ctx, o->dirs[i]);
	if (!ok) {
		ws_ctx_free(ctx);
		return NULL;
	}
	ws_ctx_inherit_stdio(ctx);
	ws_ctx_set_max_output(ctx, o->max_output);
	return ctx;
}

/* ---- Snapshots (--snapshot) ------------------------------------------ */

/*
 * Runs the initializer of inst: --init NAME, else wizer.initialize when
 * exported, else nothing. 0, or an exit code after a message.
 */
static int
run_initializer(const run_opts *o, ws_ctx *ctx, we_store *s, we_instance *inst)
{
	const char *name = o->init ? o->init : "wizer.initialize";
	we_func *f = we_instance_func(inst, name);
	int rc;

	if (f == NULL && o->init == NULL)
		return 0;
	if (f == NULL) {
		fprintf(stderr,
		    "error: %s: no exported function named \"%s\" (--init)\n",
		    o->file, name);
		return WRK_RUN_EXIT_NO_EXPORT;
	}
	if (we_func_type(f)->nparams != 0 || we_func_type(f)->nresults != 0) {
		fprintf(stderr,
		    "error: %s: the initializer %s must take and return "
		    "nothing\n",
		    o->file, name);
		return WRK_RUN_EXIT_USAGE;
	}
	ws_ctx_set_init(ctx, true, o->init_allow_random);
	rc = call_result(ctx, s, we_func_call(s, f, NULL, 0, NULL, 0));
	ws_ctx_set_init(ctx, false, false);
	return rc;
}

/* Writes snap to path through a temporary file and a rename. */
static bool
save_snapshot(const char *path, const we_snapshot *snap)
{
	size_t len;
	const uint8_t *bytes = we_snapshot_bytes(snap, &len);
	char *tmp;
	bool ok;

	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		return false;
	FILE *f = fopen(tmp, "wb");
	ok = f != NULL && fwrite(bytes, 1, len, f) == len;
	ok = (f != NULL && fclose(f) == 0) && ok;
	ok = ok && rename(tmp, path) == 0;
	if (!ok) {
		fprintf(stderr, "error: cannot write the snapshot %s: %s\n",
		    path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok;
}

/* Initialises inst and saves its snapshot; 0, or an exit code. */
static int
make_snapshot(const run_opts *o, ws_ctx *ctx, we_store *s, we_instance *inst)
{
	we_snapshot *snap;
	we_error err;
	int rc = run_initializer(o, ctx, s, inst);

	if (rc != 0)
		return rc;
	if ((snap = we_snapshot_take(inst, &err)) == NULL) {
		fprintf(stderr, "error: %s: %s\n", o->file, err.message);
		return WRK_RUN_EXIT_BAD_MODULE;
	}
	rc = save_snapshot(o->snapshot, snap) ? 0 : WRK_RUN_EXIT_FAILED;
	we_snapshot_free(snap);
	return rc;
}

/*
 * The snapshot in o->snapshot, when that file exists: own, or NULL with
 * *missing set when there is none to load, or NULL after a message.
 */
static we_snapshot *
load_snapshot(const run_opts *o, const we_module *m, bool *missing)
{
	struct stat st;
	void *bytes;
	we_error err;
	int fd;

	*missing = false;
	if ((fd = open(o->snapshot, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) != 0) {
		if (errno == ENOENT)
			*missing = true;
		else
			fprintf(stderr, "error: %s: %s\n", o->snapshot,
			    strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	/* Mapped, not read: the page cache's pages, no copy of our own. */
	bytes = st.st_size > 0
	    ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
	    : NULL;
	close(fd);
	if (bytes == MAP_FAILED) {
		fprintf(
		    stderr, "error: %s: %s\n", o->snapshot, strerror(errno));
		return NULL;
	}
	/* One instance: copying its bytes beats making an image. */
	we_snapshot *snap =
	    we_snapshot_load(m, bytes, (size_t)st.st_size, 0, &err);
	if (bytes != NULL)
		munmap(bytes, (size_t)st.st_size);
	if (snap == NULL)
		fprintf(stderr, "error: %s: %s\n", o->snapshot, err.message);
	return snap;
}

/* Instantiates m with the WASI imports of ctx in s, and runs it. */
static int
link_and_run(const run_opts *o, ws_ctx *ctx, we_store *s, const we_module *m)
{
	we_import *imports = NULL;
	we_instance *inst = NULL;
	we_snapshot *snap = NULL;
	size_t nimports = 0;
	bool fresh = true;
	uint32_t code;
	we_error err;
	int rc;

	if (o->snapshot != NULL) {
		snap = load_snapshot(o, m, &fresh);
		if (snap == NULL && !fresh)
			return WRK_RUN_EXIT_BAD_MODULE;
	}
	if (ws_imports(ctx, s, m, &imports, &nimports, &err))
		inst = snap != NULL
		    ? we_snapshot_instantiate(s, snap, imports, nimports, &err)
		    : we_instance_new(s, m, imports, nimports, &err);
	free(imports);
	we_snapshot_free(snap); /* the instance no longer needs it */
	if (inst == NULL && err.code == WE_ERR_TRAP)
		return ws_ctx_exited(ctx, &code) ? (int)(code & 0xff)
		                                 : report_trap(s);
	if (inst == NULL) {
		fprintf(stderr, "error: %s: %s\n", o->file, err.message);
		return WRK_RUN_EXIT_BAD_MODULE;
	}
	/* Our own buffered output must not trail the guest's direct writes. */
	fflush(stdout);
	if (o->snapshot != NULL && fresh &&
	    (rc = make_snapshot(o, ctx, s, inst)) != 0)
		return rc;
	if (o->invoke != NULL)
		return invoke(o, ctx, s, inst);
	return run_start_export(o, ctx, s, inst);
}

static int
instantiate_and_run(const run_opts *o, const we_module *m)
{
	we_config cfg = {0};
	ws_ctx *ctx;
	we_store *s;
	int rc;

	if ((ctx = make_wasi(o)) == NULL)
		return WRK_RUN_EXIT_USAGE;
	cfg.max_memory_pages = o->max_pages;
	s = we_store_new(&cfg);
	if (s == NULL) {
		fprintf(stderr, "error: out of memory\n");
		ws_ctx_free(ctx);
		return WRK_RUN_EXIT_FAILED;
	}
	if (o->has_fuel)
		we_store_set_fuel(s, o->fuel);
	start_timeout(s, o->timeout_ms);
	rc = link_and_run(o, ctx, s, m);
	stop_timeout();
	we_store_free(s);
	ws_ctx_free(ctx);
	return rc;
}

int
wrk_local_run(int argc, char **argv)
{
	bool help = false;
	uint8_t *bytes;
	we_module *m;
	we_error err;
	run_opts o;
	size_t len;
	int rc;

	if (!parse_args(&o, argc, argv, &help)) {
		free_opts(&o);
		usage(stderr);
		return WRK_RUN_EXIT_USAGE;
	}
	if (help) {
		free_opts(&o);
		usage(stdout);
		return 0;
	}
	if (!read_file(o.file, &bytes, &len)) {
		fprintf(stderr, "error: %s: %s\n", o.file, strerror(errno));
		free_opts(&o);
		return WRK_RUN_EXIT_BAD_MODULE;
	}
	if (wat_ensure_binary(
	        &bytes, &len, o.file, err.message, sizeof err.message) < 0) {
		fprintf(stderr, "error: %s\n", err.message);
		free(bytes);
		free_opts(&o);
		return WRK_RUN_EXIT_BAD_MODULE;
	}
	m = we_module_new(bytes, len, &err);
	free(bytes);
	if (m == NULL) {
		if (err.offset != SIZE_MAX)
			fprintf(stderr, "error: %s: %s (at byte %zu)\n", o.file,
			    err.message, err.offset);
		else
			fprintf(stderr, "error: %s: %s\n", o.file, err.message);
		free_opts(&o);
		return WRK_RUN_EXIT_BAD_MODULE;
	}
	rc = check_other_imports(o.file, m) ? instantiate_and_run(&o, m)
	                                    : WRK_RUN_EXIT_BAD_MODULE;
	we_module_free(m);
	free_opts(&o);
	fflush(stdout);
	return rc;
}
