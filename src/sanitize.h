/* sanitize.h: make untrusted bytes (file names, file contents, model tokens) safe to show.
 *
 * Every byte that reaches the screen passes through here first. The output is valid
 * UTF-8 that contains no terminal control sequences:
 *   - C0 controls and DEL become caret escapes: ESC -> "^[", BEL -> "^G", DEL -> "^?";
 *   - C1 controls (U+0080..U+009F) become "<U+009B>"-style escapes;
 *   - bidirectional overrides/isolates (U+202A..U+202E, U+2066..U+2069), direction marks
 *     (U+200E, U+200F, U+061C) and line/paragraph separators (U+2028, U+2029) become
 *     "<U+202E>"-style escapes, so text cannot be reordered or broken on screen;
 *   - invalid UTF-8 (bad lead bytes, truncated or overlong sequences, surrogates, code
 *     points above U+10FFFF) becomes U+FFFD, one per maximal invalid subpart (the W3C /
 *     Unicode "substitution of maximal subparts" practice);
 *   - with SAN_ASCII (a non-UTF-8 locale) every non-ASCII character becomes '?';
 *   - '\n' is kept with SAN_KEEP_NEWLINE, else shown as "^J"; '\t' becomes spaces to the
 *     next multiple of 8 columns with SAN_EXPAND_TABS (counting from the start of the
 *     call or the last kept newline), else "^I"; '\r' is always "^M" (never a carriage
 *     return on screen).
 * Widths come from utf8proc (current Unicode, where glibc's wcwidth lags). */
#ifndef SRC_SANITIZE_H
#define SRC_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "buf.h"

enum {
    SAN_KEEP_NEWLINE = 1 << 0,
    SAN_EXPAND_TABS = 1 << 1,
    SAN_ASCII = 1 << 2
};

/* Append the sanitised form of in[0..n) to `out`. Returns 0, or -1 if `out` hit its
 * maximum (what fitted is kept; the output is still valid UTF-8). */
int sanitize(const char *in, size_t n, unsigned flags, struct buf *out) ATTR_WUR;

/* Sanitise into a new string (free() it). Never NULL. */
char *sanitize_dup(const char *in, size_t n, unsigned flags);

/* Decode one UTF-8 character at s[0..n) (n >= 1). Sets *cp to the code point, or to
 * U+FFFD for an invalid sequence, and returns the bytes consumed (>= 1). */
size_t utf8_decode(const char *s, size_t n, int32_t *cp);

/* Encode `cp` into out[0..4); returns the byte count (1..4). */
size_t utf8_encode(int32_t cp, char out[4]);

/* Display width of one code point: 0 (combining, zero-width), 1 or 2. Controls: 0. */
int char_width(int32_t cp);

/* Columns taken by sanitised (valid) UTF-8 text s[0..n). */
size_t text_width(const char *s, size_t n);

/* Longest prefix of valid UTF-8 text s[0..n) that fits in `cols` columns, never cutting
 * a character or separating a base character from its following zero-width marks.
 * Returns the byte length; *used (if not NULL) gets the columns it takes. */
size_t text_fit(const char *s, size_t n, size_t cols, size_t *used);

/* True when s[0..n) is valid UTF-8 and contains no NUL byte. */
int utf8_valid(const char *s, size_t n);

#endif
