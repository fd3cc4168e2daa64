/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bundle.c: bundles in libwasmd-client (client.h): packing a host
 * directory into a bundle image (the format of wasi/wasi.h's
 * WS_BUNDLE_MAGIC), pushing and removing bundles, and an invoke's mounts.
 *
 * The image lists a directory before what it holds and the entries of a
 * directory sorted by name (bytewise), so the same tree always gives the
 * same bytes and the daemon stores it once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define BUNDLE_MAGIC "WSBUNDLE1\n" /* wasi/wasi.h's WS_BUNDLE_MAGIC */

/* A growing image. */
typedef struct image {
	uint8_t *p; /* own */
	size_t len, cap;
	bool nomem;
	char *err; /* borrowed: the caller's message buffer */
	size_t errlen;
} image;

static void
put(image *im, const void *data, size_t n)
{
	if (im->nomem || n == 0)
		return;
	if (im->len + n > im->cap) {
		size_t cap = im->cap ? im->cap : 4096;
		uint8_t *v;

		while (cap < im->len + n)
			cap *= 2;
		if ((v = realloc(im->p, cap)) == NULL) {
			im->nomem = true;
			return;
		}
		im->p = v;
		im->cap = cap;
	}
	memcpy(im->p + im->len, data, n);
	im->len += n;
}

static void
put_le(image *im, uint64_t v, size_t bytes)
{
	uint8_t b[8];

	for (size_t i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(im, b, bytes);
}

/* One record: kind, path, data. */
static void
put_record(image *im, char kind, const char *path, const void *data, size_t len)
{
	put(im, &kind, 1);
	put_le(im, strlen(path), 2);
	put(im, path, strlen(path));
	put_le(im, len, 8);
	put(im, data, len);
}

/* Appends the bytes of host file path as record rel. */
static bool
put_file(image *im, const char *path, const char *rel, const struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	uint8_t *buf;
	size_t off = 0, size = (size_t)st->st_size;
	bool ok = true;

	if (fd < 0) {
		snprintf(im->err, im->errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	if ((buf = malloc(size ? size : 1)) == NULL) {
		close(fd);
		im->nomem = true;
		return false;
	}
	while (ok && off < size) {
		ssize_t n = read(fd, buf + off, size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(im->err, im->errlen, "%s: %s", path,
			    n < 0 ? strerror(errno) : "changed while read");
			ok = false;
		} else
			off += (size_t)n;
	}
	close(fd);
	if (ok)
		put_record(im, 'f', rel, buf, size);
	free(buf);
	return ok;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static bool put_dir(image *im, const char *path, const char *rel);

/* Appends the entry name of host directory path (rel inside the image). */
static bool
put_entry(image *im, const char *path, const char *rel, const char *name)
{
	char full[PATH_MAX], sub[PATH_MAX], target[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (snprintf(full, sizeof full, "%s/%s", path, name) >=
	        (int)sizeof full ||
	    snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", name) >=
	        (int)sizeof sub ||
	    strlen(sub) > UINT16_MAX) {
		snprintf(
		    im->err, im->errlen, "%s/%s: path too long", path, name);
		return false;
	}
	if (lstat(full, &st) != 0) {
		snprintf(im->err, im->errlen, "%s: %s", full, strerror(errno));
		return false;
	}
	if (S_ISREG(st.st_mode))
		return put_file(im, full, sub, &st);
	if (S_ISDIR(st.st_mode)) {
		put_record(im, 'd', sub, NULL, 0);
		return put_dir(im, full, sub);
	}
	if (S_ISLNK(st.st_mode)) {
		if ((n = readlink(full, target, sizeof target)) <= 0 ||
		    (size_t)n == sizeof target) {
			snprintf(im->err, im->errlen,
			    "%s: cannot read the link", full);
			return false;
		}
		put_record(im, 'l', sub, target, (size_t)n);
		return true;
	}
	snprintf(im->err, im->errlen,
	    "%s: not a file, directory or symbolic link (a bundle holds "
	    "only those)",
	    full);
	return false;
}

/* Appends what host directory path holds, sorted by name. */
static bool
put_dir(image *im, const char *path, const char *rel)
{
	struct dirent **names;
	int n = scandir(path, &names, NULL, by_name);
	bool ok = true;

	if (n < 0) {
		snprintf(im->err, im->errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (ok && strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
			ok = put_entry(im, path, rel, name);
		free(names[i]);
	}
	free(names);
	return ok && !im->nomem;
}

wasmd_error
wasmd_bundle_pack(
    const char *dir, void **out, size_t *len, char *err, size_t errlen)
{
	image im = {.err = err, .errlen = errlen};
	struct stat st;

	*out = NULL;
	*len = 0;
	err[0] = '\0';
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return WASMD_ERR_INVALID;
	}
	put(&im, BUNDLE_MAGIC, sizeof BUNDLE_MAGIC - 1);
	if (!put_dir(&im, dir, "") || im.nomem) {
		if (im.nomem)
			snprintf(err, errlen, "out of memory");
		free(im.p);
		return im.nomem ? WASMD_ERR_NOMEM : WASMD_ERR_INVALID;
	}
	*out = im.p;
	*len = im.len;
	return WASMD_OK;
}

wasmd_error
wasmd_push_bundle(
    wasmd_conn *conn, const void *data, size_t len, char digest[65])
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply = NULL;
	Wasmd__PushBundle push = WASMD__PUSH_BUNDLE__INIT;
	wasmd_error rc;

	if (conn == NULL)
		return WASMD_ERR_INVALID;
	if (data == NULL && len > 0)
		return wc_fail(
		    conn, WASMD_ERR_INVALID, "wasmd_push_bundle: no image");
	push.image.data = (uint8_t *)data; /* protobuf-c only reads it */
	push.image.len = len;
	env.msg_case = WASMD__ENVELOPE__MSG_PUSH_BUNDLE;
	env.push_bundle = &push;
	rc = wc_request(conn, &env, WASMD__ENVELOPE__MSG_BUNDLE_INFO, &reply);
	if (rc != WASMD_OK)
		return rc;
	if (digest != NULL)
		snprintf(digest, 65, "%s",
		    reply->bundle_info->digest ? reply->bundle_info->digest
		                               : "");
	wasmd__envelope__free_unpacked(reply, NULL);
	return WASMD_OK;
}

wasmd_error
wasmd_remove_bundle(wasmd_conn *conn, const char *ref)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply = NULL;
	Wasmd__RemoveBundle rb = WASMD__REMOVE_BUNDLE__INIT;
	wasmd_error rc;

	if (conn == NULL)
		return WASMD_ERR_INVALID;
	if (ref == NULL)
		return wc_fail(
		    conn, WASMD_ERR_INVALID, "wasmd_remove_bundle: no ref");
	rb.ref = (char *)ref;
	env.msg_case = WASMD__ENVELOPE__MSG_REMOVE_BUNDLE;
	env.remove_bundle = &rb;
	rc = wc_request(conn, &env, WASMD__ENVELOPE__MSG_OK, &reply);
	if (rc == WASMD_OK)
		wasmd__envelope__free_unpacked(reply, NULL);
	return rc;
}

wasmd_error
wc_mounts_request(wasmd_conn *conn, struct wc_invoke_req *req,
    const wasmd_invoke_options *opts)
{
	size_t n;

	if (opts == NULL ||
	    opts->size < offsetof(wasmd_invoke_options, nmounts) +
	            sizeof opts->nmounts ||
	    opts->nmounts == 0)
		return WASMD_OK;
	n = opts->nmounts;
	if (opts->mounts == NULL)
		return wc_fail(conn, WASMD_ERR_INVALID,
		    "invoke options: nmounts without mounts");
	req->mounts = calloc(n, sizeof *req->mounts);
	req->mount_ptrs = calloc(n, sizeof *req->mount_ptrs);
	if (req->mounts == NULL || req->mount_ptrs == NULL)
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const wasmd_mount *m = &opts->mounts[i];

		if (m->guest == NULL || m->guest[0] == '\0')
			return wc_fail(conn, WASMD_ERR_INVALID,
			    "mount %zu: no guest directory name", i);
		wasmd__mount__init(&req->mounts[i]);
		/* protobuf-c only reads these while packing. */
		req->mounts[i].bundle = (char *)(m->bundle ? m->bundle : "");
		req->mounts[i].guest = (char *)m->guest;
		req->mounts[i].writable = m->writable;
		req->mount_ptrs[i] = &req->mounts[i];
	}
	req->inv.n_mounts = n;
	req->inv.mounts = req->mount_ptrs;
	return WASMD_OK;
}
