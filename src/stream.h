/* stream.h: byte chunks in, complete lines out (NDJSON and SSE both frame by lines).
 *
 * libcurl hands the write callback arbitrary runs of bytes: part of a line, several lines,
 * a UTF-8 sequence cut in two. The splitter keeps the unfinished tail, delivers each line
 * once it is complete, byte-exact (the '\n' removed, and a '\r' right before it, so CRLF
 * streams work), and refuses a line longer than its limit with a clear error instead of
 * growing without bound (the Go client allows 8 MB a line; tool calls and the final
 * record's `context` can be tens of KB). A last line without '\n' is delivered by
 * stream_finish (error bodies end that way). */
#ifndef SRC_STREAM_H
#define SRC_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

#define STREAM_MAX_LINE (16u << 20)

/* One complete line, valid only during the call. Return 0 to go on, -1 to stop: the
 * feed then fails with the error the callback set in `err` (kept as it is). */
typedef int (*stream_line_fn)(const char *line, size_t len, void *arg, struct err *err);

struct stream;

/* A splitter refusing lines longer than `max_line` bytes (0: STREAM_MAX_LINE). */
struct stream *stream_new(size_t max_line);
void stream_free(struct stream *s);
/* Forget any partial line (a new response on the same splitter). */
void stream_reset(struct stream *s);
/* Deliver every line completed by data[0..n). 0, or -1 with `err` set: a line over the
 * limit ("a line of the response is longer than 16 MB"), or the callback's error. After
 * an error the splitter stays failed until stream_reset. */
int stream_feed(struct stream *s, const char *data, size_t n, stream_line_fn fn, void *arg,
                struct err *err) ATTR_WUR;
/* End of input: deliver a last line that had no '\n' (if any). 0 or -1 as above. */
int stream_finish(struct stream *s, stream_line_fn fn, void *arg, struct err *err) ATTR_WUR;
/* Bytes of the unfinished line held. */
size_t stream_pending(const struct stream *s);
/* Total bytes fed since creation or the last reset. */
uint64_t stream_bytes(const struct stream *s);

/* Holding back an incomplete UTF-8 sequence at the end of a text piece, so a renderer
 * never sees half a character: the carry keeps at most 3 bytes between pieces. */
struct utf8_carry {
    char bytes[4];
    size_t n;
};

/* Join the carry with piece[0..n) into out (capacity n + 4 at least); the complete part is
 * returned in *out_len, an incomplete trailing sequence (<= 3 bytes) is kept for the next
 * piece. Bytes that can never become valid are passed on (the sanitiser replaces them). */
void utf8_carry_take(struct utf8_carry *c, const char *piece, size_t n, char *out,
                     size_t *out_len);
/* What is left at the end of the text (an incomplete sequence): moved to out (4 bytes). */
size_t utf8_carry_flush(struct utf8_carry *c, char *out);

#endif
