/* The partition log's data path: appends with offset assignment and
 * rolling, reads by offset turned into byte ranges, and the accessors.
 * Opening is in log_open.c, shrinking in retention.c. See log.h. */
#include "storage/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "record/batch.h"
#include "storage/log_internal.h"

#define LOG_DEFAULT_SEGMENT_BYTES (1u << 30)
#define LOG_DEFAULT_INDEX_INTERVAL 4096
#define LOG_DEFAULT_SEGMENT_MS (7 * 24 * 3600 * 1000LL)
#define LOG_DEFAULT_RETENTION_MS (7 * 24 * 3600 * 1000LL)
#define LOG_DEFAULT_DELETE_RETENTION_MS (24 * 3600 * 1000LL)

void kl_log_config_init(kl_log_config_t *config)
{
    config->segment_bytes = LOG_DEFAULT_SEGMENT_BYTES;
    config->index_interval_bytes = LOG_DEFAULT_INDEX_INTERVAL;
    config->timestamp_type = KL_LOG_CREATE_TIME;
    config->segment_ms = LOG_DEFAULT_SEGMENT_MS;
    config->retention_ms = LOG_DEFAULT_RETENTION_MS;
    config->retention_bytes = -1;
    config->flush_interval_messages = INT64_MAX;
    config->flush_interval_ms = INT64_MAX;
    config->compact = false;
    config->delete_retention_ms = LOG_DEFAULT_DELETE_RETENTION_MS;
    config->min_compaction_lag_ms = 0;
    config->min_cleanable_dirty_ratio = 0.5;
}

bool log_config_valid(const kl_log_config_t *c)
{
    return c->segment_bytes > 0 && c->segment_bytes <= LOG_MAX_SEGMENT_BYTES && c->segment_ms > 0 &&
           c->flush_interval_messages > 0 && c->flush_interval_ms >= 0 && c->delete_retention_ms >= 0 &&
           c->min_compaction_lag_ms >= 0 && c->min_cleanable_dirty_ratio >= 0 && c->min_cleanable_dirty_ratio <= 1;
}

kl_err_t kl_log_set_config(kl_log_t *log, const kl_log_config_t *config)
{
    if (!log_config_valid(config))
        return KL_ERR_INVALID_ARG;
    /* the flusher reads the flush intervals under the lock */
    pthread_mutex_lock(&log->lock);
    log->config = *config;
    pthread_mutex_unlock(&log->lock);
    return KL_ERR_NONE;
}

const kl_log_config_t *kl_log_config(const kl_log_t *log) { return &log->config; }

kl_err_t log_add_segment(kl_log_t *log, int64_t base_offset, bool create, int64_t now_ms)
{
    kl_segment_t seg;
    kl_err_t err = kl_segment_open(&seg, log->dir, base_offset, (size_t)log->config.index_interval_bytes, create);
    if (err)
        return err;
    seg.created_ms = now_ms;
    pthread_mutex_lock(&log->lock);
    if (log->count == log->cap) {
        size_t cap = log->cap ? log->cap * 2 : 8;
        kl_segment_t *grown = realloc(log->segments, cap * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&log->lock);
            if (create)
                kl_segment_destroy(&seg);
            else
                kl_segment_close(&seg);
            return KL_ERR_NOMEM;
        }
        log->segments = grown;
        log->cap = cap;
    }
    log->segments[log->count++] = seg;
    log->dir_dirty |= create;
    pthread_mutex_unlock(&log->lock);
    return KL_ERR_NONE;
}

/* ---------------------------------------------------------------- append */

/* Kafka's rolling rules: size, relative offsets that must fit an int32,
 * and log.roll.ms counted in the batches' own timestamps when they have
 * them, else from when the segment was created or opened. */
static bool log_needs_roll(kl_log_t *log, size_t len, int64_t last_offset, int64_t max_timestamp, int64_t now_ms)
{
    const kl_segment_t *active = log_active(log);
    if (active->size == 0)
        return false;
    int64_t waited = active->first_timestamp >= 0 ? max_timestamp - active->first_timestamp
                                                  : now_ms - active->created_ms;
    return active->size + len > log->config.segment_bytes || last_offset - active->base_offset > INT32_MAX ||
           waited > log->config.segment_ms;
}

void log_note_error(kl_log_t *log, int err, const char *fmt, ...)
{
    char what[sizeof log->error_what];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&log->lock);
    log->error_errno = err;
    memcpy(log->error_what, what, sizeof what);
    pthread_mutex_unlock(&log->lock);
}

int kl_log_last_error(kl_log_t *log, char *what, size_t what_size)
{
    pthread_mutex_lock(&log->lock);
    int err = log->error_errno;
    if (what && what_size > 0)
        snprintf(what, what_size, "%s", log->error_what[0] ? log->error_what : "unknown");
    pthread_mutex_unlock(&log->lock);
    return err;
}

/* Starts a new active segment at base, sealing the old one's time index.
 * If the new segment cannot be created (out of descriptors, say), the old
 * one stays active, sealed: the next append tries the roll again. */
static kl_err_t log_roll(kl_log_t *log, int64_t base, int64_t now_ms)
{
    kl_err_t err = kl_segment_seal(log_active(log));
    if (err) {
        log_note_error(log, errno, "writing the index files of %s", log_active(log)->log_path);
    } else if ((err = log_add_segment(log, base, true, now_ms)) != KL_ERR_NONE && err != KL_ERR_NOMEM) {
        log_note_error(log, errno, "creating segment %020" PRId64 " (.log, .index, .timeindex) in %s", base,
                       log->dir);
    }
    return err == KL_ERR_NOMEM ? err : err ? KL_ERR_KAFKA_STORAGE_ERROR : KL_ERR_NONE;
}

/* Every this many appends, the active segment is checked to still be in
 * its directory: appends to a file removed under the log would succeed and
 * vanish at the next start. One fstat() per so many writes costs nothing. */
#define LINK_CHECK_APPENDS 256

/* False (and the log failed for good) when the active segment's file was
 * removed while the log had it open. */
static bool active_still_linked(kl_log_t *log)
{
    if (++log->appends_unchecked < LINK_CHECK_APPENDS)
        return true;
    log->appends_unchecked = 0;
    struct stat st;
    if (fstat(log_active(log)->log_fd, &st) == 0 && st.st_nlink > 0)
        return true;
    atomic_store(&log->failed, true);
    log_note_error(log, 0, "the active segment %s was removed from the directory while open",
                   log_active(log)->log_path);
    return false;
}

kl_err_t kl_log_append_checked(kl_log_t *log, void *batch, size_t len, const kl_batch_t *checked, int64_t now_ms,
                               kl_log_append_info_t *info)
{
    if (atomic_load(&log->failed) || !active_still_linked(log))
        return KL_ERR_KAFKA_STORAGE_ERROR;
    if (checked->size != len || checked->data != batch)
        return KL_ERR_INVALID_ARG;
    bool append_time = log->config.timestamp_type == KL_LOG_APPEND_TIME;
    int64_t max_timestamp = append_time ? now_ms : checked->max_timestamp;
    int64_t base = log->end_offset;
    int64_t last = base + checked->last_offset_delta;
    kl_err_t err = KL_ERR_NONE;
    if (log_needs_roll(log, len, last, max_timestamp, now_ms) && (err = log_roll(log, base, now_ms)) != KL_ERR_NONE)
        return err;
    err = kl_batch_set_base_offset(batch, len, base);
    if (!err && append_time)
        err = kl_batch_set_log_append_time(batch, len, now_ms);
    if (!err && (err = kl_segment_append(log_active(log), batch, len, last, max_timestamp)) != KL_ERR_NONE &&
        err == KL_ERR_KAFKA_STORAGE_ERROR)
        log_note_error(log, errno, "writing %s", log_active(log)->log_path);
    if (err)
        return err;
    pthread_mutex_lock(&log->lock);
    log->end_offset = last + 1;
    log->high_watermark = log->end_offset;
    if (log->oldest_unflushed_ms < 0)
        log->oldest_unflushed_ms = now_ms;
    pthread_mutex_unlock(&log->lock);
    if (info)
        *info = (kl_log_append_info_t){base, last, append_time ? now_ms : -1, log->start_offset};
    return KL_ERR_NONE;
}

kl_err_t kl_log_append_at(kl_log_t *log, void *batch, size_t len, int64_t now_ms, kl_log_append_info_t *info)
{
    kl_batch_t b;
    kl_err_t err = kl_batch_validate(batch, len, 0, &b, NULL);
    return err ? err : kl_log_append_checked(log, batch, len, &b, now_ms, info);
}

kl_err_t kl_log_append(kl_log_t *log, void *batch, size_t len, int64_t *base_offset)
{
    kl_log_append_info_t info;
    kl_err_t err = kl_log_append_at(log, batch, len, kl_wallclock_ms(), &info);
    if (!err && base_offset)
        *base_offset = info.base_offset;
    return err;
}

/* ------------------------------------------------------------------ read */

size_t log_segment_for(const kl_log_t *log, int64_t offset)
{
    size_t lo = 0, hi = log->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (log->segments[mid].base_offset <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : 0;
}

/* Extends the range from its first batch with whole batches within budget. */
static void range_fill(const kl_segment_t *seg, const kl_segment_batch_t *first, size_t max_bytes,
                       int64_t end_offset, kl_log_range_t *range)
{
    range->file = kl_file_ref(seg->log_file);
    range->fd = seg->log_fd;
    range->position = first->position;
    range->length = first->base_offset < end_offset ? (size_t)first->size : 0;
    range->first_offset = first->base_offset;
    kl_segment_batch_t next;
    uint64_t pos = first->position + first->size;
    while (range->length > 0 && kl_segment_read_header(seg, pos, &next) == KL_ERR_NONE &&
           next.base_offset < end_offset && range->length + next.size <= max_bytes) {
        range->length += (size_t)next.size;
        pos += next.size;
    }
}

kl_err_t kl_log_read(kl_log_t *log, int64_t offset, size_t max_bytes, kl_log_range_t *range)
{
    return kl_log_read_until(log, offset, max_bytes, INT64_MAX, range);
}

kl_err_t kl_log_read_until(kl_log_t *log, int64_t offset, size_t max_bytes, int64_t end_offset,
                           kl_log_range_t *range)
{
    if (offset < log->start_offset || offset > log->end_offset)
        return KL_ERR_OFFSET_OUT_OF_RANGE;
    for (size_t i = log_segment_for(log, offset); i < log->count && offset < log->end_offset; i++) {
        kl_segment_batch_t first;
        kl_err_t err = kl_segment_find(&log->segments[i], offset, &first);
        if (err == KL_ERR_NOENT)
            continue;
        if (err)
            return err;
        range_fill(&log->segments[i], &first, max_bytes, end_offset, range);
        return KL_ERR_NONE;
    }
    const kl_segment_t *active = log_active(log);
    *range = (kl_log_range_t){active->log_fd, active->size, 0, log->end_offset, kl_file_ref(active->log_file)};
    return KL_ERR_NONE;
}

void kl_log_range_release(kl_log_range_t *range)
{
    kl_file_unref(range->file);
    range->file = NULL;
    range->fd = -1;
}

int64_t kl_log_start_offset(const kl_log_t *log) { return log->start_offset; }
int64_t kl_log_end_offset(const kl_log_t *log) { return log->end_offset; }
int64_t kl_log_active_segment_base(const kl_log_t *log) { return log->segments[log->count - 1].base_offset; }
int64_t kl_log_high_watermark(const kl_log_t *log) { return log->high_watermark; }
size_t kl_log_segment_count(const kl_log_t *log) { return log->count; }

int64_t kl_log_segment_base_of(const kl_log_t *log, int64_t offset)
{
    return log->segments[log_segment_for(log, offset)].base_offset;
}
const char *kl_log_dir(const kl_log_t *log) { return log->dir; }
uint64_t kl_log_recovered_bytes(const kl_log_t *log) { return log->recovered_bytes; }
uint64_t kl_log_recovery_scanned_bytes(const kl_log_t *log) { return log->scanned_bytes; }
