/* jsondoc.c: a JSON document as compact nodes for the collapsible tree view.
 *
 * jsondoc_parse runs three passes over the text:
 *   1. jsonscan checks it with the harvest's strictness (so the tree and the harvested
 *      metrics accept the same files, with the same "line L, column C" messages; cJSON
 *      alone lets leading zeros, raw control characters, invalid UTF-8, a BOM and
 *      overflowing numbers through) and collects the source text of every number, which
 *      cJSON does not keep;
 *   2. cJSON parses it with a bump allocator plugged in through cJSON_InitHooks: every
 *      node and string is carved from large blocks and the whole tree is dropped in one
 *      go, with no per-node free;
 *   3. the cJSON tree is copied, in document order, into an array of fixed-size nodes
 *      whose texts live in one string arena, and the blocks are released.
 *
 * Nodes are in pre-order, so a container's first child is the node right after it and its
 * subtree ends at `end`; the next sibling is `end` when that node has the same parent.
 * Visible lines are node ids in increasing order, which makes finding a node's line a
 * binary search. */
#include "jsondoc.h"

#include <cJSON.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonscan.h"
#include "xmem.h"

#define JD_NONE UINT32_MAX
#define JD_EXPANDED 0x1
#define JD_HAS_KEY 0x2
/* Containers of depth 1 with at most this many children start expanded. */
#define JD_AUTO_EXPAND 8
/* cJSON releases without the CVE-2023-26819 fix copy at most 63 characters of a number
 * before converting it, so a longer one fails there (and only there). */
#define JD_CJSON_NUMBER_MAX 63
#define JD_BLOCK_MIN ((size_t)1 << 20)
#define JD_BLOCK_MAX ((size_t)64 << 20)

struct jd_node {
    uint64_t text;   /* in `strings`: member name + NUL if JD_HAS_KEY, then the value of
                      * a string or number + NUL */
    uint32_t parent; /* JD_NONE for the root */
    uint32_t end;    /* one past the last node of the subtree */
    uint32_t nchildren;
    uint32_t index; /* position among the parent's children */
    uint16_t depth;
    uint8_t type; /* enum jsondoc_type */
    uint8_t flags;
};

struct jsondoc {
    struct jd_node *nodes;
    size_t nnodes;
    char *strings;
    size_t slen, scap;
    uint32_t *vis; /* node ids of the visible lines, increasing */
    size_t nvis, viscap;
};

/* --- the arena cJSON allocates from during a parse -------------------------------------- */

struct jd_block {
    struct jd_block *prev;
    size_t used, cap;
    max_align_t data[];
};

struct jd_arena {
    struct jd_block *top;
    size_t next_cap;
};

/* cJSON's hooks take no context argument, so the arena of the parse in progress has to be
 * found through this variable; it is set just before cJSON_ParseWithLengthOpts and
 * cleared right after (chimera has one thread). */
static struct jd_arena *jd_current;

static void *jd_arena_alloc(size_t n)
{
    struct jd_arena *a = jd_current;
    const size_t align = _Alignof(max_align_t);
    size_t need = (n + align - 1) & ~(align - 1);
    struct jd_block *b = a->top;
    void *p;

    if (need < n)
        return NULL;
    if (b == NULL || b->cap - b->used < need) {
        size_t cap = need > a->next_cap ? need : a->next_cap;

        if (cap > SIZE_MAX - sizeof *b)
            return NULL;
        b = xmalloc(sizeof *b + cap);
        b->prev = a->top;
        b->used = 0;
        b->cap = cap;
        a->top = b;
        if (a->next_cap < JD_BLOCK_MAX)
            a->next_cap *= 2;
    }
    p = (char *)b->data + b->used;
    b->used += need;
    return p;
}

/* Nodes die with their block; cJSON frees the pieces of a failed parse through here. */
static void jd_arena_free(void *p)
{
    (void)p;
}

static void jd_arena_release(struct jd_arena *a)
{
    while (a->top != NULL) {
        struct jd_block *prev = a->top->prev;

        free(a->top);
        a->top = prev;
    }
}

/* --- pass 1: strict check and number texts ---------------------------------------------- */

struct jd_numbers {
    struct buf text; /* every number's source text, each followed by a NUL */
    size_t longest;
};

static void jd_collect_number(const struct json_leaf *leaf, void *arg)
{
    struct jd_numbers *nums = arg;

    if (leaf->type != JSON_LEAF_NUMBER)
        return;
    if (buf_append(&nums->text, leaf->text, leaf->textlen + 1) < 0)
        fatal("jsondoc: number texts too large");
    if (leaf->textlen > nums->longest)
        nums->longest = leaf->textlen;
}

/* --- pass 3: conversion ----------------------------------------------------------------- */

static uint64_t jd_put_text(struct jsondoc *d, const char *s, size_t n)
{
    uint64_t at = d->slen;

    if (d->scap - d->slen < n + 1)
        fatal("jsondoc: string arena overflow"); /* sized from the input: cannot happen */
    memcpy(d->strings + d->slen, s, n);
    d->strings[d->slen + n] = '\0';
    d->slen += n + 1;
    return at;
}

static enum jsondoc_type jd_type_of(const cJSON *item)
{
    if (cJSON_IsObject(item))
        return JSONDOC_OBJECT;
    if (cJSON_IsArray(item))
        return JSONDOC_ARRAY;
    if (cJSON_IsString(item))
        return JSONDOC_STRING;
    if (cJSON_IsNumber(item))
        return JSONDOC_NUMBER;
    if (cJSON_IsTrue(item))
        return JSONDOC_TRUE;
    if (cJSON_IsFalse(item))
        return JSONDOC_FALSE;
    return JSONDOC_NULL;
}

/* Append `item` as a node; `*num` walks the collected number texts in document order. */
static uint32_t jd_emit(struct jsondoc *d, const cJSON *item, uint32_t parent, int depth,
                        uint32_t index, const char *key, const char **num)
{
    uint32_t id = (uint32_t)d->nnodes++;
    struct jd_node *nd = &d->nodes[id];

    nd->type = (uint8_t)jd_type_of(item);
    nd->parent = parent;
    nd->end = id + 1;
    nd->nchildren = 0;
    nd->index = index;
    nd->depth = (uint16_t)depth;
    nd->flags = key != NULL ? JD_HAS_KEY : 0;
    nd->text = d->slen;
    if (key != NULL)
        jd_put_text(d, key, strlen(key));
    if (nd->type == JSONDOC_NUMBER) {
        size_t len = strlen(*num);

        jd_put_text(d, *num, len);
        *num += len + 1;
    } else if (nd->type == JSONDOC_STRING) {
        jd_put_text(d, item->valuestring, strlen(item->valuestring));
    }
    return id;
}

static void jd_convert(struct jsondoc *d, const cJSON *root, const char *nums)
{
    struct {
        const cJSON *child; /* next child to copy */
        uint32_t node;
        uint32_t count;
        int is_object;
    } stack[JSONSCAN_MAX_DEPTH + 1];
    int sp = 0;
    uint32_t id = jd_emit(d, root, JD_NONE, 0, 0, NULL, &nums);

    if (cJSON_IsArray(root) || cJSON_IsObject(root)) {
        stack[0].child = root->child;
        stack[0].node = id;
        stack[0].count = 0;
        stack[0].is_object = cJSON_IsObject(root);
        sp = 1;
    }
    while (sp > 0) {
        const cJSON *item = stack[sp - 1].child;

        if (item == NULL) {
            struct jd_node *nd = &d->nodes[stack[sp - 1].node];

            nd->nchildren = stack[sp - 1].count;
            nd->end = (uint32_t)d->nnodes;
            sp--;
            continue;
        }
        stack[sp - 1].child = item->next;
        id = jd_emit(d, item, stack[sp - 1].node, sp, stack[sp - 1].count++,
                     stack[sp - 1].is_object ? item->string : NULL, &nums);
        if (cJSON_IsArray(item) || cJSON_IsObject(item)) {
            if (sp > JSONSCAN_MAX_DEPTH)
                fatal("jsondoc: nesting passed the checked depth");
            stack[sp].child = item->child;
            stack[sp].node = id;
            stack[sp].count = 0;
            stack[sp].is_object = cJSON_IsObject(item);
            sp++;
        }
    }
}

/* --- visible lines ---------------------------------------------------------------------- */

static int jd_is_container(const struct jd_node *nd)
{
    return nd->type == JSONDOC_OBJECT || nd->type == JSONDOC_ARRAY;
}

/* Append to `out` the visible nodes of [from, to): the ones no collapsed container hides. */
static void jd_collect_visible(const struct jsondoc *d, size_t from, size_t to, uint32_t **out,
                               size_t *n, size_t *cap)
{
    size_t i = from;

    while (i < to) {
        const struct jd_node *nd = &d->nodes[i];

        *out = xgrow(*out, cap, *n + 1, sizeof **out);
        (*out)[(*n)++] = (uint32_t)i;
        if (jd_is_container(nd) && !(nd->flags & JD_EXPANDED))
            i = nd->end;
        else
            i++;
    }
}

static void jd_rebuild(struct jsondoc *d)
{
    d->nvis = 0;
    if (d->nnodes == 0)
        return;
    jd_collect_visible(d, 0, d->nnodes, &d->vis, &d->nvis, &d->viscap);
}

/* --- public ----------------------------------------------------------------------------- */

/* "line L, column C" of byte `off` in text. */
static void jd_position(const char *text, size_t off, unsigned long long *line,
                        unsigned long long *col)
{
    size_t start = 0;

    *line = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            (*line)++;
            start = i + 1;
        }
    }
    *col = (unsigned long long)(off - start) + 1;
}

/* Is `end` inside text[0..n] with only JSON white space after it? */
static int jd_only_space(const char *text, size_t n, const char *end)
{
    if (end == NULL || end < text || (size_t)(end - text) > n)
        return 0;
    for (size_t i = (size_t)(end - text); i < n; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
            return 0;
    return 1;
}

struct jsondoc *jsondoc_parse(const char *text, size_t n, struct err *err)
{
    struct jd_numbers nums;
    struct jsonscan *scan;
    struct jd_arena arena = {NULL, JD_BLOCK_MIN};
    cJSON_Hooks hooks = {jd_arena_alloc, jd_arena_free};
    const char *end = NULL;
    cJSON *root;
    struct jsondoc *d;
    uint64_t values;

    buf_init(&nums.text, SIZE_MAX / 2);
    nums.longest = 0;
    scan = jsonscan_new(jd_collect_number, &nums);
    if (jsonscan_feed(scan, text, n, err) < 0 || jsonscan_finish(scan, err) < 0) {
        jsonscan_free(scan);
        buf_fini(&nums.text);
        return NULL;
    }
    values = jsonscan_stats(scan)->values;
    jsonscan_free(scan);
    if (values >= JD_NONE) {
        buf_fini(&nums.text);
        err_set(err, EFBIG, "too many values for the tree view (%llu)", (unsigned long long)values);
        return NULL;
    }

    jd_current = &arena;
    cJSON_InitHooks(&hooks);
    /* Without require_null_terminated cJSON stays inside text[0..n) (which need not end in
     * a NUL); what follows the value is checked below, which gives the same semantics. */
    root = cJSON_ParseWithLengthOpts(text, n, &end, 0);
    cJSON_InitHooks(NULL);
    jd_current = NULL;
    if (root == NULL || !jd_only_space(text, n, end)) {
        unsigned long long line, col;
        size_t off =
            end != NULL && end >= text && (size_t)(end - text) <= n ? (size_t)(end - text) : 0;

        jd_position(text, off, &line, &col);
        if (nums.longest > JD_CJSON_NUMBER_MAX)
            err_set(err, EINVAL,
                    "line %llu, column %llu: this cJSON cannot read numbers longer than %d "
                    "characters",
                    line, col, JD_CJSON_NUMBER_MAX);
        else
            err_set(err, EINVAL, "line %llu, column %llu: cJSON cannot parse this document", line,
                    col);
        jd_arena_release(&arena);
        buf_fini(&nums.text);
        return NULL;
    }

    d = xcalloc(1, sizeof *d);
    d->nodes = xmalloc((size_t)values * sizeof *d->nodes);
    /* Decoded names and values never exceed their source text; each adds one NUL. */
    d->scap = n + 2 * (size_t)values + 1;
    d->strings = xmalloc(d->scap);
    jd_convert(d, root, buf_cstr(&nums.text));
    jd_arena_release(&arena);
    buf_fini(&nums.text);
    d->strings = xrealloc(d->strings, d->slen + 1);
    d->scap = d->slen + 1;

    for (size_t i = 0; i < d->nnodes; i++) {
        struct jd_node *nd = &d->nodes[i];

        if (jd_is_container(nd) &&
            (nd->depth == 0 || (nd->depth == 1 && nd->nchildren <= JD_AUTO_EXPAND)))
            nd->flags |= JD_EXPANDED;
    }
    jd_rebuild(d);
    return d;
}

void jsondoc_free(struct jsondoc *d)
{
    if (d == NULL)
        return;
    free(d->nodes);
    free(d->strings);
    free(d->vis);
    free(d);
}

size_t jsondoc_nodes(const struct jsondoc *d)
{
    return d->nnodes;
}

size_t jsondoc_visible(const struct jsondoc *d)
{
    return d->nvis;
}

int jsondoc_line(const struct jsondoc *d, size_t i, struct jsondoc_line *out)
{
    const struct jd_node *nd;
    const char *text;

    if (i >= d->nvis)
        return -1;
    nd = &d->nodes[d->vis[i]];
    text = d->strings + nd->text;
    out->depth = nd->depth;
    out->key = NULL;
    if (nd->flags & JD_HAS_KEY) {
        out->key = text;
        text += strlen(text) + 1;
    }
    out->index =
        nd->parent != JD_NONE && d->nodes[nd->parent].type == JSONDOC_ARRAY ? (long)nd->index : -1;
    out->type = (enum jsondoc_type)nd->type;
    switch (out->type) {
    case JSONDOC_STRING:
    case JSONDOC_NUMBER:
        out->value = text;
        break;
    case JSONDOC_TRUE:
        out->value = "true";
        break;
    case JSONDOC_FALSE:
        out->value = "false";
        break;
    case JSONDOC_NULL:
        out->value = "null";
        break;
    default:
        out->value = NULL;
        break;
    }
    out->nchildren = nd->nchildren;
    out->expanded = (nd->flags & JD_EXPANDED) != 0;
    out->node = d->vis[i];
    return 0;
}

long jsondoc_line_of(const struct jsondoc *d, size_t node)
{
    size_t lo = 0, hi = d->nvis;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (d->vis[mid] < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->nvis && d->vis[lo] == node ? (long)lo : -1;
}

void jsondoc_toggle(struct jsondoc *d, size_t i)
{
    struct jd_node *nd;
    uint32_t *add = NULL;
    size_t nadd = 0, cap = 0;

    if (i >= d->nvis)
        return;
    nd = &d->nodes[d->vis[i]];
    if (!jd_is_container(nd))
        return;
    if (nd->flags & JD_EXPANDED) {
        size_t j = i + 1;

        nd->flags &= (uint8_t)~JD_EXPANDED;
        while (j < d->nvis && d->vis[j] < nd->end)
            j++;
        memmove(d->vis + i + 1, d->vis + j, (d->nvis - j) * sizeof *d->vis);
        d->nvis -= j - (i + 1);
        return;
    }
    nd->flags |= JD_EXPANDED;
    jd_collect_visible(d, d->vis[i] + 1, nd->end, &add, &nadd, &cap);
    d->vis = xgrow(d->vis, &d->viscap, d->nvis + nadd, sizeof *d->vis);
    memmove(d->vis + i + 1 + nadd, d->vis + i + 1, (d->nvis - i - 1) * sizeof *d->vis);
    if (nadd > 0)
        memcpy(d->vis + i + 1, add, nadd * sizeof *add);
    d->nvis += nadd;
    free(add);
}

void jsondoc_toggle_node(struct jsondoc *d, size_t node)
{
    long line;

    if (node >= d->nnodes || !jd_is_container(&d->nodes[node]))
        return;
    line = jsondoc_line_of(d, node);
    if (line >= 0)
        jsondoc_toggle(d, (size_t)line);
    else
        d->nodes[node].flags ^= JD_EXPANDED; /* hidden: only its own state changes */
}

void jsondoc_expand_depth(struct jsondoc *d, int depth)
{
    if (depth < 0)
        depth = 0;
    for (size_t i = 0; i < d->nnodes; i++) {
        struct jd_node *nd = &d->nodes[i];

        if (!jd_is_container(nd))
            continue;
        if ((int)nd->depth <= depth)
            nd->flags |= JD_EXPANDED;
        else
            nd->flags &= (uint8_t)~JD_EXPANDED;
    }
    jd_rebuild(d);
}

char *jsondoc_path(const struct jsondoc *d, size_t i)
{
    uint32_t chain[JSONSCAN_MAX_DEPTH + 1];
    size_t n = 0;
    struct buf b;
    int ok = 0;

    if (i >= d->nvis)
        return NULL;
    for (uint32_t id = d->vis[i]; id != 0 && n < JSONSCAN_MAX_DEPTH + 1; id = d->nodes[id].parent)
        chain[n++] = id;
    buf_init(&b, SIZE_MAX / 2);
    while (n > 0) {
        const struct jd_node *nd = &d->nodes[chain[--n]];

        if (d->nodes[nd->parent].type == JSONDOC_ARRAY) {
            ok |= buf_printf(&b, "[%lu]", (unsigned long)nd->index);
        } else {
            if (b.len > 0)
                ok |= buf_putc(&b, '.');
            ok |= buf_puts(&b, d->strings + nd->text);
        }
    }
    if (ok < 0)
        fatal("jsondoc: path too long");
    return buf_steal(&b);
}
