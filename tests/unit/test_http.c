/* test_http.c: libcurl's multi interface on our evloop, against a local scripted server
 * (testserver.c, forked per test): statuses and bodies, error bodies, refused and broken
 * connections, the stall watchdog, cancelling from inside the request's own callbacks.
 * The real evloop runs pass by pass until a condition holds, with a generous cap; there
 * are no fixed sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "evloop.h"
#include "http.h"

/* The Makefile links each runner with testutil.o only: the server comes in as source. */
#include "testserver.c"
#include "testutil.h"

#define CAP_MS 15000 /* far beyond any delay scripted here, even under valgrind */
#include "nettest.h"

struct rec {
    struct http *h; /* set by tests that look at where on_done runs, or chain requests */
    struct http_req *req;
    int sent; /* on_sent calls */
    int statuses_at_sent;
    int cancel_in_sent;
    int statuses; /* on_status calls */
    long status;
    int data_before_status;
    int data_calls;
    struct buf data;
    int done; /* on_done calls */
    struct http_result res;
    char body[256];
    size_t body_len;
    int cancel_in_status;
    int cancel_in_data;           /* cancel at this data call (1-based), 0: never */
    int fail_in_data;             /* return -1 at this data call */
    struct http_req *also_cancel; /* cancelled from inside the first data call */
    int after_cancel;             /* callbacks seen after a cancel */
    int cancelled;
    int abort_in_status;         /* http_req_abort from on_status */
    int done_at_abort;           /* on_done calls when http_req_abort returned */
    struct http_req *also_abort; /* aborted from inside the first data call */
    int done_in_curl;            /* on_done ran inside libcurl (must never happen) */
    const char *chain_url;       /* on_done starts a GET of this ... */
    struct rec *chain;           /* ... recorded here */
    struct http_req *chained;
};

static void rec_init(struct rec *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->data, 1u << 20);
}

static void rec_fini(struct rec *r)
{
    buf_fini(&r->data);
}

static void on_sent(struct http_req *req, void *arg)
{
    struct rec *r = arg;

    if (r->cancelled)
        r->after_cancel++;
    r->sent++;
    r->statuses_at_sent = r->statuses;
    if (r->cancel_in_sent) {
        r->cancelled = 1;
        http_req_cancel(req);
    }
}

static void on_status(struct http_req *req, long status, void *arg)
{
    struct rec *r = arg;

    if (r->cancelled)
        r->after_cancel++;
    r->statuses++;
    r->status = status;
    if (r->cancel_in_status) {
        r->cancelled = 1;
        http_req_cancel(req);
    }
    if (r->abort_in_status) {
        http_req_abort(req);
        http_req_abort(req); /* a no-op */
        r->done_at_abort = r->done;
    }
}

static int on_data(struct http_req *req, const char *data, size_t n, void *arg)
{
    struct rec *r = arg;

    if (r->cancelled)
        r->after_cancel++;
    if (r->statuses == 0)
        r->data_before_status = 1;
    r->data_calls++;
    assert_int_equal(buf_append(&r->data, data, n), 0);
    if (r->also_cancel != NULL) {
        http_req_cancel(r->also_cancel);
        r->also_cancel = NULL;
    }
    if (r->also_abort != NULL) {
        http_req_abort(r->also_abort);
        r->also_abort = NULL;
    }
    if (r->cancel_in_data != 0 && r->data_calls >= r->cancel_in_data) {
        r->cancelled = 1;
        http_req_cancel(req);
        return 0; /* the cancel alone must stop the transfer */
    }
    if (r->fail_in_data != 0 && r->data_calls >= r->fail_in_data)
        return -1;
    return 0;
}

static struct http_req_cb cb_for(struct rec *r);

static void on_done(struct http_req *req, const struct http_result *res, void *arg)
{
    struct rec *r = arg;

    (void)req;
    if (r->cancelled)
        r->after_cancel++;
    if (r->h != NULL && http_in_callback(r->h))
        r->done_in_curl = 1;
    r->done++;
    r->res = *res;
    r->res.body = NULL;
    if (res->body != NULL) {
        r->body_len = res->body_len;
        snprintf(r->body, sizeof r->body, "%.*s", (int)res->body_len, res->body);
    }
    if (r->chain != NULL && r->chain_url != NULL) {
        struct http_req_cb cb = cb_for(r->chain);
        struct err err;

        /* on_done runs outside libcurl: a new request can start here */
        r->chained = http_get(r->h, r->chain_url, NULL, 5, &cb, &err);
        r->chain = NULL;
    }
}

static const struct http_req_cb rec_cb = {
    .on_sent = on_sent, .on_status = on_status, .on_data = on_data, .on_done = on_done};

static struct http_req_cb cb_for(struct rec *r)
{
    struct http_req_cb cb = rec_cb;

    cb.arg = r;
    return cb;
}

/* Passes until the request count drops to zero (cancelled requests are gone). */
static void run_until_idle(struct evloop *l, struct http *h)
{
    int64_t end = clock_now_ns() + CAP_MS * CLOCK_NS_PER_MS;

    while (http_active(h) > 0) {
        assert_true(evloop_run_once(l, 100) >= 0);
        if (clock_past(end))
            fail_msg("requests still active after %d ms", CAP_MS);
    }
}

static char *url_of(const struct ts_server *s, const char *path)
{
    size_t n = strlen(ts_url(s)) + strlen(path) + 1;
    char *u = malloc(n);

    assert_non_null(u);
    snprintf(u, n, "%s%s", ts_url(s), path);
    return u;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    http_free(f->h);
    f->h = NULL;
    /* nothing of curl's may stay in the loop once the client is gone */
    assert_int_equal(evloop_next_timer_ms(f->loop), -1);
    fixture_free(f);
    return 0;
}

/* --- answers ----------------------------------------------------------------------------- */

static void test_get_chunked(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_HEAD(200, "application/x-ndjson"),
                                     TS_CHUNK("{\"a\":1}\n"),
                                     TS_DELAY(20),
                                     TS_CHUNK("{\"b\":"),
                                     TS_DELAY(20),
                                     TS_CHUNK("2}\n"),
                                     TS_LAST(),
                                     TS_END()};
    struct ts_server *srv = ts_start1(script);
    char *url = url_of(srv, "/api/x");
    const char *const headers[] = {"Accept: application/x-ndjson", "X-Test: 1", NULL};
    struct rec r;
    struct http_req_cb cb;
    const struct ts_event *req;
    struct err err;

    rec_init(&r);
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, url, headers, 0, &cb, &err));
    assert_int_equal(http_active(f->h), 1);
    run_until(f->loop, &r.done);
    assert_int_equal(r.done, 1);
    assert_int_equal(r.sent, 1);
    assert_int_equal(r.statuses_at_sent, 0);
    assert_int_equal(r.statuses, 1);
    assert_false(r.data_before_status);
    assert_int_equal(r.status, 200);
    assert_true(r.res.ok);
    assert_int_equal(r.res.status, 200);
    assert_int_equal(r.res.curl_code, 0);
    assert_false(r.res.stalled);
    assert_string_equal(buf_cstr(&r.data), "{\"a\":1}\n{\"b\":2}\n");
    assert_int_equal(r.body_len, 0);
    assert_int_equal(http_active(f->h), 0);

    req = ts_wait(srv, TS_EV_REQUEST, CAP_MS);
    assert_non_null(req);
    assert_true(strncmp(req->payload, "GET /api/x HTTP/1.1\r\n", 21) == 0);
    assert_non_null(strstr(req->payload, "\r\nAccept: application/x-ndjson\r\n"));
    assert_non_null(strstr(req->payload, "\r\nX-Test: 1\r\n"));
    assert_non_null(strstr(req->payload, "\r\nAccept-Encoding: identity\r\n"));
    assert_non_null(strstr(req->payload, "\r\nUser-Agent: chimera"));
    assert_null(strstr(req->payload, "Content-Type"));
    ts_stop(srv);
    free(url);
    rec_fini(&r);
}

static void test_post_json(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_BODY(200, "application/json", "{\"ok\":true}"), TS_END()};
    struct ts_server *srv = ts_start1(script);
    char *url = url_of(srv, "/api/generate");
    struct rec r;
    struct http_req_cb cb;
    const struct ts_event *req;
    struct err err;
    /* big enough that an Expect: 100-continue would be sent if we allowed it */
    char *body = malloc(300000);

    assert_non_null(body);
    memset(body, 'x', 300000 - 16);
    memcpy(body, "{\"p\":\"", 6);
    memcpy(body + 300000 - 16, "\"}", 3);
    rec_init(&r);
    cb = cb_for(&r);
    assert_non_null(http_post_json(f->h, url, body, NULL, 5, &cb, &err));
    run_until(f->loop, &r.done);
    assert_true(r.res.ok);
    assert_string_equal(buf_cstr(&r.data), "{\"ok\":true}");
    req = ts_wait(srv, TS_EV_REQUEST, CAP_MS);
    assert_non_null(req);
    assert_true(strncmp(req->payload, "POST /api/generate HTTP/1.1\r\n", 29) == 0);
    assert_non_null(strstr(req->payload, "\r\nContent-Type: application/json\r\n"));
    assert_null(strstr(req->payload, "Expect:"));
    assert_null(strstr(req->payload, "x-ndjson")); /* only when the caller asks */
    assert_non_null(strstr(req->payload, "\r\n\r\n{\"p\":\"xxx"));
    ts_stop(srv);
    free(body);
    free(url);
    rec_fini(&r);
}

static void test_error_body_json_404(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {
        TS_BODY(404, "application/json; charset=utf-8", "{\"error\":\"model 'x' not found\"}"),
        TS_END()};
    struct ts_server *srv = ts_start1(script);
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, ts_url(srv), NULL, 0, &cb, &err));
    run_until(f->loop, &r.done);
    assert_int_equal(r.statuses, 1);
    assert_int_equal(r.status, 404);
    assert_int_equal(r.data_calls, 0); /* error bodies go to on_done, not on_data */
    assert_false(r.res.ok);
    assert_int_equal(r.res.status, 404);
    assert_int_equal(r.res.curl_code, 0);
    assert_string_equal(r.body, "{\"error\":\"model 'x' not found\"}");
    assert_non_null(strstr(r.res.message, "HTTP 404"));
    ts_stop(srv);
    rec_fini(&r);
}

static void test_error_body_chunked_500_bounded(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_HEAD(500, "text/plain"), TS_CHUNK("boom: "),
                                     TS_FILL('z', 200000), TS_LAST(), TS_END()};
    struct ts_server *srv = ts_start1(script);
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, ts_url(srv), NULL, 0, &cb, &err));
    run_until(f->loop, &r.done);
    assert_int_equal(r.res.status, 500);
    assert_false(r.res.ok);
    assert_int_equal(r.data_calls, 0);
    assert_int_equal(r.body_len, HTTP_MAX_ERROR_BODY);
    assert_true(strncmp(r.body, "boom: zzz", 9) == 0);
    ts_stop(srv);
    rec_fini(&r);
}

/* --- failures -------------------------------------------------------------------------- */

static void test_refused(void **state)
{
    struct fixture *f = *state;
    int port = ts_closed_port();
    char url[64], want[128];
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/version", port);
    snprintf(want, sizeof want, "cannot reach http://127.0.0.1:%d (connection refused)", port);
    rec_init(&r);
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, url, NULL, 5, &cb, &err));
    run_until(f->loop, &r.done);
    assert_int_equal(r.statuses, 0);
    assert_false(r.res.ok);
    assert_int_equal(r.res.status, 0);
    assert_int_equal(r.res.curl_code, 7);
    assert_int_equal(r.sent, 0); /* nothing went out */
    assert_true(r.res.unreachable);
    assert_string_equal(r.res.reason, "connection refused");
    assert_string_equal(r.res.message, want);
    rec_fini(&r);
}

static void test_bad_url(void **state)
{
    struct fixture *f = *state;
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    cb = cb_for(&r);
    err_clear(&err);
    assert_null(http_get(f->h, "ftp://127.0.0.1/x", NULL, 0, &cb, &err));
    assert_non_null(strstr(err.msg, "http://"));
    assert_null(http_get(f->h, "http://[::1/x", NULL, 0, &cb, &err));
    assert_non_null(strstr(err.msg, "not a valid URL"));
    assert_int_equal(http_active(f->h), 0);
    rec_fini(&r);
}

static void run_broken(struct fixture *f, const struct ts_step *script, int want_code)
{
    struct ts_server *srv = ts_start1(script);
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, ts_url(srv), NULL, 0, &cb, &err));
    run_until(f->loop, &r.done);
    assert_false(r.res.ok);
    assert_int_equal(r.res.status, 200);
    if (want_code == 18 || want_code == 56) {
        /* a reset can surface as either, depending on what was buffered */
        assert_true(r.res.curl_code == 18 || r.res.curl_code == 56);
        assert_non_null(strstr(r.res.message, "closed mid-stream"));
    } else {
        assert_int_equal(r.res.curl_code, want_code);
    }
    /* what arrived of the cut chunk may be delivered too */
    assert_true(strncmp(buf_cstr(&r.data), "{\"response\":\"a\"}\n", 17) == 0);
    ts_stop(srv);
    rec_fini(&r);
}

static void test_closed_mid_chunk(void **state)
{
    const struct ts_step script[] = {TS_HEAD(200, "application/x-ndjson"),
                                     TS_CHUNK("{\"response\":\"a\"}\n"),
                                     TS_DELAY(30),
                                     TS_RAW("40\r\n{\"resp"),
                                     TS_CLOSE(),
                                     TS_END()};

    run_broken(*state, script, 18);
}

static void test_reset_mid_chunk(void **state)
{
    const struct ts_step script[] = {TS_HEAD(200, "application/x-ndjson"),
                                     TS_CHUNK("{\"response\":\"a\"}\n"),
                                     TS_DELAY(30),
                                     TS_RAW("40\r\n{\"resp"),
                                     TS_RESET(),
                                     TS_END()};

    run_broken(*state, script, 56);
}

static void test_got_nothing(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_CLOSE(), TS_END()};
    struct ts_server *srv = ts_start1(script);
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, ts_url(srv), NULL, 0, &cb, &err));
    run_until(f->loop, &r.done);
    assert_int_equal(r.res.curl_code, 52);
    assert_non_null(strstr(r.res.message, "without answering"));
    ts_stop(srv);
    rec_fini(&r);
}

/* --- the stall watchdog ---------------------------------------------------------------- */

static void test_stall_before_headers(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_HANG(), TS_END()};
    struct ts_server *srv = ts_start1(script);
    struct rec r;
    struct http_req_cb cb;
    struct err err;
    char want[160];
    int64_t t0 = clock_now_ns(), took;

    rec_init(&r);
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, ts_url(srv), NULL, 1, &cb, &err));
    run_until(f->loop, &r.done);
    took = clock_now_ns() - t0;
    assert_true(took >= 1 * CLOCK_NS_PER_S);
    assert_true(took < 5 * CLOCK_NS_PER_S);
    assert_true(r.res.stalled);
    assert_false(r.res.ok);
    assert_int_equal(r.res.status, 0);
    assert_int_equal(r.statuses, 0);
    snprintf(want, sizeof want,
             "no data from http://127.0.0.1:%d for 1 s: the server stalled (is the model "
             "still loading? raise stall_timeout)",
             ts_port(srv));
    assert_string_equal(r.res.message, want);
    /* the connection is closed: the server sees it */
    assert_non_null(ts_wait(srv, TS_EV_PEER_CLOSED, CAP_MS));
    ts_stop(srv);
    rec_fini(&r);
}

static void test_stall_mid_stream(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_HEAD(200, "application/x-ndjson"),
                                     TS_CHUNK("{\"response\":\"a\"}\n"), TS_HANG(), TS_END()};
    struct ts_server *srv = ts_start1(script);
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, ts_url(srv), NULL, 1, &cb, &err));
    run_until(f->loop, &r.done);
    assert_true(r.res.stalled);
    assert_int_equal(r.res.status, 200);
    assert_int_equal(r.statuses, 1);
    assert_string_equal(buf_cstr(&r.data), "{\"response\":\"a\"}\n");
    assert_non_null(ts_wait(srv, TS_EV_PEER_CLOSED, CAP_MS));
    ts_stop(srv);
    rec_fini(&r);
}

/* Bytes every 400 ms for about 2.4 s with a 1 s watchdog: it re-arms and never fires. */
static void test_stall_rearmed_by_bytes(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_HEAD(200, "application/x-ndjson"),
                                     TS_DELAY(400),
                                     TS_CHUNK("a"),
                                     TS_DELAY(400),
                                     TS_CHUNK("b"),
                                     TS_DELAY(400),
                                     TS_CHUNK("c"),
                                     TS_DELAY(400),
                                     TS_CHUNK("d"),
                                     TS_DELAY(400),
                                     TS_CHUNK("e"),
                                     TS_DELAY(400),
                                     TS_CHUNK("f"),
                                     TS_LAST(),
                                     TS_END()};
    struct ts_server *srv = ts_start1(script);
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, ts_url(srv), NULL, 1, &cb, &err));
    run_until(f->loop, &r.done);
    assert_false(r.res.stalled);
    assert_true(r.res.ok);
    assert_string_equal(buf_cstr(&r.data), "abcdef");
    ts_stop(srv);
    rec_fini(&r);
}

/* --- cancelling and aborting --------------------------------------------------------------- */

static const struct ts_step slow_stream[] = {TS_HEAD(200, "application/x-ndjson"),
                                             TS_CHUNK("one\n"),
                                             TS_DELAY(50),
                                             TS_CHUNK("two\n"),
                                             TS_DELAY(50),
                                             TS_CHUNK("three\n"),
                                             TS_DELAY(50),
                                             TS_CHUNK("four\n"),
                                             TS_DELAY(5000),
                                             TS_CHUNK("late\n"),
                                             TS_LAST(),
                                             TS_END()};

static void test_cancel_in_data(void **state)
{
    struct fixture *f = *state;
    struct ts_server *srv = ts_start1(slow_stream);
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    r.cancel_in_data = 2;
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, ts_url(srv), NULL, 5, &cb, &err));
    run_until(f->loop, &r.cancelled);
    run_until_idle(f->loop, f->h);
    /* the server notices the close long before its script would end */
    assert_non_null(ts_wait(srv, TS_EV_PEER_CLOSED, CAP_MS));
    assert_null(ts_wait(srv, TS_EV_SCRIPT_DONE, 0));
    /* a few more passes: nothing may be called back */
    for (int i = 0; i < 5; i++)
        assert_true(evloop_run_once(f->loop, 20) >= 0);
    assert_int_equal(r.done, 0);
    assert_int_equal(r.after_cancel, 0);
    assert_int_equal(r.data_calls, 2);
    ts_stop(srv);
    rec_fini(&r);
}

static void test_cancel_in_status(void **state)
{
    struct fixture *f = *state;
    struct ts_server *srv = ts_start1(slow_stream);
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    r.cancel_in_status = 1;
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, ts_url(srv), NULL, 5, &cb, &err));
    run_until(f->loop, &r.cancelled);
    run_until_idle(f->loop, f->h);
    assert_non_null(ts_wait(srv, TS_EV_PEER_CLOSED, CAP_MS));
    for (int i = 0; i < 5; i++)
        assert_true(evloop_run_once(f->loop, 20) >= 0);
    assert_int_equal(r.statuses, 1);
    assert_int_equal(r.data_calls, 0);
    assert_int_equal(r.done, 0);
    ts_stop(srv);
    rec_fini(&r);
}

struct canceller {
    struct http_req *req;
    int fired;
};

static void cancel_timer(void *arg)
{
    struct canceller *c = arg;

    http_req_cancel(c->req);
    c->fired = 1;
}

/* Outside curl's callbacks (a timer, as a key press would be) the request goes at once. */
static void test_cancel_from_timer(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_HEAD(200, "application/x-ndjson"), TS_HANG(), TS_END()};
    struct ts_server *srv = ts_start1(script);
    struct rec r;
    struct http_req_cb cb;
    struct canceller c = {0};
    struct err err;

    rec_init(&r);
    cb = cb_for(&r);
    c.req = http_get(f->h, ts_url(srv), NULL, 0, &cb, &err);
    assert_non_null(c.req);
    run_until(f->loop, &r.statuses);
    evloop_add_timer(f->loop, 10, cancel_timer, &c);
    run_until(f->loop, &c.fired);
    assert_int_equal(http_active(f->h), 0);
    assert_non_null(ts_wait(srv, TS_EV_PEER_CLOSED, CAP_MS));
    assert_int_equal(r.done, 0);
    ts_stop(srv);
    rec_fini(&r);
}

/* One request's data callback cancels another request, which is mid-transfer. */
static void test_cancel_other_from_data(void **state)
{
    struct fixture *f = *state;
    const struct ts_step hang[] = {TS_HEAD(200, "text/plain"), TS_CHUNK("x"), TS_HANG(), TS_END()};
    const struct ts_step later[] = {TS_HEAD(200, "text/plain"), TS_DELAY(200), TS_CHUNK("go"),
                                    TS_LAST(), TS_END()};
    struct ts_server *s1 = ts_start1(hang), *s2 = ts_start1(later);
    struct rec a, b;
    struct http_req_cb cba, cbb;
    struct err err;

    rec_init(&a);
    rec_init(&b);
    cba = cb_for(&a);
    cbb = cb_for(&b);
    a.req = http_get(f->h, ts_url(s1), NULL, 0, &cba, &err);
    assert_non_null(a.req);
    run_until(f->loop, &a.data_calls);
    assert_non_null(http_get(f->h, ts_url(s2), NULL, 0, &cbb, &err));
    b.also_cancel = a.req;
    a.cancelled = 1;
    run_until(f->loop, &b.done);
    assert_true(b.res.ok);
    assert_int_equal(http_active(f->h), 0);
    assert_non_null(ts_wait(s1, TS_EV_PEER_CLOSED, CAP_MS));
    assert_int_equal(a.done, 0);
    assert_int_equal(a.after_cancel, 0);
    ts_stop(s1);
    ts_stop(s2);
    rec_fini(&a);
    rec_fini(&b);
}

static void test_abort_from_data(void **state)
{
    struct fixture *f = *state;
    struct ts_server *srv = ts_start1(slow_stream);
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    r.fail_in_data = 1;
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, ts_url(srv), NULL, 5, &cb, &err));
    run_until(f->loop, &r.done);
    assert_true(r.res.aborted);
    assert_false(r.res.ok);
    assert_int_equal(r.res.curl_code, 23); /* CURLE_WRITE_ERROR */
    assert_int_equal(r.data_calls, 1);
    assert_non_null(ts_wait(srv, TS_EV_PEER_CLOSED, CAP_MS));
    ts_stop(srv);
    rec_fini(&r);
}

/* http_free with requests in flight: no callbacks, connections closed. */
static void test_free_with_requests(void **state)
{
    struct fixture *f = *state;
    struct ts_server *srv = ts_start1(slow_stream);
    struct http *h2;
    struct rec r1, r2;
    struct http_req_cb cb1, cb2;
    struct err err;

    h2 = http_new(f->loop, &err);
    assert_non_null(h2);
    rec_init(&r1);
    rec_init(&r2);
    cb1 = cb_for(&r1);
    cb2 = cb_for(&r2);
    assert_non_null(http_get(h2, ts_url(srv), NULL, 5, &cb1, &err));
    assert_non_null(http_get(h2, ts_url(srv), NULL, 5, &cb2, &err));
    assert_int_equal(http_active(h2), 2);
    run_until(f->loop, &r1.data_calls);
    http_free(h2);
    assert_non_null(ts_wait(srv, TS_EV_PEER_CLOSED, CAP_MS));
    for (int i = 0; i < 5; i++)
        assert_true(evloop_run_once(f->loop, 20) >= 0);
    assert_int_equal(r1.done + r2.done, 0);
    ts_stop(srv);
    rec_fini(&r1);
    rec_fini(&r2);
}

/* Several requests at once, one after another on a reused client. */
static void test_many_sequential(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_BODY(200, "application/json", "{\"version\":\"0.9\"}"),
                                     TS_END()};
    struct ts_server *srv = ts_start1(script);

    for (int i = 0; i < 5; i++) {
        struct rec r;
        struct http_req_cb cb;
        struct err err;

        rec_init(&r);
        cb = cb_for(&r);
        assert_non_null(http_get(f->h, ts_url(srv), NULL, 5, &cb, &err));
        run_until(f->loop, &r.done);
        assert_true(r.res.ok);
        assert_string_equal(buf_cstr(&r.data), "{\"version\":\"0.9\"}");
        rec_fini(&r);
    }
    ts_stop(srv);
}

/* --- the request is out (on_sent) ------------------------------------------------------------ */

/* The server reads the whole request, then says nothing until released: on_sent must come
 * in that silence, once, before any status; then the answer is read as usual. */
static void run_sent(struct fixture *f, const char *body)
{
    const struct ts_step script[] = {TS_AWAIT(), TS_BODY(200, "application/json", "{\"ok\":1}"),
                                     TS_END()};
    struct ts_server *srv = ts_start1(script);
    struct rec r;
    struct http_req_cb cb;
    const struct ts_event *req;
    struct err err;

    rec_init(&r);
    cb = cb_for(&r);
    if (body != NULL)
        assert_non_null(http_post_json(f->h, ts_url(srv), body, NULL, 0, &cb, &err));
    else
        assert_non_null(http_get(f->h, ts_url(srv), NULL, 0, &cb, &err));
    run_until(f->loop, &r.sent);
    assert_int_equal(r.statuses, 0);
    assert_int_equal(r.done, 0);
    /* the server has the whole request (head and body) */
    req = ts_wait(srv, TS_EV_REQUEST, CAP_MS);
    assert_non_null(req);
    if (body != NULL && strlen(body) < 1000)
        assert_non_null(strstr(req->payload, body));
    ts_release(srv);
    run_until(f->loop, &r.done);
    assert_true(r.res.ok);
    assert_int_equal(r.sent, 1);
    assert_int_equal(r.statuses_at_sent, 0);
    assert_string_equal(buf_cstr(&r.data), "{\"ok\":1}");
    ts_stop(srv);
    rec_fini(&r);
}

static void test_sent_get(void **state)
{
    run_sent(*state, NULL);
}

static void test_sent_small_post(void **state)
{
    run_sent(*state, "{\"model\":\"m\"}");
}

static void test_sent_empty_post(void **state)
{
    run_sent(*state, "");
}

/* Far more than one write: on_sent waits for the last byte of the body. */
static void test_sent_big_post(void **state)
{
    char *body = malloc(2000000);

    assert_non_null(body);
    memset(body, 'x', 2000000 - 1);
    body[2000000 - 1] = '\0';
    run_sent(*state, body);
    free(body);
}

/* A cancel from on_sent (inside libcurl's progress callback) stops everything. */
static void test_cancel_in_sent(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_AWAIT(), TS_BODY(200, "text/plain", "x"), TS_END()};
    struct ts_server *srv = ts_start1(script);
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    r.cancel_in_sent = 1;
    cb = cb_for(&r);
    assert_non_null(http_post_json(f->h, ts_url(srv), "{}", NULL, 5, &cb, &err));
    run_until(f->loop, &r.cancelled);
    run_until_idle(f->loop, f->h);
    assert_non_null(ts_wait(srv, TS_EV_PEER_CLOSED, CAP_MS));
    for (int i = 0; i < 5; i++)
        assert_true(evloop_run_once(f->loop, 20) >= 0);
    assert_int_equal(r.sent, 1);
    assert_int_equal(r.statuses, 0);
    assert_int_equal(r.done, 0);
    assert_int_equal(r.after_cancel, 0);
    ts_stop(srv);
    rec_fini(&r);
}

/* --- aborting with an end report (http_req_abort) ------------------------------------------ */

/* From the request's own on_status: no on_done inside the callback, one later, outside
 * libcurl, with `aborted`; the connection is closed. */
static void test_abort_in_status(void **state)
{
    struct fixture *f = *state;
    struct ts_server *srv = ts_start1(slow_stream);
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    r.h = f->h;
    r.abort_in_status = 1;
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, ts_url(srv), NULL, 5, &cb, &err));
    run_until(f->loop, &r.done);
    assert_int_equal(r.done_at_abort, 0);
    assert_int_equal(r.done, 1);
    assert_false(r.done_in_curl);
    assert_true(r.res.aborted);
    assert_false(r.res.ok);
    assert_int_equal(r.data_calls, 0);
    assert_non_null(strstr(r.res.message, "not read to its end"));
    assert_int_equal(http_active(f->h), 0);
    assert_non_null(ts_wait(srv, TS_EV_PEER_CLOSED, CAP_MS));
    for (int i = 0; i < 5; i++)
        assert_true(evloop_run_once(f->loop, 20) >= 0);
    assert_int_equal(r.done, 1);
    ts_stop(srv);
    rec_fini(&r);
}

/* One request's data callback aborts another whose server is silent (curl has no reason
 * to touch it again soon): its on_done still comes, from the loop. */
static void test_abort_other_silent(void **state)
{
    struct fixture *f = *state;
    const struct ts_step silent[] = {TS_AWAIT(), TS_END()};
    const struct ts_step talk[] = {TS_HEAD(200, "text/plain"), TS_CHUNK("go"), TS_LAST(), TS_END()};
    struct ts_server *s1 = ts_start1(silent), *s2 = ts_start1(talk);
    struct rec a, b;
    struct http_req_cb cba, cbb;
    struct err err;

    rec_init(&a);
    rec_init(&b);
    a.h = b.h = f->h;
    cba = cb_for(&a);
    cbb = cb_for(&b);
    a.req = http_get(f->h, ts_url(s1), NULL, 0, &cba, &err);
    assert_non_null(a.req);
    run_until(f->loop, &a.sent);
    b.also_abort = a.req;
    assert_non_null(http_get(f->h, ts_url(s2), NULL, 0, &cbb, &err));
    run_until(f->loop, &a.done);
    run_until(f->loop, &b.done);
    assert_true(b.res.ok);
    assert_true(a.res.aborted);
    assert_false(a.res.ok);
    assert_int_equal(a.statuses, 0);
    assert_false(a.done_in_curl);
    assert_false(b.done_in_curl);
    assert_int_equal(http_active(f->h), 0);
    assert_non_null(ts_wait(s1, TS_EV_PEER_CLOSED, CAP_MS));
    ts_stop(s1);
    ts_stop(s2);
    rec_fini(&a);
    rec_fini(&b);
}

/* --- servers that are not HTTP, headers that are not headers ------------------------------- */

/* A wrong port: an SSH server's banner instead of a status line. curl 7.88 calls it
 * "Unsupported protocol (Received HTTP/0.9 when not allowed)"; later versions a weird
 * server reply. Both read as the same hint. */
static void test_not_http(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_RAW("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"),
                                     TS_CLOSE(), TS_END()};
    struct ts_server *srv = ts_start1(script);
    struct rec r;
    struct http_req_cb cb;
    struct err err;
    char want[128];

    rec_init(&r);
    cb = cb_for(&r);
    assert_non_null(http_get(f->h, ts_url(srv), NULL, 0, &cb, &err));
    run_until(f->loop, &r.done);
    assert_false(r.res.ok);
    assert_false(r.res.unreachable);
    assert_true(r.res.curl_code == 1 || r.res.curl_code == 8);
    snprintf(want, sizeof want, "%s did not answer in HTTP (", ts_url(srv));
    if (strncmp(r.res.message, want, strlen(want)) != 0 ||
        strstr(r.res.message, "is that the right port?") == NULL)
        fail_msg("message: %s", r.res.message);
    assert_true(r.res.reason[0] != '\0');
    ts_stop(srv);
    rec_fini(&r);
}

/* A header value holding a line break would inject headers: refused, nothing sent, and
 * the header is not repeated in the message. */
static void test_header_line_break(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_BODY(200, "text/plain", "fine"), TS_END()};
    struct ts_server *srv = ts_start1(script);
    const char *const bad[] = {"Authorization: Bearer sk-1\r\nX-Injected: 1", NULL};
    const char *const bad_lf[] = {"X-A: 1\nX-Injected: 1", NULL};
    const char *const good[] = {"Authorization: Bearer sk-1", NULL};
    const struct ts_event *req;
    struct rec r;
    struct http_req_cb cb;
    struct err err;

    rec_init(&r);
    cb = cb_for(&r);
    err_clear(&err);
    assert_null(http_get(f->h, ts_url(srv), bad, 0, &cb, &err));
    assert_non_null(strstr(err.msg, "line break"));
    assert_null(strstr(err.msg, "sk-1"));
    assert_null(strstr(err.msg, "Injected"));
    assert_null(http_post_json(f->h, ts_url(srv), "{}", bad_lf, 0, &cb, &err));
    assert_int_equal(http_active(f->h), 0);
    /* the first connection the server sees is the good request */
    assert_non_null(http_get(f->h, ts_url(srv), good, 0, &cb, &err));
    run_until(f->loop, &r.done);
    assert_true(r.res.ok);
    req = ts_wait(srv, TS_EV_REQUEST, CAP_MS);
    assert_non_null(req);
    assert_int_equal(req->conn, 0);
    assert_null(strstr(req->payload, "Injected"));
    assert_non_null(strstr(req->payload, "\r\nAuthorization: Bearer sk-1\r\n"));
    ts_stop(srv);
    rec_fini(&r);
}

/* --- proxies ---------------------------------------------------------------------------------- */

static int setup_proxy(void **state)
{
    tu_proxy_env_clear();
    return setup(state);
}

static int teardown_proxy(void **state)
{
    tu_proxy_env_restore();
    return teardown(state);
}

/* Proxy variables pointing at a closed port: loopback is still reached directly, also
 * when no_proxy names other hosts (CURLOPT_NOPROXY replaces it, so it is merged). */
static void test_proxy_env_skips_loopback(void **state)
{
    struct fixture *f = *state;
    const struct ts_step script[] = {TS_BODY(200, "text/plain", "direct"), TS_END()};
    struct ts_server *srv = ts_start1(script);
    const char *const no_proxy[] = {NULL, "example.invalid", " ,example.invalid,"};
    char proxy[64];

    snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", ts_closed_port());
    setenv("http_proxy", proxy, 1);
    setenv("ALL_PROXY", proxy, 1);
    for (size_t i = 0; i < sizeof no_proxy / sizeof no_proxy[0]; i++) {
        struct rec r;
        struct http_req_cb cb;
        struct err err;

        if (no_proxy[i] != NULL)
            setenv(i == 1 ? "no_proxy" : "NO_PROXY", no_proxy[i], 1);
        rec_init(&r);
        cb = cb_for(&r);
        assert_non_null(http_get(f->h, ts_url(srv), NULL, 5, &cb, &err));
        run_until(f->loop, &r.done);
        if (!r.res.ok)
            fail_msg("no_proxy=%s: %s", no_proxy[i] ? no_proxy[i] : "(unset)", r.res.message);
        assert_string_equal(buf_cstr(&r.data), "direct");
        unsetenv("no_proxy");
        unsetenv("NO_PROXY");
        rec_fini(&r);
    }
    ts_stop(srv);
}

/* --- libcurl's multi interface failing ---------------------------------------------------- */

/* curl_multi_socket_action reports an error: every request in flight ends with a message
 * (none hangs); one started from such an on_done is not caught in it and runs; the client
 * stays usable. */
static void test_multi_error_ends_all(void **state)
{
    struct fixture *f = *state;
    const struct ts_step silent[] = {TS_HANG(), TS_END()};
    const struct ts_step ok[] = {TS_BODY(200, "text/plain", "after"), TS_END()};
    struct ts_server *s1 = ts_start1(silent), *s2 = ts_start1(ok);
    struct rec a, b, c;
    struct http_req_cb cba, cbb;
    struct err err;

    rec_init(&a);
    rec_init(&b);
    rec_init(&c);
    a.h = b.h = f->h;
    a.chain_url = ts_url(s2);
    a.chain = &c;
    cba = cb_for(&a);
    cbb = cb_for(&b);
    assert_non_null(http_get(f->h, ts_url(s1), NULL, 0, &cba, &err));
    assert_non_null(http_post_json(f->h, ts_url(s1), "{}", NULL, 0, &cbb, &err));
    http_test_fail_next_action(f->h, 4 /* CURLM_INTERNAL_ERROR */);
    run_until(f->loop, &a.done);
    run_until(f->loop, &b.done);
    for (int i = 0; i < 2; i++) {
        const struct rec *r = i == 0 ? &a : &b;

        assert_false(r->res.ok);
        assert_int_equal(r->res.multi_code, 4);
        assert_false(r->done_in_curl);
        if (strstr(r->res.message, "libcurl failed") == NULL ||
            strstr(r->res.message, ts_url(s1)) == NULL)
            fail_msg("message: %s", r->res.message);
    }
    assert_non_null(a.chained);
    run_until(f->loop, &c.done);
    assert_true(c.res.ok);
    assert_string_equal(buf_cstr(&c.data), "after");
    assert_int_equal(http_active(f->h), 0);
    ts_stop(s1);
    ts_stop(s2);
    rec_fini(&a);
    rec_fini(&b);
    rec_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_get_chunked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_body_json_404, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_body_chunked_500_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_closed_mid_chunk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_mid_chunk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_got_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stall_before_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stall_mid_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stall_rearmed_by_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_in_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_in_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_from_timer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_other_from_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_from_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_with_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_sequential, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sent_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sent_small_post, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sent_empty_post, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sent_big_post, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_in_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_in_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_other_silent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_http, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_line_break, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proxy_env_skips_loopback, setup_proxy, teardown_proxy),
        cmocka_unit_test_setup_teardown(test_multi_error_ends_all, setup, teardown),
    };
    struct err err;
    int rc;

    if (http_global_init(&err) < 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
