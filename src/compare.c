/* compare.c: reading saved runs and comparing two of them. */
#include "compare.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "buf.h"
#include "jsonw.h"
#include "xmem.h"

#define COMPARE_MAX_JSON (256u << 20)

static char *cmp_read(const char *path, size_t *len, struct err *err)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[65536];
    size_t got;

    if (f == NULL) {
        err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    buf_init(&b, COMPARE_MAX_JSON);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf_append(&b, chunk, got) < 0) {
            err_set(err, EFBIG, "%s is larger than %u MB", path, COMPARE_MAX_JSON >> 20);
            fclose(f);
            buf_fini(&b);
            return NULL;
        }
    }
    fclose(f);
    *len = b.len;
    return buf_steal(&b);
}

static char *cmp_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return xstrdup(cJSON_IsString(v) ? v->valuestring : "");
}

static struct maybe cmp_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    struct maybe m = {0, 0};

    /* a figure is a number, or {"value": n, "source": ...}; null means not reported */
    if (cJSON_IsObject(v))
        v = cJSON_GetObjectItemCaseSensitive(v, "value");
    if (cJSON_IsNumber(v)) {
        m.known = 1;
        m.v = v->valuedouble;
    }
    return m;
}

static void cmp_spread(const cJSON *o, const char *key, struct spread *s)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    struct maybe n = cmp_num(v, "n");

    memset(s, 0, sizeof *s);
    if (!cJSON_IsObject(v))
        return;
    s->n = n.known ? (size_t)n.v : 0;
    s->mean = cmp_num(v, "mean");
    s->stddev = cmp_num(v, "stddev");
    s->cv_percent = cmp_num(v, "cv_percent");
    s->min = cmp_num(v, "min");
    s->max = cmp_num(v, "max");
}

int run_summary_load(const char *dir, struct run_summary *out, struct err *err)
{
    char *path = xasprintf("%s/metrics.json", dir);
    size_t len = 0;
    char *text = cmp_read(path, &len, err);
    cJSON *root, *overall;
    const cJSON *schema;

    memset(out, 0, sizeof *out);
    free(path);
    if (text == NULL)
        return -1;
    root = cJSON_ParseWithLength(text, len);
    free(text);
    if (root == NULL) {
        err_set(err, EINVAL, "%s/metrics.json is not valid JSON", dir);
        return -1;
    }
    schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
    if (!cJSON_IsString(schema) || strncmp(schema->valuestring, "chimera.metrics/", 16) != 0) {
        err_set(err, EINVAL, "%s is not a chimera run (its metrics.json has no chimera schema)",
                dir);
        cJSON_Delete(root);
        return -1;
    }
    out->dir = xstrdup(dir);
    out->label = cmp_str(root, "agent_label");
    out->profile = cmp_str(root, "profile");
    out->model = cmp_str(root, "model");
    out->configuration = cmp_str(root, "configuration");
    out->timestamp = cmp_str(root, "timestamp");
    {
        struct maybe r = cmp_num(root, "runs_done");

        out->runs_done = r.known ? (int)r.v : 0;
    }
    out->complete = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "complete"));
    overall = cJSON_GetObjectItemCaseSensitive(root, "overall");
    cmp_spread(overall, "throughput_tok_s", &out->overall.throughput);
    cmp_spread(overall, "ttft_ms", &out->overall.ttft_ms);
    out->overall.total_tokens = cmp_num(overall, "total_tokens");
    out->overall.total_duration_ms = cmp_num(overall, "total_duration_ms");
    out->overall.prompt_eval_ms = cmp_num(overall, "prompt_eval_ms");
    out->overall.eval_ms = cmp_num(overall, "eval_ms");
    out->overall.load_ms = cmp_num(overall, "load_ms");
    cJSON_Delete(root);
    return 0;
}

void run_summary_fini(struct run_summary *s)
{
    free(s->dir);
    free(s->label);
    free(s->profile);
    free(s->model);
    free(s->configuration);
    free(s->timestamp);
    memset(s, 0, sizeof *s);
}

/* --- text ------------------------------------------------------------------------------ */

static void cmp_put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void cmp_put(struct buf *b, const char *fmt, ...)
{
    char line[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (buf_puts(b, line) < 0)
        fatal("comparison text too long");
}

/* "41.20", "+12.3%" or "not reported": `decimals` digits, a sign when `sign`, then
 * `suffix`. */
static const char *cmp_fmt(char *out, size_t cap, struct maybe m, int decimals, int sign,
                           const char *suffix)
{
    if (!m.known)
        snprintf(out, cap, "not reported");
    else if (sign)
        snprintf(out, cap, "%+.*f%s", decimals, m.v, suffix);
    else
        snprintf(out, cap, "%.*f%s", decimals, m.v, suffix);
    return out;
}

/* "41.20 ± 1.10" */
static const char *cmp_pm(char *out, size_t cap, const struct spread *s)
{
    if (!s->mean.known)
        snprintf(out, cap, "not reported");
    else
        snprintf(out, cap, "%.2f ± %.2f", s->mean.v, s->stddev.known ? s->stddev.v : 0.0);
    return out;
}

/* "+12.3% (+5.07)", the table's delta column */
static const char *cmp_delta(char *out, size_t cap, struct maybe pct, struct maybe abs)
{
    if (pct.known && abs.known)
        snprintf(out, cap, "%+.1f%% (%+.2f)", pct.v, abs.v);
    else
        snprintf(out, cap, "not reported");
    return out;
}

/* percent change (new - old) / old * 100, unknown for an unknown or zero old value */
static struct maybe cmp_pct(struct maybe newv, struct maybe oldv)
{
    struct maybe m = {0, 0};

    if (newv.known && oldv.known && oldv.v > 0) {
        m.known = 1;
        m.v = (newv.v - oldv.v) / oldv.v * 100.0;
    }
    return m;
}

static void cmp_header(struct buf *b, const char *tag, const struct run_summary *s)
{
    cmp_put(b, "**%s:** `%s` — %s, %s, profile %s, %d run%s%s  \n", tag, s->dir,
            *s->label ? s->label : "?", *s->model ? s->model : "?", *s->profile ? s->profile : "?",
            s->runs_done, s->runs_done == 1 ? "" : "s", s->complete ? "" : " (incomplete)");
    cmp_put(b, "Configuration: %s; started %s\n\n", *s->configuration ? s->configuration : "?",
            *s->timestamp ? s->timestamp : "?");
}

static void cmp_row(struct buf *b, const char *name, struct maybe a, struct maybe bv,
                    int decimals)
{
    char x[48], y[48], d[64];
    struct maybe pct = cmp_pct(bv, a);

    if (pct.known)
        snprintf(d, sizeof d, "%+.1f%%", pct.v);
    else
        snprintf(d, sizeof d, "not reported");
    cmp_put(b, "| %s | %s | %s | %s |\n", name, cmp_fmt(x, sizeof x, a, decimals, 0, ""),
            cmp_fmt(y, sizeof y, bv, decimals, 0, ""), d);
}

char *compare_markdown(const struct run_summary *a, const struct run_summary *b)
{
    struct buf out;
    struct comparison c;
    char s1[64], s2[64], s3[64], s4[64];

    compare_aggregates(&a->overall, &b->overall, &c);
    buf_init(&out, 1u << 20);
    cmp_put(&out, "# Chimera Run Comparison\n\n");
    cmp_header(&out, "A (baseline)", a);
    cmp_header(&out, "B", b);
    cmp_put(&out, "## Key Findings\n\n");
    cmp_put(&out, "- **Throughput improvement:** %s (%s → %s tok/s)\n",
            cmp_fmt(s1, sizeof s1, c.throughput_improvement_pct, 1, 1, "%"),
            cmp_fmt(s2, sizeof s2, c.throughput_a, 2, 0, ""),
            cmp_fmt(s3, sizeof s3, c.throughput_b, 2, 0, ""));
    cmp_put(&out, "- **TTFT reduction:** %s (%s → %s ms)\n\n",
            cmp_fmt(s1, sizeof s1, c.ttft_reduction_pct, 1, 1, "%"),
            cmp_fmt(s2, sizeof s2, c.ttft_a_ms, 2, 0, ""), cmp_fmt(s3, sizeof s3, c.ttft_b_ms, 2, 0, ""));
    cmp_put(&out, "## Aggregate Performance\n\n");
    cmp_put(&out, "| Metric | A | B | Δ |\n|--------|---|---|---|\n");
    cmp_put(&out, "| Average Throughput (tok/s) | %s | %s | %s |\n",
            cmp_pm(s1, sizeof s1, &a->overall.throughput),
            cmp_pm(s2, sizeof s2, &b->overall.throughput),
            cmp_delta(s3, sizeof s3, c.throughput_improvement_pct, c.throughput_delta));
    cmp_put(&out, "| Average TTFT (ms) | %s | %s | %s |\n", cmp_pm(s1, sizeof s1, &a->overall.ttft_ms),
            cmp_pm(s2, sizeof s2, &b->overall.ttft_ms),
            cmp_delta(s4, sizeof s4, c.ttft_reduction_pct, c.ttft_delta_ms));
    cmp_row(&out, "Total Tokens Generated", a->overall.total_tokens, b->overall.total_tokens, 0);
    cmp_row(&out, "Total Duration (ms)", a->overall.total_duration_ms,
            b->overall.total_duration_ms, 2);
    cmp_row(&out, "Prompt Eval (ms)", a->overall.prompt_eval_ms, b->overall.prompt_eval_ms, 2);
    cmp_row(&out, "Eval Duration (ms)", a->overall.eval_ms, b->overall.eval_ms, 2);
    cmp_row(&out, "Load Duration (ms)", a->overall.load_ms, b->overall.load_ms, 2);
    cmp_put(&out, "\n## Statistical Analysis\n\n### Throughput\n");
    cmp_put(&out, "- A: %s tok/s (CV: %s)\n", cmp_pm(s1, sizeof s1, &a->overall.throughput),
            cmp_fmt(s2, sizeof s2, a->overall.throughput.cv_percent, 1, 0, "%"));
    cmp_put(&out, "- B: %s tok/s (CV: %s)\n", cmp_pm(s1, sizeof s1, &b->overall.throughput),
            cmp_fmt(s2, sizeof s2, b->overall.throughput.cv_percent, 1, 0, "%"));
    cmp_put(&out, "- Improvement: %s tok/s (%s)\n\n",
            cmp_fmt(s1, sizeof s1, c.throughput_delta, 2, 1, ""),
            cmp_fmt(s2, sizeof s2, c.throughput_improvement_pct, 1, 1, "%"));
    cmp_put(&out, "### TTFT\n");
    cmp_put(&out, "- A: %s ms (CV: %s)\n", cmp_pm(s1, sizeof s1, &a->overall.ttft_ms),
            cmp_fmt(s2, sizeof s2, a->overall.ttft_ms.cv_percent, 1, 0, "%"));
    cmp_put(&out, "- B: %s ms (CV: %s)\n", cmp_pm(s1, sizeof s1, &b->overall.ttft_ms),
            cmp_fmt(s2, sizeof s2, b->overall.ttft_ms.cv_percent, 1, 0, "%"));
    cmp_put(&out, "- Reduction: %s ms (%s)\n", cmp_fmt(s1, sizeof s1, c.ttft_delta_ms, 2, 1, ""),
            cmp_fmt(s2, sizeof s2, c.ttft_reduction_pct, 1, 1, "%"));
    cmp_put(&out, "\nThroughput is the server's eval_count / eval_duration; TTFT is measured by "
                  "chimera from sending the request to the first answer token.\n");
    return buf_steal(&out);
}

static void cmp_json_maybe(struct jsonw *w, const char *key, struct maybe m)
{
    jsonw_key(w, key);
    if (m.known)
        jsonw_double(w, m.v);
    else
        jsonw_null(w);
}

static void cmp_json_run(struct jsonw *w, const char *key, const struct run_summary *s)
{
    jsonw_key(w, key);
    jsonw_object_begin(w);
    jsonw_key(w, "dir");
    jsonw_string(w, s->dir);
    jsonw_key(w, "agent_label");
    jsonw_string(w, s->label);
    jsonw_key(w, "model");
    jsonw_string(w, s->model);
    jsonw_key(w, "profile");
    jsonw_string(w, s->profile);
    jsonw_key(w, "configuration");
    jsonw_string(w, s->configuration);
    jsonw_key(w, "runs");
    jsonw_int(w, s->runs_done);
    jsonw_key(w, "complete");
    jsonw_bool(w, s->complete);
    cmp_json_maybe(w, "throughput_mean", s->overall.throughput.mean);
    cmp_json_maybe(w, "throughput_stddev", s->overall.throughput.stddev);
    cmp_json_maybe(w, "throughput_cv_percent", s->overall.throughput.cv_percent);
    cmp_json_maybe(w, "ttft_mean_ms", s->overall.ttft_ms.mean);
    cmp_json_maybe(w, "ttft_stddev_ms", s->overall.ttft_ms.stddev);
    cmp_json_maybe(w, "ttft_cv_percent", s->overall.ttft_ms.cv_percent);
    cmp_json_maybe(w, "total_tokens", s->overall.total_tokens);
    jsonw_object_end(w);
}

char *compare_json(const struct run_summary *a, const struct run_summary *b)
{
    struct buf out;
    struct jsonw w;
    struct comparison c;

    compare_aggregates(&a->overall, &b->overall, &c);
    buf_init(&out, 1u << 20);
    jsonw_init(&w, &out);
    jsonw_object_begin(&w);
    cmp_json_run(&w, "a", a);
    cmp_json_run(&w, "b", b);
    cmp_json_maybe(&w, "throughput_improvement_percent", c.throughput_improvement_pct);
    cmp_json_maybe(&w, "ttft_reduction_percent", c.ttft_reduction_pct);
    cmp_json_maybe(&w, "throughput_delta_absolute", c.throughput_delta);
    cmp_json_maybe(&w, "ttft_delta_absolute_ms", c.ttft_delta_ms);
    jsonw_object_end(&w);
    if (jsonw_finish(&w) < 0 || buf_putc(&out, '\n') < 0)
        fatal("comparison JSON too long");
    return buf_steal(&out);
}

char *run_summary_line(const struct run_summary *s)
{
    char tp[48], ttft[48];

    cmp_fmt(tp, sizeof tp, s->overall.throughput.mean, 2, 0, " tok/s");
    cmp_fmt(ttft, sizeof ttft, s->overall.ttft_ms.mean, 0, 0, " ms");
    return xasprintf("%s · TTFT %s · %d run%s%s", tp, ttft, s->runs_done,
                     s->runs_done == 1 ? "" : "s", s->complete ? "" : " · incomplete");
}
