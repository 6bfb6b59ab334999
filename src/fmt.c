/* fmt.c: numbers, sizes and times as text, identical in every locale.
 *
 * The front-end calls setlocale(LC_ALL, ""), after which printf's %f and %e write the
 * locale's decimal separator ("," in de_DE). Sizes, counts, durations and dates are
 * therefore built from integers here, and fmt_num, which needs printf's correctly rounded
 * floating-point conversion, swaps the locale's separator back to "." afterwards.
 * Every function writes at most `cap` bytes, NUL included, truncating like snprintf. */
#include "fmt.h"

#include <float.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Unit letters for powers of 1024; 2^63 bytes is 8 EB, so E is the last one needed. */
static const char fmt_units[] = "BKMGTPE";
#define FMT_LAST_UNIT 6

/* Decimal digits a double holds without change; printing more shows binary noise
 * ("41.200000000000003"). */
#define FMT_MAX_DIGITS DBL_DIG

struct fmt_scaled {
    int unit;       /* index into fmt_units */
    uint64_t whole; /* integer part */
    int tenth;      /* first decimal, or -1 when the value is shown without one */
};

/* Scale `v` bytes to the first unit in which it rounds (half up) below 1024, with one
 * decimal while that stays below 10. */
static struct fmt_scaled fmt_scale(uint64_t v)
{
    struct fmt_scaled r = {0, v, -1};
    uint64_t d = 1024;

    if (v < 1024)
        return r;
    for (r.unit = 1;; r.unit++, d *= 1024) {
        uint64_t q = v / d, rem = v % d; /* rem < d <= 2^60, so rem * 10 cannot wrap */
        uint64_t tenths = q * 10 + (rem * 10 + d / 2) / d;

        if (tenths < 100) {
            r.whole = tenths / 10;
            r.tenth = (int)(tenths % 10);
            return r;
        }
        r.whole = q + (rem >= d - rem ? 1 : 0);
        if (r.whole < 1024 || r.unit == FMT_LAST_UNIT)
            return r;
    }
}

/* The magnitude of `v` as unsigned (INT64_MIN included) and its sign. */
static uint64_t fmt_abs(int64_t v, const char **sign)
{
    *sign = v < 0 ? "-" : "";
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

void fmt_size(char *out, size_t cap, int64_t bytes)
{
    const char *sign;
    struct fmt_scaled s = fmt_scale(fmt_abs(bytes, &sign));

    if (s.unit == 0)
        snprintf(out, cap, "%s%" PRIu64 " B", sign, s.whole);
    else if (s.tenth >= 0)
        snprintf(out, cap, "%s%" PRIu64 ".%d %cB", sign, s.whole, s.tenth, fmt_units[s.unit]);
    else
        snprintf(out, cap, "%s%" PRIu64 " %cB", sign, s.whole, fmt_units[s.unit]);
}

void fmt_size_short(char *out, size_t cap, int64_t bytes)
{
    const char *sign;
    struct fmt_scaled s = fmt_scale(fmt_abs(bytes, &sign));

    /* Narrow columns drop a ".0" that fmt_size would keep. */
    if (s.unit == 0)
        snprintf(out, cap, "%s%" PRIu64, sign, s.whole);
    else if (s.tenth > 0)
        snprintf(out, cap, "%s%" PRIu64 ".%d%c", sign, s.whole, s.tenth, fmt_units[s.unit]);
    else
        snprintf(out, cap, "%s%" PRIu64 "%c", sign, s.whole, fmt_units[s.unit]);
}

/* Proleptic Gregorian date of `days` (>= 0) after 1970-01-01. Computed by hand so that it
 * works the same with a 32-bit time_t and for years gmtime's int cannot hold. */
static void fmt_civil(int64_t days, int64_t *year, int *month, int *day)
{
    /* Count from 0000-03-01 so the leap day ends each 4/100/400-year cycle. */
    int64_t z = days + 719468;
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* 0 = March */

    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = era * 400 + yoe + (*month <= 2 ? 1 : 0);
}

void fmt_utc(char *out, size_t cap, int64_t t)
{
    int64_t year, secs;
    int month, day;

    if (t < 0) {
        snprintf(out, cap, "-");
        return;
    }
    fmt_civil(t / 86400, &year, &month, &day);
    secs = t % 86400;
    snprintf(out, cap, "%04" PRId64 "-%02d-%02d %02d:%02d:%02d", year, month, day,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

void fmt_local(char *out, size_t cap, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    /* Same "-" as fmt_utc for unknown times, and for times time_t or tm cannot hold. */
    if (t < 0 || (int64_t)tt != t || localtime_r(&tt, &tm) == NULL) {
        snprintf(out, cap, "-");
        return;
    }
    snprintf(out, cap, "%04lld-%02d-%02d %02d:%02d", (long long)tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/* Replace the locale's decimal separator (possibly several bytes) with '.'. */
static void fmt_fix_radix(char *s)
{
    const char *dp = localeconv()->decimal_point;
    size_t dl;
    char *p;

    if (dp == NULL || dp[0] == '\0' || strcmp(dp, ".") == 0)
        return;
    p = strstr(s, dp);
    if (p == NULL)
        return;
    dl = strlen(dp);
    *p = '.';
    memmove(p + 1, p + dl, strlen(p + dl) + 1);
}

/* Drop trailing zeros of the fraction, and the '.' when nothing is left after it. */
static void fmt_trim_zeros(char *s)
{
    char *dot = strchr(s, '.');
    char *exp, *end;

    if (dot == NULL)
        return;
    exp = strchr(dot, 'e');
    end = exp != NULL ? exp : dot + strlen(dot);
    while (end > dot + 1 && end[-1] == '0')
        end--;
    if (end == dot + 1)
        end = dot;
    memmove(end, exp != NULL ? exp : "", exp != NULL ? strlen(exp) + 1 : 1);
}

void fmt_num(char *out, size_t cap, double v, int prec)
{
    char tmp[64];
    double a = fabs(v);

    if (isnan(v)) {
        snprintf(out, cap, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(out, cap, "%s", v < 0 ? "-inf" : "inf");
        return;
    }
    if (prec < 0)
        prec = 0;
    if (prec > FMT_MAX_DIGITS)
        prec = FMT_MAX_DIGITS;
    if (a == 0) {
        snprintf(out, cap, "0");
        return;
    }
    if (a >= 1e-4 && a < 1e15) {
        int int_digits = a >= 1 ? (int)floor(log10(a)) + 1 : 0;

        if (prec > FMT_MAX_DIGITS - int_digits)
            prec = FMT_MAX_DIGITS - int_digits > 0 ? FMT_MAX_DIGITS - int_digits : 0;
        snprintf(tmp, sizeof tmp, "%.*f", prec, v);
    } else {
        snprintf(tmp, sizeof tmp, "%.*e", prec, v);
    }
    fmt_fix_radix(tmp);
    fmt_trim_zeros(tmp);
    /* A tiny negative value rounded away shows as "0", like zero itself. */
    snprintf(out, cap, "%s", strcmp(tmp, "-0") == 0 ? "0" : tmp);
}

void fmt_count(char *out, size_t cap, uint64_t v)
{
    char tmp[32]; /* 20 digits, 6 separators, NUL */
    size_t i = sizeof tmp;
    int digits = 0;

    tmp[--i] = '\0';
    do {
        if (digits > 0 && digits % 3 == 0)
            tmp[--i] = ' ';
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
        digits++;
    } while (v > 0);
    snprintf(out, cap, "%s", tmp + i);
}

void fmt_duration(char *out, size_t cap, double seconds)
{
    double ms, tenths, secs, mins, hours;

    /* Durations come from the monotonic clock; a negative or NaN one is unknown. */
    if (isnan(seconds) || seconds < 0) {
        snprintf(out, cap, "-");
        return;
    }
    if (isinf(seconds)) {
        snprintf(out, cap, "inf");
        return;
    }
    /* Each unit is chosen after rounding, so 59.96 s reads "1 m 00 s", not "60.0 s". */
    ms = round(seconds * 1000);
    if (ms < 1000) {
        snprintf(out, cap, "%d ms", (int)ms);
        return;
    }
    tenths = round(seconds * 10);
    if (tenths < 600) {
        snprintf(out, cap, "%d.%d s", (int)tenths / 10, (int)tenths % 10);
        return;
    }
    secs = round(seconds);
    if (secs < 3600) {
        snprintf(out, cap, "%d m %02d s", (int)secs / 60, (int)secs % 60);
        return;
    }
    mins = round(seconds / 60);
    hours = floor(mins / 60);
    /* %.0f prints no decimal separator, so it is locale-free too. Past 2^53 minutes a
     * double no longer holds whole minutes, so only hours are shown. */
    if (mins >= 1e15)
        snprintf(out, cap, "%.0f h", hours);
    else
        snprintf(out, cap, "%.0f h %02d m", hours, (int)(mins - hours * 60));
}
