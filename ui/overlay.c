/* overlay.c: the overlay slot of the app, and the yes/no question. */
#include "overlay.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "xmem.h"

void overlay_close(struct app *app)
{
    struct overlay *o = app->overlay;

    if (o == NULL)
        return;
    app->overlay = NULL;
    if (o->ops->free != NULL)
        o->ops->free(o);
    free(o);
    clearok(curscr, TRUE); /* what was under it is drawn whole again */
    app_dirty(app);
}

void overlay_open(struct app *app, struct overlay *o)
{
    overlay_close(app);
    app->overlay = o;
    app_dirty(app);
}

struct confirm {
    char *question;
    void (*yes)(struct app *app);
};

int overlay_width(const struct app *app, int want)
{
    int room = app->term.cols - 4;

    return room < want ? room : want;
}

int overlay_height(const struct app *app, int want)
{
    int room = app->term.rows - 4;

    return room < want ? room : want;
}

static void confirm_draw(struct app *app, struct overlay *o)
{
    struct confirm *c = o->state;
    struct draw *d = &app->draw;
    int w = overlay_width(app, 64), h = 7, rows;
    WINDOW *win;

    if (w < 20)
        return;
    win = newwin(h, w, (app->term.rows - h) / 2, (app->term.cols - w) / 2);
    if (win == NULL)
        return;
    wbkgdset(win, ' ' | d->role[ROLE_OVERLAY]);
    werase(win);
    draw_box_attr(d, win, d->role[ROLE_OVERLAY] | A_BOLD, d->role[ROLE_OVERLAY_TITLE], "chimera");
    rows = draw_wrapped(d, win, 1, 2, w - 4, 3, d->role[ROLE_OVERLAY], c->question);
    (void)rows;
    draw_str(d, win, h - 2, 2, w - 4, d->role[ROLE_OVERLAY_KEY], "y  yes        n  Esc  no");
    wnoutrefresh(win);
    delwin(win);
}

static int confirm_key(struct app *app, struct overlay *o, int is_key, wint_t ch, enum action a)
{
    struct confirm *c = o->state;

    (void)a;
    if (!is_key && (ch == 'y' || ch == 'Y')) {
        void (*yes)(struct app *) = c->yes;

        overlay_close(app);
        yes(app);
        return 0; /* already closed */
    }
    if (!is_key && (ch == 'n' || ch == 'N' || ch == 27 || ch == 'q'))
        return 1;
    return 0;
}

static void confirm_free(struct overlay *o)
{
    struct confirm *c = o->state;

    free(c->question);
    free(c);
}

static const struct overlay_ops confirm_ops = {"confirm", confirm_draw, confirm_key, confirm_free};

void overlay_confirm(struct app *app, const char *question, void (*yes)(struct app *app))
{
    struct overlay *o = xcalloc(1, sizeof *o);
    struct confirm *c = xcalloc(1, sizeof *c);

    c->question = xstrdup(question);
    c->yes = yes;
    o->ops = &confirm_ops;
    o->state = c;
    overlay_open(app, o);
}
