/* test_sanitize.c: the sanitiser, UTF-8 decoding and display widths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sanitize.h"

#define FFFD "\xEF\xBF\xBD"
#define ZHONG "\xE4\xB8\xAD"  /* U+4E2D, 2 columns */
#define WEN "\xE6\x96\x87"    /* U+6587, 2 columns */
#define ACUTE "\xCC\x81"      /* U+0301 COMBINING ACUTE ACCENT */
#define CIRCUMFLEX "\xCC\x82" /* U+0302 COMBINING CIRCUMFLEX ACCENT */
#define CSI_C1 "\xC2\x9B"     /* U+009B as UTF-8 */
#define CSI_RAW "\x9B"        /* the same C1 control as a raw (invalid) byte */
#define ALL_FLAGS (SAN_KEEP_NEWLINE | SAN_EXPAND_TABS | SAN_ASCII)

/* Sanitise in[0..n) with `flags` and compare with the NUL-terminated `want`. */
static void check_n(const char *in, size_t n, unsigned flags, const char *want)
{
    char *got = sanitize_dup(in, n, flags);

    assert_non_null(got);
    assert_string_equal(got, want);
    assert_true(utf8_valid(got, strlen(got)));
    free(got);
}

static void check(const char *in, unsigned flags, const char *want)
{
    check_n(in, strlen(in), flags, want);
}

/* Code points that sanitize() shows as "<U+XXXX>" rather than as themselves. */
static int is_escaped(int32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

/* The invariants every output must hold, whatever the input. */
static void check_safe(const char *s, size_t n, unsigned flags)
{
    size_t i = 0;

    assert_true(utf8_valid(s, n));
    while (i < n) {
        int32_t cp;
        size_t len = utf8_decode(s + i, n - i, &cp);

        assert_true(cp >= 0x20 || (cp == '\n' && (flags & SAN_KEEP_NEWLINE)));
        assert_true(cp != 0x7F);
        assert_false(is_escaped(cp));
        if (flags & SAN_ASCII)
            assert_true(cp < 0x80);
        i += len;
    }
}

static void test_plain_ascii(void **state)
{
    (void)state;
    check("hello, world", 0, "hello, world");
    check("", 0, "");
    check(" !\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~", ALL_FLAGS,
          " !\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~");
}

static void test_empty_input(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 16);
    assert_int_equal(sanitize(NULL, 0, ALL_FLAGS, &b), 0);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_cstr(&b), "");
    buf_fini(&b);
    check_n("", 0, 0, "");
}

static void test_every_c0_control_and_del(void **state)
{
    (void)state;
    for (int c = 0; c < 0x20; c++) {
        char in[1] = {(char)c};
        char want[3] = {'^', (char)('@' + c), '\0'};

        check_n(in, 1, 0, want);
        /* Only '\n' and '\t' have flags that change them. */
        if (c != '\n' && c != '\t')
            check_n(in, 1, SAN_KEEP_NEWLINE | SAN_EXPAND_TABS, want);
    }
    check("\x7f", 0, "^?");
    check("\x7f", ALL_FLAGS, "^?");
    check("a\001b\037c", 0, "a^Ab^_c");
    check_n("a\0b", 3, 0, "a^@b");
    check("\r\n", 0, "^M^J");
    check("\r\n", ALL_FLAGS, "^M\n");
}

static void test_escape_sequences(void **state)
{
    (void)state;
    check("\x1b[2J\x1b]0;title\x07", 0, "^[[2J^[]0;title^G");
    check("\x1b[31mred\x1b[0m", ALL_FLAGS, "^[[31mred^[[0m");
    check("\x1bP1$r\x1b\\", 0, "^[P1$r^[\\");
}

static void test_c1_controls(void **state)
{
    (void)state;
    /* As UTF-8 (C2 80 .. C2 9F) they are valid characters, shown as escapes. */
    for (int cp = 0x80; cp <= 0x9F; cp++) {
        char in[2] = {(char)0xC2, (char)cp};
        char want[16];

        snprintf(want, sizeof want, "<U+%04X>", cp);
        check_n(in, 2, 0, want);
        check_n(in, 2, SAN_ASCII, want);
    }
    check(CSI_C1 "31m", 0, "<U+009B>31m");
    /* A raw 0x9B byte is not UTF-8 at all. */
    check(CSI_RAW "31m", 0, FFFD "31m");
    check(CSI_RAW "31m", SAN_ASCII, "?31m");
    check("\x85", 0, FFFD);
    /* U+00A0 is the first character after the C1 block: kept. */
    check("\xC2\xA0", 0, "\xC2\xA0");
}

static void test_bidi_and_separators(void **state)
{
    static const int32_t escaped[] = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067,
                                      0x2068, 0x2069, 0x2028, 0x2029, 0x200E, 0x200F, 0x061C};
    static const int32_t kept[] = {0x2027, 0x202F, 0x2065, 0x206A, 0x200D, 0x2010, 0x061B};

    (void)state;
    for (size_t i = 0; i < sizeof escaped / sizeof escaped[0]; i++) {
        char in[5] = {0};
        char want[16];

        utf8_encode(escaped[i], in);
        snprintf(want, sizeof want, "<U+%04X>", (unsigned)escaped[i]);
        check(in, 0, want);
        check(in, SAN_ASCII, want);
    }
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        char in[5] = {0};

        utf8_encode(kept[i], in);
        check(in, 0, in);
        check(in, SAN_ASCII, "?");
    }
    /* The "Trojan Source" shape: an override hidden inside a comment. */
    check("/* \xE2\x80\xAE } \xE2\x81\xA6 */", 0, "/* <U+202E> } <U+2066> */");
}

static void test_valid_multibyte_kept(void **state)
{
    (void)state;
    check("h\xC3\xA9llo", 0, "h\xC3\xA9llo");
    check("\xE4\xB8\xAD\xE6\x96\x87", 0, "\xE4\xB8\xAD\xE6\x96\x87");
    check("\xF0\x9F\x98\x80", 0, "\xF0\x9F\x98\x80");
    check("e\xCC\x81", 0, "e\xCC\x81");
    check("\xED\x9F\xBF", 0, "\xED\x9F\xBF");         /* U+D7FF, just below surrogates */
    check("\xEE\x80\x80", 0, "\xEE\x80\x80");         /* U+E000, just above them */
    check("\xF4\x8F\xBF\xBF", 0, "\xF4\x8F\xBF\xBF"); /* U+10FFFF */
    check(FFFD, 0, FFFD);                             /* a real U+FFFD stays one */
    check("\xEF\xBF\xBE", 0, "\xEF\xBF\xBE");         /* noncharacters are valid */
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    /* Truncated at the end of input: one U+FFFD for the whole incomplete sequence. */
    check("a\xC3", 0, "a" FFFD);
    check("a\xE2\x82", 0, "a" FFFD);
    check("a\xF0\x9F\x98", 0, "a" FFFD);
    check("\xF0", 0, FFFD);
    /* Overlong forms: C0/C1 are never valid leads, E0 80 and F0 80 are not prefixes. */
    check("\xC0\x80", 0, FFFD FFFD);
    check("\xC1\xBF", 0, FFFD FFFD);
    check("\xE0\x80\x80", 0, FFFD FFFD FFFD);
    check("\xE0\x9F\xBF", 0, FFFD FFFD FFFD);
    check("\xF0\x8F\xBF\xBF", 0, FFFD FFFD FFFD FFFD);
    /* Surrogates, and code points above U+10FFFF. */
    check("\xED\xA0\x80", 0, FFFD FFFD FFFD);
    check("\xED\xBF\xBF", 0, FFFD FFFD FFFD);
    check("\xF4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD);
    /* Stray continuation bytes, one replacement each. */
    check("\x80\xBF", 0, FFFD FFFD);
    /* Lead bytes that never occur. */
    for (int c = 0xF5; c <= 0xFF; c++) {
        char in[3] = {(char)c, 'x', '\0'};

        check(in, 0, FFFD "x");
    }
    /* Maximal subpart: a valid prefix is replaced as one, the breaking byte is kept. */
    check("\xE1\x80\x41", 0, FFFD "A");
    check("\xF1\x80\x80\xE1\x80\xC2\x62", 0, FFFD FFFD FFFD "b");
    /* Unicode Table 3-8. */
    check("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", 0,
          "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d");
    /* A control byte inside a sequence ends it and is escaped itself. */
    check("\xE2\x82\x1b[", 0, FFFD "^[[");
}

static void test_keep_newline(void **state)
{
    (void)state;
    check("a\nb\n", SAN_KEEP_NEWLINE, "a\nb\n");
    check("a\nb\n", 0, "a^Jb^J");
    check("a\r\nb", SAN_KEEP_NEWLINE, "a^M\nb");
    check("\x0b\x0c", SAN_KEEP_NEWLINE, "^K^L");
}

static void test_expand_tabs(void **state)
{
    (void)state;
    check("\t", 0, "^I");
    check("\t", SAN_EXPAND_TABS, "        ");
    check("ab\tc", SAN_EXPAND_TABS, "ab      c");
    check("1234567\tx", SAN_EXPAND_TABS, "1234567 x");
    check("12345678\tx", SAN_EXPAND_TABS, "12345678        x");
    check("\t\t|", SAN_EXPAND_TABS, "                |");
    /* A kept newline restarts the count; an escaped one is two columns. */
    check("abc\n\tx", SAN_EXPAND_TABS | SAN_KEEP_NEWLINE, "abc\n        x");
    check("abc\n\tx", SAN_EXPAND_TABS, "abc^J   x");
    /* Escapes, wide and zero-width characters count as they are shown. */
    check("\x1b\t", SAN_EXPAND_TABS, "^[      ");
    check("\xC2\x85\t", SAN_EXPAND_TABS, "<U+0085>        ");
    check("\xE4\xB8\xAD\t", SAN_EXPAND_TABS, "\xE4\xB8\xAD      ");
    check("e\xCC\x81\t", SAN_EXPAND_TABS, "e\xCC\x81       ");
    check("\xFF\t", SAN_EXPAND_TABS, FFFD "       ");
    check("\xE4\xB8\xAD\t", SAN_EXPAND_TABS | SAN_ASCII, "?       ");
}

static void test_ascii_mode(void **state)
{
    (void)state;
    check("h\xC3\xA9llo", SAN_ASCII, "h?llo");
    check("\xE4\xB8\xAD\xE6\x96\x87", SAN_ASCII, "??");
    check("\xF0\x9F\x98\x80!", SAN_ASCII, "?!");
    check("e\xCC\x81", SAN_ASCII, "e?");
    check(FFFD, SAN_ASCII, "?");
    check("\xFF\xE1\x80\x41", SAN_ASCII, "??A");
    check("\xC2\x9B\x1b", SAN_ASCII, "<U+009B>^[");
    check("plain", SAN_ASCII, "plain");
}

/* A bounded buffer keeps a valid prefix of the unbounded output. */
static void check_bounded(const char *in, size_t n, unsigned flags)
{
    char *full = sanitize_dup(in, n, flags);
    size_t full_len = strlen(full);

    for (size_t max = 0; max <= full_len + 1; max++) {
        struct buf b;
        int rc;

        buf_init(&b, max);
        rc = sanitize(in, n, flags, &b);
        assert_int_equal(rc, max < full_len ? -1 : 0);
        assert_true(b.len <= max);
        assert_memory_equal(buf_cstr(&b), full, b.len);
        assert_true(utf8_valid(buf_cstr(&b), b.len));
        buf_fini(&b);
    }
    free(full);
}

static void test_buffer_maximum(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 5);
    assert_int_equal(sanitize("abcdefgh", 8, 0, &b), -1);
    assert_string_equal(buf_cstr(&b), "abcde");
    buf_fini(&b);

    /* A multibyte character that does not fit is left out whole. */
    buf_init(&b, 4);
    assert_int_equal(sanitize("ab" ZHONG "cd", 7, 0, &b), -1);
    assert_string_equal(buf_cstr(&b), "ab");
    buf_fini(&b);

    /* So is an escape ... */
    buf_init(&b, 9);
    assert_int_equal(sanitize("ab\xC2\x9B", 4, 0, &b), -1);
    assert_string_equal(buf_cstr(&b), "ab");
    buf_fini(&b);

    /* ... but an exact fit succeeds. */
    buf_init(&b, 3);
    assert_int_equal(sanitize("a\x1b", 2, 0, &b), 0);
    assert_string_equal(buf_cstr(&b), "a^[");
    buf_fini(&b);

    /* sanitize() appends to what the buffer holds. */
    buf_init(&b, 64);
    assert_int_equal(buf_puts(&b, "> "), 0);
    assert_int_equal(sanitize("x\x07", 2, 0, &b), 0);
    assert_string_equal(buf_cstr(&b), "> x^G");
    buf_fini(&b);

    static const char mixed[] = "ok \xE4\xB8\xAD\xCC\x81\x1b[1m\tz\xF0\x9F\x98\x80\xC2\x85\xFF"
                                "\n\xE2\x80\xAE end";
    for (unsigned flags = 0; flags <= ALL_FLAGS; flags++)
        check_bounded(mixed, sizeof mixed - 1, flags);
}

static void test_exhaustive_short_inputs(void **state)
{
    struct buf out;

    (void)state;
    buf_init(&out, 64);
    /* Every one- and two-byte input under every flag combination. */
    for (unsigned flags = 0; flags <= ALL_FLAGS; flags++) {
        for (unsigned a = 0; a < 256; a++) {
            for (unsigned b = 0; b < 257; b++) {
                char in[2] = {(char)a, (char)b};
                size_t n = b < 256 ? 2 : 1;

                buf_reset(&out);
                assert_int_equal(sanitize(in, n, flags, &out), 0);
                check_safe(buf_cstr(&out), out.len, flags);
            }
        }
    }
    buf_fini(&out);
}

static void test_every_code_point(void **state)
{
    struct buf out;

    (void)state;
    buf_init(&out, 64);
    for (int32_t cp = 0x80; cp <= 0x10FFFF; cp++) {
        char in[4], want[16];
        size_t n;

        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        n = utf8_encode(cp, in);
        if (is_escaped(cp)) {
            snprintf(want, sizeof want, "<U+%04X>", (unsigned)cp);
        } else {
            memcpy(want, in, n);
            want[n] = '\0';
        }

        buf_reset(&out);
        assert_int_equal(sanitize(in, n, 0, &out), 0);
        assert_string_equal(buf_cstr(&out), want);
        check_safe(buf_cstr(&out), out.len, 0);

        buf_reset(&out);
        assert_int_equal(sanitize(in, n, SAN_ASCII, &out), 0);
        assert_string_equal(buf_cstr(&out), is_escaped(cp) ? want : "?");
    }
    buf_fini(&out);
}

static void test_char_width(void **state)
{
    (void)state;
    assert_int_equal(char_width('a'), 1);
    assert_int_equal(char_width(' '), 1);
    assert_int_equal(char_width(0xE9), 1);    /* é */
    assert_int_equal(char_width(0x4E2D), 2);  /* 中 */
    assert_int_equal(char_width(0xAC00), 2);  /* 가 */
    assert_int_equal(char_width(0xFF01), 2);  /* fullwidth ! */
    assert_int_equal(char_width(0x1F600), 2); /* 😀 */
    assert_int_equal(char_width(0x20000), 2); /* CJK extension B */
    assert_int_equal(char_width(0x0301), 0);  /* combining acute */
    assert_int_equal(char_width(0x20DD), 0);  /* combining enclosing circle */
    assert_int_equal(char_width(0xFE0F), 0);  /* variation selector */
    assert_int_equal(char_width(0x200B), 0);  /* zero width space */
    assert_int_equal(char_width(0x200D), 0);  /* zero width joiner */
    assert_int_equal(char_width(0xFFFD), 1);
    for (int32_t cp = 0; cp < 0x20; cp++)
        assert_int_equal(char_width(cp), 0);
    for (int32_t cp = 0x7F; cp < 0xA0; cp++)
        assert_int_equal(char_width(cp), 0);
    assert_int_equal(char_width(-1), 0);
    assert_int_equal(char_width(INT32_MIN), 0);
    assert_int_equal(char_width(0x110000), 0);
    assert_int_equal(char_width(INT32_MAX), 0);
    for (int32_t cp = 0; cp <= 0x10FFFF; cp++) {
        int w = char_width(cp);

        assert_true(w >= 0 && w <= 2);
    }
}

static void test_text_width(void **state)
{
    (void)state;
    assert_int_equal(text_width("", 0), 0);
    assert_int_equal(text_width("hello", 5), 5);
    assert_int_equal(text_width("h\xC3\xA9llo", 6), 5);
    assert_int_equal(text_width("e\xCC\x81", 3), 1);
    assert_int_equal(text_width(ZHONG WEN "ab", 8), 6);
    assert_int_equal(text_width("\xF0\x9F\x98\x80", 4), 2);
    assert_int_equal(text_width("^[<U+009B>", 10), 10);
    /* Not sanitised: each maximal subpart counts as the U+FFFD it would become. */
    assert_int_equal(text_width("\xE1\x80\x41", 3), 2);
}

static void check_fit(const char *s, size_t cols, size_t want_len, size_t want_used)
{
    size_t used = 999;
    size_t len = text_fit(s, strlen(s), cols, &used);

    assert_int_equal(len, want_len);
    assert_int_equal(used, want_used);
    assert_int_equal(text_fit(s, strlen(s), cols, NULL), want_len);
}

static void test_text_fit(void **state)
{
    (void)state;
    check_fit("", 5, 0, 0);
    check_fit("hello", 0, 0, 0);
    check_fit("hello", 3, 3, 3);
    check_fit("hello", 5, 5, 5);
    check_fit("hello", 80, 5, 5);
    /* A wide character at the boundary is left out whole. */
    check_fit("ab\xE4\xB8\xAD", 3, 2, 2);
    check_fit("ab\xE4\xB8\xAD", 4, 5, 4);
    check_fit("\xE4\xB8\xAD\xE4\xB8\xAD", 3, 3, 2);
    check_fit("\xE4\xB8\xAD", 1, 0, 0);
    check_fit("\xF0\x9F\x98\x80x", 2, 4, 2);
    check_fit("a\xF0\x9F\x98\x80", 2, 1, 1);
    /* Combining marks after the cut stay with their base. */
    check_fit("abe\xCC\x81x", 3, 5, 3);
    check_fit("a" ACUTE CIRCUMFLEX "b", 1, 5, 1);
    check_fit("\xE4\xB8\xAD\xCC\x81", 1, 0, 0);
    check_fit("\xE4\xB8\xAD\xCC\x81", 2, 5, 2);
    check_fit("\xE4\xB8\xAD\xCC\x81z", 2, 5, 2);
    /* Zero-width marks with no base before them take no room. */
    check_fit("\xCC\x81x", 0, 2, 0);
    /* Multibyte narrow characters are never cut. */
    check_fit("\xC3\xA9\xC3\xA9\xC3\xA9", 2, 4, 2);
}

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0));
    assert_true(utf8_valid(NULL, 0));
    assert_true(utf8_valid("abc", 3));
    assert_true(utf8_valid("h\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80", 10));
    assert_true(utf8_valid("\xF4\x8F\xBF\xBF", 4));
    assert_false(utf8_valid("a\0b", 3));
    assert_false(utf8_valid("\0", 1));
    assert_true(utf8_valid("a\0b", 1)); /* the NUL is outside the range */
    assert_false(utf8_valid("\xC3", 1));
    assert_false(utf8_valid("\xE4\xB8", 2));
    assert_false(utf8_valid("\xC0\x80", 2));
    assert_false(utf8_valid("\xE0\x80\x80", 3));
    assert_false(utf8_valid("\xED\xA0\x80", 3));
    assert_false(utf8_valid("\xF4\x90\x80\x80", 4));
    assert_false(utf8_valid("\x80", 1));
    for (int c = 0xF5; c <= 0xFF; c++) {
        char s[1] = {(char)c};

        assert_false(utf8_valid(s, 1));
    }
}

static void test_utf8_round_trip(void **state)
{
    (void)state;
    /* Every scalar value encodes to its shortest form and decodes back. */
    for (int32_t cp = 0; cp <= 0x10FFFF; cp++) {
        char enc[4];
        int32_t back = -1;
        size_t len, want;

        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        len = utf8_encode(cp, enc);
        assert_int_equal(len, want);
        assert_int_equal(utf8_decode(enc, len, &back), len);
        assert_int_equal(back, cp);
        if (cp != 0)
            assert_true(utf8_valid(enc, len));
    }
}

/* An oracle for the maximal-subpart rule built only from utf8_encode (itself checked by
 * the round trip above): bit sets of every proper prefix and every complete encoding of
 * every scalar value, for lengths 1 to 3. */
struct oracle {
    unsigned char *prefix[4];   /* prefix[k]: s[0..k) starts some encoding, k = 1..3 */
    unsigned char *complete[4]; /* complete[k]: s[0..k) is an encoding, k = 1..3 */
};

static uint32_t oracle_key(const unsigned char *s, size_t k)
{
    uint32_t key = 0;

    for (size_t i = 0; i < k; i++)
        key = key << 8 | s[i];
    return key;
}

static void oracle_set(unsigned char *bits, uint32_t key)
{
    bits[key >> 3] |= (unsigned char)(1u << (key & 7));
}

static int oracle_get(const unsigned char *bits, uint32_t key)
{
    return (bits[key >> 3] >> (key & 7)) & 1;
}

static void oracle_init(struct oracle *o)
{
    for (size_t k = 1; k <= 3; k++) {
        o->prefix[k] = calloc((size_t)1 << (8 * k - 3), 1);
        o->complete[k] = calloc((size_t)1 << (8 * k - 3), 1);
        assert_non_null(o->prefix[k]);
        assert_non_null(o->complete[k]);
    }
    for (int32_t cp = 0; cp <= 0x10FFFF; cp++) {
        unsigned char e[4];
        size_t len;

        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        len = utf8_encode(cp, (char *)e);
        for (size_t k = 1; k < len; k++)
            oracle_set(o->prefix[k], oracle_key(e, k));
        if (len <= 3)
            oracle_set(o->complete[len], oracle_key(e, len));
    }
}

static void oracle_fini(struct oracle *o)
{
    for (size_t k = 1; k <= 3; k++) {
        free(o->prefix[k]);
        free(o->complete[k]);
    }
}

/* What utf8_decode must consume at s[0..n), n <= 4. */
static size_t oracle_length(const struct oracle *o, const unsigned char *s, size_t n)
{
    size_t best = 1;

    for (size_t k = 1; k <= n && k <= 3; k++) {
        if (oracle_get(o->complete[k], oracle_key(s, k)))
            return k;
        if (oracle_get(o->prefix[k], oracle_key(s, k)))
            best = k;
    }
    if (n == 4 && best == 3) {
        /* A 4-byte candidate: complete exactly when it re-encodes to itself. */
        int32_t cp = (int32_t)((s[0] & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 |
                               (s[3] & 0x3Fu));
        unsigned char e[4];

        if ((s[3] & 0xC0) == 0x80 && utf8_encode(cp, (char *)e) == 4 && memcmp(e, s, 4) == 0)
            return 4;
    }
    return best;
}

static void check_against_oracle(const struct oracle *o, const unsigned char *s, size_t n)
{
    int32_t cp;
    size_t want = oracle_length(o, s, n);
    size_t got = utf8_decode((const char *)s, n, &cp);
    char e[4];

    assert_int_equal(got, want);
    /* A complete sequence decodes to the code point it encodes, anything else to U+FFFD. */
    if (utf8_encode(cp, e) != got || memcmp(e, s, got) != 0)
        assert_int_equal(cp, 0xFFFD);
}

static void test_decode_matches_oracle(void **state)
{
    static const unsigned char last[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0, 0xFF};
    struct oracle o;
    unsigned char s[4];

    (void)state;
    oracle_init(&o);
    /* Every input of one, two and three bytes. */
    for (uint32_t v = 0; v < 0x1000000u; v++) {
        s[0] = (unsigned char)(v >> 16);
        s[1] = (unsigned char)(v >> 8);
        s[2] = (unsigned char)v;
        check_against_oracle(&o, s, 3);
        if (v < 0x10000u)
            check_against_oracle(&o, s + 1, 2);
        if (v < 0x100u)
            check_against_oracle(&o, s + 2, 1);
    }
    /* Four bytes: every lead that starts one, every second and third byte, a few last. */
    for (uint32_t v = 0xF00000u; v < 0xF50000u; v++) {
        s[0] = (unsigned char)(v >> 16);
        s[1] = (unsigned char)(v >> 8);
        s[2] = (unsigned char)v;
        for (size_t i = 0; i < sizeof last; i++) {
            s[3] = last[i];
            check_against_oracle(&o, s, 4);
        }
    }
    oracle_fini(&o);
}

static void test_utf8_encode_decode_edges(void **state)
{
    char enc[4];
    int32_t cp;

    (void)state;
    /* Values that are not scalar values encode as U+FFFD. */
    assert_int_equal(utf8_encode(0xD800, enc), 3);
    assert_memory_equal(enc, FFFD, 3);
    assert_int_equal(utf8_encode(0x110000, enc), 3);
    assert_memory_equal(enc, FFFD, 3);
    assert_int_equal(utf8_encode(-5, enc), 3);
    assert_memory_equal(enc, FFFD, 3);

    assert_int_equal(utf8_decode("A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(utf8_decode(ZHONG "x", 4, &cp), 3);
    assert_int_equal(cp, 0x4E2D);
    /* Invalid: U+FFFD and the length of the maximal subpart. */
    assert_int_equal(utf8_decode("\xE1\x80\x41", 3, &cp), 2);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(utf8_decode("\xF0\x9F\x98", 3, &cp), 3);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(utf8_decode("\xF0\x9F\x98\x80", 2, &cp), 2);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(utf8_decode("\xC0\x80", 2, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(utf8_decode("\xED\xA0\x80", 3, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(utf8_decode("\xF4\x90\x80\x80", 4, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(utf8_decode("\xFF", 1, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(utf8_decode("\xBF", 1, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    /* A genuine U+FFFD decodes the same way, but as one 3-byte character. */
    assert_int_equal(utf8_decode(FFFD, 3, &cp), 3);
    assert_int_equal(cp, 0xFFFD);
}

static void test_sanitize_dup_never_null(void **state)
{
    char *s = sanitize_dup(NULL, 0, 0);

    (void)state;
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_ascii),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_every_c0_control_and_del),
        cmocka_unit_test(test_escape_sequences),
        cmocka_unit_test(test_c1_controls),
        cmocka_unit_test(test_bidi_and_separators),
        cmocka_unit_test(test_valid_multibyte_kept),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_keep_newline),
        cmocka_unit_test(test_expand_tabs),
        cmocka_unit_test(test_ascii_mode),
        cmocka_unit_test(test_buffer_maximum),
        cmocka_unit_test(test_exhaustive_short_inputs),
        cmocka_unit_test(test_every_code_point),
        cmocka_unit_test(test_char_width),
        cmocka_unit_test(test_text_width),
        cmocka_unit_test(test_text_fit),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_round_trip),
        cmocka_unit_test(test_utf8_encode_decode_edges),
        cmocka_unit_test(test_decode_matches_oracle),
        cmocka_unit_test(test_sanitize_dup_never_null),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
