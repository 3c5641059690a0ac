/* The broker's request counters for /metrics: per API key, requests
 * served, requests that closed their connection instead of an answer, and
 * a histogram of the time from decoding a request to its encoded answer.
 * Written and read only on the broker loop's thread (the console reads
 * them through a task posted to the loop), so they need no locking.
 * The histogram of partition log fsyncs (kl_log_flush) is written from
 * the loop and the flusher thread, so it is kept with relaxed atomic
 * adds (no lock). */
#ifndef KL_BROKER_METRICS_H
#define KL_BROKER_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/schema.h"

#define METRICS_API_KEYS 128
#define METRICS_LATENCY_BUCKETS 10
/* Distinct error codes counted per API; more go to codes_other. */
#define METRICS_ERROR_CODES 16

typedef struct broker_error_count {
    int16_t code;
    uint64_t count;
} broker_error_count_t;

typedef struct broker_api_stats {
    uint64_t requests;
    uint64_t errors; /* answered by closing the connection */
    /* Non-zero error codes in answers (every error_code field: top level,
     * per topic, per partition), in the order first seen. */
    broker_error_count_t codes[METRICS_ERROR_CODES];
    int code_count;
    uint64_t codes_other;
    uint64_t answered;
    uint64_t latency_le[METRICS_LATENCY_BUCKETS]; /* answers within each bound, cumulative */
    double latency_sum_s;
} broker_api_stats_t;

/* A histogram of flushes as /metrics shows it. */
typedef struct broker_flush_stats {
    uint64_t count;
    uint64_t le[METRICS_LATENCY_BUCKETS]; /* flushes within each bound, cumulative */
    double sum_s;
} broker_flush_stats_t;

typedef struct broker_metrics {
    broker_api_stats_t api[METRICS_API_KEYS];
    /* Flushes per bucket, not cumulative, the last past every bound, so
     * that a copy taken while flushes are counted is consistent; and
     * their total time. Atomic: read with metrics_flush_snapshot(). */
    uint64_t flush_in[METRICS_LATENCY_BUCKETS + 1];
    uint64_t flush_sum_us;
} broker_metrics_t;

/* The histogram's upper bounds in seconds (METRICS_LATENCY_BUCKETS). */
const double *metrics_latency_bounds(void);

/* Monotonic microseconds, to time requests. */
int64_t metrics_now_us(void);

/* A request of api_key was decoded (or refused): counted. */
void metrics_request(broker_metrics_t *m, int16_t api_key, bool closed);
/* Its answer resp (a struct of schema at version) was encoded after
 * latency_us: timed, and its error codes counted. */
void metrics_answered(broker_metrics_t *m, int16_t api_key, int64_t latency_us, const kl_schema_t *schema,
                      int16_t version, const void *resp);
/* A partition log flush took latency_us (any thread). */
void metrics_flushed(broker_metrics_t *m, int64_t latency_us);
/* A copy of the flush histogram (any thread). */
broker_flush_stats_t metrics_flush_snapshot(const broker_metrics_t *m);

#endif
