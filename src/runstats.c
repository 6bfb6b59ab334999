/* runstats.c: means, spreads, sums and comparisons of call figures.
 *
 * Where the original agent put 0 for a figure it did not have (and then averaged it in),
 * an unknown value here stays out of the arithmetic, and a result with nothing to stand
 * on is unknown. A value that is "known" but not finite (a rate over a zero duration
 * that slipped through) is treated as unknown too, so one bad call cannot turn a mean
 * into inf or NaN. */
#include "runstats.h"

#include <math.h>
#include <string.h>

static int runstats_usable(const struct maybe *m)
{
    return m->known && isfinite(m->v);
}

static struct maybe runstats_known(double v)
{
    struct maybe m = {1, v};

    return m;
}

/* The value at index i of an array of `stride`-byte items whose first value is at `base`:
 * spreads and sums read a struct maybe array and one field of a call_figures array alike. */
static const struct maybe *runstats_at(const void *base, size_t stride, size_t i)
{
    return (const struct maybe *)(const void *)((const char *)base + i * stride);
}

static void runstats_spread(const void *base, size_t stride, size_t n, struct spread *out)
{
    double sum = 0, mean, sq = 0;
    size_t k = 0;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        const struct maybe *m = runstats_at(base, stride, i);

        if (!runstats_usable(m))
            continue;
        if (k == 0 || m->v < out->min.v)
            out->min = runstats_known(m->v);
        if (k == 0 || m->v > out->max.v)
            out->max = runstats_known(m->v);
        sum += m->v;
        k++;
    }
    out->n = k;
    if (k == 0)
        return;
    mean = sum / (double)k;
    out->mean = runstats_known(mean);
    /* two passes (mean first, then squared deviations): the one-pass formula loses all
     * digits when the spread is small next to the mean, as tok/s over runs often is */
    for (size_t i = 0; i < n; i++) {
        const struct maybe *m = runstats_at(base, stride, i);

        if (runstats_usable(m))
            sq += (m->v - mean) * (m->v - mean);
    }
    /* one value: the original's stddev() gave 0 below two values, and a single run does
     * have no spread, so 0 is a known figure here, not an unknown one */
    out->stddev = runstats_known(k < 2 ? 0.0 : sqrt(sq / (double)(k - 1)));
    /* CV% needs a mean to divide by: unknown, not inf, when it is 0 */
    if (mean != 0)
        out->cv_percent = runstats_known(out->stddev.v / mean * 100.0);
}

void spread_of(const struct maybe *values, size_t n, struct spread *out)
{
    runstats_spread(values, sizeof *values, n, out);
}

/* Sum of the known values; unknown when none is known. A call that did not report a
 * figure adds nothing, so an incomplete run sums what its finished calls reported. */
static struct maybe runstats_sum(const void *base, size_t stride, size_t n)
{
    struct maybe sum = {0, 0};

    for (size_t i = 0; i < n; i++) {
        const struct maybe *m = runstats_at(base, stride, i);

        if (runstats_usable(m)) {
            sum.known = 1;
            sum.v += m->v;
        }
    }
    return sum;
}

void aggregate_calls(const struct call_figures *calls, size_t n, struct aggregate *out)
{
    const size_t stride = sizeof *calls;

    memset(out, 0, sizeof *out);
    if (n == 0)
        return;
    runstats_spread(&calls[0].throughput, stride, n, &out->throughput);
    runstats_spread(&calls[0].ttft_ms, stride, n, &out->ttft_ms);
    out->total_tokens = runstats_sum(&calls[0].tokens, stride, n);
    out->total_duration_ms = runstats_sum(&calls[0].total_duration_ms, stride, n);
    out->prompt_eval_ms = runstats_sum(&calls[0].prompt_eval_ms, stride, n);
    out->eval_ms = runstats_sum(&calls[0].eval_ms, stride, n);
    out->load_ms = runstats_sum(&calls[0].load_ms, stride, n);
}

/* a - b, known when both are */
static struct maybe runstats_diff(struct maybe a, struct maybe b)
{
    struct maybe d = {0, 0};

    if (runstats_usable(&a) && runstats_usable(&b))
        d = runstats_known(a.v - b.v);
    return d;
}

/* num / base * 100. The original returned 0 for a base that is not positive, which reads
 * as "no change"; a percentage of nothing is unknown instead. */
static struct maybe runstats_pct(struct maybe num, struct maybe base)
{
    struct maybe p = {0, 0};

    if (runstats_usable(&num) && runstats_usable(&base) && base.v > 0)
        p = runstats_known(num.v / base.v * 100.0);
    return p;
}

void compare_aggregates(const struct aggregate *a, const struct aggregate *b,
                        struct comparison *out)
{
    memset(out, 0, sizeof *out);
    out->throughput_a = a->throughput.mean;
    out->throughput_b = b->throughput.mean;
    out->ttft_a_ms = a->ttft_ms.mean;
    out->ttft_b_ms = b->ttft_ms.mean;
    out->throughput_delta = runstats_diff(out->throughput_b, out->throughput_a);
    out->ttft_delta_ms = runstats_diff(out->ttft_a_ms, out->ttft_b_ms);
    out->throughput_improvement_pct = runstats_pct(out->throughput_delta, out->throughput_a);
    out->ttft_reduction_pct = runstats_pct(out->ttft_delta_ms, out->ttft_a_ms);
}
