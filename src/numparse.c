/* numparse.c: decimal parsing with Clinger's fast path and a locale-proof strtod fallback.
 *
 * The syntax is checked here, byte by byte, so strtod only ever sees a plain decimal: it
 * cannot pick up hex, inf/nan or a locale's decimal comma. A plain decimal whose
 * significant digits form an integer m <= 2^53 (at most 19 digits read) and whose decimal
 * exponent e has |e| <= 22 is exactly m * 10^e rounded once, because both m and 10^|e|
 * are exact doubles and IEEE multiplication and division round correctly. Everything
 * else (long mantissas, big exponents) goes to strtod_l in the "C" locale.
 *
 * The CSV statistics call this for every numeric-looking cell, so the everyday shape
 * [-]digits[.digits] has its own small function (num_parse_ex) and everything else is
 * left to num_parse_general. */
#include "numparse.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

/* The fast path needs double arithmetic evaluated in double precision (not x87's 80-bit
 * registers, which would round twice). */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define NUM_FAST_PATH 1
#else
#define NUM_FAST_PATH 0
#endif

#define NUM_MAX_DIGITS 19 /* a 19-digit integer always fits in uint64_t */
#define NUM_EXACT_MANTISSA (UINT64_C(1) << 53)
#define NUM_STACK_COPY 128      /* longer numbers get a heap copy for strtod */
#define NUM_EXP_SATURATE 100000 /* far beyond any double; keeps the sum from overflowing */

/* Every power of ten up to 10^22 is an exact double. */
static const double num_pow10[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static int num_is_space(char c)
{
    return c == ' ' || c == '\t';
}

static unsigned num_digit(char c)
{
    return (unsigned)((unsigned char)c - '0');
}

/* The "C" locale for strtod_l. strtod alone follows LC_NUMERIC, which the front-end sets
 * from the environment, and a decimal-comma locale would read "1.5" as 1. The object is
 * created on first use and kept for the life of the process: a function-local static
 * written once, because strtod_l needs a locale_t and there is no caller state to hang
 * it on (the program has one thread, so the lazy initialisation cannot race). */
static locale_t num_c_locale(void)
{
    static locale_t c_locale;

    if (c_locale == (locale_t)0) {
        c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
        if (c_locale == (locale_t)0)
            fatal("cannot create the C locale for number parsing");
    }
    return c_locale;
}

/* strtod_l on s[0..n), which has already been checked to be a plain decimal. */
static double num_slow(const char *s, size_t n)
{
    char stack[NUM_STACK_COPY];
    char *copy = n < sizeof stack ? stack : xmalloc(n + 1);
    double v;

    memcpy(copy, s, n);
    copy[n] = '\0';
    v = strtod_l(copy, NULL, num_c_locale());
    if (copy != stack)
        free(copy);
    return v;
}

/* Exact m * 10^e when the fast path applies; 0 when it does not. */
static int num_fast(uint64_t m, int64_t e, double *out)
{
    if (!NUM_FAST_PATH || m > NUM_EXACT_MANTISSA)
        return 0;
    if (e == 0) {
        *out = (double)m;
    } else if (e > 0 && e <= 22) {
        *out = (double)m * num_pow10[e];
    } else if (e < 0 && e >= -22) {
        *out = (double)m / num_pow10[-e];
    } else if (e > 22 && e <= 22 + 15) {
        /* 1.5e30: move the excess exponent into the mantissa while it stays exact */
        int64_t k = e - 22;
        uint64_t mk = m;

        while (k > 0 && mk <= NUM_EXACT_MANTISSA / 10) {
            mk *= 10;
            k--;
        }
        if (k > 0)
            return 0;
        *out = (double)mk * num_pow10[22];
    } else {
        return 0;
    }
    return 1;
}

/* Every case, carefully: blanks, exponents, leading zeros, more than 19 digits. */
static int num_parse_general(const char *s, size_t n, double *out, int *is_int)
{
    const char *p = s, *end = s + n, *start;
    uint64_t m = 0;
    int64_t e10 = 0;
    int ndig = 0, digits = 0, slow = 0, neg = 0, integral = 1;
    double v;

    while (p < end && num_is_space(*p))
        p++;
    while (end > p && num_is_space(end[-1]))
        end--;
    if (p < end && (*p == '+' || *p == '-')) {
        neg = *p == '-';
        p++;
    }
    start = p; /* strtod gets the unsigned part; the sign is applied below */
    /* Integer part: leading zeros are not significant; past 19 significant digits the
     * value is no longer exact in m, so strtod takes over. */
    for (; p < end && num_digit(*p) < 10; p++) {
        unsigned d = num_digit(*p);

        digits++;
        if (m == 0 && d == 0)
            continue;
        if (ndig < NUM_MAX_DIGITS) {
            m = m * 10 + d;
            ndig++;
        } else {
            slow = 1;
        }
    }
    if (p < end && *p == '.') {
        integral = 0;
        for (p++; p < end && num_digit(*p) < 10; p++) {
            unsigned d = num_digit(*p);

            digits++;
            if (m == 0 && d == 0) {
                e10--;
                continue;
            }
            if (ndig < NUM_MAX_DIGITS) {
                m = m * 10 + d;
                ndig++;
                e10--;
            } else {
                slow = 1;
            }
        }
    }
    if (digits == 0)
        return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        int eneg = 0, edigits = 0;
        int64_t ev = 0;

        integral = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        for (; p < end && num_digit(*p) < 10; p++) {
            edigits++;
            if (ev < NUM_EXP_SATURATE)
                ev = ev * 10 + num_digit(*p);
        }
        if (edigits == 0)
            return 0;
        e10 += eneg ? -ev : ev;
    }
    if (p != end)
        return 0;

    if (m == 0) {
        v = 0.0;
    } else if (slow || !num_fast(m, e10, &v)) {
        v = num_slow(start, (size_t)(end - start));
        if (isinf(v))
            return 0; /* overflow: not a finite number; underflow to 0 is accepted */
    }
    *out = neg ? -v : v;
    if (is_int != NULL) {
        /* the literal 9223372036854775808 fits only as a negative number */
        uint64_t limit = neg ? UINT64_C(1) << 63 : (uint64_t)INT64_MAX;

        *is_int = integral && !slow && m <= limit;
    }
    return 1;
}

/* The common cell, [-+]digits[.digits] with at most 19 digits and nothing around, in one
 * tight loop (leading zeros are harmless here: they add nothing to m). Anything else, or
 * a mantissa past 2^53, goes to num_parse_general. Kept free of calls so it needs no
 * stack frame. */
int num_parse_ex(const char *s, size_t n, double *out, int *is_int)
{
    const char *p = s, *end = s + n, *digits;
    uint64_t m = 0;
    size_t nfrac = 0, ndigits;
    int neg = 0, dot = 0;
    double v;

    if (n == 0 || num_is_space(*p) || num_is_space(end[-1]))
        return num_parse_general(s, n, out, is_int);
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    digits = p;
    while (p < end && num_digit(*p) < 10)
        m = m * 10 + num_digit(*p++);
    ndigits = (size_t)(p - digits);
    if (p < end && *p == '.') {
        const char *frac = ++p;

        dot = 1;
        while (p < end && num_digit(*p) < 10)
            m = m * 10 + num_digit(*p++);
        nfrac = (size_t)(p - frac);
        ndigits += nfrac;
    }
    if (p != end && *p != 'e' && *p != 'E')
        return 0; /* not a number (a date, "12%"); blanks were only possible at the ends */
    if (!NUM_FAST_PATH || p != end || ndigits == 0 || ndigits > NUM_MAX_DIGITS ||
        m > NUM_EXACT_MANTISSA)
        return num_parse_general(s, n, out, is_int); /* nfrac <= 19 < 22 here */
    v = nfrac > 0 ? (double)m / num_pow10[nfrac] : (double)m;
    *out = neg ? -v : v;
    if (is_int != NULL)
        *is_int = !dot;
    return 1;
}

int num_parse(const char *s, size_t n, double *out)
{
    return num_parse_ex(s, n, out, NULL);
}
