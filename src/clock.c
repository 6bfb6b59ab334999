/* clock.c: monotonic time. */
#include "clock.h"

#include <time.h>

int64_t clock_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * CLOCK_NS_PER_S + ts.tv_nsec;
}

int clock_past(int64_t deadline_ns)
{
    return deadline_ns != 0 && clock_now_ns() >= deadline_ns;
}
