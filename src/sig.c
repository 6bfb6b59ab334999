/* sig.c: the signal self-pipe.
 *
 * The handler writes one byte, the signal's SIG_* bit, to a non-blocking pipe and
 * does nothing else; the loop polls the read end and sig_read() turns the bytes back
 * into a bit set. A full pipe (65536 signals nobody read) drops the byte, which loses
 * nothing: the bytes already queued wake the loop just the same. */
#include "sig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

/* The pipe is the one piece of global state the style guide allows: a signal handler
 * has no other way to reach the loop. sig_atomic_t because the handler reads it. */
static volatile sig_atomic_t sig_wfd = -1;
static int sig_rfd = -1;

struct sig_map {
    int signo;
    unsigned bit;
};

static const struct sig_map sig_table[] = {
    {SIGWINCH, SIG_WINCH}, {SIGTERM, SIG_TERM}, {SIGINT, SIG_INT},
    {SIGHUP, SIG_HUP},     {SIGCHLD, SIG_CHLD}, {SIGCONT, SIG_CONT},
};

#define SIG_NTABLE (sizeof sig_table / sizeof sig_table[0])

static void sig_handler(int signo)
{
    int saved = errno; /* the interrupted code may be about to read errno */
    unsigned char b = 0;

    for (size_t i = 0; i < SIG_NTABLE; i++)
        if (sig_table[i].signo == signo)
            b = (unsigned char)sig_table[i].bit;
    if (b != 0 && sig_wfd >= 0) {
        if (write(sig_wfd, &b, 1) < 0) {
            /* EAGAIN: the pipe is full, and its bytes already wake the loop */
        }
    }
    errno = saved;
}

static void sig_set_default(size_t n)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < n; i++)
        sigaction(sig_table[i].signo, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
}

static void sig_close(void)
{
    if (sig_rfd >= 0)
        close(sig_rfd);
    if (sig_wfd >= 0)
        close(sig_wfd);
    sig_rfd = -1;
    sig_wfd = -1;
}

int sig_init(struct err *err)
{
    struct sigaction sa;
    int fds[2];

    if (sig_rfd >= 0)
        return sig_rfd; /* already installed: one pipe per process */
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
        int e = errno;

        err_set(err, e, "cannot create the signal pipe: %s", strerror(e));
        return -1;
    }
    sig_rfd = fds[0];
    sig_wfd = fds[1];

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sig_handler;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < SIG_NTABLE; i++) {
        /* SA_RESTART: a signal must not make a stray read() elsewhere fail with EINTR;
         * SA_NOCLDSTOP: only a child's exit matters, not its stops */
        sa.sa_flags = SA_RESTART | (sig_table[i].signo == SIGCHLD ? SA_NOCLDSTOP : 0);
        if (sigaction(sig_table[i].signo, &sa, NULL) < 0) {
            int e = errno;

            err_set(err, e, "cannot install the handler for %s: %s", strsignal(sig_table[i].signo),
                    strerror(e));
            sig_set_default(i);
            sig_close();
            return -1;
        }
    }
    /* a closed socket or pipe should fail the write with EPIPE, not kill the program */
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    if (sigaction(SIGPIPE, &sa, NULL) < 0) {
        int e = errno;

        err_set(err, e, "cannot ignore SIGPIPE: %s", strerror(e));
        sig_set_default(SIG_NTABLE);
        sig_close();
        return -1;
    }
    return sig_rfd;
}

unsigned sig_read(void)
{
    unsigned char bytes[64];
    unsigned bits = 0, all = 0;

    if (sig_rfd < 0)
        return 0;
    for (size_t i = 0; i < SIG_NTABLE; i++)
        all |= sig_table[i].bit;
    for (;;) {
        ssize_t n = read(sig_rfd, bytes, sizeof bytes);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* EAGAIN: drained */
        for (ssize_t i = 0; i < n; i++)
            bits |= bytes[i] & all;
    }
    return bits;
}

void sig_fini(void)
{
    /* dispositions first, so no handler writes to a descriptor being closed */
    sig_set_default(SIG_NTABLE);
    sig_close();
}
