/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resolve.c: a guest path to a host directory fd and one name in it,
 * confined beneath the directory the guest named (a preopen, or a
 * directory opened from one).
 *
 * A guest path is never handed to the host's path lookup. It is walked one
 * component at a time with ws_vfs_openat(O_PATH | O_DIRECTORY | O_NOFOLLOW) from a
 * stack of directory fds: "." stays, ".." pops the stack (and may not pop
 * the starting directory), a symbolic link is read with ws_vfs_readlinkat() and
 * its target spliced in front of what remains, so the host never follows a
 * link itself. What a link says is checked like the guest's own text: an
 * absolute target or a ".." above the start is ENOTCAPABLE. The callers
 * then act on (dirfd, name) with the *at() calls and their no-follow
 * flags, so nothing outside the starting directory is opened, created or
 * removed, whatever the tree holds.
 */
#include "internal.h"
#include "vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Links followed in one resolution before it is ELOOP (Linux: 40). */
#define WS_MAX_LINKS 32

/* The walk's state: the directories entered and the text still to walk. */
typedef struct walk {
	int *fds; /* own, each fd too: fds[0] is the start */
	size_t n, cap;
	char *work; /* own: the remaining path text, NUL-terminated */
	int links;
} walk;

static void
walk_free(walk *w)
{
	for (size_t i = 0; i < w->n; i++)
		ws_vfs_close(w->fds[i]);
	free(w->fds);
	free(w->work);
}

static uint32_t
walk_push(walk *w, int fd)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 8;
		int *v = realloc(w->fds, cap * sizeof *v);

		if (v == NULL) {
			ws_vfs_close(fd);
			return WS_ENOMEM;
		}
		w->fds = v;
		w->cap = cap;
	}
	w->fds[w->n++] = fd;
	return WS_ESUCCESS;
}

static int
walk_top(const walk *w)
{
	return w->fds[w->n - 1];
}

/*
 * Replaces the work text with link target + "/" + rest (rest: what
 * followed the link's component, from its first non-slash; trailing
 * keeps a final "/" when the link was the last component and had one).
 */
static uint32_t
walk_splice(
    walk *w, const char *target, size_t tlen, const char *rest, bool trailing)
{
	size_t rlen = strlen(rest);
	char *next;

	if (tlen + rlen + 2 > 2 * (size_t)PATH_MAX)
		return WS_ENAMETOOLONG;
	if ((next = malloc(tlen + rlen + 2)) == NULL)
		return WS_ENOMEM;
	memcpy(next, target, tlen);
	next[tlen] = '\0';
	if (rlen > 0 || trailing)
		strcat(next, "/");
	strcat(next, rest);
	free(w->work);
	w->work = next;
	return WS_ESUCCESS;
}

/* Follows the link name in the top directory: splices its target. */
static uint32_t
walk_link(walk *w, const char *name, const char *rest, bool trailing)
{
	char target[PATH_MAX];
	ssize_t n;

	if (++w->links > WS_MAX_LINKS)
		return WS_ELOOP;
	n = ws_vfs_readlinkat(walk_top(w), name, target, sizeof target);
	if (n < 0)
		return ws_errno_from_host(errno);
	if (n == 0)
		return WS_ENOENT;
	if ((size_t)n == sizeof target)
		return WS_ENAMETOOLONG;
	if (target[0] == '/')
		return WS_ENOTCAPABLE;
	return walk_splice(w, target, (size_t)n, rest, trailing);
}

/* Enters directory name, or follows it when it is a link. */
static uint32_t
walk_enter(walk *w, const char *name, const char *rest, bool *spliced)
{
	int fd = ws_vfs_openat(walk_top(w), name,
	    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	int e = errno;
	struct stat st;

	*spliced = false;
	if (fd >= 0)
		return walk_push(w, fd);
	if ((e == ENOTDIR || e == ELOOP) &&
	    ws_vfs_fstatat(walk_top(w), name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode)) {
		*spliced = true;
		return walk_link(w, name, rest, false);
	}
	return ws_errno_from_host(e);
}

/* Is the last component name a link that must be followed? */
static bool
is_link(walk *w, const char *name)
{
	struct stat st;

	return ws_vfs_fstatat(walk_top(w), name, &st, AT_SYMLINK_NOFOLLOW) ==
	    0 &&
	    S_ISLNK(st.st_mode);
}

/* Sets the result: the top directory (taken from the stack) and name. */
static void
walk_finish(walk *w, const char *name, bool must_dir, ws_target *t)
{
	t->dirfd = w->fds[--w->n];
	strcpy(t->name, name);
	t->must_dir = must_dir;
}

/*
 * One step: the component at the start of the work text. Sets *done when
 * it was the last one and t is filled.
 */
static uint32_t
walk_step(walk *w, bool follow, ws_target *t, bool *done)
{
	char *p = w->work, *end, *rest, name[NAME_MAX + 1];
	size_t len;
	bool last, trailing, spliced;
	uint32_t rc;

	while (*p == '/')
		p++;
	end = p + strcspn(p, "/");
	len = (size_t)(end - p);
	for (rest = end; *rest == '/'; rest++)
		;
	last = *rest == '\0';
	trailing = end != rest;
	if (len > NAME_MAX)
		return WS_ENAMETOOLONG;
	memcpy(name, p, len);
	name[len] = '\0';
	*done = false;
	if (len == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		if (strcmp(name, "..") == 0) {
			if (w->n == 1)
				return WS_ENOTCAPABLE;
			ws_vfs_close(w->fds[--w->n]);
		}
		if (last) {
			walk_finish(w, ".", true, t);
			*done = true;
		}
		memmove(w->work, rest, strlen(rest) + 1);
		return WS_ESUCCESS;
	}
	if (last) {
		/* A trailing slash alone does not follow: the callers that
		   change the tree (unlink, rename...) must see the link. */
		if (follow && is_link(w, name))
			return walk_link(w, name, rest, trailing);
		walk_finish(w, name, trailing, t);
		*done = true;
		return WS_ESUCCESS;
	}
	if ((rc = walk_enter(w, name, rest, &spliced)) != 0 || spliced)
		return rc;
	memmove(w->work, rest, strlen(rest) + 1);
	return WS_ESUCCESS;
}

/*
 * Does the text alone climb above its start ("a/../..")? Refused before
 * anything is looked up, so the answer does not depend on what exists.
 */
static bool
climbs_above(const char *path, size_t len)
{
	size_t depth = 0, i = 0;

	while (i < len) {
		size_t n = 0;

		while (i + n < len && path[i + n] != '/')
			n++;
		if (n == 2 && path[i] == '.' && path[i + 1] == '.') {
			if (depth == 0)
				return true;
			depth--;
		} else if (n > 0 && !(n == 1 && path[i] == '.'))
			depth++;
		i += n + 1;
	}
	return false;
}

uint32_t
ws_resolve_text(
    int root, const char *path, size_t len, bool follow, ws_target *t)
{
	walk w = {0};
	uint32_t rc;
	bool done = false;
	int fd;

	t->dirfd = -1;
	if (len == 0)
		return WS_ENOENT;
	if (len > PATH_MAX)
		return WS_ENAMETOOLONG;
	if (memchr(path, '\0', len) != NULL)
		return WS_EILSEQ;
	if (path[0] == '/' || climbs_above(path, len))
		return WS_ENOTCAPABLE;
	if ((w.work = malloc(len + 1)) == NULL)
		return WS_ENOMEM;
	memcpy(w.work, path, len);
	w.work[len] = '\0';
	if ((fd = ws_vfs_dupfd(root)) < 0) {
		free(w.work);
		return ws_errno_from_host(errno);
	}
	rc = walk_push(&w, fd);
	while (rc == WS_ESUCCESS && !done)
		rc = walk_step(&w, follow, t, &done);
	walk_free(&w);
	return rc;
}

uint32_t
ws_resolve(ws_call *c, uint32_t fd, uint64_t need, uint32_t ptr, uint32_t len,
    bool follow, ws_target *t)
{
	ws_fd *f = ws_fd_get(c->ctx, fd);
	const uint8_t *src;

	t->dirfd = -1;
	if (f == NULL)
		return WS_EBADF;
	if (f->kind != WS_FD_DIR)
		return WS_ENOTDIR;
	if ((f->rights & need) != need)
		return WS_ENOTCAPABLE;
	if ((src = ws_mem(c, ptr, len)) == NULL)
		return WS_EFAULT;
	return ws_resolve_text(f->host_fd, (const char *)src, len, follow, t);
}

void
ws_target_close(ws_target *t)
{
	if (t->dirfd >= 0)
		ws_vfs_close(t->dirfd);
	t->dirfd = -1;
}
