/* test_ftree.c: the tree model: sliced reading, counts, lines, sort, filter, marks,
 * links and unreadable folders, and live updates through a real inotify watch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifact.h"
#include "clock.h"
#include "ftree.h"
#include "testutil.h"
#include "watch.h"

struct hooks_seen {
    int gone;
    int changed;
};

static void on_gone(void *arg, struct fnode *n)
{
    (void)n;
    ((struct hooks_seen *)arg)->gone++;
}

static void on_changed(void *arg, struct fnode *dir, const struct fnode *n)
{
    (void)dir;
    (void)n;
    ((struct hooks_seen *)arg)->changed++;
}

/*  root/
 *    reports/a.csv (100 B, t1)  reports/b.json (50 B, t2)  reports/notes.txt (7 B)
 *    reports/deep/x/y/z.md (10 B, t3)
 *    csv_data/c.CSV (20 B)
 *    empty/
 *    top.md (5 B) */
static char *make_tree(void)
{
    char *root = tu_mkdtemp();
    char data[128];

    memset(data, 'x', sizeof data);
    tu_write(root, "reports/a.csv", data, 100, tu_utc(2025, 1, 1, 0, 0, 0));
    tu_write(root, "reports/b.json", data, 50, tu_utc(2025, 3, 1, 0, 0, 0));
    tu_write(root, "reports/notes.txt", data, 7, tu_utc(2024, 1, 1, 0, 0, 0));
    tu_write(root, "reports/deep/x/y/z.md", data, 10, tu_utc(2025, 6, 1, 0, 0, 0));
    tu_write(root, "csv_data/c.CSV", data, 20, tu_utc(2024, 6, 1, 0, 0, 0));
    tu_mkdir(root, "empty");
    tu_write(root, "top.md", data, 5, tu_utc(2023, 1, 1, 0, 0, 0));
    return root;
}

static struct ftree *open_tree(const char *root, struct watch *w, struct hooks_seen *seen)
{
    struct ftree_hooks hooks = {on_gone, on_changed, seen};
    struct err err;
    struct ftree *t = ftree_open(root, w, &hooks, &err);

    if (t == NULL)
        fail_msg("ftree_open: %s", err.msg);
    return t;
}

static void scan_all(struct ftree *t)
{
    ftree_scan_all(t);
    while (ftree_step(t, 0))
        ;
}

static struct fnode *node(struct ftree *t, const char *rel)
{
    struct fnode *n = ftree_find(t, rel);

    if (n == NULL) {
        fail_msg("no node %s", rel);
        abort();
    }
    return n;
}

/* The visible lines as "depth:name" joined with spaces. */
static void lines_text(struct ftree *t, char *out, size_t cap)
{
    const struct fline *lines;
    size_t n = ftree_lines(t, &lines), len = 0;

    out[0] = '\0';
    for (size_t i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%d:%s", i ? " " : "", lines[i].depth,
                                lines[i].node->parent ? lines[i].node->name : "/");
}

static void test_open_reads_top_level_only(void **state)
{
    char *root = make_tree();
    struct hooks_seen seen = {0, 0};
    struct ftree *t = open_tree(root, NULL, &seen);
    struct fnode *r = ftree_root(t);
    char text[512];

    (void)state;
    assert_true(r->flags & FNODE_LOADED);
    assert_false(node(t, "reports")->flags & FNODE_LOADED);
    assert_false(r->flags & FNODE_SCANNED);
    /* folders first, then files, by name ignoring case */
    lines_text(t, text, sizeof text);
    assert_string_equal(text, "0:/ 1:csv_data 1:empty 1:reports 1:top.md");
    ftree_free(t);
    tu_rmtree(root);
    free(root);
}

static void test_scan_counts(void **state)
{
    char *root = make_tree();
    struct hooks_seen seen = {0, 0};
    struct ftree *t = open_tree(root, NULL, &seen);
    struct ftree_progress p;
    struct fnode *r, *rep;

    (void)state;
    scan_all(t);
    r = ftree_root(t);
    rep = node(t, "reports");
    assert_true(r->flags & FNODE_SCANNED);
    assert_int_equal(rep->nart, 3);          /* a.csv b.json z.md; notes.txt is no artifact */
    assert_int_equal(rep->size, 100 + 50 + 7 + 10);
    assert_int_equal(rep->mtime >= tu_utc(2025, 6, 1, 0, 0, 0), 1);
    assert_int_equal(node(t, "csv_data")->nart, 1); /* .CSV counts */
    assert_int_equal(node(t, "empty")->nart, 0);
    assert_true(node(t, "empty")->flags & FNODE_SCANNED);
    assert_int_equal(r->nart, 5);
    assert_int_equal(r->size, 100 + 50 + 7 + 10 + 20 + 5);
    assert_int_equal(node(t, "reports/deep/x/y/z.md")->kind, ART_MARKDOWN);
    ftree_progress(t, &p);
    assert_false(p.scanning);
    assert_int_equal(p.dirs, 7); /* root, reports, deep, x, y, csv_data, empty */
    ftree_free(t);
    tu_rmtree(root);
    free(root);
}

static void test_sliced_scan_matches(void **state)
{
    char *root = make_tree();
    struct hooks_seen seen = {0, 0};
    struct ftree *t = open_tree(root, NULL, &seen);
    int steps = 0;

    (void)state;
    ftree_scan_all(t);
    while (ftree_step(t, 1)) /* a deadline long past: minimal slices */
        steps++;
    assert_true(steps >= 5);
    assert_int_equal(ftree_root(t)->nart, 5);
    assert_true(ftree_root(t)->flags & FNODE_SCANNED);
    ftree_free(t);
    tu_rmtree(root);
    free(root);
}

static void test_expand_lines_and_sort(void **state)
{
    char *root = make_tree();
    struct hooks_seen seen = {0, 0};
    struct ftree *t = open_tree(root, NULL, &seen);
    char text[512];

    (void)state;
    ftree_expand(t, node(t, "reports"), 1);
    while (ftree_step(t, 0)) /* the request is read without a background scan */
        ;
    lines_text(t, text, sizeof text);
    assert_string_equal(text, "0:/ 1:csv_data 1:empty 1:reports 2:deep 2:a.csv 2:b.json "
                              "2:notes.txt 1:top.md");
    ftree_set_sort(t, SORT_SIZE);
    lines_text(t, text, sizeof text);
    /* sizes known so far: reports/ has its own files counted, the others are unread */
    assert_string_equal(text, "0:/ 1:reports 2:deep 2:a.csv 2:b.json 2:notes.txt 1:csv_data "
                              "1:empty 1:top.md");
    scan_all(t);
    lines_text(t, text, sizeof text);
    /* folders first by their total size, then files by size */
    assert_string_equal(text, "0:/ 1:reports 2:deep 2:a.csv 2:b.json 2:notes.txt 1:csv_data "
                              "1:empty 1:top.md");
    ftree_set_sort(t, SORT_MTIME);
    lines_text(t, text, sizeof text);
    /* a folder's time is its own or its newest file's: these folders were just made */
    assert_string_equal(text, "0:/ 1:csv_data 1:empty 1:reports 2:deep 2:b.json 2:a.csv "
                              "2:notes.txt 1:top.md");
    ftree_expand(t, node(t, "reports"), 0);
    ftree_set_sort(t, SORT_NAME);
    lines_text(t, text, sizeof text);
    assert_string_equal(text, "0:/ 1:csv_data 1:empty 1:reports 1:top.md");
    assert_int_equal(ftree_line_of(t, node(t, "reports")), 3);
    assert_int_equal(ftree_line_of(t, node(t, "reports/a.csv")), -1);
    ftree_free(t);
    tu_rmtree(root);
    free(root);
}

static void test_filter(void **state)
{
    char *root = make_tree();
    struct hooks_seen seen = {0, 0};
    struct ftree *t = open_tree(root, NULL, &seen);
    char text[512];

    (void)state;
    scan_all(t);
    /* a.csv, c.CSV and the folder csv_data: case ignored, folders match too */
    assert_int_equal(ftree_set_filter(t, "CSV"), 3);
    lines_text(t, text, sizeof text);
    assert_string_equal(text, "0:/ 1:csv_data 2:c.CSV 1:reports 2:a.csv");
    assert_true(node(t, "reports/a.csv")->flags & FNODE_MATCH);
    assert_true(node(t, "reports")->flags & FNODE_SUBMATCH);
    assert_int_equal(ftree_set_filter(t, "*.md"), 2); /* glob */
    lines_text(t, text, sizeof text);
    assert_string_equal(text, "0:/ 1:reports 2:deep 3:x 4:y 5:z.md 1:top.md");
    assert_int_equal(ftree_set_filter(t, "nothing-like-this"), 0);
    lines_text(t, text, sizeof text);
    assert_string_equal(text, "0:/");
    ftree_set_filter(t, NULL);
    assert_null(ftree_filter(t));
    lines_text(t, text, sizeof text);
    assert_string_equal(text, "0:/ 1:csv_data 1:empty 1:reports 1:top.md");
    ftree_free(t);
    tu_rmtree(root);
    free(root);
}

static void test_marks(void **state)
{
    char *root = make_tree();
    struct hooks_seen seen = {0, 0};
    struct ftree *t = open_tree(root, NULL, &seen);
    char **paths;
    size_t n;

    (void)state;
    scan_all(t);
    ftree_mark(t, node(t, "top.md"), 1);
    assert_int_equal(ftree_marked_count(t), 1);
    ftree_mark(t, node(t, "reports"), 1); /* its artifacts, not notes.txt */
    assert_int_equal(ftree_marked_count(t), 4);
    assert_false(node(t, "reports/notes.txt")->flags & FNODE_MARKED);
    n = ftree_marked_paths(t, &paths);
    assert_int_equal(n, 4);
    assert_string_equal(paths[0], "reports/a.csv");
    assert_string_equal(paths[1], "reports/b.json");
    assert_string_equal(paths[2], "reports/deep/x/y/z.md");
    assert_string_equal(paths[3], "top.md");
    ftree_paths_free(paths, n);
    ftree_mark(t, node(t, "reports/a.csv"), 0);
    assert_int_equal(ftree_marked_count(t), 3);
    ftree_clear_marks(t);
    assert_int_equal(ftree_marked_count(t), 0);
    ftree_free(t);
    tu_rmtree(root);
    free(root);
}

static void test_links_and_unreadable(void **state)
{
    char *root = make_tree();
    struct hooks_seen seen = {0, 0};
    struct ftree *t;
    char *p;
    struct fnode *n;

    (void)state;
    p = tu_join(root, "reports/loop");
    assert_int_equal(symlink(".", p), 0);
    free(p);
    p = tu_join(root, "reports/up");
    assert_int_equal(symlink("..", p), 0);
    free(p);
    p = tu_join(root, "reports/dangling.csv");
    assert_int_equal(symlink("nowhere.csv", p), 0);
    free(p);
    p = tu_join(root, "reports/self");
    assert_int_equal(symlink("self", p), 0);
    free(p);
    p = tu_join(root, "reports/alias.csv");
    assert_int_equal(symlink("a.csv", p), 0);
    free(p);
    tu_mkdir(root, "locked/inner");
    p = tu_join(root, "locked");
    assert_int_equal(chmod(p, 0), 0);
    free(p);
    t = open_tree(root, NULL, &seen);
    scan_all(t);
    n = node(t, "reports/loop");
    assert_int_equal(n->type, FNODE_LINK);
    assert_true(n->flags & FNODE_LINKDIR);
    assert_true(n->flags & FNODE_LOOP);
    assert_true(node(t, "reports/up")->flags & FNODE_LOOP);
    assert_true(node(t, "reports/dangling.csv")->flags & FNODE_BROKEN);
    assert_true(node(t, "reports/self")->flags & FNODE_LOOP);
    assert_false(node(t, "reports/alias.csv")->flags & (FNODE_LOOP | FNODE_BROKEN));
    /* links are never followed or counted */
    assert_int_equal(node(t, "reports")->nart, 3);
    p = ftree_link_target(t, node(t, "reports/alias.csv"));
    assert_string_equal(p, "a.csv");
    free(p);
    if (geteuid() != 0) {
        /* root reads any folder, so this part needs an ordinary user */
        assert_true(node(t, "locked")->flags & FNODE_UNREADABLE);
        assert_int_equal(node(t, "locked")->err, EACCES);
    }
    assert_true(ftree_root(t)->flags & FNODE_SCANNED);
    ftree_free(t);
    tu_rmtree(root);
    free(root);
}

static void test_paths(void **state)
{
    char *root = make_tree();
    struct hooks_seen seen = {0, 0};
    struct ftree *t = open_tree(root, NULL, &seen);
    char *rel, *full, *expect;

    (void)state;
    scan_all(t);
    rel = ftree_relpath(t, node(t, "reports/deep/x/y/z.md"));
    assert_string_equal(rel, "reports/deep/x/y/z.md");
    full = ftree_path(t, node(t, "reports/deep/x/y/z.md"));
    expect = tu_join(root, "reports/deep/x/y/z.md");
    assert_string_equal(full, expect);
    free(rel);
    free(full);
    free(expect);
    rel = ftree_relpath(t, ftree_root(t));
    assert_string_equal(rel, "");
    free(rel);
    assert_null(ftree_find(t, "reports/missing.csv"));
    assert_ptr_equal(ftree_find(t, ""), ftree_root(t));
    ftree_free(t);
    tu_rmtree(root);
    free(root);
}

static void test_not_a_folder(void **state)
{
    char *root = make_tree();
    char *file = tu_join(root, "top.md");
    struct err err;

    (void)state;
    assert_null(ftree_open(file, NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "not a folder"));
    assert_null(ftree_open("/nonexistent/chimera/dir", NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "/nonexistent/chimera/dir"));
    free(file);
    tu_rmtree(root);
    free(root);
}

static void apply_event(const struct watch_event *ev, void *arg)
{
    ftree_apply_event(arg, ev);
}

/* Feed watch events to the tree until `cond` holds (bounded by a generous deadline). */
static int pump_until(struct watch *w, struct ftree *t, int (*cond)(struct ftree *t))
{
    int64_t deadline = clock_now_ns() + 10 * CLOCK_NS_PER_S;

    while (!cond(t)) {
        struct pollfd pfd = {watch_fd(w), POLLIN, 0};

        if (clock_now_ns() > deadline)
            return 0;
        if (poll(&pfd, 1, 100) > 0)
            watch_read(w, apply_event, t);
        while (ftree_step(t, 0))
            ;
    }
    return 1;
}

static int has_new(struct ftree *t)
{
    return ftree_find(t, "reports/new.json") != NULL;
}

static int new_gone(struct ftree *t)
{
    return ftree_find(t, "reports/new.json") == NULL;
}

static int a_grew(struct ftree *t)
{
    return ftree_find(t, "reports/a.csv")->size == 300;
}

static int has_sub(struct ftree *t)
{
    struct fnode *n = ftree_find(t, "reports/sub");

    return n != NULL && (n->flags & FNODE_SCANNED) && n->nart == 2;
}

static void test_live_updates(void **state)
{
    char *root = make_tree();
    struct hooks_seen seen = {0, 0};
    struct err err;
    struct watch *w = watch_new(&err);
    struct ftree *t;
    char data[300];

    (void)state;
    assert_non_null(w);
    t = open_tree(root, w, &seen);
    scan_all(t);
    assert_int_equal(node(t, "reports")->nart, 3);
    memset(data, 'y', sizeof data);
    tu_write(root, "reports/new.json", "{}", (size_t)-1, 0);
    assert_true(pump_until(w, t, has_new));
    assert_int_equal(node(t, "reports")->nart, 4);
    assert_int_equal(ftree_root(t)->nart, 6);
    assert_true(seen.changed > 0);
    {
        char *p = tu_join(root, "reports/new.json");

        assert_int_equal(unlink(p), 0);
        free(p);
    }
    assert_true(pump_until(w, t, new_gone));
    assert_int_equal(node(t, "reports")->nart, 3);
    assert_true(seen.gone >= 1);
    tu_write(root, "reports/a.csv", data, 300, 0);
    assert_true(pump_until(w, t, a_grew));
    assert_int_equal(node(t, "reports")->size, 300 + 50 + 7 + 10);
    tu_write(root, "reports/sub/one.csv", "a\n", (size_t)-1, 0);
    tu_write(root, "reports/sub/two.md", "# t\n", (size_t)-1, 0);
    assert_true(pump_until(w, t, has_sub));
    ftree_free(t);
    watch_free(w);
    tu_rmtree(root);
    free(root);
}

static void test_cancel_and_refresh(void **state)
{
    char *root = make_tree();
    struct hooks_seen seen = {0, 0};
    struct ftree *t = open_tree(root, NULL, &seen);
    struct ftree_progress p;

    (void)state;
    ftree_scan_all(t);
    ftree_scan_cancel(t);
    while (ftree_step(t, 0))
        ;
    ftree_progress(t, &p);
    assert_true(p.cancelled);
    assert_false(ftree_root(t)->flags & FNODE_SCANNED);
    tu_write(root, "added.csv", "x\n", (size_t)-1, 0);
    ftree_refresh(t);
    while (ftree_step(t, 0))
        ;
    assert_non_null(ftree_find(t, "added.csv"));
    assert_true(ftree_root(t)->flags & FNODE_SCANNED);
    assert_int_equal(ftree_root(t)->nart, 6);
    ftree_free(t);
    tu_rmtree(root);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_reads_top_level_only),
        cmocka_unit_test(test_scan_counts),
        cmocka_unit_test(test_sliced_scan_matches),
        cmocka_unit_test(test_expand_lines_and_sort),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_links_and_unreadable),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_not_a_folder),
        cmocka_unit_test(test_live_updates),
        cmocka_unit_test(test_cancel_and_refresh),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
