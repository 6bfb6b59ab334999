/* csvcol.c: per-column accumulation for the CSV statistics.
 *
 * Cost per cell matters (a 2 GB file has hundreds of millions of cells), so:
 *   - a cell is tried as a number only when its first byte can start one;
 *   - the reservoir uses Algorithm L, which draws random numbers only when it replaces an
 *     element (about k log(n/k) times), not once per value;
 *   - top values past the exact phase use space-saving on a "stream summary" (entries
 *     grouped in buckets of equal count, buckets in count order), so both an increment
 *     and the eviction of a minimum are O(1); a column of unique values (run ids,
 *     timestamps) evicts on every cell and a heap would pay log k each time. */
#include "csvcol.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "xmem.h"

#define TOP_INLINE 24 /* keys up to this long live inside the entry */
#define TOP_NONE UINT32_MAX
#define TOP_MIN_SLOTS 16
#define CSVCOL_SS_COUNTERS 1024 /* space-saving counters: counts within rows/1024 */
#define RES_MIN_ALLOC 64
#define RES_SKIP_MAX 1e18        /* "never" for the reservoir skip counter */
#define CSVCOL_PROGRESS_PCT 1024 /* values behind percentiles shown while loading */

struct top_ent {
    uint64_t hash;
    uint64_t count;
    size_t len;      /* full length of the value */
    uint32_t klen;   /* bytes kept: min(len, CSVCOL_TOP_KEY_MAX) */
    uint32_t bucket; /* approximate phase: the bucket, and the entry's neighbours in it */
    uint32_t prev, next;
    uint32_t slot; /* where the hash table holds this entry */
    char *ext;     /* CSVCOL_TOP_KEY_MAX bytes, allocated for the first long key */
    char inl[TOP_INLINE];
};

struct top_slot {
    uint32_t idx; /* entry index, TOP_NONE when the slot is free */
    uint32_t h;   /* low bits of the hash: the home slot, and a cheap first compare */
};

struct top_bucket {
    uint64_t count;
    uint32_t prev, next; /* neighbouring buckets, ascending count; next is the free list */
    uint32_t head;       /* first entry with this count */
};

struct csvcol_top {
    struct top_ent *ent;
    size_t n, cap, max;
    struct top_slot *slot; /* open addressing, linear probing, load <= 1/2 */
    size_t mask;
    int approx;
    uint64_t distinct;
    struct top_bucket *bk; /* max + 1 buckets once approximate */
    uint32_t bk_first, bk_free;
};

/* --- cell classification ------------------------------------------------------------ */

static int col_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Case-insensitive compare of s[0..n) with the lower-case word w of the same length. */
static int col_word(const char *s, const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (col_lower(s[i]) != w[i])
            return 0;
    }
    return 1;
}

static int col_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)((unsigned char)s[i] - '0') > 9)
            return 0;
    }
    return 1;
}

static inline const char *col_trim(const char *s, size_t *n)
{
    size_t len = *n;

    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    *n = len;
    return s;
}

const char *csvcol_trim(const char *s, size_t *n)
{
    return col_trim(s, n);
}

int csvcol_is_missing(const char *s, size_t n)
{
    switch (n) {
    case 0:
        return 1;
    case 1:
        return s[0] == '-';
    case 2:
        return col_word(s, "na", 2);
    case 3:
        return col_word(s, "n/a", 3) || col_word(s, "nan", 3) || col_word(s, "nil", 3);
    case 4:
        return col_word(s, "null", 4) || col_word(s, "none", 4);
    default:
        return 0;
    }
}

static int col_is_bool(const char *s, size_t n)
{
    switch (n) {
    case 2:
        return col_word(s, "no", 2);
    case 3:
        return col_word(s, "yes", 3);
    case 4:
        return col_word(s, "true", 4);
    case 5:
        return col_word(s, "false", 5);
    default:
        return 0;
    }
}

/* YYYY-MM-DD, optionally followed by T or a space and HH:MM (then anything). */
static int col_is_date(const char *s, size_t n)
{
    int mon, day;

    if (n < 10 || !col_digits(s, 4) || s[4] != '-' || !col_digits(s + 5, 2) || s[7] != '-' ||
        !col_digits(s + 8, 2))
        return 0;
    mon = (s[5] - '0') * 10 + (s[6] - '0');
    day = (s[8] - '0') * 10 + (s[9] - '0');
    if (mon < 1 || mon > 12 || day < 1 || day > 31)
        return 0;
    if (n == 10)
        return 1;
    return n >= 16 && (s[10] == 'T' || s[10] == 't' || s[10] == ' ') && col_digits(s + 11, 2) &&
           s[13] == ':' && col_digits(s + 14, 2);
}

/* --- random numbers and the reservoir ------------------------------------------------ */

/* splitmix64: tiny, fast, and good enough to pick reservoir slots. */
static uint64_t col_rand(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in the open interval (0, 1), so log() is finite. */
static double col_rand01(uint64_t *state)
{
    return ((double)(col_rand(state) >> 11) + 0.5) * 0x1p-53;
}

static void res_next_skip(struct csvcol *c)
{
    double s = floor(log(col_rand01(&c->rng)) / log1p(-c->res_w));

    c->res_skip = (s >= 0 && s < RES_SKIP_MAX) ? (uint64_t)s : (uint64_t)RES_SKIP_MAX;
}

static void res_add(struct csvcol *c, double v)
{
    c->res_seen++;
    if (c->res_len < c->res_cap) {
        if (c->res_len == c->res_alloc) {
            c->res_alloc = c->res_alloc ? c->res_alloc * 2 : RES_MIN_ALLOC;
            if (c->res_alloc > c->res_cap)
                c->res_alloc = c->res_cap;
            c->res = xrealloc(c->res, c->res_alloc * sizeof *c->res);
        }
        c->res[c->res_len++] = v;
        if (c->res_len == c->res_cap) {
            c->res_w = exp(log(col_rand01(&c->rng)) / (double)c->res_cap);
            res_next_skip(c);
        }
        return;
    }
    if (c->res_skip > 0) {
        c->res_skip--;
        return;
    }
    /* Lemire's multiply-shift maps 32 random bits onto [0, cap) without a division */
    c->res[((col_rand(&c->rng) >> 32) * c->res_cap) >> 32] = v;
    c->res_w *= exp(log(col_rand01(&c->rng)) / (double)c->res_cap);
    res_next_skip(c);
}

/* k-th smallest of a[0..n) (0-based); reorders a. Quickselect, median-of-three pivot,
 * Hoare partition (which stays fast when many values are equal). */
static double col_select(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;

    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
        double t, pivot;

        if (a[mid] < a[lo]) {
            t = a[mid], a[mid] = a[lo], a[lo] = t;
        }
        if (a[hi] < a[lo]) {
            t = a[hi], a[hi] = a[lo], a[lo] = t;
        }
        if (a[hi] < a[mid]) {
            t = a[hi], a[hi] = a[mid], a[mid] = t;
        }
        pivot = a[mid];
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                t = a[i], a[i] = a[j], a[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return a[k]; /* between the two parts: equal to the pivot */
    }
    return a[k];
}

/* Quantile q with linear interpolation between closest ranks (numpy's default), computed
 * the way numpy does it so results match to the last bit where possible. */
static double col_quantile(double *a, size_t n, double q)
{
    double pos = q * (double)(n - 1), t, lo, hi;
    size_t k = (size_t)pos;

    lo = col_select(a, n, k);
    t = pos - (double)k;
    if (t == 0 || k + 1 >= n)
        return lo;
    hi = a[k + 1];
    for (size_t i = k + 2; i < n; i++) {
        if (a[i] < hi)
            hi = a[i];
    }
    return t >= 0.5 ? hi - (hi - lo) * (1 - t) : lo + (hi - lo) * t;
}

/* --- top values ---------------------------------------------------------------------- */

/* 1 to 8 bytes as one word (several byte orders give the same hash quality). */
static uint64_t top_load_short(const char *s, size_t n)
{
    uint32_t a, b;

    if (n >= 4) {
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4); /* overlaps the first load when n < 8 */
        return ((uint64_t)a << 32) | b;
    }
    return ((uint64_t)(unsigned char)s[0] << 16) | ((uint64_t)(unsigned char)s[n >> 1] << 8) |
           (unsigned char)s[n - 1];
}

static uint64_t top_mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
    return h ^ (h >> 32);
}

/* A word-at-a-time hash for short cells: the length seeds it, so the overlapping tail
 * load cannot make two different cells of one length collide systematically. */
static uint64_t top_hash(const char *s, size_t n)
{
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ (n * UINT64_C(0xc2b2ae3d27d4eb4f));
    const char *end = s + n;
    uint64_t w;

    if (n <= 8) {
        if (n > 0)
            h = top_mix(h, top_load_short(s, n));
    } else {
        for (; end - s > 8; s += 8) {
            memcpy(&w, s, 8);
            h = top_mix(h, w);
        }
        memcpy(&w, end - 8, 8); /* the last 1 to 8 bytes, overlapping */
        h = top_mix(h, w);
    }
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static const char *top_key(const struct top_ent *e)
{
    return e->klen > TOP_INLINE ? e->ext : e->inl;
}

/* Copy n <= 24 bytes with fixed-size, possibly overlapping moves (no call, no loop). */
static inline void top_copy_short(char *d, const char *s, size_t n)
{
    uint64_t a, b, c;
    uint32_t x, y;

    if (n > 16) {
        memcpy(&a, s, 8);
        memcpy(&b, s + 8, 8);
        memcpy(&c, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + 8, &b, 8);
        memcpy(d + n - 8, &c, 8);
    } else if (n >= 8) {
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4) {
        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        memcpy(d, &x, 4);
        memcpy(d + n - 4, &y, 4);
    } else if (n > 0) {
        d[0] = s[0];
        d[n >> 1] = s[n >> 1];
        d[n - 1] = s[n - 1];
    }
}

static inline void top_set_key(struct top_ent *e, uint64_t h, const char *s, size_t n)
{
    e->hash = h;
    e->len = n;
    e->klen = (uint32_t)(n < CSVCOL_TOP_KEY_MAX ? n : CSVCOL_TOP_KEY_MAX);
    if (e->klen > TOP_INLINE) {
        if (e->ext == NULL)
            e->ext = xmalloc(CSVCOL_TOP_KEY_MAX);
        memcpy(e->ext, s, e->klen);
    } else {
        top_copy_short(e->inl, s, e->klen);
    }
}

static inline int top_match(const struct top_ent *e, uint64_t h, const char *s, size_t n)
{
    if (e->hash != h || e->len != n)
        return 0;
    if (e->klen <= 8) /* most cells: one word each side, no call */
        return e->klen == 0 || top_load_short(e->inl, e->klen) == top_load_short(s, e->klen);
    return memcmp(top_key(e), s, e->klen) == 0;
}

/* Slot holding the value, or the free slot where it would go. */
static size_t top_find(const struct csvcol_top *t, uint64_t h, const char *s, size_t n)
{
    size_t i = (size_t)h & t->mask;

    for (;; i = (i + 1) & t->mask) {
        const struct top_slot *sl = &t->slot[i];

        if (sl->idx == TOP_NONE)
            return i;
        if (sl->h == (uint32_t)h && top_match(&t->ent[sl->idx], h, s, n))
            return i;
    }
}

static void top_place(struct csvcol_top *t, uint32_t idx)
{
    uint32_t h = (uint32_t)t->ent[idx].hash;
    size_t i = h & t->mask;

    while (t->slot[i].idx != TOP_NONE)
        i = (i + 1) & t->mask;
    t->slot[i].idx = idx;
    t->slot[i].h = h;
    t->ent[idx].slot = (uint32_t)i;
}

static void top_rehash(struct csvcol_top *t, size_t nslots)
{
    free(t->slot);
    t->slot = xmalloc(nslots * sizeof *t->slot);
    t->mask = nslots - 1;
    for (size_t i = 0; i < nslots; i++)
        t->slot[i].idx = TOP_NONE;
    for (size_t i = 0; i < t->n; i++)
        top_place(t, (uint32_t)i);
}

/* Remove entry idx from the table, shifting later members of its probe run back so no
 * lookup stops early at the hole (no tombstones needed). */
static void top_unplace(struct csvcol_top *t, uint32_t idx)
{
    size_t i = t->ent[idx].slot, j;

    for (j = (i + 1) & t->mask; t->slot[j].idx != TOP_NONE; j = (j + 1) & t->mask) {
        size_t home = t->slot[j].h & t->mask;

        /* keep slot j where it is only if its home lies cyclically in (i, j] */
        if (((j - home) & t->mask) < ((j - i) & t->mask))
            continue;
        t->slot[i] = t->slot[j];
        t->ent[t->slot[i].idx].slot = (uint32_t)i;
        i = j;
    }
    t->slot[i].idx = TOP_NONE;
}

static struct csvcol_top *top_new(size_t max)
{
    struct csvcol_top *t = xcalloc(1, sizeof *t);

    t->max = max;
    top_rehash(t, TOP_MIN_SLOTS);
    return t;
}

static void top_free(struct csvcol_top *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->ent[i].ext);
    free(t->ent);
    free(t->slot);
    free(t->bk);
    free(t);
}

static uint32_t bk_new(struct csvcol_top *t, uint64_t count, uint32_t after)
{
    uint32_t b = t->bk_free;
    struct top_bucket *nb = &t->bk[b];

    t->bk_free = nb->next;
    nb->count = count;
    nb->head = TOP_NONE;
    nb->prev = after;
    if (after == TOP_NONE) {
        nb->next = t->bk_first;
        t->bk_first = b;
    } else {
        nb->next = t->bk[after].next;
        t->bk[after].next = b;
    }
    if (nb->next != TOP_NONE)
        t->bk[nb->next].prev = b;
    return b;
}

static void bk_drop(struct csvcol_top *t, uint32_t b)
{
    struct top_bucket *ob = &t->bk[b];

    if (ob->prev != TOP_NONE)
        t->bk[ob->prev].next = ob->next;
    else
        t->bk_first = ob->next;
    if (ob->next != TOP_NONE)
        t->bk[ob->next].prev = ob->prev;
    ob->next = t->bk_free;
    t->bk_free = b;
}

static void bk_push(struct csvcol_top *t, uint32_t b, uint32_t i)
{
    struct top_ent *e = &t->ent[i];

    e->bucket = b;
    e->prev = TOP_NONE;
    e->next = t->bk[b].head;
    if (e->next != TOP_NONE)
        t->ent[e->next].prev = i;
    t->bk[b].head = i;
}

/* count + 1 for entry i: move it to the next bucket up, creating that bucket if needed. */
static void ss_increment(struct csvcol_top *t, uint32_t i)
{
    struct top_ent *e = &t->ent[i];
    uint32_t b = e->bucket, nb = t->bk[b].next;
    uint64_t c = t->bk[b].count + 1;

    if (nb == TOP_NONE || t->bk[nb].count != c)
        nb = bk_new(t, c, b);
    if (e->prev != TOP_NONE)
        t->ent[e->prev].next = e->next;
    else
        t->bk[b].head = e->next;
    if (e->next != TOP_NONE)
        t->ent[e->next].prev = e->prev;
    bk_push(t, nb, i);
    e->count = c;
    if (t->bk[b].head == TOP_NONE)
        bk_drop(t, b);
}

struct top_order {
    uint64_t count;
    uint32_t idx;
};

static int top_cmp_order(const void *a, const void *b)
{
    const struct top_order *x = a, *y = b;

    if (x->count != y->count)
        return x->count < y->count ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* The exact phase is full: keep the CSVCOL_SS_COUNTERS most frequent values (a smaller
 * table stays in cache, and every cell of an id-like column evicts one) and group them
 * into count buckets for space-saving. */
static void top_go_approx(struct csvcol_top *t)
{
    size_t keep = CSVCOL_SS_COUNTERS;
    struct top_order *order = xmalloc(t->n * sizeof *order);
    struct top_ent *kept;
    uint32_t last = TOP_NONE;
    size_t nslots = TOP_MIN_SLOTS;

    if (t->n < keep)
        keep = t->n; /* called when full: n == max >= 1 (csvcol_init) */
    kept = xmalloc(keep * sizeof *kept);
    for (size_t i = 0; i < t->n; i++) {
        order[i].count = t->ent[i].count;
        order[i].idx = (uint32_t)i;
    }
    qsort(order, t->n, sizeof *order, top_cmp_order); /* ascending: the most frequent last */
    for (size_t i = 0; i < t->n; i++) {
        struct top_ent *e = &t->ent[order[i].idx];

        if (i >= t->n - keep)
            kept[i - (t->n - keep)] = *e;
        else
            free(e->ext);
    }
    free(t->ent);
    t->ent = kept;
    t->n = t->cap = t->max = keep;
    while (nslots < 4 * keep)
        nslots *= 2; /* load 1/4: every cell may evict, so keep probe runs short */
    top_rehash(t, nslots);
    t->bk = xmalloc((keep + 1) * sizeof *t->bk);
    for (size_t i = 0; i < keep; i++)
        t->bk[i].next = (uint32_t)(i + 1);
    t->bk[keep].next = TOP_NONE;
    t->bk_free = 0;
    t->bk_first = TOP_NONE;
    for (size_t i = 0; i < keep; i++) {
        /* kept[] is in ascending count order already */
        if (last == TOP_NONE || t->bk[last].count != kept[i].count)
            last = bk_new(t, kept[i].count, last);
        bk_push(t, last, (uint32_t)i);
    }
    free(order);
    t->approx = 1;
}

static void top_add(struct csvcol_top *t, const char *s, size_t n)
{
    uint64_t h = top_hash(s, n);
    size_t pos = top_find(t, h, s, n);
    uint32_t i;

    if (t->slot[pos].idx != TOP_NONE) {
        i = t->slot[pos].idx;
        if (t->approx)
            ss_increment(t, i);
        else
            t->ent[i].count++;
        return;
    }
    if (!t->approx && t->n < t->max) {
        struct top_ent *e;

        t->ent = xgrow(t->ent, &t->cap, t->n + 1, sizeof *t->ent);
        e = &t->ent[t->n];
        memset(e, 0, sizeof *e);
        top_set_key(e, h, s, n);
        e->count = 1;
        t->slot[pos].idx = (uint32_t)t->n;
        t->slot[pos].h = (uint32_t)h;
        e->slot = (uint32_t)pos;
        t->n++;
        t->distinct++;
        if (t->n * 2 > t->mask + 1)
            top_rehash(t, (t->mask + 1) * 2);
        return;
    }
    if (!t->approx) {
        t->distinct = t->max + 1; /* a lower bound from now on */
        top_go_approx(t);
    }
    /* space-saving: the new value takes over a minimum entry and its count + 1 */
    i = t->bk[t->bk_first].head;
    top_unplace(t, i);
    top_set_key(&t->ent[i], h, s, n);
    top_place(t, i);
    ss_increment(t, i);
}

/* Is a a better top value than b: higher count, then smaller bytes (stable output)? */
static int top_better(const struct top_ent *a, const struct top_ent *b)
{
    size_t k = a->klen < b->klen ? a->klen : b->klen;
    int c;

    if (a->count != b->count)
        return a->count > b->count;
    c = memcmp(top_key(a), top_key(b), k);
    return c != 0 ? c < 0 : a->klen < b->klen;
}

static void top_summarize(const struct csvcol_top *t, struct csv_column *out)
{
    const struct top_ent *best[CSV_TOP_VALUES];
    int nbest = 0;

    for (size_t i = 0; i < CSV_TOP_VALUES; i++) {
        free(out->top[i].value);
        out->top[i].value = NULL;
        out->top[i].count = 0;
    }
    out->ntop = 0;
    out->top_exact = t == NULL || !t->approx;
    out->distinct = t != NULL ? t->distinct : 0;
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++) {
        const struct top_ent *e = &t->ent[i];
        int j;

        if (nbest == CSV_TOP_VALUES && !top_better(e, best[nbest - 1]))
            continue;
        j = nbest < CSV_TOP_VALUES ? nbest++ : nbest - 1;
        while (j > 0 && top_better(e, best[j - 1])) {
            best[j] = best[j - 1];
            j--;
        }
        best[j] = e;
    }
    for (int j = 0; j < nbest; j++) {
        out->top[j].value = xstrndup(top_key(best[j]), best[j]->klen);
        out->top[j].count = best[j]->count;
    }
    out->ntop = nbest;
}

/* --- the column ---------------------------------------------------------------------- */

void csvcol_init(struct csvcol *c, size_t pct_cap, size_t top_cap, uint64_t seed)
{
    memset(c, 0, sizeof *c);
    c->res_cap = pct_cap > 0 ? pct_cap : 1;
    c->top_cap = top_cap > 0 ? top_cap : 1;
    c->rng = seed;
}

void csvcol_fini(struct csvcol *c)
{
    free(c->res);
    c->res = NULL;
    top_free(c->top);
    c->top = NULL;
}

/* Moments of a batch merged into (n, mean, m2, min, max). A per-value Welford update
 * divides on every value; here the batch mean costs one division and the squared
 * deviations are plain multiply-adds. Four partial sums in a fixed order break the
 * dependency chain and keep results identical however the input was sliced. */
static void col_merge(const double *b, size_t k, uint64_t *n, double *mean, double *m2, double *min,
                      double *max)
{
    double s[4] = {0, 0, 0, 0}, q[4] = {0, 0, 0, 0}, mb, m2b, lo = b[0], hi = b[0];
    size_t i;

    for (i = 0; i + 4 <= k; i += 4) {
        for (size_t j = 0; j < 4; j++)
            s[j] += b[i + j];
    }
    for (; i < k; i++)
        s[0] += b[i];
    mb = ((s[0] + s[1]) + (s[2] + s[3])) / (double)k;
    for (i = 0; i + 4 <= k; i += 4) {
        for (size_t j = 0; j < 4; j++) {
            double d = b[i + j] - mb;

            q[j] += d * d;
        }
    }
    for (; i < k; i++)
        q[0] += (b[i] - mb) * (b[i] - mb);
    m2b = (q[0] + q[1]) + (q[2] + q[3]);
    for (i = 1; i < k; i++) {
        lo = b[i] < lo ? b[i] : lo;
        hi = b[i] > hi ? b[i] : hi;
    }
    if (*n == 0) {
        *mean = mb;
        *m2 = m2b;
        *min = lo;
        *max = hi;
    } else {
        double na = (double)*n, nb = (double)k, nt = na + nb, delta = mb - *mean;

        *mean += delta * (nb / nt);
        *m2 += m2b + delta * delta * (na * nb / nt);
        *min = lo < *min ? lo : *min;
        *max = hi > *max ? hi : *max;
    }
    *n += k;
}

static void col_number(struct csvcol *c, double v, int is_int, size_t bucket)
{
    if (is_int)
        c->n_int++;
    else
        c->n_float++;
    c->batch[c->nbatch++] = v;
    if (c->nbatch == CSVCOL_BATCH) {
        col_merge(c->batch, c->nbatch, &c->n, &c->mean, &c->m2, &c->min, &c->max);
        c->nbatch = 0;
    }
    res_add(c, v);
    c->spark_sum[bucket] += v;
    c->spark_cnt[bucket]++;
}

/* Everything but numbers, out of line so the numeric path stays small. */
static __attribute__((noinline)) void col_add_other(struct csvcol *c, const char *s, size_t n)
{
    if (csvcol_is_missing(s, n)) {
        c->missing++;
        return;
    }
    if (col_is_bool(s, n))
        c->n_bool++;
    else if (col_is_date(s, n))
        c->n_date++;
    else
        c->n_text++;
    if (c->top == NULL)
        c->top = top_new(c->top_cap);
    top_add(c->top, s, n);
}

void csvcol_add(struct csvcol *c, const char *s, size_t n, size_t bucket)
{
    unsigned char ch;
    double v;
    int is_int;

    s = col_trim(s, &n);
    if (n == 0) {
        c->missing++;
        return;
    }
    ch = (unsigned char)s[0];
    if (((unsigned)(ch - '0') <= 9 || ch == '-' || ch == '.' || ch == '+') &&
        num_parse_ex(s, n, &v, &is_int)) {
        col_number(c, v, is_int, bucket);
        return;
    }
    col_add_other(c, s, n);
}

void csvcol_add_missing(struct csvcol *c, uint64_t k)
{
    c->missing += k;
}

void csvcol_spark_halve(struct csvcol *c)
{
    for (size_t i = 0; i < CSV_SPARK_BUCKETS / 2; i++) {
        c->spark_sum[i] = c->spark_sum[2 * i] + c->spark_sum[2 * i + 1];
        c->spark_cnt[i] = c->spark_cnt[2 * i] + c->spark_cnt[2 * i + 1];
    }
    for (size_t i = CSV_SPARK_BUCKETS / 2; i < CSV_SPARK_BUCKETS; i++) {
        c->spark_sum[i] = 0;
        c->spark_cnt[i] = 0;
    }
}

static enum csv_coltype col_type(const struct csvcol *c)
{
    uint64_t n = c->n_int + c->n_float, other = c->n_bool + c->n_date + c->n_text;

    if (n == 0 && other == 0)
        return CSV_COL_EMPTY;
    if (other == 0)
        return c->n_float > 0 ? CSV_COL_FLOAT : CSV_COL_INT;
    if (n > 0)
        return CSV_COL_MIXED;
    if (c->n_bool == other)
        return CSV_COL_BOOL;
    if (c->n_date == other)
        return CSV_COL_DATE;
    return CSV_COL_TEXT;
}

void csvcol_summarize(const struct csvcol *c, struct csv_column *out, size_t nspark,
                      double *scratch, int final)
{
    uint64_t n = c->n;
    double mean = c->mean, m2 = c->m2, min = c->min, max = c->max;

    /* the partial batch is merged into copies: the accumulator stays as it was */
    if (c->nbatch > 0)
        col_merge(c->batch, c->nbatch, &n, &mean, &m2, &min, &max);
    out->type = col_type(c);
    out->n = n;
    out->missing = c->missing;
    out->other = c->n_bool + c->n_date + c->n_text;
    out->min = n > 0 ? min : 0;
    out->max = n > 0 ? max : 0;
    out->mean = n > 0 ? mean : 0;
    out->stddev = n > 1 ? sqrt(m2 / (double)(n - 1)) : 0;
    out->pct_exact = c->res_seen <= c->res_cap;
    out->p50 = out->p95 = 0;
    if (c->res_len > 0) {
        /* While loading, a strided subsample keeps each slice cheap; at the end all kept
         * values count. The reservoir itself is never reordered. */
        size_t stride = final ? 1 : (c->res_len + CSVCOL_PROGRESS_PCT - 1) / CSVCOL_PROGRESS_PCT;
        size_t k = 0;

        for (size_t i = 0; i < c->res_len; i += stride)
            scratch[k++] = c->res[i];
        out->p50 = col_quantile(scratch, k, 0.5);
        out->p95 = col_quantile(scratch, k, 0.95);
        out->pct_exact = out->pct_exact && stride == 1;
    }
    top_summarize(c->top, out);
    if (nspark > CSV_SPARK_BUCKETS)
        nspark = CSV_SPARK_BUCKETS;
    for (size_t i = 0; i < nspark; i++)
        out->spark[i] = c->spark_cnt[i] > 0 ? c->spark_sum[i] / (double)c->spark_cnt[i] : NAN;
    out->nspark = (int)nspark;
}
