/* test_harvest.c: the harvested-metrics map, the keyword and numeric-string rules, the
 * JSON harvest through jsonscan (and, as a cross-check, through the jsondoc tree), and the
 * serde_json-style output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harvest.h"
#include "jsondoc.h"
#include "jsonscan.h"
#include "numparse.h"

/* A benchmark result file with every case of the rule in it. */
static const char *const FIXTURE =
    "{\n"
    "  \"benchmark\": \"ollama-sweep\",\n"
    "  \"version\": 3,\n"
    "  \"host\": {\"gpu\": \"RTX 4090\", \"vram_gb\": 24, \"gpu_util\": \"45.2%\"},\n"
    "  \"summary\": {\n"
    "    \"tokens_per_second\": {\"mean\": 41.09, \"p50\": \" 40.5 \", \"max\": 52},\n"
    "    \"ttft_ms\": \"1,234.5\",\n"
    "    \"Throughput\": \"45.1%\",\n"
    "    \"latency_s\": \"12s\",\n"
    "    \"latency_note\": \"3.5 ms\",\n"
    "    \"speed_rank\": 1,\n"
    "    \"Speed-Up\": \"2x\",\n"
    "    \"TOKENS\": [10, 20],\n"
    "    \"total_tokens\": 1e3,\n"
    "    \"stock\": 5,\n"
    "    \"stoke\": 6,\n"
    "    \"to\\u212a\": 7,\n"
    "    \"ok_tok\": true\n"
    "  },\n"
    "  \"runs\": [\n"
    "    {\"model\": \"gemma3:1b\", \"ttft_ms\": 652, \"tokens_per_second\": 41.0,\n"
    "     \"eval_count\": 812, \"latency_ms\": {\"p50\": 10.5, \"p95\": 20, \"p99\": null}},\n"
    "    {\"model\": \"gemma3:4b\", \"ttft_ms\": \"n/a\", \"tokens_per_second\": \"38.2 tok/s\",\n"
    "     \"latency_ms\": [\"1,234 ms\", \"99%\", -0.0]}\n"
    "  ],\n"
    "  \"tok\": 1,\n"
    "  \"nested\": {\"tok\": 2},\n"
    "  \"nested.tok\": 3,\n"
    "  \"tok\": 4\n"
    "}\n";

/* key=value lines in insertion order (values as harvest_value_json prints them). */
static const char *const FIXTURE_ENTRIES = "json_summary.tokens_per_second.mean=41.09\n"
                                           "json_summary.tokens_per_second.p50=40.5\n"
                                           "json_summary.tokens_per_second.max=52.0\n"
                                           "json_summary.ttft_ms=1234.5\n"
                                           "json_summary.Throughput=45.1\n"
                                           "json_summary.latency_s=12.0\n"
                                           "json_summary.speed_rank=1.0\n"
                                           "json_summary.TOKENS[0]=10.0\n"
                                           "json_summary.TOKENS[1]=20.0\n"
                                           "json_summary.total_tokens=1000.0\n"
                                           "json_summary.stoke=6.0\n"
                                           "json_summary.to\xE2\x84\xAA=7.0\n"
                                           "json_runs[0].ttft_ms=652.0\n"
                                           "json_runs[0].tokens_per_second=41.0\n"
                                           "json_runs[0].latency_ms.p50=10.5\n"
                                           "json_runs[0].latency_ms.p95=20.0\n"
                                           "json_runs[1].latency_ms[1]=99.0\n"
                                           "json_runs[1].latency_ms[2]=-0.0\n"
                                           "json_tok=1.0\n"
                                           "json_nested.tok=2.0\n";

static char *entries_text(const struct harvest *h)
{
    struct buf b;

    buf_init(&b, (size_t)1 << 26);
    for (size_t i = 0; i < h->n; i++) {
        char *v = harvest_value_json(&h->entries[i]);
        int rc = buf_printf(&b, "%s=%s\n", h->entries[i].key, v);

        assert_int_equal(rc, 0);
        free(v);
    }
    return buf_steal(&b);
}

/* Harvest doc[0..n) through jsonscan in chunks of `chunk` bytes. */
static int harvest_scan(const char *doc, size_t n, size_t chunk, struct harvest *h)
{
    struct jsonscan *s = jsonscan_new(harvest_json_leaf, h);
    struct err err;
    int rc = 0;

    for (size_t off = 0; off < n && rc == 0; off += chunk)
        rc = jsonscan_feed(s, doc + off, n - off < chunk ? n - off : chunk, &err);
    if (rc == 0)
        rc = jsonscan_finish(s, &err);
    jsonscan_free(s);
    return rc;
}

/* Harvest through the jsondoc tree: every scalar line becomes a leaf for the same rule. */
static int harvest_tree(const char *doc, size_t n, struct harvest *h)
{
    struct err err;
    struct jsondoc *d = jsondoc_parse(doc, n, &err);

    if (d == NULL)
        return -1;
    jsondoc_expand_depth(d, INT_MAX);
    assert_int_equal(jsondoc_visible(d), jsondoc_nodes(d));
    for (size_t i = 0; i < jsondoc_visible(d); i++) {
        struct jsondoc_line line;
        struct json_leaf leaf;
        char *path;

        assert_int_equal(jsondoc_line(d, i, &line), 0);
        if (line.type != JSONDOC_NUMBER && line.type != JSONDOC_STRING)
            continue;
        path = jsondoc_path(d, i);
        memset(&leaf, 0, sizeof leaf);
        leaf.path = path;
        leaf.pathlen = strlen(path);
        leaf.text = line.value;
        leaf.textlen = strlen(line.value);
        if (line.type == JSONDOC_NUMBER) {
            leaf.type = JSON_LEAF_NUMBER;
            assert_true(num_parse(line.value, leaf.textlen, &leaf.number));
        } else {
            leaf.type = JSON_LEAF_STRING;
        }
        harvest_json_leaf(&leaf, h);
        free(path);
    }
    jsondoc_free(d);
    return 0;
}

static void test_keyword(void **state)
{
    static const char *const yes[] = {
        "tok",
        "tokens_per_second",
        "TTFT_ms",
        "json_x.Throughput",
        "LATENCY",
        "speedup",
        "a.b[2].ttft",
        "stoke",
        "p.TOK",
        "to\xE2\x84\xAA",
        "x.To\xE2\x84\xAA.y",
        "SpEeD",
    };
    static const char *const no[] = {
        "",           "to",        "t.ok",   "stock",      "lat.ency",   "spee d",
        "ttf",        "throughpu", "t_ok",   "t\xC3\xB6k", "to\xE2\x84", "TO\xE2\x84\xAB",
        "eval_count", "[0]",       "latenc",
    };

    (void)state;
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (!harvest_keyword(yes[i], strlen(yes[i])))
            fail_msg("expected a keyword in \"%s\"", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (harvest_keyword(no[i], strlen(no[i])))
            fail_msg("expected no keyword in \"%s\"", no[i]);
    /* Only the given length counts. */
    assert_false(harvest_keyword("tokens", 2));
    assert_true(harvest_keyword("tokens", 3));
}

static void check_number(const char *s, int ok, double want)
{
    double v = -12345.0;
    int got = harvest_parse_number(s, strlen(s), &v);

    if (got != ok)
        fail_msg("\"%s\": got %d, want %d", s, got, ok);
    if (ok && !(v == want && signbit(v) == signbit(want)))
        fail_msg("\"%s\": got %.17g, want %.17g", s, v, want);
}

static void test_parse_number(void **state)
{
    (void)state;
    check_number("45.1%", 1, 45.1);
    check_number("1,234.5", 1, 1234.5);
    check_number("12s", 1, 12.0);
    check_number("3.5 ms", 0, 0); /* "3.5 m" after the 's' goes */
    check_number("38.2 tok/s", 0, 0);
    check_number(" 42 ", 1, 42.0);
    check_number("\t9\n", 1, 9.0);
    check_number("\xC2\xA0"
                 "7\xE3\x80\x80",
                 1, 7.0); /* NBSP and IDEOGRAPHIC SPACE trimmed */
    check_number("\xE2\x80\x83"
                 "8\xE2\x80\xA8",
                 1, 8.0);
    check_number("12 %", 0, 0); /* the space before '%' stays: not a number in Rust */
    check_number("  7ss%s ", 1, 7.0);
    check_number("%s", 0, 0);
    check_number("", 0, 0);
    check_number("   ", 0, 0);
    check_number(",,5,,", 1, 5.0);
    check_number("1,2,3", 1, 123.0);
    check_number("+5", 1, 5.0);
    check_number("-.5", 1, -0.5);
    check_number("5.", 1, 5.0);
    check_number(".", 0, 0);
    check_number("-", 0, 0);
    check_number("+-5", 0, 0);
    check_number("1e3", 1, 1000.0);
    check_number("1E-2s", 1, 0.01);
    check_number("-0", 1, -0.0);
    check_number("1e", 0, 0);
    check_number("e5", 0, 0);
    check_number("inf", 0, 0);
    check_number("NaN", 0, 0);
    check_number("infinity", 0, 0);
    check_number("1e400", 0, 0); /* not finite */
    check_number("1e-400", 1, 0.0);
    check_number("0x10", 0, 0);
    check_number("1_000", 0, 0);
    check_number("1 2", 0, 0);
    check_number("12\xC2\xA0%", 0, 0);
    check_number("\xC2\xA0", 0, 0);
    check_number("1.5.2", 0, 0);
    check_number("abc", 0, 0);
    {
        /* Long input: commas taken out of a copy bigger than any stack buffer. */
        char big[1000];

        memset(big, ',', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        big[500] = '4';
        big[700] = '2';
        check_number(big, 1, 42.0);
    }
}

static void test_fixture_entries(void **state)
{
    struct harvest h;
    char *got;

    (void)state;
    harvest_init(&h);
    assert_int_equal(harvest_scan(FIXTURE, strlen(FIXTURE), strlen(FIXTURE), &h), 0);
    got = entries_text(&h);
    assert_string_equal(got, FIXTURE_ENTRIES);
    free(got);
    assert_non_null(harvest_get(&h, "json_nested.tok"));
    assert_true(harvest_get(&h, "json_nested.tok")->number == 2.0); /* first wins over 3 */
    assert_true(harvest_get(&h, "json_tok")->number == 1.0);        /* ... and over 4 */
    assert_null(harvest_get(&h, "json_summary.latency_note"));
    assert_null(harvest_get(&h, "json_host.gpu_util"));
    harvest_fini(&h);

    /* The same, one byte at a time. */
    harvest_init(&h);
    assert_int_equal(harvest_scan(FIXTURE, strlen(FIXTURE), 1, &h), 0);
    got = entries_text(&h);
    assert_string_equal(got, FIXTURE_ENTRIES);
    free(got);
    harvest_fini(&h);
}

static void test_leaf_rules(void **state)
{
    struct harvest h;
    char *got;
    const char *doc = "[{\"tok\":1},\"5\",{\"\":{\"ttft\":\"2\"}},{\"a\\u0000tok\":3},7]";

    (void)state;
    harvest_init(&h);
    /* Top-level scalars have an empty path and are never harvested. */
    assert_int_equal(harvest_scan("42", 2, 2, &h), 0);
    assert_int_equal(harvest_scan("\"42\"", 4, 4, &h), 0);
    assert_int_equal(h.n, 0);
    /* Paths start at the top: "[0].tok"; an empty member name below the top still adds
     * its dot ("[2]." then "[2]..ttft", as format!("{parent}.{key}") did); a name with
     * \u0000 cannot be a key. */
    assert_int_equal(harvest_scan(doc, strlen(doc), 3, &h), 0);
    got = entries_text(&h);
    assert_string_equal(got, "json_[0].tok=1.0\njson_[2]..ttft=2.0\n");
    free(got);
    harvest_fini(&h);

    /* A map zeroed instead of initialised still applies the rule. */
    memset(&h, 0, sizeof h);
    assert_int_equal(harvest_scan("{\"a\":1,\"tok\":2,\"b\":3}", 21, 21, &h), 0);
    got = entries_text(&h);
    assert_string_equal(got, "json_tok=2.0\n");
    free(got);
    harvest_fini(&h);

    /* A string value longer than the scanner delivers is not judged numeric. */
    {
        struct buf b;
        int rc;

        buf_init(&b, 1 << 20);
        rc = buf_puts(&b, "{\"tok\":\"");
        for (int i = 0; i < JSONSCAN_MAX_STRING; i++)
            rc |= buf_putc(&b, ',');
        rc |= buf_puts(&b, "5\"}");
        assert_int_equal(rc, 0);
        harvest_init(&h);
        assert_int_equal(harvest_scan(b.data, b.len, 100, &h), 0);
        assert_int_equal(h.n, 0);
        harvest_fini(&h);
        buf_fini(&b);
    }
}

/* harvest_json_leaf remembers the previous path to skip rescanning a shared prefix: over
 * paths built from keyword pieces, in an order full of shared prefixes, it must decide
 * exactly as harvest_keyword does on each whole path. */
static void test_keyword_memo(void **state)
{
    static const char *const pieces[] = {
        /* U+212B then U+212A: paths that part inside the KELVIN SIGN's bytes */
        "to",  "k", "TT", "ft",           "lat",          "ENCY", "sp",     "eed",
        "[1]", ".", "x",  "\xE2\x84\xAB", "\xE2\x84\xAA", "thr",  "oughpu", "oughput",
        "t",   "s", "_",
    };
    const size_t np = sizeof pieces / sizeof *pieces;
    struct harvest h;
    size_t tested = 0, matched = 0;

    (void)state;
    harvest_init(&h);
    for (size_t a = 0; a < np; a++) {
        for (size_t b = 0; b <= np; b++) {
            for (size_t c = 0; c <= np; c++) {
                for (size_t d = 0; d <= np; d++) {
                    char path[64];
                    struct json_leaf leaf;
                    size_t before = h.n;
                    int want;

                    /* A unique path: the piece numbers, then the pieces. */
                    snprintf(path, sizeof path, "%02zu%02zu%02zu%02zu.%s%s%s%s", a, b, c, d,
                             pieces[a], b < np ? pieces[b] : "", c < np ? pieces[c] : "",
                             d < np ? pieces[d] : "");
                    /* ... but test it without the numbers half the time, so that many
                     * paths share long prefixes and some repeat. */
                    memset(&leaf, 0, sizeof leaf);
                    leaf.path = (a + b) % 2 ? path : path + 9;
                    leaf.pathlen = strlen(leaf.path);
                    leaf.type = JSON_LEAF_NUMBER;
                    leaf.text = "1";
                    leaf.textlen = 1;
                    leaf.number = 1.0;
                    want = harvest_keyword(leaf.path, leaf.pathlen);
                    {
                        char key[80];

                        snprintf(key, sizeof key, "json_%s", leaf.path);
                        if (harvest_get(&h, key) != NULL) {
                            harvest_json_leaf(&leaf, &h); /* a repeat: first wins */
                            assert_int_equal(h.n, before);
                            continue;
                        }
                    }
                    harvest_json_leaf(&leaf, &h);
                    if ((h.n > before) != want)
                        fail_msg("memo decided %d for \"%s\"", (int)(h.n > before), leaf.path);
                    tested++;
                    matched += (size_t)want;
                }
            }
        }
    }
    assert_true(tested > 50000);
    assert_true(matched > 3000 && matched < tested);
    harvest_fini(&h);
}

static void test_map(void **state)
{
    struct harvest h;
    const char *types[] = {"csv", "json"};
    char key[64];

    (void)state;
    harvest_init(&h);
    assert_null(harvest_get(&h, "x"));
    assert_int_equal(harvest_put_number(&h, "x", 1.5), 1);
    assert_int_equal(harvest_put_number(&h, "x", 2.5), 0);
    assert_int_equal(harvest_put_count(&h, "x", 3), 0);
    assert_int_equal(harvest_put_strings(&h, "x", types, 2), 0);
    assert_int_equal(harvest_put_count(&h, "n", 7), 1);
    assert_int_equal(harvest_put_strings(&h, "t", types, 2), 1);
    assert_int_equal(harvest_put_strings(&h, "none", NULL, 0), 1);
    assert_int_equal(h.n, 4);
    assert_true(harvest_get(&h, "x")->number == 1.5);
    assert_int_equal(harvest_get(&h, "n")->count, 7);
    assert_int_equal(harvest_get(&h, "t")->nstrings, 2);
    assert_string_equal(harvest_get(&h, "t")->strings[1], "json");
    assert_null(harvest_get(&h, ""));
    assert_int_equal(harvest_put_number(&h, "", 0.0), 1);
    assert_non_null(harvest_get(&h, ""));
    harvest_fini(&h);

    /* Many keys: the index grows and every key is still found, in insertion order. */
    harvest_init(&h);
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "json_runs[%d].ttft_ms", i);
        assert_int_equal(harvest_put_number(&h, key, i), 1);
    }
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "json_runs[%d].ttft_ms", i);
        assert_int_equal(harvest_put_number(&h, key, -1), 0);
        assert_true(harvest_get(&h, key)->number == i);
        assert_string_equal(h.entries[i].key, key);
    }
    assert_null(harvest_get(&h, "json_runs[20000].ttft_ms"));
    harvest_fini(&h);
    harvest_fini(&h); /* harmless twice */
}

static void test_to_json(void **state)
{
    struct harvest h;
    const char *types[] = {"csv", "json", "markdown"};
    char *got;

    (void)state;
    harvest_init(&h);
    got = harvest_to_json(&h);
    assert_string_equal(got, "{}");
    free(got);

    assert_int_equal(harvest_put_count(&h, "total_files_analyzed", 101), 1);
    assert_int_equal(harvest_put_strings(&h, "data_types", types, 3), 1);
    assert_int_equal(harvest_put_count(&h, "total_file_size_bytes", 123456789), 1);
    assert_int_equal(harvest_put_number(&h, "json_tok", 41.0), 1);
    assert_int_equal(harvest_put_number(&h, "json_z", 1e20), 1);
    assert_int_equal(harvest_put_number(&h, "json_esc\"q\\b\n\x01\x7f\xC3\xA9", 0.5), 1);
    assert_int_equal(harvest_put_strings(&h, "empty", NULL, 0), 1);
    assert_int_equal(harvest_put_count(&h, "markdown_heading_count", 0), 1);
    assert_int_equal(harvest_put_number(&h, "json_Z", NAN), 1);
    got = harvest_to_json(&h);
    assert_string_equal(got, "{\n"
                             "  \"data_types\": [\n"
                             "    \"csv\",\n"
                             "    \"json\",\n"
                             "    \"markdown\"\n"
                             "  ],\n"
                             "  \"empty\": [],\n"
                             "  \"json_Z\": null,\n"
                             "  \"json_esc\\\"q\\\\b\\n\\u0001\x7f\xC3\xA9\": 0.5,\n"
                             "  \"json_tok\": 41.0,\n"
                             "  \"json_z\": 1e20,\n"
                             "  \"markdown_heading_count\": 0,\n"
                             "  \"total_file_size_bytes\": 123456789,\n"
                             "  \"total_files_analyzed\": 101\n"
                             "}");
    free(got);
    got = harvest_value_json(harvest_get(&h, "data_types"));
    assert_string_equal(got, "[\"csv\",\"json\",\"markdown\"]");
    free(got);
    got = harvest_value_json(harvest_get(&h, "empty"));
    assert_string_equal(got, "[]");
    free(got);
    got = harvest_value_json(harvest_get(&h, "total_files_analyzed"));
    assert_string_equal(got, "101");
    free(got);
    harvest_fini(&h);
}

static void check_f64(double v, const char *want)
{
    struct harvest_entry e;
    char *got;

    memset(&e, 0, sizeof e);
    e.type = HARVEST_NUMBER;
    e.number = v;
    got = harvest_value_json(&e);
    if (strcmp(got, want) != 0)
        fail_msg("%.17g: got %s, want %s", v, got, want);
    free(got);
}

/* serde_json prints f64 through ryu: shortest round-trip digits, ".0" on integral values
 * below 1e16, exponents outside [1e-5, 1e16). */
static void test_number_format(void **state)
{
    (void)state;
    check_f64(0.0, "0.0");
    check_f64(-0.0, "-0.0");
    check_f64(41.0, "41.0");
    check_f64(41.09, "41.09");
    check_f64(0.5, "0.5");
    check_f64(-2.5, "-2.5");
    check_f64(100.0, "100.0");
    check_f64(1234567.0, "1234567.0");
    check_f64(123.456, "123.456");
    check_f64(0.1 + 0.2, "0.30000000000000004");
    check_f64(1.0 / 3.0, "0.3333333333333333");
    check_f64(2.0 / 3.0, "0.6666666666666666");
    check_f64(1e15, "1000000000000000.0");
    check_f64(1e16, "1e16");
    check_f64(1.234e16, "1.234e16");
    check_f64(9007199254740992.0, "9007199254740992.0");
    check_f64(1152921504606846976.0, "1.152921504606847e18");
    check_f64(1e20, "1e20");
    check_f64(1e-4, "0.0001");
    check_f64(1e-5, "0.00001");
    check_f64(1.5e-5, "0.000015");
    check_f64(1e-6, "1e-6");
    check_f64(1.5e-7, "1.5e-7");
    check_f64(5e-324, "5e-324");
    check_f64(2.2250738585072014e-308, "2.2250738585072014e-308");
    check_f64(DBL_MAX, "1.7976931348623157e308");
    check_f64(-DBL_MAX, "-1.7976931348623157e308");
    check_f64(9.5, "9.5");
    check_f64(0.7, "0.7");
    check_f64(123456789012345.67, "123456789012345.67");
    check_f64(ldexp(1.0, -1074) * 3, "1.5e-323");
    check_f64(ldexp(1.0, 100), "1.2676506002282294e30");
    check_f64(INFINITY, "null");
    check_f64(-INFINITY, "null");
}

static void check_same(const char *doc)
{
    struct harvest a, b;
    char *ja, *jb;

    harvest_init(&a);
    harvest_init(&b);
    assert_int_equal(harvest_scan(doc, strlen(doc), 7, &a), 0);
    assert_int_equal(harvest_tree(doc, strlen(doc), &b), 0);
    ja = entries_text(&a);
    jb = entries_text(&b);
    if (strcmp(ja, jb) != 0)
        fail_msg("jsonscan and jsondoc disagree on\n%s\njsonscan:\n%s\njsondoc:\n%s", doc, ja, jb);
    free(ja);
    free(jb);
    harvest_fini(&a);
    harvest_fini(&b);
}

static void test_cross_check_with_jsondoc(void **state)
{
    (void)state;
    check_same(FIXTURE);
    check_same("[{\"tok\":1,\"x\":[[2,{\"latency\":[3,\"4%\"]}]]},[[[\"5s\"]]],{\"speed\":\"x\"}]");
    check_same("{\"t\\u00e9ok\":1,\"\\u0074ok\":2,\"k\\ud83d\\ude00tok\":\"3,000\",\"tok\":{}}");
    check_same("{\"a\":{\"ttft\":1},\"a.ttft\":2,\"a\":{\"ttft\":3}}");
    check_same("{\"throughput\":[1.5e300,-1e-300,0.1,123456789012345678901234567890,-0]}");
    check_same("{\"speed\":[\"1,234.5\",\" 6 \",\"7ss\",\"\",\"inf\",\"1e400\",\"-0\"]}");
    check_same("\"tok\"");
    check_same("[]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyword),
        cmocka_unit_test(test_keyword_memo),
        cmocka_unit_test(test_parse_number),
        cmocka_unit_test(test_fixture_entries),
        cmocka_unit_test(test_leaf_rules),
        cmocka_unit_test(test_map),
        cmocka_unit_test(test_to_json),
        cmocka_unit_test(test_number_format),
        cmocka_unit_test(test_cross_check_with_jsondoc),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
