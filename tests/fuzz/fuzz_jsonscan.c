/* fuzz_jsonscan.c: libFuzzer target for the JSON scanner, the harvest and the JSON tree,
 * differential against cJSON.
 *
 * The first input byte picks where the document (the rest) is split into chunks; then:
 *   - jsonscan gives the same leaves, or the same error, whole, split in two and split
 *     in three, and harvest_json_leaf (with its memo of the previous path) harvests
 *     what the rule applied plainly to each leaf does;
 *   - where cJSON (cJSON_ParseWithLengthOpts, require_null_terminated) rejects, jsonscan
 *     rejects too. The other direction does not hold: jsonscan is strict as serde_json
 *     is, while cJSON lets through leading zeros ("01"), "1." and "-.5", raw control
 *     characters and invalid UTF-8 in strings, bad \u digits (read as 0), any byte up to
 *     0x20 as white space, a UTF-8 BOM, numbers that overflow to infinity, and nesting
 *     down to 1000 levels (jsonscan stops at JSONSCAN_MAX_DEPTH, and at its path and
 *     number length limits). The one way cJSON is stricter: releases without the
 *     CVE-2023-26819 fix reject numbers longer than 63 characters, so a rejection by
 *     cJSON only counts when every number is shorter;
 *   - jsondoc accepts exactly what jsonscan accepts (with the same message when it does
 *     not), has one node per value, and cJSON's doubles equal jsonscan's numbers;
 *   - when both accept, harvesting through jsonscan and through the jsondoc tree gives
 *     the same map (unless a string holds \u0000, where cJSON's C strings end early, or a
 *     string value was longer than jsonscan delivers), and harvest_to_json parses back
 *     to the same numbers.
 *
 * Build and run (from the top of the tree; crash files land in the current directory,
 * so run it from a scratch directory or pass -artifact_prefix=/tmp/):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *     $(pkg-config --cflags libcjson) tests/fuzz/fuzz_jsonscan.c src/jsonscan.c \
 *     src/harvest.c src/jsondoc.c src/numparse.c src/buf.c src/xmem.c src/err.c \
 *     src/clock.c $(pkg-config --libs libcjson) -lm -o /tmp/fuzz_json
 *   /tmp/fuzz_json -max_total_time=120 -artifact_prefix=/tmp/ /tmp/json-corpus */
#include <cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harvest.h"
#include "jsondoc.h"
#include "jsonscan.h"
#include "numparse.h"

/* cJSON before the CVE-2023-26819 fix copies at most this many characters of a number. */
#define FUZZ_CJSON_NUMBER_MAX 63

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_log {
    struct buf text; /* one line per leaf */
    struct harvest harvest;
    struct harvest reference; /* the rule applied plainly, leaf by leaf */
    double *numbers;          /* every number, in order */
    size_t nnumbers, cap;
    size_t longest_number;
    bool has_nul; /* a name or string value holds U+0000 */
    bool truncated;
};

static void fuzz_require(bool ok, const char *what)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz_jsonscan: %s\n", what);
    abort();
}

/* The harvest rule without harvest_json_leaf's shortcuts (its memo of the last path). */
static void fuzz_reference(const struct json_leaf *leaf, struct harvest *ref)
{
    char *key;
    double v;

    if (leaf->pathlen == 0 || memchr(leaf->path, '\0', leaf->pathlen) != NULL ||
        !harvest_keyword(leaf->path, leaf->pathlen))
        return;
    if (leaf->type == JSON_LEAF_NUMBER)
        v = leaf->number;
    else if (leaf->type != JSON_LEAF_STRING || leaf->truncated ||
             !harvest_parse_number(leaf->text, leaf->textlen, &v))
        return;
    key = malloc(leaf->pathlen + 6);
    fuzz_require(key != NULL, "out of memory");
    memcpy(key, "json_", 5);
    memcpy(key + 5, leaf->path, leaf->pathlen + 1);
    harvest_put_number(ref, key, v);
    free(key);
}

static void fuzz_leaf(const struct json_leaf *leaf, void *arg)
{
    struct fuzz_log *log = arg;
    int rc;

    fuzz_require(leaf->path[leaf->pathlen] == '\0', "path not NUL-terminated");
    fuzz_require(leaf->text[leaf->textlen] == '\0', "text not NUL-terminated");
    fuzz_require(leaf->pathlen <= JSONSCAN_MAX_PATH, "path over the limit");
    rc = buf_printf(&log->text, "%d %d ", (int)leaf->type, leaf->truncated);
    rc |= buf_append(&log->text, leaf->path, leaf->pathlen);
    rc |= buf_putc(&log->text, '=');
    rc |= buf_append(&log->text, leaf->text, leaf->textlen);
    rc |= buf_putc(&log->text, '\n');
    fuzz_require(rc == 0, "log buffer full");
    if (memchr(leaf->path, '\0', leaf->pathlen) != NULL)
        log->has_nul = true;
    if (leaf->type == JSON_LEAF_STRING) {
        fuzz_require(leaf->textlen <= JSONSCAN_MAX_STRING, "string over the limit");
        if (memchr(leaf->text, '\0', leaf->textlen) != NULL)
            log->has_nul = true;
        if (leaf->truncated)
            log->truncated = true;
    }
    if (leaf->type == JSON_LEAF_NUMBER) {
        double v;

        fuzz_require(isfinite(leaf->number), "non-finite number delivered");
        fuzz_require(num_parse(leaf->text, leaf->textlen, &v) == 1 &&
                         memcmp(&v, &leaf->number, sizeof v) == 0,
                     "number differs from num_parse of its text");
        if (log->nnumbers == log->cap) {
            log->cap = log->cap ? log->cap * 2 : 16;
            log->numbers = realloc(log->numbers, log->cap * sizeof *log->numbers);
            fuzz_require(log->numbers != NULL, "out of memory");
        }
        log->numbers[log->nnumbers++] = leaf->number;
        if (leaf->textlen > log->longest_number)
            log->longest_number = leaf->textlen;
    }
    harvest_json_leaf(leaf, &log->harvest);
    fuzz_reference(leaf, &log->reference);
}

/* Scan doc[0..n) in chunks ending at cut[0] < cut[1] < ... (ncut of them, each <= n). */
static int fuzz_scan(const char *doc, size_t n, const size_t *cut, size_t ncut,
                     struct fuzz_log *log, struct err *err, struct jsonscan_stats *stats)
{
    struct jsonscan *s;
    size_t at = 0;
    int rc = 0;

    memset(log, 0, sizeof *log);
    buf_init(&log->text, SIZE_MAX / 2);
    harvest_init(&log->harvest);
    harvest_init(&log->reference);
    err_clear(err);
    s = jsonscan_new(fuzz_leaf, log);
    for (size_t i = 0; i <= ncut && rc == 0; i++) {
        size_t to = i < ncut ? cut[i] : n;

        rc = jsonscan_feed(s, doc + at, to - at, err);
        at = to;
    }
    if (rc == 0)
        rc = jsonscan_finish(s, err);
    *stats = *jsonscan_stats(s);
    jsonscan_free(s);
    return rc;
}

static void fuzz_log_free(struct fuzz_log *log)
{
    buf_fini(&log->text);
    harvest_fini(&log->harvest);
    harvest_fini(&log->reference);
    free(log->numbers);
}

static void fuzz_same_run(int rc, const struct err *err, const struct fuzz_log *log, int rc2,
                          const struct err *err2, const struct fuzz_log *log2)
{
    fuzz_require(rc == rc2, "result depends on chunking");
    if (rc < 0)
        fuzz_require(strcmp(err->msg, err2->msg) == 0, "error depends on chunking");
    fuzz_require(log->text.len == log2->text.len &&
                     memcmp(buf_cstr(&log->text), buf_cstr(&log2->text), log->text.len) == 0,
                 "leaves depend on chunking");
}

/* cJSON's numbers in document order. */
static void fuzz_cjson_numbers(const cJSON *item, double **out, size_t *n, size_t *cap)
{
    for (; item != NULL; item = item->next) {
        if (cJSON_IsNumber(item)) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 16;
                *out = realloc(*out, *cap * sizeof **out);
                fuzz_require(*out != NULL, "out of memory");
            }
            (*out)[(*n)++] = item->valuedouble;
        }
        fuzz_cjson_numbers(item->child, out, n, cap);
    }
}

/* The same harvest through the tree: every scalar line becomes a leaf for the same rule. */
static void fuzz_harvest_tree(struct jsondoc *d, struct harvest *h)
{
    jsondoc_expand_depth(d, INT_MAX);
    fuzz_require(jsondoc_visible(d) == jsondoc_nodes(d), "fully expanded tree hides nodes");
    for (size_t i = 0; i < jsondoc_visible(d); i++) {
        struct jsondoc_line line;
        struct json_leaf leaf;
        char *path;

        fuzz_require(jsondoc_line(d, i, &line) == 0, "visible line out of range");
        fuzz_require(jsondoc_line_of(d, line.node) == (long)i, "jsondoc_line_of");
        if (line.type != JSONDOC_NUMBER && line.type != JSONDOC_STRING)
            continue;
        path = jsondoc_path(d, i);
        memset(&leaf, 0, sizeof leaf);
        leaf.path = path;
        leaf.pathlen = strlen(path);
        leaf.text = line.value;
        leaf.textlen = strlen(line.value);
        leaf.type = line.type == JSONDOC_NUMBER ? JSON_LEAF_NUMBER : JSON_LEAF_STRING;
        if (leaf.type == JSON_LEAF_NUMBER)
            fuzz_require(num_parse(leaf.text, leaf.textlen, &leaf.number) == 1,
                         "tree number text does not parse");
        harvest_json_leaf(&leaf, h);
        free(path);
    }
}

static void fuzz_same_harvest(const struct harvest *a, const struct harvest *b)
{
    fuzz_require(a->n == b->n, "harvests differ in size");
    for (size_t i = 0; i < a->n; i++) {
        fuzz_require(strcmp(a->entries[i].key, b->entries[i].key) == 0, "harvest keys differ");
        fuzz_require(memcmp(&a->entries[i].number, &b->entries[i].number, sizeof(double)) == 0,
                     "harvest values differ");
    }
}

/* harvest_to_json is JSON that gives back every key and number. */
static void fuzz_check_output(const struct harvest *h)
{
    char *text = harvest_to_json(h);
    cJSON *root = cJSON_Parse(text);

    fuzz_require(root != NULL, "harvest_to_json is not JSON");
    fuzz_require((size_t)cJSON_GetArraySize(root) == h->n, "harvest_to_json lost keys");
    for (size_t i = 0; i < h->n; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, h->entries[i].key);

        fuzz_require(v != NULL && cJSON_IsNumber(v), "harvest_to_json lost a value");
        fuzz_require(v->valuedouble == h->entries[i].number, "number does not read back");
    }
    cJSON_Delete(root);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *doc = (const char *)data + (size > 0 ? 1 : 0);
    size_t n = size > 0 ? size - 1 : 0, cut2[2];
    size_t knob = size > 0 ? data[0] : 0;
    struct fuzz_log whole, split, three;
    struct err err, err2, err3;
    struct jsonscan_stats stats, stats2, stats3;
    int rc, rc2, rc3;
    char *copy;
    cJSON *root;
    struct jsondoc *d;
    struct err derr;

    rc = fuzz_scan(doc, n, NULL, 0, &whole, &err, &stats);
    cut2[0] = n * knob / 255;
    rc2 = fuzz_scan(doc, n, cut2, 1, &split, &err2, &stats2);
    cut2[0] = knob % (n + 1);
    cut2[1] = cut2[0] + (n - cut2[0]) / 2;
    rc3 = fuzz_scan(doc, n, cut2, 2, &three, &err3, &stats3);
    fuzz_same_run(rc, &err, &whole, rc2, &err2, &split);
    fuzz_same_run(rc, &err, &whole, rc3, &err3, &three);
    fuzz_require(memcmp(&stats, &stats2, sizeof stats) == 0 &&
                     memcmp(&stats, &stats3, sizeof stats) == 0,
                 "stats depend on chunking");
    fuzz_same_harvest(&whole.harvest, &split.harvest);
    fuzz_same_harvest(&whole.harvest, &whole.reference);
    fuzz_log_free(&split);
    fuzz_log_free(&three);
    if (rc < 0)
        fuzz_require(strncmp(err.msg, "line ", 5) == 0, "error without a position");

    /* cJSON with require_null_terminated: the length counts the terminating NUL. */
    copy = malloc(n + 1);
    fuzz_require(copy != NULL, "out of memory");
    if (n > 0)
        memcpy(copy, doc, n);
    copy[n] = '\0';
    root = cJSON_ParseWithLengthOpts(copy, n + 1, NULL, 1);
    if (root == NULL && rc == 0)
        fuzz_require(whole.longest_number > FUZZ_CJSON_NUMBER_MAX,
                     "cJSON rejects what jsonscan accepts");

    d = jsondoc_parse(doc, n, &derr);
    if (rc < 0) {
        fuzz_require(d == NULL, "jsondoc accepts what jsonscan rejects");
        fuzz_require(strcmp(derr.msg, err.msg) == 0, "jsondoc and jsonscan errors differ");
    } else if (d == NULL) {
        fuzz_require(whole.longest_number > FUZZ_CJSON_NUMBER_MAX, "jsondoc rejects valid JSON");
    } else {
        fuzz_require(jsondoc_nodes(d) == stats.values, "jsondoc node count");
        if (root != NULL) {
            double *nums = NULL;
            size_t nn = 0, cap = 0;

            fuzz_cjson_numbers(root, &nums, &nn, &cap);
            fuzz_require(nn == whole.nnumbers, "cJSON and jsonscan count numbers differently");
            for (size_t i = 0; i < nn; i++)
                fuzz_require(memcmp(&nums[i], &whole.numbers[i], sizeof(double)) == 0,
                             "cJSON and jsonscan read a number differently");
            free(nums);
        }
        if (!whole.has_nul && !whole.truncated) {
            struct harvest tree;

            harvest_init(&tree);
            fuzz_harvest_tree(d, &tree);
            fuzz_same_harvest(&whole.harvest, &tree);
            harvest_fini(&tree);
        }
        fuzz_check_output(&whole.harvest);
        /* Toggling every line open and shut leaves the view as it was. */
        jsondoc_expand_depth(d, (int)(knob % 4));
        {
            size_t before = jsondoc_visible(d);

            for (size_t i = 0; i < jsondoc_visible(d) && i < 64; i++) {
                jsondoc_toggle(d, i);
                jsondoc_toggle(d, i);
            }
            fuzz_require(jsondoc_visible(d) == before, "toggle twice changed the view");
        }
        jsondoc_free(d);
    }
    cJSON_Delete(root);
    free(copy);
    fuzz_log_free(&whole);
    return 0;
}
