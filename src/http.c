/* http.c: libcurl's multi interface on the evloop.
 *
 * The loop owns every wait. curl tells us which descriptors it wants watched
 * (CURLMOPT_SOCKETFUNCTION) and when it next needs a call without socket activity
 * (CURLMOPT_TIMERFUNCTION); we map those onto evloop descriptors and one evloop timer,
 * and call curl_multi_socket_action when either fires. Finished transfers are collected
 * with curl_multi_info_read right after each such call.
 *
 * Re-entrancy is the hard part. curl forbids curl_multi_remove_handle (and any other
 * multi call) from inside its own callbacks, and our callers' on_sent/on_status/on_data run
 * inside curl's progress, header and write callbacks. So a request cancelled there is only
 * marked: its callbacks stop (the write/header callback returns an error, the progress
 * callback aborts), and the handle is removed and freed by http_reap once
 * curl_multi_socket_action has returned. A request cancelled anywhere else is removed at
 * once. http_req_abort is the variant that still reports the end: the transfer is stopped
 * the same way, and on_done comes from the loop (a 0-delay timer, or the collection of
 * finished transfers if curl ends it first), never from inside curl.
 *
 * When curl_multi_socket_action itself fails, curl may never report the transfers it was
 * running: every request in flight is then ended here with a message that says so.
 *
 * The stall watchdog is one evloop timer per request. Every received byte only stores
 * its time; when the timer fires it compares that time with the limit and either ends the
 * request or re-arms itself for the remainder, so a fast stream costs no timer traffic. */
#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "evloop.h"
#include "xmem.h"

/* What a write or header callback returns to fail the transfer: before 7.87 there is no
 * named value, and any count short of the bytes given does it. */
#ifdef CURL_WRITEFUNC_ERROR
#define HTTP_WRITE_FAIL CURL_WRITEFUNC_ERROR
#else
#define HTTP_WRITE_FAIL 0
#endif

#ifdef CHIMERA_VERSION
#define HTTP_USER_AGENT "chimera/" CHIMERA_VERSION
#else
#define HTTP_USER_AGENT "chimera"
#endif

struct http {
    struct evloop *loop;
    CURLM *multi;
    uint64_t timer;        /* the evloop timer standing for curl's deadline, 0 = none */
    int in_curl;           /* inside curl_multi_socket_action: removal must wait */
    int closing;           /* http_free is tearing down: add no timers */
    int inject_mcode;      /* tests: the next socket action reports this CURLMcode */
    struct http_req *reqs; /* every request not yet freed */
};

struct http_req {
    struct http *h;
    CURL *easy;
    struct curl_slist *headers;
    struct http_req_cb cb;
    char origin[300]; /* scheme://host:port, for messages */
    long status;
    int status_sent;      /* on_status has been called */
    int has_body;         /* a POST with a non-empty body: on_sent waits for all of it */
    int req_sent;         /* on_sent has been called */
    int cancelled;        /* no more callbacks; freed by http_reap */
    int aborted;          /* on_data returned -1, or http_req_abort */
    int stopping;         /* http_req_abort: callbacks stop, on_done comes from the loop */
    int in_done;          /* being finished (on_done is running): cancelling is a no-op */
    int doomed;           /* http_fail_all: to be ended with the multi error */
    uint64_t abort_timer; /* http_req_abort's 0-delay timer, 0 = none */
    int64_t stall_ns;     /* 0: no watchdog */
    int64_t last_byte_ns; /* start of the request, then the last byte received */
    uint64_t stall_timer;
    struct buf errbody; /* a non-2xx answer's body */
    char errbuf[CURL_ERROR_SIZE];
    struct http_req *prev, *next;
};

static void http_drain(struct http *h);
static void http_reap(struct http *h);
static void http_fail_all(struct http *h, CURLMcode mrc);

/* --- global set-up --------------------------------------------------------------------- */

int http_global_init(struct err *err)
{
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);

    if (rc != CURLE_OK) {
        err_set(err, 0, "cannot initialise libcurl: %s", curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

void http_global_cleanup(void)
{
    curl_global_cleanup();
}

/* --- the loop side ----------------------------------------------------------------------- */

/* Run curl for one socket (or its timeout), then deliver what finished and free what was
 * cancelled meanwhile: both need curl to be out of its callbacks. */
static void http_socket_action(struct http *h, curl_socket_t fd, int mask)
{
    int running = 0;
    CURLMcode mrc;

    h->in_curl++;
    mrc = curl_multi_socket_action(h->multi, fd, mask, &running);
    h->in_curl--;
    if (h->inject_mcode != 0) {
        mrc = (CURLMcode)h->inject_mcode;
        h->inject_mcode = 0;
    }
    http_drain(h);
    if (mrc != CURLM_OK)
        http_fail_all(h, mrc); /* what curl did not report will never be reported */
    http_reap(h);
}

void http_test_fail_next_action(struct http *h, int mcode)
{
    h->inject_mcode = mcode;
}

int http_in_callback(const struct http *h)
{
    return h->in_curl > 0;
}

static void http_on_fd(int fd, unsigned events, void *arg)
{
    int mask = 0;

    if (events & EVLOOP_READ)
        mask |= CURL_CSELECT_IN;
    if (events & EVLOOP_WRITE)
        mask |= CURL_CSELECT_OUT;
    if (events & EVLOOP_ERROR)
        mask |= CURL_CSELECT_ERR;
    http_socket_action(arg, fd, mask);
}

static void http_on_timer(void *arg)
{
    struct http *h = arg;

    h->timer = 0;
    http_socket_action(h, CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_SOCKETFUNCTION: mirror curl's interest in a socket in the evloop. */
static int http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
    struct http *h = arg;
    unsigned events = 0;

    (void)easy;
    (void)sockp;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        events |= EVLOOP_READ;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        events |= EVLOOP_WRITE;
    if (what == CURL_POLL_REMOVE || events == 0)
        evloop_del_fd(h->loop, fd);
    else if (evloop_add_fd(h->loop, fd, events, http_on_fd, h) < 0)
        return -1;
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: one evloop timer stands for curl's single deadline. A 0 ms
 * deadline becomes a 0-delay timer (the next pass): calling curl from here is forbidden. */
static int http_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
    struct http *h = arg;

    (void)multi;
    if (h->timer != 0) {
        evloop_cancel_timer(h->loop, h->timer);
        h->timer = 0;
    }
    if (timeout_ms >= 0 && !h->closing)
        h->timer = evloop_add_timer(h->loop, timeout_ms, http_on_timer, h);
    return 0;
}

/* --- client ---------------------------------------------------------------------------- */

struct http *http_new(struct evloop *loop, struct err *err)
{
    struct http *h;
    CURLM *multi = curl_multi_init();

    if (multi == NULL) {
        err_set(err, 0, "cannot create a libcurl multi handle");
        return NULL;
    }
    h = xcalloc(1, sizeof *h);
    h->loop = loop;
    h->multi = multi;
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, h);
    return h;
}

int http_active(const struct http *h)
{
    int n = 0;

    for (const struct http_req *r = h->reqs; r != NULL; r = r->next)
        n += !r->cancelled;
    return n;
}

/* Free the header list, wiping the strings first: one may hold an API key. */
static void http_headers_free(struct curl_slist *list)
{
    for (struct curl_slist *p = list; p != NULL; p = p->next)
        explicit_bzero(p->data, strlen(p->data));
    curl_slist_free_all(list);
}

/* curl_slist_append without losing the list: NULL (out of memory) is fatal. */
static struct curl_slist *http_headers_add(struct curl_slist *list, const char *header)
{
    struct curl_slist *grown = curl_slist_append(list, header);

    if (grown == NULL)
        fatal("out of memory");
    return grown;
}

/* Detach a request from curl, the loop and the list, and free it. Outside curl only. */
static void http_req_destroy(struct http_req *r)
{
    struct http *h = r->h;

    r->cancelled = 1; /* whatever curl still calls while letting go of it is ignored */
    if (r->stall_timer != 0)
        evloop_cancel_timer(h->loop, r->stall_timer);
    if (r->abort_timer != 0)
        evloop_cancel_timer(h->loop, r->abort_timer);
    /* removing an unfinished transfer closes its connection: the server stops */
    curl_multi_remove_handle(h->multi, r->easy);
    curl_easy_cleanup(r->easy);
    http_headers_free(r->headers);
    buf_fini(&r->errbody);
    if (r->prev != NULL)
        r->prev->next = r->next;
    else
        h->reqs = r->next;
    if (r->next != NULL)
        r->next->prev = r->prev;
    free(r);
}

void http_free(struct http *h)
{
    if (h == NULL)
        return;
    h->closing = 1;
    while (h->reqs != NULL)
        http_req_destroy(h->reqs);
    /* closes pooled connections, which may still call the socket callback */
    curl_multi_cleanup(h->multi);
    if (h->timer != 0)
        evloop_cancel_timer(h->loop, h->timer);
    free(h);
}

/* Free every request cancelled while curl was running. */
static void http_reap(struct http *h)
{
    struct http_req *r = h->reqs;

    while (r != NULL) {
        struct http_req *next = r->next;

        if (r->cancelled)
            http_req_destroy(r);
        r = next;
    }
}

void http_req_cancel(struct http_req *r)
{
    if (r == NULL || r->cancelled || r->in_done)
        return;
    r->cancelled = 1;
    if (r->stall_timer != 0) {
        evloop_cancel_timer(r->h->loop, r->stall_timer);
        r->stall_timer = 0;
    }
    if (r->abort_timer != 0) {
        evloop_cancel_timer(r->h->loop, r->abort_timer);
        r->abort_timer = 0;
    }
    if (r->h->in_curl == 0)
        http_req_destroy(r);
}

static void http_finish(struct http_req *r, CURLcode code, int stalled, CURLMcode mcode);

/* http_req_abort's timer: end the request if curl has not done it meanwhile. */
static void http_on_abort_timer(void *arg)
{
    struct http_req *r = arg;
    struct http *h = r->h;

    r->abort_timer = 0;
    http_finish(r, CURLE_ABORTED_BY_CALLBACK, 0, CURLM_OK);
    http_reap(h); /* what on_done cancelled */
}

void http_req_abort(struct http_req *r)
{
    if (r == NULL || r->cancelled || r->in_done || r->stopping)
        return;
    r->stopping = 1;
    r->aborted = 1;
    /* from inside curl the callbacks' errors usually end it in this very socket action
     * (and http_finish then cancels the timer); the timer covers a transfer that curl
     * does not touch again soon, such as one waiting for a silent server */
    r->abort_timer = evloop_add_timer(r->h->loop, 0, http_on_abort_timer, r);
}

/* --- per-request callbacks (inside curl) --------------------------------------------- */

static int http_is_2xx(long status)
{
    return status >= 200 && status <= 299;
}

/* A request that is being stopped gets no more callbacks. */
static int http_muted(const struct http_req *r)
{
    return r->cancelled || r->stopping || r->in_done;
}

/* Tell the caller the status once, before any body byte. */
static void http_send_status(struct http_req *r)
{
    if (r->status_sent)
        return;
    r->status_sent = 1;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
    if (r->cb.on_status != NULL)
        r->cb.on_status(r, r->status, r->cb.arg);
}

/* libcurl's header callback type has a non-const buffer */
// cppcheck-suppress constParameter
static size_t http_header_cb(char *data, size_t size, size_t nitems, void *arg)
{
    struct http_req *r = arg;
    size_t n = size * nitems;
    long code = 0;

    if (http_muted(r))
        return 0;
    r->last_byte_ns = clock_now_ns();
    if (r->status_sent)
        return n; /* trailers */
    /* the blank line ends a header block; 1xx blocks (100 Continue) are not the answer */
    if ((n == 2 && data[0] == '\r' && data[1] == '\n') || (n == 1 && data[0] == '\n')) {
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
        if (code >= 200)
            http_send_status(r);
    }
    return http_muted(r) ? 0 : n;
}

static size_t http_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
    struct http_req *r = arg;
    size_t n = size * nmemb;

    if (http_muted(r))
        return HTTP_WRITE_FAIL;
    r->last_byte_ns = clock_now_ns();
    http_send_status(r);
    if (http_muted(r))
        return HTTP_WRITE_FAIL;
    if (!http_is_2xx(r->status)) {
        size_t room = r->errbody.max - r->errbody.len;

        /* keep the first bytes, swallow the rest: the message needs only the start */
        if (n < room)
            room = n;
        if (room > 0 && buf_append(&r->errbody, data, room) < 0)
            return HTTP_WRITE_FAIL;
        return n;
    }
    if (r->cb.on_data != NULL && r->cb.on_data(r, data, n, r->cb.arg) < 0) {
        if (!r->cancelled)
            r->aborted = 1;
        return HTTP_WRITE_FAIL;
    }
    return http_muted(r) ? HTTP_WRITE_FAIL : n;
}

/* Has the whole request gone out? A body is counted by curl's upload figures (they reach
 * the total only once the last byte is written to the socket); a request without one is
 * out once curl has written its head, which CURLINFO_REQUEST_SIZE counts. */
static int http_request_out(struct http_req *r, curl_off_t ultotal, curl_off_t ulnow)
{
    long head = 0;

    if (r->has_body)
        return ultotal > 0 && ulnow >= ultotal;
    return curl_easy_getinfo(r->easy, CURLINFO_REQUEST_SIZE, &head) == CURLE_OK && head > 0;
}

/* Called often, also while connecting: a request cancelled by someone else's callback
 * stops here rather than waiting for its next byte. curl calls it after every step of a
 * transfer, so it also notices at once that the request has been sent. */
static int http_xferinfo_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                            curl_off_t ulnow)
{
    struct http_req *r = arg;

    (void)dltotal;
    (void)dlnow;
    if (http_muted(r))
        return 1;
    if (!r->req_sent && http_request_out(r, ultotal, ulnow)) {
        r->req_sent = 1;
        if (r->cb.on_sent != NULL)
            r->cb.on_sent(r, r->cb.arg);
    }
    return http_muted(r) ? 1 : 0;
}

/* --- the end ----------------------------------------------------------------------------- */

/* snprintf for messages: cutting a long host name short is fine, and going through
 * va_list keeps the compiler from flagging every possible truncation. */
static void http_fmt(char *out, size_t cap, const char *fmt, ...) ATTR_FORMAT(3, 4);
static void http_fmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

/* "Connection refused" -> "connection refused": reasons sit inside sentences. */
static void http_lower_first(char *s)
{
    if (s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z'))
        s[0] = (char)(s[0] - 'A' + 'a');
}

/* The OS-level reason a connection could not be made. */
static void http_connect_reason(struct http_req *r, char *out, size_t cap)
{
    long os_errno = 0;

    curl_easy_getinfo(r->easy, CURLINFO_OS_ERRNO, &os_errno);
    switch (os_errno) {
    case ECONNREFUSED:
        http_fmt(out, cap, "connection refused");
        break;
    case EHOSTUNREACH:
        http_fmt(out, cap, "no route to host");
        break;
    case ENETUNREACH:
        http_fmt(out, cap, "network unreachable");
        break;
    case ETIMEDOUT:
        http_fmt(out, cap, "connection timed out");
        break;
    case 0:
        http_fmt(out, cap, "%s", r->errbuf[0] ? r->errbuf : "cannot connect");
        http_lower_first(out);
        break;
    default:
        http_fmt(out, cap, "%s", strerror((int)os_errno));
        http_lower_first(out);
        break;
    }
}

/* A connection was made (curl knows the peer's address). */
static int http_connected(struct http_req *r)
{
    char *ip = NULL;

    return curl_easy_getinfo(r->easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != NULL &&
           ip[0] != '\0';
}

/* Fill res->message (and reason/unreachable) for a transfer that failed in curl. */
static void http_describe(struct http_req *r, CURLcode code, struct http_result *res)
{
    char reason[160];
    const char *detail = r->errbuf[0] ? r->errbuf : curl_easy_strerror(code);
    CURLcode kind = code;

    reason[0] = '\0';
    switch (code) {
    case CURLE_COULDNT_CONNECT:
        http_connect_reason(r, reason, sizeof reason);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        http_fmt(reason, sizeof reason, "host name not found");
        break;
    case CURLE_OPERATION_TIMEDOUT:
        /* there is no overall timeout, so this is the connect timeout */
        if (r->status == 0)
            http_fmt(reason, sizeof reason, "no connection within %d s", HTTP_CONNECT_TIMEOUT_S);
        break;
    default:
        break;
    }
    if (reason[0] != '\0') {
        res->unreachable = 1;
        http_fmt(res->reason, sizeof res->reason, "%s", reason);
        http_fmt(res->message, sizeof res->message, "cannot reach %s (%s)", r->origin, reason);
        return;
    }
    /* The scheme was checked before the start, so after a connection this is curl 7.88
     * refusing a reply without a status line ("Received HTTP/0.9 when not allowed"): a
     * server that does not speak HTTP, as a wrong port gives. */
    if (kind == CURLE_UNSUPPORTED_PROTOCOL && http_connected(r))
        kind = CURLE_WEIRD_SERVER_REPLY;
    switch (kind) {
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        http_fmt(res->reason, sizeof res->reason, "%s", detail);
        http_lower_first(res->reason);
        http_fmt(res->message, sizeof res->message, "the connection to %s closed mid-stream (%s)",
                 r->origin, res->reason);
        break;
    case CURLE_GOT_NOTHING:
        http_fmt(res->reason, sizeof res->reason, "empty reply");
        http_fmt(res->message, sizeof res->message,
                 "%s closed the connection without answering (empty reply)", r->origin);
        break;
    case CURLE_WEIRD_SERVER_REPLY:
        http_fmt(res->reason, sizeof res->reason, "%s", detail);
        http_fmt(res->message, sizeof res->message,
                 "%s did not answer in HTTP (%s): is that the right port?", r->origin, detail);
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        http_fmt(res->reason, sizeof res->reason, "%s", detail);
        http_fmt(res->message, sizeof res->message, "TLS failed with %s: %s", r->origin, detail);
        break;
    case CURLE_WRITE_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
        if (r->aborted) {
            http_fmt(res->reason, sizeof res->reason, "stopped by the reader");
            http_fmt(res->message, sizeof res->message,
                     "the answer from %s was not read to "
                     "its end",
                     r->origin);
            break;
        }
        /* fall through */
    default:
        http_fmt(res->reason, sizeof res->reason, "%s", curl_easy_strerror(code));
        http_lower_first(res->reason);
        if (r->errbuf[0] != '\0' && strcmp(r->errbuf, curl_easy_strerror(code)) != 0)
            http_fmt(res->message, sizeof res->message, "%s: %s (%s)", r->origin,
                     curl_easy_strerror(code), r->errbuf);
        else
            http_fmt(res->message, sizeof res->message, "%s: %s", r->origin,
                     curl_easy_strerror(code));
        break;
    }
}

/* Report the end and free the request. Outside curl only. `mcode` is not CURLM_OK when
 * curl's multi handle failed and the transfer was never reported. */
static void http_finish(struct http_req *r, CURLcode code, int stalled, CURLMcode mcode)
{
    struct http_result res;

    memset(&res, 0, sizeof res);
    if (!r->cancelled && !r->stopping && !r->status_sent && code == CURLE_OK && mcode == CURLM_OK) {
        /* an answer without a body: the status is still news (this runs outside curl,
         * so a cancel from on_status removes the request at once: leave) */
        r->h->in_curl++; /* a cancel from on_status only marks the request */
        http_send_status(r);
        r->h->in_curl--;
    }
    if (r->cancelled) {
        http_req_destroy(r);
        return;
    }
    if (r->status == 0)
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
    res.status = r->status;
    res.curl_code = (int)code;
    res.stalled = stalled;
    res.aborted = r->aborted;
    res.multi_code = (int)mcode;
    res.ok =
        code == CURLE_OK && mcode == CURLM_OK && !stalled && !r->aborted && http_is_2xx(r->status);
    if (mcode != CURLM_OK) {
        http_fmt(res.reason, sizeof res.reason, "libcurl failed: %s", curl_multi_strerror(mcode));
        http_fmt(res.message, sizeof res.message,
                 "the request to %s was stopped: libcurl failed (%s)", r->origin,
                 curl_multi_strerror(mcode));
    } else if (stalled) {
        http_fmt(res.reason, sizeof res.reason, "no data for %lld s",
                 (long long)(r->stall_ns / CLOCK_NS_PER_S));
        http_fmt(res.message, sizeof res.message,
                 "no data from %s for %lld s: the server stalled (is the model still "
                 "loading? raise stall_timeout)",
                 r->origin, (long long)(r->stall_ns / CLOCK_NS_PER_S));
    } else if (code != CURLE_OK) {
        http_describe(r, code, &res);
    } else if (!res.ok) {
        http_fmt(res.message, sizeof res.message, "%s answered HTTP %ld", r->origin, r->status);
    }
    if (!http_is_2xx(r->status) && r->status != 0) {
        res.body = buf_cstr(&r->errbody);
        res.body_len = r->errbody.len;
    }
    if (r->stall_timer != 0) {
        evloop_cancel_timer(r->h->loop, r->stall_timer);
        r->stall_timer = 0;
    }
    if (r->abort_timer != 0) {
        evloop_cancel_timer(r->h->loop, r->abort_timer);
        r->abort_timer = 0;
    }
    /* out of the multi handle first, so on_done may start requests or cancel others */
    r->in_done = 1;
    curl_multi_remove_handle(r->h->multi, r->easy);
    if (r->cb.on_done != NULL)
        r->cb.on_done(r, &res, r->cb.arg);
    http_req_destroy(r);
}

/* Deliver every finished transfer. */
static void http_drain(struct http *h)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        char *priv = NULL;

        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
        if (priv != NULL)
            http_finish((struct http_req *)(void *)priv, code, 0, CURLM_OK);
    }
}

/* curl_multi_socket_action failed: end every request that was in flight with that error.
 * on_done may start requests (those are not ended) or cancel others (which frees them),
 * so the list is searched again from its head after each one. */
static void http_fail_all(struct http *h, CURLMcode mrc)
{
    for (struct http_req *r = h->reqs; r != NULL; r = r->next)
        r->doomed = !r->cancelled;
    for (;;) {
        struct http_req *r = h->reqs;

        while (r != NULL && !(r->doomed && !r->cancelled))
            r = r->next;
        if (r == NULL)
            return;
        r->doomed = 0;
        http_finish(r, CURLE_OK, 0, mrc);
    }
}

/* The watchdog: end the request if it has been silent for stall_ns, else wait for the
 * rest of that time (bytes only moved last_byte_ns forward). */
static void http_on_stall_timer(void *arg)
{
    struct http_req *r = arg;
    int64_t idle = clock_now_ns() - r->last_byte_ns;

    r->stall_timer = 0;
    if (idle >= r->stall_ns) {
        struct http *h = r->h;

        http_finish(r, CURLE_OPERATION_TIMEDOUT, 1, CURLM_OK);
        http_reap(h); /* what on_done cancelled, if curl was busy then */
        return;
    }
    r->stall_timer =
        evloop_add_timer(r->h->loop, (r->stall_ns - idle + CLOCK_NS_PER_MS - 1) / CLOCK_NS_PER_MS,
                         http_on_stall_timer, r);
}

/* --- starting a request ------------------------------------------------------------------ */

/* scheme://host:port of `url`, or -1 when it is no http(s) URL. */
static int http_origin(const char *url, char *out, size_t cap, struct err *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    int rc = -1;

    if (u == NULL)
        fatal("out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        err_set(err, EINVAL, "not a valid URL: %.200s", url);
    } else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        err_set(err, EINVAL, "only http:// and https:// URLs are supported: %.200s", url);
    } else {
        http_fmt(out, cap, "%s://%s:%s", scheme, host, port);
        rc = 0;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

/* The hosts never to reach through a proxy: the environment's no_proxy (or NO_PROXY, in
 * curl's order) plus the loopback names. CURLOPT_NOPROXY replaces the environment's list,
 * hence the merge; like Go's client (and so the ollama CLI), loopback is never proxied. */
#define HTTP_LOOPBACK_HOSTS "localhost,127.0.0.1,::1"
static char *http_noproxy(void)
{
    const char *env = getenv("no_proxy");

    if (env == NULL)
        env = getenv("NO_PROXY");
    while (env != NULL && (*env == ' ' || *env == '\t' || *env == ','))
        env++;
    if (env == NULL || env[0] == '\0')
        return xstrdup(HTTP_LOOPBACK_HOSTS);
    if (strcmp(env, "*") == 0)
        return xstrdup("*"); /* curl honours "*" only as the whole list */
    return xasprintf("%s,%s", env, HTTP_LOOPBACK_HOSTS);
}

static struct http_req *http_start(struct http *h, const char *url, const char *body,
                                   const char *const *headers, int stall_s,
                                   const struct http_req_cb *cb, struct err *err)
{
    struct http_req *r;
    CURL *easy;
    CURLMcode mrc;
    char origin[sizeof r->origin];
    char *noproxy;

    if (http_origin(url, origin, sizeof origin, err) < 0)
        return NULL;
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        /* a line break would end the header and start another: never sent, never shown
         * (it may be an Authorization header) */
        if (strpbrk(headers[i], "\r\n") != NULL) {
            err_set(err, EINVAL,
                    "a request header holds a line break: the request to %s was "
                    "not sent",
                    origin);
            return NULL;
        }
    }
    easy = curl_easy_init();
    if (easy == NULL) {
        err_set(err, 0, "cannot create a libcurl handle");
        return NULL;
    }
    r = xcalloc(1, sizeof *r);
    r->h = h;
    r->easy = easy;
    r->cb = *cb;
    memcpy(r->origin, origin, sizeof origin);
    buf_init(&r->errbody, HTTP_MAX_ERROR_BODY);

    /* never follow what the server says about encodings: a gzip layer would hold back
     * pieces until a compressed block fills; "Expect:" avoids a 1 s wait on big bodies */
    r->headers = http_headers_add(r->headers, "Accept-Encoding: identity");
    r->headers = http_headers_add(r->headers, "Expect:");
    if (body != NULL)
        r->headers = http_headers_add(r->headers, "Content-Type: application/json");
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
        r->headers = http_headers_add(r->headers, headers[i]);
    r->has_body = body != NULL && body[0] != '\0';

    curl_easy_setopt(easy, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, HTTP_USER_AGENT);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, (long)HTTP_CONNECT_TIMEOUT_S);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 15L);
    curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    noproxy = http_noproxy();
    curl_easy_setopt(easy, CURLOPT_NOPROXY, noproxy); /* curl keeps a copy */
    free(noproxy);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, r);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, http_header_cb);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, http_write_cb);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, http_xferinfo_cb);
    curl_easy_setopt(easy, CURLOPT_XFERINFODATA, r);
    curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
    if (body != NULL) {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
        curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, body);
    }

    r->last_byte_ns = clock_now_ns();
    mrc = curl_multi_add_handle(h->multi, easy);
    if (mrc != CURLM_OK) {
        err_set(err, 0, "cannot start the request to %s: %s", origin, curl_multi_strerror(mrc));
        curl_easy_cleanup(easy);
        http_headers_free(r->headers);
        buf_fini(&r->errbody);
        free(r);
        return NULL;
    }
    r->next = h->reqs;
    if (h->reqs != NULL)
        h->reqs->prev = r;
    h->reqs = r;
    if (stall_s > 0) {
        r->stall_ns = (int64_t)stall_s * CLOCK_NS_PER_S;
        r->stall_timer = evloop_add_timer(h->loop, (int64_t)stall_s * 1000, http_on_stall_timer, r);
    }
    return r;
}

struct http_req *http_get(struct http *h, const char *url, const char *const *headers, int stall_s,
                          const struct http_req_cb *cb, struct err *err)
{
    return http_start(h, url, NULL, headers, stall_s, cb, err);
}

struct http_req *http_post_json(struct http *h, const char *url, const char *body,
                                const char *const *headers, int stall_s,
                                const struct http_req_cb *cb, struct err *err)
{
    return http_start(h, url, body, headers, stall_s, cb, err);
}
