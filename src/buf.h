/* buf.h: a growable byte buffer with a hard maximum set at init (curl's dynbuf).
 *
 * The contents are always NUL-terminated (the NUL is not counted in `len`), so
 * buf_cstr() is free. An append that would pass `max` fails and leaves the buffer as
 * it was: the caller decides whether that is an error. */
#ifndef SRC_BUF_H
#define SRC_BUF_H

#include <stddef.h>

#include "attrs.h"

struct buf {
    char *data; /* NULL until the first append */
    size_t len;
    size_t cap;
    size_t max; /* largest allowed `len` */
};

void buf_init(struct buf *b, size_t max);
void buf_fini(struct buf *b);
/* Forget the contents, keep the memory. */
void buf_reset(struct buf *b);
/* 0, or -1 when the result would exceed `max`. */
int buf_append(struct buf *b, const void *p, size_t n) ATTR_WUR;
int buf_puts(struct buf *b, const char *s) ATTR_WUR;
int buf_putc(struct buf *b, char c) ATTR_WUR;
int buf_printf(struct buf *b, const char *fmt, ...) ATTR_FORMAT(2, 3) ATTR_WUR;
/* Drop the first `n` bytes (a line consumed from the front). */
void buf_consume(struct buf *b, size_t n);
/* Always a valid string, "" when empty. */
const char *buf_cstr(const struct buf *b);
/* Hand the contents to the caller (free() it) and reset the buffer. Never NULL. */
char *buf_steal(struct buf *b);

#endif
