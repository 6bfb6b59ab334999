/* report_pane.c: the analysis report as it streams in (report_view.c does the text), with
 * the run's agent, model and stage in the border. Before the first run it says how to
 * start one. */
#include <stdio.h>
#include <string.h>

#include "app.h"

static void report_title(struct app *app, char *out, size_t cap)
{
    struct workflow_status st;

    if (app->wf == NULL) {
        if (app->run_title[0] != '\0')
            snprintf(out, cap, "Report%s%s%s%s", app->draw.g->sep, app->run_title,
                     app->run_state[0] ? app->draw.g->sep : "", app->run_state);
        else
            snprintf(out, cap, "Report");
        return;
    }
    workflow_status(app->wf, &st);
    snprintf(out, cap, "Report%s%s%s%s %d/%d", app->draw.g->sep, app->run_title, app->draw.g->sep,
             workflow_stage_name(st.stage), st.run > 0 ? st.run : 1, st.runs);
}

static void report_placeholder(struct app *app, WINDOW *w, int h, int wd)
{
    struct draw *d = &app->draw;
    size_t marked = ftree_marked_count(app->tree);
    char line[320];
    int y = 1;

    y += draw_wrapped(d, w, y, 2, wd - 4, h - 1 - y, d->role[ROLE_METRICS_DIM],
                      "No analysis report yet.");
    if (y >= h - 2)
        return;
    y++;
    if (marked > 0)
        snprintf(line, sizeof line, "%zu file%s marked: a analyses them, A the whole root.",
                 marked, marked == 1 ? "" : "s");
    else
        snprintf(line, sizeof line, "Mark files with Space to choose what an analysis reads; "
                                    "a analyses them (or the folder under the cursor), A the "
                                    "whole root.");
    y += draw_wrapped(d, w, y, 2, wd - 4, h - 1 - y, d->role[ROLE_METRICS_DIM], line);
    if (y >= h - 2)
        return;
    y++;
    snprintf(line, sizeof line, "Server: %s", app->server_msg[0] ? app->server_msg : "?");
    draw_wrapped(d, w, y, 2, wd - 4, h - 1 - y,
                 d->role[app->server_ok ? ROLE_METRICS_DIM : ROLE_METRICS_WARN], line);
}

void report_draw(struct app *app, WINDOW *w, int focused)
{
    char title[400];
    int h, wd;

    getmaxyx(w, h, wd);
    report_title(app, title, sizeof title);
    draw_box(&app->draw, w, focused, title);
    if (h < 3 || wd < 6)
        return;
    if (app->wf == NULL && report_view_rows(&app->report) == 0 && app->run_title[0] == '\0') {
        report_placeholder(app, w, h, wd);
        return;
    }
    report_view_draw(&app->report, &app->draw, w, 1, 2, h - 2, wd - 4);
    if (!app->report.follow) {
        /* scrolled up: say how to follow again */
        draw_str_right(&app->draw, w, h - 1, 1, wd - 3, app->draw.role[ROLE_BORDER],
                       " paused: G follows ");
    }
}

int report_action(struct app *app, enum action a)
{
    int page = app->layout.pane[PANE_REPORT].h > 3 ? app->layout.pane[PANE_REPORT].h - 3 : 1;

    switch (a) {
    case ACT_UP:
        report_view_scroll(&app->report, -1, page + 1);
        return 1;
    case ACT_DOWN:
        report_view_scroll(&app->report, 1, page + 1);
        return 1;
    case ACT_PAGE_UP:
        report_view_scroll(&app->report, -page, page + 1);
        return 1;
    case ACT_PAGE_DOWN:
        report_view_scroll(&app->report, page, page + 1);
        return 1;
    case ACT_TOP:
        report_view_scroll(&app->report, -(1L << 40), page + 1);
        return 1;
    case ACT_BOTTOM:
        report_view_follow(&app->report);
        return 1;
    case ACT_THINKING:
        report_view_toggle_thinking(&app->report);
        app_message(app, MSG_INFO, app->report.show_thinking ? "thinking shown" : "thinking folded");
        return 1;
    default:
        return 0;
    }
}
