/* csvstats.c: the sliced CSV reader: reading, validation, header, shape, table prefix.
 *
 * One pass, in chunks of RD_CHUNK bytes. Each chunk is checked for NUL bytes (a binary
 * file is refused, never shown) and for UTF-8 validity (the state carries across chunks,
 * since a sequence may straddle two reads), then fed to csvsrc. The first row is held
 * back until it ends, because only then do we know whether it is a header; per-column
 * accumulation lives in csvcol.c. Everything is deterministic and depends only on the
 * bytes, so any slicing gives the same result as one big step. */
#include "csvstats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "csvcol.h"
#include "csvsrc.h"
#include "harvest.h"
#include "numparse.h"
#include "xmem.h"

#define RD_CHUNK ((size_t)1 << 20)
#define RD_SNIFF ((size_t)64 << 10)
#define RD_FIRST10_ROWS 10
/* Wide files share these budgets (values kept for percentiles, exact top-value entries)
 * so memory stays bounded whatever the column count; up to 256 (resp. 32) columns each
 * column gets the full CSV_PCT_EXACT_MAX (resp. CSV_TOP_EXACT_MAX). */
#define RD_PCT_BUDGET ((size_t)4 << 20)
#define RD_PCT_FLOOR ((size_t)256)
#define RD_TOP_BUDGET ((size_t)128 << 10)
#define RD_TOP_FLOOR ((size_t)64)
#define RD_SEED UINT64_C(0x6a09e667f3bcc909)

struct rd_utf8 {
    uint64_t start;       /* offset of the lead byte of the sequence in progress */
    unsigned need;        /* continuation bytes still expected */
    unsigned char lo, hi; /* allowed range of the next continuation byte */
};

/* The table prefix: all cell bytes in one arena (each NUL-terminated), the offset of each
 * cell, and for each row the index of its first cell (row[nrows] closes the last row). */
struct rd_table {
    char *bytes;
    size_t len, cap;
    uint32_t *cell;
    size_t ncell, cell_cap;
    uint32_t *row;
    size_t nrows, row_cap;
    size_t mark_len, mark_cell; /* where the row being added started */
    int open;
};

struct csv_reader {
    enum csv_mode mode;
    char *path; /* NULL for a memory reader */
    int fd;
    const char *mem;
    size_t mem_len, mem_pos;
    char *chunk;
    struct csvsrc *src; /* created with the first chunk, once the delimiter is known */
    struct csv_summary sum;
    struct csvcol *acc; /* FULL mode: one per column */
    size_t cols_cap;
    double *scratch; /* for percentiles: CSV_PCT_EXACT_MAX doubles */
    /* the first row, kept until it ends */
    int first_pending;
    struct buf first;
    size_t *first_off; /* start of each kept cell in `first`; one more closes the last */
    size_t nfirst, first_off_cap;
    int first_trunc;      /* a cell did not fit: the row cannot be replayed as data */
    size_t header_fields; /* fields in the first row: the width ragged rows differ from */
    /* sparkline position: rows per bucket, the current bucket, rows in it so far */
    uint64_t spark_rows, in_bucket;
    size_t bucket;
    struct rd_table tab;
    struct rd_utf8 utf8;
    uint64_t offset; /* bytes read so far */
    int failed;
    struct err fail; /* the error, repeated by every later step */
};

const char *csv_coltype_name(enum csv_coltype t)
{
    switch (t) {
    case CSV_COL_EMPTY:
        return "empty";
    case CSV_COL_INT:
        return "int";
    case CSV_COL_FLOAT:
        return "float";
    case CSV_COL_BOOL:
        return "bool";
    case CSV_COL_DATE:
        return "date";
    case CSV_COL_TEXT:
        return "text";
    case CSV_COL_MIXED:
        return "mixed";
    }
    return "?";
}

int csv_coltype_numeric(enum csv_coltype t)
{
    return t == CSV_COL_INT || t == CSV_COL_FLOAT || t == CSV_COL_MIXED;
}

/* --- UTF-8 validation across chunk boundaries ----------------------------------------- */

/* Offset of the first invalid byte sequence in p[0..n) (which starts at file offset
 * `base`), or -1. A sequence cut short is reported at its lead byte. */
static int64_t rd_utf8_scan(struct rd_utf8 *u, const unsigned char *p, size_t n, uint64_t base)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c;

        if (u->need > 0) {
            c = p[i];
            if (c < u->lo || c > u->hi)
                return (int64_t)u->start;
            u->lo = 0x80;
            u->hi = 0xbf;
            u->need--;
            i++;
            continue;
        }
        /* ASCII runs dominate: skip them eight bytes at a time */
        while (n - i >= 8) {
            uint64_t w;

            memcpy(&w, p + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= n)
            break;
        c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        u->start = base + i;
        u->lo = 0x80;
        u->hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            u->need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            u->need = 2;
            if (c == 0xe0)
                u->lo = 0xa0; /* no overlong forms */
            else if (c == 0xed)
                u->hi = 0x9f; /* no UTF-16 surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            u->need = 3;
            if (c == 0xf0)
                u->lo = 0x90;
            else if (c == 0xf4)
                u->hi = 0x8f; /* nothing past U+10FFFF */
        } else {
            return (int64_t)(base + i);
        }
        i++;
    }
    return -1;
}

/* --- the table prefix ----------------------------------------------------------------- */

static void tab_init(struct rd_table *t)
{
    memset(t, 0, sizeof *t);
    t->row = xgrow(NULL, &t->row_cap, 1, sizeof *t->row);
    t->row[0] = 0;
    t->open = 1;
}

static void tab_fini(struct rd_table *t)
{
    free(t->bytes);
    free(t->cell);
    free(t->row);
}

/* The budget covers the cell bytes with their NULs and both index arrays. */
static size_t tab_cost(const struct rd_table *t, size_t extra_bytes)
{
    return t->len + extra_bytes + (t->ncell + 1) * sizeof *t->cell +
           (t->nrows + 2) * sizeof *t->row;
}

static void tab_close(struct rd_table *t)
{
    t->len = t->mark_len;
    t->ncell = t->mark_cell;
    t->open = 0;
}

static void tab_cell(struct rd_table *t, const char *s, size_t n)
{
    if (n >= CSV_TABLE_MAX_BYTES || tab_cost(t, n + 1) > CSV_TABLE_MAX_BYTES) {
        tab_close(t); /* drop the partial row: the table holds whole rows only */
        return;
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;

        while (cap < t->len + n + 1)
            cap *= 2;
        t->bytes = xrealloc(t->bytes, cap);
        t->cap = cap;
    }
    memcpy(t->bytes + t->len, s, n);
    t->bytes[t->len + n] = '\0';
    t->cell = xgrow(t->cell, &t->cell_cap, t->ncell + 1, sizeof *t->cell);
    t->cell[t->ncell++] = (uint32_t)t->len;
    t->len += n + 1;
}

static void tab_row_end(struct rd_table *t)
{
    t->row = xgrow(t->row, &t->row_cap, t->nrows + 2, sizeof *t->row);
    t->row[++t->nrows] = (uint32_t)t->ncell;
    t->mark_len = t->len;
    t->mark_cell = t->ncell;
    if (t->nrows >= CSV_TABLE_MAX_ROWS)
        t->open = 0;
}

/* --- columns and rows ----------------------------------------------------------------- */

static size_t rd_share(size_t budget, size_t ncols, size_t floor, size_t ceil)
{
    size_t v = budget / (ncols ? ncols : 1);

    return v < floor ? floor : v > ceil ? ceil : v;
}

/* Make columns [ncols, n) exist; n <= CSV_MAX_COLUMNS. A column that appears with a long
 * row has been missing from every earlier data row. */
static void rd_add_columns(struct csv_reader *r, size_t n)
{
    size_t old = r->sum.ncols;

    if (n > r->cols_cap) {
        size_t cap = r->cols_cap ? r->cols_cap * 2 : 16;

        if (cap < n)
            cap = n;
        r->sum.cols = xrealloc(r->sum.cols, cap * sizeof *r->sum.cols);
        if (r->mode == CSV_MODE_FULL)
            r->acc = xrealloc(r->acc, cap * sizeof *r->acc);
        r->cols_cap = cap;
    }
    for (size_t i = old; i < n; i++) {
        struct csv_column *c = &r->sum.cols[i];

        memset(c, 0, sizeof *c);
        c->name = xasprintf("col%zu", i + 1);
        c->spark_rows = r->spark_rows;
        if (r->mode == CSV_MODE_FULL) {
            csvcol_init(&r->acc[i], rd_share(RD_PCT_BUDGET, n, RD_PCT_FLOOR, CSV_PCT_EXACT_MAX),
                        rd_share(RD_TOP_BUDGET, n, RD_TOP_FLOOR, CSV_TOP_EXACT_MAX),
                        RD_SEED ^ (uint64_t)i);
            csvcol_add_missing(&r->acc[i], r->sum.rows);
        }
    }
    r->sum.ncols = n;
}

static inline void rd_cell(struct csv_reader *r, const char *data, size_t len, size_t col)
{
    if (col >= CSV_MAX_COLUMNS)
        return;
    if (col >= r->sum.ncols)
        rd_add_columns(r, col + 1);
    if (r->sum.rows < RD_FIRST10_ROWS && !r->sum.cols[col].has_first10) {
        double v;

        if (harvest_parse_number(data, len, &v)) {
            r->sum.cols[col].first10 = v;
            r->sum.cols[col].has_first10 = 1;
        }
    }
    if (r->mode != CSV_MODE_FULL)
        return;
    if (r->tab.open)
        tab_cell(&r->tab, data, len);
    csvcol_add(&r->acc[col], data, len, r->bucket);
}

static void rd_row(struct csv_reader *r, size_t nfields)
{
    if (nfields != r->header_fields)
        r->sum.ragged++;
    r->sum.rows++;
    if (r->mode != CSV_MODE_FULL)
        return;
    for (size_t col = nfields; col < r->sum.ncols; col++)
        csvcol_add_missing(&r->acc[col], 1);
    if (r->tab.open)
        tab_row_end(&r->tab);
    if (++r->in_bucket == r->spark_rows) {
        r->in_bucket = 0;
        if (++r->bucket == CSV_SPARK_BUCKETS) {
            for (size_t col = 0; col < r->sum.ncols; col++)
                csvcol_spark_halve(&r->acc[col]);
            r->spark_rows *= 2;
            r->bucket = CSV_SPARK_BUCKETS / 2;
        }
    }
}

/* --- the first row -------------------------------------------------------------------- */

static void rd_first_cell(struct csv_reader *r, const char *data, size_t len, size_t col)
{
    if (col >= CSV_MAX_COLUMNS)
        return;
    r->first_off = xgrow(r->first_off, &r->first_off_cap, col + 2, sizeof *r->first_off);
    if (col == 0)
        r->first_off[0] = 0;
    if (buf_append(&r->first, data, len) < 0)
        r->first_trunc = 1; /* an absurdly long first row: keep it as a (cut) header */
    r->first_off[col + 1] = r->first.len;
    r->nfirst = col + 1;
}

/* The first row ended: a header unless every kept cell is a number, in which case it is
 * replayed as the first data row. */
static void rd_first_row(struct csv_reader *r, size_t nfields)
{
    const char *base = buf_cstr(&r->first);
    int numeric = !r->first_trunc && r->nfirst > 0;
    size_t i;

    for (i = 0; numeric && i < r->nfirst; i++) {
        double v;

        numeric = num_parse(base + r->first_off[i], r->first_off[i + 1] - r->first_off[i], &v);
    }
    r->first_pending = 0;
    r->header_fields = nfields;
    r->sum.has_header = !numeric;
    rd_add_columns(r, r->nfirst);
    for (i = 0; i < r->nfirst; i++) {
        const char *cell = base + r->first_off[i];
        size_t len = r->first_off[i + 1] - r->first_off[i];

        if (numeric) {
            rd_cell(r, cell, len, i);
        } else if (len > 0) {
            free(r->sum.cols[i].name);
            r->sum.cols[i].name = xstrndup(cell, len);
        }
    }
    if (numeric)
        rd_row(r, nfields);
    buf_fini(&r->first);
    free(r->first_off);
    r->first_off = NULL;
    r->nfirst = 0;
}

static void rd_on_field(const char *data, size_t len, size_t col, void *arg)
{
    struct csv_reader *r = arg;

    if (r->first_pending)
        rd_first_cell(r, data, len, col);
    else
        rd_cell(r, data, len, col);
}

static void rd_on_row(size_t nfields, void *arg)
{
    struct csv_reader *r = arg;

    if (r->first_pending)
        rd_first_row(r, nfields);
    else
        rd_row(r, nfields);
}

/* --- reading -------------------------------------------------------------------------- */

static struct csv_reader *rd_new(enum csv_mode mode)
{
    struct csv_reader *r = xcalloc(1, sizeof *r);

    r->mode = mode;
    r->fd = -1;
    r->first_pending = 1;
    buf_init(&r->first, CSV_MAX_FIELD);
    r->spark_rows = 1;
    r->sum.delim = ',';
    r->sum.first_invalid_utf8 = -1;
    r->sum.first_nul = -1;
    if (mode == CSV_MODE_FULL)
        tab_init(&r->tab);
    return r;
}

struct csv_reader *csv_reader_open(const char *path, enum csv_mode mode, struct err *err)
{
    struct csv_reader *r;
    struct stat st;
    /* O_NONBLOCK: opening a FIFO named like a CSV must not hang the event loop */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0) {
        err_set(err, errno, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0) {
        err_set(err, errno, "cannot stat %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        err_set(err, EINVAL, "cannot read %s: not a regular file", path);
        close(fd);
        return NULL;
    }
    r = rd_new(mode);
    r->path = xstrdup(path);
    r->fd = fd;
    r->chunk = xmalloc(RD_CHUNK);
    r->sum.file_size = (int64_t)st.st_size;
    return r;
}

struct csv_reader *csv_reader_mem(const char *data, size_t n, enum csv_mode mode)
{
    struct csv_reader *r = rd_new(mode);

    r->mem = data;
    r->mem_len = n;
    r->sum.file_size = (int64_t)n;
    return r;
}

/* The next chunk: RD_CHUNK bytes unless the input ends first; *n == 0 at the end. */
static int rd_read(struct csv_reader *r, const char **p, size_t *n, struct err *err)
{
    size_t got = 0;

    if (r->path == NULL) {
        *p = r->mem + r->mem_pos;
        *n = r->mem_len - r->mem_pos < RD_CHUNK ? r->mem_len - r->mem_pos : RD_CHUNK;
        r->mem_pos += *n;
        return 0;
    }
    while (got < RD_CHUNK) {
        ssize_t k = read(r->fd, r->chunk + got, RD_CHUNK - got);

        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            err_set(err, errno, "cannot read %s: %s", r->path, strerror(errno));
            return -1;
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    *p = r->chunk;
    *n = got;
    return 0;
}

static int rd_chunk(struct csv_reader *r, const char *p, size_t n, struct err *err)
{
    /* NUL bytes are valid UTF-8, and the original agent read such files (a UTF-16 export
     * is typical), so they are recorded for the reader to warn about, not refused */
    if (r->sum.first_nul < 0) {
        const char *nul = memchr(p, '\0', n);

        if (nul != NULL)
            r->sum.first_nul = (int64_t)(r->offset + (uint64_t)(nul - p));
    }
    if (r->sum.first_invalid_utf8 < 0)
        r->sum.first_invalid_utf8 = rd_utf8_scan(&r->utf8, (const unsigned char *)p, n, r->offset);
    if (r->src == NULL) {
        /* a UTF-8 byte order mark is not part of the first header name */
        if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
            p += 3;
            n -= 3;
            r->offset += 3;
        }
        r->sum.delim = csvsrc_sniff(p, n < RD_SNIFF ? n : RD_SNIFF);
        r->src = csvsrc_new(r->sum.delim, CSV_MAX_FIELD, rd_on_field, rd_on_row, r);
    }
    if (csvsrc_feed(r->src, p, n, err) < 0)
        return -1;
    r->offset += n;
    r->sum.bytes_done = r->offset;
    return 0;
}

static void rd_summarize(struct csv_reader *r, int final)
{
    size_t nspark = r->bucket + (r->in_bucket > 0);

    r->sum.table_rows = r->tab.nrows;
    if (r->mode != CSV_MODE_FULL)
        return;
    if (r->scratch == NULL && r->sum.ncols > 0)
        r->scratch = xmalloc(CSV_PCT_EXACT_MAX * sizeof *r->scratch);
    for (size_t i = 0; i < r->sum.ncols; i++) {
        csvcol_summarize(&r->acc[i], &r->sum.cols[i], nspark, r->scratch, final);
        r->sum.cols[i].spark_rows = r->spark_rows;
    }
}

static int rd_finish(struct csv_reader *r, struct err *err)
{
    if (r->utf8.need > 0 && r->sum.first_invalid_utf8 < 0)
        r->sum.first_invalid_utf8 = (int64_t)r->utf8.start;
    if (r->src != NULL && csvsrc_finish(r->src, err) < 0)
        return -1;
    r->sum.bytes_done = r->offset;
    r->sum.done = 1;
    if (r->fd >= 0) {
        close(r->fd);
        r->fd = -1;
    }
    return 0;
}

int csv_reader_step(struct csv_reader *r, int64_t deadline_ns, struct err *err)
{
    struct err e;

    if (r->failed) {
        if (err != NULL)
            *err = r->fail;
        return -1;
    }
    if (r->sum.done)
        return 0;
    err_clear(&e);
    for (;;) {
        const char *p;
        size_t n;

        if (rd_read(r, &p, &n, &e) < 0)
            break;
        if (n == 0) {
            if (rd_finish(r, &e) < 0)
                break;
            rd_summarize(r, 1);
            return 0;
        }
        if (rd_chunk(r, p, n, &e) < 0)
            break;
        if (clock_past(deadline_ns)) {
            rd_summarize(r, 0);
            return 1;
        }
    }
    r->failed = 1;
    r->fail = e;
    if (err != NULL)
        *err = e;
    return -1;
}

const struct csv_summary *csv_reader_summary(const struct csv_reader *r)
{
    return &r->sum;
}

const char *csv_reader_cell(const struct csv_reader *r, size_t row, size_t col, size_t *len)
{
    const struct rd_table *t = &r->tab;
    size_t idx, end;

    if (len != NULL)
        *len = 0;
    if (row >= t->nrows || col >= r->sum.ncols)
        return "";
    idx = t->row[row] + col;
    if (idx >= t->row[row + 1])
        return ""; /* a short row */
    end = idx + 1 < t->ncell ? t->cell[idx + 1] : t->len;
    if (len != NULL)
        *len = end - t->cell[idx] - 1;
    return t->bytes + t->cell[idx];
}

void csv_reader_free(struct csv_reader *r)
{
    if (r == NULL)
        return;
    if (r->fd >= 0)
        close(r->fd);
    csvsrc_free(r->src);
    for (size_t i = 0; i < r->sum.ncols; i++) {
        struct csv_column *c = &r->sum.cols[i];

        free(c->name);
        for (int j = 0; j < CSV_TOP_VALUES; j++)
            free(c->top[j].value);
        if (r->mode == CSV_MODE_FULL)
            csvcol_fini(&r->acc[i]);
    }
    free(r->sum.cols);
    free(r->acc);
    free(r->scratch);
    buf_fini(&r->first);
    free(r->first_off);
    tab_fini(&r->tab);
    free(r->chunk);
    free(r->path);
    free(r);
}
