/*
 * conn.c: a libwasmd-client connection: the daemon's address, the Unix
 * socket, the Hello exchange, the last error, and the blocking
 * request/reply exchange every call is built on.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
		wc_fail(conn, WASMD_ERR_IO,
		    "cannot connect to wasmd at %s: %s (is the daemon "
		    "running?)",
		    sun.sun_path, strerror(errno));
		wc_break(conn);
		return -1;
	}
	return 0;
}

static wasmd_error fail_from_pb(wasmd_conn *conn, const Wasmd__Error *e);

/*
 * After a failed send: a daemon that refuses a connection (too many
 * clients, draining) writes an Error and closes, and our write may lose
 * the race. If that Error is already waiting, it explains the failure
 * better than EPIPE. poll() with no timeout keeps this from ever blocking.
 */
static bool
salvage_error(wasmd_conn *conn)
{
	struct pollfd pfd = {.fd = conn->fd, .events = POLLIN};
	Wasmd__Envelope *env = NULL;
	char err[256];
	bool found = false;

	if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLIN))
		return false;
	if (wp_read_envelope(conn->fd, conn->max_frame, &env, err, sizeof err) <
	    0)
		return false;
	if (env->msg_case == WASMD__ENVELOPE__MSG_ERROR) {
		fail_from_pb(conn, env->error);
		found = true;
	}
	wasmd__envelope__free_unpacked(env, NULL);
	return found;
}

static int
send_envelope(wasmd_conn *conn, const Wasmd__Envelope *env)
{
	char err[256];

	if (wp_write_envelope(conn->fd, env, err, sizeof err) < 0) {
		if (!salvage_error(conn))
			wc_fail(
			    conn, WASMD_ERR_IO, "sending to wasmd: %s", err);
		wc_break(conn);
		return -1;
	}
	return 0;
}

static int
read_envelope(wasmd_conn *conn, Wasmd__Envelope **env)
{
	char err[256];

	if (wp_read_envelope(conn->fd, conn->max_frame, env, err, sizeof err) <
	    0) {
		wc_fail(conn, WASMD_ERR_IO, "reading from wasmd: %s", err);
		wc_break(conn);
		return -1;
	}
	return 0;
}

/* Turns an Error message into the call's code and message. */
static wasmd_error
fail_from_pb(wasmd_conn *conn, const Wasmd__Error *e)
{
	wasmd_error code = (wasmd_error)e->code;
	const char *msg = e->message != NULL ? e->message : "";

	/* A code this library does not know keeps its message. */
	if (e->code < 1 || e->code > 15)
		code = WASMD_ERR_INTERNAL;
	return wc_fail(
	    conn, code, "%s", msg[0] != '\0' ? msg : wasmd_strerror(code));
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
	if (send_envelope(conn, &env) < 0 || read_envelope(conn, &reply) < 0)
		return -1;
	if (reply->msg_case == WASMD__ENVELOPE__MSG_ERROR) {
		fail_from_pb(conn, reply->error);
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

wasmd_conn *
wasmd_connect(const char *addr)
{
	wasmd_conn *conn = calloc(1, sizeof *conn);
	char *dflt = NULL;

	if (conn == NULL)
		return NULL;
	conn->fd = -1;
	conn->status = WASMD_CONNECTION_BAD;
	conn->next_id = 1;
	conn->max_frame = WP_FRAME_MAX_DEFAULT;
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
	wc_break(conn);
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

/*
 * The guest called a host import, but this version registers no host
 * functions: answer with an error so the guest traps instead of waiting.
 */
static int
refuse_host_call(wasmd_conn *conn, uint64_t id)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__HostReply reply = WASMD__HOST_REPLY__INIT;

	reply.error = "no host function registered";
	env.id = id;
	env.msg_case = WASMD__ENVELOPE__MSG_HOST_REPLY;
	env.host_reply = &reply;
	return send_envelope(conn, &env);
}

/*
 * Whether env answers request id. The daemon may also report a
 * connection-level Error with id 0 just before it closes.
 */
static bool
answers(const Wasmd__Envelope *env, uint64_t id)
{
	return env->id == id ||
	    (env->id == 0 && env->msg_case == WASMD__ENVELOPE__MSG_ERROR);
}

/* Reads until the reply to id; host calls for id are answered on the way,
 * envelopes for other ids (none are in flight) are dropped. */
static int
await_reply(wasmd_conn *conn, uint64_t id, Wasmd__Envelope **reply)
{
	for (;;) {
		Wasmd__Envelope *env = NULL;

		if (read_envelope(conn, &env) < 0)
			return -1;
		if (env->id == id &&
		    env->msg_case == WASMD__ENVELOPE__MSG_HOST_CALL) {
			wasmd__envelope__free_unpacked(env, NULL);
			if (refuse_host_call(conn, id) < 0)
				return -1;
			continue;
		}
		if (answers(env, id)) {
			*reply = env;
			return 0;
		}
		wasmd__envelope__free_unpacked(env, NULL);
	}
}

wasmd_error
wc_request(wasmd_conn *conn, Wasmd__Envelope *req,
    Wasmd__Envelope__MsgCase want, Wasmd__Envelope **reply)
{
	Wasmd__Envelope *env = NULL;
	size_t size;

	*reply = NULL;
	if (conn->status != WASMD_CONNECTION_OK || conn->fd < 0) {
		char why[WC_ERRMSG_MAX];

		/* The message that broke the connection explains this one. */
		memcpy(why, conn->errmsg, sizeof why);
		if (strncmp(why, "not connected", 13) == 0)
			return wc_fail(conn, WASMD_ERR_IO, "%s", why);
		return wc_fail(conn, WASMD_ERR_IO, "not connected to wasmd%s%s",
		    why[0] != '\0' ? ": " : "", why);
	}
	size = wasmd__envelope__get_packed_size(req);
	if (size > conn->max_frame)
		return wc_fail(conn, WASMD_ERR_LIMIT,
		    "the request needs %zu bytes, more than the largest frame "
		    "(%zu bytes)",
		    size, conn->max_frame);
	req->id = conn->next_id++;
	if (send_envelope(conn, req) < 0 ||
	    await_reply(conn, req->id, &env) < 0)
		return conn->code;
	if (env->msg_case == WASMD__ENVELOPE__MSG_ERROR) {
		wasmd_error code = fail_from_pb(conn, env->error);

		wasmd__envelope__free_unpacked(env, NULL);
		return code;
	}
	if (env->msg_case != want) {
		wasmd__envelope__free_unpacked(env, NULL);
		wc_fail(conn, WASMD_ERR_PROTOCOL,
		    "the daemon sent an unexpected reply (message %d, "
		    "expected %d)",
		    (int)env->msg_case, (int)want);
		wc_break(conn);
		return WASMD_ERR_PROTOCOL;
	}
	*reply = env;
	return wc_ok(conn);
}
