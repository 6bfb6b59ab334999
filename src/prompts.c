/* prompts.c: the texts of the Chimera agent workflow and the parser of its analysis.
 *
 * The original agent was written in Rust, so "trim" below is str::trim (Unicode
 * White_Space at both ends), lines are str::lines (split at '\n', a '\r' before it
 * dropped, no empty last line after a final '\n'), and the keyword tests lower-case the
 * line first. Lower-casing is ASCII plus U+212A KELVIN SIGN -> 'k': that is the only
 * non-ASCII character Unicode lower-cases to an ASCII letter on its own, so it is the
 * only one that can change whether "key" or "summary" is found. */
#include "prompts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmem.h"

/* Everything these functions build is a copy of text already in memory plus a few
 * hundred bytes, so the buffers get a limit no input can reach; hitting it means a bug. */
#define PROMPTS_BUF_MAX ((size_t)1 << 31)

static const char prompts_analysis_fmt[] =
    "You are a performance analysis expert. Analyze the following benchmark data and "
    "provide insights.\n\n"
    "Benchmark Data Summary:\n%s\n\n"
    "Please provide:\n"
    "1. Executive summary of the data\n"
    "2. Key performance findings\n"
    "3. Performance metrics analysis\n"
    "4. Recommendations for optimization\n\n"
    "Format your response as structured analysis with clear sections.";

static const char *const prompts_finding_words[] = {"finding", "insight", "discovery", "key"};
static const char *const prompts_rec_words[] = {"recommend", "suggest", "should", "consider"};

/* Length of the Unicode White_Space character starting p[0..n), or 0. */
static size_t prompts_space_at(const unsigned char *p, size_t n)
{
    if (n >= 1 && ((p[0] >= 0x09 && p[0] <= 0x0D) || p[0] == ' '))
        return 1;
    if (n >= 2 && p[0] == 0xC2 && (p[1] == 0x85 || p[1] == 0xA0))
        return 2; /* U+0085, U+00A0 */
    if (n < 3)
        return 0;
    if (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80)
        return 3; /* U+1680 */
    if (p[0] == 0xE2 && p[1] == 0x80 &&
        ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
        return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
    if (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F)
        return 3; /* U+205F */
    if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3; /* U+3000 */
    return 0;
}

/* Length of the White_Space character that ends p[0..n), or 0. A longer match is tried
 * first so the last byte of a 3-byte space is never taken for something shorter. */
static size_t prompts_space_before(const unsigned char *p, size_t n)
{
    for (size_t len = 3; len >= 1; len--)
        if (len <= n && prompts_space_at(p + n - len, len) == len)
            return len;
    return 0;
}

const char *prompts_trim(const char *s, size_t n, size_t *len)
{
    const unsigned char *b = (const unsigned char *)s, *e = b + n;
    size_t w;

    while (b < e && (w = prompts_space_at(b, (size_t)(e - b))) > 0)
        b += w;
    while (e > b && (w = prompts_space_before(b, (size_t)(e - b))) > 0)
        e -= w;
    *len = (size_t)(e - b);
    return (const char *)b;
}

/* The next line of text[*pos..n) as str::lines yields it; 0 at the end. */
static int prompts_next_line(const char *text, size_t n, size_t *pos, const char **line,
                             size_t *len)
{
    const char *start, *nl;

    if (*pos >= n)
        return 0;
    start = text + *pos;
    nl = memchr(start, '\n', n - *pos);
    if (nl == NULL) {
        *len = n - *pos;
        *pos = n;
    } else {
        *len = (size_t)(nl - start);
        *pos += *len + 1;
        if (*len > 0 && start[*len - 1] == '\r')
            (*len)--;
    }
    *line = start;
    return 1;
}

/* The line lower-cased as described at the top, NUL-terminated (free it). */
static char *prompts_lower(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x84 &&
            (unsigned char)s[i + 2] == 0xAA) {
            out[o++] = 'k';
            i += 2;
        } else {
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
    }
    out[o] = '\0';
    return out;
}

static int prompts_has_any(const char *lower, const char *const *words, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++)
        if (strstr(lower, words[i]) != NULL)
            return 1;
    return 0;
}

/* The original's clean_bullet: leading '-', '*', '•' (in any mix), then leading digits,
 * '.' and ')', then trim. A copy; free it. */
static char *prompts_clean_bullet(const char *s, size_t n)
{
    size_t i = 0, len;
    const char *t;

    while (i < n) {
        if (s[i] == '-' || s[i] == '*')
            i++;
        else if (n - i >= 3 && memcmp(s + i, "\xE2\x80\xA2", 3) == 0)
            i += 3;
        else
            break;
    }
    while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == ')'))
        i++;
    t = prompts_trim(s + i, n - i, &len);
    return xstrndup(t, len);
}

/* Lines (trimmed, not empty, not a '#' heading) containing one of `words`, cleaned of
 * bullets, at most PROMPTS_MAX_ITEMS. */
static size_t prompts_extract(const char *text, size_t n, const char *const *words, size_t nwords,
                              char **items)
{
    size_t pos = 0, count = 0, rawlen, len;
    const char *raw;

    while (count < PROMPTS_MAX_ITEMS && prompts_next_line(text, n, &pos, &raw, &rawlen)) {
        const char *t = prompts_trim(raw, rawlen, &len);
        char *lower;

        if (len == 0 || t[0] == '#')
            continue;
        lower = prompts_lower(t, len);
        if (prompts_has_any(lower, words, nwords))
            items[count++] = prompts_clean_bullet(t, len);
        free(lower);
    }
    return count;
}

static void prompts_append(struct buf *b, const char *s, size_t n)
{
    if (buf_append(b, s, n) < 0)
        fatal("prompts: text larger than %zu bytes", b->max);
}

/* The summary section as the original cut it (see prompts.h). Free it. */
static char *prompts_summary(const char *text, size_t n)
{
    struct buf out;
    size_t pos = 0, rawlen, len;
    const char *raw, *t;
    int in_summary = 0, found = 0;

    buf_init(&out, PROMPTS_BUF_MAX);
    while (prompts_next_line(text, n, &pos, &raw, &rawlen)) {
        char *lower;
        int heading;

        t = prompts_trim(raw, rawlen, &len);
        if (len == 0) {
            /* an empty line inside the section counts as "something collected" in the
             * original, but is dropped from the text; only `found` needs to know */
            found |= in_summary;
            continue;
        }
        lower = prompts_lower(t, len);
        heading = strstr(lower, "executive summary") != NULL || strcmp(lower, "summary") == 0;
        free(lower);
        if (heading) {
            in_summary = 1;
            continue;
        }
        if (!in_summary)
            continue;
        if (t[0] == '#')
            break;
        if (out.len > 0)
            prompts_append(&out, "\n", 1);
        prompts_append(&out, t, len);
        found = 1;
    }
    if (found)
        return buf_steal(&out);

    /* no section: the first five lines, each trimmed (empty ones kept) */
    pos = 0;
    for (int i = 0; i < 5 && prompts_next_line(text, n, &pos, &raw, &rawlen); i++) {
        t = prompts_trim(raw, rawlen, &len);
        if (i > 0)
            prompts_append(&out, "\n", 1);
        prompts_append(&out, t, len);
    }
    return buf_steal(&out);
}

char *prompts_analysis(const char *persona, const char *data_summary)
{
    char *request = xasprintf(prompts_analysis_fmt, data_summary != NULL ? data_summary : "");
    size_t plen;
    char *out;

    if (persona == NULL)
        return request;
    /* trailing white space of the persona would add lines to the one blank line the
     * layout puts between the persona and the request */
    plen = strlen(persona);
    while (plen > 0 && prompts_space_before((const unsigned char *)persona, plen) > 0)
        plen -= prompts_space_before((const unsigned char *)persona, plen);
    if (plen == 0)
        return request;
    out = xasprintf("%.*s\n\n%s", (int)plen, persona, request);
    free(request);
    return out;
}

void analysis_parse(const char *response, struct analysis *out)
{
    const char *text = response != NULL ? response : "";
    size_t n = strlen(text);

    memset(out, 0, sizeof *out);
    out->summary = prompts_summary(text, n);
    out->nfindings = prompts_extract(text, n, prompts_finding_words,
                                     sizeof prompts_finding_words / sizeof prompts_finding_words[0],
                                     out->findings);
    out->nrecs = prompts_extract(text, n, prompts_rec_words,
                                 sizeof prompts_rec_words / sizeof prompts_rec_words[0], out->recs);
}

void analysis_fini(struct analysis *a)
{
    if (a == NULL)
        return;
    free(a->summary);
    for (size_t i = 0; i < a->nfindings; i++)
        free(a->findings[i]);
    for (size_t i = 0; i < a->nrecs; i++)
        free(a->recs[i]);
    memset(a, 0, sizeof *a);
}

/* "1. x\n2. y", or "None provided" for no items. */
static void prompts_numbered(struct buf *b, char *const *items, size_t n)
{
    char num[32];

    if (n == 0) {
        prompts_append(b, "None provided", strlen("None provided"));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int len = snprintf(num, sizeof num, "%s%zu. ", i > 0 ? "\n" : "", i + 1);

        prompts_append(b, num, (size_t)len);
        prompts_append(b, items[i], strlen(items[i]));
    }
}

static void prompts_puts(struct buf *b, const char *s)
{
    prompts_append(b, s, strlen(s));
}

char *prompts_report(const struct analysis *a, const char *metrics_json)
{
    static const struct analysis none;
    struct buf b;

    if (a == NULL)
        a = &none;
    buf_init(&b, PROMPTS_BUF_MAX);
    prompts_puts(&b, "Generate a comprehensive technical report in the style of Technical "
                     "Report 108.\n\n"
                     "Analysis Results:\n"
                     "- Summary: ");
    prompts_puts(&b, a->summary != NULL ? a->summary : "");
    prompts_puts(&b, "\n- Key Findings:\n");
    prompts_numbered(&b, a->findings, a->nfindings);
    prompts_puts(&b, "\n- Performance Metrics: ");
    prompts_puts(&b, metrics_json != NULL ? metrics_json : "{}");
    prompts_puts(&b, "\n- Recommendations:\n");
    prompts_numbered(&b, a->recs, a->nrecs);
    prompts_puts(&b, "\n\n"
                     "Create a professional technical report with the following structure:\n"
                     "1. Executive Summary\n"
                     "2. Data Ingestion Summary\n"
                     "3. Performance Analysis\n"
                     "4. Key Findings\n"
                     "5. Recommendations\n"
                     "6. Appendix\n\n"
                     "Use markdown formatting and include specific metrics and data points.");
    return buf_steal(&b);
}
