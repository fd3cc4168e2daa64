/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi_job.c: WASI preview1 for an invocation served by the worker
 * (wasi_job.h): the ws_ctx of an Invoke, its stdin read from the request's
 * bytes, its stdout and stderr sent to the supervisor as Output frames
 * while the guest runs, and the exit code of a guest that ends with
 * proc_exit.
 */
#include "wasi_job.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi.h"

struct wrk_wasi {
	ws_ctx *ctx;       /* own */
	int fd;            /* the supervisor's socket */
	uint64_t id;       /* the invoke's envelope id */
	bool command;      /* Invoke.command: a return is exit code 0 */
	const uint8_t *in; /* borrowed: Invoke.stdin */
	size_t in_len, in_pos;
	uint8_t buf[WRK_WASI_CHUNK]; /* output not sent yet */
	size_t buf_len;
	uint32_t buf_fd; /* 1 or 2: the stream buf holds */
	bool broken;     /* the supervisor is gone: writes fail */
	bool discard;    /* an initializer runs: output goes nowhere */
	we_func **funcs; /* own: per import index, the WASI function or NULL */
	uint32_t nimports;
	bool linked;
};

/* ---- Streams ----------------------------------------------------------- */

/* Sends one Output frame. False (and broken) when the socket failed. */
static bool
send_output(wrk_wasi *w, uint32_t fd, const uint8_t *data, size_t len)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Output out = WASMD__OUTPUT__INIT;
	char err[128];

	if (w->broken)
		return false;
	out.fd = fd;
	out.data.data = (uint8_t *)data; /* protobuf-c only reads it */
	out.data.len = len;
	env.id = w->id;
	env.msg_case = WASMD__ENVELOPE__MSG_OUTPUT;
	env.output = &out;
	if (wp_write_envelope(w->fd, &env, err, sizeof err) < 0)
		w->broken = true;
	return !w->broken;
}

bool
wrk_wasi_flush(wrk_wasi *w)
{
	bool ok = true;

	if (w == NULL)
		return true;
	if (w->buf_len > 0)
		ok = send_output(w, w->buf_fd, w->buf, w->buf_len);
	w->buf_len = 0;
	return ok && !w->broken;
}

/*
 * The guest's write to fd 1 or 2: appended to the buffer, which is sent
 * at a newline or when full; a write bigger than the buffer goes out in
 * frames of WRK_WASI_CHUNK bytes at once. (The output limit is counted by
 * libwasmd-wasi before this is called.)
 */
static int64_t
stream_write(void *env, uint32_t fd, const uint8_t *data, size_t len)
{
	wrk_wasi *w = env;
	size_t done = 0;

	if (w->discard)
		return (int64_t)len;
	if ((w->buf_len > 0 && w->buf_fd != fd) ||
	    w->buf_len + len > sizeof w->buf)
		wrk_wasi_flush(w);
	while (!w->broken && len - done > sizeof w->buf) {
		send_output(w, fd, data + done, sizeof w->buf);
		done += sizeof w->buf;
	}
	if (w->broken)
		return -EPIPE;
	memcpy(w->buf + w->buf_len, data + done, len - done);
	w->buf_len += len - done;
	w->buf_fd = fd;
	if (memchr(data + done, '\n', len - done) != NULL ||
	    w->buf_len == sizeof w->buf)
		wrk_wasi_flush(w);
	return w->broken ? -EPIPE : (int64_t)len;
}

/* The guest's stdin: the request's bytes, then end of file. */
static int64_t
stream_read(void *env, uint8_t *buf, size_t len)
{
	wrk_wasi *w = env;
	size_t n = w->in_len - w->in_pos;

	if (n > len)
		n = len;
	if (n > 0)
		memcpy(buf, w->in + w->in_pos, n);
	w->in_pos += n;
	return (int64_t)n;
}

/* ---- The context --------------------------------------------------------- */

/* Whether m imports any function of WASI preview1. */
static bool
imports_wasi(const we_module *m)
{
	uint32_t n = we_module_import_count(m);
	we_importdesc d;

	for (uint32_t i = 0; i < n; i++) {
		we_module_import(m, i, &d);
		if (d.type.kind == WE_EXTERN_FUNC &&
		    strcmp(d.module, WS_MODULE) == 0)
			return true;
	}
	return false;
}

/*
 * The guest's files: each Invoke.mounts entry as a preopen, in order (a
 * bundle's image as the supervisor attached it, or an empty scratch
 * directory), all in this process's memory. False with err set.
 */
static bool
mount_files(wrk_wasi *w, const Wasmd__Invoke *inv, char *err, size_t errlen)
{
	for (size_t i = 0; i < inv->n_mounts; i++) {
		const Wasmd__Mount *mt = inv->mounts[i];
		const char *guest = mt->guest != NULL ? mt->guest : "";
		bool ok;

		if (mt->bundle == NULL || mt->bundle[0] == '\0')
			ok = ws_ctx_add_scratch(w->ctx, guest, err, errlen);
		else
			ok = ws_ctx_add_bundle(w->ctx, guest, mt->image.data,
			    mt->image.len, mt->writable, err, errlen);
		if (!ok)
			return false;
	}
	return true;
}

/* The guest's argv and environment, as the request gives them. */
static bool
configure(wrk_wasi *w, const Wasmd__Invoke *inv)
{
	ws_stdio io = {0};

	if (!ws_ctx_set_args(w->ctx, (int)inv->n_argv, inv->argv))
		return false;
	for (size_t i = 0; i < inv->n_env; i++) {
		/* An entry without '=' is ignored, as a C environment would. */
		if (inv->env[i] != NULL && strchr(inv->env[i], '=') != NULL &&
		    !ws_ctx_add_env(w->ctx, inv->env[i]))
			return false;
	}
	io.read = stream_read;
	io.write = stream_write;
	io.env = w;
	for (int fd = 0; fd < 3; fd++)
		io.is_tty[fd] = (inv->tty_fds >> fd) & 1;
	ws_ctx_set_stdio(w->ctx, &io);
	if (inv->limits != NULL) {
		ws_ctx_set_max_output(w->ctx, inv->limits->max_output_bytes);
		/* Files in memory count against the invoke's memory limit. */
		ws_ctx_set_max_file_bytes(
		    w->ctx, inv->limits->max_memory_bytes);
	}
	return true;
}

wrk_wasi *
wrk_wasi_new(const Wasmd__Invoke *inv, const we_module *m, int fd, uint64_t id,
    bool *nomem, char *err, size_t errlen)
{
	wrk_wasi *w;

	*nomem = false;
	err[0] = '\0';
	if (!imports_wasi(m))
		return NULL;
	w = calloc(1, sizeof *w);
	if (w == NULL || (w->ctx = ws_ctx_new()) == NULL) {
		free(w);
		*nomem = true;
		return NULL;
	}
	w->fd = fd;
	w->id = id;
	w->command = inv->command;
	w->in = inv->stdin.data;
	w->in_len = inv->stdin.data != NULL ? inv->stdin.len : 0;
	w->buf_fd = 1;
	if (!configure(w, inv)) {
		wrk_wasi_free(w);
		*nomem = true;
		return NULL;
	}
	if (!mount_files(w, inv, err, errlen)) {
		wrk_wasi_free(w);
		return NULL;
	}
	return w;
}

void
wrk_wasi_free(wrk_wasi *w)
{
	if (w == NULL)
		return;
	ws_ctx_free(w->ctx);
	free(w->funcs);
	free(w);
}

/* ---- Linking ----------------------------------------------------------- */

bool
wrk_wasi_link(wrk_wasi *w, we_store *s, const we_module *m, we_error *err)
{
	we_import *imports = NULL;
	size_t n = 0, k = 0;
	we_importdesc d;

	if (w->linked)
		return true;
	w->nimports = we_module_import_count(m);
	w->funcs = calloc(w->nimports + 1, sizeof *w->funcs);
	if (w->funcs == NULL) {
		err->code = WE_ERR_NOMEM;
		snprintf(err->message, sizeof err->message, "out of memory");
		return false;
	}
	if (!ws_imports(w->ctx, s, m, &imports, &n, err))
		return false;
	/* ws_imports() lists the WASI function imports in module order. */
	for (uint32_t i = 0; i < w->nimports && k < n; i++) {
		we_module_import(m, i, &d);
		if (d.type.kind == WE_EXTERN_FUNC &&
		    strcmp(d.module, WS_MODULE) == 0)
			w->funcs[i] = imports[k++].value.of.func;
	}
	free(imports);
	w->linked = true;
	return true;
}

we_func *
wrk_wasi_import(const wrk_wasi *w, uint32_t i)
{
	if (w == NULL || !w->linked || i >= w->nimports)
		return NULL;
	return w->funcs[i];
}

void
wrk_wasi_set_init(wrk_wasi *w, bool init, bool allow_random)
{
	if (w == NULL)
		return;
	w->discard = init;
	ws_ctx_set_init(w->ctx, init, allow_random);
}

bool
wrk_wasi_exited(const wrk_wasi *w, uint32_t *code)
{
	return w != NULL && ws_ctx_exited(w->ctx, code);
}

/* ---- The end ------------------------------------------------------------- */

void
wrk_wasi_result(wrk_wasi *w, we_call_status st, Wasmd__InvokeResult *ir)
{
	uint32_t code;

	if (w == NULL)
		return;
	wrk_wasi_flush(w);
	if (st == WE_CALL_TRAP && ws_ctx_exited(w->ctx, &code)) {
		ir->trap = NULL;
		ir->has_exit_code = true;
		ir->exit_code = code;
	} else if (st == WE_CALL_OK && w->command) {
		ir->has_exit_code = true;
		ir->exit_code = 0;
	}
}
