/* testserver.c: the scriptable HTTP/1.1 server of testserver.h.
 *
 * The unit-test rule in the Makefile links every runner with testutil.o only, so the
 * runners that need this server (test_http.c, test_llm.c) #include this file directly.
 * Everything in it is static or declared in testserver.h.
 *
 * The child never returns into cmocka: it runs its loop and leaves with _exit(), so no
 * atexit handler, sanitizer leak check or test bookkeeping of the parent runs twice. */
#include "testserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TS_MAX_PAYLOAD (16u << 10)
#define TS_MAX_HEAD (64u << 10)

struct ts_server {
    pid_t pid;
    int port;
    int rfd;  /* the read end of the report pipe */
    int gofd; /* the write end of the release pipe (TS_AWAIT) */
    char url[64];
    struct ts_event *ev; /* every event received so far */
    int *taken;
    size_t nev, cap;
    char inbuf[TS_MAX_PAYLOAD + 64]; /* a partly received report */
    size_t inlen;
};

/* The wire format of a report: this header, then `len` payload bytes. */
struct ts_wire {
    int32_t kind;
    int32_t conn;
    int64_t t_ns;
    uint32_t len;
};

static void ts_die(const char *what)
{
    fprintf(stderr, "testserver: %s: %s\n", what, strerror(errno));
    abort();
}

static int64_t ts_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* --- the child ------------------------------------------------------------------------ */

struct ts_child {
    int wfd;  /* report pipe */
    int gofd; /* release pipe: one byte per TS_AWAIT */
    int fd;   /* the connection */
    int conn;
    int gone; /* the client closed: stop the script */
};

static void ts_child_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = write(fd, c, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(3); /* the parent went away */
        c += w;
        n -= (size_t)w;
    }
}

static void ts_report(struct ts_child *c, int kind, const char *payload, size_t len)
{
    struct ts_wire w = {.kind = kind, .conn = c->conn, .t_ns = ts_now_ns()};

    if (len > TS_MAX_PAYLOAD)
        len = TS_MAX_PAYLOAD;
    w.len = (uint32_t)len;
    ts_child_write_all(c->wfd, &w, sizeof w);
    if (len > 0)
        ts_child_write_all(c->wfd, payload, len);
}

static void ts_peer_gone(struct ts_child *c)
{
    if (!c->gone)
        ts_report(c, TS_EV_PEER_CLOSED, NULL, 0);
    c->gone = 1;
}

/* Send bytes; a client that went away ends the script. */
static void ts_send(struct ts_child *c, const char *p, size_t n)
{
    while (n > 0 && !c->gone) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};

            poll(&pfd, 1, 1000);
            continue;
        }
        if (w <= 0) {
            ts_peer_gone(c);
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void ts_send_chunk(struct ts_child *c, const char *p, size_t n)
{
    char head[32];

    if (n == 0)
        return; /* a zero-length chunk would end the body */
    snprintf(head, sizeof head, "%zx\r\n", n);
    ts_send(c, head, strlen(head));
    ts_send(c, p, n);
    ts_send(c, "\r\n", 2);
}

/* Wait `ms` milliseconds, watching for the client closing (EOF or an error on read). */
static void ts_wait_ms(struct ts_child *c, int64_t ms)
{
    int64_t end = ts_now_ns() + ms * 1000000;

    while (!c->gone) {
        int64_t left = (end - ts_now_ns()) / 1000000;
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        char tmp[4096];
        int rc;

        if (ms >= 0 && left <= 0)
            return;
        rc = poll(&pfd, 1, ms < 0 ? 1000 : (int)(left > 0 ? left : 0));
        if (rc < 0 && errno != EINTR)
            _exit(4);
        if (rc <= 0)
            continue;
        rc = (int)recv(c->fd, tmp, sizeof tmp, 0);
        if (rc == 0 || (rc < 0 && errno != EINTR && errno != EAGAIN))
            ts_peer_gone(c);
        /* more request bytes (none expected) are dropped */
    }
}

/* TS_AWAIT: wait for a byte from the parent, watching for the client closing. */
static void ts_await(struct ts_child *c)
{
    while (!c->gone) {
        struct pollfd pfd[2] = {{.fd = c->fd, .events = POLLIN}, {.fd = c->gofd, .events = POLLIN}};
        char tmp[4096];
        int rc = poll(pfd, 2, 1000);

        if (rc < 0 && errno != EINTR)
            _exit(4);
        if (rc <= 0)
            continue;
        if (pfd[1].revents != 0) {
            char go;
            ssize_t r = read(c->gofd, &go, 1);

            if (r == 1)
                return;
            if (r == 0)
                _exit(0); /* the parent went away */
        }
        if (pfd[0].revents != 0) {
            rc = (int)recv(c->fd, tmp, sizeof tmp, 0);
            if (rc == 0 || (rc < 0 && errno != EINTR && errno != EAGAIN))
                ts_peer_gone(c);
        }
    }
}

static const char *ts_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

/* Read one request (head + Content-Length body) and report it (the first 16 KiB). */
static int ts_read_request(struct ts_child *c)
{
    size_t cap = 8192, len = 0, need = 0;
    char *buf = malloc(cap + 1);
    char *end = NULL;

    if (buf == NULL)
        _exit(5);
    for (;;) {
        ssize_t r;

        if (end != NULL && len >= need)
            break;
        if (len == cap) {
            if (end == NULL && cap >= TS_MAX_HEAD) {
                free(buf);
                return -1;
            }
            cap *= 2;
            buf = realloc(buf, cap + 1);
            if (buf == NULL)
                _exit(5);
        }
        r = recv(c->fd, buf + len, cap - len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(buf);
            return -1;
        }
        len += (size_t)r;
        buf[len] = '\0';
        if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL) {
            const char *cl = strcasestr(buf, "\r\ncontent-length:");

            need = (size_t)(end - buf) + 4;
            if (cl != NULL && cl < end)
                need += strtoul(cl + 17, NULL, 10);
            end = buf; /* only "found" matters from here: buf may move */
        }
    }
    ts_report(c, TS_EV_REQUEST, buf, len);
    free(buf);
    return 0;
}

static void ts_run_step(struct ts_child *c, const struct ts_step *st)
{
    char head[512];
    size_t n;

    if (st->stamp)
        ts_report(c, TS_EV_STAMP, NULL, 0);
    switch (st->op) {
    case TS_OP_HEAD:
        snprintf(head, sizeof head,
                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%sConnection: close\r\n\r\n", st->status,
                 ts_reason(st->status), st->c_type, st->n ? "Transfer-Encoding: chunked\r\n" : "");
        ts_send(c, head, strlen(head));
        break;
    case TS_OP_CHUNK:
        ts_send_chunk(c, st->data, st->n > 0 ? st->n : strlen(st->data));
        break;
    case TS_OP_RAW:
        ts_send(c, st->data, strlen(st->data));
        break;
    case TS_OP_FILL: {
        static char block[64 << 10];

        memset(block, st->c, sizeof block);
        for (size_t left = st->n; left > 0 && !c->gone; left -= n) {
            n = left < sizeof block ? left : sizeof block;
            ts_send_chunk(c, block, n);
        }
        break;
    }
    case TS_OP_DELAY:
        ts_wait_ms(c, (int64_t)st->n);
        break;
    case TS_OP_LAST:
        ts_send(c, "0\r\n\r\n", 5);
        break;
    case TS_OP_BODY:
        snprintf(head, sizeof head,
                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n",
                 st->status, ts_reason(st->status), st->c_type, strlen(st->data));
        ts_send(c, head, strlen(head));
        ts_send(c, st->data, strlen(st->data));
        break;
    case TS_OP_CLOSE:
        shutdown(c->fd, SHUT_WR);
        c->gone = 1;
        break;
    case TS_OP_RESET: {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};

        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        c->gone = 1;
        break;
    }
    case TS_OP_HANG:
        ts_wait_ms(c, -1);
        break;
    case TS_OP_AWAIT:
        ts_await(c);
        break;
    case TS_OP_END_SCRIPT:
        break;
    }
}

static void ts_serve(struct ts_child *c, const struct ts_step *script)
{
    if (ts_read_request(c) < 0)
        return;
    for (const struct ts_step *st = script; st->op != TS_OP_END_SCRIPT && !c->gone; st++)
        ts_run_step(c, st);
    if (!c->gone)
        ts_report(c, TS_EV_SCRIPT_DONE, NULL, 0);
}

static void ts_child_main(int lfd, int wfd, int gofd, const struct ts_step *const *scripts,
                          size_t ns, pid_t parent)
{
    struct ts_child c = {.wfd = wfd, .gofd = gofd};

    for (int conn = 0;; conn++) {
        struct pollfd pfd = {.fd = lfd, .events = POLLIN};
        int rc = poll(&pfd, 1, 500);

        if (getppid() != parent)
            _exit(0); /* the test runner died: do not linger */
        if (rc <= 0) {
            conn--;
            continue;
        }
        c.fd = accept(lfd, NULL, NULL);
        if (c.fd < 0) {
            conn--;
            continue;
        }
        c.conn = conn;
        c.gone = 0;
        ts_serve(&c, scripts[(size_t)conn < ns ? (size_t)conn : ns - 1]);
        close(c.fd);
    }
}

/* --- the parent -------------------------------------------------------------------------- */

struct ts_server *ts_start(const struct ts_step *const *scripts, size_t nscripts)
{
    struct ts_server *s = calloc(1, sizeof *s);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t salen = sizeof sa;
    int pfd[2], gfd[2], lfd, one = 1;
    pid_t parent = getpid();

    if (s == NULL || nscripts == 0)
        abort();
    /* listen before forking, so the port is known and connections queue at once */
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        ts_die("socket");
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 16) < 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0)
        ts_die("listen");
    s->port = ntohs(sa.sin_port);
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
    if (pipe2(pfd, O_CLOEXEC) < 0 || pipe2(gfd, O_CLOEXEC) < 0)
        ts_die("pipe");
    fcntl(pfd[0], F_SETPIPE_SZ, 1 << 20);
    s->pid = fork();
    if (s->pid < 0)
        ts_die("fork");
    if (s->pid == 0) {
        long max = sysconf(_SC_OPEN_MAX);

        signal(SIGPIPE, SIG_IGN);
        /* drop inherited descriptors, above all the test's own client sockets: a copy
         * kept here would hide a close from the server side */
        for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 1024); fd++) {
            if (fd != lfd && fd != pfd[1] && fd != gfd[0])
                close(fd);
        }
        ts_child_main(lfd, pfd[1], gfd[0], scripts, nscripts, parent);
        _exit(0);
    }
    close(lfd);
    close(pfd[1]);
    close(gfd[0]);
    s->rfd = pfd[0];
    s->gofd = gfd[1];
    fcntl(s->rfd, F_SETFL, O_NONBLOCK);
    return s;
}

struct ts_server *ts_start1(const struct ts_step *script)
{
    const struct ts_step *scripts[1] = {script};

    return ts_start(scripts, 1);
}

int ts_port(const struct ts_server *s)
{
    return s->port;
}

void ts_release(struct ts_server *s)
{
    char go = 'g';
    void (*old)(int) = signal(SIGPIPE, SIG_IGN); /* a child that is gone: the test fails
                                                  * on what it waits for, not here */

    while (write(s->gofd, &go, 1) < 0 && errno == EINTR)
        ;
    signal(SIGPIPE, old);
}

const char *ts_url(const struct ts_server *s)
{
    return s->url;
}

/* Take complete reports out of inbuf. */
static void ts_parse(struct ts_server *s)
{
    for (;;) {
        struct ts_wire w;
        struct ts_event *e;

        if (s->inlen < sizeof w)
            return;
        memcpy(&w, s->inbuf, sizeof w);
        if (s->inlen < sizeof w + w.len)
            return;
        if (s->nev == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 16;
            s->ev = realloc(s->ev, s->cap * sizeof *s->ev);
            s->taken = realloc(s->taken, s->cap * sizeof *s->taken);
            if (s->ev == NULL || s->taken == NULL)
                abort();
        }
        e = &s->ev[s->nev];
        s->taken[s->nev++] = 0;
        e->kind = w.kind;
        e->conn = w.conn;
        e->t_ns = w.t_ns;
        e->len = w.len;
        e->payload = malloc(w.len + 1);
        if (e->payload == NULL)
            abort();
        memcpy(e->payload, s->inbuf + sizeof w, w.len);
        e->payload[w.len] = '\0';
        memmove(s->inbuf, s->inbuf + sizeof w + w.len, s->inlen - sizeof w - w.len);
        s->inlen -= sizeof w + w.len;
    }
}

const struct ts_event *ts_wait(struct ts_server *s, int kind, int timeout_ms)
{
    int64_t end = ts_now_ns() + (int64_t)timeout_ms * 1000000;

    for (;;) {
        struct pollfd pfd = {.fd = s->rfd, .events = POLLIN};
        int64_t left;
        ssize_t r;

        for (size_t i = 0; i < s->nev; i++) {
            if (!s->taken[i] && s->ev[i].kind == kind) {
                s->taken[i] = 1;
                return &s->ev[i];
            }
        }
        left = (end - ts_now_ns()) / 1000000;
        if (left < 0)
            left = 0;
        /* a zero timeout still looks at the pipe once */
        if (poll(&pfd, 1, (int)left) <= 0) {
            if (left == 0)
                return NULL;
            continue;
        }
        r = read(s->rfd, s->inbuf + s->inlen, sizeof s->inbuf - s->inlen);
        if (r <= 0) {
            if (r < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            return NULL; /* the child is gone */
        }
        s->inlen += (size_t)r;
        ts_parse(s);
    }
}

void ts_stop(struct ts_server *s)
{
    if (s == NULL)
        return;
    kill(s->pid, SIGKILL);
    while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    close(s->rfd);
    close(s->gofd);
    for (size_t i = 0; i < s->nev; i++)
        free(s->ev[i].payload);
    free(s->ev);
    free(s->taken);
    free(s);
}

int ts_closed_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t salen = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int port;

    if (fd < 0)
        ts_die("socket");
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &salen) < 0)
        ts_die("bind");
    port = ntohs(sa.sin_port);
    close(fd); /* bound but never listening, and now closed: connecting is refused */
    return port;
}
