/* csvsrc.h: the only libcsv user. Feeds byte chunks to libcsv's incremental parser and
 * hands complete fields and rows to callbacks; field data is valid only during the call.
 * A field longer than `max_field` bytes fails the parse (libcsv's buffer is capped through
 * its realloc hook) instead of growing without bound. */
#ifndef SRC_CSVSRC_H
#define SRC_CSVSRC_H

#include <stddef.h>

#include "attrs.h"
#include "err.h"

/* One field: bytes data[0..len) (not NUL-terminated), its 0-based column index. */
typedef void (*csvsrc_field_fn)(const char *data, size_t len, size_t col, void *arg);
/* End of a row with `nfields` fields. Blank lines produce no row. */
typedef void (*csvsrc_row_fn)(size_t nfields, void *arg);

/* The largest `max_field` csvsrc_new accepts (0 or more means this). */
#define CSVSRC_FIELD_LIMIT ((size_t)256 << 20)

struct csvsrc;

/* A parser for fields separated by `delim`, calling `field` and `row` with `arg`.
 * Fields over `max_field` bytes fail the parse (see csvsrc_feed). Never NULL. */
struct csvsrc *csvsrc_new(char delim, size_t max_field, csvsrc_field_fn field,
                          csvsrc_row_fn row, void *arg);
/* Parse the next n bytes (any split of the input gives the same callbacks).
 * 0, or -1 with `err` set ("a field is longer than N MB"); after an error every later
 * call fails too. A too-long field is never delivered, and libcsv's field buffer stays
 * under about max_field + max_field/16 (at most 1 MiB) + 64 KiB. Blanks around an
 * unquoted field count towards the cap while it is parsed. */
int csvsrc_feed(struct csvsrc *s, const char *data, size_t n, struct err *err) ATTR_WUR;
/* The plain-line fast path (on by default) splits simple lines without libcsv, with the
 * same results; off sends every byte through libcsv (tests, benchmarks). */
void csvsrc_set_fast(struct csvsrc *s, int on);
/* End of input: flushes a last row without a newline. 0 or -1. */
int csvsrc_finish(struct csvsrc *s, struct err *err) ATTR_WUR;
void csvsrc_free(struct csvsrc *s);

/* Guess the delimiter from a sample: the candidate among , ; TAB | whose per-line count
 * (outside quotes) is most consistent and non-zero over the sample's lines; ',' when
 * nothing stands out. */
char csvsrc_sniff(const char *sample, size_t n);

#endif
