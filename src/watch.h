/* watch.h: live file-system changes through inotify, exposed as one descriptor plus
 * watch_read() (the style guide's watch.c).
 *
 * Each watched directory carries a caller cookie (the tree node). Events are reduced to
 * what a tree view needs: a name appeared, vanished or changed in a watched directory, or
 * the directory itself went away. A queue overflow is reported once as WATCH_OVERFLOW
 * with a NULL cookie: the caller should rescan what it shows. */
#ifndef SRC_WATCH_H
#define SRC_WATCH_H

#include "attrs.h"
#include "err.h"

enum {
    WATCH_CREATED = 1 << 0,   /* created or moved in */
    WATCH_DELETED = 1 << 1,   /* deleted or moved out */
    WATCH_CHANGED = 1 << 2,   /* written (also while still open), truncated, attributes */
    WATCH_SELF_GONE = 1 << 3, /* the watched directory was deleted or moved */
    WATCH_OVERFLOW = 1 << 4
};

struct watch_event {
    void *cookie;     /* the cookie given to watch_add (NULL for WATCH_OVERFLOW) */
    const char *name; /* entry name inside the directory; NULL for SELF_GONE/OVERFLOW,
                         and for CHANGED when the directory itself changed (chmod) */
    unsigned what;
    int is_dir;
};

typedef void (*watch_fn)(const struct watch_event *ev, void *arg);

struct watch;

struct watch *watch_new(struct err *err);
void watch_free(struct watch *w);
/* The descriptor to poll for reading. */
int watch_fd(const struct watch *w);
/* Watch directory `path` (not followed if it is a symbolic link). Returns the watch id
 * (>= 0) or -1 with `err` set, err->code being the errno; when the system's limit is
 * reached (ENOSPC) the message names fs.inotify.max_user_watches. Watching the same
 * directory twice returns the same id and replaces the cookie. */
int watch_add(struct watch *w, const char *path, void *cookie, struct err *err);
/* Stop watching (the id from watch_add); unknown ids are ignored. A directory that
 * is deleted or moved (WATCH_SELF_GONE) stops being watched by itself. */
void watch_remove(struct watch *w, int id);
/* Number of directories watched. */
int watch_count(const struct watch *w);
/* Read and dispatch the pending events (adjacent identical ones once). Returns how
 * many were dispatched, 0 when none were pending, -1 on a read error. Never blocks.
 * `ev` and its name are valid only during the call; `fn` may call watch_add and
 * watch_remove, but not watch_read or watch_free. */
int watch_read(struct watch *w, watch_fn fn, void *arg);

#endif
