/* SPDX-License-Identifier: Apache-2.0 */
/*
 * output.c: what a WASI guest writes to stdout and stderr, on its way from
 * the worker to the client (sup.h: sup_job_output).
 *
 * The worker sends Output{fd, data} frames with the invoke's id while the
 * guest runs; each is relayed at once, so the client sees the output as it
 * is written. The worker stops a guest at the invocation's output limit
 * itself (the guest traps with "output limit of N bytes exceeded"); the
 * supervisor counts the bytes too, so a worker that does not stop is
 * killed and the invocation fails with ERR_LIMIT instead of flooding the
 * client.
 *
 * A client that reads slower than its guests write (or not at all) holds
 * them back instead of filling the supervisor's memory: past
 * SUP_OUTPUT_HIGH unread bytes on its connection, the supervisor stops
 * reading the sockets of that client's writing workers, whose guests then
 * block in fd_write; they go on once the client has read its output down
 * to SUP_OUTPUT_LOW (session.c), or end at their wall-clock deadline.
 */
#include "sup.h"

#include <stdio.h>

void
sup_job_output(struct sup_job *job, Wasmd__Envelope *env)
{
	const Wasmd__Output *out = env->output;
	char msg[160];

	if (out->fd != 1 && out->fd != 2) {
		sup_worker_kill(job->worker,
		    "output for a stream other than "
		    "stdout or stderr");
		return;
	}
	if (out->data.len > job->max_output - job->output_bytes) {
		snprintf(msg, sizeof(msg),
		    "output limit of %llu bytes exceeded (the worker did not "
		    "stop the guest)",
		    (unsigned long long)job->max_output);
		sup_job_fail(job, WASMD__ERROR_CODE__ERR_LIMIT, msg);
		return;
	}
	job->output_bytes += out->data.len;
	if (job->session == NULL)
		return;
	sup_session_send(job->session, env, job->client_id);
	if (job->worker != NULL && sup_session_backlog(job->session))
		sup_worker_pause(job->worker);
}
