/* test_prompts.c: the workflow's prompt texts and the parser of the analysis, against the
 * original agent's exact texts and rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prompts.h"

/* The request part of the analysis prompt, split where the data summary goes. */
#define ANALYSIS_HEAD                                                                        \
    "You are a performance analysis expert. Analyze the following benchmark data and "      \
    "provide insights.\n\nBenchmark Data Summary:\n"
#define ANALYSIS_TAIL                                                                        \
    "\n\nPlease provide:\n1. Executive summary of the data\n2. Key performance findings\n"   \
    "3. Performance metrics analysis\n4. Recommendations for optimization\n\nFormat your "  \
    "response as structured analysis with clear sections."

/* A data summary as the ingest step writes it (it ends in a blank line). */
#define SUMMARY                                                                              \
    "Total files analyzed: 2\n\nCSV Files (2)\n  - reports/a.csv\n  - reports/b.csv\n"       \
    "  Latest modified: 2025-11-14 18:53:30 UTC\n\n"

static void test_analysis_prompt(void **state)
{
    char *p;

    (void)state;
    p = prompts_analysis("You are DataCollector-9000.\nKeep it short.", SUMMARY);
    assert_string_equal(p, "You are DataCollector-9000.\nKeep it short.\n\n" ANALYSIS_HEAD SUMMARY
                           ANALYSIS_TAIL);
    free(p);

    /* no persona: the original's text alone */
    p = prompts_analysis(NULL, SUMMARY);
    assert_string_equal(p, ANALYSIS_HEAD SUMMARY ANALYSIS_TAIL);
    free(p);
    p = prompts_analysis("", "x");
    assert_string_equal(p, ANALYSIS_HEAD "x" ANALYSIS_TAIL);
    free(p);

    /* trailing white space of the persona does not add blank lines */
    p = prompts_analysis("Persona.\n\n  ", "x");
    assert_string_equal(p, "Persona.\n\n" ANALYSIS_HEAD "x" ANALYSIS_TAIL);
    free(p);
    p = prompts_analysis(" \n", "x");
    assert_string_equal(p, ANALYSIS_HEAD "x" ANALYSIS_TAIL);
    free(p);
}

/* The shape of a real gemma3 answer to the analysis prompt. */
static const char realistic[] =
    "Okay, here's a structured analysis of the provided benchmark data summary.\n"
    "\n"
    "## Executive Summary\n"
    "\n"
    "This data set contains 101 files across CSV, JSON and Markdown, dominated by\n"
    "   gemma3 compilation and parameter tuning runs.   \n"
    "\n"
    "The most recent activity is from November 2025.\n"
    "\n"
    "## Key Performance Findings\n"
    "\n"
    "**Key Findings:**\n"
    "\n"
    "* **File type skew:** a key observation is that JSON and Markdown make up 72% of "
    "the files.\n"
    "* **Duplication:** Several reports share the same name, an insight worth following "
    "up.\n"
    "* Throughput figures are missing from most CSV files.\n"
    "\n"
    "## Performance Metrics Analysis\n"
    "\n"
    "| Metric | Value |\n"
    "|---|---|\n"
    "| Files | 101 |\n"
    "\n"
    "\xE2\x80\xA2 Discovery: the latency columns are consistent across runs.\n"
    "\n"
    "## Recommendations for Optimization\n"
    "\n"
    "1. **Standardise metrics:** We recommend one schema for every benchmark output.\n"
    "2. Teams should consolidate duplicate runs.\n"
    "3) Consider automating the collection pipeline.\n"
    "- Suggest tracking TTFT separately.\n"
    "\n"
    "Overall, you should consider these steps as a roadmap.\n";

static void check_realistic(const struct analysis *a)
{
    /* blank lines inside the section are dropped; lines are trimmed; it ends at "## Key" */
    assert_string_equal(a->summary,
                        "This data set contains 101 files across CSV, JSON and Markdown, "
                        "dominated by\n"
                        "gemma3 compilation and parameter tuning runs.\n"
                        "The most recent activity is from November 2025.");
    assert_int_equal(a->nfindings, 4);
    /* the bold label line counts (it contains "key"), its leading "**" taken as bullets,
     * exactly as the original did */
    assert_string_equal(a->findings[0], "Key Findings:**");
    /* one '*' is the bullet; the space after it stops the stripping, so the bold stays */
    assert_string_equal(a->findings[1], "**File type skew:** a key observation is that JSON "
                                        "and Markdown make up 72% of the files.");
    assert_string_equal(a->findings[2], "**Duplication:** Several reports share the same "
                                        "name, an insight worth following up.");
    assert_string_equal(a->findings[3],
                        "Discovery: the latency columns are consistent across runs.");
    assert_int_equal(a->nrecs, 5);
    assert_string_equal(a->recs[0], "**Standardise metrics:** We recommend one schema for "
                                    "every benchmark output.");
    assert_string_equal(a->recs[1], "Teams should consolidate duplicate runs.");
    assert_string_equal(a->recs[2], "Consider automating the collection pipeline.");
    assert_string_equal(a->recs[3], "Suggest tracking TTFT separately.");
    assert_string_equal(a->recs[4], "Overall, you should consider these steps as a roadmap.");
}

static void test_parse_realistic(void **state)
{
    struct analysis a;

    (void)state;
    analysis_parse(realistic, &a);
    check_realistic(&a);
    analysis_fini(&a);
    assert_null(a.summary);
    assert_int_equal(a.nfindings, 0);
    analysis_fini(&a); /* twice is harmless */
}

static void test_parse_crlf(void **state)
{
    struct analysis a;
    size_t n = strlen(realistic), o = 0;
    char *crlf = malloc(2 * n + 1);

    (void)state;
    for (size_t i = 0; i < n; i++) {
        if (realistic[i] == '\n')
            crlf[o++] = '\r';
        crlf[o++] = realistic[i];
    }
    crlf[o] = '\0';
    analysis_parse(crlf, &a);
    check_realistic(&a);
    analysis_fini(&a);
    free(crlf);
}

static void test_parse_cap(void **state)
{
    char text[2048];
    size_t len = 0;
    struct analysis a;

    (void)state;
    for (int i = 1; i <= 12; i++)
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "- Key point %d; we should act %d\n", i, i);
    analysis_parse(text, &a);
    assert_int_equal(a.nfindings, PROMPTS_MAX_ITEMS);
    assert_int_equal(a.nrecs, PROMPTS_MAX_ITEMS);
    assert_string_equal(a.findings[0], "Key point 1; we should act 1");
    assert_string_equal(a.findings[9], "Key point 10; we should act 10");
    assert_string_equal(a.recs[9], "Key point 10; we should act 10");
    /* no summary section: the first five lines */
    assert_string_equal(a.summary, "- Key point 1; we should act 1\n"
                                   "- Key point 2; we should act 2\n"
                                   "- Key point 3; we should act 3\n"
                                   "- Key point 4; we should act 4\n"
                                   "- Key point 5; we should act 5");
    analysis_fini(&a);
}

static void test_clean_bullet(void **state)
{
    struct analysis a;

    (void)state;
    /* mixed bullet characters, then numbering, then white space (also U+00A0) */
    analysis_parse("-*\xE2\x80\xA2-12.3) \xC2\xA0Key one\n"
                   "  **1.** key two\n"
                   "1.2.3 key 4 stays\n"
                   "- - key five\n"
                   "#### key in a heading is skipped\n"
                   "KEY upper case\n"
                   "\xE2\x84\xAA" "ey with a Kelvin sign\n",
                   &a);
    assert_int_equal(a.nfindings, 6);
    assert_string_equal(a.findings[0], "Key one");
    /* the bullets come off before the number, never after it */
    assert_string_equal(a.findings[1], "** key two");
    assert_string_equal(a.findings[2], "key 4 stays");
    /* a space stops the bullet stripping: "- key five" keeps its second dash */
    assert_string_equal(a.findings[3], "- key five");
    assert_string_equal(a.findings[4], "KEY upper case");
    assert_string_equal(a.findings[5], "\xE2\x84\xAA" "ey with a Kelvin sign");
    assert_int_equal(a.nrecs, 0);
    analysis_fini(&a);
}

static void test_summary_rules(void **state)
{
    struct analysis a;

    (void)state;
    /* "Summary" alone (any case) starts the section; a heading ends it */
    analysis_parse("Intro\nSUMMARY\nFirst.\n\n  Second.\n# Next\nAfter.\n", &a);
    assert_string_equal(a.summary, "First.\nSecond.");
    analysis_fini(&a);

    /* "summary" inside a longer line does not; a second "executive summary" line is
     * skipped rather than kept */
    analysis_parse("Summary of it\n**Executive Summary**\nOne.\nexecutive summary again\n"
                   "Two.\n",
                   &a);
    assert_string_equal(a.summary, "One.\nTwo.");
    analysis_fini(&a);

    /* a section of blank lines only: the original collected the blanks, so it is empty
     * rather than the first five lines */
    analysis_parse("## Executive Summary\n\n\n## Findings\nText\n", &a);
    assert_string_equal(a.summary, "");
    analysis_fini(&a);

    /* no section: the first five lines, trimmed, blank ones kept */
    analysis_parse("  Line one\nLine two  \n\nLine four\nLine five\nLine six\n", &a);
    assert_string_equal(a.summary, "Line one\nLine two\n\nLine four\nLine five");
    analysis_fini(&a);

    /* a section heading at the very end: nothing collected, so the fallback */
    analysis_parse("A\nB\nExecutive summary", &a);
    assert_string_equal(a.summary, "A\nB\nExecutive summary");
    analysis_fini(&a);

    analysis_parse("", &a);
    assert_string_equal(a.summary, "");
    assert_int_equal(a.nfindings, 0);
    analysis_fini(&a);
    analysis_parse(NULL, &a);
    assert_string_equal(a.summary, "");
    analysis_fini(&a);
}

#define REPORT_HEAD                                                                          \
    "Generate a comprehensive technical report in the style of Technical Report 108.\n\n"  \
    "Analysis Results:\n"
#define REPORT_TAIL                                                                          \
    "\n\nCreate a professional technical report with the following structure:\n"           \
    "1. Executive Summary\n2. Data Ingestion Summary\n3. Performance Analysis\n"            \
    "4. Key Findings\n5. Recommendations\n6. Appendix\n\n"                                  \
    "Use markdown formatting and include specific metrics and data points."

static void test_report_prompt(void **state)
{
    const char *metrics =
        "{\n  \"data_types\": [\n    \"csv\"\n  ],\n  \"total_files_analyzed\": 2\n}";
    struct analysis a;
    char *p;

    (void)state;
    analysis_parse(realistic, &a);
    p = prompts_report(&a, metrics);
    assert_string_equal(
        p, REPORT_HEAD
        "- Summary: This data set contains 101 files across CSV, JSON and Markdown, dominated "
        "by\ngemma3 compilation and parameter tuning runs.\nThe most recent activity is from "
        "November 2025.\n"
        "- Key Findings:\n"
        "1. Key Findings:**\n"
        "2. **File type skew:** a key observation is that JSON and Markdown make up 72% of the "
        "files.\n"
        "3. **Duplication:** Several reports share the same name, an insight worth following "
        "up.\n"
        "4. Discovery: the latency columns are consistent across runs.\n"
        "- Performance Metrics: {\n  \"data_types\": [\n    \"csv\"\n  ],\n"
        "  \"total_files_analyzed\": 2\n}\n"
        "- Recommendations:\n"
        "1. **Standardise metrics:** We recommend one schema for every benchmark output.\n"
        "2. Teams should consolidate duplicate runs.\n"
        "3. Consider automating the collection pipeline.\n"
        "4. Suggest tracking TTFT separately.\n"
        "5. Overall, you should consider these steps as a roadmap." REPORT_TAIL);
    free(p);
    analysis_fini(&a);

    /* nothing found: "None provided" for both lists */
    analysis_parse("Nothing to see.\n", &a);
    p = prompts_report(&a, "{}");
    assert_string_equal(p, REPORT_HEAD "- Summary: Nothing to see.\n"
                                       "- Key Findings:\nNone provided\n"
                                       "- Performance Metrics: {}\n"
                                       "- Recommendations:\nNone provided" REPORT_TAIL);
    free(p);
    analysis_fini(&a);

    p = prompts_report(NULL, NULL);
    assert_string_equal(p, REPORT_HEAD "- Summary: \n"
                                       "- Key Findings:\nNone provided\n"
                                       "- Performance Metrics: {}\n"
                                       "- Recommendations:\nNone provided" REPORT_TAIL);
    free(p);
}

static void check_trim(const char *in, const char *want)
{
    size_t len;
    const char *t = prompts_trim(in, strlen(in), &len);

    assert_int_equal(len, strlen(want));
    assert_memory_equal(t, want, len);
}

static void test_trim(void **state)
{
    (void)state;
    check_trim("  a b \t\r\n", "a b");
    /* Unicode White_Space: U+3000, U+00A0, U+2003, U+0085, U+205F */
    check_trim("\xE3\x80\x80\xC2\xA0x\xE2\x80\x83\xC2\x85\xE2\x81\x9F", "x");
    /* not White_Space: U+200B ZERO WIDTH SPACE and U+FEFF stay */
    check_trim("\xE2\x80\x8Bx\xEF\xBB\xBF", "\xE2\x80\x8Bx\xEF\xBB\xBF");
    /* a character ending in a byte that looks like part of a space is kept */
    check_trim("x\xE3\x81\x80", "x\xE3\x81\x80");
    check_trim(" \n ", "");
    check_trim("", "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analysis_prompt),
        cmocka_unit_test(test_parse_realistic),
        cmocka_unit_test(test_parse_crlf),
        cmocka_unit_test(test_parse_cap),
        cmocka_unit_test(test_clean_bullet),
        cmocka_unit_test(test_summary_rules),
        cmocka_unit_test(test_report_prompt),
        cmocka_unit_test(test_trim),
    };

    setlocale(LC_NUMERIC, "C");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
