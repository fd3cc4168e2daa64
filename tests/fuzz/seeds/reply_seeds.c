/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reply_seeds.c: writes the seed corpus of fuzz_reply (tests/fuzz/corpus/
 * reply/): small, valid daemon reply streams for the calls fuzz_reply.c
 * makes, each behind its five-byte header (reply_input.h). Not part of
 * any test: run it by hand after changing the header's meaning,
 *   cmake --build build --target fuzz_reply_seeds &&
 *   build/bin/fuzz_reply_seeds tests/fuzz/corpus/reply
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "reply_input.h"

/* One seed being built. */
struct seed {
	uint8_t buf[4096];
	size_t len;
};

static void
seed_start(
    struct seed *s, uint8_t flags, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t head[5] = {flags, a, b, c, d};

	memcpy(s->buf, head, sizeof head);
	s->len = sizeof head;
}

/* Appends env as one frame under id. */
static void
put(struct seed *s, uint64_t id, Wasmd__Envelope *env)
{
	size_t len = 0;
	uint8_t *frame;

	env->id = id;
	frame = wp_frame_pack(env, &len);
	if (frame == NULL || s->len + len > sizeof s->buf) {
		fprintf(stderr, "reply_seeds: seed too large\n");
		exit(1);
	}
	memcpy(s->buf + s->len, frame, len);
	s->len += len;
	free(frame);
}

static void
seed_write(const struct seed *s, const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s.bin", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(s->buf, 1, s->len, f) != s->len ||
	    fclose(f) != 0) {
		fprintf(stderr, "reply_seeds: cannot write %s\n", path);
		exit(1);
	}
}

static void
put_hello(struct seed *s)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Hello hello = WASMD__HELLO__INIT;

	hello.version = WP_PROTOCOL_VERSION;
	hello.software = "wasmd 0.1.0";
	hello.tenant = "uid:1000";
	env.msg_case = WASMD__ENVELOPE__MSG_HELLO;
	env.hello = &hello;
	put(s, 0, &env);
}

static void
put_error(struct seed *s, uint64_t id, Wasmd__ErrorCode code, char *msg)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Error e = WASMD__ERROR__INIT;

	e.code = code;
	e.message = msg;
	env.msg_case = WASMD__ENVELOPE__MSG_ERROR;
	env.error = &e;
	put(s, id, &env);
}

static void
put_ok(struct seed *s, uint64_t id)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Ok ok = WASMD__OK__INIT;

	env.msg_case = WASMD__ENVELOPE__MSG_OK;
	env.ok = &ok;
	put(s, id, &env);
}

/* A module importing a function, a table, a memory and a global, and
 * exporting a function "run" (i32) -> i64. */
static void
fill_info(Wasmd__ModuleInfo *mi, Wasmd__Import *imp, Wasmd__Import **impp,
    Wasmd__Export *exp, Wasmd__Export **expp, Wasmd__ExternType *types,
    Wasmd__FuncType *ft, Wasmd__Limits *lim)
{
	static Wasmd__ValType params[] = {WASMD__VAL_TYPE__VAL_I32};
	static Wasmd__ValType results[] = {WASMD__VAL_TYPE__VAL_I64};
	static char *names[] = {"m", "latest"};
	static const Wasmd__ExternKind kinds[] = {
	    WASMD__EXTERN_KIND__EXTERN_FUNC, WASMD__EXTERN_KIND__EXTERN_TABLE,
	    WASMD__EXTERN_KIND__EXTERN_MEMORY,
	    WASMD__EXTERN_KIND__EXTERN_GLOBAL};

	wasmd__func_type__init(ft);
	ft->n_params = 1;
	ft->params = params;
	ft->n_results = 1;
	ft->results = results;
	wasmd__limits__init(lim);
	lim->min = 1;
	lim->max = 2;
	lim->has_max = 1;
	for (int i = 0; i < 4; i++) {
		wasmd__extern_type__init(&types[i]);
		types[i].kind = kinds[i];
		wasmd__import__init(&imp[i]);
		imp[i].module = "env";
		imp[i].name = "x";
		imp[i].type = &types[i];
		impp[i] = &imp[i];
	}
	types[0].func = ft;
	types[1].limits = lim;
	types[1].val_type = WASMD__VAL_TYPE__VAL_FUNCREF;
	types[2].limits = lim;
	types[3].val_type = WASMD__VAL_TYPE__VAL_F64;
	types[3].mutable_ = 1;
	wasmd__export__init(exp);
	exp->name = "run";
	exp->type = &types[0];
	*expp = exp;
	wasmd__module_info__init(mi);
	mi->digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
	             "7852b855";
	mi->size = 8;
	mi->created_unix = 1700000000;
	mi->n_names = 2;
	mi->names = names;
	mi->n_imports = 4;
	mi->imports = impp;
	mi->n_exports = 1;
	mi->exports = expp;
}

static void
put_info(struct seed *s, uint64_t id, bool as_list)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__ModuleInfo mi, *mis[2];
	Wasmd__ModuleList ml = WASMD__MODULE_LIST__INIT;
	Wasmd__Import imp[4], *impp[4];
	Wasmd__Export exp, *expp;
	Wasmd__ExternType types[4];
	Wasmd__FuncType ft;
	Wasmd__Limits lim;

	fill_info(&mi, imp, impp, &exp, &expp, types, &ft, &lim);
	if (as_list) {
		mis[0] = mis[1] = &mi;
		ml.n_modules = 2;
		ml.modules = mis;
		env.msg_case = WASMD__ENVELOPE__MSG_MODULE_LIST;
		env.module_list = &ml;
	} else {
		env.msg_case = WASMD__ENVELOPE__MSG_MODULE_INFO;
		env.module_info = &mi;
	}
	put(s, id, &env);
}

/* An invoke's result: one value each of i64 and f32, or a trap. */
static void
put_result(struct seed *s, uint64_t id, bool trap)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__InvokeResult ir = WASMD__INVOKE_RESULT__INIT;
	Wasmd__Value v[2], *vp[2];
	Wasmd__Trap t = WASMD__TRAP__INIT;
	Wasmd__Frame fr = WASMD__FRAME__INIT, *frp = &fr;

	for (int i = 0; i < 2; i++) {
		wasmd__value__init(&v[i]);
		vp[i] = &v[i];
	}
	v[0].type = WASMD__VAL_TYPE__VAL_I64;
	v[0].bits = 42;
	v[1].type = WASMD__VAL_TYPE__VAL_F32;
	v[1].bits = 0x3fc00000;
	if (trap) {
		t.kind = WASMD__TRAP_KIND__TRAP_DIV_BY_ZERO;
		t.message = "integer divide by zero";
		fr.func_index = 3;
		fr.name = "div";
		fr.offset = 17;
		t.n_frames = 1;
		t.frames = &frp;
		ir.trap = &t;
	} else {
		ir.n_results = 2;
		ir.results = vp;
	}
	ir.fuel_consumed = 100;
	ir.elapsed_us = 5;
	ir.has_exit_code = trap ? 0 : 1;
	env.msg_case = WASMD__ENVELOPE__MSG_INVOKE_RESULT;
	env.invoke_result = &ir;
	put(s, id, &env);
}

static void
put_output(struct seed *s, uint64_t id, uint32_t fd, char *text)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Output out = WASMD__OUTPUT__INIT;

	out.fd = fd;
	out.data.data = (uint8_t *)text;
	out.data.len = strlen(text);
	env.msg_case = WASMD__ENVELOPE__MSG_OUTPUT;
	env.output = &out;
	put(s, id, &env);
}

/* A call of import 0, env.f(ptr 16, len 3, i64 9), with its memory. */
static void
put_host_call_f(struct seed *s, uint64_t id)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__HostCall hc = WASMD__HOST_CALL__INIT;
	Wasmd__Value v[3], *vp[3];
	Wasmd__MemoryBytes mb = WASMD__MEMORY_BYTES__INIT, *mbp = &mb;
	static const Wasmd__ValType types[] = {WASMD__VAL_TYPE__VAL_I32,
	    WASMD__VAL_TYPE__VAL_I32, WASMD__VAL_TYPE__VAL_I64};
	static const uint64_t bits[] = {16, 3, 9};

	for (int i = 0; i < 3; i++) {
		wasmd__value__init(&v[i]);
		v[i].type = types[i];
		v[i].bits = bits[i];
		vp[i] = &v[i];
	}
	mb.address = 16;
	mb.data.data = (uint8_t *)"abc";
	mb.data.len = 3;
	hc.import_index = 0;
	hc.module = "env";
	hc.name = "f";
	hc.n_args = 3;
	hc.args = vp;
	hc.n_memory = 1;
	hc.memory = &mbp;
	env.msg_case = WASMD__ENVELOPE__MSG_HOST_CALL;
	env.host_call = &hc;
	put(s, id, &env);
}

/* A call of import 1, env.g(). */
static void
put_host_call_g(struct seed *s, uint64_t id)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__HostCall hc = WASMD__HOST_CALL__INIT;

	hc.import_index = 1;
	hc.module = "env";
	hc.name = "g";
	env.msg_case = WASMD__ENVELOPE__MSG_HOST_CALL;
	env.host_call = &hc;
	put(s, id, &env);
}

static void
put_memory_reply(struct seed *s, uint64_t id, size_t len, char *error)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__MemoryReply mr = WASMD__MEMORY_REPLY__INIT;

	mr.data.data = (uint8_t *)"01234567";
	mr.data.len = len;
	mr.error = error;
	env.msg_case = WASMD__ENVELOPE__MSG_MEMORY_REPLY;
	env.memory_reply = &mr;
	put(s, id, &env);
}

static void
put_stats(struct seed *s, uint64_t id)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Stats st = WASMD__STATS__INIT;

	st.text = "# TYPE wasmd_invokes_total counter\n"
	          "wasmd_invokes_total 3\n";
	env.msg_case = WASMD__ENVELOPE__MSG_STATS;
	env.stats = &st;
	put(s, id, &env);
}

static void
put_instance_created(struct seed *s, uint64_t id)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__InstanceCreated ic = WASMD__INSTANCE_CREATED__INIT;

	ic.instance_id = 5;
	ic.digest = "e3b0c442";
	env.msg_case = WASMD__ENVELOPE__MSG_INSTANCE_CREATED;
	env.instance_created = &ic;
	put(s, id, &env);
}

int
main(int argc, char **argv)
{
	struct seed s;

	if (argc != 2) {
		fprintf(stderr, "usage: reply_seeds DIR\n");
		return 2;
	}
	/* push, list, inspect (not found), remove. */
	seed_start(&s, FL_HELLO, OP_PUSH, OP_LIST, OP_INSPECT, OP_REMOVE);
	put_info(&s, 1, false);
	put_info(&s, 2, true);
	put_error(&s, 3, WASMD__ERROR_CODE__ERR_NOT_FOUND, "no module 'm'");
	put_ok(&s, 4);
	seed_write(&s, argv[1], "modules");

	/* The Hello in the stream itself, then stats. */
	seed_start(&s, 0, OP_STATS, OP_NONE, OP_NONE, OP_NONE);
	put_hello(&s);
	put_stats(&s, 1);
	seed_write(&s, argv[1], "hello-stats");

	/* An invoke whose guest prints, calls both host functions (with
	 * memory round trips for f) and returns. */
	seed_start(&s, FL_HELLO | FL_MEMORY, OP_INVOKE, OP_INVOKE_STREAMED,
	    OP_NONE, OP_NONE);
	put_output(&s, 1, 1, "hello\n");
	put_host_call_f(&s, 1);
	put_memory_reply(&s, 1, 8, "");
	put_memory_reply(&s, 1, 0, "");
	put_host_call_g(&s, 1);
	put_output(&s, 1, 2, "warn\n");
	put_result(&s, 1, false);
	put_output(&s, 2, 1, "streamed\n");
	put_result(&s, 2, true);
	seed_write(&s, argv[1], "invoke-host");

	/* A host function that fails; a memory read refused. */
	seed_start(&s, FL_HELLO | FL_MEMORY | FL_HOST_FAIL, OP_INVOKE,
	    OP_INVOKE, OP_NONE, OP_NONE);
	put_host_call_g(&s, 1);
	put_result(&s, 1, true);
	seed_write(&s, argv[1], "host-fail");
	seed_start(
	    &s, FL_HELLO | FL_MEMORY, OP_INVOKE, OP_NONE, OP_NONE, OP_NONE);
	put_host_call_f(&s, 1);
	put_memory_reply(&s, 1, 0, "out of bounds");
	put_error(&s, 1, WASMD__ERROR_CODE__ERR_TIMEOUT, "deadline exceeded");
	seed_write(&s, argv[1], "memory-refused");

	/* Two invokes in flight, answered out of order, one with an error. */
	seed_start(&s, FL_HELLO, OP_ASYNC, OP_NONE, OP_NONE, OP_NONE);
	put_host_call_f(&s, 1);
	put_result(&s, 2, false);
	put_error(&s, 1, WASMD__ERROR_CODE__ERR_LINK, "no import env.h");
	seed_write(&s, argv[1], "async");

	/* A live instance: created, invoked, invoked asynchronously, dropped. */
	seed_start(&s, FL_HELLO, OP_INSTANCE, OP_NONE, OP_NONE, OP_NONE);
	put_instance_created(&s, 1);
	put_host_call_g(&s, 2);
	put_result(&s, 2, false);
	put_result(&s, 3, true);
	put_ok(&s, 4);
	seed_write(&s, argv[1], "instance");

	/* The daemon gives up on the connection (Error with id 0). */
	seed_start(&s, FL_HELLO, OP_LIST, OP_ASYNC, OP_NONE, OP_NONE);
	put_error(&s, 0, WASMD__ERROR_CODE__ERR_UNAVAILABLE, "draining");
	seed_write(&s, argv[1], "goodbye");
	return 0;
}
