/* metrics.c: the metrics pane's frame: choosing and running the loader for the selected
 * node, progress, errors, scrolling; each kind's content is drawn by metrics_<kind>.c. */
#include "metrics.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "artifact.h"
#include "clock.h"
#include "csvstats.h"
#include "fmt.h"
#include "ftree.h"
#include "inventory.h"
#include "jsondoc.h"
#include "jsonscan.h"
#include "metrics_int.h"
#include "sanitize.h"
#include "xmem.h"

#define METRICS_JSON_TEXT_MAX METRICS_JSON_TREE_MAX

void metrics_init(struct metrics *m)
{
    memset(m, 0, sizeof *m);
    m->json.fd = -1;
    m->md.fd = -1;
    m->cursor = -1;
    harvest_init(&m->json.metrics);
    buf_init(&m->json.text, METRICS_JSON_TEXT_MAX);
    buf_init(&m->md.text, MD_MAX_BYTES);
}

/* Drop everything loaded; keep the buffers' limits. */
static void metrics_clear(struct metrics *m)
{
    csv_reader_free(m->csv);
    m->csv = NULL;
    if (m->json.fd >= 0)
        close(m->json.fd);
    m->json.fd = -1;
    jsonscan_free(m->json.scan);
    m->json.scan = NULL;
    harvest_fini(&m->json.metrics);
    harvest_init(&m->json.metrics);
    buf_reset(&m->json.text);
    jsondoc_free(m->json.doc);
    m->json.doc = NULL;
    m->json.leaves = 0;
    if (m->md.fd >= 0)
        close(m->md.fd);
    m->md.fd = -1;
    buf_reset(&m->md.text);
    if (m->md.done)
        md_summary_fini(&m->md.md);
    m->md.done = 0;
    inventory_job_free(m->dir.job);
    m->dir.job = NULL;
    inventory_free(m->dir.inv);
    m->dir.inv = NULL;
    inventory_lines_free(m->dir.gaps, m->dir.ngaps);
    m->dir.gaps = NULL;
    m->dir.ngaps = 0;
    free(m->dir.summary);
    m->dir.summary = NULL;
    for (size_t i = 0; i < m->dir.nlines; i++)
        free(m->dir.lines[i]);
    free(m->dir.lines);
    free(m->dir.roles);
    m->dir.lines = NULL;
    m->dir.roles = NULL;
    m->dir.nlines = m->dir.lines_cap = 0;
    free(m->other.peek);
    free(m->other.target);
    memset(&m->other, 0, sizeof m->other);
    free(m->error);
    m->error = NULL;
    free(m->note);
    m->note = NULL;
    m->loading = 0;
    m->cancelled = 0;
    m->bytes_done = 0;
}

void metrics_fini(struct metrics *m)
{
    metrics_clear(m);
    harvest_fini(&m->json.metrics);
    buf_fini(&m->json.text);
    buf_fini(&m->md.text);
    free(m->relpath);
    free(m->path);
    m->relpath = m->path = NULL;
}

static void metrics_fail(struct metrics *m, const char *fmt, ...) ATTR_FORMAT(2, 3);

static void metrics_fail(struct metrics *m, const char *fmt, ...)
{
    va_list ap;
    char msg[512];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    free(m->error);
    m->error = xstrdup(msg);
    m->loading = 0;
}

/* A quick look at the first bytes of a file that is not an artifact. */
static void metrics_peek(struct metrics *m)
{
    char buf[METRICS_PEEK_BYTES];
    int fd = open(m->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    ssize_t got;

    if (fd < 0) {
        metrics_fail(m, "cannot read: %s", strerror(errno));
        return;
    }
    got = read(fd, buf, sizeof buf);
    close(fd);
    if (got < 0) {
        metrics_fail(m, "cannot read: %s", strerror(errno));
        return;
    }
    m->other.binary = memchr(buf, '\0', (size_t)got) != NULL;
    /* a multi-byte character may be cut at the end of the peek: ignore the last 3 bytes */
    m->other.utf8 = !m->other.binary &&
                    utf8_valid(buf, (size_t)got > 3 ? (size_t)got - 3 : (size_t)got);
    if (!m->other.binary) {
        m->other.peek = xstrndup(buf, (size_t)got);
        m->other.peek_len = (size_t)got;
    }
}

static void metrics_start(struct app *app, struct fnode *n)
{
    struct metrics *m = &app->metrics;
    struct err err;

    err_clear(&err);
    m->loading = 1;
    m->scroll = 0;
    m->cursor = -1;
    m->hscroll = 0;
    m->spark_col = -1;
    m->view = 0;
    if (n->type == FNODE_DIR) {
        m->kind = MK_DIR;
        if (n->flags & FNODE_UNREADABLE) {
            metrics_fail(m, "cannot read this folder: %s", strerror(n->err ? n->err : EACCES));
            return;
        }
        m->dir.job = inventory_start(m->path, NULL, 0, &err);
        if (m->dir.job == NULL)
            metrics_fail(m, "%s", err.msg);
        return;
    }
    if (n->type == FNODE_LINK) {
        m->kind = MK_LINK;
        m->other.target = ftree_link_target(app->tree, n);
        m->loading = 0;
        return;
    }
    if (n->type == FNODE_SPECIAL) {
        m->kind = MK_SPECIAL;
        m->loading = 0;
        if (n->flags & FNODE_UNREADABLE)
            metrics_fail(m, "cannot read: %s", strerror(n->err ? n->err : EACCES));
        return;
    }
    switch (n->kind) {
    case ART_CSV:
        m->kind = MK_CSV;
        m->csv = csv_reader_open(m->path, CSV_MODE_FULL, &err);
        if (m->csv == NULL)
            metrics_fail(m, "%s", err.msg);
        return;
    case ART_JSON:
        m->kind = MK_JSON;
        m->json.fd = open(m->path, O_RDONLY | O_CLOEXEC);
        if (m->json.fd < 0) {
            metrics_fail(m, "cannot read: %s", strerror(errno));
            return;
        }
        m->json.keep_text = m->size <= (int64_t)METRICS_JSON_TREE_MAX;
        return;
    case ART_MARKDOWN:
        m->kind = MK_MD;
        if (m->size > (int64_t)MD_MAX_BYTES) {
            char lim[16];

            snprintf(lim, sizeof lim, "%u MB", MD_MAX_BYTES >> 20);
            metrics_fail(m, "too large to outline (over %s)", lim);
            return;
        }
        m->md.fd = open(m->path, O_RDONLY | O_CLOEXEC);
        if (m->md.fd < 0)
            metrics_fail(m, "cannot read: %s", strerror(errno));
        return;
    default:
        m->kind = MK_OTHER;
        metrics_peek(m);
        m->loading = 0;
        return;
    }
}

void metrics_select(struct app *app, struct fnode *n)
{
    struct metrics *m = &app->metrics;
    char *rel;

    if (n == NULL) {
        metrics_clear(m);
        free(m->relpath);
        free(m->path);
        m->relpath = m->path = NULL;
        m->kind = MK_NONE;
        return;
    }
    rel = ftree_relpath(app->tree, n);
    /* the same, unchanged file: keep what is loaded (and the scroll position) */
    if (m->relpath != NULL && strcmp(rel, m->relpath) == 0 && n->type != FNODE_DIR &&
        n->size == m->size && n->mtime == m->mtime && m->error == NULL && !m->cancelled) {
        free(rel);
        return;
    }
    metrics_clear(m);
    free(m->relpath);
    free(m->path);
    m->relpath = rel;
    m->path = ftree_path(app->tree, n);
    m->size = n->size;
    m->mtime = n->mtime;
    metrics_start(app, n);
}

void metrics_reload(struct app *app)
{
    struct fnode *n;

    if (app->metrics.relpath == NULL)
        return;
    n = ftree_find(app->tree, app->metrics.relpath);
    free(app->metrics.relpath);
    app->metrics.relpath = NULL; /* forces a fresh load */
    metrics_select(app, n);
}

void metrics_forget(struct app *app, const struct fnode *n)
{
    (void)n;
    (void)app;
    /* the pane keeps paths, not node pointers: a vanished file shows its last data until
     * the cursor (moved by the tree) selects something else */
}

int metrics_busy(const struct metrics *m)
{
    return m->loading;
}

void metrics_cancel(struct app *app)
{
    struct metrics *m = &app->metrics;

    if (!m->loading)
        return;
    m->loading = 0;
    m->cancelled = 1;
    if (m->json.fd >= 0) {
        close(m->json.fd);
        m->json.fd = -1;
    }
    if (m->md.fd >= 0) {
        close(m->md.fd);
        m->md.fd = -1;
    }
}

double metrics_progress(const struct app *app)
{
    const struct metrics *m = &app->metrics;

    if (m->kind == MK_DIR && m->dir.job != NULL) {
        size_t done, total;
        uint64_t bytes;

        inventory_progress(m->dir.job, &done, &total, &bytes);
        return total > 0 ? (double)done / (double)total : -1;
    }
    if (m->kind == MK_CSV && m->csv != NULL) {
        const struct csv_summary *s = csv_reader_summary(m->csv);

        return s->file_size > 0 ? (double)s->bytes_done / (double)s->file_size : -1;
    }
    if (m->size > 0)
        return (double)m->bytes_done / (double)m->size;
    return -1;
}

/* What the reader noticed that changes how far the figures can be trusted. */
static void metrics_csv_note(struct metrics *m)
{
    const struct csv_summary *s = csv_reader_summary(m->csv);

    free(m->note);
    m->note = NULL;
    if (s->first_nul >= 0)
        m->note = xasprintf("NUL bytes from byte %lld: UTF-16 or binary? The figures may mean "
                            "nothing", (long long)s->first_nul);
    else if (s->first_invalid_utf8 >= 0)
        m->note = xasprintf("not valid UTF-8 at byte %lld: left out of analyses",
                            (long long)s->first_invalid_utf8);
    else if (s->ragged > 0)
        m->note = xasprintf("%llu row%s with a different number of fields than the header",
                            (unsigned long long)s->ragged, s->ragged == 1 ? "" : "s");
}

int metrics_step(struct app *app, int64_t deadline_ns)
{
    struct metrics *m = &app->metrics;
    struct err err;
    int r = 0;

    if (!m->loading)
        return 0;
    switch (m->kind) {
    case MK_CSV:
        r = csv_reader_step(m->csv, deadline_ns, &err);
        if (r < 0) {
            metrics_fail(m, "%s", err.msg);
            r = 0;
        } else if (r == 0) {
            metrics_csv_note(m);
        }
        break;
    case MK_JSON:
        r = metrics_json_step(app, deadline_ns);
        break;
    case MK_MD:
        r = metrics_md_step(app, deadline_ns);
        break;
    case MK_DIR:
        r = metrics_dir_step(app, deadline_ns);
        break;
    default:
        r = 0;
    }
    if (r == 0)
        m->loading = 0;
    return r;
}

/* --- drawing ------------------------------------------------------------------------------------ */

char *metrics_title(const struct app *app)
{
    const struct metrics *m = &app->metrics;

    if (m->relpath == NULL)
        return xstrdup("Metrics");
    return xasprintf("Metrics%s%s", app->draw.g->sep,
                     *m->relpath ? m->relpath : ftree_root(app->tree)->name);
}

void metrics_heading(struct app *app, WINDOW *w, int y, int width, const char *text)
{
    draw_str_ellipsis(&app->draw, w, y, 1, width, app->draw.role[ROLE_METRICS_HEADER], text);
}

long metrics_clamp_scroll(long scroll, long total, int rows)
{
    if (scroll > total - rows)
        scroll = total - rows;
    if (scroll < 0)
        scroll = 0;
    return scroll;
}

static void metrics_facts(const struct app *app, char *out, size_t cap)
{
    const struct metrics *m = &app->metrics;
    char size[32], when[32];

    switch (m->kind) {
    case MK_CSV:
        metrics_csv_facts(app, out, cap);
        return;
    case MK_JSON:
        metrics_json_facts(app, out, cap);
        return;
    case MK_MD:
        metrics_md_facts(app, out, cap);
        return;
    case MK_DIR:
        metrics_dir_facts(app, out, cap);
        return;
    default:
        break;
    }
    fmt_size(size, sizeof size, m->size);
    fmt_local(when, sizeof when, m->mtime);
    snprintf(out, cap, "%s%smodified %s", size, app->draw.g->sep, when);
}

/* A progress bar with a percentage, or a spinner when the total is unknown. */
static void metrics_draw_progress(struct app *app, WINDOW *w, int y, int width)
{
    double f = metrics_progress(app);
    char text[64];
    int bar;

    if (f < 0) {
        snprintf(text, sizeof text, "%s reading%s(Esc stops)", app->draw.g->spinner[app->spinner / 4 % 4],
                 app->draw.g->sep);
        draw_str(&app->draw, w, y, 1, width, app->draw.role[ROLE_PROGRESS], text);
        return;
    }
    snprintf(text, sizeof text, " %3d%% (Esc stops)", (int)(f * 100));
    bar = width - draw_width(&app->draw, text);
    if (bar > 40)
        bar = 40;
    if (bar > 2) {
        int filled = (int)(f * bar);

        draw_fill(w, y, 1, filled, app->draw.role[ROLE_PROGRESS] | A_REVERSE);
        draw_fill(w, y, 1 + filled, bar - filled, app->draw.role[ROLE_METRICS_DIM]);
    } else {
        bar = 0;
    }
    draw_str(&app->draw, w, y, 1 + bar, width - bar, app->draw.role[ROLE_PROGRESS], text);
}

void metrics_draw(struct app *app, WINDOW *w, int focused)
{
    struct metrics *m = &app->metrics;
    char *title = metrics_title(app);
    char facts[256];
    int h, wd, y = 1, width, rows;
    long total = 0;
    WINDOW *in;

    getmaxyx(w, h, wd);
    draw_box(&app->draw, w, focused, title);
    free(title);
    if (m->relpath == NULL || h < 3 || wd < 6)
        return;
    /* content one column in from each border: a derived window shifts x by one */
    in = derwin(w, h, wd - 2, 0, 1);
    if (in == NULL)
        return;
    width = wd - 4;
    metrics_facts(app, facts, sizeof facts);
    draw_str_ellipsis(&app->draw, in, y++, 1, width, app->draw.role[ROLE_METRICS_DIM], facts);
    if (m->loading && y < h - 1)
        metrics_draw_progress(app, in, y++, width);
    if (m->cancelled && y < h - 1)
        draw_str_ellipsis(&app->draw, in, y++, 1, width, app->draw.role[ROLE_METRICS_WARN],
                          "stopped: partial figures (select again to reload)");
    if (m->error != NULL && y < h - 1)
        draw_str_ellipsis(&app->draw, in, y++, 1, width, app->draw.role[ROLE_METRICS_WARN],
                          m->error);
    if (m->note != NULL && y < h - 1)
        draw_str_ellipsis(&app->draw, in, y++, 1, width, app->draw.role[ROLE_METRICS_DIM],
                          m->note);
    rows = h - 1 - y;
    m->page = rows;
    if (rows > 0) {
        switch (m->kind) {
        case MK_CSV:
            total = metrics_csv_draw(app, in, y, rows, width);
            break;
        case MK_JSON:
            total = metrics_json_draw(app, in, y, rows, width);
            break;
        case MK_MD:
            total = metrics_md_draw(app, in, y, rows, width);
            break;
        case MK_DIR:
            total = metrics_dir_draw(app, in, y, rows, width);
            break;
        default:
            total = metrics_other_draw(app, in, y, rows, width);
            break;
        }
    }
    delwin(in);
    if (total > rows && rows > 0) {
        char pos[80];

        snprintf(pos, sizeof pos, " %ld-%ld/%ld ", m->scroll + 1,
                 m->scroll + rows < total ? m->scroll + rows : total, total);
        draw_str_right(&app->draw, w, h - 1, 1, wd - 3, app->draw.role[ROLE_BORDER], pos);
    }
}

/* --- keys and mouse ------------------------------------------------------------------------------ */

static void metrics_scroll_by(struct app *app, long delta)
{
    struct metrics *m = &app->metrics;

    if (m->cursor >= 0) {
        m->cursor += delta;
        if (m->cursor < 0)
            m->cursor = 0;
        return; /* the JSON view clamps the cursor to its lines when drawing */
    }
    m->scroll += delta;
    if (m->scroll < 0)
        m->scroll = 0;
}

int metrics_action(struct app *app, enum action a)
{
    struct metrics *m = &app->metrics;
    long page = m->page > 1 ? m->page - 1 : 1;

    if (m->kind == MK_CSV && metrics_csv_action(app, a))
        return 1;
    if (m->kind == MK_JSON && metrics_json_action(app, a))
        return 1;
    switch (a) {
    case ACT_UP:
        metrics_scroll_by(app, -1);
        return 1;
    case ACT_DOWN:
        metrics_scroll_by(app, 1);
        return 1;
    case ACT_PAGE_UP:
        metrics_scroll_by(app, -page);
        return 1;
    case ACT_PAGE_DOWN:
        metrics_scroll_by(app, page);
        return 1;
    case ACT_TOP:
        m->scroll = 0;
        if (m->cursor >= 0)
            m->cursor = 0;
        return 1;
    case ACT_BOTTOM:
        m->scroll = 1L << 40; /* clamped when drawn */
        if (m->cursor >= 0)
            m->cursor = 1L << 40;
        return 1;
    default:
        return 0;
    }
}

void metrics_click(struct app *app, int row)
{
    struct metrics *m = &app->metrics;

    if (m->kind == MK_JSON && m->cursor >= 0) {
        /* rows below the facts line map to content lines */
        long line = m->scroll + row - 1 - (m->loading ? 1 : 0) - (m->error ? 1 : 0) -
                    (m->note ? 1 : 0) - (m->cancelled ? 1 : 0);

        if (line >= 0)
            m->cursor = line;
    }
}

void metrics_wheel(struct app *app, int delta)
{
    metrics_scroll_by(app, delta);
}
