/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctx.c: a guest's WASI context: arguments, environment, preopened
 * directories, standard streams, the output limit, and the fd table that
 * holds them. Configuration happens here; the guest-facing calls live in
 * the other files.
 */
#include "internal.h"
#include "vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* More open fds than this and path_open says EMFILE. */
#define WS_MAX_FDS 1024u

static char *
copy_str(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static void
free_strs(char **v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

ws_ctx *
ws_ctx_new(void)
{
	ws_ctx *ctx = calloc(1, sizeof *ctx);

	if (ctx == NULL)
		return NULL;
	ctx->fds = calloc(3, sizeof *ctx->fds);
	if (ctx->fds == NULL) {
		free(ctx);
		return NULL;
	}
	ctx->nfds = 3;
	ctx->stdin_host_fd = -1;
	ctx->fds[0].kind = WS_FD_STDIN;
	ctx->fds[0].rights = WS_RIGHTS_STDIN;
	for (uint32_t i = 1; i < 3; i++) {
		ctx->fds[i].kind = WS_FD_STDOUT;
		ctx->fds[i].stream = i;
		ctx->fds[i].rights = WS_RIGHTS_STDOUT;
	}
	for (uint32_t i = 0; i < 3; i++)
		ctx->fds[i].host_fd = -1;
	return ctx;
}

void
ws_ctx_free(ws_ctx *ctx)
{
	if (ctx == NULL)
		return;
	for (uint32_t i = 0; i < ctx->nfds; i++)
		ws_fd_release(&ctx->fds[i]);
	free(ctx->fds);
	free_strs(ctx->argv, ctx->argc);
	free_strs(ctx->env, ctx->nenv);
	free(ctx);
}

bool
ws_ctx_set_args(ws_ctx *ctx, int argc, char *const *argv)
{
	char **v = calloc(argc > 0 ? (size_t)argc : 1, sizeof *v);

	if (v == NULL || argc < 0)
		goto fail;
	for (int i = 0; i < argc; i++)
		if ((v[i] = copy_str(argv[i])) == NULL) {
			free_strs(v, (uint32_t)i);
			return false;
		}
	free_strs(ctx->argv, ctx->argc);
	ctx->argv = v;
	ctx->argc = (uint32_t)argc;
	return true;
fail:
	free(v);
	return false;
}

bool
ws_ctx_add_env(ws_ctx *ctx, const char *kv)
{
	char **v, *s;

	if (strchr(kv, '=') == NULL || kv[0] == '=')
		return false;
	v = realloc(ctx->env, (ctx->nenv + 1) * sizeof *v);
	if (v == NULL)
		return false;
	ctx->env = v;
	if ((s = copy_str(kv)) == NULL)
		return false;
	ctx->env[ctx->nenv++] = s;
	return true;
}

bool
ws_ctx_add_preopen_fd(ws_ctx *ctx, int fd, const char *guest, uint64_t rights,
    uint64_t inheriting)
{
	uint32_t gfd;
	ws_fd *f = ws_fd_alloc(ctx, WS_FD_DIR, &gfd);

	if (f == NULL || (f->guest_name = copy_str(guest)) == NULL) {
		if (f != NULL)
			f->kind = WS_FD_FREE;
		ws_vfs_close(fd);
		return false;
	}
	f->host_fd = fd;
	f->rights = rights;
	f->inheriting = inheriting;
	return true;
}

bool
ws_ctx_add_preopen(
    ws_ctx *ctx, const char *host, const char *guest, char *err, size_t errlen)
{
	int fd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open directory %s: %s", host,
		    strerror(errno));
		return false;
	}
	if (!ws_ctx_add_preopen_fd(
	        ctx, fd, guest, WS_RIGHTS_DIR, WS_RIGHTS_INHERITED)) {
		snprintf(err, errlen, "%s: out of memory or fds", host);
		return false;
	}
	return true;
}

void
ws_ctx_set_stdio(ws_ctx *ctx, const ws_stdio *stdio)
{
	ctx->stdio = *stdio;
	ctx->stdin_host_fd = -1;
	for (uint32_t i = 0; i < 3; i++)
		ctx->fds[i].tty = stdio->is_tty[i];
}

/* ---- Inherited streams -------------------------------------------------- */

static int64_t
inherit_read(void *env, uint8_t *buf, size_t len)
{
	ssize_t n;

	do
		n = read(0, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -(int64_t)errno : (int64_t)n;
}

static int64_t
inherit_write(void *env, uint32_t fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	do
		n = write((int)fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -(int64_t)errno : (int64_t)n;
}

void
ws_ctx_inherit_stdio(ws_ctx *ctx)
{
	ws_stdio s = {.read = inherit_read, .write = inherit_write};

	for (int i = 0; i < 3; i++)
		s.is_tty[i] = isatty(i) == 1;
	ws_ctx_set_stdio(ctx, &s);
	/* poll_oneoff may then wait on fd 0 itself. */
	ctx->stdin_host_fd = 0;
}

void
ws_ctx_set_max_output(ws_ctx *ctx, uint64_t max)
{
	ctx->max_output = max;
}

uint64_t
ws_ctx_output_bytes(const ws_ctx *ctx)
{
	return ctx->output;
}

bool
ws_ctx_exited(const ws_ctx *ctx, uint32_t *code)
{
	if (ctx->exited && code != NULL)
		*code = ctx->exit_code;
	return ctx->exited;
}

bool
ws_ctx_output_exceeded(const ws_ctx *ctx)
{
	return ctx->output_exceeded;
}

/* ---- The fd table ------------------------------------------------------- */

ws_fd *
ws_fd_get(ws_ctx *ctx, uint32_t fd)
{
	if (fd >= ctx->nfds || ctx->fds[fd].kind == WS_FD_FREE)
		return NULL;
	return &ctx->fds[fd];
}

ws_fd *
ws_fd_with(ws_ctx *ctx, uint32_t fd, uint64_t need, uint32_t *rc)
{
	ws_fd *f = ws_fd_get(ctx, fd);

	*rc = f == NULL                  ? WS_EBADF
	    : (f->rights & need) != need ? WS_ENOTCAPABLE
	                                 : WS_ESUCCESS;
	return *rc == WS_ESUCCESS ? f : NULL;
}

ws_fd *
ws_fd_alloc(ws_ctx *ctx, ws_fd_kind kind, uint32_t *fd)
{
	uint32_t i;
	ws_fd *v;

	for (i = 0; i < ctx->nfds && ctx->fds[i].kind != WS_FD_FREE; i++)
		;
	if (i == ctx->nfds) {
		if (ctx->nfds >= WS_MAX_FDS)
			return NULL;
		v = realloc(ctx->fds, (ctx->nfds + 1) * sizeof *v);
		if (v == NULL)
			return NULL;
		ctx->fds = v;
		ctx->nfds++;
	}
	memset(&ctx->fds[i], 0, sizeof ctx->fds[i]);
	ctx->fds[i].kind = kind;
	ctx->fds[i].host_fd = -1;
	*fd = i;
	return &ctx->fds[i];
}

void
ws_fd_release(ws_fd *f)
{
	if (f->dir != NULL)
		closedir(f->dir);
	if ((f->kind == WS_FD_FILE || f->kind == WS_FD_DIR) && f->host_fd >= 0)
		ws_vfs_close(f->host_fd);
	free(f->guest_name);
	memset(f, 0, sizeof *f);
	f->kind = WS_FD_FREE;
	f->host_fd = -1;
}
