/* runout.h: what a run leaves on disk (SPEC section 5 step 7): a new folder
 * <out>/<YYYYmmdd-HHMMSS>-<profile>/ holding report.md in the original agent's layout and
 * metrics.json with everything measured, each written atomically (temp file, fsync,
 * rename, fsync of the folder). An earlier run is never overwritten. A cancelled, failed
 * or interrupted run still writes what it has, marked incomplete with the reason.
 *
 * report.md:
 *     # <agent label>
 *
 *     # Technical Report: <label> Analysis
 *
 *     **Date:** YYYY-mm-dd
 *     **Agent Type:** <label>
 *     **Model:** <model>
 *     **Configuration:** <gen_options_describe>
 *
 *     ---
 *
 *     <the model's report, trimmed>
 *
 *     ---
 *
 *     ## Workflow Summary
 *     - Files analyzed: N
 *     - Execution time: 52.16s (ingest 0.01s | analysis 24.11s | report 28.04s)
 *     - Data summary:
 *     ```
 *     <data summary, trimmed>
 *     ```
 *
 *     ## Metrics
 *     - Throughput: 41.51 tok/s          (server: eval_count / eval_duration, mean of calls)
 *     - TTFT: 650.12 ms                  (measured by chimera, mean of calls)
 *     - Total Duration: 57389.13 ms      (server total_duration, summed)
 *     - Tokens Generated: 2278
 *     - Prompt Eval: 664.38 ms
 *     - Eval Duration: 54933.44 ms
 *     - Load Duration: 294.06 ms
 *
 *     ## Key Findings
 *     - ...                              ("- None" when there are none)
 *
 *     ## Recommendations
 *     - ...
 *
 *     ## Persona Prompt
 *     ```
 *     <persona prompt>
 *     ```
 * A figure the server did not report reads "not reported" (never 0). With several runs a
 * "## Runs" section follows Metrics: per run and call its figures, then mean ± stddev and
 * CV% of throughput and TTFT. An incomplete run starts with a line
 * "> **Incomplete run:** <reason>" under the title, and calls that did not finish say so.
 * Metrics hold the calls of the last run (the one whose report is shown, as the original
 * wrote one report per run); the Runs section's mean ± stddev is over every call of every
 * run (as workflow_result's figures).
 *
 * metrics.json (RUNOUT_SCHEMA): one object. A *figure* is {"value": <number>, "source":
 * "client"|"server"} ("client": measured by chimera; "server": as the server reported it,
 * converted to ms / tok/s) or null when not reported. A *spread* is {"source", "n" (known
 * values), "mean", "stddev" (sample, n-1; 0 for one value), "cv_percent", "min", "max"},
 * each a number or null. An *aggregate* is {"calls", "throughput_tok_s": spread,
 * "ttft_ms": spread, "total_tokens", "total_duration_ms", "prompt_eval_ms", "eval_ms",
 * "load_ms": figures summed over the calls that reported them}.
 *   schema, agent_label, profile, persona, persona_prompt, model, host, api: strings
 *   options: the generation options that are set, with their JSON types ({} = defaults)
 *   configuration: the Configuration line; timestamp: start, UTC "YYYY-mm-ddTHH:MM:SSZ"
 *   complete: bool; incomplete_reason: string, or null when complete
 *   runs_planned, runs_done: integers; root: string; files: marked files, or null
 *   files_analyzed: integer; data_summary: string; harvested_metrics: the object the
 *   report prompt carried, or null; workflow: {ingest_s, analysis_s, report_s, total_s}
 *   analysis: {summary, key_findings: [..], recommendations: [..]}, or null
 *   report_markdown: the model's report as received, or null
 *   calls: [{run, stage, state, message, prompt, response, thinking (or null),
 *            answer_pieces, figures: {ttft_ms, think_ms, elapsed_ms, live_tok_s (client);
 *            throughput_tok_s, tokens, total_duration_ms, prompt_eval_ms,
 *            prompt_eval_rate_tok_s, eval_ms, load_ms (server)},
 *            server: the raw report {total_duration_ns, load_duration_ns,
 *            prompt_eval_count, prompt_eval_duration_ns, eval_count, eval_duration_ns,
 *            done_reason, usage: {prompt_tokens, completion_tokens} | null,
 *            timings: {prompt_n, prompt_ms, predicted_n, predicted_ms} | null,
 *            finish_reason}, absent values null}]
 *   runs: [{run, aggregate}] (the last one is report.md's Metrics)
 *   overall: the aggregate of every call of every run
 *   system_info: {os, os_release, arch, hostname, chimera_version} */
#ifndef SRC_RUNOUT_H
#define SRC_RUNOUT_H

#include <stddef.h>
#include <time.h>

#include "attrs.h"
#include "config.h"
#include "err.h"
#include "llmproto.h"
#include "prompts.h"
#include "runstats.h"

#define RUNOUT_SCHEMA "chimera.metrics/1"

/* One LLM call as it ended. Strings are borrowed. */
struct call_record {
    int run;                     /* 1-based */
    const char *stage;           /* "analysis" or "report" */
    const char *prompt;
    const char *response;        /* may be partial */
    const char *thinking;        /* may be NULL */
    const char *state;           /* "done", "incomplete", "error", "stalled", "cancelled" */
    const char *message;         /* why it did not finish, or "" */
    struct call_figures fig;
    struct llm_server_metrics server; /* as reported, with presence flags */
    double think_ms;             /* -1 when the model did not think */
    unsigned long long pieces;   /* answer pieces received */
};

/* One run of the workflow (or the last of several) with everything the outputs need.
 * Strings and arrays are borrowed. */
struct run_record {
    const char *label;           /* "Chimera Agent A" */
    const char *profile;         /* "chimera" */
    const char *persona;         /* persona name */
    const char *persona_prompt;
    const char *model;
    const char *host;            /* resolved URL */
    const char *api;             /* "ollama" or "openai" */
    const struct gen_options *opts;
    const char *root;            /* the folder analysed */
    const char *const *files;    /* the marked files, or NULL for the ingest walk */
    size_t nfiles_marked;
    size_t files_analyzed;
    const char *data_summary;
    const char *metrics_json;    /* harvest_to_json of the inventory */
    const struct analysis *analysis; /* of the last run that got one (may be NULL) */
    const char *report_text;     /* the model's report of that run (may be NULL/partial) */
    double ingest_s, analysis_s, report_s, total_s; /* of that run */
    const struct call_record *calls; /* every call of every run, in order */
    size_t ncalls;
    int runs_planned, runs_done;
    int complete;                /* 0: incomplete_reason says why */
    const char *incomplete_reason;
    time_t started;              /* wall clock: folder name, Date */
    const char *chimera_version;
};

/* The report.md text described above. Free it. */
char *runout_report_md(const struct run_record *r);
/* metrics.json: agent label, model, host, api, options, persona, root and files, every
 * call (stage, prompt, response, state, client and server figures with their source),
 * per-run and overall aggregates, workflow timings, complete/incomplete with the reason,
 * timestamp, system info (os, arch, hostname, chimera version). Free it. */
char *runout_metrics_json(const struct run_record *r);

/* Create <out>/<YYYYmmdd-HHMMSS>-<profile> (local time of `when`), and <out> itself if
 * needed; if that name exists, -2, -3, ... is appended: an earlier run is never touched.
 * Returns the new folder's path (free it), or NULL with `err` naming the folder and the
 * reason (read-only, full disk, ...). */
char *runout_make_dir(const char *out, const char *profile, time_t when, struct err *err);
/* Write dir/name atomically: dir/.name.tmp-XXXXXX, fsync, rename, fsync(dir). A failure
 * (ENOSPC, EROFS, ...) leaves no partial file under `name` and says which file failed. */
int runout_write_atomic(const char *dir, const char *name, const char *data, size_t len,
                        struct err *err) ATTR_WUR;

#endif
