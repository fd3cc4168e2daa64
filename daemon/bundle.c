/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bundle.c: bundles, trees of files a tenant uploads once and mounts into
 * its WASI guests (sup.h). A bundle is an image (the format of
 * wasi/wasi.h's WS_BUNDLE_MAGIC) stored as STATE/tenants/<tenant>/bundles/
 * <sha256> with the module store's atomic writes, so it survives kill -9
 * as modules do, and a retried upload of the same tree is one file.
 *
 * Isolation: a tenant's bundles are in its own directory and list; a ref
 * is resolved only there, so no tenant reaches another's. Quota: a
 * bundle's bytes count in the tenant's stored bytes (--max-module-bytes)
 * with its modules. The supervisor never parses an image: it is opaque
 * bytes here, checked by the worker that mounts it (in its sandbox, in
 * memory: wasi/bundle.c), so a malformed one fails that invoke only.
 */
#include "sup.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The tenant's bundle directory (created), or -1 with errno set. */
static int
bundle_dir(const struct sup_tenant *t, char *dir, size_t size)
{
	int n = snprintf(dir, size, "%s/bundles", t->dir);

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return sup_store_mkdir_p(dir, 0700);
}

static struct sup_bundle *
bundle_insert(struct sup_tenant *t, const char *digest, uint64_t size)
{
	struct sup_bundle *b = calloc(1, sizeof *b);

	if (b == NULL)
		return NULL;
	snprintf(b->digest, sizeof b->digest, "%.64s", digest);
	b->size = size;
	TAILQ_INSERT_TAIL(&t->bundles, b, entry);
	t->nbytes += size;
	return b;
}

static void
bundle_forget(struct sup_tenant *t, struct sup_bundle *b)
{
	TAILQ_REMOVE(&t->bundles, b, entry);
	t->nbytes -= b->size;
	free(b);
}

void
sup_bundles_free(struct sup_tenant *t)
{
	struct sup_bundle *b;

	while ((b = TAILQ_FIRST(&t->bundles)) != NULL) {
		TAILQ_REMOVE(&t->bundles, b, entry);
		free(b);
	}
}

/* A bundle by digest or unique prefix of 12+ hex digits; NULL + err. */
static struct sup_bundle *
bundle_resolve(struct sup_tenant *t, const char *ref, char *err, size_t errlen)
{
	struct sup_bundle *b, *found = NULL;
	size_t len = strlen(ref);

	if (!sup_store_is_hex(ref, 12, 64)) {
		snprintf(err, errlen,
		    "bad bundle ref \"%.80s\": a digest, or 12 or more of its "
		    "first hex digits",
		    ref);
		return NULL;
	}
	TAILQ_FOREACH(b, &t->bundles, entry)
	{
		if (strncmp(b->digest, ref, len) != 0)
			continue;
		if (found != NULL) {
			snprintf(
			    err, errlen, "bundle ref %s is ambiguous", ref);
			return NULL;
		}
		found = b;
	}
	if (found == NULL)
		snprintf(
		    err, errlen, "no bundle %s for tenant %s", ref, t->name);
	return found;
}

void
sup_bundle_load(struct sup_tenant *t)
{
	char dir[4096], path[8192];
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (snprintf(dir, sizeof dir, "%s/bundles", t->dir) >=
	        (int)sizeof dir ||
	    (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (strncmp(e->d_name, ".tmp-", 5) == 0) {
			/* An upload killed before its rename: never seen. */
			sup_log(SUP_NOTICE,
			    "event=store_load tenant=%s file=%s "
			    "outcome=removed reason=\"stray temp file of an "
			    "interrupted write\"",
			    t->name, sup_log_word(path));
			unlink(path);
			continue;
		}
		if (e->d_name[0] == '.' ||
		    !sup_store_is_hex(e->d_name, 64, 64) ||
		    stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		bundle_insert(t, e->d_name, (uint64_t)st.st_size);
	}
	closedir(d);
}

/* Room for a new bundle of len bytes? false with err filled. */
static bool
bundle_quota_ok(const struct sup_tenant *t, const struct sup_config *c,
    size_t len, char *err, size_t errlen)
{
	if (t->nbytes + len <= c->max_module_bytes)
		return true;
	snprintf(err, errlen,
	    "tenant %s: stored bytes limit %llu reached (%llu stored by "
	    "modules and bundles, %zu more pushed; see --max-module-bytes)",
	    t->name, (unsigned long long)c->max_module_bytes,
	    (unsigned long long)t->nbytes, len);
	return false;
}

static void
reply_bundle(struct sup_session *s, uint64_t id, const struct sup_bundle *b)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__BundleInfo info = WASMD__BUNDLE_INFO__INIT;

	info.digest = (char *)b->digest; /* protobuf-c only reads it */
	info.size = b->size;
	env.msg_case = WASMD__ENVELOPE__MSG_BUNDLE_INFO;
	env.bundle_info = &info;
	sup_session_send(s, &env, id);
}

void
sup_bundle_push(struct sup_session *s, uint64_t id, const Wasmd__PushBundle *pb)
{
	struct sup_tenant *t = s->tenant;
	char dir[4096], digest[65], err[512];
	struct sup_bundle *b;

	sup_sha256_hex(pb->image.data, pb->image.len, digest);
	TAILQ_FOREACH(b, &t->bundles, entry)
	{
		if (strcmp(b->digest, digest) == 0) {
			reply_bundle(s, id, b); /* stored once */
			return;
		}
	}
	if (!bundle_quota_ok(t, &s->sup->cfg, pb->image.len, err, sizeof err)) {
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_LIMIT, "%s", err);
		return;
	}
	if (bundle_dir(t, dir, sizeof dir) != 0) {
		sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_INTERNAL,
		    "cannot create %s/bundles: %s", t->dir, strerror(errno));
		return;
	}
	if (sup_store_write_atomic(dir, digest, pb->image.data, pb->image.len,
	        err, sizeof err) != 0) {
		snprintf(
		    dir + strlen(dir), sizeof dir - strlen(dir), "/%s", digest);
		unlink(dir);
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_INTERNAL, "%s", err);
		return;
	}
	if ((b = bundle_insert(t, digest, pb->image.len)) == NULL) {
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_INTERNAL, "out of memory");
		return;
	}
	sup_log(SUP_INFO, "event=push_bundle tenant=%s digest=%s size=%zu",
	    t->name, digest, pb->image.len);
	reply_bundle(s, id, b);
}

void
sup_bundle_remove(
    struct sup_session *s, uint64_t id, const Wasmd__RemoveBundle *rb)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Ok ok = WASMD__OK__INIT;
	char err[512], dir[4096], path[4200];
	struct sup_bundle *b =
	    bundle_resolve(s->tenant, rb->ref ? rb->ref : "", err, sizeof err);

	if (b == NULL) {
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_NOT_FOUND, "%s", err);
		return;
	}
	if (bundle_dir(s->tenant, dir, sizeof dir) != 0 ||
	    (snprintf(path, sizeof path, "%s/%s", dir, b->digest),
	        unlink(path) != 0 && errno != ENOENT)) {
		sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_INTERNAL,
		    "cannot remove bundle %s: %s", b->digest, strerror(errno));
		return;
	}
	sup_store_fsync_dir(dir);
	sup_log(SUP_INFO, "event=remove_bundle tenant=%s digest=%s",
	    s->tenant->name, b->digest);
	bundle_forget(s->tenant, b);
	env.msg_case = WASMD__ENVELOPE__MSG_OK;
	env.ok = &ok;
	sup_session_send(s, &env, id);
}

void
sup_bundle_mounts_free(Wasmd__Mount **m, size_t n)
{
	for (size_t i = 0; m != NULL && i < n; i++) {
		if (m[i] == NULL)
			continue;
		free(m[i]->image.data);
		free(m[i]);
	}
	free(m);
}

/* The worker's copy of mount in (its image read); NULL + err. */
static Wasmd__Mount *
mount_copy(struct sup_tenant *t, const Wasmd__Mount *in, char *err,
    size_t errlen, Wasmd__ErrorCode *code)
{
	char dir[4096], path[4200];
	Wasmd__Mount *m = calloc(1, sizeof *m);
	struct sup_bundle *b;

	*code = WASMD__ERROR_CODE__ERR_INTERNAL;
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	wasmd__mount__init(m);
	m->guest = in->guest; /* borrowed from the request */
	m->writable = in->writable;
	m->bundle = in->bundle;
	if (in->guest == NULL || in->guest[0] == '\0') {
		*code = WASMD__ERROR_CODE__ERR_BAD_REQUEST;
		snprintf(err, errlen, "a mount needs a guest directory name");
		free(m);
		return NULL;
	}
	if (in->bundle == NULL || in->bundle[0] == '\0')
		return m; /* scratch */
	if ((b = bundle_resolve(t, in->bundle, err, errlen)) == NULL) {
		*code = WASMD__ERROR_CODE__ERR_NOT_FOUND;
		free(m);
		return NULL;
	}
	snprintf(dir, sizeof dir, "%s/bundles", t->dir);
	snprintf(path, sizeof path, "%s/%s", dir, b->digest);
	m->image.data = sup_store_read_file(path, &m->image.len);
	if (m->image.data == NULL) {
		snprintf(err, errlen, "cannot read bundle %s: %s", b->digest,
		    strerror(errno));
		free(m);
		return NULL;
	}
	return m;
}

bool
sup_bundle_mounts(struct sup_session *s, uint64_t id, const Wasmd__Invoke *inv,
    Wasmd__Mount ***out, size_t *n)
{
	Wasmd__ErrorCode code;
	char err[512];

	*out = NULL;
	*n = 0;
	if (inv->n_mounts == 0)
		return true;
	if ((*out = calloc(inv->n_mounts, sizeof **out)) == NULL) {
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_INTERNAL, "out of memory");
		return false;
	}
	for (; *n < inv->n_mounts; (*n)++) {
		(*out)[*n] = mount_copy(
		    s->tenant, inv->mounts[*n], err, sizeof err, &code);
		if ((*out)[*n] == NULL) {
			sup_bundle_mounts_free(*out, *n);
			*out = NULL;
			*n = 0;
			sup_session_fail(s, id, code, "%s", err);
			return false;
		}
	}
	return true;
}
