/* llmproto.h: the wire formats chimera speaks, as pure functions (no I/O): request bodies,
 * streamed records (Ollama NDJSON, OpenAI-compatible SSE), error bodies, /api/tags and
 * /api/version. The facts are in shared/docs/ollama-protocol.md; every field is optional.
 *
 * A streamed record becomes events for a callback, in the order the record carries them:
 * a line may hold the end of the thinking and the start of the answer, and the final
 * record's `response` may still hold text ("always append it"), then its figures.
 * Numbers are read as doubles: durations in nanoseconds pass INT_MAX after 2.1 s.
 * A figure the server did not send is flagged absent, never 0. */
#ifndef SRC_LLMPROTO_H
#define SRC_LLMPROTO_H

#include <stddef.h>

#include "attrs.h"
#include "config.h"
#include "err.h"

enum llm_api { LLM_API_OLLAMA, LLM_API_OPENAI };

/* What the server reported about one generation. */
struct llm_server_metrics {
    /* Ollama's final record (nanoseconds, counts) */
    int has_total_duration, has_load_duration, has_prompt_eval_count,
        has_prompt_eval_duration, has_eval_count, has_eval_duration;
    double total_duration_ns, load_duration_ns, prompt_eval_count, prompt_eval_duration_ns,
        eval_count, eval_duration_ns;
    char done_reason[32];       /* "stop", "length", ... or "" */
    /* OpenAI-compatible `usage` */
    int has_usage;
    double prompt_tokens, completion_tokens;
    /* llama.cpp `timings` (milliseconds) */
    int has_timings;
    double prompt_n, prompt_ms, predicted_n, predicted_ms;
    char finish_reason[32];     /* OpenAI: "stop", "length", ... or "" */
};

enum llm_event_kind {
    LLM_EV_TEXT,     /* a piece of the answer (may be empty: ignore it) */
    LLM_EV_THINKING, /* a piece of reasoning text */
    LLM_EV_DONE,     /* the final record / usage chunk: `metrics` filled */
    LLM_EV_FINISH,   /* OpenAI: a finish_reason arrived (the answer is complete) */
    LLM_EV_END,      /* OpenAI: the [DONE] sentinel */
    LLM_EV_ERROR     /* an error record mid-stream: `text` is the server's message */
};

/* Valid only during the callback. */
struct llm_event {
    enum llm_event_kind kind;
    const char *text;            /* TEXT, THINKING, ERROR: UTF-8 as sent */
    size_t len;
    const struct llm_server_metrics *metrics; /* DONE (also FINISH when usage came along) */
};

typedef void (*llm_event_fn)(const struct llm_event *ev, void *arg);

/* --- requests (each returns a new JSON string; free it) ---------------------------------- */

/* POST /api/generate: {"model","prompt","stream":true[,"options":{...}]}; options only
 * those set, with their JSON types (integers as integers). */
char *llmproto_generate_body(const char *model, const char *prompt, const struct gen_options *o);
/* POST /api/chat with one user message (and a system message when `system` is not NULL). */
char *llmproto_chat_body(const char *model, const char *system, const char *prompt,
                         const struct gen_options *o);
/* POST /v1/chat/completions: stream, stream_options.include_usage, temperature, top_p,
 * seed; top_k and repeat_penalty as the extension keys llama.cpp and vLLM accept; num_ctx
 * and num_gpu cannot travel this way: *dropped (may be NULL) names them, or "". */
char *llmproto_openai_body(const char *model, const char *prompt, const struct gen_options *o,
                           char *dropped, size_t dropped_cap);

/* --- streamed records --------------------------------------------------------------------- */

/* One NDJSON line from /api/generate or /api/chat. 0, or -1 with `err` set when the line is
 * not a JSON object (what came is named, sanitised, in the message). Empty lines: 0. */
int llmproto_ollama_line(const char *line, size_t len, llm_event_fn fn, void *arg,
                         struct err *err) ATTR_WUR;

/* SSE framing for /v1/chat/completions: feed it the lines of the body. `data:` fields
 * join with '\n' into an event delivered at the blank line that ends it; comments (":")
 * and event:/id:/retry: lines are ignored; `[DONE]` gives LLM_EV_END and never reaches
 * the JSON parser; an older llama.cpp's "error: {...}" line is an error event. */
struct llm_sse;
struct llm_sse *llmproto_sse_new(void);
void llmproto_sse_free(struct llm_sse *s);
int llmproto_sse_line(struct llm_sse *s, const char *line, size_t len, llm_event_fn fn,
                      void *arg, struct err *err) ATTR_WUR;
/* End of body: an event left without its blank line is delivered. */
int llmproto_sse_finish(struct llm_sse *s, llm_event_fn fn, void *arg, struct err *err) ATTR_WUR;

/* --- other answers ------------------------------------------------------------------------ */

/* The readable message of an error response: {"error":"..."} (Ollama) or
 * {"error":{"message":...}} (OpenAI-style), else the status and the body's first bytes,
 * sanitised ("HTTP 404: 404 page not found"). Free it. */
char *llmproto_error_message(long status, const char *body, size_t len);

struct llm_model {
    char *name;
    double size;             /* bytes, or -1 */
    char *parameter_size;    /* "3.2B" or "" */
    char *quantization;      /* "Q4_K_M" or "" */
    char *family;            /* "" when absent */
};

/* GET /api/tags. Returns the count and an array to free with llmproto_models_free, or -1
 * with `err` set when the body is not the expected JSON. */
long llmproto_tags(const char *body, size_t len, struct llm_model **models, struct err *err);
void llmproto_models_free(struct llm_model *models, size_t n);
/* GET /v1/models (OpenAI-compatible servers): the same, names only. */
long llmproto_openai_models(const char *body, size_t len, struct llm_model **models,
                            struct err *err);
/* GET /api/version: {"version":"0.x.y"} -> the version string (free it), or NULL. */
char *llmproto_version(const char *body, size_t len);

#endif
