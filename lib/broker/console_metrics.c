/* /metrics in Prometheus' text format (version 0.0.4): the broker's request
 * counters and latency histograms, what each topic took in, each
 * partition's offsets and size, each group's committed offsets and lag,
 * the connections (built on the broker loop), and the process' memory,
 * descriptors and CPU time (on the HTTP thread, from /proc). */
#include <dirent.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "broker/console.h"
#include "broker/dispatch.h"
#include "broker/group_view.h"
#include "broker/group_wire.h"
#include "broker/server.h"
#include "proto/api.h"

static void family(kl_buf_t *out, const char *name, const char *type, const char *help)
{
    console_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void api_counter(kl_buf_t *out, const kl_broker_t *b, const char *name, const char *help, bool errors)
{
    family(out, name, "counter", help);
    size_t n;
    const broker_api_t *apis = broker_api_table(&n);
    for (size_t i = 0; i < n; i++) {
        const broker_api_stats_t *s = &b->metrics.api[apis[i].key];
        console_printf(out, "%s{api=\"%s\"} %llu\n", name, kl_api_find(apis[i].key)->name,
                       (unsigned long long)(errors ? s->errors : s->requests));
    }
}

static void error_sample(kl_buf_t *out, const char *name, const char *api, const char *code, const char *error,
                         uint64_t v)
{
    console_printf(out, "%s{api=\"%s\",code=\"%s\",error=\"%s\"} %llu\n", name, api, code, error,
                   (unsigned long long)v);
}

static void api_error_codes(kl_buf_t *out, const kl_broker_t *b)
{
    const char *name = "kafkalite_response_errors_total";
    family(out, name, "counter",
           "Error codes in answers (every error_code: of the request, a topic, a partition, ...), per API and code.");
    size_t n;
    const broker_api_t *apis = broker_api_table(&n);
    for (size_t i = 0; i < n; i++) {
        const broker_api_stats_t *s = &b->metrics.api[apis[i].key];
        const char *api = kl_api_find(apis[i].key)->name;
        for (int k = 0; k < s->code_count; k++) {
            char code[8];
            snprintf(code, sizeof code, "%d", (int)s->codes[k].code);
            error_sample(out, name, api, code, kl_err_name((kl_err_t)s->codes[k].code), s->codes[k].count);
        }
        if (s->codes_other)
            error_sample(out, name, api, "other", "OTHER", s->codes_other);
    }
}

/* One histogram's samples; labels ("api=\"Produce\"" or "") go first in
 * each sample's label set. */
static void histogram_samples(kl_buf_t *out, const char *name, const char *labels, const uint64_t *le,
                              uint64_t count, double sum_s)
{
    const double *bounds = metrics_latency_bounds();
    const char *comma = *labels ? "," : "";
    for (int k = 0; k < METRICS_LATENCY_BUCKETS; k++)
        console_printf(out, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, comma, bounds[k],
                       (unsigned long long)le[k]);
    console_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, comma, (unsigned long long)count);
    const char *open = *labels ? "{" : "", *close = *labels ? "}" : "";
    console_printf(out, "%s_sum%s%s%s %.6f\n", name, open, labels, close, sum_s);
    console_printf(out, "%s_count%s%s%s %llu\n", name, open, labels, close, (unsigned long long)count);
}

static void api_latency(kl_buf_t *out, const kl_broker_t *b)
{
    const char *name = "kafkalite_request_duration_seconds";
    family(out, name, "histogram", "Time from decoding a request to its encoded answer, per API.");
    size_t n;
    const broker_api_t *apis = broker_api_table(&n);
    for (size_t i = 0; i < n; i++) {
        const broker_api_stats_t *s = &b->metrics.api[apis[i].key];
        char labels[96];
        snprintf(labels, sizeof labels, "api=\"%s\"", kl_api_find(apis[i].key)->name);
        histogram_samples(out, name, labels, s->latency_le, s->answered, s->latency_sum_s);
    }
}

static void flush_latency(kl_buf_t *out, const kl_broker_t *b)
{
    const char *name = "kafkalite_log_flush_duration_seconds";
    family(out, name, "histogram",
           "Time of partition log fsyncs (flush.messages, flush.ms, segment rolls, transaction markers).");
    broker_flush_stats_t s = metrics_flush_snapshot(&b->metrics);
    histogram_samples(out, name, "", s.le, s.count, s.sum_s);
}

typedef enum { BYTES_IN, MESSAGES_IN, BYTES_OUT, MESSAGES_OUT } topic_count_t;

static void topic_counter(kl_buf_t *out, const kl_broker_t *b, const char *name, const char *help,
                          topic_count_t what)
{
    family(out, name, "counter", help);
    for (size_t i = 0; i < b->topics.count; i++) {
        const broker_topic_t *t = b->topics.items[i];
        uint64_t v = what == BYTES_IN      ? t->bytes_in
                     : what == MESSAGES_IN ? t->messages_in
                     : what == BYTES_OUT   ? t->bytes_out
                                           : t->messages_out;
        console_printf(out, "%s{topic=", name);
        console_label(out, t->name);
        console_printf(out, "} %llu\n", (unsigned long long)v);
    }
}

typedef enum { LOG_END, LOG_START, LOG_SIZE } log_gauge_t;

static void partition_gauge(kl_buf_t *out, const kl_broker_t *b, const char *name, const char *help,
                            log_gauge_t what)
{
    family(out, name, "gauge", help);
    for (size_t i = 0; i < b->topics.count; i++) {
        const broker_topic_t *t = b->topics.items[i];
        for (int32_t p = 0; p < t->partition_count; p++) {
            const kl_log_t *log = t->logs[p];
            if (!log)
                continue; /* offline */
            console_printf(out, "%s{topic=", name);
            console_label(out, t->name);
            long long v = what == LOG_END     ? (long long)kl_log_end_offset(log)
                          : what == LOG_START ? (long long)kl_log_start_offset(log)
                                              : (long long)kl_log_size(log);
            console_printf(out, ",partition=\"%d\"} %lld\n", (int)p, v);
        }
    }
}

static void partition_offline(kl_buf_t *out, const kl_broker_t *b)
{
    const char *name = "kafkalite_offline_partitions";
    family(out, name, "gauge", "Partitions that cannot be served (a failed log dir or unreadable log).");
    size_t offline = 0;
    for (size_t i = 0; i < b->topics.count; i++)
        for (int32_t p = 0; p < b->topics.items[i]->partition_count; p++)
            offline += b->topics.items[i]->logs[p] == NULL;
    console_printf(out, "%s %zu\n", name, offline);
}

static void group_sample(kl_buf_t *out, const char *name, const group_view_t *g, const group_view_offset_t *o,
                         long long v)
{
    console_printf(out, "%s{group=", name);
    console_label(out, g->id);
    console_printf(out, ",topic=");
    console_label(out, o->topic);
    console_printf(out, ",partition=\"%d\"} %lld\n", (int)o->partition, v);
}

static void group_gauges(kl_buf_t *out, const kl_broker_t *b)
{
    size_t n;
    group_view_t *groups = group_views(groups_coordinator(b), &n);
    if (n == SIZE_MAX) {
        out->err = KL_ERR_NOMEM;
        return;
    }
    const char *committed = "kafkalite_consumer_group_committed_offset";
    family(out, committed, "gauge", "The offset a consumer group committed for a partition.");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < groups[i].offset_count; k++)
            group_sample(out, committed, &groups[i], &groups[i].offsets[k], (long long)groups[i].offsets[k].offset);
    const char *lag = "kafkalite_consumer_group_lag";
    family(out, lag, "gauge", "Messages of a partition past a consumer group's committed offset (high watermark "
                              "minus committed offset).");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < groups[i].offset_count; k++) {
            const group_view_offset_t *o = &groups[i].offsets[k];
            int64_t hw = console_high_watermark(b, o->topic, o->partition);
            if (hw >= 0 && o->offset >= 0)
                group_sample(out, lag, &groups[i], o, (long long)(hw - o->offset));
        }
    const char *members = "kafkalite_consumer_group_members";
    family(out, members, "gauge", "Members of a consumer group.");
    for (size_t i = 0; i < n; i++) {
        console_printf(out, "%s{group=", members);
        console_label(out, groups[i].id);
        console_printf(out, "} %zu\n", groups[i].member_count);
    }
    group_views_free(groups, n);
}

/* Busy time: of the network threads (sockets: reading requests, writing
 * answers), of the broker loop (decoding and serving every request, as
 * Kafka's request handler threads do) and of the I/O threads
 * (num.io.threads: the log fsyncs that are due); each counts its own. */
static void thread_busy(kl_buf_t *out, const kl_broker_t *b)
{
    family(out, "kafkalite_network_thread_busy_seconds_total", "counter",
           "Time a network thread (num.network.threads: reading requests, writing answers) spent working rather "
           "than waiting; its rate() is the thread's busy ratio.");
    for (size_t i = 0; i < b->nets.count; i++)
        console_printf(out, "kafkalite_network_thread_busy_seconds_total{thread=\"%zu\"} %.6f\n", i,
                       (double)kl_loop_busy_us(b->nets.threads[i].loop) / 1e6);
    family(out, "kafkalite_request_handler_busy_seconds_total", "counter",
           "Time the broker loop (it decodes and serves every request, and runs the timers) spent working "
           "rather than waiting; its rate() is the thread's busy ratio.");
    console_printf(out, "kafkalite_request_handler_busy_seconds_total %.6f\n", (double)kl_loop_busy_us(b->loop) / 1e6);
    const broker_log_worker_t *io = &b->housekeeping.flusher;
    family(out, "kafkalite_io_thread_busy_seconds_total", "counter",
           "Time an I/O thread (num.io.threads: fsyncs of the partition logs whose flush is due) spent working "
           "rather than waiting; its rate() is the thread's busy ratio.");
    for (size_t i = 0; i < io->started; i++)
        console_printf(out, "kafkalite_io_thread_busy_seconds_total{thread=\"%zu\"} %.6f\n", i,
                       (double)log_worker_busy_us(io, i) / 1e6);
}

void console_metrics(kl_broker_t *b, console_page_t *page)
{
    kl_buf_t *out = &page->body;
    page->type = "text/plain; version=0.0.4; charset=utf-8";
    api_counter(out, b, "kafkalite_requests_total", "Requests received, per API.", false);
    api_counter(out, b, "kafkalite_request_errors_total",
                "Requests answered by closing the connection (malformed, unsupported version, refused), per API.",
                true);
    api_error_codes(out, b);
    api_latency(out, b);
    flush_latency(out, b);
    topic_counter(out, b, "kafkalite_topic_bytes_in_total", "Record batch bytes produced to a topic since start.",
                  BYTES_IN);
    topic_counter(out, b, "kafkalite_topic_messages_in_total", "Records produced to a topic since start.",
                  MESSAGES_IN);
    topic_counter(out, b, "kafkalite_topic_bytes_out_total",
                  "Record batch bytes of a topic sent in Fetch answers since start.", BYTES_OUT);
    topic_counter(out, b, "kafkalite_topic_messages_out_total",
                  "Records of a topic sent in Fetch answers since start (transaction markers not counted).",
                  MESSAGES_OUT);
    partition_gauge(out, b, "kafkalite_partition_log_end_offset", "The offset the next record of a partition gets.",
                    LOG_END);
    partition_gauge(out, b, "kafkalite_partition_log_start_offset", "The first offset a partition still holds.",
                    LOG_START);
    partition_gauge(out, b, "kafkalite_partition_size_bytes", "Bytes of a partition's log segments.", LOG_SIZE);
    partition_offline(out, b);
    group_gauges(out, b);
    family(out, "kafkalite_connections", "gauge", "Open client connections.");
    console_printf(out, "kafkalite_connections %zu\n", b->conn_limits.count);
    family(out, "kafkalite_connections_refused_total", "counter",
           "Connections closed on arrival (max.connections, max.connections.per.ip).");
    console_printf(out, "kafkalite_connections_refused_total %llu\n", (unsigned long long)b->conn_limits.refused);
    thread_busy(out, b);
}

/* ---- the process, on the HTTP thread ---- */

static long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    long n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

static long long resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long long size, resident = -1;
    if (f && fscanf(f, "%lld %lld", &size, &resident) != 2)
        resident = -1;
    if (f)
        fclose(f);
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

void console_metrics_process(kl_buf_t *out)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        family(out, "process_cpu_seconds_total", "counter", "User and system CPU time of the process.");
        double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
                     ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
        console_printf(out, "process_cpu_seconds_total %.6f\n", cpu);
    }
    long long rss = resident_bytes();
    if (rss >= 0) {
        family(out, "process_resident_memory_bytes", "gauge", "Resident memory of the process.");
        console_printf(out, "process_resident_memory_bytes %lld\n", rss);
    }
    long fds = open_fds();
    if (fds >= 0) {
        family(out, "process_open_fds", "gauge", "Open file descriptors of the process.");
        console_printf(out, "process_open_fds %ld\n", fds);
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        family(out, "process_max_fds", "gauge", "The process' limit on open file descriptors.");
        console_printf(out, "process_max_fds %llu\n", (unsigned long long)rl.rlim_cur);
    }
}
