/* ftree_view.c: how the tree is looked at: sort order, filter, marks, and the flattening
 * of visible nodes into lines. */
#include "ftree.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "ftree_int.h"
#include "xmem.h"

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int ftree_cmp_name(const struct fnode *a, const struct fnode *b)
{
    const unsigned char *p = (const unsigned char *)a->name;
    const unsigned char *q = (const unsigned char *)b->name;

    for (; *p != '\0' && ascii_lower(*p) == ascii_lower(*q); p++, q++)
        ;
    if (ascii_lower(*p) != ascii_lower(*q))
        return ascii_lower(*p) - ascii_lower(*q);
    return strcmp(a->name, b->name);
}

int ftree_cmp_name_qsort(const void *a, const void *b)
{
    return ftree_cmp_name(*(struct fnode *const *)a, *(struct fnode *const *)b);
}

/* Folders first, then by the key; ties by name. */
static int ftree_cmp_key(const struct fnode *a, const struct fnode *b, enum sort_key key)
{
    int ad = a->type == FNODE_DIR, bd = b->type == FNODE_DIR;

    if (ad != bd)
        return bd - ad;
    if (key == SORT_SIZE && a->size != b->size)
        return a->size < b->size ? 1 : -1;
    if (key == SORT_MTIME && a->mtime != b->mtime)
        return a->mtime < b->mtime ? 1 : -1;
    return ftree_cmp_name(a, b);
}

static int ftree_cmp_size_qsort(const void *a, const void *b)
{
    return ftree_cmp_key(*(struct fnode *const *)a, *(struct fnode *const *)b, SORT_SIZE);
}

static int ftree_cmp_mtime_qsort(const void *a, const void *b)
{
    return ftree_cmp_key(*(struct fnode *const *)a, *(struct fnode *const *)b, SORT_MTIME);
}

static int ftree_cmp_dirsfirst_qsort(const void *a, const void *b)
{
    return ftree_cmp_key(*(struct fnode *const *)a, *(struct fnode *const *)b, SORT_NAME);
}

void ftree_set_sort(struct ftree *t, enum sort_key key)
{
    if (t->sort == key)
        return;
    t->sort = key;
    t->gen++;
    t->struct_gen++;
}

enum sort_key ftree_sort(const struct ftree *t)
{
    return t->sort;
}

/* --- filter ------------------------------------------------------------------------- */

static int ftree_name_matches(const struct ftree *t, const char *name)
{
    const char *pat = t->filter;
    size_t plen, nlen;

    if (t->filter_glob)
        return fnmatch(pat, name, FNM_CASEFOLD | FNM_PERIOD) == 0;
    plen = strlen(pat);
    nlen = strlen(name);
    for (size_t i = 0; i + plen <= nlen; i++) {
        size_t j = 0;

        while (j < plen && ascii_lower((unsigned char)name[i + j]) ==
                               ascii_lower((unsigned char)pat[j]))
            j++;
        if (j == plen)
            return 1;
    }
    return 0;
}

void ftree_filter_node(struct ftree *t, struct fnode *n)
{
    if (t->filter == NULL)
        return;
    if (!ftree_name_matches(t, n->name))
        return;
    n->flags |= FNODE_MATCH;
    t->nmatch++;
    for (struct fnode *p = n->parent; p != NULL && !(p->flags & FNODE_SUBMATCH); p = p->parent)
        p->flags |= FNODE_SUBMATCH;
    t->struct_gen++;
}

/* Recompute MATCH/SUBMATCH below `n`; returns whether anything below or at `n` matches. */
static int ftree_filter_all(struct ftree *t, struct fnode *n)
{
    int any = 0;

    n->flags &= (uint16_t)~(FNODE_MATCH | FNODE_SUBMATCH);
    for (struct fnode *c = n->child; c != NULL; c = c->next)
        if (ftree_filter_all(t, c))
            any = 1;
    if (any)
        n->flags |= FNODE_SUBMATCH;
    if (t->filter != NULL && n->parent != NULL && ftree_name_matches(t, n->name)) {
        n->flags |= FNODE_MATCH;
        t->nmatch++;
        any = 1;
    }
    return any;
}

size_t ftree_set_filter(struct ftree *t, const char *pattern)
{
    free(t->filter);
    t->filter = NULL;
    t->filter_glob = 0;
    if (pattern != NULL && *pattern != '\0') {
        t->filter = xstrdup(pattern);
        t->filter_glob = strpbrk(pattern, "*?[") != NULL;
    }
    t->nmatch = 0;
    ftree_filter_all(t, t->root);
    t->filter_dirty = 0;
    t->gen++;
    t->struct_gen++;
    return t->nmatch;
}

const char *ftree_filter(const struct ftree *t)
{
    return t->filter;
}

/* --- marks -------------------------------------------------------------------------- */

void ftree_mark(struct ftree *t, struct fnode *n, int on)
{
    if (n->type == FNODE_DIR) {
        for (struct fnode *c = n->child; c != NULL; c = c->next)
            if (c->type == FNODE_DIR || c->kind != ART_NONE)
                ftree_mark(t, c, on);
        return;
    }
    if (n->type != FNODE_FILE)
        return; /* links are not followed, so there is nothing to analyse */
    if (on && !(n->flags & FNODE_MARKED)) {
        n->flags |= FNODE_MARKED;
        t->nmarked++;
    } else if (!on && (n->flags & FNODE_MARKED)) {
        n->flags &= (uint16_t)~FNODE_MARKED;
        t->nmarked--;
    }
    t->gen++;
}

static void ftree_unmark_all(struct ftree *t, struct fnode *n)
{
    n->flags &= (uint16_t)~FNODE_MARKED;
    for (struct fnode *c = n->child; c != NULL; c = c->next)
        ftree_unmark_all(t, c);
}

void ftree_clear_marks(struct ftree *t)
{
    ftree_unmark_all(t, t->root);
    t->nmarked = 0;
    t->gen++;
}

size_t ftree_marked_count(const struct ftree *t)
{
    return t->nmarked;
}

static int cmp_str_qsort(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ftree_collect_marked(const struct ftree *t, const struct fnode *n, char ***paths,
                                 size_t *np, size_t *cap)
{
    if (n->flags & FNODE_MARKED) {
        *paths = xgrow(*paths, cap, *np + 1, sizeof **paths);
        (*paths)[(*np)++] = ftree_relpath(t, n);
    }
    for (const struct fnode *c = n->child; c != NULL; c = c->next)
        ftree_collect_marked(t, c, paths, np, cap);
}

size_t ftree_marked_paths(const struct ftree *t, char ***paths)
{
    size_t n = 0, cap = 0;

    *paths = NULL;
    ftree_collect_marked(t, t->root, paths, &n, &cap);
    if (n > 1)
        qsort(*paths, n, sizeof **paths, cmp_str_qsort);
    return n;
}

void ftree_paths_free(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

/* --- expansion and lines ---------------------------------------------------------------- */

void ftree_expand(struct ftree *t, struct fnode *dir, int on)
{
    if (dir->type != FNODE_DIR)
        return;
    if (on) {
        dir->flags |= FNODE_EXPANDED;
        ftree_request(t, dir);
    } else {
        dir->flags &= (uint16_t)~FNODE_EXPANDED;
    }
    t->gen++;
    t->struct_gen++;
}

static int ftree_visible(const struct ftree *t, const struct fnode *n)
{
    if (t->filter == NULL)
        return 1;
    return (n->flags & (FNODE_MATCH | FNODE_SUBMATCH)) != 0;
}

static int ftree_open_for_lines(const struct ftree *t, const struct fnode *n)
{
    if (t->filter != NULL)
        return (n->flags & FNODE_SUBMATCH) != 0;
    return (n->flags & FNODE_EXPANDED) != 0;
}

static void ftree_add_line(struct ftree *t, struct fnode *n, int depth)
{
    t->lines = xgrow(t->lines, &t->lines_cap, t->nlines + 1, sizeof *t->lines);
    t->lines[t->nlines].node = n;
    t->lines[t->nlines].depth = depth;
    t->nlines++;
}

static void ftree_build(struct ftree *t, struct fnode *dir, int depth)
{
    size_t base, count = 0;
    int (*cmp)(const void *, const void *);

    if (depth >= FTREE_MAX_DEPTH)
        return;
    /* children go through the shared scratch array, sorted there for this level; deeper
     * levels use the part above it (indices, since the array may move as it grows) */
    base = t->nsorted;
    for (struct fnode *c = dir->child; c != NULL; c = c->next) {
        if (!ftree_visible(t, c))
            continue;
        t->sortbuf = xgrow(t->sortbuf, &t->sortbuf_cap, base + count + 1, sizeof *t->sortbuf);
        t->sortbuf[base + count++] = c;
    }
    t->nsorted = base + count;
    cmp = t->sort == SORT_SIZE    ? ftree_cmp_size_qsort
          : t->sort == SORT_MTIME ? ftree_cmp_mtime_qsort
                                  : ftree_cmp_dirsfirst_qsort;
    if (count > 1)
        qsort(t->sortbuf + base, count, sizeof *t->sortbuf, cmp);
    for (size_t i = 0; i < count; i++) {
        struct fnode *c = t->sortbuf[base + i];

        ftree_add_line(t, c, depth);
        if (c->type == FNODE_DIR && ftree_open_for_lines(t, c))
            ftree_build(t, c, depth + 1);
    }
    t->nsorted = base;
}

size_t ftree_lines(struct ftree *t, const struct fline **lines)
{
    if (t->filter_dirty && t->filter != NULL) {
        t->nmatch = 0;
        ftree_filter_all(t, t->root);
    }
    t->filter_dirty = 0;
    if (t->lines_gen != t->struct_gen + 1) {
        t->nlines = 0;
        t->nsorted = 0;
        ftree_add_line(t, t->root, 0);
        if (ftree_open_for_lines(t, t->root) || t->filter != NULL)
            ftree_build(t, t->root, 1);
        t->lines_gen = t->struct_gen + 1;
    }
    *lines = t->lines;
    return t->nlines;
}

ssize_t ftree_line_of(struct ftree *t, const struct fnode *n)
{
    const struct fline *lines;
    size_t count = ftree_lines(t, &lines);

    for (size_t i = 0; i < count; i++)
        if (lines[i].node == n)
            return (ssize_t)i;
    return -1;
}
