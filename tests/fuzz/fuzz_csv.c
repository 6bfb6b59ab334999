/* fuzz_csv.c: libFuzzer target for the CSV reader and csvsrc.
 *
 * Build and run (no crash files are kept in the repository):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc tests/fuzz/fuzz_csv.c \
 *       src/numparse.c src/csvsrc.c src/csvcol.c src/csvstats.c src/buf.c src/xmem.c \
 *       src/err.c src/clock.c -lcsv -lm -o /tmp/fuzz_csv
 *   /tmp/fuzz_csv -max_total_time=120 -artifact_prefix=/tmp/
 *
 * Input: byte 0 seeds the split pattern, the rest is the CSV. Checks:
 *   - csv_reader_mem in FULL mode (sliced with a deadline in the past) and HARVEST mode:
 *     no crash or leak, sane shape (every column has n + missing + other == rows, table
 *     prefix within the rows, cells as long as they say), both modes agree on the shape;
 *   - csvsrc fed in random pieces with its fast path gives exactly the callbacks of
 *     plain libcsv fed in one piece. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csvsrc.h"
#include "csvstats.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_check(int ok)
{
    if (!ok)
        abort();
}

static void fz_field(const char *d, size_t len, size_t col, void *arg)
{
    struct buf *b = arg;

    fz_check(buf_printf(b, "[%zu:%zu:", col, len) == 0);
    fz_check(buf_append(b, d, len) == 0);
    fz_check(buf_putc(b, ']') == 0);
}

static void fz_row(size_t nfields, void *arg)
{
    fz_check(buf_printf(arg, "|%zu\n", nfields) == 0);
}

/* The trace of csvsrc over data, in pieces cut by a small PRNG (one piece if !split). */
static char *fz_trace(const char *d, size_t n, char delim, unsigned split, int fast)
{
    struct buf b;
    struct csvsrc *s;
    struct err err;
    uint32_t x = split * 2654435761u + 1;
    size_t at = 0;
    int ok = 1;

    buf_init(&b, (size_t)1 << 30);
    s = csvsrc_new(delim, (size_t)1 << 20, fz_field, fz_row, &b);
    csvsrc_set_fast(s, fast);
    while (ok && at < n) {
        size_t k = n - at;

        if (split != 0) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            k = 1 + x % 17;
            if (k > n - at)
                k = n - at;
        }
        ok = csvsrc_feed(s, d + at, k, &err) == 0;
        at += k;
    }
    if (ok)
        ok = csvsrc_finish(s, &err) == 0;
    csvsrc_free(s);
    fz_check(ok); /* fields here are far below the 1 MiB cap */
    return buf_steal(&b);
}

static void fz_invariants(const struct csv_reader *r, size_t size, int full)
{
    const struct csv_summary *s = csv_reader_summary(r);

    fz_check(s->done);
    fz_check(s->bytes_done == size);
    fz_check(s->ncols <= CSV_MAX_COLUMNS);
    fz_check(s->rows <= size);
    fz_check(s->ragged <= s->rows);
    fz_check(s->first_invalid_utf8 < (int64_t)size);
    fz_check(s->table_rows <= s->rows);
    fz_check(full || s->table_rows == 0);
    for (size_t i = 0; i < s->ncols; i++) {
        const struct csv_column *c = &s->cols[i];

        fz_check(c->name != NULL);
        if (!full)
            continue;
        fz_check(c->n + c->missing + c->other == s->rows);
        fz_check(c->ntop >= 0 && c->ntop <= CSV_TOP_VALUES);
        fz_check(c->nspark >= 0 && c->nspark <= CSV_SPARK_BUCKETS);
        for (int k = 0; k < c->ntop; k++)
            fz_check(c->top[k].value != NULL && c->top[k].count > 0);
        if (c->n > 0 && isfinite(c->mean) && isfinite(c->min) && isfinite(c->max)) {
            fz_check(c->min <= c->max);
            fz_check(c->p50 >= c->min && c->p50 <= c->max);
            fz_check(c->p95 >= c->min && c->p95 <= c->max);
        }
    }
    for (size_t row = 0; row < s->table_rows; row++) {
        for (size_t i = 0; i < s->ncols; i++) {
            size_t len;
            const char *cell = csv_reader_cell(r, row, i, &len);

            /* NUL-terminated at len; a NUL byte inside is data (recorded, not refused) */
            fz_check(cell[len] == '\0' && strlen(cell) <= len);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *csv = (const char *)data + 1;
    struct csv_reader *full, *harvest;
    struct err err;
    unsigned seed;
    char *a, *b;
    int rc;

    if (size < 1)
        return 0;
    seed = data[0];
    size--;

    full = csv_reader_mem(csv, size, CSV_MODE_FULL);
    while ((rc = csv_reader_step(full, 1, &err)) > 0)
        ;
    harvest = csv_reader_mem(csv, size, CSV_MODE_HARVEST);
    if (csv_reader_step(harvest, 0, &err) != rc)
        abort(); /* both fail or both succeed */
    if (rc == 0) {
        const struct csv_summary *x = csv_reader_summary(full), *y = csv_reader_summary(harvest);

        fz_invariants(full, size, 1);
        fz_invariants(harvest, size, 0);
        fz_check(x->rows == y->rows && x->ncols == y->ncols && x->ragged == y->ragged);
        fz_check(x->has_header == y->has_header && x->delim == y->delim);
        fz_check(x->first_invalid_utf8 == y->first_invalid_utf8);
        for (size_t i = 0; i < x->ncols; i++) {
            fz_check(x->cols[i].has_first10 == y->cols[i].has_first10);
            fz_check(strcmp(x->cols[i].name, y->cols[i].name) == 0);
        }
    } else {
        fz_check(err.msg[0] != '\0'); /* a parser error, said (NUL bytes are not one) */
    }
    csv_reader_free(full);
    csv_reader_free(harvest);

    a = fz_trace(csv, size, seed & 1 ? ';' : ',', 0, 0);        /* libcsv, one piece */
    b = fz_trace(csv, size, seed & 1 ? ';' : ',', seed | 2, 1); /* fast path, in pieces */
    fz_check(strcmp(a, b) == 0);
    free(a);
    free(b);
    return 0;
}
