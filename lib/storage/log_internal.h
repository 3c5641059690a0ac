/* The partition log's state, shared by the files that implement log.h:
 * log.c (append, read), log_open.c (open, load, close), log_time.c
 * (lookups by time), retention.c (retention, DeleteRecords, truncation).
 * Internal to lib/storage. */
#ifndef KL_STORAGE_LOG_INTERNAL_H
#define KL_STORAGE_LOG_INTERNAL_H

#include "storage/log.h"
#include "storage/segment.h"

/* Index positions are int32: a segment never grows past this. */
#define LOG_MAX_SEGMENT_BYTES INT32_MAX

struct kl_log {
    char *dir; /* the partition directory */
    char *topic;
    int32_t partition;
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

/* Milliseconds since the epoch, by the system clock. */
int64_t log_clock_ms(void);

/* Opens (create: creates) one more segment at the end of the list. */
KL_WARN_UNUSED kl_err_t log_add_segment(kl_log_t *log, int64_t base_offset, bool create, int64_t now_ms);

/* Takes segments [first, first + n) out of the list and deletes their
 * files; ranges still holding them keep reading them. */
void log_remove_segments(kl_log_t *log, size_t first, size_t n);

/* The index of the last segment whose base offset is at or below offset
 * (0 when offset is below them all). */
size_t log_segment_for(const kl_log_t *log, int64_t offset);

#endif
