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
    out[count++] = (struct help_line){NULL, "Mouse: click selects, double click opens, wheel "
                                            "scrolls.",
                                      0};
    return count;
}

void help_draw(struct app *app)
{
    struct help_line lines[HELP_MAX_LINES];
    size_t count = help_build(lines);
    struct draw *d = &app->draw;
    int w = app->term.cols - 4 > 78 ? 78 : app->term.cols - 4;
    int h = (int)count + 2 > app->term.rows - 2 ? app->term.rows - 2 : (int)count + 2;
    WINDOW *win;

    if (h < 4 || w < 24)
        return;
    if (app->help_scroll > (int)count - (h - 2))
        app->help_scroll = (int)count - (h - 2);
    if (app->help_scroll < 0)
        app->help_scroll = 0;
    win = newwin(h, w, (app->term.rows - 1 - h) / 2, (app->term.cols - w) / 2);
    if (win == NULL)
        return;
    wbkgdset(win, ' ' | d->role[ROLE_OVERLAY]);
    werase(win);
    draw_box(d, win, 1, (int)count > h - 2 ? "chimera keys (j/k scroll)" : "chimera keys");
    for (int y = 0; y < h - 2; y++) {
        const struct help_line *l = &lines[app->help_scroll + y];

        if (l->text == NULL)
            continue;
        if (l->keys == NULL) {
            draw_str_ellipsis(d, win, y + 1, 2, w - 4,
                              d->role[l->heading ? ROLE_OVERLAY_TITLE : ROLE_OVERLAY], l->text);
            continue;
        }
        draw_str(d, win, y + 1, 4, 15, d->role[ROLE_OVERLAY_KEY], l->keys);
        draw_str_ellipsis(d, win, y + 1, 20, w - 22, d->role[ROLE_OVERLAY], l->text);
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
