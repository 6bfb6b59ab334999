/* metrics_dir.c: a folder's inventory (the SPEC section 5 rule applied to that subtree):
 * counts per type, size, newest times, gaps in telemetry, files left out, the harvested
 * metrics and the exact data summary; and the view of anything that is not an artifact. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "inventory.h"
#include "metrics_int.h"
#include "xmem.h"

/* The folder view as lines of text, built once when the inventory is done: formatting
 * every harvested metric on each frame cost a tenth of the CPU while a report streamed. */
struct dir_lines {
    struct metrics *m;
};

static void dir_build_into(struct app *app, struct dir_lines *dl);

static void dir_build(struct app *app)
{
    struct dir_lines dl = {&app->metrics};

    dir_build_into(app, &dl);
}

int metrics_dir_step(struct app *app, int64_t deadline_ns)
{
    struct metrics *m = &app->metrics;

    if (inventory_step(m->dir.job, deadline_ns))
        return 1;
    m->dir.inv = inventory_take(m->dir.job);
    inventory_job_free(m->dir.job);
    m->dir.job = NULL;
    m->dir.ngaps = inventory_gaps(m->dir.inv, &m->dir.gaps);
    m->dir.summary = inventory_data_summary(m->dir.inv);
    dir_build(app);
    return 0;
}

void metrics_dir_facts(const struct app *app, char *out, size_t cap)
{
    const struct metrics *m = &app->metrics;
    const struct inventory *inv = m->dir.inv;
    char size[32];

    if (inv == NULL) {
        if (m->dir.job != NULL) {
            size_t done, total;
            uint64_t bytes;

            inventory_progress(m->dir.job, &done, &total, &bytes);
            snprintf(out, cap, "folder%sreading %zu of %zu artifacts", app->draw.g->sep, done,
                     total);
        } else {
            snprintf(out, cap, "folder");
        }
        return;
    }
    fmt_size(size, sizeof size, inv->total_size);
    {
        /* the tree counts every artifact; the analysis reads what the ingest rule picks */
        const struct fnode *n = ftree_find(app->tree, m->relpath);
        size_t included = inventory_included(inv);
        char of[48] = "";

        if (n != NULL && (n->flags & FNODE_SCANNED) && n->nart != included)
            snprintf(of, sizeof of, " of %u", n->nart);
        snprintf(out, cap, "folder%s%zu%s artifact%s analysed (%zu csv, %zu json, %zu md)%s%s",
                 app->draw.g->sep, included, of, included == 1 && !*of ? "" : "s",
                 inv->count[ART_CSV], inv->count[ART_JSON], inv->count[ART_MARKDOWN],
                 app->draw.g->sep, size);
    }
}

static void dl_add(struct dir_lines *dl, int role, char *text)
{
    struct metrics *m = dl->m;

    if (m->dir.nlines == m->dir.lines_cap) {
        m->dir.lines_cap = m->dir.lines_cap ? m->dir.lines_cap * 2 : 64;
        m->dir.lines = xrealloc(m->dir.lines, m->dir.lines_cap * sizeof *m->dir.lines);
        m->dir.roles = xrealloc(m->dir.roles, m->dir.lines_cap * sizeof *m->dir.roles);
    }
    m->dir.lines[m->dir.nlines] = text;
    m->dir.roles[m->dir.nlines] = role;
    m->dir.nlines++;
}

static void dir_build_into(struct app *app, struct dir_lines *dl)
{
    const struct inventory *inv = app->metrics.dir.inv;
    const char *sep = app->draw.g->sep;
    size_t left_out = 0;
    char when[3][32];
    static const enum artifact_kind kinds[3] = {ART_CSV, ART_JSON, ART_MARKDOWN};

    dl_add(dl, ROLE_METRICS_HEADER, xstrdup("Inventory"));
    dl_add(dl, ROLE_METRICS_VALUE,
           xasprintf("  analysis reads: %s",
                     inv->walked_root ? "the folder itself (no reports/ or csv_data/)"
                     : inv->walked_reports && inv->walked_csv_data ? "reports/ and csv_data/"
                     : inv->walked_reports ? "reports/ (no csv_data/)"
                                           : "csv_data/ (no reports/)"));
    for (int i = 0; i < 3; i++) {
        if (inv->count[kinds[i]] > 0)
            fmt_local(when[i], sizeof when[i], inv->latest[kinds[i]]);
        else
            snprintf(when[i], sizeof when[i], "-");
        dl_add(dl, ROLE_METRICS_VALUE,
               xasprintf("  %-8s %6zu%slatest %s", artifact_label(kinds[i]),
                         inv->count[kinds[i]], sep, when[i]));
    }
    dl_add(dl, ROLE_METRICS_DIM,
           xasprintf("  other files: %llu%sharvested metrics: %zu",
                     (unsigned long long)inv->other_files, sep, inv->metrics.n));
    dl_add(dl, 0, xstrdup(""));
    dl_add(dl, ROLE_METRICS_HEADER, xasprintf("Gaps in telemetry (%zu)", app->metrics.dir.ngaps));
    if (app->metrics.dir.ngaps == 0)
        dl_add(dl, ROLE_METRICS_DIM, xstrdup("  none found"));
    for (size_t i = 0; i < app->metrics.dir.ngaps; i++)
        dl_add(dl, ROLE_METRICS_WARN, xasprintf("  %s %s", app->draw.g->bullet,
                                                app->metrics.dir.gaps[i]));
    for (size_t i = 0; i < inv->nfiles; i++)
        left_out += !inv->files[i].ok;
    if (left_out > 0 || inv->nfolder_errors > 0) {
        dl_add(dl, 0, xstrdup(""));
        dl_add(dl, ROLE_METRICS_HEADER, xasprintf("Left out (%zu)", left_out));
        for (size_t i = 0; i < inv->nfiles; i++)
            if (!inv->files[i].ok)
                dl_add(dl, ROLE_METRICS_WARN,
                       xasprintf("  %s: %s", inv->files[i].path, inv->files[i].problem));
        for (size_t i = 0; i < inv->nfolder_errors; i++)
            dl_add(dl, ROLE_METRICS_WARN, xasprintf("  folder %s", inv->folder_errors[i]));
    }
    dl_add(dl, 0, xstrdup(""));
    dl_add(dl, ROLE_METRICS_HEADER, xstrdup("Data summary (as the analysis prompt gets it)"));
    for (const char *p = app->metrics.dir.summary; p != NULL && *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = xmalloc(len + 3);

        memcpy(line, "  ", 2);
        memcpy(line + 2, p, len);
        line[len + 2] = '\0';
        dl_add(dl, ROLE_METRICS_VALUE, line);
        p = nl ? nl + 1 : p + len;
    }
    if (inv->metrics.n > 0) {
        dl_add(dl, ROLE_METRICS_HEADER, xasprintf("Harvested metrics (%zu)", inv->metrics.n));
        for (size_t i = 0; i < inv->metrics.n; i++) {
            char *v = harvest_value_json(&inv->metrics.entries[i]);

            dl_add(dl, ROLE_METRICS_VALUE, xasprintf("  %s = %s", inv->metrics.entries[i].key, v));
            free(v);
        }
    }
}

long metrics_dir_draw(struct app *app, WINDOW *w, int y0, int rows, int width)
{
    struct metrics *m = &app->metrics;
    long total = (long)m->dir.nlines;

    if (m->dir.inv == NULL)
        return 0;
    m->scroll = metrics_clamp_scroll(m->scroll, total, rows);
    for (int r = 0; r < rows && m->scroll + r < total; r++) {
        size_t i = (size_t)(m->scroll + r);

        if (m->dir.roles[i] == ROLE_METRICS_HEADER)
            metrics_heading(app, w, y0 + r, width, m->dir.lines[i]);
        else
            draw_str_ellipsis(&app->draw, w, y0 + r, 1, width,
                              app->draw.role[m->dir.roles[i] ? m->dir.roles[i] : ROLE_METRICS],
                              m->dir.lines[i]);
    }
    return total;
}

long metrics_other_draw(struct app *app, WINDOW *w, int y0, int rows, int width)
{
    struct metrics *m = &app->metrics;
    struct draw *d = &app->draw;
    long total;
    int y = y0;

    if (m->kind == MK_LINK) {
        char *text = xasprintf("symbolic link %s %s", d->g->arrow,
                               m->other.target ? m->other.target : "(unreadable)");

        draw_str_ellipsis(d, w, y++, 1, width, d->role[ROLE_TREE_LINK], text);
        free(text);
        if (y < y0 + rows)
            draw_str_ellipsis(d, w, y, 1, width, d->role[ROLE_METRICS_DIM],
                              "not followed: the analysis never follows links either");
        return 2;
    }
    if (m->kind == MK_SPECIAL) {
        draw_str_ellipsis(d, w, y, 1, width, d->role[ROLE_METRICS_DIM],
                          "not a regular file (device, fifo or socket): never read");
        return 1;
    }
    if (m->error != NULL)
        return 0;
    draw_str_ellipsis(d, w, y++, 1, width, d->role[ROLE_METRICS_WARN],
                      m->other.binary ? "not an artifact: binary data (not shown)"
                                      : "not an artifact (chimera analyses csv, json and md)");
    if (m->other.binary || m->other.peek == NULL)
        return 1;
    /* the first lines of a text file, sanitised */
    {
        const char *p = m->other.peek, *end = p + m->other.peek_len;
        long line = 0;

        total = 1;
        for (const char *q = p; q < end; q++)
            total += *q == '\n';
        m->scroll = metrics_clamp_scroll(m->scroll, total, rows - 1);
        while (p < end && y < y0 + rows) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

            if (line++ >= m->scroll)
                draw_text_tabs(d, w, y++, 1, width, d->role[ROLE_METRICS_VALUE], p, len);
            p = nl ? nl + 1 : end;
        }
    }
    return total;
}
