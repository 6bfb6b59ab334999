/* test_watch.c: inotify events in temporary directories. Events are waited for with
 * poll() on watch_fd and a generous timeout; "nothing arrived" is shown by waiting for
 * a later sentinel event instead of sleeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "testutil.h"
#include "watch.h"

#define WAIT_MS 5000
#define LOG_MAX 256

struct logged {
    void *cookie;
    char name[256];
    int has_name;
    unsigned what;
    int is_dir;
};

struct log {
    struct logged ev[LOG_MAX];
    int n;
    int overflow;
    int count_only; /* count events, keep none (floods) */
    long counted;
};

static void log_cb(const struct watch_event *ev, void *arg)
{
    struct log *lg = arg;
    struct logged *e;

    if (ev->what & WATCH_OVERFLOW) {
        assert_null(ev->cookie);
        assert_null(ev->name);
        lg->overflow++;
        return;
    }
    lg->counted++;
    if (lg->count_only)
        return;
    assert_true(lg->n < LOG_MAX);
    e = &lg->ev[lg->n++];
    e->cookie = ev->cookie;
    e->has_name = ev->name != NULL;
    snprintf(e->name, sizeof e->name, "%s", ev->name != NULL ? ev->name : "");
    e->what = ev->what;
    e->is_dir = ev->is_dir;
}

/* Index of the first logged event matching (name NULL: an event without a name). */
static int log_find(const struct log *lg, void *cookie, const char *name, unsigned what)
{
    for (int i = 0; i < lg->n; i++) {
        const struct logged *e = &lg->ev[i];

        if (e->cookie != cookie || !(e->what & what))
            continue;
        if (name == NULL ? e->has_name : (!e->has_name || strcmp(e->name, name) != 0))
            continue;
        return i;
    }
    return -1;
}

/* Read events until one matches; fails after WAIT_MS. Returns its index. */
static int wait_event(struct watch *w, struct log *lg, void *cookie, const char *name,
                      unsigned what)
{
    int64_t end = clock_now_ns() + WAIT_MS * CLOCK_NS_PER_MS;
    int i;

    while ((i = log_find(lg, cookie, name, what)) < 0) {
        struct pollfd p = {.fd = watch_fd(w), .events = POLLIN};

        if (clock_past(end))
            fail_msg("no event 0x%x for '%s' within %d ms", what, name ? name : "(none)", WAIT_MS);
        if (poll(&p, 1, 100) < 0 && errno != EINTR)
            fail_msg("poll: %s", strerror(errno));
        assert_true(watch_read(w, log_cb, lg) >= 0);
    }
    return i;
}

static int count_events(const struct log *lg, void *cookie, unsigned what)
{
    int n = 0;

    for (int i = 0; i < lg->n; i++)
        if (lg->ev[i].cookie == cookie && (lg->ev[i].what & what))
            n++;
    return n;
}

static int count_named(const struct log *lg, const char *name, unsigned what)
{
    int n = 0;

    for (int i = 0; i < lg->n; i++)
        if (strcmp(lg->ev[i].name, name) == 0 && (lg->ev[i].what & what))
            n++;
    return n;
}

struct fixture {
    char *dir;
    struct watch *w;
    struct log *lg;
    int cookie_a, cookie_b; /* their addresses are the cookies */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct err err = {0};

    if (f == NULL)
        return -1;
    f->dir = tu_mkdtemp();
    f->w = watch_new(&err);
    f->lg = calloc(1, sizeof *f->lg);
    if (f->w == NULL || f->lg == NULL)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    watch_free(f->w);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f->lg);
    free(f);
    return 0;
}

static int add(struct fixture *f, const char *rel, void *cookie)
{
    struct err err = {0};
    char *path = rel != NULL ? tu_join(f->dir, rel) : strdup(f->dir);
    int id = watch_add(f->w, path, cookie, &err);

    if (id < 0)
        fail_msg("watch_add %s: %s", path, err.msg);
    free(path);
    return id;
}

static void test_new(void **state)
{
    struct fixture *f = *state;

    assert_true(watch_fd(f->w) >= 0);
    assert_true(fcntl(watch_fd(f->w), F_GETFL) & O_NONBLOCK);
    assert_true(fcntl(watch_fd(f->w), F_GETFD) & FD_CLOEXEC);
    assert_int_equal(watch_count(f->w), 0);
    assert_int_equal(watch_read(f->w, log_cb, f->lg), 0);
    watch_free(NULL);
}

static void test_create_write_delete(void **state)
{
    struct fixture *f = *state;
    void *a = &f->cookie_a;
    int i;
    char *path;
    int fd;

    assert_true(add(f, NULL, a) >= 0);
    assert_int_equal(watch_count(f->w), 1);

    tu_write(f->dir, "run.csv", "a,b\n", (size_t)-1, 0);
    i = wait_event(f->w, f->lg, a, "run.csv", WATCH_CREATED);
    assert_int_equal(f->lg->ev[i].is_dir, 0);
    assert_int_equal(f->lg->ev[i].what, WATCH_CREATED);
    wait_event(f->w, f->lg, a, "run.csv", WATCH_CHANGED);

    /* an append to an existing file, kept open: IN_MODIFY reports it before the close */
    f->lg->n = 0;
    path = tu_join(f->dir, "run.csv");
    fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "1,2\n", 4), 4);
    wait_event(f->w, f->lg, a, "run.csv", WATCH_CHANGED);
    close(fd);

    /* attributes */
    f->lg->n = 0;
    assert_int_equal(chmod(path, 0600), 0);
    wait_event(f->w, f->lg, a, "run.csv", WATCH_CHANGED);

    f->lg->n = 0;
    assert_int_equal(unlink(path), 0);
    i = wait_event(f->w, f->lg, a, "run.csv", WATCH_DELETED);
    assert_int_equal(f->lg->ev[i].what, WATCH_DELETED);
    free(path);
}

static void test_mkdir_rename(void **state)
{
    struct fixture *f = *state;
    void *a = &f->cookie_a;
    char *from, *to;
    int i, j;

    add(f, NULL, a);
    tu_mkdir(f->dir, "gemma3");
    i = wait_event(f->w, f->lg, a, "gemma3", WATCH_CREATED);
    assert_int_equal(f->lg->ev[i].is_dir, 1);

    tu_write(f->dir, "old.md", "# r\n", (size_t)-1, 0);
    wait_event(f->w, f->lg, a, "old.md", WATCH_CREATED);
    f->lg->n = 0;
    from = tu_join(f->dir, "old.md");
    to = tu_join(f->dir, "new.md");
    assert_int_equal(rename(from, to), 0);
    i = wait_event(f->w, f->lg, a, "old.md", WATCH_DELETED);
    j = wait_event(f->w, f->lg, a, "new.md", WATCH_CREATED);
    assert_true(i < j); /* moved-from comes before moved-to */
    assert_int_equal(f->lg->ev[i].is_dir, 0);
    free(from);
    free(to);
}

/* A change to the watched directory itself has no name. */
static void test_dir_itself_changed(void **state)
{
    struct fixture *f = *state;
    void *a = &f->cookie_a;
    int i;

    add(f, NULL, a);
    assert_int_equal(chmod(f->dir, 0750), 0);
    i = wait_event(f->w, f->lg, a, NULL, WATCH_CHANGED);
    assert_int_equal(f->lg->ev[i].what, WATCH_CHANGED);
    assert_int_equal(watch_count(f->w), 1);
}

static void test_two_dirs(void **state)
{
    struct fixture *f = *state;
    void *a = &f->cookie_a, *b = &f->cookie_b;
    int ida, idb;
    char *from, *to;

    tu_mkdir(f->dir, "one");
    tu_mkdir(f->dir, "two");
    ida = add(f, "one", a);
    idb = add(f, "two", b);
    assert_true(ida != idb);
    assert_int_equal(watch_count(f->w), 2);

    tu_write(f->dir, "one/x.json", "{}", (size_t)-1, 0);
    tu_write(f->dir, "two/y.json", "{}", (size_t)-1, 0);
    wait_event(f->w, f->lg, a, "x.json", WATCH_CREATED);
    wait_event(f->w, f->lg, b, "y.json", WATCH_CREATED);
    assert_int_equal(log_find(f->lg, b, "x.json", WATCH_CREATED), -1);
    assert_int_equal(log_find(f->lg, a, "y.json", WATCH_CREATED), -1);

    /* a move between watched folders: gone from one, new in the other */
    f->lg->n = 0;
    from = tu_join(f->dir, "one/x.json");
    to = tu_join(f->dir, "two/x.json");
    assert_int_equal(rename(from, to), 0);
    wait_event(f->w, f->lg, a, "x.json", WATCH_DELETED);
    wait_event(f->w, f->lg, b, "x.json", WATCH_CREATED);
    free(from);
    free(to);
}

static void test_same_dir_twice(void **state)
{
    struct fixture *f = *state;
    void *a = &f->cookie_a, *b = &f->cookie_b;
    int id1, id2;

    id1 = add(f, NULL, a);
    id2 = add(f, NULL, b);
    assert_int_equal(id1, id2);
    assert_int_equal(watch_count(f->w), 1);
    tu_write(f->dir, "f.csv", "", 0, 0);
    wait_event(f->w, f->lg, b, "f.csv", WATCH_CREATED);
    assert_int_equal(count_events(f->lg, a, ~0u), 0);
}

static void test_dir_deleted(void **state)
{
    struct fixture *f = *state;
    void *a = &f->cookie_a, *b = &f->cookie_b;
    char *sub;
    int i;

    tu_mkdir(f->dir, "sub");
    add(f, NULL, a);
    add(f, "sub", b);
    assert_int_equal(watch_count(f->w), 2);
    sub = tu_join(f->dir, "sub");
    assert_int_equal(rmdir(sub), 0);
    i = wait_event(f->w, f->lg, b, NULL, WATCH_SELF_GONE);
    assert_int_equal(f->lg->ev[i].what, WATCH_SELF_GONE);
    assert_int_equal(f->lg->ev[i].has_name, 0);
    i = wait_event(f->w, f->lg, a, "sub", WATCH_DELETED);
    assert_int_equal(f->lg->ev[i].is_dir, 1);
    /* the kernel's IN_IGNORED follows: the watch is gone (read until it is) */
    {
        int64_t end = clock_now_ns() + WAIT_MS * CLOCK_NS_PER_MS;

        while (watch_count(f->w) != 1) {
            struct pollfd p = {.fd = watch_fd(f->w), .events = POLLIN};

            assert_false(clock_past(end));
            poll(&p, 1, 100);
            assert_true(watch_read(f->w, log_cb, f->lg) >= 0);
        }
    }
    free(sub);
}

static void test_dir_moved(void **state)
{
    struct fixture *f = *state;
    void *a = &f->cookie_a, *b = &f->cookie_b;
    char *from, *to;
    int i;

    tu_mkdir(f->dir, "sub");
    add(f, NULL, a);
    add(f, "sub", b);
    from = tu_join(f->dir, "sub");
    to = tu_join(f->dir, "moved");
    assert_int_equal(rename(from, to), 0);
    wait_event(f->w, f->lg, b, NULL, WATCH_SELF_GONE);
    i = wait_event(f->w, f->lg, a, "sub", WATCH_DELETED);
    assert_int_equal(f->lg->ev[i].is_dir, 1);
    wait_event(f->w, f->lg, a, "moved", WATCH_CREATED);
    assert_int_equal(watch_count(f->w), 1); /* dropped at once */

    /* its new location is not reported under the old cookie */
    f->lg->n = 0;
    tu_write(to, "late.csv", "", 0, 0);
    tu_write(f->dir, "sentinel", "", 0, 0);
    wait_event(f->w, f->lg, a, "sentinel", WATCH_CREATED);
    assert_int_equal(count_events(f->lg, b, ~0u), 0);
    free(from);
    free(to);
}

static void test_remove(void **state)
{
    struct fixture *f = *state;
    void *a = &f->cookie_a, *b = &f->cookie_b;
    int ida;

    tu_mkdir(f->dir, "gone");
    ida = add(f, "gone", a);
    add(f, NULL, b);
    assert_int_equal(watch_count(f->w), 2);
    watch_remove(f->w, ida);
    assert_int_equal(watch_count(f->w), 1);
    watch_remove(f->w, ida);   /* twice: ignored */
    watch_remove(f->w, 99999); /* unknown: ignored */
    watch_remove(f->w, -1);
    assert_int_equal(watch_count(f->w), 1);

    tu_write(f->dir, "gone/quiet.csv", "", 0, 0);
    tu_write(f->dir, "sentinel", "", 0, 0);
    wait_event(f->w, f->lg, b, "sentinel", WATCH_CREATED);
    assert_int_equal(count_events(f->lg, a, ~0u), 0);
}

static void test_add_errors(void **state)
{
    struct fixture *f = *state;
    struct err err = {0};
    char *missing = tu_join(f->dir, "missing");
    char *file, *link;

    assert_int_equal(watch_add(f->w, missing, NULL, &err), -1);
    assert_int_equal(err.code, ENOENT);
    assert_non_null(strstr(err.msg, missing));

    tu_write(f->dir, "plain", "", 0, 0);
    file = tu_join(f->dir, "plain");
    assert_int_equal(watch_add(f->w, file, NULL, &err), -1);
    assert_int_equal(err.code, ENOTDIR); /* only directories */

    /* a symbolic link to a directory is not followed */
    tu_mkdir(f->dir, "real");
    link = tu_join(f->dir, "link");
    assert_int_equal(symlink("real", link), 0);
    assert_int_equal(watch_add(f->w, link, NULL, &err), -1);
    assert_int_equal(watch_count(f->w), 0);
    free(missing);
    free(file);
    free(link);
}

/* Many writes before a read: one CHANGED, not one per write. */
static void test_coalesce(void **state)
{
    struct fixture *f = *state;
    void *a = &f->cookie_a;
    char *path = tu_join(f->dir, "big.csv");
    int fd;

    add(f, NULL, a);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    for (int i = 0; i < 200; i++)
        assert_int_equal(write(fd, "1,2,3\n", 6), 6);
    close(fd);
    tu_write(f->dir, "sentinel", "", 0, 0);
    wait_event(f->w, f->lg, a, "sentinel", WATCH_CREATED);
    assert_int_equal(count_named(f->lg, "big.csv", WATCH_CREATED), 1);
    /* the kernel merges the queued IN_MODIFYs, watch_read the IN_CLOSE_WRITE after them */
    assert_int_equal(count_named(f->lg, "big.csv", WATCH_CHANGED), 1);
    free(path);
}

static long read_long(const char *path)
{
    char *s = tu_read(path, NULL);
    long v = s != NULL ? strtol(s, NULL, 10) : -1;

    free(s);
    return v;
}

/* More events than the kernel queues: one WATCH_OVERFLOW. */
static void test_overflow(void **state)
{
    struct fixture *f = *state;
    long max = read_long("/proc/sys/fs/inotify/max_queued_events");
    long events;
    char *path;
    int fd;

    if (max <= 0 || max > 200000) {
        skip(); /* a queue this long would take too long to fill */
        return;
    }
    add(f, NULL, &f->cookie_a);
    /* Alternate IN_MODIFY and IN_ATTRIB on one file: the kernel merges an event only
     * into an identical one at the tail of the queue, so each call queues one (and
     * this is much faster than creating thousands of files). */
    path = tu_join(f->dir, "flood");
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    events = max + 64;
    for (long i = 0; i < events; i += 2) {
        assert_int_equal(write(fd, "x", 1), 1);
        assert_int_equal(fchmod(fd, (i & 2) ? 0644 : 0600), 0);
    }
    close(fd);
    free(path);
    {
        struct pollfd p = {.fd = watch_fd(f->w), .events = POLLIN};

        /* the kernel queued the events (and the overflow) while we wrote */
        assert_int_equal(poll(&p, 1, WAIT_MS), 1);
    }
    f->lg->count_only = 1;
    assert_true(watch_read(f->w, log_cb, f->lg) > 0);
    assert_int_equal(f->lg->overflow, 1);
    assert_true(f->lg->counted > 0 && f->lg->counted < events);
    while (watch_read(f->w, log_cb, f->lg) > 0) {
    }
    assert_int_equal(f->lg->overflow, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_write_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mkdir_rename, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_itself_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_dirs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_dir_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_moved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_coalesce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overflow, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
