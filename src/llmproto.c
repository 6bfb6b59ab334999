/* llmproto.c: request bodies, Ollama NDJSON records, OpenAI-compatible SSE events, error
 * bodies, /api/tags, /v1/models and /api/version (shared/docs/ollama-protocol.md).
 *
 * cJSON parses each record into a tree that lives only for the call: the events point
 * into it while the callback runs, and it is deleted before the call returns. Records are
 * parsed from a NUL-terminated copy: cJSON releases before 1.7.18 can read past the given
 * length inside an unterminated string (CVE-2023-53154), and the copy makes that byte a
 * NUL. Text after the JSON value (other than white space) makes the record invalid: cJSON
 * alone would accept `{"a":1} junk`.
 *
 * Request bodies are written compactly by hand: keys are constants, strings go through
 * jsonw (RFC 8259 escaping, invalid UTF-8 as U+FFFD), whole numbers are printed as
 * integers (Go decodes an "int" option from 1e+15 with an error) and real numbers in the
 * shortest form that reads back exactly. */
#include "llmproto.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonw.h"
#include "sanitize.h"
#include "stream.h"
#include "xmem.h"

#define LLMPROTO_BODY_MAX (SIZE_MAX / 4)
/* Bytes of an invalid record quoted in the error message (which holds 256). */
#define LLMPROTO_SHOW_RECORD 60
/* Bytes of an error body quoted in the message: one readable status-line's worth. */
#define LLMPROTO_SHOW_BODY 200
/* Error bodies larger than this are not parsed as JSON: only their start is shown. */
#define LLMPROTO_ERROR_BODY_MAX ((size_t)1 << 20)
/* An SSE event may hold as much as one line may. */
#define LLMPROTO_EVENT_MAX STREAM_MAX_LINE

/* --- small helpers ------------------------------------------------------------------------ */

static int llmproto_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Trim JSON white space from both ends of s[0..*n); returns the new start. */
static const char *llmproto_trim(const char *s, size_t *n)
{
    while (*n > 0 && llmproto_is_space(s[0])) {
        s++;
        (*n)--;
    }
    while (*n > 0 && llmproto_is_space(s[*n - 1]))
        (*n)--;
    return s;
}

/* The longest prefix of s[0..n) with at most `max` bytes that does not end inside a UTF-8
 * sequence (a cut character would show as U+FFFD). */
static size_t llmproto_cut(const char *s, size_t n, size_t max)
{
    size_t k = max;

    if (n <= max)
        return n;
    for (int back = 0; back < 3 && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80; back++)
        k--;
    return k > 0 ? k : max;
}

/* Copy a short string (done_reason, finish_reason) into a fixed field, cut cleanly. */
static void llmproto_copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = llmproto_cut(src, strlen(src), cap - 1);

    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Parse a JSON text that must be exactly one value (white space around it allowed). NULL
 * when it is not valid JSON. */
static cJSON *llmproto_parse(const char *text, size_t len)
{
    char *copy = xmalloc(len + 1);
    const char *end = NULL;
    cJSON *root;

    memcpy(copy, text, len);
    copy[len] = '\0';
    root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
    if (root != NULL) {
        size_t rest = len - (size_t)(end - copy);

        llmproto_trim(end, &rest);
        if (rest > 0) {
            cJSON_Delete(root);
            root = NULL;
        }
    }
    free(copy);
    return root;
}

/* Parse a record that must be a JSON object; on failure `err` quotes its start. */
static cJSON *llmproto_parse_object(const char *text, size_t len, const char *what, struct err *err)
{
    cJSON *root = llmproto_parse(text, len);
    size_t cut;
    char *shown;

    if (cJSON_IsObject(root))
        return root;
    cJSON_Delete(root);
    cut = llmproto_cut(text, len, LLMPROTO_SHOW_RECORD);
    shown = sanitize_dup(text, cut, 0);
    err_set(err, 0, "%s is not a JSON object: '%s%s'", what, shown, cut < len ? "..." : "");
    free(shown);
    return NULL;
}

static const cJSON *llmproto_get(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

/* A string member, or NULL when absent or of another type. */
static const char *llmproto_get_string(const cJSON *obj, const char *key)
{
    const cJSON *v = llmproto_get(obj, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A number member read as a double (durations pass INT_MAX ns after 2.1 s). 1 and *out
 * set, or 0 when absent, not a number, or meaningless as a figure (negative, infinite). */
static int llmproto_get_number(const cJSON *obj, const char *key, double *out)
{
    const cJSON *v = llmproto_get(obj, key);

    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0)
        return 0;
    *out = v->valuedouble;
    return 1;
}

/* The "error" member of a record, or NULL when there is none (null and false say "no
 * error" on some servers). */
static const cJSON *llmproto_get_error(const cJSON *root)
{
    const cJSON *e = llmproto_get(root, "error");

    if (e == NULL || cJSON_IsNull(e) || cJSON_IsFalse(e))
        return NULL;
    return e;
}

/* The readable text of an error value: Ollama's string, an OpenAI-style object's
 * "message" (else its "type"), else the value's JSON. Free it. */
static char *llmproto_error_text(const cJSON *e)
{
    const char *s = NULL;
    char *json, *copy;

    if (cJSON_IsString(e))
        s = e->valuestring;
    else if (cJSON_IsObject(e)) {
        s = llmproto_get_string(e, "message");
        if (s == NULL || s[0] == '\0')
            s = llmproto_get_string(e, "type");
    }
    if (s != NULL && s[0] == '\0')
        return xstrdup("the server reported an error without a message");
    if (s != NULL)
        return xstrdup(s);
    json = cJSON_PrintUnformatted(e);
    if (json == NULL)
        fatal("out of memory");
    copy = xstrdup(json);
    cJSON_free(json);
    return copy;
}

/* `a` unless it is absent or empty, else `b` (a field that has two names). */
static const char *llmproto_either(const char *a, const char *b)
{
    return a != NULL && a[0] != '\0' ? a : b;
}

static void llmproto_emit(llm_event_fn fn, void *arg, enum llm_event_kind kind, const char *text,
                          const struct llm_server_metrics *m)
{
    struct llm_event ev;

    ev.kind = kind;
    ev.text = text;
    ev.len = text != NULL ? strlen(text) : 0;
    ev.metrics = m;
    fn(&ev, arg);
}

/* A text piece: empty pieces are normal and carry nothing, so they are not events. */
static void llmproto_emit_piece(llm_event_fn fn, void *arg, enum llm_event_kind kind,
                                const char *text)
{
    if (text != NULL && text[0] != '\0')
        llmproto_emit(fn, arg, kind, text, NULL);
}

static void llmproto_emit_error(llm_event_fn fn, void *arg, const cJSON *e)
{
    char *text = llmproto_error_text(e);

    llmproto_emit(fn, arg, LLM_EV_ERROR, text, NULL);
    free(text);
}

/* --- request bodies ----------------------------------------------------------------------- */

struct llmproto_body {
    struct buf b;
    int count[4]; /* members written at each open level */
    int depth;
};

static void llmproto_put(struct llmproto_body *w, const char *s)
{
    if (buf_puts(&w->b, s) < 0)
        fatal("llmproto: request body too large");
}

static void llmproto_open(struct llmproto_body *w, const char *c)
{
    llmproto_put(w, c);
    w->count[++w->depth] = 0;
}

static void llmproto_close(struct llmproto_body *w, const char *c)
{
    llmproto_put(w, c);
    w->depth--;
}

/* Start an array element or an object member ("key" NULL for an element). */
static void llmproto_member(struct llmproto_body *w, const char *key)
{
    if (w->count[w->depth]++ > 0)
        llmproto_put(w, ",");
    if (key != NULL) {
        llmproto_put(w, "\"");
        llmproto_put(w, key); /* our own constant keys: nothing to escape */
        llmproto_put(w, "\":");
    }
}

static void llmproto_put_string(struct llmproto_body *w, const char *key, const char *s)
{
    struct jsonw jw;

    llmproto_member(w, key);
    jsonw_init(&jw, &w->b);
    jsonw_string(&jw, s != NULL ? s : "");
    if (jw.failed)
        fatal("llmproto: request body too large");
}

static void llmproto_put_int(struct llmproto_body *w, const char *key, long long v)
{
    char num[32];

    snprintf(num, sizeof num, "%lld", v);
    llmproto_member(w, key);
    llmproto_put(w, num);
}

static void llmproto_put_double(struct llmproto_body *w, const char *key, double v)
{
    char num[40];

    if (!isfinite(v))
        return; /* JSON has no such number; the server's default is better than null */
    jsonw_format_double(num, sizeof num, v);
    llmproto_member(w, key);
    llmproto_put(w, num);
}

static void llmproto_put_raw(struct llmproto_body *w, const char *key, const char *json)
{
    llmproto_member(w, key);
    llmproto_put(w, json);
}

static void llmproto_body_begin(struct llmproto_body *w, const char *model)
{
    memset(w, 0, sizeof *w);
    buf_init(&w->b, LLMPROTO_BODY_MAX);
    llmproto_open(w, "{");
    llmproto_put_string(w, "model", model);
}

static char *llmproto_body_end(struct llmproto_body *w)
{
    llmproto_close(w, "}");
    return buf_steal(&w->b);
}

static int llmproto_any_option(const struct gen_options *o)
{
    return o != NULL && (o->has_num_gpu || o->has_num_ctx || o->has_temperature || o->has_top_p ||
                         o->has_top_k || o->has_repeat_penalty || o->has_seed);
}

/* Ollama's "options" map: only what is set, in the order of struct gen_options. */
static void llmproto_put_options(struct llmproto_body *w, const struct gen_options *o)
{
    if (!llmproto_any_option(o))
        return;
    llmproto_member(w, "options");
    llmproto_open(w, "{");
    if (o->has_num_gpu)
        llmproto_put_int(w, "num_gpu", o->num_gpu);
    if (o->has_num_ctx)
        llmproto_put_int(w, "num_ctx", o->num_ctx);
    if (o->has_temperature)
        llmproto_put_double(w, "temperature", o->temperature);
    if (o->has_top_p)
        llmproto_put_double(w, "top_p", o->top_p);
    if (o->has_top_k)
        llmproto_put_int(w, "top_k", o->top_k);
    if (o->has_repeat_penalty)
        llmproto_put_double(w, "repeat_penalty", o->repeat_penalty);
    if (o->has_seed)
        llmproto_put_int(w, "seed", o->seed);
    llmproto_close(w, "}");
}

static void llmproto_put_message(struct llmproto_body *w, const char *role, const char *content)
{
    llmproto_member(w, NULL);
    llmproto_open(w, "{");
    llmproto_put_string(w, "role", role);
    llmproto_put_string(w, "content", content);
    llmproto_close(w, "}");
}

static void llmproto_put_messages(struct llmproto_body *w, const char *system, const char *prompt)
{
    llmproto_member(w, "messages");
    llmproto_open(w, "[");
    if (system != NULL)
        llmproto_put_message(w, "system", system);
    llmproto_put_message(w, "user", prompt);
    llmproto_close(w, "]");
}

char *llmproto_generate_body(const char *model, const char *prompt, const struct gen_options *o)
{
    struct llmproto_body w;

    llmproto_body_begin(&w, model);
    llmproto_put_string(&w, "prompt", prompt);
    llmproto_put_raw(&w, "stream", "true");
    llmproto_put_options(&w, o);
    return llmproto_body_end(&w);
}

char *llmproto_chat_body(const char *model, const char *system, const char *prompt,
                         const struct gen_options *o)
{
    struct llmproto_body w;

    llmproto_body_begin(&w, model);
    llmproto_put_messages(&w, system, prompt);
    llmproto_put_raw(&w, "stream", "true");
    llmproto_put_options(&w, o);
    return llmproto_body_end(&w);
}

char *llmproto_openai_body(const char *model, const char *prompt, const struct gen_options *o,
                           char *dropped, size_t dropped_cap)
{
    struct llmproto_body w;
    int has_ctx = o != NULL && o->has_num_ctx, has_gpu = o != NULL && o->has_num_gpu;

    llmproto_body_begin(&w, model);
    llmproto_put_messages(&w, NULL, prompt);
    llmproto_put_raw(&w, "stream", "true");
    llmproto_put_raw(&w, "stream_options", "{\"include_usage\":true}");
    if (o != NULL) {
        if (o->has_temperature)
            llmproto_put_double(&w, "temperature", o->temperature);
        if (o->has_top_p)
            llmproto_put_double(&w, "top_p", o->top_p);
        if (o->has_seed)
            llmproto_put_int(&w, "seed", o->seed);
        /* not OpenAI keys, but llama.cpp and vLLM read them, and others ignore them */
        if (o->has_top_k)
            llmproto_put_int(&w, "top_k", o->top_k);
        if (o->has_repeat_penalty)
            llmproto_put_double(&w, "repeat_penalty", o->repeat_penalty);
    }
    if (dropped != NULL && dropped_cap > 0)
        snprintf(dropped, dropped_cap, "%s%s%s", has_ctx ? "num_ctx" : "",
                 has_ctx && has_gpu ? ", " : "", has_gpu ? "num_gpu" : "");
    return llmproto_body_end(&w);
}

/* --- Ollama NDJSON records ---------------------------------------------------------------- */

/* The figures of a final record; each one flagged present only when sent as a number. */
static void llmproto_ollama_metrics(const cJSON *root, struct llm_server_metrics *m)
{
    const char *reason = llmproto_get_string(root, "done_reason");

    memset(m, 0, sizeof *m);
    m->has_total_duration = llmproto_get_number(root, "total_duration", &m->total_duration_ns);
    m->has_load_duration = llmproto_get_number(root, "load_duration", &m->load_duration_ns);
    m->has_prompt_eval_count =
        llmproto_get_number(root, "prompt_eval_count", &m->prompt_eval_count);
    m->has_prompt_eval_duration =
        llmproto_get_number(root, "prompt_eval_duration", &m->prompt_eval_duration_ns);
    m->has_eval_count = llmproto_get_number(root, "eval_count", &m->eval_count);
    m->has_eval_duration = llmproto_get_number(root, "eval_duration", &m->eval_duration_ns);
    if (reason != NULL)
        llmproto_copy_field(m->done_reason, sizeof m->done_reason, reason);
}

int llmproto_ollama_line(const char *line, size_t len, llm_event_fn fn, void *arg, struct err *err)
{
    const cJSON *e, *msg;
    const char *thinking, *text;
    cJSON *root;

    line = llmproto_trim(line, &len);
    if (len == 0)
        return 0;
    root = llmproto_parse_object(line, len, "a line of the response", err);
    if (root == NULL)
        return -1;
    /* an error record may carry other keys too: the error is what counts */
    e = llmproto_get_error(root);
    if (e != NULL) {
        llmproto_emit_error(fn, arg, e);
        cJSON_Delete(root);
        return 0;
    }
    msg = llmproto_get(root, "message"); /* /api/chat */
    thinking = llmproto_either(llmproto_get_string(root, "thinking"),
                               llmproto_get_string(msg, "thinking"));
    text =
        llmproto_either(llmproto_get_string(root, "response"), llmproto_get_string(msg, "content"));
    /* thinking first: a line that ends the reasoning may start the answer */
    llmproto_emit_piece(fn, arg, LLM_EV_THINKING, thinking);
    llmproto_emit_piece(fn, arg, LLM_EV_TEXT, text);
    if (cJSON_IsTrue(llmproto_get(root, "done"))) {
        struct llm_server_metrics m;

        llmproto_ollama_metrics(root, &m);
        llmproto_emit(fn, arg, LLM_EV_DONE, NULL, &m);
    }
    cJSON_Delete(root);
    return 0;
}

/* --- OpenAI-compatible SSE ---------------------------------------------------------------- */

struct llm_sse {
    struct buf data; /* the data lines of the event being read, joined with '\n' */
    int has_data;    /* a data line came (an empty one too) since the last dispatch */
    int started;     /* the first line was seen: a BOM is dropped only from it */
    struct llm_server_metrics metrics; /* usage, timings, finish reason so far */
};

struct llm_sse *llmproto_sse_new(void)
{
    struct llm_sse *s = xcalloc(1, sizeof *s);

    buf_init(&s->data, LLMPROTO_EVENT_MAX);
    return s;
}

void llmproto_sse_free(struct llm_sse *s)
{
    if (s == NULL)
        return;
    buf_fini(&s->data);
    free(s);
}

/* `usage` and llama.cpp's `timings`, kept when complete: the last ones seen win (some
 * servers send them on every chunk, OpenAI sends "usage":null until the last). */
static void llmproto_sse_figures(struct llm_sse *s, const cJSON *root)
{
    const cJSON *usage = llmproto_get(root, "usage"), *timings = llmproto_get(root, "timings");
    struct llm_server_metrics *m = &s->metrics;
    double a, b, c, d;

    if (llmproto_get_number(usage, "prompt_tokens", &a) &&
        llmproto_get_number(usage, "completion_tokens", &b)) {
        m->has_usage = 1;
        m->prompt_tokens = a;
        m->completion_tokens = b;
    }
    if (llmproto_get_number(timings, "prompt_n", &a) &&
        llmproto_get_number(timings, "prompt_ms", &b) &&
        llmproto_get_number(timings, "predicted_n", &c) &&
        llmproto_get_number(timings, "predicted_ms", &d)) {
        m->has_timings = 1;
        m->prompt_n = a;
        m->prompt_ms = b;
        m->predicted_n = c;
        m->predicted_ms = d;
    }
}

/* One chat.completion.chunk. */
static void llmproto_sse_chunk(struct llm_sse *s, const cJSON *root, llm_event_fn fn, void *arg)
{
    const cJSON *choices = llmproto_get(root, "choices");
    /* `choices` may be empty (the usage chunk): never assume an element */
    const cJSON *choice = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
    const cJSON *delta = llmproto_get(choice, "delta");
    const char *reasoning, *finish;

    llmproto_sse_figures(s, root);
    reasoning = llmproto_either(llmproto_get_string(delta, "reasoning"),
                                llmproto_get_string(delta, "reasoning_content"));
    llmproto_emit_piece(fn, arg, LLM_EV_THINKING, reasoning);
    /* content is null in llama.cpp's first chunk: only a string is text */
    llmproto_emit_piece(fn, arg, LLM_EV_TEXT, llmproto_get_string(delta, "content"));
    /* finish_reason: null until the end; very old Ollama sent "" instead */
    finish = llmproto_get_string(choice, "finish_reason");
    if (finish != NULL && finish[0] != '\0') {
        llmproto_copy_field(s->metrics.finish_reason, sizeof s->metrics.finish_reason, finish);
        llmproto_emit(fn, arg, LLM_EV_FINISH, NULL, &s->metrics);
    }
    /* the usage chunk after the finish chunk has no choice at all */
    if (choice == NULL && (cJSON_IsObject(llmproto_get(root, "usage")) ||
                           cJSON_IsObject(llmproto_get(root, "timings"))))
        llmproto_emit(fn, arg, LLM_EV_DONE, NULL, &s->metrics);
}

/* The payload of one complete event. */
static int llmproto_sse_payload(struct llm_sse *s, const char *data, size_t len, llm_event_fn fn,
                                void *arg, struct err *err)
{
    const cJSON *e;
    cJSON *root;

    data = llmproto_trim(data, &len);
    if (len == 0)
        return 0;
    /* the sentinel is not JSON: it must never reach the parser */
    if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
        llmproto_emit(fn, arg, LLM_EV_END, NULL, NULL);
        return 0;
    }
    root = llmproto_parse_object(data, len, "an event of the response", err);
    if (root == NULL)
        return -1;
    e = llmproto_get_error(root);
    if (e != NULL)
        llmproto_emit_error(fn, arg, e);
    else
        llmproto_sse_chunk(s, root, fn, arg);
    cJSON_Delete(root);
    return 0;
}

static int llmproto_sse_dispatch(struct llm_sse *s, llm_event_fn fn, void *arg, struct err *err)
{
    int rc;

    if (!s->has_data)
        return 0;
    rc = llmproto_sse_payload(s, buf_cstr(&s->data), s->data.len, fn, arg, err);
    buf_reset(&s->data);
    s->has_data = 0;
    return rc;
}

/* Older llama.cpp wrote "error: {...}" instead of a data event: the object is the error
 * itself (or wraps it in "error"); anything else is shown as it came. */
static void llmproto_sse_error_line(const char *value, size_t len, llm_event_fn fn, void *arg)
{
    cJSON *root;
    const cJSON *e;

    value = llmproto_trim(value, &len);
    root = llmproto_parse(value, len);
    if (root == NULL) {
        char *text = xstrndup(value, len);

        llmproto_emit(fn, arg, LLM_EV_ERROR,
                      text[0] != '\0' ? text : "the server reported an error without a message",
                      NULL);
        free(text);
        return;
    }
    e = llmproto_get_error(root);
    llmproto_emit_error(fn, arg, e != NULL ? e : root);
    cJSON_Delete(root);
}

int llmproto_sse_line(struct llm_sse *s, const char *line, size_t len, llm_event_fn fn, void *arg,
                      struct err *err)
{
    const char *colon, *value;
    size_t name_len, vlen;

    if (!s->started) {
        s->started = 1;
        if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3;
            len -= 3;
        }
    }
    /* the splitter drops "\r\n" already; a caller handing raw lines may not */
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len == 0)
        return llmproto_sse_dispatch(s, fn, arg, err);
    if (line[0] == ':')
        return 0; /* a comment: keep-alive pings */
    colon = memchr(line, ':', len);
    name_len = colon != NULL ? (size_t)(colon - line) : len;
    value = colon != NULL ? colon + 1 : line + len;
    vlen = len - (size_t)(value - line);
    if (vlen > 0 && value[0] == ' ') {
        value++;
        vlen--;
    }
    if (name_len == 4 && memcmp(line, "data", 4) == 0) {
        if ((s->has_data && buf_putc(&s->data, '\n') < 0) ||
            buf_append(&s->data, value, vlen) < 0) {
            buf_reset(&s->data);
            s->has_data = 0;
            err_set(err, 0, "an event of the response is longer than %u MB",
                    (unsigned)(LLMPROTO_EVENT_MAX >> 20));
            return -1;
        }
        s->has_data = 1;
        return 0;
    }
    if (name_len == 5 && memcmp(line, "error", 5) == 0) {
        int rc = llmproto_sse_dispatch(s, fn, arg, err); /* keep the order of the body */

        if (rc < 0)
            return rc;
        llmproto_sse_error_line(value, vlen, fn, arg);
    }
    return 0; /* event:, id:, retry: and unknown fields are ignored, as SSE says */
}

int llmproto_sse_finish(struct llm_sse *s, llm_event_fn fn, void *arg, struct err *err)
{
    return llmproto_sse_dispatch(s, fn, arg, err);
}

/* --- error bodies ------------------------------------------------------------------------- */

static int llmproto_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Case-insensitive search for an ASCII needle in s[0..n); NULL when absent. */
static const char *llmproto_find_ci(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);

    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;

        while (j < m && llmproto_lower((unsigned char)s[i + j]) == needle[j])
            j++;
        if (j == m)
            return s + i;
    }
    return NULL;
}

/* Append s[0..n) to `out` with every run of white space as one space, and tags dropped
 * when `html` is set. */
static void llmproto_collapse(struct buf *out, const char *s, size_t n, int html)
{
    int in_tag = 0, space = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (html && c == '<') {
            in_tag = 1;
            space = 1; /* "<br>" and block tags separate words */
            continue;
        }
        if (in_tag) {
            in_tag = c != '>';
            continue;
        }
        if (llmproto_is_space(c)) {
            space = 1;
            continue;
        }
        if (space && out->len > 0 && buf_putc(out, ' ') < 0)
            return;
        space = 0;
        if (buf_putc(out, c) < 0)
            return;
    }
}

/* The readable part of an HTML page: its <title>, else its text without tags. */
static void llmproto_html_text(struct buf *out, const char *s, size_t n)
{
    const char *t = llmproto_find_ci(s, n, "<title");

    if (t != NULL) {
        const char *gt = memchr(t, '>', n - (size_t)(t - s));

        if (gt != NULL) {
            const char *from = gt + 1;
            size_t rest = n - (size_t)(from - s);
            const char *end = llmproto_find_ci(from, rest, "</title");

            llmproto_collapse(out, from, end != NULL ? (size_t)(end - from) : rest, 1);
            if (out->len > 0)
                return;
        }
    }
    llmproto_collapse(out, s, n, 1);
}

/* The message a JSON error body carries: {"error":"..."}, {"error":{"message":...}}, or
 * vLLM's and FastAPI's top-level "message" / "detail". Free it; NULL when none. */
static char *llmproto_json_error(const char *body, size_t len)
{
    cJSON *root = llmproto_parse(body, len);
    const cJSON *e, *detail;
    char *msg = NULL;

    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return NULL;
    }
    e = llmproto_get_error(root);
    detail = llmproto_get(root, "detail");
    if (e != NULL)
        msg = llmproto_error_text(e);
    else if (llmproto_get_string(root, "message") != NULL)
        msg = xstrdup(llmproto_get_string(root, "message"));
    else if (detail != NULL && !cJSON_IsNull(detail))
        msg = llmproto_error_text(detail);
    cJSON_Delete(root);
    return msg;
}

char *llmproto_error_message(long status, const char *body, size_t len)
{
    struct buf text, out;
    char *msg = NULL, *shown;
    size_t cut;

    if (body == NULL)
        len = 0;
    body = len > 0 ? llmproto_trim(body, &len) : "";
    if (len == 0)
        return status > 0 ? xasprintf("HTTP %ld (empty body)", status) : xstrdup("empty body");
    buf_init(&text, LLMPROTO_SHOW_BODY * 4);
    if (body[0] == '{' && len <= LLMPROTO_ERROR_BODY_MAX)
        msg = llmproto_json_error(body, len);
    if (msg != NULL) {
        llmproto_collapse(&text, msg, strlen(msg), 0);
        free(msg);
    } else if (body[0] == '<') {
        llmproto_html_text(&text, body,
                           len < LLMPROTO_ERROR_BODY_MAX ? len : LLMPROTO_ERROR_BODY_MAX);
    } else {
        llmproto_collapse(&text, body, len, 0);
    }
    cut = llmproto_cut(text.data != NULL ? text.data : "", text.len, LLMPROTO_SHOW_BODY);
    shown = sanitize_dup(buf_cstr(&text), cut, 0);
    buf_init(&out, SIZE_MAX / 4);
    if (status > 0 && buf_printf(&out, "HTTP %ld: ", status) < 0)
        fatal("llmproto: message too large");
    if (buf_puts(&out, shown[0] != '\0' ? shown : "(no readable text)") < 0 ||
        (cut < text.len && buf_puts(&out, "...") < 0))
        fatal("llmproto: message too large");
    free(shown);
    buf_fini(&text);
    return buf_steal(&out);
}

/* --- model lists and the version ---------------------------------------------------------- */

/* Copy a string member, "" when absent. */
static char *llmproto_dup_member(const cJSON *obj, const char *key)
{
    const char *s = llmproto_get_string(obj, key);

    return xstrdup(s != NULL ? s : "");
}

/* The array named `key` of a model list, or NULL with `err` set. */
static cJSON *llmproto_list(const char *body, size_t len, const char *what, const char *key,
                            const cJSON **arr, struct err *err)
{
    cJSON *root =
        llmproto_parse_object(body != NULL ? body : "", body != NULL ? len : 0, what, err);

    if (root == NULL)
        return NULL;
    *arr = llmproto_get(root, key);
    if (!cJSON_IsArray(*arr)) {
        err_set(err, 0, "%s has no \"%s\" list", what, key);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static long llmproto_models(const char *body, size_t len, int openai, struct llm_model **models,
                            struct err *err)
{
    const char *what = openai ? "the model list (/v1/models)" : "the model list (/api/tags)";
    const cJSON *arr = NULL, *item;
    cJSON *root;
    struct llm_model *list;
    size_t n = 0;

    *models = NULL;
    root = llmproto_list(body, len, what, openai ? "data" : "models", &arr, err);
    if (root == NULL)
        return -1;
    list = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *list);
    for (item = arr->child; item != NULL; item = item->next) {
        const char *name = llmproto_get_string(item, openai ? "id" : "name");
        const cJSON *details = llmproto_get(item, "details");
        struct llm_model *m = &list[n];

        if (name == NULL && !openai)
            name = llmproto_get_string(item, "model");
        if (name == NULL || name[0] == '\0')
            continue; /* nothing to pick it by */
        m->name = xstrdup(name);
        if (!llmproto_get_number(item, "size", &m->size))
            m->size = -1;
        m->parameter_size = llmproto_dup_member(details, "parameter_size");
        m->quantization = llmproto_dup_member(details, "quantization_level");
        m->family = llmproto_dup_member(details, "family");
        n++;
    }
    cJSON_Delete(root);
    if (n == 0) {
        free(list);
        list = NULL;
    }
    *models = list;
    return (long)n;
}

long llmproto_tags(const char *body, size_t len, struct llm_model **models, struct err *err)
{
    return llmproto_models(body, len, 0, models, err);
}

long llmproto_openai_models(const char *body, size_t len, struct llm_model **models,
                            struct err *err)
{
    return llmproto_models(body, len, 1, models, err);
}

void llmproto_models_free(struct llm_model *models, size_t n)
{
    if (models == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        free(models[i].name);
        free(models[i].parameter_size);
        free(models[i].quantization);
        free(models[i].family);
    }
    free(models);
}

char *llmproto_version(const char *body, size_t len)
{
    cJSON *root;
    const char *v;
    char *out = NULL;

    if (body == NULL)
        return NULL;
    root = llmproto_parse(body, len);
    v = llmproto_get_string(root, "version");
    if (v != NULL && v[0] != '\0')
        out = xstrdup(v);
    cJSON_Delete(root);
    return out;
}
