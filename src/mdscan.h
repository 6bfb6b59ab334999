/* mdscan.h: what the metrics pane shows of a Markdown file, read through md4c
 * (CommonMark: a '#' inside a code block is no heading).
 *
 * - the heading outline (level, text, 1-based source line);
 * - a word count (words of text outside code blocks and HTML; inline code counts);
 * - the figures of a "Metrics" section: the list items under a heading whose text is
 *   "Metrics" (any level, any case), until the next heading of the same or a higher
 *   level. Each item "Label: value unit" (e.g. "- Throughput: 41.09 tok/s") gives the
 *   label, the number (commas as thousands separators and a trailing '%' allowed) and
 *   the unit text after it; items without a number keep their text, has_value = 0.
 *
 * Details of the Metrics rule: the text is md4c's plain text, so "**TTFT:** 650 ms"
 * reads as "TTFT: 650 ms". The label is the text before the first ':' (the whole text
 * when there is none). The number may carry a sign ('-', '+' or U+2212), ',' between
 * groups of three digits, a fraction and an exponent ("2.5e3"); a number that runs on
 * into more digits ("2025-11-14", "12:30", "1.2.3", "1,23") is no number. The unit is
 * the text after the number up to a '(', ',' or ';' ("45%" -> "%", "0.16 s (warm)" ->
 * "s"), at most MD_UNIT_MAX bytes. A nested item is a metric of its own, and its text is
 * not part of its parent's. When several headings qualify, the last section counts
 * (chimera's reports append theirs after the model's text, which may have one too).
 *
 * Limits: texts (heading, item) are cut at MD_TEXT_MAX bytes on a UTF-8 boundary; the
 * outline keeps the first MD_MAX_HEADINGS headings and the section its first
 * MD_MAX_METRICS items (the counters still count everything). Line breaks are "\n",
 * "\r\n" or a lone "\r", as in CommonMark. */
#ifndef SRC_MDSCAN_H
#define SRC_MDSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

#define MD_MAX_BYTES (64u << 20) /* larger documents are not outlined */
#define MD_MAX_HEADINGS 10000u
#define MD_MAX_METRICS 1000u
#define MD_TEXT_MAX 1024u
#define MD_UNIT_MAX 64u

struct md_heading {
    int level;   /* 1..6 */
    char *text;  /* plain text of the heading, raw UTF-8 (not sanitised) */
    size_t line; /* 1-based */
};

struct md_metric {
    char *label;
    double value;
    int has_value;
    char *unit;  /* "" when none */
    char *text;  /* the whole item text */
};

struct md_summary {
    struct md_heading *headings;
    size_t nheadings;
    uint64_t words;
    uint64_t lines;
    struct md_metric *metrics;
    size_t nmetrics;
    int has_metrics_section;
    uint64_t code_blocks;
    uint64_t tables;
    uint64_t list_items;
};

/* Summarise text[0..n). 0, or -1 with `err` set (over MD_MAX_BYTES, parser failure).
 * `out` is always initialised and must be released with md_summary_fini. */
int md_summarize(const char *text, size_t n, struct md_summary *out, struct err *err) ATTR_WUR;
void md_summary_fini(struct md_summary *s);

#endif
