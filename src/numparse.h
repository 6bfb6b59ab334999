/* numparse.h: fast, correctly rounded parsing of decimal numbers from byte ranges.
 *
 * The CSV statistics spend most of their time here, so plain decimals take a fast path
 * (Clinger's: an exact integer mantissa below 2^53 scaled by an exact power of ten up to
 * 10^22 gives the correctly rounded double with one multiply or divide); anything else
 * falls back to strtod on a NUL-terminated copy. Results are identical to strtod's. */
#ifndef SRC_NUMPARSE_H
#define SRC_NUMPARSE_H

#include <stddef.h>

/* Parse the whole of s[0..n) as a finite decimal number: optional spaces/tabs around,
 * optional sign, digits with an optional '.' (".5" and "5." allowed), optional exponent.
 * No hex, no inf/nan, no thousands separators, never the locale's decimal comma.
 * Overflow fails; underflow gives 0 or a subnormal, as strtod does. Returns 1 and sets
 * *out, or 0. */
int num_parse(const char *s, size_t n, double *out);

/* Like num_parse, and also tells whether the number is an integer literal (no '.' and no
 * exponent) that fits in int64: *is_int is set to 1 or 0. */
int num_parse_ex(const char *s, size_t n, double *out, int *is_int);

#endif
