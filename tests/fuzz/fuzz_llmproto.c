/* fuzz_llmproto.c: libFuzzer target for the line splitter and the wire formats.
 *
 * The first bytes of an input choose the protocol (Ollama NDJSON or SSE), the line limit
 * and the seed of a chunk pattern; the rest is a response body. The body goes through
 * stream -> llmproto once in one piece and once cut into random chunks (empty ones
 * included): the events, their figures, the return code and the error message must be
 * the same. On the side, the same bytes are read as an error body, a model list and a
 * version (no crash, the message valid UTF-8), passed through the UTF-8 carry (nothing
 * lost, at most 3 bytes held) and used as model name and prompt of request bodies (which
 * must parse as JSON). Leaks are found by LeakSanitizer.
 *
 * Build and run (from the top of the tree; crash files land in the current directory):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *     $(pkg-config --cflags libcjson libutf8proc) tests/fuzz/fuzz_llmproto.c src/stream.c \
 *     src/llmproto.c src/sanitize.c src/jsonw.c src/genopts.c src/buf.c src/xmem.c \
 *     src/err.c $(pkg-config --libs libcjson libutf8proc) -lm -o /tmp/fuzz_llmproto
 *   /tmp/fuzz_llmproto -max_total_time=120 */
#include <cJSON.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "llmproto.h"
#include "sanitize.h"
#include "stream.h"

#define FUZZ_HEADER 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_require(bool ok, const char *what)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz_llmproto: %s\n", what);
    abort();
}

static void fuzz_put(struct buf *b, const void *p, size_t n)
{
    fuzz_require(buf_append(b, p, n) == 0, "record buffer full");
}

static void fuzz_printf(struct buf *b, const char *fmt, ...) ATTR_FORMAT(2, 3);

static void fuzz_printf(struct buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    fuzz_require(n >= 0 && (size_t)n < sizeof tmp, "format");
    fuzz_put(b, tmp, (size_t)n);
}

/* Every field of the figures, doubles in hex so that equal means identical. */
static void fuzz_metrics(struct buf *b, const struct llm_server_metrics *m)
{
    fuzz_printf(b, "%d%d%d%d%d%d %a %a %a %a %a %a [%s] %d %a %a %d %a %a %a %a [%s]\n",
                m->has_total_duration, m->has_load_duration, m->has_prompt_eval_count,
                m->has_prompt_eval_duration, m->has_eval_count, m->has_eval_duration,
                m->total_duration_ns, m->load_duration_ns, m->prompt_eval_count,
                m->prompt_eval_duration_ns, m->eval_count, m->eval_duration_ns, m->done_reason,
                m->has_usage, m->prompt_tokens, m->completion_tokens, m->has_timings, m->prompt_n,
                m->prompt_ms, m->predicted_n, m->predicted_ms, m->finish_reason);
}

static void fuzz_event(const struct llm_event *ev, void *arg)
{
    struct buf *b = arg;

    fuzz_printf(b, "%d:", (int)ev->kind);
    switch (ev->kind) {
    case LLM_EV_TEXT:
    case LLM_EV_THINKING:
    case LLM_EV_ERROR:
        fuzz_require(ev->text != NULL && ev->len == strlen(ev->text), "event text");
        fuzz_require(ev->len > 0, "empty piece");
        fuzz_printf(b, "%zu:", ev->len);
        fuzz_put(b, ev->text, ev->len);
        fuzz_put(b, "\n", 1);
        break;
    case LLM_EV_DONE:
    case LLM_EV_FINISH:
        fuzz_require(ev->metrics != NULL, "figures missing");
        fuzz_metrics(b, ev->metrics);
        break;
    case LLM_EV_END:
        fuzz_put(b, "\n", 1);
        break;
    }
}

struct fuzz_run {
    int sse;
    struct llm_sse *s;
    struct buf *out;
    size_t lines;
};

static int fuzz_line(const char *line, size_t len, void *arg, struct err *err)
{
    struct fuzz_run *r = arg;

    r->lines++;
    fuzz_require(memchr(line, '\n', len) == NULL, "a line holds '\\n'");
    if (r->sse)
        return llmproto_sse_line(r->s, line, len, fuzz_event, r->out, err);
    return llmproto_ollama_line(line, len, fuzz_event, r->out, err);
}

/* Small deterministic generator for the chunk pattern. */
static uint32_t fuzz_next(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* Feed the body in one piece (seed 0) or in random chunks; record everything in `out`. */
static void fuzz_feed(const char *body, size_t n, int sse, size_t max_line, uint32_t seed,
                      struct buf *out)
{
    struct stream *st = stream_new(max_line);
    struct fuzz_run r = {sse, sse ? llmproto_sse_new() : NULL, out, 0};
    struct err err;
    size_t at = 0;
    int rc = 0;

    err_clear(&err);
    while (rc == 0 && at < n) {
        size_t len = n - at;

        if (seed != 0) {
            uint32_t x = fuzz_next(&seed);

            len = x % 4 == 0 ? 0 : (x >> 8) % (x % 3 == 0 ? 64 : 5) + 1;
            if (len > n - at)
                len = n - at;
        }
        rc = stream_feed(st, body + at, len, fuzz_line, &r, &err);
        fuzz_require(rc == 0 || err.msg[0] != '\0', "failure without a message");
        fuzz_require(stream_pending(st) <= max_line + 1, "held more than the limit");
        at += len;
    }
    if (rc == 0) {
        fuzz_require(stream_bytes(st) == n, "byte count");
        rc = stream_finish(st, fuzz_line, &r, &err);
        fuzz_require(stream_pending(st) == 0 || rc != 0, "left over after finish");
    }
    if (rc == 0 && sse)
        rc = llmproto_sse_finish(r.s, fuzz_event, out, &err);
    fuzz_printf(out, "rc=%d %s\n", rc, rc != 0 ? err.msg : "");
    llmproto_sse_free(r.s);
    stream_free(st);
}

/* The side checks: other parsers on the same bytes. */
static void fuzz_others(const char *body, size_t n, uint32_t seed)
{
    struct llm_model *models = NULL;
    struct err err;
    char *msg, *v, *text, *out;
    long count;
    size_t got, total = 0, at = 0;
    struct utf8_carry carry = {{0}, 0};

    msg = llmproto_error_message((long)(seed % 600), body, n);
    fuzz_require(utf8_valid(msg, strlen(msg)), "error message not valid UTF-8");
    free(msg);
    count = llmproto_tags(body, n, &models, &err);
    fuzz_require(count >= -1 && (count > 0) == (models != NULL), "tags");
    llmproto_models_free(models, count > 0 ? (size_t)count : 0);
    count = llmproto_openai_models(body, n, &models, &err);
    fuzz_require(count >= -1 && (count > 0) == (models != NULL), "models");
    llmproto_models_free(models, count > 0 ? (size_t)count : 0);
    v = llmproto_version(body, n);
    free(v);

    /* the carry: everything comes out, in order */
    out = malloc(n + 4);
    text = malloc(n + 4);
    fuzz_require(out != NULL && text != NULL, "out of memory");
    while (at < n) {
        size_t len = fuzz_next(&seed) % 7;

        if (len > n - at)
            len = n - at;
        utf8_carry_take(&carry, body + at, len, out, &got);
        fuzz_require(carry.n <= 3, "carry holds more than 3 bytes");
        memcpy(text + total, out, got);
        total += got;
        at += len;
    }
    total += utf8_carry_flush(&carry, text + total);
    fuzz_require(total == n && memcmp(text, body, n) == 0, "carry lost or reordered bytes");
    free(out);
    free(text);
}

/* Request bodies with the bytes as model name and prompt always parse. */
static void fuzz_bodies(const char *body, size_t n, uint32_t seed)
{
    char *s = malloc(n + 1), *b;
    struct gen_options o;
    char dropped[32];
    cJSON *root;
    size_t cut = n > 0 ? seed % (n + 1) : 0;

    fuzz_require(s != NULL, "out of memory");
    memcpy(s, body, n);
    s[n] = '\0'; /* C strings: the prompt ends at the first NUL */
    memset(&o, 0, sizeof o);
    o.has_num_gpu = seed & 1;
    o.has_temperature = (seed >> 1) & 1;
    o.temperature = (double)(seed % 1000) / 7.0;
    o.has_seed = (seed >> 2) & 1;
    o.seed = -(long)seed;
    b = cut < n ? llmproto_chat_body(s + cut, s, s, &o) : llmproto_generate_body(s, s, &o);
    root = cJSON_Parse(b);
    fuzz_require(root != NULL, "request body is not JSON");
    cJSON_Delete(root);
    free(b);
    b = llmproto_openai_body(s, s + cut, &o, dropped, sizeof dropped);
    root = cJSON_Parse(b);
    fuzz_require(root != NULL, "OpenAI request body is not JSON");
    cJSON_Delete(root);
    free(b);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t limits[] = {16, 64, 4096, 0};
    const char *body;
    size_t n, max_line;
    uint32_t seed;
    int sse;
    struct buf whole, chunked;

    if (size < FUZZ_HEADER)
        return 0;
    sse = data[0] & 1;
    max_line = limits[(data[0] >> 1) & 3];
    seed = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 |
           (uint32_t)data[4] << 24;
    seed |= 1; /* never 0: 0 means one piece */
    body = (const char *)data + FUZZ_HEADER;
    n = size - FUZZ_HEADER;

    buf_init(&whole, (size_t)1 << 28);
    buf_init(&chunked, (size_t)1 << 28);
    fuzz_feed(body, n, sse, max_line != 0 ? max_line : STREAM_MAX_LINE, 0, &whole);
    fuzz_feed(body, n, sse, max_line != 0 ? max_line : STREAM_MAX_LINE, seed, &chunked);
    if (whole.len != chunked.len || memcmp(buf_cstr(&whole), buf_cstr(&chunked), whole.len)) {
        fprintf(stderr, "whole:\n%s\nchunked:\n%s\n", buf_cstr(&whole), buf_cstr(&chunked));
        fuzz_require(false, "chunked feed differs from the whole feed");
    }
    buf_fini(&whole);
    buf_fini(&chunked);
    fuzz_others(body, n, seed);
    fuzz_bodies(body, n, seed);
    return 0;
}
