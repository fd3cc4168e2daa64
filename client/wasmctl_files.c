/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmctl_files.c: the --files, --files-rw and --scratch options of
 * `wasmctl run` and the directory upload of `wasmctl bundle push`
 * (wasmctl_files.h), on libwasmd-client's bundle calls.
 */
#include "wasmctl_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does src name a local directory rather than a stored bundle? */
static bool
is_local_dir(const char *src)
{
	return strchr(src, '/') != NULL || strcmp(src, ".") == 0 ||
	    strcmp(src, "..") == 0;
}

int
wasmctl_files_add(wasmctl_files *f, const char *spec, wasmctl_mount_kind kind,
    char *err, size_t errlen)
{
	const char *sep = strstr(spec, "::");
	wasmd_mount *v, *m;

	if (kind != WASMCTL_SCRATCH && (sep == NULL || sep == spec)) {
		snprintf(err, errlen,
		    "%s: expected SRC::GUEST (a directory with a / in it, or "
		    "a bundle's digest; then the directory the guest sees)",
		    spec);
		return -1;
	}
	if ((kind == WASMCTL_SCRATCH ? spec : sep + 2)[0] == '\0') {
		snprintf(err, errlen, "%s: no guest directory name", spec);
		return -1;
	}
	v = realloc(f->mounts, (f->n + 1) * sizeof *v);
	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->mounts = v;
	m = &f->mounts[f->n];
	memset(m, 0, sizeof *m);
	m->writable = kind != WASMCTL_FILES_RO;
	if (kind == WASMCTL_SCRATCH)
		m->guest = strdup(spec);
	else {
		m->bundle = strndup(spec, (size_t)(sep - spec));
		m->guest = strdup(sep + 2);
	}
	f->n++;
	if (m->guest == NULL ||
	    (kind != WASMCTL_SCRATCH && m->bundle == NULL)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
wasmctl_files_push(wasmd_conn *conn, const char *dir, char digest[65],
    char *err, size_t errlen)
{
	void *image = NULL;
	size_t len = 0;
	wasmd_error rc = wasmd_bundle_pack(dir, &image, &len, err, errlen);

	if (rc != WASMD_OK)
		return -1;
	rc = wasmd_push_bundle(conn, image, len, digest);
	free(image);
	if (rc != WASMD_OK) {
		snprintf(err, errlen, "bundle %s: %s", dir,
		    wasmd_errmsg(conn)[0] ? wasmd_errmsg(conn)
		                          : wasmd_strerror(rc));
		return -1;
	}
	return 0;
}

int
wasmctl_files_resolve(wasmctl_files *f, wasmd_conn *conn,
    wasmd_invoke_options *opts, char *err, size_t errlen)
{
	char digest[65];

	for (size_t i = 0; i < f->n; i++) {
		wasmd_mount *m = &f->mounts[i];
		char *ref;

		if (m->bundle == NULL || !is_local_dir(m->bundle))
			continue;
		if (wasmctl_files_push(conn, m->bundle, digest, err, errlen) <
		    0)
			return -1;
		if ((ref = strdup(digest)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		free((char *)m->bundle);
		m->bundle = ref;
	}
	opts->mounts = f->mounts;
	opts->nmounts = f->n;
	return 0;
}

void
wasmctl_files_free(wasmctl_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free((char *)f->mounts[i].bundle);
		free((char *)f->mounts[i].guest);
	}
	free(f->mounts);
	f->mounts = NULL;
	f->n = 0;
}
