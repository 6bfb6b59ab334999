/* metrics_md.c: a Markdown file's outline, word count and the figures of its Metrics
 * section (what reports by chimera or the original agent carry). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fmt.h"
#include "metrics_int.h"
#include "sanitize.h"
#include "xmem.h"

#define MD_CHUNK (1u << 20)

int metrics_md_step(struct app *app, int64_t deadline_ns)
{
    struct metrics *m = &app->metrics;
    char *chunk = xmalloc(MD_CHUNK);
    struct err err;
    int more = 1;

    while (more) {
        ssize_t got = read(m->md.fd, chunk, MD_CHUNK);

        if (got < 0) {
            if (errno == EINTR)
                continue;
            free(m->error);
            m->error = xasprintf("cannot read: %s", strerror(errno));
            more = 0;
            break;
        }
        if (got == 0) {
            close(m->md.fd);
            m->md.fd = -1;
            free(m->note);
            m->note = NULL;
            if (memchr(buf_cstr(&m->md.text), '\0', m->md.text.len) != NULL)
                m->note = xstrdup("contains NUL bytes: binary or UTF-16 text?");
            else if (!utf8_valid(buf_cstr(&m->md.text), m->md.text.len))
                m->note = xstrdup("not valid UTF-8: shown with replacement characters, left "
                                  "out of analyses");
            if (md_summarize(buf_cstr(&m->md.text), m->md.text.len, &m->md.md, &err) < 0) {
                md_summary_fini(&m->md.md);
                free(m->error);
                m->error = xstrdup(err.msg);
            } else {
                m->md.done = 1;
            }
            buf_reset(&m->md.text);
            more = 0;
            break;
        }
        m->bytes_done += (uint64_t)got;
        if (buf_append(&m->md.text, chunk, (size_t)got) < 0) {
            free(m->error);
            m->error = xasprintf("too large to outline (over %u MB)", MD_MAX_BYTES >> 20);
            more = 0;
            break;
        }
        if (clock_past(deadline_ns))
            break;
    }
    free(chunk);
    return more;
}

void metrics_md_facts(const struct app *app, char *out, size_t cap)
{
    const struct metrics *m = &app->metrics;
    char size[32], when[32], words[32];

    fmt_size(size, sizeof size, m->size);
    fmt_local(when, sizeof when, m->mtime);
    if (!m->md.done) {
        snprintf(out, cap, "%s%smodified %s", size, app->draw.g->sep, when);
        return;
    }
    fmt_count(words, sizeof words, m->md.md.words);
    snprintf(out, cap, "%s words%s%zu headings%s%llu lines%s%s%smodified %s", words,
             app->draw.g->sep, m->md.md.nheadings, app->draw.g->sep,
             (unsigned long long)m->md.md.lines, app->draw.g->sep, size, app->draw.g->sep, when);
}

/* Lines: the Metrics figures (when present) first, then the outline. */
long metrics_md_draw(struct app *app, WINDOW *w, int y0, int rows, int width)
{
    struct metrics *m = &app->metrics;
    const struct md_summary *s = &m->md.md;
    struct draw *d = &app->draw;
    long nmet, total;
    char text[128];

    if (!m->md.done)
        return 0;
    nmet = s->has_metrics_section ? 1 + (long)(s->nmetrics ? s->nmetrics : 1) + 1 : 0;
    total = nmet + 1 + (long)(s->nheadings ? s->nheadings : 1);
    m->scroll = metrics_clamp_scroll(m->scroll, total, rows);
    for (int r = 0; r < rows && m->scroll + r < total; r++) {
        long line = m->scroll + r;
        int y = y0 + r;

        if (line < nmet) {
            if (line == 0) {
                snprintf(text, sizeof text, "Metrics section (%zu figures)", s->nmetrics);
                metrics_heading(app, w, y, width, text);
            } else if (line <= (long)s->nmetrics) {
                const struct md_metric *mm = &s->metrics[line - 1];
                int lw = width / 2;

                draw_str_middle(d, w, y, 2, lw - 2, d->role[ROLE_METRICS_LABEL], mm->label);
                if (mm->has_value) {
                    char num[40];
                    int x;

                    fmt_num(num, sizeof num, mm->value, 4);
                    x = draw_str_right(d, w, y, 1 + lw, width / 4, d->role[ROLE_METRICS_NUMBER],
                                       num);
                    (void)x;
                    draw_str_ellipsis(d, w, y, 2 + lw + width / 4, width - lw - width / 4 - 1,
                                      d->role[ROLE_METRICS_DIM], mm->unit);
                } else {
                    draw_str_ellipsis(d, w, y, 1 + lw, width - lw, d->role[ROLE_METRICS_VALUE],
                                      mm->text);
                }
            } else if (s->nmetrics == 0 && line == 1) {
                draw_str(d, w, y, 2, width - 1, d->role[ROLE_METRICS_DIM], "(empty)");
            }
            continue;
        }
        line -= nmet;
        if (line == 0) {
            snprintf(text, sizeof text, "Outline (%zu headings)", s->nheadings);
            metrics_heading(app, w, y, width, text);
            continue;
        }
        if (s->nheadings == 0) {
            draw_str(d, w, y, 2, width - 1, d->role[ROLE_METRICS_DIM], "no headings");
            continue;
        }
        {
            const struct md_heading *hd = &s->headings[line - 1];
            int indent = 1 + (hd->level - 1) * 2;
            char ln[24];
            int lnw;

            if (indent > width / 2)
                indent = width / 2;
            snprintf(ln, sizeof ln, "%zu", hd->line);
            lnw = (int)strlen(ln) + 1;
            draw_str_ellipsis(d, w, y, 1 + indent, width - indent - lnw,
                              d->role[hd->level <= 2 ? ROLE_REPORT_HEADING : ROLE_METRICS_VALUE],
                              hd->text);
            draw_str_right(d, w, y, 1, width, d->role[ROLE_METRICS_DIM], ln);
        }
    }
    return total;
}
