/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c: the module store on disk, per tenant, content-addressed.
 *
 * Layout under the state directory:
 *   tenants/<tenant>/modules/<digest>.wasm   the bytes a worker accepted
 *   tenants/<tenant>/modules/<digest>.info   serialized ModuleInfo (no names)
 *   tenants/<tenant>/names/<name>            "<digest>\n"
 * Every file is written atomically: a temp file (".tmp-*") in the same
 * directory, write, fsync, rename, fsync the directory. A module is visible
 * only when its .info exists, and .info is written after .wasm, so a torn
 * push is never seen; stray temp files, and a .wasm without its .info (a
 * push killed between the two), are logged and removed on start.
 *
 * In memory each module is an index entry (sup_module): digest, sizes and
 * creation time, from stat() at start without reading the .info file, so
 * start and list cost the same whatever the metadata. The .info is read
 * only by inspect. A module's metadata is bounded at push (--max-module-info
 * bytes, SUP_MAX_INFO_ENTRIES imports and exports) and its bytes count in
 * the tenant's --max-module-bytes; names count against --max-names.
 *
 * The writes are synchronous (small files, a few fsyncs): acceptable for now
 * on a local disk, and the obvious place for a helper thread later. A
 * module's bytes are the exception (wasmwrite.c): a helper thread writes
 * and syncs its temp file, and the loop only renames it into place.
 */
#include "sup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

/* Imports and exports a module may declare (its metadata's entries). */
#define SUP_MAX_INFO_ENTRIES 100000u

/* snprintf for paths; a path that does not fit is an error, not a cut. */
static int pathf(char *out, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
pathf(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static void
hex_digest(const unsigned char md[32], char out[65])
{
	unsigned i;

	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

void
sup_sha256_hex(const uint8_t *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		abort(); /* libcrypto without sha256 is not a usable system */
	hex_digest(md, out);
}

void
sup_sha256_begin(struct sup_sha256 *h)
{
	h->ctx = EVP_MD_CTX_new();
	if (h->ctx == NULL ||
	    EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		abort(); /* as in sup_sha256_hex() */
}

void
sup_sha256_update(struct sup_sha256 *h, const void *p, size_t n)
{
	if (EVP_DigestUpdate(h->ctx, p, n) != 1)
		abort();
}

void
sup_sha256_end(struct sup_sha256 *h, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (out != NULL) {
		if (EVP_DigestFinal_ex(h->ctx, md, &mdlen) != 1 || mdlen != 32)
			abort();
		hex_digest(md, out);
	}
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

bool
sup_store_is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		        (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

bool
sup_store_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > 128 || name[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		        c == '-'))
			return false;
	}
	return true;
}

int
sup_store_mkdir_p(const char *path, mode_t mode)
{
	char *p = sup_strdup(path), *s;
	int rc = 0;

	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST)
			rc = -1;
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

int
sup_store_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
sup_store_rename_synced(
    const char *tmp, const char *dst, const char *dir, char *err, size_t errlen)
{
	if (rename(tmp, dst) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, dst,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* dst is in place but may not survive a crash: the caller undoes. */
	if (sup_store_fsync_dir(dir) != 0) {
		snprintf(
		    err, errlen, "cannot sync %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Writes dir/name atomically and durably (see the header comment). */
int
sup_store_write_atomic(const char *dir, const char *name, const uint8_t *data,
    size_t len, char *err, size_t errlen)
{
	char tmp[4096], dst[4096];
	int fd;

	pathf(tmp, sizeof(tmp), "%s/.tmp-%s-XXXXXX", dir, name);
	pathf(dst, sizeof(dst), "%s/%s", dir, name);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a file in %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		snprintf(
		    err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return sup_store_rename_synced(tmp, dst, dir, err, errlen);
}

/* own: the contents of path (free()), NUL-terminated; NULL on error. */
uint8_t *
sup_store_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t off = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			close(fd);
			return NULL;
		}
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	*len = off;
	return buf;
}

struct sup_module *
sup_store_find(struct sup_tenant *t, const char *digest)
{
	struct sup_module *m;

	TAILQ_FOREACH(m, &t->modules, entry)
	{
		if (strcmp(m->digest, digest) == 0)
			return m;
	}
	return NULL;
}

static struct sup_name *
name_find(struct sup_tenant *t, const char *name)
{
	struct sup_name *n;

	TAILQ_FOREACH(n, &t->names, entry)
	{
		if (strcmp(n->name, name) == 0)
			return n;
	}
	return NULL;
}

struct sup_module *
sup_store_resolve(
    struct sup_tenant *t, const char *ref, char *err, size_t errlen)
{
	struct sup_module *m, *found = NULL;
	struct sup_name *n;
	size_t len = strlen(ref);

	if (sup_store_is_hex(ref, 64, 64) &&
	    (m = sup_store_find(t, ref)) != NULL)
		return m;
	if ((n = name_find(t, ref)) != NULL &&
	    (m = sup_store_find(t, n->digest)) != NULL)
		return m;
	if (sup_store_is_hex(ref, 12, 63)) {
		TAILQ_FOREACH(m, &t->modules, entry)
		{
			if (strncmp(m->digest, ref, len) != 0)
				continue;
			if (found != NULL) {
				snprintf(err, errlen,
				    "digest prefix %s is ambiguous for "
				    "tenant %s",
				    ref, t->name);
				return NULL;
			}
			found = m;
		}
		if (found != NULL)
			return found;
	}
	snprintf(err, errlen, "no module %s for tenant %s%s", ref, t->name,
	    sup_store_is_hex(ref, 1, 11)
	        ? " (a digest prefix needs at least 12 hex "
	          "digits)"
	        : "");
	return NULL;
}

static struct sup_module *
module_insert(struct sup_tenant *t, const char *digest, uint64_t size,
    uint64_t info_len, uint64_t created_unix)
{
	struct sup_module *m = sup_xcalloc(1, sizeof(*m));

	snprintf(m->digest, sizeof(m->digest), "%s", digest);
	m->size = size;
	m->info_len = info_len;
	m->created_unix = created_unix;
	TAILQ_INSERT_TAIL(&t->modules, m, entry);
	t->nmodules++;
	t->nbytes += size + info_len;
	return m;
}

static void
name_set_memory(struct sup_tenant *t, const char *name, const char *digest)
{
	struct sup_name *n = name_find(t, name);

	if (n == NULL) {
		n = sup_xcalloc(1, sizeof(*n));
		n->name = sup_strdup(name);
		TAILQ_INSERT_TAIL(&t->names, n, entry);
		t->nnames++;
	}
	snprintf(n->digest, sizeof(n->digest), "%s", digest);
}

static int
tenant_dirs(struct sup_tenant *t, char *mods, char *names, size_t size)
{
	pathf(mods, size, "%s/modules", t->dir);
	pathf(names, size, "%s/names", t->dir);
	if (sup_store_mkdir_p(mods, 0700) != 0 ||
	    sup_store_mkdir_p(names, 0700) != 0)
		return -1;
	return 0;
}

/*
 * A new module's files after a failed write (a full disk): a .wasm renamed
 * into place before its .info failed would otherwise stay behind, unseen
 * but taking space. The .info goes first, as in sup_store_remove.
 */
static void
unlink_module_files(const char *mods, const char *digest)
{
	char path[4096];

	pathf(path, sizeof(path), "%s/%s.info", mods, digest);
	unlink(path);
	pathf(path, sizeof(path), "%s/%s.wasm", mods, digest);
	unlink(path);
	sup_store_fsync_dir(mods);
}

/* The ModuleInfo kept beside the bytes: from's, without names. */
static Wasmd__ModuleInfo
info_to_store(const Wasmd__ModuleInfo *from, const char *digest, uint64_t size,
    uint64_t created_unix)
{
	Wasmd__ModuleInfo info = *from;

	info.digest = (char *)digest;
	info.size = size;
	info.n_names = 0;
	info.names = NULL;
	info.created_unix = created_unix;
	/* The snapshot is kept apart (snapshot_store.c), never in .info. */
	info.snapshot_digest = NULL;
	info.snapshot_size = 0;
	return info;
}

/* own: the packed ModuleInfo to keep beside the bytes. */
static uint8_t *
pack_info(const Wasmd__ModuleInfo *from, const char *digest, uint64_t size,
    uint64_t created_unix, size_t *len)
{
	Wasmd__ModuleInfo info =
	    info_to_store(from, digest, size, created_unix);
	uint8_t *buf;

	*len = wasmd__module_info__get_packed_size(&info);
	buf = malloc(*len ? *len : 1);
	if (buf == NULL)
		abort();
	wasmd__module_info__pack(&info, buf);
	return buf;
}

int
sup_store_modules_dir(
    struct sup_tenant *t, char *dir, size_t size, char *err, size_t errlen)
{
	char names[4096];

	if (tenant_dirs(t, dir, names,
	        size < sizeof(names) ? size : sizeof(names)) == 0)
		return 0;
	snprintf(err, errlen, "cannot create %s: %s", t->dir, strerror(errno));
	return -1;
}

/*
 * Renames the synced temp file tmp (wasmwrite.c) to mods/<digest>.wasm
 * and syncs the directory. 0, or -1 with err filled (tmp removed).
 */
static int
place_wasm(const char *mods, const char *digest, const char *tmp, char *err,
    size_t errlen)
{
	char dst[4096];

	if (tmp == NULL) {
		snprintf(err, errlen, "module %s: its bytes were not written",
		    digest);
		return -1;
	}
	pathf(dst, sizeof(dst), "%s/%s.wasm", mods, digest);
	return sup_store_rename_synced(tmp, dst, mods, err, errlen);
}

struct sup_module *
sup_store_add(struct sup *sup, struct sup_tenant *t, const char *wasm_tmp,
    size_t len, const char *digest, const Wasmd__ModuleInfo *info,
    const char *name, char *err, size_t errlen)
{
	char mods[4096], names[4096], file[128], ignored[256];
	struct sup_module *m;
	uint8_t *packed;
	size_t packed_len;
	uint64_t created = (uint64_t)time(NULL);
	bool added = false;

	if (tenant_dirs(t, mods, names, sizeof(mods)) != 0) {
		snprintf(err, errlen, "cannot create %s: %s", t->dir,
		    strerror(errno));
		if (wasm_tmp != NULL)
			unlink(wasm_tmp);
		return NULL;
	}
	m = sup_store_find(t, digest);
	if (m != NULL && wasm_tmp != NULL)
		unlink(wasm_tmp); /* a concurrent push stored it first */
	if (m == NULL) {
		if (place_wasm(mods, digest, wasm_tmp, err, errlen) != 0) {
			unlink_module_files(mods, digest);
			return NULL;
		}
		packed = pack_info(info, digest, len, created, &packed_len);
		snprintf(file, sizeof(file), "%s.info", digest);
		if (sup_store_write_atomic(
		        mods, file, packed, packed_len, err, errlen) != 0) {
			free(packed);
			unlink_module_files(mods, digest);
			return NULL;
		}
		free(packed);
		m = module_insert(t, digest, len, packed_len, created);
		added = true;
	}
	if (name != NULL && name[0] != '\0') {
		char line[66];
		snprintf(line, sizeof(line), "%s\n", digest);
		if (sup_store_write_atomic(names, name, (const uint8_t *)line,
		        65, err, errlen) != 0) {
			/* The push failed as a whole: the store stays as it
			 * was (an old name file is only replaced by rename). */
			if (added)
				sup_store_remove(
				    t, m, ignored, sizeof(ignored));
			return NULL;
		}
		name_set_memory(t, name, digest);
	}
	return m;
}

/* Removes the name's file and frees n. Returns 0, or -1 with err filled. */
static int
name_remove(struct sup_tenant *t, struct sup_name *n, char *err, size_t errlen)
{
	char path[4096];

	pathf(path, sizeof(path), "%s/names/%s", t->dir, n->name);
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(
		    err, errlen, "cannot remove %s: %s", path, strerror(errno));
		return -1;
	}
	TAILQ_REMOVE(&t->names, n, entry);
	t->nnames--;
	free(n->name);
	free(n);
	return 0;
}

int
sup_store_untag(struct sup_tenant *t, const char *ref, struct sup_module **m,
    char *err, size_t errlen)
{
	struct sup_name *n;
	char dir[4096];

	/* A full digest wins over a name, as in sup_store_resolve. */
	if ((sup_store_is_hex(ref, 64, 64) && sup_store_find(t, ref) != NULL) ||
	    (n = name_find(t, ref)) == NULL ||
	    (*m = sup_store_find(t, n->digest)) == NULL)
		return 1;
	if (name_remove(t, n, err, errlen) != 0)
		return -1;
	pathf(dir, sizeof(dir), "%s/names", t->dir);
	sup_store_fsync_dir(dir);
	return 0;
}

bool
sup_store_named(struct sup_tenant *t, const struct sup_module *m)
{
	struct sup_name *n;

	TAILQ_FOREACH(n, &t->names, entry)
	{
		if (strcmp(n->digest, m->digest) == 0)
			return true;
	}
	return false;
}

int
sup_store_remove(
    struct sup_tenant *t, struct sup_module *m, char *err, size_t errlen)
{
	char path[4096];
	struct sup_name *n, *next;

	for (n = TAILQ_FIRST(&t->names); n != NULL; n = next) {
		next = TAILQ_NEXT(n, entry);
		if (strcmp(n->digest, m->digest) == 0 &&
		    name_remove(t, n, err, errlen) != 0)
			return -1;
	}
	/* .info first: without it the module is invisible on the next start. */
	pathf(path, sizeof(path), "%s/modules/%s.info", t->dir, m->digest);
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(
		    err, errlen, "cannot remove %s: %s", path, strerror(errno));
		return -1;
	}
	pathf(path, sizeof(path), "%s/modules/%s.wasm", t->dir, m->digest);
	unlink(path);
	sup_snapshot_drop(t, m);
	pathf(path, sizeof(path), "%s/modules", t->dir);
	sup_store_fsync_dir(path);
	pathf(path, sizeof(path), "%s/names", t->dir);
	sup_store_fsync_dir(path);
	TAILQ_REMOVE(&t->modules, m, entry);
	t->nmodules--;
	t->nbytes -= m->size + m->info_len;
	free(m);
	return 0;
}

int
sup_store_open_wasm(
    struct sup_tenant *t, const struct sup_module *m, char *err, size_t errlen)
{
	char path[4096];
	struct stat st;
	int fd;

	pathf(path, sizeof(path), "%s/modules/%s.wasm", t->dir, m->digest);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(
		    err, errlen, "cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size != m->size) {
		snprintf(err, errlen, "%s has %lld bytes, expected %llu", path,
		    (long long)st.st_size, (unsigned long long)m->size);
		close(fd);
		return -1;
	}
	return fd;
}

/* own: m's names (borrowed strings, in an array to free()); *n of them. */
static char **
module_names(struct sup_tenant *t, const struct sup_module *m, size_t *n)
{
	struct sup_name *name;
	char **names;
	size_t count = 0;

	TAILQ_FOREACH(name, &t->names, entry)
	{
		if (strcmp(name->digest, m->digest) == 0)
			count++;
	}
	names = count ? sup_xcalloc(count, sizeof(char *)) : NULL;
	*n = 0;
	TAILQ_FOREACH(name, &t->names, entry)
	{
		if (strcmp(name->digest, m->digest) == 0)
			names[(*n)++] = name->name;
	}
	return names;
}

Wasmd__ModuleInfo *
sup_store_info(struct sup *sup, struct sup_tenant *t,
    const struct sup_module *m, char *err, size_t errlen)
{
	Wasmd__ModuleInfo *info;
	char path[4096];
	uint8_t *buf;
	size_t len;

	/* Stored before --max-module-info (or under a larger one). */
	if (m->info_len > sup->cfg.max_module_info) {
		snprintf(err, errlen,
		    "the metadata of %s is %llu bytes, above --max-module-info "
		    "%llu: remove the module and push it again",
		    m->digest, (unsigned long long)m->info_len,
		    (unsigned long long)sup->cfg.max_module_info);
		return NULL;
	}
	pathf(path, sizeof(path), "%s/modules/%s.info", t->dir, m->digest);
	buf = sup_store_read_file(path, &len);
	info = buf != NULL ? wasmd__module_info__unpack(NULL, len, buf) : NULL;
	free(buf);
	if (info == NULL) {
		snprintf(err, errlen,
		    "the stored information of %s does not "
		    "read or decode",
		    m->digest);
		return NULL;
	}
	/* Names are borrowed from the tenant; sup_store_info_free drops them. */
	info->names = module_names(t, m, &info->n_names);
	info->snapshot_size = m->snap_size;
	if (m->snap_digest[0] != '\0')
		info->snapshot_digest = sup_strdup(m->snap_digest);
	return info;
}

void
sup_store_summary(
    struct sup_tenant *t, struct sup_module *m, Wasmd__ModuleInfo *out)
{
	wasmd__module_info__init(out);
	out->digest = m->digest;
	out->size = m->size;
	out->created_unix = m->created_unix;
	out->names = module_names(t, m, &out->n_names);
	out->snapshot_size = m->snap_size;
	if (m->snap_digest[0] != '\0')
		out->snapshot_digest = m->snap_digest;
}

void
sup_store_summary_free(Wasmd__ModuleInfo *info)
{
	free(info->names);
	info->names = NULL;
	info->n_names = 0;
}

bool
sup_store_info_ok(struct sup *sup, struct sup_tenant *t,
    const Wasmd__ModuleInfo *info, size_t len, Wasmd__ErrorCode *code,
    char *err, size_t errlen)
{
	const struct sup_config *c = &sup->cfg;
	Wasmd__ModuleInfo stored = info_to_store(info, "", len, 0);
	size_t entries = info->n_imports + info->n_exports;
	/* The digest is not in yet: 64 hex digits and their tag. */
	uint64_t bytes = wasmd__module_info__get_packed_size(&stored) + 66;

	*code = WASMD__ERROR_CODE__ERR_LIMIT;
	if (entries > SUP_MAX_INFO_ENTRIES) {
		snprintf(err, errlen,
		    "the module declares %zu imports and exports; at most %u "
		    "are accepted",
		    entries, SUP_MAX_INFO_ENTRIES);
		return false;
	}
	if (bytes > c->max_module_info) {
		snprintf(err, errlen,
		    "the module's metadata (imports, exports and their types) "
		    "takes %llu bytes, above --max-module-info %llu",
		    (unsigned long long)bytes,
		    (unsigned long long)c->max_module_info);
		return false;
	}
	if (t->nbytes + len + bytes > c->max_module_bytes) {
		snprintf(err, errlen,
		    "tenant %s: module bytes limit %llu reached (%llu stored, "
		    "%zu more pushed with %llu of metadata)",
		    t->name, (unsigned long long)c->max_module_bytes,
		    (unsigned long long)t->nbytes, len,
		    (unsigned long long)bytes);
		return false;
	}
	return true;
}

bool
sup_store_name_room(struct sup *sup, struct sup_tenant *t, const char *name,
    char *err, size_t errlen)
{
	if (name == NULL || name[0] == '\0' || name_find(t, name) != NULL ||
	    t->nnames < sup->cfg.max_names)
		return true;
	snprintf(err, errlen,
	    "tenant %s: name limit %llu reached (--max-names); remove a "
	    "module or reuse a name",
	    t->name, (unsigned long long)sup->cfg.max_names);
	return false;
}

void
sup_store_info_free(Wasmd__ModuleInfo *info)
{
	if (info == NULL)
		return;
	free(info->names);
	info->names = NULL;
	info->n_names = 0;
	wasmd__module_info__free_unpacked(info, NULL);
}

/*
 * Indexes one module from the stat() of its .wasm and .info: the .info is
 * not read (it is read by inspect, whatever its size).
 */
static void
load_module(struct sup_tenant *t, const char *dir, const char *digest)
{
	char path[4096];
	struct stat wasm, info;

	pathf(path, sizeof(path), "%s/%s.wasm", dir, digest);
	if (stat(path, &wasm) != 0) {
		sup_log(SUP_WARNING,
		    "event=store_load tenant=%s digest=%s "
		    "outcome=ignored reason=\"no .wasm beside .info\"",
		    t->name, digest);
		return;
	}
	pathf(path, sizeof(path), "%s/%s.info", dir, digest);
	if (stat(path, &info) != 0)
		return;
	module_insert(t, digest, (uint64_t)wasm.st_size, (uint64_t)info.st_size,
	    (uint64_t)info.st_mtime);
}

/* Removes dir/entry, a leftover of an interrupted write, saying why. */
static void
remove_leftover(
    const char *dir, const char *entry, struct sup_tenant *t, const char *why)
{
	char path[4096];

	pathf(path, sizeof(path), "%s/%s", dir, entry);
	sup_log(SUP_NOTICE,
	    "event=store_load tenant=%s file=%s outcome=removed reason=\"%s\"",
	    t->name, path, why);
	unlink(path);
}

/*
 * A .wasm without its .info: a push killed between writing the two. It was
 * never visible and is nobody's: removed, or it would take space forever.
 */
static void
orphan_wasm(const char *dir, const char *entry, struct sup_tenant *t)
{
	char path[4096];
	struct stat st;

	pathf(path, sizeof(path), "%s/%.64s.info", dir, entry);
	if (stat(path, &st) == 0 || errno != ENOENT)
		return;
	remove_leftover(dir, entry, t,
	    "module bytes without metadata (an interrupted push)");
}

static bool
stray_temp(const char *dir, const char *entry, struct sup_tenant *t)
{
	if (strncmp(entry, ".tmp-", 5) != 0)
		return false;
	remove_leftover(
	    dir, entry, t, "stray temp file of an interrupted write");
	return true;
}

static void
load_modules(struct sup_tenant *t)
{
	char dir[4096], digest[65];
	DIR *d;
	struct dirent *e;

	pathf(dir, sizeof(dir), "%s/modules", t->dir);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' && !stray_temp(dir, e->d_name, t))
			continue;
		if (n == 69 && strcmp(e->d_name + 64, ".wasm") == 0)
			orphan_wasm(dir, e->d_name, t);
		if (n != 69 || strcmp(e->d_name + 64, ".info") != 0)
			continue;
		memcpy(digest, e->d_name, 64);
		digest[64] = '\0';
		if (sup_store_is_hex(digest, 64, 64))
			load_module(t, dir, digest);
	}
	closedir(d);
}

static void
load_names(struct sup_tenant *t)
{
	char dir[4096], path[8192];
	DIR *d;
	struct dirent *e;
	uint8_t *buf;
	size_t len;

	pathf(dir, sizeof(dir), "%s/names", t->dir);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') {
			stray_temp(dir, e->d_name, t);
			continue;
		}
		pathf(path, sizeof(path), "%s/%s", dir, e->d_name);
		buf = sup_store_read_file(path, &len);
		if (buf != NULL && len == 65 && buf[64] == '\n') {
			buf[64] = '\0';
			if (sup_store_find(t, (char *)buf) != NULL &&
			    sup_store_name_ok(e->d_name)) {
				name_set_memory(t, e->d_name, (char *)buf);
				free(buf);
				continue;
			}
		}
		sup_log(SUP_WARNING,
		    "event=store_load tenant=%s name=%s outcome=ignored "
		    "reason=\"does not name a stored module\"",
		    t->name, sup_log_word(e->d_name));
		free(buf);
	}
	closedir(d);
}

int
sup_store_load(struct sup *sup)
{
	char dir[4096];
	DIR *d;
	struct dirent *e;
	struct sup_tenant *t;
	unsigned long tenants = 0, modules = 0;

	pathf(dir, sizeof(dir), "%s/tenants", sup->cfg.state_dir);
	if (sup_store_mkdir_p(dir, 0700) != 0) {
		sup_log(SUP_ERR, "event=store_load dir=%s error=\"%s\"", dir,
		    strerror(errno));
		return -1;
	}
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		t = sup_tenant_by_name(sup, e->d_name);
		load_modules(t);
		sup_snapshot_load(t);
		load_names(t);
		sup_bundle_load(t);
		tenants++;
		modules += t->nmodules;
	}
	closedir(d);
	sup_log(SUP_INFO, "event=store_load dir=%s tenants=%lu modules=%lu",
	    sup->cfg.state_dir, tenants, modules);
	return 0;
}
