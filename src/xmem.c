/* xmem.c: exit-on-OOM allocation and fatal(). */
#include "xmem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Written once at start-up (before any other work) and only read afterwards. */
static void (*fatal_hook)(void);

void xmem_set_fatal_hook(void (*hook)(void))
{
    fatal_hook = hook;
}

void fatal(const char *fmt, ...)
{
    va_list ap;

    if (fatal_hook != NULL)
        fatal_hook();
    fputs("chimera: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        fatal("out of memory allocating %zu bytes", n);
    return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

    if (p == NULL)
        fatal("out of memory allocating %zu x %zu bytes", nmemb, size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        fatal("out of memory reallocating %zu bytes", n);
    return q;
}

void *xgrow(void *p, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap;

    if (need <= c)
        return p;
    if (c < 8)
        c = 8;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            fatal("array size overflow");
        c *= 2;
    }
    if (c > SIZE_MAX / size)
        fatal("array size overflow");
    *cap = c;
    return xrealloc(p, c * size);
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        fatal("bad format string");
    if ((size_t)n < sizeof small)
        return xstrndup(small, (size_t)n);
    p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
