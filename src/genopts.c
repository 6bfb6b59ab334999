/* genopts.c: generation options and sort keys, parsed from text and described back.
 *
 * Numbers are parsed strictly and in the C locale whatever LC_NUMERIC says, and real
 * numbers are printed as the shortest text that reads back exactly (Rust's Display),
 * so the Configuration line matches the original agent's. */
#include "genopts.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

#define GENOPTS_SEED_MAX 9007199254740991LL /* 2^53 - 1: exact in a JSON number */

/* ---- generation options ----------------------------------------------------------- */

enum genopts_id {
    GENOPTS_NUM_GPU,
    GENOPTS_NUM_CTX,
    GENOPTS_TEMPERATURE,
    GENOPTS_TOP_P,
    GENOPTS_TOP_K,
    GENOPTS_REPEAT_PENALTY,
    GENOPTS_SEED
};

struct genopts_def {
    const char *key;
    enum genopts_id id;
    int is_real;
    long long imin, imax; /* whole-number options */
    double rmin, rmax;    /* real options */
    int rmin_exclusive;
};

/* The ranges documented in genopts.h. */
static const struct genopts_def genopts_defs[] = {
    {"num_gpu", GENOPTS_NUM_GPU, 0, -1, 65535, 0, 0, 0},
    {"num_ctx", GENOPTS_NUM_CTX, 0, 1, 16777216, 0, 0, 0},
    {"temperature", GENOPTS_TEMPERATURE, 1, 0, 0, 0.0, 5.0, 0},
    {"top_p", GENOPTS_TOP_P, 1, 0, 0, 0.0, 1.0, 0},
    {"top_k", GENOPTS_TOP_K, 0, 0, 1000000, 0, 0, 0},
    {"repeat_penalty", GENOPTS_REPEAT_PENALTY, 1, 0, 0, 0.0, 5.0, 1},
    {"seed", GENOPTS_SEED, 0, -GENOPTS_SEED_MAX, GENOPTS_SEED_MAX, 0, 0, 0},
};

#define GENOPTS_COUNT (sizeof genopts_defs / sizeof genopts_defs[0])

/* Option names accept '-' for '_' so that "num-gpu" (as on the command line) works. */
static const struct genopts_def *genopts_find(const char *key)
{
    size_t i, j;

    for (i = 0; i < GENOPTS_COUNT; i++) {
        const char *k = genopts_defs[i].key;

        for (j = 0; k[j] != '\0' && key[j] != '\0'; j++)
            if (key[j] != k[j] && !(key[j] == '-' && k[j] == '_'))
                break;
        if (k[j] == '\0' && key[j] == '\0')
            return &genopts_defs[i];
    }
    return NULL;
}

int genopts_is_option(const char *key)
{
    return genopts_find(key) != NULL;
}

static int genopts_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int genopts_trim_copy(const char *s, char *out, size_t cap)
{
    size_t n;

    while (genopts_is_space(*s))
        s++;
    n = strlen(s);
    while (n > 0 && genopts_is_space(s[n - 1]))
        n--;
    if (n >= cap)
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static int genopts_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A plain decimal: sign, digits with an optional point, optional exponent. Rejects what
 * strtod would also take but a config value should not be: hex, inf, nan, "1e". */
static int genopts_is_decimal(const char *s)
{
    int digits = 0;

    if (*s == '+' || *s == '-')
        s++;
    while (genopts_is_digit(*s)) {
        s++;
        digits++;
    }
    if (*s == '.') {
        s++;
        while (genopts_is_digit(*s)) {
            s++;
            digits++;
        }
    }
    if (digits == 0)
        return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!genopts_is_digit(*s))
            return 0;
        while (genopts_is_digit(*s))
            s++;
    }
    return *s == '\0';
}

/* strtod in the C locale: the front-end calls setlocale(LC_ALL, ""), and a German
 * LC_NUMERIC would otherwise read "0.8" as 0. */
static int genopts_parse_real(const char *s, double *out)
{
    locale_t c_locale;
    char *end;
    double v;

    if (!genopts_is_decimal(s))
        return -1;
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (c_locale == (locale_t)0)
        fatal("cannot create the C locale");
    errno = 0;
    v = strtod_l(s, &end, c_locale);
    freelocale(c_locale);
    if (*end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v == 0.0 ? 0.0 : v; /* no "-0" */
    return 0;
}

int genopts_parse_int(const char *s, long long *out)
{
    char *end;
    long long v;

    if (!(genopts_is_digit(*s) || ((*s == '+' || *s == '-') && genopts_is_digit(s[1]))))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

/* Shortest text that reads back as exactly `v`, in plain positional notation with no
 * trailing ".0": what Rust's Display prints for an f64 (1 -> "1", 0.8 -> "0.8"). */
static void genopts_format_real(double v, char *out, size_t cap)
{
    char sci[64], digits[32], text[400];
    int prec;

    if (cap == 0)
        return;
    if (v == 0.0 || !isfinite(v)) {
        snprintf(out, cap, "%s", v == 0.0 ? "0" : "nan");
        return;
    }
    for (prec = 0; prec <= 17; prec++) {
        size_t nd = 0, pos = 0, i;
        char *e;
        long exp10;
        double back;

        /* %e's decimal point follows LC_NUMERIC, so keep only the digits of the
         * mantissa and read the exponent, which is always ASCII. */
        snprintf(sci, sizeof sci, "%.*e", prec, v);
        e = strchr(sci, 'e');
        if (e == NULL)
            break;
        for (i = 0; sci + i < e && nd < sizeof digits - 1; i++)
            if (genopts_is_digit(sci[i]))
                digits[nd++] = sci[i];
        while (nd > 1 && digits[nd - 1] == '0')
            nd--;
        exp10 = strtol(e + 1, NULL, 10);
        if (exp10 > 330 || exp10 < -330)
            break;
        if (v < 0)
            text[pos++] = '-';
        if (exp10 >= 0) {
            for (i = 0; i <= (size_t)exp10; i++)
                text[pos++] = (char)(i < nd ? digits[i] : '0');
            if (nd > (size_t)exp10 + 1) {
                text[pos++] = '.';
                for (i = (size_t)exp10 + 1; i < nd; i++)
                    text[pos++] = digits[i];
            }
        } else {
            text[pos++] = '0';
            text[pos++] = '.';
            for (i = 1; i < (size_t)(-exp10); i++)
                text[pos++] = '0';
            for (i = 0; i < nd; i++)
                text[pos++] = digits[i];
        }
        text[pos] = '\0';
        if (genopts_parse_real(text, &back) == 0 && back == v) {
            snprintf(out, cap, "%s", text);
            return;
        }
    }
    snprintf(out, cap, "%.17g", v);
}

/* The "set" flag of an option. */
static int *genopts_flag(struct gen_options *o, enum genopts_id id)
{
    switch (id) {
    case GENOPTS_NUM_GPU:
        return &o->has_num_gpu;
    case GENOPTS_NUM_CTX:
        return &o->has_num_ctx;
    case GENOPTS_TEMPERATURE:
        return &o->has_temperature;
    case GENOPTS_TOP_P:
        return &o->has_top_p;
    case GENOPTS_TOP_K:
        return &o->has_top_k;
    case GENOPTS_REPEAT_PENALTY:
        return &o->has_repeat_penalty;
    case GENOPTS_SEED:
        break;
    }
    return &o->has_seed;
}

int gen_options_set(struct gen_options *o, const char *key, const char *value, struct err *err)
{
    const struct genopts_def *d = genopts_find(key);
    char text[128];
    long long iv = 0;
    double rv = 0;

    if (d == NULL) {
        err_set(err, EINVAL,
                "unknown option '%.40s' (options: num_gpu, num_ctx, temperature, top_p, top_k, "
                "repeat_penalty, seed)",
                key);
        return -1;
    }
    if (genopts_trim_copy(value != NULL ? value : "", text, sizeof text) < 0) {
        err_set(err, EINVAL, "%s: value is too long", d->key);
        return -1;
    }
    if (strcmp(text, "default") == 0) {
        *genopts_flag(o, d->id) = 0;
        return 0;
    }
    if (d->is_real) {
        if (genopts_parse_real(text, &rv) < 0 || rv > d->rmax ||
            (d->rmin_exclusive ? rv <= d->rmin : rv < d->rmin)) {
            char lo[64], hi[64];

            genopts_format_real(d->rmin, lo, sizeof lo);
            genopts_format_real(d->rmax, hi, sizeof hi);
            err_set(err, EINVAL, "%s: expected a number %s %s %s %s, got '%.40s'", d->key,
                    d->rmin_exclusive ? "above" : "from", lo,
                    d->rmin_exclusive ? "and at most" : "to", hi, text);
            return -1;
        }
    } else if (genopts_parse_int(text, &iv) < 0 || iv < d->imin || iv > d->imax) {
        err_set(err, EINVAL, "%s: expected a whole number from %lld to %lld, got '%.40s'", d->key,
                d->imin, d->imax, text);
        return -1;
    }
    switch (d->id) {
    case GENOPTS_NUM_GPU:
        o->num_gpu = (int)iv;
        break;
    case GENOPTS_NUM_CTX:
        o->num_ctx = (int)iv;
        break;
    case GENOPTS_TEMPERATURE:
        o->temperature = rv;
        break;
    case GENOPTS_TOP_P:
        o->top_p = rv;
        break;
    case GENOPTS_TOP_K:
        o->top_k = (int)iv;
        break;
    case GENOPTS_REPEAT_PENALTY:
        o->repeat_penalty = rv;
        break;
    case GENOPTS_SEED:
        o->seed = (long)iv;
        break;
    }
    *genopts_flag(o, d->id) = 1;
    return 0;
}

static void genopts_describe_int(char *out, size_t cap, int has, long v)
{
    if (has)
        snprintf(out, cap, "%ld", v);
    else
        snprintf(out, cap, "default");
}

static void genopts_describe_real(char *out, size_t cap, int has, double v)
{
    if (has)
        genopts_format_real(v, out, cap);
    else
        snprintf(out, cap, "default");
}

void gen_options_describe(const struct gen_options *o, char *out, size_t cap)
{
    char gpu[32], ctx[32], temp[64], top_p[64], top_k[32], rep[64], seed[40] = "";

    if (cap == 0)
        return;
    if (!o->has_num_gpu && !o->has_num_ctx && !o->has_temperature && !o->has_top_p &&
        !o->has_top_k && !o->has_repeat_penalty && !o->has_seed) {
        snprintf(out, cap, "Ollama defaults");
        return;
    }
    genopts_describe_int(gpu, sizeof gpu, o->has_num_gpu, o->num_gpu);
    genopts_describe_int(ctx, sizeof ctx, o->has_num_ctx, o->num_ctx);
    genopts_describe_real(temp, sizeof temp, o->has_temperature, o->temperature);
    genopts_describe_real(top_p, sizeof top_p, o->has_top_p, o->top_p);
    genopts_describe_int(top_k, sizeof top_k, o->has_top_k, o->top_k);
    genopts_describe_real(rep, sizeof rep, o->has_repeat_penalty, o->repeat_penalty);
    if (o->has_seed)
        snprintf(seed, sizeof seed, ", seed=%ld", o->seed);
    snprintf(out, cap, "num_gpu=%s, num_ctx=%s, temp=%s, top_p=%s, top_k=%s, repeat_penalty=%s%s",
             gpu, ctx, temp, top_p, top_k, rep, seed);
}

/* ---- sort keys ------------------------------------------------------------------------ */

static const char *const sort_key_names[] = {"name", "mtime", "size"};

int sort_key_parse(const char *s)
{
    size_t i;

    for (i = 0; i < sizeof sort_key_names / sizeof sort_key_names[0]; i++)
        if (s != NULL && strcmp(s, sort_key_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *sort_key_name(enum sort_key k)
{
    if ((size_t)k >= sizeof sort_key_names / sizeof sort_key_names[0])
        return "name";
    return sort_key_names[k];
}
