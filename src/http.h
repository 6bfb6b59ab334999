/* http.h: HTTP requests on libcurl's multi interface, driven by the one event loop.
 *
 * CURLMOPT_SOCKETFUNCTION adds, changes and removes descriptors in the evloop;
 * CURLMOPT_TIMERFUNCTION sets one evloop timer; ready descriptors and that timer call
 * curl_multi_socket_action, then finished transfers are collected. Nothing blocks, there
 * are no threads and no curl_easy_perform.
 *
 * Timeouts: a connect timeout (a server that does not exist fails fast), TCP keep-alive,
 * and NO overall timeout: a model that is still loading keeps the server silent for
 * minutes. Instead a stall watchdog ends a request after `stall_s` seconds without a
 * single byte, with a message that says so.
 *
 * Cancelling removes the handle, which closes the connection: Ollama stops generating
 * when its client goes away. Error statuses keep their body (no CURLOPT_FAILONERROR).
 *
 * Proxies: the environment's (http_proxy, HTTPS_PROXY, ALL_PROXY) are used, except for
 * loopback: localhost, 127.0.0.1 and ::1 are added to no_proxy/NO_PROXY, as Go's client
 * (the ollama CLI) never proxies them either.
 *
 * Where callbacks run: on_sent, on_status and on_data run INSIDE libcurl's callbacks.
 * There a caller may cancel or abort any request (http_req_cancel, http_req_abort), but
 * must not start one (libcurl refuses a new transfer from its callbacks: the start fails)
 * and must not free the client. on_done always runs outside libcurl, from the loop: it may
 * start requests and cancel others, but must not call http_free either (the request is
 * still freed after it returns). */
#ifndef SRC_HTTP_H
#define SRC_HTTP_H

#include <stddef.h>

#include "attrs.h"
#include "err.h"

struct evloop;
struct http;
struct http_req;

#define HTTP_CONNECT_TIMEOUT_S 10
#define HTTP_MAX_ERROR_BODY (64u << 10) /* body kept for a non-2xx answer */

struct http_result {
    int ok;              /* transfer complete and status 2xx */
    long status;         /* HTTP status, 0 when none arrived */
    int curl_code;       /* CURLcode, 0 = CURLE_OK */
    int stalled;         /* ended by the stall watchdog */
    int aborted;         /* the data callback asked to stop, or http_req_abort */
    char message[ERR_MSG_MAX]; /* what went wrong, for people ("connection refused") */
    int unreachable;     /* no connection was made: refused, unknown host, connect timeout */
    int multi_code;      /* CURLMcode when libcurl's multi interface failed (every request in
                          * flight then ends with it), else 0 */
    char reason[128];    /* the cause alone ("connection refused"), for callers that word
                          * their own message; "" when the transfer succeeded */
    const char *body;    /* non-2xx: the first HTTP_MAX_ERROR_BODY bytes, else NULL */
    size_t body_len;
};

struct http_req_cb {
    /* The whole request, head and body, has been written to the connection: the server
     * has it all and what follows is its wait (an Ollama server sends nothing, not even
     * headers, until the model is loaded and the prompt evaluated). At most once, before
     * on_status; not called when the request fails before it is out. */
    void (*on_sent)(struct http_req *r, void *arg);
    /* The status line and headers are in; called once before the first body byte. */
    void (*on_status)(struct http_req *r, long status, void *arg);
    /* Body bytes of a 2xx answer (error bodies are collected for on_done). Return 0 to
     * go on, -1 to abort the transfer (on_done then reports `aborted`). */
    int (*on_data)(struct http_req *r, const char *data, size_t n, void *arg);
    /* The end, exactly once, unless http_req_cancel came first. `res` is valid only during
     * the call; the request is freed right after it returns. */
    void (*on_done)(struct http_req *r, const struct http_result *res, void *arg);
    void *arg;
};

/* A client on `loop` (borrowed; it must outlive the client). NULL with `err` set. */
struct http *http_new(struct evloop *loop, struct err *err);
/* Cancels every request still running (no callbacks) and frees the client. */
void http_free(struct http *h);
/* Requests in flight. */
int http_active(const struct http *h);

/* Start a GET, or a POST of a JSON body (copied). `headers` is a NULL-terminated list of
 * "Name: value" strings or NULL; an Authorization header is never logged or shown.
 * `stall_s` <= 0 means no watchdog. NULL with `err` set when the request cannot start. */
struct http_req *http_get(struct http *h, const char *url, const char *const *headers,
                          int stall_s, const struct http_req_cb *cb, struct err *err);
struct http_req *http_post_json(struct http *h, const char *url, const char *body,
                                const char *const *headers, int stall_s,
                                const struct http_req_cb *cb, struct err *err);
/* Stop now: the connection is closed, no callback is called, the request is freed. Safe
 * to call from inside any request's on_sent/on_status/on_data callbacks. */
void http_req_cancel(struct http_req *r);
/* Stop, but still report the end: no more on_sent/on_status/on_data, the connection is
 * closed, and on_done follows with `aborted` set (or, if the transfer had already ended,
 * with how it ended), outside libcurl and never before this returns: normally on a later
 * pass of the loop. Safe anywhere, inside callbacks included; a no-op once on_done runs. */
void http_req_abort(struct http_req *r);
/* Non-zero while libcurl is running (one of its callbacks, hence ours, is on the stack):
 * a caller that would react to an end at once must defer it then. */
int http_in_callback(const struct http *h);

/* For tests: the next call of curl_multi_socket_action reports `mcode` (a CURLMcode) as
 * if libcurl had failed, after doing its work. */
void http_test_fail_next_action(struct http *h, int mcode);

/* One-time global set-up and tear-down of libcurl (main calls these). */
int http_global_init(struct err *err);
void http_global_cleanup(void);

#endif
