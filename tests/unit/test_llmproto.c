/* test_llmproto.c: the wire formats: the protocol document's transcripts A-D (section 8)
 * fed through the line splitter at every split point, Ollama records, every SSE rule,
 * request bodies for every option combination, error bodies, model lists and versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "llmproto.h"
#include "stream.h"

/* --- recording events --------------------------------------------------------------------- */

/* Events as one string: "T:<text>\n", "K:<thinking>\n", "DONE\n", "FINISH:<reason>\n",
 * "END\n", "E:<message>\n"; the figures of the last DONE or FINISH are kept. */
struct evrec {
    struct buf out;
    struct llm_server_metrics m;
    int finish_metrics; /* FINISH events that carried figures */
};

static void evrec_init(struct evrec *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->out, (size_t)1 << 26);
}

static void evrec_fini(struct evrec *r)
{
    buf_fini(&r->out);
}

static void evrec_put(struct evrec *r, const char *tag, const char *text, size_t len)
{
    assert_int_equal(buf_puts(&r->out, tag), 0);
    if (text != NULL)
        assert_int_equal(buf_append(&r->out, text, len), 0);
    assert_int_equal(buf_putc(&r->out, '\n'), 0);
}

static void evrec_cb(const struct llm_event *ev, void *arg)
{
    struct evrec *r = arg;

    switch (ev->kind) {
    case LLM_EV_TEXT:
    case LLM_EV_THINKING:
    case LLM_EV_ERROR:
        assert_non_null(ev->text);
        assert_int_equal(ev->len, strlen(ev->text));
        assert_true(ev->len > 0); /* empty pieces are not events */
        evrec_put(r,
                  ev->kind == LLM_EV_TEXT       ? "T:"
                  : ev->kind == LLM_EV_THINKING ? "K:"
                                                : "E:",
                  ev->text, ev->len);
        break;
    case LLM_EV_DONE:
        assert_non_null(ev->metrics);
        r->m = *ev->metrics;
        evrec_put(r, "DONE", NULL, 0);
        break;
    case LLM_EV_FINISH:
        assert_non_null(ev->metrics);
        r->m = *ev->metrics;
        r->finish_metrics++;
        evrec_put(r, "FINISH:", ev->metrics->finish_reason, strlen(ev->metrics->finish_reason));
        break;
    case LLM_EV_END:
        evrec_put(r, "END", NULL, 0);
        break;
    }
}

/* A line splitter in front of the Ollama or SSE parser, as the HTTP client will use it. */
struct wire {
    int sse;
    struct llm_sse *s;
    struct evrec *r;
};

static int wire_line(const char *line, size_t len, void *arg, struct err *err)
{
    struct wire *w = arg;

    if (w->sse)
        return llmproto_sse_line(w->s, line, len, evrec_cb, w->r, err);
    return llmproto_ollama_line(line, len, evrec_cb, w->r, err);
}

/* Feed `body` in two chunks cut at `cut` (n: one chunk); 0 or -1 with `err` set. */
static int wire_feed(int sse, const char *body, size_t cut, struct evrec *r, struct err *err)
{
    size_t n = strlen(body);
    struct stream *st = stream_new(0);
    struct wire w = {sse, sse ? llmproto_sse_new() : NULL, r};
    int rc;

    if (cut > n)
        cut = n;
    rc = stream_feed(st, body, cut, wire_line, &w, err);
    if (rc == 0)
        rc = stream_feed(st, body + cut, n - cut, wire_line, &w, err);
    if (rc == 0)
        rc = stream_finish(st, wire_line, &w, err);
    if (rc == 0 && sse)
        rc = llmproto_sse_finish(w.s, evrec_cb, r, err);
    llmproto_sse_free(w.s);
    stream_free(st);
    return rc;
}

/* Feed `body` split at every position; every run must give `want`. The figures of the
 * last run are left in *last when not NULL. */
static void check_wire(int sse, const char *body, const char *want, struct llm_server_metrics *last)
{
    size_t n = strlen(body);

    for (size_t cut = 0; cut <= n; cut++) {
        struct evrec r;
        struct err err;

        evrec_init(&r);
        err_clear(&err);
        if (wire_feed(sse, body, cut, &r, &err) != 0)
            fail_msg("cut %zu: %s", cut, err.msg);
        assert_string_equal(buf_cstr(&r.out), want);
        if (last != NULL)
            *last = r.m;
        evrec_fini(&r);
    }
}

/* One record (Ollama line) parsed directly. */
static char *ollama_events(const char *line, struct llm_server_metrics *m)
{
    struct evrec r;
    struct err err;

    evrec_init(&r);
    assert_int_equal(llmproto_ollama_line(line, strlen(line), evrec_cb, &r, &err), 0);
    if (m != NULL)
        *m = r.m;
    return buf_steal(&r.out);
}

static void check_ollama(const char *line, const char *want)
{
    char *got = ollama_events(line, NULL);

    assert_string_equal(got, want);
    free(got);
}

/* SSE lines given as one string (split on '\n' here, lines kept raw: a '\r' stays). */
static int sse_events(const char *body, struct evrec *r, struct err *err)
{
    struct llm_sse *s = llmproto_sse_new();
    const char *p = body;
    int rc = 0;

    while (rc == 0 && *p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

        rc = llmproto_sse_line(s, p, len, evrec_cb, r, err);
        p += len + (nl != NULL);
    }
    if (rc == 0)
        rc = llmproto_sse_finish(s, evrec_cb, r, err);
    llmproto_sse_free(s);
    return rc;
}

static void check_sse(const char *body, const char *want)
{
    struct evrec r;
    struct err err;

    evrec_init(&r);
    err_clear(&err);
    if (sse_events(body, &r, &err) != 0)
        fail_msg("%s", err.msg);
    assert_string_equal(buf_cstr(&r.out), want);
    evrec_fini(&r);
}

/* --- transcripts (ollama-protocol.md section 8, verbatim) --------------------------------- */

static const char transcript_a[] =
    "{\"model\":\"llama3.2:3b\",\"created_at\":\"2025-06-01T10:00:02.812347Z\","
    "\"response\":\"The\",\"done\":false}\n"
    "{\"model\":\"llama3.2:3b\",\"created_at\":\"2025-06-01T10:00:02.825101Z\","
    "\"response\":\" sky\",\"done\":false}\n"
    "{\"model\":\"llama3.2:3b\",\"created_at\":\"2025-06-01T10:00:02.837650Z\","
    "\"response\":\" looks\",\"done\":false}\n"
    "{\"model\":\"llama3.2:3b\",\"created_at\":\"2025-06-01T10:00:02.850233Z\","
    "\"response\":\" blue\",\"done\":false}\n"
    "{\"model\":\"llama3.2:3b\",\"created_at\":\"2025-06-01T10:00:02.862790Z\","
    "\"response\":\".\",\"done\":false}\n"
    "{\"model\":\"llama3.2:3b\",\"created_at\":\"2025-06-01T10:00:02.876011Z\","
    "\"response\":\"\",\"done\":true,\"done_reason\":\"stop\",\"context\":[128006,882,128007,"
    "271],\"total_duration\":2870755102,\"load_duration\":2731448102,\"prompt_eval_count\":31,"
    "\"prompt_eval_duration\":58392000,\"eval_count\":6,\"eval_duration\":75012000}\n";

static const char transcript_b_ollama[] = "{\"error\":\"model 'llama9:70b' not found\"}";
static const char transcript_b_openai[] =
    "{\"error\":{\"message\":\"model 'llama9:70b' not found\",\"type\":\"not_found_error\","
    "\"param\":null,\"code\":null}}";

static const char transcript_c[] =
    "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-06-01T10:05:01.104220Z\",\"response\":\"\","
    "\"thinking\":\"The user asks\",\"done\":false}\n"
    "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-06-01T10:05:01.131877Z\",\"response\":\"\","
    "\"thinking\":\" for the capital.\",\"done\":false}\n"
    "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-06-01T10:05:01.352090Z\","
    "\"response\":\"Paris\",\"done\":false}\n"
    "{\"error\":\"an error was encountered while running the model: unexpected EOF\"}\n";

static const char transcript_d[] =
    "data: {\"id\":\"chatcmpl-Qx7\",\"object\":\"chat.completion.chunk\","
    "\"created\":1748772000,\"model\":\"qwen2.5-7b\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":null}]}\n"
    "\n"
    "data: {\"id\":\"chatcmpl-Qx7\",\"object\":\"chat.completion.chunk\","
    "\"created\":1748772000,\"model\":\"qwen2.5-7b\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\n"
    "\n"
    "data: {\"id\":\"chatcmpl-Qx7\",\"object\":\"chat.completion.chunk\","
    "\"created\":1748772000,\"model\":\"qwen2.5-7b\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"content\":\" there!\"},\"finish_reason\":null}]}\n"
    "\n"
    "data: {\"id\":\"chatcmpl-Qx7\",\"object\":\"chat.completion.chunk\","
    "\"created\":1748772000,\"model\":\"qwen2.5-7b\",\"choices\":[{\"index\":0,\"delta\":{},"
    "\"finish_reason\":\"stop\"}]}\n"
    "\n"
    "data: {\"id\":\"chatcmpl-Qx7\",\"object\":\"chat.completion.chunk\","
    "\"created\":1748772000,\"model\":\"qwen2.5-7b\",\"choices\":[],"
    "\"usage\":{\"completion_tokens\":3,\"prompt_tokens\":12,\"total_tokens\":15},"
    "\"timings\":{\"cache_n\":0,\"prompt_n\":12,\"prompt_ms\":35.2,"
    "\"prompt_per_token_ms\":2.933,\"prompt_per_second\":340.91,\"predicted_n\":3,"
    "\"predicted_ms\":38.4,\"predicted_per_token_ms\":12.8,\"predicted_per_second\":78.125}}\n"
    "\n"
    "data: [DONE]\n"
    "\n";

static void test_transcript_a(void **state)
{
    struct llm_server_metrics m;

    (void)state;
    check_wire(0, transcript_a, "T:The\nT: sky\nT: looks\nT: blue\nT:.\nDONE\n", &m);
    assert_true(m.has_total_duration && m.has_load_duration && m.has_prompt_eval_count &&
                m.has_prompt_eval_duration && m.has_eval_count && m.has_eval_duration);
    /* durations past INT_MAX ns (2.1 s) come through exactly */
    assert_true(m.total_duration_ns == 2870755102.0);
    assert_true(m.load_duration_ns == 2731448102.0);
    assert_true(m.prompt_eval_count == 31.0);
    assert_true(m.prompt_eval_duration_ns == 58392000.0);
    assert_true(m.eval_count == 6.0);
    assert_true(m.eval_duration_ns == 75012000.0);
    assert_string_equal(m.done_reason, "stop");
    assert_int_equal(m.has_usage, 0);
    assert_int_equal(m.has_timings, 0);
}

static void test_transcript_b(void **state)
{
    char *msg;

    (void)state;
    msg = llmproto_error_message(404, transcript_b_ollama, strlen(transcript_b_ollama));
    assert_string_equal(msg, "HTTP 404: model 'llama9:70b' not found");
    free(msg);
    msg = llmproto_error_message(404, transcript_b_openai, strlen(transcript_b_openai));
    assert_string_equal(msg, "HTTP 404: model 'llama9:70b' not found");
    free(msg);
    /* the body has no trailing newline: the splitter's finish hands it over */
    check_wire(0, transcript_b_ollama, "E:model 'llama9:70b' not found\n", NULL);
}

static void test_transcript_c(void **state)
{
    (void)state;
    check_wire(0, transcript_c,
               "K:The user asks\nK: for the capital.\nT:Paris\n"
               "E:an error was encountered while running the model: unexpected EOF\n",
               NULL);
}

static void test_transcript_d(void **state)
{
    struct llm_server_metrics m;

    (void)state;
    check_wire(1, transcript_d, "T:Hello\nT: there!\nFINISH:stop\nDONE\nEND\n", &m);
    assert_int_equal(m.has_usage, 1);
    assert_true(m.prompt_tokens == 12.0);
    assert_true(m.completion_tokens == 3.0);
    assert_int_equal(m.has_timings, 1);
    assert_true(m.prompt_n == 12.0);
    assert_true(m.prompt_ms == 35.2);
    assert_true(m.predicted_n == 3.0);
    assert_true(m.predicted_ms == 38.4);
    assert_string_equal(m.finish_reason, "stop");
    assert_int_equal(m.has_eval_count, 0);
    assert_int_equal(m.has_total_duration, 0);
}

/* The same as transcript D with CRLF line ends, as some proxies send it. */
static void test_transcript_d_crlf(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 1 << 20);
    for (const char *p = transcript_d; *p != '\0'; p++) {
        if (*p == '\n')
            assert_int_equal(buf_putc(&b, '\r'), 0);
        assert_int_equal(buf_putc(&b, *p), 0);
    }
    check_wire(1, buf_cstr(&b), "T:Hello\nT: there!\nFINISH:stop\nDONE\nEND\n", NULL);
    buf_fini(&b);
}

/* --- Ollama records ----------------------------------------------------------------------- */

static void test_ollama_durations_as_doubles(void **state)
{
    struct llm_server_metrics m;
    char *got;

    (void)state;
    got = ollama_events("{\"done\":true,\"total_duration\":4000000000,"
                        "\"load_duration\":9007199254740992,\"eval_duration\":2147483648,"
                        "\"eval_count\":100000}",
                        &m);
    assert_string_equal(got, "DONE\n");
    free(got);
    assert_true(4000000000.0 > (double)INT_MAX);
    assert_true(m.total_duration_ns == 4000000000.0);
    assert_true(m.load_duration_ns == 9007199254740992.0);
    assert_true(m.eval_duration_ns == 2147483648.0);
    assert_true(m.eval_count == 100000.0);
}

static void test_ollama_absent_fields(void **state)
{
    struct llm_server_metrics m;
    char *got;

    (void)state;
    got = ollama_events("{\"done\":true}", &m);
    assert_string_equal(got, "DONE\n");
    free(got);
    assert_false(m.has_total_duration || m.has_load_duration || m.has_prompt_eval_count ||
                 m.has_prompt_eval_duration || m.has_eval_count || m.has_eval_duration);
    assert_string_equal(m.done_reason, "");
    /* a prompt fully cached on an old build: only that one is missing */
    got = ollama_events("{\"done\":true,\"total_duration\":5,\"load_duration\":0,"
                        "\"prompt_eval_duration\":1,\"eval_count\":2,\"eval_duration\":3}",
                        &m);
    free(got);
    assert_int_equal(m.has_prompt_eval_count, 0);
    assert_int_equal(m.has_load_duration, 1); /* sent as 0: present */
    assert_true(m.load_duration_ns == 0.0);
    assert_true(m.total_duration_ns == 5.0);
    /* the wrong type, negative numbers and null are not figures */
    got = ollama_events("{\"done\":true,\"total_duration\":\"5\",\"eval_count\":-1,"
                        "\"eval_duration\":null,\"done_reason\":7}",
                        &m);
    free(got);
    assert_false(m.has_total_duration || m.has_eval_count || m.has_eval_duration);
    assert_string_equal(m.done_reason, "");
    /* a long done_reason is cut to the field */
    got = ollama_events("{\"done\":true,\"done_reason\":"
                        "\"0123456789012345678901234567890123456789\"}",
                        &m);
    free(got);
    assert_string_equal(m.done_reason, "0123456789012345678901234567890");
    /* load / unload answers */
    got = ollama_events("{\"model\":\"x\",\"response\":\"\",\"done\":true,"
                        "\"done_reason\":\"load\"}",
                        &m);
    assert_string_equal(got, "DONE\n");
    assert_string_equal(m.done_reason, "load");
    free(got);
}

static void test_ollama_pieces(void **state)
{
    (void)state;
    /* the end of the thinking and the start of the answer in one line: thinking first,
     * whatever the key order */
    check_ollama("{\"response\":\"Paris\",\"thinking\":\" capital.\",\"done\":false}",
                 "K: capital.\nT:Paris\n");
    /* the final record's text is delivered before its figures */
    check_ollama("{\"response\":\" end.\",\"done\":true,\"eval_count\":3}", "T: end.\nDONE\n");
    /* empty pieces and done:false say nothing */
    check_ollama("{\"response\":\"\",\"done\":false}", "");
    check_ollama("{\"response\":\"\",\"thinking\":\"\",\"done\":false}", "");
    check_ollama("{\"model\":\"x\"}", "");
    check_ollama("{\"response\":null,\"thinking\":5,\"done\":\"true\"}", "");
    /* escapes and UTF-8 as sent */
    check_ollama("{\"response\":\"a\\nb\\t\\\"\\u00e9\\ud83d\\ude00\"}",
                 "T:a\nb\t\"\xc3\xa9\xf0\x9f\x98\x80\n");
    check_ollama("{\"response\":\"\xe2\x82\xac\"}", "T:\xe2\x82\xac\n");
    /* white space around the record, CR included */
    check_ollama("  {\"response\":\"x\"}\r ", "T:x\n");
}

static void test_ollama_chat(void **state)
{
    struct llm_server_metrics m;
    char *got;

    (void)state;
    check_ollama("{\"model\":\"qwen3:8b\",\"created_at\":\"2025-06-01T10:05:01Z\","
                 "\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"Hmm\"},"
                 "\"done\":false}",
                 "K:Hmm\n");
    check_ollama("{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\",\"thinking\":\".\"},"
                 "\"done\":false}",
                 "K:.\nT:Hi\n");
    got = ollama_events("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"!\"},"
                        "\"done\":true,\"done_reason\":\"length\",\"total_duration\":12,"
                        "\"eval_count\":1,\"eval_duration\":2}",
                        &m);
    assert_string_equal(got, "T:!\nDONE\n");
    free(got);
    assert_string_equal(m.done_reason, "length");
    assert_true(m.has_eval_count && m.eval_count == 1.0);
    /* tool calls without content */
    check_ollama("{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{}]},"
                 "\"done\":false}",
                 "");
    /* message of another type is ignored */
    check_ollama("{\"message\":\"hello\",\"done\":false}", "");
}

static void test_ollama_errors(void **state)
{
    (void)state;
    /* the error key is checked first: nothing else of the record counts */
    check_ollama("{\"response\":\"lost\",\"done\":true,\"error\":\"boom\"}", "E:boom\n");
    check_ollama("{\"error\":{\"message\":\"nested\",\"type\":\"api_error\"}}", "E:nested\n");
    check_ollama("{\"error\":{\"type\":\"server_error\"}}", "E:server_error\n");
    check_ollama("{\"error\":{\"code\":500}}", "E:{\"code\":500}\n");
    check_ollama("{\"error\":42}", "E:42\n");
    check_ollama("{\"error\":\"\"}", "E:the server reported an error without a message\n");
    /* null is no error */
    check_ollama("{\"error\":null,\"response\":\"ok\"}", "T:ok\n");
    /* mid-stream, after text */
    check_wire(0,
               "{\"response\":\"a\",\"done\":false}\n"
               "{\"error\":\"model runner has unexpectedly stopped\"}\n",
               "T:a\nE:model runner has unexpectedly stopped\n", NULL);
}

static void check_bad_line(const char *line, size_t len, const char *want)
{
    struct evrec r;
    struct err err;

    evrec_init(&r);
    err_clear(&err);
    assert_int_equal(llmproto_ollama_line(line, len, evrec_cb, &r, &err), -1);
    assert_string_equal(err.msg, want);
    assert_string_equal(buf_cstr(&r.out), "");
    evrec_fini(&r);
}

static void test_ollama_invalid(void **state)
{
    char big[200];
    struct evrec r;
    struct err err;

    (void)state;
    check_bad_line("404 page not found", 18,
                   "a line of the response is not a JSON object: '404 page not found'");
    check_bad_line("[1,2]", 5, "a line of the response is not a JSON object: '[1,2]'");
    check_bad_line("\"text\"", 6, "a line of the response is not a JSON object: '\"text\"'");
    check_bad_line("{\"done\":false} x", 16,
                   "a line of the response is not a JSON object: '{\"done\":false} x'");
    check_bad_line("{\"done\":fal", 11,
                   "a line of the response is not a JSON object: "
                   "'{\"done\":fal'");
    /* shown sanitised: controls made visible, invalid bytes replaced */
    check_bad_line("\x1b[31mred\xff", 9,
                   "a line of the response is not a JSON object: '^[[31mred\xef\xbf\xbd'");
    /* an embedded NUL ends nothing silently */
    check_bad_line("{\"a\":1}\0{", 9,
                   "a line of the response is not a JSON object: "
                   "'{\"a\":1}^@{'");
    /* long lines are quoted by their start, cut on a character boundary */
    memset(big, 'x', sizeof big);
    memcpy(big + 58, "\xc3\xa9", 2);
    check_bad_line(big, sizeof big,
                   "a line of the response is not a JSON object: "
                   "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xc3\xa9...'");
    memcpy(big + 58, "x\xc3\xa9", 3);
    check_bad_line(big, sizeof big,
                   "a line of the response is not a JSON object: "
                   "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'");
    /* empty and blank lines are nothing */
    evrec_init(&r);
    assert_int_equal(llmproto_ollama_line("", 0, evrec_cb, &r, &err), 0);
    assert_int_equal(llmproto_ollama_line(" \t\r", 3, evrec_cb, &r, &err), 0);
    assert_string_equal(buf_cstr(&r.out), "");
    evrec_fini(&r);
    /* through the splitter the parse error stops the stream */
    evrec_init(&r);
    assert_int_equal(
        wire_feed(0, "{\"response\":\"a\"}\n<html>\n{\"response\":\"b\"}\n", 3, &r, &err), -1);
    assert_string_equal(err.msg, "a line of the response is not a JSON object: '<html>'");
    assert_string_equal(buf_cstr(&r.out), "T:a\n");
    evrec_fini(&r);
}

/* --- SSE ---------------------------------------------------------------------------------- */

#define CHUNK(delta, finish)                                                                       \
    "{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":" delta             \
    ",\"finish_reason\":" finish "}]}"

static void test_sse_framing(void **state)
{
    (void)state;
    /* with and without the space after the colon; only one space is dropped */
    check_sse("data: " CHUNK("{\"content\":\"a\"}", "null") "\n\n"
                                                            "data:" CHUNK("{\"content\":\"b\"}",
                                                                          "null") "\n\n",
              "T:a\nT:b\n");
    /* comments and other fields are ignored, also between data lines */
    check_sse(": ping\n"
              ":\n"
              "event: message\n"
              "id: 17\n"
              "retry: 1000\n"
              "data: " CHUNK("{\"content\":\"x\"}", "null") "\n"
                                                            ": keep-alive\n"
                                                            "something-else: 1\n"
                                                            "\n",
              "T:x\n");
    /* several data lines join with '\n' (JSON white space here) */
    check_sse("data: {\"choices\":[{\"delta\":\n"
              "data: {\"content\":\"joined\"}}]}\n\n",
              "T:joined\n");
    /* CRLF line ends handed over raw */
    check_sse("data: " CHUNK("{\"content\":\"c\"}", "null") "\r\n\r\n"
                                                            "data: [DONE]\r\n\r\n",
              "T:c\nEND\n");
    /* the sentinel, with or without the space and white space around it */
    check_sse("data:[DONE]\n\n", "END\n");
    check_sse("data:  [DONE] \n\n", "END\n");
    /* an event without its blank line is delivered at the end of the body */
    check_sse("data: " CHUNK("{\"content\":\"late\"}", "null"), "T:late\n");
    check_sse("data: [DONE]", "END\n");
    /* empty events, "data" without a colon, blank lines alone */
    check_sse("\n\n\ndata\n\ndata:\n\n", "");
    /* a byte-order mark before the first field */
    check_sse("\xef\xbb\xbf"
              "data: " CHUNK("{\"content\":\"bom\"}", "null") "\n\n",
              "T:bom\n");
    /* fields are case-sensitive: "Data:" is not data */
    check_sse("Data: [DONE]\n\n", "");
}

static void test_sse_join_is_newline(void **state)
{
    struct evrec r;
    struct err err;

    (void)state;
    evrec_init(&r);
    assert_int_equal(sse_events("data: a\ndata: b\n\n", &r, &err), -1);
    assert_string_equal(err.msg, "an event of the response is not a JSON object: 'a^Jb'");
    evrec_fini(&r);
    /* [DONE] split over two data lines is not the sentinel */
    evrec_init(&r);
    assert_int_equal(sse_events("data: [DONE\ndata: ]\n\n", &r, &err), -1);
    evrec_fini(&r);
}

static void test_sse_chunks(void **state)
{
    (void)state;
    /* choices empty, missing, of another type, or holding junk: no text, no crash */
    check_sse("data: {\"choices\":[]}\n\n"
              "data: {\"id\":\"x\"}\n\n"
              "data: {\"choices\":{}}\n\n"
              "data: {\"choices\":[null]}\n\n"
              "data: {\"choices\":[5]}\n\n"
              "data: {\"choices\":[{}]}\n\n"
              "data: {\"choices\":[{\"delta\":null}]}\n\n"
              "data: {\"choices\":[{\"delta\":\"text\"}]}\n\n",
              "");
    /* content null (llama.cpp's first chunk) or "" (Ollama's) */
    check_sse("data: " CHUNK("{\"role\":\"assistant\",\"content\":null}",
                             "null") "\n\n"
                                     "data: " CHUNK("{\"role\":\"assistant\",\"content\":\"\"}",
                                                    "null") "\n\n",
              "");
    /* reasoning under either name, before the answer of the same chunk */
    check_sse(
        "data: " CHUNK(
            "{\"reasoning\":\"r1\"}",
            "null") "\n\n"
                    "data: " CHUNK(
                        "{\"reasoning_content\":\"r2\"}",
                        "null") "\n\n"
                                "data: " CHUNK(
                                    "{\"content\":\"a\",\"reasoning_content\":\"r3\"}",
                                    "null") "\n\n"
                                            "data: " CHUNK(
                                                "{\"reasoning\":\"\",\"reasoning_content\":\"r4\"}",
                                                "null") "\n\n",
        "K:r1\nK:r2\nK:r3\nT:a\nK:r4\n");
    /* finish_reason: null and "" are not an end; text on the finish chunk comes first */
    check_sse(
        "data: " CHUNK("{}", "\"\"") "\n\n"
                                     "data: " CHUNK("{}",
                                                    "null") "\n\n"
                                                            "data: " CHUNK("{\"content\":\"last\"}",
                                                                           "\"length\"") "\n\n",
        "T:last\nFINISH:length\n");
    /* only the first choice counts */
    check_sse("data: {\"choices\":[{\"delta\":{\"content\":\"one\"}},"
              "{\"delta\":{\"content\":\"two\"}}]}\n\n",
              "T:one\n");
}

static void test_sse_usage(void **state)
{
    struct evrec r;
    struct err err;

    (void)state;
    /* OpenAI proper: "usage":null on every chunk, then a usage chunk */
    evrec_init(&r);
    assert_int_equal(
        sse_events("data: {\"choices\":[{\"delta\":{\"content\":\"a\"},\"finish_reason\":null}],"
                   "\"usage\":null}\n\n"
                   "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],"
                   "\"usage\":null}\n\n"
                   "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1,"
                   "\"total_tokens\":10}}\n\n"
                   "data: [DONE]\n\n",
                   &r, &err),
        0);
    assert_string_equal(buf_cstr(&r.out), "T:a\nFINISH:stop\nDONE\nEND\n");
    assert_int_equal(r.m.has_usage, 1);
    assert_true(r.m.prompt_tokens == 9.0 && r.m.completion_tokens == 1.0);
    assert_string_equal(r.m.finish_reason, "stop");
    assert_int_equal(r.m.has_timings, 0);
    evrec_fini(&r);
    /* vLLM's continuous usage: on every chunk; the last one wins, DONE only at the end */
    evrec_init(&r);
    assert_int_equal(sse_events("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":"
                                "{\"prompt_tokens\":5,\"completion_tokens\":1}}\n\n"
                                "data: {\"choices\":[{\"delta\":{\"content\":\"b\"},"
                                "\"finish_reason\":\"stop\"}],"
                                "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\n",
                                &r, &err),
                     0);
    assert_string_equal(buf_cstr(&r.out), "T:a\nT:b\nFINISH:stop\n");
    assert_int_equal(r.finish_metrics, 1);
    assert_int_equal(r.m.has_usage, 1);
    assert_true(r.m.completion_tokens == 2.0);
    evrec_fini(&r);
    /* older llama.cpp: usage and timings on the finish chunk, no usage chunk */
    evrec_init(&r);
    assert_int_equal(sse_events("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],"
                                "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":8},"
                                "\"timings\":{\"prompt_n\":4,\"prompt_ms\":1.5,\"predicted_n\":8,"
                                "\"predicted_ms\":100.25}}\n\n"
                                "data: [DONE]\n\n",
                                &r, &err),
                     0);
    assert_string_equal(buf_cstr(&r.out), "FINISH:stop\nEND\n");
    assert_int_equal(r.m.has_usage, 1);
    assert_true(r.m.completion_tokens == 8.0);
    assert_int_equal(r.m.has_timings, 1);
    assert_true(r.m.predicted_ms == 100.25);
    evrec_fini(&r);
    /* Ollama's /v1: no usage, no timings; a usage chunk with junk figures */
    evrec_init(&r);
    assert_int_equal(
        sse_events("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                   "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":\"x\"}}\n\n",
                   &r, &err),
        0);
    assert_string_equal(buf_cstr(&r.out), "FINISH:stop\nDONE\n");
    assert_int_equal(r.m.has_usage, 0);
    assert_int_equal(r.m.has_timings, 0);
    evrec_fini(&r);
    /* a choice-less chunk with neither usage nor timings is nothing */
    check_sse("data: {\"choices\":[],\"usage\":null}\n\n", "");
}

static void test_sse_errors(void **state)
{
    struct evrec r;
    struct err err;

    (void)state;
    /* llama.cpp, vLLM: a data event holding an error, without [DONE] */
    check_sse("data: " CHUNK(
                  "{\"content\":\"a\"}",
                  "null") "\n\n"
                          "data: {\"error\":{\"code\":500,\"message\":\"context shift failed\","
                          "\"type\":\"server_error\"}}\n\n",
              "T:a\nE:context shift failed\n");
    /* LiteLLM: the code is a string */
    check_sse("data: {\"error\":{\"message\":\"litellm.APIError: boom\",\"type\":\"None\","
              "\"param\":\"None\",\"code\":\"500\"}}\n\n"
              "data: [DONE]\n\n",
              "E:litellm.APIError: boom\nEND\n");
    /* a plain string error, and one without a message */
    check_sse("data: {\"error\":\"plain\"}\n\n", "E:plain\n");
    check_sse("data: {\"error\":{\"code\":\"429\"}}\n\n", "E:{\"code\":\"429\"}\n");
    /* an error next to choices still wins */
    check_sse("data: {\"choices\":[{\"delta\":{\"content\":\"no\"}}],\"error\":\"yes\"}\n\n",
              "E:yes\n");
    /* older llama.cpp: an "error:" line, the object itself or wrapped */
    check_sse("error: {\"code\":500,\"message\":\"slot unavailable\","
              "\"type\":\"server_error\"}\n\n",
              "E:slot unavailable\n");
    check_sse("error: {\"error\":{\"message\":\"wrapped\"}}\n", "E:wrapped\n");
    check_sse("error:not json at all\n", "E:not json at all\n");
    check_sse("error:\n", "E:the server reported an error without a message\n");
    /* an "error:" line after an unfinished event keeps the body's order */
    check_sse("data: " CHUNK("{\"content\":\"first\"}", "null") "\n"
                                                                "error: {\"message\":\"then\"}\n",
              "T:first\nE:then\n");
    /* invalid JSON in a data event fails with its start shown */
    evrec_init(&r);
    assert_int_equal(sse_events("data: {\"choices\":\n\n", &r, &err), -1);
    assert_string_equal(err.msg, "an event of the response is not a JSON object: '{\"choices\":'");
    evrec_fini(&r);
    evrec_init(&r);
    assert_int_equal(sse_events("data: <html>\n", &r, &err), -1);
    assert_string_equal(err.msg, "an event of the response is not a JSON object: '<html>'");
    evrec_fini(&r);
}

static void test_sse_event_limit(void **state)
{
    const size_t half = (size_t)9 << 20;
    char *line = malloc(half + 6);
    struct llm_sse *s = llmproto_sse_new();
    struct evrec r;
    struct err err;

    (void)state;
    memcpy(line, "data: ", 6);
    memset(line + 6, ' ', half);
    evrec_init(&r);
    assert_int_equal(llmproto_sse_line(s, line, half + 6, evrec_cb, &r, &err), 0);
    assert_int_equal(llmproto_sse_line(s, line, half + 6, evrec_cb, &r, &err), -1);
    assert_string_equal(err.msg, "an event of the response is longer than 16 MB");
    /* the parser is usable again afterwards */
    assert_int_equal(llmproto_sse_line(s, "data: [DONE]", 12, evrec_cb, &r, &err), 0);
    assert_int_equal(llmproto_sse_line(s, "", 0, evrec_cb, &r, &err), 0);
    assert_string_equal(buf_cstr(&r.out), "END\n");
    evrec_fini(&r);
    llmproto_sse_free(s);
    llmproto_sse_free(NULL);
    free(line);
}

/* --- request bodies ----------------------------------------------------------------------- */

enum { OPT_GPU, OPT_CTX, OPT_TEMP, OPT_TOP_P, OPT_TOP_K, OPT_REPEAT, OPT_SEED, OPT_COUNT };

/* The options of `mask`, and their JSON in Ollama's order. */
static struct gen_options opts_of(unsigned mask, int alt)
{
    struct gen_options o;

    memset(&o, 0, sizeof o);
    o.has_num_gpu = (mask >> OPT_GPU) & 1;
    o.has_num_ctx = (mask >> OPT_CTX) & 1;
    o.has_temperature = (mask >> OPT_TEMP) & 1;
    o.has_top_p = (mask >> OPT_TOP_P) & 1;
    o.has_top_k = (mask >> OPT_TOP_K) & 1;
    o.has_repeat_penalty = (mask >> OPT_REPEAT) & 1;
    o.has_seed = (mask >> OPT_SEED) & 1;
    o.num_gpu = alt ? -1 : 80;
    o.num_ctx = alt ? 16777216 : 512;
    o.temperature = alt ? 0.1 + 0.2 : 1.0;
    o.top_p = alt ? 0.0 : 0.9;
    o.top_k = alt ? 0 : 40;
    o.repeat_penalty = alt ? 1e-3 : 1.1;
    o.seed = alt ? 1000000000000000L : -9007199254740991L;
    return o;
}

static const char *const opt_json[2][OPT_COUNT] = {
    {"\"num_gpu\":80", "\"num_ctx\":512", "\"temperature\":1", "\"top_p\":0.9", "\"top_k\":40",
     "\"repeat_penalty\":1.1", "\"seed\":-9007199254740991"},
    {"\"num_gpu\":-1", "\"num_ctx\":16777216", "\"temperature\":0.30000000000000004", "\"top_p\":0",
     "\"top_k\":0", "\"repeat_penalty\":0.001", "\"seed\":1000000000000000"},
};

static void put_opts(struct buf *b, unsigned mask, int alt, const int *order, int n, int *count)
{
    for (int i = 0; i < n; i++) {
        if (!((mask >> order[i]) & 1))
            continue;
        if ((*count)++ > 0)
            assert_int_equal(buf_putc(b, ','), 0);
        assert_int_equal(buf_puts(b, opt_json[alt][order[i]]), 0);
    }
}

static void assert_parses(const char *json)
{
    cJSON *root = cJSON_Parse(json);

    assert_non_null(root);
    cJSON_Delete(root);
}

static void test_bodies_every_combination(void **state)
{
    static const int ollama_order[] = {OPT_GPU,   OPT_CTX,    OPT_TEMP, OPT_TOP_P,
                                       OPT_TOP_K, OPT_REPEAT, OPT_SEED};
    static const int openai_order[] = {OPT_TEMP, OPT_TOP_P, OPT_SEED, OPT_TOP_K, OPT_REPEAT};

    (void)state;
    for (int alt = 0; alt < 2; alt++)
        for (unsigned mask = 0; mask < (1u << OPT_COUNT); mask++) {
            struct gen_options o = opts_of(mask, alt);
            struct buf opts, want;
            char dropped[32];
            char *got;
            int count = 0;

            buf_init(&opts, 1 << 16);
            buf_init(&want, 1 << 16);
            put_opts(&opts, mask, alt, ollama_order, 7, &count);
            /* generate */
            assert_int_equal(
                buf_printf(&want, "{\"model\":\"m\",\"prompt\":\"p\",\"stream\":true%s%s%s}",
                           mask ? ",\"options\":{" : "", buf_cstr(&opts), mask ? "}" : ""),
                0);
            got = llmproto_generate_body("m", "p", &o);
            assert_string_equal(got, buf_cstr(&want));
            assert_parses(got);
            free(got);
            /* chat, with and without a system message */
            buf_reset(&want);
            assert_int_equal(buf_printf(&want,
                                        "{\"model\":\"m\",\"messages\":[{\"role\":\"system\","
                                        "\"content\":\"s\"},{\"role\":\"user\",\"content\":"
                                        "\"p\"}],\"stream\":true%s%s%s}",
                                        mask ? ",\"options\":{" : "", buf_cstr(&opts),
                                        mask ? "}" : ""),
                             0);
            got = llmproto_chat_body("m", "s", "p", &o);
            assert_string_equal(got, buf_cstr(&want));
            assert_parses(got);
            free(got);
            buf_reset(&want);
            assert_int_equal(buf_printf(&want,
                                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                                        "\"content\":\"p\"}],\"stream\":true%s%s%s}",
                                        mask ? ",\"options\":{" : "", buf_cstr(&opts),
                                        mask ? "}" : ""),
                             0);
            got = llmproto_chat_body("m", NULL, "p", &o);
            assert_string_equal(got, buf_cstr(&want));
            free(got);
            /* OpenAI-compatible: top-level keys, num_ctx and num_gpu dropped */
            buf_reset(&opts);
            count = 1;
            put_opts(&opts, mask, alt, openai_order, 5, &count);
            buf_reset(&want);
            assert_int_equal(buf_printf(&want,
                                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                                        "\"content\":\"p\"}],\"stream\":true,"
                                        "\"stream_options\":{\"include_usage\":true}%s}",
                                        buf_cstr(&opts)),
                             0);
            memset(dropped, '?', sizeof dropped);
            got = llmproto_openai_body("m", "p", &o, dropped, sizeof dropped);
            assert_string_equal(got, buf_cstr(&want));
            assert_parses(got);
            free(got);
            if (o.has_num_ctx && o.has_num_gpu)
                assert_string_equal(dropped, "num_ctx, num_gpu");
            else if (o.has_num_ctx)
                assert_string_equal(dropped, "num_ctx");
            else if (o.has_num_gpu)
                assert_string_equal(dropped, "num_gpu");
            else
                assert_string_equal(dropped, "");
            buf_fini(&opts);
            buf_fini(&want);
        }
}

static void test_bodies_transcript_and_nulls(void **state)
{
    struct gen_options o;
    char dropped[8];
    char *got;

    (void)state;
    /* transcript A's request */
    memset(&o, 0, sizeof o);
    o.has_num_ctx = 1;
    o.num_ctx = 4096;
    got = llmproto_generate_body("llama3.2:3b", "Why is the sky blue? One line.", &o);
    assert_string_equal(got, "{\"model\":\"llama3.2:3b\",\"prompt\":\"Why is the sky blue? One "
                             "line.\",\"stream\":true,\"options\":{\"num_ctx\":4096}}");
    free(got);
    /* no options at all */
    got = llmproto_generate_body("m", "p", NULL);
    assert_string_equal(got, "{\"model\":\"m\",\"prompt\":\"p\",\"stream\":true}");
    free(got);
    got = llmproto_openai_body("m", "p", NULL, NULL, 0);
    assert_string_equal(got, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
                             "\"p\"}],\"stream\":true,\"stream_options\":{\"include_usage\":"
                             "true}}");
    free(got);
    /* a small dropped buffer is cut, never overrun */
    o.has_num_gpu = 1;
    got = llmproto_openai_body("m", "p", &o, dropped, sizeof dropped);
    assert_string_equal(dropped, "num_ctx");
    free(got);
    got = llmproto_openai_body("m", "p", &o, NULL, 0);
    free(got);
}

static void test_bodies_escaping(void **state)
{
    char *got;

    (void)state;
    got = llmproto_generate_body(
        "we\"ird\\:tag", "line 1\nline 2\ttab \"q\" \\ \x01\x1f\x7f \xc3\xa9 \xff end", NULL);
    assert_string_equal(got, "{\"model\":\"we\\\"ird\\\\:tag\",\"prompt\":\"line 1\\nline 2\\t"
                             "tab \\\"q\\\" \\\\ \\u0001\\u001f\x7f \xc3\xa9 \xef\xbf\xbd end\","
                             "\"stream\":true}");
    assert_parses(got);
    free(got);
    got = llmproto_chat_body("m", "sys\r\n", "</script>\xe2\x80\xa8", NULL);
    assert_string_equal(got, "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":"
                             "\"sys\\r\\n\"},{\"role\":\"user\",\"content\":\"</script>"
                             "\xe2\x80\xa8\"}],\"stream\":true}");
    assert_parses(got);
    free(got);
    got = llmproto_openai_body("", "", NULL, NULL, 0);
    assert_parses(got);
    free(got);
}

/* --- error bodies ------------------------------------------------------------------------- */

static void check_error(long status, const char *body, const char *want)
{
    char *msg = llmproto_error_message(status, body, body != NULL ? strlen(body) : 0);

    assert_string_equal(msg, want);
    free(msg);
}

static void test_error_bodies(void **state)
{
    char big[1000];
    char *msg;

    (void)state;
    check_error(400, "{\"error\":\"missing request body\"}", "HTTP 400: missing request body");
    check_error(503,
                "{\"error\":\"server busy, please try again.  maximum pending requests "
                "exceeded\"}\n",
                "HTTP 503: server busy, please try again. maximum pending requests exceeded");
    check_error(400,
                "{\"error\":{\"code\":400,\"message\":\"the request exceeds the available "
                "context size\",\"type\":\"exceed_context_size_error\",\"n_prompt_tokens\":"
                "5000,\"n_ctx\":4096}}",
                "HTTP 400: the request exceeds the available context size");
    check_error(503,
                "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":"
                "\"unavailable_error\"}}",
                "HTTP 503: Loading model");
    check_error(500, "{\"error\":{\"type\":\"api_error\"}}", "HTTP 500: api_error");
    check_error(500, "{\"error\":{\"message\":\"LiteLLM\",\"code\":\"500\"}}", "HTTP 500: LiteLLM");
    /* vLLM's older top-level message, FastAPI's detail */
    check_error(400,
                "{\"object\":\"error\",\"message\":\"bad model\",\"type\":\"BadRequestError\","
                "\"param\":null,\"code\":400}",
                "HTTP 400: bad model");
    check_error(404, "{\"detail\":\"Not Found\"}", "HTTP 404: Not Found");
    check_error(422, "{\"detail\":[{\"loc\":[\"body\"],\"msg\":\"field required\"}]}",
                "HTTP 422: [{\"loc\":[\"body\"],\"msg\":\"field required\"}]");
    /* JSON without a known key, invalid JSON: shown as text */
    check_error(500, "{\"status\":\"x\"}", "HTTP 500: {\"status\":\"x\"}");
    check_error(500, "{not json", "HTTP 500: {not json");
    /* plain text: Ollama's missing route */
    check_error(404, "404 page not found", "HTTP 404: 404 page not found");
    check_error(404, "404 page not found\n", "HTTP 404: 404 page not found");
    /* HTML from a proxy: its title, else its text */
    check_error(502,
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
                "</body>\r\n</html>\r\n",
                "HTTP 502: 502 Bad Gateway");
    check_error(403,
                "<!DOCTYPE html><HTML><BODY><H1>Access\n  denied</H1><p>by policy</p>"
                "</BODY></HTML>",
                "HTTP 403: Access denied by policy");
    check_error(504, "<html><TITLE >\n Gateway   Timeout </TITLE>", "HTTP 504: Gateway Timeout");
    check_error(500, "<html><title></title><body>inner</body>", "HTTP 500: inner");
    check_error(500, "<html><title>unterminated", "HTTP 500: unterminated");
    check_error(500, "<><>", "HTTP 500: (no readable text)");
    /* empty bodies */
    check_error(403, "", "HTTP 403 (empty body)");
    check_error(403, " \r\n", "HTTP 403 (empty body)");
    check_error(403, NULL, "HTTP 403 (empty body)");
    check_error(0, "", "empty body");
    check_error(0, "oops", "oops");
    /* untrusted text made safe: escapes and controls shown, invalid UTF-8 replaced */
    check_error(500, "\x1b]0;pwned\x07\x1b[2J \xc3", "HTTP 500: ^[]0;pwned^G^[[2J \xef\xbf\xbd");
    check_error(500, "{\"error\":\"a\\u001b[31mb\\nc\"}", "HTTP 500: a^[[31mb c");
    /* long bodies are cut to a readable length, never inside a character */
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    msg = llmproto_error_message(500, big, strlen(big));
    assert_int_equal(strlen(msg), strlen("HTTP 500: ") + 200 + 3);
    assert_string_equal(msg + strlen(msg) - 4, "a...");
    free(msg);
    /* "x" then two-byte characters: byte 200 is the middle of one */
    big[0] = 'x';
    for (size_t i = 1; i + 2 < sizeof big; i += 2)
        memcpy(big + i, "\xc3\xa9", 2);
    msg = llmproto_error_message(500, big, strlen(big));
    assert_true(strstr(msg, "\xef\xbf\xbd") == NULL);
    assert_int_equal(strlen(msg), strlen("HTTP 500: ") + 199 + 3);
    assert_string_equal(msg + strlen(msg) - 5, "\xc3\xa9...");
    free(msg);
}

/* --- model lists, version ----------------------------------------------------------------- */

static const char tags_body[] =
    "{\"models\":[{\"name\":\"llama3.2:3b\",\"model\":\"llama3.2:3b\",\"modified_at\":"
    "\"2025-05-01T10:00:00Z\",\"size\":2019393189,\"digest\":\"a80c4f17acd5\",\"details\":"
    "{\"parent_model\":\"\",\"format\":\"gguf\",\"family\":\"llama\",\"families\":[\"llama\"],"
    "\"parameter_size\":\"3.2B\",\"quantization_level\":\"Q4_K_M\"},\"capabilities\":"
    "[\"completion\",\"tools\"]},"
    "{\"model\":\"only-model-key:latest\",\"size\":\"big\"},"
    "{\"size\":1},"
    "7,"
    "{\"name\":\"\"},"
    "{\"name\":\"qwen3:8b\",\"size\":5225388164,\"details\":{\"family\":\"qwen3\"}}]}";

static void test_tags(void **state)
{
    struct llm_model dummy, *m = NULL;
    struct err err;
    long n;

    (void)state;
    n = llmproto_tags(tags_body, strlen(tags_body), &m, &err);
    assert_int_equal(n, 3);
    assert_string_equal(m[0].name, "llama3.2:3b");
    assert_true(m[0].size == 2019393189.0);
    assert_string_equal(m[0].parameter_size, "3.2B");
    assert_string_equal(m[0].quantization, "Q4_K_M");
    assert_string_equal(m[0].family, "llama");
    assert_string_equal(m[1].name, "only-model-key:latest");
    assert_true(m[1].size == -1.0);
    assert_string_equal(m[1].parameter_size, "");
    assert_string_equal(m[1].quantization, "");
    assert_string_equal(m[1].family, "");
    assert_string_equal(m[2].name, "qwen3:8b");
    assert_true(m[2].size == 5225388164.0);
    assert_string_equal(m[2].family, "qwen3");
    llmproto_models_free(m, (size_t)n);
    llmproto_models_free(NULL, 0);
    /* nothing installed */
    m = &dummy; /* must be overwritten */
    assert_int_equal(llmproto_tags("{\"models\":[]}", 13, &m, &err), 0);
    assert_null(m);
}

static void check_tags_bad(const char *body, size_t len, const char *want)
{
    struct llm_model *m = NULL;
    struct err err;

    err_clear(&err);
    assert_int_equal(llmproto_tags(body, len, &m, &err), -1);
    assert_null(m);
    assert_string_equal(err.msg, want);
}

static void test_tags_malformed(void **state)
{
    (void)state;
    check_tags_bad("Ollama is running", 17,
                   "the model list (/api/tags) is not a JSON object: 'Ollama is running'");
    check_tags_bad("", 0, "the model list (/api/tags) is not a JSON object: ''");
    check_tags_bad(NULL, 5, "the model list (/api/tags) is not a JSON object: ''");
    check_tags_bad("[]", 2, "the model list (/api/tags) is not a JSON object: '[]'");
    check_tags_bad("{\"models\":[", 11,
                   "the model list (/api/tags) is not a JSON object: '{\"models\":['");
    check_tags_bad("{\"models\":{}}", 13, "the model list (/api/tags) has no \"models\" list");
    check_tags_bad("{\"error\":\"x\"}", 13, "the model list (/api/tags) has no \"models\" list");
    /* the length is honoured: what follows is not read */
    check_tags_bad("{\"models\":[]}", 12,
                   "the model list (/api/tags) is not a JSON object: '{\"models\":[]'");
}

static void test_openai_models(void **state)
{
    static const char body[] =
        "{\"object\":\"list\",\"data\":[{\"id\":\"llama3.2:3b\",\"object\":\"model\",\"created\":1,"
        "\"owned_by\":\"library\"},{\"object\":\"model\"},{\"id\":\"qwen2.5-7b\"}]}";
    struct llm_model *m = NULL;
    struct err err;
    long n;

    (void)state;
    n = llmproto_openai_models(body, strlen(body), &m, &err);
    assert_int_equal(n, 2);
    assert_string_equal(m[0].name, "llama3.2:3b");
    assert_true(m[0].size == -1.0);
    assert_string_equal(m[0].parameter_size, "");
    assert_string_equal(m[1].name, "qwen2.5-7b");
    llmproto_models_free(m, (size_t)n);
    assert_int_equal(llmproto_openai_models("{\"models\":[]}", 13, &m, &err), -1);
    assert_string_equal(err.msg, "the model list (/v1/models) has no \"data\" list");
    assert_int_equal(llmproto_openai_models("<html>", 6, &m, &err), -1);
    assert_null(m);
}

static void test_version(void **state)
{
    char *v;

    (void)state;
    v = llmproto_version("{\"version\":\"0.6.2\"}", 19);
    assert_string_equal(v, "0.6.2");
    free(v);
    v = llmproto_version(" {\"version\":\"0.12.0-rc1\"}\n", 26);
    assert_string_equal(v, "0.12.0-rc1");
    free(v);
    assert_null(llmproto_version("{\"version\":6}", 13));
    assert_null(llmproto_version("{\"version\":\"\"}", 14));
    assert_null(llmproto_version("{}", 2));
    assert_null(llmproto_version("[\"0.1\"]", 7));
    assert_null(llmproto_version("Ollama is running", 17));
    assert_null(llmproto_version("{\"version\":\"0.6.2\"", 18));
    assert_null(llmproto_version("", 0));
    assert_null(llmproto_version(NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transcript_a),
        cmocka_unit_test(test_transcript_b),
        cmocka_unit_test(test_transcript_c),
        cmocka_unit_test(test_transcript_d),
        cmocka_unit_test(test_transcript_d_crlf),
        cmocka_unit_test(test_ollama_durations_as_doubles),
        cmocka_unit_test(test_ollama_absent_fields),
        cmocka_unit_test(test_ollama_pieces),
        cmocka_unit_test(test_ollama_chat),
        cmocka_unit_test(test_ollama_errors),
        cmocka_unit_test(test_ollama_invalid),
        cmocka_unit_test(test_sse_framing),
        cmocka_unit_test(test_sse_join_is_newline),
        cmocka_unit_test(test_sse_chunks),
        cmocka_unit_test(test_sse_usage),
        cmocka_unit_test(test_sse_errors),
        cmocka_unit_test(test_sse_event_limit),
        cmocka_unit_test(test_bodies_every_combination),
        cmocka_unit_test(test_bodies_transcript_and_nulls),
        cmocka_unit_test(test_bodies_escaping),
        cmocka_unit_test(test_error_bodies),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_tags_malformed),
        cmocka_unit_test(test_openai_models),
        cmocka_unit_test(test_version),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
