/* run.c: starting, following and ending analysis runs from the TUI: `a` (marked files, or
 * the folder under the cursor), `A` (the whole root), `r` (the last one again), Esc. The
 * workflow itself is src/workflow.c, the same code `chimera report` runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "clock.h"
#include "evloop.h"
#include "fmt.h"
#include "http.h"
#include "xmem.h"

#define RUN_TICK_MS 100 /* counters refresh about ten times a second */

void run_target(const struct app *app, struct llm_target *t)
{
    memset(t, 0, sizeof *t);
    t->base_url = app->host.url;
    (void)llm_api_parse(app->cfg.api, t); /* checked where it was read; else Ollama */
    t->model = app->cfg.model;
    t->api_key = getenv("CHIMERA_API_KEY");
    t->stall_s = app->cfg.stall_timeout_s;
}

const struct persona *run_persona(const struct app *app)
{
    const struct profile *p = config_profile(&app->cfg, app->profile);

    return p != NULL ? config_persona(&app->cfg, p->persona) : NULL;
}

int run_active(const struct app *app)
{
    return app->wf != NULL;
}

/* --- the start-up health check --------------------------------------------------------- */

static void run_on_check(const struct llm_info *info, void *arg)
{
    struct app *app = arg;

    app->check = NULL;
    app->server_ok = info->ok;
    if (info->ok)
        snprintf(app->server_msg, sizeof app->server_msg, "%s%s", info->version ? "Ollama " : "",
                 info->version ? info->version : "server ok");
    else
        snprintf(app->server_msg, sizeof app->server_msg, "%s", info->message);
    /* an unreachable server is said in the report pane (warning colour), not in the status
     * line: browsing needs no server, and marks and messages must stay visible; a run
     * checks again and stops with the message */
    app_dirty(app);
}

void run_check_server(struct app *app)
{
    struct llm_target t;
    struct err err;

    if (app->check != NULL)
        llm_query_cancel(app->check);
    run_target(app, &t);
    app->server_ok = 0;
    snprintf(app->server_msg, sizeof app->server_msg, "checking %s", t.base_url);
    app->check = llm_check(app->http, &t, run_on_check, app, &err);
    if (app->check == NULL)
        snprintf(app->server_msg, sizeof app->server_msg, "%s", err.msg);
}

/* --- live counters ---------------------------------------------------------------------- */

static void run_tick(void *arg)
{
    struct app *app = arg;

    app->tick_timer = 0;
    app_dirty(app);
    if (app->wf != NULL)
        app->tick_timer = evloop_add_timer(app->loop, RUN_TICK_MS, run_tick, app);
}

static void run_free_old(void *arg)
{
    struct app *app = arg;

    app->wf_free_timer = 0;
    workflow_free(app->wf_old);
    app->wf_old = NULL;
}

/* --- workflow callbacks --------------------------------------------------------------- */

static void run_on_stage(struct workflow *w, enum wf_stage stage, int run, void *arg)
{
    struct app *app = arg;
    struct workflow_status st;

    workflow_status(w, &st);
    if (stage == WF_ANALYSIS || stage == WF_REPORT) {
        char title[96];

        snprintf(title, sizeof title, "%s %d/%d", workflow_stage_name(stage), run, st.runs);
        report_view_section(&app->report, title);
    }
    app_dirty(app);
}

static void run_on_piece(struct workflow *w, int thinking, const char *text, size_t n, void *arg)
{
    struct app *app = arg;

    (void)w;
    report_view_append(&app->report, thinking, text, n);
    app_dirty(app);
}

/* Every figure of a finished call, each saying where it comes from (SPEC section 6): what
 * chimera measured, and what the server reported or "not reported". */
static void run_figures_note(struct app *app, const char *stage, const struct llm_result *res,
                             const struct llm_figures *f)
{
    const struct llm_server_metrics *m = &res->server;
    const char *sep = app->draw.g->sep;
    char line[640], a[64], b[64], c[64], d[64], e[64], g[64];

    if (res->ttft_ms >= 0)
        snprintf(a, sizeof a, "%.0f ms", res->ttft_ms);
    else
        snprintf(a, sizeof a, "no token");
    if (res->live_tok_s >= 0)
        snprintf(b, sizeof b, "%.1f tok/s", res->live_tok_s);
    else
        snprintf(b, sizeof b, "n/a");
    snprintf(line, sizeof line, "%s: chimera measured TTFT %s%slive %s%s%.1f s", stage, a, sep, b,
             sep, res->elapsed_ms / 1000.0);
    report_view_note(&app->report, line);
    if (f->has_throughput)
        snprintf(c, sizeof c, "%.2f tok/s", f->throughput);
    else
        snprintf(c, sizeof c, "not reported");
    if (f->has_prompt_rate)
        snprintf(d, sizeof d, "%.1f tok/s", f->prompt_rate);
    else
        snprintf(d, sizeof d, "not reported");
    if (m->has_load_duration)
        snprintf(e, sizeof e, "%.0f ms", m->load_duration_ns / 1e6);
    else
        snprintf(e, sizeof e, "not reported");
    if (m->has_total_duration)
        snprintf(g, sizeof g, "%.2f s", m->total_duration_ns / 1e9);
    else
        snprintf(g, sizeof g, "not reported");
    if (m->has_eval_count)
        snprintf(a, sizeof a, "%.0f tokens", m->eval_count);
    else
        snprintf(a, sizeof a, "tokens not reported");
    snprintf(line, sizeof line, "%s: server reported eval %s%sprompt eval %s%sload %s%stotal %s%s%s",
             stage, c, sep, d, sep, e, sep, g, sep, a);
    report_view_note(&app->report, line);
}

/* "TTFT 652 ms (chimera) · 41.2 tok/s (server: eval_count/eval_duration)" */
static void run_on_call_end(struct workflow *w, const char *stage, const struct llm_result *res,
                            void *arg)
{
    struct app *app = arg;
    struct llm_figures f;
    char ttft[32], tp[32], pieces[32];

    (void)w;
    llm_figures(&res->server, res->api, &f);
    if (res->ttft_ms >= 0)
        snprintf(ttft, sizeof ttft, "%.0f ms", res->ttft_ms);
    else
        snprintf(ttft, sizeof ttft, "none");
    if (f.has_throughput)
        snprintf(tp, sizeof tp, "%.1f tok/s", f.throughput);
    else
        snprintf(tp, sizeof tp, "not reported");
    if (res->server.has_eval_count)
        snprintf(pieces, sizeof pieces, "%.0f tok", res->server.eval_count);
    else
        snprintf(pieces, sizeof pieces, "%llu pieces", (unsigned long long)res->pieces);
    snprintf(app->last_call, sizeof app->last_call,
             "%s: TTFT %s (chimera)%sthroughput %s (server)%s%s", stage, ttft, app->draw.g->sep, tp,
             app->draw.g->sep, pieces);
    if (res->state != LLM_DONE)
        report_view_note(&app->report, res->message);
    run_figures_note(app, stage, res, &f);
}

static void run_on_done(struct workflow *w, const struct workflow_result *res, void *arg)
{
    struct app *app = arg;

    (void)w;
    snprintf(app->run_state, sizeof app->run_state, "%s",
             res->complete ? "done" : res->cancelled ? "cancelled" : res->failed ? "error"
                                                                                 : "incomplete");
    if (res->run_dir != NULL && res->save_error[0] == '\0') {
        char *note = xasprintf("saved %s/report.md%s", res->run_dir,
                               res->complete ? "" : " (marked incomplete)");

        report_view_note(&app->report, note);
        app_message(app, res->complete ? MSG_OK : MSG_ERROR, "%s%s%s", res->complete ? "" : res->message,
                    res->complete ? "" : " — ", note);
        free(note);
    } else if (res->save_error[0] != '\0') {
        report_view_note(&app->report, res->save_error);
        app_message(app, MSG_ERROR, "the run could not be saved: %s", res->save_error);
    } else {
        app_message(app, MSG_ERROR, "%s", res->message[0] ? res->message : "nothing to save");
    }
    /* a finished report following by pages may show a nearly empty page: fill the pane */
    if (app->report.follow)
        report_view_follow(&app->report);
    /* the workflow is in one of its own calls: free it on the next pass */
    app->wf_old = app->wf;
    app->wf = NULL;
    if (app->wf_free_timer == 0)
        app->wf_free_timer = evloop_add_timer(app->loop, 0, run_free_old, app);
    if (app->quit_after_run)
        evloop_stop(app->loop);
    app_dirty(app);
}

/* --- starting ---------------------------------------------------------------------------- */

static void run_launch(struct app *app, const char *root, char **files, size_t nfiles)
{
    struct workflow_params p;
    struct workflow_cb cb = {run_on_stage, run_on_piece, run_on_call_end, run_on_done, app};
    const struct persona *persona = run_persona(app);
    struct err err;

    if (persona == NULL) {
        app_message(app, MSG_ERROR, "profile '%s' has no persona: check the config file",
                    app->profile);
        return;
    }
    memset(&p, 0, sizeof p);
    p.root = root;
    p.files = (const char *const *)files;
    p.nfiles = nfiles;
    p.profile = app->profile;
    p.persona = persona;
    p.opts = app->opts_gen;
    run_target(app, &p.target);
    /* runs go to the tree's root (where they show up), whichever folder is analysed */
    {
        static const char runs[] = "/chimera-runs";

        free(app->runs_dir);
        app->runs_dir = app->cfg.out != NULL
                            ? xstrdup(app->cfg.out)
                            : xasprintf("%s%s", ftree_root_path(app->tree), runs);
        p.out = app->runs_dir;
    }
    p.runs = 1;
    report_view_clear(&app->report);
    snprintf(app->run_title, sizeof app->run_title, "%s%s%s", persona->label, app->draw.g->sep,
             app->cfg.model);
    app->run_state[0] = '\0';
    app->last_call[0] = '\0';
    app->wf = workflow_start(app->loop, app->http, &p, &cb, &err);
    if (app->wf == NULL) {
        app_message(app, MSG_ERROR, "%s", err.msg);
        return;
    }
    if (app->tick_timer == 0)
        app->tick_timer = evloop_add_timer(app->loop, RUN_TICK_MS, run_tick, app);
    app_dirty(app);
}

/* Remember what ran, for `r`. */
static void run_remember(struct app *app, const char *root, char **files, size_t nfiles)
{
    if (app->last_files != NULL) {
        for (size_t i = 0; i < app->last_nfiles; i++)
            free(app->last_files[i]);
        free(app->last_files);
    }
    free(app->last_root);
    app->last_root = xstrdup(root);
    app->last_files = NULL;
    app->last_nfiles = nfiles;
    if (files != NULL) {
        app->last_files = xcalloc(nfiles + 1, sizeof *app->last_files);
        for (size_t i = 0; i < nfiles; i++)
            app->last_files[i] = xstrdup(files[i]);
    }
    app->have_last = 1;
}

void run_start(struct app *app, int whole_root)
{
    char **files = NULL;
    size_t nfiles = 0;
    char *root;

    if (app->wf != NULL) {
        app_message(app, MSG_ERROR, "an analysis is running: Esc stops it");
        return;
    }
    if (!whole_root && ftree_marked_count(app->tree) > 0) {
        /* the marked files replace the ingest walk */
        nfiles = ftree_marked_paths(app->tree, &files);
        root = xstrdup(ftree_root_path(app->tree));
    } else if (!whole_root && app->cursor != NULL && app->cursor->type == FNODE_DIR) {
        root = ftree_path(app->tree, app->cursor);
    } else if (!whole_root && app->cursor != NULL && app->cursor->parent != NULL) {
        /* a file under the cursor: its folder */
        root = ftree_path(app->tree, app->cursor->parent);
    } else {
        root = xstrdup(ftree_root_path(app->tree));
    }
    run_remember(app, root, files, nfiles);
    run_launch(app, root, files, nfiles);
    ftree_paths_free(files, nfiles);
    free(root);
    app->focus = PANE_REPORT;
}

void run_again(struct app *app)
{
    if (!app->have_last) {
        app_message(app, MSG_ERROR, "nothing to run again yet: a analyses, A the whole root");
        return;
    }
    if (app->wf != NULL) {
        app_message(app, MSG_ERROR, "an analysis is running: Esc stops it");
        return;
    }
    run_launch(app, app->last_root, app->last_files, app->last_nfiles);
}

void run_cancel(struct app *app, const char *reason)
{
    if (app->wf != NULL)
        workflow_cancel(app->wf, reason);
}
