/* xmem.h: allocation that never returns NULL, and fatal() for impossible states.
 *
 * Out of memory is not an error the program can report usefully from deep inside a
 * parser, so these exit. The front-end registers a hook that restores the terminal
 * before the message is printed (see xmem_set_fatal_hook). */
#ifndef SRC_XMEM_H
#define SRC_XMEM_H

#include <stddef.h>

#include "attrs.h"

void *xmalloc(size_t n) ATTR_MALLOC;
void *xcalloc(size_t nmemb, size_t size) ATTR_MALLOC;
void *xrealloc(void *p, size_t n);
/* Grow an array of `size`-byte items to hold at least `need`, doubling; returns it. */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s) ATTR_MALLOC;
char *xstrndup(const char *s, size_t n) ATTR_MALLOC;
char *xasprintf(const char *fmt, ...) ATTR_FORMAT(1, 2) ATTR_MALLOC;

/* Print "chimera: <message>" on stderr after running the fatal hook, then exit(1). */
void fatal(const char *fmt, ...) ATTR_FORMAT(1, 2) ATTR_NORETURN;

/* Set once at start-up by the front-end: called by fatal() before it prints. */
void xmem_set_fatal_hook(void (*hook)(void));

#endif
