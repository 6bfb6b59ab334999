/* layout.h: where each pane goes for a terminal size.
 *
 *   wide   (>= 80 x 16): the tree on the left, metrics above the report on the right;
 *   tabs   (>= 40 x 10): one pane at a time under a tab bar (Tab switches);
 *   small  (below):      a one-line "terminal too small" message.
 * The status line is always the last row. */
#ifndef UI_LAYOUT_H
#define UI_LAYOUT_H

enum layout_mode { LAYOUT_WIDE, LAYOUT_TABS, LAYOUT_SMALL };

enum pane_id { PANE_TREE, PANE_METRICS, PANE_REPORT, PANE_COUNT };

struct rect {
    int y, x, h, w;
};

struct layout {
    enum layout_mode mode;
    struct rect pane[PANE_COUNT]; /* h == 0: not shown */
    struct rect tabs;             /* tab bar (tabs mode) */
    struct rect status;
};

#define LAYOUT_WIDE_COLS 80
#define LAYOUT_WIDE_ROWS 16
#define LAYOUT_MIN_COLS 40
#define LAYOUT_MIN_ROWS 10

/* Compute the layout; in tabs mode only `focus` gets space. */
void layout_compute(struct layout *l, int rows, int cols, enum pane_id focus);
/* The pane under screen cell (y, x), or -1. */
int layout_pane_at(const struct layout *l, int y, int x);

#endif
