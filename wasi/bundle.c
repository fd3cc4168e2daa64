/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bundle.c: in-memory preopens (wasi.h): scratch directories and bundle
 * images loaded into the in-memory tree of vfs.c. The image is untrusted
 * (a tenant uploaded it): every record is bounds-checked and every path
 * component checked before anything is created, and the tree is built
 * with the same one-component calls the guest's own requests use, so an
 * image cannot name anything outside its root.
 */
#include "internal.h"
#include "vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

/* What a guest may do in a read-only bundle: look, never change. */
#define WS_RIGHTS_DIR_RO                                                       \
	(WS_RIGHT_PATH_OPEN | WS_RIGHT_FD_READDIR | WS_RIGHT_PATH_READLINK |   \
	    WS_RIGHT_PATH_FILESTAT_GET | WS_RIGHT_FD_FILESTAT_GET |            \
	    WS_RIGHT_POLL_FD_READWRITE | WS_RIGHT_FD_FDSTAT_SET_FLAGS)
#define WS_RIGHTS_FILE_RO                                                      \
	(WS_RIGHT_FD_READ | WS_RIGHT_FD_SEEK | WS_RIGHT_FD_TELL |              \
	    WS_RIGHT_FD_ADVISE | WS_RIGHT_FD_FILESTAT_GET |                    \
	    WS_RIGHT_POLL_FD_READWRITE | WS_RIGHT_FD_FDSTAT_SET_FLAGS)

/* A reader over the image. */
typedef struct reader {
	const uint8_t *p;
	size_t left;
} reader;

static bool
take(reader *r, void *out, size_t n)
{
	if (r->left < n)
		return false;
	if (out != NULL)
		memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}

/* One record: kind, path (NUL-terminated copy) and data (borrowed). */
typedef struct record {
	char kind;
	char path[PATH_MAX];
	const uint8_t *data;
	uint64_t len;
} record;

static bool
read_record(reader *r, record *rec)
{
	uint8_t b[8];
	size_t plen;

	if (!take(r, &rec->kind, 1) || !take(r, b, 2))
		return false;
	plen = (size_t)ws_get_u16(b);
	if (plen == 0 || plen >= sizeof rec->path || !take(r, rec->path, plen))
		return false;
	if (memchr(rec->path, '\0', plen) != NULL)
		return false;
	rec->path[plen] = '\0';
	if (!take(r, b, 8))
		return false;
	rec->len = ws_get_u64(b);
	if (rec->len > r->left)
		return false;
	rec->data = r->p;
	return take(r, NULL, (size_t)rec->len);
}

/* Is component [s, s + n) acceptable in an image path? */
static bool
component_ok(const char *s, size_t n)
{
	if (n == 0 || n > NAME_MAX)
		return false;
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	return true;
}

/*
 * The directory holding rec's last component, walked from root one
 * component at a time (each an existing directory, never a link):
 * an fd to close, or -1. *name points at the last component.
 */
static int
parent_of(int root, char *path, const char **name, char *err, size_t errlen)
{
	int dir = ws_vfs_dupfd(root), next;
	char *p = path, *slash;

	while (dir >= 0 && (slash = strchr(p, '/')) != NULL) {
		*slash = '\0';
		if (!component_ok(p, strlen(p))) {
			snprintf(
			    err, errlen, "bad path component \"%.200s\"", p);
			next = -1;
		} else if ((next = ws_vfs_openat(dir, p,
		                O_PATH | O_DIRECTORY | O_NOFOLLOW, 0)) < 0)
			snprintf(err, errlen,
			    "%.200s: parent is not a directory "
			    "listed before it",
			    path);
		*slash = '/';
		ws_vfs_close(dir);
		dir = next;
		p = slash + 1;
	}
	if (dir >= 0 && !component_ok(p, strlen(p))) {
		snprintf(err, errlen, "bad path component \"%.200s\"", p);
		ws_vfs_close(dir);
		dir = -1;
	}
	*name = p;
	return dir;
}

/* Creates what rec describes in directory dir as name. */
static bool
create_entry(int dir, const char *name, const record *rec)
{
	char target[PATH_MAX];
	int fd;
	bool ok;

	switch (rec->kind) {
	case 'd': return ws_vfs_mkdirat(dir, name, 0755) == 0;
	case 'l':
		if (rec->len == 0 || rec->len >= sizeof target ||
		    memchr(rec->data, '\0', (size_t)rec->len) != NULL) {
			errno = EINVAL;
			return false;
		}
		memcpy(target, rec->data, (size_t)rec->len);
		target[rec->len] = '\0';
		return ws_vfs_symlinkat(target, dir, name) == 0;
	case 'f':
		fd =
		    ws_vfs_openat(dir, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return false;
		ok = ws_vfs_pwrite(fd, rec->data, (size_t)rec->len, 0) ==
		    (ssize_t)rec->len;
		ws_vfs_close(fd);
		return ok;
	default: errno = EINVAL; return false;
	}
}

/* Loads every record of the image into directory root. */
static bool
load_image(int root, const uint8_t *image, size_t len, char *err, size_t errlen)
{
	const size_t mlen = sizeof WS_BUNDLE_MAGIC - 1;
	reader r = {image, len};
	record rec;
	const char *name;
	int dir;

	if (len < mlen || memcmp(image, WS_BUNDLE_MAGIC, mlen) != 0) {
		snprintf(err, errlen, "not a bundle image (bad magic)");
		return false;
	}
	take(&r, NULL, mlen);
	while (r.left > 0) {
		if (!read_record(&r, &rec)) {
			snprintf(err, errlen,
			    "truncated or malformed bundle record");
			return false;
		}
		if ((dir = parent_of(root, rec.path, &name, err, errlen)) < 0)
			return false;
		if (!create_entry(dir, name, &rec)) {
			snprintf(err, errlen, "%.200s: %s", rec.path,
			    errno == EINVAL ? "bad record" : strerror(errno));
			ws_vfs_close(dir);
			return false;
		}
		ws_vfs_close(dir);
	}
	return true;
}

void
ws_ctx_set_max_file_bytes(ws_ctx *ctx, uint64_t max)
{
	ctx->files.max = max;
}

bool
ws_ctx_add_scratch(ws_ctx *ctx, const char *guest, char *err, size_t errlen)
{
	int root = ws_vfs_mem_root(&ctx->files);

	if (root < 0 ||
	    !ws_ctx_add_preopen_fd(
	        ctx, root, guest, WS_RIGHTS_DIR, WS_RIGHTS_INHERITED)) {
		snprintf(err, errlen, "%s: out of memory or fds", guest);
		return false;
	}
	return true;
}

bool
ws_ctx_add_bundle(ws_ctx *ctx, const char *guest, const uint8_t *image,
    size_t len, bool writable, char *err, size_t errlen)
{
	int root = ws_vfs_mem_root(&ctx->files);
	char why[256] = "";

	if (root < 0) {
		snprintf(err, errlen, "%s: out of memory", guest);
		return false;
	}
	if (!load_image(root, image, len, why, sizeof why)) {
		snprintf(err, errlen, "bundle for %s: %s", guest, why);
		ws_vfs_close(root);
		return false;
	}
	if (!ws_ctx_add_preopen_fd(ctx, root, guest,
	        writable ? WS_RIGHTS_DIR : WS_RIGHTS_DIR_RO,
	        writable ? WS_RIGHTS_INHERITED
	                 : WS_RIGHTS_DIR_RO | WS_RIGHTS_FILE_RO)) {
		snprintf(err, errlen, "%s: out of memory or fds", guest);
		return false;
	}
	return true;
}
