/* overlay_models.c: `m`, the model picker: the server's models (GET /api/tags, or
 * /v1/models), with their size and quantisation; Enter picks one for the next runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "fmt.h"
#include "overlay.h"
#include "xmem.h"

struct models {
    struct app *app;
    struct llm_query *q;
    int loading;
    char message[ERR_MSG_MAX];
    struct llm_model *list;
    size_t n;
    long cursor, top;
};

static void models_done(const struct llm_info *info, void *arg)
{
    struct models *m = arg;

    m->q = NULL;
    m->loading = 0;
    if (!info->ok) {
        snprintf(m->message, sizeof m->message, "%s", info->message);
    } else {
        /* copy: `info` is only valid during this call */
        m->list = xcalloc(info->nmodels ? info->nmodels : 1, sizeof *m->list);
        for (size_t i = 0; i < info->nmodels; i++) {
            const struct llm_model *s = &info->models[i];

            m->list[i].name = xstrdup(s->name ? s->name : "");
            m->list[i].size = s->size;
            m->list[i].parameter_size = xstrdup(s->parameter_size ? s->parameter_size : "");
            m->list[i].quantization = xstrdup(s->quantization ? s->quantization : "");
            m->list[i].family = xstrdup(s->family ? s->family : "");
            if (strcmp(m->list[i].name, m->app->cfg.model) == 0)
                m->cursor = (long)i;
        }
        m->n = info->nmodels;
        if (m->n == 0)
            snprintf(m->message, sizeof m->message, "the server has no models: `ollama pull "
                                                    "gemma3` fetches one");
    }
    app_dirty(m->app);
}

static void models_draw(struct app *app, struct overlay *o)
{
    struct models *m = o->state;
    struct draw *d = &app->draw;
    int w = overlay_width(app, 76);
    int h = overlay_height(app, 20);
    int rows = h - 4;
    WINDOW *win;
    char title[700];

    if (w < 24 || h < 6)
        return;
    win = newwin(h, w, (app->term.rows - 1 - h) / 2, (app->term.cols - w) / 2);
    if (win == NULL)
        return;
    wbkgdset(win, ' ' | d->role[ROLE_OVERLAY]);
    werase(win);
    snprintf(title, sizeof title, "Models at %s", app->host.url);
    draw_box_attr(d, win, d->role[ROLE_OVERLAY] | A_BOLD, d->role[ROLE_OVERLAY_TITLE], title);
    if (m->loading) {
        draw_str(d, win, 1, 2, w - 4, d->role[ROLE_OVERLAY], "asking the server...");
    } else if (m->message[0] != '\0') {
        draw_wrapped(d, win, 1, 2, w - 4, rows, d->role[ROLE_METRICS_WARN], m->message);
    }
    if (m->cursor < m->top)
        m->top = m->cursor;
    if (m->cursor >= m->top + rows)
        m->top = m->cursor - rows + 1;
    for (int r = 0; r < rows && m->top + r < (long)m->n; r++) {
        const struct llm_model *md = &m->list[m->top + r];
        long i = m->top + r;
        attr_t a = i == m->cursor ? d->role[ROLE_TREE_CURSOR] : d->role[ROLE_OVERLAY];
        char size[32] = "", right[96];

        if (md->size >= 0)
            fmt_size(size, sizeof size, (int64_t)md->size);
        snprintf(right, sizeof right, "%s %s %s", md->parameter_size, md->quantization, size);
        draw_fill(win, 1 + r, 1, w - 2, a);
        draw_str_ellipsis(d, win, 1 + r, 2, w / 2, a, md->name);
        draw_str_right(d, win, 1 + r, w / 2, w / 2 - 2, a, right);
        if (strcmp(md->name, app->cfg.model) == 0)
            draw_str(d, win, 1 + r, 1, 1, a, d->g->mark);
    }
    draw_str(d, win, h - 2, 2, w - 4, d->role[ROLE_OVERLAY_KEY],
             "Enter choose   Esc close   (for this session; `model =` in the config keeps it)");
    wnoutrefresh(win);
    delwin(win);
}

static int models_key(struct app *app, struct overlay *o, int is_key, wint_t ch, enum action a)
{
    struct models *m = o->state;

    (void)is_key;
    (void)ch;
    switch (a) {
    case ACT_UP:
        if (m->cursor > 0)
            m->cursor--;
        return 0;
    case ACT_DOWN:
        if (m->cursor + 1 < (long)m->n)
            m->cursor++;
        return 0;
    case ACT_TOP:
        m->cursor = 0;
        return 0;
    case ACT_BOTTOM:
        m->cursor = m->n ? (long)m->n - 1 : 0;
        return 0;
    case ACT_ENTER:
        if (m->n == 0)
            return 1;
        free(app->cfg.model);
        app->cfg.model = xstrdup(m->list[m->cursor].name);
        app_message(app, MSG_OK, "model: %s", app->cfg.model);
        return 1;
    case ACT_CANCEL:
    case ACT_QUIT:
    case ACT_MODELS:
        return 1;
    default:
        return 0;
    }
}

static void models_free(struct overlay *o)
{
    struct models *m = o->state;

    if (m->q != NULL)
        llm_query_cancel(m->q);
    llmproto_models_free(m->list, m->n);
    free(m);
}

static const struct overlay_ops models_ops = {"models", models_draw, models_key, models_free};

void overlay_models(struct app *app)
{
    struct overlay *o = xcalloc(1, sizeof *o);
    struct models *m = xcalloc(1, sizeof *m);
    struct llm_target t;
    struct err err;

    m->app = app;
    m->loading = 1;
    o->ops = &models_ops;
    o->state = m;
    run_target(app, &t);
    m->q = llm_models(app->http, &t, models_done, m, &err);
    if (m->q == NULL) {
        m->loading = 0;
        snprintf(m->message, sizeof m->message, "%s", err.msg);
    }
    overlay_open(app, o);
}
