/* test_numparse.c: the decimal parser against strtod, bit for bit, and its syntax. */
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

#include "numparse.h"

/* The process never calls setlocale until test_locale, so strtod reads "C" decimals. */
static void expect_same_as_strtod(const char *s)
{
    char *end;
    double want = strtod(s, &end), got = -12345.0;
    int ok = num_parse(s, strlen(s), &got);

    if (!ok || memcmp(&want, &got, sizeof want) != 0)
        print_error("input \"%s\": strtod %.17g (%a), num_parse ok=%d %.17g (%a)\n", s, want, want,
                    ok, got, got);
    assert_true(ok);
    assert_memory_equal(&want, &got, sizeof want);
}

static void expect_num(const char *s, double want)
{
    double got;

    assert_true(num_parse(s, strlen(s), &got));
    assert_memory_equal(&want, &got, sizeof want);
}

static void expect_reject(const char *s)
{
    double got = 42;

    if (num_parse(s, strlen(s), &got))
        print_error("input \"%s\" should be rejected, got %g\n", s, got);
    assert_false(num_parse(s, strlen(s), &got));
}

static void test_edges(void **state)
{
    static const char *const cases[] = {
        "0",
        "-0",
        "+0",
        "0.0",
        "-0.0",
        "00000",
        "0e999",
        "-0e-999",
        "0.1",
        "0.2",
        "0.3",
        "1e22",
        "1e23",
        "9007199254740992",
        "9007199254740993",
        "9007199254740995",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999",
        "1234567890123456789",
        "12345678901234567890123",
        "0.000000000000000000001234",
        "2.2250738585072014e-308",
        "2.2250738585072011e-308",
        "4.9406564584124654e-324",
        "2.4703282292062328e-324",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1e-400",
        "123456789e-22",
        "123456789e-30",
        "1.5e30",
        "9e37",
        "123456789012345e23",
        "3.14159265358979323846264338327950288",
        "41.093",
        "652.118",
        ".5",
        "5.",
        "+3",
        "-12.5e-3",
        "1E5",
        "1e+5",
        "7.0e-10",
        "  12  ",
        "\t3.5",
        "0.1e1",
        "100000000000000000000000e-3",
        "00000000000000000000000000000001.5",
        "0.00000000000000000000000000000001",
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_same_as_strtod(cases[i]);
    expect_num("-0", -0.0);
    expect_num("1e-400", 0.0); /* underflow to zero is accepted, as strtod gives it */
    expect_num(" 12 ", 12.0);
    expect_num(".5", 0.5);
    expect_num("5.", 5.0);
    expect_num("+3", 3.0);
}

static void test_rejects(void **state)
{
    static const char *const cases[] = {
        "",      " ",     ".",    "-",        "+",      "-.",
        "1e",    "1e+",   "1e-",  "e5",       "1,000",  "0x10",
        "0X1p3", "inf",   "-inf", "infinity", "nan",    "NaN",
        "1.2.3", "1e5.5", "--1",  "+-1",      "1-",     "12 34",
        "1 e5",  "abc",   "1f",   "1e99999",  "-1e400", "1.7976931348623159e308",
        "١",
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_reject(cases[i]);
}

static void test_not_nul_terminated(void **state)
{
    const char buf[] = "3.25999";
    const char longbuf[] = "1.00000000000000000000000000000000000000000000000000000001234";
    double v;

    (void)state;
    assert_true(num_parse(buf, 4, &v)); /* "3.25" inside a longer buffer */
    assert_true(v == 3.25);
    assert_true(num_parse(longbuf, 3, &v)); /* "1.0" */
    assert_true(v == 1.0);
    assert_true(num_parse(longbuf, sizeof longbuf - 1, &v)); /* long: the strtod path */
    assert_true(v == 1.0);
}

static void test_is_int(void **state)
{
    double v;
    int is_int = -1;

    (void)state;
    assert_true(num_parse_ex("42", 2, &v, &is_int));
    assert_int_equal(is_int, 1);
    assert_true(num_parse_ex("-9223372036854775808", 20, &v, &is_int));
    assert_int_equal(is_int, 1);
    assert_true(num_parse_ex("9223372036854775807", 19, &v, &is_int));
    assert_int_equal(is_int, 1);
    assert_true(num_parse_ex("9223372036854775808", 19, &v, &is_int));
    assert_int_equal(is_int, 0); /* does not fit int64 */
    assert_true(num_parse_ex("0000000000000000000000007", 25, &v, &is_int));
    assert_int_equal(is_int, 1);
    assert_true(num_parse_ex("42.0", 4, &v, &is_int));
    assert_int_equal(is_int, 0);
    assert_true(num_parse_ex("42.", 3, &v, &is_int));
    assert_int_equal(is_int, 0);
    assert_true(num_parse_ex("4e2", 3, &v, &is_int));
    assert_int_equal(is_int, 0);
    assert_true(num_parse_ex(" -7 ", 4, &v, &is_int));
    assert_int_equal(is_int, 1);
    assert_true(v == -7.0);
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random decimal literals of many shapes: digit counts around the 19-digit and 2^53
 * limits, exponents around 0, +-22 and the ends of the double range. */
static void test_random_literals(void **state)
{
    uint64_t seed = 0x9e3779b97f4a7c15u;
    char s[96];

    (void)state;
    for (int iter = 0; iter < 300000; iter++) {
        size_t k = 0;
        int ndig = 1 + (int)(rnd(&seed) % 24), point = (int)(rnd(&seed) % (ndig + 2)) - 1;
        unsigned shape = (unsigned)(rnd(&seed) % 8);

        if (rnd(&seed) % 4 == 0)
            s[k++] = '-';
        for (int i = 0; i < ndig; i++) {
            if (i == point)
                s[k++] = '.';
            s[k++] = (char)('0' + (i == 0 && shape < 4 ? 1 + rnd(&seed) % 9 : rnd(&seed) % 10));
        }
        if (point == ndig)
            s[k++] = '.';
        if (shape >= 5) {
            int e;

            if (shape == 5)
                e = (int)(rnd(&seed) % 61) - 30;
            else if (shape == 6)
                e = (int)(rnd(&seed) % 31) - 15 + (rnd(&seed) % 2 ? 300 : -320);
            else
                e = (int)(rnd(&seed) % 700) - 350;
            k += (size_t)snprintf(s + k, sizeof s - k, "e%d", e);
        }
        s[k] = '\0';
        {
            double want = strtod(s, NULL), got;
            int ok = num_parse(s, k, &got);

            if (isinf(want)) {
                assert_false(ok);
                continue;
            }
            if (!ok || memcmp(&want, &got, sizeof want) != 0)
                print_error("input \"%s\"\n", s);
            assert_true(ok);
            assert_memory_equal(&want, &got, sizeof want);
        }
    }
}

/* Random doubles printed with 1 to 17 significant digits, in %e, %f and %g forms. */
static void test_random_doubles(void **state)
{
    uint64_t seed = 88172645463325252u;
    char s[512];

    (void)state;
    for (int iter = 0; iter < 200000; iter++) {
        uint64_t bits = rnd(&seed);
        double d, want, got;
        int prec = 1 + (int)(rnd(&seed) % 17);

        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d))
            continue;
        if (iter % 3 == 0)
            d = (double)(rnd(&seed) % 10000000) / 1000.0; /* benchmark-like: 41.093 */
        switch (iter % 4) {
        case 0:
            snprintf(s, sizeof s, "%.*g", prec, d);
            break;
        case 1:
            snprintf(s, sizeof s, "%.*e", prec, d);
            break;
        case 2:
            snprintf(s, sizeof s, "%.*f", prec % 8, fabs(d) < 1e30 ? d : 1.5);
            break;
        default:
            snprintf(s, sizeof s, "%.17g", d);
            break;
        }
        want = strtod(s, NULL);
        if (isinf(want))
            continue;
        if (!num_parse(s, strlen(s), &got) || memcmp(&want, &got, sizeof want) != 0)
            print_error("input \"%s\"\n", s);
        assert_true(num_parse(s, strlen(s), &got));
        assert_memory_equal(&want, &got, sizeof want);
    }
}

/* With a decimal-comma locale active, parsing still reads '.' (strtod_l with "C"). */
static void test_locale(void **state)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8"};
    const char *set = NULL;
    double v;

    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && set == NULL; i++)
        set = setlocale(LC_NUMERIC, names[i]);
    if (set == NULL)
        setlocale(LC_ALL, ""); /* what the UI does; no decimal-comma locale installed here */
    assert_true(num_parse("1.5", 3, &v));
    assert_true(v == 1.5);
    assert_true(num_parse("3.14159265358979323846264338327950288", 37, &v)); /* slow path */
    assert_true(v == 3.141592653589793);
    assert_true(num_parse("1.25e300", 8, &v));
    assert_true(v == 1.25e300);
    assert_false(num_parse("1,5", 3, &v));
    setlocale(LC_ALL, "C");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_is_int),
        cmocka_unit_test(test_random_literals),
        cmocka_unit_test(test_random_doubles),
        cmocka_unit_test(test_locale),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
