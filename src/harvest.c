/* harvest.c: the harvested-metrics map and the rule that fills it.
 *
 * A big benchmark file yields a key per run and metric (hundreds of thousands), so the
 * JSON path is built for that: the map keeps entries in insertion order and finds keys
 * through an open-addressing index whose slots carry high hash bits (a new key touches
 * index slots but no other entry, and growing reads no key), keys live in shared blocks,
 * and the keyword test skips the prefix a path shares with the one before it.
 * Output follows serde_json's pretty printer, which wrote the original's prompt: sorted
 * keys (its BTreeMap), two-space indent, f64 in shortest round-trip form with ".0" on
 * integral values (ryu's layout). */
#include "harvest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonscan.h"
#include "numparse.h"
#include "xmem.h"

#define HV_PREFIX "json_"
#define HV_PREFIX_LEN 5

/* On 64-bit hosts an index slot holds the top 32 bits of the key's hash above the entry
 * position + 1: probes compare those bits before reading any key, and growing the index
 * needs no key at all (the bucket is computed from the same bits). */
#if SIZE_MAX > 0xFFFFFFFFu
#define HV_TAGGED 1
#define HV_POS_MASK ((size_t)0xFFFFFFFFu)
#else
#define HV_TAGGED 0
#define HV_POS_MASK SIZE_MAX
#endif

/* Keys are carved from blocks (one malloc per HV_KEYS_BLOCK bytes, not one per key: a
 * benchmark file can yield hundreds of thousands of keys) and freed with the map. */
#define HV_KEYS_BLOCK ((size_t)64 << 10)

struct hv_keys {
    struct hv_keys *prev;
    size_t used, cap;
    char data[];
};

void harvest_init(struct harvest *h)
{
    memset(h, 0, sizeof *h);
    h->memo_hit = SIZE_MAX;
}

void harvest_fini(struct harvest *h)
{
    free(h->memo);
    while (h->keys != NULL) {
        struct hv_keys *prev = h->keys->prev;

        free(h->keys);
        h->keys = prev;
    }
    for (size_t i = 0; i < h->n; i++) {
        struct harvest_entry *e = &h->entries[i];

        for (size_t j = 0; j < e->nstrings; j++)
            free(e->strings[j]);
        free(e->strings);
    }
    free(h->entries);
    free(h->index);
    harvest_init(h);
}

/* --- the keyword and numeric-string rules ---------------------------------------------- */

/* Does p[0..n) start with the lower-case ASCII keyword kw, ignoring ASCII case? `c | 0x20`
 * maps only 'A'..'Z' onto 'a'..'z', so it is an exact fold for a letters-only keyword. */
static int hv_starts(const unsigned char *p, size_t n, const char *kw, size_t kwlen)
{
    if (n < kwlen)
        return 0;
    for (size_t i = 1; i < kwlen; i++)
        if ((p[i] | 0x20) != (unsigned char)kw[i])
            return 0;
    return 1;
}

/* Keyword lengths (in bytes) by first letter, for the scan below; 0 = no keyword. */
enum { HV_KW_T = 1, HV_KW_L, HV_KW_S };
#define HV_KW_MAX 10 /* "throughput" */

static const unsigned char hv_first[256] = {
    ['t'] = HV_KW_T, ['T'] = HV_KW_T, ['l'] = HV_KW_L,
    ['L'] = HV_KW_L, ['s'] = HV_KW_S, ['S'] = HV_KW_S,
};

/* End of the first keyword that starts at or after `from` in p[0..n), or SIZE_MAX. No
 * keyword contains another, so the first to start is also the first to end. */
static size_t hv_keyword_end(const unsigned char *p, size_t n, size_t from)
{
    for (size_t i = from; i + 3 <= n; i++) {
        const unsigned char *at;
        size_t left;

        while (hv_first[p[i]] == 0)
            if (++i + 3 > n)
                return SIZE_MAX;
        at = p + i;
        left = n - i;
        switch (hv_first[at[0]]) {
        case HV_KW_T:
            if ((at[1] | 0x20) == 'o') {
                if ((at[2] | 0x20) == 'k')
                    return i + 3;
                /* The original lower-cased with Unicode rules, which turn U+212A KELVIN
                 * SIGN into 'k': "TO\u212A" matched "tok" there, so it matches here. */
                if (left >= 5 && at[2] == 0xE2 && at[3] == 0x84 && at[4] == 0xAA)
                    return i + 5;
            }
            if (hv_starts(at, left, "ttft", 4))
                return i + 4;
            if (hv_starts(at, left, "throughput", 10))
                return i + 10;
            break;
        case HV_KW_L:
            if (hv_starts(at, left, "latency", 7))
                return i + 7;
            break;
        case HV_KW_S:
            if (hv_starts(at, left, "speed", 5))
                return i + 5;
            break;
        default:
            break;
        }
    }
    return SIZE_MAX;
}

int harvest_keyword(const char *s, size_t n)
{
    return hv_keyword_end((const unsigned char *)s, n, 0) != SIZE_MAX;
}

/* harvest_keyword for a stream of paths, most of which share a prefix with the one before
 * ("runs[7].ttft_ms", "runs[7].latency_ms.p50"): with the previous path and the end of
 * its first keyword remembered, a keyword that ends inside the common prefix is in both,
 * and otherwise only a keyword ending past the prefix can appear, so the scan starts at
 * most HV_KW_MAX - 1 bytes before it, and only over bytes a keyword can hold (letters, and
 * the bytes of U+212A). */
static int hv_keyword_memo(struct harvest *h, const char *path, size_t n)
{
    const unsigned char *p = (const unsigned char *)path;
    size_t d = 0, lim = n < h->memo_len ? n : h->memo_len, from;

    if (h->memo == NULL) {
        /* First use (also right after a memset-to-zero instead of harvest_init). */
        h->memo = xmalloc(JSONSCAN_MAX_PATH);
        h->memo_len = 0;
        h->memo_hit = SIZE_MAX;
        lim = 0;
    }
    while (lim - d >= 8) {
        uint64_t x, y;

        memcpy(&x, h->memo + d, 8);
        memcpy(&y, path + d, 8);
        if (x != y) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            d += (size_t)__builtin_ctzll(x ^ y) / 8; /* the first differing byte */
            lim = d;
#endif
            break;
        }
        d += 8;
    }
    while (d < lim && h->memo[d] == path[d])
        d++;
    if (h->memo_hit > d) {
        from = d;
        while (
            from > 0 && d - from < HV_KW_MAX - 1 &&
            (((p[from - 1] | 0x20) >= 'a' && (p[from - 1] | 0x20) <= 'z') || p[from - 1] >= 0x80))
            from--;
        h->memo_hit = hv_keyword_end(p, n, from);
    }
    memcpy(h->memo + d, path + d, n - d);
    h->memo_len = n;
    return h->memo_hit <= n;
}

/* Length of the Unicode White_Space character (what Rust's str::trim removes) that
 * starts p[0..n), or 0. */
static size_t hv_space_at(const unsigned char *p, size_t n)
{
    if (n >= 1 && ((p[0] >= 0x09 && p[0] <= 0x0D) || p[0] == ' '))
        return 1;
    if (n >= 2 && p[0] == 0xC2 && (p[1] == 0x85 || p[1] == 0xA0))
        return 2;
    if (n >= 3) {
        if (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80)
            return 3; /* U+1680 */
        if (p[0] == 0xE2 && p[1] == 0x80 &&
            ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
            return 3; /* U+2000..200A, U+2028, U+2029, U+202F */
        if (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F)
            return 3; /* U+205F */
        if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
            return 3; /* U+3000 */
    }
    return 0;
}

/* The same, for a White_Space character that ends p[0..n). */
static size_t hv_space_before(const unsigned char *p, size_t n)
{
    for (size_t len = 1; len <= 3 && len <= n; len++)
        if (hv_space_at(p + n - len, len) == len)
            return len;
    return 0;
}

static int hv_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Rust's f64 grammar on t[0..n): [+-]? (digits [. digits?] | . digits) ([eE][+-]?digits)?.
 * num_parse reads the same numbers but also allows spaces around them; checking the
 * characters at both ends keeps those out. */
static int hv_parse_plain(const char *t, size_t n, double *out)
{
    size_t first = n > 0 && (t[0] == '+' || t[0] == '-') ? 1 : 0;

    if (n <= first)
        return 0;
    if (!(hv_digit((unsigned char)t[first]) || t[first] == '.'))
        return 0;
    if (!(hv_digit((unsigned char)t[n - 1]) || t[n - 1] == '.'))
        return 0;
    return num_parse(t, n, out);
}

int harvest_parse_number(const char *s, size_t n, double *out)
{
    const unsigned char *b = (const unsigned char *)s, *e = b + n;
    const char *comma;
    size_t w, len;
    char small[128], *tmp;
    int ok;

    while (b < e && (w = hv_space_at(b, (size_t)(e - b))) > 0)
        b += w;
    while (e > b && (w = hv_space_before(b, (size_t)(e - b))) > 0)
        e -= w;
    len = (size_t)(e - b);
    while (len > 0 && (b[len - 1] == '%' || b[len - 1] == 's'))
        len--;
    if (len == 0)
        return 0;
    comma = memchr(b, ',', len);
    if (comma == NULL)
        return hv_parse_plain((const char *)b, len, out);
    tmp = len < sizeof small ? small : xmalloc(len);
    w = 0;
    for (size_t i = 0; i < len; i++)
        if (b[i] != ',')
            tmp[w++] = (char)b[i];
    ok = hv_parse_plain(tmp, w, out);
    if (tmp != small)
        free(tmp);
    return ok;
}

/* --- the map ---------------------------------------------------------------------------- */

/* Word-at-a-time multiply-xorshift with splitmix64's finaliser: paths differ in their
 * last bytes ("runs[17].ttft_ms"), and the finaliser spreads those into the top bits that
 * pick the bucket. */
static uint64_t hv_hash(const char *s, size_t n)
{
    const uint64_t k = 0xbf58476d1ce4e5b9ULL;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * k;
        h ^= h >> 31;
    }
    if (n > 0) {
        w = 0;
        memcpy(&w, s, n);
        h = (h ^ w) * k;
    }
    h ^= h >> 30;
    h *= k;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

/* Bucket of a hash in an index of `cap` slots (cap <= 2^32), from its top 32 bits. */
static size_t hv_bucket(uint64_t hash, size_t cap)
{
    return (size_t)(((hash >> 32) * (uint64_t)cap) >> 32);
}

static size_t hv_tag(uint64_t hash)
{
#if HV_TAGGED
    return (size_t)(hash >> 32) << 32;
#else
    (void)hash;
    return 0;
#endif
}

/* Slot where `key` is, or the empty slot where it would go. */
static size_t hv_find(const struct harvest *h, const char *key, size_t n, uint64_t hash)
{
    size_t mask = h->index_cap - 1, i = hv_bucket(hash, h->index_cap), tag = hv_tag(hash);

    for (;;) {
        size_t slot = h->index[i];

        if (slot == 0)
            return i;
        if ((slot & ~HV_POS_MASK) == tag) {
            const char *k = h->entries[(slot & HV_POS_MASK) - 1].key;

            if (strncmp(k, key, n) == 0 && k[n] == '\0')
                return i;
        }
        i = (i + 1) & mask;
    }
}

static void hv_rehash(struct harvest *h, size_t cap)
{
    size_t *old = h->index, oldcap = h->index_cap;

    h->index = xcalloc(cap, sizeof *h->index);
    h->index_cap = cap;
    for (size_t j = 0; j < oldcap; j++) {
        size_t slot = old[j], i;

        if (slot == 0)
            continue;
#if HV_TAGGED
        i = hv_bucket((uint64_t)slot, cap); /* the tag is the hash's top half */
#else
        {
            const char *k = h->entries[slot - 1].key;

            i = hv_bucket(hv_hash(k, strlen(k)), cap);
        }
#endif
        while (h->index[i] != 0)
            i = (i + 1) & (cap - 1);
        h->index[i] = slot;
    }
    free(old);
}

static char *hv_key_copy(struct harvest *h, const char *key, size_t n)
{
    struct hv_keys *b = h->keys;
    char *p;

    if (b == NULL || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > HV_KEYS_BLOCK ? n + 1 : HV_KEYS_BLOCK;

        b = xmalloc(sizeof *b + cap);
        b->prev = h->keys;
        b->used = 0;
        b->cap = cap;
        h->keys = b;
    }
    p = b->data + b->used;
    memcpy(p, key, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

/* Entry for key[0..n), or a new one (type unset) when *fresh is set; NULL never. */
static struct harvest_entry *hv_slot(struct harvest *h, const char *key, size_t n, int *fresh)
{
    uint64_t hash = hv_hash(key, n);
    struct harvest_entry *e;
    size_t i;

    /* Grow at three quarters full: probes compare tags, not keys, so longer probe runs
     * cost less than the cache and TLB misses of a bigger index. */
    if (h->index_cap == 0 || (h->n + 1) * 4 > h->index_cap * 3) {
        if (h->index_cap > ((size_t)1 << 31) || h->index_cap > SIZE_MAX / 2 / sizeof(size_t))
            fatal("harvest: too many entries");
        hv_rehash(h, h->index_cap ? h->index_cap * 2 : 64);
    }
    i = hv_find(h, key, n, hash);
    if (h->index[i] != 0) {
        *fresh = 0;
        return &h->entries[(h->index[i] & HV_POS_MASK) - 1];
    }
    h->entries = xgrow(h->entries, &h->cap, h->n + 1, sizeof *h->entries);
    e = &h->entries[h->n];
    memset(e, 0, sizeof *e);
    e->key = hv_key_copy(h, key, n);
    h->index[i] = hv_tag(hash) | (h->n + 1);
    h->n++;
    *fresh = 1;
    return e;
}

int harvest_put_number(struct harvest *h, const char *key, double v)
{
    int fresh;
    struct harvest_entry *e = hv_slot(h, key, strlen(key), &fresh);

    if (!fresh)
        return 0;
    e->type = HARVEST_NUMBER;
    e->number = v;
    return 1;
}

int harvest_put_count(struct harvest *h, const char *key, uint64_t v)
{
    int fresh;
    struct harvest_entry *e = hv_slot(h, key, strlen(key), &fresh);

    if (!fresh)
        return 0;
    e->type = HARVEST_COUNT;
    e->count = v;
    return 1;
}

int harvest_put_strings(struct harvest *h, const char *key, const char *const *v, size_t n)
{
    int fresh;
    struct harvest_entry *e = hv_slot(h, key, strlen(key), &fresh);

    if (!fresh)
        return 0;
    e->type = HARVEST_STRINGS;
    e->nstrings = n;
    e->strings = xcalloc(n ? n : 1, sizeof *e->strings);
    for (size_t i = 0; i < n; i++)
        e->strings[i] = xstrdup(v[i]);
    return 1;
}

const struct harvest_entry *harvest_get(const struct harvest *h, const char *key)
{
    size_t n = strlen(key), i;

    if (h->index_cap == 0)
        return NULL;
    i = hv_find(h, key, n, hv_hash(key, n));
    if (h->index[i] == 0)
        return NULL;
    return &h->entries[(h->index[i] & HV_POS_MASK) - 1];
}

void harvest_json_leaf(const struct json_leaf *leaf, void *arg)
{
    struct harvest *h = arg;
    char key[HV_PREFIX_LEN + JSONSCAN_MAX_PATH + 1];
    double v;
    int fresh;
    struct harvest_entry *e;

    if (leaf->pathlen == 0 || leaf->pathlen > JSONSCAN_MAX_PATH)
        return;
    if (leaf->type == JSON_LEAF_NUMBER) {
        if (!hv_keyword_memo(h, leaf->path, leaf->pathlen))
            return;
        v = leaf->number;
    } else if (leaf->type == JSON_LEAF_STRING) {
        /* A cut value is not the whole string: it cannot be judged numeric. */
        if (leaf->truncated || !hv_keyword_memo(h, leaf->path, leaf->pathlen) ||
            !harvest_parse_number(leaf->text, leaf->textlen, &v))
            return;
    } else {
        return;
    }
    /* A member name with \u0000 cannot be a C-string key. */
    if (memchr(leaf->path, '\0', leaf->pathlen) != NULL)
        return;
    memcpy(key, HV_PREFIX, HV_PREFIX_LEN);
    memcpy(key + HV_PREFIX_LEN, leaf->path, leaf->pathlen);
    key[HV_PREFIX_LEN + leaf->pathlen] = '\0';
    e = hv_slot(h, key, HV_PREFIX_LEN + leaf->pathlen, &fresh);
    if (fresh) {
        e->type = HARVEST_NUMBER;
        e->number = v;
    }
}

/* --- output ----------------------------------------------------------------------------- */

/* Shortest decimal digits that read back as v (v finite, > 0), ryu's choice among equally
 * short ones (the closest to v). Returns the digit count; *point is the decimal exponent
 * of the digits read as 0.DIGITS. printf's "%e" supplies correctly rounded digits (only
 * its digits are read: the decimal point is the locale's) and num_parse, which ignores
 * the locale, reads candidates back. */
static int hv_shortest(double v, char *digits, int *point)
{
    char tmp[48];
    int n;

    if (v < 9007199254740992.0 && v == floor(v)) {
        /* An integer below 2^53: any shorter decimal is a whole unit or more away. */
        n = snprintf(tmp, sizeof tmp, "%.0f", v);
        memcpy(digits, tmp, (size_t)n);
        *point = n;
        while (n > 1 && digits[n - 1] == '0')
            n--;
        return n;
    }
    for (int prec = 1; prec <= 17; prec++) {
        unsigned long long m = 0, cand[3];
        const char *c;
        int e10;

        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        for (c = tmp; *c != 'e' && *c != '\0'; c++)
            if (*c >= '0' && *c <= '9')
                m = m * 10 + (unsigned long long)(*c - '0');
        if (*c != 'e')
            break;
        e10 = (int)strtol(c + 1, NULL, 10) - (prec - 1); /* v ~ m * 10^e10 */
        /* The correctly rounded m first; when it does not read back, the one neighbour
         * inside the rounding interval (only possible at a power of two). */
        cand[0] = m;
        cand[1] = m + 1;
        cand[2] = m - 1;
        for (int k = 0; k < 3; k++) {
            double back;
            int len = snprintf(tmp, sizeof tmp, "%llue%d", cand[k], e10);

            if (num_parse(tmp, (size_t)len, &back) && back == v) {
                n = snprintf(tmp, sizeof tmp, "%llu", cand[k]);
                memcpy(digits, tmp, (size_t)n);
                *point = e10 + n;
                while (n > 1 && digits[n - 1] == '0')
                    n--;
                return n;
            }
        }
    }
    fatal("harvest: no round-trip digits for %a", v); /* 17 digits always read back */
}

/* v as serde_json prints an f64 (ryu's layout); out holds at least 32 bytes. */
static void hv_format_f64(char *out, size_t cap, double v)
{
    char digits[24];
    int n, kk, k;
    size_t o = 0;

    if (!isfinite(v)) {
        snprintf(out, cap, "null"); /* what serde_json writes for NaN and infinities */
        return;
    }
    if (signbit(v)) {
        out[o++] = '-';
        v = -v;
    }
    if (v == 0.0) {
        snprintf(out + o, cap - o, "0.0");
        return;
    }
    n = hv_shortest(v, digits, &kk);
    k = kk - n; /* exponent of the last digit */
    if (k >= 0 && kk <= 16) {
        /* 1234e7 -> 12340000000.0 */
        snprintf(out + o, cap - o, "%.*s%.*s.0", n, digits, k, "0000000000000000");
    } else if (kk > 0 && kk <= 16) {
        /* 1234e-2 -> 12.34 */
        snprintf(out + o, cap - o, "%.*s.%.*s", kk, digits, n - kk, digits + kk);
    } else if (kk > -5 && kk <= 0) {
        /* 1234e-6 -> 0.001234 */
        snprintf(out + o, cap - o, "0.%.*s%.*s", -kk, "0000", n, digits);
    } else if (n == 1) {
        /* 1e30 */
        snprintf(out + o, cap - o, "%ce%d", digits[0], kk - 1);
    } else {
        /* 1234e30 -> 1.234e33 */
        snprintf(out + o, cap - o, "%c.%.*se%d", digits[0], n - 1, digits + 1, kk - 1);
    }
}

static void hv_out(struct buf *b, const char *s, size_t n)
{
    if (buf_append(b, s, n) < 0)
        fatal("harvest: output too large");
}

static void hv_outs(struct buf *b, const char *s)
{
    hv_out(b, s, strlen(s));
}

/* A JSON string as serde_json escapes it: '"', '\' and control characters only. */
static void hv_out_string(struct buf *b, const char *s)
{
    const char *run = s;

    hv_out(b, "\"", 1);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        hv_out(b, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"':
            hv_outs(b, "\\\"");
            break;
        case '\\':
            hv_outs(b, "\\\\");
            break;
        case '\b':
            hv_outs(b, "\\b");
            break;
        case '\f':
            hv_outs(b, "\\f");
            break;
        case '\n':
            hv_outs(b, "\\n");
            break;
        case '\r':
            hv_outs(b, "\\r");
            break;
        case '\t':
            hv_outs(b, "\\t");
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", c);
            hv_outs(b, esc);
            break;
        }
    }
    hv_out(b, run, (size_t)(s - run));
    hv_out(b, "\"", 1);
}

/* One value; `indent` is the pretty printer's current indent, or -1 for compact output. */
static void hv_out_value(struct buf *b, const struct harvest_entry *e, int indent)
{
    char num[40];

    switch (e->type) {
    case HARVEST_NUMBER:
        hv_format_f64(num, sizeof num, e->number);
        hv_outs(b, num);
        break;
    case HARVEST_COUNT:
        snprintf(num, sizeof num, "%llu", (unsigned long long)e->count);
        hv_outs(b, num);
        break;
    case HARVEST_STRINGS:
        if (e->nstrings == 0) {
            hv_outs(b, "[]");
            break;
        }
        hv_out(b, "[", 1);
        for (size_t i = 0; i < e->nstrings; i++) {
            if (i > 0)
                hv_out(b, ",", 1);
            if (indent >= 0) {
                hv_out(b, "\n", 1);
                for (int k = 0; k < indent + 2; k++)
                    hv_out(b, " ", 1);
            }
            hv_out_string(b, e->strings[i]);
        }
        if (indent >= 0) {
            hv_out(b, "\n", 1);
            for (int k = 0; k < indent; k++)
                hv_out(b, " ", 1);
        }
        hv_out(b, "]", 1);
        break;
    }
}

static int hv_cmp_key(const void *a, const void *b)
{
    const struct harvest_entry *const *x = a, *const *y = b;

    return strcmp((*x)->key, (*y)->key); /* strcmp compares as unsigned char: bytewise */
}

char *harvest_to_json(const struct harvest *h)
{
    const struct harvest_entry **order;
    struct buf b;

    if (h->n == 0)
        return xstrdup("{}");
    order = xmalloc(h->n * sizeof *order);
    for (size_t i = 0; i < h->n; i++)
        order[i] = &h->entries[i];
    qsort(order, h->n, sizeof *order, hv_cmp_key);
    buf_init(&b, SIZE_MAX / 2);
    hv_out(&b, "{", 1);
    for (size_t i = 0; i < h->n; i++) {
        hv_outs(&b, i > 0 ? ",\n  " : "\n  ");
        hv_out_string(&b, order[i]->key);
        hv_out(&b, ": ", 2);
        hv_out_value(&b, order[i], 2);
    }
    hv_out(&b, "\n}", 2);
    free(order);
    return buf_steal(&b);
}

char *harvest_value_json(const struct harvest_entry *e)
{
    struct buf b;

    buf_init(&b, SIZE_MAX / 2);
    hv_out_value(&b, e, -1);
    return buf_steal(&b);
}
