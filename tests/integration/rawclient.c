/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rawclient.c: a test helper that talks to wasmd below the client library,
 * for the integration scenarios that need bytes wasmctl never sends:
 * garbage and oversized frames, a wrong protocol version, a request before
 * hello, a client that vanishes mid-invoke, several requests in flight.
 *
 * usage: wasmd-it-rawclient SOCKET MODE [ARGS...]
 *   hello V
 *       hello with protocol version V; succeed when the daemon answers
 *       with a hello, printing "hello version N" (the version it answered).
 *   garbage | oversized | badversion | nohello
 *       send that; succeed when the daemon answers with an Error (printed)
 *       and then closes this connection.
 *   invoke-then-close REF EXPORT MS
 *       hello, invoke EXPORT (no arguments), wait MS ms, close.
 *   idle MS
 *       hello, then succeed if the daemon closes within MS ms.
 *   pipeline REF EXPORT N
 *       hello, then N invokes in one write; print each reply's id and kind.
 *   list
 *       hello and list; print the number of modules.
 *   listwhile PID
 *       hello, then one list after another (2 ms apart) on this connection
 *       for as long as process PID lives (once at least); print how many were
 *       answered and the slowest round trip ("lists=N slowest_ms=MS"):
 *       how long the daemon's loop kept this client waiting at worst.
 *   bigpush FILE SHAPE
 *       hello, then a push of FILE's bytes in a frame written by hand in
 *       one of these shapes (SHAPE), to test the supervisor's parse of
 *       large pushes (daemon/bigframe.c):
 *         plain    id, push{wasm}               (as protobuf-c writes it)
 *         named    id, push{name "shaped", wasm, no_init}
 *         idlast   push{wasm, name "shaped"}, id
 *         twowasm  id, push{wasm, wasm}
 *         toolong  id, push{wasm} with push's length past the frame
 *         thenlist id, push{wasm}, list{}
 *       print "info DIGEST" or "error CODE: MESSAGE".
 *   remove REF SCOPE
 *       hello, RemoveModule{REF, scope SCOPE (a number)}; print "ok" or
 *       the Error ("error CODE: MESSAGE").
 *   trickle MS
 *       hello, then half a frame, one byte every 100 ms; succeed when the
 *       daemon closes the connection within MS ms (it is idle).
 *   flood N
 *       hello, then N list requests without reading a reply; succeed when
 *       the daemon drops the connection (a slow client) before answering
 *       them all.
 *   nulname
 *       hello, then a push whose name holds a NUL byte ("ok\0../../x");
 *       succeed when the daemon answers with an Error (printed) and then
 *       closes this connection.
 *   instances N REF
 *       hello, then N create_instance of REF one after the other on this
 *       connection; print "created ID" or "error CODE: MESSAGE" for each.
 *   dropcall REF EXPORT
 *       hello, create a live instance of REF, call EXPORT on it (one that
 *       spins), drop the instance while the call runs; print the call's
 *       answer ("call: error CODE: MESSAGE") and the drop's ("drop: ok").
 *   memflood REF N HOLD_MS
 *       hello, invoke "hostcall" as hostcall does; once the host call
 *       arrives, send up to N pairs of a MemoryWrite of 60 KiB and a
 *       MemoryRead of 64 KiB (of a module with a page of memory) without
 *       reading anything and without answering the call, stopping when
 *       the daemon takes no more for 500 ms; print "sent K", hold the
 *       connection HOLD_MS ms, close.
 *   hostcall REF
 *       hello, invoke export "hostcall" with i32 5, serving the host import
 *       env.h : [i32] -> [i32]; answer the relayed host_call with i32 77;
 *       print the call's argument and the result.
 * Its Hello names the software "wasmd-it-rawclient", or the value of
 * WASMD_IT_SOFTWARE when set (what a hostile client may claim to be).
 * Exit: 0 as expected, 1 otherwise (with a message on stderr).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"

static int
dial(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "rawclient: connect %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
	return fd;
}

static void
send_raw(int fd, const void *buf, size_t len)
{
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
		fprintf(stderr, "rawclient: send: %s\n", strerror(errno));
		exit(1);
	}
}

static void
send_env(int fd, Wasmd__Envelope *env)
{
	char err[256];

	if (wp_write_envelope(fd, env, err, sizeof(err)) != 0) {
		fprintf(stderr, "rawclient: %s\n", err);
		exit(1);
	}
}

/* Waits up to ms for data or EOF. */
static bool
readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

static Wasmd__Envelope *
recv_env(int fd, int ms)
{
	Wasmd__Envelope *env = NULL;
	char err[256];

	if (!readable(fd, ms)) {
		fprintf(stderr, "rawclient: no reply within %d ms\n", ms);
		exit(1);
	}
	if (wp_read_envelope(fd, 1u << 20, &env, err, sizeof(err)) != 0)
		return NULL;
	return env;
}

static void
hello(int fd, unsigned version)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Hello h = WASMD__HELLO__INIT;

	h.version = version;
	h.software = getenv("WASMD_IT_SOFTWARE");
	if (h.software == NULL)
		h.software = "wasmd-it-rawclient";
	env.msg_case = WASMD__ENVELOPE__MSG_HELLO;
	env.hello = &h;
	send_env(fd, &env);
}

static void
hello_ok(int fd)
{
	Wasmd__Envelope *env;

	hello(fd, WP_PROTOCOL_VERSION);
	env = recv_env(fd, 5000);
	if (env == NULL || env->msg_case != WASMD__ENVELOPE__MSG_HELLO) {
		fprintf(stderr, "rawclient: no hello back\n");
		exit(1);
	}
	wasmd__envelope__free_unpacked(env, NULL);
}

/* Expects an Error, then EOF. */
static int
expect_error_close(int fd)
{
	Wasmd__Envelope *env = recv_env(fd, 5000);
	char c;

	if (env == NULL || env->msg_case != WASMD__ENVELOPE__MSG_ERROR) {
		fprintf(stderr, "rawclient: expected an error reply\n");
		return 1;
	}
	printf("error %d: %s\n", (int)env->error->code, env->error->message);
	wasmd__envelope__free_unpacked(env, NULL);
	if (!readable(fd, 5000) || recv(fd, &c, 1, 0) > 0) {
		fprintf(stderr, "rawclient: the connection stayed open\n");
		return 1;
	}
	printf("closed\n");
	return 0;
}

static void
send_invoke(int fd, uint64_t id, const char *ref, const char *export)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Invoke inv = WASMD__INVOKE__INIT;

	inv.ref = (char *)ref;
	inv.export = (char *)export;
	env.id = id;
	env.msg_case = WASMD__ENVELOPE__MSG_INVOKE;
	env.invoke = &inv;
	send_env(fd, &env);
}

static int
run_pipeline(int fd, const char *ref, const char *export, int n)
{
	for (int i = 1; i <= n; i++)
		send_invoke(fd, (uint64_t)i, ref, export);
	for (int i = 1; i <= n; i++) {
		Wasmd__Envelope *env = recv_env(fd, 30000);
		if (env == NULL)
			return 1;
		printf("id=%llu kind=%s\n", (unsigned long long)env->id,
		    env->msg_case == WASMD__ENVELOPE__MSG_INVOKE_RESULT
		        ? "result"
		        : env->msg_case == WASMD__ENVELOPE__MSG_ERROR
		        ? "error"
		        : "other");
		wasmd__envelope__free_unpacked(env, NULL);
	}
	return 0;
}

static int
run_list(int fd)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *r;
	Wasmd__ListModules l = WASMD__LIST_MODULES__INIT;

	env.id = 7;
	env.msg_case = WASMD__ENVELOPE__MSG_LIST;
	env.list = &l;
	send_env(fd, &env);
	r = recv_env(fd, 5000);
	if (r == NULL || r->msg_case != WASMD__ENVELOPE__MSG_MODULE_LIST ||
	    r->id != 7)
		return 1;
	printf("modules=%zu\n", r->module_list->n_modules);
	wasmd__envelope__free_unpacked(r, NULL);
	return 0;
}

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int
run_listwhile(int fd, pid_t pid)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *r;
	Wasmd__ListModules l = WASMD__LIST_MODULES__INIT;
	double slowest = 0, t;
	unsigned n = 0;

	env.msg_case = WASMD__ENVELOPE__MSG_LIST;
	env.list = &l;
	do {
		env.id = ++n;
		t = now_ms();
		send_env(fd, &env);
		r = recv_env(fd, 30000);
		if (r == NULL ||
		    r->msg_case != WASMD__ENVELOPE__MSG_MODULE_LIST ||
		    r->id != n) {
			fprintf(stderr, "rawclient: list %u failed\n", n);
			return 1;
		}
		wasmd__envelope__free_unpacked(r, NULL);
		if (now_ms() - t > slowest)
			slowest = now_ms() - t;
		usleep(2000); /* a client, not a CPU hog */
	} while (kill(pid, 0) == 0 || errno == EPERM); /* another uid's */
	printf("lists=%u slowest_ms=%.0f\n", n, slowest);
	return 0;
}

/* A growing byte buffer for frames written by hand. */
struct bytes {
	uint8_t *p;
	size_t n;
};

static void
put(struct bytes *b, const void *p, size_t n)
{
	b->p = realloc(b->p, b->n + n);
	if (b->p == NULL)
		exit(1);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void
put_varint(struct bytes *b, uint64_t v)
{
	uint8_t c;

	do {
		c = (uint8_t)(v & 0x7f) | (v > 0x7f ? 0x80 : 0);
		put(b, &c, 1);
		v >>= 7;
	} while (v != 0);
}

/* A length-delimited field: tag, length, bytes. */
static void
put_field(struct bytes *b, unsigned field, const void *p, size_t n)
{
	put_varint(b, field << 3 | 2);
	put_varint(b, n);
	put(b, p, n);
}

/* The body of an Envelope holding a push of wasm, in shape. */
static struct bytes
shaped_push(const char *shape, const struct bytes *wasm)
{
	struct bytes push = {0}, env = {0};
	bool idlast = strcmp(shape, "idlast") == 0;

	if (strcmp(shape, "named") == 0) {
		put_field(&push, 2, "shaped", 6);
		put_field(&push, 1, wasm->p, wasm->n);
		put_varint(&push, 4 << 3); /* no_init = true */
		put_varint(&push, 1);
	} else {
		put_field(&push, 1, wasm->p, wasm->n);
	}
	if (idlast)
		put_field(&push, 2, "shaped", 6);
	if (strcmp(shape, "twowasm") == 0)
		put_field(&push, 1, wasm->p, wasm->n);
	if (!idlast) {
		put_varint(&env, 1 << 3); /* id = 1 */
		put_varint(&env, 1);
	}
	put_varint(&env, 5 << 3 | 2);
	put_varint(&env, push.n + (strcmp(shape, "toolong") == 0 ? 9 : 0));
	put(&env, push.p, push.n);
	if (strcmp(shape, "thenlist") == 0)
		put_field(&env, 7, "", 0);
	if (idlast) {
		put_varint(&env, 1 << 3);
		put_varint(&env, 1);
	}
	free(push.p);
	return env;
}

static int
run_bigpush(int fd, const char *file, const char *shape)
{
	struct bytes wasm = {0}, frame = {0}, env;
	uint8_t buf[65536], hdr[4];
	Wasmd__Envelope *r;
	size_t n;
	FILE *f = fopen(file, "rb");

	if (f == NULL)
		return 1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		put(&wasm, buf, n);
	fclose(f);
	env = shaped_push(shape, &wasm);
	hdr[0] = (uint8_t)(env.n >> 24);
	hdr[1] = (uint8_t)(env.n >> 16);
	hdr[2] = (uint8_t)(env.n >> 8);
	hdr[3] = (uint8_t)env.n;
	put(&frame, hdr, 4);
	put(&frame, env.p, env.n);
	send_raw(fd, frame.p, frame.n);
	r = recv_env(fd, 30000);
	if (r != NULL && r->msg_case == WASMD__ENVELOPE__MSG_MODULE_INFO)
		printf("info %s\n", r->module_info->digest);
	else if (r != NULL && r->msg_case == WASMD__ENVELOPE__MSG_ERROR)
		printf(
		    "error %d: %s\n", (int)r->error->code, r->error->message);
	else
		return 1;
	wasmd__envelope__free_unpacked(r, NULL);
	free(wasm.p);
	free(frame.p);
	free(env.p);
	return 0;
}

static int
run_remove(int fd, const char *ref, int scope)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *r;
	Wasmd__RemoveModule rm = WASMD__REMOVE_MODULE__INIT;

	rm.ref = (char *)ref;
	rm.scope = (Wasmd__RemoveModule__Scope)scope;
	env.id = 8;
	env.msg_case = WASMD__ENVELOPE__MSG_REMOVE;
	env.remove = &rm;
	send_env(fd, &env);
	r = recv_env(fd, 5000);
	if (r == NULL || r->id != 8)
		return 1;
	if (r->msg_case == WASMD__ENVELOPE__MSG_ERROR)
		printf(
		    "error %d: %s\n", (int)r->error->code, r->error->message);
	else
		printf("ok\n");
	wasmd__envelope__free_unpacked(r, NULL);
	return 0;
}

/* Sends the invoke of "hostcall" with env.h served by this client. */
static void
send_hostcall_invoke(int fd, const char *ref)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Invoke inv = WASMD__INVOKE__INIT;
	Wasmd__Value arg = WASMD__VALUE__INIT, *args[1] = {&arg};
	Wasmd__HostImport hi = WASMD__HOST_IMPORT__INIT, *his[1] = {&hi};
	Wasmd__FuncType ft = WASMD__FUNC_TYPE__INIT;
	Wasmd__ValType i32 = WASMD__VAL_TYPE__VAL_I32;

	ft.n_params = ft.n_results = 1;
	ft.params = ft.results = &i32;
	hi.module = "env";
	hi.name = "h";
	hi.type = &ft;
	arg.bits = 5;
	inv.ref = (char *)ref;
	inv.export = "hostcall";
	inv.n_args = 1;
	inv.args = args;
	inv.n_host_imports = 1;
	inv.host_imports = his;
	env.id = 41;
	env.msg_case = WASMD__ENVELOPE__MSG_INVOKE;
	env.invoke = &inv;
	send_env(fd, &env);
}

static int
run_memflood(int fd, const char *ref, int n, int hold_ms)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *r;
	Wasmd__MemoryWrite mw = WASMD__MEMORY_WRITE__INIT;
	Wasmd__MemoryRead mr = WASMD__MEMORY_READ__INIT;
	static uint8_t data[60 << 10];
	uint8_t *frame, *write, *read;
	size_t len, wlen, rlen;
	int sent = 0;

	send_hostcall_invoke(fd, ref);
	r = recv_env(fd, 10000);
	if (r == NULL || r->msg_case != WASMD__ENVELOPE__MSG_HOST_CALL) {
		fprintf(stderr, "rawclient: expected a host_call\n");
		return 1;
	}
	wasmd__envelope__free_unpacked(r, NULL);
	mw.data.data = data;
	mw.data.len = sizeof(data);
	env.id = 41;
	env.msg_case = WASMD__ENVELOPE__MSG_MEMORY_WRITE;
	env.memory_write = &mw;
	write = wp_frame_pack(&env, &wlen);
	mr.length = 64 << 10;
	env.msg_case = WASMD__ENVELOPE__MSG_MEMORY_READ;
	env.memory_read = &mr;
	read = wp_frame_pack(&env, &rlen);
	frame = write != NULL && read != NULL ? malloc(wlen + rlen) : NULL;
	if (frame != NULL) {
		memcpy(frame, write, wlen);
		memcpy(frame + wlen, read, rlen);
	}
	len = wlen + rlen;
	free(write);
	free(read);
	for (; frame != NULL && sent < n; sent++) {
		size_t done = 0;
		while (done < len) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			ssize_t k;
			if (poll(&p, 1, 500) != 1)
				break;
			k = send(fd, frame + done, len - done,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (k <= 0)
				break;
			done += (size_t)k;
		}
		if (done < len)
			break;
	}
	free(frame);
	printf("sent %d\n", sent);
	fflush(stdout);
	usleep((useconds_t)hold_ms * 1000);
	close(fd);
	return 0;
}

static int
run_hostcall(int fd, const char *ref)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *r;
	Wasmd__HostReply hr = WASMD__HOST_REPLY__INIT;
	Wasmd__Value arg = WASMD__VALUE__INIT, *args[1] = {&arg};

	send_hostcall_invoke(fd, ref);
	r = recv_env(fd, 10000);
	if (r == NULL || r->msg_case != WASMD__ENVELOPE__MSG_HOST_CALL ||
	    r->id != 41 || r->host_call->n_args != 1) {
		fprintf(stderr, "rawclient: expected a host_call for id 41\n");
		return 1;
	}
	printf("host_call %s.%s arg=%llu\n", r->host_call->module,
	    r->host_call->name,
	    (unsigned long long)r->host_call->args[0]->bits);
	wasmd__envelope__free_unpacked(r, NULL);
	arg.bits = 77;
	hr.n_results = 1;
	hr.results = args;
	wasmd__envelope__init(&env);
	env.id = 41;
	env.msg_case = WASMD__ENVELOPE__MSG_HOST_REPLY;
	env.host_reply = &hr;
	send_env(fd, &env);
	r = recv_env(fd, 10000);
	if (r == NULL || r->msg_case != WASMD__ENVELOPE__MSG_INVOKE_RESULT ||
	    r->id != 41 || r->invoke_result->n_results != 1) {
		fprintf(stderr, "rawclient: expected the invoke's result\n");
		return 1;
	}
	printf("result=%llu\n",
	    (unsigned long long)r->invoke_result->results[0]->bits);
	wasmd__envelope__free_unpacked(r, NULL);
	return 0;
}

static int
run_trickle(int fd, int ms)
{
	static const uint8_t hdr[] = {0, 0, 1, 0};
	char c;

	send_raw(fd, hdr, sizeof(hdr));
	for (int t = 0; t < ms; t += 100) {
		if (readable(fd, 100) && recv(fd, &c, 1, 0) <= 0) {
			printf("closed after about %d ms\n", t);
			return 0;
		}
		if (send(fd, "x", 1, MSG_NOSIGNAL) != 1) {
			printf("closed after about %d ms\n", t);
			return 0;
		}
	}
	fprintf(stderr, "rawclient: a trickling client was never closed\n");
	return 1;
}

static int
run_flood(int fd, int n)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__ListModules l = WASMD__LIST_MODULES__INIT;
	size_t len, got = 0;
	uint8_t *frame, buf[65536];
	ssize_t r;

	env.id = 9;
	env.msg_case = WASMD__ENVELOPE__MSG_LIST;
	env.list = &l;
	frame = wp_frame_pack(&env, &len);
	for (int i = 0; i < n; i++) {
		if (send(fd, frame, len, MSG_NOSIGNAL) != (ssize_t)len)
			break; /* dropped already */
	}
	free(frame);
	while (readable(fd, 10000) && (r = recv(fd, buf, sizeof(buf), 0)) > 0)
		got += (size_t)r;
	printf("closed after %zu bytes of replies\n", got);
	/* All n replies would be about n * 8 bytes at least: fewer came. */
	return got < (size_t)n * 8 ? 0 : 1;
}

/* The next envelope, or exit(1) when the daemon closes. */
static Wasmd__Envelope *
must_recv(int fd)
{
	Wasmd__Envelope *env = recv_env(fd, 10000);

	if (env == NULL) {
		fprintf(stderr, "rawclient: the daemon closed\n");
		exit(1);
	}
	return env;
}

static int
run_instances(int fd, int n, const char *ref)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *r;
	Wasmd__CreateInstance ci = WASMD__CREATE_INSTANCE__INIT;

	ci.ref = (char *)ref;
	env.msg_case = WASMD__ENVELOPE__MSG_CREATE_INSTANCE;
	env.create_instance = &ci;
	for (int i = 1; i <= n; i++) {
		env.id = (uint64_t)i;
		send_env(fd, &env);
		r = must_recv(fd);
		if (r->msg_case == WASMD__ENVELOPE__MSG_INSTANCE_CREATED)
			printf("created %llu\n",
			    (unsigned long long)
			        r->instance_created->instance_id);
		else if (r->msg_case == WASMD__ENVELOPE__MSG_ERROR)
			printf("error %d: %s\n", (int)r->error->code,
			    r->error->message);
		wasmd__envelope__free_unpacked(r, NULL);
	}
	return 0;
}

static int
run_dropcall(int fd, const char *ref, const char *export)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *r;
	Wasmd__CreateInstance ci = WASMD__CREATE_INSTANCE__INIT;
	Wasmd__DropInstance di = WASMD__DROP_INSTANCE__INIT;
	Wasmd__Invoke inv = WASMD__INVOKE__INIT;
	uint64_t instance;

	ci.ref = (char *)ref;
	env.id = 1;
	env.msg_case = WASMD__ENVELOPE__MSG_CREATE_INSTANCE;
	env.create_instance = &ci;
	send_env(fd, &env);
	r = must_recv(fd);
	if (r->msg_case != WASMD__ENVELOPE__MSG_INSTANCE_CREATED) {
		fprintf(stderr, "rawclient: no instance created\n");
		return 1;
	}
	instance = r->instance_created->instance_id;
	wasmd__envelope__free_unpacked(r, NULL);
	inv.export = (char *)export;
	inv.instance_id = instance;
	env.id = 2;
	env.msg_case = WASMD__ENVELOPE__MSG_INVOKE;
	env.invoke = &inv;
	send_env(fd, &env);
	usleep(300 * 1000); /* the call is running */
	di.instance_id = instance;
	env.id = 3;
	env.msg_case = WASMD__ENVELOPE__MSG_DROP_INSTANCE;
	env.drop_instance = &di;
	send_env(fd, &env);
	for (int i = 0; i < 2; i++) {
		r = must_recv(fd);
		if (r->id == 2 && r->msg_case == WASMD__ENVELOPE__MSG_ERROR)
			printf("call: error %d: %s\n", (int)r->error->code,
			    r->error->message);
		else if (r->id == 2)
			printf("call: not an error\n");
		else
			printf("drop: %s\n",
			    r->msg_case == WASMD__ENVELOPE__MSG_OK ? "ok"
			                                           : "failed");
		wasmd__envelope__free_unpacked(r, NULL);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *mode;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SOCKET MODE [ARGS...]\n", argv[0]);
		return 2;
	}
	fd = dial(argv[1]);
	mode = argv[2];
	if (strcmp(mode, "garbage") == 0) {
		/* A frame of 16 bytes that are not an Envelope. */
		static const uint8_t g[] = {0, 0, 0, 16, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff};
		send_raw(fd, g, sizeof(g));
		return expect_error_close(fd);
	}
	if (strcmp(mode, "oversized") == 0) {
		static const uint8_t h[] = {0xff, 0xff, 0xff, 0xf0};
		send_raw(fd, h, sizeof(h));
		return expect_error_close(fd);
	}
	if (strcmp(mode, "badversion") == 0) {
		hello(fd, 999);
		return expect_error_close(fd);
	}
	if (strcmp(mode, "hello") == 0 && argc == 4) {
		Wasmd__Envelope *env;

		hello(fd, (unsigned)atoi(argv[3]));
		env = recv_env(fd, 5000);
		if (env == NULL ||
		    env->msg_case != WASMD__ENVELOPE__MSG_HELLO) {
			if (env != NULL)
				wasmd__envelope__free_unpacked(env, NULL);
			return 1;
		}
		printf("hello version %u\n", env->hello->version);
		wasmd__envelope__free_unpacked(env, NULL);
		return 0;
	}
	if (strcmp(mode, "nohello") == 0) {
		Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
		Wasmd__ListModules l = WASMD__LIST_MODULES__INIT;
		char err[256];
		env.msg_case = WASMD__ENVELOPE__MSG_LIST;
		env.list = &l;
		/* A refused connection may be closed before this is sent; the
		 * error it got is still there to read. */
		(void)wp_write_envelope(fd, &env, err, sizeof(err));
		return expect_error_close(fd);
	}
	hello_ok(fd);
	if (strcmp(mode, "invoke-then-close") == 0 && argc == 6) {
		send_invoke(fd, 1, argv[3], argv[4]);
		usleep((useconds_t)atoi(argv[5]) * 1000);
		close(fd);
		return 0;
	}
	if (strcmp(mode, "idle") == 0 && argc == 4) {
		char c;
		if (readable(fd, atoi(argv[3])) && recv(fd, &c, 1, 0) == 0) {
			printf("closed\n");
			return 0;
		}
		fprintf(stderr, "rawclient: still open\n");
		return 1;
	}
	if (strcmp(mode, "pipeline") == 0 && argc == 6)
		return run_pipeline(fd, argv[3], argv[4], atoi(argv[5]));
	if (strcmp(mode, "list") == 0)
		return run_list(fd);
	if (strcmp(mode, "bigpush") == 0 && argc == 5)
		return run_bigpush(fd, argv[3], argv[4]);
	if (strcmp(mode, "listwhile") == 0 && argc == 4)
		return run_listwhile(fd, (pid_t)atoi(argv[3]));
	if (strcmp(mode, "remove") == 0 && argc == 5)
		return run_remove(fd, argv[3], atoi(argv[4]));
	if (strcmp(mode, "trickle") == 0 && argc == 4)
		return run_trickle(fd, atoi(argv[3]));
	if (strcmp(mode, "flood") == 0 && argc == 4)
		return run_flood(fd, atoi(argv[3]));
	if (strcmp(mode, "nulname") == 0) {
		/* Envelope{id 1, push{wasm "\0asm\1\0\0\0", name
		 * "ok\0../../x"}}, by hand: the library would stop at the NUL. */
		static const uint8_t f[] = {0, 0, 0, 26, 0x08, 0x01, 0x2a, 22,
		    0x0a, 8, 0, 'a', 's', 'm', 1, 0, 0, 0, 0x12, 10, 'o', 'k',
		    0, '.', '.', '/', '.', '.', '/', 'x'};
		send_raw(fd, f, sizeof(f));
		return expect_error_close(fd);
	}
	if (strcmp(mode, "instances") == 0 && argc == 5)
		return run_instances(fd, atoi(argv[3]), argv[4]);
	if (strcmp(mode, "dropcall") == 0 && argc == 5)
		return run_dropcall(fd, argv[3], argv[4]);
	if (strcmp(mode, "memflood") == 0 && argc == 6)
		return run_memflood(fd, argv[3], atoi(argv[4]), atoi(argv[5]));
	if (strcmp(mode, "hostcall") == 0 && argc == 4)
		return run_hostcall(fd, argv[3]);
	fprintf(stderr, "rawclient: unknown mode %s\n", mode);
	return 2;
}
