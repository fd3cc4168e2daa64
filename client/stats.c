/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stats.c: wasmd_stats(), the daemon's statistics as Prometheus text.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

wasmd_error
wasmd_stats(wasmd_conn *conn, bool all, char **text)
{
	Wasmd__Envelope env = WASMD__ENVELOPE__INIT, *reply = NULL;
	Wasmd__StatsRequest req = WASMD__STATS_REQUEST__INIT;
	wasmd_error rc;

	if (conn == NULL)
		return WASMD_ERR_INVALID;
	if (text == NULL)
		return wc_fail(
		    conn, WASMD_ERR_INVALID, "text must not be NULL");
	*text = NULL;
	req.all = all;
	env.msg_case = WASMD__ENVELOPE__MSG_STATS_REQUEST;
	env.stats_request = &req;
	rc = wc_request(conn, &env, WASMD__ENVELOPE__MSG_STATS, &reply);
	if (rc != WASMD_OK)
		return rc;
	*text = strdup(reply->stats->text ? reply->stats->text : "");
	wasmd__envelope__free_unpacked(reply, NULL);
	if (*text == NULL)
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	return WASMD_OK;
}
