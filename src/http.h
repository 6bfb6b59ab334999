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
 * when its client goes away. Error statuses keep their body (no CURLOPT_FAILONERROR). */
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
    int aborted;         /* the data callback asked to stop */
    char message[ERR_MSG_MAX]; /* what went wrong, for people ("connection refused") */
    int unreachable;     /* no connection was made: refused, unknown host, connect timeout */
    char reason[128];    /* the cause alone ("connection refused"), for callers that word
                          * their own message; "" when the transfer succeeded */
    const char *body;    /* non-2xx: the first HTTP_MAX_ERROR_BODY bytes, else NULL */
    size_t body_len;
};

struct http_req_cb {
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
 * to call from inside the request's own on_status/on_data callbacks. */
void http_req_cancel(struct http_req *r);

/* One-time global set-up and tear-down of libcurl (main calls these). */
int http_global_init(struct err *err);
void http_global_cleanup(void);

#endif
