/* The lines `kafkalite perf` prints every 5 s while it runs, as Kafka's
 * kafka-producer-perf-test.sh does: what the last window of time
 * delivered (or received), its rate, and (produce) its latencies. They go
 * to standard output, in pipes too; on a terminal the refreshed progress
 * line is cleared first. */
#ifndef KL_TOOLS_PERF_WINDOW_H
#define KL_TOOLS_PERF_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#define PERF_WINDOW_US 5000000

typedef struct perf_window {
    int64_t start_us;
    uint64_t count, bytes;
    int64_t latency_sum_us, latency_max_us;
} perf_window_t;

void perf_window_start(perf_window_t *w, int64_t now_us);

/* One message of bytes; latency_us < 0 when there is none to count. */
void perf_window_add(perf_window_t *w, uint64_t bytes, int64_t latency_us);

/* How the lines are printed: Kafka's text, with a terminal's progress
 * line cleared first or not, or JSON. */
typedef enum { PERF_TEXT, PERF_TEXT_TERMINAL, PERF_JSON } perf_output_t;

/* When the window is PERF_WINDOW_US old: prints "N records VERB, R
 * records/sec (M MB/sec)[, A ms avg latency, X ms max latency]." (or, as
 * JSON, {"kind":"window","records","seconds","records_per_sec",
 * "mb_per_sec"[,"avg_latency_ms","max_latency_ms"]}) and starts the next
 * one. */
void perf_window_tick(perf_window_t *w, int64_t now_us, const char *verb, bool with_latency, perf_output_t output);

#endif
