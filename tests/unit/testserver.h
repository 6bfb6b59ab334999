/* testserver.h: a scriptable HTTP/1.1 server for the network unit tests (http, llm).
 *
 * ts_start forks a child that listens on 127.0.0.1 (port chosen by the kernel and
 * reported back through a pipe) and answers each connection by running a script: send
 * the status line, send body bytes as HTTP chunks (split wherever the script says, also
 * inside a UTF-8 sequence or a JSON token), wait between them (poll() on the socket, so
 * the child notices the client going away), end the body, close the socket cleanly
 * mid-chunk, reset it, or never answer at all.
 *
 * The child reports to the parent through the same pipe: each request it read (head and
 * body), the CLOCK_MONOTONIC time just before it sent a step marked `stamp` (the clock is
 * shared by all processes on Linux, so a test can compare it with its own measurements),
 * and when it saw the client close the connection (EOF on read, EPIPE/ECONNRESET on
 * write). No external network is used, and nothing here sleeps for a fixed time.
 *
 * A script can also stop at TS_AWAIT until the test says go (ts_release): the test can then
 * look at the client while the server is provably silent, with no race against a delay. */
#ifndef TESTS_TESTSERVER_H
#define TESTS_TESTSERVER_H

#include <stddef.h>
#include <stdint.h>

enum ts_op {
    TS_OP_END_SCRIPT = 0, /* the script ends here: the connection is closed */
    TS_OP_HEAD,           /* status line + headers; chunked transfer encoding when `n` is 1 */
    TS_OP_CHUNK,          /* `data` (strlen, or `n` bytes when n > 0) as one chunk */
    TS_OP_RAW,            /* `data` as is, no framing (a chunk header cut short, ...) */
    TS_OP_FILL,           /* `n` bytes of `c`, as chunks of 64 KiB */
    TS_OP_DELAY,          /* wait `n` ms (ends the script if the client closes meanwhile) */
    TS_OP_LAST,           /* the last-chunk marker "0\r\n\r\n" */
    TS_OP_BODY,           /* a whole answer with a Content-Length: `status`, `c_type`, `data` */
    TS_OP_CLOSE,          /* close now (a clean FIN, whatever the framing says) */
    TS_OP_RESET,          /* close with SO_LINGER 0: the client gets a reset */
    TS_OP_HANG,           /* send nothing more; wait until the client closes */
    TS_OP_AWAIT           /* send nothing until ts_release (ends the script if the client
                           * closes meanwhile) */
};

struct ts_step {
    enum ts_op op;
    const char *data;
    size_t n;
    int status;
    const char *c_type;
    char c;
    int stamp; /* report the time just before this step's first byte is sent */
};

/* One line per step kind: the formatter would make each a five-line block. */
/* clang-format off */
#define TS_HEAD(st, type) {.op = TS_OP_HEAD, .status = (st), .c_type = (type), .n = 1}
#define TS_HEAD_PLAIN(st, type) {.op = TS_OP_HEAD, .status = (st), .c_type = (type), .n = 0}
#define TS_CHUNK(s) {.op = TS_OP_CHUNK, .data = (s)}
#define TS_CHUNK_N(s, len) {.op = TS_OP_CHUNK, .data = (s), .n = (len)}
#define TS_CHUNK_STAMP(s) {.op = TS_OP_CHUNK, .data = (s), .stamp = 1}
#define TS_RAW(s) {.op = TS_OP_RAW, .data = (s)}
#define TS_FILL(ch, count) {.op = TS_OP_FILL, .c = (ch), .n = (count)}
#define TS_DELAY(ms) {.op = TS_OP_DELAY, .n = (ms)}
#define TS_LAST() {.op = TS_OP_LAST}
#define TS_BODY(st, type, s) {.op = TS_OP_BODY, .status = (st), .c_type = (type), .data = (s)}
#define TS_CLOSE() {.op = TS_OP_CLOSE}
#define TS_RESET() {.op = TS_OP_RESET}
#define TS_HANG() {.op = TS_OP_HANG}
#define TS_AWAIT() {.op = TS_OP_AWAIT}
#define TS_END() {.op = TS_OP_END_SCRIPT}
/* clang-format on */

enum ts_event_kind {
    TS_EV_REQUEST = 1, /* payload: the request head and body (at most 16 KiB) */
    TS_EV_STAMP,       /* t_ns: a stamped step is about to be sent */
    TS_EV_PEER_CLOSED, /* t_ns: the client closed the connection (EOF, EPIPE, reset) */
    TS_EV_SCRIPT_DONE  /* the script ran to its end on this connection */
};

struct ts_event {
    int kind;
    int conn;      /* 0 for the first connection accepted */
    int64_t t_ns;  /* CLOCK_MONOTONIC */
    char *payload; /* NUL-terminated, owned by the server object */
    size_t len;
};

struct ts_server;

/* Fork the server. Connection i runs scripts[i], the later ones the last script. The
 * scripts (and the strings they point to) are read by the child after the fork, so they
 * may live on the test's stack. Aborts the test run when it cannot start. */
struct ts_server *ts_start(const struct ts_step *const *scripts, size_t nscripts);
/* The same with one script for every connection. */
struct ts_server *ts_start1(const struct ts_step *script);
int ts_port(const struct ts_server *s);
/* "http://127.0.0.1:<port>" (owned by the server). */
const char *ts_url(const struct ts_server *s);
/* Wait up to `timeout_ms` for the next event of `kind` not taken yet (any connection).
 * Returns it (owned by the server), or NULL on timeout. */
const struct ts_event *ts_wait(struct ts_server *s, int kind, int timeout_ms);
/* Let one TS_AWAIT step (the next to be reached, or the one waiting now) go on. */
void ts_release(struct ts_server *s);
/* Kill the child, reap it and free everything. */
void ts_stop(struct ts_server *s);

/* A port on 127.0.0.1 with nothing listening (bound, then closed). */
int ts_closed_port(void);

#endif
