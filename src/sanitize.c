/* sanitize.c: untrusted bytes to terminal-safe UTF-8, and display widths.
 *
 * sanitize() copies runs of text that need no change with a single buf_append and only
 * stops for bytes that must be rewritten, so plain ASCII (the common case for file names
 * and model tokens) costs one scan and one copy. Decoding follows Unicode Table 3-7
 * (well-formed byte sequences); anything else is one U+FFFD per maximal subpart.
 *
 * In ASCII mode the C1 and bidi escapes are kept as "<U+...>" (they are ASCII already and
 * say more than '?'); every other non-ASCII character, U+FFFD included, becomes '?'.
 *
 * When `out` fills up, the output is a prefix of what an unbounded buffer would hold:
 * copied runs and tab spaces are cut at a character boundary, escapes and replaced
 * characters are added whole or not at all. */
#include "sanitize.h"

#include <stdbool.h>
#include <utf8proc.h>

#include "xmem.h"

#define SAN_TAB_STOP 8
#define SAN_REPLACEMENT 0xFFFD

static bool san_is_print_ascii(unsigned char c)
{
    return c >= 0x20 && c < 0x7F;
}

/* Decode one character at s[0..n) (n >= 1). Returns its length and sets *cp, or, for an
 * ill-formed sequence, returns the length of its maximal subpart and sets *cp to -1. */
static size_t san_decode(const unsigned char *s, size_t n, int32_t *cp)
{
    unsigned char b = s[0], lo = 0x80, hi = 0xBF;
    size_t need, i;
    int32_t v;

    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b < 0xC2 || b > 0xF4) {
        /* A stray continuation byte, a C0/C1 lead (always overlong) or F5..FF (past
         * U+10FFFF): nothing can follow, so the subpart is this byte alone. */
        *cp = -1;
        return 1;
    }
    if (b < 0xE0) {
        need = 1;
        v = b & 0x1F;
    } else if (b < 0xF0) {
        need = 2;
        v = b & 0x0F;
        if (b == 0xE0)
            lo = 0xA0; /* E0 80..9F would be overlong */
        else if (b == 0xED)
            hi = 0x9F; /* ED A0..BF would be a surrogate */
    } else {
        need = 3;
        v = b & 0x07;
        if (b == 0xF0)
            lo = 0x90; /* F0 80..8F would be overlong */
        else if (b == 0xF4)
            hi = 0x8F; /* F4 90.. would be above U+10FFFF */
    }
    for (i = 1; i <= need; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *cp = -1;
            return i;
        }
        v = (v << 6) | (s[i] & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return need + 1;
}

/* Valid code points that are still shown as "<U+XXXX>": C1 controls, line and paragraph
 * separators, bidi embeddings/overrides and isolates. */
static bool san_needs_escape(int32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

/* Append p[0..len) (valid UTF-8). When it does not fit, keep the longest prefix that ends
 * on a character boundary and fail. */
static int san_put(struct buf *out, const unsigned char *p, size_t len)
{
    size_t room;

    if (len == 0 || buf_append(out, p, len) == 0)
        return 0;
    room = out->max > out->len ? out->max - out->len : 0;
    if (room >= len)
        return -1; /* failed for another reason: keep nothing */
    while (room > 0 && (p[room] & 0xC0) == 0x80)
        room--;
    if (room > 0 && buf_append(out, p, room) < 0)
        fatal("%s: buf_append refused %zu bytes within its maximum", __func__, room);
    return -1;
}

/* "<U+XXXX>" for a code point below U+10000 (all escaped ones are). */
static int san_put_escape(struct buf *out, int32_t cp)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[] = "<U+XXXX>";

    e[3] = hex[(cp >> 12) & 15];
    e[4] = hex[(cp >> 8) & 15];
    e[5] = hex[(cp >> 4) & 15];
    e[6] = hex[cp & 15];
    return buf_append(out, e, sizeof e - 1);
}

int sanitize(const char *in, size_t n, unsigned flags, struct buf *out)
{
    static const unsigned char spaces[SAN_TAB_STOP] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
    static const unsigned char fffd[3] = {0xEF, 0xBF, 0xBD};
    const unsigned char *s = (const unsigned char *)in;
    bool ascii = (flags & SAN_ASCII) != 0;
    bool tabs = (flags & SAN_EXPAND_TABS) != 0;
    bool keep_nl = (flags & SAN_KEEP_NEWLINE) != 0;
    size_t i = 0, run = 0; /* s[run..i) is still to be copied unchanged */
    size_t col = 0;        /* only tracked for tab stops */

    if (n == 0) /* `in` may then be NULL, and NULL + 0 is undefined */
        return 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len = 1;
        int32_t cp = c;
        int rc;

        if (san_is_print_ascii(c)) {
            size_t j = i + 1;

            while (j < n && san_is_print_ascii(s[j]))
                j++;
            col += j - i;
            i = j;
            continue;
        }
        if (c == '\n' && keep_nl) {
            col = 0;
            i++;
            continue;
        }
        if (c >= 0x80) {
            len = san_decode(s + i, n - i, &cp);
            if (cp >= 0 && !ascii && !san_needs_escape(cp)) {
                if (tabs)
                    col += (size_t)char_width(cp);
                i += len;
                continue;
            }
        }

        /* s[i] starts something that is rewritten: copy what came before it first. */
        if (san_put(out, s + run, i - run) < 0)
            return -1;
        if (c < 0x80) {
            if (c == '\t' && tabs) {
                size_t pad = SAN_TAB_STOP - col % SAN_TAB_STOP;

                rc = san_put(out, spaces, pad);
                col += pad;
            } else {
                /* ^@ .. ^_ for C0, ^? for DEL */
                const char caret[2] = {'^', (char)(c ^ 0x40)};

                rc = buf_append(out, caret, sizeof caret);
                col += 2;
            }
        } else if (cp >= 0 && san_needs_escape(cp)) {
            rc = san_put_escape(out, cp);
            col += 8;
        } else if (ascii) {
            rc = buf_putc(out, '?');
            col += 1;
        } else {
            rc = buf_append(out, fffd, sizeof fffd);
            col += 1;
        }
        if (rc < 0)
            return -1;
        i += len;
        run = i;
    }
    return san_put(out, s + run, n - run);
}

char *sanitize_dup(const char *in, size_t n, unsigned flags)
{
    struct buf b;

    buf_init(&b, SIZE_MAX / 2);
    if (sanitize(in, n, flags, &b) < 0)
        fatal("out of memory sanitising %zu bytes", n);
    return buf_steal(&b);
}

size_t utf8_decode(const char *s, size_t n, int32_t *cp)
{
    size_t len;

    if (n == 0) { /* nothing to consume; callers loop while bytes remain */
        *cp = SAN_REPLACEMENT;
        return 0;
    }
    len = san_decode((const unsigned char *)s, n, cp);
    if (*cp < 0)
        *cp = SAN_REPLACEMENT;
    return len;
}

size_t utf8_encode(int32_t cp, char out[4])
{
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = SAN_REPLACEMENT; /* not a scalar value: encode what a decoder would yield */
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int char_width(int32_t cp)
{
    int w;

    if (cp >= 0x20 && cp < 0x7F)
        return 1;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp > 0x10FFFF)
        return 0;
    w = utf8proc_charwidth(cp);
    if (w < 0)
        return 0;
    return w > 2 ? 2 : w;
}

/* Width of the character at s[0..n) (ill-formed counts as the U+FFFD shown for it). */
static size_t san_next(const unsigned char *s, size_t n, int *width)
{
    int32_t cp;
    size_t len = san_decode(s, n, &cp);

    *width = char_width(cp >= 0 ? cp : SAN_REPLACEMENT);
    return len;
}

size_t text_width(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, w = 0;

    while (i < n) {
        int cw;

        if (san_is_print_ascii(p[i])) {
            w++;
            i++;
            continue;
        }
        i += san_next(p + i, n - i, &cw);
        w += (size_t)cw;
    }
    return w;
}

size_t text_fit(const char *s, size_t n, size_t cols, size_t *used)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, w = 0;

    while (i < n) {
        size_t len;
        int cw;

        if (san_is_print_ascii(p[i])) {
            if (w == cols)
                break;
            w++;
            i++;
            continue;
        }
        len = san_next(p + i, n - i, &cw);
        /* A zero-width mark always joins the character before it, even at the limit. */
        if ((size_t)cw > cols - w)
            break;
        w += (size_t)cw;
        i += len;
    }
    if (used != NULL)
        *used = w;
    return i;
}

int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        int32_t cp;

        if (p[i] < 0x80) {
            if (p[i] == 0)
                return 0;
            i++;
            continue;
        }
        i += san_decode(p + i, n - i, &cp);
        if (cp < 0)
            return 0;
    }
    return 1;
}
