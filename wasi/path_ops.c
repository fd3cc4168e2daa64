/* SPDX-License-Identifier: Apache-2.0 */
/*
 * path_ops.c: the preview1 calls that change the tree by path:
 * path_create_directory, path_remove_directory, path_unlink_file,
 * path_symlink, path_readlink, path_rename and path_link.
 *
 * Every path goes through ws_resolve() (resolve.c), which leaves a
 * directory fd beneath the preopen and one name in it; the host call is
 * then the *at() form on that pair, which never follows a link in the
 * name. A trailing slash is the guest's claim that the name is a
 * directory; since the resolver strips it, the errno POSIX gives for a
 * false claim (ENOTDIR, EISDIR, EEXIST) is worked out here.
 */
#include "internal.h"
#include "vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* lstat of the resolved name; a WASI errno. */
static uint32_t
target_stat(const ws_target *t, struct stat *st)
{
	if (ws_vfs_fstatat(t->dirfd, t->name, st, AT_SYMLINK_NOFOLLOW) != 0)
		return ws_errno_from_host(errno);
	return WS_ESUCCESS;
}

/* ENOTDIR when t ends with '/' but names something else than a dir. */
static uint32_t
trailing_slash_ok(const ws_target *t)
{
	struct stat st;
	uint32_t rc;

	if (!t->must_dir)
		return WS_ESUCCESS;
	if ((rc = target_stat(t, &st)) != WS_ESUCCESS)
		return rc;
	return S_ISDIR(st.st_mode) ? WS_ESUCCESS : WS_ENOTDIR;
}

/*
 * The errno for creating a new name that ends with '/' (symlink, link):
 * the slash says "a directory", which these calls never make.
 */
static uint32_t
new_name_slash(const ws_target *t)
{
	struct stat st;
	uint32_t rc = target_stat(t, &st);

	if (rc != WS_ESUCCESS)
		return rc;
	return S_ISDIR(st.st_mode) ? WS_EEXIST : WS_ENOTDIR;
}

/* path_create_directory(fd, path, path_len) */
static uint32_t
path_create_directory(ws_call *c)
{
	ws_target t;
	uint32_t rc =
	    ws_resolve(c, ws_u32(c, 0), WS_RIGHT_PATH_CREATE_DIRECTORY,
	        ws_u32(c, 1), ws_u32(c, 2), false, &t);

	if (rc != WS_ESUCCESS)
		return rc;
	if (ws_vfs_mkdirat(t.dirfd, t.name, 0777) != 0)
		rc = ws_errno_from_host(errno);
	ws_target_close(&t);
	return rc;
}

/* path_remove_directory(fd, path, path_len) */
static uint32_t
path_remove_directory(ws_call *c)
{
	ws_target t;
	uint32_t rc =
	    ws_resolve(c, ws_u32(c, 0), WS_RIGHT_PATH_REMOVE_DIRECTORY,
	        ws_u32(c, 1), ws_u32(c, 2), false, &t);

	if (rc != WS_ESUCCESS)
		return rc;
	if (ws_vfs_unlinkat(t.dirfd, t.name, AT_REMOVEDIR) != 0)
		rc = ws_errno_from_host(errno);
	ws_target_close(&t);
	return rc;
}

/* path_unlink_file(fd, path, path_len): never a directory (EISDIR). */
static uint32_t
path_unlink_file(ws_call *c)
{
	struct stat st;
	ws_target t;
	uint32_t rc = ws_resolve(c, ws_u32(c, 0), WS_RIGHT_PATH_UNLINK_FILE,
	    ws_u32(c, 1), ws_u32(c, 2), false, &t);

	if (rc != WS_ESUCCESS)
		return rc;
	if (t.must_dir && (rc = target_stat(&t, &st)) == WS_ESUCCESS)
		rc = S_ISDIR(st.st_mode) ? WS_EISDIR : WS_ENOTDIR;
	if (rc == WS_ESUCCESS && ws_vfs_unlinkat(t.dirfd, t.name, 0) != 0)
		rc = ws_errno_from_host(errno);
	ws_target_close(&t);
	return rc;
}

/*
 * The link text of path_symlink, copied (own, NUL-terminated). An
 * absolute target would point outside every preopen: ENOTCAPABLE. A
 * relative one may hold "..": the resolver refuses it at use if it
 * climbs too high, as it does a guest's own path.
 */
static uint32_t
link_text(ws_call *c, uint32_t ptr, uint32_t len, char **out)
{
	const uint8_t *src = ws_mem(c, ptr, len);

	*out = NULL;
	if (src == NULL)
		return WS_EFAULT;
	if (len == 0)
		return WS_ENOENT;
	if (len >= PATH_MAX)
		return WS_ENAMETOOLONG;
	if (memchr(src, '\0', len) != NULL)
		return WS_EILSEQ;
	if (src[0] == '/')
		return WS_ENOTCAPABLE;
	if ((*out = malloc((size_t)len + 1)) == NULL)
		return WS_ENOMEM;
	memcpy(*out, src, len);
	(*out)[len] = '\0';
	return WS_ESUCCESS;
}

/* path_symlink(old_path, old_path_len, fd, new_path, new_path_len) */
static uint32_t
path_symlink(ws_call *c)
{
	char *text;
	ws_target t;
	uint32_t rc = link_text(c, ws_u32(c, 0), ws_u32(c, 1), &text);

	if (rc != WS_ESUCCESS)
		return rc;
	rc = ws_resolve(c, ws_u32(c, 2), WS_RIGHT_PATH_SYMLINK, ws_u32(c, 3),
	    ws_u32(c, 4), false, &t);
	if (rc == WS_ESUCCESS) {
		if (t.must_dir)
			rc = new_name_slash(&t);
		else if (ws_vfs_symlinkat(text, t.dirfd, t.name) != 0)
			rc = ws_errno_from_host(errno);
		ws_target_close(&t);
	}
	free(text);
	return rc;
}

/*
 * path_readlink(fd, path, path_len, buf, buf_len, bufused): the link's
 * text, cut at buf_len (without a NUL, as preview1 says).
 */
static uint32_t
path_readlink(ws_call *c)
{
	uint32_t cap = ws_u32(c, 4);
	uint8_t *buf = ws_mem(c, ws_u32(c, 3), cap);
	char text[PATH_MAX];
	ws_target t;
	ssize_t n;
	uint32_t rc;

	if (buf == NULL || ws_mem(c, ws_u32(c, 5), 4) == NULL)
		return WS_EFAULT;
	rc = ws_resolve(c, ws_u32(c, 0), WS_RIGHT_PATH_READLINK, ws_u32(c, 1),
	    ws_u32(c, 2), false, &t);
	if (rc != WS_ESUCCESS)
		return rc;
	n = ws_vfs_readlinkat(t.dirfd, t.name, text, sizeof text);
	if (n < 0)
		rc = ws_errno_from_host(errno);
	else {
		if ((uint32_t)n > cap)
			n = (ssize_t)cap;
		memcpy(buf, text, (size_t)n);
		ws_store_u32(c, ws_u32(c, 5), (uint32_t)n);
	}
	ws_target_close(&t);
	return rc;
}

/*
 * The trailing-slash rules of rename(2) for source from and destination
 * to: a slash on either needs the source to be a directory.
 */
static uint32_t
rename_slashes_ok(const ws_target *from, const ws_target *to)
{
	struct stat st;
	uint32_t rc;

	if (!from->must_dir && !to->must_dir)
		return WS_ESUCCESS;
	if ((rc = target_stat(from, &st)) != WS_ESUCCESS)
		return rc;
	return S_ISDIR(st.st_mode) ? WS_ESUCCESS : WS_ENOTDIR;
}

/* path_rename(fd, old_path, old_path_len, new_fd, new_path, new_len) */
static uint32_t
path_rename(ws_call *c)
{
	ws_target from, to;
	uint32_t rc = ws_resolve(c, ws_u32(c, 0), WS_RIGHT_PATH_RENAME_SOURCE,
	    ws_u32(c, 1), ws_u32(c, 2), false, &from);

	if (rc != WS_ESUCCESS)
		return rc;
	rc = ws_resolve(c, ws_u32(c, 3), WS_RIGHT_PATH_RENAME_TARGET,
	    ws_u32(c, 4), ws_u32(c, 5), false, &to);
	if (rc == WS_ESUCCESS) {
		rc = rename_slashes_ok(&from, &to);
		if (rc == WS_ESUCCESS &&
		    ws_vfs_renameat(from.dirfd, from.name, to.dirfd, to.name) !=
		        0)
			rc = ws_errno_from_host(errno);
		ws_target_close(&to);
	}
	ws_target_close(&from);
	return rc;
}

/*
 * path_link(old_fd, old_flags, old_path, old_path_len, new_fd, new_path,
 * new_path_len): a hard link; old_flags may ask to follow a final link.
 */
static uint32_t
path_link(ws_call *c)
{
	ws_target from, to;
	uint32_t rc =
	    ws_resolve(c, ws_u32(c, 0), WS_RIGHT_PATH_LINK_SOURCE, ws_u32(c, 2),
	        ws_u32(c, 3), ws_u32(c, 1) & WS_LOOKUP_SYMLINK_FOLLOW, &from);

	if (rc != WS_ESUCCESS)
		return rc;
	rc = trailing_slash_ok(&from);
	if (rc == WS_ESUCCESS)
		rc = ws_resolve(c, ws_u32(c, 4), WS_RIGHT_PATH_LINK_TARGET,
		    ws_u32(c, 5), ws_u32(c, 6), false, &to);
	if (rc == WS_ESUCCESS) {
		if (to.must_dir)
			rc = new_name_slash(&to);
		else if (ws_vfs_linkat(
		             from.dirfd, from.name, to.dirfd, to.name) != 0)
			rc = ws_errno_from_host(errno);
		ws_target_close(&to);
	}
	ws_target_close(&from);
	return rc;
}

const ws_fn ws_path_ops_fns[] = {
    {"path_create_directory", "iii", false, path_create_directory},
    {"path_remove_directory", "iii", false, path_remove_directory},
    {"path_unlink_file", "iii", false, path_unlink_file},
    {"path_symlink", "iiiii", false, path_symlink},
    {"path_readlink", "iiiiii", false, path_readlink},
    {"path_rename", "iiiiii", false, path_rename},
    {"path_link", "iiiiiii", false, path_link},
    {NULL, NULL, false, NULL},
};
