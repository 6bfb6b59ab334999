/* nettest.h: what the network unit tests (test_http.c, test_llm.c) share: the fixture of
 * an event loop with an http client, and running the real loop until a condition holds.
 * Header-only (static functions), included after cmocka.h with CAP_MS defined: the
 * longest a condition may take, in ms. */
#ifndef TESTS_NETTEST_H
#define TESTS_NETTEST_H

#include <stdlib.h>

#include "clock.h"
#include "err.h"
#include "evloop.h"
#include "http.h"

struct fixture {
    struct evloop *loop;
    struct http *h;
};

/* Passes of the real loop until *flag is set; fails after CAP_MS. */
static void run_until(struct evloop *l, const int *flag)
{
    int64_t end = clock_now_ns() + CAP_MS * CLOCK_NS_PER_MS;

    while (!*flag) {
        assert_true(evloop_run_once(l, 100) >= 0);
        if (clock_past(end))
            fail_msg("condition not reached within %d ms", CAP_MS);
    }
}

/* cmocka set-up: a loop and a client on it. */
static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct err err;

    assert_non_null(f);
    f->loop = evloop_new();
    f->h = http_new(f->loop, &err);
    assert_non_null(f->h);
    *state = f;
    return 0;
}

/* The fixture's own tear-down; each test file's teardown adds its checks around it. */
static void fixture_free(struct fixture *f)
{
    http_free(f->h);
    evloop_free(f->loop);
    free(f);
}

#endif
