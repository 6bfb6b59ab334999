/* overlay_profile.c: `p`, the profile and option editor: the profile (baseline, chimera,
 * or the config file's), the persona, the model, and the generation options (num_gpu,
 * num_ctx, temperature, top_p, top_k, repeat_penalty, seed), each checked as the config
 * file checks it. Changes last for this session. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "overlay.h"
#include "settings.h"
#include "xmem.h"

enum { F_PROFILE, F_PERSONA, F_MODEL, F_OPT0 };

static const char *const opt_keys[] = {"num_gpu", "num_ctx", "temperature", "top_p",
                                       "top_k", "repeat_penalty", "seed"};
#define NOPTS (sizeof opt_keys / sizeof opt_keys[0])
#define NFIELDS (F_OPT0 + (int)NOPTS)

struct editor {
    int field;
    int editing;
    char text[128];
    size_t len;
    char error[ERR_MSG_MAX];
};

/* The value of an option as text, or "default". */
static void editor_value(const struct gen_options *o, size_t i, char *out, size_t cap)
{
    struct gen_options one;
    char desc[256];

    memset(&one, 0, sizeof one);
    switch (i) {
    case 0:
        if (!o->has_num_gpu)
            break;
        snprintf(out, cap, "%d", o->num_gpu);
        return;
    case 1:
        if (!o->has_num_ctx)
            break;
        snprintf(out, cap, "%d", o->num_ctx);
        return;
    case 2:
        if (!o->has_temperature)
            break;
        /* the same shortest form the reports use */
        one.has_temperature = 1;
        one.temperature = o->temperature;
        gen_options_describe(&one, desc, sizeof desc);
        snprintf(out, cap, "%s", strstr(desc, "temp=") ? strstr(desc, "temp=") + 5 : desc);
        *strchrnul(out, ',') = '\0';
        return;
    case 3:
        if (!o->has_top_p)
            break;
        snprintf(out, cap, "%g", o->top_p);
        return;
    case 4:
        if (!o->has_top_k)
            break;
        snprintf(out, cap, "%d", o->top_k);
        return;
    case 5:
        if (!o->has_repeat_penalty)
            break;
        snprintf(out, cap, "%g", o->repeat_penalty);
        return;
    case 6:
        if (!o->has_seed)
            break;
        snprintf(out, cap, "%ld", o->seed);
        return;
    default:
        break;
    }
    snprintf(out, cap, "default");
}

static const char *editor_persona_name(const struct app *app)
{
    const struct persona *p = run_persona(app);

    return p != NULL ? p->name : "?";
}

static void editor_draw(struct app *app, struct overlay *o)
{
    struct editor *e = o->state;
    struct draw *d = &app->draw;
    int w = overlay_width(app, 70), h = NFIELDS + 7;
    WINDOW *win;

    if (h > app->term.rows - 2)
        h = app->term.rows - 2;
    if (w < 30 || h < 6)
        return;
    win = newwin(h, w, (app->term.rows - 1 - h) / 2, (app->term.cols - w) / 2);
    if (win == NULL)
        return;
    wbkgdset(win, ' ' | d->role[ROLE_OVERLAY]);
    werase(win);
    draw_box_attr(d, win, d->role[ROLE_OVERLAY] | A_BOLD, d->role[ROLE_OVERLAY_TITLE],
                  "Profile and options");
    for (int f = 0; f < NFIELDS && f + 1 < h - 4; f++) {
        char value[320];
        const char *label;
        attr_t a = f == e->field ? d->role[ROLE_TREE_CURSOR] : d->role[ROLE_OVERLAY];

        if (f == F_PROFILE) {
            label = "profile";
            snprintf(value, sizeof value, "< %s >", app->profile);
        } else if (f == F_PERSONA) {
            const struct persona *p = run_persona(app);

            label = "persona";
            snprintf(value, sizeof value, "< %s > %s", editor_persona_name(app),
                     p != NULL ? p->label : "");
        } else if (f == F_MODEL) {
            label = "model";
            snprintf(value, sizeof value, "%s", app->cfg.model);
        } else {
            label = opt_keys[f - F_OPT0];
            editor_value(&app->opts_gen, (size_t)(f - F_OPT0), value, sizeof value);
        }
        if (f == e->field && e->editing)
            snprintf(value, sizeof value, "%s_", e->text);
        draw_fill(win, 1 + f, 1, w - 2, a);
        draw_str(d, win, 1 + f, 2, 16, f == e->field ? a : d->role[ROLE_OVERLAY_KEY], label);
        draw_str_ellipsis(d, win, 1 + f, 19, w - 21, a, value);
    }
    if (e->error[0] != '\0')
        draw_wrapped(d, win, h - 4, 2, w - 4, 2, d->role[ROLE_STATUS_ERROR], e->error);
    draw_str_ellipsis(d, win, h - 2, 2, w - 4, d->role[ROLE_OVERLAY_KEY],
                      "Enter edit/cycle  d default  Esc close  (this session only)");
    wnoutrefresh(win);
    delwin(win);
}

/* Cycle through the config's profiles (dir = +1 / -1): the persona and options follow. */
static void editor_cycle_profile(struct app *app, int dir)
{
    size_t n = app->cfg.nprofiles, at = 0;

    for (size_t i = 0; i < n; i++)
        if (strcmp(app->cfg.profiles[i].name, app->profile) == 0)
            at = i;
    at = (at + n + (size_t)(dir > 0 ? 1 : n - 1)) % n;
    free(app->profile);
    app->profile = xstrdup(app->cfg.profiles[at].name);
    app->opts_gen = app->cfg.profiles[at].opts;
    settings_merge_options(&app->opts_gen, &app->opts.opts); /* the command line still wins */
}

static void editor_cycle_persona(struct app *app, int dir)
{
    struct profile *p = (struct profile *)(uintptr_t)config_profile(&app->cfg, app->profile);
    size_t n = app->cfg.npersonas, at = 0;

    if (p == NULL || n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (strcmp(app->cfg.personas[i].name, p->persona) == 0)
            at = i;
    at = (at + n + (size_t)(dir > 0 ? 1 : n - 1)) % n;
    free(p->persona);
    p->persona = xstrdup(app->cfg.personas[at].name);
}

static void editor_commit(struct app *app, struct editor *e)
{
    struct err err;

    e->text[e->len] = '\0';
    e->error[0] = '\0';
    if (e->field == F_MODEL) {
        if (e->len == 0) {
            snprintf(e->error, sizeof e->error, "a model name is needed (gemma3:latest)");
            return;
        }
        free(app->cfg.model);
        app->cfg.model = xstrdup(e->text);
    } else {
        struct gen_options o = app->opts_gen;

        if (gen_options_set(&o, opt_keys[e->field - F_OPT0], e->len ? e->text : "default",
                            &err) < 0) {
            snprintf(e->error, sizeof e->error, "%s", err.msg);
            return;
        }
        app->opts_gen = o;
    }
    e->editing = 0;
}

static int editor_key(struct app *app, struct overlay *o, int is_key, wint_t ch, enum action a)
{
    struct editor *e = o->state;

    if (e->editing) {
        if (!is_key && ch == 27) {
            e->editing = 0;
            e->error[0] = '\0';
        } else if ((!is_key && (ch == '\r' || ch == '\n')) || (is_key && ch == KEY_ENTER)) {
            editor_commit(app, e);
        } else if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8))) {
            if (e->len > 0)
                e->len--;
        } else if (!is_key && ch >= 0x20 && ch < 0x7f && e->len + 1 < sizeof e->text) {
            e->text[e->len++] = (char)ch;
        }
        e->text[e->len] = '\0';
        app_dirty(app);
        return 0;
    }
    switch (a) {
    case ACT_UP:
        e->field = e->field > 0 ? e->field - 1 : NFIELDS - 1;
        return 0;
    case ACT_DOWN:
        e->field = (e->field + 1) % NFIELDS;
        return 0;
    case ACT_LEFT:
    case ACT_RIGHT:
    case ACT_ENTER:
        if (e->field == F_PROFILE) {
            editor_cycle_profile(app, a == ACT_LEFT ? -1 : 1);
        } else if (e->field == F_PERSONA) {
            editor_cycle_persona(app, a == ACT_LEFT ? -1 : 1);
        } else if (a == ACT_ENTER) {
            e->editing = 1;
            e->error[0] = '\0';
            if (e->field == F_MODEL)
                snprintf(e->text, sizeof e->text, "%s", app->cfg.model);
            else
                e->text[0] = '\0';
            e->len = strlen(e->text);
        }
        return 0;
    case ACT_CANCEL:
    case ACT_QUIT:
    case ACT_PROFILE:
        return 1;
    default:
        if (!is_key && ch == 'd' && e->field >= F_OPT0) {
            struct err err;

            if (gen_options_set(&app->opts_gen, opt_keys[e->field - F_OPT0], "default", &err) < 0)
                snprintf(e->error, sizeof e->error, "%s", err.msg);
        }
        return 0;
    }
}

static void editor_free(struct overlay *o)
{
    free(o->state);
}

static const struct overlay_ops editor_ops = {"profile", editor_draw, editor_key, editor_free};

void overlay_profile(struct app *app)
{
    struct overlay *o = xcalloc(1, sizeof *o);

    o->ops = &editor_ops;
    o->state = xcalloc(1, sizeof(struct editor));
    overlay_open(app, o);
}
