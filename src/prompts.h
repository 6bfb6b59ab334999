/* prompts.h: the texts of the Chimera agent workflow (SPEC section 5 steps 4-6), exactly
 * as the original agent built and read them, so runs stay comparable with its reports.
 *
 * Step 4, the analysis prompt: the persona prompt, a blank line, then the agent's fixed
 * request for an executive summary, key findings, a metrics analysis and recommendations
 * over the data summary.
 * Step 5, parsing the analysis: the summary section (the lines after a line containing
 * "executive summary", or equal to "summary", up to the next '#' heading; blank lines
 * dropped; the first five lines when there is no such section); key findings = lines
 * containing finding/insight/discovery/key; recommendations = lines containing
 * recommend/suggest/should/consider (case-insensitive, '#' lines skipped, leading bullet
 * characters "-*•" then digits/'.'/')' stripped, at most 10 each).
 * Step 6, the report prompt: the parsed analysis and the harvested metrics as JSON,
 * asking for Executive Summary, Data Ingestion Summary, Performance Analysis, Key
 * Findings, Recommendations and Appendix. */
#ifndef SRC_PROMPTS_H
#define SRC_PROMPTS_H

#include <stddef.h>

#define PROMPTS_MAX_ITEMS 10

struct analysis {
    char *summary;
    char *findings[PROMPTS_MAX_ITEMS];
    size_t nfindings;
    char *recs[PROMPTS_MAX_ITEMS];
    size_t nrecs;
};

/* Step 4. `persona` may be NULL or "" (no persona paragraph). Free the result. */
char *prompts_analysis(const char *persona, const char *data_summary);
/* Step 5. `out` must be released with analysis_fini. */
void analysis_parse(const char *response, struct analysis *out);
void analysis_fini(struct analysis *a);
/* Step 6. `metrics_json` is harvest_to_json()'s text. Free the result. */
char *prompts_report(const struct analysis *a, const char *metrics_json);
/* Rust's str::trim, which the original applied to model text: s[0..n) without Unicode
 * White_Space at either end. Returns where the kept text starts; *len gets its length. */
const char *prompts_trim(const char *s, size_t n, size_t *len);

#endif
