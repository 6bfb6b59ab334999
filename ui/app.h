/* app.h: struct app, the one place that holds the program's state (the style guide's rule
 * against mutable globals), and the glue between the loop, the models and the panes. */
#ifndef UI_APP_H
#define UI_APP_H

#include <curses.h>
#include <stdint.h>

#include "config.h"
#include "draw.h"
#include "ftree.h"
#include "host.h"
#include "keys.h"
#include "layout.h"
#include "llm.h"
#include "metrics.h"
#include "report_view.h"
#include "term.h"
#include "theme.h"
#include "workflow.h"

struct evloop;
struct http;
struct watch;
struct overlay;

/* Command-line settings that override the config file. */
struct app_options {
    const char *root;
    const char *theme;
    const char *config;
    const char *host;
    const char *model;
    const char *api;
    const char *out;
    const char *profile;
    int no_color;
    struct gen_options opts;  /* options given on the command line (each with its flag) */
};

enum msg_kind { MSG_INFO, MSG_OK, MSG_ERROR };

struct app {
    struct app_options opts;
    struct config cfg;
    struct host host;         /* the server analyses talk to, resolved like the ollama CLI */
    struct evloop *loop;
    struct tty term;
    struct draw draw;
    struct layout layout;
    WINDOW *win[PANE_COUNT];
    WINDOW *status_win;       /* the last row */
    WINDOW *tabs_win;         /* the tab bar (tabs layout) */
    enum pane_id focus;
    int quit;
    int exit_signal;          /* the signal that ended the program, or 0 */

    /* themes found on disk, and the one in use */
    char **theme_names, **theme_paths;
    size_t ntheme, theme_idx;
    struct theme theme;

    /* the artifact tree */
    struct watch *watch;
    struct ftree *tree;
    struct fnode *cursor;     /* node under the cursor */
    long tree_top;            /* first line shown */
    int tree_page;            /* lines of the last draw */
    uint64_t tree_gen;        /* generation last drawn */

    struct metrics metrics;
    uint64_t select_timer;    /* debounce: load what the cursor rests on */
    uint64_t reload_timer;    /* debounce: a shown file changed on disk */

    /* filter prompt */
    int prompting;
    char prompt[256];
    size_t prompt_len;
    char *filter_before;      /* to restore on Esc */

    /* help overlay */
    int help;
    int help_scroll;

    /* status message */
    char msg[256];
    enum msg_kind msg_kind;
    uint64_t msg_timer;

    /* live report generation */
    struct http *http;
    struct workflow *wf;      /* the run in progress, or NULL */
    struct workflow *wf_old;  /* a finished run, freed on the next pass */
    uint64_t wf_free_timer;
    uint64_t tick_timer;      /* live counters refresh while a run streams */
    struct llm_live live;     /* the counters shown: a snapshot taken at most 4 times a
                               * second (readable, and few bytes to the terminal) */
    const struct llm_gen *live_gen;
    int64_t live_at_ns;
    struct report_view report;
    char run_title[256];      /* "Chimera Agent A · gemma3:latest" */
    char run_state[64];       /* "done", "cancelled", "error" after a run */
    char last_call[320];      /* figures of the last call: chimera's and the server's */
    char **last_files;        /* what `r` runs again: the files (or NULL: a walk) */
    size_t last_nfiles;
    char *last_root;
    int have_last;
    char *profile;            /* the profile in use */
    char *runs_dir;           /* where runs are saved */
    struct gen_options opts_gen; /* its options, as edited this session */
    int quit_after_run;       /* q was confirmed: leave once the run is saved */
    /* the server, from the start-up check */
    struct llm_query *check;
    int server_ok;
    char server_msg[ERR_MSG_MAX];

    /* an overlay on top of everything (model picker, profile editor, history, confirm) */
    struct overlay *overlay;

    /* work and repaint */
    uint64_t work_timer;
    int dirty;                /* something must be repainted */
    int urgent;               /* ...now: it answers a key */
    int64_t last_paint_ns;
    uint64_t paint_timer;
    int spinner;
    int64_t last_click_ns;
    long last_click_line;
};

/* Set up and run until quit; returns the exit status. */
int app_run(const struct app_options *opts);

/* Ask for a repaint at the next pass. */
void app_dirty(struct app *app);
/* Show a message in the status line for a few seconds. */
void app_message(struct app *app, enum msg_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Make sure background work (scan, loading) gets slices. */
void app_kick(struct app *app);

/* Tree pane (tree_pane.c). */
void tree_draw(struct app *app, WINDOW *w, int focused);
int tree_action(struct app *app, enum action a);
void tree_click(struct app *app, int row, int dbl);
void tree_wheel(struct app *app, int delta);
/* The cursor moved: follow it in the metrics pane (debounced). */
void tree_cursor_moved(struct app *app);

/* Report pane (report_pane.c). */
void report_draw(struct app *app, WINDOW *w, int focused);
int report_action(struct app *app, enum action a);

/* Runs (run.c). */
void run_start(struct app *app, int whole_root);
void run_again(struct app *app);
void run_cancel(struct app *app, const char *reason);
int run_active(const struct app *app);
void run_check_server(struct app *app);
/* The target of analyses now (strings owned by the app). */
void run_target(const struct app *app, struct llm_target *t);
const struct persona *run_persona(const struct app *app);

/* Status line and overlays (status_bar.c, help_overlay.c). */
void status_draw(struct app *app);
void help_draw(struct app *app);
int help_action(struct app *app, enum action a);

#endif
