/* stream.c: the incremental line splitter and the UTF-8 carry.
 *
 * Lines that lie wholly inside one chunk are handed to the callback where they are, in
 * the caller's memory: nothing is copied or moved for them. Only the unfinished tail of a
 * chunk goes into `tail`, and a line that began in an earlier chunk is completed there
 * and delivered from it. So each byte is copied at most once, and no buffer is ever
 * shifted line by line.
 *
 * The limit applies to the line as delivered (without its "\r\n"). While a line is still
 * open, one byte more than the limit is tolerated when it is a '\r', since the '\n' that
 * follows would make it a line ending; anything beyond that can never shrink back under
 * the limit and fails at once, so a server that never sends '\n' cannot make us hold
 * more than the limit.
 *
 * A '\r' left at the very end of the input (stream_finish) is dropped as well: it is a
 * line ending whose '\n' never came (or an SSE lone-CR terminator), not text. */
#include "stream.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmem.h"

#define STREAM_MB ((size_t)1 << 20)

struct stream {
    struct buf tail; /* the unfinished line; at most max_line + 1 bytes */
    size_t max_line;
    uint64_t bytes;
    int failed;
    struct err error; /* what made the splitter fail, repeated until stream_reset */
};

struct stream *stream_new(size_t max_line)
{
    struct stream *s = xcalloc(1, sizeof *s);

    s->max_line = max_line != 0 ? max_line : STREAM_MAX_LINE;
    buf_init(&s->tail, s->max_line + 1);
    return s;
}

void stream_free(struct stream *s)
{
    if (s == NULL)
        return;
    buf_fini(&s->tail);
    free(s);
}

void stream_reset(struct stream *s)
{
    buf_reset(&s->tail);
    s->bytes = 0;
    s->failed = 0;
    err_clear(&s->error);
}

size_t stream_pending(const struct stream *s)
{
    return s->tail.len;
}

uint64_t stream_bytes(const struct stream *s)
{
    return s->bytes;
}

/* Remember the callback's failure so that later calls report it too. */
static int stream_fail(struct stream *s, const struct err *err)
{
    s->failed = 1;
    if (err != NULL)
        s->error = *err;
    else
        err_set(&s->error, 0, "the response could not be read");
    return -1;
}

static int stream_too_long(struct stream *s, struct err *err)
{
    if (s->max_line >= STREAM_MB && s->max_line % STREAM_MB == 0)
        err_set(&s->error, 0, "a line of the response is longer than %zu MB",
                s->max_line / STREAM_MB);
    else
        err_set(&s->error, 0, "a line of the response is longer than %zu bytes", s->max_line);
    s->failed = 1;
    if (err != NULL)
        *err = s->error;
    return -1;
}

/* Can an open line of `len` bytes whose last byte is `last` still end within the limit? */
static int stream_open_ok(const struct stream *s, size_t len, char last)
{
    return len <= s->max_line || (len == s->max_line + 1 && last == '\r');
}

/* Hand one line (without its '\n') to the callback, dropping a '\r' before the end. */
static int stream_deliver(struct stream *s, const char *line, size_t len, stream_line_fn fn,
                          void *arg, struct err *err)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len > s->max_line)
        return stream_too_long(s, err);
    if (fn(line, len, arg, err) < 0)
        return stream_fail(s, err);
    return 0;
}

/* Deliver the line held in `tail` and empty it. */
static int stream_deliver_tail(struct stream *s, stream_line_fn fn, void *arg, struct err *err)
{
    int rc = stream_deliver(s, s->tail.data, s->tail.len, fn, arg, err);

    buf_reset(&s->tail);
    return rc;
}

int stream_feed(struct stream *s, const char *data, size_t n, stream_line_fn fn, void *arg,
                struct err *err)
{
    size_t pos = 0;

    if (s->failed) {
        if (err != NULL)
            *err = s->error;
        return -1;
    }
    s->bytes += n;
    if (n == 0)
        return 0;
    if (s->tail.len > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t k = nl != NULL ? (size_t)(nl - data) : n;
        size_t total = s->tail.len + k;
        char last = k > 0 ? data[k - 1] : s->tail.data[s->tail.len - 1];

        if (total < s->tail.len || !stream_open_ok(s, total, last))
            return stream_too_long(s, err);
        if (buf_append(&s->tail, data, k) < 0)
            return stream_too_long(s, err); /* cannot happen: the limit was checked */
        if (nl == NULL)
            return 0;
        if (stream_deliver_tail(s, fn, arg, err) < 0)
            return -1;
        pos = k + 1;
    }
    while (pos < n) {
        const char *nl = memchr(data + pos, '\n', n - pos);

        if (nl == NULL)
            break;
        if (stream_deliver(s, data + pos, (size_t)(nl - (data + pos)), fn, arg, err) < 0)
            return -1;
        pos = (size_t)(nl - data) + 1;
    }
    if (pos < n) {
        if (!stream_open_ok(s, n - pos, data[n - 1]))
            return stream_too_long(s, err);
        if (buf_append(&s->tail, data + pos, n - pos) < 0)
            return stream_too_long(s, err);
    }
    return 0;
}

int stream_finish(struct stream *s, stream_line_fn fn, void *arg, struct err *err)
{
    if (s->failed) {
        if (err != NULL)
            *err = s->error;
        return -1;
    }
    if (s->tail.len == 0)
        return 0;
    return stream_deliver_tail(s, fn, arg, err);
}

/* --- UTF-8 carry ------------------------------------------------------------------------ */

/* Length of the sequence a lead byte starts: 1 for ASCII, 2..4, or 0 when `b` can never
 * start a valid sequence (a continuation byte, C0, C1, F5..FF). */
static size_t stream_utf8_seq_len(unsigned char b)
{
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        return 2;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    if (b >= 0xF0 && b <= 0xF4)
        return 4;
    return 0;
}

/* Is `b` a valid second byte after `lead` (Unicode Table 3-7)? */
static int stream_utf8_second_ok(unsigned char lead, unsigned char b)
{
    unsigned char lo = 0x80, hi = 0xBF;

    if (lead == 0xE0)
        lo = 0xA0;
    else if (lead == 0xED)
        hi = 0x9F;
    else if (lead == 0xF0)
        lo = 0x90;
    else if (lead == 0xF4)
        hi = 0x8F;
    return b >= lo && b <= hi;
}

/* How many bytes at the end of s[0..n) are the start of a character still incomplete
 * (0..3): only a prefix that more bytes could turn into a valid character is held. */
static size_t stream_utf8_incomplete(const char *s, size_t n)
{
    size_t back = n < 3 ? n : 3;

    for (size_t k = 1; k <= back; k++) {
        unsigned char b = (unsigned char)s[n - k];
        size_t need;

        if (b >= 0x80 && b <= 0xBF)
            continue; /* a continuation byte: the lead is further back */
        need = stream_utf8_seq_len(b);
        if (need <= k)
            return 0; /* ASCII, a complete character, or a byte that is never valid */
        if (k >= 2 && !stream_utf8_second_ok(b, (unsigned char)s[n - k + 1]))
            return 0;
        return k;
    }
    return 0;
}

void utf8_carry_take(struct utf8_carry *c, const char *piece, size_t n, char *out, size_t *out_len)
{
    size_t total, hold;

    memcpy(out, c->bytes, c->n);
    if (n > 0)
        memcpy(out + c->n, piece, n);
    total = c->n + n;
    hold = stream_utf8_incomplete(out, total);
    memcpy(c->bytes, out + total - hold, hold);
    c->n = hold;
    *out_len = total - hold;
}

size_t utf8_carry_flush(struct utf8_carry *c, char *out)
{
    size_t n = c->n;

    memcpy(out, c->bytes, n);
    c->n = 0;
    return n;
}
