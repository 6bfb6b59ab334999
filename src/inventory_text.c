/* inventory_text.c: what is said about an inventory: the data summary of SPEC section 5
 * step 2 (exact text), the gaps in telemetry, and the JSON form. */
#include "inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "jsonw.h"
#include "xmem.h"

#define INV_TEXT_MAX (256u << 20)

static const enum artifact_kind inv_kinds[3] = {ART_CSV, ART_JSON, ART_MARKDOWN};

/* "2025-11-14 18:53:30" in UTC (negative times too: gmtime handles them). */
static void inv_utc(char *out, size_t cap, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(out, cap, "%lld", (long long)t);
}

static void inv_put(struct buf *b, const char *s)
{
    if (buf_puts(b, s) < 0)
        fatal("inventory text over %u MB", INV_TEXT_MAX >> 20);
}

char *inventory_data_summary(const struct inventory *inv)
{
    struct buf b;
    char line[64];

    buf_init(&b, INV_TEXT_MAX);
    snprintf(line, sizeof line, "Total files analyzed: %zu\n\n", inventory_included(inv));
    inv_put(&b, line);
    for (int i = 0; i < 3; i++) {
        enum artifact_kind k = inv_kinds[i];
        size_t listed = 0;
        char label[16];

        if (inv->count[k] == 0)
            continue;
        snprintf(label, sizeof label, "%s", artifact_label(k));
        for (char *p = label; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        snprintf(line, sizeof line, "%s Files (%zu)\n", label, inv->count[k]);
        inv_put(&b, line);
        for (size_t f = 0; f < inv->nfiles && listed < INVENTORY_LIST_MAX; f++) {
            if (!inv->files[f].ok || inv->files[f].kind != k)
                continue;
            inv_put(&b, "  - ");
            inv_put(&b, inv->files[f].path);
            inv_put(&b, "\n");
            listed++;
        }
        if (inv->count[k] > INVENTORY_LIST_MAX) {
            snprintf(line, sizeof line, "  ... and %zu more\n",
                     inv->count[k] - INVENTORY_LIST_MAX);
            inv_put(&b, line);
        }
        {
            /* every included file has a time on POSIX, so the line is always there */
            char when[40];

            inv_utc(when, sizeof when, inv->latest[k]);
            snprintf(line, sizeof line, "  Latest modified: %s UTC\n", when);
            inv_put(&b, line);
        }
        inv_put(&b, "\n");
    }
    return buf_steal(&b);
}

static void inv_gap(char ***lines, size_t *n, char *s)
{
    *lines = xrealloc(*lines, (*n + 1) * sizeof **lines);
    (*lines)[(*n)++] = s;
}

size_t inventory_gaps(const struct inventory *inv, char ***lines)
{
    size_t n = 0, skipped = 0;
    size_t csv_nometric = 0, csv_empty = 0, json_nometric = 0, md_nosection = 0;

    *lines = NULL;
    for (size_t i = 0; i < inv->nfiles; i++) {
        const struct inv_file *f = &inv->files[i];

        if (!f->ok) {
            skipped++;
            continue;
        }
        if (f->kind == ART_CSV && f->metric_fields == 0)
            csv_nometric++;
        if (f->kind == ART_CSV && f->rows == 0)
            csv_empty++;
        if (f->kind == ART_JSON && f->metric_fields == 0)
            json_nometric++;
        if (f->kind == ART_MARKDOWN && !f->metrics_section)
            md_nosection++;
    }
    if (!inv->explicit_list) {
        if (inv->walked_root)
            inv_gap(lines, &n, xstrdup("No reports/ or csv_data/ folder: the root itself was "
                                       "walked."));
        else if (!inv->walked_csv_data)
            inv_gap(lines, &n, xstrdup("No csv_data/ folder: only reports/ was walked."));
        else if (!inv->walked_reports)
            inv_gap(lines, &n, xstrdup("No reports/ folder: only csv_data/ (csv, json) was "
                                       "walked, so no Markdown reports."));
    }
    if (inventory_included(inv) == 0) {
        inv_gap(lines, &n, xstrdup("No benchmark artifacts (csv, json, md) were found."));
    } else {
        if (inv->count[ART_CSV] == 0)
            inv_gap(lines, &n, xstrdup("No CSV files: no tabular benchmark results."));
        if (inv->count[ART_JSON] == 0)
            inv_gap(lines, &n, xstrdup("No JSON files: no structured benchmark results."));
        if (inv->count[ART_MARKDOWN] == 0 && (inv->walked_reports || inv->walked_root))
            inv_gap(lines, &n, xstrdup("No Markdown reports."));
    }
    if (skipped > 0)
        inv_gap(lines, &n, xasprintf("%zu file%s could not be parsed and %s left out.", skipped,
                                     skipped == 1 ? "" : "s", skipped == 1 ? "was" : "were"));
    if (inv->nfolder_errors > 0)
        inv_gap(lines, &n, xasprintf("%zu folder%s could not be read.", inv->nfolder_errors,
                                     inv->nfolder_errors == 1 ? "" : "s"));
    if (csv_nometric > 0)
        inv_gap(lines, &n, xasprintf("%zu of %zu CSV files have no tok/throughput/latency/ttft/"
                                     "speed column.", csv_nometric, inv->count[ART_CSV]));
    if (csv_empty > 0)
        inv_gap(lines, &n, xasprintf("%zu CSV file%s no data rows.", csv_empty,
                                     csv_empty == 1 ? " has" : "s have"));
    if (json_nometric > 0)
        inv_gap(lines, &n, xasprintf("%zu of %zu JSON files carry no tok/throughput/latency/"
                                     "ttft/speed value.", json_nometric, inv->count[ART_JSON]));
    if (md_nosection > 0 && inv->count[ART_MARKDOWN] > 0)
        inv_gap(lines, &n, xasprintf("%zu of %zu Markdown files have no Metrics section.",
                                     md_nosection, inv->count[ART_MARKDOWN]));
    return n;
}

void inventory_lines_free(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

char *inventory_to_json(const struct inventory *inv)
{
    struct buf b;
    struct jsonw w;
    char when[40];
    char **gaps;
    size_t ngaps;
    char *summary = inventory_data_summary(inv);
    char *metrics = harvest_to_json(&inv->metrics);

    buf_init(&b, INV_TEXT_MAX);
    jsonw_init(&w, &b);
    jsonw_object_begin(&w);
    jsonw_key(&w, "root");
    jsonw_string(&w, inv->root);
    jsonw_key(&w, "walked");
    jsonw_array_begin(&w);
    if (inv->explicit_list)
        jsonw_string(&w, "(marked files)");
    if (inv->walked_reports)
        jsonw_string(&w, "reports");
    if (inv->walked_csv_data)
        jsonw_string(&w, "csv_data");
    if (inv->walked_root)
        jsonw_string(&w, ".");
    jsonw_array_end(&w);
    jsonw_key(&w, "total_files_analyzed");
    jsonw_int(&w, (int64_t)inventory_included(inv));
    jsonw_key(&w, "counts");
    jsonw_object_begin(&w);
    for (int i = 0; i < 3; i++) {
        jsonw_key(&w, artifact_label(inv_kinds[i]));
        jsonw_int(&w, (int64_t)inv->count[inv_kinds[i]]);
    }
    jsonw_object_end(&w);
    jsonw_key(&w, "latest_modified_utc");
    jsonw_object_begin(&w);
    for (int i = 0; i < 3; i++) {
        jsonw_key(&w, artifact_label(inv_kinds[i]));
        if (inv->count[inv_kinds[i]] == 0) {
            jsonw_null(&w);
            continue;
        }
        inv_utc(when, sizeof when, inv->latest[inv_kinds[i]]);
        jsonw_string(&w, when);
    }
    jsonw_object_end(&w);
    jsonw_key(&w, "total_file_size_bytes");
    jsonw_int(&w, inv->total_size);
    jsonw_key(&w, "other_files");
    jsonw_int(&w, (int64_t)inv->other_files);
    jsonw_key(&w, "files");
    jsonw_array_begin(&w);
    for (size_t i = 0; i < inv->nfiles; i++) {
        const struct inv_file *f = &inv->files[i];

        jsonw_object_begin(&w);
        jsonw_key(&w, "path");
        jsonw_string(&w, f->path);
        jsonw_key(&w, "type");
        jsonw_string(&w, artifact_label(f->kind));
        jsonw_key(&w, "size");
        jsonw_int(&w, f->size);
        jsonw_key(&w, "modified_utc");
        inv_utc(when, sizeof when, f->mtime);
        jsonw_string(&w, when);
        jsonw_key(&w, "included");
        jsonw_bool(&w, f->ok);
        if (f->problem != NULL) {
            jsonw_key(&w, "problem");
            jsonw_string(&w, f->problem);
        }
        jsonw_object_end(&w);
    }
    jsonw_array_end(&w);
    jsonw_key(&w, "folder_errors");
    jsonw_array_begin(&w);
    for (size_t i = 0; i < inv->nfolder_errors; i++)
        jsonw_string(&w, inv->folder_errors[i]);
    jsonw_array_end(&w);
    jsonw_key(&w, "gaps");
    jsonw_array_begin(&w);
    ngaps = inventory_gaps(inv, &gaps);
    for (size_t i = 0; i < ngaps; i++)
        jsonw_string(&w, gaps[i]);
    inventory_lines_free(gaps, ngaps);
    jsonw_array_end(&w);
    jsonw_key(&w, "data_summary");
    jsonw_string(&w, summary);
    jsonw_key(&w, "metrics");
    jsonw_raw_block(&w, metrics);
    jsonw_object_end(&w);
    if (jsonw_finish(&w) < 0 || buf_putc(&b, '\n') < 0)
        fatal("inventory JSON over %u MB", INV_TEXT_MAX >> 20);
    free(summary);
    free(metrics);
    return buf_steal(&b);
}
