/* metrics.h: the metrics pane: what the selected node holds, loaded in slices.
 *
 * Selecting a node starts a loader for its kind (CSV statistics, JSON harvest and
 * document tree, Markdown outline, a folder's inventory, a peek at anything else). The
 * loader runs from the app's work timer in bounded slices, shows its progress, and Esc
 * cancels it. Each kind draws itself as a list of lines the pane scrolls through. */
#ifndef UI_METRICS_H
#define UI_METRICS_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "harvest.h"
#include "keys.h"
#include "mdscan.h"

struct app;
struct fnode;
struct csv_reader;
struct jsonscan;
struct jsondoc;
struct inv_job;
struct inventory;

enum metrics_kind {
    MK_NONE,
    MK_DIR,
    MK_CSV,
    MK_JSON,
    MK_MD,
    MK_OTHER,
    MK_LINK,
    MK_SPECIAL
};

#define METRICS_JSON_TREE_MAX (16u << 20) /* documents larger than this get no tree */
#define METRICS_PEEK_BYTES 4096           /* what is read of a non-artifact file */

struct metrics {
    char *relpath;          /* the node shown ("" = root); NULL when nothing */
    char *path;             /* its path for open() */
    enum metrics_kind kind;
    int64_t size, mtime;    /* as when loading started (reload when they change) */
    int loading;
    int cancelled;
    char *error;            /* why loading failed (shown instead of the data) */
    char *note;             /* a remark shown under the header (e.g. "tree not built") */
    uint64_t bytes_done;

    struct csv_reader *csv;
    struct {
        int fd;
        struct jsonscan *scan;
        struct harvest metrics;
        struct buf text;    /* the document, kept for the tree when small enough */
        struct jsondoc *doc;
        uint64_t leaves;
        int keep_text;
    } json;
    struct {
        int fd;
        struct buf text;
        struct md_summary md;
        int done;
    } md;
    struct {
        struct inv_job *job;
        struct inventory *inv;
        char **gaps;
        size_t ngaps;
        char *summary;
        char **lines;       /* the folder view, built once when the inventory is done */
        int *roles;
        size_t nlines, lines_cap;
    } dir;
    struct {
        int binary;
        int utf8;
        char *peek;         /* first bytes, when text */
        size_t peek_len;
        char *target;       /* link target */
    } other;

    /* view */
    int view;               /* CSV: 0 statistics, 1 table; JSON: 0 metrics + document */
    long scroll;
    long cursor;            /* JSON document cursor (line index), else -1 */
    int hscroll;            /* table: first column shown */
    int spark_col;          /* CSV: column of the sparkline */
    int page;               /* rows of the last draw, for paging */
};

void metrics_init(struct metrics *m);
void metrics_fini(struct metrics *m);
/* Show `n` (NULL: nothing). Starts loading unless the same file is already shown. */
void metrics_select(struct app *app, struct fnode *n);
/* Load again (the file changed on disk). */
void metrics_reload(struct app *app);
/* Forget a node that is about to vanish if it is the one shown. */
void metrics_forget(struct app *app, const struct fnode *n);
/* One slice of loading; 1 while more remains. */
int metrics_step(struct app *app, int64_t deadline_ns);
int metrics_busy(const struct metrics *m);
/* Stop loading; what was read so far stays on screen, marked as partial. */
void metrics_cancel(struct app *app);
/* Progress as a fraction in [0, 1], or -1 when unknown. */
double metrics_progress(const struct app *app);

/* Pane hooks. */
void metrics_draw(struct app *app, WINDOW *w, int focused);
int metrics_action(struct app *app, enum action a);
void metrics_click(struct app *app, int row);
void metrics_wheel(struct app *app, int delta);
/* Title for the pane border. Free it. */
char *metrics_title(const struct app *app);

#endif
