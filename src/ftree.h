/* ftree.h: the artifact tree model.
 *
 * Nodes are one allocation each with the name inline (ncdu's struct dir); a node costs
 * about 60 bytes plus its name. Directories are read one at a time in slices by
 * ftree_step(): first the ones the user asked for (ftree_request, e.g. on expanding an
 * unread folder), then, while a background scan is on, every other folder depth-first so
 * each folder's artifact count, size and newest time fill in. Nothing here blocks for
 * longer than a slice, so a 100 000-file tree never freezes the screen.
 *
 * Symbolic links are shown (with what they point to) but never followed, as the ingest
 * rule says; a link pointing back to one of its own ancestors is flagged as a loop.
 * Folders that cannot be read are kept and flagged with the reason.
 *
 * The visible nodes (expanded folders, or filter matches and their ancestors) are
 * flattened into a line array, rebuilt lazily after a change (tmux's mode-tree).
 *
 * Live updates: given a struct watch, every folder that has been read is watched; feed
 * the watch's events to ftree_apply_event and the tree follows files that appear, change
 * or vanish. Hooks tell the owner before a node is freed so it can drop its pointers. */
#ifndef SRC_FTREE_H
#define SRC_FTREE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "attrs.h"
#include "genopts.h"
#include "err.h"

struct watch;
struct watch_event;

enum fnode_type {
    FNODE_DIR,
    FNODE_FILE,
    FNODE_LINK,
    FNODE_SPECIAL /* fifo, socket, device */
};

enum {
    FNODE_EXPANDED = 1 << 0,
    FNODE_MARKED = 1 << 1,
    FNODE_LOADED = 1 << 2,     /* directory: entries read */
    FNODE_SCANNED = 1 << 3,    /* directory: the whole subtree has been read */
    FNODE_UNREADABLE = 1 << 4, /* `err` holds the errno */
    FNODE_LOOP = 1 << 5,       /* link to an ancestor (or ELOOP) */
    FNODE_BROKEN = 1 << 6,     /* link to nothing */
    FNODE_LINKDIR = 1 << 7,    /* link to a directory */
    FNODE_MATCH = 1 << 8,      /* name matches the filter */
    FNODE_SUBMATCH = 1 << 9,   /* a descendant matches the filter */
    FNODE_REQUESTED = 1 << 10, /* queued for reading */
    FNODE_STACKED = 1 << 11    /* on the background scan's stack */
};

struct fnode {
    struct fnode *parent;
    struct fnode *next;  /* next sibling, in the current sort order */
    struct fnode *child; /* first child (directories) */
    int64_t size;        /* file: bytes; directory: bytes of the files beneath (read so far) */
    int64_t mtime;       /* file: modification time; directory: newest beneath, or its own */
    uint32_t nart;       /* directory: artifact files (csv, json, md) beneath, read so far */
    uint32_t pending;    /* directory: subfolders not yet fully scanned (+1 while unread) */
    uint16_t flags;
    uint8_t type;        /* enum fnode_type */
    uint8_t kind;        /* enum artifact_kind of the name (files and links) */
    uint8_t err;         /* errno when FNODE_UNREADABLE */
    char name[];         /* NUL-terminated; raw bytes, sanitise before display */
};

struct fline {
    struct fnode *node;
    int depth; /* root's children are at depth 0 */
};

struct ftree_hooks {
    /* A node (and, before it, each of its descendants) is about to be freed because it
     * vanished from disk: drop every pointer to it. */
    void (*node_gone)(void *arg, struct fnode *node);
    /* Something visible changed in `dir` (entries, sizes, counts): repaint, reload a
     * file's metrics if it was `node`. `node` may be NULL. */
    void (*changed)(void *arg, struct fnode *dir, const struct fnode *node);
    void *arg;
};

struct ftree_progress {
    uint64_t files;    /* entries read so far */
    uint64_t dirs;     /* folders read so far */
    uint64_t unreadable;
    size_t queued;     /* folders waiting */
    int scanning;      /* the background scan has work left */
    int cancelled;     /* the scan was cancelled: counts are partial */
    int watch_failed;  /* some folders could not be watched */
    char watch_msg[ERR_MSG_MAX];
};

struct ftree;

/* Open the tree at `root` (a directory; a symbolic link to one is followed for the root
 * only) and read its top level. `watch` (borrowed, may be NULL) gets a watch for every
 * folder read. NULL with `err` set when root is not a readable directory. */
struct ftree *ftree_open(const char *root, struct watch *watch, const struct ftree_hooks *hooks,
                         struct err *err);
void ftree_free(struct ftree *t);

struct fnode *ftree_root(const struct ftree *t);
/* The root path as given (without trailing slashes, "/" stays "/"). */
const char *ftree_root_path(const struct ftree *t);

/* Read `dir`'s entries before anything else (no-op when already read). */
void ftree_request(struct ftree *t, struct fnode *dir);
/* (Re)start the background scan of every folder not yet read. */
void ftree_scan_all(struct ftree *t);
/* Read every folder again (diffing against what is known) and restart the scan. */
void ftree_refresh(struct ftree *t);
/* Stop the background scan; requested folders are still read. */
void ftree_scan_cancel(struct ftree *t);
/* Do queued work until `deadline_ns` (clock_now_ns(); 0 = until done). Returns 1 while
 * work remains, 0 when idle. */
int ftree_step(struct ftree *t, int64_t deadline_ns);
void ftree_progress(const struct ftree *t, struct ftree_progress *p);
/* Changes on every modification of what the line array would show. */
uint64_t ftree_generation(const struct ftree *t);

/* Expand (on = 1) or collapse a directory; expanding an unread one requests it. */
void ftree_expand(struct ftree *t, struct fnode *dir, int on);
void ftree_set_sort(struct ftree *t, enum sort_key key);
enum sort_key ftree_sort(const struct ftree *t);
/* Show only names matching `pattern` and their folders (NULL or "" clears). A pattern
 * with * ? or [ is a glob, else a substring; both ignore ASCII case. Returns the number
 * of matching nodes among those read. */
size_t ftree_set_filter(struct ftree *t, const char *pattern);
const char *ftree_filter(const struct ftree *t);

/* Mark or unmark a file; on a directory, every artifact file read beneath it. */
void ftree_mark(struct ftree *t, struct fnode *n, int on);
void ftree_clear_marks(struct ftree *t);
size_t ftree_marked_count(const struct ftree *t);
/* Relative paths of the marked files, sorted bytewise; free with ftree_paths_free. */
size_t ftree_marked_paths(const struct ftree *t, char ***paths);
void ftree_paths_free(char **paths, size_t n);

/* The visible lines (rebuilt if stale); valid until the next call that changes the tree. */
size_t ftree_lines(struct ftree *t, const struct fline **lines);
/* Line index of `n`, or -1 when it is not visible. */
ssize_t ftree_line_of(struct ftree *t, const struct fnode *n);

/* Path of `n` relative to the root ("" for the root). Free it. */
char *ftree_relpath(const struct ftree *t, const struct fnode *n);
/* Path usable with open(): root path joined with the relative path. Free it. */
char *ftree_path(const struct ftree *t, const struct fnode *n);
/* The read node at `relpath`, or NULL. */
struct fnode *ftree_find(const struct ftree *t, const char *relpath);
/* Target of a symbolic link node (readlink), or NULL. Free it. */
char *ftree_link_target(const struct ftree *t, const struct fnode *n);

/* Apply one event from watch_read (the cookie is the folder's node). */
void ftree_apply_event(struct ftree *t, const struct watch_event *ev);

#endif
