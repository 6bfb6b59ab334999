/* harvest.h: the harvested metrics of SPEC section 5 step 3, as an ordered map.
 *
 * Keys keep their first value ("first wins", as the original agent's or_insert did).
 * The rule's pieces live here so every reader applies the same one:
 *   - a label is a metric when it contains tok, throughput, latency, ttft or speed
 *     (ASCII case-insensitive; U+212A KELVIN SIGN also counts as 'k', since the original
 *     lower-cased with Unicode rules, which map it to 'k');
 *   - a numeric string is one that parses as a finite decimal after trimming white space
 *     (Unicode White_Space, as Rust's str::trim), removing trailing '%' and 's' characters
 *     and every ','. */
#ifndef SRC_HARVEST_H
#define SRC_HARVEST_H

#include <stddef.h>
#include <stdint.h>

struct json_leaf;
struct hv_keys;

enum harvest_type {
    HARVEST_NUMBER,  /* a double, printed as the original did ("41.0" keeps its ".0") */
    HARVEST_COUNT,   /* an unsigned integer count, printed without decimals */
    HARVEST_STRINGS  /* a list of strings (data_types) */
};

struct harvest_entry {
    char *key;                     /* owned by the map */
    enum harvest_type type;
    double number;
    uint64_t count;
    char **strings;
    size_t nstrings;
};

struct harvest {
    struct harvest_entry *entries; /* in insertion order */
    size_t n, cap;
    size_t *index;                 /* open-addressing hash of entry positions */
    size_t index_cap;
    /* harvest_json_leaf's memo: the last path it tested and where that path's first
     * keyword ends (SIZE_MAX: none), so a path sharing its prefix is not scanned again */
    char *memo;
    size_t memo_len, memo_hit;
    struct hv_keys *keys;          /* blocks holding the entries' keys (harvest.c) */
};

void harvest_init(struct harvest *h);
void harvest_fini(struct harvest *h);

/* Does s[0..n) contain one of the metric keywords? */
int harvest_keyword(const char *s, size_t n);
/* The numeric-string rule. Returns 1 and sets *out, or 0. */
int harvest_parse_number(const char *s, size_t n, double *out);

/* Insert unless the key exists. Return 1 when inserted, 0 when the key was there. */
int harvest_put_number(struct harvest *h, const char *key, double v);
int harvest_put_count(struct harvest *h, const char *key, uint64_t v);
int harvest_put_strings(struct harvest *h, const char *key, const char *const *v, size_t n);
const struct harvest_entry *harvest_get(const struct harvest *h, const char *key);

/* jsonscan_leaf_fn adapter: applies the JSON rule (numbers and numeric strings whose
 * non-empty path matches) with `arg` a struct harvest *, inserting "json_<path>". */
void harvest_json_leaf(const struct json_leaf *leaf, void *arg);

/* The map as pretty JSON, keys sorted bytewise, two-space indent, no trailing newline
 * (the "Performance Metrics" block of the report prompt). Free it. */
char *harvest_to_json(const struct harvest *h);

/* One value as JSON text (numbers in the original's form). Free it. */
char *harvest_value_json(const struct harvest_entry *e);

#endif
