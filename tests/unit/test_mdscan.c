/* test_mdscan.c: the Markdown outline, word count, counters and Metrics section. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdscan.h"

static void summarize(const char *text, struct md_summary *s)
{
    struct err e = {0, ""};

    if (md_summarize(text, strlen(text), s, &e) != 0)
        fail_msg("md_summarize failed: %s", e.msg);
}

static void check_heading(const struct md_summary *s, size_t i, int level, const char *text,
                          size_t line)
{
    if (i >= s->nheadings)
        fail_msg("heading %zu missing (only %zu)", i, s->nheadings);
    if (s->headings[i].level != level || strcmp(s->headings[i].text, text) != 0 ||
        s->headings[i].line != line)
        fail_msg("heading %zu: got (%d, '%s', line %zu), expected (%d, '%s', line %zu)", i,
                 s->headings[i].level, s->headings[i].text, s->headings[i].line, level, text, line);
}

static void check_metric(const struct md_summary *s, size_t i, const char *label, int has_value,
                         double value, const char *unit)
{
    const struct md_metric *m;

    if (i >= s->nmetrics)
        fail_msg("metric %zu missing (only %zu)", i, s->nmetrics);
    m = &s->metrics[i];
    if (strcmp(m->label, label) != 0 || m->has_value != has_value ||
        (has_value && fabs(m->value - value) > 1e-9 * fmax(1.0, fabs(value))) ||
        strcmp(m->unit, unit) != 0)
        fail_msg("metric %zu: got ('%s', %d, %.17g, '%s'), expected ('%s', %d, %.17g, '%s')", i,
                 m->label, m->has_value, m->value, m->unit, label, has_value, value, unit);
}

static const char outline_doc[] = "# Title\n"                                 /* 1 */
                                  "\n"                                        /* 2 */
                                  "Intro text.\n"                             /* 3 */
                                  "\n"                                        /* 4 */
                                  "Setext One\n"                              /* 5 */
                                  "==========\n"                              /* 6 */
                                  "\n"                                        /* 7 */
                                  "Setext Two\n"                              /* 8 */
                                  "----------\n"                              /* 9 */
                                  "\n"                                        /* 10 */
                                  "```sh\n"                                   /* 11 */
                                  "# not a heading\n"                         /* 12 */
                                  "```\n"                                     /* 13 */
                                  "\n"                                        /* 14 */
                                  "    # indented code, no heading\n"         /* 15 */
                                  "\n"                                        /* 16 */
                                  "### Third *level* `code` &amp; more ###\n" /* 17 */
                                  "> ## Quoted\n"                             /* 18 */
                                  "\n"                                        /* 19 */
                                  "#\n"                                       /* 20 */
                                  "\n"                                        /* 21 */
                                  "Multi line\n"                              /* 22 */
                                  "setext\n"                                  /* 23 */
                                  "===\n";                                    /* 24 */

static void test_outline(void **state)
{
    struct md_summary s;

    (void)state;
    summarize(outline_doc, &s);
    assert_int_equal(s.nheadings, 7);
    check_heading(&s, 0, 1, "Title", 1);
    check_heading(&s, 1, 1, "Setext One", 5);
    check_heading(&s, 2, 2, "Setext Two", 8);
    check_heading(&s, 3, 3, "Third level code & more", 17);
    check_heading(&s, 4, 2, "Quoted", 18);
    check_heading(&s, 5, 1, "", 20);
    check_heading(&s, 6, 1, "Multi line setext", 22);
    assert_int_equal(s.lines, 24);
    assert_int_equal(s.code_blocks, 2);
    assert_int_equal(s.tables, 0);
    assert_int_equal(s.list_items, 0);
    assert_int_equal(s.has_metrics_section, 0);
    md_summary_fini(&s);
}

static void test_line_endings(void **state)
{
    struct md_summary s;

    (void)state;
    summarize("# A\r\n\r\nText\r\n## B\r\n", &s);
    assert_int_equal(s.nheadings, 2);
    check_heading(&s, 0, 1, "A", 1);
    check_heading(&s, 1, 2, "B", 4);
    assert_int_equal(s.lines, 4);
    md_summary_fini(&s);

    summarize("# A\r\rText\r## B\rlast", &s);
    check_heading(&s, 1, 2, "B", 4);
    assert_int_equal(s.lines, 5);
    md_summary_fini(&s);

    /* Empty headings get their line from the source, also as the very first line. */
    summarize("#\n# B\n\n##\n", &s);
    assert_int_equal(s.nheadings, 3);
    check_heading(&s, 0, 1, "", 1);
    check_heading(&s, 1, 1, "B", 2);
    check_heading(&s, 2, 2, "", 4);
    md_summary_fini(&s);

    /* ... also inside containers. */
    summarize("- a\n- #\n\n> 1. ##\n>\n> ###\n", &s);
    assert_int_equal(s.nheadings, 3);
    check_heading(&s, 0, 1, "", 2);
    check_heading(&s, 1, 2, "", 4);
    check_heading(&s, 2, 3, "", 6);
    md_summary_fini(&s);
}

/* Many empty headings (which need a search of the source for their line) stay cheap,
 * and lines are still right after the outline is full. */
static void test_many_empty_headings(void **state)
{
    size_t n = 400000, i;
    char *doc = malloc(n * 4 + 16);
    struct md_summary s;

    (void)state;
    assert_non_null(doc);
    for (i = 0; i < n; i++)
        memcpy(doc + 4 * i, i % 2 ? "- #\n" : "x\n#\n", 4);
    memcpy(doc + 4 * n, "## end\n", 8);
    summarize(doc, &s);
    assert_int_equal(s.nheadings, MD_MAX_HEADINGS);
    check_heading(&s, 0, 1, "", 2);
    check_heading(&s, 1, 1, "", 3);
    check_heading(&s, 2, 1, "", 5);
    assert_int_equal(s.lines, n / 2 * 3 + 1);
    md_summary_fini(&s);
    free(doc);
}

static void test_many_headings(void **state)
{
    size_t n = MD_MAX_HEADINGS + 500, i, len = 0;
    char *doc = malloc(n * 16 + 64);
    struct md_summary s;

    (void)state;
    assert_non_null(doc);
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(doc + len, n * 16 + 64 - len, "## h%zu\ntext\n", i);
    summarize(doc, &s);
    assert_int_equal(s.nheadings, MD_MAX_HEADINGS);
    check_heading(&s, 0, 2, "h0", 1);
    check_heading(&s, 4321, 2, "h4321", 4321 * 2 + 1);
    check_heading(&s, MD_MAX_HEADINGS - 1, 2, "h9999", (MD_MAX_HEADINGS - 1) * 2 + 1);
    assert_int_equal(s.lines, n * 2);
    assert_int_equal(s.words, n * 2);
    md_summary_fini(&s);
    free(doc);
}

/* Hand-counted: 2 + 7 + 2 + 2 + 3 + 3 + 2 + 2 = 23 words. */
static const char words_doc[] = "# Hello world\n" /* 2 */
                                "\n"
                                "This is **bold**text and `inline code` here.\n" /* 7 */
                                "\n"
                                "- item one\n"      /* 2 */
                                "- [x] done task\n" /* 2 */
                                "\n"
                                "| a b | c |\n" /* 3 */
                                "|---|---|\n"
                                "| d | e f |\n" /* 3 */
                                "\n"
                                "```\n"
                                "code words here are not counted\n"
                                "```\n"
                                "\n"
                                "    indented code is not counted either\n"
                                "\n"
                                "<div>\n"
                                "raw html words\n"
                                "</div>\n"
                                "\n"
                                "Entity&amp;joined and&nbsp;nbsp.\n" /* 2 */
                                "x<span>y</span> z\n";               /* 2 */

static void test_words(void **state)
{
    struct md_summary s;

    (void)state;
    summarize(words_doc, &s);
    assert_int_equal(s.words, 23);
    assert_int_equal(s.list_items, 2);
    assert_int_equal(s.tables, 1);
    assert_int_equal(s.code_blocks, 2);
    assert_int_equal(s.nheadings, 1);
    md_summary_fini(&s);
}

/* The original agent's report tail. */
static const char agent_doc[] = "# Chimera Agent A\n"
                                "\n"
                                "## Workflow Summary\n"
                                "- Files analyzed: 101\n"
                                "\n"
                                "## Metrics\n"
                                "- Throughput: 41.51 tok/s\n"
                                "- TTFT: 650.12 ms\n"
                                "- Total Duration: 57389.13 ms\n"
                                "- Tokens Generated: 2278\n"
                                "- Prompt Eval Duration: 1,234.5 ms\n"
                                "- GPU Utilisation: 45%\n"
                                "- Delta: -3 ms\n"
                                "- Scaled: 2.5e3 ns\n"
                                "- Model: gemma3:latest\n"
                                "\n"
                                "## Key Findings\n"
                                "- Finding: 5 things\n";

static void test_metrics_agent_format(void **state)
{
    struct md_summary s;

    (void)state;
    summarize(agent_doc, &s);
    assert_int_equal(s.has_metrics_section, 1);
    assert_int_equal(s.nmetrics, 9);
    check_metric(&s, 0, "Throughput", 1, 41.51, "tok/s");
    check_metric(&s, 1, "TTFT", 1, 650.12, "ms");
    check_metric(&s, 2, "Total Duration", 1, 57389.13, "ms");
    check_metric(&s, 3, "Tokens Generated", 1, 2278, "");
    check_metric(&s, 4, "Prompt Eval Duration", 1, 1234.5, "ms");
    check_metric(&s, 5, "GPU Utilisation", 1, 45, "%");
    check_metric(&s, 6, "Delta", 1, -3, "ms");
    check_metric(&s, 7, "Scaled", 1, 2500, "ns");
    check_metric(&s, 8, "Model", 0, 0, "");
    assert_string_equal(s.metrics[0].text, "Throughput: 41.51 tok/s");
    assert_string_equal(s.metrics[8].text, "Model: gemma3:latest");
    assert_int_equal(s.list_items, 11);
    md_summary_fini(&s);
}

static void test_metrics_bold_and_levels(void **state)
{
    struct md_summary s;

    (void)state;
    summarize("## Intro\n"
              "### metrics\n"
              "Some words first.\n"
              "\n"
              "- **TTFT:** 650 ms\n"
              "- **Throughput**: 41.2 tok/s (warm)\n"
              "- *Load*: 1,200 ms; cold start\n"
              "#### Sub\n"
              "- Sub item: 3\n"
              "### Next\n"
              "- x: 1\n",
              &s);
    assert_int_equal(s.nmetrics, 4);
    check_metric(&s, 0, "TTFT", 1, 650, "ms");
    check_metric(&s, 1, "Throughput", 1, 41.2, "tok/s");
    check_metric(&s, 2, "Load", 1, 1200, "ms");
    check_metric(&s, 3, "Sub item", 1, 3, "");
    assert_string_equal(s.metrics[1].text, "Throughput: 41.2 tok/s (warm)");
    md_summary_fini(&s);

    /* A higher-level heading ends it too; "Overall Metrics" is not the section. */
    summarize("### Overall Metrics\n- a: 1\n## Metrics\n- b: 2\n# Top\n- c: 3\n", &s);
    assert_int_equal(s.nmetrics, 1);
    check_metric(&s, 0, "b", 1, 2, "");
    md_summary_fini(&s);
}

static void test_metrics_nested(void **state)
{
    struct md_summary s;

    (void)state;
    summarize("## Metrics\n"
              "- Run 1:\n"
              "  - TTFT: 100 ms\n"
              "  - Throughput: 40 tok/s\n"
              "- Mean TTFT: 120 ms\n"
              "-\n"
              "  - Orphan: 7 s\n",
              &s);
    assert_int_equal(s.list_items, 6);
    /* Document order; the empty item holding only a sub-list is dropped. */
    assert_int_equal(s.nmetrics, 5);
    check_metric(&s, 0, "Run 1", 0, 0, "");
    assert_string_equal(s.metrics[0].text, "Run 1:");
    check_metric(&s, 1, "TTFT", 1, 100, "ms");
    check_metric(&s, 2, "Throughput", 1, 40, "tok/s");
    check_metric(&s, 3, "Mean TTFT", 1, 120, "ms");
    check_metric(&s, 4, "Orphan", 1, 7, "s");
    md_summary_fini(&s);
}

static void test_metrics_numbers(void **state)
{
    struct md_summary s;

    (void)state;
    summarize("# Metrics\n"
              "- Date: 2025-11-14\n"
              "- Time: 12:30\n"
              "- Version: 1.2.3\n"
              "- Euro: 1,5\n"
              "- Pair: 1, 2\n"
              "- Unicode minus: \xE2\x88\x92"
              "4.5 dB\n"
              "- Plus: +7\n"
              "- Attached: 650ms\n"
              "- Big: 12,345,678.25 tokens\n"
              "- Fraction: .5\n"
              "- Not a number: n/a\n"
              "- no colon here 42\n"
              "- Exp: 1e-3 s\n"
              "- Em: 5em\n",
              &s);
    assert_int_equal(s.nmetrics, 14);
    check_metric(&s, 0, "Date", 0, 0, "");
    check_metric(&s, 1, "Time", 0, 0, "");
    check_metric(&s, 2, "Version", 0, 0, "");
    check_metric(&s, 3, "Euro", 0, 0, "");
    check_metric(&s, 4, "Pair", 1, 1, "");
    check_metric(&s, 5, "Unicode minus", 1, -4.5, "dB");
    check_metric(&s, 6, "Plus", 1, 7, "");
    check_metric(&s, 7, "Attached", 1, 650, "ms");
    check_metric(&s, 8, "Big", 1, 12345678.25, "tokens");
    check_metric(&s, 9, "Fraction", 1, 0.5, "");
    check_metric(&s, 10, "Not a number", 0, 0, "");
    check_metric(&s, 11, "no colon here 42", 0, 0, "");
    check_metric(&s, 12, "Exp", 1, 0.001, "s");
    check_metric(&s, 13, "Em", 1, 5, "em");
    md_summary_fini(&s);
}

static void test_metrics_absent_and_last_wins(void **state)
{
    struct md_summary s;

    (void)state;
    summarize("# Report\n- Throughput: 41 tok/s\n", &s);
    assert_int_equal(s.has_metrics_section, 0);
    assert_int_equal(s.nmetrics, 0);
    assert_null(s.metrics);
    md_summary_fini(&s);

    summarize("# R\n## Metrics\nNo list here.\n## Other\n", &s);
    assert_int_equal(s.has_metrics_section, 1);
    assert_int_equal(s.nmetrics, 0);
    md_summary_fini(&s);

    /* A model-written section first, the agent's own at the end: the last counts. */
    summarize("## Metrics\n- Throughput: 999 tok/s\n## Metrics\n- Throughput: 41.5 tok/s\n", &s);
    assert_int_equal(s.nmetrics, 1);
    check_metric(&s, 0, "Throughput", 1, 41.5, "tok/s");
    md_summary_fini(&s);
}

static void test_edge_inputs(void **state)
{
    static const char bad[] = "# T\xff\xfe\n\nnul\0byte \xc3\n- x: 1\xff\n";
    struct md_summary s;
    struct err e = {0, ""};
    char big[1300];
    size_t i;

    (void)state;
    assert_int_equal(md_summarize(NULL, 0, &s, &e), 0);
    assert_int_equal(s.lines, 0);
    assert_int_equal(s.words, 0);
    assert_int_equal(s.nheadings, 0);
    md_summary_fini(&s);

    /* Invalid UTF-8 and a NUL byte: no crash, raw bytes kept in the outline. */
    assert_int_equal(md_summarize(bad, sizeof bad - 1, &s, &e), 0);
    assert_int_equal(s.nheadings, 1);
    assert_string_equal(s.headings[0].text, "T\xff\xfe");
    assert_int_equal(s.lines, 4);
    assert_int_equal(s.words, 5);
    md_summary_fini(&s);

    /* Over the limit: an error, and `out` is still safe to release. The buffer is not
     * read when the size is refused. */
    assert_int_equal(md_summarize(bad, (size_t)MD_MAX_BYTES + 1, &s, &e), -1);
    assert_non_null(strstr(e.msg, "too large"));
    assert_int_equal(s.nheadings, 0);
    md_summary_fini(&s);
    md_summary_fini(NULL);

    /* A long heading is cut on a UTF-8 boundary. */
    memcpy(big, "# a", 3);
    for (i = 0; i < 600; i++)
        memcpy(big + 3 + 2 * i, "\xc3\xa9", 2);
    big[1203] = '\0';
    summarize(big, &s);
    assert_int_equal(strlen(s.headings[0].text), MD_TEXT_MAX - 1);
    assert_int_equal((unsigned char)s.headings[0].text[MD_TEXT_MAX - 2], 0xa9);
    md_summary_fini(&s);
}

/* Figures are read the same in a locale with a decimal comma. */
static void test_metrics_locale(void **state)
{
    static const char *const locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    struct md_summary s;
    const char *got = NULL;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof locales / sizeof locales[0] && got == NULL; i++)
        got = setlocale(LC_ALL, locales[i]);
    if (got == NULL)
        skip(); /* no decimal-comma locale installed */
    summarize("## Metrics\n- Throughput: 41.51 tok/s\n- Tokens: 1,234.5\n", &s);
    setlocale(LC_ALL, "C");
    check_metric(&s, 0, "Throughput", 1, 41.51, "tok/s");
    check_metric(&s, 1, "Tokens", 1, 1234.5, "");
    md_summary_fini(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outline),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_many_headings),
        cmocka_unit_test(test_many_empty_headings),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_metrics_agent_format),
        cmocka_unit_test(test_metrics_bold_and_levels),
        cmocka_unit_test(test_metrics_nested),
        cmocka_unit_test(test_metrics_numbers),
        cmocka_unit_test(test_metrics_absent_and_last_wins),
        cmocka_unit_test(test_edge_inputs),
        cmocka_unit_test(test_metrics_locale),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
