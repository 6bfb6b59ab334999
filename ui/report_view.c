/* report_view.c: streamed Markdown, sanitised, styled, wrapped, followed. */
#include "report_view.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sanitize.h"
#include "xmem.h"

struct rv_line {
    char *text;       /* rendered: sanitised, Markdown markers removed */
    uint8_t *style;   /* one enum rv_style per byte */
    size_t len;
    uint8_t kind;     /* RV_TEXT, RV_THINKING, RV_SECTION or RV_NOTE */
    uint8_t open;     /* the last line, still growing */
    uint8_t fence;    /* inside a code fence after this line */
    size_t nrows;     /* rows at the current width */
};

struct rv_row {
    size_t line;
    uint32_t start, end;
};

void report_view_init(struct report_view *v, int ascii)
{
    memset(v, 0, sizeof *v);
    v->show_thinking = 1;
    v->follow = 1;
    v->ascii = ascii;
}

static void rv_free_line(struct rv_line *l)
{
    free(l->text);
    free(l->style);
}

void report_view_clear(struct report_view *v)
{
    for (size_t i = 0; i < v->nlines; i++)
        rv_free_line(&v->lines[i]);
    v->nlines = 0;
    v->nrows = 0;
    v->bytes = 0;
    v->pending_len = 0;
    v->in_fence = 0;
    v->scroll = 0;
    v->follow = 1;
}

void report_view_fini(struct report_view *v)
{
    report_view_clear(v);
    free(v->lines);
    free(v->rows);
    free(v->pending);
    memset(v, 0, sizeof *v);
}

/* --- rendering one logical line ------------------------------------------------------- */

struct rv_out {
    struct buf text;
    uint8_t *style;
    size_t cap;
};

static void rv_put(struct rv_out *o, const char *s, size_t n, enum rv_style st)
{
    if (n == 0)
        return;
    if (buf_append(&o->text, s, n) < 0)
        return; /* over the line's bound: the rest of the line is not shown */
    o->style = xgrow(o->style, &o->cap, o->text.len, 1);
    memset(o->style + o->text.len - n, (int)st, n);
}

/* Inline Markdown: **bold** (or __bold__) and `code`, markers dropped when they close on
 * the same line, kept as written otherwise. On the line still arriving (`open`), a marker
 * not closed yet styles the rest as if it will be: the text does not shift left when the
 * closing marker comes (a shift would send the rest of the row to the terminal again),
 * and a lone '*', '_' or '`' at the very end waits for the next piece. */
static void rv_inline(struct rv_out *o, const char *s, size_t n, enum rv_style base, int open)
{
    size_t i = 0;

    while (i < n) {
        if (open && i + 1 == n && (s[i] == '*' || s[i] == '_'))
            return;
        if (s[i] == '`') {
            const char *close = memchr(s + i + 1, '`', n - i - 1);

            if (close != NULL) {
                rv_put(o, s + i + 1, (size_t)(close - s - i - 1), RV_CODE);
                i = (size_t)(close - s) + 1;
                continue;
            }
            if (open) {
                rv_put(o, s + i + 1, n - i - 1, RV_CODE);
                return;
            }
        }
        if (i + 1 < n && ((s[i] == '*' && s[i + 1] == '*') || (s[i] == '_' && s[i + 1] == '_'))) {
            const char *close = NULL;

            for (size_t j = i + 2; j + 1 < n; j++) {
                if (s[j] == s[i] && s[j + 1] == s[i]) {
                    close = s + j;
                    break;
                }
            }
            if (close != NULL && close > s + i + 2) {
                rv_put(o, s + i + 2, (size_t)(close - s - i - 2), RV_BOLD);
                i = (size_t)(close - s) + 2;
                continue;
            }
            if (close == NULL && open) {
                /* the closing marker may be arriving: hold back a lone last '*' too */
                size_t end = n > i + 2 && s[n - 1] == s[i] ? n - 1 : n;

                rv_put(o, s + i + 2, end - i - 2, RV_BOLD);
                return;
            }
        }
        {
            size_t run = i + 1;

            while (run < n && s[run] != '`' && s[run] != '*' && s[run] != '_')
                run++;
            rv_put(o, s + i, run - i, base);
            i = run;
        }
    }
}

/* Render raw line text into `l`; `fence` is the code-fence state before the line. */
static void rv_render(struct report_view *v, struct rv_line *l, const char *raw, size_t n,
                      int kind, int fence, int open)
{
    struct buf clean;
    struct rv_out o;
    const char *s;
    size_t len, lead = 0;

    buf_init(&clean, 1u << 20);
    if (sanitize(raw, n, SAN_EXPAND_TABS | (v->ascii ? SAN_ASCII : 0), &clean) < 0) {
        /* a line over a megabyte: what fitted is shown */
    }
    s = buf_cstr(&clean);
    len = clean.len;
    buf_init(&o.text, 1u << 20);
    o.style = NULL;
    o.cap = 0;
    l->kind = (uint8_t)kind;
    l->fence = (uint8_t)fence;
    while (lead < len && s[lead] == ' ')
        lead++;
    if (kind != RV_TEXT) {
        rv_put(&o, s, len, (enum rv_style)kind);
    } else if (len - lead >= 3 &&
               (strncmp(s + lead, "```", 3) == 0 || strncmp(s + lead, "~~~", 3) == 0)) {
        l->fence = (uint8_t)!fence;
        rv_put(&o, s, len, RV_CODE);
    } else if (fence) {
        rv_put(&o, s, len, RV_CODE);
    } else if (lead <= 3 && lead < len && s[lead] == '#') {
        size_t h = lead, end = len;

        while (h < len && s[h] == '#')
            h++;
        if (h - lead <= 6 && (h == len || s[h] == ' ')) {
            while (h < len && s[h] == ' ')
                h++;
            while (end > h && (s[end - 1] == '#' || s[end - 1] == ' '))
                end--;
            rv_inline(&o, s + h, end - h, RV_HEADING, open);
            for (size_t i = 0; i < o.text.len; i++)
                if (o.style[i] == RV_BOLD || o.style[i] == RV_TEXT)
                    o.style[i] = RV_HEADING; /* the whole heading stands out */
        } else {
            rv_inline(&o, s, len, RV_TEXT, open);
        }
    } else if (lead + 1 < len && (s[lead] == '-' || s[lead] == '*' || s[lead] == '+') &&
               s[lead + 1] == ' ') {
        const char *glyph = v->ascii ? "*" : "\u2022";

        rv_put(&o, s, lead, RV_TEXT);
        rv_put(&o, glyph, strlen(glyph), RV_BULLET);
        rv_inline(&o, s + lead + 1, len - lead - 1, RV_TEXT, open);
    } else {
        rv_inline(&o, s, len, RV_TEXT, open);
    }
    l->len = o.text.len;
    l->text = buf_steal(&o.text);
    l->style = o.style != NULL ? o.style : xcalloc(1, 1);
    buf_fini(&clean);
}

/* --- rows ---------------------------------------------------------------------------- */

/* Append the rows of line `li` at width v->width. */
static void rv_wrap(struct report_view *v, size_t li)
{
    struct rv_line *l = &v->lines[li];
    size_t pos = 0;

    l->nrows = 0;
    if (v->width <= 0)
        return;
    do {
        size_t rest = l->len - pos;
        size_t fit = text_fit(l->text + pos, rest, (size_t)v->width, NULL);
        size_t end = pos + fit;

        if (fit < rest) {
            /* break after the last space that fits, unless the word is longer than a row */
            size_t b = end;

            while (b > pos && l->text[b - 1] != ' ')
                b--;
            if (b > pos)
                end = b;
            else if (fit == 0)
                end = pos + 1; /* a character wider than the row: show it cut */
        }
        v->rows = xgrow(v->rows, &v->rows_cap, v->nrows + 1, sizeof *v->rows);
        v->rows[v->nrows].line = li;
        v->rows[v->nrows].start = (uint32_t)pos;
        v->rows[v->nrows].end = (uint32_t)end;
        v->nrows++;
        l->nrows++;
        pos = end;
    } while (pos < l->len);
}

static void rv_rewrap_all(struct report_view *v)
{
    v->nrows = 0;
    for (size_t i = 0; i < v->nlines; i++)
        rv_wrap(v, i);
}

static void rv_push(struct report_view *v, const char *raw, size_t n, int kind, int open)
{
    int fence = v->nlines > 0 ? v->lines[v->nlines - 1].fence : 0;
    struct rv_line *l;

    v->lines = xgrow(v->lines, &v->lines_cap, v->nlines + 1, sizeof *v->lines);
    l = &v->lines[v->nlines];
    memset(l, 0, sizeof *l);
    rv_render(v, l, raw, n, kind, kind == RV_TEXT ? fence : 0, open);
    if (kind != RV_TEXT)
        l->fence = (uint8_t)fence; /* thinking and notes do not open or close fences */
    l->open = (uint8_t)open;
    v->bytes += l->len;
    v->nlines++;
    rv_wrap(v, v->nlines - 1);
}

/* Drop the open last line and its rows (it is about to be rendered again). */
static void rv_pop_open(struct report_view *v)
{
    struct rv_line *l;

    if (v->nlines == 0 || !v->lines[v->nlines - 1].open)
        return;
    l = &v->lines[v->nlines - 1];
    v->nrows -= l->nrows;
    v->bytes -= l->len;
    rv_free_line(l);
    v->nlines--;
}

/* Keep memory bounded: drop the oldest tenth of the lines. */
static void rv_trim(struct report_view *v)
{
    size_t drop;

    if (v->bytes <= REPORT_VIEW_MAX_BYTES || v->nlines < 10)
        return;
    drop = v->nlines / 10;
    for (size_t i = 0; i < drop; i++) {
        v->bytes -= v->lines[i].len;
        rv_free_line(&v->lines[i]);
    }
    memmove(v->lines, v->lines + drop, (v->nlines - drop) * sizeof *v->lines);
    v->nlines -= drop;
    rv_rewrap_all(v);
}

/* Close the unfinished line (a kind change, a section). */
static void rv_close(struct report_view *v)
{
    if (v->pending_len == 0)
        return;
    rv_pop_open(v);
    rv_push(v, v->pending, v->pending_len, v->pending_kind, 0);
    v->pending_len = 0;
}

void report_view_append(struct report_view *v, int thinking, const char *text, size_t n)
{
    int kind = thinking ? RV_THINKING : RV_TEXT;
    size_t start = 0;

    if (n == 0)
        return;
    if (kind != v->pending_kind) {
        rv_close(v);
        v->pending_kind = kind;
    }
    rv_pop_open(v);
    v->pending = xgrow(v->pending, &v->pending_cap, v->pending_len + n + 1, 1);
    memcpy(v->pending + v->pending_len, text, n);
    v->pending_len += n;
    /* complete lines become final; the rest stays open */
    for (size_t i = 0; i < v->pending_len; i++) {
        if (v->pending[i] != '\n')
            continue;
        rv_push(v, v->pending + start, i - start, kind, 0);
        start = i + 1;
    }
    if (start > 0) {
        memmove(v->pending, v->pending + start, v->pending_len - start);
        v->pending_len -= start;
    }
    if (v->pending_len > 0)
        rv_push(v, v->pending, v->pending_len, kind, 1);
    rv_trim(v);
}

void report_view_section(struct report_view *v, const char *title)
{
    rv_close(v);
    if (v->nlines > 0)
        rv_push(v, "", 0, RV_SECTION, 0);
    rv_push(v, title, strlen(title), RV_SECTION, 0);
}

void report_view_note(struct report_view *v, const char *text)
{
    rv_close(v);
    rv_push(v, text, strlen(text), RV_NOTE, 0);
}

void report_view_toggle_thinking(struct report_view *v)
{
    v->show_thinking = !v->show_thinking;
}

size_t report_view_rows(const struct report_view *v)
{
    return v->nrows;
}

/* --- drawing ------------------------------------------------------------------------- */

static enum theme_role rv_role(enum rv_style st)
{
    switch (st) {
    case RV_HEADING:
        return ROLE_REPORT_HEADING;
    case RV_BULLET:
        return ROLE_REPORT_BULLET;
    case RV_BOLD:
        return ROLE_REPORT_BOLD;
    case RV_CODE:
        return ROLE_REPORT_CODE;
    case RV_THINKING:
        return ROLE_REPORT_THINKING;
    case RV_SECTION:
        return ROLE_METRICS_HEADER;
    case RV_NOTE:
        return ROLE_METRICS_WARN;
    case RV_TEXT:
        break;
    }
    return ROLE_REPORT;
}

/* Where a following view starts (see report_view.h): a new page once the newest row would
 * fall below the pane, the newest row then `keep` rows from the top. */
static void rv_follow(struct report_view *v, long nvis, int rows)
{
    long keep = rows / 8;

    if (v->follow_lines || v->snap_end || rows < 4) {
        v->snap_end = 0;
        v->scroll = nvis - rows;
        return;
    }
    if (v->scroll > nvis - 1 - keep)
        v->scroll = nvis - rows; /* the text got shorter (re-wrapped wider, cleared) */
    if (v->scroll + rows < nvis)
        v->scroll = nvis - 1 - keep;
}

void report_view_draw(struct report_view *v, struct draw *d, WINDOW *w, int y0, int x0, int rows,
                      int width)
{
    size_t shown = 0, first;
    size_t *visible;
    size_t nvis = 0;

    if (width != v->width) {
        v->width = width;
        rv_rewrap_all(v);
    }
    if (rows <= 0 || width <= 0)
        return;
    /* rows of folded thinking are skipped */
    visible = xmalloc((v->nrows ? v->nrows : 1) * sizeof *visible);
    for (size_t r = 0; r < v->nrows; r++)
        if (v->show_thinking || v->lines[v->rows[r].line].kind != RV_THINKING)
            visible[nvis++] = r;
    if (v->follow)
        rv_follow(v, (long)nvis, rows);
    else if (v->scroll > (long)nvis - rows)
        v->scroll = (long)nvis - rows;
    if (v->scroll < 0)
        v->scroll = 0;
    first = (size_t)v->scroll;
    for (size_t i = first; i < nvis && shown < (size_t)rows; i++, shown++) {
        const struct rv_row *row = &v->rows[visible[i]];
        const struct rv_line *l = &v->lines[row->line];
        int x = x0;
        size_t p = row->start;

        while (p < row->end) {
            size_t q = p + 1;
            size_t used;

            while (q < row->end && l->style[q] == l->style[p])
                q++;
            wattrset(w, d->role[rv_role((enum rv_style)l->style[p])]);
            used = text_width(l->text + p, q - p);
            if (x + (int)used > x0 + width)
                used = (size_t)(x0 + width - x);
            mvwaddnstr(w, y0 + (int)shown, x, l->text + p,
                       (int)text_fit(l->text + p, q - p, used, NULL));
            x += (int)used;
            p = q;
        }
    }
    free(visible);
}

void report_view_scroll(struct report_view *v, long delta, int rows)
{
    long max = (long)v->nrows - rows;
    long at = v->scroll;

    if (max < 0)
        max = 0;
    if (at > max)
        at = max; /* a turned page shows blank rows below the end: scroll from the end */
    at += delta;
    if (at < 0)
        at = 0;
    if (at >= max) {
        /* back at the end: follow again (a turned page stays where it is) */
        if (v->scroll < max)
            v->scroll = max;
        v->follow = 1;
    } else {
        v->scroll = at;
        v->follow = 0;
    }
}

void report_view_follow(struct report_view *v)
{
    v->follow = 1;
    v->snap_end = 1;
}

void report_view_top(struct report_view *v)
{
    v->follow = 0;
    v->scroll = 0;
}
