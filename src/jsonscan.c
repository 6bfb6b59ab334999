/* jsonscan.c: a strict incremental JSON scanner, one resumable state machine over bytes.
 *
 * js_scan() holds every state as a label. When a chunk ends inside a token the current
 * state is saved (with what the token has gathered so far: a partial number, the \u digits
 * read, the continuation bytes a UTF-8 sequence still needs) and the next call jumps
 * straight back to that label, so a chunk may end at any byte. The hot loops (white
 * space, plain string bytes, digits) run over the chunk without touching the saved state.
 *
 * The path is one buffer plus a stack of container levels that remember where their own
 * path ends: a member name is decoded straight into the buffer after a '.', an array
 * index is kept there as "[digits]" and incremented in place, so a leaf costs no
 * formatting. Lines are counted only where a newline may legally appear (white space);
 * the column of an error is its distance from the last newline seen. */
#include "jsonscan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "xmem.h"

/* A number of up to this many characters without an exponent is below 1e308, so only a
 * longer one (or one with an exponent) can overflow; validation skips the others. */
#define JS_SAFE_DIGITS 308

enum js_state {
    ST_VALUE,         /* a value: the top level, after ':' */
    ST_FIRST_VALUE,   /* after '[': a value or ']' */
    ST_ELEMENT,       /* after ',' in an array */
    ST_FIRST_KEY,     /* after '{': a member name or '}' */
    ST_KEY,           /* after ',' in an object */
    ST_COLON,         /* after a member name */
    ST_AFTER,         /* after a value: ',' or the closing bracket */
    ST_STRING,        /* inside a string */
    ST_ESCAPE,        /* after a backslash */
    ST_HEX,           /* inside \uXXXX */
    ST_LOW_BACKSLASH, /* a high surrogate escape was read: '\' must follow ... */
    ST_LOW_U,         /* ... then 'u' */
    ST_UTF8,          /* inside a multibyte UTF-8 sequence */
    ST_NUMBER,
    ST_LITERAL, /* true, false, null */
    ST_DONE,    /* the document is complete: only white space may follow */
    ST_ERROR
};

/* Number grammar (RFC 8259 section 6); NS_END and NS_BAD are outcomes, not states. */
enum js_num_state {
    NS_START,
    NS_MINUS,
    NS_ZERO, /* a leading 0: no digit may follow */
    NS_INT,
    NS_DOT,
    NS_FRAC,
    NS_E,
    NS_ESIGN,
    NS_EXP,
    NS_END, /* the byte ends the number */
    NS_BAD  /* the byte cannot continue the number */
};

enum js_num_class { NC_OTHER, NC_ZERO, NC_DIGIT, NC_DOT, NC_E, NC_SIGN, NC_COUNT };

static const unsigned char js_num_class[256] = {
    ['0'] = NC_ZERO,  ['1'] = NC_DIGIT, ['2'] = NC_DIGIT, ['3'] = NC_DIGIT, ['4'] = NC_DIGIT,
    ['5'] = NC_DIGIT, ['6'] = NC_DIGIT, ['7'] = NC_DIGIT, ['8'] = NC_DIGIT, ['9'] = NC_DIGIT,
    ['.'] = NC_DOT,   ['e'] = NC_E,     ['E'] = NC_E,     ['+'] = NC_SIGN,  ['-'] = NC_SIGN,
};

/* Transitions by class: OTHER ZERO DIGIT DOT E SIGN. Any byte that is not part of a number
 * (NC_OTHER) ends it where the grammar allows, so "1]" and "1," need no lookahead. */
static const unsigned char js_num_next[NS_END][NC_COUNT] = {
    [NS_START] = {NS_BAD, NS_ZERO, NS_INT, NS_BAD, NS_BAD, NS_MINUS},
    [NS_MINUS] = {NS_BAD, NS_ZERO, NS_INT, NS_BAD, NS_BAD, NS_BAD},
    [NS_ZERO] = {NS_END, NS_BAD, NS_BAD, NS_DOT, NS_E, NS_BAD},
    [NS_INT] = {NS_END, NS_INT, NS_INT, NS_DOT, NS_E, NS_BAD},
    [NS_DOT] = {NS_BAD, NS_FRAC, NS_FRAC, NS_BAD, NS_BAD, NS_BAD},
    [NS_FRAC] = {NS_END, NS_FRAC, NS_FRAC, NS_BAD, NS_E, NS_BAD},
    [NS_E] = {NS_BAD, NS_EXP, NS_EXP, NS_BAD, NS_BAD, NS_ESIGN},
    [NS_ESIGN] = {NS_BAD, NS_EXP, NS_EXP, NS_BAD, NS_BAD, NS_BAD},
    [NS_EXP] = {NS_END, NS_EXP, NS_EXP, NS_BAD, NS_BAD, NS_BAD},
};

/* Bytes a string copies without a second look: printable ASCII but '"' and '\'. */
static const unsigned char js_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x70 */
};

struct js_level {
    uint16_t base; /* path length of the container value itself */
    uint8_t is_object;
    uint8_t ndigits; /* arrays: digits of the current index in the path; 0 before one */
};

struct jsonscan {
    jsonscan_leaf_fn leaf;
    void *arg;
    enum js_state state;
    int depth;                /* open containers */
    uint64_t pos;             /* offset of the chunk being scanned in the whole input */
    uint64_t line;            /* 1-based */
    uint64_t line_start;      /* offset of the first byte of that line */
    char errmsg[ERR_MSG_MAX]; /* repeated by every call after an error */

    /* the string being read */
    int is_key;
    int key_over; /* the member name made the path too long */
    size_t slen;
    int strunc;
    uint32_t hex;                   /* \u value so far */
    int hex_left;                   /* hex digits still to read */
    uint32_t high;                  /* a high surrogate waiting for its low half, or 0 */
    int utf8_left;                  /* continuation bytes still needed */
    unsigned char utf8_lo, utf8_hi; /* allowed range of the next one */

    /* the number being read */
    enum js_num_state nstate;
    size_t nlen; /* characters so far (may pass what `num` keeps) */
    uint64_t nstart;

    /* the literal being read */
    const char *lit;
    size_t lit_pos, lit_len;
    enum json_leaf_type lit_type;

    size_t pathlen;
    struct jsonscan_stats stats;
    struct js_level levels[JSONSCAN_MAX_DEPTH + 1]; /* [1..depth] */
    char path[JSONSCAN_MAX_PATH + 1];
    char str[JSONSCAN_MAX_STRING + 1];
    char num[JSONSCAN_MAX_NUMBER + 1];
};

struct jsonscan *jsonscan_new(jsonscan_leaf_fn leaf, void *arg)
{
    struct jsonscan *s = xcalloc(1, sizeof *s);

    s->leaf = leaf;
    s->arg = arg;
    s->state = ST_VALUE;
    s->line = 1;
    return s;
}

void jsonscan_free(struct jsonscan *s)
{
    free(s);
}

const struct jsonscan_stats *jsonscan_stats(const struct jsonscan *s)
{
    return &s->stats;
}

/* Describe the byte at an error ("'x'", "byte 0x1f"), for messages. */
static void js_describe(char *out, size_t cap, int c)
{
    if (c > 0x20 && c < 0x7F && c != '\'')
        snprintf(out, cap, "'%c'", c);
    else
        snprintf(out, cap, "byte 0x%02x", (unsigned)c);
}

/* Record the error at input offset `off` and fail this and every later call. */
static int js_fail(struct jsonscan *s, struct err *err, uint64_t off, const char *fmt, ...)
    ATTR_FORMAT(4, 5);

static int js_fail(struct jsonscan *s, struct err *err, uint64_t off, const char *fmt, ...)
{
    char what[160]; /* leaves room for the position within ERR_MSG_MAX */
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(s->errmsg, sizeof s->errmsg, "line %llu, column %llu: %s", (unsigned long long)s->line,
             (unsigned long long)(off - s->line_start + 1), what);
    s->state = ST_ERROR;
    err_set(err, EINVAL, "%s", s->errmsg);
    return -1;
}

/* Fail with "<what>, found <byte at p>". */
static int js_fail_at(struct jsonscan *s, struct err *err, uint64_t off, int c, const char *what)
{
    char found[32];

    js_describe(found, sizeof found, c);
    return js_fail(s, err, off, "%s, found %s", what, found);
}

/* Word-at-a-time helpers (SWAR): pretty-printed files are mostly runs of indentation
 * and of plain string bytes, which these skip eight bytes per step. A mask has the top
 * bit of each byte that matches; borrows can only flag bytes above a real match, so the
 * lowest flag is exact. */
#define JS_ONES UINT64_C(0x0101010101010101)
#define JS_HIGHS UINT64_C(0x8080808080808080)

static inline uint64_t js_load8(const unsigned char *p)
{
    uint64_t w;

    memcpy(&w, p, sizeof w);
    return w;
}

/* Bytes of w equal to 0 (the classic haszero). */
static inline uint64_t js_zero_bytes(uint64_t w)
{
    return (w - JS_ONES) & ~w & JS_HIGHS;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define JS_CTZ_LE 1 /* the first byte in memory is the lowest: count trailing zeros */
#else
#define JS_CTZ_LE 0
#endif

/* Bytes that end a run of plain string bytes: '"', '\\', controls and non-ASCII. */
static inline uint64_t js_string_stops(uint64_t w)
{
    return js_zero_bytes(w ^ (JS_ONES * '"')) | js_zero_bytes(w ^ (JS_ONES * '\\')) |
           ((w - JS_ONES * 0x20) & ~w & JS_HIGHS) | (w & JS_HIGHS);
}

/* Index of the first stop byte in p[0..8), given its non-zero js_string_stops mask. */
static inline size_t js_first_stop(uint64_t mask, const unsigned char *p)
{
#if JS_CTZ_LE
    (void)p;
    return (size_t)__builtin_ctzll(mask) / 8;
#else
    size_t i = 0;

    (void)mask;
    while (js_plain[p[i]])
        i++;
    return i;
#endif
}

/* Index of the first byte in p[0..8) that is not a space; `other` (the word XOR eight
 * spaces) is not zero. */
static inline size_t js_first_nonspace(uint64_t other, const unsigned char *p)
{
#if JS_CTZ_LE
    (void)p;
    return (size_t)__builtin_ctzll(other) / 8;
#else
    size_t i = 0;

    (void)other;
    while (p[i] == ' ')
        i++;
    return i;
#endif
}

static inline const unsigned char *js_skip_ws(struct jsonscan *s, const unsigned char *p,
                                              const unsigned char *end, const unsigned char *buf)
{
    while (p < end) {
        unsigned c = *p;

        if (c == ' ') {
            p++;
            while (end - p >= 8) {
                uint64_t other = js_load8(p) ^ (JS_ONES * ' ');

                if (other != 0) {
                    p += js_first_nonspace(other, p);
                    break;
                }
                p += 8;
            }
        } else if (c == '\t' || c == '\r') {
            p++;
        } else if (c == '\n') {
            p++;
            s->line++;
            s->line_start = s->pos + (uint64_t)(p - buf);
        } else {
            break;
        }
    }
    return p;
}

/* Append decoded string bytes: a member name goes into the path, a value into `str` (only
 * when someone will see it). Too long a name is an error reported at its closing quote, so
 * the error does not depend on where chunks end. */
static inline void js_put(struct jsonscan *s, const void *src, size_t n)
{
    if (s->is_key) {
        size_t room = JSONSCAN_MAX_PATH - s->pathlen;

        if (n > room) {
            n = room;
            s->key_over = 1;
        }
        memcpy(s->path + s->pathlen, src, n);
        s->pathlen += n;
    } else if (s->leaf != NULL) {
        size_t room = JSONSCAN_MAX_STRING - s->slen;

        if (n > room) {
            n = room;
            s->strunc = 1;
        }
        memcpy(s->str + s->slen, src, n);
        s->slen += n;
    }
}

static void js_put_code_point(struct jsonscan *s, uint32_t cp)
{
    unsigned char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    js_put(s, u, n);
}

/* Continuation bytes a UTF-8 lead byte needs and the range of the first one (Unicode
 * Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF); 0 for a bad lead. */
static inline int js_utf8_lead(unsigned c, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return 1;
    if (c < 0xF0) {
        if (c == 0xE0)
            *lo = 0xA0;
        else if (c == 0xED)
            *hi = 0x9F;
        return 2;
    }
    if (c < 0xF5) {
        if (c == 0xF0)
            *lo = 0x90;
        else if (c == 0xF4)
            *hi = 0x8F;
        return 3;
    }
    return 0;
}

static inline int js_hex_digit(unsigned c)
{
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return (int)(c - 'a' + 10);
    return -1;
}

static void js_deliver(struct jsonscan *s, enum json_leaf_type type, const char *text, size_t len,
                       double number, int truncated)
{
    struct json_leaf leaf;

    s->path[s->pathlen] = '\0';
    leaf.path = s->path;
    leaf.pathlen = s->pathlen;
    leaf.type = type;
    leaf.text = text;
    leaf.textlen = len;
    leaf.number = number;
    leaf.truncated = truncated;
    s->leaf(&leaf, s->arg);
}

static void js_deliver_string(struct jsonscan *s)
{
    size_t n = s->slen;

    if (s->strunc) {
        /* Cut before a character the limit split, so the value stays valid UTF-8. */
        size_t lead = n;

        while (lead > 0 && ((unsigned char)s->str[lead - 1] & 0xC0) == 0x80)
            lead--;
        if (lead > 0 && (unsigned char)s->str[lead - 1] >= 0xC0) {
            unsigned char lo, hi;
            size_t need = (size_t)js_utf8_lead((unsigned char)s->str[lead - 1], &lo, &hi);

            if (n - lead < need)
                n = lead - 1;
        }
    }
    s->str[n] = '\0';
    js_deliver(s, JSON_LEAF_STRING, s->str, n, 0.0, s->strunc);
}

/* A number ended: its text is what `num` holds (from earlier chunks), then b[0..tail). */
static int js_end_number(struct jsonscan *s, const unsigned char *b, size_t tail, struct err *err)
{
    size_t len = s->nlen + tail;
    const char *text;
    double v = 0.0;

    s->stats.numbers++;
    if (len > JSONSCAN_MAX_NUMBER)
        return js_fail(s, err, s->nstart, "number longer than %d characters", JSONSCAN_MAX_NUMBER);
    if (s->nlen == 0 && s->leaf == NULL) {
        text = (const char *)b; /* straight from the chunk: nothing needs a NUL */
    } else {
        if (tail > 0)
            memcpy(s->num + s->nlen, b, tail);
        s->num[len] = '\0';
        text = s->num;
    }
    if (s->leaf != NULL || s->nstate == NS_EXP || len > JS_SAFE_DIGITS) {
        /* The grammar was checked above, so num_parse only refuses an overflow. */
        if (!num_parse(text, len, &v))
            return js_fail(s, err, s->nstart, "number out of range");
    }
    if (s->leaf != NULL)
        js_deliver(s, JSON_LEAF_NUMBER, text, len, v, 0);
    return 0;
}

/* A chunk ended inside a number: keep what fits (the length is checked at the end). */
static void js_save_number(struct jsonscan *s, const unsigned char *b, const unsigned char *e)
{
    size_t n = (size_t)(e - b);

    if (s->nlen < JSONSCAN_MAX_NUMBER) {
        size_t room = JSONSCAN_MAX_NUMBER - s->nlen;

        memcpy(s->num + s->nlen, b, n < room ? n : room);
    }
    s->nlen += n;
}

static int js_open(struct jsonscan *s, int is_object)
{
    struct js_level *lv;

    if (s->depth == JSONSCAN_MAX_DEPTH)
        return -1;
    lv = &s->levels[++s->depth];
    lv->base = (uint16_t)s->pathlen;
    lv->is_object = (uint8_t)is_object;
    lv->ndigits = 0;
    if (is_object)
        s->stats.objects++;
    else
        s->stats.arrays++;
    if (s->depth > s->stats.max_depth)
        s->stats.max_depth = s->depth;
    return 0;
}

static void js_close(struct jsonscan *s)
{
    s->pathlen = s->levels[s->depth--].base;
}

/* Make the path that of the next array element: "[0]" first, then count up in place. */
static int js_next_index(struct jsonscan *s)
{
    struct js_level *lv = &s->levels[s->depth];
    char *d = s->path + lv->base + 1;

    if (lv->ndigits == 0) {
        if ((size_t)lv->base + 3 > JSONSCAN_MAX_PATH)
            return -1;
        d[-1] = '[';
        d[0] = '0';
        d[1] = ']';
        lv->ndigits = 1;
    } else {
        int i;

        for (i = lv->ndigits - 1; i >= 0 && d[i] == '9'; i--)
            d[i] = '0';
        if (i >= 0) {
            d[i]++;
        } else {
            if ((size_t)lv->base + lv->ndigits + 3 > JSONSCAN_MAX_PATH)
                return -1;
            d[0] = '1';
            memset(d + 1, '0', lv->ndigits);
            lv->ndigits++;
            d[lv->ndigits] = ']';
        }
    }
    s->pathlen = (size_t)lv->base + lv->ndigits + 2;
    return 0;
}

/* Scan buf[0..n) from the saved state. */
static int js_scan(struct jsonscan *s, const unsigned char *buf, size_t n, struct err *err)
{
    const unsigned char *p = buf, *end = buf + n, *q, *nbeg;
    struct js_level *lv;
    unsigned c;

#define JS_OFF(ptr) (s->pos + (uint64_t)((ptr)-buf))
#define JS_SUSPEND(st)                                                                             \
    do {                                                                                           \
        s->state = (st);                                                                           \
        s->pos += n;                                                                               \
        return 0;                                                                                  \
    } while (0)

    switch (s->state) {
    case ST_VALUE:
        goto value;
    case ST_FIRST_VALUE:
        goto first_value;
    case ST_ELEMENT:
        goto element;
    case ST_FIRST_KEY:
        goto first_key;
    case ST_KEY:
        goto key;
    case ST_COLON:
        goto colon;
    case ST_AFTER:
        goto after;
    case ST_STRING:
        goto string;
    case ST_ESCAPE:
        goto escape;
    case ST_HEX:
        goto hex;
    case ST_LOW_BACKSLASH:
        goto low_backslash;
    case ST_LOW_U:
        goto low_u;
    case ST_UTF8:
        goto utf8;
    case ST_NUMBER:
        nbeg = p;
        goto number;
    case ST_LITERAL:
        goto literal;
    case ST_DONE:
        goto done;
    case ST_ERROR:
        break;
    }
    err_set(err, EINVAL, "%s", s->errmsg);
    return -1;

first_value:
    p = js_skip_ws(s, p, end, buf);
    if (p == end)
        JS_SUSPEND(ST_FIRST_VALUE);
    if (*p == ']') {
        p++;
        js_close(s);
        goto after;
    }
    goto element_start;

element:
    p = js_skip_ws(s, p, end, buf);
    if (p == end)
        JS_SUSPEND(ST_ELEMENT);
    if (*p == ']')
        return js_fail(s, err, JS_OFF(p), "trailing comma before ']'");
element_start:
    if (js_next_index(s) < 0)
        return js_fail(s, err, JS_OFF(p), "path longer than %d bytes", JSONSCAN_MAX_PATH);
    goto value_start;

value:
    p = js_skip_ws(s, p, end, buf);
    if (p == end)
        JS_SUSPEND(ST_VALUE);
value_start:
    c = *p;
    s->stats.values++;
    switch (c) {
    case '"':
        p++;
        s->is_key = 0;
        s->slen = 0;
        s->strunc = 0;
        goto string;
    case '{':
        if (js_open(s, 1) < 0)
            goto too_deep;
        p++;
        goto first_key;
    case '[':
        if (js_open(s, 0) < 0)
            goto too_deep;
        p++;
        goto first_value;
    case 't':
        s->lit = "true";
        s->lit_len = 4;
        s->lit_type = JSON_LEAF_TRUE;
        goto literal_start;
    case 'f':
        s->lit = "false";
        s->lit_len = 5;
        s->lit_type = JSON_LEAF_FALSE;
        goto literal_start;
    case 'n':
        s->lit = "null";
        s->lit_len = 4;
        s->lit_type = JSON_LEAF_NULL;
        goto literal_start;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        s->nstate = NS_START;
        s->nlen = 0;
        s->nstart = JS_OFF(p);
        nbeg = p;
        goto number;
    default:
        return js_fail_at(s, err, JS_OFF(p), c, "expected a value");
    }

too_deep:
    return js_fail(s, err, JS_OFF(p), "nesting deeper than %d levels", JSONSCAN_MAX_DEPTH);

first_key:
    p = js_skip_ws(s, p, end, buf);
    if (p == end)
        JS_SUSPEND(ST_FIRST_KEY);
    if (*p == '}') {
        p++;
        js_close(s);
        goto after;
    }
    if (*p != '"')
        return js_fail_at(s, err, JS_OFF(p), *p, "expected a member name in double quotes");
    goto key_start;

key:
    p = js_skip_ws(s, p, end, buf);
    if (p == end)
        JS_SUSPEND(ST_KEY);
    if (*p == '}')
        return js_fail(s, err, JS_OFF(p), "trailing comma before '}'");
    if (*p != '"')
        return js_fail_at(s, err, JS_OFF(p), *p, "expected a member name in double quotes");
key_start:
    p++;
    lv = &s->levels[s->depth];
    s->pathlen = lv->base;
    s->is_key = 1;
    s->key_over = 0;
    if (lv->base > 0) {
        if (s->pathlen < JSONSCAN_MAX_PATH)
            s->path[s->pathlen++] = '.';
        else
            s->key_over = 1;
    }
    goto string;

colon:
    p = js_skip_ws(s, p, end, buf);
    if (p == end)
        JS_SUSPEND(ST_COLON);
    if (*p != ':')
        return js_fail_at(s, err, JS_OFF(p), *p, "expected ':' after a member name");
    p++;
    goto value;

after:
    if (s->depth == 0)
        goto done;
    p = js_skip_ws(s, p, end, buf);
    if (p == end)
        JS_SUSPEND(ST_AFTER);
    c = *p;
    lv = &s->levels[s->depth];
    if (c == ',') {
        p++;
        if (lv->is_object)
            goto key;
        goto element;
    }
    if (c == (lv->is_object ? (unsigned)'}' : (unsigned)']')) {
        p++;
        js_close(s);
        goto after;
    }
    return js_fail_at(s, err, JS_OFF(p), c,
                      lv->is_object ? "expected ',' or '}'" : "expected ',' or ']'");

string:
    q = p;
    for (;;) {
        unsigned char lo, hi;
        int need;

        while (end - q >= 8) {
            uint64_t stops = js_string_stops(js_load8(q));

            if (stops != 0) {
                q += js_first_stop(stops, q);
                break;
            }
            q += 8;
        }
        while (q < end && js_plain[*q])
            q++;
        if (q == end) {
            js_put(s, p, (size_t)(q - p));
            JS_SUSPEND(ST_STRING);
        }
        c = *q;
        if (c == '"') {
            js_put(s, p, (size_t)(q - p));
            p = q + 1;
            goto string_end;
        }
        if (c == '\\') {
            js_put(s, p, (size_t)(q - p));
            p = q + 1;
            goto escape;
        }
        if (c < 0x20)
            return js_fail(s, err, JS_OFF(q),
                           "control character (byte 0x%02x) in a string must be escaped", c);
        need = js_utf8_lead(c, &lo, &hi);
        if (need == 0)
            return js_fail(s, err, JS_OFF(q), "invalid UTF-8 (byte 0x%02x)", c);
        if (end - q > need) {
            /* The whole sequence is in this chunk: check it and keep going. */
            if (q[1] < lo || q[1] > hi)
                return js_fail(s, err, JS_OFF(q + 1), "invalid UTF-8 (byte 0x%02x)", q[1]);
            for (int k = 2; k <= need; k++)
                if ((q[k] & 0xC0) != 0x80)
                    return js_fail(s, err, JS_OFF(q + k), "invalid UTF-8 (byte 0x%02x)", q[k]);
            q += need + 1;
            continue;
        }
        js_put(s, p, (size_t)(q - p) + 1);
        s->utf8_left = need;
        s->utf8_lo = lo;
        s->utf8_hi = hi;
        p = q + 1;
        goto utf8;
    }

utf8:
    while (s->utf8_left > 0) {
        if (p == end)
            JS_SUSPEND(ST_UTF8);
        c = *p;
        if (c < s->utf8_lo || c > s->utf8_hi)
            return js_fail(s, err, JS_OFF(p), "invalid UTF-8 (byte 0x%02x)", c);
        js_put(s, p, 1);
        p++;
        s->utf8_left--;
        s->utf8_lo = 0x80;
        s->utf8_hi = 0xBF;
    }
    goto string;

escape:
    if (p == end)
        JS_SUSPEND(ST_ESCAPE);
    {
        char ch;

        switch (*p) {
        case '"':
        case '\\':
        case '/':
            ch = (char)*p;
            break;
        case 'b':
            ch = '\b';
            break;
        case 'f':
            ch = '\f';
            break;
        case 'n':
            ch = '\n';
            break;
        case 'r':
            ch = '\r';
            break;
        case 't':
            ch = '\t';
            break;
        case 'u':
            p++;
            s->hex = 0;
            s->hex_left = 4;
            goto hex;
        default:
            return js_fail_at(s, err, JS_OFF(p), *p, "invalid escape");
        }
        p++;
        js_put(s, &ch, 1);
        goto string;
    }

hex:
    while (s->hex_left > 0) {
        int d;

        if (p == end)
            JS_SUSPEND(ST_HEX);
        d = js_hex_digit(*p);
        if (d < 0)
            return js_fail_at(s, err, JS_OFF(p), *p, "expected a hex digit in \\u escape");
        s->hex = s->hex * 16 + (uint32_t)d;
        s->hex_left--;
        p++;
    }
    if (s->high != 0) {
        if (s->hex < 0xDC00 || s->hex > 0xDFFF)
            return js_fail(s, err, JS_OFF(p), "high surrogate \\u%04X without a low one",
                           (unsigned)s->high);
        js_put_code_point(s, 0x10000 + ((s->high - 0xD800) << 10) + (s->hex - 0xDC00));
        s->high = 0;
        goto string;
    }
    if (s->hex >= 0xD800 && s->hex <= 0xDBFF) {
        s->high = s->hex;
        goto low_backslash;
    }
    if (s->hex >= 0xDC00 && s->hex <= 0xDFFF)
        return js_fail(s, err, JS_OFF(p), "low surrogate \\u%04X without a high one",
                       (unsigned)s->hex);
    js_put_code_point(s, s->hex);
    goto string;

low_backslash:
    if (p == end)
        JS_SUSPEND(ST_LOW_BACKSLASH);
    if (*p != '\\')
        return js_fail(s, err, JS_OFF(p), "high surrogate \\u%04X without a low one",
                       (unsigned)s->high);
    p++;
low_u:
    if (p == end)
        JS_SUSPEND(ST_LOW_U);
    if (*p != 'u')
        return js_fail(s, err, JS_OFF(p), "high surrogate \\u%04X without a low one",
                       (unsigned)s->high);
    p++;
    s->hex = 0;
    s->hex_left = 4;
    goto hex;

string_end:
    if (s->is_key) {
        if (s->key_over)
            return js_fail(s, err, JS_OFF(p - 1), "path longer than %d bytes", JSONSCAN_MAX_PATH);
        goto colon;
    }
    s->stats.strings++;
    if (s->leaf != NULL)
        js_deliver_string(s);
    goto after;

number:
    /* nbeg: where this chunk's part of the number starts */
    {
        enum js_num_state ns = s->nstate, nx = NS_END;

        while (p < end) {
            nx = (enum js_num_state)js_num_next[ns][js_num_class[*p]];
            if (nx >= NS_END)
                break;
            ns = nx;
            p++;
            if (ns == NS_INT || ns == NS_FRAC || ns == NS_EXP)
                while (p < end && (unsigned)(*p - '0') < 10)
                    p++;
        }
        s->nstate = ns;
        if (p == end) {
            js_save_number(s, nbeg, p);
            JS_SUSPEND(ST_NUMBER);
        }
        if (nx == NS_BAD) {
            if (ns == NS_ZERO && (unsigned)(*p - '0') < 10)
                return js_fail(s, err, JS_OFF(p), "leading zeros are not allowed");
            return js_fail_at(s, err, JS_OFF(p), *p, "invalid number");
        }
        if (js_end_number(s, nbeg, (size_t)(p - nbeg), err) < 0)
            return -1;
        goto after;
    }

literal_start:
    s->lit_pos = 0;
    s->stats.literals++;
literal:
    while (s->lit_pos < s->lit_len) {
        if (p == end)
            JS_SUSPEND(ST_LITERAL);
        if (*p != (unsigned char)s->lit[s->lit_pos])
            return js_fail_at(s, err, JS_OFF(p), *p, "invalid literal");
        p++;
        s->lit_pos++;
    }
    if (s->leaf != NULL)
        js_deliver(s, s->lit_type, s->lit, s->lit_len, 0.0, 0);
    goto after;

done:
    p = js_skip_ws(s, p, end, buf);
    if (p < end)
        return js_fail_at(s, err, JS_OFF(p), *p, "unexpected data after the document");
    JS_SUSPEND(ST_DONE);

#undef JS_OFF
#undef JS_SUSPEND
}

int jsonscan_feed(struct jsonscan *s, const char *data, size_t n, struct err *err)
{
    if (s->state == ST_ERROR) {
        err_set(err, EINVAL, "%s", s->errmsg);
        return -1;
    }
    if (n == 0)
        return 0;
    return js_scan(s, (const unsigned char *)data, n, err);
}

int jsonscan_finish(struct jsonscan *s, struct err *err)
{
    const char *where = "";

    switch (s->state) {
    case ST_ERROR:
        err_set(err, EINVAL, "%s", s->errmsg);
        return -1;
    case ST_DONE:
        return 0;
    case ST_NUMBER:
        if (s->depth == 0 && (s->nstate == NS_ZERO || s->nstate == NS_INT || s->nstate == NS_FRAC ||
                              s->nstate == NS_EXP)) {
            if (js_end_number(s, NULL, 0, err) < 0)
                return -1;
            s->state = ST_DONE;
            return 0;
        }
        where = " inside a number";
        break;
    case ST_VALUE:
        if (s->depth == 0 && s->stats.values == 0)
            return js_fail(s, err, s->pos, "empty document");
        break;
    case ST_STRING:
    case ST_ESCAPE:
    case ST_HEX:
    case ST_LOW_BACKSLASH:
    case ST_LOW_U:
    case ST_UTF8:
        where = s->is_key ? " inside a member name" : " inside a string";
        break;
    case ST_LITERAL:
        where = " inside a literal";
        break;
    default:
        break;
    }
    if (s->depth > 0)
        return js_fail(s, err, s->pos, "unexpected end of input%s (%d unclosed %s)", where,
                       s->depth, s->depth == 1 ? "bracket" : "brackets");
    return js_fail(s, err, s->pos, "unexpected end of input%s", where);
}
