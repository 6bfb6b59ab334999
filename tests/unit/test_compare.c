/* test_compare.c: reading saved runs and the comparison's numbers and text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "testutil.h"

/* A metrics.json in the chimera.metrics/1 shape, reduced to what compare reads. */
static void write_run(const char *root, const char *name, double tp_mean, double tp_sd,
                      double ttft_mean, double ttft_sd, const char *tokens)
{
    char json[2048], *rel = NULL;

    snprintf(json, sizeof json,
             "{\"schema\": \"chimera.metrics/1\", \"agent_label\": \"Chimera Agent A\","
             " \"profile\": \"%s\", \"model\": \"gemma3:latest\","
             " \"configuration\": \"Ollama defaults\", \"timestamp\": \"2025-11-14T18:53:30Z\","
             " \"complete\": true, \"runs_done\": 2,"
             " \"overall\": {\"calls\": 4,"
             "  \"throughput_tok_s\": {\"source\": \"server\", \"n\": 4, \"mean\": %g,"
             "    \"stddev\": %g, \"cv_percent\": %g, \"min\": 1, \"max\": 2},"
             "  \"ttft_ms\": {\"source\": \"client\", \"n\": 4, \"mean\": %g, \"stddev\": %g,"
             "    \"cv_percent\": null, \"min\": null, \"max\": null},"
             "  \"total_tokens\": %s, \"total_duration_ms\": {\"value\": 1000, \"source\": "
             "\"server\"}, \"prompt_eval_ms\": null, \"eval_ms\": 900, \"load_ms\": 50}}",
             name, tp_mean, tp_sd, tp_mean > 0 ? tp_sd / tp_mean * 100 : 0, ttft_mean, ttft_sd,
             tokens);
    if (asprintf(&rel, "%s/metrics.json", name) < 0)
        abort();
    tu_write(root, rel, json, (size_t)-1, 0);
    free(rel);
}

static void test_load_and_compare(void **state)
{
    char *root = tu_mkdtemp(), *a = tu_join(root, "baseline"), *b = tu_join(root, "chimera");
    struct run_summary ra, rb;
    struct err err;
    char *md, *json;

    (void)state;
    write_run(root, "baseline", 40.0, 2.0, 800.0, 10.0, "2000");
    write_run(root, "chimera", 50.0, 1.0, 600.0, 5.0, "null");
    assert_int_equal(run_summary_load(a, &ra, &err), 0);
    assert_int_equal(run_summary_load(b, &rb, &err), 0);
    assert_string_equal(ra.model, "gemma3:latest");
    assert_int_equal(ra.runs_done, 2);
    assert_true(ra.overall.throughput.mean.known);
    assert_true(ra.overall.total_duration_ms.known); /* {"value": ...} figures read too */
    assert_false(ra.overall.prompt_eval_ms.known);   /* null: not reported */
    assert_false(rb.overall.total_tokens.known);
    md = compare_markdown(&ra, &rb);
    /* (50 - 40) / 40 = +25%; (800 - 600) / 800 = 25% reduction; deltas +10 and +200 */
    assert_non_null(strstr(md, "- **Throughput improvement:** +25.0% (40.00 → 50.00 tok/s)"));
    assert_non_null(strstr(md, "- **TTFT reduction:** +25.0% (800.00 → 600.00 ms)"));
    assert_non_null(strstr(md, "| Average Throughput (tok/s) | 40.00 ± 2.00 | 50.00 ± 1.00 | "
                               "+25.0% (+10.00) |"));
    assert_non_null(strstr(md, "| Average TTFT (ms) | 800.00 ± 10.00 | 600.00 ± 5.00 | "
                               "+25.0% (+200.00) |"));
    assert_non_null(strstr(md, "| Total Tokens Generated | 2000 | not reported | not reported |"));
    assert_non_null(strstr(md, "| Prompt Eval (ms) | not reported | not reported |"));
    assert_non_null(strstr(md, "- A: 40.00 ± 2.00 tok/s (CV: 5.0%)"));
    json = compare_json(&ra, &rb);
    assert_non_null(strstr(json, "\"throughput_improvement_percent\": 25,"));
    assert_non_null(strstr(json, "\"ttft_reduction_percent\": 25,"));
    assert_non_null(strstr(json, "\"throughput_delta_absolute\": 10"));
    assert_non_null(strstr(json, "\"ttft_delta_absolute_ms\": 200"));
    free(md);
    free(json);
    run_summary_fini(&ra);
    run_summary_fini(&rb);
    free(a);
    free(b);
    tu_rmtree(root);
    free(root);
}

static void test_bad_runs(void **state)
{
    char *root = tu_mkdtemp(), *p;
    struct run_summary s;
    struct err err;

    (void)state;
    p = tu_join(root, "missing");
    assert_int_equal(run_summary_load(p, &s, &err), -1);
    assert_non_null(strstr(err.msg, "missing/metrics.json"));
    free(p);
    tu_write(root, "notjson/metrics.json", "{not json", (size_t)-1, 0);
    p = tu_join(root, "notjson");
    assert_int_equal(run_summary_load(p, &s, &err), -1);
    assert_non_null(strstr(err.msg, "not valid JSON"));
    free(p);
    tu_write(root, "other/metrics.json", "{\"benchmark_type\": \"rust_vs_python\"}", (size_t)-1,
             0);
    p = tu_join(root, "other");
    assert_int_equal(run_summary_load(p, &s, &err), -1);
    assert_non_null(strstr(err.msg, "not a chimera run"));
    free(p);
    tu_rmtree(root);
    free(root);
}

static void test_zero_baseline(void **state)
{
    char *root = tu_mkdtemp(), *a = tu_join(root, "a"), *b = tu_join(root, "b");
    struct run_summary ra, rb;
    struct err err;
    char *md;

    (void)state;
    write_run(root, "a", 0.0, 0.0, 0.0, 0.0, "0");
    write_run(root, "b", 10.0, 0.0, 100.0, 0.0, "5");
    assert_int_equal(run_summary_load(a, &ra, &err), 0);
    assert_int_equal(run_summary_load(b, &rb, &err), 0);
    md = compare_markdown(&ra, &rb);
    /* a zero baseline has no percentage: said, not invented */
    assert_non_null(strstr(md, "- **Throughput improvement:** not reported (0.00 → 10.00 tok/s)"));
    free(md);
    run_summary_fini(&ra);
    run_summary_fini(&rb);
    free(a);
    free(b);
    tu_rmtree(root);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_and_compare),
        cmocka_unit_test(test_bad_runs),
        cmocka_unit_test(test_zero_baseline),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
