/* runstats.h: the arithmetic of runs (the style guide's metrics.c): per-call figures,
 * aggregates over calls and runs (mean, sample standard deviation, CV%), and the
 * comparison of two runs the original agent printed. It never formats for the screen.
 *
 * Every figure carries whether it is known: a server that did not report eval_duration
 * gives no throughput, and an aggregate over no known values is unknown, never 0. */
#ifndef SRC_RUNSTATS_H
#define SRC_RUNSTATS_H

#include <stddef.h>

/* A value that may be unknown. */
struct maybe {
    int known;
    double v;
};

/* The figures of one LLM call, in the units the reports use. */
struct call_figures {
    struct maybe ttft_ms;            /* client: request sent -> first answer token */
    struct maybe throughput;         /* server: eval_count / eval_duration, tok/s */
    struct maybe tokens;             /* server: eval_count */
    struct maybe total_duration_ms;  /* server: total_duration */
    struct maybe prompt_eval_ms;     /* server: prompt_eval_duration (llama.cpp: prompt_ms) */
    struct maybe prompt_eval_rate;   /* server: prompt tokens / prompt eval time, tok/s */
    struct maybe eval_ms;            /* server: eval_duration (llama.cpp: predicted_ms) */
    struct maybe load_ms;            /* server: load_duration */
    struct maybe elapsed_ms;         /* client: request sent -> stream end */
    struct maybe live_tok_s;         /* client: pieces after the first / their time */
};

/* Mean and sample standard deviation (n - 1) of the known values; CV% = stddev/mean*100. */
struct spread {
    size_t n;                /* known values */
    struct maybe mean, stddev, cv_percent, min, max;
};

void spread_of(const struct maybe *values, size_t n, struct spread *out);

/* The original agent's aggregate over calls: means of throughput and TTFT (with their
 * spread), sums of tokens and durations. */
struct aggregate {
    struct spread throughput;
    struct spread ttft_ms;
    struct maybe total_tokens;
    struct maybe total_duration_ms;
    struct maybe prompt_eval_ms;
    struct maybe eval_ms;
    struct maybe load_ms;
};

void aggregate_calls(const struct call_figures *calls, size_t n, struct aggregate *out);

/* The original's comparison of two runs (A = baseline, B = candidate):
 * throughput improvement % = (B - A) / A * 100, TTFT reduction % = (A - B) / A * 100,
 * and the absolute deltas (B - A throughput, A - B TTFT). Unknown where an input is. */
struct comparison {
    struct maybe throughput_a, throughput_b, ttft_a_ms, ttft_b_ms;
    struct maybe throughput_improvement_pct, ttft_reduction_pct;
    struct maybe throughput_delta, ttft_delta_ms;
};

void compare_aggregates(const struct aggregate *a, const struct aggregate *b,
                        struct comparison *out);

#endif
