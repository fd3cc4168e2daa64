/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve.c: the jobs of one tenant from the supervisor (serve.h), run with
 * the engine in a confined process.
 *
 * The exchange (../notes/daemon-protocol.md): the worker confines itself,
 * sends hello{version, worker_pid}, then reads envelopes one at a time and
 * answers each:
 *   push{module_size, snapshot_room}, the module's bytes as a memfd (or
 *                 push{wasm}) and a memfd for its snapshot
 *                 -> module_info{size, imports, exports} | error; with an
 *                    initializer (PushModule.init, or wizer.initialize)
 *                    it runs once, its snapshot goes into that memfd and
 *                    module_info says its size (push_snapshot,
 *                    put_snapshot)
 *   invoke{...}   -> invoke_result{results | trap} | error, with
 *                    host_call / host_reply exchanges (same id) whenever
 *                    the guest calls an import the client serves,
 *                    and output{fd, data} frames (same id) while a WASI
 *                    guest writes to stdout or stderr (wasi_job.h).
 * Anything else gets error{ERR_BAD_REQUEST}. The worker serves jobs until
 * the supervisor closes the socket: the supervisor binds it to one tenant
 * at its first job and decides when it is recycled (pool.c). Every invoke
 * gets a fresh store, instance and WASI world; only modules (and their
 * snapshots) survive, in the cache by digest (cache.h), their bytes passed
 * once as read-only descriptors (the stored files, mapped, not read).
 * create_instance{module_digest} gets its module the same way.
 *
 * Host imports suspend the engine (WE_HOST_SUSPEND); the call returns
 * WE_CALL_SUSPENDED, the worker relays the call to the supervisor, blocks
 * for the reply and resumes. The guest's memory limit, fuel and call depth
 * come from the invoke's limits; the wall-clock deadline is enforced by the
 * supervisor, which kills the worker.
 */
#include "serve.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <wasmd/engine.h>

#include "cache.h"
#include "convert.h"
#include "frame.h"
#include "hooks.h"
#include "hostmem.h"
#include "sandbox.h"
#include "wasi_job.h"

/* Wasm frames per call: the engine's default; it never recurses in C. */
#define WRK_CALL_DEPTH 10000u
#define WRK_PAGE_BYTES 65536u /* a WebAssembly page */
#define WRK_MAX_PAGES 65536u  /* 4 GiB, the most a 32-bit memory holds */

/* Exit statuses of a worker. */
enum {
	WRK_EXIT_OK = 0,  /* replied, or the supervisor hung up */
	WRK_EXIT_BAD = 1, /* confinement failed or a malformed frame */
};

/*
 * What a worker keeps across its jobs: its modules, and the store its
 * fresh invokes run in, emptied after each (we_store_reset keeps the value
 * and frame stacks, which are costly to map and fault in every time).
 */
typedef struct kept {
	wrk_cache *cache; /* own */
	we_store *store;  /* own: NULL before the first invoke */
	we_config config; /* the store's */
	wp_reader reader; /* the supervisor's frames, read ahead */
} kept;

typedef struct job {
	int fd;
	uint64_t id;         /* the request's envelope id, echoed in replies */
	wrk_arena arena;     /* the reply under construction */
	int exit_status;     /* set when the job must end early */
	bool done;           /* the job is over (replied or abandoned) */
	uint32_t host_index; /* host_imports index of the suspended call */
	we_instance *inst;   /* borrowed: the guest, whose memories host calls
	                      name (hostmem.h), or NULL */
	char host_trap[512]; /* why a host call traps before it is relayed */
	wrk_wasi *wasi;      /* own: the guest's WASI world, or NULL */
	bool closed;         /* the supervisor hung up: serve no more */
	wrk_cache *cache;    /* borrowed: the worker's modules */
	kept *kept;          /* borrowed: what outlives the job, or NULL */
	we_template *tmpl;   /* borrowed: the cached module's, or NULL */
	we_snapshot *snap;   /* borrowed: the cached snapshot, or NULL */
	int module_fd;       /* own: the module's descriptor that came with
	                        the request (a stored file or a memfd), or -1 */
	int snap_fd;         /* own: its snapshot's, after it, or -1; a
	                        push's: where its snapshot goes */
	const char *cached;  /* borrowed (request): cached module to measure */
	uint64_t heap_mark;  /* heap in use once the module was at hand */
	bool in_init;        /* linking a push's initializer */
	bool init_stubs;     /* ... with PushModule.init_stub_imports */
} job;

/* What a suspending host function knows: its job and its import. */
typedef struct host_env {
	job *job;
	uint32_t index; /* in Invoke.host_imports */
} host_env;

/* ---- Replies ---------------------------------------------------------- */

/*
 * Sends env (with the job's id). A vanished supervisor ends the job
 * quietly: nobody is left to answer.
 */
static void send_error(job *j, Wasmd__ErrorCode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Whether env fits in a worker's reply (WP_REPLY_MAX; a ModuleInfo is
 * bounded by the supervisor's --max-module-info instead); if not, the job
 * ends with an error saying so. The supervisor kills a worker that sends
 * more.
 */
static bool
reply_fits(job *j, const Wasmd__Envelope *env)
{
	size_t len = wasmd__envelope__get_packed_size(env);

	if (env->msg_case == WASMD__ENVELOPE__MSG_MODULE_INFO ||
	    len <= WP_REPLY_MAX)
		return true;
	send_error(j, WASMD__ERROR_CODE__ERR_LIMIT,
	    "the %s takes %zu bytes, more than the %u bytes a worker's "
	    "reply may carry",
	    env->msg_case == WASMD__ENVELOPE__MSG_HOST_CALL
	        ? "host call (its arguments)"
	        : env->msg_case == WASMD__ENVELOPE__MSG_INVOKE_RESULT
	        ? "call's result"
	        : "reply",
	    len, WP_REPLY_MAX);
	return false;
}

static void
send_envelope(job *j, Wasmd__Envelope *env)
{
	char err[128];

	if (env->msg_case != WASMD__ENVELOPE__MSG_ERROR && !reply_fits(j, env))
		return;
	env->id = j->id;
	if (wp_write_envelope(j->fd, env, err, sizeof err) < 0) {
		j->done = true;
		j->closed = true;
		j->exit_status = WRK_EXIT_OK;
	}
}

/* Replies error{code, message}; the job is then over. */
static void
send_error(job *j, Wasmd__ErrorCode code, const char *fmt, ...)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Error e = WASMD__ERROR__INIT;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	e.code = code;
	e.message = msg;
	env.msg_case = WASMD__ENVELOPE__MSG_ERROR;
	env.error = &e;
	send_envelope(j, &env);
	j->done = true;
}

static void
send_hello(job *j)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Hello h = WASMD__HELLO__INIT;

	h.version = WP_PROTOCOL_VERSION;
	h.software = (char *)"wasmd-worker " WASMD_VERSION;
	h.worker_pid = (uint32_t)getpid();
	env.msg_case = WASMD__ENVELOPE__MSG_HELLO;
	env.hello = &h;
	send_envelope(j, &env);
}

/*
 * Reads the next envelope (through the worker's reader, one recvmsg() for
 * a small frame); passed: WP_FDS_MAX slots for the descriptors that came
 * with it, as for wp_reader_next_fds(), or NULL when none is expected. A
 * closed socket ends the job quietly; anything else unreadable is a broken
 * supervisor: answer if possible and fail. own: the result, freed with
 * wasmd__envelope__free_unpacked().
 */
static Wasmd__Envelope *
read_envelope_fd(job *j, int *passed)
{
	Wasmd__Envelope *env = NULL;
	char err[256];
	int rc;

	if (passed != NULL)
		for (size_t i = 0; i < WP_FDS_MAX; i++)
			passed[i] = -1;
	rc = j->kept != NULL
	    ? wp_reader_next_fds(&j->kept->reader, WP_FRAME_MAX_DEFAULT, &env,
	          passed, err, sizeof err)
	    : passed != NULL ? wp_read_envelope_fd(j->fd, WP_FRAME_MAX_DEFAULT,
	                           &env, passed, err, sizeof err)
	                     : wp_read_envelope(j->fd, WP_FRAME_MAX_DEFAULT,
	                           &env, err, sizeof err);

	if (rc == 0)
		return env;
	if (strncmp(err, "connection closed", 17) == 0) {
		j->done = true;
		j->closed = true;
		j->exit_status = WRK_EXIT_OK;
		return NULL;
	}
	/* A request larger than the memory limit allows: say so and leave. */
	if (strncmp(err, "out of memory", 13) == 0) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "worker: the request does not fit in its memory limit (%s)",
		    err);
		return NULL;
	}
	send_error(j, WASMD__ERROR_CODE__ERR_BAD_REQUEST, "worker: %s", err);
	j->exit_status = WRK_EXIT_BAD;
	return NULL;
}

static Wasmd__Envelope *
read_envelope(job *j)
{
	return read_envelope_fd(j, NULL);
}

/* ---- push ------------------------------------------------------------- */

/* A failed we_module_new(): out of memory or a bad module. */
static void
send_module_error(job *j, const we_error *err)
{
	if (err->code == WE_ERR_NOMEM)
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "out of memory decoding the module: %s", err->message);
	else
		send_error(j, WASMD__ERROR_CODE__ERR_INVALID_MODULE, "%s",
		    err->message);
}

static we_snapshot *push_snapshot(
    job *j, const Wasmd__PushModule *push, const we_module *m);

/*
 * The pushed module: decoded from the memfd that came with the push
 * (PushModule.module_size bytes, sealed by the supervisor), or from the
 * frame's own bytes. NULL after replying.
 */
static we_module *
push_module(job *j, const Wasmd__PushModule *push, size_t *size)
{
	we_error err = {0};
	we_module *m;
	void *bytes;

	*size = push->wasm.len;
	if (push->module_size == 0 && j->module_fd < 0)
		m = we_module_new(push->wasm.data, push->wasm.len, &err);
	else if (push->module_size == 0 || j->module_fd < 0 ||
	    push->module_size > WP_FRAME_MAX_DEFAULT) {
		send_error(j, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "worker: a pushed module's memfd needs its size");
		j->exit_status = WRK_EXIT_BAD;
		return NULL;
	} else {
		*size = (size_t)push->module_size;
		bytes =
		    mmap(NULL, *size, PROT_READ, MAP_PRIVATE, j->module_fd, 0);
		if (bytes == MAP_FAILED) {
			send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
			    "worker: cannot map the module's %zu bytes", *size);
			return NULL;
		}
		m = we_module_new(bytes, *size, &err);
		munmap(bytes, *size);
	}
	if (m == NULL)
		send_module_error(j, &err);
	return m;
}

/*
 * The snapshot into the memfd that came with the push for it (j->snap_fd,
 * PushModule.snapshot_room bytes, sealed against growing): through a
 * shared mapping, unmapped before the reply (the supervisor seals the
 * memfd against any change, which fails while it is mapped), then the
 * memfd shrunk to the snapshot's size, which info says. Only mmap,
 * munmap and ftruncate: the filter's memory rules (sandbox_seccomp.c). A
 * snapshot larger than the room is not written: its size tells the
 * supervisor why. false after replying.
 */
static bool
put_snapshot(job *j, const Wasmd__PushModule *push, const we_snapshot *snap,
    Wasmd__ModuleInfo *info)
{
	size_t len;
	const uint8_t *bytes = we_snapshot_bytes(snap, &len);
	void *map;

	info->snapshot_size = len;
	if (j->snap_fd < 0) {
		send_error(j, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "worker: a push's snapshot needs the memfd to go in");
		j->exit_status = WRK_EXIT_BAD;
		return false;
	}
	if (len > push->snapshot_room)
		return true;
	map =
	    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, j->snap_fd, 0);
	if (map == MAP_FAILED) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "worker: cannot map the snapshot's %zu bytes", len);
		return false;
	}
	memcpy(map, bytes, len);
	munmap(map, len);
	if (ftruncate(j->snap_fd, (off_t)len) != 0) {
		send_error(j, WASMD__ERROR_CODE__ERR_INTERNAL,
		    "worker: cannot size the snapshot's memfd: %s",
		    strerror(errno));
		return false;
	}
	return true;
}

static void
serve_push(job *j, const Wasmd__PushModule *push)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	size_t size = 0;
	we_module *m = push_module(j, push, &size);
	we_snapshot *snap = NULL;

	if (m == NULL)
		return;
	env.module_info = wrk_module_info(&j->arena, m, size);
	if (env.module_info == NULL) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "out of memory describing the module");
	} else if (((snap = push_snapshot(j, push, m)) != NULL &&
	               put_snapshot(j, push, snap, env.module_info)) ||
	    (snap == NULL && !j->done)) {
		env.msg_case = WASMD__ENVELOPE__MSG_MODULE_INFO;
		send_envelope(j, &env);
	}
	we_snapshot_free(snap);
	we_module_free(m);
}

/* ---- invoke: setting up ------------------------------------------------ */

/* The engine's limits for this invoke. */
static we_config
invoke_config(const Wasmd__InvokeLimits *limits)
{
	we_config c = {0};
	uint64_t bytes = limits != NULL ? limits->max_memory_bytes : 0;

	c.max_call_depth = WRK_CALL_DEPTH;
	/*
	 * Whole pages, at most 4 GiB. A limit below one page rounds up to
	 * one page: 0 pages would mean "the default" to the engine.
	 */
	if (bytes > 0) {
		uint64_t pages = bytes / WRK_PAGE_BYTES;

		if (pages == 0)
			pages = 1;
		c.max_memory_pages =
		    pages > WRK_MAX_PAGES ? WRK_MAX_PAGES : (uint32_t)pages;
	}
	return c;
}

/*
 * A host import the client serves: the engine suspends the invocation and
 * serve_host_call() relays it. Which import it was is noted in the job,
 * since the pending call does not carry the host_imports index.
 */
static we_host_status
host_suspend(we_hostcall *call)
{
	host_env *he = call->env;

	he->job->host_index = he->index;
	return WE_HOST_SUSPEND;
}

/* The host_imports entry named like import d, or -1. */
static long
find_host_import(const Wasmd__Invoke *inv, const we_importdesc *d)
{
	size_t i;

	for (i = 0; i < inv->n_host_imports; i++) {
		const Wasmd__HostImport *h = inv->host_imports[i];

		if (h != NULL && h->module != NULL && h->name != NULL &&
		    strcmp(h->module, d->module) == 0 &&
		    strcmp(h->name, d->name) == 0)
			return (long)i;
	}
	return -1;
}

/* A suspending host function for host_imports[index], or NULL on OOM. */
static we_func *
make_host_func(job *j, we_store *s, const we_functype *type, uint32_t index)
{
	host_env *he = wrk_arena_alloc(&j->arena, sizeof *he);

	if (he == NULL)
		return NULL;
	he->job = j;
	he->index = index;
	return we_func_new_host(s, type, host_suspend, he, NULL);
}

/* An init stub's trap: which import was called (init_stub). */
static we_host_status
init_stub_called(we_hostcall *call)
{
	const we_importdesc *d = call->env;

	snprintf(call->message, WE_MSG_MAX,
	    "it called the import %s.%s, which --init-stub-imports links to "
	    "a stub during init",
	    d->module, d->name);
	return WE_HOST_TRAP;
}

/*
 * The stub a non-WASI function import d gets during an init with
 * init_stub_imports: it traps if called. NULL on OOM. d's names are the
 * module's, which outlives the store.
 */
static we_func *
init_stub(job *j, we_store *s, const we_importdesc *d)
{
	we_importdesc *env = wrk_arena_alloc(&j->arena, sizeof *env);

	if (env == NULL)
		return NULL;
	*env = *d;
	return we_func_new_host(
	    s, &d->type.of.func, init_stub_called, env, NULL);
}

/*
 * Resolves import i of m: from the client's host_imports, else from the
 * test hooks, else (an init with init_stub_imports) a stub that traps.
 * Replies with the error and returns false when it cannot.
 */
static bool
resolve_import(job *j, const Wasmd__Invoke *inv, we_store *s,
    const we_module *m, uint32_t i, we_import *out)
{
	we_importdesc d;
	long h;
	char want[256], have[256];

	we_module_import(m, i, &d);
	out->module = d.module;
	out->name = d.name;
	out->value.kind = WE_EXTERN_FUNC;
	if ((out->value.of.func = wrk_wasi_import(j->wasi, i)) != NULL)
		return true;
	h = d.type.kind == WE_EXTERN_FUNC ? find_host_import(inv, &d) : -1;
	if (h >= 0 &&
	    !wrk_functype_equals_pb(
	        &d.type.of.func, inv->host_imports[h]->type)) {
		send_error(j, WASMD__ERROR_CODE__ERR_LINK,
		    "import %s.%s: the module expects %s, the host declares %s",
		    d.module, d.name,
		    wrk_functype_str(&d.type.of.func, want, sizeof want),
		    wrk_functype_pb_str(
		        inv->host_imports[h]->type, have, sizeof have));
		return false;
	}
	if (h >= 0)
		out->value.of.func =
		    make_host_func(j, s, &d.type.of.func, (uint32_t)h);
	else
		out->value.of.func = wrk_hook_import(s, &d);
	if (h < 0 && out->value.of.func == NULL && j->init_stubs &&
	    d.type.kind == WE_EXTERN_FUNC)
		out->value.of.func = init_stub(j, s, &d);
	else if (h < 0 && out->value.of.func == NULL) {
		send_error(j, WASMD__ERROR_CODE__ERR_LINK,
		    "unknown import %s.%s%s", d.module, d.name,
		    d.type.kind != WE_EXTERN_FUNC
		        ? " (only host functions can be provided)"
		        : j->in_init
		        ? " during init (only WASI is offered; "
		          "--init-stub-imports links the others to stubs "
		          "that trap if called)"
		        : "");
		return false;
	}
	if (out->value.of.func == NULL) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "out of memory linking %s.%s", d.module, d.name);
		return false;
	}
	return true;
}

/*
 * The WASI functions, when m imports any (wasi_job.h). Replies and
 * returns false when they cannot be made.
 */
static bool
link_wasi(job *j, const Wasmd__Invoke *inv, we_store *s, const we_module *m)
{
	we_error err = {0};
	bool nomem = false;
	char why[512] = "";

	if (j->wasi == NULL)
		j->wasi =
		    wrk_wasi_new(inv, m, j->fd, j->id, &nomem, why, sizeof why);
	if (why[0] != '\0') {
		send_error(j, WASMD__ERROR_CODE__ERR_BAD_REQUEST, "%s", why);
		return false;
	}
	if (nomem) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "out of memory setting up WASI");
		return false;
	}
	if (j->wasi == NULL || wrk_wasi_link(j->wasi, s, m, &err))
		return true;
	send_error(j,
	    err.code == WE_ERR_NOMEM ? WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY
	                             : WASMD__ERROR_CODE__ERR_LINK,
	    "%s", err.message);
	return false;
}

/* Every import of m, resolved; NULL (after replying) when one is not. */
static we_import *
resolve_imports(
    job *j, const Wasmd__Invoke *inv, we_store *s, const we_module *m)
{
	uint32_t n = we_module_import_count(m), i;
	we_import *imports =
	    wrk_arena_alloc(&j->arena, (n + 1) * sizeof *imports);

	if (imports == NULL) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "out of memory linking the module");
		return NULL;
	}
	if (!link_wasi(j, inv, s, m))
		return NULL;
	for (i = 0; i < n; i++) {
		if (!resolve_import(j, inv, s, m, i, &imports[i]))
			return NULL;
	}
	return imports;
}

/*
 * Checks that the export exists, is a function and takes these arguments;
 * fills args (nparams values). Replies and returns false when not.
 */
static bool
check_export(job *j, const Wasmd__Invoke *inv, const we_module *m,
    we_exportdesc *d, we_val **args)
{
	static const char *const kinds[] = {
	    "function", "table", "memory", "global"};
	const we_functype *t;
	char msg[256];

	if (!we_module_find_export(m, inv->export, d)) {
		send_error(j, WASMD__ERROR_CODE__ERR_MISSING_EXPORT,
		    "the module has no export named \"%s\"", inv->export);
		return false;
	}
	if (d->type.kind != WE_EXTERN_FUNC) {
		send_error(j, WASMD__ERROR_CODE__ERR_MISSING_EXPORT,
		    "export \"%s\" is a %s, not a function", inv->export,
		    kinds[d->type.kind & 3]);
		return false;
	}
	t = &d->type.of.func;
	*args = wrk_arena_alloc(&j->arena, (t->nparams + 1) * sizeof **args);
	if (*args == NULL) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "out of memory reading the arguments");
		return false;
	}
	if (!wrk_values_from_pb(m, inv->args, inv->n_args, t->params,
	        t->nparams, "argument", *args, msg, sizeof msg)) {
		char sig[256];

		send_error(j, WASMD__ERROR_CODE__ERR_BAD_ARGUMENTS, "%s %s: %s",
		    inv->export, wrk_functype_str(t, sig, sizeof sig), msg);
		return false;
	}
	return true;
}

/* ---- push: pre-initialization ------------------------------------------ */

static void send_instantiate_error(
    job *j, we_store *s, const we_error *err, uint64_t fuel, uint64_t elapsed);

/*
 * The initializer a push names: PushModule.init, else wizer.initialize
 * when m exports it; NULL for none (or after replying: j->done).
 */
static const char *
init_export(job *j, const Wasmd__PushModule *push, const we_module *m)
{
	bool named = push->init != NULL && push->init[0] != '\0';
	const char *name = named ? push->init : "wizer.initialize";
	we_exportdesc d;

	if (push->no_init)
		return NULL;
	if (!we_module_find_export(m, name, &d)) {
		if (named)
			send_error(j, WASMD__ERROR_CODE__ERR_MISSING_EXPORT,
			    "the module has no export named \"%s\" to "
			    "initialize with (--init)",
			    name);
		return NULL;
	}
	if (d.type.kind != WE_EXTERN_FUNC || d.type.of.func.nparams != 0 ||
	    d.type.of.func.nresults != 0) {
		send_error(j, WASMD__ERROR_CODE__ERR_BAD_ARGUMENTS,
		    "the initializer \"%s\" must be a function that takes "
		    "and returns nothing",
		    name);
		return NULL;
	}
	return name;
}

/* Replies why the initializer's call (status st) did not return. */
static void
send_init_failure(job *j, we_store *s, we_call_status st, const char *name)
{
	uint32_t code;

	if (st == WE_CALL_TRAP && j->wasi != NULL &&
	    wrk_wasi_exited(j->wasi, &code))
		send_error(j, WASMD__ERROR_CODE__ERR_INVALID_MODULE,
		    "the initializer %s exited with code %u: no snapshot", name,
		    code);
	else if (st == WE_CALL_TRAP)
		send_error(j, WASMD__ERROR_CODE__ERR_INVALID_MODULE,
		    "the initializer %s trapped: %s", name,
		    we_store_trap(s)->message);
	else if (st == WE_CALL_SUSPENDED)
		send_error(j, WASMD__ERROR_CODE__ERR_LINK,
		    "the initializer %s called a host function: only WASI "
		    "is offered during initialization",
		    name);
	else
		send_error(j, WASMD__ERROR_CODE__ERR_INTERNAL,
		    "the initializer %s did not run: %s", name,
		    we_store_error(s));
}

/* Instantiates m in s and runs its initializer; the instance or NULL. */
static we_instance *
run_initializer(job *j, const Wasmd__PushModule *push, const we_module *m,
    we_store *s, const char *name)
{
	Wasmd__Invoke inv = WASMD__INVOKE__INIT; /* no argv, env, files */
	uint64_t fuel = push->init_limits ? push->init_limits->fuel : 0;
	we_import *imports;
	we_instance *inst;
	we_call_status st;
	we_error err = {0};

	inv.export = (char *)name;
	inv.limits = push->init_limits;
	j->in_init = true;
	j->init_stubs = push->init_stub_imports;
	imports = resolve_imports(j, &inv, s, m);
	j->in_init = j->init_stubs = false;
	if (imports == NULL)
		return NULL;
	if (fuel > 0)
		we_store_set_fuel(s, fuel);
	wrk_wasi_set_init(j->wasi, true, push->init_allow_random);
	inst = we_instance_new(s, m, imports, we_module_import_count(m), &err);
	st = inst != NULL
	    ? we_func_call(s, we_instance_func(inst, name), NULL, 0, NULL, 0)
	    : WE_CALL_TRAP;
	wrk_wasi_set_init(j->wasi, false, false);
	if (inst == NULL && err.code != WE_ERR_TRAP) {
		send_instantiate_error(j, s, &err, fuel, 0);
		return NULL;
	}
	if (inst == NULL) {
		send_error(j, WASMD__ERROR_CODE__ERR_INVALID_MODULE,
		    "the start function trapped before the initializer %s "
		    "ran: %s",
		    name, we_store_trap(s)->message);
		return NULL;
	}
	if (st != WE_CALL_OK) {
		send_init_failure(j, s, st, name);
		return NULL;
	}
	return inst;
}

/*
 * A push's snapshot: the initializer run once in a fresh instance (under
 * the push's init_limits, without files, output discarded, random_get
 * refused unless allowed), then the instance's state taken. own: the
 * result; NULL when there is none to take, or after replying (j->done).
 */
static we_snapshot *
push_snapshot(job *j, const Wasmd__PushModule *push, const we_module *m)
{
	const char *name = init_export(j, push, m);
	we_config config = invoke_config(push->init_limits);
	we_snapshot *snap = NULL;
	we_error err = {0};
	we_instance *inst;
	we_store *s;

	if (name == NULL)
		return NULL;
	if ((s = we_store_new(&config)) == NULL) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "out of memory creating the initializer's store");
		return NULL;
	}
	inst = run_initializer(j, push, m, s, name);
	if (inst != NULL && (snap = we_snapshot_take(inst, &err)) == NULL)
		send_error(j,
		    err.code == WE_ERR_NOMEM
		        ? WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY
		        : WASMD__ERROR_CODE__ERR_INVALID_MODULE,
		    "the module cannot be snapshotted after %s: %s (push "
		    "it with --no-init)",
		    name, err.message);
	we_store_free(s);
	return snap;
}

/* ---- invoke: running -------------------------------------------------- */

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Relays the pending host call to the supervisor; blocks for its reply. */
static bool
send_host_call(job *j, const Wasmd__Invoke *inv, const we_pending *p)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__HostCall hc = WASMD__HOST_CALL__INIT;
	const Wasmd__HostImport *h = inv->host_imports[j->host_index];

	hc.import_index = j->host_index;
	hc.module = h->module;
	hc.name = h->name;
	hc.n_args = p->nargs;
	hc.args = wrk_values_to_pb(&j->arena, p->args, p->nargs);
	if (p->nargs > 0 && hc.args == NULL) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "out of memory relaying a host call");
		return false;
	}
	/* The guest's output so far comes before the call it makes. */
	wrk_wasi_flush(j->wasi);
	/* Declared (pointer, length) arguments travel with the call. */
	if (!wrk_hostmem_args(&j->arena, j->inst, h, p->args, p->nargs, &hc,
	        j->host_trap, sizeof j->host_trap))
		return false;
	env.msg_case = WASMD__ENVELOPE__MSG_HOST_CALL;
	env.host_call = &hc;
	send_envelope(j, &env);
	return !j->done;
}

/*
 * Waits for the host_reply to the host call just sent, serving the
 * client's memory reads and writes meanwhile. NULL when the job ended.
 * own: the result, freed with wasmd__envelope__free_unpacked().
 */
static Wasmd__Envelope *
await_host_reply(job *j)
{
	Wasmd__Envelope *env;

	while ((env = read_envelope(j)) != NULL && env->id == j->id &&
	    wrk_hostmem_is_request(env)) {
		Wasmd__Envelope out = WASMD__ENVELOPE__INIT;
		Wasmd__MemoryReply mr = WASMD__MEMORY_REPLY__INIT;
		wrk_arena bytes = {0}; /* freed once sent: reads add up */

		wrk_hostmem_serve(&bytes, j->inst, env, &mr);
		wasmd__envelope__free_unpacked(env, NULL);
		out.msg_case = WASMD__ENVELOPE__MSG_MEMORY_REPLY;
		out.memory_reply = &mr;
		send_envelope(j, &out);
		wrk_arena_free(&bytes);
		if (j->done)
			return NULL;
	}
	return env;
}

/* Resumes the suspended call with the host's reply (or its error). */
static we_call_status
resume_with_reply(job *j, we_store *s, const Wasmd__HostReply *r,
    const Wasmd__HostImport *h, we_val *results, size_t nresults)
{
	const we_pending *p = we_store_pending(s);
	const we_functype *t = p->type;
	we_val *vals;
	char msg[WE_MSG_MAX - 64], trap[WE_MSG_MAX];

	if (r->error != NULL && r->error[0] != '\0')
		return we_resume_trap(s, r->error, results, nresults);
	if (!wrk_hostmem_apply(j->inst, r, trap, sizeof trap))
		return we_resume_trap(s, trap, results, nresults);
	vals = wrk_arena_alloc(&j->arena, (t->nresults + 1) * sizeof *vals);
	if (vals == NULL)
		return we_resume_trap(s, "out of memory", results, nresults);
	if (!wrk_values_from_pb(we_instance_module(j->inst), r->results,
	        r->n_results, t->results, t->nresults, "result", vals, msg,
	        sizeof msg)) {
		snprintf(trap, sizeof trap, "host reply for %s.%s: %s",
		    h->module, h->name, msg);
		return we_resume_trap(s, trap, results, nresults);
	}
	return we_resume(s, vals, t->nresults, results, nresults);
}

/*
 * One host call: relay, wait, resume. Returns the call's new status, or
 * WE_CALL_ERROR with j->done set when the job ended on the way.
 */
static we_call_status
serve_host_call_in(job *j, const Wasmd__Invoke *inv, we_store *s,
    we_val *results, size_t nresults)
{
	const we_pending *p = we_store_pending(s);
	Wasmd__Envelope *reply;
	we_call_status st;

	if (p == NULL || j->host_index >= inv->n_host_imports) {
		send_error(j, WASMD__ERROR_CODE__ERR_INTERNAL,
		    "the engine suspended without a pending host call");
		return WE_CALL_ERROR;
	}
	j->host_trap[0] = '\0';
	if (!send_host_call(j, inv, p))
		return j->host_trap[0] != '\0' && !j->done
		    ? we_resume_trap(s, j->host_trap, results, nresults)
		    : WE_CALL_ERROR;
	reply = await_host_reply(j);
	if (reply == NULL)
		return WE_CALL_ERROR;
	if (reply->msg_case != WASMD__ENVELOPE__MSG_HOST_REPLY ||
	    reply->id != j->id) {
		wasmd__envelope__free_unpacked(reply, NULL);
		send_error(j, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "expected a host_reply to a host_call");
		return WE_CALL_ERROR;
	}
	st = resume_with_reply(j, s, reply->host_reply,
	    inv->host_imports[j->host_index], results, nresults);
	wasmd__envelope__free_unpacked(reply, NULL);
	return st;
}

/*
 * serve_host_call_in() with an arena of its own, freed once the guest has
 * resumed: a guest may make millions of host calls in one invocation,
 * each with arguments and memory bytes to relay.
 */
static we_call_status
serve_host_call(job *j, const Wasmd__Invoke *inv, we_store *s, we_val *results,
    size_t nresults)
{
	wrk_arena outer = j->arena;
	we_call_status st;

	j->arena = (wrk_arena){0};
	st = serve_host_call_in(j, inv, s, results, nresults);
	wrk_arena_free(&j->arena);
	j->arena = outer;
	return st;
}

/* Sends invoke_result for a call that ended with status st. */
static void
send_call_result(job *j, we_store *s, we_call_status st, const we_val *results,
    size_t nresults, uint64_t fuel, uint64_t elapsed)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__InvokeResult ir = WASMD__INVOKE_RESULT__INIT;

	if (st == WE_CALL_ERROR) {
		send_error(j, WASMD__ERROR_CODE__ERR_BAD_ARGUMENTS, "%s",
		    we_store_error(s));
		return;
	}
	if (st == WE_CALL_TRAP) {
		ir.trap = wrk_trap_to_pb(&j->arena, we_store_trap(s));
	} else {
		ir.results = wrk_values_to_pb(&j->arena, results, nresults);
		ir.n_results = nresults;
	}
	if ((st == WE_CALL_TRAP && ir.trap == NULL) ||
	    (st == WE_CALL_OK && nresults > 0 && ir.results == NULL)) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "out of memory sending the results");
		return;
	}
	wrk_wasi_result(j->wasi, st, &ir);
	if (j->cache != NULL)
		ir.cache_evicted =
		    wrk_cache_evicted(j->cache, &ir.n_cache_evicted);
	ir.fuel_consumed = fuel > 0 ? we_store_fuel_consumed(s) : 0;
	ir.elapsed_us = elapsed;
	env.msg_case = WASMD__ENVELOPE__MSG_INVOKE_RESULT;
	env.invoke_result = &ir;
	send_envelope(j, &env);
	j->done = true;
}

/* Instantiation failed: a trap is a result, the rest are errors. */
static void
send_instantiate_error(
    job *j, we_store *s, const we_error *err, uint64_t fuel, uint64_t elapsed)
{
	switch (err->code) {
	case WE_ERR_TRAP:
		send_call_result(j, s, WE_CALL_TRAP, NULL, 0, fuel, elapsed);
		break;
	case WE_ERR_LINK:
		send_error(j, WASMD__ERROR_CODE__ERR_LINK, "%s", err->message);
		break;
	case WE_ERR_NOMEM:
	case WE_ERR_LIMIT:
		/* The limits a worker applies are all about memory. */
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY, "%s",
		    err->message);
		break;
	default:
		send_error(j, WASMD__ERROR_CODE__ERR_INTERNAL,
		    "instantiation failed: %s", err->message);
		break;
	}
}

/* Instantiates m, calls the export and replies. */
static void
run_invoke(job *j, const Wasmd__Invoke *inv, const we_module *m, we_store *s,
    const we_val *args, size_t nargs)
{
	uint64_t fuel = inv->limits != NULL ? inv->limits->fuel : 0;
	we_import *imports = resolve_imports(j, inv, s, m);
	we_error err = {0};
	we_instance *inst;
	we_func *f;
	we_val *results;
	size_t nresults;
	uint64_t t0 = now_us();
	we_call_status st;

	if (imports == NULL)
		return;
	if (fuel > 0)
		we_store_set_fuel(s, fuel);
	/* A snapshot or a template maps its memory image copy-on-write:
	 * no segment copy (and, from a snapshot, no initializer again). */
	inst = j->snap != NULL ? we_snapshot_instantiate(s, j->snap, imports,
	                             we_module_import_count(m), &err)
	    : j->tmpl != NULL
	    ? we_template_instantiate(
	          s, j->tmpl, imports, we_module_import_count(m), &err)
	    : we_instance_new(s, m, imports, we_module_import_count(m), &err);
	if (inst == NULL) {
		send_instantiate_error(j, s, &err, fuel, now_us() - t0);
		return;
	}
	j->inst = inst;
	f = we_instance_func(inst, inv->export);
	nresults = f != NULL ? we_func_type(f)->nresults : 0;
	results = wrk_arena_alloc(&j->arena, (nresults + 1) * sizeof *results);
	if (f == NULL || results == NULL) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "out of memory preparing the call");
		return;
	}
	st = we_func_call(s, f, args, nargs, results, nresults);
	while (st == WE_CALL_SUSPENDED && !j->done)
		st = serve_host_call(j, inv, s, results, nresults);
	if (!j->done)
		send_call_result(
		    j, s, st, results, nresults, fuel, now_us() - t0);
}

/*
 * Decodes the module whose bytes came as the descriptor j->module_fd (size
 * bytes: its stored file, or a push's sealed memfd) and caches it under
 * digest, at the heap its decoding took. NULL after replying.
 */
static we_module *
load_passed_module(job *j, const char *digest, uint64_t size)
{
	we_error err = {0};
	uint64_t heap0;
	we_module *m;
	void *bytes;

	if (size == 0 || size > WP_FRAME_MAX_DEFAULT || strlen(digest) != 64) {
		send_error(j, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "worker: a module's descriptor needs a digest and a size");
		j->exit_status = WRK_EXIT_BAD;
		return NULL;
	}
	bytes = mmap(NULL, size, PROT_READ, MAP_PRIVATE, j->module_fd, 0);
	if (bytes == MAP_FAILED) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "worker: cannot map the module's %llu bytes",
		    (unsigned long long)size);
		return NULL;
	}
	wrk_cache_shed(j->cache);
	heap0 = wrk_cache_heap_used();
	m = we_module_new(bytes, size, &err);
	if (m != NULL) {
		uint64_t used = wrk_cache_heap_used() - heap0;

		/* The copy of the bytes, at least, whatever mallinfo says. */
		m = wrk_cache_put(
		    j->cache, digest, m, used > size ? used : size);
		if (m == NULL)
			err = (we_error){.code = WE_ERR_NOMEM,
			    .message = "caching the module"};
	}
	munmap(bytes, size);
	if (m == NULL)
		send_module_error(j, &err);
	return m;
}

/*
 * The snapshot the invoke starts from (Invoke.snapshot_digest), if any:
 * from the cache, or loaded from the descriptor that came after the
 * module's (its stored file, read-only), checked in full (never trusted:
 * a damaged file is refused) and cached with its module. False after
 * replying.
 */
static bool
invoke_snapshot(
    job *j, const Wasmd__Invoke *inv, const char *digest, const we_module *m)
{
	const char *snap = inv->snapshot_digest ? inv->snapshot_digest : "";
	uint64_t size = inv->snapshot_size;
	we_error err = {0};
	we_snapshot *s;
	uint8_t *bytes;

	if (snap[0] == '\0')
		return true;
	if ((j->snap = wrk_cache_snapshot(j->cache, digest, snap)) != NULL)
		return true;
	if (j->snap_fd < 0 || size == 0 || size > WP_FRAME_MAX_DEFAULT ||
	    strlen(snap) != 64) {
		send_error(j, WASMD__ERROR_CODE__ERR_INTERNAL,
		    "worker: the snapshot %.64s is not in its cache and its "
		    "bytes did not come",
		    snap);
		return false;
	}
	bytes = mmap(NULL, size, PROT_READ, MAP_PRIVATE, j->snap_fd, 0);
	if (bytes == MAP_FAILED) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "worker: cannot map the snapshot's %llu bytes",
		    (unsigned long long)size);
		return false;
	}
	s = we_snapshot_load(m, bytes, size, WE_SNAPSHOT_IMAGE, &err);
	munmap(bytes, size);
	if (s == NULL) {
		send_error(j,
		    err.code == WE_ERR_NOMEM
		        ? WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY
		        : WASMD__ERROR_CODE__ERR_INVALID_MODULE,
		    "the stored snapshot of module %.12s is refused: %s (push "
		    "the module again to remake it, or invoke with "
		    "--no-snapshot)",
		    digest, err.message);
		return false;
	}
	if (!wrk_cache_set_snapshot(j->cache, digest, snap, s,
	        we_snapshot_memory_bytes(s) + size)) {
		send_error(j, WASMD__ERROR_CODE__ERR_INTERNAL,
		    "worker: module %.64s left its cache", digest);
		return false;
	}
	j->snap = s;
	return true;
}

/*
 * The invoke's module: from its inline bytes (*owned: the caller frees
 * it), from the descriptor that came with it, or from the cache. NULL after
 * replying.
 */
static we_module *
invoke_module(job *j, const Wasmd__Invoke *inv, bool *owned)
{
	const char *digest = inv->module_digest ? inv->module_digest : "";
	we_error err = {0};
	we_module *m;

	*owned = inv->wasm.len > 0 || digest[0] == '\0' || j->cache == NULL;
	if (*owned) {
		m = we_module_new(inv->wasm.data, inv->wasm.len, &err);
		if (m == NULL)
			send_module_error(j, &err);
		return m;
	}
	/* The module's descriptor comes with its snapshot's even when the
	 * module is cached: a cached module stays. */
	m = wrk_cache_get(j->cache, digest);
	if (m == NULL && j->module_fd >= 0)
		m = load_passed_module(j, digest, inv->module_size);
	if (m == NULL && !j->done)
		send_error(j, WASMD__ERROR_CODE__ERR_INTERNAL,
		    "worker: module %.64s is not in its cache and its bytes "
		    "did not come",
		    digest);
	if (m == NULL)
		return NULL;
	if (!invoke_snapshot(j, inv, digest, m))
		return NULL;
	/* Lazily compiled code may have grown the others past the budget:
	 * evict now, while the reply can still say so. */
	wrk_cache_trim(j->cache, digest);
	j->tmpl = wrk_cache_template(j->cache, digest);
	if (wrk_cache_measure(j->cache, digest)) {
		j->cached = digest;
		j->heap_mark = wrk_cache_heap_used();
	}
	return m;
}

static bool
same_config(const we_config *a, const we_config *b)
{
	return a->max_call_depth == b->max_call_depth &&
	    a->max_stack_bytes == b->max_stack_bytes &&
	    a->max_memory_pages == b->max_memory_pages &&
	    a->max_table_elems == b->max_table_elems;
}

/* The kept store when it has this config, else a new one (or NULL). */
static we_store *
take_store(job *j, const we_config *config)
{
	we_store *s;

	if (j->kept == NULL || j->kept->store == NULL ||
	    !same_config(&j->kept->config, config))
		return we_store_new(config);
	s = j->kept->store;
	j->kept->store = NULL;
	return s;
}

/* Empties s for the next invoke, or frees it. */
static void
return_store(job *j, we_store *s, const we_config *config)
{
	if (s == NULL)
		return;
	if (j->kept == NULL || j->kept->store != NULL ||
	    we_store_reset(s) != WE_OK) {
		we_store_free(s);
		return;
	}
	j->kept->store = s;
	j->kept->config = *config;
}

static void
serve_invoke(job *j, const Wasmd__Invoke *inv)
{
	bool owned;
	we_module *m = invoke_module(j, inv, &owned);
	we_exportdesc d;
	we_config config = invoke_config(inv->limits);
	we_store *s;
	we_val *args;

	if (m == NULL)
		return;
	if (check_export(j, inv, m, &d, &args)) {
		s = take_store(j, &config);
		if (s == NULL)
			send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
			    "out of memory creating the store");
		else
			run_invoke(j, inv, m, s, args, d.type.of.func.nparams);
		/* Before the module may go (an inline one is freed below). */
		return_store(j, s, &config);
	}
	if (owned)
		we_module_free(m);
}

/* ---- Live instances ---------------------------------------------------- */

/*
 * One invoke of a live instance: the export of req, with the instance's
 * host imports and limits (fuel per call) from host.
 */
static void
call_instance(job *j, const Wasmd__Invoke *host, const Wasmd__Invoke *req,
    const we_module *m, we_store *s, we_instance *inst)
{
	uint64_t fuel = host->limits != NULL ? host->limits->fuel : 0;
	uint64_t t0 = now_us();
	we_exportdesc d;
	we_val *args, *results;
	we_func *f;
	size_t nresults;
	we_call_status st;

	if (!check_export(j, req, m, &d, &args))
		return;
	f = we_instance_func(inst, req->export);
	nresults = d.type.of.func.nresults;
	results = wrk_arena_alloc(&j->arena, (nresults + 1) * sizeof *results);
	if (f == NULL || results == NULL) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "out of memory preparing the call");
		return;
	}
	if (fuel > 0)
		we_store_set_fuel(s, fuel);
	st =
	    we_func_call(s, f, args, d.type.of.func.nparams, results, nresults);
	while (st == WE_CALL_SUSPENDED && !j->done)
		st = serve_host_call(j, host, s, results, nresults);
	if (st == WE_CALL_SUSPENDED)
		we_abandon(
		    s); /* the job ended on the way: keep the store usable */
	if (!j->done)
		send_call_result(
		    j, s, st, results, nresults, fuel, now_us() - t0);
}

/*
 * Whether m imports WASI: a live instance does not offer it (its output
 * frames would carry the creating request's id, not each call's).
 */
static bool
imports_wasi(const we_module *m)
{
	uint32_t n = we_module_import_count(m);

	for (uint32_t i = 0; i < n; i++) {
		we_importdesc d;

		we_module_import(m, i, &d);
		if (strcmp(d.module, "wasi_snapshot_preview1") == 0)
			return true;
	}
	return false;
}

/* Replies instance_created (the supervisor fills in the id). */
static void
send_instance_created(job *j)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__InstanceCreated ic = WASMD__INSTANCE_CREATED__INIT;

	env.msg_case = WASMD__ENVELOPE__MSG_INSTANCE_CREATED;
	env.instance_created = &ic;
	send_envelope(j, &env);
}

/* Serves invokes of inst until the supervisor hangs up or errs. */
static void
serve_instance_calls(job *j, const Wasmd__Invoke *host, const we_module *m,
    we_store *s, we_instance *inst)
{
	/* The host functions' state lives as long as the instance. */
	wrk_arena life = j->arena;
	Wasmd__Envelope *req;

	j->arena = (wrk_arena){0};
	while ((req = read_envelope(j)) != NULL) {
		bool invoke = req->msg_case == WASMD__ENVELOPE__MSG_INVOKE;

		/* A memory request that crossed the end of its call: no host
		 * call is pending, so there is nothing to answer. */
		if (wrk_hostmem_is_request(req)) {
			wasmd__envelope__free_unpacked(req, NULL);
			continue;
		}
		j->id = req->id;
		j->done = false;
		if (invoke)
			call_instance(j, host, req->invoke, m, s, inst);
		else
			send_error(j, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
			    "an instance's worker serves invoke, not message "
			    "%d",
			    (int)req->msg_case);
		wasmd__envelope__free_unpacked(req, NULL);
		wrk_arena_free(&j->arena);
		if (!invoke)
			break;
	}
	wrk_arena_free(&j->arena);
	j->arena = life;
}

/*
 * create_instance: instantiates the module once, answers
 * instance_created, then serves invokes of that one instance (for one
 * client connection) until the supervisor closes the socket.
 */
static void
serve_instance(job *j, const Wasmd__CreateInstance *ci)
{
	Wasmd__Invoke host = WASMD__INVOKE__INIT; /* as an invoke declares */
	we_error err = {0};
	we_module *m;
	we_store *s = NULL;
	we_config config = invoke_config(ci->limits);
	uint64_t fuel = ci->limits != NULL ? ci->limits->fuel : 0;
	uint64_t t0 = now_us();
	we_import *imports;
	we_instance *inst;
	bool owned;

	host.export = "";
	host.limits = ci->limits;
	host.n_host_imports = ci->n_host_imports;
	host.host_imports = ci->host_imports;
	host.wasm = ci->wasm;
	/* Named by digest, as a fresh invoke's module: from the descriptor
	 * that came with the request (mapped), or from the cache. */
	host.module_digest = ci->module_digest;
	host.module_size = ci->module_size;
	if ((m = invoke_module(j, &host, &owned)) == NULL)
		return;
	s = imports_wasi(m) ? NULL : we_store_new(&config);
	if (s == NULL && imports_wasi(m)) {
		send_error(j, WASMD__ERROR_CODE__ERR_LINK,
		    "the module imports wasi_snapshot_preview1: a live "
		    "instance does not offer WASI (invoke it without one)");
	} else if (s == NULL) {
		send_error(j, WASMD__ERROR_CODE__ERR_OUT_OF_MEMORY,
		    "out of memory creating the store");
	} else if ((imports = resolve_imports(j, &host, s, m)) != NULL) {
		if (fuel > 0)
			we_store_set_fuel(s, fuel);
		inst = we_instance_new(
		    s, m, imports, we_module_import_count(m), &err);
		if (inst == NULL) {
			send_instantiate_error(j, s, &err, fuel, now_us() - t0);
		} else {
			j->inst = inst;
			send_instance_created(j);
			if (!j->done)
				serve_instance_calls(j, &host, m, s, inst);
		}
	}
	we_store_free(s);
	if (owned)
		we_module_free(m);
}

/* ---- The job ---------------------------------------------------------- */

static void
serve_request(job *j, const Wasmd__Envelope *req)
{
	j->id = req->id;
	switch (req->msg_case) {
	case WASMD__ENVELOPE__MSG_PUSH: serve_push(j, req->push); break;
	case WASMD__ENVELOPE__MSG_INVOKE: serve_invoke(j, req->invoke); break;
	case WASMD__ENVELOPE__MSG_CREATE_INSTANCE:
		serve_instance(j, req->create_instance);
		break;
	default:
		send_error(j, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "a worker serves push or invoke, not message %d",
		    (int)req->msg_case);
		break;
	}
}

/* Reports a failed confinement where the supervisor can read it. */
static void
report_sandbox_failure(int fd, const char *why)
{
	job j = {.fd = fd};

	send_error(&j, WASMD__ERROR_CODE__ERR_INTERNAL,
	    "worker sandbox failed: %s", why);
}

/*
 * After a request: what lazily compiled code added to the cached module
 * it used (the heap grown since the module was at hand, once everything
 * of the request but the request itself is freed).
 */
static void
charge_compiled_code(job *j)
{
	uint64_t now;

	if (j->cached == NULL)
		return;
	now = wrk_cache_heap_used();
	if (now > j->heap_mark)
		wrk_cache_charge(j->cache, j->cached, now - j->heap_mark);
}

/*
 * One request: read it (with the descriptors a module may come with), serve
 * it, free everything of it. Returns -1 to go on, or the exit status once
 * the worker must stop serving (the supervisor hung up, or broke the
 * protocol).
 */
static int
serve_one(int fd, kept *k)
{
	job j = {.fd = fd, .cache = k->cache, .kept = k};
	int passed[WP_FDS_MAX];
	Wasmd__Envelope *req = read_envelope_fd(&j, passed);

	j.module_fd = passed[0];
	j.snap_fd = passed[1];
	if (req == NULL)
		return j.exit_status;
	serve_request(&j, req);
	if (j.module_fd >= 0)
		close(j.module_fd);
	if (j.snap_fd >= 0)
		close(j.snap_fd);
	wrk_wasi_free(j.wasi);
	wrk_arena_free(&j.arena);
	charge_compiled_code(&j);
	wasmd__envelope__free_unpacked(req, NULL);
	wrk_cache_end_request(k->cache);
	return j.closed || j.exit_status != WRK_EXIT_OK ? j.exit_status : -1;
}

int
wrk_serve_jobs(int fd, uint64_t cache_budget)
{
	job hello = {.fd = fd};
	kept k = {0};
	int status;

	send_hello(&hello);
	if (hello.done)
		return hello.exit_status;
	wp_reader_init(&k.reader, fd);
	k.cache = wrk_cache_new(cache_budget);
	if (k.cache == NULL)
		return WRK_EXIT_BAD;
	while ((status = serve_one(fd, &k)) < 0)
		;
	/* The store first: its instances may use the cached modules. */
	we_store_free(k.store);
	wrk_cache_free(k.cache);
	return status;
}

int
wrk_serve_job(int fd)
{
	return wrk_serve_jobs(fd, WRK_CACHE_DEFAULT_BYTES);
}

int
wrk_serve(int fd, uint64_t mem_limit, uint64_t cache_budget, pid_t parent)
{
	/* The cache lives within the address-space limit too. */
	uint64_t as = mem_limit == 0               ? 0
	    : mem_limit + cache_budget < mem_limit ? UINT64_MAX - 1
	                                           : mem_limit + cache_budget;
	wrk_sandbox_opts opts = {fd, as, parent};
	char err[256];

	if (wrk_sandbox_enter(&opts, err, sizeof err) < 0) {
		report_sandbox_failure(fd, err);
		return WRK_EXIT_BAD;
	}
	return wrk_serve_jobs(fd, cache_budget);
}
