/* The broker's request counters (see metrics.h). */
#include "broker/metrics.h"

#include <time.h>

static const double bounds[METRICS_LATENCY_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                       0.025,  0.05,  0.1,    0.5,   2.5};

const double *metrics_latency_bounds(void)
{
    return bounds;
}

int64_t metrics_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static broker_api_stats_t *stats_of(broker_metrics_t *m, int16_t api_key)
{
    return api_key >= 0 && api_key < METRICS_API_KEYS ? &m->api[api_key] : NULL;
}

void metrics_request(broker_metrics_t *m, int16_t api_key, bool closed)
{
    broker_api_stats_t *s = stats_of(m, api_key);
    if (!s)
        return;
    s->requests++;
    if (closed)
        s->errors++;
}

void metrics_answered(broker_metrics_t *m, int16_t api_key, int64_t latency_us)
{
    broker_api_stats_t *s = stats_of(m, api_key);
    if (!s)
        return;
    double secs = (double)latency_us / 1e6;
    s->answered++;
    s->latency_sum_s += secs;
    for (int i = 0; i < METRICS_LATENCY_BUCKETS; i++)
        if (secs <= bounds[i])
            s->latency_le[i]++;
}

void metrics_flushed(broker_metrics_t *m, int64_t latency_us)
{
    double secs = (double)latency_us / 1e6;
    int k = 0;
    while (k < METRICS_LATENCY_BUCKETS && secs > bounds[k])
        k++;
    __atomic_fetch_add(&m->flush_in[k], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&m->flush_sum_us, latency_us > 0 ? (uint64_t)latency_us : 0, __ATOMIC_RELAXED);
}

broker_flush_stats_t metrics_flush_snapshot(const broker_metrics_t *m)
{
    broker_flush_stats_t s = {0};
    for (int k = 0; k <= METRICS_LATENCY_BUCKETS; k++) {
        s.count += __atomic_load_n(&m->flush_in[k], __ATOMIC_RELAXED);
        if (k < METRICS_LATENCY_BUCKETS)
            s.le[k] = s.count;
    }
    s.sum_s = (double)__atomic_load_n(&m->flush_sum_us, __ATOMIC_RELAXED) / 1e6;
    return s;
}
