/* test_runout.c: report.md and metrics.json of fixture runs, the run folder (never
 * overwriting) and atomic writes (no temp file left, no partial target). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "runout.h"
#include "testutil.h"

/* --- fixtures ----------------------------------------------------------------------- */

static struct maybe known(double v)
{
    struct maybe m = {1, v};

    return m;
}

static const struct maybe unknown = {0, 0};

static struct call_record call(int run, const char *stage, double ttft, double tp, double tokens,
                               double total, double pe, double eval, double load)
{
    struct call_record c;

    memset(&c, 0, sizeof c);
    c.run = run;
    c.stage = stage;
    c.prompt = "the prompt";
    c.response = "the answer";
    c.state = "done";
    c.message = "";
    c.think_ms = -1;
    c.pieces = 42;
    c.fig.ttft_ms = known(ttft);
    c.fig.throughput = known(tp);
    c.fig.tokens = known(tokens);
    c.fig.total_duration_ms = known(total);
    c.fig.prompt_eval_ms = known(pe);
    c.fig.eval_ms = known(eval);
    c.fig.prompt_eval_rate = known(120 / (pe / 1e3)); /* workflow.c's llm_figures */
    c.fig.load_ms = known(load);
    c.fig.elapsed_ms = known(total + 12.5);
    c.server.has_eval_count = 1;
    c.server.eval_count = tokens;
    c.server.has_eval_duration = 1;
    c.server.eval_duration_ns = eval * 1e6;
    c.server.has_prompt_eval_count = 1;
    c.server.prompt_eval_count = 120;
    c.server.has_prompt_eval_duration = 1;
    c.server.prompt_eval_duration_ns = pe * 1e6;
    c.server.has_total_duration = 1;
    c.server.total_duration_ns = total * 1e6;
    snprintf(c.server.done_reason, sizeof c.server.done_reason, "stop");
    return c;
}

struct fixture {
    struct gen_options opts;
    struct analysis analysis;
    struct call_record calls[4];
    struct run_record r;
};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    f->opts.has_num_gpu = 1;
    f->opts.num_gpu = 80;
    f->opts.has_num_ctx = 1;
    f->opts.num_ctx = 512;
    f->opts.has_temperature = 1;
    f->opts.temperature = 1;
    f->analysis.summary = strdup("The data set holds three CSV files.");
    f->analysis.findings[0] = strdup("Throughput is stable across runs.");
    f->analysis.nfindings = 1;
    f->analysis.recs[0] = strdup("Collect TTFT in every file.");
    f->analysis.recs[1] = strdup("Remove duplicate runs.");
    f->analysis.nrecs = 2;
    /* means and sums worked out in test_report_md */
    f->calls[0] = call(1, "analysis", 650.123, 41.5149, 1100, 27000.5, 300.25, 26500.001, 294.06);
    f->calls[1] = call(1, "report", 649.877, 41.5051, 1178, 30388.63, 364.13, 28433.44, 0);
    f->calls[1].fig.load_ms = unknown; /* the model was already loaded */
    f->calls[1].server.has_prompt_eval_count = 0;
    f->calls[1].fig.prompt_eval_rate = unknown;

    f->r.label = "Chimera Agent A";
    f->r.profile = "chimera";
    f->r.persona = "collector";
    f->r.persona_prompt = "You are DataCollector-9000.\nList the files.";
    f->r.model = "gemma3:latest";
    f->r.host = "http://127.0.0.1:11434";
    f->r.api = "ollama";
    f->r.opts = &f->opts;
    f->r.root = "/data/bench";
    f->r.files = NULL;
    f->r.files_analyzed = 3;
    f->r.data_summary = "Total files analyzed: 3\n\nCSV Files (3)\n  - reports/a.csv\n"
                        "  - reports/b.csv\n  - reports/c.csv\n"
                        "  Latest modified: 2025-11-14 18:53:30 UTC\n\n";
    f->r.metrics_json = "{\n  \"data_types\": [\n    \"csv\"\n  ],\n"
                        "  \"total_files_analyzed\": 3\n}";
    f->r.analysis = &f->analysis;
    f->r.report_text = "\n\nOkay, here is the report.\n\n# Report\nBody text.\n  ";
    /* rounded to two decimals: 0.01, 24.11, 28.04, 52.16 */
    f->r.ingest_s = 0.0098;
    f->r.analysis_s = 24.1133;
    f->r.report_s = 28.0412;
    f->r.total_s = 52.1643;
    f->r.calls = f->calls;
    f->r.ncalls = 2;
    f->r.runs_planned = 1;
    f->r.runs_done = 1;
    f->r.complete = 1;
    f->r.incomplete_reason = NULL;
    f->r.started = (time_t)tu_utc(2025, 11, 14, 18, 53, 30);
    f->r.chimera_version = "0.1.0";
}

static void fixture_fini(struct fixture *f)
{
    analysis_fini(&f->analysis);
}

/* The whole expected report.md of the complete fixture run. */
static const char expected_report[] =
    "# Chimera Agent A\n"
    "\n"
    "# Technical Report: Chimera Agent A Analysis\n"
    "\n"
    "**Date:** 2025-11-14\n"
    "**Agent Type:** Chimera Agent A\n"
    "**Model:** gemma3:latest\n"
    "**Configuration:** num_gpu=80, num_ctx=512, temp=1, top_p=default, top_k=default, "
    "repeat_penalty=default\n"
    "\n"
    "---\n"
    "\n"
    "Okay, here is the report.\n"
    "\n"
    "# Report\n"
    "Body text.\n"
    "\n"
    "---\n"
    "\n"
    "## Workflow Summary\n"
    "- Files analyzed: 3\n"
    "- Execution time: 52.16s (ingest 0.01s | analysis 24.11s | report 28.04s)\n"
    "- Data summary:\n"
    "```\n"
    "Total files analyzed: 3\n"
    "\n"
    "CSV Files (3)\n"
    "  - reports/a.csv\n"
    "  - reports/b.csv\n"
    "  - reports/c.csv\n"
    "  Latest modified: 2025-11-14 18:53:30 UTC\n"
    "```\n"
    "\n"
    "## Metrics\n"
    "- Throughput: 41.51 tok/s\n"
    "- TTFT: 650.00 ms\n"
    "- Total Duration: 57389.13 ms\n"
    "- Tokens Generated: 2278\n"
    "- Prompt Eval: 664.38 ms\n"
    "- Eval Duration: 54933.44 ms\n"
    "- Load Duration: 294.06 ms\n"
    "\n"
    "## Key Findings\n"
    "- Throughput is stable across runs.\n"
    "\n"
    "## Recommendations\n"
    "- Collect TTFT in every file.\n"
    "- Remove duplicate runs.\n"
    "\n"
    "## Persona Prompt\n"
    "```\n"
    "You are DataCollector-9000.\n"
    "List the files.\n"
    "```\n";

static void test_report_md(void **state)
{
    struct fixture f;
    char *md;

    (void)state;
    fixture_init(&f);
    /* Throughput (41.5149 + 41.5051) / 2 = 41.51; TTFT (650.123 + 649.877) / 2 = 650;
     * Total Duration 27000.5 + 30388.63 = 57389.13; tokens 1100 + 1178 = 2278;
     * Prompt Eval 300.25 + 364.13 = 664.38; Eval 26500.001 + 28433.44 = 54933.441;
     * Load: only the first call reported one, 294.06 */
    md = runout_report_md(&f.r);
    assert_string_equal(md, expected_report);
    free(md);
    fixture_fini(&f);
}

static void test_report_md_locale(void **state)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
                                        "fr_FR.utf8", "nl_NL.UTF-8", "ru_RU.UTF-8"};
    struct fixture f;
    const char *found = NULL;
    char *md;

    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && found == NULL; i++) {
        found = setlocale(LC_NUMERIC, names[i]);
        if (found != NULL && strcmp(localeconv()->decimal_point, ".") == 0)
            found = NULL;
    }
    if (found == NULL) {
        setlocale(LC_NUMERIC, "C");
        skip(); /* no decimal-comma locale installed */
    }
    /* the precondition: printf itself now writes another decimal mark */
    {
        char out[32];

        snprintf(out, sizeof out, "%.2f", 41.51);
        assert_string_not_equal(out, "41.51");
    }
    fixture_init(&f);
    md = runout_report_md(&f.r);
    setlocale(LC_NUMERIC, "C");
    assert_string_equal(md, expected_report);
    free(md);
    fixture_fini(&f);
}

static void test_report_md_incomplete(void **state)
{
    struct fixture f;
    char *md;

    (void)state;
    fixture_init(&f);
    /* the report call was cancelled before the server's final record: nothing from the
     * server, and the analysis call's server figures are all that is known */
    f.calls[1].state = "cancelled";
    f.calls[1].message = "stopped by the user\n(Esc)";
    f.calls[1].fig.throughput = unknown;
    f.calls[1].fig.tokens = unknown;
    f.calls[1].fig.total_duration_ms = unknown;
    f.calls[1].fig.prompt_eval_ms = unknown;
    f.calls[1].fig.eval_ms = unknown;
    f.calls[0].fig.load_ms = unknown;
    f.calls[0].fig.prompt_eval_ms = unknown;
    f.r.complete = 0;
    f.r.incomplete_reason = "cancelled during the report";
    f.r.report_text = NULL;
    f.r.analysis = NULL;
    f.r.opts = NULL;
    f.r.data_summary = "Total files analyzed: 0\n\n";
    f.r.persona_prompt = "Use ```code``` freely.";
    md = runout_report_md(&f.r);
    assert_string_equal(md, "# Chimera Agent A\n"
                            "\n"
                            "> **Incomplete run:** cancelled during the report\n"
                            "> - Run 1, report call: cancelled (stopped by the user (Esc))\n"
                            "\n"
                            "# Technical Report: Chimera Agent A Analysis\n"
                            "\n"
                            "**Date:** 2025-11-14\n"
                            "**Agent Type:** Chimera Agent A\n"
                            "**Model:** gemma3:latest\n"
                            "**Configuration:** Ollama defaults\n"
                            "\n"
                            "---\n"
                            "\n"
                            "_No report text was received._\n"
                            "\n"
                            "---\n"
                            "\n"
                            "## Workflow Summary\n"
                            "- Files analyzed: 3\n"
                            "- Execution time: 52.16s (ingest 0.01s | analysis 24.11s | "
                            "report 28.04s)\n"
                            "- Data summary:\n"
                            "```\n"
                            "Total files analyzed: 0\n"
                            "```\n"
                            "\n"
                            "## Metrics\n"
                            "- Throughput: 41.51 tok/s\n"
                            "- TTFT: 650.00 ms\n"
                            "- Total Duration: 27000.50 ms\n"
                            "- Tokens Generated: 1100\n"
                            "- Prompt Eval: not reported\n"
                            "- Eval Duration: 26500.00 ms\n"
                            "- Load Duration: not reported\n"
                            "\n"
                            "## Key Findings\n"
                            "- None\n"
                            "\n"
                            "## Recommendations\n"
                            "- None\n"
                            "\n"
                            "## Persona Prompt\n"
                            "````\n"
                            "Use ```code``` freely.\n"
                            "````\n");
    free(md);

    /* no call at all (the server refused): every figure is "not reported" */
    f.r.ncalls = 0;
    f.r.incomplete_reason = NULL;
    md = runout_report_md(&f.r);
    assert_non_null(strstr(md, "> **Incomplete run:** no reason given\n\n# Technical"));
    assert_non_null(strstr(md, "## Metrics\n"
                               "- Throughput: not reported\n"
                               "- TTFT: not reported\n"
                               "- Total Duration: not reported\n"
                               "- Tokens Generated: not reported\n"
                               "- Prompt Eval: not reported\n"
                               "- Eval Duration: not reported\n"
                               "- Load Duration: not reported\n\n## Key Findings\n"));
    assert_null(strstr(md, "## Runs"));
    free(md);
    fixture_fini(&f);
}

static void test_report_md_runs(void **state)
{
    struct fixture f;
    char *md;

    (void)state;
    fixture_init(&f);
    /* two of three planned runs; run 2's report call failed */
    f.calls[0] = call(1, "analysis", 500, 40, 100, 1000, 10, 900, 5);
    f.calls[1] = call(1, "report", 700, 44, 200, 2000, 20, 1800, 0);
    f.calls[2] = call(2, "analysis", 600, 42, 150, 1500, 15, 1400, 0);
    f.calls[3] = call(2, "report", 0, 0, 0, 0, 0, 0, 0);
    f.calls[3].state = "error";
    f.calls[3].message = "HTTP 500 | boom";
    f.calls[3].fig = (struct call_figures){0};
    f.calls[2].fig.load_ms = unknown;
    f.calls[1].fig.load_ms = unknown;
    f.r.ncalls = 4;
    f.r.runs_planned = 3;
    f.r.runs_done = 2;
    f.r.complete = 0;
    f.r.incomplete_reason = "the report call of run 2 failed";
    md = runout_report_md(&f.r);
    assert_non_null(strstr(md, "# Chimera Agent A\n\n"
                               "> **Incomplete run:** the report call of run 2 failed\n"
                               "> - Run 2, report call: error (HTTP 500 | boom)\n\n"
                               "# Technical Report"));
    /* Metrics: the last run's calls (run 2): only its analysis call has figures */
    /* Over every call: throughput 40, 44, 42 -> mean 42, squared deviations 4 + 4 + 0 = 8,
     * / (3 - 1) = 4, stddev 2, CV 2 / 42 = 4.76 % -> 4.8; TTFT 500, 700, 600 -> mean 600,
     * 10000 + 10000 + 0 = 20000 / 2 = 10000, stddev 100, CV 16.67 % -> 16.7 */
    assert_non_null(strstr(md, "## Metrics\n"
                               "- Throughput: 42.00 tok/s\n"
                               "- TTFT: 600.00 ms\n"
                               "- Total Duration: 1500.00 ms\n"
                               "- Tokens Generated: 150\n"
                               "- Prompt Eval: 15.00 ms\n"
                               "- Eval Duration: 1400.00 ms\n"
                               "- Load Duration: not reported\n"
                               "\n"
                               "## Runs\n"
                               "Runs finished: 2 of 3\n"
                               "\n"
                               "| Run | Stage | TTFT (ms) | Throughput (tok/s) | Tokens | "
                               "Duration (ms) | State |\n"
                               "|---:|---|---:|---:|---:|---:|---|\n"
                               "| 1 | analysis | 500.00 | 40.00 | 100 | 1000.00 | done |\n"
                               "| 1 | report | 700.00 | 44.00 | 200 | 2000.00 | done |\n"
                               "| 2 | analysis | 600.00 | 42.00 | 150 | 1500.00 | done |\n"
                               "| 2 | report | not reported | not reported | not reported | "
                               "not reported | error (HTTP 500 \\| boom) |\n"
                               "\n"
                               "Over every call of every run (4 calls):\n"
                               "- Throughput: 42.00 \xC2\xB1 2.00 tok/s (CV 4.8%)\n"
                               "- TTFT: 600.00 \xC2\xB1 100.00 ms (CV 16.7%)\n"
                               "\n"
                               "## Key Findings\n"));
    free(md);

    /* planned several, only one done: the section still shows; a single value has a
     * spread of 0 */
    f.r.ncalls = 1;
    f.r.runs_done = 1;
    md = runout_report_md(&f.r);
    assert_non_null(strstr(md, "Runs finished: 1 of 3\n"));
    assert_non_null(strstr(md, "- Throughput: 40.00 \xC2\xB1 0.00 tok/s (CV 0.0%)\n"
                               "- TTFT: 500.00 \xC2\xB1 0.00 ms (CV 0.0%)\n"));
    free(md);

    /* a single planned run has no Runs section */
    f.r.runs_planned = 1;
    md = runout_report_md(&f.r);
    assert_null(strstr(md, "## Runs"));
    free(md);
    fixture_fini(&f);
}

/* --- metrics.json ------------------------------------------------------------------- */

static const cJSON *get(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (v == NULL)
        fail_msg("missing key \"%s\"", key);
    return v;
}

static void assert_str(const cJSON *o, const char *key, const char *want)
{
    const cJSON *v = get(o, key);

    assert_true(cJSON_IsString(v));
    assert_string_equal(v->valuestring, want);
}

static void assert_num(const cJSON *o, const char *key, double want)
{
    const cJSON *v = get(o, key);

    assert_true(cJSON_IsNumber(v));
    assert_true(v->valuedouble == want);
}

static void assert_figure(const cJSON *o, const char *key, double want, const char *source)
{
    const cJSON *v = get(o, key);

    assert_true(cJSON_IsObject(v));
    assert_num(v, "value", want);
    assert_str(v, "source", source);
}

static void assert_null_key(const cJSON *o, const char *key)
{
    assert_true(cJSON_IsNull(get(o, key)));
}

static void test_metrics_json(void **state)
{
    struct fixture f;
    char *json;
    cJSON *root;
    const cJSON *o, *calls, *c0, *c1, *fig, *srv, *agg, *sp;

    (void)state;
    fixture_init(&f);
    json = runout_metrics_json(&f.r);
    root = cJSON_Parse(json);
    assert_non_null(root);

    assert_str(root, "schema", RUNOUT_SCHEMA);
    assert_str(root, "agent_label", "Chimera Agent A");
    assert_str(root, "profile", "chimera");
    assert_str(root, "persona", "collector");
    assert_str(root, "persona_prompt", "You are DataCollector-9000.\nList the files.");
    assert_str(root, "model", "gemma3:latest");
    assert_str(root, "host", "http://127.0.0.1:11434");
    assert_str(root, "api", "ollama");
    assert_str(root, "configuration", "num_gpu=80, num_ctx=512, temp=1, top_p=default, "
                                      "top_k=default, repeat_penalty=default");
    assert_str(root, "timestamp", "2025-11-14T18:53:30Z");
    assert_true(cJSON_IsTrue(get(root, "complete")));
    assert_null_key(root, "incomplete_reason");
    assert_num(root, "runs_planned", 1);
    assert_num(root, "runs_done", 1);
    assert_str(root, "root", "/data/bench");
    assert_null_key(root, "files");
    assert_num(root, "files_analyzed", 3);
    assert_str(root, "data_summary", f.r.data_summary);
    assert_str(root, "report_markdown", f.r.report_text);

    o = get(root, "options");
    assert_num(o, "num_gpu", 80);
    assert_num(o, "num_ctx", 512);
    assert_num(o, "temperature", 1);
    assert_null(cJSON_GetObjectItemCaseSensitive(o, "top_p")); /* unset: absent */
    assert_int_equal(cJSON_GetArraySize(o), 3);

    o = get(root, "harvested_metrics");
    assert_num(o, "total_files_analyzed", 3);
    assert_string_equal(cJSON_GetArrayItem(get(o, "data_types"), 0)->valuestring, "csv");
    o = get(root, "workflow");
    assert_num(o, "ingest_s", 0.0098);
    assert_num(o, "total_s", 52.1643);
    o = get(root, "analysis");
    assert_str(o, "summary", "The data set holds three CSV files.");
    assert_int_equal(cJSON_GetArraySize(get(o, "key_findings")), 1);
    assert_string_equal(cJSON_GetArrayItem(get(o, "recommendations"), 1)->valuestring,
                        "Remove duplicate runs.");

    calls = get(root, "calls");
    assert_int_equal(cJSON_GetArraySize(calls), 2);
    c0 = cJSON_GetArrayItem(calls, 0);
    c1 = cJSON_GetArrayItem(calls, 1);
    assert_num(c0, "run", 1);
    assert_str(c0, "stage", "analysis");
    assert_str(c1, "stage", "report");
    assert_str(c0, "state", "done");
    assert_str(c0, "prompt", "the prompt");
    assert_str(c0, "response", "the answer");
    assert_null_key(c0, "thinking");
    assert_num(c0, "answer_pieces", 42);
    fig = get(c0, "figures");
    assert_figure(fig, "ttft_ms", 650.123, "client");
    assert_figure(fig, "elapsed_ms", 27013.0, "client");
    assert_null_key(fig, "live_tok_s");
    assert_null_key(fig, "think_ms");
    assert_figure(fig, "throughput_tok_s", 41.5149, "server");
    assert_figure(fig, "tokens", 1100, "server");
    assert_figure(fig, "total_duration_ms", 27000.5, "server");
    assert_figure(fig, "prompt_eval_ms", 300.25, "server");
    assert_figure(fig, "eval_ms", 26500.001, "server");
    assert_figure(fig, "load_ms", 294.06, "server");
    /* 120 prompt tokens in 300.25 ms */
    assert_figure(fig, "prompt_eval_rate_tok_s", 120 / (300.25e6 / 1e9), "server");
    fig = get(c1, "figures");
    assert_null_key(fig, "load_ms");
    assert_null_key(fig, "prompt_eval_rate_tok_s"); /* no prompt_eval_count */
    srv = get(c0, "server");
    assert_num(srv, "eval_count", 1100);
    assert_num(srv, "total_duration_ns", 27000.5 * 1e6);
    assert_null_key(srv, "load_duration_ns");
    assert_str(srv, "done_reason", "stop");
    assert_null_key(srv, "usage");
    assert_null_key(srv, "timings");
    assert_null_key(srv, "finish_reason");

    o = get(root, "runs");
    assert_int_equal(cJSON_GetArraySize(o), 1);
    assert_num(cJSON_GetArrayItem(o, 0), "run", 1);
    agg = get(cJSON_GetArrayItem(o, 0), "aggregate");
    assert_num(agg, "calls", 2);
    agg = get(root, "overall");
    assert_num(agg, "calls", 2);
    sp = get(agg, "throughput_tok_s");
    assert_str(sp, "source", "server");
    assert_num(sp, "n", 2);
    assert_true(fabs(get(sp, "mean")->valuedouble - 41.51) < 1e-9);
    assert_true(cJSON_IsNumber(get(sp, "stddev")));
    assert_true(cJSON_IsNumber(get(sp, "cv_percent")));
    assert_num(sp, "min", 41.5051);
    assert_num(sp, "max", 41.5149);
    sp = get(agg, "ttft_ms");
    assert_str(sp, "source", "client");
    assert_true(fabs(get(sp, "mean")->valuedouble - 650) < 1e-9);
    assert_figure(agg, "total_tokens", 2278, "server");
    assert_true(fabs(get(get(agg, "total_duration_ms"), "value")->valuedouble - 57389.13) <
                1e-9);
    assert_figure(agg, "load_ms", 294.06, "server");

    o = get(root, "system_info");
    assert_true(cJSON_IsString(get(o, "os")));
    assert_true(cJSON_IsString(get(o, "arch")));
    assert_true(cJSON_IsString(get(o, "hostname")));
    assert_str(o, "chimera_version", "0.1.0");
    cJSON_Delete(root);
    free(json);
    fixture_fini(&f);
}

static void test_metrics_json_incomplete(void **state)
{
    static const char *const files[] = {"reports/a.csv", "csv_data/b.json"};
    struct fixture f;
    char *json;
    cJSON *root;
    const cJSON *o, *sp, *c1;

    (void)state;
    fixture_init(&f);
    f.calls[1].state = "stalled";
    f.calls[1].message = "no byte for 300 s";
    f.calls[1].thinking = "Let me think \x01 about \xff it";
    f.calls[1].think_ms = 812.5;
    f.calls[1].fig = (struct call_figures){0};
    f.calls[1].server = (struct llm_server_metrics){0};
    f.calls[0].fig.throughput = unknown;
    f.calls[0].fig.ttft_ms = unknown;
    f.r.complete = 0;
    f.r.incomplete_reason = "the report call stalled";
    f.r.analysis = NULL;
    f.r.report_text = NULL;
    f.r.metrics_json = NULL;
    f.r.files = files;
    f.r.nfiles_marked = 2;
    f.r.opts = NULL;
    json = runout_metrics_json(&f.r);
    root = cJSON_Parse(json);
    assert_non_null(root);
    assert_true(cJSON_IsFalse(get(root, "complete")));
    assert_str(root, "incomplete_reason", "the report call stalled");
    assert_null_key(root, "analysis");
    assert_null_key(root, "report_markdown");
    assert_null_key(root, "harvested_metrics");
    assert_str(root, "configuration", "Ollama defaults");
    assert_int_equal(cJSON_GetArraySize(get(root, "options")), 0);
    o = get(root, "files");
    assert_int_equal(cJSON_GetArraySize(o), 2);
    assert_string_equal(cJSON_GetArrayItem(o, 1)->valuestring, "csv_data/b.json");
    c1 = cJSON_GetArrayItem(get(root, "calls"), 1);
    assert_str(c1, "state", "stalled");
    assert_str(c1, "message", "no byte for 300 s");
    /* control characters escaped, invalid UTF-8 replaced: still valid JSON */
    assert_str(c1, "thinking", "Let me think \x01 about \xEF\xBF\xBD it");
    assert_figure(get(c1, "figures"), "think_ms", 812.5, "client");
    assert_null_key(get(c1, "figures"), "tokens");
    assert_null_key(get(c1, "server"), "eval_count");
    assert_null_key(get(c1, "server"), "done_reason");
    /* nothing known about throughput or TTFT: null figures, never 0 */
    sp = get(get(root, "overall"), "throughput_tok_s");
    assert_num(sp, "n", 0);
    assert_null_key(sp, "mean");
    assert_null_key(sp, "stddev");
    assert_null_key(sp, "cv_percent");
    assert_null_key(sp, "min");
    assert_null_key(get(get(root, "overall"), "ttft_ms"), "mean");
    /* the finished call's tokens still count */
    assert_figure(get(root, "overall"), "total_tokens", 1100, "server");
    cJSON_Delete(root);
    free(json);

    /* no calls at all */
    f.r.ncalls = 0;
    json = runout_metrics_json(&f.r);
    root = cJSON_Parse(json);
    assert_non_null(root);
    assert_int_equal(cJSON_GetArraySize(get(root, "calls")), 0);
    assert_int_equal(cJSON_GetArraySize(get(root, "runs")), 0);
    assert_num(get(root, "overall"), "calls", 0);
    assert_null_key(get(root, "overall"), "total_tokens");
    cJSON_Delete(root);
    free(json);
    fixture_fini(&f);
}

static void test_metrics_json_runs(void **state)
{
    struct fixture f;
    char *json;
    cJSON *root;
    const cJSON *runs, *a;

    (void)state;
    fixture_init(&f);
    f.calls[0] = call(1, "analysis", 500, 40, 100, 1000, 10, 900, 5);
    f.calls[1] = call(1, "report", 700, 44, 200, 2000, 20, 1800, 0);
    f.calls[2] = call(2, "analysis", 600, 42, 150, 1500, 15, 1400, 0);
    f.calls[3] = call(2, "report", 800, 46, 250, 2500, 25, 2300, 0);
    f.r.ncalls = 4;
    f.r.runs_planned = 2;
    f.r.runs_done = 2;
    json = runout_metrics_json(&f.r);
    root = cJSON_Parse(json);
    assert_non_null(root);
    runs = get(root, "runs");
    assert_int_equal(cJSON_GetArraySize(runs), 2);
    /* run 2: throughput 42, 46 -> mean 44; tokens 150 + 250 = 400 */
    a = get(cJSON_GetArrayItem(runs, 1), "aggregate");
    assert_num(cJSON_GetArrayItem(runs, 1), "run", 2);
    assert_num(get(a, "throughput_tok_s"), "mean", 44);
    assert_figure(a, "total_tokens", 400, "server");
    /* overall: 40 44 42 46 -> mean 43; tokens 700 */
    a = get(root, "overall");
    assert_num(a, "calls", 4);
    assert_num(get(a, "throughput_tok_s"), "mean", 43);
    assert_num(get(a, "throughput_tok_s"), "n", 4);
    assert_figure(a, "total_tokens", 700, "server");
    cJSON_Delete(root);
    free(json);
    fixture_fini(&f);
}

/* --- the run folder ----------------------------------------------------------------- */

static void test_make_dir(void **state)
{
    char *tmp = tu_mkdtemp(), *out = tu_join(tmp, "runs/deep"), *a, *b, *c, *want, *mark;
    time_t when = (time_t)tu_utc(2025, 11, 14, 18, 53, 30);
    struct err err;
    struct stat st;

    (void)state;
    err_clear(&err);
    /* <out> is created as needed */
    a = runout_make_dir(out, "chimera", when, &err);
    assert_non_null(a);
    want = tu_join(out, "20251114-185330-chimera");
    assert_string_equal(a, want);
    free(want);
    assert_int_equal(stat(a, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    tu_write(a, "report.md", "earlier run", (size_t)-1, 0);

    /* the same second again: never the same folder */
    b = runout_make_dir(out, "chimera", when, &err);
    assert_non_null(b);
    want = tu_join(out, "20251114-185330-chimera-2");
    assert_string_equal(b, want);
    free(want);
    c = runout_make_dir(out, "chimera", when, &err);
    assert_non_null(c);
    want = tu_join(out, "20251114-185330-chimera-3");
    assert_string_equal(c, want);
    free(want);
    mark = tu_join(a, "report.md");
    {
        char *text = tu_read(mark, NULL);

        assert_string_equal(text, "earlier run");
        free(text);
    }
    free(mark);
    free(a);
    free(b);
    free(c);

    /* a profile name cannot make a path or a hidden folder */
    a = runout_make_dir(out, "../x", when, &err);
    assert_non_null(a);
    want = tu_join(out, "20251114-185330-_._x");
    assert_string_equal(a, want);
    free(want);
    free(a);

    /* <out> is a file: a clear error naming it */
    tu_write(tmp, "file", "x", (size_t)-1, 0);
    free(out);
    out = tu_join(tmp, "file");
    assert_null(runout_make_dir(out, "chimera", when, &err));
    assert_int_equal(err.code, ENOTDIR);
    assert_non_null(strstr(err.msg, out));
    free(out);
    out = tu_join(tmp, "file/sub");
    assert_null(runout_make_dir(out, "chimera", when, &err));
    assert_int_equal(err.code, ENOTDIR);
    assert_non_null(strstr(err.msg, "file"));
    free(out);

    tu_rmtree(tmp);
    free(tmp);
}

static void test_make_dir_readonly(void **state)
{
    char *tmp, *out;
    struct err err;

    (void)state;
    if (geteuid() == 0)
        skip(); /* root ignores permission bits */
    tmp = tu_mkdtemp();
    out = tu_join(tmp, "ro");
    tu_mkdir(tmp, "ro");
    assert_int_equal(chmod(out, 0555), 0);
    assert_null(runout_make_dir(out, "chimera", 0, &err));
    assert_int_equal(err.code, EACCES);
    assert_non_null(strstr(err.msg, out));
    free(out);
    tu_rmtree(tmp);
    free(tmp);
}

/* --- atomic writes ------------------------------------------------------------------ */

/* Entries of `dir` whose name starts with '.' (the temp files), besides . and .. */
static int hidden_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void test_write_atomic(void **state)
{
    char *tmp = tu_mkdtemp(), *path = tu_join(tmp, "report.md"), *text;
    struct err err;
    struct stat st;
    size_t len;
    mode_t old = umask(022);

    (void)state;
    err_clear(&err);
    assert_int_equal(runout_write_atomic(tmp, "report.md", "first\n", 6, &err), 0);
    text = tu_read(path, &len);
    assert_int_equal(len, 6);
    assert_memory_equal(text, "first\n", 6);
    free(text);
    assert_int_equal(hidden_entries(tmp), 0);
    /* the permissions of an ordinary new file, not mkstemp's 0600 */
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    /* replacing: the new text whole, nothing of the old */
    assert_int_equal(runout_write_atomic(tmp, "report.md", "second, longer\n", 15, &err), 0);
    text = tu_read(path, &len);
    assert_int_equal(len, 15);
    assert_memory_equal(text, "second, longer\n", 15);
    free(text);

    /* empty data and embedded NULs are written as given */
    assert_int_equal(runout_write_atomic(tmp, "empty", "", 0, &err), 0);
    assert_int_equal(runout_write_atomic(tmp, "bin", "a\0b", 3, &err), 0);
    free(path);
    path = tu_join(tmp, "bin");
    text = tu_read(path, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(text, "a\0b", 3);
    free(text);
    assert_int_equal(hidden_entries(tmp), 0);
    umask(old);
    free(path);
    tu_rmtree(tmp);
    free(tmp);
}

static void test_write_atomic_failures(void **state)
{
    char *tmp = tu_mkdtemp(), *dir, *target;
    struct err err;
    struct stat st;

    (void)state;
    /* the folder's parent is a file: ENOTDIR, and the message names the file */
    tu_write(tmp, "file", "x", (size_t)-1, 0);
    dir = tu_join(tmp, "file/sub");
    err_clear(&err);
    assert_int_equal(runout_write_atomic(dir, "metrics.json", "{}", 2, &err), -1);
    assert_int_equal(err.code, ENOTDIR);
    assert_non_null(strstr(err.msg, "file/sub/metrics.json"));
    assert_non_null(strstr(err.msg, strerror(ENOTDIR)));
    free(dir);

    /* the folder does not exist */
    dir = tu_join(tmp, "missing");
    assert_int_equal(runout_write_atomic(dir, "report.md", "x", 1, &err), -1);
    assert_int_equal(err.code, ENOENT);
    free(dir);

    /* the final name is a folder: the rename fails after the data was written; the temp
     * file is gone and the folder is untouched */
    tu_write(tmp, "report.md/keep", "kept", (size_t)-1, 0);
    assert_int_equal(runout_write_atomic(tmp, "report.md", "data", 4, &err), -1);
    assert_non_null(strstr(err.msg, "report.md"));
    assert_non_null(strstr(err.msg, "rename"));
    assert_int_equal(hidden_entries(tmp), 0);
    target = tu_join(tmp, "report.md");
    assert_int_equal(stat(target, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    free(target);

    /* a read-only folder (root ignores the bits, so only checked for other users) */
    if (geteuid() != 0) {
        tu_mkdir(tmp, "ro");
        dir = tu_join(tmp, "ro");
        assert_int_equal(chmod(dir, 0555), 0);
        assert_int_equal(runout_write_atomic(dir, "report.md", "x", 1, &err), -1);
        assert_int_equal(err.code, EACCES);
        assert_non_null(strstr(err.msg, "ro/report.md"));
        target = tu_join(dir, "report.md");
        assert_int_equal(stat(target, &st), -1);
        free(target);
        free(dir);
    }
    tu_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_md),
        cmocka_unit_test(test_report_md_locale),
        cmocka_unit_test(test_report_md_incomplete),
        cmocka_unit_test(test_report_md_runs),
        cmocka_unit_test(test_metrics_json),
        cmocka_unit_test(test_metrics_json_incomplete),
        cmocka_unit_test(test_metrics_json_runs),
        cmocka_unit_test(test_make_dir),
        cmocka_unit_test(test_make_dir_readonly),
        cmocka_unit_test(test_write_atomic),
        cmocka_unit_test(test_write_atomic_failures),
    };

    /* dates and folder names are local time: pin it (a POSIX TZ string needs no tzdata) */
    setenv("TZ", "UTC0", 1);
    tzset();
    setlocale(LC_NUMERIC, "C");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
