/* draw.c: sanitised, width-aware text drawing, boxes, sparklines, theme attributes. */
#include "draw.h"

#include <math.h>
#include <string.h>

#include "sanitize.h"

#define DRAW_SCRATCH_MAX (1u << 20)

static const struct glyphs glyphs_utf8 = {
    .expanded = "▾", .collapsed = "▸", .leaf = " ",
    .mark = "●", .nomark = " ",
    .ellipsis = "…", .arrow = "→", .loop = "↺", .bullet = "•", .sep = " · ",
    .spark = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"},
    .spinner = {"◐", "◓", "◑", "◒"},
    .times = "×", .cursor = "▌",
};

static const struct glyphs glyphs_ascii = {
    .expanded = "-", .collapsed = "+", .leaf = " ",
    .mark = "*", .nomark = " ",
    .ellipsis = "~", .arrow = "->", .loop = "@", .bullet = "*", .sep = " | ",
    .spark = {"_", ".", ",", "-", "=", "+", "*", "#"},
    .spinner = {"|", "/", "-", "\\"},
    .times = "x", .cursor = "_",
};

void draw_init(struct draw *d, int ascii)
{
    memset(d, 0, sizeof *d);
    d->ascii = ascii;
    d->g = ascii ? &glyphs_ascii : &glyphs_utf8;
    buf_init(&d->scratch, DRAW_SCRATCH_MAX);
    for (int r = 0; r < ROLE_COUNT; r++)
        d->role[r] = A_NORMAL;
}

void draw_fini(struct draw *d)
{
    buf_fini(&d->scratch);
}

static attr_t draw_attrs(uint16_t a)
{
    attr_t r = A_NORMAL;

    if (a & THEME_ATTR_BOLD)
        r |= A_BOLD;
    if (a & THEME_ATTR_DIM)
        r |= A_DIM;
    if (a & THEME_ATTR_UNDERLINE)
        r |= A_UNDERLINE;
    if (a & THEME_ATTR_REVERSE)
        r |= A_REVERSE;
    if (a & THEME_ATTR_ITALIC)
        r |= A_ITALIC;
    if (a & THEME_ATTR_STANDOUT)
        r |= A_STANDOUT;
    return r;
}

void draw_apply_theme(struct draw *d, const struct theme *t, int ncolors)
{
    for (int r = 0; r < ROLE_COUNT; r++) {
        const struct theme_style *s = &t->roles[r];

        int cursor = r == ROLE_TREE_CURSOR || r == ROLE_TREE_CURSOR_BLUR ||
                     r == ROLE_METRICS_CURSOR;

        d->role[r] = draw_attrs(s->attrs);
        /* a cursor bar drawn with a grey background vanishes when 8 or 16 colours turn
         * that grey into the terminal's own background: reverse video always shows */
        if (cursor && ncolors > 0 && ncolors < 256) {
            d->role[r] |= A_REVERSE;
            continue;
        }
        /* without colours, whatever a background set apart (cursor, status bar, matches,
         * overlays) is set apart by reverse video instead */
        if (ncolors == 0) {
            if (s->bg != THEME_COLOR_DEFAULT)
                d->role[r] ^= A_REVERSE;
            continue;
        }
        if (ncolors > 0 && r + 1 < COLOR_PAIRS) {
            int fg = theme_color_reduce(s->fg, ncolors);
            int bg = theme_color_reduce(s->bg, ncolors);

            init_pair((short)(r + 1), (short)fg, (short)bg);
            d->role[r] |= COLOR_PAIR(r + 1);
        }
    }
}

/* Sanitise into the scratch buffer; returns its text. */
static const char *draw_clean_flags(struct draw *d, const char *s, size_t n, unsigned flags,
                                    size_t *len)
{
    buf_reset(&d->scratch);
    if (sanitize(s, n, flags | (d->ascii ? SAN_ASCII : 0), &d->scratch) < 0) {
        /* over the scratch maximum: what fitted is shown */
    }
    *len = d->scratch.len;
    return buf_cstr(&d->scratch);
}

/* Names and labels: a tab is shown as ^I, so "a<TAB>b" never passes for "a   b". */
static const char *draw_clean(struct draw *d, const char *s, size_t n, size_t *len)
{
    return draw_clean_flags(d, s, n, 0, len);
}

static int draw_clean_text(WINDOW *w, int y, int x, int cols, attr_t attr, const char *s,
                           size_t n)
{
    size_t used = 0, fit;

    if (cols <= 0)
        return 0;
    fit = text_fit(s, n, (size_t)cols, &used);
    if (fit == 0)
        return 0;
    wattrset(w, attr);
    mvwaddnstr(w, y, x, s, (int)fit);
    return (int)used;
}

int draw_text(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr, const char *s,
              size_t n)
{
    size_t len;
    const char *clean = draw_clean(d, s, n, &len);

    return draw_clean_text(w, y, x, cols, attr, clean, len);
}

int draw_text_tabs(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr, const char *s,
                   size_t n)
{
    size_t len;
    const char *clean = draw_clean_flags(d, s, n, SAN_EXPAND_TABS, &len);

    return draw_clean_text(w, y, x, cols, attr, clean, len);
}

int draw_str(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr, const char *s)
{
    return draw_text(d, w, y, x, cols, attr, s, strlen(s));
}

int draw_width(struct draw *d, const char *s)
{
    size_t len;
    const char *clean = draw_clean(d, s, strlen(s), &len);

    return (int)text_width(clean, len);
}

int draw_str_ellipsis(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr,
                      const char *s)
{
    size_t len, width, ew = 1, used = 0, fit; /* the ellipsis is one column, "~" or "…" */
    const char *clean = draw_clean(d, s, strlen(s), &len);

    if (cols <= 0)
        return 0;
    width = text_width(clean, len);
    if (width <= (size_t)cols)
        return draw_clean_text(w, y, x, cols, attr, clean, len);
    fit = text_fit(clean, len, (size_t)cols - ew, &used);
    wattrset(w, attr);
    mvwaddnstr(w, y, x, clean, (int)fit);
    waddstr(w, d->g->ellipsis);
    return (int)(used + ew);
}

int draw_str_middle(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr,
                    const char *s)
{
    size_t len, width, head_cols, tail_cols, used = 0, head, tail;
    const char *clean = draw_clean(d, s, strlen(s), &len);

    if (cols <= 0)
        return 0;
    width = text_width(clean, len);
    if (width <= (size_t)cols)
        return draw_clean_text(w, y, x, cols, attr, clean, len);
    if (cols < 6)
        return draw_clean_text(w, y, x, cols, attr, clean, len);
    /* siblings share prefixes (gemma3_1b-it-qat_...): the end tells them apart */
    tail_cols = ((size_t)cols - 1) * 11 / 20;
    head_cols = (size_t)cols - 1 - tail_cols;
    head = text_fit(clean, len, head_cols, &used);
    /* find the shortest suffix that fits tail_cols */
    tail = len;
    while (tail > head) {
        size_t t = tail - 1;

        while (t > head && ((unsigned char)clean[t] & 0xC0) == 0x80)
            t--;
        if (text_width(clean + t, len - t) > tail_cols)
            break;
        tail = t;
    }
    wattrset(w, attr);
    mvwaddnstr(w, y, x, clean, (int)head);
    waddstr(w, d->g->ellipsis);
    waddnstr(w, clean + tail, (int)(len - tail));
    return (int)(used + 1 + text_width(clean + tail, len - tail));
}

int draw_str_right(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr,
                   const char *s)
{
    size_t len, width;
    const char *clean = draw_clean(d, s, strlen(s), &len);
    int start;

    width = text_width(clean, len);
    if (width > (size_t)cols)
        width = (size_t)cols;
    start = x + cols - (int)width;
    draw_clean_text(w, y, start, (int)width, attr, clean, len);
    return start;
}

void draw_fill(WINDOW *w, int y, int x, int cols, attr_t attr)
{
    if (cols <= 0)
        return;
    wattrset(w, attr);
    mvwhline(w, y, x, ' ', cols);
}

void draw_box_attr(struct draw *d, WINDOW *w, attr_t border, attr_t title_attr, const char *title)
{
    int h, wd;

    getmaxyx(w, h, wd);
    (void)h;
    wattrset(w, border);
    if (d->ascii) {
        wborder(w, '|', '|', '-', '-', '+', '+', '+', '+'); /* no line-drawing set needed */
    } else {
        /* Unicode box characters rather than the VT100 line-drawing set: switching
         * character sets around every border cell costs bytes over SSH on each repaint */
        static const wchar_t glyph[6][2] = {{L'\u2502', 0}, {L'\u2500', 0}, {L'\u250c', 0},
                                            {L'\u2510', 0}, {L'\u2514', 0}, {L'\u2518', 0}};
        cchar_t c[6];
        attr_t a = border & ~A_COLOR;
        short pair = (short)PAIR_NUMBER(border);

        for (int i = 0; i < 6; i++)
            setcchar(&c[i], glyph[i], a, pair, NULL);
        wborder_set(w, &c[0], &c[0], &c[1], &c[1], &c[2], &c[3], &c[4], &c[5]);
    }
    if (title != NULL && *title != '\0' && wd > 4) {
        mvwaddch(w, 0, 1, ' ');
        draw_str_ellipsis(d, w, 0, 2, wd - 5, title_attr, title);
        wattrset(w, border);
        waddch(w, ' ');
    }
}

void draw_box(struct draw *d, WINDOW *w, int focused, const char *title)
{
    draw_box_attr(d, w, d->role[focused ? ROLE_BORDER_FOCUS : ROLE_BORDER],
                  d->role[focused ? ROLE_TITLE_FOCUS : ROLE_TITLE], title);
}

int draw_wrapped(struct draw *d, WINDOW *w, int y, int x, int cols, int maxrows, attr_t attr,
                 const char *s)
{
    size_t len;
    const char *text = draw_clean(d, s, strlen(s), &len);
    const char *p = text, *end = text + len;
    int rows = 0;

    if (cols <= 0)
        return 0;
    wattrset(w, attr);
    while (rows < maxrows) {
        const char *line, *q, *last_fit = NULL;

        while (p < end && *p == ' ')
            p++;
        if (p >= end)
            break;
        line = q = p;
        /* take whole words while the line still fits */
        while (q < end) {
            const char *word_end = q;

            while (word_end < end && *word_end != ' ')
                word_end++;
            if (text_width(line, (size_t)(word_end - line)) > (size_t)cols)
                break;
            last_fit = word_end;
            q = word_end;
            while (q < end && *q == ' ')
                q++;
        }
        if (last_fit == NULL) {
            /* a word longer than a line: cut it where the line ends */
            size_t fit = text_fit(line, (size_t)(end - line), (size_t)cols, NULL);

            last_fit = line + (fit > 0 ? fit : 1);
        }
        mvwaddnstr(w, y + rows, x, line, (int)(last_fit - line));
        rows++;
        p = last_fit;
    }
    return rows;
}

static int draw_spark(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr,
                      const double *values, size_t n, int from_zero)
{
    double lo = from_zero ? 0 : INFINITY, hi = -INFINITY;
    size_t buckets;

    if (cols <= 0 || n == 0)
        return 0;
    buckets = n < (size_t)cols ? n : (size_t)cols;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i]))
            continue;
        if (values[i] < lo)
            lo = values[i];
        if (values[i] > hi)
            hi = values[i];
    }
    wattrset(w, attr);
    wmove(w, y, x);
    for (size_t b = 0; b < buckets; b++) {
        size_t from = b * n / buckets, to = (b + 1) * n / buckets;
        double sum = 0;
        size_t cnt = 0;
        int level;

        for (size_t i = from; i < to; i++) {
            if (isfinite(values[i])) {
                sum += values[i];
                cnt++;
            }
        }
        if (cnt == 0) {
            waddch(w, ' ');
            continue;
        }
        level = hi > lo ? (int)floor((sum / (double)cnt - lo) / (hi - lo) * 7.999)
                : from_zero ? 0
                            : 3;
        if (level < 0)
            level = 0;
        if (level > 7)
            level = 7;
        waddstr(w, d->g->spark[level]);
    }
    return (int)buckets;
}

int draw_sparkline(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr,
                   const double *values, size_t n)
{
    return draw_spark(d, w, y, x, cols, attr, values, n, 0);
}

int draw_sparkline_rate(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr,
                        const double *values, size_t n)
{
    return draw_spark(d, w, y, x, cols, attr, values, n, 1);
}
