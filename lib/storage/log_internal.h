/* The partition log's state, shared by the files that implement log.h:
 * log.c (open, append, read), log_time.c (lookups by time). Internal to
 * lib/storage. */
#ifndef KL_STORAGE_LOG_INTERNAL_H
#define KL_STORAGE_LOG_INTERNAL_H

#include "storage/log.h"
#include "storage/segment.h"

struct kl_log {
    char *dir;
    kl_log_config_t config;
    kl_segment_t *segments; /* by base offset; the last one is active */
    size_t count;
    size_t cap;
    int64_t start_offset;
    int64_t end_offset;
    int64_t high_watermark;
    uint64_t recovered_bytes;
};

static inline kl_segment_t *log_active(const kl_log_t *log) { return &log->segments[log->count - 1]; }

/* The index of the last segment whose base offset is at or below offset
 * (0 when offset is below them all). */
size_t log_segment_for(const kl_log_t *log, int64_t offset);

#endif
