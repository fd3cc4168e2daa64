/* SPDX-License-Identifier: Apache-2.0 */
/*
 * invoke.c: jobs, the work a session hands to a worker: a push (validate a
 * module in a sandbox, then store it) or an invocation.
 *
 * A job checks the tenant's quotas and the requested limits, packs the frame
 * for the worker, waits in the pool's queue for an idle worker, runs under a
 * wall-clock deadline (the supervisor SIGKILLs the worker when it passes),
 * relays host calls between the worker and the client, and ends exactly
 * once (job_finish) with a reply to the client: the worker's own reply, a
 * deadline error, or the classification of the worker's death.
 */
#include "sup.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *
code_name(Wasmd__ErrorCode code)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
	    &wasmd__error_code__descriptor, (int)code);

	return v != NULL ? v->name : "ERR_UNKNOWN";
}

static void
log_outcome(struct sup_job *job, const char *outcome, const char *detail)
{
	sup_metrics_job(job, outcome); /* metrics.c: every job ends here */
	sup_log(SUP_INFO,
	    "event=%s tenant=%s id=%llu digest=%s%s%s outcome=%s%s%s "
	    "duration_us=%llu",
	    job->kind == SUP_JOB_PUSH ? "push" : "invoke", job->tenant->name,
	    (unsigned long long)job->client_id,
	    job->digest[0] ? job->digest : "-",
	    job->export_name ? " export=" : "",
	    job->export_name ? sup_log_word(job->export_name) : "", outcome,
	    detail ? " detail=" : "", detail ? sup_log_quote(detail) : "",
	    (unsigned long long)(job->start.tv_sec ? sup_elapsed_us(&job->start)
	                                           : 0));
}

/* Removes a push's temp file the store did not take, if any. */
static void
discard_tmp(char **tmp)
{
	if (*tmp == NULL)
		return;
	unlink(*tmp);
	free(*tmp);
	*tmp = NULL;
}

/*
 * Ends the job: answers the client with env (when there is still a client
 * and env is not NULL), kills a worker still running it, frees everything.
 */
static void
job_finish(struct sup_job *job, Wasmd__Envelope *env)
{
	struct sup_session *s = job->session;

	if (job->instance != NULL)
		sup_instance_job_ended(job);
	if (s != NULL) {
		if (env != NULL)
			sup_session_send(s, env, job->client_id);
		TAILQ_REMOVE(&s->jobs, job, session_entry);
		job->session = NULL;
		sup_session_jobs_changed(s);
	}
	if (job->worker != NULL) {
		struct sup_worker *w = job->worker;
		w->job = NULL;
		if (w->state == SUP_W_BUSY)
			sup_worker_kill(w, "its job ended before it replied");
		w->state = SUP_W_DONE;
		job->worker = NULL;
	}
	sup_pool_unqueue(job->sup, job);
	job->tenant->running--;
	sup_sched_changed(job->sup); /* nice levels follow (sched.c) */
	if (job->timer != NULL)
		event_free(job->timer);
	free(job->frame);
	if (job->write != NULL)
		sup_wasm_write_cancel(job->write);
	if (job->snap_write != NULL)
		sup_wasm_write_cancel(job->snap_write);
	discard_tmp(&job->wasm_tmp);
	discard_tmp(&job->snap_tmp);
	if (job->snap_fd >= 0)
		close(job->snap_fd);
	if (job->info != NULL)
		wasmd__module_info__free_unpacked(job->info, NULL);
	if (job->wasm_fd >= 0)
		close(job->wasm_fd);
	free(job->name);
	free(job->export_name);
	free(job);
}

static void
finish_error(struct sup_job *job, Wasmd__ErrorCode code, const char *msg)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Error e = WASMD__ERROR__INIT;

	e.code = code;
	e.message = (char *)msg;
	env.msg_case = WASMD__ENVELOPE__MSG_ERROR;
	env.error = &e;
	log_outcome(job, code_name(code), msg);
	job_finish(job, &env);
}

void
sup_job_fail(struct sup_job *job, Wasmd__ErrorCode code, const char *msg)
{
	finish_error(job, code, msg);
}

void
sup_job_abandon(struct sup_job *job)
{
	struct sup_session *s = job->session;

	if (s != NULL) {
		TAILQ_REMOVE(&s->jobs, job, session_entry);
		job->session = NULL;
	}
	log_outcome(job, "abandoned", "the client went away");
	job_finish(job, NULL);
}

static void
job_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup_job *job = arg;
	char msg[128];

	if (job->worker != NULL)
		sup_worker_kill(job->worker, "deadline");
	if (job->queued)
		snprintf(msg, sizeof(msg),
		    "no worker became ready within the wall-clock limit of "
		    "%u ms",
		    job->timeout_ms);
	else
		snprintf(msg, sizeof(msg),
		    "the %s exceeded its wall-clock limit of %u ms",
		    job->kind == SUP_JOB_PUSH ? "validation (and initializer)"
		                              : "invocation",
		    job->timeout_ms);
	finish_error(job, WASMD__ERROR_CODE__ERR_TIMEOUT, msg);
}

/* A new job for session s, counted against the tenant; NULL past a quota. */
static struct sup_job *
job_new(struct sup_session *s, uint64_t id, enum sup_job_kind kind)
{
	struct sup *sup = s->sup;
	struct sup_job *job;

	if (!sup_tenant_slot_free(s->tenant, &sup->cfg)) {
		sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_LIMIT,
		    "tenant %s: concurrent invocation limit %u reached "
		    "(%u live instances count against it)",
		    s->tenant->name, sup->cfg.max_concurrent,
		    s->tenant->instances);
		return NULL;
	}
	job = sup_xcalloc(1, sizeof(*job));
	job->sup = sup;
	job->kind = kind;
	job->id = ++sup->next_job_id;
	job->client_id = id;
	job->session = s;
	job->tenant = s->tenant;
	job->tenant->running++;
	job->wasm_fd = -1;
	job->snap_fd = -1;
	/* The largest limit, unless the job says less (push, invoke...). */
	job->memory = sup->cfg.max_memory;
	job->timer = evtimer_new(sup->base, job_timeout_cb, job);
	if (job->timer == NULL)
		abort();
	TAILQ_INSERT_TAIL(&s->jobs, job, session_entry);
	return job;
}

/*
 * Queues the job for a worker. The deadline runs from here: time spent
 * waiting for a worker counts, so a request never waits forever.
 */
static void
job_submit(struct sup_job *job)
{
	struct timeval tv = {
	    job->timeout_ms / 1000, (job->timeout_ms % 1000) * 1000};

	clock_gettime(CLOCK_MONOTONIC, &job->start);
	evtimer_add(job->timer, &tv);
	sup_pool_submit(job->sup, job);
}

static bool
pack_job(struct sup_job *job, Wasmd__Envelope *env)
{
	env->id = job->id;
	job->frame = wp_frame_pack(env, &job->frame_len);
	if (job->frame == NULL) {
		finish_error(job, WASMD__ERROR_CODE__ERR_INTERNAL,
		    "out of memory packing the job");
		return false;
	}
	return true;
}

/* Room for one more module of len bytes? false with err filled. */
static bool
quota_left(const struct sup_tenant *t, const struct sup_config *c, size_t len,
    char *err, size_t errlen)
{
	if (t->nmodules >= c->max_modules) {
		snprintf(err, errlen,
		    "tenant %s: module count limit %llu reached", t->name,
		    (unsigned long long)c->max_modules);
		return false;
	}
	if (t->nbytes + len > c->max_module_bytes) {
		snprintf(err, errlen,
		    "tenant %s: module bytes limit %llu reached (%llu stored, "
		    "%zu more pushed)",
		    t->name, (unsigned long long)c->max_module_bytes,
		    (unsigned long long)t->nbytes, len);
		return false;
	}
	return true;
}

/* Quotas on a new module's count and bytes. false: refused (answered). */
static bool
push_quota_ok(struct sup_session *s, uint64_t id, size_t len)
{
	char err[512];

	if (quota_left(s->tenant, &s->sup->cfg, len, err, sizeof(err)))
		return true;
	sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_LIMIT, "%s", err);
	return false;
}

/*
 * The most a push's snapshot may take: what the tenant's quota leaves
 * once the module is in (a snapshot it replaces is freed), and at most
 * --max-frame, which bounded it when it came inside the worker's reply.
 */
static uint64_t
snapshot_room(const struct sup_tenant *t, const struct sup_config *c,
    const struct sup_module *m, size_t wasm_len)
{
	uint64_t used = t->nbytes - (m != NULL ? m->snap_size : 0) +
	    (m != NULL ? 0 : wasm_len);
	uint64_t left =
	    used < c->max_module_bytes ? c->max_module_bytes - used : 0;

	return left < c->max_frame ? left : c->max_frame;
}

static bool resolve_limits(const struct sup_config *c,
    const Wasmd__InvokeLimits *in, Wasmd__InvokeLimits *out, char *err,
    size_t errlen);

/*
 * The initializer's part of a push for the worker (wp): its name and
 * limits. The wall clock covers validation and initialization together:
 * --max-timeout, unless the client asked for less.
 */
static void
push_init_options(struct sup_job *job, const Wasmd__PushModule *push,
    Wasmd__InvokeLimits *limits, Wasmd__PushModule *wp)
{
	bool asked = push->init_limits != NULL && push->init_limits->timeout_ms;

	job->timeout_ms =
	    asked ? limits->timeout_ms : job->sup->cfg.max_timeout_ms;
	wp->init = push->init;
	wp->no_init = push->no_init;
	wp->init_allow_random = push->init_allow_random;
	wp->init_stub_imports = push->init_stub_imports;
	wp->init_limits = limits;
}

/*
 * The pushed module as a sealed memfd with its digest: the one that came
 * so (bigframe.c, a large push), or one made from a small push's bytes.
 * false: refused (answered). own: wasm->fd.
 */
static bool
push_module(struct sup_session *s, uint64_t id, const Wasmd__PushModule *push,
    struct sup_wasm *wasm)
{
	char err[512];

	if (s->pushed.fd >= 0) {
		*wasm = s->pushed;
		s->pushed.fd = -1;
		return true;
	}
	wasm->len = push->wasm.len;
	sup_sha256_hex(push->wasm.data, push->wasm.len, wasm->digest);
	wasm->fd =
	    sup_memfd_from(push->wasm.data, push->wasm.len, err, sizeof(err));
	if (wasm->fd >= 0)
		return true;
	sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_INTERNAL, "%s", err);
	return false;
}

/* The same bytes again: stored already; only a name may be new. */
static void
push_exists(
    struct sup_session *s, uint64_t id, struct sup_module *m, const char *name)
{
	char err[512];

	if (name[0] != '\0' &&
	    sup_store_add(s->sup, s->tenant, NULL, m->size, m->digest, NULL,
	        name, err, sizeof(err)) == NULL) {
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_INTERNAL, "%s", err);
		return;
	}
	sup_log(SUP_INFO,
	    "event=push tenant=%s id=%llu digest=%s outcome=exists",
	    s->tenant->name, (unsigned long long)id, m->digest);
	sup_session_reply_info(s, id, m);
}

void
sup_job_push(struct sup_session *s, uint64_t id, Wasmd__PushModule *push)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__PushModule wp = WASMD__PUSH_MODULE__INIT;
	Wasmd__InvokeLimits init_limits = WASMD__INVOKE_LIMITS__INIT;
	const char *name = push->name ? push->name : "";
	struct sup_wasm wasm;
	struct sup_module *m;
	struct sup_job *job;
	char err[512];

	if (name[0] != '\0' && !sup_store_name_ok(name)) {
		sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "invalid module name \"%.64s\": use 1 to 128 of A-Z a-z "
		    "0-9 . _ - (not starting with a dot)",
		    name);
		return;
	}
	if (!sup_store_name_room(s->sup, s->tenant, name, err, sizeof(err))) {
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_LIMIT, "%s", err);
		return;
	}
	if (!push_module(s, id, push, &wasm))
		return;
	/* The same bytes again: already validated and stored (unless an
	 * initializer is named: it runs again, for a new snapshot). */
	m = sup_store_find(s->tenant, wasm.digest);
	if (m != NULL && push->no_init)
		sup_snapshot_drop(s->tenant, m);
	if (m != NULL && (push->init == NULL || push->init[0] == '\0')) {
		close(wasm.fd);
		push_exists(s, id, m, name);
		return;
	}
	if (!resolve_limits(&s->sup->cfg, push->init_limits, &init_limits, err,
	        sizeof(err))) {
		close(wasm.fd);
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_LIMIT, "%s", err);
		return;
	}
	if ((m == NULL && !push_quota_ok(s, id, wasm.len)) ||
	    (job = job_new(s, id, SUP_JOB_PUSH)) == NULL) {
		close(wasm.fd);
		return;
	}
	snprintf(job->digest, sizeof(job->digest), "%s", wasm.digest);
	job->name = name[0] ? sup_strdup(name) : NULL;
	/* The worker maps the memfd (pool.c): the frame carries its size. */
	job->wasm_fd = wasm.fd;
	job->wasm_len = wasm.len;
	wp.module_size = wasm.len;
	/* Its snapshot, if it makes one, comes back in a memfd (snapfd.c). */
	if (!push->no_init) {
		job->snap_room =
		    snapshot_room(s->tenant, &s->sup->cfg, m, wasm.len);
		job->snap_fd =
		    sup_snapshot_memfd(job->snap_room, err, sizeof(err));
		if (job->snap_fd < 0) {
			finish_error(job, WASMD__ERROR_CODE__ERR_INTERNAL, err);
			return;
		}
		wp.snapshot_room = job->snap_room;
	}
	push_init_options(job, push, &init_limits, &wp);
	env.msg_case = WASMD__ENVELOPE__MSG_PUSH;
	env.push = &wp;
	/*
	 * Validating takes a few times the module's size: a small module in a
	 * pooled worker of the default limit (no spawn waited for), a large
	 * one in a worker of the largest.
	 */
	if (job->wasm_len <= s->sup->cfg.default_memory / 4 &&
	    (push->no_init ||
	        init_limits.max_memory_bytes <= s->sup->cfg.default_memory))
		job->memory = s->sup->cfg.default_memory;
	if (pack_job(job, &env))
		job_submit(job);
}

/*
 * Resolves one requested limit: 0 means the default; above the maximum
 * (when there is one) is refused. Returns false with err filled.
 */
static bool
resolve_limit(uint64_t req, uint64_t def, uint64_t max, const char *what,
    const char *flag, uint64_t *out, char *err, size_t errlen)
{
	if (req == 0)
		req = def != 0 ? def : max;
	if (max != 0 && req > max) {
		snprintf(err, errlen,
		    "requested %s %llu exceeds the daemon's maximum %llu (%s)",
		    what, (unsigned long long)req, (unsigned long long)max,
		    flag);
		return false;
	}
	*out = req;
	return true;
}

static bool
resolve_limits(const struct sup_config *c, const Wasmd__InvokeLimits *in,
    Wasmd__InvokeLimits *out, char *err, size_t errlen)
{
	uint64_t timeout = 0;

	if (!resolve_limit(in ? in->fuel : 0, c->default_fuel, c->max_fuel,
	        "fuel", "--max-fuel", &out->fuel, err, errlen) ||
	    !resolve_limit(in ? in->max_memory_bytes : 0, c->default_memory,
	        c->max_memory, "memory bytes", "--max-memory",
	        &out->max_memory_bytes, err, errlen) ||
	    !resolve_limit(in ? in->timeout_ms : 0, c->default_timeout_ms,
	        c->max_timeout_ms, "timeout ms", "--max-timeout", &timeout, err,
	        errlen))
		return false;
	out->timeout_ms = (uint32_t)timeout;
	/* --max-output is both the default and the maximum. */
	return resolve_limit(in ? in->max_output_bytes : 0, c->max_output,
	    c->max_output, "output bytes", "--max-output",
	    &out->max_output_bytes, err, errlen);
}

void
sup_job_invoke(struct sup_session *s, uint64_t id, Wasmd__Invoke *inv)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Invoke wi = WASMD__INVOKE__INIT;
	Wasmd__InvokeLimits limits = WASMD__INVOKE_LIMITS__INIT;
	struct sup_module *m;
	struct sup_job *job;
	Wasmd__Mount **mounts;
	size_t nmounts;
	bool packed;
	char err[512];

	if (inv->instance_id != 0 && inv->n_mounts > 0) {
		/* A live instance's WASI world was made at its creation. */
		sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "mounts (files) are not supported for a live instance; "
		    "invoke the module without instance_id");
		return;
	}
	if (inv->instance_id != 0) {
		sup_instance_invoke(s, id, inv);
		return;
	}
	m = sup_store_resolve(
	    s->tenant, inv->ref ? inv->ref : "", err, sizeof(err));
	if (m == NULL) {
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_NOT_FOUND, "%s", err);
		return;
	}
	if (!resolve_limits(
	        &s->sup->cfg, inv->limits, &limits, err, sizeof(err))) {
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_LIMIT, "%s", err);
		return;
	}
	if (!sup_bundle_mounts(s, id, inv, &mounts, &nmounts))
		return;
	if ((job = job_new(s, id, SUP_JOB_INVOKE)) == NULL) {
		sup_bundle_mounts_free(mounts, nmounts);
		return;
	}
	snprintf(job->digest, sizeof(job->digest), "%s", m->digest);
	job->export_name = sup_strdup(inv->export ? inv->export : "");
	job->timeout_ms = limits.timeout_ms;
	job->max_output = limits.max_output_bytes;
	job->memory = limits.max_memory_bytes;
	/* Named by digest: the bytes go (as a memfd) only to a worker that
	 * lacks them (pool.c, sup_worker_send_job). */
	job->module_size = m->size;
	wi.module_digest = job->digest;
	wi.module_size = m->size;
	/* A fresh instance starts from the module's snapshot, if any. */
	if (!inv->no_snapshot && m->snap_digest[0] != '\0') {
		memcpy(
		    job->snap_digest, m->snap_digest, sizeof job->snap_digest);
		job->snap_size = m->snap_size;
		wi.snapshot_digest = job->snap_digest;
		wi.snapshot_size = m->snap_size;
	}
	wi.export = inv->export;
	wi.n_args = inv->n_args;
	wi.args = inv->args;
	wi.limits = &limits;
	wi.n_host_imports = inv->n_host_imports;
	wi.host_imports = inv->host_imports;
	/* WASI: the guest's argv, environment and stdin, as given. */
	wi.n_argv = inv->n_argv;
	wi.argv = inv->argv;
	wi.n_env = inv->n_env;
	wi.env = inv->env;
	wi.stdin = inv->stdin;
	wi.command = inv->command;
	wi.tty_fds = inv->tty_fds;
	/* Files (bundle.c): each bundle's image travels in the frame. */
	wi.n_mounts = nmounts;
	wi.mounts = mounts;
	env.msg_case = WASMD__ENVELOPE__MSG_INVOKE;
	env.invoke = &wi;
	packed = pack_job(job, &env);
	sup_bundle_mounts_free(mounts, nmounts);
	if (packed)
		job_submit(job);
}

void
sup_job_start(struct sup_job *job, struct sup_worker *w)
{
	char err[512];
	struct timeval tv = {
	    job->timeout_ms / 1000, (job->timeout_ms % 1000) * 1000};

	job->worker = w;
	w->job = job;
	w->state = SUP_W_BUSY;
	sup_sched_changed(job->sup); /* nice levels follow (sched.c) */
	clock_gettime(CLOCK_MONOTONIC, &job->start);
	evtimer_add(job->timer, &tv);
	if (sup_worker_send_job(w, job, err, sizeof err) != 0) {
		sup_worker_kill(w, "cannot queue the job");
		/* rm of the module while the invoke waited for a worker. */
		finish_error(job,
		    job->module_size > 0 &&
		            sup_store_find(job->tenant, job->digest) == NULL
		        ? WASMD__ERROR_CODE__ERR_NOT_FOUND
		        : WASMD__ERROR_CODE__ERR_INTERNAL,
		    err);
		return;
	}
	/* worker= and module= let tests see reuse and the cache at work. */
	sup_log(SUP_DEBUG,
	    "event=job_start tenant=%s id=%llu worker=%ld worker_jobs=%u "
	    "module=%s",
	    job->tenant->name, (unsigned long long)job->client_id, (long)w->pid,
	    w->jobs,
	    job->module_size == 0  ? "-"
	        : job->module_sent ? "sent"
	                           : "cached");
}

/*
 * Room in the tenant's byte quota for the snapshot a push made (the
 * module's own bytes are checked before), and in the memfd it came in?
 * false with err filled.
 */
static bool
snapshot_quota_ok(struct sup_job *job, const Wasmd__ModuleInfo *info, char *err,
    size_t errlen)
{
	const struct sup_tenant *t = job->tenant;
	const struct sup_module *m = sup_store_find(job->tenant, job->digest);
	uint64_t max = job->sup->cfg.max_module_bytes;
	uint64_t size = info->snapshot_size;
	uint64_t after = t->nbytes + size + (m != NULL ? 0 : job->wasm_len);

	if (m != NULL)
		after -= m->snap_size; /* replaced */
	if (size == 0 || (after <= max && size <= job->snap_room))
		return true;
	if (after > max)
		snprintf(err, errlen,
		    "tenant %s: module bytes limit %llu reached: the snapshot "
		    "the initializer made is %llu bytes (%llu stored); push "
		    "with --no-init, or ask for a larger --max-module-bytes",
		    t->name, (unsigned long long)max, (unsigned long long)size,
		    (unsigned long long)t->nbytes);
	else /* the quota left when the push began, or --max-frame */
		snprintf(err, errlen,
		    "the snapshot the initializer made is %llu bytes, more "
		    "than the %llu a snapshot could take when the push began "
		    "(the tenant's --max-module-bytes left, at most "
		    "--max-frame): push again, or with --no-init",
		    (unsigned long long)size,
		    (unsigned long long)job->snap_room);
	return false;
}

/* The quotas a validated push must fit in. false: finished with why. */
static bool
push_fits(struct sup_job *job, const Wasmd__ModuleInfo *info)
{
	Wasmd__ErrorCode code;
	char err[512];

	/* Metadata bounds, and the quota with it (store.c). */
	if (sup_store_find(job->tenant, job->digest) == NULL &&
	    !sup_store_info_ok(job->sup, job->tenant, info, job->wasm_len,
	        &code, err, sizeof(err))) {
		finish_error(job, code, err);
		return false;
	}
	/* Quotas again: other pushes may have been stored meanwhile. */
	if (sup_store_find(job->tenant, job->digest) == NULL &&
	    !quota_left(
	        job->tenant, &job->sup->cfg, job->wasm_len, err, sizeof(err))) {
		finish_error(job, WASMD__ERROR_CODE__ERR_LIMIT, err);
		return false;
	}
	if (!snapshot_quota_ok(job, info, err, sizeof(err))) {
		finish_error(job, WASMD__ERROR_CODE__ERR_LIMIT, err);
		return false;
	}
	return true;
}

/*
 * Stores the validated push: its module from job->wasm_tmp (NULL: stored
 * already), its snapshot, if any, from job->snap_tmp.
 */
static void
push_store(struct sup_job *job, const Wasmd__ModuleInfo *info)
{
	struct sup_session *s = job->session;
	struct sup_module *m;
	char err[512];

	m = sup_store_add(job->sup, job->tenant, job->wasm_tmp, job->wasm_len,
	    job->digest, info, job->name, err, sizeof(err));
	free(job->wasm_tmp); /* renamed or removed */
	job->wasm_tmp = NULL;
	if (m == NULL) {
		finish_error(job, WASMD__ERROR_CODE__ERR_INTERNAL, err);
		return;
	}
	if (job->snap_tmp != NULL &&
	    sup_snapshot_put(job->tenant, m, job->snap_tmp, job->snap_sha,
	        info->snapshot_size, err, sizeof(err)) != 0) {
		free(job->snap_tmp); /* removed */
		job->snap_tmp = NULL;
		finish_error(job, WASMD__ERROR_CODE__ERR_INTERNAL, err);
		return;
	}
	free(job->snap_tmp); /* renamed */
	job->snap_tmp = NULL;
	log_outcome(job, "stored", NULL);
	if (s != NULL)
		sup_session_reply_info(s, job->client_id, m);
	job_finish(job, NULL);
}

/* Both writes done (wasmwrite.c): the quotas again, then the store. */
static void
push_writes_done(struct sup_job *job)
{
	if (job->write != NULL || job->snap_write != NULL)
		return;
	if (push_fits(job, job->info))
		push_store(job, job->info);
}

/* wasmwrite.c wrote the module's bytes (tmp), or could not (err). */
static void
push_written(void *arg, const char *tmp, const char *sha, const char *err)
{
	struct sup_job *job = arg;

	(void)sha;
	job->write = NULL;
	if (tmp == NULL) {
		finish_error(job, WASMD__ERROR_CODE__ERR_INTERNAL, err);
		return;
	}
	job->wasm_tmp = sup_strdup(tmp);
	push_writes_done(job);
}

/* wasmwrite.c wrote the snapshot (tmp, of digest sha), or not (err). */
static void
snapshot_written(void *arg, const char *tmp, const char *sha, const char *err)
{
	struct sup_job *job = arg;

	job->snap_write = NULL;
	if (tmp == NULL) {
		finish_error(job, WASMD__ERROR_CODE__ERR_INTERNAL, err);
		return;
	}
	job->snap_tmp = sup_strdup(tmp);
	snprintf(job->snap_sha, sizeof(job->snap_sha), "%s", sha);
	push_writes_done(job);
}

/*
 * Starts the writes a validated push needs, off the loop (wasmwrite.c): a
 * new module's bytes, and the snapshot the worker left in job->snap_fd
 * (checked and sealed by pool.c). false: finished with why.
 */
static bool
push_start_writes(struct sup_job *job, const Wasmd__ModuleInfo *info)
{
	char dir[4096], err[512];

	if (sup_store_find(job->tenant, job->digest) == NULL &&
	    (sup_store_modules_dir(
	         job->tenant, dir, sizeof(dir), err, sizeof(err)) != 0 ||
	        (job->write = sup_wasm_write_start(job->sup, dir, job->digest,
	             false, job->wasm_fd, job->wasm_len, push_written, job, err,
	             sizeof(err))) == NULL)) {
		finish_error(job, WASMD__ERROR_CODE__ERR_INTERNAL, err);
		return false;
	}
	if (info->snapshot_size > 0 &&
	    (sup_snapshot_dir(
	         job->tenant, dir, sizeof(dir), err, sizeof(err)) != 0 ||
	        (job->snap_write = sup_wasm_write_start(job->sup, dir,
	             job->digest, true, job->snap_fd,
	             (size_t)info->snapshot_size, snapshot_written, job, err,
	             sizeof(err))) == NULL)) {
		finish_error(job, WASMD__ERROR_CODE__ERR_INTERNAL, err);
		return false;
	}
	return true;
}

/*
 * A worker accepted the push (env's module_info): a new module's bytes and
 * its snapshot are first written off the loop (wasmwrite.c), and the job
 * keeps the info until then; a module stored already without a snapshot
 * gets its name now.
 */
static void
push_stored(struct sup_job *job, Wasmd__Envelope *env)
{
	if (!push_fits(job, env->module_info) ||
	    !push_start_writes(job, env->module_info))
		return;
	if (job->write == NULL && job->snap_write == NULL) {
		push_store(job, env->module_info);
		return;
	}
	/* The deadline was the worker's; the info is the job's now. */
	evtimer_del(job->timer);
	job->info = env->module_info;
	env->module_info = NULL;
	env->msg_case = WASMD__ENVELOPE__MSG__NOT_SET;
}

void
sup_job_reply(struct sup_job *job, Wasmd__Envelope *env)
{
	if (env->msg_case == WASMD__ENVELOPE__MSG_MODULE_INFO) {
		push_stored(job, env);
		return;
	}
	if (env->msg_case == WASMD__ENVELOPE__MSG_ERROR) {
		log_outcome(
		    job, code_name(env->error->code), env->error->message);
	} else if (env->msg_case == WASMD__ENVELOPE__MSG_INSTANCE_CREATED) {
		log_outcome(job, "instance_created", NULL);
	} else {
		const Wasmd__Trap *trap = env->invoke_result->trap;
		char exited[32]; /* a WASI command's exit code, for the log */
		snprintf(exited, sizeof(exited), "exit code %u",
		    env->invoke_result->exit_code);
		sup_metrics_fuel(job, env->invoke_result->fuel_consumed);
		log_outcome(job,
		    trap != NULL && trap->kind != WASMD__TRAP_KIND__TRAP_NONE
		        ? "trap"
		        : "ok",
		    trap != NULL                            ? trap->message
		        : env->invoke_result->has_exit_code ? exited
		                                            : NULL);
	}
	job_finish(job, env);
}

void
sup_job_host_call(struct sup_job *job, Wasmd__Envelope *env)
{
	/* Wall time spent waiting on the client counts against the deadline. */
	if (job->session != NULL)
		sup_session_send(job->session, env, job->client_id);
}

void
sup_job_host_reply(struct sup_job *job, Wasmd__Envelope *env)
{
	if (job->worker == NULL || job->worker->state != SUP_W_BUSY)
		return;
	/* The worker reads these only while a host call waits: at any other
	 * time they would pile up unread in its socket. */
	if (!job->host_call_pending) {
		sup_log(SUP_DEBUG,
		    "event=host_reply tenant=%s id=%llu outcome=dropped "
		    "reason=\"no host call waits\"",
		    job->tenant->name, (unsigned long long)job->client_id);
		return;
	}
	if (env->msg_case == WASMD__ENVELOPE__MSG_HOST_REPLY)
		job->host_call_pending = false;
	else
		job->memory_requests++;
	sup_worker_send(job->worker, env, job->id);
}

void
sup_job_worker_died(struct sup_job *job, struct sup_worker *w)
{
	int st = w->status;
	char msg[512];
	Wasmd__ErrorCode code = WASMD__ERROR_CODE__ERR_CRASH;

	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS) {
		code = WASMD__ERROR_CODE__ERR_SANDBOX_VIOLATION;
		snprintf(msg, sizeof(msg),
		    "the worker made a forbidden system call and was killed "
		    "(SIGSYS)");
	} else if (w->killed && (WIFSIGNALED(st) || w->bad_frame[0])) {
		/* A worker that sent a frame we refused may exit on its own
		 * before our SIGKILL lands: the frame is still the reason. */
		if (w->reply_too_large)
			code = WASMD__ERROR_CODE__ERR_LIMIT;
		snprintf(msg, sizeof(msg), "the worker was killed by wasmd: %s",
		    w->kill_reason ? w->kill_reason : "?");
	} else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
		/* Not ours: the kernel's OOM killer or an operator; we cannot tell. */
		snprintf(msg, sizeof(msg),
		    "the worker was killed by SIGKILL from outside wasmd "
		    "(an operator, or the kernel's out-of-memory killer)");
	} else if (WIFSIGNALED(st)) {
		snprintf(msg, sizeof(msg), "the worker crashed: signal %d (%s)",
		    WTERMSIG(st), strsignal(WTERMSIG(st)));
	} else {
		snprintf(msg, sizeof(msg),
		    "the worker exited with status %d without replying",
		    WEXITSTATUS(st));
	}
	finish_error(job, code, msg);
}

/* ---- For instance.c: the same machinery under exported names ---------- */

struct sup_job *
sup_job_new(struct sup_session *s, uint64_t id, enum sup_job_kind kind)
{
	return job_new(s, id, kind);
}

bool
sup_job_pack(struct sup_job *job, Wasmd__Envelope *env)
{
	return pack_job(job, env);
}

void
sup_job_submit(struct sup_job *job)
{
	job_submit(job);
}

bool
sup_resolve_limits(const struct sup_config *c, const Wasmd__InvokeLimits *in,
    Wasmd__InvokeLimits *out, char *err, size_t errlen)
{
	return resolve_limits(c, in, out, err, errlen);
}
