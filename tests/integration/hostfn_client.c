/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostfn_client.c: wasmd-it-hostclient, a client of the real daemon that
 * serves host functions through libwasmd-client, for the daemon_hostfn_*
 * scenarios. It connects to $WASMD_HOST, runs one mode against a module
 * already pushed under REF and exits 0 when every check passed (else 1,
 * with "FAIL: ..." on stderr).
 *
 *   types REF        i32, i64, f32, f64 and a four-value call round trip
 *   loop REF N       a guest calls the host N times in one invocation
 *   mem REF          mem_args + queued writes (no extra round trip), then
 *                    memory_read/write round trips, out of bounds refused
 *                    while the guest survives, and an out-of-bounds
 *                    mem_arg that traps
 *   mem2 REF         the same on the second memory of hostfn_mem2.wasm:
 *                    a mem_arg, a queued write and round trips naming
 *                    memory 1, memory 0 left alone, memory 2 refused
 *   fail REF         a failing callback becomes a TRAP_HOST trap
 *   hang REF MS      the callback outlives the MS deadline: ERR_TIMEOUT
 *   instance REF     a live instance keeps its counter across 3 invokes,
 *                    then 3 more sent at once run in order;
 *                    prints "instance ID" and then waits for stdin to
 *                    close before exiting (the script checks the worker)
 *   edges REF        live instances of spin.wasm: a call past its deadline
 *                    kills the instance and the call waiting behind it
 *                    fails, at most --max-concurrent (3) instances
 *   abandon REF      a live instance of spin.wasm with a call running and
 *                    one waiting, then the connection closes
 *   async REF N      N invocations in flight on one connection through
 *                    the libevent adapter, each answering host calls
 *   async_mem REF N  the same with hostfn_mem.wasm's peek: each callback
 *                    makes memory round trips while the other calls'
 *                    host calls arrive (they wait their turn)
 */
#include <event2/event.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wasmd/client.h>
#include <wasmd/client_libevent.h>

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL: " __VA_ARGS__);                 \
			fputc('\n', stderr);                                   \
			failures++;                                            \
		}                                                              \
	} while (0)

static wasmd_valtype t_i32[] = {WASMD_I32};
static wasmd_valtype t_i64[] = {WASMD_I64};
static wasmd_valtype t_f32[] = {WASMD_F32};
static wasmd_valtype t_f64[] = {WASMD_F64};
static wasmd_valtype t_mix_p[] = {WASMD_I32, WASMD_I64, WASMD_F32, WASMD_F64};
static wasmd_valtype t_mix_r[] = {WASMD_F64, WASMD_F32, WASMD_I64, WASMD_I32};
static wasmd_valtype t_4i32[] = {WASMD_I32, WASMD_I32, WASMD_I32, WASMD_I32};

#define FUNCTYPE(p, r)                                                         \
	{                                                                      \
		sizeof(p) / sizeof((p)[0]), sizeof(r) / sizeof((r)[0]), p, r   \
	}

/* Runs one blocking invoke; returns its result or NULL (after a FAIL). */
static wasmd_result *
invoke(wasmd_conn *conn, const char *ref, const char *export_name,
    const wasmd_value *args, size_t nargs, const wasmd_invoke_options *opts)
{
	wasmd_result *r = NULL;
	wasmd_error rc =
	    wasmd_invoke(conn, ref, export_name, args, nargs, opts, &r);

	CHECK(rc == WASMD_OK, "invoke %s: %s", export_name, wasmd_errmsg(conn));
	if (rc == WASMD_OK && r->trap != WASMD_TRAP_NONE) {
		CHECK(false, "invoke %s trapped: %s", export_name,
		    r->trap_message);
		wasmd_result_free(r);
		return NULL;
	}
	return rc == WASMD_OK ? r : NULL;
}

/* ---- types ---- */

static int
h_i32(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	r[0].of.i32 = a[0].of.i32 * 2 + 1;
	return 0;
}

static int
h_i64(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	r[0].of.i64 = a[0].of.i64 ^ INT64_C(0x0123456789abcdef);
	return 0;
}

static int
h_f32(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	r[0].of.f32 = a[0].of.f32 * -0.5f;
	return 0;
}

static int
h_f64(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	/* NaN payloads must travel bit for bit: flip one payload bit. */
	r[0].of.f64_bits = a[0].of.f64_bits ^ 1;
	return 0;
}

static int
h_mix(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	if (na != 4 || nr != 4)
		return wasmd_host_call_fail(c, "arity %zu/%zu", na, nr);
	r[0].of.f64 = a[3].of.f64;
	r[1].of.f32 = a[2].of.f32;
	r[2].of.i64 = a[1].of.i64;
	r[3].of.i32 = a[0].of.i32;
	return 0;
}

static void
mode_types(wasmd_conn *conn, const char *ref)
{
	wasmd_host_func funcs[] = {
	    {"env", "i32", FUNCTYPE(t_i32, t_i32), h_i32, NULL, 0, NULL},
	    {"env", "i64", FUNCTYPE(t_i64, t_i64), h_i64, NULL, 0, NULL},
	    {"env", "f32", FUNCTYPE(t_f32, t_f32), h_f32, NULL, 0, NULL},
	    {"env", "f64", FUNCTYPE(t_f64, t_f64), h_f64, NULL, 0, NULL},
	    {"env", "mix", FUNCTYPE(t_mix_p, t_mix_r), h_mix, NULL, 0, NULL},
	};
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;
	wasmd_value v, mix[4];
	wasmd_result *r;

	o.host_funcs = funcs;
	o.nhost_funcs = 5;
	v = (wasmd_value){.type = WASMD_I32, .of.i32 = -7};
	if ((r = invoke(conn, ref, "t_i32", &v, 1, &o)) != NULL) {
		CHECK(r->results[0].of.i32 == -13, "i32: %" PRId32,
		    r->results[0].of.i32);
		wasmd_result_free(r);
	}
	v = (wasmd_value){.type = WASMD_I64, .of.i64 = INT64_MIN + 5};
	if ((r = invoke(conn, ref, "t_i64", &v, 1, &o)) != NULL) {
		CHECK(r->results[0].of.i64 ==
		        ((INT64_MIN + 5) ^ INT64_C(0x0123456789abcdef)),
		    "i64: %" PRId64, r->results[0].of.i64);
		wasmd_result_free(r);
	}
	v = (wasmd_value){.type = WASMD_F32, .of.f32 = 3.5f};
	if ((r = invoke(conn, ref, "t_f32", &v, 1, &o)) != NULL) {
		CHECK(r->results[0].of.f32 == -1.75f, "f32: %g",
		    (double)r->results[0].of.f32);
		wasmd_result_free(r);
	}
	v = (wasmd_value){
	    .type = WASMD_F64, .of.f64_bits = UINT64_C(0x7ff4000000000000)};
	if ((r = invoke(conn, ref, "t_f64", &v, 1, &o)) != NULL) {
		CHECK(r->results[0].of.f64_bits == UINT64_C(0x7ff4000000000001),
		    "f64 bits: %#" PRIx64, r->results[0].of.f64_bits);
		wasmd_result_free(r);
	}
	mix[0] = (wasmd_value){.type = WASMD_I32, .of.i32 = INT32_MIN};
	mix[1] = (wasmd_value){.type = WASMD_I64, .of.i64 = -1};
	mix[2] = (wasmd_value){.type = WASMD_F32, .of.f32 = -0.0f};
	mix[3] = (wasmd_value){.type = WASMD_F64, .of.f64 = 1e300};
	if ((r = invoke(conn, ref, "t_mix", mix, 4, &o)) != NULL) {
		CHECK(r->nresults == 4 && r->results[0].of.f64 == 1e300 &&
		        r->results[1].of.f32_bits == 0x80000000u &&
		        r->results[2].of.i64 == -1 &&
		        r->results[3].of.i32 == INT32_MIN,
		    "mix results differ");
		wasmd_result_free(r);
	}
	printf("types ok\n");
}

/* ---- loop ---- */

struct tick_state {
	int32_t next; /* the argument expected next: calls come in order */
	int calls;
};

static int
h_tick(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	struct tick_state *st = u;

	if (a[0].of.i32 != st->next)
		return wasmd_host_call_fail(
		    c, "call %d came out of order", (int)a[0].of.i32);
	st->next++;
	st->calls++;
	r[0].of.i32 = a[0].of.i32 + 1;
	return 0;
}

static void
mode_loop(wasmd_conn *conn, const char *ref, int n)
{
	struct tick_state st = {0, 0};
	wasmd_host_func f = {
	    "env", "tick", FUNCTYPE(t_i32, t_i32), h_tick, &st, 0, NULL};
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;
	wasmd_value v = {.type = WASMD_I32, .of.i32 = n};
	wasmd_result *r;

	o.host_funcs = &f;
	o.nhost_funcs = 1;
	if ((r = invoke(conn, ref, "loop", &v, 1, &o)) != NULL) {
		int64_t want = (int64_t)n * (n + 1) / 2;

		CHECK(r->results[0].of.i32 == (int32_t)want,
		    "loop sum %" PRId32 ", want %" PRId64, r->results[0].of.i32,
		    want);
		wasmd_result_free(r);
	}
	CHECK(st.calls == n, "%d host calls, want %d", st.calls, n);
	printf("loop calls=%d\n", st.calls);
}

/* ---- mem ---- */

static int
sum_bytes(const char *s)
{
	int acc = 0;

	for (; *s; s++)
		acc += (unsigned char)*s;
	return acc;
}

static int
h_greet(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	uint32_t addr;
	size_t len;
	const uint8_t *name = wasmd_host_call_mem_arg(c, 0, &addr, &len);
	char out[64];
	int n;

	if (name == NULL || addr != (uint32_t)a[0].of.i32)
		return wasmd_host_call_fail(c, "no name argument");
	n = snprintf(out, sizeof out, "hello, %.*s", (int)len, name);
	if (n < 0 || (uint32_t)n > (uint32_t)a[3].of.i32)
		return wasmd_host_call_fail(c, "output too long");
	if (wasmd_host_call_write(c, (uint32_t)a[2].of.i32, out, (size_t)n) !=
	    WASMD_OK)
		return wasmd_host_call_fail(c, "out of memory");
	r[0].of.i32 = n;
	return 0;
}

static int
h_peek(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	char buf[8] = {0};
	wasmd_error rc;

	rc = wasmd_host_memory_read(c, 0xfffffff0u, buf, 64);
	CHECK(rc == WASMD_ERR_OUT_OF_BOUNDS, "out-of-bounds read: %s",
	    wasmd_strerror(rc));
	rc = wasmd_host_memory_write(c, 65536 - 2, "WASMD", 5);
	CHECK(rc == WASMD_ERR_OUT_OF_BOUNDS, "out-of-bounds write: %s",
	    wasmd_strerror(rc));
	printf("out of bounds: %s\n", wasmd_errmsg(wasmd_host_call_conn(c)));
	rc = wasmd_host_memory_read(c, (uint32_t)a[0].of.i32, buf, 5);
	CHECK(rc == WASMD_OK && memcmp(buf, "wasmd", 5) == 0,
	    "read after the refused ones: %s (%s)", wasmd_strerror(rc), buf);
	rc = wasmd_host_memory_write(c, 512, "WASMD", 5);
	CHECK(rc == WASMD_OK, "write: %s", wasmd_strerror(rc));
	r[0].of.i32 = 0;
	return 0;
}

/*
 * Invokes greet, which must return 12 * 65536 plus the sum of "hello,
 * wasmd", then peek, which must return peek_want; says "greet ok (label)"
 * and "peek ok (label)".
 */
static void
greet_and_peek(wasmd_conn *conn, const char *ref, const wasmd_invoke_options *o,
    int peek_want, const char *label)
{
	wasmd_result *r;

	if ((r = invoke(conn, ref, "greet", NULL, 0, o)) != NULL) {
		int want = 12 * 65536 + sum_bytes("hello, wasmd");

		CHECK(r->results[0].of.i32 == want, "greet: %d, want %d",
		    (int)r->results[0].of.i32, want);
		printf("greet ok (%s)\n", label);
		wasmd_result_free(r);
	}
	if ((r = invoke(conn, ref, "peek", NULL, 0, o)) != NULL) {
		CHECK(r->results[0].of.i32 == peek_want,
		    "peek: %d, want %d: the guest did not see the write",
		    (int)r->results[0].of.i32, peek_want);
		printf("peek ok (%s)\n", label);
		wasmd_result_free(r);
	}
}

static void
mode_mem(wasmd_conn *conn, const char *ref)
{
	static const wasmd_mem_arg name_arg[] = {{0, 1, 0}};
	wasmd_host_func funcs[] = {
	    {"env", "greet", {4, 1, t_4i32, t_i32}, h_greet, NULL, 1, name_arg},
	    {"env", "peek", FUNCTYPE(t_i32, t_i32), h_peek, NULL, 0, NULL},
	};
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;
	wasmd_result *r;

	o.host_funcs = funcs;
	o.nhost_funcs = 2;
	greet_and_peek(conn, ref, &o, sum_bytes("WASMD"), "the guest survived");
	if (wasmd_invoke(conn, ref, "bad_arg", NULL, 0, &o, &r) == WASMD_OK) {
		CHECK(r->trap == WASMD_TRAP_HOST &&
		        strstr(r->trap_message, "out of bounds") != NULL,
		    "bad_arg: trap %d %s", (int)r->trap, r->trap_message);
		printf("bad_arg trap: %s\n", r->trap_message);
		wasmd_result_free(r);
	} else {
		CHECK(false, "bad_arg: %s", wasmd_errmsg(conn));
	}
}

/* ---- mem2: the second of two memories (hostfn_mem2.wasm) ---- */

static int
h_greet2(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	size_t len;
	const uint8_t *name = wasmd_host_call_mem_arg(c, 0, NULL, &len);
	char out[64];
	int n;

	if (name == NULL || len != 5 || memcmp(name, "wasmd", 5) != 0)
		return wasmd_host_call_fail(c,
		    "the name did not come from "
		    "memory 1");
	n = snprintf(out, sizeof out, "hello, %.*s", (int)len, name);
	if (wasmd_host_call_write_in(
	        c, 1, (uint32_t)a[2].of.i32, out, (size_t)n) != WASMD_OK)
		return wasmd_host_call_fail(c, "out of memory");
	r[0].of.i32 = n;
	return 0;
}

static int
h_peek2(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	char zero[8] = {0}, one[8] = {0};
	wasmd_error rc;

	rc = wasmd_host_memory_read_in(c, 2, 0, one, 1);
	CHECK(
	    rc == WASMD_ERR_OUT_OF_BOUNDS, "memory 2: %s", wasmd_strerror(rc));
	printf("memory 2: %s\n", wasmd_errmsg(wasmd_host_call_conn(c)));
	rc = wasmd_host_memory_read_in(c, 1, (uint32_t)a[0].of.i32, one, 5);
	CHECK(rc == WASMD_OK && memcmp(one, "wasmd", 5) == 0,
	    "read of memory 1: %s (%s)", wasmd_strerror(rc), one);
	rc = wasmd_host_memory_read(c, (uint32_t)a[0].of.i32, zero, 5);
	CHECK(rc == WASMD_OK && memcmp(zero, "zero!", 5) == 0,
	    "read of memory 0: %s (%s)", wasmd_strerror(rc), zero);
	rc = wasmd_host_memory_write_in(c, 1, 512, "WASMD", 5);
	CHECK(rc == WASMD_OK, "write to memory 1: %s", wasmd_strerror(rc));
	r[0].of.i32 = 0;
	return 0;
}

static void
mode_mem2(wasmd_conn *conn, const char *ref)
{
	static const wasmd_mem_arg name_arg[] = {{0, 1, 1}};
	wasmd_host_func funcs[] = {
	    {"env", "greet", {4, 1, t_4i32, t_i32}, h_greet2, NULL, 1,
	        name_arg},
	    {"env", "peek", FUNCTYPE(t_i32, t_i32), h_peek2, NULL, 0, NULL},
	};
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;

	o.host_funcs = funcs;
	o.nhost_funcs = 2;
	greet_and_peek(conn, ref, &o, sum_bytes("WASMD") * 65536, "memory 1");
}

/* ---- fail, hang ---- */

static int
h_fail(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	return wasmd_host_call_fail(c, "the host refuses %d", (int)a[0].of.i32);
}

static int
h_sleep(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	const int *ms = u;
	struct timespec ts = {*ms / 1000, (*ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
	r[0].of.i32 = 1;
	return 0;
}

static void
mode_fail(wasmd_conn *conn, const char *ref)
{
	wasmd_host_func f = {
	    "env", "h", FUNCTYPE(t_i32, t_i32), h_fail, NULL, 0, NULL};
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;
	wasmd_value v = {.type = WASMD_I32, .of.i32 = 42};
	wasmd_result *r = NULL;

	o.host_funcs = &f;
	o.nhost_funcs = 1;
	if (wasmd_invoke(conn, ref, "hostcall", &v, 1, &o, &r) != WASMD_OK) {
		CHECK(false, "invoke: %s", wasmd_errmsg(conn));
		return;
	}
	CHECK(r->trap == WASMD_TRAP_HOST, "trap kind %d", (int)r->trap);
	CHECK(strstr(r->trap_message, "the host refuses 42") != NULL,
	    "trap message: %s", r->trap_message);
	printf("trap: %s\n", r->trap_message);
	wasmd_result_free(r);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
mode_hang(wasmd_conn *conn, const char *ref, int timeout_ms)
{
	int sleep_ms = timeout_ms * 3;
	wasmd_host_func f = {
	    "env", "h", FUNCTYPE(t_i32, t_i32), h_sleep, &sleep_ms, 0, NULL};
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;
	wasmd_value v = {.type = WASMD_I32, .of.i32 = 1};
	wasmd_result *r = NULL;
	wasmd_error rc;
	double t0 = now_ms();

	o.limits.timeout_ms = (uint32_t)timeout_ms;
	o.host_funcs = &f;
	o.nhost_funcs = 1;
	rc = wasmd_invoke(conn, ref, "hostcall", &v, 1, &o, &r);
	CHECK(rc == WASMD_ERR_TIMEOUT, "expected a timeout, got %s: %s",
	    wasmd_strerror(rc), wasmd_errmsg(conn));
	wasmd_result_free(r);
	printf(
	    "timeout after %.0f ms: %s\n", now_ms() - t0, wasmd_errmsg(conn));
	/* The connection is still good for the next request. */
	CHECK(wasmd_status(conn) == WASMD_CONNECTION_OK, "connection broke");
}

/* ---- instance ---- */

/* Results of instance calls sent at once, in the order they came. */
static int32_t order[8];
static int norder;

static void
on_incr(wasmd_conn *conn, wasmd_error rc, wasmd_result *r, void *arg)
{
	(void)arg;
	CHECK(rc == WASMD_OK, "queued incr: %s", wasmd_errmsg(conn));
	if (rc == WASMD_OK && norder < 8)
		order[norder++] = r->results[0].of.i32;
	wasmd_result_free(r);
}

/* Runs wasmd_process() until no request is pending. */
static void
drain(wasmd_conn *conn)
{
	while (wasmd_pending(conn) > 0 &&
	    wasmd_status(conn) == WASMD_CONNECTION_OK) {
		struct timespec ts = {0, 2000000};

		nanosleep(&ts, NULL);
		wasmd_process(conn);
	}
}

/* Left undropped on purpose (a global, so no leak checker minds). */
static wasmd_instance *volatile kept_instance;

static int
h_step(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	r[0].of.i32 = 1;
	return 0;
}

static void
mode_instance(wasmd_conn *conn, const char *ref)
{
	static wasmd_valtype none[1];
	wasmd_host_func f = {
	    "env", "step", {0, 1, none, t_i32}, h_step, NULL, 0, NULL};
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;
	wasmd_instance *inst = NULL, *other = NULL;
	wasmd_result *r;
	wasmd_error rc;
	char line[16];

	o.host_funcs = &f;
	o.nhost_funcs = 1;
	o.limits.fuel = 100000;
	rc = wasmd_instance_create(conn, ref, &o, &inst);
	CHECK(rc == WASMD_OK, "create: %s", wasmd_errmsg(conn));
	if (rc != WASMD_OK)
		return;
	for (int i = 1; i <= 3; i++) {
		rc = wasmd_instance_invoke(inst, "incr", NULL, 0, &r);
		CHECK(rc == WASMD_OK, "invoke %d: %s", i, wasmd_errmsg(conn));
		if (rc != WASMD_OK)
			break;
		CHECK(r->trap == WASMD_TRAP_NONE &&
		        r->results[0].of.i32 == i * 1001,
		    "call %d returned %d (trap %s)", i,
		    (int)r->results[0].of.i32, r->trap_message);
		CHECK(r->fuel_consumed > 0, "fuel per call not counted");
		printf("incr %d -> %d\n", i, (int)r->results[0].of.i32);
		wasmd_result_free(r);
	}
	/* Calls sent at once wait their turn and run in order. */
	for (int i = 0; i < 3; i++)
		CHECK(wasmd_instance_invoke_send(
		          inst, "incr", NULL, 0, on_incr, NULL) == WASMD_OK,
		    "send: %s", wasmd_errmsg(conn));
	drain(conn);
	CHECK(norder == 3 && order[0] == 4004 && order[1] == 5005 &&
	        order[2] == 6006,
	    "queued calls: %d results", norder);
	printf(
	    "queued: %d %d %d\n", (int)order[0], (int)order[1], (int)order[2]);
	/* A fresh invoke of the same module starts from zero. */
	if ((r = invoke(conn, ref, "incr", NULL, 0, &o)) != NULL) {
		CHECK(r->results[0].of.i32 == 1001, "fresh invoke: %d",
		    (int)r->results[0].of.i32);
		wasmd_result_free(r);
	}
	/* A dropped instance is gone. */
	rc = wasmd_instance_create(conn, ref, &o, &other);
	CHECK(rc == WASMD_OK, "second create: %s", wasmd_errmsg(conn));
	if (rc == WASMD_OK) {
		wasmd_instance_drop(other);
		other = NULL;
	}
	printf("instance %" PRIu64 "\n", wasmd_instance_id(inst));
	fflush(stdout);
	/* The script checks the live instance's worker, then closes stdin. */
	while (fgets(line, sizeof line, stdin) != NULL)
		;
	/* Exit without dropping: the connection's end must end it. */
	kept_instance = inst;
}

/* ---- edges ---- */

static void
on_spin_done(wasmd_conn *conn, wasmd_error rc, wasmd_result *r, void *arg)
{
	wasmd_error *out = arg;

	(void)conn;
	*out = rc;
	wasmd_result_free(r);
}

static void
mode_edges(wasmd_conn *conn, const char *ref)
{
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;
	wasmd_instance *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	wasmd_error spin_rc = WASMD_OK, behind_rc = WASMD_OK, rc;
	wasmd_result *r = NULL;

	o.limits.timeout_ms = 400;
	rc = wasmd_instance_create(conn, ref, &o, &a);
	CHECK(rc == WASMD_OK, "create a: %s", wasmd_errmsg(conn));
	rc = wasmd_instance_create(conn, ref, &o, &b);
	CHECK(rc == WASMD_OK, "create b: %s", wasmd_errmsg(conn));
	rc = wasmd_instance_create(conn, ref, &o, &c);
	CHECK(rc == WASMD_OK, "create c: %s", wasmd_errmsg(conn));
	rc = wasmd_instance_create(conn, ref, &o, &d);
	CHECK(
	    rc == WASMD_ERR_LIMIT, "a fourth instance: %s", wasmd_strerror(rc));
	printf("fourth instance: %s\n", wasmd_errmsg(conn));
	wasmd_instance_drop(c);
	if (a == NULL || b == NULL)
		return;
	/* One call at a time per instance: "one" waits behind "spin". */
	rc = wasmd_instance_invoke_send(
	    a, "spin", NULL, 0, on_spin_done, &spin_rc);
	CHECK(rc == WASMD_OK, "spin: %s", wasmd_errmsg(conn));
	rc = wasmd_instance_invoke_send(
	    a, "one", NULL, 0, on_spin_done, &behind_rc);
	CHECK(rc == WASMD_OK, "one: %s", wasmd_errmsg(conn));
	/* The other instance is not held up. */
	rc = wasmd_instance_invoke(b, "one", NULL, 0, &r);
	CHECK(rc == WASMD_OK && r->results[0].of.i32 == 1, "b: %s",
	    wasmd_errmsg(conn));
	wasmd_result_free(r);
	r = NULL;
	drain(conn);
	CHECK(spin_rc == WASMD_ERR_TIMEOUT, "spin ended with %s",
	    wasmd_strerror(spin_rc));
	/* The call waiting behind it ends with the instance. */
	CHECK(behind_rc == WASMD_ERR_NOT_FOUND, "the call behind: %s",
	    wasmd_strerror(behind_rc));
	printf("behind: %s\n", wasmd_strerror(behind_rc));
	/* The deadline killed a's worker: a is gone. */
	rc = wasmd_instance_invoke(a, "one", NULL, 0, &r);
	CHECK(rc == WASMD_ERR_NOT_FOUND, "a after its deadline: %s",
	    wasmd_strerror(rc));
	printf("after the deadline: %s\n", wasmd_errmsg(conn));
	wasmd_result_free(r);
	rc = wasmd_instance_drop(a);
	CHECK(rc == WASMD_ERR_NOT_FOUND, "drop a: %s", wasmd_strerror(rc));
	rc = wasmd_instance_drop(b);
	CHECK(rc == WASMD_OK, "drop b: %s", wasmd_errmsg(conn));
	printf("edges ok\n");
}

static void
mode_abandon(wasmd_conn *conn, const char *ref)
{
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;
	/* Static: their callbacks run from wasmd_close(), after we return. */
	static wasmd_error rc1, rc2;
	wasmd_instance *a = NULL;

	o.limits.timeout_ms = 60000;
	if (wasmd_instance_create(conn, ref, &o, &a) != WASMD_OK) {
		CHECK(false, "create: %s", wasmd_errmsg(conn));
		return;
	}
	CHECK(wasmd_instance_invoke_send(
	          a, "spin", NULL, 0, on_spin_done, &rc1) == WASMD_OK &&
	        wasmd_instance_invoke_send(
	            a, "one", NULL, 0, on_spin_done, &rc2) == WASMD_OK,
	    "send: %s", wasmd_errmsg(conn));
	kept_instance = a;
	printf("abandoning\n");
}

/* ---- async ---- */

struct async_state {
	int done, ok;
	int host_calls;
};

static int
h_triple(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	struct async_state *st = u;

	st->host_calls++;
	r[0].of.i32 = a[0].of.i32 * 3;
	return 0;
}

struct async_call {
	struct async_state *st;
	int32_t want; /* the call's expected result */
	struct event_base *base;
};

/* peek's callback without the out-of-bounds checks: a read, a write. */
static int
h_peek_rt(wasmd_host_call *c, const wasmd_value *a, size_t na, wasmd_value *r,
    size_t nr, void *u)
{
	struct async_state *st = u;
	char buf[5];

	st->host_calls++;
	if (wasmd_host_memory_read(c, (uint32_t)a[0].of.i32, buf, 5) !=
	        WASMD_OK ||
	    memcmp(buf, "wasmd", 5) != 0)
		return wasmd_host_call_fail(
		    c, "read: %s", wasmd_errmsg(wasmd_host_call_conn(c)));
	if (wasmd_host_memory_write(c, 512, "WASMD", 5) != WASMD_OK)
		return wasmd_host_call_fail(
		    c, "write: %s", wasmd_errmsg(wasmd_host_call_conn(c)));
	r[0].of.i32 = 0;
	return 0;
}

static void
on_done(wasmd_conn *conn, wasmd_error rc, wasmd_result *r, void *arg)
{
	struct async_call *c = arg;

	c->st->done++;
	if (rc == WASMD_OK && r->trap == WASMD_TRAP_NONE &&
	    r->results[0].of.i32 == c->want)
		c->st->ok++;
	else
		CHECK(false, "call for %d: %s", (int)c->want,
		    rc != WASMD_OK ? wasmd_errmsg(conn) : r->trap_message);
	wasmd_result_free(r);
	if (wasmd_pending(conn) == 0)
		event_base_loopbreak(c->base);
}

static void
mode_async(wasmd_conn *conn, const char *ref, int n, bool mem)
{
	static const wasmd_mem_arg name_arg[] = {{0, 1, 0}};
	struct async_state st = {0, 0, 0};
	wasmd_host_func hc[] = {
	    {"env", "h", FUNCTYPE(t_i32, t_i32), h_triple, &st, 0, NULL}};
	wasmd_host_func hm[] = {
	    {"env", "greet", {4, 1, t_4i32, t_i32}, h_greet, NULL, 1, name_arg},
	    {"env", "peek", FUNCTYPE(t_i32, t_i32), h_peek_rt, &st, 0, NULL},
	};
	wasmd_invoke_options o = WASMD_INVOKE_OPTIONS_INIT;
	struct event_base *base = event_base_new();
	struct wasmd_libevent *w = wasmd_libevent_attach(conn, base);
	struct async_call *calls = calloc((size_t)n, sizeof *calls);
	size_t most = 0;

	o.host_funcs = mem ? hm : hc;
	o.nhost_funcs = mem ? 2 : 1;
	CHECK(base != NULL && w != NULL && calls != NULL, "setup");
	for (int i = 0; i < n && calls != NULL; i++) {
		wasmd_value v = {.type = WASMD_I32, .of.i32 = i + 1};

		calls[i] = (struct async_call){
		    &st, mem ? sum_bytes("WASMD") : 3 * (i + 1), base};
		CHECK(wasmd_invoke_send(conn, ref, mem ? "peek" : "hostcall",
		          &v, mem ? 0 : 1, &o, on_done, &calls[i]) == WASMD_OK,
		    "send %d: %s", i, wasmd_errmsg(conn));
		if (wasmd_pending(conn) > most)
			most = wasmd_pending(conn);
	}
	printf("in flight: %zu\n", most);
	CHECK(most == (size_t)n, "only %zu in flight at once", most);
	if (wasmd_pending(conn) > 0)
		event_base_dispatch(base);
	CHECK(st.done == n && st.ok == n && st.host_calls == n,
	    "done %d ok %d host calls %d of %d", st.done, st.ok, st.host_calls,
	    n);
	printf("async done=%d ok=%d host_calls=%d\n", st.done, st.ok,
	    st.host_calls);
	wasmd_libevent_detach(w);
	event_base_free(base);
	free(calls);
}

int
main(int argc, char **argv)
{
	wasmd_conn *conn;
	const char *mode = argc > 1 ? argv[1] : "";
	const char *ref = argc > 2 ? argv[2] : "";
	int n = argc > 3 ? atoi(argv[3]) : 0;

	if (argc < 3) {
		fprintf(stderr, "usage: wasmd-it-hostclient MODE REF [N]\n");
		return 2;
	}
	conn = wasmd_connect(NULL);
	if (conn == NULL || wasmd_status(conn) != WASMD_CONNECTION_OK) {
		fprintf(stderr, "FAIL: connect: %s\n",
		    conn ? wasmd_errmsg(conn) : "out of memory");
		return 1;
	}
	if (strcmp(mode, "types") == 0)
		mode_types(conn, ref);
	else if (strcmp(mode, "loop") == 0)
		mode_loop(conn, ref, n);
	else if (strcmp(mode, "mem") == 0)
		mode_mem(conn, ref);
	else if (strcmp(mode, "mem2") == 0)
		mode_mem2(conn, ref);
	else if (strcmp(mode, "fail") == 0)
		mode_fail(conn, ref);
	else if (strcmp(mode, "hang") == 0)
		mode_hang(conn, ref, n);
	else if (strcmp(mode, "instance") == 0)
		mode_instance(conn, ref);
	else if (strcmp(mode, "edges") == 0)
		mode_edges(conn, ref);
	else if (strcmp(mode, "abandon") == 0)
		mode_abandon(conn, ref);
	else if (strcmp(mode, "async") == 0)
		mode_async(conn, ref, n, false);
	else if (strcmp(mode, "async_mem") == 0)
		mode_async(conn, ref, n, true);
	else {
		fprintf(stderr, "unknown mode %s\n", mode);
		failures++;
	}
	wasmd_close(conn);
	return failures == 0 ? 0 : 1;
}
