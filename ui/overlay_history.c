/* overlay_history.c: `H`, the runs saved so far (newest first) with their figures; Enter
 * shows a run's report.md in the report pane, Space marks two runs and c compares them
 * (the same comparison as `chimera compare`). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "buf.h"
#include "compare.h"
#include "overlay.h"
#include "xmem.h"

#define HISTORY_MAX 500
#define HISTORY_REPORT_MAX (8u << 20)

struct hist_run {
    char *name;
    char *line;    /* figures, or why it cannot be read */
    int ok;
    int marked;
};

struct history {
    char *dir;
    struct hist_run *runs;
    size_t n;
    long cursor, top;
    char message[ERR_MSG_MAX];
};

static const char *history_dir(const struct app *app, char **owned)
{
    if (app->cfg.out != NULL)
        return app->cfg.out;
    *owned = xasprintf("%s/chimera-runs", ftree_root_path(app->tree));
    return *owned;
}

static int hist_cmp(const void *a, const void *b)
{
    /* folder names start with the time: newest first is reverse name order */
    return strcmp(((const struct hist_run *)b)->name, ((const struct hist_run *)a)->name);
}

static void history_scan(struct history *h)
{
    DIR *d = opendir(h->dir);
    struct dirent *de;
    size_t cap = 0;

    if (d == NULL) {
        snprintf(h->message, sizeof h->message, "no runs yet in %s (a or A starts one)", h->dir);
        return;
    }
    while ((de = readdir(d)) != NULL && h->n < HISTORY_MAX) {
        char *path;
        struct stat st;
        struct run_summary s;
        struct err err;

        if (de->d_name[0] == '.')
            continue;
        path = xasprintf("%s/%s", h->dir, de->d_name);
        if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
            free(path);
            continue;
        }
        h->runs = xgrow(h->runs, &cap, h->n + 1, sizeof *h->runs);
        h->runs[h->n].name = xstrdup(de->d_name);
        h->runs[h->n].marked = 0;
        if (run_summary_load(path, &s, &err) == 0) {
            h->runs[h->n].line = run_summary_line(&s);
            h->runs[h->n].ok = 1;
            run_summary_fini(&s);
        } else {
            h->runs[h->n].line = xstrdup(err.msg);
            h->runs[h->n].ok = 0;
        }
        h->n++;
        free(path);
    }
    closedir(d);
    if (h->n > 1)
        qsort(h->runs, h->n, sizeof *h->runs, hist_cmp);
    if (h->n == 0)
        snprintf(h->message, sizeof h->message, "no runs yet in %s (a or A starts one)", h->dir);
}

static void history_draw(struct app *app, struct overlay *o)
{
    struct history *h = o->state;
    struct draw *d = &app->draw;
    int w = overlay_width(app, 100);
    int ht = overlay_height(app, 22);
    int rows = ht - 4;
    WINDOW *win;
    char title[300];

    if (w < 30 || ht < 6)
        return;
    win = newwin(ht, w, (app->term.rows - 1 - ht) / 2, (app->term.cols - w) / 2);
    if (win == NULL)
        return;
    wbkgdset(win, ' ' | d->role[ROLE_OVERLAY]);
    werase(win);
    snprintf(title, sizeof title, "Runs in %s", h->dir);
    draw_box_attr(d, win, d->role[ROLE_OVERLAY] | A_BOLD, d->role[ROLE_OVERLAY_TITLE], title);
    if (h->message[0] != '\0')
        draw_wrapped(d, win, 1, 2, w - 4, rows, d->role[ROLE_METRICS_WARN], h->message);
    if (h->cursor < h->top)
        h->top = h->cursor;
    if (h->cursor >= h->top + rows)
        h->top = h->cursor - rows + 1;
    for (int r = 0; r < rows && h->top + r < (long)h->n; r++) {
        const struct hist_run *run = &h->runs[h->top + r];
        attr_t a = h->top + r == h->cursor ? d->role[ROLE_TREE_CURSOR] : d->role[ROLE_OVERLAY];

        draw_fill(win, 1 + r, 1, w - 2, a);
        draw_str(d, win, 1 + r, 2, 2, a, run->marked ? d->g->mark : " ");
        draw_str_ellipsis(d, win, 1 + r, 4, 30, a, run->name);
        draw_str_ellipsis(d, win, 1 + r, 36, w - 38,
                          run->ok || h->top + r == h->cursor ? a : d->role[ROLE_METRICS_WARN],
                          run->line);
    }
    draw_str_ellipsis(d, win, ht - 2, 2, w - 4, d->role[ROLE_OVERLAY_KEY],
                      "Enter show report   Space mark   c compare the two marked   Esc close");
    wnoutrefresh(win);
    delwin(win);
}

/* Show text (a report, a comparison) in the report pane. */
static void history_show(struct app *app, const char *title, const char *text)
{
    report_view_clear(&app->report);
    report_view_section(&app->report, title);
    report_view_append(&app->report, 0, text, strlen(text));
    report_view_append(&app->report, 0, "\n", 1);
    report_view_top(&app->report); /* a finished document is read from its start */
    snprintf(app->run_title, sizeof app->run_title, "%s", title);
    app->run_state[0] = '\0';
    app->focus = PANE_REPORT;
}

static void history_open_report(struct app *app, const struct history *h)
{
    char *path = xasprintf("%s/%s/report.md", h->dir, h->runs[h->cursor].name);
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[65536];
    size_t got;

    if (f == NULL) {
        app_message(app, MSG_ERROR, "cannot read %s", path);
        free(path);
        return;
    }
    buf_init(&b, HISTORY_REPORT_MAX);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_append(&b, chunk, got) < 0)
            break; /* a huge report: the start is shown */
    fclose(f);
    history_show(app, h->runs[h->cursor].name, buf_cstr(&b));
    buf_fini(&b);
    free(path);
}

static void history_compare(struct app *app, struct history *h)
{
    struct run_summary s[2];
    struct err err;
    int found = 0;
    char *text, *title;

    h->message[0] = '\0';
    for (size_t i = h->n; i-- > 0 && found < 2;) {
        /* oldest first: the earlier run is the baseline */
        char *path;

        if (!h->runs[i].marked)
            continue;
        path = xasprintf("%s/%s", h->dir, h->runs[i].name);
        if (run_summary_load(path, &s[found], &err) < 0) {
            snprintf(h->message, sizeof h->message, "%s", err.msg);
            free(path);
            if (found == 1)
                run_summary_fini(&s[0]);
            return;
        }
        free(path);
        found++;
    }
    if (found < 2) {
        snprintf(h->message, sizeof h->message, "mark two runs with Space, then press c");
        if (found == 1)
            run_summary_fini(&s[0]);
        return;
    }
    text = compare_markdown(&s[0], &s[1]);
    title = xasprintf("Comparison");
    history_show(app, title, text);
    free(title);
    free(text);
    run_summary_fini(&s[0]);
    run_summary_fini(&s[1]);
}

static int history_key(struct app *app, struct overlay *o, int is_key, wint_t ch, enum action a)
{
    struct history *h = o->state;
    size_t marked = 0;

    switch (a) {
    case ACT_UP:
        if (h->cursor > 0)
            h->cursor--;
        return 0;
    case ACT_DOWN:
        if (h->cursor + 1 < (long)h->n)
            h->cursor++;
        return 0;
    case ACT_ENTER:
        if (h->n > 0)
            history_open_report(app, h);
        return h->n > 0;
    case ACT_MARK:
        if (h->n == 0)
            return 0;
        for (size_t i = 0; i < h->n; i++)
            marked += (size_t)h->runs[i].marked;
        if (!h->runs[h->cursor].marked && marked >= 2) {
            snprintf(h->message, sizeof h->message, "two runs are marked already");
            return 0;
        }
        h->runs[h->cursor].marked = !h->runs[h->cursor].marked;
        return 0;
    case ACT_CANCEL:
    case ACT_QUIT:
    case ACT_HISTORY:
        return 1;
    default:
        if (!is_key && ch == 'c') {
            history_compare(app, h);
            return h->message[0] == '\0';
        }
        return 0;
    }
}

static void history_free(struct overlay *o)
{
    struct history *h = o->state;

    for (size_t i = 0; i < h->n; i++) {
        free(h->runs[i].name);
        free(h->runs[i].line);
    }
    free(h->runs);
    free(h->dir);
    free(h);
}

static const struct overlay_ops history_ops = {"history", history_draw, history_key,
                                               history_free};

void overlay_history(struct app *app)
{
    struct overlay *o = xcalloc(1, sizeof *o);
    struct history *h = xcalloc(1, sizeof *h);
    char *owned = NULL;

    h->dir = xstrdup(history_dir(app, &owned));
    free(owned);
    history_scan(h);
    o->ops = &history_ops;
    o->state = h;
    overlay_open(app, o);
}
