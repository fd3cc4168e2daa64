/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool.c: the worker processes and the pool of idle ones.
 *
 * A worker is started with posix_spawn (a fresh wasmd-worker image, never a
 * copy of the supervisor) as `wasmd-worker serve --fd 3 --memory-limit B
 * --cache-bytes C`, its end of a socketpair on fd 3. It confines itself,
 * then says hello; from then on it is idle, not bound to any tenant. The
 * pool keeps --pool such unbound workers (of the default memory limit)
 * beyond the jobs waiting in the queue, topped up from a timer event so a
 * reply is never delayed by fork+exec. All of it stays within
 * --max-workers, and which waiting job gets a worker next is sched.c's
 * choice (fair across tenants); at the cap, idle workers no waiting job
 * can use are retired to make room.
 *
 * Warm workers: a worker's first job binds it to that job's tenant for
 * the rest of its life, and it serves jobs of exactly the memory limit it
 * was started with (its RLIMIT_AS fits them). After a clean reply it goes
 * back to the idle list, to serve the next job of the same tenant and
 * limit; each invoke still gets a fresh instance in it (worker/serve.c).
 * It is recycled (its socket closed, SIGKILL, reaped in the background)
 * after --worker-max-invokes jobs, after --worker-idle-timeout idle, and
 * after any reply that is not a clean result (a trap, an error), as well
 * as on any death, deadline or limit, as before. The worker keeps the
 * modules it decoded by digest; `held` mirrors that cache, so a module's
 * bytes go to it (read-only descriptors, modfd.c) only when it lacks them.
 *
 * A worker is gone once it is both reaped (SIGCHLD, waitpid) and its socket
 * is at EOF: only then is its death classified (invoke.c), so a reply that
 * was written just before exit is always read first. A malformed or
 * unexpected message from a worker gets it killed; nothing else happens to
 * the supervisor.
 */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void schedule_topup(struct sup *sup);
static void topup_now_if_failing(struct sup *sup);

int
sup_worker_send_frame(struct sup_worker *w, uint8_t *frame, size_t len)
{
	if (w->bev == NULL) {
		free(frame);
		return -1;
	}
	return sup_frame_send_packed(w->bev, frame, len);
}

int
sup_worker_send(struct sup_worker *w, Wasmd__Envelope *env, uint64_t id)
{
	uint64_t saved = env->id;
	int rc = -1;

	env->id = id;
	if (w->bev != NULL)
		rc = sup_frame_send(w->bev, env);
	env->id = saved;
	return rc;
}

/* SIGKILL, unless it is gone or killed already: false then. */
static bool
kill_worker(struct sup_worker *w, const char *why)
{
	if (w->reaped || w->killed)
		return false;
	w->killed = true;
	w->kill_reason = why;
	/* Nothing it says from now on matters (worker_read_cb drops it), but
	 * reading goes on until EOF, which tells that the process is gone. */
	sup_worker_resume(w);
	kill(w->pid, SIGKILL);
	return true;
}

void
sup_worker_kill(struct sup_worker *w, const char *why)
{
	if (kill_worker(w, why))
		sup_log(SUP_INFO, "event=worker_kill pid=%ld reason=\"%s\"",
		    (long)w->pid, why);
}

void
sup_worker_pause(struct sup_worker *w)
{
	if (w->paused || w->killed || w->bev == NULL)
		return;
	w->paused = true;
	bufferevent_disable(w->bev, EV_READ);
}

void
sup_worker_resume(struct sup_worker *w)
{
	if (!w->paused)
		return;
	w->paused = false;
	if (w->bev == NULL)
		return;
	bufferevent_enable(w->bev, EV_READ);
	/* Frames read before the pause are waiting in the input buffer: run
	 * the read callback for them (deferred: the caller may be iterating
	 * over jobs this frees). */
	bufferevent_trigger(w->bev, EV_READ,
	    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

/*
 * Queued jobs that need a worker of this memory limit and may run now
 * (sched.c, by the counts of its last sup_sched_count()).
 */
static unsigned
runnable_for(struct sup *sup, uint64_t memory)
{
	struct sup_job *job;
	unsigned n = 0;

	TAILQ_FOREACH(job, &sup->queue, queue_entry)
	n += job->memory == memory && sup_sched_may_run(sup, job);
	return n;
}

/* Workers of this memory limit not bound yet: starting, or idle. */
static unsigned
unbound_for(struct sup *sup, uint64_t memory)
{
	struct sup_worker *w;
	unsigned n = 0;

	TAILQ_FOREACH(w, &sup->workers, entry)
	n += w->memory == memory && w->tenant == NULL &&
	    (w->state == SUP_W_STARTING || w->state == SUP_W_IDLE);
	return n;
}

/*
 * The idle worker for job: one of its tenant and memory limit (the most
 * recently used first: its caches are warm), else an unbound one of that
 * limit; NULL when there is none.
 */
static struct sup_worker *
idle_worker_for(struct sup *sup, const struct sup_job *job)
{
	struct sup_worker *w, *unbound = NULL;

	TAILQ_FOREACH(w, &sup->idle, idle_entry)
	{
		if (w->memory != job->memory)
			continue;
		if (w->tenant == job->tenant)
			return w;
		if (w->tenant == NULL && unbound == NULL)
			unbound = w;
	}
	return unbound;
}

/* Takes w off the idle list. */
static void
idle_remove(struct sup_worker *w)
{
	TAILQ_REMOVE(&w->sup->idle, w, idle_entry);
	w->sup->nidle--;
	evtimer_del(w->idle_timer);
}

/* w serves job from now on; its first job binds it to the job's tenant. */
static void
bind_worker(struct sup_worker *w, struct sup_job *job)
{
	idle_remove(w);
	w->state = SUP_W_BUSY;
	w->jobs++;
	if (w->tenant != NULL)
		return;
	w->tenant = job->tenant;
	sup_log(SUP_DEBUG, "event=worker_bind pid=%ld tenant=%s memory=%llu",
	    (long)w->pid, w->tenant->name, (unsigned long long)w->memory);
}

/*
 * The queued job to run next on an idle worker (*wp), in sched.c's order
 * among the jobs that may run now; NULL when none fits an idle worker.
 */
static struct sup_job *
next_job(struct sup *sup, struct sup_worker **wp)
{
	struct sup_worker *w;
	struct sup_job *job, *best = NULL;

	sup_sched_count(sup);
	TAILQ_FOREACH(job, &sup->queue, queue_entry)
	{
		if (best != NULL && !sup_sched_before(job, best))
			continue;
		if (!sup_sched_may_run(sup, job) ||
		    (w = idle_worker_for(sup, job)) == NULL)
			continue;
		best = job;
		*wp = w;
	}
	return best;
}

/*
 * Hands idle workers the queued jobs they fit, fairly across tenants
 * (sched.c). After each start the scan begins again: a start that fails
 * ends its job and may end its session's other jobs with it.
 */
static void
assign_queued(struct sup *sup)
{
	struct sup_worker *w = NULL;
	struct sup_job *job;

	while (sup->nidle > 0 && (job = next_job(sup, &w)) != NULL) {
		sup_pool_unqueue(sup, job);
		bind_worker(w, job);
		sup_sched_bound(sup, job);
		sup_job_start(job, w);
	}
}

void
sup_pool_submit(struct sup *sup, struct sup_job *job)
{
	job->queued = true;
	TAILQ_INSERT_TAIL(&sup->queue, job, queue_entry);
	assign_queued(sup);
	/* (job may be gone: a start that fails ends it.) */
	if (!TAILQ_EMPTY(&sup->queue))
		topup_now_if_failing(sup);
	schedule_topup(sup);
}

void
sup_pool_unqueue(struct sup *sup, struct sup_job *job)
{
	if (!job->queued)
		return;
	TAILQ_REMOVE(&sup->queue, job, queue_entry);
	job->queued = false;
}

static void
worker_hello(struct sup_worker *w, Wasmd__Envelope *env)
{
	struct sup *sup = w->sup;

	if (env->msg_case != WASMD__ENVELOPE__MSG_HELLO ||
	    env->hello->version != WP_PROTOCOL_VERSION) {
		sup_worker_kill(w,
		    "the worker's first message is not a "
		    "hello of our protocol version");
		return;
	}
	evtimer_del(w->startup);
	sup_isolation_report(sup, w->pid);
	w->state = SUP_W_IDLE;
	sup->nstarting--;
	sup->nidle++;
	sup->spawn_failures = 0;
	TAILQ_INSERT_TAIL(&sup->idle, w, idle_entry);
	sup_log(SUP_DEBUG,
	    "event=worker_ready pid=%ld spawn=%s startup_us=%llu", (long)w->pid,
	    w->via_zygote ? "zygote" : "exec",
	    (unsigned long long)sup_elapsed_us(&w->spawned));
	assign_queued(sup);
}

/* ---- Warm workers: what a worker holds, reuse and recycling ---------- */

static long
held_index(const struct sup_worker *w, const char *digest)
{
	for (size_t i = 0; i < w->nheld; i++)
		if (strcmp(w->held[i], digest) == 0)
			return (long)i;
	return -1;
}

static void
held_add(struct sup_worker *w, const char *digest)
{
	if (held_index(w, digest) >= 0)
		return;
	if (w->nheld == w->held_cap) {
		size_t cap = w->held_cap ? w->held_cap * 2 : 4;
		char(*v)[65] = realloc(w->held, cap * sizeof *v);

		if (v == NULL)
			abort();
		w->held = v;
		w->held_cap = cap;
	}
	snprintf(w->held[w->nheld++], sizeof w->held[0], "%s", digest);
}

static void
held_remove(struct sup_worker *w, const char *digest)
{
	long i = held_index(w, digest);

	if (i >= 0)
		memcpy(w->held[i], w->held[--w->nheld], sizeof w->held[0]);
}

/* The worker's word on its cache after a clean invoke (InvokeResult). */
static void
note_cache(
    struct sup_worker *w, struct sup_job *job, const Wasmd__InvokeResult *ir)
{
	if (job->module_sent)
		held_add(w, job->digest);
	if (job->module_sent && job->snap_size > 0)
		held_add(w, job->snap_digest);
	for (size_t i = 0; i < ir->n_cache_evicted; i++)
		held_remove(w, ir->cache_evicted[i]);
}

/*
 * Ends a worker that is not busy any more with SIGKILL: it has replied, so
 * nothing of it is waited for. It is freed as any killed worker is, once
 * its socket is at EOF and it is reaped (worker_event_cb, sigchld_cb):
 * never here, where a callback of its own may still be running.
 */
static void
worker_retire(struct sup_worker *w, const char *why)
{
	w->state = SUP_W_DONE;
	sup_log(SUP_DEBUG,
	    "event=worker_retire pid=%ld tenant=%s jobs=%u reason=\"%s\"",
	    (long)w->pid, w->tenant != NULL ? w->tenant->name : "-", w->jobs,
	    why);
	kill_worker(w, why);
}

static void
worker_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup_worker *w = arg;

	if (w->state != SUP_W_IDLE)
		return;
	idle_remove(w);
	worker_retire(w, "idle timeout");
}

/*
 * Whether an error reply leaves the worker fit to serve again: the
 * worker found the request wrong before running any guest code (an
 * import it cannot satisfy, no such export, arguments that do not match
 * it), which the next request will not inherit. Everything else (a
 * worker out of memory, a broken request, an internal error) retires it.
 */
static bool
error_keeps_worker(const Wasmd__Error *err)
{
	switch (err->code) {
	case WASMD__ERROR_CODE__ERR_LINK:
	case WASMD__ERROR_CODE__ERR_MISSING_EXPORT:
	case WASMD__ERROR_CODE__ERR_BAD_ARGUMENTS: return true;
	default: return false;
	}
}

/* Why a worker that just replied (env) must not serve again, or NULL. */
static const char *
retire_reason(struct sup_worker *w, const Wasmd__Envelope *env)
{
	struct sup *sup = w->sup;
	const Wasmd__Trap *trap;

	if (w->killed || w->bev == NULL || w->paused)
		return "gone";
	if (sup->stopping || sup->draining)
		return "stopping";
	if (w->generation != sup->pool_generation)
		return "the configuration changed";
	if (w->jobs >= sup->cfg.worker_max_invokes)
		return "worker-max-invokes";
	switch (env->msg_case) {
	/* A large module's push had a worker of the largest limit, which
	 * the tenant's invokes rarely ask for: it leaves. */
	case WASMD__ENVELOPE__MSG_MODULE_INFO:
		return w->memory != sup->cfg.default_memory ? "push done"
		                                            : NULL;
	case WASMD__ENVELOPE__MSG_INVOKE_RESULT:
		trap = env->invoke_result->trap;
		return trap != NULL && trap->kind != WASMD__TRAP_KIND__TRAP_NONE
		    ? "trap"
		    : NULL;
	case WASMD__ENVELOPE__MSG_ERROR:
		return error_keeps_worker(env->error) &&
		        w->memory == sup->cfg.default_memory
		    ? NULL
		    : "error reply";
	default: return "error reply";
	}
}

/* Back to the idle list (first: most recently used), or recycled. */
static void
worker_release(struct sup_worker *w, const char *retire)
{
	struct sup *sup = w->sup;
	struct timeval tv = {sup->cfg.worker_idle_timeout_ms / 1000,
	    (sup->cfg.worker_idle_timeout_ms % 1000) * 1000};

	if (retire == NULL && !sup_sched_reusable(w))
		retire = "its nice level cannot be lowered";
	/* A busy worker less: a queued job may run now (sched.c). */
	schedule_topup(sup);
	if (retire != NULL) {
		worker_retire(w, retire);
		return;
	}
	w->state = SUP_W_IDLE;
	sup->nidle++;
	TAILQ_INSERT_HEAD(&sup->idle, w, idle_entry);
	if (sup->cfg.worker_idle_timeout_ms > 0)
		evtimer_add(w->idle_timer, &tv);
	assign_queued(sup);
}

/* The first bytes of frame go with fds; the rest is queued as usual. */
static int
send_frame_with_fds(struct sup_worker *w, uint8_t *frame, size_t len,
    const int *fds, size_t nfds)
{
	ssize_t n = wp_send_with_fds(
	    bufferevent_getfd(w->bev), frame, len, fds, nfds, MSG_DONTWAIT);
	int rc;

	rc = n <= 0 ? -1
	            : evbuffer_add(bufferevent_get_output(w->bev), frame + n,
	                  len - (size_t)n);
	free(frame);
	return rc;
}

int
sup_worker_send_job(
    struct sup_worker *w, struct sup_job *job, char *err, size_t errlen)
{
	uint8_t *frame = job->frame;
	int fds[WP_FDS_MAX], nfds, rc;

	job->frame = NULL;
	job->module_sent = false;
	if (job->wasm_fd < 0 &&
	    (job->module_size == 0 ||
	        (held_index(w, job->digest) >= 0 &&
	            (job->snap_size == 0 ||
	                held_index(w, job->snap_digest) >= 0)))) {
		if (sup_worker_send_frame(w, frame, job->frame_len) == 0)
			return 0;
		snprintf(err, errlen, "cannot queue the job for its worker");
		return -1;
	}
	/*
	 * The descriptors must ride on the frame's own first byte: nothing
	 * may wait before it in the output buffer. An idle worker's is empty
	 * (it read its last job whole before it replied).
	 */
	if (w->bev == NULL ||
	    evbuffer_get_length(bufferevent_get_output(w->bev)) != 0) {
		free(frame);
		snprintf(err, errlen, "the worker's socket is not idle");
		return -1;
	}
	/* A push's module is the job's own memfd, kept to be stored; a
	 * stored module goes as its file, with its snapshot's if the job
	 * starts from it (modfd.c). */
	if (job->wasm_fd >= 0) {
		/* With the memfd its snapshot comes back in (snapfd.c). */
		fds[0] = job->wasm_fd;
		fds[1] = job->snap_fd;
		nfds = job->snap_fd >= 0 ? 2 : 1;
	} else {
		nfds = sup_module_fds(job->tenant, job->digest,
		    job->snap_size > 0 ? job->snap_digest : "", fds, err,
		    errlen);
	}
	if (nfds < 0) {
		free(frame);
		return -1;
	}
	rc = send_frame_with_fds(w, frame, job->frame_len, fds, (size_t)nfds);
	for (int i = 0; job->wasm_fd < 0 && i < nfds; i++)
		close(fds[i]);
	if (rc != 0)
		snprintf(err, errlen,
		    "cannot send the module to its worker: %s",
		    strerror(errno));
	job->module_sent = rc == 0;
	return rc;
}

/*
 * A reply must carry the job's id and suit the job's kind. An Error with id
 * 0 is the worker's word on the request it could not read (too large for
 * its memory limit): a worker serves one job, so it is that job's.
 */
static bool
reply_fits(struct sup_job *job, Wasmd__Envelope *env)
{
	if (env->id == 0 && env->msg_case == WASMD__ENVELOPE__MSG_ERROR)
		return true;
	if (env->id != job->id)
		return false;
	switch (env->msg_case) {
	case WASMD__ENVELOPE__MSG_ERROR: return true;
	case WASMD__ENVELOPE__MSG_MODULE_INFO: return job->kind == SUP_JOB_PUSH;
	case WASMD__ENVELOPE__MSG_INVOKE_RESULT:
	case WASMD__ENVELOPE__MSG_HOST_CALL:
	case WASMD__ENVELOPE__MSG_OUTPUT: return job->kind == SUP_JOB_INVOKE;
	case WASMD__ENVELOPE__MSG_MEMORY_REPLY:
		return job->kind == SUP_JOB_INVOKE;
	case WASMD__ENVELOPE__MSG_INSTANCE_CREATED:
		return job->kind == SUP_JOB_CREATE;
	default: return false;
	}
}

void
sup_dispatch_worker(struct sup_worker *w, Wasmd__Envelope *env)
{
	struct sup_job *job = w->job;
	const char *retire;
	char why[256];

	if (w->state == SUP_W_STARTING) {
		worker_hello(w, env);
		return;
	}
	if (w->state != SUP_W_BUSY || job == NULL || !reply_fits(job, env)) {
		sup_worker_kill(w, "the worker sent an unexpected message");
		return;
	}
	/*
	 * A host call blocks the worker until its reply: a second one before
	 * that is a worker flooding the client (and, through the client's
	 * answers, its own socket), as is a memory reply to no request.
	 */
	if (env->msg_case == WASMD__ENVELOPE__MSG_HOST_CALL) {
		if (job->host_call_pending) {
			sup_worker_kill(w,
			    "the worker sent a host call before the previous "
			    "one was answered");
			return;
		}
		job->host_call_pending = true;
		sup_job_host_call(job, env);
		return;
	}
	if (env->msg_case == WASMD__ENVELOPE__MSG_OUTPUT) {
		sup_job_output(job, env);
		return;
	}
	/* The client's memory request during a host call: relayed alike. */
	if (env->msg_case == WASMD__ENVELOPE__MSG_MEMORY_REPLY) {
		if (job->memory_requests == 0) {
			sup_worker_kill(w,
			    "the worker sent a memory reply nobody asked for");
			return;
		}
		job->memory_requests--;
		sup_job_host_call(job, env);
		return;
	}
	/* A live instance's worker outlives its jobs (instance.c). */
	if (job->instance != NULL) {
		sup_instance_job_reply(w, job, env);
		return;
	}
	/* A push's snapshot, in its memfd: sealed, or the worker lied. */
	if (env->msg_case == WASMD__ENVELOPE__MSG_MODULE_INFO &&
	    !sup_snapshot_memfd_check(job->snap_fd, env->module_info,
	        job->snap_room, why, sizeof(why))) {
		snprintf(w->bad_frame, sizeof(w->bad_frame),
		    "its snapshot is refused, nothing stored: %s", why);
		sup_worker_kill(w, w->bad_frame);
		return;
	}
	/* Done with this job: the worker serves the next, or retires. */
	retire = retire_reason(w, env);
	if (retire == NULL &&
	    env->msg_case == WASMD__ENVELOPE__MSG_INVOKE_RESULT)
		note_cache(w, job, env->invoke_result);
	w->state = SUP_W_DONE;
	w->job = NULL;
	job->worker = NULL;
	sup_job_reply(job, env);
	worker_release(w, retire);
}

static void
worker_gone(struct sup_worker *w)
{
	struct sup *sup = w->sup;
	struct sup_job *job = w->job;

	if (!w->reaped || w->bev != NULL)
		return;
	switch (w->state) {
	case SUP_W_STARTING:
		sup->nstarting--;
		sup->spawn_failures++;
		sup_log(SUP_ERR,
		    "event=worker_start pid=%ld outcome=failed status=0x%x "
		    "failures=%u",
		    (long)w->pid, (unsigned)w->status, sup->spawn_failures);
		/* Do not let a queued job wait for workers that never start. */
		if (sup->spawn_failures >= 3 &&
		    (job = TAILQ_FIRST(&sup->queue)) != NULL)
			sup_job_fail(job, WASMD__ERROR_CODE__ERR_INTERNAL,
			    "workers fail to start (see the daemon's log)");
		job = NULL;
		break;
	default:
		/* An idle worker was taken off the idle list at EOF. */
		sup_log(SUP_DEBUG, "event=worker_exit pid=%ld status=0x%x",
		    (long)w->pid, (unsigned)w->status);
		break;
	}
	if (job != NULL) {
		w->job = NULL;
		job->worker = NULL;
		sup_job_worker_died(job, w);
	}
	if (w->instance != NULL)
		sup_instance_worker_gone(w);
	TAILQ_REMOVE(&sup->workers, w, entry);
	event_free(w->startup);
	event_free(w->idle_timer);
	free(w->held);
	free(w);
	schedule_topup(sup);
}

/*
 * The reply too large that w sent (err: sup_frame_next's), as its job's
 * client hears it: which limit it passed.
 */
static void
note_reply_too_large(struct sup_worker *w, const char *err)
{
	const struct sup_config *c = &w->sup->cfg;
	char push[128] = "";

	/* An honest worker sends that much only for a module whose
	 * metadata --max-module-info would refuse anyway. */
	if (w->job != NULL && w->job->kind == SUP_JOB_PUSH)
		snprintf(push, sizeof(push),
		    " (a push's reply carries the module's metadata: at most "
		    "--max-module-info %llu bytes)",
		    (unsigned long long)c->max_module_info);
	w->reply_too_large = true;
	/* Cut at the buffer's end when err is long; nothing else to do. */
	if (snprintf(w->bad_frame, sizeof(w->bad_frame),
	        "the worker sent a malformed frame (%s): %s%s", err,
	        sup_worker_reply_max(c) == c->max_frame
	            ? "a reply larger than max-frame"
	            : "a reply larger than a worker may send",
	        push) < 0)
		w->bad_frame[0] = '\0';
}

/* A partial reply above this many bytes is counted at once. */
#define SUP_PARTIAL_REPLY_RECOUNT (64u << 10)

/*
 * A large reply w is still sending counts in its tenant's share while it
 * is received (budget.c), so that tenant's connections, not the others',
 * wait for memory.
 */
static void
note_partial_reply(struct sup_worker *w)
{
	if (w->job != NULL && w->job->session != NULL &&
	    evbuffer_get_length(bufferevent_get_input(w->bev)) >
	        SUP_PARTIAL_REPLY_RECOUNT)
		sup_budget_update(w->job->session);
}

static void
worker_read_cb(struct bufferevent *bev, void *arg)
{
	struct sup_worker *w = arg;
	const struct sup_config *c = &w->sup->cfg;
	Wasmd__Envelope *env;
	char err[256];

	if (w->killed) {
		evbuffer_drain(bufferevent_get_input(bev),
		    evbuffer_get_length(bufferevent_get_input(bev)));
		return;
	}
	while (!w->killed && !w->paused && w->bev != NULL) {
		enum sup_frame_status st = sup_frame_next(
		    bufferevent_get_input(bev), sup_worker_reply_max(c),
		    sup_worker_reply_limit(c), &env, err, sizeof(err));
		if (st == SUP_FRAME_NONE) {
			note_partial_reply(w);
			break;
		}
		if (st == SUP_FRAME_BAD) {
			sup_log(SUP_WARNING,
			    "event=worker_bad_frame pid=%ld error=\"%s\"",
			    (long)w->pid, err);
			/* Its job's client hears why, even when the
			 * worker exits before our SIGKILL lands. */
			if (strstr(err, "exceeds") != NULL)
				note_reply_too_large(w, err);
			else
				snprintf(w->bad_frame, sizeof(w->bad_frame),
				    "the worker sent a malformed frame (%s)",
				    err);
			sup_worker_kill(w, w->bad_frame);
			break;
		}
		sup_dispatch_worker(w, env);
		wasmd__envelope__free_unpacked(env, NULL);
	}
}

static void
worker_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct sup_worker *w = arg;

	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	/* Read whatever came before the EOF (a last reply). */
	if (!w->killed)
		worker_read_cb(bev, w);
	bufferevent_free(w->bev);
	w->bev = NULL;
	/*
	 * An idle worker that hung up must not be handed a job meanwhile.
	 * Workers do not die idle unless something is wrong with them (one
	 * that misbehaves right after its hello, one its own sandbox kills
	 * while it waits): count it as a failed start, so the pool backs off
	 * instead of replacing them in a loop that burns the CPU.
	 */
	if (w->state == SUP_W_IDLE) {
		idle_remove(w);
		w->state = SUP_W_DONE;
		/* One that served jobs started fine (an older worker program
		 * may serve one job and leave): only a new one is a failure. */
		w->sup->spawn_failures += w->jobs == 0;
		sup_log(w->jobs == 0 ? SUP_WARNING : SUP_INFO,
		    "event=worker_died pid=%ld state=idle jobs=%u failures=%u",
		    (long)w->pid, w->jobs, w->sup->spawn_failures);
	}
	/*
	 * A worker that closed its socket is exiting (or must): its exit
	 * status is already decided if it is exiting, so this kill cannot
	 * change the classification; it only ends one that lingers.
	 */
	if (!w->reaped)
		kill(w->pid, SIGKILL);
	worker_gone(w);
}

static void
worker_startup_cb(evutil_socket_t fd, short what, void *arg)
{
	sup_worker_kill(arg, "no hello within the startup limit");
}

static char *
format_u64(uint64_t v)
{
	char *s;

	if (asprintf(&s, "%llu", (unsigned long long)v) < 0)
		abort();
	return s;
}

/*
 * posix_spawn of `wasmd-worker CMD --fd 3 --memory-limit B --cache-bytes C`
 * (and the identity options of isolation.c) with child_fd
 * on its fd 3 (a fresh image, never a copy of the supervisor), signals
 * unblocked and at their defaults. 0 with *pid, or an errno value.
 */
static int
spawn_process(
    struct sup *sup, const char *cmd, int child_fd, uint64_t memory, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc, moved = -1;
	/* The linear memory of the jobs it serves and its module cache; the
	 * worker adds its own headroom for the engine to RLIMIT_AS. */
	char *mem = format_u64(memory);
	char *cache = format_u64(sup->cfg.worker_cache_bytes);
	char *argv[SUP_WORKER_ARGV];
	char **env = sup_worker_environ(); /* isolation.c: scrubbed */

	if (child_fd == 3) { /* dup2(3, 3) would keep close-on-exec */
		moved = fcntl(child_fd, F_DUPFD_CLOEXEC, 10);
		if (moved < 0) {
			int e = errno;

			free(mem);
			free(cache);
			free(env);
			return e;
		}
		child_fd = moved;
	}
	sup_worker_argv(sup, cmd, mem, cache, argv);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, child_fd, 3);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(
	    &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(pid, sup->cfg.worker_path, &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (moved >= 0)
		close(moved);
	free(mem);
	free(cache);
	free(env);
	return rc;
}

/* ---- The zygote (--worker-spawn zygote) -------------------------------- */

/*
 * `wasmd-worker zygote` (worker/zygote.c) forks confined workers on request
 * instead of this process exec'ing each. Its control socket is a
 * SOCK_SEQPACKET pair; the messages (two 32-bit words each) are:
 *   zygote -> us, once:  ZYGOTE_READY, its pid      (it is confined)
 *   us -> zygote:        seq, with the worker's socket as SCM_RIGHTS
 *   zygote -> us:        seq, the worker's pid (or -errno)
 * A worker it forks is our child (CLONE_PARENT): reaped by sigchld_cb and
 * classified like any other. The zygote itself is never a pool worker.
 *
 * Any failure (not started, not ready yet, dead, a wrong or late reply)
 * falls back to exec for that start, so invokes keep working; a zygote
 * that dies or misbehaves is killed and started again after a backoff.
 */
#define ZYGOTE_READY 0x5a594731u /* worker/zygote.h WRK_ZYGOTE_READY */
/*
 * How long a start waits for the zygote's reply. A confined, ready zygote
 * answers right after one fork (tens of microseconds); the wait is
 * synchronous, so a stuck zygote blocks the event loop at most this long,
 * once, before it is killed and the start falls back to exec.
 */
#define ZYGOTE_REPLY_MS 250
#define ZYGOTE_MAX_BACKOFF_S 10

struct sup_zygote {
	pid_t pid;                /* 0: none to reap */
	int fd;                   /* control socket; -1 when none */
	bool ready;               /* its ready message came */
	struct event *ready_ev;   /* own: waits for the ready message */
	uint32_t seq;             /* of the last request */
	unsigned failures;        /* consecutive losses, for the backoff */
	struct timespec retry_at; /* no new zygote before this */
	struct event *retry_ev;   /* own: starts the next one then */
	bool exited;              /* reaped: its pid is not ours any more */
};

static void
zygote_close(struct sup_zygote *z)
{
	if (z->ready_ev != NULL)
		event_free(z->ready_ev);
	z->ready_ev = NULL;
	if (z->fd >= 0)
		close(z->fd);
	z->fd = -1;
	z->ready = false;
}

/*
 * When the next zygote may start: at once after a configuration change
 * (failed false), else after a backoff that grows with each loss in a row.
 * Returns the backoff in seconds.
 */
static unsigned
zygote_backoff(struct sup_zygote *z, bool failed)
{
	unsigned s = 0;
	struct timeval tv = {0, 0};

	if (failed) {
		z->failures++;
		s = z->failures < ZYGOTE_MAX_BACKOFF_S ? z->failures
		                                       : ZYGOTE_MAX_BACKOFF_S;
	}
	clock_gettime(CLOCK_MONOTONIC, &z->retry_at);
	z->retry_at.tv_sec += s;
	/* Started then even if no worker start asks for it before. */
	tv.tv_sec = (time_t)s;
	evtimer_add(z->retry_ev, &tv);
	return s;
}

/*
 * Ends the zygote: SIGKILL while it is not reaped (sigchld_cb reaps it),
 * its socket closed, the next one scheduled by zygote_backoff().
 */
static void
zygote_lose(struct sup *sup, bool failed, const char *why)
{
	struct sup_zygote *z = sup->zygote;
	unsigned backoff;

	if (z->fd < 0)
		return;
	backoff = zygote_backoff(z, failed);
	sup_log(failed ? SUP_ERR : SUP_INFO,
	    "event=zygote_lost pid=%ld reason=\"%s\" retry_s=%u "
	    "failures=%u",
	    (long)z->pid, why, backoff, z->failures);
	if (z->pid > 0 && !z->exited)
		kill(z->pid, SIGKILL);
	zygote_close(z);
}

/* Reads two words; false at EOF, on an error or a short message. */
static bool
zygote_recv(int fd, uint32_t words[2])
{
	ssize_t n = recv(fd, words, 2 * sizeof(uint32_t), MSG_DONTWAIT);

	return n == (ssize_t)(2 * sizeof(uint32_t));
}

static void
zygote_ready_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup *sup = arg;
	struct sup_zygote *z = sup->zygote;
	uint32_t words[2];

	if (!zygote_recv(z->fd, words) || words[0] != ZYGOTE_READY ||
	    (pid_t)words[1] != z->pid) {
		zygote_lose(
		    sup, true, "no ready message (confinement failed?)");
		return;
	}
	z->ready = true;
	event_free(z->ready_ev);
	z->ready_ev = NULL;
	sup_log(SUP_INFO, "event=zygote_ready pid=%ld", (long)z->pid);
}

/* Starts a zygote; it is usable once its ready message comes. */
static void
zygote_start(struct sup *sup)
{
	struct sup_zygote *z = sup->zygote;
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		sup_log(SUP_ERR, "event=zygote_start error=\"socketpair: %s\"",
		    strerror(errno));
		zygote_backoff(z, true);
		return;
	}
	rc = spawn_process(
	    sup, "zygote", sv[1], sup->cfg.default_memory, &z->pid);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		z->pid = 0;
		sup_log(SUP_ERR, "event=zygote_start error=\"%s: %s\"",
		    sup->cfg.worker_path, strerror(rc));
		zygote_backoff(z, true);
		return;
	}
	z->fd = sv[0];
	z->ready_ev =
	    event_new(sup->base, z->fd, EV_READ, zygote_ready_cb, sup);
	if (z->ready_ev == NULL || event_add(z->ready_ev, NULL) != 0)
		abort();
	sup_log(SUP_INFO, "event=zygote_start pid=%ld", (long)z->pid);
}

/*
 * Starts a zygote when there is none (the last one reaped) and its backoff
 * is over; due: the backoff timer fired (its clock may run a little ahead
 * of ours).
 */
static void
zygote_ensure(struct sup *sup, bool due)
{
	struct sup_zygote *z = sup->zygote;
	struct timespec now;

	if (z == NULL || z->pid != 0 || z->fd >= 0 || sup->stopping)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!due &&
	    (now.tv_sec < z->retry_at.tv_sec ||
	        (now.tv_sec == z->retry_at.tv_sec &&
	            now.tv_nsec < z->retry_at.tv_nsec)))
		return;
	evtimer_del(z->retry_ev);
	zygote_start(sup);
}

/* Sends one request: seq, with fd. */
static bool
zygote_send(struct sup_zygote *z, int fd)
{
	return wp_send_with_fd(z->fd, &z->seq, sizeof z->seq, fd,
	           MSG_DONTWAIT) == (ssize_t)sizeof z->seq;
}

/* Waits up to ZYGOTE_REPLY_MS for the reply to the last request. */
static bool
zygote_await(struct sup_zygote *z, uint32_t words[2])
{
	struct pollfd p = {z->fd, POLLIN, 0};
	int rc;

	do
		rc = poll(&p, 1, ZYGOTE_REPLY_MS);
	while (rc < 0 && errno == EINTR);
	return rc == 1 && zygote_recv(z->fd, words);
}

/* True when pid is a child of this process, running or not yet reaped. */
static bool
is_our_child(pid_t pid)
{
	siginfo_t info;

	memset(&info, 0, sizeof info);
	return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) ==
	    0;
}

/*
 * Has the zygote fork a worker on worker_fd (which stays ours to close).
 * 0 with *pid, or -1: the caller then execs the worker instead.
 */
static int
zygote_fork_worker(struct sup *sup, int worker_fd, uint64_t memory, pid_t *pid)
{
	struct sup_zygote *z = sup->zygote;
	uint32_t words[2];

	zygote_ensure(sup, false);
	/* Its children inherit its limits: those of the default memory. */
	if (z == NULL || !z->ready || memory != sup->cfg.default_memory)
		return -1;
	if (++z->seq == ZYGOTE_READY)
		z->seq++;
	if (!zygote_send(z, worker_fd)) {
		zygote_lose(sup, true, "cannot send it a request");
		return -1;
	}
	if (!zygote_await(z, words) || words[0] != z->seq) {
		zygote_lose(sup, true, "no reply to a request in time");
		return -1;
	}
	if ((int32_t)words[1] <= 0) {
		/* Its fork failed (EAGAIN, ENOMEM): exec may still work. */
		sup_log(SUP_WARNING, "event=zygote_fork error=\"%s\"",
		    strerror(-(int32_t)words[1]));
		return -1;
	}
	/*
	 * The pid will be killed and waited for as a worker's: it must be
	 * our child (CLONE_PARENT), never some other process a confused
	 * zygote names. WNOWAIT leaves it to be reaped by sigchld_cb.
	 */
	if (!is_our_child((pid_t)words[1])) {
		zygote_lose(sup, true, "it replied with a pid not our child");
		return -1;
	}
	z->failures = 0;
	*pid = (pid_t)words[1];
	return 0;
}

/* True (and the zygote forgotten) when pid was the zygote. */
static bool
zygote_reaped(struct sup *sup, pid_t pid, int status)
{
	struct sup_zygote *z = sup->zygote;

	if (z == NULL || z->pid == 0 || pid != z->pid)
		return false;
	sup_log(SUP_INFO, "event=zygote_exit pid=%ld status=0x%x", (long)pid,
	    (unsigned)status);
	/* Still connected: it died on its own, not because we killed it. */
	z->exited = true; /* its pid may be another process's already */
	zygote_lose(sup, true, "it exited");
	z->exited = false;
	z->pid = 0;
	/* The next one, if its time has come (else retry_ev starts it). */
	zygote_ensure(sup, false);
	return true;
}

static void
zygote_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	zygote_ensure(arg, true);
}

static void
zygote_init(struct sup *sup)
{
	struct sup_zygote *z;

	if (sup->cfg.worker_spawn != SUP_SPAWN_ZYGOTE)
		return;
	z = sup->zygote = sup_xcalloc(1, sizeof(*sup->zygote));
	z->fd = -1;
	z->retry_ev = evtimer_new(sup->base, zygote_retry_cb, sup);
	if (z->retry_ev == NULL)
		abort();
	zygote_start(sup);
}

static void
zygote_shutdown(struct sup *sup)
{
	struct sup_zygote *z = sup->zygote;
	int status;

	if (z == NULL)
		return;
	if (z->pid > 0) {
		kill(z->pid, SIGKILL);
		waitpid(z->pid, &status, 0);
	}
	zygote_close(z);
	event_free(z->retry_ev);
	free(z);
	sup->zygote = NULL;
}

/* ---- Starting a worker ------------------------------------------------- */

static int
spawn_worker(struct sup *sup, uint64_t memory, char *err, size_t errlen)
{
	int sv[2], rc = 0;
	pid_t pid;
	bool via_zygote;
	struct sup_worker *w;
	/* Confinement takes milliseconds; a worker silent this long is stuck. */
	const struct timeval startup_limit = {10, 0};

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		sup_log(SUP_ERR, "event=worker_start error=\"%s\"", err);
		return -1;
	}
	via_zygote = zygote_fork_worker(sup, sv[1], memory, &pid) == 0;
	if (!via_zygote)
		rc = spawn_process(sup, "serve", sv[1], memory, &pid);
	close(sv[1]);
	if (rc != 0) {
		snprintf(
		    err, errlen, "%s: %s", sup->cfg.worker_path, strerror(rc));
		sup_log(SUP_ERR, "event=worker_start error=\"%s\"", err);
		close(sv[0]);
		return -1;
	}
	evutil_make_socket_nonblocking(sv[0]);
	w = sup_xcalloc(1, sizeof(*w));
	w->sup = sup;
	w->pid = pid;
	w->via_zygote = via_zygote;
	w->memory = memory;
	w->generation = sup->pool_generation;
	w->state = SUP_W_STARTING;
	clock_gettime(CLOCK_MONOTONIC, &w->spawned);
	w->bev =
	    bufferevent_socket_new(sup->base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	if (w->bev == NULL)
		abort();
	bufferevent_setcb(w->bev, worker_read_cb, NULL, worker_event_cb, w);
	w->startup = evtimer_new(sup->base, worker_startup_cb, w);
	w->idle_timer = evtimer_new(sup->base, worker_idle_cb, w);
	if (w->startup == NULL || w->idle_timer == NULL)
		abort();
	evtimer_add(w->startup, &startup_limit);
	bufferevent_enable(w->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&sup->workers, w, entry);
	sup->nstarting++;
	return 0;
}

/* No worker can start: queued jobs would wait forever, so fail them. */
static void
fail_queue(struct sup *sup, const char *why)
{
	struct sup_job *job;
	char msg[512];

	snprintf(msg, sizeof(msg), "cannot start a worker: %s", why);
	while ((job = TAILQ_FIRST(&sup->queue)) != NULL)
		sup_job_fail(job, WASMD__ERROR_CODE__ERR_INTERNAL, msg);
}

/*
 * Starts workers of this memory limit until want of them are unbound
 * (starting or idle), within --max-workers. false when one cannot start
 * (the queue then fails).
 */
static bool
topup_memory(struct sup *sup, uint64_t memory, unsigned want)
{
	char err[256];

	while (
	    unbound_for(sup, memory) < want && sup_sched_spawn_room(sup) > 0) {
		if (spawn_worker(sup, memory, err, sizeof(err)) != 0) {
			sup->spawn_failures++;
			fail_queue(sup, err);
			schedule_topup(sup);
			return false;
		}
	}
	return true;
}

/* The least recently used idle worker (the idle list's last), or NULL. */
static struct sup_worker *
idle_lru(struct sup *sup)
{
	struct sup_worker *w, *last = NULL;

	TAILQ_FOREACH(w, &sup->idle, idle_entry)
	last = w;
	return last;
}

/*
 * At --max-workers, retires idle workers to make room for the runnable
 * jobs that no starting or idle unbound worker will serve, least recently
 * used first. assign_queued() just ran, so no idle worker left fits a
 * runnable job: each is of another tenant or memory limit.
 */
static void
make_room(struct sup *sup)
{
	struct sup_job *job;
	struct sup_worker *w;
	unsigned runnable = 0, unbound = 0;

	TAILQ_FOREACH(job, &sup->queue, queue_entry)
	runnable += sup_sched_may_run(sup, job);
	TAILQ_FOREACH(w, &sup->workers, entry)
	unbound += w->tenant == NULL &&
	    (w->state == SUP_W_STARTING || w->state == SUP_W_IDLE);
	while (runnable > unbound + sup_sched_spawn_room(sup) &&
	    (w = idle_lru(sup)) != NULL) {
		idle_remove(w);
		worker_retire(w, "room for another job (max-workers)");
	}
}

/*
 * Whether memory is a limit not in seen yet (then added): topup_cb tops
 * up each limit once, not once per job. Past TOPUP_LIMITS distinct
 * limits every job counts as a first (slower, still right).
 */
#define TOPUP_LIMITS 16
static bool
first_of_limit(uint64_t *seen, size_t *nseen, uint64_t memory)
{
	for (size_t i = 0; i < *nseen; i++)
		if (seen[i] == memory)
			return false;
	if (*nseen < TOPUP_LIMITS)
		seen[(*nseen)++] = memory;
	return true;
}

/*
 * One starting worker for each queued job that may run now (of the job's
 * limit) and found no idle worker of its tenant and limit, then --pool
 * unbound workers of the default memory limit, all within --max-workers.
 */
static void
topup_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup *sup = arg;
	uint64_t def = sup->cfg.default_memory, seen[TOPUP_LIMITS];
	size_t nseen = 0;
	struct sup_job *job;

	if (sup->stopping)
		return;
	assign_queued(sup);
	sup_sched_count(sup);
	make_room(sup);
	TAILQ_FOREACH(job, &sup->queue, queue_entry)
	{
		if (!sup_sched_may_run(sup, job) ||
		    !first_of_limit(seen, &nseen, job->memory))
			continue;
		if (!topup_memory(
		        sup, job->memory, runnable_for(sup, job->memory)))
			return;
	}
	topup_memory(sup, def, sup->cfg.pool_size + runnable_for(sup, def));
}

/*
 * A job that finds no idle worker while the pool backs off after failed
 * starts (schedule_topup) tries a start at once instead of waiting for the
 * timer: it fails now with the cause (not at its deadline, which may come
 * before the next try), or, when workers can start again, it is served
 * without waiting out the backoff. The cost is one start per request.
 */
static void
topup_now_if_failing(struct sup *sup)
{
	if (sup->stopping || sup->spawn_failures == 0 ||
	    !evtimer_pending(sup->topup_ev, NULL))
		return;
	evtimer_del(sup->topup_ev);
	topup_cb(-1, 0, sup);
}

/* Tops the pool up soon; later and later while workers fail to start. */
static void
schedule_topup(struct sup *sup)
{
	unsigned n = sup->spawn_failures;
	struct timeval tv = {0, 0};

	if (sup->stopping || evtimer_pending(sup->topup_ev, NULL))
		return;
	if (n > 0)
		tv.tv_sec = n < 10 ? n : 10;
	evtimer_add(sup->topup_ev, &tv);
}

static struct sup_worker *
find_worker(struct sup *sup, pid_t pid)
{
	struct sup_worker *w;

	TAILQ_FOREACH(w, &sup->workers, entry)
	{
		if (w->pid == pid)
			return w;
	}
	return NULL;
}

static void
sigchld_cb(evutil_socket_t sig, short what, void *arg)
{
	struct sup *sup = arg;
	struct sup_worker *w;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (zygote_reaped(sup, pid, status))
			continue;
		if ((w = find_worker(sup, pid)) == NULL)
			continue;
		w->reaped = true;
		w->status = status;
		worker_gone(w);
	}
}

int
sup_pool_init(struct sup *sup)
{
	sup->topup_ev = evtimer_new(sup->base, topup_cb, sup);
	sup->sigchld_ev = evsignal_new(sup->base, SIGCHLD, sigchld_cb, sup);
	if (sup->topup_ev == NULL || sup->sigchld_ev == NULL ||
	    evsignal_add(sup->sigchld_ev, NULL) != 0)
		return -1;
	zygote_init(sup);
	schedule_topup(sup);
	return 0;
}

void
sup_pool_recycle_idle(struct sup *sup)
{
	struct sup_worker *w;

	/* Busy workers retire once they reply (retire_reason). */
	sup->pool_generation++;
	/* Off the idle list first, so no job is handed a dying worker. */
	while ((w = TAILQ_FIRST(&sup->idle)) != NULL) {
		idle_remove(w);
		w->state = SUP_W_DONE;
		sup_worker_kill(w, "the configuration changed");
	}
	/* The zygote's children inherit its RLIMIT_AS: a new one. */
	if (sup->zygote != NULL) {
		zygote_lose(sup, false, "the configuration changed");
	}
}

void
sup_pool_shutdown(struct sup *sup)
{
	struct sup_worker *w;
	int status;

	sup->stopping = true;
	zygote_shutdown(sup);
	TAILQ_FOREACH(w, &sup->workers, entry)
	{
		if (!w->reaped)
			kill(w->pid, SIGKILL);
	}
	/* They were SIGKILLed: these waits are short. */
	while ((w = TAILQ_FIRST(&sup->workers)) != NULL) {
		TAILQ_REMOVE(&sup->workers, w, entry);
		if (!w->reaped)
			waitpid(w->pid, &status, 0);
		if (w->bev != NULL)
			bufferevent_free(w->bev);
		event_free(w->startup);
		event_free(w->idle_timer);
		free(w->held);
		free(w);
	}
	if (sup->topup_ev != NULL)
		event_free(sup->topup_ev);
	if (sup->sigchld_ev != NULL)
		event_free(sup->sigchld_ev);
	sup->topup_ev = sup->sigchld_ev = NULL;
}
