/* overlay.h: a modal box on top of the panes (model picker, profile editor, run history,
 * a yes/no question). One flat table of hooks, like the panes'; the app draws the overlay
 * last and gives it every key until it closes itself. */
#ifndef UI_OVERLAY_H
#define UI_OVERLAY_H

#include <wchar.h>

#include "keys.h"

struct app;
struct overlay;

struct overlay_ops {
    const char *name;
    void (*draw)(struct app *app, struct overlay *o);
    /* A key (ch with is_key for KEY_* codes, and the action the key map gives it).
     * Return 0 to stay open, 1 to close. */
    int (*key)(struct app *app, struct overlay *o, int is_key, wint_t ch, enum action a);
    void (*free)(struct overlay *o);
};

struct overlay {
    const struct overlay_ops *ops;
    void *state;
};

/* Open `o` (takes ownership), closing any other overlay first. */
/* A box's width: `want` columns, or the terminal's width less a margin of 2 each side. */
int overlay_width(const struct app *app, int want);
/* A box's height: `want` rows, or the terminal's height less a margin of 2 above and below. */
int overlay_height(const struct app *app, int want);
void overlay_open(struct app *app, struct overlay *o);
void overlay_close(struct app *app);

/* A yes/no question; `yes` runs when the answer is y or Enter on "yes". */
void overlay_confirm(struct app *app, const char *question, void (*yes)(struct app *app));
/* The model picker (GET /api/tags), the profile editor, the run history. */
void overlay_models(struct app *app);
void overlay_profile(struct app *app);
void overlay_history(struct app *app);

#endif
