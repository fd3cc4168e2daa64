/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_async_test.c: unit tests for libwasmd-client's event-loop
 * interface (wasmd_invoke_send, wasmd_process, the libevent adapter)
 * against the fake daemon of client_fake.c: several invokes in flight,
 * replies met by a blocking call, host calls, errors, and connections that
 * close or break with requests pending.
 */
#include <check.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <wasmd/client.h>
#include <wasmd/client_libevent.h>

#include "client_fake.h"

/* What one callback saw. */
struct outcome {
	int calls;
	wasmd_error rc;
	int32_t value;
	char msg[128];
};

static void
record_cb(wasmd_conn *conn, wasmd_error rc, wasmd_result *result, void *arg)
{
	struct outcome *o = arg;

	o->calls++;
	o->rc = rc;
	snprintf(o->msg, sizeof o->msg, "%s", wasmd_errmsg(conn));
	if (rc == WASMD_OK) {
		ck_assert_ptr_nonnull(result);
		ck_assert_uint_eq(result->nresults, 1);
		o->value = result->results[0].of.i32;
	} else {
		ck_assert_ptr_null(result);
	}
	wasmd_result_free(result);
}

static void
send_sum(wasmd_conn *c, const char *export_name, int32_t a, int32_t b,
    struct outcome *o)
{
	wasmd_value args[2] = {
	    {.type = WASMD_I32, .of.i32 = a},
	    {.type = WASMD_I32, .of.i32 = b},
	};

	ck_assert_int_eq(wasmd_invoke_send(c, "demo", export_name, args, 2,
	                     NULL, record_cb, o),
	    WASMD_OK);
}

/* Runs wasmd_process() whenever the fd is readable until nothing is
 * pending. Returns the last wasmd_process() result. */
static wasmd_error
pump(wasmd_conn *c)
{
	wasmd_error rc = WASMD_OK;

	for (int i = 0; i < 1000 && wasmd_pending(c) > 0; i++) {
		struct pollfd pfd = {.fd = wasmd_fd(c), .events = POLLIN};

		ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
		rc = wasmd_process(c);
		if (rc != WASMD_OK)
			break;
	}
	return rc;
}

static wasmd_conn *
connect_fake(struct fake *f, enum fake_mode mode)
{
	wasmd_conn *c;

	fake_start(f, mode, 1);
	c = wasmd_connect(f->path);
	ck_assert_msg(
	    wasmd_status(c) == WASMD_CONNECTION_OK, "%s", wasmd_errmsg(c));
	return c;
}

START_TEST(test_two_in_flight)
{
	struct outcome a = {0}, b = {0};
	struct fake f;
	wasmd_conn *c = connect_fake(&f, FAKE_NORMAL);

	send_sum(c, "quiet", 1, 2, &a);
	send_sum(c, "quiet", 3, 4, &b);
	ck_assert_uint_eq(wasmd_pending(c), 2);
	/* Nothing is read yet: neither callback has run. */
	ck_assert_int_eq(a.calls + b.calls, 0);
	ck_assert_int_eq(pump(c), WASMD_OK);
	ck_assert_uint_eq(wasmd_pending(c), 0);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.rc, WASMD_OK);
	ck_assert_int_eq(a.value, 3);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_int_eq(b.value, 7);
	wasmd_close(c);
	fake_stop(&f);
	ck_assert_int_eq(f.nids, 2);
	ck_assert_uint_ne(f.ids[0], f.ids[1]);
}
END_TEST

START_TEST(test_blocking_call_meets_async_reply)
{
	struct outcome a = {0};
	wasmd_module_list *list = NULL;
	struct fake f;
	wasmd_conn *c = connect_fake(&f, FAKE_NORMAL);

	/* The invoke's host call and result arrive while wasmd_list()
	 * waits: the host call is answered, the result goes to the callback,
	 * and the list still gets its own reply. */
	send_sum(c, "add", 5, 5, &a);
	ck_assert_int_eq(wasmd_list(c, &list), WASMD_OK);
	ck_assert_uint_eq(list->count, 2);
	wasmd_module_list_free(list);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.value, 10);
	ck_assert_uint_eq(wasmd_pending(c), 0);
	ck_assert_str_eq(wasmd_errmsg(c), "");
	wasmd_close(c);
	fake_stop(&f);
	ck_assert_str_eq(f.host_reply_error, "no host function registered");
}
END_TEST

START_TEST(test_async_error_reply)
{
	struct outcome a = {0}, b = {0};
	struct fake f;
	wasmd_conn *c = connect_fake(&f, FAKE_NORMAL);

	send_sum(c, "nosuch", 1, 1, &a);
	send_sum(c, "quiet", 2, 2, &b);
	ck_assert_int_eq(pump(c), WASMD_OK);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.rc, WASMD_ERR_MISSING_EXPORT);
	ck_assert_str_eq(a.msg, "no export nosuch");
	/* One request's error does not touch the next. */
	ck_assert_int_eq(b.rc, WASMD_OK);
	ck_assert_int_eq(b.value, 4);
	ck_assert_int_eq(wasmd_status(c), WASMD_CONNECTION_OK);
	wasmd_close(c);
	fake_stop(&f);
}
END_TEST

START_TEST(test_close_with_pending)
{
	struct outcome a = {0};
	struct fake f;
	wasmd_conn *c = connect_fake(&f, FAKE_NORMAL);

	send_sum(c, "quiet", 1, 1, &a);
	wasmd_close(c);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.rc, WASMD_ERR_IO);
	ck_assert_ptr_nonnull(strstr(a.msg, "closed"));
	fake_stop(&f);
}
END_TEST

START_TEST(test_break_with_pending)
{
	struct outcome a = {0}, b = {0};
	struct fake f;
	wasmd_conn *c;

	/* The fake answers the first request and closes when it reads the
	 * second, so both are surely sent and one is pending at the end. */
	fake_start(&f, FAKE_CLOSE_ON_REQ, 1);
	f.close_after = 2;
	c = wasmd_connect(f.path);
	ck_assert_int_eq(wasmd_status(c), WASMD_CONNECTION_OK);
	send_sum(c, "quiet", 1, 1, &a);
	send_sum(c, "quiet", 2, 2, &b);
	ck_assert_int_eq(pump(c), WASMD_ERR_IO);
	ck_assert_int_eq(wasmd_status(c), WASMD_CONNECTION_BAD);
	ck_assert_uint_eq(wasmd_pending(c), 0);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.rc, WASMD_OK);
	ck_assert_int_eq(a.value, 2);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_int_eq(b.rc, WASMD_ERR_IO);
	ck_assert_ptr_nonnull(strstr(b.msg, "connection closed"));
	/* Sending on a broken connection fails at once; no callback. */
	ck_assert_int_eq(
	    wasmd_invoke_send(c, "demo", "quiet", NULL, 0, NULL, record_cb, &a),
	    WASMD_ERR_IO);
	ck_assert_int_eq(a.calls, 1);
	wasmd_close(c);
	fake_stop(&f);
}
END_TEST

START_TEST(test_libevent_adapter)
{
	struct outcome a = {0}, b = {0};
	struct event_base *base = event_base_new();
	struct wasmd_libevent *w;
	struct fake f;
	wasmd_conn *c = connect_fake(&f, FAKE_NORMAL);

	ck_assert_ptr_nonnull(base);
	w = wasmd_libevent_attach(c, base);
	ck_assert_ptr_nonnull(w);
	send_sum(c, "quiet", 20, 22, &a);
	send_sum(c, "add", -1, -2, &b);
	for (int i = 0; i < 1000 && wasmd_pending(c) > 0; i++)
		ck_assert_int_ne(event_base_loop(base, EVLOOP_ONCE), -1);
	ck_assert_int_eq(a.value, 42);
	ck_assert_int_eq(b.value, -3);
	wasmd_libevent_detach(w);
	wasmd_close(c);
	event_base_free(base);
	fake_stop(&f);
}
END_TEST

/* A callback that makes a blocking call and records how it went. */
static void
list_cb(wasmd_conn *conn, wasmd_error rc, wasmd_result *result, void *arg)
{
	wasmd_error *list_rc = arg;
	wasmd_module_list *list = NULL;

	ck_assert_int_eq(rc, WASMD_OK);
	wasmd_result_free(result);
	*list_rc = wasmd_list(conn, &list);
	wasmd_module_list_free(list);
}

START_TEST(test_blocking_call_from_callback)
{
	wasmd_error from_process = WASMD_ERR_INTERNAL,
	            from_blocking = WASMD_ERR_INTERNAL;
	wasmd_module_list *list = NULL;
	struct fake f;
	wasmd_conn *c = connect_fake(&f, FAKE_NORMAL);

	/* From wasmd_process(): allowed. */
	ck_assert_int_eq(wasmd_invoke_send(c, "demo", "quiet", NULL, 0, NULL,
	                     list_cb, &from_process),
	    WASMD_OK);
	ck_assert_int_eq(pump(c), WASMD_OK);
	ck_assert_int_eq(from_process, WASMD_OK);

	/* From inside another blocking call: refused, and the outer call
	 * still gets its own reply. */
	ck_assert_int_eq(wasmd_invoke_send(c, "demo", "quiet", NULL, 0, NULL,
	                     list_cb, &from_blocking),
	    WASMD_OK);
	ck_assert_int_eq(wasmd_list(c, &list), WASMD_OK);
	ck_assert_uint_eq(list->count, 2);
	wasmd_module_list_free(list);
	ck_assert_int_eq(from_blocking, WASMD_ERR_INVALID);
	ck_assert_int_eq(wasmd_status(c), WASMD_CONNECTION_OK);
	wasmd_close(c);
	fake_stop(&f);
}
END_TEST

START_TEST(test_invalid_arguments)
{
	struct outcome a = {0};
	struct fake f;
	wasmd_conn *c = connect_fake(&f, FAKE_NORMAL);

	ck_assert_int_eq(
	    wasmd_invoke_send(c, "demo", "quiet", NULL, 0, NULL, NULL, NULL),
	    WASMD_ERR_INVALID);
	ck_assert_int_eq(
	    wasmd_invoke_send(c, NULL, "quiet", NULL, 0, NULL, record_cb, &a),
	    WASMD_ERR_INVALID);
	ck_assert_uint_eq(wasmd_pending(c), 0);
	ck_assert_int_eq(wasmd_process(c), WASMD_OK);
	ck_assert_int_eq(a.calls, 0);
	wasmd_close(c);
	fake_stop(&f);
}
END_TEST

static Suite *
async_suite(void)
{
	Suite *s = suite_create("client_async");
	TCase *tc = tcase_create("async");

	tcase_add_test(tc, test_two_in_flight);
	tcase_add_test(tc, test_blocking_call_meets_async_reply);
	tcase_add_test(tc, test_async_error_reply);
	tcase_add_test(tc, test_close_with_pending);
	tcase_add_test(tc, test_break_with_pending);
	tcase_add_test(tc, test_libevent_adapter);
	tcase_add_test(tc, test_blocking_call_from_callback);
	tcase_add_test(tc, test_invalid_arguments);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(async_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
