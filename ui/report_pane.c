/* report_pane.c: where the LLM's analysis report streams in. Until a run exists it says
 * what the pane is for and how to fill it. */
#include "app.h"

void report_draw(struct app *app, WINDOW *w, int focused)
{
    struct draw *d = &app->draw;
    int h, wd;
    size_t marked = ftree_marked_count(app->tree);
    char line[128];

    getmaxyx(w, h, wd);
    draw_box(d, w, focused, "Report");
    if (h < 3)
        return;
    draw_str_ellipsis(d, w, 1, 2, wd - 4, d->role[ROLE_METRICS_DIM],
                      "No analysis report yet.");
    if (h < 5)
        return;
    if (marked > 0)
        snprintf(line, sizeof line, "%zu file%s marked for analysis.", marked,
                 marked == 1 ? "" : "s");
    else
        snprintf(line, sizeof line, "Mark files with Space to choose what an analysis reads.");
    draw_wrapped(d, w, 3, 2, wd - 4, h - 4, d->role[ROLE_METRICS_DIM], line);
}

int report_action(struct app *app, enum action a)
{
    (void)app;
    (void)a;
    return 0;
}
