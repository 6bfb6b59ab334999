/* ftree.c: the artifact tree model: nodes, sliced directory reading, counts, live updates.
 *
 * Views of the tree (sorting, filter, marks, the line array) live in ftree_view.c; both
 * files share the private state declared in ftree_int.h. */
#include "ftree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifact.h"
#include "clock.h"
#include "ftree_int.h"
#include "rootdir.h"
#include "watch.h"
#include "xmem.h"

/* How many entries are read between two looks at the clock. */
#define FTREE_CHECK_EVERY 128

static void ftree_read_finish(struct ftree *t);
static void ftree_remove(struct ftree *t, struct fnode *n);
static void ftree_queue_read(struct ftree *t, struct fnode *dir);

struct fnode *ftree_node_new(const char *name, size_t len)
{
    struct fnode *n = xmalloc(offsetof(struct fnode, name) + len + 1);

    n->parent = n->next = n->child = NULL;
    n->size = 0;
    n->mtime = 0;
    n->nart = 0;
    n->pending = 0;
    n->flags = 0;
    n->type = FNODE_FILE;
    n->kind = ART_NONE;
    n->err = 0;
    memcpy(n->name, name, len);
    n->name[len] = '\0';
    return n;
}

/* --- watch bookkeeping: folder node -> watch id ---------------------------------- */

static size_t wmap_slot(const struct ftree *t, const struct fnode *n)
{
    uintptr_t h = (uintptr_t)n;

    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15u;
    return (size_t)(h >> 7) & (t->wmap_cap - 1);
}

static void wmap_put(struct ftree *t, struct fnode *n, int wd);

static void wmap_grow(struct ftree *t)
{
    struct ftree_wmap *old = t->wmap;
    size_t oldcap = t->wmap_cap;

    t->wmap_cap = oldcap ? oldcap * 2 : 64;
    t->wmap = xcalloc(t->wmap_cap, sizeof *t->wmap);
    t->wmap_n = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].node != NULL && old[i].node != FTREE_WMAP_TOMB)
            wmap_put(t, old[i].node, old[i].wd);
    free(old);
}

static void wmap_put(struct ftree *t, struct fnode *n, int wd)
{
    size_t i;

    if ((t->wmap_n + 1) * 2 > t->wmap_cap)
        wmap_grow(t);
    i = wmap_slot(t, n);
    while (t->wmap[i].node != NULL && t->wmap[i].node != FTREE_WMAP_TOMB &&
           t->wmap[i].node != n)
        i = (i + 1) & (t->wmap_cap - 1);
    if (t->wmap[i].node != n)
        t->wmap_n++;
    t->wmap[i].node = n;
    t->wmap[i].wd = wd;
}

/* Remove `n`'s watch, if any. */
static void wmap_drop(struct ftree *t, struct fnode *n)
{
    size_t i;

    if (t->wmap_cap == 0)
        return;
    i = wmap_slot(t, n);
    while (t->wmap[i].node != NULL) {
        if (t->wmap[i].node == n) {
            if (t->watch != NULL)
                watch_remove(t->watch, t->wmap[i].wd);
            t->wmap[i].node = FTREE_WMAP_TOMB;
            return;
        }
        i = (i + 1) & (t->wmap_cap - 1);
    }
}

static void ftree_watch_dir(struct ftree *t, struct fnode *dir, const char *path)
{
    struct err err;
    int wd;

    if (t->watch == NULL || t->watch_full)
        return;
    wd = watch_add(t->watch, path, dir, &err);
    if (wd < 0) {
        /* Keep going without live updates for the rest rather than failing the scan. */
        t->watch_failed = 1;
        if (err.code == ENOSPC || err.code == EMFILE)
            t->watch_full = 1;
        snprintf(t->watch_msg, sizeof t->watch_msg, "%s", err.msg);
        return;
    }
    wmap_put(t, dir, wd);
}

/* --- paths ------------------------------------------------------------------------ */

/* Write `n`'s path relative to the root into t->rel (no leading slash). */
static const char *ftree_rel_into(struct ftree *t, const struct fnode *n)
{
    const struct fnode *chain[FTREE_MAX_DEPTH];
    int depth = 0;

    buf_reset(&t->rel);
    for (const struct fnode *p = n; p != NULL && p->parent != NULL; p = p->parent) {
        if (depth == FTREE_MAX_DEPTH)
            fatal("tree deeper than %d levels", FTREE_MAX_DEPTH);
        chain[depth++] = p;
    }
    while (depth-- > 0) {
        if ((t->rel.len > 0 && buf_putc(&t->rel, '/') < 0) ||
            buf_puts(&t->rel, chain[depth]->name) < 0)
            fatal("path longer than %u bytes", FTREE_PATH_MAX);
    }
    return buf_cstr(&t->rel);
}

/* Full path (the root joined with the relative path) into t->path. */
static const char *ftree_path_into(struct ftree *t, const struct fnode *n)
{
    const char *rel = ftree_rel_into(t, n);

    buf_reset(&t->path);
    if (buf_puts(&t->path, t->root_path) < 0 ||
        (*rel != '\0' && strcmp(t->root_path, "/") != 0 && buf_putc(&t->path, '/') < 0) ||
        buf_puts(&t->path, rel) < 0)
        fatal("path longer than %u bytes", FTREE_PATH_MAX);
    return buf_cstr(&t->path);
}

char *ftree_relpath(const struct ftree *t, const struct fnode *n)
{
    return xstrdup(ftree_rel_into((struct ftree *)(uintptr_t)t, n));
}

char *ftree_path(const struct ftree *t, const struct fnode *n)
{
    return xstrdup(ftree_path_into((struct ftree *)(uintptr_t)t, n));
}

char *ftree_link_target(const struct ftree *t, const struct fnode *n)
{
    char target[4096];
    ssize_t len;

    if (n->type != FNODE_LINK)
        return NULL;
    len = readlink(ftree_path_into((struct ftree *)(uintptr_t)t, n), target, sizeof target - 1);
    if (len < 0)
        return NULL;
    return xstrndup(target, (size_t)len);
}

struct fnode *ftree_find(const struct ftree *t, const char *relpath)
{
    struct fnode *n = t->root;
    const char *p = relpath;

    while (*p == '/')
        p++;
    while (*p != '\0' && n != NULL) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        struct fnode *found = NULL;

        for (struct fnode *c = n->child; c != NULL && found == NULL; c = c->next)
            if (strlen(c->name) == len && memcmp(c->name, p, len) == 0)
                found = c;
        n = found;
        p += len;
        while (*p == '/')
            p++;
    }
    return n;
}

/* --- counts ----------------------------------------------------------------------- */

/* Add a file's (or subtree's) size, artifact count and time to every ancestor. */
static void ftree_add_up(struct fnode *dir, int64_t size, int64_t nart, int64_t mtime)
{
    for (struct fnode *p = dir; p != NULL; p = p->parent) {
        p->size += size;
        p->nart = (uint32_t)((int64_t)p->nart + nart);
        if (mtime > p->mtime)
            p->mtime = mtime;
    }
}

/* `dir` became complete (pending reached 0): flag it and tell the parent. */
static void ftree_complete(struct ftree *t, struct fnode *dir)
{
    while (dir != NULL && dir->pending == 0) {
        dir->flags |= FNODE_SCANNED;
        dir = dir->parent;
        if (dir == NULL || dir->pending == 0)
            break;
        dir->pending--;
    }
    t->gen++;
}

/* `dir` (complete until now) got incomplete work: propagate up while ancestors were
 * complete. */
static void ftree_incomplete(struct fnode *dir)
{
    while (dir != NULL) {
        int was_complete = dir->pending == 0;

        dir->pending++;
        dir->flags &= (uint16_t)~FNODE_SCANNED;
        if (!was_complete)
            break;
        dir = dir->parent;
    }
}

/* Contribution of a single node to its parent's totals. */
static void ftree_contrib(const struct fnode *n, int64_t *size, int64_t *nart)
{
    if (n->type == FNODE_DIR) {
        *size = n->size;
        *nart = n->nart;
    } else if (n->type == FNODE_FILE) {
        *size = n->size;
        *nart = n->kind != ART_NONE;
    } else {
        *size = 0;
        *nart = 0;
    }
}

/* --- reading one directory ----------------------------------------------------------- */

/* Is `a` an ancestor of (or equal to) `n`? */
static int ftree_is_within(const struct fnode *n, const struct fnode *a)
{
    for (; n != NULL; n = n->parent)
        if (n == a)
            return 1;
    return 0;
}

/* Does a link in `dir` whose target is (dev, ino) point at `dir` or one of its
 * ancestors? Ancestors are stat()ed by path: links to folders are rare. */
static int ftree_link_loops(struct ftree *t, struct fnode *dir, dev_t dev, ino_t ino)
{
    for (struct fnode *p = dir; p != NULL; p = p->parent) {
        struct stat st;

        if (stat(ftree_path_into(t, p), &st) == 0 && st.st_dev == dev && st.st_ino == ino)
            return 1;
    }
    return 0;
}

/* Make a node for entry `name` of the folder open as `dfd`. NULL when it vanished. */
static struct fnode *ftree_entry(struct ftree *t, int dfd, const char *name)
{
    struct stat st;
    struct fnode *n;

    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return NULL;
        n = ftree_node_new(name, strlen(name));
        n->type = FNODE_SPECIAL;
        n->flags |= FNODE_UNREADABLE;
        n->err = (uint8_t)errno;
        t->unreadable++;
        return n;
    }
    n = ftree_node_new(name, strlen(name));
    n->mtime = (int64_t)st.st_mtime;
    if (S_ISDIR(st.st_mode)) {
        n->type = FNODE_DIR;
        n->pending = 1; /* unread */
    } else if (S_ISREG(st.st_mode)) {
        n->type = FNODE_FILE;
        n->size = (int64_t)st.st_size;
        n->kind = (uint8_t)artifact_kind_of(name);
    } else if (S_ISLNK(st.st_mode)) {
        struct stat tst;

        n->type = FNODE_LINK;
        n->kind = (uint8_t)artifact_kind_of(name);
        if (fstatat(dfd, name, &tst, 0) < 0) {
            n->flags |= errno == ELOOP ? FNODE_LOOP : FNODE_BROKEN;
            n->err = (uint8_t)errno;
        } else if (S_ISDIR(tst.st_mode)) {
            n->flags |= FNODE_LINKDIR;
            n->size = 0;
        } else {
            n->size = (int64_t)tst.st_size;
        }
    } else {
        n->type = FNODE_SPECIAL;
    }
    return n;
}

static void ftree_push_stack(struct ftree *t, struct fnode *dir)
{
    if (dir->flags & FNODE_STACKED)
        return;
    t->stack = xgrow(t->stack, &t->stack_cap, t->nstack + 1, sizeof *t->stack);
    t->stack[t->nstack++] = dir;
    dir->flags |= FNODE_STACKED;
}

/* Start reading `dir`. Failure to open it completes it at once, flagged unreadable. */
static void ftree_read_begin(struct ftree *t, struct fnode *dir)
{
    const char *path = ftree_path_into(t, dir);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (dir == t->root ? 0 : O_NOFOLLOW));

    t->cur.dir = dir;
    t->cur.nkids = 0;
    t->cur.d = NULL;
    if (fd >= 0)
        t->cur.d = fdopendir(fd);
    if (t->cur.d == NULL) {
        int e = errno;

        if (fd >= 0)
            close(fd);
        if (e == ENOENT && dir != t->root) {
            /* vanished between listing and reading */
            t->cur.dir = NULL;
            ftree_remove(t, dir);
            return;
        }
        dir->flags |= FNODE_UNREADABLE;
        dir->err = (uint8_t)e;
        t->unreadable++;
        ftree_read_finish(t);
        return;
    }
    dir->flags &= (uint16_t)~FNODE_UNREADABLE;
    ftree_watch_dir(t, dir, path);
}

/* Read up to FTREE_CHECK_EVERY entries of the current folder. Returns 1 at its end. */
static int ftree_read_some(struct ftree *t)
{
    int dfd = dirfd(t->cur.d);

    for (int i = 0; i < FTREE_CHECK_EVERY; i++) {
        struct dirent *de;
        struct fnode *n;

        errno = 0;
        de = readdir(t->cur.d);
        if (de == NULL)
            return 1; /* end, or an error: keep what was read */
        if (de->d_name[0] == '.' &&
            (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
            continue;
        n = ftree_entry(t, dfd, de->d_name);
        if (n == NULL)
            continue;
        t->cur.kids = xgrow(t->cur.kids, &t->cur.kids_cap, t->cur.nkids + 1, sizeof *t->cur.kids);
        t->cur.kids[t->cur.nkids++] = n;
        t->files++;
    }
    return 0;
}

/* Insert new node `n` under `dir` keeping name order; update totals and work. */
static void ftree_attach(struct ftree *t, struct fnode *dir, struct fnode *n, struct fnode **prevp)
{
    int64_t size, nart;

    n->parent = dir;
    n->next = *prevp;
    *prevp = n;
    ftree_contrib(n, &size, &nart);
    ftree_add_up(dir, size, nart, n->type == FNODE_FILE ? n->mtime : 0);
    if (n->type == FNODE_DIR) {
        ftree_incomplete(dir); /* the new folder is unread */
        /* read it in the background so counts stay true, unless the user stopped that */
        if (!t->cancelled) {
            ftree_push_stack(t, n);
            t->scan_on = 1;
        }
    }
    if (n->type == FNODE_LINK && (n->flags & FNODE_LINKDIR)) {
        struct stat st;

        if (stat(ftree_path_into(t, n), &st) == 0 && ftree_link_loops(t, dir, st.st_dev, st.st_ino))
            n->flags |= FNODE_LOOP;
    }
    ftree_filter_node(t, n);
}

/* Merge the entries just read into `dir`'s children: keep nodes that are still there
 * (their marks, expansion and subtrees), add new ones, drop vanished ones. */
static void ftree_merge(struct ftree *t, struct fnode *dir)
{
    struct fnode **prevp = &dir->child;
    size_t i = 0;

    if (t->cur.nkids > 1) /* qsort with a NULL array is undefined even for 0 items */
        qsort(t->cur.kids, t->cur.nkids, sizeof *t->cur.kids, ftree_cmp_name_qsort);
    while (*prevp != NULL || i < t->cur.nkids) {
        struct fnode *old = *prevp;
        struct fnode *fresh = i < t->cur.nkids ? t->cur.kids[i] : NULL;
        int c;

        if (old == NULL)
            c = 1;
        else if (fresh == NULL)
            c = -1;
        else
            c = ftree_cmp_name(old, fresh);
        if (c < 0) {
            /* vanished */
            ftree_remove(t, old);
            continue;
        }
        if (c > 0) {
            ftree_attach(t, dir, fresh, prevp);
            prevp = &fresh->next;
            i++;
            continue;
        }
        /* same name: keep the old node, refresh what a stat tells */
        if (old->type == fresh->type && old->type != FNODE_DIR) {
            int64_t dsize = fresh->size - old->size;

            if (old->type == FNODE_FILE)
                ftree_add_up(dir, dsize, 0, fresh->mtime);
            old->size = fresh->size;
            old->mtime = fresh->mtime;
            old->flags = (uint16_t)((old->flags & ~(FNODE_LOOP | FNODE_BROKEN | FNODE_LINKDIR |
                                                   FNODE_UNREADABLE)) |
                                    (fresh->flags & (FNODE_LOOP | FNODE_BROKEN | FNODE_LINKDIR |
                                                     FNODE_UNREADABLE)));
            free(fresh);
        } else if (old->type == FNODE_DIR && fresh->type == FNODE_DIR) {
            if (fresh->mtime > old->mtime)
                ftree_add_up(old, 0, 0, fresh->mtime);
            free(fresh);
        } else {
            /* the name now denotes something else: replace the node */
            ftree_remove(t, old);
            ftree_attach(t, dir, fresh, prevp);
        }
        prevp = &(*prevp)->next;
        i++;
    }
    t->cur.nkids = 0;
}

/* The current folder has been read to its end (or could not be opened). */
static void ftree_read_finish(struct ftree *t)
{
    struct fnode *dir = t->cur.dir;
    int first = !(dir->flags & FNODE_LOADED);

    if (t->cur.d != NULL) {
        closedir(t->cur.d);
        t->cur.d = NULL;
    }
    ftree_merge(t, dir);
    dir->flags |= FNODE_LOADED;
    dir->flags &= (uint16_t)~FNODE_REQUESTED;
    t->dirs += first;
    if (first && dir->pending > 0) {
        dir->pending--; /* itself is read now */
        if (dir->pending == 0)
            ftree_complete(t, dir);
    }
    t->cur.dir = NULL;
    if (t->cur.reread) {
        t->cur.reread = 0;
        ftree_queue_read(t, dir);
    }
    t->gen++;
    t->struct_gen++;
    if (t->hooks.changed != NULL)
        t->hooks.changed(t->hooks.arg, dir, NULL);
}

/* Pick the next folder to read: requests first, then the background stack. */
static struct fnode *ftree_next_dir(struct ftree *t)
{
    while (t->nreq > 0) {
        struct fnode *d = t->req[0];

        memmove(t->req, t->req + 1, (t->nreq - 1) * sizeof *t->req);
        t->nreq--;
        return d;
    }
    while (t->scan_on && t->nstack > 0) {
        struct fnode *d = t->stack[--t->nstack];

        d->flags &= (uint16_t)~FNODE_STACKED;
        if (!(d->flags & FNODE_LOADED))
            return d;
    }
    return NULL;
}

int ftree_step(struct ftree *t, int64_t deadline_ns)
{
    for (;;) {
        if (t->cur.dir == NULL) {
            struct fnode *d = ftree_next_dir(t);

            if (d == NULL) {
                if (t->scan_on && t->nstack == 0)
                    t->scan_on = 0;
                return 0;
            }
            ftree_read_begin(t, d);
            continue;
        }
        if (ftree_read_some(t))
            ftree_read_finish(t);
        if (clock_past(deadline_ns))
            return t->cur.dir != NULL || t->nreq > 0 || (t->scan_on && t->nstack > 0);
    }
}

/* Queue `dir` to be read (again, if it was read before: the read diffs). */
static void ftree_queue_read(struct ftree *t, struct fnode *dir)
{
    if (dir->type != FNODE_DIR || (dir->flags & FNODE_REQUESTED) || t->cur.dir == dir)
        return;
    dir->flags |= FNODE_REQUESTED;
    t->req = xgrow(t->req, &t->req_cap, t->nreq + 1, sizeof *t->req);
    t->req[t->nreq++] = dir;
}

void ftree_request(struct ftree *t, struct fnode *dir)
{
    if (!(dir->flags & FNODE_LOADED))
        ftree_queue_read(t, dir);
}

static void ftree_stack_unread(struct ftree *t, struct fnode *n)
{
    /* push deepest-last so the walk goes depth-first in name order */
    if (n->type != FNODE_DIR)
        return;
    if (!(n->flags & FNODE_LOADED)) {
        ftree_push_stack(t, n);
        return;
    }
    for (struct fnode *c = n->child; c != NULL; c = c->next)
        ftree_stack_unread(t, c);
}

void ftree_scan_all(struct ftree *t)
{
    t->scan_on = 1;
    t->cancelled = 0;
    ftree_stack_unread(t, t->root);
    /* reverse so that the first folder in name order is read first */
    for (size_t i = 0, j = t->nstack; i + 1 < j; i++, j--) {
        struct fnode *tmp = t->stack[i];

        t->stack[i] = t->stack[j - 1];
        t->stack[j - 1] = tmp;
    }
}

void ftree_scan_cancel(struct ftree *t)
{
    if (!t->scan_on && t->nstack == 0)
        return;
    t->scan_on = 0;
    t->cancelled = 1;
    for (size_t i = 0; i < t->nstack; i++)
        t->stack[i]->flags &= (uint16_t)~FNODE_STACKED;
    t->nstack = 0;
    t->gen++;
}

void ftree_progress(const struct ftree *t, struct ftree_progress *p)
{
    memset(p, 0, sizeof *p);
    p->files = t->files;
    p->dirs = t->dirs;
    p->unreadable = t->unreadable;
    p->queued = t->nreq + t->nstack;
    p->scanning = t->cur.dir != NULL || t->nreq > 0 || (t->scan_on && t->nstack > 0);
    p->cancelled = t->cancelled;
    p->watch_failed = t->watch_failed;
    snprintf(p->watch_msg, sizeof p->watch_msg, "%s", t->watch_msg);
}

uint64_t ftree_generation(const struct ftree *t)
{
    return t->gen;
}

/* --- removal ---------------------------------------------------------------------- */

static void ftree_unqueue(struct ftree *t, const struct fnode *n)
{
    size_t j = 0;

    for (size_t i = 0; i < t->nreq; i++)
        if (t->req[i] != n)
            t->req[j++] = t->req[i];
    t->nreq = j;
    j = 0;
    for (size_t i = 0; i < t->nstack; i++)
        if (t->stack[i] != n)
            t->stack[j++] = t->stack[i];
    t->nstack = j;
}

/* Free `n` and its subtree (already unlinked), telling the owner about each node. */
static void ftree_free_subtree(struct ftree *t, struct fnode *n)
{
    struct fnode *c = n->child;

    while (c != NULL) {
        struct fnode *next = c->next;

        ftree_free_subtree(t, c);
        c = next;
    }
    if (n->type == FNODE_DIR) {
        wmap_drop(t, n);
        if (n->flags & (FNODE_REQUESTED | FNODE_STACKED))
            ftree_unqueue(t, n);
    }
    if (n->flags & FNODE_MARKED)
        t->nmarked--;
    if (t->hooks.node_gone != NULL)
        t->hooks.node_gone(t->hooks.arg, n);
    free(n);
}

/* Unlink `n` from its parent, take its totals off the ancestors, free it. */
static void ftree_remove(struct ftree *t, struct fnode *n)
{
    struct fnode *dir = n->parent;
    int64_t size, nart;

    if (dir == NULL)
        return; /* the root stays */
    if (t->cur.dir != NULL && ftree_is_within(t->cur.dir, n)) {
        /* the folder being read is going away: abandon the read */
        closedir(t->cur.d);
        t->cur.d = NULL;
        for (size_t i = 0; i < t->cur.nkids; i++)
            free(t->cur.kids[i]);
        t->cur.nkids = 0;
        t->cur.dir = NULL;
    }
    for (struct fnode **pp = &dir->child; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == n) {
            *pp = n->next;
            break;
        }
    }
    ftree_contrib(n, &size, &nart);
    ftree_add_up(dir, -size, -nart, 0);
    if (n->type == FNODE_DIR && n->pending > 0) {
        dir->pending--;
        if (dir->pending == 0)
            ftree_complete(t, dir);
    }
    ftree_free_subtree(t, n);
    t->filter_dirty = 1;
    t->gen++;
    t->struct_gen++;
}

/* --- live updates ---------------------------------------------------------------------- */

static struct fnode *ftree_child(struct fnode *dir, const char *name)
{
    for (struct fnode *c = dir->child; c != NULL; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* Re-stat `name` in `dir` and bring the tree in line with what is on disk now. */
static void ftree_refresh_entry(struct ftree *t, struct fnode *dir, const char *name)
{
    int dfd = open(ftree_path_into(t, dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct fnode *old = ftree_child(dir, name);
    struct fnode *fresh;
    struct fnode **prevp;

    if (dfd < 0)
        return; /* the folder itself is going; its own event removes it */
    fresh = ftree_entry(t, dfd, name);
    close(dfd);
    if (fresh == NULL) {
        if (old != NULL)
            ftree_remove(t, old);
        return;
    }
    if (old != NULL && old->type == fresh->type) {
        if (old->type == FNODE_FILE)
            ftree_add_up(dir, fresh->size - old->size, 0, fresh->mtime);
        if (old->type != FNODE_DIR)
            old->size = fresh->size;
        if (fresh->mtime > old->mtime || old->type != FNODE_DIR)
            old->mtime = fresh->mtime;
        old->flags = (uint16_t)((old->flags & ~(FNODE_LOOP | FNODE_BROKEN | FNODE_LINKDIR)) |
                                (fresh->flags & (FNODE_LOOP | FNODE_BROKEN | FNODE_LINKDIR)));
        free(fresh);
        t->gen++;
        if (t->sort != SORT_NAME)
            t->struct_gen++;
        if (t->hooks.changed != NULL)
            t->hooks.changed(t->hooks.arg, dir, old);
        return;
    }
    if (old != NULL)
        ftree_remove(t, old);
    for (prevp = &dir->child; *prevp != NULL && ftree_cmp_name(*prevp, fresh) < 0;
         prevp = &(*prevp)->next)
        ;
    ftree_attach(t, dir, fresh, prevp);
    t->gen++;
    t->struct_gen++;
    if (t->hooks.changed != NULL)
        t->hooks.changed(t->hooks.arg, dir, fresh);
}

static void ftree_reread_all(struct ftree *t, struct fnode *n)
{
    if (n->type != FNODE_DIR || !(n->flags & FNODE_LOADED))
        return;
    ftree_queue_read(t, n);
    for (struct fnode *c = n->child; c != NULL; c = c->next)
        ftree_reread_all(t, c);
}

void ftree_refresh(struct ftree *t)
{
    ftree_reread_all(t, t->root);
    ftree_scan_all(t);
}

void ftree_apply_event(struct ftree *t, const struct watch_event *ev)
{
    struct fnode *dir = ev->cookie;

    if (ev->what & WATCH_OVERFLOW) {
        /* events were lost: read every folder again and diff */
        ftree_reread_all(t, t->root);
        return;
    }
    if (dir == NULL)
        return;
    if (ev->what & WATCH_SELF_GONE) {
        if (dir != t->root)
            ftree_remove(t, dir);
        return;
    }
    if (ev->name == NULL || !(dir->flags & FNODE_LOADED))
        return;
    if (t->cur.dir == dir) {
        /* being read right now: readdir may or may not see the change, so read it
         * again once this read ends */
        t->cur.reread = 1;
        return;
    }
    ftree_refresh_entry(t, dir, ev->name);
}

/* --- life cycle ------------------------------------------------------------------------ */

struct ftree *ftree_open(const char *root, struct watch *watch, const struct ftree_hooks *hooks,
                         struct err *err)
{
    struct ftree *t;
    struct stat st;
    char *path = rootdir_check(root, err);

    if (path == NULL)
        return NULL;
    if (stat(path, &st) < 0 || access(path, R_OK | X_OK) < 0) {
        err_set(err, errno, "cannot read folder %s: %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    t = xcalloc(1, sizeof *t);
    t->root_path = path;
    t->watch = watch;
    if (hooks != NULL)
        t->hooks = *hooks;
    buf_init(&t->rel, FTREE_PATH_MAX);
    buf_init(&t->path, FTREE_PATH_MAX);
    {
        const char *base = strrchr(t->root_path, '/');

        base = base != NULL && base[1] != '\0' ? base + 1 : t->root_path;
        t->root = ftree_node_new(base, strlen(base));
    }
    t->root->type = FNODE_DIR;
    t->root->mtime = (int64_t)st.st_mtime;
    t->root->pending = 1;
    t->root->flags |= FNODE_EXPANDED;
    t->sort = SORT_NAME;
    /* the top level is read now so the first paint has something to show */
    ftree_read_begin(t, t->root);
    if (t->cur.dir != NULL) {
        while (!ftree_read_some(t))
            ;
        ftree_read_finish(t);
    }
    return t;
}

void ftree_free(struct ftree *t)
{
    if (t == NULL)
        return;
    if (t->cur.d != NULL)
        closedir(t->cur.d);
    for (size_t i = 0; i < t->cur.nkids; i++)
        free(t->cur.kids[i]);
    t->hooks.node_gone = NULL; /* the owner is going too */
    ftree_free_subtree(t, t->root);
    free(t->cur.kids);
    free(t->req);
    free(t->stack);
    free(t->wmap);
    free(t->lines);
    free(t->filter);
    buf_fini(&t->rel);
    buf_fini(&t->path);
    free(t->sortbuf);
    free(t->root_path);
    free(t);
}

struct fnode *ftree_root(const struct ftree *t)
{
    return t->root;
}

const char *ftree_root_path(const struct ftree *t)
{
    return t->root_path;
}
