/* tree_pane.c: the artifacts tree: folders with artifact counts, files with type colour,
 * size and mark, links with their targets, unreadable folders and loops as such. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "artifact.h"
#include "evloop.h"
#include "fmt.h"
#include "xmem.h"

static enum theme_role tree_role(const struct fnode *n)
{
    if (n->flags & (FNODE_UNREADABLE | FNODE_LOOP | FNODE_BROKEN))
        return ROLE_TREE_ERROR;
    if (n->type == FNODE_DIR)
        return ROLE_TREE_DIR;
    if (n->type == FNODE_LINK)
        return ROLE_TREE_LINK;
    switch (n->kind) {
    case ART_CSV:
        return ROLE_TREE_CSV;
    case ART_JSON:
        return ROLE_TREE_JSON;
    case ART_MARKDOWN:
        return ROLE_TREE_MD;
    default:
        return ROLE_TREE_OTHER;
    }
}

/* What the right-hand column says: a folder's artifact count, a file's size. */
static void tree_right(struct app *app, const struct fnode *n, char *out, size_t cap)
{
    if (n->type == FNODE_DIR) {
        if (n->flags & FNODE_UNREADABLE)
            snprintf(out, cap, "?");
        else if (n->flags & FNODE_SCANNED)
            snprintf(out, cap, "%u", n->nart);
        else
            snprintf(out, cap, "%u%s", n->nart, app->draw.g->ellipsis);
        return;
    }
    if (n->type == FNODE_FILE ||
        (n->type == FNODE_LINK && !(n->flags & (FNODE_LINKDIR | FNODE_BROKEN | FNODE_LOOP)))) {
        /* always with a unit, so a size never reads like a folder's count */
        if (n->size < 1024)
            snprintf(out, cap, "%lldB", (long long)n->size);
        else
            fmt_size_short(out, cap, n->size);
    } else {
        out[0] = '\0';
    }
}

/* The explanation after a name: link target, loop, unreadable reason. */
static char *tree_suffix(struct app *app, const struct fnode *n)
{
    if (n->flags & FNODE_UNREADABLE)
        return xasprintf(" (%s)", strerror(n->err ? n->err : EACCES));
    if (n->type == FNODE_LINK) {
        char *target = ftree_link_target(app->tree, n);
        char *s;

        if (n->flags & FNODE_LOOP)
            s = xasprintf(" %s %s (loop)", app->draw.g->loop, target ? target : "?");
        else if (n->flags & FNODE_BROKEN)
            s = xasprintf(" %s %s (broken)", app->draw.g->arrow, target ? target : "?");
        else
            s = xasprintf(" %s %s%s", app->draw.g->arrow, target ? target : "?",
                          (n->flags & FNODE_LINKDIR) ? "/" : "");
        free(target);
        return s;
    }
    return NULL;
}

static void tree_draw_line(struct app *app, WINDOW *w, int y, int width, int right_col,
                           const struct fline *l, int is_cursor, int focused)
{
    const struct fnode *n = l->node;
    struct draw *d = &app->draw;
    attr_t base = is_cursor ? d->role[focused ? ROLE_TREE_CURSOR : ROLE_TREE_CURSOR_BLUR]
                            : d->role[ROLE_TREE];
    attr_t name_attr = is_cursor ? base : d->role[tree_role(n)];
    char right[32], when[32];
    int x = 1, right_w, name_cols;
    char *suffix, *name;

    draw_fill(w, y, 1, width, base);
    /* indentation, then the open/closed glyph or the mark */
    {
        /* a narrow pane indents one column a level, to leave room for names */
        int step = width < 36 ? 1 : 2;

        x += l->depth * step > width / 2 ? width / 2 : l->depth * step;
    }
    if (n->type == FNODE_DIR)
        x += draw_str(d, w, y, x, 2, is_cursor ? base : d->role[ROLE_TREE_DIR],
                      (n->flags & FNODE_EXPANDED) || (ftree_filter(app->tree) != NULL &&
                                                      (n->flags & FNODE_SUBMATCH))
                          ? d->g->expanded
                          : d->g->collapsed);
    else
        x += draw_str(d, w, y, x, 2, is_cursor ? base : d->role[ROLE_TREE_MARK],
                      (n->flags & FNODE_MARKED) ? d->g->mark : d->g->nomark);
    x += draw_str(d, w, y, x, 1, base, " ");
    tree_right(app, n, right, sizeof right);
    right_w = right_col; /* the same for every line, so the times line up */
    /* a wide pane has room for the modification time too */
    when[0] = '\0';
    if (width >= 52 && n->type != FNODE_SPECIAL && n->mtime > 0)
        fmt_local(when, sizeof when, n->mtime);
    if (when[0] != '\0')
        right_w += 1 + (int)strlen(when);
    name_cols = width - (x - 1) - right_w - 1;
    name = n->type == FNODE_DIR && n->parent != NULL ? xasprintf("%s/", n->name)
           : n->parent == NULL                      ? xasprintf("%s/", n->name)
                                                    : xstrdup(n->name);
    if ((n->flags & FNODE_MATCH) && !is_cursor)
        name_attr = d->role[ROLE_TREE_MATCH];
    suffix = tree_suffix(app, n);
    if (suffix != NULL) {
        int used = draw_str_middle(d, w, y, x, name_cols, name_attr, name);

        draw_str_ellipsis(d, w, y, x + used, name_cols - used,
                          is_cursor ? base : d->role[ROLE_TREE_ERROR], suffix);
        free(suffix);
    } else {
        draw_str_middle(d, w, y, x, name_cols, name_attr, name);
    }
    free(name);
    {
        int rx = width + 1 - right_w;

        if (when[0] != '\0') {
            draw_str(d, w, y, rx, (int)strlen(when), is_cursor ? base : d->role[ROLE_TREE_SIZE],
                     when);
            rx += (int)strlen(when) + 1;
        }
        draw_str_right(d, w, y, rx, width + 1 - rx,
                       is_cursor ? base
                                 : d->role[n->type == FNODE_DIR ? ROLE_TREE_COUNT : ROLE_TREE_SIZE],
                       right);
    }
}

static long tree_cursor_line(struct app *app, const struct fline **lines, size_t *count)
{
    ssize_t at;

    *count = ftree_lines(app->tree, lines);
    at = ftree_line_of(app->tree, app->cursor);
    if (at < 0) {
        /* the cursor's node is hidden (filtered out, or inside a closed folder) */
        app->cursor = (*lines)[0].node;
        at = 0;
    }
    return (long)at;
}

void tree_draw(struct app *app, WINDOW *w, int focused)
{
    const struct fline *lines;
    size_t count;
    long cur = tree_cursor_line(app, &lines, &count);
    int h, wd, rows;
    char title[128];
    const char *filter = ftree_filter(app->tree);

    getmaxyx(w, h, wd);
    rows = h - 2;
    app->tree_page = rows;
    if (rows <= 0)
        return;
    if (cur < app->tree_top)
        app->tree_top = cur;
    if (cur >= app->tree_top + rows)
        app->tree_top = cur - rows + 1;
    if (app->tree_top > (long)count - rows)
        app->tree_top = (long)count - rows;
    if (app->tree_top < 0)
        app->tree_top = 0;
    if (filter != NULL)
        snprintf(title, sizeof title, "Artifacts /%s", filter);
    else
        snprintf(title, sizeof title, "Artifacts");
    draw_box(&app->draw, w, focused, title);
    {
        int right_col = 4;

        for (int r = 0; r < rows && app->tree_top + r < (long)count; r++) {
            char right[32];
            int rw;

            tree_right(app, lines[app->tree_top + r].node, right, sizeof right);
            rw = draw_width(&app->draw, right);
            if (rw > right_col)
                right_col = rw;
        }
        for (int r = 0; r < rows && app->tree_top + r < (long)count; r++) {
            long i = app->tree_top + r;

            tree_draw_line(app, w, r + 1, wd - 2, right_col, &lines[i], i == cur, focused);
        }
    }
    if ((long)count > rows) {
        char pos[32];

        snprintf(pos, sizeof pos, " %ld/%zu ", cur + 1, count);
        draw_str_right(&app->draw, w, h - 1, 1, wd - 3, app->draw.role[ROLE_BORDER], pos);
    }
}

static void tree_select_due(void *arg)
{
    struct app *app = arg;

    app->select_timer = 0;
    metrics_select(app, app->cursor);
    app_kick(app);
    app_dirty(app);
}

void tree_cursor_moved(struct app *app)
{
    if (app->select_timer != 0)
        evloop_cancel_timer(app->loop, app->select_timer);
    app->select_timer = evloop_add_timer(app->loop, 40, tree_select_due, app);
}

static void tree_move_to(struct app *app, long line)
{
    const struct fline *lines;
    size_t count = ftree_lines(app->tree, &lines);

    if (count == 0)
        return;
    if (line < 0)
        line = 0;
    if (line >= (long)count)
        line = (long)count - 1;
    if (lines[line].node != app->cursor) {
        app->cursor = lines[line].node;
        tree_cursor_moved(app);
    }
}

static void tree_next_match(struct app *app, int dir)
{
    const struct fline *lines;
    size_t count;
    long cur = tree_cursor_line(app, &lines, &count);

    if (ftree_filter(app->tree) == NULL) {
        app_message(app, MSG_INFO, "no filter: press / to filter names");
        return;
    }
    for (size_t step = 1; step <= count; step++) {
        long i = ((cur + dir * (long)step) % (long)count + (long)count) % (long)count;

        if (lines[i].node->flags & FNODE_MATCH) {
            tree_move_to(app, i);
            return;
        }
    }
    app_message(app, MSG_ERROR, "no match for '%s'", ftree_filter(app->tree));
}

/* Every folder at or below `n`: open (and read) or close. */
static void tree_expand_all(struct app *app, struct fnode *n, int on)
{
    if (n->type != FNODE_DIR)
        return;
    if (on || n->parent != NULL)
        ftree_expand(app->tree, n, on);
    for (struct fnode *c = n->child; c != NULL; c = c->next)
        tree_expand_all(app, c, on);
}

/* Are all artifact files below `n` marked? */
static int tree_all_marked(const struct fnode *n)
{
    if (n->type == FNODE_FILE)
        return n->kind == ART_NONE || (n->flags & FNODE_MARKED);
    for (const struct fnode *c = n->child; c != NULL; c = c->next)
        if (!tree_all_marked(c))
            return 0;
    return 1;
}

static void tree_mark(struct app *app)
{
    struct fnode *n = app->cursor;
    const struct fline *lines;
    size_t count;
    long cur;

    if (n->type == FNODE_DIR) {
        if (!(n->flags & FNODE_SCANNED)) {
            app_message(app, MSG_ERROR, "%s is still being read: mark it once its count is "
                                        "final", n->parent ? n->name : ".");
            return;
        }
        ftree_mark(app->tree, n, !tree_all_marked(n));
    } else if (n->type == FNODE_FILE) {
        ftree_mark(app->tree, n, !(n->flags & FNODE_MARKED));
    } else {
        app_message(app, MSG_ERROR, "only files can be marked (links are not followed)");
        return;
    }
    cur = tree_cursor_line(app, &lines, &count);
    tree_move_to(app, cur + 1);
}

int tree_action(struct app *app, enum action a)
{
    const struct fline *lines;
    size_t count;
    long cur = tree_cursor_line(app, &lines, &count);
    struct fnode *n = app->cursor;
    int page = app->tree_page > 1 ? app->tree_page - 1 : 1;

    switch (a) {
    case ACT_UP:
        tree_move_to(app, cur - 1);
        return 1;
    case ACT_DOWN:
        tree_move_to(app, cur + 1);
        return 1;
    case ACT_PAGE_UP:
        tree_move_to(app, cur - page);
        return 1;
    case ACT_PAGE_DOWN:
        tree_move_to(app, cur + page);
        return 1;
    case ACT_TOP:
        tree_move_to(app, 0);
        return 1;
    case ACT_BOTTOM:
        tree_move_to(app, (long)count - 1);
        return 1;
    case ACT_ENTER:
        if (n->type == FNODE_DIR && n->parent != NULL)
            ftree_expand(app->tree, n, !(n->flags & FNODE_EXPANDED));
        else if (n->type != FNODE_DIR)
            app->focus = PANE_METRICS;
        app_kick(app);
        return 1;
    case ACT_RIGHT:
        if (n->type == FNODE_DIR) {
            if (!(n->flags & FNODE_EXPANDED))
                ftree_expand(app->tree, n, 1);
            else if (n->child != NULL)
                tree_move_to(app, cur + 1);
            app_kick(app);
        }
        return 1;
    case ACT_LEFT:
        if (n->type == FNODE_DIR && (n->flags & FNODE_EXPANDED) && n->parent != NULL)
            ftree_expand(app->tree, n, 0);
        else if (n->parent != NULL) {
            ssize_t at = ftree_line_of(app->tree, n->parent);

            if (at >= 0)
                tree_move_to(app, at);
        }
        return 1;
    case ACT_MARK:
        tree_mark(app);
        return 1;
    case ACT_UNMARK_ALL:
        ftree_clear_marks(app->tree);
        app_message(app, MSG_INFO, "all marks cleared");
        return 1;
    case ACT_NEXT_MATCH:
        tree_next_match(app, 1);
        return 1;
    case ACT_PREV_MATCH:
        tree_next_match(app, -1);
        return 1;
    case ACT_SORT: {
        enum sort_key k = (enum sort_key)((ftree_sort(app->tree) + 1) % 3);

        ftree_set_sort(app->tree, k);
        app_message(app, MSG_INFO, "sorted by %s", k == SORT_NAME    ? "name"
                                                   : k == SORT_MTIME ? "modification time (newest first)"
                                                                     : "size (largest first)");
        return 1;
    }
    case ACT_RESCAN:
        ftree_refresh(app->tree);
        app_kick(app);
        app_message(app, MSG_INFO, "reading the tree again");
        return 1;
    case ACT_EXPAND_ALL:
        tree_expand_all(app, n->type == FNODE_DIR ? n : ftree_root(app->tree), 1);
        app_kick(app);
        return 1;
    case ACT_COLLAPSE_ALL:
        tree_expand_all(app, ftree_root(app->tree), 0);
        app->cursor = ftree_root(app->tree);
        tree_cursor_moved(app);
        return 1;
    default:
        return 0;
    }
}

void tree_click(struct app *app, int row, int dbl)
{
    const struct fline *lines;
    size_t count = ftree_lines(app->tree, &lines);
    long line = app->tree_top + row;

    if (row < 0 || line >= (long)count)
        return;
    tree_move_to(app, line);
    if (dbl)
        tree_action(app, ACT_ENTER); /* a double click opens, like Enter */
}

void tree_wheel(struct app *app, int delta)
{
    const struct fline *lines;
    size_t count;
    long cur = tree_cursor_line(app, &lines, &count);

    tree_move_to(app, cur + delta);
}
