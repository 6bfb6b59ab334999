/* compare.h: two saved runs side by side, as the original agent's comparison report did:
 * throughput improvement %, TTFT reduction %, the absolute deltas, and the spread of each
 * (mean ± stddev, CV%) over every call of every run. A run is read from the metrics.json
 * chimera saved in its folder (schema chimera.metrics/1); a figure either run did not
 * have is "not reported", never 0. */
#ifndef SRC_COMPARE_H
#define SRC_COMPARE_H

#include <stddef.h>

#include "err.h"
#include "runstats.h"

struct run_summary {
    char *dir;
    char *label, *profile, *model, *configuration, *timestamp;
    int runs_done;
    int complete;
    struct aggregate overall;
};

/* Read <dir>/metrics.json. 0, or -1 with `err` naming the folder and what is wrong
 * (missing, not JSON, not a chimera run). `out` must be released with run_summary_fini. */
int run_summary_load(const char *dir, struct run_summary *out, struct err *err);
void run_summary_fini(struct run_summary *s);

/* The comparison of A (baseline) and B as Markdown, or as JSON. Free them. */
char *compare_markdown(const struct run_summary *a, const struct run_summary *b);
char *compare_json(const struct run_summary *a, const struct run_summary *b);

/* A one-line summary of a run for lists: "41.20 tok/s · TTFT 652 ms · 2 runs". Free it. */
char *run_summary_line(const struct run_summary *s);

#endif
