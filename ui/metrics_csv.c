/* metrics_csv.c: a CSV file's statistics (per column, with a sparkline of one numeric
 * column) or its rows as a scrollable table. */
#include <stdio.h>
#include <string.h>

#include "csvstats.h"
#include "fmt.h"
#include "metrics_int.h"

#define CSV_NUM_W 9   /* a statistic's column, with its leading space */
#define CSV_TYPE_W 6
#define CSV_CELL_MAX 18

enum csv_stat { ST_N, ST_MISS, ST_MIN, ST_MEAN, ST_MAX, ST_STDDEV, ST_P50, ST_P95, ST_COUNT };

static const char *const stat_names[ST_COUNT] = {"n", "miss", "min", "mean", "max",
                                                 "stddev", "p50", "p95"};
/* Which statistics survive when the pane is narrow: lower rank goes first. */
static const int stat_rank[ST_COUNT] = {0, 5, 2, 1, 3, 4, 6, 7};

static const struct csv_summary *csv_sum(const struct app *app)
{
    return app->metrics.csv != NULL ? csv_reader_summary(app->metrics.csv) : NULL;
}

void metrics_csv_facts(const struct app *app, char *out, size_t cap)
{
    const struct csv_summary *s = csv_sum(app);
    const struct metrics *m = &app->metrics;
    char rows[32], size[32], when[32];
    const char *delim;

    fmt_size(size, sizeof size, m->size);
    fmt_local(when, sizeof when, m->mtime);
    if (s == NULL) {
        snprintf(out, cap, "%s%smodified %s", size, app->draw.g->sep, when);
        return;
    }
    fmt_count(rows, sizeof rows, s->rows);
    delim = s->delim == '\t' ? "tab" : s->delim == ';' ? "';'" : s->delim == '|' ? "'|'" : "','";
    snprintf(out, cap, "%s rows %s %zu cols%s%s%s%s%s%s%smodified %s", rows, app->draw.g->times,
             s->ncols, app->draw.g->sep, s->has_header ? "header" : "no header",
             app->draw.g->sep, delim, app->draw.g->sep, size, app->draw.g->sep, when);
}

/* First numeric column at or after `from` going in `dir`, wrapping; -1 if none. */
static int csv_numeric_col(const struct csv_summary *s, int from, int dir)
{
    for (size_t step = 0; step < s->ncols; step++) {
        long c = ((long)from + dir * (long)step) % (long)s->ncols;

        if (c < 0)
            c += (long)s->ncols;
        if (csv_coltype_numeric(s->cols[c].type) && s->cols[c].n > 0)
            return (int)c;
    }
    return -1;
}

/* A number in at most `width` characters: fewer decimals first, then scientific. */
static void csv_fit_num(char *out, size_t cap, double v, int width)
{
    for (int prec = 4; prec >= 0; prec--) {
        fmt_num(out, cap, v, prec);
        if ((int)strlen(out) <= width)
            return;
    }
    for (int digits = 4; digits >= 1; digits--) {
        snprintf(out, cap, "%.*g", digits, v);
        if ((int)strlen(out) <= width)
            return;
    }
}

/* Percentiles from a sample are approximate: say so with a leading '~'. */
static void csv_mark_approx(char *out, int approx)
{
    if (approx) {
        memmove(out + 1, out, strlen(out) + 1);
        out[0] = '~';
    }
}

static void csv_stat_text(const struct csv_column *c, enum csv_stat st, char *out, size_t cap)
{
    int numeric = csv_coltype_numeric(c->type) && c->n > 0;

    out[0] = '\0';
    switch (st) {
    case ST_N:
        fmt_count(out, cap, numeric ? c->n : c->n + c->other);
        return;
    case ST_MISS:
        fmt_count(out, cap, c->missing);
        return;
    default:
        break;
    }
    if (!numeric)
        return;
    switch (st) {
    case ST_MIN:
        csv_fit_num(out, cap, c->min, CSV_NUM_W - 1);
        break;
    case ST_MEAN:
        csv_fit_num(out, cap, c->mean, CSV_NUM_W - 1);
        break;
    case ST_MAX:
        csv_fit_num(out, cap, c->max, CSV_NUM_W - 1);
        break;
    case ST_STDDEV:
        csv_fit_num(out, cap, c->stddev, CSV_NUM_W - 1);
        break;
    case ST_P50:
        csv_fit_num(out, cap, c->p50, CSV_NUM_W - 1 - !c->pct_exact);
        csv_mark_approx(out, !c->pct_exact);
        break;
    case ST_P95:
        csv_fit_num(out, cap, c->p95, CSV_NUM_W - 1 - !c->pct_exact);
        csv_mark_approx(out, !c->pct_exact);
        break;
    default:
        break;
    }
}

/* The sparkline row: the chosen numeric column across rows. */
static void csv_draw_spark(struct app *app, WINDOW *w, int y, int width,
                           const struct csv_summary *s)
{
    struct metrics *m = &app->metrics;
    const struct csv_column *c;
    char label[96];
    int x = 1, lw;

    if (m->spark_col < 0 || (size_t)m->spark_col >= s->ncols ||
        !csv_coltype_numeric(s->cols[m->spark_col].type))
        m->spark_col = csv_numeric_col(s, 0, 1);
    if (m->spark_col < 0) {
        draw_str_ellipsis(&app->draw, w, y, 1, width, app->draw.role[ROLE_METRICS_DIM],
                          "no numeric column to plot");
        return;
    }
    c = &s->cols[m->spark_col];
    snprintf(label, sizeof label, "%s", c->name);
    lw = draw_width(&app->draw, label);
    if (lw > width / 3)
        lw = width / 3;
    x += draw_str_middle(&app->draw, w, y, x, lw, app->draw.role[ROLE_METRICS_LABEL], label);
    x += draw_str(&app->draw, w, y, x, 1, app->draw.role[ROLE_METRICS], " ");
    {
        char tail[64];
        int tw;

        size_t per = (size_t)(c->spark_rows ? c->spark_rows : 1);

        snprintf(tail, sizeof tail, " %zu row%s/bar%s[ ] column", per, per == 1 ? "" : "s",
                 app->draw.g->sep);
        tw = draw_width(&app->draw, tail);
        x += draw_sparkline(&app->draw, w, y, x, width - (x - 1) - tw,
                            app->draw.role[ROLE_SPARK], c->spark, (size_t)c->nspark);
        draw_str(&app->draw, w, y, x, width - (x - 1), app->draw.role[ROLE_METRICS_DIM], tail);
    }
}

/* Statistics: a header row, then a row per column. */
static long csv_draw_stats(struct app *app, WINDOW *w, int y0, int rows, int width,
                           const struct csv_summary *s)
{
    struct metrics *m = &app->metrics;
    struct draw *d = &app->draw;
    int show[ST_COUNT] = {0};
    int namew = 6, typew, avail, nstats, y = y0;
    long total;

    csv_draw_spark(app, w, y++, width, s);
    rows--;
    for (size_t c = 0; c < s->ncols; c++) {
        int cw = draw_width(d, s->cols[c].name);

        if (cw > namew)
            namew = cw;
    }
    if (namew > 22)
        namew = 22;
    if (namew > width / 3)
        namew = width / 3;
    /* a narrow pane spends its columns on numbers rather than on the type */
    typew = width < 60 ? 0 : CSV_TYPE_W;
    avail = width - namew - typew;
    nstats = avail / CSV_NUM_W;
    for (int st = 0; st < ST_COUNT; st++)
        show[st] = stat_rank[st] < nstats;
    total = (long)s->ncols + 1;
    if (rows <= 0)
        return total;
    /* header */
    {
        int x = 1 + namew + typew;

        draw_str(d, w, y, 1, namew, d->role[ROLE_TABLE_HEADER], "column");
        if (typew > 0)
            draw_str(d, w, y, 1 + namew + 1, typew - 1, d->role[ROLE_TABLE_HEADER], "type");
        int hidden = 0;

        for (int st = 0; st < ST_COUNT; st++) {
            if (!show[st]) {
                hidden++;
                continue;
            }
            draw_str_right(d, w, y, x, CSV_NUM_W, d->role[ROLE_TABLE_HEADER], stat_names[st]);
            x += CSV_NUM_W;
        }
        if (hidden > 0 && x + 2 <= width) {
            char more[16];

            /* some statistics did not fit: a wider pane (or fewer columns) shows them */
            snprintf(more, sizeof more, " +%d", hidden);
            draw_str(d, w, y, x, width + 1 - x, d->role[ROLE_METRICS_DIM], more);
        }
        y++;
        rows--;
    }
    m->scroll = metrics_clamp_scroll(m->scroll, (long)s->ncols, rows);
    for (int r = 0; r < rows && m->scroll + r < (long)s->ncols; r++, y++) {
        const struct csv_column *c = &s->cols[m->scroll + r];
        int numeric = csv_coltype_numeric(c->type) && c->n > 0;
        int x = 1 + namew + typew;
        attr_t tattr = d->role[c->type == CSV_COL_MIXED ? ROLE_METRICS_WARN : ROLE_METRICS_DIM];

        draw_str_middle(d, w, y, 1, namew, d->role[ROLE_METRICS_LABEL], c->name);
        if (typew > 0)
            draw_str(d, w, y, 1 + namew + 1, typew - 1, tattr, csv_coltype_name(c->type));
        if (numeric) {
            for (int st = 0; st < ST_COUNT; st++) {
                char text[32];

                if (!show[st])
                    continue;
                csv_stat_text(c, (enum csv_stat)st, text, sizeof text);
                draw_str_right(d, w, y, x + 1, CSV_NUM_W - 1, d->role[ROLE_METRICS_NUMBER], text);
                x += CSV_NUM_W;
            }
            continue;
        }
        /* text columns: present and missing counts, then the most frequent values */
        {
            char text[256], n1[32];
            size_t len = 0;

            for (int st = ST_N; st <= ST_MISS; st++) {
                if (!show[st])
                    continue;
                csv_stat_text(c, (enum csv_stat)st, text, sizeof text);
                draw_str_right(d, w, y, x + 1, CSV_NUM_W - 1, d->role[ROLE_METRICS_NUMBER], text);
                x += CSV_NUM_W;
            }
            text[0] = '\0';
            for (int t = 0; t < c->ntop && len + 1 < sizeof text; t++) {
                fmt_count(n1, sizeof n1, c->top[t].count);
                len += (size_t)snprintf(text + len, sizeof text - len, "%s%s %s%s",
                                        t ? ", " : "", c->top[t].value, d->g->times, n1);
            }
            if (c->ntop > 0 && len + 1 < sizeof text)
                snprintf(text + len, sizeof text - len, " (%s%llu distinct)",
                         c->top_exact ? "" : ">=", (unsigned long long)c->distinct);
            if (x < width)
                draw_str_ellipsis(d, w, y, x + 1, width - x, d->role[ROLE_METRICS_VALUE], text);
        }
    }
    return total;
}

/* The table: row numbers, then cells; h/l scroll the columns. */
static long csv_draw_table(struct app *app, WINDOW *w, int y0, int rows, int width,
                           const struct csv_summary *s)
{
    struct metrics *m = &app->metrics;
    struct draw *d = &app->draw;
    int colw[64];
    int ncol = 0, numw, x;
    char num[32];
    long total = (long)s->table_rows;

    if (s->ncols == 0 || rows < 2)
        return total;
    if (m->hscroll >= (int)s->ncols)
        m->hscroll = (int)s->ncols - 1;
    if (m->hscroll < 0)
        m->hscroll = 0;
    m->scroll = metrics_clamp_scroll(m->scroll, total, rows - 1);
    fmt_count(num, sizeof num, (uint64_t)(m->scroll + rows));
    numw = (int)strlen(num) + 1;
    /* width of each visible column: its header and the visible cells, capped */
    x = 1 + numw;
    for (size_t c = (size_t)m->hscroll; c < s->ncols && ncol < 64 && x < width; c++) {
        int cw = draw_width(d, s->cols[c].name);

        for (int r = 0; r < rows - 1 && m->scroll + r < total; r++) {
            int vw = draw_width(d, csv_reader_cell(m->csv, (size_t)(m->scroll + r), c, NULL));

            if (vw > cw)
                cw = vw;
        }
        if (cw > CSV_CELL_MAX)
            cw = CSV_CELL_MAX;
        if (cw < 3)
            cw = 3;
        colw[ncol++] = cw;
        x += cw + 1;
    }
    x = 1 + numw;
    draw_str_right(d, w, y0, 1, numw - 1, d->role[ROLE_TABLE_HEADER], "#");
    for (int c = 0; c < ncol && x < width; c++) {
        draw_str_middle(d, w, y0, x, colw[c] < width - x ? colw[c] : width - x,
                        d->role[ROLE_TABLE_HEADER], s->cols[m->hscroll + c].name);
        x += colw[c] + 1;
    }
    for (int r = 0; r < rows - 1 && m->scroll + r < total; r++) {
        size_t row = (size_t)(m->scroll + r);
        attr_t cell = d->role[r % 2 ? ROLE_TABLE_ALT : ROLE_TABLE_CELL];

        fmt_count(num, sizeof num, (uint64_t)row + 1);
        draw_str_right(d, w, y0 + 1 + r, 1, numw - 1, d->role[ROLE_METRICS_DIM], num);
        x = 1 + numw;
        for (int c = 0; c < ncol && x < width; c++) {
            const char *v = csv_reader_cell(m->csv, row, (size_t)(m->hscroll + c), NULL);
            const struct csv_column *col = &s->cols[m->hscroll + c];
            int cw = colw[c] < width - x ? colw[c] : width - x;

            if (csv_coltype_numeric(col->type))
                draw_str_right(d, w, y0 + 1 + r, x, cw, cell, v);
            else
                draw_str_ellipsis(d, w, y0 + 1 + r, x, cw, cell, v);
            x += colw[c] + 1;
        }
    }
    if ((uint64_t)total < s->rows && m->scroll + rows - 1 >= total)
        draw_str_ellipsis(d, w, y0 + rows - 1, 1, width, d->role[ROLE_METRICS_DIM],
                          "(the table keeps the first rows; statistics cover all)");
    return total + 1;
}

long metrics_csv_draw(struct app *app, WINDOW *w, int y0, int rows, int width)
{
    const struct csv_summary *s = csv_sum(app);

    if (s == NULL)
        return 0;
    if (s->ncols == 0) {
        draw_str(&app->draw, w, y0, 1, width, app->draw.role[ROLE_METRICS_DIM],
                 s->done ? "empty: no columns" : "");
        return 0;
    }
    if (app->metrics.view == 1)
        return csv_draw_table(app, w, y0, rows, width, s);
    return csv_draw_stats(app, w, y0, rows, width, s);
}

int metrics_csv_action(struct app *app, enum action a)
{
    struct metrics *m = &app->metrics;
    const struct csv_summary *s = csv_sum(app);

    if (s == NULL)
        return 0;
    switch (a) {
    case ACT_VIEW:
        m->view = !m->view;
        m->scroll = 0;
        app_message(app, MSG_INFO, m->view ? "table view (h/l scroll columns, t: statistics)"
                                           : "statistics view (t: table)");
        return 1;
    case ACT_COL_NEXT:
    case ACT_COL_PREV: {
        int dir = a == ACT_COL_NEXT ? 1 : -1;
        int c = csv_numeric_col(s, m->spark_col + dir, dir);

        if (c >= 0)
            m->spark_col = c;
        return 1;
    }
    case ACT_LEFT:
        if (m->view == 1 && m->hscroll > 0)
            m->hscroll--;
        return 1;
    case ACT_RIGHT:
        if (m->view == 1 && m->hscroll + 1 < (int)s->ncols)
            m->hscroll++;
        return 1;
    default:
        return 0;
    }
}
