/* The housekeeping timers of the network loop (see housekeeping.h):
 * retention every log.retention.check.interval.ms, and the flush check,
 * whose period is the shortest flush interval any partition asks for (or
 * log.flush.scheduler.interval.ms when shorter). */
#include "broker/server.h"
#include "util/conf.h"

/* A flush interval of 0 is served by the append path alone; a period
 * below this would only spin. */
#define FLUSH_TIMER_MIN_MS 10
/* Longer periods are checked this often, which finds nothing due sooner
 * than asked but keeps the loop's deadline arithmetic far from overflow. */
#define TIMER_MAX_MS INT64_C(2147483647)

static int64_t clamp_period(int64_t ms)
{
    return ms < FLUSH_TIMER_MIN_MS ? FLUSH_TIMER_MIN_MS : ms > TIMER_MAX_MS ? TIMER_MAX_MS : ms;
}

static void for_each_log(kl_broker_t *b, void (*fn)(kl_broker_t *, broker_topic_t *, int32_t, int64_t),
                         int64_t now_ms)
{
    for (size_t i = 0; i < b->topics.count; i++) {
        broker_topic_t *t = b->topics.items[i];
        for (int32_t p = 0; p < t->partition_count; p++)
            fn(b, t, p, now_ms);
    }
}

static void retain_one(kl_broker_t *b, broker_topic_t *t, int32_t p, int64_t now_ms)
{
    kl_log_t *log = t->logs[p];
    int64_t start = kl_log_start_offset(log);
    size_t segments = kl_log_segment_count(log);
    kl_err_t err = kl_log_retain(log, now_ms);
    /* producers whose batches are gone, or idle past the expiration */
    producer_state_expire(&t->producers[p], now_ms, b->topics.defaults.producer_expiration_ms,
                          kl_log_start_offset(log));
    if (err)
        broker_log(b, BROKER_LOG_ERR, "retention of %s-%d: %s", t->name, (int)p, kl_err_str(err));
    else if (kl_log_segment_count(log) != segments)
        broker_log(b, BROKER_LOG_INFO, "retention deleted %zu segments of %s-%d; log start offset %lld -> %lld",
                   segments - kl_log_segment_count(log), t->name, (int)p, (long long)start,
                   (long long)kl_log_start_offset(log));
}

void housekeeping_retain(kl_broker_t *b, int64_t now_ms) { for_each_log(b, retain_one, now_ms); }

static void on_retention_timer(kl_loop_t *loop, kl_timer_t *timer)
{
    kl_broker_t *b = timer->opaque;
    housekeeping_retain(b, kl_wallclock_ms());
    kl_timer_start(loop, timer, b->housekeeping.retention_interval_ms);
}

static void flush_check_one(kl_broker_t *b, broker_topic_t *t, int32_t p, int64_t now_ms)
{
    if (kl_log_flush_due(t->logs[p], now_ms))
        flusher_request(&b->housekeeping.flusher, t->logs[p]);
}

static void on_flush_timer(kl_loop_t *loop, kl_timer_t *timer)
{
    kl_broker_t *b = timer->opaque;
    for_each_log(b, flush_check_one, kl_wallclock_ms());
    if (b->housekeeping.flush_interval_ms < INT64_MAX)
        kl_timer_start(loop, timer, b->housekeeping.flush_interval_ms);
}

/* The flush timer's period: the shortest time-based flush interval of
 * any partition, bounded by log.flush.scheduler.interval.ms. Kafka checks
 * only every log.flush.scheduler.interval.ms (never, by default), which
 * would leave a flush.ms setting without effect. */
static int64_t flush_period(const kl_broker_t *b)
{
    int64_t period = kl_conf_get_int(b->conf, "log.flush.scheduler.interval.ms");
    int64_t shortest = b->topics.defaults.log.flush_interval_ms;
    for (size_t i = 0; i < b->topics.count; i++) {
        const broker_topic_t *t = b->topics.items[i];
        if (t->partition_count > 0 && kl_log_config(t->logs[0])->flush_interval_ms < shortest)
            shortest = kl_log_config(t->logs[0])->flush_interval_ms;
    }
    if (shortest < period)
        period = shortest;
    return period == INT64_MAX ? INT64_MAX : clamp_period(period);
}

void housekeeping_init(kl_broker_t *b)
{
    broker_housekeeping_t *h = &b->housekeeping;
    flusher_init(&h->flusher, b);
    kl_timer_init(&h->retention_timer, on_retention_timer, b);
    kl_timer_init(&h->flush_timer, on_flush_timer, b);
    h->retention_interval_ms = clamp_period(kl_conf_get_int(b->conf, "log.retention.check.interval.ms"));
    h->flush_interval_ms = INT64_MAX;
}

int housekeeping_start(kl_broker_t *b)
{
    broker_housekeeping_t *h = &b->housekeeping;
    if (flusher_start(&h->flusher) != 0)
        return -1;
    kl_timer_start(b->loop, &h->retention_timer, h->retention_interval_ms);
    housekeeping_reschedule(b);
    return 0;
}

void housekeeping_reschedule(kl_broker_t *b)
{
    broker_housekeeping_t *h = &b->housekeeping;
    if (!b->loop)
        return;
    int64_t period = flush_period(b);
    if (period == h->flush_interval_ms && (period == INT64_MAX || kl_timer_active(&h->flush_timer)))
        return;
    h->flush_interval_ms = period;
    kl_timer_stop(b->loop, &h->flush_timer);
    if (period < INT64_MAX)
        kl_timer_start(b->loop, &h->flush_timer, period);
}

void housekeeping_stop(kl_broker_t *b)
{
    flusher_stop(&b->housekeeping.flusher);
    b->housekeeping.flush_interval_ms = INT64_MAX;
}

void housekeeping_destroy(kl_broker_t *b) { flusher_destroy(&b->housekeeping.flusher); }

void housekeeping_appended(kl_broker_t *b, kl_log_t *log)
{
    if (kl_log_flush_due(log, kl_wallclock_ms()))
        flusher_request(&b->housekeeping.flusher, log);
}

void housekeeping_forget_logs(kl_broker_t *b, kl_log_t *const *logs, int32_t count)
{
    for (int32_t p = 0; p < count; p++)
        flusher_forget(&b->housekeeping.flusher, logs[p]);
}
