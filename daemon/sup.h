/*
 * sup.h: the supervisor's private header (wasmd, daemon/ only).
 *
 * The supervisor is one libevent loop that owns the listening socket, the
 * client sessions, the per-tenant module store, the worker pool and the jobs
 * (pushes and invocations) that run in workers. It never parses WebAssembly
 * and never includes the engine's headers: every module byte it handles is
 * either stored as it came or handed to a sandboxed wasmd-worker.
 *
 * Topology (see main.c's sup_procs[] for the one-place table):
 *   client  --frames-->  session.c  sup_dispatch_client()
 *   worker  --frames-->  pool.c     sup_dispatch_worker()
 *   jobs: invoke.c (deadlines, death classification), store: store.c.
 *
 * Included only by the .c files in daemon/.
 */
#ifndef WASMD_DAEMON_SUP_H
#define WASMD_DAEMON_SUP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "frame.h"

struct sup;
struct sup_session;
struct sup_worker;
struct sup_job;

/* Flags, with their defaults filled by sup_config_defaults() (main.c). */
struct sup_config {
	char *socket_path;                   /* own */
	char *state_dir;                     /* own */
	char *worker_path;                   /* own: the wasmd-worker binary */
	mode_t socket_mode;                  /* of the listening socket file */
	unsigned pool_size;                  /* idle workers kept ready */
	uint64_t default_fuel, max_fuel;     /* 0: unmetered / no maximum */
	uint64_t default_memory, max_memory; /* bytes */
	uint32_t default_timeout_ms, max_timeout_ms; /* wall clock */
	uint64_t max_modules;                        /* per tenant */
	uint64_t max_module_bytes;                   /* per tenant, total */
	unsigned max_concurrent;  /* running jobs per tenant */
	unsigned max_connections; /* client sessions */
	size_t max_frame;         /* frame body bytes */
	uint32_t idle_timeout_ms; /* a session with nothing in flight */
	uint64_t max_output;      /* WASI stdout+stderr bytes per invocation */
};

/* log.c: one line per event on stderr, key=value fields. */
enum sup_prio {
	SUP_ERR = 3,
	SUP_WARNING = 4,
	SUP_NOTICE = 5,
	SUP_INFO = 6,
	SUP_DEBUG = 7,
};
void sup_log_init(void);
void sup_log(enum sup_prio prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* frames.c: frames over bufferevents. */
enum sup_frame_status {
	SUP_FRAME_NONE, /* no whole frame buffered yet */
	SUP_FRAME_OK,   /* *out holds one envelope */
	SUP_FRAME_BAD,  /* malformed or too big: err says why */
};
/* own: *out, freed with wasmd__envelope__free_unpacked(). */
enum sup_frame_status sup_frame_next(struct evbuffer *in, size_t max,
    Wasmd__Envelope **out, char *err, size_t errlen);
/* Queues env as one frame on bev. Returns 0, or -1 when out of memory. */
int sup_frame_send(struct bufferevent *bev, const Wasmd__Envelope *env);

/* tenant.c: tenants, one per peer uid for now. */
struct sup_module {
	TAILQ_ENTRY(sup_module) entry;
	char digest[65];
	uint64_t size;
	uint8_t *info; /* own: the serialized ModuleInfo (without names) */
	size_t info_len;
};
struct sup_name {
	TAILQ_ENTRY(sup_name) entry;
	char *name; /* own */
	char digest[65];
};
struct sup_tenant {
	TAILQ_ENTRY(sup_tenant) entry;
	char *name; /* own: "uid:1000" */
	char *dir;  /* own: STATE/tenants/<name> */
	TAILQ_HEAD(, sup_module) modules;
	TAILQ_HEAD(, sup_name) names;
	uint64_t nmodules;
	uint64_t nbytes;  /* sum of module sizes */
	unsigned running; /* jobs in flight */
};
/* Finds or creates the tenant of uid (borrowed: lives until sup_tenants_free). */
struct sup_tenant *sup_tenant_for_uid(struct sup *sup, uid_t uid);
struct sup_tenant *sup_tenant_by_name(struct sup *sup, const char *name);
void sup_tenants_free(struct sup *sup);

/* store.c: the module store on disk, mirrored in each tenant's lists. */
int sup_store_load(struct sup *sup);
/*
 * Resolves a ref (64-hex digest, unique 12+ hex prefix, or name). Returns the
 * module (borrowed) or NULL with err filled.
 */
struct sup_module *sup_store_resolve(
    struct sup_tenant *t, const char *ref, char *err, size_t errlen);
struct sup_module *sup_store_find(struct sup_tenant *t, const char *digest);
/*
 * Stores wasm (validated by a worker) with its info; sets the name when not
 * NULL/empty. Returns the module (borrowed) or NULL with err filled.
 */
struct sup_module *sup_store_add(struct sup *sup, struct sup_tenant *t,
    const uint8_t *wasm, size_t len, const Wasmd__ModuleInfo *info,
    const char *name, char *err, size_t errlen);
int sup_store_remove(
    struct sup_tenant *t, struct sup_module *m, char *err, size_t errlen);
/* own: the result (free()); NULL with err filled. */
uint8_t *sup_store_read_wasm(struct sup_tenant *t, const struct sup_module *m,
    size_t *len, char *err, size_t errlen);
/* own: the result, freed with sup_store_info_free(); names filled in. */
Wasmd__ModuleInfo *sup_store_info(
    struct sup_tenant *t, const struct sup_module *m);
void sup_store_info_free(Wasmd__ModuleInfo *info);
bool sup_store_name_ok(const char *name);
void sup_sha256_hex(const uint8_t *data, size_t len, char out[65]);

/* listener.c */
int sup_listener_open(struct sup *sup, char *err, size_t errlen);
void sup_listener_close(struct sup *sup);

/* session.c: client connections. */
struct sup_session {
	TAILQ_ENTRY(sup_session) entry;
	struct sup *sup;
	struct bufferevent *bev;   /* own */
	struct event *idle;        /* own: idle-timeout timer */
	struct sup_tenant *tenant; /* borrowed; NULL until hello */
	uid_t uid;
	pid_t pid;
	bool closing;               /* flush the output, then free */
	TAILQ_HEAD(, sup_job) jobs; /* in flight for this session */
};
void sup_session_new(struct sup *sup, int fd);
void sup_session_free(struct sup_session *s);
void sup_dispatch_client(struct sup_session *s, Wasmd__Envelope *env);
/* Called by invoke.c when the session's job list changes. */
void sup_session_jobs_changed(struct sup_session *s);
/* Sends env, replacing its id; closes the session on failure. */
void sup_session_send(struct sup_session *s, Wasmd__Envelope *env, uint64_t id);
void sup_session_fail(struct sup_session *s, uint64_t id, Wasmd__ErrorCode code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* pool.c: worker processes. */
enum sup_worker_state {
	SUP_W_STARTING, /* spawned, no hello yet */
	SUP_W_IDLE,     /* confined, waiting for a job */
	SUP_W_BUSY,     /* running a job */
	SUP_W_DONE,     /* replied or killed: waiting to be reaped */
};
struct sup_worker {
	TAILQ_ENTRY(sup_worker) entry;
	TAILQ_ENTRY(sup_worker) idle_entry;
	struct sup *sup;
	pid_t pid;
	struct bufferevent *bev; /* own; NULL after EOF */
	enum sup_worker_state state;
	struct sup_job *job;     /* borrowed; the job owns the link */
	bool killed;             /* we sent SIGKILL */
	const char *kill_reason; /* static string: why we killed it */
	bool reaped;
	int status; /* waitpid status once reaped */
	struct timespec spawned;
	struct event *startup; /* own: kills a worker that never says hello */
};
int sup_pool_init(struct sup *sup);
void sup_pool_shutdown(struct sup *sup);
/* Runs job on an idle worker now, or queues it until one is ready. */
void sup_pool_submit(struct sup *sup, struct sup_job *job);
void sup_pool_unqueue(struct sup *sup, struct sup_job *job);
void sup_worker_kill(struct sup_worker *w, const char *why);
/* Queues env on the worker's socket, replacing its id. */
int sup_worker_send(struct sup_worker *w, Wasmd__Envelope *env, uint64_t id);
/* Queues a packed frame (own: passed to libevent, freed by it). */
int sup_worker_send_frame(struct sup_worker *w, uint8_t *frame, size_t len);
void sup_dispatch_worker(struct sup_worker *w, Wasmd__Envelope *env);

/* invoke.c: jobs. */
enum sup_job_kind { SUP_JOB_PUSH, SUP_JOB_INVOKE };
struct sup_job {
	TAILQ_ENTRY(sup_job) session_entry;
	TAILQ_ENTRY(sup_job) queue_entry;
	struct sup *sup;
	enum sup_job_kind kind;
	uint64_t id;                 /* ours, on the worker socket */
	uint64_t client_id;          /* the client's request id */
	struct sup_session *session; /* borrowed; NULL once gone */
	struct sup_tenant *tenant;   /* borrowed */
	struct sup_worker *worker;   /* borrowed while running */
	bool queued;
	uint8_t *frame; /* own: the job's frame for the worker, until sent */
	size_t frame_len;
	uint8_t *wasm; /* own: push's module bytes */
	size_t wasm_len;
	char *name;        /* own: push's name, or NULL */
	char digest[65];   /* invoke's module */
	char *export_name; /* own: invoke's export, for logs */
	uint32_t timeout_ms;
	struct event *timer; /* own */
	struct timespec start;
	uint64_t max_output;   /* invoke: its output limit (output.c) */
	uint64_t output_bytes; /* invoke: output relayed so far */
};
/* Start a push or invoke for a session. They answer the client themselves. */
void sup_job_push(struct sup_session *s, uint64_t id, Wasmd__PushModule *push);
void sup_job_invoke(struct sup_session *s, uint64_t id, Wasmd__Invoke *inv);
/* A worker is ready for the job: send it and start the deadline. */
void sup_job_start(struct sup_job *job, struct sup_worker *w);
/* The worker's reply (module_info, invoke_result or error). */
void sup_job_reply(struct sup_job *job, Wasmd__Envelope *env);
void sup_job_host_call(struct sup_job *job, Wasmd__Envelope *env);
void sup_job_host_reply(struct sup_job *job, Wasmd__Envelope *env);
/*
 * output.c: a WASI guest's Output frame, counted against the job's limit
 * and relayed to the client; past the limit the worker is killed and the
 * job fails with ERR_LIMIT.
 */
void sup_job_output(struct sup_job *job, Wasmd__Envelope *env);
/* The worker is gone before replying: classify how it died. */
void sup_job_worker_died(struct sup_job *job, struct sup_worker *w);
/* The client closed: kill the worker and free the job. */
void sup_job_abandon(struct sup_job *job);
/* Fails a job that never got a worker. */
void sup_job_fail(struct sup_job *job, Wasmd__ErrorCode code, const char *msg);

/* The daemon. */
struct sup {
	struct event_base *base; /* own */
	struct sup_config cfg;
	int listen_fd;
	struct event *listen_ev; /* own */
	TAILQ_HEAD(, sup_session) sessions;
	unsigned nsessions;
	TAILQ_HEAD(, sup_tenant) tenants;
	TAILQ_HEAD(, sup_worker) workers; /* every live worker */
	TAILQ_HEAD(, sup_worker) idle;    /* confined and ready */
	TAILQ_HEAD(, sup_job) queue;      /* waiting for a worker */
	unsigned nstarting, nidle;
	unsigned spawn_failures;  /* consecutive deaths before hello */
	struct event *topup_ev;   /* own */
	struct event *sigchld_ev; /* own */
	uint64_t next_job_id;
	bool stopping;
};

/* Small helpers (main.c). */
uint64_t sup_elapsed_us(const struct timespec *since);
char *sup_strdup(const char *s); /* aborts when out of memory */
void *sup_xcalloc(size_t n, size_t size);

#endif /* WASMD_DAEMON_SUP_H */
