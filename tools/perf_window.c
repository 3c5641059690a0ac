/* `kafkalite perf`'s 5-second lines: see perf_window.h. */
#include <stdio.h>

#include "perf_window.h"

void perf_window_start(perf_window_t *w, int64_t now_us)
{
    *w = (perf_window_t){.start_us = now_us};
}

void perf_window_add(perf_window_t *w, uint64_t bytes, int64_t latency_us)
{
    w->count++;
    w->bytes += bytes;
    if (latency_us >= 0) {
        w->latency_sum_us += latency_us;
        if (latency_us > w->latency_max_us)
            w->latency_max_us = latency_us;
    }
}

void perf_window_tick(perf_window_t *w, int64_t now_us, const char *verb, bool with_latency, bool on_terminal)
{
    if (now_us - w->start_us < PERF_WINDOW_US)
        return;
    double secs = (double)(now_us - w->start_us) / 1e6;
    printf("%s%llu records %s, %.1f records/sec (%.2f MB/sec)", on_terminal ? "\r\033[K" : "",
           (unsigned long long)w->count, verb, (double)w->count / secs, (double)w->bytes / 1e6 / secs);
    if (with_latency)
        printf(", %.1f ms avg latency, %.1f ms max latency",
               w->count ? (double)w->latency_sum_us / 1e3 / (double)w->count : 0.0, (double)w->latency_max_us / 1e3);
    printf(".\n");
    fflush(stdout);
    perf_window_start(w, now_us);
}
