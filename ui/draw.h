/* draw.h: everything the panes need to put untrusted text on screen safely: the role
 * attributes of the current theme, the glyph set (Unicode or ASCII), and drawing of
 * sanitised, width-aware, truncated text. No pane writes raw bytes to a window. */
#ifndef UI_DRAW_H
#define UI_DRAW_H

#include <curses.h>
#include <stddef.h>

#include "buf.h"
#include "theme.h"

struct glyphs {
    const char *expanded, *collapsed, *leaf; /* tree folder open/closed, file */
    const char *mark, *nomark;
    const char *ellipsis;
    const char *arrow;                       /* link target */
    const char *loop;
    const char *bullet;
    const char *sep;                         /* " · " between facts */
    const char *spark[8];                    /* sparkline levels, low to high */
    const char *spinner[4];
    const char *times;                       /* "×" in "24 rows × 9 cols" */
    const char *cursor;                      /* streaming cursor */
};

struct draw {
    attr_t role[ROLE_COUNT];
    int ascii;                 /* the locale is not UTF-8: ASCII only */
    const struct glyphs *g;
    struct buf scratch;        /* sanitised text */
};

void draw_init(struct draw *d, int ascii);
void draw_fini(struct draw *d);
/* Map the theme's roles to curses attributes and colour pairs (ncolors 0 = no colour). */
void draw_apply_theme(struct draw *d, const struct theme *t, int ncolors);

/* Draw s[0..n) (untrusted bytes) at (y, x) within `cols` columns; returns the columns
 * used. Text that does not fit is cut at a character boundary (no ellipsis). Tabs show as
 * ^I, like every other control character. */
int draw_text(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr, const char *s,
              size_t n);
/* The same for lines of a file's text: tabs expand to spaces. */
int draw_text_tabs(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr, const char *s,
                   size_t n);
int draw_str(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr, const char *s);
/* Like draw_str but ending in an ellipsis when cut. */
int draw_str_ellipsis(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr,
                      const char *s);
/* Cut in the middle ("gemma3_270m…csv") so the end (the extension) stays visible. */
int draw_str_middle(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr,
                    const char *s);
/* Right-align s so it ends at column x + cols. Returns the column where it starts. */
int draw_str_right(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr,
                   const char *s);
/* Columns the sanitised form of s takes. */
int draw_width(struct draw *d, const char *s);
/* Fill (y, x..x+cols) with spaces in `attr`. */
void draw_fill(WINDOW *w, int y, int x, int cols, attr_t attr);
/* A box around the whole window with a title (sanitised) in the top border. */
void draw_box(struct draw *d, WINDOW *w, int focused, const char *title);
/* The same with explicit border and title attributes (overlays). */
void draw_box_attr(struct draw *d, WINDOW *w, attr_t border, attr_t title_attr, const char *title);
/* Word-wrapped text in `cols` columns over at most `maxrows` rows from (y, x); a word
 * longer than a line is cut. Returns the rows used. */
int draw_wrapped(struct draw *d, WINDOW *w, int y, int x, int cols, int maxrows, attr_t attr,
                 const char *s);
/* A sparkline of values[0..n) scaled between their min and max, `cols` wide at most
 * (values are resampled by bucket means when n > cols). Returns columns used. */
int draw_sparkline(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr,
                   const double *values, size_t n);
/* The same for rates (tok/s): scaled from 0 to their max, so a steady rate is a flat line
 * at the top instead of its noise magnified. */
int draw_sparkline_rate(struct draw *d, WINDOW *w, int y, int x, int cols, attr_t attr,
                        const double *values, size_t n);

#endif
