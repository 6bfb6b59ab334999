/* test_csvstats.c: the sliced CSV reader: statistics worked out by hand, types, header
 * detection, ragged rows, validation, the table prefix, first10, sparklines, slicing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csvstats.h"
#include "err.h"
#include "testutil.h"

#define EPS 1e-9

/* Read `data` to the end in one step; the reader is returned for inspection. */
static struct csv_reader *read_all(const char *data, size_t n, enum csv_mode mode)
{
    struct csv_reader *r = csv_reader_mem(data, n, mode);
    struct err err;

    assert_int_equal(csv_reader_step(r, 0, &err), 0);
    assert_true(csv_reader_summary(r)->done);
    return r;
}

static struct csv_reader *read_str(const char *data)
{
    return read_all(data, strlen(data), CSV_MODE_FULL);
}

static const struct csv_column *col(const struct csv_reader *r, size_t i)
{
    assert_true(i < csv_reader_summary(r)->ncols);
    return &csv_reader_summary(r)->cols[i];
}

static void assert_near(double got, double want)
{
    if (fabs(got - want) > EPS * (1 + fabs(want)))
        print_error("got %.17g, want %.17g\n", got, want);
    assert_true(fabs(got - want) <= EPS * (1 + fabs(want)));
}

static const char fixture[] = "name,score,ratio,flag,when,note\n"
                              "a,10,0.5,true,2025-01-01,x\n"
                              "b,20,1.5,false,2025-01-02,y\n"
                              "c,30,,yes,2025-01-03,x\n"
                              "d,40,2.5,no,2025-01-04T10:00:00Z,x\n"
                              "e,50,NA,TRUE,2025-01-05,\n";

static void test_fixture_stats(void **state)
{
    struct csv_reader *r = read_str(fixture);
    const struct csv_summary *s = csv_reader_summary(r);
    const struct csv_column *c;

    (void)state;
    assert_int_equal(s->rows, 5);
    assert_int_equal(s->ncols, 6);
    assert_int_equal(s->has_header, 1);
    assert_int_equal(s->delim, ',');
    assert_int_equal(s->ragged, 0);
    assert_int_equal(s->first_invalid_utf8, -1);
    assert_int_equal(s->file_size, (int64_t)strlen(fixture));
    assert_int_equal(s->bytes_done, strlen(fixture));

    /* score = 10 20 30 40 50
     * mean = 150 / 5 = 30
     * deviations -20 -10 0 10 20, squares 400 100 0 100 400, sum 1000
     * sample variance = 1000 / (5 - 1) = 250, stddev = sqrt(250) = 15.811388300841896
     * p50: rank 0.5 * (5 - 1) = 2 -> sorted[2] = 30
     * p95: rank 0.95 * 4 = 3.8 -> 40 + 0.8 * (50 - 40) = 48 */
    c = col(r, 1);
    assert_string_equal(c->name, "score");
    assert_int_equal(c->type, CSV_COL_INT);
    assert_int_equal(c->n, 5);
    assert_int_equal(c->missing, 0);
    assert_int_equal(c->other, 0);
    assert_near(c->min, 10);
    assert_near(c->max, 50);
    assert_near(c->mean, 30);
    assert_near(c->stddev, sqrt(250.0));
    assert_near(c->p50, 30);
    assert_near(c->p95, 48);
    assert_int_equal(c->pct_exact, 1);
    assert_int_equal(c->ntop, 0);
    assert_true(c->has_first10);
    assert_near(c->first10, 10);

    /* ratio = 0.5 1.5 2.5, plus "" and "NA" missing
     * mean = 4.5 / 3 = 1.5; deviations -1 0 1, squares sum 2; variance 2 / 2 = 1, stddev 1
     * p50: rank 0.5 * 2 = 1 -> 1.5; p95: rank 1.9 -> 1.5 + 0.9 * (2.5 - 1.5) = 2.4 */
    c = col(r, 2);
    assert_int_equal(c->type, CSV_COL_FLOAT);
    assert_int_equal(c->n, 3);
    assert_int_equal(c->missing, 2);
    assert_near(c->mean, 1.5);
    assert_near(c->stddev, 1);
    assert_near(c->min, 0.5);
    assert_near(c->max, 2.5);
    assert_near(c->p50, 1.5);
    assert_near(c->p95, 2.4);

    /* flag: five booleans, each once: ties sorted bytewise ("TRUE" < "false" ...) */
    c = col(r, 3);
    assert_int_equal(c->type, CSV_COL_BOOL);
    assert_int_equal(c->n, 0);
    assert_int_equal(c->other, 5);
    assert_int_equal(c->ntop, 5);
    assert_int_equal(c->distinct, 5);
    assert_int_equal(c->top_exact, 1);
    assert_string_equal(c->top[0].value, "TRUE");
    assert_string_equal(c->top[1].value, "false");
    assert_string_equal(c->top[4].value, "yes");
    assert_int_equal(c->top[0].count, 1);
    assert_false(csv_coltype_numeric(c->type));

    c = col(r, 4);
    assert_int_equal(c->type, CSV_COL_DATE);
    assert_string_equal(csv_coltype_name(c->type), "date");

    /* note: x y x x and one empty cell */
    c = col(r, 5);
    assert_int_equal(c->type, CSV_COL_TEXT);
    assert_int_equal(c->missing, 1);
    assert_int_equal(c->other, 4);
    assert_int_equal(c->ntop, 2);
    assert_int_equal(c->distinct, 2);
    assert_string_equal(c->top[0].value, "x");
    assert_int_equal(c->top[0].count, 3);
    assert_string_equal(c->top[1].value, "y");
    assert_int_equal(c->top[1].count, 1);
    assert_false(c->has_first10);

    c = col(r, 0);
    assert_int_equal(c->type, CSV_COL_TEXT);
    assert_int_equal(c->distinct, 5);
    csv_reader_free(r);
}

static void test_missing_and_mixed(void **state)
{
    struct csv_reader *r = read_str("m,e,i\n"
                                    "1,,7\n"
                                    "abc,NA,\n"
                                    "2.5,n/a,8\n"
                                    "N/A,null,-\n"
                                    " nil ,None,nan\n"
                                    "\" 4 \",-,9\n");
    const struct csv_column *c;

    (void)state;
    c = col(r, 0);
    assert_int_equal(c->type, CSV_COL_MIXED);
    assert_int_equal(c->n, 3);       /* 1, 2.5, " 4 " (trimmed) */
    assert_int_equal(c->other, 1);   /* abc */
    assert_int_equal(c->missing, 2); /* N/A, nil */
    assert_near(c->mean, 7.5 / 3);
    assert_true(csv_coltype_numeric(c->type));
    assert_string_equal(csv_coltype_name(c->type), "mixed");
    c = col(r, 1);
    assert_int_equal(c->type, CSV_COL_EMPTY);
    assert_int_equal(c->missing, 6);
    c = col(r, 2);
    assert_int_equal(c->type, CSV_COL_INT);
    assert_int_equal(c->n, 3);
    assert_int_equal(c->missing, 3);
    csv_reader_free(r);
}

static void test_headerless(void **state)
{
    struct csv_reader *r = read_str("1,2,3\n4,5.5,6\n");
    const struct csv_summary *s = csv_reader_summary(r);

    (void)state;
    assert_int_equal(s->has_header, 0);
    assert_int_equal(s->rows, 2);
    assert_string_equal(col(r, 0)->name, "col1");
    assert_string_equal(col(r, 2)->name, "col3");
    assert_near(col(r, 0)->mean, 2.5);
    assert_int_equal(col(r, 1)->type, CSV_COL_FLOAT);
    assert_int_equal(s->table_rows, 2);
    assert_string_equal(csv_reader_cell(r, 0, 1, NULL), "2");
    csv_reader_free(r);

    /* an empty cell is not a number: this first row is a header, with a nameless column */
    r = read_str("1,,3\n4,5,6\n");
    s = csv_reader_summary(r);
    assert_int_equal(s->has_header, 1);
    assert_int_equal(s->rows, 1);
    assert_string_equal(col(r, 0)->name, "1");
    assert_string_equal(col(r, 1)->name, "col2");
    csv_reader_free(r);
}

static void test_ragged(void **state)
{
    struct csv_reader *r = read_str("a,b,c\n1,2\n3,4,5,6\n7,8,9\n");
    const struct csv_summary *s = csv_reader_summary(r);

    (void)state;
    assert_int_equal(s->rows, 3);
    assert_int_equal(s->ragged, 2);
    assert_int_equal(s->ncols, 4);
    assert_string_equal(col(r, 3)->name, "col4");
    assert_int_equal(col(r, 2)->missing, 1); /* absent from the short row */
    assert_int_equal(col(r, 2)->n, 2);
    assert_int_equal(col(r, 3)->missing, 2); /* before and after the long row */
    assert_int_equal(col(r, 3)->n, 1);
    /* table: short rows read "" past their end */
    assert_int_equal(s->table_rows, 3);
    assert_string_equal(csv_reader_cell(r, 0, 2, NULL), "");
    assert_string_equal(csv_reader_cell(r, 0, 3, NULL), "");
    assert_string_equal(csv_reader_cell(r, 1, 3, NULL), "6");
    assert_string_equal(csv_reader_cell(r, 2, 3, NULL), "");
    assert_string_equal(csv_reader_cell(r, 9, 0, NULL), ""); /* out of range */
    csv_reader_free(r);
}

static void test_utf8(void **state)
{
    struct csv_reader *r;
    static const char bad[] = "a,b\nx\xe9y,2\n"; /* Latin-1 é at offset 5 */
    static const char good[] = "a,b\n\xe2\x82\xac,\xf0\x9f\x98\x80\n";
    static const char cut[] = "a,b\n1,\xe2\x82";    /* cut short by the end */
    static const char overlong[] = "a\n\xc0\xaf\n"; /* overlong '/' */
    static const char surrogate[] = "a\n\xed\xa0\x80\n";
    static const char two_byte[] = "caf\xc3\xa9,\xf4\x8f\xbf\xbf\n"; /* U+10FFFF is fine */
    static const char e0_overlong[] = "ab\xe0\x80\x80\n";
    static const char too_big[] = "a\xf4\x90\x80\x80\n"; /* past U+10FFFF */

    (void)state;
    r = read_str(bad);
    assert_int_equal(csv_reader_summary(r)->first_invalid_utf8, 5);
    csv_reader_free(r);
    r = read_str(good);
    assert_int_equal(csv_reader_summary(r)->first_invalid_utf8, -1);
    csv_reader_free(r);
    r = read_all(cut, sizeof cut - 1, CSV_MODE_FULL);
    assert_int_equal(csv_reader_summary(r)->first_invalid_utf8, 6);
    csv_reader_free(r);
    r = read_str(overlong);
    assert_int_equal(csv_reader_summary(r)->first_invalid_utf8, 2);
    csv_reader_free(r);
    r = read_str(surrogate);
    assert_int_equal(csv_reader_summary(r)->first_invalid_utf8, 2);
    csv_reader_free(r);
    r = read_str(two_byte);
    assert_int_equal(csv_reader_summary(r)->first_invalid_utf8, -1);
    csv_reader_free(r);
    r = read_str(e0_overlong);
    assert_int_equal(csv_reader_summary(r)->first_invalid_utf8, 2);
    csv_reader_free(r);
    r = read_str(too_big);
    assert_int_equal(csv_reader_summary(r)->first_invalid_utf8, 1);
    csv_reader_free(r);
}

/* A UTF-8 sequence split between two 1 MiB reads is still seen whole. */
static void test_utf8_across_chunks(void **state)
{
    size_t n = (1u << 20) + 64, at = (1u << 20) - 1;
    char *data = malloc(n);
    struct csv_reader *r;

    (void)state;
    assert_non_null(data);
    memset(data, 'a', n);
    for (size_t i = 100; i < n; i += 100)
        data[i] = '\n';
    memcpy(data + at, "\xe2\x82\xac", 3); /* valid euro sign across the boundary */
    r = read_all(data, n, CSV_MODE_HARVEST);
    assert_int_equal(csv_reader_summary(r)->first_invalid_utf8, -1);
    csv_reader_free(r);
    memcpy(data + at,
           "\xe2\x82"
           "A",
           3); /* cut short right after the boundary */
    r = read_all(data, n, CSV_MODE_HARVEST);
    assert_int_equal(csv_reader_summary(r)->first_invalid_utf8, (int64_t)at);
    csv_reader_free(r);
    free(data);
}

/* NUL bytes are valid UTF-8 (a UTF-16 export is full of them): recorded, never an error. */
static void test_nul_is_recorded(void **state)
{
    static const char data[] = "a,b\n1,2\n3\0,4\n";
    struct csv_reader *r = csv_reader_mem(data, sizeof data - 1, CSV_MODE_FULL);
    const struct csv_summary *s;
    struct err err;

    (void)state;
    err_clear(&err);
    assert_int_equal(csv_reader_step(r, 0, &err), 0);
    s = csv_reader_summary(r);
    assert_int_equal(s->first_nul, 9);
    assert_int_equal(s->first_invalid_utf8, -1);
    assert_int_equal(s->rows, 2);
    csv_reader_free(r);
    r = csv_reader_mem("a,b\n1,2\n", 8, CSV_MODE_HARVEST);
    assert_int_equal(csv_reader_step(r, 0, &err), 0);
    assert_int_equal(csv_reader_summary(r)->first_nul, -1);
    csv_reader_free(r);
}

static void test_table_cells(void **state)
{
    struct csv_reader *r = read_str("k,v\n\"a,1\",\" x \"\n\"q\"\"\",\n\"multi\nline\",3\n");
    const struct csv_summary *s = csv_reader_summary(r);
    size_t len = 99;

    (void)state;
    assert_int_equal(s->table_rows, 3);
    assert_string_equal(csv_reader_cell(r, 0, 0, &len), "a,1");
    assert_int_equal(len, 3);
    assert_string_equal(csv_reader_cell(r, 0, 1, NULL), " x "); /* raw: quoted blanks stay */
    assert_string_equal(csv_reader_cell(r, 1, 0, NULL), "q\"");
    assert_string_equal(csv_reader_cell(r, 1, 1, &len), "");
    assert_int_equal(len, 0);
    assert_string_equal(csv_reader_cell(r, 2, 0, NULL), "multi\nline");
    assert_string_equal(csv_reader_cell(r, 2, 1, NULL), "3");
    csv_reader_free(r);
}

static void test_first10(void **state)
{
    struct buf b;
    struct csv_reader *r;
    const struct csv_column *c;

    (void)state;
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_puts(&b, "model,tokens_per_sec,gpu_util,ttft,late,dur\n"
                                  "m1,45.1 tok/s,12%,\"1,234 ms\",,1.5s\n"
                                  "m2,44.0,13%,\"1,200\",,2s\n"),
                     0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(buf_puts(&b, "m,1,1,1,,1\n"), 0);
    assert_int_equal(buf_puts(&b, "m,1,1,1,77,1\n"), 0); /* data row 11 */
    r = read_all(buf_cstr(&b), b.len, CSV_MODE_FULL);
    c = col(r, 1); /* "45.1 tok/s" loses its trailing s only: not a number; then 44.0 */
    assert_true(c->has_first10);
    assert_near(c->first10, 44.0);
    assert_int_equal(c->type, CSV_COL_MIXED);
    c = col(r, 2); /* "12%" */
    assert_true(c->has_first10);
    assert_near(c->first10, 12);
    c = col(r, 3); /* "1,234 ms" -> "1,234 m": no; "1,200" -> 1200 */
    assert_true(c->has_first10);
    assert_near(c->first10, 1200);
    c = col(r, 4); /* only row 11 has a number: outside the first ten */
    assert_false(c->has_first10);
    c = col(r, 5); /* "1.5s" */
    assert_near(c->first10, 1.5);
    csv_reader_free(r);

    /* a long cell with thousands separators: the rule's copy goes to the heap */
    r = read_str("big\n\"1,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,"
                 "000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000,000\"\n");
    assert_true(col(r, 0)->has_first10);
    assert_near(col(r, 0)->first10, 1e108); /* 36 groups of 000 */
    csv_reader_free(r);

    /* harvest mode finds the same */
    r = read_all(buf_cstr(&b), b.len, CSV_MODE_HARVEST);
    assert_int_equal(csv_reader_summary(r)->rows, 11);
    assert_near(col(r, 1)->first10, 44.0);
    assert_near(col(r, 3)->first10, 1200);
    assert_int_equal(csv_reader_summary(r)->table_rows, 0);
    csv_reader_free(r);
    buf_fini(&b);
}

/* 1000 rows of v = row index. Buckets hold 1 row until row 256, then pairs merge: 2 rows
 * per bucket from 256, 4 from 512; at 1000 rows there are 4 rows per bucket and
 * ceil(1000 / 4) = 250 buckets, bucket b averaging rows 4b..4b+3: 4b + 1.5. */
static void test_sparkline(void **state)
{
    struct buf b;
    struct csv_reader *r;
    const struct csv_column *c;

    (void)state;
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_puts(&b, "v,half\n"), 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_printf(&b, "%d,%s\n", i, i < 500 ? "1" : ""), 0);
    r = read_all(buf_cstr(&b), b.len, CSV_MODE_FULL);
    c = col(r, 0);
    assert_int_equal(c->spark_rows, 4);
    assert_int_equal(c->nspark, 250);
    for (int k = 0; k < 250; k++)
        assert_near(c->spark[k], 4 * k + 1.5);
    c = col(r, 1); /* no numbers in the second half: those buckets are empty (NAN) */
    assert_near(c->spark[0], 1);
    assert_true(isnan(c->spark[200]));
    csv_reader_free(r);
    buf_fini(&b);
}

/* A few MB with every feature: > 1 MiB chunks, quoted newlines across chunk boundaries,
 * more distinct values than the exact top-value table, more numbers than the exact
 * percentile buffer, invalid UTF-8 late in the file. */
static char *make_big(size_t *len)
{
    struct buf b;
    uint64_t x = 7;

    buf_init(&b, (size_t)64 << 20);
    assert_int_equal(buf_puts(&b, "id,cat,val,note,when\n"), 0);
    for (int i = 0; i < 40000; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        assert_int_equal(buf_printf(&b, "u%d,%s,%.3f,%s,2025-11-%02dT10:00:00Z\n", i,
                                    i % 4 == 0 ? "hot" : (i % 2 ? "warm" : "cold"),
                                    (double)(x >> 40) / 1000.0,
                                    i % 97 == 0 ? "\"multi\nline, quoted\"" : "plain", 1 + i % 28),
                         0);
    }
    assert_int_equal(buf_puts(&b, "late,\xff,1,x,2025-01-01\n"), 0);
    *len = b.len;
    return buf_steal(&b);
}

static void assert_same_summary(const struct csv_reader *a, const struct csv_reader *b)
{
    const struct csv_summary *x = csv_reader_summary(a), *y = csv_reader_summary(b);

    assert_int_equal(x->rows, y->rows);
    assert_int_equal(x->ncols, y->ncols);
    assert_int_equal(x->ragged, y->ragged);
    assert_int_equal(x->first_invalid_utf8, y->first_invalid_utf8);
    assert_int_equal(x->table_rows, y->table_rows);
    assert_int_equal(x->has_header, y->has_header);
    for (size_t i = 0; i < x->ncols; i++) {
        const struct csv_column *c = &x->cols[i], *d = &y->cols[i];

        assert_string_equal(c->name, d->name);
        assert_int_equal(c->type, d->type);
        assert_int_equal(c->n, d->n);
        assert_int_equal(c->missing, d->missing);
        assert_int_equal(c->other, d->other);
        assert_memory_equal(&c->mean, &d->mean, sizeof c->mean);
        assert_memory_equal(&c->stddev, &d->stddev, sizeof c->stddev);
        assert_memory_equal(&c->min, &d->min, sizeof c->min);
        assert_memory_equal(&c->max, &d->max, sizeof c->max);
        assert_memory_equal(&c->p50, &d->p50, sizeof c->p50);
        assert_memory_equal(&c->p95, &d->p95, sizeof c->p95);
        assert_int_equal(c->pct_exact, d->pct_exact);
        assert_int_equal(c->ntop, d->ntop);
        assert_int_equal(c->top_exact, d->top_exact);
        assert_int_equal(c->distinct, d->distinct);
        for (int k = 0; k < c->ntop; k++) {
            assert_string_equal(c->top[k].value, d->top[k].value);
            assert_int_equal(c->top[k].count, d->top[k].count);
        }
        assert_int_equal(c->has_first10, d->has_first10);
        assert_int_equal(c->nspark, d->nspark);
        assert_int_equal(c->spark_rows, d->spark_rows);
        assert_memory_equal(c->spark, d->spark, (size_t)c->nspark * sizeof c->spark[0]);
    }
    for (size_t row = 0; row < x->table_rows; row += 997) {
        for (size_t i = 0; i < x->ncols; i++)
            assert_string_equal(csv_reader_cell(a, row, i, NULL), csv_reader_cell(b, row, i, NULL));
    }
}

static void test_slicing(void **state)
{
    size_t len;
    char *data = make_big(&len);
    struct csv_reader *one = read_all(data, len, CSV_MODE_FULL);
    struct csv_reader *sliced = csv_reader_mem(data, len, CSV_MODE_FULL);
    const struct csv_summary *s = csv_reader_summary(one);
    struct err err;
    int rc, steps = 0;

    (void)state;
    /* a deadline in the past: every step does one chunk and returns */
    while ((rc = csv_reader_step(sliced, 1, &err)) > 0) {
        steps++;
        assert_false(csv_reader_summary(sliced)->done);
        assert_true(csv_reader_summary(sliced)->bytes_done <= len);
    }
    assert_int_equal(rc, 0);
    assert_true(steps >= 2);
    assert_int_equal(csv_reader_step(sliced, 1, &err), 0); /* done stays done */
    assert_same_summary(one, sliced);

    assert_int_equal(s->rows, 40001);
    assert_int_equal(s->first_invalid_utf8, (int64_t)(len - strlen("\xff,1,x,2025-01-01\n")));
    assert_int_equal(col(one, 0)->top_exact, 0); /* 40001 distinct ids */
    assert_true(col(one, 0)->distinct > CSV_TOP_EXACT_MAX);
    assert_int_equal(col(one, 1)->top_exact, 1);
    /* i % 4 == 0 hot, odd warm, else cold: 20000 warm, 10000 each of cold and hot */
    assert_string_equal(col(one, 1)->top[0].value, "warm");
    assert_int_equal(col(one, 1)->top[0].count, 20000);
    assert_string_equal(col(one, 1)->top[1].value, "cold"); /* a tie: bytewise first */
    assert_int_equal(col(one, 1)->top[1].count, 10000);
    assert_string_equal(col(one, 1)->top[2].value, "hot");
    assert_int_equal(col(one, 2)->pct_exact, 0); /* 40001 values > CSV_PCT_EXACT_MAX */
    assert_int_equal(col(one, 2)->n, 40001);
    assert_int_equal(col(one, 3)->top[1].value[0], 'm'); /* "multi\nline, quoted" */
    assert_int_equal(col(one, 4)->type, CSV_COL_DATE);
    csv_reader_free(one);
    csv_reader_free(sliced);
    free(data);
}

/* Space-saving keeps a heavy hitter on top once exact counting stops, with a count that
 * overestimates by at most rows / 1024; the reservoir gives percentiles near the truth. */
static void test_approximations(void **state)
{
    struct buf b;
    struct csv_reader *r;
    const struct csv_column *c;
    const int rows = 100000;

    (void)state;
    buf_init(&b, (size_t)16 << 20);
    assert_int_equal(buf_puts(&b, "tag,x\n"), 0);
    for (int i = 0; i < rows; i++) {
        if (i % 4 == 0)
            assert_int_equal(buf_printf(&b, "hot,%d\n", i), 0);
        else
            assert_int_equal(buf_printf(&b, "t%d,%d\n", i, i), 0);
    }
    r = read_all(buf_cstr(&b), b.len, CSV_MODE_FULL);
    c = col(r, 0);
    assert_int_equal(c->top_exact, 0);
    assert_string_equal(c->top[0].value, "hot");
    assert_true(c->top[0].count >= (uint64_t)rows / 4);
    assert_true(c->top[0].count <= (uint64_t)rows / 4 + (uint64_t)rows / 1024);
    c = col(r, 1); /* 0 .. 99999: median 49999.5, p95 94999.05 */
    assert_int_equal(c->pct_exact, 0);
    assert_true(fabs(c->p50 - 49999.5) < 2500);
    assert_true(fabs(c->p95 - 94999.05) < 1500);
    assert_near(c->mean, 49999.5);
    assert_near(c->min, 0);
    assert_near(c->max, 99999);
    csv_reader_free(r);
    buf_fini(&b);
}

static void test_file_reader(void **state)
{
    char *dir = tu_mkdtemp(), *path;
    struct csv_reader *f, *m;
    struct err err;
    int rc;

    (void)state;
    tu_write(dir, "bench/run.csv", fixture, (size_t)-1, 0);
    path = tu_join(dir, "bench/run.csv");
    f = csv_reader_open(path, CSV_MODE_FULL, &err);
    assert_non_null(f);
    while ((rc = csv_reader_step(f, 1, &err)) > 0)
        ;
    assert_int_equal(rc, 0);
    m = read_str(fixture);
    assert_same_summary(f, m);
    assert_int_equal(csv_reader_summary(f)->file_size, (int64_t)strlen(fixture));
    csv_reader_free(f);
    csv_reader_free(m);
    free(path);

    /* errors name the file and the cause */
    path = tu_join(dir, "missing.csv");
    assert_null(csv_reader_open(path, CSV_MODE_FULL, &err));
    assert_non_null(strstr(err.msg, "cannot open"));
    assert_non_null(strstr(err.msg, "missing.csv"));
    free(path);
    assert_null(csv_reader_open(dir, CSV_MODE_FULL, &err));
    assert_non_null(strstr(err.msg, "not a regular file"));
    tu_rmtree(dir);
    free(dir);
}

static void test_odd_files(void **state)
{
    struct csv_reader *r;
    const struct csv_summary *s;

    (void)state;
    r = read_str("");
    s = csv_reader_summary(r);
    assert_int_equal(s->rows, 0);
    assert_int_equal(s->ncols, 0);
    assert_int_equal(s->has_header, 0);
    csv_reader_free(r);

    r = read_str("only,a,header\n");
    s = csv_reader_summary(r);
    assert_int_equal(s->rows, 0);
    assert_int_equal(s->ncols, 3);
    assert_int_equal(s->has_header, 1);
    assert_int_equal(col(r, 2)->type, CSV_COL_EMPTY);
    csv_reader_free(r);

    r = read_str("\xef\xbb\xbfname;value\nx;1,5\ny;2\n"); /* BOM, semicolons */
    s = csv_reader_summary(r);
    assert_int_equal(s->delim, ';');
    assert_string_equal(col(r, 0)->name, "name");
    assert_int_equal(col(r, 1)->type, CSV_COL_MIXED); /* "1,5" is not a C number */
    csv_reader_free(r);

    r = read_str("a\tb\n1\t2\n");
    assert_int_equal(csv_reader_summary(r)->delim, '\t');
    assert_near(col(r, 1)->mean, 2);
    csv_reader_free(r);

    r = read_str("x,\"unterminated\n1,2\n"); /* the open quote swallows the rest */
    s = csv_reader_summary(r);
    assert_int_equal(s->rows, 0);
    assert_string_equal(col(r, 1)->name, "unterminated\n1,2\n");
    csv_reader_free(r);
}

/* More columns than CSV_MAX_COLUMNS: kept up to the cap, counted as ragged, no crash. */
static void test_too_many_columns(void **state)
{
    struct buf b;
    struct csv_reader *r;
    const struct csv_summary *s;

    (void)state;
    buf_init(&b, (size_t)16 << 20);
    assert_int_equal(buf_puts(&b, "a,b\n"), 0);
    for (int row = 0; row < 3; row++) {
        for (int i = 0; i < CSV_MAX_COLUMNS + 100; i++)
            assert_int_equal(buf_printf(&b, "%s%d", i ? "," : "", i), 0);
        assert_int_equal(buf_putc(&b, '\n'), 0);
    }
    r = read_all(buf_cstr(&b), b.len, CSV_MODE_FULL);
    s = csv_reader_summary(r);
    assert_int_equal(s->ncols, CSV_MAX_COLUMNS);
    assert_int_equal(s->rows, 3);
    assert_int_equal(s->ragged, 3);
    assert_string_equal(col(r, CSV_MAX_COLUMNS - 1)->name, "col4096");
    assert_int_equal(col(r, CSV_MAX_COLUMNS - 1)->n, 3);
    assert_string_equal(csv_reader_cell(r, 2, CSV_MAX_COLUMNS - 1, NULL), "4095");
    csv_reader_free(r);
    buf_fini(&b);
}

/* The table keeps CSV_TABLE_MAX_ROWS rows, or fewer when CSV_TABLE_MAX_BYTES runs out,
 * always whole rows; the statistics still cover every row. */
static void test_table_limits(void **state)
{
    struct buf b;
    struct csv_reader *r;
    const struct csv_summary *s;
    const size_t cell = (size_t)1 << 20;
    char *big;

    (void)state;
    buf_init(&b, (size_t)64 << 20);
    assert_int_equal(buf_puts(&b, "n\n"), 0);
    for (int i = 0; i < CSV_TABLE_MAX_ROWS + 5; i++)
        assert_int_equal(buf_printf(&b, "%d\n", i), 0);
    r = read_all(buf_cstr(&b), b.len, CSV_MODE_FULL);
    s = csv_reader_summary(r);
    assert_int_equal(s->rows, CSV_TABLE_MAX_ROWS + 5);
    assert_int_equal(s->table_rows, CSV_TABLE_MAX_ROWS);
    assert_string_equal(csv_reader_cell(r, CSV_TABLE_MAX_ROWS - 1, 0, NULL), "99999");
    csv_reader_free(r);

    /* 1 MiB cells: the byte budget ends the table after about 31 rows, at a row end */
    buf_reset(&b);
    big = malloc(cell + 1);
    assert_non_null(big);
    memset(big, 'x', cell);
    big[cell] = '\0';
    assert_int_equal(buf_puts(&b, "k,blob\n"), 0);
    for (int i = 0; i < 34; i++) {
        big[0] = (char)('a' + i % 26);
        assert_int_equal(buf_printf(&b, "%d,", i), 0);
        assert_int_equal(buf_append(&b, big, cell), 0);
        assert_int_equal(buf_putc(&b, '\n'), 0);
    }
    r = read_all(buf_cstr(&b), b.len, CSV_MODE_FULL);
    s = csv_reader_summary(r);
    assert_int_equal(s->rows, 34);
    assert_true(s->table_rows >= 28 && s->table_rows < 32);
    assert_int_equal(strlen(csv_reader_cell(r, s->table_rows - 1, 1, NULL)), cell);
    assert_int_equal(col(r, 0)->n, 34);
    assert_int_equal(col(r, 1)->distinct, 26);
    csv_reader_free(r);
    free(big);
    buf_fini(&b);
}

static void test_type_names(void **state)
{
    static const char *const names[] = {"empty", "int", "float", "bool", "date", "text", "mixed"};

    (void)state;
    for (int t = CSV_COL_EMPTY; t <= CSV_COL_MIXED; t++)
        assert_string_equal(csv_coltype_name((enum csv_coltype)t), names[t]);
    assert_true(csv_coltype_numeric(CSV_COL_INT) && csv_coltype_numeric(CSV_COL_FLOAT));
    assert_false(csv_coltype_numeric(CSV_COL_TEXT) || csv_coltype_numeric(CSV_COL_EMPTY));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_stats),
        cmocka_unit_test(test_missing_and_mixed),
        cmocka_unit_test(test_headerless),
        cmocka_unit_test(test_ragged),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_utf8_across_chunks),
        cmocka_unit_test(test_nul_is_recorded),
        cmocka_unit_test(test_table_cells),
        cmocka_unit_test(test_first10),
        cmocka_unit_test(test_sparkline),
        cmocka_unit_test(test_slicing),
        cmocka_unit_test(test_approximations),
        cmocka_unit_test(test_file_reader),
        cmocka_unit_test(test_odd_files),
        cmocka_unit_test(test_too_many_columns),
        cmocka_unit_test(test_table_limits),
        cmocka_unit_test(test_type_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
