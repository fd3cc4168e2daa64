/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conn.c: a libwasmd-client connection's life: the daemon's address, the
 * Unix socket, the Hello exchange, the last error and the accessors.
 */
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "internal.h"

wasmd_error
wc_fail(wasmd_conn *conn, wasmd_error code, const char *fmt, ...)
{
	va_list ap;

	conn->code = code;
	va_start(ap, fmt);
	vsnprintf(conn->errmsg, sizeof conn->errmsg, fmt, ap);
	va_end(ap);
	return code;
}

wasmd_error
wc_ok(wasmd_conn *conn)
{
	conn->code = WASMD_OK;
	conn->errmsg[0] = '\0';
	return WASMD_OK;
}

void
wc_break(wasmd_conn *conn)
{
	if (conn->fd >= 0)
		close(conn->fd);
	conn->fd = -1;
	conn->status = WASMD_CONNECTION_BAD;
}

char *
wasmd_default_address(void)
{
	const char *host = getenv("WASMD_HOST");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *addr = NULL;

	if (host != NULL && host[0] != '\0')
		return strdup(host);
	if (geteuid() == 0 || xdg == NULL || xdg[0] == '\0')
		return strdup("unix:///run/wasmd/wasmd.sock");
	if (asprintf(&addr, "unix://%s/wasmd/wasmd.sock", xdg) < 0)
		return NULL;
	return addr;
}

/*
 * Turns addr into a socket path: "unix://PATH" or a plain path. Other
 * schemes are refused by name so a typo such as "tcp://" is not read as a
 * relative path.
 */
static int
address_to_path(wasmd_conn *conn, const char *addr, struct sockaddr_un *sun)
{
	const char *path = addr;

	if (strncmp(addr, "unix://", 7) == 0)
		path = addr + 7;
	else if (strstr(addr, "://") != NULL) {
		wc_fail(conn, WASMD_ERR_INVALID,
		    "unsupported address '%s' (use unix:///path or a path)",
		    addr);
		return -1;
	}
	if (path[0] == '\0') {
		wc_fail(
		    conn, WASMD_ERR_INVALID, "empty socket path in '%s'", addr);
		return -1;
	}
	if (strlen(path) >= sizeof sun->sun_path) {
		wc_fail(
		    conn, WASMD_ERR_INVALID, "socket path too long: %s", path);
		return -1;
	}
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

/*
 * Says why connect() failed and what to do. A refused permission is not
 * a stopped daemon: the socket admits its owner and its group (mode 0660,
 * root:wasmd under wasmd.socket), so the fix is to join that group.
 */
static void
connect_failed(wasmd_conn *conn, const char *path, int err)
{
	struct stat st;
	const struct group *gr;
	char gid[32];

	if ((err != EACCES && err != EPERM) || stat(path, &st) != 0) {
		wc_fail(conn, WASMD_ERR_IO,
		    "cannot connect to wasmd at %s: %s (is the daemon "
		    "running?)",
		    path, strerror(err));
		return;
	}
	gr = getgrgid(st.st_gid);
	snprintf(gid, sizeof gid, "%lu", (unsigned long)st.st_gid);
	wc_fail(conn, WASMD_ERR_IO,
	    "cannot connect to wasmd at %s: %s (the socket admits group "
	    "'%s' (mode %04o): join it, e.g. `usermod -aG %s USER`, then log "
	    "in again)",
	    path, strerror(err), gr != NULL ? gr->gr_name : gid,
	    (unsigned)(st.st_mode & 07777), gr != NULL ? gr->gr_name : gid);
}

static int
open_socket(wasmd_conn *conn, const char *addr)
{
	struct sockaddr_un sun;

	if (address_to_path(conn, addr, &sun) < 0)
		return -1;
	conn->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (conn->fd < 0) {
		wc_fail(conn, WASMD_ERR_IO, "socket: %s", strerror(errno));
		return -1;
	}
	while (connect(conn->fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		if (errno == EINTR)
			continue;
		/* An interrupted connect may have completed meanwhile. */
		if (errno == EISCONN)
			break;
		connect_failed(conn, sun.sun_path, errno);
		wc_break(conn);
		return -1;
	}
	return 0;
}

static int
say_hello(wasmd_conn *conn)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply = NULL;
	Wasmd__Hello hello = WASMD__HELLO__INIT;

	hello.version = WP_PROTOCOL_VERSION;
	hello.software = WC_SOFTWARE;
	env.msg_case = WASMD__ENVELOPE__MSG_HELLO;
	env.hello = &hello;
	if (wc_send_envelope(conn, &env) < 0 ||
	    wc_read_frame(conn, true, &reply) < 0)
		return -1;
	if (reply->msg_case == WASMD__ENVELOPE__MSG_ERROR) {
		wc_fail_from_pb(conn, reply->error);
		goto bad;
	}
	if (reply->msg_case != WASMD__ENVELOPE__MSG_HELLO) {
		wc_fail(conn, WASMD_ERR_PROTOCOL,
		    "the daemon answered Hello with message %d",
		    (int)reply->msg_case);
		goto bad;
	}
	if (reply->hello->version != WP_PROTOCOL_VERSION) {
		wc_fail(conn, WASMD_ERR_VERSION,
		    "the daemon speaks protocol version %u, this client %u",
		    reply->hello->version, WP_PROTOCOL_VERSION);
		goto bad;
	}
	conn->software = strdup(reply->hello->software);
	conn->tenant = strdup(reply->hello->tenant);
	wasmd__envelope__free_unpacked(reply, NULL);
	if (conn->software == NULL || conn->tenant == NULL) {
		wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
		wc_break(conn);
		return -1;
	}
	return 0;
bad:
	wasmd__envelope__free_unpacked(reply, NULL);
	wc_break(conn);
	return -1;
}

/* A connection not connected yet. own: the result; NULL without memory. */
static wasmd_conn *
conn_new(void)
{
	wasmd_conn *conn = calloc(1, sizeof *conn);

	if (conn == NULL)
		return NULL;
	conn->fd = -1;
	conn->status = WASMD_CONNECTION_BAD;
	conn->next_id = 1;
	conn->max_frame = WP_FRAME_MAX_DEFAULT;
	return conn;
}

wasmd_conn *
wc_connect_fd(int fd)
{
	wasmd_conn *conn = conn_new();

	if (conn == NULL) {
		close(fd);
		return NULL;
	}
	conn->fd = fd;
	if (say_hello(conn) == 0) {
		conn->status = WASMD_CONNECTION_OK;
		wc_ok(conn);
	}
	return conn;
}

wasmd_conn *
wasmd_connect(const char *addr)
{
	wasmd_conn *conn = conn_new();
	char *dflt = NULL;

	if (conn == NULL)
		return NULL;
	if (addr == NULL) {
		dflt = wasmd_default_address();
		if (dflt == NULL) {
			wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
			return conn;
		}
		addr = dflt;
	}
	if (open_socket(conn, addr) == 0 && say_hello(conn) == 0) {
		conn->status = WASMD_CONNECTION_OK;
		wc_ok(conn);
	}
	free(dflt);
	return conn;
}

void
wasmd_close(wasmd_conn *conn)
{
	if (conn == NULL)
		return;
	if (conn->npending > 0) {
		wc_fail(conn, WASMD_ERR_IO, "the connection was closed");
		wc_break(conn);
		wc_fail_pending(conn);
	}
	wc_break(conn);
	wc_streams_free(conn);
	wc_hosts_free_all(conn);
	free(conn->rbuf);
	free(conn->pending);
	free(conn->software);
	free(conn->tenant);
	free(conn);
}

wasmd_conn_status
wasmd_status(const wasmd_conn *conn)
{
	return conn != NULL ? conn->status : WASMD_CONNECTION_BAD;
}

const char *
wasmd_errmsg(const wasmd_conn *conn)
{
	return conn != NULL ? conn->errmsg : "out of memory";
}

wasmd_error
wasmd_errcode(const wasmd_conn *conn)
{
	return conn != NULL ? conn->code : WASMD_ERR_NOMEM;
}

const char *
wasmd_server_software(const wasmd_conn *conn)
{
	return conn != NULL && conn->software != NULL ? conn->software : "";
}

const char *
wasmd_tenant(const wasmd_conn *conn)
{
	return conn != NULL && conn->tenant != NULL ? conn->tenant : "";
}

int
wasmd_fd(const wasmd_conn *conn)
{
	return conn != NULL ? conn->fd : -1;
}
