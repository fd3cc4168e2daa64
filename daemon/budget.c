/* SPDX-License-Identifier: Apache-2.0 */
/*
 * budget.c: the supervisor's memory budget (wasmd(8), SECURITY).
 *
 * Every byte a client makes the supervisor hold is counted for its
 * connection (sup_session.held), its tenant (sup_tenant.held) and the
 * daemon (sup.held): the request bytes buffered from it, the replies and
 * output it has not read, the module bytes of its pushes in flight, and the
 * frames relayed to its jobs' workers that they have not taken yet (host
 * replies, memory writes, job frames), and its workers' replies being
 * received (each at most sup_worker_reply_max(): a worker cannot make the
 * supervisor hold more; see frames.c). The counts are recomputed from the
 * buffers themselves, so nothing is charged twice or forgotten.
 *
 * The budget is enforced before a request is read, not after it is held:
 * - a frame of up to SUP_SMALL_FRAME bytes is read through the connection's
 *   bufferevent, whose read watermark stops libevent at that size, so a
 *   connection never buffers more than one such frame unasked;
 * - a larger frame is granted 2x its declared length (the body, and its
 *   decoded copy) from its tenant's share and the daemon's budget before
 *   a byte of its body is read, then received by bigframe.c (a push's
 *   module into a memfd, any other frame into one buffer of its size);
 *   one that could never fit is refused with ERR_LIMIT at its header;
 * - a connection stops being read (backpressure) while it has more than
 *   SUP_OUTPUT_HIGH bytes of replies unread, or more than SUP_RELAY_HIGH
 *   bytes relayed to its workers and not yet taken, or while its tenant
 *   holds more than --tenant-memory, or, when the daemon holds more than
 *   --memory-budget, while its tenant holds more than an equal share of
 *   the budget among the tenants connected. Tenants below their share
 *   are read as before: one tenant's flood does not stall the others.
 * Paused connections are looked at again every SUP_BUDGET_RECHECK_MS and
 * whenever their output drains; one paused for its unread replies that
 * reads none of them for SUP_SLOW_CLIENT_MS is dropped (a slow client). Once the daemon's count has fallen well
 * below its last peak, freed memory is given back to the system
 * (malloc_trim), so an attack's peak does not stay resident.
 */
#include "sup.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Frames up to this size need no grant (see above). */
#define SUP_SMALL_FRAME (64u << 10)
/* Relayed bytes a connection's workers may have untaken. */
#define SUP_RELAY_HIGH (1u << 20)
#define SUP_BUDGET_RECHECK_MS 20
/* A client that reads none of its replies for this long is dropped. */
#define SUP_SLOW_CLIENT_MS 10000
/* Give memory back once the count is this far below its peak. */
#define SUP_TRIM_SLACK (2u << 20)

static uint32_t
frame_length(const uint8_t hdr[WP_HEADER_SIZE])
{
	return (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | (uint32_t)hdr[3];
}

/* Bytes relayed to s's workers that they have not read yet. */
static uint64_t
relay_bytes(const struct sup_session *s)
{
	const struct sup_job *job;
	uint64_t n = 0;

	TAILQ_FOREACH(job, &s->jobs, session_entry)
	{
		if (job->worker != NULL && job->worker->bev != NULL)
			n += evbuffer_get_length(
			    bufferevent_get_output(job->worker->bev));
	}
	return n;
}

/* Everything s makes the supervisor hold now (see the header comment). */
static uint64_t
session_bytes(const struct sup_session *s)
{
	const struct sup_job *job;
	uint64_t n = evbuffer_get_length(bufferevent_get_input(s->bev)) +
	    evbuffer_get_length(bufferevent_get_output(s->bev)) +
	    s->big_reserved + relay_bytes(s);

	TAILQ_FOREACH(job, &s->jobs, session_entry)
	{
		n += job->wasm_len;
		/* Its worker's reply, being received (at most
		 * sup_worker_reply_max(); once whole it is decoded, relayed
		 * and drained, so it is counted in one place at a time). */
		if (job->worker != NULL && job->worker->bev != NULL)
			n += evbuffer_get_length(
			    bufferevent_get_input(job->worker->bev));
		/* A push's snapshot, in its memfd while it is stored. */
		if (job->info != NULL)
			n += job->info->snapshot_size;
		if (job->frame != NULL)
			n += job->frame_len;
	}
	return n;
}

/* Gives freed memory back once the daemon holds far less than it did. */
static void
maybe_trim(struct sup *sup)
{
	if (sup->held > sup->held_trimmed) {
		sup->held_trimmed = sup->held;
		return;
	}
	if (sup->held_trimmed - sup->held < SUP_TRIM_SLACK)
		return;
	malloc_trim(0);
	sup_log(SUP_DEBUG, "event=malloc_trim held=%llu peak=%llu",
	    (unsigned long long)sup->held,
	    (unsigned long long)sup->held_trimmed);
	sup->held_trimmed = sup->held;
}

static void
recount(struct sup_session *s)
{
	uint64_t now = session_bytes(s);

	if (s->owner != NULL)
		s->owner->held = s->owner->held - s->held + now;
	s->sup->held = s->sup->held - s->held + now;
	s->held = now;
}

/* An equal share of the daemon's budget among the connected tenants. */
static uint64_t
equal_share(const struct sup *sup)
{
	const struct sup_tenant *t;
	uint64_t n = 0;

	TAILQ_FOREACH(t, &sup->tenants, entry)
	{
		if (t->nsessions > 0)
			n++;
	}
	return sup->cfg.memory_budget / (n ? n : 1);
}

/* Whether need more bytes fit in s's tenant share and the budget. */
static bool
grant_fits(const struct sup_session *s, uint64_t need)
{
	const struct sup_config *c = &s->sup->cfg;
	uint64_t theirs = s->owner != NULL ? s->owner->held : 0;

	return theirs + need <= c->tenant_memory &&
	    s->sup->held + need <= c->memory_budget;
}

/* The length a large frame at the head of s's input declares, else 0. */
static uint32_t
pending_large(const struct sup_session *s)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	uint8_t hdr[WP_HEADER_SIZE];
	uint32_t len;

	if (s->big != NULL || evbuffer_get_length(in) < WP_HEADER_SIZE)
		return 0;
	evbuffer_copyout(in, hdr, sizeof(hdr));
	len = frame_length(hdr);
	return len > SUP_SMALL_FRAME ? len : 0;
}

/* Why s may not start its next frame now, or NULL. */
static const char *
blocked(const struct sup_session *s)
{
	const struct sup *sup = s->sup;
	const struct sup_tenant *t = s->owner;
	uint64_t need = 2 * (uint64_t)pending_large(s);

	if (s->big != NULL) /* granted already: read it to its end */
		return NULL;
	if (evbuffer_get_length(bufferevent_get_output(s->bev)) >
	    SUP_OUTPUT_HIGH)
		return "replies unread";
	if (relay_bytes(s) > SUP_RELAY_HIGH)
		return "relayed frames not yet taken by the worker";
	if (t != NULL && t->held > sup->cfg.tenant_memory)
		return "tenant memory share (--tenant-memory) used";
	if (sup->held > sup->cfg.memory_budget && t != NULL &&
	    t->held > equal_share(sup))
		return "daemon memory budget (--memory-budget) used, and this "
		       "tenant holds more than an equal share";
	/* A frame that can never fit is refused when read, not waited for. */
	if (need > 0 && need <= sup->cfg.tenant_memory &&
	    need <= sup->cfg.memory_budget && !grant_fits(s, need))
		return "waiting for memory to receive a large frame";
	return NULL;
}

/*
 * Whether s, paused with replies unread, has read none of them for
 * SUP_SLOW_CLIENT_MS. Any progress restarts the clock.
 */
static bool
slow_client(struct sup_session *s)
{
	size_t unread = evbuffer_get_length(bufferevent_get_output(s->bev));

	if (unread <= SUP_OUTPUT_HIGH || unread < s->unread_seen) {
		s->unread_seen = unread > SUP_OUTPUT_HIGH ? unread : 0;
		clock_gettime(CLOCK_MONOTONIC, &s->unread_since);
		return false;
	}
	s->unread_seen = unread;
	return sup_elapsed_us(&s->unread_since) / 1000 > SUP_SLOW_CLIENT_MS;
}

static void
recheck_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup *sup = arg;
	struct sup_session *s, *next;

	/* Every count is refreshed: output drains without telling us. */
	TAILQ_FOREACH(s, &sup->sessions, entry)
	recount(s);
	for (s = TAILQ_FIRST(&sup->sessions); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (!s->read_paused)
			continue;
		if (slow_client(s)) {
			sup_log(SUP_WARNING,
			    "event=slow_client tenant=%s pid=%ld unread=%zu "
			    "outcome=closed reason=\"replies unread for %u "
			    "ms\"",
			    s->owner->name, (long)s->pid,
			    evbuffer_get_length(bufferevent_get_output(s->bev)),
			    SUP_SLOW_CLIENT_MS);
			sup_session_free(s);
			continue;
		}
		sup_budget_update(s);
	}
	maybe_trim(sup);
}

static void
arm_recheck(struct sup *sup)
{
	const struct timeval tv = {0, SUP_BUDGET_RECHECK_MS * 1000};

	if (!evtimer_pending(sup->budget_ev, NULL))
		evtimer_add(sup->budget_ev, &tv);
}

static void
pause_reading(struct sup_session *s, const char *why)
{
	if (s->read_paused)
		return;
	s->read_paused = true;
	s->sup->nread_paused++;
	s->unread_seen = 0;
	clock_gettime(CLOCK_MONOTONIC, &s->unread_since);
	bufferevent_disable(s->bev, EV_READ);
	sup_log(SUP_DEBUG,
	    "event=backpressure tenant=%s pid=%ld held=%llu "
	    "tenant_held=%llu daemon_held=%llu reason=\"%s\"",
	    s->owner ? s->owner->name : "-", (long)s->pid,
	    (unsigned long long)s->held,
	    (unsigned long long)(s->owner ? s->owner->held : 0),
	    (unsigned long long)s->sup->held, why);
	arm_recheck(s->sup);
}

static void
resume_reading(struct sup_session *s)
{
	s->read_paused = false;
	s->sup->nread_paused--;
	bufferevent_enable(s->bev, EV_READ);
	/* Frames already buffered are read now, not at the next byte. */
	if (evbuffer_get_length(bufferevent_get_input(s->bev)) > 0)
		bufferevent_trigger(s->bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS);
}

bool
sup_budget_may_read(struct sup_session *s)
{
	const char *why;

	recount(s);
	why = blocked(s);
	if (why == NULL)
		return true;
	pause_reading(s, why);
	return false;
}

void
sup_budget_update(struct sup_session *s)
{
	recount(s);
	if (s->closing) {
		if (s->read_paused) {
			s->read_paused = false;
			s->sup->nread_paused--;
		}
		return;
	}
	if (s->read_paused) {
		if (blocked(s) == NULL)
			resume_reading(s);
		else
			arm_recheck(s->sup);
	}
	maybe_trim(s->sup);
}

void
sup_budget_session_gone(struct sup_session *s)
{
	if (s->read_paused)
		s->sup->nread_paused--;
	s->read_paused = false;
	sup_big_free(s->big);
	s->big = NULL;
	s->big_reserved = 0;
	sup_budget_frame_done(s);
	if (s->owner != NULL)
		s->owner->held -= s->held;
	s->sup->held -= s->held;
	s->held = 0;
	maybe_trim(s->sup);
}

/* Starts receiving a large frame of len body bytes (see the header). */
static enum sup_frame_status
large_start(struct sup_session *s, uint32_t len, Wasmd__ErrorCode *code,
    char *err, size_t errlen)
{
	const struct sup_config *c = &s->sup->cfg;
	uint64_t need = 2 * (uint64_t)len;

	if (need > c->tenant_memory || need > c->memory_budget) {
		*code = WASMD__ERROR_CODE__ERR_LIMIT;
		snprintf(err, errlen,
		    "a frame of %u bytes needs %llu bytes of the daemon's "
		    "memory to receive and decode, more than a tenant's share "
		    "(--tenant-memory %llu) or the budget (--memory-budget "
		    "%llu)",
		    len, (unsigned long long)need,
		    (unsigned long long)c->tenant_memory,
		    (unsigned long long)c->memory_budget);
		return SUP_FRAME_BAD;
	}
	/* blocked() saw that it fits (bigframe.c receives it). */
	s->big = sup_big_new((size_t)len + WP_HEADER_SIZE);
	if (s->big == NULL) {
		*code = WASMD__ERROR_CODE__ERR_LIMIT;
		snprintf(
		    err, errlen, "out of memory for a frame of %u bytes", len);
		return SUP_FRAME_BAD;
	}
	s->big_reserved = need;
	recount(s);
	return SUP_FRAME_NONE;
}

/* Takes what has come of the large frame; decodes it once whole. */
static enum sup_frame_status
large_continue(
    struct sup_session *s, Wasmd__Envelope **out, char *err, size_t errlen)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	enum sup_frame_status st;

	if (sup_big_feed(s->big, in) != 0) {
		snprintf(err, errlen, "out of memory receiving a frame");
		return SUP_FRAME_BAD;
	}
	if (!sup_big_complete(s->big))
		return SUP_FRAME_NONE;
	st = sup_big_decode(
	    s->big, s->sup->cfg.max_frame, out, &s->pushed, err, errlen);
	sup_big_free(s->big);
	s->big = NULL;
	/*
	 * What stays granted until sup_budget_frame_done(): the module's
	 * memfd (until its job counts it), or the decoded copy.
	 */
	s->big_reserved =
	    s->pushed.fd >= 0 ? s->pushed.len : s->big_reserved / 2;
	return st;
}

enum sup_frame_status
sup_budget_next_frame(struct sup_session *s, Wasmd__Envelope **out,
    Wasmd__ErrorCode *code, char *err, size_t errlen)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	uint8_t hdr[WP_HEADER_SIZE];
	uint32_t len;
	enum sup_frame_status st;

	*out = NULL;
	*code = WASMD__ERROR_CODE__ERR_BAD_REQUEST;
	if (s->big == NULL) {
		if (evbuffer_get_length(in) < WP_HEADER_SIZE)
			return SUP_FRAME_NONE;
		evbuffer_copyout(in, hdr, sizeof(hdr));
		len = frame_length(hdr);
		if (len <= SUP_SMALL_FRAME || len > s->sup->cfg.max_frame)
			return sup_frame_next(in, s->sup->cfg.max_frame,
			    SUP_MAX_FRAME_LIMIT, out, err, errlen);
		st = large_start(s, len, code, err, errlen);
		if (st != SUP_FRAME_NONE)
			return st;
	}
	return large_continue(s, out, err, errlen);
}

void
sup_budget_frame_done(struct sup_session *s)
{
	/* A module sup_job_push() did not take (refused, or no push). */
	if (s->pushed.fd >= 0) {
		close(s->pushed.fd);
		s->pushed.fd = -1;
	}
	if (s->big == NULL && s->big_reserved > 0) {
		s->big_reserved = 0;
		recount(s);
		maybe_trim(s->sup);
	}
}

void
sup_budget_watch(struct sup_session *s)
{
	bufferevent_setwatermark(
	    s->bev, EV_READ, 0, SUP_SMALL_FRAME + WP_HEADER_SIZE);
}

void
sup_budget_init(struct sup *sup)
{
	/*
	 * Large buffers (frames, module bytes) come from mmap and go back at
	 * free: glibc would otherwise raise its threshold after the first
	 * large free and keep later ones in a heap that does not shrink.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 << 10);
	sup->budget_ev = evtimer_new(sup->base, recheck_cb, sup);
	if (sup->budget_ev == NULL)
		abort();
}

void
sup_budget_stop(struct sup *sup)
{
	if (sup->budget_ev != NULL)
		event_free(sup->budget_ev);
	sup->budget_ev = NULL;
}
