/* ftree_int.h: state shared by ftree.c (reading, counts, live updates) and ftree_view.c
 * (sorting, filter, marks, lines). Not part of the public API. */
#ifndef SRC_FTREE_INT_H
#define SRC_FTREE_INT_H

#include <dirent.h>
#include <stdint.h>

#include "buf.h"
#include "ftree.h"

#define FTREE_MAX_DEPTH 2048
#define FTREE_PATH_MAX (64u << 10)
/* A freed slot in the watch map (open addressing needs tombstones). */
#define FTREE_WMAP_TOMB ((struct fnode *)(uintptr_t)1)

struct ftree_wmap {
    struct fnode *node;
    int wd;
};

struct ftree {
    char *root_path;
    struct fnode *root;
    struct watch *watch;
    struct ftree_hooks hooks;
    enum sort_key sort;
    uint64_t gen;        /* anything visible changed */
    uint64_t struct_gen; /* the set or order of lines may have changed */

    /* filter */
    char *filter;
    int filter_glob;
    int filter_dirty;    /* matches must be recomputed (a node was removed) */
    size_t nmatch;

    /* lines */
    struct fline *lines;
    size_t nlines, lines_cap;
    uint64_t lines_gen;  /* struct_gen the lines were built at, +1 (0 = never built) */
    struct fnode **sortbuf;
    size_t nsorted, sortbuf_cap;

    size_t nmarked;

    /* work: requested folders (FIFO), then the background scan (a stack: depth-first) */
    struct fnode **req;
    size_t nreq, req_cap;
    struct fnode **stack;
    size_t nstack, stack_cap;
    int scan_on;
    int cancelled;

    /* the folder being read */
    struct {
        DIR *d;
        struct fnode *dir;
        struct fnode **kids;
        size_t nkids, kids_cap;
        int reread; /* changed while being read: read it again afterwards */
    } cur;

    /* live updates */
    struct ftree_wmap *wmap;
    size_t wmap_n, wmap_cap;
    int watch_failed;
    int watch_full;
    char watch_msg[ERR_MSG_MAX];

    uint64_t files, dirs, unreadable;
    struct buf rel;  /* scratch: relative path */
    struct buf path; /* scratch: full path */
};

struct fnode *ftree_node_new(const char *name, size_t len);
/* Display order by name: ASCII case folded, then bytewise. */
int ftree_cmp_name(const struct fnode *a, const struct fnode *b);
int ftree_cmp_name_qsort(const void *a, const void *b);
/* Apply the active filter to a node just added (sets MATCH, SUBMATCH up the chain). */
void ftree_filter_node(struct ftree *t, struct fnode *n);

#endif
