/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modfd.c: a module's bytes for a worker, as descriptors passed with its
 * job (sup.h: sup_module_fds, sup_memfd_from).
 *
 * A worker caches the modules it decoded (worker/cache.c), so their bytes
 * cross only when it lacks them; then they go as descriptors with the
 * job's frame (pool.c), not inside it: the frame stays small, and the
 * worker maps the bytes read-only instead of reading them into its heap.
 * A stored module goes as its stored file, opened read-only, and its
 * snapshot, when the invoke starts from one, as the snapshot's stored file
 * beside it (stored files are never rewritten: a new one is renamed into
 * place). A push's module goes as a memfd sealed against any change. So
 * the supervisor never copies nor parses the bytes: a large module or
 * snapshot costs it neither heap nor time on the loop.
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

int
sup_memfd_from(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	int fd = memfd_create("wasmd-module", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int rc;

	if (fd < 0) {
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		return -1;
	}
	rc = sup_write_all(fd, buf, len);
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
sup_module_fds(struct sup_tenant *t, const char *digest, const char *snap,
    int fds[2], char *err, size_t errlen)
{
	struct sup_module *m = sup_store_find(t, digest);

	if (m == NULL) {
		snprintf(err, errlen, "module %s was removed", digest);
		return -1;
	}
	/*
	 * The stored files themselves: copying a large module (or its
	 * snapshot) into a memfd here would stall the loop (100 MiB: 1.9 s
	 * for another tenant at load 8) and hold its bytes in our heap once
	 * per worker that lacks it.
	 */
	if ((fds[0] = sup_store_open_wasm(t, m, err, errlen)) < 0)
		return -1;
	if (snap[0] == '\0')
		return 1;
	if ((fds[1] = sup_snapshot_open(t, m, snap, err, errlen)) < 0) {
		close(fds[0]);
		return -1;
	}
	return 2;
}
