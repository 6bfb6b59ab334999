/* test_fmt.c: sizes, counts, numbers, durations and dates as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"

#define KB INT64_C(1024)
#define MB (KB * 1024)
#define GB (MB * 1024)

static void check_size(int64_t bytes, const char *want)
{
    char out[32];

    fmt_size(out, sizeof out, bytes);
    assert_string_equal(out, want);
}

static void check_short(int64_t bytes, const char *want)
{
    char out[32];

    fmt_size_short(out, sizeof out, bytes);
    assert_string_equal(out, want);
}

static void check_num(double v, int prec, const char *want)
{
    char out[64];

    fmt_num(out, sizeof out, v, prec);
    assert_string_equal(out, want);
}

static void check_count(uint64_t v, const char *want)
{
    char out[32];

    fmt_count(out, sizeof out, v);
    assert_string_equal(out, want);
}

static void check_duration(double s, const char *want)
{
    char out[32];

    fmt_duration(out, sizeof out, s);
    assert_string_equal(out, want);
}

static void check_utc(int64_t t, const char *want)
{
    char out[32];

    fmt_utc(out, sizeof out, t);
    assert_string_equal(out, want);
}

static void test_size(void **state)
{
    (void)state;
    check_size(0, "0 B");
    check_size(1, "1 B");
    check_size(512, "512 B");
    check_size(1023, "1023 B");
    check_size(1024, "1.0 KB");
    check_size(1075, "1.0 KB"); /* 1.0498 */
    check_size(1076, "1.1 KB"); /* 1.0508 */
    check_size(1536, "1.5 KB");
    check_size(3379, "3.3 KB");
    check_size(10 * KB - 52, "9.9 KB"); /* 9.949 */
    check_size(10 * KB - 51, "10 KB");  /* 9.950 rounds up: no decimal at 10 */
    check_size(10 * KB - 1, "10 KB");
    check_size(10 * KB, "10 KB");
    check_size(1023 * KB + 511, "1023 KB");
    check_size(1023 * KB + 512, "1.0 MB"); /* rounds to 1024 KB: next unit */
    check_size(MB - 1, "1.0 MB");
    check_size(MB, "1.0 MB");
    check_size(12 * MB, "12 MB");
    check_size(GB, "1.0 GB");
    check_size(GB + GB / 2, "1.5 GB");
    check_size(GB - 1, "1.0 GB");
    check_size(1000 * GB, "1000 GB");
    check_size(1024 * GB, "1.0 TB");
    check_size(1024 * 1024 * GB, "1.0 PB");
    check_size(INT64_MAX, "8.0 EB");
    check_size(-1536, "-1.5 KB");
    check_size(-1, "-1 B");
    check_size(INT64_MIN, "-8.0 EB");
}

static void test_size_short(void **state)
{
    (void)state;
    check_short(0, "0");
    check_short(512, "512");
    check_short(1023, "1023");
    check_short(1024, "1K");
    check_short(1536, "1.5K");
    check_short(3072, "3K");
    check_short(3379, "3.3K");
    check_short(10 * KB - 1, "10K");
    check_short(12 * MB, "12M");
    check_short(GB + GB / 2, "1.5G");
    check_short(MB - 1, "1M");
    check_short(INT64_MAX, "8E");
    check_short(-2048, "-2K");
}

static void test_truncation(void **state)
{
    char out[8];

    (void)state;
    memset(out, 'x', sizeof out);
    fmt_size(out, 4, 1536);
    assert_string_equal(out, "1.5");
    assert_int_equal(out[4], 'x');
    fmt_count(out, 6, 1234567);
    assert_string_equal(out, "1 234");
    fmt_num(out, 3, 41.25, 2);
    assert_string_equal(out, "41");
    fmt_duration(out, 1, 3.0);
    assert_string_equal(out, "");
    fmt_utc(out, sizeof out, 0);
    assert_string_equal(out, "1970-01");
    /* cap 0 writes nothing */
    memset(out, 'x', sizeof out);
    fmt_size(out, 0, 1);
    fmt_size_short(out, 0, 1);
    fmt_utc(out, 0, 1);
    fmt_local(out, 0, 1);
    fmt_num(out, 0, 1.5, 1);
    fmt_count(out, 0, 1);
    fmt_duration(out, 0, 1);
    for (size_t i = 0; i < sizeof out; i++)
        assert_int_equal(out[i], 'x');
}

static void test_utc(void **state)
{
    (void)state;
    check_utc(0, "1970-01-01 00:00:00");
    check_utc(59, "1970-01-01 00:00:59");
    check_utc(86399, "1970-01-01 23:59:59");
    check_utc(86400, "1970-01-02 00:00:00");
    check_utc(951782400, "2000-02-29 00:00:00");
    check_utc(1709210096, "2024-02-29 12:34:56");
    check_utc(2147483647, "2038-01-19 03:14:07");
    check_utc(4102444800, "2100-01-01 00:00:00");
    check_utc(253402300799, "9999-12-31 23:59:59");
    check_utc(-1, "-");
    check_utc(INT64_MIN, "-");
}

static void test_utc_matches_gmtime(void **state)
{
    (void)state;
    /* Every day from 1970 to 2400 (leap rules of 2000, 2100 and 2400), at a varying time. */
    for (int64_t day = 0; day < 157000; day++) {
        int64_t t = day * 86400 + (day * 7919) % 86400;
        time_t tt = (time_t)t;
        struct tm tm;
        char want[80], got[32];

        assert_non_null(gmtime_r(&tt, &tm));
        snprintf(want, sizeof want, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        fmt_utc(got, sizeof got, t);
        assert_string_equal(got, want);
    }
}

/* Run fmt_local under the POSIX TZ string `tz` (no tzdata needed). */
static void check_local(const char *tz, int64_t t, const char *want)
{
    char out[32];

    assert_int_equal(setenv("TZ", tz, 1), 0);
    tzset();
    fmt_local(out, sizeof out, t);
    assert_string_equal(out, want);
}

static void test_local(void **state)
{
    char *saved = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;

    (void)state;
    check_local("UTC0", 0, "1970-01-01 00:00");
    check_local("UTC0", 1709210096, "2024-02-29 12:34");
    check_local("CET-1CEST,M3.5.0,M10.5.0/3", 1700000000, "2023-11-14 23:13");
    check_local("CET-1CEST,M3.5.0,M10.5.0/3", 1688169600, "2023-07-01 02:00");
    check_local("EST5", 0, "1969-12-31 19:00");
    check_local("UTC0", -1, "-");
    if (saved != NULL) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

static void test_num(void **state)
{
    (void)state;
    check_num(41.2, 2, "41.2");
    check_num(41.2, 6, "41.2");
    check_num(41.2, 0, "41");
    check_num(3, 2, "3");
    check_num(3.0, 6, "3");
    check_num(0.001, 3, "0.001");
    check_num(0.001, 6, "0.001");
    check_num(0.001, 2, "0");
    check_num(-0.5, 2, "-0.5");
    check_num(-0.5, 1, "-0.5");
    check_num(3.14159, 2, "3.14");
    check_num(3.14159, 4, "3.1416");
    check_num(2.675, 1, "2.7");
    check_num(1234567.891, 3, "1234567.891");
    check_num(0, 3, "0");
    check_num(-0.0, 3, "0");
    check_num(-0.0004, 2, "0");
    check_num(0.0001, 4, "0.0001");
    check_num(999999999999999.0, 2, "999999999999999");
    /* Outside [1e-4, 1e15): scientific, trailing zeros dropped the same way. */
    check_num(1e20, 3, "1e+20");
    check_num(1e20, 0, "1e+20");
    check_num(1e15, 2, "1e+15");
    check_num(-2.5e18, 3, "-2.5e+18");
    check_num(0.00001234, 3, "1.234e-05");
    check_num(0.00001234, 1, "1.2e-05");
    check_num(5e-300, 2, "5e-300");
    check_num(NAN, 2, "nan");
    check_num(-NAN, 2, "nan");
    check_num(INFINITY, 2, "inf");
    check_num(-INFINITY, 2, "-inf");
    /* Precision is clamped: never below 0, never past what a double holds. */
    check_num(41.2, -3, "41");
    check_num(41.2, 17, "41.2");
    check_num(0.1 + 0.2, 20, "0.3");
    check_num(1.0 / 3, 30, "0.333333333333333");
}

/* Switch LC_NUMERIC to the first of `names` that is installed and whose decimal separator
 * is not "."; check that nothing follows it. Skips when none is installed. */
static void check_foreign_radix(const char *const *names, size_t count)
{
    char *saved = strdup(setlocale(LC_NUMERIC, NULL));
    const char *found = NULL;
    char out[64];

    for (size_t i = 0; i < count && found == NULL; i++) {
        found = setlocale(LC_NUMERIC, names[i]);
        if (found != NULL && strcmp(localeconv()->decimal_point, ".") == 0)
            found = NULL;
    }
    if (found == NULL) {
        setlocale(LC_NUMERIC, saved);
        free(saved);
        skip();
    }
    /* The precondition: printf itself now writes another separator. */
    snprintf(out, sizeof out, "%.1f", 41.2);
    assert_string_not_equal(out, "41.2");

    check_num(41.2, 2, "41.2");
    check_num(-0.5, 3, "-0.5");
    check_num(1.0 / 3, 4, "0.3333");
    check_num(3, 4, "3");
    check_num(1e20, 3, "1e+20");
    check_num(0.00001234, 3, "1.234e-05");
    check_num(1234567.5, 1, "1234567.5");
    check_size(1536, "1.5 KB");
    check_short(1536, "1.5K");
    check_duration(19.7, "19.7 s");
    check_duration(7200.0 * 1000, "2000 h 00 m");
    check_count(1234567, "1 234 567");

    setlocale(LC_NUMERIC, saved);
    free(saved);
}

static void test_num_in_comma_locale(void **state)
{
    static const char *const names[] = {
        "de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8", "fr_FR.utf8", "ru_RU.UTF-8",
    };

    (void)state;
    check_foreign_radix(names, sizeof names / sizeof names[0]);
}

static void test_num_in_multibyte_radix_locale(void **state)
{
    /* ps_AF writes U+066B ARABIC DECIMAL SEPARATOR, two bytes in UTF-8. */
    static const char *const names[] = {"ps_AF.UTF-8", "ps_AF.utf8"};

    (void)state;
    check_foreign_radix(names, sizeof names / sizeof names[0]);
}

static void test_count(void **state)
{
    (void)state;
    check_count(0, "0");
    check_count(7, "7");
    check_count(999, "999");
    check_count(1000, "1 000");
    check_count(9999, "9 999");
    check_count(100000, "100 000");
    check_count(999999, "999 999");
    check_count(1234567, "1 234 567");
    check_count(1000000000, "1 000 000 000");
    check_count(UINT64_MAX, "18 446 744 073 709 551 615");
}

static void test_duration(void **state)
{
    (void)state;
    check_duration(0, "0 ms");
    check_duration(0.0004, "0 ms");
    check_duration(0.0006, "1 ms");
    check_duration(0.812, "812 ms");
    check_duration(0.9994, "999 ms");
    check_duration(0.9996, "1.0 s"); /* would round to 1000 ms */
    check_duration(1, "1.0 s");
    check_duration(19.7, "19.7 s");
    check_duration(19.74, "19.7 s");
    check_duration(59.94, "59.9 s");
    check_duration(59.96, "1 m 00 s"); /* would round to 60.0 s */
    check_duration(60, "1 m 00 s");
    check_duration(185, "3 m 05 s");
    check_duration(185.4, "3 m 05 s");
    check_duration(3599.4, "59 m 59 s");
    check_duration(3599.6, "1 h 00 m"); /* would round to 60 m 00 s */
    check_duration(3600, "1 h 00 m");
    check_duration(3720, "1 h 02 m");
    check_duration(3750, "1 h 03 m");
    check_duration(86399, "24 h 00 m");
    check_duration(360000, "100 h 00 m");
    check_duration(6e16, "16666666666666 h"); /* past 1e15 minutes: hours only */
    check_duration(-1, "-");
    check_duration(NAN, "-");
    check_duration(INFINITY, "inf");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_size_short),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_utc),
        cmocka_unit_test(test_utc_matches_gmtime),
        cmocka_unit_test(test_local),
        cmocka_unit_test(test_num),
        cmocka_unit_test(test_num_in_comma_locale),
        cmocka_unit_test(test_num_in_multibyte_radix_locale),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_duration),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
