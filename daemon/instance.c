/* SPDX-License-Identifier: Apache-2.0 */
/*
 * instance.c: live instances (see sup.h), instances that keep their
 * memory and globals across several invokes of one client connection.
 *
 * create_instance is a job like an invoke: it waits for a pool worker,
 * which instantiates the module and answers instance_created. That worker
 * is then the instance's alone until the instance ends (SUP_W_BUSY, with
 * no job between calls): it never returns to the pool and never serves
 * another connection, let alone another tenant. An invoke naming the
 * instance becomes a job sent straight to that worker, under its own
 * deadline. One call runs at a time; calls sent meanwhile wait in order
 * (a waiting call's deadline starts when it runs: the one ahead is bounded
 * by its own). The instance ends with drop_instance, with its session, or
 * when its worker dies (a deadline kills it, as for any invoke).
 *
 * A tenant holds at most --max-instances live instances, and each counts
 * against its --max-concurrent as one running job, as its worker is held
 * even while idle: the jobs that belong to an instance (its creation, its
 * calls) take no slot of their own (sup_tenant.instance_jobs, see
 * sup_tenant_slot_free()).
 */
#include "sup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The session's instance with this id, or NULL. */
static struct sup_instance *
find_instance(struct sup_session *s, uint64_t instance_id)
{
	struct sup_instance *inst;

	TAILQ_FOREACH(inst, &s->instances, entry)
	{
		if (inst->id == instance_id)
			return inst;
	}
	return NULL;
}

/* msg, saying that the call running on inst was stopped, and why. */
static const char *
msg_dropped(
    const struct sup_instance *inst, const char *why, char *msg, size_t len)
{
	snprintf(msg, len,
	    "instance %llu ended while this call ran (%s); the call was "
	    "stopped",
	    (unsigned long long)inst->id, why);
	return msg;
}

/* Unlinks and frees inst; its worker, if any, is killed. */
static void
instance_free(struct sup_instance *inst, const char *why)
{
	struct sup_session *s = inst->session;
	struct sup_job *waiting;
	char msg[256];

	/* Calls still waiting their turn will not run (each unlinks itself
	 * through sup_instance_job_ended()). */
	snprintf(msg, sizeof msg,
	    "instance %llu ended before this call ran: %s",
	    (unsigned long long)inst->id, why);
	while ((waiting = TAILQ_FIRST(&inst->waiting)) != NULL)
		sup_job_fail(waiting, WASMD__ERROR_CODE__ERR_NOT_FOUND, msg);

	if (inst->worker != NULL) {
		inst->worker->instance = NULL;
		sup_worker_kill(inst->worker, why);
		/* An idle instance worker has no job to finish: mark it so
		 * that a late message from it is not taken for a reply. */
		if (inst->worker->job == NULL)
			inst->worker->state = SUP_W_DONE;
	}
	if (inst->running != NULL) {
		struct sup_job *job = inst->running;

		inst->running = NULL;
		job->instance = NULL;
		s->tenant->instance_jobs--;
		/* A creation still under way has nothing left to create; a
		 * call under way is answered now, not as a crash of the
		 * worker killed with the instance. */
		if (!inst->created)
			sup_job_fail(job, WASMD__ERROR_CODE__ERR_NOT_FOUND,
			    "the instance was dropped before it was created");
		else
			sup_job_fail(job, WASMD__ERROR_CODE__ERR_NOT_FOUND,
			    msg_dropped(inst, why, msg, sizeof msg));
	}
	TAILQ_REMOVE(&s->instances, inst, entry);
	s->tenant->instances--;
	sup_log(SUP_INFO,
	    "event=instance_end tenant=%s instance=%llu digest=%s "
	    "reason=\"%s\"",
	    s->tenant->name, (unsigned long long)inst->id, inst->digest, why);
	free(inst);
}

void
sup_instance_create(
    struct sup_session *s, uint64_t id, Wasmd__CreateInstance *ci)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__CreateInstance wc = WASMD__CREATE_INSTANCE__INIT;
	Wasmd__InvokeLimits limits = WASMD__INVOKE_LIMITS__INIT;
	struct sup_instance *inst;
	struct sup_module *m;
	struct sup_job *job;
	char err[512];

	m = sup_store_resolve(
	    s->tenant, ci->ref ? ci->ref : "", err, sizeof err);
	if (m == NULL) {
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_NOT_FOUND, "%s", err);
		return;
	}
	if (!sup_resolve_limits(
	        &s->sup->cfg, ci->limits, &limits, err, sizeof err)) {
		sup_session_fail(
		    s, id, WASMD__ERROR_CODE__ERR_LIMIT, "%s", err);
		return;
	}
	if (s->tenant->instances >= s->sup->cfg.max_instances) {
		sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_LIMIT,
		    "tenant %s: %u live instances, the most allowed "
		    "(--max-instances); drop one first",
		    s->tenant->name, s->tenant->instances);
		return;
	}
	if ((job = sup_job_new(s, id, SUP_JOB_CREATE)) == NULL)
		return;
	inst = sup_xcalloc(1, sizeof *inst);
	inst->id = ++s->next_instance_id;
	inst->session = s;
	inst->running = job;
	TAILQ_INIT(&inst->waiting);
	inst->limits = limits;
	snprintf(inst->digest, sizeof inst->digest, "%s", m->digest);
	TAILQ_INSERT_TAIL(&s->instances, inst, entry);
	s->tenant->instances++;
	s->tenant->instance_jobs++;
	job->instance = inst;
	snprintf(job->digest, sizeof job->digest, "%s", m->digest);
	job->export_name = sup_strdup("(create_instance)");
	job->timeout_ms = limits.timeout_ms;
	job->memory = limits.max_memory_bytes; /* its worker's limit */
	/* Named by digest, as a fresh invoke's: the worker gets the stored
	 * file itself (pool.c, sup_worker_send_job), never a copy of its
	 * bytes made here on the loop. */
	job->module_size = m->size;
	wc.module_digest = job->digest;
	wc.module_size = m->size;
	wc.limits = &inst->limits;
	wc.n_host_imports = ci->n_host_imports;
	wc.host_imports = ci->host_imports;
	env.msg_case = WASMD__ENVELOPE__MSG_CREATE_INSTANCE;
	env.create_instance = &wc;
	if (sup_job_pack(job, &env))
		sup_job_submit(job);
}

void
sup_instance_invoke(struct sup_session *s, uint64_t id, Wasmd__Invoke *inv)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Invoke wi = WASMD__INVOKE__INIT;
	struct sup_instance *inst = find_instance(s, inv->instance_id);
	struct sup_job *job;

	if (inst == NULL || !inst->created || inst->worker == NULL ||
	    inst->worker->killed) {
		sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_NOT_FOUND,
		    "no live instance %llu on this connection (never "
		    "created, dropped, or its worker was killed)",
		    (unsigned long long)inv->instance_id);
		return;
	}
	/* Counted first: the call takes the slot its instance holds. */
	s->tenant->instance_jobs++;
	if ((job = sup_job_new(s, id, SUP_JOB_INVOKE)) == NULL) {
		s->tenant->instance_jobs--;
		return;
	}
	snprintf(job->digest, sizeof job->digest, "%s", inst->digest);
	job->export_name = sup_strdup(inv->export ? inv->export : "");
	job->timeout_ms = inst->limits.timeout_ms;
	wi.export = inv->export;
	wi.n_args = inv->n_args;
	wi.args = inv->args;
	wi.limits = &inst->limits;
	env.msg_case = WASMD__ENVELOPE__MSG_INVOKE;
	env.invoke = &wi;
	if (!sup_job_pack(job, &env)) {
		s->tenant->instance_jobs--;
		return;
	}
	job->instance = inst;
	if (inst->running != NULL) {
		/* One call at a time: this one waits its turn. */
		job->instance_waiting = true;
		TAILQ_INSERT_TAIL(&inst->waiting, job, queue_entry);
		return;
	}
	inst->running = job;
	sup_job_start(job, inst->worker);
}

/* Starts the first waiting call when the worker is free for it. */
static void
start_next(struct sup_instance *inst)
{
	struct sup_job *next = TAILQ_FIRST(&inst->waiting);
	struct sup_worker *w = inst->worker;

	if (next == NULL || w == NULL || w->killed || w->reaped ||
	    w->bev == NULL || w->job != NULL || inst->running != NULL)
		return;
	TAILQ_REMOVE(&inst->waiting, next, queue_entry);
	next->instance_waiting = false;
	inst->running = next;
	sup_job_start(next, w);
}

void
sup_instance_drop(struct sup_session *s, uint64_t id, uint64_t instance_id)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Ok ok = WASMD__OK__INIT;
	struct sup_instance *inst = find_instance(s, instance_id);

	if (inst == NULL) {
		sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_NOT_FOUND,
		    "no live instance %llu on this connection",
		    (unsigned long long)instance_id);
		return;
	}
	/* Killed (a deadline) but not yet reaped: as good as gone. */
	if (inst->worker != NULL && inst->worker->killed) {
		instance_free(inst,
		    inst->worker->kill_reason != NULL
		        ? inst->worker->kill_reason
		        : "its worker was killed");
		sup_session_fail(s, id, WASMD__ERROR_CODE__ERR_NOT_FOUND,
		    "no live instance %llu on this connection (its worker "
		    "was killed)",
		    (unsigned long long)instance_id);
		return;
	}
	instance_free(inst, "instance dropped");
	env.msg_case = WASMD__ENVELOPE__MSG_OK;
	env.ok = &ok;
	sup_session_send(s, &env, id);
}

void
sup_instances_close(struct sup_session *s)
{
	struct sup_instance *inst;

	while ((inst = TAILQ_FIRST(&s->instances)) != NULL)
		instance_free(inst, "the connection closed");
}

void
sup_instance_job_reply(
    struct sup_worker *w, struct sup_job *job, Wasmd__Envelope *env)
{
	struct sup_instance *inst = job->instance;
	char *digest = NULL;
	bool keep = job->kind == SUP_JOB_INVOKE ||
	    env->msg_case == WASMD__ENVELOPE__MSG_INSTANCE_CREATED;

	w->job = NULL;
	job->worker = NULL;
	if (!keep) {
		/* Creation failed: the worker exits after this reply. */
		w->state = SUP_W_DONE;
		sup_job_reply(job, env); /* frees inst (job_finish) */
		return;
	}
	w->state = SUP_W_BUSY; /* held by the instance, between calls */
	if (!inst->created) {
		inst->created = true;
		inst->worker = w;
		w->instance = inst;
		env->instance_created->instance_id = inst->id;
		digest = env->instance_created->digest;
		env->instance_created->digest = inst->digest;
		sup_log(SUP_INFO,
		    "event=instance_created tenant=%s instance=%llu "
		    "digest=%s worker=%ld",
		    job->tenant->name, (unsigned long long)inst->id,
		    inst->digest, (long)w->pid);
	}
	sup_job_reply(job, env);
	/* The digest belongs to inst, not to the envelope protobuf-c frees. */
	if (digest != NULL)
		env->instance_created->digest = digest;
}

void
sup_instance_worker_gone(struct sup_worker *w)
{
	struct sup_instance *inst = w->instance;

	w->instance = NULL;
	inst->worker = NULL;
	instance_free(inst,
	    w->killed && w->kill_reason != NULL ? w->kill_reason
	                                        : "its worker died");
}

void
sup_instance_job_ended(struct sup_job *job)
{
	struct sup_instance *inst = job->instance;

	job->instance = NULL;
	job->tenant->instance_jobs--;
	if (job->instance_waiting) {
		TAILQ_REMOVE(&inst->waiting, job, queue_entry);
		job->instance_waiting = false;
		return;
	}
	inst->running = NULL;
	/* A creation that failed leaves nothing to keep. A call that ended
	 * still holding the worker (deadline, client gone) is about to have
	 * it killed: the calls waiting fail with the instance, not here. */
	if (!inst->created)
		instance_free(inst, "creation failed");
	else if (job->worker == NULL)
		start_next(inst);
}
