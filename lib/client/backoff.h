/* The retry back-off every client handle uses (producer sends and
 * producer-id requests, the consumer group's coordinator lookups, joins and
 * offset requests, admin calls): retry.backoff.ms before the first retry,
 * doubled after each further failure, never more than retry.backoff.max.ms;
 * callers that retry many requests at once add jitter so they spread out. */
#ifndef KL_CLIENT_BACKOFF_H
#define KL_CLIENT_BACKOFF_H

#include <stdint.h>

#include "kafkalite/conf.h"

typedef struct kl_backoff {
    int64_t base_ms; /* retry.backoff.ms */
    int64_t max_ms;  /* retry.backoff.max.ms, never below base_ms */
} kl_backoff_t;

/* Reads retry.backoff.ms and retry.backoff.max.ms from a client conf. */
void kl_backoff_init(kl_backoff_t *b, const kl_conf_t *conf);

/* The wait before the next attempt after failures failed attempts in a
 * row (1 or less: the first retry waits base_ms). */
int64_t kl_backoff_ms(const kl_backoff_t *b, int failures);

/* kl_backoff_ms() plus up to a fifth more, chosen by random (any value of
 * the caller's generator). */
int64_t kl_backoff_jittered_ms(const kl_backoff_t *b, int failures, uint32_t random);

#endif
