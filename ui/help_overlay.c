/* help_overlay.c: `?` lists every key, straight from the key table. */
#include <stdio.h>
#include <string.h>

#include "app.h"

struct help_line {
    const char *keys; /* NULL for a heading or a plain line */
    const char *text; /* NULL for a blank line */
    int heading;
};

#define HELP_MAX_LINES 96

/* The help text as lines: a heading per scope, then its bindings. */
static size_t help_build(struct help_line *out)
{
    size_t n, count = 0;
    const struct key_binding *t = keys_table(&n);
    int scope = -1;

    for (size_t i = 0; i < n && count + 3 < HELP_MAX_LINES; i++) {
        if ((int)t[i].scope != scope) {
            if (scope != -1)
                out[count++] = (struct help_line){NULL, NULL, 0};
            scope = (int)t[i].scope;
            out[count++] = (struct help_line){NULL, keys_scope_name(t[i].scope), 1};
        }
        out[count++] = (struct help_line){t[i].keys, t[i].help, 0};
    }
    out[count++] = (struct help_line){NULL, NULL, 0};
    out[count++] = (struct help_line){NULL, "Mouse: click, double click, wheel.", 0};
    return count;
}

/* Draw lines[from..to) as one column at (y0, x) `cols` wide, skipping `skip` lines. */
static void help_column(struct app *app, WINDOW *win, const struct help_line *lines, size_t from,
                        size_t to, int y0, int x, int cols, int rows, int skip)
{
    struct draw *d = &app->draw;

    for (int y = 0; y < rows && from + (size_t)(skip + y) < to; y++) {
        const struct help_line *l = &lines[from + (size_t)(skip + y)];

        if (l->text == NULL)
            continue;
        if (l->keys == NULL) {
            draw_str_ellipsis(d, win, y0 + y, x, cols,
                              d->role[l->heading ? ROLE_OVERLAY_TITLE : ROLE_OVERLAY], l->text);
            continue;
        }
        draw_str(d, win, y0 + y, x + 2, 14, d->role[ROLE_OVERLAY_KEY], l->keys);
        draw_str_ellipsis(d, win, y0 + y, x + 17, cols - 17, d->role[ROLE_OVERLAY], l->text);
    }
}

void help_draw(struct app *app)
{
    struct help_line lines[HELP_MAX_LINES];
    size_t count = help_build(lines), split = count;
    struct draw *d = &app->draw;
    int two = app->term.cols >= 96;
    int w, h, body;
    WINDOW *win;

    if (two) {
        /* two halves of equal height; the right one never starts with a blank line */
        split = (count + 1) / 2;
        while (split < count && lines[split].text == NULL)
            split++;
    }
    body = (int)(two ? (split > count - split ? split : count - split) : count);
    w = two ? (app->term.cols - 4 > 150 ? 150 : app->term.cols - 4)
            : (app->term.cols - 4 > 78 ? 78 : app->term.cols - 4);
    h = body + 2 > app->term.rows - 2 ? app->term.rows - 2 : body + 2;
    if (h < 4 || w < 24)
        return;
    if (app->help_scroll > body - (h - 2))
        app->help_scroll = body - (h - 2);
    if (app->help_scroll < 0)
        app->help_scroll = 0;
    win = newwin(h, w, (app->term.rows - 1 - h) / 2, (app->term.cols - w) / 2);
    if (win == NULL)
        return;
    wbkgdset(win, ' ' | d->role[ROLE_OVERLAY]);
    werase(win);
    /* the frame takes the overlay's own background, so no ring of terminal colour shows */
    draw_box_attr(d, win, d->role[ROLE_OVERLAY] | A_BOLD, d->role[ROLE_OVERLAY_TITLE],
                  body > h - 2 ? "chimera keys (j/k scroll, any other key closes)"
                               : "chimera keys (any key closes)");
    if (two) {
        int cols = (w - 5) / 2;

        help_column(app, win, lines, 0, split, 1, 2, cols, h - 2, app->help_scroll);
        help_column(app, win, lines, split, count, 1, 3 + cols, cols, h - 2, app->help_scroll);
    } else {
        help_column(app, win, lines, 0, count, 1, 2, w - 4, h - 2, app->help_scroll);
    }
    wnoutrefresh(win);
    delwin(win);
}

int help_action(struct app *app, enum action a)
{
    switch (a) {
    case ACT_UP:
        app->help_scroll--;
        return 1;
    case ACT_DOWN:
        app->help_scroll++;
        return 1;
    case ACT_PAGE_UP:
        app->help_scroll -= 10;
        return 1;
    case ACT_PAGE_DOWN:
        app->help_scroll += 10;
        return 1;
    default:
        return 0;
    }
}
