/* csvstats.h: one sliced pass over a CSV file: its shape, per-column statistics, a
 * sparkline per numeric column and a prefix of rows for the table view.
 *
 * Reading happens in slices (csv_reader_step) so the front-end stays responsive on a
 * 2 GB file; memory stays bounded whatever the file size:
 *   - percentiles are exact up to CSV_PCT_EXACT_MAX numeric values per column, then come
 *     from a uniform reservoir sample of that size (pct_exact says which). Until the
 *     last step they come from at most 1024 of the kept values (pct_exact is then 0);
 *   - top values are exact up to CSV_TOP_EXACT_MAX distinct values per column, then
 *     approximate (top_exact says which): space-saving with the 1024 most frequent
 *     values so far, each count too high by at most rows / 1024. Values are compared
 *     whole but only their first 256 bytes are kept;
 *   - files with more than 256 columns (32 for top values) get smaller per-column
 *     limits, never below 256 values (64 distinct values), so the total stays bounded;
 *   - the table keeps the first CSV_TABLE_MAX_ROWS rows or CSV_TABLE_MAX_BYTES of cell
 *     text and index, whichever comes first (table_rows says how many);
 *   - sparklines keep CSV_SPARK_BUCKETS bucket means, merging pairs as rows grow.
 * The first row is the header unless every one of its cells is a number (then columns
 * are named "col1", "col2", ...; an empty header cell is named the same way). A UTF-8
 * byte order mark is skipped. The delimiter is sniffed from the first 64 KiB among
 * ',', ';', '\t' and '|'. Cells are trimmed of spaces and tabs before classification.
 * A cell is missing when empty or one of NA, N/A, NaN, null, None, nil, "-" (any case).
 * Results depend only on the bytes: any slicing of the steps gives identical figures. */
#ifndef SRC_CSVSTATS_H
#define SRC_CSVSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

#define CSV_TOP_VALUES 5
#define CSV_SPARK_BUCKETS 256
#define CSV_PCT_EXACT_MAX 16384
#define CSV_TOP_EXACT_MAX 4096
#define CSV_TABLE_MAX_ROWS 100000
#define CSV_TABLE_MAX_BYTES (32u << 20)
#define CSV_MAX_FIELD (64u << 20) /* a longer field is an error, not an allocation */
#define CSV_MAX_COLUMNS 4096      /* cells past this column are counted, not kept */

enum csv_coltype {
    CSV_COL_EMPTY, /* every cell missing */
    CSV_COL_INT,   /* every present cell an integer */
    CSV_COL_FLOAT, /* every present cell a number, some not integers */
    CSV_COL_BOOL,  /* true/false, yes/no (any case) */
    CSV_COL_DATE,  /* ISO 8601 dates or date-times (YYYY-MM-DD...) */
    CSV_COL_TEXT,  /* no numbers at all */
    CSV_COL_MIXED  /* numbers and other text: numeric statistics cover the numbers */
};

struct csv_topval {
    char *value; /* raw cell bytes, trimmed, NUL-terminated (not sanitised) */
    uint64_t count;
};

struct csv_column {
    char *name;           /* raw header bytes (not sanitised), or "colN" */
    enum csv_coltype type;
    uint64_t n;           /* numeric cells */
    uint64_t missing;     /* missing cells, including cells absent from short rows */
    uint64_t other;       /* present cells that are not numbers */
    double min, max, mean;
    double stddev;        /* sample standard deviation (n - 1); 0 when n < 2 */
    double p50, p95;      /* linear interpolation between closest ranks; valid when n > 0 */
    int pct_exact;
    struct csv_topval top[CSV_TOP_VALUES]; /* most frequent non-numeric cells, by count */
    int ntop;
    int top_exact;
    uint64_t distinct;    /* distinct non-numeric values (a lower bound when !top_exact) */
    double first10;       /* harvest rule: first number among the first 10 data rows
                             (every column; the caller picks the keyword columns) */
    int has_first10;
    double spark[CSV_SPARK_BUCKETS]; /* mean of the numeric cells of each bucket of rows;
                                        NAN for a bucket without numbers */
    int nspark;           /* buckets in use */
    uint64_t spark_rows;  /* rows per bucket */
};

struct csv_summary {
    int64_t file_size;
    uint64_t bytes_done;  /* progress */
    uint64_t rows;        /* data rows, header excluded, blank lines skipped */
    size_t ncols;
    char delim;
    int has_header;
    uint64_t ragged;      /* rows whose field count differs from the header's */
    int64_t first_invalid_utf8; /* byte offset of the first invalid UTF-8, or -1 */
    int64_t first_nul;          /* byte offset of the first NUL byte (UTF-16? binary?), or -1 */
    struct csv_column *cols;
    size_t table_rows;    /* rows kept for the table view */
    int done;             /* the whole file has been read */
};

enum csv_mode {
    CSV_MODE_FULL,   /* everything above */
    CSV_MODE_HARVEST /* shape, header, first10 and validity only: the inventory's needs */
};

struct csv_reader;

/* Open `path` for reading. NULL with `err` set when it cannot be opened. */
struct csv_reader *csv_reader_open(const char *path, enum csv_mode mode, struct err *err);
/* A reader over memory (tests, fuzzing); `data` is borrowed until the reader is freed. */
struct csv_reader *csv_reader_mem(const char *data, size_t n, enum csv_mode mode);
/* Work until done or until `deadline_ns` (clock_now_ns; 0 = no deadline) passes.
 * Returns 1 when there is more to do, 0 when done, -1 on error: `err` says why
 * (unreadable, a field over CSV_MAX_FIELD). NUL bytes are no error: see first_nul. */
int csv_reader_step(struct csv_reader *r, int64_t deadline_ns, struct err *err) ATTR_WUR;
/* The statistics so far (final once step returned 0); valid until the reader is freed. */
const struct csv_summary *csv_reader_summary(const struct csv_reader *r);
/* Cell of the table prefix (row < table_rows, col < ncols): raw bytes, NUL-terminated;
 * "" for cells absent from short rows. *len may be NULL. */
const char *csv_reader_cell(const struct csv_reader *r, size_t row, size_t col, size_t *len);
void csv_reader_free(struct csv_reader *r);

/* Human name of a column type ("int", "float", "bool", "date", "text", "mixed", "empty"). */
const char *csv_coltype_name(enum csv_coltype t);
/* True for types whose numeric statistics mean something (int, float, mixed). */
int csv_coltype_numeric(enum csv_coltype t);

#endif
