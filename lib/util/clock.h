/* Clocks: monotonic milliseconds for timeouts and timers, wall-clock
 * milliseconds for Kafka timestamps. Shared by every layer (net, storage,
 * client, broker). */
#ifndef KL_UTIL_CLOCK_H
#define KL_UTIL_CLOCK_H

#include <stdint.h>

/* Monotonic milliseconds. */
int64_t kl_clock_ms(void);
/* The same clock in microseconds (to time short work). */
int64_t kl_clock_us(void);
/* The same clock as of the last timer tick (a few ms behind, much cheaper
 * to read): for rate limits on hot paths. */
int64_t kl_clock_coarse_ms(void);
/* Wall-clock milliseconds since the epoch (Kafka timestamps). */
int64_t kl_wallclock_ms(void);

#endif
