/* csvcol.h: per-column accumulation for csvstats (internal to the CSV reader).
 *
 * One struct csvcol per column takes every data cell of that column, classifies it
 * (number, missing, bool, date, text) and keeps bounded summaries: Welford moments and
 * min/max, a reservoir of numbers for percentiles, exact-then-approximate top values of
 * the non-numeric cells, and sparkline bucket sums. csvcol_summarize turns it into the
 * public struct csv_column. Nothing here allocates per cell. */
#ifndef SRC_CSVCOL_H
#define SRC_CSVCOL_H

#include <stddef.h>
#include <stdint.h>

#include "csvstats.h"

/* Top values longer than this keep only this prefix (counted by full value and hash). */
#define CSVCOL_TOP_KEY_MAX 256

/* Numbers are merged into the moments this many at a time. */
#define CSVCOL_BATCH 32

struct csvcol_top; /* top-value counters, private to csvcol.c */

struct csvcol {
    uint64_t n_int, n_float;         /* numeric cells */
    uint64_t n_bool, n_date, n_text; /* non-numeric present cells by kind */
    uint64_t missing;
    /* Welford's moments, merged batch by batch (Chan et al.): n, mean, m2, min and max
     * cover the merged values; `batch` holds the next nbatch values */
    uint64_t n;
    double mean, m2, min, max;
    double batch[CSVCOL_BATCH];
    size_t nbatch;
    /* reservoir (Vitter/Li "Algorithm L"): exact while seen <= cap */
    double *res;
    size_t res_len, res_alloc, res_cap;
    uint64_t res_seen, res_skip;
    double res_w;
    uint64_t rng;
    struct csvcol_top *top; /* created on the first non-numeric cell */
    size_t top_cap;
    double spark_sum[CSV_SPARK_BUCKETS];
    uint64_t spark_cnt[CSV_SPARK_BUCKETS];
};

/* Set up with at most `pct_cap` numbers kept for percentiles and `top_cap` distinct
 * values counted exactly; `seed` makes the reservoir sample reproducible. */
void csvcol_init(struct csvcol *c, size_t pct_cap, size_t top_cap, uint64_t seed);
void csvcol_fini(struct csvcol *c);

/* One data cell (raw bytes; trimmed of spaces and tabs here) of a row in sparkline
 * bucket `bucket` (< CSV_SPARK_BUCKETS). */
void csvcol_add(struct csvcol *c, const char *s, size_t n, size_t bucket);

/* Cells absent from short rows. */
void csvcol_add_missing(struct csvcol *c, uint64_t k);

/* Merge sparkline buckets pairwise (2i and 2i+1 into i): the rows per bucket doubled. */
void csvcol_spark_halve(struct csvcol *c);

/* Fill the statistics of `out` (type, counts, moments, percentiles, top values, the first
 * `nspark` sparkline means; NAN for an empty bucket). Frees and replaces out->top[].value.
 * `scratch` must hold pct_cap doubles. Unless `final`, percentiles come from at most 1024
 * of the kept values (cheap progress figures; pct_exact is then 0). The accumulator is
 * not changed, so summarizing between cells does not alter later results. */
void csvcol_summarize(const struct csvcol *c, struct csv_column *out, size_t nspark,
                      double *scratch, int final);

/* Is the trimmed cell one of the missing markers (empty, NA, N/A, NaN, null, None, nil,
 * "-", any case)? */
int csvcol_is_missing(const char *s, size_t n);

/* Trim ASCII spaces and tabs from both ends of s[0..*n); returns the new start. */
const char *csvcol_trim(const char *s, size_t *n);

#endif
