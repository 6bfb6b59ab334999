/* fuzz_sanitize.c: libFuzzer target for the sanitiser, the UTF-8 decoder and text_fit.
 *
 * For arbitrary bytes and every flag combination it checks what the screen relies on:
 * the output is valid UTF-8 without NUL, holds no control byte except a kept '\n', no DEL,
 * no C1, bidi or separator code point, only ASCII in ASCII mode; a bounded buffer keeps a
 * valid prefix of it; sanitising twice changes nothing; and text_fit never returns more
 * bytes than given, never cuts a character or strands a zero-width mark, and stops only
 * at a character that does not fit.
 *
 * Build and run (from the top of the tree; crash files land in the current directory):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *     $(pkg-config --cflags libutf8proc) tests/fuzz/fuzz_sanitize.c src/sanitize.c \
 *     src/buf.c src/xmem.c src/err.c $(pkg-config --libs libutf8proc) -o /tmp/fuzz_sanitize
 *   /tmp/fuzz_sanitize -max_total_time=60 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sanitize.h"

#define FUZZ_ALL_FLAGS (SAN_KEEP_NEWLINE | SAN_EXPAND_TABS | SAN_ASCII)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_require(bool ok, const char *what, unsigned flags)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz_sanitize: %s (flags %u)\n", what, flags);
    abort();
}

/* Every character of a sanitised output is one the terminal shows as text. */
static void fuzz_check_output(const char *s, size_t n, unsigned flags)
{
    size_t i = 0;

    fuzz_require(utf8_valid(s, n), "output is not valid UTF-8", flags);
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        int32_t cp;
        size_t len;

        fuzz_require(c >= 0x20 || (c == '\n' && (flags & SAN_KEEP_NEWLINE)), "control byte", flags);
        fuzz_require(c != 0x7F, "DEL", flags);
        fuzz_require(!(flags & SAN_ASCII) || c < 0x80, "non-ASCII in ASCII mode", flags);
        len = utf8_decode(s + i, n - i, &cp);
        fuzz_require(len >= 1 && len <= n - i, "decode length", flags);
        fuzz_require(!(cp >= 0x80 && cp <= 0x9F), "C1 control", flags);
        fuzz_require(!(cp >= 0x2028 && cp <= 0x202E), "bidi embedding or separator", flags);
        fuzz_require(!(cp >= 0x2066 && cp <= 0x2069), "bidi isolate", flags);
        fuzz_require(cp != 0x200E && cp != 0x200F && cp != 0x061C, "direction mark", flags);
        i += len;
    }
}

/* True when `pos` is where a character starts (or the end) in s[0..n), decoding as
 * text_fit does, so that invalid input is judged by the same maximal subparts. */
static bool fuzz_on_boundary(const char *s, size_t n, size_t pos)
{
    size_t i = 0;

    while (i < pos) {
        int32_t cp;

        i += utf8_decode(s + i, n - i, &cp);
    }
    return i == pos;
}

static void fuzz_check_fit(const char *s, size_t n, size_t cols, unsigned flags)
{
    size_t used = (size_t)-1;
    size_t len = text_fit(s, n, cols, &used);

    fuzz_require(len <= n, "text_fit returned more bytes than given", flags);
    fuzz_require(used <= cols, "text_fit used more columns than allowed", flags);
    fuzz_require(used == text_width(s, len), "text_fit width disagrees with text_width", flags);
    fuzz_require(fuzz_on_boundary(s, n, len), "text_fit cut a character", flags);
    fuzz_require(text_fit(s, n, cols, NULL) == len, "text_fit depends on `used`", flags);
    if (len < n) {
        int32_t cp;

        utf8_decode(s + len, n - len, &cp);
        /* Stopping before a zero-width mark would strand it; stopping before a character
         * that fits would not be the longest prefix. */
        fuzz_require(char_width(cp) > 0, "text_fit separated a zero-width mark", flags);
        fuzz_require(used + (size_t)char_width(cp) > cols, "text_fit stopped early", flags);
    }
}

/* The raw input decodes into steps that agree with utf8_valid and utf8_encode. */
static void fuzz_check_decoder(const char *s, size_t n)
{
    bool valid = true;
    size_t i = 0;

    while (i < n) {
        int32_t cp;
        char enc[4];
        size_t len = utf8_decode(s + i, n - i, &cp);
        size_t elen = utf8_encode(cp, enc);

        fuzz_require(len >= 1 && len <= 4 && len <= n - i, "decode length", 0);
        fuzz_require(cp >= 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF),
                     "decoded a non-scalar value", 0);
        if (elen == len && memcmp(enc, s + i, len) == 0) {
            if (cp == 0)
                valid = false;
        } else {
            fuzz_require(cp == 0xFFFD, "decode/encode round trip", 0);
            valid = false;
        }
        i += len;
    }
    fuzz_require(utf8_valid(s, n) == valid, "utf8_valid disagrees with utf8_decode", 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    /* The first byte, when there is one, picks the bounded-buffer size and a column count. */
    size_t knob = size > 0 ? data[0] : 0;

    fuzz_check_decoder(in, size);
    fuzz_check_fit(in, size, knob % 64, 0);

    for (unsigned flags = 0; flags <= FUZZ_ALL_FLAGS; flags++) {
        struct buf full, bounded, again;
        char *dup;
        size_t max, width;

        buf_init(&full, SIZE_MAX / 2);
        fuzz_require(sanitize(in, size, flags, &full) == 0, "unbounded sanitize failed", flags);
        fuzz_check_output(buf_cstr(&full), full.len, flags);

        dup = sanitize_dup(in, size, flags);
        fuzz_require(strlen(dup) == full.len && memcmp(dup, buf_cstr(&full), full.len) == 0,
                     "sanitize_dup differs from sanitize", flags);
        free(dup);

        /* Output that is already safe passes through unchanged. */
        buf_init(&again, SIZE_MAX / 2);
        fuzz_require(sanitize(buf_cstr(&full), full.len, flags, &again) == 0,
                     "second sanitize failed", flags);
        fuzz_require(again.len == full.len &&
                         memcmp(buf_cstr(&again), buf_cstr(&full), full.len) == 0,
                     "sanitize is not idempotent", flags);
        buf_fini(&again);

        max = full.len > 0 ? (knob * 131 + (size_t)flags * 17) % (full.len + 1) : 0;
        buf_init(&bounded, max);
        fuzz_require(sanitize(in, size, flags, &bounded) == (max < full.len ? -1 : 0),
                     "bounded sanitize result", flags);
        fuzz_require(bounded.len <= max, "bounded buffer overrun", flags);
        fuzz_require(memcmp(buf_cstr(&bounded), buf_cstr(&full), bounded.len) == 0,
                     "bounded output is not a prefix", flags);
        fuzz_check_output(buf_cstr(&bounded), bounded.len, flags);
        buf_fini(&bounded);

        width = text_width(buf_cstr(&full), full.len);
        for (size_t cols = 0; cols <= 4; cols++)
            fuzz_check_fit(buf_cstr(&full), full.len, cols, flags);
        fuzz_check_fit(buf_cstr(&full), full.len, knob % (width + 1), flags);
        fuzz_check_fit(buf_cstr(&full), full.len, width, flags);
        fuzz_check_fit(buf_cstr(&full), full.len, width + 1, flags);
        buf_fini(&full);
    }
    return 0;
}
