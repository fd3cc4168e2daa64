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
 * push is never seen; stray temp files are logged and removed on start.
 *
 * The writes are synchronous (small files, a few fsyncs): acceptable for now
 * on a local disk, and the obvious place for a helper thread later.
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

void
sup_sha256_hex(const uint8_t *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		abort(); /* libcrypto without sha256 is not a usable system */
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

static bool
is_hex(const char *s, size_t min, size_t max)
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

static int
mkdir_p(const char *path, mode_t mode)
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

static int
fsync_dir(const char *dir)
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

/* Writes dir/name atomically and durably (see the header comment). */
static int
write_atomic(const char *dir, const char *name, const uint8_t *data, size_t len,
    char *err, size_t errlen)
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
	if (rename(tmp, dst) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, dst,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* dst is in place but may not survive a crash: the caller undoes. */
	if (fsync_dir(dir) != 0) {
		snprintf(
		    err, errlen, "cannot sync %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* own: the contents of path (free()), NUL-terminated; NULL on error. */
static uint8_t *
read_file(const char *path, size_t *len)
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

	if (is_hex(ref, 64, 64) && (m = sup_store_find(t, ref)) != NULL)
		return m;
	if ((n = name_find(t, ref)) != NULL &&
	    (m = sup_store_find(t, n->digest)) != NULL)
		return m;
	if (is_hex(ref, 12, 63)) {
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
	    is_hex(ref, 1, 11) ? " (a digest prefix needs at least 12 hex "
	                         "digits)"
	                       : "");
	return NULL;
}

static struct sup_module *
module_insert(struct sup_tenant *t, const char *digest, uint64_t size,
    uint8_t *info, size_t info_len)
{
	struct sup_module *m = sup_xcalloc(1, sizeof(*m));

	snprintf(m->digest, sizeof(m->digest), "%s", digest);
	m->size = size;
	m->info = info;
	m->info_len = info_len;
	TAILQ_INSERT_TAIL(&t->modules, m, entry);
	t->nmodules++;
	t->nbytes += size;
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
	}
	snprintf(n->digest, sizeof(n->digest), "%s", digest);
}

static int
tenant_dirs(struct sup_tenant *t, char *mods, char *names, size_t size)
{
	pathf(mods, size, "%s/modules", t->dir);
	pathf(names, size, "%s/names", t->dir);
	if (mkdir_p(mods, 0700) != 0 || mkdir_p(names, 0700) != 0)
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
	fsync_dir(mods);
}

/* own: the packed ModuleInfo to keep beside the bytes. */
static uint8_t *
pack_info(const Wasmd__ModuleInfo *from, const char *digest, uint64_t size,
    size_t *len)
{
	Wasmd__ModuleInfo info = *from;
	uint8_t *buf;

	info.digest = (char *)digest;
	info.size = size;
	info.n_names = 0;
	info.names = NULL;
	info.created_unix = (uint64_t)time(NULL);
	*len = wasmd__module_info__get_packed_size(&info);
	buf = malloc(*len ? *len : 1);
	if (buf == NULL)
		abort();
	wasmd__module_info__pack(&info, buf);
	return buf;
}

struct sup_module *
sup_store_add(struct sup *sup, struct sup_tenant *t, const uint8_t *wasm,
    size_t len, const Wasmd__ModuleInfo *info, const char *name, char *err,
    size_t errlen)
{
	char mods[4096], names[4096], file[128], digest[65], ignored[256];
	struct sup_module *m;
	uint8_t *packed;
	size_t packed_len;
	bool added = false;

	sup_sha256_hex(wasm, len, digest);
	if (tenant_dirs(t, mods, names, sizeof(mods)) != 0) {
		snprintf(err, errlen, "cannot create %s: %s", t->dir,
		    strerror(errno));
		return NULL;
	}
	m = sup_store_find(t, digest);
	if (m == NULL) {
		snprintf(file, sizeof(file), "%s.wasm", digest);
		if (write_atomic(mods, file, wasm, len, err, errlen) != 0) {
			unlink_module_files(mods, digest);
			return NULL;
		}
		packed = pack_info(info, digest, len, &packed_len);
		snprintf(file, sizeof(file), "%s.info", digest);
		if (write_atomic(mods, file, packed, packed_len, err, errlen) !=
		    0) {
			free(packed);
			unlink_module_files(mods, digest);
			return NULL;
		}
		m = module_insert(t, digest, len, packed, packed_len);
		added = true;
	}
	if (name != NULL && name[0] != '\0') {
		char line[66];
		snprintf(line, sizeof(line), "%s\n", digest);
		if (write_atomic(names, name, (const uint8_t *)line, 65, err,
		        errlen) != 0) {
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
	if ((is_hex(ref, 64, 64) && sup_store_find(t, ref) != NULL) ||
	    (n = name_find(t, ref)) == NULL ||
	    (*m = sup_store_find(t, n->digest)) == NULL)
		return 1;
	if (name_remove(t, n, err, errlen) != 0)
		return -1;
	pathf(dir, sizeof(dir), "%s/names", t->dir);
	fsync_dir(dir);
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
	pathf(path, sizeof(path), "%s/modules", t->dir);
	fsync_dir(path);
	pathf(path, sizeof(path), "%s/names", t->dir);
	fsync_dir(path);
	TAILQ_REMOVE(&t->modules, m, entry);
	t->nmodules--;
	t->nbytes -= m->size;
	free(m->info);
	free(m);
	return 0;
}

uint8_t *
sup_store_read_wasm(struct sup_tenant *t, const struct sup_module *m,
    size_t *len, char *err, size_t errlen)
{
	char path[4096];
	uint8_t *buf;

	pathf(path, sizeof(path), "%s/modules/%s.wasm", t->dir, m->digest);
	buf = read_file(path, len);
	if (buf == NULL)
		snprintf(
		    err, errlen, "cannot read %s: %s", path, strerror(errno));
	else if (*len != m->size) {
		snprintf(err, errlen, "%s has %zu bytes, expected %llu", path,
		    *len, (unsigned long long)m->size);
		free(buf);
		buf = NULL;
	}
	return buf;
}

Wasmd__ModuleInfo *
sup_store_info(struct sup_tenant *t, const struct sup_module *m)
{
	Wasmd__ModuleInfo *info;
	struct sup_name *n;
	size_t count = 0;

	info = wasmd__module_info__unpack(NULL, m->info_len, m->info);
	if (info == NULL)
		return NULL;
	TAILQ_FOREACH(n, &t->names, entry)
	{
		if (strcmp(n->digest, m->digest) == 0)
			count++;
	}
	/* Names are borrowed from the tenant; sup_store_info_free drops them. */
	info->names = count ? sup_xcalloc(count, sizeof(char *)) : NULL;
	info->n_names = 0;
	TAILQ_FOREACH(n, &t->names, entry)
	{
		if (strcmp(n->digest, m->digest) == 0)
			info->names[info->n_names++] = n->name;
	}
	return info;
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

/* Loads one module from modules/<digest>.info and its .wasm. */
static void
load_module(struct sup_tenant *t, const char *dir, const char *digest)
{
	char path[4096];
	uint8_t *info;
	size_t len;
	struct stat st;
	Wasmd__ModuleInfo *mi;

	pathf(path, sizeof(path), "%s/%s.wasm", dir, digest);
	if (stat(path, &st) != 0) {
		sup_log(SUP_WARNING,
		    "event=store_load tenant=%s digest=%s "
		    "outcome=ignored reason=\"no .wasm beside .info\"",
		    t->name, digest);
		return;
	}
	pathf(path, sizeof(path), "%s/%s.info", dir, digest);
	info = read_file(path, &len);
	mi = info ? wasmd__module_info__unpack(NULL, len, info) : NULL;
	if (mi == NULL || (uint64_t)st.st_size != mi->size) {
		sup_log(SUP_WARNING,
		    "event=store_load tenant=%s digest=%s outcome=ignored "
		    "reason=\"unreadable .info or size mismatch\"",
		    t->name, digest);
		if (mi)
			wasmd__module_info__free_unpacked(mi, NULL);
		free(info);
		return;
	}
	wasmd__module_info__free_unpacked(mi, NULL);
	module_insert(t, digest, (uint64_t)st.st_size, info, len);
}

static bool
stray_temp(const char *dir, const char *entry, struct sup_tenant *t)
{
	char path[4096];

	if (strncmp(entry, ".tmp-", 5) != 0)
		return false;
	pathf(path, sizeof(path), "%s/%s", dir, entry);
	sup_log(SUP_NOTICE,
	    "event=store_load tenant=%s file=%s outcome=removed "
	    "reason=\"stray temp file of an interrupted write\"",
	    t->name, path);
	unlink(path);
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
		if (n != 69 || strcmp(e->d_name + 64, ".info") != 0)
			continue;
		memcpy(digest, e->d_name, 64);
		digest[64] = '\0';
		if (is_hex(digest, 64, 64))
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
		buf = read_file(path, &len);
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
		    t->name, e->d_name);
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
	if (mkdir_p(dir, 0700) != 0) {
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
		load_names(t);
		tenants++;
		modules += t->nmodules;
	}
	closedir(d);
	sup_log(SUP_INFO, "event=store_load dir=%s tenants=%lu modules=%lu",
	    sup->cfg.state_dir, tenants, modules);
	return 0;
}
