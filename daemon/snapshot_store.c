/* SPDX-License-Identifier: Apache-2.0 */
/*
 * snapshot_store.c: modules' pre-initialized snapshots on disk, per tenant,
 * beside the module store (store.c).
 *
 * Layout under the tenant's directory:
 *   snapshots/<module digest>.<snapshot digest>   the bytes a worker made
 * A module has at most one snapshot. The file is named by both digests
 * (content-addressed) and written like a module, off the event loop
 * (wasmwrite.c: temp file, fsync; then here: rename, fsync the
 * directory); a new snapshot replaces the old file only once it is in
 * place. The bytes count in the tenant's --max-module-bytes. They come
 * from the worker as a memfd, never through the supervisor's heap
 * (snapfd.c).
 *
 * The supervisor never parses a snapshot: it stores what a worker made and
 * hands it back to a worker, which checks every byte on load (format
 * version, checksum, the hash of the exact module bytes) and refuses a
 * damaged file with an error, so a corrupted file on disk is never trusted.
 * On start each snapshot is indexed from its name and stat() alone;
 * snapshots of modules that are gone and stray temp files are removed.
 */
#include "sup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "<64 hex>.<64 hex>": the length of a snapshot's file name. */
#define SNAP_NAME_LEN 129

static void
snapshots_dir(const struct sup_tenant *t, char *out, size_t size)
{
	snprintf(out, size, "%s/snapshots", t->dir);
}

static void
snapshot_path(const struct sup_tenant *t, const char *module, const char *snap,
    char *out, size_t size)
{
	snprintf(out, size, "%s/snapshots/%s.%s", t->dir, module, snap);
}

/* Forgets m's snapshot in memory (its file is the caller's business). */
static void
forget(struct sup_tenant *t, struct sup_module *m)
{
	t->nbytes -= m->snap_size;
	m->snap_digest[0] = '\0';
	m->snap_size = 0;
}

void
sup_snapshot_drop(struct sup_tenant *t, struct sup_module *m)
{
	char path[4096], dir[4096];

	if (m->snap_digest[0] == '\0')
		return;
	snapshot_path(t, m->digest, m->snap_digest, path, sizeof path);
	unlink(path);
	snapshots_dir(t, dir, sizeof dir);
	sup_store_fsync_dir(dir);
	forget(t, m);
}

int
sup_snapshot_dir(
    struct sup_tenant *t, char *dir, size_t size, char *err, size_t errlen)
{
	snapshots_dir(t, dir, size);
	if (sup_store_mkdir_p(dir, 0700) == 0)
		return 0;
	snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
	return -1;
}

int
sup_snapshot_put(struct sup_tenant *t, struct sup_module *m, const char *tmp,
    const char *digest, uint64_t len, char *err, size_t errlen)
{
	char dir[4096], path[4096];

	snapshots_dir(t, dir, sizeof dir);
	snapshot_path(t, m->digest, digest, path, sizeof path);
	/* Renamed even when the digest is the same: the file on disk may be
	 * the damaged copy a worker refused. */
	if (sup_store_rename_synced(tmp, path, dir, err, errlen) != 0)
		return -1;
	if (strcmp(digest, m->snap_digest) == 0)
		forget(t, m); /* the same file, rewritten */
	else
		sup_snapshot_drop(t, m); /* the old one, now the new is in */
	snprintf(m->snap_digest, sizeof m->snap_digest, "%s", digest);
	m->snap_size = len;
	t->nbytes += len;
	return 0;
}

int
sup_snapshot_open(struct sup_tenant *t, const struct sup_module *m,
    const char *snap, char *err, size_t errlen)
{
	char path[4096];
	struct stat st;
	int fd;

	if (strcmp(m->snap_digest, snap) != 0) {
		snprintf(err, errlen,
		    "the snapshot of module %s changed while the invoke "
		    "waited: invoke it again",
		    m->digest);
		return -1;
	}
	snapshot_path(t, m->digest, m->snap_digest, path, sizeof path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen,
		    "cannot read the snapshot of module %s: %s (push the "
		    "module again to remake it, or run it with "
		    "--no-snapshot)",
		    m->digest, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size != m->snap_size) {
		snprintf(err, errlen,
		    "the stored snapshot of module %s is refused: its file "
		    "is %lld bytes, not the %llu stored (push the module "
		    "again to remake it, or run with --no-snapshot)",
		    m->digest, (long long)st.st_size,
		    (unsigned long long)m->snap_size);
		close(fd);
		return -1;
	}
	return fd;
}

/* Removes one file of the snapshots directory at start, saying why. */
static void
remove_file(const struct sup_tenant *t, const char *dir, const char *name,
    const char *why)
{
	char path[8192];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	sup_log(SUP_WARNING,
	    "event=store_load tenant=%s file=%s outcome=removed reason=\"%s\"",
	    t->name, sup_log_word(path), why);
	unlink(path);
}

/* Indexes the snapshot file name, or removes it; false when removed. */
static bool
load_one(struct sup_tenant *t, const char *dir, const char *name)
{
	char module[65], snap[65], path[8192];
	struct sup_module *m;
	struct stat st;

	if (strlen(name) != SNAP_NAME_LEN || name[64] != '.')
		return false; /* not ours: left alone */
	memcpy(module, name, 64);
	module[64] = '\0';
	memcpy(snap, name + 65, 65);
	if (!sup_store_is_hex(module, 64, 64) ||
	    !sup_store_is_hex(snap, 64, 64))
		return false;
	m = sup_store_find(t, module);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (m == NULL || m->snap_digest[0] != '\0' || stat(path, &st) != 0) {
		/* Two: a crash between writing a new one and removing the
		 * old. Either is a valid snapshot of the module. */
		remove_file(t, dir, name,
		    m == NULL ? "a snapshot of a module that is gone"
		              : "a second snapshot of one module");
		return false;
	}
	snprintf(m->snap_digest, sizeof m->snap_digest, "%s", snap);
	m->snap_size = (uint64_t)st.st_size;
	t->nbytes += m->snap_size;
	return true;
}

void
sup_snapshot_load(struct sup_tenant *t)
{
	char dir[4096];
	struct dirent *e;
	DIR *d;

	snapshots_dir(t, dir, sizeof dir);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strncmp(e->d_name, ".tmp-", 5) == 0)
			remove_file(t, dir, e->d_name,
			    "stray temp file of an interrupted write");
		else
			load_one(t, dir, e->d_name);
	}
	closedir(d);
}
