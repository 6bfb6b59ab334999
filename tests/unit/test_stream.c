/* test_stream.c: the line splitter under every chunking, its limit and errors, and the
 * UTF-8 carry at every split point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sanitize.h"
#include "stream.h"

/* --- helpers ------------------------------------------------------------------------------ */

/* Lines recorded as "<len>:<bytes>|", so that two runs compare as one string. */
struct rec {
    struct buf out;
    int nlines;
    int fail_at;     /* the callback fails on this line (1-based); 0 never */
    size_t max_seen; /* longest line delivered */
};

static void rec_init(struct rec *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->out, (size_t)1 << 26);
}

static void rec_fini(struct rec *r)
{
    buf_fini(&r->out);
}

static int rec_line(const char *line, size_t len, void *arg, struct err *err)
{
    struct rec *r = arg;

    r->nlines++;
    if (len > r->max_seen)
        r->max_seen = len;
    if (r->fail_at != 0 && r->nlines == r->fail_at) {
        err_set(err, 7, "stop at line %d", r->nlines);
        return -1;
    }
    assert_int_equal(buf_printf(&r->out, "%zu:", len), 0);
    assert_int_equal(buf_append(&r->out, line, len), 0);
    assert_int_equal(buf_putc(&r->out, '|'), 0);
    return 0;
}

/* Feed `in` cut at the given positions (sorted, each <= n), then finish. */
static int feed_cuts(struct stream *s, const char *in, size_t n, const size_t *cuts, size_t ncuts,
                     struct rec *r, struct err *err)
{
    size_t at = 0;

    for (size_t i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : n;

        if (stream_feed(s, in + at, to - at, rec_line, r, err) < 0)
            return -1;
        at = to;
    }
    return stream_finish(s, rec_line, r, err);
}

/* The record of a one-chunk feed. */
static char *whole_feed(const char *in, size_t n, size_t max_line)
{
    struct stream *s = stream_new(max_line);
    struct rec r;
    struct err err;

    rec_init(&r);
    assert_int_equal(feed_cuts(s, in, n, NULL, 0, &r, &err), 0);
    stream_free(s);
    return buf_steal(&r.out);
}

static void check_cuts(const char *in, size_t n, const size_t *cuts, size_t ncuts, const char *want)
{
    struct stream *s = stream_new(0);
    struct rec r;
    struct err err;

    rec_init(&r);
    assert_int_equal(feed_cuts(s, in, n, cuts, ncuts, &r, &err), 0);
    assert_string_equal(buf_cstr(&r.out), want);
    assert_int_equal(stream_pending(s), 0);
    assert_true(stream_bytes(s) == n);
    stream_free(s);
    rec_fini(&r);
}

static const char sample[] = "{\"response\":\"The\",\"done\":false}\n"
                             "\r\n"
                             "\n"
                             "line with \xc3\xa9 and \xe2\x82\xac and \xf0\x9f\x98\x80\r\n"
                             "a\rb\n"
                             "data: [DONE]\r\n"
                             "\xff\xfe invalid \xc3\n"
                             "last line without newline";

/* --- splitting ---------------------------------------------------------------------------- */

static void test_basic(void **state)
{
    struct stream *s = stream_new(0);
    struct rec r;
    struct err err;

    (void)state;
    rec_init(&r);
    assert_int_equal(stream_feed(s, "a\nbb\n\nccc", 9, rec_line, &r, &err), 0);
    assert_string_equal(buf_cstr(&r.out), "1:a|2:bb|0:|");
    assert_int_equal(stream_pending(s), 3);
    assert_true(stream_bytes(s) == 9);
    assert_int_equal(stream_feed(s, "", 0, rec_line, &r, &err), 0);
    assert_int_equal(stream_feed(s, "d", 1, rec_line, &r, &err), 0);
    assert_string_equal(buf_cstr(&r.out), "1:a|2:bb|0:|");
    assert_int_equal(stream_pending(s), 4);
    /* only finish delivers a last line without '\n' */
    assert_int_equal(stream_finish(s, rec_line, &r, &err), 0);
    assert_string_equal(buf_cstr(&r.out), "1:a|2:bb|0:|4:cccd|");
    assert_int_equal(stream_pending(s), 0);
    /* nothing is left: a second finish delivers nothing */
    assert_int_equal(stream_finish(s, rec_line, &r, &err), 0);
    assert_int_equal(r.nlines, 4);
    stream_reset(s);
    assert_true(stream_bytes(s) == 0);
    stream_free(s);
    stream_free(NULL);
    rec_fini(&r);
}

static void test_crlf_and_empty(void **state)
{
    (void)state;
    check_cuts("a\r\nb\r\n\r\n\n", 9, NULL, 0, "1:a|1:b|0:|0:|");
    /* a '\r' elsewhere is content; only one before '\n' goes */
    check_cuts("a\rb\nc\r\r\n\r", 9, NULL, 0, "3:a\rb|2:c\r|0:|");
    /* a '\r' at the very end is the start of a line end that never came */
    check_cuts("x\r", 2, NULL, 0, "1:x|");
    /* CRLF cut between '\r' and '\n' */
    {
        const size_t cut = 2;

        check_cuts("a\r\nb", 4, &cut, 1, "1:a|1:b|");
    }
    /* empty input, lone newlines */
    check_cuts("", 0, NULL, 0, "");
    check_cuts("\n", 1, NULL, 0, "0:|");
}

static void test_every_split(void **state)
{
    const size_t n = sizeof sample - 1;
    char *want = whole_feed(sample, n, 0);

    (void)state;
    assert_non_null(strstr(want, "|3:a\rb|12:data: [DONE]|"));
    assert_non_null(strstr(want, "|25:last line without newline|"));
    for (size_t i = 0; i <= n; i++)
        check_cuts(sample, n, &i, 1, want);
    free(want);
}

static void test_every_pair(void **state)
{
    static const char in[] = "ab\r\n\nc\xc3\xa9\r\n\rd\ne";
    const size_t n = sizeof in - 1;
    char *want = whole_feed(in, n, 0);

    (void)state;
    assert_string_equal(want, "2:ab|0:|3:c\xc3\xa9|2:\rd|1:e|");
    for (size_t i = 0; i <= n; i++)
        for (size_t j = i; j <= n; j++) {
            const size_t cuts[2] = {i, j};

            check_cuts(in, n, cuts, 2, want);
        }
    free(want);
}

static void test_byte_by_byte(void **state)
{
    const size_t n = sizeof sample - 1;
    char *want = whole_feed(sample, n, 0);
    size_t cuts[sizeof sample];

    (void)state;
    for (size_t i = 0; i < n; i++)
        cuts[i] = i + 1;
    check_cuts(sample, n, cuts, n - 1, want);
    free(want);
}

/* --- the limit ---------------------------------------------------------------------------- */

/* A line of `len` bytes (then `end`) fed in chunks of `chunk` bytes under a 16-byte limit. */
static int feed_sized(size_t len, const char *end, size_t chunk, struct rec *r, struct err *err)
{
    char in[64];
    size_t n;
    struct stream *s = stream_new(16);
    int rc = 0;

    memset(in, 'x', len);
    memcpy(in + len, end, strlen(end));
    n = len + strlen(end);
    for (size_t at = 0; at < n && rc == 0; at += chunk)
        rc = stream_feed(s, in + at, n - at < chunk ? n - at : chunk, rec_line, r, err);
    if (rc == 0)
        rc = stream_finish(s, rec_line, r, err);
    stream_free(s);
    return rc;
}

static void test_limit(void **state)
{
    static const char *const ends[] = {"\n", "\r\n", "", "\r", "\nok\n"};

    (void)state;
    for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++)
        for (size_t chunk = 1; chunk <= 20; chunk++) {
            struct rec r;
            struct err err;

            /* exactly at the limit: delivered whole */
            rec_init(&r);
            err_clear(&err);
            assert_int_equal(feed_sized(16, ends[e], chunk, &r, &err), 0);
            assert_int_equal(r.max_seen, 16);
            rec_fini(&r);
            /* one byte over: refused, whatever the chunking */
            rec_init(&r);
            assert_int_equal(feed_sized(17, ends[e], chunk, &r, &err), -1);
            assert_string_equal(err.msg, "a line of the response is longer than 16 bytes");
            assert_int_equal(r.nlines, 0);
            rec_fini(&r);
        }
}

static void test_limit_open_line(void **state)
{
    struct stream *s = stream_new(4);
    struct rec r;
    struct err err;

    (void)state;
    rec_init(&r);
    /* a server that never sends '\n' is stopped as soon as the line cannot fit */
    assert_int_equal(stream_feed(s, "abcd", 4, rec_line, &r, &err), 0);
    assert_int_equal(stream_feed(s, "\r", 1, rec_line, &r, &err), 0); /* may be CRLF */
    assert_int_equal(stream_pending(s), 5);
    assert_int_equal(stream_feed(s, "e", 1, rec_line, &r, &err), -1);
    assert_string_equal(err.msg, "a line of the response is longer than 4 bytes");
    /* failed until reset, with the same message, for feed and finish alike */
    err_clear(&err);
    assert_int_equal(stream_feed(s, "\n", 1, rec_line, &r, &err), -1);
    assert_string_equal(err.msg, "a line of the response is longer than 4 bytes");
    err_clear(&err);
    assert_int_equal(stream_finish(s, rec_line, &r, &err), -1);
    assert_string_equal(err.msg, "a line of the response is longer than 4 bytes");
    assert_int_equal(stream_feed(s, "x\n", 2, rec_line, &r, NULL), -1);
    stream_reset(s);
    assert_int_equal(stream_pending(s), 0);
    /* one byte over that is not a '\r' fails at once, before any '\n' */
    assert_int_equal(stream_feed(s, "abcde", 5, rec_line, &r, &err), -1);
    stream_reset(s);
    assert_int_equal(stream_feed(s, "ab", 2, rec_line, &r, &err), 0);
    assert_int_equal(stream_feed(s, "cde", 3, rec_line, &r, &err), -1);
    stream_reset(s);
    assert_int_equal(stream_feed(s, "ok\n", 3, rec_line, &r, &err), 0);
    assert_string_equal(buf_cstr(&r.out), "2:ok|");
    /* "\r\r\n": one '\r' goes, the other is content and over the limit */
    stream_reset(s);
    assert_int_equal(stream_feed(s, "abcd\r\r\n", 7, rec_line, &r, NULL), -1);
    stream_free(s);
    rec_fini(&r);
}

static void test_limit_megabytes(void **state)
{
    const size_t mb = (size_t)1 << 20;
    char *big = malloc(16 * mb + 2);
    struct stream *s;
    struct rec r;
    struct err err;

    (void)state;
    memset(big, 'x', 16 * mb + 2);
    big[16 * mb] = '\n';
    /* the default limit: 16 MB exactly passes */
    s = stream_new(0);
    rec_init(&r);
    assert_int_equal(stream_feed(s, big, 16 * mb + 1, rec_line, &r, &err), 0);
    assert_int_equal(r.max_seen, 16 * mb);
    /* one byte more fails, naming the limit in MB */
    big[16 * mb] = 'x';
    big[16 * mb + 1] = '\n';
    assert_int_equal(stream_feed(s, big, 16 * mb + 2, rec_line, &r, &err), -1);
    assert_string_equal(err.msg, "a line of the response is longer than 16 MB");
    stream_free(s);
    /* a limit set in whole MB is named in MB too, also for an open line */
    s = stream_new(2 * mb);
    assert_int_equal(stream_feed(s, big, mb, rec_line, &r, &err), 0);
    assert_int_equal(stream_feed(s, big, mb + 1, rec_line, &r, &err), -1);
    assert_string_equal(err.msg, "a line of the response is longer than 2 MB");
    stream_free(s);
    rec_fini(&r);
    free(big);
}

/* --- callback errors ---------------------------------------------------------------------- */

static void test_callback_error(void **state)
{
    struct stream *s = stream_new(0);
    struct rec r;
    struct err err;

    (void)state;
    rec_init(&r);
    r.fail_at = 2;
    err_clear(&err);
    assert_int_equal(stream_feed(s, "one\ntwo\nthree\n", 14, rec_line, &r, &err), -1);
    assert_string_equal(err.msg, "stop at line 2");
    assert_int_equal(err.code, 7);
    assert_int_equal(r.nlines, 2); /* "three" was never delivered */
    assert_string_equal(buf_cstr(&r.out), "3:one|");
    err_clear(&err);
    assert_int_equal(stream_feed(s, "four\n", 5, rec_line, &r, &err), -1);
    assert_string_equal(err.msg, "stop at line 2");
    assert_int_equal(r.nlines, 2);
    err_clear(&err);
    assert_int_equal(stream_finish(s, rec_line, &r, &err), -1);
    assert_string_equal(err.msg, "stop at line 2");
    /* the error of a line completed from the tail, and of the last line at finish */
    stream_reset(s);
    r.nlines = 0;
    r.fail_at = 1;
    assert_int_equal(stream_feed(s, "par", 3, rec_line, &r, &err), 0);
    assert_int_equal(stream_feed(s, "tial\nx", 6, rec_line, &r, &err), -1);
    assert_string_equal(err.msg, "stop at line 1");
    stream_reset(s);
    r.nlines = 0;
    assert_int_equal(stream_feed(s, "end", 3, rec_line, &r, &err), 0);
    assert_int_equal(stream_finish(s, rec_line, &r, &err), -1);
    assert_string_equal(err.msg, "stop at line 1");
    /* without an error buffer the splitter still fails and stays failed */
    stream_reset(s);
    r.nlines = 0;
    assert_int_equal(stream_feed(s, "a\n", 2, rec_line, &r, NULL), -1);
    assert_int_equal(stream_feed(s, "b\n", 2, rec_line, &r, &err), -1);
    assert_string_equal(err.msg, "the response could not be read");
    stream_free(s);
    rec_fini(&r);
}

/* --- UTF-8 carry -------------------------------------------------------------------------- */

/* Run the carry over `in` cut at `cut`, one byte piece at a time when `bytes` is set;
 * check that nothing is lost or reordered, that at most 3 bytes wait, and (for valid
 * input) that every piece handed on is valid by itself. */
static void carry_run(const char *in, size_t n, size_t cut, int bytes, int valid)
{
    struct utf8_carry c = {{0}, 0};
    char all[256], out[256 + 4];
    size_t total = 0, at = 0;

    assert_true(n < sizeof all);
    while (at < n || at == 0) {
        size_t len = bytes ? 1 : (at < cut ? cut - at : n - at), got;

        if (len > n - at)
            len = n - at;
        utf8_carry_take(&c, in + at, len, out, &got);
        assert_true(c.n <= 3);
        if (valid)
            assert_true(utf8_valid(out, got));
        memcpy(all + total, out, got);
        total += got;
        at += len;
        if (n == 0)
            break;
    }
    total += utf8_carry_flush(&c, all + total);
    assert_int_equal(c.n, 0);
    assert_int_equal(total, n);
    assert_memory_equal(all, in, n);
}

static void test_carry_every_split(void **state)
{
    static const char valid[] = "a\xc3\xa9z\xe2\x82\xac\xf0\x9f\x98\x80\xed\x9f\xbf\xef\xbf\xbd"
                                "\xf4\x8f\xbf\xbf\xe0\xa0\x80\xf0\x90\x80\x80.";
    static const char invalid[] = "\xc3(\xe2\x82z\xf0\x9f\x98\xff\xfe\xc0\xaf\xe0\x80\x80"
                                  "\xed\xa0\x80\xf4\x90\x80\x80\xf5\x80\x80\x80\xf0\x9f"
                                  "\xc2\x80\x80\xbf\xe2";
    size_t nv = sizeof valid - 1, ni = sizeof invalid - 1;

    (void)state;
    for (size_t i = 0; i <= nv; i++)
        carry_run(valid, nv, i, 0, 1);
    carry_run(valid, nv, 0, 1, 1);
    for (size_t i = 0; i <= ni; i++)
        carry_run(invalid, ni, i, 0, 0);
    carry_run(invalid, ni, 0, 1, 0);
    carry_run("", 0, 0, 0, 1);
}

static void take(struct utf8_carry *c, const char *piece, const char *want_out, size_t want_held)
{
    char out[64];
    size_t got;

    utf8_carry_take(c, piece, strlen(piece), out, &got);
    assert_int_equal(got, strlen(want_out));
    assert_memory_equal(out, want_out, got);
    assert_int_equal(c->n, want_held);
}

static void test_carry_cases(void **state)
{
    struct utf8_carry c = {{0}, 0};
    char out[4];

    (void)state;
    /* 2-, 3- and 4-byte characters held until complete */
    take(&c, "x\xc3", "x", 1);
    take(&c, "\xa9y", "\xc3\xa9y", 0);
    take(&c, "\xe2", "", 1);
    take(&c, "\x82", "", 2);
    take(&c, "\xac", "\xe2\x82\xac", 0);
    take(&c, "\xf0\x9f\x98", "", 3);
    take(&c, "\x80!", "\xf0\x9f\x98\x80!", 0);
    /* an empty piece keeps what waits */
    take(&c, "\xf0", "", 1);
    take(&c, "", "", 1);
    /* a sequence broken by the next piece is passed on for the sanitiser to replace */
    take(&c, "A",
         "\xf0"
         "A",
         0);
    /* bytes that can never become valid are not held */
    take(&c, "\xff", "\xff", 0);
    take(&c, "\xc0", "\xc0", 0);
    take(&c, "\xc1", "\xc1", 0);
    take(&c, "\xf5", "\xf5", 0);
    take(&c, "\x80", "\x80", 0);
    take(&c, "\xe0\x80", "\xe0\x80", 0); /* overlong */
    take(&c, "\xed\xa0", "\xed\xa0", 0); /* surrogate */
    take(&c, "\xf0\x8f", "\xf0\x8f", 0); /* overlong */
    take(&c, "\xf4\x90", "\xf4\x90", 0); /* above U+10FFFF */
    take(&c, "\xe0\xa0", "", 2);         /* valid start: held */
    take(&c, "\xe0\xa0", "\xe0\xa0", 2); /* the old start is broken, the new one held */
    assert_int_equal(utf8_carry_flush(&c, out), 2);
    assert_memory_equal(out, "\xe0\xa0", 2);
    assert_int_equal(utf8_carry_flush(&c, out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),           cmocka_unit_test(test_crlf_and_empty),
        cmocka_unit_test(test_every_split),     cmocka_unit_test(test_every_pair),
        cmocka_unit_test(test_byte_by_byte),    cmocka_unit_test(test_limit),
        cmocka_unit_test(test_limit_open_line), cmocka_unit_test(test_limit_megabytes),
        cmocka_unit_test(test_callback_error),  cmocka_unit_test(test_carry_every_split),
        cmocka_unit_test(test_carry_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
