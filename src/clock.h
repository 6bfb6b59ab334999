/* clock.h: the monotonic clock every duration and deadline is measured on. */
#ifndef SRC_CLOCK_H
#define SRC_CLOCK_H

#include <stdint.h>

#define CLOCK_NS_PER_MS INT64_C(1000000)
#define CLOCK_NS_PER_S INT64_C(1000000000)

/* Nanoseconds on CLOCK_MONOTONIC (never the wall clock, which can jump). */
int64_t clock_now_ns(void);

/* True once `deadline_ns` (a clock_now_ns() value) has passed; 0 means "no deadline". */
int clock_past(int64_t deadline_ns);

#endif
