/* The ways a partition log shrinks: retention by time and size and
 * DeleteRecords delete whole segments at the old end and move the log
 * start offset forward; truncation cuts the new end. Deleted segments'
 * files stay open for the read ranges still holding them. See log.h. */
#include <string.h>

#include "storage/checkpoint.h"
#include "storage/log_internal.h"

void log_remove_segments(kl_log_t *log, size_t first, size_t n)
{
    if (n == 0)
        return;
    pthread_mutex_lock(&log->lock);
    for (size_t i = first; i < first + n; i++)
        kl_segment_destroy(&log->segments[i]);
    memmove(&log->segments[first], &log->segments[first + n], (log->count - first - n) * sizeof *log->segments);
    log->count -= n;
    pthread_mutex_unlock(&log->lock);
}

uint64_t kl_log_size(const kl_log_t *log)
{
    uint64_t total = 0;
    for (size_t i = 0; i < log->count; i++)
        total += log->segments[i].size;
    return total;
}

/* Kafka's three deletion rules for the oldest segment left, which has a
 * successor (the active segment never goes). */
static bool log_segment_deletable(const kl_log_t *log, size_t i, int64_t now_ms, uint64_t total)
{
    const kl_segment_t *seg = &log->segments[i];
    const kl_log_config_t *c = &log->config;
    if (log->segments[i + 1].base_offset <= log->start_offset)
        return true;
    if (c->retention_ms >= 0 && now_ms - kl_segment_largest_timestamp(seg) > c->retention_ms)
        return true;
    return c->retention_bytes >= 0 && total - seg->size >= (uint64_t)c->retention_bytes;
}

kl_err_t kl_log_retain(kl_log_t *log, int64_t now_ms)
{
    uint64_t total = kl_log_size(log);
    size_t n = 0;
    while (n + 1 < log->count && log_segment_deletable(log, n, now_ms, total))
        total -= log->segments[n++].size;
    log_remove_segments(log, 0, n);
    if (log->segments[0].base_offset > log->start_offset)
        log->start_offset = log->segments[0].base_offset;
    return KL_ERR_NONE;
}

kl_err_t kl_log_delete_records(kl_log_t *log, int64_t offset)
{
    if (offset == -1)
        offset = log->high_watermark;
    if (offset < 0 || offset > log->high_watermark)
        return KL_ERR_OFFSET_OUT_OF_RANGE;
    if (offset <= log->start_offset)
        return KL_ERR_NONE;
    /* Durable first: a crash must not bring the records back. */
    kl_err_t err = kl_checkpoint_write(log->dir, KL_CHECKPOINT_LOG_START, log->topic, log->partition, offset);
    if (err)
        return err == KL_ERR_NOMEM ? err : KL_ERR_KAFKA_STORAGE_ERROR;
    log->start_offset = offset;
    size_t n = 0;
    while (n + 1 < log->count && log->segments[n + 1].base_offset <= offset)
        n++;
    log_remove_segments(log, 0, n);
    return KL_ERR_NONE;
}

/* Everything goes; the log restarts empty at offset (below its first
 * segment). The new segment is made first so a failure leaves all as is. */
static kl_err_t log_truncate_fully(kl_log_t *log, int64_t offset)
{
    kl_err_t err = kl_checkpoint_remove(log->dir, KL_CHECKPOINT_LOG_START);
    if (!err)
        err = log_add_segment(log, offset, true, kl_wallclock_ms());
    if (err)
        return err == KL_ERR_NOMEM ? err : KL_ERR_KAFKA_STORAGE_ERROR;
    log_remove_segments(log, 0, log->count - 1);
    pthread_mutex_lock(&log->lock);
    log->start_offset = log->end_offset = log->high_watermark = offset;
    pthread_mutex_unlock(&log->lock);
    return KL_ERR_NONE;
}

/* The cut itself; flush_lock held. */
static kl_err_t log_truncate_locked(kl_log_t *log, int64_t offset)
{
    if (offset < log->segments[0].base_offset)
        return log_truncate_fully(log, offset);
    size_t keep = log_segment_for(log, offset) + 1;
    log_remove_segments(log, keep, log->count - keep);
    kl_err_t err = kl_segment_truncate(log_active(log), offset);
    pthread_mutex_lock(&log->lock);
    log->end_offset = log_active(log)->next_offset;
    pthread_mutex_unlock(&log->lock);
    if (log->high_watermark > log->end_offset)
        log->high_watermark = log->end_offset;
    if (log->start_offset > log->end_offset) {
        kl_err_t saved = kl_checkpoint_write(log->dir, KL_CHECKPOINT_LOG_START, log->topic, log->partition,
                                             log->end_offset);
        log->start_offset = log->end_offset;
        err = err ? err : saved;
    }
    return err;
}

kl_err_t kl_log_truncate(kl_log_t *log, int64_t offset)
{
    if (offset < 0)
        return KL_ERR_INVALID_ARG;
    if (offset >= log->end_offset)
        return KL_ERR_NONE;
    if (atomic_load(&log->failed))
        return KL_ERR_KAFKA_STORAGE_ERROR;
    pthread_mutex_lock(&log->flush_lock); /* no flush may run over the cut */
    kl_err_t err = log_truncate_locked(log, offset);
    kl_err_t flushed = log_flush_after_truncate(log);
    pthread_mutex_unlock(&log->flush_lock);
    return err ? err : flushed;
}
