/* csvsrc.c: libcsv behind a small callback interface, with a cap on field length.
 *
 * libcsv (3.0.x) keeps the field being parsed in one buffer that it grows by a fixed
 * block through a realloc hook. The hook takes no user pointer, so a per-parser cap cannot
 * live in it without a mutable global. Instead:
 *   - input is handed to csv_parse in slices of CSVSRC_SLICE bytes, and after each slice
 *     the buffer size is checked against this parser's cap: the buffer only grows when
 *     the field fills it, so a size above max_field + block means some field passed
 *     max_field; completed fields are also checked exactly in the field callback;
 *   - the realloc hook refuses anything above a fixed ceiling (a constant, not state) as
 *     a backstop, which libcsv reports as CSV_ENOMEM.
 * Memory per parser is therefore about max_field + one block + one slice at most.
 *
 * libcsv's non-strict mode is used: stray quotes are kept as data, and a quoted field that
 * is still open at the end of input is delivered by csv_fini rather than lost. It also
 * trims spaces and tabs around unquoted fields and never reports blank lines.
 *
 * Fast path. libcsv looks at every byte through a general state machine (about 300 MB/s
 * here), which alone would use the whole time budget of the statistics. Most lines of a
 * benchmark CSV are plain: fields that are unquoted, or quoted and closed on the same
 * line, with no bare CR and no stray quote. When libcsv is known to be at the start of a
 * row with nothing buffered, such a line is split here, with exactly libcsv's rules
 * (blanks trimmed around unquoted fields and after a closing quote, "" inside quotes is
 * one quote, a blank line is no row). Any other line goes to libcsv, which stays the
 * reference: csvsrc_set_fast(s, 0) sends everything there, and the tests and the fuzzer
 * compare both ways callback for callback. Field ends are found 64 bytes at a time: a
 * bitmap of delimiter, quote, CR and LF bytes (SSE2 compares where available).
 *
 * Knowing that libcsv is at a row start: it is handed input one segment at a time, a
 * segment ending at the next CR or LF. A row can end only on such a byte, so if the row
 * callback fired during a segment, libcsv is at a row start after it. If it did not, it
 * is still at a row start only if it was at one before and the segment held nothing but
 * blanks (libcsv skips those and ignores the terminator). Anything else, such as a newline
 * inside quotes, keeps the input on libcsv until a row really ends. */
#include "csvsrc.h"

#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "xmem.h"

#define CSVSRC_SLICE ((size_t)64 << 10)
#define CSVSRC_BLOCK_MIN ((size_t)128)
#define CSVSRC_BLOCK_MAX ((size_t)1 << 20)
#define CSVSRC_SNIFF_LINES 256
#define CSVSRC_FAST_LINE ((size_t)64 << 10) /* longer lines go to libcsv */
#define CSVSRC_FAST_FIELDS 4096             /* lines with more fields too */

/* Byte classes for the fast path; 0 is "ordinary data". */
enum { CLS_DATA, CLS_BLANK, CLS_DELIM, CLS_QUOTE, CLS_CR, CLS_LF };

/* Where the special bytes (delimiter, quote, CR, LF) are: a bitmap of the 64 bytes from
 * `blk` (fewer at the end of the input), so finding the end of a field is a shift and a
 * count of trailing zeros rather than a loop over its bytes. */
struct csvsrc_scan {
    const char *blk;
    size_t len; /* bytes the bitmap covers; 0 before the first block */
    uint64_t bits;
    const char *end;
};

/* A field found by the fast path: bytes [start, start + len), `esc` when doubled quotes
 * must be collapsed. */
struct csvsrc_span {
    const char *start;
    size_t len;
    int esc;
};

/* Backstop for the realloc hook: above the largest cap csvsrc_new accepts plus the
 * slack the slice check allows, so it only fires if that check is ever bypassed. */
static const size_t csvsrc_ceiling = CSVSRC_FIELD_LIMIT + 2 * CSVSRC_BLOCK_MAX + CSVSRC_SLICE;

struct csvsrc {
    struct csv_parser parser;
    size_t max_field;
    size_t block; /* libcsv's growth step for this parser */
    size_t col;   /* index of the next field in the current row */
    int too_long; /* a completed field was over max_field */
    int failed;   /* sticky: every later call fails too */
    csvsrc_field_fn field;
    csvsrc_row_fn row;
    void *arg;
    /* fast path */
    int fast_ok;        /* the delimiter allows it */
    int fast;           /* in use */
    int at_start;       /* libcsv is at a row start with nothing buffered */
    int seg_from_start; /* the segment being fed to libcsv began at a row start */
    int seg_blank;      /* ... and has held only blanks so far */
    size_t seg_rows;    /* rows libcsv ended during that segment */
    size_t fast_line;   /* longest line the fast path takes: min(max_field, 64 KiB) */
    unsigned char cls[256];
    char delim;
    struct csvsrc_span *spans;
    size_t spans_cap;
    char *unq; /* one field with its doubled quotes collapsed: fast_line bytes */
};

static void *csvsrc_realloc(void *p, size_t n)
{
    if (n > csvsrc_ceiling)
        return NULL;
    return realloc(p, n);
}

static void csvsrc_on_field(void *data, size_t len, void *arg)
{
    struct csvsrc *s = arg;

    if (len > s->max_field) {
        s->too_long = 1;
        return;
    }
    s->field(data, len, s->col++, s->arg);
}

static void csvsrc_on_row(int term, void *arg)
{
    struct csvsrc *s = arg;

    (void)term;
    s->row(s->col, s->arg);
    s->col = 0;
    s->seg_rows++;
}

struct csvsrc *csvsrc_new(char delim, size_t max_field, csvsrc_field_fn field, csvsrc_row_fn row,
                          void *arg)
{
    struct csvsrc *s = xcalloc(1, sizeof *s);
    unsigned char d = (unsigned char)delim;

    if (csv_init(&s->parser, 0) != 0)
        fatal("csv_init failed");
    csv_set_delim(&s->parser, d);
    csv_set_realloc_func(&s->parser, csvsrc_realloc);
    if (max_field == 0 || max_field > CSVSRC_FIELD_LIMIT)
        max_field = CSVSRC_FIELD_LIMIT;
    /* A block of 1/16 of the cap keeps the number of reallocations of a huge field small
     * while bounding the overshoot; 128 bytes is libcsv's own default. */
    s->block = max_field / 16;
    if (s->block < CSVSRC_BLOCK_MIN)
        s->block = CSVSRC_BLOCK_MIN;
    if (s->block > CSVSRC_BLOCK_MAX)
        s->block = CSVSRC_BLOCK_MAX;
    csv_set_blk_size(&s->parser, s->block);
    s->max_field = max_field;
    s->field = field;
    s->row = row;
    s->arg = arg;

    /* Blanks are what libcsv skips: space and tab, except the delimiter. A delimiter that
     * is a quote, a line end or a space is left to libcsv alone. */
    s->fast_ok = d != '"' && d != '\r' && d != '\n' && d != ' ';
    s->fast = s->fast_ok;
    s->cls[' '] = CLS_BLANK;
    s->cls['\t'] = CLS_BLANK;
    s->cls['"'] = CLS_QUOTE;
    s->cls['\r'] = CLS_CR;
    s->cls['\n'] = CLS_LF;
    if (s->fast_ok)
        s->cls[d] = CLS_DELIM;
    s->delim = delim;
    s->fast_line = max_field < CSVSRC_FAST_LINE ? max_field : CSVSRC_FAST_LINE;
    s->at_start = s->seg_from_start = s->seg_blank = 1;
    return s;
}

void csvsrc_set_fast(struct csvsrc *s, int on)
{
    s->fast = on && s->fast_ok;
}

static int csvsrc_too_long(struct csvsrc *s, struct err *err)
{
    s->failed = 1;
    if (s->max_field >= ((size_t)1 << 20))
        err_set(err, EFBIG, "a field is longer than %zu MB (an unclosed quote?)",
                s->max_field >> 20);
    else
        err_set(err, EFBIG, "a field is longer than %zu bytes (an unclosed quote?)", s->max_field);
    return -1;
}

static int csvsrc_check(struct csvsrc *s, int parse_ok, struct err *err)
{
    if (s->too_long || csv_get_buffer_size(&s->parser) > s->max_field + s->block)
        return csvsrc_too_long(s, err);
    if (!parse_ok) {
        int code = csv_error(&s->parser);

        /* the hook refuses only sizes past the ceiling, so ENOMEM below it is real */
        if (code == CSV_ENOMEM && csv_get_buffer_size(&s->parser) + s->block <= csvsrc_ceiling)
            fatal("out of memory growing the CSV field buffer");
        if (code == CSV_ENOMEM || code == CSV_ETOOBIG)
            return csvsrc_too_long(s, err);
        s->failed = 1;
        err_set(err, EINVAL, "CSV parser error: %s", csv_strerror(code));
        return -1;
    }
    return 0;
}

/* Hand p[0..n) to libcsv in slices, checking the field cap after each. */
static int csvsrc_libcsv(struct csvsrc *s, const char *p, size_t n, struct err *err)
{
    while (n > 0) {
        size_t k = n < CSVSRC_SLICE ? n : CSVSRC_SLICE;
        size_t done = csv_parse(&s->parser, p, k, csvsrc_on_field, csvsrc_on_row, s);

        if (csvsrc_check(s, done == k, err) < 0)
            return -1;
        p += k;
        n -= k;
    }
    return 0;
}

/* Feed libcsv one segment: up to and including the next CR or LF, or to `end`. Returns
 * the bytes consumed, or 0 on error. Tracks whether libcsv is at a row start after it. */
static size_t csvsrc_segment(struct csvsrc *s, const char *p, const char *end, struct err *err)
{
    const char *q = p;
    int blank = 1, term = 0;

    for (; q < end; q++) {
        unsigned char c = s->cls[(unsigned char)*q];

        if (c == CLS_CR || c == CLS_LF) {
            term = 1;
            q++;
            break;
        }
        if (c != CLS_BLANK)
            blank = 0;
    }
    if (csvsrc_libcsv(s, p, (size_t)(q - p), err) < 0)
        return 0;
    s->seg_blank = s->seg_blank && blank;
    s->at_start = 0;
    if (term) {
        s->at_start = s->seg_rows > 0 || (s->seg_from_start && s->seg_blank);
        s->seg_from_start = s->at_start;
        s->seg_blank = 1;
        s->seg_rows = 0;
    }
    return (size_t)(q - p);
}

static void csvsrc_add_span(struct csvsrc *s, size_t n, const char *start, size_t len, int esc)
{
    if (n >= s->spans_cap)
        s->spans = xgrow(s->spans, &s->spans_cap, n + 1, sizeof *s->spans);
    s->spans[n].start = start;
    s->spans[n].len = len;
    s->spans[n].esc = esc;
}

/* Bitmap of the special bytes among b[0..n), n <= 64. */
static uint64_t csvsrc_block(const struct csvsrc *s, const char *b, size_t n)
{
    uint64_t bits = 0;

#if defined(__SSE2__)
    if (n == 64) {
        const __m128i d = _mm_set1_epi8(s->delim), q = _mm_set1_epi8('"');
        const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');

        for (int i = 0; i < 4; i++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * i));
            __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, d), _mm_cmpeq_epi8(x, q)),
                                     _mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, lf)));

            bits |= (uint64_t)(unsigned)_mm_movemask_epi8(m) << (16 * i);
        }
        return bits;
    }
#endif
    for (size_t i = 0; i < n; i++)
        bits |= (uint64_t)(s->cls[(unsigned char)b[i]] >= CLS_DELIM) << i;
    return bits;
}

/* The first special byte at or after q, or it->end. */
static inline const char *csvsrc_next(const struct csvsrc *s, struct csvsrc_scan *it, const char *q)
{
    for (;;) {
        uint64_t m;

        if (q >= it->end)
            return it->end;
        if (q < it->blk || (size_t)(q - it->blk) >= it->len) {
            it->blk = q;
            it->len = (size_t)(it->end - q) < 64 ? (size_t)(it->end - q) : 64;
            it->bits = csvsrc_block(s, q, it->len);
        }
        m = it->bits >> (q - it->blk);
        if (m != 0)
            return q + __builtin_ctzll(m);
        q = it->blk + it->len;
    }
}

/* Split the line at p (libcsv being at a row start) if it is plain and its LF comes before
 * it->end: returns its length with the LF, or 0 to leave it to libcsv. Nothing is
 * reported until the whole line has been checked. */
static size_t csvsrc_fast_line(struct csvsrc *s, struct csvsrc_scan *it, const char *p)
{
    const unsigned char *cls = s->cls;
    const char *c = p, *lim = it->end;
    size_t n = 0;
    int any = 0; /* a delimiter or a quoted field: the line is not blank */

    if ((size_t)(lim - p) > s->fast_line + 1)
        lim = p + s->fast_line + 1; /* so no field can pass the cap */
    for (;;) {
        const char *fs;

        while (c < lim && cls[(unsigned char)*c] == CLS_BLANK)
            c++;
        if (c < lim && *c == '"') {
            int esc = 0;

            any = 1;
            fs = ++c;
            for (;;) {
                c = csvsrc_next(s, it, c);
                if (c >= lim || *c == '\n')
                    return 0; /* still open at the end of the line */
                if (*c == '"') {
                    if (c + 1 < lim && c[1] == '"') {
                        esc = 1;
                        c += 2;
                        continue;
                    }
                    break;
                }
                c++; /* a delimiter or CR inside the quotes is data */
            }
            csvsrc_add_span(s, n++, fs, (size_t)(c - fs), esc);
            for (c++; c < lim && cls[(unsigned char)*c] == CLS_BLANK; c++)
                ;
        } else {
            const char *fe;

            fs = c;
            c = csvsrc_next(s, it, c);
            if (c >= lim)
                return 0; /* no LF in reach */
            for (fe = c; fe > fs && cls[(unsigned char)fe[-1]] == CLS_BLANK; fe--)
                ;
            csvsrc_add_span(s, n++, fs, (size_t)(fe - fs), 0);
        }
        if (c >= lim)
            return 0;
        switch (cls[(unsigned char)*c]) {
        case CLS_DELIM:
            any = 1;
            c++;
            if (n >= CSVSRC_FAST_FIELDS)
                return 0;
            continue;
        case CLS_CR:
            /* CR LF ends the line; a bare CR is a line end of its own, left to libcsv */
            if (c + 1 < lim && c[1] == '\n') {
                c++;
                break;
            }
            return 0;
        case CLS_LF:
            break;
        default:
            return 0; /* a stray quote, or data after a closing quote */
        }
        break;
    }
    c++; /* past the LF */
    if (!any && n == 1 && s->spans[0].len == 0)
        return (size_t)(c - p); /* a blank line: no row, as in libcsv */
    for (size_t i = 0; i < n; i++) {
        const struct csvsrc_span *sp = &s->spans[i];

        if (sp->esc) {
            size_t k = 0;

            if (s->unq == NULL)
                s->unq = xmalloc(s->fast_line);
            for (size_t j = 0; j < sp->len; j++) {
                s->unq[k++] = sp->start[j];
                if (sp->start[j] == '"')
                    j++; /* the second quote of a pair */
            }
            s->field(s->unq, k, i, s->arg);
        } else {
            s->field(sp->start, sp->len, i, s->arg);
        }
    }
    s->row(n, s->arg);
    return (size_t)(c - p);
}

int csvsrc_feed(struct csvsrc *s, const char *data, size_t n, struct err *err)
{
    const char *p = data, *end = data + n;
    struct csvsrc_scan it = {data, 0, 0, data + n};

    if (s->failed) {
        err_set(err, EINVAL, "CSV parser already failed");
        return -1;
    }
    if (!s->fast) {
        /* all to libcsv at once; the row-start knowledge is rebuilt if the fast path is
         * turned back on: the first segment that ends a row restores it */
        if (csvsrc_libcsv(s, data, n, err) < 0)
            return -1;
        if (n > 0)
            s->at_start = s->seg_from_start = s->seg_blank = 0;
        s->seg_rows = 0;
        return 0;
    }
    while (p < end) {
        size_t k = 0;

        if (s->at_start)
            k = csvsrc_fast_line(s, &it, p);
        if (k == 0) {
            k = csvsrc_segment(s, p, end, err);
            if (k == 0)
                return -1;
        }
        p += k;
    }
    return 0;
}

int csvsrc_finish(struct csvsrc *s, struct err *err)
{
    if (s->failed) {
        err_set(err, EINVAL, "CSV parser already failed");
        return -1;
    }
    csv_fini(&s->parser, csvsrc_on_field, csvsrc_on_row, s);
    s->at_start = s->seg_from_start = s->seg_blank = 1;
    s->seg_rows = 0;
    return csvsrc_check(s, 1, err);
}

void csvsrc_free(struct csvsrc *s)
{
    if (s == NULL)
        return;
    csv_free(&s->parser);
    free(s->spans);
    free(s->unq);
    free(s);
}

/* --- delimiter sniffing ------------------------------------------------------------- */

/* Count `delim` outside quotes on each non-blank line of the sample, following libcsv's
 * rule that a quote opens a quoted field only as the field's first non-blank byte.
 * A last line without its newline counts only when it is the only line (the sample is
 * usually a cut prefix, so that line is often partial). Returns the number of lines. */
static size_t csvsrc_sniff_counts(const char *s, size_t n, char delim, uint32_t *counts)
{
    size_t lines = 0, i;
    uint32_t count = 0;
    int quoted = 0, field_start = 1, blank = 1;

    for (i = 0; i < n && lines < CSVSRC_SNIFF_LINES; i++) {
        char c = s[i];

        if (quoted) {
            if (c == '"') {
                if (i + 1 < n && s[i + 1] == '"')
                    i++;
                else
                    quoted = 0;
            }
            continue;
        }
        if (c == '\n' || c == '\r') {
            if (!blank)
                counts[lines++] = count;
            count = 0;
            field_start = blank = 1;
        } else if (c == delim) {
            count++;
            field_start = 1;
            blank = 0;
        } else if (c == ' ' || c == '\t') {
            /* blanks keep a field "not begun" (a tab delimiter was taken just above) */
        } else {
            if (c == '"' && field_start)
                quoted = 1;
            field_start = blank = 0;
        }
    }
    if (lines == 0 && !blank)
        counts[lines++] = count;
    return lines;
}

/* Most frequent count over the lines (ties go to the larger count) and its frequency. */
static void csvsrc_sniff_mode(const uint32_t *counts, size_t lines, uint32_t *mode, size_t *freq)
{
    *mode = 0;
    *freq = 0;
    for (size_t i = 0; i < lines; i++) {
        size_t f = 0;

        for (size_t j = 0; j < lines; j++)
            f += counts[j] == counts[i];
        if (f > *freq || (f == *freq && counts[i] > *mode)) {
            *freq = f;
            *mode = counts[i];
        }
    }
}

char csvsrc_sniff(const char *sample, size_t n)
{
    static const char cands[] = {',', ';', '\t', '|'};
    uint32_t counts[CSVSRC_SNIFF_LINES];
    char best = ',';
    size_t best_freq = 0;
    uint32_t best_mode = 0;

    for (size_t c = 0; c < sizeof cands; c++) {
        size_t lines = csvsrc_sniff_counts(sample, n, cands[c], counts), freq;
        uint32_t mode;

        csvsrc_sniff_mode(counts, lines, &mode, &freq);
        if (mode == 0)
            continue;
        if (freq > best_freq || (freq == best_freq && mode > best_mode)) {
            best = cands[c];
            best_freq = freq;
            best_mode = mode;
        }
    }
    return best;
}
