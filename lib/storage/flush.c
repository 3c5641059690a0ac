/* Durability off the append path: when a flush is due, fsyncing the
 * segments that hold unflushed data while appends go on, the recovery
 * point, and the recovery-point-offset-checkpoint that lets an open skip
 * rescanning what was flushed. See log.h for the threading contract. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "storage/checkpoint.h"
#include "storage/log_internal.h"

bool kl_log_flush_due(kl_log_t *log, int64_t now_ms)
{
    const kl_log_config_t *c = &log->config;
    pthread_mutex_lock(&log->lock);
    int64_t unflushed = log->end_offset - log->recovery_point;
    bool due = !atomic_load(&log->failed) && unflushed > 0 &&
               (unflushed >= c->flush_interval_messages ||
                (log->oldest_unflushed_ms >= 0 && now_ms - log->oldest_unflushed_ms >= c->flush_interval_ms) ||
                log->recovery_point < log_active(log)->base_offset);
    pthread_mutex_unlock(&log->lock);
    return due;
}

/* What one flush does, gathered under the lock. */
typedef struct flush_work {
    kl_file_t **files; /* a reference on each */
    size_t count;
    int64_t target; /* the recovery point once they are synced */
    bool dir;
} flush_work_t;

/* Every file of the segments from the one holding the recovery point on
 * (lock held). */
static kl_err_t flush_collect(kl_log_t *log, flush_work_t *w)
{
    size_t first = log_segment_for(log, log->recovery_point);
    w->files = malloc(3 * (log->count - first) * sizeof *w->files);
    if (!w->files)
        return KL_ERR_NOMEM;
    for (size_t i = first; i < log->count; i++) {
        kl_segment_t *seg = &log->segments[i];
        w->files[w->count++] = kl_file_ref(seg->log_file);
        if (seg->index_file) /* closed ones hold nothing unflushed */
            w->files[w->count++] = kl_file_ref(seg->index_file);
        if (seg->timeindex_file)
            w->files[w->count++] = kl_file_ref(seg->timeindex_file);
    }
    w->target = log->end_offset;
    w->dir = log->dir_dirty;
    log->dir_dirty = false;
    log->oldest_unflushed_ms = -1;
    return KL_ERR_NONE;
}

/* fdatasync of every file, then of the directory if asked; lets go of
 * the files either way. */
static bool flush_sync(kl_log_t *log, flush_work_t *w)
{
    bool ok = true;
    for (size_t i = 0; i < w->count; i++) {
        if (ok && fdatasync(w->files[i]->fd) != 0)
            ok = false;
        kl_file_unref(w->files[i]);
    }
    free(w->files);
    return ok && (!w->dir || kl_fsync_dir(log->dir));
}

void log_close_flushed_indexes(kl_log_t *log)
{
    size_t first = log_segment_for(log, log->recovery_point);
    for (size_t i = 0; i < first && i + 1 < log->count; i++)
        if (log->segments[i].index_file || log->segments[i].timeindex_file)
            kl_segment_close_indexes(&log->segments[i]);
}

kl_err_t log_write_checkpoint(kl_log_t *log, int64_t offset)
{
    kl_err_t err = kl_checkpoint_write(log->dir, KL_CHECKPOINT_RECOVERY_POINT, log->topic, log->partition, offset);
    if (!err)
        log->checkpointed = offset;
    return err;
}

/* The segment the checkpoint file names is behind the recovery point's
 * (lock held): a crash would rescan whole flushed segments. */
static bool checkpoint_lags(const kl_log_t *log)
{
    return log->checkpointed < log->segments[log_segment_for(log, log->recovery_point)].base_offset;
}

kl_err_t kl_log_flush(kl_log_t *log)
{
    pthread_mutex_lock(&log->flush_lock);
    pthread_mutex_lock(&log->lock);
    flush_work_t w = {0};
    kl_err_t err = atomic_load(&log->failed) ? KL_ERR_KAFKA_STORAGE_ERROR : flush_collect(log, &w);
    pthread_mutex_unlock(&log->lock);
    if (!err && !flush_sync(log, &w)) {
        atomic_store(&log->failed, true); /* the kernel may have dropped pages */
        log_note_error(log, errno, "fsync in %s", log->dir);
        err = KL_ERR_KAFKA_STORAGE_ERROR;
    }
    pthread_mutex_lock(&log->lock);
    if (!err && w.target > log->recovery_point)
        log->recovery_point = w.target;
    if (!err)
        log_close_flushed_indexes(log);
    int64_t point = log->recovery_point;
    bool write = !err && checkpoint_lags(log);
    pthread_mutex_unlock(&log->lock);
    if (write) {
        /* Best effort: if it fails, the next flush tries again. */
        kl_err_t ignored = log_write_checkpoint(log, point);
        (void)ignored;
    }
    pthread_mutex_unlock(&log->flush_lock);
    return err;
}

kl_err_t log_flush_after_truncate(kl_log_t *log)
{
    pthread_mutex_lock(&log->lock);
    if (log->recovery_point > log->end_offset)
        log->recovery_point = log->end_offset;
    int64_t point = log->recovery_point;
    pthread_mutex_unlock(&log->lock);
    if (fdatasync(log_active(log)->log_fd) != 0 || !kl_fsync_dir(log->dir)) {
        atomic_store(&log->failed, true);
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    if (log->checkpointed <= point)
        return KL_ERR_NONE;
    if (log_write_checkpoint(log, point) == KL_ERR_NONE)
        return KL_ERR_NONE;
    if (kl_checkpoint_remove(log->dir, KL_CHECKPOINT_RECOVERY_POINT) == KL_ERR_NONE) {
        log->checkpointed = -1;
        return KL_ERR_NONE;
    }
    /* A checkpoint past the cut would let a later open trust rewritten
     * data: stop here. */
    atomic_store(&log->failed, true);
    return KL_ERR_KAFKA_STORAGE_ERROR;
}

int64_t kl_log_recovery_point(kl_log_t *log)
{
    pthread_mutex_lock(&log->lock);
    int64_t point = log->recovery_point;
    pthread_mutex_unlock(&log->lock);
    return point;
}
