/* The producer's statistics: counters the I/O thread keeps as requests go
 * out and come back, read as one JSON object by kl_producer_stats() or
 * handed to the statistics callback every statistics.interval.ms from
 * kl_producer_poll(). The layout is documented in kl_producer_stats(3). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "producer/producer_impl.h"
#include "util/conf.h"

void kl_conf_set_stats_cb(kl_conf_t *conf, kl_stats_cb *cb)
{
    kl_conf_hooks(conf)->fn[KL_CONF_HOOK_STATS] = (kl_conf_fn_t)cb;
}

int64_t prod_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void prod_stats_init(kl_producer_t *p)
{
    pthread_mutex_init(&p->stats.lock, NULL);
    p->stats_next_ms = kl_clock_ms() + p->s.stats_interval_ms;
}

void prod_stats_free(kl_producer_t *p)
{
    free(p->stats.brokers);
    pthread_mutex_destroy(&p->stats.lock);
}

/* With stats.lock held: the counters of broker, added on first use (NULL
 * when out of memory: that broker's counters are lost, nothing else). */
static prod_broker_stats_t *broker_stats(prod_stats_t *st, kl_client_broker_t *broker)
{
    int32_t id = kl_client_broker_id(broker);
    for (size_t i = 0; i < st->nbrokers; i++)
        if (st->brokers[i].node_id == id)
            return &st->brokers[i];
    if (st->nbrokers == st->capbrokers) {
        size_t cap = st->capbrokers ? st->capbrokers * 2 : 4;
        prod_broker_stats_t *b = realloc(st->brokers, cap * sizeof *b);
        if (!b)
            return NULL;
        st->brokers = b;
        st->capbrokers = cap;
    }
    prod_broker_stats_t *b = &st->brokers[st->nbrokers++];
    *b = (prod_broker_stats_t){.node_id = id};
    return b;
}

void prod_stats_sent(kl_producer_t *p, kl_client_broker_t *broker, int nbatches)
{
    (void)nbatches;
    pthread_mutex_lock(&p->stats.lock);
    prod_broker_stats_t *b = broker_stats(&p->stats, broker);
    if (b) {
        b->requests++;
        b->inflight++;
    }
    pthread_mutex_unlock(&p->stats.lock);
}

void prod_stats_done(kl_producer_t *p, kl_client_broker_t *broker, int64_t latency_us, int errors, int retries)
{
    prod_stats_t *st = &p->stats;
    pthread_mutex_lock(&st->lock);
    prod_broker_stats_t *b = broker_stats(st, broker);
    if (b) {
        b->inflight--;
        b->errors += errors;
        b->retries += retries;
    }
    st->errors += errors;
    st->retries += retries;
    st->latency_us[st->latency_count % PROD_LATENCY_SAMPLES] = latency_us > INT32_MAX ? INT32_MAX : (int32_t)latency_us;
    st->latency_count++;
    st->latency_sum_us += latency_us;
    pthread_mutex_unlock(&st->lock);
}

void prod_stats_idem(kl_producer_t *p)
{
    pthread_mutex_lock(&p->stats.lock);
    p->stats.idem_state = (int)p->idem.state;
    p->stats.producer_id = p->idem.producer_id;
    p->stats.epoch = p->idem.epoch;
    pthread_mutex_unlock(&p->stats.lock);
}

void prod_stats_batch(kl_producer_t *p, const prod_batch_t *b)
{
    pthread_mutex_lock(&p->stats.lock);
    p->stats.batches++;
    p->stats.batch_messages += b->count;
    p->stats.batch_bytes += (int64_t)b->wire_size;
    pthread_mutex_unlock(&p->stats.lock);
}

/* ---- JSON ------------------------------------------------------------------------ */

typedef struct json {
    char *s;
    size_t len, cap;
    bool failed;
} json_t;

static void put(json_t *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(json_t *j, const char *fmt, ...)
{
    for (int attempt = 0; attempt < 2 && !j->failed; attempt++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(j->s ? j->s + j->len : NULL, j->s ? j->cap - j->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            j->failed = true;
            return;
        }
        if (j->s && j->len + (size_t)n < j->cap) {
            j->len += (size_t)n;
            return;
        }
        size_t cap = j->cap ? j->cap : 512;
        while (cap <= j->len + (size_t)n)
            cap *= 2;
        char *s = realloc(j->s, cap);
        if (!s) {
            j->failed = true;
            return;
        }
        j->s = s;
        j->cap = cap;
    }
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* With stats.lock held: the 99th percentile of the latencies kept. */
static int64_t latency_p99(const prod_stats_t *st)
{
    size_t n = st->latency_count < PROD_LATENCY_SAMPLES ? (size_t)st->latency_count : PROD_LATENCY_SAMPLES;
    if (n == 0)
        return 0;
    int32_t sorted[PROD_LATENCY_SAMPLES];
    memcpy(sorted, st->latency_us, n * sizeof sorted[0]);
    qsort(sorted, n, sizeof sorted[0], cmp_i32);
    size_t k = (n * 99 + 99) / 100; /* nearest rank */
    return sorted[(k ? k : 1) - 1];
}

static const char *const idem_state_names[] = {"off", "wait-pid", "requesting", "assigned", "fatal"};

char *kl_producer_stats(kl_producer_t *p)
{
    if (!p)
        return NULL;
    json_t j = {0};
    prod_stats_t *st = &p->stats;
    pthread_mutex_lock(&st->lock);
    double fill = st->batches && p->s.batch_size
                      ? (double)st->batch_bytes / (double)st->batches / (double)p->s.batch_size
                      : 0.0;
    put(&j,
        "{\"type\":\"producer\",\"ts_ms\":%lld,\"msg_cnt\":%zu,\"msg_size\":%zu,\"msg_max\":%zu,\"msg_size_max\":%zu,"
        "\"batches\":%lld,\"batch_msgs_avg\":%.2f,\"batch_fill_avg\":%.4f,\"retries\":%lld,\"errors\":%lld,"
        "\"request_latency_avg_us\":%lld,\"request_latency_p99_us\":%lld,",
        (long long)kl_wallclock_ms(), atomic_load(&p->msg_count), atomic_load(&p->msg_bytes), p->s.max_messages,
        p->s.max_bytes, (long long)st->batches,
        st->batches ? (double)st->batch_messages / (double)st->batches : 0.0, fill, (long long)st->retries,
        (long long)st->errors, (long long)(st->latency_count ? st->latency_sum_us / st->latency_count : 0),
        (long long)latency_p99(st));
    put(&j, "\"brokers\":{");
    for (size_t i = 0; i < st->nbrokers; i++) {
        const prod_broker_stats_t *b = &st->brokers[i];
        put(&j, "%s\"%d\":{\"nodeid\":%d,\"requests\":%lld,\"inflight\":%lld,\"errors\":%lld,\"retries\":%lld}",
            i ? "," : "", b->node_id, b->node_id, (long long)b->requests, (long long)b->inflight,
            (long long)b->errors, (long long)b->retries);
    }
    put(&j, "},\"idempotence\":{\"state\":\"%s\",\"producer_id\":%lld,\"epoch\":%d},\"fatal\":%s}",
        idem_state_names[st->idem_state], (long long)st->producer_id, st->epoch,
        atomic_load(&p->fatal) ? "true" : "false");
    pthread_mutex_unlock(&st->lock);
    if (j.failed) {
        free(j.s);
        return NULL;
    }
    return j.s;
}

void prod_stats_poll(kl_producer_t *p)
{
    if (!p->stats_cb || p->s.stats_interval_ms <= 0)
        return;
    int64_t now = kl_clock_ms();
    pthread_mutex_lock(&p->dr_lock);
    bool due = now >= p->stats_next_ms;
    if (due)
        p->stats_next_ms = now + p->s.stats_interval_ms;
    pthread_mutex_unlock(&p->dr_lock);
    if (!due)
        return;
    char *json = kl_producer_stats(p);
    if (json)
        p->stats_cb(p, json, strlen(json), p->opaque);
    free(json);
}
