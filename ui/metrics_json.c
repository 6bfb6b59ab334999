/* metrics_json.c: a JSON document's harvested metrics (path -> value, the SPEC section 5
 * rule) and a collapsible tree of the whole document. The harvest streams through the
 * file in slices (any size, constant memory); the tree is built by cJSON for documents
 * up to METRICS_JSON_TREE_MAX once the harvest has validated them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fmt.h"
#include "jsondoc.h"
#include "jsonscan.h"
#include "metrics_int.h"
#include "xmem.h"

#define JSON_CHUNK (1u << 20)

static void json_leaf(const struct json_leaf *leaf, void *arg)
{
    struct metrics *m = arg;

    m->json.leaves++;
    harvest_json_leaf(leaf, &m->json.metrics);
}

static void json_set_error(struct metrics *m, const char *msg)
{
    free(m->error);
    m->error = xasprintf("invalid JSON: %s", msg);
}

/* The whole document is read and valid: build the tree if it is small enough. */
static void json_finish(struct app *app)
{
    struct metrics *m = &app->metrics;
    struct err err;

    close(m->json.fd);
    m->json.fd = -1;
    if (!m->json.keep_text) {
        char lim[16];

        snprintf(lim, sizeof lim, "%u MB", METRICS_JSON_TREE_MAX >> 20);
        free(m->note);
        m->note = xasprintf("document tree not built for files over %s; the metrics cover "
                            "the whole file", lim);
        return;
    }
    m->json.doc = jsondoc_parse(buf_cstr(&m->json.text), m->json.text.len, &err);
    if (m->json.doc == NULL)
        json_set_error(m, err.msg);
    buf_reset(&m->json.text);
}

int metrics_json_step(struct app *app, int64_t deadline_ns)
{
    struct metrics *m = &app->metrics;
    char *chunk = xmalloc(JSON_CHUNK);
    struct err err;
    int more = 1;

    if (m->json.scan == NULL)
        m->json.scan = jsonscan_new(json_leaf, m);
    while (more) {
        ssize_t got = read(m->json.fd, chunk, JSON_CHUNK);

        if (got < 0) {
            if (errno == EINTR)
                continue;
            free(m->error);
            m->error = xasprintf("cannot read: %s", strerror(errno));
            more = 0;
            break;
        }
        if (got == 0) {
            if (jsonscan_finish(m->json.scan, &err) < 0)
                json_set_error(m, err.msg);
            else
                json_finish(app);
            more = 0;
            break;
        }
        m->bytes_done += (uint64_t)got;
        if (jsonscan_feed(m->json.scan, chunk, (size_t)got, &err) < 0) {
            json_set_error(m, err.msg);
            more = 0;
            break;
        }
        if (m->json.keep_text && buf_append(&m->json.text, chunk, (size_t)got) < 0) {
            /* the file grew past the tree limit while being read */
            m->json.keep_text = 0;
            buf_reset(&m->json.text);
        }
        if (clock_past(deadline_ns))
            break;
    }
    free(chunk);
    return more;
}

void metrics_json_facts(const struct app *app, char *out, size_t cap)
{
    const struct metrics *m = &app->metrics;
    char size[32], when[32], values[32];
    const struct jsonscan_stats *st = m->json.scan ? jsonscan_stats(m->json.scan) : NULL;

    fmt_size(size, sizeof size, m->size);
    fmt_local(when, sizeof when, m->mtime);
    if (st == NULL) {
        snprintf(out, cap, "%s%smodified %s", size, app->draw.g->sep, when);
        return;
    }
    fmt_count(values, sizeof values, st->values);
    snprintf(out, cap, "%s values%s%d deep%s%s%smodified %s", values, app->draw.g->sep,
             st->max_depth, app->draw.g->sep, size, app->draw.g->sep, when);
}

/* Lines: "Harvested metrics (N)", N entries, a blank, "Document", the tree. */
static long json_total(const struct metrics *m)
{
    long n = 1 + (long)(m->json.metrics.n ? m->json.metrics.n : 1);

    if (m->json.doc != NULL)
        n += 2 + (long)jsondoc_visible(m->json.doc);
    return n;
}

/* Index of the first document line, or -1 without a document. */
static long json_doc_first(const struct metrics *m)
{
    if (m->json.doc == NULL)
        return -1;
    return 1 + (long)(m->json.metrics.n ? m->json.metrics.n : 1) + 2;
}

/* Width of the key column: the longest key, at most two thirds of the pane. */
static int json_key_width(struct app *app, int width)
{
    const struct harvest *h = &app->metrics.json.metrics;
    int kw = 8;

    for (size_t i = 0; i < h->n; i++) {
        int w = draw_width(&app->draw, h->entries[i].key + 5);

        if (w > kw)
            kw = w;
    }
    return kw + 3 > width * 2 / 3 ? width * 2 / 3 : kw + 3;
}

static void json_draw_metric(struct app *app, WINDOW *w, int y, int width, int kw, size_t i,
                             attr_t bg)
{
    const struct harvest_entry *e = &app->metrics.json.metrics.entries[i];
    char *value = harvest_value_json(e);
    const char *key = e->key + 5; /* without "json_" */

    draw_fill(w, y, 0, width + 2, bg); /* the bar spans the padding too */
    draw_str_middle(&app->draw, w, y, 2, kw - 3, bg ? bg : app->draw.role[ROLE_METRICS_LABEL],
                    key);
    draw_str_ellipsis(&app->draw, w, y, 1 + kw, width - kw,
                      bg ? bg : app->draw.role[ROLE_METRICS_NUMBER], value);
    free(value);
}

static const char *json_type_name(enum jsondoc_type t)
{
    switch (t) {
    case JSONDOC_OBJECT:
        return "object";
    case JSONDOC_ARRAY:
        return "array";
    default:
        return "";
    }
}

static void json_draw_node(struct app *app, WINDOW *w, int y, int width, size_t i, attr_t bg)
{
    struct draw *d = &app->draw;
    struct jsondoc_line l;
    int x = 1;
    char label[64];

    if (jsondoc_line(app->metrics.json.doc, i, &l) < 0)
        return;
    draw_fill(w, y, 0, width + 2, bg); /* the bar spans the padding too */
    x += l.depth * 2 > width / 2 ? width / 2 : l.depth * 2;
    if (l.type == JSONDOC_OBJECT || l.type == JSONDOC_ARRAY)
        x += draw_str(d, w, y, x, 2, bg ? bg : d->role[ROLE_TREE_DIR],
                      l.expanded ? d->g->expanded : d->g->collapsed);
    else
        x += draw_str(d, w, y, x, 2, bg, " ");
    x += draw_str(d, w, y, x, 1, bg, " ");
    if (l.key != NULL) {
        x += draw_str_middle(d, w, y, x, (width - x) / 2, bg ? bg : d->role[ROLE_METRICS_LABEL],
                             l.key);
        x += draw_str(d, w, y, x, 2, bg, ": ");
    } else if (l.index >= 0) {
        snprintf(label, sizeof label, "[%ld]", l.index);
        x += draw_str(d, w, y, x, width - x, bg ? bg : d->role[ROLE_METRICS_DIM], label);
        x += draw_str(d, w, y, x, 1, bg, " ");
    }
    if (l.type == JSONDOC_OBJECT || l.type == JSONDOC_ARRAY) {
        snprintf(label, sizeof label, "%s (%zu)", json_type_name(l.type), l.nchildren);
        draw_str(d, w, y, x, width + 1 - x, bg ? bg : d->role[ROLE_METRICS_DIM], label);
    } else {
        enum theme_role r = l.type == JSONDOC_NUMBER   ? ROLE_METRICS_NUMBER
                            : l.type == JSONDOC_STRING ? ROLE_METRICS_VALUE
                                                       : ROLE_METRICS_DIM;

        draw_str_ellipsis(d, w, y, x, width + 1 - x, bg ? bg : d->role[r],
                          l.value ? l.value : "");
    }
}

long metrics_json_draw(struct app *app, WINDOW *w, int y0, int rows, int width)
{
    struct metrics *m = &app->metrics;
    long total = json_total(m);
    long first_doc = json_doc_first(m);
    long nmetric = (long)m->json.metrics.n;
    int kw = json_key_width(app, width);
    char head[96];

    if (m->cursor < 0)
        m->cursor = first_doc >= 0 ? first_doc : 0;
    if (m->cursor >= total)
        m->cursor = total - 1;
    if (m->cursor < m->scroll)
        m->scroll = m->cursor;
    if (m->cursor >= m->scroll + rows)
        m->scroll = m->cursor - rows + 1;
    m->scroll = metrics_clamp_scroll(m->scroll, total, rows);
    for (int r = 0; r < rows && m->scroll + r < total; r++) {
        long line = m->scroll + r;
        int y = y0 + r;
        attr_t bg = line == m->cursor && app->focus == PANE_METRICS
                        ? app->draw.role[ROLE_METRICS_CURSOR]
                        : 0;

        if (line == 0) {
            snprintf(head, sizeof head, "Harvested metrics (%ld)", nmetric);
            metrics_heading(app, w, y, width, head);
        } else if (line <= (nmetric ? nmetric : 1)) {
            if (nmetric == 0)
                draw_str_ellipsis(&app->draw, w, y, 2, width - 1,
                                  app->draw.role[ROLE_METRICS_DIM],
                                  m->loading ? "..."
                                             : "none: no tok/throughput/latency/ttft/speed value");
            else
                json_draw_metric(app, w, y, width, kw, (size_t)(line - 1), bg);
        } else if (first_doc >= 0 && line == first_doc - 1) {
            snprintf(head, sizeof head, "Document (%zu nodes%sEnter opens, * all, - none)",
                     jsondoc_nodes(m->json.doc), app->draw.g->sep);
            metrics_heading(app, w, y, width, head);
        } else if (first_doc >= 0 && line >= first_doc) {
            json_draw_node(app, w, y, width, (size_t)(line - first_doc), bg);
        }
    }
    return total;
}

int metrics_json_action(struct app *app, enum action a)
{
    struct metrics *m = &app->metrics;
    long first_doc = json_doc_first(m);

    switch (a) {
    case ACT_ENTER:
        if (first_doc >= 0 && m->cursor >= first_doc)
            jsondoc_toggle(m->json.doc, (size_t)(m->cursor - first_doc));
        return 1;
    case ACT_RIGHT:
    case ACT_LEFT:
        if (first_doc >= 0 && m->cursor >= first_doc) {
            struct jsondoc_line l;

            if (jsondoc_line(m->json.doc, (size_t)(m->cursor - first_doc), &l) == 0 &&
                (l.type == JSONDOC_OBJECT || l.type == JSONDOC_ARRAY) &&
                l.expanded != (a == ACT_RIGHT))
                jsondoc_toggle(m->json.doc, (size_t)(m->cursor - first_doc));
        }
        return 1;
    case ACT_EXPAND_ALL:
        if (m->json.doc != NULL)
            jsondoc_expand_depth(m->json.doc, JSONSCAN_MAX_DEPTH);
        return 1;
    case ACT_COLLAPSE_ALL:
        if (m->json.doc != NULL) {
            jsondoc_expand_depth(m->json.doc, 0);
            m->cursor = first_doc;
        }
        return 1;
    case ACT_VIEW:
        /* jump between the metrics and the document */
        if (first_doc >= 0)
            m->cursor = m->cursor >= first_doc ? 0 : first_doc;
        return 1;
    default:
        return 0;
    }
}
