/* workflow.c: the Chimera agent workflow as a state machine on the event loop. */
#include "workflow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "evloop.h"
#include "harvest.h"
#include "inventory.h"
#include "prompts.h"
#include "runout.h"
#include "runstats.h"
#include "xmem.h"

#ifndef CHIMERA_VERSION
#define CHIMERA_VERSION "unknown" /* built outside the Makefile */
#endif

#define WF_SLICE_NS (8 * CLOCK_NS_PER_MS) /* ingest work per pass: keys stay responsive */

/* A finished call, owned by the workflow (run_record borrows from here). */
struct wf_call {
    int run;
    const char *stage;
    char *prompt, *response, *thinking, *message;
    const char *state;
    struct call_figures fig;
    struct llm_server_metrics server;
    double think_ms;
    unsigned long long pieces;
};

struct workflow {
    struct evloop *loop;
    struct http *http;
    struct workflow_params p;
    struct workflow_cb cb;
    char *root, *profile, *out, *base_url, *model, *api_key;
    char **files;

    enum wf_stage stage;
    int run;
    int finished;
    int cancelling;      /* workflow_cancel is saving synchronously */
    uint64_t timer;      /* ingest slices, or the step after a call ended */

    struct llm_query *check;
    struct inv_job *job;
    char *summary;       /* data summary of the current run */
    char *metrics_json;  /* harvested metrics of the current run */
    size_t files_analyzed;

    struct llm_gen *gen;
    struct llm_gen *ended; /* a generation whose on_end ran: freed on the next step */
    char *prompt;
    struct analysis analysis;
    int have_analysis;
    char *report_text;

    int64_t t_run, t_stage;
    double ingest_s, analysis_s, report_s, total_s;
    time_t started;

    struct wf_call *calls;
    size_t ncalls, calls_cap;

    struct workflow_result res;
};

static void wf_next(void *arg);
static void wf_finish(struct workflow *w);

const char *workflow_stage_name(enum wf_stage s)
{
    switch (s) {
    case WF_CHECK:
        return "check";
    case WF_INGEST:
        return "ingest";
    case WF_ANALYSIS:
        return "analysis";
    case WF_REPORT:
        return "report";
    case WF_SAVING:
        return "saving";
    case WF_FINISHED:
        return "finished";
    }
    return "?";
}

static double wf_secs(int64_t from_ns)
{
    return (double)(clock_now_ns() - from_ns) / (double)CLOCK_NS_PER_S;
}

static void wf_set_stage(struct workflow *w, enum wf_stage s)
{
    w->stage = s;
    w->t_stage = clock_now_ns();
    if (w->cb.on_stage != NULL)
        w->cb.on_stage(w, s, w->run, w->cb.arg);
}

/* Note why the run is not complete (the first reason wins: it is the cause). */
static void wf_note(struct workflow *w, const char *msg)
{
    if (w->res.message[0] == '\0')
        snprintf(w->res.message, sizeof w->res.message, "%s", msg);
}

/* --- calls ------------------------------------------------------------------------------ */

static const char *wf_state_word(enum llm_state st)
{
    switch (st) {
    case LLM_DONE:
        return "done";
    case LLM_INCOMPLETE:
        return "incomplete";
    case LLM_STALLED:
        return "stalled";
    case LLM_CANCELLED:
        return "cancelled";
    default:
        return "error";
    }
}

static struct maybe wf_known(int known, double v)
{
    struct maybe m = {known, known ? v : 0};

    return m;
}

/* Keep a finished call with its figures, the client's and the server's apart. */
static void wf_record(struct workflow *w, const struct llm_result *r)
{
    struct wf_call *c;
    struct llm_figures f;
    const struct llm_server_metrics *s = &r->server;

    w->calls = xgrow(w->calls, &w->calls_cap, w->ncalls + 1, sizeof *w->calls);
    c = &w->calls[w->ncalls++];
    memset(c, 0, sizeof *c);
    c->run = w->run;
    c->stage = w->stage == WF_ANALYSIS ? "analysis" : "report";
    c->prompt = xstrdup(w->prompt != NULL ? w->prompt : "");
    c->response = xstrndup(r->text != NULL ? r->text : "", r->text_len);
    c->thinking = r->thinking_len > 0 ? xstrndup(r->thinking, r->thinking_len) : NULL;
    c->state = wf_state_word(r->state);
    c->message = xstrdup(r->message);
    c->server = *s;
    c->think_ms = r->think_ms;
    c->pieces = r->pieces;
    llm_figures(s, r->api, &f);
    c->fig.ttft_ms = wf_known(r->ttft_ms >= 0, r->ttft_ms);
    c->fig.throughput = wf_known(f.has_throughput, f.throughput);
    c->fig.tokens = wf_known(s->has_eval_count, s->eval_count);
    if (!s->has_eval_count && s->has_usage)
        c->fig.tokens = wf_known(1, s->completion_tokens);
    c->fig.total_duration_ms = wf_known(s->has_total_duration, s->total_duration_ns / 1e6);
    c->fig.prompt_eval_ms = wf_known(s->has_prompt_eval_duration, s->prompt_eval_duration_ns / 1e6);
    c->fig.eval_ms = wf_known(s->has_eval_duration, s->eval_duration_ns / 1e6);
    if (w->p.target.api == LLM_API_OPENAI && s->has_timings) {
        /* llama.cpp's server times prefill and decoding itself, in milliseconds */
        c->fig.prompt_eval_ms = wf_known(1, s->prompt_ms);
        c->fig.eval_ms = wf_known(1, s->predicted_ms);
        if (!c->fig.tokens.known)
            c->fig.tokens = wf_known(1, s->predicted_n);
    }
    c->fig.prompt_eval_rate = wf_known(f.has_prompt_rate, f.prompt_rate);
    c->fig.load_ms = wf_known(s->has_load_duration, s->load_duration_ns / 1e6);
    c->fig.elapsed_ms = wf_known(1, r->elapsed_ms);
    c->fig.live_tok_s = wf_known(r->live_tok_s >= 0, r->live_tok_s);
}

static void wf_on_state(struct llm_gen *g, enum llm_state st, void *arg)
{
    (void)g;
    (void)st;
    (void)arg; /* the front-end reads the live state through workflow_status */
}

static void wf_on_piece(struct llm_gen *g, int thinking, const char *text, size_t n, void *arg)
{
    struct workflow *w = arg;

    (void)g;
    if (w->cb.on_piece != NULL)
        w->cb.on_piece(w, thinking, text, n, w->cb.arg);
}

static void wf_on_end(struct llm_gen *g, const struct llm_result *r, void *arg)
{
    struct workflow *w = arg;

    wf_record(w, r);
    if (w->stage == WF_ANALYSIS)
        w->analysis_s = wf_secs(w->t_stage);
    else
        w->report_s = wf_secs(w->t_stage);
    if (w->cb.on_call_end != NULL)
        w->cb.on_call_end(w, w->stage == WF_ANALYSIS ? "analysis" : "report", r, w->cb.arg);
    switch (r->state) {
    case LLM_DONE:
        break;
    case LLM_INCOMPLETE:
        wf_note(w, r->message);
        break;
    case LLM_CANCELLED:
        w->res.cancelled = 1;
        wf_note(w, r->message);
        break;
    default:
        w->res.failed = 1;
        wf_note(w, r->message);
        break;
    }
    /* the generation is inside its own callback: it is freed by the next step */
    w->ended = g;
    w->gen = NULL;
    if (w->stage == WF_ANALYSIS && (r->state == LLM_DONE || r->state == LLM_INCOMPLETE)) {
        if (w->have_analysis)
            analysis_fini(&w->analysis);
        analysis_parse(w->calls[w->ncalls - 1].response, &w->analysis);
        w->have_analysis = 1;
    }
    if (w->stage == WF_REPORT) {
        free(w->report_text);
        w->report_text = xstrdup(w->calls[w->ncalls - 1].response);
    }
    if (!w->cancelling && w->timer == 0)
        w->timer = evloop_add_timer(w->loop, 0, wf_next, w);
}

static void wf_start_call(struct workflow *w, enum wf_stage stage)
{
    struct llm_gen_cb cb = {wf_on_state, wf_on_piece, wf_on_end, w};
    struct err err;

    free(w->prompt);
    if (stage == WF_ANALYSIS) {
        w->prompt = prompts_analysis(w->p.persona != NULL ? w->p.persona->prompt : NULL,
                                     w->summary);
    } else {
        w->prompt = prompts_report(&w->analysis, w->metrics_json);
    }
    wf_set_stage(w, stage);
    w->gen = llm_generate(w->http, &w->p.target, w->prompt, &w->p.opts, &cb, &err);
    if (w->gen == NULL) {
        w->res.failed = 1;
        wf_note(w, err.msg);
        wf_finish(w);
    }
}

/* --- ingest --------------------------------------------------------------------------- */

static void wf_ingest_slice(void *arg)
{
    struct workflow *w = arg;
    struct inventory *inv;

    w->timer = 0;
    if (inventory_step(w->job, clock_now_ns() + WF_SLICE_NS)) {
        w->timer = evloop_add_timer(w->loop, 0, wf_ingest_slice, w);
        return;
    }
    inv = inventory_take(w->job);
    inventory_job_free(w->job);
    w->job = NULL;
    free(w->summary);
    free(w->metrics_json);
    w->summary = inventory_data_summary(inv);
    w->metrics_json = harvest_to_json(&inv->metrics);
    w->files_analyzed = inventory_included(inv);
    inventory_free(inv);
    w->ingest_s = wf_secs(w->t_stage);
    wf_start_call(w, WF_ANALYSIS);
}

static void wf_begin_run(struct workflow *w, int run)
{
    struct err err;

    w->run = run;
    w->t_run = clock_now_ns();
    w->analysis_s = w->report_s = 0;
    wf_set_stage(w, WF_INGEST);
    w->job = inventory_start(w->root, (const char *const *)w->files, w->p.nfiles, &err);
    if (w->job == NULL) {
        w->res.failed = 1;
        wf_note(w, err.msg);
        wf_finish(w);
        return;
    }
    w->timer = evloop_add_timer(w->loop, 0, wf_ingest_slice, w);
}

/* The step after a call ended (outside the generation's callback). */
static void wf_next(void *arg)
{
    struct workflow *w = arg;
    const struct wf_call *last = w->ncalls ? &w->calls[w->ncalls - 1] : NULL;
    int went_on = last != NULL && (strcmp(last->state, "done") == 0 ||
                                   strcmp(last->state, "incomplete") == 0);

    w->timer = 0;
    llm_gen_free(w->ended);
    w->ended = NULL;
    if (!went_on || w->res.cancelled || w->res.failed) {
        wf_finish(w);
        return;
    }
    if (w->stage == WF_ANALYSIS) {
        wf_start_call(w, WF_REPORT);
        return;
    }
    w->total_s = wf_secs(w->t_run);
    w->res.runs_done = w->run;
    if (w->run < w->p.runs) {
        wf_begin_run(w, w->run + 1);
        return;
    }
    wf_finish(w);
}

static void wf_on_check(const struct llm_info *info, void *arg)
{
    struct workflow *w = arg;

    w->check = NULL;
    if (!info->ok) {
        w->res.failed = 1;
        wf_note(w, info->message);
        wf_finish(w);
        return;
    }
    wf_begin_run(w, 1);
}

/* --- outputs -------------------------------------------------------------------------- */

static void wf_aggregate(struct workflow *w)
{
    struct call_figures *figs = xcalloc(w->ncalls ? w->ncalls : 1, sizeof *figs);
    struct aggregate agg;

    for (size_t i = 0; i < w->ncalls; i++)
        figs[i] = w->calls[i].fig;
    aggregate_calls(figs, w->ncalls, &agg);
    w->res.throughput_mean = agg.throughput.mean.known ? agg.throughput.mean.v : NAN;
    w->res.throughput_stddev = agg.throughput.stddev.known ? agg.throughput.stddev.v : NAN;
    w->res.throughput_cv = agg.throughput.cv_percent.known ? agg.throughput.cv_percent.v : NAN;
    w->res.ttft_mean_ms = agg.ttft_ms.mean.known ? agg.ttft_ms.mean.v : NAN;
    w->res.ttft_stddev_ms = agg.ttft_ms.stddev.known ? agg.ttft_ms.stddev.v : NAN;
    w->res.ttft_cv = agg.ttft_ms.cv_percent.known ? agg.ttft_ms.cv_percent.v : NAN;
    free(figs);
}

/* Write report.md and metrics.json of what exists. */
static void wf_save(struct workflow *w)
{
    struct run_record r;
    struct call_record *calls = xcalloc(w->ncalls ? w->ncalls : 1, sizeof *calls);
    char *md, *json;
    struct err err;

    for (size_t i = 0; i < w->ncalls; i++) {
        const struct wf_call *c = &w->calls[i];

        calls[i].run = c->run;
        calls[i].stage = c->stage;
        calls[i].prompt = c->prompt;
        calls[i].response = c->response;
        calls[i].thinking = c->thinking;
        calls[i].state = c->state;
        calls[i].message = c->message;
        calls[i].fig = c->fig;
        calls[i].server = c->server;
        calls[i].think_ms = c->think_ms;
        calls[i].pieces = c->pieces;
    }
    memset(&r, 0, sizeof r);
    r.label = w->p.persona != NULL ? w->p.persona->label : "Chimera Agent";
    r.profile = w->profile;
    r.persona = w->p.persona != NULL ? w->p.persona->name : "";
    r.persona_prompt = w->p.persona != NULL ? w->p.persona->prompt : "";
    r.model = w->model;
    r.host = w->base_url;
    r.api = llm_api_name(&w->p.target);
    r.opts = &w->p.opts;
    r.root = w->root;
    r.files = (const char *const *)w->files;
    r.nfiles_marked = w->p.nfiles;
    r.files_analyzed = w->files_analyzed;
    r.data_summary = w->summary;
    r.metrics_json = w->metrics_json;
    r.analysis = w->have_analysis ? &w->analysis : NULL;
    r.report_text = w->report_text;
    r.ingest_s = w->ingest_s;
    r.analysis_s = w->analysis_s;
    r.report_s = w->report_s;
    r.total_s = w->total_s > 0 ? w->total_s : wf_secs(w->t_run);
    r.calls = calls;
    r.ncalls = w->ncalls;
    r.runs_planned = w->p.runs;
    r.runs_done = w->res.runs_done;
    r.complete = w->res.message[0] == '\0';
    r.incomplete_reason = w->res.message;
    r.started = w->started;
    r.chimera_version = CHIMERA_VERSION;
    w->res.run_dir = runout_make_dir(w->out, w->profile, w->started, &err);
    if (w->res.run_dir == NULL) {
        snprintf(w->res.save_error, sizeof w->res.save_error, "%s", err.msg);
        free(calls);
        return;
    }
    md = runout_report_md(&r);
    json = runout_metrics_json(&r);
    if (runout_write_atomic(w->res.run_dir, "report.md", md, strlen(md), &err) < 0 ||
        runout_write_atomic(w->res.run_dir, "metrics.json", json, strlen(json), &err) < 0)
        snprintf(w->res.save_error, sizeof w->res.save_error, "%s", err.msg);
    free(md);
    free(json);
    free(calls);
}

static void wf_finish(struct workflow *w)
{
    if (w->finished)
        return;
    w->finished = 1;
    if (w->timer != 0) {
        evloop_cancel_timer(w->loop, w->timer);
        w->timer = 0;
    }
    inventory_job_free(w->job);
    w->job = NULL;
    w->res.complete = w->res.message[0] == '\0' && !w->res.failed && !w->res.cancelled;
    wf_aggregate(w);
    /* nothing was read yet: there is nothing to save */
    if (w->summary != NULL) {
        wf_set_stage(w, WF_SAVING);
        wf_save(w);
    }
    wf_set_stage(w, WF_FINISHED);
    if (w->cb.on_done != NULL)
        w->cb.on_done(w, &w->res, w->cb.arg);
}

/* --- life cycle ------------------------------------------------------------------------ */

struct workflow *workflow_start(struct evloop *loop, struct http *http,
                                const struct workflow_params *p, const struct workflow_cb *cb,
                                struct err *err)
{
    struct workflow *w;

    if (p->runs < 1) {
        err_set(err, 0, "--runs must be 1 or more");
        return NULL;
    }
    w = xcalloc(1, sizeof *w);
    w->loop = loop;
    w->http = http;
    w->p = *p;
    if (cb != NULL)
        w->cb = *cb;
    /* own copies: the caller's strings may not live as long as the run */
    w->root = xstrdup(p->root);
    w->profile = xstrdup(p->profile != NULL ? p->profile : "run");
    w->out = p->out != NULL ? xstrdup(p->out) : xasprintf("%s/chimera-runs", p->root);
    w->base_url = xstrdup(p->target.base_url);
    w->model = xstrdup(p->target.model);
    w->api_key = p->target.api_key != NULL ? xstrdup(p->target.api_key) : NULL;
    w->p.target.base_url = w->base_url;
    w->p.target.model = w->model;
    w->p.target.api_key = w->api_key;
    if (p->files != NULL) {
        w->files = xcalloc(p->nfiles + 1, sizeof *w->files);
        for (size_t i = 0; i < p->nfiles; i++)
            w->files[i] = xstrdup(p->files[i]);
    }
    w->started = time(NULL);
    w->t_run = clock_now_ns();
    w->stage = WF_CHECK;
    if (p->skip_check) {
        wf_begin_run(w, 1);
        return w;
    }
    w->check = llm_check(http, &w->p.target, wf_on_check, w, err);
    if (w->check == NULL) {
        workflow_free(w);
        return NULL;
    }
    wf_set_stage(w, WF_CHECK);
    return w;
}

void workflow_cancel(struct workflow *w, const char *reason)
{
    if (w == NULL || w->finished)
        return;
    w->res.cancelled = 1;
    wf_note(w, reason);
    if (w->check != NULL) {
        llm_query_cancel(w->check);
        w->check = NULL;
    }
    if (w->gen != NULL) {
        /* its on_end records the partial call; the save happens right here, so a
         * SIGHUP that ends the program still leaves the report on disk */
        w->cancelling = 1;
        llm_cancel(w->gen, reason);
        w->cancelling = 0;
    }
    wf_finish(w);
}

void workflow_status(const struct workflow *w, struct workflow_status *out)
{
    memset(out, 0, sizeof *out);
    out->stage = w->stage;
    out->run = w->run;
    out->runs = w->p.runs;
    out->gen = w->gen;
    if (w->job != NULL) {
        uint64_t bytes;

        inventory_progress(w->job, &out->ingest_done, &out->ingest_total, &bytes);
    }
    out->ingest_s = w->ingest_s;
    out->analysis_s = w->analysis_s;
    out->report_s = w->report_s;
}

void workflow_free(struct workflow *w)
{
    if (w == NULL)
        return;
    if (w->timer != 0)
        evloop_cancel_timer(w->loop, w->timer);
    if (w->check != NULL)
        llm_query_cancel(w->check);
    llm_gen_free(w->gen);
    llm_gen_free(w->ended);
    inventory_job_free(w->job);
    for (size_t i = 0; i < w->ncalls; i++) {
        free(w->calls[i].prompt);
        free(w->calls[i].response);
        free(w->calls[i].thinking);
        free(w->calls[i].message);
    }
    free(w->calls);
    if (w->have_analysis)
        analysis_fini(&w->analysis);
    if (w->files != NULL) {
        for (size_t i = 0; i < w->p.nfiles; i++)
            free(w->files[i]);
        free(w->files);
    }
    free(w->summary);
    free(w->metrics_json);
    free(w->prompt);
    free(w->report_text);
    free(w->res.run_dir);
    free(w->root);
    free(w->profile);
    free(w->out);
    free(w->base_url);
    free(w->model);
    free(w->api_key);
    free(w);
}
