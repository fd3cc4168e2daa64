/* SPDX-License-Identifier: Apache-2.0 */
/*
 * snapfd.c: the memfd a push's snapshot comes back in (sup.h:
 * sup_snapshot_memfd, sup_snapshot_memfd_check).
 *
 * A snapshot can be as large as the initializer's memory (100 MiB and
 * more). Inside the worker's reply it would be read into the supervisor's
 * heap, hashed and written on the event loop, stalling every other client
 * for a second. So the push carries a memfd beside the module's (pool.c),
 * sized to the most the snapshot may take and sealed against growing; the
 * worker writes the snapshot into it through a shared mapping and shrinks
 * it to the snapshot's size (worker/serve.c: no system call beyond its
 * filter's memfd rules), and the store's writer thread hashes and copies it
 * (wasmwrite.c). The supervisor never maps nor parses it.
 *
 * A worker is not trusted with it: on the reply the memfd is sealed
 * against any further change, which fails while the worker still has it
 * mapped shared (it could change the bytes while they are hashed), and
 * its size must be the one the reply says. Either failing kills the worker
 * and nothing is stored.
 */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int
sup_snapshot_memfd(uint64_t room, char *err, size_t errlen)
{
	int fd =
	    memfd_create("wasmd-snapshot", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	/* Sparse: the room costs nothing until the worker writes. */
	if (fd < 0 || ftruncate(fd, (off_t)room) != 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_GROW) != 0) {
		snprintf(err, errlen,
		    "cannot make a memfd for the push's snapshot: %s",
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

bool
sup_snapshot_memfd_check(int fd, const Wasmd__ModuleInfo *info, uint64_t room,
    char *why, size_t whylen)
{
	struct stat st;

	if (info->snapshot_size == 0)
		return true; /* none made */
	if (fd < 0) {
		snprintf(why, whylen,
		    "it made a snapshot of a push that asked for none");
		return false;
	}
	if (info->snapshot_size > room)
		return true; /* not written: push_fits reports it */
	if (fcntl(fd, F_ADD_SEALS,
	        F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) !=
	    0) {
		if (errno == EBUSY)
			snprintf(why, whylen,
			    "it kept its snapshot's memfd mapped after "
			    "replying");
		else
			snprintf(why, whylen,
			    "cannot seal its snapshot's memfd: %s",
			    strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0)
		st.st_size = -1;
	if ((uint64_t)st.st_size != info->snapshot_size) {
		snprintf(why, whylen,
		    "its snapshot's memfd holds %lld bytes, not the %llu its "
		    "reply says",
		    (long long)st.st_size,
		    (unsigned long long)info->snapshot_size);
		return false;
	}
	return true;
}
