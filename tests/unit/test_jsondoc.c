/* test_jsondoc.c: the JSON tree of the metrics pane: nodes, visible lines, expansion,
 * paths, number texts, errors and limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsondoc.h"
#include "jsonscan.h"

static const char *const DOC =
    "{\n"
    "  \"model\": \"gemma3\",\n"
    "  \"options\": {\"num_gpu\": 80, \"num_ctx\": 2048},\n"
    "  \"runs\": [{\"t\": 1}, {\"t\": 2}, {\"t\": 3}, {\"t\": 4, \"lat\": {\"p50\": 1e1}},\n"
    "           {\"t\": 5}, {\"t\": 6}, {\"t\": 7}, {\"t\": 8}, {\"t\": 9}, {}],\n"
    "  \"tags\": [],\n"
    "  \"n\": 1.50,\n"
    "  \"ok\": true\n"
    "}\n";

/* One line per visible line: indent, label ("$" root, key, or [i]), then "{n}"/"[n]" with
 * '-' when expanded and '+' when collapsed, or the scalar's type letter and text. */
static char *render(const struct jsondoc *d)
{
    static const char letters[] = "OASNTFZ";
    struct buf b;
    int rc = 0;

    buf_init(&b, (size_t)1 << 24);
    for (size_t i = 0; i < jsondoc_visible(d); i++) {
        struct jsondoc_line l;

        assert_int_equal(jsondoc_line(d, i, &l), 0);
        for (int k = 0; k < l.depth; k++)
            rc |= buf_puts(&b, "  ");
        if (l.key != NULL) {
            assert_int_equal(l.index, -1);
            rc |= buf_puts(&b, l.key);
        } else if (l.index >= 0) {
            rc |= buf_printf(&b, "[%ld]", l.index);
        } else {
            assert_int_equal(l.depth, 0);
            rc |= buf_putc(&b, '$');
        }
        if (l.type == JSONDOC_OBJECT || l.type == JSONDOC_ARRAY) {
            assert_null(l.value);
            rc |= buf_printf(&b, " %c%zu%c%c\n", l.type == JSONDOC_OBJECT ? '{' : '[', l.nchildren,
                             l.type == JSONDOC_OBJECT ? '}' : ']', l.expanded ? '-' : '+');
        } else {
            assert_non_null(l.value);
            rc |= buf_printf(&b, " %c %s\n", letters[l.type], l.value);
        }
    }
    assert_int_equal(rc, 0);
    return buf_steal(&b);
}

static void check_render(const struct jsondoc *d, const char *want)
{
    char *got = render(d);

    assert_string_equal(got, want);
    free(got);
}

static void check_path(const struct jsondoc *d, size_t line, const char *want)
{
    char *got = jsondoc_path(d, line);

    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static struct jsondoc *parse(const char *text)
{
    struct err err;
    struct jsondoc *d = jsondoc_parse(text, strlen(text), &err);

    if (d == NULL)
        fail_msg("parse failed: %s", err.msg);
    return d;
}

static const char *const INITIAL = "$ {6}-\n"
                                   "  model S gemma3\n"
                                   "  options {2}-\n"
                                   "    num_gpu N 80\n"
                                   "    num_ctx N 2048\n"
                                   "  runs [10]+\n"
                                   "  tags [0]-\n"
                                   "  n N 1.50\n"
                                   "  ok T true\n";

static void test_initial_lines(void **state)
{
    struct jsondoc *d = parse(DOC);
    struct jsondoc_line l;

    (void)state;
    assert_int_equal(jsondoc_nodes(d), 30);
    assert_int_equal(jsondoc_visible(d), 9);
    check_render(d, INITIAL);
    assert_int_equal(jsondoc_line(d, 9, &l), -1);
    assert_int_equal(jsondoc_line(d, 3, &l), 0);
    assert_int_equal(l.node, 3);
    assert_int_equal(l.depth, 2);
    assert_int_equal(jsondoc_line(d, 0, &l), 0);
    assert_int_equal(l.node, 0);
    assert_null(l.key);
    assert_int_equal(l.index, -1);
    jsondoc_free(d);
}

static void test_toggle(void **state)
{
    struct jsondoc *d = parse(DOC);

    (void)state;
    jsondoc_toggle(d, 5); /* runs */
    check_render(d, "$ {6}-\n"
                    "  model S gemma3\n"
                    "  options {2}-\n"
                    "    num_gpu N 80\n"
                    "    num_ctx N 2048\n"
                    "  runs [10]-\n"
                    "    [0] {1}+\n"
                    "    [1] {1}+\n"
                    "    [2] {1}+\n"
                    "    [3] {2}+\n"
                    "    [4] {1}+\n"
                    "    [5] {1}+\n"
                    "    [6] {1}+\n"
                    "    [7] {1}+\n"
                    "    [8] {1}+\n"
                    "    [9] {0}+\n"
                    "  tags [0]-\n"
                    "  n N 1.50\n"
                    "  ok T true\n");
    jsondoc_toggle(d, 9);  /* runs[3] */
    jsondoc_toggle(d, 11); /* runs[3].lat */
    check_path(d, 9, "runs[3]");
    check_path(d, 10, "runs[3].t");
    check_path(d, 12, "runs[3].lat.p50");
    assert_int_equal(jsondoc_visible(d), 22);
    jsondoc_toggle(d, 10); /* a scalar: nothing happens */
    assert_int_equal(jsondoc_visible(d), 22);
    jsondoc_toggle(d, 5); /* collapse runs: its subtree goes, the inner state stays */
    check_render(d, INITIAL);
    jsondoc_toggle(d, 5);
    assert_int_equal(jsondoc_visible(d), 22);
    check_path(d, 12, "runs[3].lat.p50");
    jsondoc_toggle(d, 2); /* options */
    assert_int_equal(jsondoc_visible(d), 20);
    check_path(d, 3, "runs");
    jsondoc_toggle(d, 1000); /* out of range: nothing happens */
    assert_int_equal(jsondoc_visible(d), 20);
    jsondoc_toggle(d, 0); /* the root collapses to one line */
    check_render(d, "$ {6}+\n");
    jsondoc_toggle(d, 0);
    assert_int_equal(jsondoc_visible(d), 20);
    jsondoc_free(d);
}

static void test_expand_depth(void **state)
{
    struct jsondoc *d = parse(DOC);

    (void)state;
    jsondoc_expand_depth(d, 0);
    check_render(d, "$ {6}-\n"
                    "  model S gemma3\n"
                    "  options {2}+\n"
                    "  runs [10]+\n"
                    "  tags [0]+\n"
                    "  n N 1.50\n"
                    "  ok T true\n");
    jsondoc_expand_depth(d, -3);
    assert_int_equal(jsondoc_visible(d), 7);
    jsondoc_expand_depth(d, 1);
    assert_int_equal(jsondoc_visible(d), 19);
    jsondoc_expand_depth(d, 2);
    assert_int_equal(jsondoc_visible(d), 29);
    jsondoc_expand_depth(d, INT_MAX);
    assert_int_equal(jsondoc_visible(d), jsondoc_nodes(d));
    check_path(d, 0, "");
    check_path(d, 1, "model");
    check_path(d, 3, "options.num_gpu");
    check_path(d, 15, "runs[3].lat.p50");
    check_path(d, 28, "n");
    assert_null(jsondoc_path(d, 30));
    jsondoc_free(d);
}

static void test_toggle_node_and_line_of(void **state)
{
    struct jsondoc *d = parse(DOC);
    struct jsondoc_line l;
    size_t runs3;

    (void)state;
    jsondoc_expand_depth(d, INT_MAX);
    assert_int_equal(jsondoc_line(d, 12, &l), 0);
    runs3 = l.node;
    check_path(d, 12, "runs[3]");
    jsondoc_expand_depth(d, 0);
    assert_int_equal(jsondoc_line_of(d, runs3), -1);
    assert_int_equal(jsondoc_line_of(d, 0), 0);
    assert_int_equal(jsondoc_line_of(d, 5), 3); /* runs */
    jsondoc_toggle_node(d, runs3);              /* hidden: only its own state changes */
    assert_int_equal(jsondoc_visible(d), 7);
    jsondoc_toggle_node(d, 5);
    assert_int_equal(jsondoc_visible(d), 7 + 10 + 2);
    assert_int_equal(jsondoc_line_of(d, runs3), 7);
    jsondoc_toggle_node(d, runs3);
    assert_int_equal(jsondoc_visible(d), 17);
    jsondoc_toggle_node(d, 1);     /* a scalar */
    jsondoc_toggle_node(d, 10000); /* out of range */
    assert_int_equal(jsondoc_visible(d), 17);
    jsondoc_free(d);
}

static void test_scalars_and_text(void **state)
{
    struct jsondoc *d;
    struct jsondoc_line l;

    (void)state;
    d = parse(" 42 ");
    assert_int_equal(jsondoc_visible(d), 1);
    check_render(d, "$ N 42\n");
    check_path(d, 0, "");
    jsondoc_toggle(d, 0);
    assert_int_equal(jsondoc_visible(d), 1);
    jsondoc_free(d);

    /* Numbers keep their source text; strings and names are decoded. */
    d = parse(
        "{\"a\\u00e9\\ud83d\\ude00\":[\"x\\ny\\\"\",-0,1E+2,0.10,123456789012345678901234567890,"
        "false,null,\"\"]}");
    jsondoc_expand_depth(d, 5);
    check_render(d, "$ {1}-\n"
                    "  a\xC3\xA9\xF0\x9F\x98\x80 [8]-\n"
                    "    [0] S x\ny\"\n"
                    "    [1] N -0\n"
                    "    [2] N 1E+2\n"
                    "    [3] N 0.10\n"
                    "    [4] N 123456789012345678901234567890\n"
                    "    [5] F false\n"
                    "    [6] Z null\n"
                    "    [7] S \n");
    check_path(d, 4, "a\xC3\xA9\xF0\x9F\x98\x80[2]");
    assert_int_equal(jsondoc_line(d, 4, &l), 0);
    assert_null(l.key);
    assert_int_equal(l.index, 2);
    jsondoc_free(d);

    /* A string holding \u0000 is cut there: cJSON keeps C strings. */
    d = parse("[\"ab\\u0000cd\"]");
    check_render(d, "$ [1]-\n  [0] S ab\n");
    jsondoc_free(d);

    /* Top-level array; nested arrays; duplicate names kept in order. */
    d = parse("[[1,[2]],{\"k\":1,\"k\":2}]");
    jsondoc_expand_depth(d, INT_MAX);
    check_render(d, "$ [2]-\n"
                    "  [0] [2]-\n"
                    "    [0] N 1\n"
                    "    [1] [1]-\n"
                    "      [0] N 2\n"
                    "  [1] {2}-\n"
                    "    k N 1\n"
                    "    k N 2\n");
    check_path(d, 4, "[0][1][0]");
    check_path(d, 7, "[1].k");
    jsondoc_free(d);
}

static void check_parse_error(const char *text, size_t n, const char *want)
{
    struct err err;
    struct jsondoc *d;

    err_clear(&err);
    d = jsondoc_parse(text, n, &err);
    assert_null(d);
    assert_string_equal(err.msg, want);
}

static void test_errors(void **state)
{
    (void)state;
    /* The same messages as the scanner's, for what cJSON alone would let through too. */
    check_parse_error("", 0, "line 1, column 1: empty document");
    check_parse_error("[1,]", 4, "line 1, column 4: trailing comma before ']'");
    check_parse_error("{\"a\":01}", 8, "line 1, column 7: leading zeros are not allowed");
    check_parse_error("\xEF\xBB\xBF[]", 5, "line 1, column 1: expected a value, found byte 0xef");
    check_parse_error("[\"\x01\"]", 5,
                      "line 1, column 3: control character (byte 0x01) in a string must be "
                      "escaped");
    check_parse_error("[\"\xC0\x80\"]", 6, "line 1, column 3: invalid UTF-8 (byte 0xc0)");
    check_parse_error("[1e999]", 7, "line 1, column 2: number out of range");
    check_parse_error("[1.]", 4, "line 1, column 4: invalid number, found ']'");
    check_parse_error("{}\n\n x", 6,
                      "line 3, column 2: unexpected data after the document, found 'x'");
    check_parse_error("[1]\0", 4,
                      "line 1, column 4: unexpected data after the document, found byte 0x00");
    check_parse_error("[\"\\uDEAD\"]", 10,
                      "line 1, column 9: low surrogate \\uDEAD without a high one");

    /* Long numbers: cJSON before the CVE-2023-26819 fix reads at most 63 characters of
     * one and fails on the rest; a fixed cJSON reads them whole. Either way the tree shows
     * the source text or says why it cannot. */
    for (size_t len = 60; len <= JSONSCAN_MAX_NUMBER; len = len < 70 ? len + 1 : len * 2) {
        char *num = malloc(len + 3);
        struct err err;
        struct jsondoc *d;
        struct jsondoc_line l;

        num[0] = '[';
        memset(num + 1, '1', len);
        num[2] = '.'; /* 1.111...: long but never out of range */
        num[len + 1] = ']';
        num[len + 2] = '\0';
        d = jsondoc_parse(num, len + 2, &err);
        if (d != NULL) {
            assert_int_equal(jsondoc_line(d, 1, &l), 0);
            assert_int_equal(strlen(l.value), len);
            jsondoc_free(d);
        } else {
            assert_true(len > 63);
            assert_non_null(strstr(err.msg, "this cJSON cannot read numbers longer than 63"));
        }
        free(num);
    }
}

/* `depth` nested arrays around a 1. */
static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 2 + 2);

    memset(s, '[', (size_t)depth);
    s[depth] = '1';
    memset(s + depth + 1, ']', (size_t)depth);
    s[2 * depth + 1] = '\0';
    return s;
}

static void test_deep_nesting(void **state)
{
    char *doc, want[128];
    struct jsondoc *d;
    struct err err;

    (void)state;
    doc = nested(JSONSCAN_MAX_DEPTH);
    d = jsondoc_parse(doc, strlen(doc), &err);
    assert_non_null(d);
    assert_int_equal(jsondoc_nodes(d), JSONSCAN_MAX_DEPTH + 1);
    jsondoc_expand_depth(d, INT_MAX);
    assert_int_equal(jsondoc_visible(d), JSONSCAN_MAX_DEPTH + 1);
    {
        char *path = jsondoc_path(d, JSONSCAN_MAX_DEPTH);

        assert_int_equal(strlen(path), 3 * JSONSCAN_MAX_DEPTH);
        free(path);
    }
    jsondoc_free(d);
    free(doc);

    doc = nested(JSONSCAN_MAX_DEPTH + 1);
    snprintf(want, sizeof want, "line 1, column %d: nesting deeper than %d levels",
             JSONSCAN_MAX_DEPTH + 1, JSONSCAN_MAX_DEPTH);
    check_parse_error(doc, strlen(doc), want);
    free(doc);
    /* cJSON's own limit is 1000: far beyond ours, and never reached. */
    doc = nested(5000);
    check_parse_error(doc, strlen(doc), want);
    free(doc);
}

static void test_large_document(void **state)
{
    struct buf b;
    struct jsondoc *d;
    struct err err;
    struct jsondoc_line l;
    char *big;
    int rc = 0;

    (void)state;
    buf_init(&b, (size_t)1 << 26);
    rc |= buf_puts(&b, "{\"big\":\"");
    /* A string over the arena's first block, then many small values. */
    big = malloc(3 << 20);
    memset(big, 'x', 3 << 20);
    rc |= buf_append(&b, big, 3 << 20);
    free(big);
    rc |= buf_puts(&b, "\",\"runs\":[");
    for (int i = 0; i < 100000; i++)
        rc |= buf_printf(&b, "%s{\"ttft_ms\":%d.5}", i ? "," : "", i);
    rc |= buf_puts(&b, "]}");
    assert_int_equal(rc, 0);
    d = jsondoc_parse(b.data, b.len, &err);
    assert_non_null(d);
    assert_int_equal(jsondoc_nodes(d), 3 + 2 * 100000);
    assert_int_equal(jsondoc_visible(d), 3);
    assert_int_equal(jsondoc_line(d, 1, &l), 0);
    assert_int_equal(strlen(l.value), 3 << 20);
    jsondoc_expand_depth(d, 1);
    assert_int_equal(jsondoc_visible(d), 3 + 100000);
    check_path(d, 3 + 99999, "runs[99999]");
    jsondoc_toggle(d, 3 + 99999);
    assert_int_equal(jsondoc_line(d, 3 + 100000, &l), 0);
    assert_string_equal(l.value, "99999.5");
    check_path(d, 3 + 100000, "runs[99999].ttft_ms");
    jsondoc_toggle(d, 3);
    assert_int_equal(jsondoc_visible(d), 3 + 100000 + 2);
    jsondoc_free(d);
    buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_lines),    cmocka_unit_test(test_toggle),
        cmocka_unit_test(test_expand_depth),     cmocka_unit_test(test_toggle_node_and_line_of),
        cmocka_unit_test(test_scalars_and_text), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_deep_nesting),     cmocka_unit_test(test_large_document),
    };

    jsondoc_free(NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
