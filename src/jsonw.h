/* jsonw.h: a small streaming JSON writer into a struct buf (pretty, two-space indent),
 * for the files chimera writes (metrics.json) and `--json` outputs. Strings are escaped
 * per RFC 8259; invalid UTF-8 is written as U+FFFD so the output always parses. Numbers:
 * shortest text that reads back as the same double; NaN and infinities, which JSON cannot
 * carry, become null. */
#ifndef SRC_JSONW_H
#define SRC_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JSONW_MAX_DEPTH 64

struct jsonw {
    struct buf *out;
    int depth;
    int count[JSONW_MAX_DEPTH]; /* values written at each level */
    int after_key;
    int failed;                 /* the buffer hit its maximum */
};

void jsonw_init(struct jsonw *w, struct buf *out);
void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_string_n(struct jsonw *w, const char *s, size_t n);
void jsonw_string_or_null(struct jsonw *w, const char *s);
void jsonw_double(struct jsonw *w, double v);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, int v);
void jsonw_null(struct jsonw *w);
/* Raw JSON text as a value (already valid JSON, e.g. from harvest_value_json). */
void jsonw_raw(struct jsonw *w, const char *json);
/* A pretty-printed JSON block (objects over several lines, as harvest_to_json gives),
 * re-indented to sit at the current depth. */
void jsonw_raw_block(struct jsonw *w, const char *json);
/* 0, or -1 if anything was lost to the buffer's maximum. */
int jsonw_finish(struct jsonw *w);

/* Shortest decimal text that strtod reads back as `v` ("0.1", "41.09", "1e+20"). */
void jsonw_format_double(char *out, size_t cap, double v);

#endif
