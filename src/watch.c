/* watch.c: directory changes through inotify.
 *
 * One inotify instance; each watched directory is a watch descriptor (wd) mapped to
 * the caller's cookie. The kernel hands out wds in increasing order, so the map is an
 * array sorted by wd: appending keeps it sorted and lookups are a binary search.
 *
 * IN_MODIFY is watched as well as IN_CLOSE_WRITE: a benchmark appending rows to a CSV
 * it keeps open never closes it, and the tree should still show the file growing. The
 * kernel merges identical events that are still queued, watch_read merges adjacent
 * identical ones in a batch, and the caller coalesces the rest on a timer. */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "xmem.h"

#define WATCH_MASK                                                                                 \
    (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB |            \
     IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

/* Room for many events per read(); one event needs at most this much. */
#define WATCH_EVENT_MAX (sizeof(struct inotify_event) + NAME_MAX + 1)
#define WATCH_BUF_SIZE (16 * WATCH_EVENT_MAX)

struct watch_ent {
    int wd;
    void *cookie;
};

struct watch {
    int fd;
    struct watch_ent *ents; /* sorted by wd */
    size_t n, cap;
    /* read() hands back whole struct inotify_event records: align for them */
    _Alignas(struct inotify_event) char buf[WATCH_BUF_SIZE];
};

struct watch *watch_new(struct err *err)
{
    struct watch *w;
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

    if (fd < 0) {
        int e = errno;

        if (e == EMFILE)
            err_set(err, e,
                    "cannot start watching files: too many inotify instances or open files "
                    "(raise fs.inotify.max_user_instances or the open-file limit)");
        else
            err_set(err, e, "cannot start watching files: inotify_init1: %s", strerror(e));
        return NULL;
    }
    w = xcalloc(1, sizeof *w);
    w->fd = fd;
    return w;
}

void watch_free(struct watch *w)
{
    if (w == NULL)
        return;
    close(w->fd); /* drops every watch at once */
    free(w->ents);
    free(w);
}

int watch_fd(const struct watch *w)
{
    return w->fd;
}

int watch_count(const struct watch *w)
{
    return (int)w->n;
}

/* Index of `wd`, or of where it would go (then *found is false). */
static size_t watch_find(const struct watch *w, int wd, bool *found)
{
    size_t lo = 0, hi = w->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (w->ents[mid].wd < wd)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < w->n && w->ents[lo].wd == wd;
    return lo;
}

static void watch_drop(struct watch *w, size_t i)
{
    memmove(&w->ents[i], &w->ents[i + 1], (w->n - i - 1) * sizeof *w->ents);
    w->n--;
}

int watch_add(struct watch *w, const char *path, void *cookie, struct err *err)
{
    int wd = inotify_add_watch(w->fd, path, WATCH_MASK);
    bool found;
    size_t i;

    if (wd < 0) {
        int e = errno;

        if (e == ENOSPC)
            err_set(err, e,
                    "cannot watch %s: the inotify watch limit is reached "
                    "(raise fs.inotify.max_user_watches)",
                    path);
        else
            err_set(err, e, "cannot watch %s: %s", path, strerror(e));
        return -1;
    }
    i = watch_find(w, wd, &found);
    if (found) {
        /* the kernel returns the existing wd for a directory watched twice */
        w->ents[i].cookie = cookie;
        return wd;
    }
    w->ents = xgrow(w->ents, &w->cap, w->n + 1, sizeof *w->ents);
    memmove(&w->ents[i + 1], &w->ents[i], (w->n - i) * sizeof *w->ents);
    w->ents[i].wd = wd;
    w->ents[i].cookie = cookie;
    w->n++;
    return wd;
}

void watch_remove(struct watch *w, int id)
{
    bool found;
    size_t i = watch_find(w, id, &found);

    if (!found)
        return;
    /* Forget it now: events still queued for it are dropped on read, and its IN_IGNORED
     * finds nothing. EINVAL (the kernel dropped it already) changes nothing. */
    inotify_rm_watch(w->fd, id);
    watch_drop(w, i);
}

/* The WATCH_* bits for an inotify mask (0: nothing the caller needs). */
static unsigned watch_what(uint32_t mask)
{
    unsigned what = 0;

    if (mask & (IN_CREATE | IN_MOVED_TO))
        what |= WATCH_CREATED;
    if (mask & (IN_DELETE | IN_MOVED_FROM))
        what |= WATCH_DELETED;
    if (mask & (IN_CLOSE_WRITE | IN_ATTRIB | IN_MODIFY))
        what |= WATCH_CHANGED;
    if (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT))
        what |= WATCH_SELF_GONE;
    return what;
}

static bool watch_same(const struct watch_event *a, const struct watch_event *b)
{
    if (a->cookie != b->cookie || a->what != b->what || a->is_dir != b->is_dir)
        return false;
    if (a->name == NULL || b->name == NULL)
        return a->name == b->name;
    return strcmp(a->name, b->name) == 0;
}

int watch_read(struct watch *w, watch_fn fn, void *arg)
{
    struct watch_event prev = {0};
    bool have_prev = false, overflow_sent = false;
    int count = 0;

    for (;;) {
        ssize_t n = read(w->fd, w->buf, sizeof w->buf);
        size_t off = 0;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        /* names point into w->buf, which the next read() overwrites */
        have_prev = false;
        while (off + sizeof(struct inotify_event) <= (size_t)n) {
            const struct inotify_event *ie = (const void *)(w->buf + off);
            struct watch_event ev = {0};
            bool found;
            size_t i;

            off += sizeof *ie + ie->len;
            if (ie->mask & IN_Q_OVERFLOW) {
                if (overflow_sent)
                    continue;
                overflow_sent = true;
                ev.what = WATCH_OVERFLOW;
                fn(&ev, arg);
                count++;
                continue;
            }
            i = watch_find(w, ie->wd, &found);
            if (!found)
                continue; /* removed by the caller; its IN_IGNORED lands here too */
            if (ie->mask & IN_IGNORED) {
                /* the kernel dropped the watch (directory deleted, file system gone) */
                watch_drop(w, i);
                continue;
            }
            ev.cookie = w->ents[i].cookie;
            ev.what = watch_what(ie->mask);
            ev.is_dir = (ie->mask & IN_ISDIR) != 0;
            if (ev.what == 0)
                continue;
            if (ev.what & WATCH_SELF_GONE) {
                ev.what = WATCH_SELF_GONE;
                ev.is_dir = 1; /* only directories are watched */
                /* A moved directory keeps its watch, but its events would now belong
                 * to a path the caller no longer shows. */
                if (ie->mask & IN_MOVE_SELF) {
                    inotify_rm_watch(w->fd, ie->wd);
                    watch_drop(w, i);
                }
            } else if (ie->len > 0 && ie->name[0] != '\0') {
                ev.name = ie->name;
            }
            if (have_prev && watch_same(&prev, &ev))
                continue;
            prev = ev;
            have_prev = true;
            fn(&ev, arg);
            count++;
        }
    }
    return count;
}
