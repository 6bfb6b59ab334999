/* test_runstats.c: spreads, aggregates over calls and the comparison of two runs, with
 * the arithmetic worked by hand in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <string.h>

#include "runstats.h"

#define EPS 1e-9

static struct maybe known(double v)
{
    struct maybe m = {1, v};

    return m;
}

static const struct maybe unknown = {0, 0};

static void assert_known(struct maybe m, double want)
{
    assert_true(m.known);
    if (fabs(m.v - want) > EPS * (fabs(want) > 1 ? fabs(want) : 1)) {
        fail_msg("got %.12g, want %.12g", m.v, want);
    }
}

static void test_spread_textbook(void **state)
{
    /* 2 4 4 4 5 5 7 9: sum 40, mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
     * sample variance 32/7 = 4.571428...; stddev 2.138089935299395;
     * CV = 2.138089935299395 / 5 * 100 = 42.7617987059879 */
    const double v[] = {2, 4, 4, 4, 5, 5, 7, 9};
    struct maybe vals[8];
    struct spread s;

    (void)state;
    for (size_t i = 0; i < 8; i++)
        vals[i] = known(v[i]);
    spread_of(vals, 8, &s);
    assert_int_equal(s.n, 8);
    assert_known(s.mean, 5);
    assert_known(s.stddev, sqrt(32.0 / 7.0));
    assert_known(s.stddev, 2.138089935299395);
    assert_known(s.cv_percent, 42.7617987059879);
    assert_known(s.min, 2);
    assert_known(s.max, 9);
}

static void test_spread_unknowns(void **state)
{
    struct spread s;

    (void)state;
    /* 10, ?, 20: the unknown stays out; mean 15, deviations -5 and 5, variance
     * (25 + 25) / (2 - 1) = 50, stddev 7.0710678118654755, CV 47.14045207910317 */
    {
        struct maybe vals[] = {known(10), unknown, known(20)};

        spread_of(vals, 3, &s);
        assert_int_equal(s.n, 2);
        assert_known(s.mean, 15);
        assert_known(s.stddev, 7.0710678118654755);
        assert_known(s.cv_percent, 47.14045207910317);
        assert_known(s.min, 10);
        assert_known(s.max, 20);
    }
    /* one value: a known spread of 0, as the original's stddev() gave */
    {
        struct maybe vals[] = {unknown, known(41.5)};

        spread_of(vals, 2, &s);
        assert_int_equal(s.n, 1);
        assert_known(s.mean, 41.5);
        assert_known(s.stddev, 0);
        assert_known(s.cv_percent, 0);
    }
    /* nothing known: nothing is, never 0 */
    {
        struct maybe vals[] = {unknown, unknown};

        spread_of(vals, 2, &s);
        assert_int_equal(s.n, 0);
        assert_false(s.mean.known);
        assert_false(s.stddev.known);
        assert_false(s.cv_percent.known);
        assert_false(s.min.known);
        assert_false(s.max.known);
        spread_of(NULL, 0, &s);
        assert_int_equal(s.n, 0);
        assert_false(s.mean.known);
    }
    /* -1, 1: mean 0, stddev sqrt(2); CV% has nothing to divide by */
    {
        struct maybe vals[] = {known(-1), known(1)};

        spread_of(vals, 2, &s);
        assert_known(s.mean, 0);
        assert_known(s.stddev, sqrt(2.0));
        assert_false(s.cv_percent.known);
    }
    /* a "known" inf or NaN (a rate over a zero duration) is left out like an unknown */
    {
        struct maybe vals[] = {known(INFINITY), known(4), known(NAN), known(6)};

        spread_of(vals, 4, &s);
        assert_int_equal(s.n, 2);
        assert_known(s.mean, 5);
        assert_known(s.stddev, sqrt(2.0));
        assert_known(s.max, 6);
    }
}

static void test_spread_precision(void **state)
{
    /* 1e9 + {1, 2, 3}: mean 1e9 + 2, stddev exactly 1. The one-pass formula
     * (sum of squares - n mean^2) loses it at this magnitude; two passes do not. */
    struct maybe vals[] = {known(1e9 + 1), known(1e9 + 2), known(1e9 + 3)};
    struct spread s;

    (void)state;
    spread_of(vals, 3, &s);
    assert_known(s.mean, 1e9 + 2);
    assert_true(fabs(s.stddev.v - 1.0) < 1e-6);
}

static struct call_figures figures(double ttft, double tp, double tokens, double total,
                                   double pe, double eval, double load)
{
    struct call_figures f;

    memset(&f, 0, sizeof f);
    f.ttft_ms = known(ttft);
    f.throughput = known(tp);
    f.tokens = known(tokens);
    f.total_duration_ms = known(total);
    f.prompt_eval_ms = known(pe);
    f.eval_ms = known(eval);
    f.load_ms = known(load);
    return f;
}

static void test_aggregate(void **state)
{
    struct call_figures calls[2];
    struct aggregate a;

    (void)state;
    calls[0] = figures(500, 40, 1000, 30000, 200, 25000, 100);
    calls[1] = figures(700, 44, 1200, 32000, 300, 27000, 0);
    calls[1].load_ms = unknown; /* a warm model: load_duration not sent */
    aggregate_calls(calls, 2, &a);
    /* throughput 40, 44: mean 42; (4 + 4) / 1 = 8, stddev 2.8284271247461903;
     * CV 2.8284271247461903 / 42 * 100 = 6.734350297014739 */
    assert_int_equal(a.throughput.n, 2);
    assert_known(a.throughput.mean, 42);
    assert_known(a.throughput.stddev, 2.8284271247461903);
    assert_known(a.throughput.cv_percent, 6.734350297014739);
    /* TTFT 500, 700: mean 600; (10000 + 10000) / 1, stddev 141.4213562373095;
     * CV 23.570226039551585 */
    assert_known(a.ttft_ms.mean, 600);
    assert_known(a.ttft_ms.stddev, 141.4213562373095);
    assert_known(a.ttft_ms.cv_percent, 23.570226039551585);
    /* sums: 2200 tokens, 62000 ms total, 500 ms prompt eval, 52000 ms eval; the load
     * sums the one call that reported it */
    assert_known(a.total_tokens, 2200);
    assert_known(a.total_duration_ms, 62000);
    assert_known(a.prompt_eval_ms, 500);
    assert_known(a.eval_ms, 52000);
    assert_known(a.load_ms, 100);

    /* no call reported a load: unknown, not 0 */
    calls[0].load_ms = unknown;
    calls[1].throughput = unknown;
    aggregate_calls(calls, 2, &a);
    assert_false(a.load_ms.known);
    assert_int_equal(a.throughput.n, 1);
    assert_known(a.throughput.mean, 40);
    assert_known(a.throughput.stddev, 0);

    /* no calls at all */
    aggregate_calls(NULL, 0, &a);
    assert_int_equal(a.throughput.n, 0);
    assert_false(a.throughput.mean.known);
    assert_false(a.ttft_ms.mean.known);
    assert_false(a.total_tokens.known);
    assert_false(a.total_duration_ms.known);
}

static void make_agg(struct aggregate *a, double tp, double ttft)
{
    struct call_figures f;

    memset(&f, 0, sizeof f);
    f.throughput = known(tp);
    f.ttft_ms = known(ttft);
    aggregate_calls(&f, 1, a);
}

static void test_compare(void **state)
{
    struct aggregate a, b;
    struct comparison c;

    (void)state;
    /* A (baseline) 40 tok/s, 800 ms; B 50 tok/s, 600 ms:
     * throughput improvement (50 - 40) / 40 * 100 = 25 %, delta +10 tok/s;
     * TTFT reduction (800 - 600) / 800 * 100 = 25 %, delta 200 ms */
    make_agg(&a, 40, 800);
    make_agg(&b, 50, 600);
    compare_aggregates(&a, &b, &c);
    assert_known(c.throughput_a, 40);
    assert_known(c.throughput_b, 50);
    assert_known(c.ttft_a_ms, 800);
    assert_known(c.ttft_b_ms, 600);
    assert_known(c.throughput_improvement_pct, 25);
    assert_known(c.throughput_delta, 10);
    assert_known(c.ttft_reduction_pct, 25);
    assert_known(c.ttft_delta_ms, 200);

    /* B slower: 36 tok/s -> (36 - 40) / 40 * 100 = -10 %; 900 ms -> (800 - 900) / 800 *
     * 100 = -12.5 % (an increase), delta -100 ms */
    make_agg(&b, 36, 900);
    compare_aggregates(&a, &b, &c);
    assert_known(c.throughput_improvement_pct, -10);
    assert_known(c.throughput_delta, -4);
    assert_known(c.ttft_reduction_pct, -12.5);
    assert_known(c.ttft_delta_ms, -100);

    /* a zero baseline: the delta is known, the percentage is not (the original said 0) */
    make_agg(&a, 0, 0);
    make_agg(&b, 50, 600);
    compare_aggregates(&a, &b, &c);
    assert_known(c.throughput_delta, 50);
    assert_false(c.throughput_improvement_pct.known);
    assert_known(c.ttft_delta_ms, -600);
    assert_false(c.ttft_reduction_pct.known);

    /* an unknown input makes everything that depends on it unknown */
    aggregate_calls(NULL, 0, &a);
    compare_aggregates(&a, &b, &c);
    assert_false(c.throughput_a.known);
    assert_known(c.throughput_b, 50);
    assert_false(c.throughput_delta.known);
    assert_false(c.throughput_improvement_pct.known);
    assert_false(c.ttft_delta_ms.known);
    assert_false(c.ttft_reduction_pct.known);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spread_textbook),
        cmocka_unit_test(test_spread_unknowns),
        cmocka_unit_test(test_spread_precision),
        cmocka_unit_test(test_aggregate),
        cmocka_unit_test(test_compare),
    };

    setlocale(LC_NUMERIC, "C");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
