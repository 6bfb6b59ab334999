/* jsonscan.h: a strict (RFC 8259), incremental JSON scanner that reports each scalar leaf
 * with its dotted path, in constant memory.
 *
 * Feed it chunks of any size, split anywhere (inside strings, escapes, numbers, UTF-8
 * sequences). Paths follow the harvest rule's form: object members join with '.', array
 * items add "[i]": `a.b[2].c`; a top-level array gives `[0].x`; a top-level scalar has the
 * empty path. Keys appear decoded (escapes resolved) as UTF-8.
 * Limits, stated up front (ncdu's rule): nesting depth JSONSCAN_MAX_DEPTH, path length
 * JSONSCAN_MAX_PATH bytes, a string leaf's delivered value JSONSCAN_MAX_STRING bytes
 * (longer values are still validated, delivered truncated at a character boundary with
 * `truncated` set), a number's source text JSONSCAN_MAX_NUMBER bytes (it must be whole to
 * be converted). Passing the depth, path or number limit is an error.
 * Strictness (what serde_json, the original agent's parser, also rejects): trailing
 * commas, comments, single quotes, leading zeros, NaN/Infinity, control characters in
 * strings, invalid UTF-8, lone surrogate escapes, numbers that overflow a double,
 * trailing non-whitespace after the document, empty input. */
#ifndef SRC_JSONSCAN_H
#define SRC_JSONSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

#define JSONSCAN_MAX_DEPTH 512
#define JSONSCAN_MAX_PATH 4096
#define JSONSCAN_MAX_STRING 4096
#define JSONSCAN_MAX_NUMBER 1024

enum json_leaf_type {
    JSON_LEAF_NUMBER,
    JSON_LEAF_STRING,
    JSON_LEAF_TRUE,
    JSON_LEAF_FALSE,
    JSON_LEAF_NULL
};

/* Valid only during the callback. */
struct json_leaf {
    const char *path; /* NUL-terminated */
    size_t pathlen;
    enum json_leaf_type type;
    const char *text; /* number: source text; string: decoded value; NUL-terminated */
    size_t textlen;
    double number;    /* numbers only */
    int truncated;    /* string longer than JSONSCAN_MAX_STRING */
};

typedef void (*jsonscan_leaf_fn)(const struct json_leaf *leaf, void *arg);

struct jsonscan_stats {
    uint64_t values;  /* every value, containers included */
    uint64_t objects, arrays, strings, numbers, literals;
    int max_depth;
};

struct jsonscan;

/* `leaf` may be NULL to only validate. */
struct jsonscan *jsonscan_new(jsonscan_leaf_fn leaf, void *arg);
/* 0, or -1 on a syntax error: `err` says "line L, column C: <what>" (1-based, columns in
 * bytes). After an error further feeds fail the same way. */
int jsonscan_feed(struct jsonscan *s, const char *data, size_t n, struct err *err) ATTR_WUR;
/* End of input: -1 when the document is empty or incomplete. */
int jsonscan_finish(struct jsonscan *s, struct err *err) ATTR_WUR;
const struct jsonscan_stats *jsonscan_stats(const struct jsonscan *s);
void jsonscan_free(struct jsonscan *s);

#endif
