/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.c: one client connection, from hello to close.
 *
 * The first frame must be Hello with our protocol version; the tenant is the
 * peer's uid from SO_PEERCRED. After that, requests carry client-chosen ids
 * and several may be in flight (pushes and invocations run as jobs,
 * invoke.c; list, inspect and remove are answered at once). A malformed,
 * oversized or unexpected frame gets an error reply and closes only this
 * connection. A session with nothing in flight for --idle-timeout is closed.
 */
#include "sup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * A client that does not read its replies may hold one frame's worth of
 * them, plus this, before it is dropped.
 */
#define SUP_SLOW_CLIENT_SLACK (1u << 20)

static void session_close_soon(struct sup_session *s);
static void session_abort_soon(struct sup_session *s);

void
sup_session_send(struct sup_session *s, Wasmd__Envelope *env, uint64_t id)
{
	uint64_t saved = env->id;

	if (s->closing)
		return;
	env->id = id;
	if (sup_frame_send(s->bev, env) != 0) {
		sup_log(SUP_ERR,
		    "event=send tenant=%s id=%llu error=\"out of "
		    "memory\"",
		    s->tenant ? s->tenant->name : "-", (unsigned long long)id);
		session_close_soon(s);
	} else if (evbuffer_get_length(bufferevent_get_output(s->bev)) >
	    s->sup->cfg.max_frame + SUP_SLOW_CLIENT_SLACK) {
		sup_log(SUP_WARNING,
		    "event=slow_client tenant=%s pid=%ld outcome=closed "
		    "reason=\"replies pile up unread\"",
		    s->tenant ? s->tenant->name : "-", (long)s->pid);
		session_abort_soon(s);
	}
	env->id = saved;
	sup_budget_update(s);
}

void
sup_session_fail(struct sup_session *s, uint64_t id, Wasmd__ErrorCode code,
    const char *fmt, ...)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Error e = WASMD__ERROR__INIT;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e.code = code;
	e.message = msg;
	env.msg_case = WASMD__ENVELOPE__MSG_ERROR;
	env.error = &e;
	sup_session_send(s, &env, id);
}

bool
sup_session_backlog(struct sup_session *s)
{
	if (s->closing ||
	    evbuffer_get_length(bufferevent_get_output(s->bev)) <=
	        SUP_OUTPUT_HIGH)
		return false;
	if (!s->backlogged) {
		s->backlogged = true;
		/* session_write_cb runs once the output is down to this. */
		bufferevent_setwatermark(s->bev, EV_WRITE, SUP_OUTPUT_LOW, 0);
	}
	return true;
}

/* The client read its backlog: its jobs' workers may write again. */
static void
session_resume_workers(struct sup_session *s)
{
	struct sup_job *job;

	s->backlogged = false;
	bufferevent_setwatermark(s->bev, EV_WRITE, 0, 0);
	TAILQ_FOREACH(job, &s->jobs, session_entry)
	{
		if (job->worker != NULL)
			sup_worker_resume(job->worker);
	}
}

/* Stops reading; the session is freed once its output is flushed. */
static void
session_close_soon(struct sup_session *s)
{
	/* A peer that never reads its last reply must not keep us. */
	const struct timeval flush_limit = {5, 0};

	s->closing = true;
	bufferevent_setwatermark(s->bev, EV_WRITE, 0, 0);
	bufferevent_disable(s->bev, EV_READ);
	evtimer_add(s->idle, &flush_limit);
}

/* Drops the session from the event loop soon, its output unsent. */
static void
session_abort_soon(struct sup_session *s)
{
	const struct timeval now = {0, 0};

	s->closing = true;
	bufferevent_disable(s->bev, EV_READ | EV_WRITE);
	evtimer_add(s->idle, &now);
}

void
sup_session_jobs_changed(struct sup_session *s)
{
	struct timeval tv;

	if (s->closing)
		return;
	if (!TAILQ_EMPTY(&s->jobs) || s->sup->cfg.idle_timeout_ms == 0) {
		evtimer_del(s->idle);
		return;
	}
	tv.tv_sec = s->sup->cfg.idle_timeout_ms / 1000;
	tv.tv_usec = (s->sup->cfg.idle_timeout_ms % 1000) * 1000;
	evtimer_add(s->idle, &tv);
}

void
sup_session_free(struct sup_session *s)
{
	struct sup *sup = s->sup;
	struct sup_job *job;

	while ((job = TAILQ_FIRST(&s->jobs)) != NULL)
		sup_job_abandon(job); /* unlinks itself */
	sup_instances_close(s);
	sup_budget_session_gone(s);
	TAILQ_REMOVE(&s->sup->sessions, s, entry);
	s->sup->nsessions--;
	s->owner->nsessions--;
	sup_log(SUP_INFO, "event=disconnect tenant=%s pid=%ld",
	    s->tenant ? s->tenant->name : "-", (long)s->pid);
	bufferevent_free(s->bev);
	event_free(s->idle);
	free(s);
	sup_listener_resume(sup); /* a descriptor is free again */
}

static void
reply_hello(struct sup_session *s, Wasmd__Envelope *req)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Hello h = WASMD__HELLO__INIT;

	if (req->msg_case != WASMD__ENVELOPE__MSG_HELLO) {
		sup_session_fail(s, req->id, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "the first message must be hello");
		session_close_soon(s);
		return;
	}
	if (req->hello->version < WP_PROTOCOL_VERSION_MIN ||
	    req->hello->version > WP_PROTOCOL_VERSION) {
		sup_session_fail(s, req->id, WASMD__ERROR_CODE__ERR_VERSION,
		    "protocol version %u is not supported: this daemon speaks "
		    "versions %u to %u",
		    req->hello->version, WP_PROTOCOL_VERSION_MIN,
		    WP_PROTOCOL_VERSION);
		session_close_soon(s);
		return;
	}
	s->tenant = s->owner; /* from the connection (admit.c) */
	/* An older client is served in its own version (frame.h). */
	h.version = req->hello->version;
	h.software = "wasmd " WASMD_VERSION;
	h.tenant = s->tenant->name;
	env.msg_case = WASMD__ENVELOPE__MSG_HELLO;
	env.hello = &h;
	sup_session_send(s, &env, req->id);
	sup_log(SUP_INFO, "event=hello tenant=%s pid=%ld software=%s",
	    s->tenant->name, (long)s->pid, sup_log_quote(req->hello->software));
}

static void
reply_list(struct sup_session *s, uint64_t id)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__ModuleList list = WASMD__MODULE_LIST__INIT;
	Wasmd__ModuleInfo *infos;
	struct sup_module *m;
	size_t i = 0;

	/* From the index alone: no .info file is read (store.c). */
	infos = sup_xcalloc(s->tenant->nmodules + 1, sizeof(*infos));
	list.modules = sup_xcalloc(s->tenant->nmodules + 1, sizeof(void *));
	TAILQ_FOREACH(m, &s->tenant->modules, entry)
	{
		sup_store_summary(s->tenant, m, &infos[i]);
		list.modules[i] = &infos[i];
		i++;
	}
	list.n_modules = i;
	env.msg_case = WASMD__ENVELOPE__MSG_MODULE_LIST;
	env.module_list = &list;
	sup_session_send(s, &env, id);
	while (i > 0)
		sup_store_summary_free(&infos[--i]);
	free(list.modules);
	free(infos);
}

void
sup_session_reply_info(struct sup_session *s, uint64_t id, struct sup_module *m)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	char err[512];
	Wasmd__ModuleInfo *info =
	    sup_store_info(s->sup, s->tenant, m, err, sizeof(err));

	if (info == NULL) {
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_INTERNAL, "%s", err);
		return;
	}
	env.msg_case = WASMD__ENVELOPE__MSG_MODULE_INFO;
	env.module_info = info;
	sup_session_send(s, &env, id);
	sup_store_info_free(info);
}

static struct sup_module *
resolve_or_fail(struct sup_session *s, uint64_t id, const char *ref)
{
	char err[512];
	struct sup_module *m;

	m = sup_store_resolve(s->tenant, ref ? ref : "", err, sizeof(err));
	if (m == NULL)
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_NOT_FOUND, "%s", err);
	return m;
}

/*
 * RemoveModule (see its Scope in wasmd.proto): a name removes that name,
 * and with REMOVE_REF the module too once no name points at it; a digest,
 * or any ref with REMOVE_ALL_NAMES, removes the module with its names.
 */
static void
do_remove(struct sup_session *s, uint64_t id, const Wasmd__RemoveModule *rm)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Ok ok = WASMD__OK__INIT;
	const char *ref = rm->ref ? rm->ref : "";
	struct sup_module *m = NULL;
	char err[512], digest[65];
	int untagged = 1;

	if ((int)rm->scope < 0 ||
	    rm->scope > WASMD__REMOVE_MODULE__SCOPE__REMOVE_ALL_NAMES) {
		sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "unknown remove scope %d", (int)rm->scope);
		return;
	}
	if (rm->scope != WASMD__REMOVE_MODULE__SCOPE__REMOVE_ALL_NAMES)
		untagged =
		    sup_store_untag(s->tenant, ref, &m, err, sizeof(err));
	if (untagged < 0) {
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_INTERNAL, "%s", err);
		return;
	}
	if (untagged == 1 &&
	    rm->scope == WASMD__REMOVE_MODULE__SCOPE__REMOVE_NAME_ONLY) {
		sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_NOT_FOUND,
		    "no name %s for tenant %s (untag removes names only)", ref,
		    s->tenant->name);
		return;
	}
	if (untagged == 1 && (m = resolve_or_fail(s, id, ref)) == NULL)
		return;
	snprintf(digest, sizeof(digest), "%s", m->digest);
	if (untagged == 0)
		sup_log(SUP_INFO, "event=untag tenant=%s name=%s digest=%s",
		    s->tenant->name, ref, digest);
	if (untagged == 1 ||
	    (rm->scope == WASMD__REMOVE_MODULE__SCOPE__REMOVE_REF &&
	        !sup_store_named(s->tenant, m))) {
		if (sup_store_remove(s->tenant, m, err, sizeof(err)) != 0) {
			sup_session_fail(
			    s, id, WASMD__ERROR_CODE__ERR_INTERNAL, "%s", err);
			return;
		}
		sup_log(SUP_INFO, "event=remove tenant=%s digest=%s id=%llu",
		    s->tenant->name, digest, (unsigned long long)id);
	}
	env.msg_case = WASMD__ENVELOPE__MSG_OK;
	env.ok = &ok;
	sup_session_send(s, &env, id);
}

static struct sup_job *
find_job(struct sup_session *s, uint64_t id)
{
	struct sup_job *job;

	TAILQ_FOREACH(job, &s->jobs, session_entry)
	{
		if (job->client_id == id)
			return job;
	}
	return NULL;
}

/* Answers a MemoryRead larger than the supervisor relays, unrelayed. */
static void
refuse_large_read(struct sup_session *s, Wasmd__Envelope *env)
{
	Wasmd__Envelope reply = WASMD__ENVELOPE__INIT;
	Wasmd__MemoryReply mr = WASMD__MEMORY_REPLY__INIT;
	char msg[160];

	snprintf(msg, sizeof(msg),
	    "a memory read of %u bytes: at most %u are read at a time (read "
	    "larger ranges in pieces)",
	    env->memory_read->length, WP_MEMORY_READ_MAX);
	mr.error = msg;
	reply.msg_case = WASMD__ENVELOPE__MSG_MEMORY_REPLY;
	reply.memory_reply = &mr;
	sup_session_send(s, &reply, env->id);
}

static void
host_reply(struct sup_session *s, Wasmd__Envelope *env)
{
	struct sup_job *job = find_job(s, env->id);

	/* Its answer would be held for the client whole: bounded. */
	if (env->msg_case == WASMD__ENVELOPE__MSG_MEMORY_READ &&
	    env->memory_read->length > WP_MEMORY_READ_MAX) {
		refuse_large_read(s, env);
		return;
	}

	/* A reply may cross a job that just ended (deadline): not an error. */
	if (job == NULL || job->kind != SUP_JOB_INVOKE) {
		sup_log(SUP_DEBUG,
		    "event=host_reply tenant=%s id=%llu outcome=dropped",
		    s->tenant->name, (unsigned long long)env->id);
		return;
	}
	sup_job_host_reply(job, env);
}

void
sup_dispatch_client(struct sup_session *s, Wasmd__Envelope *env)
{
	if (s->tenant == NULL) {
		reply_hello(s, env);
		return;
	}
	if ((env->msg_case == WASMD__ENVELOPE__MSG_PUSH ||
	        env->msg_case == WASMD__ENVELOPE__MSG_INVOKE ||
	        env->msg_case == WASMD__ENVELOPE__MSG_CREATE_INSTANCE) &&
	    find_job(s, env->id) != NULL) {
		sup_session_fail(s, env->id, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "request id %llu is already in flight",
		    (unsigned long long)env->id);
		session_close_soon(s);
		return;
	}
	/* Draining (drain.c): nothing new starts. */
	if ((env->msg_case == WASMD__ENVELOPE__MSG_PUSH ||
	        env->msg_case == WASMD__ENVELOPE__MSG_INVOKE ||
	        env->msg_case == WASMD__ENVELOPE__MSG_CREATE_INSTANCE) &&
	    sup_drain_refuse(s, env->id))
		return;
	switch (env->msg_case) {
	case WASMD__ENVELOPE__MSG_PUSH:
		sup_job_push(s, env->id, env->push);
		break;
	case WASMD__ENVELOPE__MSG_LIST: reply_list(s, env->id); break;
	case WASMD__ENVELOPE__MSG_INSPECT: {
		struct sup_module *m =
		    resolve_or_fail(s, env->id, env->inspect->ref);
		if (m != NULL)
			sup_session_reply_info(s, env->id, m);
		break;
	}
	case WASMD__ENVELOPE__MSG_REMOVE:
		do_remove(s, env->id, env->remove);
		break;
	case WASMD__ENVELOPE__MSG_INVOKE:
		sup_job_invoke(s, env->id, env->invoke);
		break;
	case WASMD__ENVELOPE__MSG_PUSH_BUNDLE: /* bundle.c */
		sup_bundle_push(s, env->id, env->push_bundle);
		break;
	case WASMD__ENVELOPE__MSG_REMOVE_BUNDLE:
		sup_bundle_remove(s, env->id, env->remove_bundle);
		break;
	case WASMD__ENVELOPE__MSG_HOST_REPLY:
	case WASMD__ENVELOPE__MSG_MEMORY_READ:
	case WASMD__ENVELOPE__MSG_MEMORY_WRITE:
		host_reply(s, env); /* to the invoke's worker, as it is */
		break;
	case WASMD__ENVELOPE__MSG_CREATE_INSTANCE:
		sup_instance_create(s, env->id, env->create_instance);
		break;
	case WASMD__ENVELOPE__MSG_DROP_INSTANCE:
		sup_instance_drop(s, env->id, env->drop_instance->instance_id);
		break;
	case WASMD__ENVELOPE__MSG_STATS_REQUEST:
		sup_stats_reply(s, env->id, env->stats_request); /* metrics.c */
		break;
	default:
		sup_session_fail(s, env->id, WASMD__ERROR_CODE__ERR_BAD_REQUEST,
		    "unexpected message (case %d) from a client",
		    (int)env->msg_case);
		session_close_soon(s);
		break;
	}
}

static void
session_read_cb(struct bufferevent *bev, void *arg)
{
	struct sup_session *s = arg;
	Wasmd__Envelope *env;
	Wasmd__ErrorCode code;
	char err[512];
	bool dispatched = false;

	/* The budget decides, before each frame, whether it is read now. */
	while (!s->closing && sup_budget_may_read(s)) {
		enum sup_frame_status st =
		    sup_budget_next_frame(s, &env, &code, err, sizeof(err));
		if (st == SUP_FRAME_NONE)
			break;
		if (st == SUP_FRAME_BAD) {
			sup_log(SUP_WARNING,
			    "event=bad_frame tenant=%s pid=%ld error=%s",
			    s->owner->name, (long)s->pid, sup_log_quote(err));
			sup_session_fail(s, 0, code, "%s", err);
			session_close_soon(s);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &s->last_active);
		sup_dispatch_client(s, env);
		wasmd__envelope__free_unpacked(env, NULL);
		sup_budget_frame_done(s);
		dispatched = true;
	}
	if (s->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			sup_session_free(s);
		return;
	}
	/*
	 * Only a whole request restarts the idle clock: a client trickling
	 * the bytes of a frame it never finishes is still idle.
	 */
	if (dispatched)
		sup_session_jobs_changed(s);
}

static void
session_write_cb(struct bufferevent *bev, void *arg)
{
	struct sup_session *s = arg;

	if (s->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			sup_session_free(s);
		return;
	}
	if (s->backlogged)
		session_resume_workers(s);
	sup_budget_update(s); /* the client read: it may be read again */
}

static void
session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		sup_session_free(arg);
}

void
sup_session_evict(struct sup_session *s, const char *why)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);

	sup_session_fail(s, 0, WASMD__ERROR_CODE__ERR_LIMIT, "%s", why);
	/* One try, without waiting: the slot is needed now. */
	evbuffer_write(out, bufferevent_getfd(s->bev));
	sup_session_free(s);
}

static void
session_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup_session *s = arg;

	sup_log(SUP_INFO, "event=idle_timeout tenant=%s pid=%ld",
	    s->tenant ? s->tenant->name : "-", (long)s->pid);
	sup_session_free(s);
}

void
sup_session_new(struct sup *sup, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct sup_session *s;
	struct sup_tenant *owner;
	char why[256];
	bool admin;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		sup_log(SUP_WARNING, "event=accept error=\"SO_PEERCRED: %s\"",
		    strerror(errno));
		close(fd);
		return;
	}
	owner = sup_tenant_for_peer(sup, cred.uid, cred.gid, &admin);
	if (!sup_admit(sup, owner, why, sizeof(why))) {
		sup_log(SUP_WARNING,
		    "event=accept uid=%lu pid=%ld tenant=%s outcome=refused "
		    "reason=\"%s\"",
		    (unsigned long)cred.uid, (long)cred.pid, owner->name, why);
		sup_admit_refuse(fd, why);
		return;
	}
	s = sup_xcalloc(1, sizeof(*s));
	s->sup = sup;
	s->owner = owner;
	s->admin = admin;
	owner->nsessions++;
	clock_gettime(CLOCK_MONOTONIC, &s->last_active);
	s->uid = cred.uid;
	s->gid = cred.gid;
	s->pid = cred.pid;
	s->pushed.fd = -1;
	TAILQ_INIT(&s->jobs);
	TAILQ_INIT(&s->instances);
	s->bev = bufferevent_socket_new(sup->base, fd, BEV_OPT_CLOSE_ON_FREE);
	s->idle = evtimer_new(sup->base, session_idle_cb, s);
	if (s->bev == NULL || s->idle == NULL)
		abort();
	bufferevent_setcb(
	    s->bev, session_read_cb, session_write_cb, session_event_cb, s);
	sup_budget_watch(s);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&sup->sessions, s, entry);
	sup->nsessions++;
	sup_session_jobs_changed(s);
	sup_log(SUP_INFO, "event=connect uid=%lu pid=%ld",
	    (unsigned long)cred.uid, (long)cred.pid);
}
