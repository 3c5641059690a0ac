/* Latency samples and nearest-rank percentiles for `kafkalite perf`:
 * every sample is kept and sorted once at the end, so the figures are
 * exact rather than bucketed. */
#include <stdlib.h>

#include "latency.h"

int latency_init(latency_t *lat, size_t cap)
{
    lat->us = malloc((cap ? cap : 1) * sizeof *lat->us);
    lat->count = 0;
    lat->cap = cap;
    lat->sorted = 0;
    return lat->us ? 0 : -1;
}

void latency_add(latency_t *lat, int64_t us)
{
    if (lat->count < lat->cap) {
        lat->us[lat->count++] = us;
        lat->sorted = 0;
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t latency_percentile(latency_t *lat, double p)
{
    if (lat->count == 0)
        return 0;
    if (!lat->sorted) {
        qsort(lat->us, lat->count, sizeof *lat->us, cmp_i64);
        lat->sorted = 1;
    }
    /* nearest rank: ceil(p/100 * n), 1-based */
    double want = p / 100.0 * (double)lat->count;
    size_t rank = (size_t)want;
    if ((double)rank < want)
        rank++; /* rounded up */
    size_t i = rank ? rank - 1 : 0;
    return lat->us[i < lat->count ? i : lat->count - 1];
}

void latency_free(latency_t *lat)
{
    free(lat->us);
    lat->us = NULL;
    lat->count = lat->cap = 0;
}
