/* test_sig.c: the signal self-pipe. Signals are raise()d, which delivers them before
 * raise returns in this single-threaded runner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sig.h"

static int sig_fd = -1;

static int setup(void **state)
{
    struct err err = {0};

    (void)state;
    sig_fd = sig_init(&err);
    return sig_fd >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sig_fini();
    sig_fd = -1;
    return 0;
}

static int readable(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};

    return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static void test_init(void **state)
{
    struct err err = {0};
    struct sigaction sa;

    (void)state;
    assert_true(sig_fd >= 0);
    assert_true(fcntl(sig_fd, F_GETFL) & O_NONBLOCK);
    assert_true(fcntl(sig_fd, F_GETFD) & FD_CLOEXEC);
    assert_int_equal(sig_init(&err), sig_fd); /* once per process */
    assert_int_equal(sig_read(), 0);
    assert_false(readable(sig_fd, 0));
    assert_int_equal(sigaction(SIGWINCH, NULL, &sa), 0);
    assert_true(sa.sa_flags & SA_RESTART);
    assert_true(sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN);
}

static void test_winch(void **state)
{
    (void)state;
    assert_int_equal(raise(SIGWINCH), 0);
    assert_true(readable(sig_fd, 5000));
    assert_int_equal(sig_read(), SIG_WINCH);
    assert_int_equal(sig_read(), 0); /* drained */
    assert_false(readable(sig_fd, 0));
}

static void test_several(void **state)
{
    (void)state;
    assert_int_equal(raise(SIGHUP), 0);
    assert_int_equal(raise(SIGWINCH), 0);
    assert_int_equal(raise(SIGWINCH), 0);
    assert_true(readable(sig_fd, 5000));
    assert_int_equal(sig_read(), SIG_HUP | SIG_WINCH);
    assert_int_equal(sig_read(), 0);
}

static void test_every_signal(void **state)
{
    static const struct {
        int signo;
        unsigned bit;
    } map[] = {{SIGWINCH, SIG_WINCH}, {SIGTERM, SIG_TERM}, {SIGINT, SIG_INT},
               {SIGHUP, SIG_HUP},     {SIGCHLD, SIG_CHLD}, {SIGCONT, SIG_CONT}};
    unsigned all = 0;

    (void)state;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        /* none of these may take its default action (TERM, INT, HUP would kill us) */
        assert_int_equal(raise(map[i].signo), 0);
        assert_true(readable(sig_fd, 5000));
        assert_int_equal(sig_read(), map[i].bit);
        all |= map[i].bit;
    }
    assert_int_equal(all, 0x3f);
}

static void test_errno_preserved(void **state)
{
    (void)state;
    errno = EDOM;
    assert_int_equal(raise(SIGWINCH), 0);
    assert_int_equal(errno, EDOM);
    assert_int_equal(sig_read(), SIG_WINCH);
}

static void test_sigpipe_ignored(void **state)
{
    struct sigaction sa;
    int fds[2];

    (void)state;
    assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
    assert_true(sa.sa_handler == SIG_IGN);
    assert_int_equal(pipe(fds), 0);
    close(fds[0]);
    /* without SIG_IGN this would end the test run */
    assert_int_equal(write(fds[1], "x", 1), -1);
    assert_int_equal(errno, EPIPE);
    close(fds[1]);
    assert_int_equal(sig_read(), 0);
}

static void test_fini_restores(void **state)
{
    static const int sigs[] = {SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGCONT, SIGPIPE};
    struct sigaction sa;
    struct err err = {0};

    (void)state;
    assert_int_equal(raise(SIGWINCH), 0);
    sig_fini();
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        assert_int_equal(sigaction(sigs[i], NULL, &sa), 0);
        assert_true(sa.sa_handler == SIG_DFL);
    }
    assert_int_equal(fcntl(sig_fd, F_GETFD), -1); /* the pipe is closed */
    assert_int_equal(sig_read(), 0);
    sig_fini(); /* twice: harmless */
    /* and it can be installed again */
    sig_fd = sig_init(&err);
    assert_true(sig_fd >= 0);
    assert_int_equal(raise(SIGHUP), 0);
    assert_true(readable(sig_fd, 5000));
    assert_int_equal(sig_read(), SIG_HUP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init, setup, teardown),
        cmocka_unit_test_setup_teardown(test_winch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_several, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errno_preserved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigpipe_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fini_restores, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
