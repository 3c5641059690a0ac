/* Condition variables that wait on the monotonic clock, so that a wait's
 * timeout neither stretches nor shrinks when the wall clock is set: what
 * every client handle's poll, flush and synchronous calls wait with. */
#ifndef KL_UTIL_COND_H
#define KL_UTIL_COND_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* pthread_cond_init() with the monotonic clock. */
void kl_cond_init(pthread_cond_t *cond);
/* The absolute time for pthread_cond_timedwait() timeout_ms from now. */
void kl_cond_deadline(struct timespec *ts, int64_t timeout_ms);
/* The same for a deadline given as kl_clock_ms() time. */
void kl_cond_deadline_at(struct timespec *ts, int64_t deadline_ms);

#endif
