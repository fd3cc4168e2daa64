/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modfd.c: a module's bytes for a warm worker, as a memfd sealed against
 * any change (sup.h: sup_module_memfd).
 *
 * A worker caches the modules it decoded (worker/cache.c), so their bytes
 * cross only when it lacks them; then they go as a descriptor with the
 * job's frame (pool.c), not inside it: the frame stays small, and the
 * worker maps the bytes read-only instead of reading them into its heap.
 * A plain module goes as its stored file, opened read-only (stored files
 * are never rewritten); a module with its snapshot, and a push's module,
 * as a memfd sealed against any change, so neither the supervisor nor the
 * worker could change it. The supervisor never parses the bytes.
 */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int
sup_write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A sealed memfd holding buf and then more. -1 with err filled. */
static int
sealed_memfd(const uint8_t *buf, size_t len, const uint8_t *more,
    size_t more_len, char *err, size_t errlen)
{
	int fd = memfd_create("wasmd-module", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int rc;

	if (fd < 0) {
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		return -1;
	}
	rc = sup_write_all(fd, buf, len);
	if (rc == 0 && more_len > 0)
		rc = sup_write_all(fd, more, more_len);
	if (rc == 0 &&
	    fcntl(fd, F_ADD_SEALS,
	        F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
		rc = errno;
	if (rc != 0) {
		snprintf(err, errlen, "cannot fill the module's memfd: %s",
		    strerror(rc));
		close(fd);
		return -1;
	}
	return fd;
}

int
sup_memfd_from(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	return sealed_memfd(buf, len, NULL, 0, err, errlen);
}

int
sup_module_memfd(
    struct sup_tenant *t, const char *digest, char *err, size_t errlen)
{
	struct sup_module *m = sup_store_find(t, digest);

	if (m == NULL) {
		snprintf(err, errlen, "module %s was removed", digest);
		return -1;
	}
	/*
	 * The stored file itself: copying a large module into a memfd here
	 * would stall the loop (100 MiB: 1.9 s for another tenant at load 8)
	 * and hold its bytes in our heap once per worker that lacks it.
	 */
	return sup_store_open_wasm(t, m, err, errlen);
}

/*
 * m's snapshot snap, as stored: its size must be the one indexed (a file
 * changed on disk is refused here; its contents are checked by the worker).
 * own: the result; NULL with err filled.
 */
static uint8_t *
read_snapshot(struct sup_tenant *t, const struct sup_module *m,
    const char *snap, size_t *len, char *err, size_t errlen)
{
	uint8_t *buf;

	if (strcmp(m->snap_digest, snap) != 0) {
		snprintf(err, errlen,
		    "the snapshot of module %s changed while the invoke "
		    "waited: invoke it again",
		    m->digest);
		return NULL;
	}
	if ((buf = sup_snapshot_read(t, m, len, err, errlen)) == NULL)
		return NULL;
	if (*len != m->snap_size) {
		snprintf(err, errlen,
		    "the stored snapshot of module %s is refused: its file "
		    "is %zu bytes, not the %llu stored (push the module again "
		    "to remake it, or run with --no-snapshot)",
		    m->digest, *len, (unsigned long long)m->snap_size);
		free(buf);
		return NULL;
	}
	return buf;
}

int
sup_module_snapshot_memfd(struct sup_tenant *t, const char *digest,
    const char *snap, char *err, size_t errlen)
{
	struct sup_module *m = sup_store_find(t, digest);
	uint8_t *wasm, *bytes;
	size_t len, snap_len;
	int fd;

	if (m == NULL) {
		snprintf(err, errlen, "module %s was removed", digest);
		return -1;
	}
	if ((bytes = read_snapshot(t, m, snap, &snap_len, err, errlen)) == NULL)
		return -1;
	wasm = sup_store_read_wasm(t, m, &len, err, errlen);
	fd = wasm != NULL
	    ? sealed_memfd(wasm, len, bytes, snap_len, err, errlen)
	    : -1;
	free(wasm);
	free(bytes);
	return fd;
}
