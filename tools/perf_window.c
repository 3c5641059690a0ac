/* `kafkalite perf`'s 5-second lines: see perf_window.h. */
#include <stdio.h>

#include "json_out.h"

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

static void print_json(const perf_window_t *w, double secs, bool with_latency)
{
    json_out_t j;
    json_begin(&j, stdout);
    json_str(&j, "kind", "window");
    json_int(&j, "records", (int64_t)w->count);
    json_real(&j, "seconds", secs);
    json_real(&j, "records_per_sec", (double)w->count / secs);
    json_real(&j, "mb_per_sec", (double)w->bytes / 1e6 / secs);
    if (with_latency) {
        json_real(&j, "avg_latency_ms", w->count ? (double)w->latency_sum_us / 1e3 / (double)w->count : 0.0);
        json_real(&j, "max_latency_ms", (double)w->latency_max_us / 1e3);
    }
    json_end(&j);
}

void perf_window_tick(perf_window_t *w, int64_t now_us, const char *verb, bool with_latency, perf_output_t output)
{
    if (now_us - w->start_us < PERF_WINDOW_US)
        return;
    double secs = (double)(now_us - w->start_us) / 1e6;
    if (output == PERF_JSON) {
        print_json(w, secs, with_latency);
        fflush(stdout);
        perf_window_start(w, now_us);
        return;
    }
    printf("%s%llu records %s, %.1f records/sec (%.2f MB/sec)", output == PERF_TEXT_TERMINAL ? "\r\033[K" : "",
           (unsigned long long)w->count, verb, (double)w->count / secs, (double)w->bytes / 1e6 / secs);
    if (with_latency)
        printf(", %.1f ms avg latency, %.1f ms max latency",
               w->count ? (double)w->latency_sum_us / 1e3 / (double)w->count : 0.0, (double)w->latency_max_us / 1e3);
    printf(".\n");
    fflush(stdout);
    perf_window_start(w, now_us);
}
