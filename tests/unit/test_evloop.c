/* test_evloop.c: timers, descriptors, the before-sleep hook and run/stop. No fixed
 * sleeps: passes run until a condition holds, with a generous cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "clock.h"
#include "evloop.h"

#define CAP_MS 5000 /* far beyond any deadline used here */

/* Run passes until *flag becomes true; fail after CAP_MS. */
static void run_until(struct evloop *l, const int *flag)
{
    int64_t end = clock_now_ns() + CAP_MS * CLOCK_NS_PER_MS;

    while (!*flag) {
        assert_true(evloop_run_once(l, 50) >= 0);
        if (clock_past(end))
            fail_msg("condition not reached within %d ms", CAP_MS);
    }
}

static void make_pipe(int fds[2])
{
    assert_int_equal(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
}

static void put_byte(int fd)
{
    assert_int_equal(write(fd, "x", 1), 1);
}

/* --- timers ----------------------------------------------------------------------- */

struct order {
    int seq[8];
    int n;
    int done; /* set when n reaches want */
    int want;
};

struct order_item {
    struct order *o;
    int tag;
};

static void order_cb(void *arg)
{
    struct order_item *it = arg;

    it->o->seq[it->o->n++] = it->tag;
    if (it->o->n == it->o->want)
        it->o->done = 1;
}

/* Deadlines count from each add, so a timer added later that must fire earlier is given
 * a margin (40 ms) far beyond the time the adds take, even under valgrind. */
static void test_timer_order(void **state)
{
    struct evloop *l = evloop_new();
    struct order o = {.want = 6};
    struct order_item it[6] = {{&o, 160}, {&o, 40}, {&o, 80}, {&o, 0}, {&o, 1}, {&o, 120}};
    const int want[6] = {0, 1, 40, 80, 120, 160};

    (void)state;
    assert_int_equal(evloop_next_timer_ms(l), -1);
    evloop_add_timer(l, 160, order_cb, &it[0]);
    evloop_add_timer(l, 40, order_cb, &it[1]);
    evloop_add_timer(l, 80, order_cb, &it[2]);
    evloop_add_timer(l, 0, order_cb, &it[3]);
    evloop_add_timer(l, -5, order_cb, &it[4]); /* negative: as 0, after the first 0 */
    evloop_add_timer(l, 120, order_cb, &it[5]);
    assert_int_equal(evloop_next_timer_ms(l), 0);
    run_until(l, &o.done);
    assert_int_equal(o.n, 6);
    assert_memory_equal(o.seq, want, sizeof want);
    assert_int_equal(evloop_next_timer_ms(l), -1);
    evloop_free(l);
}

static void test_timer_ids_and_next(void **state)
{
    struct evloop *l = evloop_new();
    struct order o = {.want = 99};
    struct order_item it = {&o, 1};
    uint64_t a, b;
    int64_t ms;

    (void)state;
    a = evloop_add_timer(l, 1000, order_cb, &it);
    b = evloop_add_timer(l, 1000, order_cb, &it);
    assert_true(a != 0 && b != 0 && a != b);
    ms = evloop_next_timer_ms(l);
    assert_true(ms > 0 && ms <= 1000);
    evloop_cancel_timer(l, a);
    evloop_cancel_timer(l, b);
    assert_int_equal(evloop_next_timer_ms(l), -1);
    /* a deadline far away does not overflow */
    evloop_add_timer(l, INT64_MAX, order_cb, &it);
    assert_true(evloop_next_timer_ms(l) > 1000);
    assert_int_equal(evloop_run_once(l, 0), 0);
    assert_int_equal(o.n, 0);
    evloop_free(l); /* with a timer pending: freed, never fired */
}

static void test_timer_cancel(void **state)
{
    struct evloop *l = evloop_new();
    struct order o = {.want = 2};
    struct order_item it[4] = {{&o, 1}, {&o, 2}, {&o, 3}, {&o, 4}};
    uint64_t id1, id3;

    (void)state;
    id1 = evloop_add_timer(l, 5, order_cb, &it[0]);
    evloop_add_timer(l, 10, order_cb, &it[1]);
    id3 = evloop_add_timer(l, 1, order_cb, &it[2]);
    evloop_add_timer(l, 15, order_cb, &it[3]);
    evloop_cancel_timer(l, id1);
    evloop_cancel_timer(l, id3);
    evloop_cancel_timer(l, 999999); /* unknown: ignored */
    run_until(l, &o.done);
    assert_int_equal(o.seq[0], 2);
    assert_int_equal(o.seq[1], 4);
    evloop_cancel_timer(l, id1); /* cancelled already: ignored */
    assert_int_equal(evloop_next_timer_ms(l), -1);
    evloop_free(l);
}

/* A timer that cancels another one due in the same pass. */
struct cancel_other {
    struct evloop *l;
    uint64_t victim;
    int fired, victim_fired;
};

static void cancel_other_cb(void *arg)
{
    struct cancel_other *c = arg;

    c->fired = 1;
    evloop_cancel_timer(c->l, c->victim);
}

static void victim_cb(void *arg)
{
    ((struct cancel_other *)arg)->victim_fired = 1;
}

static void test_timer_cancel_from_callback(void **state)
{
    struct evloop *l = evloop_new();
    struct cancel_other c = {.l = l};

    (void)state;
    evloop_add_timer(l, 0, cancel_other_cb, &c);
    c.victim = evloop_add_timer(l, 0, victim_cb, &c);
    assert_int_equal(evloop_run_once(l, 0), 1);
    assert_true(c.fired);
    assert_false(c.victim_fired);
    assert_int_equal(evloop_next_timer_ms(l), -1);
    evloop_free(l);
}

/* --- zero-delay timers run on the next pass ---------------------------------------- */

struct slicer {
    struct evloop *l;
    int passes;     /* before-sleep calls so far */
    int first_pass; /* pass of the first timer */
    int second_pass;
    int rearm; /* re-add itself this many times */
    int slices;
    int fd_seen;
};

static void count_pass(void *arg)
{
    ((struct slicer *)arg)->passes++;
}

static void second_cb(void *arg)
{
    struct slicer *s = arg;

    s->second_pass = s->passes + 1;
}

static void first_cb(void *arg)
{
    struct slicer *s = arg;

    s->first_pass = s->passes + 1;
    evloop_add_timer(s->l, 0, second_cb, s);
}

static void test_zero_delay_next_pass(void **state)
{
    struct evloop *l = evloop_new();
    struct slicer s = {.l = l};
    int64_t t0;

    (void)state;
    evloop_set_before_sleep(l, count_pass, &s);
    evloop_add_timer(l, 0, first_cb, &s);
    /* the zero-delay timer added by first_cb keeps this pass's poll from waiting */
    t0 = clock_now_ns();
    assert_int_equal(evloop_run_once(l, CAP_MS), 1);
    assert_true(clock_now_ns() - t0 < (CAP_MS / 2) * CLOCK_NS_PER_MS);
    assert_int_equal(s.first_pass, 1);
    assert_int_equal(s.second_pass, 0); /* not in the pass that added it */
    assert_int_equal(evloop_run_once(l, 0), 1);
    assert_int_equal(s.second_pass, 2);
    evloop_free(l);
}

static void slice_cb(void *arg)
{
    struct slicer *s = arg;

    s->slices++;
    if (s->rearm-- > 0)
        evloop_add_timer(s->l, 0, slice_cb, s);
}

static void slice_fd_cb(int fd, unsigned events, void *arg)
{
    struct slicer *s = arg;
    char b;

    assert_true(events & EVLOOP_READ);
    assert_int_equal(read(fd, &b, 1), 1);
    s->fd_seen = s->slices;
}

/* A job that re-arms itself with delay 0 must not starve input. */
static void test_slicing_does_not_starve(void **state)
{
    struct evloop *l = evloop_new();
    struct slicer s = {.l = l, .rearm = 1000};
    int fds[2];

    (void)state;
    make_pipe(fds);
    put_byte(fds[1]);
    assert_int_equal(evloop_add_fd(l, fds[0], EVLOOP_READ, slice_fd_cb, &s), 0);
    evloop_add_timer(l, 0, slice_cb, &s);
    for (int i = 0; i < 3; i++)
        assert_true(evloop_run_once(l, 0) >= 1);
    assert_int_equal(s.fd_seen, 1); /* in the first pass, after one slice */
    assert_int_equal(s.slices, 3);  /* one slice per pass */
    close(fds[0]);
    close(fds[1]);
    evloop_free(l);
}

/* --- descriptors ------------------------------------------------------------------ */

struct fdrec {
    int calls;
    unsigned events;
    int fd;
    int done;
};

static void rec_cb(int fd, unsigned events, void *arg)
{
    struct fdrec *r = arg;
    char buf[16];

    r->calls++;
    r->events = events;
    r->fd = fd;
    r->done = 1;
    if (events & EVLOOP_READ) {
        while (read(fd, buf, sizeof buf) > 0) {
        }
    }
}

static void test_fd_readiness(void **state)
{
    struct evloop *l = evloop_new();
    struct fdrec r = {0}, w = {0};
    int fds[2];

    (void)state;
    make_pipe(fds);
    assert_int_equal(evloop_add_fd(l, -1, EVLOOP_READ, rec_cb, &r), -1);
    assert_int_equal(evloop_add_fd(l, fds[0], EVLOOP_READ, NULL, &r), -1);
    assert_int_equal(evloop_add_fd(l, fds[0], EVLOOP_READ, rec_cb, &r), 0);
    assert_int_equal(evloop_run_once(l, 0), 0);
    assert_int_equal(r.calls, 0);

    put_byte(fds[1]);
    run_until(l, &r.done);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.fd, fds[0]);
    assert_int_equal(r.events, EVLOOP_READ);
    assert_int_equal(evloop_run_once(l, 0), 0); /* drained: quiet again */

    /* the write end is writable at once; re-adding replaces events and callback */
    assert_int_equal(evloop_add_fd(l, fds[1], EVLOOP_WRITE, rec_cb, &w), 0);
    run_until(l, &w.done);
    assert_int_equal(w.events, EVLOOP_WRITE);
    assert_int_equal(evloop_add_fd(l, fds[1], 0, rec_cb, &w), 0);
    w.calls = 0;
    assert_int_equal(evloop_run_once(l, 0), 0);
    assert_int_equal(w.calls, 0);

    evloop_del_fd(l, fds[1]);
    evloop_del_fd(l, fds[1]); /* twice: ignored */
    evloop_del_fd(l, 12345);  /* never added: ignored */
    evloop_del_fd(l, -1);
    evloop_del_fd(l, fds[0]);
    put_byte(fds[1]);
    r.calls = 0;
    assert_int_equal(evloop_run_once(l, 0), 0);
    assert_int_equal(r.calls, 0);
    close(fds[0]);
    close(fds[1]);
    evloop_free(l);
}

static void test_fd_hangup(void **state)
{
    struct evloop *l = evloop_new();
    struct fdrec r = {0};
    int fds[2];

    (void)state;
    make_pipe(fds);
    assert_int_equal(evloop_add_fd(l, fds[0], EVLOOP_READ, rec_cb, &r), 0);
    close(fds[1]);
    run_until(l, &r.done);
    /* the reader learns of the hang-up and still gets READ, to read the EOF */
    assert_int_equal(r.events, EVLOOP_READ | EVLOOP_ERROR);
    evloop_del_fd(l, fds[0]);
    close(fds[0]);
    evloop_free(l);
}

static void test_fd_closed_without_del(void **state)
{
    struct evloop *l = evloop_new();
    struct fdrec r = {0};
    int fds[2];

    (void)state;
    make_pipe(fds);
    assert_int_equal(evloop_add_fd(l, fds[0], EVLOOP_READ, rec_cb, &r), 0);
    close(fds[0]); /* a bug in the caller: the loop must not spin on it */
    run_until(l, &r.done);
    assert_true(r.events & EVLOOP_ERROR);
    r.calls = 0;
    assert_int_equal(evloop_run_once(l, 0), 0);
    assert_int_equal(r.calls, 0);
    close(fds[1]);
    evloop_free(l);
}

/* Two readable pipes; the first callback removes itself and the other one. */
struct self_del {
    struct evloop *l;
    int a, b;
    int a_calls, b_calls;
    int readd; /* re-add b with another callback instead of leaving it removed */
};

static void other_cb(int fd, unsigned events, void *arg)
{
    struct self_del *s = arg;

    (void)fd;
    (void)events;
    s->b_calls++;
}

static void self_del_cb(int fd, unsigned events, void *arg)
{
    struct self_del *s = arg;

    (void)events;
    s->a_calls++;
    evloop_del_fd(s->l, fd);
    evloop_del_fd(s->l, s->b);
    if (s->readd)
        assert_int_equal(evloop_add_fd(s->l, s->b, EVLOOP_READ, other_cb, s), 0);
}

static void test_fd_remove_from_callback(void **state)
{
    int p1[2], p2[2];

    (void)state;
    make_pipe(p1);
    make_pipe(p2);
    put_byte(p1[1]);
    put_byte(p2[1]);
    for (int readd = 0; readd < 2; readd++) {
        struct evloop *l = evloop_new();
        struct self_del s = {.l = l, .readd = readd};

        /* whichever has the lower fd is dispatched first: make that one `a` */
        s.a = p1[0] < p2[0] ? p1[0] : p2[0];
        s.b = p1[0] < p2[0] ? p2[0] : p1[0];
        assert_int_equal(evloop_add_fd(l, s.a, EVLOOP_READ, self_del_cb, &s), 0);
        assert_int_equal(evloop_add_fd(l, s.b, EVLOOP_READ, self_del_cb, &s), 0);
        assert_int_equal(evloop_run_once(l, 1000), 1);
        assert_int_equal(s.a_calls, 1);
        /* b's readiness belonged to the removed registration: not delivered */
        assert_int_equal(s.b_calls, 0);
        assert_int_equal(evloop_run_once(l, 0), readd ? 1 : 0);
        assert_int_equal(s.a_calls, 1);
        assert_int_equal(s.b_calls, readd ? 1 : 0);
        evloop_free(l);
    }
    close(p1[0]);
    close(p1[1]);
    close(p2[0]);
    close(p2[1]);
}

/* Many descriptors at once: the tables grow, every callback runs once. */
#define MANY 40

static void many_cb(int fd, unsigned events, void *arg)
{
    int *count = arg;
    char b;

    (void)events;
    assert_int_equal(read(fd, &b, 1), 1);
    (*count)++;
}

static void test_many_fds(void **state)
{
    struct evloop *l = evloop_new();
    int p[MANY][2], count = 0;

    (void)state;
    for (int i = 0; i < MANY; i++) {
        make_pipe(p[i]);
        put_byte(p[i][1]);
        assert_int_equal(evloop_add_fd(l, p[i][0], EVLOOP_READ, many_cb, &count), 0);
    }
    assert_int_equal(evloop_run_once(l, 1000), MANY);
    assert_int_equal(count, MANY);
    for (int i = 0; i < MANY; i += 2)
        evloop_del_fd(l, p[i][0]);
    for (int i = 0; i < MANY; i++)
        put_byte(p[i][1]);
    assert_int_equal(evloop_run_once(l, 1000), MANY / 2);
    for (int i = 0; i < MANY; i++) {
        close(p[i][0]);
        close(p[i][1]);
    }
    evloop_free(l);
}

/* --- the before-sleep hook ------------------------------------------------------- */

struct hook_state {
    int calls;
    int timer_fired;
    int timer_before_hook; /* the hook saw the pass's timer already fired */
    int wfd;               /* written by the hook: poll must see it in the same pass */
    int read_calls;
};

static void hook_timer_cb(void *arg)
{
    ((struct hook_state *)arg)->timer_fired = 1;
}

static void hook_cb(void *arg)
{
    struct hook_state *h = arg;

    h->calls++;
    if (h->calls == 1) {
        h->timer_before_hook = h->timer_fired;
        put_byte(h->wfd);
    }
}

static void hook_read_cb(int fd, unsigned events, void *arg)
{
    struct hook_state *h = arg;
    char b;

    (void)events;
    assert_int_equal(read(fd, &b, 1), 1);
    h->read_calls++;
}

static void test_before_sleep(void **state)
{
    struct evloop *l = evloop_new();
    struct hook_state h = {0};
    int fds[2];

    (void)state;
    make_pipe(fds);
    h.wfd = fds[1];
    evloop_set_before_sleep(l, hook_cb, &h);
    assert_int_equal(evloop_add_fd(l, fds[0], EVLOOP_READ, hook_read_cb, &h), 0);
    evloop_add_timer(l, 0, hook_timer_cb, &h);
    /* timers, then the hook, then poll (which sees what the hook wrote) */
    assert_int_equal(evloop_run_once(l, 1000), 2);
    assert_int_equal(h.calls, 1);
    assert_true(h.timer_before_hook);
    assert_int_equal(h.read_calls, 1);
    /* exactly once per pass, also when nothing happens */
    for (int i = 0; i < 5; i++)
        assert_int_equal(evloop_run_once(l, 0), 0);
    assert_int_equal(h.calls, 6);
    evloop_set_before_sleep(l, NULL, NULL);
    assert_int_equal(evloop_run_once(l, 0), 0);
    assert_int_equal(h.calls, 6);
    close(fds[0]);
    close(fds[1]);
    evloop_free(l);
}

/* --- run / stop, waiting --------------------------------------------------------- */

struct stopper {
    struct evloop *l;
    int ticks;
};

static void stop_tick_cb(void *arg)
{
    struct stopper *s = arg;

    if (++s->ticks == 3)
        evloop_stop(s->l);
    else
        evloop_add_timer(s->l, 2, stop_tick_cb, s);
}

static void stop_fd_cb(int fd, unsigned events, void *arg)
{
    struct stopper *s = arg;
    char b;

    (void)events;
    assert_int_equal(read(fd, &b, 1), 1);
    s->ticks = 100;
    evloop_stop(s->l);
}

static void test_run_stop(void **state)
{
    struct evloop *l = evloop_new();
    struct stopper s = {.l = l};
    int fds[2];
    int64_t t0;

    (void)state;
    evloop_add_timer(l, 2, stop_tick_cb, &s);
    assert_int_equal(evloop_run(l), 0);
    assert_int_equal(s.ticks, 3);

    /* a stale stop request does not turn later waits into busy polls */
    t0 = clock_now_ns();
    assert_int_equal(evloop_run_once(l, 30), 0);
    assert_true(clock_now_ns() - t0 >= 25 * CLOCK_NS_PER_MS);

    /* stopped from a descriptor callback */
    make_pipe(fds);
    assert_int_equal(evloop_add_fd(l, fds[0], EVLOOP_READ, stop_fd_cb, &s), 0);
    put_byte(fds[1]);
    assert_int_equal(evloop_run(l), 0);
    assert_int_equal(s.ticks, 100);
    close(fds[0]);
    close(fds[1]);
    evloop_free(l);
}

static void test_max_wait_caps_timer(void **state)
{
    struct evloop *l = evloop_new();
    struct order o = {.want = 1};
    struct order_item it = {&o, 1};
    int64_t t0;

    (void)state;
    evloop_add_timer(l, 60 * 1000, order_cb, &it);
    t0 = clock_now_ns();
    assert_int_equal(evloop_run_once(l, 20), 0);
    assert_true(clock_now_ns() - t0 < CAP_MS * CLOCK_NS_PER_MS);
    assert_int_equal(o.n, 0);
    evloop_free(l);
}

static void on_alarm(int sig)
{
    (void)sig;
}

/* A signal interrupting poll() is not an error: the pass just ends. */
static void test_eintr(void **state)
{
    struct evloop *l = evloop_new();
    struct sigaction sa, old;
    struct itimerval it = {{0, 0}, {0, 20 * 1000}};
    int64_t t0;
    int fds[2];
    struct fdrec r = {0};

    (void)state;
    make_pipe(fds);
    assert_int_equal(evloop_add_fd(l, fds[0], EVLOOP_READ, rec_cb, &r), 0);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    t0 = clock_now_ns();
    assert_int_equal(evloop_run_once(l, 30 * 1000), 0);
    assert_true(clock_now_ns() - t0 < 10 * CLOCK_NS_PER_S);
    assert_int_equal(r.calls, 0);
    sigaction(SIGALRM, &old, NULL);
    close(fds[0]);
    close(fds[1]);
    evloop_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_order),
        cmocka_unit_test(test_timer_ids_and_next),
        cmocka_unit_test(test_timer_cancel),
        cmocka_unit_test(test_timer_cancel_from_callback),
        cmocka_unit_test(test_zero_delay_next_pass),
        cmocka_unit_test(test_slicing_does_not_starve),
        cmocka_unit_test(test_fd_readiness),
        cmocka_unit_test(test_fd_hangup),
        cmocka_unit_test(test_fd_closed_without_del),
        cmocka_unit_test(test_fd_remove_from_callback),
        cmocka_unit_test(test_many_fds),
        cmocka_unit_test(test_before_sleep),
        cmocka_unit_test(test_run_stop),
        cmocka_unit_test(test_max_wait_caps_timer),
        cmocka_unit_test(test_eintr),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
