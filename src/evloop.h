/* evloop.h: the one event loop (redis's ae, reduced): file descriptors, monotonic
 * timers and a before-sleep hook, over poll().
 *
 * Call order of one pass (evloop_run_once):
 *   1. due timers fire (in deadline order; a timer added from a callback with delay 0
 *      runs on the next pass, never in the same one, so a slicing job cannot starve input);
 *   2. the before-sleep hook runs (the front-end repaints here, once per pass);
 *   3. poll() waits for the registered descriptors until the nearest timer deadline
 *      (no timers: forever; max_wait_ms caps it);
 *   4. ready descriptors' callbacks run.
 * Callbacks may add or remove descriptors and timers, including their own; they must not
 * call evloop_run_once or evloop_run. Nothing here allocates per pass once the tables
 * have grown. */
#ifndef SRC_EVLOOP_H
#define SRC_EVLOOP_H

#include <stdint.h>

#include "attrs.h"
#include "err.h"

enum {
    EVLOOP_READ = 1 << 0,
    EVLOOP_WRITE = 1 << 1,
    EVLOOP_ERROR = 1 << 2 /* reported only: POLLERR, POLLHUP or POLLNVAL */
};
/* With EVLOOP_ERROR a callback also gets the READ/WRITE bits it registered, so the read
 * or write that reports the error or EOF happens. An fd that polls as POLLNVAL (closed
 * without evloop_del_fd) is unregistered before its callback runs. */

struct evloop;

typedef void (*evloop_fd_fn)(int fd, unsigned events, void *arg);
typedef void (*evloop_timer_fn)(void *arg);
typedef void (*evloop_hook_fn)(void *arg);

struct evloop *evloop_new(void);
void evloop_free(struct evloop *l);

/* Watch `fd` for `events` (EVLOOP_READ | EVLOOP_WRITE). One registration per fd:
 * adding an fd again replaces its events, callback and argument. 0 or -1 (bad fd). */
int evloop_add_fd(struct evloop *l, int fd, unsigned events, evloop_fd_fn fn, void *arg);
void evloop_del_fd(struct evloop *l, int fd);

/* Run `fn` once, `delay_ms` from now (0: on the next pass). Returns a non-zero id. */
uint64_t evloop_add_timer(struct evloop *l, int64_t delay_ms, evloop_timer_fn fn, void *arg);
/* Cancel a pending timer; unknown or fired ids are ignored. */
void evloop_cancel_timer(struct evloop *l, uint64_t id);
/* Milliseconds until the nearest timer (0 if due), or -1 when none is pending. */
int64_t evloop_next_timer_ms(const struct evloop *l);

void evloop_set_before_sleep(struct evloop *l, evloop_hook_fn fn, void *arg);

/* One pass, waiting at most `max_wait_ms` (-1: until something happens; 0 after
 * evloop_stop). Returns the number of timer and fd callbacks run (the hook is not
 * counted), or -1 on a poll() error other than EINTR. */
int evloop_run_once(struct evloop *l, int max_wait_ms);
/* Passes until evloop_stop (called from a callback or the hook). 0, or -1 on a poll()
 * error. The stop request is cleared on return. */
int evloop_run(struct evloop *l);
void evloop_stop(struct evloop *l);

#endif
