/* evloop.c: the poll() loop.
 *
 * Descriptors live in a table indexed by fd (fds are small integers), and the pollfd
 * array handed to poll() is rebuilt from it on every pass, so registrations can change
 * at any time without invalidating anything poll() is using. Timers sit in a binary
 * min-heap ordered by (deadline, id); ids only grow, which also tells the timers that
 * existed when a pass began from those added while it runs. A callback must not call
 * evloop_run_once() or evloop_run() itself. */
#include "evloop.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmem.h"

struct evloop_fde {
    evloop_fd_fn fn; /* NULL: the slot is free */
    void *arg;
    unsigned events;
    uint64_t gen; /* which registration this is: see evloop_dispatch */
};

struct evloop_timer {
    int64_t when; /* clock_now_ns() deadline */
    uint64_t id;
    evloop_timer_fn fn;
    void *arg;
};

struct evloop {
    struct evloop_fde *fdtab; /* indexed by fd */
    size_t fdcap;
    size_t nfds; /* registered descriptors */
    int maxfd;   /* highest registered fd, -1 when none */

    struct pollfd *pfd; /* this pass's poll set, pcap >= nfds at all times */
    uint64_t *pgen;     /* generation of each pfd entry when it was built */
    size_t pcap;

    struct evloop_timer *heap;
    size_t ntimers, tcap;

    uint64_t last_id, last_gen;
    evloop_hook_fn before_sleep;
    void *before_sleep_arg;
    bool stop;
};

struct evloop *evloop_new(void)
{
    struct evloop *l = xcalloc(1, sizeof *l);

    l->maxfd = -1;
    return l;
}

void evloop_free(struct evloop *l)
{
    if (l == NULL)
        return;
    free(l->fdtab);
    free(l->pfd);
    free(l->pgen);
    free(l->heap);
    free(l);
}

/* --- descriptors ------------------------------------------------------------------ */

int evloop_add_fd(struct evloop *l, int fd, unsigned events, evloop_fd_fn fn, void *arg)
{
    struct evloop_fde *e;

    if (fd < 0 || fn == NULL)
        return -1;
    if ((size_t)fd >= l->fdcap) {
        size_t old = l->fdcap;

        l->fdtab = xgrow(l->fdtab, &l->fdcap, (size_t)fd + 1, sizeof *l->fdtab);
        memset(l->fdtab + old, 0, (l->fdcap - old) * sizeof *l->fdtab);
    }
    e = &l->fdtab[fd];
    if (e->fn == NULL) {
        /* grow the poll set now so that a pass never allocates */
        if (l->nfds + 1 > l->pcap) {
            size_t cap = l->pcap; /* both arrays grow to the same capacity */

            l->pfd = xgrow(l->pfd, &cap, l->nfds + 1, sizeof *l->pfd);
            l->pgen = xgrow(l->pgen, &l->pcap, l->nfds + 1, sizeof *l->pgen);
        }
        l->nfds++;
        e->gen = ++l->last_gen;
        if (fd > l->maxfd)
            l->maxfd = fd;
    }
    e->fn = fn;
    e->arg = arg;
    e->events = events & (EVLOOP_READ | EVLOOP_WRITE);
    return 0;
}

void evloop_del_fd(struct evloop *l, int fd)
{
    if (fd < 0 || (size_t)fd >= l->fdcap || l->fdtab[fd].fn == NULL)
        return;
    memset(&l->fdtab[fd], 0, sizeof l->fdtab[fd]);
    l->nfds--;
    while (l->maxfd >= 0 && l->fdtab[l->maxfd].fn == NULL)
        l->maxfd--;
}

/* --- timers ----------------------------------------------------------------------- */

static bool evloop_timer_before(const struct evloop_timer *a, const struct evloop_timer *b)
{
    return a->when < b->when || (a->when == b->when && a->id < b->id);
}

static void evloop_swap(struct evloop *l, size_t i, size_t j)
{
    struct evloop_timer tmp = l->heap[i];

    l->heap[i] = l->heap[j];
    l->heap[j] = tmp;
}

static void evloop_sift_up(struct evloop *l, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;

        if (!evloop_timer_before(&l->heap[i], &l->heap[parent]))
            break;
        evloop_swap(l, i, parent);
        i = parent;
    }
}

static void evloop_sift_down(struct evloop *l, size_t i)
{
    for (;;) {
        size_t left = 2 * i + 1, right = left + 1, min = i;

        if (left < l->ntimers && evloop_timer_before(&l->heap[left], &l->heap[min]))
            min = left;
        if (right < l->ntimers && evloop_timer_before(&l->heap[right], &l->heap[min]))
            min = right;
        if (min == i)
            break;
        evloop_swap(l, i, min);
        i = min;
    }
}

static void evloop_heap_remove(struct evloop *l, size_t i)
{
    l->ntimers--;
    if (i == l->ntimers)
        return;
    l->heap[i] = l->heap[l->ntimers];
    evloop_sift_down(l, i);
    evloop_sift_up(l, i);
}

uint64_t evloop_add_timer(struct evloop *l, int64_t delay_ms, evloop_timer_fn fn, void *arg)
{
    int64_t now = clock_now_ns();
    struct evloop_timer *t;

    if (delay_ms < 0)
        delay_ms = 0;
    /* a deadline past the end of int64_t is "never" in practice: clamp it */
    if (delay_ms > (INT64_MAX - now) / CLOCK_NS_PER_MS)
        delay_ms = (INT64_MAX - now) / CLOCK_NS_PER_MS;
    l->heap = xgrow(l->heap, &l->tcap, l->ntimers + 1, sizeof *l->heap);
    t = &l->heap[l->ntimers++];
    t->when = now + delay_ms * CLOCK_NS_PER_MS;
    t->id = ++l->last_id;
    t->fn = fn;
    t->arg = arg;
    evloop_sift_up(l, l->ntimers - 1);
    return l->last_id;
}

void evloop_cancel_timer(struct evloop *l, uint64_t id)
{
    /* linear: the loop holds a handful of timers (curl's, sampling, back-off) */
    for (size_t i = 0; i < l->ntimers; i++) {
        if (l->heap[i].id == id) {
            evloop_heap_remove(l, i);
            return;
        }
    }
}

/* Nanoseconds to milliseconds, rounded up so that poll() never wakes before the
 * deadline and the loop does not spin through a zero-timeout pass. */
static int64_t evloop_ns_to_ms_ceil(int64_t ns)
{
    if (ns <= 0)
        return 0;
    return ns / CLOCK_NS_PER_MS + (ns % CLOCK_NS_PER_MS != 0);
}

int64_t evloop_next_timer_ms(const struct evloop *l)
{
    if (l->ntimers == 0)
        return -1;
    return evloop_ns_to_ms_ceil(l->heap[0].when - clock_now_ns());
}

/* Fire the timers due at the start of the pass; those added meanwhile wait. */
static int evloop_run_timers(struct evloop *l)
{
    uint64_t last_old = l->last_id;
    int64_t now = clock_now_ns();
    int ran = 0;

    /* The heap is ordered by (deadline, id) and a timer added from here gets a deadline
     * >= now, so once the top is new or not due, nothing behind it can be due and old. */
    while (l->ntimers > 0 && l->heap[0].when <= now && l->heap[0].id <= last_old) {
        struct evloop_timer t = l->heap[0];

        evloop_heap_remove(l, 0);
        t.fn(t.arg);
        ran++;
    }
    return ran;
}

/* --- the pass ----------------------------------------------------------------------- */

void evloop_set_before_sleep(struct evloop *l, evloop_hook_fn fn, void *arg)
{
    l->before_sleep = fn;
    l->before_sleep_arg = arg;
}

static int evloop_timeout(const struct evloop *l, int max_wait_ms)
{
    int64_t ms = -1;

    if (l->stop)
        ms = 0; /* a stop was requested: finish this pass without waiting */
    else if (l->ntimers > 0)
        ms = evloop_next_timer_ms(l);
    if (ms > INT_MAX)
        ms = INT_MAX;
    if (max_wait_ms >= 0 && (ms < 0 || ms > max_wait_ms))
        ms = max_wait_ms;
    return (int)ms;
}

static size_t evloop_build_pollset(struct evloop *l)
{
    size_t n = 0;

    for (int fd = 0; fd <= l->maxfd; fd++) {
        const struct evloop_fde *e = &l->fdtab[fd];

        if (e->fn == NULL)
            continue;
        l->pfd[n].fd = fd;
        l->pfd[n].events = (short)(((e->events & EVLOOP_READ) ? POLLIN : 0) |
                                   ((e->events & EVLOOP_WRITE) ? POLLOUT : 0));
        l->pfd[n].revents = 0;
        l->pgen[n] = e->gen;
        n++;
    }
    return n;
}

/* Run the callbacks of the ready descriptors. A callback may remove any descriptor,
 * and remove and re-add one (curl reuses fd numbers): each entry is looked up afresh,
 * and one whose generation changed since poll() is skipped, because its readiness
 * belonged to the old registration. l->pfd is re-read each time because an add from a
 * callback may have moved it (its first n entries are preserved). */
static int evloop_dispatch(struct evloop *l, size_t n)
{
    int ran = 0;

    for (size_t i = 0; i < n; i++) {
        short re = l->pfd[i].revents;
        int fd = l->pfd[i].fd;
        const struct evloop_fde *e;
        evloop_fd_fn fn;
        void *arg;
        unsigned ev = 0;

        if (re == 0 || (size_t)fd >= l->fdcap)
            continue;
        e = &l->fdtab[fd];
        if (e->fn == NULL || e->gen != l->pgen[i])
            continue;
        if (re & (POLLIN | POLLPRI))
            ev |= EVLOOP_READ;
        if (re & POLLOUT)
            ev |= EVLOOP_WRITE;
        /* On an error or hang-up a read or write returns it, so a callback that only
         * looks at READ or WRITE still finds out. */
        if (re & (POLLERR | POLLHUP | POLLNVAL))
            ev |= EVLOOP_ERROR | EVLOOP_READ | EVLOOP_WRITE;
        ev &= e->events | EVLOOP_ERROR;
        if (ev == 0)
            continue;
        fn = e->fn;
        arg = e->arg;
        /* closed without evloop_del_fd: it would poll as ready forever */
        if (re & POLLNVAL)
            evloop_del_fd(l, fd);
        fn(fd, ev, arg);
        ran++;
    }
    return ran;
}

int evloop_run_once(struct evloop *l, int max_wait_ms)
{
    int ran, ready;
    size_t n;

    ran = evloop_run_timers(l);
    if (l->before_sleep != NULL)
        l->before_sleep(l->before_sleep_arg);
    n = evloop_build_pollset(l);
    ready = poll(n > 0 ? l->pfd : NULL, (nfds_t)n, evloop_timeout(l, max_wait_ms));
    if (ready < 0)
        return errno == EINTR ? ran : -1;
    if (ready > 0)
        ran += evloop_dispatch(l, n);
    return ran;
}

int evloop_run(struct evloop *l)
{
    int rc = 0;

    l->stop = false;
    while (!l->stop) {
        if (evloop_run_once(l, -1) < 0) {
            rc = -1;
            break;
        }
    }
    /* a later evloop_run_once must not see a stale stop and skip its wait */
    l->stop = false;
    return rc;
}

void evloop_stop(struct evloop *l)
{
    l->stop = true;
}
