/* status_bar.c: the last row: state, what the tree is doing, marks, sort, filter, a
 * message, key hints; or the filter prompt while it is being typed. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "clock.h"
#include "fmt.h"

/* Append one segment if it still fits before the hints; returns the new x. */
static int status_seg(struct app *app, int x, int limit, attr_t attr, const char *text)
{
    int w = draw_width(&app->draw, text);
    int sep = x > 1 ? draw_width(&app->draw, app->draw.g->sep) : 0;

    if (x + sep + w > limit)
        return x;
    if (sep > 0)
        x += draw_str(&app->draw, app->status_win, 0, x, limit - x,
                      app->draw.role[ROLE_STATUS], app->draw.g->sep);
    return x + draw_str(&app->draw, app->status_win, 0, x, limit - x, attr, text);
}

static void status_prompt(struct app *app, int y, int cols)
{
    attr_t a = app->draw.role[ROLE_PROMPT];
    int x = draw_str(&app->draw, app->status_win, y, 0, cols, a, "/");

    x += draw_str(&app->draw, app->status_win, y, x, cols - x - 1, a, app->prompt);
    {
        char hint[96];

        snprintf(hint, sizeof hint, "  Enter keep %s Esc cancel %s * ? [ ] glob",
                 app->draw.g->sep, app->draw.g->sep);
        draw_str(&app->draw, app->status_win, y, x, cols - x, app->draw.role[ROLE_STATUS], hint);
    }
    wmove(app->status_win, y, x);
}

/* A sparkline segment: values[0..n), at most `cols` wide. */
static int status_spark(struct app *app, int x, int limit, const double *values, int n, int cols)
{
    int sep = draw_width(&app->draw, app->draw.g->sep);

    if (n <= 0 || x + sep + 4 > limit)
        return x;
    if (cols > limit - x - sep)
        cols = limit - x - sep;
    x += draw_str(&app->draw, app->status_win, 0, x, limit - x, app->draw.role[ROLE_STATUS],
                  app->draw.g->sep);
    /* the most recent windows, so the line moves like a chart recorder */
    if (n > cols) {
        values += n - cols;
        n = cols;
    }
    return x + draw_sparkline_rate(&app->draw, app->status_win, 0, x, cols,
                                   app->draw.role[ROLE_SPARK], values, (size_t)n);
}

#define STATUS_LIVE_NS (250 * CLOCK_NS_PER_MS)

/* The counters to show: a new snapshot 4 times a second, and at once when the call or
 * its state changes or its first token arrives. */
static void status_live(struct app *app, const struct llm_gen *gen, struct llm_live *out)
{
    int64_t now = clock_now_ns();
    struct llm_live cur;

    llm_live(gen, now, &cur);
    if (app->live_gen != gen || cur.state != app->live.state ||
        (cur.ttft_ms >= 0) != (app->live.ttft_ms >= 0) || now - app->live_at_ns >= STATUS_LIVE_NS) {
        app->live = cur;
        app->live_gen = gen;
        app->live_at_ns = now;
    }
    *out = app->live;
}

/* The live figures of a run: state, TTFT, tok/s with its sparkline, tokens, elapsed,
 * stage and run i/N. Returns where it ended. */
static int status_run(struct app *app, int limit)
{
    const struct draw *d = &app->draw;
    struct workflow_status st;
    struct llm_live lv;
    char seg[128], num[32], tok[48], secs[32], stage[64];
    int x = 1, sep = draw_width(&app->draw, app->draw.g->sep);

    workflow_status(app->wf, &st);
    if (st.gen == NULL) {
        if (st.stage == WF_INGEST)
            snprintf(seg, sizeof seg, "reading files %zu/%zu", st.ingest_done, st.ingest_total);
        else
            snprintf(seg, sizeof seg, "%s", st.stage == WF_CHECK ? "connecting"
                                                                  : workflow_stage_name(st.stage));
        x = status_seg(app, x, limit, d->role[ROLE_STATUS_STATE], seg);
        snprintf(seg, sizeof seg, "run %d/%d", st.run > 0 ? st.run : 1, st.runs);
        return status_seg(app, x, limit, d->role[ROLE_STATUS], seg);
    }
    status_live(app, st.gen, &lv);
    x = status_seg(app, x, limit, d->role[ROLE_STATUS_STATE], llm_state_name(lv.state));
    if (lv.ttft_ms >= 0)
        snprintf(seg, sizeof seg, "TTFT %.0f ms", lv.ttft_ms);
    else
        snprintf(seg, sizeof seg, "waiting %.1f s", lv.elapsed_ms / 1000.0);
    x = status_seg(app, x, limit, d->role[ROLE_STATUS], seg);
    fmt_count(num, sizeof num, lv.pieces);
    snprintf(tok, sizeof tok, "%s tok", num);
    snprintf(secs, sizeof secs, "%.1f s", lv.elapsed_ms / 1000.0);
    snprintf(stage, sizeof stage, "%s %d/%d", workflow_stage_name(st.stage), st.run, st.runs);
    if (lv.tok_s >= 0) {
        /* the figures first; the sparkline gets the room they leave (12 columns at most) */
        int rest = sep * 3 + draw_width(&app->draw, tok) + draw_width(&app->draw, secs) +
                   draw_width(&app->draw, stage);

        snprintf(seg, sizeof seg, "%.1f tok/s", lv.tok_s);
        x = status_seg(app, x, limit, d->role[ROLE_STATUS_OK], seg);
        x = status_spark(app, x, limit - rest, lv.spark, lv.nspark, 12);
    }
    x = status_seg(app, x, limit, d->role[ROLE_STATUS], tok);
    x = status_seg(app, x, limit, d->role[ROLE_STATUS], secs);
    return status_seg(app, x, limit, d->role[ROLE_STATUS], stage);
}

/* The facts of the idle state, as many as fit before `limit`. */
static void status_facts(struct app *app, int x, int limit)
{
    const struct draw *d = &app->draw;
    struct ftree_progress pr;
    char seg[800];

    ftree_progress(app->tree, &pr);
    if (pr.scanning) {
        char num[32];

        fmt_count(num, sizeof num, pr.files);
        snprintf(seg, sizeof seg, "%s reading %s entries (Esc stops)",
                 d->g->spinner[app->spinner / 4 % 4], num);
        x = status_seg(app, x, limit, d->role[ROLE_PROGRESS], seg);
    } else if (pr.cancelled) {
        x = status_seg(app, x, limit, d->role[ROLE_STATUS_ERROR], "counts partial (R)");
    }
    if (metrics_busy(&app->metrics)) {
        double f = metrics_progress(app);

        if (f >= 0)
            snprintf(seg, sizeof seg, "loading %d%%", (int)(f * 100));
        else
            snprintf(seg, sizeof seg, "loading");
        x = status_seg(app, x, limit, d->role[ROLE_PROGRESS], seg);
    }
    if (ftree_marked_count(app->tree) > 0) {
        snprintf(seg, sizeof seg, "%zu marked", ftree_marked_count(app->tree));
        x = status_seg(app, x, limit, d->role[ROLE_STATUS_OK], seg);
    }
    if (ftree_filter(app->tree) != NULL) {
        snprintf(seg, sizeof seg, "filter /%s", ftree_filter(app->tree));
        x = status_seg(app, x, limit, d->role[ROLE_STATUS_STATE], seg);
    }
    snprintf(seg, sizeof seg, "sort %s", sort_key_name(ftree_sort(app->tree)));
    x = status_seg(app, x, limit, d->role[ROLE_STATUS], seg);
    if (pr.watch_failed)
        x = status_seg(app, x, limit, d->role[ROLE_STATUS_ERROR], "live updates limited");
    /* the server an analysis would use, as resolved (port 80 surprises people) */
    snprintf(seg, sizeof seg, "%s @ %s", app->cfg.model ? app->cfg.model : "?", app->host.url);
    status_seg(app, x, limit, d->role[ROLE_STATUS], seg);
}

void status_draw(struct app *app)
{
    const struct rect *r = &app->layout.status;
    const struct draw *d = &app->draw;
    const char *hints = " ? help  q quit ";
    int x = 1, limit;

    if (r->h <= 0)
        return;
    draw_fill(app->status_win, 0, 0, r->w, d->role[ROLE_STATUS]);
    /* the cursor is hidden: leave it where the last write put it, except while the filter
     * is typed (moving it costs bytes on every frame) */
    leaveok(app->status_win, !app->prompting);
    if (app->prompting) {
        status_prompt(app, 0, r->w);
        wnoutrefresh(app->status_win);
        return;
    }
    limit = r->w - draw_width(&app->draw, hints);
    if (app->wf != NULL && app->msg[0] == '\0') {
        /* narrow: the run's figures matter more than the reminder of ? */
        const char *run_hints = r->w >= 100 ? " Esc stop  ? help " : " Esc stop ";

        status_run(app, r->w - draw_width(&app->draw, run_hints));
        draw_str_right(&app->draw, app->status_win, 0, 0, r->w, d->role[ROLE_STATUS_KEY],
                       run_hints);
        wnoutrefresh(app->status_win);
        return;
    }
    x = status_seg(app, x, limit, d->role[ROLE_STATUS_STATE],
                   app->wf != NULL ? "running" : app->run_state[0] ? app->run_state : "idle");
    if (app->msg[0] != '\0') {
        /* a message takes the place of everything but the state */
        enum theme_role role = app->msg_kind == MSG_ERROR ? ROLE_STATUS_ERROR
                               : app->msg_kind == MSG_OK  ? ROLE_STATUS_OK
                                                          : ROLE_STATUS;

        x += draw_str(&app->draw, app->status_win, 0, x, limit - x, d->role[ROLE_STATUS],
                      d->g->sep);
        draw_str_ellipsis(&app->draw, app->status_win, 0, x, limit - x, d->role[role], app->msg);
    } else if (app->last_call[0] != '\0') {
        /* after a run: its last call's figures, chimera's and the server's */
        x = status_seg(app, x, limit, d->role[ROLE_STATUS], app->last_call);
        status_facts(app, x, limit);
    } else {
        status_facts(app, x, limit);
    }
    draw_str_right(&app->draw, app->status_win, 0, 0, r->w, d->role[ROLE_STATUS_KEY], hints);
    wnoutrefresh(app->status_win);
}
