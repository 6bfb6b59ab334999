/* report_view.h: the streamed report as lines on screen: tokens appended as they arrive,
 * sanitised, lightly styled as Markdown (headings, bullets, **bold**, `code`, fenced code
 * blocks), word-wrapped at the pane width and re-wrapped when it changes, with a follow
 * mode like tail -f. Reasoning text ("thinking") is kept apart, shown dimmed, and can be
 * folded away.
 *
 * Appending re-renders only the last, unfinished line of the text, so a long report
 * streaming at hundreds of tokens a second costs the same per token as a short one. */
#ifndef UI_REPORT_VIEW_H
#define UI_REPORT_VIEW_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "draw.h"

#define REPORT_VIEW_MAX_BYTES (8u << 20) /* beyond this the oldest sections are dropped */

enum rv_style {
    RV_TEXT,
    RV_HEADING,
    RV_BULLET,
    RV_BOLD,
    RV_CODE,
    RV_THINKING,
    RV_SECTION, /* a stage divider: "analysis", "report" */
    RV_NOTE     /* chimera's own remarks: errors, "incomplete" */
};

struct rv_line;   /* a logical line, rendered */
struct rv_row;    /* a screen row of a logical line */

struct report_view {
    struct rv_line *lines;
    size_t nlines, lines_cap;
    struct rv_row *rows;
    size_t nrows, rows_cap;
    int width;          /* wrap width the rows were built for */
    size_t bytes;       /* text held */
    char *pending;      /* raw text of the unfinished last line */
    size_t pending_len, pending_cap;
    int pending_kind;   /* RV_TEXT or RV_THINKING */
    int in_fence;       /* inside a ``` block at the end of the text */
    int show_thinking;
    long scroll;        /* first row shown */
    int follow;         /* stick to the end */
    int follow_lines;   /* follow one row at a time instead of by pages */
    int snap_end;       /* next draw: show the end with the pane full (G) */
    int ascii;
};

void report_view_init(struct report_view *v, int ascii);
void report_view_fini(struct report_view *v);
void report_view_clear(struct report_view *v);
/* Append streamed text (thinking = 1 for reasoning). */
void report_view_append(struct report_view *v, int thinking, const char *text, size_t n);
/* A divider or a remark of chimera's own, on lines of their own. */
void report_view_section(struct report_view *v, const char *title);
void report_view_note(struct report_view *v, const char *text);
/* Show or fold the thinking. */
void report_view_toggle_thinking(struct report_view *v);
/* Draw into rows [y0, y0 + rows) and columns [x0, x0 + width) of `w`. */
void report_view_draw(struct report_view *v, struct draw *d, WINDOW *w, int y0, int x0, int rows,
                      int width);
/* Scroll by `delta` rows (negative: up; leaves follow mode unless it ends at the bottom). */
void report_view_scroll(struct report_view *v, long delta, int rows);
/* Jump to the end and follow again (G). While following, the view turns a page when the
 * text reaches the pane's bottom edge: the last eighth of the rows stays on top as
 * context and the rest is new text written once, instead of every row moving up for
 * every new row (the pane is beside the tree, so the terminal cannot scroll it: each
 * moved row would be sent again). `follow_lines` keeps the end on the bottom row. */
void report_view_follow(struct report_view *v);
/* Show the top and stop following (a finished document opened to be read: g). */
void report_view_top(struct report_view *v);
/* Rows at the current width (after a draw). */
size_t report_view_rows(const struct report_view *v);

#endif
