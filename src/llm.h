/* llm.h: one streamed generation against an Ollama or OpenAI-compatible server, with the
 * figures chimera measures itself (SPEC section 6), kept apart from what the server says.
 *
 *   t0       just before the request is handed to libcurl
 *   TTFT     monotonic time from t0 to the first NON-EMPTY answer piece (thinking and
 *            empty pieces do not start it); the first thinking piece is timed separately
 *   tok/s    live: answer pieces after the first / time since the first (approximate: a
 *            piece is not exactly a token), in 1-second windows for a sparkline
 *   server   eval_count / eval_duration etc. from the final record, flagged when absent
 *
 * States: CONNECTING until the whole request is sent, WAITING once it is (shown as
 * "loading model": Ollama sends nothing, not even headers, until the model is loaded and
 * the prompt evaluated, which can take minutes; also entered when headers come first),
 * THINKING, STREAMING, then an end state. The
 * end comes exactly once through on_end: DONE (the server's final record), INCOMPLETE (the
 * stream ended cleanly without one: the text is kept and the call says so), ERROR
 * (refused, HTTP error, error record mid-stream, connection reset, over-long line,
 * invalid record), STALLED (no byte for the stall timeout) or CANCELLED. */
#ifndef SRC_LLM_H
#define SRC_LLM_H

#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "config.h"
#include "err.h"
#include "llmproto.h"

struct http;
struct llm_gen;

#define LLM_SPARK_WINDOWS 120 /* tok/s history: the last two minutes, 1 s a window */

enum llm_state {
    LLM_CONNECTING,
    LLM_WAITING,
    LLM_THINKING,
    LLM_STREAMING,
    LLM_DONE,
    LLM_INCOMPLETE,
    LLM_ERROR,
    LLM_STALLED,
    LLM_CANCELLED
};

/* Where and how to ask. Strings are borrowed for the duration of llm_generate. */
struct llm_target {
    const char *base_url;   /* resolved host URL with base path, no trailing slash */
    enum llm_api api;
    int chat;               /* Ollama: POST /api/chat (one user message), not /api/generate */
    const char *model;
    const char *api_key;    /* Bearer token (CHIMERA_API_KEY) or NULL; never shown */
    int stall_s;            /* seconds without a byte before giving up (<= 0: never) */
};

struct llm_live {
    enum llm_state state;
    double elapsed_ms;      /* since t0 */
    double ttft_ms;         /* -1 until the first answer piece */
    double think_ms;        /* first thinking piece, -1 if none */
    uint64_t pieces;        /* answer pieces received */
    uint64_t think_pieces;
    double tok_s;           /* live rate, -1 until it can be computed */
    double spark[LLM_SPARK_WINDOWS]; /* pieces per second, oldest first */
    int nspark;
    double since_byte_ms;   /* time since the last byte (waiting: how long silent) */
};

struct llm_result {
    enum llm_state state;   /* one of the end states */
    enum llm_api api;       /* the protocol spoken: what llm_figures needs to read `server` */
    char message[512];      /* what happened, for people; "" for DONE */
    double ttft_ms;         /* -1: no answer piece came */
    double think_ms;        /* -1: no thinking */
    double elapsed_ms;      /* t0 to the end */
    uint64_t pieces;
    double live_tok_s;      /* pieces after the first over their time; -1 if < 2 pieces */
    long http_status;
    struct llm_server_metrics server;
    const char *text;       /* the answer so far, valid UTF-8 as sent; owned by the gen */
    size_t text_len;
    const char *thinking;
    size_t thinking_len;
    char dropped[64];       /* options an OpenAI-compatible server cannot take and that
                             * were not sent ("num_ctx, num_gpu"), "" when none */
};

struct llm_gen_cb {
    void (*on_state)(struct llm_gen *g, enum llm_state st, void *arg);
    /* A piece of answer (thinking = 0) or reasoning (thinking = 1): complete UTF-8
     * characters only (a character split between records is held back). */
    void (*on_piece)(struct llm_gen *g, int thinking, const char *text, size_t n, void *arg);
    /* Exactly once. `res` and its strings stay valid until llm_gen_free. Never called from
     * inside libcurl: it may free the generation and start new generations or queries
     * (it must not free the http client, whose request is released after it returns). */
    void (*on_end)(struct llm_gen *g, const struct llm_result *res, void *arg);
    void *arg;
};
/* on_state and on_piece run inside libcurl's callbacks. They may cancel or free this or any
 * other generation, but must not start generations or queries there (libcurl refuses a new
 * transfer from its callbacks, so the start fails) nor free the http client. */

/* Start generating `prompt` (copied). NULL with `err` set when the request cannot start
 * (bad URL, an API key holding a space or a control character: then nothing is sent).
 * Everything else, refusal included, arrives through on_end. */
struct llm_gen *llm_generate(struct http *h, const struct llm_target *t, const char *prompt,
                             const struct gen_options *o, const struct llm_gen_cb *cb,
                             struct err *err);
/* Close the connection (the server stops generating); on_end reports CANCELLED with
 * `reason` as the message. No-op once ended (or once cancelled). Called from plain loop
 * code (a key press, a timer, another generation's on_end), on_end comes before this
 * returns. Called from inside a callback (on_state, on_piece, or anything that runs inside
 * libcurl, such as another generation's on_piece), on_end comes later, on a following
 * pass of the loop, once curl has let go of the transfer; no more on_state or on_piece
 * come meanwhile. */
void llm_cancel(struct llm_gen *g, const char *reason);
/* Figures for the status line, at `now_ns` (clock_now_ns). */
void llm_live(const struct llm_gen *g, int64_t now_ns, struct llm_live *out);
/* Cancels if still running (without calling on_end) and frees. */
void llm_gen_free(struct llm_gen *g);

/* A human label for a state ("streaming", "loading model", ...). */
const char *llm_state_name(enum llm_state st);

/* Derived figures of SPEC section 6, each with a presence flag: a figure the server did
 * not send is "not reported", never 0, and nothing divides by zero. */
struct llm_figures {
    int has_throughput;     /* eval_count / eval_duration (s) */
    double throughput;
    int has_prompt_rate;    /* prompt_eval_count / prompt_eval_duration (s) */
    double prompt_rate;
    int has_server_ttft;    /* load + prompt eval: the server-side estimate, ms */
    double server_ttft_ms;
};
void llm_figures(const struct llm_server_metrics *m, enum llm_api api, struct llm_figures *out);

/* The protocol names of --api and the config file: "ollama" (/api/generate),
 * "ollama-chat" (/api/chat) and "openai" (/v1/chat/completions). Sets t->api and t->chat;
 * -1 for another name. */
#define LLM_API_NAMES "ollama, ollama-chat or openai"
int llm_api_parse(const char *name, struct llm_target *t);
/* The name of t's protocol, as llm_api_parse reads it. */
const char *llm_api_name(const struct llm_target *t);

/* --- one-shot requests for the health check and the model picker ----------------------- */

struct llm_info {
    int ok;
    char message[ERR_MSG_MAX];  /* why not: "cannot reach Ollama at ... — start it with ..." */
    char *version;              /* /api/version, or NULL */
    struct llm_model *models;   /* /api/tags (or /v1/models) */
    size_t nmodels;
};

/* GET /api/version (or /v1/models for OpenAI-compatible servers): `done` gets the result
 * once (valid during the call), never from inside libcurl. Returns a handle for
 * llm_query_cancel, or NULL + err (bad URL, an API key that cannot be sent). */
struct llm_query;
struct llm_query *llm_check(struct http *h, const struct llm_target *t,
                            void (*done)(const struct llm_info *info, void *arg), void *arg,
                            struct err *err);
/* GET /api/tags (or /v1/models): the model list. */
struct llm_query *llm_models(struct http *h, const struct llm_target *t,
                             void (*done)(const struct llm_info *info, void *arg), void *arg,
                             struct err *err);
void llm_query_cancel(struct llm_query *q);

#endif
