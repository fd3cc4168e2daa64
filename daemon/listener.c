/*
 * listener.c: the Unix socket clients connect to.
 *
 * The socket file is created with the configured mode (--socket-mode) in a
 * parent directory created 0755 when missing. A socket file left by a daemon
 * that died is removed; one that still answers belongs to a running daemon
 * and is left alone. Which connections get a slot (--max-connections and
 * --max-tenant-connections) is admit.c's to decide.
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

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct sup *sup = arg;

	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
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

/* Serves the socket the service manager passed (notify.c). */
static void
listen_activated(struct sup *sup, int fd)
{
	sup->listen_fd = fd;
	sup->listen_activated = true;
	sup->listen_ev =
	    event_new(sup->base, fd, EV_READ | EV_PERSIST, accept_cb, sup);
	event_add(sup->listen_ev, NULL);
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
	sup->listen_fd = fd;
	sup->listen_ev =
	    event_new(sup->base, fd, EV_READ | EV_PERSIST, accept_cb, sup);
	event_add(sup->listen_ev, NULL);
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
	if (sup->listen_fd >= 0) {
		close(sup->listen_fd);
		sup->listen_fd = -1;
		/* A passed socket's file belongs to the service manager. */
		if (!sup->listen_activated)
			unlink(sup->cfg.socket_path);
	}
}
