/* What the cleaner remembers of data it could not read: the segment,
 * while it stays as it was (same size, same modification time), bounds
 * the cleanable part of the log, so that the same damage (a decompression
 * bomb, say) is not read again at every back-off. See cleaner.h. */
#include "storage/file.h"
#include "storage/log_internal.h"

void log_clean_failed(kl_log_t *log, const kl_log_clean_failure_t *failure, uint64_t size, int64_t mtime_ms)
{
    log->clean_failed = true;
    log->clean_failure = *failure;
    log->clean_failed_size = size;
    log->clean_failed_mtime_ms = mtime_ms;
}

size_t log_damaged_segment(kl_log_t *log)
{
    size_t i = 0;
    while (log->clean_failed && i < log->count && log->segments[i].base_offset != log->clean_failure.segment_base)
        i++;
    if (log->clean_failed && i < log->count && log->segments[i].size == log->clean_failed_size &&
        kl_file_mtime_ms(log->segments[i].log_fd) == log->clean_failed_mtime_ms)
        return i;
    log->clean_failed = false;
    return log->count;
}

bool kl_log_clean_failure(kl_log_t *log, kl_log_clean_failure_t *out)
{
    pthread_mutex_lock(&log->lock);
    bool failed = log_damaged_segment(log) < log->count;
    if (failed)
        *out = log->clean_failure;
    pthread_mutex_unlock(&log->lock);
    return failed;
}
