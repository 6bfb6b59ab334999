/* mdscan.c: outline, word count and "Metrics" figures of a Markdown file via md4c.
 *
 * md4c reports structure through callbacks and hands text as pointers, most of them
 * into the input buffer. Source lines are recovered from those pointers: a cursor
 * (offset, line) follows the text as md4c walks the document, so the newlines are
 * counted once, not from the start for every heading. Some text is not in the buffer
 * (md4c's own "\n", indentation and U+FFFD strings); it is recognised by its address and
 * does not move the cursor. */
#include "mdscan.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <md4c.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sanitize.h"
#include "xmem.h"

#define MD_ITEM_STACK 32 /* list items nested deeper do not become metrics */
#define MD_NO_SLOT ((size_t)-1)

/* Plain text collected from callbacks: white space runs become one space, nothing
 * leading or trailing, and the first cut (on a UTF-8 boundary) ends it. */
struct md_text {
    struct buf b;
    int pending_space;
    int full;
};

/* An open list item of the Metrics section. */
struct md_open_item {
    size_t slot;  /* index in out->metrics, or MD_NO_SLOT */
    size_t depth; /* list-item nesting depth it was opened at */
    struct md_text text;
};

struct md_ctx {
    const char *doc;
    size_t n;
    struct md_summary *out;
    size_t headings_cap, metrics_cap;

    size_t pos;       /* the cursor: an offset into doc ... */
    uint64_t line;    /* ... and its 1-based line */
    int seen_text;    /* the cursor has moved */
    size_t scan_from; /* md_empty_heading_line has searched up to here */

    int in_code_block;
    int in_word;

    int in_heading;
    int heading_level;
    uint64_t heading_line; /* 0 until the heading's first text */
    struct md_text heading;

    int metrics_level; /* level of the Metrics heading whose section we are in, or 0 */
    size_t li_depth;
    struct md_open_item items[MD_ITEM_STACK];
    size_t nitems;

    locale_t c_locale; /* for strtod_l, created when first needed */
};

static const char md_replacement_char[] = "\xEF\xBF\xBD"; /* U+FFFD */

static int md_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void md_text_init(struct md_text *t)
{
    buf_init(&t->b, MD_TEXT_MAX);
    t->pending_space = 0;
    t->full = 0;
}

static void md_text_reset(struct md_text *t)
{
    buf_reset(&t->b);
    t->pending_space = 0;
    t->full = 0;
}

/* Append what fits, never splitting a UTF-8 sequence; the first cut makes it full. */
static void md_text_raw(struct md_text *t, const char *s, size_t n)
{
    size_t room, cut = n;

    if (t->full)
        return;
    room = t->b.max - t->b.len;
    if (n > room) {
        cut = room;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
        t->full = 1;
    }
    if (cut > 0 && buf_append(&t->b, s, cut) < 0)
        t->full = 1; /* cannot happen: cut <= room */
}

static void md_text_put(struct md_text *t, const char *s, size_t n)
{
    size_t i = 0, start;

    while (i < n && !t->full) {
        if (md_is_space((unsigned char)s[i])) {
            t->pending_space = 1;
            i++;
            continue;
        }
        start = i;
        while (i < n && !md_is_space((unsigned char)s[i]))
            i++;
        if (t->pending_space && t->b.len > 0)
            md_text_raw(t, " ", 1);
        t->pending_space = 0;
        md_text_raw(t, s + start, i - start);
    }
}

/* A block boundary inside the text: a space unless at the start. */
static void md_text_break(struct md_text *t)
{
    t->pending_space = 1;
}

/* ---- the line cursor ------------------------------------------------------------------ */

/* Is offset i a line break? "\r\n" counts once (at its '\n'); a lone '\r' counts, as
 * CommonMark treats it as a line ending. */
static int md_is_break(const struct md_ctx *x, size_t i)
{
    return x->doc[i] == '\n' || (x->doc[i] == '\r' && (i + 1 >= x->n || x->doc[i + 1] != '\n'));
}

/* Move the cursor to `off`, counting only the breaks in between. md4c reports text in
 * document order, so this is almost always a short step forward. */
static void md_seek(struct md_ctx *x, size_t off)
{
    while (x->pos < off) {
        if (md_is_break(x, x->pos))
            x->line++;
        x->pos++;
    }
    while (x->pos > off) {
        x->pos--;
        if (md_is_break(x, x->pos))
            x->line--;
    }
}

/* Past the container marks that may precede a heading on its line: indentation,
 * block-quote '>' and list markers ("-", "+", "*", "1.", "1)") with their space. */
static size_t md_skip_marks(const struct md_ctx *x, size_t i)
{
    for (;;) {
        size_t j;

        while (i < x->n && (x->doc[i] == ' ' || x->doc[i] == '\t' || x->doc[i] == '>'))
            i++;
        j = i;
        if (j < x->n && (x->doc[j] == '-' || x->doc[j] == '+' || x->doc[j] == '*')) {
            j++;
        } else {
            while (j < x->n && j - i < 9 && x->doc[j] >= '0' && x->doc[j] <= '9')
                j++;
            if (j > i && j < x->n && (x->doc[j] == '.' || x->doc[j] == ')'))
                j++;
            else
                j = i;
        }
        /* A marker counts only when white space follows it. */
        if (j == i || j >= x->n || (x->doc[j] != ' ' && x->doc[j] != '\t'))
            return i;
        i = j;
    }
}

/* The line of a heading that has no text ("#" alone): the next line, from the cursor
 * on, that starts with '#' after container marks. Lines already searched are never
 * searched again (scan_from), so many such headings cost linear time in all. */
static uint64_t md_empty_heading_line(struct md_ctx *x)
{
    size_t i = x->pos;

    if (x->seen_text) {
        while (i < x->n && !md_is_break(x, i))
            i++;
        i++;
    }
    if (i < x->scan_from)
        i = x->scan_from;
    while (i < x->n) {
        size_t start = i;

        i = md_skip_marks(x, i);
        if (i < x->n && x->doc[i] == '#') {
            md_seek(x, start);
            while (i < x->n && !md_is_break(x, i))
                i++;
            x->scan_from = i + 1;
            return x->line;
        }
        while (i < x->n && !md_is_break(x, i))
            i++;
        i++;
    }
    x->scan_from = x->n;
    return x->line;
}

/* ---- text ----------------------------------------------------------------------------- */

/* An entity's code point as UTF-8; NUL (&#0;) becomes U+FFFD, as CommonMark says. */
static size_t md_utf8_encode(unsigned long cp, char *out)
{
    if (cp == 0 || cp > 0x10FFFF)
        cp = 0xFFFD;
    return utf8_encode((int32_t)cp, out);
}

/* Decode "&amp;", "&#233;", "&#xE9;" and a few common names into out (at least 4
 * bytes); 0 when unknown, in which case the entity is kept as written. */
static size_t md_decode_entity(const char *s, size_t n, char *out)
{
    static const struct {
        const char *name;
        unsigned long cp;
    } names[] = {{"&amp;", '&'},  {"&lt;", '<'},    {"&gt;", '>'},
                 {"&quot;", '"'}, {"&apos;", '\''}, {"&nbsp;", 0xA0}};
    size_t i;

    if (n >= 4 && s[1] == '#') {
        int hex = s[2] == 'x' || s[2] == 'X';
        unsigned long cp = 0;

        for (i = hex ? 3 : 2; i + 1 < n; i++) {
            unsigned d;
            char c = s[i];

            if (c >= '0' && c <= '9')
                d = (unsigned)(c - '0');
            else if (hex && c >= 'a' && c <= 'f')
                d = (unsigned)(c - 'a' + 10);
            else if (hex && c >= 'A' && c <= 'F')
                d = (unsigned)(c - 'A' + 10);
            else
                return 0;
            cp = cp * (hex ? 16 : 10) + d;
            if (cp > 0x10FFFF)
                cp = 0x110000; /* stays invalid, cannot overflow */
        }
        return md_utf8_encode(cp, out);
    }
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0)
            return md_utf8_encode(names[i].cp, out);
    return 0;
}

static void md_count_words(struct md_ctx *x, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (md_is_space((unsigned char)s[i])) {
            x->in_word = 0;
        } else if (!x->in_word) {
            x->in_word = 1;
            x->out->words++;
        }
    }
}

/* The innermost open list item, when it belongs to the Metrics section. */
static struct md_open_item *md_current_item(struct md_ctx *x)
{
    struct md_open_item *it;

    if (x->nitems == 0)
        return NULL;
    it = &x->items[x->nitems - 1];
    return it->depth == x->li_depth && it->slot != MD_NO_SLOT ? it : NULL;
}

/* Plain text of the document: counted as words and added to the open heading and
 * Metrics item. */
static void md_emit(struct md_ctx *x, const char *s, size_t n)
{
    struct md_open_item *it;

    md_count_words(x, s, n);
    if (x->in_heading)
        md_text_put(&x->heading, s, n);
    it = x->metrics_level > 0 ? md_current_item(x) : NULL;
    if (it != NULL)
        md_text_put(&it->text, s, n);
}

static int md_on_text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE size, void *ud)
{
    struct md_ctx *x = ud;
    char decoded[8];
    size_t len;

    /* Compare addresses as integers: only pointers into the document move the cursor. */
    if ((uintptr_t)s >= (uintptr_t)x->doc && (uintptr_t)s < (uintptr_t)x->doc + x->n) {
        md_seek(x, (size_t)((uintptr_t)s - (uintptr_t)x->doc));
        x->seen_text = 1;
        if (x->in_heading && x->heading_line == 0)
            x->heading_line = x->line;
    }
    switch (type) {
    case MD_TEXT_NULLCHAR:
        md_emit(x, md_replacement_char, sizeof md_replacement_char - 1);
        break;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
        md_emit(x, " ", 1);
        break;
    case MD_TEXT_ENTITY:
        len = md_decode_entity(s, size, decoded);
        if (len > 0)
            md_emit(x, decoded, len);
        else
            md_emit(x, s, size);
        break;
    case MD_TEXT_HTML:
        break; /* raw HTML is markup, not words */
    case MD_TEXT_CODE:
        if (!x->in_code_block)
            md_emit(x, s, size);
        break;
    case MD_TEXT_NORMAL:
    case MD_TEXT_LATEXMATH:
        md_emit(x, s, size);
        break;
    }
    return 0;
}

/* ---- metrics -------------------------------------------------------------------------- */

static int md_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int md_put(char *clean, size_t *o, size_t cap, char c)
{
    if (*o + 1 >= cap)
        return -1;
    clean[(*o)++] = c;
    return 0;
}

/* Read a number at the start of s: sign (also U+2212), digits with ',' between groups of
 * three, fraction, exponent. Writes the plain ASCII form to clean (cap bytes) and
 * returns the length read, or 0 (no number, or one too long to be a figure). */
static size_t md_scan_number(const char *s, size_t n, char *clean, size_t cap)
{
    size_t i = 0, o = 0, digits = 0;

    if (i < n && (s[i] == '-' || s[i] == '+')) {
        if (md_put(clean, &o, cap, s[i++]) < 0)
            return 0;
    } else if (n >= 3 && memcmp(s, "\xE2\x88\x92", 3) == 0) {
        if (md_put(clean, &o, cap, '-') < 0)
            return 0;
        i += 3;
    }
    for (;;) {
        if (i < n && md_is_digit(s[i])) {
            if (md_put(clean, &o, cap, s[i++]) < 0)
                return 0;
            digits++;
        } else if (i + 3 < n && s[i] == ',' && digits > 0 && md_is_digit(s[i + 1]) &&
                   md_is_digit(s[i + 2]) && md_is_digit(s[i + 3]) &&
                   (i + 4 >= n || !md_is_digit(s[i + 4]))) {
            i++; /* a thousands separator */
        } else {
            break;
        }
    }
    if (i + 1 < n && s[i] == '.' && md_is_digit(s[i + 1])) {
        if (md_put(clean, &o, cap, s[i++]) < 0)
            return 0;
        while (i < n && md_is_digit(s[i])) {
            if (md_put(clean, &o, cap, s[i++]) < 0)
                return 0;
            digits++;
        }
    }
    if (digits == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;

        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < n && md_is_digit(s[j])) {
            while (i < j)
                if (md_put(clean, &o, cap, s[i++]) < 0)
                    return 0;
            while (i < n && md_is_digit(s[i]))
                if (md_put(clean, &o, cap, s[i++]) < 0)
                    return 0;
        }
    }
    clean[o] = '\0';
    return i;
}

static char *md_trimmed_dup(const char *s, size_t n)
{
    while (n > 0 && md_is_space((unsigned char)s[0])) {
        s++;
        n--;
    }
    while (n > 0 && md_is_space((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* "Label: 1,234.5 unit (note)" -> label, value, unit ("unit": the text after the number
 * up to '(' ',' or ';'). A value that runs into more digits ("2025-11-14", "12:30",
 * "1.2.3") is no number. */
static void md_parse_metric(struct md_ctx *x, struct md_metric *m, const char *text)
{
    const char *colon = strchr(text, ':');
    const char *rest, *end;
    char clean[64];
    size_t n, len, ulen;
    char *endp;

    m->text = xstrdup(text);
    m->has_value = 0;
    m->value = 0;
    if (colon == NULL) {
        m->label = xstrdup(text);
        m->unit = xstrdup("");
        return;
    }
    m->label = md_trimmed_dup(text, (size_t)(colon - text));
    rest = colon + 1;
    while (md_is_space((unsigned char)*rest))
        rest++;
    n = strlen(rest);
    len = md_scan_number(rest, n, clean, sizeof clean);
    if (len > 0 && len < n && strchr("-/:.,", rest[len]) != NULL && len + 1 < n &&
        md_is_digit(rest[len + 1]))
        len = 0;
    if (len > 0) {
        double v;

        if (x->c_locale == (locale_t)0) {
            x->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
            if (x->c_locale == (locale_t)0)
                fatal("cannot create the C locale");
        }
        errno = 0;
        v = strtod_l(clean, &endp, x->c_locale);
        if (*endp == '\0' && errno != ERANGE && isfinite(v)) {
            m->has_value = 1;
            m->value = v == 0.0 ? 0.0 : v;
        } else {
            len = 0;
        }
    }
    if (!m->has_value) {
        m->unit = xstrdup("");
        return;
    }
    rest += len;
    while (md_is_space((unsigned char)*rest))
        rest++;
    end = rest + strcspn(rest, "(,;");
    ulen = (size_t)(end - rest);
    if (ulen > MD_UNIT_MAX) {
        ulen = MD_UNIT_MAX;
        while (ulen > 0 && ((unsigned char)rest[ulen] & 0xC0) == 0x80)
            ulen--;
    }
    m->unit = md_trimmed_dup(rest, ulen);
}

/* A new Metrics section: the last one in the document is the one shown, because
 * chimera's own reports append theirs after the model's text. */
static void md_start_metrics(struct md_ctx *x, int level)
{
    struct md_summary *s = x->out;
    size_t i;

    for (i = 0; i < s->nmetrics; i++) {
        free(s->metrics[i].label);
        free(s->metrics[i].unit);
        free(s->metrics[i].text);
    }
    s->nmetrics = 0;
    for (i = 0; i < x->nitems; i++)
        x->items[i].slot = MD_NO_SLOT;
    s->has_metrics_section = 1;
    x->metrics_level = level;
}

static void md_open_item(struct md_ctx *x)
{
    struct md_summary *s = x->out;
    struct md_open_item *it;

    x->li_depth++;
    if (x->metrics_level == 0 || x->nitems == MD_ITEM_STACK)
        return;
    it = &x->items[x->nitems++];
    it->depth = x->li_depth;
    it->slot = MD_NO_SLOT;
    md_text_reset(&it->text);
    if (s->nmetrics >= MD_MAX_METRICS)
        return;
    /* The slot is taken now so that items keep document order even though a nested
     * item is finished before its parent. */
    s->metrics = xgrow(s->metrics, &x->metrics_cap, s->nmetrics + 1, sizeof *s->metrics);
    memset(&s->metrics[s->nmetrics], 0, sizeof s->metrics[0]);
    it->slot = s->nmetrics++;
}

static void md_close_item(struct md_ctx *x)
{
    struct md_open_item *it;

    if (x->nitems > 0 && x->items[x->nitems - 1].depth == x->li_depth) {
        it = &x->items[--x->nitems];
        if (it->slot != MD_NO_SLOT && it->text.b.len > 0)
            md_parse_metric(x, &x->out->metrics[it->slot], buf_cstr(&it->text.b));
    }
    if (x->li_depth > 0)
        x->li_depth--;
}

static int md_is_metrics_title(const char *s)
{
    static const char word[] = "metrics";
    size_t i;

    for (i = 0; word[i] != '\0'; i++) {
        char c = s[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return s[i] == '\0';
}

static void md_finish_heading(struct md_ctx *x)
{
    struct md_summary *s = x->out;
    const char *title = buf_cstr(&x->heading.b);
    uint64_t line = x->heading_line;

    x->in_heading = 0;
    if (s->nheadings < MD_MAX_HEADINGS) {
        struct md_heading *h;

        if (line == 0)
            line = md_empty_heading_line(x);

        s->headings = xgrow(s->headings, &x->headings_cap, s->nheadings + 1, sizeof *s->headings);
        h = &s->headings[s->nheadings++];
        h->level = x->heading_level;
        h->text = xstrdup(title);
        h->line = (size_t)line;
    }
    if (md_is_metrics_title(title))
        md_start_metrics(x, x->heading_level);
}

static int md_enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    struct md_ctx *x = ud;
    struct md_open_item *it = md_current_item(x);

    x->in_word = 0;
    if (it != NULL)
        md_text_break(&it->text);
    switch (type) {
    case MD_BLOCK_H:
        x->heading_level = (int)((const MD_BLOCK_H_DETAIL *)detail)->level;
        if (x->metrics_level > 0 && x->heading_level <= x->metrics_level)
            x->metrics_level = 0;
        x->in_heading = 1;
        x->heading_line = 0;
        md_text_reset(&x->heading);
        break;
    case MD_BLOCK_CODE:
        x->out->code_blocks++;
        x->in_code_block = 1;
        break;
    case MD_BLOCK_TABLE:
        x->out->tables++;
        break;
    case MD_BLOCK_LI:
        x->out->list_items++;
        md_open_item(x);
        break;
    default:
        break;
    }
    return 0;
}

static int md_leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    struct md_ctx *x = ud;
    struct md_open_item *it;

    (void)detail;
    x->in_word = 0;
    switch (type) {
    case MD_BLOCK_H:
        md_finish_heading(x);
        break;
    case MD_BLOCK_CODE:
        x->in_code_block = 0;
        break;
    case MD_BLOCK_LI:
        md_close_item(x);
        break;
    default:
        break;
    }
    it = md_current_item(x);
    if (it != NULL)
        md_text_break(&it->text);
    return 0;
}

static int md_enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
    (void)type;
    (void)detail;
    (void)ud;
    return 0;
}

static int md_leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
    (void)type;
    (void)detail;
    (void)ud;
    return 0;
}

/* Drop the item slots that ended up without text (an item holding only a sub-list). */
static void md_compact_metrics(struct md_summary *s)
{
    size_t i, o = 0;

    for (i = 0; i < s->nmetrics; i++)
        if (s->metrics[i].text != NULL)
            s->metrics[o++] = s->metrics[i];
    s->nmetrics = o;
}

int md_summarize(const char *text, size_t n, struct md_summary *out, struct err *err)
{
    MD_PARSER parser;
    struct md_ctx x;
    size_t i;
    int r;

    memset(out, 0, sizeof *out);
    if (n > MD_MAX_BYTES) {
        err_set(err, EFBIG, "Markdown file of %zu bytes is too large to outline (limit %u MiB)", n,
                MD_MAX_BYTES >> 20);
        return -1;
    }
    if (text == NULL)
        text = "";

    memset(&x, 0, sizeof x);
    x.doc = text;
    x.n = n;
    x.out = out;
    x.line = 1;
    md_text_init(&x.heading);
    for (i = 0; i < MD_ITEM_STACK; i++)
        md_text_init(&x.items[i].text);

    memset(&parser, 0, sizeof parser);
    parser.abi_version = 0;
    parser.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS;
    parser.enter_block = md_enter_block;
    parser.leave_block = md_leave_block;
    parser.enter_span = md_enter_span;
    parser.leave_span = md_leave_span;
    parser.text = md_on_text;
    r = md_parse(text, (MD_SIZE)n, &parser, &x);

    md_seek(&x, n);
    out->lines = n == 0 ? 0 : x.line - (md_is_break(&x, n - 1) ? 1 : 0);
    md_compact_metrics(out);

    buf_fini(&x.heading.b);
    for (i = 0; i < MD_ITEM_STACK; i++)
        buf_fini(&x.items[i].text.b);
    if (x.c_locale != (locale_t)0)
        freelocale(x.c_locale);
    if (r != 0) {
        md_summary_fini(out);
        err_set(err, r < 0 ? ENOMEM : EINVAL, "the Markdown parser failed (md4c returned %d)", r);
        return -1;
    }
    return 0;
}

void md_summary_fini(struct md_summary *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->nheadings; i++)
        free(s->headings[i].text);
    free(s->headings);
    for (i = 0; i < s->nmetrics; i++) {
        free(s->metrics[i].label);
        free(s->metrics[i].unit);
        free(s->metrics[i].text);
    }
    free(s->metrics);
    memset(s, 0, sizeof *s);
}
