/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_fake.c: the fake wasmd daemon of the client's unit tests (see
 * client_fake.h for what it answers).
 */
#include "client_fake.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void
reply(int fd, uint64_t id, Wasmd__Envelope *env)
{
	char err[128];

	/* A client that has gone (a test closing early) is not an error
	 * here: the tests check what the client saw. */
	env->id = id;
	(void)wp_write_envelope(fd, env, err, sizeof err);
}

static void
reply_error(int fd, uint64_t id, Wasmd__ErrorCode code, const char *msg)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Error e = WASMD__ERROR__INIT;

	e.code = code;
	e.message = (char *)msg;
	env.msg_case = WASMD__ENVELOPE__MSG_ERROR;
	env.error = &e;
	reply(fd, id, &env);
}

/* The canned module (client_fake.h). */
static void
send_module_info(int fd, uint64_t id, const char *name, size_t size)
{
	static Wasmd__ValType i32x2[] = {
	    WASMD__VAL_TYPE__VAL_I32, WASMD__VAL_TYPE__VAL_I32};
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__ModuleInfo mi = WASMD__MODULE_INFO__INIT;
	Wasmd__FuncType ft = WASMD__FUNC_TYPE__INIT;
	Wasmd__ExternType add_t = WASMD__EXTERN_TYPE__INIT,
	                  mem_t = WASMD__EXTERN_TYPE__INIT,
	                  glob_t = WASMD__EXTERN_TYPE__INIT;
	Wasmd__Limits lim = WASMD__LIMITS__INIT;
	Wasmd__FuncType void_ft = WASMD__FUNC_TYPE__INIT;
	Wasmd__ExternType boom_t = WASMD__EXTERN_TYPE__INIT;
	Wasmd__Export add = WASMD__EXPORT__INIT, glob = WASMD__EXPORT__INIT,
	              boom = WASMD__EXPORT__INIT;
	Wasmd__Export *exports[] = {&add, &glob, &boom};
	Wasmd__Import mem = WASMD__IMPORT__INIT;
	Wasmd__Import *imports[] = {&mem};
	char *names[] = {(char *)name, "alias"};

	ft.n_params = 2;
	ft.params = i32x2;
	ft.n_results = 1;
	ft.results = i32x2;
	add_t.kind = WASMD__EXTERN_KIND__EXTERN_FUNC;
	add_t.func = &ft;
	add.name = "add";
	add.type = &add_t;
	glob_t.kind = WASMD__EXTERN_KIND__EXTERN_GLOBAL;
	glob_t.val_type = WASMD__VAL_TYPE__VAL_F64;
	glob_t.mutable_ = 1;
	glob.name = "g";
	glob.type = &glob_t;
	boom_t.kind = WASMD__EXTERN_KIND__EXTERN_FUNC;
	boom_t.func = &void_ft;
	boom.name = "boom";
	boom.type = &boom_t;
	lim.min = 1;
	lim.max = 2;
	lim.has_max = 1;
	mem_t.kind = WASMD__EXTERN_KIND__EXTERN_MEMORY;
	mem_t.limits = &lim;
	mem.module = "env";
	mem.name = "mem";
	mem.type = &mem_t;
	mi.digest = FAKE_DIGEST;
	mi.size = size;
	/* A full digest is not a name; "two" has a second name. */
	mi.n_names = name[0] != '\0' && strlen(name) != 64;
	if (strcmp(name, "two") == 0)
		mi.n_names = 2;
	mi.names = names;
	mi.n_imports = 1;
	mi.imports = imports;
	mi.n_exports = 3;
	mi.exports = exports;
	env.msg_case = WASMD__ENVELOPE__MSG_MODULE_INFO;
	env.module_info = &mi;
	reply(fd, id, &env);
}

static void
send_list(int fd, uint64_t id)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__ModuleList ml = WASMD__MODULE_LIST__INIT;
	Wasmd__ModuleInfo a = WASMD__MODULE_INFO__INIT,
	                  b = WASMD__MODULE_INFO__INIT;
	Wasmd__ModuleInfo *mods[] = {&a, &b};

	a.digest = "aa";
	a.size = 10;
	a.created_unix = 1700000000; /* 2023-11-14 22:13:20 UTC */
	b.digest = "bb";
	b.size = 20;
	ml.n_modules = 2;
	ml.modules = mods;
	env.msg_case = WASMD__ENVELOPE__MSG_MODULE_LIST;
	env.module_list = &ml;
	reply(fd, id, &env);
}

/*
 * An invoke: first a host call (which the client must refuse), then the
 * result: the sum of the i32 args, or a trap for export "boom".
 */
static void
serve_invoke(struct fake *f, int fd, uint64_t id, const Wasmd__Invoke *inv)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *hr = NULL;
	Wasmd__HostCall hc = WASMD__HOST_CALL__INIT;
	Wasmd__InvokeResult res = WASMD__INVOKE_RESULT__INIT;
	Wasmd__Value sum = WASMD__VALUE__INIT, *results[] = {&sum};
	Wasmd__Trap trap = WASMD__TRAP__INIT;
	Wasmd__Frame fr = WASMD__FRAME__INIT, *frames[] = {&fr};
	char err[128];

	if (inv->limits != NULL)
		f->limits = *inv->limits;
	snprintf(f->invoke_ref, sizeof f->invoke_ref, "%s", inv->ref);
	snprintf(f->invoke_export, sizeof f->invoke_export, "%s", inv->export);
	f->invoke_nargs = (int)inv->n_args;
	f->arg_sum = 0;
	for (size_t i = 0; i < inv->n_args; i++)
		f->arg_sum += (int32_t)(uint32_t)inv->args[i]->bits;
	if (f->arg_sum == 404) {
		reply_error(fd, id, WASMD__ERROR_CODE__ERR_LINK,
		    "unknown import env.nosuch");
		return;
	}
	if (strcmp(inv->export, "nosuch") == 0) {
		reply_error(fd, id, WASMD__ERROR_CODE__ERR_MISSING_EXPORT,
		    "no export nosuch");
		return;
	}
	if (strncmp(inv->export, "quiet", 5) != 0) {
		hc.module = "env";
		hc.name = "log";
		env.msg_case = WASMD__ENVELOPE__MSG_HOST_CALL;
		env.host_call = &hc;
		reply(fd, id, &env);
		/* A request sent before the client saw the host call waits
		 * (one slot) until this invoke is done. */
		for (;;) {
			if (wp_read_envelope(
			        fd, 1 << 20, &hr, err, sizeof err) < 0)
				return;
			if (hr->msg_case == WASMD__ENVELOPE__MSG_HOST_REPLY ||
			    f->deferred != NULL)
				break;
			f->deferred = hr;
		}
		ck_assert_uint_eq(hr->id, id);
		ck_assert_int_eq(hr->msg_case, WASMD__ENVELOPE__MSG_HOST_REPLY);
		snprintf(f->host_reply_error, sizeof f->host_reply_error, "%s",
		    hr->host_reply->error);
		wasmd__envelope__free_unpacked(hr, NULL);
	}

	res.fuel_consumed = 77;
	res.elapsed_us = 5;
	if (strcmp(inv->export, "boom") == 0) {
		trap.kind = WASMD__TRAP_KIND__TRAP_UNREACHABLE;
		trap.message = "unreachable executed";
		fr.func_index = 3;
		fr.name = "boom";
		fr.offset = 0x10;
		trap.n_frames = 1;
		trap.frames = frames;
		res.trap = &trap;
	} else if (f->arg_sum == 999) {
		trap.kind = WASMD__TRAP_KIND__TRAP_OUT_OF_FUEL;
		trap.message = "out of fuel";
		res.fuel_consumed = 1000;
		res.trap = &trap;
	} else {
		sum.type = WASMD__VAL_TYPE__VAL_I32;
		sum.bits = (uint32_t)f->arg_sum;
		res.n_results = 1;
		res.results = results;
	}
	wasmd__envelope__init(&env);
	env.msg_case = WASMD__ENVELOPE__MSG_INVOKE_RESULT;
	env.invoke_result = &res;
	reply(fd, id, &env);
}

static int
serve_hello(struct fake *f, int fd)
{
	Wasmd__Envelope *in = NULL, env = WASMD__ENVELOPE__INIT;
	Wasmd__Hello hello = WASMD__HELLO__INIT;
	char err[128];

	if (wp_read_envelope(fd, 1 << 20, &in, err, sizeof err) < 0)
		return -1;
	ck_assert_int_eq(in->msg_case, WASMD__ENVELOPE__MSG_HELLO);
	f->hello_version = in->hello->version;
	snprintf(f->hello_software, sizeof f->hello_software, "%s",
	    in->hello->software);
	wasmd__envelope__free_unpacked(in, NULL);
	if (f->mode == FAKE_BAD_VERSION) {
		reply_error(fd, 0, WASMD__ERROR_CODE__ERR_VERSION,
		    "protocol version too old");
		return -1;
	}
	hello.version = WP_PROTOCOL_VERSION;
	hello.software = "fake-wasmd";
	hello.tenant = "alice";
	env.msg_case = WASMD__ENVELOPE__MSG_HELLO;
	env.hello = &hello;
	reply(fd, 0, &env);
	return 0;
}

static void
serve_request(struct fake *f, int fd, const Wasmd__Envelope *in)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Ok ok = WASMD__OK__INIT;

	switch (in->msg_case) {
	case WASMD__ENVELOPE__MSG_PUSH:
		f->pushed_len = in->push->wasm.len;
		snprintf(f->pushed_name, sizeof f->pushed_name, "%s",
		    in->push->name);
		send_module_info(
		    fd, in->id, in->push->name, in->push->wasm.len);
		break;
	case WASMD__ENVELOPE__MSG_LIST: send_list(fd, in->id); break;
	case WASMD__ENVELOPE__MSG_INSPECT:
		if (strcmp(in->inspect->ref, "missing") == 0)
			reply_error(fd, in->id,
			    WASMD__ERROR_CODE__ERR_NOT_FOUND,
			    "no module matches 'missing'");
		else
			send_module_info(fd, in->id, in->inspect->ref, 8);
		break;
	case WASMD__ENVELOPE__MSG_REMOVE:
		snprintf(f->removed_ref, sizeof f->removed_ref, "%s",
		    in->remove->ref);
		f->remove_scope = (int)in->remove->scope;
		f->nremoves++;
		env.msg_case = WASMD__ENVELOPE__MSG_OK;
		env.ok = &ok;
		reply(fd, in->id, &env);
		break;
	case WASMD__ENVELOPE__MSG_INVOKE:
		serve_invoke(f, fd, in->id, in->invoke);
		break;
	default:
		reply_error(fd, in->id, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "unexpected");
	}
}

/* Serves one connection until the client closes it. */
/* Serves one connection until the client closes it. */
static void
serve_connection(struct fake *f, int fd)
{
	Wasmd__Envelope *in = NULL;
	char err[128];
	int close_after = f->close_after > 0 ? f->close_after : 1;

	if (f->mode == FAKE_REFUSE) {
		/* Like a daemon at its connection limit: no Hello read. */
		reply_error(fd, 0, WASMD__ERROR_CODE__ERR_UNAVAILABLE,
		    "too many connections");
		return;
	}
	if (serve_hello(f, fd) < 0)
		return;
	while (wp_read_envelope(fd, 1 << 20, &in, err, sizeof err) == 0) {
		if (f->nids < 16)
			f->ids[f->nids++] = in->id;
		if (f->mode == FAKE_CLOSE_ON_REQ && f->nids >= close_after) {
			wasmd__envelope__free_unpacked(in, NULL);
			return;
		}
		serve_request(f, fd, in);
		wasmd__envelope__free_unpacked(in, NULL);
		while (f->deferred != NULL) {
			in = f->deferred;
			f->deferred = NULL;
			if (f->nids < 16)
				f->ids[f->nids++] = in->id;
			serve_request(f, fd, in);
			wasmd__envelope__free_unpacked(in, NULL);
		}
	}
	if (f->deferred != NULL) {
		wasmd__envelope__free_unpacked(f->deferred, NULL);
		f->deferred = NULL;
	}
}

static void *
fake_main(void *arg)
{
	struct fake *f = arg;

	for (int i = 0; i < f->nconns; i++) {
		int fd = accept(f->listen_fd, NULL, NULL);

		ck_assert_int_ge(fd, 0);
		serve_connection(f, fd);
		close(fd);
	}
	return NULL;
}

void
fake_start(struct fake *f, enum fake_mode mode, int nconns)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	memset(f, 0, sizeof *f);
	f->mode = mode;
	f->nconns = nconns;
	snprintf(f->dir, sizeof f->dir, "/tmp/wasmd-client-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/sock", f->dir);
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", f->path);
	f->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(f->listen_fd, 0);
	ck_assert_int_eq(
	    bind(f->listen_fd, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(listen(f->listen_fd, 1), 0);
	ck_assert_int_eq(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

void
fake_stop(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->listen_fd);
	unlink(f->path);
	rmdir(f->dir);
}
