/* runout.c: the texts a run leaves behind: report.md in the original agent's layout and
 * metrics.json (runout_fs.c puts them on disk).
 *
 * report.md keeps the original's lines byte for byte where it has a figure ("%.2f",
 * tokens as an integer), so reports of both programs read alike and parse alike; what
 * chimera adds (the incomplete banner, "not reported", the Runs section) only appears
 * when it applies. The Metrics section holds the figures of the run whose report is
 * shown (the last run), as the original wrote one report per run; the Runs section and
 * metrics.json's "overall" cover every call of every run. Numbers never depend on the
 * locale: the decimal mark printf uses is replaced by '.'. */
#include "runout.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "buf.h"
#include "jsonw.h"
#include "xmem.h"

/* The outputs copy prompts and answers already in memory; no run comes near this, so
 * reaching it is a bug rather than an error to report. */
#define RUNOUT_BUF_MAX ((size_t)1 << 31)

static const char *runout_s(const char *s)
{
    return s != NULL ? s : "";
}

static void runout_put(struct buf *b, const char *s, size_t n)
{
    if (buf_append(b, s, n) < 0)
        fatal("runout: output larger than %zu bytes", b->max);
}

static void runout_puts(struct buf *b, const char *s)
{
    runout_put(b, s, strlen(s));
}

static void runout_printf(struct buf *b, const char *fmt, ...) ATTR_FORMAT(2, 3);

static void runout_printf(struct buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        fatal("runout: bad format");
    if ((size_t)n < sizeof small) {
        runout_put(b, small, (size_t)n);
        return;
    }
    {
        char *big = xmalloc((size_t)n + 1);

        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        runout_put(b, big, (size_t)n);
        free(big);
    }
}

/* v with `prec` decimals and '.' as the decimal mark whatever LC_NUMERIC says; a value
 * that rounds to zero loses its sign ("-0.00" would read as a measured negative). */
static void runout_fixed(char *out, size_t cap, double v, int prec)
{
    const char *dp = localeconv()->decimal_point;
    char *p;
    int nonzero = 0;

    snprintf(out, cap, "%.*f", prec, v);
    if (dp != NULL && dp[0] != '\0' && strcmp(dp, ".") != 0 && (p = strstr(out, dp)) != NULL) {
        size_t dl = strlen(dp);

        *p = '.';
        memmove(p + 1, p + dl, strlen(p + dl) + 1);
    }
    for (p = out; *p != '\0'; p++)
        if (*p >= '1' && *p <= '9')
            nonzero = 1;
    if (out[0] == '-' && !nonzero)
        memmove(out, out + 1, strlen(out));
}

/* "41.51 tok/s" (prec decimals, then " unit" if any), or "not reported". */
static void runout_figure(struct buf *b, struct maybe m, int prec, const char *unit)
{
    char num[64];

    if (!m.known) {
        runout_puts(b, "not reported");
        return;
    }
    runout_fixed(num, sizeof num, m.v, prec);
    runout_puts(b, num);
    if (unit != NULL) {
        runout_puts(b, " ");
        runout_puts(b, unit);
    }
}

/* Text on one line: line breaks become spaces; in a table cell '|' is escaped too. */
static void runout_inline(struct buf *b, const char *s, int cell)
{
    for (; *s != '\0'; s++) {
        if (*s == '\n' || *s == '\r')
            runout_put(b, " ", 1);
        else if (cell && *s == '|')
            runout_put(b, "\\|", 2);
        else
            runout_put(b, s, 1);
    }
}

/* A fenced code block that the text cannot close early: the fence is longer than any
 * run of backticks inside (three, as the original wrote, in the usual case). */
static void runout_fenced(struct buf *b, const char *text, size_t n)
{
    size_t longest = 0, run = 0, fence;

    for (size_t i = 0; i < n; i++) {
        run = text[i] == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    fence = longest >= 3 ? longest + 1 : 3;
    for (size_t i = 0; i < fence; i++)
        runout_put(b, "`", 1);
    runout_put(b, "\n", 1);
    runout_put(b, text, n);
    runout_put(b, "\n", 1);
    for (size_t i = 0; i < fence; i++)
        runout_put(b, "`", 1);
    runout_put(b, "\n", 1);
}

static void runout_trimmed(const char *s, const char **t, size_t *len)
{
    const char *src = runout_s(s);

    *t = prompts_trim(src, strlen(src), len);
}

/* The calls of the last run: the run number of the last call, and where its calls start
 * (calls come in order, so they are the tail with that number). */
static size_t runout_last_run_start(const struct run_record *r)
{
    size_t i = r->ncalls;

    if (i == 0)
        return 0;
    while (i > 0 && r->calls[i - 1].run == r->calls[r->ncalls - 1].run)
        i--;
    return i;
}

/* aggregate_calls over calls[from..to). */
static void runout_aggregate(const struct call_record *calls, size_t from, size_t to,
                             struct aggregate *out)
{
    struct call_figures *figs = xcalloc(to - from + 1, sizeof *figs);

    for (size_t i = from; i < to; i++)
        figs[i - from] = calls[i].fig;
    aggregate_calls(figs, to - from, out);
    free(figs);
}

static void runout_bullets(struct buf *b, char *const *items, size_t n)
{
    if (n == 0) {
        runout_puts(b, "- None\n");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        runout_puts(b, "- ");
        runout_puts(b, items[i]);
        runout_puts(b, "\n");
    }
}

static int runout_call_done(const struct call_record *c)
{
    return c->state != NULL && strcmp(c->state, "done") == 0;
}

/* "cancelled (stopped by the user)" or "done". */
static void runout_state(struct buf *b, const struct call_record *c, int cell)
{
    runout_inline(b, c->state != NULL ? c->state : "unknown", cell);
    if (c->message != NULL && c->message[0] != '\0') {
        runout_puts(b, " (");
        runout_inline(b, c->message, cell);
        runout_puts(b, ")");
    }
}

static void runout_banner(struct buf *b, const struct run_record *r)
{
    const char *reason = r->incomplete_reason;

    runout_puts(b, "> **Incomplete run:** ");
    runout_inline(b, reason != NULL && reason[0] != '\0' ? reason : "no reason given", 0);
    runout_puts(b, "\n");
    for (size_t i = 0; i < r->ncalls; i++) {
        const struct call_record *c = &r->calls[i];

        if (runout_call_done(c))
            continue;
        runout_printf(b, "> - Run %d, %s call: ", c->run, runout_s(c->stage));
        runout_state(b, c, 0);
        runout_puts(b, "\n");
    }
    runout_puts(b, "\n");
}

static void runout_header(struct buf *b, const struct run_record *r)
{
    char date[32] = "unknown", config[512] = "Ollama defaults";
    struct tm tm;
    const char *label = runout_s(r->label);

    if (localtime_r(&r->started, &tm) != NULL)
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
    if (r->opts != NULL)
        gen_options_describe(r->opts, config, sizeof config);
    runout_printf(b, "# %s\n\n", label);
    if (!r->complete)
        runout_banner(b, r);
    runout_printf(b, "# Technical Report: %s Analysis\n\n", label);
    runout_printf(b, "**Date:** %s\n", date);
    runout_printf(b, "**Agent Type:** %s\n", label);
    runout_printf(b, "**Model:** %s\n", runout_s(r->model));
    runout_printf(b, "**Configuration:** %s\n\n---\n\n", config);
}

static void runout_workflow(struct buf *b, const struct run_record *r)
{
    char total[32], ingest[32], analysis[32], report[32];
    const char *t;
    size_t len;

    runout_fixed(total, sizeof total, r->total_s, 2);
    runout_fixed(ingest, sizeof ingest, r->ingest_s, 2);
    runout_fixed(analysis, sizeof analysis, r->analysis_s, 2);
    runout_fixed(report, sizeof report, r->report_s, 2);
    runout_puts(b, "## Workflow Summary\n");
    runout_printf(b, "- Files analyzed: %zu\n", r->files_analyzed);
    runout_printf(b, "- Execution time: %ss (ingest %ss | analysis %ss | report %ss)\n", total,
                  ingest, analysis, report);
    runout_puts(b, "- Data summary:\n");
    runout_trimmed(r->data_summary, &t, &len);
    runout_fenced(b, t, len);
}

static void runout_metrics(struct buf *b, const struct run_record *r)
{
    struct aggregate agg;

    runout_aggregate(r->calls, runout_last_run_start(r), r->ncalls, &agg);
    runout_puts(b, "## Metrics\n- Throughput: ");
    runout_figure(b, agg.throughput.mean, 2, "tok/s");
    runout_puts(b, "\n- TTFT: ");
    runout_figure(b, agg.ttft_ms.mean, 2, "ms");
    runout_puts(b, "\n- Total Duration: ");
    runout_figure(b, agg.total_duration_ms, 2, "ms");
    runout_puts(b, "\n- Tokens Generated: ");
    runout_figure(b, agg.total_tokens, 0, NULL);
    runout_puts(b, "\n- Prompt Eval: ");
    runout_figure(b, agg.prompt_eval_ms, 2, "ms");
    runout_puts(b, "\n- Eval Duration: ");
    runout_figure(b, agg.eval_ms, 2, "ms");
    runout_puts(b, "\n- Load Duration: ");
    runout_figure(b, agg.load_ms, 2, "ms");
    runout_puts(b, "\n\n");
}

/* "- Throughput: 41.20 ± 0.35 tok/s (CV 0.8%)" */
static void runout_spread_line(struct buf *b, const char *name, const struct spread *s,
                               const char *unit)
{
    runout_printf(b, "- %s: ", name);
    if (!s->mean.known) {
        runout_puts(b, "not reported\n");
        return;
    }
    runout_figure(b, s->mean, 2, NULL);
    runout_puts(b, " \xC2\xB1 ");
    runout_figure(b, s->stddev, 2, NULL);
    runout_printf(b, " %s (CV ", unit);
    if (s->cv_percent.known) {
        runout_figure(b, s->cv_percent, 1, NULL);
        runout_puts(b, "%)\n");
    } else {
        runout_puts(b, "undefined)\n");
    }
}

static void runout_runs(struct buf *b, const struct run_record *r)
{
    struct aggregate all;

    runout_puts(b, "## Runs\n");
    runout_printf(b, "Runs finished: %d of %d\n\n", r->runs_done, r->runs_planned);
    runout_puts(b, "| Run | Stage | TTFT (ms) | Throughput (tok/s) | Tokens | Duration (ms) "
                   "| State |\n");
    runout_puts(b, "|---:|---|---:|---:|---:|---:|---|\n");
    for (size_t i = 0; i < r->ncalls; i++) {
        const struct call_record *c = &r->calls[i];

        runout_printf(b, "| %d | ", c->run);
        runout_inline(b, runout_s(c->stage), 1);
        runout_puts(b, " | ");
        runout_figure(b, c->fig.ttft_ms, 2, NULL);
        runout_puts(b, " | ");
        runout_figure(b, c->fig.throughput, 2, NULL);
        runout_puts(b, " | ");
        runout_figure(b, c->fig.tokens, 0, NULL);
        runout_puts(b, " | ");
        runout_figure(b, c->fig.total_duration_ms, 2, NULL);
        runout_puts(b, " | ");
        runout_state(b, c, 1);
        runout_puts(b, " |\n");
    }
    runout_aggregate(r->calls, 0, r->ncalls, &all);
    runout_printf(b, "\nOver every call of every run (%zu calls):\n", r->ncalls);
    runout_spread_line(b, "Throughput", &all.throughput, "tok/s");
    runout_spread_line(b, "TTFT", &all.ttft_ms, "ms");
    runout_puts(b, "\n");
}

char *runout_report_md(const struct run_record *r)
{
    struct buf b;
    const char *t;
    size_t len;

    buf_init(&b, RUNOUT_BUF_MAX);
    runout_header(&b, r);
    if (r->report_text != NULL) {
        runout_trimmed(r->report_text, &t, &len);
        runout_put(&b, t, len);
    } else {
        runout_puts(&b, "_No report text was received._");
    }
    runout_puts(&b, "\n\n---\n\n");
    runout_workflow(&b, r);
    runout_puts(&b, "\n");
    runout_metrics(&b, r);
    if (r->runs_planned > 1 || r->runs_done > 1)
        runout_runs(&b, r);
    runout_puts(&b, "## Key Findings\n");
    if (r->analysis != NULL)
        runout_bullets(&b, r->analysis->findings, r->analysis->nfindings);
    else
        runout_bullets(&b, NULL, 0);
    runout_puts(&b, "\n## Recommendations\n");
    if (r->analysis != NULL)
        runout_bullets(&b, r->analysis->recs, r->analysis->nrecs);
    else
        runout_bullets(&b, NULL, 0);
    runout_puts(&b, "\n## Persona Prompt\n");
    runout_fenced(&b, runout_s(r->persona_prompt), strlen(runout_s(r->persona_prompt)));
    return buf_steal(&b);
}

/* --- metrics.json (schema in runout.h) ---------------------------------------------------- */

/* {"value": v, "source": src}, or null when unknown */
static void runout_json_figure(struct jsonw *w, struct maybe m, const char *source)
{
    if (!m.known) {
        jsonw_null(w);
        return;
    }
    jsonw_object_begin(w);
    jsonw_key(w, "value");
    jsonw_double(w, m.v);
    jsonw_key(w, "source");
    jsonw_string(w, source);
    jsonw_object_end(w);
}

static void runout_json_maybe(struct jsonw *w, struct maybe m)
{
    if (m.known)
        jsonw_double(w, m.v);
    else
        jsonw_null(w);
}

static void runout_json_spread(struct jsonw *w, const struct spread *s, const char *source)
{
    jsonw_object_begin(w);
    jsonw_key(w, "source");
    jsonw_string(w, source);
    jsonw_key(w, "n");
    jsonw_int(w, (int64_t)s->n);
    jsonw_key(w, "mean");
    runout_json_maybe(w, s->mean);
    jsonw_key(w, "stddev");
    runout_json_maybe(w, s->stddev);
    jsonw_key(w, "cv_percent");
    runout_json_maybe(w, s->cv_percent);
    jsonw_key(w, "min");
    runout_json_maybe(w, s->min);
    jsonw_key(w, "max");
    runout_json_maybe(w, s->max);
    jsonw_object_end(w);
}

static void runout_json_aggregate(struct jsonw *w, const struct call_record *calls, size_t from,
                                  size_t to)
{
    struct aggregate a;

    runout_aggregate(calls, from, to, &a);
    jsonw_object_begin(w);
    jsonw_key(w, "calls");
    jsonw_int(w, (int64_t)(to - from));
    jsonw_key(w, "throughput_tok_s");
    runout_json_spread(w, &a.throughput, "server");
    jsonw_key(w, "ttft_ms");
    runout_json_spread(w, &a.ttft_ms, "client");
    jsonw_key(w, "total_tokens");
    runout_json_figure(w, a.total_tokens, "server");
    jsonw_key(w, "total_duration_ms");
    runout_json_figure(w, a.total_duration_ms, "server");
    jsonw_key(w, "prompt_eval_ms");
    runout_json_figure(w, a.prompt_eval_ms, "server");
    jsonw_key(w, "eval_ms");
    runout_json_figure(w, a.eval_ms, "server");
    jsonw_key(w, "load_ms");
    runout_json_figure(w, a.load_ms, "server");
    jsonw_object_end(w);
}

static void runout_json_opt_num(struct jsonw *w, int has, const char *key, double v)
{
    if (!has)
        return;
    jsonw_key(w, key);
    jsonw_double(w, v);
}

static void runout_json_options(struct jsonw *w, const struct gen_options *o)
{
    jsonw_object_begin(w);
    if (o != NULL) {
        if (o->has_num_gpu) {
            jsonw_key(w, "num_gpu");
            jsonw_int(w, o->num_gpu);
        }
        if (o->has_num_ctx) {
            jsonw_key(w, "num_ctx");
            jsonw_int(w, o->num_ctx);
        }
        runout_json_opt_num(w, o->has_temperature, "temperature", o->temperature);
        runout_json_opt_num(w, o->has_top_p, "top_p", o->top_p);
        if (o->has_top_k) {
            jsonw_key(w, "top_k");
            jsonw_int(w, o->top_k);
        }
        runout_json_opt_num(w, o->has_repeat_penalty, "repeat_penalty", o->repeat_penalty);
        if (o->has_seed) {
            jsonw_key(w, "seed");
            jsonw_int(w, o->seed);
        }
    }
    jsonw_object_end(w);
}

static void runout_json_ns(struct jsonw *w, const char *key, int has, double v)
{
    jsonw_key(w, key);
    if (has)
        jsonw_double(w, v);
    else
        jsonw_null(w);
}

/* What the server sent, in its own units, so nothing derived hides what was measured. */
static void runout_json_server(struct jsonw *w, const struct llm_server_metrics *m)
{
    jsonw_object_begin(w);
    runout_json_ns(w, "total_duration_ns", m->has_total_duration, m->total_duration_ns);
    runout_json_ns(w, "load_duration_ns", m->has_load_duration, m->load_duration_ns);
    runout_json_ns(w, "prompt_eval_count", m->has_prompt_eval_count, m->prompt_eval_count);
    runout_json_ns(w, "prompt_eval_duration_ns", m->has_prompt_eval_duration,
                   m->prompt_eval_duration_ns);
    runout_json_ns(w, "eval_count", m->has_eval_count, m->eval_count);
    runout_json_ns(w, "eval_duration_ns", m->has_eval_duration, m->eval_duration_ns);
    jsonw_key(w, "done_reason");
    jsonw_string_or_null(w, m->done_reason[0] != '\0' ? m->done_reason : NULL);
    jsonw_key(w, "usage");
    if (m->has_usage) {
        jsonw_object_begin(w);
        runout_json_ns(w, "prompt_tokens", 1, m->prompt_tokens);
        runout_json_ns(w, "completion_tokens", 1, m->completion_tokens);
        jsonw_object_end(w);
    } else {
        jsonw_null(w);
    }
    jsonw_key(w, "timings");
    if (m->has_timings) {
        jsonw_object_begin(w);
        runout_json_ns(w, "prompt_n", 1, m->prompt_n);
        runout_json_ns(w, "prompt_ms", 1, m->prompt_ms);
        runout_json_ns(w, "predicted_n", 1, m->predicted_n);
        runout_json_ns(w, "predicted_ms", 1, m->predicted_ms);
        jsonw_object_end(w);
    } else {
        jsonw_null(w);
    }
    jsonw_key(w, "finish_reason");
    jsonw_string_or_null(w, m->finish_reason[0] != '\0' ? m->finish_reason : NULL);
    jsonw_object_end(w);
}

static void runout_json_call(struct jsonw *w, const struct call_record *c)
{
    const struct call_figures *f = &c->fig;
    const struct llm_server_metrics *m = &c->server;
    struct maybe think = {c->think_ms >= 0, c->think_ms};

    jsonw_object_begin(w);
    jsonw_key(w, "run");
    jsonw_int(w, c->run);
    jsonw_key(w, "stage");
    jsonw_string_or_null(w, c->stage);
    jsonw_key(w, "state");
    jsonw_string_or_null(w, c->state);
    jsonw_key(w, "message");
    jsonw_string(w, runout_s(c->message));
    jsonw_key(w, "prompt");
    jsonw_string(w, runout_s(c->prompt));
    jsonw_key(w, "response");
    jsonw_string(w, runout_s(c->response));
    jsonw_key(w, "thinking");
    jsonw_string_or_null(w, c->thinking);
    jsonw_key(w, "answer_pieces");
    jsonw_int(w, (int64_t)c->pieces);
    jsonw_key(w, "figures");
    jsonw_object_begin(w);
    jsonw_key(w, "ttft_ms");
    runout_json_figure(w, f->ttft_ms, "client");
    jsonw_key(w, "think_ms");
    runout_json_figure(w, think, "client");
    jsonw_key(w, "elapsed_ms");
    runout_json_figure(w, f->elapsed_ms, "client");
    jsonw_key(w, "live_tok_s");
    runout_json_figure(w, f->live_tok_s, "client");
    jsonw_key(w, "throughput_tok_s");
    runout_json_figure(w, f->throughput, "server");
    jsonw_key(w, "tokens");
    runout_json_figure(w, f->tokens, "server");
    jsonw_key(w, "total_duration_ms");
    runout_json_figure(w, f->total_duration_ms, "server");
    jsonw_key(w, "prompt_eval_ms");
    runout_json_figure(w, f->prompt_eval_ms, "server");
    jsonw_key(w, "prompt_eval_rate_tok_s");
    runout_json_figure(w, f->prompt_eval_rate, "server");
    jsonw_key(w, "eval_ms");
    runout_json_figure(w, f->eval_ms, "server");
    jsonw_key(w, "load_ms");
    runout_json_figure(w, f->load_ms, "server");
    jsonw_object_end(w);
    jsonw_key(w, "server");
    runout_json_server(w, m);
    jsonw_object_end(w);
}

static void runout_json_strings(struct jsonw *w, char *const *items, size_t n)
{
    jsonw_array_begin(w);
    for (size_t i = 0; i < n; i++)
        jsonw_string(w, items[i]);
    jsonw_array_end(w);
}

static void runout_json_analysis(struct jsonw *w, const struct analysis *a)
{
    if (a == NULL) {
        jsonw_null(w);
        return;
    }
    jsonw_object_begin(w);
    jsonw_key(w, "summary");
    jsonw_string(w, runout_s(a->summary));
    jsonw_key(w, "key_findings");
    runout_json_strings(w, a->findings, a->nfindings);
    jsonw_key(w, "recommendations");
    runout_json_strings(w, a->recs, a->nrecs);
    jsonw_object_end(w);
}

static void runout_json_runs(struct jsonw *w, const struct run_record *r)
{
    size_t from = 0;

    jsonw_array_begin(w);
    while (from < r->ncalls) {
        size_t to = from + 1;

        while (to < r->ncalls && r->calls[to].run == r->calls[from].run)
            to++;
        jsonw_object_begin(w);
        jsonw_key(w, "run");
        jsonw_int(w, r->calls[from].run);
        jsonw_key(w, "aggregate");
        runout_json_aggregate(w, r->calls, from, to);
        jsonw_object_end(w);
        from = to;
    }
    jsonw_array_end(w);
}

static void runout_json_system(struct jsonw *w, const struct run_record *r)
{
    struct utsname u;
    char host[256];
    int have_uname = uname(&u) == 0;

    jsonw_object_begin(w);
    jsonw_key(w, "os");
    if (have_uname) {
        /* "linux", "darwin": the lower-case names the original's std::env::consts::OS
         * gave */
        for (char *p = u.sysname; *p != '\0'; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        jsonw_string(w, u.sysname);
    } else {
        jsonw_null(w);
    }
    jsonw_key(w, "os_release");
    jsonw_string_or_null(w, have_uname ? u.release : NULL);
    jsonw_key(w, "arch");
    jsonw_string_or_null(w, have_uname ? u.machine : NULL);
    jsonw_key(w, "hostname");
    if (gethostname(host, sizeof host) == 0) {
        host[sizeof host - 1] = '\0';
        jsonw_string(w, host);
    } else {
        jsonw_string(w, "unknown-host");
    }
    jsonw_key(w, "chimera_version");
    jsonw_string_or_null(w, r->chimera_version);
    jsonw_object_end(w);
}

static void runout_json_header(struct jsonw *w, const struct run_record *r)
{
    char config[512] = "Ollama defaults", stamp[32] = "";
    struct tm tm;

    if (r->opts != NULL)
        gen_options_describe(r->opts, config, sizeof config);
    if (gmtime_r(&r->started, &tm) != NULL)
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    jsonw_key(w, "schema");
    jsonw_string(w, RUNOUT_SCHEMA);
    jsonw_key(w, "agent_label");
    jsonw_string_or_null(w, r->label);
    jsonw_key(w, "profile");
    jsonw_string_or_null(w, r->profile);
    jsonw_key(w, "persona");
    jsonw_string_or_null(w, r->persona);
    jsonw_key(w, "persona_prompt");
    jsonw_string_or_null(w, r->persona_prompt);
    jsonw_key(w, "model");
    jsonw_string_or_null(w, r->model);
    jsonw_key(w, "host");
    jsonw_string_or_null(w, r->host);
    jsonw_key(w, "api");
    jsonw_string_or_null(w, r->api);
    jsonw_key(w, "options");
    runout_json_options(w, r->opts);
    jsonw_key(w, "configuration");
    jsonw_string(w, config);
    jsonw_key(w, "timestamp");
    jsonw_string(w, stamp);
    jsonw_key(w, "complete");
    jsonw_bool(w, r->complete);
    jsonw_key(w, "incomplete_reason");
    if (r->complete)
        jsonw_null(w);
    else
        jsonw_string(w, r->incomplete_reason != NULL && r->incomplete_reason[0] != '\0'
                            ? r->incomplete_reason
                            : "no reason given");
    jsonw_key(w, "runs_planned");
    jsonw_int(w, r->runs_planned);
    jsonw_key(w, "runs_done");
    jsonw_int(w, r->runs_done);
}

char *runout_metrics_json(const struct run_record *r)
{
    struct buf b;
    struct jsonw w;

    buf_init(&b, RUNOUT_BUF_MAX);
    jsonw_init(&w, &b);
    jsonw_object_begin(&w);
    runout_json_header(&w, r);
    jsonw_key(&w, "root");
    jsonw_string_or_null(&w, r->root);
    jsonw_key(&w, "files");
    if (r->files != NULL) {
        jsonw_array_begin(&w);
        for (size_t i = 0; i < r->nfiles_marked; i++)
            jsonw_string(&w, runout_s(r->files[i]));
        jsonw_array_end(&w);
    } else {
        jsonw_null(&w);
    }
    jsonw_key(&w, "files_analyzed");
    jsonw_int(&w, (int64_t)r->files_analyzed);
    jsonw_key(&w, "data_summary");
    jsonw_string(&w, runout_s(r->data_summary));
    jsonw_key(&w, "harvested_metrics");
    if (r->metrics_json != NULL && r->metrics_json[0] != '\0')
        jsonw_raw_block(&w, r->metrics_json);
    else
        jsonw_null(&w);
    jsonw_key(&w, "workflow");
    jsonw_object_begin(&w);
    jsonw_key(&w, "ingest_s");
    jsonw_double(&w, r->ingest_s);
    jsonw_key(&w, "analysis_s");
    jsonw_double(&w, r->analysis_s);
    jsonw_key(&w, "report_s");
    jsonw_double(&w, r->report_s);
    jsonw_key(&w, "total_s");
    jsonw_double(&w, r->total_s);
    jsonw_object_end(&w);
    jsonw_key(&w, "analysis");
    runout_json_analysis(&w, r->analysis);
    jsonw_key(&w, "report_markdown");
    jsonw_string_or_null(&w, r->report_text);
    jsonw_key(&w, "calls");
    jsonw_array_begin(&w);
    for (size_t i = 0; i < r->ncalls; i++)
        runout_json_call(&w, &r->calls[i]);
    jsonw_array_end(&w);
    jsonw_key(&w, "runs");
    runout_json_runs(&w, r);
    jsonw_key(&w, "overall");
    runout_json_aggregate(&w, r->calls, 0, r->ncalls);
    jsonw_key(&w, "system_info");
    runout_json_system(&w, r);
    jsonw_object_end(&w);
    if (jsonw_finish(&w) < 0)
        fatal("runout: metrics.json larger than %zu bytes", b.max);
    runout_put(&b, "\n", 1);
    return buf_steal(&b);
}
