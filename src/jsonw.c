/* jsonw.c: streaming pretty JSON writer. */
#include "jsonw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

static void jsonw_put(struct jsonw *w, const char *s, size_t n)
{
    if (buf_append(w->out, s, n) < 0)
        w->failed = 1;
}

static void jsonw_puts(struct jsonw *w, const char *s)
{
    jsonw_put(w, s, strlen(s));
}

static void jsonw_newline(struct jsonw *w)
{
    static const char spaces[] = "                                ";

    jsonw_put(w, "\n", 1);
    for (int i = 0; i < w->depth; i++)
        jsonw_put(w, spaces, 2);
}

/* Separator and indentation before a value (or a key). */
static void jsonw_before(struct jsonw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (w->count[w->depth] > 0)
            jsonw_put(w, ",", 1);
        jsonw_newline(w);
        w->count[w->depth]++;
    }
}

void jsonw_init(struct jsonw *w, struct buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

static void jsonw_open(struct jsonw *w, const char *c)
{
    jsonw_before(w);
    jsonw_puts(w, c);
    if (w->depth + 1 >= JSONW_MAX_DEPTH) {
        w->failed = 1;
        return;
    }
    w->depth++;
    w->count[w->depth] = 0;
}

static void jsonw_close(struct jsonw *w, const char *c)
{
    int had = w->count[w->depth];

    if (w->depth > 0)
        w->depth--;
    if (had > 0)
        jsonw_newline(w);
    jsonw_puts(w, c);
}

void jsonw_object_begin(struct jsonw *w)
{
    jsonw_open(w, "{");
}

void jsonw_object_end(struct jsonw *w)
{
    jsonw_close(w, "}");
}

void jsonw_array_begin(struct jsonw *w)
{
    jsonw_open(w, "[");
}

void jsonw_array_end(struct jsonw *w)
{
    jsonw_close(w, "]");
}

static void jsonw_quoted(struct jsonw *w, const char *s, size_t n)
{
    size_t i = 0;

    jsonw_put(w, "\"", 1);
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t run = i;

        /* copy runs of characters that need no escaping in one go */
        while (run < n && (unsigned char)s[run] >= 0x20 && s[run] != '"' && s[run] != '\\' &&
               (unsigned char)s[run] < 0x80)
            run++;
        if (run > i) {
            jsonw_put(w, s + i, run - i);
            i = run;
            continue;
        }
        if (c >= 0x80) {
            int32_t cp;
            size_t len = utf8_decode(s + i, n - i, &cp);
            char enc[4];

            jsonw_put(w, enc, utf8_encode(cp, enc));
            i += len;
            continue;
        }
        switch (c) {
        case '"':
            jsonw_puts(w, "\\\"");
            break;
        case '\\':
            jsonw_puts(w, "\\\\");
            break;
        case '\n':
            jsonw_puts(w, "\\n");
            break;
        case '\r':
            jsonw_puts(w, "\\r");
            break;
        case '\t':
            jsonw_puts(w, "\\t");
            break;
        default: {
            char esc[8];

            snprintf(esc, sizeof esc, "\\u%04x", c);
            jsonw_puts(w, esc);
        }
        }
        i++;
    }
    jsonw_put(w, "\"", 1);
}

void jsonw_key(struct jsonw *w, const char *key)
{
    jsonw_before(w);
    jsonw_quoted(w, key, strlen(key));
    jsonw_put(w, ": ", 2);
    w->after_key = 1;
}

void jsonw_string_n(struct jsonw *w, const char *s, size_t n)
{
    jsonw_before(w);
    jsonw_quoted(w, s, n);
}

void jsonw_string(struct jsonw *w, const char *s)
{
    jsonw_string_n(w, s, strlen(s));
}

void jsonw_string_or_null(struct jsonw *w, const char *s)
{
    if (s == NULL)
        jsonw_null(w);
    else
        jsonw_string(w, s);
}

void jsonw_format_double(char *out, size_t cap, double v)
{
    double mag = fabs(v);
    /* plain digits for ordinary magnitudes ("200", not "2e+02"), exponents beyond them */
    int plain = mag == 0 || (mag >= 1e-4 && mag < 1e15);

    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, v);
        for (char *p = out; *p; p++)
            if (*p == ',')
                *p = '.'; /* a locale with a decimal comma */
        if (plain && strchr(out, 'e') != NULL && prec < 17)
            continue;
        if (strtod(out, NULL) == v)
            break;
    }
}

void jsonw_double(struct jsonw *w, double v)
{
    char num[40];

    if (!isfinite(v)) {
        jsonw_null(w);
        return;
    }
    jsonw_before(w);
    jsonw_format_double(num, sizeof num, v);
    jsonw_puts(w, num);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
    char num[32];

    jsonw_before(w);
    snprintf(num, sizeof num, "%lld", (long long)v);
    jsonw_puts(w, num);
}

void jsonw_bool(struct jsonw *w, int v)
{
    jsonw_before(w);
    jsonw_puts(w, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
    jsonw_before(w);
    jsonw_puts(w, "null");
}

void jsonw_raw(struct jsonw *w, const char *json)
{
    jsonw_before(w);
    jsonw_puts(w, json);
}

void jsonw_raw_block(struct jsonw *w, const char *json)
{
    jsonw_before(w);
    for (const char *p = json; *p != '\0';) {
        const char *nl = strchr(p, '\n');

        if (nl == NULL) {
            jsonw_puts(w, p);
            break;
        }
        jsonw_put(w, p, (size_t)(nl - p));
        jsonw_newline(w);
        p = nl + 1;
    }
}

int jsonw_finish(struct jsonw *w)
{
    return w->failed ? -1 : 0;
}
