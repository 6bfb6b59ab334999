/* app.c: set-up, the event wiring (keys, signals, file changes, background work),
 * repainting, and tear-down. */
#include "app.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "evloop.h"
#include "http.h"
#include "overlay.h"
#include "settings.h"
#include "sig.h"
#include "watch.h"
#include "xmem.h"

#define APP_FRAME_NS (100 * CLOCK_NS_PER_MS) /* background progress repaints at most 10/s */
#define APP_SLICE_NS (8 * CLOCK_NS_PER_MS)   /* work per pass: keys stay under 10 ms */
#define APP_MSG_MS 4000
#define APP_SELECT_DELAY_MS 40               /* load what the cursor rests on */

static void app_paint(struct app *app);
static void app_handle_key(struct app *app, int is_key, wint_t ch);

void app_dirty(struct app *app)
{
    app->dirty = 1;
}

static void app_msg_expire(void *arg)
{
    struct app *app = arg;

    app->msg_timer = 0;
    app->msg[0] = '\0';
    app_dirty(app);
}

void app_message(struct app *app, enum msg_kind kind, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(app->msg, sizeof app->msg, fmt, ap);
    va_end(ap);
    app->msg_kind = kind;
    if (app->msg_timer != 0)
        evloop_cancel_timer(app->loop, app->msg_timer);
    app->msg_timer = evloop_add_timer(app->loop, kind == MSG_ERROR ? 2 * APP_MSG_MS : APP_MSG_MS,
                                      app_msg_expire, app);
    app_dirty(app);
}

/* --- background work -------------------------------------------------------------------- */

static void app_work(void *arg)
{
    struct app *app = arg;
    int64_t start = clock_now_ns();
    int more = 0;

    app->work_timer = 0;
    /* share the slice: the tree first (counts fill in), then the metrics loader */
    if (metrics_busy(&app->metrics)) {
        more |= ftree_step(app->tree, start + APP_SLICE_NS / 2);
        more |= metrics_step(app, start + APP_SLICE_NS);
    } else {
        more |= ftree_step(app->tree, start + APP_SLICE_NS);
    }
    app->spinner++;
    app_dirty(app);
    if (more)
        app_kick(app);
}

void app_kick(struct app *app)
{
    if (app->work_timer == 0)
        app->work_timer = evloop_add_timer(app->loop, 0, app_work, app);
}

/* --- tree hooks ----------------------------------------------------------------------------- */

static void app_node_gone(void *arg, struct fnode *n)
{
    struct app *app = arg;

    if (app->cursor == n)
        app->cursor = n->parent;
    metrics_forget(app, n);
}

static void app_reload_due(void *arg)
{
    struct app *app = arg;

    app->reload_timer = 0;
    metrics_reload(app);
    app_kick(app);
}

static void app_tree_changed(void *arg, struct fnode *dir, const struct fnode *node)
{
    struct app *app = arg;
    struct fnode *shown = app->cursor;

    app_dirty(app);
    if (shown == NULL || app->metrics.relpath == NULL)
        return;
    /* the file on display changed, or something inside the folder on display */
    if (node == shown || (shown->type == FNODE_DIR && node != NULL)) {
        int inside = 0;

        for (struct fnode *p = dir; p != NULL; p = p->parent)
            if (p == shown)
                inside = 1;
        if (node != shown && !inside)
            return;
        if (app->reload_timer == 0)
            app->reload_timer = evloop_add_timer(app->loop, node == shown ? 250 : 1000,
                                                 app_reload_due, app);
    }
}

static void app_on_watch_event(const struct watch_event *ev, void *arg)
{
    struct app *app = arg;

    ftree_apply_event(app->tree, ev);
    app_kick(app);
}

static void app_on_watch(int fd, unsigned events, void *arg)
{
    struct app *app = arg;

    (void)fd;
    (void)events;
    watch_read(app->watch, app_on_watch_event, app);
}

/* --- themes ---------------------------------------------------------------------------------- */

/* Folders searched for theme files, in order. */
static size_t app_theme_dirs(char dirs[5][PATH_MAX])
{
    size_t n = 0;
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char exe[PATH_MAX];
    ssize_t len;

    if (xdg != NULL && *xdg != '\0' &&
        snprintf(dirs[n], PATH_MAX, "%s/chimera/themes", xdg) < PATH_MAX)
        n++;
    else if (home != NULL && *home != '\0' &&
             snprintf(dirs[n], PATH_MAX, "%s/.config/chimera/themes", home) < PATH_MAX)
        n++;
    /* next to the binary: a build tree (build/chimera -> themes/) or an install */
    len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        char *slash;

        exe[len] = '\0';
        slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            if (snprintf(dirs[n], PATH_MAX, "%s/../themes", exe) < PATH_MAX)
                n++;
            /* an install moved elsewhere: PREFIX/bin/chimera -> PREFIX/share/chimera */
            if (snprintf(dirs[n], PATH_MAX, "%s/../share/chimera/themes", exe) < PATH_MAX)
                n++;
            if (snprintf(dirs[n], PATH_MAX, "%s/themes", exe) < PATH_MAX)
                n++;
        }
    }
    if (snprintf(dirs[n], PATH_MAX, "%s/themes", CHIMERA_DATADIR) < PATH_MAX)
        n++;
    return n;
}

static int app_load_theme(struct app *app, size_t idx, struct err *err)
{
    struct theme t;

    if (theme_load(&t, app->theme_paths[idx], err) < 0)
        return -1;
    app->theme = t;
    app->theme_idx = idx;
    return 0;
}

static int app_find_themes(struct app *app, const char *want, struct err *err)
{
    char dirs[5][PATH_MAX];
    const char *ptrs[5];
    size_t n = app_theme_dirs(dirs);

    for (size_t i = 0; i < n; i++)
        ptrs[i] = dirs[i];
    app->ntheme = theme_list(ptrs, n, &app->theme_names, &app->theme_paths);
    if (app->ntheme == 0) {
        /* no theme files installed: attributes only, still usable */
        theme_builtin(&app->theme);
        return 0;
    }
    for (size_t i = 0; i < app->ntheme; i++)
        if (strcmp(app->theme_names[i], want) == 0)
            return app_load_theme(app, i, err);
    {
        char list[200] = "";

        for (size_t i = 0; i < app->ntheme; i++) {
            strncat(list, app->theme_names[i], sizeof list - strlen(list) - 3);
            if (i + 1 < app->ntheme)
                strncat(list, ", ", sizeof list - strlen(list) - 1);
        }
        err_set(err, ENOENT, "no theme named '%s' (themes: %s)", want, list);
    }
    return -1;
}

static void app_apply_theme(struct app *app)
{
    draw_apply_theme(&app->draw, &app->theme, app->term.ncolors);
    if (app->term.active) {
        bkgdset(' ' | app->draw.role[ROLE_DEFAULT]);
        for (int p = 0; p < PANE_COUNT; p++)
            if (app->win[p] != NULL)
                wbkgdset(app->win[p], ' ' | app->draw.role[ROLE_DEFAULT]);
        clearok(curscr, TRUE);
    }
}

static void app_next_theme(struct app *app)
{
    struct err err;

    if (app->ntheme == 0) {
        app_message(app, MSG_ERROR, "no theme files found: install themes/ or set "
                                    "XDG_CONFIG_HOME/chimera/themes");
        return;
    }
    for (size_t tries = 0; tries < app->ntheme; tries++) {
        size_t next = (app->theme_idx + 1 + tries) % app->ntheme;

        if (app_load_theme(app, next, &err) == 0) {
            app_apply_theme(app);
            app_message(app, MSG_INFO, "theme: %s%s", app->theme.name,
                        app->term.ncolors == 0 ? " (no colours: NO_COLOR or mono terminal)" : "");
            return;
        }
        app_message(app, MSG_ERROR, "%s", err.msg);
    }
}

/* --- layout and windows ------------------------------------------------------------------------ */

static void app_relayout(struct app *app)
{
    layout_compute(&app->layout, app->term.rows, app->term.cols, app->focus);
    for (int p = 0; p < PANE_COUNT; p++) {
        const struct rect *r = &app->layout.pane[p];

        if (app->win[p] != NULL) {
            delwin(app->win[p]);
            app->win[p] = NULL;
        }
        if (r->h > 0 && r->w > 0) {
            app->win[p] = newwin(r->h, r->w, r->y, r->x);
            if (app->win[p] != NULL)
                wbkgdset(app->win[p], ' ' | app->draw.role[ROLE_DEFAULT]);
        }
    }
    if (app->status_win != NULL)
        delwin(app->status_win);
    if (app->tabs_win != NULL)
        delwin(app->tabs_win);
    app->status_win = app->tabs_win = NULL;
    if (app->layout.mode != LAYOUT_SMALL) {
        app->status_win = newwin(1, app->term.cols, app->layout.status.y, 0);
        if (app->layout.mode == LAYOUT_TABS)
            app->tabs_win = newwin(1, app->term.cols, 0, 0);
    }
    clearok(curscr, TRUE);
    app_dirty(app);
}

static void app_set_focus(struct app *app, enum pane_id p)
{
    app->focus = p;
    if (app->layout.mode == LAYOUT_TABS)
        app_relayout(app);
    app_dirty(app);
}

/* --- painting ------------------------------------------------------------------------------------ */

static void app_paint_tabs(struct app *app)
{
    static const char *const names[PANE_COUNT] = {"Artifacts", "Metrics", "Report"};
    int x = 0;

    WINDOW *w = app->tabs_win;

    if (w == NULL)
        return;
    draw_fill(w, 0, 0, app->term.cols, app->draw.role[ROLE_STATUS]);
    for (int p = 0; p < PANE_COUNT; p++) {
        attr_t a = p == (int)app->focus ? app->draw.role[ROLE_STATUS] | A_REVERSE | A_BOLD
                                        : app->draw.role[ROLE_STATUS];
        char label[32];

        snprintf(label, sizeof label, " %s ", names[p]);
        x += draw_str(&app->draw, w, 0, x, app->term.cols - x, a, label);
        x += draw_str(&app->draw, w, 0, x, app->term.cols - x, app->draw.role[ROLE_STATUS], " ");
    }
    if (app->term.cols - x > 16)
        draw_str_right(&app->draw, w, 0, 0, app->term.cols, app->draw.role[ROLE_STATUS],
                       "Tab: next pane ");
    wnoutrefresh(w);
}

static void app_paint(struct app *app)
{
    app->dirty = 0;
    app->last_paint_ns = clock_now_ns();
    if (app->layout.mode == LAYOUT_SMALL) {
        char msg[96];

        werase(stdscr);
        /* the long form when it fits, else the short one: the numbers matter most */
        snprintf(msg, sizeof msg, "terminal too small (%dx%d): chimera needs %dx%d", app->term.cols,
                 app->term.rows, LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
        if ((int)strlen(msg) > app->term.cols)
            snprintf(msg, sizeof msg, "too small: need %dx%d", LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
        draw_str(&app->draw, stdscr, 0, 0, app->term.cols, app->draw.role[ROLE_STATUS_ERROR],
                 msg);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    if (app->layout.mode == LAYOUT_TABS)
        app_paint_tabs(app);
    for (int p = 0; p < PANE_COUNT; p++) {
        WINDOW *w = app->win[p];

        if (w == NULL)
            continue;
        werase(w);
        if (p == PANE_TREE)
            tree_draw(app, w, app->focus == PANE_TREE);
        else if (p == PANE_METRICS)
            metrics_draw(app, w, app->focus == PANE_METRICS);
        else
            report_draw(app, w, app->focus == PANE_REPORT);
        wnoutrefresh(w);
    }
    if (app->help)
        help_draw(app);
    if (app->overlay != NULL)
        app->overlay->ops->draw(app, app->overlay);
    status_draw(app); /* last: it holds the cursor while the filter is typed */
    doupdate();
}

static void app_paint_timer(void *arg)
{
    struct app *app = arg;

    app->paint_timer = 0; /* the before-sleep hook paints on this pass */
}

static void app_before_sleep(void *arg)
{
    struct app *app = arg;
    int64_t now;

    if (!app->dirty || !app->term.active)
        return;
    now = clock_now_ns();
    if (now - app->last_paint_ns >= APP_FRAME_NS || app->urgent) {
        app->urgent = 0;
        app_paint(app);
        return;
    }
    if (app->paint_timer == 0) {
        int64_t wait = (app->last_paint_ns + APP_FRAME_NS - now) / CLOCK_NS_PER_MS + 1;

        app->paint_timer = evloop_add_timer(app->loop, wait, app_paint_timer, app);
    }
}

/* --- input ------------------------------------------------------------------------------------------ */

/* The window size changed. After SIGWINCH, ask the terminal and tell curses
 * (resizeterm); resizeterm then queues a KEY_RESIZE, and that key must only re-lay out:
 * calling resizeterm again would queue another one, forever. */
static void app_resize(struct app *app, int from_key)
{
    if (from_key) {
        app->term.rows = LINES;
        app->term.cols = COLS;
    } else {
        term_resize(&app->term);
    }
    app_relayout(app);
    app->urgent = 1;
}

static void app_quit_now(struct app *app)
{
    app->quit = 1;
    evloop_stop(app->loop);
}

static void app_cancel(struct app *app)
{
    struct ftree_progress pr;

    if (app->wf != NULL) {
        /* closing the connection makes the server stop generating */
        run_cancel(app, "stopped with Esc");
        return;
    }

    if (metrics_busy(&app->metrics)) {
        metrics_cancel(app);
        app_message(app, MSG_INFO, "stopped reading %s: what was read so far is shown",
                    app->metrics.relpath && *app->metrics.relpath ? app->metrics.relpath : ".");
        return;
    }
    ftree_progress(app->tree, &pr);
    if (pr.scanning && pr.queued > 0) {
        ftree_scan_cancel(app->tree);
        app_message(app, MSG_INFO, "scan stopped: folder counts are partial (R reads again)");
        return;
    }
    if (ftree_filter(app->tree) != NULL) {
        ftree_set_filter(app->tree, NULL);
        app_message(app, MSG_INFO, "filter cleared");
        return;
    }
}

static void app_prompt_key(struct app *app, int is_key, wint_t ch)
{
    if (!is_key && (ch == 27)) {
        ftree_set_filter(app->tree, app->filter_before);
        app->prompting = 0;
        curs_set(0);
        return;
    }
    if ((!is_key && (ch == '\r' || ch == '\n')) || (is_key && ch == KEY_ENTER)) {
        size_t nmatch = ftree_set_filter(app->tree, app->prompt_len ? app->prompt : NULL);

        app->prompting = 0;
        curs_set(0);
        if (app->prompt_len > 0)
            app_message(app, nmatch ? MSG_INFO : MSG_ERROR, "filter '%s': %zu match%s%s",
                        app->prompt, nmatch, nmatch == 1 ? "" : "es",
                        nmatch ? " (n/N to step, Esc clears)" : "");
        tree_cursor_moved(app);
        return;
    }
    if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8))) {
        /* drop one UTF-8 character */
        while (app->prompt_len > 0) {
            unsigned char c = (unsigned char)app->prompt[--app->prompt_len];

            if ((c & 0xC0) != 0x80)
                break;
        }
    } else if (!is_key && ch >= 0x20 && ch != 0x7f) {
        char enc[8];
        int n = (int)wcrtomb(enc, (wchar_t)ch, &(mbstate_t){0});

        if (n > 0 && app->prompt_len + (size_t)n < sizeof app->prompt) {
            memcpy(app->prompt + app->prompt_len, enc, (size_t)n);
            app->prompt_len += (size_t)n;
        }
    } else {
        return;
    }
    app->prompt[app->prompt_len] = '\0';
    /* filter as you type */
    ftree_set_filter(app->tree, app->prompt_len ? app->prompt : NULL);
}

static void app_start_prompt(struct app *app)
{
    const char *cur = ftree_filter(app->tree);

    free(app->filter_before);
    app->filter_before = cur != NULL ? xstrdup(cur) : NULL;
    app->prompting = 1;
    app->prompt_len = 0;
    app->prompt[0] = '\0';
    curs_set(1);
}

/* One mouse report. */
static void app_mouse_event(struct app *app, const MEVENT *ev)
{
    int p;

    if (app->help) {
        if (ev->bstate & BUTTON1_PRESSED)
            app->help = 0;
        return;
    }
    if (app->layout.mode == LAYOUT_TABS && ev->y == 0 && (ev->bstate & BUTTON1_PRESSED)) {
        /* tabs are " Artifacts  Metrics  Report " */
        app_set_focus(app, ev->x < 12 ? PANE_TREE : ev->x < 22 ? PANE_METRICS : PANE_REPORT);
        return;
    }
    p = layout_pane_at(&app->layout, ev->y, ev->x);
    if (p < 0)
        return;
    if (ev->bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
        int delta = (ev->bstate & BUTTON4_PRESSED) ? -3 : 3;

        if (p == PANE_TREE)
            tree_wheel(app, delta);
        else if (p == PANE_METRICS)
            metrics_wheel(app, delta);
        return;
    }
    if (ev->bstate & BUTTON1_PRESSED) {
        int row = ev->y - app->layout.pane[p].y - 1;
        int64_t now = clock_now_ns();
        int dbl = row == app->last_click_line && now - app->last_click_ns < 400 * CLOCK_NS_PER_MS;

        if ((enum pane_id)p != app->focus)
            app_set_focus(app, (enum pane_id)p);
        app->last_click_ns = now;
        app->last_click_line = dbl ? -1 : row; /* a third click starts a new pair */
        if (p == PANE_TREE)
            tree_click(app, row, dbl);
        else if (p == PANE_METRICS)
            metrics_click(app, row);
    }
}

/* Every queued mouse report: a press and its release often arrive in one read (over SSH,
 * in one packet), and curses then queues both behind a single KEY_MOUSE. */
static void app_mouse(struct app *app)
{
    MEVENT ev;

    for (int i = 0; i < 64 && getmouse(&ev) == OK; i++)
        app_mouse_event(app, &ev);
}

static void app_handle_key(struct app *app, int is_key, wint_t ch)
{
    enum action a;

    app->urgent = 1;
    app_dirty(app);
    if (is_key && ch == KEY_RESIZE) {
        app_resize(app, 1);
        return;
    }
    if (app->prompting) {
        app_prompt_key(app, is_key, ch);
        return;
    }
    if (is_key && ch == KEY_MOUSE) {
        app_mouse(app);
        return;
    }
    a = keys_action(is_key, ch);
    if (app->help) {
        if (!help_action(app, a))
            app->help = 0;
        return;
    }
    if (app->overlay != NULL) {
        struct overlay *o = app->overlay;

        if (o->ops->key(app, o, is_key, ch, a))
            overlay_close(app);
        return;
    }
    switch (a) {
    case ACT_QUIT:
        if (app->wf != NULL) {
            overlay_confirm(app, "A report is being generated. Quit now? What exists is saved, "
                                 "marked incomplete.",
                            app_quit_now);
            return;
        }
        app_quit_now(app);
        return;
    case ACT_ANALYSE:
        run_start(app, 0);
        return;
    case ACT_ANALYSE_ALL:
        run_start(app, 1);
        return;
    case ACT_RERUN:
        run_again(app);
        return;
    case ACT_MODELS:
        overlay_models(app);
        return;
    case ACT_PROFILE:
        overlay_profile(app);
        return;
    case ACT_HISTORY:
        overlay_history(app);
        return;
    case ACT_HELP:
        app->help = 1;
        app->help_scroll = 0;
        return;
    case ACT_THEME:
        app_next_theme(app);
        return;
    case ACT_NEXT_PANE:
        app_set_focus(app, (enum pane_id)((app->focus + 1) % PANE_COUNT));
        return;
    case ACT_PREV_PANE:
        app_set_focus(app, (enum pane_id)((app->focus + PANE_COUNT - 1) % PANE_COUNT));
        return;
    case ACT_REDRAW:
        clearok(curscr, TRUE);
        return;
    case ACT_CANCEL:
        app_cancel(app);
        return;
    case ACT_FILTER:
        app_set_focus(app, PANE_TREE);
        app_start_prompt(app);
        return;
    default:
        break;
    }
    if (app->layout.mode == LAYOUT_SMALL)
        return;
    if (app->focus == PANE_TREE)
        tree_action(app, a);
    else if (app->focus == PANE_METRICS)
        metrics_action(app, a);
    else
        report_action(app, a);
}

static void app_on_stdin(int fd, unsigned events, void *arg)
{
    struct app *app = arg;
    wint_t ch;
    int r;

    (void)fd;
    if (events & EVLOOP_ERROR) {
        /* the terminal went away (SSH dropped): leave as after SIGHUP */
        app->exit_signal = SIGHUP;
        evloop_stop(app->loop);
        return;
    }
    for (int i = 0; i < 512 && (r = wget_wch(stdscr, &ch)) != ERR; i++)
        app_handle_key(app, r == KEY_CODE_YES, ch);
    app_kick(app);
}

static void app_on_signal(int fd, unsigned events, void *arg)
{
    struct app *app = arg;
    unsigned bits = sig_read();

    (void)fd;
    (void)events;
    if (bits & (SIG_WINCH | SIG_CONT)) {
        clearok(curscr, TRUE);
        app_resize(app, 0);
    }
    if (bits & (SIG_TERM | SIG_HUP | SIG_INT)) {
        app->exit_signal = (bits & SIG_TERM) ? SIGTERM : (bits & SIG_HUP) ? SIGHUP : SIGINT;
        evloop_stop(app->loop);
    }
}

/* --- set-up and tear-down ------------------------------------------------------------------------------ */

static int app_setup(struct app *app, const struct app_options *opts, struct err *err)
{
    const char *want;
    struct ftree_hooks hooks = {app_node_gone, app_tree_changed, app};
    int no_color;

    int rc;

    app->opts = *opts;
    config_init(&app->cfg);
    rc = settings_load(&app->cfg, opts, &app->host, &app->profile, &app->opts_gen, err);
    if (rc != 0)
        return rc;
    want = opts->theme ? opts->theme : app->cfg.theme ? app->cfg.theme : "dark";
    if (app_find_themes(app, want, err) < 0)
        return 2;
    app->watch = watch_new(err);
    if (app->watch == NULL)
        err_clear(err); /* no inotify: the tree still works, without live updates */
    app->tree = ftree_open(opts->root, app->watch, &hooks, err);
    if (app->tree == NULL)
        return 1;
    ftree_set_sort(app->tree, app->cfg.sort);
    app->cursor = ftree_root(app->tree);
    metrics_init(&app->metrics);
    app->loop = evloop_new();
    app->http = http_new(app->loop, err);
    if (app->http == NULL)
        return 1;
    {
        int sfd = sig_init(err);

        if (sfd < 0)
            return 1;
        evloop_add_fd(app->loop, sfd, EVLOOP_READ, app_on_signal, app);
    }
    no_color = opts->no_color || (getenv("NO_COLOR") != NULL && *getenv("NO_COLOR") != '\0');
    if (term_start(&app->term, no_color, err) < 0)
        return 1;
    draw_init(&app->draw, !app->term.utf8);
    report_view_init(&app->report, !app->term.utf8);
    app->report.follow_lines = app->cfg.follow_lines;
    app_apply_theme(app);
    evloop_add_fd(app->loop, STDIN_FILENO, EVLOOP_READ, app_on_stdin, app);
    if (app->watch != NULL)
        evloop_add_fd(app->loop, watch_fd(app->watch), EVLOOP_READ, app_on_watch, app);
    evloop_set_before_sleep(app->loop, app_before_sleep, app);
    app->focus = PANE_TREE;
    app->last_click_line = -1;
    app_relayout(app);
    ftree_scan_all(app->tree);
    metrics_select(app, app->cursor);
    run_check_server(app);
    app_kick(app);
    app->urgent = 1;
    return 0;
}

static void app_teardown(struct app *app)
{
    /* a run still going is saved, marked incomplete, before anything else goes */
    if (app->wf != NULL)
        workflow_cancel(app->wf, app->exit_signal == SIGHUP ? "the terminal hung up (SIGHUP)"
                                 : app->exit_signal         ? "chimera was stopped by a signal"
                                                            : "chimera quit during the run");
    workflow_free(app->wf);
    workflow_free(app->wf_old);
    app->wf = app->wf_old = NULL;
    overlay_close(app);
    if (app->check != NULL)
        llm_query_cancel(app->check);
    term_stop();
    for (int p = 0; p < PANE_COUNT; p++)
        if (app->win[p] != NULL)
            delwin(app->win[p]);
    if (app->status_win != NULL)
        delwin(app->status_win);
    if (app->tabs_win != NULL)
        delwin(app->tabs_win);
    metrics_fini(&app->metrics);
    report_view_fini(&app->report);
    http_free(app->http);
    ftree_free(app->tree);
    watch_free(app->watch);
    evloop_free(app->loop);
    sig_fini();
    draw_fini(&app->draw);
    theme_list_free(app->theme_names, app->theme_paths, app->ntheme);
    config_fini(&app->cfg);
    free(app->filter_before);
    if (app->last_files != NULL) {
        for (size_t i = 0; i < app->last_nfiles; i++)
            free(app->last_files[i]);
        free(app->last_files);
    }
    free(app->last_root);
    free(app->profile);
    free(app->runs_dir);
}

int app_run(const struct app_options *opts)
{
    struct app *app = xcalloc(1, sizeof *app);
    struct err err;
    int rc, sig;

    err_clear(&err);
    rc = app_setup(app, opts, &err);
    if (rc != 0) {
        app_teardown(app);
        free(app);
        fprintf(stderr, "chimera: %s\n", err.msg);
        return rc;
    }
    if (evloop_run(app->loop) < 0)
        rc = 1;
    sig = app->exit_signal;
    app_teardown(app);
    free(app);
    if (sig == SIGTERM || sig == SIGHUP || sig == SIGINT) {
        /* die of the signal, so the parent sees how we ended */
        signal(sig, SIG_DFL);
        raise(sig);
        return 128 + sig;
    }
    return rc;
}
