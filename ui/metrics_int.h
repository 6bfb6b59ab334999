/* metrics_int.h: the per-kind parts of the metrics pane (CSV, JSON, Markdown, folder,
 * other), shared with metrics.c. Not used elsewhere. */
#ifndef UI_METRICS_INT_H
#define UI_METRICS_INT_H

#include <curses.h>
#include <stdint.h>

#include "app.h"
#include "metrics.h"

/* Each kind draws its content into rows [y0, y0 + rows) of `w`, columns [1, 1 + width),
 * keeping m->scroll (and m->cursor) in range, and returns the number of content lines. */
long metrics_csv_draw(struct app *app, WINDOW *w, int y0, int rows, int width);
long metrics_json_draw(struct app *app, WINDOW *w, int y0, int rows, int width);
long metrics_md_draw(struct app *app, WINDOW *w, int y0, int rows, int width);
long metrics_dir_draw(struct app *app, WINDOW *w, int y0, int rows, int width);
long metrics_other_draw(struct app *app, WINDOW *w, int y0, int rows, int width);

/* The facts line under the title ("24 rows x 9 cols . 3.3 KB . modified ..."). */
void metrics_csv_facts(const struct app *app, char *out, size_t cap);
void metrics_json_facts(const struct app *app, char *out, size_t cap);
void metrics_md_facts(const struct app *app, char *out, size_t cap);
void metrics_dir_facts(const struct app *app, char *out, size_t cap);

/* Loading slices; each returns 1 while more remains, 0 when done (errors go to m->error). */
int metrics_json_step(struct app *app, int64_t deadline_ns);
int metrics_md_step(struct app *app, int64_t deadline_ns);
int metrics_dir_step(struct app *app, int64_t deadline_ns);

/* Kind-specific keys; 1 when handled. */
int metrics_csv_action(struct app *app, enum action a);
int metrics_json_action(struct app *app, enum action a);

/* Shared drawing helpers (metrics.c). */
void metrics_heading(struct app *app, WINDOW *w, int y, int width, const char *text);
/* Keep a scroll position in range for `total` lines shown `rows` at a time. */
long metrics_clamp_scroll(long scroll, long total, int rows);

#endif
