/* One log segment: `<base offset, 20 digits>.log` holding whole record
 * batches back to back, and its sparse offset index `.index` (Kafka's
 * format: 8-byte entries, big-endian int32 offset relative to the base
 * offset + int32 file position). Only batch headers are ever read here. */
#ifndef KL_STORAGE_SEGMENT_H
#define KL_STORAGE_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/common.h"
#include "kafkalite/error.h"
#include "storage/file.h"

#define KL_SEGMENT_INDEX_ENTRY_SIZE 8

typedef struct kl_index_entry {
    int64_t offset;   /* absolute: the last offset of the indexed batch */
    uint32_t position; /* where that batch starts in the .log */
} kl_index_entry_t;

typedef struct kl_segment {
    int64_t base_offset;
    char *log_path;
    char *index_path;
    kl_file_t *log_file;   /* one reference held by the segment */
    kl_file_t *index_file;
    int log_fd;   /* log_file->fd */
    int index_fd; /* index_file->fd */
    uint64_t size;       /* bytes of whole batches in the .log */
    int64_t next_offset; /* one past the last offset stored (base if empty) */
    size_t index_interval;
    size_t bytes_since_index;
    bool dirty_tail; /* a failed append may have left bytes past size */
    kl_index_entry_t *index; /* in-memory copy of the .index */
    size_t index_len;
    size_t index_cap;
} kl_segment_t;

/* The header fields a scan needs, read from the first bytes of a batch. */
typedef struct kl_segment_batch {
    int64_t base_offset;
    int64_t last_offset;
    uint64_t position;
    uint64_t size; /* whole batch, log overhead included */
} kl_segment_batch_t;

/* Creates (create = true, files must not exist) or opens a segment in dir.
 * Opening does not read anything: call kl_segment_recover() or
 * kl_segment_load_index() next. KL_ERR_KAFKA_STORAGE_ERROR when the files
 * cannot be created or opened. */
KL_WARN_UNUSED kl_err_t kl_segment_open(kl_segment_t *seg, const char *dir, int64_t base_offset,
                                        size_t index_interval, bool create);
void kl_segment_close(kl_segment_t *seg);
/* Closes the segment and removes its files (a segment that failed to roll). */
void kl_segment_destroy(kl_segment_t *seg);

/* Scans every batch with its CRC, truncates the .log after the last whole
 * valid batch, rebuilds the index and rewrites the .index if it differs.
 * *truncated (may be NULL) gets the number of bytes cut off. */
KL_WARN_UNUSED kl_err_t kl_segment_recover(kl_segment_t *seg, uint64_t *truncated);

/* For a segment that is not the last one: loads the .index, rebuilding it
 * from batch headers (no CRC checks) when it is missing or does not fit the
 * .log. Sets next_offset from the headers' scan when it rebuilds, else
 * leaves it to the caller (the next segment's base offset). */
KL_WARN_UNUSED kl_err_t kl_segment_load_index(kl_segment_t *seg);

/* Appends a batch whose base offset is already patched. On failure nothing
 * is left of it in either file: KL_ERR_KAFKA_STORAGE_ERROR. */
KL_WARN_UNUSED kl_err_t kl_segment_append(kl_segment_t *seg, const void *batch, size_t len, int64_t last_offset);

/* Reads the batch header at position into *out. KL_ERR_NOENT at the end of
 * the segment, KL_ERR_CORRUPT_MESSAGE for a header that makes no sense,
 * KL_ERR_KAFKA_STORAGE_ERROR when reading fails. */
KL_WARN_UNUSED kl_err_t kl_segment_read_header(const kl_segment_t *seg, uint64_t position,
                                               kl_segment_batch_t *out);

/* Finds the first batch whose last offset is >= offset: the index gives a
 * start, then batch headers are scanned. KL_ERR_NOENT when no batch of
 * this segment holds offset or a later one. */
KL_WARN_UNUSED kl_err_t kl_segment_find(const kl_segment_t *seg, int64_t offset, kl_segment_batch_t *out);

#endif
