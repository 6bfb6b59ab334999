/* test_jsonscan.c: the strict incremental JSON scanner: leaves and their paths, every
 * strictness rule, limits, error positions, and chunking at every byte boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonscan.h"

/* One line per leaf: "<type> <path>=<text>" plus the value of numbers and a mark for
 * truncated strings, so whole leaf sequences compare as one string. */
static void log_leaf(const struct json_leaf *leaf, void *arg)
{
    static const char types[] = "NSTFZ";
    struct buf *log = arg;
    int rc;

    assert_int_equal(strlen(leaf->path), leaf->pathlen); /* no NUL in test paths */
    assert_int_equal(leaf->path[leaf->pathlen], '\0');
    assert_int_equal(leaf->text[leaf->textlen], '\0');
    rc = buf_printf(log, "%c %s=", types[leaf->type], leaf->path);
    assert_int_equal(rc, 0);
    rc = buf_append(log, leaf->text, leaf->textlen);
    assert_int_equal(rc, 0);
    if (leaf->type == JSON_LEAF_NUMBER)
        rc = buf_printf(log, " (%.17g)", leaf->number);
    if (leaf->truncated)
        rc |= buf_puts(log, " [cut]");
    rc |= buf_putc(log, '\n');
    assert_int_equal(rc, 0);
}

/* Scan `doc` in chunks: one at `split` (when < n) or, with `bytewise`, one byte at a time.
 * Returns the leaf log (or "ERROR <message>"); free it. */
static char *scan_doc(const char *doc, size_t n, size_t split, int bytewise,
                      struct jsonscan_stats *stats)
{
    struct buf log;
    struct jsonscan *s;
    struct err err;
    int rc = 0;

    buf_init(&log, (size_t)1 << 26);
    err_clear(&err);
    s = jsonscan_new(log_leaf, &log);
    if (bytewise) {
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = jsonscan_feed(s, doc + i, 1, &err);
    } else if (split < n) {
        rc = jsonscan_feed(s, doc, split, &err);
        if (rc == 0)
            rc = jsonscan_feed(s, doc + split, n - split, &err);
    } else {
        rc = jsonscan_feed(s, doc, n, &err);
    }
    if (rc == 0)
        rc = jsonscan_finish(s, &err);
    if (stats != NULL)
        *stats = *jsonscan_stats(s);
    jsonscan_free(s);
    if (rc < 0) {
        assert_int_not_equal(err.msg[0], '\0');
        buf_reset(&log);
        rc = buf_printf(&log, "ERROR %s", err.msg);
        assert_int_equal(rc, 0);
    }
    return buf_steal(&log);
}

/* Whole, split at every position and byte by byte all give `want`. */
static void check_n(const char *doc, size_t n, const char *want)
{
    char *got = scan_doc(doc, n, n, 0, NULL);

    if (strcmp(got, want) != 0)
        fail_msg("document %.*s\n got: %s\nwant: %s", (int)n, doc, got, want);
    free(got);
    for (size_t split = 0; split <= n; split++) {
        got = scan_doc(doc, n, split, 0, NULL);
        if (strcmp(got, want) != 0)
            fail_msg("split at %zu of %.*s\n got: %s\nwant: %s", split, (int)n, doc, got, want);
        free(got);
    }
    got = scan_doc(doc, n, 0, 1, NULL);
    if (strcmp(got, want) != 0)
        fail_msg("bytewise %.*s\n got: %s\nwant: %s", (int)n, doc, got, want);
    free(got);
}

static void check(const char *doc, const char *want)
{
    check_n(doc, strlen(doc), want);
}

/* The document fails with exactly `msg` (after "ERROR "), however it is chunked. */
static void check_error(const char *doc, const char *msg)
{
    struct buf want;
    int rc;

    buf_init(&want, (size_t)1 << 20);
    rc = buf_printf(&want, "ERROR %s", msg);
    assert_int_equal(rc, 0);
    check(doc, want.data);
    buf_fini(&want);
}

static void test_scalars(void **state)
{
    (void)state;
    check("0", "N =0 (0)\n");
    check("-0", "N =-0 (-0)\n");
    check(" 12.5e-1 ", "N =12.5e-1 (1.25)\n");
    check("1E+2", "N =1E+2 (100)\n");
    check("\"hi\"", "S =hi\n");
    check("true", "T =true\n");
    check("\t\r\nfalse\n", "F =false\n");
    check("null", "Z =null\n");
    check("1e-400", "N =1e-400 (0)\n"); /* underflow is a valid zero, as in serde_json */
    check("123456789012345678901234567890",
          "N =123456789012345678901234567890 (1.2345678901234568e+29)\n");
}

static void test_paths(void **state)
{
    (void)state;
    check("{\"a\":{\"b\":[1,{\"c\":2}]}}", "N a.b[0]=1 (1)\nN a.b[1].c=2 (2)\n");
    check("{\"a\":[[0,{\"b\":1}]]}", "N a[0][0]=0 (0)\nN a[0][1].b=1 (1)\n");
    check("[[[\"x\"]],[]]", "S [0][0][0]=x\n");
    check("{\"\":[1,{\"\":{\"t\":2}}]}", "N [0]=1 (1)\nN [1]..t=2 (2)\n");
    check("{\"a\":[[0,[1,2]],{\"b\":true}]}",
          "N a[0][0]=0 (0)\nN a[0][1][0]=1 (1)\nN a[0][1][1]=2 (2)\nT a[1].b=true\n");
    check("[{\"x\":1},[2],\"s\"]", "N [0].x=1 (1)\nN [1][0]=2 (2)\nS [2]=s\n");
    check("{\"\":{\"tok\":1}}", "N tok=1 (1)\n");
    check("{\"a\":{},\"b\":[],\"c\":{\"d\":[]},\"e\":null}", "Z e=null\n");
    check("{\"k\\u00e9y\":\"v\\u00e9\"}", "S k\xC3\xA9y=v\xC3\xA9\n");
    check("{\"\\ud83d\\ude00\":\"\\uD83D\\uDE00\"}", "S \xF0\x9F\x98\x80=\xF0\x9F\x98\x80\n");
    check("{\"a.b\":{\"c[1]\":1}}", "N a.b.c[1]=1 (1)\n");
    check("{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", "S e=\"\\/\b\f\n\r\t\n");
    check("{\"raw\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"}",
          "S raw=\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\n");
    check("{\"a\":1,\"a\":2}", "N a=1 (1)\nN a=2 (2)\n");
}

static void test_array_index_carry(void **state)
{
    struct buf doc, want;
    char *got;
    int rc = 0;

    (void)state;
    buf_init(&doc, 1 << 20);
    buf_init(&want, 1 << 20);
    rc |= buf_puts(&doc, "{\"r\":[");
    for (int i = 0; i <= 1000; i++) {
        rc |= buf_printf(&doc, "%s{\"v\":%d}", i ? "," : "", i);
        rc |= buf_printf(&want, "N r[%d].v=%d (%d)\n", i, i, i);
    }
    rc |= buf_puts(&doc, "]}");
    assert_int_equal(rc, 0);
    got = scan_doc(doc.data, doc.len, doc.len, 0, NULL);
    assert_string_equal(got, want.data);
    free(got);
    got = scan_doc(doc.data, doc.len, 0, 1, NULL);
    assert_string_equal(got, want.data);
    free(got);
    buf_fini(&doc);
    buf_fini(&want);
}

static void test_structure_errors(void **state)
{
    (void)state;
    check_error("", "line 1, column 1: empty document");
    check_error(" \n ", "line 2, column 2: empty document");
    check_error("[1,]", "line 1, column 4: trailing comma before ']'");
    check_error("{\"a\":1,}", "line 1, column 8: trailing comma before '}'");
    check_error("[,1]", "line 1, column 2: expected a value, found ','");
    check_error("{\"a\" 1}", "line 1, column 6: expected ':' after a member name, found '1'");
    check_error("{\"a\":1 \"b\":2}", "line 1, column 8: expected ',' or '}', found '\"'");
    check_error("[1 2]", "line 1, column 4: expected ',' or ']', found '2'");
    check_error("{a:1}", "line 1, column 2: expected a member name in double quotes, found 'a'");
    check_error("{'a':1}",
                "line 1, column 2: expected a member name in double quotes, found byte 0x27");
    check_error("['a']", "line 1, column 2: expected a value, found byte 0x27");
    check_error("[1]]", "line 1, column 4: unexpected data after the document, found ']'");
    check_error("{} {}", "line 1, column 4: unexpected data after the document, found '{'");
    check_error("1 2", "line 1, column 3: unexpected data after the document, found '2'");
    check_error("[1,\n 2,\n 3,,]", "line 3, column 4: expected a value, found ','");
    check_error("[1", "line 1, column 3: unexpected end of input inside a number "
                      "(1 unclosed bracket)");
    check_error("[1,", "line 1, column 4: unexpected end of input (1 unclosed bracket)");
    check_error("{\"a\":[", "line 1, column 7: unexpected end of input (2 unclosed brackets)");
    check_error("{\"a\"", "line 1, column 5: unexpected end of input (1 unclosed bracket)");
    check_error("[\"ab", "line 1, column 5: unexpected end of input inside a string "
                         "(1 unclosed bracket)");
    check_error("{\"ab", "line 1, column 5: unexpected end of input inside a member name "
                         "(1 unclosed bracket)");
    check_n("[1]\0", 4,
            "ERROR line 1, column 4: unexpected data after the document, "
            "found byte 0x00");
    check_n("[\"a\0\"]", 6,
            "ERROR line 1, column 4: control character (byte 0x00) in a "
            "string must be escaped");
}

static void test_comments_and_extensions(void **state)
{
    (void)state;
    check_error("// c\n1", "line 1, column 1: expected a value, found '/'");
    check_error("[1 /* c */]", "line 1, column 4: expected ',' or ']', found '/'");
    check_error("NaN", "line 1, column 1: expected a value, found 'N'");
    check_error("[Infinity]", "line 1, column 2: expected a value, found 'I'");
    check_error("-Infinity", "line 1, column 2: invalid number, found 'I'");
    check_error("\xEF\xBB\xBF{}", "line 1, column 1: expected a value, found byte 0xef");
    check_error("[\v1]", "line 1, column 2: expected a value, found byte 0x0b");
    check_error("[\f1]", "line 1, column 2: expected a value, found byte 0x0c");
    check_error("nul", "line 1, column 4: unexpected end of input inside a literal");
    check_error("[nulL]", "line 1, column 5: invalid literal, found 'L'");
    check_error("True", "line 1, column 1: expected a value, found 'T'");
    check_error("[truex]", "line 1, column 6: expected ',' or ']', found 'x'");
}

static void test_number_errors(void **state)
{
    (void)state;
    check_error("01", "line 1, column 2: leading zeros are not allowed");
    check_error("[-01]", "line 1, column 4: leading zeros are not allowed");
    check_error("[00]", "line 1, column 3: leading zeros are not allowed");
    check_error("1.", "line 1, column 3: unexpected end of input inside a number");
    check_error("[1.]", "line 1, column 4: invalid number, found ']'");
    check_error("[.5]", "line 1, column 2: expected a value, found '.'");
    check_error("[+1]", "line 1, column 2: expected a value, found '+'");
    check_error("[-]", "line 1, column 3: invalid number, found ']'");
    check_error("[1e]", "line 1, column 4: invalid number, found ']'");
    check_error("[1e+]", "line 1, column 5: invalid number, found ']'");
    check_error("[1.2.3]", "line 1, column 5: invalid number, found '.'");
    check_error("[1-2]", "line 1, column 3: invalid number, found '-'");
    check_error("[1e5e]", "line 1, column 5: invalid number, found 'e'");
    check_error("[0x10]", "line 1, column 3: expected ',' or ']', found 'x'");
    check_error("{\"a\":\n  1e400}", "line 2, column 3: number out of range");
    check_error("-1e309", "line 1, column 1: number out of range");
    check_error("[2e308]", "line 1, column 2: number out of range");
    check("[1.7976931348623157e308]", "N [0]=1.7976931348623157e308 (1.7976931348623157e+308)\n");
}

static void test_string_errors(void **state)
{
    (void)state;
    check_error("[\"a\x01\"]",
                "line 1, column 4: control character (byte 0x01) in a string must be escaped");
    check_error("\"tab\there\"",
                "line 1, column 5: control character (byte 0x09) in a string must be escaped");
    check_error("\"line\nbreak\"",
                "line 1, column 6: control character (byte 0x0a) in a string must be escaped");
    check_error("\"\\x\"", "line 1, column 3: invalid escape, found 'x'");
    check_error("\"\\'\"", "line 1, column 3: invalid escape, found byte 0x27");
    check_error("\"\\u12G4\"", "line 1, column 6: expected a hex digit in \\u escape, found 'G'");
    check_error("\"\\ud800\"", "line 1, column 8: high surrogate \\uD800 without a low one");
    check_error("\"\\ud800x\"", "line 1, column 8: high surrogate \\uD800 without a low one");
    check_error("\"\\ud800\\n\"", "line 1, column 9: high surrogate \\uD800 without a low one");
    check_error("\"\\ud800\\u0041\"",
                "line 1, column 14: high surrogate \\uD800 without a low one");
    check_error("\"\\ud800\\ud800\"",
                "line 1, column 14: high surrogate \\uD800 without a low one");
    check_error("\"\\udc00\"", "line 1, column 8: low surrogate \\uDC00 without a high one");
    check_error("{\"\\uDFFF\":1}", "line 1, column 9: low surrogate \\uDFFF without a high one");
}

static void test_utf8_errors(void **state)
{
    (void)state;
    check_error("\"\x80\"", "line 1, column 2: invalid UTF-8 (byte 0x80)");
    check_error("\"\xC0\xAF\"", "line 1, column 2: invalid UTF-8 (byte 0xc0)"); /* overlong */
    check_error("\"\xC1\xBF\"", "line 1, column 2: invalid UTF-8 (byte 0xc1)");
    check_error("\"\xE0\x80\xAF\"", "line 1, column 3: invalid UTF-8 (byte 0x80)");
    check_error("\"\xED\xA0\x80\"", "line 1, column 3: invalid UTF-8 (byte 0xa0)"); /* D800 */
    check_error("\"\xF0\x8F\xBF\xBF\"", "line 1, column 3: invalid UTF-8 (byte 0x8f)");
    check_error("\"\xF4\x90\x80\x80\"", "line 1, column 3: invalid UTF-8 (byte 0x90)");
    check_error("\"\xF5\x80\x80\x80\"", "line 1, column 2: invalid UTF-8 (byte 0xf5)");
    check_error("\"\xFF\"", "line 1, column 2: invalid UTF-8 (byte 0xff)");
    check_error("\"\xC3\"", "line 1, column 3: invalid UTF-8 (byte 0x22)");
    check_error("\"\xE2\x82\"", "line 1, column 4: invalid UTF-8 (byte 0x22)");
    check_error("\"\xE2\x82x\"", "line 1, column 4: invalid UTF-8 (byte 0x78)");
    check_error("{\"k\xC3\":1}", "line 1, column 5: invalid UTF-8 (byte 0x22)");
    check_error("\"\xE2\x82", "line 1, column 4: unexpected end of input inside a string");
    check("[\"\xF4\x8F\xBF\xBF\",\"\xEF\xBF\xBF\",\"\xED\x9F\xBF\"]",
          "S [0]=\xF4\x8F\xBF\xBF\nS [1]=\xEF\xBF\xBF\nS [2]=\xED\x9F\xBF\n");
}

/* A document `depth` levels deep, of arrays or objects. */
static char *nested(int depth, int objects)
{
    struct buf b;
    int rc = 0;

    buf_init(&b, (size_t)1 << 20);
    for (int i = 0; i < depth; i++)
        rc |= buf_puts(&b, objects ? "{\"k\":" : "[");
    rc |= buf_putc(&b, '1');
    for (int i = 0; i < depth; i++)
        rc |= buf_putc(&b, objects ? '}' : ']');
    assert_int_equal(rc, 0);
    return buf_steal(&b);
}

static void test_depth_limit(void **state)
{
    struct jsonscan_stats st;
    char *doc, *got, want[64];

    (void)state;
    doc = nested(JSONSCAN_MAX_DEPTH, 0);
    got = scan_doc(doc, strlen(doc), (size_t)-1, 0, &st);
    assert_int_equal(strncmp(got, "N [0][0][0]", 11), 0);
    assert_int_equal(st.max_depth, JSONSCAN_MAX_DEPTH);
    assert_int_equal(st.arrays, JSONSCAN_MAX_DEPTH);
    free(got);
    free(doc);

    doc = nested(JSONSCAN_MAX_DEPTH + 1, 0);
    snprintf(want, sizeof want, "ERROR line 1, column %d: nesting deeper than %d levels",
             JSONSCAN_MAX_DEPTH + 1, JSONSCAN_MAX_DEPTH);
    check(doc, want);
    free(doc);

    doc = nested(JSONSCAN_MAX_DEPTH, 1);
    got = scan_doc(doc, strlen(doc), (size_t)-1, 0, &st);
    assert_int_equal(strncmp(got, "N k.k.k.k", 9), 0);
    free(got);
    free(doc);
    doc = nested(JSONSCAN_MAX_DEPTH + 1, 1);
    snprintf(want, sizeof want, "ERROR line 1, column %d: nesting deeper than %d levels",
             5 * JSONSCAN_MAX_DEPTH + 1, JSONSCAN_MAX_DEPTH);
    got = scan_doc(doc, strlen(doc), 1000, 0, NULL);
    assert_string_equal(got, want);
    free(got);
    free(doc);

    /* Far deeper input fails at the same place and never recurses. */
    doc = nested(100000, 0);
    got = scan_doc(doc, strlen(doc), 7, 0, NULL);
    snprintf(want, sizeof want, "ERROR line 1, column %d: nesting deeper than %d levels",
             JSONSCAN_MAX_DEPTH + 1, JSONSCAN_MAX_DEPTH);
    assert_string_equal(got, want);
    free(got);
    free(doc);
}

static void test_path_limit(void **state)
{
    char doc[2 * JSONSCAN_MAX_PATH], want[2 * JSONSCAN_MAX_PATH];
    char *got;
    size_t klen;

    (void)state;
    /* {"aaa...":1} with a name of exactly JSONSCAN_MAX_PATH bytes is fine. */
    klen = JSONSCAN_MAX_PATH;
    doc[0] = '{';
    doc[1] = '"';
    memset(doc + 2, 'a', klen);
    snprintf(doc + 2 + klen, 16, "\":1}");
    snprintf(want, sizeof want, "N %.*s=1 (1)\n", (int)klen, doc + 2);
    check(doc, want);
    /* One more byte is an error, at the closing quote. */
    memset(doc + 2, 'a', klen + 1);
    snprintf(doc + 3 + klen, 16, "\":1}");
    snprintf(want, sizeof want, "line 1, column %zu: path longer than %d bytes", klen + 4,
             JSONSCAN_MAX_PATH);
    check_error(doc, want);

    /* A nested name: "a." takes two bytes of the path. */
    klen = JSONSCAN_MAX_PATH - 2;
    memcpy(doc, "{\"a\":{\"", 7);
    memset(doc + 7, 'b', klen);
    snprintf(doc + 7 + klen, 16, "\":1}}");
    got = scan_doc(doc, strlen(doc), (size_t)-1, 0, NULL);
    assert_int_equal(strncmp(got, "N a.bbb", 7), 0);
    free(got);
    memset(doc + 7, 'b', klen + 1);
    snprintf(doc + 8 + klen, 16, "\":1}}");
    snprintf(want, sizeof want, "line 1, column %zu: path longer than %d bytes", klen + 9,
             JSONSCAN_MAX_PATH);
    check_error(doc, want);

    /* An array index that does not fit: "aaa...": [1] where the name fills the path. */
    klen = JSONSCAN_MAX_PATH - 2;
    doc[0] = '{';
    doc[1] = '"';
    memset(doc + 2, 'a', klen);
    snprintf(doc + 2 + klen, 16, "\":[1]}");
    snprintf(want, sizeof want, "line 1, column %zu: path longer than %d bytes", klen + 6,
             JSONSCAN_MAX_PATH);
    check_error(doc, want);
    /* ... while an empty array there is fine: no element path is ever formed. */
    snprintf(doc + 2 + klen, 16, "\":[]}");
    got = scan_doc(doc, strlen(doc), (size_t)-1, 0, NULL);
    assert_string_equal(got, "");
    free(got);
}

static void test_string_truncation(void **state)
{
    size_t n = JSONSCAN_MAX_STRING + 100;
    char *doc = malloc(n + 8), *want = malloc(n + 64);
    size_t len;

    (void)state;
    /* ASCII: cut at the limit exactly. */
    doc[0] = '"';
    memset(doc + 1, 'x', n);
    strcpy(doc + 1 + n, "\"");
    snprintf(want, n + 64, "S =%.*s [cut]\n", JSONSCAN_MAX_STRING, doc + 1);
    check(doc, want);
    /* A 3-byte character across the limit is dropped whole. */
    len = JSONSCAN_MAX_STRING - 1;
    memset(doc + 1, 'x', len);
    memcpy(doc + 1 + len, "\xE2\x82\xAC", 3);
    strcpy(doc + 4 + len, "yz\"");
    snprintf(want, n + 64, "S =%.*s [cut]\n", (int)len, doc + 1);
    check(doc, want);
    /* Exactly at the limit is not cut. */
    len = JSONSCAN_MAX_STRING - 3;
    memset(doc + 1, 'x', len);
    memcpy(doc + 1 + len, "\xE2\x82\xAC", 3);
    strcpy(doc + 4 + len, "\"");
    snprintf(want, n + 64, "S =%.*s\n", JSONSCAN_MAX_STRING, doc + 1);
    check(doc, want);
    free(doc);
    free(want);
}

static void test_number_limit(void **state)
{
    char doc[JSONSCAN_MAX_NUMBER + 16], want[2 * JSONSCAN_MAX_NUMBER + 64];

    (void)state;
    /* "1." and zeros: exactly the limit, then one more. */
    doc[0] = '[';
    doc[1] = '1';
    doc[2] = '.';
    memset(doc + 3, '0', JSONSCAN_MAX_NUMBER - 2);
    strcpy(doc + 1 + JSONSCAN_MAX_NUMBER, "]");
    {
        char *got = scan_doc(doc, strlen(doc), 300, 0, NULL);
        size_t len = strlen(got);

        assert_int_equal(strncmp(got, "N [0]=1.000", 11), 0);
        assert_true(len > 5 && strcmp(got + len - 5, " (1)\n") == 0);
        assert_int_equal(len, 6 + JSONSCAN_MAX_NUMBER + 5);
        free(got);
    }
    memset(doc + 3, '0', JSONSCAN_MAX_NUMBER - 1);
    strcpy(doc + 2 + JSONSCAN_MAX_NUMBER, "]");
    snprintf(want, sizeof want, "line 1, column 2: number longer than %d characters",
             JSONSCAN_MAX_NUMBER);
    check_error(doc, want);
    /* 400 digits without an exponent overflow even when only validating. */
    {
        struct jsonscan *s = jsonscan_new(NULL, NULL);
        struct err err;

        memset(doc + 1, '9', 400);
        doc[401] = '\0';
        assert_int_equal(jsonscan_feed(s, doc + 1, 400, &err), 0);
        assert_int_equal(jsonscan_finish(s, &err), -1);
        assert_string_equal(err.msg, "line 1, column 1: number out of range");
        jsonscan_free(s);
    }
}

static void test_validate_only_and_stats(void **state)
{
    const char *doc = "{\"a\":[1,\"x\",true,null,{\"b\":-2.5e1}],\"c\":\"\\u00e9\"}";
    struct jsonscan *s = jsonscan_new(NULL, NULL);
    const struct jsonscan_stats *st;
    struct err err;

    (void)state;
    assert_int_equal(jsonscan_feed(s, doc, strlen(doc), &err), 0);
    assert_int_equal(jsonscan_finish(s, &err), 0);
    st = jsonscan_stats(s);
    assert_int_equal(st->values, 9);
    assert_int_equal(st->objects, 2);
    assert_int_equal(st->arrays, 1);
    assert_int_equal(st->strings, 2);
    assert_int_equal(st->numbers, 2);
    assert_int_equal(st->literals, 2);
    assert_int_equal(st->max_depth, 3);
    jsonscan_free(s);
}

static void test_error_is_sticky(void **state)
{
    struct jsonscan *s = jsonscan_new(NULL, NULL);
    struct err err;

    (void)state;
    assert_int_equal(jsonscan_feed(s, "[1,", 3, &err), 0);
    assert_int_equal(jsonscan_feed(s, "\n x]", 4, &err), -1);
    assert_string_equal(err.msg, "line 2, column 2: expected a value, found 'x'");
    err_clear(&err);
    assert_int_equal(jsonscan_feed(s, "1]", 2, &err), -1);
    assert_string_equal(err.msg, "line 2, column 2: expected a value, found 'x'");
    err_clear(&err);
    assert_int_equal(jsonscan_feed(s, "", 0, &err), -1);
    assert_string_equal(err.msg, "line 2, column 2: expected a value, found 'x'");
    assert_int_equal(jsonscan_finish(s, &err), -1);
    assert_string_equal(err.msg, "line 2, column 2: expected a value, found 'x'");
    jsonscan_free(s);

    /* A NULL err is allowed. */
    s = jsonscan_new(NULL, NULL);
    assert_int_equal(jsonscan_feed(s, "]", 1, NULL), -1);
    assert_int_equal(jsonscan_finish(s, NULL), -1);
    jsonscan_free(s);
}

static void test_finished_document(void **state)
{
    struct jsonscan *s = jsonscan_new(NULL, NULL);
    struct err err;

    (void)state;
    assert_int_equal(jsonscan_feed(s, "{}\n", 3, &err), 0);
    assert_int_equal(jsonscan_feed(s, "  \n", 3, &err), 0);
    assert_int_equal(jsonscan_feed(s, NULL, 0, &err), 0);
    assert_int_equal(jsonscan_finish(s, &err), 0);
    assert_int_equal(jsonscan_finish(s, &err), 0);
    jsonscan_free(s);
    jsonscan_free(NULL);
}

/* A realistic document with every token kind, checked split everywhere. */
static void test_every_split_realistic(void **state)
{
    const char *doc =
        "{\n"
        "  \"model\": \"gemma3:1b\",\n"
        "  \"options\": {\"num_gpu\": 80, \"num_ctx\": 2048, \"temperature\": 0.7},\n"
        "  \"runs\": [\n"
        "    {\"ttft_ms\": 123.45, \"tokens_per_second\": 41.0, \"gpu\": \"45.2%\",\n"
        "     \"latency_ms\": {\"p50\": 10, \"p95\": 2e1, \"p99\": -0.5E-2},\n"
        "     \"note\": \"caf\xC3\xA9 \\u2014 \\ud83d\\ude80 \\\"ok\\\"\", \"ok\": true},\n"
        "    [null, false, 0, -0.0, 1e-7]\n"
        "  ]\n"
        "}\n";
    const char *want = "S model=gemma3:1b\n"
                       "N options.num_gpu=80 (80)\n"
                       "N options.num_ctx=2048 (2048)\n"
                       "N options.temperature=0.7 (0.69999999999999996)\n"
                       "N runs[0].ttft_ms=123.45 (123.45)\n"
                       "N runs[0].tokens_per_second=41.0 (41)\n"
                       "S runs[0].gpu=45.2%\n"
                       "N runs[0].latency_ms.p50=10 (10)\n"
                       "N runs[0].latency_ms.p95=2e1 (20)\n"
                       "N runs[0].latency_ms.p99=-0.5E-2 (-0.0050000000000000001)\n"
                       "S runs[0].note=caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x9A\x80 \"ok\"\n"
                       "T runs[0].ok=true\n"
                       "Z runs[1][0]=null\n"
                       "F runs[1][1]=false\n"
                       "N runs[1][2]=0 (0)\n"
                       "N runs[1][3]=-0.0 (-0)\n"
                       "N runs[1][4]=1e-7 (9.9999999999999995e-08)\n";

    (void)state;
    check(doc, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_array_index_carry),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_comments_and_extensions),
        cmocka_unit_test(test_number_errors),
        cmocka_unit_test(test_string_errors),
        cmocka_unit_test(test_utf8_errors),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_path_limit),
        cmocka_unit_test(test_string_truncation),
        cmocka_unit_test(test_number_limit),
        cmocka_unit_test(test_validate_only_and_stats),
        cmocka_unit_test(test_error_is_sticky),
        cmocka_unit_test(test_finished_document),
        cmocka_unit_test(test_every_split_realistic),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
