/* Delivery latencies collected by `kafkalite perf`, and their percentiles
 * (nearest rank: the smallest sample at or above p percent of them). */
#ifndef KL_TOOLS_LATENCY_H
#define KL_TOOLS_LATENCY_H

#include <stddef.h>
#include <stdint.h>

typedef struct latency {
    int64_t *us; /* samples in microseconds */
    size_t count, cap;
    int sorted;
} latency_t;

/* Room for cap samples; -1 when out of memory. */
int latency_init(latency_t *lat, size_t cap);

/* Records one sample; beyond cap samples are dropped (perf sizes cap to
 * the message count, so none are). */
void latency_add(latency_t *lat, int64_t us);

/* The p-th percentile (0 < p <= 100) in microseconds; 0 with no samples. */
int64_t latency_percentile(latency_t *lat, double p);

void latency_free(latency_t *lat);

#endif
