/* The housekeeping timers of the network loop (see housekeeping.h):
 * retention every log.retention.check.interval.ms, the flush check,
 * whose period is the shortest flush interval any partition asks for (or
 * log.flush.scheduler.interval.ms when shorter), and the cleaner pass
 * every log.cleaner.backoff.ms; and the work the flusher and cleaner
 * threads do on one log. */
#include "broker/server.h"
#include "storage/cleaner.h"
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
            if (t->logs[p]) /* not offline */
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
        log_worker_request(&b->housekeeping.flusher, t->logs[p]);
}

/* The flusher thread's work on one log. */
static void flush_work(kl_broker_t *b, kl_log_t *log)
{
    if (kl_log_flush_due(log, kl_wallclock_ms()) && housekeeping_flush(b, log) != KL_ERR_NONE)
        broker_log(b, BROKER_LOG_ERR, "flushing %s failed: the partition takes no more writes", kl_log_dir(log));
}

/* ---------------------------------------------------------------- cleaner */

static void install_one(kl_broker_t *b, broker_topic_t *t, int32_t p, int64_t now_ms)
{
    (void)now_ms;
    kl_log_t *log = t->logs[p];
    if (!kl_log_clean_prepared(log))
        return;
    kl_log_clean_stats_t st;
    kl_err_t err = kl_log_clean_install(log, &st);
    size_t rewritten = 0;
    kl_err_t txn_err = err ? KL_ERR_NONE : partition_txn_cleaned(&t->producers[p], log, &rewritten);
    if (txn_err)
        broker_log(b, BROKER_LOG_ERR, "cleaning %s-%d: its aborted-transaction index: %s (the next clean retries)",
                   t->name, (int)p, kl_err_str(txn_err));
    else if (rewritten > 0)
        broker_log(b, BROKER_LOG_INFO, "cleaned %s-%d: %zu .txnindex file(s) rewritten to follow the segments",
                   t->name, (int)p, rewritten);
    if (err)
        broker_log(b, BROKER_LOG_ERR, "cleaning %s-%d: %s", t->name, (int)p, kl_err_str(err));
    else if (st.segments_before > 0)
        broker_log(b, BROKER_LOG_INFO,
                   "cleaned %s-%d: %zu segments (%llu bytes) -> %zu (%llu bytes), %lld records removed", t->name,
                   (int)p, st.segments_before, (unsigned long long)st.bytes_read, st.segments_after,
                   (unsigned long long)st.bytes_written, (long long)st.records_removed);
}

static void clean_check_one(kl_broker_t *b, broker_topic_t *t, int32_t p, int64_t now_ms)
{
    install_one(b, t, p, now_ms);
    if (kl_log_clean_due(t->logs[p], now_ms))
        log_worker_request(&b->housekeeping.cleaner, t->logs[p]);
}

void housekeeping_clean(kl_broker_t *b, int64_t now_ms)
{
    if (b->housekeeping.cleaner_enabled)
        for_each_log(b, clean_check_one, now_ms);
}

/* Posted by a cleaner thread: a clean is ready to swap in. */
static void install_task(void *arg)
{
    kl_broker_t *b = arg;
    for_each_log(b, install_one, 0);
}

/* A cleaner thread's work on one log: the heavy half of a clean. */
static void clean_work(kl_broker_t *b, kl_log_t *log)
{
    int64_t now = kl_wallclock_ms();
    if (!kl_log_clean_due(log, now))
        return;
    kl_err_t err = kl_log_clean_prepare(log, now, b->housekeeping.cleaner_map_bytes);
    kl_log_clean_failure_t damage;
    if (!err) {
        if (kl_loop_post(b->loop, install_task, b) != 0)
            broker_log(b, BROKER_LOG_ERR, "cleaning %s: the next cleaner pass installs it", kl_log_dir(log));
    } else if (err == KL_ERR_CORRUPT_MESSAGE && kl_log_clean_failure(log, &damage)) {
        broker_log(b, BROKER_LOG_ERR,
                   "cleaning %s: segment %020lld.log, batch at byte %llu: %s (%s); the cleaner stops before that "
                   "segment until it changes",
                   kl_log_dir(log), (long long)damage.segment_base, (unsigned long long)damage.position,
                   damage.why, kl_err_str(damage.err));
    } else if (err != KL_ERR_NOENT && err != KL_ERR_STATE) {
        broker_log(b, BROKER_LOG_ERR, "cleaning %s: %s", kl_log_dir(log), kl_err_str(err));
    }
}

static void on_cleaner_timer(kl_loop_t *loop, kl_timer_t *timer)
{
    kl_broker_t *b = timer->opaque;
    housekeeping_clean(b, kl_wallclock_ms());
    kl_timer_start(loop, timer, b->housekeeping.cleaner_backoff_ms);
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
        if (t->partition_count > 0 && t->logs[0] && kl_log_config(t->logs[0])->flush_interval_ms < shortest)
            shortest = kl_log_config(t->logs[0])->flush_interval_ms;
    }
    if (shortest < period)
        period = shortest;
    return period == INT64_MAX ? INT64_MAX : clamp_period(period);
}

void housekeeping_init(kl_broker_t *b)
{
    broker_housekeeping_t *h = &b->housekeeping;
    size_t threads = (size_t)kl_conf_get_int(b->conf, "log.cleaner.threads");
    /* num.io.threads: the threads that do the disk syncs, so that several
     * partitions flush at once. */
    log_worker_init(&h->flusher, b, flush_work, (size_t)kl_conf_get_int(b->conf, "num.io.threads"));
    log_worker_init(&h->cleaner, b, clean_work, threads);
    h->cleaner_enabled = kl_conf_get_bool(b->conf, "log.cleaner.enable");
    h->cleaner_backoff_ms = clamp_period(kl_conf_get_int(b->conf, "log.cleaner.backoff.ms"));
    h->cleaner_map_bytes = (size_t)kl_conf_get_int(b->conf, "log.cleaner.dedupe.buffer.size") / threads;
    kl_timer_init(&h->retention_timer, on_retention_timer, b);
    kl_timer_init(&h->flush_timer, on_flush_timer, b);
    kl_timer_init(&h->cleaner_timer, on_cleaner_timer, b);
    h->retention_interval_ms = clamp_period(kl_conf_get_int(b->conf, "log.retention.check.interval.ms"));
    h->flush_interval_ms = INT64_MAX;
}

int housekeeping_start(kl_broker_t *b)
{
    broker_housekeeping_t *h = &b->housekeeping;
    if (log_worker_start(&h->flusher) != 0 || (h->cleaner_enabled && log_worker_start(&h->cleaner) != 0))
        return -1;
    kl_timer_start(b->loop, &h->retention_timer, h->retention_interval_ms);
    if (h->cleaner_enabled)
        kl_timer_start(b->loop, &h->cleaner_timer, h->cleaner_backoff_ms);
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
    log_worker_stop(&b->housekeeping.flusher);
    log_worker_stop(&b->housekeeping.cleaner);
    b->housekeeping.flush_interval_ms = INT64_MAX;
}

void housekeeping_destroy(kl_broker_t *b)
{
    log_worker_destroy(&b->housekeeping.flusher);
    log_worker_destroy(&b->housekeeping.cleaner);
}

kl_err_t housekeeping_flush(kl_broker_t *b, kl_log_t *log)
{
    int64_t start = metrics_now_us();
    kl_err_t err = kl_log_flush(log);
    metrics_flushed(&b->metrics, metrics_now_us() - start);
    return err;
}

bool housekeeping_appended(kl_broker_t *b, broker_topic_t *t, int32_t partition)
{
    kl_log_t *log = t->logs[partition];
    if (kl_log_end_offset(log) - kl_log_recovery_point(log) >= kl_log_config(log)->flush_interval_messages) {
        if (housekeeping_flush(b, log) == KL_ERR_NONE)
            return true;
        broker_storage_failed(b, t, partition, "flushing");
        return false;
    }
    if (kl_log_flush_due(log, kl_wallclock_ms()))
        log_worker_request(&b->housekeeping.flusher, log);
    return true;
}

void housekeeping_forget_logs(kl_broker_t *b, kl_log_t *const *logs, int32_t count)
{
    for (int32_t p = 0; p < count; p++) {
        log_worker_forget(&b->housekeeping.flusher, logs[p]);
        log_worker_forget(&b->housekeeping.cleaner, logs[p]);
    }
}
