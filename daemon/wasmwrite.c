/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmwrite.c: a pushed module's bytes, or the snapshot its initializer
 * made, written into the store off the event loop.
 *
 * Copying 100 MiB into a file and syncing it takes the kernel a second on
 * a loaded machine, during which no other client would be served. So a
 * helper thread does it: it creates the temp file the store will rename
 * (store.c's ".tmp-<digest>.wasm-XXXXXX", removed at start if a crash
 * leaves it), copies the module's memfd into it with sendfile(2), in the
 * kernel (copy_file_range(2) refuses a memfd to a disk file: EXDEV), and
 * fsyncs it. Then it tells the loop through an eventfd, and the loop renames
 * the file into place (store.c) as for any store write.
 *
 * A snapshot comes from a worker (a memfd it wrote, snapfd.c) and is named
 * by its sha256, which nobody knows yet: the thread reads it in pieces
 * into a buffer the loop gave it, hashes each piece and writes it (a
 * sendfile(2) and a second pass to hash would read it twice; mapping it
 * whole would count its 100 MiB in the supervisor's resident size).
 *
 * The thread touches nothing but its own descriptors, path and result: no
 * libevent, no log, no store state. It runs with every signal blocked, so
 * signals still reach the loop's thread only.
 */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <unistd.h>

struct sup_wasm_write {
	pthread_t thread;
	int src;        /* own: a duplicate of the module's memfd */
	size_t len;     /* bytes to copy */
	char tmp[4096]; /* the temp file's path (the thread fills XXXXXX) */
	uint8_t *buf;   /* own: the hashing copy's buffer, or NULL (sendfile) */
	struct sup_sha256 sha; /* with buf: the bytes' digest so far */
	char digest[65];       /* with buf: the bytes' sha256, once done */
	bool created;          /* the thread created tmp */
	int error;             /* errno of the failed step, 0 when done */
	const char *step;
	int wake;         /* own: an eventfd the thread signals when done (one
	                     descriptor a write, where a pipe took two) */
	struct event *ev; /* own: wake readable */
	sup_wasm_written done; /* NULL once cancelled */
	void *arg;
};

/* Copies w->len bytes of w->src to fd in the kernel. 0, or an errno. */
static int
copy_module(struct sup_wasm_write *w, int fd)
{
	off_t off = 0;

	while ((size_t)off < w->len) {
		ssize_t n = sendfile(fd, w->src, &off, w->len - (size_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO; /* the memfd is shorter */
	}
	return 0;
}

/* The size of a hashing copy's pieces. */
#define SUP_WRITE_PIECE (256u << 10)

/* Copies w->len bytes of w->src to fd through w->buf, hashing them. 0, or
 * an errno. */
static int
copy_hashing(struct sup_wasm_write *w, int fd)
{
	off_t off = 0;

	while ((size_t)off < w->len) {
		size_t want = w->len - (size_t)off < SUP_WRITE_PIECE
		    ? w->len - (size_t)off
		    : SUP_WRITE_PIECE;
		ssize_t n = pread(w->src, w->buf, want, off);
		int rc;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO; /* the memfd is shorter */
		sup_sha256_update(&w->sha, w->buf, (size_t)n);
		if ((rc = sup_write_all(fd, w->buf, (size_t)n)) != 0)
			return rc;
		off += n;
	}
	return 0;
}

static void *
write_thread(void *arg)
{
	struct sup_wasm_write *w = arg;
	uint64_t one = 1;
	ssize_t n;
	int fd = mkostemp(w->tmp, O_CLOEXEC);

	w->step = "create";
	if (fd < 0) {
		w->error = errno;
	} else {
		w->created = true;
		w->step = "write";
		w->error =
		    w->buf != NULL ? copy_hashing(w, fd) : copy_module(w, fd);
		if (w->error == 0 && fsync(fd) != 0) {
			w->step = "sync";
			w->error = errno;
		}
		close(fd);
	}
	do
		n = write(w->wake, &one, sizeof(one));
	while (n < 0 && errno == EINTR);
	return NULL;
}

static void
write_free(struct sup_wasm_write *w)
{
	if (w->created && (w->done == NULL || w->error != 0))
		unlink(w->tmp);
	event_free(w->ev);
	close(w->wake);
	close(w->src);
	if (w->buf != NULL)
		sup_sha256_end(&w->sha, NULL);
	free(w->buf);
	free(w);
}

static void
written_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup_wasm_write *w = arg;
	char err[4200];

	pthread_join(w->thread, NULL);
	if (w->buf != NULL) {
		sup_sha256_end(&w->sha, w->digest);
		free(w->buf);
		w->buf = NULL;
	}
	if (w->done != NULL) {
		if (w->error != 0)
			snprintf(err, sizeof(err), "cannot %s %s: %s", w->step,
			    w->tmp, strerror(w->error));
		w->done(w->arg, w->error == 0 ? w->tmp : NULL,
		    w->error == 0 && w->digest[0] != '\0' ? w->digest : NULL,
		    w->error == 0 ? NULL : err);
	}
	write_free(w);
}

/*
 * Starts the thread with every signal blocked in it, on a small stack (it
 * makes a few system calls and allocates nothing: no 8 MiB stack, no
 * malloc arena of its own under the daemon's RLIMIT_AS). 0, or an errno.
 */
static int
start_thread(struct sup_wasm_write *w)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int rc;

	if ((rc = pthread_attr_init(&attr)) != 0)
		return rc;
	rc = pthread_attr_setstacksize(&attr, 64u << 10);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (rc == 0)
		rc = pthread_create(&w->thread, &attr, write_thread, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return rc;
}

struct sup_wasm_write *
sup_wasm_write_start(struct sup *sup, const char *dir, const char *digest,
    bool snapshot, int src, size_t len, sup_wasm_written done, void *arg,
    char *err, size_t errlen)
{
	struct sup_wasm_write *w = sup_xcalloc(1, sizeof(*w));
	int rc = 0;

	w->len = len;
	w->done = done;
	w->arg = arg;
	w->wake = -1;
	snprintf(w->tmp, sizeof(w->tmp), "%s/.tmp-%s.%s-XXXXXX", dir, digest,
	    snapshot ? "snap" : "wasm");
	/* A snapshot is named by its digest: hashed on the way. */
	if (snapshot) {
		w->buf = sup_xcalloc(1, SUP_WRITE_PIECE);
		sup_sha256_begin(&w->sha);
	}
	if ((w->src = fcntl(src, F_DUPFD_CLOEXEC, 0)) < 0 ||
	    (w->wake = eventfd(0, EFD_CLOEXEC)) < 0)
		rc = errno;
	else if ((w->ev = event_new(
	              sup->base, w->wake, EV_READ, written_cb, w)) == NULL ||
	    event_add(w->ev, NULL) != 0)
		rc = ENOMEM;
	else
		rc = start_thread(w);
	if (rc == 0)
		return w;
	snprintf(err, errlen, "cannot start writing module %s: %s", digest,
	    strerror(rc));
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->wake >= 0)
		close(w->wake);
	if (w->src >= 0)
		close(w->src);
	if (w->buf != NULL)
		sup_sha256_end(&w->sha, NULL);
	free(w->buf);
	free(w);
	return NULL;
}

void
sup_wasm_write_cancel(struct sup_wasm_write *w)
{
	/* The thread runs to its end; written_cb removes its file. */
	w->done = NULL;
}
