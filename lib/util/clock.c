/* Clocks: see clock.h. */
#include "util/clock.h"

#include <time.h>

static int64_t clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t kl_clock_ms(void) { return clock_ms(CLOCK_MONOTONIC); }

int64_t kl_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t kl_clock_coarse_ms(void)
{
#ifdef CLOCK_MONOTONIC_COARSE
    return clock_ms(CLOCK_MONOTONIC_COARSE);
#else
    return clock_ms(CLOCK_MONOTONIC);
#endif
}

int64_t kl_wallclock_ms(void) { return clock_ms(CLOCK_REALTIME); }
