/* llm.c: one streamed generation, and the one-shot health check and model list.
 *
 * Bytes from http go through a line splitter (stream) into llmproto, whose events become
 * states, pieces and, once, the end. Every figure chimera measures itself is taken here
 * on the monotonic clock, at the moment a parsed record is handled: t0 just before the
 * request is handed to libcurl, TTFT at the first non-empty answer piece, the first
 * thinking piece separately, and a ring of 1-second windows for the sparkline.
 *
 * Callbacks into the caller (on_state, on_piece, on_end) may cancel or free the
 * generation. While one of them runs, `depth` is non-zero and such calls only mark the
 * generation; the outermost frame of ours then ends or frees it once nothing of ours is
 * left on the stack. on_end is always the last thing a frame does with the generation.
 *
 * on_end never runs inside libcurl, where starting a request fails and freeing the client
 * would pull the ground from under curl. A free inside a callback cancels the http request
 * at once (http allows that from its callbacks) and frees the generation on the way out:
 * there is no on_end. A cancel inside a callback (ours, or any http callback, as when one
 * generation's piece cancels another) only aborts the http request: curl stops the
 * transfer, and http reports the end through llm_on_done from the loop, which then
 * delivers CANCELLED.
 *
 * The end is decided once the transfer is over, in this order: a failure of ours or an
 * error record (ERROR), the server's final record (DONE; for OpenAI-compatible servers a
 * finish_reason is enough, [DONE] or not), an HTTP error status, the stall watchdog, a
 * transport error, and last a clean end of the body without a final record (INCOMPLETE).
 * Once the final record or an error record is in, the rest of the body is not read: the
 * transfer is stopped, which also closes the connection. */
#include "llm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "http.h"
#include "sanitize.h"
#include "stream.h"
#include "xmem.h"

#define LLM_MAX_TEXT ((size_t)64 << 20)       /* answer and reasoning, each */
#define LLM_MAX_QUERY_BODY ((size_t)16 << 20) /* /api/tags of a big model store is < 1 MB */
#define LLM_QUERY_STALL_S 30                  /* a health check answers at once, or not */
#define LLM_RING (LLM_SPARK_WINDOWS + 1)      /* one more than shown: see llm_spark */

struct llm_gen {
    struct http *h;
    struct http_req *req; /* NULL once finished or cancelled */
    enum llm_api api;
    int chat;                   /* Ollama's /api/chat */
    char *base; /* for messages */
    char *model;
    struct llm_gen_cb cb;
    struct stream *split;
    struct llm_sse *sse; /* OpenAI-compatible servers only */

    enum llm_state state;
    int depth;        /* caller callbacks running: see the file comment */
    int stop;         /* handle no more events */
    int ended;        /* on_end was called (or the end is being delivered) */
    int end_pending;  /* llm_cancel from inside a callback */
    int free_pending; /* llm_gen_free from inside a callback */
    int complete;     /* the final record came */
    int have_finish;  /* OpenAI: a finish_reason came */
    int failed;
    char fail_msg[512];
    char cancel_msg[512];

    int64_t t0, t_first, t_think, t_last_piece, t_last_byte, t_end;
    int has_first, has_think;
    uint64_t pieces, think_pieces;
    uint32_t spark[LLM_RING]; /* answer pieces per 1 s window since t_first, a ring */
    int64_t spark_hi;         /* the newest window written, -1 before the first */

    struct buf text, thinking;
    struct utf8_carry carry[2]; /* [0] answer, [1] thinking */
    char *scratch;
    size_t scratch_cap;
    struct llm_server_metrics server;
    long http_status;
    char dropped[64];
    struct llm_result res;
};

/* snprintf through va_list: messages may be cut short, and that is fine. */
static void llm_fmt(char *out, size_t cap, const char *fmt, ...) ATTR_FORMAT(3, 4);
static void llm_fmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

const char *llm_state_name(enum llm_state st)
{
    switch (st) {
    case LLM_CONNECTING:
        return "connecting";
    case LLM_WAITING:
        return "loading model";
    case LLM_THINKING:
        return "thinking";
    case LLM_STREAMING:
        return "streaming";
    case LLM_DONE:
        return "done";
    case LLM_INCOMPLETE:
        return "incomplete";
    case LLM_ERROR:
        return "failed";
    case LLM_STALLED:
        return "stalled";
    case LLM_CANCELLED:
        return "cancelled";
    }
    return "?";
}

/* --- messages shared by generations and queries ------------------------------------------- */

static void llm_unreachable_message(enum llm_api api, const char *base, const char *reason,
                                    char *out, size_t cap)
{
    if (api == LLM_API_OLLAMA)
        llm_fmt(out, cap,
                "cannot reach Ollama at %s (%s) — start it with `ollama serve` or set "
                "OLLAMA_HOST",
                base, reason);
    else
        llm_fmt(out, cap, "cannot reach the server at %s (%s) — start it, or point --host at it",
                base, reason);
}

static int llm_body_is_json(const char *body, size_t len)
{
    size_t i = 0;

    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    return i < len && body[i] == '{';
}

/* The message for an HTTP error status. `model` is NULL for requests about no model. */
static void llm_http_message(enum llm_api api, const char *base, const char *path,
                             const char *model, const struct http_result *res, char *out,
                             size_t cap)
{
    char *msg = llmproto_error_message(res->status, res->body, res->body_len);
    int json = res->body != NULL && llm_body_is_json(res->body, res->body_len);

    if (res->status == 404 && json && model != NULL && strstr(msg, "not found") != NULL) {
        if (api == LLM_API_OLLAMA)
            llm_fmt(out, cap, "model '%s' not found on %s: pull it with `ollama pull %s`", model,
                    base, model);
        else
            llm_fmt(out, cap, "model '%s' not found on %s (%s)", model, base, msg);
    } else if (res->status == 404 && !json) {
        /* "404 page not found": the route itself is missing */
        llm_fmt(out, cap, "%s%s does not exist (%s): is this %s, at the right base path?", base,
                path, msg,
                api == LLM_API_OLLAMA ? "an Ollama server" : "an OpenAI-compatible server");
    } else {
        llm_fmt(out, cap, "%s: %s", base, msg);
    }
    free(msg);
}

/* The message for a request that ended without a usable answer (not an HTTP status). */
static void llm_transport_message(enum llm_api api, const char *base, const struct http_result *res,
                                  char *out, size_t cap)
{
    if (res->unreachable)
        llm_unreachable_message(api, base, res->reason, out, cap);
    else
        llm_fmt(out, cap, "%s", res->message);
}

/* The Authorization header for `key` in *out (NULL without a key). -1 with `err` set for a
 * key holding a space or a control character: a CR or LF would end the header and inject
 * others. The key itself is never part of the message. */
static int llm_auth_header(const char *key, char **out, struct err *err)
{
    *out = NULL;
    if (key == NULL || key[0] == '\0')
        return 0;
    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++) {
        if (*p < 0x21 || *p == 0x7f) {
            err_set(err, EINVAL,
                    "CHIMERA_API_KEY holds a control character or space: set it to the bare "
                    "key");
            return -1;
        }
    }
    *out = xasprintf("Authorization: Bearer %s", key);
    return 0;
}

/* The key must not linger in freed memory. */
static void llm_auth_free(char *auth)
{
    if (auth == NULL)
        return;
    explicit_bzero(auth, strlen(auth));
    free(auth);
}

/* --- the figures ---------------------------------------------------------------------------- */

void llm_figures(const struct llm_server_metrics *m, enum llm_api api, struct llm_figures *out)
{
    memset(out, 0, sizeof *out);
    if (api == LLM_API_OLLAMA) {
        if (m->has_eval_count && m->has_eval_duration && m->eval_duration_ns > 0) {
            out->has_throughput = 1;
            out->throughput = m->eval_count / (m->eval_duration_ns / 1e9);
        }
        if (m->has_prompt_eval_count && m->has_prompt_eval_duration &&
            m->prompt_eval_duration_ns > 0) {
            out->has_prompt_rate = 1;
            out->prompt_rate = m->prompt_eval_count / (m->prompt_eval_duration_ns / 1e9);
        }
        if (m->has_load_duration && m->has_prompt_eval_duration) {
            out->has_server_ttft = 1;
            out->server_ttft_ms = (m->load_duration_ns + m->prompt_eval_duration_ns) / 1e6;
        }
        return;
    }
    /* `usage` has counts but no durations: only llama.cpp's timings give rates */
    if (m->has_timings && m->predicted_ms > 0) {
        out->has_throughput = 1;
        out->throughput = m->predicted_n / m->predicted_ms * 1000.0;
    }
    if (m->has_timings && m->prompt_ms > 0) {
        out->has_prompt_rate = 1;
        out->prompt_rate = m->prompt_n / m->prompt_ms * 1000.0;
        /* the model is loaded before llama-server listens: prefill is the server's part */
        out->has_server_ttft = 1;
        out->server_ttft_ms = m->prompt_ms;
    }
}

int llm_api_parse(const char *name, struct llm_target *t)
{
    if (name == NULL)
        return -1;
    if (strcmp(name, "ollama") == 0 || strcmp(name, "ollama-chat") == 0) {
        t->api = LLM_API_OLLAMA;
        t->chat = name[6] != '\0';
        return 0;
    }
    if (strcmp(name, "openai") == 0) {
        t->api = LLM_API_OPENAI;
        t->chat = 0;
        return 0;
    }
    return -1;
}

const char *llm_api_name(const struct llm_target *t)
{
    if (t->api == LLM_API_OPENAI)
        return "openai";
    return t->chat ? "ollama-chat" : "ollama";
}

/* --- the live figures ------------------------------------------------------------------------ */

static void llm_spark_add(struct llm_gen *g, int64_t now)
{
    int64_t w = (now - g->t_first) / CLOCK_NS_PER_S;

    if (w > g->spark_hi) {
        int64_t from = g->spark_hi + 1;

        if (from < w - LLM_RING + 1)
            from = w - LLM_RING + 1;
        for (int64_t k = from; k <= w; k++)
            g->spark[k % LLM_RING] = 0;
        g->spark_hi = w;
    }
    g->spark[w % LLM_RING]++;
}

/* Pieces in window k, 0 for windows without any or already overwritten. */
static double llm_spark_at(const struct llm_gen *g, int64_t k)
{
    if (k > g->spark_hi || k <= g->spark_hi - LLM_RING)
        return 0;
    return g->spark[k % LLM_RING];
}

/* The windows completed by `ref` (and, after the end, a last partial one of 0.5 s or
 * more as its rate), oldest first, the last LLM_SPARK_WINDOWS of them. */
static void llm_spark(const struct llm_gen *g, int64_t ref, struct llm_live *out)
{
    int64_t cur, last, first, into;

    out->nspark = 0;
    if (!g->has_first || ref < g->t_first)
        return;
    cur = (ref - g->t_first) / CLOCK_NS_PER_S;
    into = (ref - g->t_first) % CLOCK_NS_PER_S;
    last = cur - 1;
    if (g->ended && into >= CLOCK_NS_PER_S / 2)
        last = cur;
    if (last < 0)
        return;
    first = last - LLM_SPARK_WINDOWS + 1;
    if (first < 0)
        first = 0;
    for (int64_t k = first; k <= last; k++) {
        double v = llm_spark_at(g, k);

        if (k == cur)
            v = v / ((double)into / CLOCK_NS_PER_S);
        out->spark[out->nspark++] = v;
    }
}

static double llm_ms(int64_t ns)
{
    return (double)ns / 1e6;
}

void llm_live(const struct llm_gen *g, int64_t now_ns, struct llm_live *out)
{
    int64_t ref = g->ended ? g->t_end : now_ns;

    memset(out, 0, sizeof *out);
    out->state = g->state;
    out->elapsed_ms = llm_ms(ref - g->t0);
    out->ttft_ms = g->has_first ? llm_ms(g->t_first - g->t0) : -1;
    out->think_ms = g->has_think ? llm_ms(g->t_think - g->t0) : -1;
    out->pieces = g->pieces;
    out->think_pieces = g->think_pieces;
    out->tok_s = -1;
    if (g->pieces >= 2) {
        /* while streaming, time runs on between pieces: a stall shows as a falling rate */
        int64_t span = (g->ended ? g->t_last_piece : ref) - g->t_first;

        if (span > 0)
            out->tok_s = (double)(g->pieces - 1) / ((double)span / 1e9);
    }
    llm_spark(g, ref, out);
    out->since_byte_ms = llm_ms(now_ns - g->t_last_byte);
    if (out->since_byte_ms < 0)
        out->since_byte_ms = 0;
}

/* --- generation: freeing and ending ---------------------------------------------------------- */

static void llm_destroy(struct llm_gen *g)
{
    http_req_cancel(g->req);
    stream_free(g->split);
    llmproto_sse_free(g->sse);
    buf_fini(&g->text);
    buf_fini(&g->thinking);
    free(g->scratch);
    free(g->base);
    free(g->model);
    free(g);
}

void llm_gen_free(struct llm_gen *g)
{
    if (g == NULL)
        return;
    if (g->depth > 0) {
        /* inside one of our callbacks: the frame below frees it on the way out */
        http_req_cancel(g->req);
        g->req = NULL;
        g->stop = 1;
        g->free_pending = 1;
        return;
    }
    llm_destroy(g);
}

/* Record a failure: the first one wins, and the transfer is stopped. */
static void llm_fail(struct llm_gen *g, const char *fmt, ...) ATTR_FORMAT(2, 3);
static void llm_fail(struct llm_gen *g, const char *fmt, ...)
{
    va_list ap;

    g->stop = 1;
    if (g->failed)
        return;
    g->failed = 1;
    va_start(ap, fmt);
    vsnprintf(g->fail_msg, sizeof g->fail_msg, fmt, ap);
    va_end(ap);
}

/* Deliver the end. Called with depth 0 only; the caller must not touch `g` afterwards
 * (on_end may free it). */
static void llm_end(struct llm_gen *g, enum llm_state st, const char *msg)
{
    struct llm_result *res = &g->res;

    g->ended = 1;
    g->stop = 1;
    g->state = st;
    g->t_end = clock_now_ns();
    http_req_cancel(g->req);
    g->req = NULL;
    /* an incomplete UTF-8 sequence held back at the very end goes out as it is (the
     * sanitiser shows it as U+FFFD), so the pieces add up to the text */
    for (int i = 0; i < 2; i++) {
        char rest[4];
        size_t n = utf8_carry_flush(&g->carry[i], rest);

        if (n > 0 && g->cb.on_piece != NULL) {
            g->depth++;
            g->cb.on_piece(g, i, rest, n, g->cb.arg);
            g->depth--;
            if (g->free_pending) {
                llm_destroy(g);
                return;
            }
        }
    }
    memset(res, 0, sizeof *res);
    res->state = st;
    res->api = g->api;
    llm_fmt(res->message, sizeof res->message, "%s", msg != NULL ? msg : "");
    res->ttft_ms = g->has_first ? llm_ms(g->t_first - g->t0) : -1;
    res->think_ms = g->has_think ? llm_ms(g->t_think - g->t0) : -1;
    res->elapsed_ms = llm_ms(g->t_end - g->t0);
    res->pieces = g->pieces;
    res->live_tok_s = -1;
    if (g->pieces >= 2 && g->t_last_piece > g->t_first)
        res->live_tok_s = (double)(g->pieces - 1) / ((double)(g->t_last_piece - g->t_first) / 1e9);
    res->http_status = g->http_status;
    res->server = g->server;
    res->text = buf_cstr(&g->text);
    res->text_len = g->text.len;
    res->thinking = buf_cstr(&g->thinking);
    res->thinking_len = g->thinking.len;
    memcpy(res->dropped, g->dropped, sizeof res->dropped);
    if (g->cb.on_end != NULL)
        g->cb.on_end(g, res, g->cb.arg);
}

void llm_cancel(struct llm_gen *g, const char *reason)
{
    if (g == NULL || g->ended || g->end_pending || g->free_pending)
        return;
    g->stop = 1;
    llm_fmt(g->cancel_msg, sizeof g->cancel_msg, "%s",
            reason != NULL && reason[0] != '\0' ? reason : "cancelled");
    if (g->depth > 0 || (g->req != NULL && http_in_callback(g->h))) {
        /* inside a callback: the end comes later, outside libcurl (see the file
         * comment). Aborting closes the connection as soon as curl lets go of it. */
        g->end_pending = 1;
        http_req_abort(g->req);
        return;
    }
    http_req_cancel(g->req); /* closes the connection: the server stops generating */
    g->req = NULL;
    llm_end(g, LLM_CANCELLED, g->cancel_msg);
}

/* On the way out of a callback of ours: act on what the caller's callbacks asked for.
 * Returns -1 when the transfer must stop (or `g` is gone), else 0. */
static int llm_unwind(struct llm_gen *g)
{
    if (g->free_pending) {
        llm_destroy(g);
        return -1;
    }
    if (g->end_pending) {
        if (g->req != NULL)
            return -1; /* inside an http callback: llm_on_done delivers the end */
        g->end_pending = 0;
        llm_end(g, LLM_CANCELLED, g->cancel_msg);
        return -1;
    }
    return g->stop ? -1 : 0;
}

/* --- generation: events ------------------------------------------------------------------- */

static void llm_set_state(struct llm_gen *g, enum llm_state st)
{
    if (g->state == st)
        return;
    g->state = st;
    if (g->cb.on_state != NULL) {
        g->depth++;
        g->cb.on_state(g, st, g->cb.arg);
        g->depth--;
    }
}

static void llm_piece(struct llm_gen *g, int thinking, const char *text, size_t len)
{
    struct buf *b = thinking ? &g->thinking : &g->text;
    int64_t now = clock_now_ns();
    size_t out_len = 0;

    if (len == 0)
        return; /* empty pieces are normal and never count */
    if (buf_append(b, text, len) < 0) {
        llm_fail(g, "the %s is longer than %zu MB", thinking ? "reasoning" : "answer",
                 LLM_MAX_TEXT >> 20);
        return;
    }
    if (thinking) {
        g->think_pieces++;
        if (!g->has_think) {
            g->has_think = 1;
            g->t_think = now;
        }
        /* reasoning after the answer began does not take the state back */
        if (g->state == LLM_CONNECTING || g->state == LLM_WAITING)
            llm_set_state(g, LLM_THINKING);
    } else {
        g->pieces++;
        if (!g->has_first) {
            g->has_first = 1;
            g->t_first = now;
        }
        g->t_last_piece = now;
        llm_spark_add(g, now);
        llm_set_state(g, LLM_STREAMING);
    }
    if (g->stop)
        return;
    if (g->scratch_cap < len + 4)
        g->scratch = xgrow(g->scratch, &g->scratch_cap, len + 4, 1);
    utf8_carry_take(&g->carry[thinking], text, len, g->scratch, &out_len);
    if (out_len > 0 && g->cb.on_piece != NULL) {
        g->depth++;
        g->cb.on_piece(g, thinking, g->scratch, out_len, g->cb.arg);
        g->depth--;
    }
}

static void llm_on_event(const struct llm_event *ev, void *arg)
{
    struct llm_gen *g = arg;
    char *shown;

    if (g->stop)
        return;
    if (ev->metrics != NULL)
        g->server = *ev->metrics; /* SSE figures accumulate in llmproto; Ollama's are whole */
    switch (ev->kind) {
    case LLM_EV_TEXT:
        llm_piece(g, 0, ev->text, ev->len);
        break;
    case LLM_EV_THINKING:
        llm_piece(g, 1, ev->text, ev->len);
        break;
    case LLM_EV_DONE:
        /* Ollama's final record; for OpenAI the usage chunk, [DONE] still to come */
        if (g->api == LLM_API_OLLAMA) {
            g->complete = 1;
            g->stop = 1;
        }
        break;
    case LLM_EV_FINISH:
        g->have_finish = 1;
        break;
    case LLM_EV_END:
        g->complete = 1;
        g->stop = 1;
        break;
    case LLM_EV_ERROR:
        shown = sanitize_dup(ev->text != NULL ? ev->text : "", ev->text != NULL ? ev->len : 0, 0);
        llm_fail(g, "the model failed mid-stream: %s", shown[0] != '\0' ? shown : "(no message)");
        free(shown);
        break;
    }
}

static int llm_on_line(const char *line, size_t len, void *arg, struct err *err)
{
    struct llm_gen *g = arg;
    int rc;

    if (g->stop) {
        err_set(err, 0, "stopped");
        return -1;
    }
    if (g->api == LLM_API_OPENAI)
        rc = llmproto_sse_line(g->sse, line, len, llm_on_event, g, err);
    else
        rc = llmproto_ollama_line(line, len, llm_on_event, g, err);
    if (rc == 0 && g->stop) {
        err_set(err, 0, "stopped");
        return -1;
    }
    return rc;
}

/* --- generation: http callbacks --------------------------------------------------------------- */

/* The request is out: the server is loading the model, evaluating the prompt or queueing
 * it, and Ollama says nothing (not even headers) until the first record. */
static void llm_on_sent(struct http_req *r, void *arg)
{
    struct llm_gen *g = arg;

    (void)r;
    if (g->stop)
        return;
    if (g->state == LLM_CONNECTING) {
        g->depth++;
        llm_set_state(g, LLM_WAITING);
        g->depth--;
    }
    llm_unwind(g);
}

static void llm_on_status(struct http_req *r, long status, void *arg)
{
    struct llm_gen *g = arg;

    (void)r;
    g->http_status = status;
    g->t_last_byte = clock_now_ns();
    if (status >= 200 && status <= 299 && !g->stop && g->state == LLM_CONNECTING) {
        g->depth++;
        llm_set_state(g, LLM_WAITING);
        g->depth--;
    }
    llm_unwind(g);
}

static int llm_on_data(struct http_req *r, const char *data, size_t n, void *arg)
{
    struct llm_gen *g = arg;
    struct err err;
    int rc;

    (void)r;
    g->t_last_byte = clock_now_ns();
    if (g->stop)
        return -1;
    err_clear(&err);
    g->depth++;
    rc = stream_feed(g->split, data, n, llm_on_line, g, &err);
    g->depth--;
    if (rc < 0 && !g->stop)
        llm_fail(g, "%s", err.msg); /* an over-long line, an invalid record */
    return llm_unwind(g);
}

/* The end state for a transfer that is over. */
static void llm_on_done(struct http_req *r, const struct http_result *res, void *arg)
{
    struct llm_gen *g = arg;
    char msg[512];
    const char *path = g->api == LLM_API_OPENAI ? "/v1/chat/completions"
                       : g->chat                ? "/api/chat"
                                                : "/api/generate";

    (void)r;
    g->req = NULL; /* http frees it after this call */
    if (g->end_pending) {
        /* cancelled from inside a callback: the transfer was aborted for it */
        g->end_pending = 0;
        llm_end(g, LLM_CANCELLED, g->cancel_msg);
        return;
    }
    if (res->ok && !g->stop) {
        /* a clean end: a last line without '\n' and an SSE event without its blank line */
        struct err err;
        int rc;

        err_clear(&err);
        g->depth++;
        rc = stream_finish(g->split, llm_on_line, g, &err);
        if (rc == 0 && g->api == LLM_API_OPENAI && !g->stop)
            rc = llmproto_sse_finish(g->sse, llm_on_event, g, &err);
        g->depth--;
        if (rc < 0 && !g->stop)
            llm_fail(g, "%s", err.msg);
        if (g->free_pending || g->end_pending) {
            llm_unwind(g);
            return;
        }
    }
    if (g->failed) {
        llm_end(g, LLM_ERROR, g->fail_msg);
    } else if (g->complete || g->have_finish) {
        llm_end(g, LLM_DONE, "");
    } else if (res->status != 0 && (res->status < 200 || res->status > 299)) {
        llm_http_message(g->api, g->base, path, g->model, res, msg, sizeof msg);
        llm_end(g, LLM_ERROR, msg);
    } else if (res->stalled) {
        llm_end(g, LLM_STALLED, res->message);
    } else if (!res->ok) {
        llm_transport_message(g->api, g->base, res, msg, sizeof msg);
        if (g->text.len > 0 || g->thinking.len > 0)
            llm_fmt(msg + strlen(msg), sizeof msg - strlen(msg), ": the text so far is kept");
        llm_end(g, LLM_ERROR, msg);
    } else {
        llm_end(g, LLM_INCOMPLETE,
                "the server ended the stream without its final record: the text is kept, "
                "the call is marked incomplete");
    }
}

struct llm_gen *llm_generate(struct http *h, const struct llm_target *t, const char *prompt,
                             const struct gen_options *o, const struct llm_gen_cb *cb,
                             struct err *err)
{
    struct llm_gen *g;
    struct http_req_cb hcb = {.on_sent = llm_on_sent,
                              .on_status = llm_on_status,
                              .on_data = llm_on_data,
                              .on_done = llm_on_done};
    const char *headers[3] = {NULL, NULL, NULL};
    char *url, *body, *auth;

    if (llm_auth_header(t->api_key, &auth, err) < 0)
        return NULL; /* nothing is sent */
    g = xcalloc(1, sizeof *g);
    hcb.arg = g;
    g->h = h;
    g->api = t->api;
    g->chat = t->chat;
    g->base = xstrdup(t->base_url);
    g->model = xstrdup(t->model);
    g->cb = *cb;
    g->split = stream_new(0);
    g->spark_hi = -1;
    buf_init(&g->text, LLM_MAX_TEXT);
    buf_init(&g->thinking, LLM_MAX_TEXT);
    if (t->api == LLM_API_OPENAI) {
        g->sse = llmproto_sse_new();
        body = llmproto_openai_body(t->model, prompt, o, g->dropped, sizeof g->dropped);
        url = xasprintf("%s/v1/chat/completions", t->base_url);
        headers[0] = "Accept: text/event-stream";
    } else if (t->chat) {
        body = llmproto_chat_body(t->model, NULL, prompt, o);
        url = xasprintf("%s/api/chat", t->base_url);
        headers[0] = "Accept: application/x-ndjson";
    } else {
        body = llmproto_generate_body(t->model, prompt, o);
        url = xasprintf("%s/api/generate", t->base_url);
        headers[0] = "Accept: application/x-ndjson";
    }
    headers[1] = auth;
    g->t0 = clock_now_ns();
    g->t_last_byte = g->t0;
    g->req = http_post_json(h, url, body, headers, t->stall_s, &hcb, err);
    llm_auth_free(auth);
    free(url);
    free(body);
    if (g->req == NULL) {
        llm_destroy(g);
        return NULL;
    }
    return g;
}

/* --- one-shot queries ---------------------------------------------------------------------- */

struct llm_query {
    struct http_req *req;
    enum llm_api api;
    int models; /* llm_models (else llm_check) */
    char *base;
    const char *path;
    void (*done)(const struct llm_info *info, void *arg);
    void *arg;
    struct buf body;
    int too_big;
};

static void llm_query_free(struct llm_query *q)
{
    buf_fini(&q->body);
    free(q->base);
    free(q);
}

void llm_query_cancel(struct llm_query *q)
{
    if (q == NULL || q->req == NULL)
        return; /* NULL req: its `done` is running, and the query is freed after it */
    http_req_cancel(q->req);
    llm_query_free(q);
}

static int llm_query_on_data(struct http_req *r, const char *data, size_t n, void *arg)
{
    struct llm_query *q = arg;

    (void)r;
    if (buf_append(&q->body, data, n) < 0) {
        q->too_big = 1;
        return -1;
    }
    return 0;
}

/* Parse a 2xx answer into `info`. */
static void llm_query_parse(struct llm_query *q, struct llm_info *info)
{
    const char *body = buf_cstr(&q->body);
    struct err err;
    long n;

    err_clear(&err);
    if (!q->models && q->api == LLM_API_OLLAMA) {
        info->version = llmproto_version(body, q->body.len);
        if (info->version != NULL)
            info->ok = 1;
        else
            llm_fmt(info->message, sizeof info->message,
                    "%s%s answered without a version: is this an Ollama server?", q->base, q->path);
        return;
    }
    if (q->api == LLM_API_OLLAMA)
        n = llmproto_tags(body, q->body.len, &info->models, &err);
    else
        n = llmproto_openai_models(body, q->body.len, &info->models, &err);
    if (n < 0) {
        llm_fmt(info->message, sizeof info->message, "%s%s: %s", q->base, q->path, err.msg);
        return;
    }
    info->nmodels = (size_t)n;
    info->ok = 1;
}

static void llm_query_on_done(struct http_req *r, const struct http_result *res, void *arg)
{
    struct llm_query *q = arg;
    struct llm_info info;

    (void)r;
    q->req = NULL;
    memset(&info, 0, sizeof info);
    if (q->too_big)
        llm_fmt(info.message, sizeof info.message, "%s%s: the answer is larger than %zu MB",
                q->base, q->path, LLM_MAX_QUERY_BODY >> 20);
    else if (res->status != 0 && (res->status < 200 || res->status > 299))
        llm_http_message(q->api, q->base, q->path, NULL, res, info.message, sizeof info.message);
    else if (!res->ok)
        llm_transport_message(q->api, q->base, res, info.message, sizeof info.message);
    else
        llm_query_parse(q, &info);
    q->done(&info, q->arg);
    free(info.version);
    llmproto_models_free(info.models, info.nmodels);
    llm_query_free(q);
}

static struct llm_query *llm_query_start(struct http *h, const struct llm_target *t, int models,
                                         void (*done)(const struct llm_info *, void *), void *arg,
                                         struct err *err)
{
    struct llm_query *q;
    struct http_req_cb hcb = {.on_data = llm_query_on_data, .on_done = llm_query_on_done};
    const char *headers[2] = {NULL, NULL};
    char *auth, *url;
    int stall = t->stall_s > 0 && t->stall_s < LLM_QUERY_STALL_S ? t->stall_s : LLM_QUERY_STALL_S;

    if (llm_auth_header(t->api_key, &auth, err) < 0)
        return NULL; /* nothing is sent */
    q = xcalloc(1, sizeof *q);
    hcb.arg = q;
    q->api = t->api;
    q->models = models;
    q->base = xstrdup(t->base_url);
    if (t->api == LLM_API_OPENAI)
        q->path = "/v1/models";
    else
        q->path = models ? "/api/tags" : "/api/version";
    q->done = done;
    q->arg = arg;
    buf_init(&q->body, LLM_MAX_QUERY_BODY);
    headers[0] = auth;
    url = xasprintf("%s%s", t->base_url, q->path);
    q->req = http_get(h, url, headers, stall, &hcb, err);
    llm_auth_free(auth);
    free(url);
    if (q->req == NULL) {
        llm_query_free(q);
        return NULL;
    }
    return q;
}

struct llm_query *llm_check(struct http *h, const struct llm_target *t,
                            void (*done)(const struct llm_info *info, void *arg), void *arg,
                            struct err *err)
{
    return llm_query_start(h, t, 0, done, arg, err);
}

struct llm_query *llm_models(struct http *h, const struct llm_target *t,
                             void (*done)(const struct llm_info *info, void *arg), void *arg,
                             struct err *err)
{
    return llm_query_start(h, t, 1, done, arg, err);
}
