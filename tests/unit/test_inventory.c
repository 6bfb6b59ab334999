/* test_inventory.c: the ingest walk, the exact data summary, the harvested metrics and the
 * gaps, on fixture trees this test writes with fixed modification times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "inventory.h"
#include "testutil.h"

static int64_t t_csv, t_json, t_md;

/* A tree in the layout the product was made for, with a few files that must be left out
 * and a few that must not be walked at all. */
static char *make_tree(void)
{
    char *root = tu_mkdtemp();
    int64_t base = tu_utc(2025, 11, 14, 18, 0, 0);

    t_csv = tu_utc(2025, 11, 14, 18, 53, 30);
    t_json = tu_utc(2025, 10, 8, 17, 20, 51);
    t_md = tu_utc(2025, 11, 14, 18, 54, 7);
    tu_write(root, "reports/gemma3/gemma3_baseline.csv",
             "model,tokens_per_sec,ttft_ms,notes\n"
             "gemma3:270m,\"1,234.5\",652.1,first\n"
             "gemma3:1b,41.09,800,second\n",
             (size_t)-1, base);
    tu_write(root, "reports/gemma3/gemma3_param_tuning.csv",
             "num_gpu,Tokens per Second,latency\n80,,12%\n40,55.5,13%\n", (size_t)-1, t_csv);
    tu_write(root, "reports/llama3/UPPER.CSV", "a,b\n1,2\n", (size_t)-1, base);
    tu_write(root, "reports/llama3/empty.csv", "", 0, base);
    tu_write(root, "reports/llama3/ragged.csv", "x,speed\n1,2,3\n4\n", (size_t)-1, base);
    tu_write(root, "reports/llama3/latin1.csv", "name,ttft\n\xb5s,3\n", (size_t)-1, base);
    tu_write(root, "reports/llama3/utf16ish.csv", "a\0b\0\n\0", 6, base);
    tu_write(root, "reports/run.json",
             "{\"summary\":{\"avg_tokens_per_second\":41.5,\"model\":\"x\"},"
             "\"runs\":[{\"ttft_ms\":\"1,200.5\"},{\"ttft_ms\":3}],\"speedup\":\"45%\"}",
             (size_t)-1, t_json);
    tu_write(root, "reports/broken.json", "{\"a\": [1, 2,]}", (size_t)-1, base);
    tu_write(root, "reports/binary.json", "\x89PNG\r\n\x1a\n\0\0", 10, base);
    tu_write(root, "reports/Report.MD",
             "# Title\n\nText words here.\n\n```sh\n# not a heading\n```\n\n## Metrics\n"
             "- Throughput: 41.51 tok/s\n",
             (size_t)-1, t_md);
    tu_write(root, "reports/notes.txt", "plain text\n", (size_t)-1, base);
    tu_write(root, "csv_data/bench.csv", "run,throughput\n1,99.5\n", (size_t)-1, base);
    tu_write(root, "csv_data/b.json", "[{\"latency_ms\": {\"p95\": 12}}]", (size_t)-1,
             tu_utc(2025, 1, 1, 0, 0, 0));
    tu_write(root, "csv_data/skipped.md", "# md is not read from csv_data\n", (size_t)-1, base);
    tu_write(root, "artifacts/outside.csv", "tok\n1\n", (size_t)-1, base);
    {
        char *link = tu_join(root, "csv_data/link.json");

        if (symlink("../reports/run.json", link) != 0)
            fail_msg("symlink");
        free(link);
    }
    return root;
}

static struct inventory *run(const char *root)
{
    struct err err;
    struct inventory *inv = inventory_run(root, NULL, 0, &err);

    if (inv == NULL)
        fail_msg("inventory_run: %s", err.msg);
    return inv;
}

static void test_data_summary_exact(void **state)
{
    char *root = make_tree();
    struct inventory *inv = run(root);
    char *summary = inventory_data_summary(inv);

    (void)state;
    assert_string_equal(summary,
                        "Total files analyzed: 10\n"
                        "\n"
                        "CSV Files (7)\n"
                        "  - csv_data/bench.csv\n"
                        "  - reports/gemma3/gemma3_baseline.csv\n"
                        "  - reports/gemma3/gemma3_param_tuning.csv\n"
                        "  - reports/llama3/UPPER.CSV\n"
                        "  - reports/llama3/empty.csv\n"
                        "  ... and 2 more\n"
                        "  Latest modified: 2025-11-14 18:53:30 UTC\n"
                        "\n"
                        "JSON Files (2)\n"
                        "  - csv_data/b.json\n"
                        "  - reports/run.json\n"
                        "  Latest modified: 2025-10-08 17:20:51 UTC\n"
                        "\n"
                        "MARKDOWN Files (1)\n"
                        "  - reports/Report.MD\n"
                        "  Latest modified: 2025-11-14 18:54:07 UTC\n"
                        "\n");
    assert_int_equal(inv->count[ART_CSV], 7);
    assert_int_equal(inv->count[ART_JSON], 2);
    assert_int_equal(inv->count[ART_MARKDOWN], 1);
    assert_true(inv->walked_reports);
    assert_true(inv->walked_csv_data);
    assert_false(inv->walked_root);
    free(summary);
    inventory_free(inv);
    tu_rmtree(root);
    free(root);
}

static const struct inv_file *find(const struct inventory *inv, const char *path)
{
    for (size_t i = 0; i < inv->nfiles; i++)
        if (strcmp(inv->files[i].path, path) == 0)
            return &inv->files[i];
    return NULL;
}

/* A file that must be among the candidates. */
static const struct inv_file *must_find(const struct inventory *inv, const char *path)
{
    const struct inv_file *f = find(inv, path);

    if (f == NULL) {
        fail_msg("%s is not in the inventory", path);
        abort(); /* not reached: tells the compiler f is not NULL below */
    }
    return f;
}

static void test_left_out_with_reasons(void **state)
{
    char *root = make_tree();
    struct inventory *inv = run(root);
    const struct inv_file *f;

    (void)state;
    f = must_find(inv, "reports/broken.json");
    assert_false(f->ok);
    assert_non_null(strstr(f->problem, "invalid JSON"));
    f = must_find(inv, "reports/binary.json");
    assert_false(f->ok);
    f = must_find(inv, "reports/llama3/latin1.csv");
    assert_false(f->ok);
    assert_non_null(strstr(f->problem, "UTF-8"));
    /* NUL bytes are valid UTF-8: the agent read such files, so they count */
    f = must_find(inv, "reports/llama3/utf16ish.csv");
    assert_true(f->ok);
    f = must_find(inv, "reports/llama3/ragged.csv");
    assert_true(f->ok);
    f = must_find(inv, "reports/llama3/empty.csv");
    assert_true(f->ok);
    /* never walked: markdown in csv_data/, anything in artifacts/, links */
    assert_null(find(inv, "csv_data/skipped.md"));
    assert_null(find(inv, "artifacts/outside.csv"));
    assert_null(find(inv, "csv_data/link.json"));
    assert_int_equal(inv->other_files, 3); /* notes.txt, skipped.md, the link */
    inventory_free(inv);
    tu_rmtree(root);
    free(root);
}

static void test_harvest_exact(void **state)
{
    char *root = make_tree();
    struct inventory *inv = run(root);
    char *json = harvest_to_json(&inv->metrics);
    int64_t total = 0;

    (void)state;
    for (size_t i = 0; i < inv->nfiles; i++)
        if (inv->files[i].ok)
            total += inv->files[i].size;
    assert_int_equal(inv->total_size, total);
    {
        char expect[2048];

        snprintf(expect, sizeof expect,
                 "{\n"
                 "  \"csv_Tokens per Second\": 55.5,\n"
                 "  \"csv_latency\": 12.0,\n"
                 "  \"csv_speed\": 2.0,\n"
                 "  \"csv_throughput\": 99.5,\n"
                 "  \"csv_tokens_per_sec\": 1234.5,\n"
                 "  \"csv_ttft_ms\": 652.1,\n"
                 "  \"data_types\": [\n"
                 "    \"csv\",\n"
                 "    \"json\",\n"
                 "    \"markdown\"\n"
                 "  ],\n"
                 "  \"json_[0].latency_ms.p95\": 12.0,\n"
                 "  \"json_documents\": 2,\n"
                 "  \"json_runs[0].ttft_ms\": 1200.5,\n"
                 "  \"json_runs[1].ttft_ms\": 3.0,\n"
                 "  \"json_speedup\": 45.0,\n"
                 "  \"json_summary.avg_tokens_per_second\": 41.5,\n"
                 "  \"markdown_heading_count\": 2,\n"
                 "  \"total_file_size_bytes\": %lld,\n"
                 "  \"total_files_analyzed\": 10\n"
                 "}",
                 (long long)total);
        assert_string_equal(json, expect);
    }
    /* insertion order: the agent's three totals first */
    assert_string_equal(inv->metrics.entries[0].key, "total_files_analyzed");
    assert_string_equal(inv->metrics.entries[1].key, "data_types");
    assert_string_equal(inv->metrics.entries[2].key, "total_file_size_bytes");
    free(json);
    inventory_free(inv);
    tu_rmtree(root);
    free(root);
}

static void test_walk_root_skips_runs_folder(void **state)
{
    char *root = tu_mkdtemp();
    struct inventory *inv;
    char *summary;
    int64_t t = tu_utc(2025, 1, 2, 3, 4, 5);

    (void)state;
    tu_write(root, "a.md", "# A\n", (size_t)-1, t);
    tu_write(root, "sub/b.json", "{\"tok\": 1}", (size_t)-1, t);
    tu_write(root, "chimera-runs/20250101-000000-chimera/report.md", "# r\n", (size_t)-1, t);
    tu_write(root, "chimera-runs/20250101-000000-chimera/metrics.json", "{}", (size_t)-1, t);
    inv = run(root);
    assert_true(inv->walked_root);
    summary = inventory_data_summary(inv);
    assert_string_equal(summary, "Total files analyzed: 2\n"
                                 "\n"
                                 "JSON Files (1)\n"
                                 "  - sub/b.json\n"
                                 "  Latest modified: 2025-01-02 03:04:05 UTC\n"
                                 "\n"
                                 "MARKDOWN Files (1)\n"
                                 "  - a.md\n"
                                 "  Latest modified: 2025-01-02 03:04:05 UTC\n"
                                 "\n");
    free(summary);
    inventory_free(inv);
    tu_rmtree(root);
    free(root);
}

static void test_empty_root(void **state)
{
    char *root = tu_mkdtemp();
    struct inventory *inv = run(root);
    char *summary = inventory_data_summary(inv);
    char *json = harvest_to_json(&inv->metrics);
    char **gaps;
    size_t n = inventory_gaps(inv, &gaps);

    (void)state;
    assert_string_equal(summary, "Total files analyzed: 0\n\n");
    assert_string_equal(json, "{\n"
                              "  \"data_types\": [],\n"
                              "  \"total_file_size_bytes\": 0,\n"
                              "  \"total_files_analyzed\": 0\n"
                              "}");
    assert_true(n >= 2);
    assert_string_equal(gaps[1], "No benchmark artifacts (csv, json, md) were found.");
    inventory_lines_free(gaps, n);
    free(summary);
    free(json);
    inventory_free(inv);
    tu_rmtree(root);
    free(root);
}

static void test_explicit_list(void **state)
{
    char *root = make_tree();
    const char *files[] = {"reports/run.json", "artifacts/outside.csv", "reports/notes.txt",
                           "reports/gone.csv", "csv_data/link.json"};
    struct err err;
    struct inventory *inv = inventory_run(root, files, 5, &err);
    char *summary;

    (void)state;
    assert_non_null(inv);
    assert_true(inv->explicit_list);
    summary = inventory_data_summary(inv);
    assert_string_equal(summary, "Total files analyzed: 2\n"
                                 "\n"
                                 "CSV Files (1)\n"
                                 "  - artifacts/outside.csv\n"
                                 "  Latest modified: 2025-11-14 18:00:00 UTC\n"
                                 "\n"
                                 "JSON Files (1)\n"
                                 "  - reports/run.json\n"
                                 "  Latest modified: 2025-10-08 17:20:51 UTC\n"
                                 "\n");
    assert_false(must_find(inv, "reports/notes.txt")->ok);
    assert_false(must_find(inv, "reports/gone.csv")->ok);
    assert_non_null(strstr(must_find(inv, "csv_data/link.json")->problem, "link"));
    free(summary);
    inventory_free(inv);
    tu_rmtree(root);
    free(root);
}

/* Work split into the smallest slices gives the same result as one run. */
static void test_sliced_equals_whole(void **state)
{
    char *root = make_tree();
    struct err err;
    struct inv_job *j = inventory_start(root, NULL, 0, &err);
    struct inventory *whole = run(root), *sliced;
    char *a, *b, *ja, *jb;
    int steps = 0;

    (void)state;
    assert_non_null(j);
    assert_null(inventory_take(j));
    while (inventory_step(j, 1)) /* a deadline long past: one unit of work per call */
        steps++;
    assert_true(steps > 10);
    sliced = inventory_take(j);
    assert_non_null(sliced);
    a = inventory_data_summary(whole);
    b = inventory_data_summary(sliced);
    assert_string_equal(a, b);
    ja = harvest_to_json(&whole->metrics);
    jb = harvest_to_json(&sliced->metrics);
    assert_string_equal(ja, jb);
    free(a);
    free(b);
    free(ja);
    free(jb);
    inventory_free(whole);
    inventory_free(sliced);
    inventory_job_free(j);
    tu_rmtree(root);
    free(root);
}

static void test_gaps_and_json(void **state)
{
    char *root = make_tree();
    struct inventory *inv = run(root);
    char **gaps;
    size_t n = inventory_gaps(inv, &gaps);
    char *json = inventory_to_json(inv);
    int found_skipped = 0, found_csv = 0;

    (void)state;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(gaps[i], "3 files could not be parsed and were left out.") == 0)
            found_skipped = 1;
        if (strcmp(gaps[i], "3 of 7 CSV files have no tok/throughput/latency/ttft/speed "
                            "column.") == 0)
            found_csv = 1;
    }
    assert_true(found_skipped);
    assert_true(found_csv);
    assert_non_null(strstr(json, "\"total_files_analyzed\": 10,"));
    assert_non_null(strstr(json, "\"csv\": 7,"));
    assert_non_null(strstr(json, "\"problem\": \"invalid JSON: "));
    assert_non_null(strstr(json, "    \"json_documents\": 2,"));
    inventory_lines_free(gaps, n);
    free(json);
    inventory_free(inv);
    tu_rmtree(root);
    free(root);
}

static void test_not_a_folder(void **state)
{
    struct err err;
    char *root = tu_mkdtemp();
    char *file = tu_join(root, "f.csv");

    (void)state;
    tu_write(root, "f.csv", "a\n", (size_t)-1, 0);
    assert_null(inventory_start(file, NULL, 0, &err));
    assert_non_null(strstr(err.msg, "not a folder"));
    assert_null(inventory_start("/nonexistent/chimera", NULL, 0, &err));
    assert_non_null(strstr(err.msg, "/nonexistent/chimera"));
    free(file);
    tu_rmtree(root);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_summary_exact),
        cmocka_unit_test(test_left_out_with_reasons),
        cmocka_unit_test(test_harvest_exact),
        cmocka_unit_test(test_walk_root_skips_runs_folder),
        cmocka_unit_test(test_empty_root),
        cmocka_unit_test(test_explicit_list),
        cmocka_unit_test(test_sliced_equals_whole),
        cmocka_unit_test(test_gaps_and_json),
        cmocka_unit_test(test_not_a_folder),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
