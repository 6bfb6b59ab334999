/* layout.c: pane geometry. */
#include "layout.h"

#include <string.h>

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void layout_compute(struct layout *l, int rows, int cols, enum pane_id focus)
{
    memset(l, 0, sizeof *l);
    l->status = (struct rect){rows - 1, 0, 1, cols};
    if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS) {
        l->mode = LAYOUT_SMALL;
        l->status = (struct rect){0, 0, rows > 0 ? 1 : 0, cols};
        return;
    }
    if (cols >= LAYOUT_WIDE_COLS && rows >= LAYOUT_WIDE_ROWS) {
        int body = rows - 1;
        int tree_w = clamp(cols * 34 / 100, 28, 60);
        int metrics_h = clamp(body * 55 / 100, 6, body - 5);

        l->mode = LAYOUT_WIDE;
        l->pane[PANE_TREE] = (struct rect){0, 0, body, tree_w};
        l->pane[PANE_METRICS] = (struct rect){0, tree_w, metrics_h, cols - tree_w};
        l->pane[PANE_REPORT] = (struct rect){metrics_h, tree_w, body - metrics_h, cols - tree_w};
        return;
    }
    l->mode = LAYOUT_TABS;
    l->tabs = (struct rect){0, 0, 1, cols};
    l->pane[focus] = (struct rect){1, 0, rows - 2, cols};
}

int layout_pane_at(const struct layout *l, int y, int x)
{
    for (int p = 0; p < PANE_COUNT; p++) {
        const struct rect *r = &l->pane[p];

        if (r->h > 0 && y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w)
            return p;
    }
    return -1;
}
