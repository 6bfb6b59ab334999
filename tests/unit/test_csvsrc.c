/* test_csvsrc.c: libcsv wrapper: quoting, line ends, split invariance, the fast path
 * against plain libcsv, the field cap and delimiter sniffing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csvsrc.h"
#include "err.h"

/* Every callback, serialised: "[col:bytes]" per field and "|n\n" per row, so two runs
 * can be compared with one strcmp and a failure prints readably. */
struct trace {
    struct buf out;
};

static void tr_field(const char *data, size_t len, size_t col, void *arg)
{
    struct trace *t = arg;

    assert_int_equal(buf_printf(&t->out, "[%zu:", col), 0);
    assert_int_equal(buf_append(&t->out, data, len), 0);
    assert_int_equal(buf_putc(&t->out, ']'), 0);
}

static void tr_row(size_t nfields, void *arg)
{
    struct trace *t = arg;

    assert_int_equal(buf_printf(&t->out, "|%zu\n", nfields), 0);
}

/* Parse `in` fed in pieces cut at the offsets in cuts[0..ncuts) (ascending), with the
 * fast path on or off; returns the trace (free it) or NULL when the parse failed. */
static char *run_cuts(const char *in, size_t n, const size_t *cuts, size_t ncuts, int fast,
                      size_t max_field, struct err *err)
{
    struct trace t;
    struct csvsrc *s;
    size_t at = 0;
    int rc = 0;

    buf_init(&t.out, (size_t)1 << 30);
    s = csvsrc_new(',', max_field, tr_field, tr_row, &t);
    csvsrc_set_fast(s, fast);
    for (size_t i = 0; i <= ncuts && rc == 0; i++) {
        size_t to = i < ncuts ? cuts[i] : n;

        rc = csvsrc_feed(s, in + at, to - at, err);
        at = to;
    }
    if (rc == 0)
        rc = csvsrc_finish(s, err);
    csvsrc_free(s);
    if (rc < 0) {
        buf_fini(&t.out);
        return NULL;
    }
    return buf_steal(&t.out);
}

static char *run(const char *in, int fast)
{
    struct err err;
    char *r = run_cuts(in, strlen(in), NULL, 0, fast, 1 << 20, &err);

    assert_non_null(r);
    return r;
}

/* Same result with the fast path on and off. */
static void expect(const char *in, const char *want)
{
    char *fast = run(in, 1), *slow = run(in, 0);

    assert_string_equal(slow, want);
    assert_string_equal(fast, want);
    free(fast);
    free(slow);
}

static void test_basic(void **state)
{
    (void)state;
    expect("a,b,c\n1,2,3\n", "[0:a][1:b][2:c]|3\n[0:1][1:2][2:3]|3\n");
    expect("a,b", "[0:a][1:b]|2\n");      /* no final newline */
    expect("a,,\n", "[0:a][1:][2:]|3\n"); /* empty fields */
    expect(",x\n", "[0:][1:x]|2\n");
    expect("  a  , b\t,\tc \n", "[0:a][1:b][2:c]|3\n"); /* blanks around unquoted fields */
    expect("a b,c\n", "[0:a b][1:c]|2\n");              /* inner blanks stay */
}

static void test_quotes(void **state)
{
    (void)state;
    expect("\"a,b\",c\n", "[0:a,b][1:c]|2\n");
    expect("\"he said \"\"hi\"\"\",2\n", "[0:he said \"hi\"][1:2]|2\n");
    expect("\" a \",b\n", "[0: a ][1:b]|2\n");   /* blanks inside quotes stay */
    expect("\"a\"  ,b\n", "[0:a][1:b]|2\n");     /* blanks after the closing quote go */
    expect("\"\"\n", "[0:]|1\n");                /* a quoted empty field is a row */
    expect("\"x\ny\",z\n", "[0:x\ny][1:z]|2\n"); /* quoted newline */
    expect("\"x\r\ny\",z\r\n", "[0:x\r\ny][1:z]|2\n");
    expect("ab\"c,d\n", "[0:ab\"c][1:d]|2\n"); /* a stray quote is data (non-strict) */
    /* data after a closing quote: libcsv keeps the quote and stays inside the field */
    expect("\"ab\"c,d\n", "[0:ab\"c,d\n]|1\n");
}

static void test_line_ends(void **state)
{
    (void)state;
    expect("a,b\r\nc,d\r\n", "[0:a][1:b]|2\n[0:c][1:d]|2\n");
    expect("a\rb\n", "[0:a]|1\n[0:b]|1\n");                         /* a bare CR ends a row too */
    expect("\n\na,b\n\n   \n\r\nc\n\n", "[0:a][1:b]|2\n[0:c]|1\n"); /* blank lines: no row */
    expect("", "");
    expect("\n", "");
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    /* the data of a quote still open at the end is delivered, not lost */
    expect("a,\"bc", "[0:a][1:bc]|2\n");
    expect("a,\"b\nc\n", "[0:a][1:b\nc\n]|2\n");
}

/* Inputs that exercise the hand-over between the fast path and libcsv. */
static const char *const tricky[] = {
    "h1,h2,h3\n1,\"x\ny\",3\n4,5,6\n7,\"8\"\"\",9\r\n",
    "a\r\"x\ry\n\"z\n1,2\n",
    "a\r\"x\r\n\"\n1,2\n",
    "\"q\"  \"r\",s\n1,2\n\"open\n,,\n\",3\nx\n",
    "  \n\t\n\"\",\"\"\n\r\r\n\r\na,b\n",
    " , ,\n\"\"\"\"\"\",a\n\"a\" x,1\n",
    "x,\"\n\"\ny\r\n\"\r\"\r\n",
};

static void test_every_split(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof tricky / sizeof tricky[0]; k++) {
        const char *in = tricky[k];
        size_t n = strlen(in);
        char *want = run(in, 0), *got = run(in, 1);
        struct err err;

        assert_string_equal(got, want);
        free(got);
        for (size_t i = 0; i <= n; i++) {
            for (int fast = 0; fast <= 1; fast++) {
                got = run_cuts(in, n, &i, 1, fast, 1 << 20, &err);
                assert_non_null(got);
                assert_string_equal(got, want);
                free(got);
            }
            for (size_t j = i; j <= n; j++) {
                size_t cuts[2] = {i, j};

                got = run_cuts(in, n, cuts, 2, 1, 1 << 20, &err);
                assert_non_null(got);
                assert_string_equal(got, want);
                free(got);
            }
        }
        free(want);
    }
}

/* Random inputs over an alphabet full of CSV's special bytes: the fast path must match
 * libcsv exactly, with random cuts too. */
static void test_random_differential(void **state)
{
    static const char alphabet[] = "ab ,,,\"\"\r\n\n\t;";
    uint64_t rng = 12345;
    char in[64];

    (void)state;
    for (int iter = 0; iter < 20000; iter++) {
        size_t n, cut;
        char *want, *got;
        struct err err;

        rng = rng * 6364136223846793005u + 1442695040888963407u;
        n = (size_t)(rng >> 58); /* 0..63 */
        for (size_t i = 0; i < n; i++) {
            rng = rng * 6364136223846793005u + 1442695040888963407u;
            in[i] = alphabet[(rng >> 33) % (sizeof alphabet - 1)];
        }
        cut = n ? (size_t)(rng >> 40) % (n + 1) : 0;
        want = run_cuts(in, n, NULL, 0, 0, 1 << 20, &err);
        got = run_cuts(in, n, &cut, 1, 1, 1 << 20, &err);
        assert_non_null(want);
        assert_non_null(got);
        if (strcmp(want, got) != 0) {
            print_error("input (%zu bytes, cut %zu): ", n, cut);
            for (size_t i = 0; i < n; i++)
                print_error("%02x ", (unsigned char)in[i]);
            print_error("\n");
        }
        assert_string_equal(got, want);
        free(want);
        free(got);
    }
}

static void test_field_cap(void **state)
{
    struct err err;
    static const char plain[] = "ok,0123456789AB,x\n";
    static const char quoted[] = "ok,\"0123\n456789AB\",x\n"; /* goes through libcsv */
    char *r;

    (void)state;
    for (int fast = 0; fast <= 1; fast++) {
        err_clear(&err);
        r = run_cuts(plain, strlen(plain), NULL, 0, fast, 10, &err);
        assert_null(r);
        assert_non_null(strstr(err.msg, "longer than 10 bytes"));
        r = run_cuts(quoted, strlen(quoted), NULL, 0, fast, 10, &err);
        assert_null(r);
        assert_non_null(strstr(err.msg, "longer than 10 bytes"));
        /* exactly at the cap is fine */
        r = run_cuts("0123456789,x\n", 13, NULL, 0, fast, 10, &err);
        assert_non_null(r);
        assert_string_equal(r, "[0:0123456789][1:x]|2\n");
        free(r);
    }
}

/* An endless quoted field fed in pieces fails once it passes the cap, long before the
 * input ends, and libcsv's buffer never grows far past the cap. */
static void test_field_cap_streaming(void **state)
{
    const size_t cap = (size_t)2 << 20, piece = 256 << 10;
    char *chunk = malloc(piece);
    struct trace t;
    struct csvsrc *s;
    struct err err;
    size_t fed = 0;
    int rc = 0;

    (void)state;
    assert_non_null(chunk);
    memset(chunk, 'x', piece);
    chunk[0] = '"';
    buf_init(&t.out, 1 << 20);
    s = csvsrc_new(',', cap, tr_field, tr_row, &t);
    while (rc == 0 && fed < 16 * cap) {
        rc = csvsrc_feed(s, chunk, piece, &err);
        fed += piece;
        chunk[0] = 'x';
    }
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err.msg, "longer than 2 MB"));
    assert_true(fed <= cap + cap / 16 + 2 * piece);
    /* the failure sticks */
    assert_int_equal(csvsrc_feed(s, "a\n", 2, &err), -1);
    assert_int_equal(csvsrc_finish(s, &err), -1);
    csvsrc_free(s);
    buf_fini(&t.out);
    free(chunk);
}

static void test_other_delimiters(void **state)
{
    struct trace t;
    struct csvsrc *s;
    struct err err;
    static const char tsv[] = "a\tb c\t \"q\"\n1\t\t3\n";

    (void)state;
    for (int fast = 0; fast <= 1; fast++) {
        buf_init(&t.out, 1 << 20);
        s = csvsrc_new('\t', 1 << 20, tr_field, tr_row, &t);
        csvsrc_set_fast(s, fast);
        assert_int_equal(csvsrc_feed(s, tsv, strlen(tsv), &err), 0);
        assert_int_equal(csvsrc_finish(s, &err), 0);
        assert_string_equal(buf_cstr(&t.out), "[0:a][1:b c][2:q]|3\n[0:1][1:][2:3]|3\n");
        csvsrc_free(s);
        buf_fini(&t.out);

        buf_init(&t.out, 1 << 20);
        s = csvsrc_new(';', 1 << 20, tr_field, tr_row, &t);
        csvsrc_set_fast(s, fast);
        assert_int_equal(csvsrc_feed(s, "a;b,c\n", 6, &err), 0);
        assert_int_equal(csvsrc_finish(s, &err), 0);
        assert_string_equal(buf_cstr(&t.out), "[0:a][1:b,c]|2\n");
        csvsrc_free(s);
        buf_fini(&t.out);
    }
}

static void test_sniff(void **state)
{
    static const char semi[] = "name;score;note\nalpha;1,5;x\nbeta;2,25;y\n";
    static const char tab[] = "name\tscore\talpha, beta\n\"a\tb\"\t1\tx, y\nc\t2\tz, w\n";
    static const char pipe[] = "a|b|c\n1|2|3\n4|5|6\n";
    static const char comma[] = "a,b;c\n1,2;3\n4,5;6\n";
    static const char quoted[] = "\"a;b;c\",d\n\"e;f;g\",h\n";

    (void)state;
    assert_int_equal(csvsrc_sniff(semi, strlen(semi)), ';');
    assert_int_equal(csvsrc_sniff(tab, strlen(tab)), '\t');
    assert_int_equal(csvsrc_sniff(pipe, strlen(pipe)), '|');
    assert_int_equal(csvsrc_sniff(comma, strlen(comma)), ',');   /* a tie goes to ',' */
    assert_int_equal(csvsrc_sniff(quoted, strlen(quoted)), ','); /* quoted ; not counted */
    assert_int_equal(csvsrc_sniff("single\nline\n", 12), ',');
    assert_int_equal(csvsrc_sniff("", 0), ',');
    assert_int_equal(csvsrc_sniff("a;b;c", 5), ';'); /* one unterminated line */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_every_split),
        cmocka_unit_test(test_random_differential),
        cmocka_unit_test(test_field_cap),
        cmocka_unit_test(test_field_cap_streaming),
        cmocka_unit_test(test_other_delimiters),
        cmocka_unit_test(test_sniff),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
