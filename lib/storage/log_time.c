/* ListOffsets by time over the partition log: the segments' max
 * timestamps pick the segment, its time index and batch headers the batch,
 * and that one batch's records the offset, as Kafka answers. See log.h. */
#include <stdlib.h>

#include "record/batch.h"
#include "storage/log_internal.h"

/* The first record of the batch at b with offset >= min_offset and a
 * timestamp >= timestamp. The batch is read whole and CRC-checked. */
static kl_err_t batch_record_at_time(const kl_segment_t *seg, const kl_segment_batch_t *b, int64_t timestamp,
                                     int64_t min_offset, int64_t *offset, int64_t *found_timestamp)
{
    uint8_t *bytes = malloc((size_t)b->size);
    if (!bytes)
        return KL_ERR_NOMEM;
    kl_err_t err = KL_ERR_NONE;
    if (kl_pread_full(seg->log_fd, bytes, (size_t)b->size, b->position) != (ssize_t)b->size)
        err = KL_ERR_KAFKA_STORAGE_ERROR;
    kl_batch_iter_t it;
    kl_batch_t batch;
    kl_batch_iter_init(&it, bytes, (size_t)b->size, 0);
    if (!err && kl_batch_iter_next(&it, &batch) != KL_ERR_NONE)
        err = KL_ERR_CORRUPT_MESSAGE;
    kl_record_iter_t records;
    kl_record_t rec;
    kl_record_iter_init(&records, 0);
    if (!err && kl_record_iter_start(&records, &batch) != KL_ERR_NONE)
        err = KL_ERR_CORRUPT_MESSAGE;
    kl_err_t next = err;
    while (!err && (next = kl_record_iter_next(&records, &rec)) == KL_ERR_NONE &&
           (rec.offset < min_offset || rec.timestamp < timestamp))
        ;
    if (!err && next == KL_ERR_NONE) {
        *offset = rec.offset;
        *found_timestamp = rec.timestamp;
    } else if (!err) {
        err = KL_ERR_CORRUPT_MESSAGE; /* the header promised such a record */
    }
    kl_record_iter_free(&records);
    free(bytes);
    return err;
}

/* The first record at or after the log start offset with a timestamp >=
 * timestamp, trying the segments that can hold one in offset order. */
static kl_err_t log_find_time(kl_log_t *log, int64_t timestamp, int64_t *offset, int64_t *found_timestamp)
{
    for (size_t i = 0; i < log->count; i++) {
        const kl_segment_t *seg = &log->segments[i];
        if (seg->max_timestamp < timestamp || seg->next_offset <= log->start_offset)
            continue;
        kl_segment_batch_t b;
        kl_err_t err = kl_segment_find_timestamp(seg, timestamp, log->start_offset, &b);
        if (err == KL_ERR_NOENT)
            continue;
        if (err)
            return err;
        return batch_record_at_time(seg, &b, timestamp, log->start_offset, offset, found_timestamp);
    }
    return KL_ERR_NOENT;
}

/* The first record carrying the log's largest timestamp: the first
 * segment reaching it, then its first batch and record reaching it. */
static kl_err_t log_find_max_time(kl_log_t *log, int64_t *offset, int64_t *found_timestamp)
{
    const kl_segment_t *best = NULL;
    for (size_t i = 0; i < log->count; i++)
        if (log->segments[i].max_timestamp >= 0 &&
            (!best || log->segments[i].max_timestamp > best->max_timestamp))
            best = &log->segments[i];
    if (!best)
        return KL_ERR_NOENT;
    kl_segment_batch_t b;
    kl_err_t err = kl_segment_find_timestamp(best, best->max_timestamp, log->start_offset, &b);
    if (err)
        return err;
    return batch_record_at_time(best, &b, best->max_timestamp, log->start_offset, offset, found_timestamp);
}

kl_err_t kl_log_find_offset_by_timestamp(kl_log_t *log, int64_t timestamp, int64_t *offset,
                                         int64_t *found_timestamp)
{
    int64_t unused;
    if (!found_timestamp)
        found_timestamp = &unused;
    *found_timestamp = -1;
    *offset = -1;
    switch (timestamp) {
    case KL_LOG_TIMESTAMP_LATEST:
        *offset = log->end_offset;
        return KL_ERR_NONE;
    case KL_LOG_TIMESTAMP_EARLIEST:
        *offset = log->start_offset;
        return KL_ERR_NONE;
    case KL_LOG_TIMESTAMP_MAX:
        return log_find_max_time(log, offset, found_timestamp);
    default:
        if (timestamp < 0)
            return KL_ERR_INVALID_ARG;
        return log_find_time(log, timestamp, offset, found_timestamp);
    }
}
