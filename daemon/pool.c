/*
 * pool.c: the worker processes and the pool of idle ones.
 *
 * A worker is started with posix_spawn (a fresh wasmd-worker image, never a
 * copy of the supervisor) as `wasmd-worker serve --fd 3 --memory-limit B`,
 * its end of a socketpair on fd 3. It confines itself, then says hello; from
 * then on it is idle and ready for exactly one job. The pool keeps
 * --pool idle-or-starting workers beyond the jobs waiting in the queue,
 * topped up from a timer event so a reply is never delayed by fork+exec.
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
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void schedule_topup(struct sup *sup);
static void topup_now_if_failing(struct sup *sup);

static void
free_frame_cb(const void *data, size_t len, void *arg)
{
	free((void *)data);
}

int
sup_worker_send_frame(struct sup_worker *w, uint8_t *frame, size_t len)
{
	if (w->bev == NULL ||
	    evbuffer_add_reference(bufferevent_get_output(w->bev), frame, len,
	        free_frame_cb, NULL) != 0) {
		free(frame);
		return -1;
	}
	return 0;
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

void
sup_worker_kill(struct sup_worker *w, const char *why)
{
	if (w->reaped || w->killed)
		return;
	w->killed = true;
	w->kill_reason = why;
	/* Nothing it says from now on matters (worker_read_cb drops it), but
	 * reading goes on until EOF, which tells that the process is gone. */
	sup_worker_resume(w);
	kill(w->pid, SIGKILL);
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

static unsigned
queue_length(struct sup *sup)
{
	struct sup_job *job;
	unsigned n = 0;

	TAILQ_FOREACH(job, &sup->queue, queue_entry)
	n++;
	return n;
}

/* Hands the idle worker w the first queued job, if any. */
static void
assign_queued(struct sup *sup)
{
	struct sup_worker *w;
	struct sup_job *job;

	while ((job = TAILQ_FIRST(&sup->queue)) != NULL &&
	    (w = TAILQ_FIRST(&sup->idle)) != NULL) {
		sup_pool_unqueue(sup, job);
		TAILQ_REMOVE(&sup->idle, w, idle_entry);
		sup->nidle--;
		w->state = SUP_W_BUSY;
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
	w->state = SUP_W_IDLE;
	sup->nstarting--;
	sup->nidle++;
	sup->spawn_failures = 0;
	TAILQ_INSERT_TAIL(&sup->idle, w, idle_entry);
	sup_log(SUP_DEBUG, "event=worker_ready pid=%ld startup_us=%llu",
	    (long)w->pid, (unsigned long long)sup_elapsed_us(&w->spawned));
	assign_queued(sup);
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
	/* One job per worker: it exits after this reply. */
	w->state = SUP_W_DONE;
	w->job = NULL;
	job->worker = NULL;
	sup_job_reply(job, env);
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
	free(w);
	schedule_topup(sup);
}

static void
worker_read_cb(struct bufferevent *bev, void *arg)
{
	struct sup_worker *w = arg;
	Wasmd__Envelope *env;
	char err[256];

	if (w->killed) {
		evbuffer_drain(bufferevent_get_input(bev),
		    evbuffer_get_length(bufferevent_get_input(bev)));
		return;
	}
	while (!w->killed && !w->paused && w->bev != NULL) {
		enum sup_frame_status st =
		    sup_frame_next(bufferevent_get_input(bev),
		        w->sup->cfg.max_frame, &env, err, sizeof(err));
		if (st == SUP_FRAME_NONE)
			break;
		if (st == SUP_FRAME_BAD) {
			sup_log(SUP_WARNING,
			    "event=worker_bad_frame pid=%ld error=\"%s\"",
			    (long)w->pid, err);
			sup_worker_kill(w, "the worker sent a malformed frame");
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
		TAILQ_REMOVE(&w->sup->idle, w, idle_entry);
		w->sup->nidle--;
		w->state = SUP_W_DONE;
		w->sup->spawn_failures++;
		sup_log(SUP_WARNING,
		    "event=worker_died pid=%ld state=idle failures=%u",
		    (long)w->pid, w->sup->spawn_failures);
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

static int
spawn_worker(struct sup *sup, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int sv[2], rc;
	pid_t pid;
	/* The largest linear memory a job may get; the worker adds its own
	 * headroom for the engine when it sets RLIMIT_AS from this. */
	char *mem = format_u64(sup->cfg.max_memory);
	char *argv[] = {sup->cfg.worker_path, "serve", "--fd", "3",
	    "--memory-limit", mem, NULL};
	struct sup_worker *w;
	/* Confinement takes milliseconds; a worker silent this long is stuck. */
	const struct timeval startup_limit = {10, 0};

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		sup_log(SUP_ERR, "event=worker_start error=\"%s\"", err);
		free(mem);
		return -1;
	}
	if (sv[1] == 3) { /* dup2(3, 3) would keep close-on-exec */
		int fd = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
		close(sv[1]);
		sv[1] = fd;
	}
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(
	    &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, sup->cfg.worker_path, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(sv[1]);
	free(mem);
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
	w->state = SUP_W_STARTING;
	clock_gettime(CLOCK_MONOTONIC, &w->spawned);
	w->bev =
	    bufferevent_socket_new(sup->base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	if (w->bev == NULL)
		abort();
	bufferevent_setcb(w->bev, worker_read_cb, NULL, worker_event_cb, w);
	w->startup = evtimer_new(sup->base, worker_startup_cb, w);
	if (w->startup == NULL)
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

static void
topup_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup *sup = arg;
	char err[256];

	if (sup->stopping)
		return;
	while (sup->nidle + sup->nstarting <
	    sup->cfg.pool_size + queue_length(sup)) {
		if (spawn_worker(sup, err, sizeof(err)) != 0) {
			sup->spawn_failures++;
			fail_queue(sup, err);
			schedule_topup(sup);
			return;
		}
	}
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
	schedule_topup(sup);
	return 0;
}

void
sup_pool_recycle_idle(struct sup *sup)
{
	struct sup_worker *w;

	/* Off the idle list first, so no job is handed a dying worker. */
	while ((w = TAILQ_FIRST(&sup->idle)) != NULL) {
		TAILQ_REMOVE(&sup->idle, w, idle_entry);
		sup->nidle--;
		w->state = SUP_W_DONE;
		sup_worker_kill(w, "the configuration changed");
	}
}

void
sup_pool_shutdown(struct sup *sup)
{
	struct sup_worker *w;
	int status;

	sup->stopping = true;
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
		free(w);
	}
	if (sup->topup_ev != NULL)
		event_free(sup->topup_ev);
	if (sup->sigchld_ev != NULL)
		event_free(sup->sigchld_ev);
	sup->topup_ev = sup->sigchld_ev = NULL;
}
