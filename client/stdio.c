/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stdio.c: WASI standard streams in libwasmd-client. The request side
 * fills an Invoke's argv, env, stdin and command from the options; the
 * reply side takes the Output frames the daemon sends with an invoke's id
 * while the guest runs and hands each to the options' output callback at
 * once, or, without a callback, collects stdout and stderr for the
 * invoke's result (wasmd_result.output).
 *
 * Each invoke in flight has a stream, kept in a short list on the
 * connection (wc_stream_open when the request is sent, wc_stream_close
 * when its reply has been read).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct wc_stream {
	struct wc_stream *next;
	uint64_t id;
	wasmd_output_cb cb; /* NULL: collect */
	void *arg;
	char *buf[3]; /* own: collected stdout ([1]) and stderr ([2]) */
	size_t len[3], cap[3];
	bool lost; /* out of memory while collecting: the rest is dropped */
};

/* Whether opts, as large as its size says, has field f's bytes. */
#define HAS_FIELD(opts, f)                                                     \
	((opts) != NULL &&                                                     \
	    (opts)->size >=                                                    \
	        offsetof(wasmd_invoke_options, f) + sizeof((opts)->f))

void
wc_wasi_request(Wasmd__Invoke *inv, const wasmd_invoke_options *opts)
{
	if (!HAS_FIELD(opts, output_arg))
		return;
	/* protobuf-c only reads these while packing the request. */
	if (opts->argv != NULL) {
		inv->n_argv = opts->argc;
		inv->argv = (char **)opts->argv;
	}
	if (opts->env != NULL) {
		inv->n_env = opts->nenv;
		inv->env = (char **)opts->env;
	}
	if (opts->stdin_data != NULL) {
		inv->stdin.data = (uint8_t *)opts->stdin_data;
		inv->stdin.len = opts->stdin_len;
	}
	inv->command = opts->command;
	if (inv->limits != NULL)
		inv->limits->max_output_bytes = opts->max_output_bytes;
	if (HAS_FIELD(opts, tty_fds))
		inv->tty_fds = opts->tty_fds & 7u;
	if (HAS_FIELD(opts, no_snapshot))
		inv->no_snapshot = opts->no_snapshot;
}

int
wc_stream_open(wasmd_conn *conn, uint64_t id, const wasmd_invoke_options *opts)
{
	struct wc_stream *st = calloc(1, sizeof *st);

	if (st == NULL)
		return -1;
	st->id = id;
	if (HAS_FIELD(opts, output_arg)) {
		st->cb = opts->output;
		st->arg = opts->output_arg;
	}
	st->next = conn->streams;
	conn->streams = st;
	return 0;
}

static void
stream_free(struct wc_stream *st)
{
	for (int i = 0; i < 3; i++)
		free(st->buf[i]);
	free(st);
}

/* Unlinks and returns invoke id's stream, or NULL. */
static struct wc_stream *
take_stream(wasmd_conn *conn, uint64_t id)
{
	for (struct wc_stream **p = &conn->streams; *p != NULL;
	     p = &(*p)->next) {
		struct wc_stream *st = *p;

		if (st->id == id) {
			*p = st->next;
			return st;
		}
	}
	return NULL;
}

void
wc_stream_close(wasmd_conn *conn, uint64_t id, wasmd_result *result)
{
	struct wc_stream *st = take_stream(conn, id);

	if (st == NULL)
		return;
	for (int i = 1; result != NULL && i < 3; i++) {
		result->output[i] = st->buf[i];
		result->output_len[i] = st->len[i];
		st->buf[i] = NULL;
	}
	stream_free(st);
}

/* Appends len bytes to stream fd's buffer, keeping a NUL after them. */
static void
collect(struct wc_stream *st, uint32_t fd, const uint8_t *data, size_t len)
{
	size_t need = st->len[fd] + len + 1;

	if (st->lost || len == 0)
		return;
	if (need > st->cap[fd]) {
		size_t cap = st->cap[fd] ? st->cap[fd] : 4096;
		char *nb;

		while (cap < need)
			cap *= 2;
		nb = realloc(st->buf[fd], cap);
		if (nb == NULL) {
			st->lost = true;
			return;
		}
		st->buf[fd] = nb;
		st->cap[fd] = cap;
	}
	memcpy(st->buf[fd] + st->len[fd], data, len);
	st->len[fd] += len;
	st->buf[fd][st->len[fd]] = '\0';
}

void
wc_stream_output(wasmd_conn *conn, const Wasmd__Envelope *env)
{
	const Wasmd__Output *out = env->output;
	struct wc_stream *st;

	if (out->fd != 1 && out->fd != 2)
		return;
	for (st = conn->streams; st != NULL; st = st->next) {
		if (st->id != env->id)
			continue;
		if (st->cb != NULL)
			st->cb((int)out->fd, out->data.data, out->data.len,
			    st->arg);
		else
			collect(st, out->fd, out->data.data, out->data.len);
		return;
	}
}

void
wc_streams_free(wasmd_conn *conn)
{
	while (conn->streams != NULL) {
		struct wc_stream *st = conn->streams;

		conn->streams = st->next;
		stream_free(st);
	}
}
