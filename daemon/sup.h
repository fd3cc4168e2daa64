/* SPDX-License-Identifier: Apache-2.0 */
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
struct sup_instance;

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
	/*
	 * Operations (config.c, see wasmd.conf(5)). Owned: config_path (the
	 * file read, or NULL), metrics_file (or NULL) and rules (the [tenant
	 * NAME] sections, nrules of them). drain_grace_ms: how long SIGTERM
	 * lets the jobs in flight run.
	 */
	char *config_path;
	uint32_t drain_grace_ms;
	/* --log-level: lines of a lower priority (higher number) are dropped. */
	int log_level;
	char *metrics_file;
	uint32_t metrics_interval_ms;
	struct sup_tenant_rule *rules;
	size_t nrules;
	/* --worker-spawn: exec each worker, or fork it from a zygote. */
	enum { SUP_SPAWN_EXEC, SUP_SPAWN_ZYGOTE } worker_spawn;
	/* --worker-user (own; NULL: wasmd, else nobody) and
	 * --worker-namespaces (isolation.c). */
	char *worker_user;
	bool worker_namespaces;
	/*
	 * Budgets (budget.c; wasmd(8) SECURITY). memory_budget: every byte
	 * clients make the supervisor hold; tenant_memory: one tenant's
	 * share of it. Per tenant: connections, live instances, names; per
	 * module: the bytes of its metadata (.info).
	 */
	uint64_t memory_budget;
	uint64_t tenant_memory;
	unsigned max_tenant_connections;
	unsigned max_instances;
	uint64_t max_names;
	uint64_t max_module_info;
	/*
	 * Warm workers (pool.c, wasmd.conf(5)): the jobs a worker serves
	 * before it is recycled (1: a process per job), how long a tenant's
	 * idle worker is kept (0: until recycled otherwise), and each
	 * worker's module cache budget in bytes (its RLIMIT_AS is the memory
	 * limit it serves plus this plus the engine's fixed overhead).
	 */
	unsigned worker_max_invokes;
	uint32_t worker_idle_timeout_ms;
	uint64_t worker_cache_bytes;
	/*
	 * Fair shares (sched.c, wasmd(8) SECURITY): the most workers alive
	 * at once (0: no cap), the sum of the memory limits of one tenant's
	 * busy workers, and how the CPU is shared among tenants' workers.
	 */
	unsigned max_workers;
	uint64_t tenant_worker_memory;
	enum { SUP_CPU_NICE, SUP_CPU_NONE } cpu_fairness;
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
/* Lines of a priority above level (a sup_prio) are not written from now on. */
void sup_log_set_level(int level);
/* "err", "warning", "notice", "info" or "debug" to its sup_prio, or -1. */
int sup_log_level_parse(const char *name);
/*
 * Formats one line; control bytes in the result are escaped (\xNN), so a
 * call never writes more than one line whatever its arguments hold.
 */
void sup_log(enum sup_prio prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Text a client or module chose, as a field value: in double quotes, with
 * quotes, backslashes and control bytes escaped, cut at about 500 bytes.
 * Borrowed: a static buffer, one of 8 reused in turn, so it must be used
 * in the sup_log() call it was made for (and at most 8 times there).
 */
const char *sup_log_quote(const char *s);
/*
 * The same for a value logged bare (export=NAME): s itself when it holds
 * no space, quote, backslash, '=' or control byte, else sup_log_quote(s).
 * Borrowed like sup_log_quote()'s result.
 */
const char *sup_log_word(const char *s);
/*
 * An error for a person to read, not an event ("wasmd: FILE:LINE: ..."),
 * at err priority in the journal. The last one is kept for the reload
 * outcome: sup_log_last_error() (borrowed, "" when none since
 * sup_log_clear_error()).
 */
void sup_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *sup_log_last_error(void);
void sup_log_clear_error(void);

/* frames.c: frames over bufferevents. */
enum sup_frame_status {
	SUP_FRAME_NONE, /* no whole frame buffered yet */
	SUP_FRAME_OK,   /* *out holds one envelope */
	SUP_FRAME_BAD,  /* malformed or too big: err says why */
};
/*
 * The next frame of in, of at most max body bytes (limit names that
 * maximum in the error of a larger one).
 * own: *out, freed with wasmd__envelope__free_unpacked().
 */
enum sup_frame_status sup_frame_next(struct evbuffer *in, size_t max,
    const char *limit, Wasmd__Envelope **out, char *err, size_t errlen);
/* The --max-frame limit, as sup_frame_next() names it. */
#define SUP_MAX_FRAME_LIMIT "wasmd --max-frame, max-frame in wasmd.conf"
/*
 * The largest frame body a worker may send (wasmd(8), SECURITY):
 * WP_REPLY_MAX, or --max-module-info plus WP_REPLY_INFO_SLACK when that is
 * larger (a push's ModuleInfo), and never more than --max-frame.
 */
size_t sup_worker_reply_max(const struct sup_config *c);
/* What sets sup_worker_reply_max(c), for an error message. */
const char *sup_worker_reply_limit(const struct sup_config *c);
/*
 * Sends env as one frame on bev: what the socket takes at once when
 * nothing is queued before it, the rest queued on bev's output. Returns 0,
 * or -1 when out of memory.
 */
int sup_frame_send(struct bufferevent *bev, const Wasmd__Envelope *env);
/* The same for a packed frame (own: buf, taken in every case). */
int sup_frame_send_packed(struct bufferevent *bev, uint8_t *buf, size_t len);

/*
 * A pushed module's bytes as a sealed memfd (own: fd, -1 when none), with
 * their length and SHA-256 (lowercase hex).
 */
struct sup_wasm {
	int fd;
	size_t len;
	char digest[65];
};

/*
 * bigframe.c: a large frame being received (see its header comment).
 * sup_big_new() starts one of len bytes, header included (own: the
 * result, freed with sup_big_free()); sup_big_feed() takes what in holds
 * of it (-1: out of memory); once sup_big_complete(), sup_big_decode()
 * decodes it: *out as for wp_frame_parse(), and for a push whose module
 * went to a memfd, *wasm that module (own: wasm->fd; -1 otherwise).
 * sup_big_holds_module(): whether its module is going to a memfd.
 */
struct sup_big;
struct sup_big *sup_big_new(size_t len);
void sup_big_free(struct sup_big *b);
int sup_big_feed(struct sup_big *b, struct evbuffer *in);
bool sup_big_complete(const struct sup_big *b);
bool sup_big_holds_module(const struct sup_big *b);
enum sup_frame_status sup_big_decode(struct sup_big *b, size_t max,
    Wasmd__Envelope **out, struct sup_wasm *wasm, char *err, size_t errlen);

/* tenant.c: tenants, one per peer uid for now. */
/*
 * A module's index entry: all the supervisor keeps of it in memory. Its
 * metadata (imports, exports) stays on disk in its .info file, read only
 * for inspect (store.c).
 */
struct sup_module {
	TAILQ_ENTRY(sup_module) entry;
	char digest[65];
	uint64_t size;
	uint64_t info_len; /* bytes of its .info, counted in the quota */
	uint64_t created_unix;
	/* Its snapshot (snapshot_store.c): "" and 0 when it has none. */
	char snap_digest[65];
	uint64_t snap_size; /* counted in the quota */
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
	TAILQ_HEAD(, sup_bundle) bundles; /* own (bundle.c) */
	uint64_t nmodules;
	/* Sum of module sizes, their .info sizes and bundle sizes. */
	uint64_t nbytes;
	unsigned running;   /* jobs in flight */
	unsigned instances; /* live instances (each holds a worker) */
	/* Budgets (budget.c, store.c, instance.c). */
	uint64_t held;          /* bytes its sessions hold (budget.c) */
	unsigned nsessions;     /* its connections, greeted or not */
	uint64_t nnames;        /* names (store.c, --max-names) */
	unsigned instance_jobs; /* running jobs that belong to instances */
	/*
	 * Scheduling (sched.c): recounted by sup_sched_count() from the
	 * workers and the queue. busy: its busy workers (running a job or
	 * holding an instance), whose memory limits add up to memory;
	 * running: those running a job; queued: its jobs waiting for a
	 * worker; served: when it was last given a worker (round robin).
	 */
	unsigned sched_busy, sched_running, sched_queued;
	uint64_t sched_memory;
	uint64_t sched_served;
};
/* Finds or creates the tenant of uid (borrowed: lives until sup_tenants_free). */
struct sup_tenant *sup_tenant_for_uid(struct sup *sup, uid_t uid);
struct sup_tenant *sup_tenant_by_name(struct sup *sup, const char *name);
/* Whether t may start one more job: running jobs and live instances
 * together below --max-concurrent. */
bool sup_tenant_slot_free(
    const struct sup_tenant *t, const struct sup_config *c);
void sup_tenants_free(struct sup *sup);

/* A stored bundle (bundle.c): STATE/tenants/<name>/bundles/<digest>. */
struct sup_bundle {
	TAILQ_ENTRY(sup_bundle) entry;
	char digest[65];
	uint64_t size;
};

/*
 * bundle.c: bundles (trees of files for WASI guests), stored per tenant
 * beside its modules and mounted into an invoke's worker.
 */
void sup_bundle_load(struct sup_tenant *t);
void sup_bundles_free(struct sup_tenant *t);
void sup_bundle_push(
    struct sup_session *s, uint64_t id, const Wasmd__PushBundle *pb);
void sup_bundle_remove(
    struct sup_session *s, uint64_t id, const Wasmd__RemoveBundle *rb);
/*
 * The worker's copy of inv's mounts, each bundle's image read from the
 * store; false (answered with an error) when a bundle is unknown or a
 * mount malformed. own: *out, freed with sup_bundle_mounts_free().
 */
bool sup_bundle_mounts(struct sup_session *s, uint64_t id,
    const Wasmd__Invoke *inv, Wasmd__Mount ***out, size_t *n);
void sup_bundle_mounts_free(Wasmd__Mount **m, size_t n);

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
 * The directory a tenant's modules are stored in (made if missing), for
 * sup_wasm_write_start(). 0, or -1 with err filled.
 */
int sup_store_modules_dir(
    struct sup_tenant *t, char *dir, size_t size, char *err, size_t errlen);
/*
 * Stores a module (validated by a worker) of len bytes, written and synced
 * already in the temp file wasm_tmp in that directory (wasmwrite.c; it is
 * renamed into place, or removed when the module is stored already; NULL
 * only when it is), whose sha256 the caller computed
 * as digest (hashing a large module again would stall the loop twice as
 * long), with its info; sets the name when not NULL/empty. Returns the
 * module (borrowed) or NULL with err filled.
 */
struct sup_module *sup_store_add(struct sup *sup, struct sup_tenant *t,
    const char *wasm_tmp, size_t len, const char *digest,
    const Wasmd__ModuleInfo *info, const char *name, char *err, size_t errlen);
/* Removes m's files and every name pointing at it; frees m. */
int sup_store_remove(
    struct sup_tenant *t, struct sup_module *m, char *err, size_t errlen);
/*
 * Removes the name ref, never the module. Returns 0 with *m the module it
 * named (borrowed), 1 when ref is not a name (a full digest is never one),
 * or -1 with err filled.
 */
int sup_store_untag(struct sup_tenant *t, const char *ref,
    struct sup_module **m, char *err, size_t errlen);
/* Whether any name points at m. */
bool sup_store_named(struct sup_tenant *t, const struct sup_module *m);
/*
 * m's stored file, opened read-only (own: the descriptor), its size
 * checked; -1 with err filled. A stored module's file is never rewritten
 * (a new one is renamed into place), so its bytes cannot change under a
 * reader.
 */
int sup_store_open_wasm(
    struct sup_tenant *t, const struct sup_module *m, char *err, size_t errlen);
/*
 * own: the result, freed with sup_store_info_free(); names filled in. Reads
 * the module's .info file; NULL with err filled.
 */
Wasmd__ModuleInfo *sup_store_info(struct sup *sup, struct sup_tenant *t,
    const struct sup_module *m, char *err, size_t errlen);
void sup_store_info_free(Wasmd__ModuleInfo *info);
/*
 * The index entry's summary of m (digest, size, names, creation time; no
 * imports or exports), for list. Every pointer in it is borrowed from m
 * and t; free it with sup_store_summary_free().
 */
void sup_store_summary(
    struct sup_tenant *t, struct sup_module *m, Wasmd__ModuleInfo *out);
void sup_store_summary_free(Wasmd__ModuleInfo *info);
/*
 * Whether a worker's info on a new module of len bytes may be stored: its
 * entries and metadata bytes within the limits, and room for both in the
 * tenant's quota. false: code and err say why.
 */
bool sup_store_info_ok(struct sup *sup, struct sup_tenant *t,
    const Wasmd__ModuleInfo *info, size_t len, Wasmd__ErrorCode *code,
    char *err, size_t errlen);
/* Whether t may have name (it has it, or has room for one more). */
bool sup_store_name_room(struct sup *sup, struct sup_tenant *t,
    const char *name, char *err, size_t errlen);
bool sup_store_name_ok(const char *name);
/* Store helpers shared with bundle.c (errno set on failure). */
bool sup_store_is_hex(const char *s, size_t min, size_t max);
int sup_store_mkdir_p(const char *path, mode_t mode);
int sup_store_fsync_dir(const char *dir);
/*
 * Renames the synced file tmp to dst, in dir, and syncs dir. 0, or -1 with
 * err filled (tmp removed when it stays where it was).
 */
int sup_store_rename_synced(const char *tmp, const char *dst, const char *dir,
    char *err, size_t errlen);
/* Writes dir/name: temp file, fsync, rename, fsync dir. err filled. */
int sup_store_write_atomic(const char *dir, const char *name,
    const uint8_t *data, size_t len, char *err, size_t errlen);
/* own: path's bytes (free()), NUL-terminated; NULL on error. */
uint8_t *sup_store_read_file(const char *path, size_t *len);
void sup_sha256_hex(const uint8_t *data, size_t len, char out[65]);
/* SHA-256 in pieces: begin, update, end (out NULL: just free it). */
struct sup_sha256 {
	void *ctx; /* own: an EVP_MD_CTX */
};
void sup_sha256_begin(struct sup_sha256 *h);
void sup_sha256_update(struct sup_sha256 *h, const void *p, size_t n);
void sup_sha256_end(struct sup_sha256 *h, char out[65]);

/*
 * snapshot_store.c: a module's pre-initialized snapshot, stored beside it
 * (see its header comment). The supervisor never parses one.
 */
void sup_snapshot_load(struct sup_tenant *t); /* after its modules */
/*
 * The directory a tenant's snapshots are stored in (made if missing), for
 * sup_wasm_write_start(). 0, or -1 with err filled.
 */
int sup_snapshot_dir(
    struct sup_tenant *t, char *dir, size_t size, char *err, size_t errlen);
/*
 * Stores the temp file tmp in that directory (written and synced by
 * wasmwrite.c; renamed into place, or removed on error), len bytes of
 * sha256 digest, as m's snapshot, replacing any. 0, or -1 with err filled.
 */
int sup_snapshot_put(struct sup_tenant *t, struct sup_module *m,
    const char *tmp, const char *digest, uint64_t len, char *err,
    size_t errlen);
/* Removes m's snapshot, if it has one. */
void sup_snapshot_drop(struct sup_tenant *t, struct sup_module *m);
/*
 * m's snapshot file, opened read-only (a new snapshot replaces the file by
 * rename, so the descriptor keeps these bytes), if snap is still m's and
 * the file has the size indexed (its contents are the worker's to check).
 * own: the descriptor; -1 with err filled.
 */
int sup_snapshot_open(struct sup_tenant *t, const struct sup_module *m,
    const char *snap, char *err, size_t errlen);

/* listener.c */
int sup_listener_open(struct sup *sup, char *err, size_t errlen);
void sup_listener_close(struct sup *sup);
/* Accepts again after a pause for want of descriptors (listener.c). */
void sup_listener_resume(struct sup *sup);

/* session.c: client connections. */
struct sup_session {
	TAILQ_ENTRY(sup_session) entry;
	struct sup *sup;
	struct bufferevent *bev;   /* own */
	struct event *idle;        /* own: idle-timeout timer */
	struct sup_tenant *tenant; /* borrowed; NULL until hello */
	uid_t uid;
	gid_t gid;  /* primary group, for [tenant] gids */
	bool admin; /* its tenant is an administrator (config.c) */
	pid_t pid;
	bool closing;    /* flush the output, then free */
	bool backlogged; /* workers paused until the output drains (output.c) */
	TAILQ_HEAD(, sup_job) jobs;           /* in flight for this session */
	TAILQ_HEAD(, sup_instance) instances; /* own: live (instance.c) */
	uint64_t next_instance_id;
	/*
	 * Budgets (budget.c). owner: the peer's tenant from its connection
	 * on (tenant is set at hello). held: what the session holds now, as
	 * counted in owner->held and sup->held. big: a large frame being
	 * received (bigframe.c), whose big_reserved bytes were granted
	 * before it was read.
	 */
	struct sup_tenant *owner;
	uint64_t held;
	struct sup_big *big; /* own (bigframe.c) */
	uint64_t big_reserved;
	/* The module of the push being dispatched, when it came as a memfd
	 * (bigframe.c); sup_job_push() takes it, else it is closed after. */
	struct sup_wasm pushed;
	bool read_paused;             /* not read: over a budget */
	size_t unread_seen;           /* its unread replies, while paused */
	struct timespec unread_since; /* since when none were read */
	struct timespec last_active;  /* its last request (eviction order) */
};
void sup_session_new(struct sup *sup, int fd);
void sup_session_free(struct sup_session *s);
void sup_dispatch_client(struct sup_session *s, Wasmd__Envelope *env);
/* Called by invoke.c when the session's job list changes. */
void sup_session_jobs_changed(struct sup_session *s);
/* Sends env, replacing its id; closes the session on failure. */
/* Answers request id with m's module info (or an internal error). */
void sup_session_reply_info(
    struct sup_session *s, uint64_t id, struct sup_module *m);
void sup_session_send(struct sup_session *s, Wasmd__Envelope *env, uint64_t id);
/*
 * Whether s has more than SUP_OUTPUT_HIGH bytes unread: its writing
 * workers must pause (output.c). When it does, s resumes its jobs' paused
 * workers once the client has read down to SUP_OUTPUT_LOW.
 */
#define SUP_OUTPUT_HIGH (1u << 20)
#define SUP_OUTPUT_LOW (256u << 10)
bool sup_session_backlog(struct sup_session *s);
void sup_session_fail(struct sup_session *s, uint64_t id, Wasmd__ErrorCode code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * budget.c: the supervisor's memory budget (see its header comment and
 * wasmd(8) SECURITY). Sessions read frames through it.
 */
void sup_budget_init(struct sup *sup);
void sup_budget_stop(struct sup *sup);
/* Sets s's read watermark (once, at connect). */
void sup_budget_watch(struct sup_session *s);
/* Whether s may read its next frame now; false: paused until it may. */
bool sup_budget_may_read(struct sup_session *s);
/*
 * The next frame of s, large ones read only once granted. SUP_FRAME_BAD:
 * code and err say why (ERR_LIMIT for a frame that can never fit).
 */
enum sup_frame_status sup_budget_next_frame(struct sup_session *s,
    Wasmd__Envelope **out, Wasmd__ErrorCode *code, char *err, size_t errlen);
/* The frame from sup_budget_next_frame was dispatched and freed. */
void sup_budget_frame_done(struct sup_session *s);
/* Recounts what s holds; resumes reading it when it may. */
void sup_budget_update(struct sup_session *s);
/* s is being freed: its bytes leave the counts. */
void sup_budget_session_gone(struct sup_session *s);

/* admit.c: connection slots per tenant and for the daemon. */
/* Whether a new connection of t gets a slot (making room by evicting an
 * idle connection of the tenant holding the most); false: why says why. */
bool sup_admit(struct sup *sup, struct sup_tenant *t, char *why, size_t len);
/* Sends an ERR_LIMIT error with msg on fd (best effort) and closes fd. */
void sup_admit_refuse(int fd, const char *msg);
/* session.c: closes s at once after an ERR_LIMIT error saying why. */
void sup_session_evict(struct sup_session *s, const char *why);

/* pool.c: worker processes. */
enum sup_worker_state {
	SUP_W_STARTING, /* spawned, no hello yet */
	SUP_W_IDLE,     /* confined, waiting for a job */
	SUP_W_BUSY,     /* running a job, or holding a live instance
	                   between its calls (job NULL, instance set) */
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
	const char *kill_reason; /* static string or bad_frame: why */
	/* A frame we could not take from it (too large, malformed). */
	char bad_frame[384];
	bool reply_too_large; /* that frame was over sup_worker_reply_max() */
	bool reaped;
	int status; /* waitpid status once reaped */
	struct timespec spawned;
	struct event *startup; /* own: kills a worker that never says hello */
	struct sup_instance *instance; /* borrowed: its live instance */
	/*
	 * Not read while its client has more unread output than
	 * SUP_OUTPUT_HIGH (output.c): the worker then blocks writing, and so
	 * does its guest, until the client reads or the deadline comes.
	 */
	bool paused;
	bool via_zygote; /* forked by the zygote, not exec'd */
	/*
	 * Warm workers: a worker serves one tenant (bound at its first job,
	 * never another after) and jobs of exactly one memory limit, the one
	 * its RLIMIT_AS was set from. held mirrors the worker's module cache:
	 * a module's bytes are sent again only when its digest is not here.
	 */
	struct sup_tenant *tenant; /* borrowed; NULL until its first job */
	uint64_t memory;           /* its --memory-limit */
	unsigned generation;       /* sup->pool_generation at its start */
	unsigned jobs;             /* jobs it was given */
	struct event *idle_timer;  /* own: recycles it after idling */
	char (*held)[65];          /* own: nheld digests (held_cap room) */
	size_t nheld, held_cap;
	/* sched.c: its nice level, above the supervisor's. */
	int nice;
};
int sup_pool_init(struct sup *sup);
void sup_pool_shutdown(struct sup *sup);
/* Runs job on an idle worker now, or queues it until one is ready. */
void sup_pool_submit(struct sup *sup, struct sup_job *job);
void sup_pool_unqueue(struct sup *sup, struct sup_job *job);
void sup_worker_kill(struct sup_worker *w, const char *why);
/*
 * Sends job's frame to w (which owns it from now on, as with
 * sup_worker_send_frame), with the module's bytes as a sealed memfd when
 * the job is a push (its own memfd, job->wasm_fd, which it keeps) or a
 * fresh invoke whose module w does not hold. -1 with err
 * filled (and the frame freed) when it cannot.
 */
int sup_worker_send_job(
    struct sup_worker *w, struct sup_job *job, char *err, size_t errlen);
/* Stops reading w's frames / reads them again (see sup_worker.paused). */
void sup_worker_pause(struct sup_worker *w);
void sup_worker_resume(struct sup_worker *w);
/* Queues env on the worker's socket, replacing its id. */
int sup_worker_send(struct sup_worker *w, Wasmd__Envelope *env, uint64_t id);
/* Sends a packed frame (own: frame, taken; sup_frame_send_packed). */
int sup_worker_send_frame(struct sup_worker *w, uint8_t *frame, size_t len);
void sup_dispatch_worker(struct sup_worker *w, Wasmd__Envelope *env);

/*
 * sched.c: fair shares of workers and CPU across tenants (see its header
 * comment). The counts sup_sched_may_run() and sup_sched_before() read
 * are those of the last sup_sched_count() (or sup_sched_bound()).
 */
void sup_sched_init(struct sup *sup);
void sup_sched_stop(struct sup *sup);
void sup_sched_count(struct sup *sup);
/* Workers alive (starting, idle, busy), and how many more may start. */
unsigned sup_sched_live(const struct sup *sup);
unsigned sup_sched_spawn_room(const struct sup *sup);
/* The slots of a cap of that many kept for tenants holding none. */
unsigned sup_sched_reserve(unsigned cap);
/* Whether job's tenant may have one more busy worker for it now. */
bool sup_sched_may_run(const struct sup *sup, const struct sup_job *job);
/* Whether a runs before b (both may run). */
bool sup_sched_before(const struct sup_job *a, const struct sup_job *b);
/* job was given a worker: round robin moves on, the counts follow. */
void sup_sched_bound(struct sup *sup, struct sup_job *job);
/* A job started or ended: nice levels are updated (deferred). */
void sup_sched_changed(struct sup *sup);
/* Whether w, going idle, is back at nice 0 (false: retire it). */
bool sup_sched_reusable(struct sup_worker *w);

/* invoke.c: jobs. */
enum sup_job_kind {
	SUP_JOB_PUSH,
	SUP_JOB_INVOKE,
	SUP_JOB_CREATE, /* create_instance (instance.c) */
};
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
	int wasm_fd; /* own: push's module bytes, a sealed memfd, or -1 */
	size_t wasm_len;
	/* push, validated: its info (own) while its bytes are written into
	 * the store (write, own: wasmwrite.c). */
	Wasmd__ModuleInfo *info;
	struct sup_wasm_write *write;
	/*
	 * push with an initializer: the memfd its snapshot comes back in
	 * (own, or -1; snapfd.c) and its size, the most the snapshot may
	 * take; then, validated, the snapshot's write (own) and its temp
	 * file (own: the path, removed with the job) with its digest, and the
	 * module's temp file once written (own, likewise).
	 */
	int snap_fd;
	uint64_t snap_room;
	struct sup_wasm_write *snap_write;
	char *snap_tmp;
	char snap_sha[65];
	char *wasm_tmp;
	char *name;        /* own: push's name, or NULL */
	char digest[65];   /* invoke's module */
	char *export_name; /* own: invoke's export, for logs */
	uint32_t timeout_ms;
	struct event *timer; /* own */
	struct timespec start;
	struct sup_instance *instance; /* borrowed: created or called */
	bool instance_waiting;         /* in instance->waiting (queue_entry) */
	uint64_t max_output;           /* invoke: its output limit (output.c) */
	uint64_t output_bytes;         /* invoke: output relayed so far */
	/*
	 * invoke: a host_call is waiting for the client's host_reply, and how
	 * many of the client's memory_read/write were relayed unanswered.
	 * A worker that says more than these allow is killed (pool.c), and
	 * the client's frames are relayed only while a call waits (invoke.c),
	 * so neither side can pile frames up in the other's socket.
	 */
	bool host_call_pending;
	unsigned memory_requests;
	/*
	 * Warm workers (pool.c): the memory limit of the worker the job needs
	 * (its invoke's limit), and for a fresh invoke its module's size and
	 * whether the bytes went to the worker with this job.
	 */
	uint64_t memory;
	uint64_t module_size;
	bool module_sent;
	/* A fresh invoke from the module's snapshot (snapshot_store.c):
	 * its digest and size ("" and 0: from the plain module). */
	char snap_digest[65];
	uint64_t snap_size;
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

/*
 * instance.c: live instances. A client's create_instance runs as a job
 * (SUP_JOB_CREATE) on a pool worker; once it answers instance_created, the
 * worker stays with the instance (busy, job NULL) and serves the invokes
 * that name it, one at a time (others wait their turn, in order), each an
 * SUP_JOB_INVOKE job with its own deadline from when it starts. An instance belongs to one session and dies with it, with
 * drop_instance, or with its worker (deadline, crash).
 */
struct sup_instance {
	TAILQ_ENTRY(sup_instance) entry;
	uint64_t id;                   /* the client's handle, per session */
	struct sup_session *session;   /* borrowed: the owner */
	struct sup_worker *worker;     /* borrowed: NULL until created */
	struct sup_job *running;       /* borrowed: the call (or creation) */
	TAILQ_HEAD(, sup_job) waiting; /* calls sent meanwhile, in order */
	bool created;
	char digest[65];
	Wasmd__InvokeLimits limits; /* resolved: per call / per instance */
};
void sup_instance_create(
    struct sup_session *s, uint64_t id, Wasmd__CreateInstance *ci);
void sup_instance_invoke(
    struct sup_session *s, uint64_t id, Wasmd__Invoke *inv);
void sup_instance_drop(
    struct sup_session *s, uint64_t id, uint64_t instance_id);
/* The session ends: every instance's worker is killed. */
void sup_instances_close(struct sup_session *s);
/* pool.c: a worker's final reply to an instance job (it keeps running). */
void sup_instance_job_reply(
    struct sup_worker *w, struct sup_job *job, Wasmd__Envelope *env);
/* pool.c: the worker holding an instance is gone. */
void sup_instance_worker_gone(struct sup_worker *w);
/* invoke.c (job_finish): an instance job ends, however it ends. */
void sup_instance_job_ended(struct sup_job *job);
/* invoke.c's job machinery, for instance.c. */
struct sup_job *sup_job_new(
    struct sup_session *s, uint64_t id, enum sup_job_kind kind);
bool sup_job_pack(struct sup_job *job, Wasmd__Envelope *env);
void sup_job_submit(struct sup_job *job);
bool sup_resolve_limits(const struct sup_config *c,
    const Wasmd__InvokeLimits *in, Wasmd__InvokeLimits *out, char *err,
    size_t errlen);

/* The daemon. */
struct sup {
	struct event_base *base; /* own */
	struct sup_config cfg;
	int listen_fd;
	struct event *listen_ev; /* own */
	/* listener.c: accepting paused for want of descriptors. */
	struct event *accept_retry_ev; /* own */
	bool accept_paused;
	struct timespec accept_warned; /* the last warning, or zero */
	unsigned accept_pauses_unlogged;
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
	/* Operations (config.c, notify.c, drain.c, metrics.c). */
	int argc; /* main()'s, kept to rebuild the configuration on SIGHUP */
	char **argv;
	bool listen_activated; /* the socket came from the service manager */
	bool draining;         /* SIGTERM: finishing, refusing new jobs */
	/* Owned by notify.c, drain.c and metrics.c. */
	struct sup_ops *ops;
	struct sup_drain *drain;
	struct sup_metrics *metrics;
	/* pool.c, --worker-spawn zygote: the zygote (own), else NULL. */
	struct sup_zygote *zygote;
	/* isolation.c: "UID:GID" a root daemon's workers become ("" when
	 * not root), and whether the first worker's isolation was logged. */
	char worker_ids[32];
	bool isolation_logged;
	/* Budgets (budget.c): bytes held for all sessions, the recheck of
	 * paused sessions (own), and the level at the last malloc_trim. */
	uint64_t held;
	unsigned nread_paused;
	struct event *budget_ev;
	uint64_t held_trimmed;
	/* pool.c: bumped when workers' limits change; older ones retire. */
	unsigned pool_generation;
	struct sup_sched *sched; /* own: sched.c */
};

/*
 * isolation.c: what the supervisor does for its workers' isolation.
 * sup_isolation_init() resolves --worker-user when running as root (0, or
 * -1 with err). sup_worker_argv() fills argv (SUP_WORKER_ARGV entries) for
 * `wasmd-worker CMD --fd 3 --memory-limit MEM` plus the identity options;
 * sup_worker_environ() is this process's environment less the variables
 * meant for wasmd alone (NOTIFY_SOCKET, WATCHDOG_*, LISTEN_*): own, free
 * the array only (its strings are environ's). sup_isolation_report() logs,
 * once, what the first worker to say hello got (uid, capabilities,
 * namespaces), seen from /proc.
 */
#define SUP_WORKER_ARGV 14 /* 8 + --user X + --namespaces no + NULL */
int sup_isolation_init(struct sup *sup, char *err, size_t errlen);
void sup_worker_argv(
    struct sup *sup, const char *cmd, char *mem, char *cache, char **argv);
char **sup_worker_environ(void);
void sup_isolation_report(struct sup *sup, pid_t pid);

/*
 * modfd.c: a module's bytes for a worker, as read-only descriptors to
 * pass with its job: fds[0] the stored module file itself
 * (sup_store_open_wasm), and fds[1] its snapshot's stored file
 * (sup_snapshot_open) when snap is not "" (snap must still be the
 * module's; the invoke starts from it, Invoke.snapshot_digest). Nothing is
 * copied. Returns how many (own: close them once sent), or -1 with err
 * filled.
 */
int sup_module_fds(struct sup_tenant *t, const char *digest, const char *snap,
    int fds[2], char *err, size_t errlen);
/*
 * wasmwrite.c: a pushed module's len bytes from the memfd src (borrowed;
 * duplicated) into a new fsynced temp file in the store directory dir
 * (".tmp-<digest>.wasm-XXXXXX"), by a helper thread (see its header
 * comment); with snapshot, a push's snapshot into the snapshots directory
 * (".tmp-<module digest>.snap-XXXXXX"), hashed on the way. When it is
 * done, on the loop: done(arg, tmp, sha, NULL) with the temp file's path
 * (the callee renames or removes it) and, for a snapshot, the bytes'
 * sha256 (else NULL), or done(arg, NULL, NULL, err). Returns the write
 * (own until done is called or it is cancelled), or NULL with err filled.
 * sup_wasm_write_cancel(): done is not called; the file is removed.
 */
typedef void (*sup_wasm_written)(
    void *arg, const char *tmp, const char *sha, const char *err);
struct sup_wasm_write;
struct sup_wasm_write *sup_wasm_write_start(struct sup *sup, const char *dir,
    const char *digest, bool snapshot, int src, size_t len,
    sup_wasm_written done, void *arg, char *err, size_t errlen);
void sup_wasm_write_cancel(struct sup_wasm_write *w);

/*
 * snapfd.c: the memfd a push's snapshot comes back in. A new one of room
 * bytes, sealed against growing (own), or -1 with err filled.
 */
int sup_snapshot_memfd(uint64_t room, char *err, size_t errlen);
/*
 * On the push's reply (info): may what the worker did with fd (or -1:
 * none given) be stored? Seals it against any change when it holds the
 * snapshot. false with why filled: the worker misbehaved (kill it).
 */
bool sup_snapshot_memfd_check(int fd, const Wasmd__ModuleInfo *info,
    uint64_t room, char *why, size_t whylen);

/* Writes all of buf to fd, retrying on EINTR. 0, or an errno value. */
int sup_write_all(int fd, const uint8_t *buf, size_t len);
/* A small push's len bytes at buf as a memfd sealed against any change
 * (own), or -1 with err. */
int sup_memfd_from(const uint8_t *buf, size_t len, char *err, size_t errlen);

/* Small helpers (main.c). */
uint64_t sup_elapsed_us(const struct timespec *since);
char *sup_strdup(const char *s); /* aborts when out of memory */
void *sup_xcalloc(size_t n, size_t size);

/*
 * Operations: config file, service manager, drain and metrics.
 */
/* config.c: a [tenant NAME] section. */
struct sup_tenant_rule {
	char *name;          /* own */
	unsigned long *uids; /* own: nuids */
	size_t nuids;
	unsigned long *gids; /* own: ngids (primary groups) */
	size_t ngids;
	bool admin;
};
/* What the command line says about the config file (found before getopt). */
struct sup_conf_args {
	const char *path;   /* borrowed from argv, or the default */
	bool explicit_path; /* -c given: the file must exist */
	bool check;         /* --check-config */
};
const char *sup_conf_default_path(void);
int sup_conf_prescan(int argc, char **argv, struct sup_conf_args *a);
/* Reads the file and its drop-ins into c. 0, or -1 after printing why. */
int sup_conf_read(struct sup_config *c, const struct sup_conf_args *a);
void sup_conf_free(struct sup_config *c);
/* The rule naming uid (first) or gid; NULL: the default "uid:N" tenant. */
const struct sup_tenant_rule *sup_conf_rule_for(
    const struct sup_config *c, uid_t uid, gid_t gid);
/* SIGHUP: re-read everything, apply what may change while running. */
void sup_conf_reload(struct sup *sup);
/*
 * reload.c: the outcome of a reload, written to SOCKET.reload for
 * `wasmd --reload PID` (sup_reload_request: returns the exit status).
 * error: borrowed, the first line of why it failed.
 */
void sup_reload_record(const struct sup *sup, unsigned long long started_us,
    bool ok, const char *error);
int sup_reload_request(int argc, char **argv);
void sup_reload_forget(const struct sup *sup); /* at exit: removes it */
unsigned long long sup_monotonic_us(void);     /* CLOCK_MONOTONIC */
/*
 * main.c: defaults, then the config file, then the flags, checked. Returns
 * 0, or -1 after printing why (c must then still be freed).
 */
int sup_config_build(struct sup_config *c, int argc, char **argv);
/* main.c: one option by its long name. 0, -1 unknown key, -2 bad value. */
int sup_config_set(struct sup_config *c, const char *key, const char *value);
/* tenant.c: the tenant of a peer, by the configured rules or "uid:N". */
struct sup_tenant *sup_tenant_for_peer(
    struct sup *sup, uid_t uid, gid_t gid, bool *admin);
/* pool.c: kills idle workers (started under an old memory limit). */
void sup_pool_recycle_idle(struct sup *sup);

/* notify.c: the service manager (sd_notify), socket activation. */
/* The passed listening socket, -1 when none, -2 with err filled. */
int sup_activation_fd(char *err, size_t errlen);
void sup_ops_start(struct sup *sup); /* once serving: READY=1, timers */
void sup_ops_stop(struct sup *sup);
void sup_notify_ready(struct sup *sup);
void sup_notify_reloading(struct sup *sup);
void sup_notify_stopping(struct sup *sup);
unsigned sup_jobs_in_flight(const struct sup *sup);

/* drain.c: SIGTERM. */
void sup_drain_start(struct sup *sup, int sig);
/* true when a new push or invoke was refused (ERR_UNAVAILABLE sent). */
bool sup_drain_refuse(struct sup_session *s, uint64_t id);
void sup_drain_stop(struct sup *sup);

/* metrics.c: counters and the Prometheus text. */
void sup_metrics_start(struct sup *sup);
void sup_metrics_stop(struct sup *sup);
void sup_metrics_config_changed(struct sup *sup);
/* A job ended with outcome ("ok", "trap", "stored", an ERR_ name...). */
void sup_metrics_job(struct sup_job *job, const char *outcome);
void sup_metrics_fuel(struct sup_job *job, uint64_t fuel);
void sup_metrics_refused(struct sup *sup, const struct sup_tenant *tenant);
/* own: the text (free()); only_tenant NULL: the whole daemon. */
char *sup_metrics_text(struct sup *sup, const char *only_tenant);
void sup_stats_reply(
    struct sup_session *s, uint64_t id, const Wasmd__StatsRequest *req);

#endif /* WASMD_DAEMON_SUP_H */
