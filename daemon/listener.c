/* SPDX-License-Identifier: Apache-2.0 */
/*
 * listener.c: the Unix socket clients connect to.
 *
 * The socket file is created with the configured mode (--socket-mode) in a
 * parent directory created 0755 when missing. A socket file left by a daemon
 * that died is removed; one that still answers belongs to a running daemon
 * and is left alone. Which connections get a slot (--max-connections and
 * --max-tenant-connections) is admit.c's to decide.
 *
 * Out of descriptors (EMFILE, ENFILE), accept(2) fails while the pending
 * connection stays queued, so the level-triggered listen event would fire
 * again at once: a busy loop that logs a line per turn. Instead accepting
 * pauses (the connections wait in the kernel's backlog) until a session
 * closes or ACCEPT_RETRY_MS pass, with one warning per ACCEPT_WARN_S.
 */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int
make_parent(const char *path)
{
	char *dir = sup_strdup(path), *slash = strrchr(dir, '/');
	int rc = 0;

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		for (char *s = dir + 1; rc == 0; s++) {
			if (*s != '/' && *s != '\0')
				continue;
			char c = *s;
			*s = '\0';
			if (mkdir(dir, 0755) != 0 && errno != EEXIST)
				rc = -1;
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(dir);
	return rc;
}

/* Removes a socket file nobody listens on. Returns -1 if one is alive. */
static int
remove_stale(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (lstat(sun->sun_path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket",
		    sun->sun_path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 &&
	    connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
		close(fd);
		snprintf(err, errlen, "another daemon is listening on %s",
		    sun->sun_path);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	sup_log(SUP_NOTICE, "event=listen socket=%s outcome=stale_removed",
	    sun->sun_path);
	return unlink(sun->sun_path);
}

#define ACCEPT_RETRY_MS 1000
#define ACCEPT_WARN_S 60

/* Stops accepting until a session closes or the retry timer fires. */
static void
pause_accept(struct sup *sup, int err)
{
	const struct timeval retry = {
	    ACCEPT_RETRY_MS / 1000, (ACCEPT_RETRY_MS % 1000) * 1000};
	struct timespec now;

	sup->accept_paused = true;
	event_del(sup->listen_ev);
	evtimer_add(sup->accept_retry_ev, &retry);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (sup->accept_warned.tv_sec != 0 &&
	    now.tv_sec - sup->accept_warned.tv_sec < ACCEPT_WARN_S) {
		sup->accept_pauses_unlogged++;
		return;
	}
	sup_log(SUP_WARNING,
	    "event=accept outcome=paused error=\"%s\" sessions=%u "
	    "retry_ms=%u pauses_since_last_warning=%u "
	    "reason=\"out of file descriptors: new connections wait in the "
	    "backlog until one closes (raise LimitNOFILE= or lower "
	    "max-connections)\"",
	    strerror(err), sup->nsessions, ACCEPT_RETRY_MS,
	    sup->accept_pauses_unlogged);
	sup->accept_warned = now;
	sup->accept_pauses_unlogged = 0;
}

void
sup_listener_resume(struct sup *sup)
{
	if (!sup->accept_paused || sup->listen_ev == NULL)
		return;
	sup->accept_paused = false;
	evtimer_del(sup->accept_retry_ev);
	event_add(sup->listen_ev, NULL);
}

static void
accept_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	sup_listener_resume(arg);
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct sup *sup = arg;

	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			pause_accept(sup, errno);
			return;
		}
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				sup_log(SUP_WARNING,
				    "event=accept error=\"%s\"",
				    strerror(errno));
			return;
		}
		if (sup->stopping) {
			sup_admit_refuse(fd, "daemon: shutting down");
			continue;
		}
		sup_session_new(sup, fd); /* connection limits: admit.c */
	}
}

/* Starts accepting on fd. */
static void
watch_listen_fd(struct sup *sup, int fd)
{
	sup->listen_fd = fd;
	sup->listen_ev =
	    event_new(sup->base, fd, EV_READ | EV_PERSIST, accept_cb, sup);
	sup->accept_retry_ev = evtimer_new(sup->base, accept_retry_cb, sup);
	if (sup->listen_ev == NULL || sup->accept_retry_ev == NULL)
		abort();
	event_add(sup->listen_ev, NULL);
}

/* Serves the socket the service manager passed (notify.c). */
static void
listen_activated(struct sup *sup, int fd)
{
	sup->listen_activated = true;
	watch_listen_fd(sup, fd);
	sup_log(SUP_NOTICE, "event=listen socket=activated fd=%d", fd);
}

int
sup_listener_open(struct sup *sup, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	const char *path = sup->cfg.socket_path;
	int fd = sup_activation_fd(err, errlen);

	if (fd == -2)
		return -1;
	if (fd >= 0) {
		listen_activated(sup, fd);
		return 0;
	}

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path %s is too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (make_parent(path) != 0) {
		snprintf(err, errlen, "cannot create the directory of %s: %s",
		    path, strerror(errno));
		return -1;
	}
	if (remove_stale(&sun, err, errlen) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    chmod(path, sup->cfg.socket_mode) != 0 || listen(fd, 128) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	watch_listen_fd(sup, fd);
	sup_log(SUP_NOTICE, "event=listen socket=%s mode=%04o", path,
	    (unsigned)sup->cfg.socket_mode);
	return 0;
}

void
sup_listener_close(struct sup *sup)
{
	if (sup->listen_ev != NULL) {
		event_free(sup->listen_ev);
		sup->listen_ev = NULL;
	}
	if (sup->accept_retry_ev != NULL) {
		event_free(sup->accept_retry_ev);
		sup->accept_retry_ev = NULL;
	}
	if (sup->listen_fd >= 0) {
		close(sup->listen_fd);
		sup->listen_fd = -1;
		/* A passed socket's file belongs to the service manager. */
		if (!sup->listen_activated)
			unlink(sup->cfg.socket_path);
	}
}
