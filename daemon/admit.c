/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admit.c: which connections get one of the daemon's slots.
 *
 * The policy (wasmd(8), SECURITY), decided when a connection is accepted,
 * from the peer's tenant (SO_PEERCRED and the [tenant] rules):
 * - a tenant holds at most --max-tenant-connections connections; one more
 *   is refused with ERR_LIMIT (the tenant closes one of its own first);
 * - when all --max-connections slots are taken, a newcomer whose tenant
 *   holds fewer connections than the tenant holding the most makes room:
 *   that tenant's least recently active idle connection (no call in
 *   flight, no live instance, no frame half received) is closed with an
 *   ERR_LIMIT error saying why. Keeping a connection alive with a request
 *   every few seconds therefore does not keep its slot from a tenant with
 *   fewer connections; a connection that is working is never taken.
 * - otherwise the newcomer is refused with ERR_LIMIT.
 */
#include "sup.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

void
sup_admit_refuse(int fd, const char *msg)
{
	/* The reply is tiny: one non-blocking send is enough or it is lost. */
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT;
	Wasmd__Error e = WASMD__ERROR__INIT;
	size_t len;
	uint8_t *buf;

	e.code = WASMD__ERROR_CODE__ERR_LIMIT;
	e.message = (char *)msg;
	env.msg_case = WASMD__ENVELOPE__MSG_ERROR;
	env.error = &e;
	buf = wp_frame_pack(&env, &len);
	if (buf != NULL) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)n;
	}
	free(buf);
	close(fd);
}

static bool
session_idle(const struct sup_session *s)
{
	return !s->closing && TAILQ_EMPTY(&s->jobs) &&
	    TAILQ_EMPTY(&s->instances) && s->big == NULL;
}

static bool
active_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The least recently active idle connection of t, or NULL. */
static struct sup_session *
least_active_idle(struct sup *sup, const struct sup_tenant *t)
{
	struct sup_session *s, *found = NULL;

	TAILQ_FOREACH(s, &sup->sessions, entry)
	{
		if (s->owner != t || !session_idle(s))
			continue;
		if (found == NULL ||
		    active_before(&s->last_active, &found->last_active))
			found = s;
	}
	return found;
}

/* The tenant holding the most connections. */
static struct sup_tenant *
largest_tenant(struct sup *sup)
{
	struct sup_tenant *t, *max = NULL;

	TAILQ_FOREACH(t, &sup->tenants, entry)
	{
		if (max == NULL || t->nsessions > max->nsessions)
			max = t;
	}
	return max;
}

bool
sup_admit(struct sup *sup, struct sup_tenant *t, char *why, size_t len)
{
	const struct sup_config *c = &sup->cfg;
	struct sup_tenant *big;
	struct sup_session *victim;

	if (t->nsessions >= c->max_tenant_connections) {
		snprintf(why, len,
		    "tenant %s: connection limit %u per tenant reached "
		    "(--max-tenant-connections)",
		    t->name, c->max_tenant_connections);
		return false;
	}
	if (sup->nsessions < c->max_connections)
		return true;
	big = largest_tenant(sup);
	victim = big != NULL && big != t && big->nsessions > t->nsessions + 1
	    ? least_active_idle(sup, big)
	    : NULL;
	if (victim == NULL) {
		snprintf(why, len, "daemon: connection limit %u reached",
		    c->max_connections);
		return false;
	}
	sup_log(SUP_NOTICE,
	    "event=evict tenant=%s pid=%ld for=%s tenant_connections=%u "
	    "reason=\"all connection slots taken\"",
	    big->name, (long)victim->pid, t->name, big->nsessions);
	sup_session_evict(victim,
	    "connection closed to make room for another tenant: all "
	    "connection slots are taken and this tenant holds the most "
	    "(this one was its least recently active idle connection)");
	return true;
}
