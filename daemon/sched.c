/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sched.c: fair shares of the workers and of the CPU across tenants
 * (wasmd(8), SECURITY). pool.c asks it which queued job runs next, whether
 * another worker may start, and what a worker's nice level is.
 *
 * Workers (the policy, decided from counts recomputed from the workers and
 * the queue by sup_sched_count(), never kept in step by hand):
 * - at most --max-workers workers live at once (starting, idle or busy;
 *   0: no cap). At the cap, an idle worker that no runnable job can use
 *   is retired to make room for one that can (pool.c).
 * - the last R busy slots, R = max(1, cap / 8), go only to tenants
 *   holding no busy worker, one each: a tenant that arrives while others
 *   fill the cap with long calls finds a worker at once instead of
 *   waiting for one of their calls to end (workers are never preempted,
 *   so R newcomers at a time are served so; the next wait their turn).
 * - the memory limits of a tenant's busy workers add up to at most
 *   --tenant-worker-memory.
 * - of the queued jobs that may run, the one whose tenant holds the fewest
 *   busy workers goes first; between tenants holding as many, the one
 *   served least recently (round robin); within a tenant, the oldest.
 * A job that may not run yet waits in the queue (its wall-clock limit
 * runs meanwhile), it is not refused.
 *
 * CPU (--cpu-fairness nice): a tenant's share of the CPUs is
 * max(1, CPUs / tenants running a job). A tenant running n jobs above its
 * share s has its workers run at nice ceil(log1.25(n / s)), at most 19:
 * each nice level weighs 1.25 times less with the kernel's scheduler, so
 * together its n workers weigh about as much as s workers at nice 0, and
 * one tenant's many spinning calls cannot starve another tenant's trivial
 * one (nor the supervisor, which stays at its own level). Levels are
 * recomputed once per loop iteration after jobs start or end. Raising a
 * nice level is always allowed; lowering it needs CAP_SYS_NICE or
 * RLIMIT_NICE, so a worker whose level cannot come back to 0 when it goes
 * idle is retired instead of serving its tenant's next call handicapped.
 * Where setpriority is denied (a system call filter), every worker stays
 * at the supervisor's level: the cap and the fair queue still apply.
 */
#include "sup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define SCHED_MAX_NICE 19

struct sup_sched {
	struct event *renice_ev; /* own: the deferred nice update */
	unsigned ncpu;
	int base_nice; /* the supervisor's own: workers' levels add to it */
	unsigned busy; /* busy workers, all tenants (sup_sched_count) */
	unsigned running_tenants; /* tenants running a job */
	uint64_t served;          /* dispatch sequence, for round robin */
	bool nice_warned;         /* the first failure to set one is logged */
	bool nice_unavailable;    /* raising one failed: setpriority denied */
};

unsigned
sup_sched_reserve(unsigned cap)
{
	return cap / 8 > 1 ? cap / 8 : 1;
}

static bool
worker_live(const struct sup_worker *w)
{
	return w->state == SUP_W_STARTING || w->state == SUP_W_IDLE ||
	    w->state == SUP_W_BUSY;
}

void
sup_sched_count(struct sup *sup)
{
	struct sup_sched *s = sup->sched;
	struct sup_tenant *t;
	struct sup_worker *w;
	struct sup_job *job;

	TAILQ_FOREACH(t, &sup->tenants, entry)
	{
		t->sched_busy = t->sched_running = t->sched_queued = 0;
		t->sched_memory = 0;
	}
	s->busy = s->running_tenants = 0;
	TAILQ_FOREACH(w, &sup->workers, entry)
	{
		if (w->state != SUP_W_BUSY || w->tenant == NULL)
			continue;
		s->busy++;
		w->tenant->sched_busy++;
		w->tenant->sched_memory += w->memory;
		w->tenant->sched_running += w->job != NULL;
	}
	TAILQ_FOREACH(job, &sup->queue, queue_entry)
	job->tenant->sched_queued++;
	TAILQ_FOREACH(t, &sup->tenants, entry)
	s->running_tenants += t->sched_running > 0;
}

unsigned
sup_sched_live(const struct sup *sup)
{
	const struct sup_worker *w;
	unsigned n = 0;

	TAILQ_FOREACH(w, &sup->workers, entry)
	n += worker_live(w);
	return n;
}

unsigned
sup_sched_spawn_room(const struct sup *sup)
{
	unsigned cap = sup->cfg.max_workers, live;

	if (cap == 0)
		return UINT32_MAX;
	live = sup_sched_live(sup);
	return live < cap ? cap - live : 0;
}

bool
sup_sched_may_run(const struct sup *sup, const struct sup_job *job)
{
	const struct sup_tenant *t = job->tenant;
	unsigned cap = sup->cfg.max_workers;

	if (t->sched_memory + job->memory > sup->cfg.tenant_worker_memory)
		return false;
	if (cap == 0)
		return true;
	if (sup->sched->busy >= cap)
		return false;
	return sup->sched->busy + sup_sched_reserve(cap) < cap ||
	    t->sched_busy == 0;
}

bool
sup_sched_before(const struct sup_job *a, const struct sup_job *b)
{
	if (a->tenant->sched_busy != b->tenant->sched_busy)
		return a->tenant->sched_busy < b->tenant->sched_busy;
	return a->tenant->sched_served < b->tenant->sched_served;
}

void
sup_sched_bound(struct sup *sup, struct sup_job *job)
{
	job->tenant->sched_served = ++sup->sched->served;
}

/* ---- CPU: nice levels ------------------------------------------------ */

/* The nice level of a worker whose tenant runs n jobs. */
static int
nice_for(const struct sup *sup, unsigned n)
{
	const struct sup_sched *s = sup->sched;
	unsigned tenants = s->running_tenants ? s->running_tenants : 1;
	/* Shares in hundredths of a CPU, so 2 CPUs among 3 is 66, not 0. */
	uint64_t share = (uint64_t)s->ncpu * 100 / tenants;
	uint64_t weight = 100 * (uint64_t)n;
	int nice = 0;

	if (share < 100)
		share = 100;
	while (share < weight && nice < SCHED_MAX_NICE) {
		share = share * 5 / 4;
		nice++;
	}
	return nice;
}

/*
 * Raising a level failing means setpriority is denied outright (a system
 * call filter such as wasmd.service's ~@resources): workers then all stay
 * at the daemon's level. Lowering one failing means no CAP_SYS_NICE or
 * RLIMIT_NICE: such a worker retires when idle. Logged once.
 */
static void
nice_failed(
    struct sup *sup, const struct sup_worker *w, int prio, bool raise, int err)
{
	if (raise)
		sup->sched->nice_unavailable = true;
	if (sup->sched->nice_warned)
		return;
	sup->sched->nice_warned = true;
	sup_log(SUP_WARNING,
	    "event=worker_nice pid=%ld nice=%d error=\"%s\" detail=\"%s "
	    "(logged once)\"",
	    (long)w->pid, prio, strerror(err),
	    raise ? "nice levels are unavailable: every worker runs at the "
	            "daemon's level, as with --cpu-fairness none"
	          : "lowering a nice level needs CAP_SYS_NICE or "
	            "RLIMIT_NICE: such workers retire when idle");
}

/*
 * Sets w's nice level to the supervisor's plus level (w->nice is that
 * offset: 0 when spawned, as children inherit their parent's); false when
 * it cannot be set.
 */
static bool
set_nice(struct sup_worker *w, int level)
{
	int prio = w->sup->sched->base_nice + level;

	if (w->nice == level)
		return true;
	if (w->killed || w->reaped)
		return false;
	if (prio > SCHED_MAX_NICE)
		prio = SCHED_MAX_NICE;
	if (setpriority(PRIO_PROCESS, (id_t)w->pid, prio) != 0) {
		nice_failed(w->sup, w, prio, level > w->nice, errno);
		return false;
	}
	w->nice = level;
	return true;
}

static void
renice_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup *sup = arg;
	struct sup_worker *w;

	if (sup->sched->nice_unavailable)
		return;
	sup_sched_count(sup);
	TAILQ_FOREACH(w, &sup->workers, entry)
	{
		if (w->state == SUP_W_BUSY && w->job != NULL &&
		    w->tenant != NULL)
			set_nice(w, nice_for(sup, w->tenant->sched_running));
	}
}

void
sup_sched_changed(struct sup *sup)
{
	if (sup->sched == NULL || sup->cfg.cpu_fairness != SUP_CPU_NICE ||
	    event_pending(sup->sched->renice_ev, EV_TIMEOUT, NULL))
		return;
	event_active(sup->sched->renice_ev, EV_TIMEOUT, 0);
}

bool
sup_sched_reusable(struct sup_worker *w)
{
	/* A level that could not be lowered stays in w->nice: it retires. */
	return set_nice(w, 0);
}

void
sup_sched_init(struct sup *sup)
{
	struct sup_sched *s = sup_xcalloc(1, sizeof(*s));
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	s->ncpu = n > 0 ? (unsigned)n : 1;
	errno = 0;
	s->base_nice = getpriority(PRIO_PROCESS, 0);
	if (errno != 0)
		s->base_nice = 0;
	s->renice_ev = event_new(sup->base, -1, 0, renice_cb, sup);
	if (s->renice_ev == NULL)
		abort();
	sup->sched = s;
}

void
sup_sched_stop(struct sup *sup)
{
	if (sup->sched == NULL)
		return;
	event_free(sup->sched->renice_ev);
	free(sup->sched);
	sup->sched = NULL;
}
