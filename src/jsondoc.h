/* jsondoc.h: a JSON document as a collapsible tree for the metrics pane, built by cJSON
 * (with an arena allocator plugged in through cJSON_InitHooks for the parse, which halves
 * parse time and memory) and flattened into compact nodes; the cJSON tree is deleted
 * before jsondoc_parse returns.
 *
 * Visible lines are the nodes whose ancestors are all expanded, in document order. */
#ifndef SRC_JSONDOC_H
#define SRC_JSONDOC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum jsondoc_type {
    JSONDOC_OBJECT,
    JSONDOC_ARRAY,
    JSONDOC_STRING,
    JSONDOC_NUMBER,
    JSONDOC_TRUE,
    JSONDOC_FALSE,
    JSONDOC_NULL
};

/* Valid until the next call that changes the document's expansion, or jsondoc_free. */
struct jsondoc_line {
    int depth;               /* root = 0 */
    const char *key;         /* member name (raw UTF-8, not sanitised), or NULL */
    long index;              /* array position, or -1 */
    enum jsondoc_type type;
    const char *value;       /* scalars: string value or number/literal text; else NULL */
    size_t nchildren;        /* containers */
    int expanded;            /* containers */
    size_t node;             /* stable node id, for jsondoc_toggle_node */
};

struct jsondoc;

/* Parse text[0..n). NULL with `err` set ("line L, column C: ...") on a syntax error by
 * jsonscan's strict rules (the same documents the harvest accepts) or past its limits
 * (nesting deeper than JSONSCAN_MAX_DEPTH, ...), and, with a cJSON built without the
 * CVE-2023-26819 fix, for a number longer than 63 characters, which such a cJSON cannot
 * read. Strings are cut at a \u0000 (cJSON keeps C strings).
 * Numbers keep their source text. The root starts expanded, everything else collapsed
 * except containers of depth 1 with at most 8 children. */
struct jsondoc *jsondoc_parse(const char *text, size_t n, struct err *err);
void jsondoc_free(struct jsondoc *d);

size_t jsondoc_nodes(const struct jsondoc *d);
size_t jsondoc_visible(const struct jsondoc *d);
/* Line `i` (< jsondoc_visible). Returns 0, or -1 when out of range. */
int jsondoc_line(const struct jsondoc *d, size_t i, struct jsondoc_line *out);
/* Expand or collapse the container shown on visible line `i`; no-op for scalars. */
void jsondoc_toggle(struct jsondoc *d, size_t i);
/* The same by node id; a node hidden under a collapsed ancestor only changes its own
 * state (seen when the ancestor opens). */
void jsondoc_toggle_node(struct jsondoc *d, size_t node);
/* Visible line showing `node`, or -1 when a collapsed ancestor hides it (to keep the
 * cursor on a node across expansion changes). */
long jsondoc_line_of(const struct jsondoc *d, size_t node);
/* Expand every container down to `depth` (0 = collapse all but the root). */
void jsondoc_expand_depth(struct jsondoc *d, int depth);
/* Dotted path (`a.b[2].c`, "" for the root) of the node on visible line `i`, or NULL
 * when `i` is out of range. Free it. */
char *jsondoc_path(const struct jsondoc *d, size_t i);

#endif
