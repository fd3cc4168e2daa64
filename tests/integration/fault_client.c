/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fault_client.c: a misbehaving client for the fault-injection scenarios
 * (fault_*.sh): one that opens connections without end, and one that sends
 * half a frame and stalls.
 *
 * usage: wasmd-it-faultclient SOCKET MODE [ARGS...]
 *   flood N HOLD_MS
 *       opens a probe connection (hello), then N more connections, each
 *       sending hello; counts which are answered with hello (accepted) and
 *       which with an error or a close (refused). Then asks for a list on
 *       the probe, which must still be answered. Prints
 *       "accepted A refused R probe ok", holds every connection HOLD_MS ms
 *       (so the script can look at the daemon meanwhile), closes them all.
 *   half STALL_MS
 *       hello, then a frame header announcing 64 bytes followed by only 10
 *       of them; prints "stalled" and stays silent for STALL_MS ms, then
 *       closes.
 *   noread N HOLD_MS
 *       hello, then up to N list requests written without ever reading a
 *       reply (stopping early when the socket no longer takes them);
 *       prints "sent K" and holds the connection HOLD_MS ms, then closes.
 *   bigpartial N SIZE HOLD_MS
 *       N connections, each: hello, then a frame header announcing SIZE
 *       bytes and as much of the body as the daemon takes (all but its
 *       last 10 bytes at most), without blocking: a connection the daemon
 *       stops reading is left where it stands. Prints "sent B refused R"
 *       (B body bytes taken in all, R connections answered with an error
 *       at the header), holds every connection HOLD_MS ms, closes them.
 *   hog N HOLD_MS PING_MS
 *       N connections (hello), each sending a list request every PING_MS
 *       ms for HOLD_MS ms, as a client keeping idle connections alive
 *       would. Prints "held H refused R evicted E": H accepted, R refused
 *       at connect, E closed by the daemon meanwhile (with an error).
 *   genimports N PARAMS
 *       writes to stdout a WebAssembly module that imports N functions
 *       ("m" "f0".."f<N-1>") of one type with PARAMS i32 parameters: a
 *       small module with large metadata.
 * Exit: 0 as expected, 1 otherwise (with a message on stderr).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "frame.h"

#define FC_REPLY_MS 5000

static void
die(const char *what)
{
	fprintf(stderr, "faultclient: %s\n", what);
	exit(1);
}

/* A connected socket, or -1 (the daemon may refuse at accept time). */
static int
dial(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0)
		die(strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool
send_env(int fd, Wasmd__Envelope *env)
{
	char err[256];

	return wp_write_envelope(fd, env, err, sizeof(err)) == 0;
}

static bool
send_hello(int fd)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Hello h = WASMD__HELLO__INIT;

	h.version = WP_PROTOCOL_VERSION;
	h.software = "wasmd-it-faultclient";
	env.msg_case = WASMD__ENVELOPE__MSG_HELLO;
	env.hello = &h;
	return send_env(fd, &env);
}

/* The next envelope within FC_REPLY_MS, or NULL on a timeout or a close. */
static Wasmd__Envelope *
recv_env(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	Wasmd__Envelope *env = NULL;
	char err[256];

	if (poll(&p, 1, FC_REPLY_MS) != 1)
		return NULL;
	if (wp_read_envelope(fd, 1u << 20, &env, err, sizeof(err)) != 0)
		return NULL;
	return env;
}

/* Sends hello; true when the daemon answers with its own hello. */
static bool
handshake(int fd)
{
	Wasmd__Envelope *env;
	bool ok;

	if (!send_hello(fd))
		return false;
	env = recv_env(fd);
	ok = env != NULL && env->msg_case == WASMD__ENVELOPE__MSG_HELLO;
	if (env != NULL)
		wasmd__envelope__free_unpacked(env, NULL);
	return ok;
}

/* A list request on fd; true when a module list comes back. */
static bool
list_ok(int fd)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply;
	Wasmd__ListModules req = WASMD__LIST_MODULES__INIT;
	bool ok;

	env.id = 7;
	env.msg_case = WASMD__ENVELOPE__MSG_LIST;
	env.list = &req;
	if (!send_env(fd, &env))
		return false;
	reply = recv_env(fd);
	ok = reply != NULL && reply->id == 7 &&
	    reply->msg_case == WASMD__ENVELOPE__MSG_MODULE_LIST;
	if (reply != NULL)
		wasmd__envelope__free_unpacked(reply, NULL);
	return ok;
}

static int
flood(const char *path, int n, int hold_ms)
{
	int probe = dial(path), accepted = 0, refused = 0;
	int *fds = calloc((size_t)n, sizeof(*fds));
	bool probe_ok;

	if (fds == NULL || probe < 0 || !handshake(probe))
		die("the probe connection was not accepted");
	for (int i = 0; i < n; i++) {
		fds[i] = dial(path);
		if (fds[i] >= 0 && handshake(fds[i]))
			accepted++;
		else
			refused++;
	}
	probe_ok = list_ok(probe);
	printf("accepted %d refused %d probe %s\n", accepted, refused,
	    probe_ok ? "ok" : "failed");
	fflush(stdout);
	poll(NULL, 0, hold_ms);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	close(probe);
	free(fds);
	return probe_ok ? 0 : 1;
}

static int
half(const char *path, int stall_ms)
{
	static const uint8_t partial[4 + 10] = {0, 0, 0, 64, 0x08, 0x01};
	int fd = dial(path);

	if (fd < 0 || !handshake(fd))
		die("not accepted");
	if (send(fd, partial, sizeof(partial), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(partial))
		die(strerror(errno));
	printf("stalled\n");
	fflush(stdout);
	poll(NULL, 0, stall_ms);
	close(fd);
	return 0;
}

static int
noread(const char *path, int n, int hold_ms)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__ListModules req = WASMD__LIST_MODULES__INIT;
	int fd = dial(path), sent = 0;
	uint8_t *frame;
	size_t len;

	if (fd < 0 || !handshake(fd))
		die("not accepted");
	env.msg_case = WASMD__ENVELOPE__MSG_LIST;
	env.list = &req;
	for (; sent < n; sent++) {
		env.id = (uint64_t)sent + 1;
		frame = wp_frame_pack(&env, &len);
		if (frame == NULL)
			die("out of memory");
		/* Waits a little for room, then gives up: the daemon may
		 * stop reading a client that does not read its replies. */
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		bool ok = poll(&p, 1, 200) == 1 &&
		    send(fd, frame, len, MSG_NOSIGNAL) == (ssize_t)len;
		free(frame);
		if (!ok)
			break;
	}
	printf("sent %d\n", sent);
	fflush(stdout);
	poll(NULL, 0, hold_ms);
	close(fd);
	return 0;
}

/* Writes up to len bytes of buf without blocking past 300 ms; the count. */
static size_t
send_some(int fd, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		ssize_t n;

		if (poll(&p, 1, 300) != 1 || (p.revents & POLLOUT) == 0)
			break;
		n = send(
		    fd, buf + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	return done;
}

/* Whether the daemon answered fd with an error (and closed) already. */
static bool
answered_error(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	Wasmd__Envelope *env = NULL;
	char err[256];
	bool is_error;

	if (poll(&p, 1, 0) != 1 ||
	    wp_read_envelope(fd, 1u << 20, &env, err, sizeof(err)) != 0)
		return false;
	is_error = env->msg_case == WASMD__ENVELOPE__MSG_ERROR;
	if (is_error)
		fprintf(
		    stderr, "faultclient: refused: %s\n", env->error->message);
	wasmd__envelope__free_unpacked(env, NULL);
	return is_error;
}

static int
bigpartial(const char *path, int n, size_t size, int hold_ms)
{
	int *fds = calloc((size_t)n, sizeof(*fds)), refused = 0;
	uint8_t *body = calloc(1, size), hdr[4];
	size_t sent = 0;

	if (fds == NULL || body == NULL || size < 16)
		die("out of memory");
	hdr[0] = (uint8_t)(size >> 24);
	hdr[1] = (uint8_t)(size >> 16);
	hdr[2] = (uint8_t)(size >> 8);
	hdr[3] = (uint8_t)size;
	for (int i = 0; i < n; i++) {
		fds[i] = dial(path);
		if (fds[i] < 0 || !handshake(fds[i]))
			die("not accepted");
		if (send_some(fds[i], hdr, 4) != 4)
			die("cannot send a header");
		sent += send_some(fds[i], body, size - 10);
	}
	for (int i = 0; i < n; i++)
		refused += answered_error(fds[i]);
	printf("sent %zu refused %d\n", sent, refused);
	fflush(stdout);
	poll(NULL, 0, hold_ms);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	free(body);
	return 0;
}

static int
hog(const char *path, int n, int hold_ms, int ping_ms)
{
	int *fds = calloc((size_t)n, sizeof(*fds)), held = 0, evicted = 0;

	if (fds == NULL)
		die("out of memory");
	for (int i = 0; i < n; i++) {
		fds[i] = dial(path);
		if (fds[i] >= 0 && handshake(fds[i])) {
			held++;
			continue;
		}
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
	printf("held %d refused %d", held, n - held);
	fflush(stdout);
	for (int t = 0; t < hold_ms; t += ping_ms) {
		poll(NULL, 0, ping_ms);
		for (int i = 0; i < n; i++) {
			if (fds[i] < 0 || list_ok(fds[i]))
				continue;
			close(fds[i]);
			fds[i] = -1;
			evicted++;
		}
	}
	printf(" evicted %d\n", evicted);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return 0;
}

/* Appends v as unsigned LEB128 at p; returns the end. */
static uint8_t *
leb(uint8_t *p, uint32_t v)
{
	do {
		uint8_t b = v & 0x7f;
		v >>= 7;
		*p++ = b | (v ? 0x80 : 0);
	} while (v);
	return p;
}

/* Writes a section of id with body[0..len) to stdout. */
static void
section(uint8_t id, const uint8_t *body, size_t len)
{
	uint8_t hdr[8], *e = leb(hdr + 1, (uint32_t)len);

	hdr[0] = id;
	fwrite(hdr, 1, (size_t)(e - hdr), stdout);
	fwrite(body, 1, len, stdout);
}

static int
genimports(int n, int params)
{
	static const uint8_t magic[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	uint8_t *buf = malloc((size_t)params + 16 + (size_t)n * 24), *p;

	if (buf == NULL)
		die("out of memory");
	fwrite(magic, 1, sizeof(magic), stdout);
	p = leb(buf, 1); /* one type: (func (param i32 x params)) */
	*p++ = 0x60;
	p = leb(p, (uint32_t)params);
	for (int i = 0; i < params; i++)
		*p++ = 0x7f;
	*p++ = 0;
	section(1, buf, (size_t)(p - buf));
	p = leb(buf, (uint32_t)n);
	for (int i = 0; i < n; i++) {
		char name[16];
		int len = snprintf(name, sizeof(name), "f%d", i);

		p = leb(p, 1);
		*p++ = 'm';
		p = leb(p, (uint32_t)len);
		memcpy(p, name, (size_t)len);
		p += len;
		*p++ = 0; /* a function */
		p = leb(p, 0);
	}
	section(2, buf, (size_t)(p - buf));
	free(buf);
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[2], "flood") == 0)
		return flood(argv[1], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && strcmp(argv[2], "half") == 0)
		return half(argv[1], atoi(argv[3]));
	if (argc == 5 && strcmp(argv[2], "noread") == 0)
		return noread(argv[1], atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && strcmp(argv[2], "hog") == 0)
		return hog(
		    argv[1], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (argc == 5 && strcmp(argv[2], "genimports") == 0)
		return genimports(atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && strcmp(argv[2], "bigpartial") == 0)
		return bigpartial(argv[1], atoi(argv[3]),
		    (size_t)strtoull(argv[4], NULL, 10), atoi(argv[5]));
	fprintf(stderr,
	    "usage: %s SOCKET flood N HOLD_MS | half STALL_MS | "
	    "noread N HOLD_MS | bigpartial N SIZE HOLD_MS | "
	    "hog N HOLD_MS PING_MS | genimports N PARAMS\n",
	    argv[0]);
	return 2;
}
